//! A warm `ProviderCache` lookup: what a service pays when it looks its provider up on every
//! request. The configuration is loaded once from the loopback provider; each iteration is a
//! cache hit (no I/O), so the number is the cache's own cost: the map lookup, the telemetry of
//! a hit, and the `Arc` handed back.

// A benchmark on a broken setup should fail loudly, not measure an error path.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use oidc_discovery::ProviderCache;
use oidc_test_provider::TestProvider;

fn warm_lookup(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let provider = runtime.block_on(TestProvider::start());
    let issuer = provider.issuer();
    let cache = ProviderCache::default();
    runtime.block_on(cache.configuration(&issuer)).unwrap();

    c.bench_function("provider_cache/warm_configuration_lookup", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(cache.configuration(&issuer).await.unwrap()) })
    });
}

criterion_group!(benches, warm_lookup);
criterion_main!(benches);
