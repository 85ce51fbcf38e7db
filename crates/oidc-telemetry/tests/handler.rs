//! The telemetry hook: one attached handler receives every event with oidcc's measurements.
//! (One test per binary: the handler is process-wide and attached once.)

// A failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use oidc_telemetry::{
    instrument, set_handler, EventKind, Operation, TelemetryErrorKind, TelemetryEvent,
    TelemetryHandler,
};

#[derive(Debug)]
struct Failed;

impl TelemetryErrorKind for Failed {
    fn telemetry_kind(&self) -> &'static str {
        "provider_error"
    }
}

/// What a handler saw, owned.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    name: [&'static str; 3],
    issuer: String,
    has_system_time: bool,
    duration: Option<Duration>,
    error: Option<&'static str>,
    reason: Option<&'static str>,
}

struct Recording(Arc<Mutex<Vec<Seen>>>);

impl TelemetryHandler for Recording {
    fn handle(&self, event: &TelemetryEvent<'_>) {
        self.0.lock().unwrap().push(Seen {
            name: event.name(),
            issuer: event.issuer.to_owned(),
            has_system_time: event.system_time.is_some(),
            duration: event.duration,
            error: event.error,
            reason: event.reason,
        });
    }
}

#[tokio::test(start_paused = true)]
async fn every_event_reaches_the_handler_with_oidccs_measurements() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    set_handler(Box::new(Recording(Arc::clone(&seen)))).unwrap();
    assert!(set_handler(Box::new(oidc_telemetry::NoopHandler)).is_err());

    let issuer = "https://user:pw@op.example/tenant?x=1";
    let ok: Result<(), Failed> =
        instrument(Operation::RegisterClient, issuer, async { Ok(()) }).await;
    ok.unwrap();
    let failed: Result<(), Failed> =
        instrument(Operation::ReadClient, issuer, async { Err(Failed) }).await;
    assert!(failed.is_err());
    // Cancelled: the future is dropped before it finishes.
    let pending =
        instrument::<(), Failed, _>(Operation::DeleteClient, issuer, std::future::pending());
    let _ = tokio::time::timeout(Duration::from_millis(5), pending).await;

    let seen = seen.lock().unwrap().clone();
    let names: Vec<[&str; 3]> = seen.iter().map(|event| event.name).collect();
    assert_eq!(
        names,
        [
            ["oidc", "register_client", "start"],
            ["oidc", "register_client", "stop"],
            ["oidc", "read_client", "start"],
            ["oidc", "read_client", "stop"],
            ["oidc", "delete_client", "start"],
            ["oidc", "delete_client", "exception"],
        ]
    );
    for event in &seen {
        // The issuer label: no user-info, query or fragment.
        assert_eq!(event.issuer, "https://op.example/tenant");
        let start = event.name[2] == EventKind::Start.as_str();
        assert_eq!(event.has_system_time, start, "{event:?}");
        assert_eq!(event.duration.is_some(), !start, "{event:?}");
    }
    assert_eq!(seen[1].error, None);
    assert_eq!(seen[3].error, Some("provider_error"));
    assert_eq!(seen[5].reason, Some("cancelled"));
}
