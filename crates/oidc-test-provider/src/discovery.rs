//! The provider metadata document and the JWK Set served by default.

use serde_json::{json, Map, Value};

/// Token endpoint authentication methods the provider accepts, both advertised in the metadata
/// and enforced at registration.
pub(crate) const AUTH_METHODS: &[&str] = &[
    "client_secret_basic",
    "client_secret_post",
    "private_key_jwt",
    "none",
];

/// The default metadata document for `issuer`, with endpoints under `base_url`.
pub(crate) fn default_document(issuer: &str, base_url: &str, registration: bool) -> Value {
    let mut doc = Map::new();
    let mut put = |key: &str, value: Value| {
        doc.insert(key.to_owned(), value);
    };
    put("issuer", issuer.into());
    put(
        "authorization_endpoint",
        format!("{base_url}/authorize").into(),
    );
    put("token_endpoint", format!("{base_url}/token").into());
    put("userinfo_endpoint", format!("{base_url}/userinfo").into());
    put("jwks_uri", format!("{base_url}/jwks").into());
    if registration {
        put(
            "registration_endpoint",
            format!("{base_url}/register").into(),
        );
    }
    put("end_session_endpoint", format!("{base_url}/logout").into());
    put(
        "scopes_supported",
        json!(["openid", "profile", "email", "offline_access"]),
    );
    put(
        "response_types_supported",
        json!(["code", "id_token", "code id_token"]),
    );
    put(
        "response_modes_supported",
        json!(["query", "fragment", "form_post"]),
    );
    put(
        "grant_types_supported",
        json!([
            "authorization_code",
            "implicit",
            "refresh_token",
            "client_credentials"
        ]),
    );
    put("subject_types_supported", json!(["public", "pairwise"]));
    put(
        "id_token_signing_alg_values_supported",
        json!(["RS256", "ES256", "PS256"]),
    );
    put("token_endpoint_auth_methods_supported", json!(AUTH_METHODS));
    put(
        "token_endpoint_auth_signing_alg_values_supported",
        json!(["RS256", "ES256"]),
    );
    put(
        "request_object_signing_alg_values_supported",
        json!(["RS256", "ES256", "none"]),
    );
    put(
        "userinfo_signing_alg_values_supported",
        json!(["RS256", "ES256"]),
    );
    put(
        "claims_supported",
        json!([
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "name",
            "given_name",
            "family_name",
            "email",
            "email_verified"
        ]),
    );
    put("claim_types_supported", json!(["normal"]));
    put("claims_parameter_supported", json!(false));
    put("request_parameter_supported", json!(true));
    put("request_uri_parameter_supported", json!(true));
    put("require_request_uri_registration", json!(false));
    put("code_challenge_methods_supported", json!(["S256"]));
    Value::Object(doc)
}

/// A fixed public RSA key (2048 bits), public members only: the private half was discarded.
pub(crate) fn default_jwks() -> Value {
    json!({
        "keys": [{
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": "test-provider-rs256-1",
            "n": "uhT7pedNDLacgIzUygPf2hHA29Z6U87dfejCUbucFNf2kLzUXLnrW77EvgAoYsWtAFpEMtH0osNJ_F1VCzwVyrh6M0NAq-ljYaIk9QQeHY-X1K1PgNI0WEak41ed0LkLgAf5W5miUqOef-nI8TnU_Fe_j4ELBS69XYt8AiBW-4OK9QLBqqIlDiH38B3_8vnXfk4nr5hbnHmG3aCdeBlFUwmw9sxxnzAPsqNl8R5mANk2eB4T-mei1t1F72DSEfg0xAK-FQVsa8Yg61nbWAchWhyZVMEzqtvUwMe4-uDMNOclYz1FKSDDbGH32Pz0E0Q2W_k5IpdVyLBgedHxPu4JSQ",
            "e": "AQAB"
        }]
    })
}
