//! RFC 7591 registration and RFC 7592 client configuration.
//!
//! Handlers are pure: they look at the store and return the normal reply together with the
//! [`Effect`] it implies. The server applies the effect only when no behaviour replaces the body,
//! so a test can fake a response without leaving a client behind.

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderMap, Method, StatusCode};
use serde_json::{Map, Value};

use crate::discovery::AUTH_METHODS;
use crate::ids;
use crate::recorded::bearer_token;
use crate::reply::Reply;

/// Members a client may not send on update (RFC 7592 §2.2): they are the server's to set.
const SERVER_ONLY_ON_UPDATE: &[&str] = &[
    "registration_access_token",
    "registration_client_uri",
    "client_secret_expires_at",
    "client_id_issued_at",
];

/// Members of a record that the server sets; request values of these names are never echoed.
const SERVER_SET: &[&str] = &[
    "client_id",
    "client_secret",
    "client_id_issued_at",
    "client_secret_expires_at",
    "registration_access_token",
    "registration_client_uri",
];

/// Authentication methods that use a client secret, so registration issues one.
const SECRET_METHODS: &[&str] = &[
    "client_secret_basic",
    "client_secret_post",
    "client_secret_jwt",
];

/// A registered client.
#[derive(Debug, Clone)]
pub(crate) struct StoredClient {
    pub(crate) client_id: String,
    pub(crate) registration_access_token: String,
    /// The full record, in the shape of the registration response.
    pub(crate) record: Value,
}

/// A change to the client store implied by a request.
#[derive(Debug)]
pub(crate) enum Effect {
    None,
    Store(StoredClient),
    Replace(StoredClient),
    Delete(String),
}

/// The registered clients, in registration order.
#[derive(Debug, Default)]
pub(crate) struct ClientStore {
    clients: Vec<StoredClient>,
}

impl ClientStore {
    pub(crate) fn get(&self, client_id: &str) -> Option<&StoredClient> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }

    pub(crate) fn records(&self) -> Vec<Value> {
        self.clients.iter().map(|c| c.record.clone()).collect()
    }

    pub(crate) fn apply(&mut self, effect: Effect) {
        match effect {
            Effect::None => {}
            Effect::Store(client) => self.clients.push(client),
            Effect::Replace(client) => {
                if let Some(slot) = self
                    .clients
                    .iter_mut()
                    .find(|c| c.client_id == client.client_id)
                {
                    *slot = client;
                }
            }
            Effect::Delete(client_id) => self.clients.retain(|c| c.client_id != client_id),
        }
    }
}

/// Settings of the registration endpoint.
#[derive(Debug, Clone)]
pub(crate) struct RegistrationSettings {
    pub(crate) base_url: String,
    pub(crate) initial_access_token: Option<String>,
    pub(crate) status: StatusCode,
}

/// Why a registration or update request is refused; turned into a [`Reply`] at the end.
#[derive(Debug)]
enum Rejection {
    /// RFC 6750 `invalid_token` (401).
    InvalidToken,
    /// An RFC 7591 §3.2.2 error (400).
    BadRequest {
        error: &'static str,
        description: String,
    },
}

impl Rejection {
    fn into_reply(self) -> Reply {
        match self {
            Self::InvalidToken => Reply::invalid_token(),
            Self::BadRequest { error, description } => {
                Reply::error(StatusCode::BAD_REQUEST, error, Some(&description)).no_store()
            }
        }
    }
}

fn invalid_metadata(description: &str) -> Rejection {
    Rejection::BadRequest {
        error: "invalid_client_metadata",
        description: description.to_owned(),
    }
}

fn invalid_redirect_uri(description: &str) -> Rejection {
    Rejection::BadRequest {
        error: "invalid_redirect_uri",
        description: description.to_owned(),
    }
}

/// Whether the request declares a JSON body (`application/json`, parameters allowed).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// Parses a JSON object body sent with a JSON content type.
fn json_object(headers: &HeaderMap, body: &Bytes) -> Result<Map<String, Value>, Rejection> {
    if !is_json(headers) {
        return Err(invalid_metadata("Content-Type must be application/json"));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(invalid_metadata("body is not a JSON object")),
    }
}

/// A member that must be an array of strings when present; `Ok(None)` when absent.
fn string_array<'a>(
    metadata: &'a Map<String, Value>,
    name: &str,
) -> Result<Option<Vec<&'a str>>, String> {
    match metadata.get(name) {
        None => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(Value::as_str)
            .collect::<Option<Vec<_>>>()
            .map(Some)
            .ok_or_else(|| format!("{name} must be an array of strings")),
        Some(_) => Err(format!("{name} must be an array of strings")),
    }
}

/// The validation shared by create and update.
fn validate(metadata: &Map<String, Value>) -> Result<(), Rejection> {
    let grant_types = string_array(metadata, "grant_types").map_err(|e| invalid_metadata(&e))?;
    string_array(metadata, "response_types").map_err(|e| invalid_metadata(&e))?;

    // Redirect URIs only matter for redirect-based flows; a client_credentials-only client needs
    // none (RFC 7591 §2).
    let client_credentials_only = grant_types
        .as_ref()
        .is_some_and(|g| !g.is_empty() && g.iter().all(|g| *g == "client_credentials"));
    match string_array(metadata, "redirect_uris").map_err(|e| invalid_redirect_uri(&e))? {
        None if !client_credentials_only => {
            return Err(invalid_redirect_uri("redirect_uris is required"));
        }
        Some(uris) if uris.is_empty() && !client_credentials_only => {
            return Err(invalid_redirect_uri("redirect_uris must not be empty"));
        }
        Some(uris) => {
            if uris.iter().any(|u| u.is_empty()) {
                return Err(invalid_redirect_uri("a redirect URI is empty"));
            }
            // OAuth 2.0 (RFC 6749 §3.1.2): redirection endpoints must not carry a fragment.
            if uris.iter().any(|u| u.contains('#')) {
                return Err(invalid_redirect_uri(
                    "a redirect URI must not contain a fragment",
                ));
            }
        }
        None => {}
    }

    let method = match metadata.get("token_endpoint_auth_method") {
        None => "client_secret_basic",
        Some(Value::String(m)) if AUTH_METHODS.contains(&m.as_str()) => m,
        Some(_) => {
            return Err(invalid_metadata(
                "token_endpoint_auth_method is not supported",
            ))
        }
    };
    let has_jwks = metadata.contains_key("jwks");
    let has_jwks_uri = metadata.contains_key("jwks_uri");
    if has_jwks && has_jwks_uri {
        return Err(invalid_metadata(
            "jwks and jwks_uri must not both be present",
        ));
    }
    if method == "private_key_jwt" && !has_jwks && !has_jwks_uri {
        return Err(invalid_metadata(
            "private_key_jwt requires jwks or jwks_uri",
        ));
    }
    Ok(())
}

/// Fills in the defaults this provider applies to absent members.
fn with_defaults(mut metadata: Map<String, Value>) -> Map<String, Value> {
    let defaults = [
        ("grant_types", serde_json::json!(["authorization_code"])),
        ("response_types", serde_json::json!(["code"])),
        ("token_endpoint_auth_method", "client_secret_basic".into()),
        ("application_type", "web".into()),
        ("id_token_signed_response_alg", "RS256".into()),
    ];
    for (name, value) in defaults {
        metadata.entry(name).or_insert(value);
    }
    metadata
}

fn uses_secret(metadata: &Map<String, Value>) -> bool {
    metadata
        .get("token_endpoint_auth_method")
        .and_then(Value::as_str)
        .is_some_and(|m| SECRET_METHODS.contains(&m))
}

/// The server-set part of a record.
struct Credentials<'a> {
    client_id: &'a str,
    client_secret: Option<&'a str>,
    issued_at: Value,
    secret_expires_at: Value,
    registration_access_token: &'a str,
    registration_client_uri: &'a str,
}

/// Builds a record: server-set members first, then every metadata member (unknown ones too).
fn record(credentials: &Credentials<'_>, metadata: Map<String, Value>) -> Value {
    let mut out = Map::new();
    out.insert("client_id".into(), credentials.client_id.into());
    if let Some(secret) = credentials.client_secret {
        out.insert("client_secret".into(), secret.into());
    }
    out.insert("client_id_issued_at".into(), credentials.issued_at.clone());
    if credentials.client_secret.is_some() {
        out.insert(
            "client_secret_expires_at".into(),
            credentials.secret_expires_at.clone(),
        );
    }
    out.insert(
        "registration_access_token".into(),
        credentials.registration_access_token.into(),
    );
    out.insert(
        "registration_client_uri".into(),
        credentials.registration_client_uri.into(),
    );
    for (name, value) in metadata {
        if !SERVER_SET.contains(&name.as_str()) {
            out.insert(name, value);
        }
    }
    Value::Object(out)
}

/// `POST /register`.
pub(crate) fn register(
    settings: &RegistrationSettings,
    headers: &HeaderMap,
    body: &Bytes,
) -> (Reply, Effect) {
    match try_register(settings, headers, body) {
        Ok((reply, client)) => (reply, Effect::Store(client)),
        Err(rejection) => (rejection.into_reply(), Effect::None),
    }
}

fn try_register(
    settings: &RegistrationSettings,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(Reply, StoredClient), Rejection> {
    if let Some(expected) = &settings.initial_access_token {
        if bearer_token(headers) != Some(expected.as_str()) {
            return Err(Rejection::InvalidToken);
        }
    }
    let metadata = json_object(headers, body)?;
    validate(&metadata)?;
    let metadata = with_defaults(metadata);

    let client_id = ids::client_id();
    let secret = uses_secret(&metadata).then(ids::token);
    let token = ids::token();
    let uri = format!("{}/register/{client_id}", settings.base_url);
    let record = record(
        &Credentials {
            client_id: &client_id,
            client_secret: secret.as_deref(),
            issued_at: ids::now_secs().into(),
            secret_expires_at: 0.into(),
            registration_access_token: &token,
            registration_client_uri: &uri,
        },
        metadata,
    );
    let reply = Reply::json(settings.status, &record).no_store();
    Ok((
        reply,
        StoredClient {
            client_id,
            registration_access_token: token,
            record,
        },
    ))
}

/// `GET|PUT|DELETE /register/{client_id}`.
pub(crate) fn configure(
    store: &ClientStore,
    method: &Method,
    client_id: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> (Reply, Effect) {
    if ![Method::GET, Method::PUT, Method::DELETE].contains(method) {
        return (Reply::method_not_allowed("GET, PUT, DELETE"), Effect::None);
    }
    // RFC 7592 §2: an unknown client and a wrong token look the same (401), never 404.
    let Some(client) = store
        .get(client_id)
        .filter(|c| bearer_token(headers) == Some(c.registration_access_token.as_str()))
    else {
        return (Reply::invalid_token(), Effect::None);
    };
    match *method {
        Method::GET => (
            Reply::json(StatusCode::OK, &client.record).no_store(),
            Effect::None,
        ),
        Method::DELETE => (
            Reply::empty(StatusCode::NO_CONTENT),
            Effect::Delete(client.client_id.clone()),
        ),
        _ => match update(client, headers, body) {
            Ok(updated) => (
                Reply::json(StatusCode::OK, &updated.record).no_store(),
                Effect::Replace(updated),
            ),
            Err(rejection) => (rejection.into_reply(), Effect::None),
        },
    }
}

fn update(
    client: &StoredClient,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<StoredClient, Rejection> {
    let mut metadata = json_object(headers, body)?;
    if metadata.get("client_id").and_then(Value::as_str) != Some(client.client_id.as_str()) {
        return Err(invalid_metadata(
            "client_id is missing or does not match the client",
        ));
    }
    if let Some(name) = SERVER_ONLY_ON_UPDATE
        .iter()
        .find(|name| metadata.contains_key(**name))
    {
        return Err(invalid_metadata(&format!(
            "{name} must not be sent on update"
        )));
    }
    let current_secret = client.record.get("client_secret").and_then(Value::as_str);
    if let Some(sent) = metadata.get("client_secret") {
        if sent.as_str() != current_secret || current_secret.is_none() {
            return Err(invalid_metadata(
                "client_secret does not match the current secret",
            ));
        }
    }
    metadata.remove("client_id");
    metadata.remove("client_secret");
    validate(&metadata)?;
    let metadata = with_defaults(metadata);

    // client_id, secret and issue time survive an update; a secret is issued only if the client
    // had none and now authenticates with one.
    let new_secret = (current_secret.is_none() && uses_secret(&metadata)).then(ids::token);
    let secret = current_secret.map(str::to_owned).or(new_secret);
    let field = |name: &str, default: Value| client.record.get(name).cloned().unwrap_or(default);
    let uri = field("registration_client_uri", Value::Null);
    let record = record(
        &Credentials {
            client_id: &client.client_id,
            client_secret: secret.as_deref(),
            issued_at: field("client_id_issued_at", ids::now_secs().into()),
            secret_expires_at: field("client_secret_expires_at", 0.into()),
            registration_access_token: &client.registration_access_token,
            registration_client_uri: uri.as_str().unwrap_or_default(),
        },
        metadata,
    );
    Ok(StoredClient {
        client_id: client.client_id.clone(),
        registration_access_token: client.registration_access_token.clone(),
        record,
    })
}
