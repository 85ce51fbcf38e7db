//! `oidc-register`: discover OpenID Providers and register and manage OAuth 2.0 / OpenID Connect
//! clients from the command line or a deployment script.
//!
//! ```text
//! oidc-register discover <ISSUER> [--well-known openid|oauth|both] [--issuer-pattern REGEX]
//! oidc-register jwks <ISSUER>
//! oidc-register register <ISSUER> [--redirect-uri URI]... [--metadata FILE|-] [--set KEY=JSON]...
//!                        [--initial-access-token-env VAR | --initial-access-token-file FILE]
//!                        [--save FILE] [--no-validate]
//! oidc-register read   --registration FILE
//! oidc-register update --registration FILE [--metadata FILE|-] [--set KEY=JSON]...
//! oidc-register delete --registration FILE
//! oidc-register demo
//! common: [--timeout SECONDS] [--allow-http] [--metrics] [--output json|pretty]
//! ```
//!
//! The command line is a contract scripts depend on; see the crate's `README.md` for each
//! subcommand's exact behaviour. In short:
//!
//! - stdout carries exactly one JSON document (the provider metadata, the key set, the
//!   registered client **with its credentials**, a deletion receipt, or the demo's summary);
//!   progress, warnings, errors and `--metrics` go to stderr;
//! - the exit code says what happened ([`ExitKind`]): 0 success, 2 usage, 3 client metadata
//!   invalid (nothing sent), 4 the provider refused, 5 transport or protocol failure, and 1 for
//!   a local failure after the provider already acted (the registration file could not be
//!   written; the credentials are then still printed to stdout so they are not lost);
//! - tokens are never taken from the command line (they would show in `ps`), and never printed
//!   to stderr.
//!
//! The binary is a thin shell around [`run`]; everything is a library so it can be tested.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

pub mod cli;
mod commands;
mod context;
pub mod exit;
pub mod metadata_input;
pub mod output;
pub mod registration_file;

use std::process::ExitCode;

pub use cli::Cli;
pub use exit::{CliError, ExitKind};
pub use output::terminal_safe;

/// Runs one parsed command line to completion and returns the process exit code.
///
/// Builds a Tokio runtime and one HTTP client for the run, installs the Prometheus recorder
/// when `--metrics` is given (and renders it to stderr at the end, whatever the outcome), and
/// reports a failure as one `error:` line, plus a `hint:` line where one helps, on stderr.
pub fn run(cli: Cli) -> ExitCode {
    let metrics = if cli.common.metrics {
        match output::install_metrics_recorder() {
            Ok(handle) => Some(handle),
            Err(error) => return report(&error),
        }
    } else {
        None
    };
    let result = run_command(cli);
    if let Some(handle) = metrics {
        output::render_metrics(&handle);
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => report(&error),
    }
}

fn run_command(cli: Cli) -> Result<(), CliError> {
    // One thread is plenty for one request at a time, and keeps the process small.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| CliError::local(format!("cannot start the async runtime: {error}")))?;
    runtime.block_on(async {
        let context = context::Context::new(&cli.common)?;
        commands::dispatch(&context, cli.command).await
    })
}

fn report(error: &CliError) -> ExitCode {
    // One `progress` line each: the message and the hint are terminal-safe on their own, and
    // the line break between them is the CLI's.
    for line in error.render().lines() {
        output::progress(line);
    }
    ExitCode::from(error.kind().code())
}
