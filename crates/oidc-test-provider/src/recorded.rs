//! What the provider remembers about each request, so tests can assert on what a client sent.

use bytes::Bytes;
use http::{HeaderMap, Method};

use crate::Endpoint;

/// A request received by the provider, recorded before it was answered.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// The endpoint the request was routed to; `None` when it matched no endpoint (answered 404),
    /// including `/register` paths while registration is disabled.
    pub endpoint: Option<Endpoint>,
    /// The request method.
    pub method: http::Method,
    /// The request path and query string, exactly as received (e.g. `/register?x=1`).
    pub path_and_query: String,
    /// The request headers.
    pub headers: http::HeaderMap,
    /// The request body (empty when it could not be read completely).
    pub body: bytes::Bytes,
    /// The certificate the client presented in the TLS handshake (its own, the first of its
    /// chain), DER-encoded; `None` over plain http or when it presented none.
    pub client_certificate: Option<bytes::Bytes>,
}

impl RecordedRequest {
    pub(crate) fn new(
        endpoint: Option<Endpoint>,
        method: Method,
        path_and_query: String,
        headers: HeaderMap,
        body: Bytes,
        client_certificate: Option<Bytes>,
    ) -> Self {
        Self {
            endpoint,
            method,
            path_and_query,
            headers,
            body,
            client_certificate,
        }
    }

    /// The query string without the `?` (e.g. `tenant=a&x=1`), or `None` when the request target
    /// had no `?`.
    pub fn query(&self) -> Option<&str> {
        self.path_and_query.split_once('?').map(|(_, query)| query)
    }

    /// The body parsed as JSON, or `None` when it is not valid JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The token of an `Authorization: Bearer <token>` header (scheme matched case-insensitively),
    /// or `None` when there is no such header.
    pub fn bearer_token(&self) -> Option<String> {
        bearer_token(&self.headers).map(str::to_owned)
    }
}

/// Extracts a bearer token; shared with the server so tests and the server agree on parsing.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}
