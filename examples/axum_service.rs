//! An axum service that registers itself with its OpenID Provider at start-up, keeps the
//! registration in a `FileStore` (oidc-store), and reuses it on the next start, on any number of
//! replicas sharing the directory: it registers again only when the provider has deleted the
//! client, never because of an outage. With several machines, use `PostgresStore` instead (the
//! `postgres` feature of oidc-store); nothing else changes.
//!
//! Runs against the in-process provider: `cargo run -p oidc-examples --example axum_service`.
//! Set `OIDC_ISSUER` (and `OIDC_STATE_DIR`) to use a real provider and keep the store.

// An example prints what it does.
#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use oidc_discovery::{load_configuration, DiscoveryOptions};
use oidc_registration::ManagementOptions;
use oidc_store::{ensure_registered, EnsureOutcome, FileStore, StoreKey, StoreOptions};
use oidc_types::{ApplicationType, ClientMetadata, RegisteredClient};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// The metadata this service registers with.
fn metadata() -> ClientMetadata {
    let mut metadata = ClientMetadata::new(["http://127.0.0.1:8080/callback"]);
    metadata.application_type = Some(ApplicationType::Web);
    metadata.client_name.set_value("example axum service");
    metadata
}

/// The registration to use: the stored one while the provider still knows it (checked with an
/// RFC 7592 read, `verify_stored`), else a new one. An outage or a refusal is an error here,
/// never a second registration.
async fn registration(issuer: &str, directory: &Path) -> Result<RegisteredClient, Error> {
    let provider = load_configuration(issuer, &DiscoveryOptions::default())
        .await?
        .metadata;
    let store = FileStore::open(directory)?;
    let key = StoreKey::new(&provider.issuer, "default");
    let options = StoreOptions::default().with_verify_stored(true);
    let ensured = ensure_registered(&store, &key, &provider, &metadata(), &options).await?;
    for problem in &ensured.problems {
        eprintln!("warning: {problem}");
    }
    match &ensured.outcome {
        EnsureOutcome::Stored => println!("reusing client {}", ensured.client.client_id),
        EnsureOutcome::Registered => println!("registered client {}", ensured.client.client_id),
        EnsureOutcome::Replaced { previous_client_id } => println!(
            "client {previous_client_id} is gone at the provider: registered {}",
            ensured.client.client_id
        ),
        _ => println!("client {}", ensured.client.client_id),
    }
    Ok(ensured.client)
}

async fn whoami(State(client): State<Arc<RegisteredClient>>) -> String {
    format!("this service is client {}\n", client.client_id)
}

/// Starts the service once: registration, then one request to itself, then shutdown.
async fn start_once(issuer: &str, directory: &Path) -> Result<String, Error> {
    let client = Arc::new(registration(issuer, directory).await?);
    let app = Router::new()
        .route("/", get(whoami))
        .with_state(client.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let request = http::Request::get(format!("http://{address}/")).body(bytes::Bytes::new())?;
    let client = oidc_http::default_client();
    let response = oidc_http::send(client.as_ref(), request, None, Default::default()).await?;
    server.abort();
    Ok(String::from_utf8_lossy(response.body()).into_owned())
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let provider = oidc_test_provider::TestProvider::start().await;
    let issuer = std::env::var("OIDC_ISSUER").unwrap_or_else(|_| provider.issuer());
    let state = tempfile::tempdir()?;
    let dir: PathBuf =
        std::env::var_os("OIDC_STATE_DIR").map_or_else(|| state.path().into(), Into::into);
    let directory = dir.join("registrations");

    let first = start_once(&issuer, &directory).await?; // registers
    print!("{first}");
    print!("{}", start_once(&issuer, &directory).await?); // reuses
                                                          // The provider deletes the client behind the service's back; the next start notices.
    let client = registration(&issuer, &directory).await?;
    oidc_registration::delete_client(&client, &ManagementOptions::default()).await?;
    let again = start_once(&issuer, &directory).await?; // registers again
    print!("{again}");
    assert_ne!(first, again, "a new client replaced the deleted one");
    Ok(())
}
