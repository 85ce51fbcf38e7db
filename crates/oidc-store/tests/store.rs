//! FileStore and the store-backed calls against the in-process test provider.
//!
//! The same contract checks run against PostgreSQL, and across processes against node
//! oidc-provider, in the workspace's integration tests (`tests/integration/store.rs`).

// Helpers outside #[test] functions unwrap too: a failed step is a failed test.
#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use oidc_discovery::{load_configuration, DiscoveryOptions};
use oidc_registration::{update_client, ManagementOptions, RegistrationErrorKind};
use oidc_store::{
    delete_stored, ensure_registered, read_stored, store_again, update_stored, EnsureOutcome,
    FileStore, LeaseHolder, ManagedErrorKind, RegistrationStore, StoreError, StoreErrorKind,
    StoreFuture, StoreKey, StoreOperation, StoreOptions, StoredRegistration, UnconfirmedCall,
    Version, Versioned,
};
use oidc_test_provider::{Behaviour, Endpoint, TestProvider};
use oidc_types::{ClientMetadata, ProviderMetadata, RegisteredClient};

async fn provider_metadata(op: &TestProvider) -> ProviderMetadata {
    load_configuration(&op.issuer(), &DiscoveryOptions::default())
        .await
        .unwrap()
        .metadata
}

fn metadata() -> ClientMetadata {
    ClientMetadata::new(["https://app.example/cb"])
}

fn token(client: &RegisteredClient) -> String {
    client
        .registration_access_token
        .as_ref()
        .unwrap()
        .expose()
        .to_owned()
}

async fn rotating_provider() -> TestProvider {
    TestProvider::builder()
        .rotate_token_on_update(true)
        .rotate_token_on_read(true)
        .start()
        .await
}

/// A provider, its metadata, and an empty FileStore with the key of its default registration.
struct Setup {
    op: TestProvider,
    provider: ProviderMetadata,
    store: FileStore,
    key: StoreKey,
    /// Holds the store's directory; removed on drop.
    directory: tempfile::TempDir,
}

async fn setup(op: TestProvider) -> Setup {
    let provider = provider_metadata(&op).await;
    let directory = tempfile::tempdir().unwrap();
    let store = FileStore::open(directory.path()).unwrap();
    let key = StoreKey::new(&provider.issuer, "default");
    Setup {
        op,
        provider,
        store,
        key,
        directory,
    }
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_ensure_registered_registers_exactly_once() {
    let op = TestProvider::start().await;
    let provider = Arc::new(provider_metadata(&op).await);
    let directory = tempfile::tempdir().unwrap();
    let store = FileStore::open(directory.path()).unwrap();
    let key = StoreKey::new(&provider.issuer, "default");

    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (store, key, provider) = (store.clone(), key.clone(), provider.clone());
        tasks.push(tokio::spawn(async move {
            ensure_registered(
                &store,
                &key,
                &provider,
                &metadata(),
                &StoreOptions::default(),
            )
            .await
            .unwrap()
        }));
    }
    let mut ids = Vec::new();
    let mut registered = 0;
    for task in tasks {
        let ensured = task.await.unwrap();
        if ensured.outcome == EnsureOutcome::Registered {
            registered += 1;
        }
        ids.push(ensured.client.client_id);
    }
    assert_eq!(registered, 1);
    assert_eq!(op.registered_clients().len(), 1);
    ids.dedup();
    assert_eq!(ids.len(), 1, "every caller got the one client");

    let path = store.record_path(&key);
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);
    // The record embeds the single registration file's format.
    let file: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let client: RegisteredClient =
        serde_json::from_value(file["registration"]["client"].clone()).unwrap();
    assert_eq!(client.client_id, ids[0]);
    assert_eq!(file["version"], 1);
}

/// What is particular to the file store; the contract itself is checked for every backend by
/// `check_contract` in tests/integration/store.rs.
#[tokio::test]
async fn the_file_store_keeps_keys_apart_and_reports_damage() {
    let directory = tempfile::tempdir().unwrap();
    let store = FileStore::open(directory.path().join("nested/registrations")).unwrap();
    let key = StoreKey::new("https://op.example", "tenant/42");
    // The same name at an issuer that differs only by a slash, and a name that is the same once
    // made file-safe: other records.
    let others = [
        StoreKey::new("https://op.example/", "tenant/42"),
        StoreKey::new("https://op.example", "tenant_42"),
    ];
    store
        .insert_if_absent(&key, &StoredRegistration::new(client("a", "t1")))
        .await
        .unwrap()
        .unwrap();
    for other in &others {
        assert_eq!(store.load(other).await.unwrap(), None, "{other}");
    }
    #[cfg(unix)]
    assert_eq!(mode(&store.record_path(&key)), 0o600);

    // A damaged record is reported, not taken for "absent" (which would register anew).
    std::fs::write(store.record_path(&key), b"{ not json").unwrap();
    let error = store.load(&key).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Corrupt);
    // A record file of another key (copied or renamed by hand) is refused too.
    let copy = StoredRegistration::new(client("b", "t2"));
    store
        .insert_if_absent(&others[0], &copy)
        .await
        .unwrap()
        .unwrap();
    std::fs::copy(store.record_path(&others[0]), store.record_path(&others[1])).unwrap();
    let error = store.load(&others[1]).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Corrupt);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_compare_and_swap_loses_no_write() {
    let directory = tempfile::tempdir().unwrap();
    let store = FileStore::open(directory.path()).unwrap();
    let key = StoreKey::new("https://op.example", "counter");
    store
        .insert_if_absent(&key, &StoredRegistration::new(client("0", "t")))
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (store, key) = (store.clone(), key.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..10 {
                // Read, increment, swap; retry on conflict (bounded: each retry follows a win).
                for _ in 0..100 {
                    let current = store.load(&key).await.unwrap().unwrap();
                    let n: u64 = current.record.client.client_id.parse().unwrap();
                    let next = StoredRegistration::new(client(&(n + 1).to_string(), "t"));
                    if store
                        .compare_and_swap(&key, current.version, &next)
                        .await
                        .unwrap()
                        .is_some()
                    {
                        break;
                    }
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let last = store.load(&key).await.unwrap().unwrap();
    assert_eq!(last.record.client.client_id, "80");
    assert_eq!(last.version, Version(81));
}

fn client(id: &str, token: &str) -> RegisteredClient {
    let response = oidc_types::RegistrationResponse::from_json(
        format!(
            r#"{{"client_id":"{id}","registration_access_token":"{token}",
                "registration_client_uri":"https://op.example/register/{id}"}}"#
        )
        .as_bytes(),
    )
    .unwrap();
    RegisteredClient::from_registration("https://op.example", &metadata(), response)
}

#[tokio::test]
async fn management_through_the_store_keeps_the_rotated_token() {
    let Setup {
        op,
        provider,
        store,
        key,
        directory: _directory,
    } = setup(rotating_provider().await).await;
    let options = StoreOptions::default();
    let ensured = ensure_registered(&store, &key, &provider, &metadata(), &options)
        .await
        .unwrap();
    let id = ensured.client.client_id.clone();

    let read = read_stored(&store, &key, &options).await.unwrap();
    assert!(read.applied.changes.registration_access_token_rotated);
    let updated = update_stored(
        &store,
        &key,
        |m| m.client_name.set_value("Renamed"),
        &options,
    )
    .await
    .unwrap();
    assert!(updated.applied.changes.registration_access_token_rotated);
    let stored = store.load(&key).await.unwrap().unwrap();
    assert_eq!(stored.version, updated.version);
    assert_eq!(stored.record.unconfirmed_call, None);
    assert_eq!(
        token(&stored.record.client),
        op.registration_access_token(&id).unwrap(),
        "the store holds the provider's current token"
    );
    assert_eq!(
        stored.record.client.metadata().client_name.value(),
        Some("Renamed")
    );

    delete_stored(&store, &key, &options).await.unwrap();
    assert_eq!(store.load(&key).await.unwrap(), None);
    assert!(op.registered_clients().is_empty());
}

#[tokio::test]
async fn an_outage_never_re_registers() {
    let Setup {
        op,
        provider,
        store,
        key,
        directory: _directory,
    } = setup(TestProvider::start().await).await;
    let verify = StoreOptions::default().with_verify_stored(true);
    let first = ensure_registered(&store, &key, &provider, &metadata(), &verify)
        .await
        .unwrap();
    let before = store.load(&key).await.unwrap().unwrap();

    for status in [500, 503, 429, 403, 400] {
        op.set_behaviour(
            Endpoint::ClientConfiguration,
            Behaviour::new()
                .status(status)
                .json(serde_json::json!({"error": "temporarily_unavailable"})),
        );
        let error = ensure_registered(&store, &key, &provider, &metadata(), &verify)
            .await
            .unwrap_err();
        assert!(
            matches!(error.kind(), ManagedErrorKind::Registration(_)),
            "{status}: {error:?}"
        );
        assert_eq!(op.registered_clients().len(), 1, "{status}");
        let after = store.load(&key).await.unwrap().unwrap();
        assert_eq!(
            after.record, before.record,
            "{status}: the record is as it was"
        );
    }
    op.clear_behaviour(Endpoint::ClientConfiguration);
    let again = ensure_registered(&store, &key, &provider, &metadata(), &verify)
        .await
        .unwrap();
    assert_eq!(again.outcome, EnsureOutcome::Stored);
    assert_eq!(again.client.client_id, first.client.client_id);
}

#[tokio::test]
async fn a_registration_gone_at_the_provider_is_replaced_and_remembered() {
    let Setup {
        op: _op,
        provider,
        store,
        key,
        directory: _directory,
    } = setup(TestProvider::start().await).await;
    let verify = StoreOptions::default().with_verify_stored(true);
    let first = ensure_registered(&store, &key, &provider, &metadata(), &verify)
        .await
        .unwrap();
    // Deleted behind the store's back (an operator, a provider reset).
    oidc_registration::delete_client(&first.client, &ManagementOptions::default())
        .await
        .unwrap();

    // Without verification the stored one is returned as it is; a read says it is gone.
    let error = read_stored(&store, &key, &StoreOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ManagedErrorKind::Gone { .. }),
        "{error:?}"
    );

    let replaced = ensure_registered(&store, &key, &provider, &metadata(), &verify)
        .await
        .unwrap();
    assert_eq!(
        replaced.outcome,
        EnsureOutcome::Replaced {
            previous_client_id: first.client.client_id.clone()
        }
    );
    assert_ne!(replaced.client.client_id, first.client.client_id);
    let stored = store.load(&key).await.unwrap().unwrap();
    assert_eq!(stored.record.previous_client_ids, [first.client.client_id]);
    assert_eq!(stored.record.client.client_id, replaced.client.client_id);
}

#[tokio::test]
async fn a_token_rejected_after_an_unconfirmed_call_is_not_taken_for_gone() {
    let Setup {
        op,
        provider,
        store,
        key,
        directory: _directory,
    } = setup(rotating_provider().await).await;
    let verify = StoreOptions::default().with_verify_stored(true);
    ensure_registered(&store, &key, &provider, &metadata(), &verify)
        .await
        .unwrap();

    // What a process killed after the provider answered leaves behind: the record as before
    // the call, marked; the provider has rotated the token in that call.
    let stored = store.load(&key).await.unwrap().unwrap();
    let mut marked = stored.record.clone();
    marked.unconfirmed_call = Some(UnconfirmedCall::starting_now("update"));
    store
        .compare_and_swap(&key, stored.version, &marked)
        .await
        .unwrap()
        .unwrap();
    let mut lost = stored.record.client.clone();
    let _rotated = update_client(&mut lost, |_| {}, &ManagementOptions::default())
        .await
        .unwrap();

    let error = ensure_registered(&store, &key, &provider, &metadata(), &verify)
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ManagedErrorKind::CredentialsLost { .. }),
        "{error:?}"
    );
    assert_eq!(op.registered_clients().len(), 1, "no second client");
    let after = store.load(&key).await.unwrap().unwrap();
    assert!(after.record.unconfirmed_call.is_some(), "still marked");
}

/// A FileStore whose writes can be made to fail, and that can run a rival's step after the
/// first compare-and-swap: the faults of the tests below.
#[derive(Debug)]
struct FaultyStore {
    inner: FileStore,
    /// Compare-and-swaps fail from this count on (counting from 0).
    fail_swaps_from: AtomicUsize,
    swaps: AtomicUsize,
    /// Runs once, after the first successful compare-and-swap.
    rival: std::sync::Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    rival_done: std::sync::Mutex<Option<tokio::sync::oneshot::Receiver<()>>>,
    rival_armed: AtomicBool,
}

impl FaultyStore {
    fn new(inner: FileStore) -> Self {
        Self {
            inner,
            fail_swaps_from: AtomicUsize::new(usize::MAX),
            swaps: AtomicUsize::new(0),
            rival: std::sync::Mutex::new(None),
            rival_done: std::sync::Mutex::new(None),
            rival_armed: AtomicBool::new(false),
        }
    }
}

impl RegistrationStore for FaultyStore {
    fn load<'a>(&'a self, key: &'a StoreKey) -> StoreFuture<'a, Option<Versioned>> {
        self.inner.load(key)
    }
    fn insert_if_absent<'a>(
        &'a self,
        key: &'a StoreKey,
        record: &'a StoredRegistration,
    ) -> StoreFuture<'a, Option<Version>> {
        self.inner.insert_if_absent(key, record)
    }
    fn compare_and_swap<'a>(
        &'a self,
        key: &'a StoreKey,
        expected: Version,
        record: &'a StoredRegistration,
    ) -> StoreFuture<'a, Option<Version>> {
        Box::pin(async move {
            let n = self.swaps.fetch_add(1, Ordering::SeqCst);
            if n >= self.fail_swaps_from.load(Ordering::SeqCst) {
                return Err(StoreError::new(
                    StoreOperation::Write,
                    Some(key),
                    StoreErrorKind::Unavailable,
                ));
            }
            let written = self.inner.compare_and_swap(key, expected, record).await?;
            if written.is_some() && self.rival_armed.swap(false, Ordering::SeqCst) {
                let start = self.rival.lock().unwrap().take().unwrap();
                let done = self.rival_done.lock().unwrap().take().unwrap();
                start.send(()).unwrap();
                done.await.unwrap();
            }
            Ok(written)
        })
    }
    fn remove<'a>(&'a self, key: &'a StoreKey, expected: Version) -> StoreFuture<'a, bool> {
        self.inner.remove(key, expected)
    }
    fn try_lease<'a>(
        &'a self,
        key: &'a StoreKey,
        holder: &'a LeaseHolder,
        ttl: Duration,
    ) -> StoreFuture<'a, bool> {
        self.inner.try_lease(key, holder, ttl)
    }
    fn release<'a>(&'a self, key: &'a StoreKey, holder: &'a LeaseHolder) -> StoreFuture<'a, ()> {
        self.inner.release(key, holder)
    }
}

#[tokio::test]
async fn a_rotated_token_the_store_cannot_take_comes_back_in_the_error() {
    let Setup {
        op,
        provider,
        store: inner,
        key,
        directory: _directory,
    } = setup(rotating_provider().await).await;
    let store = FaultyStore::new(inner);
    let options = StoreOptions::default();
    let ensured = ensure_registered(&store, &key, &provider, &metadata(), &options)
        .await
        .unwrap();
    let id = ensured.client.client_id.clone();

    // The mark is written (swap 0); storing the answer (swap 1) fails: the store went away.
    store.fail_swaps_from.store(1, Ordering::SeqCst);
    let error = update_stored(&store, &key, |m| m.client_name.set_value("x"), &options)
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ManagedErrorKind::Unstored { .. }),
        "{error:?}"
    );
    let held = error.unstored_client().unwrap().clone();
    assert_eq!(token(&held), op.registration_access_token(&id).unwrap());
    assert!(
        !format!("{error:?} {error}").contains(&token(&held)),
        "no secret printed"
    );

    // The store is back: the credentials go in, and the next call works with them.
    store.fail_swaps_from.store(usize::MAX, Ordering::SeqCst);
    store_again(&store, &key, &held).await.unwrap();
    let read = read_stored(&store, &key, &options).await.unwrap();
    assert_eq!(read.client.client_id, id);
    assert_eq!(op.registered_clients().len(), 1);
}

#[tokio::test]
async fn a_call_whose_token_another_replica_rotated_reloads_and_retries_once() {
    let Setup {
        op,
        provider,
        store: inner,
        key,
        directory: _directory,
    } = setup(rotating_provider().await).await;
    let store = FaultyStore::new(inner.clone());
    let options = StoreOptions::default();
    ensure_registered(&store, &key, &provider, &metadata(), &options)
        .await
        .unwrap();

    // A rival that ignores leases: between this call's load and its request, it uses the
    // same token (which rotates it) and stores the new one.
    let (start, started) = tokio::sync::oneshot::channel();
    let (finish, finished) = tokio::sync::oneshot::channel();
    *store.rival.lock().unwrap() = Some(start);
    *store.rival_done.lock().unwrap() = Some(finished);
    store.rival_armed.store(true, Ordering::SeqCst);
    let rival_store = inner.clone();
    let rival_key = key.clone();
    let rival = tokio::spawn(async move {
        started.await.unwrap();
        let mut client = rival_store
            .load(&rival_key)
            .await
            .unwrap()
            .unwrap()
            .record
            .client;
        let _rotated = update_client(&mut client, |_| {}, &ManagementOptions::default())
            .await
            .unwrap();
        store_again(&rival_store, &rival_key, &client)
            .await
            .unwrap();
        finish.send(()).unwrap();
    });

    let read = read_stored(&store, &key, &options).await.unwrap();
    rival.await.unwrap();
    let id = read.client.client_id.clone();
    let stored = inner.load(&key).await.unwrap().unwrap();
    assert_eq!(
        token(&stored.record.client),
        op.registration_access_token(&id).unwrap()
    );
    assert_eq!(stored.record.unconfirmed_call, None);
}

#[tokio::test]
async fn a_provider_that_fails_after_acting_leaves_the_record_marked() {
    let Setup {
        op,
        provider,
        store,
        key,
        directory: _directory,
    } = setup(rotating_provider().await).await;
    let options = StoreOptions::default();
    ensure_registered(&store, &key, &provider, &metadata(), &options)
        .await
        .unwrap();
    // A 200 whose body cannot be used: the provider may have acted (and rotated).
    op.set_behaviour(
        Endpoint::ClientConfiguration,
        Behaviour::new().status(200).body("<html>oops</html>"),
    );
    let error = read_stored(&store, &key, &options).await.unwrap_err();
    match error.kind() {
        ManagedErrorKind::Registration(source) => assert!(matches!(
            source.kind(),
            RegistrationErrorKind::InvalidResponse { .. }
        )),
        other => panic!("{other:?}"),
    }
    let stored = store.load(&key).await.unwrap().unwrap();
    assert_eq!(
        stored
            .record
            .unconfirmed_call
            .as_ref()
            .map(|call| call.operation.as_str()),
        Some("read")
    );
    // The token was not rotated after all: the next call succeeds and clears the mark.
    op.clear_behaviour(Endpoint::ClientConfiguration);
    read_stored(&store, &key, &options).await.unwrap();
    assert_eq!(
        store
            .load(&key)
            .await
            .unwrap()
            .unwrap()
            .record
            .unconfirmed_call,
        None
    );
}

#[tokio::test]
async fn the_provider_must_be_the_keys() {
    let op = TestProvider::start().await;
    let provider = provider_metadata(&op).await;
    let directory = tempfile::tempdir().unwrap();
    let store = FileStore::open(directory.path()).unwrap();
    let key = StoreKey::new("https://elsewhere.example", "default");
    let error = ensure_registered(
        &store,
        &key,
        &provider,
        &metadata(),
        &StoreOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(
        error.kind(),
        ManagedErrorKind::WrongProvider { .. }
    ));
    assert!(op.registered_clients().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_held_lease_times_out_the_waiter() {
    let directory = tempfile::tempdir().unwrap();
    let store = FileStore::open(directory.path()).unwrap();
    let key = StoreKey::new("https://op.example", "default");
    store
        .insert_if_absent(&key, &StoredRegistration::new(client("a", "t")))
        .await
        .unwrap();
    assert!(store
        .try_lease(&key, &LeaseHolder::random(), Duration::from_secs(3600))
        .await
        .unwrap());
    let options = StoreOptions::default().with_lease_wait(Duration::from_secs(5));
    let error = read_stored(&store, &key, &options).await.unwrap_err();
    assert!(
        matches!(error.kind(), ManagedErrorKind::LeaseTimeout { .. }),
        "{error:?}"
    );
}
