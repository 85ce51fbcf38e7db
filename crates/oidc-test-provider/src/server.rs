//! The provider handle, its builder, and the HTTP server behind them.

use std::collections::HashMap;
use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use http::header::{HeaderValue, CACHE_CONTROL};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

use crate::behaviour::{build_response, Behaviour};
use crate::body::ResponseBody;
use crate::discovery;
use crate::recorded::RecordedRequest;
use crate::registration::{
    self, ClientStore, ConfigurationRequest, Effect, Quirks, RegistrationSettings,
};
use crate::reply::Reply;
use crate::tls::ServerTls;
use crate::Endpoint;

/// Request bodies larger than this are refused (413) rather than buffered.
const MAX_REQUEST_BODY: usize = 1024 * 1024;

/// Locks a mutex, recovering from poisoning: the data are plain values that stay consistent even
/// if a test thread panicked while holding the lock.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Configures and starts a [`TestProvider`].
#[derive(Debug, Clone)]
pub struct TestProviderBuilder {
    issuer_path: String,
    issuer_trailing_slash: bool,
    registration: bool,
    initial_access_token: Option<String>,
    registration_status: u16,
    discovery_cache_control: String,
    quirks: Quirks,
    tls: Option<ServerTls>,
    resource_path: Option<String>,
    client_id_metadata_documents: bool,
}

impl Default for TestProviderBuilder {
    fn default() -> Self {
        Self {
            issuer_path: String::new(),
            issuer_trailing_slash: false,
            registration: true,
            initial_access_token: None,
            registration_status: 201,
            discovery_cache_control: "public, max-age=300".to_owned(),
            quirks: Quirks::default(),
            tls: None,
            resource_path: None,
            client_id_metadata_documents: false,
        }
    }
}

impl TestProviderBuilder {
    /// Path of the issuer below the base URL, e.g. `"/tenant-a"`; default `""` (the issuer is the
    /// base URL). A missing leading `/` is added and trailing `/`s are removed; use
    /// [`issuer_trailing_slash`](Self::issuer_trailing_slash) for an issuer ending in `/`.
    pub fn issuer_path(mut self, path: impl Into<String>) -> Self {
        let path = path.into();
        let trimmed = path.trim_matches('/');
        self.issuer_path = if trimmed.is_empty() {
            String::new()
        } else {
            format!("/{trimmed}")
        };
        self
    }

    /// Whether the issuer ends with `/`; default `false`.
    pub fn issuer_trailing_slash(mut self, trailing_slash: bool) -> Self {
        self.issuer_trailing_slash = trailing_slash;
        self
    }

    /// Whether dynamic registration is offered; default `true`. When `false` the metadata has no
    /// `registration_endpoint` and `/register` (and everything below it) answers 404.
    pub fn registration(mut self, enabled: bool) -> Self {
        self.registration = enabled;
        self
    }

    /// Requires `Authorization: Bearer <token>` on `POST /register`; otherwise the answer is
    /// 401 `{"error":"invalid_token"}` with `WWW-Authenticate: Bearer error="invalid_token"`.
    pub fn initial_access_token(mut self, token: impl Into<String>) -> Self {
        self.initial_access_token = Some(token.into());
        self
    }

    /// Status of a successful registration: 201 (default) or 200. Other valid codes are used as
    /// given; an invalid code falls back to 201.
    pub fn registration_status(mut self, status: u16) -> Self {
        self.registration_status = status;
        self
    }

    /// `Cache-Control` value sent with the metadata documents and the JWK Set; default
    /// `"public, max-age=300"`.
    pub fn discovery_cache_control(mut self, value: impl Into<String>) -> Self {
        self.discovery_cache_control = value.into();
        self
    }

    /// Status of a successful `DELETE /register/{client_id}`; default 204 (RFC 7592 §2.3). The
    /// body stays empty whatever the code, since some servers answer `200 OK` with an empty body.
    /// The client is deleted whatever code is chosen here; to make a DELETE fail, set a
    /// [`Behaviour`] on [`Endpoint::ClientConfiguration`] instead. A code that is not a valid
    /// status falls back to 204.
    pub fn delete_status(mut self, status: u16) -> Self {
        self.quirks.delete_status = StatusCode::from_u16(status).unwrap_or(StatusCode::NO_CONTENT);
        self
    }

    /// Issues `registration_client_uri`s carrying this query string, e.g. `"tenant=a&x=1"` gives
    /// `{base}/register/{client_id}?tenant=a&x=1` (a leading `?` is dropped; `""` means no query).
    /// Gluu's oxAuth issues `.../register?client_id=...`, and multi-tenant servers may select the
    /// tenant by query parameter.
    ///
    /// The configuration endpoint still routes on the path alone, and the query a client sent is
    /// recorded in [`RecordedRequest::path_and_query`](crate::RecordedRequest::path_and_query)
    /// (see also [`RecordedRequest::query`](crate::RecordedRequest::query)). While this option is
    /// set, every `GET|PUT|DELETE` must carry each `name=value` pair of this query (compared
    /// byte for byte, in any order, extra pairs allowed), otherwise the answer is 401
    /// `invalid_token` like for a bad token: a client that drops the query is caught. The value
    /// is used as given, so it should already be percent-encoded.
    pub fn registration_client_uri_query(mut self, query: impl Into<String>) -> Self {
        let query = query.into();
        let query = query.strip_prefix('?').unwrap_or(&query);
        self.quirks.registration_client_uri_query = (!query.is_empty()).then(|| query.to_owned());
        self
    }

    /// Whether the registration response echoes the client metadata; default `true`
    /// (RFC 7591 §3.2.1). When `false` the create response carries only `client_id`,
    /// `client_id_issued_at`, `client_secret`, `client_secret_expires_at`,
    /// `registration_access_token` and `registration_client_uri` (those that apply), as Gluu does.
    /// The stored record, reads and updates still carry the full metadata.
    pub fn echo_metadata(mut self, echo: bool) -> Self {
        self.quirks.echo_metadata = echo;
        self
    }

    /// The `client_secret_expires_at` sent whenever a client secret is issued; default `Some(0)`
    /// (never expires). `None` leaves the member out, which RFC 7591 §3.2.1 makes mandatory
    /// alongside a secret but which some servers omit. An update keeps the value the client
    /// already has.
    pub fn client_secret_expires_at(mut self, expires_at: Option<i64>) -> Self {
        self.quirks.client_secret_expires_at = expires_at;
        self
    }

    /// Whether every successful `GET /register/{client_id}` issues and stores a new
    /// `client_secret` (the old one is gone); default `false`. Clients without a secret get none.
    /// RFC 7592 §2.1 allows a read response to carry a changed secret, and some servers do
    /// regenerate it on read.
    pub fn rotate_secret_on_read(mut self, rotate: bool) -> Self {
        self.quirks.rotate_secret_on_read = rotate;
        self
    }

    /// Whether every successful `GET /register/{client_id}` issues a new
    /// `registration_access_token`; default `false`. The old token stops working at once, so a
    /// client must use the token from each read response (RFC 7592 §2.1 allows this rotation).
    /// Curity rotates on GET and PUT, Janssen on every use when
    /// `rotateClientRegistrationAccessTokenOnUsage` is on.
    pub fn rotate_token_on_read(mut self, rotate: bool) -> Self {
        self.quirks.rotate_token_on_read = rotate;
        self
    }

    /// Whether every successful `PUT /register/{client_id}` issues a new
    /// `registration_access_token`; default `false`. The old token stops working at once. Keycloak
    /// and node `oidc-provider` (with `rotateRegistrationAccessToken`) rotate on update.
    pub fn rotate_token_on_update(mut self, rotate: bool) -> Self {
        self.quirks.rotate_token_on_update = rotate;
        self
    }

    /// Whether `token_endpoint_auth_method` is echoed as a one-element JSON array
    /// (`["client_secret_basic"]`) instead of a string in create, read and update responses (and
    /// in the stored record); default `false`. Seen on servers that store every metadata member as
    /// multi-valued. Requests must still send a string: an array is refused as invalid metadata.
    pub fn auth_method_as_array(mut self, as_array: bool) -> Self {
        self.quirks.auth_method_as_array = as_array;
        self
    }

    /// Whether `PUT /register/{client_id}` requires `client_id` in the body; default `true`
    /// (RFC 7592 §2.2). When `false` the body may omit it, as servers that take the client from
    /// the URI alone accept; a `client_id` that is sent must still match.
    pub fn require_client_id_in_update(mut self, require: bool) -> Self {
        self.quirks.require_client_id_in_update = require;
        self
    }

    /// Serves https instead of plain http, with this certificate chain (the server's certificate
    /// first, then any intermediates) and its private key (PKCS#8, PKCS#1 or SEC1), as PEM. The
    /// issuer and every URL then start with `https://127.0.0.1:{port}`, so a certificate for
    /// `127.0.0.1` is accepted and one only for `localhost` is refused for its host name. TLS 1.2
    /// and 1.3 (rustls, ring) with ALPN `h2` and `http/1.1`.
    ///
    /// # Panics
    ///
    /// When either PEM document has no certificate or key, or the key is not the certificate's
    /// (the message never quotes the key).
    #[track_caller]
    pub fn tls(mut self, cert_chain_pem: impl AsRef<[u8]>, key_pem: impl AsRef<[u8]>) -> Self {
        let client_roots = self.tls.take().and_then(|tls| tls.client_roots);
        let mut tls = ServerTls::new(cert_chain_pem.as_ref(), key_pem.as_ref());
        tls.client_roots = client_roots;
        self.tls = Some(tls);
        self
    }

    /// Requires every https client to present a certificate that chains to one of the CA
    /// certificates in `ca_pem`; a client without one fails the handshake (`certificate_required`
    /// alert), one with another CA's too (`unknown_ca`). The certificate each request came with
    /// is in [`RecordedRequest::client_certificate`](crate::RecordedRequest::client_certificate).
    /// Call after [`tls`](Self::tls).
    ///
    /// # Panics
    ///
    /// When [`tls`](Self::tls) was not called first, or `ca_pem` holds no usable certificate.
    #[track_caller]
    pub fn client_ca(mut self, ca_pem: impl AsRef<[u8]>) -> Self {
        let Some(tls) = self.tls.as_mut() else {
            panic!("oidc-test-provider: client_ca needs tls(..) first");
        };
        tls.require_client_certificates(ca_pem.as_ref());
        self
    }

    /// Also acts as an OAuth 2.0 protected resource at `path` (e.g. `"/mcp"`; a missing
    /// leading `/` is added), as an MCP server does: any request to it without an
    /// `Authorization: Bearer` header gets 401 with
    /// `WWW-Authenticate: Bearer error="invalid_token", resource_metadata="{base}/.well-known/oauth-protected-resource{path}"`
    /// (RFC 9728 §5.1), and that URL serves the resource's metadata (§3): `resource`
    /// `{base}{path}`, this provider's issuer as the only authorization server,
    /// `bearer_methods_supported` `["header"]` and `scopes_supported` `["mcp:tools"]`. Replace
    /// the document with [`TestProvider::set_resource_document`]. With a token the resource
    /// answers 200 `{"ok":true}` (tokens are not checked).
    pub fn protected_resource(mut self, path: impl Into<String>) -> Self {
        let path = path.into();
        let trimmed = path.trim_start_matches('/');
        self.resource_path = Some(format!("/{trimmed}"));
        self
    }

    /// Advertises `client_id_metadata_document_supported: true` in the metadata; default
    /// `false`. (The provider does not run authorization requests, so it never fetches a
    /// document itself: tests host one with [`TestProvider::host_document`] and fetch it with
    /// the library.)
    pub fn client_id_metadata_documents(mut self, supported: bool) -> Self {
        self.client_id_metadata_documents = supported;
        self
    }

    /// Binds `127.0.0.1:0` and starts serving on the current Tokio runtime.
    ///
    /// # Panics
    ///
    /// Panics only if the loopback listener cannot be bound.
    pub fn start(self) -> impl Future<Output = TestProvider> {
        TestProvider::launch(self)
    }
}

/// The routes the server knows, computed once from the configuration.
#[derive(Debug)]
struct Routes {
    discovery: String,
    oauth_discovery: String,
    /// `/.well-known/openid-configuration{issuer path}`, for issuers with a path.
    discovery_inserted: Option<String>,
    registration: bool,
    resource: Option<String>,
    resource_metadata: Option<String>,
}

/// Where a request goes.
enum Route<'a> {
    Fixed(Endpoint),
    Client(&'a str),
}

impl Route<'_> {
    fn endpoint(&self) -> Endpoint {
        match self {
            Self::Fixed(endpoint) => *endpoint,
            Self::Client(_) => Endpoint::ClientConfiguration,
        }
    }
}

impl Routes {
    fn route<'p>(&self, path: &'p str) -> Option<Route<'p>> {
        if path == self.discovery {
            return Some(Route::Fixed(Endpoint::Discovery));
        }
        if path == self.oauth_discovery {
            return Some(Route::Fixed(Endpoint::OAuthDiscovery));
        }
        if path == "/jwks" {
            return Some(Route::Fixed(Endpoint::Jwks));
        }
        if self.discovery_inserted.as_deref() == Some(path) {
            return Some(Route::Fixed(Endpoint::DiscoveryPathInserted));
        }
        if self.resource.as_deref() == Some(path) {
            return Some(Route::Fixed(Endpoint::ProtectedResource));
        }
        if self.resource_metadata.as_deref() == Some(path) {
            return Some(Route::Fixed(Endpoint::ResourceMetadata));
        }
        if path.starts_with("/hosted/") {
            return Some(Route::Fixed(Endpoint::HostedDocument));
        }
        if !self.registration {
            return None;
        }
        if path == "/register" {
            return Some(Route::Fixed(Endpoint::Registration));
        }
        path.strip_prefix("/register/")
            .filter(|id| !id.is_empty() && !id.contains('/'))
            .map(Route::Client)
    }
}

/// State shared between the handle and the connection tasks.
#[derive(Debug)]
struct Shared {
    issuer: String,
    base_url: String,
    cache_control: HeaderValue,
    routes: Routes,
    registration: RegistrationSettings,
    discovery: Mutex<Value>,
    jwks: Mutex<Value>,
    resource_document: Mutex<Value>,
    hosted: Mutex<HashMap<String, Value>>,
    behaviours: Mutex<HashMap<Endpoint, Behaviour>>,
    requests: Mutex<Vec<RecordedRequest>>,
    clients: Mutex<ClientStore>,
}

impl Shared {
    async fn handle(
        &self,
        request: Request<Incoming>,
        client_certificate: Option<bytes::Bytes>,
    ) -> Response<ResponseBody> {
        let (parts, body) = request.into_parts();
        let body = Limited::new(body, MAX_REQUEST_BODY)
            .collect()
            .await
            .map(|collected| collected.to_bytes());
        let path = parts.uri.path();
        let route = self.routes.route(path);
        let endpoint = route.as_ref().map(Route::endpoint);
        let path_and_query = parts
            .uri
            .path_and_query()
            .map_or_else(|| path.to_owned(), |pq| pq.as_str().to_owned());
        lock(&self.requests).push(RecordedRequest::new(
            endpoint,
            parts.method.clone(),
            path_and_query,
            parts.headers.clone(),
            body.as_ref().cloned().unwrap_or_default(),
            client_certificate,
        ));

        let Ok(body) = body else {
            let reply = Reply::error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalid_request",
                Some("request body unreadable or too large"),
            );
            return build_response(reply, None);
        };
        let behaviour = endpoint.and_then(|e| lock(&self.behaviours).get(&e).cloned());
        if let Some(delay) = behaviour.as_ref().and_then(|b| b.delay) {
            tokio::time::sleep(delay).await;
        }

        let reply = match route {
            None => Reply::not_found(),
            Some(Route::Fixed(
                Endpoint::Discovery | Endpoint::OAuthDiscovery | Endpoint::DiscoveryPathInserted,
            )) => self.document(&parts.method, &self.discovery),
            Some(Route::Fixed(Endpoint::ResourceMetadata)) => {
                self.document(&parts.method, &self.resource_document)
            }
            Some(Route::Fixed(Endpoint::ProtectedResource)) => self.resource(&parts.headers),
            Some(Route::Fixed(Endpoint::HostedDocument)) => match lock(&self.hosted).get(path) {
                Some(document) if parts.method == Method::GET => {
                    Reply::json(StatusCode::OK, document)
                }
                Some(_) => Reply::method_not_allowed("GET"),
                None => Reply::not_found(),
            },
            Some(Route::Fixed(Endpoint::Jwks)) => self.document(&parts.method, &self.jwks),
            Some(route) => {
                // One lock for compute and apply, so concurrent requests see consistent clients.
                let mut clients = lock(&self.clients);
                let (reply, effect) = match route {
                    Route::Client(client_id) => registration::configure(
                        &self.registration,
                        &clients,
                        ConfigurationRequest {
                            method: &parts.method,
                            client_id,
                            query: parts.uri.query(),
                            headers: &parts.headers,
                            body: &body,
                        },
                    ),
                    _ if parts.method != Method::POST => {
                        (Reply::method_not_allowed("POST"), Effect::None)
                    }
                    _ => registration::register(&self.registration, &parts.headers, &body),
                };
                if !behaviour
                    .as_ref()
                    .is_some_and(Behaviour::suppresses_effects)
                {
                    clients.apply(effect);
                }
                reply
            }
        };
        build_response(reply, behaviour.as_ref())
    }

    /// The protected resource: 401 with a `resource_metadata` challenge without a Bearer
    /// token, 200 with one.
    fn resource(&self, headers: &http::HeaderMap) -> Reply {
        let bearer = headers
            .get(http::header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.len() > 7 && value[..7].eq_ignore_ascii_case("bearer "));
        if bearer {
            return Reply::json(StatusCode::OK, &serde_json::json!({"ok": true}));
        }
        let mut reply = Reply::error(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            Some("a bearer token is required"),
        );
        let metadata_url = format!(
            "{}{}",
            self.base_url,
            self.routes.resource_metadata.as_deref().unwrap_or_default()
        );
        if let Ok(value) = HeaderValue::from_str(&format!(
            "Bearer error=\"invalid_token\", resource_metadata=\"{metadata_url}\""
        )) {
            reply.headers.insert(http::header::WWW_AUTHENTICATE, value);
        }
        reply
    }

    /// A cacheable JSON document (metadata or JWK Set), GET only.
    fn document(&self, method: &Method, document: &Mutex<Value>) -> Reply {
        if method != Method::GET {
            return Reply::method_not_allowed("GET");
        }
        let mut reply = Reply::json(StatusCode::OK, &lock(document));
        reply
            .headers
            .insert(CACHE_CONTROL, self.cache_control.clone());
        reply
    }
}

/// A running loopback OpenID Provider. Dropping it stops the server and every open connection.
///
/// All methods take `&self`, and the handle is `Send + Sync`, so it can be shared across tasks.
pub struct TestProvider {
    shared: Arc<Shared>,
    addr: SocketAddr,
    server: JoinHandle<()>,
}

impl fmt::Debug for TestProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestProvider")
            .field("addr", &self.addr)
            .field("issuer", &self.shared.issuer)
            .finish_non_exhaustive()
    }
}

impl Drop for TestProvider {
    fn drop(&mut self) {
        // Aborting the accept task drops its JoinSet, which aborts every connection task too.
        self.server.abort();
    }
}

impl TestProvider {
    /// Starts a provider with the default configuration (`builder().start().await`).
    pub async fn start() -> TestProvider {
        Self::builder().start().await
    }

    /// A builder to configure the provider before starting it.
    pub fn builder() -> TestProviderBuilder {
        TestProviderBuilder::default()
    }

    async fn launch(config: TestProviderBuilder) -> TestProvider {
        let listener = TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("oidc-test-provider: binding 127.0.0.1:0 failed");
        let addr = listener
            .local_addr()
            .expect("oidc-test-provider: bound listener has no local address");
        let scheme = if config.tls.is_some() {
            "https"
        } else {
            "http"
        };
        let base_url = format!("{scheme}://{addr}");
        let issuer = format!(
            "{base_url}{}{}",
            config.issuer_path,
            if config.issuer_trailing_slash {
                "/"
            } else {
                ""
            }
        );
        let routes = Routes {
            discovery: format!("{}/.well-known/openid-configuration", config.issuer_path),
            oauth_discovery: format!(
                "/.well-known/oauth-authorization-server{}",
                config.issuer_path
            ),
            discovery_inserted: (!config.issuer_path.is_empty())
                .then(|| format!("/.well-known/openid-configuration{}", config.issuer_path)),
            registration: config.registration,
            resource: config.resource_path.clone(),
            resource_metadata: config.resource_path.as_ref().map(|path| {
                format!(
                    "/.well-known/oauth-protected-resource{}",
                    path.trim_end_matches('/')
                )
            }),
        };
        let mut discovery_document =
            discovery::default_document(&issuer, &base_url, config.registration);
        if config.client_id_metadata_documents {
            discovery_document["client_id_metadata_document_supported"] = Value::Bool(true);
        }
        let resource_document = match &config.resource_path {
            Some(path) => serde_json::json!({
                "resource": format!("{base_url}{path}"),
                "authorization_servers": [issuer.clone()],
                "bearer_methods_supported": ["header"],
                "scopes_supported": ["mcp:tools"],
                "resource_name": "oidc-test-provider resource",
            }),
            None => Value::Null,
        };
        let shared = Arc::new(Shared {
            discovery: Mutex::new(discovery_document),
            jwks: Mutex::new(discovery::default_jwks()),
            resource_document: Mutex::new(resource_document),
            hosted: Mutex::default(),
            cache_control: HeaderValue::from_str(&config.discovery_cache_control)
                .unwrap_or_else(|_| HeaderValue::from_static("public, max-age=300")),
            registration: RegistrationSettings {
                base_url: base_url.clone(),
                initial_access_token: config.initial_access_token,
                status: StatusCode::from_u16(config.registration_status)
                    .unwrap_or(StatusCode::CREATED),
                quirks: config.quirks,
            },
            issuer,
            base_url,
            routes,
            behaviours: Mutex::default(),
            requests: Mutex::default(),
            clients: Mutex::default(),
        });
        let acceptor = config.tls.as_ref().map(ServerTls::acceptor);
        let server = tokio::spawn(accept_loop(listener, acceptor, Arc::clone(&shared)));
        TestProvider {
            shared,
            addr,
            server,
        }
    }

    /// The issuer identifier, e.g. `http://127.0.0.1:41234/tenant-a` (with a trailing `/` if
    /// configured; `https` with [`tls`](TestProviderBuilder::tls)).
    pub fn issuer(&self) -> String {
        self.shared.issuer.clone()
    }

    /// The base URL, e.g. `http://127.0.0.1:41234` (no trailing `/`; `https` with
    /// [`tls`](TestProviderBuilder::tls)).
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The socket address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL followed by `path` (which should start with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.shared.base_url)
    }

    /// The registration endpoint: the base URL followed by `/register`.
    pub fn registration_endpoint(&self) -> String {
        self.url("/register")
    }

    /// The metadata document currently served at both discovery paths.
    pub fn discovery_document(&self) -> Value {
        lock(&self.shared.discovery).clone()
    }

    /// Serves exactly this JSON at both discovery paths from now on.
    pub fn set_discovery_document(&self, doc: Value) {
        *lock(&self.shared.discovery) = doc;
    }

    /// The protected resource's URL, `{base}{path}`, when
    /// [`protected_resource`](TestProviderBuilder::protected_resource) was set.
    pub fn resource(&self) -> Option<String> {
        self.shared
            .routes
            .resource
            .as_deref()
            .map(|path| self.url(path))
    }

    /// Serves exactly this JSON as the protected resource's metadata from now on.
    pub fn set_resource_document(&self, doc: Value) {
        *lock(&self.shared.resource_document) = doc;
    }

    /// Serves `document` at `/hosted/{name}` (GET, `application/json`) and returns its URL,
    /// e.g. a Client ID Metadata Document whose `client_id` is that URL. Hosting again under
    /// the same name replaces it.
    pub fn host_document(&self, name: &str, document: Value) -> String {
        let path = format!("/hosted/{}", name.trim_start_matches('/'));
        let url = self.url(&path);
        lock(&self.shared.hosted).insert(path, document);
        url
    }

    /// Serves exactly this JSON at `/jwks` from now on.
    pub fn set_jwks(&self, jwks: Value) {
        *lock(&self.shared.jwks) = jwks;
    }

    /// Makes `endpoint` misbehave as described until [`clear_behaviour`](Self::clear_behaviour);
    /// replaces any behaviour set before.
    pub fn set_behaviour(&self, endpoint: Endpoint, behaviour: Behaviour) {
        lock(&self.shared.behaviours).insert(endpoint, behaviour);
    }

    /// Makes `endpoint` behave normally again.
    pub fn clear_behaviour(&self, endpoint: Endpoint) {
        lock(&self.shared.behaviours).remove(&endpoint);
    }

    /// Every request received so far, in order of arrival.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// How many requests were routed to `endpoint` so far.
    pub fn request_count(&self, endpoint: Endpoint) -> usize {
        lock(&self.shared.requests)
            .iter()
            .filter(|r| r.endpoint == Some(endpoint))
            .count()
    }

    /// The stored client records, in registration order, as a read would return them.
    pub fn registered_clients(&self) -> Vec<Value> {
        lock(&self.shared.clients).records()
    }

    /// The stored record of `client_id`, if it is registered.
    pub fn client(&self, client_id: &str) -> Option<Value> {
        lock(&self.shared.clients)
            .get(client_id)
            .map(|c| c.record.clone())
    }

    /// The registration access token that currently works for `client_id`, if it is registered;
    /// follows rotations ([`TestProviderBuilder::rotate_token_on_read`],
    /// [`TestProviderBuilder::rotate_token_on_update`]).
    pub fn registration_access_token(&self, client_id: &str) -> Option<String> {
        lock(&self.shared.clients)
            .get(client_id)
            .map(|c| c.registration_access_token.clone())
    }

    /// The current client secret of `client_id`, if it is registered and has one; follows
    /// [`TestProviderBuilder::rotate_secret_on_read`].
    pub fn client_secret(&self, client_id: &str) -> Option<String> {
        lock(&self.shared.clients).get(client_id).and_then(|c| {
            c.record
                .get("client_secret")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
    }
}

/// Accepts connections until aborted; connection tasks live in a `JoinSet` so they die with it.
async fn accept_loop(listener: TcpListener, tls: Option<TlsAcceptor>, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let shared = Arc::clone(&shared);
                    match tls.clone() {
                        Some(tls) => connections.spawn(serve_tls(stream, tls, shared)),
                        None => connections.spawn(serve_connection(stream, None, shared)),
                    };
                }
                // Usually descriptor exhaustion: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            // Reap finished connections so the set does not grow without bound.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// The TLS handshake, then HTTP over it. The handshake runs in the connection's task, so a slow
/// or silent client holds up no other.
async fn serve_tls(stream: TcpStream, tls: TlsAcceptor, shared: Arc<Shared>) {
    match tls.accept(stream).into_fallible().await {
        Ok(stream) => {
            let client_certificate = crate::tls::client_certificate(stream.get_ref().1);
            serve_connection(stream, client_certificate, shared).await;
        }
        Err((_error, stream)) => crate::tls::close_after_failed_handshake(stream).await,
    }
}

async fn serve_connection<S>(
    stream: S,
    client_certificate: Option<bytes::Bytes>,
    shared: Arc<Shared>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |request| {
        let shared = Arc::clone(&shared);
        let client_certificate = client_certificate.clone();
        async move { Ok::<_, Infallible>(shared.handle(request, client_certificate).await) }
    });
    // Errors here are the client's doing (reset, malformed HTTP); hyper has already answered what
    // it could, and there is nobody else to tell.
    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// A compile-time check of the documented thread-safety promise.
#[allow(dead_code)]
fn assert_send_sync() {
    fn check<T: Send + Sync>() {}
    check::<TestProvider>();
    check::<TestProviderBuilder>();
}
