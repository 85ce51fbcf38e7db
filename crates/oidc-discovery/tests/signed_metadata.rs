//! `signed_metadata` (RFC 8414 §2.1) through the whole discovery path: the in-process provider
//! serves a document carrying a JWT signed here with a test key.
//!
//! The RSA key in `tests/data/test-rsa-2048.pk8.der` was generated for these tests only
//! (`openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`, then
//! `openssl pkcs8 -topk8 -nocrypt -outform DER`); the EC keys
//! are generated on every run.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use oidc_discovery::{load_configuration, DiscoveryError, DiscoveryOptions, Quirks};
use oidc_http::HyperClient;
use oidc_test_provider::TestProvider;
use oidc_types::Jwk;
use ring::rand::SystemRandom;
use ring::rsa::PublicKeyComponents;
use ring::signature::{
    EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING,
    RSA_PKCS1_SHA256, RSA_PSS_SHA256,
};
use serde_json::{json, Value};

const RSA_PKCS8: &[u8] = include_bytes!("data/test-rsa-2048.pk8.der");

fn b64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// A signing key and its public JWK.
enum TestKey {
    Ec(EcdsaKeyPair),
    Rsa(RsaKeyPair, &'static str),
    Ed25519(Ed25519KeyPair),
}

impl TestKey {
    fn ec() -> Self {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        Self::Ec(
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
                .unwrap(),
        )
    }

    fn ed25519() -> Self {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        Self::Ed25519(Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap())
    }

    fn rsa(alg: &'static str) -> Self {
        Self::Rsa(RsaKeyPair::from_pkcs8(RSA_PKCS8).unwrap(), alg)
    }

    fn alg(&self) -> &'static str {
        match self {
            Self::Ec(_) => "ES256",
            Self::Rsa(_, alg) => alg,
            Self::Ed25519(_) => "EdDSA",
        }
    }

    fn jwk(&self, kid: &str) -> Jwk {
        let value = match self {
            Self::Ec(pair) => {
                // An uncompressed SEC1 point: 0x04, then x and y of 32 bytes each.
                let point = pair.public_key().as_ref();
                json!({"kty": "EC", "crv": "P-256", "kid": kid,
                       "x": b64(&point[1..33]), "y": b64(&point[33..65])})
            }
            Self::Ed25519(pair) => {
                json!({"kty": "OKP", "crv": "Ed25519", "kid": kid, "x": b64(pair.public_key().as_ref())})
            }
            Self::Rsa(pair, _) => {
                let components = PublicKeyComponents::<Vec<u8>>::from(pair.public());
                json!({"kty": "RSA", "kid": kid, "n": b64(&components.n), "e": b64(&components.e)})
            }
        };
        serde_json::from_value(value).unwrap()
    }

    /// A compact JWS of `claims`, with `kid` in the header when given.
    fn sign_with(&self, kid: Option<&str>, claims: &Value) -> String {
        let mut header = json!({"alg": self.alg(), "typ": "JWT"});
        if let Some(kid) = kid {
            header["kid"] = json!(kid);
        }
        let input = format!(
            "{}.{}",
            b64(&serde_json::to_vec(&header).unwrap()),
            b64(&serde_json::to_vec(claims).unwrap())
        );
        let rng = SystemRandom::new();
        let signature = match self {
            Self::Ec(pair) => pair.sign(&rng, input.as_bytes()).unwrap().as_ref().to_vec(),
            Self::Ed25519(pair) => pair.sign(input.as_bytes()).as_ref().to_vec(),
            Self::Rsa(pair, alg) => {
                let padding: &dyn ring::signature::RsaEncoding = if *alg == "PS256" {
                    &RSA_PSS_SHA256
                } else {
                    &RSA_PKCS1_SHA256
                };
                let mut signature = vec![0; pair.public().modulus_len()];
                pair.sign(padding, &rng, input.as_bytes(), &mut signature)
                    .unwrap();
                signature
            }
        };
        format!("{input}.{}", b64(&signature))
    }

    fn sign(&self, kid: &str, claims: &Value) -> String {
        self.sign_with(Some(kid), claims)
    }
}

fn options() -> DiscoveryOptions {
    DiscoveryOptions::default().with_http_client(Arc::new(HyperClient::builder().build().unwrap()))
}

/// Serves the provider's document plus `signed_metadata` over it.
fn serve_signed(provider: &TestProvider, token: &str) {
    let mut document = provider.discovery_document();
    document["signed_metadata"] = json!(token);
    provider.set_discovery_document(document);
}

fn signed_claims(provider: &TestProvider) -> Value {
    json!({
        "iss": provider.issuer(),
        "iat": 1_700_000_000,
        "registration_endpoint": "https://signed.example/register",
        "op_policy_uri": "https://signed.example/policy",
    })
}

#[tokio::test]
async fn verified_claims_take_precedence_for_every_algorithm() {
    for key in [
        TestKey::ec(),
        TestKey::rsa("RS256"),
        TestKey::rsa("PS256"),
        TestKey::ed25519(),
    ] {
        let provider = TestProvider::start().await;
        let token = key.sign("k1", &signed_claims(&provider));
        serve_signed(&provider, &token);

        let trusting = options().with_trusted_metadata_keys(vec![key.jwk("k1")]);
        let loaded = load_configuration(&provider.issuer(), &trusting)
            .await
            .unwrap_or_else(|error| panic!("{}: {error}", key.alg()));
        let metadata = loaded.metadata;
        assert_eq!(
            metadata.registration_endpoint.as_deref(),
            Some("https://signed.example/register"),
            "{}",
            key.alg()
        );
        assert_eq!(
            metadata.op_policy_uri.as_deref(),
            Some("https://signed.example/policy")
        );
        // JWT claims describe the token, not the server: not copied.
        assert!(!metadata.extra_fields.contains_key("iss"));
        assert!(!metadata.extra_fields.contains_key("iat"));
        assert_eq!(metadata.signed_metadata.as_deref(), Some(token.as_str()));

        // Without trusted keys the JWT is kept as a string and nothing of it is applied.
        let plain = load_configuration(&provider.issuer(), &options())
            .await
            .unwrap()
            .metadata;
        assert_eq!(
            plain.registration_endpoint.as_deref(),
            Some(provider.registration_endpoint().as_str())
        );
        assert_eq!(plain.signed_metadata.as_deref(), Some(token.as_str()));
    }
}

#[tokio::test]
async fn without_kid_the_key_is_chosen_by_type_and_with_one_it_must_match() {
    let provider = TestProvider::start().await;
    let ec = TestKey::ec();
    let rsa = TestKey::rsa("RS256");
    // Two trusted keys: a header without kid is verified by the one whose type fits.
    let trusting = options().with_trusted_metadata_keys(vec![rsa.jwk("r"), ec.jwk("e")]);
    for key in [&ec, &rsa] {
        serve_signed(&provider, &key.sign_with(None, &signed_claims(&provider)));
        let metadata = load_configuration(&provider.issuer(), &trusting)
            .await
            .unwrap_or_else(|error| panic!("{}: {error}", key.alg()))
            .metadata;
        assert_eq!(
            metadata.registration_endpoint.as_deref(),
            Some("https://signed.example/register")
        );
    }

    // A header kid that no trusted key has is refused, even though the key would verify.
    serve_signed(&provider, &ec.sign("unknown", &signed_claims(&provider)));
    let error = load_configuration(&provider.issuer(), &trusting)
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("no trusted key with kid \"unknown\""),
        "{error}"
    );
}

#[tokio::test]
async fn bad_signatures_and_claims_are_refused() {
    let provider = TestProvider::start().await;
    let key = TestKey::ec();
    let trusting = options().with_trusted_metadata_keys(vec![key.jwk("k1")]);

    let cases = [
        // Signed by a key nobody trusts, under the trusted kid.
        (
            TestKey::ec().sign("k1", &signed_claims(&provider)),
            "the signature does not verify",
        ),
        // Another party's statement.
        (
            key.sign(
                "k1",
                &json!({"iss": "https://attacker.example", "registration_endpoint": "https://attacker.example/r"}),
            ),
            "is not the issuer being loaded",
        ),
        (
            key.sign("k1", &json!({"registration_endpoint": "https://x.example/r"})),
            "no iss claim",
        ),
        (
            key.sign("k1", &json!({"iss": provider.issuer(), "exp": 1_000})),
            "expired",
        ),
        (
            TestKey::rsa("RS256").sign("k1", &signed_claims(&provider)),
            "no trusted key with kid \"k1\" verifies RS256",
        ),
        ("not.a.jwt".to_owned(), "not a compact JWS"),
    ];
    for (token, reason) in cases {
        serve_signed(&provider, &token);
        let error = load_configuration(&provider.issuer(), &trusting)
            .await
            .unwrap_err();
        assert!(
            matches!(&error, DiscoveryError::InvalidSignedMetadata { reason: r, .. } if r.contains(reason)),
            "{reason}: {error:?}"
        );
        assert!(
            error.to_string().contains("signed_metadata rejected"),
            "{error}"
        );
    }

    // A payload swapped after signing.
    let token = key.sign("k1", &signed_claims(&provider));
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[1] = b64(&serde_json::to_vec(
        &json!({"iss": provider.issuer(), "registration_endpoint": "https://attacker.example/r"}),
    )
    .unwrap());
    serve_signed(&provider, &parts.join("."));
    let error = load_configuration(&provider.issuer(), &trusting)
        .await
        .unwrap_err();
    assert!(
        matches!(error, DiscoveryError::InvalidSignedMetadata { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn signed_claims_are_validated_and_overrides_come_last() {
    let provider = TestProvider::start().await;
    let key = TestKey::ec();
    let trusting = options().with_trusted_metadata_keys(vec![key.jwk("k1")]);

    // A signed `issuer` takes precedence too, and is then checked like any other.
    let token = key.sign(
        "k1",
        &json!({"iss": provider.issuer(), "issuer": "https://elsewhere.example"}),
    );
    serve_signed(&provider, &token);
    let error = load_configuration(&provider.issuer(), &trusting)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, DiscoveryError::IssuerMismatch { found, .. } if found == "https://elsewhere.example"),
        "{error:?}"
    );

    // The caller's overrides win over signed values.
    let token = key.sign("k1", &signed_claims(&provider));
    serve_signed(&provider, &token);
    let overriding = trusting.with_quirks(Quirks::default().with_document_override(
        "registration_endpoint",
        json!("https://override.example/register"),
    ));
    let metadata = load_configuration(&provider.issuer(), &overriding)
        .await
        .unwrap()
        .metadata;
    assert_eq!(
        metadata.registration_endpoint.as_deref(),
        Some("https://override.example/register")
    );
    assert_eq!(
        metadata.op_policy_uri.as_deref(),
        Some("https://signed.example/policy")
    );
}

#[tokio::test]
async fn documents_without_signed_metadata_load_with_keys_given() {
    let provider = TestProvider::start().await;
    let trusting = options().with_trusted_metadata_keys(vec![TestKey::ec().jwk("k1")]);
    let metadata = load_configuration(&provider.issuer(), &trusting)
        .await
        .unwrap()
        .metadata;
    assert_eq!(metadata.signed_metadata, None);
}

/// RFC 9728 §2.2: a protected resource's `signed_metadata` is verified with the same keys and
/// rules, its claims take precedence, and `resource` is checked after they are applied.
#[tokio::test]
async fn resource_signed_metadata_is_verified_and_applied() {
    use oidc_discovery::load_resource_metadata;

    let provider = TestProvider::builder()
        .protected_resource("/mcp")
        .start()
        .await;
    let resource = provider.resource().unwrap();
    let key = TestKey::ed25519();
    let serve = |claims: Value| {
        let token = key.sign("rs-1", &claims);
        provider.set_resource_document(json!({
            "resource": resource,
            "authorization_servers": ["https://plain.example"],
            "signed_metadata": token,
        }));
    };
    let trusted = options().with_trusted_metadata_keys(vec![key.jwk("rs-1")]);

    serve(
        json!({"iss": "https://rs-signer.example", "authorization_servers": [provider.issuer()]}),
    );
    let loaded = load_resource_metadata(&resource, &trusted).await.unwrap();
    assert_eq!(loaded.metadata.authorization_servers(), [provider.issuer()]);
    // Without trusted keys the plain members stand and the token is kept as received.
    let plain = load_resource_metadata(&resource, &options()).await.unwrap();
    assert_eq!(
        plain.metadata.authorization_servers(),
        ["https://plain.example"]
    );
    assert!(plain.metadata.signed_metadata.is_some());

    // A signed `resource` naming another resource is a mismatch, not a silent switch.
    serve(json!({"iss": "https://rs-signer.example", "resource": "https://evil.example/mcp"}));
    let error = load_resource_metadata(&resource, &trusted)
        .await
        .unwrap_err();
    assert!(
        matches!(error, DiscoveryError::ResourceMismatch { .. }),
        "{error}"
    );

    // Signed with a key nobody trusts.
    let other = TestKey::ec();
    provider.set_resource_document(json!({
        "resource": resource,
        "signed_metadata": other.sign("rs-1", &json!({"iss": "x"})),
    }));
    let error = load_resource_metadata(&resource, &trusted)
        .await
        .unwrap_err();
    assert!(
        matches!(error, DiscoveryError::InvalidSignedMetadata { .. }),
        "{error}"
    );
}
