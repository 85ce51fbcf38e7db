//! Registration stores for real: FileStore and PostgresStore (a private PostgreSQL server),
//! across processes, against panva's oidc-provider with registration access token rotation.

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use oidc_discovery::{load_configuration, DiscoveryOptions};
use oidc_http::{BoxFuture, HttpClient, HttpError};
use oidc_integration_tests::postgres::PostgresServer;
use oidc_registration::{read_client, ManagementOptions};
use oidc_store::{
    ensure_registered, read_stored, store_again, update_stored, EnsureOutcome, FileStore,
    LeaseHolder, ManagedErrorKind, PostgresStore, RegistrationStore, StoreErrorKind, StoreKey,
    StoreOptions, StoredRegistration, Version,
};
use oidc_test_provider::TestProvider;
use oidc_types::{ClientMetadata, RegisteredClient};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

use crate::node_provider::NodeProvider;

/// Replicas and tasks of the race, and the management calls they make in all (≥ 200).
const REPLICAS: usize = 3;
const TASKS: usize = 8;
const OPS_PER_TASK: usize = 9;

/// A bound for a whole multi-process run; it normally takes a few seconds.
const RUN_TIMEOUT: Duration = Duration::from_secs(300);

async fn start_postgres() -> Arc<PostgresServer> {
    Arc::new(
        tokio::task::spawn_blocking(PostgresServer::start)
            .await
            .unwrap(),
    )
}

async fn postgres_store(server: &PostgresServer) -> PostgresStore {
    let store = PostgresStore::connect(&server.url()).await.unwrap();
    store.migrate().await.unwrap();
    store
}

fn metadata() -> ClientMetadata {
    ClientMetadata::new(["https://replica.example/cb"])
}

/// How many clients node oidc-provider registered (its test-only counter).
async fn registrations_at(issuer: &str) -> u64 {
    let request = http::Request::get(format!("{issuer}/_test/registrations"))
        .body(Bytes::new())
        .unwrap();
    let response = oidc_http::default_client().send(request).await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    body["count"].as_u64().unwrap()
}

fn token(client: &RegisteredClient) -> String {
    client
        .registration_access_token
        .as_ref()
        .unwrap()
        .expose()
        .to_owned()
}

/// The contract of `RegistrationStore`, checked the same way for every backend.
async fn check_contract(store: &dyn RegistrationStore) {
    let key = StoreKey::new("https://op.example", "contract");
    // The echoed metadata has what a store could lose: numbers in forms a database may rewrite,
    // a `\u0000` (which `jsonb` refuses), nested objects.
    let record = |id: &str| {
        let response = oidc_types::RegistrationResponse::from_json(
            format!(
                r#"{{"client_id":"{id}","registration_access_token":"t-{id}",
                "redirect_uris":["https://app.example/cb"],"default_max_age":3600.5,
                "x_vendor":{{"zero":-0.0,"small":1.5e-5,"big":18446744073709551615,
                "text":"a\u0000b","nested":{{"b":[1,2.5],"a":null}}}}}}"#
            )
            .as_bytes(),
        )
        .unwrap();
        StoredRegistration::new(RegisteredClient::from_registration(
            "https://op.example",
            &metadata(),
            response,
        ))
    };
    assert_eq!(store.load(&key).await.unwrap(), None);
    assert_eq!(
        store.insert_if_absent(&key, &record("a")).await.unwrap(),
        Some(Version::FIRST)
    );
    assert_eq!(
        store.insert_if_absent(&key, &record("b")).await.unwrap(),
        None
    );
    let loaded = store.load(&key).await.unwrap().unwrap();
    assert_eq!(loaded.record, record("a"), "the record comes back exactly");
    // Written again, the same text: `-0.0` kept its sign and every number its value (`==` on
    // JSON numbers takes `-0.0` for `0.0`).
    assert_eq!(
        serde_json::to_string(&loaded.record).unwrap(),
        serde_json::to_string(&record("a")).unwrap()
    );
    assert_eq!(
        loaded.record.client.metadata_object()["x_vendor"]["text"],
        "a\u{0}b"
    );
    assert_eq!(
        store
            .compare_and_swap(&key, Version(9), &record("c"))
            .await
            .unwrap(),
        None
    );
    let v2 = store
        .compare_and_swap(&key, Version::FIRST, &record("c"))
        .await
        .unwrap()
        .unwrap();
    assert!(v2 > Version::FIRST);
    assert!(!store.remove(&key, Version::FIRST).await.unwrap());
    assert!(store.remove(&key, v2).await.unwrap());
    assert_eq!(store.load(&key).await.unwrap(), None);

    let (first, second) = (LeaseHolder::random(), LeaseHolder::random());
    let minute = Duration::from_secs(60);
    assert!(store.try_lease(&key, &first, minute).await.unwrap());
    assert!(!store.try_lease(&key, &second, minute).await.unwrap());
    assert!(store.try_lease(&key, &first, minute).await.unwrap());
    store.release(&key, &second).await.unwrap();
    assert!(!store.try_lease(&key, &second, minute).await.unwrap());
    store.release(&key, &first).await.unwrap();
    assert!(store
        .try_lease(&key, &second, Duration::ZERO)
        .await
        .unwrap());
    assert!(store.try_lease(&key, &first, minute).await.unwrap());
    store.release(&key, &first).await.unwrap();
}

#[tokio::test]
async fn postgres_store_keeps_the_contract() {
    let server = start_postgres().await;
    // The server trusts local connections, so any password is accepted: it must not show.
    let url = server.url().replace("oidc@", "oidc:hunter2@");
    let store = PostgresStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    check_contract(&store).await;
    assert!(!format!("{store:?}").contains("hunter2"), "{store:?}");
}

#[tokio::test]
async fn file_store_keeps_the_contract() {
    let directory = tempfile::tempdir().unwrap();
    check_contract(&FileStore::open(directory.path()).unwrap()).await;
}

/// Starts `REPLICAS` replica processes on `store_spec`, lets them go at the same moment, and
/// returns their reports.
async fn race_replicas(store_spec: &str, issuer: &str, name: &str) -> Vec<serde_json::Value> {
    let mut children = Vec::new();
    for _ in 0..REPLICAS {
        let mut child = Command::new(env!("CARGO_BIN_EXE_store-replica"))
            .args([store_spec, issuer, name, "race"])
            .arg(TASKS.to_string())
            .arg(OPS_PER_TASK.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        children.push((child, stdin));
    }
    // All are started (each waits for its line): go.
    for (_, stdin) in &mut children {
        stdin.write_all(b"go\n").await.unwrap();
        stdin.flush().await.unwrap();
    }
    let mut reports = Vec::new();
    for (child, _stdin) in children {
        let output = tokio::time::timeout(RUN_TIMEOUT, child.wait_with_output())
            .await
            .expect("the replica finished in time")
            .unwrap();
        assert!(output.status.success(), "replica failed: {output:?}");
        reports.push(serde_json::from_slice(&output.stdout).unwrap());
    }
    reports
}

/// The race of the issue: exactly one client registered at the provider, every replica on it,
/// no management call failing because of another's rotation, and the stored token the
/// provider's current one at the end.
async fn replicas_share_one_registration(store: &dyn RegistrationStore, store_spec: &str) {
    let op = NodeProvider::start().await;
    let issuer = op.issuer().to_owned();
    let reports = race_replicas(store_spec, &issuer, "race").await;

    let registered: u64 = reports
        .iter()
        .map(|r| r["registered"].as_u64().unwrap())
        .sum();
    assert_eq!(registered, 1, "{reports:#?}");
    assert_eq!(registrations_at(&issuer).await, 1);
    let mut ids: Vec<&str> = reports
        .iter()
        .flat_map(|r| r["client_ids"].as_array().unwrap())
        .map(|id| id.as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), REPLICAS * TASKS);
    ids.dedup();
    assert_eq!(ids.len(), 1, "one client for all: {ids:?}");
    let ok: u64 = reports.iter().map(|r| r["ok"].as_u64().unwrap()).sum();
    let errors: Vec<_> = reports
        .iter()
        .flat_map(|r| r["errors"].as_array().unwrap())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(ok as usize, REPLICAS * TASKS * OPS_PER_TASK);

    let key = StoreKey::new(&issuer, "race");
    let stored = store.load(&key).await.unwrap().unwrap();
    assert_eq!(stored.record.client.client_id, ids[0]);
    assert_eq!(stored.record.unconfirmed_call, None);
    // The stored token works: node rotated it on every update, so only the latest one does.
    let mut client = stored.record.client.clone();
    let _applied = read_client(&mut client, &ManagementOptions::default())
        .await
        .expect("the stored token is the provider's current one");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_on_a_file_store_share_one_registration() {
    let directory = tempfile::tempdir().unwrap();
    let store = FileStore::open(directory.path()).unwrap();
    let spec = format!("file:{}", directory.path().display());
    replicas_share_one_registration(&store, &spec).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_on_postgres_share_one_registration() {
    let server = start_postgres().await;
    let store = postgres_store(&server).await;
    replicas_share_one_registration(&store, &server.url()).await;
}

/// A replica killed after the provider answered its update and before the store write: the
/// record is as before the call and says so; nothing registers a second client; the rotated
/// token is reported lost, not taken for a client that is gone.
async fn a_replica_killed_mid_call_creates_no_second_client(
    store: &dyn RegistrationStore,
    store_spec: &str,
) {
    let op = NodeProvider::start().await;
    let issuer = op.issuer().to_owned();
    let provider = load_configuration(&issuer, &DiscoveryOptions::default())
        .await
        .unwrap()
        .metadata;
    let key = StoreKey::new(&issuer, "killed");
    let options = StoreOptions::default();
    let ensured = ensure_registered(store, &key, &provider, &metadata(), &options)
        .await
        .unwrap();

    let mut child = Command::new(env!("CARGO_BIN_EXE_store-replica"))
        .args([store_spec, &issuer, "killed", "kill", "1", "1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    tokio::time::timeout(RUN_TIMEOUT, stdout.read_line(&mut line))
        .await
        .expect("the replica reached the store write")
        .unwrap();
    assert_eq!(line.trim(), "ANSWERED");
    child.kill().await.unwrap();

    // Recovered: the registration as before the call, marked as unconfirmed.
    let stored = store.load(&key).await.unwrap().unwrap();
    assert_eq!(stored.record.client.client_id, ensured.client.client_id);
    assert_eq!(token(&stored.record.client), token(&ensured.client));
    assert_eq!(
        stored
            .record
            .unconfirmed_call
            .as_ref()
            .map(|call| call.operation.as_str()),
        Some("update")
    );
    // A restart finds it (no request, no registration).
    let again = ensure_registered(store, &key, &provider, &metadata(), &options)
        .await
        .unwrap();
    assert_eq!(again.outcome, EnsureOutcome::Stored);
    // node rotated the token in the killed update: the stored one is refused, and that is
    // reported as lost credentials, even when asked to verify (which would replace a gone one).
    let verify = options.clone().with_verify_stored(true);
    let error = ensure_registered(store, &key, &provider, &metadata(), &verify)
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ManagedErrorKind::CredentialsLost { .. }),
        "{error:?}"
    );
    assert_eq!(registrations_at(&issuer).await, 1, "no second client");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_killed_mid_call_on_a_file_store_creates_no_second_client() {
    let directory = tempfile::tempdir().unwrap();
    let store = FileStore::open(directory.path()).unwrap();
    let spec = format!("file:{}", directory.path().display());
    a_replica_killed_mid_call_creates_no_second_client(&store, &spec).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_killed_mid_call_on_postgres_creates_no_second_client() {
    let server = start_postgres().await;
    let store = postgres_store(&server).await;
    a_replica_killed_mid_call_creates_no_second_client(&store, &server.url()).await;
}

/// An HTTP client that stops the database right after the provider answered: the window
/// between the provider acting and the store write.
#[derive(Debug)]
struct StopsTheDatabaseAfterAnswering {
    server: Arc<PostgresServer>,
    armed: std::sync::atomic::AtomicBool,
}

impl HttpClient for StopsTheDatabaseAfterAnswering {
    fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> BoxFuture<'_, Result<http::Response<Bytes>, HttpError>> {
        Box::pin(async move {
            let response = oidc_http::default_client().send(request).await?;
            if self.armed.swap(false, std::sync::atomic::Ordering::SeqCst) {
                let server = self.server.clone();
                tokio::task::spawn_blocking(move || server.stop())
                    .await
                    .unwrap();
            }
            Ok(response)
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_going_away_mid_call_loses_no_credential() {
    let server = start_postgres().await;
    let store = postgres_store(&server).await;
    let op = TestProvider::builder()
        .rotate_token_on_update(true)
        .start()
        .await;
    let provider = load_configuration(&op.issuer(), &DiscoveryOptions::default())
        .await
        .unwrap()
        .metadata;
    let key = StoreKey::new(&provider.issuer, "default");
    let http = Arc::new(StopsTheDatabaseAfterAnswering {
        server: server.clone(),
        armed: false.into(),
    });
    // The update's lease cannot be released while the database is down, so it lingers until
    // it expires: short here, so that the call after the restart does not wait a minute.
    let options = StoreOptions::default()
        .with_management_options(ManagementOptions::default().with_http_client(http.clone()))
        .with_lease_ttl(Duration::from_secs(1));
    let ensured = ensure_registered(&store, &key, &provider, &metadata(), &options)
        .await
        .unwrap();
    let id = ensured.client.client_id;

    http.armed.store(true, std::sync::atomic::Ordering::SeqCst);
    let error = update_stored(&store, &key, |m| m.client_name.set_value("x"), &options)
        .await
        .unwrap_err();
    let held = error
        .unstored_client()
        .unwrap_or_else(|| panic!("the error holds the credentials: {error:?}"))
        .clone();
    assert_eq!(token(&held), op.registration_access_token(&id).unwrap());

    // While it is down: typed errors, before anything is sent.
    let down = read_stored(&store, &key, &options).await.unwrap_err();
    match down.kind() {
        ManagedErrorKind::Store(source) => assert_eq!(source.kind(), StoreErrorKind::Unavailable),
        other => panic!("{other:?}"),
    }
    let requests = op.requests().len();

    // Back: the held credentials go in, and management works with them again.
    let restarted = server.clone();
    tokio::task::spawn_blocking(move || restarted.restart())
        .await
        .unwrap();
    store_again(&store, &key, &held).await.unwrap();
    let read = read_stored(&store, &key, &options).await.unwrap();
    assert_eq!(read.client.client_id, id);
    assert_eq!(
        token(&read.client),
        op.registration_access_token(&id).unwrap()
    );
    assert_eq!(op.registered_clients().len(), 1);
    assert!(op.requests().len() > requests);
}
