//! `register`.

use std::path::Path;

use oidc_registration::{
    register_client, RegistrationError, RegistrationErrorKind, RegistrationOperation,
};
use oidc_store::{ensure_registered, EnsureOutcome, RegistrationStore, StoreKey};
use oidc_types::Secret;
use serde_json::Map;

use super::{client_document, configuration, configuration_defaulting};
use crate::cli::{RegisterArgs, WellKnownArg};
use crate::context::Context;
use crate::exit::ExitKind;
use crate::metadata_input;
use crate::output::{print_document, progress, warn_about};
use crate::registration_file::Reservation;
use crate::CliError;

/// Registers a client and prints it with its credentials; with `--save`, writes it too.
///
/// Everything that can be checked locally is checked before the first request: the `--save`
/// target, the initial access token, the metadata.
pub(super) async fn run(context: &Context, args: RegisterArgs) -> Result<(), CliError> {
    let reservation = args.save.as_deref().map(Reservation::new).transpose()?;
    // Opened first, like the --save reservation: a store that cannot be used is reported
    // before anything is sent.
    let store = match &args.store.store {
        Some(spec) => Some(super::stored::open(spec).await?),
        None => None,
    };
    let token = initial_access_token(&args)?;

    let base = match &args.metadata {
        Some(path) => metadata_input::read_document(path, std::io::stdin().lock())?,
        None => Map::new(),
    };
    let object = metadata_input::merge(base, &args.redirect_uris, &args.set)?;
    let metadata = metadata_input::to_client_metadata(&object)?;
    let validate = !args.no_validate;
    if validate {
        // Checked here rather than by `register`, which would check only after discovery: this
        // way invalid metadata sends nothing at all.
        metadata.validate().map_err(|errors| {
            CliError::from_registration(RegistrationError::new(
                RegistrationOperation::Register,
                RegistrationErrorKind::InvalidMetadata(errors),
            ))
        })?;
    }

    let provider = match (&args.issuer, &args.via_resource) {
        (Some(issuer), _) => configuration(context, issuer, &args.discovery).await?,
        (None, Some(resource)) => {
            let resource = super::resource::probe(context, resource, &args.discovery).await?;
            let Some(issuer) = resource.metadata.authorization_servers().first() else {
                return Err(CliError::new(
                    ExitKind::Refused,
                    format!(
                        "the protected resource {} names no authorization server",
                        resource.metadata.resource
                    ),
                ));
            };
            configuration_defaulting(context, issuer, &args.discovery, WellKnownArg::Mcp).await?
        }
        // clap requires one of them.
        (None, None) => return Err(CliError::usage("give an ISSUER or --via-resource URL")),
    };
    // Validated above already; no need to check the same metadata twice.
    let mut options = context.register_options(false);
    if let Some(token) = token {
        options = options.with_initial_access_token(token);
    }
    if let Some(store) = store {
        let key = StoreKey::new(&provider.metadata.issuer, args.store.name());
        return register_in_store(
            context,
            &*store,
            &key,
            &provider.metadata,
            &metadata,
            options,
        )
        .await;
    }
    progress(&format!(
        "registering a client with {}",
        provider.metadata.issuer
    ));
    let registration = match register_client(&provider.metadata, &metadata, &options).await {
        Ok(registration) => registration,
        Err(error) => {
            // A success answer without a usable client id: the provider may have registered a
            // client all the same, and its answer is the only record of it.
            if let Some(body) = error.response_body() {
                print_unusable_answer(body.expose(), context)?;
            }
            return Err(CliError::from_registration(error));
        }
    };
    let (client, problems) = (registration.client, registration.problems);
    progress(&format!("registered client {}", client.client_id));
    let document = client_document(&client)?;

    if let (Some(reservation), Some(path)) = (reservation, args.save.as_deref()) {
        if let Err(error) = reservation.commit(&client) {
            // The provider has the client now: its credentials must not be lost.
            print_document(&document, context.output)?;
            return Err(CliError::local(format!(
                "registered client {} but cannot write {}: {error}",
                client.client_id,
                path.display()
            ))
            .with_hint("its credentials are on stdout: keep them, or delete the client"));
        }
        progress(&format!(
            "saved the registration to {} (mode 0600)",
            path.display()
        ));
    }
    // After the file is written: the credentials are safe whatever the warnings say.
    warn_about(&problems);
    print_document(&document, context.output)
}

/// `register --store`: registers unless the store has the registration already (like `--save`,
/// it never replaces one), and stores it.
async fn register_in_store(
    context: &Context,
    store: &dyn RegistrationStore,
    key: &StoreKey,
    provider: &oidc_types::ProviderMetadata,
    metadata: &oidc_types::ClientMetadata,
    options: oidc_registration::RegisterOptions,
) -> Result<(), CliError> {
    let exists = || {
        CliError::usage(format!("registration {key} is in the store already")).with_hint(
            "choose another --name, or manage that one with read / update / delete --store",
        )
    };
    let stored = store.load(key).await.map_err(|error| {
        CliError::usage(format!("--store: {}", crate::exit::with_causes(&error)))
    })?;
    if stored.is_some() {
        return Err(exists());
    }
    progress(&format!(
        "registering a client with {} as {key}",
        provider.issuer
    ));
    let options = super::stored::options(context, false).with_register_options(options);
    let ensured = ensure_registered(store, key, provider, metadata, &options)
        .await
        .map_err(|error| {
            if let Some(body) = error.registration_error().and_then(|e| e.response_body()) {
                let _ = print_unusable_answer(body.expose(), context);
            }
            super::stored::failure(error, context)
        })?;
    if ensured.outcome != EnsureOutcome::Registered {
        // Another run stored one between the check above and the lease.
        return Err(exists());
    }
    progress(&format!(
        "registered client {} and stored it as {key}",
        ensured.client.client_id
    ));
    warn_about(&ensured.problems);
    print_document(&client_document(&ensured.client)?, context.output)
}

/// Prints a success answer that could not be read as a registration, as the one stdout
/// document: `{"unusable_answer": <the body as JSON, or as text>}`.
fn print_unusable_answer(body: &[u8], context: &Context) -> Result<(), CliError> {
    let answer = serde_json::from_slice::<serde_json::Value>(body)
        .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(body).into_owned()));
    print_document(
        &serde_json::json!({ "unusable_answer": answer }),
        context.output,
    )
}

/// The initial access token, from the environment or a file: never from the command line,
/// where `ps` would show it. Errors never include the token.
fn initial_access_token(args: &RegisterArgs) -> Result<Option<Secret>, CliError> {
    let (token, source) = if let Some(variable) = &args.initial_access_token_env {
        let token = std::env::var(variable).map_err(|error| {
            let reason = match error {
                std::env::VarError::NotPresent => "is not set",
                std::env::VarError::NotUnicode(_) => "is not valid unicode",
            };
            CliError::usage(format!(
                "--initial-access-token-env: environment variable {variable} {reason}"
            ))
        })?;
        (token, format!("environment variable {variable}"))
    } else if let Some(path) = &args.initial_access_token_file {
        (read_token_file(path)?, format!("file {}", path.display()))
    } else {
        return Ok(None);
    };
    let token = token.trim();
    if token.is_empty() {
        return Err(CliError::usage(format!(
            "the initial access token in {source} is empty"
        )));
    }
    // What an Authorization header can carry; checked here so the message can say where the
    // token came from.
    if !token.bytes().all(|byte| byte.is_ascii_graphic()) {
        return Err(CliError::usage(format!(
            "the initial access token in {source} contains spaces or characters an http header cannot carry"
        )));
    }
    Ok(Some(Secret::new(token)))
}

fn read_token_file(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|error| {
        CliError::usage(format!(
            "--initial-access-token-file: cannot read {}: {error}",
            path.display()
        ))
    })
}
