//! The storage contract: [`RegistrationStore`], its keys, records and errors.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use oidc_types::RegisteredClient;
use serde::{Deserialize, Serialize};

/// A boxed, `Send` future, as the [`RegistrationStore`] methods return (the trait stays
/// object-safe, like `oidc_http::HttpClient`).
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Which registration: the provider's issuer and a name the caller chooses (`"default"` for a
/// service that registers itself, a tenant id for a registrar).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StoreKey {
    /// The provider's issuer, exactly as the registration was made with it.
    pub issuer: String,
    /// The caller's name for this registration at that issuer.
    pub name: String,
}

impl StoreKey {
    /// The key of registration `name` at `issuer`.
    pub fn new(issuer: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            name: name.into(),
        }
    }
}

impl fmt::Display for StoreKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} at {}", self.name, self.issuer)
    }
}

/// A record's version: every successful write gives the record a new, higher one, which the
/// next [`compare_and_swap`](RegistrationStore::compare_and_swap) must name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Version(pub u64);

impl Version {
    /// The version of a newly inserted record.
    pub const FIRST: Version = Version(1);

    /// The version after this one.
    pub fn next(self) -> Version {
        Version(self.0.saturating_add(1))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}

/// What the store keeps for one key: the registration, with its secrets, plus what the library
/// needs to keep its promises across processes.
///
/// `Debug` shows no secret (the [`RegisteredClient`]'s own `Debug` redacts them); the JSON form
/// (`serde`) holds them, since it is what a store writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StoredRegistration {
    /// The registration: the provider's latest word on the credentials and metadata.
    pub client: RegisteredClient,
    /// Client ids this key held before, oldest first: a registration the provider no longer
    /// knew was replaced by a new one (see [`ensure_registered`](crate::ensure_registered)).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previous_client_ids: Vec<String>,
    /// A management call that was sent with these credentials and whose answer was never
    /// stored (the process died, or the answer was lost on the way back): the provider may
    /// have rotated the credentials in it. Cleared by the next call that succeeds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unconfirmed_call: Option<UnconfirmedCall>,
}

impl StoredRegistration {
    /// A record for a new registration.
    pub fn new(client: RegisteredClient) -> Self {
        Self {
            client,
            previous_client_ids: Vec::new(),
            unconfirmed_call: None,
        }
    }
}

/// A management call sent but not confirmed in the store; see
/// [`StoredRegistration::unconfirmed_call`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UnconfirmedCall {
    /// `"read"`, `"update"` or `"delete"`.
    pub operation: String,
    /// When it was started (seconds since the Unix epoch).
    pub started_at: u64,
}

impl UnconfirmedCall {
    /// A call of `operation` starting now.
    pub fn starting_now(operation: &str) -> Self {
        Self {
            operation: operation.to_owned(),
            started_at: crate::clock::unix_seconds(),
        }
    }
}

/// A record with the version it was read at.
#[derive(Debug, Clone, PartialEq)]
pub struct Versioned {
    /// The record.
    pub record: StoredRegistration,
    /// Its version: name it to replace or remove it.
    pub version: Version,
}

/// Who holds a lease: a random id per process and call, so that only the holder releases it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct LeaseHolder(String);

impl LeaseHolder {
    /// A new holder id, unique with overwhelming probability (128 random bits).
    pub fn random() -> Self {
        let mut bytes = [0u8; 16];
        // Fails only when the OS has no randomness at all; the id then still is unique within
        // the process and carries the pid, which is enough to tell holders apart.
        let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes);
        let counter = crate::clock::next_sequence();
        let mut id = format!("{}-{counter}-", std::process::id());
        for byte in bytes {
            id.push_str(&format!("{byte:02x}"));
        }
        Self(id)
    }

    /// The id as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for LeaseHolder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("LeaseHolder").field(&self.0).finish()
    }
}

/// Where registrations are kept: one record per [`StoreKey`], versioned, plus a short lease per
/// key so that only one caller registers or manages a registration at a time.
///
/// Implementations: [`FileStore`](crate::FileStore) (a directory; processes on one machine) and
/// `PostgresStore` (feature `postgres`; replicas on many machines). Any other backend (a secret
/// manager, a key-value store with conditional writes) fits if it can give these guarantees:
///
/// - **Atomic, durable writes.** A write either happens completely or not at all, and once it
///   returned `Ok` it survives a crash of the process (and, for a file, of the machine).
/// - **Compare-and-swap on the version.** [`insert_if_absent`](Self::insert_if_absent) and
///   [`compare_and_swap`](Self::compare_and_swap) succeed for exactly one of any number of
///   concurrent callers naming the same state; the others get `None` and nothing changes.
/// - **Leases that expire.** [`try_lease`](Self::try_lease) grants a key to one holder until
///   the lease is released or its time is up, so a holder that died never blocks a key forever.
///   Leases only order well-behaved callers; correctness never depends on them alone, since
///   every write is a compare-and-swap.
/// - **Secrets stay in.** The records hold credentials: nothing about a record but its key and
///   version appears in errors, logs or `Debug` output.
pub trait RegistrationStore: Send + Sync + fmt::Debug {
    /// The record under `key` and its version, or `None` when there is none.
    fn load<'a>(&'a self, key: &'a StoreKey) -> StoreFuture<'a, Option<Versioned>>;

    /// Stores `record` under `key` unless a record is there already: `Some(Version::FIRST)`
    /// when stored, `None` when the key was taken (nothing is changed then).
    fn insert_if_absent<'a>(
        &'a self,
        key: &'a StoreKey,
        record: &'a StoredRegistration,
    ) -> StoreFuture<'a, Option<Version>>;

    /// Replaces the record under `key` with `record` if it is still at version `expected`:
    /// `Some(new version)` when replaced, `None` when the record changed or is gone (nothing is
    /// changed then).
    fn compare_and_swap<'a>(
        &'a self,
        key: &'a StoreKey,
        expected: Version,
        record: &'a StoredRegistration,
    ) -> StoreFuture<'a, Option<Version>>;

    /// Removes the record under `key` if it is still at version `expected`: `true` when
    /// removed.
    fn remove<'a>(&'a self, key: &'a StoreKey, expected: Version) -> StoreFuture<'a, bool>;

    /// Grants `holder` the lease on `key` for `ttl` if nobody else holds an unexpired one
    /// (a holder may renew its own): `true` when granted. Never waits.
    fn try_lease<'a>(
        &'a self,
        key: &'a StoreKey,
        holder: &'a LeaseHolder,
        ttl: Duration,
    ) -> StoreFuture<'a, bool>;

    /// Ends `holder`'s lease on `key`; does nothing when it does not hold it (any more).
    fn release<'a>(&'a self, key: &'a StoreKey, holder: &'a LeaseHolder) -> StoreFuture<'a, ()>;
}

/// A store operation that failed. Nothing was written when a store returns one (a write either
/// happens or not), but for a write whose outcome the store cannot know
/// ([`StoreErrorKind::Unavailable`] mid-write); the record's version tells on the next load.
#[derive(Debug)]
pub struct StoreError {
    operation: StoreOperation,
    key: Option<StoreKey>,
    kind: StoreErrorKind,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key {
            Some(key) => write!(
                f,
                "{} registration {key} failed: {}",
                self.operation, self.kind
            ),
            None => write!(f, "{} failed: {}", self.operation, self.kind),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}

/// Which store operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreOperation {
    /// Opening or connecting to the store.
    Open,
    /// [`RegistrationStore::load`].
    Load,
    /// [`RegistrationStore::insert_if_absent`], [`RegistrationStore::compare_and_swap`] or
    /// [`RegistrationStore::remove`].
    Write,
    /// [`RegistrationStore::try_lease`] or [`RegistrationStore::release`].
    Lease,
}

impl fmt::Display for StoreOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StoreOperation::Open => "opening the store",
            StoreOperation::Load => "loading",
            StoreOperation::Write => "writing",
            StoreOperation::Lease => "leasing",
        })
    }
}

/// Why a store operation failed: what a caller can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreErrorKind {
    /// The store could not be reached or did not answer (a database that went away, a
    /// connection that dropped): retrying later may succeed.
    #[error("the store is unavailable")]
    Unavailable,
    /// The store answered with data this library cannot read (a damaged or foreign file, a
    /// table of another shape): retrying will not help.
    #[error("the stored data cannot be read")]
    Corrupt,
    /// The store refused (permissions, a full disk, a read-only database).
    #[error("the store refused the operation")]
    Refused,
    /// The key cannot be stored (too long, or a character the store cannot keep).
    #[error("the key cannot be stored")]
    InvalidKey,
    /// Other writers kept changing the record while this one tried to write it.
    #[error("the record kept changing under concurrent writers")]
    Conflict,
}

impl StoreError {
    /// An error of `kind` during `operation` on `key` (`None` when not about one key).
    pub fn new(operation: StoreOperation, key: Option<&StoreKey>, kind: StoreErrorKind) -> Self {
        Self {
            operation,
            key: key.cloned(),
            kind,
            source: None,
        }
    }

    /// The same error, caused by `source` (shown by `source()`, never in `Display`). It must
    /// not contain a secret.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// Which operation failed.
    pub fn operation(&self) -> StoreOperation {
        self.operation
    }

    /// The key it was about, if any.
    pub fn key(&self) -> Option<&StoreKey> {
        self.key.as_ref()
    }

    /// Why it failed.
    pub fn kind(&self) -> StoreErrorKind {
        self.kind
    }
}
