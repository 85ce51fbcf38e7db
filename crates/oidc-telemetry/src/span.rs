use std::borrow::Cow;
use std::future::Future;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use metrics::{counter, histogram, SharedString};

use crate::handler::{emit, EventKind, TelemetryEvent};
use crate::keys::{success_keys, SuccessKeys, SPAN_METADATA};
use crate::Operation;

/// Gives an error a short, bounded kind for the `error` label of `stop` events.
///
/// Kinds are fixed strings such as `"timeout"` or `"provider_error"`: never text from the
/// provider, a URL or a secret, so that the number of label values stays small.
pub trait TelemetryErrorKind {
    /// The error's kind, in `snake_case`.
    fn telemetry_kind(&self) -> &'static str;
}

/// One running operation. Emits `start` when created, and exactly one of `stop` (through
/// [`finish_ok`](Self::finish_ok) / [`finish_error`](Self::finish_error)) or `exception` (when
/// dropped unfinished: the future was cancelled, or the code panicked).
///
/// Every event also goes to the attached [`TelemetryHandler`](crate::TelemetryHandler), with
/// oidcc's measurements (see [`TelemetryEvent`]).
///
/// Most code uses [`instrument`] instead of handling a span by hand.
#[derive(Debug)]
#[must_use = "a span that is dropped at once records an exception"]
pub struct OperationSpan {
    operation: Operation,
    /// The success path's metric keys and the issuer label, shared with every other span of
    /// this operation and issuer.
    keys: Arc<SuccessKeys>,
    started: Instant,
    finished: bool,
}

impl OperationSpan {
    /// Starts an operation against `issuer` and emits its `start` counter.
    pub fn start(operation: Operation, issuer: &str) -> Self {
        let keys = success_keys(operation, issuer);
        metrics::with_recorder(|recorder| {
            recorder
                .register_counter(&keys.start, &SPAN_METADATA)
                .increment(1);
        });
        let started = Instant::now();
        let span = Self {
            operation,
            keys,
            started,
            finished: false,
        };
        emit(&TelemetryEvent {
            system_time: Some(SystemTime::now()),
            ..span.event(EventKind::Start, started)
        });
        span
    }

    /// The event of `kind` at `now`, with the duration when it is not the start.
    fn event(&self, kind: EventKind, now: Instant) -> TelemetryEvent<'_> {
        TelemetryEvent {
            operation: self.operation,
            kind,
            issuer: &self.keys.issuer,
            system_time: None,
            monotonic_time: now,
            duration: (kind != EventKind::Start).then(|| now.duration_since(self.started)),
            error: None,
            reason: None,
        }
    }

    /// The operation succeeded: emits `stop` with `outcome="ok"` and the duration.
    pub fn finish_ok(mut self) {
        self.finished = true;
        let seconds = self.started.elapsed().as_secs_f64();
        metrics::with_recorder(|recorder| {
            recorder
                .register_counter(&self.keys.stop, &SPAN_METADATA)
                .increment(1);
            recorder
                .register_histogram(&self.keys.duration, &SPAN_METADATA)
                .record(seconds);
        });
        emit(&self.event(EventKind::Stop, Instant::now()));
        #[cfg(feature = "tracing")]
        tracing::debug!(
            operation = self.operation.name(),
            issuer = &*self.keys.issuer,
            outcome = "ok",
            "oidc operation finished"
        );
    }

    /// The operation returned an error of `kind`: emits `stop` with `outcome="error"`,
    /// `error=<kind>` and the duration.
    pub fn finish_error(mut self, kind: &'static str) {
        self.finished = true;
        let names = self.operation.metric_names();
        counter!(
            names.stop,
            "issuer" => self.keys.issuer.clone(),
            "outcome" => "error",
            "error" => kind
        )
        .increment(1);
        self.record_duration("error");
        emit(&TelemetryEvent {
            error: Some(kind),
            ..self.event(EventKind::Stop, Instant::now())
        });
        #[cfg(feature = "tracing")]
        tracing::info!(
            operation = self.operation.name(),
            issuer = &*self.keys.issuer,
            outcome = "error",
            error = kind,
            "oidc operation failed"
        );
    }

    fn record_duration(&self, outcome: &'static str) {
        let seconds = self.started.elapsed().as_secs_f64();
        histogram!(
            self.operation.metric_names().duration,
            "issuer" => self.keys.issuer.clone(),
            "outcome" => outcome
        )
        .record(seconds);
    }
}

impl Drop for OperationSpan {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        let reason = if std::thread::panicking() {
            "panic"
        } else {
            "cancelled"
        };
        counter!(
            self.operation.metric_names().exception,
            "issuer" => self.keys.issuer.clone(),
            "reason" => reason
        )
        .increment(1);
        self.record_duration("exception");
        emit(&TelemetryEvent {
            reason: Some(reason),
            ..self.event(EventKind::Exception, Instant::now())
        });
        #[cfg(feature = "tracing")]
        if reason == "panic" {
            tracing::warn!(
                operation = self.operation.name(),
                issuer = &*self.keys.issuer,
                reason,
                "oidc operation panicked"
            );
        } else {
            tracing::debug!(
                operation = self.operation.name(),
                issuer = &*self.keys.issuer,
                reason,
                "oidc operation cancelled"
            );
        }
    }
}

/// Runs `future` as `operation` against `issuer`, emitting `start`, then `stop` when it returns,
/// or `exception` when it is dropped before completion or panics.
pub async fn instrument<T, E, F>(operation: Operation, issuer: &str, future: F) -> Result<T, E>
where
    F: Future<Output = Result<T, E>>,
    E: TelemetryErrorKind,
{
    let span = OperationSpan::start(operation, issuer);
    #[cfg(feature = "tracing")]
    let future = tracing::Instrument::instrument(
        future,
        tracing::info_span!(
            "oidc",
            operation = operation.name(),
            issuer = &*span.keys.issuer
        ),
    );
    let result = future.await;
    match &result {
        Ok(_) => span.finish_ok(),
        Err(error) => span.finish_error(error.telemetry_kind()),
    }
    result
}

/// The `issuer` label value for an issuer: the issuer without any user-info, query or fragment
/// (none belong in an issuer, and a user-info part could carry a password).
pub fn issuer_label(issuer: &str) -> String {
    label_text(issuer).into_owned()
}

/// [`issuer_label`], borrowed from `issuer` when nothing is cut out of its middle (the usual
/// case), so that the shared label below is the only copy made.
fn label_text(issuer: &str) -> Cow<'_, str> {
    // Byte searches: this runs on every operation, and `str::find` with a set of chars walks
    // the text char by char. All the delimiters are ASCII, so the cuts are char boundaries.
    let find = |text: &str, byte: u8| text.bytes().position(|b| b == byte);
    let end = issuer
        .bytes()
        .position(|b| b == b'?' || b == b'#')
        .unwrap_or(issuer.len());
    let issuer = &issuer[..end];
    let authority_start = issuer.find("://").map_or(0, |index| index + 3);
    let authority_end = find(&issuer[authority_start..], b'/')
        .map_or(issuer.len(), |index| authority_start + index);
    match issuer[authority_start..authority_end]
        .bytes()
        .rposition(|b| b == b'@')
    {
        Some(at) => Cow::Owned(format!(
            "{}{}",
            &issuer[..authority_start],
            &issuer[authority_start + at + 1..]
        )),
        None => Cow::Borrowed(issuer),
    }
}

/// [`issuer_label`] as a label value whose clones share one allocation (an owned
/// `SharedString` would copy the text on every clone, i.e. on every metric recorded).
pub(crate) fn shared_issuer_label(issuer: &str) -> SharedString {
    SharedString::from(Arc::<str>::from(&*label_text(issuer)))
}

#[cfg(test)]
mod tests {
    use std::future::pending;

    use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
    use metrics_util::{CompositeKey, MetricKind};

    use super::*;

    #[derive(Debug)]
    struct Refused;
    impl TelemetryErrorKind for Refused {
        fn telemetry_kind(&self) -> &'static str {
            "provider_error"
        }
    }

    type Entry = (CompositeKey, DebugValue);

    fn run<F: FnOnce()>(f: F) -> Vec<Entry> {
        let recorder = DebuggingRecorder::new();
        let snapshotter: Snapshotter = recorder.snapshotter();
        metrics::with_local_recorder(&recorder, f);
        snapshotter
            .snapshot()
            .into_vec()
            .into_iter()
            .map(|(key, _, _, value)| (key, value))
            .collect()
    }

    fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(future)
    }

    fn find<'a>(entries: &'a [Entry], name: &str) -> Vec<(Vec<(String, String)>, &'a DebugValue)> {
        entries
            .iter()
            .filter(|(key, _)| key.key().name() == name)
            .map(|(key, value)| {
                let labels = key
                    .key()
                    .labels()
                    .map(|label| (label.key().to_owned(), label.value().to_owned()))
                    .collect();
                (labels, value)
            })
            .collect()
    }

    fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn ok_emits_start_stop_and_duration() {
        let entries = run(|| {
            let result: Result<(), Refused> = block_on(instrument(
                Operation::RegisterClient,
                "https://op.example",
                async { Ok(()) },
            ));
            assert!(result.is_ok());
        });
        let start = find(&entries, "oidc_register_client_start_total");
        assert_eq!(
            start,
            vec![(
                labels(&[("issuer", "https://op.example")]),
                &DebugValue::Counter(1)
            )]
        );
        let stop = find(&entries, "oidc_register_client_stop_total");
        assert_eq!(
            stop,
            vec![(
                labels(&[("issuer", "https://op.example"), ("outcome", "ok")]),
                &DebugValue::Counter(1)
            )]
        );
        assert_duration_outcome(&entries, "oidc_register_client_duration_seconds", "ok");
        assert!(find(&entries, "oidc_register_client_exception_total").is_empty());
        assert!(entries
            .iter()
            .all(|(key, _)| key.kind() != MetricKind::Gauge));
    }

    #[test]
    fn error_emits_stop_with_its_kind() {
        let entries = run(|| {
            let result: Result<(), Refused> = block_on(instrument(
                Operation::LoadJwks,
                "https://op.example",
                async { Err(Refused) },
            ));
            assert!(result.is_err());
        });
        let stop = find(&entries, "oidc_load_jwks_stop_total");
        assert_eq!(
            stop,
            vec![(
                labels(&[
                    ("issuer", "https://op.example"),
                    ("outcome", "error"),
                    ("error", "provider_error")
                ]),
                &DebugValue::Counter(1)
            )]
        );
        assert_duration_outcome(&entries, "oidc_load_jwks_duration_seconds", "error");
    }

    /// One duration sample for `name`, labelled with the issuer and `outcome`.
    fn assert_duration_outcome(entries: &[Entry], name: &str, outcome: &str) {
        let duration = find(entries, name);
        assert_eq!(duration.len(), 1, "{name}");
        assert_eq!(
            duration[0].0,
            labels(&[("issuer", "https://op.example"), ("outcome", outcome)])
        );
        assert!(matches!(duration[0].1, DebugValue::Histogram(values) if values.len() == 1));
    }

    #[test]
    fn dropped_future_emits_exception() {
        let entries = run(|| {
            block_on(async {
                let never = instrument::<(), Refused, _>(
                    Operation::ReadClient,
                    "https://op.example",
                    pending(),
                );
                let timed_out = tokio::time::timeout(std::time::Duration::from_millis(1), never);
                assert!(timed_out.await.is_err());
            });
        });
        assert_eq!(find(&entries, "oidc_read_client_start_total").len(), 1);
        assert!(find(&entries, "oidc_read_client_stop_total").is_empty());
        assert_eq!(
            find(&entries, "oidc_read_client_exception_total"),
            vec![(
                labels(&[("issuer", "https://op.example"), ("reason", "cancelled")]),
                &DebugValue::Counter(1)
            )]
        );
        assert_duration_outcome(&entries, "oidc_read_client_duration_seconds", "exception");
    }

    #[test]
    fn panic_emits_exception_with_reason_panic() {
        let entries = run(|| {
            let outcome = std::panic::catch_unwind(|| {
                let _span = OperationSpan::start(Operation::DeleteClient, "https://op.example");
                panic!("boom");
            });
            assert!(outcome.is_err());
        });
        assert_eq!(
            find(&entries, "oidc_delete_client_exception_total"),
            vec![(
                labels(&[("issuer", "https://op.example"), ("reason", "panic")]),
                &DebugValue::Counter(1)
            )]
        );
        assert_duration_outcome(&entries, "oidc_delete_client_duration_seconds", "exception");
    }

    #[test]
    fn issuer_label_drops_userinfo_query_and_fragment() {
        assert_eq!(
            issuer_label("https://op.example/tenant"),
            "https://op.example/tenant"
        );
        assert_eq!(
            issuer_label("https://user:pw@op.example/t?x=1#f"),
            "https://op.example/t"
        );
        assert_eq!(
            issuer_label("https://op.example/a@b"),
            "https://op.example/a@b"
        );
        assert_eq!(issuer_label("not a url"), "not a url");
    }
}
