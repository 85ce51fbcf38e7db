//! panva's `oidc-provider` (OpenID Certified) on 127.0.0.1, started from
//! `tests/oidc-provider/server.js` of the workspace.
//!
//! A small, synchronous counterpart of the interop harness in the workspace's `tests/` crate
//! (which this crate cannot import). It shares that harness's install protocol: `npm ci` runs
//! under an exclusive lock on `tests/oidc-provider/.install.lock`, and only when the marker
//! `node_modules/.interop-installed-lockfile` does not hold the current lockfile, so the two
//! never install over each other and a fresh clone works whichever runs first. Node.js 20+ and
//! npm are required: without them the tests fail with a message rather than being skipped.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::Duration;

/// A loaded 2-core machine starting several servers at once was seen to take over 30 s.
const READY_TIMEOUT: Duration = Duration::from_secs(120);

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

    /// `http://127.0.0.1:PORT`.
    pub(crate) fn issuer(&self) -> &str {
        &self.issuer
    }

    fn spawn(initial_access_token: Option<&str>) -> Self {
        let dir = provider_dir();
        ensure_installed(&dir);
        let mut command = Command::new("node");
        command
            .arg("server.js")
            .current_dir(&dir)
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
            Ok(issuer) => Self {
                issuer,
                child,
                _stdin: stdin,
            },
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "oidc-provider did not start ({e}); its stderr:\n{}",
                    log.lock().unwrap_or_else(|e| e.into_inner())
                );
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

fn provider_dir() -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/oidc-provider"
    ))
    .to_path_buf()
}

/// Runs `npm ci` unless `node_modules` holds a complete install of the current lockfile.
fn ensure_installed(dir: &Path) {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let lock_path = dir.join(".install.lock");
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .unwrap_or_else(|e| panic!("cannot open {}: {e}", lock_path.display()));
        // `File::lock` (Rust 1.89) is newer than the workspace MSRV, but tests build with the
        // toolchain at hand; it saves a dependency, and the OS releases the lock if this
        // process dies.
        #[allow(clippy::incompatible_msrv)]
        lock.lock()
            .unwrap_or_else(|e| panic!("cannot lock {}: {e}", lock_path.display()));
        let lockfile = std::fs::read(dir.join("package-lock.json"))
            .unwrap_or_else(|e| panic!("cannot read {}/package-lock.json: {e}", dir.display()));
        // Written after a successful install with the lockfile it installed, by this harness and
        // the workspace's interop harness alike.
        let marker = dir.join("node_modules").join(".interop-installed-lockfile");
        if std::fs::read(&marker).is_ok_and(|installed| installed == lockfile) {
            return;
        }
        let output = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(dir)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run npm (npm must be on PATH): {e}"));
        let mut stderr = String::new();
        let _ = output.stderr.as_slice().read_to_string(&mut stderr);
        assert!(
            output.status.success(),
            "`npm ci` in {} failed ({}); is the npm registry reachable?\n{stderr}",
            dir.display(),
            output.status
        );
        std::fs::write(&marker, &lockfile)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", marker.display()));
    });
}
