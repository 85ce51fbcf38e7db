//! Counters of a provider cache (`oidc-discovery`'s `ProviderCache`): hits, misses, refreshes,
//! refresh failures and evictions, in the `oidc_<name>_total` scheme of the operations.

use std::fmt;
use std::sync::Arc;

use metrics::{counter, Key, Label, Level, Metadata, SharedString};

use crate::keys::issuer_key;
use crate::span::shared_issuer_label;

/// What a cache event is about: the provider's configuration or its key set. It is the value of
/// the `document` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CachedDocument {
    /// The provider configuration (discovery document).
    Configuration,
    /// The provider's JWK set.
    Jwks,
    /// A protected resource's metadata (RFC 9728), kept by
    /// `ProviderCache::resource_metadata`.
    ResourceMetadata,
}

impl CachedDocument {
    /// The `document` label value: `configuration`, `jwks` or `resource_metadata`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Configuration => "configuration",
            Self::Jwks => "jwks",
            Self::ResourceMetadata => "resource_metadata",
        }
    }
}

impl fmt::Display for CachedDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A provider cache event; [`metric`](Self::metric) is the name of its counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CacheEvent {
    /// A lookup was answered from the cache (possibly with a stale value while refreshes fail).
    Hit,
    /// A lookup found nothing cached and had to wait for a load.
    Miss,
    /// The cache fetched a document again for a value it already held: a background refresh,
    /// a refetch for an unknown key id, or a reload after `jwks_uri` changed.
    Refresh,
    /// Such a refresh failed; the last good value is kept.
    RefreshFailure,
    /// An issuer was dropped to stay within the cache's size limit.
    Eviction,
}

impl CacheEvent {
    /// Every event.
    pub const ALL: [CacheEvent; 5] = [
        Self::Hit,
        Self::Miss,
        Self::Refresh,
        Self::RefreshFailure,
        Self::Eviction,
    ];

    /// The counter's name, e.g. `oidc_provider_cache_hit_total`.
    pub fn metric(self) -> &'static str {
        match self {
            Self::Hit => "oidc_provider_cache_hit_total",
            Self::Miss => "oidc_provider_cache_miss_total",
            Self::Refresh => "oidc_provider_cache_refresh_total",
            Self::RefreshFailure => "oidc_provider_cache_refresh_failure_total",
            Self::Eviction => "oidc_provider_cache_eviction_total",
        }
    }
}

impl fmt::Display for CacheEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.metric())
    }
}

/// Records the cache events of one issuer.
///
/// The `issuer` label is computed once (see [`issuer_label`](crate::issuer_label)) and shared,
/// and the hit counters' keys are built once too, so recording a hit (on every lookup) builds
/// and allocates nothing.
///
/// ```
/// use oidc_telemetry::{CacheTelemetry, CachedDocument};
///
/// let telemetry = CacheTelemetry::new("https://op.example");
/// telemetry.hit(CachedDocument::Configuration);
/// telemetry.refresh_failure(CachedDocument::Jwks, "timeout");
/// ```
#[derive(Clone)]
pub struct CacheTelemetry {
    issuer: SharedString,
    /// The hit counters' keys, built once per issuer: a hit is recorded on every lookup, and
    /// building its key there (a label vector, its hash) cost a third of a warm lookup.
    hits: Arc<HitKeys>,
}

/// The key of `oidc_provider_cache_hit_total{issuer, document}` for each document.
struct HitKeys {
    configuration: Key,
    jwks: Key,
    resource_metadata: Key,
}

impl HitKeys {
    fn new(issuer: &SharedString) -> Self {
        let key = |document: CachedDocument| {
            issuer_key(
                CacheEvent::Hit.metric(),
                issuer,
                Some(Label::new("document", document.as_str())),
            )
        };
        Self {
            configuration: key(CachedDocument::Configuration),
            jwks: key(CachedDocument::Jwks),
            resource_metadata: key(CachedDocument::ResourceMetadata),
        }
    }

    fn of(&self, document: CachedDocument) -> &Key {
        match document {
            CachedDocument::Configuration => &self.configuration,
            CachedDocument::Jwks => &self.jwks,
            CachedDocument::ResourceMetadata => &self.resource_metadata,
        }
    }
}

/// What `counter!` would give the hit counter: this module as target and path, level INFO.
static HIT_METADATA: Metadata<'static> =
    Metadata::new(module_path!(), Level::INFO, Some(module_path!()));

impl fmt::Debug for CacheTelemetry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CacheTelemetry")
            .field("issuer", &&*self.issuer)
            .finish()
    }
}

impl CacheTelemetry {
    /// Telemetry for the cache entry of `issuer`.
    pub fn new(issuer: &str) -> Self {
        let issuer = shared_issuer_label(issuer);
        let hits = Arc::new(HitKeys::new(&issuer));
        Self { issuer, hits }
    }

    /// `oidc_provider_cache_hit_total{issuer, document}` + 1.
    pub fn hit(&self, document: CachedDocument) {
        // What `counter!` does, with the key built in `new`: the installed recorder (a local
        // one first, as for every metric of the workspace) registers it and counts.
        metrics::with_recorder(|recorder| {
            recorder
                .register_counter(self.hits.of(document), &HIT_METADATA)
                .increment(1);
        });
        #[cfg(feature = "tracing")]
        tracing::trace!(
            issuer = &*self.issuer,
            document = document.as_str(),
            "oidc cache hit"
        );
    }

    /// `oidc_provider_cache_miss_total{issuer, document}` + 1.
    pub fn miss(&self, document: CachedDocument) {
        self.document_event(CacheEvent::Miss, document);
        #[cfg(feature = "tracing")]
        tracing::debug!(
            issuer = &*self.issuer,
            document = document.as_str(),
            "oidc cache miss"
        );
    }

    /// `oidc_provider_cache_refresh_total{issuer, document}` + 1.
    pub fn refresh(&self, document: CachedDocument) {
        self.document_event(CacheEvent::Refresh, document);
        #[cfg(feature = "tracing")]
        tracing::debug!(
            issuer = &*self.issuer,
            document = document.as_str(),
            "oidc cache refresh"
        );
    }

    /// `oidc_provider_cache_refresh_failure_total{issuer, document, error}` + 1, where `kind` is
    /// a bounded error kind (see [`TelemetryErrorKind`](crate::TelemetryErrorKind)).
    pub fn refresh_failure(&self, document: CachedDocument, kind: &'static str) {
        counter!(
            CacheEvent::RefreshFailure.metric(),
            "issuer" => self.issuer.clone(),
            "document" => document.as_str(),
            "error" => kind
        )
        .increment(1);
        #[cfg(feature = "tracing")]
        tracing::warn!(
            issuer = &*self.issuer,
            document = document.as_str(),
            error = kind,
            "oidc cache refresh failed; serving the last good document"
        );
    }

    /// `oidc_provider_cache_eviction_total{issuer}` + 1.
    pub fn eviction(&self) {
        counter!(CacheEvent::Eviction.metric(), "issuer" => self.issuer.clone()).increment(1);
        #[cfg(feature = "tracing")]
        tracing::debug!(issuer = &*self.issuer, "oidc cache eviction");
    }

    fn document_event(&self, event: CacheEvent, document: CachedDocument) {
        counter!(
            event.metric(),
            "issuer" => self.issuer.clone(),
            "document" => document.as_str()
        )
        .increment(1);
    }
}

#[cfg(test)]
mod tests {
    use metrics_util::debugging::{DebugValue, DebuggingRecorder};

    use super::*;

    type Recorded = (String, Vec<(String, String)>, DebugValue);

    #[test]
    fn names_follow_the_scheme() {
        for event in CacheEvent::ALL {
            let name = event.metric();
            assert!(name.starts_with("oidc_provider_cache_"), "{name}");
            assert!(name.ends_with("_total"), "{name}");
        }
    }

    #[test]
    fn events_carry_issuer_document_and_error_labels() {
        let recorder = DebuggingRecorder::new();
        let snapshotter = recorder.snapshotter();
        metrics::with_local_recorder(&recorder, || {
            let telemetry = CacheTelemetry::new("https://user:pw@op.example/t?x=1");
            telemetry.hit(CachedDocument::Configuration);
            telemetry.hit(CachedDocument::Configuration);
            telemetry.miss(CachedDocument::Jwks);
            telemetry.refresh(CachedDocument::Jwks);
            telemetry.refresh_failure(CachedDocument::Configuration, "timeout");
            telemetry.eviction();
        });
        let mut found: Vec<Recorded> = snapshotter
            .snapshot()
            .into_vec()
            .into_iter()
            .map(|(key, _, _, value)| {
                let labels = key
                    .key()
                    .labels()
                    .map(|l| (l.key().to_owned(), l.value().to_owned()))
                    .collect();
                (key.key().name().to_owned(), labels, value)
            })
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        let issuer = ("issuer".to_owned(), "https://op.example/t".to_owned());
        let doc = |d: &str| ("document".to_owned(), d.to_owned());
        assert_eq!(
            found,
            vec![
                (
                    "oidc_provider_cache_eviction_total".to_owned(),
                    vec![issuer.clone()],
                    DebugValue::Counter(1)
                ),
                (
                    "oidc_provider_cache_hit_total".to_owned(),
                    vec![issuer.clone(), doc("configuration")],
                    DebugValue::Counter(2)
                ),
                (
                    "oidc_provider_cache_miss_total".to_owned(),
                    vec![issuer.clone(), doc("jwks")],
                    DebugValue::Counter(1)
                ),
                (
                    "oidc_provider_cache_refresh_failure_total".to_owned(),
                    vec![
                        issuer.clone(),
                        doc("configuration"),
                        ("error".to_owned(), "timeout".to_owned())
                    ],
                    DebugValue::Counter(1)
                ),
                (
                    "oidc_provider_cache_refresh_total".to_owned(),
                    vec![issuer, doc("jwks")],
                    DebugValue::Counter(1)
                ),
            ]
        );
    }
}
