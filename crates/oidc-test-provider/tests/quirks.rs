//! Builder options that reproduce RFC 7591/7592 deviations of real servers, observed on the wire.

mod common;

use common::{
    id, json_request, path, post_json, register, register_with, rp_metadata, send, token,
    RawResponse,
};
use oidc_test_provider::{Endpoint, TestProvider};
use serde_json::{json, Value};

/// A management call without a body.
async fn call(provider: &TestProvider, method: &str, target: &str, token: &str) -> RawResponse {
    let auth = format!("Bearer {token}");
    send(
        provider.addr(),
        method,
        target,
        &[("Authorization", auth.as_str())],
        b"",
    )
    .await
}

/// A PUT of `body` with `token`.
async fn put(provider: &TestProvider, target: &str, body: &Value, token: &str) -> RawResponse {
    json_request(provider.addr(), "PUT", target, body, Some(token)).await
}

fn update_body(record: &Value) -> Value {
    json!({
        "client_id": record["client_id"],
        "redirect_uris": ["https://rp.example/new"],
    })
}

fn assert_invalid_token(response: &RawResponse) {
    assert_eq!(response.status, 401);
    assert_eq!(response.json(), json!({"error": "invalid_token"}));
    assert_eq!(
        response.header("www-authenticate"),
        Some("Bearer error=\"invalid_token\"")
    );
}

#[tokio::test]
async fn delete_status_200_with_empty_body() {
    let provider = TestProvider::builder().delete_status(200).start().await;
    let record = register(&provider).await;
    let response = call(&provider, "DELETE", &path(&record), token(&record)).await;
    assert_eq!(response.status, 200);
    assert!(response.body.is_empty());
    assert!(!response.chunked);
    assert_eq!(response.header("content-type"), None);
    assert!(provider.registered_clients().is_empty());
}

#[tokio::test]
async fn invalid_delete_status_falls_back_to_204() {
    let provider = TestProvider::builder().delete_status(20).start().await;
    let record = register(&provider).await;
    let response = call(&provider, "DELETE", &path(&record), token(&record)).await;
    assert_eq!(response.status, 204);
    assert!(provider.registered_clients().is_empty());
}

#[tokio::test]
async fn registration_client_uri_carries_the_query() {
    let provider = TestProvider::builder()
        .registration_client_uri_query("?tenant=a&x=1")
        .start()
        .await;
    let record = register(&provider).await;
    let with_query = format!("{}?tenant=a&x=1", path(&record));
    assert_eq!(
        record["registration_client_uri"],
        json!(provider.url(&with_query))
    );
    assert_eq!(provider.client(id(&record)), Some(record.clone()));

    // The exact URI works, and the query is recorded.
    let response = call(&provider, "GET", &with_query, token(&record)).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.json(), record);
    let recorded = provider.requests().pop().expect("recorded");
    assert_eq!(recorded.endpoint, Some(Endpoint::ClientConfiguration));
    assert_eq!(recorded.path_and_query, with_query);
    assert_eq!(recorded.query(), Some("tenant=a&x=1"));

    // Reordered pairs and extra pairs are fine.
    let reordered = format!("{}?x=1&extra=2&tenant=a", path(&record));
    let response = call(&provider, "GET", &reordered, token(&record)).await;
    assert_eq!(response.status, 200);

    // The issued URI survives an update.
    let response = put(
        &provider,
        &with_query,
        &update_body(&record),
        token(&record),
    )
    .await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.json()["registration_client_uri"],
        record["registration_client_uri"]
    );
}

#[tokio::test]
async fn dropping_the_required_query_is_401() {
    let provider = TestProvider::builder()
        .registration_client_uri_query("tenant=a&x=1")
        .start()
        .await;
    let record = register(&provider).await;
    let targets = [
        path(&record),
        format!("{}?", path(&record)),
        format!("{}?tenant=a", path(&record)),
        format!("{}?tenant=b&x=1", path(&record)),
    ];
    for target in &targets {
        for method in ["GET", "DELETE"] {
            let response = call(&provider, method, target, token(&record)).await;
            assert_invalid_token(&response);
        }
        let response = put(&provider, target, &update_body(&record), token(&record)).await;
        assert_invalid_token(&response);
        let recorded = provider.requests().pop().expect("recorded");
        assert_eq!(recorded.endpoint, Some(Endpoint::ClientConfiguration));
        assert_eq!(&recorded.path_and_query, target);
    }
    // Nothing was deleted or changed.
    assert_eq!(provider.registered_clients(), vec![record]);
}

#[tokio::test]
async fn empty_query_option_means_no_query() {
    let provider = TestProvider::builder()
        .registration_client_uri_query("?")
        .start()
        .await;
    let record = register(&provider).await;
    assert_eq!(
        record["registration_client_uri"],
        json!(provider.url(&path(&record)))
    );
    let response = call(&provider, "GET", &path(&record), token(&record)).await;
    assert_eq!(response.status, 200);
    assert_eq!(provider.requests()[1].query(), None);
}

#[tokio::test]
async fn echo_metadata_false_returns_credentials_only() {
    let provider = TestProvider::builder().echo_metadata(false).start().await;
    let response = post_json(provider.addr(), "/register", &rp_metadata(), None).await;
    assert_eq!(response.status, 201);
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let created = response.json();
    let mut members: Vec<&str> = created
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    members.sort_unstable();
    assert_eq!(
        members,
        [
            "client_id",
            "client_id_issued_at",
            "client_secret",
            "client_secret_expires_at",
            "registration_access_token",
            "registration_client_uri",
        ]
    );

    // The server still knows the metadata, and reads return it.
    let stored = provider.client(id(&created)).expect("stored");
    assert_eq!(stored["client_name"], json!("RP"));
    assert_eq!(stored["client_secret"], created["client_secret"]);
    let response = call(&provider, "GET", &path(&created), token(&created)).await;
    assert_eq!(response.json(), stored);

    // A client without a secret gets neither secret member.
    let body =
        json!({"redirect_uris": ["https://rp.example/cb"], "token_endpoint_auth_method": "none"});
    let created = register_with(&provider, &body).await;
    let mut members: Vec<&str> = created
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    members.sort_unstable();
    assert_eq!(
        members,
        [
            "client_id",
            "client_id_issued_at",
            "registration_access_token",
            "registration_client_uri",
        ]
    );
}

#[tokio::test]
async fn client_secret_expires_at_value() {
    let provider = TestProvider::builder()
        .client_secret_expires_at(Some(1_900_000_000))
        .start()
        .await;
    let record = register(&provider).await;
    assert_eq!(record["client_secret_expires_at"], json!(1_900_000_000));
}

#[tokio::test]
async fn client_secret_expires_at_omitted() {
    let provider = TestProvider::builder()
        .client_secret_expires_at(None)
        .start()
        .await;
    let record = register(&provider).await;
    assert!(record["client_secret"].is_string());
    assert!(record.get("client_secret_expires_at").is_none());
    let response = call(&provider, "GET", &path(&record), token(&record)).await;
    assert!(response.json().get("client_secret_expires_at").is_none());
    let response = put(
        &provider,
        &path(&record),
        &update_body(&record),
        token(&record),
    )
    .await;
    assert_eq!(response.status, 200);
    let updated = response.json();
    assert_eq!(updated["client_secret"], record["client_secret"]);
    assert!(updated.get("client_secret_expires_at").is_none());
}

#[tokio::test]
async fn secret_issued_on_update_gets_the_configured_expiry() {
    let provider = TestProvider::builder()
        .client_secret_expires_at(Some(42))
        .start()
        .await;
    let body =
        json!({"redirect_uris": ["https://rp.example/cb"], "token_endpoint_auth_method": "none"});
    let record = register_with(&provider, &body).await;
    assert!(record.get("client_secret_expires_at").is_none());
    let mut update = update_body(&record);
    update["token_endpoint_auth_method"] = json!("client_secret_post");
    let response = put(&provider, &path(&record), &update, token(&record)).await;
    assert_eq!(response.status, 200);
    let updated = response.json();
    assert!(updated["client_secret"].is_string());
    assert_eq!(updated["client_secret_expires_at"], json!(42));
}

#[tokio::test]
async fn rotate_secret_on_read() {
    let provider = TestProvider::builder()
        .rotate_secret_on_read(true)
        .start()
        .await;
    let record = register(&provider).await;
    let first = call(&provider, "GET", &path(&record), token(&record))
        .await
        .json();
    let second = call(&provider, "GET", &path(&record), token(&record))
        .await
        .json();
    let secrets = [
        &record["client_secret"],
        &first["client_secret"],
        &second["client_secret"],
    ];
    assert!(secrets.iter().all(|s| s.is_string()));
    assert_ne!(secrets[0], secrets[1]);
    assert_ne!(secrets[1], secrets[2]);
    assert_ne!(secrets[0], secrets[2]);
    // Only the secret changes.
    assert_eq!(
        second["registration_access_token"],
        record["registration_access_token"]
    );
    assert_eq!(
        second["client_secret_expires_at"],
        record["client_secret_expires_at"]
    );
    assert_eq!(
        provider.client_secret(id(&record)).as_deref(),
        second["client_secret"].as_str()
    );
    assert_eq!(provider.client(id(&record)), Some(second.clone()));

    // The old secret is gone: an update that sends it is refused, the current one is accepted.
    let mut update = update_body(&record);
    update["client_secret"] = first["client_secret"].clone();
    let response = put(&provider, &path(&record), &update, token(&record)).await;
    assert_eq!(response.status, 400);
    update["client_secret"] = second["client_secret"].clone();
    let response = put(&provider, &path(&record), &update, token(&record)).await;
    assert_eq!(response.status, 200);
    // PUT does not rotate the secret.
    assert_eq!(response.json()["client_secret"], second["client_secret"]);

    // A client without a secret does not get one by reading.
    let body =
        json!({"redirect_uris": ["https://rp.example/cb"], "token_endpoint_auth_method": "none"});
    let public = register_with(&provider, &body).await;
    let read = call(&provider, "GET", &path(&public), token(&public))
        .await
        .json();
    assert!(read.get("client_secret").is_none());
    assert_eq!(provider.client_secret(id(&public)), None);
}

#[tokio::test]
async fn tokens_are_stable_by_default() {
    let provider = TestProvider::start().await;
    let record = register(&provider).await;
    let read = call(&provider, "GET", &path(&record), token(&record))
        .await
        .json();
    assert_eq!(read, record);
    let response = put(
        &provider,
        &path(&record),
        &update_body(&record),
        token(&record),
    )
    .await;
    assert_eq!(
        response.json()["registration_access_token"],
        record["registration_access_token"]
    );
    assert_eq!(
        provider.registration_access_token(id(&record)).as_deref(),
        Some(token(&record))
    );
    assert_eq!(
        provider.client_secret(id(&record)).as_deref(),
        record["client_secret"].as_str()
    );
}

#[tokio::test]
async fn rotate_token_on_read() {
    let provider = TestProvider::builder()
        .rotate_token_on_read(true)
        .start()
        .await;
    let record = register(&provider).await;
    let response = call(&provider, "GET", &path(&record), token(&record)).await;
    assert_eq!(response.status, 200);
    let read = response.json();
    let fresh = token(&read);
    assert_ne!(fresh, token(&record));
    assert_eq!(read["client_secret"], record["client_secret"]);
    assert_eq!(
        provider.registration_access_token(id(&record)).as_deref(),
        Some(fresh)
    );

    // The old token stops working at once, for every method.
    for method in ["GET", "DELETE"] {
        assert_invalid_token(&call(&provider, method, &path(&record), token(&record)).await);
    }
    assert_invalid_token(
        &put(
            &provider,
            &path(&record),
            &update_body(&record),
            token(&record),
        )
        .await,
    );

    // PUT with the fresh token does not rotate (only reads do here).
    let response = put(&provider, &path(&record), &update_body(&record), fresh).await;
    assert_eq!(response.status, 200);
    assert_eq!(token(&response.json()), fresh);
    let response = call(&provider, "DELETE", &path(&record), fresh).await;
    assert_eq!(response.status, 204);
}

#[tokio::test]
async fn rotate_token_on_update() {
    let provider = TestProvider::builder()
        .rotate_token_on_update(true)
        .start()
        .await;
    let record = register(&provider).await;

    // Reads and refused updates do not rotate.
    let read = call(&provider, "GET", &path(&record), token(&record))
        .await
        .json();
    assert_eq!(token(&read), token(&record));
    let refused = json!({"client_id": record["client_id"], "redirect_uris": []});
    let response = put(&provider, &path(&record), &refused, token(&record)).await;
    assert_eq!(response.status, 400);
    assert_eq!(
        provider.registration_access_token(id(&record)).as_deref(),
        Some(token(&record))
    );

    let response = put(
        &provider,
        &path(&record),
        &update_body(&record),
        token(&record),
    )
    .await;
    assert_eq!(response.status, 200);
    let updated = response.json();
    let fresh = token(&updated).to_owned();
    assert_ne!(fresh, token(&record));
    assert_eq!(updated["client_secret"], record["client_secret"]);
    assert_eq!(provider.client(id(&record)), Some(updated.clone()));
    assert_eq!(
        provider.registration_access_token(id(&record)),
        Some(fresh.clone())
    );

    assert_invalid_token(&call(&provider, "GET", &path(&record), token(&record)).await);
    let response = call(&provider, "GET", &path(&record), &fresh).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.json(), updated);

    // Every successful update rotates again.
    let response = put(&provider, &path(&record), &update_body(&record), &fresh).await;
    assert_eq!(response.status, 200);
    assert_ne!(token(&response.json()), fresh);
    assert_invalid_token(&call(&provider, "DELETE", &path(&record), &fresh).await);
    assert_eq!(provider.registered_clients().len(), 1);
}

#[tokio::test]
async fn auth_method_as_array() {
    let provider = TestProvider::builder()
        .auth_method_as_array(true)
        .start()
        .await;
    let record = register(&provider).await;
    assert_eq!(
        record["token_endpoint_auth_method"],
        json!(["client_secret_basic"])
    );
    let read = call(&provider, "GET", &path(&record), token(&record))
        .await
        .json();
    assert_eq!(
        read["token_endpoint_auth_method"],
        json!(["client_secret_basic"])
    );
    let mut update = update_body(&record);
    update["token_endpoint_auth_method"] = json!("client_secret_post");
    let response = put(&provider, &path(&record), &update, token(&record)).await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.json()["token_endpoint_auth_method"],
        json!(["client_secret_post"])
    );
    assert_eq!(
        provider.client(id(&record)).expect("stored")["token_endpoint_auth_method"],
        json!(["client_secret_post"])
    );
    // It takes back the form it echoes (a client that keeps what the provider stored sends
    // exactly that), and still refuses anything else.
    update["token_endpoint_auth_method"] = json!(["client_secret_post"]);
    let response = put(&provider, &path(&record), &update, token(&record)).await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.json()["token_endpoint_auth_method"],
        json!(["client_secret_post"])
    );
    update["token_endpoint_auth_method"] = json!(["client_secret_post", "none"]);
    let response = put(&provider, &path(&record), &update, token(&record)).await;
    assert_eq!(response.status, 400);
    assert_eq!(response.json()["error"], json!("invalid_client_metadata"));
}

#[tokio::test]
async fn client_id_in_update_can_be_optional() {
    let provider = TestProvider::builder()
        .require_client_id_in_update(false)
        .start()
        .await;
    let record = register(&provider).await;
    let body = json!({"redirect_uris": ["https://rp.example/new"]});
    let response = put(&provider, &path(&record), &body, token(&record)).await;
    assert_eq!(response.status, 200);
    let updated = response.json();
    assert_eq!(updated["client_id"], record["client_id"]);
    assert_eq!(updated["redirect_uris"], json!(["https://rp.example/new"]));
    // A client_id that is sent must still match.
    let body = json!({"client_id": "other", "redirect_uris": ["https://rp.example/x"]});
    let response = put(&provider, &path(&record), &body, token(&record)).await;
    assert_eq!(response.status, 400);
    assert_eq!(response.json()["error"], json!("invalid_client_metadata"));
    assert_eq!(provider.client(id(&record)), Some(updated));
}

#[tokio::test]
async fn client_id_in_update_is_required_by_default() {
    let provider = TestProvider::start().await;
    let record = register(&provider).await;
    let body = json!({"redirect_uris": ["https://rp.example/new"]});
    let response = put(&provider, &path(&record), &body, token(&record)).await;
    assert_eq!(response.status, 400);
    assert_eq!(response.json()["error"], json!("invalid_client_metadata"));
}

#[tokio::test]
async fn accessors_for_unknown_and_secretless_clients() {
    let provider = TestProvider::start().await;
    assert_eq!(provider.registration_access_token("nobody"), None);
    assert_eq!(provider.client_secret("nobody"), None);
    let body =
        json!({"redirect_uris": ["https://rp.example/cb"], "token_endpoint_auth_method": "none"});
    let record = register_with(&provider, &body).await;
    assert_eq!(provider.client_secret(id(&record)), None);
    assert_eq!(
        provider.registration_access_token(id(&record)).as_deref(),
        Some(token(&record))
    );
    // Deleted clients have no credentials any more.
    call(&provider, "DELETE", &path(&record), token(&record)).await;
    assert_eq!(provider.registration_access_token(id(&record)), None);
}
