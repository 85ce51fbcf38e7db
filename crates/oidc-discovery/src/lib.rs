//! Finds an OpenID Provider and loads its configuration (OIDC Discovery 1.0, RFC 8414) and its
//! JWK set.
//!
//! - [`discover_issuer`] turns a user's identifier (`joe@example.com`, `example.com/joe`) into
//!   the provider's issuer with WebFinger (Discovery §2).
//! - [`load_configuration`] fetches the issuer's metadata document, from
//!   `<issuer>/.well-known/openid-configuration`, RFC 8414's
//!   `/.well-known/oauth-authorization-server<issuer path>`, or one then the other (see
//!   [`WellKnown`]); it checks that the document's `issuer` is exactly the issuer asked for,
//!   refuses plain-http endpoints off the loopback interface, optionally verifies and applies
//!   `signed_metadata`, and returns the [`ProviderMetadata`] with the time it may be kept (from
//!   `Cache-Control: max-age`, see [`ExpiryPolicy`]).
//! - [`load_jwks`] fetches a key set and reads it key by key, so one key of an unknown type
//!   does not make the whole set unusable; [`Jwks::select`] finds the key for a token, with or
//!   without a `kid`.
//! - [`ProviderCache`] keeps many providers' configurations and key sets: one fetch however
//!   many callers ask at once, refresh in the background before expiry (serving the last good
//!   value, with backoff, while the provider fails), a rate-limited refetch when a token names
//!   an unknown `kid`, and a bound on the number of issuers (least recently used evicted).
//!
//! - [`probe_resource`] starts from a protected resource such as an MCP server (OAuth 2.0
//!   Protected Resource Metadata, RFC 9728): it follows the `resource_metadata` parameter of
//!   the resource's `WWW-Authenticate` challenge ([`parse_challenges`] reads challenges with
//!   several schemes and quoted parameters) or the well-known location
//!   ([`resource_metadata_url`], [`load_resource_metadata`]), checks that the document's
//!   `resource` is exactly the resource, verifies `signed_metadata` like a provider's, and
//!   returns the [`ProtectedResourceMetadata`] naming its authorization servers.
//!   [`WellKnown::McpOrder`] then loads each server's metadata in the order MCP clients must
//!   use, and [`ProviderCache::resource_metadata`] keeps resource documents too.
//! - [`load_client_id_metadata_document`] fetches and checks someone else's Client ID
//!   Metadata Document (the `client_id` that is an https URL), as an authorization server
//!   does.
//!
//! Every check is strict by default. Real providers that deviate in known ways (Microsoft
//! Entra's `{tenantid}` issuer, a dev server on `http://0.0.0.0`, booleans sent as strings) are
//! accepted only through the opt-in [`Quirks`] in [`DiscoveryOptions`].
//!
//! Everything runs on any [`HttpClient`](oidc_http::HttpClient) (the shared default client
//! unless [`DiscoveryOptions::call`] names another), under the workspace's one https
//! policy ([`DiscoveryOptions::call`]'s `plain_http`); configuration, key set, resource metadata and
//! metadata document loads emit `load_configuration` / `load_jwks` /
//! `load_resource_metadata` / `load_client_metadata_document` telemetry (see
//! `oidc-telemetry`).
//!
//! ```no_run
//! # async fn run() -> Result<(), oidc_discovery::DiscoveryError> {
//! use oidc_discovery::{discover_issuer, load_configuration, DiscoveryOptions};
//!
//! let options = DiscoveryOptions::default();
//! let issuer = discover_issuer("joe@example.com", &options).await?;
//! let configuration = load_configuration(&issuer, &options).await?;
//! println!(
//!     "registration endpoint: {:?}, keep for {:?}",
//!     configuration.metadata.registration_endpoint,
//!     configuration.expires_in
//! );
//! # Ok(()) }
//! ```
//!
//! To register a client with the loaded configuration use `oidc-registration`.
//!
//! [`ProviderMetadata`]: oidc_types::ProviderMetadata
//! [`ProtectedResourceMetadata`]: oidc_types::ProtectedResourceMetadata

#![forbid(unsafe_code)]
#![deny(missing_docs)]
// Provider data must never panic library code: fallible access goes through `get`, `?` and
// iterators; the few `allow`s say which invariant makes them safe. Tests may still unwrap.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#![warn(missing_debug_implementations)]

mod cache;
mod challenge;
mod client_document;
mod configuration;
mod error;
mod expiry;
mod fetch;
mod jwks;
mod options;
mod resource;
mod signed;
mod webfinger;

pub use cache::{Backoff, ProviderCache, ProviderCacheOptions};
pub use challenge::{parse_challenges, resource_metadata_from_headers, Challenge};
pub use client_document::{load_client_id_metadata_document, MAX_CLIENT_ID_METADATA_DOCUMENT};
pub use configuration::{
    load_configuration, oauth_well_known_url, well_known_url, ProviderConfiguration,
};
pub use error::DiscoveryError;
pub use expiry::ExpiryPolicy;
pub use jwks::{load_jwks, load_provider_jwks, Base64Form, Jwks, NormalisedKey, SkippedKey};
pub use options::{DiscoveryOptions, InvalidIssuerRegex, IssuerRegex, Quirks, WellKnown};
pub use resource::{
    load_resource_metadata, load_resource_metadata_from, probe_resource, resource_metadata_url,
    ResourceConfiguration, ResourceMetadataSource,
};
pub use webfinger::{discover_issuer, WebFingerResource, ISSUER_REL};
