//! The default [`HttpClient`]: hyper-util's pooled client over hyper-rustls.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::header::{HeaderValue, USER_AGENT};
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Incoming};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::error::{classify, root_cause};
use crate::tls::{add_roots_from_pem, ClientIdentity};
use crate::{BoxFuture, HttpClient, HttpError, HttpErrorKind};

/// Default limit for a whole request, from sending it to reading the last
/// byte of the response body.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Default limit for establishing the TCP connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Default limit for the size of a response body (1 MiB). Discovery
/// documents, JWK sets and registration responses are far smaller.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 1_048_576;

/// The `User-Agent` sent when a request does not set one.
pub const DEFAULT_USER_AGENT: &str = concat!("oidc-rs/", env!("CARGO_PKG_VERSION"));

type PooledClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// An [`HttpClient`] backed by hyper with rustls (ring provider), HTTP/1.1 and
/// HTTP/2 negotiated through ALPN, and a keep-alive connection pool.
///
/// Cloning is cheap and clones share the connection pool, so build one and
/// reuse it (or use [`default_client`]).
///
/// On top of plain hyper it enforces what an OpenID Connect client needs: a
/// whole-request timeout, a response size limit while reading, a default
/// `User-Agent`, and no redirects followed. Where plain `http` may be used is
/// not its decision: the workspace's one https policy,
/// [`PlainHttp`](crate::PlainHttp), is applied above the [`HttpClient`] trait by
/// [`send`](crate::send), which every library call goes through, so it holds for
/// any backend. (A `HyperClient` used on its own sends the `http` and `https`
/// URLs it is given; call [`send`](crate::send) to have the policy checked.)
///
/// Pooled connections are driven by the Tokio runtime that opened them. When
/// that runtime shuts down, its connections close and the pool drops them, so
/// the next request (from another runtime) opens a new one: a client, like
/// [`default_client`], can outlive runtimes (as with one runtime per test).
#[derive(Clone)]
pub struct HyperClient {
    inner: Arc<Inner>,
}

struct Inner {
    client: PooledClient,
    timeout: Duration,
    connect_timeout: Duration,
    max_response_bytes: usize,
    user_agent: HeaderValue,
    added_roots: usize,
    trust_built_in_roots: bool,
    client_certificate: bool,
}

impl fmt::Debug for HyperClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("HyperClient")
            .field("timeout", &inner.timeout)
            .field("connect_timeout", &inner.connect_timeout)
            .field("max_response_bytes", &inner.max_response_bytes)
            .field("user_agent", &inner.user_agent)
            .field("added_roots", &inner.added_roots)
            .field("trust_built_in_roots", &inner.trust_built_in_roots)
            .field("client_certificate", &inner.client_certificate)
            .finish_non_exhaustive()
    }
}

impl HyperClient {
    /// Builds a client with the default settings.
    ///
    /// # Errors
    ///
    /// Fails only if the TLS configuration cannot be built.
    pub fn new() -> Result<Self, HttpError> {
        Self::builder().build()
    }

    /// Starts configuring a client.
    pub fn builder() -> HyperClientBuilder {
        HyperClientBuilder::default()
    }

    async fn execute(&self, mut request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let inner = &self.inner;
        // Only "an absolute http(s) URL": the https policy is applied above the trait.
        crate::PlainHttp::Anywhere.check(request.uri())?;
        let target = crate::util::redact_uri(request.uri());
        if !request.headers().contains_key(USER_AGENT) {
            request
                .headers_mut()
                .insert(USER_AGENT, inner.user_agent.clone());
        }
        let request = request.map(Full::new);
        match tokio::time::timeout(inner.timeout, self.round_trip(request, &target)).await {
            Ok(result) => result,
            Err(_elapsed) => Err(crate::util::timed_out(inner.timeout, &target)),
        }
    }

    async fn round_trip(
        &self,
        request: Request<Full<Bytes>>,
        target: &str,
    ) -> Result<Response<Bytes>, HttpError> {
        let response = self
            .inner
            .client
            .request(request)
            .await
            .map_err(|e| transport_error(e, "", target))?;
        let (parts, body) = response.into_parts();
        let body = read_body(body, self.inner.max_response_bytes, target).await?;
        Ok(Response::from_parts(parts, body))
    }
}

impl HttpClient for HyperClient {
    fn send(&self, request: Request<Bytes>) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        Box::pin(self.execute(request))
    }
}

/// Reads the body into memory, failing as soon as it is known to exceed
/// `limit` so that a hostile server cannot make us buffer unbounded data.
async fn read_body(mut body: Incoming, limit: usize, target: &str) -> Result<Bytes, HttpError> {
    let too_large = || {
        HttpError::new(
            HttpErrorKind::BodyTooLarge,
            format!("response body exceeds the limit of {limit} bytes: {target}"),
        )
    };
    // hyper derives the lower bound from Content-Length, and knows that
    // responses to HEAD or with 204/304 have no body whatever the header says.
    let announced = body.size_hint().lower();
    if usize::try_from(announced).map_or(true, |n| n > limit) {
        return Err(too_large());
    }
    let mut buf = BytesMut::with_capacity(usize::try_from(announced).unwrap_or(0));
    while let Some(frame) = body.frame().await {
        let frame =
            frame.map_err(|e| transport_error(e, "failed to read response body", target))?;
        if let Ok(data) = frame.into_data() {
            if data.len() > limit - buf.len() {
                return Err(too_large());
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(buf.freeze())
}

/// Converts an error from hyper or its connector, keeping it as the source.
/// `context` overrides the kind's default description of what failed.
fn transport_error(
    err: impl std::error::Error + Send + Sync + 'static,
    context: &str,
    target: &str,
) -> HttpError {
    let (kind, tls_failure) = classify(&err);
    let context = if !context.is_empty() {
        context
    } else {
        match kind {
            HttpErrorKind::Connect => "connection failed",
            HttpErrorKind::Tls => "tls handshake failed",
            HttpErrorKind::Timeout => "connection timed out",
            HttpErrorKind::Protocol => "http protocol error",
            _ => "request failed",
        }
    };
    let cause = root_cause(&err);
    let error = HttpError::new(kind, format!("{context}: {target}: {cause}"));
    match tls_failure {
        Some(failure) => error.with_tls_failure(failure),
        None => error,
    }
    .with_source(err)
}

/// Configures a [`HyperClient`]; obtained from [`HyperClient::builder`].
///
/// # TLS
///
/// By default the client trusts Mozilla's roots (`webpki-roots`, compiled in) plus the
/// operating system's store, read by `rustls-native-certs` when the client is built. That
/// store honours `SSL_CERT_FILE` (a PEM file) and `SSL_CERT_DIR` (directories of PEM files):
/// when either is set, the certificates there replace the system's (the compiled-in roots are
/// still trusted). On top of that:
///
/// - [`add_root_certificates_pem`](Self::add_root_certificates_pem) trusts more anchors, such
///   as a private CA;
/// - [`trust_built_in_roots(false)`](Self::trust_built_in_roots) trusts only those added;
/// - [`client_certificate_pem`](Self::client_certificate_pem) presents a client certificate
///   (mutual TLS, for `tls_client_auth` / `self_signed_tls_client_auth` clients and a
///   provider's `mtls_endpoint_aliases`).
///
/// Server certificates are always verified (chain, validity period, host name): there is no
/// switch that turns verification off. Only TLS 1.2 and 1.3 are offered.
///
/// ```no_run
/// use oidc_http::HyperClient;
///
/// let client = HyperClient::builder()
///     .add_root_certificates_pem(&std::fs::read("corp-ca.pem")?)?
///     .trust_built_in_roots(false)
///     .client_certificate_pem(&std::fs::read("client.pem")?, &std::fs::read("client.key")?)?
///     .build()?;
/// # drop(client);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct HyperClientBuilder {
    timeout: Duration,
    connect_timeout: Duration,
    max_response_bytes: usize,
    user_agent: String,
    added_roots: rustls::RootCertStore,
    trust_built_in_roots: bool,
    client_identity: Option<ClientIdentity>,
}

impl fmt::Debug for HyperClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The client identity holds a private key: only its presence is shown.
        f.debug_struct("HyperClientBuilder")
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("user_agent", &self.user_agent)
            .field("added_roots", &self.added_roots.len())
            .field("trust_built_in_roots", &self.trust_built_in_roots)
            .field("client_certificate", &self.client_identity.is_some())
            .finish()
    }
}

impl Default for HyperClientBuilder {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            added_roots: rustls::RootCertStore::empty(),
            trust_built_in_roots: true,
            client_identity: None,
        }
    }
}

impl HyperClientBuilder {
    /// Limit for the whole request, including connecting and reading the
    /// response body. Default [`DEFAULT_TIMEOUT`] (30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Limit for establishing a TCP connection. Default
    /// [`DEFAULT_CONNECT_TIMEOUT`] (10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Largest response body accepted, in bytes. Default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`] (1 MiB).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// `User-Agent` for requests that do not set their own. Default
    /// [`DEFAULT_USER_AGENT`] (`oidc-rs/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Also trusts the certificates in `pem` (every `CERTIFICATE` section; other sections such
    /// as keys are skipped) as roots: a private CA's certificate, or a self-signed server
    /// certificate to pin. May be called more than once; each adds to the set.
    ///
    /// ```
    /// use oidc_http::{HttpErrorKind, HyperClient};
    ///
    /// let err = HyperClient::builder().add_root_certificates_pem(b"not pem").unwrap_err();
    /// assert_eq!(err.kind(), HttpErrorKind::InvalidRequest);
    /// assert_eq!(err.to_string(), "root certificates: no certificate in PEM");
    /// ```
    ///
    /// # Errors
    ///
    /// [`HttpErrorKind::InvalidRequest`] when `pem` holds no certificate, a section is broken
    /// (no `END` line, not base64), or a certificate cannot be parsed as a trust anchor.
    pub fn add_root_certificates_pem(mut self, pem: &[u8]) -> Result<Self, HttpError> {
        add_roots_from_pem(&mut self.added_roots, pem)?;
        Ok(self)
    }

    /// Whether the built-in roots (Mozilla's plus the operating system's, see
    /// [TLS](Self#tls)) are trusted too; default `true`. With `false` only the roots added with
    /// [`add_root_certificates_pem`](Self::add_root_certificates_pem) are, so a certificate from
    /// any other CA, public ones included, is refused as
    /// [`UntrustedCertificate`](crate::TlsFailure::UntrustedCertificate).
    pub fn trust_built_in_roots(mut self, trust: bool) -> Self {
        self.trust_built_in_roots = trust;
        self
    }

    /// Presents this client certificate when a server asks for one (mutual TLS). `cert_chain_pem`
    /// holds the client's certificate first, then any intermediates; `key_pem` its private key
    /// (PKCS#8 `PRIVATE KEY`, PKCS#1 `RSA PRIVATE KEY` or SEC1 `EC PRIVATE KEY`; RSA, ECDSA
    /// P-256/P-384 or Ed25519). Replaces a certificate set before.
    ///
    /// The key is kept only in the TLS configuration: no `Debug` output or error message shows
    /// it.
    ///
    /// # Errors
    ///
    /// [`HttpErrorKind::InvalidRequest`] when either PEM document is unreadable or has no
    /// certificate or key, the key type is unsupported, or the key is not the certificate's.
    pub fn client_certificate_pem(
        mut self,
        cert_chain_pem: &[u8],
        key_pem: &[u8],
    ) -> Result<Self, HttpError> {
        let provider = rustls::crypto::ring::default_provider();
        self.client_identity = Some(ClientIdentity::from_pem(
            cert_chain_pem,
            key_pem,
            &provider,
        )?);
        Ok(self)
    }

    /// Builds the client, its TLS configuration and its connection pool.
    ///
    /// # Errors
    ///
    /// [`HttpErrorKind::InvalidRequest`] if the user agent is not a valid
    /// header value, or if the built-in roots are off and none were added;
    /// [`HttpErrorKind::Tls`] if the TLS configuration cannot be built.
    pub fn build(self) -> Result<HyperClient, HttpError> {
        let user_agent = HeaderValue::from_str(&self.user_agent).map_err(|e| {
            HttpError::new(
                HttpErrorKind::InvalidRequest,
                "user agent is not a valid header value",
            )
            .with_source(e)
        })?;

        let roots = self.root_store()?;

        // The provider is passed explicitly so that the process-wide default
        // (unset, or set differently by another crate) never matters.
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| {
                HttpError::new(HttpErrorKind::Tls, "failed to configure tls").with_source(e)
            })?
            .with_root_certificates(roots);
        let tls = match &self.client_identity {
            Some(identity) => tls.with_client_cert_resolver(Arc::new(
                rustls::sign::SingleCertAndKey::from(Arc::clone(&identity.0)),
            )),
            None => tls.with_no_client_auth(),
        };

        let mut http = HttpConnector::new();
        http.set_connect_timeout(Some(self.connect_timeout));
        http.set_nodelay(true);
        // The https connector below needs to see https URIs too.
        http.enforce_http(false);

        let connector = HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_all_versions()
            .wrap_connector(http);

        let client = Client::builder(TokioExecutor::new())
            // Without a timer idle pooled connections would never be closed.
            .pool_timer(TokioTimer::new())
            .build(connector);

        Ok(HyperClient {
            inner: Arc::new(Inner {
                client,
                timeout: self.timeout,
                connect_timeout: self.connect_timeout,
                max_response_bytes: self.max_response_bytes,
                user_agent,
                added_roots: self.added_roots.len(),
                trust_built_in_roots: self.trust_built_in_roots,
                client_certificate: self.client_identity.is_some(),
            }),
        })
    }

    /// The added roots, plus (unless turned off) Mozilla's and the operating system's, so both
    /// public providers and ones behind an enterprise CA installed on the host are trusted.
    fn root_store(&self) -> Result<rustls::RootCertStore, HttpError> {
        let mut roots = self.added_roots.clone();
        if self.trust_built_in_roots {
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            // A missing or partly unreadable OS store is common in containers; the
            // webpki roots are enough on their own, so load errors are ignored.
            let native = rustls_native_certs::load_native_certs();
            roots.add_parsable_certificates(native.certs);
        } else if roots.is_empty() {
            return Err(HttpError::new(
                HttpErrorKind::InvalidRequest,
                "no trust anchors: the built-in roots are off and no root certificate was added",
            ));
        }
        Ok(roots)
    }
}

/// The shared client behind [`default_client`].
static DEFAULT_CLIENT: OnceLock<Arc<dyn HttpClient>> = OnceLock::new();

/// A process-wide [`HyperClient`] with default settings, built on first use.
///
/// Every call returns the same client, so all callers share one connection
/// pool. Should building it fail, the returned client reports that error
/// from every [`send`](HttpClient::send) instead of panicking.
pub fn default_client() -> Arc<dyn HttpClient> {
    DEFAULT_CLIENT
        .get_or_init(|| match HyperClient::new() {
            Ok(client) => Arc::new(client),
            Err(err) => Arc::new(FailedClient {
                kind: err.kind(),
                message: err.to_string(),
            }),
        })
        .clone()
}

/// Stands in for a default client that could not be built.
#[derive(Debug)]
struct FailedClient {
    kind: HttpErrorKind,
    message: String,
}

impl HttpClient for FailedClient {
    fn send(&self, _request: Request<Bytes>) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        let err = HttpError::new(
            self.kind,
            format!("default http client is unavailable: {}", self.message),
        );
        Box::pin(async move { Err(err) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_scheme_host_port_path() {
        let uri: http::Uri = "https://u:p@[::1]:8443/a/b?c=d".parse().unwrap();
        assert_eq!(crate::util::redact_uri(&uri), "https://[::1]:8443/a/b");
        let uri: http::Uri = "https://example.com".parse().unwrap();
        assert_eq!(crate::util::redact_uri(&uri), "https://example.com/");
    }

    #[test]
    fn builder_defaults() {
        let builder = HyperClient::builder();
        assert_eq!(builder.timeout, Duration::from_secs(30));
        assert_eq!(builder.connect_timeout, Duration::from_secs(10));
        assert_eq!(builder.max_response_bytes, 1_048_576);
        assert_eq!(
            builder.user_agent,
            format!("oidc-rs/{}", env!("CARGO_PKG_VERSION"))
        );
        assert!(builder.trust_built_in_roots);
        assert!(builder.added_roots.is_empty());
        assert!(builder.client_identity.is_none());
    }

    #[test]
    fn trusting_nothing_is_refused_when_building() {
        let err = HyperClient::builder()
            .trust_built_in_roots(false)
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), HttpErrorKind::InvalidRequest);
        assert_eq!(
            err.to_string(),
            "no trust anchors: the built-in roots are off and no root certificate was added"
        );
    }

    #[test]
    fn invalid_user_agent_is_rejected() {
        let err = HyperClient::builder()
            .user_agent("bad\nagent")
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), HttpErrorKind::InvalidRequest);
    }

    #[test]
    fn debug_shows_settings() {
        let client = HyperClient::builder()
            .timeout(Duration::from_millis(1500))
            .max_response_bytes(42)
            .build()
            .unwrap();
        let debug = format!("{client:?}");
        assert!(debug.starts_with("HyperClient {"), "{debug}");
        assert!(debug.contains("timeout: 1.5s"), "{debug}");
        assert!(debug.contains("max_response_bytes: 42"), "{debug}");
    }

    #[tokio::test]
    async fn failed_default_client_reports_its_error() {
        let client = FailedClient {
            kind: HttpErrorKind::Tls,
            message: "failed to configure tls".into(),
        };
        let err = client.send(Request::new(Bytes::new())).await.unwrap_err();
        assert_eq!(err.kind(), HttpErrorKind::Tls);
        assert_eq!(
            err.to_string(),
            "default http client is unavailable: failed to configure tls"
        );
    }
}
