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
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

use crate::behaviour::{build_response, Behaviour};
use crate::body::ResponseBody;
use crate::discovery;
use crate::recorded::RecordedRequest;
use crate::registration::{self, ClientStore, Effect, RegistrationSettings};
use crate::reply::Reply;
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
    registration: bool,
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
    behaviours: Mutex<HashMap<Endpoint, Behaviour>>,
    requests: Mutex<Vec<RecordedRequest>>,
    clients: Mutex<ClientStore>,
}

impl Shared {
    async fn handle(&self, request: Request<Incoming>) -> Response<ResponseBody> {
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
            Some(Route::Fixed(Endpoint::Discovery | Endpoint::OAuthDiscovery)) => {
                self.document(&parts.method, &self.discovery)
            }
            Some(Route::Fixed(Endpoint::Jwks)) => self.document(&parts.method, &self.jwks),
            Some(route) => {
                // One lock for compute and apply, so concurrent requests see consistent clients.
                let mut clients = lock(&self.clients);
                let (reply, effect) = match route {
                    Route::Client(id) => {
                        registration::configure(&clients, &parts.method, id, &parts.headers, &body)
                    }
                    _ if parts.method != Method::POST => {
                        (Reply::method_not_allowed("POST"), Effect::None)
                    }
                    _ => registration::register(&self.registration, &parts.headers, &body),
                };
                if !behaviour.as_ref().is_some_and(Behaviour::replaces_body) {
                    clients.apply(effect);
                }
                reply
            }
        };
        build_response(reply, behaviour.as_ref())
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
        let base_url = format!("http://{addr}");
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
            registration: config.registration,
        };
        let shared = Arc::new(Shared {
            discovery: Mutex::new(discovery::default_document(
                &issuer,
                &base_url,
                config.registration,
            )),
            jwks: Mutex::new(discovery::default_jwks()),
            cache_control: HeaderValue::from_str(&config.discovery_cache_control)
                .unwrap_or_else(|_| HeaderValue::from_static("public, max-age=300")),
            registration: RegistrationSettings {
                base_url: base_url.clone(),
                initial_access_token: config.initial_access_token,
                status: StatusCode::from_u16(config.registration_status)
                    .unwrap_or(StatusCode::CREATED),
            },
            issuer,
            base_url,
            routes,
            behaviours: Mutex::default(),
            requests: Mutex::default(),
            clients: Mutex::default(),
        });
        let server = tokio::spawn(accept_loop(listener, Arc::clone(&shared)));
        TestProvider {
            shared,
            addr,
            server,
        }
    }

    /// The issuer identifier, e.g. `http://127.0.0.1:41234/tenant-a` (with a trailing `/` if
    /// configured).
    pub fn issuer(&self) -> String {
        self.shared.issuer.clone()
    }

    /// The base URL, e.g. `http://127.0.0.1:41234` (no trailing `/`).
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
}

/// Accepts connections until aborted; connection tasks live in a `JoinSet` so they die with it.
async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve_connection(stream, Arc::clone(&shared)));
                }
                // Usually descriptor exhaustion: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            // Reap finished connections so the set does not grow without bound.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn serve_connection(stream: TcpStream, shared: Arc<Shared>) {
    let service = service_fn(move |request| {
        let shared = Arc::clone(&shared);
        async move { Ok::<_, Infallible>(shared.handle(request).await) }
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
