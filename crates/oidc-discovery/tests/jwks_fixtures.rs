//! Real key sets from `fixtures/` read key by key, and key lookup with and without `kid`
//! (the conformance suite's rp-id_token-kid-absent-* cases).

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use oidc_discovery::{Base64Form, Jwks};
use serde_json::Value;

fn fixture(path: &str) -> Vec<u8> {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures")).join(path);
    std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The fixture with every `kid` removed, as a provider whose ID tokens carry no `kid` would
/// publish it.
fn without_kids(path: &str) -> Jwks {
    let mut set: Value = serde_json::from_slice(&fixture(path)).unwrap();
    for key in set["keys"].as_array_mut().unwrap() {
        key.as_object_mut().unwrap().remove("kid");
    }
    Jwks::from_json(&serde_json::to_vec(&set).unwrap()).unwrap()
}

#[test]
fn every_fixture_key_set_loads_and_reports_what_it_skips() {
    // (path, keys kept, kids skipped)
    let expected: &[(&str, usize, &[&str])] = &[
        (
            "oidcc/openid-certification-jwks.json",
            7,
            // The OKP Ed25519 key is kept: it verifies EdDSA.
            &["8090008e-6361-4a43-87a0-b5e587452bf5"], // EC secp256k1
        ),
        (
            "providers/paypal/jwks.json",
            14,
            &["753778214125442a472d4b6150645367"], // OKP X25519
        ),
        ("providers/entra-common/jwks.json", 7, &[]),
        // Standard base64 moduli: read, and reported in `normalised` (below).
        ("providers/battle-net/jwks.json", 2, &[]),
        ("http-recorded/keycloak/jwks.json", 2, &[]),
        ("providers/mojeid/jwks.json", 1, &[]),
        ("oidcc/google-jwks.json", 2, &[]),
        ("identitymodel/discovery_jwks.json", 1, &[]),
    ];
    for (path, kept, skipped) in expected {
        let jwks = Jwks::from_json(&fixture(path)).unwrap();
        assert_eq!(jwks.keys.len(), *kept, "{path}: {:?}", jwks.skipped);
        let kids: Vec<&str> = jwks
            .skipped
            .iter()
            .filter_map(|key| key.kid.as_deref())
            .collect();
        assert_eq!(kids, *skipped, "{path}");
    }
    let battle_net = Jwks::from_json(&fixture("providers/battle-net/jwks.json")).unwrap();
    assert_eq!(battle_net.keys.len(), 2, "{:?}", battle_net.skipped);
    let normalised: Vec<_> = battle_net
        .normalised
        .iter()
        .map(|key| (key.index, key.members.clone()))
        .collect();
    assert_eq!(
        normalised,
        [
            (0, vec![("n".to_owned(), Base64Form::PaddedStandardBase64)]),
            (1, vec![("n".to_owned(), Base64Form::PaddedStandardBase64)]),
        ]
    );
    assert!(battle_net.select(None, "RS256").is_some());

    let certification = Jwks::from_json(&fixture("oidcc/openid-certification-jwks.json")).unwrap();
    let reasons: Vec<&str> = certification
        .skipped
        .iter()
        .map(|key| key.reason.as_str())
        .collect();
    assert_eq!(reasons, ["unsupported curve \"secp256k1\""]);
    // Kept whole all the same.
    let secp256k1 = certification.skipped[0].key.as_ref().unwrap();
    assert_eq!(secp256k1.crv(), Some("secp256k1"));
}

#[test]
fn without_kid_the_key_is_picked_by_type_alg_and_use() {
    // RSA sig ×2, EC P-256 sig ×2, secp256k1, Ed25519, RSA-OAEP enc, ECDH-ES enc.
    let jwks = without_kids("oidcc/openid-certification-jwks.json");
    assert_eq!(jwks.skipped.len(), 1);

    let rsa = jwks.select(None, "RS256").unwrap();
    assert_eq!(rsa.kty(), "RSA");
    assert_eq!(rsa.key_use(), Some("sig"));
    // The encryption key is never a candidate; the two signing keys are.
    assert_eq!(jwks.candidates(None, "RS256").len(), 2);
    assert_eq!(jwks.candidates(None, "PS256").len(), 2);

    let ec = jwks.select(None, "ES256").unwrap();
    assert_eq!((ec.kty(), ec.crv()), ("EC", Some("P-256")));
    assert_eq!(ec.key_use(), Some("sig"));
    assert_eq!(jwks.candidates(None, "ES256").len(), 2);

    let ed = jwks.select(None, "EdDSA").unwrap();
    assert_eq!((ed.kty(), ed.crv()), ("OKP", Some("Ed25519")));
    assert_eq!(jwks.candidates(None, "EdDSA").len(), 1);

    for alg in ["ES384", "ES512", "ES256K", "HS256", "none"] {
        assert!(jwks.select(None, alg).is_none(), "{alg}");
    }
}

#[test]
fn a_single_key_set_without_kid() {
    // rp-id_token-kid-absent-single-jwks: one key, no kid, no alg, no use (mojeid's shape).
    let jwks = without_kids("providers/mojeid/jwks.json");
    assert!(jwks.select(None, "RS256").is_some());
    assert!(jwks.select(None, "PS512").is_some());
    assert!(jwks.select(None, "ES256").is_none());
}

#[test]
fn declared_algorithms_are_respected() {
    let jwks = Jwks::from_json(&fixture("providers/paypal/jwks.json")).unwrap();
    // An RS256 key is not used for PS256, even by kid.
    let rs256 = "16e6c7334cf754186f877ff1f4a0bc128e1c97ca";
    assert!(jwks.find_by_kid(rs256).is_some());
    assert!(jwks.select(Some(rs256), "RS256").is_some());
    assert!(jwks.select(Some(rs256), "PS256").is_none());
    let ps256 = "10aba280c5c211ec9d640242ac120002";
    assert!(jwks.select(Some(ps256), "PS256").is_some());
    // EC keys without alg or use serve ES256.
    assert!(jwks
        .select(Some("f16b4522a7c8ad2358df9a57a500851114d2e7d2"), "ES256")
        .is_some());
    assert_eq!(jwks.candidates(None, "ES256").len(), 7);
    assert!(jwks
        .select(Some("753778214125442a472d4b6150645367"), "ES256")
        .is_none());

    // Keycloak: the RSA-OAEP encryption key is never used to verify.
    let keycloak = Jwks::from_json(&fixture("http-recorded/keycloak/jwks.json")).unwrap();
    assert!(keycloak
        .select(Some("Q2O_f0Z7hVL1WUxKQbChyWK_FzQK-qRZh4Kg9mxxt_I"), "RS256")
        .is_none());
    assert_eq!(keycloak.candidates(None, "RS256").len(), 1);
}
