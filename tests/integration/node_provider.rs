//! panva's `oidc-provider` (OpenID Certified), run by Node.js on 127.0.0.1, for interop tests.
//!
//! The server lives in `tests/oidc-provider/` (pinned version and lockfile there). Its
//! dependencies are installed on first use with `npm ci`, once per checkout even when several
//! tests and test processes start at the same time. Node.js is required: without it the tests
//! fail with an install hint instead of being skipped, so a green run always means the interop
//! suite ran.
//!
//! Each [`NodeProvider`] is its own process with its own in-memory state and a free port;
//! dropping it kills the process.

use std::fmt;

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};

/// How long the server may take from spawn to its `READY` line. Node starts it in well under a
/// second; a loaded 2-core machine starting several servers at once was seen to take over 30 s.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// How long to wait for the killed server to be reaped, on drop and after a failed start.
const EXIT_TIMEOUT: Duration = Duration::from_secs(5);

/// The server's stderr kept for diagnostics; older output is discarded beyond this.
const STDERR_LIMIT: usize = 64 * 1024;

/// A running `oidc-provider` with dynamic registration and registration management enabled.
///
/// The provider accepts `tenant_hint`, `software_id`, `software_version` and
/// `software_statement` as opaque strings and echoes them; other unknown metadata (including
/// language-tagged names such as `client_name#ja-Jpan-JP`) is dropped. The registration access
/// token rotates on every PUT.
pub(crate) struct NodeProvider {
    issuer: String,
    child: Child,
    /// Never written; held so the server's stdin stays open. The server exits when stdin reaches
    /// end of file, so it also dies if this test process dies without running `Drop`.
    _stdin: ChildStdin,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl fmt::Debug for NodeProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeProvider")
            .field("issuer", &self.issuer)
            .field("pid", &self.child.id())
            .finish_non_exhaustive()
    }
}

impl NodeProvider {
    /// Starts a provider with open registration (no initial access token).
    pub(crate) async fn start() -> NodeProvider {
        Self::spawn(None).await
    }

    /// Starts a provider whose registration endpoint requires `token` as a Bearer initial
    /// access token (401 `invalid_token` without it or with another value).
    pub(crate) async fn start_with_initial_access_token(token: &str) -> NodeProvider {
        assert!(
            !token.is_empty(),
            "an empty initial access token would mean open registration"
        );
        Self::spawn(Some(token)).await
    }

    /// The issuer, `http://127.0.0.1:PORT`, without a trailing slash. Endpoint URLs in the
    /// provider's responses follow the request's Host header, so requests must use this host.
    pub(crate) fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Starts a server, trying a second time when the first does not come up: a start was seen
    /// to hang once on a loaded machine, and a fresh process then started at once.
    async fn spawn(initial_access_token: Option<&str>) -> NodeProvider {
        let mut failures = Vec::new();
        for _attempt in 0..2 {
            match Self::try_spawn(initial_access_token).await {
                Ok(provider) => return provider,
                Err(failure) => failures.push(failure),
            }
        }
        panic!(
            "oidc-provider did not start, twice:\n{}",
            failures.join("\n")
        );
    }

    async fn try_spawn(initial_access_token: Option<&str>) -> Result<NodeProvider, String> {
        // Blocking, but only the first caller of the process waits for npm, and each test has its
        // own runtime, so nothing else is starved meanwhile.
        let install = oidc_integration_tests::node_provider_install();
        let dir = &install.dir;

        let mut command = Command::new(&install.node);
        command
            .arg("server.js")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        // Never inherit the setting from the developer's shell: open registration must be open.
        command.env_remove("OIDC_INITIAL_ACCESS_TOKEN");
        if let Some(token) = initial_access_token {
            command.env("OIDC_INITIAL_ACCESS_TOKEN", token);
        }
        let mut child = command.spawn().unwrap_or_else(|e| {
            panic!("failed to start {} server.js: {e}", install.node.display())
        });

        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr_pipe = child.stderr.take().expect("stderr is piped");
        // Drained continuously: a full pipe would block the server. Kept for failure messages.
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let stderr_task = tokio::spawn(collect(stderr_pipe, Arc::clone(&stderr)));

        let mut stdout = BufReader::new(stdout);
        let ready = tokio::time::timeout(READY_TIMEOUT, read_ready_line(&mut stdout)).await;
        let failure = match ready {
            Ok(Ok(issuer)) => {
                // Nothing else is written to stdout, but keep it drained all the same.
                tokio::spawn(collect(stdout, Arc::new(Mutex::new(Vec::new()))));
                return Ok(NodeProvider {
                    issuer,
                    child,
                    _stdin: stdin,
                    stderr,
                });
            }
            Ok(Err(failure)) => failure,
            Err(_elapsed) => format!("no READY line within {READY_TIMEOUT:?}"),
        };

        // Failed start: stop the server and wait for its stderr to be complete before reporting.
        let _ = child.start_kill();
        let status = match tokio::time::timeout(EXIT_TIMEOUT, child.wait()).await {
            Ok(Ok(status)) => status.to_string(),
            Ok(Err(e)) => format!("unknown ({e})"),
            Err(_elapsed) => format!("still running after {EXIT_TIMEOUT:?}"),
        };
        let _ = tokio::time::timeout(EXIT_TIMEOUT, stderr_task).await;
        Err(format!(
            "oidc-provider server ({}) did not start: {failure} ({status})\n\
             --- server stderr ---\n{}",
            dir.join("server.js").display(),
            captured(&stderr),
        ))
    }
}

impl Drop for NodeProvider {
    fn drop(&mut self) {
        // SIGKILL, then reap so that no server (not even a zombie) outlives the test. Drop cannot
        // await, so the exit is polled; a killed process is gone within milliseconds.
        let _ = self.child.start_kill();
        let deadline = Instant::now() + EXIT_TIMEOUT;
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        // The server's log is the most useful context for a failing interop test; the test
        // harness captures this and shows it only for the failed test.
        if std::thread::panicking() {
            eprintln!(
                "--- oidc-provider {} stderr ---\n{}",
                self.issuer,
                captured(&self.stderr)
            );
        }
    }
}

/// Reads stdout lines until `READY <issuer>`; an error describes why the server never got there.
pub(crate) async fn read_ready_line<R: AsyncRead + Unpin>(
    stdout: &mut BufReader<R>,
) -> Result<String, String> {
    let mut line = String::new();
    loop {
        line.clear();
        match stdout.read_line(&mut line).await {
            Ok(0) => return Err("the server exited (stdout closed) before READY".to_owned()),
            Ok(_) => {}
            Err(e) => return Err(format!("failed to read the server's stdout: {e}")),
        }
        if let Some(issuer) = line.trim_end().strip_prefix("READY ") {
            if !issuer.starts_with("http://127.0.0.1:") {
                return Err(format!("unexpected issuer in READY line: {issuer:?}"));
            }
            return Ok(issuer.to_owned());
        }
    }
}

/// Appends everything `reader` yields to `buffer`, keeping only the last `STDERR_LIMIT` bytes.
pub(crate) async fn collect<R: AsyncRead + Unpin>(mut reader: R, buffer: Arc<Mutex<Vec<u8>>>) {
    let mut chunk = [0u8; 8192];
    while let Ok(n @ 1..) = reader.read(&mut chunk).await {
        let mut buffer = buffer.lock().unwrap_or_else(|e| e.into_inner());
        buffer.extend_from_slice(&chunk[..n]);
        let excess = buffer.len().saturating_sub(STDERR_LIMIT);
        buffer.drain(..excess);
    }
}

pub(crate) fn captured(buffer: &Mutex<Vec<u8>>) -> String {
    String::from_utf8_lossy(&buffer.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use http::{header, Method, Request, StatusCode};
    use oidc_http::{HttpClient, HyperClient};
    use serde_json::{json, Value};

    use super::NodeProvider;

    /// Sends a request with an optional Bearer token and JSON body; returns status and JSON body
    /// (`Value::Null` for an empty body).
    async fn call(
        method: Method,
        url: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let mut request = Request::builder().method(method).uri(url);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let body = match body {
            Some(body) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Bytes::from(serde_json::to_vec(body).unwrap())
            }
            None => Bytes::new(),
        };
        let client = HyperClient::new().unwrap();
        let response = client.send(request.body(body).unwrap()).await.unwrap();
        let status = response.status();
        let body = response.body();
        let json = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(body).unwrap_or_else(|e| {
                panic!(
                    "{status}: body is not JSON ({e}): {}",
                    String::from_utf8_lossy(body)
                )
            })
        };
        (status, json)
    }

    fn registration_endpoint(provider: &NodeProvider) -> String {
        format!("{}/reg", provider.issuer())
    }

    #[tokio::test]
    async fn starts_and_serves_discovery() {
        let provider = NodeProvider::start().await;
        assert!(
            provider.issuer().starts_with("http://127.0.0.1:"),
            "{provider:?}"
        );

        let url = format!("{}/.well-known/openid-configuration", provider.issuer());
        let (status, document) = call(Method::GET, &url, None, None).await;

        assert_eq!(status, StatusCode::OK, "{document}");
        assert_eq!(document["issuer"], provider.issuer());
        assert_eq!(
            document["registration_endpoint"],
            registration_endpoint(&provider)
        );
    }

    #[tokio::test]
    async fn open_registration_creates_a_client() {
        let provider = NodeProvider::start().await;

        let metadata = json!({ "redirect_uris": ["https://rp.example/cb"] });
        let (status, body) = call(
            Method::POST,
            &registration_endpoint(&provider),
            None,
            Some(&metadata),
        )
        .await;

        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert!(
            body["client_id"].as_str().is_some_and(|id| !id.is_empty()),
            "{body}"
        );
        assert_eq!(body["redirect_uris"], metadata["redirect_uris"]);
        assert!(body["registration_access_token"].is_string(), "{body}");
    }

    #[tokio::test]
    async fn initial_access_token_is_required_when_configured() {
        let provider = NodeProvider::start_with_initial_access_token("s3cret-iat").await;
        let endpoint = registration_endpoint(&provider);
        let metadata = json!({ "redirect_uris": ["https://rp.example/cb"] });

        let (status, body) = call(Method::POST, &endpoint, None, Some(&metadata)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["error"], "invalid_token");

        let (status, body) = call(Method::POST, &endpoint, Some("wrong"), Some(&metadata)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["error"], "invalid_token");

        let (status, body) =
            call(Method::POST, &endpoint, Some("s3cret-iat"), Some(&metadata)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert!(body["client_id"].is_string(), "{body}");
    }

    #[tokio::test]
    async fn providers_start_concurrently_on_separate_ports() {
        let (a, b, c) = tokio::join!(
            NodeProvider::start(),
            NodeProvider::start(),
            NodeProvider::start()
        );

        let mut issuers = vec![a.issuer(), b.issuer(), c.issuer()];
        issuers.sort_unstable();
        issuers.dedup();
        assert_eq!(issuers.len(), 3, "{a:?} {b:?} {c:?}");
    }

    #[tokio::test]
    async fn dropping_stops_the_server() {
        let provider = NodeProvider::start().await;
        let address = provider.issuer().trim_start_matches("http://").to_owned();
        tokio::net::TcpStream::connect(&address).await.unwrap();

        drop(provider);

        let refused = tokio::net::TcpStream::connect(&address).await.unwrap_err();
        assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
    }
}
