//! Once the provider has acted, nothing is lost: answers of every odd shape keep their
//! credentials, and an update sends back what the provider stored, changed only where the
//! caller changed it. Against the in-process provider, taught each shape with
//! `Behaviour::edit_answer` (the provider still stores and rotates as usual).

use oidc_registration::{
    read_client, register, replace_client, update_client, RegistrationErrorKind,
};
use oidc_test_provider::{Behaviour, Endpoint, TestProvider, TestProviderBuilder};
use oidc_types::{ClientMetadata, RegisteredClient, RegistrationResponse, ResponseProblem};
use serde_json::{json, Map, Value};

use crate::util::{management_options, provider_metadata, register_options, web_client};

/// The six response members: what the held metadata object never contains.
const RESPONSE_ONLY: [&str; 6] = ClientMetadata::RESPONSE_ONLY_MEMBERS;

async fn register_with(provider: &TestProvider) -> RegistrationResponse {
    register(
        &provider_metadata(provider),
        &web_client(),
        &register_options(),
    )
    .await
    .unwrap()
}

/// Registers the usual web client and holds it as a `RegisteredClient`.
async fn registered(provider: &TestProvider) -> RegisteredClient {
    let sent = web_client();
    let response = register(&provider_metadata(provider), &sent, &register_options())
        .await
        .unwrap();
    assert_credentials_kept(provider, &response);
    RegisteredClient::from_registration(provider.issuer(), &sent, response)
}

/// The registration answer's credentials are the ones the provider stored.
fn assert_credentials_kept(provider: &TestProvider, response: &RegistrationResponse) {
    let stored = provider
        .client(&response.client_id)
        .expect("the provider registered the client");
    assert_eq!(
        response.client_secret.as_ref().map(|s| s.expose()),
        stored["client_secret"].as_str()
    );
    assert_eq!(
        response
            .registration_access_token
            .as_ref()
            .map(|s| s.expose()),
        provider
            .registration_access_token(&response.client_id)
            .as_deref()
    );
    assert_eq!(
        response.registration_client_uri.as_deref(),
        stored["registration_client_uri"].as_str()
    );
}

/// An update that changes nothing leaves the provider's record as it was, and works with the
/// credentials the odd answer carried.
async fn assert_update_keeps_the_record(provider: &TestProvider, response: RegistrationResponse) {
    let mut client =
        RegisteredClient::from_registration(provider.issuer(), &web_client(), response);
    let before = provider.client(&client.client_id).unwrap();
    let _ = update_client(&mut client, |_| {}, &management_options())
        .await
        .unwrap();
    assert_eq!(provider.client(&client.client_id).unwrap(), before);
}

fn problem_members(problems: &[ResponseProblem]) -> Vec<&str> {
    problems
        .iter()
        .filter_map(ResponseProblem::member)
        .collect()
}

#[tokio::test]
async fn odd_times_keep_the_registration_and_are_reported() {
    for (value, expected) in [
        (json!(1_700_000_000.75), Some(1_700_000_000)),
        (json!("1700000000"), Some(1_700_000_000)),
        (json!(-1), None),
        (json!(1e300), None),
        (json!(u64::MAX), None),
        (json!([1]), None),
    ] {
        let provider = TestProvider::start().await;
        let odd = value.clone();
        provider.set_behaviour(
            Endpoint::Registration,
            Behaviour::new().edit_answer(move |answer| {
                answer.insert("client_id_issued_at".into(), odd.clone());
                answer.insert("client_secret_expires_at".into(), odd.clone());
            }),
        );
        let response = register_with(&provider).await;
        assert_credentials_kept(&provider, &response);
        assert_eq!(response.client_id_issued_at, expected, "{value}");
        assert_eq!(response.client_secret_expires_at, expected, "{value}");
        assert_eq!(
            problem_members(&response.problems),
            ["client_id_issued_at", "client_secret_expires_at"],
            "{value}"
        );
        assert_update_keeps_the_record(&provider, response).await;
    }
}

#[tokio::test]
async fn another_content_type_or_success_status_keeps_the_registration() {
    for behaviour in [
        Behaviour::new().content_type("text/plain"),
        Behaviour::new().content_type("application/jwt"),
        Behaviour::new().status(202),
        Behaviour::new().status(200).content_type("text/html"),
    ] {
        let provider = TestProvider::start().await;
        provider.set_behaviour(Endpoint::Registration, behaviour.clone());
        let response = register_with(&provider).await;
        assert_credentials_kept(&provider, &response);
        assert!(!response.problems.is_empty(), "{behaviour:?}");
        assert!(
            response.problems.iter().all(|problem| matches!(
                problem,
                ResponseProblem::ContentType { .. } | ResponseProblem::Status { .. }
            )),
            "{:?}",
            response.problems
        );
        assert_update_keeps_the_record(&provider, response).await;
    }
}

#[tokio::test]
async fn an_answer_without_a_client_id_keeps_its_body_for_recovery() {
    let provider = TestProvider::start().await;
    provider.set_behaviour(
        Endpoint::Registration,
        Behaviour::new().edit_answer(|answer| {
            answer.remove("client_id");
        }),
    );
    let error = register(
        &provider_metadata(&provider),
        &web_client(),
        &register_options(),
    )
    .await
    .unwrap_err();
    assert!(matches!(
        error.kind(),
        RegistrationErrorKind::InvalidResponse { .. }
    ));
    // The provider did register a client: its credentials are in the kept body.
    let body: Value = serde_json::from_slice(error.response_body().unwrap().expose()).unwrap();
    let stored = provider.registered_clients().pop().unwrap();
    assert_eq!(body["client_secret"], stored["client_secret"]);
    assert!(!format!("{error:?}").contains(stored["client_secret"].as_str().unwrap()));
}

/// Echoed members in forms the typed model cannot read, one of every kind, none of them one
/// the in-process provider checks.
fn odd_members() -> Map<String, Value> {
    let odd = json!({
        "default_max_age": 3600.5,
        "require_auth_time": "yes",
        "contacts": "ops@example.com",
        "subject_type": 7,
        "client_name#fr": {"text": "Nom"},
        "id_token_signed_response_alg": ["RS256"],
        "post_logout_redirect_uris": [1, 2],
        "x_vendor_tier": {"level": "gold", "since": 2019},
    });
    odd.as_object().unwrap().clone()
}

#[tokio::test]
async fn a_rename_sends_back_every_member_the_model_could_not_read() {
    let provider = TestProvider::start().await;
    let odd = odd_members();
    let injected = odd.clone();
    provider.set_behaviour(
        Endpoint::Registration,
        Behaviour::new().edit_answer(move |answer| answer.extend(injected.clone())),
    );
    let mut client = registered(&provider).await;
    let held = client.metadata_object().clone();
    for (member, value) in &odd {
        assert_eq!(held.get(member), Some(value), "{member}");
    }
    provider.clear_behaviour(Endpoint::Registration);

    let applied = update_client(
        &mut client,
        |metadata| metadata.client_name.set_value("Renamed"),
        &management_options(),
    )
    .await
    .unwrap();
    assert!(applied
        .problems
        .iter()
        .any(|p| p.member() == Some("default_max_age")));

    // What went over the wire: the held object, renamed, with client_id, member for member
    // (compared as JSON: the order is the `Map`'s, sorted unless serde_json's `preserve_order`
    // is on).
    let put = provider.requests().pop().unwrap().json().unwrap();
    let mut expected = Map::new();
    expected.insert("client_id".into(), client.client_id.clone().into());
    expected.extend(held.clone());
    expected.insert("client_name".into(), "Renamed".into());
    assert_eq!(put, Value::Object(expected));

    // What the provider holds now: every odd member exactly as it was echoed.
    let stored = provider.client(&client.client_id).unwrap();
    for (member, value) in &odd {
        assert_eq!(stored.get(member), Some(value), "{member}");
    }
    assert_eq!(stored["client_name"], "Renamed");
    // And the client holds what the provider echoed.
    for member in RESPONSE_ONLY {
        assert!(!client.metadata_object().contains_key(member), "{member}");
    }
    assert_eq!(
        client.metadata_object()["x_vendor_tier"],
        odd["x_vendor_tier"]
    );
}

#[tokio::test]
async fn an_update_that_changes_nothing_sends_back_what_the_provider_echoed() {
    let provider = TestProvider::start().await;
    let mut client = registered(&provider).await;
    let before = provider.client(&client.client_id).unwrap();
    let _ = update_client(&mut client, |_| {}, &management_options())
        .await
        .unwrap();
    let after = provider.client(&client.client_id).unwrap();
    assert_eq!(after, before);
}

#[tokio::test]
async fn replace_sends_exactly_the_new_metadata() {
    let provider = TestProvider::start().await;
    let injected = odd_members();
    provider.set_behaviour(
        Endpoint::Registration,
        Behaviour::new().edit_answer(move |answer| answer.extend(injected.clone())),
    );
    let mut client = registered(&provider).await;
    let mut whole = ClientMetadata::new(["https://app.example/other"]);
    whole.client_name.set_value("Whole");
    let _ = replace_client(&mut client, &whole, &management_options())
        .await
        .unwrap();
    let put = provider.requests().pop().unwrap().json().unwrap();
    assert_eq!(
        put,
        json!({
            "client_id": client.client_id,
            "redirect_uris": ["https://app.example/other"],
            "client_name": "Whole",
        })
    );
}

#[tokio::test]
async fn a_vendor_only_answer_keeps_the_held_metadata() {
    let provider = TestProvider::start().await;
    let mut client = registered(&provider).await;
    let held = client.metadata_object().clone();
    provider.set_behaviour(
        Endpoint::ClientConfiguration,
        Behaviour::new().edit_answer(|answer| {
            answer.retain(|member, _| RESPONSE_ONLY.contains(&member.as_str()));
            answer.insert("x_vendor_request_id".into(), "r-1".into());
        }),
    );
    let _ = read_client(&mut client, &management_options())
        .await
        .unwrap();
    assert_eq!(client.metadata_object(), &held);
    assert!(!held.is_empty());
}

#[tokio::test]
async fn a_rotated_token_in_an_odd_answer_is_applied() {
    let provider = TestProvider::builder()
        .rotate_token_on_read(true)
        .start()
        .await;
    let mut client = registered(&provider).await;
    provider.set_behaviour(
        Endpoint::ClientConfiguration,
        Behaviour::new()
            .status(202)
            .content_type("text/plain")
            .edit_answer(|answer| {
                // No client_id, and an odd time next to the rotated token.
                answer.remove("client_id");
                answer.insert("client_id_issued_at".into(), json!("soon"));
            }),
    );
    let applied = read_client(&mut client, &management_options())
        .await
        .unwrap();
    assert!(applied.changes.registration_access_token_rotated);
    assert_eq!(
        client
            .registration_access_token
            .as_ref()
            .map(|t| t.expose()),
        provider
            .registration_access_token(&client.client_id)
            .as_deref()
    );
    let members = problem_members(&applied.problems);
    assert!(members.contains(&"client_id") && members.contains(&"client_id_issued_at"));
    assert!(applied
        .problems
        .iter()
        .any(|p| matches!(p, ResponseProblem::Status { status: 202 })));
    // The next call works with the token just applied.
    provider.clear_behaviour(Endpoint::ClientConfiguration);
    let _ = read_client(&mut client, &management_options())
        .await
        .unwrap();
}

async fn rotating(builder: TestProviderBuilder) -> (TestProvider, RegisteredClient) {
    let provider = builder.rotate_secret_on_read(true).start().await;
    let client = registered(&provider).await;
    (provider, client)
}

#[tokio::test]
async fn a_rotated_secret_takes_the_expiry_its_answer_gives_or_none() {
    let (provider, mut client) =
        rotating(TestProvider::builder().client_secret_expires_at(Some(4_000_000_000))).await;
    assert_eq!(client.client_secret_expires_at, Some(4_000_000_000));
    // With the expiry in the answer.
    provider.set_behaviour(
        Endpoint::ClientConfiguration,
        Behaviour::new().edit_answer(|answer| {
            answer.insert("client_secret_expires_at".into(), json!(4_100_000_000_i64));
        }),
    );
    let applied = read_client(&mut client, &management_options())
        .await
        .unwrap();
    assert!(applied.changes.client_secret_rotated);
    assert_eq!(client.client_secret_expires_at, Some(4_100_000_000));

    // Without: unknown, not the old secret's expiry.
    provider.set_behaviour(
        Endpoint::ClientConfiguration,
        Behaviour::new().edit_answer(|answer| {
            answer.remove("client_secret_expires_at");
        }),
    );
    let applied = read_client(&mut client, &management_options())
        .await
        .unwrap();
    assert!(applied.changes.client_secret_rotated);
    assert_eq!(client.client_secret_expires_at, None);
    assert!(problem_members(&applied.problems).contains(&"client_secret_expires_at"));
    assert_eq!(
        client.client_secret.as_ref().map(|s| s.expose()),
        provider.client_secret(&client.client_id).as_deref()
    );
}

#[tokio::test]
async fn an_auth_method_echoed_oddly_is_never_replaced_by_a_default() {
    // The provider stores "none" and echoes ["none"]: a public client must stay public.
    let provider = TestProvider::builder()
        .auth_method_as_array(true)
        .start()
        .await;
    let mut sent = web_client();
    sent.token_endpoint_auth_method = Some(oidc_types::ClientAuthMethod::None);
    let response = register(&provider_metadata(&provider), &sent, &register_options())
        .await
        .unwrap();
    let mut client = RegisteredClient::from_registration(provider.issuer(), &sent, response);
    assert_eq!(client.metadata().token_endpoint_auth_method, None);
    let _ = update_client(
        &mut client,
        |metadata| metadata.client_name.set_value("Renamed"),
        &management_options(),
    )
    .await
    .unwrap();
    let put = provider.requests().pop().unwrap().json().unwrap();
    assert_eq!(put["token_endpoint_auth_method"], json!(["none"]));
    let stored = provider.client(&client.client_id).unwrap();
    assert_eq!(stored["client_secret"], Value::Null, "{stored}");
}
