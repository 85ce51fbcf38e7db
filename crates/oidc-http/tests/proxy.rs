//! `HyperClient` through an explicit HTTP proxy: https and plain http go through `CONNECT`
//! tunnels (counted by a tiny proxy on 127.0.0.1), `no_proxy` hosts are reached directly.

mod proxy_support;

use bytes::Bytes;
use http::{Request, StatusCode};
use oidc_http::{HttpClient, HttpErrorKind, HyperClient};
use oidc_integration_tests::pki::TestCa;
use oidc_test_provider::{Endpoint, TestProvider};
use proxy_support::ConnectProxy;

const DISCOVERY: &str = "/.well-known/openid-configuration";

fn get(url: &str) -> Request<Bytes> {
    Request::get(url).body(Bytes::new()).expect("valid request")
}

#[tokio::test]
async fn https_goes_through_a_connect_tunnel_with_tls_end_to_end() {
    let ca = TestCa::new("proxy test ca");
    let server = ca.server(&["127.0.0.1", "localhost"]);
    let provider = TestProvider::builder()
        .tls(&server.cert_chain_pem, &server.key_pem)
        .start()
        .await;
    let proxy = ConnectProxy::start(false).await;
    let client = HyperClient::builder()
        .add_root_certificates_pem(ca.cert_pem().as_bytes())
        .unwrap()
        .proxy(&proxy.url)
        .unwrap()
        .build()
        .unwrap();

    let response = client.send(get(&provider.url(DISCOVERY))).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(proxy.connects(), 1);
    assert_eq!(provider.request_count(Endpoint::Discovery), 1);

    // The server's certificate is still verified inside the tunnel.
    let untrusting = HyperClient::builder()
        .proxy(&proxy.url)
        .unwrap()
        .build()
        .unwrap();
    let err = untrusting
        .send(get(&provider.url(DISCOVERY)))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), HttpErrorKind::Tls, "{err}");
    assert_eq!(proxy.connects(), 2);
}

#[tokio::test]
async fn plain_http_goes_through_a_tunnel_too_and_no_proxy_hosts_are_direct() {
    let provider = TestProvider::builder().start().await;
    let proxy = ConnectProxy::start(false).await;
    let proxied = HyperClient::builder()
        .proxy(&proxy.url)
        .unwrap()
        .build()
        .unwrap();
    let response = proxied.send(get(&provider.url(DISCOVERY))).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(proxy.connects(), 1);

    let bypassing = HyperClient::builder()
        .proxy(&proxy.url)
        .unwrap()
        .no_proxy("127.0.0.1")
        .build()
        .unwrap();
    let response = bypassing.send(get(&provider.url(DISCOVERY))).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(proxy.connects(), 1, "no tunnel for a no_proxy host");
    assert_eq!(provider.request_count(Endpoint::Discovery), 2);
}

#[tokio::test]
async fn a_proxy_that_refuses_the_tunnel_is_a_connect_error_without_credentials() {
    let provider = TestProvider::builder().start().await;
    let proxy = ConnectProxy::start(true).await;
    let with_credentials = proxy.url.replace("http://", "http://user:hunter2@");
    let client = HyperClient::builder()
        .proxy(&with_credentials)
        .unwrap()
        .build()
        .unwrap();
    let err = client
        .send(get(&provider.url(DISCOVERY)))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), HttpErrorKind::Connect, "{err}");
    let address = proxy.url.trim_start_matches("http://");
    assert!(
        err.to_string().contains(&format!("proxy {address}")),
        "{err}"
    );
    assert!(
        !format!("{err} {err:?} {client:?}").contains("hunter2"),
        "{err:?}"
    );
    assert_eq!(proxy.connects(), 1);
    assert_eq!(provider.request_count(Endpoint::Discovery), 0);
}
