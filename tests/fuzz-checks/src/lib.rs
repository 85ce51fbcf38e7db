//! The invariants of the fuzz targets, one `pub fn` per target, each taking the raw input.
//!
//! Every check panics (through `assert!`) when the code under test breaks its invariant, and
//! returns quietly otherwise, whatever the input. The invariants:
//!
//! - **no panic** in the code under test, on any input;
//! - **bounded output**: what a reader produced, written out again, is at most
//!   [`GROWTH`] times the input plus [`SLACK`] bytes, so a reader cannot blow a small input up
//!   (the fuzzer's `-rss_limit_mb` / `-malloc_limit_mb` catch large allocations on the way);
//! - **round trip** where a writer exists: `read(write(x)) == x`, compared as the library's own
//!   value.
//!
//! `fuzz/` (cargo-fuzz, nightly) calls these functions from its targets; `tests/corpora.rs`
//! runs every file of the committed corpora (`fuzz/corpus/<target>/`) through them on stable,
//! so `cargo test` checks what the fuzzer found. See `FUZZING.md` at the repository root.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::time::Duration;

use http::header::{HeaderValue, AGE, CACHE_CONTROL};
use http::HeaderMap;
use oidc_discovery::{oauth_well_known_url, well_known_url, ExpiryPolicy, Jwks, WebFingerResource};
use oidc_types::{
    ClientMetadata, JwkSet, LanguageTag, ParseOptions, ProviderMetadata, RegistrationResponse,
    ResponseProblem,
};
use serde_json::Value;
use url::Url;

/// How many times its input a written-out reading may be. JSON numbers are the worst honest
/// case: `9e15` (4 bytes) is written `9000000000000000.0` (18 bytes).
pub const GROWTH: usize = 8;
/// Bytes a written-out reading may have on top of [`GROWTH`] times the input.
pub const SLACK: usize = 64;

/// A target's check: panics when the input breaks the target's invariant.
pub type Check = fn(&[u8]);

/// The fuzz targets, by the name of their corpus folder under `fuzz/corpus/`, with their check.
pub const TARGETS: &[(&str, Check)] = &[
    ("provider_metadata", provider_metadata),
    ("registration_response", registration_response),
    ("jwk_set", jwk_set),
    ("cache_control", cache_control),
    ("issuer", issuer),
    ("language_tag", language_tag),
    ("cli_set", cli_set),
];

fn assert_bounded(written: usize, input: usize) {
    assert!(
        written <= GROWTH * input + SLACK,
        "{input} bytes of input were written out as {written} bytes"
    );
}

/// `ProviderMetadata::from_json` (strict) and `from_json_with` (tolerating malformed values):
/// no panic; a document read strictly reads the same tolerantly; whatever was read, written
/// with `Serialize`, is a strict document that reads back equal, and no more than bounded.
pub fn provider_metadata(data: &[u8]) {
    let tolerant = ParseOptions::default().with_tolerate_malformed_values(true);
    let strict = ProviderMetadata::from_json(data);
    let lenient = ProviderMetadata::from_json_with(data, &tolerant);
    if let Ok(strict) = &strict {
        // Tolerance only widens what is accepted; it never changes a valid reading.
        assert_eq!(lenient.as_ref().ok(), Some(strict));
    }
    if let Ok(metadata) = &lenient {
        let written = serde_json::to_vec(metadata).expect("provider metadata always serializes");
        assert_bounded(written.len(), data.len());
        let again = ProviderMetadata::from_json(&written)
            .expect("written provider metadata reads back strictly");
        assert_eq!(&again, metadata);
    }
}

/// `RegistrationResponse::from_json`: no panic; the answer written with `Serialize` (the raw
/// object, for persisting) reads back equal, but for the repeated-member problems, which the
/// written object cannot have; and the typed `metadata`, written with
/// `ClientMetadata::to_json_object`, reads back equal and without problems.
pub fn registration_response(data: &[u8]) {
    let Ok(response) = RegistrationResponse::from_json(data) else {
        return;
    };
    let written = serde_json::to_vec(&response).expect("a registration answer always serializes");
    assert_bounded(written.len(), data.len());
    let again = RegistrationResponse::from_json(&written)
        .expect("a written registration answer reads back");
    let mut expected = response.clone();
    expected
        .problems
        .retain(|problem| !matches!(problem, ResponseProblem::DuplicateMember { .. }));
    assert_eq!(again, expected);
    client_metadata_round_trip(&response.metadata);
}

/// The writer of [`ClientMetadata`] against its reader. Writing refuses some values on
/// purpose (a private key in `jwks`); those have nothing to round-trip.
fn client_metadata_round_trip(metadata: &ClientMetadata) {
    let Ok(object) = metadata.to_json_object() else {
        return;
    };
    let (again, problems) = ClientMetadata::from_json_object(&object);
    assert_eq!(
        problems,
        Vec::new(),
        "written client metadata reads back cleanly"
    );
    assert_eq!(&again, metadata);
}

/// `JwkSet::from_json_tolerant` and discovery's normalising `Jwks::from_json`: no panic; the
/// keys read, written out, read back as the same set with nothing rejected; the normalising
/// reader accounts for every entry of `keys` (used or skipped).
pub fn jwk_set(data: &[u8]) {
    if let Ok((set, _rejected)) = JwkSet::from_json_tolerant(data) {
        let written = serde_json::to_vec(&set).expect("a key set always serializes");
        assert_bounded(written.len(), data.len());
        let (again, rejected) =
            JwkSet::from_json_tolerant(&written).expect("a written key set reads back");
        assert!(
            rejected.is_empty(),
            "written keys are rejected: {rejected:?}"
        );
        assert_eq!(again, set);
    }
    if let Ok(jwks) = Jwks::from_json(data) {
        let entries = JwkSet::document_object(data)
            .ok()
            .and_then(|document| match document.get("keys") {
                Some(Value::Array(keys)) => Some(keys.len()),
                _ => None,
            })
            .expect("a readable key set has a keys array");
        assert_eq!(jwks.keys.len() + jwks.skipped.len(), entries);
    }
}

/// The headers of a [`cache_control`] input: each line is one header, `age:` lines an `Age`
/// header, every other line a `Cache-Control` header; lines that are not valid header values
/// are left out.
pub fn cache_control_headers(data: &[u8]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for line in data.split(|&byte| byte == b'\n') {
        let (name, value) = match line.strip_prefix(b"age:") {
            Some(value) => (AGE, value),
            None => (CACHE_CONTROL, line),
        };
        if let Ok(value) = HeaderValue::from_bytes(value) {
            headers.append(name, value);
        }
    }
    headers
}

/// `ExpiryPolicy::lifetime` on the headers of [`cache_control_headers`]: no panic; the
/// lifetime is within the policy's bounds; without any `max-age` it is the fallback; and a
/// policy whose minimum exceeds its maximum answers its minimum.
pub fn cache_control(data: &[u8]) {
    let headers = cache_control_headers(data);
    let policy = ExpiryPolicy::default();
    let lifetime = policy.lifetime(&headers);
    assert!(policy.minimum <= lifetime && lifetime <= policy.maximum);
    let mentions_max_age = headers.get_all(CACHE_CONTROL).iter().any(|value| {
        value
            .as_bytes()
            .to_ascii_lowercase()
            .windows(b"max-age".len())
            .any(|window| window == b"max-age")
    });
    if !mentions_max_age {
        assert_eq!(lifetime, policy.fallback);
    }
    let inverted = ExpiryPolicy::new(
        Duration::from_secs(1),
        Duration::from_secs(10),
        Duration::from_secs(5),
    );
    assert_eq!(inverted.lifetime(&headers), inverted.minimum);
    let unbounded = ExpiryPolicy::new(Duration::from_secs(1), Duration::ZERO, Duration::MAX);
    let _ = unbounded.lifetime(&headers);
}

/// WebFinger input normalisation and the two well-known URL builders on one UTF-8 input (other
/// inputs are skipped).
///
/// `WebFingerResource::parse`: no panic; an accepted input has a clean host and an `acct:` or
/// http(s) resource without fragment, and normalising that resource again changes nothing.
///
/// `well_known_url` / `oauth_well_known_url`: they accept the same issuers; the OIDC URL is the
/// issuer text without its trailing `/` followed by `/.well-known/openid-configuration`; and
/// both URLs, as a URL parser reads them, stay on the issuer's scheme, host and port, with the
/// RFC 8414 URL's path starting with `/.well-known/oauth-authorization-server` (the segment
/// goes between the host and the issuer's path, RFC 8414 §3.1).
pub fn issuer(data: &[u8]) {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    webfinger_resource(input);
    well_known_urls(input);
}

fn webfinger_resource(input: &str) {
    let Ok(parsed) = WebFingerResource::parse(input) else {
        return;
    };
    assert!(!parsed.host.is_empty());
    assert!(
        !parsed
            .host
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '/' | '?' | '#' | '@' | '\\')),
        "host {:?}",
        parsed.host
    );
    let lower = parsed.resource.to_ascii_lowercase();
    assert!(["acct:", "https:", "http:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme)));
    assert!(!parsed.resource.contains('#'));
    let again = WebFingerResource::parse(&parsed.resource).expect("a normalised resource parses");
    assert_eq!(again, parsed, "normalising twice changes the resource");
}

fn well_known_urls(issuer: &str) {
    let openid = well_known_url(issuer);
    let oauth = oauth_well_known_url(issuer);
    assert_eq!(openid.is_ok(), oauth.is_ok());
    let (Ok(openid), Ok(oauth)) = (openid, oauth) else {
        return;
    };
    assert_eq!(
        openid,
        format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        )
    );
    let issuer = Url::parse(issuer).expect("an accepted issuer is a URL");
    let same_origin = |url: &Url| {
        url.scheme() == issuer.scheme()
            && url.host_str() == issuer.host_str()
            && url.port_or_known_default() == issuer.port_or_known_default()
    };
    let openid = Url::parse(&openid).expect("the OIDC discovery URL is a URL");
    assert!(same_origin(&openid), "{openid} is off the issuer {issuer}");
    let oauth = Url::parse(&oauth).expect("the RFC 8414 URL is a URL");
    assert!(same_origin(&oauth), "{oauth} is off the issuer {issuer}");
    assert!(
        oauth
            .path()
            .starts_with("/.well-known/oauth-authorization-server"),
        "{oauth} does not start with the well-known segment (issuer {issuer})"
    );
}

/// `LanguageTag::is_well_formed` on one UTF-8 input: no panic; the answer does not depend on
/// ASCII case; a well-formed tag is ASCII letters, digits and single hyphens; and tags that
/// differ only in case are equal with equal hashes.
pub fn language_tag(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let tag = LanguageTag::new(text);
    let well_formed = tag.is_well_formed();
    let upper = LanguageTag::new(text.to_ascii_uppercase());
    let lower = LanguageTag::new(text.to_ascii_lowercase());
    assert_eq!(upper.is_well_formed(), well_formed);
    assert_eq!(lower.is_well_formed(), well_formed);
    assert_eq!(upper, tag);
    assert_eq!(hash(&upper), hash(&tag));
    if well_formed {
        assert!(text
            .split('-')
            .all(|subtag| !subtag.is_empty() && subtag.bytes().all(|b| b.is_ascii_alphanumeric())));
    }
}

fn hash(tag: &LanguageTag) -> u64 {
    use std::hash::{BuildHasher, RandomState};
    thread_local!(static STATE: RandomState = RandomState::new());
    STATE.with(|state| state.hash_one(tag))
}

/// The CLI's `--set KEY=JSON` reader (`oidc_cli::cli::parse_set`) on one UTF-8 input: no
/// panic; an accepted input splits at its first `=` into a trimmed, non-empty key and a value
/// that is the JSON the rest parses as, or the rest as a string; and the field written back as
/// `key=<value as JSON>` reads back equal.
pub fn cli_set(data: &[u8]) {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(field) = oidc_cli::cli::parse_set(raw) else {
        return;
    };
    let (key, rest) = raw.split_once('=').expect("an accepted --set has a '='");
    assert_eq!(field.key, key.trim());
    assert!(!field.key.is_empty());
    let expected =
        serde_json::from_str::<Value>(rest).unwrap_or_else(|_| Value::String(rest.to_owned()));
    assert_eq!(field.value, expected);
    let written = format!(
        "{}={}",
        field.key,
        serde_json::to_string(&field.value).expect("a JSON value always serializes")
    );
    assert_bounded(written.len(), data.len());
    let again = oidc_cli::cli::parse_set(&written).expect("a written --set reads back");
    assert_eq!(again, field);
}
