use std::fmt;
use std::time::{Duration, SystemTime};

use data_encoding::{BASE64, BASE64URL, BASE64URL_NOPAD, BASE64_NOPAD};

use oidc_telemetry::{instrument, Operation};
use oidc_types::jws::can_verify;
use oidc_types::{Jwk, JwkError, JwkSet, ProviderMetadata};
use serde_json::Value;

use crate::fetch::get_json;
use crate::{DiscoveryError, DiscoveryOptions};

/// A provider's JSON Web Key Set, read key by key.
///
/// RFC 7517 §5 asks readers to ignore keys they do not understand, so a key this library
/// cannot use lands in [`skipped`](Self::skipped) with the reason instead of failing the whole
/// set. [`keys`](Self::keys) holds the keys of the types [`oidc_types::jws`] verifies with
/// (`RSA`, `EC` P-256 and P-384, `OKP` Ed25519) and symmetric `oct` keys, each with its public
/// members in base64url. Skipped are other key types (`OKP` X25519 or Ed448, post-quantum
/// `AKP`, anything invented), other curves (`P-521`, `secp256k1`: the crypto this library
/// builds on cannot verify with them), keys with a missing or malformed public member, and
/// keys whose `alg` is a signature algorithm for another key type (`EdDSA` on an RSA key).
///
/// Nothing is lost: every entry that is a JWK at all (an object with a `kty`) is kept whole,
/// unknown members included, in [`keys`](Self::keys) or in [`SkippedKey::key`]. The one
/// rewrite: a public key member (`n`, `e`, `x`, `y`, `k`) sent in padded base64url or in the
/// standard base64 alphabet, as some providers do, is decoded and kept in the unpadded
/// base64url RFC 7518 asks for, so that the key verifies and has its RFC 7638 thumbprint; each
/// such key is listed in [`normalised`](Self::normalised).
///
/// Look keys up with [`find_by_kid`](Self::find_by_kid), or with [`select`](Self::select) /
/// [`candidates`](Self::candidates) for a JWS algorithm, which also work when a token's header
/// names no `kid` and only ever offer keys that can verify it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Jwks {
    /// The keys this library can use, in set order.
    pub keys: Vec<Jwk>,
    /// The keys that were left out, with the reason.
    pub skipped: Vec<SkippedKey>,
    /// The keys (kept or skipped) whose public members were not unpadded base64url and were
    /// rewritten; empty for a provider that follows RFC 7518.
    pub normalised: Vec<NormalisedKey>,
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
    /// The key itself, exactly as received, when it is a JWK (an object with a `kty`) this
    /// library cannot use; `None` when it is not a JWK at all.
    pub key: Option<Jwk>,
}

/// A key of a JWK set whose public members were written in another base64 form and have been
/// rewritten in unpadded base64url; see [`Jwks::normalised`].
///
/// Displays as one line, e.g. `keys[0] (kid "a"): n was padded base64url, e was standard
/// base64; rewritten as base64url`. Key members are public, but the line names only members.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NormalisedKey {
    /// Its position in the `keys` array.
    pub index: usize,
    /// Its `kid`, if it had one.
    pub kid: Option<String>,
    /// Each member that was rewritten, with the form it was in, in the order `n`, `e`, `x`, `y`,
    /// `k`.
    pub members: Vec<(String, Base64Form)>,
}

/// A base64 form a provider wrote a key member in, other than the unpadded base64url of
/// RFC 7518 §6 (RFC 7515 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Base64Form {
    /// The base64url alphabet with `=` padding (RFC 4648 §5).
    PaddedBase64Url,
    /// The standard alphabet (`+`, `/`), without padding.
    StandardBase64,
    /// The standard alphabet with `=` padding (RFC 4648 §4).
    PaddedStandardBase64,
}

impl Base64Form {
    /// How the form is named in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PaddedBase64Url => "padded base64url",
            Self::StandardBase64 => "standard base64",
            Self::PaddedStandardBase64 => "padded standard base64",
        }
    }
}

impl fmt::Display for Base64Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for NormalisedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "keys[{}]", self.index)?;
        if let Some(kid) = &self.kid {
            write!(f, " (kid {kid:?})")?;
        }
        f.write_str(":")?;
        for (position, (member, form)) in self.members.iter().enumerate() {
            let separator = if position == 0 { " " } else { ", " };
            write!(f, "{separator}{member} was {form}")?;
        }
        f.write_str("; rewritten as base64url")
    }
}

/// The members that hold key material in base64url, for the key types [`Jwks`] uses.
const KEY_MEMBERS: [&str; 5] = ["n", "e", "x", "y", "k"];

/// The other base64 forms a key member is read in, in the order they are tried. A value
/// without `+`, `/` or padding is unpadded base64url and never gets here.
const OTHER_FORMS: [(&data_encoding::Encoding, Base64Form); 3] = [
    (&BASE64URL, Base64Form::PaddedBase64Url),
    (&BASE64_NOPAD, Base64Form::StandardBase64),
    (&BASE64, Base64Form::PaddedStandardBase64),
];

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
    /// // The skipped key is still there, whole.
    /// let pq = jwks.skipped[0].key.as_ref().unwrap();
    /// assert_eq!(pq.alg(), Some("ML-DSA-44"));
    /// ```
    ///
    /// Key members in padded base64url or in standard base64 (`+`, `/`, `=` padding, as
    /// Battle.net's keys are) are read: the forms differ from base64url only in those
    /// characters, so the value is not in doubt. They are rewritten in base64url and the key is
    /// reported in [`normalised`](Self::normalised):
    ///
    /// ```
    /// use oidc_discovery::{Base64Form, Jwks};
    ///
    /// let jwks = Jwks::from_json(br#"{"keys":[{"kty":"EC","crv":"P-256","kid":"std",
    ///     "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU=",
    ///     "y":"x/FEzRu9m36HLN/tue659LNpXW6pCyStikYjKIWI5a0="}]}"#).unwrap();
    /// assert_eq!(jwks.keys[0].member("y").unwrap(), "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0");
    /// let normalised = &jwks.normalised[0];
    /// assert_eq!(normalised.members[1], ("y".to_owned(), Base64Form::PaddedStandardBase64));
    /// assert_eq!(
    ///     normalised.to_string(),
    ///     r#"keys[0] (kid "std"): x was padded base64url, y was padded standard base64; rewritten as base64url"#
    /// );
    /// ```
    ///
    /// # Errors
    ///
    /// [`JwkError::NotJson`], [`JwkError::SetNotAnObject`] or [`JwkError::NoKeysArray`] when the
    /// body is not a JSON object with a `keys` array; [`JwkError::DuplicateMember`] when it has
    /// a top-level member (`keys`, say) more than once. A leading UTF-8 byte order mark is
    /// skipped.
    pub fn from_json(body: &[u8]) -> Result<Self, JwkError> {
        let mut document = JwkSet::document_object(body)?;
        let mut normalised = Vec::new();
        let total = match document.get_mut("keys") {
            Some(Value::Array(entries)) => {
                for (index, entry) in entries.iter_mut().enumerate() {
                    if let Some(report) = normalise_key(index, entry) {
                        normalised.push(report);
                    }
                }
                entries.len()
            }
            // The reader below names the problem: no `keys` array.
            _ => 0,
        };
        let (set, rejected) = JwkSet::from_value_tolerant(Value::Object(document))?;

        let mut keys = Vec::with_capacity(set.keys.len());
        let mut skipped = Vec::new();
        let mut rejected = rejected.into_iter().peekable();
        let mut read = set.keys.into_iter();
        // The reader returns the JWKs in order and the rest with their positions: walk the
        // positions to give every skipped key its index.
        for index in 0..total {
            if let Some(not_a_key) = rejected.next_if(|key| key.index == index) {
                skipped.push(SkippedKey {
                    index,
                    kid: not_a_key.kid,
                    kty: None,
                    reason: not_a_key.error.to_string(),
                    key: None,
                });
                continue;
            }
            let Some(key) = read.next() else { break };
            match unusable(&key) {
                None => keys.push(key),
                Some(reason) => skipped.push(SkippedKey {
                    index,
                    kid: key.kid().map(str::to_owned),
                    kty: Some(key.kty().to_owned()),
                    reason,
                    key: Some(key),
                }),
            }
        }
        Ok(Self {
            keys,
            skipped,
            normalised,
            fetched_at: SystemTime::now(),
            expires_in: Duration::ZERO,
        })
    }

    /// The key with this `kid`, whatever its type or use; the first one if the set repeats a
    /// `kid`. Skipped keys are not searched.
    pub fn find_by_kid(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|key| key.kid() == Some(kid))
    }

    /// The key with this `kid`; the same as [`find_by_kid`](Self::find_by_kid).
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.find_by_kid(kid)
    }

    /// The keys that can verify a JWS signed with `alg` (`"RS256"`, `"ES384"`, `"EdDSA"`, …),
    /// in set order; with a `kid`, only keys of that `kid`.
    ///
    /// A key fits when [`oidc_types::jws::can_verify`] says so: its type suits the algorithm
    /// (`RS*` and `PS*`: `RSA`; `ES256`: `EC` P-256; `ES384`: `EC` P-384; `EdDSA`, `Ed25519`:
    /// `OKP` Ed25519), its `use` is absent or `sig`, its `key_ops` absent or holding `verify`,
    /// and its `alg` absent or `alg`. Other algorithms (`HS*`, which use the client secret,
    /// `none`, `ES512`, …) fit no key.
    pub fn candidates(&self, kid: Option<&str>, alg: &str) -> Vec<&Jwk> {
        self.keys.iter().filter(|key| fits(key, kid, alg)).collect()
    }

    /// The key to verify a JWS signed with `alg`: with a `kid`, the key of that `kid` if it
    /// fits `alg`; without one, the first key that fits (see [`candidates`](Self::candidates)).
    ///
    /// Without a `kid`, OIDC Core §10.1 expects the set to hold one key for the purpose, which
    /// is what this picks: a set with an RSA signing key, an RSA encryption key, an EC P-256
    /// key and an Ed25519 key gives the RSA signing key for `RS256`, the P-256 key for `ES256`
    /// and the Ed25519 key for `EdDSA`. When several keys fit, try each of
    /// [`candidates`](Self::candidates) instead.
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
    pub fn select(&self, kid: Option<&str>, alg: &str) -> Option<&Jwk> {
        self.keys.iter().find(|key| fits(key, kid, alg))
    }
}

/// Whether `key` can verify a JWS signed with `alg` and, with a `kid`, has that `kid`: the rule
/// of [`Jwks::candidates`].
fn fits(key: &Jwk, kid: Option<&str>, alg: &str) -> bool {
    kid.is_none_or(|kid| key.kid() == Some(kid)) && can_verify(key, alg)
}

/// Rewrites the key members of one `keys` entry that are in another base64 form into
/// unpadded base64url, and says which. A member that is base64url already, or no base64 at
/// all (mixed alphabets, bad padding), is left as it is; the latter makes the key skipped.
fn normalise_key(index: usize, entry: &mut Value) -> Option<NormalisedKey> {
    let Value::Object(key) = entry else {
        return None;
    };
    let mut members = Vec::new();
    for member in KEY_MEMBERS {
        let Some(Value::String(text)) = key.get_mut(member) else {
            continue;
        };
        if BASE64URL_NOPAD.decode(text.as_bytes()).is_ok() {
            continue;
        }
        if let Some((bytes, form)) = OTHER_FORMS
            .into_iter()
            .find_map(|(encoding, form)| Some((encoding.decode(text.as_bytes()).ok()?, form)))
        {
            *text = BASE64URL_NOPAD.encode(&bytes);
            members.push((member.to_owned(), form));
        }
    }
    (!members.is_empty()).then(|| NormalisedKey {
        index,
        kid: key.get("kid").and_then(Value::as_str).map(str::to_owned),
        members,
    })
}

/// Why `key` is left out of [`Jwks::keys`], or `None` when it is kept.
fn unusable(key: &Jwk) -> Option<String> {
    let kty = key.kty();
    let members: &[&str] = match (kty, key.crv()) {
        ("RSA", _) => &["n", "e"],
        ("oct", _) => &["k"],
        ("EC", Some("P-256" | "P-384")) => &["x", "y"],
        ("OKP", Some("Ed25519")) => &["x"],
        ("EC", Some(curve)) => return Some(format!("unsupported curve {curve:?}")),
        ("EC", None) => return Some("an EC key without crv".to_owned()),
        (kty, Some(curve)) => return Some(format!("unsupported key type {kty:?} ({curve})")),
        (kty, None) => return Some(format!("unsupported key type {kty:?}")),
    };
    if let Some(member) = members
        .iter()
        .find(|member| key.decode_member(member).is_none())
    {
        return Some(format!("member {member:?} is missing or not base64url"));
    }
    let alg = key.alg()?;
    let (wanted_kty, wanted_crv) = signature_key_type(alg)?;
    let fits = kty == wanted_kty && wanted_crv.is_none_or(|crv| key.crv() == Some(crv));
    (!fits).then(|| format!("alg {alg:?} is not for this key type"))
}

/// The key type (and curve, when the algorithm fixes one) of the registered JWS algorithms;
/// `None` for anything else (encryption algorithms, unknown names).
fn signature_key_type(alg: &str) -> Option<(&'static str, Option<&'static str>)> {
    Some(match alg {
        "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" => ("RSA", None),
        "ES256" => ("EC", Some("P-256")),
        "ES384" => ("EC", Some("P-384")),
        "ES512" => ("EC", Some("P-521")),
        "ES256K" => ("EC", Some("secp256k1")),
        "EdDSA" => ("OKP", None),
        "Ed25519" => ("OKP", Some("Ed25519")),
        "Ed448" => ("OKP", Some("Ed448")),
        "HS256" | "HS384" | "HS512" => ("oct", None),
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
/// [`DiscoveryError::Http`], `UnexpectedStatus`, `UnexpectedContentType`, `InvalidJwks` or
/// `DuplicateMember`.
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
    let url = oidc_http::redact_url(jwks_uri);
    let mut jwks = Jwks::from_json(&response.body).map_err(|source| match source {
        JwkError::DuplicateMember { member } => DiscoveryError::DuplicateMember { url, member },
        source => DiscoveryError::InvalidJwks { url, source },
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
            {"kty": "OKP", "crv": "X25519", "kid": "x", "x": "hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo", "x-vendor": 1},
            {"kty": "EC", "crv": "P-521", "kid": "p521", "x": "AA", "y": "AA"},
            {"kty": "EC", "kid": "nocrv", "x": P256_X, "y": P256_Y},
            {"kty": "RSA", "kid": "eddsa-alg", "alg": "EdDSA", "n": RSA_N, "e": "AQAB"},
            {"kty": "EC", "crv": "P-256", "kid": "es256k", "alg": "ES256K", "x": P256_X, "y": P256_Y},
            {"kid": "no-kty"},
            "not an object",
            {"kty": "RSA", "kid": "good", "n": RSA_N, "e": "AQAB"}
        ]});
        let jwks = Jwks::from_json(&serde_json::to_vec(&body).unwrap()).unwrap();
        // Ed25519 keys verify EdDSA, so they are kept.
        let kept: Vec<_> = jwks.keys.iter().map(Jwk::kid).collect();
        assert_eq!(kept, [Some("ed"), Some("good")]);
        assert!(jwks.select(None, "EdDSA").is_some());
        let skipped: Vec<_> = jwks
            .skipped
            .iter()
            .map(|key| (key.index, key.kid.as_deref(), key.reason.as_str()))
            .collect();
        assert_eq!(
            skipped,
            [
                (1, Some("x"), "unsupported key type \"OKP\" (X25519)"),
                (2, Some("p521"), "unsupported curve \"P-521\""),
                (3, Some("nocrv"), "an EC key without crv"),
                (
                    4,
                    Some("eddsa-alg"),
                    "alg \"EdDSA\" is not for this key type"
                ),
                (5, Some("es256k"), "alg \"ES256K\" is not for this key type"),
                (6, Some("no-kty"), "the key has no kty"),
                (7, None, "the key is not a JSON object"),
            ]
        );
        // A key that is a JWK is kept whole, even when it cannot be used.
        let x25519 = jwks.skipped[0].key.as_ref().unwrap();
        assert_eq!(x25519.as_object(), body["keys"][1].as_object().unwrap());
        assert_eq!(jwks.skipped[0].kty.as_deref(), Some("OKP"));
        assert_eq!(jwks.skipped[5].key, None);
        assert_eq!(jwks.skipped[6].key, None);
    }

    #[test]
    fn keys_with_malformed_public_members_are_skipped() {
        let body = serde_json::json!({"keys": [
            {"kty": "RSA", "kid": "no-e", "n": RSA_N},
            {"kty": "RSA", "kid": "padded", "n": RSA_N, "e": "AQAB="},
            {"kty": "EC", "crv": "P-384", "kid": "y-number", "x": P256_X, "y": 5},
            {"kty": "OKP", "crv": "Ed25519", "kid": "no-x"},
            {"kty": "RSA", "kid": "enc-384", "alg": "RSA-OAEP-384", "use": "enc", "n": RSA_N, "e": "AQAB"}
        ]});
        let jwks = Jwks::from_json(&serde_json::to_vec(&body).unwrap()).unwrap();
        let reasons: Vec<_> = jwks
            .skipped
            .iter()
            .map(|key| (key.kid.as_deref(), key.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                (Some("no-e"), "member \"e\" is missing or not base64url"),
                (Some("padded"), "member \"e\" is missing or not base64url"),
                (Some("y-number"), "member \"y\" is missing or not base64url"),
                (Some("no-x"), "member \"x\" is missing or not base64url"),
            ]
        );
        // An encryption algorithm biscuit did not know is kept, and never offered to verify.
        assert_eq!(jwks.keys.len(), 1);
        assert_eq!(jwks.keys[0].alg(), Some("RSA-OAEP-384"));
        assert!(jwks.candidates(None, "RS256").is_empty());
    }

    #[test]
    fn padded_and_standard_base64_members_are_rewritten_reported_and_verify() {
        use ring::signature::{Ed25519KeyPair, KeyPair as _};

        let pair = Ed25519KeyPair::from_seed_unchecked(&[7; 32]).unwrap();
        let x = BASE64URL_NOPAD.encode(pair.public_key().as_ref());
        let standard = BASE64.encode(pair.public_key().as_ref());
        assert!(standard.ends_with('='));
        let header = BASE64URL_NOPAD.encode(br#"{"alg":"EdDSA","kid":"ed"}"#);
        let payload = BASE64URL_NOPAD.encode(b"{}");
        let signature = pair.sign(format!("{header}.{payload}").as_bytes());
        let token = format!(
            "{header}.{payload}.{}",
            BASE64URL_NOPAD.encode(signature.as_ref())
        );

        let body = serde_json::json!({"keys": [
            {"kty": "RSA", "kid": "clean", "n": RSA_N, "e": "AQAB"},
            {"kty": "OKP", "crv": "Ed25519", "kid": "ed", "x": standard},
            {"kty": "RSA", "n": format!("{RSA_N}=="), "e": "AQAB"},
            {"kty": "EC", "crv": "P-256", "kid": "ec",
             // P256_X has neither `-` nor `_`: the same in both alphabets.
             "x": P256_X,
             "y": P256_Y.replace('_', "/").replace('-', "+")},
            {"kty": "RSA", "kid": "mixed", "n": "ab-c+d", "e": "AQAB"},
        ]});
        let jwks = Jwks::from_json(&serde_json::to_vec(&body).unwrap()).unwrap();
        let reports: Vec<_> = jwks.normalised.iter().map(ToString::to_string).collect();
        assert_eq!(
            reports,
            [
                r#"keys[1] (kid "ed"): x was padded standard base64; rewritten as base64url"#,
                "keys[2]: n was padded base64url; rewritten as base64url",
                r#"keys[3] (kid "ec"): y was standard base64; rewritten as base64url"#,
            ]
        );
        assert_eq!(
            jwks.normalised[0].members,
            [("x".to_owned(), Base64Form::PaddedStandardBase64)]
        );
        // Every normalised key is usable; a value in two alphabets at once is no base64 at all.
        assert_eq!(jwks.keys.len(), 4);
        assert_eq!(
            jwks.skipped
                .iter()
                .map(|key| key.kid.as_deref())
                .collect::<Vec<_>>(),
            [Some("mixed")]
        );
        let ed = jwks.find("ed").unwrap();
        assert_eq!(ed.member("x"), Some(&Value::from(x)));
        assert_eq!(
            jwks.find("ec").unwrap().member("y"),
            Some(&Value::from(P256_Y))
        );
        // The rewritten key verifies a signature made with its private half.
        let verified = oidc_types::jws::verify_compact(&token, &jwks.keys, |_| true).unwrap();
        assert_eq!(verified.payload, b"{}");
        assert!(ed.thumbprint_sha256().is_ok());
        // A well-behaved set reports nothing.
        let clean = serde_json::json!({"keys": [body["keys"][0]]});
        assert!(Jwks::from_json(&serde_json::to_vec(&clean).unwrap())
            .unwrap()
            .normalised
            .is_empty());
    }

    #[test]
    fn a_repeated_top_level_member_is_refused_and_a_bom_skipped() {
        let error = Jwks::from_json(br#"{"keys":[],"keys":[{"kty":"RSA"}]}"#).unwrap_err();
        assert_eq!(
            error,
            JwkError::DuplicateMember {
                member: "keys".into()
            }
        );
        let jwks = Jwks::from_json(b"\xEF\xBB\xBF{\"keys\":[]}").unwrap();
        assert!(jwks.keys.is_empty());
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
        let position = |key: Option<&Jwk>| {
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
