use std::sync::Arc;
use std::time::Duration;

use oidc_http::HttpClient;

use crate::ExpiryPolicy;

/// Settings for [`load_configuration`](crate::load_configuration) and
/// [`load_jwks`](crate::load_jwks).
///
/// The default uses the process-wide shared HTTP client (one connection pool for every call),
/// that client's own timeouts, and the default [`ExpiryPolicy`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct DiscoveryOptions {
    /// The HTTP client to use; `None` means [`oidc_http::default_client`].
    pub http_client: Option<Arc<dyn HttpClient>>,
    /// A limit for this one call, on top of the client's own timeouts.
    pub timeout: Option<Duration>,
    /// How long a loaded document may be kept.
    pub expiry: ExpiryPolicy,
}

impl DiscoveryOptions {
    /// Uses `client` instead of the shared default client.
    pub fn with_http_client(mut self, client: Arc<dyn HttpClient>) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Limits this call to `timeout`.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Uses `policy` to compute expiries.
    pub fn with_expiry(mut self, policy: ExpiryPolicy) -> Self {
        self.expiry = policy;
        self
    }

    pub(crate) fn client(&self) -> Arc<dyn HttpClient> {
        self.http_client
            .clone()
            .unwrap_or_else(oidc_http::default_client)
    }
}
