//! The library against panva's oidc-provider (an OpenID Certified provider, pinned in
//! `tests/oidc-provider/package-lock.json`), started per test on 127.0.0.1.

use oidc_discovery::{load_configuration, load_provider_jwks};
use oidc_registration::{
    delete_client, read_client, register, update_client, RegisterOptions, RegistrationErrorKind,
    Validation,
};
use oidc_types::{
    sign_software_statement, verify_software_statement, ApplicationType, ClientAuthMethod,
    ClientMetadata, GrantType, JwsAlgorithm, OAuthErrorCode, ProviderMetadata, RegisteredClient,
    ResponseType, Secret, SigningKey, SoftwareStatementClaims,
};
use serde_json::json;

use crate::node_provider::NodeProvider;
use crate::util::{discovery_options, management_options, named, register_options, with_metrics};

async fn discover(node: &NodeProvider) -> ProviderMetadata {
    load_configuration(node.issuer(), &discovery_options())
        .await
        .unwrap()
        .metadata
}

fn unchecked() -> RegisterOptions {
    register_options().with_validation(Validation::Off)
}

fn web_client() -> ClientMetadata {
    ClientMetadata::new(["https://rp.example/callback"])
}

/// A public RSA key (Google's, from the fixtures) for `private_key_jwt` clients.
fn public_jwks() -> oidc_types::JwkSet {
    let keys: serde_json::Value =
        serde_json::from_str(include_str!("../../fixtures/oidcc/google-jwks.json")).unwrap();
    serde_json::from_value(json!({"keys": [keys["keys"][0]]})).unwrap()
}

#[tokio::test]
async fn discovery_and_keys() {
    let node = NodeProvider::start().await;
    let provider = discover(&node).await;
    assert_eq!(provider.issuer, node.issuer());
    assert!(provider.registration_endpoint.is_some());
    let jwks = load_provider_jwks(&provider, &discovery_options())
        .await
        .unwrap();
    assert_eq!(jwks.keys.len(), 1, "{:?}", jwks.skipped);
}

#[tokio::test]
async fn open_registration_of_a_web_client() {
    let node = NodeProvider::start().await;
    let provider = discover(&node).await;
    let mut metadata = ClientMetadata::new(["https://rp.example/cb", "https://rp.example/other"]);
    metadata.contacts = Some(vec!["ops@rp.example".to_owned()]);

    let response = register(&provider, &metadata, &register_options())
        .await
        .unwrap();
    assert!(!response.client_id.is_empty());
    assert!(response.client_secret.is_some());
    assert_eq!(response.client_secret_expires_at, Some(0));
    assert!(response.registration_access_token.is_some());
    assert!(response
        .registration_client_uri
        .as_deref()
        .unwrap()
        .starts_with(node.issuer()));
    assert_eq!(response.metadata.redirect_uris, metadata.redirect_uris);
    assert_eq!(
        response.metadata.application_type,
        Some(ApplicationType::Web)
    );
    assert_eq!(
        response.metadata.grant_types,
        Some(vec![GrantType::AuthorizationCode])
    );
    assert!(response.problems.is_empty(), "{:?}", response.problems);
}

#[tokio::test]
async fn registration_with_an_initial_access_token() {
    let node = NodeProvider::start_with_initial_access_token("iat-secret").await;
    let provider = discover(&node).await;

    for options in [
        register_options(),
        register_options().with_initial_access_token("wrong"),
    ] {
        let error = register(&provider, &web_client(), &options)
            .await
            .unwrap_err();
        let RegistrationErrorKind::TokenRejected {
            status,
            error: Some(oauth),
            ..
        } = error.kind()
        else {
            panic!("{error:?}")
        };
        assert_eq!(status.as_u16(), 401);
        assert_eq!(oauth.code, OAuthErrorCode::InvalidToken);
    }
    let response = register(
        &provider,
        &web_client(),
        &register_options().with_initial_access_token(Secret::new("iat-secret")),
    )
    .await
    .unwrap();
    assert!(response.client_secret.is_some());
}

#[tokio::test]
async fn read_update_with_rotated_token_delete_and_read_after_delete() {
    let node = NodeProvider::start().await;
    let provider = discover(&node).await;
    let mut metadata = web_client();
    metadata
        .extra_fields
        .insert("tenant_hint".to_owned(), json!("blue"));
    let response = register(&provider, &metadata, &register_options())
        .await
        .unwrap();
    let mut client = RegisteredClient::from_registration(&provider.issuer, &metadata, response);
    let secret = client.client_secret.clone();

    let changes = read_client(&mut client, &management_options())
        .await
        .unwrap();
    assert!(!changes.credentials_changed());
    assert_eq!(client.metadata().extra_fields["tenant_hint"], "blue");

    // node oidc-provider rotates the registration access token on every update.
    let old_token = client.registration_access_token.clone().unwrap();
    let mut renamed = client.metadata().clone();
    renamed.client_name.set_value("Renamed");
    renamed.extra_fields.remove("tenant_hint");
    let changes = update_client(&mut client, |m| *m = renamed.clone(), &management_options())
        .await
        .unwrap();
    assert!(changes.changes.registration_access_token_rotated);
    assert!(!changes.changes.client_secret_rotated);
    assert_eq!(client.client_secret, secret);
    assert_ne!(client.registration_access_token.as_ref(), Some(&old_token));
    assert_eq!(client.metadata().client_name.value(), Some("Renamed"));
    // A full replacement: what was left out is gone.
    assert!(!client.metadata().extra_fields.contains_key("tenant_hint"));

    let mut stale = client.clone();
    stale.registration_access_token = Some(old_token);
    let error = read_client(&mut stale, &management_options())
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), RegistrationErrorKind::TokenRejected { .. }),
        "{error:?}"
    );
    assert!(!read_client(&mut client, &management_options())
        .await
        .unwrap()
        .credentials_changed());

    delete_client(&client, &management_options()).await.unwrap();
    let error = read_client(&mut client, &management_options())
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), RegistrationErrorKind::TokenRejected { status, .. } if status.as_u16() == 401),
        "{error:?}"
    );
}

#[tokio::test]
async fn native_clients_with_loopback_and_custom_scheme_redirects() {
    let node = NodeProvider::start().await;
    let provider = discover(&node).await;
    let mut metadata = ClientMetadata::new([
        "http://127.0.0.1:53682/cb",
        "http://[::1]:53682/cb",
        "com.example.app:/cb",
    ]);
    metadata.application_type = Some(ApplicationType::Native);
    metadata.token_endpoint_auth_method = Some(ClientAuthMethod::None);

    let response = register(&provider, &metadata, &register_options())
        .await
        .unwrap();
    assert_eq!(response.client_secret, None);
    assert_eq!(
        response.metadata.application_type,
        Some(ApplicationType::Native)
    );
    assert_eq!(
        response.metadata.token_endpoint_auth_method,
        Some(ClientAuthMethod::None)
    );
    assert_eq!(response.metadata.redirect_uris, metadata.redirect_uris);
}

#[tokio::test]
async fn private_key_jwt_with_inline_keys_gets_no_secret() {
    let node = NodeProvider::start().await;
    let provider = discover(&node).await;
    let mut metadata = web_client();
    metadata.token_endpoint_auth_method = Some(ClientAuthMethod::PrivateKeyJwt);
    metadata.jwks = Some(public_jwks());

    let response = register(&provider, &metadata, &register_options())
        .await
        .unwrap();
    assert_eq!(response.client_secret, None);
    assert_eq!(
        response.metadata.token_endpoint_auth_method,
        Some(ClientAuthMethod::PrivateKeyJwt)
    );
    let keys = &response.metadata.jwks.as_ref().unwrap().keys;
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].kid(), public_jwks().keys[0].kid());
}

#[tokio::test]
async fn tagged_names_and_declared_extra_metadata_round_trip() {
    let node = NodeProvider::start().await;
    let provider = discover(&node).await;
    let mut metadata = web_client();
    metadata.client_name.set_value("Interop");
    metadata.client_name.set_tagged("ja-Jpan-JP", "相互運用");
    metadata
        .extra_fields
        .insert("tenant_hint".to_owned(), json!("green"));
    metadata.software_id = Some("4NRB1-0XZABZI9E6-5SM3R".to_owned());

    let response = register(&provider, &metadata, &register_options())
        .await
        .unwrap();
    assert_eq!(
        response.metadata.client_name.get("ja-Jpan-JP"),
        Some("相互運用")
    );
    assert_eq!(response.metadata.client_name.value(), Some("Interop"));
    assert_eq!(response.metadata.extra_fields["tenant_hint"], "green");
    assert_eq!(response.metadata.software_id, metadata.software_id);
}

#[tokio::test]
async fn a_signed_software_statement_is_echoed_unchanged() {
    let node = NodeProvider::start().await;
    let provider = discover(&node).await;
    let key = SigningKey::ecdsa_from_pkcs8_der(
        include_bytes!("../../crates/oidc-types/tests/keys/ec-p256.pk8"),
        JwsAlgorithm::Es256,
        Some("ec-p256".to_owned()),
    )
    .unwrap();
    let claims = SoftwareStatementClaims::new("https://publisher.example")
        .with_software_id("interop-suite")
        .with_claim("client_name", "From the statement");
    let statement = sign_software_statement(&claims, &key).unwrap();
    let mut metadata = web_client();
    metadata.software_statement = Some(statement.clone());

    let response = register(&provider, &metadata, &register_options())
        .await
        .unwrap();
    let echoed = response.metadata.software_statement.as_deref().unwrap();
    assert_eq!(echoed, statement);

    let public: oidc_types::Jwk = serde_json::from_str(include_str!(
        "../../crates/oidc-types/tests/keys/ec-p256.public.jwk.json"
    ))
    .unwrap();
    let verified = verify_software_statement(echoed, &[public]).unwrap();
    assert_eq!(verified.claims.iss, "https://publisher.example");
    assert_eq!(
        verified.claims.software_id.as_deref(),
        Some("interop-suite")
    );
    assert_eq!(verified.claims.other["client_name"], "From the statement");
}

#[tokio::test]
async fn provider_refusals_are_typed() {
    let node = NodeProvider::start().await;
    let provider = discover(&node).await;

    let missing_redirects = ClientMetadata::default();
    let fragment = ClientMetadata::new(["https://rp.example/cb#fragment"]);
    let mut implicit_http = ClientMetadata::new(["http://rp.example/cb"]);
    implicit_http.response_types = Some(vec![ResponseType::id_token()]);
    implicit_http.grant_types = Some(vec![GrantType::Implicit]);
    let mut unsupported_method = web_client();
    unsupported_method.token_endpoint_auth_method = Some(ClientAuthMethod::TlsClientAuth);
    unsupported_method.tls_client_auth_subject_dn = Some("CN=rp".to_owned());
    let mut keyless = web_client();
    keyless.token_endpoint_auth_method = Some(ClientAuthMethod::PrivateKeyJwt);

    for (name, metadata, expected) in [
        (
            "missing redirect_uris",
            missing_redirects,
            OAuthErrorCode::InvalidRedirectUri,
        ),
        ("fragment", fragment, OAuthErrorCode::InvalidRedirectUri),
        (
            "http with implicit",
            implicit_http,
            OAuthErrorCode::InvalidRedirectUri,
        ),
        (
            "unsupported auth method",
            unsupported_method,
            OAuthErrorCode::InvalidClientMetadata,
        ),
        (
            "private_key_jwt without keys",
            keyless,
            OAuthErrorCode::InvalidClientMetadata,
        ),
    ] {
        // Our own validation would stop most of these first; let the provider judge them.
        let error = register(&provider, &metadata, &unchecked())
            .await
            .unwrap_err();
        let RegistrationErrorKind::Provider {
            error: oauth,
            status,
            ..
        } = error.kind()
        else {
            panic!("{name}: {error:?}")
        };
        assert_eq!(oauth.code, expected, "{name}: {oauth}");
        assert_eq!(status.as_u16(), 400, "{name}");
        assert!(oauth.description.is_some(), "{name}");
    }
}

#[tokio::test]
async fn a_bad_registration_access_token_is_rejected() {
    let node = NodeProvider::start().await;
    let provider = discover(&node).await;
    let metadata = web_client();
    let response = register(&provider, &metadata, &register_options())
        .await
        .unwrap();
    let mut client = RegisteredClient::from_registration(&provider.issuer, &metadata, response);
    client.registration_access_token = Some(Secret::new("not-the-token"));

    let error = read_client(&mut client, &management_options())
        .await
        .unwrap_err();
    let RegistrationErrorKind::TokenRejected {
        error: Some(oauth), ..
    } = error.kind()
    else {
        panic!("{error:?}")
    };
    assert_eq!(oauth.code, OAuthErrorCode::InvalidToken);
    let error = delete_client(&client, &management_options())
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), RegistrationErrorKind::TokenRejected { .. }),
        "{error:?}"
    );
}

#[test]
fn telemetry_of_every_operation() {
    let (issuer, metrics) = with_metrics(|| async {
        let node = NodeProvider::start().await;
        let provider = discover(&node).await;
        load_provider_jwks(&provider, &discovery_options())
            .await
            .unwrap();
        let metadata = web_client();
        let response = register(&provider, &metadata, &register_options())
            .await
            .unwrap();
        let mut client = RegisteredClient::from_registration(&provider.issuer, &metadata, response);
        let _ = read_client(&mut client, &management_options())
            .await
            .unwrap();
        let _ = update_client(
            &mut client,
            |m| *m = metadata.clone(),
            &management_options(),
        )
        .await
        .unwrap();
        delete_client(&client, &management_options()).await.unwrap();
        read_client(&mut client, &management_options())
            .await
            .unwrap_err();
        node.issuer().to_owned()
    });
    for (operation, ok, errors) in [
        ("load_configuration", 1, 0),
        ("load_jwks", 1, 0),
        ("register_client", 1, 0),
        ("read_client", 1, 1),
        ("update_client", 1, 0),
        ("delete_client", 1, 0),
    ] {
        let start = named(&metrics, &format!("oidc_{operation}_start_total"));
        assert_eq!(start.len(), 1, "{operation}");
        assert_eq!(
            start[0].label("issuer"),
            Some(issuer.as_str()),
            "{operation}"
        );
        assert_eq!(start[0].counter(), ok + errors, "{operation}");
        let stops = named(&metrics, &format!("oidc_{operation}_stop_total"));
        let count = |outcome: &str| {
            stops
                .iter()
                .filter(|m| m.label("outcome") == Some(outcome))
                .map(|m| m.counter())
                .sum::<u64>()
        };
        assert_eq!(count("ok"), ok, "{operation}");
        assert_eq!(count("error"), errors, "{operation}");
        if errors > 0 {
            assert!(
                stops
                    .iter()
                    .any(|m| m.label("error") == Some("token_rejected")),
                "{operation}"
            );
        }
    }
}

/// The lossless promise against a real provider: keys the typed model never interprets (an
/// Ed25519 key with `x5t#S256`, an RSA key with a vendor member), declared extra metadata and
/// the auth method survive a rename and a read exactly as registered.
#[tokio::test]
async fn a_rename_keeps_exotic_keys_extra_metadata_and_the_auth_method() {
    let node = NodeProvider::start().await;
    let provider = discover(&node).await;
    let mut rsa = public_jwks().keys[0].as_object().clone();
    rsa.insert("x_vendor_note".into(), json!("rotated quarterly"));
    let jwks = json!({"keys": [
        {
            "kty": "OKP",
            "crv": "Ed25519",
            "kid": "ed-1",
            "use": "sig",
            "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
            "x5t#S256": "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        },
        rsa
    ]});
    let mut metadata = web_client();
    metadata.token_endpoint_auth_method = Some(ClientAuthMethod::PrivateKeyJwt);
    metadata.jwks = Some(serde_json::from_value(jwks.clone()).unwrap());
    metadata
        .extra_fields
        .insert("tenant_hint".to_owned(), json!("violet"));
    let response = register(&provider, &metadata, &register_options())
        .await
        .unwrap();
    assert!(response.problems.is_empty(), "{:?}", response.problems);
    let mut client = RegisteredClient::from_registration(&provider.issuer, &metadata, response);
    let registered = client.metadata_object().clone();
    assert_eq!(
        registered["jwks"], jwks,
        "oidc-provider stored the keys as sent"
    );

    let applied = update_client(
        &mut client,
        |m| m.client_name.set_value("Renamed"),
        &management_options(),
    )
    .await
    .unwrap();
    assert!(applied.changes.registration_access_token_rotated);
    let _ = read_client(&mut client, &management_options())
        .await
        .unwrap();
    let read = client.metadata_object();
    assert_eq!(read["client_name"], "Renamed");
    for member in [
        "jwks",
        "tenant_hint",
        "token_endpoint_auth_method",
        "redirect_uris",
    ] {
        assert_eq!(read.get(member), registered.get(member), "{member}");
    }
    assert_eq!(read["jwks"], jwks);
    assert_eq!(read["token_endpoint_auth_method"], "private_key_jwt");
    delete_client(&client, &management_options()).await.unwrap();
}
