//! `discover` and `jwks`.

use oidc_discovery::load_provider_jwks;
use serde_json::{json, Value};

use super::configuration as load;
use crate::cli::DiscoveryArgs;
use crate::context::Context;
use crate::output::{print_document, progress};
use crate::CliError;

/// Prints the provider's configuration.
pub(super) async fn configuration(
    context: &Context,
    issuer: &str,
    args: &DiscoveryArgs,
) -> Result<(), CliError> {
    let configuration = load(context, issuer, args).await?;
    progress(&format!(
        "loaded the configuration of {} (cacheable for {}s)",
        configuration.metadata.issuer,
        configuration.expires_in.as_secs()
    ));
    let document = serde_json::to_value(&configuration.metadata)
        .map_err(|error| CliError::local(format!("cannot serialize the configuration: {error}")))?;
    print_document(&document, context.output)
}

/// Prints the provider's key set (the keys that could be read; the others are named on
/// stderr).
pub(super) async fn jwks(
    context: &Context,
    issuer: &str,
    args: &DiscoveryArgs,
) -> Result<(), CliError> {
    let configuration = load(context, issuer, args).await?;
    let options = context.discovery_options(args);
    let jwks = load_provider_jwks(&configuration.metadata, &options)
        .await
        .map_err(CliError::from_discovery)?;
    for skipped in &jwks.skipped {
        progress(&format!(
            "warning: skipped key #{} (kid {:?}, kty {:?}): {}",
            skipped.index,
            skipped.kid.as_deref().unwrap_or("-"),
            skipped.kty.as_deref().unwrap_or("-"),
            skipped.reason
        ));
    }
    progress(&format!(
        "loaded {} key(s) of {}",
        jwks.keys.len(),
        configuration.metadata.issuer
    ));
    let keys = serde_json::to_value(&jwks.keys)
        .map_err(|error| CliError::local(format!("cannot serialize the key set: {error}")))?;
    let document: Value = json!({ "keys": keys });
    print_document(&document, context.output)
}
