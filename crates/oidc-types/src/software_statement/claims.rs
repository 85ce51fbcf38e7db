//! The claims of a software statement and their JSON form.

use serde_json::{Map, Number, Value};

use super::{malformed, SoftwareStatementError};

/// The claims of a software statement (RFC 7591 §2.3): `iss` (required), `software_id`,
/// `software_version`, `iat`, `exp`, and any client metadata or other claims in
/// [`other`](Self::other).
///
/// The metadata claims (`client_name`, `redirect_uris`, …) stay as JSON in `other`; to read them
/// as typed metadata use [`ClientMetadata::from_json_object`](crate::ClientMetadata::from_json_object)
/// on [`to_json_object`](Self::to_json_object).
///
/// ```
/// use oidc_types::SoftwareStatementClaims;
///
/// let claims = SoftwareStatementClaims::new("https://issuer.example.com")
///     .with_software_id("4NRB1-0XZABZI9E6-5SM3R")
///     .with_claim("client_name", "Example Statement-based Client")
///     .with_claim("software_version", "2.1");
/// assert_eq!(claims.software_version.as_deref(), Some("2.1"));
///
/// let object = claims.to_json_object();
/// assert_eq!(object["iss"], "https://issuer.example.com");
/// assert_eq!(SoftwareStatementClaims::from_json_object(&object)?, claims);
/// # Ok::<(), oidc_types::SoftwareStatementError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SoftwareStatementClaims {
    /// `iss`: who issued (and signed) the statement. RFC 7591 requires it; an empty string means
    /// "absent" and [`sign_software_statement`](super::sign_software_statement) refuses it.
    pub iss: String,
    /// `software_id`: an identifier of the client software, the same for every instance.
    pub software_id: Option<String>,
    /// `software_version`: the version of the client software.
    pub software_version: Option<String>,
    /// `iat`: when the statement was issued, in seconds since the Unix epoch.
    pub iat: Option<i64>,
    /// `exp`: when the statement stops being valid, in seconds since the Unix epoch.
    pub exp: Option<i64>,
    /// Every other claim: client metadata values and anything else, kept as JSON.
    ///
    /// An entry here with the name of a typed field (`iss`, `software_id`, …) is written by
    /// [`to_json_object`](Self::to_json_object) only when that typed field is unset.
    pub other: Map<String, Value>,
}

impl SoftwareStatementClaims {
    /// Claims with only `iss` set.
    pub fn new(iss: impl Into<String>) -> Self {
        Self {
            iss: iss.into(),
            software_id: None,
            software_version: None,
            iat: None,
            exp: None,
            other: Map::new(),
        }
    }

    /// Sets `software_id`.
    pub fn with_software_id(mut self, software_id: impl Into<String>) -> Self {
        self.software_id = Some(software_id.into());
        self
    }

    /// Sets `software_version`.
    pub fn with_software_version(mut self, software_version: impl Into<String>) -> Self {
        self.software_version = Some(software_version.into());
        self
    }

    /// Sets `iat`, in seconds since the Unix epoch.
    pub fn with_issued_at(mut self, iat: i64) -> Self {
        self.iat = Some(iat);
        self
    }

    /// Sets `exp`, in seconds since the Unix epoch.
    pub fn with_expires_at(mut self, exp: i64) -> Self {
        self.exp = Some(exp);
        self
    }

    /// Sets any claim. This never fails.
    ///
    /// The name of a typed field (`iss`, `software_id`, `software_version`, `iat`, `exp`) sets
    /// that field when the value has its type (a string; an integer for `iat` and `exp`), and
    /// `null` clears it (`iss` becomes empty). A value of another type is kept as given in
    /// [`other`](Self::other) and the typed field is cleared, so the statement carries exactly
    /// what the caller wrote (a wrongly typed `iss` or `software_id` makes it malformed for a
    /// verifier). Any other name is stored in `other`, replacing an earlier value.
    pub fn with_claim(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        let name = name.into();
        let value = value.into();
        match name.as_str() {
            "iss" => match value {
                Value::String(iss) => self.set_typed(&name, |c| c.iss = iss),
                Value::Null => self.set_typed(&name, |c| c.iss.clear()),
                other => self.keep_untyped(name, other, |c| c.iss.clear()),
            },
            "software_id" => match value {
                Value::String(id) => self.set_typed(&name, |c| c.software_id = Some(id)),
                Value::Null => self.set_typed(&name, |c| c.software_id = None),
                other => self.keep_untyped(name, other, |c| c.software_id = None),
            },
            "software_version" => match value {
                Value::String(v) => self.set_typed(&name, |c| c.software_version = Some(v)),
                Value::Null => self.set_typed(&name, |c| c.software_version = None),
                other => self.keep_untyped(name, other, |c| c.software_version = None),
            },
            "iat" => match value {
                Value::Number(n) if n.as_i64().is_some() => {
                    self.set_typed(&name, |c| c.iat = n.as_i64())
                }
                Value::Null => self.set_typed(&name, |c| c.iat = None),
                other => self.keep_untyped(name, other, |c| c.iat = None),
            },
            "exp" => match value {
                Value::Number(n) if n.as_i64().is_some() => {
                    self.set_typed(&name, |c| c.exp = n.as_i64())
                }
                Value::Null => self.set_typed(&name, |c| c.exp = None),
                other => self.keep_untyped(name, other, |c| c.exp = None),
            },
            _ => {
                self.other.insert(name, value);
                self
            }
        }
    }

    /// Sets a typed field and drops a stale untyped value of the same name, so `other` cannot
    /// disagree with the field later.
    fn set_typed(mut self, name: &str, set: impl FnOnce(&mut Self)) -> Self {
        self.other.remove(name);
        set(&mut self);
        self
    }

    /// Clears a typed field and keeps a value of the wrong type in `other` instead.
    fn keep_untyped(mut self, name: String, value: Value, clear: impl FnOnce(&mut Self)) -> Self {
        clear(&mut self);
        self.other.insert(name, value);
        self
    }

    /// Reads claims from a JWT claims set.
    ///
    /// # Errors
    ///
    /// [`MissingIss`](SoftwareStatementError::MissingIss) when `iss` is absent or empty;
    /// [`Malformed`](SoftwareStatementError::Malformed) when a typed claim has the wrong JSON
    /// type (`iat`/`exp` must be numbers, the others strings; `null` counts as absent).
    pub fn from_json_object(object: &Map<String, Value>) -> Result<Self, SoftwareStatementError> {
        let claims = Self::from_json_object_lenient(object)?;
        if claims.iss.is_empty() {
            return Err(SoftwareStatementError::MissingIss);
        }
        Ok(claims)
    }

    /// [`from_json_object`](Self::from_json_object) without the `iss` requirement: an absent
    /// `iss` reads as the empty string. Only for showing a statement nobody verified.
    pub(super) fn from_json_object_lenient(
        object: &Map<String, Value>,
    ) -> Result<Self, SoftwareStatementError> {
        let mut claims = Self::new(optional_string(object, "iss")?.unwrap_or_default());
        claims.software_id = optional_string(object, "software_id")?;
        claims.software_version = optional_string(object, "software_version")?;
        claims.iat = optional_numeric_date(object, "iat")?;
        claims.exp = optional_numeric_date(object, "exp")?;
        claims.other = object
            .iter()
            .filter(|(name, _)| !is_typed(name))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        Ok(claims)
    }

    /// The claims as a JWT claims set: `iss` (unless empty), the typed fields that are set, and
    /// `other` (in the `Map`'s order, see [Member order](crate::json#member-order)). An entry of
    /// `other` never replaces a typed field that is set.
    pub fn to_json_object(&self) -> Map<String, Value> {
        let mut object = Map::new();
        if !self.iss.is_empty() {
            object.insert("iss".to_owned(), Value::String(self.iss.clone()));
        }
        let strings = [
            ("software_id", &self.software_id),
            ("software_version", &self.software_version),
        ];
        for (name, value) in strings {
            if let Some(value) = value {
                object.insert(name.to_owned(), Value::String(value.clone()));
            }
        }
        for (name, value) in [("iat", self.iat), ("exp", self.exp)] {
            if let Some(value) = value {
                object.insert(name.to_owned(), Value::Number(Number::from(value)));
            }
        }
        for (name, value) in &self.other {
            if !object.contains_key(name) {
                object.insert(name.clone(), value.clone());
            }
        }
        object
    }
}

/// Whether `name` is held in a typed field rather than in `other`.
fn is_typed(name: &str) -> bool {
    matches!(
        name,
        "iss" | "software_id" | "software_version" | "iat" | "exp"
    )
}

/// A string claim; `null` is treated like an absent claim.
fn optional_string(
    object: &Map<String, Value>,
    name: &str,
) -> Result<Option<String>, SoftwareStatementError> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(value)) => Ok(Some(value.clone())),
        Some(_) => Err(malformed(format!("`{name}` is not a string"))),
    }
}

/// A NumericDate claim (RFC 7519 §2). Fractional seconds are allowed by the RFC; they are
/// rounded down, which makes an `exp` expire at most a second early, never late.
fn optional_numeric_date(
    object: &Map<String, Value>,
    name: &str,
) -> Result<Option<i64>, SoftwareStatementError> {
    let not_seconds = || malformed(format!("`{name}` is not a number of seconds"));
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => match number.as_i64() {
            Some(seconds) => Ok(Some(seconds)),
            None => number
                .as_f64()
                // `as` saturates; bounding first keeps a huge float from reading as i64::MAX.
                .filter(|seconds| seconds.is_finite() && seconds.abs() < 1e15)
                .map(|seconds| Some(seconds.floor() as i64))
                .ok_or_else(not_seconds),
        },
        Some(_) => Err(not_seconds()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn typed_names_set_typed_fields() {
        let claims = SoftwareStatementClaims::new("a")
            .with_claim("iss", "b")
            .with_claim("software_id", "id")
            .with_claim("software_version", "1.0")
            .with_claim("iat", 10)
            .with_claim("exp", 20);
        assert_eq!(claims.iss, "b");
        assert_eq!(claims.software_id.as_deref(), Some("id"));
        assert_eq!(claims.software_version.as_deref(), Some("1.0"));
        assert_eq!((claims.iat, claims.exp), (Some(10), Some(20)));
        assert!(claims.other.is_empty());
    }

    #[test]
    fn a_wrongly_typed_value_is_kept_and_clears_the_field() {
        let claims = SoftwareStatementClaims::new("a")
            .with_software_id("id")
            .with_claim("software_id", 5)
            .with_claim("exp", "tomorrow");
        assert_eq!(claims.software_id, None);
        assert_eq!(claims.exp, None);
        let object = claims.to_json_object();
        assert_eq!(object["software_id"], 5);
        assert_eq!(object["exp"], "tomorrow");
        assert!(matches!(
            SoftwareStatementClaims::from_json_object(&object),
            Err(SoftwareStatementError::Malformed { .. })
        ));

        // Setting the right type afterwards removes the stale value.
        let fixed = claims.with_claim("software_id", "id2");
        assert_eq!(fixed.software_id.as_deref(), Some("id2"));
        assert!(!fixed.other.contains_key("software_id"));
    }

    #[test]
    fn null_clears() {
        let claims = SoftwareStatementClaims::new("a")
            .with_software_id("id")
            .with_claim("software_id", Value::Null)
            .with_claim("iss", Value::Null);
        assert_eq!(claims.software_id, None);
        assert_eq!(claims.iss, "");
        assert!(claims.to_json_object().is_empty());
    }

    #[test]
    fn a_set_typed_field_wins_over_other() {
        let mut claims = SoftwareStatementClaims::new("a").with_software_id("typed");
        claims.other.insert("software_id".into(), json!("untyped"));
        claims.other.insert("iss".into(), json!("untyped"));
        let object = claims.to_json_object();
        assert_eq!(object["software_id"], "typed");
        assert_eq!(object["iss"], "a");
    }

    #[test]
    fn parses_typed_and_other_claims() {
        let object = json!({
            "iss": "https://issuer.example.com",
            "software_id": "id",
            "software_version": null,
            "iat": 1.9,
            "exp": 2000000000,
            "client_name": "Example",
            "redirect_uris": ["https://client.example.org/cb"]
        });
        let object = object.as_object().unwrap();
        let claims = SoftwareStatementClaims::from_json_object(object).unwrap();
        assert_eq!(claims.iss, "https://issuer.example.com");
        assert_eq!(claims.software_version, None);
        assert_eq!(claims.iat, Some(1));
        assert_eq!(claims.exp, Some(2_000_000_000));
        assert_eq!(
            Value::Object(claims.other),
            json!({"client_name": "Example", "redirect_uris": ["https://client.example.org/cb"]})
        );
    }

    #[test]
    fn iss_is_required_unless_lenient() {
        let object = json!({"software_id": "id"});
        let object = object.as_object().unwrap();
        assert!(matches!(
            SoftwareStatementClaims::from_json_object(object),
            Err(SoftwareStatementError::MissingIss)
        ));
        let lenient = SoftwareStatementClaims::from_json_object_lenient(object).unwrap();
        assert_eq!(lenient.iss, "");
        assert_eq!(lenient.software_id.as_deref(), Some("id"));
    }

    #[test]
    fn rejects_wrong_types() {
        for object in [
            json!({"iss": 1}),
            json!({"iss": "a", "software_id": ["x"]}),
            json!({"iss": "a", "exp": "soon"}),
            json!({"iss": "a", "exp": 1e300}),
        ] {
            let result = SoftwareStatementClaims::from_json_object(object.as_object().unwrap());
            assert!(
                matches!(result, Err(SoftwareStatementError::Malformed { .. })),
                "{object}: {result:?}"
            );
        }
    }
}
