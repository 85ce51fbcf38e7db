//! Verification of a software statement against its issuer's public keys.

use std::time::{SystemTime, UNIX_EPOCH};

use biscuit::jwa::{Algorithm, SignatureAlgorithm};
use biscuit::jwk::{AlgorithmParameters, EllipticCurve, KeyOperations, PublicKeyUse, JWK};
use biscuit::Empty;
use ring::signature::{
    self, EcdsaVerificationAlgorithm, RsaParameters, RsaPublicKeyComponents, UnparsedPublicKey,
};

use super::{malformed, CompactJws, SoftwareStatementClaims, SoftwareStatementError};
use crate::JwsAlgorithm;

/// A software statement whose signature verified with one of the trusted keys.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct VerifiedSoftwareStatement {
    /// The statement's claims.
    pub claims: SoftwareStatementClaims,
    /// The algorithm it was signed with (its `alg` header).
    pub alg: JwsAlgorithm,
    /// The `kid` of the key that verified it (the same as the statement's `kid` header when it
    /// has one); `None` when that key has no ID.
    pub kid: Option<String>,
}

/// Verifies a compact software statement with the issuer's public keys and returns its claims.
///
/// ASCII whitespace inside `jwt` is ignored. The steps, each with its error:
///
/// 1. Parse the compact JWS ([`Malformed`](SoftwareStatementError::Malformed)).
/// 2. Check the `alg` header: `none` is [`Unsigned`](SoftwareStatementError::Unsigned); the
///    HMAC algorithms and anything but `RS256`, `RS384`, `RS512`, `PS256`, `PS384`, `PS512`,
///    `ES256` and `ES384` are
///    [`UnsupportedAlgorithm`](SoftwareStatementError::UnsupportedAlgorithm). A `crit` header
///    is [`Malformed`](SoftwareStatementError::Malformed): no extension is understood.
/// 3. Choose the keys: with a `kid` header, the keys with that `kid`
///    ([`UnknownKey`](SoftwareStatementError::UnknownKey) if there is none); without one, all
///    keys. Of those, only keys of the algorithm's type (RSA, or EC on the algorithm's curve)
///    whose `alg`, `use` and `key_ops` (when present) allow verifying with that algorithm
///    ([`NoMatchingKey`](SoftwareStatementError::NoMatchingKey) if none is left;
///    [`InvalidKey`](SoftwareStatementError::InvalidKey) if all left have unusable parameters,
///    such as an RSA modulus under 2048 bits).
/// 4. Check the signature with each chosen key until one verifies
///    ([`BadSignature`](SoftwareStatementError::BadSignature) if none does).
/// 5. Read the claims: `iss` is required ([`MissingIss`](SoftwareStatementError::MissingIss)),
///    and `exp`, when present, must be in the future by the system clock
///    ([`Expired`](SoftwareStatementError::Expired)); there is no leeway.
///
/// See [`sign_software_statement`](super::sign_software_statement) for an example.
///
/// # Errors
///
/// As listed above.
pub fn verify_software_statement(
    jwt: &str,
    keys: &[JWK<Empty>],
) -> Result<VerifiedSoftwareStatement, SoftwareStatementError> {
    // A clock before 1970 is broken beyond guessing; i64::MAX makes any statement with an `exp`
    // count as expired, failing closed.
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(i64::MAX, |since| {
            i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
        });
    verify_at(jwt, keys, now)
}

/// [`verify_software_statement`] at `now` (seconds since the Unix epoch).
pub(super) fn verify_at(
    jwt: &str,
    keys: &[JWK<Empty>],
    now: i64,
) -> Result<VerifiedSoftwareStatement, SoftwareStatementError> {
    let jws = CompactJws::parse(jwt)?;
    let alg = JwsAlgorithm::from(
        jws.header_string("alg")?
            .ok_or_else(|| malformed("header has no `alg`"))?,
    );
    let verifier = Verifier::for_alg(&alg)?;
    // RFC 7515 §4.1.11: a recipient must reject a JWS whose critical extensions it does not
    // understand, and this implementation understands none.
    if jws.header.contains_key("crit") {
        return Err(malformed(
            "critical header extensions (`crit`) are not supported",
        ));
    }

    let candidates: Vec<&JWK<Empty>> = match jws.header_string("kid")? {
        Some(kid) => {
            let named: Vec<&JWK<Empty>> = keys
                .iter()
                .filter(|key| key.common.key_id.as_deref() == Some(kid))
                .collect();
            if named.is_empty() {
                return Err(SoftwareStatementError::UnknownKey {
                    kid: kid.to_owned(),
                });
            }
            named
                .into_iter()
                .filter(|key| verifier.fits(key, &alg))
                .collect()
        }
        None => keys.iter().filter(|key| verifier.fits(key, &alg)).collect(),
    };

    let mut verified_by = None;
    let mut tried_any = false;
    let mut first_invalid = None;
    for key in candidates {
        match verifier.verify(key, jws.signing_input.as_bytes(), &jws.signature) {
            Ok(true) => {
                verified_by = Some(key);
                break;
            }
            Ok(false) => tried_any = true,
            Err(reason) => {
                first_invalid.get_or_insert(reason);
            }
        }
    }
    let key = match (verified_by, tried_any, first_invalid) {
        (Some(key), _, _) => key,
        (None, true, _) => return Err(SoftwareStatementError::BadSignature),
        (None, false, Some(reason)) => return Err(SoftwareStatementError::InvalidKey { reason }),
        (None, false, None) => return Err(SoftwareStatementError::NoMatchingKey),
    };

    // Claims are read only now: before the signature verified they are attacker-controlled,
    // and a tampered payload must report as a bad signature, not as whatever it became.
    let claims = SoftwareStatementClaims::from_json_object(&jws.claims()?)?;
    if let Some(exp) = claims.exp {
        // RFC 7519 §4.1.4: the current time must be *before* `exp`.
        if now >= exp {
            return Err(SoftwareStatementError::Expired { exp });
        }
    }
    Ok(VerifiedSoftwareStatement {
        claims,
        alg,
        kid: key.common.key_id.clone(),
    })
}

/// How to check a signature for one `alg`.
enum Verifier {
    Rsa(&'static RsaParameters),
    Ecdsa {
        curve: EllipticCurve,
        /// The size of one coordinate, which JWK `x` and `y` must have exactly (RFC 7518
        /// §6.2.1.2).
        coordinate_len: usize,
        algorithm: &'static EcdsaVerificationAlgorithm,
    },
}

impl Verifier {
    fn for_alg(alg: &JwsAlgorithm) -> Result<Self, SoftwareStatementError> {
        Ok(match alg {
            JwsAlgorithm::None => return Err(SoftwareStatementError::Unsigned),
            JwsAlgorithm::Rs256 => Self::Rsa(&signature::RSA_PKCS1_2048_8192_SHA256),
            JwsAlgorithm::Rs384 => Self::Rsa(&signature::RSA_PKCS1_2048_8192_SHA384),
            JwsAlgorithm::Rs512 => Self::Rsa(&signature::RSA_PKCS1_2048_8192_SHA512),
            JwsAlgorithm::Ps256 => Self::Rsa(&signature::RSA_PSS_2048_8192_SHA256),
            JwsAlgorithm::Ps384 => Self::Rsa(&signature::RSA_PSS_2048_8192_SHA384),
            JwsAlgorithm::Ps512 => Self::Rsa(&signature::RSA_PSS_2048_8192_SHA512),
            // The *_FIXED algorithms take r || s, the signature form of JWS (RFC 7518 §3.4).
            JwsAlgorithm::Es256 => Self::Ecdsa {
                curve: EllipticCurve::P256,
                coordinate_len: 32,
                algorithm: &signature::ECDSA_P256_SHA256_FIXED,
            },
            JwsAlgorithm::Es384 => Self::Ecdsa {
                curve: EllipticCurve::P384,
                coordinate_len: 48,
                algorithm: &signature::ECDSA_P384_SHA384_FIXED,
            },
            // HS* would need a shared secret, and the keys here are public: accepting it is the
            // classic key-confusion forgery. ES512, ES256K and EdDSA are not implemented.
            other => {
                return Err(SoftwareStatementError::UnsupportedAlgorithm {
                    alg: other.as_str().to_owned(),
                })
            }
        })
    }

    /// Whether `key` is of the right type and nothing it declares forbids verifying `alg`.
    fn fits(&self, key: &JWK<Empty>, alg: &JwsAlgorithm) -> bool {
        let common = &key.common;
        let use_allows = matches!(common.public_key_use, None | Some(PublicKeyUse::Signature));
        let ops_allow = common
            .key_operations
            .as_ref()
            .is_none_or(|ops| ops.contains(&KeyOperations::Verify));
        let alg_agrees = match &common.algorithm {
            None => true,
            Some(Algorithm::Signature(declared)) => signature_alg_name(*declared) == alg.as_str(),
            Some(Algorithm::KeyManagement(_) | Algorithm::ContentEncryption(_)) => false,
        };
        let type_fits = match (self, &key.algorithm) {
            (Self::Rsa(_), AlgorithmParameters::RSA(_)) => true,
            (Self::Ecdsa { curve, .. }, AlgorithmParameters::EllipticCurve(ec)) => {
                ec.curve == *curve
            }
            _ => false,
        };
        use_allows && ops_allow && alg_agrees && type_fits
    }

    /// `Ok(true)` if the signature verifies with `key`, `Ok(false)` if not, `Err` with a reason
    /// when the key's parameters cannot be used at all.
    fn verify(&self, key: &JWK<Empty>, message: &[u8], sig: &[u8]) -> Result<bool, String> {
        // Only needed for an error, so not built for every key tried.
        let named = || {
            key.common
                .key_id
                .as_deref()
                .map_or_else(String::new, |kid| format!(" {kid:?}"))
        };
        match (self, &key.algorithm) {
            (Self::Rsa(parameters), AlgorithmParameters::RSA(rsa)) => {
                let bits = rsa.n.bits();
                // ring refuses these sizes for verification; saying so beats a bad signature.
                if !(2048..=8192).contains(&bits) {
                    return Err(format!(
                        "RSA key{} has {bits} bits, 2048 to 8192 are supported",
                        named()
                    ));
                }
                let (n, e) = (rsa.n.to_bytes_be(), rsa.e.to_bytes_be());
                let public = RsaPublicKeyComponents { n: &n, e: &e };
                Ok(public.verify(parameters, message, sig).is_ok())
            }
            (
                Self::Ecdsa {
                    coordinate_len,
                    algorithm,
                    ..
                },
                AlgorithmParameters::EllipticCurve(ec),
            ) => {
                if ec.x.len() != *coordinate_len || ec.y.len() != *coordinate_len {
                    return Err(format!(
                        "EC key{} coordinates are not {coordinate_len} bytes each",
                        named()
                    ));
                }
                // Uncompressed SEC 1 point: 0x04 || x || y.
                let mut point = Vec::with_capacity(1 + 2 * coordinate_len);
                point.push(0x04);
                point.extend_from_slice(&ec.x);
                point.extend_from_slice(&ec.y);
                let public = UnparsedPublicKey::new(*algorithm, &point);
                Ok(public.verify(message, sig).is_ok())
            }
            // `fits` filtered these out; a mismatch simply does not verify.
            _ => Ok(false),
        }
    }
}

/// The JWA name of a biscuit signature algorithm, to compare with a JWK's `alg`.
fn signature_alg_name(alg: SignatureAlgorithm) -> &'static str {
    match alg {
        SignatureAlgorithm::None => "none",
        SignatureAlgorithm::HS256 => "HS256",
        SignatureAlgorithm::HS384 => "HS384",
        SignatureAlgorithm::HS512 => "HS512",
        SignatureAlgorithm::RS256 => "RS256",
        SignatureAlgorithm::RS384 => "RS384",
        SignatureAlgorithm::RS512 => "RS512",
        SignatureAlgorithm::ES256 => "ES256",
        SignatureAlgorithm::ES384 => "ES384",
        SignatureAlgorithm::ES512 => "ES512",
        SignatureAlgorithm::PS256 => "PS256",
        SignatureAlgorithm::PS384 => "PS384",
        SignatureAlgorithm::PS512 => "PS512",
    }
}

#[cfg(test)]
mod tests {
    use super::super::{sign_software_statement, SigningKey};
    use super::*;

    fn key() -> SigningKey {
        SigningKey::ecdsa_from_pkcs8_der(
            include_bytes!("../../tests/keys/ec-p256.pk8"),
            JwsAlgorithm::Es256,
            None,
        )
        .unwrap()
    }

    fn public() -> Vec<JWK<Empty>> {
        vec![
            serde_json::from_str(include_str!("../../tests/keys/ec-p256.public.jwk.json")).unwrap(),
        ]
    }

    #[test]
    fn exp_is_exclusive() {
        let claims = SoftwareStatementClaims::new("iss").with_expires_at(1000);
        let jwt = sign_software_statement(&claims, &key()).unwrap();
        assert!(verify_at(&jwt, &public(), 999).is_ok());
        assert_eq!(
            verify_at(&jwt, &public(), 1000),
            Err(SoftwareStatementError::Expired { exp: 1000 })
        );
    }

    #[test]
    fn crit_is_refused() {
        // Only the header matters: the check comes before any key is looked at.
        let header =
            data_encoding::BASE64URL_NOPAD.encode(br#"{"alg":"ES256","crit":["b64"],"b64":false}"#);
        let result = verify_at(&format!("{header}.e30.c2ln"), &public(), 0);
        assert!(matches!(
            result,
            Err(SoftwareStatementError::Malformed { .. })
        ));
    }
}
