use http::StatusCode;
use oidc_http::HttpError;
use oidc_telemetry::TelemetryErrorKind;
use oidc_types::ProviderMetadataError;

/// Why a provider configuration or key set could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiscoveryError {
    /// The issuer given is not a usable issuer URL (not http(s), no host, or it carries a query
    /// or fragment, which OIDC Discovery §3 forbids). Nothing was sent.
    #[error("invalid issuer {issuer:?}: {reason}")]
    InvalidIssuer {
        /// The issuer as given.
        issuer: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The request could not be completed: connection, TLS, timeout, or a body over the limit.
    #[error("fetching {url}: {source}")]
    Http {
        /// The URL fetched (without its query).
        url: String,
        /// The transport error.
        #[source]
        source: HttpError,
    },
    /// The provider answered with a status other than 200.
    #[error("fetching {url}: unexpected status {status}")]
    UnexpectedStatus {
        /// The URL fetched.
        url: String,
        /// The status received.
        status: StatusCode,
        /// The start of the body, for diagnosis.
        body: String,
    },
    /// The provider answered with something other than JSON.
    #[error("fetching {url}: expected a JSON response, got content type {content_type:?}")]
    UnexpectedContentType {
        /// The URL fetched.
        url: String,
        /// The `Content-Type` received, if any.
        content_type: Option<String>,
    },
    /// The configuration document is not valid provider metadata.
    #[error("fetching {url}: {source}")]
    InvalidConfiguration {
        /// The URL fetched.
        url: String,
        /// What is wrong with the document.
        #[source]
        source: ProviderMetadataError,
    },
    /// The document's `issuer` is not exactly the issuer it was loaded for (OIDC Discovery §4.3).
    /// The document must not be used: it may belong to another provider.
    #[error("issuer mismatch: expected {expected:?}, the provider says {found:?}{hint}", hint = mismatch_hint(expected, found))]
    IssuerMismatch {
        /// The issuer the configuration was loaded for.
        expected: String,
        /// The issuer in the document.
        found: String,
    },
    /// The key set document is not a JSON object with a `keys` array.
    #[error("fetching {url}: invalid JWK set: {reason}")]
    InvalidJwks {
        /// The URL fetched.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// The provider's configuration has no `jwks_uri`.
    #[error("provider {issuer:?} publishes no jwks_uri")]
    NoJwksUri {
        /// The provider's issuer.
        issuer: String,
    },
}

fn mismatch_hint(expected: &str, found: &str) -> &'static str {
    if expected.trim_end_matches('/') == found.trim_end_matches('/') {
        " (they differ only in a trailing slash; use the provider's exact issuer)"
    } else {
        ""
    }
}

impl TelemetryErrorKind for DiscoveryError {
    fn telemetry_kind(&self) -> &'static str {
        match self {
            Self::InvalidIssuer { .. } => "invalid_issuer",
            Self::Http { source, .. } => source.kind().as_str(),
            Self::UnexpectedStatus { .. } => "unexpected_status",
            Self::UnexpectedContentType { .. } => "unexpected_content_type",
            Self::InvalidConfiguration { .. } => "invalid_configuration",
            Self::IssuerMismatch { .. } => "issuer_mismatch",
            Self::InvalidJwks { .. } => "invalid_jwks",
            Self::NoJwksUri { .. } => "no_jwks_uri",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_slash_mismatch_is_called_out() {
        let error = DiscoveryError::IssuerMismatch {
            expected: "https://op.example".into(),
            found: "https://op.example/".into(),
        };
        let text = error.to_string();
        assert!(text.contains("\"https://op.example\""), "{text}");
        assert!(text.contains("\"https://op.example/\""), "{text}");
        assert!(text.contains("trailing slash"), "{text}");
        let other = DiscoveryError::IssuerMismatch {
            expected: "https://a.example".into(),
            found: "https://b.example".into(),
        };
        assert!(!other.to_string().contains("trailing slash"));
    }
}
