//! Against panva's `oidc-provider`, which rotates the registration access token on every update,
//! and the official MCP TypeScript SDK's authorization server.

use serde_json::json;

use crate::node_provider::NodeProvider;
use crate::support::{cli, mode, oidc_register, read_json, run, text};

#[test]
fn the_whole_life_of_a_registration_with_oidc_provider() {
    let provider = NodeProvider::start();
    let issuer = provider.issuer();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("client.json");
    let file_arg = file.to_str().unwrap();

    let configuration = cli(&["discover", issuer]).expect(0).json();
    assert_eq!(configuration["issuer"], issuer);
    let jwks = cli(&["jwks", issuer]).expect(0).json();
    assert_eq!(jwks["keys"][0]["kid"], "interop-rs256");

    let registered = run(oidc_register()
        .args(["register", issuer, "--metadata", "-", "--save", file_arg])
        .args(["--set", "client_name#ja-Jpan-JP=テスト", "--set", "require_auth_time=true"])
        .write_stdin(
            json!({"redirect_uris": ["https://rp.example/cb"], "client_name": "CLI interop", "tenant_hint": "blue"})
                .to_string(),
        ))
    .expect(0);
    let client = registered.json();
    let secret = text(&client, "client_secret").to_owned();
    let first_token = text(&client, "registration_access_token").to_owned();
    assert_eq!(client["metadata"]["client_name#ja-Jpan-JP"], "テスト");
    assert_eq!(client["metadata"]["require_auth_time"], json!(true));
    assert_eq!(client["metadata"]["tenant_hint"], "blue");
    assert_eq!(mode(&file), 0o600);
    assert_eq!(read_json(&file), client);
    registered.stderr_hides(&[&secret, &first_token]);

    let read = cli(&["read", "--registration", file_arg]).expect(0);
    assert_eq!(read.json()["client_id"], client["client_id"]);
    read.stderr_hides(&[&secret, &first_token]);

    // The update rotates the token: the file is rewritten, and the old token is dead.
    let stale = dir.path().join("stale.json");
    std::fs::copy(&file, &stale).unwrap();
    let updated = cli(&[
        "update",
        "--registration",
        file_arg,
        "--set",
        "client_name=CLI interop, renamed",
    ])
    .expect(0);
    let after_update = updated.json();
    let second_token = text(&after_update, "registration_access_token").to_owned();
    assert_ne!(second_token, first_token);
    assert_eq!(
        after_update["metadata"]["client_name"],
        "CLI interop, renamed"
    );
    assert_eq!(read_json(&file), after_update);
    assert_eq!(mode(&file), 0o600);
    updated.stderr_hides(&[&secret, &first_token, &second_token]);

    let refused = cli(&["read", "--registration", stale.to_str().unwrap()]).expect(4);
    assert!(refused.stderr.contains("invalid_token"), "{refused:#?}");
    refused.stderr_hides(&[&secret, &first_token]);

    // The rewritten file works.
    let reread = cli(&["read", "--registration", file_arg]).expect(0);
    assert_eq!(
        reread.json()["metadata"]["client_name"],
        "CLI interop, renamed"
    );

    let deleted = cli(&["delete", "--registration", file_arg]).expect(0);
    assert_eq!(deleted.json()["deleted"], true);
    assert!(!file.exists());
    deleted.stderr_hides(&[&secret, &second_token]);
}

#[test]
fn oidc_provider_refusals_and_initial_access_tokens() {
    const TOKEN: &str = "interop-iat-5c0a9e31";
    let provider = NodeProvider::start_with_initial_access_token(TOKEN);
    let issuer = provider.issuer();
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("iat");
    std::fs::write(&token_file, TOKEN).unwrap();
    let base = [
        "register",
        issuer,
        "--redirect-uri",
        "https://rp.example/cb",
    ];

    let missing = cli(&base).expect(4);
    assert!(missing.stderr.contains("invalid_token"), "{missing:#?}");

    let from_file = run(oidc_register()
        .args(base)
        .args(["--initial-access-token-file", token_file.to_str().unwrap()]))
    .expect(0);
    from_file.stderr_hides(&[TOKEN]);
    assert!(from_file.json()["client_id"].is_string());

    let from_env = run(oidc_register()
        .args(base)
        .args(["--initial-access-token-env", "OIDC_CLI_TEST_IAT"])
        .env("OIDC_CLI_TEST_IAT", TOKEN))
    .expect(0);
    from_env.stderr_hides(&[TOKEN]);

    // Metadata oidc-provider refuses although it passes the local checks: a web client with
    // an implicit-flow http redirect URI is refused locally, so skip the local checks instead.
    let refused = run(oidc_register()
        .args(["register", issuer, "--no-validate"])
        .args(["--redirect-uri", "https://rp.example/cb#fragment"])
        .args(["--initial-access-token-env", "OIDC_CLI_TEST_IAT"])
        .env("OIDC_CLI_TEST_IAT", TOKEN))
    .expect(4);
    assert!(
        refused
            .stderr
            .contains("error: the provider refused the registration (400"),
        "{refused:#?}"
    );
    assert!(
        refused.stderr.contains("invalid_redirect_uri"),
        "{refused:#?}"
    );
    refused.stderr_hides(&[TOKEN]);
}

/// `resource` and `register --via-resource` against the MCP SDK: probe `/mcp`, follow its
/// challenge, find the SDK's RFC 8414 metadata in the MCP order, register a public client.
#[test]
fn resource_and_register_via_resource_with_the_mcp_sdk() {
    let server = NodeProvider::start_mcp_sdk();
    let resource = format!("{}/mcp", server.issuer());
    let issuer = format!("{}/", server.issuer());

    let document = cli(&["resource", &resource]).expect(0).json();
    assert_eq!(document["found_by"], "challenge");
    assert_eq!(document["resource"]["resource"], resource.as_str());
    assert_eq!(
        document["authorization_servers"][0]["issuer"],
        issuer.as_str()
    );

    let registered = cli(&[
        "register",
        "--via-resource",
        &resource,
        "--redirect-uri",
        "http://127.0.0.1:33418/callback",
        "--set",
        "application_type=native",
        "--set",
        "token_endpoint_auth_method=none",
    ])
    .expect(0)
    .json();
    assert_eq!(registered["issuer"], issuer.as_str());
    assert!(!text(&registered, "client_id").is_empty());
    assert!(registered["client_secret"].is_null(), "{registered}");

    // The SDK refuses what its schema refuses: exit 4 with its OAuth error.
    let refused = cli(&[
        "register",
        "--via-resource",
        &resource,
        "--redirect-uri",
        "not a url",
        "--no-validate",
    ])
    .expect(4);
    assert!(
        refused.stderr.contains("invalid_client_metadata"),
        "{refused:#?}"
    );
    // The SDK serves no OpenID Connect discovery: the default finds nothing there.
    let absent = cli(&["discover", &issuer]).expect(5);
    assert!(absent.stderr.contains("404"), "{absent:#?}");
    cli(&["discover", &issuer, "--well-known", "mcp"]).expect(0);
}
