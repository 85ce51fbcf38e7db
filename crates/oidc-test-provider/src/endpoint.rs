//! The endpoints the provider serves, used to key behaviours and to label recorded requests.

/// One of the endpoints served by [`TestProvider`](crate::TestProvider).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Endpoint {
    /// OpenID Connect Discovery: `{issuer path}/.well-known/openid-configuration`.
    Discovery,
    /// RFC 8414 metadata: `/.well-known/oauth-authorization-server{issuer path}`.
    OAuthDiscovery,
    /// The JWK Set at `/jwks`.
    Jwks,
    /// RFC 7591 dynamic client registration: `POST /register`.
    Registration,
    /// RFC 7592 client configuration: `GET|PUT|DELETE /register/{client_id}`.
    ClientConfiguration,
    /// OpenID Connect discovery with the issuer path inserted rather than appended:
    /// `/.well-known/openid-configuration{issuer path}`, served only for an issuer with a path
    /// (the second location of the MCP order).
    DiscoveryPathInserted,
    /// The protected resource set with
    /// [`protected_resource`](crate::TestProviderBuilder::protected_resource): 401 with a
    /// `resource_metadata` challenge unless the request carries a Bearer token.
    ProtectedResource,
    /// RFC 9728 metadata of the protected resource:
    /// `/.well-known/oauth-protected-resource{resource path}`.
    ResourceMetadata,
    /// A document hosted with [`TestProvider::host_document`](crate::TestProvider::host_document),
    /// e.g. a Client ID Metadata Document.
    HostedDocument,
}
