//! A registered client as the caller keeps it between calls: the provider's latest word on its
//! credentials and metadata.

use std::time::SystemTime;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::registration_response::{secret_expiry, ResponseProblem};
use crate::{ClientMetadata, FieldProblem, RegistrationResponse, Secret};

/// A client registration to keep and manage (RFC 7592).
///
/// Providers may rotate the client secret and the registration access token on any read or
/// update, and the old values stop working at once (RFC 7592 §2.1, §2.2). This value is updated
/// in place from every management answer ([`RegisteredClient::apply`], called by
/// `oidc-registration`'s `read_client` / `update_client`), so it always holds the current
/// credentials; the returned [`AppliedAnswer`] says when they changed and the value should be
/// persisted again.
///
/// # What the provider stored is kept
///
/// Besides the credentials, it holds the provider's echoed metadata **object exactly as
/// received** ([`metadata_object`](Self::metadata_object)) and the typed view read from it
/// ([`metadata`](Self::metadata)). An update (RFC 7592 §2.2 updates are full replacements)
/// sends that object with the caller's changes applied
/// ([`changed_metadata_object`](Self::changed_metadata_object)), so a member the typed view
/// could not read — an odd type, a key type the library does not know, a vendor member — goes
/// back exactly as the provider sent it unless the caller changes it. Exactly means every member
/// and value; the members come in the `Map`'s order (see
/// [Member order](crate::json#member-order)), which JSON gives no meaning.
///
/// Whether an answer echoed metadata is decided by
/// [`RegistrationResponse::has_echoed_metadata`]: at least one registered metadata member.
/// When one did not (only the id, credentials or vendor members), the held object is kept; for a
/// registration or an update the object that was sent is held instead, as the best record of
/// what is registered.
///
/// It serializes to JSON **with** its secrets, on purpose, so the caller can store it (in a
/// file only they can read, a secret store, …): the credentials, and the metadata object under
/// `metadata`. `Debug` never shows the secrets.
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
/// let applied = client.apply(read).unwrap();
/// assert!(applied.changes.registration_access_token_rotated);
/// assert!(!applied.changes.client_secret_rotated);
/// assert_eq!(client.registration_access_token.as_ref().unwrap().expose(), "t2");
/// assert_eq!(client.client_secret.as_ref().unwrap().expose(), "s1");
/// assert!(!format!("{client:?}").contains("t2"));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RegisteredClient {
    /// The issuer of the provider the client is registered with (used for telemetry labels and
    /// to tell registrations apart; the management calls use `registration_client_uri`).
    pub issuer: String,
    /// The client identifier; it never changes (RFC 7592 §3).
    pub client_id: String,
    /// The current client secret, if one was issued.
    pub client_secret: Option<Secret>,
    /// The current registration access token: the Bearer token of the management calls.
    pub registration_access_token: Option<Secret>,
    /// The client configuration endpoint, used exactly as the provider gave it.
    pub registration_client_uri: Option<String>,
    /// The registration endpoint the client was registered at, when known
    /// ([`RegistrationResponse::registration_endpoint`]): with the issuer, it says which
    /// origins the registration access token may be sent to.
    pub registration_endpoint: Option<String>,
    /// When the client id was issued (seconds since the Unix epoch).
    pub client_id_issued_at: Option<i64>,
    /// When the secret expires (seconds since the Unix epoch; `0` = never; `None` = unknown).
    pub client_secret_expires_at: Option<i64>,
    /// The typed view of `metadata_object`.
    metadata: ClientMetadata,
    /// The metadata object as the provider last reported it (or as last sent, when the
    /// provider echoed none).
    metadata_object: Map<String, Value>,
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

/// What taking in a management answer did: which credentials changed, and what was odd about
/// the answer (see [`RegistrationResponse::problems`]; each problem is one line for a warning).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
#[must_use = "rotated credentials must be persisted, or the next call fails"]
pub struct AppliedAnswer {
    /// The credentials the answer replaced.
    pub changes: CredentialChanges,
    /// Everything odd about the answer; empty for a well-behaved provider.
    pub problems: Vec<ResponseProblem>,
}

impl AppliedAnswer {
    /// Whether any credential changed, i.e. whether the client must be persisted again.
    pub fn credentials_changed(&self) -> bool {
        self.changes.any()
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
    /// held when the provider echoes none (see [the type's rules](Self#what-the-provider-stored-is-kept)).
    pub fn from_registration(
        issuer: impl Into<String>,
        sent: &ClientMetadata,
        response: RegistrationResponse,
    ) -> Self {
        let metadata_object = if response.has_echoed_metadata() {
            response.metadata_object()
        } else {
            // What could not be serialized was not sent either.
            sent.to_json_object().unwrap_or_default()
        };
        let metadata = ClientMetadata::from_json_object(&metadata_object).0;
        Self {
            issuer: issuer.into(),
            client_id: response.client_id,
            client_secret: response.client_secret,
            registration_access_token: response.registration_access_token,
            registration_client_uri: response.registration_client_uri,
            registration_endpoint: response.registration_endpoint,
            client_id_issued_at: response.client_id_issued_at,
            client_secret_expires_at: response.client_secret_expires_at,
            metadata,
            metadata_object,
        }
    }

    /// The registered metadata, as far as [`ClientMetadata`] can read
    /// [`metadata_object`](Self::metadata_object). Members it could not read are absent here
    /// and listed by [`metadata_problems`](Self::metadata_problems).
    pub fn metadata(&self) -> &ClientMetadata {
        &self.metadata
    }

    /// The registered metadata object exactly as the provider last reported it (without the
    /// response members `client_id`, credentials, `registration_client_uri` and the times).
    pub fn metadata_object(&self) -> &Map<String, Value> {
        &self.metadata_object
    }

    /// The members of [`metadata_object`](Self::metadata_object) that the typed view could not
    /// read.
    pub fn metadata_problems(&self) -> Vec<FieldProblem> {
        ClientMetadata::from_json_object(&self.metadata_object).1
    }

    /// The metadata object an update should send to make the changes `edit` makes to the
    /// typed view, and nothing else: [`metadata_object`](Self::metadata_object) with
    /// [`ClientMetadata::apply_changes_to`] applied. Without the response members (the caller
    /// adds `client_id`, RFC 7592 §2.2).
    ///
    /// # Errors
    ///
    /// When a changed member cannot be sent: private key material in a changed `jwks`, or a
    /// new `extra_fields` key that shadows a member.
    pub fn changed_metadata_object(
        &self,
        edit: impl FnOnce(&mut ClientMetadata),
    ) -> Result<Map<String, Value>, serde_json::Error> {
        let mut edited = self.metadata.clone();
        edit(&mut edited);
        let mut object = self.metadata_object.clone();
        edited.apply_changes_to(&self.metadata, &mut object)?;
        Ok(object)
    }

    /// Takes in a read answer; see [`apply_update`](Self::apply_update), of which this is the
    /// case where nothing was sent.
    ///
    /// # Errors
    ///
    /// [`ClientIdMismatch`] when the answer is about another client; nothing is changed.
    pub fn apply(
        &mut self,
        response: RegistrationResponse,
    ) -> Result<AppliedAnswer, ClientIdMismatch> {
        self.take_in(response, None)
    }

    /// Takes in the answer to an update that sent `sent` (the metadata object, without
    /// `client_id`).
    ///
    /// Credentials first: a new secret or token replaces the old one (RFC 7592 §2.1: the old
    /// ones must be discarded at once). `registration_client_uri` and the times are replaced
    /// when the answer has them; a rotated secret whose answer does not say when it expires has
    /// an unknown expiry (`None`), never the old secret's. Then the metadata: an answer that
    /// echoed metadata replaces the held object and view; one that did not leaves them (a
    /// read) or holds `sent` (an update).
    ///
    /// # Errors
    ///
    /// [`ClientIdMismatch`] when the answer is about another client; nothing is changed.
    pub fn apply_update(
        &mut self,
        response: RegistrationResponse,
        sent: Map<String, Value>,
    ) -> Result<AppliedAnswer, ClientIdMismatch> {
        self.take_in(response, Some(sent))
    }

    fn take_in(
        &mut self,
        response: RegistrationResponse,
        sent: Option<Map<String, Value>>,
    ) -> Result<AppliedAnswer, ClientIdMismatch> {
        if response.client_id != self.client_id {
            return Err(ClientIdMismatch {
                expected: self.client_id.clone(),
                found: response.client_id,
            });
        }
        let echoed = response
            .has_echoed_metadata()
            .then(|| response.metadata_object());
        let mut problems = response.problems;
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
        } else if changes.client_secret_rotated {
            // The old secret's expiry says nothing about the new one.
            self.client_secret_expires_at = None;
            problems.push(ResponseProblem::Credential(FieldProblem::new(
                "client_secret_expires_at",
                "missing next to a new client_secret; its expiry is unknown",
            )));
        }
        match (echoed, sent) {
            (Some(object), _) => {
                self.metadata = response.metadata;
                self.metadata_object = object;
            }
            (None, Some(sent)) => {
                self.metadata = ClientMetadata::from_json_object(&sent).0;
                self.metadata_object = sent;
            }
            (None, None) => {}
        }
        Ok(AppliedAnswer { changes, problems })
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

/// The persisted form: the credentials, and the metadata object under `metadata`. `Stored`
/// reads it; `StoredRef` writes the same members without copying.
#[derive(Deserialize)]
struct Stored {
    issuer: String,
    client_id: String,
    #[serde(default)]
    client_secret: Option<Secret>,
    #[serde(default)]
    registration_access_token: Option<Secret>,
    #[serde(default)]
    registration_client_uri: Option<String>,
    #[serde(default)]
    registration_endpoint: Option<String>,
    #[serde(default)]
    client_id_issued_at: Option<i64>,
    #[serde(default)]
    client_secret_expires_at: Option<i64>,
    #[serde(default)]
    metadata: Map<String, Value>,
}

#[derive(Serialize)]
struct StoredRef<'a> {
    issuer: &'a str,
    client_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<&'a Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    registration_access_token: Option<&'a Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    registration_client_uri: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    registration_endpoint: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_id_issued_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret_expires_at: Option<i64>,
    metadata: &'a Map<String, Value>,
}

impl Serialize for RegisteredClient {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        StoredRef {
            issuer: &self.issuer,
            client_id: &self.client_id,
            client_secret: self.client_secret.as_ref(),
            registration_access_token: self.registration_access_token.as_ref(),
            registration_client_uri: self.registration_client_uri.as_deref(),
            registration_endpoint: self.registration_endpoint.as_deref(),
            client_id_issued_at: self.client_id_issued_at,
            client_secret_expires_at: self.client_secret_expires_at,
            metadata: &self.metadata_object,
        }
        .serialize(serializer)
    }
}

/// Reads what `Serialize` wrote; the metadata object is read leniently into the typed view.
impl<'de> Deserialize<'de> for RegisteredClient {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let stored = Stored::deserialize(deserializer)?;
        Ok(Self {
            metadata: ClientMetadata::from_json_object(&stored.metadata).0,
            issuer: stored.issuer,
            client_id: stored.client_id,
            client_secret: stored.client_secret,
            registration_access_token: stored.registration_access_token,
            registration_client_uri: stored.registration_client_uri,
            registration_endpoint: stored.registration_endpoint,
            client_id_issued_at: stored.client_id_issued_at,
            client_secret_expires_at: stored.client_secret_expires_at,
            metadata_object: stored.metadata,
        })
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
        assert_eq!(registered().metadata().client_name.value(), Some("Echoed"));
        let mut sent = ClientMetadata::new(["https://app.example/cb"]);
        sent.client_name.set_value("Sent");
        let bare = RegisteredClient::from_registration(
            "https://op.example",
            &sent,
            response(r#"{"client_id":"abc","client_id_issued_at":1}"#),
        );
        assert_eq!(bare.metadata(), &sent);
        assert_eq!(bare.metadata_object(), &sent.to_json_object().unwrap());
    }

    #[test]
    fn rotation_is_reported_and_applied() {
        let mut client = registered();
        let applied = client
            .apply(response(
                r#"{"client_id":"abc","client_secret":"s2","registration_access_token":"t1"}"#,
            ))
            .unwrap();
        assert!(applied.changes.client_secret_rotated);
        assert!(!applied.changes.registration_access_token_rotated);
        assert!(applied.credentials_changed());
        assert_eq!(client.client_secret.as_ref().unwrap().expose(), "s2");
        // Nothing echoed: the held metadata and URI stay.
        assert_eq!(client.metadata().client_name.value(), Some("Echoed"));
        assert_eq!(
            client.registration_client_uri.as_deref(),
            Some("https://op.example/r/abc?x=1")
        );

        let unchanged = client
            .apply(response(r#"{"client_id":"abc","client_name":"New"}"#))
            .unwrap();
        assert!(!unchanged.credentials_changed());
        assert_eq!(client.metadata().client_name.value(), Some("New"));
    }

    #[test]
    fn a_rotated_secret_never_inherits_the_old_expiry() {
        let mut client = registered();
        client.client_secret_expires_at = Some(4_000_000_000);
        let applied = client
            .apply(response(r#"{"client_id":"abc","client_secret":"s2"}"#))
            .unwrap();
        assert!(applied.changes.client_secret_rotated);
        assert_eq!(client.client_secret_expires_at, None);
        assert_eq!(
            applied.problems[0].member(),
            Some("client_secret_expires_at")
        );
        // The same secret again with no expiry: nothing rotated, the expiry stays.
        client.client_secret_expires_at = Some(7);
        let applied = client
            .apply(response(r#"{"client_id":"abc","client_secret":"s2"}"#))
            .unwrap();
        assert!(applied.problems.is_empty());
        assert_eq!(client.client_secret_expires_at, Some(7));
    }

    #[test]
    fn vendor_only_answers_keep_the_held_metadata_and_updates_hold_what_was_sent() {
        let mut client = registered();
        let held = client.metadata_object().clone();
        let _ = client
            .apply(response(r#"{"client_id":"abc","x_vendor_flag":true}"#))
            .unwrap();
        assert_eq!(client.metadata_object(), &held);

        let sent = client
            .changed_metadata_object(|m| m.client_name.set_value("Sent"))
            .unwrap();
        let _ = client
            .apply_update(response(r#"{"client_id":"abc"}"#), sent.clone())
            .unwrap();
        assert_eq!(client.metadata_object(), &sent);
        assert_eq!(client.metadata().client_name.value(), Some("Sent"));
    }

    #[test]
    fn an_edit_changes_only_what_it_touches() {
        let sent = ClientMetadata::new(["https://app.example/cb"]);
        let client = RegisteredClient::from_registration(
            "https://op.example",
            &sent,
            response(
                r#"{"client_id":"abc","redirect_uris":["https://app.example/cb"],
                    "token_endpoint_auth_method":["none"],"default_max_age":3600.5,
                    "jwks":{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","x5t#S256":"abc"}]},
                    "client_name":"Old","client_name#fr":"Vieux","x_vendor":[1,2]}"#,
            ),
        );
        assert!(client.metadata().token_endpoint_auth_method.is_none());
        assert_eq!(client.metadata_problems().len(), 2);
        let unchanged = client.changed_metadata_object(|_| {}).unwrap();
        assert_eq!(&unchanged, client.metadata_object());

        let renamed = client
            .changed_metadata_object(|m| m.client_name = crate::Localized::new("New"))
            .unwrap();
        let mut expected = client.metadata_object().clone();
        expected.insert("client_name".into(), "New".into());
        expected.retain(|name, _| name != "client_name#fr");
        assert_eq!(renamed, expected);
        // In the `Map`'s order: with serde_json's `preserve_order` (which CI also tests), the
        // untouched members stay where the provider put them.
        assert_eq!(
            renamed.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>()
        );
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
        assert_eq!(
            json["metadata"].as_object().unwrap(),
            registered().metadata_object()
        );
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
