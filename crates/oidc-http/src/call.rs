//! What every call of the library takes, in one type: the HTTP client, a per-call timeout and
//! the https policy.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};

use crate::{default_client, HttpClient, HttpError, PlainHttp};

/// The transport settings shared by every options type of the `oidc-*` crates
/// (`DiscoveryOptions`, `RegisterOptions`, `ManagementOptions` each hold one as `call`, with
/// the same `with_http_client` / `with_timeout` / `with_plain_http` setters).
///
/// ```
/// use std::time::Duration;
/// use oidc_http::{CallOptions, PlainHttp};
///
/// let call = CallOptions::default()
///     .with_timeout(Duration::from_secs(5))
///     .with_plain_http(PlainHttp::LoopbackOnly);
/// assert_eq!(call.timeout, Some(Duration::from_secs(5)));
/// ```
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct CallOptions {
    /// The HTTP client; `None` means [`default_client`], shared by every call.
    pub http_client: Option<Arc<dyn HttpClient>>,
    /// A limit for the call, on top of the HTTP client's own timeouts, enforced whatever the
    /// client.
    pub timeout: Option<Duration>,
    /// Where plain http may be used: the workspace's one https policy, checked before anything
    /// is sent, whatever the client.
    pub plain_http: PlainHttp,
}

impl fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallOptions")
            .field(
                "http_client",
                &self.http_client.as_ref().map(|_| "<custom>"),
            )
            .field("timeout", &self.timeout)
            .field("plain_http", &self.plain_http)
            .finish()
    }
}

impl CallOptions {
    /// Uses `client` instead of the shared default client.
    pub fn with_http_client(mut self, client: Arc<dyn HttpClient>) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Limits the call to `timeout`.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets where plain http may be used; see [`PlainHttp`].
    pub fn with_plain_http(mut self, plain_http: PlainHttp) -> Self {
        self.plain_http = plain_http;
        self
    }

    /// The client to use: [`http_client`](Self::http_client), or the default.
    pub fn client(&self) -> Arc<dyn HttpClient> {
        self.http_client.clone().unwrap_or_else(default_client)
    }

    /// Sends `request` through [`send`](crate::send) with these settings: the https policy,
    /// then the timeout.
    ///
    /// # Errors
    ///
    /// As [`send`](crate::send).
    pub async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        crate::send(
            self.client().as_ref(),
            request,
            self.timeout,
            self.plain_http,
        )
        .await
    }
}
