//! Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document): a client whose
//! `client_id` is the https URL of a JSON document holding its metadata, so that an
//! authorization server can learn about it without any registration.

use serde::Serialize;
use serde_json::{Map, Value};
use url::Url;

use crate::{ClientMetadata, FieldProblem, ValidationErrors};

/// Members that only exist with a shared secret, which a metadata document cannot have: there
/// is no registration in which the server could hand one out.
const SECRET_MEMBERS: [&str; 2] = ["client_secret", "client_secret_expires_at"];

/// A Client ID Metadata Document: [`ClientMetadata`] published at an https URL that is also
/// the client's `client_id`.
///
/// A value of this type has passed every rule of the draft that a document can be checked
/// against, so it can be served as it is ([`to_json_vec`](Self::to_json_vec)):
///
/// - the `client_id` is an https URL with a path other than `/`, without a fragment, user name
///   or password, and without `.` or `..` path segments (see [`check_client_id_url`]);
/// - the document's `client_id` member equals that URL by simple string comparison
///   (RFC 3986 §6.2.1: no normalisation of any kind);
/// - no shared secret can exist: `client_secret` and `client_secret_expires_at` are not
///   members, and the token endpoint authentication method in force is not
///   `client_secret_basic`, `client_secret_post` or `client_secret_jwt`. Since RFC 7591 makes
///   `client_secret_basic` the default, the method must be set (usually to `none`, or to
///   `private_key_jwt` with keys);
/// - the metadata passes [`ClientMetadata::validate`].
///
/// ```
/// use oidc_types::{ClientAuthMethod, ClientIdMetadataDocument, ClientMetadata};
///
/// let mut metadata = ClientMetadata::new(["http://127.0.0.1/callback"]);
/// metadata.client_name.set_value("Notes");
/// metadata.token_endpoint_auth_method = Some(ClientAuthMethod::None);
/// let document = ClientIdMetadataDocument::new("https://notes.example/client.json", metadata)?;
///
/// let json = String::from_utf8(document.to_json_vec())?;
/// assert!(json.starts_with(r#"{"client_id":"https://notes.example/client.json","#));
///
/// // Read back as an authorization server would, for the URL it fetched:
/// let read = ClientIdMetadataDocument::from_json("https://notes.example/client.json", json.as_bytes())?;
/// assert_eq!(read, document);
/// // A secret-based method is refused before anything is published.
/// let mut secret = ClientMetadata::new(["https://notes.example/cb"]);
/// secret.token_endpoint_auth_method = Some(ClientAuthMethod::ClientSecretBasic);
/// assert!(ClientIdMetadataDocument::new("https://notes.example/client.json", secret).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ClientIdMetadataDocument {
    client_id: String,
    metadata: ClientMetadata,
}

/// Why a Client ID Metadata Document (or its URL) breaks the draft's rules.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientIdMetadataDocumentError {
    /// The `client_id` URL is unusable as a document URL.
    #[error("client id metadata document: the client_id {client_id:?} {reason}")]
    InvalidClientId {
        /// The URL (without user-info).
        client_id: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The body is not a JSON object (or repeats a top-level member).
    #[error("client id metadata document: the body is not a usable JSON object")]
    Json {
        /// What is wrong.
        #[source]
        source: crate::json::JsonObjectError,
    },
    /// The document has no `client_id` string member.
    #[error("client id metadata document: it has no client_id")]
    MissingClientId,
    /// The document's `client_id` is not the URL it was fetched from.
    #[error("client id metadata document: its client_id {found:?} is not the document's URL {expected:?}")]
    ClientIdMismatch {
        /// The document's URL.
        expected: String,
        /// The document's `client_id`.
        found: String,
    },
    /// The document has a member that only exists with a shared secret.
    #[error("client id metadata document: the member {member} is not allowed (there is no shared secret)")]
    SecretMember {
        /// `client_secret` or `client_secret_expires_at`.
        member: &'static str,
    },
    /// The token endpoint authentication method in force uses a shared secret.
    #[error("client id metadata document: token_endpoint_auth_method {method:?} needs a shared secret{hint}", hint = if *.defaulted { " (it is the RFC 7591 default: set another method, e.g. none)" } else { "" })]
    SharedSecretAuthMethod {
        /// The method.
        method: String,
        /// Whether the document left the member out, so that the default applies.
        defaulted: bool,
    },
    /// A known member has a value of the wrong type.
    #[error("client id metadata document: {problem}")]
    InvalidMember {
        /// The member and what is wrong.
        problem: FieldProblem,
    },
    /// The metadata breaks the rules of [`ClientMetadata::validate`].
    #[error("client id metadata document: the client metadata is invalid")]
    InvalidMetadata {
        /// Every problem found.
        #[source]
        source: ValidationErrors,
    },
    /// The metadata cannot be written (a private key in `jwks`, a reserved extra field).
    #[error("client id metadata document: {reason}")]
    Unserializable {
        /// serde's description.
        reason: String,
    },
}

/// Checks a URL against the draft's rules for a `client_id` that names a metadata document:
/// https, a host, a path other than empty or `/`, no `.` or `..` segment, no fragment, no user
/// name or password. A query is allowed (the draft discourages it but does not forbid it).
///
/// `http_allowed` accepts an `http://` URL too: for documents served on this machine in tests
/// and local development, when the caller's https policy allows that URL. The draft itself
/// only knows https.
///
/// ```
/// use oidc_types::check_client_id_url;
///
/// assert!(check_client_id_url("https://app.example/client.json", false).is_ok());
/// for bad in [
///     "http://app.example/client.json",
///     "https://app.example",
///     "https://app.example/",
///     "https://app.example/a/../client.json",
///     "https://app.example/client.json#x",
///     "https://user@app.example/client.json",
/// ] {
///     assert!(check_client_id_url(bad, false).is_err(), "{bad}");
/// }
/// ```
///
/// # Errors
///
/// [`ClientIdMetadataDocumentError::InvalidClientId`] saying which rule is broken.
pub fn check_client_id_url(
    client_id: &str,
    http_allowed: bool,
) -> Result<(), ClientIdMetadataDocumentError> {
    let invalid = |reason: &'static str| ClientIdMetadataDocumentError::InvalidClientId {
        client_id: without_userinfo(client_id),
        reason,
    };
    let url = Url::parse(client_id).map_err(|_| invalid("is not a URL"))?;
    match url.scheme() {
        "https" => {}
        "http" if http_allowed => {}
        _ => return Err(invalid("is not an https URL")),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("has a user name or password"));
    }
    if url.fragment().is_some() || client_id.contains('#') {
        return Err(invalid("has a fragment"));
    }
    // `Url` removes dot segments while parsing, so look at the text as written.
    let after_authority = client_id
        .find("://")
        .map(|at| &client_id[at + 3..])
        .and_then(|rest| rest.find('/').map(|at| &rest[at..]))
        .unwrap_or("");
    let path = after_authority
        .split(['?', '#'])
        .next()
        .unwrap_or(after_authority);
    if path.is_empty() || path == "/" {
        return Err(invalid("has no path"));
    }
    let dot = |segment: &str| {
        let lower = segment.to_ascii_lowercase();
        matches!(
            lower.as_str(),
            "." | ".." | "%2e" | "%2e%2e" | ".%2e" | "%2e."
        )
    };
    if path.split('/').any(dot) {
        return Err(invalid("has a . or .. path segment"));
    }
    Ok(())
}

fn without_userinfo(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) if !parsed.username().is_empty() || parsed.password().is_some() => {
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

impl ClientIdMetadataDocument {
    /// A document for `metadata` to be published at `client_id`, checked against every rule
    /// (see the type's documentation).
    ///
    /// # Errors
    ///
    /// The first rule broken, as a [`ClientIdMetadataDocumentError`].
    pub fn new(
        client_id: impl Into<String>,
        metadata: ClientMetadata,
    ) -> Result<Self, ClientIdMetadataDocumentError> {
        Self::build(client_id.into(), metadata, false)
    }

    /// [`new`](Self::new) for a document served over plain http on this machine (tests, local
    /// development); see [`check_client_id_url`]'s `http_allowed`.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    pub fn new_allowing_http(
        client_id: impl Into<String>,
        metadata: ClientMetadata,
    ) -> Result<Self, ClientIdMetadataDocumentError> {
        Self::build(client_id.into(), metadata, true)
    }

    fn build(
        client_id: String,
        metadata: ClientMetadata,
        http_allowed: bool,
    ) -> Result<Self, ClientIdMetadataDocumentError> {
        check_client_id_url(&client_id, http_allowed)?;
        check_auth_method(&metadata)?;
        metadata
            .validate()
            .map_err(|source| ClientIdMetadataDocumentError::InvalidMetadata { source })?;
        // Serialisation problems (private keys, reserved extra fields) surface now, not when
        // the document is served.
        metadata.to_json_object().map_err(|error| {
            ClientIdMetadataDocumentError::Unserializable {
                reason: error.to_string(),
            }
        })?;
        Ok(Self {
            client_id,
            metadata,
        })
    }

    /// Reads and checks a document fetched from `url`, as an authorization server (or a
    /// test) does: a JSON object, no secret members, a `client_id` equal to `url`, every
    /// known member of the right type, and the rules of [`new`](Self::new).
    ///
    /// # Errors
    ///
    /// The first rule broken.
    pub fn from_json(url: &str, body: &[u8]) -> Result<Self, ClientIdMetadataDocumentError> {
        Self::read(url, body, false)
    }

    /// [`from_json`](Self::from_json) for a document served over plain http on this machine.
    ///
    /// # Errors
    ///
    /// As [`from_json`](Self::from_json).
    pub fn from_json_allowing_http(
        url: &str,
        body: &[u8],
    ) -> Result<Self, ClientIdMetadataDocumentError> {
        Self::read(url, body, true)
    }

    fn read(
        url: &str,
        body: &[u8],
        http_allowed: bool,
    ) -> Result<Self, ClientIdMetadataDocumentError> {
        check_client_id_url(url, http_allowed)?;
        let object = crate::json::parse_object(body)
            .map_err(|source| ClientIdMetadataDocumentError::Json { source })?;
        Self::from_object(url, &object, http_allowed)
    }

    fn from_object(
        url: &str,
        object: &Map<String, Value>,
        http_allowed: bool,
    ) -> Result<Self, ClientIdMetadataDocumentError> {
        let found = match object.get("client_id") {
            Some(Value::String(found)) => found,
            _ => return Err(ClientIdMetadataDocumentError::MissingClientId),
        };
        if found != url {
            return Err(ClientIdMetadataDocumentError::ClientIdMismatch {
                expected: url.to_owned(),
                found: found.clone(),
            });
        }
        if let Some(member) = SECRET_MEMBERS
            .into_iter()
            .find(|member| object.contains_key(*member))
        {
            return Err(ClientIdMetadataDocumentError::SecretMember { member });
        }
        let (metadata, problems) = ClientMetadata::from_json_object(object);
        if let Some(problem) = problems.into_iter().next() {
            return Err(ClientIdMetadataDocumentError::InvalidMember { problem });
        }
        Self::build(found.clone(), metadata, http_allowed)
    }

    /// The `client_id`: the URL the document is served at.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The client metadata the document holds.
    pub fn metadata(&self) -> &ClientMetadata {
        &self.metadata
    }

    /// The document as a JSON object: `client_id` and the metadata members, in the `Map`'s
    /// order (see [Member order](crate::json#member-order)).
    pub fn to_json_object(&self) -> Map<String, Value> {
        let mut object = Map::new();
        object.insert("client_id".to_owned(), self.client_id.clone().into());
        // Checked when the document was built: writing cannot fail.
        object.extend(self.metadata.to_json_object().unwrap_or_default());
        object
    }

    /// The document as served: compact JSON, `Content-Type: application/json`, with
    /// `client_id` first, then the metadata members in specification order, then
    /// `extra_fields`.
    pub fn to_json_vec(&self) -> Vec<u8> {
        /// Written member by member rather than through a `Map`, so that the order above
        /// holds whether or not serde_json sorts its maps.
        #[derive(Serialize)]
        struct Served<'a> {
            client_id: &'a str,
            #[serde(flatten)]
            metadata: &'a ClientMetadata,
        }
        let served = Served {
            client_id: &self.client_id,
            metadata: &self.metadata,
        };
        // Checked when the document was built: writing cannot fail.
        serde_json::to_vec(&served).unwrap_or_default()
    }
}

fn check_auth_method(metadata: &ClientMetadata) -> Result<(), ClientIdMetadataDocumentError> {
    let method = metadata.effective_token_endpoint_auth_method();
    if method.uses_client_secret() {
        return Err(ClientIdMetadataDocumentError::SharedSecretAuthMethod {
            method: method.as_str().to_owned(),
            defaulted: metadata.token_endpoint_auth_method.is_none(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ClientAuthMethod;

    const URL: &str = "https://app.example/oauth/client.json";

    fn public_client() -> ClientMetadata {
        let mut metadata = ClientMetadata::new(["http://127.0.0.1:8080/callback"]);
        metadata.token_endpoint_auth_method = Some(ClientAuthMethod::None);
        metadata
    }

    fn read(
        body: serde_json::Value,
    ) -> Result<ClientIdMetadataDocument, ClientIdMetadataDocumentError> {
        ClientIdMetadataDocument::from_json(URL, &serde_json::to_vec(&body).unwrap())
    }

    #[test]
    fn rule_client_id_url_is_https_with_a_clean_path() {
        assert!(check_client_id_url(URL, false).is_ok());
        assert!(check_client_id_url("https://app.example/c?v=1", false).is_ok());
        assert!(check_client_id_url("https://app.example:8443/c", false).is_ok());
        for (url, reason) in [
            ("http://app.example/c", "https"),
            ("ftp://app.example/c", "https"),
            ("not a url", "not a URL"),
            ("https://app.example", "no path"),
            ("https://app.example/", "no path"),
            ("https://app.example/?x=1", "no path"),
            ("https://app.example/./c", ". or .."),
            ("https://app.example/a/../c", ". or .."),
            ("https://app.example/a/%2E%2E/c", ". or .."),
            ("https://app.example/c#", "fragment"),
            ("https://app.example/c#f", "fragment"),
            ("https://user@app.example/c", "user name"),
            ("https://user:pw@app.example/c", "user name"),
        ] {
            let error = check_client_id_url(url, false).unwrap_err().to_string();
            assert!(error.contains(reason), "{url}: {error}");
            assert!(!error.contains("pw@"), "{error}");
        }
        assert!(check_client_id_url("http://127.0.0.1:1/c", true).is_ok());
    }

    #[test]
    fn rule_no_shared_secret_auth_method_and_the_default_counts() {
        for method in [
            ClientAuthMethod::ClientSecretBasic,
            ClientAuthMethod::ClientSecretPost,
            ClientAuthMethod::ClientSecretJwt,
        ] {
            let mut metadata = public_client();
            metadata.token_endpoint_auth_method = Some(method.clone());
            let error = ClientIdMetadataDocument::new(URL, metadata).unwrap_err();
            assert!(
                matches!(&error, ClientIdMetadataDocumentError::SharedSecretAuthMethod { defaulted: false, method: m } if m == method.as_str()),
                "{error:?}"
            );
        }
        let mut metadata = public_client();
        metadata.token_endpoint_auth_method = None;
        let error = ClientIdMetadataDocument::new(URL, metadata).unwrap_err();
        assert!(error.to_string().contains("RFC 7591 default"), "{error}");
        let error = read(
            serde_json::json!({"client_id": URL, "redirect_uris": ["https://app.example/cb"]}),
        )
        .unwrap_err();
        assert!(matches!(
            error,
            ClientIdMetadataDocumentError::SharedSecretAuthMethod {
                defaulted: true,
                ..
            }
        ));
    }

    #[test]
    fn rule_no_client_secret_members() {
        for member in SECRET_MEMBERS {
            let error = read(serde_json::json!({
                "client_id": URL, "redirect_uris": ["https://app.example/cb"],
                "token_endpoint_auth_method": "none", member: "x"
            }))
            .unwrap_err();
            assert!(
                matches!(error, ClientIdMetadataDocumentError::SecretMember { member: m } if m == member)
            );
        }
    }

    #[test]
    fn rule_client_id_equals_the_url_by_simple_string_comparison() {
        let ok = serde_json::json!({"client_id": URL, "redirect_uris": ["https://app.example/cb"],
            "token_endpoint_auth_method": "none"});
        assert_eq!(read(ok).unwrap().client_id(), URL);
        // Equivalent after normalisation, but not the same string.
        for other in [
            "https://APP.example/oauth/client.json",
            "https://app.example:443/oauth/client.json",
            "https://app.example/oauth/client%2Ejson",
            "https://app.example/oauth/client.json/",
        ] {
            let error = read(serde_json::json!({"client_id": other,
                "redirect_uris": ["https://app.example/cb"], "token_endpoint_auth_method": "none"}))
            .unwrap_err();
            assert!(
                matches!(&error, ClientIdMetadataDocumentError::ClientIdMismatch { found, .. } if found == other),
                "{error:?}"
            );
        }
        assert!(matches!(
            read(serde_json::json!({"redirect_uris": []})).unwrap_err(),
            ClientIdMetadataDocumentError::MissingClientId
        ));
        assert!(matches!(
            read(serde_json::json!({"client_id": 7})).unwrap_err(),
            ClientIdMetadataDocumentError::MissingClientId
        ));
    }

    #[test]
    fn rule_the_document_is_a_json_object_of_valid_metadata() {
        let error = ClientIdMetadataDocument::from_json(URL, b"[1]").unwrap_err();
        assert!(matches!(error, ClientIdMetadataDocumentError::Json { .. }));
        let error = ClientIdMetadataDocument::from_json(
            URL,
            format!(r#"{{"client_id":"{URL}","client_id":"https://evil.example/c"}}"#).as_bytes(),
        )
        .unwrap_err();
        assert!(matches!(error, ClientIdMetadataDocumentError::Json { .. }));
        let error = read(
            serde_json::json!({"client_id": URL, "redirect_uris": "https://app.example/cb",
            "token_endpoint_auth_method": "none"}),
        )
        .unwrap_err();
        assert!(
            matches!(&error, ClientIdMetadataDocumentError::InvalidMember { problem } if problem.field == "redirect_uris"),
            "{error:?}"
        );
        let error = read(
            serde_json::json!({"client_id": URL, "redirect_uris": ["https://app.example/cb#f"],
            "token_endpoint_auth_method": "none"}),
        )
        .unwrap_err();
        assert!(matches!(
            error,
            ClientIdMetadataDocumentError::InvalidMetadata { .. }
        ));
    }

    #[test]
    fn serialises_client_id_first_and_round_trips() {
        let mut metadata = public_client();
        metadata.client_name.set_value("Notes");
        metadata
            .extra_fields
            .insert("software_x".into(), serde_json::json!(true));
        let document = ClientIdMetadataDocument::new(URL, metadata.clone()).unwrap();
        let object = document.to_json_object();
        assert_eq!(object["client_id"], URL);
        assert_eq!(object["software_x"], true);
        let served = document.to_json_vec();
        assert_eq!(
            serde_json::from_slice::<Map<String, Value>>(&served).unwrap(),
            object
        );
        // `client_id` first, the metadata in specification order, `extra_fields` last, with or
        // without `preserve_order` (a sorted `Map` would have client_name, redirect_uris,
        // software_x, token_endpoint_auth_method).
        let text = String::from_utf8(served).unwrap();
        let at = |member: &str| text.find(&format!("\"{member}\":")).unwrap();
        assert_eq!(at("client_id"), 1);
        assert!(at("redirect_uris") < at("client_name"));
        assert!(at("client_name") < at("token_endpoint_auth_method"));
        assert!(at("token_endpoint_auth_method") < at("software_x"));
        let read = ClientIdMetadataDocument::from_json(URL, &text.into_bytes()).unwrap();
        assert_eq!(read.metadata(), &metadata);
        assert!(ClientIdMetadataDocument::new("http://127.0.0.1:9/c", public_client()).is_err());
        assert!(ClientIdMetadataDocument::new_allowing_http(
            "http://127.0.0.1:9/c",
            public_client()
        )
        .is_ok());
    }
}
