//! The telemetry hook: every operation's `start`, `stop` and `exception` events, with oidcc's
//! measurements, delivered to one handler the application attaches.

use std::fmt;
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};

use crate::Operation;

/// What happened to an operation; see [`TelemetryEvent`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventKind {
    /// The operation started.
    Start,
    /// The operation returned, successfully or with an error.
    Stop,
    /// The operation's future was dropped before it finished, or it panicked.
    Exception,
}

impl EventKind {
    /// `start`, `stop` or `exception`: the last part of the event name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::Stop => "stop",
            Self::Exception => "exception",
        }
    }
}

/// One telemetry event, shaped like the events of Erlang/Elixir's `oidcc`
/// (`[:oidcc, :register_client, :start]` and so on): the event name
/// ([`name`](Self::name): `["oidc", "<operation>", "start" | "stop" | "exception"]`), its
/// measurements and its metadata.
///
/// | event | measurements | metadata | the `metrics` it is also recorded as |
/// |---|---|---|---|
/// | `start` | `system_time`, `monotonic_time` | `issuer` | `oidc_<operation>_start_total` |
/// | `stop` | `duration`, `monotonic_time` | `issuer`, `error` (the bounded kind, on errors) | `oidc_<operation>_stop_total{outcome}` and `oidc_<operation>_duration_seconds{outcome}` |
/// | `exception` | `duration`, `monotonic_time` | `issuer`, `reason` (`cancelled` or `panic`) | `oidc_<operation>_exception_total{reason}` and `oidc_<operation>_duration_seconds{outcome="exception"}` |
///
/// The issuer is the label value (no user-info, query or fragment); no event carries a secret,
/// a client id or a URL path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TelemetryEvent<'a> {
    /// The operation.
    pub operation: Operation,
    /// Start, stop or exception.
    pub kind: EventKind,
    /// The issuer, as its metric label.
    pub issuer: &'a str,
    /// Wall-clock time, on `start` only (oidcc's `system_time`).
    pub system_time: Option<SystemTime>,
    /// A monotonic instant, on every event (oidcc's `monotonic_time`).
    pub monotonic_time: Instant,
    /// Time since `start`, on `stop` and `exception` (oidcc's `duration`).
    pub duration: Option<Duration>,
    /// On a `stop` that failed: the error's bounded kind (`timeout`, `provider_error`, …).
    pub error: Option<&'static str>,
    /// On an `exception`: `cancelled` or `panic`.
    pub reason: Option<&'static str>,
}

impl TelemetryEvent<'_> {
    /// The event name: `["oidc", "<operation>", "start" | "stop" | "exception"]`.
    pub fn name(&self) -> [&'static str; 3] {
        ["oidc", self.operation.name(), self.kind.as_str()]
    }
}

/// Receives every [`TelemetryEvent`]: attach one with [`set_handler`] for logging, tracing or
/// auditing of your own, without the `metrics` crate. Object-safe; handlers must be quick and
/// must not block, as they run inline in the operation.
///
/// ```
/// use oidc_telemetry::{TelemetryEvent, TelemetryHandler};
///
/// struct Audit;
///
/// impl TelemetryHandler for Audit {
///     fn handle(&self, event: &TelemetryEvent<'_>) {
///         let [_, operation, kind] = event.name();
///         eprintln!("{operation} {kind} for {} after {:?}", event.issuer, event.duration);
///     }
/// }
///
/// // Once, at start-up (a second call is refused):
/// oidc_telemetry::set_handler(Box::new(Audit)).expect("no handler attached yet");
/// ```
pub trait TelemetryHandler: Send + Sync {
    /// Called for every event.
    fn handle(&self, event: &TelemetryEvent<'_>);
}

/// The handler in force until one is attached: does nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoopHandler;

impl TelemetryHandler for NoopHandler {
    fn handle(&self, _event: &TelemetryEvent<'_>) {}
}

/// [`set_handler`] was called when a handler was already attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandlerAlreadySet;

impl fmt::Display for HandlerAlreadySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a telemetry handler is already attached to this process")
    }
}

impl std::error::Error for HandlerAlreadySet {}

static HANDLER: OnceLock<Box<dyn TelemetryHandler>> = OnceLock::new();

/// Attaches the process's telemetry handler, once (like `metrics::set_global_recorder`). The
/// `metrics` output is recorded as well, whether or not a handler is attached.
///
/// # Errors
///
/// [`HandlerAlreadySet`] when one is attached already; the new one is dropped.
pub fn set_handler(handler: Box<dyn TelemetryHandler>) -> Result<(), HandlerAlreadySet> {
    HANDLER.set(handler).map_err(|_| HandlerAlreadySet)
}

/// Delivers `event` to the attached handler, if there is one.
pub(crate) fn emit(event: &TelemetryEvent<'_>) {
    if let Some(handler) = HANDLER.get() {
        handler.handle(event);
    }
}
