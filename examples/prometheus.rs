//! Exporting the library's metrics with `metrics-exporter-prometheus` on an HTTP endpoint of
//! the service (an axum route rendering the recorder's handle, so no second server is needed).
//!
//! Runs against the in-process provider: `cargo run -p oidc-examples --example prometheus`.

// An example prints what it does.
#![allow(clippy::print_stdout)]

use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};
use oidc_discovery::{load_configuration, DiscoveryOptions};
use oidc_registration::{register_client, RegisterOptions};
use oidc_types::ClientMetadata;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    // Histograms (not summaries) for the operation durations.
    let recorder = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Suffix("_duration_seconds".to_owned()),
            &[0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0],
        )?
        .build_recorder();
    let handle = recorder.handle();
    metrics::set_global_recorder(recorder)?;

    let app = Router::new().route("/metrics", get(move || std::future::ready(handle.render())));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let provider = oidc_test_provider::TestProvider::start().await;
    let configuration =
        load_configuration(&provider.issuer(), &DiscoveryOptions::default()).await?;
    let metadata = ClientMetadata::new(["https://app.example/callback"]);
    register_client(
        &configuration.metadata,
        &metadata,
        &RegisterOptions::default(),
    )
    .await?;

    // What a Prometheus server would scrape.
    let request =
        http::Request::get(format!("http://{address}/metrics")).body(bytes::Bytes::new())?;
    let client = oidc_http::default_client();
    let scraped = oidc_http::send(client.as_ref(), request, None, Default::default()).await?;
    let text = String::from_utf8_lossy(scraped.body());
    for line in text
        .lines()
        .filter(|line| line.starts_with("oidc_") && line.contains("_total"))
    {
        println!("{line}");
    }
    assert!(text.contains("# TYPE oidc_register_client_duration_seconds histogram"));
    server.abort();
    Ok(())
}
