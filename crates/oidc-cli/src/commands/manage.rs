//! `read`, `update` and `delete`: registration management (RFC 7592) from a registration file.

use std::path::Path;

use oidc_registration::{delete_client, read_client, replace_client, update_client};
use oidc_store::{delete_stored, read_stored, replace_stored, update_stored, ManagedAnswer};
use oidc_types::{AppliedAnswer, RegisteredClient};
use serde_json::json;

use super::{client_document, stored};
use crate::cli::{ManageArgs, RegistrationArgs, UpdateArgs};
use crate::context::Context;
use crate::metadata_input;
use crate::output::{print_document, progress, warn_about};
use crate::registration_file;
use crate::CliError;

/// Reads the registration and prints it; rewrites the file when anything changed, rotated
/// credentials above all (the old ones stop working at once).
pub(super) async fn read(context: &Context, args: &ManageArgs) -> Result<(), CliError> {
    if let Some((store, key)) = stored::target(&args.target).await? {
        progress(&format!("reading registration {key}"));
        let answer = read_stored(&*store, &key, &stored::options(context, true))
            .await
            .map_err(|error| stored::failure(error, context))?;
        return print_stored(context, &answer);
    }
    let path = file_of(&args.target)?;
    let mut client = registration_file::load(path)?;
    let before = client.clone();
    progress(&format!("reading client {}", client.client_id));
    let applied = read_client(&mut client, &context.management_options(true))
        .await
        .map_err(CliError::from_registration)?;
    persist_and_print(context, path, &before, &client, &applied)
}

/// The `--registration` file (clap requires it unless `--store` is given).
fn file_of(args: &RegistrationArgs) -> Result<&Path, CliError> {
    args.registration
        .as_deref()
        .ok_or_else(|| CliError::usage("give --registration FILE or --store"))
}

/// Reports and prints a store-backed call's result; the store holds it already.
fn print_stored(context: &Context, answer: &ManagedAnswer) -> Result<(), CliError> {
    if answer.applied.credentials_changed() {
        progress("the provider rotated the client's credentials; the store holds the new ones");
    }
    warn_about(&answer.applied.problems);
    print_document(&client_document(&answer.client)?, context.output)
}

/// Updates the registration and prints the result; rewrites the file.
///
/// Without `--metadata`, each `--set` changes one member and everything else goes back exactly
/// as the provider stored it (`update_client`). With `--metadata FILE`, FILE plus each `--set`
/// replaces the whole registration (`replace_client`): RFC 7592 updates are full
/// replacements, so a member left out is deleted.
pub(super) async fn update(context: &Context, args: UpdateArgs) -> Result<(), CliError> {
    if let Some((store, key)) = stored::target(&args.target).await? {
        let options = stored::options(context, !args.no_validate);
        progress(&format!("updating registration {key}"));
        let answer = match &args.metadata {
            Some(path) => {
                let base = metadata_input::read_document(path, std::io::stdin().lock())?;
                let object = metadata_input::merge(base, &[], &args.set)?;
                let metadata = metadata_input::to_client_metadata(&object)?;
                replace_stored(&*store, &key, &metadata, &options).await
            }
            None => {
                // The stored typed view plus the --set members, as for a file.
                let current = store
                    .load(&key)
                    .await
                    .map_err(|error| {
                        CliError::usage(format!("--store: {}", crate::exit::with_causes(&error)))
                    })?
                    .ok_or_else(|| {
                        CliError::usage(format!("no registration {key} in the store"))
                    })?;
                let view = metadata_input::to_object(current.record.client.metadata())?;
                let object = metadata_input::merge(view, &[], &args.set)?;
                let edited = metadata_input::to_client_metadata(&object)?;
                update_stored(
                    &*store,
                    &key,
                    |metadata| *metadata = edited.clone(),
                    &options,
                )
                .await
            }
        }
        .map_err(|error| stored::failure(error, context))?;
        return print_stored(context, &answer);
    }
    let path = file_of(&args.target)?;
    let mut client = registration_file::load(path)?;
    // update_client / replace_client validate before sending (unless --no-validate) and answer
    // InvalidMetadata, which maps to exit 3 like any other metadata problem.
    let options = context.management_options(!args.no_validate);
    let before = client.clone();
    progress(&format!("updating client {}", client.client_id));
    let applied = match &args.metadata {
        Some(path) => {
            let base = metadata_input::read_document(path, std::io::stdin().lock())?;
            let object = metadata_input::merge(base, &[], &args.set)?;
            let metadata = metadata_input::to_client_metadata(&object)?;
            replace_client(&mut client, &metadata, &options).await
        }
        None => {
            // The typed view plus the --set members: only what --set touches differs from it.
            let view = metadata_input::to_object(client.metadata())?;
            let object = metadata_input::merge(view, &[], &args.set)?;
            let edited = metadata_input::to_client_metadata(&object)?;
            update_client(&mut client, |metadata| *metadata = edited, &options).await
        }
    }
    .map_err(CliError::from_registration)?;
    persist_and_print(context, path, &before, &client, &applied)
}

/// Deletes the registration, then its file: only once the provider confirmed, so a refused
/// deletion keeps the credentials needed to try again.
pub(super) async fn delete(context: &Context, args: &ManageArgs) -> Result<(), CliError> {
    if let Some((store, key)) = stored::target(&args.target).await? {
        progress(&format!("deleting registration {key}"));
        let client_id = store
            .load(&key)
            .await
            .ok()
            .flatten()
            .map(|found| found.record.client.client_id);
        delete_stored(&*store, &key, &stored::options(context, true))
            .await
            .map_err(|error| stored::failure(error, context))?;
        progress(&format!("deleted registration {key} and its record"));
        let receipt = json!({"deleted": true, "issuer": key.issuer, "client_id": client_id});
        return print_document(&receipt, context.output);
    }
    let path = file_of(&args.target)?;
    let client = registration_file::load(path)?;
    progress(&format!("deleting client {}", client.client_id));
    delete_client(&client, &context.management_options(true))
        .await
        .map_err(CliError::from_registration)?;
    progress(&format!("deleted client {}", client.client_id));
    let receipt = json!({
        "deleted": true,
        "issuer": client.issuer,
        "client_id": client.client_id,
    });
    if let Err(error) = std::fs::remove_file(path) {
        print_document(&receipt, context.output)?;
        return Err(CliError::local(format!(
            "deleted client {} but cannot remove {}: {error}",
            client.client_id,
            path.display()
        ))
        .with_hint("remove it by hand: its credentials no longer work"));
    }
    progress(&format!("removed {}", path.display()));
    print_document(&receipt, context.output)
}

/// Rewrites the file when the registration changed, then reports what was odd about the
/// provider's answer (one warning line each), then prints the registration. When the rewrite
/// fails the registration is printed all the same: after a rotation stdout holds the only
/// working credentials.
fn persist_and_print(
    context: &Context,
    path: &std::path::Path,
    before: &RegisteredClient,
    client: &RegisteredClient,
    applied: &AppliedAnswer,
) -> Result<(), CliError> {
    if applied.credentials_changed() {
        progress("the provider rotated the client's credentials");
    }
    let document = client_document(client)?;
    let rewrite = if client != before {
        registration_file::write(path, client)
    } else {
        Ok(())
    };
    warn_about(&applied.problems);
    if let Err(error) = rewrite {
        print_document(&document, context.output)?;
        return Err(
            CliError::local(format!("cannot rewrite {}: {error}", path.display())).with_hint(
                "the current credentials are on stdout: keep them, the file's may no longer work",
            ),
        );
    }
    if client != before {
        progress(&format!("rewrote {} (mode 0600)", path.display()));
    }
    print_document(&document, context.output)
}
