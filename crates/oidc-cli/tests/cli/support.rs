//! Running the binary, and the in-process provider on a runtime of its own.

use std::ops::Deref;
use std::path::Path;
use std::time::Duration;

use oidc_test_provider::{TestProvider, TestProviderBuilder};
use serde_json::Value;

/// The binary, with a time limit so a hang fails the test instead of the whole run, and without
/// inherited settings that could change its behaviour.
pub(crate) fn oidc_register() -> assert_cmd::Command {
    let mut command = assert_cmd::cargo_bin_cmd!("oidc-register");
    command
        .timeout(Duration::from_secs(120))
        .env_remove("OIDC_INITIAL_ACCESS_TOKEN");
    command
}

/// What one run of the binary did.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    /// The one JSON document on stdout; fails unless stdout is exactly one document.
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {self:#?}"))
    }

    /// Asserts the exit code, showing everything when it differs.
    #[track_caller]
    pub(crate) fn expect(self, code: i32) -> Self {
        assert_eq!(self.code, code, "{self:#?}");
        self
    }

    /// Asserts that none of `secrets` appears on stderr.
    #[track_caller]
    pub(crate) fn stderr_hides(&self, secrets: &[&str]) {
        for secret in secrets {
            assert!(!secret.is_empty());
            assert!(
                !self.stderr.contains(secret),
                "stderr shows a secret {secret:?}: {self:#?}"
            );
        }
    }
}

/// Runs `command` (arguments already set) to completion.
pub(crate) fn run(command: &mut assert_cmd::Command) -> Run {
    let output = command.output().expect("the binary runs");
    Run {
        code: output.status.code().expect("the binary exits, not killed"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// Runs the binary with `args`.
pub(crate) fn cli(args: &[&str]) -> Run {
    run(oidc_register().args(args))
}

/// A string member of a JSON document.
#[track_caller]
pub(crate) fn text<'a>(document: &'a Value, member: &str) -> &'a str {
    document[member]
        .as_str()
        .unwrap_or_else(|| panic!("{member} is not a string in {document}"))
}

/// The permission bits of a file.
pub(crate) fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("the file exists")
        .permissions()
        .mode()
        & 0o777
}

/// A JSON file's content.
pub(crate) fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("the file is readable"))
        .expect("the file is JSON")
}

/// The in-process provider, served by a runtime of its own so that it keeps answering while the
/// test thread waits for the binary.
pub(crate) struct InProcess {
    // Declared first so it is dropped first: the server stops before its runtime goes away.
    provider: TestProvider,
    _runtime: tokio::runtime::Runtime,
}

impl InProcess {
    pub(crate) fn start() -> Self {
        Self::with(TestProvider::builder())
    }

    pub(crate) fn with(builder: TestProviderBuilder) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime for the provider");
        let provider = runtime.block_on(builder.start());
        Self {
            provider,
            _runtime: runtime,
        }
    }
}

impl Deref for InProcess {
    type Target = TestProvider;

    fn deref(&self) -> &TestProvider {
        &self.provider
    }
}
