//! How provider metadata is read from and written to its JSON document.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use crate::json::JsonObjectError;

use super::{ParseOptions, ProviderMetadata, ProviderMetadataError};

/// A value the known members can hold, and how it is read from JSON.
pub(super) trait Member: Sized {
    /// What the member should hold, for [`ProviderMetadataError::WrongType`].
    const EXPECTED: &'static str;

    /// Converts the value, or says what was found instead. `tolerant` is
    /// [`ParseOptions::tolerate_malformed_values`].
    fn from_value(value: Value, tolerant: bool) -> Result<Self, &'static str>;
}

impl Member for String {
    const EXPECTED: &'static str = "a string";

    fn from_value(value: Value, _tolerant: bool) -> Result<Self, &'static str> {
        match value {
            Value::String(text) => Ok(text),
            other => Err(json_kind(&other)),
        }
    }
}

impl Member for bool {
    const EXPECTED: &'static str = "a boolean";

    fn from_value(value: Value, tolerant: bool) -> Result<Self, &'static str> {
        match value {
            Value::Bool(flag) => Ok(flag),
            // Some providers serialize booleans as strings; when the caller opted in, the
            // meaning is not in doubt.
            Value::String(text) if tolerant && text.eq_ignore_ascii_case("true") => Ok(true),
            Value::String(text) if tolerant && text.eq_ignore_ascii_case("false") => Ok(false),
            other => Err(json_kind(&other)),
        }
    }
}

impl<T: From<String>> Member for Vec<T> {
    const EXPECTED: &'static str = "an array of strings";

    fn from_value(value: Value, tolerant: bool) -> Result<Self, &'static str> {
        match value {
            Value::Array(items) => items
                .into_iter()
                .map(|item| match item {
                    Value::String(text) => Ok(T::from(text)),
                    other => Err(match other {
                        Value::Null => "an array containing null",
                        Value::Bool(_) => "an array containing a boolean",
                        Value::Number(_) => "an array containing a number",
                        Value::Array(_) => "an array containing an array",
                        _ => "an array containing an object",
                    }),
                })
                .collect(),
            // A lone string where a list belongs is a known provider quirk; when the caller
            // opted in, its meaning (a list of one) is clear.
            Value::String(text) if tolerant => Ok(vec![T::from(text)]),
            other => Err(json_kind(&other)),
        }
    }
}

impl Member for Map<String, Value> {
    const EXPECTED: &'static str = "an object";

    fn from_value(value: Value, _tolerant: bool) -> Result<Self, &'static str> {
        match value {
            Value::Object(object) => Ok(object),
            other => Err(json_kind(&other)),
        }
    }
}

/// The JSON type of a value, for error messages. Never the value itself.
pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Reads one known member, naming it in the error.
pub(super) fn convert<T: Member>(
    member: &str,
    value: Value,
    tolerant: bool,
) -> Result<T, ProviderMetadataError> {
    T::from_value(value, tolerant).map_err(|found| ProviderMetadataError::WrongType {
        member: member.to_owned(),
        expected: T::EXPECTED,
        found,
    })
}

/// Declares [`ProviderMetadata`] from one table of members: the struct (`issuer`, then one
/// `Option` field per entry, then `extra_fields`), its reader and its writer. Each entry is
/// `doc comments, field name: type`; the JSON member name is the field name. The table itself is
/// in `mod.rs`: adding a member is one entry there.
macro_rules! provider_metadata {
    (
        $(#[$struct_attr:meta])*
        pub struct ProviderMetadata {
            $(#[$issuer_attr:meta])*
            issuer: String,
            $( $(#[$field_attr:meta])* $field:ident : $ty:ty, )+
        }
    ) => {
        $(#[$struct_attr])*
        pub struct ProviderMetadata {
            $(#[$issuer_attr])*
            pub issuer: String,
            $( $(#[$field_attr])* pub $field: Option<$ty>, )+
            /// Every other member, as received (minus `null` members; in the `Map`'s order, see
            /// [Member order](crate::json#member-order)):
            /// vendor extensions such as Entra's `cloud_instance_name` or Auth0's
            /// `mfa_challenge_endpoint`. Serialized after the known members; a key here that
            /// names a known member is left out of the output, as the typed field takes
            /// precedence.
            pub extra_fields: serde_json::Map<String, serde_json::Value>,
        }

        impl ProviderMetadata {
            /// Reads one member into its field; gives an unknown member back.
            fn read_member(
                &mut self,
                name: &str,
                value: serde_json::Value,
                tolerant: bool,
            ) -> Result<Option<serde_json::Value>, ProviderMetadataError> {
                match name {
                    $(stringify!($field) => {
                        self.$field = Some($crate::provider_metadata::wire::convert::<$ty>(
                            name, value, tolerant)?);
                    })+
                    _ => return Ok(Some(value)),
                }
                Ok(None)
            }

            fn is_known_member(name: &str) -> bool {
                matches!(name, "issuer" $(| stringify!($field))+)
            }
        }

        impl serde::Serialize for ProviderMetadata {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap as _;
                let ProviderMetadata { issuer, $($field,)+ extra_fields } = self;
                let mut map = serializer.serialize_map(None)?;
                map.serialize_entry("issuer", issuer)?;
                $(
                    if let Some(value) = $field {
                        map.serialize_entry(stringify!($field), value)?;
                    }
                )+
                for (name, value) in extra_fields {
                    if !Self::is_known_member(name) {
                        map.serialize_entry(name, value)?;
                    }
                }
                map.end()
            }
        }
    };
}

impl ProviderMetadata {
    /// Reads a configuration document from a JSON body, strictly (the default
    /// [`ParseOptions`]); see [`ProviderMetadata::from_json_with`] to tolerate malformed values.
    ///
    /// The body is parsed once (a leading UTF-8 byte order mark skipped). A member whose value
    /// is JSON `null` is treated as absent (and is not kept in `extra_fields`).
    ///
    /// # Errors
    ///
    /// [`ProviderMetadataError::InvalidJson`] when the body is not JSON,
    /// [`NotAnObject`](ProviderMetadataError::NotAnObject) when it is not a JSON object,
    /// [`DuplicateMember`](ProviderMetadataError::DuplicateMember) when it repeats a top-level
    /// member,
    /// [`MissingIssuer`](ProviderMetadataError::MissingIssuer) without a non-empty `issuer`
    /// string, and [`WrongType`](ProviderMetadataError::WrongType) naming the first known
    /// member whose value has the wrong JSON type, e.g.
    /// `provider metadata: jwks_uri: expected a string, found a number`.
    pub fn from_json(body: &[u8]) -> Result<Self, ProviderMetadataError> {
        Self::from_json_with(body, &ParseOptions::default())
    }

    /// Reads a configuration document from a JSON body as `options` say; see
    /// [`ProviderMetadata::from_json`].
    ///
    /// # Errors
    ///
    /// As [`ProviderMetadata::from_json`]; with
    /// [`tolerate_malformed_values`](ParseOptions::tolerate_malformed_values) a `"true"` /
    /// `"false"` string or a lone string is not a [`WrongType`](ProviderMetadataError::WrongType).
    pub fn from_json_with(
        body: &[u8],
        options: &ParseOptions,
    ) -> Result<Self, ProviderMetadataError> {
        Self::from_json_object_with(Self::document_object(body)?, options)
    }

    /// The first step of [`ProviderMetadata::from_json`]: the body as a JSON object, not yet
    /// read as metadata. For callers that adjust the document before reading it (discovery
    /// applies overrides and verified `signed_metadata` claims here).
    ///
    /// Read with [`crate::json::parse_object`]: a leading UTF-8 byte order mark is skipped, and
    /// a member repeated at the top level is refused.
    ///
    /// ```
    /// use oidc_types::{ProviderMetadata, ProviderMetadataError};
    ///
    /// let twice = br#"{"issuer":"https://op.example","issuer":"https://evil.example"}"#;
    /// let error = ProviderMetadata::document_object(twice).unwrap_err();
    /// assert!(matches!(&error, ProviderMetadataError::DuplicateMember { member } if member == "issuer"));
    /// ```
    ///
    /// # Errors
    ///
    /// [`ProviderMetadataError::InvalidJson`], [`ProviderMetadataError::NotAnObject`] or
    /// [`ProviderMetadataError::DuplicateMember`].
    pub fn document_object(body: &[u8]) -> Result<Map<String, Value>, ProviderMetadataError> {
        crate::json::parse_object(body).map_err(|error| match error {
            JsonObjectError::InvalidJson { source } => {
                ProviderMetadataError::InvalidJson { source }
            }
            JsonObjectError::NotAnObject { found } => ProviderMetadataError::NotAnObject { found },
            JsonObjectError::DuplicateMember { member } => {
                ProviderMetadataError::DuplicateMember { member }
            }
        })
    }

    /// Reads a configuration document from an already parsed JSON object, strictly; see
    /// [`ProviderMetadata::from_json`].
    ///
    /// # Errors
    ///
    /// As [`ProviderMetadata::from_json`], except that the JSON is already parsed.
    pub fn from_json_object(object: Map<String, Value>) -> Result<Self, ProviderMetadataError> {
        Self::from_json_object_with(object, &ParseOptions::default())
    }

    /// Reads a configuration document from an already parsed JSON object as `options` say; see
    /// [`ProviderMetadata::from_json_with`].
    ///
    /// # Errors
    ///
    /// As [`ProviderMetadata::from_json_with`], except that the JSON is already parsed.
    pub fn from_json_object_with(
        object: Map<String, Value>,
        options: &ParseOptions,
    ) -> Result<Self, ProviderMetadataError> {
        let tolerant = options.tolerate_malformed_values;
        let mut metadata = Self::default();
        let mut issuer = None;
        // One pass over the members, so that no member is looked up twice.
        for (name, value) in object {
            if value.is_null() {
                continue;
            }
            if name == "issuer" {
                issuer = Some(convert::<String>(&name, value, tolerant)?);
            } else if let Some(unknown) = metadata.read_member(&name, value, tolerant)? {
                metadata.extra_fields.insert(name, unknown);
            }
        }
        metadata.issuer = issuer
            .filter(|issuer| !issuer.is_empty())
            .ok_or(ProviderMetadataError::MissingIssuer)?;
        Ok(metadata)
    }
}

/// Reads the same documents as [`ProviderMetadata::from_json_object`], as strictly, so stored
/// metadata can be loaded with any serde format that has maps.
impl<'de> Deserialize<'de> for ProviderMetadata {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let object = Map::<String, Value>::deserialize(deserializer)?;
        Self::from_json_object(object).map_err(D::Error::custom)
    }
}
