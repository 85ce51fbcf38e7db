use std::time::{Duration, SystemTime};

use biscuit::jwa::{Algorithm, SignatureAlgorithm};
use biscuit::jwk::{AlgorithmParameters, EllipticCurve, PublicKeyUse, JWK};
use biscuit::Empty;
use oidc_telemetry::{instrument, Operation};
use oidc_types::ProviderMetadata;
use serde_json::Value;

use crate::fetch::get_json;
use crate::{DiscoveryError, DiscoveryOptions};

/// A provider's JSON Web Key Set, read key by key.
///
/// RFC 7517 §5 asks readers to ignore keys they do not understand, so a key of an unknown `kty`,
/// curve or `alg` lands in [`skipped`](Self::skipped) with the reason instead of failing the
/// whole set. Skipped are: key types other than `RSA`, `EC` and `oct` (`OKP` keys for EdDSA or
/// X25519, post-quantum `AKP`, anything invented), curves other than P-256 and P-384 (`P-521`
/// and `secp256k1` cannot be verified with the crypto this library builds on), an `alg` that
/// is not a registered JOSE algorithm (`EdDSA`, `ES256K`, …), and keys with malformed members.
/// (`biscuit`'s own `JWKSet` rejects the whole set for any one of these, so it is not used.)
///
/// Look keys up with [`find_by_kid`](Self::find_by_kid), or with [`select`](Self::select) /
/// [`candidates`](Self::candidates) for a JWS algorithm, which also work when a token's header
/// names no `kid`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Jwks {
    /// The keys that could be read.
    pub keys: Vec<JWK<Empty>>,
    /// The keys that were left out, with the reason.
    pub skipped: Vec<SkippedKey>,
    /// When the set was received.
    pub fetched_at: SystemTime,
    /// How long after `fetched_at` the set may be used.
    pub expires_in: Duration,
}

/// A key of a JWK set that was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SkippedKey {
    /// Its position in the `keys` array.
    pub index: usize,
    /// Its `kid`, if it had one.
    pub kid: Option<String>,
    /// Its `kty`, if it had one.
    pub kty: Option<String>,
    /// Why it was left out.
    pub reason: String,
}

impl Jwks {
    /// Reads a JWK set document: a JSON object with a `keys` array.
    ///
    /// ```
    /// use oidc_discovery::Jwks;
    ///
    /// let jwks = Jwks::from_json(br#"{"keys":[
    ///     {"kty":"RSA","kid":"a","n":"sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw","e":"AQAB"},
    ///     {"kty":"AKP","kid":"b","alg":"ML-DSA-44","pub":"abc"}
    /// ]}"#).unwrap();
    /// assert_eq!(jwks.keys.len(), 1);
    /// assert_eq!(jwks.skipped[0].kid.as_deref(), Some("b"));
    /// ```
    ///
    /// # Errors
    ///
    /// A description of the problem when the body is not a JSON object with a `keys` array.
    pub fn from_json(body: &[u8]) -> Result<Self, String> {
        Self::from_json_with(body, false)
    }

    /// Reads a JWK set document like [`from_json`](Self::from_json); with
    /// `tolerate_malformed_values`, key members (`n`, `e`, `x`, `y`) written in standard base64
    /// (`+`, `/`, `=` padding, as Battle.net's keys are) instead of the base64url RFC 7517
    /// requires are read too. The two alphabets differ only in those characters, so the value
    /// is not in doubt; strictly, such a key is skipped.
    /// [`load_jwks`] passes [`Quirks::tolerate_malformed_values`](crate::Quirks::tolerate_malformed_values).
    ///
    /// # Errors
    ///
    /// As [`from_json`](Self::from_json).
    pub fn from_json_with(body: &[u8], tolerate_malformed_values: bool) -> Result<Self, String> {
        let document: Value =
            serde_json::from_slice(body).map_err(|error| format!("not JSON: {error}"))?;
        let Value::Object(mut document) = document else {
            return Err("the document is not a JSON object".to_owned());
        };
        let Some(Value::Array(entries)) = document.remove("keys") else {
            return Err("the document has no \"keys\" array".to_owned());
        };
        let mut keys = Vec::with_capacity(entries.len());
        let mut skipped = Vec::new();
        for (index, mut entry) in entries.into_iter().enumerate() {
            if tolerate_malformed_values {
                to_base64url(&mut entry);
            }
            let text = |name: &str| entry.get(name).and_then(Value::as_str).map(str::to_owned);
            let (kid, kty, crv) = (text("kid"), text("kty"), text("crv"));
            let parsed = if !entry.is_object() {
                Err("the key is not a JSON object".to_owned())
            } else if let Some(reason) = unsupported(kty.as_deref(), crv.as_deref()) {
                Err(reason)
            } else {
                serde_json::from_value::<JWK<Empty>>(entry).map_err(|error| error.to_string())
            };
            match parsed {
                Ok(key) => keys.push(key),
                Err(reason) => skipped.push(SkippedKey {
                    index,
                    kid,
                    kty,
                    reason,
                }),
            }
        }
        Ok(Self {
            keys,
            skipped,
            fetched_at: SystemTime::now(),
            expires_in: Duration::ZERO,
        })
    }

    /// The key with this `kid`, whatever its type or use; the first one if the set repeats a
    /// `kid`.
    pub fn find_by_kid(&self, kid: &str) -> Option<&JWK<Empty>> {
        self.keys
            .iter()
            .find(|key| key.common.key_id.as_deref() == Some(kid))
    }

    /// The key with this `kid`; the same as [`find_by_kid`](Self::find_by_kid).
    pub fn find(&self, kid: &str) -> Option<&JWK<Empty>> {
        self.find_by_kid(kid)
    }

    /// The keys that can verify a JWS signed with `alg` (`"RS256"`, `"ES384"`, …), in set
    /// order; with a `kid`, only keys of that `kid`.
    ///
    /// A key fits when its type suits the algorithm (`RS*` and `PS*`: `RSA`; `ES256`: `EC`
    /// P-256; `ES384`: `EC` P-384), its `use` is absent or `sig`, and its `alg` is absent or
    /// `alg`. Other algorithms (`HS*`, which use the client secret, `none`, `EdDSA`, …) fit no
    /// key.
    pub fn candidates(&self, kid: Option<&str>, alg: &str) -> Vec<&JWK<Empty>> {
        self.keys.iter().filter(|key| fits(key, kid, alg)).collect()
    }

    /// The key to verify a JWS signed with `alg`: with a `kid`, the key of that `kid` if it
    /// fits `alg`; without one, the first key that fits (see [`candidates`](Self::candidates)).
    ///
    /// Without a `kid`, OIDC Core §10.1 expects the set to hold one key for the purpose, which
    /// is what this picks: a set with an RSA signing key, an RSA encryption key, an EC P-256
    /// key and an Ed25519 key gives the RSA signing key for `RS256` and the P-256 key for
    /// `ES256`. When several keys fit, try each of [`candidates`](Self::candidates) instead.
    ///
    /// ```
    /// use oidc_discovery::Jwks;
    ///
    /// let jwks = Jwks::from_json(br#"{"keys":[
    ///     {"kty":"RSA","use":"enc","alg":"RSA-OAEP","n":"sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw","e":"AQAB"},
    ///     {"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}
    /// ]}"#).unwrap();
    /// assert!(jwks.select(None, "ES256").is_some());
    /// // The only RSA key is for encryption.
    /// assert!(jwks.select(None, "RS256").is_none());
    /// ```
    pub fn select(&self, kid: Option<&str>, alg: &str) -> Option<&JWK<Empty>> {
        self.keys.iter().find(|key| fits(key, kid, alg))
    }
}

/// Whether `key` can verify a JWS signed with `alg` and, with a `kid`, has that `kid`: the rule
/// of [`Jwks::candidates`].
pub(crate) fn fits(key: &JWK<Empty>, kid: Option<&str>, alg: &str) -> bool {
    kid.is_none_or(|kid| key.common.key_id.as_deref() == Some(kid)) && verifies(key, alg)
}

/// Rewrites the public key members of `key` from standard base64 to base64url.
fn to_base64url(key: &mut Value) {
    for member in ["n", "e", "x", "y"] {
        if let Some(Value::String(text)) = key.get_mut(member) {
            if text.contains(['+', '/', '=']) {
                *text = text
                    .trim_end_matches('=')
                    .replace('+', "-")
                    .replace('/', "_");
            }
        }
    }
}

/// Why a key of this `kty` / `crv` is left out, or `None` when biscuit and ring can use it.
fn unsupported(kty: Option<&str>, crv: Option<&str>) -> Option<String> {
    match (kty, crv) {
        (Some("RSA" | "oct"), _) | (Some("EC"), Some("P-256" | "P-384")) => None,
        (Some("EC"), Some(curve)) => Some(format!("unsupported curve {curve:?}")),
        (Some("EC"), None) => Some("an EC key without crv".to_owned()),
        (Some(kty), Some(curve)) => Some(format!("unsupported key type {kty:?} ({curve})")),
        (Some(kty), None) => Some(format!("unsupported key type {kty:?}")),
        (None, _) => Some("the key has no kty".to_owned()),
    }
}

/// Whether `key` can verify a JWS of algorithm `alg` (JOSE name).
fn verifies(key: &JWK<Empty>, alg: &str) -> bool {
    let Some(wanted) = signature_algorithm(alg) else {
        return false;
    };
    if matches!(key.common.public_key_use, Some(ref usage) if *usage != PublicKeyUse::Signature) {
        return false;
    }
    if let Some(declared) = key.common.algorithm {
        if declared != Algorithm::Signature(wanted) {
            return false;
        }
    }
    use SignatureAlgorithm::{ES256, ES384, PS256, PS384, PS512, RS256, RS384, RS512};
    match (&key.algorithm, wanted) {
        (AlgorithmParameters::RSA(_), RS256 | RS384 | RS512 | PS256 | PS384 | PS512) => true,
        (AlgorithmParameters::EllipticCurve(ec), ES256) => ec.curve == EllipticCurve::P256,
        (AlgorithmParameters::EllipticCurve(ec), ES384) => ec.curve == EllipticCurve::P384,
        _ => false,
    }
}

/// The asymmetric JWS algorithms this library verifies, by JOSE name.
pub(crate) fn signature_algorithm(alg: &str) -> Option<SignatureAlgorithm> {
    use SignatureAlgorithm::{ES256, ES384, PS256, PS384, PS512, RS256, RS384, RS512};
    Some(match alg {
        "RS256" => RS256,
        "RS384" => RS384,
        "RS512" => RS512,
        "PS256" => PS256,
        "PS384" => PS384,
        "PS512" => PS512,
        "ES256" => ES256,
        "ES384" => ES384,
        _ => return None,
    })
}

/// Loads the JWK set at `jwks_uri`.
///
/// Accepts `application/json` and `application/jwk-set+json` (any `application/*+json`).
/// Telemetry (`load_jwks`) is labelled with the URI's origin (`scheme://host:port`), since no
/// issuer is known here; [`load_provider_jwks`] labels with the issuer instead.
///
/// # Errors
///
/// [`DiscoveryError::Http`], `UnexpectedStatus`, `UnexpectedContentType` or `InvalidJwks`.
pub async fn load_jwks(jwks_uri: &str, options: &DiscoveryOptions) -> Result<Jwks, DiscoveryError> {
    let label = origin(jwks_uri);
    instrument(Operation::LoadJwks, &label, fetch_jwks(jwks_uri, options)).await
}

/// Loads the JWK set named by the provider's `jwks_uri`, with telemetry labelled by its issuer.
///
/// # Errors
///
/// [`DiscoveryError::NoJwksUri`] when the provider names no key set, else as [`load_jwks`].
pub async fn load_provider_jwks(
    provider: &ProviderMetadata,
    options: &DiscoveryOptions,
) -> Result<Jwks, DiscoveryError> {
    instrument(Operation::LoadJwks, &provider.issuer, async {
        let Some(jwks_uri) = provider.jwks_uri.as_deref() else {
            return Err(DiscoveryError::NoJwksUri {
                issuer: provider.issuer.clone(),
            });
        };
        fetch_jwks(jwks_uri, options).await
    })
    .await
}

async fn fetch_jwks(jwks_uri: &str, options: &DiscoveryOptions) -> Result<Jwks, DiscoveryError> {
    let accept = "application/jwk-set+json, application/json";
    let response = get_json(jwks_uri, accept, options).await?;
    let mut jwks = Jwks::from_json_with(&response.body, options.quirks.tolerate_malformed_values)
        .map_err(|reason| DiscoveryError::InvalidJwks {
        url: oidc_http::redact_url(jwks_uri),
        reason,
    })?;
    jwks.expires_in = options.expiry.lifetime(&response.headers);
    Ok(jwks)
}

/// `scheme://authority` of a URL, without user-info: a bounded telemetry label.
fn origin(uri: &str) -> String {
    match url::Url::parse(uri) {
        Ok(url) => url.origin().ascii_serialization(),
        Err(_) => "invalid".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_types_are_skipped_not_fatal() {
        let body = br#"{"keys":[
            {"kty":"EC","crv":"P-256","kid":"ec","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
            {"kty":"invented","kid":"weird"},
            {"kty":"EC","crv":"secp256k1","kid":"k1","x":"abc","y":"def"}
        ]}"#;
        let jwks = Jwks::from_json(body).unwrap();
        assert_eq!(jwks.keys.len(), 1);
        assert!(jwks.find("ec").is_some());
        let skipped: Vec<_> = jwks.skipped.iter().map(|key| key.kid.as_deref()).collect();
        assert_eq!(skipped, [Some("weird"), Some("k1")]);
        assert_eq!(jwks.skipped[0].kty.as_deref(), Some("invented"));
    }

    const RSA_N: &str = "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw";
    const P256_X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
    const P256_Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";

    #[test]
    fn keys_that_cannot_be_verified_are_skipped_with_a_reason() {
        let body = serde_json::json!({"keys": [
            {"kty": "OKP", "crv": "Ed25519", "kid": "ed", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
            {"kty": "OKP", "crv": "X25519", "kid": "x", "x": "hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"},
            {"kty": "EC", "crv": "P-521", "kid": "p521", "x": "AA", "y": "AA"},
            {"kty": "EC", "kid": "nocrv", "x": P256_X, "y": P256_Y},
            {"kty": "RSA", "kid": "eddsa-alg", "alg": "EdDSA", "n": RSA_N, "e": "AQAB"},
            {"kty": "EC", "crv": "P-256", "kid": "es256k", "alg": "ES256K", "x": P256_X, "y": P256_Y},
            {"kid": "no-kty"},
            "not an object",
            {"kty": "RSA", "kid": "good", "n": RSA_N, "e": "AQAB"}
        ]});
        let jwks = Jwks::from_json(&serde_json::to_vec(&body).unwrap()).unwrap();
        assert_eq!(jwks.keys.len(), 1);
        assert!(jwks.find_by_kid("good").is_some());
        let skipped: Vec<_> = jwks
            .skipped
            .iter()
            .map(|key| (key.index, key.kid.as_deref(), key.reason.as_str()))
            .collect();
        assert_eq!(skipped.len(), 8, "{skipped:?}");
        assert_eq!(skipped[0].2, "unsupported key type \"OKP\" (Ed25519)");
        assert_eq!(skipped[2].2, "unsupported curve \"P-521\"");
        assert_eq!(skipped[3].2, "an EC key without crv");
        assert_eq!(skipped[6].2, "the key has no kty");
        assert_eq!(skipped[7], (7, None, "the key is not a JSON object"));
    }

    #[test]
    fn select_by_kid_or_by_type_use_and_alg() {
        let body = serde_json::json!({"keys": [
            {"kty": "RSA", "use": "enc", "alg": "RSA-OAEP", "n": RSA_N, "e": "AQAB"},
            {"kty": "EC", "crv": "P-256", "use": "enc", "x": P256_X, "y": P256_Y},
            {"kty": "RSA", "alg": "PS256", "n": RSA_N, "e": "AQAB"},
            {"kty": "RSA", "use": "sig", "n": RSA_N, "e": "AQAB"},
            {"kty": "EC", "crv": "P-256", "kid": "ec", "x": P256_X, "y": P256_Y},
        ]});
        let jwks = Jwks::from_json(&serde_json::to_vec(&body).unwrap()).unwrap();
        assert!(jwks.skipped.is_empty(), "{:?}", jwks.skipped);
        let position = |key: Option<&JWK<Empty>>| {
            key.and_then(|key| jwks.keys.iter().position(|k| std::ptr::eq(k, key)))
        };
        // No kid: the encryption keys and the PS256-only key are passed over for RS256.
        assert_eq!(position(jwks.select(None, "RS256")), Some(3));
        assert_eq!(position(jwks.select(None, "PS256")), Some(2));
        assert_eq!(jwks.candidates(None, "PS256").len(), 2);
        assert_eq!(position(jwks.select(None, "ES256")), Some(4));
        assert_eq!(jwks.select(None, "ES384"), None);
        assert_eq!(jwks.select(None, "HS256"), None);
        assert_eq!(jwks.select(None, "EdDSA"), None);
        // A kid narrows to that key, which must still fit the algorithm.
        assert_eq!(position(jwks.select(Some("ec"), "ES256")), Some(4));
        assert_eq!(jwks.select(Some("ec"), "RS256"), None);
        assert_eq!(jwks.select(Some("missing"), "ES256"), None);
        assert!(jwks.find("ec").is_some());
    }

    #[test]
    fn a_document_without_keys_is_rejected() {
        assert!(Jwks::from_json(b"[]").is_err());
        assert!(Jwks::from_json(b"{}").is_err());
        assert!(Jwks::from_json(b"{\"keys\":{}}").is_err());
        assert!(Jwks::from_json(b"nope").is_err());
        assert_eq!(Jwks::from_json(b"{\"keys\":[]}").unwrap().keys.len(), 0);
    }

    #[test]
    fn origin_is_a_bounded_label() {
        assert_eq!(
            origin("https://u:p@op.example:8443/keys?x=1"),
            "https://op.example:8443"
        );
        assert_eq!(origin("::"), "invalid");
    }
}
