//! Providers that misbehave on purpose: they quote the secrets they were sent, name a foreign
//! `registration_client_uri`, or sit behind plain http. Against the in-process provider, with
//! `Reroute` standing in for hosts other than 127.0.0.1.

use oidc_http::{HttpErrorKind, PlainHttp};
use oidc_registration::{
    delete_client, read_client, register, ManagementOptions, RegisterOptions, RegistrationErrorKind,
};
use oidc_test_provider::{Behaviour, Endpoint, TestProvider};
use oidc_types::{ErrorCategory, ProviderMetadata, RegisteredClient, ResponseProblem};
use serde_json::json;

use crate::util::{management_options, provider_metadata, register_options, web_client, Reroute};

/// Metadata of the in-process provider as if it lived at `base` (rerouted to it).
fn metadata_at(provider: &TestProvider, base: &str) -> ProviderMetadata {
    let mut metadata = provider_metadata(provider);
    metadata.issuer = base.to_owned();
    metadata.registration_endpoint = Some(format!("{base}/register"));
    metadata
}

#[tokio::test]
async fn an_initial_access_token_never_goes_over_plain_http_off_this_machine() {
    let provider = TestProvider::start().await;
    let reroute = Reroute::to(&provider);
    let metadata = metadata_at(&provider, "http://op.example");
    let options = RegisterOptions::default()
        .with_http_client(reroute.clone())
        .with_initial_access_token("iat-over-http");
    let error = register(&metadata, &web_client(), &options)
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), RegistrationErrorKind::Http(e) if e.kind() == HttpErrorKind::InsecureUrl),
        "{error:?}"
    );
    // Refused above the backend: the rerouting client, which would send anything, saw nothing.
    assert!(reroute.asked().is_empty());
    assert_eq!(provider.request_count(Endpoint::Registration), 0);
}

#[tokio::test]
async fn a_registration_made_over_allowed_plain_http_can_be_managed() {
    let provider = TestProvider::start().await;
    let reroute = Reroute::to(&provider);
    let metadata = metadata_at(&provider, "http://op.example");
    // The provider names its own host in every answer.
    let own_host = Behaviour::new().edit_answer(|answer| {
        let id = answer["client_id"].as_str().unwrap().to_owned();
        answer.insert(
            "registration_client_uri".into(),
            json!(format!("http://op.example/register/{id}")),
        );
    });
    provider.set_behaviour(Endpoint::Registration, own_host.clone());
    provider.set_behaviour(Endpoint::ClientConfiguration, own_host);
    let allowed = RegisterOptions::default()
        .with_http_client(reroute.clone())
        .with_plain_http(PlainHttp::Anywhere);
    let response = register(&metadata, &web_client(), &allowed).await.unwrap();
    assert!(response.problems.is_empty(), "{:?}", response.problems);
    let mut client = RegisteredClient::from_registration(&metadata.issuer, &web_client(), response);

    // The default policy refuses the token over plain http, before the backend.
    let strict = ManagementOptions::default().with_http_client(reroute.clone());
    let error = read_client(&mut client, &strict).await.unwrap_err();
    assert!(
        matches!(error.kind(), RegistrationErrorKind::Http(e) if e.kind() == HttpErrorKind::InsecureUrl),
        "{error:?}"
    );
    assert_eq!(provider.request_count(Endpoint::ClientConfiguration), 0);

    // The same one override that allowed the registration allows its management.
    let allowed = strict.with_plain_http(PlainHttp::Anywhere);
    let _ = read_client(&mut client, &allowed).await.unwrap();
    delete_client(&client, &allowed).await.unwrap();
    assert!(provider.client(&client.client_id).is_none());
}

#[tokio::test]
async fn a_foreign_registration_client_uri_is_reported_and_refused_unless_allowed() {
    let provider = TestProvider::start().await;
    // `localhost` is another origin than the `127.0.0.1` the provider is registered at, but
    // reaches the same server, so allowing it can be shown to work.
    let foreign_base = provider.base_url().replace("127.0.0.1", "localhost");
    let foreign = foreign_base.clone();
    provider.set_behaviour(
        Endpoint::Registration,
        Behaviour::new().edit_answer(move |answer| {
            let id = answer["client_id"].as_str().unwrap().to_owned();
            answer.insert(
                "registration_client_uri".into(),
                json!(format!("{foreign}/register/{id}")),
            );
        }),
    );
    let metadata = provider_metadata(&provider);
    let response = register(&metadata, &web_client(), &register_options())
        .await
        .unwrap();
    let problem = response
        .problems
        .iter()
        .find(|p| matches!(p, ResponseProblem::RegistrationClientUri { .. }))
        .expect("reported when the answer arrives");
    assert!(problem.to_string().contains(&foreign_base), "{problem}");
    let mut client = RegisteredClient::from_registration(&metadata.issuer, &web_client(), response);

    let error = read_client(&mut client, &management_options())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error.kind(),
            RegistrationErrorKind::RegistrationClientUriRefused { .. }
        ),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains(&foreign_base), "{message}");
    assert!(message.contains(&provider.base_url()), "{message}");
    assert_eq!(error.category(), ErrorCategory::Protocol);
    assert_eq!(provider.request_count(Endpoint::ClientConfiguration), 0);

    let allowed = management_options().with_foreign_registration_client_uri(true);
    let _ = read_client(&mut client, &allowed).await.unwrap();
    assert_eq!(provider.request_count(Endpoint::ClientConfiguration), 1);
}

#[tokio::test]
async fn a_provider_quoting_the_initial_access_token_never_gets_it_shown() {
    let provider = TestProvider::builder()
        .initial_access_token("the-right-one")
        .start()
        .await;
    let token = "sent-iat-7f3a9c";
    let echo = Behaviour::new()
        .status(400)
        .header(
            "www-authenticate",
            format!(r#"Bearer error="invalid_token", error_description="{token} is unknown""#),
        )
        .json(json!({
            "error": "invalid_client_metadata",
            "error_description": format!("you sent {token}"),
            "error_uri": format!("https://op.example/why?token={token}"),
        }));
    for behaviour in [
        echo.clone(),
        Behaviour::new()
            .status(401)
            .body(format!("bad token {token}")),
        Behaviour::new()
            .status(500)
            .body(format!("<html>{token}</html>")),
    ] {
        provider.set_behaviour(Endpoint::Registration, behaviour);
        let options = register_options().with_initial_access_token(token);
        let error = register(&provider_metadata(&provider), &web_client(), &options)
            .await
            .unwrap_err();
        let shown = format!("{error} {error:?} {:?}", error.oauth_error());
        assert!(!shown.contains(token), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
}

#[tokio::test]
async fn a_provider_quoting_the_registration_access_token_or_secret_never_gets_them_shown() {
    let provider = TestProvider::start().await;
    let sent = web_client();
    let response = register(&provider_metadata(&provider), &sent, &register_options())
        .await
        .unwrap();
    let mut client = RegisteredClient::from_registration(provider.issuer(), &sent, response);
    let token = client.registration_access_token.clone().unwrap();
    let secret = client.client_secret.clone().unwrap();
    for status in [400, 401, 403, 404, 500] {
        provider.set_behaviour(
            Endpoint::ClientConfiguration,
            Behaviour::new().status(status).json(json!({
                "error": "invalid_request",
                "error_description": format!("token {} secret {}", token.expose(), secret.expose()),
            })),
        );
        let error = read_client(&mut client, &management_options())
            .await
            .unwrap_err();
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains(token.expose()), "{status}: {shown}");
        assert!(!shown.contains(secret.expose()), "{status}: {shown}");
    }
}

#[tokio::test]
async fn a_read_answer_that_moves_the_client_elsewhere_keeps_the_token_home() {
    // The provider acted normally at registration, then an odd read answer names another
    // origin: reported with that answer, and the next call sends the token nowhere.
    let provider = TestProvider::builder()
        .rotate_token_on_read(true)
        .start()
        .await;
    let sent = web_client();
    let response = register(&provider_metadata(&provider), &sent, &register_options())
        .await
        .unwrap();
    let mut client = RegisteredClient::from_registration(provider.issuer(), &sent, response);
    provider.set_behaviour(
        Endpoint::ClientConfiguration,
        Behaviour::new()
            .content_type("text/plain")
            .edit_answer(|answer| {
                answer.insert(
                    "registration_client_uri".into(),
                    json!("https://collector.example/steal"),
                );
            }),
    );
    let applied = read_client(&mut client, &management_options())
        .await
        .unwrap();
    // The rotated token from that answer is kept, and the move is reported.
    assert!(applied.changes.registration_access_token_rotated);
    assert!(applied
        .problems
        .iter()
        .any(|p| matches!(p, ResponseProblem::RegistrationClientUri { .. })));
    let reads = provider.request_count(Endpoint::ClientConfiguration);
    let error = read_client(&mut client, &management_options())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error.kind(),
            RegistrationErrorKind::RegistrationClientUriRefused { .. }
        ),
        "{error:?}"
    );
    assert_eq!(provider.request_count(Endpoint::ClientConfiguration), reads);
    let token = client.registration_access_token.as_ref().unwrap().expose();
    assert!(!format!("{error} {error:?}").contains(token));
}
