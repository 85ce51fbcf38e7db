//! Telemetry for OpenID Connect operations: `start`, `stop` and `exception` events, emitted as
//! counters and a duration histogram through the [`metrics`] facade.
//!
//! Every operation of the `oidc-*` crates (loading a provider configuration, loading a key set,
//! registering a client, and reading, updating or deleting a registration) runs inside an
//! [`OperationSpan`]. Nothing is recorded until the application installs a `metrics` recorder
//! (for example `metrics-exporter-prometheus`); without one the calls are no-ops.
//!
//! # Metrics
//!
//! For each [`Operation`] (`load_configuration`, `load_jwks`, `register_client`, `read_client`,
//! `update_client`, `delete_client`, `load_resource_metadata`, `load_client_metadata_document`):
//!
//! | metric | kind | labels | when |
//! |---|---|---|---|
//! | `oidc_<operation>_start_total` | counter | `issuer` | the operation starts |
//! | `oidc_<operation>_stop_total` | counter | `issuer`, `outcome` (`ok`/`error`), `error` (only on errors) | the operation returns |
//! | `oidc_<operation>_exception_total` | counter | `issuer`, `reason` (`cancelled`/`panic`) | its future is dropped before it finished, or it panicked |
//! | `oidc_<operation>_duration_seconds` | histogram | `issuer`, `outcome` (`ok`/`error`/`exception`) | with `stop` and `exception` |
//!
//! A provider cache (`oidc-discovery`'s `ProviderCache`) adds, through [`CacheTelemetry`]:
//!
//! | metric | kind | labels | when |
//! |---|---|---|---|
//! | `oidc_provider_cache_hit_total` | counter | `issuer`, `document` (`configuration`/`jwks`) | a lookup is answered from the cache |
//! | `oidc_provider_cache_miss_total` | counter | `issuer`, `document` | a lookup finds nothing cached and waits for a load |
//! | `oidc_provider_cache_refresh_total` | counter | `issuer`, `document` | a cached document is fetched again (background refresh, unknown `kid`, changed `jwks_uri`) |
//! | `oidc_provider_cache_refresh_failure_total` | counter | `issuer`, `document`, `error` | such a fetch fails; the last good value is still served |
//! | `oidc_provider_cache_eviction_total` | counter | `issuer` | an issuer is evicted to stay within the size limit |
//!
//! The loads behind misses and refreshes still emit the `load_configuration` / `load_jwks`
//! operation metrics above.
//!
//! The `error` label is a short, bounded kind such as `provider_error` or `timeout` (see the
//! error types of the crates that emit it). Label values never carry a secret or an unbounded
//! value: no client ids, no URL paths beyond the issuer, no tokens. The issuer label drops any
//! user-info, query or fragment part of the issuer.
//!
//! The keys an operation records when it succeeds (`start`, `stop` with `outcome="ok"`, the
//! duration) are built the first time an issuer is seen and reused, for up to 256 issuers per
//! operation; later issuers get keys built per call. So an operation allocates nothing for its
//! metrics on the common path, and callers that pass arbitrary issuers cost bounded memory.
//!
//! # Example
//!
//! ```
//! use oidc_telemetry::{instrument, Operation, TelemetryErrorKind};
//!
//! #[derive(Debug)]
//! struct Timeout;
//! impl TelemetryErrorKind for Timeout {
//!     fn telemetry_kind(&self) -> &'static str {
//!         "timeout"
//!     }
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let result: Result<u32, Timeout> =
//!     instrument(Operation::LoadJwks, "https://op.example", async { Ok(7) }).await;
//! assert_eq!(result.unwrap(), 7);
//! # });
//! ```
//!
//! This crate does not export metrics anywhere; pick an exporter in the application.
//!
//! # A handler of your own
//!
//! The same events, with the measurements Erlang/Elixir's `oidcc` gives its
//! `[:oidcc, :<operation>, :start | :stop | :exception]` telemetry events (`system_time` and
//! `monotonic_time` at start, `duration` and `monotonic_time` at stop and exception, the
//! `issuer` as metadata), go to one [`TelemetryHandler`] attached with [`set_handler`]: for
//! logging, tracing or auditing without the `metrics` crate. [`TelemetryEvent`] says how each
//! maps to the metric names above. Without one, [`NoopHandler`] is in force.
//!
//! # `tracing`
//!
//! With the `tracing` cargo feature, every operation also runs in an `INFO` span named `oidc`
//! (fields `operation` and `issuer`, never a secret, a client id or a URL path), with a `DEBUG`
//! event when it finishes (`outcome`), an `INFO` event when it fails (`outcome`, `error` kind)
//! and a `WARN` event when it panics; the provider cache logs a failed refresh at `WARN`, misses,
//! refreshes and evictions at `DEBUG`, and hits at `TRACE`. Without the feature nothing of
//! `tracing` is compiled in.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
// Provider data must never panic library code: fallible access goes through `get`, `?` and
// iterators; the few `allow`s say which invariant makes them safe. Tests may still unwrap.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#![warn(missing_debug_implementations)]

mod cache;
mod handler;
mod keys;
mod operation;
mod span;

pub use cache::{CacheEvent, CacheTelemetry, CachedDocument};
pub use handler::{
    set_handler, EventKind, HandlerAlreadySet, NoopHandler, TelemetryEvent, TelemetryHandler,
};
pub use operation::Operation;
pub use span::{instrument, issuer_label, OperationSpan, TelemetryErrorKind};
