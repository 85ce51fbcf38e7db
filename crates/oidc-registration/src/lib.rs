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
//! (change some members, keep the rest exactly as the provider stored them),
//! [`replace_client`] (send a whole new registration) and [`delete_client`] it with its
//! registration access token. Providers rotate the secret and the token on these calls; the
//! held client is updated in place, rotated credentials first, and the returned
//! [`AppliedAnswer`](oidc_types::AppliedAnswer) says when to persist it again.
//!
//! Once a provider has answered with a success status, nothing it sent is dropped: the
//! credentials are taken from any JSON object body, odd values are reported as
//! [`ResponseProblem`](oidc_types::ResponseProblem)s rather than errors, and a body that cannot
//! be used at all is kept in the error ([`RegistrationError::response_body`]).
//! [`RegistrationError::category`] says whether a failure is the caller's input, the provider's
//! refusal, the transport, or an answer that cannot be used.
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
//! let applied = update_client(&mut client, |m| m.client_name.set_value("Renamed"), &options).await?;
//! for problem in &applied.problems {
//!     eprintln!("warning: {problem}"); // anything odd about the provider's answer
//! }
//! if applied.credentials_changed() {
//!     // This provider rotated the registration access token: store `client` again, e.g.
//!     let _stored = serde_json::to_vec(&client)?;
//! }
//! delete_client(&client, &options).await?;
//! # assert!(applied.changes.registration_access_token_rotated);
//! # Ok(()) }
//! ```
//!
//! An MCP client (or any client that meets authorization servers it was never set up for)
//! makes one call, [`obtain_client`]: it picks a pre-registered client, then a Client ID
//! Metadata Document, then dynamic registration, as the MCP authorization spec orders them
//! ([`choose_client_strategy`] is the decision alone), and says when a person must act.
//!
//! Requests go through an [`oidc_http::HttpClient`]: the process-wide default (hyper + rustls,
//! with timeouts and a response size limit) unless [`RegisterOptions::call`] names
//! another. Every call emits telemetry (`register_client`, `read_client`, `update_client`,
//! `delete_client`) through `oidc-telemetry`.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
// Provider data must never panic library code: fallible access goes through `get`, `?` and
// iterators; the few `allow`s say which invariant makes them safe. Tests may still unwrap.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#![warn(missing_debug_implementations)]

mod error;
mod exchange;
mod manage;
mod options;
mod register;
mod strategy;

pub use error::{RegistrationError, RegistrationErrorKind, RegistrationOperation};
pub use manage::{delete_client, read_client, replace_client, update_client, ManagementOptions};
pub use options::{RegisterOptions, Validation};
pub use register::{register, register_client, NewRegistration};
pub use strategy::{
    choose_client_strategy, obtain_client, ClientCandidates, ClientStrategy, ObtainedClient,
};

// The README's example must keep compiling.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
