//! The README's demo: discover the bundled loopback provider, register a client with it, and
//! show what came back and which metrics were emitted. Needs no network.
//!
//! Run with `cargo run -p oidc-registration --example demo`.

// A demo talks to the terminal.
#![allow(clippy::print_stdout)]

use std::error::Error;

use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use oidc_discovery::{load_configuration, DiscoveryOptions};
use oidc_registration::{register, RegisterOptions};
use oidc_test_provider::TestProvider;
use oidc_types::{ApplicationType, ClientMetadata};

fn main() -> Result<(), Box<dyn Error>> {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    // One thread, so the thread-local recorder sees every metric.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    metrics::with_local_recorder(&recorder, || runtime.block_on(demo()))?;

    println!("\n== metrics emitted");
    let mut lines: Vec<String> = snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(key, _, _, value)| {
            let labels: Vec<String> = key
                .key()
                .labels()
                .map(|label| format!("{}=\"{}\"", label.key(), label.value()))
                .collect();
            let value = match value {
                DebugValue::Counter(count) => count.to_string(),
                DebugValue::Gauge(gauge) => gauge.to_string(),
                DebugValue::Histogram(samples) => {
                    let seconds: Vec<String> = samples
                        .iter()
                        .map(|sample| format!("{:.4}s", sample.into_inner()))
                        .collect();
                    format!("[{}]", seconds.join(", "))
                }
            };
            format!("{}{{{}}} {value}", key.key().name(), labels.join(","))
        })
        .collect();
    lines.sort();
    for line in lines {
        println!("{line}");
    }
    Ok(())
}

async fn demo() -> Result<(), Box<dyn Error>> {
    let provider = TestProvider::start().await;
    let issuer = provider.issuer();
    println!("== in-process provider listening at {issuer}");

    let configuration = load_configuration(&issuer, &DiscoveryOptions::default()).await?;
    println!("\n== discovered (valid for {:?})", configuration.expires_in);
    println!("issuer:                {}", configuration.metadata.issuer);
    println!(
        "registration_endpoint: {:?}",
        configuration.metadata.registration_endpoint
    );

    let mut metadata = ClientMetadata::new(["http://127.0.0.1:8400/callback"]);
    metadata.application_type = Some(ApplicationType::Native);
    metadata.client_name.set_value("oidc-rs demo");
    metadata.client_name.set_tagged("ja-Jpan-JP", "デモ");
    metadata.contacts = Some(vec!["ops@example.com".to_owned()]);
    println!(
        "\n== registering\n{}",
        serde_json::to_string_pretty(&metadata)?
    );

    let registered = register(
        &configuration.metadata,
        &metadata,
        &RegisterOptions::default(),
    )
    .await?;
    println!("\n== registered (secrets redacted)");
    println!("client_id:                 {}", registered.client_id);
    println!("client_secret:             {:?}", registered.client_secret);
    println!(
        "registration_access_token: {:?}",
        registered.registration_access_token
    );
    println!(
        "registration_client_uri:   {:?}",
        registered.registration_client_uri
    );
    println!(
        "client_id_issued_at:       {:?}",
        registered.client_id_issued_at
    );
    let expiry = if registered.secret_never_expires() {
        "never".to_owned()
    } else {
        format!("{:?}", registered.secret_expires_at())
    };
    println!("client secret expires:     {expiry}");
    println!(
        "metadata as registered:\n{}",
        serde_json::to_string_pretty(&registered.metadata)?
    );
    Ok(())
}
