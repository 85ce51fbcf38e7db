//! Tests of the client metadata rules.

use serde_json::json;

use super::*;
use crate::client_metadata::ClientMetadata;
use crate::language::Localized;
use crate::values::ApplicationType;

type P = ValidationProblem;

fn valid() -> ClientMetadata {
    ClientMetadata::new(["https://client.example.org/cb"])
}

fn problems(m: &ClientMetadata) -> Vec<ValidationProblem> {
    match m.validate() {
        Ok(()) => Vec::new(),
        Err(errors) => errors.into_problems(),
    }
}

fn with(edit: impl FnOnce(&mut ClientMetadata)) -> Vec<ValidationProblem> {
    let mut m = valid();
    edit(&mut m);
    problems(&m)
}

fn public_jwks() -> crate::JwkSet {
    serde_json::from_value(json!({"keys": [{"kty": "EC", "kid": "k1", "crv": "P-256",
        "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
        "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"}]}))
    .unwrap()
}

fn uri(text: &str) -> String {
    text.to_owned()
}

#[test]
fn the_base_case_is_valid() {
    assert_eq!(problems(&valid()), []);
}

#[test]
fn redirect_uris_must_be_absolute_uris() {
    let found = with(|m| m.redirect_uris = Some(vec![uri("/relative"), uri("not a uri")]));
    assert!(
        matches!(&found[..], [
        P::MalformedUri { field: "redirect_uris", uri: a, .. },
        P::MalformedUri { field: "redirect_uris", uri: b, .. },
    ] if a == "/relative" && b == "not a uri"),
        "{found:?}"
    );
}

#[test]
fn redirect_uris_must_not_carry_a_fragment() {
    for bad in ["https://a.example/cb#x", "https://a.example/cb#"] {
        assert_eq!(
            with(|m| m.redirect_uris = Some(vec![uri(bad)])),
            [P::RedirectUriHasFragment { uri: uri(bad) }]
        );
    }
    assert_eq!(
        with(|m| m.redirect_uris = Some(vec![uri("https://a.example/cb?x=1")])),
        []
    );
}

#[test]
fn implicit_web_clients_need_https_off_localhost() {
    let implicit = |m: &mut ClientMetadata| {
        m.response_types = Some(vec![ResponseType::id_token()]);
        m.grant_types = Some(vec![GrantType::Implicit]);
    };
    assert_eq!(
        with(|m| {
            implicit(m);
            m.redirect_uris = Some(vec![uri("http://a.example/cb"), uri("app.example:/cb")]);
        }),
        [
            P::ImplicitWebRedirectUriNotHttps {
                uri: uri("http://a.example/cb")
            },
            P::ImplicitWebRedirectUriNotHttps {
                uri: uri("app.example:/cb")
            },
        ]
    );
    for local in [
        "https://localhost/cb",
        "https://LOCALHOST:8443/cb",
        "https://127.0.0.1/cb",
        "https://127.0.0.2/cb",
        "https://[::1]/cb",
        "https://app.localhost/cb",
    ] {
        assert_eq!(
            with(|m| {
                implicit(m);
                m.redirect_uris = Some(vec![uri(local)]);
            }),
            [P::ImplicitWebRedirectUriOnLocalhost { uri: uri(local) }],
            "{local}"
        );
    }
    assert_eq!(
        with(|m| {
            implicit(m);
            m.redirect_uris = Some(vec![uri("http://localhost/cb")]);
        })
        .len(),
        2
    );
    // The implicit grant alone (code response type) counts as implicit too.
    assert_eq!(
        with(|m| {
            m.grant_types = Some(vec![GrantType::AuthorizationCode, GrantType::Implicit]);
            m.redirect_uris = Some(vec![uri("http://a.example/cb")]);
        }),
        [P::ImplicitWebRedirectUriNotHttps {
            uri: uri("http://a.example/cb")
        }]
    );
    assert_eq!(with(implicit), []);
    // A code-flow web client may use http on localhost (a development setup).
    assert_eq!(
        with(|m| m.redirect_uris = Some(vec![uri("http://localhost:3000/cb")])),
        []
    );
}

#[test]
fn native_http_redirects_stay_on_loopback() {
    let native = |redirect: &str| {
        with(|m| {
            m.application_type = Some(ApplicationType::Native);
            m.redirect_uris = Some(vec![uri(redirect)]);
        })
    };
    for good in [
        "http://localhost/cb",
        "http://localhost:8080/cb",
        "http://127.0.0.1:51004/cb",
        "http://[::1]/cb",
        "com.example.app:/oauth2redirect",
        "https://app.example.com/cb",
    ] {
        assert_eq!(native(good), [], "{good}");
    }
    for bad in [
        "http://a.example/cb",
        "http://192.168.1.2/cb",
        "http://127.0.0.2/cb",
    ] {
        assert_eq!(
            native(bad),
            [P::NativeHttpRedirectUriNotLoopback { uri: uri(bad) }]
        );
    }
}

#[test]
fn redirect_uris_are_needed_for_redirect_based_grants() {
    assert_eq!(
        with(|m| m.redirect_uris = None),
        [P::RedirectUrisMissing {
            grant_type: GrantType::AuthorizationCode
        }]
    );
    assert_eq!(
        with(|m| {
            m.redirect_uris = None;
            m.response_types = Some(Vec::new());
            m.grant_types = Some(vec![GrantType::ClientCredentials]);
        }),
        []
    );
}

#[test]
fn jwks_and_jwks_uri_are_exclusive() {
    assert_eq!(
        with(|m| {
            m.jwks = Some(public_jwks());
            m.jwks_uri = Some(uri("https://client.example.org/jwks"));
        }),
        [P::JwksAndJwksUri]
    );
    assert_eq!(with(|m| m.jwks = Some(public_jwks())), []);
}

#[test]
fn private_and_symmetric_keys_are_reported() {
    let keys: crate::JwkSet = serde_json::from_value(json!({"keys": [
        {"kty": "oct", "k": "c2VjcmV0"},
        {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AQAB", "y": "AQAB", "d": "AQAB"}
    ]}))
    .unwrap();
    assert_eq!(
        with(|m| m.jwks = Some(keys)),
        [
            P::SymmetricKeyInJwks {
                kid: None,
                index: 0
            },
            P::PrivateKeyInJwks {
                kid: Some("ec".into()),
                index: 1
            },
        ]
    );
}

#[test]
fn mixed_signing_and_encryption_keys_each_need_a_use() {
    let key = |kid: &str, usage: Option<&str>| {
        let mut key = json!({"kty": "EC", "kid": kid, "crv": "P-256",
            "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
            "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"});
        if let Some(usage) = usage {
            key["use"] = json!(usage);
        }
        key
    };
    let set = |keys: Vec<serde_json::Value>| -> crate::JwkSet {
        serde_json::from_value(json!({ "keys": keys })).unwrap()
    };
    // Signing keys only: no `use` needed.
    assert_eq!(
        with(|m| m.jwks = Some(set(vec![key("a", None), key("b", None)]))),
        []
    );
    // Every key says what it is for.
    assert_eq!(
        with(|m| m.jwks = Some(set(vec![key("a", Some("sig")), key("b", Some("enc"))]))),
        []
    );
    // An encryption key next to a key that does not say.
    assert_eq!(
        with(|m| m.jwks = Some(set(vec![key("a", None), key("b", Some("enc"))]))),
        [P::KeyUseMissing {
            kid: Some("a".into()),
            index: 0
        }]
    );
}

#[test]
fn every_enc_needs_its_alg() {
    let found = with(|m| {
        m.id_token_encrypted_response_enc = Some(JweEncryption::A128Gcm);
        m.userinfo_encrypted_response_enc = Some(JweEncryption::A128Gcm);
        m.request_object_encryption_enc = Some(JweEncryption::A128Gcm);
        m.authorization_encrypted_response_enc = Some(JweEncryption::A128Gcm);
        m.introspection_encrypted_response_enc = Some(JweEncryption::A128Gcm);
    });
    let fields: Vec<(&str, &str)> = found
        .iter()
        .map(|p| match p {
            P::EncWithoutAlg {
                field, alg_field, ..
            } => (*field, *alg_field),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        fields,
        [
            (
                "id_token_encrypted_response_enc",
                "id_token_encrypted_response_alg"
            ),
            (
                "userinfo_encrypted_response_enc",
                "userinfo_encrypted_response_alg"
            ),
            (
                "request_object_encryption_enc",
                "request_object_encryption_alg"
            ),
            (
                "authorization_encrypted_response_enc",
                "authorization_encrypted_response_alg"
            ),
            (
                "introspection_encrypted_response_enc",
                "introspection_encrypted_response_alg"
            ),
        ]
    );
    assert_eq!(
        with(|m| {
            m.id_token_encrypted_response_alg = Some(JweAlgorithm::RsaOaep256);
            m.id_token_encrypted_response_enc = Some(JweEncryption::A128Gcm);
            m.userinfo_encrypted_response_alg = Some(JweAlgorithm::RsaOaep256);
        }),
        []
    );
}

#[test]
fn grant_types_must_cover_response_types() {
    assert_eq!(
        with(|m| m.response_types = Some(vec![ResponseType::from("code id_token")])),
        [P::ResponseTypeNeedsGrantType {
            response_type: ResponseType::from("code id_token"),
            grant_type: GrantType::Implicit,
        }]
    );
    assert_eq!(
        with(|m| {
            m.response_types = Some(vec![ResponseType::from("token")]);
            m.grant_types = Some(vec![GrantType::AuthorizationCode]);
        }),
        [P::ResponseTypeNeedsGrantType {
            response_type: ResponseType::from("token"),
            grant_type: GrantType::Implicit,
        }]
    );
    assert_eq!(
        with(|m| m.grant_types = Some(vec![GrantType::Implicit])),
        [P::ResponseTypeNeedsGrantType {
            response_type: ResponseType::code(),
            grant_type: GrantType::AuthorizationCode,
        }]
    );
    assert_eq!(
        with(|m| {
            m.response_types = Some(vec![ResponseType::from("code id_token token")]);
            m.grant_types = Some(vec![GrantType::AuthorizationCode, GrantType::Implicit]);
        }),
        []
    );
}

#[test]
fn token_endpoint_auth_signing_alg_is_never_none() {
    assert_eq!(
        with(|m| m.token_endpoint_auth_signing_alg = Some(JwsAlgorithm::None)),
        [P::NoneTokenEndpointAuthSigningAlg]
    );
    assert_eq!(
        with(|m| m.token_endpoint_auth_signing_alg = Some(JwsAlgorithm::Es256)),
        []
    );
}

#[test]
fn unsigned_id_tokens_only_from_the_token_endpoint() {
    assert_eq!(
        with(|m| m.id_token_signed_response_alg = Some(JwsAlgorithm::None)),
        []
    );
    assert_eq!(
        with(|m| {
            m.id_token_signed_response_alg = Some(JwsAlgorithm::None);
            m.response_types = Some(vec![ResponseType::from("code id_token")]);
            m.grant_types = Some(vec![GrantType::AuthorizationCode, GrantType::Implicit]);
        }),
        [P::UnsignedIdTokenFromAuthorizationEndpoint {
            response_type: ResponseType::from("code id_token"),
        }]
    );
}

#[test]
fn language_tags_must_be_well_formed() {
    let found = with(|m| {
        m.client_name = Localized::new("A")
            .with_tagged("ja_JP", "B")
            .with_tagged("ja-JP", "C");
        m.tos_uri = Localized::default().with_tagged("", "https://a.example/tos");
        m.logo_uri = Localized::default().with_tagged("de-CH-1996", "https://a.example/l.png");
    });
    assert_eq!(
        found,
        [
            P::MalformedLanguageTag {
                field: "client_name",
                tag: LanguageTag::new("ja_JP")
            },
            P::MalformedLanguageTag {
                field: "tos_uri",
                tag: LanguageTag::new("")
            },
        ]
    );
}

#[test]
fn key_based_auth_methods_need_keys() {
    for method in [
        ClientAuthMethod::PrivateKeyJwt,
        ClientAuthMethod::SelfSignedTlsClientAuth,
    ] {
        assert_eq!(
            with(|m| m.token_endpoint_auth_method = Some(method.clone())),
            [P::MissingKeysForAuthMethod {
                method: method.clone()
            }]
        );
        assert_eq!(
            with(|m| {
                m.token_endpoint_auth_method = Some(method.clone());
                m.jwks_uri = Some(uri("https://client.example.org/jwks"));
            }),
            []
        );
    }
}

#[test]
fn tls_client_auth_needs_exactly_one_subject() {
    let tls = |m: &mut ClientMetadata| {
        m.token_endpoint_auth_method = Some(ClientAuthMethod::TlsClientAuth)
    };
    assert_eq!(with(tls), [P::TlsClientAuthSubjectMissing]);
    assert_eq!(
        with(|m| {
            tls(m);
            m.tls_client_auth_subject_dn = Some("CN=a".into());
            m.tls_client_auth_san_ip = Some("192.0.2.1".into());
        }),
        [P::TlsClientAuthSubjectAmbiguous {
            fields: vec!["tls_client_auth_subject_dn", "tls_client_auth_san_ip"],
        }]
    );
    assert_eq!(
        with(|m| {
            tls(m);
            m.tls_client_auth_san_dns = Some("client.example.org".into());
        }),
        []
    );
}

#[test]
fn some_uris_must_be_https() {
    let found = with(|m| {
        m.jwks_uri = Some(uri("http://a.example/jwks"));
        m.sector_identifier_uri = Some(uri("http://a.example/sector"));
        m.initiate_login_uri = Some(uri("ftp://a.example/login"));
        m.backchannel_client_notification_endpoint = Some(uri("::"));
    });
    let fields: Vec<&str> = found
        .iter()
        .map(|p| match p {
            P::UriNotHttps { field, .. } | P::MalformedUri { field, .. } => *field,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        fields,
        [
            "jwks_uri",
            "sector_identifier_uri",
            "initiate_login_uri",
            "backchannel_client_notification_endpoint"
        ]
    );
    assert!(matches!(found[3], P::MalformedUri { .. }));
    assert_eq!(
        with(|m| {
            m.jwks_uri = Some(uri("https://a.example/jwks"));
            m.sector_identifier_uri = Some(uri("https://a.example/sector"));
            m.initiate_login_uri = Some(uri("https://a.example/login"));
            m.backchannel_client_notification_endpoint = Some(uri("https://a.example/n"));
        }),
        []
    );
}

#[test]
fn pairwise_subjects_over_several_hosts_need_a_sector_identifier() {
    let pairwise = |m: &mut ClientMetadata| {
        m.subject_type = Some(SubjectType::Pairwise);
        m.redirect_uris = Some(vec![
            uri("https://a.example/cb"),
            uri("https://b.example/cb"),
        ]);
    };
    assert_eq!(
        with(pairwise),
        [P::SectorIdentifierUriRequired {
            hosts: vec!["a.example".into(), "b.example".into()]
        }]
    );
    assert_eq!(
        with(|m| {
            pairwise(m);
            m.sector_identifier_uri = Some(uri("https://a.example/sector.json"));
        }),
        []
    );
    assert_eq!(with(|m| m.subject_type = Some(SubjectType::Pairwise)), []);
}

#[test]
fn logout_uris_carry_no_fragment() {
    assert_eq!(
        with(|m| {
            m.frontchannel_logout_uri = Some(uri("https://a.example/fc#x"));
            m.backchannel_logout_uri = Some(uri("https://a.example/bc#"));
        }),
        [
            P::LogoutUriHasFragment {
                field: "frontchannel_logout_uri",
                uri: uri("https://a.example/fc#x")
            },
            P::LogoutUriHasFragment {
                field: "backchannel_logout_uri",
                uri: uri("https://a.example/bc#")
            },
        ]
    );
    assert_eq!(
        with(|m| {
            m.frontchannel_logout_uri = Some(uri("https://a.example/fc?x=1"));
            m.backchannel_logout_uri = Some(uri("https://a.example/bc"));
        }),
        []
    );
}

#[test]
fn other_uri_members_must_parse() {
    let found = with(|m| {
        m.logo_uri = Localized::new("https://a.example/l.png").with_tagged("fr", "logo.png");
        m.post_logout_redirect_uris = Some(vec![uri("bye")]);
        m.request_uris = Some(vec![uri("https://a.example/r#hash"), uri("")]);
    });
    let fields: Vec<&str> = found
        .iter()
        .map(|p| match p {
            P::MalformedUri { field, .. } => *field,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        fields,
        ["post_logout_redirect_uris", "request_uris", "logo_uri"]
    );
}

#[test]
fn ciba_ping_and_push_need_a_notification_endpoint() {
    for mode in [
        BackchannelTokenDeliveryMode::Ping,
        BackchannelTokenDeliveryMode::Push,
    ] {
        assert_eq!(
            with(|m| m.backchannel_token_delivery_mode = Some(mode.clone())),
            [P::CibaNotificationEndpointMissing { mode: mode.clone() }]
        );
        assert_eq!(
            with(|m| {
                m.backchannel_token_delivery_mode = Some(mode.clone());
                m.backchannel_client_notification_endpoint = Some(uri("https://a.example/n"));
            }),
            []
        );
    }
    assert_eq!(
        with(|m| m.backchannel_token_delivery_mode = Some(BackchannelTokenDeliveryMode::Poll)),
        []
    );
}

#[test]
fn extra_fields_must_not_shadow_members() {
    assert_eq!(
        with(|m| {
            m.extra_fields.insert("client_name#en".into(), json!("x"));
            m.extra_fields.insert("client_secret".into(), json!("x"));
            m.extra_fields.insert("x_custom".into(), json!("x"));
        }),
        [
            P::ExtraFieldShadowsMember {
                key: "client_name#en".into()
            },
            P::ExtraFieldIsResponseMember {
                key: "client_secret".into()
            },
        ]
    );
}

#[test]
fn every_problem_is_reported_in_one_call() {
    let mut m = ClientMetadata::new(["https://a.example/cb#f", "http://b.example/cb"]);
    m.application_type = Some(ApplicationType::Native);
    m.token_endpoint_auth_method = Some(ClientAuthMethod::PrivateKeyJwt);
    m.token_endpoint_auth_signing_alg = Some(JwsAlgorithm::None);
    m.userinfo_encrypted_response_enc = Some(JweEncryption::A256Gcm);
    m.client_name = Localized::new("X").with_tagged("en_US", "X");
    m.backchannel_token_delivery_mode = Some(BackchannelTokenDeliveryMode::Push);
    let errors = m.validate().unwrap_err();
    assert_eq!(errors.problems().len(), 7, "{errors}");
    assert!(errors
        .to_string()
        .starts_with("client metadata is invalid: 7 problem(s): "));
    assert_eq!(errors.to_string().matches("; ").count(), 6);
}

#[test]
fn messages_are_lower_case_and_name_field_and_value() {
    let cases = [
        (P::RedirectUriHasFragment { uri: uri("https://a/#x") }, "redirect_uris: \"https://a/#x\" has a fragment"),
        (P::JwksAndJwksUri, "jwks: set together with jwks_uri; use only one"),
        (P::PrivateKeyInJwks { kid: Some("k".into()), index: 2 }, "jwks: key \"k\" holds private key material"),
        (
            P::EncWithoutAlg { field: "userinfo_encrypted_response_enc", alg_field: "userinfo_encrypted_response_alg", enc: JweEncryption::A128Gcm },
            "userinfo_encrypted_response_enc: \"A128GCM\" is set without userinfo_encrypted_response_alg",
        ),
        (P::GrantTypeNotSupported { grant_type: GrantType::Password }, "grant_types: \"password\" is not supported by the provider"),
    ];
    for (problem, text) in cases {
        assert_eq!(problem.to_string(), text);
    }
    let all = [
        P::MalformedUri {
            field: "redirect_uris",
            uri: uri("x"),
            reason: "r".into(),
        },
        P::NoneTokenEndpointAuthSigningAlg,
        P::TlsClientAuthSubjectMissing,
        P::BackchannelLogoutNotSupported,
        P::FrontchannelLogoutNotSupported,
        P::RequestUrisNotSupported,
    ];
    for problem in all {
        let text = problem.to_string();
        assert!(!text.ends_with('.'), "{text}");
        assert!(text.starts_with(|c: char| c.is_ascii_lowercase()), "{text}");
    }
}
