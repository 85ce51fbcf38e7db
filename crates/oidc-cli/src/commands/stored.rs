//! `--store`: the subcommands on a registration store (oidc-store) instead of a single file.

use std::sync::Arc;

use oidc_store::{
    FileStore, ManagedError, ManagedErrorKind, PostgresStore, RegistrationStore, StoreKey,
    StoreOptions,
};

use super::client_document;
use crate::cli::RegistrationArgs;
use crate::context::Context;
use crate::exit::{with_causes, ExitKind};
use crate::output::print_document;
use crate::CliError;

/// Opens the store `spec` names: a `postgres://` (or `postgresql://`) URL, else a directory.
pub(super) async fn open(spec: &str) -> Result<Arc<dyn RegistrationStore>, CliError> {
    if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
        // The URL may hold a password: errors say only what failed.
        let store = PostgresStore::connect(spec)
            .await
            .map_err(|error| CliError::usage(format!("--store: {}", with_causes(&error))))?;
        store
            .migrate()
            .await
            .map_err(|error| CliError::usage(format!("--store: {}", with_causes(&error))))?;
        Ok(Arc::new(store))
    } else {
        let store = FileStore::open(spec)
            .map_err(|error| CliError::usage(format!("--store {spec}: {}", with_causes(&error))))?;
        Ok(Arc::new(store))
    }
}

/// The store and key a management subcommand names with `--store`, `--issuer` and `--name`;
/// `None` when it names a `--registration` file.
pub(super) async fn target(
    args: &RegistrationArgs,
) -> Result<Option<(Arc<dyn RegistrationStore>, StoreKey)>, CliError> {
    let Some(spec) = &args.store.store else {
        return Ok(None);
    };
    let issuer = args.issuer.as_deref().ok_or_else(|| {
        CliError::usage(
            "--store needs --issuer: registrations in a store are named by issuer and --name",
        )
    })?;
    let store = open(spec).await?;
    Ok(Some((store, StoreKey::new(issuer, args.store.name()))))
}

/// The store-backed calls' options, from the command line's.
pub(super) fn options(context: &Context, validate: bool) -> StoreOptions {
    StoreOptions::default()
        .with_register_options(context.register_options(validate))
        .with_management_options(context.management_options(validate))
}

/// Maps a store-backed failure. When the provider acted but the store could not take its
/// answer, the credentials are printed first: stdout then holds the only copy.
pub(super) fn failure(error: ManagedError, context: &Context) -> CliError {
    if let Some(client) = error.unstored_client() {
        if let Ok(document) = client_document(client) {
            let _ = print_document(&document, context.output);
        }
    }
    let key = error.key().clone();
    match error.into_kind() {
        ManagedErrorKind::Registration(source) => CliError::from_registration(source),
        ManagedErrorKind::Gone { source, .. } => CliError::from_registration(source),
        ManagedErrorKind::CredentialsLost { client_id, source } => CliError::new(
            ExitKind::Refused,
            format!("the provider rejected the stored token of client {client_id}: {source}"),
        )
        .with_hint("an earlier call's answer was never stored (the process was stopped), so the provider has probably rotated the token; issue a new one at the provider"),
        ManagedErrorKind::NotStored => {
            CliError::usage(format!("no registration {key} in the store"))
                .with_hint("register one with `oidc-register register ISSUER --store ...`")
        }
        kind @ (ManagedErrorKind::Unstored { .. } | ManagedErrorKind::KeyTaken { .. }) => {
            CliError::local(format!("registration {key}: {}", with_causes(&kind)))
                .with_hint("the current credentials are on stdout: keep them")
        }
        kind => CliError::new(ExitKind::Failed, format!("registration {key}: {}", with_causes(&kind))),
    }
}
