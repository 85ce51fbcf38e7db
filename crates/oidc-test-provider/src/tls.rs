//! https for the provider: its certificate, the client CAs it may require, and the rustls server.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::rustls::crypto::{ring, CryptoProvider};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::server::{ServerConnection, WebPkiClientVerifier};
use tokio_rustls::rustls::sign::{CertifiedKey, SingleCertAndKey};
use tokio_rustls::rustls::{RootCertStore, ServerConfig};
use tokio_rustls::TlsAcceptor;

/// How long a connection whose handshake failed is drained before it is dropped anyway.
const DRAIN_LIMIT: Duration = Duration::from_secs(5);

/// The server's certificate and key, and the client CAs when client certificates are required.
/// `Debug` shows neither key nor certificates.
#[derive(Clone)]
pub(crate) struct ServerTls {
    identity: Arc<CertifiedKey>,
    pub(crate) client_roots: Option<Arc<RootCertStore>>,
}

impl fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerTls")
            .field("certificates", &self.identity.cert.len())
            .field("client_certificates_required", &self.client_roots.is_some())
            .finish_non_exhaustive()
    }
}

/// Explicitly ring, so the process-wide default provider (unset, or another) never matters.
fn provider() -> Arc<CryptoProvider> {
    Arc::new(ring::default_provider())
}

fn certificates(pem: &[u8], what: &str) -> Vec<CertificateDer<'static>> {
    let certificates = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|_| panic!("oidc-test-provider: {what}: invalid PEM"));
    assert!(
        !certificates.is_empty(),
        "oidc-test-provider: {what}: no certificate in PEM"
    );
    certificates
}

impl ServerTls {
    #[track_caller]
    pub(crate) fn new(cert_chain_pem: &[u8], key_pem: &[u8]) -> Self {
        let chain = certificates(cert_chain_pem, "tls certificate chain");
        // Errors are described, never printed: their text could quote the key.
        let key = PrivateKeyDer::from_pem_slice(key_pem)
            .unwrap_or_else(|_| panic!("oidc-test-provider: tls key: no private key in PEM"));
        let identity = CertifiedKey::from_der(chain, key, &provider()).unwrap_or_else(|_| {
            panic!("oidc-test-provider: tls key: unsupported, or not the certificate's key")
        });
        Self {
            identity: Arc::new(identity),
            client_roots: None,
        }
    }

    #[track_caller]
    pub(crate) fn require_client_certificates(&mut self, ca_pem: &[u8]) {
        let mut roots = RootCertStore::empty();
        for certificate in certificates(ca_pem, "client ca") {
            roots.add(certificate).unwrap_or_else(|e| {
                panic!("oidc-test-provider: client ca: not a usable trust anchor: {e}")
            });
        }
        self.client_roots = Some(Arc::new(roots));
    }

    /// The rustls server for these settings.
    pub(crate) fn acceptor(&self) -> TlsAcceptor {
        let builder = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .expect("oidc-test-provider: ring supports the default tls versions");
        let builder = match &self.client_roots {
            Some(roots) => {
                let verifier =
                    WebPkiClientVerifier::builder_with_provider(Arc::clone(roots), provider())
                        .build()
                        .expect("oidc-test-provider: client certificate verifier");
                builder.with_client_cert_verifier(verifier)
            }
            None => builder.with_no_client_auth(),
        };
        let mut config = builder
            .with_cert_resolver(Arc::new(SingleCertAndKey::from(Arc::clone(&self.identity))));
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        TlsAcceptor::from(Arc::new(config))
    }
}

/// The certificate the client presented (the first of its chain), DER-encoded.
pub(crate) fn client_certificate(connection: &ServerConnection) -> Option<Bytes> {
    connection
        .peer_certificates()
        .and_then(<[_]>::first)
        .map(|certificate| Bytes::copy_from_slice(certificate))
}

/// Closes a connection whose handshake failed once the client has read the alert: rustls has
/// written it already, but closing with the client's unread bytes (its request, sent right after
/// its last handshake message in TLS 1.3) still in the socket would reset the connection, and the
/// reset could destroy the alert before the client reads it. So: end our side, then read until
/// the client closes (bounded, in case it never does).
pub(crate) async fn close_after_failed_handshake(mut stream: TcpStream) {
    let _ = stream.shutdown().await;
    let drain = async {
        let mut buffer = [0_u8; 4096];
        while matches!(stream.read(&mut buffer).await, Ok(n) if n > 0) {}
    };
    let _ = tokio::time::timeout(DRAIN_LIMIT, drain).await;
}
