//! What a failed TLS handshake means ([`TlsFailure`]), for the built-in client and the reqwest
//! backend alike.

use std::fmt;

#[cfg(any(feature = "hyper-client", feature = "reqwest"))]
use rustls::{AlertDescription, CertificateError, InvalidMessage};

/// Why a TLS connection failed, finer than [`HttpErrorKind::Tls`](crate::HttpErrorKind::Tls); from
/// [`HttpError::tls_failure`](crate::HttpError::tls_failure).
///
/// The first five are problems with the *server's* certificate, found by this client
/// ([`is_server_certificate_problem`](Self::is_server_certificate_problem)); the two
/// `ClientCertificate*` ones are the server complaining about this client's certificate (or its
/// absence); the rest mean the two sides never got as far as certificates. New reasons may be
/// added in minor releases, hence `#[non_exhaustive]`.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TlsFailure {
    /// The server's certificate does not chain to a trusted root: signed by an unknown or
    /// private CA, self-signed, or with a broken signature. Add the CA with
    /// `add_root_certificates_pem` of the built-in client's builder.
    UntrustedCertificate,
    /// The server's certificate (or one in its chain) has expired, or this machine's clock is
    /// ahead.
    ExpiredCertificate,
    /// The server's certificate is not valid yet: usually this machine's clock is behind.
    NotYetValidCertificate,
    /// The server's certificate is valid, but not for the host name (or IP address) in the URL.
    WrongHostName,
    /// Anything else wrong with the server's certificate: malformed, revoked, not meant for a
    /// TLS server, an unsupported signature algorithm.
    InvalidCertificate,
    /// The server requires a client certificate and none was presented (its
    /// `certificate_required` alert); configure one with
    /// `client_certificate_pem` of the built-in client's builder.
    ClientCertificateRequired,
    /// The server refused the client certificate that was presented (its `bad_certificate`,
    /// `unknown_ca`, `certificate_expired`, `certificate_unknown`, `access_denied`, … alert).
    ClientCertificateRefused,
    /// The connection was closed or reset during the handshake, before TLS was set up: the
    /// server dropped it (a TLS server that refuses the client silently, a proxy, a port that
    /// accepts and closes).
    HandshakeCutShort,
    /// The two sides share no TLS version, cipher suite, key exchange group or signature
    /// scheme (this client offers TLS 1.2 and 1.3); also the server's generic `handshake_failure`
    /// alert, which some TLS 1.2 servers send instead of asking for a client certificate.
    ProtocolMismatch,
    /// The server does not speak TLS at all: its first bytes are not a TLS record, as when the
    /// port serves plain HTTP and the URL says `https`.
    NotTls,
    /// Any other TLS failure; the error's message has the details.
    Other,
}

impl TlsFailure {
    /// A stable, lower-case `snake_case` name, suitable as a metric label or log field.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UntrustedCertificate => "untrusted_certificate",
            Self::ExpiredCertificate => "expired_certificate",
            Self::NotYetValidCertificate => "not_yet_valid_certificate",
            Self::WrongHostName => "wrong_host_name",
            Self::InvalidCertificate => "invalid_certificate",
            Self::ClientCertificateRequired => "client_certificate_required",
            Self::ClientCertificateRefused => "client_certificate_refused",
            Self::HandshakeCutShort => "handshake_cut_short",
            Self::ProtocolMismatch => "protocol_mismatch",
            Self::NotTls => "not_tls",
            Self::Other => "other",
        }
    }

    /// Whether this client found the server's certificate unacceptable (untrusted, expired,
    /// not yet valid, for another name, otherwise invalid).
    pub fn is_server_certificate_problem(self) -> bool {
        matches!(
            self,
            Self::UntrustedCertificate
                | Self::ExpiredCertificate
                | Self::NotYetValidCertificate
                | Self::WrongHostName
                | Self::InvalidCertificate
        )
    }

    /// What a rustls error says about the handshake.
    #[cfg(any(feature = "hyper-client", feature = "reqwest"))]
    pub(crate) fn from_rustls(error: &rustls::Error) -> Self {
        use rustls::Error;
        match error {
            Error::InvalidCertificate(error) => match error {
                CertificateError::UnknownIssuer | CertificateError::BadSignature => {
                    Self::UntrustedCertificate
                }
                CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                    Self::ExpiredCertificate
                }
                CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                    Self::NotYetValidCertificate
                }
                CertificateError::NotValidForName
                | CertificateError::NotValidForNameContext { .. } => Self::WrongHostName,
                _ => Self::InvalidCertificate,
            },
            // A client validates only the server's certificate, so an alert about certificates
            // received from the server is about this client's.
            Error::AlertReceived(alert) => match alert {
                AlertDescription::CertificateRequired => Self::ClientCertificateRequired,
                AlertDescription::BadCertificate
                | AlertDescription::UnsupportedCertificate
                | AlertDescription::CertificateRevoked
                | AlertDescription::CertificateExpired
                | AlertDescription::CertificateUnknown
                | AlertDescription::UnknownCA
                | AlertDescription::AccessDenied => Self::ClientCertificateRefused,
                AlertDescription::ProtocolVersion
                | AlertDescription::InsufficientSecurity
                | AlertDescription::HandshakeFailure => Self::ProtocolMismatch,
                _ => Self::Other,
            },
            Error::PeerIncompatible(_) => Self::ProtocolMismatch,
            // The record header is the first thing read: a content type or version that no TLS
            // record has means the peer speaks something else ("HTTP/1.1 400" starts with 'H').
            Error::InvalidMessage(
                InvalidMessage::InvalidContentType | InvalidMessage::UnknownProtocolVersion,
            ) => Self::NotTls,
            _ => Self::Other,
        }
    }
}

impl fmt::Display for TlsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_stable_and_certificate_problems_are_the_servers() {
        let server = [
            TlsFailure::UntrustedCertificate,
            TlsFailure::ExpiredCertificate,
            TlsFailure::NotYetValidCertificate,
            TlsFailure::WrongHostName,
            TlsFailure::InvalidCertificate,
        ];
        for failure in server {
            assert!(failure.is_server_certificate_problem(), "{failure}");
        }
        for failure in [
            TlsFailure::ClientCertificateRequired,
            TlsFailure::ClientCertificateRefused,
            TlsFailure::HandshakeCutShort,
            TlsFailure::ProtocolMismatch,
            TlsFailure::NotTls,
            TlsFailure::Other,
        ] {
            assert!(!failure.is_server_certificate_problem(), "{failure}");
        }
        assert_eq!(TlsFailure::NotTls.to_string(), "not_tls");
        assert_eq!(TlsFailure::WrongHostName.as_str(), "wrong_host_name");
    }

    #[cfg(any(feature = "hyper-client", feature = "reqwest"))]
    #[test]
    fn rustls_errors_map_to_reasons() {
        use rustls::Error;
        let cases = [
            (
                Error::InvalidCertificate(CertificateError::UnknownIssuer),
                TlsFailure::UntrustedCertificate,
            ),
            (
                Error::InvalidCertificate(CertificateError::Expired),
                TlsFailure::ExpiredCertificate,
            ),
            (
                Error::InvalidCertificate(CertificateError::NotValidYet),
                TlsFailure::NotYetValidCertificate,
            ),
            (
                Error::InvalidCertificate(CertificateError::NotValidForName),
                TlsFailure::WrongHostName,
            ),
            (
                Error::InvalidCertificate(CertificateError::Revoked),
                TlsFailure::InvalidCertificate,
            ),
            (
                Error::AlertReceived(AlertDescription::CertificateRequired),
                TlsFailure::ClientCertificateRequired,
            ),
            (
                Error::AlertReceived(AlertDescription::UnknownCA),
                TlsFailure::ClientCertificateRefused,
            ),
            (
                Error::AlertReceived(AlertDescription::ProtocolVersion),
                TlsFailure::ProtocolMismatch,
            ),
            (
                Error::PeerIncompatible(rustls::PeerIncompatible::NoCipherSuitesInCommon),
                TlsFailure::ProtocolMismatch,
            ),
            (
                Error::InvalidMessage(InvalidMessage::InvalidContentType),
                TlsFailure::NotTls,
            ),
            (
                Error::InvalidMessage(InvalidMessage::MissingKeyExchange),
                TlsFailure::Other,
            ),
            (
                Error::AlertReceived(AlertDescription::DecryptError),
                TlsFailure::Other,
            ),
            (Error::General("x".into()), TlsFailure::Other),
        ];
        for (error, expected) in cases {
            assert_eq!(TlsFailure::from_rustls(&error), expected, "{error:?}");
        }
    }
}
