//! OpenID Connect Dynamic Client Registration: register a client with a provider at run time.
//!
//! [`register`] sends a client's [`ClientMetadata`](oidc_types::ClientMetadata) to a provider's
//! registration endpoint (OIDC DCR 1.0 §3, RFC 7591 §3) and returns the typed
//! [`RegistrationResponse`](oidc_types::RegistrationResponse): the client id, its secret and
//! registration access token (both never printed), and the metadata as the provider registered
//! it. Failures are a [`RegistrationError`] that tells the caller's mistakes, the provider's
//! refusals (with its OAuth error code) and broken exchanges apart.
//!
//! The usual flow is discover, then register:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use oidc_discovery::{load_configuration, DiscoveryOptions};
//! use oidc_registration::{register, RegisterOptions};
//! use oidc_types::ClientMetadata;
//!
//! # let provider = oidc_test_provider::TestProvider::start().await;
//! # let issuer = provider.issuer();
//! let provider = load_configuration(&issuer, &DiscoveryOptions::default()).await?.metadata;
//! let metadata = ClientMetadata::new(["https://app.example/callback"]);
//! let client = register(&provider, &metadata, &RegisterOptions::default()).await?;
//! println!("registered {}", client.client_id);
//! # Ok(()) }
//! ```
//!
//! A registration lives on (RFC 7592): keep it as a
//! [`RegisteredClient`](oidc_types::RegisteredClient), and [`read_client`], [`update_client`]
//! and [`delete_client`] it with its registration access token. Providers rotate the secret and
//! the token on these calls; the held client is updated in place and the returned
//! [`CredentialChanges`](oidc_types::CredentialChanges) says when to persist it again.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use oidc_discovery::{load_configuration, DiscoveryOptions};
//! use oidc_registration::{
//!     delete_client, read_client, register, update_client, ManagementOptions, RegisterOptions,
//! };
//! use oidc_types::{ClientMetadata, RegisteredClient};
//!
//! # let op = oidc_test_provider::TestProvider::builder().rotate_token_on_update(true).start().await;
//! # let issuer = op.issuer();
//! let provider = load_configuration(&issuer, &DiscoveryOptions::default()).await?.metadata;
//! let metadata = ClientMetadata::new(["https://app.example/callback"]);
//! let response = register(&provider, &metadata, &RegisterOptions::default()).await?;
//! let mut client = RegisteredClient::from_registration(&provider.issuer, &metadata, response);
//!
//! let options = ManagementOptions::default();
//! let _unchanged = read_client(&mut client, &options).await?;
//!
//! let mut renamed = client.metadata.clone();
//! renamed.client_name.set_value("Renamed");
//! let changes = update_client(&mut client, &renamed, &options).await?;
//! if changes.any() {
//!     // This provider rotated the registration access token: store `client` again, e.g.
//!     let _stored = serde_json::to_vec(&client)?;
//! }
//! delete_client(&client, &options).await?;
//! # assert!(changes.registration_access_token_rotated);
//! # Ok(()) }
//! ```
//!
//! Requests go through an [`oidc_http::HttpClient`]: the process-wide default (hyper + rustls,
//! with timeouts and a response size limit) unless [`RegisterOptions::http_client`] names
//! another. Every call emits telemetry (`register_client`, `read_client`, `update_client`,
//! `delete_client`) through `oidc-telemetry`.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

mod error;
mod exchange;
mod manage;
mod options;
mod register;

pub use error::RegistrationError;
pub use manage::{delete_client, read_client, update_client, ManagementOptions};
pub use options::{RegisterOptions, Validation};
pub use register::register;

// The README's example must keep compiling.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
