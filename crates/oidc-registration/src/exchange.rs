//! Building the JSON + Bearer requests and classifying the provider's answers; shared by every
//! registration operation.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use oidc_http::HttpClient;
use oidc_types::{OAuthError, OAuthErrorCode, RegistrationResponse, Secret};
use url::Url;

use crate::RegistrationError;

/// Builds a request to `endpoint` with an optional JSON body and Bearer token.
pub(crate) fn build_request(
    method: Method,
    endpoint: &str,
    token: Option<&Secret>,
    body: Option<Vec<u8>>,
) -> Result<Request<Bytes>, RegistrationError> {
    let invalid = |reason: String| RegistrationError::InvalidEndpoint {
        url: oidc_http::redact_url(endpoint),
        reason,
    };
    let url = Url::parse(endpoint).map_err(|error| invalid(format!("not a URL: {error}")))?;
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err(invalid("the scheme must be https".to_owned()));
    }
    let mut builder = Request::builder()
        .method(method)
        // Used exactly as given (RFC 7592 §3: the client never builds this URL itself).
        .uri(endpoint)
        .header(ACCEPT, HeaderValue::from_static("application/json"));
    if let Some(token) = token {
        let mut value = HeaderValue::try_from(format!("Bearer {}", token.expose()))
            .map_err(|_| RegistrationError::InvalidAccessToken)?;
        value.set_sensitive(true);
        builder = builder.header(AUTHORIZATION, value);
    }
    let body = match body {
        Some(body) => {
            builder = builder.header(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            Bytes::from(body)
        }
        None => Bytes::new(),
    };
    builder
        .body(body)
        .map_err(|error| invalid(error.to_string()))
}

/// Which endpoint answered: a 404 means "no such client" only at the client configuration
/// endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Registration,
    ClientConfiguration,
}

/// Turns a non-success answer into the most specific error it supports.
pub(crate) fn error_from_response(
    endpoint: Endpoint,
    method: &Method,
    response: &Response<Bytes>,
) -> RegistrationError {
    let status = response.status();
    let body = response.body();
    if status.is_success() {
        // A 2xx other than the expected ones may carry credentials: never echo its body.
        return RegistrationError::UnexpectedStatus {
            status,
            body: String::new(),
        };
    }
    let error = if status.is_client_error() || status.is_server_error() {
        OAuthError::from_json(body).or_else(|| {
            response
                .headers()
                .get_all(WWW_AUTHENTICATE)
                .iter()
                .filter_map(|value| value.to_str().ok())
                .find_map(OAuthError::from_www_authenticate)
        })
    } else {
        None
    };
    let excerpt = oidc_http::body_excerpt(body);
    let invalid_token = error
        .as_ref()
        .is_some_and(|error| error.code == OAuthErrorCode::InvalidToken);
    match (status, error) {
        (StatusCode::UNAUTHORIZED, error) => RegistrationError::TokenRejected {
            status,
            error,
            body: excerpt,
        },
        (_, Some(error)) if invalid_token => RegistrationError::TokenRejected {
            status,
            error: Some(error),
            body: excerpt,
        },
        (StatusCode::FORBIDDEN, error) => RegistrationError::NotPermitted {
            status,
            error,
            body: excerpt,
        },
        (StatusCode::METHOD_NOT_ALLOWED, _) => RegistrationError::MethodNotAllowed {
            method: method.clone(),
        },
        (StatusCode::NOT_FOUND, None) if endpoint == Endpoint::ClientConfiguration => {
            RegistrationError::ClientNotFound { body: excerpt }
        }
        (_, Some(error)) => RegistrationError::Provider {
            error,
            status,
            body: String::from_utf8_lossy(body).into_owned(),
        },
        (_, None) => RegistrationError::UnexpectedStatus {
            status,
            body: excerpt,
        },
    }
}

/// Sends `request` on `client` (the shared default when `None`), within `timeout` if set.
pub(crate) async fn send(
    client: Option<&Arc<dyn HttpClient>>,
    request: Request<Bytes>,
    timeout: Option<Duration>,
) -> Result<Response<Bytes>, RegistrationError> {
    let client = client.cloned().unwrap_or_else(oidc_http::default_client);
    oidc_http::send_with_timeout(client.as_ref(), request, timeout)
        .await
        .map_err(RegistrationError::Http)
}

/// Reads the registration in an answer to `method`: one of the `accepted` statuses with a JSON
/// body, else the most specific error the answer supports.
pub(crate) fn read_registration(
    endpoint: Endpoint,
    method: &Method,
    response: &Response<Bytes>,
    accepted: &[StatusCode],
) -> Result<RegistrationResponse, RegistrationError> {
    if !accepted.contains(&response.status()) {
        return Err(error_from_response(endpoint, method, response));
    }
    require_json(response)?;
    Ok(RegistrationResponse::from_json(response.body())?)
}

/// Checks a success answer's content type; the body can then be parsed as JSON.
fn require_json(response: &Response<Bytes>) -> Result<(), RegistrationError> {
    if oidc_http::is_json_content_type(response.headers()) {
        return Ok(());
    }
    Err(RegistrationError::UnexpectedContentType {
        status: response.status(),
        content_type: response
            .headers()
            .get(CONTENT_TYPE)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(
        status: u16,
        headers: &[(&'static str, &'static str)],
        body: &'static str,
    ) -> Response<Bytes> {
        let mut builder = Response::builder().status(status);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(Bytes::from_static(body.as_bytes())).unwrap()
    }

    #[test]
    fn bearer_header_is_sensitive_and_body_is_json() {
        let token = Secret::new("t0ken");
        let request = build_request(
            Method::POST,
            "https://op.example/reg?x=1",
            Some(&token),
            Some(b"{}".to_vec()),
        )
        .unwrap();
        let authorization = request.headers().get(AUTHORIZATION).unwrap();
        assert_eq!(authorization, "Bearer t0ken");
        assert!(authorization.is_sensitive());
        assert_eq!(request.headers()[CONTENT_TYPE], "application/json");
        assert_eq!(request.headers()[ACCEPT], "application/json");
        assert_eq!(request.uri(), "https://op.example/reg?x=1");
    }

    #[test]
    fn a_token_with_a_newline_is_refused_without_showing_it() {
        let token = Secret::new("bad\ntoken");
        let error =
            build_request(Method::GET, "https://op.example/", Some(&token), None).unwrap_err();
        assert!(matches!(error, RegistrationError::InvalidAccessToken));
        assert!(!error.to_string().contains("bad"));
    }

    #[test]
    fn endpoints_must_be_http_urls() {
        for endpoint in ["/relative", "ftp://op.example/", "not a url"] {
            let error = build_request(Method::POST, endpoint, None, None).unwrap_err();
            assert!(
                matches!(error, RegistrationError::InvalidEndpoint { .. }),
                "{endpoint}"
            );
        }
    }

    #[test]
    fn error_classification() {
        let oauth = error_from_response(
            Endpoint::Registration,
            &Method::POST,
            &response(400, &[], r#"{"error":"invalid_client_metadata"}"#),
        );
        assert_eq!(
            oauth.oauth_error().unwrap().code.as_str(),
            "invalid_client_metadata"
        );
        let header_only = error_from_response(
            Endpoint::Registration,
            &Method::POST,
            &response(
                401,
                &[("www-authenticate", r#"Bearer error="invalid_token""#)],
                "",
            ),
        );
        assert_eq!(header_only.status(), Some(StatusCode::UNAUTHORIZED));
        assert_eq!(
            header_only.oauth_error().unwrap().code.as_str(),
            "invalid_token"
        );
        let html = error_from_response(
            Endpoint::Registration,
            &Method::POST,
            &response(500, &[], "<html>oops</html>"),
        );
        assert!(
            matches!(&html, RegistrationError::UnexpectedStatus { body, .. } if body.contains("oops"))
        );
        let accepted = error_from_response(
            Endpoint::Registration,
            &Method::POST,
            &response(202, &[], r#"{"client_secret":"x"}"#),
        );
        assert!(
            matches!(&accepted, RegistrationError::UnexpectedStatus { body, .. } if body.is_empty())
        );
    }
}
