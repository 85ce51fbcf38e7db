//! `demo`: the whole life of a registration against the bundled loopback provider.

use oidc_discovery::load_configuration;
use oidc_registration::{delete_client, read_client, register_client, update_client};
use oidc_test_provider::TestProvider;
use oidc_types::{ApplicationType, ClientMetadata, RegisteredClient};
use serde_json::{json, Value};

use super::client_document;
use crate::cli::DiscoveryArgs;
use crate::context::Context;
use crate::output::{print_document, progress};
use crate::CliError;

const REDACTED: &str = "<redacted>";

/// Starts the in-process provider on 127.0.0.1 and walks discover, register, read, update and
/// delete, narrating on stderr. stdout gets one summary document with the secrets redacted: a
/// demo's output gets pasted into issues and chats.
pub(super) async fn run(context: &Context) -> Result<(), CliError> {
    // Rotating the token on update shows what `update` does with a registration file.
    let provider = TestProvider::builder()
        .rotate_token_on_update(true)
        .start()
        .await;
    let issuer = provider.issuer();
    progress(&format!("== started the bundled provider at {issuer}"));

    progress("== discover");
    let options = context.discovery_options(&DiscoveryArgs {
        well_known: Some(crate::cli::WellKnownArg::Openid),
        issuer_pattern: None,
    });
    let configuration = load_configuration(&issuer, &options)
        .await
        .map_err(CliError::from_discovery)?;
    let registration_endpoint = configuration.metadata.registration_endpoint.clone();
    progress(&format!(
        "registration endpoint: {}",
        registration_endpoint.as_deref().unwrap_or("-")
    ));

    progress("== register");
    let mut metadata = ClientMetadata::new(["http://127.0.0.1:8400/callback"]);
    metadata.application_type = Some(ApplicationType::Native);
    metadata.client_name.set_value("oidc-register demo");
    metadata.client_name.set_tagged("ja-Jpan-JP", "デモ");
    metadata.contacts = Some(vec!["ops@example.com".to_owned()]);
    let mut client = register_client(
        &configuration.metadata,
        &metadata,
        &context.register_options(true),
    )
    .await
    .map_err(CliError::from_registration)?
    .client;
    progress(&format!(
        "client_id {}, client_secret {REDACTED}, registration_access_token {REDACTED}",
        client.client_id
    ));
    let registered = redacted(&client)?;

    progress("== read");
    let read = read_client(&mut client, &context.management_options(true))
        .await
        .map_err(CliError::from_registration)?;
    progress(&format!(
        "client_name {:?}, credentials rotated: {}",
        client.metadata().client_name.value().unwrap_or_default(),
        read.credentials_changed()
    ));

    progress("== update");
    let updated = update_client(
        &mut client,
        |metadata| {
            metadata
                .client_name
                .set_value("oidc-register demo, renamed")
        },
        &context.management_options(true),
    )
    .await
    .map_err(CliError::from_registration)?;
    progress(&format!(
        "client_name {:?}, registration access token rotated: {} (a registration file would be rewritten)",
        client.metadata().client_name.value().unwrap_or_default(),
        updated.changes.registration_access_token_rotated
    ));

    progress("== delete");
    delete_client(&client, &context.management_options(true))
        .await
        .map_err(CliError::from_registration)?;
    progress(&format!("deleted client {}", client.client_id));

    let summary = json!({
        "issuer": issuer,
        "steps": [
            {"step": "discover", "registration_endpoint": registration_endpoint},
            {"step": "register", "client": registered},
            {"step": "read", "credentials_rotated": read.credentials_changed()},
            {
                "step": "update",
                "client_name": client.metadata().client_name.value(),
                "registration_access_token_rotated": updated.changes.registration_access_token_rotated,
            },
            {"step": "delete", "deleted": true},
        ],
    });
    print_document(&summary, context.output)
}

/// The client as `register` prints it, with the credentials replaced by `<redacted>`.
fn redacted(client: &RegisteredClient) -> Result<Value, CliError> {
    let mut document = client_document(client)?;
    if let Value::Object(object) = &mut document {
        for key in ["client_secret", "registration_access_token"] {
            if let Some(value) = object.get_mut(key) {
                *value = Value::String(REDACTED.to_owned());
            }
        }
    }
    Ok(document)
}
