//! `HyperClientBuilder::proxy_from_env`: `HTTPS_PROXY` is used, `NO_PROXY` hosts are reached
//! directly. One test in its own binary (its own process), because it sets the environment.

mod proxy_support;

use bytes::Bytes;
use http::{Request, StatusCode};
use oidc_http::{HttpClient, HyperClient};
use oidc_integration_tests::pki::TestCa;
use oidc_test_provider::{Endpoint, TestProvider};
use proxy_support::ConnectProxy;

#[tokio::test]
async fn https_proxy_is_used_and_no_proxy_bypasses_it() {
    let ca = TestCa::new("proxy env test ca");
    let server = ca.server(&["127.0.0.1", "localhost"]);
    let provider = TestProvider::builder()
        .tls(&server.cert_chain_pem, &server.key_pem)
        .start()
        .await;
    let proxy = ConnectProxy::start(false).await;
    for name in [
        "ALL_PROXY",
        "all_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "https_proxy",
        "no_proxy",
    ] {
        std::env::remove_var(name);
    }
    std::env::set_var("HTTPS_PROXY", &proxy.url);
    std::env::set_var("NO_PROXY", "localhost");

    let trusting = || {
        HyperClient::builder()
            .add_root_certificates_pem(ca.cert_pem().as_bytes())
            .unwrap()
    };
    let from_env = trusting().proxy_from_env().build().unwrap();
    let get = |url: String| Request::get(url).body(Bytes::new()).unwrap();
    let url = provider.url("/.well-known/openid-configuration");
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");

    let response = from_env.send(get(url.clone())).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(proxy.connects(), 1, "127.0.0.1 is not in NO_PROXY");

    let direct = url.replace("127.0.0.1", "localhost");
    let response = from_env.send(get(direct)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(proxy.connects(), 1, "localhost is in NO_PROXY");

    // Without proxy_from_env the environment is not read.
    let ignoring = trusting().build().unwrap();
    ignoring.send(get(url)).await.unwrap();
    assert_eq!(proxy.connects(), 1);
    assert_eq!(provider.request_count(Endpoint::Discovery), 3);
}
