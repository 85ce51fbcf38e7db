//! The JSON form of [`ClientMetadata`]: `Serialize` (the table's order, absent members left
//! out, refusal of private keys and shadowing extra fields) and one reader shared by the strict
//! `Deserialize` and the lenient [`ClientMetadata::from_json_object`]. The per-member work is
//! generated from the member table (see `members.rs`).

use serde::de::{Deserialize, Deserializer, Error as _};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

use super::{ClientMetadata, FieldProblem};
use crate::validation;

/// Registration response members (RFC 7591 §3.2.1, RFC 7592 §3) that a provider sends next to
/// the echoed metadata. They are not metadata: reading skips them so that credentials never
/// end up in `extra_fields`, and writing refuses them so a request never carries them.
pub(crate) const RESPONSE_ONLY_MEMBERS: [&str; 6] = [
    "client_id",
    "client_secret",
    "registration_access_token",
    "registration_client_uri",
    "client_id_issued_at",
    "client_secret_expires_at",
];

/// What an `extra_fields` key collides with, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reserved {
    /// A member [`ClientMetadata`] reads into a typed field, tagged or not.
    Member,
    /// A registration response member.
    ResponseOnly,
}

/// Whether `key` would be read into a typed field (or skipped) instead of `extra_fields`, so an
/// extra field of that name could not survive a round trip.
pub(crate) fn reserved(key: &str) -> Option<Reserved> {
    if RESPONSE_ONLY_MEMBERS.contains(&key) {
        return Some(Reserved::ResponseOnly);
    }
    let known = match key.split_once('#') {
        Some((base, _tag)) => ClientMetadata::member_taggable(base) == Some(true),
        None => ClientMetadata::member_taggable(key).is_some(),
    };
    known.then_some(Reserved::Member)
}

/// Refuses a key set that would send private or symmetric key material.
pub(crate) fn check_jwks_sendable<E: serde::ser::Error>(
    jwks: Option<&crate::JwkSet>,
) -> Result<(), E> {
    if let Some(jwks) = jwks {
        if let Some(problem) = validation::key_material_problems(jwks).into_iter().next() {
            return Err(E::custom(format_args!(
                "refusing to serialize client metadata: {problem}"
            )));
        }
    }
    Ok(())
}

/// Refuses an `extra_fields` key that a reader would not put back in `extra_fields`.
pub(crate) fn check_extra_field_sendable<E: serde::ser::Error>(key: &str) -> Result<(), E> {
    if reserved(key).is_some() {
        return Err(E::custom(format_args!(
            "refusing to serialize client metadata: extra_fields key {key:?} shadows a \
             member ClientMetadata writes or a registration response member"
        )));
    }
    Ok(())
}

impl Serialize for ClientMetadata {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Checked before anything is written so that a refused document is never half-sent
        // by a streaming serializer.
        check_jwks_sendable(self.jwks.as_ref())?;
        for key in self.extra_fields.keys() {
            check_extra_field_sendable(key)?;
        }
        let mut map = serializer.serialize_map(None)?;
        self.serialize_members(&mut map)?;
        for (key, value) in &self.extra_fields {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for ClientMetadata {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let object = Map::<String, Value>::deserialize(deserializer)?;
        let mut metadata = ClientMetadata::default();
        for (key, value) in &object {
            if let Err(message) = read_entry(&mut metadata, key, value) {
                return Err(D::Error::custom(FieldProblem::new(key.as_str(), message)));
            }
        }
        Ok(metadata)
    }
}

pub(super) fn read_lenient(object: &Map<String, Value>) -> (ClientMetadata, Vec<FieldProblem>) {
    let mut metadata = ClientMetadata::default();
    let mut problems = Vec::new();
    for (key, value) in object {
        if let Err(message) = read_entry(&mut metadata, key, value) {
            problems.push(FieldProblem::new(key.as_str(), message));
        }
    }
    (metadata, problems)
}

/// Reads one entry into `m`: a known member into its field, an unknown one into
/// `extra_fields`. A value of the wrong type leaves `m` untouched and returns the reason.
///
/// The member table is matched once, by `read_member_entry`; it agrees with [`reserved`] on
/// which keys are members (`every_known_member_has_a_typed_field` checks both).
fn read_entry(m: &mut ClientMetadata, key: &str, value: &Value) -> Result<(), String> {
    if RESPONSE_ONLY_MEMBERS.contains(&key) {
        return Ok(());
    }
    let (name, tag) = match key.bytes().position(|byte| byte == b'#') {
        Some(at) => (key.get(..at).unwrap_or(key), key.get(at + 1..)),
        None => (key, None),
    };
    // Providers send null for members they have no value for; it means absent. An unknown
    // member is kept as received, null included.
    if value.is_null() && reserved(key) == Some(Reserved::Member) {
        return Ok(());
    }
    match m.read_member_entry(name, tag, value) {
        Some(result) => result,
        None => {
            m.extra_fields.insert(key.to_owned(), value.clone());
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const LOCALIZED_MEMBERS: [&str; 5] = [
        "client_name",
        "logo_uri",
        "client_uri",
        "policy_uri",
        "tos_uri",
    ];

    #[test]
    fn every_known_member_has_a_typed_field() {
        // `[[]]` fits no known member, so an error shows the reader recognised the name
        // instead of filing it under extra_fields.
        for &key in ClientMetadata::MEMBER_NAMES {
            let document = json!({ key: [[]] });
            assert!(
                serde_json::from_value::<ClientMetadata>(document).is_err(),
                "{key} is not read into a field"
            );
            assert_eq!(reserved(key), Some(Reserved::Member));
        }
        for key in LOCALIZED_MEMBERS {
            assert_eq!(reserved(&format!("{key}#de-AT")), Some(Reserved::Member));
        }
        assert_eq!(reserved("redirect_uris#de-AT"), None);
        assert_eq!(reserved("client_secret"), Some(Reserved::ResponseOnly));
        assert_eq!(reserved("scope#en"), None);
        assert_eq!(reserved("#en"), None);
    }

    #[test]
    fn no_value_of_any_type_makes_the_readers_panic() {
        let values = [
            json!(null),
            json!(true),
            json!(-1),
            json!(1.5),
            json!(u64::MAX),
            json!(""),
            json!("x"),
            json!([]),
            json!(["x", 1]),
            json!({}),
            json!({"keys": [{"kty": "nope"}]}),
        ];
        let tagged = LOCALIZED_MEMBERS.map(|key| format!("{key}#"));
        let keys = ClientMetadata::MEMBER_NAMES
            .iter()
            .copied()
            .chain(RESPONSE_ONLY_MEMBERS)
            .chain(tagged.iter().map(String::as_str));
        for key in keys {
            for value in &values {
                let object = json!({ key: value });
                let object = object.as_object().expect("an object");
                let (lenient, problems) = ClientMetadata::from_json_object(object);
                let strict = serde_json::from_value::<ClientMetadata>(json!(object));
                assert_eq!(strict.is_ok(), problems.is_empty(), "{key}: {value}");
                if let Ok(strict) = strict {
                    assert_eq!(strict, lenient);
                }
                // A known member never falls through to extra_fields.
                assert!(lenient.extra_fields.is_empty(), "{key}: {value}");
            }
        }
    }
}
