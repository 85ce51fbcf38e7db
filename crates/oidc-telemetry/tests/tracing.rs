//! With the `tracing` feature: one span per operation, events at the levels a service owner
//! expects, and no secret, client id or URL path in any field. A minimal subscriber records
//! what is emitted.

// A failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use oidc_telemetry::{instrument, CacheTelemetry, CachedDocument, Operation, TelemetryErrorKind};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

#[derive(Debug)]
struct Failed;

impl TelemetryErrorKind for Failed {
    fn telemetry_kind(&self) -> &'static str {
        "timeout"
    }
}

/// Every span and event as `LEVEL name field=value ...`.
#[derive(Default, Clone)]
struct Lines(Arc<Mutex<Vec<String>>>);

struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={value}", field.name());
    }
}

impl Subscriber for Lines {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut fields = Fields(String::new());
        span.record(&mut fields);
        let line = format!(
            "{} span {}{}",
            span.metadata().level(),
            span.metadata().name(),
            fields.0
        );
        let mut lines = self.0.lock().unwrap();
        lines.push(line);
        Id::from_u64(lines.len() as u64)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields(String::new());
        event.record(&mut fields);
        self.0
            .lock()
            .unwrap()
            .push(format!("{} event{}", event.metadata().level(), fields.0));
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

fn level_of(line: &str) -> Level {
    line.split(' ').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn spans_and_events_at_the_expected_levels_without_secrets() {
    let lines = Lines::default();
    let _guard = tracing::subscriber::set_default(lines.clone());
    let issuer = "https://user:s3cret@op.example/tenant?token=t0ken";

    let ok: Result<(), Failed> =
        instrument(Operation::RegisterClient, issuer, async { Ok(()) }).await;
    ok.unwrap();
    let failed: Result<(), Failed> =
        instrument(Operation::LoadJwks, issuer, async { Err(Failed) }).await;
    assert!(failed.is_err());
    let cache = CacheTelemetry::new(issuer);
    cache.hit(CachedDocument::Configuration);
    cache.refresh_failure(CachedDocument::Jwks, "timeout");

    let lines = lines.0.lock().unwrap().clone();
    assert_eq!(lines.len(), 6, "{lines:#?}");
    assert!(
        lines[0].starts_with(
            "INFO span oidc operation=register_client issuer=https://op.example/tenant"
        ),
        "{lines:#?}"
    );
    assert_eq!(level_of(&lines[1]), Level::DEBUG, "{lines:#?}");
    assert!(lines[1].contains("outcome=ok"));
    assert_eq!(level_of(&lines[3]), Level::INFO, "{lines:#?}");
    assert!(lines[3].contains("outcome=error") && lines[3].contains("error=timeout"));
    // A cache hit is not an info line; a failed refresh is a warning.
    assert_eq!(level_of(&lines[4]), Level::TRACE, "{lines:#?}");
    assert_eq!(level_of(&lines[5]), Level::WARN, "{lines:#?}");
    for line in &lines {
        assert!(
            !line.contains("s3cret") && !line.contains("t0ken"),
            "{line}"
        );
    }
}
