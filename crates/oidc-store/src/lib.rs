//! Keep OpenID Connect client registrations safely, across restarts and across replicas.
//!
//! A service that registers itself, or a registrar with one client per tenant, must keep each
//! registration's credentials, reuse them on the next start, and keep them current when the
//! provider rotates them (RFC 7592 §2: node oidc-provider and Keycloak issue a new registration
//! access token on every update, and the old one stops working at once). Once it runs as
//! several replicas, they must also not each register a client, nor invalidate each other's
//! token. This crate does that on top of `oidc-registration`:
//!
//! - [`RegistrationStore`], the storage contract (object-safe and async, like
//!   `oidc_http::HttpClient`): load by [`StoreKey`] (issuer + a name the caller chooses),
//!   insert if absent, compare-and-swap on a [`Version`], remove on a version, and a short
//!   lease per key. Records hold the secrets as `oidc_types::Secret`s, which never print.
//! - [`FileStore`], the embedded default: one 0600 file per key in a directory, atomic
//!   replace, `flock` for compare-and-swap and the lease. It shares its writer with the single
//!   registration file of the CLI ([`write_registration_file`]).
//! - `PostgresStore` (feature `postgres`), for replicas on several machines: one table with a
//!   version column, and a lease table.
//! - [`ensure_registered`]: the stored registration, or a new one registered exactly once
//!   however many replicas start together.
//! - [`read_stored`], [`update_stored`], [`replace_stored`], [`delete_stored`]: management
//!   calls that load the latest credentials, hold the lease for the call, and store a rotated
//!   credential before returning.
//!
//! # Guarantees
//!
//! - **One registration per key.** `ensure_registered` registers only under the key's lease and
//!   after checking the store again, and stores with insert-if-absent.
//! - **No credential is dropped.** Once the provider has answered, its credentials are stored
//!   before the call returns, or returned in the error ([`ManagedErrorKind::Unstored`],
//!   [`ManagedError::unstored_client`]) to be stored with [`store_again`]. A stored credential
//!   is only ever replaced by a later answer of the provider.
//! - **An outage never re-registers.** Only a rejected token or a 404 with the stored, confirmed
//!   credentials means "gone" ([`ManagedErrorKind::Gone`]); see [`ensure_registered`].
//! - **A process killed mid-call loses nothing it can keep.** Before each management call the
//!   record is marked ([`StoredRegistration::unconfirmed_call`]). A process killed after the
//!   provider answered but before the store write leaves the record as it was before the call,
//!   marked. If the provider did not rotate anything, the next call succeeds and clears the
//!   mark. If it did, the next call's token is rejected and reported as
//!   [`ManagedErrorKind::CredentialsLost`], never as gone: no second client is registered. (The
//!   rotated token only ever existed in the killed process; no client can recover it.)
//! - **A process killed mid-registration** (after the provider registered, before the insert)
//!   leaves nothing stored: the next `ensure_registered` registers again, and the provider keeps
//!   one unused client. Registration cannot be made idempotent from the client side.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use oidc_discovery::{load_configuration, DiscoveryOptions};
//! use oidc_store::{ensure_registered, update_stored, FileStore, StoreKey, StoreOptions};
//! use oidc_types::ClientMetadata;
//!
//! # let op = oidc_test_provider::TestProvider::builder().rotate_token_on_update(true).start().await;
//! # let issuer = op.issuer();
//! # let directory = tempfile::tempdir()?;
//! let provider = load_configuration(&issuer, &DiscoveryOptions::default()).await?.metadata;
//! let store = FileStore::open(directory.path())?;
//! let key = StoreKey::new(&provider.issuer, "default");
//! let options = StoreOptions::default();
//!
//! let metadata = ClientMetadata::new(["https://app.example/callback"]);
//! let ensured = ensure_registered(&store, &key, &provider, &metadata, &options).await?;
//!
//! // The provider rotates the token on update; the store holds the new one afterwards.
//! let updated = update_stored(&store, &key, |m| m.client_name.set_value("Renamed"), &options).await?;
//! assert!(updated.applied.changes.registration_access_token_rotated);
//! assert_eq!(updated.client.client_id, ensured.client.client_id);
//! # Ok(()) }
//! ```

#![deny(missing_docs)]
// Provider data must never panic library code: fallible access goes through `get`, `?` and
// iterators; the few `allow`s say which invariant makes them safe. Tests may still unwrap.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod clock;
mod error;
mod file;
mod lease;
mod managed;
#[cfg(feature = "postgres")]
mod postgres;
mod store;

pub use error::{ManagedError, ManagedErrorKind};
pub use file::{read_registration_file, write_registration_file, FileStore, Reservation};
pub use lease::{StoreOptions, DEFAULT_LEASE_TTL, DEFAULT_LEASE_WAIT};
pub use managed::{
    delete_stored, ensure_registered, read_stored, replace_stored, store_again, update_stored,
    EnsureOutcome, Ensured, ManagedAnswer,
};
#[cfg(feature = "postgres")]
pub use postgres::{PostgresStore, DEFAULT_STATEMENT_TIMEOUT, SCHEMA as POSTGRES_SCHEMA};
pub use store::{
    LeaseHolder, RegistrationStore, StoreError, StoreErrorKind, StoreFuture, StoreKey,
    StoreOperation, StoredRegistration, UnconfirmedCall, Version, Versioned,
};
