//! Real providers' discovery documents and key sets, served unmodified by the in-process
//! provider, load through the whole discovery path.
//!
//! Each document is loaded for the issuer it names (Entra's for the tenant-less issuer a user
//! would configure): an HTTP client that reroutes every request to the loopback provider keeps
//! the request URL the library builds, so the issuer check, the well-known URL joining and the
//! endpoint checks all run against the real values. The quirk a document needs, if any, is in
//! [`QUIRKS`]; each of those documents is also shown to fail without it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use oidc_discovery::{
    load_configuration, load_jwks, well_known_url, DiscoveryError, DiscoveryOptions, ExpiryPolicy,
    Quirks,
};
use oidc_test_provider::{Behaviour, Endpoint, TestProvider};
use serde_json::{json, Value};

use crate::util::Reroute;

const ENTRA_ISSUER: &str = "https://login.microsoftonline.com/{tenantid}/v2.0";

/// What a document needs beyond the strict defaults.
#[derive(Debug, Clone, Copy)]
enum Needs {
    /// `issuer_pattern`: the document names Entra's literal `{tenantid}` template issuer, so it
    /// is loaded for the tenant-less issuer in the URL it was fetched from.
    EntraIssuerPattern { asked: &'static str },
    /// `plain_http` `Anywhere` (the https policy, not a quirk): every endpoint is plain http on
    /// `0.0.0.0` (Vault dev server).
    HttpEndpoints,
    /// `document_overrides` of `issuer`: the document is a template whose issuer is the
    /// literal `{issuer}`, not a URL anything could be loaded for.
    IssuerOverride { asked: &'static str },
}

/// The quirk per document; every document not listed loads with no quirk at all. (None of the
/// fixtures needs `tolerate_malformed_values`: no real document here sends string booleans or
/// lone strings. `discovery.rs` covers that quirk with a document made to need it.)
const QUIRKS: &[(&str, Needs)] = &[
    (
        "providers/entra-common/openid-configuration.json",
        Needs::EntraIssuerPattern {
            asked: "https://login.microsoftonline.com/common/v2.0",
        },
    ),
    (
        "providers/entra-organizations/openid-configuration.json",
        Needs::EntraIssuerPattern {
            asked: "https://login.microsoftonline.com/organizations/v2.0",
        },
    ),
    (
        "http-recorded/azure/openid-configuration.json",
        Needs::EntraIssuerPattern {
            asked: "https://login.microsoftonline.com/common/v2.0",
        },
    ),
    (
        "http-recorded/vault/openid-configuration.json",
        Needs::HttpEndpoints,
    ),
    (
        "identitymodel/discovery_variable.json",
        Needs::IssuerOverride {
            asked: "https://identityserver.example",
        },
    ),
];

impl Needs {
    fn of(path: &str) -> Option<Self> {
        QUIRKS
            .iter()
            .find(|(fixture, _)| *fixture == path)
            .map(|(_, needs)| *needs)
    }

    fn quirks(self) -> Quirks {
        match self {
            Self::EntraIssuerPattern { .. } => Quirks::default().with_issuer_pattern(ENTRA_ISSUER),
            Self::HttpEndpoints => Quirks::default(),
            Self::IssuerOverride { asked } => {
                Quirks::default().with_document_override("issuer", json!(asked))
            }
        }
    }
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// Every file under `fixtures/` whose name `wanted` accepts, as paths relative to it.
fn fixture_files(wanted: impl Fn(&str) -> bool) -> Vec<String> {
    let root = fixtures_dir();
    let mut found = Vec::new();
    let mut pending = vec![root.clone()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                pending.push(path);
            } else if wanted(&name) {
                let relative = path.strip_prefix(&root).unwrap();
                found.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    found.sort();
    found
}

fn is_document(name: &str) -> bool {
    name == "openid-configuration.json"
        || name.ends_with("-metadata.json")
        || name == "example-config-optionals.json"
        || (name.starts_with("discovery") && name != "discovery_jwks.json")
}

fn read_json(path: &str) -> Value {
    serde_json::from_slice(&std::fs::read(fixtures_dir().join(path)).unwrap()).unwrap()
}

/// The recorded `Cache-Control`, `Age` and `Content-Type` headers next to an http-recorded
/// document, to replay them. Other headers (lengths, encodings, cookies) describe the original
/// transfer, not the document.
fn recorded_headers(path: &str) -> Behaviour {
    let mut behaviour = Behaviour::new();
    let Some(dir) = path.strip_suffix("openid-configuration.json") else {
        return behaviour;
    };
    if !path.starts_with("http-recorded/") {
        return behaviour;
    }
    let headers = read_json(&format!("{dir}headers.json"));
    for (name, value) in headers.as_object().unwrap() {
        let replayed = ["cache-control", "age", "content-type"];
        if let (true, Some(value)) = (
            replayed.contains(&name.to_ascii_lowercase().as_str()),
            value.as_str(),
        ) {
            behaviour = behaviour.header(name.as_str(), value);
        }
    }
    behaviour
}

/// A provider serving `document` as-is where `issuer` says, and options that reach it.
async fn serve(issuer: &str, document: Value) -> (TestProvider, Arc<Reroute>) {
    // The issuer's path, where the provider must serve the OpenID document.
    let after_scheme = &issuer[issuer.find("://").unwrap() + 3..];
    let path = after_scheme.find('/').map_or("", |at| &after_scheme[at..]);
    let provider = TestProvider::builder().issuer_path(path).start().await;
    provider.set_discovery_document(document);
    let reroute = Reroute::to(&provider);
    (provider, reroute)
}

#[tokio::test]
async fn every_fixture_document_loads_as_served() {
    let documents = fixture_files(is_document);
    // 19 panva/wellknown providers, 8 recorded providers, 4 oidcc and 3 IdentityModel documents.
    assert_eq!(documents.len(), 34, "{documents:?}");
    for (listed, _) in QUIRKS {
        assert!(documents.iter().any(|path| path == listed), "{listed}");
    }

    for path in &documents {
        let document = read_json(path);
        let needs = Needs::of(path);
        let issuer = match needs {
            Some(Needs::EntraIssuerPattern { asked } | Needs::IssuerOverride { asked }) => {
                asked.to_owned()
            }
            _ => document["issuer"].as_str().unwrap().to_owned(),
        };
        let (provider, reroute) = serve(&issuer, document.clone()).await;
        let recorded = recorded_headers(path);
        provider.set_behaviour(Endpoint::Discovery, recorded.clone());

        let quirks = needs.map(Needs::quirks).unwrap_or_default();
        let plain_http = match needs {
            Some(Needs::HttpEndpoints) => oidc_http::PlainHttp::Anywhere,
            _ => oidc_http::PlainHttp::LoopbackOnly,
        };
        let options = DiscoveryOptions::default()
            .with_http_client(reroute.clone())
            .with_quirks(quirks)
            .with_plain_http(plain_http);
        let configuration = load_configuration(&issuer, &options)
            .await
            .unwrap_or_else(|error| panic!("{path} ({needs:?}): {error}"));

        // The request went where discovery of that issuer must go.
        assert_eq!(
            reroute.asked(),
            [well_known_url(&issuer).unwrap()],
            "{path}"
        );
        assert_eq!(provider.request_count(Endpoint::Discovery), 1, "{path}");

        let metadata = configuration.metadata;
        let expected_issuer = match needs {
            Some(Needs::IssuerOverride { asked }) => asked,
            _ => document["issuer"].as_str().unwrap(),
        };
        assert_eq!(metadata.issuer, expected_issuer, "{path}");
        assert_eq!(
            metadata.jwks_uri.as_deref(),
            document["jwks_uri"].as_str(),
            "{path}"
        );
        assert_eq!(
            metadata.registration_endpoint.as_deref(),
            document
                .get("registration_endpoint")
                .and_then(Value::as_str),
            "{path}"
        );
        // The lifetime follows the recorded Cache-Control and Age, where there are some.
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("public, max-age=300"),
        );
        for (name, value) in &recorded.headers {
            headers.insert(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                http::HeaderValue::from_str(value).unwrap(),
            );
        }
        assert_eq!(
            configuration.expires_in,
            ExpiryPolicy::default().lifetime(&headers),
            "{path}"
        );
    }
}

#[tokio::test]
async fn documents_that_need_a_quirk_fail_without_it() {
    for (path, needs) in QUIRKS {
        let document = read_json(path);
        let issuer = match needs {
            Needs::EntraIssuerPattern { asked } | Needs::IssuerOverride { asked } => {
                (*asked).to_owned()
            }
            Needs::HttpEndpoints => document["issuer"].as_str().unwrap().to_owned(),
        };
        let (_provider, reroute) = serve(&issuer, document).await;
        let strict = DiscoveryOptions::default().with_http_client(reroute);
        let error = load_configuration(&issuer, &strict).await.unwrap_err();
        match needs {
            Needs::EntraIssuerPattern { .. } => assert!(
                matches!(&error, DiscoveryError::IssuerMismatch { found, .. } if found == ENTRA_ISSUER),
                "{path}: {error:?}"
            ),
            Needs::IssuerOverride { .. } => assert!(
                matches!(&error, DiscoveryError::IssuerMismatch { found, .. } if found == "{issuer}"),
                "{path}: {error:?}"
            ),
            Needs::HttpEndpoints => {
                // Vault's issuer is itself http on 0.0.0.0: refused before anything is fetched.
                assert!(
                    matches!(&error, DiscoveryError::InvalidIssuer { .. }),
                    "{path}: {error:?}"
                );
                assert!(error.to_string().contains("plain http"), "{error}");
            }
        }
    }
}

#[tokio::test]
async fn the_entra_pattern_accepts_only_the_template() {
    let document = read_json("providers/entra-common/openid-configuration.json");
    let asked = "https://login.microsoftonline.com/common/v2.0";
    let options = |reroute| {
        DiscoveryOptions::default()
            .with_http_client(reroute)
            .with_quirks(Needs::EntraIssuerPattern { asked }.quirks())
    };

    // A document naming a concrete tenant is another provider's, quirk or not.
    let mut other = document.clone();
    other["issuer"] = json!("https://login.microsoftonline.com/other-tenant/v2.0");
    let (_provider, reroute) = serve(asked, other).await;
    let error = load_configuration(asked, &options(reroute))
        .await
        .unwrap_err();
    assert!(
        matches!(error, DiscoveryError::IssuerMismatch { .. }),
        "{error:?}"
    );

    // And the template is not accepted for an issuer the pattern does not describe.
    let asked_elsewhere = "https://login.microsoftonline.com/v2.0";
    let (_provider, reroute) = serve(asked_elsewhere, document).await;
    let error = load_configuration(asked_elsewhere, &options(reroute))
        .await
        .unwrap_err();
    assert!(
        matches!(error, DiscoveryError::IssuerMismatch { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn every_fixture_key_set_loads_key_by_key() {
    let sets = fixture_files(|name| name.ends_with("jwks.json"));
    // 19 providers + 8 recorded + discovery_jwks.json + 2 oidcc sets.
    assert_eq!(sets.len(), 30, "{sets:?}");
    let provider = TestProvider::start().await;
    let options = crate::util::discovery_options();
    let mut skipped_total = 0;
    for path in &sets {
        let set = read_json(path);
        provider.set_jwks(set.clone());
        // Both registered JWK Set content types are accepted.
        provider.set_behaviour(
            Endpoint::Jwks,
            Behaviour::new().content_type("application/jwk-set+json"),
        );
        let jwks = load_jwks(&provider.url("/jwks"), &options)
            .await
            .unwrap_or_else(|error| panic!("{path}: {error}"));
        let entries = set["keys"].as_array().unwrap().len();
        assert_eq!(jwks.keys.len() + jwks.skipped.len(), entries, "{path}");
        assert!(!jwks.keys.is_empty(), "{path}");
        skipped_total += jwks.skipped.len();
        // Battle.net writes its RSA moduli in standard base64 (`+`, `/`, `=`), and PayPal its
        // X25519 key's `x` in padded base64url: read with no quirk, and reported (the X25519
        // key is then skipped for its type). Every other set is unpadded base64url already.
        let normalised: Vec<_> = jwks.normalised.iter().map(|key| key.index).collect();
        let expected: &[usize] = match path.as_str() {
            "providers/battle-net/jwks.json" => &[0, 1],
            "providers/paypal/jwks.json" => &[7],
            _ => &[],
        };
        assert_eq!(normalised, expected, "{path}: {:?}", jwks.normalised);
        if path == "providers/battle-net/jwks.json" {
            assert!(jwks.select(None, "RS256").is_some(), "{path}");
        }
    }
    // secp256k1 in the certification set, X25519 in PayPal's (Ed25519 keys verify EdDSA and
    // are kept).
    assert_eq!(skipped_total, 2);
}

/// Microsoft's documents are served with a UTF-8 byte order mark (IdentityModel's copies of
/// IdentityServer documents carried one too): RFC 8259 §8.1 lets a reader ignore it, and every
/// document read from a provider does.
#[tokio::test]
async fn documents_with_a_byte_order_mark_load() {
    let asked = "https://login.microsoftonline.com/common/v2.0";
    let document = read_json("providers/entra-common/openid-configuration.json");
    let (provider, reroute) = serve(asked, document.clone()).await;
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend(serde_json::to_vec_pretty(&document).unwrap());
    provider.set_behaviour(
        Endpoint::Discovery,
        Behaviour::new()
            .body(body)
            .content_type("application/json; charset=utf-8"),
    );
    let options = DiscoveryOptions::default()
        .with_http_client(reroute.clone())
        .with_quirks(Needs::EntraIssuerPattern { asked }.quirks());
    let configuration = load_configuration(asked, &options)
        .await
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(configuration.metadata.issuer, ENTRA_ISSUER);
    assert_eq!(
        configuration.metadata.jwks_uri.as_deref(),
        document["jwks_uri"].as_str()
    );

    let keys = read_json("providers/entra-common/jwks.json");
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend(serde_json::to_vec(&keys).unwrap());
    provider.set_behaviour(
        Endpoint::Jwks,
        Behaviour::new().body(body).content_type("application/json"),
    );
    let jwks = load_jwks(&provider.url("/jwks"), &options).await.unwrap();
    assert_eq!(jwks.keys.len(), keys["keys"].as_array().unwrap().len());

    let identity_server = read_json("identitymodel/discovery.json");
    let issuer = identity_server["issuer"].as_str().unwrap().to_owned();
    let (provider, reroute) = serve(&issuer, identity_server).await;
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend(serde_json::to_vec(&provider.discovery_document()).unwrap());
    provider.set_behaviour(
        Endpoint::Discovery,
        Behaviour::new().body(body).content_type("application/json"),
    );
    let options = DiscoveryOptions::default().with_http_client(reroute);
    let configuration = load_configuration(&issuer, &options).await.unwrap();
    assert_eq!(configuration.metadata.issuer, issuer);
}
