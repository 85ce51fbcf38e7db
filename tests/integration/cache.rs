//! The provider cache against the real in-process provider, in real time: a provider that
//! fails, recovers, changes its `jwks_uri` and rotates its keys. (Exact timing of expiry and
//! backoff is tested on tokio's paused clock in `oidc-discovery`'s own tests.)

use std::time::{Duration, Instant};

use oidc_discovery::{Backoff, ExpiryPolicy, ProviderCache};
use oidc_test_provider::{Behaviour, Endpoint, TestProvider};
use serde_json::json;

use crate::util::discovery_options;

/// Polls `condition` every 20 ms until it holds, failing the test after `limit`.
async fn eventually(limit: Duration, what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn ec_key(kid: &str) -> serde_json::Value {
    json!({"kty": "EC", "crv": "P-256", "kid": kid, "use": "sig", "alg": "ES256",
           "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
           "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})
}

#[tokio::test]
async fn serves_stale_while_failing_then_follows_a_new_jwks_uri_and_rotated_keys() {
    let provider = TestProvider::builder()
        .discovery_cache_control("max-age=1")
        .start()
        .await;
    provider.set_jwks(json!({"keys": [ec_key("old")]}));
    let issuer = provider.issuer();
    let one_second = Duration::from_secs(1);
    let cache = ProviderCache::builder()
        .discovery_options(
            discovery_options().with_expiry(ExpiryPolicy::new(one_second, one_second, one_second)),
        )
        .backoff(Backoff::Fixed(Duration::from_millis(100)))
        .kid_refetch_interval(Duration::from_millis(200))
        .build();

    let first = cache.configuration(&issuer).await.unwrap();
    assert!(cache.key(&issuer, "old").await.unwrap().is_some());

    // The provider fails: refreshes are retried, and the last good value keeps being served.
    provider.set_behaviour(Endpoint::Discovery, Behaviour::new().status(500));
    eventually(Duration::from_secs(15), "three failed refreshes", || {
        provider.request_count(Endpoint::Discovery) >= 4
    })
    .await;
    let stale = cache.configuration(&issuer).await.unwrap();
    assert_eq!(stale.metadata, first.metadata);

    // It recovers with a new jwks_uri and rotated keys: the keys are reloaded from there.
    let mut document = provider.discovery_document();
    document["jwks_uri"] = json!(provider.url("/jwks?rotation=2"));
    provider.set_discovery_document(document);
    provider.set_jwks(json!({"keys": [ec_key("new")]}));
    provider.clear_behaviour(Endpoint::Discovery);
    eventually(
        Duration::from_secs(15),
        "the keys fetched from the new jwks_uri",
        || {
            provider
                .requests()
                .iter()
                .any(|request| request.path_and_query == "/jwks?rotation=2")
        },
    )
    .await;
    let fresh = cache.configuration(&issuer).await.unwrap();
    assert_eq!(
        fresh.metadata.jwks_uri.as_deref(),
        Some(provider.url("/jwks?rotation=2").as_str())
    );
    assert!(cache.key(&issuer, "new").await.unwrap().is_some());
    assert!(cache.key(&issuer, "old").await.unwrap().is_none());

    // Dropping the cache stops its background work: no more requests arrive.
    drop(cache);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let settled = provider.requests().len();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        provider.requests().len(),
        settled,
        "requests after the cache was dropped"
    );
}
