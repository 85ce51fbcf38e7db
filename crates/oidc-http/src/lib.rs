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

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

mod client;
mod error;
mod hyper_client;
mod loopback;
mod policy;
mod util;

pub use client::{BoxFuture, HttpClient};
pub use error::{HttpError, HttpErrorKind};
pub use hyper_client::{
    default_client, HyperClient, HyperClientBuilder, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, DEFAULT_USER_AGENT,
};
pub use loopback::is_loopback_host;
pub use policy::{send, PlainHttp};
pub use util::{body_excerpt, is_json_content_type, redact_url};
