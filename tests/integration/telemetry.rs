use oidc_discovery::load_configuration;
use oidc_registration::register;
use oidc_test_provider::{Behaviour, Endpoint, TestProvider};
use serde_json::json;

use crate::util::{
    discovery_options, named, provider_metadata, register_options, web_client, with_metrics,
};

#[test]
fn discovery_and_registration_emit_start_stop_and_duration() {
    let ((issuer, secret, token), metrics) = with_metrics(|| async {
        let provider = TestProvider::start().await;
        let configuration = load_configuration(&provider.issuer(), &discovery_options())
            .await
            .unwrap();
        let registered = register(&configuration.metadata, &web_client(), &register_options())
            .await
            .unwrap();
        let secret = registered.client_secret.unwrap().expose().to_owned();
        let token = registered
            .registration_access_token
            .unwrap()
            .expose()
            .to_owned();
        (provider.issuer(), secret, token)
    });

    for operation in ["load_configuration", "register_client"] {
        let start = named(&metrics, &format!("oidc_{operation}_start_total"));
        assert_eq!(start.len(), 1, "{metrics:#?}");
        assert_eq!(start[0].labels, [("issuer".to_owned(), issuer.clone())]);
        assert_eq!(start[0].counter(), 1);

        let stop = named(&metrics, &format!("oidc_{operation}_stop_total"));
        assert_eq!(stop.len(), 1);
        assert_eq!(stop[0].label("outcome"), Some("ok"));
        assert_eq!(stop[0].label("error"), None);
        assert_eq!(stop[0].label("issuer"), Some(issuer.as_str()));

        let duration = named(&metrics, &format!("oidc_{operation}_duration_seconds"));
        assert_eq!(duration.len(), 1);
        assert_eq!(duration[0].label("outcome"), Some("ok"));
        assert!(named(&metrics, &format!("oidc_{operation}_exception_total")).is_empty());
    }

    // No secret, client id or path ever becomes a label.
    for metric in &metrics {
        for (_, value) in &metric.labels {
            assert!(
                !value.contains(&secret) && !value.contains(&token),
                "{metric:?}"
            );
            assert!(!value.contains("/register"), "{metric:?}");
        }
    }
}

#[test]
fn a_refused_registration_stops_with_its_error_kind() {
    let (_, metrics) = with_metrics(|| async {
        let provider = TestProvider::start().await;
        provider.set_behaviour(
            Endpoint::Registration,
            Behaviour::new()
                .status(400)
                .json(json!({"error": "invalid_redirect_uri"})),
        );
        register(
            &provider_metadata(&provider),
            &web_client(),
            &register_options(),
        )
        .await
        .unwrap_err();
    });
    let stop = named(&metrics, "oidc_register_client_stop_total");
    assert_eq!(stop.len(), 1);
    assert_eq!(stop[0].label("outcome"), Some("error"));
    assert_eq!(stop[0].label("error"), Some("provider_error"));
}

#[test]
fn a_timed_out_discovery_stops_with_timeout() {
    let (_, metrics) = with_metrics(|| async {
        let provider = TestProvider::start().await;
        provider.set_behaviour(
            Endpoint::Discovery,
            Behaviour::new().delay(std::time::Duration::from_secs(5)),
        );
        let options = discovery_options().with_timeout(std::time::Duration::from_millis(100));
        load_configuration(&provider.issuer(), &options)
            .await
            .unwrap_err();
    });
    let stop = named(&metrics, "oidc_load_configuration_stop_total");
    assert_eq!(stop[0].label("error"), Some("timeout"));
}

#[test]
fn an_abandoned_registration_is_an_exception() {
    let (_, metrics) = with_metrics(|| async {
        let provider = TestProvider::start().await;
        provider.set_behaviour(
            Endpoint::Registration,
            Behaviour::new().delay(std::time::Duration::from_secs(5)),
        );
        let metadata = provider_metadata(&provider);
        let options = register_options();
        let client = web_client();
        let call = register(&metadata, &client, &options);
        let abandoned = tokio::time::timeout(std::time::Duration::from_millis(100), call).await;
        assert!(abandoned.is_err());
    });
    assert!(named(&metrics, "oidc_register_client_stop_total").is_empty());
    let exception = named(&metrics, "oidc_register_client_exception_total");
    assert_eq!(exception.len(), 1);
    assert_eq!(exception[0].label("reason"), Some("cancelled"));
    assert_eq!(exception[0].counter(), 1);
}

#[test]
fn registration_not_supported_emits_nothing() {
    let (_, metrics) = with_metrics(|| async {
        let provider = TestProvider::builder().registration(false).start().await;
        register(
            &provider_metadata(&provider),
            &web_client(),
            &register_options(),
        )
        .await
        .unwrap_err();
    });
    assert!(
        metrics
            .iter()
            .all(|metric| !metric.name.starts_with("oidc_register_client")),
        "{metrics:#?}"
    );
}
