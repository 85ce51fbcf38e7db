//! A registered client as the caller keeps it between calls: the provider's latest word on its
//! credentials and metadata.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::registration_response::secret_expiry;
use crate::{ClientMetadata, RegistrationResponse, Secret};

/// A client registration to keep and manage (RFC 7592).
///
/// Providers may rotate the client secret and the registration access token on any read or
/// update, and the old values stop working at once (RFC 7592 §2.1, §2.2). This value is updated
/// in place from every management response ([`RegisteredClient::apply`], called by
/// `oidc-registration`'s `read_client` / `update_client`), so it always holds the current
/// credentials; the returned [`CredentialChanges`] says when they changed and the value should
/// be persisted again.
///
/// It serializes to JSON **with** its secrets, on purpose, so the caller can store it (in a
/// file only they can read, a secret store, …). `Debug` never shows them.
///
/// ```
/// use oidc_types::{ClientMetadata, RegisteredClient, RegistrationResponse};
///
/// let sent = ClientMetadata::new(["https://app.example/cb"]);
/// let response = RegistrationResponse::from_json(br#"{
///     "client_id": "abc", "client_secret": "s1", "client_secret_expires_at": 0,
///     "registration_access_token": "t1",
///     "registration_client_uri": "https://op.example/register/abc",
///     "redirect_uris": ["https://app.example/cb"]
/// }"#).unwrap();
/// let mut client = RegisteredClient::from_registration("https://op.example", &sent, response);
///
/// // A later read answers with a rotated token:
/// let read = RegistrationResponse::from_json(br#"{
///     "client_id": "abc", "registration_access_token": "t2",
///     "redirect_uris": ["https://app.example/cb"]
/// }"#).unwrap();
/// let changes = client.apply(read).unwrap();
/// assert!(changes.registration_access_token_rotated && !changes.client_secret_rotated);
/// assert_eq!(client.registration_access_token.as_ref().unwrap().expose(), "t2");
/// assert_eq!(client.client_secret.as_ref().unwrap().expose(), "s1");
/// assert!(!format!("{client:?}").contains("t2"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RegisteredClient {
    /// The issuer of the provider the client is registered with (used for telemetry labels and
    /// to tell registrations apart; the management calls use `registration_client_uri`).
    pub issuer: String,
    /// The client identifier; it never changes (RFC 7592 §3).
    pub client_id: String,
    /// The current client secret, if one was issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Secret>,
    /// The current registration access token: the Bearer token of the management calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_access_token: Option<Secret>,
    /// The client configuration endpoint, used exactly as the provider gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_client_uri: Option<String>,
    /// When the client id was issued (seconds since the Unix epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id_issued_at: Option<i64>,
    /// When the secret expires (seconds since the Unix epoch; `0` = never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_expires_at: Option<i64>,
    /// The metadata as the provider last reported it (or as last sent, when the provider does
    /// not echo metadata).
    pub metadata: ClientMetadata,
}

/// Which credentials a management response replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
#[must_use = "rotated credentials must be persisted, or the next call fails"]
pub struct CredentialChanges {
    /// The provider issued a new client secret; the old one no longer works.
    pub client_secret_rotated: bool,
    /// The provider issued a new registration access token; the old one no longer works.
    pub registration_access_token_rotated: bool,
}

impl CredentialChanges {
    /// Whether any credential changed, i.e. whether the client must be persisted again.
    pub fn any(self) -> bool {
        self.client_secret_rotated || self.registration_access_token_rotated
    }
}

/// A management response that does not belong to the client it was applied to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the provider answered for client {found:?}, expected {expected:?} (a client id never changes)"
)]
#[non_exhaustive]
pub struct ClientIdMismatch {
    /// The client id held.
    pub expected: String,
    /// The client id in the response.
    pub found: String,
}

impl RegisteredClient {
    /// The client a registration created. `sent` is the metadata that was registered: it is
    /// kept when the provider echoes none (some answer with only the id and credentials).
    pub fn from_registration(
        issuer: impl Into<String>,
        sent: &ClientMetadata,
        response: RegistrationResponse,
    ) -> Self {
        let metadata = if response.has_echoed_metadata() {
            response.metadata
        } else {
            sent.clone()
        };
        Self {
            issuer: issuer.into(),
            client_id: response.client_id,
            client_secret: response.client_secret,
            registration_access_token: response.registration_access_token,
            registration_client_uri: response.registration_client_uri,
            client_id_issued_at: response.client_id_issued_at,
            client_secret_expires_at: response.client_secret_expires_at,
            metadata,
        }
    }

    /// Takes in a read or update response: new credentials replace the old ones (RFC 7592
    /// §2.1: the old ones must be discarded at once), members the response leaves out keep
    /// their current value, and the echoed metadata replaces the held metadata.
    ///
    /// # Errors
    ///
    /// [`ClientIdMismatch`] when the response is about another client; nothing is changed.
    pub fn apply(
        &mut self,
        response: RegistrationResponse,
    ) -> Result<CredentialChanges, ClientIdMismatch> {
        if response.client_id != self.client_id {
            return Err(ClientIdMismatch {
                expected: self.client_id.clone(),
                found: response.client_id,
            });
        }
        let echoed = response.has_echoed_metadata();
        let changes = CredentialChanges {
            client_secret_rotated: replace_if_new(&mut self.client_secret, response.client_secret),
            registration_access_token_rotated: replace_if_new(
                &mut self.registration_access_token,
                response.registration_access_token,
            ),
        };
        if response.registration_client_uri.is_some() {
            self.registration_client_uri = response.registration_client_uri;
        }
        if response.client_id_issued_at.is_some() {
            self.client_id_issued_at = response.client_id_issued_at;
        }
        if response.client_secret_expires_at.is_some() {
            self.client_secret_expires_at = response.client_secret_expires_at;
        }
        if echoed {
            self.metadata = response.metadata;
        }
        Ok(changes)
    }

    /// When the client secret expires; `None` when it never does (`0`) or nothing is known.
    pub fn secret_expires_at(&self) -> Option<SystemTime> {
        secret_expiry(self.client_secret_expires_at)
    }

    /// Whether the client secret has expired now.
    pub fn is_secret_expired(&self) -> bool {
        self.secret_expires_at()
            .is_some_and(|expires_at| SystemTime::now() >= expires_at)
    }
}

/// Stores `new` when there is one; reports whether it differs from what was held.
fn replace_if_new(held: &mut Option<Secret>, new: Option<Secret>) -> bool {
    match new {
        Some(new) if held.as_ref() != Some(&new) => {
            *held = Some(new);
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(json: &str) -> RegistrationResponse {
        RegistrationResponse::from_json(json.as_bytes()).unwrap()
    }

    fn registered() -> RegisteredClient {
        let sent = ClientMetadata::new(["https://app.example/cb"]);
        RegisteredClient::from_registration(
            "https://op.example",
            &sent,
            response(
                r#"{"client_id":"abc","client_secret":"s1","registration_access_token":"t1",
                    "registration_client_uri":"https://op.example/r/abc?x=1","client_secret_expires_at":0,
                    "redirect_uris":["https://app.example/cb"],"client_name":"Echoed"}"#,
            ),
        )
    }

    #[test]
    fn echoed_metadata_is_kept_and_sent_metadata_fills_in_when_nothing_is_echoed() {
        assert_eq!(registered().metadata.client_name.value(), Some("Echoed"));
        let mut sent = ClientMetadata::new(["https://app.example/cb"]);
        sent.client_name.set_value("Sent");
        let bare = RegisteredClient::from_registration(
            "https://op.example",
            &sent,
            response(r#"{"client_id":"abc","client_id_issued_at":1}"#),
        );
        assert_eq!(bare.metadata, sent);
    }

    #[test]
    fn rotation_is_reported_and_applied() {
        let mut client = registered();
        let changes = client
            .apply(response(
                r#"{"client_id":"abc","client_secret":"s2","registration_access_token":"t1"}"#,
            ))
            .unwrap();
        assert!(changes.client_secret_rotated);
        assert!(!changes.registration_access_token_rotated);
        assert!(changes.any());
        assert_eq!(client.client_secret.as_ref().unwrap().expose(), "s2");
        // Nothing echoed: the held metadata and URI stay.
        assert_eq!(client.metadata.client_name.value(), Some("Echoed"));
        assert_eq!(
            client.registration_client_uri.as_deref(),
            Some("https://op.example/r/abc?x=1")
        );

        let unchanged = client
            .apply(response(r#"{"client_id":"abc","client_name":"New"}"#))
            .unwrap();
        assert!(!unchanged.any());
        assert_eq!(client.metadata.client_name.value(), Some("New"));
    }

    #[test]
    fn secret_expiry_follows_client_secret_expires_at() {
        let mut client = registered();
        assert_eq!(client.secret_expires_at(), None);
        assert!(!client.is_secret_expired());
        client.client_secret_expires_at = Some(1);
        assert_eq!(
            client.secret_expires_at(),
            Some(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1))
        );
        assert!(client.is_secret_expired());
        client.client_secret_expires_at = None;
        assert_eq!(client.secret_expires_at(), None);
        assert!(!client.is_secret_expired());
    }

    #[test]
    fn another_clients_response_changes_nothing() {
        let mut client = registered();
        let before = client.clone();
        let error = client
            .apply(response(
                r#"{"client_id":"other","registration_access_token":"t9"}"#,
            ))
            .unwrap_err();
        assert_eq!(error.found, "other");
        assert_eq!(client, before);
    }

    #[test]
    fn persists_with_secrets_and_debug_hides_them() {
        let client = registered();
        let json = serde_json::to_value(&client).unwrap();
        assert_eq!(json["client_secret"], "s1");
        assert_eq!(json["registration_access_token"], "t1");
        assert_eq!(json["metadata"]["client_name"], "Echoed");
        let back: RegisteredClient = serde_json::from_value(json).unwrap();
        assert_eq!(back, client);
        let shown = format!("{client:?}");
        assert!(!shown.contains("s1") && !shown.contains("t1"), "{shown}");
    }

    #[test]
    fn a_stored_secret_of_the_wrong_type_is_not_quoted_in_the_error() {
        let mut stored = serde_json::to_value(registered()).unwrap();
        stored["registration_access_token"] = serde_json::json!(8_675_309_112_358_u64);
        let error = serde_json::from_value::<RegisteredClient>(stored)
            .unwrap_err()
            .to_string();
        assert!(!error.contains("8675309112358"), "{error}");
    }
}
