//! The provider over https, driven by a bare tokio-rustls client so that nothing of the library
//! under test is involved.

use std::sync::Arc;

use oidc_integration_tests::pki::TestCa;
use oidc_test_provider::{Endpoint, TestProvider};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

#[tokio::test]
async fn serves_https_with_its_certificate_and_https_urls() {
    let ca = TestCa::new("provider test ca");
    let server = ca.server(&["127.0.0.1"]);
    let provider = TestProvider::builder()
        .tls(&server.cert_chain_pem, &server.key_pem)
        .start()
        .await;
    assert_eq!(provider.base_url(), format!("https://{}", provider.addr()));

    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(ca.cert_pem().as_bytes()).unwrap())
        .unwrap();
    let config = ClientConfig::builder_with_provider(Arc::new(
        tokio_rustls::rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let tcp = TcpStream::connect(provider.addr()).await.unwrap();
    let name = ServerName::try_from("127.0.0.1").unwrap();
    let mut tls = TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .unwrap();
    tls.write_all(
        b"GET /.well-known/openid-configuration HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    )
    .await
    .unwrap();
    let mut response = Vec::new();
    // The server closes without close_notify once it answered; what was read is what counts.
    let _ = tls.read_to_end(&mut response).await;
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    let issuer = format!("\"issuer\":\"https://{}\"", provider.addr());
    assert!(response.contains(&issuer), "{response}");

    let requests = provider.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].endpoint, Some(Endpoint::Discovery));
    assert_eq!(requests[0].client_certificate, None);
}

#[test]
#[should_panic(expected = "tls certificate chain: no certificate in PEM")]
fn a_pem_without_a_certificate_is_refused_at_once() {
    let _ = TestProvider::builder().tls("not pem", "not pem");
}

#[test]
#[should_panic(expected = "client_ca needs tls(..) first")]
fn client_ca_needs_tls() {
    let _ = TestProvider::builder().client_ca("whatever");
}

#[test]
fn debug_shows_no_key() {
    let ca = TestCa::new("provider test ca");
    let server = ca.server(&["127.0.0.1"]);
    let builder = TestProvider::builder()
        .tls(&server.cert_chain_pem, &server.key_pem)
        .client_ca(ca.cert_pem());
    let debug = format!("{builder:?}");
    assert!(
        debug.contains("client_certificates_required: true"),
        "{debug}"
    );
    assert!(!debug.contains("PRIVATE"), "{debug}");
}
