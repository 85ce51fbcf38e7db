use std::sync::Arc;
use std::time::Duration;

use oidc_http::{CallOptions, HttpClient, PlainHttp};
use oidc_types::Jwk;
use serde_json::{Map, Value};

use crate::ExpiryPolicy;

/// Settings for [`load_configuration`](crate::load_configuration),
/// [`load_jwks`](crate::load_jwks) and [`discover_issuer`](crate::discover_issuer).
///
/// The default uses the process-wide shared HTTP client (one connection pool for every call),
/// that client's own timeouts, the default [`ExpiryPolicy`], only the OpenID Connect
/// well-known document ([`WellKnown::OpenId`]), no [`Quirks`] (every check strict) and no
/// trusted keys for `signed_metadata`.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct DiscoveryOptions {
    /// The HTTP client, the per-call timeout and the https policy, as every call takes them.
    ///
    /// On the policy ([`CallOptions::plain_http`]): with the default,
    /// [`PlainHttp::LoopbackOnly`], an `http://` issuer, document endpoint (any `*_endpoint`,
    /// `jwks_uri`, `check_session_iframe` or `mtls_endpoint_aliases` member) or WebFinger issuer
    /// link is refused unless its host is `localhost`, `127.0.0.0/8` or `::1`. With
    /// [`PlainHttp::Anywhere`] they are accepted (HashiCorp Vault's dev server advertises
    /// `http://0.0.0.0:8200`), and a WebFinger request to a loopback host is sent over plain
    /// `http` rather than `https`: for tests and local development only.
    pub call: CallOptions,
    /// How long a loaded document may be kept.
    pub expiry: ExpiryPolicy,
    /// Which well-known document(s) to fetch, in which order.
    pub well_known: WellKnown,
    /// Opt-in tolerance for known provider deviations. Empty by default.
    pub quirks: Quirks,
    /// Keys trusted to sign a provider's `signed_metadata` (RFC 8414 §2.1).
    ///
    /// When this is `Some` and a document carries `signed_metadata`, the JWT must verify with
    /// one of these keys (RS256/384/512, PS256/384/512, ES256, ES384 or EdDSA, see
    /// [`oidc_types::jws::verify_compact`]), its `iss` claim must be
    /// the issuer being loaded, and its claims then replace the plain members of the same name
    /// before the document is validated. A document without `signed_metadata` loads as usual.
    /// When `None` (the default), `signed_metadata` is kept as the string received and not
    /// interpreted: unverified claims must never override anything.
    pub trusted_metadata_keys: Option<Vec<Jwk>>,
}

impl DiscoveryOptions {
    /// Sets where plain http may be used; see [`call`](Self::call).
    pub fn with_plain_http(mut self, plain_http: PlainHttp) -> Self {
        self.call.plain_http = plain_http;
        self
    }

    /// Uses `client` instead of the shared default client.
    pub fn with_http_client(mut self, client: Arc<dyn HttpClient>) -> Self {
        self.call.http_client = Some(client);
        self
    }

    /// Limits this call to `timeout`.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.call.timeout = Some(timeout);
        self
    }

    /// Uses `policy` to compute expiries.
    pub fn with_expiry(mut self, policy: ExpiryPolicy) -> Self {
        self.expiry = policy;
        self
    }

    /// Fetches the well-known document(s) `well_known` names.
    pub fn with_well_known(mut self, well_known: WellKnown) -> Self {
        self.well_known = well_known;
        self
    }

    /// Applies `quirks`, replacing any set before.
    pub fn with_quirks(mut self, quirks: Quirks) -> Self {
        self.quirks = quirks;
        self
    }

    /// Verifies and applies `signed_metadata` with these keys; see
    /// [`trusted_metadata_keys`](Self::trusted_metadata_keys).
    pub fn with_trusted_metadata_keys(mut self, keys: Vec<Jwk>) -> Self {
        self.trusted_metadata_keys = Some(keys);
        self
    }
}

/// Which well-known metadata document [`load_configuration`](crate::load_configuration)
/// fetches.
///
/// The two documents differ in where the well-known segment goes:
///
/// | issuer | [`OpenId`](Self::OpenId) (OIDC Discovery §4.1) | [`OAuth`](Self::OAuth) (RFC 8414 §3.1) |
/// |---|---|---|
/// | `https://as.example` | `https://as.example/.well-known/openid-configuration` | `https://as.example/.well-known/oauth-authorization-server` |
/// | `https://as.example/t1` | `https://as.example/t1/.well-known/openid-configuration` | `https://as.example/.well-known/oauth-authorization-server/t1` |
///
/// Either way the document's `issuer` must be the issuer asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum WellKnown {
    /// Only `/.well-known/openid-configuration`, appended to the issuer. The default: an
    /// OpenID Provider must serve it, and it is what this library always did.
    #[default]
    OpenId,
    /// Only RFC 8414's `/.well-known/oauth-authorization-server`, inserted between the host
    /// and the issuer's path. For plain OAuth 2.0 authorization servers.
    OAuth,
    /// The OpenID document first; the RFC 8414 document only when the first answer says the
    /// document is not there: a 404 (Not Found) or 410 (Gone) status.
    ///
    /// Anything else ends the load with that error and no second request: a 500, a content
    /// type that is not JSON, a body that is not a JSON object (or repeats a member), an issuer
    /// mismatch, a transport failure. Each of those is the first location's answer, and trying
    /// the next one would hide it behind whatever that one says (most likely a 404): an issuer
    /// mismatch is a security signal (the document may describe another provider), an
    /// unreadable document a broken provider, and a transport failure or 5xx would most likely
    /// hit the second URL too. When the first answer is a 404 or 410 and the second attempt
    /// fails too, the error of the second is returned.
    OpenIdThenOAuth,
    /// The order the MCP authorization spec requires of its clients, for servers that may be
    /// plain OAuth 2.0 or OpenID Connect: for an issuer with a path (`https://as.example/t1`),
    /// RFC 8414 with the path inserted (`/.well-known/oauth-authorization-server/t1`), then
    /// OpenID Connect discovery with the path inserted
    /// (`/.well-known/openid-configuration/t1`), then OpenID Connect discovery with the path
    /// appended (`/t1/.well-known/openid-configuration`); for an issuer without a path,
    /// RFC 8414 then OpenID Connect discovery.
    ///
    /// As with [`OpenIdThenOAuth`](Self::OpenIdThenOAuth), only a 404 or 410 answer moves on
    /// to the next URL; any other failure (an unreadable document, an issuer mismatch, a 500)
    /// ends the load with that error, and when every URL says "not there" the last answer is
    /// returned.
    McpOrder,
}

/// Opt-in tolerance for ways real providers deviate from the specifications.
///
/// Every quirk is off by default, and with none set every check stays strict. Each one is
/// named after the deviation it accepts, so a caller's configuration documents which provider
/// needs what. The quirks apply to [`load_configuration`](crate::load_configuration). (Plain
/// http is not a quirk: it is the workspace's one https policy,
/// [`DiscoveryOptions::call`].)
///
/// ```
/// use oidc_discovery::{DiscoveryOptions, Quirks};
///
/// // Microsoft Entra's multi-tenant endpoints name the literal `{tenantid}` issuer.
/// let options = DiscoveryOptions::default().with_quirks(
///     Quirks::default().with_issuer_pattern("https://login.microsoftonline.com/{tenantid}/v2.0"),
/// );
/// # drop(options);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Quirks {
    /// Accepts a document whose `issuer` is a template rather than the issuer asked for, as
    /// Microsoft Entra's `common` and `organizations` endpoints answer with the literal
    /// `https://login.microsoftonline.com/{tenantid}/v2.0`.
    ///
    /// A document's `issuer` that is not the issuer asked for is accepted when both of these
    /// hold:
    ///
    /// - the document's `issuer` is exactly this pattern, placeholders included (the template
    ///   as the provider writes it), and
    /// - the issuer asked for matches the pattern, where each `{name}` (letters, digits, `_`
    ///   and `-` between braces) stands for one or more characters other than `/`, `?` and
    ///   `#`, and everything else must be equal character for character.
    ///
    /// So with `https://login.microsoftonline.com/{tenantid}/v2.0`, loading
    /// `https://login.microsoftonline.com/common/v2.0` accepts the `{tenantid}` document, but a
    /// document naming another concrete issuer (`.../some-tenant/v2.0`) is still a mismatch,
    /// and so is a template document for `https://login.microsoftonline.com/v2.0`. The loaded
    /// metadata keeps the document's template issuer, which is what ID tokens must then be
    /// checked against (with the tenant filled in).
    pub issuer_pattern: Option<String>,
    /// Accepts a document whose `issuer` differs from the issuer asked for when both match this
    /// regular expression entirely: the general form of
    /// [`issuer_pattern`](Self::issuer_pattern), for deviations a template cannot describe.
    ///
    /// The expression is anchored at both ends. It is the caller's to keep narrow: `.*` would
    /// accept any issuer and so switch off the check that keeps one provider's document from
    /// being used for another (Discovery §4.3). For Microsoft Entra:
    /// `https://login\.microsoftonline\.com/[^/]+/v2\.0`.
    pub issuer_regex: Option<IssuerRegex>,
    /// Members merged into the document before it is parsed and validated: each entry replaces
    /// the member of that name (or adds it), and a JSON `null` removes it. Applied after a
    /// verified `signed_metadata`, so the caller has the last word. For documents that are
    /// wrong in a known way, e.g. an `issuer` that is a template.
    pub document_overrides: Map<String, Value>,
    /// Reads a boolean sent as the string `"true"`/`"false"` and a lone string where an array
    /// belongs as what they mean (see
    /// [`ParseOptions::tolerate_malformed_values`](oidc_types::ParseOptions::tolerate_malformed_values)).
    /// Without it such a document is refused with an error naming the member. (Key members in
    /// padded or standard base64 need no quirk: [`load_jwks`](crate::load_jwks) always reads
    /// them, see [`Jwks::normalised`](crate::Jwks::normalised).)
    pub tolerate_malformed_values: bool,
}

impl Quirks {
    /// Sets [`issuer_pattern`](Self::issuer_pattern).
    pub fn with_issuer_pattern(mut self, pattern: impl Into<String>) -> Self {
        self.issuer_pattern = Some(pattern.into());
        self
    }

    /// Sets [`issuer_regex`](Self::issuer_regex).
    pub fn with_issuer_regex(mut self, regex: IssuerRegex) -> Self {
        self.issuer_regex = Some(regex);
        self
    }

    /// Adds one entry to [`document_overrides`](Self::document_overrides).
    pub fn with_document_override(mut self, member: impl Into<String>, value: Value) -> Self {
        self.document_overrides.insert(member.into(), value);
        self
    }

    /// Sets [`tolerate_malformed_values`](Self::tolerate_malformed_values).
    pub fn with_tolerate_malformed_values(mut self, tolerate: bool) -> Self {
        self.tolerate_malformed_values = tolerate;
        self
    }

    /// Whether `found`, a document's issuer, is acceptable for `expected` under
    /// [`issuer_pattern`](Self::issuer_pattern). Exact equality is checked by the caller.
    pub(crate) fn issuer_pattern_accepts(&self, expected: &str, found: &str) -> bool {
        let by_pattern = self
            .issuer_pattern
            .as_deref()
            .is_some_and(|pattern| found == pattern && matches_pattern(pattern, expected));
        let by_regex = self
            .issuer_regex
            .as_ref()
            .is_some_and(|regex| regex.0.is_match(expected) && regex.0.is_match(found));
        by_pattern || by_regex
    }
}

/// A regular expression for [`Quirks::issuer_regex`], anchored at both ends.
#[derive(Debug, Clone)]
pub struct IssuerRegex(regex::Regex);

impl IssuerRegex {
    /// Compiles `pattern` (the syntax of the `regex` crate), anchored so it must match a whole
    /// issuer.
    ///
    /// ```
    /// use oidc_discovery::IssuerRegex;
    ///
    /// assert!(IssuerRegex::new(r"https://login\.microsoftonline\.com/[^/]+/v2\.0").is_ok());
    /// assert!(IssuerRegex::new("https://op.example/(unclosed").is_err());
    /// ```
    ///
    /// # Errors
    ///
    /// [`InvalidIssuerRegex`] when `pattern` is not a valid expression.
    pub fn new(pattern: &str) -> Result<Self, InvalidIssuerRegex> {
        regex::Regex::new(&format!("^(?:{pattern})$"))
            .map(Self)
            .map_err(|error| InvalidIssuerRegex {
                pattern: pattern.to_owned(),
                reason: error.to_string(),
            })
    }

    /// The expression as given (without the added anchors).
    pub fn as_str(&self) -> &str {
        let anchored = self.0.as_str();
        anchored
            .strip_prefix("^(?:")
            .and_then(|rest| rest.strip_suffix(")$"))
            .unwrap_or(anchored)
    }
}

impl PartialEq for IssuerRegex {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

/// A pattern given to [`IssuerRegex::new`] that is not a valid regular expression.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid issuer regular expression {pattern:?}: {reason}")]
#[non_exhaustive]
pub struct InvalidIssuerRegex {
    /// The pattern as given.
    pub pattern: String,
    /// What is wrong with it.
    pub reason: String,
}

/// Whether `text` matches `pattern`, each `{name}` in the pattern standing for a non-empty run
/// of characters other than `/`, `?` and `#`. A placeholder tries every end within one
/// segment, so the work is bounded by the segment length per placeholder; both strings come
/// from the caller (the pattern and the issuer asked for), never from the provider.
fn matches_pattern(pattern: &str, text: &str) -> bool {
    match pattern.find('{') {
        None => pattern == text,
        Some(open) => {
            let (literal, rest) = pattern.split_at(open);
            let Some(text) = text.strip_prefix(literal) else {
                return false;
            };
            let Some(close) = rest.find('}') else {
                // An unclosed brace is a literal.
                return rest == text;
            };
            let name = &rest[1..close];
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                // Not a placeholder: match the brace literally and go on.
                return text
                    .strip_prefix('{')
                    .is_some_and(|text| matches_pattern(&rest[1..], text));
            }
            let after = &rest[close + 1..];
            let run = text.find(['/', '?', '#']).unwrap_or(text.len());
            (1..=run).any(|end| text.is_char_boundary(end) && matches_pattern(after, &text[end..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTRA: &str = "https://login.microsoftonline.com/{tenantid}/v2.0";

    #[test]
    fn an_issuer_regex_accepts_when_both_issuers_match_it_whole() {
        let regex = IssuerRegex::new(r"https://login\.microsoftonline\.com/[^/]+/v2\.0").unwrap();
        assert_eq!(
            regex.as_str(),
            r"https://login\.microsoftonline\.com/[^/]+/v2\.0"
        );
        let quirks = Quirks::default().with_issuer_regex(regex);
        let common = "https://login.microsoftonline.com/common/v2.0";
        assert!(quirks.issuer_pattern_accepts(common, ENTRA));
        // Anchored: a longer issuer does not match.
        assert!(
            !quirks.issuer_pattern_accepts(common, "https://login.microsoftonline.com/x/v2.0/evil")
        );
        assert!(!quirks.issuer_pattern_accepts("https://evil.example/common/v2.0", ENTRA));
        assert!(IssuerRegex::new("(").is_err());
    }

    #[test]
    fn placeholders_match_one_non_empty_segment() {
        for text in [
            "https://login.microsoftonline.com/common/v2.0",
            "https://login.microsoftonline.com/organizations/v2.0",
            "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
        ] {
            assert!(matches_pattern(ENTRA, text), "{text}");
        }
        for text in [
            "https://login.microsoftonline.com//v2.0",
            "https://login.microsoftonline.com/a/b/v2.0",
            "https://login.microsoftonline.com/v2.0",
            "https://login.microsoftonline.com/common/v2.0/",
            "https://login.microsoftonline.com/common/v2.0?x",
            "https://evil.example/common/v2.0",
            "https://login.microsoftonline.com.evil.example/common/v2.0",
        ] {
            assert!(!matches_pattern(ENTRA, text), "{text}");
        }
    }

    #[test]
    fn several_and_odd_placeholders() {
        assert!(matches_pattern(
            "https://{region}.as.example/{tenant}",
            "https://eu.as.example/t1"
        ));
        assert!(!matches_pattern(
            "https://{region}.as.example/{tenant}",
            "https://as.example/t1"
        ));
        // Not placeholders: matched literally.
        assert!(matches_pattern(
            "https://as.example/{}",
            "https://as.example/{}"
        ));
        assert!(matches_pattern(
            "https://as.example/{a b}",
            "https://as.example/{a b}"
        ));
        assert!(!matches_pattern(
            "https://as.example/{a b}",
            "https://as.example/x"
        ));
        assert!(matches_pattern(
            "https://as.example/{open",
            "https://as.example/{open"
        ));
        assert!(matches_pattern(
            "https://as.example/{t}x",
            "https://as.example/abx"
        ));
        assert!(!matches_pattern(
            "https://as.example/{t}x",
            "https://as.example/x"
        ));
    }

    #[test]
    fn the_document_must_carry_the_pattern_itself() {
        let quirks = Quirks::default().with_issuer_pattern(ENTRA);
        let common = "https://login.microsoftonline.com/common/v2.0";
        assert!(quirks.issuer_pattern_accepts(common, ENTRA));
        // Another concrete issuer is not the template: still a mismatch.
        assert!(
            !quirks.issuer_pattern_accepts(common, "https://login.microsoftonline.com/other/v2.0")
        );
        assert!(!quirks.issuer_pattern_accepts("https://login.microsoftonline.com/v2.0", ENTRA));
        assert!(!Quirks::default().issuer_pattern_accepts(common, ENTRA));
    }
}
