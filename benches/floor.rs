//! Side by side on a server that does almost nothing: the bare hyper floor, this library and
//! openidconnect 4.1, doing the same work on the same loopback server in the same run.
//!
//! Groups (criterion ids `group/client`):
//! - `register_sequential`: one registration at a time (latency);
//! - `register_concurrent_64`: 64 tasks sharing one client (throughput, elements/s);
//! - `register_client_cpu`: the process's CPU per registration minus the server thread's (the
//!   "time" criterion reports is that CPU time, via `iter_custom`);
//! - `discovery`: GET and read the discovery document;
//! - `issuer_to_register`: issuer → discovery document → registration;
//! - `parse_fixtures`: every discovery fixture parsed typed, as `Value`, as openidconnect's
//!   `CoreProviderMetadata`;
//! - `serialize_client_metadata`: a `ClientMetadata` with every member set;
//! - `cold_lookups`: 1,000 concurrent lookups on an empty `ProviderCache` (one fetch, asserted);
//! - `telemetry`: the library's sequential registration with no metrics recorder and with the
//!   Prometheus recorder installed (last: a global recorder cannot be taken out again).
//!
//! `benches/run.sh` pins the sequential groups to one core (client and server together) and
//! lets the concurrent ones use both; see BENCHMARKS.md.

// A benchmark on a broken setup should fail loudly, not measure an error path.
#![allow(clippy::unwrap_used)]

#[path = "support/mod.rs"]
mod support;

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use oidc_discovery::{load_configuration, DiscoveryOptions, ProviderCache};
use oidc_http::{HttpClient, HyperClient};
use oidc_registration::{register, RegisterOptions};
use oidc_types::{ClientMetadata, ProviderMetadata};
use openidconnect::core::CoreProviderMetadata;
use openidconnect::{IssuerUrl, RegistrationUrl};
use support::{client_cpu, MiniServer};
use tokio::runtime::Runtime;

/// Concurrent tasks in the throughput rows.
const TASKS: usize = 64;
/// Concurrent callers of the cold cache.
const COLD_CALLERS: usize = 1_000;

/// The three clients, by row name.
#[derive(Debug, Clone, Copy)]
enum Which {
    Floor,
    Library,
    OpenIdConnect,
}

const CLIENTS: [(&str, Which); 3] = [
    ("floor", Which::Floor),
    ("library", Which::Library),
    ("openidconnect", Which::OpenIdConnect),
];

/// Everything one run shares: one server, one client of each kind.
struct Setup {
    server: MiniServer,
    metadata: ClientMetadata,
    provider: ProviderMetadata,
    floor: support::Floor,
    library: RegisterOptions,
    discovery: DiscoveryOptions,
    oidc_http: openidconnect::reqwest::Client,
    oidc_request: openidconnect::core::CoreClientRegistrationRequest,
    oidc_endpoint: RegistrationUrl,
}

impl Setup {
    fn new() -> Self {
        let server = MiniServer::start();
        let metadata = support::client_metadata();
        let client: Arc<dyn HttpClient> = Arc::new(HyperClient::new().unwrap());
        Self {
            provider: ProviderMetadata::from_json(&server.document).unwrap(),
            floor: support::Floor::new(Bytes::from(metadata.to_json_vec().unwrap())),
            library: RegisterOptions::default().with_http_client(client.clone()),
            discovery: DiscoveryOptions::default().with_http_client(client),
            oidc_http: support::openidconnect_http(),
            oidc_request: support::openidconnect_request(),
            oidc_endpoint: RegistrationUrl::new(server.registration_endpoint.clone()).unwrap(),
            metadata,
            server,
        }
    }

    async fn floor_register(&self) -> serde_json::Value {
        self.floor
            .register(&self.server.registration_endpoint)
            .await
    }

    async fn library_register(&self) -> oidc_types::RegistrationResponse {
        register(&self.provider, &self.metadata, &self.library)
            .await
            .unwrap()
    }

    async fn openidconnect_register(&self) -> openidconnect::core::CoreClientRegistrationResponse {
        self.oidc_request
            .register_async(&self.oidc_endpoint, &self.oidc_http)
            .await
            .unwrap()
    }

    /// One registration by `client`, its answer dropped.
    async fn register_with(&self, client: Which) {
        match client {
            Which::Floor => drop(black_box(self.floor_register().await)),
            Which::Library => drop(black_box(self.library_register().await)),
            Which::OpenIdConnect => drop(black_box(self.openidconnect_register().await)),
        }
    }

    /// The three clients must send the same registration, or the comparison is meaningless.
    fn assert_same_bodies(&self, runtime: &Runtime) {
        runtime.block_on(self.floor_register());
        let floor = self.server.last_registration();
        runtime.block_on(self.library_register());
        let library = self.server.last_registration();
        runtime.block_on(self.openidconnect_register());
        let openidconnect = self.server.last_registration();
        assert!(
            support::same_json(&floor, &library),
            "floor {floor:?} != library {library:?}"
        );
        assert!(
            support::same_json(&floor, &openidconnect),
            "floor {floor:?} != openidconnect {openidconnect:?}"
        );
    }
}

fn single_threaded() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn multi_threaded() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn sequential(c: &mut Criterion) {
    let runtime = single_threaded();
    let setup = Setup::new();
    setup.assert_same_bodies(&runtime);
    let setup = &setup;

    let mut group = c.benchmark_group("register_sequential");
    group.bench_function("floor", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(setup.floor_register().await) })
    });
    group.bench_function("library", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(setup.library_register().await) })
    });
    group.bench_function("openidconnect", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(setup.openidconnect_register().await) })
    });
    group.finish();

    // Client CPU: what the process spent minus what the server thread spent, per call.
    let mut group = c.benchmark_group("register_client_cpu");
    for (name, client) in CLIENTS {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                runtime.block_on(async {
                    let before = client_cpu(&setup.server);
                    for _ in 0..iters {
                        setup.register_with(client).await;
                    }
                    client_cpu(&setup.server) - before
                })
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("discovery");
    let discovery_url = setup.server.discovery_url.clone();
    let issuer = setup.server.issuer.clone();
    group.bench_function("floor", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(setup.floor.get(&discovery_url).await) })
    });
    group.bench_function("library", |b| {
        b.to_async(&runtime).iter(|| async {
            black_box(load_configuration(&issuer, &setup.discovery).await.unwrap())
        })
    });
    // Like for like: the document GET through openidconnect's HTTP client trait, then its
    // typed parse. `discover_async` itself also GETs the key set (the next row).
    group.bench_function("openidconnect_document", |b| {
        b.to_async(&runtime).iter(|| async {
            use openidconnect::AsyncHttpClient;
            let request = http::Request::get(discovery_url.as_str())
                .header(http::header::ACCEPT, "application/json")
                .body(Vec::new())
                .unwrap();
            let response = setup.oidc_http.call(request).await.unwrap();
            black_box(serde_json::from_slice::<CoreProviderMetadata>(response.body()).unwrap())
        })
    });
    let issuer_url = IssuerUrl::new(issuer.clone()).unwrap();
    group.bench_function("openidconnect_discover_async", |b| {
        b.to_async(&runtime).iter(|| async {
            black_box(
                CoreProviderMetadata::discover_async(issuer_url.clone(), &setup.oidc_http)
                    .await
                    .unwrap(),
            )
        })
    });
    group.finish();

    let mut group = c.benchmark_group("issuer_to_register");
    group.bench_function("floor", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(setup.floor.issuer_to_register(&issuer).await) })
    });
    group.bench_function("library", |b| {
        b.to_async(&runtime).iter(|| async {
            let configuration = load_configuration(&issuer, &setup.discovery).await.unwrap();
            black_box(
                register(&configuration.metadata, &setup.metadata, &setup.library)
                    .await
                    .unwrap(),
            )
        })
    });
    group.bench_function("openidconnect", |b| {
        b.to_async(&runtime).iter(|| async {
            let provider =
                CoreProviderMetadata::discover_async(issuer_url.clone(), &setup.oidc_http)
                    .await
                    .unwrap();
            let endpoint = provider.registration_endpoint().unwrap();
            black_box(
                setup
                    .oidc_request
                    .register_async(endpoint, &setup.oidc_http)
                    .await
                    .unwrap(),
            )
        })
    });
    group.finish();
}

fn concurrent(c: &mut Criterion) {
    let runtime = multi_threaded();
    let setup = Arc::new(Setup::new());
    let mut group = c.benchmark_group("register_concurrent_64");
    group.throughput(Throughput::Elements(TASKS as u64));
    // One batch: TASKS tasks on the runtime, each one registration on the shared client.
    fn batch<F, Fut>(runtime: &Runtime, setup: &Arc<Setup>, one: F)
    where
        F: Fn(Arc<Setup>) -> Fut,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        runtime.block_on(async {
            let tasks: Vec<_> = (0..TASKS)
                .map(|_| tokio::spawn(one(setup.clone())))
                .collect();
            for task in tasks {
                task.await.unwrap();
            }
        })
    }
    group.bench_function("floor", |b| {
        b.iter(|| {
            batch(&runtime, &setup, |setup| async move {
                black_box(setup.floor_register().await);
            })
        })
    });
    group.bench_function("library", |b| {
        b.iter(|| {
            batch(&runtime, &setup, |setup| async move {
                black_box(setup.library_register().await);
            })
        })
    });
    group.bench_function("openidconnect", |b| {
        b.iter(|| {
            batch(&runtime, &setup, |setup| async move {
                black_box(setup.openidconnect_register().await);
            })
        })
    });
    group.finish();

    // 1,000 callers on an empty cache: one fetch for all of them.
    let mut group = c.benchmark_group("cold_lookups");
    let issuer: Arc<str> = Arc::from(setup.server.issuer.as_str());
    group.bench_function(format!("library_{COLD_CALLERS}"), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let cache = Arc::new(
                    ProviderCache::builder()
                        .discovery_options(setup.discovery.clone())
                        .build(),
                );
                let fetched_before = setup.server.discovery_gets();
                let started = Instant::now();
                runtime.block_on(async {
                    let callers: Vec<_> = (0..COLD_CALLERS)
                        .map(|_| {
                            let cache = cache.clone();
                            let issuer = issuer.clone();
                            tokio::spawn(async move {
                                black_box(cache.configuration(&issuer).await.unwrap());
                            })
                        })
                        .collect();
                    for caller in callers {
                        caller.await.unwrap();
                    }
                });
                total += started.elapsed();
                assert_eq!(
                    setup.server.discovery_gets() - fetched_before,
                    1,
                    "one fetch"
                );
                // The cache's refresher task ends with the cache; drop it outside the timing.
                drop(cache);
            }
            total
        })
    });
    group.finish();
}

fn parsing(c: &mut Criterion) {
    // The fixtures every parser accepts, so the three parse the same bytes.
    let fixtures: Vec<Vec<u8>> = support::discovery_fixtures()
        .into_iter()
        .filter_map(|(name, bytes)| {
            let library = ProviderMetadata::from_json(&bytes).is_ok();
            let oidc = serde_json::from_slice::<CoreProviderMetadata>(&bytes).is_ok();
            if !(library && oidc) {
                eprintln!(
                    "parse_fixtures: skipping {name} (library {library}, openidconnect {oidc})"
                );
                return None;
            }
            Some(bytes)
        })
        .collect();
    let bytes: usize = fixtures.iter().map(Vec::len).sum();
    eprintln!("parse_fixtures: {} fixtures, {bytes} bytes", fixtures.len());
    let mut group = c.benchmark_group("parse_fixtures");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("floor_value", |b| {
        b.iter(|| {
            for fixture in &fixtures {
                black_box(serde_json::from_slice::<serde_json::Value>(fixture).unwrap());
            }
        })
    });
    group.bench_function("library", |b| {
        b.iter(|| {
            for fixture in &fixtures {
                black_box(ProviderMetadata::from_json(fixture).unwrap());
            }
        })
    });
    group.bench_function("openidconnect", |b| {
        b.iter(|| {
            for fixture in &fixtures {
                black_box(serde_json::from_slice::<CoreProviderMetadata>(fixture).unwrap());
            }
        })
    });
    group.finish();

    let mut group = c.benchmark_group("serialize_client_metadata");
    let full: ClientMetadata = serde_json::from_str(FULL_CLIENT_METADATA).unwrap();
    let value: serde_json::Value = serde_json::from_str(FULL_CLIENT_METADATA).unwrap();
    let oidc: openidconnect::core::CoreClientMetadata =
        serde_json::from_str(FULL_CLIENT_METADATA).unwrap();
    group.bench_function("floor_value", |b| {
        b.iter(|| serde_json::to_vec(black_box(&value)).unwrap())
    });
    group.bench_function("library", |b| {
        b.iter(|| black_box(&full).to_json_vec().unwrap())
    });
    group.bench_function("openidconnect", |b| {
        b.iter(|| serde_json::to_vec(black_box(&oidc)).unwrap())
    });
    group.finish();
}

/// A registration with every member of RFC 7591 §2 and OIDC Registration §2 that both
/// libraries know.
const FULL_CLIENT_METADATA: &str = r#"{
  "redirect_uris": ["https://app.example/callback", "https://app.example/other"],
  "response_types": ["code"],
  "grant_types": ["authorization_code", "refresh_token"],
  "application_type": "web",
  "contacts": ["ops@app.example", "security@app.example"],
  "client_name": "Benchmark client",
  "client_name#ja-Jpan-JP": "ベンチマーク",
  "logo_uri": "https://app.example/logo.png",
  "client_uri": "https://app.example/",
  "policy_uri": "https://app.example/policy",
  "tos_uri": "https://app.example/tos",
  "jwks_uri": "https://app.example/jwks.json",
  "sector_identifier_uri": "https://app.example/sector.json",
  "subject_type": "pairwise",
  "id_token_signed_response_alg": "RS256",
  "userinfo_signed_response_alg": "RS256",
  "request_object_signing_alg": "RS256",
  "token_endpoint_auth_method": "private_key_jwt",
  "token_endpoint_auth_signing_alg": "RS256",
  "default_max_age": 3600,
  "require_auth_time": true,
  "default_acr_values": ["urn:mace:incommon:iap:silver"],
  "initiate_login_uri": "https://app.example/login",
  "request_uris": ["https://app.example/request.jwt"]
}"#;

fn telemetry(c: &mut Criterion) {
    let runtime = single_threaded();
    let setup = Setup::new();
    let setup = &setup;
    let mut group = c.benchmark_group("telemetry");
    group.bench_function("library_no_recorder", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(setup.library_register().await) })
    });
    let handle = metrics_exporter_prometheus::PrometheusBuilder::new()
        .install_recorder()
        .unwrap();
    group.bench_function("library_prometheus_recorder", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(setup.library_register().await) })
    });
    group.finish();
    // Kept alive to the end so the recorder is the one measured; its size shows it recorded.
    eprintln!(
        "telemetry: the recorder rendered {} bytes",
        handle.render().len()
    );
}

criterion_group!(benches, sequential, parsing, concurrent, telemetry);
criterion_main!(benches);
