//! Small helpers shared by the crates that speak JSON over [`HttpClient`].

use std::time::Duration;

use http::header::CONTENT_TYPE;
use http::{HeaderMap, Uri};

use crate::{HttpError, HttpErrorKind};

/// The error for a request that did not finish within `timeout`. Like every error of the
/// built-in clients it leaves the URL out: [`send`](crate::send) records it once, in
/// [`HttpError::url`], and the caller's message says it.
pub(crate) fn timed_out(timeout: Duration) -> HttpError {
    HttpError::new(
        HttpErrorKind::Timeout,
        format!("request timed out after {timeout:?}"),
    )
}

/// The error for a response body larger than `limit` bytes.
#[cfg(any(feature = "hyper-client", feature = "reqwest"))]
pub(crate) fn too_large(limit: usize) -> HttpError {
    HttpError::new(
        HttpErrorKind::BodyTooLarge,
        format!("response body exceeds the limit of {limit} bytes"),
    )
}

/// Whether the response declares a JSON body: `application/json` or any
/// `application/<something>+json` (RFC 6839), case-insensitive, parameters such as
/// `charset` ignored.
///
/// ```
/// use http::{header::CONTENT_TYPE, HeaderMap, HeaderValue};
///
/// let mut headers = HeaderMap::new();
/// headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/jwk-set+json; charset=utf-8"));
/// assert!(oidc_http::is_json_content_type(&headers));
/// headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/jwt"));
/// assert!(!oidc_http::is_json_content_type(&headers));
/// ```
pub fn is_json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
    else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim();
    // Media types are case-insensitive (RFC 9110 §8.3.1); compared without a lower-cased copy.
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    let suffix_json = subtype
        .len()
        .checked_sub("+json".len())
        .and_then(|start| subtype.get(start..))
        .is_some_and(|suffix| suffix.eq_ignore_ascii_case("+json"));
    kind.eq_ignore_ascii_case("application")
        && (subtype.eq_ignore_ascii_case("json") || suffix_json)
}

/// The `scheme://authority` text that starts `url`, when `url` is `http://` or `https://` (in
/// lower case) with an authority plain enough (lower-case ASCII letters, digits, `.`, `-`, `:`)
/// that every URL starting with exactly this text, followed by `/`, `?`, `#` or nothing, has the
/// same scheme, host and port: the same text parses to the same origin. `None` for anything else
/// (user-info, percent escapes, IPv6, upper case, another scheme), which needs a real parse.
///
/// It lets a caller that has already judged one URL answer for URLs on the same origin by
/// comparing text, which is much cheaper than parsing each of them.
///
/// ```
/// use oidc_http::plain_origin_text;
///
/// assert_eq!(plain_origin_text("https://op.example:8443/a?b"), Some("https://op.example:8443"));
/// assert_eq!(plain_origin_text("https://user@op.example/"), None);
/// assert_eq!(plain_origin_text("https://OP.example/"), None);
/// ```
pub fn plain_origin_text(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..end)?;
    let plain = !authority.is_empty()
        && authority.bytes().all(|byte| {
            byte.is_ascii_lowercase() || byte.is_ascii_digit() || matches!(byte, b'.' | b'-' | b':')
        });
    plain.then(|| url.get(..url.len() - rest.len() + end))?
}

/// Whether `url` is `origin` (a [`plain_origin_text`]) followed by nothing or by a path, query
/// or fragment: then it has `origin`'s scheme, host and port.
pub(crate) fn is_on_origin(url: &str, origin: &str) -> bool {
    url.strip_prefix(origin)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']))
}

/// `scheme://host[:port]/path` of a URL, for messages and labels: user-info and the query are
/// left out because they may carry credentials. Text that is not a URL is cut at `?` or `#`,
/// and anything up to an `@` after `://` (user-info) is dropped too.
pub fn redact_url(url: &str) -> String {
    match url.parse::<Uri>() {
        Ok(uri) if uri.scheme().is_some() => redact_uri(&uri),
        _ => {
            let text = url.split(['?', '#']).next().unwrap_or_default();
            // Unparsable (a space, non-ASCII, `{`), but it may still carry `user:password@`.
            let Some((scheme, rest)) = text.split_once("://") else {
                return text.to_owned();
            };
            let (authority, path) = rest.split_at(rest.find(['/', '\\']).unwrap_or(rest.len()));
            let host = authority
                .rsplit_once('@')
                .map_or(authority, |(_, host)| host);
            format!("{scheme}://{host}{path}")
        }
    }
}

/// `uri`'s host and the port text after it, from one scan of its authority: the host as
/// [`Uri::host`] gives it (an IPv6 literal keeps its brackets), the port as written (`Some("")`
/// for a bare `:`), `None` for a URI without an authority. A byte scan, where [`Uri::host`]
/// runs two string searches: each request asks for its host several times (the https policy,
/// the endpoint checks, the `Host` header).
pub fn host_and_port(uri: &Uri) -> Option<(&str, Option<&str>)> {
    let (_, host, port) = split_authority(uri.authority()?.as_str());
    Some((host, port))
}

/// An authority's text less its user-info (up to the last `@`, which a host cannot contain),
/// then that split into the host and the port text after its `:`.
fn split_authority(authority: &str) -> (&str, &str, Option<&str>) {
    let start = authority
        .bytes()
        .rposition(|byte| byte == b'@')
        .map_or(0, |at| at + 1);
    let host_port = authority.get(start..).unwrap_or_default();
    let host_end = if host_port.starts_with('[') {
        host_port
            .bytes()
            .position(|byte| byte == b']')
            .map_or(host_port.len(), |end| end + 1)
    } else {
        host_port
            .bytes()
            .position(|byte| byte == b':')
            .unwrap_or(host_port.len())
    };
    let (host, after) = host_port.split_at(host_end);
    (host_port, host, after.strip_prefix(':'))
}

/// The `Host` header for a request to `uri` (RFC 9110 §7.2): its host, and its port unless
/// that is the scheme's default, as hyper-util writes it; `None` without an authority. Both
/// are slices of the authority's text, so setting the header needs no `format!`.
pub(crate) fn host_header_text(uri: &Uri) -> Option<&str> {
    let (host_port, host, port) = split_authority(uri.authority()?.as_str());
    match port.map(str::parse::<u16>) {
        Some(Ok(port)) if port != default_port(uri) => Some(host_port),
        _ => Some(host),
    }
}

/// The port a request to `uri` goes to when it names none: 80 for plain http, otherwise 443
/// (the client speaks only http and https).
pub(crate) fn default_port(uri: &Uri) -> u16 {
    if uri
        .scheme_str()
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http"))
    {
        80
    } else {
        443
    }
}

pub(crate) fn redact_uri(uri: &Uri) -> String {
    let scheme = uri.scheme_str().unwrap_or("");
    let host = uri.host().unwrap_or("");
    let port = uri.port_u16().map(|p| format!(":{p}")).unwrap_or_default();
    format!("{scheme}://{host}{port}{}", uri.path())
}

/// The start of a response body as text, for error messages: at most 512 bytes, lossy UTF-8.
pub fn body_excerpt(body: &[u8]) -> String {
    const LIMIT: usize = 512;
    let cut = body.get(..LIMIT).unwrap_or(body);
    let mut text = String::from_utf8_lossy(cut).into_owned();
    if body.len() > LIMIT {
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    #[test]
    fn host_and_port_agree_with_the_uri_readers() {
        for text in [
            "https://op.example/x",
            "https://op.example:8443/x",
            "http://user:pw@op.example:80/",
            "http://a@b@op.example/",
            "http://op.example:/",
            "http://127.0.0.1:1/",
            "https://[::1]/",
            "https://[::1]:8443/",
            "https://u@[fe80::1]:1/",
            "/relative/only",
        ] {
            let uri: Uri = text.parse().expect("a URI");
            let ours = host_and_port(&uri);
            assert_eq!(ours.map(|(host, _)| host), uri.host(), "{text}");
            let port = ours
                .and_then(|(_, port)| port)
                .filter(|port| !port.is_empty());
            assert_eq!(
                port,
                uri.port().as_ref().map(|port| port.as_str()),
                "{text}"
            );
        }
    }

    #[test]
    fn host_header_leaves_out_user_info_and_default_ports() {
        for (text, host) in [
            ("https://op.example/x", Some("op.example")),
            ("https://op.example:443/x", Some("op.example")),
            ("http://op.example:80/", Some("op.example")),
            ("http://op.example:443/", Some("op.example:443")),
            ("https://op.example:80/", Some("op.example:80")),
            ("http://127.0.0.1:8080/cb", Some("127.0.0.1:8080")),
            ("https://user:pw@op.example:8443/", Some("op.example:8443")),
            ("https://[::1]:443/", Some("[::1]")),
            ("http://[::1]:8080/", Some("[::1]:8080")),
            ("http://op.example:/", Some("op.example")),
            ("/relative/only", None),
        ] {
            let uri: Uri = text.parse().expect("a URI");
            assert_eq!(host_header_text(&uri), host, "{text}");
        }
    }

    #[test]
    fn json_content_types() {
        let check = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(value));
            is_json_content_type(&headers)
        };
        assert!(check("application/json"));
        assert!(check("Application/JSON; charset=UTF-8"));
        assert!(check("application/jwk-set+json"));
        assert!(check("application/problem+json;q=1"));
        assert!(check(" APPLICATION/Jwk-Set+JSON ;charset=utf-8"));
        assert!(!check("application/json+x"));
        assert!(!check("application/son"));
        assert!(!check("application"));
        assert!(!check("application/jwt"));
        assert!(!check("text/json"));
        assert!(!check("text/html"));
        assert!(!check("application/jsonx"));
        assert!(!is_json_content_type(&HeaderMap::new()));
    }

    #[test]
    fn plain_origin_texts_and_urls_on_them() {
        assert_eq!(
            plain_origin_text("https://op.example/a?b"),
            Some("https://op.example")
        );
        assert_eq!(
            plain_origin_text("http://127.0.0.1:8080?x"),
            Some("http://127.0.0.1:8080")
        );
        for url in [
            "https://user@op.example/",
            "https://[::1]/",
            "https://op%2eexample/",
            "HTTPS://op.example/",
            "ftp://op.example/",
            "https:///path",
            "https://op.example\\@evil.example/",
        ] {
            assert_eq!(plain_origin_text(url), None, "{url}");
        }
        let origin = "http://127.0.0.1:8080";
        for (url, on) in [
            ("http://127.0.0.1:8080", true),
            ("http://127.0.0.1:8080/token", true),
            ("http://127.0.0.1:8080?x", true),
            ("http://127.0.0.1:8080#f", true),
            ("http://127.0.0.1:80800/", false),
            ("http://127.0.0.1:8080.evil.example/", false),
            ("http://127.0.0.1:8080@evil.example/", false),
            ("https://127.0.0.1:8080/", false),
        ] {
            assert_eq!(is_on_origin(url, origin), on, "{url}");
        }
    }

    #[test]
    fn redaction() {
        assert_eq!(
            redact_url("https://u:p@op.example:8443/a/b?token=x#f"),
            "https://op.example:8443/a/b"
        );
        assert_eq!(redact_url("/relative?x=1"), "/relative");
        assert_eq!(redact_url("not a url?secret"), "not a url");
    }

    #[test]
    fn redaction_drops_user_info_of_unparsable_urls() {
        // A space, non-ASCII or `{` make `http::Uri` refuse these; the password must still go.
        assert_eq!(
            redact_url("https://admin:hunter2@op.example/tenant é?token=x"),
            "https://op.example/tenant é"
        );
        assert_eq!(
            redact_url("https://u:p@op.example/{tenant}/v2.0"),
            "https://op.example/{tenant}/v2.0"
        );
        assert_eq!(
            redact_url("https://a:b@c@op.example/é"),
            "https://op.example/é"
        );
        assert_eq!(
            redact_url("https://op.example/a b/@me"),
            "https://op.example/a b/@me"
        );
    }

    #[test]
    fn excerpts_are_bounded() {
        assert_eq!(body_excerpt(b"short"), "short");
        let long = vec![b'a'; 2000];
        assert_eq!(body_excerpt(&long).chars().count(), 513);
    }
}
