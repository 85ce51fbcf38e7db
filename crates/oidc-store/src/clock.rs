//! Wall-clock time shared between processes (lease expiry, call stamps).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch: leases are compared across processes, so they use the
/// wall clock (a clock set before 1970 reads as 0, which only makes leases look expired).
pub(crate) fn unix_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_millis()
        .try_into()
        .unwrap_or(u64::MAX)
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_seconds() -> u64 {
    unix_millis() / 1000
}

/// A number unique within the process.
pub(crate) fn next_sequence() -> u64 {
    static SEQUENCE: AtomicU64 = AtomicU64::new(0);
    SEQUENCE.fetch_add(1, Ordering::Relaxed)
}
