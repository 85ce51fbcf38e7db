//! RFC 7592 client configuration.

mod common;

use common::{json_request, path, register, send, token};
use oidc_test_provider::{Endpoint, TestProvider};
use serde_json::{json, Value};

#[tokio::test]
async fn read_returns_the_record() {
    let provider = TestProvider::start().await;
    let record = register(&provider).await;
    let auth = format!("Bearer {}", token(&record));
    let response = send(
        provider.addr(),
        "GET",
        &format!("{}?ignored=1", path(&record)),
        &[("Authorization", auth.as_str())],
        b"",
    )
    .await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("cache-control"), Some("no-store"));
    assert_eq!(response.json(), record);
    assert_eq!(provider.request_count(Endpoint::ClientConfiguration), 1);
    assert_eq!(
        provider.requests()[1].path_and_query,
        format!("{}?ignored=1", path(&record))
    );
}

#[tokio::test]
async fn bad_token_or_unknown_client_is_401() {
    let provider = TestProvider::start().await;
    let record = register(&provider).await;
    let other = register(&provider).await;
    let cases = [
        (path(&record), None),
        (path(&record), Some("wrong")),
        (path(&record), Some(token(&other))),
        ("/register/unknown-client".to_owned(), Some(token(&record))),
    ];
    for method in ["GET", "PUT", "DELETE"] {
        for (path, token) in &cases {
            let body = json!({"client_id": record["client_id"], "redirect_uris": ["https://x/cb"]});
            let response = json_request(provider.addr(), method, path, &body, *token).await;
            assert_eq!(response.status, 401, "{method} {path} {token:?}");
            assert_eq!(response.json(), json!({"error": "invalid_token"}));
            assert_eq!(
                response.header("www-authenticate"),
                Some("Bearer error=\"invalid_token\"")
            );
        }
    }
    assert_eq!(
        provider.client(record["client_id"].as_str().expect("id")),
        Some(record)
    );
}

#[tokio::test]
async fn update_replaces_metadata_and_keeps_credentials() {
    let provider = TestProvider::start().await;
    let record = register(&provider).await;
    let body = json!({
        "client_id": record["client_id"],
        "client_secret": record["client_secret"],
        "redirect_uris": ["https://rp.example/new"],
        "token_endpoint_auth_method": "client_secret_post"
    });
    let response = json_request(
        provider.addr(),
        "PUT",
        &path(&record),
        &body,
        Some(token(&record)),
    )
    .await;
    assert_eq!(response.status, 200);
    let updated = response.json();
    for kept in [
        "client_id",
        "client_secret",
        "client_id_issued_at",
        "client_secret_expires_at",
        "registration_access_token",
        "registration_client_uri",
    ] {
        assert_eq!(updated[kept], record[kept], "{kept}");
    }
    assert_eq!(updated["redirect_uris"], json!(["https://rp.example/new"]));
    assert_eq!(
        updated["token_endpoint_auth_method"],
        json!("client_secret_post")
    );
    // Full replacement: client_name was omitted, so it is gone.
    assert!(updated.get("client_name").is_none());
    assert_eq!(updated["grant_types"], json!(["authorization_code"]));
    let id = record["client_id"].as_str().expect("id");
    assert_eq!(provider.client(id), Some(updated));
}

#[tokio::test]
async fn update_validation() {
    let provider = TestProvider::start().await;
    let record = register(&provider).await;
    let id = record["client_id"].clone();
    let base = |extra: Value| {
        let mut body = json!({"client_id": id, "redirect_uris": ["https://rp.example/cb"]});
        for (k, v) in extra.as_object().expect("object") {
            body[k] = v.clone();
        }
        body
    };
    let cases = [
        (
            json!({"redirect_uris": ["https://rp.example/cb"]}),
            "invalid_client_metadata",
        ),
        (
            base(json!({"client_id": "other"})),
            "invalid_client_metadata",
        ),
        (
            base(json!({"registration_access_token": token(&record)})),
            "invalid_client_metadata",
        ),
        (
            base(json!({"registration_client_uri": record["registration_client_uri"]})),
            "invalid_client_metadata",
        ),
        (
            base(json!({"client_secret_expires_at": 0})),
            "invalid_client_metadata",
        ),
        (
            base(json!({"client_id_issued_at": 1})),
            "invalid_client_metadata",
        ),
        (
            base(json!({"client_secret": "not-the-secret"})),
            "invalid_client_metadata",
        ),
        (base(json!({"redirect_uris": []})), "invalid_redirect_uri"),
        (
            base(json!({"token_endpoint_auth_method": "private_key_jwt"})),
            "invalid_client_metadata",
        ),
        (json!([1]), "invalid_client_metadata"),
    ];
    for (body, error) in cases {
        let response = json_request(
            provider.addr(),
            "PUT",
            &path(&record),
            &body,
            Some(token(&record)),
        )
        .await;
        assert_eq!(response.status, 400, "{body}");
        assert_eq!(response.json()["error"], json!(error), "{body}");
    }
    let auth = format!("Bearer {}", token(&record));
    let response = send(
        provider.addr(),
        "PUT",
        &path(&record),
        &[("Authorization", &auth), ("Content-Type", "text/plain")],
        serde_json::to_vec(&base(json!({})))
            .expect("json")
            .as_slice(),
    )
    .await;
    assert_eq!(response.status, 400);
    assert_eq!(provider.client(id.as_str().expect("id")), Some(record));
}

#[tokio::test]
async fn delete_removes_the_client() {
    let provider = TestProvider::start().await;
    let record = register(&provider).await;
    let keep = register(&provider).await;
    let auth = format!("Bearer {}", token(&record));
    let response = send(
        provider.addr(),
        "DELETE",
        &path(&record),
        &[("Authorization", &auth)],
        b"",
    )
    .await;
    assert_eq!(response.status, 204);
    assert!(response.body.is_empty());
    assert_eq!(provider.registered_clients(), vec![keep]);
    // Gone: the old token no longer works, and the answer is 401, never 404.
    let response = send(
        provider.addr(),
        "GET",
        &path(&record),
        &[("Authorization", &auth)],
        b"",
    )
    .await;
    assert_eq!(response.status, 401);
}

#[tokio::test]
async fn other_methods_are_405() {
    let provider = TestProvider::start().await;
    let record = register(&provider).await;
    let auth = format!("Bearer {}", token(&record));
    let response = send(
        provider.addr(),
        "POST",
        &path(&record),
        &[("Authorization", &auth)],
        b"",
    )
    .await;
    assert_eq!(response.status, 405);
    assert_eq!(response.header("allow"), Some("GET, PUT, DELETE"));
}
