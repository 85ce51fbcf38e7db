//! The pluggable HTTP client trait.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

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
