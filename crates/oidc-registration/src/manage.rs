//! Reading, updating and deleting a registration (RFC 7592, OIDC DCR §4).

use std::sync::Arc;
use std::time::Duration;

use http::{Method, StatusCode};
use oidc_http::HttpClient;
use oidc_telemetry::{instrument, Operation};
use oidc_types::{
    ClientMetadata, CredentialChanges, RegisteredClient, RegistrationResponse, Secret,
};
use url::Url;

use crate::exchange::{build_request, error_from_response, read_registration, send, Endpoint};
use crate::{RegistrationError, Validation};

/// Settings for [`read_client`], [`update_client`] and [`delete_client`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ManagementOptions {
    /// A limit for this call, on top of the HTTP client's own timeouts.
    pub timeout: Option<Duration>,
    /// The checks [`update_client`] runs on the new metadata before sending. Default:
    /// [`Validation::Metadata`]. ([`Validation::AgainstProvider`] needs the provider metadata,
    /// which management calls do not have; it counts as [`Validation::Metadata`] here.)
    pub validation: Validation,
    /// The HTTP client; `None` means [`oidc_http::default_client`].
    pub http_client: Option<Arc<dyn HttpClient>>,
}

impl ManagementOptions {
    /// Limits each call to `timeout`.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Chooses the checks run before an update.
    pub fn with_validation(mut self, validation: Validation) -> Self {
        self.validation = validation;
        self
    }

    /// Uses `client` instead of the shared default client.
    pub fn with_http_client(mut self, client: Arc<dyn HttpClient>) -> Self {
        self.http_client = Some(client);
        self
    }
}

/// Reads the client's current registration (RFC 7592 §2.1): GET on its
/// `registration_client_uri` with its registration access token.
///
/// The answer updates `client` in place: metadata, and any secret or token the provider
/// rotated (the old ones stop working at once). Persist `client` again when the returned
/// [`CredentialChanges::any`] is true. Emits `read_client` telemetry.
///
/// # Errors
///
/// [`RegistrationError::NotManageable`] when the client has no configuration URI or token;
/// `TokenRejected` for a refused token (also what providers answer once the client is gone);
/// the other [`RegistrationError`]s for refusals and broken exchanges. On error `client` is
/// unchanged.
pub async fn read_client(
    client: &mut RegisteredClient,
    options: &ManagementOptions,
) -> Result<CredentialChanges, RegistrationError> {
    let issuer = client.issuer.clone();
    instrument(Operation::ReadClient, &issuer, async {
        let response = exchange(client, Method::GET, None, options).await?;
        Ok(client.apply(response)?)
    })
    .await
}

/// Replaces the client's registered metadata with `metadata` (RFC 7592 §2.2): PUT on its
/// `registration_client_uri`.
///
/// This is a full replacement: fields left out of `metadata` are deleted at the provider. The
/// body carries `client_id` and never `registration_access_token`, `registration_client_uri`,
/// `client_secret_expires_at` or `client_id_issued_at` (nor the secret). The answer updates
/// `client` in place, rotated credentials included (node oidc-provider and Keycloak issue a new
/// registration access token on every update). Emits `update_client` telemetry.
///
/// # Errors
///
/// As [`read_client`], plus `InvalidMetadata` / `UnsendableMetadata` before anything is sent,
/// and `Provider` when the provider refuses the new metadata.
pub async fn update_client(
    client: &mut RegisteredClient,
    metadata: &ClientMetadata,
    options: &ManagementOptions,
) -> Result<CredentialChanges, RegistrationError> {
    let issuer = client.issuer.clone();
    instrument(Operation::UpdateClient, &issuer, async {
        if options.validation != Validation::Off {
            metadata.validate()?;
        }
        let body = update_body(&client.client_id, metadata)?;
        let response = exchange(client, Method::PUT, Some(body), options).await?;
        let echoed = response.has_echoed_metadata();
        let changes = client.apply(response)?;
        if !echoed {
            // What was sent is then the best record of what is registered.
            client.metadata = metadata.clone();
        }
        Ok(changes)
    })
    .await
}

/// Deletes the registration (RFC 7592 §2.3): DELETE on its `registration_client_uri`.
///
/// Success is 204 (200 is accepted too: some providers answer so). The client's credentials are
/// invalid afterwards; drop `client`. Emits `delete_client` telemetry.
///
/// # Errors
///
/// `MethodNotAllowed` when the provider does not support deletion (405), else as
/// [`read_client`].
pub async fn delete_client(
    client: &RegisteredClient,
    options: &ManagementOptions,
) -> Result<(), RegistrationError> {
    instrument(Operation::DeleteClient, &client.issuer, async {
        let (uri, token) = management_target(client)?;
        let request = build_request(Method::DELETE, uri, Some(token), None)?;
        let response = send(options.http_client.as_ref(), request, options.timeout).await?;
        match response.status() {
            StatusCode::NO_CONTENT | StatusCode::OK => Ok(()),
            _ => Err(error_from_response(
                Endpoint::ClientConfiguration,
                &Method::DELETE,
                &response,
            )),
        }
    })
    .await
}

/// Sends a GET or PUT and reads the registration in its 200 answer.
async fn exchange(
    client: &RegisteredClient,
    method: Method,
    body: Option<Vec<u8>>,
    options: &ManagementOptions,
) -> Result<RegistrationResponse, RegistrationError> {
    let (uri, token) = management_target(client)?;
    let request = build_request(method.clone(), uri, Some(token), body)?;
    let response = send(options.http_client.as_ref(), request, options.timeout).await?;
    read_registration(
        Endpoint::ClientConfiguration,
        &method,
        &response,
        &[StatusCode::OK],
    )
}

/// The configuration URI and token, after checking the URI may carry the token: https, or http
/// to this machine only, whatever the HTTP client would allow (the token grants full control
/// of the registration).
fn management_target(client: &RegisteredClient) -> Result<(&str, &Secret), RegistrationError> {
    let not_manageable = |missing| RegistrationError::NotManageable {
        client_id: client.client_id.clone(),
        missing,
    };
    let uri = client
        .registration_client_uri
        .as_deref()
        .ok_or_else(|| not_manageable("registration_client_uri"))?;
    let token = client
        .registration_access_token
        .as_ref()
        .ok_or_else(|| not_manageable("registration_access_token"))?;
    let invalid = |reason: &str| RegistrationError::InvalidEndpoint {
        url: oidc_http::redact_url(uri),
        reason: reason.to_owned(),
    };
    let url = Url::parse(uri).map_err(|error| invalid(&format!("not a URL: {error}")))?;
    let loopback = url.host_str().is_some_and(oidc_http::is_loopback_host);
    match url.scheme() {
        "https" => Ok((uri, token)),
        "http" if loopback => Ok((uri, token)),
        "http" => Err(invalid(
            "the registration client URI must use https unless it is on this machine",
        )),
        _ => Err(invalid("the scheme must be https")),
    }
}

/// The PUT body: the metadata with `client_id` first (RFC 7592 §2.2).
///
/// Spliced into the serialized metadata rather than built through a `serde_json::Value`, so the
/// metadata is serialized once. Metadata serialization refuses extra fields named like the
/// registration-only members, so `client_id` cannot appear twice.
fn update_body(client_id: &str, metadata: &ClientMetadata) -> Result<Vec<u8>, RegistrationError> {
    let unsendable = |source| RegistrationError::UnsendableMetadata { source };
    let fields = metadata.to_json_vec().map_err(unsendable)?;
    let id = serde_json::to_vec(client_id).map_err(unsendable)?;
    let rest = fields.strip_prefix(b"{").unwrap_or(&fields);
    let mut body = Vec::with_capacity(fields.len() + id.len() + 16);
    body.extend_from_slice(b"{\"client_id\":");
    body.extend_from_slice(&id);
    if rest != b"}" {
        body.push(b',');
    }
    body.extend_from_slice(rest);
    Ok(body)
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    #[test]
    fn update_body_starts_with_the_client_id_and_carries_no_registration_members() {
        let mut metadata = ClientMetadata::new(["https://app.example/cb"]);
        metadata.client_name.set_value("Name \"quoted\"");
        let body = update_body("id \"1\"", &metadata).unwrap();
        let text = String::from_utf8(body.clone()).unwrap();
        assert!(text.starts_with(r#"{"client_id":"id \"1\"","#), "{text}");
        let parsed: serde_json::Map<String, Value> = serde_json::from_slice(&body).unwrap();
        assert_eq!(parsed["client_id"], "id \"1\"");
        assert_eq!(parsed["client_name"], "Name \"quoted\"");
        for forbidden in [
            "registration_access_token",
            "registration_client_uri",
            "client_secret_expires_at",
            "client_id_issued_at",
            "client_secret",
        ] {
            assert!(!parsed.contains_key(forbidden), "{forbidden}");
        }
    }

    fn client_at(uri: &str) -> RegisteredClient {
        let response = RegistrationResponse::from_json(
            format!(r#"{{"client_id":"c","registration_access_token":"t","registration_client_uri":"{uri}"}}"#)
                .as_bytes(),
        )
        .unwrap();
        RegisteredClient::from_registration(
            "https://op.example",
            &ClientMetadata::default(),
            response,
        )
    }

    #[test]
    fn the_token_only_travels_over_https_or_to_this_machine() {
        for uri in [
            "https://op.example/r/c?x=1",
            "http://127.0.0.1:8080/r/c",
            "http://localhost/r",
            "http://[::1]/r",
        ] {
            assert!(management_target(&client_at(uri)).is_ok(), "{uri}");
        }
        for uri in ["http://op.example/r/c", "ftp://op.example/r", "/relative"] {
            let error = management_target(&client_at(uri)).unwrap_err();
            assert!(
                matches!(error, RegistrationError::InvalidEndpoint { .. }),
                "{uri}: {error}"
            );
        }
    }

    #[test]
    fn a_client_without_uri_or_token_is_not_manageable() {
        let response = RegistrationResponse::from_json(br#"{"client_id":"c"}"#).unwrap();
        let client = RegisteredClient::from_registration(
            "https://op.example",
            &ClientMetadata::default(),
            response,
        );
        let error = management_target(&client).unwrap_err();
        assert!(
            matches!(
                error,
                RegistrationError::NotManageable {
                    missing: "registration_client_uri",
                    ..
                }
            ),
            "{error}"
        );
    }
}
