//! [`FileStore`], and the single registration file it shares its writer with.
//!
//! Every write goes to a new temporary file in the same directory, created with mode 0600 (the
//! secrets are never readable by others, not even for a moment), synced, and then renamed over
//! the target, and the directory is synced. A crash or a full disk leaves either the old file or
//! the new one, never a torn one: after a provider rotated a credential, a half-written file
//! would lose the only working token.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use oidc_types::RegisteredClient;
use serde::{Deserialize, Serialize};

use crate::clock;
use crate::store::{
    LeaseHolder, RegistrationStore, StoreError, StoreErrorKind, StoreFuture, StoreKey,
    StoreOperation, StoredRegistration, Version, Versioned,
};

/// Writes `client` to `path` as a registration file (the [`RegisteredClient`] as JSON, secrets
/// included), atomically and with mode 0600, replacing any file there.
///
/// # Errors
///
/// The I/O error; the file at `path` is unchanged then.
pub fn write_registration_file(path: &Path, client: &RegisteredClient) -> std::io::Result<()> {
    TemporaryFile::create(path)?.replace_target(&registration_bytes(client)?)
}

/// Reads a registration file written by [`write_registration_file`] or a [`Reservation`].
///
/// # Errors
///
/// The I/O error, or an `InvalidData` one when the file is not a registration.
pub fn read_registration_file(path: &Path) -> std::io::Result<RegisteredClient> {
    let text = std::fs::read(path)?;
    serde_json::from_slice(&text)
        .map_err(|error| std::io::Error::new(ErrorKind::InvalidData, error))
}

fn registration_bytes(client: &RegisteredClient) -> std::io::Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(client).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// A registration file reserved before registering: the temporary file exists (so an
/// unwritable directory is reported before anything is sent to a provider) and becomes the
/// target on [`commit`](Self::commit). Dropped uncommitted, it is removed.
#[derive(Debug)]
pub struct Reservation {
    temporary: TemporaryFile,
}

impl Reservation {
    /// Reserves `path` for a new registration.
    ///
    /// # Errors
    ///
    /// `AlreadyExists` when `path` exists (it may hold another client's only credentials),
    /// else the I/O error of creating the temporary file.
    pub fn new(path: &Path) -> std::io::Result<Self> {
        if path.symlink_metadata().is_ok() {
            return Err(std::io::Error::new(
                ErrorKind::AlreadyExists,
                "the file already exists",
            ));
        }
        Ok(Self {
            temporary: TemporaryFile::create(path)?,
        })
    }

    /// Writes `client` and moves it into place, unless a file appeared at the target since the
    /// reservation: that one is never replaced.
    ///
    /// # Errors
    ///
    /// The I/O error (`AlreadyExists` when the target appeared); nothing is left behind then.
    pub fn commit(self, client: &RegisteredClient) -> std::io::Result<()> {
        self.temporary.create_target(&registration_bytes(client)?)
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
        let file_name = target
            .file_name()
            .ok_or_else(|| std::io::Error::new(ErrorKind::InvalidInput, "not a file name"))?;
        let directory = directory_of(target);
        loop {
            // Unique among the writers of this directory: processes by pid, calls by counter.
            let mut name = std::ffi::OsString::from(".");
            name.push(file_name);
            name.push(format!(
                ".tmp-{}-{}",
                std::process::id(),
                clock::next_sequence()
            ));
            let path = directory.join(name);
            match owner_only().write(true).create_new(true).open(&path) {
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

    /// Writes `bytes` and renames the file over the target.
    fn replace_target(mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.write_out(bytes)?;
        std::fs::rename(&self.path, &self.target)?;
        self.finish()
    }

    /// Like [`replace_target`](Self::replace_target), but never replaces a file at the target:
    /// a hard link fails atomically when the target exists, where a rename would clobber it.
    fn create_target(mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.write_out(bytes)?;
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
                    "the file appeared meanwhile",
                ))
            }
            Err(_) => std::fs::rename(&self.path, &self.target)?,
        }
        self.finish()
    }

    fn write_out(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let Some(mut file) = self.file.take() else {
            return Err(std::io::Error::other("temporary file already used"));
        };
        file.write_all(bytes)?;
        file.sync_all()
    }

    /// After the move into place: syncs the directory and forgets the temporary name.
    fn finish(mut self) -> std::io::Result<()> {
        // Makes the rename itself durable. Not every platform can sync a directory, and the
        // file is in place either way, so a failure here is ignored.
        if let Ok(directory) = File::open(directory_of(&self.target)) {
            let _ = directory.sync_all();
        }
        self.path = PathBuf::new();
        Ok(())
    }
}

impl Drop for TemporaryFile {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Open options for a new file readable and writable by its owner only.
fn owner_only() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// The directory `target` is in: `.` for a bare file name.
fn directory_of(target: &Path) -> &Path {
    match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// A [`RegistrationStore`] in a directory: for one process or several on one machine (a CLI,
/// a service with a persistent volume).
///
/// Each key is one file, `<name>-<hash>.json` (the name made file-safe and cut to 40
/// characters, then the first 16 bytes of SHA-256 over issuer and name in hex), with mode 0600:
///
/// ```json
/// { "format": 1, "issuer": "https://op.example", "name": "default", "version": 3,
///   "registration": { "client": { "client_id": "…", … }, "previous_client_ids": [] } }
/// ```
///
/// `registration.client` is exactly the single registration file's format
/// ([`write_registration_file`]). Writes are atomic (temporary file, sync, rename, directory
/// sync); a compare-and-swap and the lease take an exclusive lock on `<name>-<hash>.lock`
/// (`flock`, released by the OS when a process dies); the lease is `<name>-<hash>.lease` with
/// its holder and expiry. Processes must share one file system that honours `flock` (a local
/// disk; not every network file system does) and roughly agree on the wall clock.
#[derive(Debug, Clone)]
pub struct FileStore {
    directory: Arc<PathBuf>,
}

/// The on-disk form of one key's record.
#[derive(Serialize, Deserialize)]
struct RecordFile {
    format: u32,
    issuer: String,
    name: String,
    version: Version,
    registration: StoredRegistration,
}

/// The on-disk form of a lease.
#[derive(Serialize, Deserialize)]
struct LeaseFile {
    holder: String,
    expires_at_ms: u64,
}

const FORMAT: u32 = 1;

impl FileStore {
    /// A store in `directory`, created (mode 0700 on Unix) if missing.
    ///
    /// # Errors
    ///
    /// [`StoreErrorKind::Refused`] when the directory cannot be created or is not one.
    pub fn open(directory: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let directory = directory.into();
        let refused = |error: std::io::Error| {
            StoreError::new(StoreOperation::Open, None, StoreErrorKind::Refused).with_source(error)
        };
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(&directory).map_err(refused)?;
        if !directory.is_dir() {
            return Err(refused(std::io::Error::new(
                ErrorKind::NotADirectory,
                "not a directory",
            )));
        }
        Ok(Self {
            directory: Arc::new(directory),
        })
    }

    /// The directory.
    pub fn directory(&self) -> &Path {
        &self.directory
    }

    /// The path of `key`'s record file (which may not exist).
    pub fn record_path(&self, key: &StoreKey) -> PathBuf {
        self.directory.join(format!("{}.json", file_stem(key)))
    }

    fn lock_path(&self, key: &StoreKey) -> PathBuf {
        self.directory.join(format!("{}.lock", file_stem(key)))
    }

    fn lease_path(&self, key: &StoreKey) -> PathBuf {
        self.directory.join(format!("{}.lease", file_stem(key)))
    }

    /// Runs `work` on a blocking thread (file I/O and `flock` block).
    fn blocking<'a, T: Send + 'static>(
        &'a self,
        operation: StoreOperation,
        key: &'a StoreKey,
        work: impl FnOnce(&FileStore, &StoreKey) -> Result<T, StoreError> + Send + 'static,
    ) -> StoreFuture<'a, T> {
        let store = self.clone();
        let owned_key = key.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || work(&store, &owned_key))
                .await
                .map_err(|join| {
                    StoreError::new(operation, Some(key), StoreErrorKind::Unavailable)
                        .with_source(join)
                })?
        })
    }

    /// Holds the key's exclusive lock while `work` runs.
    fn locked<T>(
        &self,
        operation: StoreOperation,
        key: &StoreKey,
        work: impl FnOnce() -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let lock = owner_only()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(self.lock_path(key))
            .map_err(|error| io_error(operation, key, error))?;
        lock.lock()
            .map_err(|error| io_error(operation, key, error))?;
        let result = work();
        // Dropping the file releases the lock too; unlocking first is only explicit.
        let _ = lock.unlock();
        result
    }

    fn read_record(&self, key: &StoreKey) -> Result<Option<Versioned>, StoreError> {
        let bytes = match std::fs::read(self.record_path(key)) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(io_error(StoreOperation::Load, key, error)),
        };
        let corrupt = || StoreError::new(StoreOperation::Load, Some(key), StoreErrorKind::Corrupt);
        let file: RecordFile = serde_json::from_slice(&bytes).map_err(|error| {
            // The serde error names a position, never the content: safe to keep.
            corrupt().with_source(error)
        })?;
        if file.format != FORMAT || file.issuer != key.issuer || file.name != key.name {
            return Err(corrupt());
        }
        Ok(Some(Versioned {
            record: file.registration,
            version: file.version,
        }))
    }

    fn write_record(
        &self,
        key: &StoreKey,
        version: Version,
        record: &StoredRegistration,
    ) -> Result<(), StoreError> {
        let file = RecordFile {
            format: FORMAT,
            issuer: key.issuer.clone(),
            name: key.name.clone(),
            version,
            registration: record.clone(),
        };
        let write = |error| io_error(StoreOperation::Write, key, error);
        let mut bytes = serde_json::to_vec_pretty(&file)
            .map_err(|error| write(std::io::Error::other(error)))?;
        bytes.push(b'\n');
        TemporaryFile::create(&self.record_path(key))
            .and_then(|temporary| temporary.replace_target(&bytes))
            .map_err(write)
    }
}

impl RegistrationStore for FileStore {
    fn load<'a>(&'a self, key: &'a StoreKey) -> StoreFuture<'a, Option<Versioned>> {
        // A rename is atomic: a reader sees the old record or the new one without the lock.
        self.blocking(StoreOperation::Load, key, |store, key| {
            store.read_record(key)
        })
    }

    fn insert_if_absent<'a>(
        &'a self,
        key: &'a StoreKey,
        record: &'a StoredRegistration,
    ) -> StoreFuture<'a, Option<Version>> {
        let record = record.clone();
        self.blocking(StoreOperation::Write, key, move |store, key| {
            store.locked(StoreOperation::Write, key, || {
                if store.read_record(key)?.is_some() {
                    return Ok(None);
                }
                store.write_record(key, Version::FIRST, &record)?;
                Ok(Some(Version::FIRST))
            })
        })
    }

    fn compare_and_swap<'a>(
        &'a self,
        key: &'a StoreKey,
        expected: Version,
        record: &'a StoredRegistration,
    ) -> StoreFuture<'a, Option<Version>> {
        let record = record.clone();
        self.blocking(StoreOperation::Write, key, move |store, key| {
            store.locked(StoreOperation::Write, key, || {
                match store.read_record(key)? {
                    Some(current) if current.version == expected => {
                        let next = expected.next();
                        store.write_record(key, next, &record)?;
                        Ok(Some(next))
                    }
                    _ => Ok(None),
                }
            })
        })
    }

    fn remove<'a>(&'a self, key: &'a StoreKey, expected: Version) -> StoreFuture<'a, bool> {
        self.blocking(StoreOperation::Write, key, move |store, key| {
            store.locked(StoreOperation::Write, key, || {
                match store.read_record(key)? {
                    Some(current) if current.version == expected => {
                        std::fs::remove_file(store.record_path(key))
                            .map_err(|error| io_error(StoreOperation::Write, key, error))?;
                        if let Ok(directory) = File::open(store.directory()) {
                            let _ = directory.sync_all();
                        }
                        Ok(true)
                    }
                    _ => Ok(false),
                }
            })
        })
    }

    fn try_lease<'a>(
        &'a self,
        key: &'a StoreKey,
        holder: &'a LeaseHolder,
        ttl: Duration,
    ) -> StoreFuture<'a, bool> {
        let holder = holder.as_str().to_owned();
        self.blocking(StoreOperation::Lease, key, move |store, key| {
            store.locked(StoreOperation::Lease, key, || {
                let now = clock::unix_millis();
                if let Some(lease) = store.read_lease(key)? {
                    if lease.holder != holder && lease.expires_at_ms > now {
                        return Ok(false);
                    }
                }
                let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
                let lease = LeaseFile {
                    holder,
                    expires_at_ms: now.saturating_add(ttl_ms),
                };
                let bytes = serde_json::to_vec(&lease).map_err(|error| {
                    io_error(StoreOperation::Lease, key, std::io::Error::other(error))
                })?;
                TemporaryFile::create(&store.lease_path(key))
                    .and_then(|temporary| temporary.replace_target(&bytes))
                    .map_err(|error| io_error(StoreOperation::Lease, key, error))?;
                Ok(true)
            })
        })
    }

    fn release<'a>(&'a self, key: &'a StoreKey, holder: &'a LeaseHolder) -> StoreFuture<'a, ()> {
        let holder = holder.as_str().to_owned();
        self.blocking(StoreOperation::Lease, key, move |store, key| {
            store.locked(StoreOperation::Lease, key, || {
                if matches!(store.read_lease(key)?, Some(lease) if lease.holder == holder) {
                    match std::fs::remove_file(store.lease_path(key)) {
                        Ok(()) => {}
                        Err(error) if error.kind() == ErrorKind::NotFound => {}
                        Err(error) => return Err(io_error(StoreOperation::Lease, key, error)),
                    }
                }
                Ok(())
            })
        })
    }
}

impl FileStore {
    fn read_lease(&self, key: &StoreKey) -> Result<Option<LeaseFile>, StoreError> {
        match std::fs::read(self.lease_path(key)) {
            // A lease file that cannot be read was torn by nothing (it is renamed into place),
            // so it is foreign: treat it as expired rather than block the key forever.
            Ok(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
            Err(error) if error.kind() == ErrorKind::NotFound => Ok(None),
            Err(error) => Err(io_error(StoreOperation::Lease, key, error)),
        }
    }
}

/// The file stem of `key`: readable (the name, file-safe) and unique (a hash of both parts).
fn file_stem(key: &StoreKey) -> String {
    let mut readable: String = key
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    if readable.is_empty() {
        readable.push('_');
    }
    let mut hashed = Vec::with_capacity(key.issuer.len() + key.name.len() + 1);
    hashed.extend_from_slice(key.issuer.as_bytes());
    // The separator cannot occur in either part's UTF-8, so ("a", "bc") and ("ab", "c") differ.
    hashed.push(0xff);
    hashed.extend_from_slice(key.name.as_bytes());
    let digest = ring::digest::digest(&ring::digest::SHA256, &hashed);
    let mut stem = readable;
    stem.push('-');
    for byte in digest.as_ref().iter().take(16) {
        stem.push_str(&format!("{byte:02x}"));
    }
    stem
}

/// An I/O error as a store error: what the caller can do about it decides the kind.
fn io_error(operation: StoreOperation, key: &StoreKey, error: std::io::Error) -> StoreError {
    let kind = match error.kind() {
        ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem | ErrorKind::StorageFull => {
            StoreErrorKind::Refused
        }
        ErrorKind::InvalidInput | ErrorKind::InvalidFilename => StoreErrorKind::InvalidKey,
        _ => StoreErrorKind::Unavailable,
    };
    StoreError::new(operation, Some(key), kind).with_source(error)
}
