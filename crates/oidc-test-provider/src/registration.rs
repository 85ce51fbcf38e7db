//! RFC 7591 registration and RFC 7592 client configuration.
//!
//! Handlers are pure: they look at the store and return the normal reply together with the
//! [`Effect`] it implies (rotations included). The server applies the effect only when no behaviour
//! replaces the body or sets a failing status, so a test can fake a response without leaving a
//! client behind.

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
    pub(crate) quirks: Quirks,
}

/// RFC 7591/7592 deviations seen on real servers. The default is the spec-following behaviour;
/// each member is documented on its [`TestProviderBuilder`](crate::TestProviderBuilder) setter.
#[derive(Debug, Clone)]
pub(crate) struct Quirks {
    pub(crate) delete_status: StatusCode,
    /// Without the leading `?`; never empty.
    pub(crate) registration_client_uri_query: Option<String>,
    pub(crate) echo_metadata: bool,
    pub(crate) client_secret_expires_at: Option<i64>,
    pub(crate) rotate_secret_on_read: bool,
    pub(crate) rotate_token_on_read: bool,
    pub(crate) rotate_token_on_update: bool,
    pub(crate) auth_method_as_array: bool,
    pub(crate) require_client_id_in_update: bool,
}

impl Default for Quirks {
    fn default() -> Self {
        Self {
            delete_status: StatusCode::NO_CONTENT,
            registration_client_uri_query: None,
            echo_metadata: true,
            client_secret_expires_at: Some(0),
            rotate_secret_on_read: false,
            rotate_token_on_read: false,
            rotate_token_on_update: false,
            auth_method_as_array: false,
            require_client_id_in_update: true,
        }
    }
}

/// The parts of a client configuration request the handler looks at.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConfigurationRequest<'a> {
    pub(crate) method: &'a Method,
    pub(crate) client_id: &'a str,
    pub(crate) query: Option<&'a str>,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) body: &'a Bytes,
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
        // The form `auth_method_as_array` echoes; a client that sends back what it was told
        // must not be refused for it.
        Some(Value::Array(items))
            if items.len() == 1 && items[0].as_str().is_some_and(|m| AUTH_METHODS.contains(&m)) =>
        {
            items[0].as_str().unwrap_or_default()
        }
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
    /// `None` leaves the member out, as some servers do.
    secret_expires_at: Option<Value>,
    registration_access_token: &'a str,
    registration_client_uri: &'a str,
}

/// Builds a record: server-set members first, then every metadata member (unknown ones too).
///
/// The record is stored exactly as reads return it, so `TestProvider::client` shows what a client
/// saw; that is why the response-shape quirk (`auth_method_as_array`) is applied here.
fn record(
    credentials: &Credentials<'_>,
    metadata: Map<String, Value>,
    auth_method_as_array: bool,
) -> Value {
    let mut out = Map::new();
    out.insert("client_id".into(), credentials.client_id.into());
    if let Some(secret) = credentials.client_secret {
        out.insert("client_secret".into(), secret.into());
    }
    out.insert("client_id_issued_at".into(), credentials.issued_at.clone());
    if let (Some(_), Some(expires_at)) = (
        credentials.client_secret,
        credentials.secret_expires_at.as_ref(),
    ) {
        out.insert("client_secret_expires_at".into(), expires_at.clone());
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
        if SERVER_SET.contains(&name.as_str()) {
            continue;
        }
        // Some servers echo the method as a one-element array; mimic it on request.
        let value = match value {
            Value::String(method)
                if auth_method_as_array && name == "token_endpoint_auth_method" =>
            {
                Value::Array(vec![Value::String(method)])
            }
            other => other,
        };
        out.insert(name, value);
    }
    Value::Object(out)
}

/// The create response when metadata is not echoed: only the server-set members of the record.
fn credentials_only(record: &Value) -> Value {
    let members = record
        .as_object()
        .map(|map| {
            map.iter()
                .filter(|(name, _)| SERVER_SET.contains(&name.as_str()))
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect()
        })
        .unwrap_or_default();
    Value::Object(members)
}

/// The `registration_client_uri` issued for `client_id`.
fn client_uri(settings: &RegistrationSettings, client_id: &str) -> String {
    match &settings.quirks.registration_client_uri_query {
        Some(query) => format!("{}/register/{client_id}?{query}", settings.base_url),
        None => format!("{}/register/{client_id}", settings.base_url),
    }
}

/// Whether every `name=value` pair of `required` is in `query` (raw comparison, any order, extra
/// pairs allowed): a client must keep the query of the URI it was given, but a client that
/// reorders the pairs or adds its own is still acting correctly.
fn query_carries(required: &str, query: Option<&str>) -> bool {
    let sent: Vec<&str> = query
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .collect();
    required
        .split('&')
        .filter(|pair| !pair.is_empty())
        .all(|pair| sent.contains(&pair))
}

/// `client` with a fresh registration access token and/or client secret. A client without a
/// secret (e.g. `private_key_jwt`) does not get one from rotation.
fn rotated(client: &StoredClient, secret: bool, token: bool) -> StoredClient {
    let mut client = client.clone();
    let Some(record) = client.record.as_object_mut() else {
        return client;
    };
    if token {
        client.registration_access_token = ids::token();
        record.insert(
            "registration_access_token".into(),
            client.registration_access_token.clone().into(),
        );
    }
    if secret && record.contains_key("client_secret") {
        record.insert("client_secret".into(), ids::token().into());
    }
    client
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
    let uri = client_uri(settings, &client_id);
    let quirks = &settings.quirks;
    let record = record(
        &Credentials {
            client_id: &client_id,
            client_secret: secret.as_deref(),
            issued_at: ids::now_secs().into(),
            secret_expires_at: quirks.client_secret_expires_at.map(Value::from),
            registration_access_token: &token,
            registration_client_uri: &uri,
        },
        metadata,
        quirks.auth_method_as_array,
    );
    let reply = if quirks.echo_metadata {
        Reply::json(settings.status, &record)
    } else {
        Reply::json(settings.status, &credentials_only(&record))
    }
    .no_store();
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
    settings: &RegistrationSettings,
    store: &ClientStore,
    request: ConfigurationRequest<'_>,
) -> (Reply, Effect) {
    let quirks = &settings.quirks;
    let method = request.method;
    if ![Method::GET, Method::PUT, Method::DELETE].contains(method) {
        return (Reply::method_not_allowed("GET, PUT, DELETE"), Effect::None);
    }
    // RFC 7592 §2: an unknown client and a wrong token look the same (401), never 404.
    let Some(client) = store
        .get(request.client_id)
        .filter(|c| bearer_token(request.headers) == Some(c.registration_access_token.as_str()))
    else {
        return (Reply::invalid_token(), Effect::None);
    };
    // A server that puts a query in the registration_client_uri needs it back (it may select the
    // tenant); treating its absence like a bad token is what such servers effectively do.
    if let Some(required) = &quirks.registration_client_uri_query {
        if !query_carries(required, request.query) {
            return (Reply::invalid_token(), Effect::None);
        }
    }
    match *method {
        Method::GET => {
            if quirks.rotate_secret_on_read || quirks.rotate_token_on_read {
                let fresh = rotated(
                    client,
                    quirks.rotate_secret_on_read,
                    quirks.rotate_token_on_read,
                );
                (
                    Reply::json(StatusCode::OK, &fresh.record).no_store(),
                    Effect::Replace(fresh),
                )
            } else {
                (
                    Reply::json(StatusCode::OK, &client.record).no_store(),
                    Effect::None,
                )
            }
        }
        Method::DELETE => (
            Reply::empty(quirks.delete_status),
            Effect::Delete(client.client_id.clone()),
        ),
        _ => match update(quirks, client, request.headers, request.body) {
            Ok(updated) => {
                let updated = rotated(&updated, false, quirks.rotate_token_on_update);
                (
                    Reply::json(StatusCode::OK, &updated.record).no_store(),
                    Effect::Replace(updated),
                )
            }
            Err(rejection) => (rejection.into_reply(), Effect::None),
        },
    }
}

fn update(
    quirks: &Quirks,
    client: &StoredClient,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<StoredClient, Rejection> {
    let mut metadata = json_object(headers, body)?;
    // RFC 7592 §2.2 requires client_id in the body; some servers take it from the URI alone. A
    // client_id that is sent must still match either way.
    let client_id_ok = match metadata.get("client_id") {
        None => !quirks.require_client_id_in_update,
        Some(sent) => sent.as_str() == Some(client.client_id.as_str()),
    };
    if !client_id_ok {
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
            // Kept when the client had one; a secret issued now gets the configured value.
            secret_expires_at: client
                .record
                .get("client_secret_expires_at")
                .cloned()
                .or_else(|| quirks.client_secret_expires_at.map(Value::from)),
            registration_access_token: &client.registration_access_token,
            registration_client_uri: uri.as_str().unwrap_or_default(),
        },
        metadata,
        quirks.auth_method_as_array,
    );
    Ok(StoredClient {
        client_id: client.client_id.clone(),
        registration_access_token: client.registration_access_token.clone(),
        record,
    })
}
