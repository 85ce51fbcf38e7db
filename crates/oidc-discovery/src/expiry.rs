use std::time::Duration;

use http::header::{AGE, CACHE_CONTROL};
use http::HeaderMap;

/// How long a discovery document or key set may be kept, from its `Cache-Control` header.
///
/// The lifetime is `max-age` minus `Age` (RFC 9111 §4.2.3), clamped to
/// [`minimum`](Self::minimum)..=[`maximum`](Self::maximum). When there is no usable `max-age`
/// (absent, zero, malformed) or the response says `no-store`/`no-cache`, the
/// [`fallback`](Self::fallback) is used instead: provider configurations change rarely, and
/// refetching one on every use would put every registration behind an extra round trip.
/// Directive names are matched case-insensitively.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExpiryPolicy {
    /// Used when the response gives no usable lifetime. Default 15 minutes.
    pub fallback: Duration,
    /// The shortest lifetime handed out. Default 1 minute.
    pub minimum: Duration,
    /// The longest lifetime handed out. Default 24 hours.
    pub maximum: Duration,
}

impl Default for ExpiryPolicy {
    fn default() -> Self {
        Self {
            fallback: Duration::from_secs(15 * 60),
            minimum: Duration::from_secs(60),
            maximum: Duration::from_secs(24 * 60 * 60),
        }
    }
}

impl ExpiryPolicy {
    /// A policy with the given fallback, minimum and maximum.
    pub fn new(fallback: Duration, minimum: Duration, maximum: Duration) -> Self {
        Self {
            fallback,
            minimum,
            maximum,
        }
    }

    /// The lifetime of a response with these headers.
    pub fn lifetime(&self, headers: &HeaderMap) -> Duration {
        let lifetime = match max_age(headers) {
            Some(max_age) if max_age > 0 => {
                Duration::from_secs(max_age.saturating_sub(age(headers)))
            }
            _ => self.fallback,
        };
        // `clamp` panics when minimum > maximum; a misconfigured policy must not crash a load.
        lifetime
            .max(self.minimum)
            .min(self.maximum.max(self.minimum))
    }
}

/// `max-age` of the first `max-age` directive in the `Cache-Control` fields; `None` when caching
/// is forbidden or the first `max-age` is not delta-seconds. Only the first counts (RFC 9111
/// §4.2.1): a later one cannot override an invalid first one.
fn max_age(headers: &HeaderMap) -> Option<u64> {
    let mut first = None;
    for value in headers.get_all(CACHE_CONTROL) {
        let Ok(value) = value.to_str() else { continue };
        for directive in value.split(',') {
            let directive = directive.trim();
            let (name, argument) = match directive.split_once('=') {
                Some((name, argument)) => (name.trim(), Some(unquoted(argument.trim()))),
                None => (directive, None),
            };
            if name.eq_ignore_ascii_case("no-store") || name.eq_ignore_ascii_case("no-cache") {
                return None;
            }
            if name.eq_ignore_ascii_case("max-age") && first.is_none() {
                first = Some(argument.and_then(delta_seconds));
            }
        }
    }
    first.flatten()
}

/// A directive argument without one pair of surrounding quotes (the quoted-string form, RFC 9110
/// §5.6.4, which RFC 9111 §5.2 lets any directive argument use); unbalanced quotes stay.
fn unquoted(argument: &str) -> &str {
    argument
        .strip_prefix('"')
        .and_then(|inner| inner.strip_suffix('"'))
        .unwrap_or(argument)
}

/// RFC 9111 §1.2.2 delta-seconds: one or more ASCII digits (no sign, no space). A value too
/// large to represent is read as the largest one (RFC 9111 says: at least 2^31), never as
/// invalid.
fn delta_seconds(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    Some(text.parse().unwrap_or(u64::MAX))
}

/// The `Age` field (RFC 9111 §5.1), 0 when absent or not delta-seconds.
fn age(headers: &HeaderMap) -> u64 {
    headers
        .get(AGE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| delta_seconds(value.trim()))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    fn lifetime(pairs: &[(&'static str, &'static str)]) -> u64 {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_static(value));
        }
        ExpiryPolicy::default().lifetime(&headers).as_secs()
    }

    #[test]
    fn delta_seconds_follow_rfc_9111() {
        // Found by the property test against RFC 9111 (issue 10): each of these was read
        // differently before.
        // Only the first max-age counts, even when it is invalid.
        assert_eq!(
            lifetime(&[("cache-control", "max-age=soon, max-age=500")]),
            15 * 60
        );
        // No sign.
        assert_eq!(lifetime(&[("cache-control", "max-age=+500")]), 15 * 60);
        // Too large to represent: the largest value, clamped to the maximum, not the fallback.
        assert_eq!(
            lifetime(&[("cache-control", "max-age=99999999999999999999999")]),
            24 * 60 * 60
        );
        // An Age too large to represent: already stale, so the minimum.
        assert_eq!(
            lifetime(&[
                ("cache-control", "max-age=500"),
                ("age", "99999999999999999999999")
            ]),
            60
        );
        // Unbalanced quotes are not the quoted form.
        assert_eq!(lifetime(&[("cache-control", "max-age=\"500")]), 15 * 60);
        assert_eq!(lifetime(&[("cache-control", "max-age=500\"")]), 15 * 60);
    }

    #[test]
    fn max_age_is_used() {
        assert_eq!(lifetime(&[("cache-control", "max-age=500")]), 500);
        assert_eq!(lifetime(&[("cache-control", "public, max-age=3600")]), 3600);
        assert_eq!(
            lifetime(&[("Cache-Control", "Public, MAX-AGE=3600, must-revalidate")]),
            3600
        );
        assert_eq!(lifetime(&[("cache-control", "max-age=\"700\"")]), 700);
    }

    #[test]
    fn age_is_subtracted() {
        // Google's recorded headers: max-age=3600 with Age: 1698.
        assert_eq!(
            lifetime(&[("cache-control", "public, max-age=3600"), ("age", "1698")]),
            1902
        );
        assert_eq!(
            lifetime(&[("cache-control", "max-age=100"), ("age", "junk")]),
            100
        );
        // More age than max-age: already stale, so the minimum.
        assert_eq!(
            lifetime(&[("cache-control", "max-age=100"), ("age", "500")]),
            60
        );
    }

    #[test]
    fn fallback_when_absent_zero_malformed_or_forbidden() {
        assert_eq!(lifetime(&[]), 900);
        assert_eq!(lifetime(&[("cache-control", "max-age=0")]), 900);
        assert_eq!(lifetime(&[("cache-control", "max-age=soon")]), 900);
        assert_eq!(lifetime(&[("cache-control", "max-age=-5")]), 900);
        assert_eq!(lifetime(&[("cache-control", "private")]), 900);
        assert_eq!(
            lifetime(&[(
                "cache-control",
                "no-cache, must-revalidate, no-transform, no-store"
            )]),
            900
        );
    }

    #[test]
    fn clamped_to_minimum_and_maximum() {
        // Auth0: max-age=15 is below the floor.
        assert_eq!(
            lifetime(&[(
                "cache-control",
                "public, max-age=15, stale-while-revalidate=15"
            )]),
            60
        );
        // Okta's JWKS: about 44 days, above the ceiling.
        assert_eq!(
            lifetime(&[("cache-control", "max-age=3828277, must-revalidate")]),
            86_400
        );
        let odd = ExpiryPolicy::new(
            Duration::from_secs(1),
            Duration::from_secs(10),
            Duration::from_secs(5),
        );
        assert_eq!(odd.lifetime(&HeaderMap::new()), Duration::from_secs(10));
    }
}
