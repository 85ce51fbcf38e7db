//! What the side-by-side benchmarks share: a loopback server that does almost nothing, the three
//! clients that talk to it (the bare hyper floor, this library, openidconnect), the registration
//! they all send, and the CPU clocks that tell the client's share from the server's.
//!
//! The server is deliberately cheap: the discovery document is a fixed `Bytes`, and a
//! registration answer is the posted body with four members spliced in before its closing
//! brace (no JSON parsing). It runs on its own thread with its own single-threaded runtime, so
//! its CPU time can be read off its thread clock and taken out of the client's.
//!
//! Included by path (`#[path = "support/mod.rs"] mod support;`) from the criterion targets and
//! the callgrind example, so that it can use the benchmarks' dev-dependencies.

// Each includer uses part of it.
#![allow(dead_code)]

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::{header, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use oidc_types::ClientMetadata;

/// The real document the server's discovery document is made from (4.1 KB; with the loopback
/// origin and a registration endpoint it is about the size the issue measured).
const FIXTURE: &str = include_str!("../../fixtures/providers/lego/openid-configuration.json");
/// The origin the fixture's URLs use, replaced by the server's.
const FIXTURE_ORIGIN: &str = "https://identity.lego.com";

/// The registration endpoint's path.
pub(crate) const REGISTER_PATH: &str = "/connect/register";
/// The discovery document's path (the issuer has no path).
pub(crate) const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";
/// The fixture's `jwks_uri` path: openidconnect's `discover_async` also fetches the key set.
const JWKS_PATH: &str = "/.well-known/openid-configuration/jwks";

/// The minimal loopback provider.
#[derive(Debug)]
pub(crate) struct MiniServer {
    /// `http://127.0.0.1:PORT`, the issuer of the served document.
    pub(crate) issuer: String,
    /// The served registration endpoint.
    pub(crate) registration_endpoint: String,
    /// The served discovery document's URL.
    pub(crate) discovery_url: String,
    /// The served discovery document, byte for byte.
    pub(crate) document: Bytes,
    state: Arc<State>,
    /// The server thread's kernel task id, for its CPU clock.
    tid: u32,
}

#[derive(Debug)]
struct State {
    document: Bytes,
    credentials: Bytes,
    discovery_gets: AtomicUsize,
    last_registration: Mutex<Bytes>,
}

impl MiniServer {
    /// Starts the server on its own thread, listening on 127.0.0.1 on a free port.
    pub(crate) fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("local address");
        let issuer = format!("http://{addr}");
        let registration_endpoint = format!("{issuer}{REGISTER_PATH}");
        let document = Bytes::from(discovery_document(&issuer, &registration_endpoint));
        let credentials = Bytes::from(format!(
            r#""client_id":"bench-client","client_secret":"bench-client-secret","registration_access_token":"bench-registration-token","registration_client_uri":"{registration_endpoint}/bench-client"}}"#
        ));
        let state = Arc::new(State {
            document: document.clone(),
            credentials,
            discovery_gets: AtomicUsize::new(0),
            last_registration: Mutex::new(Bytes::new()),
        });
        let (tid_sender, tid_receiver) = std::sync::mpsc::channel();
        let served = state.clone();
        std::thread::Builder::new()
            .name("mini-server".to_owned())
            .spawn(move || {
                tid_sender.send(current_tid()).expect("report the tid");
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("server runtime");
                runtime.block_on(serve(listener, served));
            })
            .expect("server thread");
        let tid = tid_receiver.recv().expect("server tid");
        Self {
            discovery_url: format!("{issuer}{DISCOVERY_PATH}"),
            issuer,
            registration_endpoint,
            document,
            state,
            tid,
        }
    }

    /// How many discovery documents the server has served.
    pub(crate) fn discovery_gets(&self) -> usize {
        self.state.discovery_gets.load(Ordering::SeqCst)
    }

    /// The body of the last registration request, as received.
    pub(crate) fn last_registration(&self) -> Bytes {
        self.state
            .last_registration
            .lock()
            .expect("not poisoned")
            .clone()
    }

    /// The server thread's CPU time so far.
    pub(crate) fn cpu(&self) -> Duration {
        task_cpu(self.tid)
    }
}

/// The fixture with its origin replaced by `issuer` and a registration endpoint added (kept as
/// the fixture's text otherwise: its layout and member order are a real provider's).
fn discovery_document(issuer: &str, registration_endpoint: &str) -> String {
    let text = FIXTURE.replace(FIXTURE_ORIGIN, issuer);
    let close = text.rfind('}').expect("the fixture is an object");
    let before = text[..close].trim_end();
    format!("{before},\n  \"registration_endpoint\": \"{registration_endpoint}\"\n}}\n")
}

async fn serve(listener: std::net::TcpListener, state: Arc<State>) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| answer(state.clone(), request));
            // Keep-alive is hyper's default: one connection per client for the whole run.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn answer(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let json = |status: StatusCode, body: Bytes| {
        Response::builder()
            .status(status)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Full::new(body))
            .expect("static response parts")
    };
    let response = match (request.method(), request.uri().path()) {
        (&Method::GET, DISCOVERY_PATH) => {
            state.discovery_gets.fetch_add(1, Ordering::SeqCst);
            json(StatusCode::OK, state.document.clone())
        }
        (&Method::GET, JWKS_PATH) => json(StatusCode::OK, Bytes::from_static(b"{\"keys\":[]}")),
        (&Method::POST, REGISTER_PATH) => {
            let body = match request.into_body().collect().await {
                Ok(body) => body.to_bytes(),
                Err(_) => Bytes::new(),
            };
            let echoed = echo_with_credentials(&body, &state.credentials);
            *state.last_registration.lock().expect("not poisoned") = body;
            match echoed {
                Some(echoed) => json(StatusCode::CREATED, echoed),
                None => json(
                    StatusCode::BAD_REQUEST,
                    Bytes::from_static(b"{\"error\":\"invalid_client_metadata\"}"),
                ),
            }
        }
        _ => json(StatusCode::NOT_FOUND, Bytes::from_static(b"{}")),
    };
    Ok(response)
}

/// The posted object with the credentials members spliced in before its closing brace;
/// `None` when the body does not end like a JSON object.
fn echo_with_credentials(body: &[u8], credentials: &[u8]) -> Option<Bytes> {
    let end = body.iter().rposition(|byte| !byte.is_ascii_whitespace())?;
    if body[end] != b'}' {
        return None;
    }
    let head = &body[..end];
    let empty = head
        .iter()
        .rposition(|byte| !byte.is_ascii_whitespace())
        .is_some_and(|at| head[at] == b'{');
    let mut echoed = BytesMut::with_capacity(head.len() + credentials.len() + 1);
    echoed.extend_from_slice(head);
    if !empty {
        echoed.extend_from_slice(b",");
    }
    echoed.extend_from_slice(credentials);
    Some(echoed.freeze())
}

/// The calling thread's kernel task id (`/proc/thread-self` is `/proc/PID/task/TID`).
fn current_tid() -> u32 {
    let link = std::fs::read_link("/proc/thread-self").expect("/proc/thread-self");
    link.file_name()
        .and_then(|name| name.to_str())
        .and_then(|name| name.parse().ok())
        .expect("a task id")
}

/// A task's CPU time in nanoseconds from its `schedstat` (first field: time on the CPU, in
/// ns): the same clock `CLOCK_THREAD_CPUTIME_ID` reads, without unsafe code.
fn task_cpu(tid: u32) -> Duration {
    std::fs::read_to_string(format!("/proc/self/task/{tid}/schedstat"))
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .map(Duration::from_nanos)
        .unwrap_or_default()
}

/// The CPU time of every thread of this process but the server's: the client's CPU, runtime
/// workers and blocking threads included (the per-thread equivalent of `getrusage(RUSAGE_SELF)`
/// minus the server thread's clock).
pub(crate) fn client_cpu(server: &MiniServer) -> Duration {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Duration::ZERO;
    };
    tasks
        .filter_map(|task| task.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|tid| *tid != server.tid)
        .map(task_cpu)
        .sum()
}

/// The registration every client sends: a redirect URI, a name and a contact.
pub(crate) fn client_metadata() -> ClientMetadata {
    let mut metadata = ClientMetadata::new(["https://app.example/callback"]);
    metadata.client_name.set_value("Benchmark client");
    metadata.contacts = Some(vec!["ops@app.example".to_owned()]);
    metadata
}

/// The same registration as openidconnect builds it.
pub(crate) fn openidconnect_request() -> openidconnect::core::CoreClientRegistrationRequest {
    use openidconnect::{ClientContactEmail, ClientName, LocalizedClaim, RedirectUrl};
    let mut name = LocalizedClaim::new();
    name.insert(None, ClientName::new("Benchmark client".to_owned()));
    openidconnect::core::CoreClientRegistrationRequest::new(
        vec![RedirectUrl::new("https://app.example/callback".to_owned()).expect("a URL")],
        openidconnect::registration::EmptyAdditionalClientMetadata {},
    )
    .set_client_name(Some(name))
    .set_contacts(Some(vec![ClientContactEmail::new(
        "ops@app.example".to_owned(),
    )]))
}

/// The floor: hyper-util's pooled client over a plain `HttpConnector`, and what it sends.
#[derive(Debug, Clone)]
pub(crate) struct Floor {
    client: Client<HttpConnector, Full<Bytes>>,
    body: Bytes,
}

impl Floor {
    /// A floor client that POSTs `body` (pre-serialised once).
    pub(crate) fn new(body: Bytes) -> Self {
        Self {
            client: Client::builder(TokioExecutor::new()).build_http(),
            body,
        }
    }

    /// POSTs the body to `endpoint`, the answer parsed into a `Value`.
    pub(crate) async fn register(&self, endpoint: &str) -> serde_json::Value {
        let request = Request::builder()
            .method(Method::POST)
            .uri(endpoint)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json")
            .body(Full::new(self.body.clone()))
            .expect("a request");
        self.json(request).await
    }

    /// GETs `url`, the answer parsed into a `Value`.
    pub(crate) async fn get(&self, url: &str) -> serde_json::Value {
        let request = Request::builder()
            .uri(url)
            .header(header::ACCEPT, "application/json")
            .body(Full::new(Bytes::new()))
            .expect("a request");
        self.json(request).await
    }

    /// Issuer → discovery document → registration at its `registration_endpoint`.
    pub(crate) async fn issuer_to_register(&self, issuer: &str) -> serde_json::Value {
        let document = self.get(&format!("{issuer}{DISCOVERY_PATH}")).await;
        let endpoint = document["registration_endpoint"]
            .as_str()
            .expect("a registration endpoint");
        self.register(endpoint).await
    }

    async fn json(&self, request: Request<Full<Bytes>>) -> serde_json::Value {
        let response = self.client.request(request).await.expect("an answer");
        assert!(response.status().is_success(), "{}", response.status());
        let body = response
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes();
        serde_json::from_slice(&body).expect("JSON")
    }
}

/// openidconnect's client: one reqwest client, redirects off (as its docs advise, so that an
/// SSRF redirect is not followed).
pub(crate) fn openidconnect_http() -> openidconnect::reqwest::Client {
    openidconnect::reqwest::Client::builder()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .build()
        .expect("a reqwest client")
}

/// Every discovery fixture in the repository, by path.
pub(crate) fn discovery_fixtures() -> Vec<(String, Vec<u8>)> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures");
    let mut found = Vec::new();
    let mut folders = vec![std::path::PathBuf::from(root)];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder)
            .expect("fixtures folder")
            .flatten()
        {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                folders.push(path);
            } else if name == "openid-configuration.json"
                || name.ends_with("-metadata.json") && !name.contains("config")
                || name.starts_with("discovery") && name.ends_with(".json")
            {
                let bytes = std::fs::read(&path).expect("fixture");
                let shown = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .display()
                    .to_string();
                found.push((shown, bytes));
            }
        }
    }
    found.sort();
    found
}

/// Whether two JSON texts are the same JSON value (member order ignored).
pub(crate) fn same_json(left: &[u8], right: &[u8]) -> bool {
    let left: serde_json::Value = serde_json::from_slice(left).expect("JSON");
    let right: serde_json::Value = serde_json::from_slice(right).expect("JSON");
    left == right
}
