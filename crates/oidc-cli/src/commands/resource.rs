//! `resource`, and the probe `register --via-resource` shares.

use oidc_discovery::{probe_resource, ResourceConfiguration, ResourceMetadataSource};
use serde_json::{json, Value};

use super::configuration_defaulting;
use crate::cli::{DiscoveryArgs, ResourceArgs, WellKnownArg};
use crate::context::Context;
use crate::output::{print_document, progress};
use crate::CliError;

/// Probes the resource, then loads every authorization server it names, and prints
/// `{"resource": …, "resource_metadata_url": …, "found_by": …, "authorization_servers": […]}`.
pub(super) async fn run(context: &Context, args: &ResourceArgs) -> Result<(), CliError> {
    let resource = probe(context, &args.resource, &args.discovery).await?;
    let mut servers = Vec::new();
    for issuer in resource.metadata.authorization_servers() {
        let configuration =
            configuration_defaulting(context, issuer, &args.discovery, WellKnownArg::Mcp).await?;
        progress(&format!(
            "loaded the configuration of {}",
            configuration.metadata.issuer
        ));
        servers.push(to_json(
            serde_json::to_value(&configuration.metadata),
            "configuration",
        )?);
    }
    let document = json!({
        "resource": to_json(serde_json::to_value(&resource.metadata), "resource metadata")?,
        "resource_metadata_url": resource.url,
        "found_by": match resource.found_by {
            ResourceMetadataSource::Challenge => "challenge",
            _ => "well_known",
        },
        "authorization_servers": servers,
    });
    print_document(&document, context.output)
}

/// Probes `url` and loads its RFC 9728 metadata.
pub(super) async fn probe(
    context: &Context,
    url: &str,
    args: &DiscoveryArgs,
) -> Result<ResourceConfiguration, CliError> {
    context.check_url(url, "resource")?;
    progress(&format!("probing the protected resource {url}"));
    let resource = probe_resource(url, &context.discovery_options(args))
        .await
        .map_err(CliError::from_discovery)?;
    progress(&format!(
        "loaded its metadata from {} ({} authorization server(s))",
        resource.url,
        resource.metadata.authorization_servers().len()
    ));
    Ok(resource)
}

fn to_json(value: serde_json::Result<Value>, what: &str) -> Result<Value, CliError> {
    value.map_err(|error| CliError::local(format!("cannot serialize the {what}: {error}")))
}
