//! Compact JWS (RFC 7515 §7.1) verification with public [`Jwk`]s, on ring.
//!
//! One implementation serves both software statements
//! ([`verify_software_statement`](crate::verify_software_statement)) and `oidc-discovery`'s
//! `signed_metadata`. Supported algorithms ([`SUPPORTED_ALGORITHMS`]): `RS256`, `RS384`,
//! `RS512` and `PS256`, `PS384`, `PS512` (RSA keys of 2048 to 8192 bits), `ES256` (EC P-256),
//! `ES384` (EC P-384), and `EdDSA` / `Ed25519` (OKP Ed25519). `none` and the HMAC algorithms
//! are always refused: the keys here are public, and accepting HMAC with a public key as the
//! secret is the classic key-confusion forgery.
//!
//! This module checks the signature only. What the payload means (a JWT's `iss`, `exp`, …) is
//! for the caller.

use data_encoding::BASE64URL_NOPAD;
use ring::signature::{
    self, EcdsaVerificationAlgorithm, RsaParameters, RsaPublicKeyComponents, UnparsedPublicKey,
};
use serde_json::{Map, Value};

use crate::{Jwk, JwsAlgorithm};

/// The algorithms [`verify_compact`] can check, by JOSE name.
pub const SUPPORTED_ALGORITHMS: [&str; 10] = [
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA", "Ed25519",
];

/// Why a compact JWS did not verify.
///
/// The messages never include key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwsError {
    /// Not a compact JWS with a JSON object header carrying a string `alg`, or it uses a
    /// critical header extension (`crit`), none of which is understood here.
    #[error("malformed JWS: {reason}")]
    Malformed {
        /// What is wrong.
        reason: String,
    },
    /// `"alg": "none"`: not signed.
    #[error("not signed (alg \"none\")")]
    Unsigned,
    /// The algorithm is not one of [`SUPPORTED_ALGORITHMS`], or the caller does not accept it.
    #[error("unsupported algorithm {alg:?}")]
    UnsupportedAlgorithm {
        /// The `alg` header, as given.
        alg: String,
    },
    /// The header names a `kid` that none of the keys has.
    #[error("no key with kid {kid:?}")]
    UnknownKey {
        /// The `kid` header.
        kid: String,
        /// The `alg` header.
        alg: String,
    },
    /// No key (of the `kid`, when the header has one) fits the algorithm: wrong key type or
    /// curve, or an `alg`, `use` or `key_ops` that says otherwise.
    #[error("no key fits algorithm {alg}")]
    NoMatchingKey {
        /// The `alg` header.
        alg: String,
        /// The `kid` header, if any.
        kid: Option<String>,
    },
    /// Every key that fits has parameters that cannot be used (an RSA modulus under 2048 bits,
    /// EC coordinates of the wrong size, a member that is not base64url).
    #[error("invalid key: {reason}")]
    InvalidKey {
        /// What is wrong with the first such key (never the key itself).
        reason: String,
    },
    /// The signature does not verify with any key that fits.
    #[error("signature does not verify")]
    BadSignature,
}

/// A JWS whose signature verified.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct VerifiedJws<'k> {
    /// The protected header.
    pub header: Map<String, Value>,
    /// The payload, as signed.
    pub payload: Vec<u8>,
    /// The `alg` header.
    pub alg: JwsAlgorithm,
    /// The key that verified the signature.
    pub key: &'k Jwk,
}

/// Verifies a compact JWS with one of `keys` and returns its header and payload.
///
/// ASCII whitespace inside `token` is ignored. The steps:
///
/// 1. Parse the token; its header must be a JSON object with a string `alg`, and a `kid`, when
///    present, must be a string ([`Malformed`](JwsError::Malformed)).
/// 2. `none` is [`Unsigned`](JwsError::Unsigned); an algorithm outside
///    [`SUPPORTED_ALGORITHMS`], or one `accept_alg` refuses, is
///    [`UnsupportedAlgorithm`](JwsError::UnsupportedAlgorithm). A `crit` header is
///    [`Malformed`](JwsError::Malformed) (RFC 7515 §4.1.11: no extension is understood here).
/// 3. Choose the keys: with a `kid` header, the keys with that `kid`
///    ([`UnknownKey`](JwsError::UnknownKey) if none); without one, all keys. Of those, the
///    keys that [`can_verify`] the algorithm ([`NoMatchingKey`](JwsError::NoMatchingKey) if
///    none is left).
/// 4. Check the signature with each chosen key, in order, until one verifies
///    ([`BadSignature`](JwsError::BadSignature) if none does, or
///    [`InvalidKey`](JwsError::InvalidKey) if no key could even be used).
///
/// ```
/// use oidc_types::jws::{verify_compact, JwsError};
/// use oidc_types::Jwk;
///
/// let key: Jwk = serde_json::from_str(r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)?;
/// // RFC 8037 Appendix A.4.
/// let token = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
/// let keys = [key];
/// let verified = verify_compact(token, &keys, |_| true)?;
/// assert_eq!(verified.payload, b"Example of Ed25519 signing");
/// assert_eq!(verified.alg.as_str(), "EdDSA");
///
/// // The caller decides which of the supported algorithms it accepts.
/// let refused = verify_compact(token, &keys, |alg| alg.starts_with("ES"));
/// assert_eq!(refused.unwrap_err(), JwsError::UnsupportedAlgorithm { alg: "EdDSA".into() });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// As listed above.
pub fn verify_compact<'k>(
    token: &str,
    keys: &'k [Jwk],
    accept_alg: impl Fn(&str) -> bool,
) -> Result<VerifiedJws<'k>, JwsError> {
    let jws = CompactJws::parse(token)?;
    let alg_name = jws
        .header_string("alg")?
        .ok_or_else(|| malformed("header has no `alg`"))?
        .to_owned();
    let alg = JwsAlgorithm::from(alg_name.as_str());
    let verifier = Verifier::for_alg(&alg)?;
    if !accept_alg(&alg_name) {
        return Err(JwsError::UnsupportedAlgorithm { alg: alg_name });
    }
    if jws.header.contains_key("crit") {
        return Err(malformed(
            "critical header extensions (`crit`) are not supported",
        ));
    }
    let kid = jws.header_string("kid")?.map(str::to_owned);

    let candidates: Vec<&Jwk> = match &kid {
        Some(kid) => {
            let named: Vec<&Jwk> = keys
                .iter()
                .filter(|key| key.kid() == Some(kid.as_str()))
                .collect();
            if named.is_empty() {
                return Err(JwsError::UnknownKey {
                    kid: kid.clone(),
                    alg: alg_name,
                });
            }
            named
                .into_iter()
                .filter(|key| verifier.fits(key, &alg_name))
                .collect()
        }
        None => keys
            .iter()
            .filter(|key| verifier.fits(key, &alg_name))
            .collect(),
    };
    if candidates.is_empty() {
        return Err(JwsError::NoMatchingKey { alg: alg_name, kid });
    }

    let mut tried_any = false;
    let mut first_invalid = None;
    for key in candidates {
        match verifier.verify(key, jws.signing_input.as_bytes(), &jws.signature) {
            Ok(true) => {
                return Ok(VerifiedJws {
                    header: jws.header,
                    payload: jws.payload,
                    alg,
                    key,
                })
            }
            Ok(false) => tried_any = true,
            Err(reason) => {
                first_invalid.get_or_insert(reason);
            }
        }
    }
    Err(match first_invalid {
        Some(reason) if !tried_any => JwsError::InvalidKey { reason },
        _ => JwsError::BadSignature,
    })
}

/// Whether `key` may verify a JWS signed with `alg` (JOSE name): `alg` is one of
/// [`SUPPORTED_ALGORITHMS`], the key's type suits it (`RS*`, `PS*`: `RSA`; `ES256`: `EC`
/// P-256; `ES384`: `EC` P-384; `EdDSA`, `Ed25519`: `OKP` Ed25519), and the key's `alg`, `use`
/// and `key_ops`, when present, allow it (`alg` the same, `use` `sig`, `key_ops` holding
/// `verify`).
///
/// It does not look at the key's parameters; a key that fits can still turn out unusable.
pub fn can_verify(key: &Jwk, alg: &str) -> bool {
    Verifier::for_alg(&JwsAlgorithm::from(alg)).is_ok_and(|verifier| verifier.fits(key, alg))
}

/// `BASE64URL(header) . BASE64URL(payload) . BASE64URL(signature)`, the signature made by
/// `sign` over the first two parts.
pub(crate) fn sign_compact<E>(
    header: &[u8],
    payload: &[u8],
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, E>,
) -> Result<String, E> {
    let mut jws = format!(
        "{}.{}",
        BASE64URL_NOPAD.encode(header),
        BASE64URL_NOPAD.encode(payload)
    );
    let signature = sign(jws.as_bytes())?;
    jws.push('.');
    jws.push_str(&BASE64URL_NOPAD.encode(&signature));
    Ok(jws)
}

/// The decoded parts of a compact JWS, nothing checked but the encoding.
#[derive(Debug)]
pub(crate) struct CompactJws {
    /// `BASE64URL(header) || '.' || BASE64URL(payload)`: what the signature covers.
    signing_input: String,
    header: Map<String, Value>,
    pub(crate) payload: Vec<u8>,
    signature: Vec<u8>,
}

impl CompactJws {
    pub(crate) fn parse(token: &str) -> Result<Self, JwsError> {
        // Tokens copied from documents (RFC text, for one) carry line breaks and spaces;
        // base64url has no whitespace, so removing it cannot change a valid token.
        let compact: String = token.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let segments: Vec<&str> = compact.split('.').collect();
        let [header_b64, payload_b64, signature_b64] = segments.as_slice() else {
            return Err(malformed(format!(
                "expected 3 dot-separated parts, found {}",
                segments.len()
            )));
        };
        let header = match serde_json::from_slice(&decode_segment(header_b64, "header")?) {
            Ok(Value::Object(header)) => header,
            _ => return Err(malformed("header is not a JSON object")),
        };
        Ok(Self {
            signing_input: format!("{header_b64}.{payload_b64}"),
            header,
            payload: decode_segment(payload_b64, "payload")?,
            signature: decode_segment(signature_b64, "signature")?,
        })
    }

    /// A string header parameter; absent is `None`, any other type is malformed.
    fn header_string(&self, name: &str) -> Result<Option<&str>, JwsError> {
        match self.header.get(name) {
            None => Ok(None),
            Some(Value::String(value)) => Ok(Some(value)),
            Some(_) => Err(malformed(format!("header `{name}` is not a string"))),
        }
    }
}

fn decode_segment(segment: &str, what: &str) -> Result<Vec<u8>, JwsError> {
    BASE64URL_NOPAD
        .decode(segment.as_bytes())
        .map_err(|_| malformed(format!("{what} is not unpadded base64url")))
}

fn malformed(reason: impl Into<String>) -> JwsError {
    JwsError::Malformed {
        reason: reason.into(),
    }
}

/// How to check a signature for one `alg`.
enum Verifier {
    Rsa(&'static RsaParameters),
    Ecdsa {
        curve: &'static str,
        /// The size of one coordinate, which JWK `x` and `y` must have exactly (RFC 7518
        /// §6.2.1.2).
        coordinate_len: usize,
        algorithm: &'static EcdsaVerificationAlgorithm,
    },
    Ed25519,
}

impl Verifier {
    fn for_alg(alg: &JwsAlgorithm) -> Result<Self, JwsError> {
        Ok(match alg {
            JwsAlgorithm::None => return Err(JwsError::Unsigned),
            JwsAlgorithm::Rs256 => Self::Rsa(&signature::RSA_PKCS1_2048_8192_SHA256),
            JwsAlgorithm::Rs384 => Self::Rsa(&signature::RSA_PKCS1_2048_8192_SHA384),
            JwsAlgorithm::Rs512 => Self::Rsa(&signature::RSA_PKCS1_2048_8192_SHA512),
            JwsAlgorithm::Ps256 => Self::Rsa(&signature::RSA_PSS_2048_8192_SHA256),
            JwsAlgorithm::Ps384 => Self::Rsa(&signature::RSA_PSS_2048_8192_SHA384),
            JwsAlgorithm::Ps512 => Self::Rsa(&signature::RSA_PSS_2048_8192_SHA512),
            // The *_FIXED algorithms take r || s, the signature form of JWS (RFC 7518 §3.4).
            JwsAlgorithm::Es256 => Self::Ecdsa {
                curve: "P-256",
                coordinate_len: 32,
                algorithm: &signature::ECDSA_P256_SHA256_FIXED,
            },
            JwsAlgorithm::Es384 => Self::Ecdsa {
                curve: "P-384",
                coordinate_len: 48,
                algorithm: &signature::ECDSA_P384_SHA384_FIXED,
            },
            // RFC 8037 `EdDSA` names the curve in the key; RFC 9864 `Ed25519` in the algorithm.
            // This library knows only Ed25519 keys, so both come to the same check.
            JwsAlgorithm::EdDsa | JwsAlgorithm::Ed25519 => Self::Ed25519,
            // HS* needs a shared secret (see the module docs); ES512 and ES256K are not in ring.
            other => {
                return Err(JwsError::UnsupportedAlgorithm {
                    alg: other.as_str().to_owned(),
                })
            }
        })
    }

    /// Whether `key` is of the right type and nothing it declares forbids verifying `alg`.
    fn fits(&self, key: &Jwk, alg: &str) -> bool {
        let use_allows = key.key_use().is_none_or(|usage| usage == "sig");
        let ops_allow = key.key_ops().is_none_or(|ops| ops.contains(&"verify"));
        let alg_agrees = key.alg().is_none_or(|declared| declared == alg);
        let type_fits = match self {
            Self::Rsa(_) => key.kty() == "RSA",
            Self::Ecdsa { curve, .. } => key.kty() == "EC" && key.crv() == Some(curve),
            Self::Ed25519 => key.kty() == "OKP" && key.crv() == Some("Ed25519"),
        };
        use_allows && ops_allow && alg_agrees && type_fits
    }

    /// `Ok(true)` if the signature verifies with `key`, `Ok(false)` if not, `Err` with a reason
    /// when the key's parameters cannot be used at all.
    fn verify(&self, key: &Jwk, message: &[u8], sig: &[u8]) -> Result<bool, String> {
        // Only needed for an error, so not built for every key tried.
        let named = || {
            key.kid()
                .map_or_else(String::new, |kid| format!(" {kid:?}"))
        };
        let member = |name: &str| {
            key.decode_member(name).ok_or_else(|| {
                format!(
                    "{} key{} has no base64url {name:?} member",
                    key.kty(),
                    named()
                )
            })
        };
        match self {
            Self::Rsa(parameters) => {
                let (n, e) = (member("n")?, member("e")?);
                let bits = significant_bits(&n);
                // ring refuses these sizes for verification; saying so beats a bad signature.
                if !(2048..=8192).contains(&bits) {
                    return Err(format!(
                        "RSA key{} has {bits} bits, 2048 to 8192 are supported",
                        named()
                    ));
                }
                let public = RsaPublicKeyComponents { n: &n, e: &e };
                Ok(public.verify(parameters, message, sig).is_ok())
            }
            Self::Ecdsa {
                coordinate_len,
                algorithm,
                ..
            } => {
                let (x, y) = (member("x")?, member("y")?);
                if x.len() != *coordinate_len || y.len() != *coordinate_len {
                    return Err(format!(
                        "EC key{} coordinates are not {coordinate_len} bytes each",
                        named()
                    ));
                }
                // Uncompressed SEC 1 point: 0x04 || x || y.
                let mut point = Vec::with_capacity(1 + 2 * coordinate_len);
                point.push(0x04);
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                let public = UnparsedPublicKey::new(*algorithm, &point);
                Ok(public.verify(message, sig).is_ok())
            }
            Self::Ed25519 => {
                let x = member("x")?;
                if x.len() != 32 {
                    return Err(format!("Ed25519 key{} x is not 32 bytes", named()));
                }
                let public = UnparsedPublicKey::new(&signature::ED25519, &x);
                Ok(public.verify(message, sig).is_ok())
            }
        }
    }
}

/// The size in bits of a big-endian unsigned integer, leading zeros not counted.
fn significant_bits(bytes: &[u8]) -> usize {
    let Some(start) = bytes.iter().position(|byte| *byte != 0) else {
        return 0;
    };
    let significant = bytes.get(start..).unwrap_or_default();
    let leading = significant
        .first()
        .map_or(0, |byte| usize::try_from(byte.leading_zeros()).unwrap_or(0));
    significant.len() * 8 - leading
}

#[cfg(test)]
mod tests {
    use ring::rand::SystemRandom;
    use ring::signature::{Ed25519KeyPair, KeyPair};
    use serde_json::json;

    use super::*;

    fn ed25519() -> (Ed25519KeyPair, Jwk) {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        let x = BASE64URL_NOPAD.encode(pair.public_key().as_ref());
        let jwk =
            Jwk::from_value(json!({"kty": "OKP", "crv": "Ed25519", "kid": "ed", "x": x})).unwrap();
        (pair, jwk)
    }

    fn signed(pair: &Ed25519KeyPair, header: &Value, payload: &[u8]) -> String {
        sign_compact(header.to_string().as_bytes(), payload, |input| {
            Ok::<_, ()>(pair.sign(input).as_ref().to_vec())
        })
        .unwrap()
    }

    #[test]
    fn eddsa_and_ed25519_verify_with_an_okp_key() {
        let (pair, jwk) = ed25519();
        for alg in ["EdDSA", "Ed25519"] {
            let token = signed(&pair, &json!({"alg": alg, "kid": "ed"}), b"payload");
            let keys = [jwk.clone()];
            let verified = verify_compact(&token, &keys, |_| true).unwrap();
            assert_eq!(verified.payload, b"payload");
            assert_eq!(verified.alg.as_str(), alg);
            assert_eq!(verified.key.kid(), Some("ed"));
            assert_eq!(verified.header["kid"], "ed");
        }
        // An X25519 key is not an Ed25519 key, whatever its bytes.
        let mut x25519 = jwk.clone().into_object();
        x25519.insert("crv".into(), json!("X25519"));
        let token = signed(&pair, &json!({"alg": "EdDSA"}), b"payload");
        assert_eq!(
            verify_compact(&token, &[Jwk::from_object(x25519).unwrap()], |_| true),
            Err(JwsError::NoMatchingKey {
                alg: "EdDSA".into(),
                kid: None
            })
        );
        // Another Ed25519 key does not verify it.
        let (_, other) = ed25519();
        assert_eq!(
            verify_compact(&token, &[other], |_| true),
            Err(JwsError::BadSignature)
        );
    }

    #[test]
    fn unusable_keys_are_invalid_keys_unless_another_verifies() {
        let (pair, jwk) = ed25519();
        let token = signed(&pair, &json!({"alg": "EdDSA"}), b"p");
        let short = Jwk::from_value(json!({"kty": "OKP", "crv": "Ed25519", "x": "AQAB"})).unwrap();
        let error = verify_compact(&token, std::slice::from_ref(&short), |_| true).unwrap_err();
        assert!(
            matches!(&error, JwsError::InvalidKey { reason } if reason.contains("32 bytes")),
            "{error}"
        );
        let missing = Jwk::from_value(json!({"kty": "OKP", "crv": "Ed25519"})).unwrap();
        let error = verify_compact(&token, std::slice::from_ref(&missing), |_| true).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid key: OKP key has no base64url \"x\" member"
        );
        assert!(verify_compact(&token, &[short, missing, jwk], |_| true).is_ok());
    }

    #[test]
    fn key_selection_follows_type_alg_use_and_key_ops() {
        let rsa = |extra: Value| {
            let mut key = json!({"kty": "RSA", "n": "AQAB", "e": "AQAB"});
            key.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            Jwk::from_value(key).unwrap()
        };
        assert!(can_verify(&rsa(json!({})), "RS256"));
        assert!(can_verify(
            &rsa(json!({"use": "sig", "alg": "PS384"})),
            "PS384"
        ));
        assert!(can_verify(&rsa(json!({"key_ops": ["verify"]})), "RS512"));
        assert!(!can_verify(&rsa(json!({"alg": "PS384"})), "RS256"));
        assert!(!can_verify(&rsa(json!({"use": "enc"})), "RS256"));
        assert!(!can_verify(&rsa(json!({"key_ops": ["sign"]})), "RS256"));
        assert!(!can_verify(&rsa(json!({})), "ES256"));
        assert!(!can_verify(&rsa(json!({})), "HS256"));
        assert!(!can_verify(&rsa(json!({})), "none"));
        let ec = |crv: &str| {
            Jwk::from_value(json!({"kty": "EC", "crv": crv, "x": "AA", "y": "AA"})).unwrap()
        };
        assert!(can_verify(&ec("P-256"), "ES256"));
        assert!(!can_verify(&ec("P-256"), "ES384"));
        assert!(can_verify(&ec("P-384"), "ES384"));
        assert!(!can_verify(&ec("P-521"), "ES512"));
        assert!(!can_verify(&ec("secp256k1"), "ES256K"));
        let oct = Jwk::from_value(json!({"kty": "oct", "k": "AQAB"})).unwrap();
        assert!(!can_verify(&oct, "HS256"));
    }

    #[test]
    fn refusals_come_before_any_key_is_looked_at() {
        let token = |header: Value| {
            format!(
                "{}.e30.",
                BASE64URL_NOPAD.encode(header.to_string().as_bytes())
            )
        };
        assert_eq!(
            verify_compact(&token(json!({"alg": "none"})), &[], |_| true),
            Err(JwsError::Unsigned)
        );
        for alg in ["HS256", "ES512", "ES256K", "RSA-OAEP"] {
            assert_eq!(
                verify_compact(&token(json!({"alg": alg})), &[], |_| true),
                Err(JwsError::UnsupportedAlgorithm { alg: alg.into() })
            );
        }
        assert_eq!(
            verify_compact(&token(json!({"alg": "RS256"})), &[], |alg| alg != "RS256"),
            Err(JwsError::UnsupportedAlgorithm {
                alg: "RS256".into()
            })
        );
        assert!(matches!(
            verify_compact(
                &token(json!({"alg": "RS256", "crit": ["exp"]})),
                &[],
                |_| true
            ),
            Err(JwsError::Malformed { .. })
        ));
        assert_eq!(
            verify_compact(&token(json!({"alg": "RS256", "kid": "k"})), &[], |_| true),
            Err(JwsError::UnknownKey {
                kid: "k".into(),
                alg: "RS256".into()
            })
        );
    }

    #[test]
    fn bits_ignore_leading_zeros() {
        assert_eq!(significant_bits(&[]), 0);
        assert_eq!(significant_bits(&[0, 0]), 0);
        assert_eq!(significant_bits(&[0, 1]), 1);
        assert_eq!(significant_bits(&[0x80, 0]), 16);
        assert_eq!(significant_bits(&[0, 0x7f, 0xff]), 15);
    }
}
