//! Real providers' discovery documents, served by the in-process provider with its own issuer
//! substituted, load through the whole discovery path.

use std::path::{Path, PathBuf};

use oidc_discovery::load_configuration;
use oidc_test_provider::TestProvider;
use serde_json::Value;

use crate::util::discovery_options;

fn fixture_documents() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let mut found = Vec::new();
    let mut pending = vec![root];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                pending.push(path);
            } else if name == "openid-configuration.json"
                || name.ends_with("-metadata.json")
                || name == "example-config-optionals.json"
                || (name.starts_with("discovery") && name != "discovery_jwks.json")
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[tokio::test]
async fn every_fixture_loads_through_discovery() {
    let documents = fixture_documents();
    // 19 panva/wellknown providers, 8 recorded providers, 4 oidcc and 3 IdentityModel documents.
    assert_eq!(documents.len(), 34, "{documents:?}");
    let provider = TestProvider::start().await;
    for path in documents {
        let mut document: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let original_issuer = document["issuer"].as_str().unwrap().to_owned();
        document["issuer"] = Value::String(provider.issuer());
        provider.set_discovery_document(document.clone());

        let configuration = load_configuration(&provider.issuer(), &discovery_options())
            .await
            .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        let metadata = configuration.metadata;
        assert_eq!(metadata.issuer, provider.issuer());
        assert_eq!(
            metadata.jwks_uri.as_deref(),
            document["jwks_uri"].as_str(),
            "{} ({original_issuer})",
            path.display()
        );
        assert_eq!(
            metadata.registration_endpoint.as_deref(),
            document
                .get("registration_endpoint")
                .and_then(Value::as_str),
            "{}",
            path.display()
        );
    }
}
