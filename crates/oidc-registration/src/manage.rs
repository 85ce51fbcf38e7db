//! Reading, updating and deleting a registration (RFC 7592, OIDC DCR §4).

use std::sync::Arc;
use std::time::Duration;

use http::{Method, StatusCode};
use oidc_http::{CallOptions, HttpClient, PlainHttp};
use oidc_telemetry::{instrument, Operation};
use oidc_types::{AppliedAnswer, ClientMetadata, RegisteredClient, RegistrationResponse, Secret};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

use crate::exchange::{
    build_request, client_uri_problem, client_uri_refusal, error_from_response, read_registration,
    send, Endpoint,
};
use crate::{RegistrationError, RegistrationErrorKind, RegistrationOperation, Validation};

/// Settings for [`read_client`], [`update_client`] and [`delete_client`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ManagementOptions {
    /// The checks [`update_client`] runs on the new metadata before sending. Default:
    /// [`Validation::Metadata`]. ([`Validation::AgainstProvider`] needs the provider metadata,
    /// which management calls do not have; it counts as [`Validation::Metadata`] here.)
    pub validation: Validation,
    /// The HTTP client, the per-call timeout and the https policy (by default plain http only
    /// to this machine; a registration made with [`PlainHttp::Anywhere`] needs it here too).
    pub call: CallOptions,
    /// Whether the registration access token may go to a `registration_client_uri` on an origin
    /// other than the registration endpoint's and the issuer's. RFC 7592 §3 allows another
    /// host, but a provider (or whoever altered a stored registration) could name any server,
    /// and the token grants full control of the registration; so it is refused unless allowed
    /// here. Default `false`.
    pub allow_foreign_registration_client_uri: bool,
}

impl ManagementOptions {
    /// Sets where plain http may be used; see [`PlainHttp`].
    pub fn with_plain_http(mut self, plain_http: PlainHttp) -> Self {
        self.call.plain_http = plain_http;
        self
    }

    /// Allows a `registration_client_uri` on another origin; see
    /// [`allow_foreign_registration_client_uri`](Self::allow_foreign_registration_client_uri).
    pub fn with_foreign_registration_client_uri(mut self, allow: bool) -> Self {
        self.allow_foreign_registration_client_uri = allow;
        self
    }

    /// Limits each call to `timeout`.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.call.timeout = Some(timeout);
        self
    }

    /// Chooses the checks run before an update.
    pub fn with_validation(mut self, validation: Validation) -> Self {
        self.validation = validation;
        self
    }

    /// Uses `client` instead of the shared default client.
    pub fn with_http_client(mut self, client: Arc<dyn HttpClient>) -> Self {
        self.call.http_client = Some(client);
        self
    }
}

/// Reads the client's current registration (RFC 7592 §2.1): GET on its
/// `registration_client_uri` with its registration access token.
///
/// The answer updates `client` in place ([`RegisteredClient::apply`]): any secret or token the
/// provider rotated (the old ones stop working at once) first, then the metadata. Persist
/// `client` again when [`AppliedAnswer::credentials_changed`] is true. Like [`register`](crate::register),
/// any 2xx with a JSON object body is taken in, even without `client_id` (it is then taken to
/// be about `client`), and everything odd about it is in [`AppliedAnswer::problems`]. Emits
/// `read_client` telemetry.
///
/// # Errors
///
/// [`RegistrationErrorKind::NotManageable`] when the client has no configuration URI or token;
/// `TokenRejected` for a refused token (also what providers answer once the client is gone);
/// the other kinds for refusals and broken exchanges. On error `client` is unchanged.
pub async fn read_client(
    client: &mut RegisteredClient,
    options: &ManagementOptions,
) -> Result<AppliedAnswer, RegistrationError> {
    let issuer = client.issuer.clone();
    instrument(Operation::ReadClient, &issuer, async {
        let during = |kind| RegistrationError::new(RegistrationOperation::Read, kind);
        let response = exchange(client, Method::GET, None, options)
            .await
            .map_err(during)?;
        client
            .apply(response)
            .map_err(|mismatch| during(mismatch.into()))
    })
    .await
}

/// Changes some of the client's registered metadata (RFC 7592 §2.2) and leaves the rest as
/// the provider stored it: `edit` changes a copy of [`RegisteredClient::metadata`], and the PUT
/// sends the provider's metadata object ([`RegisteredClient::metadata_object`]) with exactly
/// those changes applied ([`RegisteredClient::changed_metadata_object`]).
///
/// RFC 7592 updates are full replacements, so this is the safe way to change a member: members
/// the typed model could not read (a key type it does not know, an odd type, a vendor member)
/// and members the caller did not touch go back exactly as the provider echoed them. To send a
/// whole new registration instead, use [`replace_client`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use oidc_registration::{register, RegisterOptions};
/// use oidc_registration::{update_client, ManagementOptions};
/// use oidc_types::{ClientMetadata, RegisteredClient};
/// # let op = oidc_test_provider::TestProvider::start().await;
/// # let provider = oidc_discovery::load_configuration(&op.issuer(), &Default::default()).await?.metadata;
/// # let sent = ClientMetadata::new(["https://app.example/cb"]);
/// # let response = register(&provider, &sent, &RegisterOptions::default()).await?;
/// # let mut client = RegisteredClient::from_registration(&provider.issuer, &sent, response);
///
/// let applied = update_client(
///     &mut client,
///     |metadata| metadata.client_name.set_value("Renamed"),
///     &ManagementOptions::default(),
/// )
/// .await?;
/// if applied.credentials_changed() {
///     // Persist `client` again: the old token no longer works.
/// }
/// assert_eq!(client.metadata().client_name.value(), Some("Renamed"));
/// # Ok(()) }
/// ```
///
/// The body carries `client_id` first and never `registration_access_token`,
/// `registration_client_uri`, `client_secret_expires_at`, `client_id_issued_at` or the secret.
/// The answer updates `client` in place as for [`read_client`], rotated credentials first (node
/// oidc-provider and Keycloak issue a new registration access token on every update); when it
/// echoes no metadata, the object sent is held. Emits `update_client` telemetry.
///
/// # Errors
///
/// As [`read_client`], plus `InvalidMetadata` (validation of the edited metadata, see
/// [`ManagementOptions::validation`]) and `UnsendableMetadata` before anything is sent, and
/// `Provider` when the provider refuses the change.
pub async fn update_client(
    client: &mut RegisteredClient,
    edit: impl FnOnce(&mut ClientMetadata),
    options: &ManagementOptions,
) -> Result<AppliedAnswer, RegistrationError> {
    let mut edited = client.metadata().clone();
    edit(&mut edited);
    let issuer = client.issuer.clone();
    instrument(Operation::UpdateClient, &issuer, async {
        let during = |kind| RegistrationError::new(RegistrationOperation::Update, kind);
        if options.validation != Validation::Off {
            edited.validate().map_err(|errors| during(errors.into()))?;
        }
        let mut object = client.metadata_object().clone();
        edited
            .apply_changes_to(client.metadata(), &mut object)
            .map_err(|source| during(RegistrationErrorKind::UnsendableMetadata { source }))?;
        put(client, object, options).await.map_err(during)
    })
    .await
}

/// Replaces the client's whole registration with `metadata` (RFC 7592 §2.2): PUT of
/// `metadata` and nothing else, so every member it does not set is deleted at the provider,
/// including members the provider stored that the typed model cannot read. Use
/// [`update_client`] to change some members and keep the rest.
///
/// Otherwise as [`update_client`]: validation first, `client_id` in the body, the answer taken
/// in with rotated credentials first. Emits `update_client` telemetry.
///
/// # Errors
///
/// As [`update_client`].
pub async fn replace_client(
    client: &mut RegisteredClient,
    metadata: &ClientMetadata,
    options: &ManagementOptions,
) -> Result<AppliedAnswer, RegistrationError> {
    let issuer = client.issuer.clone();
    instrument(Operation::UpdateClient, &issuer, async {
        let during = |kind| RegistrationError::new(RegistrationOperation::Update, kind);
        if options.validation != Validation::Off {
            metadata
                .validate()
                .map_err(|errors| during(errors.into()))?;
        }
        let object = metadata
            .to_json_object()
            .map_err(|source| during(RegistrationErrorKind::UnsendableMetadata { source }))?;
        put(client, object, options).await.map_err(during)
    })
    .await
}

/// Deletes the registration (RFC 7592 §2.3): DELETE on its `registration_client_uri`.
///
/// Success is 204; any other 2xx is accepted too (some providers answer 200, and nothing can be
/// lost by taking a success as one). The client's credentials are invalid afterwards; drop
/// `client`. Emits `delete_client` telemetry.
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
        let during = |kind| RegistrationError::new(RegistrationOperation::Delete, kind);
        let (uri, token) = management_target(client, options).map_err(during)?;
        let request = build_request(Method::DELETE, uri, Some(token), None).map_err(during)?;
        let response = send(&options.call, request).await.map_err(during)?;
        if response.status().is_success() {
            return Ok(());
        }
        Err(during(error_from_response(
            Endpoint::ClientConfiguration,
            &Method::DELETE,
            &response,
            &secrets_of(client),
        )))
    })
    .await
}

/// Sends the update `object` (the metadata without `client_id`) and takes in the answer.
async fn put(
    client: &mut RegisteredClient,
    object: Map<String, Value>,
    options: &ManagementOptions,
) -> Result<AppliedAnswer, RegistrationErrorKind> {
    let body = update_body(&client.client_id, &object)?;
    let response = exchange(client, Method::PUT, Some(body), options).await?;
    Ok(client.apply_update(response, object)?)
}

/// Sends a GET or PUT and reads the registration in its answer (RFC 7592 says 200).
async fn exchange(
    client: &RegisteredClient,
    method: Method,
    body: Option<Vec<u8>>,
    options: &ManagementOptions,
) -> Result<RegistrationResponse, RegistrationErrorKind> {
    let (uri, token) = management_target(client, options)?;
    let request = build_request(method.clone(), uri, Some(token), body)?;
    let response = send(&options.call, request).await?;
    let mut answer = read_registration(
        Endpoint::ClientConfiguration,
        &method,
        &response,
        &[StatusCode::OK],
        Some(&client.client_id),
        &secrets_of(client),
    )?;
    if let Some(problem) = client_uri_problem(
        answer.registration_client_uri.as_deref(),
        uri,
        &home_of(client),
        options.call.plain_http,
        options.allow_foreign_registration_client_uri,
    ) {
        answer.problems.push(problem);
    }
    Ok(answer)
}

/// The URLs whose origins the client's registration access token may go to: the registration
/// endpoint's (when known) and the issuer's.
fn home_of(client: &RegisteredClient) -> Vec<&str> {
    client
        .registration_endpoint
        .as_deref()
        .into_iter()
        .chain([client.issuer.as_str()])
        .collect()
}

/// The secrets a management call sends or the provider holds for the client: scrubbed from any
/// provider text kept in an error.
fn secrets_of(client: &RegisteredClient) -> Vec<&Secret> {
    client
        .registration_access_token
        .iter()
        .chain(client.client_secret.iter())
        .collect()
}

/// The configuration URI and token, after checking the URI may carry the token: an origin the
/// client is known at (the registration endpoint's or the issuer's) unless
/// [`ManagementOptions::allow_foreign_registration_client_uri`]. Whether plain http is allowed is
/// decided where every request is checked, in [`send`](crate::exchange::send).
fn management_target<'c>(
    client: &'c RegisteredClient,
    options: &ManagementOptions,
) -> Result<(&'c str, &'c Secret), RegistrationErrorKind> {
    let not_manageable = |missing| RegistrationErrorKind::NotManageable {
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
    if !options.allow_foreign_registration_client_uri {
        if let Some(reason) = client_uri_refusal(uri, &home_of(client)) {
            return Err(RegistrationErrorKind::RegistrationClientUriRefused {
                uri: oidc_http::redact_url(uri),
                reason,
            });
        }
    }
    Ok((uri, token))
}

/// The PUT body: `client_id` first (RFC 7592 §2.2), then the metadata object without any
/// response member (§2.2 forbids the token, the URI and the times; the secret is left out too,
/// as it may only repeat the current one).
fn update_body(
    client_id: &str,
    object: &Map<String, Value>,
) -> Result<Vec<u8>, RegistrationErrorKind> {
    serde_json::to_vec(&UpdateBody { client_id, object })
        .map_err(|source| RegistrationErrorKind::UnsendableMetadata { source })
}

/// The PUT body, written member by member: `client_id` first whatever order `object`'s `Map`
/// has (sorted by name unless serde_json's `preserve_order` is on), and no copy of the object.
struct UpdateBody<'a> {
    client_id: &'a str,
    object: &'a Map<String, Value>,
}

impl Serialize for UpdateBody<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut body = serializer.serialize_map(None)?;
        body.serialize_entry("client_id", self.client_id)?;
        // `client_id` is one of the response members, so it is never written twice.
        for (member, value) in self.object {
            if !ClientMetadata::RESPONSE_ONLY_MEMBERS.contains(&member.as_str()) {
                body.serialize_entry(member, value)?;
            }
        }
        body.end()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    #[test]
    fn update_body_starts_with_the_client_id_and_carries_no_registration_members() {
        let mut metadata = ClientMetadata::new(["https://app.example/cb"]);
        metadata.client_name.set_value("Name \"quoted\"");
        // Sorts before `client_id`: first in a sorted `Map`, never in the body.
        metadata.application_type = Some(oidc_types::ApplicationType::Web);
        let mut object = metadata.to_json_object().unwrap();
        object.insert("client_id".into(), "stale".into());
        // As if a provider had echoed them into the held object: never sent back.
        object.insert("registration_access_token".into(), "t".into());
        object.insert("client_secret_expires_at".into(), 0.into());
        let body = update_body("id \"1\"", &object).unwrap();
        let text = String::from_utf8(body.clone()).unwrap();
        assert!(text.starts_with(r#"{"client_id":"id \"1\"","#), "{text}");
        assert_eq!(text.matches(r#""client_id""#).count(), 1, "{text}");
        assert!(text.contains(r#""application_type":"web""#), "{text}");
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
    fn the_token_only_travels_to_the_origins_the_client_is_known_at() {
        let options = ManagementOptions::default();
        for uri in ["https://op.example/r/c?x=1", "https://OP.example:443/other"] {
            assert!(
                management_target(&client_at(uri), &options).is_ok(),
                "{uri}"
            );
        }
        let mut at_endpoint = client_at("https://reg.op.example/r/c");
        assert!(management_target(&at_endpoint, &options).is_err());
        at_endpoint.registration_endpoint = Some("https://reg.op.example/register".into());
        assert!(management_target(&at_endpoint, &options).is_ok());

        for uri in [
            "https://evil.example/r/c",
            "https://op.example:8443/r",
            "http://op.example/r",
            "not a url",
        ] {
            let error = management_target(&client_at(uri), &options).unwrap_err();
            let RegistrationErrorKind::RegistrationClientUriRefused { reason, .. } = &error else {
                panic!("{uri}: {error}");
            };
            assert!(reason.contains("https://op.example"), "{uri}: {reason}");
        }
        let foreign = client_at("https://evil.example/r/c");
        let error = management_target(&foreign, &options)
            .unwrap_err()
            .to_string();
        assert!(error.contains("https://evil.example"), "{error}");
        let allowed = options.with_foreign_registration_client_uri(true);
        assert!(management_target(&foreign, &allowed).is_ok());
    }

    #[test]
    fn a_client_without_uri_or_token_is_not_manageable() {
        let response = RegistrationResponse::from_json(br#"{"client_id":"c"}"#).unwrap();
        let client = RegisteredClient::from_registration(
            "https://op.example",
            &ClientMetadata::default(),
            response,
        );
        let error = management_target(&client, &ManagementOptions::default()).unwrap_err();
        assert!(
            matches!(
                error,
                RegistrationErrorKind::NotManageable {
                    missing: "registration_client_uri",
                    ..
                }
            ),
            "{error}"
        );
    }
}
