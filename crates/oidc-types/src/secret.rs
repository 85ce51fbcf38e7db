//! A string that must never be printed: client secrets and access tokens.

use std::fmt;

use serde::de;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A credential (`client_secret`, `registration_access_token`, an initial access token).
///
/// `Debug` prints `Secret(<redacted>)` and there is no `Display`, so a secret cannot end up in a
/// log line, an error message or a metric label by accident. Reading the value takes an explicit
/// call to [`Secret::expose`].
///
/// Serialization writes the plain value: a secret is serialized only when it is sent to the
/// provider or persisted on purpose by the caller.
///
/// ```
/// use oidc_types::Secret;
///
/// let secret = Secret::new("s3cr3t");
/// assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
/// assert_eq!(secret.expose(), "s3cr3t");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The credential itself. Call this only where the value is really needed (an
    /// `Authorization` header, a request body, a file the caller asked to write).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // serde's own message for a value of the wrong type quotes it (`invalid type: integer
        // `12345`, expected a string`), and the format writes it whatever the visitor does; a
        // numeric secret would end up in the error.
        String::deserialize(deserializer).map(Self).map_err(|_| {
            de::Error::custom("invalid value for a secret: expected a string (value not shown)")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::new("hunter2");
        let shown = format!("{secret:?} {:?} {:#?}", Some(&secret), vec![secret.clone()]);
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn serializes_as_the_plain_string() {
        let secret = Secret::new("hunter2");
        assert_eq!(serde_json::to_string(&secret).unwrap(), "\"hunter2\"");
        let back: Secret = serde_json::from_str("\"hunter2\"").unwrap();
        assert_eq!(back, secret);
    }

    #[test]
    fn a_wrongly_typed_secret_is_not_quoted_in_the_error() {
        for json in ["123456789", "-123456789", "1234.5678", "true"] {
            let error = serde_json::from_str::<Secret>(json)
                .unwrap_err()
                .to_string();
            assert!(error.contains("expected a string"), "{error}");
            let digits = json.trim_start_matches('-');
            assert!(!error.contains(&digits[..4]), "{json}: {error}");
            let error = serde_json::from_value::<Secret>(serde_json::from_str(json).unwrap())
                .unwrap_err()
                .to_string();
            assert!(!error.contains(&digits[..4]), "{json}: {error}");
        }
    }
}
