//! Verification of a software statement against its issuer's public keys.

use std::time::{SystemTime, UNIX_EPOCH};

use super::{claims_object, SoftwareStatementClaims, SoftwareStatementError};
use crate::{jws, Jwk, JwsAlgorithm};

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
///    `ES256`, `ES384`, `EdDSA` and `Ed25519` are
///    [`UnsupportedAlgorithm`](SoftwareStatementError::UnsupportedAlgorithm). A `crit` header
///    is [`Malformed`](SoftwareStatementError::Malformed): no extension is understood.
/// 3. Choose the keys: with a `kid` header, the keys with that `kid`
///    ([`UnknownKey`](SoftwareStatementError::UnknownKey) if there is none); without one, all
///    keys. Of those, only keys of the algorithm's type (RSA, EC on the algorithm's curve, or
///    OKP Ed25519) whose `alg`, `use` and `key_ops` (when present) allow verifying with that
///    algorithm
///    ([`NoMatchingKey`](SoftwareStatementError::NoMatchingKey) if none is left;
///    [`InvalidKey`](SoftwareStatementError::InvalidKey) if all left have unusable parameters,
///    such as an RSA modulus under 2048 bits).
/// 4. Check the signature with each chosen key until one verifies
///    ([`BadSignature`](SoftwareStatementError::BadSignature) if none does).
/// 5. Read the claims: `iss` is required ([`MissingIss`](SoftwareStatementError::MissingIss)),
///    and `exp`, when present, must be in the future by the system clock
///    ([`Expired`](SoftwareStatementError::Expired)); there is no leeway.
///
/// The signature check is [`jws::verify_compact`]'s. See
/// [`sign_software_statement`](super::sign_software_statement) for an example.
///
/// # Errors
///
/// As listed above.
pub fn verify_software_statement(
    jwt: &str,
    keys: &[Jwk],
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
    keys: &[Jwk],
    now: i64,
) -> Result<VerifiedSoftwareStatement, SoftwareStatementError> {
    // Every supported algorithm suits a software statement; `none` and HMAC never get here.
    let verified = jws::verify_compact(jwt, keys, |_| true)?;
    // Claims are read only now: before the signature verified they are attacker-controlled,
    // and a tampered payload must report as a bad signature, not as whatever it became.
    let claims = SoftwareStatementClaims::from_json_object(&claims_object(&verified.payload)?)?;
    if let Some(exp) = claims.exp {
        // RFC 7519 §4.1.4: the current time must be *before* `exp`.
        if now >= exp {
            return Err(SoftwareStatementError::Expired { exp });
        }
    }
    Ok(VerifiedSoftwareStatement {
        claims,
        alg: verified.alg,
        kid: verified.key.kid().map(str::to_owned),
    })
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

    fn public() -> Vec<Jwk> {
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
