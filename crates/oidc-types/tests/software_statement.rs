//! Software statements (RFC 7591 §2.3): signing, verification and decoding through the public
//! API, with the test keys under `tests/keys/` (see its README).

// A missing key file or a broken helper should fail loudly; the helpers are test code too.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::PathBuf;

use data_encoding::BASE64URL_NOPAD;
use oidc_types::{
    decode_software_statement_unverified, sign_software_statement, verify_software_statement, Jwk,
    JwsAlgorithm, SigningKey, SoftwareStatementClaims, SoftwareStatementError,
};
use serde_json::{json, Map, Value};

fn keys_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/keys"))
}

fn read(name: &str) -> Vec<u8> {
    let path = keys_dir().join(name);
    fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read_str(name: &str) -> String {
    String::from_utf8(read(name)).unwrap()
}

/// The public JWK of a test key, e.g. `public("rsa-2048")`.
fn public(name: &str) -> Jwk {
    serde_json::from_slice(&read(&format!("{name}.public.jwk.json"))).unwrap()
}

/// The same public JWK with its JSON edited.
fn public_with(name: &str, edit: impl FnOnce(&mut Map<String, Value>)) -> Jwk {
    let mut json: Value =
        serde_json::from_slice(&read(&format!("{name}.public.jwk.json"))).unwrap();
    edit(json.as_object_mut().unwrap());
    serde_json::from_value(json).unwrap()
}

fn rsa(alg: JwsAlgorithm, kid: Option<&str>) -> SigningKey {
    SigningKey::rsa_from_pkcs8_der(&read("rsa-2048.pk8"), alg, kid.map(str::to_owned)).unwrap()
}

fn ec(file: &str, alg: JwsAlgorithm, kid: Option<&str>) -> SigningKey {
    SigningKey::ecdsa_from_pkcs8_der(&read(file), alg, kid.map(str::to_owned)).unwrap()
}

fn claims() -> SoftwareStatementClaims {
    SoftwareStatementClaims::new("https://issuer.example.com")
        .with_software_id("4NRB1-0XZABZI9E6-5SM3R")
        .with_software_version("2.1")
        .with_issued_at(1_700_000_000)
        .with_claim("client_name", "Example Statement-based Client")
        .with_claim("redirect_uris", json!(["https://client.example.net/cb"]))
}

/// Every public test key, in an order that puts a wrong key of each type first.
fn all_public_keys() -> Vec<Jwk> {
    vec![
        public("rsa-2048-other"),
        public("ec-p384"),
        public("ec-p256"),
        public("rsa-2048"),
    ]
}

fn segment_json(jwt: &str, index: usize) -> Value {
    let segment = jwt.split('.').nth(index).unwrap();
    serde_json::from_slice(&BASE64URL_NOPAD.decode(segment.as_bytes()).unwrap()).unwrap()
}

/// A compact JWS with an arbitrary header and payload, signed by ring directly with the test
/// RSA key (RS256): lets tests make statements `sign_software_statement` refuses to make.
fn hand_signed_rs256(header: &Value, payload: &Value) -> String {
    hand_signed_rs256_bytes(
        header.to_string().as_bytes(),
        payload.to_string().as_bytes(),
    )
}

/// [`hand_signed_rs256`] over these exact bytes.
fn hand_signed_rs256_bytes(header: &[u8], payload: &[u8]) -> String {
    let pair = ring::signature::RsaKeyPair::from_pkcs8(&read("rsa-2048.pk8")).unwrap();
    let input = format!(
        "{}.{}",
        BASE64URL_NOPAD.encode(header),
        BASE64URL_NOPAD.encode(payload)
    );
    let mut signature = vec![0; pair.public().modulus_len()];
    pair.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        input.as_bytes(),
        &mut signature,
    )
    .unwrap();
    format!("{input}.{}", BASE64URL_NOPAD.encode(&signature))
}

fn unsigned(header: &Value, payload: &Value, signature: &str) -> String {
    format!(
        "{}.{}.{signature}",
        BASE64URL_NOPAD.encode(header.to_string().as_bytes()),
        BASE64URL_NOPAD.encode(payload.to_string().as_bytes())
    )
}

#[test]
fn round_trip_for_every_supported_algorithm() {
    let cases = [
        (rsa(JwsAlgorithm::Rs256, Some("rsa-2048")), "rsa-2048", 256),
        (rsa(JwsAlgorithm::Rs384, Some("rsa-2048")), "rsa-2048", 256),
        (rsa(JwsAlgorithm::Rs512, Some("rsa-2048")), "rsa-2048", 256),
        (rsa(JwsAlgorithm::Ps256, Some("rsa-2048")), "rsa-2048", 256),
        (rsa(JwsAlgorithm::Ps384, Some("rsa-2048")), "rsa-2048", 256),
        (rsa(JwsAlgorithm::Ps512, Some("rsa-2048")), "rsa-2048", 256),
        // JWS ECDSA signatures are r || s at the curve's size (RFC 7518 §3.4), not DER.
        (
            ec("ec-p256.pk8", JwsAlgorithm::Es256, Some("ec-p256")),
            "ec-p256",
            64,
        ),
        (
            ec("ec-p384.pk8", JwsAlgorithm::Es384, Some("ec-p384")),
            "ec-p384",
            96,
        ),
    ];
    for (key, jwk, signature_len) in cases {
        let jwt = sign_software_statement(&claims(), &key).unwrap();
        assert_eq!(
            segment_json(&jwt, 0),
            json!({"alg": key.alg().as_str(), "typ": "JWT", "kid": jwk}),
            "{key:?}"
        );
        let signature = jwt.rsplit('.').next().unwrap();
        assert_eq!(
            BASE64URL_NOPAD.decode(signature.as_bytes()).unwrap().len(),
            signature_len,
            "{key:?}"
        );

        let verified = verify_software_statement(&jwt, &[public(jwk)]).unwrap();
        assert_eq!(verified.claims, claims(), "{key:?}");
        assert_eq!(&verified.alg, key.alg());
        assert_eq!(verified.kid.as_deref(), Some(jwk));
    }
}

#[test]
fn pem_keys_sign_like_their_der_form() {
    let rsa = SigningKey::rsa_from_pem(&read_str("rsa-2048.pem"), JwsAlgorithm::Ps256, None);
    let ec = SigningKey::ecdsa_from_pem(&read_str("ec-p256.pem"), JwsAlgorithm::Es256, None);
    for (key, jwk) in [(rsa.unwrap(), "rsa-2048"), (ec.unwrap(), "ec-p256")] {
        let jwt = sign_software_statement(&claims(), &key).unwrap();
        assert_eq!(
            segment_json(&jwt, 0),
            json!({"alg": key.alg().as_str(), "typ": "JWT"})
        );
        let verified = verify_software_statement(&jwt, &[public(jwk)]).unwrap();
        assert_eq!(verified.claims, claims());
    }
}

#[test]
fn statements_signed_by_openssl_verify() {
    let tokens: Map<String, Value> = serde_json::from_slice(&read("openssl-signed.json")).unwrap();
    assert_eq!(tokens.len(), 5);
    for (alg, jwt) in &tokens {
        let verified = verify_software_statement(jwt.as_str().unwrap(), &all_public_keys())
            .unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(verified.alg.as_str(), alg);
        assert_eq!(verified.claims.iss, "https://openssl.example");
        assert_eq!(
            verified.claims.software_id.as_deref(),
            Some("openssl-interop")
        );
        assert_eq!(verified.claims.other["client_name"], "Signed by OpenSSL");
    }
}

#[test]
fn the_kid_header_selects_the_key() {
    let keys = all_public_keys();
    let jwt =
        sign_software_statement(&claims(), &rsa(JwsAlgorithm::Rs256, Some("rsa-2048"))).unwrap();
    let verified = verify_software_statement(&jwt, &keys).unwrap();
    assert_eq!(verified.kid.as_deref(), Some("rsa-2048"));

    // The kid decides even when another key of the right type would verify: the other RSA key
    // is relabelled with the statement's kid and the real key loses its kid.
    let swapped = [
        public_with("rsa-2048-other", |k| {
            k.insert("kid".into(), json!("rsa-2048"));
        }),
        public_with("rsa-2048", |k| {
            k.insert("kid".into(), json!("moved"));
        }),
    ];
    assert_eq!(
        verify_software_statement(&jwt, &swapped),
        Err(SoftwareStatementError::BadSignature)
    );
}

#[test]
fn without_a_kid_the_keys_of_the_right_type_are_tried() {
    let keys = all_public_keys();
    let es256 =
        sign_software_statement(&claims(), &ec("ec-p256.pk8", JwsAlgorithm::Es256, None)).unwrap();
    assert_eq!(
        verify_software_statement(&es256, &keys)
            .unwrap()
            .kid
            .as_deref(),
        Some("ec-p256")
    );
    let rs256 = sign_software_statement(&claims(), &rsa(JwsAlgorithm::Rs256, None)).unwrap();
    assert_eq!(
        verify_software_statement(&rs256, &keys)
            .unwrap()
            .kid
            .as_deref(),
        Some("rsa-2048")
    );
    // A key without a kid verifies, and the result says it had none.
    let anonymous = public_with("rsa-2048", |k| {
        k.remove("kid");
    });
    assert_eq!(
        verify_software_statement(&rs256, &[anonymous]).unwrap().kid,
        None
    );
}

#[test]
fn a_tampered_payload_is_a_bad_signature() {
    let jwt =
        sign_software_statement(&claims(), &rsa(JwsAlgorithm::Rs256, Some("rsa-2048"))).unwrap();
    let mut parts: Vec<String> = jwt.split('.').map(str::to_owned).collect();
    let mut payload = segment_json(&jwt, 1);
    payload["software_id"] = json!("EVIL");
    parts[1] = BASE64URL_NOPAD.encode(payload.to_string().as_bytes());
    assert_eq!(
        verify_software_statement(&parts.join("."), &[public("rsa-2048")]),
        Err(SoftwareStatementError::BadSignature)
    );

    // Even a payload that is no longer JSON reports the signature, not the JSON.
    parts[1] = BASE64URL_NOPAD.encode(b"not json");
    assert_eq!(
        verify_software_statement(&parts.join("."), &[public("rsa-2048")]),
        Err(SoftwareStatementError::BadSignature)
    );

    let ec_jwt =
        sign_software_statement(&claims(), &ec("ec-p256.pk8", JwsAlgorithm::Es256, None)).unwrap();
    let (input, signature) = ec_jwt.rsplit_once('.').unwrap();
    let mut signature = BASE64URL_NOPAD.decode(signature.as_bytes()).unwrap();
    signature[10] ^= 1;
    let tampered = format!("{input}.{}", BASE64URL_NOPAD.encode(&signature));
    assert_eq!(
        verify_software_statement(&tampered, &[public("ec-p256")]),
        Err(SoftwareStatementError::BadSignature)
    );
}

#[test]
fn another_issuers_keys_do_not_verify() {
    let with_kid =
        sign_software_statement(&claims(), &rsa(JwsAlgorithm::Rs256, Some("rsa-2048"))).unwrap();
    let without_kid = sign_software_statement(&claims(), &rsa(JwsAlgorithm::Rs256, None)).unwrap();
    let other = [public("rsa-2048-other"), public("ec-p256")];

    // Signed by another RSA key that claims the right kid.
    let impostor = SigningKey::rsa_from_pkcs8_der(
        &read("rsa-2048-other.pk8"),
        JwsAlgorithm::Rs256,
        Some("rsa-2048".into()),
    )
    .unwrap();
    let forged = sign_software_statement(&claims(), &impostor).unwrap();
    assert_eq!(
        verify_software_statement(&forged, &all_public_keys()),
        Err(SoftwareStatementError::BadSignature)
    );

    assert_eq!(
        verify_software_statement(&without_kid, &other),
        Err(SoftwareStatementError::BadSignature)
    );
    assert_eq!(
        verify_software_statement(&with_kid, &other),
        Err(SoftwareStatementError::UnknownKey {
            kid: "rsa-2048".into()
        })
    );
    assert_eq!(
        verify_software_statement(&without_kid, &[public("ec-p256"), public("ec-p384")]),
        Err(SoftwareStatementError::NoMatchingKey)
    );
    assert_eq!(
        verify_software_statement(&without_kid, &[]),
        Err(SoftwareStatementError::NoMatchingKey)
    );
    // ES256 needs a P-256 key: a P-384 key is the wrong curve, not a bad signature.
    let es256 =
        sign_software_statement(&claims(), &ec("ec-p256.pk8", JwsAlgorithm::Es256, None)).unwrap();
    assert_eq!(
        verify_software_statement(&es256, &[public("ec-p384"), public("rsa-2048")]),
        Err(SoftwareStatementError::NoMatchingKey)
    );
}

#[test]
fn a_kid_names_a_key_of_another_type() {
    let jwt =
        sign_software_statement(&claims(), &rsa(JwsAlgorithm::Rs256, Some("ec-p256"))).unwrap();
    assert_eq!(
        verify_software_statement(&jwt, &all_public_keys()),
        Err(SoftwareStatementError::NoMatchingKey)
    );
}

#[test]
fn a_keys_alg_use_and_key_ops_are_respected() {
    let jwt =
        sign_software_statement(&claims(), &rsa(JwsAlgorithm::Rs256, Some("rsa-2048"))).unwrap();
    let contradicting = [
        public_with("rsa-2048", |k| {
            k.insert("alg".into(), json!("RS512"));
        }),
        public_with("rsa-2048", |k| {
            k.insert("alg".into(), json!("RSA-OAEP"));
        }),
        public_with("rsa-2048", |k| {
            k.insert("use".into(), json!("enc"));
        }),
        public_with("rsa-2048", |k| {
            k.remove("use");
            k.insert("key_ops".into(), json!(["encrypt"]));
        }),
    ];
    for key in contradicting {
        assert_eq!(
            verify_software_statement(&jwt, std::slice::from_ref(&key)),
            Err(SoftwareStatementError::NoMatchingKey),
            "{key:?}"
        );
    }
    let agreeing = public_with("rsa-2048", |k| {
        k.insert("alg".into(), json!("RS256"));
        k.remove("use");
        k.insert("key_ops".into(), json!(["verify"]));
    });
    assert!(verify_software_statement(&jwt, &[agreeing]).is_ok());
}

#[test]
fn unusable_public_keys_are_invalid_keys() {
    let jwt = sign_software_statement(&claims(), &rsa(JwsAlgorithm::Rs256, None)).unwrap();
    // A 1024-bit modulus (the first half of the real one).
    let short = public_with("rsa-2048", |k| {
        let n = BASE64URL_NOPAD
            .decode(k["n"].as_str().unwrap().as_bytes())
            .unwrap();
        k.insert("n".into(), json!(BASE64URL_NOPAD.encode(&n[..128])));
    });
    let error = verify_software_statement(&jwt, &[short]).unwrap_err();
    assert!(
        matches!(&error, SoftwareStatementError::InvalidKey { reason } if reason.contains("1024 bits")),
        "{error}"
    );

    let es256 =
        sign_software_statement(&claims(), &ec("ec-p256.pk8", JwsAlgorithm::Es256, None)).unwrap();
    let truncated = public_with("ec-p256", |k| {
        k.insert("x".into(), json!("AAAA"));
    });
    assert!(matches!(
        verify_software_statement(&es256, &[truncated]),
        Err(SoftwareStatementError::InvalidKey { .. })
    ));
    // A usable key next to an unusable one still verifies.
    let with_good = [
        public_with("ec-p256", |k| {
            k.insert("x".into(), json!("AAAA"));
        }),
        public("ec-p256"),
    ];
    assert!(verify_software_statement(&es256, &with_good).is_ok());
}

#[test]
fn iss_is_required() {
    let jwt = hand_signed_rs256(
        &json!({"alg": "RS256"}),
        &json!({"software_id": "4NRB1-0XZABZI9E6-5SM3R"}),
    );
    assert_eq!(
        verify_software_statement(&jwt, &[public("rsa-2048")]),
        Err(SoftwareStatementError::MissingIss)
    );
    let empty = hand_signed_rs256(&json!({"alg": "RS256"}), &json!({"iss": ""}));
    assert_eq!(
        verify_software_statement(&empty, &[public("rsa-2048")]),
        Err(SoftwareStatementError::MissingIss)
    );

    // And signing refuses to make such a statement.
    let key = rsa(JwsAlgorithm::Rs256, None);
    for iss in ["", "  "] {
        assert_eq!(
            sign_software_statement(&SoftwareStatementClaims::new(iss), &key),
            Err(SoftwareStatementError::MissingIss)
        );
    }
}

#[test]
fn a_payload_that_is_not_a_claims_set_is_malformed() {
    let jwt = hand_signed_rs256(&json!({"alg": "RS256"}), &json!(["iss"]));
    assert!(matches!(
        verify_software_statement(&jwt, &[public("rsa-2048")]),
        Err(SoftwareStatementError::Malformed { .. })
    ));
    let jwt = hand_signed_rs256(
        &json!({"alg": "RS256"}),
        &json!({"iss": "a", "exp": "soon"}),
    );
    assert!(matches!(
        verify_software_statement(&jwt, &[public("rsa-2048")]),
        Err(SoftwareStatementError::Malformed { .. })
    ));
}

/// A fresh Ed25519 key (PKCS#8 v2, as ring generates it) and its public JWK.
fn ed25519(kid: &str) -> (SigningKey, Jwk) {
    use ring::signature::{Ed25519KeyPair, KeyPair};
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).unwrap();
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    let jwk = json!({"kty": "OKP", "crv": "Ed25519", "kid": kid, "use": "sig",
        "x": BASE64URL_NOPAD.encode(pair.public_key().as_ref())});
    let key = SigningKey::ed25519_from_pkcs8_der(pkcs8.as_ref(), Some(kid.to_owned())).unwrap();
    (key, serde_json::from_value(jwk).unwrap())
}

#[test]
fn eddsa_statements_verify_with_an_ed25519_jwk() {
    let (key, jwk) = ed25519("ed");
    assert_eq!(key.alg(), &JwsAlgorithm::EdDsa);
    let jwt = sign_software_statement(&claims(), &key).unwrap();
    assert_eq!(
        segment_json(&jwt, 0),
        json!({"alg": "EdDSA", "typ": "JWT", "kid": "ed"})
    );
    let mut keys = all_public_keys();
    keys.push(jwk.clone());
    let verified = verify_software_statement(&jwt, &keys).unwrap();
    assert_eq!(verified.claims, claims());
    assert_eq!(verified.alg, JwsAlgorithm::EdDsa);
    assert_eq!(verified.kid.as_deref(), Some("ed"));

    // Another Ed25519 key under the same kid does not verify it, and RSA or EC keys never fit.
    let (_, impostor) = ed25519("ed");
    assert_eq!(
        verify_software_statement(&jwt, &[impostor]),
        Err(SoftwareStatementError::BadSignature)
    );
    let unnamed = sign_software_statement(&claims(), &ed25519("x").0).unwrap();
    assert_eq!(
        verify_software_statement(&unnamed, &all_public_keys()),
        Err(SoftwareStatementError::UnknownKey { kid: "x".into() })
    );
    let payload = json!({"iss": "https://issuer.example.com"});
    let eddsa = unsigned(&json!({"alg": "EdDSA"}), &payload, "c2ln");
    assert_eq!(
        verify_software_statement(&eddsa, &all_public_keys()),
        Err(SoftwareStatementError::NoMatchingKey)
    );
}

#[test]
fn alg_none_is_unsigned() {
    let payload = json!({"iss": "https://issuer.example.com"});
    for signature in ["", "c2ln"] {
        let jwt = unsigned(&json!({"alg": "none"}), &payload, signature);
        assert_eq!(
            verify_software_statement(&jwt, &all_public_keys()),
            Err(SoftwareStatementError::Unsigned)
        );
    }
}

#[test]
fn hmac_and_unknown_algorithms_are_refused() {
    let payload = json!({"iss": "https://issuer.example.com"});
    // EdDSA is supported (see `eddsa_statements_verify_with_an_ed25519_jwk`).
    for alg in ["HS256", "HS512", "ES512", "ES256K", "Ed448", "RS1", "none "] {
        let jwt = unsigned(&json!({"alg": alg, "kid": "rsa-2048"}), &payload, "c2ln");
        assert_eq!(
            verify_software_statement(&jwt, &all_public_keys()),
            Err(SoftwareStatementError::UnsupportedAlgorithm { alg: alg.into() })
        );
    }
}

#[test]
fn garbage_is_malformed() {
    let cases = [
        String::new(),
        "garbage".into(),
        "a.b".into(),
        "a.b.c.d.e".into(),
        "!!!.e30.c2ln".into(),
        "e30=.e30.c2ln".into(),
        // header `{}`: no alg
        "e30.e30.c2ln".into(),
        unsigned(&json!(["RS256"]), &json!({}), ""),
        unsigned(&json!({"alg": 256}), &json!({}), ""),
        unsigned(&json!({"alg": "RS256", "kid": 7}), &json!({}), ""),
        unsigned(&json!({"alg": "RS256"}), &json!({}), "!!"),
    ];
    for jwt in cases {
        let result = verify_software_statement(&jwt, &all_public_keys());
        assert!(
            matches!(result, Err(SoftwareStatementError::Malformed { .. })),
            "{jwt:?}: {result:?}"
        );
    }
    assert!(matches!(
        decode_software_statement_unverified("a.b"),
        Err(SoftwareStatementError::Malformed { .. })
    ));
}

#[test]
fn expired_statements_are_refused() {
    let key = ec("ec-p256.pk8", JwsAlgorithm::Es256, None);
    let expired = sign_software_statement(&claims().with_expires_at(1_000_000), &key).unwrap();
    assert_eq!(
        verify_software_statement(&expired, &[public("ec-p256")]),
        Err(SoftwareStatementError::Expired { exp: 1_000_000 })
    );
    // Year 2286: not expired.
    let valid = sign_software_statement(&claims().with_expires_at(9_999_999_999), &key).unwrap();
    let verified = verify_software_statement(&valid, &[public("ec-p256")]).unwrap();
    assert_eq!(verified.claims.exp, Some(9_999_999_999));
}

#[test]
fn whitespace_inside_the_token_is_ignored() {
    let jwt =
        sign_software_statement(&claims(), &rsa(JwsAlgorithm::Ps256, Some("rsa-2048"))).unwrap();
    let spaced: String = jwt
        .chars()
        .enumerate()
        .flat_map(|(i, c)| match i % 40 {
            0 => vec!['\n', ' ', c],
            20 => vec![c, '\t', ' ', '\r'],
            _ => vec![c],
        })
        .collect();
    assert_ne!(spaced, jwt);
    let verified = verify_software_statement(&spaced, &[public("rsa-2048")]).unwrap();
    assert_eq!(verified.claims, claims());
    assert_eq!(
        decode_software_statement_unverified(&spaced).unwrap(),
        claims()
    );
}

#[test]
fn signing_key_debug_shows_no_key_material() {
    let pem = read_str("rsa-2048.pem");
    let key = rsa(JwsAlgorithm::Rs256, Some("rsa-2048"));
    assert_eq!(
        format!("{key:?}"),
        r#"SigningKey { alg: RS256, kid: Some("rsa-2048") }"#
    );
    let pretty = format!(
        "{:#?}",
        [key.clone(), ec("ec-p256.pk8", JwsAlgorithm::Es256, None)]
    );
    assert!(pretty.contains("alg: ES256"), "{pretty}");
    // No piece of the key's base64, and nothing long enough to hold a byte dump.
    for line in pem.lines().filter(|line| !line.starts_with("-----")) {
        assert!(!pretty.contains(&line[..16]), "{pretty}");
    }
    assert!(pretty.len() < 200, "{pretty}");
}

#[test]
fn bad_private_keys_are_invalid_keys_and_errors_do_not_leak_them() {
    let rsa_der = read("rsa-2048.pk8");
    let ec_der = read("ec-p256.pk8");
    let cases = [
        SigningKey::rsa_from_pkcs8_der(&ec_der, JwsAlgorithm::Rs256, None),
        SigningKey::rsa_from_pkcs8_der(b"not a key", JwsAlgorithm::Rs256, None),
        SigningKey::ecdsa_from_pkcs8_der(&rsa_der, JwsAlgorithm::Es256, None),
        // A P-256 key for ES384.
        SigningKey::ecdsa_from_pkcs8_der(&ec_der, JwsAlgorithm::Es384, None),
        SigningKey::ecdsa_from_pem(&read_str("rsa-2048.pem"), JwsAlgorithm::Es256, None),
        SigningKey::rsa_from_pem("no PEM here", JwsAlgorithm::Rs256, None),
        SigningKey::ecdsa_from_pem(
            "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----",
            JwsAlgorithm::Es256,
            None,
        ),
    ];
    let pem_body: String = read_str("rsa-2048.pem")
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    for result in cases {
        let error = result.unwrap_err();
        assert!(
            matches!(error, SoftwareStatementError::InvalidKey { .. }),
            "{error:?}"
        );
        let shown = format!("{error} {error:?}");
        assert!(
            shown.starts_with("software statement: invalid key: "),
            "{shown}"
        );
        assert!(!shown.contains(&pem_body[..16]), "{shown}");
    }
    assert!(matches!(
        SigningKey::rsa_from_pkcs8_der(&rsa_der, JwsAlgorithm::Hs256, None),
        Err(SoftwareStatementError::UnsupportedAlgorithm { alg }) if alg == "HS256"
    ));
}

#[test]
fn error_messages() {
    let shown = [
        SoftwareStatementError::Malformed {
            reason: "header is not a JSON object".into(),
        },
        SoftwareStatementError::UnsupportedAlgorithm {
            alg: "HS256".into(),
        },
        SoftwareStatementError::Unsigned,
        SoftwareStatementError::UnknownKey { kid: "k1".into() },
        SoftwareStatementError::NoMatchingKey,
        SoftwareStatementError::BadSignature,
        SoftwareStatementError::MissingIss,
        SoftwareStatementError::Expired { exp: 5 },
    ]
    .map(|error| error.to_string());
    assert_eq!(
        shown,
        [
            "software statement: malformed: header is not a JSON object",
            "software statement: unsupported algorithm \"HS256\"",
            "software statement: not signed (alg \"none\")",
            "software statement: no key with kid \"k1\"",
            "software statement: no key fits the statement's algorithm",
            "software statement: signature does not verify",
            "software statement: no iss claim",
            "software statement: expired (exp 5)",
        ]
    );
}

#[test]
fn decodes_the_identitymodel_fixture_without_verifying() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/identitymodel/success_registration_response.json"
    );
    let response: Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
    let jwt = response["software_statement"].as_str().unwrap();
    // The fixture carries the statement with spaces inside, as copied from the RFC text.
    assert!(jwt.contains(' '));

    let claims = decode_software_statement_unverified(jwt).unwrap();
    // The RFC 7591 §3.2.1 example statement has no `iss` (RFC 7591 §2.3 requires one), so it
    // reads as empty here and verification would refuse it.
    assert_eq!(claims.iss, "");
    assert_eq!(
        claims.software_id.as_deref(),
        Some("4NRB1-0XZABZI9E6-5SM3R")
    );
    assert_eq!(
        claims.other["client_name"],
        "Example Statement-based Client"
    );
    assert_eq!(claims.other["client_uri"], "https://client.example.net/");

    // Signed with a key nobody here has: no key set verifies it.
    assert_eq!(
        verify_software_statement(jwt, &all_public_keys()),
        Err(SoftwareStatementError::BadSignature)
    );
}

#[test]
fn decoding_unverified_ignores_the_signature_and_algorithm() {
    let payload = json!({"iss": "https://issuer.example.com", "software_id": "id", "exp": 1});
    let jwt = unsigned(&json!({"alg": "none"}), &payload, "");
    let claims = decode_software_statement_unverified(&jwt).unwrap();
    assert_eq!(claims.iss, "https://issuer.example.com");
    assert_eq!(claims.exp, Some(1));
}

#[test]
fn signed_claims_keep_every_claim() {
    let claims = SoftwareStatementClaims::new("https://issuer.example.com")
        .with_claim("software_id", "id")
        .with_claim("x-custom", json!({"nested": [1, 2]}))
        .with_claim("client_name#ja-Jpan-JP", "クライアント名");
    let jwt = sign_software_statement(&claims, &rsa(JwsAlgorithm::Rs256, None)).unwrap();
    assert_eq!(
        segment_json(&jwt, 1),
        json!({
            "iss": "https://issuer.example.com",
            "software_id": "id",
            "x-custom": {"nested": [1, 2]},
            "client_name#ja-Jpan-JP": "クライアント名"
        })
    );
    let verified = verify_software_statement(&jwt, &[public("rsa-2048")]).unwrap();
    assert_eq!(verified.claims, claims);
}

/// The signature covers the bytes as received: a header and claims set in no sorted order and
/// with whitespace verify, whatever order serde_json's `Map` would write them in.
#[test]
fn the_signature_is_checked_over_the_bytes_received() {
    let header = br#"{ "typ": "JWT", "kid": "rsa-2048", "alg": "RS256" }"#;
    let payload = br#"{"software_id": "id",
        "iss": "https://issuer.example.com", "x-z": 1, "x-a": {"b": 2, "a": 1}}"#;
    let jwt = hand_signed_rs256_bytes(header, payload);
    let verified = verify_software_statement(&jwt, &[public("rsa-2048")]).unwrap();
    assert_eq!(verified.kid.as_deref(), Some("rsa-2048"));
    assert_eq!(verified.claims.iss, "https://issuer.example.com");
    assert_eq!(verified.claims.software_id.as_deref(), Some("id"));
    assert_eq!(
        Value::Object(verified.claims.other),
        json!({"x-z": 1, "x-a": {"a": 1, "b": 2}})
    );
}
