//! Where things are printed: the one JSON document on stdout, everything else on stderr.
//!
//! stdout is written through `io::Write` rather than `println!`, so a closed pipe (`| head`)
//! is an error to report instead of a panic; progress goes to stderr with `eprintln!`, which
//! never competes with the document a script reads.

use std::io::Write;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use serde_json::Value;

use crate::cli::OutputFormat;
use crate::CliError;

/// Prints `document` to stdout as the run's one JSON document, on one line or indented.
///
/// # Errors
///
/// [`ExitKind::Local`](crate::ExitKind::Local) when stdout cannot be written.
pub fn print_document(document: &Value, format: OutputFormat) -> Result<(), CliError> {
    let text = match format {
        OutputFormat::Json => serde_json::to_string(document),
        OutputFormat::Pretty => serde_json::to_string_pretty(document),
    }
    .map_err(|error| CliError::local(format!("cannot format the output: {error}")))?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{text}")
        .and_then(|()| stdout.flush())
        .map_err(|error| CliError::local(format!("cannot write to stdout: {error}")))
}

/// One `warning:` line on stderr per thing that was odd about a provider's answer that was
/// used all the same.
pub fn warn_about(problems: &[oidc_types::ResponseProblem]) {
    for problem in problems {
        progress(&format!("warning: the provider's answer: {problem}"));
    }
}

/// Prints a line of progress, a warning or an error to stderr.
pub fn progress(line: &str) {
    eprintln!("{line}");
}

/// Installs a Prometheus recorder as the process's global `metrics` recorder, for `--metrics`.
///
/// Only rendering is compiled in (no HTTP listener, no push gateway): the metrics are printed
/// once, at the end of the run.
///
/// # Errors
///
/// [`ExitKind::Local`](crate::ExitKind::Local) when a global recorder is already installed.
pub fn install_metrics_recorder() -> Result<PrometheusHandle, CliError> {
    let recorder = PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    metrics::set_global_recorder(recorder).map_err(|error| {
        CliError::local(format!("cannot install the metrics recorder: {error}"))
    })?;
    Ok(handle)
}

/// Prints what the recorder collected, in Prometheus text format, to stderr.
pub fn render_metrics(handle: &PrometheusHandle) {
    let text = handle.render();
    let mut stderr = std::io::stderr().lock();
    // Best effort: the run's outcome is already decided, and stderr is all there is to report
    // a failure to.
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.flush();
}
