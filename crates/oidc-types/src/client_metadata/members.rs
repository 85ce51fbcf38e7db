//! The machinery behind the member table of [`ClientMetadata`](super::ClientMetadata): the
//! `client_metadata!` macro that turns one list of members into the struct, its JSON names and
//! order, its reader and writer, and the [`Member`] trait that says how one member's value is
//! written and read.
//!
//! The table itself is in `mod.rs`; adding a member is one entry there.

use serde::de::DeserializeOwned;
use serde::ser::SerializeMap;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::language::Localized;

/// How the value of one member goes to and comes from JSON.
///
/// Every member is either an `Option<T>` (absent when `None`) or a [`Localized`] text (absent
/// when empty); nothing has a default that would be written on the caller's behalf.
pub(crate) trait Member: PartialEq {
    /// Whether the member can carry a language tag (`client_name#ja-Jpan-JP`, OIDC DCR §2.1).
    const TAGGABLE: bool;

    /// Writes the member's entries (none when absent).
    fn serialize_member<M: SerializeMap>(&self, name: &str, map: &mut M) -> Result<(), M::Error>;

    /// Reads one JSON entry of the member (`tag` is the part after `#`, for taggable members).
    /// A value of the wrong type leaves `self` unchanged and returns the reason.
    fn read_member(&mut self, tag: Option<&str>, value: &Value) -> Result<(), String>;
}

impl<T: Serialize + DeserializeOwned + PartialEq> Member for Option<T> {
    const TAGGABLE: bool = false;

    fn serialize_member<M: SerializeMap>(&self, name: &str, map: &mut M) -> Result<(), M::Error> {
        match self {
            Some(value) => map.serialize_entry(name, value),
            None => Ok(()),
        }
    }

    fn read_member(&mut self, _tag: Option<&str>, value: &Value) -> Result<(), String> {
        *self = Some(T::deserialize(value).map_err(|error| error.to_string())?);
        Ok(())
    }
}

impl Member for Localized {
    const TAGGABLE: bool = true;

    fn serialize_member<M: SerializeMap>(&self, name: &str, map: &mut M) -> Result<(), M::Error> {
        if let Some(untagged) = self.value() {
            map.serialize_entry(name, untagged)?;
        }
        for (tag, text) in self.tagged() {
            // Written straight to the serializer: no `String` per tagged member.
            map.serialize_entry(&format_args!("{name}#{tag}"), text)?;
        }
        Ok(())
    }

    fn read_member(&mut self, tag: Option<&str>, value: &Value) -> Result<(), String> {
        let Value::String(text) = value else {
            return Err(format!(
                "invalid type: {}, expected a string",
                crate::provider_metadata::json_kind(value)
            ));
        };
        match tag {
            Some(tag) => self.set_tagged(tag, text.as_str()),
            None => self.set_value(text.as_str()),
        }
        Ok(())
    }
}

/// The JSON entries `member` writes, as an object (empty when the member is absent).
pub(crate) fn entries_of<T: Member>(
    name: &str,
    member: &T,
) -> Result<Map<String, Value>, serde_json::Error> {
    use serde::Serializer as _;
    let mut map = serde_json::value::Serializer.serialize_map(None)?;
    member.serialize_member(name, &mut map)?;
    match map.end()? {
        Value::Object(object) => Ok(object),
        // The value serializer's map always ends as an object.
        _ => Ok(Map::new()),
    }
}

/// Writes into `object` the entries that differ between `before` and `after` (two values of
/// member `name`), entry by entry: an entry `after` no longer writes is removed, one it writes
/// differently is put in. Entries of `object` that neither value writes, such as a tagged
/// `client_name#fr` the typed view could not read, are left alone.
///
/// Where the entries stand is the `Map`'s business (see [`crate::json`]); when a binary enables
/// serde_json's `preserve_order`, the other entries do not move and a replaced one stays where
/// it was.
pub(crate) fn write_changes<T: Member>(
    object: &mut Map<String, Value>,
    name: &str,
    before: &T,
    after: &T,
) -> Result<(), serde_json::Error> {
    let old = entries_of(name, before)?;
    let new = entries_of(name, after)?;
    remove_members(object, |key| {
        old.contains_key(key) && !new.contains_key(key)
    });
    for (key, value) in new {
        if old.get(&key) != Some(&value) {
            object.insert(key, value);
        }
    }
    Ok(())
}

/// Removes the members of `object` whose names `gone` picks, leaving the others in the order
/// they are in. (`Map::remove` would, with `preserve_order`, move the last member into the
/// gap; `shift_remove`, which would not, exists only with that feature.)
pub(crate) fn remove_members(object: &mut Map<String, Value>, gone: impl Fn(&str) -> bool) {
    object.retain(|key, _| !gone(key));
}

/// Declares [`ClientMetadata`](super::ClientMetadata) from one table of members.
///
/// Each entry is `doc comments, field name: type`; the JSON member name is the field name. The
/// macro writes the struct (plus `extra_fields`), the list of member names in table order, and
/// the per-member dispatch the reader, the writer and the change tracking use.
macro_rules! client_metadata {
    (
        $(#[$struct_attr:meta])*
        pub struct ClientMetadata {
            $( $(#[$field_attr:meta])* $name:ident : $ty:ty, )*
        }
    ) => {
        $(#[$struct_attr])*
        pub struct ClientMetadata {
            $( $(#[$field_attr])* pub $name: $ty, )*
            /// Any other member, sent and kept as-is, after the members above. A key must not be
            /// one of the members above (including tagged ones such as `client_name#en`) nor a
            /// registration response member such as `client_id`: serialization fails on such a
            /// key.
            pub extra_fields: serde_json::Map<String, serde_json::Value>,
        }

        impl ClientMetadata {
            /// Every member this type reads into a field, in the order it writes them.
            pub const MEMBER_NAMES: &'static [&'static str] = &[$(stringify!($name)),*];

            /// Whether `name` is a member of the table, and if so whether it takes a language
            /// tag.
            pub(crate) fn member_taggable(name: &str) -> Option<bool> {
                match name {
                    $( stringify!($name) => Some(<$ty as $crate::client_metadata::members::Member>::TAGGABLE), )*
                    _ => None,
                }
            }

            /// Writes every present member, in table order.
            pub(crate) fn serialize_members<M: serde::ser::SerializeMap>(
                &self,
                map: &mut M,
            ) -> Result<(), M::Error> {
                $( $crate::client_metadata::members::Member::serialize_member(
                    &self.$name, stringify!($name), map)?; )*
                Ok(())
            }

            /// Reads one entry of member `name` (`tag` after a `#`) into its field; `None` when
            /// `name` is no member or does not take the tag given.
            pub(crate) fn read_member_entry(
                &mut self,
                name: &str,
                tag: Option<&str>,
                value: &serde_json::Value,
            ) -> Option<Result<(), String>> {
                match name {
                    $( stringify!($name) => {
                        if tag.is_some()
                            && !<$ty as $crate::client_metadata::members::Member>::TAGGABLE
                        {
                            return None;
                        }
                        Some($crate::client_metadata::members::Member::read_member(
                            &mut self.$name, tag, value))
                    } )*
                    _ => None,
                }
            }

            /// Writes into `object` the members that differ between `before` and `self`, and
            /// leaves every other entry of `object` as it is.
            pub(crate) fn write_changed_members(
                &self,
                before: &Self,
                object: &mut serde_json::Map<String, serde_json::Value>,
            ) -> Result<(), serde_json::Error> {
                $( if self.$name != before.$name {
                    $crate::client_metadata::members::write_changes(
                        object, stringify!($name), &before.$name, &self.$name)?;
                } )*
                Ok(())
            }
        }
    };
}

pub(crate) use client_metadata;
