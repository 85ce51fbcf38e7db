//! What a failure means to a script: the exit code, one `error:` line, and a `hint:` line where
//! one helps.
//!
//! | code | [`ExitKind`] | meaning |
//! |---|---|---|
//! | 0 | | success, also when the provider's answer was odd but usable (one `warning:` line each) |
//! | 1 | [`ExitKind::Local`] | a local failure after the provider acted (the registration file could not be written; the credentials are still on stdout) |
//! | 2 | [`ExitKind::Usage`] | usage: a bad flag or value, an unreadable file, a missing environment variable, an unusable issuer, plain http without `--allow-http`, an existing `--save` file; nothing was sent |
//! | 3 | [`ExitKind::InvalidMetadata`] | the client metadata is invalid: a member of the wrong type (a JSON document that is not an object, `"require_auth_time": "yes"`) or a broken rule found by validation; nothing was sent |
//! | 4 | [`ExitKind::Refused`] | the provider refused: its OAuth `error` and `error_description` are printed; also no registration endpoint, no `jwks_uri`, no management for this client, 403, 404, 405 |
//! | 5 | [`ExitKind::Failed`] | transport or protocol failure: connect, TLS, timeout, an unexpected status, an unusable success answer (printed on stdout), an issuer mismatch |
//!
//! Codes 2 to 5 come from the library errors' [`ErrorCategory`].
//!
//! Messages are single lines (anything the provider sent is flattened) and never contain a
//! token or secret: the library errors this is built from never hold one.

use std::fmt;

use oidc_discovery::DiscoveryError;
use oidc_http::{HttpError, HttpErrorKind, TlsFailure};
use oidc_registration::{RegistrationError, RegistrationErrorKind, RegistrationOperation};
use oidc_types::{ErrorCategory, OAuthError};

use crate::output::terminal_safe;

/// The kind of failure, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExitKind {
    /// 1: a local failure after the provider acted, such as a registration file that could
    /// not be written.
    Local,
    /// 2: the command line or its inputs are unusable; nothing was sent.
    Usage,
    /// 3: the client metadata is invalid; nothing was sent.
    InvalidMetadata,
    /// 4: the provider refused the request.
    Refused,
    /// 5: a transport or protocol failure.
    Failed,
}

impl ExitKind {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Self::Local => 1,
            Self::Usage => 2,
            Self::InvalidMetadata => 3,
            Self::Refused => 4,
            Self::Failed => 5,
        }
    }
}

/// A failure of the command: its kind, one line of message, and an optional hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    kind: ExitKind,
    message: String,
    hint: Option<String>,
}

impl CliError {
    /// A failure of `kind`; the message is flattened to one line.
    pub fn new(kind: ExitKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: terminal_safe(&message.into()),
            hint: None,
        }
    }

    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(ExitKind::Usage, message)
    }

    /// Invalid client metadata (exit 3).
    pub fn invalid_metadata(message: impl Into<String>) -> Self {
        Self::new(ExitKind::InvalidMetadata, message)
    }

    /// A local failure after the provider acted (exit 1).
    pub fn local(message: impl Into<String>) -> Self {
        Self::new(ExitKind::Local, message)
    }

    /// Adds a hint line, flattened to one line.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(terminal_safe(&hint.into()));
        self
    }

    /// Adds the hint [`http_hint`] has for `error`, if any.
    fn with_http_hint(self, error: &HttpError) -> Self {
        match http_hint(error) {
            Some(hint) => self.with_hint(hint),
            None => self,
        }
    }

    /// The kind of failure.
    pub fn kind(&self) -> ExitKind {
        self.kind
    }

    /// The message, without the `error: ` prefix.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The hint, if any.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// What goes to stderr: `error: …`, then `hint: …` on a second line when there is a hint.
    pub fn render(&self) -> String {
        match &self.hint {
            Some(hint) => format!("error: {}\nhint: {hint}", self.message),
            None => format!("error: {}", self.message),
        }
    }

    /// Maps a discovery failure: the exit code comes from the error's
    /// [category](DiscoveryError::category) (caller 2, refused 4, transport and protocol 5),
    /// the wording and hints from its kind.
    pub fn from_discovery(error: DiscoveryError) -> Self {
        let kind = exit_kind(error.category(), false);
        match error {
            DiscoveryError::InvalidIssuer { issuer, reason } => {
                let hint = if reason.contains("plain http") {
                    "pass --allow-http to allow plain http (test environments only)"
                } else {
                    "an issuer is an https url without query or fragment, e.g. https://op.example"
                };
                Self::new(kind, format!("invalid issuer {issuer:?}: {reason}")).with_hint(hint)
            }
            error @ DiscoveryError::InsecureEndpoint { .. } => {
                Self::new(kind, error.to_string()).with_hint(
                    "the provider advertises a plain http endpoint; pass --allow-http to accept it (test environments only)",
                )
            }
            DiscoveryError::Http { url, source } => {
                Self::new(kind, format!("fetching {url}: {source}"))
                    .with_http_hint(&source)
            }
            DiscoveryError::UnexpectedStatus { url, status, .. } => {
                let error = Self::new(
                    kind,
                    format!("fetching {url}: unexpected status {status}"),
                );
                if status == http::StatusCode::NOT_FOUND {
                    error.with_hint(
                        "check the issuer; for a plain OAuth 2.0 server try --well-known oauth or both",
                    )
                } else {
                    error
                }
            }
            DiscoveryError::IssuerMismatch { expected, found } => {
                let advice = if expected.trim_end_matches('/') == found.trim_end_matches('/') {
                    "they differ only in a trailing slash: use the provider's exact issuer"
                } else if found.contains('{') {
                    "the provider names a template issuer: pass it with --issuer-pattern to accept it"
                } else {
                    "the document may belong to another provider; use the issuer it names only if you trust it"
                };
                Self::new(
                    kind,
                    "issuer mismatch: the provider's configuration names another issuer",
                )
                .with_hint(format!(
                    "expected {expected:?}, the provider says {found:?}; {advice}"
                ))
            }
            error @ DiscoveryError::ResourceMismatch { .. } => Self::new(kind, error.to_string())
                .with_hint(
                    "the metadata describes another resource: check the URL (exactly as the \
                     resource names itself, trailing slash included)",
                ),
            other => Self::new(kind, with_causes(&other)),
        }
    }

    /// Maps a registration or management failure of `action`: the exit code comes from the
    /// error's [category](RegistrationError::category) (caller 2, or 3 for invalid metadata;
    /// refused 4; transport and protocol 5), the wording and hints from its kind.
    pub fn from_registration(error: RegistrationError) -> Self {
        let operation = error.operation();
        let kind = exit_kind(error.category(), error.is_invalid_metadata());
        let noun = noun(operation);
        let cli = |message: String| Self::new(kind, message);
        match error.kind() {
            RegistrationErrorKind::InvalidMetadata(errors) => cli(errors.to_string()).with_hint(
                "nothing was sent; fix the metadata, or pass --no-validate to let the provider decide",
            ),
            RegistrationErrorKind::UnsendableMetadata { .. } => {
                cli(with_causes(error.kind())).with_hint("nothing was sent")
            }
            RegistrationErrorKind::InvalidAccessToken if operation == RegistrationOperation::Register => {
                cli(format!("initial access token: {}", error.kind()))
            }
            RegistrationErrorKind::NotManageable { client_id, missing } => cli(format!(
                "client {client_id:?} cannot be managed: the registration has no {missing}"
            ))
            .with_hint("the provider gave none when the client was registered: it does not offer management (rfc 7592) for it"),
            RegistrationErrorKind::Http(source) => {
                cli(format!("{noun} request failed: {source}")).with_http_hint(source)
            }
            RegistrationErrorKind::Provider { error, status, .. } => cli(format!(
                "the provider refused the {noun} ({status}): {}",
                oauth(error)
            )),
            RegistrationErrorKind::TokenRejected { status, error, .. } => {
                let (token, hint) = if operation == RegistrationOperation::Register {
                    (
                        "initial access token",
                        "check the token given with --initial-access-token-env or --initial-access-token-file, or give one if the provider requires it",
                    )
                } else {
                    (
                        "registration access token",
                        "the client may have been deleted, or its token rotated without this file being rewritten",
                    )
                };
                cli(format!(
                    "the provider rejected the {token} ({status}){}",
                    described(error.as_ref())
                ))
                .with_hint(hint)
            }
            RegistrationErrorKind::NotPermitted { status, error, .. } => cli(format!(
                "the provider does not permit this {noun} ({status}){}",
                described(error.as_ref())
            )),
            RegistrationErrorKind::ClientNotFound { .. } => {
                cli(error.to_string()).with_hint("the client may have been deleted")
            }
            RegistrationErrorKind::InvalidResponse { .. } => cli(with_causes(&error)).with_hint(
                "the provider may have acted all the same: its whole answer is on stdout",
            ),
            _ => cli(with_causes(&error)),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

/// The exit code of a library error: caller 2 (3 when it is the metadata), refused 4,
/// transport and protocol 5.
fn exit_kind(category: ErrorCategory, invalid_metadata: bool) -> ExitKind {
    match category {
        ErrorCategory::Caller if invalid_metadata => ExitKind::InvalidMetadata,
        ErrorCategory::Caller => ExitKind::Usage,
        ErrorCategory::Refused => ExitKind::Refused,
        // Transport, protocol, and whatever a later version adds.
        _ => ExitKind::Failed,
    }
}

/// `code: description`, as the provider sent them.
fn oauth(error: &OAuthError) -> String {
    match &error.description {
        Some(description) => format!("{}: {description}", error.code),
        None => error.code.to_string(),
    }
}

/// `error`'s message followed by each of its causes, `: `-separated: the library's errors say
/// their context in `Display` and leave the cause to `source()`.
pub(crate) fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(next) = cause {
        text.push_str(": ");
        text.push_str(&next.to_string());
        cause = next.source();
    }
    text
}

/// The operation as the noun of a message ("the provider refused the update").
fn noun(operation: RegistrationOperation) -> &'static str {
    match operation {
        RegistrationOperation::Register => "registration",
        RegistrationOperation::Read => "read",
        RegistrationOperation::Update => "update",
        // `RegistrationOperation` may grow; a deletion is the only other today.
        _ => "deletion",
    }
}

fn described(error: Option<&OAuthError>) -> String {
    error
        .map(|error| format!(": {}", oauth(error)))
        .unwrap_or_default()
}

/// A hint that says only what the error shows: "is the provider running?" only when the
/// connection could not be made, a certificate hint only for a certificate problem.
fn http_hint(error: &HttpError) -> Option<&'static str> {
    match error.kind() {
        HttpErrorKind::InsecureUrl => Some(
            "the provider named a plain http url; pass --allow-http to allow it (test environments only)",
        ),
        HttpErrorKind::Timeout => Some("the provider did not answer in time; raise --timeout"),
        HttpErrorKind::Connect => Some("is the provider running and reachable at that address?"),
        HttpErrorKind::Tls => tls_hint(error.tls_failure()?),
        _ => None,
    }
}

fn tls_hint(failure: TlsFailure) -> Option<&'static str> {
    Some(match failure {
        TlsFailure::UntrustedCertificate => {
            "the provider's certificate is not signed by a trusted CA: pass --ca-file with the provider's CA certificate (PEM)"
        }
        TlsFailure::ExpiredCertificate => {
            "the provider's certificate has expired (or this machine's clock is ahead): the provider must renew it"
        }
        TlsFailure::NotYetValidCertificate => {
            "the provider's certificate is not valid yet: check this machine's clock"
        }
        TlsFailure::WrongHostName => {
            "the provider's certificate is for another host name: use the host name it was issued for in the url"
        }
        TlsFailure::InvalidCertificate => {
            "the provider's certificate is unusable (malformed, revoked or not for a tls server)"
        }
        TlsFailure::ClientCertificateRequired => {
            "the provider requires a client certificate: pass --client-cert and --client-key"
        }
        TlsFailure::ClientCertificateRefused => {
            "the provider refused the client certificate: check --client-cert and --client-key, and that the provider trusts their CA"
        }
        TlsFailure::HandshakeCutShort => {
            "the connection was closed during the tls handshake: does that port serve https? a proxy or firewall may be cutting it"
        }
        TlsFailure::ProtocolMismatch => {
            "no tls version or cipher suite in common with the provider (this client speaks tls 1.2 and 1.3); it may also want a client certificate"
        }
        TlsFailure::NotTls => "the port speaks plain http, not https: is the url's scheme right?",
        // `Other`, and whatever a later version adds: the message has the details.
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use http::StatusCode;

    use super::*;

    #[test]
    fn codes_are_the_contract() {
        let codes: Vec<u8> = [
            ExitKind::Local,
            ExitKind::Usage,
            ExitKind::InvalidMetadata,
            ExitKind::Refused,
            ExitKind::Failed,
        ]
        .into_iter()
        .map(ExitKind::code)
        .collect();
        assert_eq!(codes, [1, 2, 3, 4, 5]);
    }

    #[test]
    fn provider_refusals_show_code_and_description_on_one_line() {
        let body = br#"{"error":"invalid_redirect_uri","error_description":"no\nfragments"}"#;
        let error = CliError::from_registration(RegistrationError::new(
            RegistrationOperation::Register,
            RegistrationErrorKind::Provider {
                error: OAuthError::from_json(body).unwrap(),
                status: StatusCode::BAD_REQUEST,
                body: String::from_utf8_lossy(body).into_owned(),
            },
        ));
        assert_eq!(error.kind(), ExitKind::Refused);
        assert_eq!(
            error.render(),
            "error: the provider refused the registration (400 Bad Request): invalid_redirect_uri: no\\nfragments"
        );
    }

    #[test]
    fn issuer_mismatch_shows_both_values() {
        let error = CliError::from_discovery(DiscoveryError::IssuerMismatch {
            expected: "https://a.example".into(),
            found: "https://b.example".into(),
        });
        assert_eq!(error.kind(), ExitKind::Failed);
        let hint = error.hint().unwrap();
        assert!(hint.contains("\"https://a.example\"") && hint.contains("\"https://b.example\""));
        assert_eq!(error.render().lines().count(), 2);
    }

    #[test]
    fn token_rejections_hint_at_the_right_token() {
        let rejected = |operation| {
            RegistrationError::new(
                operation,
                RegistrationErrorKind::TokenRejected {
                    status: StatusCode::UNAUTHORIZED,
                    error: Some(OAuthError::new("invalid_token")),
                    body: String::new(),
                },
            )
        };
        let register = CliError::from_registration(rejected(RegistrationOperation::Register));
        assert!(register.message().contains("initial access token"));
        assert!(register.message().ends_with(": invalid_token"));
        let read = CliError::from_registration(rejected(RegistrationOperation::Read));
        assert!(read.message().contains("registration access token"));
        assert_eq!(read.kind(), ExitKind::Refused);
    }

    #[test]
    fn http_hints_say_only_what_the_error_shows() {
        let tls = |failure| {
            http_hint(
                &HttpError::new(HttpErrorKind::Tls, "tls handshake failed")
                    .with_tls_failure(failure),
            )
        };
        assert!(tls(TlsFailure::UntrustedCertificate)
            .unwrap()
            .contains("--ca-file"));
        assert!(tls(TlsFailure::NotTls).unwrap().contains("plain http"));
        assert!(tls(TlsFailure::ClientCertificateRequired)
            .unwrap()
            .contains("--client-cert"));
        for failure in [
            TlsFailure::HandshakeCutShort,
            TlsFailure::ProtocolMismatch,
            TlsFailure::NotTls,
            TlsFailure::ClientCertificateRequired,
            TlsFailure::ClientCertificateRefused,
        ] {
            let hint = tls(failure).unwrap();
            assert!(!hint.contains("running"), "{failure}: {hint}");
            assert!(!hint.contains("not signed"), "{failure}: {hint}");
        }
        assert_eq!(tls(TlsFailure::Other), None);
        // A TLS error without a known reason gets no guess.
        assert_eq!(
            http_hint(&HttpError::new(HttpErrorKind::Tls, "tls handshake failed")),
            None
        );
        let connect = http_hint(&HttpError::new(HttpErrorKind::Connect, "refused")).unwrap();
        assert!(connect.contains("running"));
    }

    #[test]
    fn messages_escape_control_characters_visibly() {
        let error = CliError::usage(" a\r\n\tb \u{1b}[2Kc\n");
        assert_eq!(error.message(), " a\\r\\n\\tb \\u{1b}[2Kc\\n");
        assert_eq!(error.render().lines().count(), 1);
    }
}
