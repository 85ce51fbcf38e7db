use std::time::{Duration, SystemTime};

use biscuit::jwk::JWK;
use biscuit::Empty;
use oidc_telemetry::{instrument, Operation};
use oidc_types::ProviderMetadata;
use serde_json::Value;

use crate::fetch::get_json;
use crate::{DiscoveryError, DiscoveryOptions};

/// A provider's JSON Web Key Set, read key by key.
///
/// RFC 7517 §5 asks readers to ignore keys they do not understand, so a key of an unknown `kty`,
/// curve or `alg` (EdDSA, `AKP`, secp256k1, …) lands in [`skipped`](Self::skipped) instead of
/// failing the whole set.
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
        for (index, entry) in entries.into_iter().enumerate() {
            let text = |name: &str| entry.get(name).and_then(Value::as_str).map(str::to_owned);
            let (kid, kty) = (text("kid"), text("kty"));
            match serde_json::from_value::<JWK<Empty>>(entry) {
                Ok(key) => keys.push(key),
                Err(error) => skipped.push(SkippedKey {
                    index,
                    kid,
                    kty,
                    reason: error.to_string(),
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

    /// The key with this `kid`.
    pub fn find(&self, kid: &str) -> Option<&JWK<Empty>> {
        self.keys
            .iter()
            .find(|key| key.common.key_id.as_deref() == Some(kid))
    }
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
    let mut jwks =
        Jwks::from_json(&response.body).map_err(|reason| DiscoveryError::InvalidJwks {
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
