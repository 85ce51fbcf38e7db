//! Reads every real-world document under `fixtures/` (see `fixtures/README.md` for where each
//! comes from) and checks facts that prove the parse is real, not merely successful.

// A broken or missing fixture should fail loudly; the helpers below are test code too.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use oidc_types::{
    BackchannelTokenDeliveryMode, ClaimType, ClientAuthMethod, CodeChallengeMethod, GrantType,
    JweAlgorithm, JweEncryption, JwsAlgorithm, OAuthError, OAuthErrorCode, ProviderMetadata,
    RegistrationResponse, ResponseMode, ResponseType, SubjectType,
};
use serde_json::{Map, Value};

/// The repository's `fixtures/` directory.
fn fixtures_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures"))
}

/// Every file under `dir`, recursively, sorted so failures are reproducible.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The path relative to `fixtures/`, with `/` separators, as used in the assertions below.
fn relative(path: &Path) -> String {
    let relative = path.strip_prefix(fixtures_dir()).unwrap();
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn is_provider_document(name: &str) -> bool {
    !name.ends_with("jwks.json")
        && (name == "openid-configuration.json"
            || (name.starts_with("discovery") && name.ends_with(".json"))
            || name.ends_with("-metadata.json")
            || name == "example-config-optionals.json")
}

/// Every provider configuration document, parsed, by relative path.
fn provider_documents() -> BTreeMap<String, (Value, ProviderMetadata)> {
    let mut documents = BTreeMap::new();
    for path in walk(&fixtures_dir()) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !is_provider_document(&name) {
            continue;
        }
        let body = fs::read(&path).unwrap();
        let metadata = ProviderMetadata::from_json(&body)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let value: Value = serde_json::from_slice(&body).unwrap();
        documents.insert(relative(&path), (value, metadata));
    }
    documents
}

fn provider(
    documents: &BTreeMap<String, (Value, ProviderMetadata)>,
    path: &str,
) -> ProviderMetadata {
    documents
        .get(path)
        .unwrap_or_else(|| panic!("missing fixture {path}"))
        .1
        .clone()
}

#[test]
fn every_provider_document_parses_without_losing_a_member() {
    let documents = provider_documents();
    // 19 providers + 8 recorded + 3 IdentityModel discovery documents + 4 oidcc documents. A
    // missing or moved directory makes this fail instead of silently testing nothing.
    assert_eq!(
        documents.len(),
        34,
        "{:#?}",
        documents.keys().collect::<Vec<_>>()
    );

    for (path, (original, metadata)) in &documents {
        // Serializing gives back every non-null member with the same value; only the parts of
        // response types are put in canonical order.
        let mut expected: Map<String, Value> = original.as_object().unwrap().clone();
        expected.retain(|_, value| !value.is_null());
        if let Some(Value::Array(types)) = expected.get_mut("response_types_supported") {
            for value in types.iter_mut() {
                *value = Value::from(ResponseType::from(value.as_str().unwrap()).as_str());
            }
        }
        let written = serde_json::to_value(metadata).unwrap();
        assert_eq!(written, Value::Object(expected), "{path}");

        // And the written form reads back to the same metadata.
        let again = ProviderMetadata::from_json(&serde_json::to_vec(&written).unwrap()).unwrap();
        assert_eq!(&again, metadata, "{path}");
        assert!(!metadata.issuer.is_empty(), "{path}");
    }
}

#[test]
fn google() {
    let documents = provider_documents();
    for path in [
        "providers/google/openid-configuration.json",
        "http-recorded/google/openid-configuration.json",
        "oidcc/google-metadata.json",
    ] {
        let google = provider(&documents, path);
        assert_eq!(google.issuer, "https://accounts.google.com", "{path}");
        assert_eq!(
            google.jwks_uri.as_deref(),
            Some("https://www.googleapis.com/oauth2/v3/certs"),
            "{path}"
        );
        assert_eq!(google.registration_endpoint, None, "{path}");
        // No response_modes_supported in Google's document: the Discovery default applies.
        assert_eq!(google.response_modes_supported, None, "{path}");
        assert_eq!(
            google.response_modes_supported(),
            [ResponseMode::Query, ResponseMode::Fragment]
        );
        assert!(google.request_uri_parameter_supported(), "{path}");
        assert!(google.missing_required_members().is_empty(), "{path}");
    }
    let google = provider(&documents, "providers/google/openid-configuration.json");
    assert_eq!(
        google.grant_types_supported(),
        [
            GrantType::AuthorizationCode,
            GrantType::RefreshToken,
            GrantType::DeviceCode,
            GrantType::JwtBearer
        ]
    );
    assert_eq!(
        google.code_challenge_methods_supported,
        Some(vec![CodeChallengeMethod::Plain, CodeChallengeMethod::S256])
    );
    assert_eq!(
        google.device_authorization_endpoint.as_deref(),
        Some("https://oauth2.googleapis.com/device/code")
    );
    assert!(google.extra_fields.is_empty(), "{:?}", google.extra_fields);
}

#[test]
fn issuers_with_trailing_slashes_paths_and_placeholders_are_kept_verbatim() {
    let documents = provider_documents();
    for (path, issuer) in [
        (
            "providers/docker/openid-configuration.json",
            "https://login.docker.com/",
        ),
        (
            "http-recorded/auth0/openid-configuration.json",
            "https://common.auth0.com/",
        ),
        (
            "providers/mojeid/openid-configuration.json",
            "https://mojeid.cz/oidc/",
        ),
        (
            "providers/twitch/openid-configuration.json",
            "https://id.twitch.tv/oauth2",
        ),
        (
            "http-recorded/onelogin/openid-configuration.json",
            "https://common.onelogin.com/oidc/2",
        ),
        (
            "providers/entra-common/openid-configuration.json",
            "https://login.microsoftonline.com/{tenantid}/v2.0",
        ),
        (
            "providers/entra-organizations/openid-configuration.json",
            "https://login.microsoftonline.com/{tenantid}/v2.0",
        ),
        (
            "http-recorded/azure/openid-configuration.json",
            "https://login.microsoftonline.com/{tenantid}/v2.0",
        ),
        ("identitymodel/discovery_variable.json", "{issuer}"),
        (
            "http-recorded/vault/openid-configuration.json",
            "http://0.0.0.0:8200/v1/identity/oidc/provider/default",
        ),
    ] {
        assert_eq!(provider(&documents, path).issuer, issuer, "{path}");
    }
}

#[test]
fn unknown_members_are_kept_and_nulls_dropped() {
    let documents = provider_documents();

    let docker = provider(&documents, "providers/docker/openid-configuration.json");
    assert_eq!(
        docker.extra_fields["mfa_challenge_endpoint"],
        "https://login.docker.com/mfa/challenge"
    );
    assert_eq!(
        docker.registration_endpoint.as_deref(),
        Some("https://login.docker.com/oidc/register")
    );
    assert!(docker
        .id_token_signing_alg_values_supported
        .as_ref()
        .unwrap()
        .contains(&JwsAlgorithm::Hs256));
    assert!(!docker.request_uri_parameter_supported());

    for path in [
        "providers/entra-common/openid-configuration.json",
        "providers/entra-organizations/openid-configuration.json",
        "http-recorded/azure/openid-configuration.json",
    ] {
        let entra = provider(&documents, path);
        // `"tenant_region_scope": null` is absent, not an extra field holding null.
        assert!(
            !entra.extra_fields.contains_key("tenant_region_scope"),
            "{path}"
        );
        assert_eq!(
            entra.extra_fields["cloud_instance_name"], "microsoftonline.com",
            "{path}"
        );
        assert_eq!(entra.extra_fields["http_logout_supported"], true, "{path}");
        assert!(
            entra.extra_fields.contains_key("kerberos_endpoint"),
            "{path}"
        );
        assert!(entra.frontchannel_logout_supported(), "{path}");
        assert_eq!(
            entra.subject_types_supported,
            Some(vec![SubjectType::Pairwise]),
            "{path}"
        );
        assert!(!entra.request_uri_parameter_supported(), "{path}");
    }

    let yahoo = provider(&documents, "providers/yahoo/openid-configuration.json");
    assert_eq!(yahoo.revocation_endpoint, None);
    assert!(yahoo.extra_fields.contains_key("token_revocation_endpoint"));

    let mojeid = provider(&documents, "providers/mojeid/openid-configuration.json");
    assert_eq!(mojeid.extra_fields["version"], "3.0");
    assert!(mojeid
        .id_token_signing_alg_values_supported
        .as_ref()
        .unwrap()
        .contains(&JwsAlgorithm::None));

    let klarna = provider(&documents, "providers/klarna/openid-configuration.json");
    // Client-metadata names in a provider document: unknown here, so kept as extras.
    assert!(klarna
        .extra_fields
        .contains_key("id_token_signed_response_alg"));
    assert!(klarna
        .extra_fields
        .contains_key("userinfo_signed_response_alg"));

    let lego = provider(&documents, "providers/lego/openid-configuration.json");
    assert!(lego.extra_fields.contains_key("one_time_token_endpoint"));
    assert_eq!(lego.extra_fields.len(), 1, "{:?}", lego.extra_fields);
}

#[test]
fn defaults_and_explicit_values() {
    let documents = provider_documents();

    let dropbox = provider(&documents, "providers/dropbox/openid-configuration.json");
    assert_eq!(dropbox.request_uri_parameter_supported, Some(false));
    assert!(!dropbox.request_uri_parameter_supported());
    assert_eq!(
        dropbox.grant_types_supported(),
        [GrantType::AuthorizationCode]
    );
    assert_eq!(dropbox.userinfo_endpoint, None);

    // Discord sends only the required members: every default applies.
    let discord = provider(&documents, "providers/discord/openid-configuration.json");
    assert_eq!(
        discord.grant_types_supported(),
        [GrantType::AuthorizationCode, GrantType::Implicit]
    );
    assert_eq!(
        discord.token_endpoint_auth_methods_supported(),
        [ClientAuthMethod::ClientSecretBasic]
    );
    assert_eq!(discord.claim_types_supported(), [ClaimType::Normal]);
    assert!(discord.request_uri_parameter_supported());
    assert!(!discord.claims_parameter_supported());
    assert!(discord.extra_fields.is_empty());
    assert!(discord.missing_required_members().is_empty());

    // oidcc's minimal document has no token_endpoint_auth_methods_supported.
    let optionals = provider(&documents, "oidcc/example-config-optionals.json");
    assert_eq!(optionals.token_endpoint_auth_methods_supported, None);
    assert_eq!(
        optionals.token_endpoint_auth_methods_supported(),
        [ClientAuthMethod::ClientSecretBasic]
    );
    assert_eq!(
        optionals.response_modes_supported(),
        [ResponseMode::Query, ResponseMode::Fragment]
    );
    assert_eq!(optionals.registration_endpoint, None);
    assert!(optionals
        .introspection_endpoint_auth_methods_supported()
        .is_empty());

    // Battle.net: no auth methods listed, non-standard grant types kept.
    let battle_net = provider(&documents, "providers/battle-net/openid-configuration.json");
    assert_eq!(
        battle_net.token_endpoint_auth_methods_supported(),
        [ClientAuthMethod::ClientSecretBasic]
    );
    let grants = battle_net.grant_types_supported();
    assert!(grants.contains(&GrantType::Other("token_extension".into())));
    assert!(grants.contains(&GrantType::Other("device_code".into())));
    assert!(grants.contains(&GrantType::DeviceCode));
    assert!(grants.contains(&GrantType::TokenExchange));

    let twitch = provider(&documents, "providers/twitch/openid-configuration.json");
    assert!(twitch.claims_parameter_supported());

    let klarna = provider(&documents, "providers/klarna/openid-configuration.json");
    assert!(klarna.require_request_uri_registration());

    // Facebook has no token endpoint, which is fine for an implicit-only provider.
    let facebook = provider(&documents, "providers/facebook/openid-configuration.json");
    assert_eq!(facebook.token_endpoint, None);
    assert!(!facebook
        .missing_required_members()
        .contains(&"token_endpoint"));
}

#[test]
fn response_types_compare_as_sets() {
    let documents = provider_documents();
    let hybrid = ResponseType::from("code id_token token");
    for path in [
        "providers/klarna/openid-configuration.json",
        "providers/verimi/openid-configuration.json",
        "providers/docker/openid-configuration.json",
    ] {
        let types = provider(&documents, path).response_types_supported.unwrap();
        assert!(types.contains(&hybrid), "{path}: {types:?}");
    }
    let facebook = provider(&documents, "providers/facebook/openid-configuration.json");
    assert_eq!(
        facebook.response_types_supported.unwrap(),
        [
            ResponseType::id_token(),
            ResponseType::from("id_token token")
        ]
    );
}

#[test]
fn unknown_values_are_kept() {
    let documents = provider_documents();
    for path in ["oidcc/example-metadata.json", "oidcc/fapi2-metadata.json"] {
        let metadata = provider(&documents, path);
        assert!(
            metadata
                .token_endpoint_auth_methods_supported()
                .contains(&ClientAuthMethod::Other("unsupporeted_auth".into())),
            "{path}"
        );
        assert_eq!(
            metadata.registration_endpoint.as_deref(),
            Some("https://my.provider/register")
        );
    }
    let example = provider(&documents, "oidcc/example-metadata.json");
    let userinfo_algs = example.userinfo_signing_alg_values_supported.unwrap();
    assert!(userinfo_algs.contains(&JwsAlgorithm::Es256K));
    assert!(userinfo_algs.contains(&JwsAlgorithm::EdDsa));
}

#[test]
fn mtls_aliases() {
    let documents = provider_documents();

    let fapi2 = provider(&documents, "oidcc/fapi2-metadata.json");
    assert_eq!(fapi2.mtls_endpoint_aliases.as_ref().unwrap().len(), 6);
    assert_eq!(
        fapi2.endpoint_for_mtls("token_endpoint"),
        Some("https://my.provider/tls/token")
    );
    assert_eq!(
        fapi2.endpoint_for_mtls("registration_endpoint"),
        Some("https://my.provider/tls/register")
    );
    // No alias for revocation: the plain endpoint is used.
    assert_eq!(
        fapi2.endpoint_for_mtls("revocation_endpoint"),
        Some("https://my.provider/revoke")
    );
    assert_eq!(
        fapi2.token_endpoint.as_deref(),
        Some("https://my.provider/token")
    );
    assert!(fapi2.tls_client_certificate_bound_access_tokens());
    assert!(fapi2
        .response_modes_supported()
        .contains(&ResponseMode::QueryJwt));
    assert!(fapi2
        .token_endpoint_auth_methods_supported()
        .contains(&ClientAuthMethod::TlsClientAuth));

    let identity_model = provider(&documents, "identitymodel/discovery_mtls.json");
    assert_eq!(identity_model.device_authorization_endpoint, None);
    assert_eq!(
        identity_model.endpoint_for_mtls("device_authorization_endpoint"),
        Some("https://mtls.identityserver.io/connect/deviceauthorization")
    );
    assert_eq!(
        identity_model.endpoint_for_mtls("introspection_endpoint"),
        Some("https://mtls.identityserver.io/connect/introspect")
    );

    let keycloak = provider(
        &documents,
        "http-recorded/keycloak/openid-configuration.json",
    );
    assert_eq!(keycloak.mtls_endpoint_aliases.as_ref().unwrap().len(), 8);
    assert!(keycloak.tls_client_certificate_bound_access_tokens());
    assert_eq!(
        keycloak.backchannel_token_delivery_modes_supported,
        Some(vec![
            BackchannelTokenDeliveryMode::Poll,
            BackchannelTokenDeliveryMode::Ping
        ])
    );
    assert!(keycloak.grant_types_supported().contains(&GrantType::Ciba));
    assert!(keycloak.require_request_uri_registration());
    assert!(!keycloak.require_pushed_authorization_requests());
    assert!(keycloak.pushed_authorization_request_endpoint.is_some());
    assert!(keycloak
        .authorization_encryption_alg_values_supported
        .as_ref()
        .unwrap()
        .contains(&JweAlgorithm::RsaOaep256));
    assert!(keycloak
        .request_object_encryption_enc_values_supported
        .as_ref()
        .unwrap()
        .contains(&JweEncryption::A256Gcm));
    assert_eq!(
        keycloak
            .introspection_endpoint_auth_methods_supported()
            .len(),
        5
    );
}

#[test]
fn newer_members() {
    let documents = provider_documents();
    let lego = provider(&documents, "providers/lego/openid-configuration.json");
    assert!(lego.authorization_response_iss_parameter_supported());
    assert!(lego.pushed_authorization_request_endpoint.is_some());
    assert!(lego.backchannel_logout_session_supported());
    assert!(lego.frontchannel_logout_session_supported());
    assert_eq!(
        lego.check_session_iframe.as_deref(),
        Some("https://identity.lego.com/connect/checksession")
    );
    assert_eq!(
        lego.prompt_values_supported
            .as_deref()
            .unwrap()
            .first()
            .map(String::as_str),
        Some("none")
    );

    let identity_model = provider(&documents, "identitymodel/discovery.json");
    assert!(identity_model.require_pushed_authorization_requests());
}

#[test]
fn registration_response_fixture() {
    let body =
        fs::read(fixtures_dir().join("identitymodel/success_registration_response.json")).unwrap();
    let registered = RegistrationResponse::from_json(&body).unwrap();
    assert_eq!(registered.client_id, "s6BhdRkqt3");
    assert_eq!(
        registered.client_secret.as_ref().unwrap().expose(),
        "ZJYCqe3GGRvdrudKyZS0XhGv_Z45DuKhCUk0gBR1vZk"
    );
    assert_eq!(
        registered
            .registration_access_token
            .as_ref()
            .unwrap()
            .expose(),
        "this.is.an.access.token.value.ffx83"
    );
    assert_eq!(
        registered.registration_client_uri.as_deref(),
        Some("https://server.example.com/connect/register?client_id=s6BhdRkqt3")
    );
    assert_eq!(registered.client_secret_expires_at, Some(1_577_858_400));
    assert_eq!(registered.client_id_issued_at, None);
    // 2020-01-01: long past.
    assert!(registered.is_secret_expired());
    assert!(!registered.secret_never_expires());

    let metadata = &registered.metadata;
    assert_eq!(metadata.client_name.value(), Some("My Example"));
    assert_eq!(
        metadata.client_name.get("ja-Jpan-JP"),
        Some("クライアント名")
    );
    assert_eq!(metadata.redirect_uris().len(), 2);
    assert_eq!(metadata.subject_type, Some(SubjectType::Pairwise));
    assert_eq!(
        metadata.userinfo_encrypted_response_alg,
        Some(JweAlgorithm::Rsa1_5)
    );
    assert!(registered.problems.is_empty(), "{:?}", registered.problems);
    for member in [
        "client_id",
        "client_secret",
        "registration_access_token",
        "client_secret_expires_at",
    ] {
        assert!(!metadata.extra_fields.contains_key(member), "{member}");
    }

    let shown = format!("{registered:?}");
    assert!(
        !shown.contains("ZJYCqe3GGRvdrudKyZS0XhGv_Z45DuKhCUk0gBR1vZk"),
        "{shown}"
    );
    assert!(
        !shown.contains("this.is.an.access.token.value.ffx83"),
        "{shown}"
    );
    assert!(shown.contains("s6BhdRkqt3"));
}

#[test]
fn registration_error_fixture() {
    let body =
        fs::read(fixtures_dir().join("identitymodel/failure_registration_response.json")).unwrap();
    let error = OAuthError::from_json(&body).unwrap();
    assert_eq!(error.code, OAuthErrorCode::InvalidRedirectUri);
    // Not a registration: no client_id.
    assert!(RegistrationResponse::from_json(&body).is_err());
}

#[test]
fn every_jwks_is_a_public_key_set() {
    const PRIVATE_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "k"];
    let mut sets = 0;
    for path in walk(&fixtures_dir()) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with("jwks.json") {
            continue;
        }
        sets += 1;
        let set: Value = serde_json::from_slice(&fs::read(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let keys = set["keys"]
            .as_array()
            .unwrap_or_else(|| panic!("{}: no keys", path.display()));
        assert!(!keys.is_empty(), "{}", path.display());
        for key in keys {
            let key = key.as_object().unwrap();
            assert!(key["kty"].is_string(), "{}", path.display());
            for member in PRIVATE_MEMBERS {
                assert!(
                    !key.contains_key(member),
                    "{}: private member {member}",
                    path.display()
                );
            }
        }
    }
    // 19 providers + 8 recorded + discovery_jwks.json + 2 oidcc sets.
    assert_eq!(sets, 30);
}
