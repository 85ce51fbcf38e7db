use http::StatusCode;
use oidc_http::HttpError;
use oidc_telemetry::TelemetryErrorKind;
use oidc_types::{
    ClientIdMetadataDocumentError, ErrorCategory, JwkError, ProtectedResourceMetadataError,
    ProviderMetadataError,
};

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
    /// (Display gives the context; the cause is [`source`](std::error::Error::source).)
    #[error("fetching {url} failed")]
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
    #[error("fetching {url}: expected a JSON response, got {}", describe_content_type(content_type.as_deref()))]
    UnexpectedContentType {
        /// The URL fetched.
        url: String,
        /// The `Content-Type` received, if any.
        content_type: Option<String>,
    },
    /// The configuration document is not valid provider metadata.
    #[error("fetching {url}: the document is not usable provider metadata")]
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
    #[error("fetching {url}: the document is not a usable JWK set")]
    InvalidJwks {
        /// The URL fetched.
        url: String,
        /// What is wrong: [`JwkError::NotJson`], [`JwkError::SetNotAnObject`] or
        /// [`JwkError::NoKeysArray`].
        #[source]
        source: JwkError,
    },
    /// A document from the provider (the configuration, a key set, a WebFinger answer) has a
    /// member more than once at its top level: two `issuer`s, two `jwks_uri`s, two `keys`
    /// arrays. The document says two things and which one a JSON reader keeps is an accident,
    /// so nothing of it is used. Only top-level members are checked (see [`oidc_types::json`]).
    #[error("fetching {url}: the document has the member {member:?} more than once")]
    DuplicateMember {
        /// The URL fetched (without its query).
        url: String,
        /// The repeated member's name.
        member: String,
    },
    /// The provider's configuration has no `jwks_uri`.
    #[error("provider {issuer:?} publishes no jwks_uri")]
    NoJwksUri {
        /// The provider's issuer.
        issuer: String,
    },
    /// A member of the configuration names a plain `http://` URL on a host other than the
    /// loopback interface. Tokens and secrets sent there would travel in clear text; the
    /// [`DiscoveryOptions::call`](crate::DiscoveryOptions::call)'s `plain_http` policy allows it.
    #[error("fetching {url}: {member} is a plain http URL ({value}); only https is accepted for hosts other than this machine unless plain http is allowed (DiscoveryOptions::with_plain_http)")]
    InsecureEndpoint {
        /// The URL fetched.
        url: String,
        /// The member, e.g. `token_endpoint` or `mtls_endpoint_aliases.token_endpoint`.
        member: String,
        /// The URL it names (without user-info or query).
        value: String,
    },
    /// The document's `signed_metadata` could not be verified with the trusted keys, or its
    /// claims are unusable (RFC 8414 §2.1). Nothing of the document was used.
    #[error("fetching {url}: signed_metadata rejected: {reason}")]
    InvalidSignedMetadata {
        /// The URL fetched.
        url: String,
        /// What is wrong: bad signature, no trusted key, wrong `iss`, expired, ….
        reason: String,
    },
    /// The WebFinger input cannot be turned into a resource and host (OIDC Discovery §2.1), or
    /// a protected resource's URL is unusable (RFC 9728: not http(s), no host, a fragment).
    /// Nothing was sent.
    #[error("invalid webfinger resource {resource:?}: {reason}")]
    InvalidResource {
        /// The input as given (without any fragment).
        resource: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A protected resource's metadata document is not usable (RFC 9728 §2): not a JSON
    /// object, no `resource`, or a member of the wrong type.
    #[error("fetching {url}: the document is not usable protected resource metadata")]
    InvalidResourceMetadata {
        /// The URL fetched.
        url: String,
        /// What is wrong with the document.
        #[source]
        source: ProtectedResourceMetadataError,
    },
    /// The resource metadata's `resource` is not exactly the resource it was loaded for
    /// (RFC 9728 §3.3). The document must not be used: it may describe another resource.
    #[error("resource mismatch: expected {expected:?}, the metadata says {found:?}{hint}", hint = mismatch_hint(expected, found))]
    ResourceMismatch {
        /// The resource the metadata was loaded for.
        expected: String,
        /// The `resource` in the document.
        found: String,
    },
    /// A Client ID Metadata Document (or its URL) breaks a rule of
    /// draft-ietf-oauth-client-id-metadata-document.
    #[error("fetching {url}: the document breaks a rule of client id metadata documents")]
    InvalidClientIdMetadataDocument {
        /// The document's URL (the `client_id`).
        url: String,
        /// The rule broken.
        #[source]
        source: ClientIdMetadataDocumentError,
    },
    /// The WebFinger answer is not a JSON Resource Descriptor (RFC 7033 §4.4).
    #[error("fetching {url}: invalid webfinger response: {reason}")]
    InvalidWebFinger {
        /// The URL fetched (without its query).
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// The WebFinger answer has no link with `rel` `http://openid.net/specs/connect/1.0/issuer`
    /// and a string `href`.
    #[error("fetching {url}: the webfinger response names no openid issuer link")]
    NoIssuerLink {
        /// The URL fetched (without its query).
        url: String,
    },
    /// The issuer link of a WebFinger answer is not a usable issuer: not https, no host, or a
    /// query or fragment (OIDC Discovery §2).
    #[error("fetching {url}: the webfinger issuer link {href:?} is unusable: {reason}")]
    InvalidIssuerLink {
        /// The URL fetched (without its query).
        url: String,
        /// The link's `href` (without user-info or query).
        href: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A [`ProviderCache`](crate::ProviderCache) lookup would have started a first load while
    /// [`max_pending_loads`](crate::ProviderCacheOptions::max_pending_loads) of them are in
    /// progress already. Nothing was sent; lookups of loaded issuers are not affected.
    ///
    /// The lookup fails at once rather than waiting for a place: the pending loads may be for
    /// issuers that never answer (each holds its place up to the load time limit), and waiting
    /// callers would pile up without bound behind them. Retry later.
    #[error("not loading issuer {issuer:?} now: {limit} first loads are in progress already")]
    TooManyPendingLoads {
        /// The issuer asked for (without user-info or query).
        issuer: String,
        /// The limit in force.
        limit: usize,
    },
    /// [`ProviderCache::key`](crate::ProviderCache::key) gave up refetching the key set for an
    /// unknown `kid` after
    /// [`kid_refetch_timeout`](crate::ProviderCacheOptions::kid_refetch_timeout): the provider
    /// is slow, or a fetch of the set already in progress is. Whether the key exists is not
    /// known; the cached keys are still served.
    #[error("no key set from issuer {issuer:?} within {timeout:?}")]
    KeyRefetchTimeout {
        /// The issuer whose key set was asked for (without user-info or query).
        issuer: String,
        /// The time limit in force.
        timeout: std::time::Duration,
    },
}

/// `content type "text/html"`, or `no content type`: never a Rust `Option` debug form.
fn describe_content_type(content_type: Option<&str>) -> String {
    match content_type {
        Some(content_type) => format!("content type {content_type:?}"),
        None => "no content type".to_owned(),
    }
}

fn mismatch_hint(expected: &str, found: &str) -> &'static str {
    if expected.trim_end_matches('/') == found.trim_end_matches('/') {
        " (they differ only in a trailing slash; use the provider's exact issuer)"
    } else {
        ""
    }
}

impl DiscoveryError {
    /// Whose problem it is: the caller's input (`InvalidIssuer`, `InvalidResource`; nothing was
    /// sent), the provider not offering what was asked (`NoJwksUri`), the transport (`Http`),
    /// or an answer that cannot be used (everything else, including a plain http URL or an
    /// unusable link in the provider's documents). See [`ErrorCategory`].
    pub fn category(&self) -> ErrorCategory {
        match self {
            Self::InvalidIssuer { .. } | Self::InvalidResource { .. } => ErrorCategory::Caller,
            Self::NoJwksUri { .. } => ErrorCategory::Refused,
            // Not sent because the cache is busy: like a connection refused, worth a retry.
            Self::TooManyPendingLoads { .. } => ErrorCategory::Transport,
            Self::KeyRefetchTimeout { .. } => ErrorCategory::Transport,
            Self::Http { source, .. } if source.kind().is_transport() => ErrorCategory::Transport,
            // A URL the library would not send to, or could not build a request for: it came
            // from the provider's documents.
            Self::Http { .. } => ErrorCategory::Protocol,
            Self::UnexpectedStatus { .. }
            | Self::UnexpectedContentType { .. }
            | Self::InvalidConfiguration { .. }
            | Self::IssuerMismatch { .. }
            | Self::InvalidJwks { .. }
            | Self::DuplicateMember { .. }
            | Self::InsecureEndpoint { .. }
            | Self::InvalidSignedMetadata { .. }
            | Self::InvalidWebFinger { .. }
            | Self::NoIssuerLink { .. }
            | Self::InvalidIssuerLink { .. }
            | Self::InvalidResourceMetadata { .. }
            | Self::ResourceMismatch { .. }
            | Self::InvalidClientIdMetadataDocument { .. } => ErrorCategory::Protocol,
        }
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
            Self::DuplicateMember { .. } => "duplicate_member",
            Self::NoJwksUri { .. } => "no_jwks_uri",
            Self::InsecureEndpoint { .. } => "insecure_endpoint",
            Self::InvalidSignedMetadata { .. } => "invalid_signed_metadata",
            Self::InvalidResource { .. } => "invalid_resource",
            Self::InvalidWebFinger { .. } => "invalid_webfinger",
            Self::NoIssuerLink { .. } => "no_issuer_link",
            Self::InvalidIssuerLink { .. } => "invalid_issuer_link",
            Self::InvalidResourceMetadata { .. } => "invalid_resource_metadata",
            Self::ResourceMismatch { .. } => "resource_mismatch",
            Self::InvalidClientIdMetadataDocument { .. } => "invalid_client_id_metadata_document",
            Self::TooManyPendingLoads { .. } => "too_many_pending_loads",
            // The same kind as an HTTP timeout: one bounded label for both.
            Self::KeyRefetchTimeout { .. } => "timeout",
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
        assert_eq!(other.category(), ErrorCategory::Protocol);
        let caller = DiscoveryError::InvalidIssuer {
            issuer: "ftp://x".into(),
            reason: "not http".into(),
        };
        assert_eq!(caller.category(), ErrorCategory::Caller);
    }

    #[test]
    fn content_types_are_described_without_debug_forms() {
        let shown = |content_type: Option<&str>| {
            DiscoveryError::UnexpectedContentType {
                url: "https://op.example/x".into(),
                content_type: content_type.map(str::to_owned),
            }
            .to_string()
        };
        assert_eq!(
            shown(Some("text/html")),
            "fetching https://op.example/x: expected a JSON response, got content type \"text/html\""
        );
        assert_eq!(
            shown(None),
            "fetching https://op.example/x: expected a JSON response, got no content type"
        );
    }
}
