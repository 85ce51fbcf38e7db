//! One replica of a service that keeps its registration in a store: the multi-process store
//! tests (`tests/integration/store.rs`) start several of these at once.
//!
//! `store-replica STORE ISSUER NAME MODE TASKS OPS`
//!
//! - `STORE`: `file:DIR` or a `postgres://` URL.
//! - `MODE race`: waits for a line on stdin (so that all replicas start at the same moment),
//!   then `TASKS` tasks each call `ensure_registered` and run `OPS` store-backed reads and
//!   updates, alternating. Prints one JSON line: `{"registered", "client_ids", "ok", "errors"}`.
//! - `MODE kill`: one store-backed update whose answer store write never happens: after the
//!   provider answered, the replica prints `ANSWERED` and waits to be killed.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::io::BufRead;
use std::sync::Arc;
use std::time::Duration;

use oidc_discovery::{load_configuration, DiscoveryOptions};
use oidc_store::{
    ensure_registered, read_stored, update_stored, EnsureOutcome, FileStore, LeaseHolder,
    PostgresStore, RegistrationStore, StoreFuture, StoreKey, StoreOptions, StoredRegistration,
    Version, Versioned,
};
use oidc_types::ClientMetadata;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [store, issuer, name, mode, tasks, ops] = &args[..] else {
        panic!("usage: store-replica STORE ISSUER NAME MODE TASKS OPS");
    };
    let store = open(store).await;
    let key = StoreKey::new(issuer.as_str(), name.as_str());
    let provider = Arc::new(
        load_configuration(issuer, &DiscoveryOptions::default())
            .await
            .unwrap()
            .metadata,
    );
    // Everyone waits for a turn on one key: generous, the test's own timeout bounds the run.
    let options = StoreOptions::default().with_lease_wait(Duration::from_secs(300));
    match mode.as_str() {
        "race" => {
            race(
                store,
                key,
                provider,
                options,
                tasks.parse().unwrap(),
                ops.parse().unwrap(),
            )
            .await
        }
        "kill" => killed_mid_update(store, key, &options).await,
        other => panic!("unknown mode {other}"),
    }
}

async fn open(spec: &str) -> Arc<dyn RegistrationStore> {
    if let Some(directory) = spec.strip_prefix("file:") {
        Arc::new(FileStore::open(directory).unwrap())
    } else {
        Arc::new(PostgresStore::connect(spec).await.unwrap())
    }
}

fn metadata() -> ClientMetadata {
    ClientMetadata::new(["https://replica.example/cb"])
}

async fn race(
    store: Arc<dyn RegistrationStore>,
    key: StoreKey,
    provider: Arc<oidc_types::ProviderMetadata>,
    options: StoreOptions,
    tasks: usize,
    ops: usize,
) {
    let mut go = String::new();
    std::io::stdin().lock().read_line(&mut go).unwrap();
    let mut handles = Vec::new();
    for task in 0..tasks {
        let (store, key, provider, options) = (
            store.clone(),
            key.clone(),
            provider.clone(),
            options.clone(),
        );
        handles.push(tokio::spawn(async move {
            let mut report = (false, None, 0usize, Vec::new());
            match ensure_registered(&*store, &key, &provider, &metadata(), &options).await {
                Ok(ensured) => {
                    report.0 = ensured.outcome == EnsureOutcome::Registered;
                    report.1 = Some(ensured.client.client_id);
                }
                Err(error) => report.3.push(chain(&error)),
            }
            for op in 0..ops {
                let result = if op % 2 == 0 {
                    read_stored(&*store, &key, &options).await
                } else {
                    let label = format!("task {task} op {op}");
                    update_stored(
                        &*store,
                        &key,
                        |m| m.client_name.set_value(label.clone()),
                        &options,
                    )
                    .await
                };
                match result {
                    Ok(_) => report.2 += 1,
                    Err(error) => report.3.push(chain(&error)),
                }
            }
            report
        }));
    }
    let (mut registered, mut ids, mut ok, mut errors) = (0, Vec::new(), 0, Vec::new());
    for handle in handles {
        let (was_registered, id, succeeded, failed) = handle.await.unwrap();
        registered += usize::from(was_registered);
        ids.extend(id);
        ok += succeeded;
        errors.extend(failed);
    }
    println!(
        "{}",
        serde_json::json!({"registered": registered, "client_ids": ids, "ok": ok, "errors": errors})
    );
}

fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A store that stops the process's progress right before the write that would store the
/// provider's answer: the second compare-and-swap of a management call (the first is the mark).
#[derive(Debug)]
struct StopsBeforeStoringTheAnswer {
    inner: Arc<dyn RegistrationStore>,
    swaps: std::sync::atomic::AtomicUsize,
}

impl RegistrationStore for StopsBeforeStoringTheAnswer {
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
        if self.swaps.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 1 {
            println!("ANSWERED");
            // Blocks until the test kills this process (or closes stdin, if it died first).
            let mut line = String::new();
            let _ = std::io::stdin().lock().read_line(&mut line);
            std::process::exit(3);
        }
        self.inner.compare_and_swap(key, expected, record)
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

async fn killed_mid_update(
    store: Arc<dyn RegistrationStore>,
    key: StoreKey,
    options: &StoreOptions,
) {
    let store = StopsBeforeStoringTheAnswer {
        inner: store,
        swaps: std::sync::atomic::AtomicUsize::new(0),
    };
    // Short lease: the killed replica's lease must not hold the survivors up for a minute.
    let options = options.clone().with_lease_ttl(Duration::from_secs(2));
    let result = update_stored(
        &store,
        &key,
        |m| m.client_name.set_value("killed"),
        &options,
    )
    .await;
    panic!("the update was expected to be killed before it returned: {result:?}");
}
