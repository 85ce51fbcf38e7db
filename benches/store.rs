//! The registration store (oidc-store): what a service pays at start-up, and under contention.
//!
//! - `store/ensure_registered_warm/{file,postgres}`: `ensure_registered` when the registration
//!   is stored already, the call every replica makes on every start (one store read, no
//!   request to the provider).
//! - `store/compare_and_swap_8_way/{file,postgres}`: 8 tasks each making one successful
//!   compare-and-swap of the same record (load, swap, retry on conflict), so an iteration is 8
//!   committed writes and every conflict they cause.
//!
//! PostgreSQL is a private server started for the run (tests/postgres.rs), fsync off: the
//! numbers are the store's and the driver's cost, not the disk's. The file store syncs every
//! write, so its swap row is bounded by the disk's flush time.

// A benchmark on a broken setup should fail loudly, not measure an error path.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use oidc_discovery::{load_configuration, DiscoveryOptions};
use oidc_integration_tests::postgres::PostgresServer;
use oidc_store::{
    ensure_registered, FileStore, PostgresStore, RegistrationStore, StoreKey, StoreOptions,
    StoredRegistration,
};
use oidc_test_provider::TestProvider;
use oidc_types::ClientMetadata;

/// Bounds the retries of one task's swap: each retry follows another task's success.
const MAX_SWAP_ATTEMPTS: usize = 1000;

/// The stores under test, by name.
type Stores = Vec<(&'static str, Arc<dyn RegistrationStore>)>;

/// Both stores; the server and the directory must outlive them.
fn stores(runtime: &tokio::runtime::Runtime) -> (Stores, PostgresServer, tempfile::TempDir) {
    let directory = tempfile::tempdir().unwrap();
    let server = PostgresServer::start();
    let postgres = runtime.block_on(async {
        let store = PostgresStore::connect(&server.url()).await.unwrap();
        store.migrate().await.unwrap();
        store
    });
    let stores: Stores = vec![
        ("file", Arc::new(FileStore::open(directory.path()).unwrap())),
        ("postgres", Arc::new(postgres)),
    ];
    (stores, server, directory)
}

fn store_benchmarks(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let op = runtime.block_on(TestProvider::start());
    let provider = runtime.block_on(async {
        load_configuration(&op.issuer(), &DiscoveryOptions::default())
            .await
            .unwrap()
            .metadata
    });
    let metadata = ClientMetadata::new(["https://app.example/cb"]);
    let options = StoreOptions::default();
    let (stores, _server, _directory) = stores(&runtime);

    for (name, store) in &stores {
        let key = StoreKey::new(&provider.issuer, "bench");
        runtime.block_on(async {
            ensure_registered(&**store, &key, &provider, &metadata, &options)
                .await
                .unwrap()
        });
        c.bench_function(&format!("store/ensure_registered_warm/{name}"), |b| {
            b.to_async(&runtime).iter(|| async {
                black_box(
                    ensure_registered(&**store, &key, &provider, &metadata, &options)
                        .await
                        .unwrap(),
                )
            })
        });

        let record = runtime.block_on(store.load(&key)).unwrap().unwrap().record;
        let contended = StoreKey::new(&provider.issuer, "contended");
        runtime
            .block_on(store.insert_if_absent(&contended, &record))
            .unwrap();
        c.bench_function(&format!("store/compare_and_swap_8_way/{name}"), |b| {
            b.to_async(&runtime).iter(|| async {
                let mut tasks = Vec::new();
                for _ in 0..8 {
                    let (store, key, record) = (store.clone(), contended.clone(), record.clone());
                    tasks.push(tokio::spawn(async move {
                        swap_once(&*store, &key, &record).await
                    }));
                }
                for task in tasks {
                    task.await.unwrap();
                }
            })
        });
    }
}

/// One committed compare-and-swap of `key`, retried on conflict.
async fn swap_once(store: &dyn RegistrationStore, key: &StoreKey, record: &StoredRegistration) {
    for _ in 0..MAX_SWAP_ATTEMPTS {
        let current = store.load(key).await.unwrap().unwrap();
        if store
            .compare_and_swap(key, current.version, record)
            .await
            .unwrap()
            .is_some()
        {
            return;
        }
    }
    panic!("no swap succeeded in {MAX_SWAP_ATTEMPTS} attempts");
}

criterion_group! {
    name = benches;
    // Each swap iteration is 8 durable writes: fewer samples keep the run short.
    config = Criterion::default().sample_size(20);
    targets = store_benchmarks
}
criterion_main!(benches);
