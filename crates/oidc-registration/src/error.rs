use http::StatusCode;
use oidc_http::HttpError;
use oidc_telemetry::TelemetryErrorKind;
use oidc_types::{ClientIdMismatch, OAuthError, RegistrationResponseError, ValidationErrors};

/// Why a registration failed.
///
/// Variants fall in three groups: the caller's input (`NotSupported`, `InvalidMetadata`,
/// `UnsendableMetadata`, `InvalidEndpoint`, `InvalidAccessToken`, `NotManageable`; nothing was
/// sent), the provider's refusal (`Provider`, `TokenRejected`, `NotPermitted`,
/// `MethodNotAllowed`, `ClientNotFound`), and a broken exchange (`Http`, `UnexpectedStatus`,
/// `UnexpectedContentType`, `InvalidJson`, `InvalidResponse`, `ClientIdChanged`).
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
    /// The registered client has no `registration_client_uri` or no
    /// `registration_access_token`: the provider does not offer management (RFC 7592) for it.
    /// Nothing was sent.
    #[error("client {client_id:?} cannot be managed: the provider gave no {missing}")]
    NotManageable {
        /// The client.
        client_id: String,
        /// The missing member.
        missing: &'static str,
    },
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
    /// The Bearer token was refused: the initial access token of a registration, or the
    /// registration access token of a management call (which is also what providers answer for
    /// a client that no longer exists, RFC 7592 §2). Any 401, and any `invalid_token` error
    /// whatever its status (some providers send 400).
    #[error("provider rejected the access token ({status}){}", describe(error.as_ref()))]
    TokenRejected {
        /// The HTTP status.
        status: StatusCode,
        /// The OAuth error, from the body or `WWW-Authenticate`, when there was one.
        error: Option<OAuthError>,
        /// The start of the body.
        body: String,
    },
    /// 403: the token is valid but the provider does not permit this operation (RFC 7592 §2).
    #[error("provider does not permit this operation ({status}){}", describe(error.as_ref()))]
    NotPermitted {
        /// The HTTP status.
        status: StatusCode,
        /// The OAuth error, when there was one.
        error: Option<OAuthError>,
        /// The start of the body.
        body: String,
    },
    /// 405: the provider does not support this method on the client configuration endpoint,
    /// typically DELETE (RFC 7592 §2.3).
    #[error("provider does not support {method} on the client configuration endpoint")]
    MethodNotAllowed {
        /// The method refused.
        method: http::Method,
    },
    /// 404 from the client configuration endpoint. RFC 7592 says providers answer 401 for an
    /// unknown client, but some send 404.
    #[error("provider does not know the client (404)")]
    ClientNotFound {
        /// The start of the body.
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

    /// A management response named another client. The held client was left unchanged.
    #[error(transparent)]
    ClientIdChanged(#[from] ClientIdMismatch),
}

fn describe(error: Option<&OAuthError>) -> String {
    error.map(|error| format!(": {error}")).unwrap_or_default()
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
            Self::TokenRejected { error, .. } | Self::NotPermitted { error, .. } => error.as_ref(),
            _ => None,
        }
    }

    /// The HTTP status of the provider's answer, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Provider { status, .. }
            | Self::TokenRejected { status, .. }
            | Self::NotPermitted { status, .. }
            | Self::UnexpectedStatus { status, .. }
            | Self::UnexpectedContentType { status, .. } => Some(*status),
            Self::MethodNotAllowed { .. } => Some(StatusCode::METHOD_NOT_ALLOWED),
            Self::ClientNotFound { .. } => Some(StatusCode::NOT_FOUND),
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
            Self::NotManageable { .. } => "not_manageable",
            Self::TokenRejected { .. } => "token_rejected",
            Self::NotPermitted { .. } => "not_permitted",
            Self::MethodNotAllowed { .. } => "method_not_allowed",
            Self::ClientNotFound { .. } => "client_not_found",
            Self::ClientIdChanged(_) => "client_id_changed",
            Self::Http(error) => error.kind().as_str(),
            Self::Provider { .. } => "provider_error",
            Self::UnexpectedStatus { .. } => "unexpected_status",
            Self::UnexpectedContentType { .. } => "unexpected_content_type",
            Self::InvalidJson { .. } => "invalid_json",
            Self::InvalidResponse(_) => "invalid_response",
        }
    }
}
