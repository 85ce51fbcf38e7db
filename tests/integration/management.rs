use http::StatusCode;
use oidc_registration::{
    delete_client, read_client, register, update_client, RegistrationError, RegistrationErrorKind,
};
use oidc_test_provider::{Behaviour, Endpoint, TestProvider, TestProviderBuilder};
use oidc_types::{OAuthErrorCode, RegisteredClient};
use serde_json::json;

use crate::util::{management_options, provider_metadata, register_options, web_client};

async fn registered(provider: &TestProvider) -> RegisteredClient {
    let metadata = web_client();
    let provider_metadata = provider_metadata(provider);
    let response = register(&provider_metadata, &metadata, &register_options())
        .await
        .unwrap();
    RegisteredClient::from_registration(provider_metadata.issuer, &metadata, response)
}

async fn start(builder: TestProviderBuilder) -> (TestProvider, RegisteredClient) {
    let provider = builder.start().await;
    let client = registered(&provider).await;
    (provider, client)
}

#[tokio::test]
async fn read_update_delete_then_read_again() {
    let (provider, mut client) = start(TestProvider::builder()).await;
    let token = client.registration_access_token.clone().unwrap();

    let changes = read_client(&mut client, &management_options())
        .await
        .unwrap();
    assert!(!changes.credentials_changed());
    let read = provider.requests().pop().unwrap();
    assert_eq!(read.method, http::Method::GET);
    assert_eq!(read.bearer_token().as_deref(), Some(token.expose()));
    assert_eq!(
        read.path_and_query,
        format!("/register/{}", client.client_id)
    );

    let mut metadata = client.metadata().clone();
    metadata.client_name.set_value("Renamed");
    metadata
        .redirect_uris
        .get_or_insert_with(Vec::new)
        .push("https://app.example/second".to_owned());
    let changes = update_client(
        &mut client,
        |m| *m = metadata.clone(),
        &management_options(),
    )
    .await
    .unwrap();
    assert!(!changes.credentials_changed());
    let put = provider.requests().pop().unwrap();
    assert_eq!(put.method, http::Method::PUT);
    let body = put.json().unwrap();
    assert_eq!(body["client_id"], client.client_id.as_str());
    for forbidden in [
        "registration_access_token",
        "registration_client_uri",
        "client_secret_expires_at",
        "client_id_issued_at",
    ] {
        assert!(body.get(forbidden).is_none(), "{forbidden} in {body}");
    }
    assert_eq!(client.metadata().client_name.value(), Some("Renamed"));
    assert_eq!(client.metadata().redirect_uris().len(), 2);
    assert_eq!(
        provider.client(&client.client_id).unwrap()["client_name"],
        "Renamed"
    );

    delete_client(&client, &management_options()).await.unwrap();
    assert!(provider.client(&client.client_id).is_none());

    let error = read_client(&mut client, &management_options())
        .await
        .unwrap_err();
    let RegistrationErrorKind::TokenRejected {
        status,
        error: Some(oauth),
        ..
    } = error.kind()
    else {
        panic!("{error:?}")
    };
    assert_eq!(*status, StatusCode::UNAUTHORIZED);
    assert_eq!(oauth.code, OAuthErrorCode::InvalidToken);
}

#[tokio::test]
async fn a_token_rotated_on_update_replaces_the_old_one() {
    let (provider, mut client) = start(TestProvider::builder().rotate_token_on_update(true)).await;
    let old = client.registration_access_token.clone().unwrap();

    let metadata = client.metadata().clone();
    let changes = update_client(
        &mut client,
        |m| *m = metadata.clone(),
        &management_options(),
    )
    .await
    .unwrap();
    assert!(changes.changes.registration_access_token_rotated);
    assert!(!changes.changes.client_secret_rotated);
    let new = client.registration_access_token.clone().unwrap();
    assert_ne!(new, old);
    assert_eq!(
        provider
            .registration_access_token(&client.client_id)
            .as_deref(),
        Some(new.expose())
    );

    // The old token stops working; the held one works.
    let mut stale = client.clone();
    stale.registration_access_token = Some(old);
    let error = read_client(&mut stale, &management_options())
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), RegistrationErrorKind::TokenRejected { .. }),
        "{error:?}"
    );
    assert!(!read_client(&mut client, &management_options())
        .await
        .unwrap()
        .credentials_changed());
}

#[tokio::test]
async fn a_secret_rotated_on_read_is_kept() {
    let (provider, mut client) = start(TestProvider::builder().rotate_secret_on_read(true)).await;
    let old = client.client_secret.clone().unwrap();
    let changes = read_client(&mut client, &management_options())
        .await
        .unwrap();
    assert!(changes.changes.client_secret_rotated);
    assert!(!changes.changes.registration_access_token_rotated);
    assert_ne!(client.client_secret.as_ref(), Some(&old));
    assert_eq!(
        provider.client_secret(&client.client_id).as_deref(),
        client.client_secret.as_ref().map(|secret| secret.expose())
    );
}

#[tokio::test]
async fn a_token_rotated_on_read_is_kept() {
    let (_provider, mut client) = start(TestProvider::builder().rotate_token_on_read(true)).await;
    let changes = read_client(&mut client, &management_options())
        .await
        .unwrap();
    assert!(changes.changes.registration_access_token_rotated);
    // Reading again works only because the new token was kept.
    let changes = read_client(&mut client, &management_options())
        .await
        .unwrap();
    assert!(changes.changes.registration_access_token_rotated);
}

#[tokio::test]
async fn the_registration_client_uri_is_used_exactly_as_given() {
    let (provider, mut client) =
        start(TestProvider::builder().registration_client_uri_query("tenant=a&x=1")).await;
    assert!(client
        .registration_client_uri
        .as_deref()
        .unwrap()
        .ends_with("?tenant=a&x=1"));
    assert!(!read_client(&mut client, &management_options())
        .await
        .unwrap()
        .credentials_changed());
    let request = provider.requests().pop().unwrap();
    assert_eq!(
        request.path_and_query,
        format!("/register/{}?tenant=a&x=1", client.client_id)
    );
    delete_client(&client, &management_options()).await.unwrap();
}

#[tokio::test]
async fn a_200_on_create_and_an_empty_200_on_delete_are_success() {
    let (provider, client) = start(
        TestProvider::builder()
            .registration_status(200)
            .delete_status(200),
    )
    .await;
    assert!(provider.client(&client.client_id).is_some());
    delete_client(&client, &management_options()).await.unwrap();
    assert_eq!(provider.client(&client.client_id), None);
}

#[tokio::test]
async fn a_response_without_echoed_metadata_keeps_what_was_sent() {
    let provider = TestProvider::builder().echo_metadata(false).start().await;
    let mut metadata = web_client();
    metadata.client_name.set_value("Only sent");
    let provider_metadata = provider_metadata(&provider);
    let response = register(&provider_metadata, &metadata, &register_options())
        .await
        .unwrap();
    assert!(!response.has_echoed_metadata());
    let mut client =
        RegisteredClient::from_registration(&provider_metadata.issuer, &metadata, response);
    assert_eq!(client.metadata(), &metadata);

    let mut renamed = metadata.clone();
    renamed.client_name.set_value("Renamed");
    // This provider (like Gluu) leaves the echo out of the create response only.
    let _ = update_client(&mut client, |m| *m = renamed.clone(), &management_options())
        .await
        .unwrap();
    assert_eq!(client.metadata().client_name.value(), Some("Renamed"));
    assert_eq!(client.metadata().redirect_uris, renamed.redirect_uris);

    // An update answered without the echo: what was sent is what is registered.
    provider.set_behaviour(
        Endpoint::ClientConfiguration,
        Behaviour::new().json(json!({"client_id": client.client_id})),
    );
    let mut again = renamed.clone();
    again.client_name.set_value("Sent only");
    let _ = update_client(&mut client, |m| *m = again.clone(), &management_options())
        .await
        .unwrap();
    assert_eq!(client.metadata(), &again);
}

#[tokio::test]
async fn a_missing_secret_expiry_is_unknown_not_never() {
    let provider = TestProvider::builder()
        .client_secret_expires_at(None)
        .start()
        .await;
    let response = register(
        &provider_metadata(&provider),
        &web_client(),
        &register_options(),
    )
    .await
    .unwrap();
    assert!(response.client_secret.is_some());
    assert_eq!(response.client_secret_expires_at, None);
    assert!(!response.secret_never_expires());
    assert!(!response.is_secret_expired());
}

#[tokio::test]
async fn an_auth_method_echoed_as_an_array_is_a_metadata_problem_not_a_failure() {
    let provider = TestProvider::builder()
        .auth_method_as_array(true)
        .start()
        .await;
    let response = register(
        &provider_metadata(&provider),
        &web_client(),
        &register_options(),
    )
    .await
    .unwrap();
    assert_eq!(
        response.raw()["token_endpoint_auth_method"],
        json!(["client_secret_basic"])
    );
    assert!(
        response
            .problems
            .iter()
            .any(|problem| problem.member() == Some("token_endpoint_auth_method")),
        "{:?}",
        response.problems
    );
    // Not guessed: the typed view says "not read", and the echoed form is kept as sent.
    assert_eq!(response.metadata.token_endpoint_auth_method, None);
    assert_eq!(
        response.metadata_object()["token_endpoint_auth_method"],
        json!(["client_secret_basic"])
    );
}

async fn error_for(behaviour: Behaviour) -> RegistrationError {
    let (provider, mut client) = start(TestProvider::builder()).await;
    provider.set_behaviour(Endpoint::ClientConfiguration, behaviour);
    let before = client.clone();
    let error = read_client(&mut client, &management_options())
        .await
        .unwrap_err();
    assert_eq!(client, before, "a failed read must not change the client");
    error
}

#[tokio::test]
async fn non_standard_error_answers_are_typed() {
    // 400 instead of 401, with the invalid_token code.
    let error = error_for(
        Behaviour::new()
            .status(400)
            .json(json!({"error": "invalid_token"})),
    )
    .await;
    assert!(
        matches!(error.kind(), RegistrationErrorKind::TokenRejected { status, .. } if status.as_u16() == 400),
        "{error:?}"
    );

    // An empty 401.
    let error = error_for(Behaviour::new().status(401).body("")).await;
    assert!(
        matches!(
            error.kind(),
            RegistrationErrorKind::TokenRejected { error: None, .. }
        ),
        "{error:?}"
    );

    // An HTML error page.
    let error = error_for(
        Behaviour::new()
            .status(500)
            .content_type("text/html")
            .body("<html><h1>Internal error</h1></html>"),
    )
    .await;
    assert!(
        matches!(error.kind(), RegistrationErrorKind::UnexpectedStatus { body, .. } if body.contains("Internal error")),
        "{error:?}"
    );

    // A null description.
    let error = error_for(
        Behaviour::new()
            .status(400)
            .json(json!({"error": "invalid_client_metadata", "error_description": null})),
    )
    .await;
    assert_eq!(
        error.oauth_error().unwrap().code,
        OAuthErrorCode::InvalidClientMetadata
    );
    assert_eq!(error.oauth_error().unwrap().description, None);

    // 403 and a 404 some servers send.
    let error = error_for(Behaviour::new().status(403).body("")).await;
    assert!(
        matches!(error.kind(), RegistrationErrorKind::NotPermitted { .. }),
        "{error:?}"
    );
    let error = error_for(Behaviour::new().status(404).body("")).await;
    assert!(
        matches!(error.kind(), RegistrationErrorKind::ClientNotFound { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn delete_not_supported_is_method_not_allowed() {
    let (provider, client) = start(TestProvider::builder()).await;
    provider.set_behaviour(
        Endpoint::ClientConfiguration,
        Behaviour::new().status(405).body(""),
    );
    let error = delete_client(&client, &management_options())
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), RegistrationErrorKind::MethodNotAllowed { method } if method == http::Method::DELETE),
        "{error:?}"
    );
    assert!(provider.client(&client.client_id).is_some());
}

#[tokio::test]
async fn the_token_is_never_sent_to_another_host() {
    // A stored registration altered to point elsewhere (here plain http, too): refused before
    // anything is sent. (Plain http on its own: see `hostile`.)
    let (provider, mut client) = start(TestProvider::builder()).await;
    client.registration_client_uri =
        Some(format!("http://op.example/register/{}", client.client_id));
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
    assert_eq!(provider.request_count(Endpoint::ClientConfiguration), 0);
    assert!(!error
        .to_string()
        .contains(client.registration_access_token.as_ref().unwrap().expose()));
}
