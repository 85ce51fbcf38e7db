//! Registering and managing through a store: [`ensure_registered`], [`read_stored`],
//! [`update_stored`], [`replace_stored`], [`delete_stored`] and [`store_again`].
//!
//! Every call that talks to the provider holds the key's lease, so replicas take turns, and
//! follows the same steps around the provider call:
//!
//! 1. load the latest record;
//! 2. mark it with an [`UnconfirmedCall`] (a compare-and-swap), so that a process dying from
//!    here on leaves a record that says its token may have been rotated;
//! 3. call the provider with the loaded credentials;
//! 4. store its answer and clear the mark (a compare-and-swap) before returning. When that
//!    write fails the answer is returned in the error ([`ManagedErrorKind::Unstored`]), never
//!    dropped.
//!
//! A refusal, or a request that never reached the provider, clears the mark again.

use oidc_registration::{
    delete_client, read_client, register_client, replace_client, update_client, RegistrationError,
};
use oidc_types::{
    AppliedAnswer, ClientMetadata, ProviderMetadata, RegisteredClient, ResponseProblem,
};

use crate::error::{provider_may_have_acted, says_gone, ManagedError, ManagedErrorKind};
use crate::lease::{Lease, StoreOptions};
use crate::store::{
    RegistrationStore, StoreError, StoreErrorKind, StoreKey, StoreOperation, StoredRegistration,
    UnconfirmedCall, Version, Versioned,
};

/// How often a write is retried when the record changed under it (a holder whose lease ran
/// out, or a caller that does not lease). Each retry follows a change by someone else, so this
/// bounds the work, not the time.
const MAX_ATTEMPTS: usize = 4;

/// The result of [`ensure_registered`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Ensured {
    /// The registration, as stored.
    pub client: RegisteredClient,
    /// The stored record's version.
    pub version: Version,
    /// Whether it was found or made.
    pub outcome: EnsureOutcome,
    /// Anything odd about the provider's answer, when there was one.
    pub problems: Vec<ResponseProblem>,
}

/// How [`ensure_registered`] came by its registration.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnsureOutcome {
    /// It was in the store (and, with [`StoreOptions::verify_stored`], the provider knew it).
    Stored,
    /// Nothing was stored: this call registered a client and stored it.
    Registered,
    /// The stored registration was gone at the provider ([`ManagedErrorKind::Gone`]): this
    /// call registered a new client and replaced it, keeping the old id in
    /// [`StoredRegistration::previous_client_ids`].
    Replaced {
        /// The client id that was gone.
        previous_client_id: String,
    },
}

/// The result of a store-backed read or update: the registration as now stored.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ManagedAnswer {
    /// The registration after the call, as stored.
    pub client: RegisteredClient,
    /// The stored record's version.
    pub version: Version,
    /// What the provider's answer changed, and anything odd about it.
    pub applied: AppliedAnswer,
}

/// Returns the registration stored under `key`, registering one first if there is none.
///
/// For a service that registers itself at start-up, or a registrar with one registration per
/// tenant, on any number of replicas:
///
/// 1. a stored registration is returned as it is (one store read, no request), unless
///    [`StoreOptions::verify_stored`] asks to read it at the provider first;
/// 2. otherwise the key's lease is taken (replicas starting together wait for each other),
///    the store is checked again, and only then is `metadata` registered with `provider` and
///    stored (insert-if-absent): one registration, however many callers race.
///
/// With `verify_stored`, a registration the provider answers is gone for
/// ([`ManagedErrorKind::Gone`]: a rejected token or a 404 with the stored, confirmed
/// credentials) is replaced by a new one, and its id is kept in
/// [`StoredRegistration::previous_client_ids`]. Nothing else causes a new registration: an
/// outage (no connection, a timeout, a 5xx, a 429), a refusal (403 and other errors) and a token
/// rejected after a call whose answer was lost ([`ManagedErrorKind::CredentialsLost`]) are
/// returned as errors, with the stored registration untouched.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use oidc_discovery::{load_configuration, DiscoveryOptions};
/// use oidc_store::{ensure_registered, EnsureOutcome, FileStore, StoreKey, StoreOptions};
/// use oidc_types::ClientMetadata;
///
/// # let op = oidc_test_provider::TestProvider::start().await;
/// # let issuer = op.issuer();
/// # let directory = tempfile::tempdir()?;
/// let provider = load_configuration(&issuer, &DiscoveryOptions::default()).await?.metadata;
/// let store = FileStore::open(directory.path().join("registrations"))?;
/// let key = StoreKey::new(&provider.issuer, "default");
/// let metadata = ClientMetadata::new(["https://app.example/callback"]);
///
/// let first = ensure_registered(&store, &key, &provider, &metadata, &StoreOptions::default()).await?;
/// assert_eq!(first.outcome, EnsureOutcome::Registered);
/// // The next start (or another replica) finds it:
/// let again = ensure_registered(&store, &key, &provider, &metadata, &StoreOptions::default()).await?;
/// assert_eq!(again.outcome, EnsureOutcome::Stored);
/// assert_eq!(again.client.client_id, first.client.client_id);
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// A [`ManagedError`]; when the provider registered a client that could not be stored, the
/// error holds it ([`ManagedError::unstored_client`]).
pub async fn ensure_registered(
    store: &dyn RegistrationStore,
    key: &StoreKey,
    provider: &ProviderMetadata,
    metadata: &ClientMetadata,
    options: &StoreOptions,
) -> Result<Ensured, ManagedError> {
    let fail = |kind| ManagedError::new(key, "ensured", kind);
    if provider.issuer != key.issuer {
        return Err(fail(ManagedErrorKind::WrongProvider {
            provider_issuer: provider.issuer.clone(),
        }));
    }
    if !options.verify_stored {
        // The warm path: one read, no lease.
        if let Some(found) = store.load(key).await.map_err(|error| fail(error.into()))? {
            return Ok(Ensured::stored(found));
        }
    }
    let lease = Lease::acquire(store, key, options).await?;
    let result = ensure_under_lease(store, key, provider, metadata, options).await;
    lease.release().await;
    result.map_err(fail)
}

impl Ensured {
    fn stored(found: Versioned) -> Self {
        Self {
            client: found.record.client,
            version: found.version,
            outcome: EnsureOutcome::Stored,
            problems: Vec::new(),
        }
    }
}

async fn ensure_under_lease(
    store: &dyn RegistrationStore,
    key: &StoreKey,
    provider: &ProviderMetadata,
    metadata: &ClientMetadata,
    options: &StoreOptions,
) -> Result<Ensured, ManagedErrorKind> {
    match store.load(key).await? {
        None => register_new(store, key, provider, metadata, options, None).await,
        Some(found) if !options.verify_stored => Ok(Ensured::stored(found)),
        Some(_) => match call_under_lease(store, key, options, &Call::Read).await {
            Ok(outcome) => Ok(Ensured {
                client: outcome.client,
                version: outcome.version.unwrap_or(Version::FIRST),
                outcome: EnsureOutcome::Stored,
                problems: outcome
                    .applied
                    .map(|applied| applied.problems)
                    .unwrap_or_default(),
            }),
            Err(ManagedErrorKind::Gone { client_id, .. }) => {
                register_new(store, key, provider, metadata, options, Some(client_id)).await
            }
            Err(other) => Err(other),
        },
    }
}

/// Registers `metadata` and stores it: inserted when `replacing` is `None`, else in place of
/// the gone registration `replacing`.
async fn register_new(
    store: &dyn RegistrationStore,
    key: &StoreKey,
    provider: &ProviderMetadata,
    metadata: &ClientMetadata,
    options: &StoreOptions,
    replacing: Option<String>,
) -> Result<Ensured, ManagedErrorKind> {
    let registration = register_client(provider, metadata, &options.register)
        .await
        .map_err(ManagedErrorKind::Registration)?;
    let client = registration.client;
    let unstored = |client: RegisteredClient, source| ManagedErrorKind::Unstored {
        client: Box::new(client),
        source,
    };
    let (written, outcome) = match replacing {
        None => {
            let record = StoredRegistration::new(client.clone());
            match store.insert_if_absent(key, &record).await {
                Ok(written) => (written, EnsureOutcome::Registered),
                Err(error) => return Err(unstored(client, error)),
            }
        }
        Some(previous_client_id) => {
            let latest = match store.load(key).await {
                Ok(latest) => latest,
                Err(error) => return Err(unstored(client, error)),
            };
            let Some(latest) =
                latest.filter(|latest| latest.record.client.client_id == previous_client_id)
            else {
                return Err(ManagedErrorKind::KeyTaken {
                    client: Box::new(client),
                });
            };
            let mut record = latest.record;
            record.previous_client_ids.push(previous_client_id.clone());
            record.client = client.clone();
            record.unconfirmed_call = None;
            match store.compare_and_swap(key, latest.version, &record).await {
                Ok(written) => (written, EnsureOutcome::Replaced { previous_client_id }),
                Err(error) => return Err(unstored(client, error)),
            }
        }
    };
    match written {
        Some(version) => Ok(Ensured {
            client,
            version,
            outcome,
            problems: registration.problems,
        }),
        None => Err(ManagedErrorKind::KeyTaken {
            client: Box::new(client),
        }),
    }
}

/// Reads the stored registration at the provider (RFC 7592 §2.1) and stores what it answers
/// (providers may rotate the token on a read), holding the key's lease for the call.
///
/// A call that finds its token rejected because another caller rotated and stored it meanwhile
/// (a holder whose lease ran out) reloads and retries once with the stored token.
///
/// # Errors
///
/// A [`ManagedError`]: [`ManagedErrorKind::Gone`] when the provider no longer knows the client,
/// [`ManagedErrorKind::Unstored`] (holding the credentials) when its answer could not be stored.
pub async fn read_stored(
    store: &dyn RegistrationStore,
    key: &StoreKey,
    options: &StoreOptions,
) -> Result<ManagedAnswer, ManagedError> {
    managed(store, key, options, Call::Read).await
}

/// Changes some of the stored registration's metadata at the provider (as
/// `oidc_registration::update_client`: `edit` changes the typed metadata, everything else goes
/// back as the provider stored it) and stores the answer, holding the key's lease. `edit` may
/// run twice, when the call is retried after another caller's rotation.
///
/// # Errors
///
/// As [`read_stored`], plus the registration's validation and refusal errors.
pub async fn update_stored(
    store: &dyn RegistrationStore,
    key: &StoreKey,
    edit: impl Fn(&mut ClientMetadata) + Send + Sync,
    options: &StoreOptions,
) -> Result<ManagedAnswer, ManagedError> {
    managed(store, key, options, Call::Update(&edit)).await
}

/// Replaces the stored registration's whole metadata at the provider with `metadata` (as
/// `oidc_registration::replace_client`) and stores the answer, holding the key's lease.
///
/// # Errors
///
/// As [`update_stored`].
pub async fn replace_stored(
    store: &dyn RegistrationStore,
    key: &StoreKey,
    metadata: &ClientMetadata,
    options: &StoreOptions,
) -> Result<ManagedAnswer, ManagedError> {
    managed(store, key, options, Call::Replace(metadata)).await
}

/// Deletes the stored registration at the provider (RFC 7592 §2.3), then removes its record,
/// holding the key's lease. A client the provider already answers is gone
/// ([`ManagedErrorKind::Gone`]) is an error too, and its record is kept: delete it with
/// [`RegistrationStore::remove`] when that is what is wanted.
///
/// # Errors
///
/// As [`read_stored`]; [`ManagedErrorKind::Unstored`] when the provider deleted the client but
/// the record could not be removed (it then names a deleted client).
pub async fn delete_stored(
    store: &dyn RegistrationStore,
    key: &StoreKey,
    options: &StoreOptions,
) -> Result<(), ManagedError> {
    managed(store, key, options, Call::Delete).await.map(|_| ())
}

/// Stores `client` under `key` again, over whatever is stored: for the credentials an
/// [`ManagedErrorKind::Unstored`] or [`ManagedErrorKind::KeyTaken`] error holds, once the store
/// is back. A different client id stored there is kept in
/// [`StoredRegistration::previous_client_ids`].
///
/// # Errors
///
/// The store's error; [`StoreErrorKind::Conflict`] when other writers kept changing the
/// record.
pub async fn store_again(
    store: &dyn RegistrationStore,
    key: &StoreKey,
    client: &RegisteredClient,
) -> Result<Version, StoreError> {
    for _ in 0..MAX_ATTEMPTS {
        let written = match store.load(key).await? {
            None => {
                store
                    .insert_if_absent(key, &StoredRegistration::new(client.clone()))
                    .await?
            }
            Some(latest) => {
                let mut record = latest.record;
                if record.client.client_id != client.client_id {
                    record
                        .previous_client_ids
                        .push(record.client.client_id.clone());
                }
                record.client = client.clone();
                record.unconfirmed_call = None;
                store.compare_and_swap(key, latest.version, &record).await?
            }
        };
        if let Some(version) = written {
            return Ok(version);
        }
    }
    Err(contended(key))
}

fn contended(key: &StoreKey) -> StoreError {
    StoreError::new(StoreOperation::Write, Some(key), StoreErrorKind::Conflict)
}

/// One management call.
enum Call<'c> {
    Read,
    Update(&'c (dyn Fn(&mut ClientMetadata) + Send + Sync)),
    Replace(&'c ClientMetadata),
    Delete,
}

impl Call<'_> {
    /// The operation's name in an [`UnconfirmedCall`].
    fn operation(&self) -> &'static str {
        match self {
            Call::Read => "read",
            Call::Update(_) | Call::Replace(_) => "update",
            Call::Delete => "delete",
        }
    }

    /// The past participle in an error message: "registration … could not be read".
    fn action(&self) -> &'static str {
        match self {
            Call::Read => "read",
            Call::Update(_) => "updated",
            Call::Replace(_) => "replaced",
            Call::Delete => "deleted",
        }
    }

    async fn send(
        &self,
        client: &mut RegisteredClient,
        options: &StoreOptions,
    ) -> Result<Option<AppliedAnswer>, RegistrationError> {
        let manage = &options.manage;
        match self {
            Call::Read => read_client(client, manage).await.map(Some),
            Call::Update(edit) => update_client(client, |metadata| edit(metadata), manage)
                .await
                .map(Some),
            Call::Replace(metadata) => replace_client(client, metadata, manage).await.map(Some),
            Call::Delete => delete_client(client, manage).await.map(|()| None),
        }
    }
}

/// What a call under the lease came to.
struct Outcome {
    client: RegisteredClient,
    /// `None` once the record is removed (a deletion).
    version: Option<Version>,
    /// `None` for a deletion.
    applied: Option<AppliedAnswer>,
}

async fn managed(
    store: &dyn RegistrationStore,
    key: &StoreKey,
    options: &StoreOptions,
    call: Call<'_>,
) -> Result<ManagedAnswer, ManagedError> {
    let fail = |kind| ManagedError::new(key, call.action(), kind);
    let lease = Lease::acquire(store, key, options).await?;
    let result = call_under_lease(store, key, options, &call).await;
    lease.release().await;
    let outcome = result.map_err(fail)?;
    Ok(ManagedAnswer {
        client: outcome.client,
        version: outcome.version.unwrap_or(Version(0)),
        applied: outcome.applied.unwrap_or_default(),
    })
}

/// Steps 1–4 of the module documentation, with the lease held.
async fn call_under_lease(
    store: &dyn RegistrationStore,
    key: &StoreKey,
    options: &StoreOptions,
    call: &Call<'_>,
) -> Result<Outcome, ManagedErrorKind> {
    let mut retried_after_rotation = false;
    for _ in 0..MAX_ATTEMPTS {
        let current = store.load(key).await?.ok_or(ManagedErrorKind::NotStored)?;
        let mut marked = current.record.clone();
        marked.unconfirmed_call = Some(UnconfirmedCall::starting_now(call.operation()));
        let Some(marked_version) = store
            .compare_and_swap(key, current.version, &marked)
            .await?
        else {
            // Written meanwhile by someone else: start over from the latest record.
            continue;
        };
        let mut client = current.record.client.clone();
        let error = match call.send(&mut client, options).await {
            Ok(applied) => {
                return store_answer(
                    store,
                    key,
                    marked_version,
                    marked,
                    &current,
                    client,
                    applied,
                )
                .await
            }
            Err(error) => error,
        };
        if !provider_may_have_acted(&error) {
            // Refused, or never sent: the stored credentials are as good as before the call.
            // Should this write fail, the mark stays, which only makes the next caller warier.
            let _ = store
                .compare_and_swap(key, marked_version, &current.record)
                .await;
        }
        if !says_gone(&error) {
            return Err(ManagedErrorKind::Registration(error));
        }
        if !retried_after_rotation && token_changed(store, key, &current).await? {
            // Another caller rotated the token and stored the new one after this call loaded
            // it: retry once with the stored token.
            retried_after_rotation = true;
            continue;
        }
        let client_id = current.record.client.client_id.clone();
        return Err(if current.record.unconfirmed_call.is_some() {
            ManagedErrorKind::CredentialsLost {
                client_id,
                source: error,
            }
        } else {
            ManagedErrorKind::Gone {
                client_id,
                source: error,
            }
        });
    }
    Err(ManagedErrorKind::Store(contended(key)))
}

/// Whether the store now holds another registration access token than `loaded` had.
async fn token_changed(
    store: &dyn RegistrationStore,
    key: &StoreKey,
    loaded: &Versioned,
) -> Result<bool, StoreError> {
    Ok(store.load(key).await?.is_some_and(|latest| {
        latest.record.client.registration_access_token
            != loaded.record.client.registration_access_token
    }))
}

/// Step 4: stores the provider's answer over the marked record at `version`, or removes the
/// record after a deletion.
///
/// When the record changed meanwhile (a holder whose lease ran out), the answer still wins
/// unless the store now holds a token issued after the one this call used: then the stored one
/// is the provider's latest word, and it is returned instead.
async fn store_answer(
    store: &dyn RegistrationStore,
    key: &StoreKey,
    version: Version,
    marked: StoredRegistration,
    loaded: &Versioned,
    client: RegisteredClient,
    applied: Option<AppliedAnswer>,
) -> Result<Outcome, ManagedErrorKind> {
    let unstored = |client: &RegisteredClient, source| ManagedErrorKind::Unstored {
        client: Box::new(client.clone()),
        source,
    };
    let is_ours = |latest: &Versioned| {
        latest.record.client.client_id == loaded.record.client.client_id
            && latest.record.client.registration_access_token
                == loaded.record.client.registration_access_token
    };
    let mut record = marked;
    record.client = client.clone();
    record.unconfirmed_call = None;
    let mut expected = version;
    for _ in 0..MAX_ATTEMPTS {
        let written = match applied {
            None => store
                .remove(key, expected)
                .await
                .map(|removed| removed.then_some(None)),
            Some(_) => store
                .compare_and_swap(key, expected, &record)
                .await
                .map(|written| written.map(Some)),
        };
        match written {
            Ok(Some(version)) => {
                return Ok(Outcome {
                    client,
                    version,
                    applied,
                })
            }
            Ok(None) => {}
            Err(error) => return Err(unstored(&client, error)),
        }
        match store.load(key).await {
            Ok(Some(latest)) if is_ours(&latest) => {
                record.previous_client_ids = latest.record.previous_client_ids;
                expected = latest.version;
            }
            Ok(Some(latest)) => {
                return Ok(Outcome {
                    client: latest.record.client,
                    version: Some(latest.version),
                    applied,
                })
            }
            // Removed meanwhile: another caller deleted it on purpose.
            Ok(None) if applied.is_none() => {
                return Ok(Outcome {
                    client,
                    version: None,
                    applied,
                })
            }
            Ok(None) => return Err(ManagedErrorKind::NotStored),
            Err(error) => return Err(unstored(&client, error)),
        }
    }
    Err(unstored(&client, contended(key)))
}
