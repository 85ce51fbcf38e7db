//! The error object an OAuth 2.0 server answers with (RFC 6749 §5.2, RFC 7591 §3.2.2,
//! RFC 6750 §3).

use std::fmt;

use serde_json::Value;

/// An `error` code sent by a provider.
///
/// The codes of RFC 7591 §3.2.2 and RFC 6750 §3.1 have their own variants; any other code is kept
/// as [`OAuthErrorCode::Other`].
#[derive(Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OAuthErrorCode {
    /// `invalid_redirect_uri`: a redirect URI was refused (RFC 7591 §3.2.2).
    InvalidRedirectUri,
    /// `invalid_client_metadata`: a metadata value was refused (RFC 7591 §3.2.2).
    InvalidClientMetadata,
    /// `invalid_software_statement`: the software statement is invalid (RFC 7591 §3.2.2).
    InvalidSoftwareStatement,
    /// `unapproved_software_statement`: the software statement is not approved (RFC 7591 §3.2.2).
    UnapprovedSoftwareStatement,
    /// `invalid_token`: the bearer token (initial access token or registration access token) is
    /// missing, expired or unknown (RFC 6750 §3.1).
    InvalidToken,
    /// `insufficient_scope`: the token lacks a needed scope (RFC 6750 §3.1).
    InsufficientScope,
    /// `invalid_request`: the request is malformed (RFC 6749 §5.2).
    InvalidRequest,
    /// `access_denied`: the server refused the request.
    AccessDenied,
    /// Any other code, as sent.
    Other(String),
}

impl OAuthErrorCode {
    /// The code as it appears on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidRedirectUri => "invalid_redirect_uri",
            Self::InvalidClientMetadata => "invalid_client_metadata",
            Self::InvalidSoftwareStatement => "invalid_software_statement",
            Self::UnapprovedSoftwareStatement => "unapproved_software_statement",
            Self::InvalidToken => "invalid_token",
            Self::InsufficientScope => "insufficient_scope",
            Self::InvalidRequest => "invalid_request",
            Self::AccessDenied => "access_denied",
            Self::Other(code) => code,
        }
    }
}

impl From<&str> for OAuthErrorCode {
    fn from(code: &str) -> Self {
        match code {
            "invalid_redirect_uri" => Self::InvalidRedirectUri,
            "invalid_client_metadata" => Self::InvalidClientMetadata,
            "invalid_software_statement" => Self::InvalidSoftwareStatement,
            "unapproved_software_statement" => Self::UnapprovedSoftwareStatement,
            "invalid_token" => Self::InvalidToken,
            "insufficient_scope" => Self::InsufficientScope,
            "invalid_request" => Self::InvalidRequest,
            "access_denied" => Self::AccessDenied,
            other => Self::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for OAuthErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for OAuthErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Other(code) => write!(f, "Other({code:?})"),
            known => f.write_str(known.as_str()),
        }
    }
}

/// An OAuth 2.0 error sent by a provider: the `error` code with its optional description and URI.
///
/// ```
/// use oidc_types::{OAuthError, OAuthErrorCode};
///
/// let body = br#"{"error":"invalid_redirect_uri","error_description":"fragment not allowed"}"#;
/// let error = OAuthError::from_json(body).unwrap();
/// assert_eq!(error.code, OAuthErrorCode::InvalidRedirectUri);
/// assert_eq!(error.to_string(), "invalid_redirect_uri: fragment not allowed");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OAuthError {
    /// The `error` member.
    pub code: OAuthErrorCode,
    /// The `error_description` member, when it was a string.
    pub description: Option<String>,
    /// The `error_uri` member, when it was a string.
    pub uri: Option<String>,
}

impl OAuthError {
    /// An error with just a code.
    pub fn new(code: impl Into<OAuthErrorCode>) -> Self {
        Self {
            code: code.into(),
            description: None,
            uri: None,
        }
    }

    /// Reads an error object from a JSON body.
    ///
    /// Returns `None` unless the body is a JSON object whose `error` member is a non-empty
    /// string. Other members are ignored, and a non-string `error_description` (servers send
    /// `null`) is treated as absent rather than making the whole error unreadable. A body that
    /// names `error` twice is not read as an error: which code the provider meant is unknowable,
    /// and a caller deciding on it (say, "this registration is gone") must not guess.
    pub fn from_json(body: &[u8]) -> Option<Self> {
        let (object, _repeated) =
            crate::json::parse_object_tolerating(body, |member| member != "error").ok()?;
        Self::from_object(&object)
    }

    /// Reads an error from an already parsed JSON object; see [`OAuthError::from_json`].
    pub fn from_object(object: &serde_json::Map<String, Value>) -> Option<Self> {
        let code = object
            .get("error")?
            .as_str()
            .filter(|code| !code.is_empty())?;
        let text = |name: &str| object.get(name).and_then(Value::as_str).map(str::to_owned);
        Some(Self {
            code: OAuthErrorCode::from(code),
            description: text("error_description"),
            uri: text("error_uri"),
        })
    }

    /// Reads the error of a `WWW-Authenticate: Bearer error="…", error_description="…"` header
    /// (RFC 6750 §3), which servers send with an empty 401 body.
    ///
    /// ```
    /// use oidc_types::{OAuthError, OAuthErrorCode};
    ///
    /// let error = OAuthError::from_www_authenticate(r#"Bearer realm="x", error="invalid_token""#);
    /// assert_eq!(error.unwrap().code, OAuthErrorCode::InvalidToken);
    /// ```
    pub fn from_www_authenticate(header: &str) -> Option<Self> {
        let rest = header.trim_start();
        let (scheme, params) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        let mut error = None;
        let mut description = None;
        let mut uri = None;
        for (name, value) in auth_params(params) {
            match name.to_ascii_lowercase().as_str() {
                "error" => error = Some(value),
                "error_description" => description = Some(value),
                "error_uri" => uri = Some(value),
                _ => {}
            }
        }
        let code = error.filter(|code| !code.is_empty())?;
        Some(Self {
            code: OAuthErrorCode::from(code.as_str()),
            description,
            uri,
        })
    }
}

/// Splits `name="quoted, value", other=token` into pairs; malformed pieces are skipped.
fn auth_params(mut input: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    loop {
        input = input.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
        let Some((name, rest)) = input.split_once('=') else {
            return pairs;
        };
        let name = name.trim().to_owned();
        let rest = rest.trim_start();
        let (value, remainder) = if let Some(quoted) = rest.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((index, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            value.push(escaped);
                        }
                    }
                    '"' => {
                        end = index + 1;
                        break;
                    }
                    other => value.push(other),
                }
            }
            (value, &quoted[end.min(quoted.len())..])
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            (rest[..end].trim().to_owned(), &rest[end..])
        };
        pairs.push((name, value));
        input = remainder;
    }
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.description {
            Some(description) => write!(f, "{}: {description}", self.code),
            None => write!(f, "{}", self.code),
        }
    }
}

impl std::error::Error for OAuthError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_registration_error_codes() {
        for (code, expected) in [
            ("invalid_redirect_uri", OAuthErrorCode::InvalidRedirectUri),
            (
                "invalid_client_metadata",
                OAuthErrorCode::InvalidClientMetadata,
            ),
            (
                "invalid_software_statement",
                OAuthErrorCode::InvalidSoftwareStatement,
            ),
            (
                "unapproved_software_statement",
                OAuthErrorCode::UnapprovedSoftwareStatement,
            ),
            ("invalid_token", OAuthErrorCode::InvalidToken),
            ("server_error", OAuthErrorCode::Other("server_error".into())),
        ] {
            let body = format!(r#"{{"error":"{code}"}}"#);
            let error = OAuthError::from_json(body.as_bytes()).unwrap();
            assert_eq!(error.code, expected);
            assert_eq!(error.code.as_str(), code);
        }
    }

    #[test]
    fn an_error_code_given_twice_is_not_guessed() {
        let twice = br#"{"error":"invalid_token","error":"invalid_client_metadata"}"#;
        assert_eq!(OAuthError::from_json(twice), None);
        // Other repeated members do not hide the code (the last description is kept).
        let described =
            br#"{"error":"invalid_token","error_description":"a","error_description":"b"}"#;
        let error = OAuthError::from_json(described).unwrap();
        assert_eq!(error.code, OAuthErrorCode::InvalidToken);
        assert_eq!(error.description.as_deref(), Some("b"));
        // A byte order mark is tolerated, as in every other answer.
        let bom = b"\xEF\xBB\xBF{\"error\":\"invalid_token\"}";
        assert_eq!(
            OAuthError::from_json(bom).unwrap().code,
            OAuthErrorCode::InvalidToken
        );
    }

    #[test]
    fn tolerates_null_description_and_extra_members() {
        let error = OAuthError::from_json(
            br#"{"error":"invalid_redirect_uri","error_description":null,"custom":"custom"}"#,
        )
        .unwrap();
        assert_eq!(error.description, None);
        assert_eq!(error.to_string(), "invalid_redirect_uri");
    }

    #[test]
    fn refuses_bodies_that_are_not_error_objects() {
        for body in [
            &b""[..],
            b"<html>oops</html>",
            b"[]",
            b"{}",
            br#"{"error":7}"#,
            br#"{"error":""}"#,
        ] {
            assert_eq!(
                OAuthError::from_json(body),
                None,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn reads_www_authenticate() {
        let error = OAuthError::from_www_authenticate(
            r#"Bearer realm="example", error="invalid_token", error_description="The access token expired, \"really\"""#,
        )
        .unwrap();
        assert_eq!(error.code, OAuthErrorCode::InvalidToken);
        assert_eq!(
            error.description.as_deref(),
            Some("The access token expired, \"really\"")
        );
        assert_eq!(
            OAuthError::from_www_authenticate("Bearer realm=\"x\""),
            None
        );
        assert_eq!(
            OAuthError::from_www_authenticate("Basic error=\"invalid_token\""),
            None
        );
        assert_eq!(
            OAuthError::from_www_authenticate("bearer error=invalid_token")
                .unwrap()
                .code,
            OAuthErrorCode::InvalidToken
        );
    }
}
