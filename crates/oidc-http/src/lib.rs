//! A small, object-safe HTTP client abstraction for the OpenID Connect
//! crates, built on the [`http`] crate's request and response types, plus a
//! production-ready default implementation, `HyperClient` (hyper, rustls,
//! HTTP/1.1 and HTTP/2, connection pooling, an optional HTTP proxy, a
//! whole-request timeout, a response size limit and no redirects), and an optional
//! backend over a service's own `reqwest::Client`, `ReqwestClient`. Discovery and
//! registration only ever see the [`HttpClient`] trait and [`HttpError`], so any
//! backend can be plugged in; the https policy ([`PlainHttp`]) and the per-call
//! timeout are applied above the trait by [`send`], whatever the backend.
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `hyper-client` | yes | `HyperClient`, `HyperClientBuilder`, and a working [`default_client`] (without it, the default client refuses every request, saying to pass one) |
//! | `aws-lc-rs` | yes | the built-in client's rustls crypto provider: aws-lc-rs (C code: needs a C compiler and cmake); implies `hyper-client` |
//! | `ring` | no | the built-in client's provider: ring; implies `hyper-client` |
//! | `reqwest` | no | `ReqwestClient`, the [`HttpClient`] trait over a `reqwest::Client` |
//!
//! `oidc-discovery` and `oidc-registration` have the same features and forward them, so
//! `default-features = false` there drops hyper and rustls too.
//!
//! # Crypto provider
//!
//! The built-in client never installs a process-level rustls provider and never asks rustls
//! to pick one (`ClientConfig::builder()`), so it cannot make another crate's TLS panic. It
//! uses, in this order:
//!
//! 1. the provider given to `HyperClientBuilder::crypto_provider`;
//! 2. the process-level default, when the program installed one
//!    (`rustls::crypto::CryptoProvider::install_default`, as a FIPS build does);
//! 3. the provider a feature compiles in: ring with `ring`, else aws-lc-rs with `aws-lc-rs`.
//!
//! With none of these, building the client fails with an [`HttpErrorKind::Tls`] error that
//! says so. The features matter beyond this crate: rustls picks a process-level provider from
//! *its* cargo features, and with both `ring` and `aws-lc-rs` compiled in it cannot, so every
//! `rustls::ClientConfig::builder()` in the program (the service's own, a WebSocket or
//! database client's) panics. Hence the default is aws-lc-rs, the provider reqwest 0.13 and
//! rustls default to: a service on those defaults gets no second provider. A service on ring
//! says `default-features = false, features = ["ring"]`; one that installs its own provider,
//! `default-features = false, features = ["hyper-client"]`.
//!
//! # In a reqwest service
//!
//! To send through the service's reqwest stack (its proxy, roots and TLS) instead, turn on
//! `reqwest` (and, to drop hyper, turn the defaults off) and pass a `ReqwestClient` in the
//! options:
//!
//! ```toml
//! oidc-registration = { version = "0.1", default-features = false, features = ["reqwest"] }
//! ```
//!
//! ```
//! # #[cfg(feature = "reqwest")] {
//! use std::sync::Arc;
//! use oidc_http::{HttpClient, ReqwestClient};
//!
//! // from_builder turns redirects off, as the trait requires.
//! let http: Arc<dyn HttpClient> =
//!     Arc::new(ReqwestClient::from_builder(reqwest::Client::builder())?);
//! // Then: DiscoveryOptions::default().with_http_client(http.clone()), and the same for
//! // RegisterOptions and ManagementOptions.
//! # drop(http);
//! # }
//! # Ok::<(), oidc_http::HttpError>(())
//! ```
//! This crate does not interpret responses (status codes, JSON, OAuth
//! errors), follow redirects, retry, cache, or stream bodies: every body is
//! buffered in memory.
//!
//! # Plugging in another backend
//!
//! Implement [`HttpClient`]; here a fake that answers every request from a
//! closure, as one might in tests:
//!
//! ```
//! use bytes::Bytes;
//! use http::{Request, Response, StatusCode};
//! use oidc_http::{BoxFuture, HttpClient, HttpError};
//!
//! struct FnClient<F>(F);
//!
//! impl<F> std::fmt::Debug for FnClient<F> {
//!     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
//!         f.write_str("FnClient")
//!     }
//! }
//!
//! impl<F> HttpClient for FnClient<F>
//! where
//!     F: Fn(Request<Bytes>) -> Response<Bytes> + Send + Sync,
//! {
//!     fn send(&self, request: Request<Bytes>) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
//!         let response = (self.0)(request);
//!         Box::pin(async move { Ok(response) })
//!     }
//! }
//!
//! let client: std::sync::Arc<dyn HttpClient> = std::sync::Arc::new(FnClient(|req: Request<Bytes>| {
//!     let mut response = Response::new(Bytes::from(format!("you asked for {}", req.uri().path())));
//!     *response.status_mut() = StatusCode::OK;
//!     response
//! }));
//!
//! let rt = tokio::runtime::Builder::new_current_thread().build()?;
//! let request = Request::get("https://op.example/.well-known/openid-configuration").body(Bytes::new())?;
//! let response = rt.block_on(client.send(request))?;
//! assert_eq!(response.body(), "you asked for /.well-known/openid-configuration");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Configuring the default client
//!
//! [`default_client`] is enough for most programs. To change a setting, build
//! a `HyperClient` once and share it:
//!
//! ```
//! # #[cfg(feature = "hyper-client")] {
//! use std::sync::Arc;
//! use std::time::Duration;
//! use oidc_http::{HttpClient, HyperClient};
//!
//! let client: Arc<dyn HttpClient> = Arc::new(
//!     HyperClient::builder()
//!         .timeout(Duration::from_secs(5))
//!         .max_response_bytes(256 * 1024)
//!         .build()?,
//! );
//! # drop(client);
//! # }
//! # Ok::<(), oidc_http::HttpError>(())
//! ```
//!
//! # Proxies
//!
//! The built-in client connects directly unless told otherwise:
//! `HyperClientBuilder::proxy_from_env` honours `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and
//! `NO_PROXY` (upper or lower case), `HyperClientBuilder::proxy` and `no_proxy` set one
//! explicitly. Every proxied connection, `https` or plain `http`, is an HTTP `CONNECT`
//! tunnel, so TLS stays end to end and the proxy sees no request or token.
//!
//! # TLS
//!
//! The default client verifies every server certificate (chain, validity period, host name);
//! nothing turns that off. It trusts Mozilla's roots (`webpki-roots`, compiled in) plus the
//! operating system's store (`rustls-native-certs`, read when the client is built), which
//! honours `SSL_CERT_FILE` and `SSL_CERT_DIR`: when either is set, the PEM certificates there
//! are read instead of the system's. `HyperClientBuilder` can trust more roots (a private
//! CA), trust only those, and present a client certificate for mutual TLS:
//!
//! ```
//! # #[cfg(feature = "hyper-client")] {
//! use oidc_http::{HttpErrorKind, HyperClient};
//!
//! // A PEM file that holds no certificate is refused at once, saying so.
//! let err = HyperClient::builder()
//!     .add_root_certificates_pem(b"-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n")
//!     .unwrap_err();
//! assert_eq!(err.kind(), HttpErrorKind::InvalidRequest);
//! assert_eq!(err.to_string(), "root certificates: no certificate in PEM");
//! # }
//! ```
//!
//! A failed handshake is an [`HttpErrorKind::Tls`] error whose
//! [`tls_failure`](HttpError::tls_failure) tells an untrusted, expired or misnamed server
//! certificate from a handshake cut short, no common protocol, a port that does not speak TLS,
//! or a server that wants (or refused) a client certificate: see [`TlsFailure`].

#![forbid(unsafe_code)]
#![deny(missing_docs)]
// Provider data must never panic library code: fallible access goes through `get`, `?` and
// iterators; the few `allow`s say which invariant makes them safe. Tests may still unwrap.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#![warn(missing_debug_implementations)]

mod call;
mod client;
mod error;
#[cfg(feature = "hyper-client")]
mod hyper_client;
mod loopback;
#[cfg(feature = "hyper-client")]
mod pem;
mod policy;
#[cfg(feature = "hyper-client")]
mod proxy;
#[cfg(feature = "reqwest")]
mod reqwest_client;
mod tls;
mod util;

pub use call::CallOptions;
pub use client::{
    default_client, BoxFuture, HttpClient, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT, DEFAULT_USER_AGENT,
};
pub use error::{HttpError, HttpErrorKind};
#[cfg(feature = "hyper-client")]
pub use hyper_client::{HyperClient, HyperClientBuilder};
pub use loopback::is_loopback_host;
pub use policy::{send, AllowedOrigin, PlainHttp};
#[cfg(feature = "reqwest")]
pub use reqwest_client::ReqwestClient;
pub use tls::TlsFailure;
pub use util::{body_excerpt, host_and_port, is_json_content_type, plain_origin_text, redact_url};
