//! A private PostgreSQL server for the store tests: a new cluster in a temporary directory, on
//! 127.0.0.1 and a free port, stopped (and deleted) on drop.
//!
//! Debian's `postgresql` package provides the server (`tests/run` installs it when `initdb` is
//! missing). The server refuses to run as root, so when the tests run as root the cluster is
//! made and started as the `postgres` user (`runuser`), in a directory that user owns.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A running PostgreSQL cluster that trusts local connections for user `oidc`.
#[derive(Debug)]
pub struct PostgresServer {
    /// Holds the data directory, the socket and the log; removed on drop.
    root: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    as_postgres_user: bool,
}

impl PostgresServer {
    /// Makes and starts a new cluster. Blocking (a few seconds).
    ///
    /// # Panics
    ///
    /// When PostgreSQL is not installed or does not start: the store tests must fail loudly,
    /// never be skipped.
    pub fn start() -> PostgresServer {
        let bin = server_bin().unwrap_or_else(|| {
            panic!(
                "PostgreSQL's initdb is required for the store tests but was not found \
                 (on PATH or in /usr/lib/postgresql/*/bin): install it, e.g. \
                 `apt-get install postgresql` (bash tests/run does)"
            )
        });
        let as_postgres_user = is_root();
        let root = tempfile::Builder::new()
            .prefix("oidc-store-pg-")
            .tempdir()
            .expect("temporary directory");
        if as_postgres_user {
            run(Command::new("chown")
                .arg("postgres:postgres")
                .arg(root.path()));
        }
        let mut server = PostgresServer {
            root,
            bin,
            port: 0,
            as_postgres_user,
        };
        server.command("initdb", |command| {
            command.arg("-D").arg(server.data_dir()).args([
                "-U",
                "oidc",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ])
        });
        // PostgreSQL cannot be given port 0, so a free port is found first; another process
        // may take it before the server binds it, hence the retries with a new one.
        let mut failures = Vec::new();
        for _ in 0..5 {
            server.port = free_port();
            if server.try_start() {
                return server;
            }
            failures.push(server.log());
        }
        panic!("PostgreSQL did not start: {failures:#?}");
    }

    /// `postgres://oidc@127.0.0.1:PORT/postgres`.
    pub fn url(&self) -> String {
        format!("postgres://oidc@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server at once (`immediate`: as if it crashed; it recovers on start).
    pub fn stop(&self) {
        self.command("pg_ctl", |command| {
            command
                .arg("-D")
                .arg(self.data_dir())
                .args(["-m", "immediate", "-w", "stop"])
        });
    }

    /// Starts it again on the same port, after [`stop`](Self::stop).
    ///
    /// # Panics
    ///
    /// When it does not come back.
    pub fn restart(&self) {
        assert!(
            self.try_start(),
            "PostgreSQL did not restart: {}",
            self.log()
        );
    }

    fn try_start(&self) -> bool {
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off -c max_connections=50",
            self.port,
            self.root.path().display()
        );
        let mut command = self.base_command("pg_ctl");
        command
            .arg("-D")
            .arg(self.data_dir())
            .arg("-l")
            .arg(self.log_path())
            .args(["-o", &options, "-w", "-t", "60", "start"]);
        command
            .output()
            .map(|output| output.status.success())
            .unwrap_or(false)
    }

    fn data_dir(&self) -> PathBuf {
        self.root.path().join("data")
    }

    fn log_path(&self) -> PathBuf {
        self.root.path().join("server.log")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    fn base_command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        if self.as_postgres_user {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    fn command(&self, program: &str, configure: impl FnOnce(&mut Command) -> &mut Command) {
        let mut command = self.base_command(program);
        configure(&mut command);
        run(&mut command);
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        let _ = self
            .base_command("pg_ctl")
            .arg("-D")
            .arg(self.data_dir())
            .args(["-m", "immediate", "-w", "stop"])
            .output();
    }
}

fn run(command: &mut Command) {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("failed to run {command:?}: {error}"));
    assert!(
        output.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The directory with `initdb` and `pg_ctl`: on PATH, else Debian's newest version.
fn server_bin() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let initdb = dir.join("initdb");
            if initdb.is_file() {
                // Debian links a few of them into /usr/local/bin or /usr/bin; the real
                // directory has pg_ctl too.
                let real = std::fs::canonicalize(&initdb).ok()?;
                return real.parent().map(Path::to_path_buf);
            }
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| entry.ok().map(|entry| entry.path().join("bin")))
        .filter(|bin| bin.join("initdb").is_file())
        .collect();
    versions.sort_by_key(|bin| {
        bin.parent()
            .and_then(|version| version.file_name())
            .and_then(|name| name.to_str())
            .and_then(|name| name.parse::<u32>().ok())
    });
    versions.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port on 127.0.0.1")
}
