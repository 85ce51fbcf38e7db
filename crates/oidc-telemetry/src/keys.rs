//! The metric keys of an operation's common path, built once per (operation, issuer) and kept
//! in a bounded process-wide table.
//!
//! Every operation records three metrics when it succeeds: its `start` counter, its `stop`
//! counter with `outcome="ok"` and its duration histogram with `outcome="ok"`. Building each
//! key (a label vector, its hash, the shared issuer label) on every call was about 4 % of a
//! registration's instructions, with or without a recorder installed. The keys do not depend
//! on the recorder, so they are built the first time an issuer is seen and reused.
//!
//! The table is bounded ([`MAX_ISSUERS_PER_OPERATION`]): once an operation has that many
//! issuers, a new one gets freshly built keys on each call, exactly as before, and the table
//! does not grow. Callers that pass arbitrary issuers therefore cost memory only up to the
//! bound.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use metrics::{Key, Label, Level, Metadata, SharedString};

use crate::span::shared_issuer_label;
use crate::Operation;

/// How many issuers each operation keeps prebuilt keys for.
pub(crate) const MAX_ISSUERS_PER_OPERATION: usize = 256;

/// The metadata the `counter!` and `histogram!` macros would give a metric recorded in
/// `span.rs`: same target, level and module, so a recorder that filters on them sees no
/// difference.
pub(crate) static SPAN_METADATA: Metadata<'static> = Metadata::new(
    "oidc_telemetry::span",
    Level::INFO,
    Some("oidc_telemetry::span"),
);

/// The keys of one operation's success path for one issuer, and the issuer label they share.
#[derive(Debug)]
pub(crate) struct SuccessKeys {
    pub(crate) issuer: SharedString,
    pub(crate) start: Key,
    pub(crate) stop: Key,
    pub(crate) duration: Key,
}

impl SuccessKeys {
    fn new(operation: Operation, issuer: &str) -> Self {
        let issuer = shared_issuer_label(issuer);
        let names = operation.metric_names();
        let ok = || Some(Label::new("outcome", "ok"));
        Self {
            start: issuer_key(names.start, &issuer, None),
            stop: issuer_key(names.stop, &issuer, ok()),
            duration: issuer_key(names.duration, &issuer, ok()),
            issuer,
        }
    }
}

/// The key of metric `name` labelled with `issuer` (a label from
/// [`shared_issuer_label`]) and, when given, one more label: how every prebuilt key of this
/// crate is made.
pub(crate) fn issuer_key(name: &'static str, issuer: &SharedString, more: Option<Label>) -> Key {
    let mut labels = Vec::with_capacity(2);
    labels.push(Label::new("issuer", issuer.clone()));
    labels.extend(more);
    Key::from_parts(name, labels)
}

type Table = RwLock<HashMap<Box<str>, Arc<SuccessKeys>>>;

/// The table of `operation`, keyed by the issuer text exactly as the caller passed it (so that
/// a hit does not even compute the label).
fn table(operation: Operation) -> &'static Table {
    static TABLES: OnceLock<[Table; Operation::ALL.len()]> = OnceLock::new();
    let tables = TABLES.get_or_init(Default::default);
    #[allow(
        clippy::indexing_slicing,
        reason = "index() is a position in Operation::ALL, whose length sizes the array"
    )]
    &tables[operation.index()]
}

/// The success keys of `operation` for `issuer`: shared ones while the table has room, fresh
/// ones after that.
pub(crate) fn success_keys(operation: Operation, issuer: &str) -> Arc<SuccessKeys> {
    let table = table(operation);
    let fresh = || Arc::new(SuccessKeys::new(operation, issuer));
    // A poisoned lock only means a panic while inserting; the map itself is intact.
    {
        let read = table
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(keys) = read.get(issuer) {
            return Arc::clone(keys);
        }
        // A full table is never written again, so issuers past the bound take no write lock.
        if read.len() >= MAX_ISSUERS_PER_OPERATION {
            return fresh();
        }
    }
    let mut write = table
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if write.len() >= MAX_ISSUERS_PER_OPERATION {
        return fresh();
    }
    // Another caller may have inserted the same issuer meanwhile: its keys are kept and shared.
    Arc::clone(write.entry(issuer.into()).or_insert_with(fresh))
}

/// How many issuers `operation` holds keys for.
#[cfg(test)]
pub(crate) fn cached_issuers(operation: Operation) -> usize {
    table(operation)
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_ones_the_macros_would_build() {
        let keys = success_keys(Operation::DeleteClient, "https://user:pw@op.example/t?x#y");
        let labels = |key: &Key| {
            key.labels()
                .map(|label| (label.key().to_owned(), label.value().to_owned()))
                .collect::<Vec<_>>()
        };
        let issuer = ("issuer".to_owned(), "https://op.example/t".to_owned());
        let ok = ("outcome".to_owned(), "ok".to_owned());
        assert_eq!(&*keys.issuer, "https://op.example/t");
        assert_eq!(keys.start.name(), "oidc_delete_client_start_total");
        assert_eq!(labels(&keys.start), std::slice::from_ref(&issuer));
        assert_eq!(keys.stop.name(), "oidc_delete_client_stop_total");
        assert_eq!(labels(&keys.stop), [issuer.clone(), ok.clone()]);
        assert_eq!(keys.duration.name(), "oidc_delete_client_duration_seconds");
        assert_eq!(labels(&keys.duration), [issuer, ok]);
    }

    #[test]
    fn an_issuer_seen_again_shares_its_keys() {
        let first = success_keys(Operation::ReadClient, "https://shared.example");
        let again = success_keys(Operation::ReadClient, "https://shared.example");
        assert!(Arc::ptr_eq(&first, &again));
        // Another operation has its own keys.
        let other = success_keys(Operation::UpdateClient, "https://shared.example");
        assert_ne!(other.start.name(), first.start.name());
    }

    #[test]
    fn the_table_stops_growing_at_its_bound_and_later_issuers_still_get_their_keys() {
        let operation = Operation::LoadClientMetadataDocument;
        for n in 0..MAX_ISSUERS_PER_OPERATION + 50 {
            let issuer = format!("https://op{n}.example");
            let keys = success_keys(operation, &issuer);
            assert_eq!(&*keys.issuer, issuer);
        }
        assert_eq!(cached_issuers(operation), MAX_ISSUERS_PER_OPERATION);
        let late = "https://late.example";
        let first = success_keys(operation, late);
        let again = success_keys(operation, late);
        assert_eq!(&*again.issuer, late);
        assert!(
            !Arc::ptr_eq(&first, &again),
            "a full table must not keep new issuers"
        );
        assert_eq!(cached_issuers(operation), MAX_ISSUERS_PER_OPERATION);
    }
}
