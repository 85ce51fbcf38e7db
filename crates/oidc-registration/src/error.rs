use http::StatusCode;
use oidc_http::HttpError;
use oidc_telemetry::TelemetryErrorKind;
use oidc_types::{OAuthError, RegistrationResponseError, ValidationErrors};

/// Why a registration failed.
///
/// Variants fall in three groups: the caller's input (`NotSupported`, `InvalidMetadata`,
/// `UnsendableMetadata`, `InvalidEndpoint`, `InvalidAccessToken`; nothing was sent, or the
/// endpoint could not be used), the provider's refusal (`Provider`), and a broken exchange
/// (`Http`, `UnexpectedStatus`, `UnexpectedContentType`, `InvalidJson`, `InvalidResponse`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistrationError {
    /// The provider publishes no `registration_endpoint`: it does not offer dynamic
    /// registration. Nothing was sent and no telemetry was emitted.
    #[error("provider {issuer:?} does not support dynamic client registration (no registration_endpoint)")]
    NotSupported {
        /// The provider's issuer.
        issuer: String,
    },
    /// Client-side validation found problems; nothing was sent. Turn validation off with
    /// [`RegisterOptions::validation`](crate::RegisterOptions::validation) to let the provider
    /// decide instead.
    #[error(transparent)]
    InvalidMetadata(#[from] ValidationErrors),
    /// The metadata cannot be serialized: an extra field shadows a known one, or `jwks` holds
    /// private or symmetric key material. Nothing was sent.
    #[error("client metadata cannot be sent: {source}")]
    UnsendableMetadata {
        /// The serialization error, naming the field or key.
        #[source]
        source: serde_json::Error,
    },
    /// The endpoint URL is unusable (not an absolute http(s) URL).
    #[error("invalid endpoint {url:?}: {reason}")]
    InvalidEndpoint {
        /// The URL, without query.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The access token contains characters that cannot go into an HTTP header. The token
    /// itself is not shown.
    #[error("the access token cannot be sent in an Authorization header (it contains invalid characters)")]
    InvalidAccessToken,
    /// The request could not be completed: connect, TLS, timeout, or a response over the size
    /// limit.
    #[error("registration request failed: {0}")]
    Http(#[source] HttpError),
    /// The provider refused with an OAuth error (RFC 7591 §3.2.2), such as
    /// `invalid_redirect_uri`, `invalid_client_metadata` or, for a bad initial access token,
    /// `invalid_token` (read from the body, or from `WWW-Authenticate` when the body has none).
    #[error("provider refused the registration ({status}): {error}")]
    Provider {
        /// The error code and description.
        error: OAuthError,
        /// The HTTP status.
        status: StatusCode,
        /// The raw response body.
        body: String,
    },
    /// The provider answered with a status that is neither success nor a readable OAuth error.
    #[error("provider answered with unexpected status {status}")]
    UnexpectedStatus {
        /// The HTTP status.
        status: StatusCode,
        /// The start of the body for error statuses; empty for 2xx (it could hold credentials).
        body: String,
    },
    /// A success status, but not a JSON body (for example a signed `application/jwt` response).
    #[error(
        "provider answered {status} with content type {content_type:?}, expected application/json"
    )]
    UnexpectedContentType {
        /// The HTTP status.
        status: StatusCode,
        /// The `Content-Type` received, if any.
        content_type: Option<String>,
    },
    /// A success status with a body that is not valid JSON.
    #[error("registration response is not valid JSON: {source}")]
    InvalidJson {
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// A JSON success response that is not a usable registration: no `client_id`, a `client_id`
    /// that is not a string, a credential of the wrong type.
    #[error(transparent)]
    InvalidResponse(RegistrationResponseError),
}

impl From<RegistrationResponseError> for RegistrationError {
    fn from(error: RegistrationResponseError) -> Self {
        match error {
            RegistrationResponseError::InvalidJson { source } => Self::InvalidJson { source },
            other => Self::InvalidResponse(other),
        }
    }
}

impl RegistrationError {
    /// The provider's OAuth error, when it sent one.
    pub fn oauth_error(&self) -> Option<&OAuthError> {
        match self {
            Self::Provider { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The HTTP status of the provider's answer, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Provider { status, .. }
            | Self::UnexpectedStatus { status, .. }
            | Self::UnexpectedContentType { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl TelemetryErrorKind for RegistrationError {
    fn telemetry_kind(&self) -> &'static str {
        match self {
            Self::NotSupported { .. } => "not_supported",
            Self::InvalidMetadata(_) => "invalid_metadata",
            Self::UnsendableMetadata { .. } => "unsendable_metadata",
            Self::InvalidEndpoint { .. } => "invalid_endpoint",
            Self::InvalidAccessToken => "invalid_access_token",
            Self::Http(error) => error.kind().as_str(),
            Self::Provider { .. } => "provider_error",
            Self::UnexpectedStatus { .. } => "unexpected_status",
            Self::UnexpectedContentType { .. } => "unexpected_content_type",
            Self::InvalidJson { .. } => "invalid_json",
            Self::InvalidResponse(_) => "invalid_response",
        }
    }
}
