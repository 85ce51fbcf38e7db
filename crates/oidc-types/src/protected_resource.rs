//! The metadata document of an OAuth 2.0 protected resource (RFC 9728 §2).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::json::JsonObjectError;
use crate::JwsAlgorithm;

/// What a protected resource says about itself (OAuth 2.0 Protected Resource Metadata,
/// RFC 9728 §2), served at `/.well-known/oauth-protected-resource` with the resource's path
/// inserted after it (§3.1).
///
/// Every member registered by RFC 9728 §2 is a field, named like its JSON member; `None` means
/// absent (or JSON `null`). Members this type does not know, language-tagged variants
/// (`resource_name#de`) included, are kept in [`extra_fields`](Self::extra_fields) and written
/// back unchanged. Reading is strict about types: a member of the wrong type
/// is an error naming it.
///
/// Whether [`resource`](Self::resource) is the resource the document was fetched for
/// (§3.3) is checked by the caller (`oidc-discovery`'s `load_resource_metadata` does it).
///
/// ```
/// use oidc_types::ProtectedResourceMetadata;
///
/// let metadata = ProtectedResourceMetadata::from_json(br#"{
///     "resource": "https://mcp.example/mcp",
///     "authorization_servers": ["https://as.example"],
///     "bearer_methods_supported": ["header"],
///     "x_vendor": 1
/// }"#)?;
/// assert_eq!(metadata.resource, "https://mcp.example/mcp");
/// assert_eq!(metadata.authorization_servers(), ["https://as.example"]);
/// assert_eq!(metadata.extra_fields["x_vendor"], 1);
/// # Ok::<(), oidc_types::ProtectedResourceMetadataError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProtectedResourceMetadata {
    /// `resource`: the resource identifier, an https URL without a fragment. REQUIRED.
    pub resource: String,
    /// `authorization_servers`: issuer identifiers of the authorization servers that issue
    /// tokens for this resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_servers: Option<Vec<String>>,
    /// `jwks_uri`: URL of the resource's JWK set (keys it signs responses with).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// `scopes_supported`: scope values used in authorization requests for this resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes_supported: Option<Vec<String>>,
    /// `bearer_methods_supported`: how bearer tokens may be sent (`header`, `body`, `query`,
    /// RFC 6750).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearer_methods_supported: Option<Vec<String>>,
    /// `resource_signing_alg_values_supported`: JWS algorithms the resource signs with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_signing_alg_values_supported: Option<Vec<JwsAlgorithm>>,
    /// `resource_name`: a name for end users (untagged; tagged variants are in
    /// `extra_fields`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_name: Option<String>,
    /// `resource_documentation`: URL of developer documentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_documentation: Option<String>,
    /// `resource_policy_uri`: URL of the resource's data usage policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_policy_uri: Option<String>,
    /// `resource_tos_uri`: URL of the resource's terms of service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_tos_uri: Option<String>,
    /// `tls_client_certificate_bound_access_tokens`: whether access tokens must be bound to
    /// the client's certificate (RFC 8705). Absent means `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_client_certificate_bound_access_tokens: Option<bool>,
    /// `authorization_details_types_supported`: `authorization_details` types (RFC 9396).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_details_types_supported: Option<Vec<String>>,
    /// `dpop_signing_alg_values_supported`: JWS algorithms accepted for DPoP proofs
    /// (RFC 9449).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_signing_alg_values_supported: Option<Vec<JwsAlgorithm>>,
    /// `dpop_bound_access_tokens_required`: whether only DPoP-bound tokens are accepted.
    /// Absent means `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_bound_access_tokens_required: Option<bool>,
    /// `signed_metadata`: a JWT whose claims take precedence over the plain members once its
    /// signature is verified (§2.2). Kept as received; `oidc-discovery` verifies and applies it
    /// when given the keys to trust.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_metadata: Option<String>,
    /// Every other member, as received (in the `Map`'s order, see
    /// [Member order](crate::json#member-order)).
    #[serde(flatten)]
    pub extra_fields: Map<String, Value>,
}

/// Why a protected resource metadata document could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProtectedResourceMetadataError {
    /// Not a JSON object, or one with a member repeated at the top level.
    #[error("protected resource metadata: the body is not a usable JSON object")]
    Json {
        /// What is wrong.
        #[source]
        source: JsonObjectError,
    },
    /// The `resource` member is missing or empty.
    #[error("protected resource metadata: the resource member is missing")]
    MissingResource,
    /// A known member has a value of the wrong type.
    #[error("protected resource metadata: {reason}")]
    InvalidMember {
        /// serde's description, naming the member's expected type (never a value).
        reason: String,
    },
}

impl ProtectedResourceMetadata {
    /// Metadata for `resource` with nothing else set.
    pub fn new(resource: impl Into<String>) -> Self {
        Self {
            resource: resource.into(),
            ..Self::default()
        }
    }

    /// The authorization servers, or none when the document names none.
    pub fn authorization_servers(&self) -> &[String] {
        self.authorization_servers.as_deref().unwrap_or_default()
    }

    /// Reads a document from a JSON body (a leading byte order mark is skipped, a repeated
    /// top-level member refused; see [`crate::json`]).
    ///
    /// # Errors
    ///
    /// [`ProtectedResourceMetadataError`]: not a JSON object, a repeated member, no `resource`,
    /// or a member of the wrong type.
    pub fn from_json(body: &[u8]) -> Result<Self, ProtectedResourceMetadataError> {
        let object = crate::json::parse_object(body)
            .map_err(|source| ProtectedResourceMetadataError::Json { source })?;
        Self::from_json_object(object)
    }

    /// Reads a document from an already parsed JSON object. Members set to `null` are absent.
    ///
    /// # Errors
    ///
    /// As [`from_json`](Self::from_json), but for the parsing itself.
    pub fn from_json_object(
        mut object: Map<String, Value>,
    ) -> Result<Self, ProtectedResourceMetadataError> {
        object.retain(|_, value| !value.is_null());
        match object.get("resource") {
            Some(Value::String(resource)) if !resource.is_empty() => {}
            None => return Err(ProtectedResourceMetadataError::MissingResource),
            Some(Value::String(_)) => return Err(ProtectedResourceMetadataError::MissingResource),
            Some(_) => {
                return Err(ProtectedResourceMetadataError::InvalidMember {
                    reason: "resource: expected a string".to_owned(),
                })
            }
        }
        // Check each known member on its own so the error names it (serde's message for a
        // flattened struct does not).
        let probe = |member: &str, check: fn(&Value) -> bool, expected: &str| match object
            .get(member)
        {
            Some(value) if !check(value) => Err(ProtectedResourceMetadataError::InvalidMember {
                reason: format!("{member}: expected {expected}"),
            }),
            _ => Ok(()),
        };
        let strings = |value: &Value| {
            value
                .as_array()
                .is_some_and(|items| items.iter().all(Value::is_string))
        };
        for member in [
            "authorization_servers",
            "scopes_supported",
            "bearer_methods_supported",
            "resource_signing_alg_values_supported",
            "authorization_details_types_supported",
            "dpop_signing_alg_values_supported",
        ] {
            probe(member, strings, "an array of strings")?;
        }
        for member in [
            "jwks_uri",
            "resource_name",
            "resource_documentation",
            "resource_policy_uri",
            "resource_tos_uri",
            "signed_metadata",
        ] {
            probe(member, Value::is_string, "a string")?;
        }
        for member in [
            "tls_client_certificate_bound_access_tokens",
            "dpop_bound_access_tokens_required",
        ] {
            probe(member, Value::is_boolean, "a boolean")?;
        }
        serde_json::from_value(Value::Object(object)).map_err(|error| {
            ProtectedResourceMetadataError::InvalidMember {
                reason: error.to_string(),
            }
        })
    }

    /// Whether `bearer_methods_supported` allows the `Authorization` header, the method the
    /// MCP authorization spec requires (true when the member is absent: RFC 6750 §2.1 is the
    /// method every resource supports).
    pub fn accepts_bearer_header(&self) -> bool {
        self.bearer_methods_supported
            .as_ref()
            .is_none_or(|methods| methods.iter().any(|method| method == "header"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_member_round_trips_and_unknown_ones_are_kept() {
        let document = serde_json::json!({
            "resource": "https://rs.example/api",
            "authorization_servers": ["https://as.example", "https://as2.example/t"],
            "jwks_uri": "https://rs.example/jwks",
            "scopes_supported": ["read", "write"],
            "bearer_methods_supported": ["header"],
            "resource_signing_alg_values_supported": ["ES256"],
            "resource_name": "API",
            "resource_name#de": "Schnittstelle",
            "resource_documentation": "https://rs.example/docs",
            "resource_policy_uri": "https://rs.example/policy",
            "resource_tos_uri": "https://rs.example/tos",
            "tls_client_certificate_bound_access_tokens": true,
            "authorization_details_types_supported": ["payment"],
            "dpop_signing_alg_values_supported": ["ES256", "EdDSA"],
            "dpop_bound_access_tokens_required": false,
            "signed_metadata": "a.b.c",
            "x_vendor": {"a": 1}
        });
        let body = serde_json::to_vec(&document).unwrap();
        let metadata = ProtectedResourceMetadata::from_json(&body).unwrap();
        assert_eq!(metadata.authorization_servers().len(), 2);
        assert_eq!(
            metadata.tls_client_certificate_bound_access_tokens,
            Some(true)
        );
        assert_eq!(
            metadata.extra_fields.len(),
            2,
            "{:?}",
            metadata.extra_fields
        );
        assert_eq!(metadata.extra_fields["resource_name#de"], "Schnittstelle");
        let written = serde_json::to_value(&metadata).unwrap();
        assert_eq!(written, document);
    }

    #[test]
    fn bad_documents_are_refused_naming_the_member() {
        for (body, expected) in [
            (&br#"[]"#[..], "expected a JSON object"),
            (br#"{"resource":"a","resource":"b"}"#, "more than once"),
            (
                br#"{"authorization_servers":[]}"#,
                "resource member is missing",
            ),
            (br#"{"resource":""}"#, "resource member is missing"),
            (br#"{"resource":1}"#, "resource: expected a string"),
            (
                br#"{"resource":"r","authorization_servers":"https://as"}"#,
                "authorization_servers: expected an array of strings",
            ),
            (
                br#"{"resource":"r","dpop_bound_access_tokens_required":"true"}"#,
                "dpop_bound_access_tokens_required: expected a boolean",
            ),
        ] {
            let error = ProtectedResourceMetadata::from_json(body).unwrap_err();
            // The member or rule is named once in the chain: in the message or in its source.
            let mut chain = error.to_string();
            if let Some(source) = std::error::Error::source(&error) {
                chain = format!("{chain}: {source}");
            }
            assert!(chain.contains(expected), "{chain}");
        }
        let nulls =
            ProtectedResourceMetadata::from_json(br#"{"resource":"r","jwks_uri":null}"#).unwrap();
        assert_eq!(nulls.jwks_uri, None);
        assert!(nulls.extra_fields.is_empty());
        assert!(nulls.accepts_bearer_header());
    }
}
