//! The GET-a-JSON-document step shared by configuration and key set loading.

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_TYPE};
use http::{HeaderMap, Method, Request, StatusCode};

use crate::{DiscoveryError, DiscoveryOptions};

/// A successful JSON response.
pub(crate) struct JsonResponse {
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// GETs `url` and checks for 200 and a JSON content type.
pub(crate) async fn get_json(
    url: &str,
    accept: &'static str,
    options: &DiscoveryOptions,
) -> Result<JsonResponse, DiscoveryError> {
    let shown = oidc_http::redact_url(url);
    let request = Request::builder()
        .method(Method::GET)
        .uri(url)
        .header(ACCEPT, accept)
        .body(Bytes::new())
        .map_err(|error| DiscoveryError::InvalidIssuer {
            issuer: shown.clone(),
            reason: format!("not a valid request URI: {error}"),
        })?;
    let client = options.client();
    let response = oidc_http::send_with_timeout(client.as_ref(), request, options.timeout)
        .await
        .map_err(|source| DiscoveryError::Http {
            url: shown.clone(),
            source,
        })?;
    let (parts, body) = response.into_parts();
    if parts.status != StatusCode::OK {
        return Err(DiscoveryError::UnexpectedStatus {
            url: shown,
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
            url: shown,
            content_type,
        });
    }
    Ok(JsonResponse {
        headers: parts.headers,
        body,
    })
}
