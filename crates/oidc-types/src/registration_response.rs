//! What a provider answers to a successful registration or client read/update: RFC 7591
//! §3.2.1, OIDC DCR §3.2, RFC 7592 §3.

use std::fmt;
use std::time::{Duration, SystemTime};

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::client_metadata::{ClientMetadata, FieldProblem};
use crate::provider_metadata::json_kind;
use crate::secret::Secret;

/// The members whose values are credentials: never printed, never put in an error.
const SECRET_MEMBERS: [&str; 2] = ["client_secret", "registration_access_token"];

/// A provider's answer to a successful client registration (RFC 7591 §3.2.1, OIDC DCR §3.2),
/// or to a read or update of the client configuration (RFC 7592 §3).
///
/// Reading is strict where the client cannot work without a correct value and lenient
/// elsewhere:
///
/// - `client_id` must be a non-empty string; the credential and management members
///   (`client_secret`, `registration_access_token`, `registration_client_uri`) must be
///   strings; the times (`client_id_issued_at`, `client_secret_expires_at`) must be
///   non-negative integers. Anything else is a [`RegistrationResponseError`]. JSON `null` counts
///   as absent.
/// - The echoed client metadata is read with [`ClientMetadata::from_json_object`]: a member that
///   does not fit its type is left out of [`metadata`](Self::metadata), recorded in
///   [`metadata_problems`](Self::metadata_problems), and still available in
///   [`raw`](Self::raw). The provider has registered the client either way, so refusing its
///   answer would lose the credentials.
///
/// The provider may have changed or filled in any value it was sent (RFC 7591 §3.2.1, OIDC DCR
/// §3.2); `metadata` is what it registered, and is what the client should use and persist.
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
///     "client_id_issued_at": 2893256800,
///     "redirect_uris": ["https://client.example.org/callback"],
///     "client_name": "My Example"
/// }"#;
/// let registered = RegistrationResponse::from_json(body).unwrap();
/// assert_eq!(registered.client_id, "s6BhdRkqt3");
/// assert_eq!(registered.metadata.client_name.value(), Some("My Example"));
/// assert!(registered.secret_never_expires());
/// assert!(!registered.is_secret_expired());
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
    /// The client metadata the provider echoed, i.e. what it registered. The six members above
    /// are not part of it (nor of its `extra_fields`).
    pub metadata: ClientMetadata,
    /// Echoed members that did not fit their type in [`ClientMetadata`] and were left out of
    /// `metadata`; their values are still in [`RegistrationResponse::raw`]. Empty for a
    /// well-behaved provider.
    pub metadata_problems: Vec<FieldProblem>,
    /// The whole object as received (`null` members included).
    raw: Map<String, Value>,
}

/// Why a registration response could not be used.
///
/// No variant carries the value of `client_secret` or `registration_access_token`: only member
/// names and JSON types.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistrationResponseError {
    /// The body is not JSON.
    #[error("registration response: invalid JSON: {source}")]
    InvalidJson {
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// The body is JSON but not an object.
    #[error("registration response: expected a JSON object, found {found}")]
    NotAnObject {
        /// What the body was, e.g. `"an array"`.
        found: &'static str,
    },
    /// There is no `client_id` member (or it is `null`), so the registration cannot be used.
    #[error("registration response: the client_id member is missing")]
    MissingClientId,
    /// A member the client depends on has the wrong type or an impossible value: `client_id`
    /// not a non-empty string, a credential or `registration_client_uri` not a string, a time
    /// not a non-negative integer.
    #[error("registration response: {member}: expected {expected}, found {found}")]
    WrongType {
        /// The member's name, e.g. `client_id_issued_at`.
        member: &'static str,
        /// What RFC 7591 asks for, e.g. `"a string"`.
        expected: &'static str,
        /// What the response had, e.g. `"a number"`; never the value itself.
        found: &'static str,
    },
}

/// `expected` text for the two time members.
const EXPECTED_SECONDS: &str = "a non-negative integer (seconds since the Unix epoch)";

impl RegistrationResponse {
    /// Reads a registration response from a JSON body (parsed once).
    ///
    /// # Errors
    ///
    /// [`RegistrationResponseError::InvalidJson`] when the body is not JSON,
    /// [`NotAnObject`](RegistrationResponseError::NotAnObject) when it is not an object,
    /// [`MissingClientId`](RegistrationResponseError::MissingClientId) without `client_id`, and
    /// [`WrongType`](RegistrationResponseError::WrongType) for a bad `client_id`, credential,
    /// `registration_client_uri` or time. Problems in the echoed metadata are not errors; see
    /// [`RegistrationResponse::metadata_problems`].
    pub fn from_json(body: &[u8]) -> Result<Self, RegistrationResponseError> {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(object)) => Self::from_json_object(object),
            Ok(other) => Err(RegistrationResponseError::NotAnObject {
                found: json_kind(&other),
            }),
            Err(source) => Err(RegistrationResponseError::InvalidJson { source }),
        }
    }

    /// Reads a registration response from an already parsed JSON object; see
    /// [`RegistrationResponse::from_json`].
    ///
    /// # Errors
    ///
    /// As [`RegistrationResponse::from_json`], except that the JSON is already parsed.
    pub fn from_json_object(object: Map<String, Value>) -> Result<Self, RegistrationResponseError> {
        let client_id = match string_member(&object, "client_id")? {
            None => return Err(RegistrationResponseError::MissingClientId),
            Some("") => {
                return Err(RegistrationResponseError::WrongType {
                    member: "client_id",
                    expected: "a non-empty string",
                    found: "an empty string",
                })
            }
            Some(id) => id.to_owned(),
        };
        let client_secret = string_member(&object, "client_secret")?.map(Secret::new);
        let registration_access_token =
            string_member(&object, "registration_access_token")?.map(Secret::new);
        let registration_client_uri =
            string_member(&object, "registration_client_uri")?.map(str::to_owned);
        let client_id_issued_at = seconds_member(&object, "client_id_issued_at")?;
        let client_secret_expires_at = seconds_member(&object, "client_secret_expires_at")?;
        let (metadata, metadata_problems) = ClientMetadata::from_json_object(&object);
        Ok(Self {
            client_id,
            client_secret,
            registration_access_token,
            registration_client_uri,
            client_id_issued_at,
            client_secret_expires_at,
            metadata,
            metadata_problems,
            raw: object,
        })
    }

    /// The whole JSON object as the provider sent it, including members this library does not
    /// know and echoed members that did not fit [`ClientMetadata`]. It contains the secrets.
    pub fn raw(&self) -> &Map<String, Value> {
        &self.raw
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

    /// Whether the provider echoed any client metadata. Some providers answer with only the
    /// client id and credentials; then [`RegistrationResponse::metadata`] holds nothing but
    /// defaults, and what was sent is the best record of what was registered.
    pub fn has_echoed_metadata(&self) -> bool {
        self.raw
            .keys()
            .any(|member| !crate::client_metadata::RESPONSE_ONLY_MEMBERS.contains(&member.as_str()))
    }

    /// When the client id was issued, from `client_id_issued_at`; `None` when the member is
    /// absent or the time cannot be represented.
    pub fn client_id_issued_at_time(&self) -> Option<SystemTime> {
        self.client_id_issued_at.and_then(epoch_seconds)
    }
}

/// Reads an optional string member; `null` counts as absent.
fn string_member<'a>(
    object: &'a Map<String, Value>,
    member: &'static str,
) -> Result<Option<&'a str>, RegistrationResponseError> {
    match object.get(member) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        // Only the JSON type is reported: the value may be a secret.
        Some(other) => Err(RegistrationResponseError::WrongType {
            member,
            expected: "a string",
            found: json_kind(other),
        }),
    }
}

/// Reads an optional time member: a non-negative whole number of seconds. `null` counts as
/// absent; a whole number written with a fraction (`1577858400.0`) is accepted.
fn seconds_member(
    object: &Map<String, Value>,
    member: &'static str,
) -> Result<Option<i64>, RegistrationResponseError> {
    let wrong = |found| RegistrationResponseError::WrongType {
        member,
        expected: EXPECTED_SECONDS,
        found,
    };
    match object.get(member) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => {
            if let Some(seconds) = number.as_i64() {
                return if seconds < 0 {
                    Err(wrong("a negative number"))
                } else {
                    Ok(Some(seconds))
                };
            }
            if number.is_u64() {
                return Err(wrong("a number out of range"));
            }
            match number.as_f64() {
                Some(value) if value < 0.0 => Err(wrong("a negative number")),
                Some(value) if value.fract() != 0.0 => Err(wrong("a fractional number")),
                // `i64::MAX as f64` is exactly 2^63: a whole number below it converts exactly.
                Some(value) if value < i64::MAX as f64 => Ok(Some(value as i64)),
                _ => Err(wrong("a number out of range")),
            }
        }
        Some(other) => Err(wrong(json_kind(other))),
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
            .field("metadata_problems", &self.metadata_problems)
            .field("raw", &RedactedObject(&self.raw))
            .finish()
    }
}

/// Prints a JSON object with the values of the secret members replaced by `<redacted>`.
struct RedactedObject<'a>(&'a Map<String, Value>);

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
        self.raw.serialize(serializer)
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
            r.metadata.redirect_uris,
            ["https://client.example.org/callback"]
        );
        assert_eq!(
            r.metadata.grant_types,
            Some(vec![GrantType::AuthorizationCode, GrantType::RefreshToken])
        );
        assert_eq!(
            r.metadata.token_endpoint_auth_method,
            ClientAuthMethod::ClientSecretBasic
        );
        assert_eq!(
            r.metadata.extra_fields.get("x_vendor"),
            Some(&json!({"tier": "gold"}))
        );
        assert!(r.metadata_problems.is_empty());
        assert_eq!(r.raw().len(), 11);
    }

    #[test]
    fn response_only_members_stay_out_of_the_metadata() {
        let r = parse(full()).unwrap();
        for member in [
            "client_id",
            "client_secret",
            "client_id_issued_at",
            "client_secret_expires_at",
            "registration_access_token",
            "registration_client_uri",
        ] {
            assert!(!r.metadata.extra_fields.contains_key(member), "{member}");
            assert!(r.raw().contains_key(member), "{member}");
        }
    }

    #[test]
    fn a_minimal_response_is_enough() {
        let r = parse(json!({"client_id": "abc", "client_secret": null})).unwrap();
        assert_eq!(r.client_id, "abc");
        assert_eq!(r.client_secret, None);
        assert_eq!(r.client_id_issued_at_time(), None);
        assert!(r.metadata_problems.is_empty());
    }

    #[test]
    fn client_id_is_required_and_must_be_a_non_empty_string() {
        for body in [json!({}), json!({"client_id": null})] {
            assert!(matches!(
                parse(body),
                Err(RegistrationResponseError::MissingClientId)
            ));
        }
        let error = parse(json!({"client_id": 7})).unwrap_err();
        assert!(
            matches!(
                error,
                RegistrationResponseError::WrongType {
                    member: "client_id",
                    found: "a number",
                    ..
                }
            ),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            "registration response: client_id: expected a string, found a number"
        );
        let error = parse(json!({"client_id": ""})).unwrap_err();
        assert!(matches!(
            error,
            RegistrationResponseError::WrongType {
                member: "client_id",
                ..
            }
        ));
        assert_eq!(
            RegistrationResponseError::MissingClientId.to_string(),
            "registration response: the client_id member is missing"
        );
    }

    #[test]
    fn times_must_be_non_negative_integers() {
        for (value, found) in [
            (json!("invalid"), "a string"),
            (json!(-5), "a negative number"),
            (json!(1.5), "a fractional number"),
            (json!(u64::MAX), "a number out of range"),
            (json!(true), "a boolean"),
        ] {
            let error =
                parse(json!({"client_id": "abc", "client_id_issued_at": value})).unwrap_err();
            match &error {
                RegistrationResponseError::WrongType {
                    member,
                    found: actual,
                    ..
                } => {
                    assert_eq!(*member, "client_id_issued_at");
                    assert_eq!(*actual, found);
                }
                other => panic!("{other:?}"),
            }
        }
        let error =
            parse(json!({"client_id": "abc", "client_secret_expires_at": "0"})).unwrap_err();
        assert!(matches!(
            error,
            RegistrationResponseError::WrongType {
                member: "client_secret_expires_at",
                ..
            }
        ));
        let r = parse(json!({"client_id": "abc", "client_secret_expires_at": 1_577_858_400.0}))
            .unwrap();
        assert_eq!(r.client_secret_expires_at, Some(1_577_858_400));
    }

    #[test]
    fn wrong_typed_credentials_fail_without_showing_the_value() {
        for member in [
            "client_secret",
            "registration_access_token",
            "registration_client_uri",
        ] {
            let body = json!({"client_id": "abc", member: {"value": "hunter2"}});
            let error = parse(body).unwrap_err();
            let shown = format!("{error} {error:?}");
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(
                matches!(&error, RegistrationResponseError::WrongType { member: m, found: "an object", .. } if *m == member),
                "{error:?}"
            );
        }
    }

    #[test]
    fn a_wrong_typed_echoed_field_is_a_problem_not_an_error() {
        let r = parse(json!({
            "client_id": "abc",
            "grant_types": "authorization_code",
            "redirect_uris": ["https://app.example/callback"],
        }))
        .unwrap();
        assert_eq!(r.metadata_problems.len(), 1, "{:?}", r.metadata_problems);
        assert_eq!(r.metadata_problems[0].field, "grant_types");
        assert_eq!(r.raw()["grant_types"], "authorization_code");
        assert_eq!(r.metadata.grant_types, None);
        assert_eq!(r.metadata.redirect_uris, ["https://app.example/callback"]);
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

        // A secret of the wrong type never reaches the Debug output either: parsing fails, and
        // the error carries only the type.
        let odd = parse(json!({"client_id": "abc", "client_secret": ["hunter2"]})).unwrap_err();
        assert!(!format!("{odd:?}").contains("hunter2"));
    }

    #[test]
    fn serializes_the_raw_object_for_persistence() {
        let r = parse(full()).unwrap();
        let stored = serde_json::to_value(&r).unwrap();
        assert_eq!(stored, full());
        let back: RegistrationResponse = serde_json::from_value(stored).unwrap();
        assert_eq!(back, r);
        assert!(serde_json::from_value::<RegistrationResponse>(json!({"client_id": 1})).is_err());
    }

    #[test]
    fn non_objects_and_bad_json_are_rejected() {
        assert!(matches!(
            RegistrationResponse::from_json(b"[]"),
            Err(RegistrationResponseError::NotAnObject { found: "an array" })
        ));
        let error = RegistrationResponse::from_json(b"{\"client_id\": ").unwrap_err();
        assert!(matches!(
            error,
            RegistrationResponseError::InvalidJson { .. }
        ));
        assert!(error
            .to_string()
            .starts_with("registration response: invalid JSON: "));
    }
}
