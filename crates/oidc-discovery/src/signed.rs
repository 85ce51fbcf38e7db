//! `signed_metadata` (RFC 8414 §2.1): a JWT whose claims are metadata values that, once its
//! signature is verified with a key the caller trusts, take precedence over the plain ones.

use std::time::{SystemTime, UNIX_EPOCH};

use oidc_types::json::JsonObjectError;
use oidc_types::jws::{verify_compact, JwsError};
use oidc_types::Jwk;
use serde_json::{Map, Value};

/// JWT claims that describe the token itself rather than the server; they are checked here and
/// never copied into the metadata.
const JWT_CLAIMS: [&str; 7] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

/// Verifies `token` with one of `keys` and returns the metadata claims to overlay.
///
/// The signature is checked by [`oidc_types::jws::verify_compact`]: the header's `alg` must be
/// one it supports (RS*, PS*, ES256, ES384, EdDSA: `none` and HMAC are refused, as a MAC key
/// would have to be shared with the provider), the key is picked by the header's `kid` when
/// there is one, and by type, `alg`, `use` and `key_ops`. Then `iss` must satisfy `issuer_ok`,
/// and an `exp` in the past or an `nbf` in the future is refused.
pub(crate) fn verify(
    token: &str,
    keys: &[Jwk],
    issuer_ok: impl Fn(&str) -> bool,
) -> Result<Map<String, Value>, String> {
    let verified = verify_compact(token, keys, |_| true).map_err(describe)?;
    // A claim set that names a claim twice is refused (RFC 7519 §4 allows either that or
    // keeping the last; refusing is the one that cannot be read two ways).
    match oidc_types::json::parse_object(&verified.payload) {
        Ok(claims) => check_claims(claims, issuer_ok),
        Err(JsonObjectError::DuplicateMember { member }) => Err(format!(
            "its payload has the claim {member:?} more than once"
        )),
        Err(_) => Err("its payload is not a JSON object".to_owned()),
    }
}

/// The reason given in [`DiscoveryError::InvalidSignedMetadata`](crate::DiscoveryError).
fn describe(error: JwsError) -> String {
    match error {
        JwsError::Malformed { reason } => format!("not a compact JWS: {reason}"),
        JwsError::Unsigned => "algorithm \"none\" is not accepted".to_owned(),
        JwsError::UnsupportedAlgorithm { alg } => format!("algorithm {alg:?} is not accepted"),
        JwsError::UnknownKey { kid, alg }
        | JwsError::NoMatchingKey {
            alg,
            kid: Some(kid),
        } => format!("no trusted key with kid {kid:?} verifies {alg}"),
        JwsError::NoMatchingKey { alg, kid: None } => format!("no trusted key verifies {alg}"),
        JwsError::InvalidKey { reason } => format!("no trusted key can be used: {reason}"),
        JwsError::BadSignature => "the signature does not verify with any trusted key".to_owned(),
        other => other.to_string(),
    }
}

fn check_claims(
    mut claims: Map<String, Value>,
    issuer_ok: impl Fn(&str) -> bool,
) -> Result<Map<String, Value>, String> {
    match claims.get("iss") {
        Some(Value::String(iss)) if issuer_ok(iss) => {}
        Some(Value::String(iss)) => {
            return Err(format!("its iss {iss:?} is not the issuer being loaded"))
        }
        _ => return Err("it has no iss claim".to_owned()),
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    if let Some(exp) = claims.get("exp") {
        match exp.as_u64() {
            Some(exp) if exp > now => {}
            Some(_) => return Err("it has expired (exp)".to_owned()),
            None => return Err("its exp is not a number of seconds".to_owned()),
        }
    }
    if let Some(nbf) = claims.get("nbf") {
        match nbf.as_u64() {
            Some(nbf) if nbf <= now => {}
            Some(_) => return Err("it is not valid yet (nbf)".to_owned()),
            None => return Err("its nbf is not a number of seconds".to_owned()),
        }
    }
    for claim in JWT_CLAIMS {
        claims.remove(claim);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(object) => object,
            _ => Map::new(),
        }
    }

    #[test]
    fn claims_need_the_issuer_and_a_valid_time() {
        let ok = |iss: &str| iss == "https://as.example";
        let claims = check_claims(
            object(
                json!({"iss": "https://as.example", "iat": 1, "exp": 4_000_000_000_u64,
                "token_endpoint": "https://as.example/token"}),
            ),
            ok,
        );
        let claims = claims.unwrap();
        assert_eq!(claims.len(), 1, "{claims:?}");
        assert!(claims.contains_key("token_endpoint"));

        for (claims, reason) in [
            (json!({}), "no iss"),
            (json!({"iss": "https://evil.example"}), "not the issuer"),
            (json!({"iss": "https://as.example", "exp": 1}), "expired"),
            (json!({"iss": "https://as.example", "exp": "soon"}), "exp"),
            (
                json!({"iss": "https://as.example", "nbf": 4_000_000_000_u64}),
                "not valid yet",
            ),
        ] {
            let error = check_claims(object(claims), ok).unwrap_err();
            assert!(error.contains(reason), "{error}");
        }
    }

    #[test]
    fn garbage_and_unaccepted_algorithms_are_refused() {
        let error = verify("not a jwt", &[], |_| true).unwrap_err();
        assert_eq!(
            error,
            "not a compact JWS: expected 3 dot-separated parts, found 1"
        );
        assert!(error.starts_with("not a compact JWS"), "{error}");
        // {"alg":"none"}.{"iss":"x"}.
        let error = verify("eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.", &[], |_| true).unwrap_err();
        assert_eq!(error, "algorithm \"none\" is not accepted");
        // {"alg":"HS256"}.{"iss":"x"}.AAAA
        let error = verify("eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJ4In0.AAAA", &[], |_| true).unwrap_err();
        assert_eq!(error, "algorithm \"HS256\" is not accepted");
        // {"alg":"ES256","kid":"k"}.{"iss":"x"}.AAAA with no keys.
        let error = verify(
            "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsifQ.eyJpc3MiOiJ4In0.AAAA",
            &[],
            |_| true,
        )
        .unwrap_err();
        assert_eq!(error, "no trusted key with kid \"k\" verifies ES256");
    }
}
