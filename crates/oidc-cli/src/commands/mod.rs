//! One module per subcommand; [`dispatch`] runs the one asked for.

#[cfg(feature = "demo")]
mod demo;
mod discover;
mod manage;
mod register;
mod resource;
mod stored;

use oidc_discovery::{load_configuration, ProviderConfiguration};
use oidc_types::RegisteredClient;
use serde_json::Value;

use crate::cli::{Command, DiscoveryArgs, WellKnownArg};
use crate::context::Context;
use crate::output::progress;
use crate::CliError;

/// Runs `command`.
pub(crate) async fn dispatch(context: &Context, command: Command) -> Result<(), CliError> {
    match command {
        Command::Discover { issuer, discovery } => {
            discover::configuration(context, &issuer, &discovery).await
        }
        Command::Jwks { issuer, discovery } => discover::jwks(context, &issuer, &discovery).await,
        Command::Register(args) => register::run(context, args).await,
        Command::Read(args) => manage::read(context, &args).await,
        Command::Update(args) => manage::update(context, args).await,
        Command::Delete(args) => manage::delete(context, &args).await,
        Command::Resource(args) => resource::run(context, &args).await,
        #[cfg(feature = "demo")]
        Command::Demo => demo::run(context).await,
    }
}

/// Loads the provider configuration of `issuer`, as `discover` does.
async fn configuration(
    context: &Context,
    issuer: &str,
    args: &DiscoveryArgs,
) -> Result<ProviderConfiguration, CliError> {
    configuration_defaulting(context, issuer, args, WellKnownArg::Openid).await
}

/// [`configuration`] with another `--well-known` default (the MCP order for authorization
/// servers found through a protected resource).
async fn configuration_defaulting(
    context: &Context,
    issuer: &str,
    args: &DiscoveryArgs,
    default: WellKnownArg,
) -> Result<ProviderConfiguration, CliError> {
    context.check_issuer(issuer)?;
    progress(&format!("loading the configuration of {issuer}"));
    load_configuration(issuer, &context.discovery_options_defaulting(args, default))
        .await
        .map_err(CliError::from_discovery)
}

/// The registered client as JSON, credentials included: what `--save` writes and what
/// `register`, `read` and `update` print (the user asked for the credentials).
fn client_document(client: &RegisteredClient) -> Result<Value, CliError> {
    serde_json::to_value(client)
        .map_err(|error| CliError::local(format!("cannot serialize the registration: {error}")))
}
