//! A multi-tenant registrar: one client per tenant, each tenant on its own provider, registered
//! concurrently through one `ProviderCache` (each provider's configuration is loaded once,
//! however many registrations need it).
//!
//! Runs against in-process providers: `cargo run -p oidc-examples --example multi_tenant`.

// An example prints what it does.
#![allow(clippy::print_stdout)]

use std::sync::Arc;

use oidc_discovery::ProviderCache;
use oidc_registration::{register_client, RegisterOptions};
use oidc_test_provider::{Endpoint, TestProvider};
use oidc_types::ClientMetadata;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    // Three providers, and five tenants on each.
    let mut providers = Vec::new();
    for _ in 0..3 {
        providers.push(TestProvider::start().await);
    }
    let cache = Arc::new(ProviderCache::builder().max_issuers(16).build());

    let mut tasks = tokio::task::JoinSet::new();
    for provider in &providers {
        for tenant in 0..5 {
            let cache = Arc::clone(&cache);
            let issuer = provider.issuer();
            tasks.spawn(async move {
                let configuration = cache.configuration(&issuer).await?;
                let mut metadata =
                    ClientMetadata::new([format!("https://tenant-{tenant}.app.example/callback")]);
                metadata.client_name.set_value(format!("tenant {tenant}"));
                let registration = register_client(
                    &configuration.metadata,
                    &metadata,
                    &RegisterOptions::default(),
                )
                .await?;
                Ok::<_, Error>((issuer, tenant, registration.client.client_id))
            });
        }
    }
    while let Some(done) = tasks.join_next().await {
        let (issuer, tenant, client_id) = done??;
        println!("{issuer}: tenant {tenant} is client {client_id}");
    }
    for provider in &providers {
        // Five registrations, one discovery document fetch.
        assert_eq!(provider.request_count(Endpoint::Registration), 5);
        assert_eq!(provider.request_count(Endpoint::Discovery), 1);
    }
    println!("15 registrations, {} configuration loads", providers.len());
    Ok(())
}
