//! A reqwest 0.13 service (default features: rustls with aws-lc-rs) that adds oidc-http with
//! its default features must keep both working. rustls's `ClientConfig::builder()`, which the
//! service's own code and many crates call (tokio-tungstenite, rustls-platform-verifier's
//! `with_platform_verifier`, database drivers), uses the process-level crypto provider, picked
//! from rustls's cargo features when none is installed, and panics when two providers are
//! compiled in. The default client of this library must work next to it without installing a
//! process-level provider.

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Answers one HTTP/1.1 request on 127.0.0.1 with a small JSON body.
async fn one_shot_server() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.expect("accept");
        let mut buf = vec![0u8; 4096];
        let mut read = 0;
        while !buf[..read].windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf[read..]).await.expect("read");
            assert!(n > 0, "client hung up before sending its request");
            read += n;
        }
        let body = br#"{"ok":true}"#;
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).await.expect("write");
        stream.write_all(body).await.expect("write");
    });
    addr
}

#[tokio::test]
async fn reqwest_defaults_and_the_default_client_both_work() {
    // reqwest itself falls back to aws-lc-rs when no provider is installed.
    let reqwest_client = reqwest::Client::new();
    drop(reqwest_client);
    // This is where a service panicked once oidc-http was added: rustls cannot pick a
    // process-level provider when two are compiled in.
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    drop(config);

    let addr = one_shot_server().await;
    let request = http::Request::get(format!("http://{addr}/doc"))
        .body(Bytes::new())
        .expect("request");
    let response = oidc_http::default_client()
        .send(request)
        .await
        .expect("the default client works next to reqwest");
    assert_eq!(response.status(), http::StatusCode::OK);
    assert_eq!(response.body().as_ref(), br#"{"ok":true}"#);
}
