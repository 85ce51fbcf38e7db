//! The GET-a-JSON-document step shared by configuration and key set loading.

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_TYPE};
use http::{HeaderMap, Method, Request, StatusCode};
use oidc_http::{HttpError, HttpErrorKind};

use crate::{DiscoveryError, DiscoveryOptions};

/// A successful JSON response.
pub(crate) struct JsonResponse {
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// GETs `url` with `accept`, through the call's https policy and timeout; any status.
pub(crate) async fn get(
    url: &str,
    accept: &'static str,
    options: &DiscoveryOptions,
) -> Result<http::Response<Bytes>, DiscoveryError> {
    // The shown URL is built only for an error: a load must not pay for it on success.
    let shown = || oidc_http::redact_url(url);
    let request = Request::builder()
        .method(Method::GET)
        .uri(url)
        .header(ACCEPT, accept)
        .body(Bytes::new())
        // Not the issuer's fault necessarily (a provider's jwks_uri lands here too): an
        // unusable URL is an invalid request, like one the HTTP client itself refuses.
        .map_err(|error| DiscoveryError::Http {
            url: shown(),
            source: HttpError::new(
                HttpErrorKind::InvalidRequest,
                format!("not a valid request URL: {error}"),
            ),
        })?;
    options
        .call
        .send(request)
        .await
        .map_err(|source| DiscoveryError::Http {
            url: shown(),
            source,
        })
}

/// GETs `url` and checks for 200 and a JSON content type.
pub(crate) async fn get_json(
    url: &str,
    accept: &'static str,
    options: &DiscoveryOptions,
) -> Result<JsonResponse, DiscoveryError> {
    let shown = || oidc_http::redact_url(url);
    let (parts, body) = get(url, accept, options).await?.into_parts();
    if parts.status != StatusCode::OK {
        return Err(DiscoveryError::UnexpectedStatus {
            url: shown(),
            status: parts.status,
            body: oidc_http::body_excerpt(&body),
        });
    }
    if !oidc_http::is_json_content_type(&parts.headers) {
        let content_type = parts
            .headers
            .get(CONTENT_TYPE)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
        return Err(DiscoveryError::UnexpectedContentType {
            url: shown(),
            content_type,
        });
    }
    Ok(JsonResponse {
        headers: parts.headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_unusable_url_is_an_invalid_request_not_an_invalid_issuer() {
        let error = get_json(
            "http://127.0.0.1:1/a b",
            "application/json",
            &DiscoveryOptions::default(),
        )
        .await
        .err()
        .unwrap();
        assert!(
            matches!(&error, DiscoveryError::Http { source, .. } if source.kind() == HttpErrorKind::InvalidRequest),
            "{error:?}"
        );
    }
}
