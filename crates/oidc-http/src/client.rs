//! The pluggable HTTP client trait.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};

use crate::HttpError;

/// A boxed, `Send` future, as returned by [`HttpClient::send`].
///
/// Boxing keeps [`HttpClient`] object safe, so callers can hold an
/// `Arc<dyn HttpClient>` and swap backends at runtime.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Sends one HTTP request and returns the complete response.
///
/// Implementations receive a fully built request with an absolute URI and
/// must return the whole response body in memory. They must not follow
/// redirects: a `3xx` response is returned to the caller as-is, because
/// OpenID Connect endpoints must not be silently moved to another origin.
///
/// The trait is object safe and is normally used as `Arc<dyn HttpClient>`;
/// it is also implemented for `&T`, `Box<T>` and `Arc<T>`.
pub trait HttpClient: Send + Sync + std::fmt::Debug {
    /// Sends `request` and resolves to the response, or to an [`HttpError`]
    /// if no complete response could be obtained.
    ///
    /// A non-success status code is not an error at this level.
    fn send(&self, request: Request<Bytes>) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>>;
}

impl<T: HttpClient + ?Sized> HttpClient for &T {
    fn send(&self, request: Request<Bytes>) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        (**self).send(request)
    }
}

impl<T: HttpClient + ?Sized> HttpClient for Box<T> {
    fn send(&self, request: Request<Bytes>) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        (**self).send(request)
    }
}

impl<T: HttpClient + ?Sized> HttpClient for Arc<T> {
    fn send(&self, request: Request<Bytes>) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        (**self).send(request)
    }
}

/// Default limit for a whole request, from sending it to reading the last
/// byte of the response body.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Default limit for establishing the TCP connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Default limit for the size of a response body (1 MiB). Discovery
/// documents, JWK sets and registration responses are far smaller.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 1_048_576;

/// The `User-Agent` sent when a request does not set one.
pub const DEFAULT_USER_AGENT: &str = concat!("oidc-rs/", env!("CARGO_PKG_VERSION"));

/// The shared client behind [`default_client`].
static DEFAULT_CLIENT: OnceLock<Arc<dyn HttpClient>> = OnceLock::new();

/// The client the library uses when the options name none: a process-wide
/// `HyperClient` with default settings, built on first use.
///
/// Every call returns the same client, so all callers share one connection
/// pool. Should building it fail (no crypto provider, see the crate docs), the
/// returned client reports that error from every [`send`](HttpClient::send)
/// instead of panicking. Without the `hyper-client` feature there is no built-in
/// client, and the one returned refuses every request with
/// [`HttpErrorKind::InvalidRequest`](crate::HttpErrorKind::InvalidRequest), saying
/// to pass a client (such as a `ReqwestClient`) in the options.
pub fn default_client() -> Arc<dyn HttpClient> {
    DEFAULT_CLIENT.get_or_init(build_default_client).clone()
}

#[cfg(feature = "hyper-client")]
fn build_default_client() -> Arc<dyn HttpClient> {
    match crate::HyperClient::new() {
        Ok(client) => Arc::new(client),
        Err(err) => Arc::new(FailedClient {
            kind: err.kind(),
            message: err.to_string(),
        }),
    }
}

#[cfg(not(feature = "hyper-client"))]
fn build_default_client() -> Arc<dyn HttpClient> {
    Arc::new(FailedClient {
        kind: crate::HttpErrorKind::InvalidRequest,
        message: "oidc-http was built without its `hyper-client` feature: pass an http client \
                  in the options"
            .to_owned(),
    })
}

/// Stands in for a default client that could not be built.
#[derive(Debug)]
struct FailedClient {
    kind: crate::HttpErrorKind,
    message: String,
}

impl HttpClient for FailedClient {
    fn send(&self, _request: Request<Bytes>) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        let err = HttpError::new(
            self.kind,
            format!("default http client is unavailable: {}", self.message),
        );
        Box::pin(async move { Err(err) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HttpErrorKind;

    #[tokio::test]
    async fn failed_default_client_reports_its_error() {
        let client = FailedClient {
            kind: HttpErrorKind::Tls,
            message: "failed to configure tls".into(),
        };
        let err = client.send(Request::new(Bytes::new())).await.unwrap_err();
        assert_eq!(err.kind(), HttpErrorKind::Tls);
        assert_eq!(
            err.to_string(),
            "default http client is unavailable: failed to configure tls"
        );
    }

    #[cfg(not(feature = "hyper-client"))]
    #[tokio::test]
    async fn without_the_built_in_client_the_default_refuses_and_says_why() {
        let request = Request::get("https://op.example/")
            .body(Bytes::new())
            .unwrap();
        let err = default_client().send(request).await.unwrap_err();
        assert_eq!(err.kind(), HttpErrorKind::InvalidRequest);
        assert!(err.to_string().contains("`hyper-client` feature"), "{err}");
    }
}
