//! Waiting for a key's lease, and the options that bound it.

use std::time::Duration;

use oidc_registration::{ManagementOptions, RegisterOptions};

use crate::error::ManagedError;
use crate::store::{LeaseHolder, RegistrationStore, StoreKey};

/// How the store-backed calls register, manage and coordinate.
///
/// The lease must outlive the longest call it covers: [`DEFAULT_LEASE_TTL`] is twice the HTTP
/// layer's default 30 s timeout. A holder that overruns its lease is still safe (every write is
/// a compare-and-swap, see [`crate::RegistrationStore`]), but another replica may then call the
/// provider at the same time.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StoreOptions {
    /// Options of a registration made by [`ensure_registered`](crate::ensure_registered).
    pub register: RegisterOptions,
    /// Options of the management calls (RFC 7592).
    pub manage: ManagementOptions,
    /// How long a lease is granted for.
    pub lease_ttl: Duration,
    /// How long to wait for another holder's lease before giving up with
    /// [`ManagedErrorKind::LeaseTimeout`](crate::ManagedErrorKind::LeaseTimeout).
    pub lease_wait: Duration,
    /// Whether [`ensure_registered`](crate::ensure_registered) reads a stored registration at
    /// the provider (RFC 7592 §2.1) before returning it, and registers anew when the provider
    /// no longer knows it. Off by default: a stored registration is returned as it is, with no
    /// request.
    pub verify_stored: bool,
}

/// The default [`StoreOptions::lease_ttl`]: 60 s.
pub const DEFAULT_LEASE_TTL: Duration = Duration::from_secs(60);

/// The default [`StoreOptions::lease_wait`]: 90 s, longer than one lease, so that a waiter
/// outlasts a holder that died.
pub const DEFAULT_LEASE_WAIT: Duration = Duration::from_secs(90);

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            register: RegisterOptions::default(),
            manage: ManagementOptions::default(),
            lease_ttl: DEFAULT_LEASE_TTL,
            lease_wait: DEFAULT_LEASE_WAIT,
            verify_stored: false,
        }
    }
}

impl StoreOptions {
    /// Registers with `register`.
    pub fn with_register_options(mut self, register: RegisterOptions) -> Self {
        self.register = register;
        self
    }

    /// Manages with `manage`.
    pub fn with_management_options(mut self, manage: ManagementOptions) -> Self {
        self.manage = manage;
        self
    }

    /// Grants leases for `ttl`.
    pub fn with_lease_ttl(mut self, ttl: Duration) -> Self {
        self.lease_ttl = ttl;
        self
    }

    /// Waits up to `wait` for a lease.
    pub fn with_lease_wait(mut self, wait: Duration) -> Self {
        self.lease_wait = wait;
        self
    }

    /// Sets [`verify_stored`](Self::verify_stored).
    pub fn with_verify_stored(mut self, verify: bool) -> Self {
        self.verify_stored = verify;
        self
    }
}

/// A held lease. Release it with [`release`](Self::release); one dropped unreleased (a
/// cancelled call) expires after [`StoreOptions::lease_ttl`].
#[derive(Debug)]
pub(crate) struct Lease<'a> {
    store: &'a dyn RegistrationStore,
    key: &'a StoreKey,
    holder: LeaseHolder,
}

/// The first pause between attempts; it doubles up to [`MAX_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(5);
const MAX_PAUSE: Duration = Duration::from_millis(200);

impl<'a> Lease<'a> {
    /// Waits until `key`'s lease is granted to a new holder, up to `options.lease_wait`.
    pub(crate) async fn acquire(
        store: &'a dyn RegistrationStore,
        key: &'a StoreKey,
        options: &StoreOptions,
    ) -> Result<Lease<'a>, ManagedError> {
        let holder = LeaseHolder::random();
        let deadline = tokio::time::Instant::now() + options.lease_wait;
        let mut pause = FIRST_PAUSE;
        loop {
            let granted = store
                .try_lease(key, &holder, options.lease_ttl)
                .await
                .map_err(|error| ManagedError::new(key, "leased", error.into()))?;
            if granted {
                return Ok(Lease { store, key, holder });
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Err(ManagedError::lease_timeout(key, options.lease_wait));
            }
            // Jitter, so that waiters that started together do not retry together.
            let jitter = Duration::from_micros(crate::clock::next_sequence() % 1000);
            tokio::time::sleep((pause + jitter).min(deadline - now)).await;
            pause = (pause * 2).min(MAX_PAUSE);
        }
    }

    /// Gives the lease back. A failure is ignored: the lease then expires on its own, and the
    /// call it covered has its result already.
    pub(crate) async fn release(self) {
        let _ = self.store.release(self.key, &self.holder).await;
    }
}
