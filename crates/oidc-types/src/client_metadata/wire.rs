//! The JSON form of [`ClientMetadata`]: a hand-written `Serialize` (spec order, defaults
//! omitted, refusal of private keys and shadowing extra fields) and one reader shared by the
//! strict `Deserialize` and the lenient [`ClientMetadata::from_json_object`].

use serde::de::{Deserialize, Deserializer, Error as _};
use serde::ser::{Error as _, Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

use super::{ClientMetadata, FieldProblem};
use crate::language::Localized;
use crate::validation;

/// The members that can carry a language tag (OIDC DCR §2.1).
pub(crate) const LOCALIZED_MEMBERS: [&str; 5] = [
    "client_name",
    "logo_uri",
    "client_uri",
    "policy_uri",
    "tos_uri",
];

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

/// Every member [`ClientMetadata`] writes, in the order it writes them.
pub(crate) const KNOWN_MEMBERS: [&str; 61] = [
    "redirect_uris",
    "response_types",
    "grant_types",
    "application_type",
    "contacts",
    "client_name",
    "logo_uri",
    "client_uri",
    "policy_uri",
    "tos_uri",
    "jwks_uri",
    "jwks",
    "sector_identifier_uri",
    "subject_type",
    "id_token_signed_response_alg",
    "id_token_encrypted_response_alg",
    "id_token_encrypted_response_enc",
    "userinfo_signed_response_alg",
    "userinfo_encrypted_response_alg",
    "userinfo_encrypted_response_enc",
    "request_object_signing_alg",
    "request_object_encryption_alg",
    "request_object_encryption_enc",
    "token_endpoint_auth_method",
    "token_endpoint_auth_signing_alg",
    "default_max_age",
    "require_auth_time",
    "default_acr_values",
    "initiate_login_uri",
    "request_uris",
    "scope",
    "software_id",
    "software_version",
    "software_statement",
    "post_logout_redirect_uris",
    "frontchannel_logout_uri",
    "frontchannel_logout_session_required",
    "backchannel_logout_uri",
    "backchannel_logout_session_required",
    "tls_client_auth_subject_dn",
    "tls_client_auth_san_dns",
    "tls_client_auth_san_uri",
    "tls_client_auth_san_ip",
    "tls_client_auth_san_email",
    "tls_client_certificate_bound_access_tokens",
    "dpop_bound_access_tokens",
    "require_pushed_authorization_requests",
    "require_signed_request_object",
    "authorization_signed_response_alg",
    "authorization_encrypted_response_alg",
    "authorization_encrypted_response_enc",
    "backchannel_token_delivery_mode",
    "backchannel_client_notification_endpoint",
    "backchannel_authentication_request_signing_alg",
    "backchannel_user_code_parameter",
    "authorization_details_types",
    "introspection_signed_response_alg",
    "introspection_encrypted_response_alg",
    "introspection_encrypted_response_enc",
    "client_registration_types",
    "use_mtls_endpoint_aliases",
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
        Some((base, _tag)) => LOCALIZED_MEMBERS.contains(&base),
        None => KNOWN_MEMBERS.contains(&key),
    };
    known.then_some(Reserved::Member)
}

impl Serialize for ClientMetadata {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Checked before anything is written so that a refused document is never half-sent
        // by a streaming serializer.
        if let Some(jwks) = &self.jwks {
            if let Some(problem) = validation::key_material_problems(jwks).into_iter().next() {
                return Err(S::Error::custom(format_args!(
                    "refusing to serialize client metadata: {problem}"
                )));
            }
        }
        if let Some(key) = self.extra_fields.keys().find(|key| reserved(key).is_some()) {
            return Err(S::Error::custom(format_args!(
                "refusing to serialize client metadata: extra_fields key {key:?} shadows a \
                 member ClientMetadata writes or a registration response member"
            )));
        }

        let m = self;
        let mut map = serializer.serialize_map(None)?;
        if !m.redirect_uris.is_empty() {
            map.serialize_entry("redirect_uris", &m.redirect_uris)?;
        }
        optional(&mut map, "response_types", &m.response_types)?;
        optional(&mut map, "grant_types", &m.grant_types)?;
        map.serialize_entry("application_type", &m.application_type)?;
        optional(&mut map, "contacts", &m.contacts)?;
        localized(&mut map, "client_name", &m.client_name)?;
        localized(&mut map, "logo_uri", &m.logo_uri)?;
        localized(&mut map, "client_uri", &m.client_uri)?;
        localized(&mut map, "policy_uri", &m.policy_uri)?;
        localized(&mut map, "tos_uri", &m.tos_uri)?;
        optional(&mut map, "jwks_uri", &m.jwks_uri)?;
        optional(&mut map, "jwks", &m.jwks)?;
        optional(&mut map, "sector_identifier_uri", &m.sector_identifier_uri)?;
        optional(&mut map, "subject_type", &m.subject_type)?;
        optional(
            &mut map,
            "id_token_signed_response_alg",
            &m.id_token_signed_response_alg,
        )?;
        optional(
            &mut map,
            "id_token_encrypted_response_alg",
            &m.id_token_encrypted_response_alg,
        )?;
        optional(
            &mut map,
            "id_token_encrypted_response_enc",
            &m.id_token_encrypted_response_enc,
        )?;
        optional(
            &mut map,
            "userinfo_signed_response_alg",
            &m.userinfo_signed_response_alg,
        )?;
        optional(
            &mut map,
            "userinfo_encrypted_response_alg",
            &m.userinfo_encrypted_response_alg,
        )?;
        optional(
            &mut map,
            "userinfo_encrypted_response_enc",
            &m.userinfo_encrypted_response_enc,
        )?;
        optional(
            &mut map,
            "request_object_signing_alg",
            &m.request_object_signing_alg,
        )?;
        optional(
            &mut map,
            "request_object_encryption_alg",
            &m.request_object_encryption_alg,
        )?;
        optional(
            &mut map,
            "request_object_encryption_enc",
            &m.request_object_encryption_enc,
        )?;
        map.serialize_entry("token_endpoint_auth_method", &m.token_endpoint_auth_method)?;
        optional(
            &mut map,
            "token_endpoint_auth_signing_alg",
            &m.token_endpoint_auth_signing_alg,
        )?;
        optional(&mut map, "default_max_age", &m.default_max_age)?;
        flag(&mut map, "require_auth_time", m.require_auth_time)?;
        optional(&mut map, "default_acr_values", &m.default_acr_values)?;
        optional(&mut map, "initiate_login_uri", &m.initiate_login_uri)?;
        optional(&mut map, "request_uris", &m.request_uris)?;
        optional(&mut map, "scope", &m.scope)?;
        optional(&mut map, "software_id", &m.software_id)?;
        optional(&mut map, "software_version", &m.software_version)?;
        optional(&mut map, "software_statement", &m.software_statement)?;
        optional(
            &mut map,
            "post_logout_redirect_uris",
            &m.post_logout_redirect_uris,
        )?;
        optional(
            &mut map,
            "frontchannel_logout_uri",
            &m.frontchannel_logout_uri,
        )?;
        flag(
            &mut map,
            "frontchannel_logout_session_required",
            m.frontchannel_logout_session_required,
        )?;
        optional(
            &mut map,
            "backchannel_logout_uri",
            &m.backchannel_logout_uri,
        )?;
        flag(
            &mut map,
            "backchannel_logout_session_required",
            m.backchannel_logout_session_required,
        )?;
        optional(
            &mut map,
            "tls_client_auth_subject_dn",
            &m.tls_client_auth_subject_dn,
        )?;
        optional(
            &mut map,
            "tls_client_auth_san_dns",
            &m.tls_client_auth_san_dns,
        )?;
        optional(
            &mut map,
            "tls_client_auth_san_uri",
            &m.tls_client_auth_san_uri,
        )?;
        optional(
            &mut map,
            "tls_client_auth_san_ip",
            &m.tls_client_auth_san_ip,
        )?;
        optional(
            &mut map,
            "tls_client_auth_san_email",
            &m.tls_client_auth_san_email,
        )?;
        flag(
            &mut map,
            "tls_client_certificate_bound_access_tokens",
            m.tls_client_certificate_bound_access_tokens,
        )?;
        flag(
            &mut map,
            "dpop_bound_access_tokens",
            m.dpop_bound_access_tokens,
        )?;
        flag(
            &mut map,
            "require_pushed_authorization_requests",
            m.require_pushed_authorization_requests,
        )?;
        flag(
            &mut map,
            "require_signed_request_object",
            m.require_signed_request_object,
        )?;
        optional(
            &mut map,
            "authorization_signed_response_alg",
            &m.authorization_signed_response_alg,
        )?;
        optional(
            &mut map,
            "authorization_encrypted_response_alg",
            &m.authorization_encrypted_response_alg,
        )?;
        optional(
            &mut map,
            "authorization_encrypted_response_enc",
            &m.authorization_encrypted_response_enc,
        )?;
        optional(
            &mut map,
            "backchannel_token_delivery_mode",
            &m.backchannel_token_delivery_mode,
        )?;
        optional(
            &mut map,
            "backchannel_client_notification_endpoint",
            &m.backchannel_client_notification_endpoint,
        )?;
        optional(
            &mut map,
            "backchannel_authentication_request_signing_alg",
            &m.backchannel_authentication_request_signing_alg,
        )?;
        flag(
            &mut map,
            "backchannel_user_code_parameter",
            m.backchannel_user_code_parameter,
        )?;
        optional(
            &mut map,
            "authorization_details_types",
            &m.authorization_details_types,
        )?;
        optional(
            &mut map,
            "introspection_signed_response_alg",
            &m.introspection_signed_response_alg,
        )?;
        optional(
            &mut map,
            "introspection_encrypted_response_alg",
            &m.introspection_encrypted_response_alg,
        )?;
        optional(
            &mut map,
            "introspection_encrypted_response_enc",
            &m.introspection_encrypted_response_enc,
        )?;
        optional(
            &mut map,
            "client_registration_types",
            &m.client_registration_types,
        )?;
        flag(
            &mut map,
            "use_mtls_endpoint_aliases",
            m.use_mtls_endpoint_aliases,
        )?;
        for (key, value) in &m.extra_fields {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

fn optional<M: SerializeMap, T: Serialize>(
    map: &mut M,
    key: &str,
    value: &Option<T>,
) -> Result<(), M::Error> {
    match value {
        Some(value) => map.serialize_entry(key, value),
        None => Ok(()),
    }
}

fn flag<M: SerializeMap>(map: &mut M, key: &str, value: bool) -> Result<(), M::Error> {
    // Every flag defaults to false, so sending false would say nothing.
    if value {
        map.serialize_entry(key, &true)?;
    }
    Ok(())
}

fn localized<M: SerializeMap>(map: &mut M, key: &str, value: &Localized) -> Result<(), M::Error> {
    if let Some(untagged) = value.value() {
        map.serialize_entry(key, untagged)?;
    }
    for (tag, text) in value.tagged() {
        // Written straight to the serializer: no `String` per tagged member.
        map.serialize_entry(&format_args!("{key}#{tag}"), text)?;
    }
    Ok(())
}

impl<'de> Deserialize<'de> for ClientMetadata {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let object = Map::<String, Value>::deserialize(deserializer)?;
        let mut metadata = ClientMetadata::default();
        for (key, value) in &object {
            if let Err(message) = read_member(&mut metadata, key, value) {
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
        if let Err(message) = read_member(&mut metadata, key, value) {
            problems.push(FieldProblem::new(key.as_str(), message));
        }
    }
    (metadata, problems)
}

/// Reads one member into `m`: a known member into its field, an unknown one into
/// `extra_fields`. A value of the wrong type leaves `m` untouched and returns the reason.
fn read_member(m: &mut ClientMetadata, key: &str, value: &Value) -> Result<(), String> {
    match reserved(key) {
        Some(Reserved::ResponseOnly) => return Ok(()),
        // Providers send null for members they have no value for; it means absent. An unknown
        // member is kept as received, null included.
        Some(Reserved::Member) if value.is_null() => return Ok(()),
        Some(Reserved::Member) => {}
        None => {
            m.extra_fields.insert(key.to_owned(), value.clone());
            return Ok(());
        }
    }

    if let Some((base, tag)) = key.split_once('#') {
        let text: String = parse(value)?;
        if let Some(field) = localized_field(m, base) {
            field.set_tagged(tag, text);
        }
        return Ok(());
    }
    if let Some(field) = localized_field(m, key) {
        let text: String = parse(value)?;
        field.set_value(text);
        return Ok(());
    }

    match key {
        "redirect_uris" => m.redirect_uris = parse(value)?,
        "response_types" => m.response_types = Some(parse(value)?),
        "grant_types" => m.grant_types = Some(parse(value)?),
        "application_type" => m.application_type = parse(value)?,
        "contacts" => m.contacts = Some(parse(value)?),
        "jwks_uri" => m.jwks_uri = Some(parse(value)?),
        // serde's derived struct reader also takes an array (`[[...]]`), which is no JWK set.
        "jwks" if !value.is_object() => return Err("expected a JWK set object".to_owned()),
        "jwks" => m.jwks = Some(parse(value)?),
        "sector_identifier_uri" => m.sector_identifier_uri = Some(parse(value)?),
        "subject_type" => m.subject_type = Some(parse(value)?),
        "id_token_signed_response_alg" => m.id_token_signed_response_alg = Some(parse(value)?),
        "id_token_encrypted_response_alg" => {
            m.id_token_encrypted_response_alg = Some(parse(value)?);
        }
        "id_token_encrypted_response_enc" => {
            m.id_token_encrypted_response_enc = Some(parse(value)?);
        }
        "userinfo_signed_response_alg" => m.userinfo_signed_response_alg = Some(parse(value)?),
        "userinfo_encrypted_response_alg" => {
            m.userinfo_encrypted_response_alg = Some(parse(value)?);
        }
        "userinfo_encrypted_response_enc" => {
            m.userinfo_encrypted_response_enc = Some(parse(value)?);
        }
        "request_object_signing_alg" => m.request_object_signing_alg = Some(parse(value)?),
        "request_object_encryption_alg" => m.request_object_encryption_alg = Some(parse(value)?),
        "request_object_encryption_enc" => m.request_object_encryption_enc = Some(parse(value)?),
        "token_endpoint_auth_method" => m.token_endpoint_auth_method = parse(value)?,
        "token_endpoint_auth_signing_alg" => {
            m.token_endpoint_auth_signing_alg = Some(parse(value)?);
        }
        "default_max_age" => m.default_max_age = Some(parse(value)?),
        "require_auth_time" => m.require_auth_time = parse(value)?,
        "default_acr_values" => m.default_acr_values = Some(parse(value)?),
        "initiate_login_uri" => m.initiate_login_uri = Some(parse(value)?),
        "request_uris" => m.request_uris = Some(parse(value)?),
        "scope" => m.scope = Some(parse(value)?),
        "software_id" => m.software_id = Some(parse(value)?),
        "software_version" => m.software_version = Some(parse(value)?),
        "software_statement" => m.software_statement = Some(parse(value)?),
        "post_logout_redirect_uris" => m.post_logout_redirect_uris = Some(parse(value)?),
        "frontchannel_logout_uri" => m.frontchannel_logout_uri = Some(parse(value)?),
        "frontchannel_logout_session_required" => {
            m.frontchannel_logout_session_required = parse(value)?;
        }
        "backchannel_logout_uri" => m.backchannel_logout_uri = Some(parse(value)?),
        "backchannel_logout_session_required" => {
            m.backchannel_logout_session_required = parse(value)?;
        }
        "tls_client_auth_subject_dn" => m.tls_client_auth_subject_dn = Some(parse(value)?),
        "tls_client_auth_san_dns" => m.tls_client_auth_san_dns = Some(parse(value)?),
        "tls_client_auth_san_uri" => m.tls_client_auth_san_uri = Some(parse(value)?),
        "tls_client_auth_san_ip" => m.tls_client_auth_san_ip = Some(parse(value)?),
        "tls_client_auth_san_email" => m.tls_client_auth_san_email = Some(parse(value)?),
        "tls_client_certificate_bound_access_tokens" => {
            m.tls_client_certificate_bound_access_tokens = parse(value)?;
        }
        "dpop_bound_access_tokens" => m.dpop_bound_access_tokens = parse(value)?,
        "require_pushed_authorization_requests" => {
            m.require_pushed_authorization_requests = parse(value)?;
        }
        "require_signed_request_object" => m.require_signed_request_object = parse(value)?,
        "authorization_signed_response_alg" => {
            m.authorization_signed_response_alg = Some(parse(value)?);
        }
        "authorization_encrypted_response_alg" => {
            m.authorization_encrypted_response_alg = Some(parse(value)?);
        }
        "authorization_encrypted_response_enc" => {
            m.authorization_encrypted_response_enc = Some(parse(value)?);
        }
        "backchannel_token_delivery_mode" => {
            m.backchannel_token_delivery_mode = Some(parse(value)?);
        }
        "backchannel_client_notification_endpoint" => {
            m.backchannel_client_notification_endpoint = Some(parse(value)?);
        }
        "backchannel_authentication_request_signing_alg" => {
            m.backchannel_authentication_request_signing_alg = Some(parse(value)?);
        }
        "backchannel_user_code_parameter" => m.backchannel_user_code_parameter = parse(value)?,
        "authorization_details_types" => m.authorization_details_types = Some(parse(value)?),
        "introspection_signed_response_alg" => {
            m.introspection_signed_response_alg = Some(parse(value)?);
        }
        "introspection_encrypted_response_alg" => {
            m.introspection_encrypted_response_alg = Some(parse(value)?);
        }
        "introspection_encrypted_response_enc" => {
            m.introspection_encrypted_response_enc = Some(parse(value)?);
        }
        "client_registration_types" => m.client_registration_types = Some(parse(value)?),
        "use_mtls_endpoint_aliases" => m.use_mtls_endpoint_aliases = parse(value)?,
        // `reserved` and this match list the same names; a test keeps them in step. Should
        // they drift, keeping the member beats dropping it.
        _ => {
            m.extra_fields.insert(key.to_owned(), value.clone());
        }
    }
    Ok(())
}

fn localized_field<'m>(m: &'m mut ClientMetadata, name: &str) -> Option<&'m mut Localized> {
    match name {
        "client_name" => Some(&mut m.client_name),
        "logo_uri" => Some(&mut m.logo_uri),
        "client_uri" => Some(&mut m.client_uri),
        "policy_uri" => Some(&mut m.policy_uri),
        "tos_uri" => Some(&mut m.tos_uri),
        _ => None,
    }
}

fn parse<'a, T: Deserialize<'a>>(value: &'a Value) -> Result<T, String> {
    T::deserialize(value).map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_known_member_has_a_typed_field() {
        // `[[]]` fits no known member, so an error shows the reader recognised the name
        // instead of filing it under extra_fields.
        for key in KNOWN_MEMBERS {
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
        let keys = KNOWN_MEMBERS
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
