//! Every subcommand and exit code against the bundled in-process provider.

use std::net::TcpListener;
use std::time::Duration;

use oidc_test_provider::{Behaviour, Endpoint, TestProvider};
use serde_json::{json, Value};

use crate::support::{cli, mode, oidc_register, read_json, run, text, InProcess};

#[test]
fn discover_prints_the_configuration_on_one_line_or_indented() {
    let provider = InProcess::start();
    let issuer = provider.issuer();

    let compact = cli(&["discover", &issuer]).expect(0);
    let document = compact.json();
    assert_eq!(document["issuer"], issuer.as_str());
    assert_eq!(
        document["registration_endpoint"],
        provider.registration_endpoint()
    );
    assert_eq!(compact.stdout.lines().count(), 1, "{compact:#?}");

    let pretty = cli(&["--output", "pretty", "discover", &issuer]).expect(0);
    assert!(pretty.stdout.lines().count() > 5, "{pretty:#?}");
    assert!(pretty.stdout.contains("\n  \"issuer\""), "{pretty:#?}");
    assert_eq!(pretty.json(), document);
}

#[test]
fn discover_can_use_the_oauth_document() {
    let provider = InProcess::with(TestProvider::builder().issuer_path("/tenant"));
    let issuer = provider.issuer();
    let run = cli(&["discover", &issuer, "--well-known", "oauth"]).expect(0);
    assert_eq!(run.json()["issuer"], issuer.as_str());
    assert_eq!(provider.request_count(Endpoint::OAuthDiscovery), 1);
    assert_eq!(provider.request_count(Endpoint::Discovery), 0);

    provider.set_behaviour(Endpoint::Discovery, Behaviour::new().status(404));
    cli(&["discover", &issuer, "--well-known", "both"]).expect(0);
    assert_eq!(provider.request_count(Endpoint::OAuthDiscovery), 2);
}

#[test]
fn jwks_prints_the_key_set() {
    let provider = InProcess::start();
    let document = cli(&["jwks", &provider.issuer()]).expect(0).json();
    let keys = document["keys"].as_array().expect("a keys array");
    assert!(!keys.is_empty(), "{document}");
    assert!(keys.iter().all(|key| key["kty"].is_string()), "{document}");
}

/// The whole life of a registration file, with a provider that rotates the registration access
/// token on every read and update: each call only works because the one before rewrote the file.
#[test]
fn register_read_update_delete_keep_the_file_current() {
    let provider = InProcess::with(
        TestProvider::builder()
            .rotate_token_on_read(true)
            .rotate_token_on_update(true),
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("client.json");
    let file_arg = file.to_str().unwrap();

    let registered = cli(&[
        "register",
        &provider.issuer(),
        "--redirect-uri",
        "https://app.example/cb",
        "--redirect-uri",
        "https://app.example/cb2",
        "--set",
        "client_name=CLI test",
        "--set",
        "client_name#ja-Jpan-JP=テスト",
        "--set",
        "require_auth_time=true",
        "--set",
        "default_max_age=3600",
        "--set",
        "tenant_hint=blue",
        "--save",
        file_arg,
    ])
    .expect(0);
    let client = registered.json();
    let client_id = text(&client, "client_id").to_owned();
    let secret = text(&client, "client_secret").to_owned();
    let first_token = text(&client, "registration_access_token").to_owned();
    assert!(client["registration_client_uri"].is_string(), "{client}");
    assert_eq!(client["issuer"], provider.issuer().as_str());
    registered.stderr_hides(&[&secret, &first_token]);

    // The file: owner-only, and exactly what was printed.
    assert_eq!(mode(&file), 0o600);
    assert_eq!(read_json(&file), client);
    // `--set` values are JSON when they parse, strings otherwise.
    let record = provider.client(&client_id).expect("registered");
    assert_eq!(record["require_auth_time"], json!(true));
    assert_eq!(record["default_max_age"], json!(3600));
    assert_eq!(record["client_name"], "CLI test");
    assert_eq!(record["client_name#ja-Jpan-JP"], "テスト");
    assert_eq!(record["tenant_hint"], "blue");
    assert_eq!(
        record["redirect_uris"],
        json!(["https://app.example/cb", "https://app.example/cb2"])
    );

    // read: the provider rotates the token; the file follows.
    let stale = dir.path().join("stale.json");
    std::fs::copy(&file, &stale).unwrap();
    let read = cli(&["read", "--registration", file_arg]).expect(0);
    let after_read = read.json();
    let second_token = text(&after_read, "registration_access_token").to_owned();
    assert_ne!(second_token, first_token);
    assert_eq!(read_json(&file), after_read);
    assert_eq!(mode(&file), 0o600);
    assert!(read.stderr.contains("rotated"), "{read:#?}");
    read.stderr_hides(&[&secret, &first_token, &second_token]);

    // The old token no longer works: exit 4, and the stale file is left alone.
    let refused = cli(&["read", "--registration", stale.to_str().unwrap()]).expect(4);
    assert!(
        refused.stderr.contains("registration access token"),
        "{refused:#?}"
    );
    assert!(refused.stdout.is_empty(), "{refused:#?}");
    refused.stderr_hides(&[&secret, &first_token]);

    // update: --set on top of the file's metadata; the token rotates again.
    let updated = cli(&[
        "update",
        "--registration",
        file_arg,
        "--set",
        "client_name=Renamed",
    ])
    .expect(0);
    let after_update = updated.json();
    let third_token = text(&after_update, "registration_access_token").to_owned();
    assert_ne!(third_token, second_token);
    assert_eq!(after_update["metadata"]["client_name"], "Renamed");
    assert_eq!(read_json(&file), after_update);
    assert_eq!(mode(&file), 0o600);
    let record = provider.client(&client_id).unwrap();
    assert_eq!(record["client_name"], "Renamed");
    // Everything else was kept from the file.
    assert_eq!(record["require_auth_time"], json!(true));
    assert_eq!(record["tenant_hint"], "blue");
    updated.stderr_hides(&[&secret, &second_token, &third_token]);

    // update from stdin: a full replacement.
    let replaced = run(oidc_register()
        .args(["update", "--registration", file_arg, "--metadata", "-"])
        .write_stdin(
            r#"{"redirect_uris":["https://app.example/new"],"client_name":"From stdin"}"#,
        ))
    .expect(0);
    let after_replace = replaced.json();
    assert_eq!(after_replace["metadata"]["client_name"], "From stdin");
    let record = provider.client(&client_id).unwrap();
    assert_eq!(record["redirect_uris"], json!(["https://app.example/new"]));
    assert_eq!(record["require_auth_time"], Value::Null, "{record}");
    let fourth_token = text(&after_replace, "registration_access_token").to_owned();

    // update with invalid metadata: exit 3, nothing sent, the file untouched.
    let requests = provider.requests().len();
    let invalid = cli(&[
        "update",
        "--registration",
        file_arg,
        "--set",
        r#"redirect_uris=["https://app.example/cb#fragment"]"#,
    ])
    .expect(3);
    assert!(invalid.stderr.contains("fragment"), "{invalid:#?}");
    assert_eq!(provider.requests().len(), requests);
    assert_eq!(read_json(&file), after_replace);

    // delete: the file goes once the provider confirmed.
    let deleted = cli(&["delete", "--registration", file_arg]).expect(0);
    assert_eq!(
        deleted.json(),
        json!({"deleted": true, "issuer": provider.issuer(), "client_id": client_id})
    );
    assert!(!file.exists());
    assert!(provider.client(&client_id).is_none());
    deleted.stderr_hides(&[&secret, &fourth_token]);
    // Only the stale copy is left in the directory: no temporary files.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(names, ["stale.json"]);
}

#[test]
fn register_reads_metadata_from_stdin() {
    let provider = InProcess::start();
    let metadata = json!({
        "redirect_uris": ["https://app.example/cb"],
        "client_name": "From stdin",
        "client_name#fr": "Depuis stdin",
        "contacts": ["ops@example.com"],
        "software_id": "4NRB1-0XZABZI9E6-5SM3R",
        "tenant_hint": "green",
    });
    let run = run(oidc_register()
        .args(["register", &provider.issuer(), "--metadata", "-"])
        .args(["--set", "client_uri=https://app.example/"])
        .write_stdin(metadata.to_string()))
    .expect(0);
    let client_id = text(&run.json(), "client_id").to_owned();
    let record = provider.client(&client_id).unwrap();
    for member in [
        "client_name",
        "client_name#fr",
        "contacts",
        "software_id",
        "tenant_hint",
    ] {
        assert_eq!(record[member], metadata[member], "{member}: {record}");
    }
    assert_eq!(record["client_uri"], "https://app.example/");
}

#[test]
fn register_reads_metadata_from_a_file_and_prints_it_indented() {
    let provider = InProcess::start();
    let dir = tempfile::tempdir().unwrap();
    let metadata = dir.path().join("metadata.json");
    std::fs::write(&metadata, r#"{"client_name":"From a file"}"#).unwrap();
    let run = cli(&[
        "register",
        &provider.issuer(),
        "--metadata",
        metadata.to_str().unwrap(),
        "--redirect-uri",
        "https://app.example/cb",
        "--output",
        "pretty",
    ])
    .expect(0);
    assert!(run.stdout.lines().count() > 5, "{run:#?}");
    assert_eq!(run.json()["metadata"]["client_name"], "From a file");
}

#[test]
fn invalid_metadata_exits_3_and_sends_nothing() {
    let provider = InProcess::start();
    let issuer = provider.issuer();

    let fragment = cli(&[
        "register",
        &issuer,
        "--redirect-uri",
        "https://app.example/cb#fragment",
    ])
    .expect(3);
    assert!(fragment.stderr.starts_with("error: "), "{fragment:#?}");
    assert!(fragment.stderr.contains("fragment"), "{fragment:#?}");
    assert!(fragment.stdout.is_empty());

    // A JSON string where a boolean belongs: `"yes"` parses as JSON, so it is a string.
    let wrong_type = cli(&[
        "register",
        &issuer,
        "--redirect-uri",
        "https://app.example/cb",
        "--set",
        "require_auth_time=\"yes\"",
    ])
    .expect(3);
    assert!(
        wrong_type.stderr.contains("require_auth_time"),
        "{wrong_type:#?}"
    );

    let not_an_object = run(oidc_register()
        .args(["register", &issuer, "--metadata", "-"])
        .write_stdin("[1, 2]"))
    .expect(3);
    assert!(not_an_object.stderr.contains("not a json object"));

    assert!(provider.requests().is_empty(), "{:?}", provider.requests());

    // --no-validate leaves it to the provider, which refuses: exit 4.
    let refused = cli(&[
        "register",
        &issuer,
        "--redirect-uri",
        "https://app.example/cb#fragment",
        "--no-validate",
    ])
    .expect(4);
    assert!(
        refused.stderr.contains("invalid_redirect_uri"),
        "{refused:#?}"
    );
}

#[test]
fn usage_errors_exit_2_before_anything_is_sent() {
    let provider = InProcess::start();
    let issuer = provider.issuer();
    let dir = tempfile::tempdir().unwrap();
    let existing = dir.path().join("existing.json");
    std::fs::write(&existing, "keep").unwrap();
    let missing = dir.path().join("missing.json");
    let missing = missing.to_str().unwrap();

    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["frobnicate"], "unrecognized subcommand"),
        (vec!["read"], "--registration"),
        (vec!["discover", &issuer, "--output", "yaml"], "yaml"),
        (vec!["discover", &issuer, "--timeout", "soon"], "--timeout"),
        (
            vec!["register", &issuer, "--set", "no-equals-sign"],
            "KEY=JSON",
        ),
        (
            vec!["register", &issuer, "--initial-access-token", "t"],
            "--initial-access-token",
        ),
        (
            vec![
                "register",
                &issuer,
                "--initial-access-token-env",
                "A",
                "--initial-access-token-file",
                "f",
            ],
            "cannot be used with",
        ),
        (
            vec![
                "register",
                &issuer,
                "--initial-access-token-env",
                "OIDC_CLI_TEST_UNSET",
            ],
            "OIDC_CLI_TEST_UNSET is not set",
        ),
        (
            vec!["register", &issuer, "--initial-access-token-file", missing],
            "cannot read",
        ),
        (
            vec!["register", &issuer, "--metadata", missing],
            "cannot read metadata file",
        ),
        (
            vec!["register", &issuer, "--save", existing.to_str().unwrap()],
            "already exists",
        ),
        (
            vec!["read", "--registration", missing],
            "cannot read registration file",
        ),
        (
            vec!["update", "--registration", missing],
            "cannot read registration file",
        ),
        (
            vec!["delete", "--registration", missing],
            "cannot read registration file",
        ),
        (vec!["discover", "ftp://op.example"], "invalid issuer"),
    ];
    for (args, expected) in cases {
        let run = run(oidc_register()
            .args(&args)
            .env_remove("OIDC_CLI_TEST_UNSET"))
        .expect(2);
        assert!(run.stderr.contains(expected), "{args:?}: {run:#?}");
        assert!(run.stdout.is_empty(), "{args:?}: {run:#?}");
    }
    // Not JSON on stdin.
    let run = run(oidc_register()
        .args(["register", &issuer, "--metadata", "-"])
        .write_stdin("{not json"))
    .expect(2);
    assert!(run.stderr.contains("not valid json"), "{run:#?}");

    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep");
    assert!(provider.requests().is_empty(), "{:?}", provider.requests());
}

#[test]
fn plain_http_off_loopback_is_refused_without_allow_http() {
    // No network needed: the refusal comes before any connection (and .invalid never resolves).
    for args in [
        vec!["discover", "http://op.example.invalid"],
        vec!["jwks", "http://op.example.invalid"],
        vec![
            "register",
            "http://op.example.invalid",
            "--redirect-uri",
            "https://app.example/cb",
        ],
    ] {
        let run = cli(&args).expect(2);
        assert!(run.stderr.contains("refusing plain http"), "{run:#?}");
        assert!(run.stderr.contains("hint: pass --allow-http"), "{run:#?}");
    }
}

#[test]
fn a_plain_http_endpoint_in_the_document_is_refused_with_a_hint() {
    let provider = InProcess::start();
    let mut document = provider.discovery_document();
    document["token_endpoint"] = json!("http://op.example.invalid/token");
    provider.set_discovery_document(document);

    let run = cli(&["discover", &provider.issuer()]).expect(5);
    assert!(run.stderr.contains("token_endpoint"), "{run:#?}");
    assert!(
        run.stderr.contains("hint:") && run.stderr.contains("--allow-http"),
        "{run:#?}"
    );

    let run = cli(&["discover", &provider.issuer(), "--allow-http"]).expect(0);
    assert_eq!(
        run.json()["token_endpoint"],
        "http://op.example.invalid/token"
    );
}

#[test]
fn provider_refusals_exit_4_with_the_oauth_error() {
    let provider = InProcess::start();
    provider.set_behaviour(
        Endpoint::Registration,
        Behaviour::new().status(400).json(json!({
            "error": "invalid_client_metadata",
            "error_description": "client_name is\nnot allowed here",
        })),
    );
    let run = cli(&[
        "register",
        &provider.issuer(),
        "--redirect-uri",
        "https://app.example/cb",
    ])
    .expect(4);
    assert_eq!(
        run.stderr.trim_end(),
        "loading the configuration of ".to_owned()
            + &provider.issuer()
            + "\nregistering a client with "
            + &provider.issuer()
            // The provider's line break is shown, not obeyed: still one error line.
            + "\nerror: the provider refused the registration (400 Bad Request): \
               invalid_client_metadata: client_name is\\nnot allowed here"
    );
    assert!(run.stdout.is_empty());

    // A refused registration leaves no --save file behind, not even a temporary one.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("client.json");
    cli(&[
        "register",
        &provider.issuer(),
        "--redirect-uri",
        "https://app.example/cb",
        "--save",
        file.to_str().unwrap(),
    ])
    .expect(4);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    let closed = InProcess::with(TestProvider::builder().registration(false));
    let run = cli(&[
        "register",
        &closed.issuer(),
        "--redirect-uri",
        "https://app.example/cb",
    ])
    .expect(4);
    assert!(run
        .stderr
        .contains("does not support dynamic client registration"));
}

#[test]
fn initial_access_tokens_come_from_the_environment_or_a_file_and_never_show() {
    const TOKEN: &str = "iat-8d1f0c2b-not-for-your-eyes";
    const WRONG: &str = "iat-wrong-4b1e9a77";
    let provider = InProcess::with(TestProvider::builder().initial_access_token(TOKEN));
    let issuer = provider.issuer();
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("iat");
    std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
    let base = [
        "register",
        &issuer,
        "--redirect-uri",
        "https://app.example/cb",
    ];

    let from_env = run(oidc_register()
        .args(base)
        .args(["--initial-access-token-env", "OIDC_CLI_TEST_IAT"])
        .env("OIDC_CLI_TEST_IAT", TOKEN))
    .expect(0);
    from_env.stderr_hides(&[TOKEN]);
    assert!(!from_env.stdout.contains(TOKEN));

    let from_file = run(oidc_register()
        .args(base)
        .args(["--initial-access-token-file", token_file.to_str().unwrap()]))
    .expect(0);
    from_file.stderr_hides(&[TOKEN]);

    let bearer: Vec<_> = provider
        .requests()
        .iter()
        .filter(|request| request.endpoint == Some(Endpoint::Registration))
        .map(|request| request.bearer_token())
        .collect();
    assert_eq!(bearer, [Some(TOKEN.to_owned()), Some(TOKEN.to_owned())]);

    let none = run(oidc_register().args(base)).expect(4);
    assert!(none.stderr.contains("initial access token"), "{none:#?}");

    let wrong = run(oidc_register()
        .args(base)
        .args(["--initial-access-token-env", "OIDC_CLI_TEST_IAT"])
        .env("OIDC_CLI_TEST_IAT", WRONG))
    .expect(4);
    assert!(wrong.stderr.contains("invalid_token"), "{wrong:#?}");
    wrong.stderr_hides(&[WRONG, TOKEN]);
    assert!(wrong.stdout.is_empty());

    let spaced = run(oidc_register()
        .args(base)
        .args(["--initial-access-token-env", "OIDC_CLI_TEST_IAT"])
        .env("OIDC_CLI_TEST_IAT", "two words"))
    .expect(2);
    spaced.stderr_hides(&["two words"]);
}

#[test]
fn transport_and_protocol_failures_exit_5() {
    // Connection refused: a port that was just free.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let refused = cli(&["discover", &format!("http://127.0.0.1:{port}")]).expect(5);
    assert!(
        refused.stderr.contains("hint: is the provider running"),
        "{refused:#?}"
    );

    let provider = InProcess::start();
    let issuer = provider.issuer();

    // Timeout.
    provider.set_behaviour(
        Endpoint::Discovery,
        Behaviour::new().delay(Duration::from_secs(5)),
    );
    let slow = cli(&["discover", &issuer, "--timeout", "0.3"]).expect(5);
    assert!(slow.stderr.contains("--timeout"), "{slow:#?}");

    // Not JSON.
    provider.set_behaviour(
        Endpoint::Discovery,
        Behaviour::new().content_type("text/html").body("<html>"),
    );
    cli(&["discover", &issuer]).expect(5);
    provider.clear_behaviour(Endpoint::Discovery);

    // Issuer mismatch: both values are shown.
    let mut document = provider.discovery_document();
    document["issuer"] = json!("https://elsewhere.example");
    provider.set_discovery_document(document);
    let mismatch = cli(&["discover", &issuer]).expect(5);
    assert!(
        mismatch.stderr.contains("error: issuer mismatch"),
        "{mismatch:#?}"
    );
    let hint = mismatch
        .stderr
        .lines()
        .find(|line| line.starts_with("hint: "))
        .expect("a hint");
    assert!(hint.contains(&format!("{issuer:?}")), "{hint}");
    assert!(hint.contains("\"https://elsewhere.example\""), "{hint}");

    // A registration answer that is no registration.
    let provider = InProcess::start();
    provider.set_behaviour(
        Endpoint::Registration,
        Behaviour::new()
            .status(201)
            .json(json!({"no": "client_id"})),
    );
    cli(&[
        "register",
        &provider.issuer(),
        "--redirect-uri",
        "https://app.example/cb",
    ])
    .expect(5);
}

#[test]
fn a_refused_deletion_keeps_the_file() {
    let provider = InProcess::start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("client.json");
    let file_arg = file.to_str().unwrap();
    cli(&[
        "register",
        &provider.issuer(),
        "--redirect-uri",
        "https://app.example/cb",
        "--save",
        file_arg,
    ])
    .expect(0);
    let saved = std::fs::read(&file).unwrap();

    provider.set_behaviour(Endpoint::ClientConfiguration, Behaviour::new().status(405));
    let run = cli(&["delete", "--registration", file_arg]).expect(4);
    assert!(run.stderr.contains("DELETE"), "{run:#?}");
    assert_eq!(std::fs::read(&file).unwrap(), saved);

    provider.clear_behaviour(Endpoint::ClientConfiguration);
    cli(&["delete", "--registration", file_arg]).expect(0);
    assert!(!file.exists());
    // Deleting again: the file is gone, a usage error.
    cli(&["delete", "--registration", file_arg]).expect(2);
}

#[test]
fn metrics_go_to_stderr_in_prometheus_format() {
    let provider = InProcess::start();
    let run = cli(&[
        "register",
        &provider.issuer(),
        "--redirect-uri",
        "https://app.example/cb",
        "--metrics",
    ])
    .expect(0);
    let client = run.json();
    assert!(
        run.stderr
            .contains("# TYPE oidc_register_client_start_total counter"),
        "{run:#?}"
    );
    assert!(
        run.stderr.contains("oidc_load_configuration_stop_total{"),
        "{run:#?}"
    );
    // Durations are histograms, as the README says.
    assert!(
        run.stderr
            .contains("# TYPE oidc_register_client_duration_seconds histogram"),
        "{run:#?}"
    );
    assert!(
        run.stderr
            .contains("oidc_register_client_duration_seconds_bucket{"),
        "{run:#?}"
    );
    assert!(!run.stdout.contains("oidc_"), "{run:#?}");
    run.stderr_hides(&[
        text(&client, "client_secret"),
        text(&client, "registration_access_token"),
    ]);

    // Printed on failure too.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let failed = cli(&["discover", &format!("http://127.0.0.1:{port}"), "--metrics"]).expect(5);
    assert!(
        failed.stderr.contains("oidc_load_configuration_stop_total"),
        "{failed:#?}"
    );
}

#[test]
fn demo_walks_the_whole_life_without_showing_secrets() {
    let run = cli(&["demo"]).expect(0);
    let summary = run.json();
    let steps: Vec<&str> = summary["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| step["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["discover", "register", "read", "update", "delete"]);
    let client = &summary["steps"][1]["client"];
    assert_eq!(client["client_secret"], "<redacted>");
    assert_eq!(client["registration_access_token"], "<redacted>");
    for step in [
        "== discover",
        "== register",
        "== read",
        "== update",
        "== delete",
    ] {
        assert!(run.stderr.contains(step), "{run:#?}");
    }
}

#[test]
fn help_names_every_subcommand() {
    let run = cli(&["--help"]).expect(0);
    for name in [
        "discover", "jwks", "register", "read", "update", "delete", "resource", "demo",
    ] {
        assert!(run.stdout.contains(name), "{run:#?}");
    }
}

#[test]
fn issuer_pattern_accepts_a_template_issuer() {
    let provider = InProcess::with(TestProvider::builder().issuer_path("/common"));
    let issuer = provider.issuer();
    let template = format!("{}/{{tenantid}}", provider.base_url());
    let mut document = provider.discovery_document();
    document["issuer"] = json!(template);
    provider.set_discovery_document(document);

    let strict = cli(&["discover", &issuer]).expect(5);
    assert!(strict.stderr.contains("--issuer-pattern"), "{strict:#?}");

    let lenient = cli(&["discover", &issuer, "--issuer-pattern", &template]).expect(0);
    assert_eq!(lenient.json()["issuer"], template.as_str());
}

#[test]
fn issuer_pattern_takes_a_regular_expression() {
    let provider = InProcess::with(TestProvider::builder().issuer_path("/common"));
    let issuer = provider.issuer();
    let template = format!("{}/{{tenantid}}", provider.base_url());
    let mut document = provider.discovery_document();
    document["issuer"] = json!(template);
    provider.set_discovery_document(document);
    let base = provider.base_url().replace('.', r"\.");

    let regex = format!(r"{base}/[^/]+");
    let run = cli(&["discover", &issuer, "--issuer-pattern", &regex]).expect(0);
    assert_eq!(run.json()["issuer"], template.as_str());

    // Anchored: an expression that covers only part of the issuer accepts nothing.
    let partial = format!(r"{base}/common");
    cli(&["discover", &issuer, "--issuer-pattern", &partial]).expect(5);

    // Not an expression and not a template: a usage error.
    let broken = cli(&["discover", &issuer, "--issuer-pattern", "https://(unclosed"]).expect(2);
    assert!(broken.stderr.contains("issuer"), "{broken:#?}");
}

#[test]
fn odd_answers_are_saved_and_printed_with_one_warning_per_problem() {
    let provider = InProcess::with(TestProvider::builder().rotate_token_on_read(true));
    provider.set_behaviour(
        Endpoint::Registration,
        Behaviour::new()
            .status(202)
            .content_type("text/plain")
            .edit_answer(|answer| {
                answer.insert("client_id_issued_at".into(), json!(1_700_000_000.5));
                answer.insert("default_max_age".into(), json!("an hour"));
            }),
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("client.json");
    let file_arg = file.to_str().unwrap();
    let registered = register_and_save(&provider, file_arg);
    let client = registered.json();
    let client_id = text(&client, "client_id").to_owned();
    let secret = text(&client, "client_secret").to_owned();
    let token = text(&client, "registration_access_token").to_owned();
    assert_eq!(
        Some(secret.as_str()),
        provider.client(&client_id).unwrap()["client_secret"].as_str()
    );
    assert_eq!(read_json(&file), client);
    assert_eq!(client["client_id_issued_at"], json!(1_700_000_000));
    // The odd echoed member is kept as the provider sent it.
    assert_eq!(client["metadata"]["default_max_age"], "an hour");
    let warnings: Vec<&str> = registered
        .stderr
        .lines()
        .filter(|line| line.starts_with("warning: "))
        .collect();
    assert_eq!(warnings.len(), 4, "{registered:#?}");
    for member in [
        "client_id_issued_at",
        "default_max_age",
        "content type",
        "202",
    ] {
        assert!(
            warnings.iter().any(|line| line.contains(member)),
            "{member}: {registered:#?}"
        );
    }
    registered.stderr_hides(&[&secret, &token]);

    // A read whose answer is odd too: the rotated token is written to the file, exit 0.
    provider.set_behaviour(
        Endpoint::ClientConfiguration,
        Behaviour::new().content_type("text/plain"),
    );
    let read = cli(&["read", "--registration", file_arg]).expect(0);
    let after = read.json();
    let rotated = text(&after, "registration_access_token").to_owned();
    assert_ne!(rotated, token);
    assert_eq!(
        Some(rotated.as_str()),
        provider.registration_access_token(&client_id).as_deref()
    );
    assert_eq!(read_json(&file), after);
    assert!(read.stderr.contains("warning: "), "{read:#?}");
    read.stderr_hides(&[&secret, &token, &rotated]);
}

#[test]
fn an_answer_without_a_client_id_is_printed_for_recovery() {
    let provider = InProcess::start();
    provider.set_behaviour(
        Endpoint::Registration,
        Behaviour::new().edit_answer(|answer| {
            answer.remove("client_id");
        }),
    );
    let failed = cli(&[
        "register",
        &provider.issuer(),
        "--redirect-uri",
        "https://app.example/cb",
    ])
    .expect(5);
    let stored = provider.registered_clients().pop().unwrap();
    let printed = failed.json();
    assert_eq!(
        printed["unusable_answer"]["client_secret"],
        stored["client_secret"]
    );
    assert!(failed.stderr.contains("no client_id"), "{failed:#?}");
    failed.stderr_hides(&[stored["client_secret"].as_str().unwrap()]);
}

#[test]
fn update_with_set_changes_only_that_member() {
    let provider = InProcess::start();
    provider.set_behaviour(
        Endpoint::Registration,
        Behaviour::new().edit_answer(|answer| {
            answer.insert("default_max_age".into(), json!(3600.5));
            answer.insert("x_vendor".into(), json!({"tier": "gold"}));
        }),
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("client.json");
    let file_arg = file.to_str().unwrap();
    let registered = register_and_save(&provider, file_arg);
    let held = registered.json()["metadata"].clone();
    provider.clear_behaviour(Endpoint::Registration);

    let updated = cli(&[
        "update",
        "--registration",
        file_arg,
        "--set",
        "client_name=Renamed",
    ])
    .expect(0);
    let put = provider.requests().pop().unwrap().json().unwrap();
    let mut expected = held.as_object().unwrap().clone();
    expected.insert("client_name".into(), json!("Renamed"));
    let mut sent = put.as_object().unwrap().clone();
    sent.remove("client_id");
    assert_eq!(sent, expected, "{updated:#?}");
    assert_eq!(updated.json()["metadata"]["default_max_age"], json!(3600.5));
}

/// `register ISSUER --redirect-uri https://app.example/cb --save FILE`, which must succeed.
fn register_and_save(provider: &InProcess, file: &str) -> crate::support::Run {
    cli(&[
        "register",
        &provider.issuer(),
        "--redirect-uri",
        "https://app.example/cb",
        "--save",
        file,
    ])
    .expect(0)
}

/// What a terminal would obey: no such character may reach stderr or stdout raw.
fn drives_a_terminal(c: char) -> bool {
    c.is_control() && c != '\n' || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[test]
fn provider_text_cannot_forge_lines_or_drive_the_terminal() {
    const HOSTILE: &str = "evil\nerror: forged line\u{1b}[31m\u{9b}2J\u{202e}gpj.exe";
    let provider = InProcess::start();
    provider.set_behaviour(
        Endpoint::Registration,
        Behaviour::new().edit_answer(|answer| {
            answer.insert("client_id".into(), json!(HOSTILE));
            answer.insert("x_note".into(), json!(HOSTILE));
            answer.insert("client_id_issued_at".into(), json!(HOSTILE));
        }),
    );
    let registered = cli(&[
        "register",
        &provider.issuer(),
        "--redirect-uri",
        "https://app.example/cb",
    ])
    .expect(0);
    assert_eq!(registered.json()["client_id"], HOSTILE);
    for output in [&registered.stdout, &registered.stderr] {
        assert!(!output.chars().any(drives_a_terminal), "{registered:#?}");
    }
    assert_eq!(registered.stdout.lines().count(), 1, "{registered:#?}");
    assert!(
        !registered
            .stderr
            .lines()
            .any(|line| line.starts_with("error:")),
        "{registered:#?}"
    );
    assert!(
        registered.stderr.contains("evil\\nerror: forged"),
        "{registered:#?}"
    );

    provider.set_behaviour(
        Endpoint::Registration,
        Behaviour::new().status(400).json(json!({
            "error": "invalid_client_metadata",
            "error_description": HOSTILE,
        })),
    );
    let refused = cli(&[
        "register",
        &provider.issuer(),
        "--redirect-uri",
        "https://app.example/cb",
    ])
    .expect(4);
    assert!(
        !refused.stderr.chars().any(drives_a_terminal),
        "{refused:#?}"
    );
    let errors: Vec<&str> = refused
        .stderr
        .lines()
        .filter(|line| line.starts_with("error:"))
        .collect();
    assert_eq!(errors.len(), 1, "{refused:#?}");
    assert!(
        errors[0].contains("evil\\nerror: forged line\\u{1b}[31m"),
        "{refused:#?}"
    );
}

#[test]
fn secrets_a_provider_echoes_never_reach_the_output_on_any_error_path() {
    const TOKEN: &str = "iat-echoed-2c9d41f7";
    let provider = InProcess::with(TestProvider::builder().initial_access_token(TOKEN));
    let echo = |status: u16, secrets: &[&str]| {
        let quoted = secrets.join(" and ");
        Behaviour::new()
            .status(status)
            .header(
                "www-authenticate",
                format!(r#"Bearer error="invalid_token", error_description="{quoted}""#),
            )
            .json(json!({"error": "invalid_request", "error_description": format!("you sent {quoted}")}))
    };
    let register = |env: &str| {
        run(oidc_register()
            .args([
                "register",
                &provider.issuer(),
                "--redirect-uri",
                "https://app.example/cb",
                "--initial-access-token-env",
                "OIDC_CLI_TEST_IAT",
            ])
            .env("OIDC_CLI_TEST_IAT", env))
    };
    for status in [400, 401, 403, 500] {
        provider.set_behaviour(Endpoint::Registration, echo(status, &[TOKEN]));
        let failed = register(TOKEN);
        assert_ne!(failed.code, 0, "{failed:#?}");
        failed.stderr_hides(&[TOKEN]);
        assert!(!failed.stdout.contains(TOKEN), "{failed:#?}");
    }

    provider.clear_behaviour(Endpoint::Registration);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("client.json");
    let file_arg = file.to_str().unwrap();
    let registered = register(TOKEN).expect(0);
    std::fs::write(&file, &registered.stdout).unwrap();
    let client = registered.json();
    let token = text(&client, "registration_access_token").to_owned();
    let secret = text(&client, "client_secret").to_owned();
    for status in [400, 401, 403, 404, 500] {
        provider.set_behaviour(
            Endpoint::ClientConfiguration,
            echo(status, &[&token, &secret]),
        );
        for args in [
            vec!["read", "--registration", file_arg],
            vec![
                "update",
                "--registration",
                file_arg,
                "--set",
                "client_name=x",
            ],
            vec!["delete", "--registration", file_arg],
        ] {
            let failed = cli(&args);
            assert_ne!(failed.code, 0, "{failed:#?}");
            failed.stderr_hides(&[TOKEN, &token, &secret]);
            assert!(!failed.stdout.contains(&token), "{failed:#?}");
        }
    }
}

/// `resource`: probe, follow the challenge, then each authorization server in the MCP order,
/// all in one stdout document.
#[test]
fn resource_prints_the_resource_and_its_authorization_servers() {
    let provider = InProcess::with(
        TestProvider::builder()
            .issuer_path("/tenant")
            .protected_resource("/mcp"),
    );
    let resource = provider.resource().unwrap();
    let run = cli(&["resource", &resource]).expect(0);
    let document = run.json();
    assert_eq!(document["resource"]["resource"], resource.as_str());
    assert_eq!(document["found_by"], "challenge");
    assert_eq!(
        document["resource_metadata_url"],
        provider.url("/.well-known/oauth-protected-resource/mcp")
    );
    let servers = document["authorization_servers"].as_array().unwrap();
    assert_eq!(servers.len(), 1, "{document}");
    assert_eq!(servers[0]["issuer"], provider.issuer().as_str());
    // The MCP order by default: RFC 8414 first, and it answered.
    assert_eq!(provider.request_count(Endpoint::OAuthDiscovery), 1);
    assert_eq!(provider.request_count(Endpoint::Discovery), 0);
    assert_eq!(run.stdout.lines().count(), 1);
}

#[test]
fn resource_errors_keep_the_exit_codes() {
    let provider = InProcess::with(TestProvider::builder().protected_resource("/mcp"));
    let resource = provider.resource().unwrap();
    provider.set_resource_document(json!({"resource": "https://evil.example/mcp"}));
    let mismatch = cli(&["resource", &resource]).expect(5);
    assert!(
        mismatch.stderr.contains("resource mismatch"),
        "{mismatch:#?}"
    );
    assert!(mismatch.stdout.is_empty());
    let fragment = cli(&["resource", &format!("{resource}#x")]).expect(2);
    assert!(fragment.stderr.contains("fragment"), "{fragment:#?}");
    let plain = cli(&["resource", "http://mcp.example/mcp"]).expect(2);
    assert!(plain.stderr.contains("--allow-http"), "{plain:#?}");
}

#[test]
fn register_via_resource_registers_with_its_authorization_server() {
    let provider = InProcess::with(
        TestProvider::builder()
            .issuer_path("/tenant")
            .protected_resource("/mcp"),
    );
    let resource = provider.resource().unwrap();
    let run = cli(&[
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
    .expect(0);
    let document = run.json();
    assert_eq!(document["issuer"], provider.issuer().as_str());
    let client_id = text(&document, "client_id");
    assert!(provider.client(client_id).is_some());
    assert_eq!(provider.request_count(Endpoint::ProtectedResource), 1);

    // A resource naming no authorization server: the resource refuses to say (exit 4).
    provider.set_resource_document(json!({"resource": resource, "authorization_servers": []}));
    let none = cli(&[
        "register",
        "--via-resource",
        &resource,
        "--redirect-uri",
        "https://app.example/cb",
    ])
    .expect(4);
    assert!(none.stderr.contains("no authorization server"), "{none:#?}");
}

#[test]
fn register_read_update_delete_through_a_store_directory() {
    let provider = InProcess::with(TestProvider::builder().rotate_token_on_update(true));
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("registrations");
    let store_arg = store.to_str().unwrap();
    let issuer = provider.issuer();
    let at = |command: &str| {
        vec![
            command.to_owned(),
            "--store".to_owned(),
            store_arg.to_owned(),
            "--issuer".to_owned(),
            issuer.clone(),
            "--name".to_owned(),
            "tenant-a".to_owned(),
        ]
    };

    let registered = cli(&[
        "register",
        &issuer,
        "--redirect-uri",
        "https://app.example/cb",
        "--store",
        store_arg,
        "--name",
        "tenant-a",
    ])
    .expect(0);
    let client = registered.json();
    let client_id = text(&client, "client_id").to_owned();
    let first_token = text(&client, "registration_access_token").to_owned();
    registered.stderr_hides(&[&first_token]);
    let files: Vec<_> = std::fs::read_dir(&store)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(mode(&files[0]), 0o600);

    // The same name again: refused before anything is sent, like --save onto a file.
    let requests = provider.requests().len();
    let again = cli(&[
        "register",
        &issuer,
        "--redirect-uri",
        "https://app.example/cb",
        "--store",
        store_arg,
        "--name",
        "tenant-a",
    ])
    .expect(2);
    assert!(again.stderr.contains("in the store already"), "{again:#?}");
    assert_eq!(
        provider.requests().len(),
        requests + 1,
        "only the discovery request"
    );

    let read_args = at("read");
    let read = run(oidc_register().args(&read_args)).expect(0);
    assert_eq!(text(&read.json(), "client_id"), client_id);

    let mut update_args = at("update");
    update_args.extend(["--set".to_owned(), "client_name=Stored".to_owned()]);
    let updated = run(oidc_register().args(&update_args)).expect(0);
    let after = updated.json();
    let rotated = text(&after, "registration_access_token").to_owned();
    assert_ne!(rotated, first_token);
    assert_eq!(
        provider.registration_access_token(&client_id).unwrap(),
        rotated
    );
    assert_eq!(
        provider.client(&client_id).unwrap()["client_name"],
        "Stored"
    );
    updated.stderr_hides(&[&first_token, &rotated]);

    // The store holds the rotated token: the next call works with it.
    run(oidc_register().args(&read_args)).expect(0);

    // Without --issuer a store entry is not named: usage error.
    let unnamed = cli(&["read", "--store", store_arg]).expect(2);
    assert!(unnamed.stderr.contains("--issuer"), "{unnamed:#?}");

    let deleted = run(oidc_register().args(at("delete"))).expect(0);
    assert_eq!(deleted.json()["client_id"], client_id.as_str());
    assert!(provider.client(&client_id).is_none());
    let missing = run(oidc_register().args(&read_args)).expect(2);
    assert!(missing.stderr.contains("no registration"), "{missing:#?}");
}
