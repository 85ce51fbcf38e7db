//! One cached document of one issuer, and the single-flight rules for loading it.
//!
//! Every fetch of a slot (first load, background refresh, unknown-`kid` refetch) runs while
//! holding the slot's asynchronous `load` lock, so there is never more than one fetch per slot.
//! Callers that waited for the lock find out whether the fetch they waited for happened by
//! comparing the slot's `generation` (the number of completed fetches) with the value they saw
//! before waiting; then they take its result instead of fetching again. Holding a lock rather
//! than sharing one future keeps this cancel-safe: when the caller that is fetching gives up,
//! its lock is released and the next waiter fetches.

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::time::Instant;

use crate::{DiscoveryError, Jwks, ProviderConfiguration};

use super::ProviderCacheOptions;

/// Locks a mutex, recovering from poisoning: no code holding these locks can panic, and the data
/// stay consistent at every step anyway.
pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The longest delay scheduled, so that `Instant` arithmetic cannot overflow.
const MAX_DELAY: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// `now + delay`, with the delay capped at a year.
pub(super) fn after(now: Instant, delay: Duration) -> Instant {
    // A year from now always fits in an `Instant`; the fallback is unreachable in practice.
    now.checked_add(delay.min(MAX_DELAY)).unwrap_or(now)
}

/// A document the cache keeps: something with a lifetime.
pub(super) trait Document: Send + Sync + 'static {
    /// How long the document may be used after it was received.
    fn lifetime(&self) -> Duration;
}

impl Document for ProviderConfiguration {
    fn lifetime(&self) -> Duration {
        self.expires_in
    }
}

impl Document for Jwks {
    fn lifetime(&self) -> Duration {
        self.expires_in
    }
}

/// A fetched document and where it came from (the JWKS URI for key sets).
pub(super) type Fetched<T> = (T, Option<String>);

/// The outcome of a fetch, shared by everyone who waited for it.
pub(super) type Shared<T> = Result<Arc<T>, Arc<DiscoveryError>>;

#[derive(Debug)]
pub(super) struct Slot<T> {
    state: Mutex<SlotState<T>>,
    /// Held for the whole of every fetch: the single flight.
    load: tokio::sync::Mutex<()>,
}

#[derive(Debug)]
struct SlotState<T> {
    /// The last good value; kept while refreshes fail.
    value: Option<Arc<T>>,
    /// Where `value` was fetched from (key sets: the `jwks_uri`).
    source: Option<String>,
    /// When the background refresher should fetch again. `None`: nothing to refresh, or a
    /// refresh has been handed to the refresher and not finished yet.
    refresh_at: Option<Instant>,
    /// Completed fetches, successful or not.
    generation: u64,
    /// The error of the latest fetch, `None` when it succeeded.
    last_error: Option<Arc<DiscoveryError>>,
    /// When the latest fetch started: the reference of the unknown-`kid` rate limit.
    last_attempt: Option<Instant>,
    /// The previous retry delay of the current run of failures.
    retry_delay: Option<Duration>,
    /// Set when a [`load_or_close`](Slot::load_or_close) failed: the slot's entry is being
    /// forgotten, and no caller may fetch into it any more.
    closed: bool,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Self {
            state: Mutex::new(SlotState {
                value: None,
                source: None,
                refresh_at: None,
                generation: 0,
                last_error: None,
                last_attempt: None,
                retry_delay: None,
                closed: false,
            }),
            load: tokio::sync::Mutex::new(()),
        }
    }
}

/// Where a slot stands, read in one lock.
pub(super) struct Snapshot<T> {
    pub(super) value: Option<Arc<T>>,
    pub(super) generation: u64,
}

/// How a fetch ended, for the caller's telemetry.
pub(super) enum Outcome<T> {
    /// A fetch was made (by this caller) with this result.
    Fetched(Shared<T>),
    /// Another caller's fetch finished while this one waited; here is its result.
    Joined(Shared<T>),
    /// No fetch was needed or allowed; here is the current value, if any.
    Skipped(Option<Arc<T>>),
}

impl<T: Document> Slot<T> {
    pub(super) fn snapshot(&self) -> Snapshot<T> {
        let state = lock(&self.state);
        Snapshot {
            value: state.value.clone(),
            generation: state.generation,
        }
    }

    pub(super) fn value(&self) -> Option<Arc<T>> {
        lock(&self.state).value.clone()
    }

    pub(super) fn source(&self) -> Option<String> {
        lock(&self.state).source.clone()
    }

    /// The refresh deadline, if one is scheduled.
    pub(super) fn refresh_at(&self) -> Option<Instant> {
        lock(&self.state).refresh_at
    }

    /// Hands the slot to the refresher when its refresh is due: clears the deadline so the
    /// refresher does not pick it again while the refresh runs.
    pub(super) fn take_due(&self, now: Instant) -> bool {
        let mut state = lock(&self.state);
        match state.refresh_at {
            Some(at) if at <= now && state.value.is_some() => {
                state.refresh_at = None;
                true
            }
            _ => false,
        }
    }

    /// Puts a refresh the refresher took back on the schedule, after the backoff delay, unless
    /// it finished: a finished fetch (or someone else's) has set a deadline already. Run when a
    /// refresh job ends for any reason, so one interrupted by a panic or by its runtime shutting
    /// down is retried instead of leaving the value unrefreshed, and served stale, for good.
    pub(super) fn reschedule_unfinished(&self, options: &ProviderCacheOptions) {
        let mut state = lock(&self.state);
        if state.refresh_at.is_none() && state.value.is_some() {
            let delay = options.backoff.next_delay(state.retry_delay);
            state.retry_delay = Some(delay);
            state.refresh_at = Some(after(Instant::now(), delay));
        }
    }

    /// The error of a first load that failed less than `interval` ago, while there is still no
    /// value: what a paced caller gets instead of fetching again.
    pub(super) fn recent_failure(&self, interval: Duration) -> Option<Arc<DiscoveryError>> {
        let state = lock(&self.state);
        let recent = state
            .last_attempt
            .is_some_and(|at| Instant::now() < after(at, interval));
        match (&state.value, &state.last_error) {
            (None, Some(error)) if recent => Some(Arc::clone(error)),
            _ => None,
        }
    }

    /// Asks for a refresh as soon as possible, if there is a value to refresh.
    pub(super) fn refresh_soon(&self, now: Instant) {
        let mut state = lock(&self.state);
        if state.value.is_some() {
            state.refresh_at = Some(now);
        }
    }

    /// First load: fetches unless a value is there, or a fetch that this caller waited for
    /// (`seen`, the generation it saw before waiting) has completed meanwhile.
    pub(super) async fn load<F, Fut>(
        &self,
        seen: u64,
        options: &ProviderCacheOptions,
        fetch: F,
    ) -> Shared<T>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Fetched<T>, DiscoveryError>>,
    {
        let _flight = self.load.lock().await;
        {
            let state = lock(&self.state);
            if let Some(value) = &state.value {
                return Ok(Arc::clone(value));
            }
            if state.generation != seen {
                if let Some(error) = &state.last_error {
                    return Err(Arc::clone(error));
                }
            }
        }
        self.fetch(options, fetch).await
    }

    /// The first load of an entry's configuration: as [`load`](Self::load), but a failed fetch
    /// closes the slot, while its caller still holds the `load` lock. `None`: the slot was
    /// closed before this caller got the lock (and its failure is not one this caller waited
    /// for); the entry is being forgotten, so the caller must look its issuer up again rather
    /// than fetch into an entry nobody else will find (a second flight, and an orphan).
    pub(super) async fn load_or_close<F, Fut>(
        &self,
        seen: u64,
        options: &ProviderCacheOptions,
        fetch: F,
    ) -> Option<Shared<T>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Fetched<T>, DiscoveryError>>,
    {
        let _flight = self.load.lock().await;
        {
            let state = lock(&self.state);
            if let Some(value) = &state.value {
                return Some(Ok(Arc::clone(value)));
            }
            if state.generation != seen {
                if let Some(error) = &state.last_error {
                    return Some(Err(Arc::clone(error)));
                }
            }
            if state.closed {
                return None;
            }
        }
        let result = self.fetch(options, fetch).await;
        if result.is_err() {
            lock(&self.state).closed = true;
        }
        Some(result)
    }

    /// Closes the slot if no fetch holds it and no caller waits for one, as
    /// [`load_or_close`](Self::load_or_close) does after a failure; returns whether it did. A
    /// caller that takes the lock afterwards finds it closed and looks its issuer up again.
    pub(super) fn close_if_idle(&self) -> bool {
        let Ok(_flight) = self.load.try_lock() else {
            return false;
        };
        lock(&self.state).closed = true;
        true
    }

    /// Background refresh: fetches unless someone else refreshed the slot since the refresher
    /// took it (then a new deadline is set already).
    pub(super) async fn refresh<F, Fut>(
        &self,
        options: &ProviderCacheOptions,
        fetch: F,
    ) -> Option<Shared<T>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Fetched<T>, DiscoveryError>>,
    {
        let _flight = self.load.lock().await;
        {
            let state = lock(&self.state);
            if state.refresh_at.is_some() || state.value.is_none() {
                return None;
            }
        }
        Some(self.fetch(options, fetch).await)
    }

    /// Refetch for an unknown `kid`: fetches unless another fetch completed since `seen`, or
    /// the latest fetch started less than `interval` ago.
    pub(super) async fn refetch<F, Fut>(
        &self,
        seen: u64,
        interval: Duration,
        options: &ProviderCacheOptions,
        fetch: F,
    ) -> Outcome<T>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Fetched<T>, DiscoveryError>>,
    {
        let _flight = self.load.lock().await;
        {
            let state = lock(&self.state);
            if state.generation != seen {
                let shared = match (&state.last_error, &state.value) {
                    (Some(error), _) => Err(Arc::clone(error)),
                    (None, Some(value)) => Ok(Arc::clone(value)),
                    // Unreachable: a fetch that did not fail left a value.
                    (None, None) => return Outcome::Skipped(None),
                };
                return Outcome::Joined(shared);
            }
            let recent = state
                .last_attempt
                .is_some_and(|at| Instant::now() < after(at, interval));
            if recent {
                return Outcome::Skipped(state.value.clone());
            }
        }
        Outcome::Fetched(self.fetch(options, fetch).await)
    }

    /// Runs one fetch (the caller holds the `load` lock) and records its result.
    async fn fetch<F, Fut>(&self, options: &ProviderCacheOptions, fetch: F) -> Shared<T>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Fetched<T>, DiscoveryError>>,
    {
        lock(&self.state).last_attempt = Some(Instant::now());
        let result = fetch().await;
        let now = Instant::now();
        let mut state = lock(&self.state);
        state.generation = state.generation.wrapping_add(1);
        match result {
            Ok((value, source)) => {
                let value = Arc::new(value);
                state.refresh_at = Some(after(now, options.refresh_after(value.lifetime())));
                state.value = Some(Arc::clone(&value));
                state.source = source;
                state.last_error = None;
                state.retry_delay = None;
                Ok(value)
            }
            Err(error) => {
                let error = Arc::new(error);
                if state.value.is_some() {
                    // Keep serving the last good value; retry with backoff.
                    let delay = options.backoff.next_delay(state.retry_delay);
                    state.retry_delay = Some(delay);
                    state.refresh_at = Some(after(now, delay));
                } else {
                    // Nothing to refresh: the next lookup loads again.
                    state.refresh_at = None;
                }
                state.last_error = Some(Arc::clone(&error));
                Err(error)
            }
        }
    }
}
