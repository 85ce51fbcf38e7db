//! An OpenID Provider's configuration: OpenID Connect Discovery 1.0 §3, RFC 8414 §2 and the
//! members later specifications added to the same document.

use serde_json::{Map, Value};

use crate::values::{
    BackchannelTokenDeliveryMode, ClaimType, ClientAuthMethod, ClientRegistrationType,
    CodeChallengeMethod, GrantType, JweAlgorithm, JweEncryption, JwsAlgorithm, ResponseMode,
    ResponseType, SubjectType,
};

#[cfg(test)]
mod tests;
#[macro_use]
mod wire;

pub(crate) use wire::json_kind;

provider_metadata! {
    /// The configuration document of an OpenID Provider or OAuth 2.0 authorization server
    /// (`/.well-known/openid-configuration`, OIDC Discovery §3; `/.well-known/oauth-authorization-server`,
    /// RFC 8414 §2).
    ///
    /// Each field is named exactly like its JSON member, and declared once, in the member table of
    /// this type's source file (field, JSON name, order, reading and writing). A field is `None`
    /// when the member was absent or JSON `null`. Members with a default in the specifications also have an accessor of the
    /// same name that applies it, e.g. [`ProviderMetadata::grant_types_supported`] returns
    /// `[authorization_code, implicit]` when the document says nothing. Use the accessor to decide
    /// what the provider supports, and the field to learn what it actually sent.
    ///
    /// Reading is strict about types (a number where a URL belongs is an error naming the member)
    /// and lenient about content:
    ///
    /// - values this library does not know (an algorithm, a grant type) are kept as `Other`;
    /// - members this library does not know are kept in [`extra_fields`](Self::extra_fields);
    /// - members the specifications call REQUIRED but real providers leave out (Facebook has no
    ///   `token_endpoint`, RFC 8414 makes `jwks_uri` optional) do not fail parsing; see
    ///   [`ProviderMetadata::missing_required_members`].
    ///
    /// Two malformed shapes seen in the wild, a boolean sent as the string `"true"` or `"false"`
    /// and a single string where an array of strings belongs, are errors by default: a document
    /// that gets its types wrong may get other things wrong too, so tolerating it is the caller's
    /// decision. [`ProviderMetadata::from_json_with`] and [`ParseOptions::tolerate_malformed_values`]
    /// make that decision explicit.
    ///
    /// Whether `issuer` matches the issuer the document was fetched for (Discovery §4.3) is checked
    /// by the caller (`oidc-discovery` does it), not here.
    ///
    /// Serialization writes `issuer`, then the other known members in specification order, then
    /// `extra_fields`; `None` fields are left out.
    ///
    /// ```
    /// use oidc_types::{ClientAuthMethod, GrantType, ProviderMetadata};
    ///
    /// let document = br#"{
    ///     "issuer": "https://server.example.com",
    ///     "token_endpoint": "https://server.example.com/token",
    ///     "grant_types_supported": ["authorization_code", "refresh_token"],
    ///     "x_vendor_feature": true
    /// }"#;
    /// let metadata = ProviderMetadata::from_json(document).unwrap();
    /// assert_eq!(metadata.issuer, "https://server.example.com");
    /// // Sent by the provider:
    /// assert_eq!(metadata.grant_types_supported(), [GrantType::AuthorizationCode, GrantType::RefreshToken]);
    /// // Not sent, so the Discovery §3 default applies:
    /// assert_eq!(metadata.token_endpoint_auth_methods_supported(), [ClientAuthMethod::ClientSecretBasic]);
    /// assert!(metadata.request_uri_parameter_supported());
    /// assert_eq!(metadata.extra_fields["x_vendor_feature"], true);
    /// ```
    #[derive(Debug, Clone, PartialEq, Default)]
    #[non_exhaustive]
    pub struct ProviderMetadata {
        /// `issuer`: the provider's issuer identifier, an `https` URL without query or fragment.
        /// REQUIRED (Discovery §3, RFC 8414 §2); it must equal the issuer the document was fetched
        /// for, character for character (Discovery §4.3).
        issuer: String,

        // --- OpenID Connect Discovery 1.0 §3 ---
        /// `authorization_endpoint`: URL of the authorization endpoint (OIDC Core §3.1.2). REQUIRED
        /// by Discovery §3; RFC 8414 §2 only needs it when a grant type uses it.
        authorization_endpoint: String,
        /// `token_endpoint`: URL of the token endpoint (OIDC Core §3.1.3). REQUIRED by Discovery §3
        /// unless only the implicit flow is offered.
        token_endpoint: String,
        /// `userinfo_endpoint`: URL of the UserInfo endpoint (OIDC Core §5.3). RECOMMENDED
        /// (Discovery §3).
        userinfo_endpoint: String,
        /// `jwks_uri`: URL of the provider's JWK Set (its signing and encryption keys). REQUIRED by
        /// Discovery §3, OPTIONAL in RFC 8414 §2.
        jwks_uri: String,
        /// `registration_endpoint`: URL of the dynamic client registration endpoint (OIDC DCR §3,
        /// RFC 7591 §3). RECOMMENDED (Discovery §3); absent means the provider does not offer
        /// dynamic registration.
        registration_endpoint: String,
        /// `scopes_supported`: scope values the provider supports; `openid` should be among them.
        /// RECOMMENDED, no default (Discovery §3), and the list need not be complete.
        scopes_supported: Vec<String>,
        /// `response_types_supported`: `response_type` values the provider supports. REQUIRED
        /// (Discovery §3, RFC 8414 §2). The order of the parts is normalised, so
        /// `"token id_token code"` equals `"code id_token token"`.
        response_types_supported: Vec<ResponseType>,
        /// `response_modes_supported`: `response_mode` values the provider supports (Discovery §3).
        /// Default `["query", "fragment"]`; see [`ProviderMetadata::response_modes_supported`].
        response_modes_supported: Vec<ResponseMode>,
        /// `grant_types_supported`: grant types the provider supports (Discovery §3, RFC 8414 §2).
        /// Default `["authorization_code", "implicit"]`; see
        /// [`ProviderMetadata::grant_types_supported`].
        grant_types_supported: Vec<GrantType>,
        /// `acr_values_supported`: Authentication Context Class References the provider supports
        /// (Discovery §3). No default.
        acr_values_supported: Vec<String>,
        /// `subject_types_supported`: subject identifier types, `public` and/or `pairwise`
        /// (OIDC Core §8). REQUIRED (Discovery §3).
        subject_types_supported: Vec<SubjectType>,
        /// `id_token_signing_alg_values_supported`: JWS algorithms for ID Tokens; `RS256` must be
        /// among them. REQUIRED (Discovery §3).
        id_token_signing_alg_values_supported: Vec<JwsAlgorithm>,
        /// `id_token_encryption_alg_values_supported`: JWE key management algorithms for ID Tokens
        /// (Discovery §3). Absent means ID Token encryption is not offered.
        id_token_encryption_alg_values_supported: Vec<JweAlgorithm>,
        /// `id_token_encryption_enc_values_supported`: JWE content encryption algorithms for ID
        /// Tokens (Discovery §3).
        id_token_encryption_enc_values_supported: Vec<JweEncryption>,
        /// `userinfo_signing_alg_values_supported`: JWS algorithms for signed UserInfo responses,
        /// `none` included (Discovery §3).
        userinfo_signing_alg_values_supported: Vec<JwsAlgorithm>,
        /// `userinfo_encryption_alg_values_supported`: JWE key management algorithms for UserInfo
        /// responses (Discovery §3).
        userinfo_encryption_alg_values_supported: Vec<JweAlgorithm>,
        /// `userinfo_encryption_enc_values_supported`: JWE content encryption algorithms for
        /// UserInfo responses (Discovery §3).
        userinfo_encryption_enc_values_supported: Vec<JweEncryption>,
        /// `request_object_signing_alg_values_supported`: JWS algorithms the provider accepts for
        /// request objects (OIDC Core §6.1, Discovery §3); `none` and `RS256` should be among them.
        request_object_signing_alg_values_supported: Vec<JwsAlgorithm>,
        /// `request_object_encryption_alg_values_supported`: JWE key management algorithms the
        /// provider accepts for request objects (Discovery §3).
        request_object_encryption_alg_values_supported: Vec<JweAlgorithm>,
        /// `request_object_encryption_enc_values_supported`: JWE content encryption algorithms the
        /// provider accepts for request objects (Discovery §3).
        request_object_encryption_enc_values_supported: Vec<JweEncryption>,
        /// `token_endpoint_auth_methods_supported`: client authentication methods at the token
        /// endpoint (OIDC Core §9, Discovery §3, RFC 8414 §2). Default `["client_secret_basic"]`;
        /// see [`ProviderMetadata::token_endpoint_auth_methods_supported`].
        token_endpoint_auth_methods_supported: Vec<ClientAuthMethod>,
        /// `token_endpoint_auth_signing_alg_values_supported`: JWS algorithms for the JWTs of
        /// `private_key_jwt` and `client_secret_jwt` at the token endpoint (Discovery §3,
        /// RFC 8414 §2); `none` must not be among them.
        token_endpoint_auth_signing_alg_values_supported: Vec<JwsAlgorithm>,
        /// `display_values_supported`: `display` parameter values (`page`, `popup`, `touch`, `wap`,
        /// OIDC Core §3.1.2.1) the provider supports (Discovery §3).
        display_values_supported: Vec<String>,
        /// `claim_types_supported`: claim types (OIDC Core §5.6) the provider supports
        /// (Discovery §3). Default `["normal"]`; see [`ProviderMetadata::claim_types_supported`].
        claim_types_supported: Vec<ClaimType>,
        /// `claims_supported`: claim names the provider may supply. RECOMMENDED, and the list need
        /// not be complete (Discovery §3).
        claims_supported: Vec<String>,
        /// `service_documentation`: URL of human-readable documentation for developers
        /// (Discovery §3, RFC 8414 §2).
        service_documentation: String,
        /// `claims_locales_supported`: BCP 47 language tags for claim values (Discovery §3).
        claims_locales_supported: Vec<String>,
        /// `ui_locales_supported`: BCP 47 language tags for the user interface (Discovery §3,
        /// RFC 8414 §2).
        ui_locales_supported: Vec<String>,
        /// `claims_parameter_supported`: whether the `claims` request parameter (OIDC Core §5.5) is
        /// supported (Discovery §3). Default `false`; see
        /// [`ProviderMetadata::claims_parameter_supported`].
        claims_parameter_supported: bool,
        /// `request_parameter_supported`: whether the `request` parameter (OIDC Core §6.1) is
        /// supported (Discovery §3). Default `false`; see
        /// [`ProviderMetadata::request_parameter_supported`].
        request_parameter_supported: bool,
        /// `request_uri_parameter_supported`: whether the `request_uri` parameter (OIDC Core §6.2)
        /// is supported (Discovery §3). Default **`true`**; see
        /// [`ProviderMetadata::request_uri_parameter_supported`].
        request_uri_parameter_supported: bool,
        /// `require_request_uri_registration`: whether every `request_uri` must be registered in
        /// the client's `request_uris` first (Discovery §3). Default `false`; see
        /// [`ProviderMetadata::require_request_uri_registration`].
        require_request_uri_registration: bool,
        /// `op_policy_uri`: URL of the provider's policy on how clients may use its data
        /// (Discovery §3, RFC 8414 §2).
        op_policy_uri: String,
        /// `op_tos_uri`: URL of the provider's terms of service (Discovery §3, RFC 8414 §2).
        op_tos_uri: String,

        // --- RFC 8414 §2 ---
        /// `revocation_endpoint`: URL of the token revocation endpoint (RFC 7009, RFC 8414 §2).
        revocation_endpoint: String,
        /// `revocation_endpoint_auth_methods_supported`: client authentication methods at the
        /// revocation endpoint (RFC 8414 §2). Default `["client_secret_basic"]`; see
        /// [`ProviderMetadata::revocation_endpoint_auth_methods_supported`].
        revocation_endpoint_auth_methods_supported: Vec<ClientAuthMethod>,
        /// `revocation_endpoint_auth_signing_alg_values_supported`: JWS algorithms for client
        /// authentication JWTs at the revocation endpoint (RFC 8414 §2); never `none`.
        revocation_endpoint_auth_signing_alg_values_supported: Vec<JwsAlgorithm>,
        /// `introspection_endpoint`: URL of the token introspection endpoint (RFC 7662,
        /// RFC 8414 §2).
        introspection_endpoint: String,
        /// `introspection_endpoint_auth_methods_supported`: client authentication methods at the
        /// introspection endpoint (RFC 8414 §2). No default: when absent they must be learnt
        /// another way; see [`ProviderMetadata::introspection_endpoint_auth_methods_supported`].
        introspection_endpoint_auth_methods_supported: Vec<ClientAuthMethod>,
        /// `introspection_endpoint_auth_signing_alg_values_supported`: JWS algorithms for client
        /// authentication JWTs at the introspection endpoint (RFC 8414 §2); never `none`.
        introspection_endpoint_auth_signing_alg_values_supported: Vec<JwsAlgorithm>,
        /// `code_challenge_methods_supported`: PKCE code challenge methods (RFC 7636 §4.3,
        /// RFC 8414 §2). Absent means the server does not support PKCE.
        code_challenge_methods_supported: Vec<CodeChallengeMethod>,
        /// `signed_metadata`: a JWT whose claims are metadata values that, once its signature is
        /// verified, take precedence over the plain ones (RFC 8414 §2.1). Kept as received; this
        /// crate does no cryptography, so it neither verifies nor applies it (`oidc-discovery`
        /// does, when the caller gives it the keys to trust).
        signed_metadata: String,

        // --- Later specifications ---
        /// `mtls_endpoint_aliases`: endpoints to use instead of the plain ones when the client
        /// authenticates or binds tokens with mutual TLS (RFC 8705 §5). Each member names an
        /// endpoint (`token_endpoint`, `revocation_endpoint`, …) and gives its alias URL; kept as
        /// the JSON object received, so aliases for any endpoint survive. Read one with
        /// [`ProviderMetadata::endpoint_for_mtls`].
        mtls_endpoint_aliases: Map<String, Value>,
        /// `tls_client_certificate_bound_access_tokens`: whether the server issues access tokens
        /// bound to the client's TLS certificate (RFC 8705 §3.3). Default `false`; see
        /// [`ProviderMetadata::tls_client_certificate_bound_access_tokens`].
        tls_client_certificate_bound_access_tokens: bool,
        /// `pushed_authorization_request_endpoint`: URL of the pushed authorization request
        /// endpoint (RFC 9126 §5).
        pushed_authorization_request_endpoint: String,
        /// `require_pushed_authorization_requests`: whether authorization requests must be pushed
        /// (RFC 9126 §5). Default `false`; see
        /// [`ProviderMetadata::require_pushed_authorization_requests`].
        require_pushed_authorization_requests: bool,
        /// `require_signed_request_object`: whether authorization requests must be signed request
        /// objects (RFC 9101 §10.5). Default `false`; see
        /// [`ProviderMetadata::require_signed_request_object`].
        require_signed_request_object: bool,
        /// `dpop_signing_alg_values_supported`: JWS algorithms accepted for DPoP proofs
        /// (RFC 9449 §5.1). Absent means DPoP is not advertised.
        dpop_signing_alg_values_supported: Vec<JwsAlgorithm>,
        /// `authorization_response_iss_parameter_supported`: whether authorization responses carry
        /// the `iss` parameter (RFC 9207 §3). Default `false`; see
        /// [`ProviderMetadata::authorization_response_iss_parameter_supported`].
        authorization_response_iss_parameter_supported: bool,
        /// `end_session_endpoint`: URL for RP-initiated logout (OIDC RP-Initiated Logout 1.0 §2.1).
        end_session_endpoint: String,
        /// `check_session_iframe`: URL of the session-checking iframe (OIDC Session Management 1.0
        /// §3.3).
        check_session_iframe: String,
        /// `frontchannel_logout_supported`: whether front-channel logout is supported (OIDC
        /// Front-Channel Logout 1.0 §3). Default `false`; see
        /// [`ProviderMetadata::frontchannel_logout_supported`].
        frontchannel_logout_supported: bool,
        /// `frontchannel_logout_session_supported`: whether front-channel logout requests carry
        /// `iss` and `sid` (OIDC Front-Channel Logout 1.0 §3). Default `false`; see
        /// [`ProviderMetadata::frontchannel_logout_session_supported`].
        frontchannel_logout_session_supported: bool,
        /// `backchannel_logout_supported`: whether back-channel logout is supported (OIDC
        /// Back-Channel Logout 1.0 §2.1). Default `false`; see
        /// [`ProviderMetadata::backchannel_logout_supported`].
        backchannel_logout_supported: bool,
        /// `backchannel_logout_session_supported`: whether logout tokens carry `sid` (OIDC
        /// Back-Channel Logout 1.0 §2.1). Default `false`; see
        /// [`ProviderMetadata::backchannel_logout_session_supported`].
        backchannel_logout_session_supported: bool,
        /// `backchannel_token_delivery_modes_supported`: CIBA token delivery modes (`poll`, `ping`,
        /// `push`) the provider supports (CIBA Core §4). REQUIRED by CIBA for CIBA providers.
        backchannel_token_delivery_modes_supported: Vec<BackchannelTokenDeliveryMode>,
        /// `backchannel_authentication_endpoint`: URL of the CIBA backchannel authentication
        /// endpoint (CIBA Core §4).
        backchannel_authentication_endpoint: String,
        /// `backchannel_authentication_request_signing_alg_values_supported`: JWS algorithms for
        /// signed CIBA authentication requests (CIBA Core §4). Absent means signed requests are
        /// not supported.
        backchannel_authentication_request_signing_alg_values_supported: Vec<JwsAlgorithm>,
        /// `backchannel_user_code_parameter_supported`: whether the CIBA `user_code` parameter is
        /// supported (CIBA Core §4). Default `false`; see
        /// [`ProviderMetadata::backchannel_user_code_parameter_supported`].
        backchannel_user_code_parameter_supported: bool,
        /// `authorization_signing_alg_values_supported`: JWS algorithms for JWT-secured
        /// authorization responses (JARM §4).
        authorization_signing_alg_values_supported: Vec<JwsAlgorithm>,
        /// `authorization_encryption_alg_values_supported`: JWE key management algorithms for
        /// JWT-secured authorization responses (JARM §4).
        authorization_encryption_alg_values_supported: Vec<JweAlgorithm>,
        /// `authorization_encryption_enc_values_supported`: JWE content encryption algorithms for
        /// JWT-secured authorization responses (JARM §4).
        authorization_encryption_enc_values_supported: Vec<JweEncryption>,
        /// `introspection_signing_alg_values_supported`: JWS algorithms for JWT introspection
        /// responses (RFC 9701 §7).
        introspection_signing_alg_values_supported: Vec<JwsAlgorithm>,
        /// `introspection_encryption_alg_values_supported`: JWE key management algorithms for JWT
        /// introspection responses (RFC 9701 §7).
        introspection_encryption_alg_values_supported: Vec<JweAlgorithm>,
        /// `introspection_encryption_enc_values_supported`: JWE content encryption algorithms for
        /// JWT introspection responses (RFC 9701 §7).
        introspection_encryption_enc_values_supported: Vec<JweEncryption>,
        /// `authorization_details_types_supported`: `authorization_details` types the server
        /// accepts (Rich Authorization Requests, RFC 9396 §10).
        authorization_details_types_supported: Vec<String>,
        /// `device_authorization_endpoint`: URL of the device authorization endpoint
        /// (RFC 8628 §4).
        device_authorization_endpoint: String,
        /// `client_registration_types_supported`: OpenID Federation registration types
        /// (`automatic`, `explicit`) the provider supports (OpenID Federation 1.0 §5.1.2).
        client_registration_types_supported: Vec<ClientRegistrationType>,
        /// `federation_registration_endpoint`: URL of the OpenID Federation explicit registration
        /// endpoint (OpenID Federation 1.0 §5.1.2).
        federation_registration_endpoint: String,
        /// `prompt_values_supported`: `prompt` values the provider supports, e.g. `create`
        /// (Initiating User Registration via OpenID Connect 1.0 §4.1). No default.
        prompt_values_supported: Vec<String>,
        /// `client_id_metadata_document_supported`: whether the server accepts an https URL
        /// as a `client_id` and fetches the client's metadata from it (OAuth Client ID
        /// Metadata Document draft; the MCP authorization spec). Absent means `false`.
        client_id_metadata_document_supported: bool,
    }
}

/// Why a provider configuration document could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProviderMetadataError {
    /// The body is not JSON.
    #[error("provider metadata: invalid JSON")]
    InvalidJson {
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// The body is JSON but not an object (an array, a string, …).
    #[error("provider metadata: expected a JSON object, found {found}")]
    NotAnObject {
        /// What the body was, e.g. `"an array"`.
        found: &'static str,
    },
    /// The document has a member more than once at the top level (two `issuer`s, two
    /// `registration_endpoint`s): it says two things, and which one a reader takes is an
    /// accident, so neither is used. See [`crate::json`].
    #[error("provider metadata: the member {member:?} appears more than once")]
    DuplicateMember {
        /// The repeated member's name.
        member: String,
    },
    /// The `issuer` member is missing, `null` or empty: without it the document cannot be tied
    /// to a provider (Discovery §3, §4.3).
    #[error("provider metadata: the issuer member is missing")]
    MissingIssuer,
    /// A known member has a value of the wrong JSON type.
    #[error("provider metadata: {member}: expected {expected}, found {found}")]
    WrongType {
        /// The member's name, e.g. `jwks_uri`.
        member: String,
        /// What the specification asks for, e.g. `"a string"`.
        expected: &'static str,
        /// What the document had, e.g. `"a number"`.
        found: &'static str,
    },
}

/// How [`ProviderMetadata::from_json_with`] reads a document.
///
/// The default is strict: every known member must have the JSON type its specification gives.
///
/// ```
/// use oidc_types::{ParseOptions, ProviderMetadata};
///
/// let document = br#"{"issuer": "https://op.example", "claims_parameter_supported": "true"}"#;
/// assert!(ProviderMetadata::from_json(document).is_err());
/// let lenient = ParseOptions::default().with_tolerate_malformed_values(true);
/// let metadata = ProviderMetadata::from_json_with(document, &lenient).unwrap();
/// assert!(metadata.claims_parameter_supported());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ParseOptions {
    /// Reads the two malformed shapes real providers send as what they obviously mean: a
    /// boolean member sent as the string `"true"` or `"false"` (any case) becomes that
    /// boolean, and a lone string where an array of strings belongs becomes a one-element
    /// array. Any other wrong type is still an error. Default `false`.
    pub tolerate_malformed_values: bool,
}

impl ParseOptions {
    /// Sets [`tolerate_malformed_values`](Self::tolerate_malformed_values).
    pub fn with_tolerate_malformed_values(mut self, tolerate: bool) -> Self {
        self.tolerate_malformed_values = tolerate;
        self
    }
}

/// Discovery §3 and RFC 8414 §2 default for `response_modes_supported`.
const DEFAULT_RESPONSE_MODES: &[ResponseMode] = &[ResponseMode::Query, ResponseMode::Fragment];
/// Discovery §3 and RFC 8414 §2 default for `grant_types_supported`.
const DEFAULT_GRANT_TYPES: &[GrantType] = &[GrantType::AuthorizationCode, GrantType::Implicit];
/// Discovery §3 and RFC 8414 §2 default for `token_endpoint_auth_methods_supported`, and
/// RFC 8414 §2 default for `revocation_endpoint_auth_methods_supported`.
const DEFAULT_AUTH_METHODS: &[ClientAuthMethod] = &[ClientAuthMethod::ClientSecretBasic];
/// Discovery §3 default for `claim_types_supported`.
const DEFAULT_CLAIM_TYPES: &[ClaimType] = &[ClaimType::Normal];

impl ProviderMetadata {
    /// Metadata with only an issuer; every other member is absent (so every accessor returns
    /// the spec default). Useful to describe a provider by hand or in tests.
    pub fn new(issuer: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            ..Self::default()
        }
    }

    /// The members OIDC Discovery §3 calls REQUIRED that this document lacks, by JSON name, in
    /// specification order.
    ///
    /// Parsing does not insist on them because real providers leave some out. The set checked:
    /// `issuer` (only empty when built by hand), `authorization_endpoint`, `token_endpoint`
    /// (unless every supported response type lacks `code`, i.e. implicit only), `jwks_uri`,
    /// `response_types_supported`, `subject_types_supported` and
    /// `id_token_signing_alg_values_supported`. For a plain OAuth 2.0 server (RFC 8414) only
    /// `issuer` and `response_types_supported` are required; filter the result accordingly.
    pub fn missing_required_members(&self) -> Vec<&'static str> {
        let implicit_only = self
            .response_types_supported
            .as_ref()
            .is_some_and(|types| !types.is_empty() && types.iter().all(|t| !t.has_code()));
        [
            ("issuer", !self.issuer.is_empty()),
            (
                "authorization_endpoint",
                self.authorization_endpoint.is_some(),
            ),
            (
                "token_endpoint",
                self.token_endpoint.is_some() || implicit_only,
            ),
            ("jwks_uri", self.jwks_uri.is_some()),
            (
                "response_types_supported",
                self.response_types_supported.is_some(),
            ),
            (
                "subject_types_supported",
                self.subject_types_supported.is_some(),
            ),
            (
                "id_token_signing_alg_values_supported",
                self.id_token_signing_alg_values_supported.is_some(),
            ),
        ]
        .into_iter()
        .filter_map(|(name, present)| (!present).then_some(name))
        .collect()
    }

    /// The endpoint to call with mutual TLS (RFC 8705 §5): the alias for `name` in
    /// `mtls_endpoint_aliases` when there is one, otherwise the plain endpoint of that name.
    ///
    /// `name` is a member name such as `"token_endpoint"` or `"revocation_endpoint"`. The plain
    /// endpoint is looked up among the typed fields and then in `extra_fields`. Returns `None`
    /// when neither exists or the value is not a string.
    ///
    /// ```
    /// use oidc_types::ProviderMetadata;
    ///
    /// let metadata = ProviderMetadata::from_json(br#"{
    ///     "issuer": "https://as.example",
    ///     "token_endpoint": "https://as.example/token",
    ///     "revocation_endpoint": "https://as.example/revoke",
    ///     "mtls_endpoint_aliases": {"token_endpoint": "https://mtls.as.example/token"}
    /// }"#).unwrap();
    /// assert_eq!(metadata.endpoint_for_mtls("token_endpoint"), Some("https://mtls.as.example/token"));
    /// assert_eq!(metadata.endpoint_for_mtls("revocation_endpoint"), Some("https://as.example/revoke"));
    /// ```
    pub fn endpoint_for_mtls(&self, name: &str) -> Option<&str> {
        let alias = self
            .mtls_endpoint_aliases
            .as_ref()
            .and_then(|aliases| aliases.get(name))
            .and_then(Value::as_str);
        alias.or_else(|| self.endpoint(name))
    }

    /// The plain endpoint (or other URL member) named `name`.
    fn endpoint(&self, name: &str) -> Option<&str> {
        let typed = match name {
            "authorization_endpoint" => &self.authorization_endpoint,
            "token_endpoint" => &self.token_endpoint,
            "userinfo_endpoint" => &self.userinfo_endpoint,
            "jwks_uri" => &self.jwks_uri,
            "registration_endpoint" => &self.registration_endpoint,
            "revocation_endpoint" => &self.revocation_endpoint,
            "introspection_endpoint" => &self.introspection_endpoint,
            "pushed_authorization_request_endpoint" => &self.pushed_authorization_request_endpoint,
            "end_session_endpoint" => &self.end_session_endpoint,
            "check_session_iframe" => &self.check_session_iframe,
            "backchannel_authentication_endpoint" => &self.backchannel_authentication_endpoint,
            "device_authorization_endpoint" => &self.device_authorization_endpoint,
            "federation_registration_endpoint" => &self.federation_registration_endpoint,
            other => return self.extra_fields.get(other).and_then(Value::as_str),
        };
        typed.as_deref()
    }

    /// The supported response modes, `[query, fragment]` when the document does not say
    /// (Discovery §3, RFC 8414 §2).
    pub fn response_modes_supported(&self) -> &[ResponseMode] {
        self.response_modes_supported
            .as_deref()
            .unwrap_or(DEFAULT_RESPONSE_MODES)
    }

    /// The supported grant types, `[authorization_code, implicit]` when the document does not
    /// say (Discovery §3, RFC 8414 §2).
    pub fn grant_types_supported(&self) -> &[GrantType] {
        self.grant_types_supported
            .as_deref()
            .unwrap_or(DEFAULT_GRANT_TYPES)
    }

    /// The client authentication methods of the token endpoint, `[client_secret_basic]` when
    /// the document does not say (Discovery §3, RFC 8414 §2).
    pub fn token_endpoint_auth_methods_supported(&self) -> &[ClientAuthMethod] {
        self.token_endpoint_auth_methods_supported
            .as_deref()
            .unwrap_or(DEFAULT_AUTH_METHODS)
    }

    /// The client authentication methods of the revocation endpoint, `[client_secret_basic]`
    /// when the document does not say (RFC 8414 §2).
    pub fn revocation_endpoint_auth_methods_supported(&self) -> &[ClientAuthMethod] {
        self.revocation_endpoint_auth_methods_supported
            .as_deref()
            .unwrap_or(DEFAULT_AUTH_METHODS)
    }

    /// The client authentication methods of the introspection endpoint; an empty slice when
    /// the document does not say, because RFC 8414 §2 gives no default (the methods "MUST be
    /// determined by other means").
    pub fn introspection_endpoint_auth_methods_supported(&self) -> &[ClientAuthMethod] {
        self.introspection_endpoint_auth_methods_supported
            .as_deref()
            .unwrap_or(&[])
    }

    /// The supported claim types, `[normal]` when the document does not say (Discovery §3).
    pub fn claim_types_supported(&self) -> &[ClaimType] {
        self.claim_types_supported
            .as_deref()
            .unwrap_or(DEFAULT_CLAIM_TYPES)
    }

    /// Whether the `claims` request parameter is supported; `false` when the document does not
    /// say (Discovery §3).
    pub fn claims_parameter_supported(&self) -> bool {
        self.claims_parameter_supported.unwrap_or(false)
    }

    /// Whether the `request` parameter is supported; `false` when the document does not say
    /// (Discovery §3).
    pub fn request_parameter_supported(&self) -> bool {
        self.request_parameter_supported.unwrap_or(false)
    }

    /// Whether the `request_uri` parameter is supported; **`true`** when the document does not
    /// say (Discovery §3).
    pub fn request_uri_parameter_supported(&self) -> bool {
        self.request_uri_parameter_supported.unwrap_or(true)
    }

    /// Whether each `request_uri` must be pre-registered; `false` when the document does not
    /// say (Discovery §3).
    pub fn require_request_uri_registration(&self) -> bool {
        self.require_request_uri_registration.unwrap_or(false)
    }

    /// Whether front-channel logout is supported; `false` when the document does not say
    /// (OIDC Front-Channel Logout 1.0 §3).
    pub fn frontchannel_logout_supported(&self) -> bool {
        self.frontchannel_logout_supported.unwrap_or(false)
    }

    /// Whether front-channel logout requests carry `iss` and `sid`; `false` when the document
    /// does not say (OIDC Front-Channel Logout 1.0 §3).
    pub fn frontchannel_logout_session_supported(&self) -> bool {
        self.frontchannel_logout_session_supported.unwrap_or(false)
    }

    /// Whether back-channel logout is supported; `false` when the document does not say
    /// (OIDC Back-Channel Logout 1.0 §2.1).
    pub fn backchannel_logout_supported(&self) -> bool {
        self.backchannel_logout_supported.unwrap_or(false)
    }

    /// Whether logout tokens carry `sid`; `false` when the document does not say (OIDC
    /// Back-Channel Logout 1.0 §2.1).
    pub fn backchannel_logout_session_supported(&self) -> bool {
        self.backchannel_logout_session_supported.unwrap_or(false)
    }

    /// Whether access tokens are bound to the client's TLS certificate; `false` when the
    /// document does not say (RFC 8705 §3.3).
    pub fn tls_client_certificate_bound_access_tokens(&self) -> bool {
        self.tls_client_certificate_bound_access_tokens
            .unwrap_or(false)
    }

    /// Whether authorization requests must go through the PAR endpoint; `false` when the
    /// document does not say (RFC 9126 §5).
    pub fn require_pushed_authorization_requests(&self) -> bool {
        self.require_pushed_authorization_requests.unwrap_or(false)
    }

    /// Whether authorization requests must be signed request objects; `false` when the
    /// document does not say (RFC 9101 §10.5).
    pub fn require_signed_request_object(&self) -> bool {
        self.require_signed_request_object.unwrap_or(false)
    }

    /// Whether authorization responses carry `iss`; `false` when the document does not say
    /// (RFC 9207 §3).
    pub fn authorization_response_iss_parameter_supported(&self) -> bool {
        self.authorization_response_iss_parameter_supported
            .unwrap_or(false)
    }

    /// Whether the CIBA `user_code` parameter is supported; `false` when the document does not
    /// say (CIBA Core §4).
    pub fn backchannel_user_code_parameter_supported(&self) -> bool {
        self.backchannel_user_code_parameter_supported
            .unwrap_or(false)
    }

    /// Whether the server accepts Client ID Metadata Documents (an https URL as `client_id`);
    /// `false` when the document does not say.
    pub fn client_id_metadata_document_supported(&self) -> bool {
        self.client_id_metadata_document_supported.unwrap_or(false)
    }
}
