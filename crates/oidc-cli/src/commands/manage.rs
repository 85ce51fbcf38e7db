//! `read`, `update` and `delete`: registration management (RFC 7592) from a registration file.

use oidc_registration::{delete_client, read_client, replace_client, update_client};
use oidc_types::{AppliedAnswer, RegisteredClient};
use serde_json::json;

use super::client_document;
use crate::cli::{ManageArgs, UpdateArgs};
use crate::context::Context;
use crate::metadata_input;
use crate::output::{print_document, progress, warn_about};
use crate::registration_file;
use crate::CliError;

/// Reads the registration and prints it; rewrites the file when anything changed, rotated
/// credentials above all (the old ones stop working at once).
pub(super) async fn read(context: &Context, args: &ManageArgs) -> Result<(), CliError> {
    let mut client = registration_file::load(&args.registration)?;
    let before = client.clone();
    progress(&format!("reading client {}", client.client_id));
    let applied = read_client(&mut client, &context.management_options(true))
        .await
        .map_err(CliError::from_registration)?;
    persist_and_print(
        context,
        args.registration.as_path(),
        &before,
        &client,
        &applied,
    )
}

/// Updates the registration and prints the result; rewrites the file.
///
/// Without `--metadata`, each `--set` changes one member and everything else goes back exactly
/// as the provider stored it (`update_client`). With `--metadata FILE`, FILE plus each `--set`
/// replaces the whole registration (`replace_client`): RFC 7592 updates are full
/// replacements, so a member left out is deleted.
pub(super) async fn update(context: &Context, args: UpdateArgs) -> Result<(), CliError> {
    let mut client = registration_file::load(&args.registration)?;
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
    persist_and_print(
        context,
        args.registration.as_path(),
        &before,
        &client,
        &applied,
    )
}

/// Deletes the registration, then its file: only once the provider confirmed, so a refused
/// deletion keeps the credentials needed to try again.
pub(super) async fn delete(context: &Context, args: &ManageArgs) -> Result<(), CliError> {
    let client = registration_file::load(&args.registration)?;
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
    if let Err(error) = std::fs::remove_file(&args.registration) {
        print_document(&receipt, context.output)?;
        return Err(CliError::local(format!(
            "deleted client {} but cannot remove {}: {error}",
            client.client_id,
            args.registration.display()
        ))
        .with_hint("remove it by hand: its credentials no longer work"));
    }
    progress(&format!("removed {}", args.registration.display()));
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
