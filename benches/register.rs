//! `register` against the floor: the same POST sent with a bare hyper client and its JSON
//! answer parsed, on the same loopback provider. The project's target is `register` within 10 %
//! of the floor; the difference is what the library adds (validation, one serialization,
//! typed parsing, telemetry).

// A benchmark on a broken setup should fail loudly, not measure an error path.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::sync::Arc;

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion};
use http::{header, Method, Request};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use oidc_http::{HttpClient, HyperClient};
use oidc_registration::{register, RegisterOptions};
use oidc_test_provider::TestProvider;
use oidc_types::{ClientMetadata, ProviderMetadata};

fn metadata() -> ClientMetadata {
    let mut metadata = ClientMetadata::new(["https://app.example/callback"]);
    metadata.client_name.set_value("Benchmark client");
    metadata.contacts = Some(vec!["ops@app.example".to_owned()]);
    metadata
}

fn register_vs_raw_hyper(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let provider = runtime.block_on(TestProvider::start());
    let document = serde_json::to_vec(&provider.discovery_document()).unwrap();
    let provider_metadata = ProviderMetadata::from_json(&document).unwrap();
    let endpoint = provider.registration_endpoint();
    let metadata = metadata();

    let mut group = c.benchmark_group("register");

    let raw = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let body = Bytes::from(metadata.to_json_vec().unwrap());
    group.bench_function("floor/raw_hyper_post_and_parse", |b| {
        b.to_async(&runtime).iter(|| {
            let request = Request::builder()
                .method(Method::POST)
                .uri(endpoint.as_str())
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::ACCEPT, "application/json")
                .body(Full::new(body.clone()))
                .unwrap();
            let raw = raw.clone();
            async move {
                let response = raw.request(request).await.unwrap();
                let bytes = response.into_body().collect().await.unwrap().to_bytes();
                black_box(serde_json::from_slice::<serde_json::Value>(&bytes).unwrap())
            }
        })
    });

    let client: Arc<dyn HttpClient> = Arc::new(HyperClient::new().unwrap());
    let options = RegisterOptions::default().with_http_client(client);
    group.bench_function("oidc_registration/register", |b| {
        b.to_async(&runtime).iter(|| async {
            black_box(
                register(&provider_metadata, &metadata, &options)
                    .await
                    .unwrap(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, register_vs_raw_hyper);
criterion_main!(benches);
