use std::fmt;

use http::StatusCode;
use oidc_http::HttpError;
use oidc_telemetry::TelemetryErrorKind;
use oidc_types::{
    ClientIdMismatch, ErrorCategory, OAuthError, RawBody, RegistrationResponseError,
    ValidationErrors,
};

/// The operation a [`RegistrationError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RegistrationOperation {
    /// [`register`](crate::register): RFC 7591 §3, OIDC DCR §3.
    Register,
    /// [`read_client`](crate::read_client): RFC 7592 §2.1.
    Read,
    /// [`update_client`](crate::update_client) or [`replace_client`](crate::replace_client):
    /// RFC 7592 §2.2.
    Update,
    /// [`delete_client`](crate::delete_client): RFC 7592 §2.3.
    Delete,
}

impl RegistrationOperation {
    /// What the operation does, as the start of a message: `registering the client`,
    /// `reading the registration`, `updating the registration`, `deleting the registration`.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Register => "registering the client",
            Self::Read => "reading the registration",
            Self::Update => "updating the registration",
            Self::Delete => "deleting the registration",
        }
    }
}

impl fmt::Display for RegistrationOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// Why a registration or management call failed: the operation, and what went wrong.
///
/// [`category`](Self::category) says whose problem it is (the caller's input, the provider's
/// refusal, the transport, or an answer that cannot be used); [`kind`](Self::kind) says
/// exactly what happened. `Display` names the operation:
///
/// ```
/// use oidc_registration::{RegistrationError, RegistrationErrorKind, RegistrationOperation};
/// use oidc_types::ErrorCategory;
///
/// let error = RegistrationError::new(
///     RegistrationOperation::Read,
///     RegistrationErrorKind::ClientNotFound { body: String::new() },
/// );
/// assert_eq!(error.category(), ErrorCategory::Refused);
/// assert_eq!(error.to_string(), "reading the registration failed: the provider does not know the client (404)");
/// ```
///
/// No error holds a secret in its message; bodies kept for recovery
/// ([`response_body`](Self::response_body)) are shown by neither `Display` nor `Debug`.
#[derive(Debug)]
pub struct RegistrationError {
    operation: RegistrationOperation,
    kind: Box<RegistrationErrorKind>,
}

/// What went wrong, in detail; see [`RegistrationError::kind`].
///
/// By [category](RegistrationError::category): the caller's input (`InvalidMetadata`,
/// `UnsendableMetadata`, and for a registration `InvalidAccessToken`; nothing was sent), the
/// provider's refusal (`NotSupported`, `NotManageable`, `Provider`, `TokenRejected`,
/// `NotPermitted`, `MethodNotAllowed`, `ClientNotFound`), the transport (`Http`), and an answer
/// or a provider-given URL that cannot be used (`UnexpectedStatus`, `InvalidResponse`,
/// `ClientIdChanged`, `InvalidEndpoint`, and for a management call `InvalidAccessToken`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistrationErrorKind {
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
    #[error("the client metadata cannot be sent")]
    UnsendableMetadata {
        /// The serialization error, naming the field or key.
        #[source]
        source: serde_json::Error,
    },
    /// The endpoint URL is unusable (not an absolute http(s) URL, or plain http off this
    /// machine for a URL that would carry a token).
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
    /// The `registration_client_uri` is on an origin other than the registration endpoint's and
    /// the issuer's (or is not a URL), and
    /// [`ManagementOptions::allow_foreign_registration_client_uri`](crate::ManagementOptions::allow_foreign_registration_client_uri)
    /// is off: the registration access token was not sent.
    #[error("the registration access token is not sent to {uri}: {reason}")]
    RegistrationClientUriRefused {
        /// The URI, without query.
        uri: String,
        /// Why, naming the origins on both sides.
        reason: String,
    },
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
    #[error("the HTTP exchange{} did not complete", with_url(.0))]
    Http(#[source] HttpError),
    /// The provider refused with an OAuth error (RFC 7591 §3.2.2), such as
    /// `invalid_redirect_uri`, `invalid_client_metadata` or, for a bad initial access token,
    /// `invalid_token` (read from the body, or from `WWW-Authenticate` when the body has none).
    #[error("the provider refused ({status}): {error}")]
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
    #[error("the provider rejected the access token ({status}){}", describe(error.as_ref()))]
    TokenRejected {
        /// The HTTP status.
        status: StatusCode,
        /// The OAuth error, from the body or `WWW-Authenticate`, when there was one.
        error: Option<OAuthError>,
        /// The start of the body.
        body: String,
    },
    /// 403: the token is valid but the provider does not permit this operation (RFC 7592 §2).
    #[error("the provider does not permit this operation ({status}){}", describe(error.as_ref()))]
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
    #[error("the provider does not support {method} on the client configuration endpoint")]
    MethodNotAllowed {
        /// The method refused.
        method: http::Method,
    },
    /// 404 from the client configuration endpoint. RFC 7592 says providers answer 401 for an
    /// unknown client, but some send 404.
    #[error("the provider does not know the client (404)")]
    ClientNotFound {
        /// The start of the body.
        body: String,
    },
    /// The provider answered with a status that is neither success nor a readable OAuth error
    /// (a redirect, an HTML error page, …).
    #[error("the provider answered with unexpected status {status}")]
    UnexpectedStatus {
        /// The HTTP status.
        status: StatusCode,
        /// The start of the body.
        body: String,
    },
    /// A success status with a body that cannot be used: not a JSON object, or (for a
    /// registration) without a usable `client_id`. The provider may have acted all the same:
    /// the body is kept, see [`RegistrationError::response_body`].
    #[error("the provider answered {status} with a body that cannot be used")]
    InvalidResponse {
        /// The HTTP status.
        status: StatusCode,
        /// What is wrong with the body; it holds the body.
        #[source]
        source: RegistrationResponseError,
    },
    /// A management answer named another client. The held client was left unchanged.
    #[error(transparent)]
    ClientIdChanged(#[from] ClientIdMismatch),
}

fn describe(error: Option<&OAuthError>) -> String {
    error.map(|error| format!(": {error}")).unwrap_or_default()
}

impl RegistrationError {
    /// An error of `kind` during `operation`.
    pub fn new(operation: RegistrationOperation, kind: RegistrationErrorKind) -> Self {
        Self {
            operation,
            kind: Box::new(kind),
        }
    }

    /// The operation that failed.
    pub fn operation(&self) -> RegistrationOperation {
        self.operation
    }

    /// What went wrong.
    pub fn kind(&self) -> &RegistrationErrorKind {
        &self.kind
    }

    /// What went wrong, by value.
    pub fn into_kind(self) -> RegistrationErrorKind {
        *self.kind
    }

    /// Whose problem it is; see [`ErrorCategory`].
    pub fn category(&self) -> ErrorCategory {
        use RegistrationErrorKind as K;
        match &*self.kind {
            K::InvalidMetadata(_) | K::UnsendableMetadata { .. } => ErrorCategory::Caller,
            // The initial access token is the caller's; a registration access token came from
            // the provider.
            K::InvalidAccessToken if self.operation == RegistrationOperation::Register => {
                ErrorCategory::Caller
            }
            K::InvalidAccessToken => ErrorCategory::Protocol,
            K::NotSupported { .. }
            | K::NotManageable { .. }
            | K::Provider { .. }
            | K::TokenRejected { .. }
            | K::NotPermitted { .. }
            | K::MethodNotAllowed { .. }
            | K::ClientNotFound { .. } => ErrorCategory::Refused,
            K::Http(error) if error.kind().is_transport() => ErrorCategory::Transport,
            // A URL the library would not send to, or could not build a request for: it came
            // from the provider's documents.
            K::Http(_) => ErrorCategory::Protocol,
            K::InvalidEndpoint { .. }
            | K::RegistrationClientUriRefused { .. }
            | K::UnexpectedStatus { .. }
            | K::InvalidResponse { .. }
            | K::ClientIdChanged(_) => ErrorCategory::Protocol,
        }
    }

    /// Whether the error is the caller's metadata failing validation or serialization
    /// (nothing was sent): the one caller mistake that is about the metadata rather than the
    /// call.
    pub fn is_invalid_metadata(&self) -> bool {
        matches!(
            &*self.kind,
            RegistrationErrorKind::InvalidMetadata(_)
                | RegistrationErrorKind::UnsendableMetadata { .. }
        )
    }

    /// The provider's OAuth error, when it sent one.
    pub fn oauth_error(&self) -> Option<&OAuthError> {
        self.kind.oauth_error()
    }

    /// The HTTP status of the provider's answer, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        self.kind.status()
    }

    /// The whole body of a success answer that could not be used
    /// ([`InvalidResponse`](RegistrationErrorKind::InvalidResponse)): the provider may have
    /// registered the client or rotated its credentials all the same, and this is the only
    /// record of them. It may contain secrets.
    pub fn response_body(&self) -> Option<&RawBody> {
        match &*self.kind {
            RegistrationErrorKind::InvalidResponse { source, .. } => Some(source.body()),
            _ => None,
        }
    }
}

impl fmt::Display for RegistrationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed: {}", self.operation, self.kind)
    }
}

/// `Display` already says what the kind says, so the chain goes on with the kind's own cause
/// (an [`HttpError`], a serialization error, …): a chain printer shows each cause once.
impl std::error::Error for RegistrationError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&*self.kind)
    }
}

/// ` with <url>` when the error knows the URL of its request (every error from `oidc_http::send`
/// does): the URL is said here, once, and not by the HTTP error's own message.
fn with_url(error: &HttpError) -> String {
    error
        .url()
        .map(|url| format!(" with {url}"))
        .unwrap_or_default()
}

impl RegistrationErrorKind {
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
            | Self::InvalidResponse { status, .. } => Some(*status),
            Self::MethodNotAllowed { .. } => Some(StatusCode::METHOD_NOT_ALLOWED),
            Self::ClientNotFound { .. } => Some(StatusCode::NOT_FOUND),
            _ => None,
        }
    }

    /// The label used for this kind in telemetry.
    fn telemetry_kind(&self) -> &'static str {
        match self {
            Self::NotSupported { .. } => "not_supported",
            Self::InvalidMetadata(_) => "invalid_metadata",
            Self::UnsendableMetadata { .. } => "unsendable_metadata",
            Self::InvalidEndpoint { .. } => "invalid_endpoint",
            Self::InvalidAccessToken => "invalid_access_token",
            Self::NotManageable { .. } => "not_manageable",
            Self::RegistrationClientUriRefused { .. } => "registration_client_uri_refused",
            Self::TokenRejected { .. } => "token_rejected",
            Self::NotPermitted { .. } => "not_permitted",
            Self::MethodNotAllowed { .. } => "method_not_allowed",
            Self::ClientNotFound { .. } => "client_not_found",
            Self::ClientIdChanged(_) => "client_id_changed",
            Self::Http(error) => error.kind().as_str(),
            Self::Provider { .. } => "provider_error",
            Self::UnexpectedStatus { .. } => "unexpected_status",
            Self::InvalidResponse { .. } => "invalid_response",
        }
    }
}

impl TelemetryErrorKind for RegistrationError {
    fn telemetry_kind(&self) -> &'static str {
        self.kind.telemetry_kind()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each message of an error's chain, as an anyhow-style printer shows them.
    fn chain(error: &dyn std::error::Error) -> Vec<String> {
        let mut messages = vec![error.to_string()];
        let mut cause = error.source();
        while let Some(next) = cause {
            messages.push(next.to_string());
            cause = next.source();
        }
        messages
    }

    #[test]
    fn a_chain_printer_shows_each_cause_once() {
        let error = RegistrationError::new(
            RegistrationOperation::Read,
            RegistrationErrorKind::Http(HttpError::new(
                oidc_http::HttpErrorKind::Connect,
                "connection refused: https://op.example/register/c",
            )),
        );
        assert_eq!(
            chain(&error),
            [
                "reading the registration failed: the HTTP exchange did not complete",
                "connection refused: https://op.example/register/c",
            ]
        );
        let unsendable = RegistrationError::new(
            RegistrationOperation::Register,
            RegistrationErrorKind::UnsendableMetadata {
                // Any serde_json error whose text names the member.
                source: serde_json::from_str::<u8>("\"client_id\"").unwrap_err(),
            },
        );
        let messages = chain(&unsendable);
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(!messages[0].contains("client_id"), "{messages:?}");
    }
}
