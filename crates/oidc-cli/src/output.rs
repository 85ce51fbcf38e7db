//! Where things are printed: the one JSON document on stdout, everything else on stderr.
//!
//! Anything a provider sent (ids, descriptions, URLs, names, key ids) is data, not terminal
//! control: every stderr line goes through [`terminal_safe`], and the stdout document has the
//! characters JSON leaves raw but terminals obey escaped as `\uXXXX`.
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
    let text = json_terminal_safe(&text);
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

/// Bucket bounds, in seconds, of the operation duration histograms `--metrics` prints.
const DURATION_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Prints a line of progress, a warning or an error to stderr, made [terminal safe](terminal_safe).
pub fn progress(line: &str) {
    eprintln!("{}", terminal_safe(line));
}

/// `text` as one line that cannot drive a terminal: line breaks, tabs and every other control
/// character (C0, DEL, C1, so ANSI escape sequences too) and the Unicode characters that
/// reorder or break lines (bidirectional overrides and isolates, line and paragraph
/// separators) are written as visible escapes (`\n`, `\r`, `\t`, `\u{1b}`, `\u{202e}`, …), so
/// a provider cannot forge an `error:` line, recolour the screen or hide text.
///
/// ```
/// # use oidc_cli::terminal_safe;
/// assert_eq!(terminal_safe("id\n\u{1b}[31merror: forged"), "id\\n\\u{1b}[31merror: forged");
/// ```
pub fn terminal_safe(text: &str) -> String {
    let mut safe = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => safe.push_str("\\n"),
            '\r' => safe.push_str("\\r"),
            '\t' => safe.push_str("\\t"),
            c if drives_a_terminal(c) => safe.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => safe.push(c),
        }
    }
    safe
}

/// Control characters, and the format characters that reorder text or break lines.
fn drives_a_terminal(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
        )
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// A JSON text with the characters serde_json writes raw inside strings but a terminal would
/// obey (DEL, C1 controls, bidi and line-separator characters) written as `\uXXXX` escapes: the
/// same JSON value, safe to print. (serde_json already escapes C0 controls.)
fn json_terminal_safe(json: &str) -> String {
    let mut safe = String::with_capacity(json.len());
    for c in json.chars() {
        if drives_a_terminal(c) && u32::from(c) >= 0x7f {
            // All of these are in the Basic Multilingual Plane: one `\uXXXX` each.
            safe.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            safe.push(c);
        }
    }
    safe
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
    // Buckets make the `*_duration_seconds` metrics histograms, as documented, rather than the
    // exporter's default summaries: from a loopback call to a slow provider's 30 s timeout.
    let recorder = PrometheusBuilder::new()
        .set_buckets_for_metric(
            metrics_exporter_prometheus::Matcher::Suffix("_duration_seconds".to_owned()),
            DURATION_BUCKETS,
        )
        .map_err(|error| CliError::local(format!("cannot configure the metrics: {error}")))?
        .build_recorder();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_text_cannot_forge_lines_or_drive_the_terminal() {
        let hostile = "abc\nerror: forged\r\x1b[2J\u{9b}31m\u{202e}txt.exe\u{2028}x\ty\u{7f}";
        let safe = terminal_safe(hostile);
        assert_eq!(
            safe,
            "abc\\nerror: forged\\r\\u{1b}[2J\\u{9b}31m\\u{202e}txt.exe\\u{2028}x\\ty\\u{7f}"
        );
        assert!(safe.chars().all(|c| !drives_a_terminal(c)));
        assert_eq!(terminal_safe("plain text, ünïcödé"), "plain text, ünïcödé");
    }

    #[test]
    fn the_stdout_document_stays_the_same_json_value() {
        let value = serde_json::json!({"client_id": "a\u{9b}b\u{202e}c\u{7f}\n\u{1b}"});
        let text = json_terminal_safe(&serde_json::to_string(&value).unwrap());
        assert!(text.chars().all(|c| !drives_a_terminal(c)), "{text}");
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), value);
    }
}
