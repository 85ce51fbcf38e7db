//! Building the JSON + Bearer requests and classifying the provider's answers; shared by every
//! registration operation.

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderValue, Method, Request, Response, StatusCode, Uri};
use oidc_http::{CallOptions, PlainHttp};
use oidc_types::{OAuthError, OAuthErrorCode, RegistrationResponse, ResponseProblem, Secret};
use url::Url;
use zeroize::Zeroize;

use crate::RegistrationErrorKind;

/// Builds a request to `endpoint` with an optional JSON body and Bearer token.
pub(crate) fn build_request(
    method: Method,
    endpoint: &str,
    token: Option<&Secret>,
    body: Option<Vec<u8>>,
) -> Result<Request<Bytes>, RegistrationErrorKind> {
    let invalid = |reason: String| RegistrationErrorKind::InvalidEndpoint {
        url: oidc_http::redact_url(endpoint),
        reason,
    };
    // Parsed once, as the `http::Uri` that is sent: the https policy and the client check the
    // same value, so there is nothing to gain from a second parse as a `url::Url`. Used exactly
    // as given (RFC 7592 §3: the client never builds this URL itself).
    let uri = Uri::try_from(endpoint).map_err(|error| invalid(format!("not a URL: {error}")))?;
    if !matches!(uri.scheme_str(), Some("https" | "http")) {
        return Err(invalid("the scheme must be https".to_owned()));
    }
    let Some((host, port)) = oidc_http::host_and_port(&uri) else {
        return Err(invalid("the URL has no host".to_owned()));
    };
    if host.is_empty() {
        return Err(invalid("the URL has no host".to_owned()));
    }
    // `http::Uri` reads the port's text only when asked, so `:99999` would otherwise pass
    // here and fail only when connecting.
    if port.is_some_and(|port| !port.is_empty() && port.parse::<u16>().is_err()) {
        return Err(invalid(
            "the port is not a number from 0 to 65535".to_owned(),
        ));
    }
    // Assembled in place rather than through `Request::builder()`, whose every step moves the
    // whole builder and re-checks its state: the parts are already known to be valid here.
    let mut request = Request::new(Bytes::new());
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    let headers = request.headers_mut();
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    if let Some(token) = token {
        // Built in a buffer the library owns and wipes; the header value itself belongs to the
        // HTTP stack from here on (see SECURITY.md).
        let mut header = format!("Bearer {}", token.expose()).into_bytes();
        let value = HeaderValue::from_bytes(&header);
        header.zeroize();
        let mut value = value.map_err(|_| RegistrationErrorKind::InvalidAccessToken)?;
        value.set_sensitive(true);
        headers.insert(AUTHORIZATION, value);
    }
    if let Some(body) = body {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        *request.body_mut() = Bytes::from(body);
    }
    Ok(request)
}

/// Why the registration access token may not go to `uri`, when it may not: `uri` is not an
/// absolute URL, or its origin (scheme, host, port) is none of the `home` URLs' origins (the
/// registration endpoint's and the issuer's). The reason names both sides.
pub(crate) fn client_uri_refusal(uri: &str, home: &[&str]) -> Option<String> {
    refusal_of(uri, Uri::try_from(uri).ok().as_ref(), home)
}

/// [`client_uri_refusal`], given `uri` already parsed as the `http::Uri` that would be sent
/// (`None` when it does not parse as one).
fn refusal_of(uri: &str, sendable: Option<&Uri>, home: &[&str]) -> Option<String> {
    let origin_of = |url: &str| {
        Url::parse(url)
            .ok()
            .map(|url| url.origin())
            .filter(url::Origin::is_tuple)
    };
    // The common answer, a uri under the endpoint's own origin text, has that origin whatever
    // follows the `/`: it needs only the parse that tells it can be sent at all, as the
    // `http::Uri` a management call sends (a quarter of the cost of a `Url` parse), instead of a
    // `Url` parse per home URL and the refusal text.
    let under_home_text = home
        .iter()
        .filter_map(|url| oidc_http::plain_origin_text(url))
        .any(|origin| {
            uri.strip_prefix(origin)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        });
    if under_home_text && sendable.is_some() {
        return None;
    }
    let mut home_origins: Vec<url::Origin> = Vec::new();
    for origin in home.iter().filter_map(|url| origin_of(url)) {
        if !home_origins.contains(&origin) {
            home_origins.push(origin);
        }
    }
    let allowed = home_origins
        .iter()
        .map(url::Origin::ascii_serialization)
        .collect::<Vec<_>>()
        .join(" or ");
    let Some(origin) = origin_of(uri) else {
        return Some(format!(
            "it is not an absolute http(s) URL; the token goes only to {allowed}"
        ));
    };
    if home_origins.contains(&origin) {
        return None;
    }
    Some(format!(
        "its origin {} is not the registration endpoint's or the issuer's ({allowed}); allow \
         another origin explicitly to send the registration access token there",
        origin.ascii_serialization()
    ))
}

/// The problem to report with an answer whose `registration_client_uri` management calls would
/// refuse: foreign to `home` (unless `allow_foreign`), or plain http the policy refuses.
/// Checked when the answer arrives, so the caller hears of it then, not at the next call.
///
/// `sent_to` is the URL the answer came from. It was sent under `plain_http`, and it was either
/// on a `home` origin or allowed as foreign, so a `uri` on its origin needs neither check again
/// (see [`is_sendable_on_origin_of`]).
pub(crate) fn client_uri_problem(
    uri: Option<&str>,
    sent_to: &str,
    home: &[&str],
    plain_http: PlainHttp,
    allow_foreign: bool,
) -> Option<ResponseProblem> {
    let uri = uri?;
    if is_sendable_on_origin_of(uri, sent_to) {
        return None;
    }
    // Parsed once for both checks.
    let sendable = Uri::try_from(uri).ok();
    let foreign = if allow_foreign {
        None
    } else {
        refusal_of(uri, sendable.as_ref(), home)
    };
    let refused_http = match &sendable {
        Some(parsed) => plain_http.check(parsed).is_err(),
        None => plain_http.may_refuse(uri),
    };
    let reason = foreign.or_else(|| {
        refused_http.then(|| {
            "it is plain http to a host other than this machine, which the https policy refuses"
                .to_owned()
        })
    })?;
    Some(ResponseProblem::RegistrationClientUri { reason })
}

/// URIs at most this long may take [`is_sendable_on_origin_of`]'s shortcut: far below
/// `http::Uri`'s own length limit (64 KiB), so the shortcut never accepts what a parse refuses.
const ORIGIN_SHORTCUT_MAX_LEN: usize = 4096;

/// Whether `uri` is `sent_to`'s plain origin text ([`oidc_http::plain_origin_text`]) followed by
/// nothing or by a path that `http::Uri` reads. Then `uri` has the scheme, host and port of a URL
/// a request was just sent to, so the https policy and the origin rule judge it as they judged
/// that URL, and a management call can send it: the origin text parsed when it was sent, and
/// the rest is checked here as the path and query it would be. The common answer, a
/// configuration URI under the registration endpoint, costs one scan of its path instead of a
/// parse of the whole URI and of every home URL.
fn is_sendable_on_origin_of(uri: &str, sent_to: &str) -> bool {
    let Some(rest) =
        oidc_http::plain_origin_text(sent_to).and_then(|origin| uri.strip_prefix(origin))
    else {
        return false;
    };
    rest.is_empty()
        || (rest.starts_with('/')
            && uri.len() <= ORIGIN_SHORTCUT_MAX_LEN
            && (is_plain_path_and_query(rest) || http::uri::PathAndQuery::try_from(rest).is_ok()))
}

/// Whether `text` is made only of RFC 3986 path and query characters (unreserved, sub-delims,
/// `:`, `@`, `/`, `%`, and `?`): text `http::uri::PathAndQuery` always accepts, known from one
/// byte scan instead of its copy into a buffer. Anything else (a fragment, a space, non-ASCII)
/// is left to `PathAndQuery` itself.
fn is_plain_path_and_query(text: &str) -> bool {
    text.bytes().all(|byte| {
        byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
                    | b'/'
                    | b'%'
                    | b'?'
            )
    })
}

/// Which endpoint answered: a 404 means "no such client" only at the client configuration
/// endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Registration,
    ClientConfiguration,
}

/// Turns a non-success answer into the most specific error it supports. Every piece of provider
/// text kept in it (the body, the OAuth error's code, description and URI, whether from the
/// body or `WWW-Authenticate`) has the call's `secrets` scrubbed out first: a provider can
/// quote what it was sent.
pub(crate) fn error_from_response(
    endpoint: Endpoint,
    method: &Method,
    response: &Response<Bytes>,
    secrets: &[&Secret],
) -> RegistrationErrorKind {
    let status = response.status();
    let body = response.body();
    if status.is_success() {
        // A 2xx other than the expected ones may carry credentials: never echo its body.
        return RegistrationErrorKind::UnexpectedStatus {
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
    let error = error.map(|error| scrubbed(error, secrets));
    // Scrubbed whole, then cut: a secret across the cut must not leave a part behind.
    let text = Secret::scrub(&String::from_utf8_lossy(body), secrets);
    let excerpt = oidc_http::body_excerpt(text.as_bytes());
    let invalid_token = error
        .as_ref()
        .is_some_and(|error| error.code == OAuthErrorCode::InvalidToken);
    match (status, error) {
        (StatusCode::UNAUTHORIZED, error) => RegistrationErrorKind::TokenRejected {
            status,
            error,
            body: excerpt,
        },
        (_, Some(error)) if invalid_token => RegistrationErrorKind::TokenRejected {
            status,
            error: Some(error),
            body: excerpt,
        },
        (StatusCode::FORBIDDEN, error) => RegistrationErrorKind::NotPermitted {
            status,
            error,
            body: excerpt,
        },
        (StatusCode::METHOD_NOT_ALLOWED, _) => RegistrationErrorKind::MethodNotAllowed {
            method: method.clone(),
        },
        (StatusCode::NOT_FOUND, None) if endpoint == Endpoint::ClientConfiguration => {
            RegistrationErrorKind::ClientNotFound { body: excerpt }
        }
        (_, Some(error)) => RegistrationErrorKind::Provider {
            error,
            status,
            body: text,
        },
        (_, None) => RegistrationErrorKind::UnexpectedStatus {
            status,
            body: excerpt,
        },
    }
}

/// `error` with `secrets` scrubbed from every text member.
fn scrubbed(mut error: OAuthError, secrets: &[&Secret]) -> OAuthError {
    if let OAuthErrorCode::Other(code) = &error.code {
        error.code = OAuthErrorCode::from(Secret::scrub(code, secrets).as_str());
    }
    error.description = error.description.map(|text| Secret::scrub(&text, secrets));
    error.uri = error.uri.map(|text| Secret::scrub(&text, secrets));
    error
}

/// Sends `request` with the call's settings through the workspace's one door
/// ([`oidc_http::send`]): the https policy first, then the timeout.
pub(crate) async fn send(
    call: &CallOptions,
    request: Request<Bytes>,
) -> Result<Response<Bytes>, RegistrationErrorKind> {
    call.send(request)
        .await
        .map_err(RegistrationErrorKind::Http)
}

/// Reads the registration in a success answer, in two stages (see
/// [`RegistrationResponse`]): any 2xx whose body is a JSON object is read, whatever its content
/// type; a content type other than JSON, or a success status other than the `expected` ones,
/// is recorded as a problem rather than thrown away with the credentials it may carry.
/// `held_client_id` is the client a management call is about (its answer needs no
/// `client_id`); `None` for a registration. A non-success status is the most specific error it
/// supports.
pub(crate) fn read_registration(
    endpoint: Endpoint,
    method: &Method,
    response: &Response<Bytes>,
    expected: &[StatusCode],
    held_client_id: Option<&str>,
    secrets: &[&Secret],
) -> Result<RegistrationResponse, RegistrationErrorKind> {
    let status = response.status();
    if !status.is_success() {
        return Err(error_from_response(endpoint, method, response, secrets));
    }
    let body = response.body();
    let read = match held_client_id {
        None => RegistrationResponse::from_json(body),
        Some(client_id) => RegistrationResponse::from_management_json(body, client_id),
    };
    let mut answer =
        read.map_err(|source| RegistrationErrorKind::InvalidResponse { status, source })?;
    if !oidc_http::is_json_content_type(response.headers()) {
        answer.problems.push(ResponseProblem::ContentType {
            content_type: response
                .headers()
                .get(CONTENT_TYPE)
                .map(|value| Secret::scrub(&String::from_utf8_lossy(value.as_bytes()), secrets)),
        });
    }
    if !expected.contains(&status) {
        answer.problems.push(ResponseProblem::Status {
            status: status.as_u16(),
        });
    }
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_text_shortcut_agrees_with_parsing() {
        let home = ["http://127.0.0.1:8080/register", "https://op.example"];
        for (uri, same) in [
            ("http://127.0.0.1:8080/register/abc", true),
            ("http://127.0.0.1:8080", true),
            // Not an `http::Uri` (so the shortcut does not answer), but a URL on the same origin.
            ("http://127.0.0.1:8080/register/\u{fc} x", true),
            ("https://op.example/clients/1", true),
            ("HTTPS://OP.EXAMPLE/clients/1", true),
            ("https://op.example:443/clients/1", true),
            ("http://127.0.0.1:8081/register/abc", false),
            ("http://127.0.0.1:80800/register/abc", false),
            ("https://op.example.evil/clients/1", false),
            ("https://op.example@evil.example/clients/1", false),
            ("http://op.example/clients/1", false),
            ("not a url", false),
        ] {
            assert_eq!(client_uri_refusal(uri, &home).is_none(), same, "{uri}");
        }
    }

    #[test]
    fn plain_path_and_query_text_is_always_a_path_and_query() {
        // `PathAndQuery` judges each byte by its class (one table before the first `?`, one
        // after), so every byte in both positions covers every text the scan accepts.
        for byte in 0..=u8::MAX {
            let Ok(text) = std::str::from_utf8(std::slice::from_ref(&byte)) else {
                continue;
            };
            for candidate in [
                format!("/{text}"),
                format!("/a?{text}"),
                format!("/?b{text}?"),
            ] {
                if is_plain_path_and_query(&candidate) {
                    assert!(
                        http::uri::PathAndQuery::try_from(candidate.as_str()).is_ok(),
                        "{candidate:?}"
                    );
                }
            }
        }
        assert!(is_plain_path_and_query("/register/abc?client_id=x%20y&b=c"));
        for refused in ["/a#f", "/a b", "/\u{fc}", "/a\"b", "/{x}"] {
            assert!(!is_plain_path_and_query(refused), "{refused:?}");
        }
    }

    #[test]
    fn the_sent_to_origin_shortcut_agrees_with_the_full_checks() {
        let endpoint = "http://127.0.0.1:8080/register";
        let home = [endpoint, "https://op.example"];
        let long = format!("{endpoint}/{}", "a".repeat(ORIGIN_SHORTCUT_MAX_LEN));
        let huge = format!("{endpoint}/{}", "a".repeat(70_000));
        for uri in [
            "http://127.0.0.1:8080/register/abc",
            "http://127.0.0.1:8080/register/abc?x=1#f",
            "http://127.0.0.1:8080",
            "http://127.0.0.1:8080/register/\u{fc} x",
            "http://127.0.0.1:8080/a b",
            "http://127.0.0.1:8080?x",
            "http://127.0.0.1:8080#x",
            "http://127.0.0.1:80800/register/abc",
            "http://127.0.0.1:8080.evil.example/register",
            "http://127.0.0.1:8080@evil.example/register",
            "http://127.0.0.1:8081/register/abc",
            "https://op.example/clients/1",
            long.as_str(),
            huge.as_str(),
        ] {
            for plain_http in [PlainHttp::LoopbackOnly, PlainHttp::Anywhere] {
                // `""` has no origin text, so this call makes every check in full.
                let full = client_uri_problem(Some(uri), "", &home, plain_http, false);
                if is_sendable_on_origin_of(uri, endpoint) {
                    assert_eq!(full, None, "{uri}");
                }
                assert_eq!(
                    client_uri_problem(Some(uri), endpoint, &home, plain_http, false),
                    full,
                    "{uri}"
                );
            }
        }
        // The shortcut answers for the common case.
        assert!(is_sendable_on_origin_of(
            "http://127.0.0.1:8080/register/abc",
            endpoint
        ));
        assert!(!is_sendable_on_origin_of(&huge, endpoint));
    }

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
        assert!(matches!(error, RegistrationErrorKind::InvalidAccessToken));
        assert!(!error.to_string().contains("bad"));
    }

    #[test]
    fn endpoints_must_be_http_urls() {
        for endpoint in [
            "/relative",
            "ftp://op.example/",
            "not a url",
            "https://op.example:99999/register",
            "https://[::1]:x/register",
            "https:///register",
        ] {
            let error = build_request(Method::POST, endpoint, None, None).unwrap_err();
            assert!(
                matches!(error, RegistrationErrorKind::InvalidEndpoint { .. }),
                "{endpoint}"
            );
        }
        for endpoint in [
            "https://op.example:8443/register",
            "https://op.example:/register",
            "HTTPS://op.example/register",
            "https://user:pa55@op.example/register",
            "https://[::1]/register",
            "http://[::1]:8080/register",
        ] {
            let request = build_request(Method::POST, endpoint, None, None).unwrap();
            assert!(request.uri().host().is_some(), "{endpoint}");
        }
    }

    #[test]
    fn error_classification() {
        let oauth = error_from_response(
            Endpoint::Registration,
            &Method::POST,
            &response(400, &[], r#"{"error":"invalid_client_metadata"}"#),
            &[],
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
            &[],
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
            &[],
        );
        assert!(
            matches!(&html, RegistrationErrorKind::UnexpectedStatus { body, .. } if body.contains("oops"))
        );
    }

    #[test]
    fn the_calls_secrets_never_survive_in_provider_text() {
        let token = Secret::new("iat-5ecret");
        let secret = Secret::new("cs-5ecret");
        let secrets = [&token, &secret];
        let quoting = format!(
            r#"{{"error":"invalid_client_metadata","error_description":"token iat-5ecret and cs-5ecret","error_uri":"https://op.example/e?t=iat-5ecret"}}{}"#,
            " ".repeat(500) + "cs-5ecret"
        );
        let cases = [
            response(400, &[], Box::leak(quoting.into_boxed_str())),
            response(
                401,
                &[(
                    "www-authenticate",
                    r#"Bearer error="invalid_token", error_description="iat-5ecret expired""#,
                )],
                "iat-5ecret",
            ),
            response(403, &[], "not for cs-5ecret"),
            response(500, &[], "<html>iat-5ecret</html>"),
        ];
        for case in &cases {
            let error =
                error_from_response(Endpoint::ClientConfiguration, &Method::GET, case, &secrets);
            let shown = format!("{error} {error:?}");
            assert!(!shown.contains("5ecret"), "{shown}");
            assert!(shown.contains("<redacted>"), "{shown}");
        }
        let odd = read_registration(
            Endpoint::Registration,
            &Method::POST,
            &response(
                201,
                &[("content-type", "text/iat-5ecret")],
                r#"{"client_id":"a"}"#,
            ),
            &[StatusCode::CREATED],
            None,
            &secrets,
        )
        .unwrap();
        assert!(!format!("{:?} {}", odd.problems, odd.problems[0]).contains("5ecret"));
    }

    #[test]
    fn any_success_with_a_json_object_is_read_and_its_oddities_reported() {
        let read = |status, headers: &[(&'static str, &'static str)], body| {
            read_registration(
                Endpoint::Registration,
                &Method::POST,
                &response(status, headers, body),
                &[StatusCode::CREATED, StatusCode::OK],
                None,
                &[],
            )
        };
        let json = [("content-type", "application/json")];
        let clean = read(201, &json, r#"{"client_id":"a"}"#).unwrap();
        assert!(clean.problems.is_empty());

        let odd = read(
            202,
            &[("content-type", "text/plain")],
            "\u{feff}{\"client_id\":\"a\",\"client_secret\":\"s\"}",
        )
        .unwrap();
        assert_eq!(odd.client_secret.as_ref().map(Secret::expose), Some("s"));
        assert_eq!(
            odd.problems,
            [
                ResponseProblem::ContentType {
                    content_type: Some("text/plain".into())
                },
                ResponseProblem::Status { status: 202 }
            ]
        );
        let untyped = read(201, &[], r#"{"client_id":"a"}"#).unwrap();
        assert_eq!(
            untyped.problems,
            [ResponseProblem::ContentType { content_type: None }]
        );

        let unusable = read(201, &json, r#"{"client_secret":"s"}"#).unwrap_err();
        match unusable {
            RegistrationErrorKind::InvalidResponse { status, source } => {
                assert_eq!(status, StatusCode::CREATED);
                assert_eq!(source.body().expose(), br#"{"client_secret":"s"}"#);
            }
            other => panic!("{other:?}"),
        }
    }
}
