//! The one reader for JSON documents that come from a provider: a body that must be a JSON
//! object, read in a single pass that refuses a member repeated at the top level.
//!
//! RFC 8259 §4 only says member names "SHOULD be unique", and leaves what a reader does with a
//! repeated one open; `serde_json` keeps the last value without a word. For a provider's
//! document that is a hazard: `{"issuer": "https://op.example", …, "issuer": "https://evil.example"}`
//! means one thing to a reader that keeps the first value and another to one that keeps the last,
//! so the document says two things and neither reading can be trusted. Every document this
//! workspace reads from a provider (discovery configuration, RFC 8414 metadata, JWK sets,
//! WebFinger answers, registration answers) goes through [`parse_object`] or
//! [`parse_object_tolerating`].
//!
//! **Only the top level is checked.** Nested objects (a key in a JWK set, `mtls_endpoint_aliases`,
//! an echoed `jwks`) are read by `serde_json`, which keeps the last value of a repeated member.
//! The members whose meaning decides what the library does (the issuer, endpoints, credentials,
//! the `keys` array) are top-level members, and checking only there keeps the check free: no
//! extra bookkeeping per nested object and no second parse.
//!
//! A leading UTF-8 byte order mark is skipped (RFC 8259 §8.1 lets a parser ignore it; some
//! Microsoft documents carry one).
//!
//! # Member order
//!
//! Every JSON object the workspace hands out (here, in [`Jwk`](crate::Jwk), `extra_fields`,
//! a [`RegisteredClient`](crate::RegisteredClient)'s metadata object, …) is a
//! [`serde_json::Map`], and its members come in that `Map`'s order: sorted by name, or document
//! order when the binary enables serde_json's `preserve_order` feature. This library does not
//! turn that feature on (Cargo features unify, so it would change every `Map` of the whole
//! binary), and nothing it does depends on the order: RFC 8259 §4 calls an object "an
//! unordered collection", a signature is checked over the bytes received, never over JSON
//! written again, and an RFC 7638 thumbprint names its members in a fixed order. Where the
//! library decides an order itself, such as the typed members of
//! [`ClientMetadata`](crate::ClientMetadata) or `keys` first in a [`JwkSet`](crate::JwkSet), it
//! writes that order whatever the feature.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Value};

/// The UTF-8 encoding of U+FEFF.
const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// Why a body is not a usable JSON object. Messages never quote a value, only member names.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JsonObjectError {
    /// The body is not JSON (or has something after the JSON value).
    #[error("invalid JSON")]
    InvalidJson {
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// The body is JSON, but not an object.
    #[error("expected a JSON object, found {found}")]
    NotAnObject {
        /// What it is, e.g. `"an array"`.
        found: &'static str,
    },
    /// The object has the member `member` more than once at the top level.
    #[error("the member {member:?} appears more than once")]
    DuplicateMember {
        /// The repeated member's name.
        member: String,
    },
}

/// Parses `body` as a JSON object, refusing a top-level member that appears twice.
///
/// A leading UTF-8 byte order mark is skipped. Members come in the `Map`'s order (see
/// [Member order](self#member-order)).
///
/// ```
/// use oidc_types::json::{parse_object, JsonObjectError};
///
/// let object = parse_object(b"\xEF\xBB\xBF{\"issuer\":\"https://op.example\"}")?;
/// assert_eq!(object["issuer"], "https://op.example");
///
/// let error = parse_object(br#"{"issuer":"https://a.example","issuer":"https://b.example"}"#)
///     .unwrap_err();
/// assert!(matches!(&error, JsonObjectError::DuplicateMember { member } if member == "issuer"));
/// assert_eq!(error.to_string(), "the member \"issuer\" appears more than once");
///
/// // Nested objects are not checked: serde_json keeps the last value there.
/// let nested = parse_object(br#"{"aliases":{"a":1,"a":2}}"#)?;
/// assert_eq!(nested["aliases"]["a"], 2);
/// # Ok::<(), JsonObjectError>(())
/// ```
///
/// # Errors
///
/// [`JsonObjectError::InvalidJson`], [`NotAnObject`](JsonObjectError::NotAnObject) or
/// [`DuplicateMember`](JsonObjectError::DuplicateMember) naming the first repeated member.
pub fn parse_object(body: &[u8]) -> Result<Map<String, Value>, JsonObjectError> {
    parse_object_tolerating(body, |_| false).map(|(object, _)| object)
}

/// [`parse_object`], except that a repeated member for which `tolerated` returns `true` is not
/// an error: the last value is kept, as `serde_json` would (with `preserve_order`, in the
/// position of the first), and the member's name is returned, once, in the list of tolerated
/// duplicates. A repeated member for which `tolerated` returns `false` is still a
/// [`DuplicateMember`](JsonObjectError::DuplicateMember) error.
///
/// Registration answers use this: a repeated credential is fatal, a repeated echoed metadata
/// member is reported as a problem (see `RegistrationResponse`).
///
/// ```
/// use oidc_types::json::parse_object_tolerating;
///
/// let (object, repeated) = parse_object_tolerating(
///     br#"{"client_id":"a","client_name":"x","client_name":"y"}"#,
///     |member| member != "client_id",
/// )?;
/// assert_eq!(object["client_name"], "y");
/// assert_eq!(repeated, ["client_name"]);
/// assert!(parse_object_tolerating(br#"{"client_id":"a","client_id":"b"}"#, |m| m != "client_id").is_err());
/// # Ok::<(), oidc_types::json::JsonObjectError>(())
/// ```
///
/// # Errors
///
/// As [`parse_object`].
pub fn parse_object_tolerating(
    body: &[u8],
    tolerated: impl Fn(&str) -> bool,
) -> Result<(Map<String, Value>, Vec<String>), JsonObjectError> {
    let text = body.strip_prefix(BYTE_ORDER_MARK).unwrap_or(body);
    let mut refused = None;
    let mut repeated = Vec::new();
    let mut deserializer = serde_json::Deserializer::from_slice(text);
    let read = TopLevel {
        tolerated: &tolerated,
        refused: &mut refused,
        repeated: &mut repeated,
    }
    .deserialize(&mut deserializer)
    .and_then(|outcome| deserializer.end().map(|()| outcome));
    match read {
        Ok(Outcome::Object(object)) => Ok((object, repeated)),
        Ok(Outcome::Other(found)) => Err(JsonObjectError::NotAnObject { found }),
        // The visitor's own refusal travels as a serde error; the member it names is set aside.
        Err(source) => Err(match refused {
            Some(member) => JsonObjectError::DuplicateMember { member },
            None => JsonObjectError::InvalidJson { source },
        }),
    }
}

/// What the top-level value turned out to be.
enum Outcome {
    Object(Map<String, Value>),
    Other(&'static str),
}

/// Reads the top-level value: an object member by member, anything else only as far as needed
/// to say what it is.
struct TopLevel<'a, F> {
    tolerated: &'a F,
    /// The first repeated member that is not tolerated.
    refused: &'a mut Option<String>,
    /// The tolerated repeated members, each once.
    repeated: &'a mut Vec<String>,
}

impl<'de, F: Fn(&str) -> bool> DeserializeSeed<'de> for TopLevel<'_, F> {
    type Value = Outcome;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Outcome, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, F: Fn(&str) -> bool> Visitor<'de> for TopLevel<'_, F> {
    type Value = Outcome;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Outcome, A::Error> {
        let mut object = Map::new();
        while let Some(member) = access.next_key::<String>()? {
            let value: Value = access.next_value()?;
            // One lookup per member (the entry), not a search and then an insert.
            match object.entry(member) {
                Entry::Vacant(vacant) => {
                    vacant.insert(value);
                }
                Entry::Occupied(mut occupied) => {
                    let member = occupied.key();
                    if !(self.tolerated)(member) {
                        *self.refused = Some(member.clone());
                        return Err(de::Error::custom("a member appears more than once"));
                    }
                    if !self.repeated.iter().any(|seen| seen == member) {
                        self.repeated.push(member.clone());
                    }
                    // As serde_json's own reader: the last value wins (with `preserve_order`,
                    // in the place of the first).
                    occupied.insert(value);
                }
            }
        }
        Ok(Outcome::Object(object))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Outcome, A::Error> {
        // Read to the end, so that a broken array is invalid JSON rather than "an array".
        while access.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Outcome::Other("an array"))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Outcome, E> {
        Ok(Outcome::Other("a boolean"))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Outcome, E> {
        Ok(Outcome::Other("a number"))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Outcome, E> {
        Ok(Outcome::Other("a number"))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Outcome, E> {
        Ok(Outcome::Other("a number"))
    }

    fn visit_str<E>(self, _: &str) -> Result<Outcome, E> {
        Ok(Outcome::Other("a string"))
    }

    fn visit_unit<E>(self) -> Result<Outcome, E> {
        Ok(Outcome::Other("null"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn duplicate(body: &[u8]) -> Option<String> {
        match parse_object(body) {
            Err(JsonObjectError::DuplicateMember { member }) => Some(member),
            _ => None,
        }
    }

    #[test]
    fn a_repeated_top_level_member_is_named() {
        assert_eq!(
            duplicate(br#"{"issuer":"a","jwks_uri":"k","issuer":"b"}"#).as_deref(),
            Some("issuer")
        );
        // The first repeated member is the one named.
        assert_eq!(
            duplicate(br#"{"a":1,"b":2,"b":3,"a":4}"#).as_deref(),
            Some("b")
        );
        // Names are compared after unescaping: "\u0061" is "a".
        assert_eq!(duplicate(br#"{"a":1,"\u0061":2}"#).as_deref(), Some("a"));
        // The value never shows in the message.
        let error = parse_object(br#"{"client_secret":"hunter2","client_secret":"x"}"#)
            .unwrap_err()
            .to_string();
        assert!(!error.contains("hunter2"), "{error}");
    }

    /// The members of `object`, in its order.
    fn names(object: &Map<String, Value>) -> Vec<&str> {
        object.keys().map(String::as_str).collect()
    }

    /// What serde_json's own reader makes of `body`: the same members, values and order are
    /// expected of ours, with or without `preserve_order`.
    fn serde_json_object(body: &[u8]) -> Map<String, Value> {
        match serde_json::from_slice(body) {
            Ok(Value::Object(object)) => object,
            other => panic!("not an object: {other:?}"),
        }
    }

    #[test]
    fn distinct_members_are_all_kept_and_nested_duplicates_pass() {
        let body = br#"{"z":1,"a":{"k":1,"k":2},"m":[{"x":1,"x":2}]}"#;
        let object = parse_object(body).unwrap();
        assert_eq!(
            Value::Object(object.clone()),
            serde_json::json!({"z": 1, "a": {"k": 2}, "m": [{"x": 2}]})
        );
        assert_eq!(names(&object), names(&serde_json_object(body)));
    }

    #[test]
    fn a_byte_order_mark_is_skipped_once() {
        let object = parse_object(b"\xEF\xBB\xBF {\"a\":1}").unwrap();
        assert_eq!(object["a"], 1);
        assert!(matches!(
            parse_object(b"\xEF\xBB\xBF\xEF\xBB\xBF{}"),
            Err(JsonObjectError::InvalidJson { .. })
        ));
    }

    #[test]
    fn other_values_and_broken_json_are_told_apart() {
        for (body, found) in [
            (&b"[1, {\"a\":1,\"a\":2}]"[..], "an array"),
            (b"\"text\"", "a string"),
            (b"12.5", "a number"),
            (b"-3", "a number"),
            (b"true", "a boolean"),
            (b"null", "null"),
        ] {
            match parse_object(body) {
                Err(JsonObjectError::NotAnObject { found: f }) => assert_eq!(f, found),
                other => panic!("{body:?}: {other:?}"),
            }
        }
        for body in [
            &b""[..],
            b"{",
            b"[1,",
            b"{\"a\":1} trailing",
            b"\"x\" 1",
            b"{\"a\":1,}",
        ] {
            assert!(
                matches!(parse_object(body), Err(JsonObjectError::InvalidJson { .. })),
                "{body:?}"
            );
        }
    }

    #[test]
    fn tolerated_duplicates_keep_the_last_value_as_serde_json_does() {
        let body = br#"{"c":1,"b":2,"c":3,"c":4,"a":5}"#;
        let (object, repeated) = parse_object_tolerating(body, |member| member == "c").unwrap();
        assert_eq!(
            Value::Object(object.clone()),
            serde_json::json!({"a": 5, "b": 2, "c": 4})
        );
        assert_eq!(names(&object), names(&serde_json_object(body)));
        assert_eq!(repeated, ["c"]);
        // A repeated member that is not tolerated still fails, after a tolerated one.
        assert!(matches!(
            parse_object_tolerating(br#"{"a":1,"a":2,"b":1,"b":2}"#, |member| member == "a"),
            Err(JsonObjectError::DuplicateMember { member }) if member == "b"
        ));
    }

    #[test]
    fn the_same_values_as_serde_json() {
        let body = br#"{"n":1e400,"f":0.1,"big":18446744073709551615,"neg":-9223372036854775808,
            "s":"\ud83d\ude00","arr":[null,true,{"x":[]}]}"#;
        let ours = parse_object(body);
        let theirs = serde_json::from_slice::<Value>(body);
        // 1e400 is out of range for serde_json too.
        assert!(ours.is_err() && theirs.is_err());
        let body = &br#"{"f":0.1,"big":18446744073709551615,"neg":-9223372036854775808,
            "s":"\ud83d\ude00","arr":[null,true,{"x":[]}]}"#[..];
        assert_eq!(
            Value::Object(parse_object(body).unwrap()),
            serde_json::from_slice::<Value>(body).unwrap()
        );
    }
}
