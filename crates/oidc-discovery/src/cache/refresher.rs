//! The one background task of a cache: refreshes documents before they expire and retries
//! failed refreshes.
//!
//! There is a single task and a single timer per cache, whatever the number of issuers: the
//! task sleeps until the earliest refresh deadline of all entries (or until woken because a new
//! deadline was set), hands the due documents to refresh jobs, and sleeps again. It holds only
//! a [`Weak`] reference to the cache, upgraded for the moment it takes the due work and never
//! across an `.await`, and the cache aborts it when dropped; refresh jobs live in a [`JoinSet`]
//! owned by the task, so aborting the task aborts them too. Nothing outlives the cache.

use std::sync::{Arc, Weak};

use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio::time::{sleep_until, Duration, Instant};

use super::slot::after;
use super::Inner;

/// How long the task sleeps when no refresh is scheduled (it is woken earlier when one is).
const IDLE: Duration = Duration::from_secs(24 * 60 * 60);

pub(super) async fn run(cache: Weak<Inner>, wake: Arc<Notify>) {
    let mut jobs = JoinSet::new();
    // Each turn waits for a timer, a wake-up or a finished job: the loop never spins.
    loop {
        let next = {
            let Some(inner) = cache.upgrade() else {
                return;
            };
            let now = Instant::now();
            for job in inner.take_due(now) {
                jobs.spawn(job.run());
            }
            inner.next_refresh().unwrap_or_else(|| after(now, IDLE))
        };
        tokio::select! {
            () = sleep_until(next) => {}
            () = wake.notified() => {}
            Some(_) = jobs.join_next(), if !jobs.is_empty() => {}
        }
    }
}
