use std::time::{Duration, SystemTime};

use http::StatusCode;
use oidc_http::PlainHttp;
use oidc_telemetry::{instrument, Operation};
use oidc_types::{ParseOptions, ProviderMetadata, ProviderMetadataError};
use serde_json::{Map, Value};
use url::Url;

use crate::fetch::{get_json, JsonResponse};
use crate::{signed, DiscoveryError, DiscoveryOptions, WellKnown};

const OPENID_CONFIGURATION: &str = "/.well-known/openid-configuration";
const OAUTH_AUTHORIZATION_SERVER: &str = "/.well-known/oauth-authorization-server";
/// The stand-in for a lifetime too long to add to a `SystemTime`.
const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);
/// A provider's configuration as loaded, with how long it may be kept.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ProviderConfiguration {
    /// The provider metadata; its `issuer` equals the issuer it was loaded for.
    pub metadata: ProviderMetadata,
    /// When the document was received.
    pub fetched_at: SystemTime,
    /// How long after `fetched_at` the document may be used, per the [`ExpiryPolicy`] in force.
    ///
    /// [`ExpiryPolicy`]: crate::ExpiryPolicy
    pub expires_in: Duration,
}

impl ProviderConfiguration {
    /// Wraps metadata obtained some other way (a file, a cache), valid for `expires_in` from now.
    pub fn new(metadata: ProviderMetadata, expires_in: Duration) -> Self {
        Self {
            metadata,
            fetched_at: SystemTime::now(),
            expires_in,
        }
    }

    /// The moment the configuration should be loaded again.
    ///
    /// A lifetime too long for `SystemTime` (an [`ExpiryPolicy`](crate::ExpiryPolicy) without a
    /// ceiling meeting a huge `max-age`) is read as a century.
    pub fn expires_at(&self) -> SystemTime {
        // `SystemTime + Duration` panics on overflow, and `expires_in` may come from the
        // provider's `Cache-Control`.
        self.fetched_at
            .checked_add(self.expires_in)
            .or_else(|| self.fetched_at.checked_add(CENTURY))
            .unwrap_or(self.fetched_at)
    }

    /// Whether [`expires_at`](Self::expires_at) has passed.
    pub fn is_expired(&self) -> bool {
        // Compared as elapsed time, so no lifetime can overflow; a clock set back before
        // `fetched_at` counts as no time elapsed.
        let elapsed = SystemTime::now()
            .duration_since(self.fetched_at)
            .unwrap_or(Duration::ZERO);
        elapsed >= self.expires_in
    }
}

/// The OpenID Connect discovery URL of `issuer`: the issuer without a trailing `/`, then
/// `/.well-known/openid-configuration` (OIDC Discovery §4.1).
///
/// ```
/// use oidc_discovery::well_known_url;
///
/// let url = well_known_url("https://op.example/tenant/").unwrap();
/// assert_eq!(url, "https://op.example/tenant/.well-known/openid-configuration");
/// assert!(well_known_url("https://op.example/?tenant=a").is_err());
/// ```
///
/// # Errors
///
/// [`DiscoveryError::InvalidIssuer`] when the issuer is not an http(s) URL with a host, or has
/// a query or fragment.
pub fn well_known_url(issuer: &str) -> Result<String, DiscoveryError> {
    check_issuer(issuer)?;
    Ok(openid_url(issuer))
}

/// [`well_known_url`] of an issuer already checked.
fn openid_url(issuer: &str) -> String {
    format!("{}{OPENID_CONFIGURATION}", issuer.trim_end_matches('/'))
}

/// The RFC 8414 metadata URL of `issuer`: `/.well-known/oauth-authorization-server` inserted
/// between the host (and port) and the issuer's path, any terminating `/` of the path removed
/// first (RFC 8414 §3.1).
///
/// ```
/// use oidc_discovery::oauth_well_known_url;
///
/// assert_eq!(
///     oauth_well_known_url("https://example.com/issuer1").unwrap(),
///     "https://example.com/.well-known/oauth-authorization-server/issuer1"
/// );
/// assert_eq!(
///     oauth_well_known_url("https://example.com/").unwrap(),
///     "https://example.com/.well-known/oauth-authorization-server"
/// );
/// assert!(oauth_well_known_url("https://example.com/#x").is_err());
/// ```
///
/// # Errors
///
/// As [`well_known_url`].
pub fn oauth_well_known_url(issuer: &str) -> Result<String, DiscoveryError> {
    check_issuer(issuer)?;
    Ok(oauth_url(issuer))
}

/// [`oauth_well_known_url`] of an issuer already checked.
fn oauth_url(issuer: &str) -> String {
    // Split the issuer text itself rather than a parsed URL, so nothing is normalised: the
    // path goes into the URL exactly as the issuer spells it.
    let (origin, path) = split_path(issuer);
    format!(
        "{origin}{OAUTH_AUTHORIZATION_SERVER}{}",
        path.trim_end_matches('/')
    )
}

pub(crate) fn check_issuer(issuer: &str) -> Result<(), DiscoveryError> {
    let invalid = |reason: &str| DiscoveryError::InvalidIssuer {
        issuer: oidc_http::redact_url(issuer),
        reason: reason.to_owned(),
    };
    let url = Url::parse(issuer).map_err(|error| invalid(&format!("not a URL: {error}")))?;
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err(invalid("the scheme must be https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("it has no host"));
    }
    // An issuer names a provider; credentials in it would be sent nowhere (the well-known URL
    // request does not use them) and would be shown wherever the issuer is, such as
    // `IssuerMismatch`.
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "an issuer cannot have user-info (a user name or password)",
        ));
    }
    // `Url` drops an empty query or fragment (`?`, `#`), so look at the text too.
    if url.query().is_some() || issuer.contains('?') {
        return Err(invalid("an issuer cannot have a query"));
    }
    if url.fragment().is_some() || issuer.contains('#') {
        return Err(invalid("an issuer cannot have a fragment"));
    }
    check_issuer_text(issuer, url.scheme()).map_err(invalid)
}

/// The well-known URLs are built from the issuer's text, not from the parsed URL (nothing is
/// normalised), so the text must be the URL a parser reads: `scheme://host…` with the host
/// right after the `//`, no backslash, whitespace or control character (a URL parser turns a
/// backslash into `/` and drops tabs and line breaks), and no `.` or `..` path segment (a
/// parser removes them, which would move the RFC 8414 URL out of `/.well-known/`). Without
/// this, `http:///op` (read as `http://op/`) had its RFC 8414 URL sent to the host
/// `.well-known`.
fn check_issuer_text(issuer: &str, scheme: &str) -> Result<(), &'static str> {
    // The scheme itself (checked above to be http or https) must be followed by `//`:
    // `https:/ps://op` has no `//` after its scheme, whatever comes later.
    let authority = issuer
        .get(..scheme.len())
        .filter(|start| start.eq_ignore_ascii_case(scheme))
        .and_then(|_| issuer.get(scheme.len()..))
        .and_then(|rest| rest.strip_prefix("://"));
    if authority.is_none_or(|rest| rest.starts_with(['/', '\\'])) {
        return Err("an issuer is written scheme://host, with the host right after the //");
    }
    if issuer
        .chars()
        .any(|c| c == '\\' || c.is_ascii_whitespace() || c.is_control())
    {
        return Err("an issuer cannot have a backslash, whitespace or control character");
    }
    let (_, path) = split_path(issuer);
    if path.split('/').any(is_dot_segment) {
        return Err("an issuer path cannot have a . or .. segment");
    }
    Ok(())
}

/// Whether a path segment is `.` or `..` once `%2e` (any case) is read as `.`, as a URL parser
/// reads it (RFC 3986 §5.2.4, WHATWG URL's "single-dot" and "double-dot" segments).
fn is_dot_segment(segment: &str) -> bool {
    let mut rest = segment.as_bytes();
    let mut dots = 0;
    while !rest.is_empty() {
        rest = match rest {
            [b'.', after @ ..] => after,
            [b'%', b'2', b'e' | b'E', after @ ..] => after,
            _ => return false,
        };
        dots += 1;
    }
    dots == 1 || dots == 2
}

/// Loads the configuration of the provider identified by `issuer` (OIDC Discovery 1.0 §4,
/// RFC 8414 §3).
///
/// The issuer is checked first, and one with a query, a fragment or user-info is refused before
/// anything is sent. Then, for the document(s) [`DiscoveryOptions::well_known`] names (by default only
/// [`well_known_url(issuer)`](well_known_url); see [`WellKnown`] for the RFC 8414 URL and the
/// fallback rule), GETs the URL and requires a 200 answer with a JSON content type
/// (`application/json` or `application/*+json`, parameters ignored) whose body is a JSON object
/// (a leading UTF-8 byte order mark is skipped) with no member repeated at its top level
/// ([`DiscoveryError::DuplicateMember`] otherwise; see [`oidc_types::json`]).
/// The document then goes through these steps, in order:
///
/// 1. with [`trusted_metadata_keys`](DiscoveryOptions::trusted_metadata_keys), a
///    `signed_metadata` member is verified and its claims replace the plain members;
/// 2. [`Quirks::document_overrides`](crate::Quirks::document_overrides) are merged in;
/// 3. it is read as [`ProviderMetadata`], strictly unless
///    [`Quirks::tolerate_malformed_values`](crate::Quirks::tolerate_malformed_values);
/// 4. its `issuer` must be exactly `issuer`, code point for code point: `https://op.example`
///    and `https://op.example/` are different issuers, and the error says so (the only
///    exception is [`Quirks::issuer_pattern`](crate::Quirks::issuer_pattern));
/// 5. no endpoint may be a plain `http://` URL of a non-loopback host, unless
///    [`DiscoveryOptions::call`](crate::DiscoveryOptions::call)'s `plain_http` allows it.
///
/// The lifetime comes from `Cache-Control` (see [`ExpiryPolicy`]). Emits `load_configuration`
/// telemetry labelled with `issuer`.
///
/// # Errors
///
/// Every [`DiscoveryError`] but `InvalidJwks`, `NoJwksUri` and the WebFinger ones.
///
/// [`ExpiryPolicy`]: crate::ExpiryPolicy
/// [`WellKnown`]: crate::WellKnown
pub async fn load_configuration(
    issuer: &str,
    options: &DiscoveryOptions,
) -> Result<ProviderConfiguration, DiscoveryError> {
    load_configuration_labelled(issuer, issuer, options).await
}

/// [`load_configuration`] with its telemetry under the `issuer` label `label`: the
/// provider cache's shared label for issuers that have not loaded yet.
pub(crate) async fn load_configuration_labelled(
    issuer: &str,
    label: &str,
    options: &DiscoveryOptions,
) -> Result<ProviderConfiguration, DiscoveryError> {
    instrument(Operation::LoadConfiguration, label, async {
        // Discovery §3: the issuer is https. Plain http stays possible for this machine (tests,
        // local development) and, like http endpoints, where the https policy allows it.
        if refused_http(issuer, options.call.plain_http) {
            return Err(DiscoveryError::InvalidIssuer {
                issuer: oidc_http::redact_url(issuer),
                reason: "a plain http issuer off this machine needs plain http allowed \
                         (DiscoveryOptions::with_plain_http)"
                    .to_owned(),
            });
        }
        check_issuer(issuer)?;
        let (mut url, fallbacks) = well_known_urls(issuer, options.well_known);
        let mut fallbacks = fallbacks.into_iter();
        let (response, document) = loop {
            match fetch_document(&url, options).await {
                Err(error) if document_absent(&error) => match fallbacks.next() {
                    Some(next) => url = next,
                    None => return Err(error),
                },
                fetched => break fetched?,
            }
        };
        read_configuration(issuer, &url, &response, document, options)
    })
    .await
}

/// The metadata URLs of an (already checked) issuer, in the order `well_known` tries them:
/// the first, and those tried after a "not there" answer.
fn well_known_urls(issuer: &str, well_known: WellKnown) -> (String, Vec<String>) {
    match well_known {
        WellKnown::OpenId => (openid_url(issuer), Vec::new()),
        WellKnown::OAuth => (oauth_url(issuer), Vec::new()),
        WellKnown::OpenIdThenOAuth => (openid_url(issuer), vec![oauth_url(issuer)]),
        WellKnown::McpOrder => {
            let (origin, path) = split_path(issuer);
            let path = path.trim_end_matches('/');
            if path.is_empty() {
                (oauth_url(issuer), vec![openid_url(issuer)])
            } else {
                (
                    oauth_url(issuer),
                    vec![
                        format!("{origin}{OPENID_CONFIGURATION}{path}"),
                        openid_url(issuer),
                    ],
                )
            }
        }
    }
}

/// The issuer text split before its path, without any normalisation.
fn split_path(issuer: &str) -> (&str, &str) {
    let after_scheme = issuer.find("://").map_or(0, |at| at + 3);
    let path_start = issuer[after_scheme..]
        .find('/')
        .map_or(issuer.len(), |at| after_scheme + at);
    issuer.split_at(path_start)
}

/// GETs a metadata document and reads it as a JSON object.
async fn fetch_document(
    url: &str,
    options: &DiscoveryOptions,
) -> Result<(JsonResponse, Map<String, Value>), DiscoveryError> {
    let response = get_json(url, "application/json", options).await?;
    let document = ProviderMetadata::document_object(&response.body).map_err(|source| {
        let url = oidc_http::redact_url(url);
        match source {
            ProviderMetadataError::DuplicateMember { member } => {
                DiscoveryError::DuplicateMember { url, member }
            }
            source => DiscoveryError::InvalidConfiguration { url, source },
        }
    })?;
    Ok((response, document))
}

/// Whether `error` says "there is no metadata document at this URL" (a 404 or 410 answer),
/// the only case in which [`WellKnown::OpenIdThenOAuth`] and [`WellKnown::McpOrder`] try the
/// next URL. Every other
/// failure is the first location's answer and is reported as such: an unreadable document or
/// a wrong content type is a broken provider, not an absent document, and falling through to
/// the next location would hide it behind whatever that one says (most likely a 404).
fn document_absent(error: &DiscoveryError) -> bool {
    matches!(
        error,
        DiscoveryError::UnexpectedStatus { status, .. }
            if *status == StatusCode::NOT_FOUND || *status == StatusCode::GONE
    )
}

/// Steps 1 to 5 of [`load_configuration`] on a fetched document.
fn read_configuration(
    issuer: &str,
    url: &str,
    response: &JsonResponse,
    mut document: Map<String, Value>,
    options: &DiscoveryOptions,
) -> Result<ProviderConfiguration, DiscoveryError> {
    // Built only for an error, as in `fetch::get`.
    let shown = || oidc_http::redact_url(url);
    let quirks = &options.quirks;
    if let (Some(keys), Some(Value::String(token))) = (
        &options.trusted_metadata_keys,
        document.get("signed_metadata"),
    ) {
        let issuer_ok = |iss: &str| iss == issuer || quirks.issuer_pattern_accepts(issuer, iss);
        let claims = signed::verify(token, keys, issuer_ok).map_err(|reason| {
            DiscoveryError::InvalidSignedMetadata {
                url: shown(),
                reason,
            }
        })?;
        // RFC 8414 §2.1: verified values take precedence over the plain JSON ones.
        document.extend(claims);
    }
    for (member, value) in &quirks.document_overrides {
        if value.is_null() {
            document.remove(member);
        } else {
            document.insert(member.clone(), value.clone());
        }
    }
    let parse =
        ParseOptions::default().with_tolerate_malformed_values(quirks.tolerate_malformed_values);
    let metadata = ProviderMetadata::from_json_object_with(document, &parse).map_err(|source| {
        DiscoveryError::InvalidConfiguration {
            url: shown(),
            source,
        }
    })?;
    if metadata.issuer != issuer && !quirks.issuer_pattern_accepts(issuer, &metadata.issuer) {
        return Err(DiscoveryError::IssuerMismatch {
            expected: issuer.to_owned(),
            found: metadata.issuer,
        });
    }
    if let Some((member, value)) = insecure_endpoint(&metadata, options.call.plain_http) {
        return Err(DiscoveryError::InsecureEndpoint {
            url: shown(),
            member,
            value: oidc_http::redact_url(&value),
        });
    }
    Ok(ProviderConfiguration {
        metadata,
        fetched_at: SystemTime::now(),
        expires_in: options.expiry.lifetime(&response.headers),
    })
}

/// The first endpoint of `metadata` that is a plain `http://` URL the https policy refuses, by
/// member name. Endpoints are the URLs a client sends requests (and credentials) to: every
/// `*_endpoint` member, known or not, `jwks_uri`, `check_session_iframe` and the
/// `mtls_endpoint_aliases`. Values that are not URLs are not this check's business.
fn insecure_endpoint(
    metadata: &ProviderMetadata,
    plain_http: PlainHttp,
) -> Option<(String, String)> {
    let typed = [
        ("authorization_endpoint", &metadata.authorization_endpoint),
        ("token_endpoint", &metadata.token_endpoint),
        ("userinfo_endpoint", &metadata.userinfo_endpoint),
        ("jwks_uri", &metadata.jwks_uri),
        ("registration_endpoint", &metadata.registration_endpoint),
        ("revocation_endpoint", &metadata.revocation_endpoint),
        ("introspection_endpoint", &metadata.introspection_endpoint),
        (
            "pushed_authorization_request_endpoint",
            &metadata.pushed_authorization_request_endpoint,
        ),
        ("end_session_endpoint", &metadata.end_session_endpoint),
        ("check_session_iframe", &metadata.check_session_iframe),
        (
            "backchannel_authentication_endpoint",
            &metadata.backchannel_authentication_endpoint,
        ),
        (
            "device_authorization_endpoint",
            &metadata.device_authorization_endpoint,
        ),
        (
            "federation_registration_endpoint",
            &metadata.federation_registration_endpoint,
        ),
    ];
    // Names are borrowed while searching and written out only for the refused endpoint: a
    // document that passes costs no allocation here.
    let typed = typed
        .into_iter()
        .filter_map(|(member, value)| Some(("", member, value.as_deref()?)));
    let extra = metadata
        .extra_fields
        .iter()
        .filter(|(member, _)| member.ends_with("_endpoint"))
        .filter_map(|(member, value)| Some(("", member.as_str(), value.as_str()?)));
    let aliases = metadata
        .mtls_endpoint_aliases
        .iter()
        .flatten()
        .filter_map(|(member, value)| {
            Some(("mtls_endpoint_aliases.", member.as_str(), value.as_str()?))
        });
    // Endpoints on the issuer's own origin (the usual case) share its judgement, which was
    // made before the document was fetched: no parse per endpoint.
    let issuer = plain_http.allowed_origin(&metadata.issuer);
    typed
        .chain(extra)
        .chain(aliases)
        .find(|(_, _, value)| {
            !issuer.is_some_and(|issuer| issuer.covers(value)) && refused_http(value, plain_http)
        })
        .map(|(parent, member, value)| (format!("{parent}{member}"), value.to_owned()))
}

/// Whether `value` is an `http://` URL the https policy refuses. Other values (https, not a
/// URL) are not this check's business. The policy is asked first: it answers `https:` text
/// without parsing, and allowed http after one parse, so only a refusal parses twice.
fn refused_http(value: &str, plain_http: PlainHttp) -> bool {
    plain_http.may_refuse(value) && Url::parse(value).is_ok_and(|url| url.scheme() == "http")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_the_four_issuer_shapes() {
        for (issuer, expected) in [
            (
                "https://op.example",
                "https://op.example/.well-known/openid-configuration",
            ),
            (
                "https://op.example/",
                "https://op.example/.well-known/openid-configuration",
            ),
            (
                "https://op.example/t/a",
                "https://op.example/t/a/.well-known/openid-configuration",
            ),
            (
                "https://op.example/t/a/",
                "https://op.example/t/a/.well-known/openid-configuration",
            ),
        ] {
            assert_eq!(well_known_url(issuer).unwrap(), expected, "{issuer}");
        }
    }

    #[test]
    fn refuses_unusable_issuers() {
        for issuer in [
            "op.example",
            "ftp://op.example",
            "https://op.example/?tenant=a",
            "https://op.example/#frag",
            "https://",
            "",
        ] {
            assert!(
                matches!(
                    well_known_url(issuer),
                    Err(DiscoveryError::InvalidIssuer { .. })
                ),
                "{issuer}"
            );
        }
    }

    #[test]
    fn inserts_the_oauth_well_known_segment_after_the_host() {
        for (issuer, expected) in [
            (
                "https://example.com",
                "https://example.com/.well-known/oauth-authorization-server",
            ),
            (
                "https://example.com/",
                "https://example.com/.well-known/oauth-authorization-server",
            ),
            (
                "https://example.com/issuer1",
                "https://example.com/.well-known/oauth-authorization-server/issuer1",
            ),
            (
                "https://example.com/issuer1/",
                "https://example.com/.well-known/oauth-authorization-server/issuer1",
            ),
            (
                "http://127.0.0.1:8080/t/a",
                "http://127.0.0.1:8080/.well-known/oauth-authorization-server/t/a",
            ),
        ] {
            assert_eq!(oauth_well_known_url(issuer).unwrap(), expected, "{issuer}");
        }
        assert!(oauth_well_known_url("https://example.com/?").is_err());
    }

    /// Found by the `issuer` fuzz target: the well-known URLs are built from the issuer's text,
    /// so an issuer whose text a URL parser reads differently (`http:///op` is `http://op/`)
    /// sent the RFC 8414 request to the host `.well-known`. Such issuers are refused.
    #[test]
    fn refuses_issuers_whose_text_is_not_the_url_it_parses_as() {
        for issuer in [
            "http:///colgh",
            "https:/ps://web.ve/web.verimi.de",
            "https:op.example/t",
            "https:/op.example/t",
            "https://\\op.example/t",
            "https://op.example\\t",
            "https://op.exa\tmple/t",
            "https://op.example/t\n",
            "https://op.example/../t",
            "https://op.example/t/%2e%2E/u",
            "https://op.example/t/.",
        ] {
            assert!(
                matches!(
                    oauth_well_known_url(issuer),
                    Err(DiscoveryError::InvalidIssuer { .. })
                ),
                "{issuer:?}: {:?}",
                oauth_well_known_url(issuer)
            );
            assert!(well_known_url(issuer).is_err(), "{issuer:?}");
        }
        // Dots inside a segment are ordinary characters.
        assert_eq!(
            oauth_well_known_url("https://op.example/t.1/..a").unwrap(),
            "https://op.example/.well-known/oauth-authorization-server/t.1/..a"
        );
    }

    #[test]
    fn dot_segments_are_read_as_a_url_parser_reads_them() {
        // The rule as written: lower-case, read `%2e` as `.`, compare.
        let reference = |segment: &str| {
            let dots = segment.to_ascii_lowercase().replace("%2e", ".");
            dots == "." || dots == ".."
        };
        let pieces = [".", "%2e", "%2E", "%", "2e", "a", "%2", "..."];
        let mut segments = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> = segments
                .iter()
                .flat_map(|segment| pieces.iter().map(move |piece| format!("{segment}{piece}")))
                .collect();
            segments.extend(longer);
        }
        for segment in &segments {
            assert_eq!(is_dot_segment(segment), reference(segment), "{segment:?}");
        }
        assert!(is_dot_segment("%2E."));
        assert!(!is_dot_segment("..."));
    }

    #[test]
    fn the_mcp_order_tries_oauth_then_openid_inserted_then_appended() {
        let all = |issuer: &str| {
            let (first, rest) = well_known_urls(issuer, WellKnown::McpOrder);
            std::iter::once(first).chain(rest).collect::<Vec<_>>()
        };
        assert_eq!(
            all("https://as.example/tenant1"),
            [
                "https://as.example/.well-known/oauth-authorization-server/tenant1",
                "https://as.example/.well-known/openid-configuration/tenant1",
                "https://as.example/tenant1/.well-known/openid-configuration",
            ]
        );
        for issuer in ["https://as.example", "https://as.example/"] {
            assert_eq!(
                all(issuer),
                [
                    "https://as.example/.well-known/oauth-authorization-server",
                    "https://as.example/.well-known/openid-configuration",
                ],
                "{issuer}"
            );
        }
    }

    #[test]
    fn empty_query_and_fragment_are_still_refused() {
        for issuer in [
            "https://op.example/?",
            "https://op.example?",
            "https://op.example/#",
        ] {
            assert!(well_known_url(issuer).is_err(), "{issuer}");
        }
    }

    #[test]
    fn plain_http_is_refused_off_loopback_only_unless_allowed() {
        for value in [
            "http://0.0.0.0:8200/token",
            "http://as.example/token",
            "HTTP://as.example/token",
        ] {
            assert!(refused_http(value, PlainHttp::LoopbackOnly), "{value}");
            assert!(!refused_http(value, PlainHttp::Anywhere), "{value}");
        }
        for value in [
            "https://as.example/token",
            "http://localhost:8080/token",
            "http://127.0.0.1/token",
            "http://[::1]:80/token",
            "{endpointBase}/token",
            "",
        ] {
            assert!(!refused_http(value, PlainHttp::LoopbackOnly), "{value}");
        }
    }

    #[tokio::test]
    async fn a_plain_http_issuer_off_this_machine_is_refused_before_sending() {
        let error = load_configuration("http://op.example", &DiscoveryOptions::default())
            .await
            .unwrap_err();
        assert!(
            matches!(&error, DiscoveryError::InvalidIssuer { reason, .. } if reason.contains("plain http")),
            "{error}"
        );
    }

    #[test]
    fn huge_lifetimes_do_not_overflow() {
        let metadata: ProviderMetadata = serde_json::from_value(serde_json::json!({
            "issuer": "https://op.example",
            "authorization_endpoint": "https://op.example/authorize",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"]
        }))
        .unwrap();
        let forever = ProviderConfiguration::new(metadata.clone(), Duration::MAX);
        assert!(forever.expires_at() > forever.fetched_at);
        assert!(!forever.is_expired());
        let now = ProviderConfiguration::new(metadata, Duration::ZERO);
        assert_eq!(now.expires_at(), now.fetched_at);
        assert!(now.is_expired());
    }

    #[test]
    fn invalid_issuer_error_hides_userinfo() {
        let error = well_known_url("https://user:pw@op.example/?x=1").unwrap_err();
        assert!(!error.to_string().contains("pw"), "{error}");
    }

    /// A caller's issuer with a password in it was refused by nothing, so the password showed in
    /// `IssuerMismatch` (and wherever else the issuer is shown).
    #[test]
    fn issuers_with_user_info_are_refused_without_showing_it() {
        for issuer in [
            "https://user:s3cret@op.example",
            "https://s3cret@op.example/tenant",
            "http://user:s3cret@127.0.0.1:8080",
        ] {
            let error = check_issuer(issuer).unwrap_err();
            let shown = format!("{error} {error:?}");
            assert!(
                matches!(&error, DiscoveryError::InvalidIssuer { reason, .. } if reason.contains("user-info")),
                "{shown}"
            );
            assert!(!shown.contains("s3cret"), "{shown}");
        }
        assert!(check_issuer("https://op.example/t@nant").is_ok());
    }
}
