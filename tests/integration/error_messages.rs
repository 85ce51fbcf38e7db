//! Errors as a service's error reporting shows them: an anyhow-style chain printer writes each
//! error of the `source()` chain once, so no message may repeat its cause, and the URL of the
//! request that failed appears once in the whole chain (the library's context says it; the HTTP
//! error keeps it in `HttpError::url`).

use std::error::Error;

use oidc_discovery::{load_configuration, DiscoveryError};
use oidc_http::HttpErrorKind;
use oidc_registration::{register, RegistrationErrorKind};
use oidc_test_provider::TestProvider;

use crate::util::{discovery_options, provider_metadata, register_options, web_client};

/// Each message of `error`'s chain, outermost first.
fn chain(error: &(dyn Error + 'static)) -> Vec<String> {
    std::iter::successors(Some(error), |&e| e.source())
        .map(ToString::to_string)
        .collect()
}

/// The chain printer's promise: no message contains the one after it (its cause), and `url`
/// appears exactly once in the printed chain.
pub(crate) fn assert_printed_once(error: &(dyn Error + 'static), url: &str) {
    let messages = chain(error);
    for pair in messages.windows(2) {
        assert!(
            !pair[0].contains(&pair[1]),
            "{:?} repeats its cause {:?}",
            pair[0],
            pair[1]
        );
    }
    let printed = messages.join(": ");
    assert_eq!(printed.matches(url).count(), 1, "{url} in {printed:?}");
}

/// A port on 127.0.0.1 where nothing listens.
fn refused_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test]
async fn a_refused_discovery_says_its_url_once_and_its_cause_once() {
    let issuer = format!("http://127.0.0.1:{}/tenant", refused_port());
    let error = load_configuration(&issuer, &discovery_options())
        .await
        .unwrap_err();
    let url = format!("{issuer}/.well-known/openid-configuration");
    let DiscoveryError::Http { source, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(source.kind(), HttpErrorKind::Connect);
    assert_eq!(source.url(), Some(url.as_str()));
    assert_printed_once(&error, &url);
    assert_eq!(
        chain(&error),
        [
            format!("fetching {url} failed"),
            "connection failed: connection refused".to_owned(),
        ]
    );
}

#[tokio::test]
async fn a_refused_registration_names_the_endpoint_once() {
    let provider = TestProvider::start().await;
    let mut metadata = provider_metadata(&provider);
    let endpoint = format!("http://127.0.0.1:{}/register", refused_port());
    metadata.registration_endpoint = Some(endpoint.clone());
    let error = register(&metadata, &web_client(), &register_options())
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), RegistrationErrorKind::Http(_)),
        "{error:?}"
    );
    assert_printed_once(&error, &endpoint);
    assert_eq!(
        chain(&error),
        [
            format!(
                "registering the client failed: the HTTP exchange with {endpoint} did not complete"
            ),
            "connection failed: connection refused".to_owned(),
        ]
    );
}

#[tokio::test]
async fn an_unusable_resource_document_says_why_once() {
    let provider = TestProvider::builder()
        .protected_resource("/mcp")
        .start()
        .await;
    provider.set_resource_document(serde_json::json!({"resource": 7}));
    let resource = provider.resource().unwrap();
    let error = oidc_discovery::probe_resource(&resource, &discovery_options())
        .await
        .unwrap_err();
    let messages = chain(&error);
    assert!(messages.len() >= 2, "{messages:?}");
    for pair in messages.windows(2) {
        assert!(!pair[0].contains(&pair[1]), "{messages:?}");
    }
}

#[tokio::test]
async fn an_issuer_is_shown_as_typed() {
    // The provider's issuer has no trailing slash; the user typed one.
    let provider = TestProvider::start().await;
    let typed = format!("{}/", provider.issuer());
    let error = load_configuration(&typed, &discovery_options())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, DiscoveryError::IssuerMismatch { expected, .. } if *expected == typed),
        "{error:?}"
    );
    assert!(error.to_string().contains(&format!("{typed:?}")), "{error}");
}
