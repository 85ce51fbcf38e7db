//! Misbehaviour and request recording.

mod common;

use std::time::{Duration, Instant};

use common::{get, post_json, send};
use oidc_test_provider::{Behaviour, Endpoint, TestProvider};
use serde_json::json;

fn metadata() -> serde_json::Value {
    json!({"redirect_uris": ["https://rp.example/cb"]})
}

#[tokio::test]
async fn status_only_keeps_body_and_side_effects() {
    let provider = TestProvider::start().await;
    provider.set_behaviour(Endpoint::Registration, Behaviour::new().status(200));
    let response = post_json(provider.addr(), "/register", &metadata(), None).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    let record = response.json();
    assert_eq!(provider.registered_clients(), vec![record]);
}

#[tokio::test]
async fn content_type_only_keeps_status_and_body() {
    let provider = TestProvider::start().await;
    provider.set_behaviour(
        Endpoint::Discovery,
        Behaviour::new().content_type("application/jwt"),
    );
    let response = get(provider.addr(), "/.well-known/openid-configuration").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("application/jwt"));
    assert_eq!(response.json(), provider.discovery_document());
    // Other endpoints are unaffected.
    let oauth = get(provider.addr(), "/.well-known/oauth-authorization-server").await;
    assert_eq!(oauth.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn body_override_skips_side_effects() {
    let provider = TestProvider::start().await;
    provider.set_behaviour(
        Endpoint::Registration,
        Behaviour::new().json(json!({"client_id": "fake"})),
    );
    let response = post_json(provider.addr(), "/register", &metadata(), None).await;
    assert_eq!(response.status, 201, "normal status kept");
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(response.json(), json!({"client_id": "fake"}));
    assert!(provider.registered_clients().is_empty());

    provider.clear_behaviour(Endpoint::Registration);
    let response = post_json(provider.addr(), "/register", &metadata(), None).await;
    assert_ne!(response.json()["client_id"], json!("fake"));
    assert_eq!(provider.registered_clients().len(), 1);
}

#[tokio::test]
async fn raw_body_with_status_and_content_type() {
    let provider = TestProvider::start().await;
    provider.set_behaviour(
        Endpoint::Jwks,
        Behaviour::new()
            .status(500)
            .content_type("text/html")
            .body("<html>oops</html>"),
    );
    let response = get(provider.addr(), "/jwks").await;
    assert_eq!(response.status, 500);
    assert_eq!(response.header("content-type"), Some("text/html"));
    assert_eq!(response.body, b"<html>oops</html>");
    assert_eq!(response.header("content-length"), Some("17"));
}

#[tokio::test]
async fn delay_applies_before_answering() {
    let provider = TestProvider::start().await;
    provider.set_behaviour(
        Endpoint::Discovery,
        Behaviour::new().delay(Duration::from_millis(200)),
    );
    let started = Instant::now();
    let response = get(provider.addr(), "/.well-known/openid-configuration").await;
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!(response.status, 200);
    assert_eq!(response.json(), provider.discovery_document());
}

#[tokio::test]
async fn delayed_request_is_recorded_before_the_answer() {
    let provider = TestProvider::start().await;
    provider.set_behaviour(
        Endpoint::Jwks,
        Behaviour::new().delay(Duration::from_secs(30)),
    );
    let addr = provider.addr();
    let pending = tokio::spawn(async move { get(addr, "/jwks").await });
    for _ in 0..100 {
        if provider.request_count(Endpoint::Jwks) == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(provider.request_count(Endpoint::Jwks), 1);
    // Recorded while the answer is still being held back.
    assert!(!pending.is_finished());
    pending.abort();
}

#[tokio::test]
async fn oversized_body_is_chunked_without_content_length() {
    let provider = TestProvider::start().await;
    let size = 3 * 1024 * 1024 + 17;
    provider.set_behaviour(Endpoint::Discovery, Behaviour::new().oversized_body(size));
    let response = get(provider.addr(), "/.well-known/openid-configuration").await;
    assert_eq!(response.status, 200);
    assert!(response.chunked);
    assert_eq!(response.header("content-length"), None);
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(response.body.len(), size);
    assert!(response.body.starts_with(b"{\"filler\":\""));
}

#[tokio::test]
async fn extra_headers_replace_then_append() {
    let provider = TestProvider::start().await;
    provider.set_behaviour(
        Endpoint::Discovery,
        Behaviour::new()
            .header("Cache-Control", "no-store")
            .header("X-Test", "a")
            .header("X-Test", "b")
            .header("bad header name", "ignored")
            .header("X-Bad-Value", "line\nbreak"),
    );
    let response = get(provider.addr(), "/.well-known/openid-configuration").await;
    assert_eq!(response.status, 200);
    let values = |name: &str| {
        response
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(values("cache-control"), ["no-store"]);
    assert_eq!(values("x-test"), ["a", "b"]);
    assert!(values("x-bad-value").is_empty());
}

#[tokio::test]
async fn behaviour_on_client_configuration() {
    let provider = TestProvider::start().await;
    let record = post_json(provider.addr(), "/register", &metadata(), None)
        .await
        .json();
    let path = format!("/register/{}", record["client_id"].as_str().expect("id"));
    let auth = format!(
        "Bearer {}",
        record["registration_access_token"].as_str().expect("token")
    );
    // A replaced body means the delete does not happen.
    provider.set_behaviour(
        Endpoint::ClientConfiguration,
        Behaviour::new().status(500).body("nope"),
    );
    let response = send(
        provider.addr(),
        "DELETE",
        &path,
        &[("Authorization", &auth)],
        b"",
    )
    .await;
    assert_eq!(response.status, 500);
    assert_eq!(provider.registered_clients().len(), 1);
    // A status override alone keeps the side effect.
    provider.set_behaviour(Endpoint::ClientConfiguration, Behaviour::new().status(200));
    let response = send(
        provider.addr(),
        "DELETE",
        &path,
        &[("Authorization", &auth)],
        b"",
    )
    .await;
    assert_eq!(response.status, 200);
    assert!(provider.registered_clients().is_empty());
}

#[tokio::test]
async fn invalid_status_is_ignored() {
    let provider = TestProvider::start().await;
    provider.set_behaviour(Endpoint::Jwks, Behaviour::new().status(20));
    assert_eq!(get(provider.addr(), "/jwks").await.status, 200);
}

#[tokio::test]
async fn requests_are_recorded_in_order() {
    let provider = TestProvider::start().await;
    get(provider.addr(), "/.well-known/openid-configuration?a=b").await;
    send(
        provider.addr(),
        "POST",
        "/register",
        &[
            ("Content-Type", "application/json"),
            ("Authorization", "bearer tok-1"),
            ("X-Custom", "yes"),
        ],
        br#"{"redirect_uris":["https://rp.example/cb"]}"#,
    )
    .await;
    get(provider.addr(), "/missing").await;

    let requests = provider.requests();
    assert_eq!(requests.len(), 3);

    assert_eq!(requests[0].endpoint, Some(Endpoint::Discovery));
    assert_eq!(requests[0].method, http::Method::GET);
    assert_eq!(
        requests[0].path_and_query,
        "/.well-known/openid-configuration?a=b"
    );
    assert!(requests[0].body.is_empty());
    assert_eq!(requests[0].json(), None);

    assert_eq!(requests[1].endpoint, Some(Endpoint::Registration));
    assert_eq!(requests[1].method, http::Method::POST);
    assert_eq!(requests[1].headers["x-custom"], "yes");
    assert_eq!(requests[1].bearer_token().as_deref(), Some("tok-1"));
    assert_eq!(
        requests[1].json(),
        Some(json!({"redirect_uris": ["https://rp.example/cb"]}))
    );

    assert_eq!(requests[2].endpoint, None);
    assert_eq!(provider.request_count(Endpoint::Registration), 1);
    assert_eq!(provider.request_count(Endpoint::Jwks), 0);
}

#[tokio::test]
async fn malformed_requests_do_not_break_the_server() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let provider = TestProvider::start().await;
    let mut stream = tokio::net::TcpStream::connect(provider.addr())
        .await
        .expect("connect");
    stream.write_all(b"GARBAGE\r\n\r\n").await.expect("write");
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out).await;
    // Non-UTF-8 header values are tolerated too.
    let response = send(
        provider.addr(),
        "POST",
        "/register",
        &[
            ("Content-Type", "application/json"),
            ("Authorization", "Bearer \u{e9}"),
        ],
        br#"{"redirect_uris":["https://rp.example/cb"]}"#,
    )
    .await;
    assert_eq!(response.status, 201);
    assert_eq!(get(provider.addr(), "/jwks").await.status, 200);
}

#[tokio::test]
async fn provider_is_shareable_across_tasks() {
    let provider = std::sync::Arc::new(TestProvider::start().await);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let provider = std::sync::Arc::clone(&provider);
        tasks.push(tokio::spawn(async move {
            post_json(provider.addr(), "/register", &metadata(), None)
                .await
                .status
        }));
    }
    for task in tasks {
        assert_eq!(task.await.expect("join"), 201);
    }
    assert_eq!(provider.registered_clients().len(), 8);
    assert_eq!(provider.request_count(Endpoint::Registration), 8);
}

#[tokio::test]
async fn failing_status_override_skips_side_effects() {
    let provider = TestProvider::builder()
        .rotate_token_on_read(true)
        .start()
        .await;
    // Registration: a faked failure stores nothing, although the normal body is sent.
    provider.set_behaviour(Endpoint::Registration, Behaviour::new().status(500));
    let response = post_json(provider.addr(), "/register", &metadata(), None).await;
    assert_eq!(response.status, 500);
    assert!(response.json()["client_id"].is_string());
    assert!(provider.registered_clients().is_empty());
    provider.clear_behaviour(Endpoint::Registration);

    let record = post_json(provider.addr(), "/register", &metadata(), None)
        .await
        .json();
    let id = record["client_id"].as_str().expect("id");
    let path = format!("/register/{id}");
    let auth = format!(
        "Bearer {}",
        record["registration_access_token"].as_str().expect("token")
    );

    // DELETE answered 405: the client stays.
    provider.set_behaviour(Endpoint::ClientConfiguration, Behaviour::new().status(405));
    let response = send(
        provider.addr(),
        "DELETE",
        &path,
        &[("Authorization", &auth)],
        b"",
    )
    .await;
    assert_eq!(response.status, 405);
    assert_eq!(provider.registered_clients(), vec![record.clone()]);

    // PUT answered 400: the metadata stays.
    provider.set_behaviour(Endpoint::ClientConfiguration, Behaviour::new().status(400));
    let body = json!({"client_id": id, "redirect_uris": ["https://rp.example/new"]});
    let response = send(
        provider.addr(),
        "PUT",
        &path,
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        body.to_string().as_bytes(),
    )
    .await;
    assert_eq!(response.status, 400);
    assert_eq!(provider.client(id), Some(record.clone()));

    // GET answered 401 while tokens rotate on read: the token is not rotated.
    provider.set_behaviour(Endpoint::ClientConfiguration, Behaviour::new().status(401));
    let response = send(
        provider.addr(),
        "GET",
        &path,
        &[("Authorization", &auth)],
        b"",
    )
    .await;
    assert_eq!(response.status, 401);
    assert_eq!(
        provider.registration_access_token(id).as_deref(),
        record["registration_access_token"].as_str()
    );

    // A 2xx override keeps side effects: the read rotates the token.
    provider.set_behaviour(Endpoint::ClientConfiguration, Behaviour::new().status(203));
    let response = send(
        provider.addr(),
        "GET",
        &path,
        &[("Authorization", &auth)],
        b"",
    )
    .await;
    assert_eq!(response.status, 203);
    assert_ne!(
        response.json()["registration_access_token"],
        record["registration_access_token"]
    );
    assert_eq!(
        provider.registration_access_token(id).as_deref(),
        response.json()["registration_access_token"].as_str()
    );
}
