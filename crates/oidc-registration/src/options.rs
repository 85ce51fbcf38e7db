use std::sync::Arc;
use std::time::Duration;

use oidc_http::{CallOptions, HttpClient, PlainHttp};
use oidc_types::Secret;

/// Which client-side checks run before a registration is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Validation {
    /// [`ClientMetadata::validate`](oidc_types::ClientMetadata::validate): the metadata's own
    /// rules (redirect URIs, key material, alg/enc pairs, grant and response types, …).
    #[default]
    Metadata,
    /// [`ClientMetadata::validate_for`](oidc_types::ClientMetadata::validate_for): also refuse
    /// values the provider's metadata says it does not support.
    AgainstProvider,
    /// No checks: the provider decides.
    Off,
}

/// Settings for one registration.
///
/// ```
/// use std::time::Duration;
/// use oidc_registration::{RegisterOptions, Validation};
///
/// let options = RegisterOptions::default()
///     .with_initial_access_token("token-from-the-provider-admin")
///     .with_timeout(Duration::from_secs(5))
///     .with_validation(Validation::AgainstProvider);
/// assert!(!format!("{options:?}").contains("token-from"));
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RegisterOptions {
    /// Sent as `Authorization: Bearer <token>` (RFC 7591 §3) when the provider requires an
    /// initial access token. Never printed.
    pub initial_access_token: Option<Secret>,
    /// The checks run before sending. Default: [`Validation::Metadata`].
    pub validation: Validation,
    /// The HTTP client, the per-call timeout and the https policy (by default plain http only
    /// to this machine, so an initial access token never crosses the network in clear text).
    pub call: CallOptions,
}

impl RegisterOptions {
    /// Sets where plain http may be used; see [`PlainHttp`].
    pub fn with_plain_http(mut self, plain_http: PlainHttp) -> Self {
        self.call.plain_http = plain_http;
        self
    }

    /// Sends `token` as the initial access token.
    pub fn with_initial_access_token(mut self, token: impl Into<Secret>) -> Self {
        self.initial_access_token = Some(token.into());
        self
    }

    /// Limits this call to `timeout`.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.call.timeout = Some(timeout);
        self
    }

    /// Chooses the checks run before sending.
    pub fn with_validation(mut self, validation: Validation) -> Self {
        self.validation = validation;
        self
    }

    /// Uses `client` instead of the shared default client.
    pub fn with_http_client(mut self, client: Arc<dyn HttpClient>) -> Self {
        self.call.http_client = Some(client);
        self
    }
}
