//! Loads an OpenID Provider's configuration (OIDC Discovery 1.0 §4) and its JWK set.
//!
//! [`load_configuration`] fetches `<issuer>/.well-known/openid-configuration`, checks that the
//! document's `issuer` is exactly the issuer asked for, and returns the [`ProviderMetadata`]
//! with the time it may be kept (from `Cache-Control: max-age`, see [`ExpiryPolicy`]).
//! [`load_jwks`] fetches a key set and reads it key by key, so one key of an unknown type does
//! not make the whole set unusable.
//!
//! Both run on any [`HttpClient`](oidc_http::HttpClient) (the shared default client unless
//! [`DiscoveryOptions::http_client`] names another) and emit `load_configuration` /
//! `load_jwks` telemetry (see `oidc-telemetry`).
//!
//! ```no_run
//! # async fn run() -> Result<(), oidc_discovery::DiscoveryError> {
//! use oidc_discovery::{load_configuration, DiscoveryOptions};
//!
//! let configuration =
//!     load_configuration("https://accounts.example.com", &DiscoveryOptions::default()).await?;
//! println!(
//!     "registration endpoint: {:?}, keep for {:?}",
//!     configuration.metadata.registration_endpoint,
//!     configuration.expires_in
//! );
//! # Ok(()) }
//! ```
//!
//! This crate does not cache; it returns what a cache needs (the expiry). To register a client
//! with the loaded configuration use `oidc-registration`.
//!
//! [`ProviderMetadata`]: oidc_types::ProviderMetadata

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

mod configuration;
mod error;
mod expiry;
mod fetch;
mod jwks;
mod options;

pub use configuration::{load_configuration, well_known_url, ProviderConfiguration};
pub use error::DiscoveryError;
pub use expiry::ExpiryPolicy;
pub use jwks::{load_jwks, load_provider_jwks, Jwks, SkippedKey};
pub use options::DiscoveryOptions;
