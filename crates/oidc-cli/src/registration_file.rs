//! The registration file: a [`RegisteredClient`] as JSON, credentials included, readable by its
//! owner only (mode 0600).
//!
//! The file is written by oidc-store's writer ([`oidc_store::write_registration_file`], the one
//! its `FileStore` uses too): a new 0600 temporary file, synced, renamed over the target. A
//! crash or a full disk leaves the old file or the new one, never a torn one. This module adds
//! the command line's messages and hints.

use std::io::ErrorKind;
use std::path::Path;

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
    let client = oidc_store::read_registration_file(path).map_err(|error| {
        if error.kind() == ErrorKind::InvalidData {
            CliError::usage(format!("{name} is not a registration file: {error}"))
                .with_hint("a registration file is what `oidc-register register --save FILE` wrote")
        } else {
            CliError::usage(format!("cannot read registration file {name}: {error}"))
        }
    })?;
    warn_if_shared(path);
    Ok(client)
}

/// Writes `client` to `path` atomically with mode 0600, replacing any file there.
///
/// # Errors
///
/// The I/O error; the target is unchanged then.
pub fn write(path: &Path, client: &RegisteredClient) -> std::io::Result<()> {
    oidc_store::write_registration_file(path, client)
}

/// A registration file reserved before registering: the temporary file exists (so an
/// unwritable directory is reported before anything is sent) and becomes the target on
/// [`commit`](Self::commit). Dropped uncommitted, it is removed.
#[derive(Debug)]
pub struct Reservation {
    inner: oidc_store::Reservation,
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
        match oidc_store::Reservation::new(path) {
            Ok(inner) => Ok(Self { inner }),
            Err(error) if error.kind() == ErrorKind::AlreadyExists => Err(CliError::usage(
                format!("{name} already exists"),
            )
            .with_hint(
                "it may hold another client's credentials; choose another file or remove it first",
            )),
            Err(error) => Err(CliError::usage(format!("cannot write {name}: {error}"))),
        }
    }

    /// Writes `client` and moves it into place, unless a file appeared at the target since the
    /// reservation: that one is never replaced.
    ///
    /// # Errors
    ///
    /// The I/O error (`AlreadyExists` when the target appeared); nothing is left behind then.
    pub fn commit(self, client: &RegisteredClient) -> std::io::Result<()> {
        self.inner.commit(client)
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
