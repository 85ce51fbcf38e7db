//! The whole OpenID Connect client-registration library in one dependency.
//!
//! Each layer is its own crate, re-exported here as a module, so a service can add one line to
//! its `Cargo.toml` and still name every type by its layer:
//!
//! - [`types`] ([`oidc-types`](oidc_types)): the metadata model (`ClientMetadata`,
//!   `ProviderMetadata`, `RegisteredClient`, `Secret`), validation; no I/O.
//! - [`http`] ([`oidc-http`](oidc_http)): the object-safe `HttpClient` trait, the built-in
//!   client, and the one https policy applied above any backend.
//! - [`telemetry`] ([`oidc-telemetry`](oidc_telemetry)): `start` / `stop` / `exception`
//!   metrics per operation, and the handler hook.
//! - [`discovery`] ([`oidc-discovery`](oidc_discovery)): provider configuration, key sets,
//!   WebFinger, protected resource metadata, and the `ProviderCache`.
//! - [`registration`] ([`oidc-registration`](oidc_registration)): register, read, update and
//!   delete a client.
//! - `store` ([`oidc-store`](https://docs.rs/oidc-store), feature `store`, and `postgres` for
//!   its PostgreSQL backend): keep registrations across restarts and replicas —
//!   `ensure_registered`, `FileStore`, `PostgresStore`.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use oidc_dcr::discovery::{load_configuration, DiscoveryOptions};
//! use oidc_dcr::registration::{register, RegisterOptions};
//! use oidc_dcr::types::ClientMetadata;
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
//! # Features
//!
//! The layers' features, forwarded: `hyper-client` and `aws-lc-rs` (default; the built-in
//! client and its rustls crypto provider), `ring` (the other provider), `reqwest` (the
//! `HttpClient` over a service's own `reqwest::Client`), `tracing` (spans and events); `store`
//! adds the `store` module and `postgres` its PostgreSQL backend. See
//! [`oidc_http`]'s documentation for how the crypto provider is chosen.
#![deny(missing_docs)]
// Provider data must never panic library code: fallible access goes through `get`, `?` and
// iterators; the few `allow`s say which invariant makes them safe. Tests may still unwrap.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[doc(inline)]
pub use oidc_discovery as discovery;
#[doc(inline)]
pub use oidc_http as http;
#[doc(inline)]
pub use oidc_registration as registration;
#[cfg(feature = "store")]
#[doc(inline)]
pub use oidc_store as store;
#[doc(inline)]
pub use oidc_telemetry as telemetry;
#[doc(inline)]
pub use oidc_types as types;
