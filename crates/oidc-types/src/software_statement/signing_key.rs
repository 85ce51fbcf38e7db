//! Private keys that sign software statements, loaded from PKCS#8 (DER or PEM).

use std::fmt;
use std::sync::Arc;

use data_encoding::BASE64;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, RsaEncoding, RsaKeyPair};

use super::SoftwareStatementError;
use crate::JwsAlgorithm;

/// A private key to sign software statements with, bound to one JWS algorithm and an optional
/// key ID (`kid`).
///
/// Supported: RSA keys (2048 to 4096 bits) with `RS256`, `RS384`, `RS512`, `PS256`, `PS384`,
/// `PS512`; ECDSA keys with `ES256` (P-256) and `ES384` (P-384); Ed25519 keys with `EdDSA`.
///
/// `Debug` shows the algorithm and key ID only, never key material. Cloning shares the key.
///
/// ```
/// use oidc_types::{JwsAlgorithm, SigningKey};
///
/// let key = SigningKey::ecdsa_from_pkcs8_der(
///     include_bytes!("../../tests/keys/ec-p256.pk8"),
///     JwsAlgorithm::Es256,
///     Some("ec-p256".to_owned()),
/// )?;
/// assert_eq!(key.alg(), &JwsAlgorithm::Es256);
/// assert_eq!(key.kid(), Some("ec-p256"));
/// assert_eq!(format!("{key:?}"), r#"SigningKey { alg: ES256, kid: Some("ec-p256") }"#);
/// # Ok::<(), oidc_types::SoftwareStatementError>(())
/// ```
#[derive(Clone)]
pub struct SigningKey {
    pair: KeyPair,
    alg: JwsAlgorithm,
    kid: Option<String>,
}

/// The key pair with what it needs to sign under the chosen algorithm.
#[derive(Clone)]
enum KeyPair {
    Rsa {
        pair: Arc<RsaKeyPair>,
        padding: &'static dyn RsaEncoding,
    },
    // The signing algorithm is fixed when ring parses the key, so nothing else is needed here.
    Ecdsa(Arc<EcdsaKeyPair>),
    Ed25519(Arc<Ed25519KeyPair>),
}

impl SigningKey {
    /// An RSA key from PKCS#8 DER (`openssl genpkey -algorithm RSA -outform DER`), for `RS256`,
    /// `RS384`, `RS512`, `PS256`, `PS384` or `PS512`.
    ///
    /// # Errors
    ///
    /// [`UnsupportedAlgorithm`](SoftwareStatementError::UnsupportedAlgorithm) for another
    /// algorithm; [`InvalidKey`](SoftwareStatementError::InvalidKey) when `der` is not an RSA
    /// PKCS#8 private key ring accepts.
    pub fn rsa_from_pkcs8_der(
        der: &[u8],
        alg: JwsAlgorithm,
        kid: Option<String>,
    ) -> Result<Self, SoftwareStatementError> {
        let padding = rsa_padding(&alg)?;
        let pair = RsaKeyPair::from_pkcs8(der).map_err(|rejected| invalid_key("RSA", rejected))?;
        Ok(Self::rsa(pair, padding, alg, kid))
    }

    /// An ECDSA key from PKCS#8 DER (`openssl genpkey -algorithm EC -pkeyopt
    /// ec_paramgen_curve:P-256 -outform DER`), for `ES256` (P-256) or `ES384` (P-384).
    ///
    /// # Errors
    ///
    /// [`UnsupportedAlgorithm`](SoftwareStatementError::UnsupportedAlgorithm) for another
    /// algorithm; [`InvalidKey`](SoftwareStatementError::InvalidKey) when `der` is not a PKCS#8
    /// private key on the algorithm's curve.
    pub fn ecdsa_from_pkcs8_der(
        der: &[u8],
        alg: JwsAlgorithm,
        kid: Option<String>,
    ) -> Result<Self, SoftwareStatementError> {
        // The *_FIXED algorithms produce r || s, the form JWS requires (RFC 7518 §3.4), not
        // the ASN.1 DER form most other ECDSA APIs produce.
        let signing = match alg {
            JwsAlgorithm::Es256 => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            JwsAlgorithm::Es384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
            other => return Err(unsupported(&other)),
        };
        let pair = EcdsaKeyPair::from_pkcs8(signing, der, &SystemRandom::new())
            .map_err(|rejected| invalid_key(alg.as_str(), rejected))?;
        Ok(Self {
            pair: KeyPair::Ecdsa(Arc::new(pair)),
            alg,
            kid,
        })
    }

    /// An Ed25519 key from PKCS#8 DER (`openssl genpkey -algorithm ed25519 -outform DER`), for
    /// `EdDSA` (RFC 8037). Both PKCS#8 v1 (what OpenSSL writes) and v2 (with the public key,
    /// what ring generates) are read.
    ///
    /// # Errors
    ///
    /// [`InvalidKey`](SoftwareStatementError::InvalidKey) when `der` is not an Ed25519 PKCS#8
    /// private key.
    pub fn ed25519_from_pkcs8_der(
        der: &[u8],
        kid: Option<String>,
    ) -> Result<Self, SoftwareStatementError> {
        // "maybe_unchecked" only means a v1 document has no public key to compare with; ring
        // derives it from the private key either way.
        let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
            .map_err(|rejected| invalid_key("Ed25519", rejected))?;
        Ok(Self {
            pair: KeyPair::Ed25519(Arc::new(pair)),
            alg: JwsAlgorithm::EdDsa,
            kid,
        })
    }

    /// An Ed25519 key from PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), for `EdDSA`.
    ///
    /// # Errors
    ///
    /// As [`ed25519_from_pkcs8_der`](Self::ed25519_from_pkcs8_der), and
    /// [`InvalidKey`](SoftwareStatementError::InvalidKey) when `pem` holds no such block.
    pub fn ed25519_from_pem(
        pem: &str,
        kid: Option<String>,
    ) -> Result<Self, SoftwareStatementError> {
        let (label, der) = decode_pem(pem)?;
        if label != "PRIVATE KEY" {
            return Err(unexpected_pem_label(&label, "PRIVATE KEY"));
        }
        Self::ed25519_from_pkcs8_der(&der, kid)
    }

    /// An RSA key from PEM: PKCS#8 (`-----BEGIN PRIVATE KEY-----`) or PKCS#1
    /// (`-----BEGIN RSA PRIVATE KEY-----`). Encrypted keys are not supported.
    ///
    /// # Errors
    ///
    /// As [`rsa_from_pkcs8_der`](Self::rsa_from_pkcs8_der), and
    /// [`InvalidKey`](SoftwareStatementError::InvalidKey) when `pem` holds no such block.
    pub fn rsa_from_pem(
        pem: &str,
        alg: JwsAlgorithm,
        kid: Option<String>,
    ) -> Result<Self, SoftwareStatementError> {
        let padding = rsa_padding(&alg)?;
        let (label, der) = decode_pem(pem)?;
        let pair = match label.as_str() {
            "PRIVATE KEY" => RsaKeyPair::from_pkcs8(&der),
            "RSA PRIVATE KEY" => RsaKeyPair::from_der(&der),
            other => return Err(unexpected_pem_label(other, "PRIVATE KEY")),
        }
        .map_err(|rejected| invalid_key("RSA", rejected))?;
        Ok(Self::rsa(pair, padding, alg, kid))
    }

    /// An ECDSA key from PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). A SEC 1 key
    /// (`-----BEGIN EC PRIVATE KEY-----`) converts with `openssl pkcs8 -topk8 -nocrypt`.
    ///
    /// # Errors
    ///
    /// As [`ecdsa_from_pkcs8_der`](Self::ecdsa_from_pkcs8_der), and
    /// [`InvalidKey`](SoftwareStatementError::InvalidKey) when `pem` holds no such block.
    pub fn ecdsa_from_pem(
        pem: &str,
        alg: JwsAlgorithm,
        kid: Option<String>,
    ) -> Result<Self, SoftwareStatementError> {
        let (label, der) = decode_pem(pem)?;
        if label != "PRIVATE KEY" {
            return Err(unexpected_pem_label(&label, "PRIVATE KEY"));
        }
        Self::ecdsa_from_pkcs8_der(&der, alg, kid)
    }

    /// The algorithm this key signs with (the `alg` header of the statements it signs).
    pub fn alg(&self) -> &JwsAlgorithm {
        &self.alg
    }

    /// The key ID written as the `kid` header, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Signs the JWS signing input.
    pub(super) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SoftwareStatementError> {
        let rng = SystemRandom::new();
        // ring's errors are deliberately opaque; the algorithm is all there is to report.
        let failed = |_| SoftwareStatementError::Signing {
            reason: format!("{} signing failed", self.alg),
        };
        match &self.pair {
            KeyPair::Rsa { pair, padding } => {
                let mut signature = vec![0; pair.public().modulus_len()];
                pair.sign(*padding, &rng, message, &mut signature)
                    .map_err(failed)?;
                Ok(signature)
            }
            KeyPair::Ecdsa(pair) => pair
                .sign(&rng, message)
                .map(|signature| signature.as_ref().to_vec())
                .map_err(failed),
            // Ed25519 signing is deterministic and cannot fail.
            KeyPair::Ed25519(pair) => Ok(pair.sign(message).as_ref().to_vec()),
        }
    }

    fn rsa(
        pair: RsaKeyPair,
        padding: &'static dyn RsaEncoding,
        alg: JwsAlgorithm,
        kid: Option<String>,
    ) -> Self {
        Self {
            pair: KeyPair::Rsa {
                pair: Arc::new(pair),
                padding,
            },
            alg,
            kid,
        }
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Deliberately not derived: the key pair must never reach a log.
        f.debug_struct("SigningKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish()
    }
}

/// The RSA padding of a JWS algorithm, or the error for a non-RSA one.
fn rsa_padding(alg: &JwsAlgorithm) -> Result<&'static dyn RsaEncoding, SoftwareStatementError> {
    Ok(match alg {
        JwsAlgorithm::Rs256 => &signature::RSA_PKCS1_SHA256,
        JwsAlgorithm::Rs384 => &signature::RSA_PKCS1_SHA384,
        JwsAlgorithm::Rs512 => &signature::RSA_PKCS1_SHA512,
        JwsAlgorithm::Ps256 => &signature::RSA_PSS_SHA256,
        JwsAlgorithm::Ps384 => &signature::RSA_PSS_SHA384,
        JwsAlgorithm::Ps512 => &signature::RSA_PSS_SHA512,
        other => return Err(unsupported(other)),
    })
}

fn unsupported(alg: &JwsAlgorithm) -> SoftwareStatementError {
    SoftwareStatementError::UnsupportedAlgorithm {
        alg: alg.as_str().to_owned(),
    }
}

/// ring's rejection reasons ("InvalidEncoding", "WrongAlgorithm", …) describe the key's shape,
/// never its content, so they are safe to show.
fn invalid_key(kind: &str, rejected: ring::error::KeyRejected) -> SoftwareStatementError {
    SoftwareStatementError::InvalidKey {
        reason: format!("not a usable {kind} private key ({rejected})"),
    }
}

fn unexpected_pem_label(found: &str, expected: &str) -> SoftwareStatementError {
    let hint = if found.contains("ENCRYPTED") {
        "; encrypted keys are not supported, decrypt with `openssl pkcs8 -nocrypt`"
    } else if found == "EC PRIVATE KEY" {
        "; convert it with `openssl pkcs8 -topk8 -nocrypt`"
    } else {
        ""
    };
    SoftwareStatementError::InvalidKey {
        reason: format!("PEM block is `{found}`, expected `{expected}`{hint}"),
    }
}

/// The label and DER body of the first PEM block (RFC 7468) in `pem`.
///
/// Errors never quote the body: it is key material.
fn decode_pem(pem: &str) -> Result<(String, Vec<u8>), SoftwareStatementError> {
    let invalid = |reason: &str| SoftwareStatementError::InvalidKey {
        reason: reason.to_owned(),
    };
    let mut lines = pem.lines().map(str::trim);
    let label = lines
        .by_ref()
        .find_map(|line| {
            line.strip_prefix("-----BEGIN ")
                .and_then(|rest| rest.strip_suffix("-----"))
        })
        .ok_or_else(|| invalid("no `-----BEGIN …-----` line in PEM"))?
        .to_owned();
    let end = format!("-----END {label}-----");
    let mut body = String::new();
    let mut ended = false;
    for line in lines {
        if line == end {
            ended = true;
            break;
        }
        // RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`) mark a legacy encrypted key.
        if line.contains(':') {
            return Err(invalid(
                "encrypted PEM keys are not supported, decrypt with `openssl pkcs8 -nocrypt`",
            ));
        }
        body.extend(line.chars().filter(|c| !c.is_ascii_whitespace()));
    }
    if !ended {
        return Err(invalid("PEM block has no matching `-----END …-----` line"));
    }
    let der = BASE64
        .decode(body.as_bytes())
        .map_err(|_| invalid("PEM body is not valid base64"))?;
    Ok((label, der))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_parsing() {
        let (label, der) = decode_pem(
            "junk before\n-----BEGIN PRIVATE KEY-----\r\nAAEC\r\nAw==\r\n-----END PRIVATE KEY-----\n",
        )
        .unwrap();
        assert_eq!(label, "PRIVATE KEY");
        assert_eq!(der, [0, 1, 2, 3]);
    }

    #[test]
    fn pem_errors_do_not_quote_the_body() {
        for pem in [
            "no pem here",
            "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n",
            "-----BEGIN PRIVATE KEY-----\nc2VjcmV0!!!\n-----END PRIVATE KEY-----",
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nc2VjcmV0\n-----END RSA PRIVATE KEY-----",
        ] {
            let error = decode_pem(pem).unwrap_err().to_string();
            assert!(!error.contains("c2VjcmV0"), "{error}");
            assert!(error.starts_with("software statement: invalid key: "), "{error}");
        }
    }

    #[test]
    fn wrong_algorithm_family_is_unsupported() {
        let rsa = SigningKey::rsa_from_pkcs8_der(b"", JwsAlgorithm::Es256, None);
        assert!(matches!(
            rsa,
            Err(SoftwareStatementError::UnsupportedAlgorithm { alg }) if alg == "ES256"
        ));
        let ec = SigningKey::ecdsa_from_pkcs8_der(b"", JwsAlgorithm::Es512, None);
        assert!(matches!(
            ec,
            Err(SoftwareStatementError::UnsupportedAlgorithm { alg }) if alg == "ES512"
        ));
    }
}
