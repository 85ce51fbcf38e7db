//! A fully built "normal" response, before any [`Behaviour`](crate::Behaviour) is applied.

use bytes::Bytes;
use http::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderMap, StatusCode};
use serde_json::{json, Value};

/// What an endpoint would answer if left alone.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Reply {
    /// A JSON response.
    pub(crate) fn json(status: StatusCode, value: &Value) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        Self {
            status,
            headers,
            // Serialising a `Value` cannot fail (all map keys are strings).
            body: Bytes::from(serde_json::to_vec(value).unwrap_or_default()),
        }
    }

    /// An empty response.
    pub(crate) fn empty(status: StatusCode) -> Self {
        Self {
            status,
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }

    /// An OAuth-style error body: `{"error": .., "error_description": ..}`.
    pub(crate) fn error(status: StatusCode, error: &str, description: Option<&str>) -> Self {
        let mut body = json!({ "error": error });
        if let (Some(description), Some(map)) = (description, body.as_object_mut()) {
            map.insert("error_description".into(), description.into());
        }
        Self::json(status, &body)
    }

    /// 404 for anything the provider does not serve.
    pub(crate) fn not_found() -> Self {
        Self::error(StatusCode::NOT_FOUND, "not_found", None)
    }

    /// 405 with the `Allow` header listing what the endpoint accepts.
    pub(crate) fn method_not_allowed(allow: &'static str) -> Self {
        let mut reply = Self::error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", None);
        reply
            .headers
            .insert(http::header::ALLOW, HeaderValue::from_static(allow));
        reply
    }

    /// RFC 6750 §3: 401 `invalid_token` with the matching `WWW-Authenticate` challenge.
    pub(crate) fn invalid_token() -> Self {
        let mut reply = Self::error(StatusCode::UNAUTHORIZED, "invalid_token", None);
        reply.headers.insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer error=\"invalid_token\""),
        );
        reply.no_store()
    }

    /// Marks the response as not cacheable (RFC 7591 §3.2.1 for credentials-bearing responses).
    pub(crate) fn no_store(mut self) -> Self {
        self.headers
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        self
    }
}
