//! TLS for the default client: what a failed handshake means ([`TlsFailure`]), and reading the
//! trust anchors and the client certificate the [`HyperClientBuilder`](crate::HyperClientBuilder)
//! is given as PEM.

use std::fmt;
use std::sync::Arc;

use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use rustls::{AlertDescription, CertificateError, InvalidMessage};

use crate::{HttpError, HttpErrorKind};

/// Why a TLS connection failed, finer than [`HttpErrorKind::Tls`]; from
/// [`HttpError::tls_failure`].
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
    /// [`add_root_certificates_pem`](crate::HyperClientBuilder::add_root_certificates_pem).
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
    /// [`client_certificate_pem`](crate::HyperClientBuilder::client_certificate_pem).
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

/// A configuration error (a caller's mistake, [`HttpErrorKind::InvalidRequest`]).
fn config_error(message: String) -> HttpError {
    HttpError::new(HttpErrorKind::InvalidRequest, message)
}

/// What is wrong with a PEM document, without quoting it: the text may be a private key.
fn describe_pem_error(error: &pem::Error) -> &'static str {
    match error {
        pem::Error::MissingSectionEnd { .. } => "a section has no END line",
        pem::Error::IllegalSectionStart { .. } => "a BEGIN line is malformed",
        pem::Error::Base64Decode(_) => "a section is not valid base64",
        pem::Error::SectionTooLarge => "a section is too large",
        _ => "it cannot be read",
    }
}

/// Every `CERTIFICATE` section of `pem`; `what` names the document in messages.
pub(crate) fn certificates_from_pem(
    pem: &[u8],
    what: &str,
) -> Result<Vec<CertificateDer<'static>>, HttpError> {
    let certificates = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| config_error(format!("{what}: invalid PEM: {}", describe_pem_error(&e))))?;
    if certificates.is_empty() {
        return Err(config_error(format!("{what}: no certificate in PEM")));
    }
    Ok(certificates)
}

/// Adds every certificate of `pem` to `roots` as a trust anchor.
pub(crate) fn add_roots_from_pem(
    roots: &mut rustls::RootCertStore,
    pem: &[u8],
) -> Result<(), HttpError> {
    const WHAT: &str = "root certificates";
    for (index, certificate) in certificates_from_pem(pem, WHAT)?.into_iter().enumerate() {
        roots.add(certificate).map_err(|e| {
            config_error(format!(
                "{WHAT}: certificate {} is not a usable trust anchor: {e}",
                index + 1
            ))
        })?;
    }
    Ok(())
}

/// A client certificate chain and its private key, for mutual TLS. `Debug` shows neither.
#[derive(Clone)]
pub(crate) struct ClientIdentity(pub(crate) Arc<CertifiedKey>);

impl fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("certificates", &self.0.cert.len())
            .finish_non_exhaustive()
    }
}

impl ClientIdentity {
    /// Reads the chain (end-entity certificate first) and the key, and checks that they belong
    /// together. Messages never quote the key's PEM.
    pub(crate) fn from_pem(
        cert_chain_pem: &[u8],
        key_pem: &[u8],
        provider: &rustls::crypto::CryptoProvider,
    ) -> Result<Self, HttpError> {
        let chain = certificates_from_pem(cert_chain_pem, "client certificate")?;
        let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| match e {
            pem::Error::NoItemsFound => config_error(
                "client key: no private key in PEM (expected PKCS#8, PKCS#1 or SEC1)".to_owned(),
            ),
            e => config_error(format!(
                "client key: invalid PEM: {}",
                describe_pem_error(&e)
            )),
        })?;
        let certified = CertifiedKey::from_der(chain, key, provider).map_err(|e| match e {
            rustls::Error::InconsistentKeys(_) => config_error(
                "client key: it does not match the client certificate's public key".to_owned(),
            ),
            rustls::Error::InvalidCertificate(_) => config_error(
                "client certificate: the first certificate cannot be parsed".to_owned(),
            ),
            // rustls's message for a key it cannot load names the key types, never the key.
            _ => config_error(
                "client key: unsupported key (expected an RSA, ECDSA P-256/P-384 or Ed25519 key)"
                    .to_owned(),
            ),
        })?;
        Ok(Self(Arc::new(certified)))
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

    #[test]
    fn pem_without_certificates_is_refused_with_a_reason() {
        let err = certificates_from_pem(b"", "root certificates").unwrap_err();
        assert_eq!(err.kind(), HttpErrorKind::InvalidRequest);
        assert_eq!(err.to_string(), "root certificates: no certificate in PEM");

        let broken = b"-----BEGIN CERTIFICATE-----\nMIIB\n";
        let err = certificates_from_pem(broken, "root certificates").unwrap_err();
        assert_eq!(
            err.to_string(),
            "root certificates: invalid PEM: a section has no END line"
        );

        let not_base64 = b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
        let err = certificates_from_pem(not_base64, "root certificates").unwrap_err();
        assert_eq!(
            err.to_string(),
            "root certificates: invalid PEM: a section is not valid base64"
        );
    }

    #[test]
    fn a_certificate_that_is_not_der_is_no_trust_anchor() {
        let pem = b"-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n";
        let mut roots = rustls::RootCertStore::empty();
        let err = add_roots_from_pem(&mut roots, pem).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("root certificates: certificate 1 is not a usable trust anchor"),
            "{err}"
        );
        assert!(roots.is_empty());
    }

    #[test]
    fn key_errors_never_quote_the_key() {
        let provider = rustls::crypto::ring::default_provider();
        let secret = "c2VjcmV0LWtleS1tYXRlcmlhbA";
        let key_pem =
            format!("-----BEGIN PRIVATE KEY-----\n{secret}!\n-----END PRIVATE KEY-----\n");
        // A certificate PEM that parses, so the key is what fails.
        let cert_pem = b"-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n";
        let err = ClientIdentity::from_pem(cert_pem, key_pem.as_bytes(), &provider).unwrap_err();
        assert_eq!(err.kind(), HttpErrorKind::InvalidRequest);
        assert_eq!(
            err.to_string(),
            "client key: invalid PEM: a section is not valid base64"
        );
        assert!(!format!("{err:?}").contains(secret), "{err:?}");

        let err = ClientIdentity::from_pem(cert_pem, cert_pem, &provider).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("client key: no private key in PEM"),
            "{err}"
        );
    }
}
