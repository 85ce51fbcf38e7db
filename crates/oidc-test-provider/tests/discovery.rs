//! Discovery documents and the JWK Set.

mod common;

use common::get;
use oidc_test_provider::{Endpoint, TestProvider};
use serde_json::json;

#[tokio::test]
async fn default_issuer_is_base_url() {
    let provider = TestProvider::start().await;
    assert_eq!(provider.issuer(), provider.base_url());
    assert!(provider.base_url().starts_with("http://127.0.0.1:"));
    assert_eq!(provider.base_url(), format!("http://{}", provider.addr()));
    assert_eq!(provider.url("/x"), format!("{}/x", provider.base_url()));
    assert_eq!(
        provider.registration_endpoint(),
        format!("{}/register", provider.base_url())
    );

    let response = get(provider.addr(), "/.well-known/openid-configuration").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(
        response.header("cache-control"),
        Some("public, max-age=300")
    );
    let doc = response.json();
    assert_eq!(doc, provider.discovery_document());
    assert_eq!(doc["issuer"], json!(provider.issuer()));
    assert_eq!(doc["jwks_uri"], json!(provider.url("/jwks")));
    assert_eq!(
        doc["registration_endpoint"],
        json!(provider.registration_endpoint())
    );
    for member in [
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "end_session_endpoint",
        "response_types_supported",
        "subject_types_supported",
        "id_token_signing_alg_values_supported",
        "scopes_supported",
        "claims_supported",
        "grant_types_supported",
        "response_modes_supported",
        "request_object_signing_alg_values_supported",
        "userinfo_signing_alg_values_supported",
        "request_uri_parameter_supported",
    ] {
        assert!(doc.get(member).is_some(), "{member} missing");
    }
    assert_eq!(
        doc["token_endpoint_auth_methods_supported"],
        json!([
            "client_secret_basic",
            "client_secret_post",
            "private_key_jwt",
            "none"
        ])
    );
    assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));

    let oauth = get(provider.addr(), "/.well-known/oauth-authorization-server").await;
    assert_eq!(oauth.status, 200);
    assert_eq!(oauth.json(), doc);
    assert_eq!(provider.request_count(Endpoint::Discovery), 1);
    assert_eq!(provider.request_count(Endpoint::OAuthDiscovery), 1);
}

#[tokio::test]
async fn issuer_path_moves_both_well_known_locations() {
    let provider = TestProvider::builder()
        .issuer_path("/tenant-a")
        .start()
        .await;
    assert_eq!(
        provider.issuer(),
        format!("{}/tenant-a", provider.base_url())
    );

    let oidc = get(
        provider.addr(),
        "/tenant-a/.well-known/openid-configuration",
    )
    .await;
    assert_eq!(oidc.status, 200);
    assert_eq!(oidc.json()["issuer"], json!(provider.issuer()));

    let oauth = get(
        provider.addr(),
        "/.well-known/oauth-authorization-server/tenant-a",
    )
    .await;
    assert_eq!(oauth.status, 200);
    assert_eq!(oauth.json()["issuer"], json!(provider.issuer()));

    // The root locations are not this issuer's.
    let root = get(provider.addr(), "/.well-known/openid-configuration").await;
    assert_eq!(root.status, 404);
    assert_eq!(root.json(), json!({"error": "not_found"}));
    assert_eq!(
        get(provider.addr(), "/.well-known/oauth-authorization-server")
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn trailing_slash_issuer_keeps_slash_but_not_in_well_known_path() {
    let provider = TestProvider::builder()
        .issuer_path("/tenant-b")
        .issuer_trailing_slash(true)
        .start()
        .await;
    assert_eq!(
        provider.issuer(),
        format!("{}/tenant-b/", provider.base_url())
    );
    let oidc = get(
        provider.addr(),
        "/tenant-b/.well-known/openid-configuration",
    )
    .await;
    assert_eq!(oidc.status, 200);
    assert_eq!(oidc.json()["issuer"], json!(provider.issuer()));
    let oauth = get(
        provider.addr(),
        "/.well-known/oauth-authorization-server/tenant-b",
    )
    .await;
    assert_eq!(oauth.status, 200);

    let root = TestProvider::builder()
        .issuer_trailing_slash(true)
        .start()
        .await;
    assert_eq!(root.issuer(), format!("{}/", root.base_url()));
    let doc = get(root.addr(), "/.well-known/openid-configuration").await;
    assert_eq!(doc.json()["issuer"], json!(root.issuer()));
}

#[tokio::test]
async fn discovery_query_string_is_ignored_for_routing() {
    let provider = TestProvider::start().await;
    let response = get(provider.addr(), "/.well-known/openid-configuration?x=1").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.json()["issuer"], json!(provider.issuer()));
    assert_eq!(provider.request_count(Endpoint::Discovery), 1);
    assert_eq!(
        provider.requests()[0].path_and_query,
        "/.well-known/openid-configuration?x=1"
    );
}

#[tokio::test]
async fn set_discovery_document_serves_exact_json() {
    let provider = TestProvider::builder()
        .discovery_cache_control("no-cache")
        .start()
        .await;
    let doc = json!({"issuer": "https://elsewhere.example", "odd": [1, 2, 3]});
    provider.set_discovery_document(doc.clone());
    assert_eq!(provider.discovery_document(), doc);
    let response = get(provider.addr(), "/.well-known/openid-configuration").await;
    assert_eq!(response.json(), doc);
    assert_eq!(response.header("cache-control"), Some("no-cache"));
    let oauth = get(provider.addr(), "/.well-known/oauth-authorization-server").await;
    assert_eq!(oauth.json(), doc);
}

#[tokio::test]
async fn discovery_rejects_other_methods() {
    let provider = TestProvider::start().await;
    let response = common::send(
        provider.addr(),
        "POST",
        "/.well-known/openid-configuration",
        &[],
        b"",
    )
    .await;
    assert_eq!(response.status, 405);
    assert_eq!(response.header("allow"), Some("GET"));
}

#[tokio::test]
async fn jwks_default_and_replaced() {
    let provider = TestProvider::start().await;
    let response = get(provider.addr(), "/jwks").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(
        response.header("cache-control"),
        Some("public, max-age=300")
    );
    let jwks = response.json();
    let key = &jwks["keys"][0];
    assert_eq!(key["kty"], "RSA");
    assert_eq!(key["alg"], "RS256");
    assert_eq!(key["use"], "sig");
    assert_eq!(key["e"], "AQAB");
    assert!(key["kid"].is_string());
    // 2048-bit modulus: 256 bytes, 342 base64url characters without padding.
    assert_eq!(key["n"].as_str().map(str::len), Some(342));
    assert!(key.get("d").is_none(), "no private members");

    let replacement = json!({"keys": []});
    provider.set_jwks(replacement.clone());
    assert_eq!(get(provider.addr(), "/jwks").await.json(), replacement);
    assert_eq!(provider.request_count(Endpoint::Jwks), 2);
}

#[tokio::test]
async fn registration_disabled() {
    let provider = TestProvider::builder().registration(false).start().await;
    let doc = get(provider.addr(), "/.well-known/openid-configuration")
        .await
        .json();
    assert!(doc.get("registration_endpoint").is_none());
    let response = common::post_json(
        provider.addr(),
        "/register",
        &json!({"redirect_uris": ["https://rp.example/cb"]}),
        None,
    )
    .await;
    assert_eq!(response.status, 404);
    assert_eq!(get(provider.addr(), "/register/abc").await.status, 404);
    assert!(provider.registered_clients().is_empty());
    assert_eq!(provider.request_count(Endpoint::Registration), 0);
    assert_eq!(provider.requests().len(), 3);
}

#[tokio::test]
async fn unknown_path_is_404() {
    let provider = TestProvider::start().await;
    let response = get(provider.addr(), "/nothing/here").await;
    assert_eq!(response.status, 404);
    assert_eq!(response.json(), json!({"error": "not_found"}));
    assert_eq!(provider.requests()[0].endpoint, None);
}

#[tokio::test]
async fn dropping_the_provider_stops_the_server() {
    let provider = TestProvider::start().await;
    let addr = provider.addr();
    assert_eq!(get(addr, "/jwks").await.status, 200);
    drop(provider);
    // Let the aborted accept task be torn down.
    tokio::task::yield_now().await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
