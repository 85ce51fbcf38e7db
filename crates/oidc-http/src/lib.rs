//! A small, object-safe HTTP client abstraction for the OpenID Connect
//! crates, built on the [`http`] crate's request and response types, plus a
//! production-ready default implementation, [`HyperClient`] (hyper, rustls
//! with the ring provider, HTTP/1.1 and HTTP/2, connection pooling, a
//! whole-request timeout, a response size limit and `https`-only URLs except
//! for loopback hosts). Discovery and registration only ever see the
//! [`HttpClient`] trait and [`HttpError`], so any backend can be plugged in.
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
//! a [`HyperClient`] once and share it:
//!
//! ```
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
//! # Ok::<(), oidc_http::HttpError>(())
//! ```
//!
//! # TLS
//!
//! The default client verifies every server certificate (chain, validity period, host name);
//! nothing turns that off. It trusts Mozilla's roots (`webpki-roots`, compiled in) plus the
//! operating system's store (`rustls-native-certs`, read when the client is built), which
//! honours `SSL_CERT_FILE` and `SSL_CERT_DIR`: when either is set, the PEM certificates there
//! are read instead of the system's. [`HyperClientBuilder`] can trust more roots (a private
//! CA), trust only those, and present a client certificate for mutual TLS:
//!
//! ```
//! use oidc_http::{HttpErrorKind, HyperClient};
//!
//! // A PEM file that holds no certificate is refused at once, saying so.
//! let err = HyperClient::builder()
//!     .add_root_certificates_pem(b"-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n")
//!     .unwrap_err();
//! assert_eq!(err.kind(), HttpErrorKind::InvalidRequest);
//! assert_eq!(err.to_string(), "root certificates: no certificate in PEM");
//! ```
//!
//! A failed handshake is an [`HttpErrorKind::Tls`] error whose
//! [`tls_failure`](HttpError::tls_failure) tells an untrusted, expired or misnamed server
//! certificate from a handshake cut short, no common protocol, a port that does not speak TLS,
//! or a server that wants (or refused) a client certificate: see [`TlsFailure`].

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

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

pub use client::{
    default_client, BoxFuture, HttpClient, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT, DEFAULT_USER_AGENT,
};
pub use error::{HttpError, HttpErrorKind};
#[cfg(feature = "hyper-client")]
pub use hyper_client::{HyperClient, HyperClientBuilder};
pub use loopback::is_loopback_host;
pub use policy::{send, PlainHttp};
#[cfg(feature = "reqwest")]
pub use reqwest_client::ReqwestClient;
pub use tls::TlsFailure;
pub use util::{body_excerpt, is_json_content_type, redact_url};
