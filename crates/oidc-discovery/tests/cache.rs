//! The provider cache: single flight, expiry and refresh ahead, failures with backoff, key
//! rotation, `jwks_uri` changes, LRU eviction, telemetry and clean shutdown.
//!
//! Time-dependent tests run on Tokio's paused clock with [`FakeOp`], an in-memory
//! `HttpClient` that answers at once and counts requests: real sockets and a clock that jumps
//! ahead whenever the runtime idles do not mix well (`FakeOp`'s delays run on that paused
//! clock). Single flight, errors, rate limits and eviction are also checked against the real
//! loopback `TestProvider`; there concurrency is staged with explicit signals ([`Gate`] and
//! [`spawn_joined`]), never with delays.

// Helpers outside `#[test]` functions fail loudly too.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use oidc_discovery::{
    Backoff, DiscoveryError, DiscoveryOptions, ExpiryPolicy, ProviderCache, ProviderCacheOptions,
};
use oidc_http::{BoxFuture, HttpClient, HttpError, HyperClient};
use oidc_test_provider::{Behaviour, Endpoint, TestProvider};
use serde_json::{json, Value};
use tokio::task::JoinSet;
use tokio::time::sleep;

// ---------------------------------------------------------------------------------------------
// An in-memory provider.

const ISSUER: &str = "https://op.example";
const WELL_KNOWN: &str = "https://op.example/.well-known/openid-configuration";
const JWKS_1: &str = "https://op.example/jwks-1";
const JWKS_2: &str = "https://keys.example/jwks-2";

#[derive(Debug, Default)]
struct FakeOp {
    state: Mutex<FakeState>,
}

#[derive(Debug, Default)]
struct FakeState {
    /// URL → (body, Cache-Control).
    documents: HashMap<String, (Value, String)>,
    /// URL → status to answer instead.
    failing: HashMap<String, u16>,
    /// Every URL requested, in order.
    requests: Vec<String>,
    /// Wait this long before answering.
    delay: Option<Duration>,
    /// Panic in this many of the next requests (a bug in a user's HttpClient).
    panics: usize,
    /// Hosts that never answer.
    hanging: Vec<String>,
}

impl FakeOp {
    fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    fn serve(&self, url: &str, body: Value, cache_control: &str) {
        let mut state = self.state.lock().unwrap();
        state
            .documents
            .insert(url.to_owned(), (body, cache_control.to_owned()));
    }

    fn fail(&self, url: &str, status: u16) {
        self.state
            .lock()
            .unwrap()
            .failing
            .insert(url.to_owned(), status);
    }

    fn recover(&self, url: &str) {
        self.state.lock().unwrap().failing.remove(url);
    }

    fn delay(&self, delay: Duration) {
        self.state.lock().unwrap().delay = Some(delay);
    }

    fn no_delay(&self) {
        self.state.lock().unwrap().delay = None;
    }

    /// Requests to `host` are never answered (until the load time limit cuts them off).
    fn hang(&self, host: &str) {
        self.state.lock().unwrap().hanging.push(host.to_owned());
    }

    fn panic_next(&self, requests: usize) {
        self.state.lock().unwrap().panics = requests;
    }

    fn count(&self, url: &str) -> usize {
        let state = self.state.lock().unwrap();
        state.requests.iter().filter(|r| *r == url).count()
    }

    fn options(self: &Arc<Self>) -> DiscoveryOptions {
        let client: Arc<dyn HttpClient> = self.clone();
        DiscoveryOptions::default()
            .with_http_client(client)
            .with_expiry(ExpiryPolicy::new(
                Duration::from_secs(100),
                Duration::from_secs(10),
                Duration::from_secs(3600),
            ))
    }
}

impl HttpClient for FakeOp {
    fn send(&self, request: Request<Bytes>) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        let url = request.uri().to_string();
        let (answer, delay, hangs) = {
            let mut state = self.state.lock().unwrap();
            state.requests.push(url.clone());
            if state.panics > 0 {
                state.panics -= 1;
                drop(state);
                panic!("the HTTP client panicked (on purpose, in a test)");
            }
            let answer = match (state.failing.get(&url), state.documents.get(&url)) {
                (Some(status), _) => (*status, json!({"error": "server_error"}), String::new()),
                (None, Some((body, cache_control))) => (200, body.clone(), cache_control.clone()),
                (None, None) => (404, json!({"error": "not_found"}), String::new()),
            };
            let hangs = state
                .hanging
                .iter()
                .any(|host| request.uri().host() == Some(host.as_str()));
            (answer, state.delay, hangs)
        };
        Box::pin(async move {
            if hangs {
                std::future::pending::<()>().await;
            }
            if let Some(delay) = delay {
                sleep(delay).await;
            }
            let (status, body, cache_control) = answer;
            let mut response = Response::builder()
                .status(status)
                .header("content-type", "application/json");
            if !cache_control.is_empty() {
                response = response.header("cache-control", cache_control);
            }
            Ok(response
                .body(Bytes::from(serde_json::to_vec(&body).unwrap()))
                .unwrap())
        })
    }
}

fn configuration_document(jwks_uri: &str, version: &str) -> Value {
    json!({
        "issuer": ISSUER,
        "authorization_endpoint": format!("{ISSUER}/authorize"),
        "token_endpoint": format!("{ISSUER}/token"),
        "jwks_uri": jwks_uri,
        "registration_endpoint": format!("{ISSUER}/register/{version}"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"]
    })
}

/// A P-256 public key with this `kid`.
fn ec_key(kid: &str) -> Value {
    json!({
        "kty": "EC",
        "crv": "P-256",
        "kid": kid,
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"
    })
}

fn key_set(kids: &[&str]) -> Value {
    json!({ "keys": kids.iter().map(|kid| ec_key(kid)).collect::<Vec<_>>() })
}

/// A provider at [`ISSUER`] whose documents live 100 s, keys from [`JWKS_1`].
fn fake_op() -> Arc<FakeOp> {
    let op = FakeOp::new();
    op.serve(
        WELL_KNOWN,
        configuration_document(JWKS_1, "v1"),
        "max-age=100",
    );
    op.serve(JWKS_1, key_set(&["a"]), "max-age=3600");
    op
}

fn fake_cache(op: &Arc<FakeOp>) -> ProviderCacheOptions {
    ProviderCache::builder()
        .discovery_options(op.options())
        .refresh_ahead(0.8)
        .backoff(Backoff::Exponential {
            min: Duration::from_secs(1),
            max: Duration::from_secs(8),
        })
}

fn version(configuration: &oidc_discovery::ProviderConfiguration) -> &str {
    let endpoint = configuration
        .metadata
        .registration_endpoint
        .as_deref()
        .unwrap();
    endpoint.rsplit('/').next().unwrap()
}

/// Lets spawned work run to completion on the current-thread runtime.
async fn settle() {
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
}

/// Sleeps (auto-advancing the paused clock) to `at` seconds after `start`.
async fn at(start: tokio::time::Instant, seconds: f64) {
    tokio::time::sleep_until(start + Duration::from_secs_f64(seconds)).await;
    settle().await;
}

// ---------------------------------------------------------------------------------------------
// Expiry, refresh ahead, backoff.

#[tokio::test(start_paused = true)]
async fn refreshes_ahead_of_expiry() {
    let op = fake_op();
    let cache = fake_cache(&op).build();
    let start = tokio::time::Instant::now();

    let first = cache.configuration(ISSUER).await.unwrap();
    assert_eq!(version(&first), "v1");
    assert_eq!(first.expires_in, Duration::from_secs(100));
    let again = cache.configuration(ISSUER).await.unwrap();
    assert!(Arc::ptr_eq(&first, &again), "a hit is the same value");
    assert_eq!(op.count(WELL_KNOWN), 1);

    op.serve(
        WELL_KNOWN,
        configuration_document(JWKS_1, "v2"),
        "max-age=100",
    );
    // 80 % of 100 s: refreshed at 80 s, not before.
    at(start, 79.5).await;
    assert_eq!(op.count(WELL_KNOWN), 1);
    assert_eq!(version(&cache.configuration(ISSUER).await.unwrap()), "v1");
    at(start, 80.5).await;
    assert_eq!(op.count(WELL_KNOWN), 2);
    assert_eq!(version(&cache.configuration(ISSUER).await.unwrap()), "v2");
    // And again 80 s later.
    at(start, 159.5).await;
    assert_eq!(op.count(WELL_KNOWN), 2);
    at(start, 160.5).await;
    assert_eq!(op.count(WELL_KNOWN), 3);
}

#[tokio::test(start_paused = true)]
async fn expiry_floor_and_ceiling_come_from_the_expiry_policy() {
    let op = fake_op();
    // Below the 10 s floor: kept 10 s, refreshed after 8 s.
    op.serve(
        WELL_KNOWN,
        configuration_document(JWKS_1, "v1"),
        "max-age=2",
    );
    let cache = fake_cache(&op).build();
    let start = tokio::time::Instant::now();
    let first = cache.configuration(ISSUER).await.unwrap();
    assert_eq!(first.expires_in, Duration::from_secs(10));
    at(start, 7.5).await;
    assert_eq!(op.count(WELL_KNOWN), 1);
    at(start, 8.5).await;
    assert_eq!(op.count(WELL_KNOWN), 2);

    // Above the 1 h ceiling: kept 1 h.
    op.serve(
        WELL_KNOWN,
        configuration_document(JWKS_1, "v1"),
        "max-age=999999",
    );
    at(start, 16.5).await;
    assert_eq!(op.count(WELL_KNOWN), 3);
    let capped = cache.configuration(ISSUER).await.unwrap();
    assert_eq!(capped.expires_in, Duration::from_secs(3600));
    at(start, 16.0 + 2879.0).await;
    assert_eq!(op.count(WELL_KNOWN), 3);
    at(start, 16.0 + 2881.0).await;
    assert_eq!(op.count(WELL_KNOWN), 4);
}

#[tokio::test(start_paused = true)]
async fn a_refresh_that_panics_is_retried_after_the_backoff() {
    let op = fake_op();
    let cache = fake_cache(&op).build();
    let start = tokio::time::Instant::now();
    cache.configuration(ISSUER).await.unwrap();

    op.panic_next(1);
    at(start, 80.5).await;
    assert_eq!(op.count(WELL_KNOWN), 2, "the refresh ran, and panicked");
    op.serve(
        WELL_KNOWN,
        configuration_document(JWKS_1, "v2"),
        "max-age=100",
    );
    // Back on the schedule after the first backoff step (1 s), not dropped from it.
    at(start, 81.6).await;
    assert_eq!(op.count(WELL_KNOWN), 3);
    assert_eq!(version(&cache.configuration(ISSUER).await.unwrap()), "v2");
}

#[test]
fn a_refresh_cut_off_by_its_runtime_shutting_down_runs_again_on_the_next_one() {
    let paused = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap()
    };
    let op = fake_op();
    let first = paused();
    let cache = first.block_on(async {
        let cache = fake_cache(&op).build();
        let start = tokio::time::Instant::now();
        cache.configuration(ISSUER).await.unwrap();
        op.delay(Duration::from_secs(100_000));
        at(start, 80.5).await;
        assert_eq!(op.count(WELL_KNOWN), 2, "the refresh is in flight");
        cache
    });
    // Shutting the runtime down drops the refresh job mid-request.
    drop(first);

    op.no_delay();
    op.serve(
        WELL_KNOWN,
        configuration_document(JWKS_1, "v2"),
        "max-age=3600",
    );
    paused().block_on(async {
        let start = tokio::time::Instant::now();
        // The last good value meanwhile; the lookup starts the refresher on this runtime.
        assert_eq!(version(&cache.configuration(ISSUER).await.unwrap()), "v1");
        // The two runtimes' paused clocks differ by the first one's 80 s: wait past both.
        at(start, 200.0).await;
        assert_eq!(op.count(WELL_KNOWN), 3, "refreshed once more");
        assert_eq!(version(&cache.configuration(ISSUER).await.unwrap()), "v2");
    });
}

#[tokio::test(start_paused = true)]
async fn failing_refreshes_serve_the_last_good_value_and_back_off() {
    let op = fake_op();
    let cache = fake_cache(&op).build();
    let start = tokio::time::Instant::now();
    let good = cache.configuration(ISSUER).await.unwrap();

    op.fail(WELL_KNOWN, 500);
    // The refresh at 80 s fails; retries after 1, 2, 4, 8, 8, … s: 81, 83, 87, 95, 103, 111.
    let schedule = [
        (80.5, 2),
        (80.9, 2),
        (81.5, 3),
        (82.9, 3),
        (83.5, 4),
        (86.9, 4),
        (87.5, 5),
        (94.9, 5),
        (95.5, 6),
        (102.9, 6),
        (103.5, 7),
        (110.9, 7),
        (111.5, 8),
    ];
    for (seconds, expected) in schedule {
        at(start, seconds).await;
        assert_eq!(op.count(WELL_KNOWN), expected, "at {seconds} s");
        // Meanwhile, the last good value, also once it expired (at 100 s).
        let served = cache.configuration(ISSUER).await.unwrap();
        assert!(Arc::ptr_eq(&served, &good), "at {seconds} s");
    }
    // Lookups did not cause requests of their own.
    assert_eq!(op.count(WELL_KNOWN), 8);

    // The provider recovers with a new document: the retry at 119 s gets it.
    op.recover(WELL_KNOWN);
    op.serve(
        WELL_KNOWN,
        configuration_document(JWKS_1, "v2"),
        "max-age=100",
    );
    at(start, 118.9).await;
    assert_eq!(version(&cache.configuration(ISSUER).await.unwrap()), "v1");
    at(start, 119.5).await;
    assert_eq!(op.count(WELL_KNOWN), 9);
    assert_eq!(version(&cache.configuration(ISSUER).await.unwrap()), "v2");
    // Back on the normal schedule: next refresh 80 s later, and a new failure starts the
    // backoff from its first delay again.
    op.fail(WELL_KNOWN, 503);
    at(start, 198.9).await;
    assert_eq!(op.count(WELL_KNOWN), 9);
    at(start, 199.5).await;
    assert_eq!(op.count(WELL_KNOWN), 10);
    at(start, 200.5).await;
    assert_eq!(op.count(WELL_KNOWN), 11);
    assert_eq!(version(&cache.configuration(ISSUER).await.unwrap()), "v2");
}

// ---------------------------------------------------------------------------------------------
// Keys.

#[tokio::test(start_paused = true)]
async fn a_changed_jwks_uri_reloads_the_keys() {
    let op = fake_op();
    op.serve(JWKS_2, key_set(&["b"]), "max-age=3600");
    let cache = fake_cache(&op).build();
    let start = tokio::time::Instant::now();

    let keys = cache.jwks(ISSUER).await.unwrap();
    assert!(keys.find("a").is_some());
    assert_eq!(op.count(JWKS_1), 1);

    op.serve(
        WELL_KNOWN,
        configuration_document(JWKS_2, "v2"),
        "max-age=100",
    );
    at(start, 80.5).await;
    assert_eq!(op.count(WELL_KNOWN), 2);
    assert_eq!(op.count(JWKS_2), 1, "reloaded from the new URI at once");
    let keys = cache.jwks(ISSUER).await.unwrap();
    assert!(keys.find("b").is_some());
    assert!(keys.find("a").is_none());
    assert!(cache.key(ISSUER, "b").await.unwrap().is_some());
    assert_eq!(op.count(JWKS_1), 1);
    assert_eq!(op.count(JWKS_2), 1);
}

#[tokio::test(start_paused = true)]
async fn a_failing_new_jwks_uri_is_retried_with_backoff_and_old_keys_are_served() {
    let op = fake_op();
    op.fail(JWKS_2, 500);
    let cache = fake_cache(&op).build();
    let start = tokio::time::Instant::now();
    let old = cache.jwks(ISSUER).await.unwrap();
    op.serve(
        WELL_KNOWN,
        configuration_document(JWKS_2, "v2"),
        "max-age=100",
    );
    // Configuration refreshed at 80 s; the new URI fails at 80, then 81, 83, 87.
    at(start, 87.5).await;
    assert_eq!(op.count(JWKS_2), 4);
    assert!(Arc::ptr_eq(&cache.jwks(ISSUER).await.unwrap(), &old));
    op.recover(JWKS_2);
    op.serve(JWKS_2, key_set(&["b"]), "max-age=3600");
    at(start, 95.5).await;
    assert_eq!(op.count(JWKS_2), 5);
    assert!(cache.jwks(ISSUER).await.unwrap().find("b").is_some());
    assert_eq!(op.count(JWKS_1), 1);
}

#[tokio::test(start_paused = true)]
async fn unknown_kids_refetch_once_per_interval() {
    let op = fake_op();
    let cache = fake_cache(&op).build();
    let start = tokio::time::Instant::now();

    assert!(cache.key(ISSUER, "a").await.unwrap().is_some());
    assert_eq!(op.count(JWKS_1), 1);

    // Rotation: the provider adds "b".
    op.serve(JWKS_1, key_set(&["a", "b"]), "max-age=3600");
    // The set was fetched just now: no refetch within the 60 s interval.
    assert!(cache.key(ISSUER, "b").await.unwrap().is_none());
    assert_eq!(op.count(JWKS_1), 1);

    at(start, 61.0).await;
    // 100 concurrent lookups of the new kid: one refetch, and they all find it.
    let mut lookups = JoinSet::new();
    for _ in 0..100 {
        let cache = cache.clone();
        lookups.spawn(async move { cache.key(ISSUER, "b").await });
    }
    while let Some(found) = lookups.join_next().await {
        assert!(found.unwrap().unwrap().is_some());
    }
    assert_eq!(op.count(JWKS_1), 2);

    // Another unknown kid within the interval: answered without a request.
    assert!(cache.key(ISSUER, "c").await.unwrap().is_none());
    assert_eq!(op.count(JWKS_1), 2);
    at(start, 122.0).await;
    assert!(cache.key(ISSUER, "c").await.unwrap().is_none());
    assert_eq!(op.count(JWKS_1), 3);
    // Known kids never cause requests.
    assert!(cache.key(ISSUER, "a").await.unwrap().is_some());
    assert_eq!(op.count(JWKS_1), 3);
}

#[tokio::test(start_paused = true)]
async fn a_failed_kid_refetch_is_an_error_and_still_rate_limited() {
    let op = fake_op();
    let cache = fake_cache(&op).build();
    let start = tokio::time::Instant::now();
    cache.jwks(ISSUER).await.unwrap();
    op.fail(JWKS_1, 502);
    at(start, 61.0).await;
    let error = cache.key(ISSUER, "new").await.unwrap_err();
    assert!(matches!(
        *error,
        DiscoveryError::UnexpectedStatus { status, .. } if status == 502
    ));
    assert_eq!(op.count(JWKS_1), 2);
    // The known keys are still served, and the next unknown kid waits for the interval.
    assert!(cache.key(ISSUER, "a").await.unwrap().is_some());
    assert!(cache.key(ISSUER, "new").await.unwrap().is_none());
    assert_eq!(op.count(JWKS_1), 2);
}

#[tokio::test(start_paused = true)]
async fn key_lookups_are_paced_while_the_first_key_set_load_keeps_failing() {
    let op = fake_op();
    op.fail(JWKS_1, 503);
    let cache = fake_cache(&op).build();
    let start = tokio::time::Instant::now();
    for _ in 0..10 {
        let error = cache.key(ISSUER, "a").await.unwrap_err();
        assert!(matches!(
            *error,
            DiscoveryError::UnexpectedStatus { status, .. } if status == 503
        ));
    }
    assert_eq!(
        op.count(JWKS_1),
        1,
        "one request per interval, not one per lookup"
    );

    op.recover(JWKS_1);
    at(start, 59.0).await;
    assert!(
        cache.key(ISSUER, "a").await.is_err(),
        "still within the 60 s"
    );
    assert_eq!(op.count(JWKS_1), 1);
    at(start, 61.0).await;
    assert!(cache.key(ISSUER, "a").await.unwrap().is_some());
    assert_eq!(op.count(JWKS_1), 2);
}

#[tokio::test(start_paused = true)]
async fn an_unknown_kid_does_not_wait_behind_a_stuck_refresh() {
    let op = fake_op();
    op.serve(JWKS_1, key_set(&["a"]), "max-age=100");
    let cache = fake_cache(&op)
        .kid_refetch_timeout(Duration::from_secs(5))
        .build();
    let start = tokio::time::Instant::now();
    assert!(cache.key(ISSUER, "a").await.unwrap().is_some());

    // The key set refresh at 80 s hangs (until the 60 s load time limit).
    op.delay(Duration::from_secs(100_000));
    at(start, 80.5).await;
    assert_eq!(op.count(JWKS_1), 2, "the refresh is in flight");

    let asked = tokio::time::Instant::now();
    let error = cache.key(ISSUER, "new").await.unwrap_err();
    assert!(
        matches!(*error, DiscoveryError::KeyRefetchTimeout { timeout, .. } if timeout == Duration::from_secs(5)),
        "{error}"
    );
    assert_eq!(
        asked.elapsed(),
        Duration::from_secs(5),
        "its own limit, not the refresh's"
    );
    // Known keys are served meanwhile, at once.
    let asked = tokio::time::Instant::now();
    assert!(cache.key(ISSUER, "a").await.unwrap().is_some());
    assert_eq!(asked.elapsed(), Duration::ZERO);
    assert_eq!(op.count(JWKS_1), 2);
}

// ---------------------------------------------------------------------------------------------
// Eviction.

/// A second provider the fake serves, at `https://{host}`.
fn serve_issuer(op: &FakeOp, host: &str) -> String {
    let issuer = format!("https://{host}");
    let mut document = configuration_document(JWKS_1, "v1");
    document["issuer"] = json!(issuer);
    op.serve(
        &format!("{issuer}/.well-known/openid-configuration"),
        document,
        "max-age=100",
    );
    issuer
}

#[tokio::test(start_paused = true)]
async fn pending_first_loads_never_evict_loaded_issuers() {
    let op = fake_op();
    let other = serve_issuer(&op, "other.example");
    let cache = fake_cache(&op).max_issuers(2).max_pending_loads(3).build();
    cache.configuration(ISSUER).await.unwrap();
    cache.configuration(&other).await.unwrap();

    // A burst of well-formed issuers that never answer.
    for host in ["a.hang", "b.hang", "c.hang", "d.hang", "e.hang"] {
        op.hang(host);
    }
    let mut lookups = JoinSet::new();
    for host in ["a.hang", "b.hang", "c.hang"] {
        let cache = cache.clone();
        lookups.spawn(async move { cache.configuration(&format!("https://{host}")).await });
    }
    settle().await;
    assert_eq!(cache.len(), 5, "two loaded, three pending");
    // A fourth first load is refused at once, without a request.
    for host in ["d.hang", "e.hang"] {
        let error = cache
            .configuration(&format!("https://{host}"))
            .await
            .unwrap_err();
        assert!(
            matches!(*error, DiscoveryError::TooManyPendingLoads { limit: 3, .. }),
            "{error}"
        );
    }
    assert_eq!(
        op.count("https://d.hang/.well-known/openid-configuration"),
        0
    );
    // The loaded issuers are still there, served without a request.
    assert!(cache.contains(ISSUER) && cache.contains(&other));
    cache.configuration(ISSUER).await.unwrap();
    cache.configuration(&other).await.unwrap();
    assert_eq!(op.count(WELL_KNOWN), 1);

    // The load time limit (60 s by default in the cache) ends the pending loads and frees
    // their places.
    while let Some(result) = lookups.join_next().await {
        assert!(result.unwrap().is_err());
    }
    assert_eq!(cache.len(), 2);
    let third = serve_issuer(&op, "third.example");
    cache.configuration(&third).await.unwrap();
    // Loaded, it takes a loaded issuer's place: the least recently used one.
    assert_eq!(cache.len(), 2);
    assert!(!cache.contains(ISSUER));
    assert!(cache.contains(&other) && cache.contains(&third));
}

#[tokio::test(start_paused = true)]
async fn an_abandoned_first_load_gives_its_place_back() {
    let op = fake_op();
    op.hang("a.hang");
    let cache = fake_cache(&op).max_pending_loads(1).build();
    // The only caller gives up waiting: nothing is in flight for that issuer any more.
    let gave_up = tokio::time::timeout(
        Duration::from_secs(1),
        cache.configuration("https://a.hang"),
    )
    .await;
    assert!(gave_up.is_err());
    assert_eq!(cache.len(), 1, "still pending, with no load in flight");
    // A new first load takes its place instead of being refused.
    cache.configuration(ISSUER).await.unwrap();
    assert!(!cache.contains("https://a.hang"));
    assert_eq!(cache.len(), 1);
}

// ---------------------------------------------------------------------------------------------
// No leaks.

fn alive_tasks() -> usize {
    tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks()
}

#[tokio::test(start_paused = true)]
async fn dropping_the_last_clone_stops_the_background_task() {
    let op = fake_op();
    let baseline = alive_tasks();
    let cache = fake_cache(&op).build();
    assert_eq!(alive_tasks(), baseline, "building starts nothing");
    cache.configuration(ISSUER).await.unwrap();
    cache.jwks(ISSUER).await.unwrap();
    assert_eq!(
        alive_tasks(),
        baseline + 1,
        "one task, however many documents"
    );

    // A clone keeps the cache, and its refreshes, alive.
    let clone = cache.clone();
    drop(cache);
    let start = tokio::time::Instant::now();
    at(start, 80.5).await;
    assert_eq!(op.count(WELL_KNOWN), 2);
    assert_eq!(alive_tasks(), baseline + 1);

    drop(clone);
    settle().await;
    assert_eq!(alive_tasks(), baseline, "the task ended with the cache");
    // Nothing fires any more, however long we wait.
    at(start, 30.0 * 24.0 * 3600.0).await;
    assert_eq!(op.count(WELL_KNOWN), 2);
    assert_eq!(op.count(JWKS_1), 1);
    assert_eq!(alive_tasks(), baseline);
}

#[tokio::test(start_paused = true)]
async fn dropping_the_cache_aborts_a_refresh_in_flight() {
    let op = fake_op();
    let baseline = alive_tasks();
    let cache = fake_cache(&op).build();
    cache.configuration(ISSUER).await.unwrap();
    op.delay(Duration::from_secs(30));
    let start = tokio::time::Instant::now();
    at(start, 81.0).await;
    assert_eq!(op.count(WELL_KNOWN), 2, "the refresh has been sent");
    assert_eq!(alive_tasks(), baseline + 2, "the task and its refresh job");
    drop(cache);
    settle().await;
    assert_eq!(alive_tasks(), baseline);
    at(start, 10_000.0).await;
    assert_eq!(op.count(WELL_KNOWN), 2);
}

#[test]
fn building_needs_no_runtime_and_a_new_runtime_restarts_the_task() {
    let op = fake_op();
    let cache = fake_cache(&op).max_issuers(3).build();
    assert!(cache.is_empty());
    assert!(format!("{cache:?}").contains("ProviderCache"));
    for _ in 0..2 {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap();
        let cache = cache.clone();
        runtime.block_on(async move {
            cache.configuration(ISSUER).await.unwrap();
            assert_eq!(alive_tasks(), 1);
        });
        // The runtime, and the task on it, is gone; the next runtime gets a new task.
    }
    assert_eq!(cache.len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Telemetry.

/// A recorded metric: name, sorted labels, value.
type Recorded = (String, Vec<(String, String)>, DebugValue);

fn recorded(snapshotter: &metrics_util::debugging::Snapshotter) -> Vec<Recorded> {
    snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(key, _, _, value)| {
            let mut labels: Vec<(String, String)> = key
                .key()
                .labels()
                .map(|l| (l.key().to_owned(), l.value().to_owned()))
                .collect();
            labels.sort();
            (key.key().name().to_owned(), labels, value)
        })
        .collect()
}

/// Runs `work` on a paused current-thread runtime, recording its metrics.
fn with_metrics<F: std::future::Future<Output = ()>>(work: F) -> Vec<Recorded> {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    metrics::with_local_recorder(&recorder, || runtime.block_on(work));
    drop(runtime);
    recorded(&snapshotter)
}

/// Every value of the `issuer` label recorded.
fn issuer_labels(metrics: &[Recorded]) -> std::collections::BTreeSet<String> {
    metrics
        .iter()
        .flat_map(|(_, labels, _)| labels)
        .filter(|(key, _)| key == "issuer")
        .map(|(_, value)| value.clone())
        .collect()
}

#[test]
fn issuers_become_labels_only_once_loaded_or_known() {
    let op = fake_op();
    let known = serve_issuer(&op, "known.example");
    let metrics = with_metrics(async {
        let cache = fake_cache(&op).known_issuer(known.clone()).build();
        // A flood of made-up issuers and resources, none of which loads.
        for n in 0..50 {
            assert!(cache
                .configuration(&format!("https://tenant-{n}.example"))
                .await
                .is_err());
            assert!(cache
                .resource_metadata(&format!("https://rs-{n}.example/api"))
                .await
                .is_err());
        }
        cache.configuration(ISSUER).await.unwrap();
        cache.configuration(ISSUER).await.unwrap();
        cache.configuration(&known).await.unwrap();
    });
    assert_eq!(
        issuer_labels(&metrics),
        [ISSUER, "https://known.example", "unloaded"]
            .map(str::to_owned)
            .into(),
        "{metrics:#?}"
    );
    let count = |name: &str, issuer: &str| -> u64 {
        metrics
            .iter()
            .filter(|(n, labels, _)| {
                n == name && labels.iter().any(|(k, v)| k == "issuer" && v == issuer)
            })
            .map(|(_, _, value)| match value {
                DebugValue::Counter(count) => *count,
                other => panic!("{name} is not a counter: {other:?}"),
            })
            .sum()
    };
    // ISSUER's first miss and first load were counted before it had loaded; its hit after.
    assert_eq!(
        count("oidc_provider_cache_miss_total", "unloaded"),
        50 + 50 + 1
    );
    assert_eq!(count("oidc_provider_cache_hit_total", ISSUER), 1);
    assert_eq!(count("oidc_load_configuration_start_total", "unloaded"), 51);
    // A known issuer is its own label from its first lookup.
    assert_eq!(
        count("oidc_provider_cache_miss_total", "https://known.example"),
        1
    );
    assert_eq!(
        count(
            "oidc_load_configuration_start_total",
            "https://known.example"
        ),
        1
    );
}

#[test]
fn telemetry_counts_hits_misses_refreshes_failures_and_evictions() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let op = fake_op();
    let other = "https://other.example";
    let mut document = configuration_document(JWKS_1, "v1");
    document["issuer"] = json!(other);
    op.serve(
        "https://other.example/.well-known/openid-configuration",
        document,
        "max-age=100",
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    metrics::with_local_recorder(&recorder, || {
        runtime.block_on(async {
            let cache = fake_cache(&op).max_issuers(1).build();
            let start = tokio::time::Instant::now();
            cache.configuration(ISSUER).await.unwrap(); // miss
            cache.configuration(ISSUER).await.unwrap(); // hit
            cache.jwks(ISSUER).await.unwrap(); // configuration hit, jwks miss
            op.fail(WELL_KNOWN, 500);
            at(start, 81.5).await; // refresh fails at 80, again at 81
            cache.configuration(other).await.unwrap(); // miss, evicts ISSUER
        });
    });
    drop(runtime);
    let metrics = recorded(&snapshotter);
    let counter = |name: &str, labels: &[(&str, &str)]| {
        let mut wanted: Vec<(String, String)> = labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        wanted.sort();
        metrics
            .iter()
            .find(|(n, l, _)| n == name && *l == wanted)
            .map(|(_, _, value)| match value {
                DebugValue::Counter(count) => *count,
                other => panic!("{name} is not a counter: {other:?}"),
            })
            .unwrap_or(0)
    };
    let configuration = [("issuer", ISSUER), ("document", "configuration")];
    let jwks = [("issuer", ISSUER), ("document", "jwks")];
    // Misses before an issuer's first load are counted under the shared label.
    let unloaded = [("issuer", "unloaded"), ("document", "configuration")];
    assert_eq!(counter("oidc_provider_cache_miss_total", &configuration), 0);
    assert_eq!(counter("oidc_provider_cache_miss_total", &unloaded), 2);
    assert_eq!(counter("oidc_provider_cache_hit_total", &configuration), 2);
    assert_eq!(counter("oidc_provider_cache_miss_total", &jwks), 1);
    assert_eq!(
        counter("oidc_provider_cache_refresh_total", &configuration),
        2
    );
    assert_eq!(
        counter(
            "oidc_provider_cache_refresh_failure_total",
            &[
                ("issuer", ISSUER),
                ("document", "configuration"),
                ("error", "unexpected_status")
            ]
        ),
        2
    );
    assert_eq!(
        counter("oidc_provider_cache_eviction_total", &[("issuer", ISSUER)]),
        1
    );
    // The loads underneath keep their own telemetry: 2 refreshes of ISSUER, and the first
    // loads of ISSUER and `other` before they had loaded.
    assert_eq!(
        counter("oidc_load_configuration_start_total", &[("issuer", ISSUER)]),
        2
    );
    assert_eq!(
        counter(
            "oidc_load_configuration_start_total",
            &[("issuer", "unloaded")]
        ),
        2
    );
}

// ---------------------------------------------------------------------------------------------
// Against the loopback provider.

fn http_client() -> Arc<dyn HttpClient> {
    Arc::new(
        HyperClient::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap(),
    )
}

fn real_cache() -> ProviderCacheOptions {
    ProviderCache::builder()
        .discovery_options(DiscoveryOptions::default().with_http_client(http_client()))
}

/// An explicit signal in front of the real client: while closed, requests wait before they are
/// sent. Lets a test hold the first load until every concurrent lookup has joined it, instead
/// of slowing the provider down and hoping they all arrive in time.
#[derive(Debug)]
struct Gate {
    open: tokio::sync::watch::Sender<bool>,
    client: Arc<dyn HttpClient>,
}

impl Gate {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            open: tokio::sync::watch::Sender::new(true),
            client: http_client(),
        })
    }

    fn close(&self) {
        self.open.send_replace(false);
    }

    fn open(&self) {
        self.open.send_replace(true);
    }

    fn cache(self: &Arc<Self>) -> ProviderCacheOptions {
        let client: Arc<dyn HttpClient> = self.clone();
        ProviderCache::builder()
            .discovery_options(DiscoveryOptions::default().with_http_client(client))
    }
}

impl HttpClient for Gate {
    fn send(&self, request: Request<Bytes>) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        let mut open = self.open.subscribe();
        Box::pin(async move {
            // The sender lives as long as the gate, which outlives its requests.
            open.wait_for(|open| *open).await.unwrap();
            self.client.send(request).await
        })
    }
}

/// Spawns `count` copies of `lookup` and returns them once each has been polled once: by then
/// each has joined the load in flight (or started it), since a lookup only waits there.
async fn spawn_joined<T, F, Fut>(count: usize, lookup: F) -> JoinSet<T>
where
    T: Send + 'static,
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    let joined = Arc::new(tokio::sync::Semaphore::new(0));
    let mut lookups = JoinSet::new();
    for _ in 0..count {
        let (joined, lookup) = (Arc::clone(&joined), lookup());
        lookups.spawn(async move {
            let mut lookup = std::pin::pin!(lookup);
            let first =
                std::future::poll_fn(|cx| std::task::Poll::Ready(lookup.as_mut().poll(cx))).await;
            joined.add_permits(1);
            match first {
                std::task::Poll::Ready(result) => result,
                std::task::Poll::Pending => lookup.await,
            }
        });
    }
    let all = u32::try_from(count).unwrap();
    joined.acquire_many(all).await.unwrap().forget();
    lookups
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_concurrent_first_lookups_fetch_once() {
    let provider = TestProvider::start().await;
    let gate = Gate::new();
    let cache = gate.cache().build();
    let issuer = provider.issuer();

    // The first load waits at the gate until all thousand lookups wait for it.
    gate.close();
    let mut lookups = spawn_joined(1000, || {
        let (cache, issuer) = (cache.clone(), issuer.clone());
        async move { cache.configuration(&issuer).await }
    })
    .await;
    gate.open();
    let mut configurations = Vec::new();
    while let Some(result) = lookups.join_next().await {
        configurations.push(result.unwrap().unwrap());
    }
    assert_eq!(provider.request_count(Endpoint::Discovery), 1);
    assert!(configurations
        .iter()
        .all(|c| Arc::ptr_eq(c, &configurations[0])));
    assert_eq!(configurations[0].metadata.issuer, issuer);

    gate.close();
    let mut lookups = spawn_joined(1000, || {
        let (cache, issuer) = (cache.clone(), issuer.clone());
        async move { cache.jwks(&issuer).await }
    })
    .await;
    gate.open();
    while let Some(result) = lookups.join_next().await {
        assert!(result
            .unwrap()
            .unwrap()
            .find("test-provider-rs256-1")
            .is_some());
    }
    assert_eq!(provider.request_count(Endpoint::Jwks), 1);
    assert_eq!(provider.request_count(Endpoint::Discovery), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_first_load_reaches_every_waiter_and_is_not_kept() {
    let provider = TestProvider::start().await;
    provider.set_behaviour(Endpoint::Discovery, Behaviour::new().status(500));
    let gate = Gate::new();
    let cache = gate.cache().build();
    let issuer = provider.issuer();
    gate.close();
    let mut lookups = spawn_joined(100, || {
        let (cache, issuer) = (cache.clone(), issuer.clone());
        async move { cache.configuration(&issuer).await }
    })
    .await;
    gate.open();
    while let Some(result) = lookups.join_next().await {
        let error = result.unwrap().unwrap_err();
        assert!(
            matches!(*error, DiscoveryError::UnexpectedStatus { status, .. } if status == 500),
            "{error}"
        );
    }
    assert_eq!(provider.request_count(Endpoint::Discovery), 1);
    assert!(cache.is_empty(), "an issuer that never loaded is not kept");

    provider.clear_behaviour(Endpoint::Discovery);
    let configuration = cache.configuration(&issuer).await.unwrap();
    assert_eq!(configuration.metadata.issuer, issuer);
    assert_eq!(provider.request_count(Endpoint::Discovery), 2);
    assert_eq!(cache.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unknown_kid_refetches_are_single_flight_and_rate_limited() {
    let provider = TestProvider::start().await;
    let issuer = provider.issuer();

    // Default interval (60 s): the set was just fetched, so unknown kids cause no request.
    let cache = real_cache().build();
    assert!(cache
        .key(&issuer, "test-provider-rs256-1")
        .await
        .unwrap()
        .is_some());
    provider.set_jwks(key_set(&["rotated"]));
    for kid in ["rotated", "other", "rotated"] {
        assert!(cache.key(&issuer, kid).await.unwrap().is_none());
    }
    assert_eq!(provider.request_count(Endpoint::Jwks), 1);

    // No interval: an unknown kid refetches at once, once for all concurrent callers.
    let gate = Gate::new();
    let eager = gate.cache().kid_refetch_interval(Duration::ZERO).build();
    provider.set_jwks(key_set(&["a"]));
    assert!(eager.key(&issuer, "a").await.unwrap().is_some());
    assert_eq!(provider.request_count(Endpoint::Jwks), 2);
    provider.set_jwks(key_set(&["a", "b"]));
    assert!(eager.key(&issuer, "b").await.unwrap().is_some());
    assert_eq!(provider.request_count(Endpoint::Jwks), 3);

    gate.close();
    let mut lookups = spawn_joined(200, || {
        let (eager, issuer) = (eager.clone(), issuer.clone());
        async move { eager.key(&issuer, "missing").await }
    })
    .await;
    gate.open();
    while let Some(result) = lookups.join_next().await {
        assert!(result.unwrap().unwrap().is_none());
    }
    assert_eq!(provider.request_count(Endpoint::Jwks), 4);
}

#[tokio::test]
async fn least_recently_used_issuers_are_evicted() {
    let a = TestProvider::builder().issuer_path("/a").start().await;
    let b = TestProvider::builder().issuer_path("/b").start().await;
    let c = TestProvider::builder().issuer_path("/c").start().await;
    let cache = real_cache().max_issuers(2).build();

    cache.configuration(&a.issuer()).await.unwrap();
    cache.configuration(&b.issuer()).await.unwrap();
    cache.configuration(&a.issuer()).await.unwrap(); // a is now the most recent
    cache.configuration(&c.issuer()).await.unwrap(); // evicts b
    assert_eq!(cache.len(), 2);
    assert!(cache.contains(&a.issuer()));
    assert!(!cache.contains(&b.issuer()));
    assert!(cache.contains(&c.issuer()));

    cache.configuration(&a.issuer()).await.unwrap();
    assert_eq!(a.request_count(Endpoint::Discovery), 1, "a stayed cached");
    cache.configuration(&b.issuer()).await.unwrap(); // evicts c
    assert_eq!(
        b.request_count(Endpoint::Discovery),
        2,
        "b was loaded again"
    );
    assert!(!cache.contains(&c.issuer()));
    assert_eq!(cache.len(), 2);

    assert!(cache.invalidate(&a.issuer()));
    assert!(!cache.invalidate(&a.issuer()));
    cache.configuration(&a.issuer()).await.unwrap();
    assert_eq!(a.request_count(Endpoint::Discovery), 2);
    cache.clear();
    assert!(cache.is_empty());
}

#[tokio::test]
async fn malformed_issuers_never_evict_good_entries() {
    let provider = TestProvider::start().await;
    let cache = real_cache().max_issuers(1).build();
    cache.configuration(&provider.issuer()).await.unwrap();

    for bogus in [
        "not a url",
        "https://op.example/?tenant=a",
        "ftp://op.example",
    ] {
        let error = cache.configuration(bogus).await.unwrap_err();
        assert!(
            matches!(*error, DiscoveryError::InvalidIssuer { .. }),
            "{bogus}: {error}"
        );
        assert!(cache.jwks(bogus).await.is_err());
        assert!(cache.key(bogus, "kid").await.is_err());
    }
    assert!(cache.contains(&provider.issuer()));
    assert_eq!(cache.len(), 1);
    cache.configuration(&provider.issuer()).await.unwrap();
    assert_eq!(provider.request_count(Endpoint::Discovery), 1);
}

#[tokio::test]
async fn a_cached_configuration_is_provider_metadata_for_registration() {
    let provider = TestProvider::start().await;
    let cache = real_cache().build();
    let configuration = cache.configuration(&provider.issuer()).await.unwrap();
    // `register` and the management calls take `&ProviderMetadata`.
    let metadata: &oidc_types::ProviderMetadata = &configuration.metadata;
    assert_eq!(
        metadata.registration_endpoint.as_deref(),
        Some(provider.registration_endpoint().as_str())
    );
}
