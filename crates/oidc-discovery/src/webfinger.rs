//! OpenID Provider issuer discovery with WebFinger (OIDC Discovery 1.0 §2, RFC 7033).

use oidc_http::PlainHttp;
use oidc_types::json::{self, JsonObjectError};
use serde_json::Value;
use url::Url;

use crate::fetch::get_json;
use crate::{DiscoveryError, DiscoveryOptions};

/// The link relation that names an OpenID Provider issuer (OIDC Discovery §2).
pub const ISSUER_REL: &str = "http://openid.net/specs/connect/1.0/issuer";

/// A user's input as a WebFinger resource and the host to ask (OIDC Discovery §2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebFingerResource {
    /// The normalised resource URI, e.g. `acct:joe@example.com` or `https://example.com/joe`.
    pub resource: String,
    /// The host (with the port, if any) whose WebFinger endpoint is asked, e.g. `example.com`.
    pub host: String,
}

impl WebFingerResource {
    /// Normalises user input per OIDC Discovery §2.1.2:
    ///
    /// - a fragment (`#…`) is removed, and surrounding whitespace;
    /// - input starting with `acct:`, `https:` or `http:` (any case) is kept as it is;
    /// - input of the e-mail form `user@host`, with no path, query or port, becomes
    ///   `acct:user@host`;
    /// - any other input (`example.com`, `example.com:8080`, `example.com/joe`,
    ///   `joe@example.com:8080`) gets `https://` in front.
    ///
    /// The host is the part after the last `@` for `acct:` URIs, else the URL's host and port.
    ///
    /// ```
    /// use oidc_discovery::WebFingerResource;
    ///
    /// let joe = WebFingerResource::parse("joe@example.com").unwrap();
    /// assert_eq!((joe.resource.as_str(), joe.host.as_str()), ("acct:joe@example.com", "example.com"));
    /// let site = WebFingerResource::parse("example.com:8080/joe#me").unwrap();
    /// assert_eq!(site.resource, "https://example.com:8080/joe");
    /// assert_eq!(site.host, "example.com:8080");
    /// ```
    ///
    /// # Errors
    ///
    /// [`DiscoveryError::InvalidResource`] when the input is empty or names no usable host.
    pub fn parse(input: &str) -> Result<Self, DiscoveryError> {
        let without_fragment = input.split('#').next().unwrap_or_default().trim();
        let invalid = |reason: &str| DiscoveryError::InvalidResource {
            resource: oidc_http::redact_url(without_fragment),
            reason: reason.to_owned(),
        };
        if without_fragment.is_empty() {
            return Err(invalid("it is empty"));
        }
        let lower = without_fragment.to_ascii_lowercase();
        let resource = if lower.starts_with("acct:")
            || lower.starts_with("https:")
            || lower.starts_with("http:")
        {
            without_fragment.to_owned()
        } else if is_email_form(without_fragment) {
            format!("acct:{without_fragment}")
        } else {
            format!("https://{without_fragment}")
        };
        let host = if resource.len() >= 5 && resource[..5].eq_ignore_ascii_case("acct:") {
            let host = resource.rsplit_once('@').map(|(_, host)| host);
            host.filter(|host| !host.is_empty())
                .ok_or_else(|| invalid("an acct: URI needs user@host"))?
                .to_owned()
        } else {
            let url =
                Url::parse(&resource).map_err(|error| invalid(&format!("not a URL: {error}")))?;
            let host = url
                .host_str()
                .filter(|host| !host.is_empty())
                .ok_or_else(|| invalid("it has no host"))?;
            match url.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_owned(),
            }
        };
        // The host goes into a URL: refuse anything that would change its structure.
        if host
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '/' | '?' | '#' | '@' | '\\'))
        {
            return Err(invalid("its host is not a valid host name"));
        }
        Ok(Self { resource, host })
    }

    /// The WebFinger request URL: `https://<host>/.well-known/webfinger` with the resource and
    /// the issuer `rel`, both percent-encoded. `scheme` is `https` except for the loopback
    /// test option of [`discover_issuer`].
    fn request_url(&self, scheme: &str) -> Result<String, DiscoveryError> {
        let mut url = Url::parse(&format!("{scheme}://{}/.well-known/webfinger", self.host))
            .map_err(|error| DiscoveryError::InvalidResource {
                resource: oidc_http::redact_url(&self.resource),
                reason: format!("its host is not a valid host name: {error}"),
            })?;
        // RFC 7033 §4.1 asks for RFC 3986 percent-encoding. Form encoding differs only in
        // writing a space as `+` (a literal `+` is `%2B`), which a server decoding per RFC 3986
        // reads as a plus sign: write `%20` instead.
        let encode = |value: &str| {
            url::form_urlencoded::byte_serialize(value.as_bytes())
                .collect::<String>()
                .replace('+', "%20")
        };
        let query = format!(
            "resource={}&rel={}",
            encode(&self.resource),
            encode(ISSUER_REL)
        );
        url.set_query(Some(&query));
        Ok(url.into())
    }
}

/// `user@host` with no scheme, path, query or port: the one form that becomes `acct:`.
fn is_email_form(input: &str) -> bool {
    match input.rsplit_once('@') {
        Some((user, host)) => {
            !user.is_empty()
                && !host.is_empty()
                && !input.contains(['/', '?'])
                && !host.contains(':')
        }
        None => false,
    }
}

/// Finds the issuer of the OpenID Provider for `input`, a user's identifier such as
/// `joe@example.com` or `https://example.com/joe`, with WebFinger (OIDC Discovery §2).
///
/// The input is normalised with [`WebFingerResource::parse`]; then
/// `GET https://<host>/.well-known/webfinger?resource=<resource>&rel=http%3A%2F%2Fopenid.net%2Fspecs%2Fconnect%2F1.0%2Fissuer`
/// is sent with `Accept: application/jrd+json, application/json`. The answer must be 200 with
/// a JSON content type (`application/jrd+json` and `application/json` included) and a JSON
/// object (a leading UTF-8 byte order mark skipped) that has no top-level member twice (two
/// `links` arrays are a [`DiscoveryError::DuplicateMember`]); members other than `links` (and, in links, other than `rel` and `href`) are
/// ignored. The issuer is the `href` of the first link whose `rel` is [`ISSUER_REL`]; it must be
/// an `https` URL with a host and no query or fragment, and it is returned exactly as written.
/// Pass it to [`load_configuration`](crate::load_configuration).
///
/// An `http` issuer link is accepted where the https policy
/// ([`DiscoveryOptions::call`](crate::DiscoveryOptions::call)'s `plain_http`) allows it, and with
/// [`PlainHttp::Anywhere`] a WebFinger request to a loopback address (`localhost`,
/// `127.0.0.0/8`, `::1`) is itself sent over plain `http`: a test and development option for
/// loopback providers, which speak plain http.
///
/// # Errors
///
/// [`DiscoveryError::InvalidResource`] (nothing sent), `Http`, `UnexpectedStatus`,
/// `UnexpectedContentType`, `InvalidWebFinger`, `DuplicateMember`, `NoIssuerLink` or
/// `InvalidIssuerLink`.
pub async fn discover_issuer(
    input: &str,
    options: &DiscoveryOptions,
) -> Result<String, DiscoveryError> {
    let resource = WebFingerResource::parse(input)?;
    let loopback = Url::parse(&format!("https://{}/", resource.host))
        .ok()
        .and_then(|url| url.host_str().map(oidc_http::is_loopback_host))
        .unwrap_or(false);
    let scheme = if loopback && options.call.plain_http == PlainHttp::Anywhere {
        "http"
    } else {
        "https"
    };
    let url = resource.request_url(scheme)?;
    let shown = oidc_http::redact_url(&url);
    let response = get_json(&url, "application/jrd+json, application/json", options).await?;
    let invalid = |reason: &str| DiscoveryError::InvalidWebFinger {
        url: shown.clone(),
        reason: reason.to_owned(),
    };
    let document = json::parse_object(&response.body).map_err(|error| match error {
        JsonObjectError::DuplicateMember { member } => DiscoveryError::DuplicateMember {
            url: shown.clone(),
            member,
        },
        JsonObjectError::InvalidJson { source } => invalid(&format!("not JSON: {source}")),
        _ => invalid("the document is not a JSON object"),
    })?;
    let links = match document.get("links") {
        Some(Value::Array(links)) => links.as_slice(),
        // RFC 7033 §4.4.4: `links` is OPTIONAL; without it there is no issuer link.
        None | Some(Value::Null) => &[],
        Some(_) => return Err(invalid("links is not an array")),
    };
    let href = links
        .iter()
        .filter(|link| link.get("rel").and_then(Value::as_str) == Some(ISSUER_REL))
        .find_map(|link| link.get("href").and_then(Value::as_str))
        .ok_or_else(|| DiscoveryError::NoIssuerLink { url: shown.clone() })?;
    check_issuer_link(href, options.call.plain_http).map_err(|reason| {
        DiscoveryError::InvalidIssuerLink {
            url: shown.clone(),
            href: oidc_http::redact_url(href),
            reason: reason.to_owned(),
        }
    })?;
    Ok(href.to_owned())
}

/// OIDC Discovery §2: the issuer "MUST be a URL using the https scheme with no query or
/// fragment component", with a host.
fn check_issuer_link(href: &str, plain_http: PlainHttp) -> Result<(), &'static str> {
    let url = Url::parse(href).map_err(|_| "it is not a URL")?;
    match url.scheme() {
        "https" => {}
        "http" if plain_http.allows(href) => {}
        "http" => return Err("it is plain http, which the https policy refuses here"),
        _ => return Err("it is not https"),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("it has no host");
    }
    // `Url` drops an empty `?` or `#`, so look at the text too.
    if url.query().is_some() || href.contains('?') {
        return Err("it has a query");
    }
    if url.fragment().is_some() || href.contains('#') {
        return Err("it has a fragment");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(input: &str) -> (String, String) {
        let resource = WebFingerResource::parse(input).unwrap();
        (resource.resource, resource.host)
    }

    #[test]
    fn normalises_like_discovery_section_2_1() {
        for (input, resource, host) in [
            ("joe@example.com", "acct:joe@example.com", "example.com"),
            (
                "acct:joe@example.com",
                "acct:joe@example.com",
                "example.com",
            ),
            (
                "ACCT:joe@example.com",
                "ACCT:joe@example.com",
                "example.com",
            ),
            (
                "acct:juliet%40capulet.example@shopping.example.com",
                "acct:juliet%40capulet.example@shopping.example.com",
                "shopping.example.com",
            ),
            (
                "juliet@capulet.example@shopping.example.com",
                "acct:juliet@capulet.example@shopping.example.com",
                "shopping.example.com",
            ),
            (
                "https://example.com/joe",
                "https://example.com/joe",
                "example.com",
            ),
            ("example.com/joe", "https://example.com/joe", "example.com"),
            ("example.com", "https://example.com", "example.com"),
            (
                "example.com:8080",
                "https://example.com:8080",
                "example.com:8080",
            ),
            ("localhost", "https://localhost", "localhost"),
            (
                "joe@example.com:8080",
                "https://joe@example.com:8080",
                "example.com:8080",
            ),
            (
                " https://example.com/joe#frag ",
                "https://example.com/joe",
                "example.com",
            ),
            ("joe@example.com#x", "acct:joe@example.com", "example.com"),
        ] {
            assert_eq!(
                parsed(input),
                (resource.to_owned(), host.to_owned()),
                "{input:?}"
            );
        }
    }

    #[test]
    fn unusable_input_is_refused_before_sending() {
        for input in [
            "",
            "  ",
            "#frag",
            "acct:joe@",
            "acct:joe",
            "https://",
            "a b@c d",
        ] {
            assert!(
                matches!(
                    WebFingerResource::parse(input),
                    Err(DiscoveryError::InvalidResource { .. })
                ),
                "{input:?}"
            );
        }
    }

    #[test]
    fn the_request_url_percent_encodes_both_parameters() {
        let url = WebFingerResource::parse("joe@example.com")
            .unwrap()
            .request_url("https")
            .unwrap();
        assert_eq!(
            url,
            "https://example.com/.well-known/webfinger?resource=acct%3Ajoe%40example.com&rel=http%3A%2F%2Fopenid.net%2Fspecs%2Fconnect%2F1.0%2Fissuer"
        );
    }

    #[test]
    fn the_request_url_percent_encodes_spaces_and_plus_signs() {
        let url = WebFingerResource::parse("joe smith+tag@example.com")
            .unwrap()
            .request_url("https")
            .unwrap();
        assert!(
            url.contains("?resource=acct%3Ajoe%20smith%2Btag%40example.com&rel="),
            "{url}"
        );
    }

    #[test]
    fn issuer_links_must_be_https_without_query_or_fragment() {
        let strict = PlainHttp::LoopbackOnly;
        assert!(check_issuer_link("https://server.example.com", strict).is_ok());
        assert!(check_issuer_link("https://server.example.com/tenant/", strict).is_ok());
        // The one https policy: plain http to this machine is allowed as everywhere else.
        assert!(check_issuer_link("http://127.0.0.1:8080", strict).is_ok());
        for href in [
            "http://server.example.com",
            "ftp://server.example.com",
            "https://server.example.com?x=1",
            "https://server.example.com/?",
            "https://server.example.com#f",
            "https://server.example.com/#",
            "server.example.com",
        ] {
            assert!(check_issuer_link(href, strict).is_err(), "{href}");
        }
        assert!(check_issuer_link("http://0.0.0.0:8200", PlainHttp::Anywhere).is_ok());
    }
}
