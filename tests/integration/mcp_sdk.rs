//! The library against the official MCP TypeScript SDK (`@modelcontextprotocol/sdk`): its
//! `mcpAuthRouter` (RFC 8414 metadata, RFC 9728 metadata, RFC 7591 registration) over the
//! SDK's own demo provider and in-memory clients store, and its `requireBearerAuth` guarding
//! `/mcp`, run by Node.js on 127.0.0.1 (`tests/mcp-sdk/`, pinned by its `package-lock.json`,
//! installed with `npm ci` on first use). Every validation and answer is the SDK's.
//!
//! The SDK's registration has no RFC 7592 client configuration endpoint, so there is no read
//! back: the tests check that the answer says so (no `registration_client_uri`).

use std::fmt;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use oidc_discovery::{
    load_configuration, probe_resource, DiscoveryError, ResourceMetadataSource, WellKnown,
};
use oidc_registration::{
    choose_client_strategy, obtain_client, register, ClientCandidates, ClientStrategy,
    ObtainedClient, RegisterOptions, Validation,
};
use oidc_types::{ClientAuthMethod, ClientMetadata, OAuthErrorCode, RegisteredClient};
use tokio::io::BufReader;
use tokio::process::{Child, ChildStdin, Command};

use crate::node_provider::{captured, collect, read_ready_line};
use crate::util::{discovery_options, register_options};

const READY_TIMEOUT: Duration = Duration::from_secs(60);
const EXIT_TIMEOUT: Duration = Duration::from_secs(5);

/// A running SDK server. Dropping it kills the process.
struct McpSdkServer {
    base: String,
    child: Child,
    /// Held so the server's stdin stays open: it exits at end of file.
    _stdin: ChildStdin,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl fmt::Debug for McpSdkServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("McpSdkServer")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl McpSdkServer {
    async fn start() -> McpSdkServer {
        let install = oidc_integration_tests::mcp_sdk_install();
        let mut child = Command::new(&install.node)
            .arg("server.js")
            .current_dir(&install.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("failed to start {} server.js: {e}", install.node.display())
            });
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = Arc::new(Mutex::new(Vec::new()));
        tokio::spawn(collect(
            child.stderr.take().expect("stderr is piped"),
            Arc::clone(&stderr),
        ));
        let mut stdout = BufReader::new(stdout);
        match tokio::time::timeout(READY_TIMEOUT, read_ready_line(&mut stdout)).await {
            Ok(Ok(base)) => {
                tokio::spawn(collect(stdout, Arc::new(Mutex::new(Vec::new()))));
                McpSdkServer {
                    base,
                    child,
                    _stdin: stdin,
                    stderr,
                }
            }
            failure => {
                let _ = child.start_kill();
                let _ = tokio::time::timeout(EXIT_TIMEOUT, child.wait()).await;
                panic!(
                    "the MCP SDK server did not start: {failure:?}\n--- stderr ---\n{}",
                    captured(&stderr)
                );
            }
        }
    }

    /// The protected MCP endpoint.
    fn resource(&self) -> String {
        format!("{}/mcp", self.base)
    }

    /// The SDK's issuer: the base URL as `URL.href` spells it, with a trailing `/`.
    fn issuer(&self) -> String {
        format!("{}/", self.base)
    }
}

impl Drop for McpSdkServer {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        let deadline = Instant::now() + EXIT_TIMEOUT;
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        if std::thread::panicking() {
            eprintln!(
                "--- MCP SDK server {} stderr ---\n{}",
                self.base,
                captured(&self.stderr)
            );
        }
    }
}

fn mcp_client() -> ClientMetadata {
    let mut metadata = ClientMetadata::native_public(["http://127.0.0.1:33418/callback"]);
    metadata.client_name.set_value("oidc-rs MCP interop");
    metadata
}

#[tokio::test]
async fn probe_discover_register_against_the_sdk() {
    let server = McpSdkServer::start().await;
    let options = discovery_options();

    let resource = probe_resource(&server.resource(), &options).await.unwrap();
    assert_eq!(resource.found_by, ResourceMetadataSource::Challenge);
    assert_eq!(resource.metadata.resource, server.resource());
    assert_eq!(resource.metadata.authorization_servers(), [server.issuer()]);
    assert_eq!(
        resource.metadata.scopes_supported.as_deref(),
        Some(&["mcp:tools".to_owned()][..])
    );
    assert!(resource.metadata.accepts_bearer_header());

    let issuer = &resource.metadata.authorization_servers()[0];
    let configuration = load_configuration(issuer, &options.with_well_known(WellKnown::McpOrder))
        .await
        .unwrap();
    let metadata = configuration.metadata;
    assert_eq!(&metadata.issuer, issuer);
    assert_eq!(
        metadata.registration_endpoint.as_deref(),
        Some(format!("{}/register", server.base).as_str())
    );
    assert!(!metadata.client_id_metadata_document_supported());

    // The SDK does not advertise metadata documents: a document URL is passed over for
    // dynamic registration.
    let candidates = ClientCandidates::default()
        .with_metadata_document("https://app.example/client.json")
        .with_metadata(mcp_client());
    assert!(matches!(
        choose_client_strategy(&metadata, &candidates),
        ClientStrategy::DynamicRegistration { .. }
    ));
    let client = obtain_client(&metadata, &candidates, &register_options())
        .await
        .unwrap();
    let ObtainedClient::Registered(response) = client else {
        panic!("expected a registration, got {client:?}");
    };
    assert!(!response.client_id.is_empty());
    assert!(
        response.client_secret.is_none(),
        "a public client gets no secret"
    );
    assert!(response.problems.is_empty(), "{:?}", response.problems);
    let registered = &response.metadata;
    assert_eq!(
        registered.redirect_uris(),
        ["http://127.0.0.1:33418/callback"]
    );
    assert_eq!(
        registered.effective_token_endpoint_auth_method(),
        ClientAuthMethod::None
    );
    // No RFC 7592 management here: nothing to read back.
    assert!(response.registration_client_uri.is_none());
    let kept = RegisteredClient::from_registration(issuer, &mcp_client(), *response);
    assert!(kept.registration_client_uri.is_none());
}

#[tokio::test]
async fn a_confidential_registration_gets_a_secret_that_never_shows() {
    let server = McpSdkServer::start().await;
    let options = discovery_options().with_well_known(WellKnown::McpOrder);
    let metadata = load_configuration(&server.issuer(), &options)
        .await
        .unwrap()
        .metadata;
    let mut client = mcp_client();
    client.token_endpoint_auth_method = Some(ClientAuthMethod::ClientSecretPost);
    let response = register(&metadata, &client, &register_options())
        .await
        .unwrap();
    let secret = response
        .client_secret
        .as_ref()
        .expect("the SDK issues a secret");
    assert!(!format!("{response:?}").contains(secret.expose()));
}

#[tokio::test]
async fn the_sdks_refusals_are_typed() {
    let server = McpSdkServer::start().await;
    let options = discovery_options().with_well_known(WellKnown::McpOrder);
    let metadata = load_configuration(&server.issuer(), &options)
        .await
        .unwrap()
        .metadata;

    // Metadata the SDK's schema refuses, sent without the library's own checks.
    let unchecked = RegisterOptions::default()
        .with_http_client(crate::util::http_client())
        .with_validation(Validation::Off);
    let error = register(&metadata, &ClientMetadata::new(["not a url"]), &unchecked)
        .await
        .unwrap_err();
    let oauth = error.oauth_error().unwrap_or_else(|| panic!("{error}"));
    assert_eq!(oauth.code, OAuthErrorCode::InvalidClientMetadata, "{error}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));

    // The SDK serves no OpenID Connect discovery: the library's default fails, the MCP order
    // finds RFC 8414.
    let error = load_configuration(&server.issuer(), &discovery_options())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, DiscoveryError::UnexpectedStatus { status, .. } if status.as_u16() == 404),
        "{error}"
    );

    // A URL beside the resource draws the same challenge, whose document names `/mcp`: not
    // the resource asked for.
    let error = probe_resource(&format!("{}/", server.resource()), &discovery_options())
        .await
        .unwrap_err();
    assert!(
        matches!(error, DiscoveryError::ResourceMismatch { .. }),
        "{error}"
    );
}
