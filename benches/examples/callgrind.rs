//! Instruction counts per operation, for `benches/callgrind.sh`: one client (`floor`, `library`
//! or `openidconnect`) doing one operation (`register`, `discovery` or `warm_lookup`) a fixed
//! number of times against the minimal loopback server of `support/`, after a warm-up.
//!
//! ```text
//! cargo run --release -p oidc-benches --example callgrind -- register library 2000
//! ```
//!
//! Run under `valgrind --tool=callgrind --collect-atstart=no --toggle-collect=*measured*`,
//! only the client thread's work inside [`measured`] is counted: the server runs on its own
//! thread, whose instructions are outside that function's calls and so never collected; the
//! warm-up (connection set-up, first allocations, lazy statics) is outside it too.

// A benchmark on a broken setup should fail loudly, not measure an error path.
#![allow(clippy::unwrap_used)]

#[path = "../support/mod.rs"]
mod support;

use std::hint::black_box;
use std::sync::Arc;

use bytes::Bytes;
use oidc_discovery::{load_configuration, DiscoveryOptions, ProviderCache};
use oidc_http::{HttpClient, HyperClient};
use oidc_registration::{register, RegisterOptions, Validation};
use oidc_types::ProviderMetadata;
use openidconnect::core::CoreProviderMetadata;
use openidconnect::RegistrationUrl;
use support::MiniServer;

/// Iterations before counting starts.
const WARM_UP: usize = 200;

fn main() {
    let mut args = std::env::args().skip(1);
    let usage =
        "usage: callgrind register|register_unvalidated|register_recorded|discovery|warm_lookup floor|library|openidconnect ITERATIONS";
    let operation = args.next().expect(usage);
    let client = args.next().expect(usage);
    let iterations: usize = args.next().expect(usage).parse().expect(usage);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = MiniServer::start();
    let metadata = support::client_metadata();
    let provider = ProviderMetadata::from_json(&server.document).unwrap();
    let http: Arc<dyn HttpClient> = Arc::new(HyperClient::new().unwrap());
    let library = RegisterOptions::default().with_http_client(http.clone());
    // The same registration without the default metadata validation, to show what it costs.
    let unvalidated = library.clone().with_validation(Validation::Off);
    let discovery = DiscoveryOptions::default().with_http_client(http);
    let floor = support::Floor::new(Bytes::from(metadata.to_json_vec().unwrap()));
    let oidc_http = support::openidconnect_http();
    let oidc_request = support::openidconnect_request();
    let oidc_endpoint = RegistrationUrl::new(server.registration_endpoint.clone()).unwrap();
    let cache = ProviderCache::builder()
        .discovery_options(discovery.clone())
        .build();

    let one = || -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + '_>> {
        match (operation.as_str(), client.as_str()) {
            ("register", "floor") => Box::pin(async {
                black_box(floor.register(&server.registration_endpoint).await);
            }),
            ("register", "library") => Box::pin(async {
                black_box(register(&provider, &metadata, &library).await.unwrap());
            }),
            ("register_recorded", "library") => Box::pin(async {
                black_box(register(&provider, &metadata, &library).await.unwrap());
            }),
            ("register_unvalidated", "library") => Box::pin(async {
                black_box(register(&provider, &metadata, &unvalidated).await.unwrap());
            }),
            ("register", "openidconnect") => Box::pin(async {
                black_box(
                    oidc_request
                        .register_async(&oidc_endpoint, &oidc_http)
                        .await
                        .unwrap(),
                );
            }),
            ("discovery", "floor") => Box::pin(async {
                black_box(floor.get(&server.discovery_url).await);
            }),
            ("discovery", "library") => Box::pin(async {
                black_box(
                    load_configuration(&server.issuer, &discovery)
                        .await
                        .unwrap(),
                );
            }),
            // Like for like with the other two: the document only (`discover_async` also GETs
            // the key set).
            ("discovery", "openidconnect") => Box::pin(async {
                use openidconnect::AsyncHttpClient;
                let request = http::Request::get(server.discovery_url.as_str())
                    .header(http::header::ACCEPT, "application/json")
                    .body(Vec::new())
                    .unwrap();
                let response = oidc_http.call(request).await.unwrap();
                black_box(serde_json::from_slice::<CoreProviderMetadata>(response.body()).unwrap());
            }),
            ("warm_lookup", "library") => Box::pin(async {
                black_box(cache.configuration(&server.issuer).await.unwrap());
            }),
            _ => panic!("{usage}"),
        }
    };

    // The registration with a real recorder installed (globally, before the warm-up, so that
    // its metrics are registered by the time counting starts): what telemetry costs when it is
    // used, against `register library` without one.
    let recorder = (operation == "register_recorded").then(|| {
        metrics_exporter_prometheus::PrometheusBuilder::new()
            .install_recorder()
            .unwrap()
    });
    runtime.block_on(async {
        for _ in 0..WARM_UP {
            one().await;
        }
    });
    measured(&runtime, iterations, &one);
    if let Some(recorder) = recorder {
        // Shows that the recorder did record (and keeps it alive to the end).
        assert!(recorder
            .render()
            .contains("oidc_register_client_stop_total"));
    }
}

/// The counted part: `iterations` operations, one after another on the client's runtime.
#[inline(never)]
fn measured<'a>(
    runtime: &tokio::runtime::Runtime,
    iterations: usize,
    one: &dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + 'a>>,
) {
    runtime.block_on(async {
        for _ in 0..iterations {
            one().await;
        }
    });
}
