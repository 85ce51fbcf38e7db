//! `ClientMetadata` JSON (strict and lenient) and validation, through the public API only.

use std::fmt;

use oidc_types::{
    ApplicationType, BackchannelTokenDeliveryMode, ClientAuthMethod, ClientMetadata,
    ClientRegistrationType, GrantType, JweAlgorithm, JweEncryption, JwkSet, JwsAlgorithm,
    LanguageTag, Localized, ResponseType, SubjectType, ValidationProblem,
};
use serde::de::{Deserializer as _, IgnoredAny, MapAccess, Visitor};
use serde_json::{json, Value};

fn jwks(keys: Value) -> JwkSet {
    serde_json::from_value(json!({ "keys": keys })).expect("a JWK set")
}

fn public_rsa() -> Value {
    json!({"kty": "RSA", "kid": "rsa-public", "use": "sig", "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw", "e": "AQAB"})
}

fn public_ec() -> Value {
    json!({"kty": "EC", "kid": "ec-public", "crv": "P-256", "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4", "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"})
}

/// A metadata value with every member set, two tagged names and two extra fields.
fn everything() -> ClientMetadata {
    let mut m = ClientMetadata::new([
        "https://client.example.org/cb",
        "https://client.example.org/cb2",
    ]);
    m.response_types = Some(vec![
        ResponseType::code(),
        ResponseType::from("code id_token"),
    ]);
    m.grant_types = Some(vec![
        GrantType::AuthorizationCode,
        GrantType::Implicit,
        GrantType::RefreshToken,
    ]);
    m.application_type = Some(ApplicationType::Web);
    m.contacts = Some(vec!["ve7jtb@example.org".into()]);
    m.client_name = Localized::new("My Example")
        .with_tagged("ja-Jpan-JP", "クライアント名")
        .with_tagged("en-GB", "My Example Ltd");
    m.logo_uri = Localized::new("https://client.example.org/logo.png");
    m.client_uri = Localized::new("https://client.example.org/")
        .with_tagged("fr", "https://client.example.org/fr/");
    m.policy_uri = Localized::new("https://client.example.org/policy");
    m.tos_uri = Localized::new("https://client.example.org/tos");
    m.jwks_uri = Some("https://client.example.org/jwks.json".into());
    m.jwks = Some(jwks(json!([public_rsa(), public_ec()])));
    m.sector_identifier_uri = Some("https://client.example.org/sector.json".into());
    m.subject_type = Some(SubjectType::Pairwise);
    m.id_token_signed_response_alg = Some(JwsAlgorithm::Ps256);
    m.id_token_encrypted_response_alg = Some(JweAlgorithm::RsaOaep256);
    m.id_token_encrypted_response_enc = Some(JweEncryption::A256Gcm);
    m.userinfo_signed_response_alg = Some(JwsAlgorithm::Es256);
    m.userinfo_encrypted_response_alg = Some(JweAlgorithm::EcdhEs);
    m.userinfo_encrypted_response_enc = Some(JweEncryption::A128CbcHs256);
    m.request_object_signing_alg = Some(JwsAlgorithm::Rs256);
    m.request_object_encryption_alg = Some(JweAlgorithm::RsaOaep);
    m.request_object_encryption_enc = Some(JweEncryption::A128Gcm);
    m.token_endpoint_auth_method = Some(ClientAuthMethod::PrivateKeyJwt);
    m.token_endpoint_auth_signing_alg = Some(JwsAlgorithm::Es256);
    m.default_max_age = Some(3600);
    m.require_auth_time = Some(true);
    m.default_acr_values = Some(vec!["urn:mace:incommon:iap:silver".into()]);
    m.initiate_login_uri = Some("https://client.example.org/login".into());
    m.request_uris = Some(vec!["https://client.example.org/rf.txt#qpXaRLh".into()]);
    m.scope = Some("openid profile".into());
    m.software_id = Some("4NRB1-0XZABZI9E6-5SM3R".into());
    m.software_version = Some("2.1".into());
    m.software_statement = Some("eyJhbGciOiJSUzI1NiJ9.e30.c2ln".into());
    m.post_logout_redirect_uris = Some(vec!["https://client.example.org/bye".into()]);
    m.frontchannel_logout_uri = Some("https://client.example.org/fc".into());
    m.frontchannel_logout_session_required = Some(true);
    m.backchannel_logout_uri = Some("https://client.example.org/bc".into());
    m.backchannel_logout_session_required = Some(true);
    m.tls_client_auth_subject_dn = Some("CN=client,O=Example".into());
    m.tls_client_auth_san_dns = Some("client.example.org".into());
    m.tls_client_auth_san_uri = Some("https://client.example.org".into());
    m.tls_client_auth_san_ip = Some("192.0.2.1".into());
    m.tls_client_auth_san_email = Some("client@example.org".into());
    m.tls_client_certificate_bound_access_tokens = Some(true);
    m.dpop_bound_access_tokens = Some(true);
    m.require_pushed_authorization_requests = Some(true);
    m.require_signed_request_object = Some(true);
    m.authorization_signed_response_alg = Some(JwsAlgorithm::Ps256);
    m.authorization_encrypted_response_alg = Some(JweAlgorithm::RsaOaep256);
    m.authorization_encrypted_response_enc = Some(JweEncryption::A256CbcHs512);
    m.backchannel_token_delivery_mode = Some(BackchannelTokenDeliveryMode::Ping);
    m.backchannel_client_notification_endpoint = Some("https://client.example.org/ciba".into());
    m.backchannel_authentication_request_signing_alg = Some(JwsAlgorithm::Es256);
    m.backchannel_user_code_parameter = Some(true);
    m.authorization_details_types = Some(vec!["payment_initiation".into()]);
    m.introspection_signed_response_alg = Some(JwsAlgorithm::Rs256);
    m.introspection_encrypted_response_alg = Some(JweAlgorithm::A256Kw);
    m.introspection_encrypted_response_enc = Some(JweEncryption::A192Gcm);
    m.client_registration_types = Some(vec![ClientRegistrationType::Automatic]);
    m.use_mtls_endpoint_aliases = Some(true);
    m.extra_fields
        .insert("x_vendor_flag".into(), json!({"nested": [1, 2]}));
    m.extra_fields
        .insert("scope#en".into(), json!("not a localizable member"));
    m
}

/// The top-level member names of a JSON object in the order the bytes have them. Not through
/// a `serde_json::Map`, whose order is serde_json's (sorted unless `preserve_order` is on).
fn keys_of(json: &[u8]) -> Vec<String> {
    struct Names;
    impl<'de> Visitor<'de> for Names {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Vec<String>, A::Error> {
            let mut names = Vec::new();
            while let Some(name) = access.next_key()? {
                access.next_value::<IgnoredAny>()?;
                names.push(name);
            }
            Ok(names)
        }
    }
    serde_json::Deserializer::from_slice(json)
        .deserialize_map(Names)
        .expect("a JSON object")
}

#[test]
fn every_member_round_trips_in_spec_order() {
    let original = everything();
    let json = original.to_json_vec().unwrap();
    let expected_keys = [
        "redirect_uris",
        "response_types",
        "grant_types",
        "application_type",
        "contacts",
        "client_name",
        "client_name#ja-Jpan-JP",
        "client_name#en-GB",
        "logo_uri",
        "client_uri",
        "client_uri#fr",
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
    // The typed members in the table's order, which the library writes; then `extra_fields`
    // in its `Map`'s order, whichever that is.
    let extra_keys = original.extra_fields.keys().map(String::as_str);
    let expected_keys: Vec<&str> = expected_keys.into_iter().chain(extra_keys).collect();
    assert_eq!(keys_of(&json), expected_keys);

    let parsed: ClientMetadata = serde_json::from_slice(&json).unwrap();
    assert_eq!(parsed, original);
    let object: Value = serde_json::from_slice(&json).unwrap();
    let (lenient, problems) = ClientMetadata::from_json_object(object.as_object().unwrap());
    assert_eq!(problems, []);
    assert_eq!(lenient, original);
    assert_eq!(parsed.client_name.get("JA-JPAN-JP"), Some("クライアント名"));
    assert_eq!(
        parsed.extra_fields["scope#en"],
        json!("not a localizable member")
    );
}

#[test]
fn nothing_set_sends_nothing_and_the_effective_defaults_stay_available() {
    let metadata = ClientMetadata::default();
    let json = metadata.to_json_vec().unwrap();
    assert_eq!(String::from_utf8(json).unwrap(), "{}");
    assert_eq!(metadata.effective_application_type(), ApplicationType::Web);
    assert_eq!(
        metadata.effective_token_endpoint_auth_method(),
        ClientAuthMethod::ClientSecretBasic
    );
    assert_eq!(metadata.effective_response_types(), [ResponseType::code()]);
    assert_eq!(
        metadata.effective_grant_types(),
        [GrantType::AuthorizationCode]
    );
    let parsed: ClientMetadata = serde_json::from_str("{}").unwrap();
    assert_eq!(parsed, ClientMetadata::default());
}

#[test]
fn what_is_set_is_sent_even_false_or_empty_and_nothing_else() {
    let mut m = ClientMetadata::new(["https://a.example/cb"]);
    m.require_auth_time = Some(false);
    m.contacts = Some(Vec::new());
    m.client_name = Localized::default().with_tagged("de", "Beispiel");
    let value: Value = serde_json::from_slice(&m.to_json_vec().unwrap()).unwrap();
    assert_eq!(
        value,
        json!({
            "redirect_uris": ["https://a.example/cb"],
            "contacts": [],
            "client_name#de": "Beispiel",
            "require_auth_time": false
        })
    );
}

#[test]
fn extra_fields_may_not_shadow_members() {
    for key in [
        "redirect_uris",
        "client_name",
        "client_name#en",
        "tos_uri#",
        "jwks",
        "client_id",
        "client_secret",
        "registration_access_token",
    ] {
        let mut m = ClientMetadata::new(["https://a.example/cb"]);
        m.extra_fields.insert(key.to_owned(), json!("x"));
        let error = m.to_json_vec().unwrap_err().to_string();
        assert!(error.contains(&format!("{key:?}")), "{key}: {error}");
        let problems = m.validate().unwrap_err().into_problems();
        assert!(
            matches!(
                &problems[..],
                [ValidationProblem::ExtraFieldShadowsMember { key: k } | ValidationProblem::ExtraFieldIsResponseMember { key: k }] if k == key
            ),
            "{key}: {problems:?}"
        );
    }
    let mut fine = ClientMetadata::new(["https://a.example/cb"]);
    fine.extra_fields
        .insert("redirect_uris#en".into(), json!("x"));
    fine.extra_fields
        .insert("client_name_extra".into(), json!("x"));
    assert!(fine.to_json_vec().is_ok());
    assert_eq!(fine.validate(), Ok(()));
}

#[test]
fn private_and_symmetric_keys_are_never_sent() {
    let private_rsa =
        json!({"kty": "RSA", "kid": "rsa-private", "n": "sXch", "e": "AQAB", "d": "AQAB"});
    let rsa_prime_only =
        json!({"kty": "RSA", "kid": "rsa-p", "n": "sXch", "e": "AQAB", "p": "AQAB"});
    let private_ec = json!({"kty": "EC", "kid": "ec-private", "crv": "P-256", "x": "AQAB", "y": "AQAB", "d": "AQAB"});
    let private_okp =
        json!({"kty": "OKP", "kid": "okp-private", "crv": "Ed25519", "x": "AQAB", "d": "AQAB"});
    let symmetric = json!({"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"});
    for (key, kid) in [
        (private_rsa, "rsa-private"),
        (rsa_prime_only, "rsa-p"),
        (private_ec, "ec-private"),
        (private_okp, "okp-private"),
        (symmetric, "hmac"),
    ] {
        let mut m = ClientMetadata::new(["https://a.example/cb"]);
        m.token_endpoint_auth_method = Some(ClientAuthMethod::PrivateKeyJwt);
        m.jwks = Some(jwks(json!([public_rsa(), key])));
        let error = m.to_json_vec().unwrap_err().to_string();
        assert!(error.contains(&format!("{kid:?}")), "{error}");
        let problems = m.validate().unwrap_err().into_problems();
        assert!(
            matches!(
                &problems[..],
                [ValidationProblem::PrivateKeyInJwks { kid: Some(k), index: 1 } | ValidationProblem::SymmetricKeyInJwks { kid: Some(k), index: 1 }] if k == kid
            ),
            "{problems:?}"
        );
    }

    let no_kid = json!({"kty": "oct", "k": "c2VjcmV0"});
    let mut m = ClientMetadata::new(["https://a.example/cb"]);
    m.jwks = Some(jwks(json!([no_kid])));
    assert!(m
        .to_json_vec()
        .unwrap_err()
        .to_string()
        .contains("key #0 (no kid) is a symmetric key"));

    let mut public = ClientMetadata::new(["https://a.example/cb"]);
    public.token_endpoint_auth_method = Some(ClientAuthMethod::PrivateKeyJwt);
    public.jwks = Some(jwks(
        json!([public_rsa(), public_ec(), {"kty": "OKP", "crv": "Ed25519", "x": "AQAB"}]),
    ));
    let json = public.to_json_vec().unwrap();
    assert!(!String::from_utf8(json).unwrap().contains("\"d\""));
    assert_eq!(public.validate(), Ok(()));
}

/// The keys biscuit could not hold went missing from a full-replacement update (RFC 7592
/// §2.2); they must come back from JSON exactly as they were sent.
#[test]
fn jwks_of_any_key_type_survive_a_round_trip_unchanged() {
    let keys = json!({"keys": [
        {"kty": "OKP", "crv": "Ed25519", "kid": "ed", "use": "sig", "alg": "EdDSA",
         "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
         "x5t#S256": "c2hhMjU2LXRodW1icHJpbnQ", "x-vendor-rotation": {"not_after": 1_900_000_000}},
        {"kty": "OKP", "crv": "X25519", "kid": "x", "use": "enc", "alg": "ECDH-ES+A128KW",
         "x": "hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"},
        {"kty": "EC", "crv": "P-521", "kid": "p521", "use": "sig", "alg": "ES512",
         "x": "AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkTKqjqvjyekWF-7ytDyRXYgCF5cj0Kt",
         "y": "AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVySsUdaQkAgDPrwQrJmbnX9cwlGfP-HqHZR1"},
        {"kty": "RSA", "kid": "oaep", "use": "enc", "alg": "RSA-OAEP-384", "n": "sXch", "e": "AQAB"},
        {"kty": "AKP", "kid": "pq", "use": "sig", "alg": "ML-DSA-44", "pub": "cHVibGljLWtleQ"}
    ]});
    let mut m = ClientMetadata::new(["https://a.example/cb"]);
    m.token_endpoint_auth_method = Some(ClientAuthMethod::PrivateKeyJwt);
    m.jwks = Some(serde_json::from_value(keys.clone()).unwrap());
    assert_eq!(m.validate(), Ok(()));

    let sent: Value = serde_json::from_slice(&m.to_json_vec().unwrap()).unwrap();
    assert_eq!(sent["jwks"], keys);
    // Written member for member as serde_json writes the same value, in the same order
    // (a `Map`'s, with or without `preserve_order`): nothing dropped, added or rewritten.
    assert_eq!(
        serde_json::to_string(m.jwks.as_ref().unwrap()).unwrap(),
        keys.to_string()
    );
    let read: ClientMetadata = serde_json::from_value(sent).unwrap();
    assert_eq!(read, m);
    let ed = &read.jwks.as_ref().unwrap().keys[0];
    assert_eq!(
        ed.member("x5t#S256"),
        Some(&json!("c2hhMjU2LXRodW1icHJpbnQ"))
    );
}

#[test]
fn a_jwks_member_that_is_not_a_jwk_set_is_refused() {
    for (jwks, expected) in [
        (
            json!({"keys": [{"kid": "no kty"}]}),
            "keys[0]: the key has no kty",
        ),
        (
            json!({"keys": ["x"]}),
            "keys[0]: the key is not a JSON object",
        ),
        (json!({"key": []}), "the document has no \"keys\" array"),
    ] {
        let error = serde_json::from_value::<ClientMetadata>(json!({ "jwks": jwks })).unwrap_err();
        assert!(error.to_string().starts_with("jwks: "), "{error}");
        assert!(error.to_string().contains(expected), "{error}");
    }
}

#[test]
fn strict_deserialize_names_the_member() {
    let error =
        serde_json::from_str::<ClientMetadata>(r#"{"require_auth_time": "yes"}"#).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("require_auth_time: invalid type"),
        "{error}"
    );
    let error =
        serde_json::from_str::<ClientMetadata>(r#"{"redirect_uris": "https://x"}"#).unwrap_err();
    assert!(error.to_string().starts_with("redirect_uris: "), "{error}");
    let error = serde_json::from_str::<ClientMetadata>(r#"{"client_name#fr": 3}"#).unwrap_err();
    assert!(error.to_string().starts_with("client_name#fr: "), "{error}");
    assert!(serde_json::from_str::<ClientMetadata>("[]").is_err());
}

#[test]
fn strict_deserialize_reads_every_known_member_into_its_field() {
    // `[[]]` is a wrong type for every known member, so an error proves the member was
    // recognised rather than put into extra_fields.
    let full: Value = serde_json::from_slice(&everything().to_json_vec().unwrap()).unwrap();
    for key in full.as_object().unwrap().keys() {
        if key.starts_with("x_") || key == "scope#en" {
            continue;
        }
        let document = json!({ key.as_str(): [[]] });
        let result = serde_json::from_value::<ClientMetadata>(document);
        assert!(result.is_err(), "{key} was not read as a known member");
    }
}

#[test]
fn lenient_read_records_problems_and_keeps_the_rest() {
    let echoed = json!({
        "client_id": "s6BhdRkqt3",
        "client_secret": "cf136dc3c1fc93f31185e5885805d",
        "registration_access_token": "this.is.an.access.token",
        "registration_client_uri": "https://server.example.com/register/s6BhdRkqt3",
        "client_id_issued_at": 2893256800u64,
        "client_secret_expires_at": 0,
        "redirect_uris": "https://x",
        "require_auth_time": "yes",
        "default_max_age": -5,
        "client_name": "Fine",
        "client_name#de": null,
        "jwks_uri": null,
        "grant_types": ["authorization_code", "urn:example:custom"],
        "x_unknown": null
    });
    let (m, problems) = ClientMetadata::from_json_object(echoed.as_object().unwrap());
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    // One problem per unreadable member, in the order the object is read in (its `Map`'s).
    let unreadable = ["redirect_uris", "require_auth_time", "default_max_age"];
    let in_object_order: Vec<&str> = echoed
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .filter(|name| unreadable.contains(name))
        .collect();
    assert_eq!(fields, in_object_order);
    assert_eq!(in_object_order.len(), unreadable.len());
    let auth_time = problems
        .iter()
        .find(|p| p.field == "require_auth_time")
        .unwrap();
    assert!(auth_time
        .to_string()
        .starts_with("require_auth_time: invalid type"));
    assert_eq!(m.redirect_uris, None);
    assert_eq!(m.require_auth_time, None);
    assert_eq!(m.default_max_age, None);
    assert_eq!(m.client_name, Localized::new("Fine"));
    assert_eq!(m.jwks_uri, None);
    assert_eq!(
        m.grant_types,
        Some(vec![
            GrantType::AuthorizationCode,
            GrantType::Other("urn:example:custom".into())
        ])
    );
    // Only the unknown member is kept; nothing from the registration response leaks in.
    assert_eq!(m.extra_fields.keys().collect::<Vec<_>>(), ["x_unknown"]);
}

#[test]
fn null_means_absent_in_strict_mode_too() {
    let m: ClientMetadata = serde_json::from_value(json!({
        "redirect_uris": null,
        "application_type": null,
        "token_endpoint_auth_method": null,
        "require_auth_time": null,
        "client_name": null
    }))
    .unwrap();
    assert_eq!(m, ClientMetadata::default());
}

#[test]
fn tagged_names_keep_their_spelling_and_match_ignoring_case() {
    let m: ClientMetadata = serde_json::from_value(json!({
        "client_name#JA-jpan-jp": "名前",
        "client_name": "Name",
        "logo_uri#en": "https://a.example/en.png",
        "foo#en": "kept"
    }))
    .unwrap();
    assert_eq!(m.client_name.value(), Some("Name"));
    assert_eq!(m.client_name.get("ja-Jpan-JP"), Some("名前"));
    let (tag, _) = m.client_name.tagged().next().unwrap();
    assert_eq!(tag.as_str(), "JA-jpan-jp");
    assert_eq!(*tag, LanguageTag::new("ja-Jpan-JP"));
    assert_eq!(m.logo_uri.get("EN"), Some("https://a.example/en.png"));
    assert_eq!(m.extra_fields["foo#en"], json!("kept"));
    let json = String::from_utf8(m.to_json_vec().unwrap()).unwrap();
    assert!(
        json.contains(r#""client_name":"Name","client_name#JA-jpan-jp":"名前""#),
        "{json}"
    );
}

#[test]
fn effective_defaults() {
    let m = ClientMetadata::default();
    assert_eq!(m.effective_response_types(), [ResponseType::code()]);
    assert_eq!(m.effective_grant_types(), [GrantType::AuthorizationCode]);
}

#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<ClientMetadata>();
    check::<oidc_types::ValidationErrors>();
    check::<oidc_types::FieldProblem>();
    check::<Localized>();
}

fn provider(document: Value) -> oidc_types::ProviderMetadata {
    let mut object = json!({"issuer": "https://op.example", "response_types_supported": ["code"]});
    for (key, value) in document.as_object().expect("an object") {
        object[key] = value.clone();
    }
    oidc_types::ProviderMetadata::from_json(object.to_string().as_bytes())
        .expect("provider metadata")
}

#[test]
fn validate_for_checks_what_the_provider_supports() {
    let op = provider(json!({
        "response_types_supported": ["code", "code id_token"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "id_token_encryption_alg_values_supported": ["RSA-OAEP-256"],
        "id_token_encryption_enc_values_supported": ["A128CBC-HS256"],
        "userinfo_signing_alg_values_supported": ["RS256"],
        "request_object_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "authorization_signing_alg_values_supported": ["RS256"],
        "backchannel_token_delivery_modes_supported": ["poll"],
        "request_uri_parameter_supported": false
    }));
    let mut m = ClientMetadata::new(["https://client.example.org/cb"]);
    m.jwks_uri = Some("https://client.example.org/jwks".into());
    m.token_endpoint_auth_method = Some(ClientAuthMethod::PrivateKeyJwt);
    assert_eq!(m.validate_for(&op), Ok(()));

    m.response_types = Some(vec![
        ResponseType::code(),
        ResponseType::from("id_token token"),
    ]);
    m.grant_types = Some(vec![GrantType::AuthorizationCode, GrantType::Implicit]);
    m.token_endpoint_auth_method = Some(ClientAuthMethod::ClientSecretJwt);
    m.subject_type = Some(SubjectType::Pairwise);
    m.id_token_signed_response_alg = Some(JwsAlgorithm::Es256);
    m.id_token_encrypted_response_alg = Some(JweAlgorithm::RsaOaep);
    m.id_token_encrypted_response_enc = Some(JweEncryption::A256Gcm);
    m.userinfo_signed_response_alg = Some(JwsAlgorithm::Ps256);
    m.request_object_signing_alg = Some(JwsAlgorithm::None);
    m.token_endpoint_auth_signing_alg = Some(JwsAlgorithm::Hs256);
    m.authorization_signed_response_alg = Some(JwsAlgorithm::Es256);
    m.backchannel_token_delivery_mode = Some(BackchannelTokenDeliveryMode::Push);
    m.backchannel_client_notification_endpoint = Some("https://client.example.org/ciba".into());
    m.backchannel_logout_uri = Some("https://client.example.org/bc".into());
    m.frontchannel_logout_uri = Some("https://client.example.org/fc".into());
    m.request_uris = Some(vec!["https://client.example.org/r".into()]);
    // Validation of the metadata alone passes: every problem below is the provider's.
    assert_eq!(m.validate(), Ok(()));

    let problems = m.validate_for(&op).unwrap_err().into_problems();
    assert_eq!(
        problems,
        [
            ValidationProblem::GrantTypeNotSupported {
                grant_type: GrantType::Implicit
            },
            ValidationProblem::ResponseTypeNotSupported {
                response_type: ResponseType::from("id_token token")
            },
            ValidationProblem::AuthMethodNotSupported {
                method: ClientAuthMethod::ClientSecretJwt
            },
            ValidationProblem::SubjectTypeNotSupported {
                subject_type: SubjectType::Pairwise
            },
            ValidationProblem::SigningAlgNotSupported {
                field: "id_token_signed_response_alg",
                alg: JwsAlgorithm::Es256
            },
            ValidationProblem::SigningAlgNotSupported {
                field: "userinfo_signed_response_alg",
                alg: JwsAlgorithm::Ps256
            },
            ValidationProblem::SigningAlgNotSupported {
                field: "request_object_signing_alg",
                alg: JwsAlgorithm::None
            },
            ValidationProblem::SigningAlgNotSupported {
                field: "token_endpoint_auth_signing_alg",
                alg: JwsAlgorithm::Hs256
            },
            ValidationProblem::SigningAlgNotSupported {
                field: "authorization_signed_response_alg",
                alg: JwsAlgorithm::Es256
            },
            ValidationProblem::EncryptionAlgNotSupported {
                field: "id_token_encrypted_response_alg",
                alg: JweAlgorithm::RsaOaep
            },
            ValidationProblem::EncryptionEncNotSupported {
                field: "id_token_encrypted_response_enc",
                enc: JweEncryption::A256Gcm
            },
            ValidationProblem::BackchannelTokenDeliveryModeNotSupported {
                mode: BackchannelTokenDeliveryMode::Push
            },
            ValidationProblem::BackchannelLogoutNotSupported,
            ValidationProblem::FrontchannelLogoutNotSupported,
            ValidationProblem::RequestUrisNotSupported,
        ]
    );
}

#[test]
fn validate_for_applies_the_provider_defaults() {
    // No lists published: grant types default to authorization_code + implicit and auth
    // methods to client_secret_basic; every other unpublished list is not checked.
    let op = provider(json!({}));
    let mut m = ClientMetadata::new(["https://client.example.org/cb"]);
    m.subject_type = Some(SubjectType::Pairwise);
    m.id_token_signed_response_alg = Some(JwsAlgorithm::Es512);
    m.request_uris = Some(vec!["https://client.example.org/r".into()]);
    assert_eq!(m.validate_for(&op), Ok(()));

    m.grant_types = Some(vec![GrantType::AuthorizationCode, GrantType::RefreshToken]);
    m.token_endpoint_auth_method = Some(ClientAuthMethod::ClientSecretPost);
    assert_eq!(
        m.validate_for(&op).unwrap_err().into_problems(),
        [
            ValidationProblem::GrantTypeNotSupported {
                grant_type: GrantType::RefreshToken
            },
            ValidationProblem::AuthMethodNotSupported {
                method: ClientAuthMethod::ClientSecretPost
            },
        ]
    );
}

#[test]
fn validate_for_also_reports_the_metadata_problems() {
    let op = provider(json!({"backchannel_logout_supported": true}));
    let mut m = ClientMetadata::new(["https://client.example.org/cb#x"]);
    m.backchannel_logout_uri = Some("https://client.example.org/bc#y".into());
    m.client_registration_types = Some(vec![ClientRegistrationType::Explicit]);
    m.authorization_details_types = Some(vec!["payment_initiation".into()]);
    let op_with_lists = provider(json!({
        "client_registration_types_supported": ["automatic"],
        "authorization_details_types_supported": ["account_information"]
    }));
    assert_eq!(m.validate_for(&op).unwrap_err().problems().len(), 2);
    let problems = m.validate_for(&op_with_lists).unwrap_err().into_problems();
    assert_eq!(
        problems[2..],
        [
            ValidationProblem::ClientRegistrationTypeNotSupported {
                registration_type: ClientRegistrationType::Explicit
            },
            ValidationProblem::AuthorizationDetailsTypeNotSupported {
                details_type: "payment_initiation".into()
            },
            ValidationProblem::BackchannelLogoutNotSupported,
        ]
    );
}
