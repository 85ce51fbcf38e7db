//! An in-process, loopback OpenID Provider for tests and demos.
//!
//! [`TestProvider`] runs a small HTTP/1.1 (and HTTP/2 prior-knowledge) server on
//! `127.0.0.1` with an ephemeral port. It serves:
//!
//! * OpenID Connect Discovery (`{issuer path}/.well-known/openid-configuration`) and
//!   RFC 8414 metadata (`/.well-known/oauth-authorization-server{issuer path}`),
//! * a JWK Set at `/jwks`,
//! * RFC 7591 dynamic client registration at `POST /register`,
//! * the RFC 7592 client configuration endpoint at `GET|PUT|DELETE /register/{client_id}`,
//! * optionally a protected resource (RFC 9728) that answers 401 with a `resource_metadata`
//!   challenge and serves its metadata, as an MCP server does
//!   ([`protected_resource`](TestProviderBuilder::protected_resource)), and JSON documents
//!   hosted for tests such as Client ID Metadata Documents
//!   ([`host_document`](TestProvider::host_document)).
//!
//! It keeps the clients it registered, records every request it received and can be told to
//! misbehave per endpoint (wrong status, wrong content type, a replacement body, a delay, an
//! oversized chunked body, extra headers) through [`Behaviour`]. A behaviour that replaces the body
//! or sets a non-2xx status has no side effects: a faked failure never stores, changes, deletes or
//! rotates anything.
//!
//! [`TestProviderBuilder`] can also reproduce RFC 7591/7592 deviations seen on real servers, all
//! off by default: [`delete_status`](TestProviderBuilder::delete_status),
//! [`registration_client_uri_query`](TestProviderBuilder::registration_client_uri_query),
//! [`echo_metadata`](TestProviderBuilder::echo_metadata),
//! [`client_secret_expires_at`](TestProviderBuilder::client_secret_expires_at),
//! [`rotate_secret_on_read`](TestProviderBuilder::rotate_secret_on_read),
//! [`rotate_token_on_read`](TestProviderBuilder::rotate_token_on_read),
//! [`rotate_token_on_update`](TestProviderBuilder::rotate_token_on_update),
//! [`auth_method_as_array`](TestProviderBuilder::auth_method_as_array) and
//! [`require_client_id_in_update`](TestProviderBuilder::require_client_id_in_update).
//!
//! It speaks plain HTTP unless given a certificate with [`tls`](TestProviderBuilder::tls); then
//! it serves https, and with [`client_ca`](TestProviderBuilder::client_ca) requires and checks
//! client certificates (mutual TLS), recording the one each request came with.
//!
//! **This crate is for tests and demos only.** It binds the loopback interface only, issues
//! guessable secrets and never persists anything. It deliberately depends on no other
//! `oidc-*` crate and works on plain `serde_json` values, so a parsing bug in the library under
//! test cannot be mirrored (and hidden) here.
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use oidc_test_provider::{Behaviour, Endpoint, TestProvider};
//!
//! #[tokio::main(flavor = "current_thread")]
//! async fn main() {
//!     let provider = TestProvider::builder().issuer_path("/tenant-a").start().await;
//!     assert!(provider.issuer().starts_with("http://127.0.0.1:"));
//!     assert!(provider.issuer().ends_with("/tenant-a"));
//!     println!("issuer: {}", provider.issuer());
//!
//!     // Make the registration endpoint slow and unhappy until cleared.
//!     provider.set_behaviour(
//!         Endpoint::Registration,
//!         Behaviour::new()
//!             .delay(Duration::from_millis(10))
//!             .status(503)
//!             .json(serde_json::json!({"error": "temporarily_unavailable"})),
//!     );
//!
//!     // ... exercise a client against `provider.registration_endpoint()` here ...
//!
//!     provider.clear_behaviour(Endpoint::Registration);
//!     assert!(provider.requests().is_empty());
//!     assert_eq!(provider.request_count(Endpoint::Registration), 0);
//! }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

mod behaviour;
mod body;
mod discovery;
mod endpoint;
mod ids;
mod recorded;
mod registration;
mod reply;
mod server;
mod tls;

pub use behaviour::{AnswerEdit, Behaviour};
pub use endpoint::Endpoint;
pub use recorded::RecordedRequest;
pub use server::{TestProvider, TestProviderBuilder};
