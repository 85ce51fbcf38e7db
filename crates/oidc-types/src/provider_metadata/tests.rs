//! Tests of reading, defaulting and writing provider metadata.

use serde_json::json;

use super::*;

fn parse(document: Value) -> Result<ProviderMetadata, ProviderMetadataError> {
    ProviderMetadata::from_json(&serde_json::to_vec(&document).unwrap())
}

fn minimal() -> ProviderMetadata {
    parse(json!({"issuer": "https://op.example"})).unwrap()
}

#[test]
fn defaults_apply_when_members_are_absent() {
    let m = minimal();
    assert_eq!(
        m.response_modes_supported(),
        [ResponseMode::Query, ResponseMode::Fragment]
    );
    assert_eq!(
        m.grant_types_supported(),
        [GrantType::AuthorizationCode, GrantType::Implicit]
    );
    assert_eq!(
        m.token_endpoint_auth_methods_supported(),
        [ClientAuthMethod::ClientSecretBasic]
    );
    assert_eq!(
        m.revocation_endpoint_auth_methods_supported(),
        [ClientAuthMethod::ClientSecretBasic]
    );
    assert!(m.introspection_endpoint_auth_methods_supported().is_empty());
    assert_eq!(m.claim_types_supported(), [ClaimType::Normal]);
    assert!(!m.claims_parameter_supported());
    assert!(!m.request_parameter_supported());
    assert!(m.request_uri_parameter_supported());
    assert!(!m.require_request_uri_registration());
    for flag in [
        m.frontchannel_logout_supported(),
        m.frontchannel_logout_session_supported(),
        m.backchannel_logout_supported(),
        m.backchannel_logout_session_supported(),
        m.tls_client_certificate_bound_access_tokens(),
        m.require_pushed_authorization_requests(),
        m.require_signed_request_object(),
        m.authorization_response_iss_parameter_supported(),
        m.backchannel_user_code_parameter_supported(),
    ] {
        assert!(!flag);
    }
    assert_eq!(m, ProviderMetadata::new("https://op.example"));
}

#[test]
fn present_members_override_the_defaults() {
    let m = parse(json!({
        "issuer": "https://op.example",
        "response_modes_supported": ["form_post"],
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "revocation_endpoint_auth_methods_supported": ["none"],
        "introspection_endpoint_auth_methods_supported": ["tls_client_auth"],
        "claim_types_supported": ["normal", "distributed"],
        "claims_parameter_supported": true,
        "request_parameter_supported": true,
        "request_uri_parameter_supported": false,
        "require_request_uri_registration": true,
        "frontchannel_logout_supported": true,
        "frontchannel_logout_session_supported": true,
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
        "tls_client_certificate_bound_access_tokens": true,
        "require_pushed_authorization_requests": true,
        "require_signed_request_object": true,
        "authorization_response_iss_parameter_supported": true,
        "backchannel_user_code_parameter_supported": true,
    }))
    .unwrap();
    assert_eq!(m.response_modes_supported(), [ResponseMode::FormPost]);
    assert_eq!(m.grant_types_supported(), [GrantType::ClientCredentials]);
    assert_eq!(
        m.token_endpoint_auth_methods_supported(),
        [ClientAuthMethod::PrivateKeyJwt]
    );
    assert_eq!(
        m.revocation_endpoint_auth_methods_supported(),
        [ClientAuthMethod::None]
    );
    assert_eq!(
        m.introspection_endpoint_auth_methods_supported(),
        [ClientAuthMethod::TlsClientAuth]
    );
    assert_eq!(
        m.claim_types_supported(),
        [ClaimType::Normal, ClaimType::Distributed]
    );
    assert!(m.claims_parameter_supported());
    assert!(m.request_parameter_supported());
    assert!(!m.request_uri_parameter_supported());
    assert!(m.require_request_uri_registration());
    for flag in [
        m.frontchannel_logout_supported(),
        m.frontchannel_logout_session_supported(),
        m.backchannel_logout_supported(),
        m.backchannel_logout_session_supported(),
        m.tls_client_certificate_bound_access_tokens(),
        m.require_pushed_authorization_requests(),
        m.require_signed_request_object(),
        m.authorization_response_iss_parameter_supported(),
        m.backchannel_user_code_parameter_supported(),
    ] {
        assert!(flag);
    }
    // An explicitly empty list is what the provider said, not a reason for the default.
    let empty = parse(json!({"issuer": "https://op.example", "grant_types_supported": []}));
    assert!(empty.unwrap().grant_types_supported().is_empty());
}

#[test]
fn null_members_are_absent() {
    let m = parse(json!({
        "issuer": "https://op.example",
        "jwks_uri": null,
        "request_uri_parameter_supported": null,
        "grant_types_supported": null,
        "tenant_region_scope": null,
    }))
    .unwrap();
    assert_eq!(m.jwks_uri, None);
    assert!(m.request_uri_parameter_supported());
    assert_eq!(m.grant_types_supported(), DEFAULT_GRANT_TYPES);
    assert!(m.extra_fields.is_empty());
    assert!(matches!(
        parse(json!({"issuer": null})),
        Err(ProviderMetadataError::MissingIssuer)
    ));
}

#[test]
fn wrong_types_name_the_member() {
    let error = parse(json!({"issuer": "https://op.example", "jwks_uri": 7})).unwrap_err();
    assert_eq!(
        error.to_string(),
        "provider metadata: jwks_uri: expected a string, found a number"
    );
    let error = parse(json!({"issuer": "https://op.example", "scopes_supported": ["openid", 1]}))
        .unwrap_err();
    assert!(
        matches!(
            &error,
            ProviderMetadataError::WrongType { member, expected: "an array of strings", found: "an array containing a number" }
                if member == "scopes_supported"
        ),
        "{error:?}"
    );
    let error = parse(json!({"issuer": "https://op.example", "claims_parameter_supported": 1}))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "provider metadata: claims_parameter_supported: expected a boolean, found a number"
    );
    let error =
        parse(json!({"issuer": "https://op.example", "mtls_endpoint_aliases": []})).unwrap_err();
    assert_eq!(
        error.to_string(),
        "provider metadata: mtls_endpoint_aliases: expected an object, found an array"
    );
    let error = parse(json!({"issuer": 1})).unwrap_err();
    assert_eq!(
        error.to_string(),
        "provider metadata: issuer: expected a string, found a number"
    );
}

#[test]
fn non_objects_and_bad_json_are_rejected() {
    for (body, found) in [
        (&b"[]"[..], "an array"),
        (b"\"x\"", "a string"),
        (b"null", "null"),
    ] {
        match ProviderMetadata::from_json(body) {
            Err(ProviderMetadataError::NotAnObject { found: actual }) => {
                assert_eq!(actual, found)
            }
            other => panic!("{other:?}"),
        }
    }
    let error = ProviderMetadata::from_json(b"{\"issuer\": ").unwrap_err();
    assert!(matches!(error, ProviderMetadataError::InvalidJson { .. }));
    assert_eq!(error.to_string(), "provider metadata: invalid JSON");
    assert!(std::error::Error::source(&error).is_some());
    assert!(matches!(
        parse(json!({})),
        Err(ProviderMetadataError::MissingIssuer)
    ));
    assert!(matches!(
        parse(json!({"issuer": ""})),
        Err(ProviderMetadataError::MissingIssuer)
    ));
    assert_eq!(
        ProviderMetadataError::MissingIssuer.to_string(),
        "provider metadata: the issuer member is missing"
    );
}

#[test]
fn a_repeated_member_is_refused_and_named() {
    for (body, member) in [
        (
            &br#"{"issuer":"https://op.example","issuer":"https://evil.example"}"#[..],
            "issuer",
        ),
        (
            br#"{"issuer":"https://op.example","registration_endpoint":"https://op.example/r","registration_endpoint":"https://evil.example/r"}"#,
            "registration_endpoint",
        ),
        // An unknown member repeated is refused too: it says two things just the same.
        (br#"{"issuer":"https://op.example","x":1,"x":1}"#, "x"),
    ] {
        for error in [
            ProviderMetadata::from_json(body).unwrap_err(),
            ProviderMetadata::document_object(body).unwrap_err(),
        ] {
            assert!(
                matches!(&error, ProviderMetadataError::DuplicateMember { member: m } if m == member),
                "{error:?}"
            );
            assert_eq!(
                error.to_string(),
                format!("provider metadata: the member {member:?} appears more than once")
            );
        }
    }
    // The same names inside an object member are serde_json's business: the last one is kept.
    let metadata = ProviderMetadata::from_json(
        br#"{"issuer":"https://op.example","mtls_endpoint_aliases":{"token_endpoint":"a","token_endpoint":"b"}}"#,
    )
    .unwrap();
    assert_eq!(metadata.endpoint_for_mtls("token_endpoint"), Some("b"));
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let metadata =
        ProviderMetadata::from_json(b"\xEF\xBB\xBF{\"issuer\":\"https://op.example\"}").unwrap();
    assert_eq!(metadata.issuer, "https://op.example");
}

#[test]
fn string_booleans_and_lone_strings_are_errors_by_default() {
    let error = parse(json!({
        "issuer": "https://op.example",
        "claims_parameter_supported": "true",
    }))
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "provider metadata: claims_parameter_supported: expected a boolean, found a string"
    );
    let error =
        parse(json!({"issuer": "https://op.example", "scopes_supported": "openid"})).unwrap_err();
    assert_eq!(
        error.to_string(),
        "provider metadata: scopes_supported: expected an array of strings, found a string"
    );
    let document = br#"{"issuer": "https://op.example", "scopes_supported": "openid"}"#;
    assert!(serde_json::from_slice::<ProviderMetadata>(document).is_err());
}

#[test]
fn tolerates_string_booleans_and_lone_strings_when_asked() {
    let tolerant = ParseOptions::default().with_tolerate_malformed_values(true);
    let parse = |document: Value| {
        ProviderMetadata::from_json_with(&serde_json::to_vec(&document).unwrap(), &tolerant)
    };
    let m = parse(json!({
        "issuer": "https://op.example",
        "claims_parameter_supported": "true",
        "request_uri_parameter_supported": "FALSE",
        "scopes_supported": "openid",
    }))
    .unwrap();
    assert!(m.claims_parameter_supported());
    assert!(!m.request_uri_parameter_supported());
    assert_eq!(
        m.scopes_supported.as_deref(),
        Some(&["openid".to_owned()][..])
    );
    assert!(
        parse(json!({"issuer": "https://op.example", "claims_parameter_supported": "yes"}))
            .is_err()
    );
    // Only those two shapes are tolerated: other wrong types still name the member.
    assert!(parse(json!({"issuer": "https://op.example", "scopes_supported": 5})).is_err());
    assert!(parse(json!({"issuer": "https://op.example", "jwks_uri": ["x"]})).is_err());
}

#[test]
fn unknown_members_and_values_are_kept() {
    let m = parse(json!({
        "issuer": "https://op.example",
        "z_last": 1,
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "unsupporeted_auth"],
        "a_first": {"nested": true},
    }))
    .unwrap();
    assert_eq!(
        m.token_endpoint_auth_methods_supported(),
        [
            ClientAuthMethod::ClientSecretBasic,
            ClientAuthMethod::Other("unsupporeted_auth".into())
        ]
    );
    assert_eq!(
        Value::Object(m.extra_fields),
        json!({"z_last": 1, "a_first": {"nested": true}})
    );
}

#[test]
fn serializes_known_members_in_spec_order_then_extras() {
    let mut m = ProviderMetadata::new("https://op.example");
    m.extra_fields.insert("x_vendor".into(), json!(1));
    // A typed field wins over an extra of the same name: no duplicate key is written.
    m.extra_fields
        .insert("jwks_uri".into(), json!("https://ignored.example"));
    m.jwks_uri = Some("https://op.example/jwks".into());
    m.authorization_endpoint = Some("https://op.example/auth".into());
    m.request_uri_parameter_supported = Some(false);
    let text = serde_json::to_string(&m).unwrap();
    assert_eq!(
        text,
        r#"{"issuer":"https://op.example","authorization_endpoint":"https://op.example/auth","jwks_uri":"https://op.example/jwks","request_uri_parameter_supported":false,"x_vendor":1}"#
    );
    let back: ProviderMetadata = serde_json::from_str(&text).unwrap();
    assert_eq!(back.jwks_uri, m.jwks_uri);
    assert_eq!(back.extra_fields.len(), 1);
    assert!(serde_json::from_str::<ProviderMetadata>(r#"{"issuer": 5}"#).is_err());
}

#[test]
fn round_trips_every_member() {
    let document = json!({
        "issuer": "https://op.example",
        "authorization_endpoint": "https://op.example/auth",
        "response_types_supported": ["code", "code id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256K"],
        "code_challenge_methods_supported": ["S256"],
        "mtls_endpoint_aliases": {"token_endpoint": "https://mtls.op.example/token"},
        "backchannel_token_delivery_modes_supported": ["poll", "ping"],
        "client_registration_types_supported": ["automatic"],
        "dpop_signing_alg_values_supported": ["ES256"],
        "x_vendor": [1, 2],
    });
    let m = parse(document.clone()).unwrap();
    assert_eq!(serde_json::to_value(&m).unwrap(), document);
}

#[test]
fn missing_required_members_are_listed() {
    assert_eq!(
        minimal().missing_required_members(),
        [
            "authorization_endpoint",
            "token_endpoint",
            "jwks_uri",
            "response_types_supported",
            "subject_types_supported",
            "id_token_signing_alg_values_supported"
        ]
    );
    // Implicit only (Facebook): no token endpoint needed.
    let facebook = parse(json!({
        "issuer": "https://www.facebook.com",
        "authorization_endpoint": "https://facebook.com/dialog/oauth/",
        "jwks_uri": "https://www.facebook.com/.well-known/oauth/openid/jwks/",
        "response_types_supported": ["id_token", "token id_token"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
    }))
    .unwrap();
    assert!(facebook.missing_required_members().is_empty());
    assert_eq!(
        ProviderMetadata::default().missing_required_members()[0],
        "issuer"
    );
}

#[test]
fn mtls_aliases_fall_back_to_plain_endpoints() {
    let m = parse(json!({
        "issuer": "https://op.example",
        "token_endpoint": "https://op.example/token",
        "userinfo_endpoint": "https://op.example/userinfo",
        "x_custom_endpoint": "https://op.example/custom",
        "mtls_endpoint_aliases": {
            "token_endpoint": "https://mtls.op.example/token",
            "userinfo_endpoint": 5,
        },
    }))
    .unwrap();
    assert_eq!(
        m.endpoint_for_mtls("token_endpoint"),
        Some("https://mtls.op.example/token")
    );
    assert_eq!(
        m.endpoint_for_mtls("userinfo_endpoint"),
        Some("https://op.example/userinfo")
    );
    assert_eq!(
        m.endpoint_for_mtls("x_custom_endpoint"),
        Some("https://op.example/custom")
    );
    assert_eq!(m.endpoint_for_mtls("revocation_endpoint"), None);
    assert_eq!(minimal().endpoint_for_mtls("token_endpoint"), None);
}
