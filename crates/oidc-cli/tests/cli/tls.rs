//! `--ca-file`, `--client-cert` and `--client-key` against the in-process provider serving
//! https, with certificates made at test time.

use std::path::{Path, PathBuf};

use oidc_integration_tests::pki::TestCa;
use oidc_test_provider::{Endpoint, TestProvider};

use crate::support::{cli, InProcess};

/// Writes `content` to `name` in `dir` and returns the path as a string.
fn file(dir: &Path, name: &str, content: &str) -> String {
    let path: PathBuf = dir.join(name);
    std::fs::write(&path, content).expect("write a test file");
    path.to_str().expect("a UTF-8 path").to_owned()
}

#[test]
fn discover_over_https_trusts_the_ca_file_and_refuses_without_it() {
    let ca = TestCa::new("cli test ca");
    let server = ca.server(&["127.0.0.1"]);
    let provider =
        InProcess::with(TestProvider::builder().tls(&server.cert_chain_pem, &server.key_pem));
    let issuer = provider.issuer();
    assert!(issuer.starts_with("https://127.0.0.1:"), "{issuer}");
    let dir = tempfile::tempdir().unwrap();
    let ca_file = file(dir.path(), "ca.pem", &ca.cert_pem());

    let run = cli(&["discover", &issuer, "--ca-file", &ca_file]).expect(0);
    assert_eq!(run.json()["issuer"], issuer.as_str());

    let refused = cli(&["discover", &issuer]).expect(5);
    // A progress line, then the error and its hint.
    let lines: Vec<&str> = refused.stderr.lines().skip(1).collect();
    assert_eq!(lines.len(), 2, "{refused:#?}");
    assert!(lines[0].starts_with("error: fetching "), "{refused:#?}");
    assert!(lines[0].contains("tls handshake failed"), "{refused:#?}");
    assert_eq!(
        lines[1],
        "hint: the provider's certificate is not signed by a trusted CA: pass --ca-file with the provider's CA certificate (PEM)"
    );
    assert!(refused.stdout.is_empty(), "{refused:#?}");
    assert_eq!(provider.request_count(Endpoint::Discovery), 1);
}

#[test]
fn plain_http_to_the_https_port_and_https_to_a_plain_port_are_not_certificate_problems() {
    let plain = InProcess::start();
    let as_https = plain.issuer().replacen("http://", "https://", 1);
    let run = cli(&["discover", &as_https]).expect(5);
    assert!(
        run.stderr
            .contains("hint: the port speaks plain http, not https: is the url's scheme right?"),
        "{run:#?}"
    );

    let ca = TestCa::new("cli test ca");
    let server = ca.server(&["127.0.0.1"]);
    let https =
        InProcess::with(TestProvider::builder().tls(&server.cert_chain_pem, &server.key_pem));
    let as_http = https.issuer().replacen("https://", "http://", 1);
    let run = cli(&["discover", &as_http]).expect(5);
    assert!(run.stderr.contains("http protocol error"), "{run:#?}");
    assert!(!run.stderr.contains("certificate"), "{run:#?}");
    assert!(!run.stderr.contains("running"), "{run:#?}");
}

#[test]
fn mutual_tls_presents_the_client_certificate_and_a_missing_one_is_explained() {
    let ca = TestCa::new("cli test ca");
    let server = ca.server(&["127.0.0.1"]);
    let client = ca.client("cli.example");
    let provider = InProcess::with(
        TestProvider::builder()
            .tls(&server.cert_chain_pem, &server.key_pem)
            .client_ca(ca.cert_pem()),
    );
    let issuer = provider.issuer();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = file(dir.path(), "ca.pem", &ca.cert_pem());
    let cert_file = file(dir.path(), "client.pem", &client.cert_chain_pem);
    let key_file = file(dir.path(), "client.key", &client.key_pem);

    let run = cli(&[
        "discover",
        &issuer,
        "--ca-file",
        &ca_file,
        "--client-cert",
        &cert_file,
        "--client-key",
        &key_file,
    ])
    .expect(0);
    assert_eq!(run.json()["issuer"], issuer.as_str());
    let requests = provider.requests();
    assert_eq!(
        requests[0].client_certificate.as_deref(),
        Some(client.der.as_slice())
    );

    let without = cli(&["discover", &issuer, "--ca-file", &ca_file]).expect(5);
    assert!(
        without.stderr.contains(
            "hint: the provider requires a client certificate: pass --client-cert and --client-key"
        ),
        "{without:#?}"
    );

    // A key that is not the certificate's is a usage error naming both files, not the key.
    let other = ca.client("someone else");
    let wrong_key = file(dir.path(), "other.key", &other.key_pem);
    let wrong = cli(&[
        "discover",
        &issuer,
        "--client-cert",
        &cert_file,
        "--client-key",
        &wrong_key,
    ])
    .expect(2);
    assert!(wrong.stderr.contains(&wrong_key), "{wrong:#?}");
    assert!(
        wrong
            .stderr
            .contains("client key: it does not match the client certificate's public key"),
        "{wrong:#?}"
    );
    let key_lines: Vec<&str> = other
        .key_pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    wrong.stderr_hides(&key_lines);
}

#[test]
fn tls_flags_are_checked_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.pem");
    let missing = missing.to_str().unwrap();
    let run = cli(&["discover", "https://op.example", "--ca-file", missing]).expect(2);
    assert!(
        run.stderr
            .starts_with(&format!("error: --ca-file: cannot read {missing}: ")),
        "{run:#?}"
    );

    let key = file(dir.path(), "client.key", "-----BEGIN PRIVATE KEY-----\n");
    // --client-key without --client-cert is refused by the parser.
    cli(&["discover", "https://op.example", "--client-key", &key]).expect(2);
}
