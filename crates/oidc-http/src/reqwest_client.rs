//! [`ReqwestClient`]: the [`HttpClient`] trait over a `reqwest::Client`.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::{Request, Response};

use crate::client::{DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT};
use crate::error::{cut_short, root_cause, tls_failure_in};
use crate::util::timed_out;
use crate::{BoxFuture, HttpClient, HttpError, HttpErrorKind, TlsFailure};

/// An [`HttpClient`] that sends through a [`reqwest::Client`] the program already has, with
/// its proxy, trust roots, TLS backend and connection pool, and the guarantees of the built-in
/// client on top:
///
/// - **a response-size limit enforced while reading**: a body announced larger than
///   [`max_response_bytes`](Self::max_response_bytes) is refused before it is read, and any
///   other is read chunk by chunk and dropped as soon as it passes the limit
///   ([`HttpErrorKind::BodyTooLarge`]);
/// - **a whole-request timeout** ([`timeout`](Self::timeout), from sending to the last body
///   byte; [`HttpErrorKind::Timeout`]), on top of the reqwest client's own;
/// - **no redirect followed**, see below;
/// - **the same error kinds** as the built-in client: connect, TLS (with a
///   [`TlsFailure`] when reqwest runs on rustls), timeout, body too large, protocol.
///
/// The https policy ([`PlainHttp`](crate::PlainHttp)) and the per-call timeout of the
/// options are above the trait, in [`send`](crate::send), so they hold here as for any
/// backend.
///
/// # Redirects
///
/// reqwest follows up to ten redirects by default; an OpenID Connect client must not (a
/// provider's endpoints must not silently move to another origin, and a redirected POST would
/// carry a registration elsewhere). So:
///
/// - [`from_builder`](Self::from_builder) builds the client itself with
///   `redirect::Policy::none()`: a `3xx` comes back as it is, as with the built-in client;
/// - a client built elsewhere, given to [`new`](Self::new), **must** have been built with
///   [`reqwest::redirect::Policy::none()`]: that is the caller's promise, not checked.
///   reqwest offers no way to read a client's redirect policy, and (as of reqwest 0.13.5)
///   the final URL of a response does not change when a redirect was followed, so a followed
///   redirect cannot be detected afterwards either. Prefer [`from_builder`](Self::from_builder),
///   which guarantees it; a builder carries the same proxy, root and pool settings.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use oidc_http::{HttpClient, ReqwestClient};
///
/// // The service's own reqwest settings, plus the one this backend needs.
/// let builder = reqwest::Client::builder().pool_max_idle_per_host(4);
/// let client: Arc<dyn HttpClient> = Arc::new(
///     ReqwestClient::from_builder(builder)?
///         .timeout(Duration::from_secs(10))
///         .max_response_bytes(256 * 1024),
/// );
/// # drop(client);
/// # Ok::<(), oidc_http::HttpError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ReqwestClient {
    client: reqwest::Client,
    timeout: Duration,
    max_response_bytes: usize,
}

impl ReqwestClient {
    /// Wraps `client`, which must have been built with
    /// [`reqwest::redirect::Policy::none()`] (not checked: see [Redirects](Self#redirects)),
    /// with the
    /// default limits: [`DEFAULT_TIMEOUT`] (30 s) and [`DEFAULT_MAX_RESPONSE_BYTES`] (1 MiB).
    pub fn new(client: reqwest::Client) -> Self {
        Self {
            client,
            timeout: DEFAULT_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    /// Builds the client from `builder` with redirects turned off
    /// ([`reqwest::redirect::Policy::none()`], replacing any policy set on it), and wraps it
    /// as [`new`](Self::new) does.
    ///
    /// # Errors
    ///
    /// [`HttpErrorKind::InvalidRequest`] when reqwest cannot build the client (for instance,
    /// no TLS backend or crypto provider it can use).
    pub fn from_builder(builder: reqwest::ClientBuilder) -> Result<Self, HttpError> {
        let client = builder
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                HttpError::new(
                    HttpErrorKind::InvalidRequest,
                    format!("cannot build the reqwest client: {}", root_cause(&e)),
                )
                .with_source(e)
            })?;
        Ok(Self::new(client))
    }

    /// Limit for the whole request, from sending it to the last byte of the body. Default
    /// [`DEFAULT_TIMEOUT`] (30 s). The reqwest client's own timeouts apply too.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Largest response body accepted, in bytes. Default [`DEFAULT_MAX_RESPONSE_BYTES`]
    /// (1 MiB).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// The wrapped reqwest client.
    pub fn inner(&self) -> &reqwest::Client {
        &self.client
    }

    async fn execute(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        // Only "an absolute http(s) URL": the https policy is applied above the trait.
        crate::PlainHttp::Anywhere.check(request.uri())?;
        match tokio::time::timeout(self.timeout, self.round_trip(request)).await {
            Ok(result) => result,
            Err(_elapsed) => Err(timed_out(self.timeout)),
        }
    }

    async fn round_trip(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let https = request.uri().scheme() == Some(&http::uri::Scheme::HTTPS);
        let request = reqwest::Request::try_from(request).map_err(|e| {
            HttpError::new(HttpErrorKind::InvalidRequest, "request cannot be sent")
                .with_source(e.without_url())
        })?;
        let mut response = self
            .client
            .execute(request)
            .await
            .map_err(|e| transport_error(e, https))?;
        let limit = self.max_response_bytes;
        let too_large = || crate::util::too_large(limit);
        let announced = response.content_length().unwrap_or(0);
        if usize::try_from(announced).map_or(true, |n| n > limit) {
            return Err(too_large());
        }
        let mut builder = Response::builder()
            .status(response.status())
            .version(response.version());
        if let Some(headers) = builder.headers_mut() {
            *headers = std::mem::take(response.headers_mut());
        }
        let mut body = BytesMut::with_capacity(usize::try_from(announced).unwrap_or(0));
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| transport_error(e, https))?
        {
            if chunk.len() > limit - body.len() {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        builder.body(body.freeze()).map_err(|e| {
            HttpError::new(HttpErrorKind::Other, "cannot rebuild the response").with_source(e)
        })
    }
}

impl HttpClient for ReqwestClient {
    fn send(&self, request: Request<Bytes>) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        Box::pin(self.execute(request))
    }
}

/// Maps a reqwest error to the built-in client's kinds. The URL reqwest keeps in its errors
/// (query string included) is dropped first.
fn transport_error(err: reqwest::Error, https: bool) -> HttpError {
    let err = err.without_url();
    let tls_failure = tls_failure_in(&err);
    let (kind, tls_failure, context) = if let Some(failure) = tls_failure {
        (HttpErrorKind::Tls, Some(failure), "tls handshake failed")
    } else if err.is_timeout() {
        (HttpErrorKind::Timeout, None, "request timed out")
    } else if err.is_connect() {
        if cut_short(&err) && https {
            (
                HttpErrorKind::Tls,
                Some(TlsFailure::HandshakeCutShort),
                "tls handshake failed",
            )
        } else {
            (HttpErrorKind::Connect, None, "connection failed")
        }
    } else if err.is_builder() {
        (
            HttpErrorKind::InvalidRequest,
            None,
            "request cannot be sent",
        )
    } else if err.is_body() || err.is_decode() || err.is_request() {
        (HttpErrorKind::Protocol, None, "http protocol error")
    } else {
        (HttpErrorKind::Other, None, "request failed")
    };
    let cause = root_cause(&err);
    // The message says the deepest cause: reqwest's error is not kept as the `source()`, so a
    // chain printer shows it once.
    let error = HttpError::new(kind, format!("{context}: {cause}"));
    match tls_failure {
        Some(failure) => error.with_tls_failure(failure),
        None => error,
    }
}
