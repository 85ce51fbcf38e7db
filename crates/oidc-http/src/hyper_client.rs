//! The default [`HttpClient`]: hyper-util's pooled client over hyper-rustls.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::header::{HeaderValue, HOST, USER_AGENT};
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Incoming};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use rustls::crypto::CryptoProvider;

use crate::client::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, DEFAULT_USER_AGENT,
};
use crate::error::{classify, proxy_failure, root_cause};
use crate::pem::{add_roots_from_pem, ClientIdentity};
use crate::proxy::{check_proxy_url, ProxyConnector, ProxySetting};
use crate::{BoxFuture, HttpClient, HttpError, HttpErrorKind};

type PooledClient = Client<HttpsConnector<ProxyConnector>, Full<Bytes>>;

/// An [`HttpClient`] backed by hyper with rustls, HTTP/1.1 and HTTP/2 negotiated through
/// ALPN, and a keep-alive connection pool; optionally through an HTTP proxy
/// ([`HyperClientBuilder::proxy`], [`HyperClientBuilder::proxy_from_env`]). The rustls crypto
/// provider is chosen as the crate docs' [Crypto provider](crate#crypto-provider) says.
///
/// Cloning is cheap and clones share the connection pool, so build one and
/// reuse it (or use [`default_client`](crate::default_client)).
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
/// [`default_client`](crate::default_client), can outlive runtimes (as with one runtime per test).
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
    proxy: ProxySetting,
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
            .field("proxy", &ProxyDebug(&inner.proxy))
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
        if !request.headers().contains_key(USER_AGENT) {
            request
                .headers_mut()
                .insert(USER_AGENT, inner.user_agent.clone());
        }
        // hyper-util would add the same header, but with a `format!` per request; this is a
        // slice of the URI's own text.
        if !request.headers().contains_key(HOST) {
            let host = crate::util::host_header_text(request.uri())
                .and_then(|text| HeaderValue::from_str(text).ok());
            if let Some(host) = host {
                request.headers_mut().insert(HOST, host);
            }
        }
        let request = request.map(Full::new);
        match tokio::time::timeout(inner.timeout, self.round_trip(request)).await {
            Ok(result) => result,
            Err(_elapsed) => Err(crate::util::timed_out(inner.timeout)),
        }
    }

    async fn round_trip(
        &self,
        request: Request<Full<Bytes>>,
    ) -> Result<Response<Bytes>, HttpError> {
        let response = self
            .inner
            .client
            .request(request)
            .await
            .map_err(|e| transport_error(e, ""))?;
        let (parts, body) = response.into_parts();
        let body = read_body(body, self.inner.max_response_bytes).await?;
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
async fn read_body(mut body: Incoming, limit: usize) -> Result<Bytes, HttpError> {
    let too_large = || crate::util::too_large(limit);
    // hyper derives the lower bound from Content-Length, and knows that
    // responses to HEAD or with 204/304 have no body whatever the header says.
    let announced = body.size_hint().lower();
    if usize::try_from(announced).map_or(true, |n| n > limit) {
        return Err(too_large());
    }
    // A small answer usually arrives as one data frame: that frame is the body as it is, with
    // no copy. A second frame starts a buffer holding both.
    let mut first: Option<Bytes> = None;
    let mut buf: Option<BytesMut> = None;
    let mut received = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| transport_error(e, "failed to read response body"))?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        if data.len() > limit - received {
            return Err(too_large());
        }
        received += data.len();
        match (&mut buf, first.take()) {
            (Some(buf), _) => buf.extend_from_slice(&data),
            (None, None) => first = Some(data),
            (None, Some(earlier)) => {
                let capacity = usize::try_from(announced).unwrap_or(0).max(received);
                let mut joined = BytesMut::with_capacity(capacity);
                joined.extend_from_slice(&earlier);
                joined.extend_from_slice(&data);
                buf = Some(joined);
            }
        }
    }
    Ok(match buf {
        Some(buf) => buf.freeze(),
        None => first.unwrap_or_default(),
    })
}

/// Converts an error from hyper or its connector: what failed (`context`, or the kind's default
/// description) and the deepest cause, where the actionable detail is. The message already says
/// the cause, so hyper's error is not kept as the `source()`: a chain printer shows it once.
fn transport_error(err: impl std::error::Error + 'static, context: &str) -> HttpError {
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
    let cause = proxy_failure(&err).unwrap_or_else(|| root_cause(&err));
    let error = HttpError::new(kind, format!("{context}: {cause}"));
    match tls_failure {
        Some(failure) => error.with_tls_failure(failure),
        None => error,
    }
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
    crypto_provider: Option<Arc<CryptoProvider>>,
    proxy: ProxySetting,
}

/// A proxy setting without the proxy's credentials.
struct ProxyDebug<'a>(&'a ProxySetting);

impl fmt::Debug for ProxyDebug<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            ProxySetting::Direct => f.write_str("None"),
            ProxySetting::FromEnv => f.write_str("FromEnv"),
            ProxySetting::Explicit { url, no_proxy } => f
                .debug_struct("Explicit")
                .field("url", &crate::redact_url(url))
                .field("no_proxy", no_proxy)
                .finish(),
        }
    }
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
            .field("crypto_provider", &self.crypto_provider.is_some())
            .field("proxy", &ProxyDebug(&self.proxy))
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
            crypto_provider: None,
            proxy: ProxySetting::Direct,
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
        let provider = self.resolve_crypto_provider()?;
        self.client_identity = Some(ClientIdentity::from_pem(
            cert_chain_pem,
            key_pem,
            &provider,
        )?);
        Ok(self)
    }

    /// Uses this rustls crypto provider, whatever the cargo features and the process-level
    /// default say (see [Crypto provider](crate#crypto-provider)). Set it before
    /// [`client_certificate_pem`](Self::client_certificate_pem), which loads the key with it.
    ///
    /// ```
    /// # #[cfg(feature = "aws-lc-rs")] {
    /// use std::sync::Arc;
    /// use oidc_http::HyperClient;
    ///
    /// let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    /// let client = HyperClient::builder().crypto_provider(provider).build()?;
    /// # drop(client);
    /// # }
    /// # Ok::<(), oidc_http::HttpError>(())
    /// ```
    pub fn crypto_provider(mut self, provider: Arc<CryptoProvider>) -> Self {
        self.crypto_provider = Some(provider);
        self
    }

    /// Sends every request through the HTTP proxy at `url` (`http://host:port`, optionally
    /// `http://user:password@host:port` for basic proxy authentication), except to the hosts
    /// in a [`no_proxy`](Self::no_proxy) list. Replaces [`proxy_from_env`](Self::proxy_from_env).
    ///
    /// Each connection is an HTTP `CONNECT` tunnel through the proxy, for `https` and plain
    /// `http` URLs alike: TLS runs inside the tunnel, end to end, so the proxy sees the host
    /// and port but no request, header or token, and the server's certificate is verified as
    /// without a proxy. The connect timeout applies to reaching the proxy; the whole-request
    /// timeout covers the tunnel's setup too. A proxy that refuses the tunnel (`407`, `403`,
    /// …) is an [`HttpErrorKind::Connect`] error naming the proxy, never its credentials.
    ///
    /// ```
    /// use oidc_http::{HttpErrorKind, HyperClient};
    ///
    /// let client = HyperClient::builder().proxy("http://proxy.internal:3128")?.build()?;
    /// # drop(client);
    /// let err = HyperClient::builder().proxy("socks5://proxy.internal:1080").unwrap_err();
    /// assert_eq!(err.kind(), HttpErrorKind::InvalidRequest);
    /// # Ok::<(), oidc_http::HttpError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`HttpErrorKind::InvalidRequest`] when `url` is not an `http://` URL with a host (https
    /// and SOCKS proxies are not supported).
    pub fn proxy(mut self, url: &str) -> Result<Self, HttpError> {
        check_proxy_url(url)?;
        let no_proxy = match self.proxy {
            ProxySetting::Explicit { no_proxy, .. } => no_proxy,
            _ => None,
        };
        self.proxy = ProxySetting::Explicit {
            url: url.to_owned(),
            no_proxy,
        };
        Ok(self)
    }

    /// Hosts that the [`proxy`](Self::proxy) set explicitly is bypassed for, in `NO_PROXY`
    /// syntax: comma-separated names (`op.example` also matches its subdomains, `.op.example`
    /// only them), IP addresses, CIDR blocks (`10.0.0.0/8`), or `*` for all. Call it after
    /// [`proxy`](Self::proxy); it has no effect otherwise.
    pub fn no_proxy(mut self, hosts: &str) -> Self {
        if let ProxySetting::Explicit { no_proxy, .. } = &mut self.proxy {
            *no_proxy = Some(hosts.to_owned());
        }
        self
    }

    /// Takes the proxy from the environment, read when the client is
    /// [built](Self::build), as curl does: `HTTPS_PROXY` for `https` URLs, `HTTP_PROXY` for
    /// plain `http` ones (ignored when `REQUEST_METHOD` is set, as under CGI, where a request
    /// header can set it), `ALL_PROXY` for both, and `NO_PROXY` for the hosts to reach
    /// directly; each in upper or lower case, upper case first. Replaces
    /// [`proxy`](Self::proxy). Without a call to this the environment is never read: a
    /// library's requests go through a proxy only when the program asks for it.
    ///
    /// Connections go through `CONNECT` tunnels, as described at [`proxy`](Self::proxy); a
    /// proxy variable naming an `https://` or SOCKS proxy makes the requests it covers fail
    /// with [`HttpErrorKind::Connect`].
    pub fn proxy_from_env(mut self) -> Self {
        self.proxy = ProxySetting::FromEnv;
        self
    }

    /// The provider the client will use: the one [set](Self::crypto_provider), else the
    /// process-level default, else the one a cargo feature compiles in.
    fn resolve_crypto_provider(&self) -> Result<Arc<CryptoProvider>, HttpError> {
        if let Some(provider) = &self.crypto_provider {
            return Ok(Arc::clone(provider));
        }
        if let Some(provider) = CryptoProvider::get_default() {
            return Ok(Arc::clone(provider));
        }
        compiled_in_provider().map(Arc::new).ok_or_else(|| {
            HttpError::new(
                HttpErrorKind::Tls,
                "no rustls crypto provider: enable oidc-http's `aws-lc-rs` or `ring` feature, \
                 install a process-level provider (rustls::crypto::CryptoProvider::install_default) \
                 or pass one to HyperClientBuilder::crypto_provider",
            )
        })
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

        // The provider is passed explicitly: rustls's own choice (`ClientConfig::builder()`)
        // would install a process-level default, or panic with two providers compiled in.
        let provider = self.resolve_crypto_provider()?;
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
            .wrap_connector(ProxyConnector::new(http, self.proxy.matcher()));

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
                proxy: self.proxy,
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

/// The provider a cargo feature compiles in: ring when the `ring` feature is on (it is only
/// ever turned on on purpose, while `aws-lc-rs` comes with the defaults), else aws-lc-rs.
pub(crate) fn compiled_in_provider() -> Option<CryptoProvider> {
    #[cfg(feature = "ring")]
    return Some(rustls::crypto::ring::default_provider());
    #[cfg(all(feature = "aws-lc-rs", not(feature = "ring")))]
    return Some(rustls::crypto::aws_lc_rs::default_provider());
    #[cfg(not(any(feature = "ring", feature = "aws-lc-rs")))]
    None
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
}
