//! From a protected resource to a client, against the in-process provider acting as an MCP
//! server: RFC 9728 probe and metadata, the MCP order of authorization server metadata
//! locations, Client ID Metadata Documents, and the choice of how to get a client.

use oidc_discovery::{
    load_client_id_metadata_document, load_configuration, load_resource_metadata,
    load_resource_metadata_from, probe_resource, DiscoveryError, ResourceMetadataSource, WellKnown,
    MAX_CLIENT_ID_METADATA_DOCUMENT,
};
use oidc_http::{HttpErrorKind, PlainHttp};
use oidc_registration::{obtain_client, ClientCandidates, ObtainedClient};
use oidc_test_provider::{Behaviour, Endpoint, TestProvider};
use oidc_types::{ClientIdMetadataDocument, ClientIdMetadataDocumentError, ClientMetadata};
use serde_json::json;

use crate::util::{discovery_options, named, register_options, with_metrics, Reroute};

fn mcp_client() -> ClientMetadata {
    let mut metadata = ClientMetadata::native_public(["http://127.0.0.1:33418/callback"]);
    metadata.client_name.set_value("MCP test client");
    metadata
}

#[tokio::test]
async fn probe_follows_the_challenge_then_discovers_and_registers() {
    let provider = TestProvider::builder()
        .issuer_path("/tenant-a")
        .protected_resource("/mcp")
        .start()
        .await;
    let resource = provider.resource().unwrap();
    let options = discovery_options();

    let loaded = probe_resource(&resource, &options).await.unwrap();
    assert_eq!(loaded.found_by, ResourceMetadataSource::Challenge);
    assert_eq!(loaded.metadata.resource, resource);
    assert_eq!(loaded.metadata.authorization_servers(), [provider.issuer()]);
    assert_eq!(
        loaded.url,
        provider.url("/.well-known/oauth-protected-resource/mcp")
    );
    assert_eq!(provider.request_count(Endpoint::ProtectedResource), 1);
    let probe = &provider.requests()[0];
    assert!(probe.headers.get("authorization").is_none());

    // The MCP order: RFC 8414 with the path inserted answers first.
    let issuer = &loaded.metadata.authorization_servers()[0];
    let server = load_configuration(issuer, &options.with_well_known(WellKnown::McpOrder))
        .await
        .unwrap()
        .metadata;
    assert_eq!(provider.request_count(Endpoint::OAuthDiscovery), 1);
    assert_eq!(provider.request_count(Endpoint::Discovery), 0);

    let candidates = ClientCandidates::default().with_metadata(mcp_client());
    let client = obtain_client(&server, &candidates, &register_options())
        .await
        .unwrap();
    let ObtainedClient::Registered(response) = &client else {
        panic!("expected a registration, got {client:?}");
    };
    let stored = provider.client(&response.client_id).unwrap();
    assert_eq!(stored["token_endpoint_auth_method"], "none");
    assert_eq!(stored["application_type"], "native");
    assert!(response.client_secret.is_none());
}

#[tokio::test]
async fn without_a_challenge_parameter_the_well_known_location_is_used() {
    let provider = TestProvider::builder()
        .protected_resource("/mcp")
        .start()
        .await;
    provider.set_behaviour(
        Endpoint::ProtectedResource,
        Behaviour::new().header("WWW-Authenticate", "Bearer realm=\"mcp\""),
    );
    let resource = provider.resource().unwrap();
    let loaded = probe_resource(&resource, &discovery_options())
        .await
        .unwrap();
    assert_eq!(loaded.found_by, ResourceMetadataSource::WellKnown);
    assert_eq!(provider.request_count(Endpoint::ResourceMetadata), 1);
}

#[tokio::test]
async fn a_challenge_with_several_schemes_and_quoting_is_read() {
    let provider = TestProvider::builder()
        .protected_resource("/mcp")
        .start()
        .await;
    let metadata_url = provider.url("/.well-known/oauth-protected-resource/mcp");
    provider.set_behaviour(
        Endpoint::ProtectedResource,
        Behaviour::new().header(
            "WWW-Authenticate",
            format!(
                "Basic realm=\"a, \\\"b\\\"\", Bearer scope=\"mcp:tools\", resource_metadata=\"{metadata_url}\""
            ),
        ),
    );
    let loaded = probe_resource(&provider.resource().unwrap(), &discovery_options())
        .await
        .unwrap();
    assert_eq!(loaded.found_by, ResourceMetadataSource::Challenge);
    let challenge = loaded.challenge.expect("the challenge is kept");
    assert_eq!(challenge.scheme, "Bearer");
    assert_eq!(challenge.param("scope"), Some("mcp:tools"));
}

#[tokio::test]
async fn the_resource_must_be_exactly_the_resource_asked_for() {
    let provider = TestProvider::builder()
        .protected_resource("/mcp")
        .start()
        .await;
    let resource = provider.resource().unwrap();
    for other in [
        format!("{resource}/"),
        "https://evil.example/mcp".to_owned(),
        resource.replace("/mcp", "/MCP"),
    ] {
        provider.set_resource_document(json!({"resource": other, "authorization_servers": []}));
        for error in [
            probe_resource(&resource, &discovery_options())
                .await
                .unwrap_err(),
            load_resource_metadata(&resource, &discovery_options())
                .await
                .unwrap_err(),
        ] {
            assert!(
                matches!(&error, DiscoveryError::ResourceMismatch { found, .. } if *found == other),
                "{error}"
            );
        }
    }
    // A challenge pointing at another resource's document is refused the same way.
    provider.set_resource_document(json!({"resource": resource}));
    let error = load_resource_metadata_from(
        &provider.url("/other"),
        &provider.url("/.well-known/oauth-protected-resource/mcp"),
        &discovery_options(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(error, DiscoveryError::ResourceMismatch { .. }),
        "{error}"
    );
}

#[tokio::test]
async fn unusable_resource_documents_are_errors() {
    let provider = TestProvider::builder()
        .protected_resource("/mcp")
        .start()
        .await;
    let resource = provider.resource().unwrap();
    provider.set_resource_document(json!({"resource": resource, "authorization_servers": "x"}));
    let error = load_resource_metadata(&resource, &discovery_options())
        .await
        .unwrap_err();
    assert!(
        matches!(error, DiscoveryError::InvalidResourceMetadata { .. }),
        "{error}"
    );
    provider
        .set_resource_document(json!({"resource": resource, "jwks_uri": "http://rs.example/jwks"}));
    let error = load_resource_metadata(&resource, &discovery_options())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, DiscoveryError::InsecureEndpoint { member, .. } if member == "jwks_uri"),
        "{error}"
    );
    provider.set_behaviour(
        Endpoint::ResourceMetadata,
        Behaviour::new().body(format!(r#"{{"resource":"{resource}","resource":"x"}}"#)),
    );
    let error = load_resource_metadata(&resource, &discovery_options())
        .await
        .unwrap_err();
    assert!(
        matches!(error, DiscoveryError::DuplicateMember { .. }),
        "{error}"
    );
    provider.set_behaviour(
        Endpoint::ResourceMetadata,
        Behaviour::new().oversized_body(2 << 20),
    );
    let error = load_resource_metadata(&resource, &discovery_options())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, DiscoveryError::Http { source, .. } if source.kind() == HttpErrorKind::BodyTooLarge),
        "{error}"
    );
}

#[tokio::test]
async fn a_plain_http_resource_off_this_machine_is_refused_before_sending() {
    let provider = TestProvider::builder()
        .protected_resource("/mcp")
        .start()
        .await;
    let reroute = Reroute::to(&provider);
    let options = discovery_options().with_http_client(reroute.clone());
    let error = probe_resource("http://mcp.example/mcp", &options)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, DiscoveryError::Http { source, .. } if source.kind() == HttpErrorKind::InsecureUrl),
        "{error}"
    );
    assert!(reroute.asked().is_empty());
    // Allowed by the https policy, the same document loads.
    provider.set_resource_document(json!({"resource": "http://mcp.example/mcp"}));
    let loaded = load_resource_metadata(
        "http://mcp.example/mcp",
        &options.with_plain_http(PlainHttp::Anywhere),
    )
    .await
    .unwrap();
    assert_eq!(
        reroute.asked(),
        ["http://mcp.example/.well-known/oauth-protected-resource/mcp"]
    );
    assert_eq!(loaded.metadata.resource, "http://mcp.example/mcp");
}

#[test]
fn resource_metadata_telemetry_is_labelled_with_the_origin_only() {
    let (result, metrics) = with_metrics(|| async {
        let provider = TestProvider::builder()
            .protected_resource("/secret-tenant/mcp")
            .start()
            .await;
        probe_resource(&provider.resource().unwrap(), &discovery_options())
            .await
            .map(|_| provider.base_url())
    });
    let base = result.unwrap();
    let stops = named(&metrics, "oidc_load_resource_metadata_stop_total");
    assert_eq!(stops.len(), 1, "{metrics:?}");
    assert_eq!(stops[0].label("issuer"), Some(base.as_str()));
    assert_eq!(stops[0].label("outcome"), Some("ok"));
    assert!(metrics.iter().all(|metric| metric
        .labels
        .iter()
        .all(|(_, value)| !value.contains("secret-tenant"))));
}

#[tokio::test]
async fn the_mcp_order_moves_on_only_when_a_document_is_not_there() {
    let provider = TestProvider::builder().issuer_path("/t1").start().await;
    let options = discovery_options().with_well_known(WellKnown::McpOrder);
    let issuer = provider.issuer();

    // OAuth absent: OpenID Connect with the path inserted.
    provider.set_behaviour(Endpoint::OAuthDiscovery, Behaviour::new().status(404));
    load_configuration(&issuer, &options).await.unwrap();
    assert_eq!(provider.request_count(Endpoint::DiscoveryPathInserted), 1);
    assert_eq!(provider.request_count(Endpoint::Discovery), 0);

    // Both absent (one says 410): OpenID Connect with the path appended.
    provider.set_behaviour(
        Endpoint::DiscoveryPathInserted,
        Behaviour::new().status(410),
    );
    load_configuration(&issuer, &options).await.unwrap();
    assert_eq!(provider.request_count(Endpoint::Discovery), 1);
    let paths: Vec<_> = provider
        .requests()
        .iter()
        .skip(2)
        .map(|request| request.path_and_query.clone())
        .collect();
    assert_eq!(
        paths,
        [
            "/.well-known/oauth-authorization-server/t1",
            "/.well-known/openid-configuration/t1",
            "/t1/.well-known/openid-configuration",
        ]
    );

    // All absent: the last "not there" is the answer.
    provider.set_behaviour(Endpoint::Discovery, Behaviour::new().status(404));
    let error = load_configuration(&issuer, &options).await.unwrap_err();
    assert!(
        matches!(&error, DiscoveryError::UnexpectedStatus { url, status, .. }
            if status.as_u16() == 404 && url.ends_with("/t1/.well-known/openid-configuration")),
        "{error}"
    );
}

#[tokio::test]
async fn the_mcp_order_stops_at_an_unreadable_document_or_a_server_error() {
    let provider = TestProvider::builder().issuer_path("/t1").start().await;
    let options = discovery_options().with_well_known(WellKnown::McpOrder);
    for behaviour in [
        Behaviour::new().status(500),
        Behaviour::new().body("not json"),
        Behaviour::new().content_type("text/html"),
        Behaviour::new().json(json!({"issuer": "https://evil.example"})),
    ] {
        provider.set_behaviour(Endpoint::OAuthDiscovery, behaviour);
        let before = provider.requests().len();
        load_configuration(&provider.issuer(), &options)
            .await
            .unwrap_err();
        assert_eq!(
            provider.requests().len(),
            before + 1,
            "no second location asked"
        );
    }
}

#[tokio::test]
async fn the_mcp_order_without_a_path_is_oauth_then_openid() {
    let provider = TestProvider::start().await;
    let options = discovery_options().with_well_known(WellKnown::McpOrder);
    provider.set_behaviour(Endpoint::OAuthDiscovery, Behaviour::new().status(404));
    load_configuration(&provider.issuer(), &options)
        .await
        .unwrap();
    let paths: Vec<_> = provider
        .requests()
        .iter()
        .map(|request| request.path_and_query.clone())
        .collect();
    assert_eq!(
        paths,
        [
            "/.well-known/oauth-authorization-server",
            "/.well-known/openid-configuration",
        ]
    );
}

/// The provider hosts a client's document; the library fetches and checks it as an
/// authorization server would, rule by rule.
#[tokio::test]
async fn client_id_metadata_documents_are_fetched_and_checked() {
    let provider = TestProvider::builder()
        .client_id_metadata_documents(true)
        .start()
        .await;
    let url = provider.url("/hosted/client.json");
    let document = ClientIdMetadataDocument::new_allowing_http(&url, mcp_client()).unwrap();
    let body: serde_json::Value = serde_json::from_slice(&document.to_json_vec()).unwrap();
    provider.host_document("client.json", body.clone());
    let options = discovery_options();

    let fetched = load_client_id_metadata_document(&url, &options)
        .await
        .unwrap();
    assert_eq!(fetched, document);

    let rule = |error: DiscoveryError| match error {
        DiscoveryError::InvalidClientIdMetadataDocument { source, .. } => source,
        other => panic!("expected a broken rule, got {other}"),
    };
    // client_id must be the URL, by simple string comparison.
    let mut wrong = body.clone();
    wrong["client_id"] = json!(url.replace("127.0.0.1", "localhost"));
    provider.host_document("client.json", wrong);
    assert!(matches!(
        rule(
            load_client_id_metadata_document(&url, &options)
                .await
                .unwrap_err()
        ),
        ClientIdMetadataDocumentError::ClientIdMismatch { .. }
    ));
    // No secrets, no secret-based authentication.
    let mut secret = body.clone();
    secret["client_secret"] = json!("s3cr3t");
    provider.host_document("client.json", secret);
    let error = load_client_id_metadata_document(&url, &options)
        .await
        .unwrap_err();
    assert!(!error.to_string().contains("s3cr3t"), "{error}");
    assert!(matches!(
        rule(error),
        ClientIdMetadataDocumentError::SecretMember {
            member: "client_secret"
        }
    ));
    let mut basic = body.clone();
    basic["token_endpoint_auth_method"] = json!("client_secret_post");
    provider.host_document("client.json", basic);
    assert!(matches!(
        rule(
            load_client_id_metadata_document(&url, &options)
                .await
                .unwrap_err()
        ),
        ClientIdMetadataDocumentError::SharedSecretAuthMethod { .. }
    ));
    // At most 5 KiB.
    let mut large = body.clone();
    large["x_padding"] = json!("x".repeat(MAX_CLIENT_ID_METADATA_DOCUMENT));
    provider.host_document("client.json", large);
    let error = load_client_id_metadata_document(&url, &options)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, DiscoveryError::Http { source, .. } if source.kind() == HttpErrorKind::BodyTooLarge),
        "{error}"
    );
    // URL rules are checked before anything is sent.
    let before = provider.requests().len();
    for bad in [
        provider.url("/"),
        provider.url("/hosted/./client.json"),
        format!("{url}#f"),
        "http://app.example/client.json".to_owned(),
    ] {
        let error = load_client_id_metadata_document(&bad, &options)
            .await
            .unwrap_err();
        assert!(
            matches!(
                rule(error),
                ClientIdMetadataDocumentError::InvalidClientId { .. }
            ),
            "{bad}"
        );
    }
    assert_eq!(provider.requests().len(), before);
    // Served as JSON with a 200, at the URL itself: no other content type, no redirect.
    provider.host_document("client.json", body.clone());
    provider.set_behaviour(
        Endpoint::HostedDocument,
        Behaviour::new().content_type("text/html"),
    );
    let error = load_client_id_metadata_document(&url, &options)
        .await
        .unwrap_err();
    assert!(
        matches!(error, DiscoveryError::UnexpectedContentType { .. }),
        "{error}"
    );
    provider.set_behaviour(
        Endpoint::HostedDocument,
        Behaviour::new()
            .status(302)
            .header("Location", provider.url("/hosted/elsewhere.json")),
    );
    let error = load_client_id_metadata_document(&url, &options)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, DiscoveryError::UnexpectedStatus { status, .. } if status.as_u16() == 302),
        "{error}"
    );
    provider.clear_behaviour(Endpoint::HostedDocument);
    // A missing document is the server's answer.
    let error = load_client_id_metadata_document(&provider.url("/hosted/none.json"), &options)
        .await
        .unwrap_err();
    assert!(
        matches!(error, DiscoveryError::UnexpectedStatus { .. }),
        "{error}"
    );
}

#[tokio::test]
async fn a_server_that_supports_metadata_documents_gets_the_document_url() {
    let provider = TestProvider::builder()
        .client_id_metadata_documents(true)
        .protected_resource("/mcp")
        .start()
        .await;
    let options = discovery_options();
    let resource = probe_resource(&provider.resource().unwrap(), &options)
        .await
        .unwrap();
    let server = load_configuration(
        &resource.metadata.authorization_servers()[0],
        &options.with_well_known(WellKnown::McpOrder),
    )
    .await
    .unwrap()
    .metadata;
    assert!(server.client_id_metadata_document_supported());
    let url = provider.url("/hosted/client.json");
    let candidates = ClientCandidates::default()
        .with_metadata_document(&url)
        .with_metadata(mcp_client());
    let client = obtain_client(&server, &candidates, &register_options())
        .await
        .unwrap();
    assert_eq!(client.client_id(), Some(url.as_str()));
    assert_eq!(provider.request_count(Endpoint::Registration), 0);

    // Pre-registered wins over everything; nothing usable asks for a person.
    let pre = obtain_client(
        &server,
        &candidates.clone().with_pre_registered("by-hand"),
        &register_options(),
    )
    .await
    .unwrap();
    assert!(matches!(pre, ObtainedClient::PreRegistered { .. }));
    let mut closed = server.clone();
    closed.registration_endpoint = None;
    closed.client_id_metadata_document_supported = None;
    let human = obtain_client(&closed, &candidates, &register_options())
        .await
        .unwrap();
    assert!(
        matches!(human, ObtainedClient::NeedsHuman { .. }),
        "{human:?}"
    );
}

#[tokio::test]
async fn the_provider_cache_keeps_resource_metadata_until_it_expires() {
    use oidc_discovery::ProviderCache;

    let a = TestProvider::builder()
        .protected_resource("/mcp")
        .start()
        .await;
    let b = TestProvider::builder()
        .protected_resource("/mcp")
        .start()
        .await;
    let cache = ProviderCache::builder()
        .discovery_options(discovery_options())
        .max_issuers(1)
        .build();
    let (resource_a, resource_b) = (a.resource().unwrap(), b.resource().unwrap());

    let first = cache.resource_metadata(&resource_a).await.unwrap();
    let second = cache.resource_metadata(&resource_a).await.unwrap();
    assert!(std::sync::Arc::ptr_eq(&first, &second));
    assert_eq!(a.request_count(Endpoint::ResourceMetadata), 1);

    // Bounded: a second resource drops the first.
    cache.resource_metadata(&resource_b).await.unwrap();
    cache.resource_metadata(&resource_a).await.unwrap();
    assert_eq!(a.request_count(Endpoint::ResourceMetadata), 2);

    assert!(cache.invalidate_resource(&resource_a));
    assert!(!cache.invalidate_resource(&resource_a));
    // Errors are not kept: a mismatch now, a good document next time.
    a.set_resource_document(json!({"resource": "https://evil.example/"}));
    assert!(cache.resource_metadata(&resource_a).await.is_err());
    a.set_resource_document(json!({"resource": resource_a}));
    assert!(cache.resource_metadata(&resource_a).await.is_ok());
    // The providers' cache is untouched by resources.
    assert!(cache.is_empty());
}

#[test]
fn the_new_public_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<oidc_types::ProtectedResourceMetadata>();
    assert_send_sync::<oidc_types::ProtectedResourceMetadataError>();
    assert_send_sync::<ClientIdMetadataDocument>();
    assert_send_sync::<ClientIdMetadataDocumentError>();
    assert_send_sync::<oidc_discovery::ResourceConfiguration>();
    assert_send_sync::<oidc_discovery::Challenge>();
    assert_send_sync::<ClientCandidates>();
    assert_send_sync::<oidc_registration::ClientStrategy>();
    assert_send_sync::<ObtainedClient>();
}

/// Nothing secret in the new errors: a metadata document quoting a secret, a resource
/// document with user-info in its URL.
#[tokio::test]
async fn new_errors_show_no_secret_or_user_info() {
    let provider = TestProvider::builder()
        .protected_resource("/mcp")
        .start()
        .await;
    let with_user = provider
        .resource()
        .unwrap()
        .replace("http://", "http://user:hunter2@");
    let error = load_resource_metadata(&format!("{with_user}#f"), &discovery_options())
        .await
        .unwrap_err();
    assert!(!error.to_string().contains("hunter2"), "{error}");
    assert!(!format!("{error:?}").contains("hunter2"), "{error:?}");
    let error = load_client_id_metadata_document(
        "https://user:hunter2@app.example/c.json#x",
        &discovery_options(),
    )
    .await
    .unwrap_err();
    assert!(!error.to_string().contains("hunter2"), "{error}");
    assert!(!format!("{error:?}").contains("hunter2"), "{error:?}");
}
