//! The `oidc-register` binary: parse the command line, run it, exit with its code.
//!
//! Usage errors exit with clap's code 2 before anything runs.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    oidc_cli::run(oidc_cli::Cli::parse())
}
