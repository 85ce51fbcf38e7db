//! `HyperClient` over TLS against the https test provider and small raw servers on 127.0.0.1,
//! with certificates made at test time: what is trusted, what is refused, and why.

use bytes::Bytes;
use http::{Request, StatusCode};
use oidc_http::{
    HttpClient, HttpError, HttpErrorKind, HyperClient, HyperClientBuilder, TlsFailure,
};
use oidc_integration_tests::pki::{Identity, TestCa};
use oidc_test_provider::{Endpoint, TestProvider};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const DISCOVERY: &str = "/.well-known/openid-configuration";

fn get(url: &str) -> Request<Bytes> {
    Request::get(url).body(Bytes::new()).expect("valid request")
}

async fn https_provider(server: &Identity) -> TestProvider {
    TestProvider::builder()
        .tls(&server.cert_chain_pem, &server.key_pem)
        .start()
        .await
}

fn trusting(ca: &TestCa) -> HyperClientBuilder {
    HyperClient::builder()
        .add_root_certificates_pem(ca.cert_pem().as_bytes())
        .expect("the CA certificate is usable")
}

async fn fetch(client: &HyperClient, url: &str) -> Result<http::Response<Bytes>, HttpError> {
    client.send(get(url)).await
}

#[track_caller]
fn assert_tls(err: &HttpError, expected: TlsFailure) {
    assert_eq!(err.kind(), HttpErrorKind::Tls, "{err}");
    assert_eq!(err.tls_failure(), Some(expected), "{err}");
}

#[tokio::test]
async fn an_added_root_is_trusted_and_without_it_the_certificate_is_untrusted() {
    let ca = TestCa::new("test ca");
    let provider = https_provider(&ca.server(&["127.0.0.1", "localhost"])).await;
    let url = provider.url(DISCOVERY);
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");

    let client = trusting(&ca).build().unwrap();
    let response = fetch(&client, &url).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(provider.issuer().starts_with("https://"));

    let err = fetch(&HyperClient::new().unwrap(), &url).await.unwrap_err();
    assert_tls(&err, TlsFailure::UntrustedCertificate);
    assert!(
        TlsFailure::UntrustedCertificate.is_server_certificate_problem(),
        "{err}"
    );
    assert!(
        err.to_string().starts_with("tls handshake failed: "),
        "{err}"
    );
    // Only the trusted client's request got through to the provider.
    assert_eq!(provider.request_count(Endpoint::Discovery), 1);
}

#[tokio::test]
async fn trust_only_mode_refuses_a_certificate_from_another_ca() {
    let ours = TestCa::new("our ca");
    let theirs = TestCa::new("their ca");
    let provider = https_provider(&theirs.server(&["127.0.0.1"])).await;

    let only_ours = trusting(&ours).trust_built_in_roots(false).build().unwrap();
    let err = fetch(&only_ours, &provider.url(DISCOVERY))
        .await
        .unwrap_err();
    assert_tls(&err, TlsFailure::UntrustedCertificate);

    // The same mode with the right CA works: it is the set of anchors that decides.
    let only_theirs = trusting(&theirs)
        .trust_built_in_roots(false)
        .build()
        .unwrap();
    let response = fetch(&only_theirs, &provider.url(DISCOVERY)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_certificate_for_another_host_name_is_refused() {
    let ca = TestCa::new("test ca");
    // The provider is reached as 127.0.0.1; the certificate names only `localhost`.
    let provider = https_provider(&ca.server(&["localhost"])).await;
    let err = fetch(&trusting(&ca).build().unwrap(), &provider.url(DISCOVERY))
        .await
        .unwrap_err();
    assert_tls(&err, TlsFailure::WrongHostName);
}

#[tokio::test]
async fn an_expired_certificate_is_refused() {
    let ca = TestCa::new("test ca");
    let provider = https_provider(&ca.expired_server(&["127.0.0.1"])).await;
    let err = fetch(&trusting(&ca).build().unwrap(), &provider.url(DISCOVERY))
        .await
        .unwrap_err();
    assert_tls(&err, TlsFailure::ExpiredCertificate);
}

#[tokio::test]
async fn a_client_certificate_is_presented_and_checked_by_the_provider() {
    let ca = TestCa::new("test ca");
    let server = ca.server(&["127.0.0.1"]);
    let client_identity = ca.client("rp.example");
    let provider = TestProvider::builder()
        .tls(&server.cert_chain_pem, &server.key_pem)
        .client_ca(ca.cert_pem())
        .start()
        .await;

    let client = trusting(&ca)
        .client_certificate_pem(
            client_identity.cert_chain_pem.as_bytes(),
            client_identity.key_pem.as_bytes(),
        )
        .unwrap()
        .build()
        .unwrap();
    let response = fetch(&client, &provider.url(DISCOVERY)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let requests = provider.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].client_certificate.as_deref(),
        Some(client_identity.der.as_slice())
    );

    // Neither the builder's nor the client's Debug shows the key.
    let key_body: String = client_identity
        .key_pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    let debug = format!("{client:?}");
    assert!(debug.contains("client_certificate: true"), "{debug}");
    assert!(!debug.contains(&key_body[..20]), "{debug}");
}

#[tokio::test]
async fn a_provider_that_requires_a_client_certificate_refuses_a_client_without_one() {
    let ca = TestCa::new("test ca");
    let server = ca.server(&["127.0.0.1"]);
    let provider = TestProvider::builder()
        .tls(&server.cert_chain_pem, &server.key_pem)
        .client_ca(ca.cert_pem())
        .start()
        .await;

    let err = fetch(&trusting(&ca).build().unwrap(), &provider.url(DISCOVERY))
        .await
        .unwrap_err();
    assert_tls(&err, TlsFailure::ClientCertificateRequired);
    assert!(provider.requests().is_empty());
}

#[tokio::test]
async fn a_client_certificate_from_another_ca_is_refused_by_the_provider() {
    let ca = TestCa::new("test ca");
    let stranger = TestCa::new("stranger ca");
    let server = ca.server(&["127.0.0.1"]);
    let provider = TestProvider::builder()
        .tls(&server.cert_chain_pem, &server.key_pem)
        .client_ca(ca.cert_pem())
        .start()
        .await;
    let identity = stranger.client("rp.example");

    let client = trusting(&ca)
        .client_certificate_pem(
            identity.cert_chain_pem.as_bytes(),
            identity.key_pem.as_bytes(),
        )
        .unwrap()
        .build()
        .unwrap();
    let err = fetch(&client, &provider.url(DISCOVERY)).await.unwrap_err();
    assert_tls(&err, TlsFailure::ClientCertificateRefused);
    assert!(!err.tls_failure().unwrap().is_server_certificate_problem());
}

#[tokio::test]
async fn https_to_a_plain_http_port_is_not_tls_rather_than_a_certificate_problem() {
    let provider = TestProvider::start().await;
    let url = provider.url(DISCOVERY).replacen("http://", "https://", 1);
    let err = fetch(&HyperClient::new().unwrap(), &url).await.unwrap_err();
    assert_tls(&err, TlsFailure::NotTls);
}

#[tokio::test]
async fn plain_http_to_an_https_port_is_a_protocol_error_not_tls() {
    let ca = TestCa::new("test ca");
    let provider = https_provider(&ca.server(&["127.0.0.1"])).await;
    let url = provider.url(DISCOVERY).replacen("https://", "http://", 1);
    let err = fetch(&trusting(&ca).build().unwrap(), &url)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), HttpErrorKind::Protocol, "{err}");
    assert_eq!(err.tls_failure(), None, "{err}");
}

/// A server that reads what the client sends first (its ClientHello), then answers `reply` and
/// closes the connection.
async fn raw_server(reply: &'static [u8]) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind raw server");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut hello = [0_u8; 4096];
            if matches!(stream.read(&mut hello).await, Ok(n) if n > 0) {
                let _ = stream.write_all(reply).await;
                let _ = stream.shutdown().await;
                // Read to the end, so closing never resets what the client has yet to read.
                while matches!(stream.read(&mut hello).await, Ok(n) if n > 0) {}
            }
        }
    });
    addr
}

#[tokio::test]
async fn a_handshake_cut_short_is_not_a_connect_failure() {
    let addr = raw_server(b"").await;
    let err = fetch(&HyperClient::new().unwrap(), &format!("https://{addr}/"))
        .await
        .unwrap_err();
    assert_tls(&err, TlsFailure::HandshakeCutShort);
}

#[tokio::test]
async fn a_protocol_version_alert_is_a_protocol_mismatch() {
    // A TLS 1.2 record: alert, fatal (2), protocol_version (70).
    let addr = raw_server(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 70]).await;
    let err = fetch(&HyperClient::new().unwrap(), &format!("https://{addr}/"))
        .await
        .unwrap_err();
    assert_tls(&err, TlsFailure::ProtocolMismatch);
}

#[test]
fn client_certificate_errors_say_what_is_wrong_without_the_key() {
    let ca = TestCa::new("test ca");
    let identity = ca.client("rp.example");
    let other = ca.client("someone else");

    let err = HyperClient::builder()
        .client_certificate_pem(identity.cert_chain_pem.as_bytes(), other.key_pem.as_bytes())
        .unwrap_err();
    assert_eq!(err.kind(), HttpErrorKind::InvalidRequest);
    assert_eq!(
        err.to_string(),
        "client key: it does not match the client certificate's public key"
    );

    let err = HyperClient::builder()
        .client_certificate_pem(identity.key_pem.as_bytes(), identity.key_pem.as_bytes())
        .unwrap_err();
    assert_eq!(err.to_string(), "client certificate: no certificate in PEM");

    let err = HyperClient::builder()
        .client_certificate_pem(
            identity.cert_chain_pem.as_bytes(),
            identity.cert_chain_pem.as_bytes(),
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("client key: no private key in PEM"),
        "{err}"
    );
    let key_body: String = other
        .key_pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(!text.contains(&key_body[..20]), "{text}");
    }
}

#[test]
fn debug_of_a_configured_builder_hides_the_key() {
    let ca = TestCa::new("test ca");
    let identity = ca.client("rp.example");
    let builder = trusting(&ca)
        .client_certificate_pem(
            identity.cert_chain_pem.as_bytes(),
            identity.key_pem.as_bytes(),
        )
        .unwrap();
    let debug = format!("{builder:?}");
    assert!(debug.contains("added_roots: 1"), "{debug}");
    assert!(debug.contains("client_certificate: true"), "{debug}");
    assert!(!debug.contains("PRIVATE"), "{debug}");
    let key_body: String = identity
        .key_pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    assert!(!debug.contains(&key_body[..20]), "{debug}");
}
