//! A string that must never be printed: client secrets and access tokens.

use std::fmt;

use serde::de;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroize;

/// A credential (`client_secret`, `registration_access_token`, an initial access token).
///
/// `Debug` prints `Secret(<redacted>)` and there is no `Display`, so a secret cannot end up in a
/// log line, an error message or a metric label by accident. Reading the value takes an explicit
/// call to [`Secret::expose`].
///
/// Serialization writes the plain value: a secret is serialized only when it is sent to the
/// provider or persisted on purpose by the caller.
///
/// The value is overwritten with zeros when the `Secret` is dropped (see `SECURITY.md` for what
/// that covers and what it cannot). Text a provider sent back can be cleaned of the secrets a
/// call used with [`Secret::scrub`].
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

    /// `text` with every occurrence of each of `secrets` replaced by `<redacted>`: for provider
    /// text kept in an error or shown to a user (an `error_description`, a `WWW-Authenticate`
    /// header, an error body), since a hostile or careless provider can quote what it was sent.
    /// Each secret is looked for as sent and as written inside a JSON string (where `"` and `\`
    /// are escaped). Empty secrets are ignored.
    ///
    /// ```
    /// use oidc_types::Secret;
    ///
    /// let token = Secret::new("t0k3n");
    /// let description = "token t0k3n is not valid";
    /// assert_eq!(Secret::scrub(description, &[&token]), "token <redacted> is not valid");
    /// ```
    pub fn scrub(text: &str, secrets: &[&Secret]) -> String {
        let mut text = text.to_owned();
        for secret in secrets {
            if secret.0.is_empty() {
                continue;
            }
            text = text.replace(secret.expose(), REDACTED);
            // The JSON string form, without its quotes, when it differs.
            let quoted = serde_json::to_string(secret.expose()).unwrap_or_default();
            let escaped = quoted.trim_matches('"');
            if !escaped.is_empty() && escaped != secret.expose() {
                text = text.replace(escaped, REDACTED);
            }
        }
        text
    }
}

/// What [`Secret::scrub`] puts in place of a secret.
const REDACTED: &str = "<redacted>";

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
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

impl From<&String> for Secret {
    fn from(value: &String) -> Self {
        Self(value.clone())
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
    fn scrub_replaces_every_secret_as_sent_and_as_json_escaped() {
        let token = Secret::new("a\"b");
        let secret = Secret::new("s3cret");
        let empty = Secret::new("");
        let text = r#"{"error_description":"bad token a\"b, secret s3cret, again s3cret"} a"b"#;
        let scrubbed = Secret::scrub(text, &[&token, &secret, &empty]);
        assert_eq!(
            scrubbed,
            r#"{"error_description":"bad token <redacted>, secret <redacted>, again <redacted>"} <redacted>"#
        );
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
