//! JSON Web Keys (RFC 7517) kept exactly as received: [`Jwk`] and [`JwkSet`].
//!
//! A key is its JSON object. Nothing is dropped or rewritten, so a key of a type this library
//! cannot use (Ed448, X25519, post-quantum `AKP`, …) or with members it does not know
//! (`x5t#S256`, vendor extensions) survives being read and written back. That matters when a
//! client's registered metadata is sent again in a full-replacement update (RFC 7592 §2.2):
//! a key that did not survive the round trip would be deleted at the provider.

use std::fmt;

use data_encoding::BASE64URL_NOPAD;
use serde::de::{Deserialize, Deserializer, Error as _};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

use crate::json::JsonObjectError;

/// Why a JSON value is not a [`Jwk`] or a [`JwkSet`], or a key has no thumbprint.
///
/// The messages name members, never their values: a value may be key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwkError {
    /// A key is not a JSON object.
    #[error("the key is not a JSON object")]
    NotAnObject,
    /// A key has no `kty` member (RFC 7517 §4.1 requires one).
    #[error("the key has no kty")]
    MissingKty,
    /// A key's `kty` is not a non-empty string.
    #[error("the key's kty is not a non-empty string")]
    InvalidKty,
    /// A JWK set document is not JSON at all.
    #[error("not JSON: {reason}")]
    NotJson {
        /// The parser's message.
        reason: String,
    },
    /// A JWK set document is not a JSON object.
    #[error("the document is not a JSON object")]
    SetNotAnObject,
    /// A JWK set document has a member more than once at its top level (two `keys` arrays):
    /// which one counts would be an accident of the reader. See [`crate::json`].
    #[error("the document has the member {member:?} more than once")]
    DuplicateMember {
        /// The repeated member's name.
        member: String,
    },
    /// A JWK set has no `keys` array (RFC 7517 §5.1 requires one).
    #[error("the document has no \"keys\" array")]
    NoKeysArray,
    /// One key of a strictly read set is not a JWK.
    #[error("keys[{index}]: {error}")]
    InSet {
        /// The key's position in the `keys` array.
        index: usize,
        /// What is wrong with it.
        error: Box<JwkError>,
    },
    /// RFC 7638 defines no thumbprint members for this key type.
    #[error("no RFC 7638 thumbprint is defined for key type {kty:?}")]
    ThumbprintUnsupported {
        /// The key's `kty`.
        kty: String,
    },
    /// A member the thumbprint needs is missing or not a string.
    #[error(
        "the key's {member:?} member, required for its thumbprint, is missing or not a string"
    )]
    ThumbprintMember {
        /// The member's name.
        member: &'static str,
    },
}

/// One JSON Web Key (RFC 7517 §4), exactly as its JSON object.
///
/// The only requirement is a non-empty string `kty`; any key type, curve, algorithm or use is
/// accepted, and every member is kept (in the `Map`'s order, see
/// [Member order](crate::json#member-order)). The accessors read the registered members
/// (a member of the wrong JSON type reads as absent); [`member`](Self::member) reads any other.
///
/// `Debug` shows `<redacted>` in place of the value of every private member (see
/// [`private_members`](Self::private_members)), so a private key can be logged by mistake
/// without leaking.
///
/// ```
/// use oidc_types::Jwk;
///
/// let key: Jwk = serde_json::from_str(
///     r#"{"kty":"OKP","crv":"Ed25519","kid":"ed","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","x5t#S256":"abc"}"#,
/// )?;
/// assert_eq!(key.kty(), "OKP");
/// assert_eq!(key.crv(), Some("Ed25519"));
/// assert_eq!(key.member("x5t#S256").and_then(|v| v.as_str()), Some("abc"));
/// assert!(key.private_members().is_empty());
/// // Written back unchanged, member for member.
/// assert!(serde_json::to_string(&key)?.ends_with(r#""x5t#S256":"abc"}"#));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Jwk {
    object: Map<String, Value>,
}

/// The private members of RSA keys (RFC 7518 §6.3.2).
const RSA_PRIVATE: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "oth"];
/// What counts as private in a key of a type this library does not know: the private members
/// of the known types, so that guessing errs towards hiding.
const UNKNOWN_PRIVATE: [&str; 3] = ["d", "k", "priv"];

impl Jwk {
    /// The key of this JSON object.
    ///
    /// # Errors
    ///
    /// [`JwkError::MissingKty`] or [`JwkError::InvalidKty`] when `kty` is absent, not a string
    /// or empty.
    pub fn from_object(object: Map<String, Value>) -> Result<Self, JwkError> {
        match object.get("kty") {
            None => Err(JwkError::MissingKty),
            Some(Value::String(kty)) if !kty.is_empty() => Ok(Self { object }),
            Some(_) => Err(JwkError::InvalidKty),
        }
    }

    /// The key of this JSON value.
    ///
    /// # Errors
    ///
    /// [`JwkError::NotAnObject`], else as [`from_object`](Self::from_object).
    pub fn from_value(value: Value) -> Result<Self, JwkError> {
        match value {
            Value::Object(object) => Self::from_object(object),
            _ => Err(JwkError::NotAnObject),
        }
    }

    /// `kty`: the key type (`"RSA"`, `"EC"`, `"OKP"`, `"oct"`, `"AKP"`, …).
    pub fn kty(&self) -> &str {
        // `from_object` is the only constructor and it checks this.
        self.string("kty").unwrap_or_default()
    }

    /// `kid`: the key ID.
    pub fn kid(&self) -> Option<&str> {
        self.string("kid")
    }

    /// `alg`: the algorithm the key is meant for.
    pub fn alg(&self) -> Option<&str> {
        self.string("alg")
    }

    /// `use`: `"sig"`, `"enc"` or another value.
    pub fn key_use(&self) -> Option<&str> {
        self.string("use")
    }

    /// `crv`: the curve of an `EC` or `OKP` key.
    pub fn crv(&self) -> Option<&str> {
        self.string("crv")
    }

    /// `key_ops`: the operations the key is meant for (`"verify"`, `"encrypt"`, …); `None`
    /// when absent or not an array. Entries that are not strings are left out.
    pub fn key_ops(&self) -> Option<Vec<&str>> {
        match self.object.get("key_ops") {
            Some(Value::Array(ops)) => Some(ops.iter().filter_map(Value::as_str).collect()),
            _ => None,
        }
    }

    /// Any member, registered or not.
    pub fn member(&self, name: &str) -> Option<&Value> {
        self.object.get(name)
    }

    /// The JSON object.
    pub fn as_object(&self) -> &Map<String, Value> {
        &self.object
    }

    /// The JSON object.
    pub fn into_object(self) -> Map<String, Value> {
        self.object
    }

    /// Whether this is a symmetric (`oct`) key, whose `k` is a shared secret.
    pub fn is_symmetric(&self) -> bool {
        self.kty() == "oct"
    }

    /// The private members this key holds, by name: for `RSA` `d`, `p`, `q`, `dp`, `dq`, `qi`
    /// and `oth`; for `EC` and `OKP` `d`; for `oct` the secret `k`; for post-quantum `AKP`
    /// `priv`; for any other key type `d`, `k` and `priv`, whichever are present. Empty for a
    /// public key.
    pub fn private_members(&self) -> Vec<&'static str> {
        let candidates: &[&'static str] = match self.kty() {
            "RSA" => &RSA_PRIVATE,
            "EC" | "OKP" => &["d"],
            "oct" => &["k"],
            "AKP" => &["priv"],
            _ => &UNKNOWN_PRIVATE,
        };
        candidates
            .iter()
            .copied()
            .filter(|member| self.object.contains_key(*member))
            .collect()
    }

    /// Whether this key holds any private member (see
    /// [`private_members`](Self::private_members)).
    pub fn has_private_members(&self) -> bool {
        !self.private_members().is_empty()
    }

    /// The RFC 7638 thumbprint with SHA-256, base64url without padding.
    ///
    /// The hash covers the key type's required members only (`RSA`: `e`, `kty`, `n`; `EC`:
    /// `crv`, `kty`, `x`, `y`; `OKP`: `crv`, `kty`, `x`; `oct`: `k`, `kty`), in lexicographic
    /// order and without whitespace, so it identifies the key whatever else the JSON holds.
    ///
    /// ```
    /// use oidc_types::Jwk;
    ///
    /// // RFC 7638 §3.1.
    /// let key: Jwk = serde_json::from_value(serde_json::json!({
    ///     "kty": "RSA",
    ///     "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
    ///     "e": "AQAB",
    ///     "alg": "RS256",
    ///     "kid": "2011-04-29"
    /// }))?;
    /// assert_eq!(key.thumbprint_sha256()?, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`JwkError::ThumbprintUnsupported`] for another key type;
    /// [`JwkError::ThumbprintMember`] when a required member is missing or not a string.
    pub fn thumbprint_sha256(&self) -> Result<String, JwkError> {
        // Already in lexicographic order (RFC 7638 §3.3).
        let members: &[&'static str] = match self.kty() {
            "RSA" => &["e", "kty", "n"],
            "EC" => &["crv", "kty", "x", "y"],
            "OKP" => &["crv", "kty", "x"],
            "oct" => &["k", "kty"],
            other => {
                return Err(JwkError::ThumbprintUnsupported {
                    kty: other.to_owned(),
                })
            }
        };
        let mut canonical = String::from("{");
        for (position, member) in members.iter().enumerate() {
            let value = self
                .string(member)
                .ok_or(JwkError::ThumbprintMember { member })?;
            if position > 0 {
                canonical.push(',');
            }
            // serde_json writes a string with the minimal escaping RFC 7638 §3.3 asks for.
            canonical.push_str(&Value::from(*member).to_string());
            canonical.push(':');
            canonical.push_str(&Value::from(value).to_string());
        }
        canonical.push('}');
        let digest = ring::digest::digest(&ring::digest::SHA256, canonical.as_bytes());
        Ok(BASE64URL_NOPAD.encode(digest.as_ref()))
    }

    /// A string member, decoded from base64url (RFC 7518 uses it for every binary member);
    /// `None` when absent, not a string or not unpadded base64url.
    pub fn decode_member(&self, name: &str) -> Option<Vec<u8>> {
        BASE64URL_NOPAD.decode(self.string(name)?.as_bytes()).ok()
    }

    fn string(&self, name: &str) -> Option<&str> {
        self.object.get(name).and_then(Value::as_str)
    }
}

impl fmt::Debug for Jwk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        /// Stands in for a private member's value.
        struct Redacted;
        impl fmt::Debug for Redacted {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("<redacted>")
            }
        }
        let private = self.private_members();
        let mut map = f.debug_map();
        for (name, value) in &self.object {
            if private.contains(&name.as_str()) {
                map.entry(name, &Redacted);
            } else {
                map.entry(name, value);
            }
        }
        map.finish()
    }
}

impl Serialize for Jwk {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.object.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Jwk {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::from_value(Value::deserialize(deserializer)?).map_err(D::Error::custom)
    }
}

impl TryFrom<Map<String, Value>> for Jwk {
    type Error = JwkError;

    fn try_from(object: Map<String, Value>) -> Result<Self, JwkError> {
        Self::from_object(object)
    }
}

impl From<Jwk> for Value {
    fn from(key: Jwk) -> Self {
        Value::Object(key.object)
    }
}

/// A JWK Set (RFC 7517 §5): its keys plus any other top-level members, all kept.
///
/// Serializes as `{"keys": [...], <other members>}`. Deserializing is strict, as suits a
/// client's own `jwks` metadata: the value must be an object with a `keys` array whose every
/// entry is a [`Jwk`]. For a provider's key set, where one odd key must not make the others
/// unusable (RFC 7517 §5), use [`from_json_tolerant`](Self::from_json_tolerant).
///
/// ```
/// use oidc_types::JwkSet;
///
/// let set: JwkSet = serde_json::from_str(
///     r#"{"keys":[{"kty":"EC","crv":"P-521","x":"AA","y":"AA"}],"x-vendor":1}"#,
/// )?;
/// assert_eq!(set.keys[0].crv(), Some("P-521"));
/// assert_eq!(set.other["x-vendor"], 1);
/// assert!(serde_json::from_str::<JwkSet>(r#"{"keys":[{"kid":"no kty"}]}"#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct JwkSet {
    /// The keys, in order.
    pub keys: Vec<Jwk>,
    /// The set's other members, written after `keys`. A `keys` entry here is ignored when
    /// writing.
    pub other: Map<String, Value>,
}

/// A key left out by [`JwkSet::from_json_tolerant`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RejectedKey {
    /// Its position in the `keys` array.
    pub index: usize,
    /// Its `kid`, when it is an object with a string `kid`.
    pub kid: Option<String>,
    /// Why it is not a JWK.
    pub error: JwkError,
}

impl JwkSet {
    /// A set of these keys, with no other members.
    pub fn new(keys: Vec<Jwk>) -> Self {
        Self {
            keys,
            other: Map::new(),
        }
    }

    /// The set of this JSON object, strictly: every key must be a [`Jwk`].
    ///
    /// # Errors
    ///
    /// [`JwkError::NoKeysArray`], or [`JwkError::InSet`] naming the first key that is not a
    /// JWK.
    pub fn from_object(mut object: Map<String, Value>) -> Result<Self, JwkError> {
        let Some(Value::Array(entries)) = object.remove("keys") else {
            return Err(JwkError::NoKeysArray);
        };
        let keys = entries
            .into_iter()
            .enumerate()
            .map(|(index, entry)| {
                Jwk::from_value(entry).map_err(|error| JwkError::InSet {
                    index,
                    error: Box::new(error),
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            keys,
            other: object,
        })
    }

    /// Reads a JWK set document key by key: the keys that are JWKs, and for each entry that is
    /// not (not an object, no `kty`, …) its position and the reason.
    ///
    /// ```
    /// use oidc_types::{JwkError, JwkSet};
    ///
    /// let (set, rejected) = JwkSet::from_json_tolerant(
    ///     br#"{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"},"junk",{"kid":"a"}]}"#,
    /// )?;
    /// assert_eq!(set.keys.len(), 1);
    /// assert_eq!(rejected[0].index, 1);
    /// assert_eq!(rejected[0].error, JwkError::NotAnObject);
    /// assert_eq!(rejected[1].kid.as_deref(), Some("a"));
    /// assert_eq!(rejected[1].error, JwkError::MissingKty);
    /// # Ok::<(), JwkError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`JwkError::NotJson`], [`JwkError::SetNotAnObject`], [`JwkError::DuplicateMember`] or
    /// [`JwkError::NoKeysArray`] when the document as a whole is not a key set. The document is
    /// read with [`crate::json::parse_object`] (a leading byte order mark skipped, a repeated
    /// top-level member refused).
    pub fn from_json_tolerant(body: &[u8]) -> Result<(Self, Vec<RejectedKey>), JwkError> {
        Self::from_value_tolerant(Value::Object(Self::document_object(body)?))
    }

    /// A JWK set document as a JSON object, read with [`crate::json::parse_object`]: the first
    /// step of [`from_json_tolerant`](Self::from_json_tolerant), for callers that look at the
    /// entries before reading them as keys.
    ///
    /// # Errors
    ///
    /// [`JwkError::NotJson`], [`JwkError::SetNotAnObject`] or [`JwkError::DuplicateMember`].
    pub fn document_object(body: &[u8]) -> Result<Map<String, Value>, JwkError> {
        crate::json::parse_object(body).map_err(|error| match error {
            JsonObjectError::InvalidJson { source } => JwkError::NotJson {
                reason: source.to_string(),
            },
            JsonObjectError::NotAnObject { .. } => JwkError::SetNotAnObject,
            JsonObjectError::DuplicateMember { member } => JwkError::DuplicateMember { member },
        })
    }

    /// [`from_json_tolerant`](Self::from_json_tolerant) on a parsed document.
    ///
    /// # Errors
    ///
    /// [`JwkError::SetNotAnObject`] or [`JwkError::NoKeysArray`].
    pub fn from_value_tolerant(document: Value) -> Result<(Self, Vec<RejectedKey>), JwkError> {
        let Value::Object(mut object) = document else {
            return Err(JwkError::SetNotAnObject);
        };
        let Some(Value::Array(entries)) = object.remove("keys") else {
            return Err(JwkError::NoKeysArray);
        };
        let mut keys = Vec::with_capacity(entries.len());
        let mut rejected = Vec::new();
        for (index, entry) in entries.into_iter().enumerate() {
            let kid = entry.get("kid").and_then(Value::as_str).map(str::to_owned);
            match Jwk::from_value(entry) {
                Ok(key) => keys.push(key),
                Err(error) => rejected.push(RejectedKey { index, kid, error }),
            }
        }
        Ok((
            Self {
                keys,
                other: object,
            },
            rejected,
        ))
    }

    /// The first key with this `kid`.
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|key| key.kid() == Some(kid))
    }
}

impl Serialize for JwkSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("keys", &self.keys)?;
        for (name, value) in &self.other {
            if name != "keys" {
                map.serialize_entry(name, value)?;
            }
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for JwkSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Object(object) => Self::from_object(object).map_err(D::Error::custom),
            _ => Err(D::Error::custom(JwkError::SetNotAnObject)),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn key(value: Value) -> Jwk {
        Jwk::from_value(value).unwrap()
    }

    fn names(key: &Jwk) -> Vec<&str> {
        key.as_object().keys().map(String::as_str).collect()
    }

    #[test]
    fn keys_biscuit_could_not_hold_round_trip_unchanged() {
        let set = json!({"keys": [
            {"kty": "OKP", "crv": "Ed25519", "kid": "ed", "use": "sig", "alg": "EdDSA",
             "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
             "x5t#S256": "Nzb-thumb", "x-vendor": {"tier": [1, 2]}},
            {"kty": "OKP", "crv": "X25519", "kid": "x", "use": "enc", "alg": "ECDH-ES",
             "x": "hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"},
            {"kty": "EC", "crv": "P-521", "kid": "p521", "alg": "ES512",
             "x": "AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkTKqjqvjyekWF-7ytDyRXYgCF5cj0Kt",
             "y": "AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVySsUdaQkAgDPrwQrJmbnX9cwlGfP-HqHZR1"},
            {"kty": "EC", "crv": "secp256k1", "kid": "k1", "alg": "ES256K", "x": "AA", "y": "AA"},
            {"kty": "RSA", "alg": "RSA-OAEP-384", "use": "enc", "n": "AQAB", "e": "AQAB"},
            {"kty": "AKP", "alg": "ML-DSA-44", "kid": "pq", "pub": "cHVibGlj"},
            {"kty": "invented-2030", "zeta": 1, "alpha": 2}
        ], "x-set-member": true});
        let text = set.to_string();
        let parsed: JwkSet = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed.keys.len(), 7);
        assert_eq!(serde_json::to_string(&parsed).unwrap(), text);

        let ed = &parsed.keys[0];
        let ed_read = set["keys"][0].as_object().unwrap();
        assert_eq!(ed.as_object(), ed_read);
        // In the `Map`'s order, the same as serde_json's own reading (with or without
        // `preserve_order`).
        assert_eq!(
            names(ed),
            ed_read.keys().map(String::as_str).collect::<Vec<_>>()
        );
        assert_eq!(names(ed).len(), 8);
        assert_eq!(
            (ed.kty(), ed.crv(), ed.kid(), ed.alg(), ed.key_use()),
            (
                "OKP",
                Some("Ed25519"),
                Some("ed"),
                Some("EdDSA"),
                Some("sig")
            )
        );
        assert_eq!(ed.member("x-vendor"), Some(&json!({"tier": [1, 2]})));
        assert_eq!(parsed.keys[2].crv(), Some("P-521"));
        assert_eq!(parsed.keys[3].alg(), Some("ES256K"));
        assert_eq!(parsed.keys[4].alg(), Some("RSA-OAEP-384"));
        assert_eq!(parsed.keys[5].kty(), "AKP");
        // Members of a key type nobody knows are kept all the same.
        assert_eq!(Value::from(parsed.keys[6].clone()), set["keys"][6]);
        assert_eq!(parsed.other["x-set-member"], true);
        assert_eq!(parsed.find("pq"), Some(&parsed.keys[5]));

        let object = parsed.keys[0].clone().into_object();
        assert_eq!(Jwk::from_object(object).unwrap(), parsed.keys[0]);
    }

    #[test]
    fn only_kty_is_required() {
        assert_eq!(Jwk::from_value(json!("x")), Err(JwkError::NotAnObject));
        assert_eq!(Jwk::from_value(json!({})), Err(JwkError::MissingKty));
        assert_eq!(
            Jwk::from_value(json!({"kty": ""})),
            Err(JwkError::InvalidKty)
        );
        assert_eq!(
            Jwk::from_value(json!({"kty": 3})),
            Err(JwkError::InvalidKty)
        );
        let odd = key(json!({"kty": "RSA", "kid": 7, "use": "wrap", "key_ops": ["verify", 1]}));
        assert_eq!(odd.kid(), None, "a kid of the wrong type reads as absent");
        assert_eq!(odd.key_use(), Some("wrap"));
        assert_eq!(odd.key_ops(), Some(vec!["verify"]));
        assert_eq!(odd.member("kid"), Some(&json!(7)));
    }

    #[test]
    fn strict_set_reading_names_the_bad_key() {
        let error =
            serde_json::from_value::<JwkSet>(json!({"keys": [{"kty": "EC"}, {"kid": "a"}]}))
                .unwrap_err();
        assert_eq!(error.to_string(), "keys[1]: the key has no kty");
        let error = serde_json::from_value::<JwkSet>(json!({"keys": {}})).unwrap_err();
        assert_eq!(error.to_string(), "the document has no \"keys\" array");
        let error = serde_json::from_value::<JwkSet>(json!([])).unwrap_err();
        assert_eq!(error.to_string(), "the document is not a JSON object");
        // `keys` always comes first when written, whatever the order read.
        let set: JwkSet = serde_json::from_value(json!({"a": 1, "keys": []})).unwrap();
        assert_eq!(serde_json::to_string(&set).unwrap(), r#"{"keys":[],"a":1}"#);
    }

    #[test]
    fn tolerant_reading_says_why_each_key_was_left_out() {
        let body = br#"{"keys":[
            {"kty":"EC","crv":"P-256","kid":"ok","x":"AA","y":"AA"},
            "a string",
            {"kid":"no-kty"},
            {"kid":"empty","kty":""},
            {"kid":"number","kty":1},
            [1]
        ],"extra":"kept"}"#;
        let (set, rejected) = JwkSet::from_json_tolerant(body).unwrap();
        assert_eq!(set.keys.len(), 1);
        assert_eq!(set.other["extra"], "kept");
        let reasons: Vec<_> = rejected
            .iter()
            .map(|key| (key.index, key.kid.as_deref(), key.error.to_string()))
            .collect();
        assert_eq!(
            reasons,
            [
                (1, None, "the key is not a JSON object".to_owned()),
                (2, Some("no-kty"), "the key has no kty".to_owned()),
                (
                    3,
                    Some("empty"),
                    "the key's kty is not a non-empty string".to_owned()
                ),
                (
                    4,
                    Some("number"),
                    "the key's kty is not a non-empty string".to_owned()
                ),
                (5, None, "the key is not a JSON object".to_owned()),
            ]
        );
        assert!(matches!(
            JwkSet::from_json_tolerant(b"nope"),
            Err(JwkError::NotJson { .. })
        ));
        assert_eq!(
            JwkSet::from_json_tolerant(b"[]"),
            Err(JwkError::SetNotAnObject)
        );
        assert_eq!(
            JwkSet::from_json_tolerant(b"{\"keys\":{}}"),
            Err(JwkError::NoKeysArray)
        );
    }

    #[test]
    fn a_set_with_two_keys_arrays_is_refused_and_a_bom_is_skipped() {
        let error = JwkSet::from_json_tolerant(
            br#"{"keys":[{"kty":"RSA","kid":"good"}],"keys":[{"kty":"RSA","kid":"evil"}]}"#,
        )
        .unwrap_err();
        assert_eq!(
            error,
            JwkError::DuplicateMember {
                member: "keys".into()
            }
        );
        assert_eq!(
            error.to_string(),
            "the document has the member \"keys\" more than once"
        );
        let (set, _) =
            JwkSet::from_json_tolerant(b"\xEF\xBB\xBF{\"keys\":[{\"kty\":\"RSA\"}]}").unwrap();
        assert_eq!(set.keys.len(), 1);
    }

    #[test]
    fn private_members_per_key_type() {
        let cases = [
            (
                json!({"kty": "RSA", "n": "n", "e": "e", "d": "1", "p": "2", "q": "3", "dp": "4", "dq": "5", "qi": "6", "oth": []}),
                vec!["d", "p", "q", "dp", "dq", "qi", "oth"],
            ),
            (
                json!({"kty": "RSA", "n": "n", "e": "e", "k": "not private for RSA"}),
                vec![],
            ),
            (
                json!({"kty": "EC", "crv": "P-256", "x": "x", "y": "y", "d": "1"}),
                vec!["d"],
            ),
            (
                json!({"kty": "EC", "crv": "P-256", "x": "x", "y": "y"}),
                vec![],
            ),
            (
                json!({"kty": "OKP", "crv": "Ed25519", "x": "x", "d": "1"}),
                vec!["d"],
            ),
            (json!({"kty": "oct", "k": "secret"}), vec!["k"]),
            (
                json!({"kty": "AKP", "alg": "ML-DSA-44", "pub": "p", "priv": "1"}),
                vec!["priv"],
            ),
            (
                json!({"kty": "AKP", "alg": "ML-DSA-44", "pub": "p", "d": "1"}),
                vec![],
            ),
            (
                json!({"kty": "future", "priv": "1", "k": "2", "d": "3"}),
                vec!["d", "k", "priv"],
            ),
        ];
        for (value, expected) in cases {
            let key = key(value);
            assert_eq!(key.private_members(), expected, "{}", key.kty());
            assert_eq!(key.has_private_members(), !expected.is_empty());
        }
        assert!(key(json!({"kty": "oct", "k": "x"})).is_symmetric());
        assert!(!key(json!({"kty": "RSA"})).is_symmetric());
    }

    #[test]
    fn debug_redacts_private_members() {
        let rsa = key(
            json!({"kty": "RSA", "kid": "r", "n": "public-n", "e": "AQAB",
            "d": "SECRET-D", "p": "SECRET-P", "q": "SECRET-Q", "dp": "SECRET-DP",
            "dq": "SECRET-DQ", "qi": "SECRET-QI"}),
        );
        let oct = key(json!({"k": "SECRET-K", "kty": "oct"}));
        let akp = key(json!({"kty": "AKP", "pub": "public-pub", "priv": "SECRET-PRIV"}));
        let unknown = key(json!({"kty": "new", "priv": "SECRET-1", "d": "SECRET-2"}));
        let shown = format!("{:?} {:#?}", [&rsa, &oct, &akp, &unknown], [&rsa, &oct]);
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(
            shown.contains("public-n") && shown.contains("public-pub"),
            "{shown}"
        );
        assert_eq!(
            format!("{oct:?}"),
            r#"{"k": <redacted>, "kty": String("oct")}"#
        );
        let set = JwkSet::new(vec![rsa]);
        assert!(!format!("{set:?}").contains("SECRET"));
    }

    #[test]
    fn rfc_7638_thumbprints() {
        // RFC 7638 §3.1, with members that must not count.
        let rsa = key(json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29",
            "x-vendor": "ignored"
        }));
        assert_eq!(
            rsa.thumbprint_sha256().unwrap(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
        // RFC 8037 Appendix A.3: the Ed25519 example key.
        let ed = key(json!({"kty": "OKP", "crv": "Ed25519", "kid": "x",
            "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}));
        assert_eq!(
            ed.thumbprint_sha256().unwrap(),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
        // Member order in the input does not matter.
        let ec = json!({"y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", "kty": "EC",
            "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "crv": "P-256"});
        let reordered = json!({"crv": "P-256", "kty": "EC",
            "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
            "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", "use": "sig"});
        assert_eq!(
            key(ec).thumbprint_sha256().unwrap(),
            key(reordered).thumbprint_sha256().unwrap()
        );
        let oct = key(json!({"kty": "oct", "k": "GawgguFyGrWKav7AX4VKUg"}));
        let digest = ring::digest::digest(
            &ring::digest::SHA256,
            br#"{"k":"GawgguFyGrWKav7AX4VKUg","kty":"oct"}"#,
        );
        assert_eq!(
            oct.thumbprint_sha256().unwrap(),
            BASE64URL_NOPAD.encode(digest.as_ref())
        );

        assert_eq!(
            key(json!({"kty": "EC", "crv": "P-256", "x": "AA"})).thumbprint_sha256(),
            Err(JwkError::ThumbprintMember { member: "y" })
        );
        assert_eq!(
            key(json!({"kty": "RSA", "n": 1, "e": "AQAB"})).thumbprint_sha256(),
            Err(JwkError::ThumbprintMember { member: "n" })
        );
        assert_eq!(
            key(json!({"kty": "AKP", "pub": "p"})).thumbprint_sha256(),
            Err(JwkError::ThumbprintUnsupported { kty: "AKP".into() })
        );
    }

    #[test]
    fn decode_member_reads_base64url_only() {
        let key = key(json!({"kty": "oct", "k": "AQAB", "padded": "AQ==", "n": 5}));
        assert_eq!(key.decode_member("k"), Some(vec![1, 0, 1]));
        assert_eq!(key.decode_member("padded"), None);
        assert_eq!(key.decode_member("n"), None);
        assert_eq!(key.decode_member("missing"), None);
    }
}
