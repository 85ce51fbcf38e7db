//! The metadata a client registers (OIDC DCR 1.0 §2, RFC 7591 §2 and extensions).

use std::fmt;

use serde_json::{Map, Value};

use crate::language::Localized;
use crate::validation::{self, ValidationErrors};
use crate::values::{
    ApplicationType, BackchannelTokenDeliveryMode, ClientAuthMethod, ClientRegistrationType,
    GrantType, JweAlgorithm, JweEncryption, JwsAlgorithm, ResponseType, SubjectType,
};
use crate::{JwkSet, ProviderMetadata};

mod members;
mod wire;

use members::client_metadata;

pub(crate) use wire::{reserved, Reserved, RESPONSE_ONLY_MEMBERS};

client_metadata! {
    /// Everything a client can register with an OpenID Provider: the members of OIDC Dynamic
    /// Client Registration 1.0 §2 and RFC 7591 §2, and those added by the logout, mTLS (RFC 8705),
    /// DPoP (RFC 9449), PAR (RFC 9126), JAR (RFC 9101), JARM, CIBA, RAR (RFC 9396), JWT
    /// introspection (RFC 9701), OpenID Federation and FAPI 2.0 specifications.
    ///
    /// Every member is a public field, and every field can say "not set": an `Option` that is
    /// `None`, or an empty [`Localized`]. Nothing is sent that the caller did not set (or, for a
    /// registration read back, that the provider did not return), so the provider's own defaults
    /// apply to everything left out. Each field's doc gives its meaning, the value the provider
    /// assumes when it is not sent, and where it is specified; the `effective_*` accessors
    /// ([`effective_application_type`](Self::effective_application_type),
    /// [`effective_token_endpoint_auth_method`](Self::effective_token_endpoint_auth_method), …) give
    /// the value in force, and validation uses them. Members this type does not know go in
    /// [`extra_fields`](Self::extra_fields) and are sent and kept unchanged.
    ///
    /// Every member is declared once, in the table at the top of this type's source file: its field,
    /// JSON name, position in the JSON and how it is read and written all come from that one line.
    /// [`MEMBER_NAMES`](Self::MEMBER_NAMES) lists them in order.
    ///
    /// # JSON
    ///
    /// `Serialize` writes the members that are set, in specification order, then `extra_fields`; a
    /// [`Localized`] value is sent as `client_name` plus one `client_name#<tag>` per tag.
    ///
    /// Serialization fails, rather than send something dangerous or ambiguous, when `jwks` holds a
    /// private or symmetric key (RFC 7591 §2 and OIDC DCR §2 forbid it; the secret would leave the
    /// client), or when an `extra_fields` key is also a member this type writes (`redirect_uris`,
    /// `client_name#en`) or one of the registration response members (`client_id`,
    /// `client_secret`, `registration_access_token`, `registration_client_uri`,
    /// `client_id_issued_at`, `client_secret_expires_at`).
    ///
    /// `Deserialize` is strict: a known member of the wrong type is an error naming the member.
    /// Use [`ClientMetadata::from_json_object`] for a lenient read of what a provider echoes. Both
    /// treat a known member set to JSON `null` as absent, put unknown members in `extra_fields`
    /// exactly as received (`null` included) and skip the registration response members above.
    ///
    /// # Example
    ///
    /// A native application with a Japanese name, using PKCE as a public client:
    ///
    /// ```
    /// use oidc_types::{ApplicationType, ClientAuthMethod, ClientMetadata, Localized};
    ///
    /// let mut client = ClientMetadata::new(["http://127.0.0.1/callback"]);
    /// client.application_type = Some(ApplicationType::Native);
    /// client.client_name = Localized::new("Notes").with_tagged("ja-Jpan-JP", "ノート");
    /// client.token_endpoint_auth_method = Some(ClientAuthMethod::None);
    /// client.validate()?;
    ///
    /// let json = String::from_utf8(client.to_json_vec()?)?;
    /// assert_eq!(
    ///     json,
    ///     r#"{"redirect_uris":["http://127.0.0.1/callback"],"application_type":"native","#.to_owned()
    ///         + r#""client_name":"Notes","client_name#ja-Jpan-JP":"ノート","#
    ///         + r#""token_endpoint_auth_method":"none"}"#
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[derive(Debug, Clone, Default, PartialEq)]
    #[non_exhaustive]
    pub struct ClientMetadata {
        // OIDC DCR 1.0 §2
        /// `redirect_uris`: where the provider may send authorization responses, compared as exact
        /// strings (OIDC DCR §2, RFC 7591 §2). Required by the spec for the authorization code and
        /// implicit grants. No default.
        redirect_uris: Option<Vec<String>>,
        /// `response_types`: the `response_type` values the client will use (OIDC DCR §2). The
        /// provider assumes `["code"]` when absent; see
        /// [`effective_response_types`](Self::effective_response_types).
        response_types: Option<Vec<ResponseType>>,
        /// `grant_types`: the grant types the client will use (OIDC DCR §2, RFC 7591 §2). The
        /// provider assumes `["authorization_code"]` when absent; see
        /// [`effective_grant_types`](Self::effective_grant_types).
        grant_types: Option<Vec<GrantType>>,
        /// `application_type`: `web` (the default) or `native`; decides which redirect URIs are
        /// acceptable (OIDC DCR §2); see
        /// [`effective_application_type`](Self::effective_application_type).
        application_type: Option<ApplicationType>,
        /// `contacts`: e-mail addresses of people responsible for the client (OIDC DCR §2). No
        /// default.
        contacts: Option<Vec<String>>,
        /// `client_name`: the name shown to end users, optionally per language (OIDC DCR §2, §2.1).
        /// No default.
        client_name: Localized,
        /// `logo_uri`: a URL of the client's logo, optionally per language (OIDC DCR §2). No
        /// default.
        logo_uri: Localized,
        /// `client_uri`: the client's home page, optionally per language (OIDC DCR §2). No default.
        client_uri: Localized,
        /// `policy_uri`: how the client uses profile data, optionally per language (OIDC DCR §2). No
        /// default.
        policy_uri: Localized,
        /// `tos_uri`: the client's terms of service, optionally per language (OIDC DCR §2). No
        /// default.
        tos_uri: Localized,
        /// `jwks_uri`: an https URL of the client's public JWK set (OIDC DCR §2). Never together
        /// with `jwks`. No default.
        jwks_uri: Option<String>,
        /// `jwks`: the client's public JWK set, by value, for clients that cannot serve
        /// `jwks_uri` (OIDC DCR §2, RFC 7591 §2). Must hold public keys only: serialization fails
        /// on private or symmetric keys. No default.
        jwks: Option<JwkSet>,
        /// `sector_identifier_uri`: an https URL listing the client's redirect URIs, whose host is
        /// used to compute pairwise subject identifiers (OIDC DCR §2, Core §8.1). Needed with
        /// pairwise subjects when the redirect URIs span several hosts. No default.
        sector_identifier_uri: Option<String>,
        /// `subject_type`: `public` or `pairwise` subject identifiers (OIDC DCR §2, Core §8). The
        /// provider's default applies when absent.
        subject_type: Option<SubjectType>,
        /// `id_token_signed_response_alg`: the ID Token signature algorithm (OIDC DCR §2). Default
        /// `RS256`; `none` only when no ID Token comes from the authorization endpoint.
        id_token_signed_response_alg: Option<JwsAlgorithm>,
        /// `id_token_encrypted_response_alg`: the ID Token key management algorithm (OIDC DCR §2).
        /// Default: not encrypted.
        id_token_encrypted_response_alg: Option<JweAlgorithm>,
        /// `id_token_encrypted_response_enc`: the ID Token content encryption (OIDC DCR §2).
        /// Default `A128CBC-HS256` when the `_alg` is set; requires the `_alg`.
        id_token_encrypted_response_enc: Option<JweEncryption>,
        /// `userinfo_signed_response_alg`: the UserInfo signature algorithm (OIDC DCR §2).
        /// Default: plain JSON, not signed.
        userinfo_signed_response_alg: Option<JwsAlgorithm>,
        /// `userinfo_encrypted_response_alg`: the UserInfo key management algorithm (OIDC DCR §2).
        /// Default: not encrypted.
        userinfo_encrypted_response_alg: Option<JweAlgorithm>,
        /// `userinfo_encrypted_response_enc`: the UserInfo content encryption (OIDC DCR §2).
        /// Default `A128CBC-HS256` when the `_alg` is set; requires the `_alg`.
        userinfo_encrypted_response_enc: Option<JweEncryption>,
        /// `request_object_signing_alg`: the only algorithm the client will sign request objects
        /// with (OIDC DCR §2). Default: any algorithm the provider supports; `none` is allowed.
        request_object_signing_alg: Option<JwsAlgorithm>,
        /// `request_object_encryption_alg`: the key management algorithm the client may encrypt
        /// request objects with (OIDC DCR §2). Default: not encrypted.
        request_object_encryption_alg: Option<JweAlgorithm>,
        /// `request_object_encryption_enc`: the content encryption for request objects (OIDC DCR
        /// §2). Default `A128CBC-HS256` when the `_alg` is set; requires the `_alg`.
        request_object_encryption_enc: Option<JweEncryption>,
        /// `token_endpoint_auth_method`: how the client authenticates at the token endpoint (OIDC
        /// DCR §2, RFC 7591 §2, RFC 8705 §2). Default `client_secret_basic`; see
        /// [`effective_token_endpoint_auth_method`](Self::effective_token_endpoint_auth_method).
        token_endpoint_auth_method: Option<ClientAuthMethod>,
        /// `token_endpoint_auth_signing_alg`: the algorithm of the client's authentication JWT for
        /// `private_key_jwt` and `client_secret_jwt` (OIDC DCR §2). Default: any supported one;
        /// `none` is forbidden.
        token_endpoint_auth_signing_alg: Option<JwsAlgorithm>,
        /// `default_max_age`: the default maximum authentication age in seconds (OIDC DCR §2). No
        /// default.
        default_max_age: Option<u64>,
        /// `require_auth_time`: whether the ID Token must carry `auth_time` (OIDC DCR §2). Default
        /// `false`.
        require_auth_time: Option<bool>,
        /// `default_acr_values`: the default requested ACR values, most preferred first (OIDC DCR
        /// §2). No default.
        default_acr_values: Option<Vec<String>>,
        /// `initiate_login_uri`: an https URL a third party can use to start a login at the client
        /// (OIDC DCR §2). No default.
        initiate_login_uri: Option<String>,
        /// `request_uris`: the `request_uri` values the client may use, optionally with a fragment
        /// holding the SHA-256 of the content (OIDC DCR §2). No default.
        request_uris: Option<Vec<String>>,

        // RFC 7591 §2
        /// `scope`: the space-separated scopes the client may request (RFC 7591 §2). The provider's
        /// default applies when absent.
        scope: Option<String>,
        /// `software_id`: an identifier of the client software, the same for every instance (RFC
        /// 7591 §2). No default.
        software_id: Option<String>,
        /// `software_version`: the version of the client software (RFC 7591 §2). No default.
        software_version: Option<String>,
        /// `software_statement`: a signed JWT asserting metadata about the software (RFC 7591
        /// §2.3). No default.
        software_statement: Option<String>,

        // Logout
        /// `post_logout_redirect_uris`: where the provider may send the user after logout
        /// (RP-Initiated Logout 1.0 §3.1). No default.
        post_logout_redirect_uris: Option<Vec<String>>,
        /// `frontchannel_logout_uri`: the URL the provider loads in an iframe to log the user out,
        /// without a fragment (Front-Channel Logout 1.0 §2). No default.
        frontchannel_logout_uri: Option<String>,
        /// `frontchannel_logout_session_required`: whether `iss` and `sid` must be added to the
        /// front-channel logout URL (Front-Channel Logout 1.0 §2). Default `false`.
        frontchannel_logout_session_required: Option<bool>,
        /// `backchannel_logout_uri`: the URL the provider posts logout tokens to, without a
        /// fragment (Back-Channel Logout 1.0 §2.2). No default.
        backchannel_logout_uri: Option<String>,
        /// `backchannel_logout_session_required`: whether logout tokens must carry `sid`
        /// (Back-Channel Logout 1.0 §2.2). Default `false`.
        backchannel_logout_session_required: Option<bool>,

        // RFC 8705
        /// `tls_client_auth_subject_dn`: the expected subject DN of the client certificate for
        /// `tls_client_auth` (RFC 8705 §2.1.2). Exactly one `tls_client_auth_*` member is needed
        /// with that method. No default.
        tls_client_auth_subject_dn: Option<String>,
        /// `tls_client_auth_san_dns`: the expected dNSName SAN of the client certificate (RFC 8705
        /// §2.1.2). No default.
        tls_client_auth_san_dns: Option<String>,
        /// `tls_client_auth_san_uri`: the expected uniformResourceIdentifier SAN of the client
        /// certificate (RFC 8705 §2.1.2). No default.
        tls_client_auth_san_uri: Option<String>,
        /// `tls_client_auth_san_ip`: the expected iPAddress SAN of the client certificate, IPv4 or
        /// IPv6 text (RFC 8705 §2.1.2). No default.
        tls_client_auth_san_ip: Option<String>,
        /// `tls_client_auth_san_email`: the expected rfc822Name SAN of the client certificate (RFC
        /// 8705 §2.1.2). No default.
        tls_client_auth_san_email: Option<String>,
        /// `tls_client_certificate_bound_access_tokens`: whether access tokens are bound to the
        /// client's TLS certificate (RFC 8705 §3.4). Default `false`.
        tls_client_certificate_bound_access_tokens: Option<bool>,
        /// `dpop_bound_access_tokens`: whether the client always uses DPoP at the token endpoint
        /// (RFC 9449 §5.2). Default `false`.
        dpop_bound_access_tokens: Option<bool>,
        /// `require_pushed_authorization_requests`: whether the client only sends authorization
        /// requests through PAR (RFC 9126 §6). Default `false`.
        require_pushed_authorization_requests: Option<bool>,
        /// `require_signed_request_object`: whether authorization requests must use a signed
        /// request object (RFC 9101 §10.5). Default `false`.
        require_signed_request_object: Option<bool>,

        // JARM
        /// `authorization_signed_response_alg`: the signature algorithm of JWT authorization
        /// responses (JARM §3). Default `RS256` when JARM is used.
        authorization_signed_response_alg: Option<JwsAlgorithm>,
        /// `authorization_encrypted_response_alg`: the key management algorithm of JWT
        /// authorization responses (JARM §3). Default: not encrypted.
        authorization_encrypted_response_alg: Option<JweAlgorithm>,
        /// `authorization_encrypted_response_enc`: the content encryption of JWT authorization
        /// responses (JARM §3). Default `A128CBC-HS256` when the `_alg` is set; requires the `_alg`.
        authorization_encrypted_response_enc: Option<JweEncryption>,

        // CIBA
        /// `backchannel_token_delivery_mode`: `poll`, `ping` or `push` (CIBA Core §4). Needed to use
        /// CIBA; no default.
        backchannel_token_delivery_mode: Option<BackchannelTokenDeliveryMode>,
        /// `backchannel_client_notification_endpoint`: the https URL the provider notifies in
        /// `ping` and `push` modes, where it is required (CIBA Core §4). No default.
        backchannel_client_notification_endpoint: Option<String>,
        /// `backchannel_authentication_request_signing_alg`: the algorithm of signed CIBA
        /// authentication requests (CIBA Core §4). Default: requests are not signed.
        backchannel_authentication_request_signing_alg: Option<JwsAlgorithm>,
        /// `backchannel_user_code_parameter`: whether the client supports the CIBA `user_code`
        /// parameter (CIBA Core §4). Default `false`.
        backchannel_user_code_parameter: Option<bool>,

        /// `authorization_details_types`: the `authorization_details` types the client may use
        /// (RFC 9396 §10). No default.
        authorization_details_types: Option<Vec<String>>,

        // RFC 9701
        /// `introspection_signed_response_alg`: the signature algorithm of JWT introspection
        /// responses (RFC 9701 §6). Default `RS256`.
        introspection_signed_response_alg: Option<JwsAlgorithm>,
        /// `introspection_encrypted_response_alg`: the key management algorithm of JWT
        /// introspection responses (RFC 9701 §6). Default: not encrypted.
        introspection_encrypted_response_alg: Option<JweAlgorithm>,
        /// `introspection_encrypted_response_enc`: the content encryption of JWT introspection
        /// responses (RFC 9701 §6). Default `A128CBC-HS256` when the `_alg` is set; requires the
        /// `_alg`.
        introspection_encrypted_response_enc: Option<JweEncryption>,

        /// `client_registration_types`: `automatic` and/or `explicit` (OpenID Federation 1.0
        /// §5.1.2). No default.
        client_registration_types: Option<Vec<ClientRegistrationType>>,
        /// `use_mtls_endpoint_aliases`: whether the client uses the provider's
        /// `mtls_endpoint_aliases` (RFC 8705 §5, required by FAPI 2.0 for mTLS clients). Default
        /// `false`.
        use_mtls_endpoint_aliases: Option<bool>,

    }
}

/// A member of a JSON object that could not be read into [`ClientMetadata`] and was left out,
/// as reported by [`ClientMetadata::from_json_object`].
///
/// Displays as `field: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FieldProblem {
    /// The member name as it appeared in the JSON object.
    pub field: String,
    /// What was wrong with its value.
    pub message: String,
}

impl FieldProblem {
    /// A problem with member `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FieldProblem {}

impl ClientMetadata {
    /// The members a registration response carries next to the metadata (RFC 7591 §3.2.1,
    /// RFC 7592 §3): the provider sets them, so they are never client metadata. Reading skips
    /// them and writing refuses them as extra fields.
    pub const RESPONSE_ONLY_MEMBERS: [&'static str; 6] = RESPONSE_ONLY_MEMBERS;

    /// Metadata with the given redirect URIs and nothing else set (`Default` sets nothing at
    /// all).
    pub fn new<I, S>(redirect_uris: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            redirect_uris: Some(redirect_uris.into_iter().map(Into::into).collect()),
            ..Self::default()
        }
    }

    /// Metadata for a native public client such as an MCP client on a user's machine
    /// (RFC 8252): `application_type` `native`, `token_endpoint_auth_method` `none` (no
    /// secret: the authorization code is protected by PKCE instead), `grant_types`
    /// `authorization_code` and `refresh_token`, `response_types` `code`, and the given
    /// redirect URIs, usually a loopback one such as `http://127.0.0.1:33418/callback`
    /// (RFC 8252 §7.3). Suits dynamic registration and Client ID Metadata Documents alike.
    ///
    /// ```
    /// use oidc_types::{ApplicationType, ClientAuthMethod, ClientMetadata};
    ///
    /// let client = ClientMetadata::native_public(["http://127.0.0.1:33418/callback"]);
    /// assert_eq!(client.effective_application_type(), ApplicationType::Native);
    /// assert_eq!(client.effective_token_endpoint_auth_method(), ClientAuthMethod::None);
    /// client.validate().unwrap();
    /// ```
    pub fn native_public<I, S>(redirect_uris: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            application_type: Some(ApplicationType::Native),
            token_endpoint_auth_method: Some(ClientAuthMethod::None),
            grant_types: Some(vec![GrantType::AuthorizationCode, GrantType::RefreshToken]),
            response_types: Some(vec![ResponseType::from("code")]),
            ..Self::new(redirect_uris)
        }
    }

    /// The JSON object [`Serialize`](serde::Serialize) writes.
    ///
    /// # Errors
    ///
    /// As [`to_json_vec`](Self::to_json_vec).
    pub fn to_json_object(&self) -> Result<Map<String, Value>, serde_json::Error> {
        match serde_json::to_value(self)? {
            Value::Object(object) => Ok(object),
            // `Serialize` always writes a map.
            _ => Ok(Map::new()),
        }
    }

    /// Applies to `object` the changes that turn `before` into `self`, member by member, and
    /// leaves every other entry of `object` exactly as it is.
    ///
    /// This is how an update keeps what a provider stored: `object` is the provider's echoed
    /// metadata, `before` the typed view read from it, and `self` that view as the caller
    /// edited it. A member the caller changed is written in its typed form, entry by entry
    /// (removed when it became absent; for a language-tagged member, each `name#tag` entry that
    /// changed); a member or entry the caller left alone keeps the provider's value, even one
    /// this type could not read.
    /// `extra_fields` entries are compared key by key the same way.
    ///
    /// ```
    /// use oidc_types::ClientMetadata;
    ///
    /// let echoed = serde_json::json!({
    ///     "client_name": "Old",
    ///     "token_endpoint_auth_method": ["none"], // not the string RFC 7591 asks for
    ///     "x_vendor": 1
    /// });
    /// let object = echoed.as_object().expect("an object");
    /// let (before, _problems) = ClientMetadata::from_json_object(object);
    /// let mut after = before.clone();
    /// after.client_name.set_value("New");
    ///
    /// let mut updated = object.clone();
    /// after.apply_changes_to(&before, &mut updated)?;
    /// assert_eq!(
    ///     serde_json::Value::Object(updated),
    ///     serde_json::json!({
    ///         "client_name": "New",
    ///         "token_endpoint_auth_method": ["none"],
    ///         "x_vendor": 1
    ///     })
    /// );
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`to_json_vec`](Self::to_json_vec), for the members that changed: a private or
    /// symmetric key in a changed `jwks`, or a changed `extra_fields` key that shadows a
    /// member.
    pub fn apply_changes_to(
        &self,
        before: &ClientMetadata,
        object: &mut Map<String, Value>,
    ) -> Result<(), serde_json::Error> {
        if self.jwks != before.jwks {
            wire::check_jwks_sendable(self.jwks.as_ref())?;
        }
        self.write_changed_members(before, object)?;
        for (key, value) in &self.extra_fields {
            if before.extra_fields.get(key) != Some(value) {
                wire::check_extra_field_sendable(key)?;
                object.insert(key.clone(), value.clone());
            }
        }
        members::remove_members(object, |key| {
            before.extra_fields.contains_key(key) && !self.extra_fields.contains_key(key)
        });
        Ok(())
    }

    /// The JSON body of a registration request: `serde_json::to_vec(self)`.
    ///
    /// # Errors
    ///
    /// Fails when `jwks` holds a private or symmetric key, or when an `extra_fields` key
    /// shadows a known member (see [JSON](#json)).
    pub fn to_json_vec(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::to_vec(self)
    }

    /// Reads a JSON object leniently, as needed for the metadata a provider echoes in a
    /// registration response (RFC 7591 §3.2.1): it never fails.
    ///
    /// A known member whose value has the wrong type or an unusable value is left out of the
    /// result (and not put in `extra_fields`) and reported as a [`FieldProblem`]. A known member
    /// set to JSON `null` is treated as absent. The registration response members (`client_id`, `client_secret`,
    /// `registration_access_token`, `registration_client_uri`, `client_id_issued_at`,
    /// `client_secret_expires_at`) are skipped, so credentials never land in `extra_fields`.
    /// Unknown members, including tagged names of members that cannot be tagged
    /// (`scope#en`), go to `extra_fields` unchanged.
    ///
    /// ```
    /// use oidc_types::ClientMetadata;
    ///
    /// let echoed = serde_json::json!({
    ///     "client_id": "s6BhdRkqt3",
    ///     "redirect_uris": "https://client.example.org/cb",
    ///     "require_auth_time": true,
    ///     "x_custom": 1
    /// });
    /// let object = echoed.as_object().expect("an object");
    /// let (metadata, problems) = ClientMetadata::from_json_object(object);
    /// assert_eq!(metadata.require_auth_time, Some(true));
    /// assert_eq!(metadata.redirect_uris, None);
    /// assert_eq!(problems[0].field, "redirect_uris");
    /// assert_eq!(metadata.extra_fields.len(), 1);
    /// ```
    pub fn from_json_object(object: &Map<String, Value>) -> (ClientMetadata, Vec<FieldProblem>) {
        wire::read_lenient(object)
    }

    /// Checks the metadata against the rules of the specifications that need no knowledge of
    /// the provider, and reports every problem found, not just the first.
    ///
    /// The rules: redirect URIs must be absolute URIs without a fragment (RFC 6749 §3.1.2),
    /// present when the authorization code or implicit grant is used, https on a host other
    /// than localhost for a web client using the implicit flow, and for a native client either
    /// a custom scheme, https, or http on localhost / `127.0.0.1` / `[::1]` (OIDC DCR §2,
    /// RFC 8252 §7); `jwks` and `jwks_uri` not both set, and `jwks` free of private and
    /// symmetric keys (OIDC DCR §2); no `*_enc` without its `*_alg`; grant types covering the
    /// response types (OIDC DCR §2); no `none` for `token_endpoint_auth_signing_alg`; no
    /// unsigned ID Token from the authorization endpoint; well-formed language tags (OIDC
    /// DCR §2.1); keys for `private_key_jwt` and `self_signed_tls_client_auth`, exactly one
    /// `tls_client_auth_*` subject for `tls_client_auth` (RFC 8705 §2.1.2); https for
    /// `jwks_uri`, `sector_identifier_uri`, `initiate_login_uri` and
    /// `backchannel_client_notification_endpoint`; a `sector_identifier_uri` for pairwise
    /// subjects over several redirect hosts (Core §8.1); no fragment in logout URIs; a
    /// notification endpoint for CIBA `ping` and `push`; and no `extra_fields` key shadowing a
    /// known member. Each problem is a [`ValidationProblem`](crate::ValidationProblem).
    ///
    /// # Errors
    ///
    /// [`ValidationErrors`] listing every problem, when there is at least one.
    ///
    /// # Example
    ///
    /// ```
    /// use oidc_types::{ClientMetadata, ResponseType, ValidationProblem};
    ///
    /// let mut client = ClientMetadata::new(["https://client.example.org/cb#frag"]);
    /// client.response_types = Some(vec![ResponseType::from("code id_token")]);
    /// client.jwks_uri = Some("http://client.example.org/jwks".into());
    ///
    /// let errors = client.validate().unwrap_err();
    /// assert_eq!(errors.problems().len(), 3);
    /// assert!(matches!(errors.problems()[0], ValidationProblem::RedirectUriHasFragment { .. }));
    /// assert_eq!(
    ///     errors.to_string(),
    ///     "client metadata is invalid: 3 problem(s): \
    ///      redirect_uris: \"https://client.example.org/cb#frag\" has a fragment; \
    ///      jwks_uri: \"http://client.example.org/jwks\" is not an https URL; \
    ///      response_types: \"code id_token\" needs grant type \"implicit\" in grant_types"
    /// );
    /// ```
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        ValidationErrors::from_problems(validation::check(self))
    }

    /// Everything [`validate`](Self::validate) checks, plus whether the provider supports what
    /// the metadata asks for: grant types, response types, the token endpoint authentication
    /// method, the subject type, every signing and encryption algorithm, the CIBA delivery
    /// mode, front- and back-channel logout and `request_uris`.
    ///
    /// A list the provider does not publish is not checked, except `grant_types_supported`
    /// and `token_endpoint_auth_methods_supported`, whose spec defaults apply (OIDC Discovery
    /// §3, RFC 8414 §2).
    ///
    /// # Errors
    ///
    /// [`ValidationErrors`] listing every problem, when there is at least one.
    pub fn validate_for(&self, provider: &ProviderMetadata) -> Result<(), ValidationErrors> {
        let mut problems = validation::check(self);
        problems.extend(validation::check_against_provider(self, provider));
        ValidationErrors::from_problems(problems)
    }

    /// `application_type`, or `web` when absent (OIDC DCR §2).
    pub fn effective_application_type(&self) -> ApplicationType {
        self.application_type
            .clone()
            .unwrap_or(ApplicationType::Web)
    }

    /// `token_endpoint_auth_method`, or `client_secret_basic` when absent (OIDC DCR §2, RFC
    /// 7591 §2).
    pub fn effective_token_endpoint_auth_method(&self) -> ClientAuthMethod {
        self.token_endpoint_auth_method
            .clone()
            .unwrap_or(ClientAuthMethod::ClientSecretBasic)
    }

    /// `redirect_uris`, or none when absent.
    pub fn redirect_uris(&self) -> &[String] {
        self.redirect_uris.as_deref().unwrap_or_default()
    }

    /// `response_types`, or `["code"]` when absent (OIDC DCR §2).
    pub fn effective_response_types(&self) -> Vec<ResponseType> {
        self.response_types
            .clone()
            .unwrap_or_else(|| vec![ResponseType::code()])
    }

    /// `grant_types`, or `["authorization_code"]` when absent (OIDC DCR §2).
    pub fn effective_grant_types(&self) -> Vec<GrantType> {
        self.grant_types
            .clone()
            .unwrap_or_else(|| vec![GrantType::AuthorizationCode])
    }
}
