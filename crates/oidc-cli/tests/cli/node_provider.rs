//! panva's `oidc-provider` (OpenID Certified) on 127.0.0.1, started from
//! `tests/oidc-provider/server.js` of the workspace.
//!
//! A small, synchronous counterpart of the async interop harness in the workspace's `tests/`
//! crate; finding Node.js and installing the pinned packages is shared with it
//! ([`oidc_integration_tests::node_provider_install`]), so a fresh clone works whichever suite
//! runs first. Node.js 20+ and npm are required: without them the tests fail with a message
//! rather than being skipped.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

/// A loaded 2-core machine starting several servers at once was seen to take over 30 s.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// A running server: open registration (or one requiring an initial access token), registration
/// management on, and a new registration access token on every update.
pub(crate) struct NodeProvider {
    issuer: String,
    child: Child,
    /// Held open: the server exits when its stdin closes, so it dies with the test process.
    _stdin: ChildStdin,
}

impl NodeProvider {
    pub(crate) fn start() -> Self {
        Self::spawn(None)
    }

    pub(crate) fn start_with_initial_access_token(token: &str) -> Self {
        Self::spawn(Some(token))
    }

    /// The official MCP TypeScript SDK's authorization server and protected resource
    /// (`tests/mcp-sdk/server.js`), installed by
    /// [`oidc_integration_tests::mcp_sdk_install`]; [`issuer`](Self::issuer) is then its base
    /// URL, and `/mcp` the resource.
    pub(crate) fn start_mcp_sdk() -> Self {
        let install = oidc_integration_tests::mcp_sdk_install();
        Self::try_spawn_in(&install.node, &install.dir, None)
            .unwrap_or_else(|failure| panic!("the MCP SDK server did not start: {failure}"))
    }

    /// `http://127.0.0.1:PORT`.
    pub(crate) fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Starts a server, trying a second time when the first does not come up (a start was
    /// seen to hang once on a loaded machine).
    fn spawn(initial_access_token: Option<&str>) -> Self {
        let mut failures = Vec::new();
        for _attempt in 0..2 {
            match Self::try_spawn(initial_access_token) {
                Ok(provider) => return provider,
                Err(failure) => failures.push(failure),
            }
        }
        panic!(
            "oidc-provider did not start, twice:\n{}",
            failures.join("\n")
        );
    }

    fn try_spawn(initial_access_token: Option<&str>) -> Result<Self, String> {
        let install = oidc_integration_tests::node_provider_install();
        Self::try_spawn_in(&install.node, &install.dir, initial_access_token)
    }

    fn try_spawn_in(
        node: &std::path::Path,
        dir: &std::path::Path,
        initial_access_token: Option<&str>,
    ) -> Result<Self, String> {
        let mut command = Command::new(node);
        command
            .arg("server.js")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env_remove("OIDC_INITIAL_ACCESS_TOKEN");
        if let Some(token) = initial_access_token {
            command.env("OIDC_INITIAL_ACCESS_TOKEN", token);
        }
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run node (Node.js 20+ must be on PATH): {e}"));
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");

        // Both pipes are drained for the server's whole life (a full pipe would block it);
        // stderr is kept for the failure message.
        let log = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap_or_else(|e| e.into_inner());
                log.push_str(&line);
                log.push('\n');
            }
        });
        let (ready, issuer) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            for line in lines.by_ref().map_while(Result::ok) {
                if let Some(issuer) = line.strip_prefix("READY ") {
                    let _ = ready.send(issuer.to_owned());
                    break;
                }
            }
            for _ in lines {}
        });
        match issuer.recv_timeout(READY_TIMEOUT) {
            Ok(issuer) => Ok(Self {
                issuer,
                child,
                _stdin: stdin,
            }),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(format!(
                    "{} did not start ({e}); its stderr:\n{}",
                    dir.display(),
                    log.lock().unwrap_or_else(|e| e.into_inner())
                ))
            }
        }
    }
}

impl Drop for NodeProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
