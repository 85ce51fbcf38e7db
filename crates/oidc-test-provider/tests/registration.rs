//! RFC 7591 registration.

mod common;

use common::{post_json, send};
use oidc_test_provider::{Endpoint, TestProvider};
use serde_json::{json, Value};

fn metadata() -> Value {
    json!({
        "redirect_uris": ["https://rp.example/cb"],
        "client_name": "Example RP",
        "x_unknown_member": {"kept": true}
    })
}

async fn expect_error(provider: &TestProvider, body: &Value, status: u16, error: &str) {
    let response = post_json(provider.addr(), "/register", body, None).await;
    assert_eq!(response.status, status, "{body}");
    assert_eq!(response.json()["error"], json!(error), "{body}");
    assert!(response.json()["error_description"].is_string());
}

#[tokio::test]
async fn successful_registration_echoes_and_fills_defaults() {
    let provider = TestProvider::start().await;
    let response = post_json(provider.addr(), "/register", &metadata(), None).await;
    assert_eq!(response.status, 201);
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let body = response.json();

    let client_id = body["client_id"].as_str().expect("client_id").to_owned();
    assert!(!client_id.is_empty());
    assert!(body["client_secret"]
        .as_str()
        .is_some_and(|s| s.len() >= 16));
    assert_eq!(body["client_secret_expires_at"], json!(0));
    assert!(body["client_id_issued_at"]
        .as_u64()
        .is_some_and(|t| t > 1_600_000_000));
    assert!(body["registration_access_token"].is_string());
    assert_eq!(
        body["registration_client_uri"],
        json!(format!("{}/register/{client_id}", provider.base_url()))
    );
    assert_eq!(body["redirect_uris"], json!(["https://rp.example/cb"]));
    assert_eq!(body["client_name"], json!("Example RP"));
    assert_eq!(body["x_unknown_member"], json!({"kept": true}));
    assert_eq!(body["grant_types"], json!(["authorization_code"]));
    assert_eq!(body["response_types"], json!(["code"]));
    assert_eq!(
        body["token_endpoint_auth_method"],
        json!("client_secret_basic")
    );
    assert_eq!(body["application_type"], json!("web"));
    assert_eq!(body["id_token_signed_response_alg"], json!("RS256"));

    assert_eq!(provider.registered_clients(), vec![body.clone()]);
    assert_eq!(provider.client(&client_id), Some(body));
    assert_eq!(provider.client("nope"), None);
    assert_eq!(provider.request_count(Endpoint::Registration), 1);
}

#[tokio::test]
async fn client_ids_are_unique_and_values_are_not_overridden() {
    let provider = TestProvider::start().await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        let mut body = metadata();
        body["application_type"] = json!("native");
        body["client_id"] = json!("chosen-by-client");
        let response = post_json(provider.addr(), "/register", &body, None).await;
        let record = response.json();
        assert_eq!(record["application_type"], json!("native"));
        assert_ne!(record["client_id"], json!("chosen-by-client"));
        ids.push(record["client_id"].as_str().expect("id").to_owned());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5);
    assert_eq!(provider.registered_clients().len(), 5);
}

#[tokio::test]
async fn secret_only_for_secret_methods() {
    let provider = TestProvider::start().await;
    for (method, secret) in [
        ("client_secret_basic", true),
        ("client_secret_post", true),
        ("none", false),
    ] {
        let mut body = metadata();
        body["token_endpoint_auth_method"] = json!(method);
        let record = post_json(provider.addr(), "/register", &body, None)
            .await
            .json();
        assert_eq!(record["client_secret"].is_string(), secret, "{method}");
        assert_eq!(record.get("client_secret_expires_at").is_some(), secret);
    }
    let mut body = metadata();
    body["token_endpoint_auth_method"] = json!("private_key_jwt");
    body["jwks_uri"] = json!("https://rp.example/jwks");
    let record = post_json(provider.addr(), "/register", &body, None)
        .await
        .json();
    assert!(record.get("client_secret").is_none());
    assert_eq!(record["jwks_uri"], json!("https://rp.example/jwks"));
}

#[tokio::test]
async fn client_credentials_client_needs_no_redirect_uris() {
    let provider = TestProvider::start().await;
    let body = json!({"grant_types": ["client_credentials"], "response_types": []});
    let response = post_json(provider.addr(), "/register", &body, None).await;
    assert_eq!(response.status, 201);
    assert_eq!(
        response.json()["grant_types"],
        json!(["client_credentials"])
    );
}

#[tokio::test]
async fn registration_status_200() {
    let provider = TestProvider::builder()
        .registration_status(200)
        .start()
        .await;
    let response = post_json(provider.addr(), "/register", &metadata(), None).await;
    assert_eq!(response.status, 200);
    assert!(response.json()["client_id"].is_string());
}

#[tokio::test]
async fn initial_access_token() {
    let provider = TestProvider::builder()
        .initial_access_token("iat-123")
        .start()
        .await;
    for token in [None, Some("wrong")] {
        let response = post_json(provider.addr(), "/register", &metadata(), token).await;
        assert_eq!(response.status, 401);
        assert_eq!(response.json(), json!({"error": "invalid_token"}));
        assert_eq!(
            response.header("www-authenticate"),
            Some("Bearer error=\"invalid_token\"")
        );
    }
    assert!(provider.registered_clients().is_empty());
    let response = post_json(provider.addr(), "/register", &metadata(), Some("iat-123")).await;
    assert_eq!(response.status, 201);
    assert_eq!(provider.registered_clients().len(), 1);
    assert_eq!(
        provider.requests()[2].bearer_token().as_deref(),
        Some("iat-123")
    );
    assert_eq!(provider.requests()[0].bearer_token(), None);
}

#[tokio::test]
async fn content_type_must_be_json() {
    let provider = TestProvider::start().await;
    let body = serde_json::to_vec(&metadata()).expect("json");
    for headers in [
        vec![("Content-Type", "text/plain")],
        vec![("Content-Type", "application/x-www-form-urlencoded")],
        vec![],
    ] {
        let response = send(provider.addr(), "POST", "/register", &headers, &body).await;
        assert_eq!(response.status, 400);
        assert_eq!(response.json()["error"], json!("invalid_client_metadata"));
    }
    let response = send(
        provider.addr(),
        "POST",
        "/register",
        &[("Content-Type", "Application/JSON; charset=utf-8")],
        &body,
    )
    .await;
    assert_eq!(response.status, 201);
}

#[tokio::test]
async fn body_must_be_a_json_object() {
    let provider = TestProvider::start().await;
    for body in [
        &b"not json"[..],
        b"[1,2]",
        b"\"str\"",
        b"",
        b"{\"a\":",
        b"\xff\xfe",
    ] {
        let response = send(
            provider.addr(),
            "POST",
            "/register",
            &[("Content-Type", "application/json")],
            body,
        )
        .await;
        assert_eq!(response.status, 400);
        assert_eq!(
            response.json(),
            json!({"error": "invalid_client_metadata", "error_description": "body is not a JSON object"})
        );
    }
    assert!(provider.registered_clients().is_empty());
}

#[tokio::test]
async fn redirect_uri_validation() {
    let provider = TestProvider::start().await;
    for body in [
        json!({}),
        json!({"redirect_uris": []}),
        json!({"redirect_uris": "https://rp.example/cb"}),
        json!({"redirect_uris": [42]}),
        json!({"redirect_uris": ["https://rp.example/cb#frag"]}),
        json!({"redirect_uris": [], "grant_types": ["authorization_code", "client_credentials"]}),
        json!({"grant_types": ["client_credentials"], "redirect_uris": ["https://a/#x"]}),
    ] {
        expect_error(&provider, &body, 400, "invalid_redirect_uri").await;
    }
    assert!(provider.registered_clients().is_empty());
}

#[tokio::test]
async fn metadata_validation() {
    let provider = TestProvider::start().await;
    let with = |extra: Value| {
        let mut body = metadata();
        for (k, v) in extra.as_object().expect("object") {
            body[k] = v.clone();
        }
        body
    };
    for body in [
        with(json!({"token_endpoint_auth_method": "tls_client_auth"})),
        with(json!({"token_endpoint_auth_method": 7})),
        with(json!({"token_endpoint_auth_method": "private_key_jwt"})),
        with(json!({"jwks": {"keys": []}, "jwks_uri": "https://rp.example/jwks"})),
        with(json!({"grant_types": "authorization_code"})),
        with(json!({"response_types": [1]})),
    ] {
        expect_error(&provider, &body, 400, "invalid_client_metadata").await;
    }
    assert!(provider.registered_clients().is_empty());
}

#[tokio::test]
async fn other_methods_on_register_are_405() {
    let provider = TestProvider::start().await;
    let response = send(provider.addr(), "GET", "/register", &[], b"").await;
    assert_eq!(response.status, 405);
    assert_eq!(response.header("allow"), Some("POST"));
}
