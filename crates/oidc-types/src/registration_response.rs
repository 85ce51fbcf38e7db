//! What a provider answers to a successful registration or client read/update: RFC 7591
//! §3.2.1, OIDC DCR §3.2, RFC 7592 §3.
//!
//! An answer is read in two stages, so that whatever the provider has already done is never
//! lost to an oddity in how it said so: first the credentials (each read leniently, a problem
//! recorded rather than an error raised), then the echoed metadata (leniently too). Only a
//! registration answer without a usable `client_id` is fatal, and that error keeps the body.

use std::fmt;
use std::time::{Duration, SystemTime};

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Number, Value};
use zeroize::Zeroize;

use crate::client_metadata::{reserved, ClientMetadata, FieldProblem, Reserved};
use crate::json::JsonObjectError;
use crate::provider_metadata::json_kind;
use crate::secret::Secret;

/// The members whose values are credentials: never printed, never put in an error.
const SECRET_MEMBERS: [&str; 2] = ["client_secret", "registration_access_token"];

/// A provider's answer to a successful client registration (RFC 7591 §3.2.1, OIDC DCR §3.2),
/// or to a read or update of the client configuration (RFC 7592 §3).
///
/// Reading never throws away what the provider has done:
///
/// 1. The body must be a JSON object (a UTF-8 byte order mark before it is ignored, RFC 8259
///    §8.1). Anything else is a [`RegistrationResponseError`] that keeps the body. So is an
///    answer that repeats `client_id` or one of the other five response members (the
///    credentials, `registration_client_uri` and the two times) at the top level
///    ([`DuplicateMember`](RegistrationResponseError::DuplicateMember)): which of the two
///    values the provider meant is an accident of the reader. A repeated echoed metadata member
///    (`client_name` twice) is not fatal: the last value is kept, as `serde_json` would, and the
///    repetition is a [`ResponseProblem::DuplicateMember`], since the credentials are not in
///    doubt.
/// 2. The credentials are read first, each on its own and leniently: `client_secret`,
///    `registration_access_token` and `registration_client_uri` as strings (a number is taken
///    as its decimal text), the times `client_id_issued_at` and `client_secret_expires_at` as
///    whole seconds (a fraction is truncated, a numeric string parsed). A value that is still
///    unusable (an object, a negative or huge time) is left out and recorded in
///    [`problems`](Self::problems), as is every value that needed one of those repairs. JSON
///    `null` counts as absent. Only `client_id` is required: without a usable one (a non-empty
///    string, or an integer taken as its decimal text) a registration answer is an error,
///    [`MissingClientId`](RegistrationResponseError::MissingClientId) or
///    [`UnusableClientId`](RegistrationResponseError::UnusableClientId).
/// 3. The echoed client metadata is read with [`ClientMetadata::from_json_object`]: a member
///    that does not fit its type is left out of [`metadata`](Self::metadata), recorded in
///    `problems`, and kept in [`raw`](Self::raw) and [`metadata_object`](Self::metadata_object).
///
/// The provider may have changed or filled in any value it was sent (RFC 7591 §3.2.1, OIDC DCR
/// §3.2); `metadata` is what it registered, read as well as this library can, and
/// `metadata_object` is exactly what it said.
///
/// `Debug` never shows the secrets, not even inside the raw object. Serializing writes the raw
/// object as received, secrets included, so that it can be persisted and read back with
/// [`RegistrationResponse::from_json`].
///
/// ```
/// use oidc_types::RegistrationResponse;
///
/// let body = br#"{
///     "client_id": "s6BhdRkqt3",
///     "client_secret": "ZJYCqe3GGRvdrudKyZS0XhGv_Z45DuKhCUk0gBR1vZk",
///     "client_secret_expires_at": 0,
///     "client_id_issued_at": 2893256800.25,
///     "redirect_uris": ["https://client.example.org/callback"],
///     "client_name": "My Example"
/// }"#;
/// let registered = RegistrationResponse::from_json(body).unwrap();
/// assert_eq!(registered.client_id, "s6BhdRkqt3");
/// assert_eq!(registered.metadata.client_name.value(), Some("My Example"));
/// assert!(registered.secret_never_expires());
/// // The fractional time was truncated, and that is reported.
/// assert_eq!(registered.client_id_issued_at, Some(2893256800));
/// assert_eq!(registered.problems.len(), 1);
/// assert!(!format!("{registered:?}").contains("ZJYCqe3G"));
/// ```
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct RegistrationResponse {
    /// `client_id`: the client identifier issued by the provider. REQUIRED (RFC 7591 §3.2.1);
    /// never empty. It does not change on later reads or updates (RFC 7592 §2.2).
    pub client_id: String,
    /// `client_secret`: the client secret, when one was issued (RFC 7591 §3.2.1). A read or
    /// update may return a new one, which replaces the old at once (RFC 7592 §2.1).
    pub client_secret: Option<Secret>,
    /// `registration_access_token`: the bearer token for the client configuration endpoint
    /// (RFC 7592 §3). Like the secret it may be rotated on any read or update; persist the
    /// newest one.
    pub registration_access_token: Option<Secret>,
    /// `registration_client_uri`: the client configuration endpoint (RFC 7592 §3), to be used
    /// exactly as given.
    pub registration_client_uri: Option<String>,
    /// `client_id_issued_at`: when the client id was issued, in seconds since the Unix epoch
    /// (RFC 7591 §3.2.1). OPTIONAL. See [`RegistrationResponse::client_id_issued_at_time`].
    pub client_id_issued_at: Option<i64>,
    /// `client_secret_expires_at`: when the secret expires, in seconds since the Unix epoch, or
    /// `0` if it never does (RFC 7591 §3.2.1). REQUIRED when a secret is issued, but some
    /// providers leave it out; `None` then means "not said". See
    /// [`RegistrationResponse::secret_expires_at`].
    pub client_secret_expires_at: Option<i64>,
    /// The client metadata the provider echoed, as far as [`ClientMetadata`] can read it. The
    /// six members above are not part of it (nor of its `extra_fields`).
    pub metadata: ClientMetadata,
    /// Everything odd about the answer: credentials that needed a repair or could not be used,
    /// echoed members that did not fit their type, and (added by `oidc-registration`) a content
    /// type or status other than the expected one and a `registration_client_uri` that
    /// management calls would refuse. Empty for a well-behaved provider.
    pub problems: Vec<ResponseProblem>,
    /// The registration endpoint this answer came from: set by `oidc-registration`'s
    /// `register`, `None` when the answer was read from JSON. [`RegisteredClient`](crate::RegisteredClient)
    /// keeps it, as one of the origins its registration access token may be sent to.
    pub registration_endpoint: Option<String>,
    /// The whole object as received (`null` members included); its secret members are wiped
    /// when it is dropped.
    raw: RawObject,
}

/// A provider's answer object whose secret members (`client_secret`,
/// `registration_access_token`) are overwritten with zeros when it is dropped.
#[derive(Clone, PartialEq)]
struct RawObject(Map<String, Value>);

impl Drop for RawObject {
    fn drop(&mut self) {
        for member in SECRET_MEMBERS {
            if let Some(Value::String(secret)) = self.0.get_mut(member) {
                secret.zeroize();
            }
        }
    }
}

/// Something odd about a provider's answer that did not stop it from being used.
///
/// Displays as one line that never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseProblem {
    /// A credential or time member (`client_secret`, `client_id_issued_at`, …) that needed a
    /// repair (a fraction truncated, a number taken as text) or could not be used at all and
    /// was left out. The message never contains a secret's value.
    Credential(FieldProblem),
    /// An echoed metadata member that did not fit [`ClientMetadata`]; its value is still in
    /// the raw object and is sent back unchanged by an update that does not touch it.
    Metadata(FieldProblem),
    /// The body was a JSON object, but its `Content-Type` was not JSON.
    ContentType {
        /// The `Content-Type` received, if any (as text, lossily decoded).
        content_type: Option<String>,
    },
    /// A success status other than the one the operation expects (RFC 7591 says 201 for a
    /// registration, RFC 7592 200 for a read or update).
    Status {
        /// The status received.
        status: u16,
    },
    /// The `registration_client_uri` is one management calls will refuse to send the
    /// registration access token to: not a URL, plain http the https policy refuses, or on an
    /// origin other than the registration endpoint's and the issuer's (RFC 7592 allows another
    /// host; `oidc-registration`'s `ManagementOptions` can allow one).
    RegistrationClientUri {
        /// Why, naming the origins involved.
        reason: String,
    },
    /// An echoed metadata member appeared more than once at the top level of the answer. The
    /// last value was kept (in [`RegistrationResponse::raw`] and the typed metadata), but the
    /// provider may have stored the other one. A repeated credential is never a problem but an
    /// error, [`RegistrationResponseError::DuplicateMember`].
    DuplicateMember {
        /// The repeated member's name.
        member: String,
    },
}

impl ResponseProblem {
    /// The member the problem is about, for the member variants.
    pub fn member(&self) -> Option<&str> {
        match self {
            Self::Credential(problem) | Self::Metadata(problem) => Some(&problem.field),
            Self::RegistrationClientUri { .. } => Some("registration_client_uri"),
            Self::DuplicateMember { member } => Some(member),
            Self::ContentType { .. } | Self::Status { .. } => None,
        }
    }
}

impl fmt::Display for ResponseProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Credential(problem) => write!(f, "{problem}"),
            Self::Metadata(problem) => write!(
                f,
                "{problem} (kept as the provider sent it, left out of the typed metadata)"
            ),
            Self::ContentType {
                content_type: Some(content_type),
            } => write!(
                f,
                "the answer's content type is {content_type:?}, not application/json; its JSON \
                 body was read all the same"
            ),
            Self::ContentType { content_type: None } => {
                f.write_str("the answer has no content type; its JSON body was read all the same")
            }
            Self::Status { status } => write!(
                f,
                "the provider answered with status {status}, not the one the protocol asks for; \
                 its body was read all the same"
            ),
            Self::RegistrationClientUri { reason } => write!(
                f,
                "registration_client_uri: {reason}; management calls will refuse it"
            ),
            Self::DuplicateMember { member } => write!(
                f,
                "{member}: appears more than once in the answer; the last value was kept"
            ),
        }
    }
}

/// A response body that may hold credentials: kept so that a caller can recover what the
/// provider sent by hand, never shown by `Debug`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct RawBody(Vec<u8>);

impl RawBody {
    /// Wraps a body.
    pub fn new(body: impl Into<Vec<u8>>) -> Self {
        Self(body.into())
    }

    /// The bytes as received. They may contain secrets: handle them as such.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// The number of bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Drop for RawBody {
    fn drop(&mut self) {
        // It may hold the credentials of an answer that could not be read.
        self.0.zeroize();
    }
}

impl fmt::Debug for RawBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawBody(<{} bytes redacted>)", self.0.len())
    }
}

/// Why a registration response could not be used at all. Each variant keeps the body, through
/// [`RegistrationResponseError::body`], since the provider may have registered the client all
/// the same; `Debug` and `Display` never show it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistrationResponseError {
    /// The body is not JSON.
    #[error("the answer is not valid JSON")]
    InvalidJson {
        /// The parse error.
        #[source]
        source: serde_json::Error,
        /// The body as received.
        body: RawBody,
    },
    /// The body is JSON but not an object.
    #[error("the answer is JSON but not an object (found {found})")]
    NotAnObject {
        /// What the body was, e.g. `"an array"`.
        found: &'static str,
        /// The body as received.
        body: RawBody,
    },
    /// There is no `client_id` member (or it is `null`), so the registration cannot be used.
    #[error("the answer has no client_id")]
    MissingClientId {
        /// The body as received.
        body: RawBody,
    },
    /// The answer has `client_id`, a credential (`client_secret`, `registration_access_token`),
    /// `registration_client_uri`, `client_id_issued_at` or `client_secret_expires_at` more than
    /// once at the top level: which value counts would be an accident of the JSON reader, so
    /// none is used. The message names the member, never a value.
    #[error("the answer has {member} more than once")]
    DuplicateMember {
        /// The repeated member's name.
        member: String,
        /// The body as received.
        body: RawBody,
    },
    /// `client_id` is neither a non-empty string nor an integer.
    #[error("the answer's client_id is unusable: expected a non-empty string, found {found}")]
    UnusableClientId {
        /// What it was, e.g. `"an empty string"`; never the value itself.
        found: &'static str,
        /// The body as received.
        body: RawBody,
    },
}

impl RegistrationResponseError {
    /// The body the provider sent. It may contain credentials.
    pub fn body(&self) -> &RawBody {
        match self {
            Self::InvalidJson { body, .. }
            | Self::NotAnObject { body, .. }
            | Self::MissingClientId { body }
            | Self::DuplicateMember { body, .. }
            | Self::UnusableClientId { body, .. } => body,
        }
    }
}

/// Parses a body that must be a JSON object (see [`crate::json`]): a leading UTF-8 byte order
/// mark is skipped, a repeated response member is an error, and the names of repeated echoed
/// members are given back, to be reported as problems.
pub(crate) fn json_object(
    body: &[u8],
) -> Result<(Map<String, Value>, Vec<String>), RegistrationResponseError> {
    let tolerated = |member: &str| reserved(member) != Some(Reserved::ResponseOnly);
    crate::json::parse_object_tolerating(body, tolerated).map_err(|error| {
        let body = RawBody::new(body);
        match error {
            JsonObjectError::InvalidJson { source } => {
                RegistrationResponseError::InvalidJson { source, body }
            }
            JsonObjectError::NotAnObject { found } => {
                RegistrationResponseError::NotAnObject { found, body }
            }
            JsonObjectError::DuplicateMember { member } => {
                RegistrationResponseError::DuplicateMember { member, body }
            }
        }
    })
}

impl RegistrationResponse {
    /// Reads a registration answer from a JSON body (parsed once); see the type's
    /// documentation for the rules.
    ///
    /// # Errors
    ///
    /// [`RegistrationResponseError`] when the body is not a JSON object or has no usable
    /// `client_id`. Everything else odd is in [`problems`](Self::problems).
    pub fn from_json(body: &[u8]) -> Result<Self, RegistrationResponseError> {
        let (object, repeated) = json_object(body)?;
        Self::read(object, repeated, None)
            .map_err(|(reason, _)| reason.into_error(RawBody::new(body)))
    }

    /// Reads a registration answer from an already parsed JSON object; see
    /// [`RegistrationResponse::from_json`]. The error's body is the object written out again.
    ///
    /// # Errors
    ///
    /// As [`RegistrationResponse::from_json`].
    pub fn from_json_object(object: Map<String, Value>) -> Result<Self, RegistrationResponseError> {
        Self::read(object, Vec::new(), None).map_err(|(reason, object)| {
            // Writing a `Map` out cannot fail.
            reason.into_error(RawBody::new(
                serde_json::to_vec(&object).unwrap_or_default(),
            ))
        })
    }

    /// Reads the answer to a read or update of client `client_id` (RFC 7592 §3). Unlike a
    /// registration answer, it needs no `client_id`: when the member is missing or unusable the
    /// answer is taken to be about `client_id`, and that is recorded in `problems`, so that a
    /// rotated credential in it is not lost.
    ///
    /// # Errors
    ///
    /// [`RegistrationResponseError`] when the body is not a JSON object.
    pub fn from_management_json(
        body: &[u8],
        client_id: &str,
    ) -> Result<Self, RegistrationResponseError> {
        let (object, repeated) = json_object(body)?;
        match Self::read(object, repeated, Some(client_id)) {
            Ok(response) => Ok(response),
            // `read` only fails without a fallback client id.
            Err((reason, _)) => Err(reason.into_error(RawBody::new(body))),
        }
    }

    /// The two stages of reading; `fallback_client_id` stands in for a missing or unusable
    /// `client_id`; `repeated` are the echoed members the body had more than once. Gives the
    /// object back with the reason when there is no client id at all.
    fn read(
        object: Map<String, Value>,
        repeated: Vec<String>,
        fallback_client_id: Option<&str>,
    ) -> Result<Self, (NoClientId, Map<String, Value>)> {
        let mut problems: Vec<ResponseProblem> = repeated
            .into_iter()
            .map(|member| ResponseProblem::DuplicateMember { member })
            .collect();
        let client_id = match (read_client_id(&object), fallback_client_id) {
            (Ok(Some((id, problem))), _) => {
                problems.extend(problem);
                id
            }
            (Ok(None), Some(fallback)) => {
                problems.push(ResponseProblem::Credential(FieldProblem::new(
                    "client_id",
                    "missing; the answer is taken to be about the client it was asked about",
                )));
                fallback.to_owned()
            }
            (Err(found), Some(fallback)) => {
                problems.push(ResponseProblem::Credential(FieldProblem::new(
                    "client_id",
                    format!(
                        "expected a non-empty string, found {found}; the answer is taken to be \
                         about the client it was asked about"
                    ),
                )));
                fallback.to_owned()
            }
            (Ok(None), None) => return Err((NoClientId::Missing, object)),
            (Err(found), None) => return Err((NoClientId::Unusable(found), object)),
        };
        let mut credential = |member: &'static str| -> Option<String> {
            let (value, problem) = read_text_credential(&object, member);
            problems.extend(problem);
            value
        };
        let client_secret = credential("client_secret").map(Secret::new);
        let registration_access_token = credential("registration_access_token").map(Secret::new);
        let registration_client_uri = credential("registration_client_uri");
        let mut time = |member: &'static str| -> Option<i64> {
            let (value, problem) = read_seconds(&object, member);
            problems.extend(problem);
            value
        };
        let client_id_issued_at = time("client_id_issued_at");
        let client_secret_expires_at = time("client_secret_expires_at");
        let (metadata, metadata_problems) = ClientMetadata::from_json_object(&object);
        problems.extend(metadata_problems.into_iter().map(ResponseProblem::Metadata));
        Ok(Self {
            client_id,
            client_secret,
            registration_access_token,
            registration_client_uri,
            client_id_issued_at,
            client_secret_expires_at,
            metadata,
            problems,
            registration_endpoint: None,
            raw: RawObject(object),
        })
    }

    /// The whole JSON object as the provider sent it, including members this library does not
    /// know and echoed members that did not fit [`ClientMetadata`]. It contains the secrets.
    pub fn raw(&self) -> &Map<String, Value> {
        &self.raw.0
    }

    /// The echoed metadata exactly as the provider sent it: [`raw`](Self::raw) without the six
    /// response members (`client_id`, the credentials, the configuration URI and the times).
    pub fn metadata_object(&self) -> Map<String, Value> {
        self.raw
            .0
            .iter()
            .filter(|(member, _)| reserved(member) != Some(Reserved::ResponseOnly))
            .map(|(member, value)| (member.clone(), value.clone()))
            .collect()
    }

    /// When the client secret expires, from `client_secret_expires_at`.
    ///
    /// `None` when the member is absent (the provider did not say, although RFC 7591 §3.2.1
    /// requires it with a secret), when it is `0` (the secret never expires; see
    /// [`RegistrationResponse::secret_never_expires`]), or when the time is too far away for
    /// [`SystemTime`]. This is only about the member: it does not check that a
    /// `client_secret` was issued.
    pub fn secret_expires_at(&self) -> Option<SystemTime> {
        secret_expiry(self.client_secret_expires_at)
    }

    /// Whether the provider said the secret never expires (`client_secret_expires_at` is `0`).
    /// `false` when the member is absent: then nothing is known.
    pub fn secret_never_expires(&self) -> bool {
        self.client_secret_expires_at == Some(0)
    }

    /// Whether the client secret has expired now; see
    /// [`RegistrationResponse::is_secret_expired_at`].
    pub fn is_secret_expired(&self) -> bool {
        self.is_secret_expired_at(SystemTime::now())
    }

    /// Whether the client secret has expired at `now`: `true` once `now` reaches
    /// [`RegistrationResponse::secret_expires_at`]. `false` when the secret never expires or
    /// no expiry is known.
    pub fn is_secret_expired_at(&self, now: SystemTime) -> bool {
        self.secret_expires_at()
            .is_some_and(|expires_at| now >= expires_at)
    }

    /// Whether the provider echoed client metadata: whether the answer holds at least one
    /// member of [`ClientMetadata::MEMBER_NAMES`] (tagged forms such as `client_name#fr`
    /// included). Vendor members alone do not count: an answer with only the client id, the
    /// credentials and vendor members says nothing about what was registered, and the held
    /// metadata is then kept (see `RegisteredClient`).
    pub fn has_echoed_metadata(&self) -> bool {
        self.raw
            .0
            .keys()
            .any(|member| reserved(member) == Some(Reserved::Member))
    }

    /// When the client id was issued, from `client_id_issued_at`; `None` when the member is
    /// absent or the time cannot be represented.
    pub fn client_id_issued_at_time(&self) -> Option<SystemTime> {
        self.client_id_issued_at.and_then(epoch_seconds)
    }
}

/// Why an answer has no client id.
enum NoClientId {
    Missing,
    Unusable(&'static str),
}

impl NoClientId {
    fn into_error(self, body: RawBody) -> RegistrationResponseError {
        match self {
            Self::Missing => RegistrationResponseError::MissingClientId { body },
            Self::Unusable(found) => RegistrationResponseError::UnusableClientId { found, body },
        }
    }
}

/// `client_id`: a non-empty string, or an integer taken as its decimal text (with a problem).
/// `Ok(None)` when absent or `null`; `Err` with the JSON type when unusable.
#[allow(clippy::type_complexity)]
fn read_client_id(
    object: &Map<String, Value>,
) -> Result<Option<(String, Option<ResponseProblem>)>, &'static str> {
    match object.get("client_id") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(id)) if id.is_empty() => Err("an empty string"),
        Some(Value::String(id)) => Ok(Some((id.clone(), None))),
        Some(Value::Number(number)) if number.is_i64() || number.is_u64() => {
            let id = number.to_string();
            let problem = ResponseProblem::Credential(FieldProblem::new(
                "client_id",
                format!("a number, not a string; read as \"{id}\""),
            ));
            Ok(Some((id, Some(problem))))
        }
        Some(Value::Number(_)) => Err("a fractional number"),
        Some(other) => Err(json_kind(other)),
    }
}

/// A string credential (`client_secret`, `registration_access_token`,
/// `registration_client_uri`): a number is taken as its decimal text; other types, and an
/// empty string, are left out. Problems name the JSON type only, never the value.
fn read_text_credential(
    object: &Map<String, Value>,
    member: &'static str,
) -> (Option<String>, Option<ResponseProblem>) {
    let problem = |message: String| {
        Some(ResponseProblem::Credential(FieldProblem::new(
            member, message,
        )))
    };
    match object.get(member) {
        None | Some(Value::Null) => (None, None),
        Some(Value::String(text)) if text.is_empty() => {
            (None, problem("an empty string; left out".to_owned()))
        }
        Some(Value::String(text)) => (Some(text.clone()), None),
        Some(Value::Number(number)) => (
            Some(number.to_string()),
            problem("a number, not a string; read as its decimal text".to_owned()),
        ),
        Some(other) => (
            None,
            problem(format!(
                "expected a string, found {}; left out (the raw answer still has it)",
                json_kind(other)
            )),
        ),
    }
}

/// A time member: whole seconds since the Unix epoch, read leniently. A fraction is truncated
/// and a numeric string parsed (each reported); a negative, huge or non-numeric value is left
/// out (reported too).
fn read_seconds(
    object: &Map<String, Value>,
    member: &'static str,
) -> (Option<i64>, Option<ResponseProblem>) {
    let problem = |message: String| {
        Some(ResponseProblem::Credential(FieldProblem::new(
            member, message,
        )))
    };
    let (number, from_text) = match object.get(member) {
        None | Some(Value::Null) => return (None, None),
        Some(Value::Number(number)) => (number.clone(), false),
        Some(Value::String(text)) => match text.trim().parse::<Number>() {
            Ok(number) => (number, true),
            Err(_) => return (
                None,
                problem(
                    "expected seconds since the Unix epoch, found a non-numeric string; left out"
                        .to_owned(),
                ),
            ),
        },
        Some(other) => {
            return (
                None,
                problem(format!(
                    "expected seconds since the Unix epoch, found {}; left out",
                    json_kind(other)
                )),
            )
        }
    };
    let seconds = match whole_seconds(&number) {
        Ok((seconds, truncated)) => {
            let repair = match (from_text, truncated) {
                (false, false) => return (Some(seconds), None),
                (true, false) => "a numeric string, not a number; parsed",
                (false, true) => "a fractional number; truncated to whole seconds",
                (true, true) => "a fractional numeric string; parsed and truncated",
            };
            return (Some(seconds), problem(repair.to_owned()));
        }
        Err(reason) => reason,
    };
    (None, problem(format!("{seconds}; left out")))
}

/// A non-negative number as whole seconds, and whether a fraction was dropped.
fn whole_seconds(number: &Number) -> Result<(i64, bool), &'static str> {
    if let Some(seconds) = number.as_i64() {
        return if seconds < 0 {
            Err("a negative number")
        } else {
            Ok((seconds, false))
        };
    }
    if number.is_u64() {
        return Err("a number too large to be a time");
    }
    match number.as_f64() {
        Some(value) if value < 0.0 => Err("a negative number"),
        // `i64::MAX as f64` is exactly 2^63: anything below it truncates into range.
        Some(value) if value < i64::MAX as f64 => Ok((value.trunc() as i64, value.fract() != 0.0)),
        _ => Err("a number too large to be a time"),
    }
}

/// The expiry a `client_secret_expires_at` value stands for: `None` when absent, `0` (never
/// expires) or beyond `SystemTime`.
pub(crate) fn secret_expiry(client_secret_expires_at: Option<i64>) -> Option<SystemTime> {
    match client_secret_expires_at {
        Some(0) | None => None,
        Some(seconds) => epoch_seconds(seconds),
    }
}

/// `seconds` after the Unix epoch, when `SystemTime` can hold it.
pub(crate) fn epoch_seconds(seconds: i64) -> Option<SystemTime> {
    let seconds = u64::try_from(seconds).ok()?;
    SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(seconds))
}

impl fmt::Debug for RegistrationResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistrationResponse")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("registration_access_token", &self.registration_access_token)
            .field("registration_client_uri", &self.registration_client_uri)
            .field("client_id_issued_at", &self.client_id_issued_at)
            .field("client_secret_expires_at", &self.client_secret_expires_at)
            .field("metadata", &self.metadata)
            .field("problems", &self.problems)
            .field("registration_endpoint", &self.registration_endpoint)
            .field("raw", &RedactedObject(&self.raw.0))
            .finish()
    }
}

/// A JSON object shown with its secret members redacted.
pub(crate) struct RedactedObject<'a>(pub(crate) &'a Map<String, Value>);

impl fmt::Debug for RedactedObject<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            if SECRET_MEMBERS.contains(&name.as_str()) {
                // Whatever its type: a wrongly typed secret is still a secret.
                map.entry(name, &format_args!("<redacted>"));
            } else {
                map.entry(name, value);
            }
        }
        map.finish()
    }
}

/// Writes the raw object as received, **secrets included**: the purpose is to persist a
/// registration and load it again with [`RegistrationResponse::from_json`] or `Deserialize`.
/// Store the output as carefully as the secrets themselves.
impl Serialize for RegistrationResponse {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.raw.0.serialize(serializer)
    }
}

/// Reads what `Serialize` wrote (or any registration response) with the rules of
/// [`RegistrationResponse::from_json_object`].
impl<'de> Deserialize<'de> for RegistrationResponse {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let object = Map::<String, Value>::deserialize(deserializer)?;
        Self::from_json_object(object).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::values::{ClientAuthMethod, GrantType};

    fn parse(body: Value) -> Result<RegistrationResponse, RegistrationResponseError> {
        RegistrationResponse::from_json(&serde_json::to_vec(&body).unwrap())
    }

    fn full() -> Value {
        json!({
            "client_id": "s6BhdRkqt3",
            "client_secret": "cf136dc3c1fc93f31185e5885805d",
            "client_id_issued_at": 2_893_256_800_i64,
            "client_secret_expires_at": 2_893_276_800_i64,
            "registration_access_token": "this.is.an.access.token.value.ffx83",
            "registration_client_uri": "https://server.example.com/connect/register?client_id=s6BhdRkqt3",
            "redirect_uris": ["https://client.example.org/callback"],
            "grant_types": ["authorization_code", "refresh_token"],
            "token_endpoint_auth_method": "client_secret_basic",
            "client_name": "My Example",
            "x_vendor": {"tier": "gold"},
        })
    }

    fn credential_problems(r: &RegistrationResponse) -> Vec<(String, String)> {
        r.problems
            .iter()
            .filter_map(|problem| match problem {
                ResponseProblem::Credential(p) => Some((p.field.clone(), p.message.clone())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn reads_a_full_response() {
        let r = parse(full()).unwrap();
        assert_eq!(r.client_id, "s6BhdRkqt3");
        assert_eq!(
            r.client_secret.as_ref().map(Secret::expose),
            Some("cf136dc3c1fc93f31185e5885805d")
        );
        assert_eq!(
            r.registration_access_token.as_ref().map(Secret::expose),
            Some("this.is.an.access.token.value.ffx83")
        );
        assert_eq!(
            r.registration_client_uri.as_deref(),
            Some("https://server.example.com/connect/register?client_id=s6BhdRkqt3")
        );
        assert_eq!(r.client_id_issued_at, Some(2_893_256_800));
        assert_eq!(r.client_secret_expires_at, Some(2_893_276_800));
        assert_eq!(
            r.client_id_issued_at_time(),
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(2_893_256_800))
        );
        assert_eq!(
            r.metadata.redirect_uris(),
            ["https://client.example.org/callback"]
        );
        assert_eq!(
            r.metadata.grant_types,
            Some(vec![GrantType::AuthorizationCode, GrantType::RefreshToken])
        );
        assert_eq!(
            r.metadata.token_endpoint_auth_method,
            Some(ClientAuthMethod::ClientSecretBasic)
        );
        assert_eq!(
            r.metadata.extra_fields.get("x_vendor"),
            Some(&json!({"tier": "gold"}))
        );
        assert!(r.problems.is_empty());
        assert_eq!(r.raw().len(), 11);
        assert!(r.has_echoed_metadata());
    }

    #[test]
    fn response_only_members_stay_out_of_the_metadata() {
        let r = parse(full()).unwrap();
        let object = r.metadata_object();
        for member in ClientMetadata::RESPONSE_ONLY_MEMBERS {
            assert!(!r.metadata.extra_fields.contains_key(member), "{member}");
            assert!(!object.contains_key(member), "{member}");
            assert!(r.raw().contains_key(member), "{member}");
        }
        assert_eq!(object.len(), 5);
    }

    #[test]
    fn a_minimal_response_is_enough() {
        let r = parse(json!({"client_id": "abc", "client_secret": null})).unwrap();
        assert_eq!(r.client_id, "abc");
        assert_eq!(r.client_secret, None);
        assert_eq!(r.client_id_issued_at_time(), None);
        assert!(r.problems.is_empty());
        assert!(!r.has_echoed_metadata());
    }

    #[test]
    fn vendor_members_alone_are_not_echoed_metadata() {
        let r = parse(json!({"client_id": "abc", "x_tier": "gold", "scope#en": "x"})).unwrap();
        assert!(!r.has_echoed_metadata());
        let r = parse(json!({"client_id": "abc", "client_name#fr": "Nom"})).unwrap();
        assert!(r.has_echoed_metadata());
    }

    #[test]
    fn client_id_is_required_and_must_be_usable() {
        for body in [json!({}), json!({"client_id": null})] {
            let error = parse(body.clone()).unwrap_err();
            assert!(
                matches!(error, RegistrationResponseError::MissingClientId { .. }),
                "{error:?}"
            );
            assert_eq!(error.body().expose(), serde_json::to_vec(&body).unwrap());
        }
        for (value, found) in [
            (json!(""), "an empty string"),
            (json!(1.5), "a fractional number"),
            (json!(["x"]), "an array"),
        ] {
            let error = parse(json!({"client_id": value, "client_secret": "hunter2"})).unwrap_err();
            assert!(
                matches!(error, RegistrationResponseError::UnusableClientId { found: f, .. } if f == found),
                "{error:?}"
            );
            // The body is kept for recovery, and shown nowhere.
            assert!(std::str::from_utf8(error.body().expose())
                .unwrap()
                .contains("hunter2"));
            let shown = format!("{error} {error:?}");
            assert!(!shown.contains("hunter2"), "{shown}");
        }
        assert_eq!(
            parse(json!({})).unwrap_err().to_string(),
            "the answer has no client_id"
        );
    }

    #[test]
    fn an_integer_client_id_is_read_as_text() {
        let r = parse(json!({"client_id": 7})).unwrap();
        assert_eq!(r.client_id, "7");
        assert_eq!(credential_problems(&r).len(), 1);
    }

    #[test]
    fn times_are_read_leniently_and_every_repair_is_reported() {
        for (value, expected, reported) in [
            (json!(5), Some(5), false),
            (json!(1.5), Some(1), true),
            (json!(1_577_858_400.0), Some(1_577_858_400), false),
            (json!("1577858400"), Some(1_577_858_400), true),
            (json!(" 12.75 "), Some(12), true),
            (json!("soon"), None, true),
            (json!(-5), None, true),
            (json!(-0.5), None, true),
            (json!(u64::MAX), None, true),
            (json!(1e300), None, true),
            (json!(true), None, true),
            (json!({"at": 1}), None, true),
        ] {
            let r = parse(json!({"client_id": "abc", "client_id_issued_at": value, "client_secret_expires_at": value}))
                .unwrap();
            assert_eq!(r.client_id_issued_at, expected, "{value}");
            assert_eq!(r.client_secret_expires_at, expected, "{value}");
            let problems = credential_problems(&r);
            assert_eq!(
                problems.len(),
                if reported { 2 } else { 0 },
                "{value}: {problems:?}"
            );
        }
    }

    #[test]
    fn odd_credentials_are_problems_never_errors_and_never_quoted() {
        for member in [
            "client_secret",
            "registration_access_token",
            "registration_client_uri",
        ] {
            let body =
                json!({"client_id": "abc", member: {"value": "hunter2"}, "client_name": "n"});
            let r = parse(body).unwrap();
            let problems = credential_problems(&r);
            assert_eq!(problems.len(), 1, "{member}");
            assert_eq!(problems[0].0, member);
            assert!(!r.problems[0].to_string().contains("hunter2"));
            if SECRET_MEMBERS.contains(&member) {
                assert!(!format!("{r:?}").contains("hunter2"), "{member}");
            }
            assert_eq!(r.metadata.client_name.value(), Some("n"));
        }
        let r = parse(json!({"client_id": "abc", "client_secret": 123_456_789, "registration_access_token": ""}))
            .unwrap();
        assert_eq!(
            r.client_secret.as_ref().map(Secret::expose),
            Some("123456789")
        );
        assert_eq!(r.registration_access_token, None);
        assert_eq!(credential_problems(&r).len(), 2);
        assert!(!r
            .problems
            .iter()
            .any(|p| p.to_string().contains("123456789")));
    }

    #[test]
    fn a_wrong_typed_echoed_field_is_a_problem_not_an_error() {
        let r = parse(json!({
            "client_id": "abc",
            "grant_types": "authorization_code",
            "redirect_uris": ["https://app.example/callback"],
        }))
        .unwrap();
        assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
        assert_eq!(r.problems[0].member(), Some("grant_types"));
        assert!(matches!(r.problems[0], ResponseProblem::Metadata(_)));
        assert_eq!(r.raw()["grant_types"], "authorization_code");
        assert_eq!(r.metadata_object()["grant_types"], "authorization_code");
        assert_eq!(r.metadata.grant_types, None);
        assert_eq!(r.metadata.redirect_uris(), ["https://app.example/callback"]);
    }

    #[test]
    fn management_answers_need_no_client_id() {
        let r = RegistrationResponse::from_management_json(
            br#"{"registration_access_token":"t2"}"#,
            "held",
        )
        .unwrap();
        assert_eq!(r.client_id, "held");
        assert_eq!(
            r.registration_access_token.as_ref().map(Secret::expose),
            Some("t2")
        );
        assert_eq!(credential_problems(&r)[0].0, "client_id");
        let r = RegistrationResponse::from_management_json(br#"{"client_id":""}"#, "held").unwrap();
        assert_eq!(r.client_id, "held");
        assert!(RegistrationResponse::from_management_json(b"[1]", "held").is_err());
    }

    #[test]
    fn a_byte_order_mark_is_ignored() {
        let mut body = b"\xEF\xBB\xBF".to_vec();
        body.extend_from_slice(br#"{"client_id":"abc"}"#);
        assert_eq!(
            RegistrationResponse::from_json(&body).unwrap().client_id,
            "abc"
        );
    }

    #[test]
    fn a_repeated_response_member_is_fatal_and_keeps_the_body() {
        for member in ClientMetadata::RESPONSE_ONLY_MEMBERS {
            let body = format!(
                r#"{{"client_id":"abc","{member}":"hunter2","client_name":"n","{member}":"hunter3"}}"#
            );
            for error in [
                RegistrationResponse::from_json(body.as_bytes()).unwrap_err(),
                RegistrationResponse::from_management_json(body.as_bytes(), "abc").unwrap_err(),
            ] {
                assert!(
                    matches!(&error, RegistrationResponseError::DuplicateMember { member: m, .. } if m == member),
                    "{member}: {error:?}"
                );
                assert_eq!(error.body().expose(), body.as_bytes());
                assert_eq!(
                    error.to_string(),
                    format!("the answer has {member} more than once")
                );
                let shown = format!("{error:?}");
                assert!(!shown.contains("hunter"), "{shown}");
            }
        }
    }

    #[test]
    fn a_repeated_metadata_member_is_a_problem_and_the_last_value_is_kept() {
        let body = br#"{"client_id":"abc","client_secret":"s","client_name":"first","redirect_uris":["https://a.example/cb"],"client_name":"second","x_vendor":1,"x_vendor":2}"#;
        let r = RegistrationResponse::from_json(body).unwrap();
        assert_eq!(r.client_secret.as_ref().map(Secret::expose), Some("s"));
        assert_eq!(r.metadata.client_name.value(), Some("second"));
        assert_eq!(r.raw()["x_vendor"], 2);
        assert_eq!(
            r.problems,
            [
                ResponseProblem::DuplicateMember {
                    member: "client_name".into()
                },
                ResponseProblem::DuplicateMember {
                    member: "x_vendor".into()
                },
            ]
        );
        assert_eq!(r.problems[0].member(), Some("client_name"));
        assert_eq!(
            r.problems[0].to_string(),
            "client_name: appears more than once in the answer; the last value was kept"
        );
        // The object is what serde_json's own reader makes of the body, members and order
        // alike (with `preserve_order`, the kept value where the member first appeared).
        let theirs: Map<String, Value> = serde_json::from_slice(body).unwrap();
        assert_eq!(r.raw(), &theirs);
        assert_eq!(
            r.raw().keys().collect::<Vec<_>>(),
            theirs.keys().collect::<Vec<_>>()
        );
        assert_eq!(r.raw().len(), 5);
    }

    #[test]
    fn secret_expiry() {
        let at = |seconds: u64| SystemTime::UNIX_EPOCH + Duration::from_secs(seconds);
        let with = |expires: Value| {
            parse(json!({"client_id": "abc", "client_secret": "s", "client_secret_expires_at": expires}))
                .unwrap()
        };

        let never = with(json!(0));
        assert!(never.secret_never_expires());
        assert_eq!(never.secret_expires_at(), None);
        assert!(!never.is_secret_expired());
        assert!(!never.is_secret_expired_at(at(u64::from(u32::MAX))));

        let past = with(json!(1_577_858_400));
        assert!(!past.secret_never_expires());
        assert_eq!(past.secret_expires_at(), Some(at(1_577_858_400)));
        assert!(past.is_secret_expired());
        assert!(past.is_secret_expired_at(at(1_577_858_400)));
        assert!(!past.is_secret_expired_at(at(1_577_858_399)));

        let future = with(json!(32_503_680_000_i64)); // year 3000
        assert!(!future.is_secret_expired());
        assert!(future.is_secret_expired_at(at(32_503_680_001)));

        let unknown = parse(json!({"client_id": "abc", "client_secret": "s"})).unwrap();
        assert!(!unknown.secret_never_expires());
        assert_eq!(unknown.secret_expires_at(), None);
        assert!(!unknown.is_secret_expired());

        // Too far away for SystemTime on some platforms: treated as unknown, never a panic.
        let huge = with(json!(i64::MAX));
        let _ = huge.secret_expires_at();
        let _ = huge.is_secret_expired();
    }

    #[test]
    fn debug_redacts_secrets_everywhere() {
        let r = parse(full()).unwrap();
        let shown = format!("{r:?} {r:#?}");
        assert!(!shown.contains("cf136dc3c1fc93f31185e5885805d"), "{shown}");
        assert!(!shown.contains("this.is.an.access.token"), "{shown}");
        assert!(shown.contains("Secret(<redacted>)"));
        assert!(shown.contains("\"client_secret\": <redacted>"), "{shown}");
        assert!(shown.contains("\"registration_access_token\": <redacted>"));
        assert!(shown.contains("s6BhdRkqt3"));
        assert!(shown.contains("https://server.example.com/connect/register?client_id=s6BhdRkqt3"));

        // A secret of the wrong type is redacted in the raw object too.
        let odd = parse(json!({"client_id": "abc", "client_secret": ["hunter2"]})).unwrap();
        assert!(!format!("{odd:?}").contains("hunter2"));
    }

    #[test]
    fn serializes_the_raw_object_for_persistence() {
        let r = parse(full()).unwrap();
        let stored = serde_json::to_value(&r).unwrap();
        assert_eq!(stored, full());
        let back: RegistrationResponse = serde_json::from_value(stored).unwrap();
        assert_eq!(back, r);
        assert!(serde_json::from_value::<RegistrationResponse>(json!({"client_id": ""})).is_err());
    }

    #[test]
    fn non_objects_and_bad_json_are_rejected_with_their_body() {
        let error = RegistrationResponse::from_json(b"[]").unwrap_err();
        assert!(matches!(
            error,
            RegistrationResponseError::NotAnObject {
                found: "an array",
                ..
            }
        ));
        assert_eq!(error.body().expose(), b"[]");
        let error = RegistrationResponse::from_json(b"{\"client_id\": ").unwrap_err();
        assert!(matches!(
            error,
            RegistrationResponseError::InvalidJson { .. }
        ));
        assert_eq!(error.to_string(), "the answer is not valid JSON");
        assert!(std::error::Error::source(&error).is_some());
        assert_eq!(
            format!("{:?}", error.body()),
            "RawBody(<14 bytes redacted>)"
        );
    }
}
