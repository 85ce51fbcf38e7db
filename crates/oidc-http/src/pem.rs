//! Reading the trust anchors and the client certificate the
//! [`HyperClientBuilder`](crate::HyperClientBuilder) is given as PEM.

use std::fmt;
use std::sync::Arc;

use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;

use crate::{HttpError, HttpErrorKind};

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

    #[cfg(any(feature = "ring", feature = "aws-lc-rs"))]
    #[test]
    fn key_errors_never_quote_the_key() {
        let provider =
            crate::hyper_client::compiled_in_provider().expect("a provider feature is on");
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
