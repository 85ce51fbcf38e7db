//! Settings of a [`ProviderCache`](super::ProviderCache) and its retry [`Backoff`].

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::DiscoveryOptions;

use super::ProviderCache;

/// The shortest retry delay handed out, whatever the [`Backoff`] says: a zero delay would make
/// the cache hammer a failing provider in a tight loop.
pub(super) const MIN_RETRY_DELAY: Duration = Duration::from_millis(100);

/// The time limit put on every load of the cache when [`DiscoveryOptions::call`]'s `timeout` is unset, so
/// that a hanging provider cannot stall its refreshes for ever.
pub(super) const DEFAULT_LOAD_TIMEOUT: Duration = Duration::from_secs(60);

/// How long to wait before retrying a failed background refresh, after the n-th failure in a row.
///
/// The same four strategies as oidcc's provider configuration worker (`backoff_type`,
/// `backoff_min`, `backoff_max`, after `db_connection`'s backoff). Every delay is at least
/// 100 ms, whatever the settings; a `max` below `min` is read as `min`. While retries go on, the
/// cache keeps serving the last good value. The run of failures ends with the first success:
/// the next failure starts again from the first delay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Backoff {
    /// Always wait the same time.
    Fixed(Duration),
    /// `min`, then twice the previous delay, up to `max`: `min`, `2·min`, `4·min`, …, `max`, `max`.
    Exponential {
        /// The first delay (oidcc's `backoff_min`).
        min: Duration,
        /// The longest delay (oidcc's `backoff_max`).
        max: Duration,
    },
    /// A delay drawn uniformly from `min..=max` each time, so that many caches that saw the same
    /// outage do not retry in step.
    Random {
        /// The shortest delay.
        min: Duration,
        /// The longest delay.
        max: Duration,
    },
    /// Exponential growth with random jitter ("decorrelated jitter", as oidcc's
    /// `random_exponential`): with `floor = max(min, max / 3)`, each delay is drawn from
    /// `floor..=3 × the previous delay` (the first from `floor..=3 × floor`), never above `max`.
    RandomExponential {
        /// The shortest delay.
        min: Duration,
        /// The longest delay.
        max: Duration,
    },
}

impl Default for Backoff {
    /// `RandomExponential` between 1 s and 30 s (oidcc's default bounds).
    fn default() -> Self {
        Self::RandomExponential {
            min: Duration::from_secs(1),
            max: Duration::from_secs(30),
        }
    }
}

impl Backoff {
    /// The delay before the next retry, given the delay used before the previous retry of the
    /// same run of failures (`None` after the first failure).
    ///
    /// ```
    /// use std::time::Duration;
    /// use oidc_discovery::Backoff;
    ///
    /// let backoff = Backoff::Exponential {
    ///     min: Duration::from_secs(1),
    ///     max: Duration::from_secs(5),
    /// };
    /// let mut previous = None;
    /// let mut delays = Vec::new();
    /// for _ in 0..5 {
    ///     let delay = backoff.next_delay(previous);
    ///     delays.push(delay.as_secs());
    ///     previous = Some(delay);
    /// }
    /// assert_eq!(delays, [1, 2, 4, 5, 5]);
    /// ```
    pub fn next_delay(&self, previous: Option<Duration>) -> Duration {
        let delay = match *self {
            Self::Fixed(delay) => delay,
            Self::Exponential { min, max } => {
                let max = max.max(min);
                match previous {
                    None => min,
                    Some(previous) => previous.saturating_mul(2).clamp(min, max),
                }
            }
            Self::Random { min, max } => random_between(min, max.max(min)),
            Self::RandomExponential { min, max } => {
                let max = max.max(min);
                // db_connection / oidcc: the lower bound is a third of the maximum (at least
                // `min`), and each draw may reach three times the previous delay.
                let lower = min.max(max / 3);
                let previous = previous.unwrap_or(lower);
                let low = previous.min(lower);
                let high = previous.saturating_mul(3).min(max);
                random_between(low, high.max(low))
            }
        };
        delay.max(MIN_RETRY_DELAY)
    }
}

/// A uniformly drawn duration in `min..=max`, at millisecond resolution.
///
/// The randomness comes from the standard library's per-process random hash keys and a counter;
/// that is plenty for spreading retries, and saves a dependency on a random number crate.
fn random_between(min: Duration, max: Duration) -> Duration {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let span = u64::try_from(max.saturating_sub(min).as_millis()).unwrap_or(u64::MAX);
    if span == 0 {
        return min;
    }
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    let draw = hasher.finish() % span.saturating_add(1);
    min.saturating_add(Duration::from_millis(draw))
}

/// Settings of a [`ProviderCache`]; also its builder ([`ProviderCache::builder`] returns the
/// defaults, [`build`](Self::build) makes the cache).
///
/// How long a document is kept comes from its `Cache-Control` header, clamped by
/// [`DiscoveryOptions::expiry`] (an [`ExpiryPolicy`](crate::ExpiryPolicy): its `minimum` is the
/// floor and its `maximum` the ceiling of every lifetime).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ProviderCacheOptions {
    /// How documents are loaded: HTTP client, time limit, expiry policy. When its `timeout` is
    /// unset, the cache limits every load to 60 seconds.
    pub discovery: DiscoveryOptions,
    /// The most issuers kept; the least recently used one is evicted to make room. Default 64;
    /// 0 is read as 1.
    pub max_issuers: usize,
    /// The most issuers whose first load may be in progress at once. They are kept apart from
    /// the loaded issuers: a pending load never evicts a loaded issuer (an issuer joins the
    /// `max_issuers` only once its configuration has loaded), so a burst of lookups for issuers
    /// that never answer cannot push the good ones out. A lookup that would start one more
    /// first load fails at once with [`TooManyPendingLoads`] (see there why it does not
    /// wait). A first load that every caller gave up waiting for gives its place back when one
    /// is needed. Default 64; 0 is read as 1.
    ///
    /// [`TooManyPendingLoads`]: crate::DiscoveryError::TooManyPendingLoads
    pub max_pending_loads: usize,
    /// The fraction of a document's lifetime after which it is refreshed in the background,
    /// before it expires. Default 0.8; values are clamped to `0.1..=1.0` (NaN means the
    /// default). A document is never refreshed sooner than one second after it was loaded.
    pub refresh_ahead: f64,
    /// How failed background refreshes are retried.
    pub backoff: Backoff,
    /// An unknown `kid` makes the cache refetch the key set, unless the set was fetched (for any
    /// reason) less than this long ago. Default 60 s.
    pub kid_refetch_interval: Duration,
    /// The longest a [`key`](ProviderCache::key) lookup waits for the refetch of an unknown
    /// `kid`, counting both the wait for a fetch of the key set already in progress (a
    /// background refresh stuck on a provider that does not answer, say) and its own fetch.
    /// Past it the lookup fails with
    /// [`DiscoveryError::KeyRefetchTimeout`](crate::DiscoveryError::KeyRefetchTimeout); the
    /// fetch in progress goes on. Default 10 s, well under the load time limit, since a token
    /// is waiting to be verified.
    pub kid_refetch_timeout: Duration,
    /// Issuers whose telemetry carries their own `issuer` label from the first lookup on.
    /// Any other issuer gets its own label only once its configuration has loaded, and is
    /// counted under `issuer="unloaded"` until then (see "Telemetry" on [`ProviderCache`]).
    /// Default: none.
    pub known_issuers: Vec<String>,
}

impl Default for ProviderCacheOptions {
    fn default() -> Self {
        Self {
            discovery: DiscoveryOptions::default(),
            max_issuers: 64,
            max_pending_loads: 64,
            refresh_ahead: DEFAULT_REFRESH_AHEAD,
            backoff: Backoff::default(),
            kid_refetch_interval: Duration::from_secs(60),
            kid_refetch_timeout: Duration::from_secs(10),
            known_issuers: Vec::new(),
        }
    }
}

const DEFAULT_REFRESH_AHEAD: f64 = 0.8;

impl ProviderCacheOptions {
    /// Loads with these discovery options.
    pub fn discovery_options(mut self, options: DiscoveryOptions) -> Self {
        self.discovery = options;
        self
    }

    /// Keeps at most `max` issuers.
    pub fn max_issuers(mut self, max: usize) -> Self {
        self.max_issuers = max;
        self
    }

    /// Lets at most `max` first loads be in progress at once.
    pub fn max_pending_loads(mut self, max: usize) -> Self {
        self.max_pending_loads = max;
        self
    }

    /// Refreshes a document once this fraction of its lifetime has passed.
    pub fn refresh_ahead(mut self, fraction: f64) -> Self {
        self.refresh_ahead = fraction;
        self
    }

    /// Retries failed refreshes with this backoff.
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// Refetches the key set for an unknown `kid` at most once per `interval`.
    pub fn kid_refetch_interval(mut self, interval: Duration) -> Self {
        self.kid_refetch_interval = interval;
        self
    }

    /// Gives up an unknown-`kid` refetch after `timeout`.
    pub fn kid_refetch_timeout(mut self, timeout: Duration) -> Self {
        self.kid_refetch_timeout = timeout;
        self
    }

    /// Labels the telemetry of `issuer` with it from its first lookup, before it has loaded.
    pub fn known_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.known_issuers.push(issuer.into());
        self
    }

    /// Makes the cache. Its background refresh starts with the first lookup, on the Tokio
    /// runtime of that lookup; building needs no runtime.
    pub fn build(self) -> ProviderCache {
        ProviderCache::new(self)
    }

    /// `max_issuers` as used: at least 1.
    pub(super) fn capacity(&self) -> usize {
        self.max_issuers.max(1)
    }

    /// `max_pending_loads` as used: at least 1.
    pub(super) fn pending_capacity(&self) -> usize {
        self.max_pending_loads.max(1)
    }

    /// When to refresh a document of `lifetime`, measured from when it was loaded.
    pub(super) fn refresh_after(&self, lifetime: Duration) -> Duration {
        let fraction = if self.refresh_ahead.is_nan() {
            DEFAULT_REFRESH_AHEAD
        } else {
            self.refresh_ahead.clamp(0.1, 1.0)
        };
        // Integer arithmetic in thousandths: `Duration::mul_f64` panics on overflow.
        let permille = (fraction * 1000.0).round() as u128;
        let millis = lifetime.as_millis().saturating_mul(permille) / 1000;
        let after = Duration::from_millis(u64::try_from(millis).unwrap_or(u64::MAX));
        after.max(Duration::from_secs(1))
    }

    /// The discovery options actually used: with a time limit.
    pub(super) fn effective_discovery(&self) -> DiscoveryOptions {
        let mut options = self.discovery.clone();
        if options.call.timeout.is_none() {
            options.call.timeout = Some(DEFAULT_LOAD_TIMEOUT);
        }
        options
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(backoff: Backoff, steps: usize) -> Vec<Duration> {
        let mut previous = None;
        (0..steps)
            .map(|_| {
                let delay = backoff.next_delay(previous);
                previous = Some(delay);
                delay
            })
            .collect()
    }

    const fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn fixed_and_exponential_schedules() {
        assert_eq!(run(Backoff::Fixed(secs(3)), 3), [secs(3); 3]);
        assert_eq!(
            run(
                Backoff::Exponential {
                    min: secs(1),
                    max: secs(10)
                },
                6
            ),
            [secs(1), secs(2), secs(4), secs(8), secs(10), secs(10)]
        );
        // max < min reads as min; zero is raised to the floor.
        assert_eq!(
            run(
                Backoff::Exponential {
                    min: secs(5),
                    max: secs(1)
                },
                2
            ),
            [secs(5); 2]
        );
        assert_eq!(run(Backoff::Fixed(Duration::ZERO), 1), [MIN_RETRY_DELAY]);
    }

    #[test]
    fn random_schedules_stay_in_bounds() {
        let random = run(
            Backoff::Random {
                min: secs(1),
                max: secs(3),
            },
            200,
        );
        assert!(random.iter().all(|d| (secs(1)..=secs(3)).contains(d)));
        // 200 draws from 2001 values are not all equal.
        assert!(random.iter().any(|d| *d != random[0]));

        let decorrelated = run(
            Backoff::RandomExponential {
                min: secs(1),
                max: secs(30),
            },
            200,
        );
        assert!(decorrelated
            .iter()
            .all(|d| (secs(1)..=secs(30)).contains(d)));
        // The floor is a third of max: 10 s.
        assert!(decorrelated.iter().all(|d| *d >= secs(10)));
        assert!(decorrelated.iter().any(|d| *d > secs(10)));
    }

    #[test]
    fn refresh_after_is_a_clamped_fraction() {
        let options = ProviderCacheOptions::default();
        assert_eq!(options.refresh_after(secs(300)), secs(240));
        assert_eq!(options.refresh_after(Duration::ZERO), secs(1));
        assert_eq!(
            options.clone().refresh_ahead(2.0).refresh_after(secs(100)),
            secs(100)
        );
        assert_eq!(
            options.clone().refresh_ahead(0.0).refresh_after(secs(100)),
            secs(10)
        );
        assert_eq!(
            options
                .clone()
                .refresh_ahead(f64::NAN)
                .refresh_after(secs(100)),
            secs(80)
        );
        // Huge lifetimes do not overflow.
        assert!(options.refresh_after(Duration::MAX) > secs(1));
    }
}
