//! Shared test support for the workspace's test suites.
//!
//! The integration tests live in `integration/` (one binary); this library holds what other
//! crates' tests need too: installing and locating panva's `oidc-provider`, the real provider
//! of the interop suites (`tests/oidc-provider/`, pinned by its `package-lock.json`), the
//! official MCP TypeScript SDK's authorization server (`tests/mcp-sdk/`, likewise), and
//! certificates made at test time for the TLS tests ([`pki`]).

pub mod pki;
pub mod postgres;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::Instant;

/// Major Node.js version the pinned oidc-provider 9.x runs on.
const MIN_NODE_MAJOR: u32 = 20;

const INSTALL_HINT: &str = "install Node.js 20+ with npm (e.g. `apt-get install nodejs npm`, or \
     from https://nodejs.org/) and make sure `node` and `npm` are on PATH";

/// Where the oidc-provider server lives and the Node.js that runs it.
#[derive(Debug)]
pub struct NodeProviderInstall {
    /// `tests/oidc-provider`: run `node server.js` here.
    pub dir: PathBuf,
    /// The `node` executable.
    pub node: PathBuf,
}

/// Finds Node.js (20+) and npm, and installs the pinned oidc-provider with `npm ci` unless the
/// current lockfile is already installed. Once per process; safe when several test processes
/// start at once.
///
/// # Panics
///
/// When `node` or `npm` is missing or too old (with an install hint), or `npm ci` fails: the
/// interop tests must fail loudly, never be skipped.
pub fn node_provider_install() -> &'static NodeProviderInstall {
    static INSTALL: OnceLock<NodeProviderInstall> = OnceLock::new();
    INSTALL.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("oidc-provider");
        let (node, npm) = toolchain();
        ensure_installed(&dir, &npm);
        NodeProviderInstall { dir, node }
    })
}

/// Where the MCP TypeScript SDK's authorization server lives and the Node.js that runs it.
#[derive(Debug)]
pub struct McpSdkInstall {
    /// `tests/mcp-sdk`: run `node server.js` here.
    pub dir: PathBuf,
    /// The `node` executable.
    pub node: PathBuf,
}

/// [`node_provider_install`] for `tests/mcp-sdk` (the official MCP TypeScript SDK, pinned by
/// its `package-lock.json`): installed with `npm ci` on first use, under the same kind of file
/// lock, once per process.
///
/// # Panics
///
/// As [`node_provider_install`].
pub fn mcp_sdk_install() -> &'static McpSdkInstall {
    static INSTALL: OnceLock<McpSdkInstall> = OnceLock::new();
    INSTALL.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("mcp-sdk");
        let (node, npm) = toolchain();
        ensure_installed(&dir, &npm);
        McpSdkInstall { dir, node }
    })
}

/// Finds `node` and `npm` and checks the Node.js version, once per process.
fn toolchain() -> (PathBuf, PathBuf) {
    let node = find_on_path("node").unwrap_or_else(|| {
            panic!("node is required for the oidc-provider interop tests but is not on PATH: {INSTALL_HINT}")
        });
    let npm = find_on_path("npm").unwrap_or_else(|| {
            panic!("npm is required for the oidc-provider interop tests but is not on PATH: {INSTALL_HINT}")
        });
    let output = std::process::Command::new(&node)
        .arg("--version")
        .output()
        .unwrap_or_else(|e| panic!("failed to run {} --version: {e}", node.display()));
    let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let major = version
        .strip_prefix('v')
        .and_then(|v| v.split('.').next())
        .and_then(|major| major.parse::<u32>().ok());
    match major {
        Some(major) if major >= MIN_NODE_MAJOR => {}
        _ => panic!(
            "the oidc-provider interop tests need Node.js {MIN_NODE_MAJOR}+, found {version:?} \
                 at {}: {INSTALL_HINT}",
            node.display()
        ),
    }
    (node, npm)
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    // npm is a `.cmd` shim on Windows.
    let names: &[String] = if cfg!(windows) {
        &[format!("{program}.exe"), format!("{program}.cmd")]
    } else {
        &[program.to_owned()]
    };
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Runs `npm ci` unless `node_modules` holds a complete install of the current lockfile.
///
/// Runs once per process ([`node_provider_install`]'s `OnceLock` serialises the test threads);
/// the file lock serialises concurrent test processes such as several `cargo test` runs. The
/// check happens under the file lock because `npm ci` first deletes `node_modules` and then
/// fills it gradually; a process that looked without the lock could see a half-written tree.
fn ensure_installed(dir: &Path, npm: &Path) {
    let lock_path = dir.join(".install.lock");
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .unwrap_or_else(|e| panic!("failed to open {}: {e}", lock_path.display()));
    // The tests crate is not published, so the workspace MSRV (1.85) does not bind it;
    // `File::lock` (1.89) avoids a dependency for a portable cross-process lock. The OS
    // releases it if this process dies, so a killed test run cannot leave it stuck.
    #[allow(clippy::incompatible_msrv)]
    lock.lock()
        .unwrap_or_else(|e| panic!("failed to lock {}: {e}", lock_path.display()));

    let lockfile_path = dir.join("package-lock.json");
    let lockfile = std::fs::read(&lockfile_path)
        .unwrap_or_else(|e| panic!("failed to read {}: {e}", lockfile_path.display()));
    // Written only after `npm ci` succeeded, with the lockfile it installed: an interrupted
    // install (no marker) or a changed lockfile (other contents) is installed again.
    let marker = dir.join("node_modules").join(".interop-installed-lockfile");
    if std::fs::read(&marker).is_ok_and(|installed| installed == lockfile) {
        return;
    }

    let started = Instant::now();
    let output = std::process::Command::new(npm)
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "failed to run {} ci in {}: {e}",
                npm.display(),
                dir.display()
            )
        });
    if !output.status.success() {
        panic!(
            "`npm ci` in {} failed ({}), so the Node.js interop tests cannot run. \
             Is the npm registry reachable?\n--- npm stderr ---\n{}",
            dir.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr),
        );
    }
    std::fs::write(&marker, &lockfile)
        .unwrap_or_else(|e| panic!("failed to write {}: {e}", marker.display()));
    eprintln!(
        "installed {} for the interop tests in {:?}",
        dir.display(),
        started.elapsed()
    );
    // The file lock is released when `lock` is dropped here.
}
