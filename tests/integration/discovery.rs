use std::time::Duration;

use oidc_discovery::{load_configuration, load_jwks, load_provider_jwks, DiscoveryError};
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
