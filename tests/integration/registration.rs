use std::time::Duration;

use http::StatusCode;
use oidc_http::HttpErrorKind;
use oidc_registration::{register, RegistrationError, RegistrationErrorKind, Validation};
use oidc_test_provider::{Behaviour, Endpoint, TestProvider};
use oidc_types::{
    ApplicationType, ClientAuthMethod, ClientMetadata, OAuthErrorCode, RegistrationResponseError,
    ResponseProblem,
};
use serde_json::json;

use crate::util::{provider_metadata, register_options, web_client};

#[tokio::test]
async fn sends_only_the_metadata_set_and_returns_the_registration() {
    let provider = TestProvider::start().await;
    let metadata = web_client();

    let registered = register(
        &provider_metadata(&provider),
        &metadata,
        &register_options(),
    )
    .await
    .unwrap();

    let requests = provider.requests();
    let request = requests
        .iter()
        .find(|r| r.endpoint == Some(Endpoint::Registration))
        .unwrap();
    assert_eq!(request.method, http::Method::POST);
    assert_eq!(request.headers["content-type"], "application/json");
    assert_eq!(request.headers["accept"], "application/json");
    assert!(request.headers.get("authorization").is_none());
    assert_eq!(
        request.json().unwrap(),
        // Nothing the caller did not set: the provider's defaults apply to the rest.
        json!({"redirect_uris": ["https://app.example/callback"]})
    );

    let stored = provider.client(&registered.client_id).unwrap();
    assert_eq!(
        registered.client_secret.as_ref().unwrap().expose(),
        stored["client_secret"]
    );
    assert_eq!(
        registered
            .registration_access_token
            .as_ref()
            .unwrap()
            .expose(),
        stored["registration_access_token"]
    );
    assert_eq!(
        registered.registration_client_uri.as_deref(),
        Some(format!("{}/register/{}", provider.base_url(), registered.client_id).as_str())
    );
    assert_eq!(registered.client_secret_expires_at, Some(0));
    assert!(!registered.is_secret_expired());
    assert!(registered.client_id_issued_at.is_some());
    assert_eq!(registered.metadata.redirect_uris, metadata.redirect_uris);
    assert_eq!(
        registered.metadata.token_endpoint_auth_method,
        Some(ClientAuthMethod::ClientSecretBasic)
    );
    assert!(registered.problems.is_empty());
}

#[tokio::test]
async fn tagged_names_and_extra_fields_survive_the_round_trip() {
    let provider = TestProvider::start().await;
    let mut metadata = ClientMetadata::new(["http://127.0.0.1:9000/cb"]);
    metadata.application_type = Some(ApplicationType::Native);
    metadata.client_name.set_value("Example");
    metadata
        .client_name
        .set_tagged("ja-Jpan-JP", "クライアント名");
    metadata
        .extra_fields
        .insert("tenant_hint".into(), json!({"region": "eu"}));

    let registered = register(
        &provider_metadata(&provider),
        &metadata,
        &register_options(),
    )
    .await
    .unwrap();

    let sent = provider.requests().last().unwrap().json().unwrap();
    assert_eq!(sent["client_name#ja-Jpan-JP"], "クライアント名");
    assert_eq!(sent["tenant_hint"], json!({"region": "eu"}));
    assert_eq!(
        registered.metadata.client_name.get("JA-jpan-jp"),
        Some("クライアント名")
    );
    assert_eq!(registered.metadata.client_name.value(), Some("Example"));
    assert_eq!(
        registered.metadata.extra_fields["tenant_hint"],
        json!({"region": "eu"})
    );
    assert_eq!(
        registered.metadata.application_type,
        Some(ApplicationType::Native)
    );
}

#[tokio::test]
async fn initial_access_token_is_sent_as_bearer() {
    let provider = TestProvider::builder()
        .initial_access_token("let-me-in")
        .start()
        .await;
    let metadata = provider_metadata(&provider);

    let registered = register(
        &metadata,
        &web_client(),
        &register_options().with_initial_access_token("let-me-in"),
    )
    .await
    .unwrap();
    assert!(!registered.client_id.is_empty());
    assert_eq!(
        provider
            .requests()
            .last()
            .unwrap()
            .bearer_token()
            .as_deref(),
        Some("let-me-in")
    );

    for options in [
        register_options(),
        register_options().with_initial_access_token("wrong"),
    ] {
        let error = register(&metadata, &web_client(), &options)
            .await
            .unwrap_err();
        assert_eq!(error.status(), Some(StatusCode::UNAUTHORIZED), "{error}");
        assert_eq!(
            error.oauth_error().unwrap().code,
            OAuthErrorCode::InvalidToken
        );
        assert!(!error.to_string().contains("wrong"));
        assert!(!format!("{error:?}").contains("let-me-in"));
    }
}

#[tokio::test]
async fn both_200_and_201_are_success() {
    for status in [200, 201] {
        let provider = TestProvider::builder()
            .registration_status(status)
            .start()
            .await;
        let registered = register(
            &provider_metadata(&provider),
            &web_client(),
            &register_options(),
        )
        .await;
        assert!(registered.is_ok(), "{status}: {registered:?}");
    }
}

#[tokio::test]
async fn a_provider_without_registration_endpoint_is_not_supported() {
    let provider = TestProvider::builder().registration(false).start().await;
    let metadata = provider_metadata(&provider);
    assert_eq!(metadata.registration_endpoint, None);

    let error = register(&metadata, &web_client(), &register_options())
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), RegistrationErrorKind::NotSupported { issuer } if *issuer == provider.issuer())
    );
    assert_eq!(provider.request_count(Endpoint::Registration), 0);
}

#[tokio::test]
async fn a_signed_jwt_response_is_an_unusable_answer_that_keeps_its_body() {
    let provider = TestProvider::start().await;
    provider.set_behaviour(
        Endpoint::Registration,
        Behaviour::new()
            .content_type("application/jwt")
            .body("eyJhbGciOiJSUzI1NiJ9.e30.c2ln"),
    );
    let error = register(
        &provider_metadata(&provider),
        &web_client(),
        &register_options(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            error.kind(),
            RegistrationErrorKind::InvalidResponse {
                source: RegistrationResponseError::InvalidJson { .. },
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        error.response_body().unwrap().expose(),
        b"eyJhbGciOiJSUzI1NiJ9.e30.c2ln"
    );
    assert_eq!(error.category(), oidc_types::ErrorCategory::Protocol);
}

#[tokio::test]
async fn charset_parameter_is_accepted() {
    let provider = TestProvider::start().await;
    provider.set_behaviour(
        Endpoint::Registration,
        Behaviour::new().content_type("Application/JSON; charset=UTF-8"),
    );
    register(
        &provider_metadata(&provider),
        &web_client(),
        &register_options(),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn connection_refused_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let mut metadata = oidc_types::ProviderMetadata::new(format!("http://127.0.0.1:{port}"));
    metadata.registration_endpoint = Some(format!("http://127.0.0.1:{port}/register"));

    let error = register(&metadata, &web_client(), &register_options())
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), RegistrationErrorKind::Http(e) if e.kind() == HttpErrorKind::Connect),
        "{error:?}"
    );
}

async fn register_against_body(
    body: serde_json::Value,
) -> Result<oidc_types::RegistrationResponse, RegistrationError> {
    let provider = TestProvider::start().await;
    provider.set_behaviour(Endpoint::Registration, Behaviour::new().json(body));
    register(
        &provider_metadata(&provider),
        &web_client(),
        &register_options(),
    )
    .await
}

#[tokio::test]
async fn an_empty_object_has_no_client_id() {
    let error = register_against_body(json!({})).await.unwrap_err();
    assert!(
        matches!(
            error.kind(),
            RegistrationErrorKind::InvalidResponse {
                source: RegistrationResponseError::MissingClientId { .. },
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.response_body().unwrap().expose(), b"{}");
    assert_eq!(
        error.to_string(),
        "registering the client failed: the provider answered 201 Created with a body that cannot be used"
    );
    // The cause follows once, as a chain printer shows it.
    let cause = std::error::Error::source(&error).unwrap();
    assert_eq!(cause.to_string(), "the answer has no client_id");
    assert!(cause.source().is_none());
}

#[tokio::test]
async fn an_unusable_client_id_is_refused_with_the_body_kept() {
    let error = register_against_body(json!({"client_id": "", "client_secret": "kept"}))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error.kind(),
            RegistrationErrorKind::InvalidResponse {
                source: RegistrationResponseError::UnusableClientId {
                    found: "an empty string",
                    ..
                },
                ..
            }
        ),
        "{error:?}"
    );
    let body: serde_json::Value =
        serde_json::from_slice(error.response_body().unwrap().expose()).unwrap();
    assert_eq!(body["client_secret"], "kept");
    assert!(!format!("{error} {error:?}").contains("kept"));
}

#[tokio::test]
async fn a_numeric_client_id_and_an_odd_issued_at_keep_the_registration() {
    let registered = register_against_body(
        json!({"client_id": 7, "client_secret": "s", "client_id_issued_at": "invalid"}),
    )
    .await
    .unwrap();
    assert_eq!(registered.client_id, "7");
    assert_eq!(
        registered.client_secret.as_ref().map(|s| s.expose()),
        Some("s")
    );
    assert_eq!(registered.client_id_issued_at, None);
    let members: Vec<_> = registered
        .problems
        .iter()
        .filter_map(|p| p.member())
        .collect();
    assert_eq!(members, ["client_id", "client_id_issued_at"]);
}

#[tokio::test]
async fn a_wrong_typed_echoed_field_does_not_fail_the_registration() {
    let registered = register_against_body(json!({
        "client_id": "abc",
        "client_secret": "shh",
        "grant_types": "authorization_code",
        "redirect_uris": ["https://app.example/callback"],
    }))
    .await
    .unwrap();
    assert_eq!(registered.client_id, "abc");
    assert_eq!(registered.problems.len(), 1, "{:?}", registered.problems);
    assert_eq!(registered.problems[0].member(), Some("grant_types"));
    assert_eq!(registered.raw()["grant_types"], "authorization_code");
    assert_eq!(registered.metadata.grant_types, None);
    assert_eq!(
        registered.metadata.redirect_uris(),
        ["https://app.example/callback"]
    );
}

#[tokio::test]
async fn a_repeated_credential_is_fatal_and_a_repeated_echoed_member_a_problem() {
    let provider = TestProvider::start().await;
    let (metadata, client, options) = (
        provider_metadata(&provider),
        web_client(),
        register_options(),
    );
    let answer = |body: &'static str| {
        provider.set_behaviour(
            Endpoint::Registration,
            Behaviour::new()
                .status(201)
                .body(body)
                .content_type("application/json"),
        );
        register(&metadata, &client, &options)
    };
    for (body, member) in [
        (r#"{"client_id":"a","client_id":"b"}"#, "client_id"),
        (
            r#"{"client_id":"a","client_secret":"first-s3cret","client_secret":"second-s3cret"}"#,
            "client_secret",
        ),
    ] {
        let error = answer(body).await.unwrap_err();
        assert!(
            matches!(
                error.kind(),
                RegistrationErrorKind::InvalidResponse {
                    source: RegistrationResponseError::DuplicateMember { member: m, .. },
                    ..
                } if m == member
            ),
            "{error:?}"
        );
        // The body is kept for recovery by hand, and no value shows in the error.
        assert_eq!(error.response_body().unwrap().expose(), body.as_bytes());
        let shown = format!("{error} {error:?}");
        assert!(shown.contains(member), "{shown}");
        assert!(!shown.contains("s3cret"), "{shown}");
    }

    let registered = answer(
        "\u{feff}{\"client_id\":\"a\",\"client_secret\":\"s\",\"client_name\":\"one\",\"client_name\":\"two\"}",
    )
    .await
    .unwrap();
    assert_eq!(registered.client_id, "a");
    assert_eq!(registered.metadata.client_name.value(), Some("two"));
    assert_eq!(
        registered.problems,
        [ResponseProblem::DuplicateMember {
            member: "client_name".into()
        }]
    );
}

#[tokio::test]
async fn invalid_json_is_reported() {
    let provider = TestProvider::start().await;
    provider.set_behaviour(
        Endpoint::Registration,
        Behaviour::new().body("{\"client_id\": "),
    );
    let error = register(
        &provider_metadata(&provider),
        &web_client(),
        &register_options(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            error.kind(),
            RegistrationErrorKind::InvalidResponse {
                source: RegistrationResponseError::InvalidJson { .. },
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn provider_oauth_errors_are_typed() {
    let cases = [
        ("invalid_redirect_uri", OAuthErrorCode::InvalidRedirectUri),
        (
            "invalid_client_metadata",
            OAuthErrorCode::InvalidClientMetadata,
        ),
        (
            "invalid_software_statement",
            OAuthErrorCode::InvalidSoftwareStatement,
        ),
        (
            "unapproved_software_statement",
            OAuthErrorCode::UnapprovedSoftwareStatement,
        ),
        (
            "temporarily_unavailable",
            OAuthErrorCode::Other("temporarily_unavailable".into()),
        ),
    ];
    let provider = TestProvider::start().await;
    let metadata = provider_metadata(&provider);
    for (code, expected) in cases {
        let body = json!({"error": code, "error_description": format!("about {code}")});
        provider.set_behaviour(
            Endpoint::Registration,
            Behaviour::new().status(400).json(body.clone()),
        );
        let error = register(&metadata, &web_client(), &register_options())
            .await
            .unwrap_err();
        let RegistrationErrorKind::Provider {
            error: oauth,
            status,
            body: raw,
        } = error.kind()
        else {
            panic!("{code}: {error:?}");
        };
        assert_eq!(oauth.code, expected);
        assert_eq!(
            oauth.description.as_deref(),
            Some(format!("about {code}").as_str())
        );
        assert_eq!(*status, StatusCode::BAD_REQUEST);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(raw).unwrap(),
            body
        );
        assert!(error.to_string().contains(code), "{error}");
    }
}

#[tokio::test]
async fn invalid_token_is_a_rejected_token_whatever_the_status() {
    let provider = TestProvider::start().await;
    let metadata = provider_metadata(&provider);
    for status in [400, 401] {
        provider.set_behaviour(
            Endpoint::Registration,
            Behaviour::new()
                .status(status)
                .json(json!({"error": "invalid_token", "error_description": null})),
        );
        let error = register(&metadata, &web_client(), &register_options())
            .await
            .unwrap_err();
        let RegistrationErrorKind::TokenRejected {
            status: got,
            error: Some(oauth),
            ..
        } = error.kind()
        else {
            panic!("{status}: {error:?}");
        };
        assert_eq!(got.as_u16(), status);
        assert_eq!(oauth.code, OAuthErrorCode::InvalidToken);
        assert_eq!(oauth.description, None);
    }
}

#[tokio::test]
async fn the_providers_own_checks_answer_with_oauth_errors() {
    let provider = TestProvider::start().await;
    let metadata = provider_metadata(&provider);
    let unchecked = register_options().with_validation(Validation::Off);

    let fragment = ClientMetadata::new(["https://app.example/cb#frag"]);
    let error = register(&metadata, &fragment, &unchecked)
        .await
        .unwrap_err();
    assert_eq!(
        error.oauth_error().unwrap().code,
        OAuthErrorCode::InvalidRedirectUri
    );

    let mut unsupported = web_client();
    unsupported.token_endpoint_auth_method =
        Some(ClientAuthMethod::Other("magic_handshake".into()));
    let error = register(&metadata, &unsupported, &unchecked)
        .await
        .unwrap_err();
    assert_eq!(
        error.oauth_error().unwrap().code,
        OAuthErrorCode::InvalidClientMetadata
    );
}

#[tokio::test]
async fn an_error_without_a_body_is_read_from_www_authenticate() {
    let provider = TestProvider::start().await;
    provider.set_behaviour(
        Endpoint::Registration,
        Behaviour::new().status(401).body("").header(
            "www-authenticate",
            r#"Bearer error="invalid_token", error_description="expired""#,
        ),
    );
    let error = register(
        &provider_metadata(&provider),
        &web_client(),
        &register_options(),
    )
    .await
    .unwrap_err();
    let oauth = error.oauth_error().unwrap();
    assert_eq!(oauth.code, OAuthErrorCode::InvalidToken);
    assert_eq!(oauth.description.as_deref(), Some("expired"));
}

#[tokio::test]
async fn other_statuses_are_unexpected() {
    let provider = TestProvider::start().await;
    provider.set_behaviour(
        Endpoint::Registration,
        Behaviour::new()
            .status(502)
            .content_type("text/html")
            .body("<html>bad gateway</html>"),
    );
    let error = register(
        &provider_metadata(&provider),
        &web_client(),
        &register_options(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(error.kind(), RegistrationErrorKind::UnexpectedStatus { status, body } if *status == StatusCode::BAD_GATEWAY && body.contains("bad gateway")),
        "{error:?}"
    );
}

#[tokio::test]
async fn validation_problems_stop_the_request() {
    let provider = TestProvider::start().await;
    let mut metadata = ClientMetadata::new(["https://app.example/cb#frag"]);
    metadata.id_token_encrypted_response_enc = Some(oidc_types::JweEncryption::A128CbcHs256);

    let error = register(
        &provider_metadata(&provider),
        &metadata,
        &register_options(),
    )
    .await
    .unwrap_err();
    let RegistrationErrorKind::InvalidMetadata(problems) = error.kind() else {
        panic!("{error:?}")
    };
    assert_eq!(problems.problems().len(), 2, "{problems}");
    assert_eq!(provider.request_count(Endpoint::Registration), 0);
}

#[tokio::test]
async fn validation_against_the_provider_is_opt_in() {
    let provider = TestProvider::start().await;
    let metadata = provider_metadata(&provider);
    let mut client = web_client();
    client.grant_types = Some(vec![oidc_types::GrantType::Other(
        "urn:example:grant".into(),
    )]);

    let error = register(
        &metadata,
        &client,
        &register_options().with_validation(Validation::AgainstProvider),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(error.kind(), RegistrationErrorKind::InvalidMetadata(_)),
        "{error:?}"
    );
    assert_eq!(provider.request_count(Endpoint::Registration), 0);
}

#[tokio::test]
async fn private_keys_are_never_sent() {
    let provider = TestProvider::start().await;
    let metadata = provider_metadata(&provider);
    let mut client = web_client();
    client.token_endpoint_auth_method = Some(ClientAuthMethod::PrivateKeyJwt);
    client.jwks = Some(
        serde_json::from_value(
            json!({"keys": [{"kty": "oct", "kid": "shared", "k": "c2VjcmV0LWtleQ"}]}),
        )
        .unwrap(),
    );

    let error = register(&metadata, &client, &register_options())
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), RegistrationErrorKind::InvalidMetadata(_)),
        "{error:?}"
    );
    let error = register(
        &metadata,
        &client,
        &register_options().with_validation(Validation::Off),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            error.kind(),
            RegistrationErrorKind::UnsendableMetadata { .. }
        ),
        "{error:?}"
    );
    assert_eq!(provider.request_count(Endpoint::Registration), 0);
}

#[tokio::test]
async fn a_slow_provider_times_out() {
    let provider = TestProvider::start().await;
    provider.set_behaviour(
        Endpoint::Registration,
        Behaviour::new().delay(Duration::from_secs(5)),
    );
    let options = register_options().with_timeout(Duration::from_millis(200));
    let error = register(&provider_metadata(&provider), &web_client(), &options)
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), RegistrationErrorKind::Http(e) if e.kind() == HttpErrorKind::Timeout),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_oversized_response_is_cut_off() {
    let provider = TestProvider::start().await;
    provider.set_behaviour(
        Endpoint::Registration,
        Behaviour::new().oversized_body(3 * 1024 * 1024),
    );
    let error = register(
        &provider_metadata(&provider),
        &web_client(),
        &register_options(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(error.kind(), RegistrationErrorKind::Http(e) if e.kind() == HttpErrorKind::BodyTooLarge),
        "{error:?}"
    );
    // Printed as a chain: the limit once, the endpoint once.
    crate::error_messages::assert_printed_once(&error, &provider.registration_endpoint());
}

#[tokio::test]
async fn secrets_never_show_in_debug_output() {
    let provider = TestProvider::start().await;
    let registered = register(
        &provider_metadata(&provider),
        &web_client(),
        &register_options(),
    )
    .await
    .unwrap();
    let shown = format!("{registered:?}");
    let secret = registered.client_secret.as_ref().unwrap().expose();
    let token = registered
        .registration_access_token
        .as_ref()
        .unwrap()
        .expose();
    assert!(!shown.contains(secret), "{shown}");
    assert!(!shown.contains(token), "{shown}");
    assert!(shown.contains(&registered.client_id));
}

#[tokio::test]
async fn registers_with_a_provider_from_the_cache() {
    let provider = TestProvider::start().await;
    let cache = oidc_discovery::ProviderCache::builder()
        .discovery_options(crate::util::discovery_options())
        .build();

    let configuration = cache.configuration(&provider.issuer()).await.unwrap();
    let registered = register(&configuration.metadata, &web_client(), &register_options())
        .await
        .unwrap();
    let again = cache.configuration(&provider.issuer()).await.unwrap();
    register(&again.metadata, &web_client(), &register_options())
        .await
        .unwrap();

    assert_eq!(provider.request_count(Endpoint::Discovery), 1);
    assert_eq!(provider.registered_clients().len(), 2);
    assert!(provider.client(&registered.client_id).is_some());
}

#[test]
fn public_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<ClientMetadata>();
    assert_send_sync::<oidc_types::ProviderMetadata>();
    assert_send_sync::<oidc_types::RegistrationResponse>();
    assert_send_sync::<oidc_types::RegisteredClient>();
    assert_send_sync::<oidc_types::Secret>();
    assert_send_sync::<RegistrationError>();
    assert_send_sync::<oidc_registration::RegisterOptions>();
    assert_send_sync::<oidc_registration::ManagementOptions>();
    assert_send_sync::<oidc_discovery::DiscoveryError>();
    assert_send_sync::<oidc_discovery::DiscoveryOptions>();
    assert_send_sync::<oidc_discovery::ProviderConfiguration>();
    assert_send_sync::<oidc_discovery::ProviderCache>();
    assert_send_sync::<oidc_http::HyperClient>();
    assert_send_sync::<oidc_http::HttpError>();
    assert_send_sync::<std::sync::Arc<dyn oidc_http::HttpClient>>();
    // The futures must be Send so they can be spawned on a multi-threaded runtime.
    fn assert_send<T: Send>(_: &T) {}
    let provider = oidc_types::ProviderMetadata::new("https://op.example");
    let metadata = web_client();
    let options = oidc_registration::RegisterOptions::default();
    assert_send(&register(&provider, &metadata, &options));
    let mut client = oidc_types::RegisteredClient::from_registration(
        "https://op.example",
        &metadata,
        oidc_types::RegistrationResponse::from_json(br#"{"client_id":"c"}"#).unwrap(),
    );
    let management = oidc_registration::ManagementOptions::default();
    assert_send(&oidc_registration::read_client(&mut client, &management));
    let discovery = oidc_discovery::DiscoveryOptions::default();
    assert_send(&oidc_discovery::load_configuration(
        "https://op.example",
        &discovery,
    ));
}
