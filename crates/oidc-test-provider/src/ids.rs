//! Unique, random-looking identifiers without pulling in a random number crate.
//!
//! `RandomState` is seeded randomly per process (and varied per instance), which is plenty for
//! identifiers on a test server; a counter guarantees uniqueness regardless.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static COUNTER: AtomicU64 = AtomicU64::new(1);

fn random_u64(seq: u64) -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(seq);
    hasher.write_u128(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    hasher.finish()
}

/// `len16` blocks of 16 hex digits.
fn random_hex(seq: u64, len16: usize) -> String {
    (0..len16)
        .map(|i| {
            format!(
                "{:016x}",
                random_u64(seq.wrapping_mul(31).wrapping_add(i as u64))
            )
        })
        .collect()
}

fn next() -> u64 {
    COUNTER.fetch_add(1, Ordering::Relaxed)
}

/// A new client identifier: unique within the process.
pub(crate) fn client_id() -> String {
    let seq = next();
    format!("client-{seq}-{}", random_hex(seq, 1))
}

/// A new secret or access token.
pub(crate) fn token() -> String {
    let seq = next();
    random_hex(seq, 2)
}

/// Seconds since the Unix epoch.
pub(crate) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}
