use std::time::Duration;

use oidc_discovery::{
    load_configuration, load_jwks, load_provider_jwks, DiscoveryError, Quirks, WellKnown,
};
use oidc_test_provider::{Behaviour, Endpoint, TestProvider};
use serde_json::json;

use crate::util::discovery_options;

#[tokio::test]
async fn loads_the_configuration_of_every_issuer_shape() {
    for (path, trailing_slash) in [
        ("", false),
        ("", true),
        ("/tenant/a", false),
        ("/tenant/a", true),
    ] {
        let provider = TestProvider::builder()
            .issuer_path(path)
            .issuer_trailing_slash(trailing_slash)
            .start()
            .await;
        let issuer = provider.issuer();
        let configuration = load_configuration(&issuer, &discovery_options())
            .await
            .unwrap_or_else(|error| panic!("{issuer}: {error}"));
        assert_eq!(configuration.metadata.issuer, issuer);
        assert_eq!(
            configuration.metadata.registration_endpoint.as_deref(),
            Some(provider.registration_endpoint().as_str())
        );
        let request = &provider.requests()[0];
        let expected_path = format!(
            "{}/.well-known/openid-configuration",
            path.trim_end_matches('/')
        );
        assert_eq!(request.path_and_query, expected_path, "{issuer}");
    }
}

#[tokio::test]
async fn a_trailing_slash_difference_is_an_issuer_mismatch() {
    let provider = TestProvider::start().await;
    let asked = format!("{}/", provider.issuer());

    let error = load_configuration(&asked, &discovery_options())
        .await
        .unwrap_err();
    let DiscoveryError::IssuerMismatch { expected, found } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(expected, &asked);
    assert_eq!(found, &provider.issuer());
    assert!(error.to_string().contains("trailing slash"), "{error}");
}

#[tokio::test]
async fn a_document_naming_another_issuer_is_refused() {
    let provider = TestProvider::start().await;
    let mut document = provider.discovery_document();
    document["issuer"] = json!("https://evil.example");
    provider.set_discovery_document(document);

    let error = load_configuration(&provider.issuer(), &discovery_options())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, DiscoveryError::IssuerMismatch { found, .. } if found == "https://evil.example"),
        "{error:?}"
    );
    assert!(!error.to_string().contains("trailing slash"));
}

#[tokio::test]
async fn json_content_types_with_parameters_are_accepted() {
    for content_type in [
        "application/json; charset=utf-8",
        "application/openid-configuration+json",
    ] {
        let provider = TestProvider::start().await;
        provider.set_behaviour(
            Endpoint::Discovery,
            Behaviour::new().content_type(content_type),
        );
        let loaded = load_configuration(&provider.issuer(), &discovery_options()).await;
        assert!(loaded.is_ok(), "{content_type}: {loaded:?}");
    }
}

#[tokio::test]
async fn other_content_types_are_refused() {
    for content_type in ["text/html", "application/jwt"] {
        let provider = TestProvider::start().await;
        provider.set_behaviour(
            Endpoint::Discovery,
            Behaviour::new().content_type(content_type),
        );
        let error = load_configuration(&provider.issuer(), &discovery_options())
            .await
            .unwrap_err();
        assert!(
            matches!(&error, DiscoveryError::UnexpectedContentType { content_type: Some(ct), .. } if ct == content_type),
            "{error:?}"
        );
    }
}

#[tokio::test]
async fn a_document_that_is_not_an_object_is_refused() {
    let provider = TestProvider::start().await;
    provider.set_behaviour(
        Endpoint::Discovery,
        Behaviour::new().json(json!(["not", "an", "object"])),
    );
    let error = load_configuration(&provider.issuer(), &discovery_options())
        .await
        .unwrap_err();
    assert!(
        matches!(error, DiscoveryError::InvalidConfiguration { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_missing_document_is_an_unexpected_status() {
    let provider = TestProvider::start().await;
    let error = load_configuration(
        &format!("{}/nowhere", provider.issuer()),
        &discovery_options(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&error, DiscoveryError::UnexpectedStatus { status, .. } if status.as_u16() == 404),
        "{error:?}"
    );
}

#[tokio::test]
async fn expiry_follows_cache_control_and_age() {
    let provider = TestProvider::builder()
        .discovery_cache_control("public, MAX-AGE=500")
        .start()
        .await;
    let configuration = load_configuration(&provider.issuer(), &discovery_options())
        .await
        .unwrap();
    assert_eq!(configuration.expires_in, Duration::from_secs(500));
    assert!(!configuration.is_expired());

    provider.set_behaviour(Endpoint::Discovery, Behaviour::new().header("Age", "120"));
    let configuration = load_configuration(&provider.issuer(), &discovery_options())
        .await
        .unwrap();
    assert_eq!(configuration.expires_in, Duration::from_secs(380));

    for cache_control in ["no-cache, no-store", "max-age=0", "max-age=tomorrow"] {
        provider.set_behaviour(
            Endpoint::Discovery,
            Behaviour::new().header("Cache-Control", cache_control),
        );
        let configuration = load_configuration(&provider.issuer(), &discovery_options())
            .await
            .unwrap();
        assert_eq!(
            configuration.expires_in,
            Duration::from_secs(15 * 60),
            "{cache_control}"
        );
    }
}

#[tokio::test]
async fn a_slow_provider_times_out() {
    let provider = TestProvider::start().await;
    provider.set_behaviour(
        Endpoint::Discovery,
        Behaviour::new().delay(Duration::from_secs(5)),
    );
    let options = discovery_options().with_timeout(Duration::from_millis(200));
    let error = load_configuration(&provider.issuer(), &options)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, DiscoveryError::Http { source, .. } if source.is_timeout()),
        "{error:?}"
    );
}

#[tokio::test]
async fn loads_the_key_set() {
    let provider = TestProvider::start().await;
    let configuration = load_configuration(&provider.issuer(), &discovery_options())
        .await
        .unwrap();

    let jwks = load_provider_jwks(&configuration.metadata, &discovery_options())
        .await
        .unwrap();
    assert_eq!(jwks.keys.len(), 1);
    assert!(jwks.skipped.is_empty());
    assert!(jwks.expires_in >= Duration::from_secs(60));

    provider.set_jwks(json!({"keys": [
        {"kty": "AKP", "alg": "ML-DSA-44", "kid": "unknown-type", "pub": "abc"},
        {"kty": "EC", "crv": "P-256", "kid": "ec-1", "use": "sig",
         "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
         "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}
    ]}));
    provider.set_behaviour(
        Endpoint::Jwks,
        Behaviour::new().content_type("application/jwk-set+json"),
    );
    let jwks = load_jwks(&provider.url("/jwks"), &discovery_options())
        .await
        .unwrap();
    assert!(jwks.find("ec-1").is_some());
    assert_eq!(jwks.skipped.len(), 1);
    assert_eq!(jwks.skipped[0].kid.as_deref(), Some("unknown-type"));
}

#[tokio::test]
async fn a_key_set_without_keys_is_invalid() {
    let provider = TestProvider::start().await;
    provider.set_jwks(json!({"not_keys": []}));
    let error = load_jwks(&provider.url("/jwks"), &discovery_options())
        .await
        .unwrap_err();
    assert!(
        matches!(error, DiscoveryError::InvalidJwks { .. }),
        "{error:?}"
    );
}

fn paths(provider: &TestProvider) -> Vec<String> {
    provider
        .requests()
        .into_iter()
        .map(|request| request.path_and_query)
        .collect()
}

#[tokio::test]
async fn each_well_known_mode_asks_for_its_paths() {
    for (mode, expected) in [
        (
            WellKnown::OpenId,
            &["/tenant/a/.well-known/openid-configuration"][..],
        ),
        (
            WellKnown::OAuth,
            &["/.well-known/oauth-authorization-server/tenant/a"][..],
        ),
        // The OpenID document is there: no second request.
        (
            WellKnown::OpenIdThenOAuth,
            &["/tenant/a/.well-known/openid-configuration"][..],
        ),
    ] {
        let provider = TestProvider::builder()
            .issuer_path("/tenant/a")
            .start()
            .await;
        let options = discovery_options().with_well_known(mode);
        let configuration = load_configuration(&provider.issuer(), &options)
            .await
            .unwrap_or_else(|error| panic!("{mode:?}: {error}"));
        assert_eq!(configuration.metadata.issuer, provider.issuer());
        assert_eq!(paths(&provider), expected, "{mode:?}");
    }
}

/// What a test expects of an error.
type ErrorCheck<'a> = dyn Fn(&DiscoveryError) -> bool + 'a;

#[tokio::test]
async fn openid_then_oauth_falls_back_only_when_the_document_is_absent() {
    let openid = "/.well-known/openid-configuration";
    let oauth = "/.well-known/oauth-authorization-server";
    let options = discovery_options().with_well_known(WellKnown::OpenIdThenOAuth);
    for status in [404, 410] {
        let provider = TestProvider::start().await;
        provider.set_behaviour(Endpoint::Discovery, Behaviour::new().status(status));
        load_configuration(&provider.issuer(), &options)
            .await
            .unwrap_or_else(|error| panic!("{status}: {error}"));
        assert_eq!(paths(&provider), [openid, oauth], "{status}");
    }

    // Any other failure is the first location's answer, reported as such: no second request,
    // so it is not hidden behind whatever the second location says.
    let is_status = |error: &DiscoveryError| matches!(error, DiscoveryError::UnexpectedStatus { status, url, .. } if *status == 500 && url.ends_with(openid));
    let is_content_type = |error: &DiscoveryError| matches!(error, DiscoveryError::UnexpectedContentType { url, .. } if url.ends_with(openid));
    let is_invalid = |error: &DiscoveryError| matches!(error, DiscoveryError::InvalidConfiguration { url, .. } if url.ends_with(openid));
    let is_duplicate = |error: &DiscoveryError| matches!(error, DiscoveryError::DuplicateMember { url, member } if url.ends_with(openid) && member == "issuer");
    let is_mismatch = |error: &DiscoveryError| matches!(error, DiscoveryError::IssuerMismatch { found, .. } if found == "https://evil.example");
    let cases: [(Behaviour, &ErrorCheck<'_>); 8] = [
        (Behaviour::new().status(500), &is_status),
        (Behaviour::new().content_type("text/html"), &is_content_type),
        (Behaviour::new().body("<html>not here</html>"), &is_invalid),
        (
            Behaviour::new().json(json!(["not", "an", "object"])),
            &is_invalid,
        ),
        (
            Behaviour::new()
                .body(r#"{"issuer":"a","issuer":"b"}"#)
                .content_type("application/json"),
            &is_duplicate,
        ),
        (
            Behaviour::new().json(json!({"issuer": "https://evil.example"})),
            &is_mismatch,
        ),
        (
            Behaviour::new().json(json!({"issuer": "https://op.example", "jwks_uri": 5})),
            &is_invalid,
        ),
        // A transport failure (here a timeout) at the first location.
        (
            Behaviour::new().delay(Duration::from_secs(5)),
            &|error: &DiscoveryError| matches!(error, DiscoveryError::Http { url, .. } if url.ends_with(openid)),
        ),
    ];
    for (present, expected) in cases {
        let provider = TestProvider::start().await;
        provider.set_behaviour(Endpoint::Discovery, present.clone());
        let options = options.clone().with_timeout(Duration::from_millis(500));
        let error = load_configuration(&provider.issuer(), &options)
            .await
            .unwrap_err();
        assert!(expected(&error), "{present:?}: {error:?}");
        assert_eq!(paths(&provider), [openid], "{present:?}");
    }

    // First absent, second failing: the error of the second attempt.
    let provider = TestProvider::start().await;
    provider.set_behaviour(Endpoint::Discovery, Behaviour::new().status(404));
    provider.set_behaviour(Endpoint::OAuthDiscovery, Behaviour::new().status(404));
    let error = load_configuration(&provider.issuer(), &options)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, DiscoveryError::UnexpectedStatus { url, .. } if url.ends_with(oauth)),
        "{error:?}"
    );
}

#[tokio::test]
async fn documents_that_repeat_a_member_are_refused() {
    let provider = TestProvider::start().await;
    let document = serde_json::to_string(&provider.discovery_document()).unwrap();
    // The second `registration_endpoint` would win in serde_json: it must not be used.
    let twice = format!(
        r#"{},"registration_endpoint":"https://evil.example/register"}}"#,
        document.trim_end_matches('}')
    );
    provider.set_behaviour(
        Endpoint::Discovery,
        Behaviour::new()
            .body(twice)
            .content_type("application/json"),
    );
    let error = load_configuration(&provider.issuer(), &discovery_options())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, DiscoveryError::DuplicateMember { member, .. } if member == "registration_endpoint"),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .ends_with("the document has the member \"registration_endpoint\" more than once"),
        "{error}"
    );
    assert!(!error.to_string().contains("evil"), "{error}");

    provider.set_behaviour(
        Endpoint::Jwks,
        Behaviour::new()
            .body(r#"{"keys":[],"keys":[]}"#)
            .content_type("application/json"),
    );
    let error = load_jwks(&provider.url("/jwks"), &discovery_options())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, DiscoveryError::DuplicateMember { member, .. } if member == "keys"),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_oauth_document_must_name_the_issuer_too() {
    let provider = TestProvider::builder().issuer_path("/as").start().await;
    provider.set_behaviour(
        Endpoint::OAuthDiscovery,
        Behaviour::new().json(json!({"issuer": "https://other.example/as"})),
    );
    let options = discovery_options().with_well_known(WellKnown::OAuth);
    let error = load_configuration(&provider.issuer(), &options)
        .await
        .unwrap_err();
    assert!(
        matches!(error, DiscoveryError::IssuerMismatch { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn issuers_with_a_query_or_fragment_send_nothing() {
    let provider = TestProvider::start().await;
    for suffix in ["?tenant=a", "/?", "#frag", "/#"] {
        for mode in [
            WellKnown::OpenId,
            WellKnown::OAuth,
            WellKnown::OpenIdThenOAuth,
        ] {
            let issuer = format!("{}{suffix}", provider.issuer());
            let options = discovery_options().with_well_known(mode);
            let error = load_configuration(&issuer, &options).await.unwrap_err();
            assert!(
                matches!(error, DiscoveryError::InvalidIssuer { .. }),
                "{issuer}: {error:?}"
            );
        }
    }
    assert!(provider.requests().is_empty());
}

#[tokio::test]
async fn malformed_values_are_refused_unless_tolerated() {
    let provider = TestProvider::start().await;
    let mut document = provider.discovery_document();
    document["claims_parameter_supported"] = json!("true");
    document["scopes_supported"] = json!("openid");
    provider.set_discovery_document(document);

    let error = load_configuration(&provider.issuer(), &discovery_options())
        .await
        .unwrap_err();
    assert!(
        matches!(error, DiscoveryError::InvalidConfiguration { .. }),
        "{error:?}"
    );
    // The first malformed member the reader meets is named; which one that is follows the
    // `Map`'s order (sorted, or document order with serde_json's `preserve_order`).
    let reason = std::error::Error::source(&error).unwrap().to_string();
    assert!(
        reason.contains("scopes_supported: expected an array of strings, found a string")
            || reason.contains("claims_parameter_supported: expected a boolean, found a string"),
        "{error}: {reason}"
    );

    let options =
        discovery_options().with_quirks(Quirks::default().with_tolerate_malformed_values(true));
    let metadata = load_configuration(&provider.issuer(), &options)
        .await
        .unwrap()
        .metadata;
    assert!(metadata.claims_parameter_supported());
    assert_eq!(metadata.scopes_supported, Some(vec!["openid".to_owned()]));
}

#[tokio::test]
async fn plain_http_endpoints_off_loopback_are_refused_unless_allowed() {
    let provider = TestProvider::start().await;
    // The provider's own endpoints are http on 127.0.0.1: loopback, so accepted by default.
    let original = provider.discovery_document();
    for (member, value) in [
        ("token_endpoint", json!("http://as.example/token")),
        ("x_custom_endpoint", json!("http://as.example/custom")),
        (
            "mtls_endpoint_aliases",
            json!({"token_endpoint": "http://mtls.as.example/token"}),
        ),
    ] {
        let mut document = provider.discovery_document();
        document[member] = value;
        provider.set_discovery_document(document);
        let error = load_configuration(&provider.issuer(), &discovery_options())
            .await
            .unwrap_err();
        let DiscoveryError::InsecureEndpoint { member: named, .. } = &error else {
            panic!("{member}: {error:?}")
        };
        assert!(named.starts_with(member), "{named}");
        assert!(error.to_string().contains(named.as_str()), "{error}");

        let options = discovery_options().with_plain_http(oidc_http::PlainHttp::Anywhere);
        load_configuration(&provider.issuer(), &options)
            .await
            .unwrap_or_else(|error| panic!("{member}: {error}"));
        provider.set_discovery_document(original.clone());
    }
}

#[tokio::test]
async fn document_overrides_replace_add_and_remove_members() {
    let provider = TestProvider::start().await;
    let quirks = Quirks::default()
        .with_document_override("registration_endpoint", json!(null))
        .with_document_override("op_tos_uri", json!("https://op.example/tos"))
        .with_document_override("scopes_supported", json!(["openid"]));
    let options = discovery_options().with_quirks(quirks);
    let metadata = load_configuration(&provider.issuer(), &options)
        .await
        .unwrap()
        .metadata;
    assert_eq!(metadata.registration_endpoint, None);
    assert_eq!(
        metadata.op_tos_uri.as_deref(),
        Some("https://op.example/tos")
    );
    assert_eq!(metadata.scopes_supported, Some(vec!["openid".to_owned()]));

    // Overrides are validated like the document: a wrong type still names the member.
    let options = discovery_options()
        .with_quirks(Quirks::default().with_document_override("jwks_uri", json!(7)));
    let error = load_configuration(&provider.issuer(), &options)
        .await
        .unwrap_err();
    // Display says what failed; the cause, once, says why.
    let cause = std::error::Error::source(&error).unwrap().to_string();
    assert!(cause.contains("jwks_uri"), "{error}: {cause}");
    assert!(!error.to_string().contains("jwks_uri"), "{error}");
}

#[tokio::test]
async fn an_issuer_pattern_accepts_a_template_issuer() {
    let provider = TestProvider::builder()
        .issuer_path("/common/v2.0")
        .start()
        .await;
    let template = format!("{}/{{tenantid}}/v2.0", provider.base_url());
    let mut document = provider.discovery_document();
    document["issuer"] = json!(template);
    provider.set_discovery_document(document);

    let error = load_configuration(&provider.issuer(), &discovery_options())
        .await
        .unwrap_err();
    assert!(
        matches!(error, DiscoveryError::IssuerMismatch { .. }),
        "{error:?}"
    );

    let options =
        discovery_options().with_quirks(Quirks::default().with_issuer_pattern(template.clone()));
    let configuration = load_configuration(&provider.issuer(), &options)
        .await
        .unwrap();
    assert_eq!(configuration.metadata.issuer, template);
}

/// The shared default client outlives any one runtime: a connection pooled by a runtime that
/// is gone must not break the next call from another runtime (one runtime per test is common).
#[test]
fn the_default_client_survives_a_dropped_runtime() {
    let (issuer_tx, issuer_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let provider = TestProvider::start().await;
            issuer_tx.send(provider.issuer()).unwrap();
            let _ = stop_rx.await;
        });
    });
    let issuer = issuer_rx.recv().unwrap();
    for round in 0..3 {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let loaded = runtime.block_on(load_configuration(&issuer, &Default::default()));
        assert!(loaded.is_ok(), "round {round}: {loaded:?}");
        drop(runtime);
    }
    stop_tx.send(()).unwrap();
    server.join().unwrap();
}
