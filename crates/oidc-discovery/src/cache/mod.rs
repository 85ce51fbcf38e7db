//! A cache of provider configurations and key sets for many issuers: [`ProviderCache`].
//!
//! The lifecycle of an entry is documented on [`ProviderCache`] (this module is private).
//! Inside: `slot` holds one document of one issuer and its single-flight rules, `refresher` is
//! the background task, `options` the settings and the retry backoff.

mod options;
mod refresher;
mod slot;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use oidc_telemetry::{CacheTelemetry, CachedDocument, TelemetryErrorKind};
use oidc_types::Jwk;
use tokio::sync::Notify;
use tokio::task::AbortHandle;
use tokio::time::Instant;

pub use options::{Backoff, ProviderCacheOptions};

use self::slot::{lock, Fetched, Outcome, Shared, Slot};
use crate::configuration::load_configuration_labelled;
use crate::resource::{load_resource_metadata_labelled, origin_label};
use crate::{
    load_provider_jwks, DiscoveryError, DiscoveryOptions, Jwks, ProviderConfiguration,
    ResourceConfiguration,
};

/// The `issuer` label of the telemetry of every issuer (and resource) that has not loaded
/// yet: see "Telemetry" on [`ProviderCache`].
const UNLOADED_LABEL: &str = "unloaded";

/// Provider configurations and key sets for many issuers, loaded once, refreshed in the
/// background and shared.
///
/// Cloning is cheap (the clones share one cache) and the cache is `Send + Sync`: build one at
/// start-up and hand clones to every task. Errors are shared by everyone who waited for the
/// same load, hence `Arc<DiscoveryError>` (which is an [`Error`](std::error::Error) too).
///
/// The configuration goes wherever a `&ProviderMetadata` is needed, for example to
/// `oidc-registration`'s `register` and its management calls:
/// `register(&configuration.metadata, &client, &options)`.
///
/// # Lifecycle of an entry
///
/// 1. **First lookup.** [`ProviderCache::configuration`] for an issuer that is not cached loads
///    its configuration with [`load_configuration`](crate::load_configuration). Concurrent
///    lookups for that issuer wait for the same load: one request, however many callers (single
///    flight). A failed load is returned to everyone who waited for it and is not kept: the next
///    lookup tries again, and lookups that race that failure all join that one next load
///    (still one request). [`ProviderCache::jwks`] does the same for the key set named by the
///    configuration's `jwks_uri`.
/// 2. **Refresh ahead.** A loaded document is kept for the lifetime its `Cache-Control` header
///    gives, clamped by the [`ExpiryPolicy`](crate::ExpiryPolicy) of
///    [`ProviderCacheOptions::discovery`] (its `minimum` is the floor, its `maximum` the
///    ceiling). When [`ProviderCacheOptions::refresh_ahead`] of that lifetime has passed, the
///    cache's background task loads it again; lookups are served from the cache meanwhile.
/// 3. **Failures.** While refreshes fail, lookups keep getting the last good value (also after
///    it expired: `ProviderConfiguration::is_expired` tells), and the refresh is retried after
///    the delays of [`ProviderCacheOptions::backoff`]. Each failure is counted in
///    `oidc_provider_cache_refresh_failure_total`. A refresh that never finishes because its
///    job panicked (a bug in a custom `HttpClient`, say) or its runtime shut down is treated the
///    same way: put back on the schedule after the backoff delay, never dropped from it.
/// 4. **Key rotation.** When a refreshed configuration names another `jwks_uri`, the key set is
///    reloaded from the new URI at once. [`ProviderCache::key`] with a `kid` that is not in the
///    cached set refetches the set (one request for all concurrent callers), unless the set was
///    fetched less than [`ProviderCacheOptions::kid_refetch_interval`] ago, and then answers.
///    The same pace holds while the first key set load keeps failing: within the interval,
///    `key` answers with that load's error without another request (`jwks` still tries again).
///    That refetch is bounded by [`ProviderCacheOptions::kid_refetch_timeout`], waiting for a
///    fetch already in progress included.
/// 5. **Eviction.** At most [`ProviderCacheOptions::max_issuers`] loaded issuers are kept;
///    when one more loads, the least recently used is evicted. Issuers whose first load is in
///    progress are bounded apart, by [`ProviderCacheOptions::max_pending_loads`]: they never
///    evict a loaded issuer, and a lookup that would start one more first load fails at once
///    with [`DiscoveryError::TooManyPendingLoads`]. So a burst of lookups for issuers that never
///    answer cannot push the good ones out. [`ProviderCache::invalidate`] drops one issuer.
/// 6. **Drop.** Dropping the last clone of a cache aborts its background task and every refresh
///    in progress: no task, timer or connection attempt outlives the cache.
///
/// The background task is started by the first lookup, on that lookup's Tokio runtime (current
/// thread or multi-thread), and restarted by a later lookup if that runtime has shut down. It is
/// one task with one timer for the whole cache, not one per issuer.
///
/// # Telemetry
///
/// `oidc_provider_cache_{hit,miss,refresh,refresh_failure,eviction}_total`, labelled `issuer`
/// (and `document`, plus `error` for failures); see the `oidc-telemetry` crate. The loads
/// themselves still emit `load_configuration` and `load_jwks` metrics.
///
/// Callers may pass any issuer, so an issuer becomes a label value only once its
/// configuration has loaded (or when it is one of
/// [`ProviderCacheOptions::known_issuers`]). Until then its events, and those of its
/// `load_configuration`, are counted under the one shared label `issuer="unloaded"`: the
/// first miss, and every failed first load. A flood of made-up issuers adds no series, and
/// the number of label values stays at most the issuers that ever loaded. The same holds for
/// [`ProviderCache::resource_metadata`]: a resource's origin becomes a label once its metadata
/// has loaded.
///
/// # Example
///
/// ```no_run
/// use std::time::Duration;
/// use oidc_discovery::{Backoff, ProviderCache};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let cache = ProviderCache::builder()
///     .max_issuers(16)
///     .backoff(Backoff::Exponential {
///         min: Duration::from_secs(1),
///         max: Duration::from_secs(60),
///     })
///     .build();
///
/// let configuration = cache.configuration("https://accounts.example.com").await?;
/// let provider = &configuration.metadata; // what `register` takes
/// println!("registration endpoint: {:?}", provider.registration_endpoint);
///
/// // The key that signed a token, refetching the key set once if the kid is new.
/// let key = cache.key("https://accounts.example.com", "2024-05-key").await?;
/// println!("known key: {}", key.is_some());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ProviderCache {
    inner: Arc<Inner>,
}

/// The state shared by the clones of a cache. Its background task holds only a `Weak` to it.
struct Inner {
    options: Arc<ProviderCacheOptions>,
    entries: Mutex<Entries>,
    /// Wakes the background task when a new refresh deadline is set.
    wake: Arc<Notify>,
    /// The background task, started by the first lookup.
    refresher: Mutex<Option<AbortHandle>>,
    /// Protected resources' metadata, by resource: see [`ProviderCache::resource_metadata`].
    resources: Mutex<HashMap<String, Arc<ResourceConfiguration>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Stop the background task now rather than at its next wake-up, which may be hours
        // away: its timer and any refresh in flight go with it.
        let refresher = self
            .refresher
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(task) = refresher.take() {
            task.abort();
        }
    }
}

/// The issuers, with a use counter for least-recently-used eviction.
#[derive(Default)]
struct Entries {
    map: HashMap<String, Tracked>,
    /// Incremented on every use; an entry's `used` is the value at its last use.
    clock: u64,
}

impl Entries {
    /// The entries whose first load is in progress. A linear scan: the cache holds tens of
    /// issuers, and this runs only when one is added.
    fn pending(&self) -> usize {
        self.map.values().filter(|tracked| !tracked.loaded).count()
    }
}

struct Tracked {
    entry: Arc<Entry>,
    used: u64,
    /// Whether its configuration has loaded: then it counts against `max_issuers`, else
    /// against `max_pending_loads`.
    loaded: bool,
}

/// One issuer's documents.
#[derive(Debug)]
struct Entry {
    issuer: String,
    /// Its telemetry under its own label, set once its configuration has loaded (or from the
    /// start for a known issuer); see [`Entry::telemetry`].
    labelled: OnceLock<CacheTelemetry>,
    configuration: Slot<ProviderConfiguration>,
    jwks: Slot<Jwks>,
}

/// A refresh handed to the background task.
struct Job {
    entry: Arc<Entry>,
    document: CachedDocument,
    options: Arc<ProviderCacheOptions>,
}

impl fmt::Debug for ProviderCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderCache")
            .field("issuers", &self.len())
            .field("options", &self.inner.options)
            .finish_non_exhaustive()
    }
}

impl Default for ProviderCache {
    fn default() -> Self {
        Self::new(ProviderCacheOptions::default())
    }
}

impl ProviderCache {
    /// A cache with these settings. Needs no runtime; see [`ProviderCacheOptions::build`].
    pub fn new(options: ProviderCacheOptions) -> Self {
        let mut options = options;
        options.discovery = options.effective_discovery();
        Self {
            inner: Arc::new(Inner {
                options: Arc::new(options),
                entries: Mutex::new(Entries::default()),
                wake: Arc::new(Notify::new()),
                refresher: Mutex::new(None),
                resources: Mutex::default(),
            }),
        }
    }

    /// The default settings, to adjust and [`build`](ProviderCacheOptions::build).
    pub fn builder() -> ProviderCacheOptions {
        ProviderCacheOptions::default()
    }

    /// The settings in use (with the default load time limit filled in).
    pub fn options(&self) -> &ProviderCacheOptions {
        &self.inner.options
    }

    /// The configuration of `issuer`: cached, or loaded now (once for all concurrent callers).
    ///
    /// While background refreshes fail this is the last good configuration, even past its
    /// expiry.
    ///
    /// # Errors
    ///
    /// The [`load_configuration`](crate::load_configuration) error of the load this call waited
    /// for. Errors are not cached: the next call loads again.
    pub async fn configuration(
        &self,
        issuer: &str,
    ) -> Result<Arc<ProviderConfiguration>, Arc<DiscoveryError>> {
        self.ensure_refresher();
        let (_, configuration) = self.loaded(self.checked_entry(issuer)?).await?;
        Ok(configuration)
    }

    /// The key set of `issuer`, from its configuration's `jwks_uri`: cached, or loaded now (once
    /// for all concurrent callers). Looks the configuration up first, as
    /// [`configuration`](Self::configuration) does.
    ///
    /// # Errors
    ///
    /// As [`configuration`](Self::configuration), or the
    /// [`load_provider_jwks`](crate::load_provider_jwks) error (such as
    /// [`DiscoveryError::NoJwksUri`]).
    pub async fn jwks(&self, issuer: &str) -> Result<Arc<Jwks>, Arc<DiscoveryError>> {
        self.ensure_refresher();
        let (entry, configuration) = self.loaded(self.checked_entry(issuer)?).await?;
        self.jwks_of(&entry, &configuration).await
    }

    /// The key of `issuer` with this `kid`.
    ///
    /// When the cached key set has no such key, the set is fetched again (one request for all
    /// concurrent callers) unless it was fetched less than
    /// [`kid_refetch_interval`](ProviderCacheOptions::kid_refetch_interval) ago; then the
    /// answer comes from the set as it is. `Ok(None)`: the provider has no such key.
    ///
    /// The refetch, including any wait for a fetch of the set already in progress, is bounded
    /// by [`kid_refetch_timeout`](ProviderCacheOptions::kid_refetch_timeout): a lookup does
    /// not wait behind a background refresh stuck on a provider that does not answer.
    ///
    /// # Errors
    ///
    /// As [`jwks`](Self::jwks), the error of the refetch, or
    /// [`DiscoveryError::KeyRefetchTimeout`].
    pub async fn key(&self, issuer: &str, kid: &str) -> Result<Option<Jwk>, Arc<DiscoveryError>> {
        self.ensure_refresher();
        let (entry, configuration) = self.loaded(self.checked_entry(issuer)?).await?;
        // The refetch pace holds before the first key set too: while its load keeps failing,
        // unknown `kid`s (each lookup is one, with no set yet) wait out the interval.
        if let Some(error) = entry
            .jwks
            .recent_failure(self.inner.options.kid_refetch_interval)
        {
            return Err(error);
        }
        let jwks = self.jwks_of(&entry, &configuration).await?;
        if let Some(key) = jwks.find(kid) {
            return Ok(Some(key.clone()));
        }
        // The set may have changed since it was read; look again before fetching.
        let snapshot = entry.jwks.snapshot();
        if let Some(key) = snapshot.value.as_deref().and_then(|jwks| jwks.find(kid)) {
            return Ok(Some(key.clone()));
        }
        // The newest configuration names the URI to fetch from.
        let configuration = entry.configuration.value().unwrap_or(configuration);
        let options = &self.inner.options;
        let refetch = entry.jwks.refetch(
            snapshot.generation,
            options.kid_refetch_interval,
            options,
            || fetch_jwks(&configuration, &options.discovery),
        );
        // Bounded as a whole: waiting for a fetch in progress (the refetch is single flight
        // with background refreshes) counts too. Giving up is cancel-safe: a fetch of this
        // caller's own is dropped and releases the slot.
        let Ok(outcome) = tokio::time::timeout(options.kid_refetch_timeout, refetch).await else {
            return Err(Arc::new(DiscoveryError::KeyRefetchTimeout {
                issuer: oidc_http::redact_url(&entry.issuer),
                timeout: options.kid_refetch_timeout,
            }));
        };
        let jwks = match outcome {
            Outcome::Fetched(result) => {
                entry.record_refresh(CachedDocument::Jwks, &result);
                self.inner.wake.notify_one();
                Some(result?)
            }
            Outcome::Joined(result) => Some(result?),
            Outcome::Skipped(value) => value,
        };
        Ok(jwks.and_then(|jwks| jwks.find(kid).cloned()))
    }

    /// The metadata of the protected resource `resource` (RFC 9728), from its well-known
    /// location ([`load_resource_metadata`](crate::load_resource_metadata) with
    /// [`ProviderCacheOptions::discovery`]): cached until it expires, loaded again after.
    ///
    /// A smaller cache than the providers' one, kept beside it: no background refresh, no
    /// single flight (concurrent first lookups may each load), and no stale value served while
    /// loads fail. It holds at most [`max_issuers`](ProviderCacheOptions::max_issuers)
    /// resources, dropping the one fetched longest ago for a new one. Lookups count as
    /// `oidc_provider_cache_{hit,miss}_total` with `document="resource_metadata"`, labelled
    /// with the resource's origin once its metadata has loaded, `"unloaded"` before.
    ///
    /// # Errors
    ///
    /// The [`load_resource_metadata`](crate::load_resource_metadata) error; not cached.
    pub async fn resource_metadata(
        &self,
        resource: &str,
    ) -> Result<Arc<ResourceConfiguration>, Arc<DiscoveryError>> {
        let cached = lock(&self.inner.resources).get(resource).cloned();
        // Its origin is a label once its metadata has loaded (it is, or was, cached).
        let label = match &cached {
            Some(_) => origin_label(resource),
            None => UNLOADED_LABEL.to_owned(),
        };
        let telemetry = CacheTelemetry::new(&label);
        if let Some(cached) = cached.filter(|cached| !cached.is_expired()) {
            telemetry.hit(CachedDocument::ResourceMetadata);
            return Ok(cached);
        }
        telemetry.miss(CachedDocument::ResourceMetadata);
        let loaded = Arc::new(
            load_resource_metadata_labelled(resource, &label, &self.inner.options.discovery)
                .await
                .map_err(Arc::new)?,
        );
        let mut resources = lock(&self.inner.resources);
        let bound = self.inner.options.capacity();
        while resources.len() >= bound && !resources.contains_key(resource) {
            let Some(oldest) = resources
                .iter()
                .min_by_key(|(_, cached)| cached.fetched_at)
                .map(|(key, _)| key.clone())
            else {
                break;
            };
            resources.remove(&oldest);
        }
        resources.insert(resource.to_owned(), Arc::clone(&loaded));
        Ok(loaded)
    }

    /// Forgets the metadata of `resource`; returns whether it was cached.
    pub fn invalidate_resource(&self, resource: &str) -> bool {
        lock(&self.inner.resources).remove(resource).is_some()
    }

    /// Forgets `issuer`: the next lookup loads it again. Returns whether it was cached. A load
    /// or refresh in progress for it finishes, but its result is not kept.
    pub fn invalidate(&self, issuer: &str) -> bool {
        lock(&self.inner.entries).map.remove(issuer).is_some()
    }

    /// Forgets every issuer.
    pub fn clear(&self) {
        lock(&self.inner.entries).map.clear();
    }

    /// The number of issuers cached, including any whose first load is in progress: at most
    /// [`max_issuers`](ProviderCacheOptions::max_issuers) +
    /// [`max_pending_loads`](ProviderCacheOptions::max_pending_loads).
    pub fn len(&self) -> usize {
        lock(&self.inner.entries).map.len()
    }

    /// Whether no issuer is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `issuer` is cached.
    pub fn contains(&self, issuer: &str) -> bool {
        lock(&self.inner.entries).map.contains_key(issuer)
    }

    /// The entry of a well-formed issuer. Checked before the entry exists, so a flood of
    /// malformed issuers cannot evict the good ones.
    ///
    /// The map is keyed by the issuer exactly as given, and only checked issuers get in: a
    /// cached one is found without parsing it again (most of a warm lookup's cost, else).
    fn checked_entry(&self, issuer: &str) -> Result<Arc<Entry>, Arc<DiscoveryError>> {
        if let Some(entry) = self.inner.cached_entry(issuer) {
            return Ok(entry);
        }
        crate::configuration::check_issuer(issuer).map_err(Arc::new)?;
        self.inner.entry(issuer).map_err(Arc::new)
    }

    /// Starts the background task unless it runs; needs to be inside a Tokio runtime (without
    /// one, there is simply no background refresh).
    fn ensure_refresher(&self) {
        let mut refresher = lock(&self.inner.refresher);
        if refresher.as_ref().is_some_and(|task| !task.is_finished()) {
            return;
        }
        // A finished task means its runtime shut down: start again on the current one.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let task = runtime.spawn(refresher::run(
            Arc::downgrade(&self.inner),
            Arc::clone(&self.inner.wake),
        ));
        *refresher = Some(task.abort_handle());
    }

    /// `entry` (or, if its first load failed meanwhile, the issuer's new entry) with its
    /// configuration: cached, or loaded now.
    async fn loaded(
        &self,
        entry: Arc<Entry>,
    ) -> Result<(Arc<Entry>, Arc<ProviderConfiguration>), Arc<DiscoveryError>> {
        let mut entry = entry;
        loop {
            match self.configuration_of(&entry).await {
                Some(result) => return result.map(|configuration| (entry, configuration)),
                // Its first load failed after this caller took the entry (or the entry was
                // reclaimed as idle), and the entry is being forgotten: the next load goes
                // through the issuer's entry in the map, shared with every other caller. Each
                // turn follows a completed failed load or a reclaim, so this does not spin.
                None => {
                    self.inner.forget_if_unloaded(&entry);
                    entry = self.checked_entry(&entry.issuer)?;
                }
            }
        }
    }

    /// The configuration of `entry`; `None` when the entry was closed by a failed first load
    /// this caller did not wait for.
    async fn configuration_of(
        &self,
        entry: &Arc<Entry>,
    ) -> Option<Result<Arc<ProviderConfiguration>, Arc<DiscoveryError>>> {
        let snapshot = entry.configuration.snapshot();
        if let Some(configuration) = snapshot.value {
            entry.telemetry().hit(CachedDocument::Configuration);
            return Some(Ok(configuration));
        }
        entry.telemetry().miss(CachedDocument::Configuration);
        let options = &self.inner.options;
        let result = entry
            .configuration
            .load_or_close(snapshot.generation, options, || {
                fetch_configuration(entry, &options.discovery)
            })
            .await?;
        match &result {
            Ok(_) => {
                entry.label_as_loaded();
                self.inner.mark_loaded(entry);
                // A new refresh deadline for the background task.
                self.inner.wake.notify_one();
            }
            // Do not keep an issuer that never loaded: it would take a place in the cache.
            Err(_) => self.inner.forget_if_unloaded(entry),
        }
        Some(result)
    }

    async fn jwks_of(
        &self,
        entry: &Arc<Entry>,
        configuration: &ProviderConfiguration,
    ) -> Result<Arc<Jwks>, Arc<DiscoveryError>> {
        let snapshot = entry.jwks.snapshot();
        if let Some(jwks) = snapshot.value {
            entry.telemetry().hit(CachedDocument::Jwks);
            return Ok(jwks);
        }
        entry.telemetry().miss(CachedDocument::Jwks);
        let options = &self.inner.options;
        let result = entry
            .jwks
            .load(snapshot.generation, options, || {
                fetch_jwks(configuration, &options.discovery)
            })
            .await;
        if result.is_ok() {
            // The configuration may have been refreshed while the keys loaded.
            entry.follow_jwks_uri();
            self.inner.wake.notify_one();
        }
        result
    }
}

async fn fetch_configuration(
    entry: &Entry,
    options: &DiscoveryOptions,
) -> Result<Fetched<ProviderConfiguration>, DiscoveryError> {
    let configuration = load_configuration_labelled(&entry.issuer, entry.label(), options).await?;
    Ok((configuration, None))
}

async fn fetch_jwks(
    configuration: &ProviderConfiguration,
    options: &DiscoveryOptions,
) -> Result<Fetched<Jwks>, DiscoveryError> {
    let jwks = load_provider_jwks(&configuration.metadata, options).await?;
    Ok((jwks, configuration.metadata.jwks_uri.clone()))
}

impl Inner {
    /// The entry of an issuer already in the map, marked as just used.
    fn cached_entry(&self, issuer: &str) -> Option<Arc<Entry>> {
        let mut entries = lock(&self.entries);
        entries.clock = entries.clock.wrapping_add(1);
        let now = entries.clock;
        let tracked = entries.map.get_mut(issuer)?;
        tracked.used = now;
        Some(Arc::clone(&tracked.entry))
    }

    /// The entry of `issuer`, marked as just used; created, as a pending entry, when missing,
    /// unless `max_pending_loads` entries are pending already. Creating one evicts nothing:
    /// see [`mark_loaded`](Self::mark_loaded).
    fn entry(&self, issuer: &str) -> Result<Arc<Entry>, DiscoveryError> {
        let mut entries = lock(&self.entries);
        entries.clock = entries.clock.wrapping_add(1);
        let now = entries.clock;
        if let Some(tracked) = entries.map.get_mut(issuer) {
            tracked.used = now;
            return Ok(Arc::clone(&tracked.entry));
        }
        let limit = self.options.pending_capacity();
        if entries.pending() >= limit {
            // Entries whose first load was abandoned (every caller gave up waiting) hold a
            // place with nothing in flight: reclaim them, or they would hold it for good.
            entries.map.retain(|_, tracked| {
                tracked.loaded || !tracked.entry.configuration.close_if_idle()
            });
        }
        if entries.pending() >= limit {
            return Err(DiscoveryError::TooManyPendingLoads {
                issuer: oidc_http::redact_url(issuer),
                limit,
            });
        }
        let entry = Arc::new(Entry {
            issuer: issuer.to_owned(),
            labelled: OnceLock::new(),
            configuration: Slot::default(),
            jwks: Slot::default(),
        });
        if self
            .options
            .known_issuers
            .iter()
            .any(|known| known == issuer)
        {
            entry.label_as_loaded();
        }
        entries.map.insert(
            issuer.to_owned(),
            Tracked {
                entry: Arc::clone(&entry),
                used: now,
                loaded: false,
            },
        );
        Ok(entry)
    }

    /// Counts `entry`, whose configuration has just loaded, among the loaded issuers (if it is
    /// still the cached entry of its issuer), evicting the least recently used other loaded
    /// issuers beyond `max_issuers`.
    fn mark_loaded(&self, entry: &Arc<Entry>) {
        let mut entries = lock(&self.entries);
        match entries.map.get_mut(&entry.issuer) {
            Some(tracked) if Arc::ptr_eq(&tracked.entry, entry) && !tracked.loaded => {
                tracked.loaded = true;
            }
            _ => return,
        }
        let capacity = self.options.capacity();
        // A linear scan, as in `entry`: it runs once per issuer loaded.
        while entries
            .map
            .values()
            .filter(|tracked| tracked.loaded)
            .count()
            > capacity
        {
            let oldest = entries
                .map
                .iter()
                .filter(|(issuer, tracked)| tracked.loaded && **issuer != entry.issuer)
                .min_by_key(|(_, tracked)| tracked.used)
                .map(|(issuer, _)| issuer.clone());
            let Some(evicted) = oldest.and_then(|oldest| entries.map.remove(&oldest)) else {
                break;
            };
            evicted.entry.telemetry().eviction();
        }
    }

    /// Removes `entry` if it is still the cached entry of its issuer and has no configuration.
    fn forget_if_unloaded(&self, entry: &Arc<Entry>) {
        let mut entries = lock(&self.entries);
        let same = entries
            .map
            .get(&entry.issuer)
            .is_some_and(|tracked| Arc::ptr_eq(&tracked.entry, entry));
        if same && entry.configuration.value().is_none() {
            entries.map.remove(&entry.issuer);
        }
    }

    /// The refreshes due at `now`, each taken off the schedule until it finishes.
    fn take_due(&self, now: Instant) -> Vec<Job> {
        let entries = lock(&self.entries);
        let mut jobs = Vec::new();
        for tracked in entries.map.values() {
            for document in [CachedDocument::Configuration, CachedDocument::Jwks] {
                let due = match document {
                    CachedDocument::Jwks => tracked.entry.jwks.take_due(now),
                    _ => tracked.entry.configuration.take_due(now),
                };
                if due {
                    jobs.push(Job {
                        entry: Arc::clone(&tracked.entry),
                        document,
                        options: Arc::clone(&self.options),
                    });
                }
            }
        }
        jobs
    }

    /// The earliest refresh deadline of all entries.
    fn next_refresh(&self) -> Option<Instant> {
        let entries = lock(&self.entries);
        entries
            .map
            .values()
            .flat_map(|tracked| {
                [
                    tracked.entry.configuration.refresh_at(),
                    tracked.entry.jwks.refresh_at(),
                ]
            })
            .flatten()
            .min()
    }
}

impl Job {
    async fn run(self) {
        let _unfinished = RescheduleOnDrop(&self);
        match self.document {
            CachedDocument::Jwks => self.entry.refresh_jwks(&self.options).await,
            _ => self.entry.refresh_configuration(&self.options).await,
        }
    }
}

/// Puts a job's refresh back on the schedule when the job ends without finishing it: dropped
/// because its runtime shut down or its task was aborted, or unwound by a panic (a drop runs in
/// each case, an `.await` afterwards would not).
struct RescheduleOnDrop<'a>(&'a Job);

impl Drop for RescheduleOnDrop<'_> {
    fn drop(&mut self) {
        let Job {
            entry,
            document,
            options,
        } = self.0;
        match document {
            CachedDocument::Jwks => entry.jwks.reschedule_unfinished(options),
            _ => entry.configuration.reschedule_unfinished(options),
        }
        // No wake-up needed: the refresher recomputes its deadline when a job ends (joined,
        // panicked or not), and one started on a new runtime computes it afresh.
    }
}

impl Entry {
    /// Where its events are counted: under its own label once it has loaded, under the shared
    /// [`UNLOADED_LABEL`] before, so that made-up issuers cannot grow the label set.
    fn telemetry(&self) -> &CacheTelemetry {
        static UNLOADED: OnceLock<CacheTelemetry> = OnceLock::new();
        self.labelled
            .get()
            .unwrap_or_else(|| UNLOADED.get_or_init(|| CacheTelemetry::new(UNLOADED_LABEL)))
    }

    /// The `issuer` label of its loads: as [`telemetry`](Self::telemetry)'s.
    fn label(&self) -> &str {
        if self.labelled.get().is_some() {
            &self.issuer
        } else {
            UNLOADED_LABEL
        }
    }

    /// Gives the issuer its own label from now on (its configuration has loaded).
    fn label_as_loaded(&self) {
        self.labelled
            .get_or_init(|| CacheTelemetry::new(&self.issuer));
    }

    async fn refresh_configuration(&self, options: &ProviderCacheOptions) {
        let refreshed = self
            .configuration
            .refresh(options, || fetch_configuration(self, &options.discovery))
            .await;
        if let Some(result) = refreshed {
            self.record_refresh(CachedDocument::Configuration, &result);
        }
    }

    /// Counts a finished refresh of `document` (and its failure); after a success, follows a
    /// changed `jwks_uri`.
    fn record_refresh<T>(&self, document: CachedDocument, result: &Shared<T>) {
        self.telemetry().refresh(document);
        match result {
            Ok(_) => self.follow_jwks_uri(),
            Err(error) => self
                .telemetry()
                .refresh_failure(document, error.telemetry_kind()),
        }
    }

    /// Keys from a URI the provider no longer names must be replaced now: schedules an
    /// immediate key set refresh when the cached set came from another URI than the cached
    /// configuration names.
    ///
    /// Called after every successful configuration or key set fetch: a configuration refresh
    /// and a key set fetch may run at the same time, and whichever stores its result last sees
    /// the mismatch. Never called after a failed fetch, so a failing new URI is retried with
    /// backoff, not in a loop.
    fn follow_jwks_uri(&self) {
        let Some(configuration) = self.configuration.value() else {
            return;
        };
        let moved =
            self.jwks.value().is_some() && self.jwks.source() != configuration.metadata.jwks_uri;
        if moved {
            self.jwks.refresh_soon(Instant::now());
        }
    }

    async fn refresh_jwks(&self, options: &ProviderCacheOptions) {
        // The key set was loaded from a configuration, so there is one.
        let Some(configuration) = self.configuration.value() else {
            return;
        };
        let refreshed = self
            .jwks
            .refresh(options, || fetch_jwks(&configuration, &options.discovery))
            .await;
        if let Some(result) = refreshed {
            self.record_refresh(CachedDocument::Jwks, &result);
        }
    }
}

/// The documented thread-safety promise, checked at compile time.
#[allow(dead_code)]
fn assert_send_sync() {
    fn check<T: Send + Sync + Clone + 'static>() {}
    check::<ProviderCache>();
}

#[cfg(test)]
mod tests;
