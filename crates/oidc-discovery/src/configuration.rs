use std::time::{Duration, SystemTime};

use oidc_telemetry::{instrument, Operation};
use oidc_types::ProviderMetadata;
use url::Url;

use crate::fetch::get_json;
use crate::{DiscoveryError, DiscoveryOptions};

const OPENID_CONFIGURATION: &str = "/.well-known/openid-configuration";

/// A provider's configuration as loaded, with how long it may be kept.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ProviderConfiguration {
    /// The provider metadata; its `issuer` equals the issuer it was loaded for.
    pub metadata: ProviderMetadata,
    /// When the document was received.
    pub fetched_at: SystemTime,
    /// How long after `fetched_at` the document may be used, per the [`ExpiryPolicy`] in force.
    ///
    /// [`ExpiryPolicy`]: crate::ExpiryPolicy
    pub expires_in: Duration,
}

impl ProviderConfiguration {
    /// Wraps metadata obtained some other way (a file, a cache), valid for `expires_in` from now.
    pub fn new(metadata: ProviderMetadata, expires_in: Duration) -> Self {
        Self {
            metadata,
            fetched_at: SystemTime::now(),
            expires_in,
        }
    }

    /// The moment the configuration should be loaded again.
    pub fn expires_at(&self) -> SystemTime {
        self.fetched_at + self.expires_in
    }

    /// Whether [`expires_at`](Self::expires_at) has passed.
    pub fn is_expired(&self) -> bool {
        SystemTime::now() >= self.expires_at()
    }
}

/// The discovery URL of `issuer`: the issuer without a trailing `/`, then
/// `/.well-known/openid-configuration` (OIDC Discovery §4.1).
///
/// ```
/// use oidc_discovery::well_known_url;
///
/// let url = well_known_url("https://op.example/tenant/").unwrap();
/// assert_eq!(url, "https://op.example/tenant/.well-known/openid-configuration");
/// assert!(well_known_url("https://op.example/?tenant=a").is_err());
/// ```
///
/// # Errors
///
/// [`DiscoveryError::InvalidIssuer`] when the issuer is not an http(s) URL with a host, or has
/// a query or fragment.
pub fn well_known_url(issuer: &str) -> Result<String, DiscoveryError> {
    check_issuer(issuer)?;
    Ok(format!(
        "{}{OPENID_CONFIGURATION}",
        issuer.trim_end_matches('/')
    ))
}

fn check_issuer(issuer: &str) -> Result<(), DiscoveryError> {
    let invalid = |reason: &str| DiscoveryError::InvalidIssuer {
        issuer: oidc_http::redact_url(issuer),
        reason: reason.to_owned(),
    };
    let url = Url::parse(issuer).map_err(|error| invalid(&format!("not a URL: {error}")))?;
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err(invalid("the scheme must be https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("it has no host"));
    }
    if url.query().is_some() {
        return Err(invalid("an issuer cannot have a query"));
    }
    if url.fragment().is_some() {
        return Err(invalid("an issuer cannot have a fragment"));
    }
    Ok(())
}

/// Loads the configuration of the provider identified by `issuer` (OIDC Discovery 1.0 §4).
///
/// GETs [`well_known_url(issuer)`](well_known_url), requires a 200 answer with a JSON content
/// type (`application/json` or `application/*+json`, parameters ignored) whose body is a JSON
/// object of provider metadata, and requires its `issuer` to be exactly `issuer`, code point for
/// code point: `https://op.example` and `https://op.example/` are different issuers, and the
/// error says so. The lifetime comes from `Cache-Control` (see [`ExpiryPolicy`]).
///
/// Emits `load_configuration` telemetry labelled with `issuer`.
///
/// # Errors
///
/// Every [`DiscoveryError`] but `InvalidJwks` and `NoJwksUri`.
///
/// [`ExpiryPolicy`]: crate::ExpiryPolicy
pub async fn load_configuration(
    issuer: &str,
    options: &DiscoveryOptions,
) -> Result<ProviderConfiguration, DiscoveryError> {
    instrument(Operation::LoadConfiguration, issuer, async {
        let url = well_known_url(issuer)?;
        let response = get_json(&url, "application/json", options).await?;
        let metadata = ProviderMetadata::from_json(&response.body).map_err(|source| {
            DiscoveryError::InvalidConfiguration {
                url: url.clone(),
                source,
            }
        })?;
        if metadata.issuer != issuer {
            return Err(DiscoveryError::IssuerMismatch {
                expected: issuer.to_owned(),
                found: metadata.issuer,
            });
        }
        Ok(ProviderConfiguration {
            metadata,
            fetched_at: SystemTime::now(),
            expires_in: options.expiry.lifetime(&response.headers),
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_the_four_issuer_shapes() {
        for (issuer, expected) in [
            (
                "https://op.example",
                "https://op.example/.well-known/openid-configuration",
            ),
            (
                "https://op.example/",
                "https://op.example/.well-known/openid-configuration",
            ),
            (
                "https://op.example/t/a",
                "https://op.example/t/a/.well-known/openid-configuration",
            ),
            (
                "https://op.example/t/a/",
                "https://op.example/t/a/.well-known/openid-configuration",
            ),
        ] {
            assert_eq!(well_known_url(issuer).unwrap(), expected, "{issuer}");
        }
    }

    #[test]
    fn refuses_unusable_issuers() {
        for issuer in [
            "op.example",
            "ftp://op.example",
            "https://op.example/?tenant=a",
            "https://op.example/#frag",
            "https://",
            "",
        ] {
            assert!(
                matches!(
                    well_known_url(issuer),
                    Err(DiscoveryError::InvalidIssuer { .. })
                ),
                "{issuer}"
            );
        }
    }

    #[test]
    fn invalid_issuer_error_hides_userinfo() {
        let error = well_known_url("https://user:pw@op.example/?x=1").unwrap_err();
        assert!(!error.to_string().contains("pw"), "{error}");
    }
}
