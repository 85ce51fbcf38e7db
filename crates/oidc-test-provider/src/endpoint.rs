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
}
