//! OAuth 2.0 Protected Resource Metadata (RFC 9728): from a resource's URL to the
//! authorization servers that protect it.

use std::time::{Duration, SystemTime};

use oidc_telemetry::{instrument, Operation};
use oidc_types::{ProtectedResourceMetadata, ProtectedResourceMetadataError};
use serde_json::Value;
use url::Url;

use crate::challenge::{parse_challenges, Challenge};
use crate::fetch::get_json;
use crate::{signed, DiscoveryError, DiscoveryOptions};

const PROTECTED_RESOURCE: &str = "/.well-known/oauth-protected-resource";

/// A protected resource's metadata as loaded, with where it came from and how long it may be
/// kept.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ResourceConfiguration {
    /// The metadata; its `resource` equals the resource it was loaded for.
    pub metadata: ProtectedResourceMetadata,
    /// The URL the document was fetched from (without user-info or query).
    pub url: String,
    /// How the URL was found.
    pub found_by: ResourceMetadataSource,
    /// The challenge of the probe's answer that carried `resource_metadata` (or else its
    /// first `Bearer` challenge), when [`probe_resource`] got one: its `scope` says which
    /// scopes the resource wants (the MCP authorization spec asks clients to use it), its
    /// `error` why the request was refused. `None` for the other loads.
    pub challenge: Option<Challenge>,
    /// When the document was received.
    pub fetched_at: SystemTime,
    /// How long after `fetched_at` it may be used (`Cache-Control`, per the
    /// [`ExpiryPolicy`](crate::ExpiryPolicy) in force).
    pub expires_in: Duration,
}

impl ResourceConfiguration {
    /// The moment the metadata should be loaded again (a lifetime too long for `SystemTime`
    /// is read as a century).
    pub fn expires_at(&self) -> SystemTime {
        self.fetched_at
            .checked_add(self.expires_in)
            .or_else(|| {
                self.fetched_at
                    .checked_add(Duration::from_secs(100 * 365 * 86_400))
            })
            .unwrap_or(self.fetched_at)
    }

    /// Whether [`expires_at`](Self::expires_at) has passed (a clock set back counts as no
    /// time elapsed).
    pub fn is_expired(&self) -> bool {
        SystemTime::now()
            .duration_since(self.fetched_at)
            .unwrap_or(Duration::ZERO)
            >= self.expires_in
    }
}

/// How the metadata URL of a resource was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResourceMetadataSource {
    /// The `resource_metadata` parameter of the resource's `WWW-Authenticate` challenge
    /// (RFC 9728 §5.1).
    Challenge,
    /// The well-known location (RFC 9728 §3.1).
    WellKnown,
}

/// The RFC 9728 metadata URL of `resource`: `/.well-known/oauth-protected-resource` inserted
/// between the host (and port) and the resource's path, a terminating `/` of the path removed
/// first; a query is kept after the path (§3.1).
///
/// ```
/// use oidc_discovery::resource_metadata_url;
///
/// assert_eq!(
///     resource_metadata_url("https://mcp.example/mcp").unwrap(),
///     "https://mcp.example/.well-known/oauth-protected-resource/mcp"
/// );
/// assert_eq!(
///     resource_metadata_url("https://mcp.example/").unwrap(),
///     "https://mcp.example/.well-known/oauth-protected-resource"
/// );
/// assert!(resource_metadata_url("https://mcp.example/#x").is_err());
/// ```
///
/// # Errors
///
/// [`DiscoveryError::InvalidResource`] when `resource` is not an http(s) URL with a host, or
/// has a fragment (RFC 9728 §1.2).
pub fn resource_metadata_url(resource: &str) -> Result<String, DiscoveryError> {
    check_resource(resource)?;
    let after_scheme = resource.find("://").map_or(0, |at| at + 3);
    let path_start = resource[after_scheme..]
        .find(['/', '?'])
        .map_or(resource.len(), |at| after_scheme + at);
    let (origin, rest) = resource.split_at(path_start);
    let (path, query) = match rest.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (rest, None),
    };
    let mut url = format!("{origin}{PROTECTED_RESOURCE}{}", path.trim_end_matches('/'));
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    Ok(url)
}

fn check_resource(resource: &str) -> Result<(), DiscoveryError> {
    let invalid = |reason: &str| DiscoveryError::InvalidResource {
        resource: oidc_http::redact_url(resource),
        reason: reason.to_owned(),
    };
    let url = Url::parse(resource).map_err(|error| invalid(&format!("not a URL: {error}")))?;
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err(invalid("the scheme must be https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("it has no host"));
    }
    if url.fragment().is_some() || resource.contains('#') {
        return Err(invalid("a resource identifier cannot have a fragment"));
    }
    Ok(())
}

/// The origin of a URL, for telemetry labels: resource paths and client ids stay out of
/// metric labels.
pub(crate) fn origin_label(url: &str) -> String {
    Url::parse(url).map_or_else(
        |_| "invalid".to_owned(),
        |url| url.origin().ascii_serialization(),
    )
}

/// Loads the metadata of the protected resource `resource` from its well-known location
/// (RFC 9728 §3): GETs [`resource_metadata_url(resource)`](resource_metadata_url), requires a
/// 200 JSON object answer (no member repeated), verifies and applies `signed_metadata` when
/// [`DiscoveryOptions::trusted_metadata_keys`] is set (its `iss` claim must be present; which
/// signer to trust is said by the keys), reads it as [`ProtectedResourceMetadata`], and checks
/// that its `resource` is exactly `resource` (§3.3, code point for code point) and that its
/// `jwks_uri` obeys the https policy.
///
/// Same limits and https policy as [`load_configuration`](crate::load_configuration); emits
/// `load_resource_metadata` telemetry labelled with the resource's origin.
///
/// # Errors
///
/// [`DiscoveryError::InvalidResource`] before anything is sent; the fetch errors of
/// `load_configuration`; [`DiscoveryError::InvalidResourceMetadata`],
/// [`DiscoveryError::ResourceMismatch`], [`DiscoveryError::InvalidSignedMetadata`],
/// [`DiscoveryError::InsecureEndpoint`].
pub async fn load_resource_metadata(
    resource: &str,
    options: &DiscoveryOptions,
) -> Result<ResourceConfiguration, DiscoveryError> {
    load_resource_metadata_labelled(resource, &origin_label(resource), options).await
}

/// [`load_resource_metadata`] with its telemetry under the label `label`: the provider
/// cache's shared label for resources that have not loaded yet.
pub(crate) async fn load_resource_metadata_labelled(
    resource: &str,
    label: &str,
    options: &DiscoveryOptions,
) -> Result<ResourceConfiguration, DiscoveryError> {
    instrument(Operation::LoadResourceMetadata, label, async {
        let url = resource_metadata_url(resource)?;
        fetch_resource_metadata(resource, &url, ResourceMetadataSource::WellKnown, options).await
    })
    .await
}

/// Loads the metadata of `resource` from `metadata_url`, the `resource_metadata` URL its
/// `WWW-Authenticate` challenge named (RFC 9728 §5.1). The document's `resource` must then be
/// exactly `resource`, the URL the request that drew the challenge was sent to (§3.3, §7.3):
/// otherwise a resource could point the client at another resource's metadata. Checks and
/// telemetry as [`load_resource_metadata`].
///
/// # Errors
///
/// As [`load_resource_metadata`].
pub async fn load_resource_metadata_from(
    resource: &str,
    metadata_url: &str,
    options: &DiscoveryOptions,
) -> Result<ResourceConfiguration, DiscoveryError> {
    let label = origin_label(resource);
    instrument(Operation::LoadResourceMetadata, &label, async {
        check_resource(resource)?;
        fetch_resource_metadata(
            resource,
            metadata_url,
            ResourceMetadataSource::Challenge,
            options,
        )
        .await
    })
    .await
}

/// Finds and loads the metadata of the protected resource at `resource`, as an MCP client
/// does: sends an unauthenticated `GET` to `resource`, and when the answer carries a
/// `WWW-Authenticate` challenge with `resource_metadata` (RFC 9728 §5.1; any status, usually
/// 401) loads the metadata from there ([`load_resource_metadata_from`]); otherwise from the
/// well-known location ([`load_resource_metadata`]). The probe's own body is never read
/// beyond the client's size limit, and its status is not an error: a resource that answers
/// 200 or 404 to an anonymous request may still publish metadata.
///
/// ```no_run
/// # async fn run() -> Result<(), oidc_discovery::DiscoveryError> {
/// use oidc_discovery::{probe_resource, DiscoveryOptions};
///
/// let resource = probe_resource("https://mcp.example/mcp", &DiscoveryOptions::default()).await?;
/// for issuer in resource.metadata.authorization_servers() {
///     println!("protected by {issuer}");
/// }
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// A transport failure of the probe as [`DiscoveryError::Http`]; then as
/// [`load_resource_metadata`].
pub async fn probe_resource(
    resource: &str,
    options: &DiscoveryOptions,
) -> Result<ResourceConfiguration, DiscoveryError> {
    check_resource(resource)?;
    let response =
        crate::fetch::get(resource, "application/json, text/event-stream", options).await?;
    let challenges: Vec<Challenge> = response
        .headers()
        .get_all(http::header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(parse_challenges)
        .collect();
    let with_url = challenges
        .iter()
        .find(|challenge| challenge.param("resource_metadata").is_some());
    let challenge = with_url
        .or_else(|| {
            challenges
                .iter()
                .find(|challenge| challenge.scheme.eq_ignore_ascii_case("bearer"))
        })
        .cloned();
    let metadata_url = with_url.and_then(|challenge| challenge.param("resource_metadata"));
    let mut loaded = match metadata_url {
        Some(metadata_url) => load_resource_metadata_from(resource, metadata_url, options).await,
        None => load_resource_metadata(resource, options).await,
    }?;
    loaded.challenge = challenge;
    Ok(loaded)
}

async fn fetch_resource_metadata(
    resource: &str,
    url: &str,
    found_by: ResourceMetadataSource,
    options: &DiscoveryOptions,
) -> Result<ResourceConfiguration, DiscoveryError> {
    let response = get_json(url, "application/json", options).await?;
    let shown = oidc_http::redact_url(url);
    let invalid = |source| DiscoveryError::InvalidResourceMetadata {
        url: shown.clone(),
        source,
    };
    let mut document =
        oidc_types::json::parse_object(&response.body).map_err(|source| match source {
            oidc_types::json::JsonObjectError::DuplicateMember { member } => {
                DiscoveryError::DuplicateMember {
                    url: shown.clone(),
                    member,
                }
            }
            source => invalid(ProtectedResourceMetadataError::Json { source }),
        })?;
    if let (Some(keys), Some(Value::String(token))) = (
        &options.trusted_metadata_keys,
        document.get("signed_metadata"),
    ) {
        // RFC 9728 §2.2: the JWT names its signer in `iss`; trust comes from the keys.
        let claims = signed::verify(token, keys, |_| true).map_err(|reason| {
            DiscoveryError::InvalidSignedMetadata {
                url: shown.clone(),
                reason,
            }
        })?;
        document.extend(claims);
    }
    let metadata = ProtectedResourceMetadata::from_json_object(document).map_err(invalid)?;
    if metadata.resource != resource {
        return Err(DiscoveryError::ResourceMismatch {
            expected: resource.to_owned(),
            found: metadata.resource,
        });
    }
    if let Some(jwks_uri) = &metadata.jwks_uri {
        if Url::parse(jwks_uri).is_ok_and(|url| url.scheme() == "http")
            && !options.call.plain_http.allows(jwks_uri)
        {
            return Err(DiscoveryError::InsecureEndpoint {
                url: shown,
                member: "jwks_uri".to_owned(),
                value: oidc_http::redact_url(jwks_uri),
            });
        }
    }
    Ok(ResourceConfiguration {
        metadata,
        url: shown,
        found_by,
        challenge: None,
        fetched_at: SystemTime::now(),
        expires_in: options.expiry.lifetime(&response.headers),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_the_well_known_segment_after_the_host() {
        for (resource, expected) in [
            (
                "https://rs.example",
                "https://rs.example/.well-known/oauth-protected-resource",
            ),
            (
                "https://rs.example/",
                "https://rs.example/.well-known/oauth-protected-resource",
            ),
            (
                "https://rs.example/resource1",
                "https://rs.example/.well-known/oauth-protected-resource/resource1",
            ),
            (
                "https://rs.example/a/b/",
                "https://rs.example/.well-known/oauth-protected-resource/a/b",
            ),
            (
                "https://rs.example/r?tenant=1",
                "https://rs.example/.well-known/oauth-protected-resource/r?tenant=1",
            ),
            (
                "http://127.0.0.1:8080/mcp",
                "http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp",
            ),
        ] {
            assert_eq!(
                resource_metadata_url(resource).unwrap(),
                expected,
                "{resource}"
            );
        }
        for bad in [
            "rs.example/mcp",
            "ftp://rs.example/x",
            "https://rs.example/#",
            "",
        ] {
            assert!(
                matches!(
                    resource_metadata_url(bad),
                    Err(DiscoveryError::InvalidResource { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn labels_are_origins_only() {
        assert_eq!(
            origin_label("https://u:p@rs.example:8443/secret/path?q=1"),
            "https://rs.example:8443"
        );
        assert_eq!(origin_label("nonsense"), "invalid");
    }
}
