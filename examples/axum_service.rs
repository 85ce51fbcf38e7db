//! An axum service that registers itself with its OpenID Provider at start-up, keeps the
//! registration in a file, and reuses it on the next start: it registers again only when the
//! provider has deleted the client, never because of an outage.
//!
//! Runs against the in-process provider: `cargo run -p oidc-examples --example axum_service`.
//! Set `OIDC_ISSUER` (and `OIDC_STATE_DIR`) to use a real provider and keep the file.

// An example prints what it does.
#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use oidc_discovery::{load_configuration, DiscoveryOptions};
use oidc_registration::{
    read_client, register_client, ManagementOptions, RegisterOptions, RegistrationErrorKind,
};
use oidc_types::{ApplicationType, ClientMetadata, RegisteredClient};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// The metadata this service registers with.
fn metadata() -> ClientMetadata {
    let mut metadata = ClientMetadata::new(["http://127.0.0.1:8080/callback"]);
    metadata.application_type = Some(ApplicationType::Web);
    metadata.client_name.set_value("example axum service");
    metadata
}

/// The registration to use: the stored one while the provider still knows it, else a new one.
async fn registration(issuer: &str, file: &Path) -> Result<RegisteredClient, Error> {
    if let Ok(stored) = std::fs::read(file) {
        let mut client: RegisteredClient = serde_json::from_slice(&stored)?;
        match read_client(&mut client, &ManagementOptions::default()).await {
            Ok(applied) => {
                if applied.credentials_changed() {
                    save(file, &client)?; // rotated: the old credentials no longer work
                }
                println!("reusing client {}", client.client_id);
                return Ok(client);
            }
            // "Gone": the provider no longer knows the client (RFC 7592 says 401; some send 404).
            Err(error)
                if matches!(
                    error.kind(),
                    RegistrationErrorKind::TokenRejected { .. }
                        | RegistrationErrorKind::ClientNotFound { .. }
                ) =>
            {
                println!(
                    "client {} is gone at the provider: registering again",
                    client.client_id
                );
            }
            // Anything else (an outage, a timeout) must never cause a second registration.
            Err(error) => return Err(error.into()),
        }
    }
    let provider = load_configuration(issuer, &DiscoveryOptions::default())
        .await?
        .metadata;
    let registration = register_client(&provider, &metadata(), &RegisterOptions::default()).await?;
    for problem in &registration.problems {
        eprintln!("warning: {problem}");
    }
    save(file, &registration.client)?;
    println!("registered client {}", registration.client.client_id);
    Ok(registration.client)
}

/// Writes the registration (with its secrets) where only this user can read it.
fn save(file: &Path, client: &RegisteredClient) -> Result<(), Error> {
    let temporary = file.with_extension("tmp");
    std::fs::write(&temporary, serde_json::to_vec(client)?)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&temporary, std::fs::Permissions::from_mode(0o600))?;
    }
    std::fs::rename(temporary, file)?;
    Ok(())
}

async fn whoami(State(client): State<Arc<RegisteredClient>>) -> String {
    format!("this service is client {}\n", client.client_id)
}

/// Starts the service once: registration, then one request to itself, then shutdown.
async fn start_once(issuer: &str, file: &Path) -> Result<String, Error> {
    let client = Arc::new(registration(issuer, file).await?);
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
    let file = dir.join("registration.json");

    print!("{}", start_once(&issuer, &file).await?); // registers
    print!("{}", start_once(&issuer, &file).await?); // reuses
                                                     // The provider deletes the client behind the service's back; the next start notices.
    let client: RegisteredClient = serde_json::from_slice(&std::fs::read(&file)?)?;
    oidc_registration::delete_client(&client, &ManagementOptions::default()).await?;
    print!("{}", start_once(&issuer, &file).await?); // registers again
    Ok(())
}
