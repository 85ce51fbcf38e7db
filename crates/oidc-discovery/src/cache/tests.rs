//! Races that the public API cannot stage deterministically: a caller that holds an entry
//! across the moment another caller's failed load forgets it.

#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use oidc_http::{BoxFuture, HttpClient, HttpError};

use super::*;

const ISSUER: &str = "https://op.example";

/// A provider that counts requests, fails the first one and answers each after a second (of
/// the paused clock), so that loads overlap.
#[derive(Debug, Default)]
struct FailsFirst {
    requests: AtomicUsize,
}

impl HttpClient for FailsFirst {
    fn send(&self, _request: Request<Bytes>) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        let first = self.requests.fetch_add(1, Ordering::SeqCst) == 0;
        Box::pin(async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let (status, body) = if first {
                (500, serde_json::json!({"error": "server_error"}))
            } else {
                (
                    200,
                    serde_json::json!({
                        "issuer": ISSUER,
                        "authorization_endpoint": format!("{ISSUER}/authorize"),
                        "jwks_uri": format!("{ISSUER}/jwks"),
                        "response_types_supported": ["code"],
                        "subject_types_supported": ["public"],
                        "id_token_signing_alg_values_supported": ["ES256"]
                    }),
                )
            };
            Ok(Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(Bytes::from(serde_json::to_vec(&body).unwrap()))
                .unwrap())
        })
    }
}

#[tokio::test(start_paused = true)]
async fn a_failed_load_racing_a_new_one_leaves_no_orphan_and_fetches_once() {
    let provider = Arc::new(FailsFirst::default());
    let client: Arc<dyn HttpClient> = provider.clone();
    let cache = ProviderCache::builder()
        .discovery_options(DiscoveryOptions::default().with_http_client(client))
        .build();

    // The first load is in flight; a second caller has taken its entry from the map.
    let first = tokio::spawn({
        let cache = cache.clone();
        async move { cache.configuration(ISSUER).await }
    });
    tokio::task::yield_now().await;
    assert_eq!(provider.requests.load(Ordering::SeqCst), 1);
    let held = cache.inner.cached_entry(ISSUER).unwrap();

    // The first load fails and forgets the entry; the second caller only now gets to load
    // with the entry it holds, while a third looks the issuer up afresh.
    assert!(first.await.unwrap().is_err());
    assert!(cache.is_empty());
    let holder = tokio::spawn({
        let cache = cache.clone();
        async move {
            cache
                .loaded(held)
                .await
                .map(|(_, configuration)| configuration)
        }
    });
    let fresh = tokio::spawn({
        let cache = cache.clone();
        async move { cache.configuration(ISSUER).await }
    });
    let held = holder.await.unwrap().unwrap();
    let fresh = fresh.await.unwrap().unwrap();

    assert_eq!(
        provider.requests.load(Ordering::SeqCst),
        2,
        "one load after the failed one, for both callers"
    );
    assert!(Arc::ptr_eq(&held, &fresh), "both got the same load");
    assert_eq!(cache.len(), 1);
    let cached = cache.inner.cached_entry(ISSUER).unwrap();
    assert!(
        cached.configuration.value().is_some(),
        "the cached entry is the loaded one, not an orphan"
    );
}
