//! Parsing and serializing metadata: the per-call CPU cost of discovery and registration.

// A benchmark on a broken fixture should fail loudly, not measure an error path.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use oidc_types::{ClientMetadata, ProviderMetadata, RegistrationResponse};

const GOOGLE: &[u8] = include_bytes!("../fixtures/providers/google/openid-configuration.json");
const KEYCLOAK: &[u8] =
    include_bytes!("../fixtures/http-recorded/keycloak/openid-configuration.json");
const REGISTRATION: &[u8] =
    include_bytes!("../fixtures/identitymodel/success_registration_response.json");

fn client_metadata() -> ClientMetadata {
    let mut metadata = ClientMetadata::new([
        "https://app.example/callback",
        "https://app.example/other-callback",
    ]);
    metadata.client_name.set_value("Benchmark client");
    metadata
        .client_name
        .set_tagged("ja-Jpan-JP", "ベンチマーク");
    metadata.contacts = Some(vec!["ops@app.example".to_owned()]);
    metadata.jwks_uri = Some("https://app.example/jwks".to_owned());
    metadata
        .extra_fields
        .insert("tenant".to_owned(), serde_json::json!({"id": 42}));
    metadata
}

fn provider_metadata(c: &mut Criterion) {
    let mut group = c.benchmark_group("provider_metadata");
    for (name, document) in [("google", GOOGLE), ("keycloak", KEYCLOAK)] {
        group.throughput(Throughput::Bytes(document.len() as u64));
        group.bench_function(format!("parse/{name}"), |b| {
            b.iter(|| ProviderMetadata::from_json(black_box(document)).unwrap())
        });
        let parsed = ProviderMetadata::from_json(document).unwrap();
        group.bench_function(format!("serialize/{name}"), |b| {
            b.iter(|| serde_json::to_vec(black_box(&parsed)).unwrap())
        });
    }
    group.finish();
}

fn client_metadata_bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("client_metadata");
    let metadata = client_metadata();
    let json = metadata.to_json_vec().unwrap();
    group.bench_function("serialize", |b| {
        b.iter(|| black_box(&metadata).to_json_vec().unwrap())
    });
    group.bench_function("parse", |b| {
        b.iter(|| serde_json::from_slice::<ClientMetadata>(black_box(&json)).unwrap())
    });
    group.bench_function("validate", |b| {
        b.iter(|| black_box(&metadata).validate().unwrap())
    });
    group.finish();
}

fn registration_response(c: &mut Criterion) {
    c.bench_function("registration_response/parse", |b| {
        b.iter(|| RegistrationResponse::from_json(black_box(REGISTRATION)).unwrap())
    });
}

criterion_group!(
    benches,
    provider_metadata,
    client_metadata_bench,
    registration_response
);
criterion_main!(benches);
