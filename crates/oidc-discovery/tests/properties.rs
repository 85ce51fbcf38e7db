//! Properties of the Cache-Control reader and the well-known URL builders, for any input of
//! the shapes providers send:
//!
//! - `ExpiryPolicy::lifetime` agrees with a plain statement of its documented rule;
//! - `oauth_well_known_url` inserts `/.well-known/oauth-authorization-server` between the host
//!   and the path (RFC 8414 §3.1), and `well_known_url` appends
//!   `/.well-known/openid-configuration` to the path (OIDC Discovery §4.1), each after removing
//!   a terminating `/`.

use std::time::Duration;

use http::header::{HeaderValue, AGE, CACHE_CONTROL};
use http::HeaderMap;
use oidc_discovery::{oauth_well_known_url, well_known_url, ExpiryPolicy};
use proptest::prelude::*;

/// One Cache-Control directive as a provider might write it.
fn directive() -> impl Strategy<Value = String> {
    let seconds = prop_oneof![0u64..100_000, Just(3_828_277)];
    prop_oneof![
        proptest::sample::select(vec![
            "public",
            "private",
            "no-store",
            "no-cache",
            "must-revalidate",
            "no-transform",
            "max-age=soon",
            "max-age=-5",
            "max-age=+5",
            "max-age=\"5",
            "max-age=99999999999999999999999",
            "max-age",
            "s-maxage=30",
        ])
        .prop_map(str::to_owned),
        (
            proptest::sample::select(vec!["max-age", "MAX-AGE", "Max-Age"]),
            seconds.clone()
        )
            .prop_map(|(name, seconds)| format!("{name}={seconds}")),
        seconds
            .clone()
            .prop_map(|seconds| format!("max-age=\"{seconds}\"")),
        seconds.prop_map(|seconds| format!("stale-while-revalidate={seconds}")),
    ]
}

/// Header values: each a list of directives joined by commas with some spacing.
fn cache_controls() -> impl Strategy<Value = Vec<String>> {
    let value = (
        proptest::collection::vec(directive(), 0..5),
        proptest::sample::select(vec![",", ", ", " ,  "]),
    )
        .prop_map(|(directives, separator)| directives.join(separator));
    proptest::collection::vec(value, 0..3)
}

fn age() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        (0u64..200_000).prop_map(|age| Some(age.to_string())),
        Just(Some("junk".to_owned())),
        Just(Some("+5".to_owned())),
        Just(Some("99999999999999999999999".to_owned())),
    ]
}

/// The rule of RFC 9111, stated directly: no lifetime when any directive is `no-store` or
/// `no-cache`; otherwise the first `max-age` decides (§4.2.1), when its argument (bare or in
/// one pair of quotes) is delta-seconds, digits only, a value too large read as the largest
/// (§1.2.2); a lifetime of zero or none at all gives the fallback; `Age` (delta-seconds, else
/// 0) is subtracted; the result is clamped to the policy's bounds.
fn reference(policy: &ExpiryPolicy, values: &[String], age: Option<&str>) -> Duration {
    let directives: Vec<(String, Option<String>)> = values
        .iter()
        .flat_map(|value| value.split(','))
        .map(|directive| match directive.split_once('=') {
            Some((name, argument)) => {
                let argument = argument.trim();
                let bare = match argument.len() {
                    2.. if argument.starts_with('"') && argument.ends_with('"') => {
                        &argument[1..argument.len() - 1]
                    }
                    _ => argument,
                };
                (name.trim().to_ascii_lowercase(), Some(bare.to_owned()))
            }
            None => (directive.trim().to_ascii_lowercase(), None),
        })
        .collect();
    let forbidden = directives
        .iter()
        .any(|(name, _)| name == "no-store" || name == "no-cache");
    let delta_seconds = |text: &str| {
        (!text.is_empty() && text.chars().all(|c| c.is_ascii_digit()))
            .then(|| text.parse::<u64>().unwrap_or(u64::MAX))
    };
    let max_age = directives
        .iter()
        .find(|(name, _)| name == "max-age")
        .and_then(|(_, argument)| delta_seconds(argument.as_deref()?));
    let age = age.and_then(delta_seconds).unwrap_or(0);
    let lifetime = match max_age {
        Some(max_age) if max_age > 0 && !forbidden => {
            Duration::from_secs(max_age.saturating_sub(age))
        }
        _ => policy.fallback,
    };
    lifetime.clamp(policy.minimum, policy.maximum)
}

/// Host names, ports and path segments of the issuer shapes RFC 8414 §3.1 speaks of.
fn issuer_parts() -> impl Strategy<Value = (String, Option<u16>, Vec<String>, bool)> {
    (
        "[a-z][a-z0-9-]{0,10}(\\.[a-z][a-z0-9-]{0,8}){0,2}",
        proptest::option::of(1u16..),
        proptest::collection::vec("[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,8}", 0..4),
        any::<bool>(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_lifetime_follows_the_documented_rule(values in cache_controls(), age in age()) {
        let mut headers = HeaderMap::new();
        for value in &values {
            headers.append(CACHE_CONTROL, HeaderValue::from_str(value).unwrap());
        }
        if let Some(age) = &age {
            headers.insert(AGE, HeaderValue::from_str(age).unwrap());
        }
        let policy = ExpiryPolicy::default();
        prop_assert_eq!(policy.lifetime(&headers), reference(&policy, &values, age.as_deref()));
    }

    #[test]
    fn the_well_known_urls_follow_rfc_8414_and_oidc_discovery(
        (host, port, segments, trailing_slash) in issuer_parts(),
    ) {
        let authority = match port {
            Some(port) => format!("{host}:{port}"),
            None => host,
        };
        let path: String = segments.iter().map(|segment| format!("/{segment}")).collect();
        let issuer = format!(
            "https://{authority}{path}{}",
            if trailing_slash { "/" } else { "" }
        );
        prop_assert_eq!(
            oauth_well_known_url(&issuer).unwrap(),
            format!("https://{authority}/.well-known/oauth-authorization-server{path}")
        );
        prop_assert_eq!(
            well_known_url(&issuer).unwrap(),
            format!("https://{authority}{path}/.well-known/openid-configuration")
        );
    }
}
