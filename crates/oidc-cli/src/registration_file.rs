//! The registration file: a [`RegisteredClient`] as JSON, credentials included, readable by its
//! owner only (mode 0600).
//!
//! Every write goes to a new temporary file in the same directory (created 0600, so the
//! secrets are never readable by others, not even for a moment), is synced, and is then
//! renamed over the target. A crash or a full disk therefore leaves either the old file or the
//! new one, never a torn one: after a provider rotated a credential, a half-written file would
//! lose the only working token.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use oidc_types::RegisteredClient;

use crate::output::progress;
use crate::CliError;

/// Reads a registration file.
///
/// Warns on stderr when the file is readable by group or others.
///
/// # Errors
///
/// [`ExitKind::Usage`](crate::ExitKind::Usage) when the file cannot be read or is not a
/// registration.
pub fn load(path: &Path) -> Result<RegisteredClient, CliError> {
    let name = path.display();
    let text = std::fs::read_to_string(path).map_err(|error| {
        CliError::usage(format!("cannot read registration file {name}: {error}"))
    })?;
    warn_if_shared(path);
    serde_json::from_str(&text).map_err(|error| {
        CliError::usage(format!("{name} is not a registration file: {error}"))
            .with_hint("a registration file is what `oidc-register register --save FILE` wrote")
    })
}

/// Writes `client` to `path` atomically with mode 0600, replacing any file there.
///
/// # Errors
///
/// The I/O error; the target is unchanged then.
pub fn write(path: &Path, client: &RegisteredClient) -> std::io::Result<()> {
    let temporary = TemporaryFile::create(path)?;
    temporary.commit(client)
}

/// A registration file reserved before registering: the temporary file exists (so an
/// unwritable directory is reported before anything is sent) and becomes the target on
/// [`commit`](Self::commit). Dropped uncommitted, it is removed.
#[derive(Debug)]
pub struct Reservation {
    temporary: TemporaryFile,
}

impl Reservation {
    /// Reserves `path` for a new registration.
    ///
    /// # Errors
    ///
    /// [`ExitKind::Usage`](crate::ExitKind::Usage) when `path` exists (it may hold another
    /// client's only credentials) or its directory is not writable.
    pub fn new(path: &Path) -> Result<Self, CliError> {
        let name = path.display();
        if path.symlink_metadata().is_ok() {
            return Err(CliError::usage(format!("{name} already exists")).with_hint(
                "it may hold another client's credentials; choose another file or remove it first",
            ));
        }
        let temporary = TemporaryFile::create(path)
            .map_err(|error| CliError::usage(format!("cannot write {name}: {error}")))?;
        Ok(Self { temporary })
    }

    /// Writes `client` and moves it into place, unless a file appeared at the target since the
    /// reservation: that one is never replaced.
    ///
    /// # Errors
    ///
    /// The I/O error (`AlreadyExists` when the target appeared); nothing is left behind then.
    pub fn commit(self, client: &RegisteredClient) -> std::io::Result<()> {
        self.temporary.commit_new(client)
    }
}

/// A temporary file next to its target, removed unless committed.
#[derive(Debug)]
struct TemporaryFile {
    file: Option<File>,
    path: PathBuf,
    target: PathBuf,
}

impl TemporaryFile {
    fn create(target: &Path) -> std::io::Result<Self> {
        // Several runs may write next to each other; the name only has to be unique among them.
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let file_name = target
            .file_name()
            .ok_or_else(|| std::io::Error::new(ErrorKind::InvalidInput, "not a file name"))?;
        let directory = directory_of(target);
        loop {
            let mut name = std::ffi::OsString::from(".");
            name.push(file_name);
            name.push(format!(
                ".tmp-{}-{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed)
            ));
            let path = directory.join(name);
            let mut options = OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                // Owner-only from the first byte: the file will hold secrets.
                options.mode(0o600);
            }
            match options.open(&path) {
                Ok(file) => {
                    return Ok(Self {
                        file: Some(file),
                        path,
                        target: target.to_path_buf(),
                    })
                }
                // A leftover of a killed run with the same pid: try the next name.
                Err(error) if error.kind() == ErrorKind::AlreadyExists => {}
                Err(error) => return Err(error),
            }
        }
    }

    fn commit(mut self, client: &RegisteredClient) -> std::io::Result<()> {
        self.write_out(client)?;
        std::fs::rename(&self.path, &self.target)?;
        self.finish()
    }

    /// Like [`commit`](Self::commit), but never replaces a file at the target: a hard link
    /// fails atomically when the target exists, where a rename would silently clobber it.
    fn commit_new(mut self, client: &RegisteredClient) -> std::io::Result<()> {
        self.write_out(client)?;
        match std::fs::hard_link(&self.path, &self.target) {
            // In place under both names: drop the temporary one.
            Ok(()) => {
                let _ = std::fs::remove_file(&self.path);
            }
            Err(error) if error.kind() == ErrorKind::AlreadyExists => return Err(error),
            // No hard links on this file system: check, then rename (racy, but the best left).
            Err(_) if self.target.symlink_metadata().is_ok() => {
                return Err(std::io::Error::new(
                    ErrorKind::AlreadyExists,
                    "the file appeared while registering",
                ))
            }
            Err(_) => std::fs::rename(&self.path, &self.target)?,
        }
        self.finish()
    }

    /// Writes and syncs the temporary file.
    fn write_out(&mut self, client: &RegisteredClient) -> std::io::Result<()> {
        let Some(mut file) = self.file.take() else {
            return Err(std::io::Error::other("temporary file already used"));
        };
        let mut bytes = serde_json::to_vec_pretty(client).map_err(std::io::Error::other)?;
        bytes.push(b'\n');
        file.write_all(&bytes)?;
        file.sync_all()
    }

    /// After the move into place: syncs the directory and forgets the temporary name.
    fn finish(mut self) -> std::io::Result<()> {
        // Make the rename itself durable; not every platform can sync a directory, and the
        // file is in place either way, so a failure here is ignored.
        if let Ok(directory) = File::open(directory_of(&self.target)) {
            let _ = directory.sync_all();
        }
        // Moved: nothing to remove on drop.
        self.path = PathBuf::new();
        Ok(())
    }
}

/// The directory `target` is in: `.` for a bare file name.
fn directory_of(target: &Path) -> &Path {
    match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

impl Drop for TemporaryFile {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(unix)]
fn warn_if_shared(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(metadata) = std::fs::metadata(path) {
        if metadata.permissions().mode() & 0o077 != 0 {
            progress(&format!(
                "warning: {} is readable by others; it holds credentials (chmod 600 it)",
                path.display()
            ));
        }
    }
}

#[cfg(not(unix))]
fn warn_if_shared(_path: &Path) {}

#[cfg(test)]
mod tests {
    use oidc_types::{ClientMetadata, RegistrationResponse};

    use super::*;
    use crate::ExitKind;

    fn client(token: &str) -> RegisteredClient {
        let response = RegistrationResponse::from_json(
            format!(
                r#"{{"client_id":"abc","client_secret":"s1","registration_access_token":"{token}",
                    "registration_client_uri":"https://op.example/register/abc"}}"#
            )
            .as_bytes(),
        )
        .unwrap();
        RegisteredClient::from_registration(
            "https://op.example",
            &ClientMetadata::new(["https://app.example/cb"]),
            response,
        )
    }

    fn entries(directory: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(directory)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn writes_owner_only_and_replaces_atomically() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("client.json");
        write(&path, &client("t1")).unwrap();
        #[cfg(unix)]
        assert_eq!(mode(&path), 0o600);
        assert_eq!(load(&path).unwrap(), client("t1"));

        write(&path, &client("t2")).unwrap();
        assert_eq!(load(&path).unwrap(), client("t2"));
        #[cfg(unix)]
        assert_eq!(mode(&path), 0o600);
        assert_eq!(entries(directory.path()), ["client.json"]);
    }

    #[test]
    fn a_reservation_refuses_existing_files_and_cleans_up() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("client.json");
        std::fs::write(&path, "keep me").unwrap();
        let error = Reservation::new(&path).unwrap_err();
        assert_eq!(error.kind(), ExitKind::Usage);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep me");

        let fresh = directory.path().join("fresh.json");
        let reservation = Reservation::new(&fresh).unwrap();
        assert_eq!(
            entries(directory.path()).len(),
            2,
            "the temporary file exists"
        );
        drop(reservation);
        assert_eq!(entries(directory.path()), ["client.json"]);

        Reservation::new(&fresh)
            .unwrap()
            .commit(&client("t1"))
            .unwrap();
        assert_eq!(load(&fresh).unwrap(), client("t1"));

        let error = Reservation::new(&directory.path().join("missing/dir.json")).unwrap_err();
        assert_eq!(error.kind(), ExitKind::Usage);
    }

    #[test]
    fn a_reservation_never_replaces_a_file_that_appeared_meanwhile() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("client.json");
        let reservation = Reservation::new(&path).unwrap();
        // Another run saved its client there while this one was registering.
        std::fs::write(&path, "another client's only credentials").unwrap();
        let error = reservation.commit(&client("t1")).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::AlreadyExists);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "another client's only credentials"
        );
        assert_eq!(entries(directory.path()), ["client.json"]);
    }

    #[test]
    fn unreadable_files_are_usage_errors() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("nope.json");
        assert_eq!(load(&path).unwrap_err().kind(), ExitKind::Usage);
        std::fs::write(&path, "{}").unwrap();
        let error = load(&path).unwrap_err();
        assert_eq!(error.kind(), ExitKind::Usage);
        assert!(error.hint().is_some());
    }
}
