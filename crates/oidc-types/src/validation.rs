//! The rules client metadata must follow, checked by [`ClientMetadata::validate`] and
//! [`ClientMetadata::validate_for`].

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use biscuit::jwk::{AlgorithmParameters, JWKSet, PublicKeyUse};
use biscuit::Empty;
use url::{Host, Url};

use crate::client_metadata::{reserved, ClientMetadata, Reserved};
use crate::language::{LanguageTag, Localized};
use crate::values::{
    ApplicationType, BackchannelTokenDeliveryMode, ClientAuthMethod, ClientRegistrationType,
    GrantType, JweAlgorithm, JweEncryption, JwsAlgorithm, ResponseType, SubjectType,
};
use crate::ProviderMetadata;

/// One rule broken by a [`ClientMetadata`], found by [`ClientMetadata::validate`] or
/// [`ClientMetadata::validate_for`].
///
/// Each variant names the broken rule and carries the offending field and value. `Display` is
/// lower-case, starts with the member name and has no trailing period.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ValidationProblem {
    /// A URI member (a redirect URI, `jwks_uri`, a logout URI, a `logo_uri`, …) is not an
    /// absolute URI.
    MalformedUri {
        /// The member name, such as `redirect_uris`.
        field: &'static str,
        /// The value.
        uri: String,
        /// Why it did not parse.
        reason: String,
    },
    /// A redirect URI carries a fragment, which RFC 6749 §3.1.2 forbids.
    RedirectUriHasFragment {
        /// The redirect URI.
        uri: String,
    },
    /// A web client using the implicit flow registers a redirect URI that is not https (OIDC
    /// DCR §2 `application_type`).
    ImplicitWebRedirectUriNotHttps {
        /// The redirect URI.
        uri: String,
    },
    /// A web client using the implicit flow registers a redirect URI on localhost or a loopback
    /// address (OIDC DCR §2 `application_type`).
    ImplicitWebRedirectUriOnLocalhost {
        /// The redirect URI.
        uri: String,
    },
    /// A native client registers an http redirect URI whose host is not `localhost`,
    /// `127.0.0.1` or `[::1]` (OIDC DCR §2 `application_type`, RFC 8252 §7.3).
    NativeHttpRedirectUriNotLoopback {
        /// The redirect URI.
        uri: String,
    },
    /// `redirect_uris` is empty although the authorization code or implicit grant is used
    /// (OIDC DCR §2, RFC 7591 §2).
    RedirectUrisMissing {
        /// The grant type that needs redirect URIs.
        grant_type: GrantType,
    },
    /// Both `jwks` and `jwks_uri` are set (OIDC DCR §2, RFC 7591 §2).
    JwksAndJwksUri,
    /// A key in `jwks` carries private key material (OIDC DCR §2).
    PrivateKeyInJwks {
        /// The key's `kid`, if it has one.
        kid: Option<String>,
        /// The key's position in `jwks.keys`.
        index: usize,
    },
    /// A key in `jwks` is a symmetric (`oct`) key (OIDC DCR §2).
    SymmetricKeyInJwks {
        /// The key's `kid`, if it has one.
        kid: Option<String>,
        /// The key's position in `jwks.keys`.
        index: usize,
    },
    /// `jwks` holds an encryption key (`"use": "enc"`) next to a key without `use`: when a
    /// client registers both signing and encryption keys, every key must say which it is
    /// (OIDC DCR §2, `jwks`).
    KeyUseMissing {
        /// The key's `kid`, if it has one.
        kid: Option<String>,
        /// The key's position in `jwks.keys`.
        index: usize,
    },
    /// A `*_enc` member is set without its `*_alg` (OIDC DCR §2, JARM §3, RFC 9701 §6).
    EncWithoutAlg {
        /// The `*_enc` member.
        field: &'static str,
        /// The `*_alg` member it needs.
        alg_field: &'static str,
        /// The `*_enc` value.
        enc: JweEncryption,
    },
    /// A response type needs a grant type that `grant_types` (or its default) lacks (OIDC DCR
    /// §2, RFC 7591 §2.1).
    ResponseTypeNeedsGrantType {
        /// The response type.
        response_type: ResponseType,
        /// The missing grant type.
        grant_type: GrantType,
    },
    /// `token_endpoint_auth_signing_alg` is `none`, which OIDC DCR §2 forbids.
    NoneTokenEndpointAuthSigningAlg,
    /// `id_token_signed_response_alg` is `none` although a response type returns an ID Token
    /// from the authorization endpoint (OIDC DCR §2).
    UnsignedIdTokenFromAuthorizationEndpoint {
        /// The response type that includes `id_token`.
        response_type: ResponseType,
    },
    /// A language tag on a localized member is not a well-formed BCP 47 tag (OIDC DCR §2.1).
    MalformedLanguageTag {
        /// The member name without the tag, such as `client_name`.
        field: &'static str,
        /// The tag.
        tag: LanguageTag,
    },
    /// `private_key_jwt` or `self_signed_tls_client_auth` is used but neither `jwks` nor
    /// `jwks_uri` is set, so the provider has no key to check (OIDC Core §9, RFC 8705 §2.2).
    MissingKeysForAuthMethod {
        /// The authentication method.
        method: ClientAuthMethod,
    },
    /// `tls_client_auth` is used without any `tls_client_auth_*` subject member (RFC 8705
    /// §2.1.2).
    TlsClientAuthSubjectMissing,
    /// `tls_client_auth` is used with more than one `tls_client_auth_*` subject member (RFC
    /// 8705 §2.1.2 allows exactly one).
    TlsClientAuthSubjectAmbiguous {
        /// The members that are set.
        fields: Vec<&'static str>,
    },
    /// A member that must be an https URL is not (`jwks_uri`, `sector_identifier_uri`,
    /// `initiate_login_uri`: OIDC DCR §2; `backchannel_client_notification_endpoint`: CIBA
    /// Core §4).
    UriNotHttps {
        /// The member name.
        field: &'static str,
        /// The value.
        uri: String,
    },
    /// Pairwise subjects are requested, the redirect URIs span several hosts and no
    /// `sector_identifier_uri` is set (OIDC Core §8.1).
    SectorIdentifierUriRequired {
        /// The distinct redirect URI hosts.
        hosts: Vec<String>,
    },
    /// A front- or back-channel logout URI carries a fragment (Front-Channel Logout §2,
    /// Back-Channel Logout §2.2).
    LogoutUriHasFragment {
        /// The member name.
        field: &'static str,
        /// The value.
        uri: String,
    },
    /// CIBA `ping` or `push` mode is used without `backchannel_client_notification_endpoint`
    /// (CIBA Core §4).
    CibaNotificationEndpointMissing {
        /// The delivery mode.
        mode: BackchannelTokenDeliveryMode,
    },
    /// An `extra_fields` key is a member `ClientMetadata` writes itself (possibly with a
    /// language tag), so it would be sent twice or lost on reading.
    ExtraFieldShadowsMember {
        /// The key.
        key: String,
    },
    /// An `extra_fields` key is a registration response member such as `client_id` or
    /// `client_secret`, which does not belong in a request.
    ExtraFieldIsResponseMember {
        /// The key.
        key: String,
    },

    /// A grant type is not in the provider's `grant_types_supported` (or its default,
    /// `authorization_code` and `implicit`).
    GrantTypeNotSupported {
        /// The grant type.
        grant_type: GrantType,
    },
    /// A response type is not in the provider's `response_types_supported`.
    ResponseTypeNotSupported {
        /// The response type.
        response_type: ResponseType,
    },
    /// `token_endpoint_auth_method` is not in the provider's
    /// `token_endpoint_auth_methods_supported` (or its default, `client_secret_basic`).
    AuthMethodNotSupported {
        /// The method.
        method: ClientAuthMethod,
    },
    /// `subject_type` is not in the provider's `subject_types_supported`.
    SubjectTypeNotSupported {
        /// The subject type.
        subject_type: SubjectType,
    },
    /// A signing algorithm is not in the provider's matching `*_signing_alg_values_supported`.
    SigningAlgNotSupported {
        /// The client member, such as `id_token_signed_response_alg`.
        field: &'static str,
        /// The algorithm.
        alg: JwsAlgorithm,
    },
    /// A key management algorithm is not in the provider's matching
    /// `*_encryption_alg_values_supported`.
    EncryptionAlgNotSupported {
        /// The client member, such as `userinfo_encrypted_response_alg`.
        field: &'static str,
        /// The algorithm.
        alg: JweAlgorithm,
    },
    /// A content encryption is not in the provider's matching
    /// `*_encryption_enc_values_supported`.
    EncryptionEncNotSupported {
        /// The client member, such as `userinfo_encrypted_response_enc`.
        field: &'static str,
        /// The content encryption.
        enc: JweEncryption,
    },
    /// `backchannel_token_delivery_mode` is not in the provider's
    /// `backchannel_token_delivery_modes_supported`.
    BackchannelTokenDeliveryModeNotSupported {
        /// The delivery mode.
        mode: BackchannelTokenDeliveryMode,
    },
    /// A `client_registration_types` value is not in the provider's
    /// `client_registration_types_supported` (OpenID Federation 1.0).
    ClientRegistrationTypeNotSupported {
        /// The registration type.
        registration_type: ClientRegistrationType,
    },
    /// An `authorization_details_types` value is not in the provider's
    /// `authorization_details_types_supported` (RFC 9396 §10).
    AuthorizationDetailsTypeNotSupported {
        /// The authorization details type.
        details_type: String,
    },
    /// `backchannel_logout_uri` is set but the provider does not support back-channel logout.
    BackchannelLogoutNotSupported,
    /// `frontchannel_logout_uri` is set but the provider does not support front-channel
    /// logout.
    FrontchannelLogoutNotSupported,
    /// `request_uris` is set but the provider does not support the `request_uri` parameter.
    RequestUrisNotSupported,
}

impl fmt::Display for ValidationProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MalformedUri { field, uri, reason } => {
                write!(f, "{field}: {uri:?} is not an absolute URI: {reason}")
            }
            Self::RedirectUriHasFragment { uri } => {
                write!(f, "redirect_uris: {uri:?} has a fragment")
            }
            Self::ImplicitWebRedirectUriNotHttps { uri } => write!(
                f,
                "redirect_uris: {uri:?} is not https, which a web client using the implicit \
                 flow needs"
            ),
            Self::ImplicitWebRedirectUriOnLocalhost { uri } => write!(
                f,
                "redirect_uris: {uri:?} is on localhost, which a web client using the implicit \
                 flow must not use"
            ),
            Self::NativeHttpRedirectUriNotLoopback { uri } => write!(
                f,
                "redirect_uris: {uri:?} uses http on a host other than localhost, 127.0.0.1 or \
                 [::1], which a native client must not use"
            ),
            Self::RedirectUrisMissing { grant_type } => {
                write!(f, "redirect_uris: empty, but grant type {:?} needs them", grant_type.as_str())
            }
            Self::JwksAndJwksUri => f.write_str("jwks: set together with jwks_uri; use only one"),
            Self::PrivateKeyInJwks { kid, index } => {
                write!(f, "jwks: {} holds private key material", KeyName(kid, *index))
            }
            Self::SymmetricKeyInJwks { kid, index } => {
                write!(f, "jwks: {} is a symmetric key", KeyName(kid, *index))
            }
            Self::KeyUseMissing { kid, index } => write!(
                f,
                "jwks: {} has no \"use\", but the set also holds encryption keys",
                KeyName(kid, *index)
            ),
            Self::EncWithoutAlg { field, alg_field, enc } => {
                write!(f, "{field}: {:?} is set without {alg_field}", enc.as_str())
            }
            Self::ResponseTypeNeedsGrantType { response_type, grant_type } => write!(
                f,
                "response_types: {:?} needs grant type {:?} in grant_types",
                response_type.as_str(),
                grant_type.as_str()
            ),
            Self::NoneTokenEndpointAuthSigningAlg => {
                f.write_str("token_endpoint_auth_signing_alg: \"none\" is not allowed")
            }
            Self::UnsignedIdTokenFromAuthorizationEndpoint { response_type } => write!(
                f,
                "id_token_signed_response_alg: \"none\" is not allowed with response type {:?}",
                response_type.as_str()
            ),
            Self::MalformedLanguageTag { field, tag } => {
                write!(f, "{field}: language tag {:?} is not well-formed", tag.as_str())
            }
            Self::MissingKeysForAuthMethod { method } => write!(
                f,
                "token_endpoint_auth_method: {:?} needs jwks or jwks_uri",
                method.as_str()
            ),
            Self::TlsClientAuthSubjectMissing => f.write_str(
                "token_endpoint_auth_method: \"tls_client_auth\" needs one of \
                 tls_client_auth_subject_dn, tls_client_auth_san_dns, tls_client_auth_san_uri, \
                 tls_client_auth_san_ip or tls_client_auth_san_email",
            ),
            Self::TlsClientAuthSubjectAmbiguous { fields } => write!(
                f,
                "token_endpoint_auth_method: \"tls_client_auth\" needs exactly one subject \
                 member, found {}",
                fields.join(", ")
            ),
            Self::UriNotHttps { field, uri } => write!(f, "{field}: {uri:?} is not an https URL"),
            Self::SectorIdentifierUriRequired { hosts } => write!(
                f,
                "sector_identifier_uri: needed for pairwise subjects because redirect_uris span \
                 several hosts ({})",
                hosts.join(", ")
            ),
            Self::LogoutUriHasFragment { field, uri } => write!(f, "{field}: {uri:?} has a fragment"),
            Self::CibaNotificationEndpointMissing { mode } => write!(
                f,
                "backchannel_client_notification_endpoint: missing, but delivery mode {:?} needs it",
                mode.as_str()
            ),
            Self::ExtraFieldShadowsMember { key } => write!(
                f,
                "extra_fields: {key:?} is a known member; set its field instead"
            ),
            Self::ExtraFieldIsResponseMember { key } => write!(
                f,
                "extra_fields: {key:?} is a registration response member, not client metadata"
            ),
            Self::GrantTypeNotSupported { grant_type } => write!(
                f,
                "grant_types: {:?} is not supported by the provider",
                grant_type.as_str()
            ),
            Self::ResponseTypeNotSupported { response_type } => write!(
                f,
                "response_types: {:?} is not supported by the provider",
                response_type.as_str()
            ),
            Self::AuthMethodNotSupported { method } => write!(
                f,
                "token_endpoint_auth_method: {:?} is not supported by the provider",
                method.as_str()
            ),
            Self::SubjectTypeNotSupported { subject_type } => write!(
                f,
                "subject_type: {:?} is not supported by the provider",
                subject_type.as_str()
            ),
            Self::SigningAlgNotSupported { field, alg } => {
                write!(f, "{field}: {:?} is not supported by the provider", alg.as_str())
            }
            Self::EncryptionAlgNotSupported { field, alg } => {
                write!(f, "{field}: {:?} is not supported by the provider", alg.as_str())
            }
            Self::EncryptionEncNotSupported { field, enc } => {
                write!(f, "{field}: {:?} is not supported by the provider", enc.as_str())
            }
            Self::BackchannelTokenDeliveryModeNotSupported { mode } => write!(
                f,
                "backchannel_token_delivery_mode: {:?} is not supported by the provider",
                mode.as_str()
            ),
            Self::ClientRegistrationTypeNotSupported { registration_type } => write!(
                f,
                "client_registration_types: {:?} is not supported by the provider",
                registration_type.as_str()
            ),
            Self::AuthorizationDetailsTypeNotSupported { details_type } => write!(
                f,
                "authorization_details_types: {details_type:?} is not supported by the provider"
            ),
            Self::BackchannelLogoutNotSupported => f.write_str(
                "backchannel_logout_uri: the provider does not support back-channel logout",
            ),
            Self::FrontchannelLogoutNotSupported => f.write_str(
                "frontchannel_logout_uri: the provider does not support front-channel logout",
            ),
            Self::RequestUrisNotSupported => f.write_str(
                "request_uris: the provider does not support the request_uri parameter",
            ),
        }
    }
}

/// Names a key of a JWK set by `kid`, or by position when it has none.
struct KeyName<'a>(&'a Option<String>, usize);

impl fmt::Display for KeyName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(kid) => write!(f, "key {kid:?}"),
            None => write!(f, "key #{} (no kid)", self.1),
        }
    }
}

/// Every problem [`ClientMetadata::validate`] or [`ClientMetadata::validate_for`] found, in the
/// order the checks ran. Never empty.
///
/// Displays as `client metadata is invalid: N problem(s): a; b; c`.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationErrors {
    problems: Vec<ValidationProblem>,
}

impl ValidationErrors {
    /// `Ok` when there is no problem, so that the error is never empty.
    pub(crate) fn from_problems(problems: Vec<ValidationProblem>) -> Result<(), Self> {
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Self { problems })
        }
    }

    /// The problems, at least one.
    pub fn problems(&self) -> &[ValidationProblem] {
        &self.problems
    }

    /// Takes the problems out.
    pub fn into_problems(self) -> Vec<ValidationProblem> {
        self.problems
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "client metadata is invalid: {} problem(s): ",
            self.problems.len()
        )?;
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// The private and symmetric keys in `jwks`: what must never be registered or sent.
pub(crate) fn key_material_problems(jwks: &JWKSet<Empty>) -> Vec<ValidationProblem> {
    let mut problems = Vec::new();
    for (index, key) in jwks.keys.iter().enumerate() {
        let kid = key.common.key_id.clone();
        let private = match &key.algorithm {
            AlgorithmParameters::OctetKey(_) => {
                problems.push(ValidationProblem::SymmetricKeyInJwks { kid, index });
                continue;
            }
            AlgorithmParameters::RSA(rsa) => {
                rsa.d.is_some()
                    || rsa.p.is_some()
                    || rsa.q.is_some()
                    || rsa.dp.is_some()
                    || rsa.dq.is_some()
                    || rsa.qi.is_some()
                    || rsa.other_primes_info.is_some()
            }
            AlgorithmParameters::EllipticCurve(ec) => ec.d.is_some(),
            AlgorithmParameters::OctetKeyPair(okp) => okp.d.is_some(),
        };
        if private {
            problems.push(ValidationProblem::PrivateKeyInJwks { kid, index });
        }
    }
    problems
}

/// Keys without `use` in a set that also holds encryption keys (OIDC DCR §2: with both
/// signing and encryption keys, `use` is required). A set without any `"use": "enc"` key is
/// taken as signing keys only, the common case, and needs no `use`.
fn key_use_problems(jwks: &JWKSet<Empty>) -> Vec<ValidationProblem> {
    let has_encryption_key = jwks
        .keys
        .iter()
        .any(|key| key.common.public_key_use == Some(PublicKeyUse::Encryption));
    if !has_encryption_key {
        return Vec::new();
    }
    jwks.keys
        .iter()
        .enumerate()
        .filter(|(_, key)| key.common.public_key_use.is_none())
        .map(|(index, key)| ValidationProblem::KeyUseMissing {
            kid: key.common.key_id.clone(),
            index,
        })
        .collect()
}

/// The rules that need nothing but the metadata.
pub(crate) fn check(m: &ClientMetadata) -> Vec<ValidationProblem> {
    let mut problems = Vec::new();
    let response_types = m.effective_response_types();
    let grant_types = m.effective_grant_types();

    check_redirect_uris(m, &response_types, &grant_types, &mut problems);

    if m.jwks.is_some() && m.jwks_uri.is_some() {
        problems.push(ValidationProblem::JwksAndJwksUri);
    }
    if let Some(jwks) = &m.jwks {
        problems.extend(key_material_problems(jwks));
        problems.extend(key_use_problems(jwks));
    }
    for (field, uri) in [
        ("jwks_uri", &m.jwks_uri),
        ("sector_identifier_uri", &m.sector_identifier_uri),
        ("initiate_login_uri", &m.initiate_login_uri),
        (
            "backchannel_client_notification_endpoint",
            &m.backchannel_client_notification_endpoint,
        ),
    ] {
        if let Some(uri) = uri {
            if let Some(url) = parse_uri(field, uri, &mut problems) {
                if url.scheme() != "https" {
                    problems.push(ValidationProblem::UriNotHttps {
                        field,
                        uri: uri.clone(),
                    });
                }
            }
        }
    }
    for (field, uri) in [
        ("frontchannel_logout_uri", &m.frontchannel_logout_uri),
        ("backchannel_logout_uri", &m.backchannel_logout_uri),
    ] {
        if let Some(uri) = uri {
            if let Some(url) = parse_uri(field, uri, &mut problems) {
                if url.fragment().is_some() {
                    problems.push(ValidationProblem::LogoutUriHasFragment {
                        field,
                        uri: uri.clone(),
                    });
                }
            }
        }
    }
    for (field, uris) in [
        ("post_logout_redirect_uris", &m.post_logout_redirect_uris),
        ("request_uris", &m.request_uris),
    ] {
        for uri in uris.iter().flatten() {
            parse_uri(field, uri, &mut problems);
        }
    }

    for (field, enc, alg_field, alg_set) in [
        (
            "id_token_encrypted_response_enc",
            &m.id_token_encrypted_response_enc,
            "id_token_encrypted_response_alg",
            m.id_token_encrypted_response_alg.is_some(),
        ),
        (
            "userinfo_encrypted_response_enc",
            &m.userinfo_encrypted_response_enc,
            "userinfo_encrypted_response_alg",
            m.userinfo_encrypted_response_alg.is_some(),
        ),
        (
            "request_object_encryption_enc",
            &m.request_object_encryption_enc,
            "request_object_encryption_alg",
            m.request_object_encryption_alg.is_some(),
        ),
        (
            "authorization_encrypted_response_enc",
            &m.authorization_encrypted_response_enc,
            "authorization_encrypted_response_alg",
            m.authorization_encrypted_response_alg.is_some(),
        ),
        (
            "introspection_encrypted_response_enc",
            &m.introspection_encrypted_response_enc,
            "introspection_encrypted_response_alg",
            m.introspection_encrypted_response_alg.is_some(),
        ),
    ] {
        if let (Some(enc), false) = (enc, alg_set) {
            problems.push(ValidationProblem::EncWithoutAlg {
                field,
                alg_field,
                enc: enc.clone(),
            });
        }
    }

    for response_type in &response_types {
        if response_type.has_code() && !grant_types.contains(&GrantType::AuthorizationCode) {
            problems.push(ValidationProblem::ResponseTypeNeedsGrantType {
                response_type: response_type.clone(),
                grant_type: GrantType::AuthorizationCode,
            });
        }
        if (response_type.has_id_token() || response_type.has_token())
            && !grant_types.contains(&GrantType::Implicit)
        {
            problems.push(ValidationProblem::ResponseTypeNeedsGrantType {
                response_type: response_type.clone(),
                grant_type: GrantType::Implicit,
            });
        }
    }

    if m.token_endpoint_auth_signing_alg == Some(JwsAlgorithm::None) {
        problems.push(ValidationProblem::NoneTokenEndpointAuthSigningAlg);
    }
    if m.id_token_signed_response_alg == Some(JwsAlgorithm::None) {
        if let Some(response_type) = response_types.iter().find(|rt| rt.has_id_token()) {
            problems.push(
                ValidationProblem::UnsignedIdTokenFromAuthorizationEndpoint {
                    response_type: response_type.clone(),
                },
            );
        }
    }

    for (field, value) in [
        ("client_name", &m.client_name),
        ("logo_uri", &m.logo_uri),
        ("client_uri", &m.client_uri),
        ("policy_uri", &m.policy_uri),
        ("tos_uri", &m.tos_uri),
    ] {
        check_tags(field, value, &mut problems);
    }
    for (field, value) in [
        ("logo_uri", &m.logo_uri),
        ("client_uri", &m.client_uri),
        ("policy_uri", &m.policy_uri),
        ("tos_uri", &m.tos_uri),
    ] {
        for uri in value
            .value()
            .into_iter()
            .chain(value.tagged().map(|(_, uri)| uri))
        {
            parse_uri(field, uri, &mut problems);
        }
    }

    check_client_authentication(m, &mut problems);

    if let Some(mode) = &m.backchannel_token_delivery_mode {
        let needs_endpoint = matches!(
            mode,
            BackchannelTokenDeliveryMode::Ping | BackchannelTokenDeliveryMode::Push
        );
        if needs_endpoint && m.backchannel_client_notification_endpoint.is_none() {
            problems
                .push(ValidationProblem::CibaNotificationEndpointMissing { mode: mode.clone() });
        }
    }

    for key in m.extra_fields.keys() {
        match reserved(key) {
            Some(Reserved::Member) => {
                problems.push(ValidationProblem::ExtraFieldShadowsMember { key: key.clone() });
            }
            Some(Reserved::ResponseOnly) => {
                problems.push(ValidationProblem::ExtraFieldIsResponseMember { key: key.clone() });
            }
            None => {}
        }
    }
    problems
}

fn check_redirect_uris(
    m: &ClientMetadata,
    response_types: &[ResponseType],
    grant_types: &[GrantType],
    problems: &mut Vec<ValidationProblem>,
) {
    if m.redirect_uris.is_empty() {
        let needing = [GrantType::AuthorizationCode, GrantType::Implicit]
            .into_iter()
            .find(|grant_type| grant_types.contains(grant_type));
        if let Some(grant_type) = needing {
            problems.push(ValidationProblem::RedirectUrisMissing { grant_type });
        }
    }

    let implicit = grant_types.contains(&GrantType::Implicit)
        || response_types
            .iter()
            .any(|rt| rt.has_id_token() || rt.has_token());
    let mut hosts: Vec<String> = Vec::new();
    for uri in &m.redirect_uris {
        let Some(url) = parse_uri("redirect_uris", uri, problems) else {
            continue;
        };
        if url.fragment().is_some() {
            problems.push(ValidationProblem::RedirectUriHasFragment { uri: uri.clone() });
        }
        if let Some(host) = url.host_str() {
            if !hosts.iter().any(|known| known == host) {
                hosts.push(host.to_owned());
            }
        }
        match &m.application_type {
            ApplicationType::Web if implicit => {
                if url.scheme() != "https" {
                    problems.push(ValidationProblem::ImplicitWebRedirectUriNotHttps {
                        uri: uri.clone(),
                    });
                }
                if url.host().is_some_and(|host| is_loopback(&host)) {
                    problems.push(ValidationProblem::ImplicitWebRedirectUriOnLocalhost {
                        uri: uri.clone(),
                    });
                }
            }
            // Custom schemes and (RFC 8252 §7.2) claimed https URLs are fine for native
            // clients; only plain http must stay on the loopback interface.
            ApplicationType::Native if url.scheme() == "http" => {
                let loopback = match url.host() {
                    Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
                    Some(Host::Ipv4(ip)) => ip == Ipv4Addr::LOCALHOST,
                    Some(Host::Ipv6(ip)) => ip == Ipv6Addr::LOCALHOST,
                    None => false,
                };
                if !loopback {
                    problems.push(ValidationProblem::NativeHttpRedirectUriNotLoopback {
                        uri: uri.clone(),
                    });
                }
            }
            _ => {}
        }
    }

    if m.subject_type == Some(SubjectType::Pairwise)
        && m.sector_identifier_uri.is_none()
        && hosts.len() > 1
    {
        problems.push(ValidationProblem::SectorIdentifierUriRequired { hosts });
    }
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        // RFC 6761 §6.3: every name under localhost. resolves to the loopback interface.
        Host::Domain(domain) => {
            let domain = domain.trim_end_matches('.').to_ascii_lowercase();
            domain == "localhost" || domain.ends_with(".localhost")
        }
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

fn check_client_authentication(m: &ClientMetadata, problems: &mut Vec<ValidationProblem>) {
    let method = &m.token_endpoint_auth_method;
    if matches!(
        method,
        ClientAuthMethod::PrivateKeyJwt | ClientAuthMethod::SelfSignedTlsClientAuth
    ) && m.jwks.is_none()
        && m.jwks_uri.is_none()
    {
        problems.push(ValidationProblem::MissingKeysForAuthMethod {
            method: method.clone(),
        });
    }
    if *method == ClientAuthMethod::TlsClientAuth {
        let fields: Vec<&'static str> = [
            ("tls_client_auth_subject_dn", &m.tls_client_auth_subject_dn),
            ("tls_client_auth_san_dns", &m.tls_client_auth_san_dns),
            ("tls_client_auth_san_uri", &m.tls_client_auth_san_uri),
            ("tls_client_auth_san_ip", &m.tls_client_auth_san_ip),
            ("tls_client_auth_san_email", &m.tls_client_auth_san_email),
        ]
        .into_iter()
        .filter(|(_, value)| value.is_some())
        .map(|(field, _)| field)
        .collect();
        match fields.len() {
            0 => problems.push(ValidationProblem::TlsClientAuthSubjectMissing),
            1 => {}
            _ => problems.push(ValidationProblem::TlsClientAuthSubjectAmbiguous { fields }),
        }
    }
}

fn check_tags(field: &'static str, value: &Localized, problems: &mut Vec<ValidationProblem>) {
    for (tag, _) in value.tagged() {
        if !tag.is_well_formed() {
            problems.push(ValidationProblem::MalformedLanguageTag {
                field,
                tag: tag.clone(),
            });
        }
    }
}

/// Parses an absolute URI, recording a problem when it is not one.
fn parse_uri(field: &'static str, uri: &str, problems: &mut Vec<ValidationProblem>) -> Option<Url> {
    match Url::parse(uri) {
        Ok(url) => Some(url),
        Err(error) => {
            problems.push(ValidationProblem::MalformedUri {
                field,
                uri: uri.to_owned(),
                reason: error.to_string(),
            });
            None
        }
    }
}

/// The rules that compare the metadata with what the provider says it supports.
pub(crate) fn check_against_provider(
    m: &ClientMetadata,
    provider: &ProviderMetadata,
) -> Vec<ValidationProblem> {
    let mut problems = Vec::new();

    let supported_grants = provider.grant_types_supported();
    for grant_type in m.effective_grant_types() {
        if !supported_grants.contains(&grant_type) {
            problems.push(ValidationProblem::GrantTypeNotSupported { grant_type });
        }
    }
    if let Some(supported) = &provider.response_types_supported {
        for response_type in m.effective_response_types() {
            if !supported.contains(&response_type) {
                problems.push(ValidationProblem::ResponseTypeNotSupported { response_type });
            }
        }
    }
    if !provider
        .token_endpoint_auth_methods_supported()
        .contains(&m.token_endpoint_auth_method)
    {
        problems.push(ValidationProblem::AuthMethodNotSupported {
            method: m.token_endpoint_auth_method.clone(),
        });
    }
    if let (Some(subject_type), Some(supported)) =
        (&m.subject_type, &provider.subject_types_supported)
    {
        if !supported.contains(subject_type) {
            problems.push(ValidationProblem::SubjectTypeNotSupported {
                subject_type: subject_type.clone(),
            });
        }
    }

    for (field, alg, supported) in [
        (
            "id_token_signed_response_alg",
            &m.id_token_signed_response_alg,
            &provider.id_token_signing_alg_values_supported,
        ),
        (
            "userinfo_signed_response_alg",
            &m.userinfo_signed_response_alg,
            &provider.userinfo_signing_alg_values_supported,
        ),
        (
            "request_object_signing_alg",
            &m.request_object_signing_alg,
            &provider.request_object_signing_alg_values_supported,
        ),
        (
            "token_endpoint_auth_signing_alg",
            &m.token_endpoint_auth_signing_alg,
            &provider.token_endpoint_auth_signing_alg_values_supported,
        ),
        (
            "authorization_signed_response_alg",
            &m.authorization_signed_response_alg,
            &provider.authorization_signing_alg_values_supported,
        ),
        (
            "introspection_signed_response_alg",
            &m.introspection_signed_response_alg,
            &provider.introspection_signing_alg_values_supported,
        ),
        (
            "backchannel_authentication_request_signing_alg",
            &m.backchannel_authentication_request_signing_alg,
            &provider.backchannel_authentication_request_signing_alg_values_supported,
        ),
    ] {
        if let (Some(alg), Some(supported)) = (alg, supported) {
            if !supported.contains(alg) {
                problems.push(ValidationProblem::SigningAlgNotSupported {
                    field,
                    alg: alg.clone(),
                });
            }
        }
    }
    for (field, alg, supported) in [
        (
            "id_token_encrypted_response_alg",
            &m.id_token_encrypted_response_alg,
            &provider.id_token_encryption_alg_values_supported,
        ),
        (
            "userinfo_encrypted_response_alg",
            &m.userinfo_encrypted_response_alg,
            &provider.userinfo_encryption_alg_values_supported,
        ),
        (
            "request_object_encryption_alg",
            &m.request_object_encryption_alg,
            &provider.request_object_encryption_alg_values_supported,
        ),
        (
            "authorization_encrypted_response_alg",
            &m.authorization_encrypted_response_alg,
            &provider.authorization_encryption_alg_values_supported,
        ),
        (
            "introspection_encrypted_response_alg",
            &m.introspection_encrypted_response_alg,
            &provider.introspection_encryption_alg_values_supported,
        ),
    ] {
        if let (Some(alg), Some(supported)) = (alg, supported) {
            if !supported.contains(alg) {
                problems.push(ValidationProblem::EncryptionAlgNotSupported {
                    field,
                    alg: alg.clone(),
                });
            }
        }
    }
    for (field, enc, supported) in [
        (
            "id_token_encrypted_response_enc",
            &m.id_token_encrypted_response_enc,
            &provider.id_token_encryption_enc_values_supported,
        ),
        (
            "userinfo_encrypted_response_enc",
            &m.userinfo_encrypted_response_enc,
            &provider.userinfo_encryption_enc_values_supported,
        ),
        (
            "request_object_encryption_enc",
            &m.request_object_encryption_enc,
            &provider.request_object_encryption_enc_values_supported,
        ),
        (
            "authorization_encrypted_response_enc",
            &m.authorization_encrypted_response_enc,
            &provider.authorization_encryption_enc_values_supported,
        ),
        (
            "introspection_encrypted_response_enc",
            &m.introspection_encrypted_response_enc,
            &provider.introspection_encryption_enc_values_supported,
        ),
    ] {
        if let (Some(enc), Some(supported)) = (enc, supported) {
            if !supported.contains(enc) {
                problems.push(ValidationProblem::EncryptionEncNotSupported {
                    field,
                    enc: enc.clone(),
                });
            }
        }
    }

    if let (Some(mode), Some(supported)) = (
        &m.backchannel_token_delivery_mode,
        &provider.backchannel_token_delivery_modes_supported,
    ) {
        if !supported.contains(mode) {
            problems.push(
                ValidationProblem::BackchannelTokenDeliveryModeNotSupported { mode: mode.clone() },
            );
        }
    }
    if let (Some(types), Some(supported)) = (
        &m.client_registration_types,
        &provider.client_registration_types_supported,
    ) {
        for registration_type in types {
            if !supported.contains(registration_type) {
                problems.push(ValidationProblem::ClientRegistrationTypeNotSupported {
                    registration_type: registration_type.clone(),
                });
            }
        }
    }
    if let (Some(types), Some(supported)) = (
        &m.authorization_details_types,
        &provider.authorization_details_types_supported,
    ) {
        for details_type in types {
            if !supported.contains(details_type) {
                problems.push(ValidationProblem::AuthorizationDetailsTypeNotSupported {
                    details_type: details_type.clone(),
                });
            }
        }
    }
    if m.backchannel_logout_uri.is_some() && !provider.backchannel_logout_supported() {
        problems.push(ValidationProblem::BackchannelLogoutNotSupported);
    }
    if m.frontchannel_logout_uri.is_some() && !provider.frontchannel_logout_supported() {
        problems.push(ValidationProblem::FrontchannelLogoutNotSupported);
    }
    if m.request_uris.as_ref().is_some_and(|uris| !uris.is_empty())
        && !provider.request_uri_parameter_supported()
    {
        problems.push(ValidationProblem::RequestUrisNotSupported);
    }
    problems
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::language::Localized;

    type P = ValidationProblem;

    fn valid() -> ClientMetadata {
        ClientMetadata::new(["https://client.example.org/cb"])
    }

    fn problems(m: &ClientMetadata) -> Vec<ValidationProblem> {
        match m.validate() {
            Ok(()) => Vec::new(),
            Err(errors) => errors.into_problems(),
        }
    }

    fn with(edit: impl FnOnce(&mut ClientMetadata)) -> Vec<ValidationProblem> {
        let mut m = valid();
        edit(&mut m);
        problems(&m)
    }

    fn public_jwks() -> JWKSet<Empty> {
        serde_json::from_value(json!({"keys": [{"kty": "EC", "kid": "k1", "crv": "P-256",
            "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
            "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"}]}))
        .unwrap()
    }

    fn uri(text: &str) -> String {
        text.to_owned()
    }

    #[test]
    fn the_base_case_is_valid() {
        assert_eq!(problems(&valid()), []);
    }

    #[test]
    fn redirect_uris_must_be_absolute_uris() {
        let found = with(|m| m.redirect_uris = vec![uri("/relative"), uri("not a uri")]);
        assert!(
            matches!(&found[..], [
            P::MalformedUri { field: "redirect_uris", uri: a, .. },
            P::MalformedUri { field: "redirect_uris", uri: b, .. },
        ] if a == "/relative" && b == "not a uri"),
            "{found:?}"
        );
    }

    #[test]
    fn redirect_uris_must_not_carry_a_fragment() {
        for bad in ["https://a.example/cb#x", "https://a.example/cb#"] {
            assert_eq!(
                with(|m| m.redirect_uris = vec![uri(bad)]),
                [P::RedirectUriHasFragment { uri: uri(bad) }]
            );
        }
        assert_eq!(
            with(|m| m.redirect_uris = vec![uri("https://a.example/cb?x=1")]),
            []
        );
    }

    #[test]
    fn implicit_web_clients_need_https_off_localhost() {
        let implicit = |m: &mut ClientMetadata| {
            m.response_types = Some(vec![ResponseType::id_token()]);
            m.grant_types = Some(vec![GrantType::Implicit]);
        };
        assert_eq!(
            with(|m| {
                implicit(m);
                m.redirect_uris = vec![uri("http://a.example/cb"), uri("app.example:/cb")];
            }),
            [
                P::ImplicitWebRedirectUriNotHttps {
                    uri: uri("http://a.example/cb")
                },
                P::ImplicitWebRedirectUriNotHttps {
                    uri: uri("app.example:/cb")
                },
            ]
        );
        for local in [
            "https://localhost/cb",
            "https://LOCALHOST:8443/cb",
            "https://127.0.0.1/cb",
            "https://127.0.0.2/cb",
            "https://[::1]/cb",
            "https://app.localhost/cb",
        ] {
            assert_eq!(
                with(|m| {
                    implicit(m);
                    m.redirect_uris = vec![uri(local)];
                }),
                [P::ImplicitWebRedirectUriOnLocalhost { uri: uri(local) }],
                "{local}"
            );
        }
        assert_eq!(
            with(|m| {
                implicit(m);
                m.redirect_uris = vec![uri("http://localhost/cb")];
            })
            .len(),
            2
        );
        // The implicit grant alone (code response type) counts as implicit too.
        assert_eq!(
            with(|m| {
                m.grant_types = Some(vec![GrantType::AuthorizationCode, GrantType::Implicit]);
                m.redirect_uris = vec![uri("http://a.example/cb")];
            }),
            [P::ImplicitWebRedirectUriNotHttps {
                uri: uri("http://a.example/cb")
            }]
        );
        assert_eq!(with(implicit), []);
        // A code-flow web client may use http on localhost (a development setup).
        assert_eq!(
            with(|m| m.redirect_uris = vec![uri("http://localhost:3000/cb")]),
            []
        );
    }

    #[test]
    fn native_http_redirects_stay_on_loopback() {
        let native = |redirect: &str| {
            with(|m| {
                m.application_type = ApplicationType::Native;
                m.redirect_uris = vec![uri(redirect)];
            })
        };
        for good in [
            "http://localhost/cb",
            "http://localhost:8080/cb",
            "http://127.0.0.1:51004/cb",
            "http://[::1]/cb",
            "com.example.app:/oauth2redirect",
            "https://app.example.com/cb",
        ] {
            assert_eq!(native(good), [], "{good}");
        }
        for bad in [
            "http://a.example/cb",
            "http://192.168.1.2/cb",
            "http://127.0.0.2/cb",
        ] {
            assert_eq!(
                native(bad),
                [P::NativeHttpRedirectUriNotLoopback { uri: uri(bad) }]
            );
        }
    }

    #[test]
    fn redirect_uris_are_needed_for_redirect_based_grants() {
        assert_eq!(
            with(|m| m.redirect_uris.clear()),
            [P::RedirectUrisMissing {
                grant_type: GrantType::AuthorizationCode
            }]
        );
        assert_eq!(
            with(|m| {
                m.redirect_uris.clear();
                m.response_types = Some(Vec::new());
                m.grant_types = Some(vec![GrantType::ClientCredentials]);
            }),
            []
        );
    }

    #[test]
    fn jwks_and_jwks_uri_are_exclusive() {
        assert_eq!(
            with(|m| {
                m.jwks = Some(public_jwks());
                m.jwks_uri = Some(uri("https://client.example.org/jwks"));
            }),
            [P::JwksAndJwksUri]
        );
        assert_eq!(with(|m| m.jwks = Some(public_jwks())), []);
    }

    #[test]
    fn private_and_symmetric_keys_are_reported() {
        let keys: JWKSet<Empty> = serde_json::from_value(json!({"keys": [
            {"kty": "oct", "k": "c2VjcmV0"},
            {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AQAB", "y": "AQAB", "d": "AQAB"}
        ]}))
        .unwrap();
        assert_eq!(
            with(|m| m.jwks = Some(keys)),
            [
                P::SymmetricKeyInJwks {
                    kid: None,
                    index: 0
                },
                P::PrivateKeyInJwks {
                    kid: Some("ec".into()),
                    index: 1
                },
            ]
        );
    }

    #[test]
    fn mixed_signing_and_encryption_keys_each_need_a_use() {
        let key = |kid: &str, usage: Option<&str>| {
            let mut key = json!({"kty": "EC", "kid": kid, "crv": "P-256",
                "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
                "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"});
            if let Some(usage) = usage {
                key["use"] = json!(usage);
            }
            key
        };
        let set = |keys: Vec<serde_json::Value>| -> JWKSet<Empty> {
            serde_json::from_value(json!({ "keys": keys })).unwrap()
        };
        // Signing keys only: no `use` needed.
        assert_eq!(
            with(|m| m.jwks = Some(set(vec![key("a", None), key("b", None)]))),
            []
        );
        // Every key says what it is for.
        assert_eq!(
            with(|m| m.jwks = Some(set(vec![key("a", Some("sig")), key("b", Some("enc"))]))),
            []
        );
        // An encryption key next to a key that does not say.
        assert_eq!(
            with(|m| m.jwks = Some(set(vec![key("a", None), key("b", Some("enc"))]))),
            [P::KeyUseMissing {
                kid: Some("a".into()),
                index: 0
            }]
        );
    }

    #[test]
    fn every_enc_needs_its_alg() {
        let found = with(|m| {
            m.id_token_encrypted_response_enc = Some(JweEncryption::A128Gcm);
            m.userinfo_encrypted_response_enc = Some(JweEncryption::A128Gcm);
            m.request_object_encryption_enc = Some(JweEncryption::A128Gcm);
            m.authorization_encrypted_response_enc = Some(JweEncryption::A128Gcm);
            m.introspection_encrypted_response_enc = Some(JweEncryption::A128Gcm);
        });
        let fields: Vec<(&str, &str)> = found
            .iter()
            .map(|p| match p {
                P::EncWithoutAlg {
                    field, alg_field, ..
                } => (*field, *alg_field),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            fields,
            [
                (
                    "id_token_encrypted_response_enc",
                    "id_token_encrypted_response_alg"
                ),
                (
                    "userinfo_encrypted_response_enc",
                    "userinfo_encrypted_response_alg"
                ),
                (
                    "request_object_encryption_enc",
                    "request_object_encryption_alg"
                ),
                (
                    "authorization_encrypted_response_enc",
                    "authorization_encrypted_response_alg"
                ),
                (
                    "introspection_encrypted_response_enc",
                    "introspection_encrypted_response_alg"
                ),
            ]
        );
        assert_eq!(
            with(|m| {
                m.id_token_encrypted_response_alg = Some(JweAlgorithm::RsaOaep256);
                m.id_token_encrypted_response_enc = Some(JweEncryption::A128Gcm);
                m.userinfo_encrypted_response_alg = Some(JweAlgorithm::RsaOaep256);
            }),
            []
        );
    }

    #[test]
    fn grant_types_must_cover_response_types() {
        assert_eq!(
            with(|m| m.response_types = Some(vec![ResponseType::from("code id_token")])),
            [P::ResponseTypeNeedsGrantType {
                response_type: ResponseType::from("code id_token"),
                grant_type: GrantType::Implicit,
            }]
        );
        assert_eq!(
            with(|m| {
                m.response_types = Some(vec![ResponseType::from("token")]);
                m.grant_types = Some(vec![GrantType::AuthorizationCode]);
            }),
            [P::ResponseTypeNeedsGrantType {
                response_type: ResponseType::from("token"),
                grant_type: GrantType::Implicit,
            }]
        );
        assert_eq!(
            with(|m| m.grant_types = Some(vec![GrantType::Implicit])),
            [P::ResponseTypeNeedsGrantType {
                response_type: ResponseType::code(),
                grant_type: GrantType::AuthorizationCode,
            }]
        );
        assert_eq!(
            with(|m| {
                m.response_types = Some(vec![ResponseType::from("code id_token token")]);
                m.grant_types = Some(vec![GrantType::AuthorizationCode, GrantType::Implicit]);
            }),
            []
        );
    }

    #[test]
    fn token_endpoint_auth_signing_alg_is_never_none() {
        assert_eq!(
            with(|m| m.token_endpoint_auth_signing_alg = Some(JwsAlgorithm::None)),
            [P::NoneTokenEndpointAuthSigningAlg]
        );
        assert_eq!(
            with(|m| m.token_endpoint_auth_signing_alg = Some(JwsAlgorithm::Es256)),
            []
        );
    }

    #[test]
    fn unsigned_id_tokens_only_from_the_token_endpoint() {
        assert_eq!(
            with(|m| m.id_token_signed_response_alg = Some(JwsAlgorithm::None)),
            []
        );
        assert_eq!(
            with(|m| {
                m.id_token_signed_response_alg = Some(JwsAlgorithm::None);
                m.response_types = Some(vec![ResponseType::from("code id_token")]);
                m.grant_types = Some(vec![GrantType::AuthorizationCode, GrantType::Implicit]);
            }),
            [P::UnsignedIdTokenFromAuthorizationEndpoint {
                response_type: ResponseType::from("code id_token"),
            }]
        );
    }

    #[test]
    fn language_tags_must_be_well_formed() {
        let found = with(|m| {
            m.client_name = Localized::new("A")
                .with_tagged("ja_JP", "B")
                .with_tagged("ja-JP", "C");
            m.tos_uri = Localized::default().with_tagged("", "https://a.example/tos");
            m.logo_uri = Localized::default().with_tagged("de-CH-1996", "https://a.example/l.png");
        });
        assert_eq!(
            found,
            [
                P::MalformedLanguageTag {
                    field: "client_name",
                    tag: LanguageTag::new("ja_JP")
                },
                P::MalformedLanguageTag {
                    field: "tos_uri",
                    tag: LanguageTag::new("")
                },
            ]
        );
    }

    #[test]
    fn key_based_auth_methods_need_keys() {
        for method in [
            ClientAuthMethod::PrivateKeyJwt,
            ClientAuthMethod::SelfSignedTlsClientAuth,
        ] {
            assert_eq!(
                with(|m| m.token_endpoint_auth_method = method.clone()),
                [P::MissingKeysForAuthMethod {
                    method: method.clone()
                }]
            );
            assert_eq!(
                with(|m| {
                    m.token_endpoint_auth_method = method.clone();
                    m.jwks_uri = Some(uri("https://client.example.org/jwks"));
                }),
                []
            );
        }
    }

    #[test]
    fn tls_client_auth_needs_exactly_one_subject() {
        let tls =
            |m: &mut ClientMetadata| m.token_endpoint_auth_method = ClientAuthMethod::TlsClientAuth;
        assert_eq!(with(tls), [P::TlsClientAuthSubjectMissing]);
        assert_eq!(
            with(|m| {
                tls(m);
                m.tls_client_auth_subject_dn = Some("CN=a".into());
                m.tls_client_auth_san_ip = Some("192.0.2.1".into());
            }),
            [P::TlsClientAuthSubjectAmbiguous {
                fields: vec!["tls_client_auth_subject_dn", "tls_client_auth_san_ip"],
            }]
        );
        assert_eq!(
            with(|m| {
                tls(m);
                m.tls_client_auth_san_dns = Some("client.example.org".into());
            }),
            []
        );
    }

    #[test]
    fn some_uris_must_be_https() {
        let found = with(|m| {
            m.jwks_uri = Some(uri("http://a.example/jwks"));
            m.sector_identifier_uri = Some(uri("http://a.example/sector"));
            m.initiate_login_uri = Some(uri("ftp://a.example/login"));
            m.backchannel_client_notification_endpoint = Some(uri("::"));
        });
        let fields: Vec<&str> = found
            .iter()
            .map(|p| match p {
                P::UriNotHttps { field, .. } | P::MalformedUri { field, .. } => *field,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            fields,
            [
                "jwks_uri",
                "sector_identifier_uri",
                "initiate_login_uri",
                "backchannel_client_notification_endpoint"
            ]
        );
        assert!(matches!(found[3], P::MalformedUri { .. }));
        assert_eq!(
            with(|m| {
                m.jwks_uri = Some(uri("https://a.example/jwks"));
                m.sector_identifier_uri = Some(uri("https://a.example/sector"));
                m.initiate_login_uri = Some(uri("https://a.example/login"));
                m.backchannel_client_notification_endpoint = Some(uri("https://a.example/n"));
            }),
            []
        );
    }

    #[test]
    fn pairwise_subjects_over_several_hosts_need_a_sector_identifier() {
        let pairwise = |m: &mut ClientMetadata| {
            m.subject_type = Some(SubjectType::Pairwise);
            m.redirect_uris = vec![uri("https://a.example/cb"), uri("https://b.example/cb")];
        };
        assert_eq!(
            with(pairwise),
            [P::SectorIdentifierUriRequired {
                hosts: vec!["a.example".into(), "b.example".into()]
            }]
        );
        assert_eq!(
            with(|m| {
                pairwise(m);
                m.sector_identifier_uri = Some(uri("https://a.example/sector.json"));
            }),
            []
        );
        assert_eq!(with(|m| m.subject_type = Some(SubjectType::Pairwise)), []);
    }

    #[test]
    fn logout_uris_carry_no_fragment() {
        assert_eq!(
            with(|m| {
                m.frontchannel_logout_uri = Some(uri("https://a.example/fc#x"));
                m.backchannel_logout_uri = Some(uri("https://a.example/bc#"));
            }),
            [
                P::LogoutUriHasFragment {
                    field: "frontchannel_logout_uri",
                    uri: uri("https://a.example/fc#x")
                },
                P::LogoutUriHasFragment {
                    field: "backchannel_logout_uri",
                    uri: uri("https://a.example/bc#")
                },
            ]
        );
        assert_eq!(
            with(|m| {
                m.frontchannel_logout_uri = Some(uri("https://a.example/fc?x=1"));
                m.backchannel_logout_uri = Some(uri("https://a.example/bc"));
            }),
            []
        );
    }

    #[test]
    fn other_uri_members_must_parse() {
        let found = with(|m| {
            m.logo_uri = Localized::new("https://a.example/l.png").with_tagged("fr", "logo.png");
            m.post_logout_redirect_uris = Some(vec![uri("bye")]);
            m.request_uris = Some(vec![uri("https://a.example/r#hash"), uri("")]);
        });
        let fields: Vec<&str> = found
            .iter()
            .map(|p| match p {
                P::MalformedUri { field, .. } => *field,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            fields,
            ["post_logout_redirect_uris", "request_uris", "logo_uri"]
        );
    }

    #[test]
    fn ciba_ping_and_push_need_a_notification_endpoint() {
        for mode in [
            BackchannelTokenDeliveryMode::Ping,
            BackchannelTokenDeliveryMode::Push,
        ] {
            assert_eq!(
                with(|m| m.backchannel_token_delivery_mode = Some(mode.clone())),
                [P::CibaNotificationEndpointMissing { mode: mode.clone() }]
            );
            assert_eq!(
                with(|m| {
                    m.backchannel_token_delivery_mode = Some(mode.clone());
                    m.backchannel_client_notification_endpoint = Some(uri("https://a.example/n"));
                }),
                []
            );
        }
        assert_eq!(
            with(|m| m.backchannel_token_delivery_mode = Some(BackchannelTokenDeliveryMode::Poll)),
            []
        );
    }

    #[test]
    fn extra_fields_must_not_shadow_members() {
        assert_eq!(
            with(|m| {
                m.extra_fields.insert("client_name#en".into(), json!("x"));
                m.extra_fields.insert("client_secret".into(), json!("x"));
                m.extra_fields.insert("x_custom".into(), json!("x"));
            }),
            [
                P::ExtraFieldShadowsMember {
                    key: "client_name#en".into()
                },
                P::ExtraFieldIsResponseMember {
                    key: "client_secret".into()
                },
            ]
        );
    }

    #[test]
    fn every_problem_is_reported_in_one_call() {
        let mut m = ClientMetadata::new(["https://a.example/cb#f", "http://b.example/cb"]);
        m.application_type = ApplicationType::Native;
        m.token_endpoint_auth_method = ClientAuthMethod::PrivateKeyJwt;
        m.token_endpoint_auth_signing_alg = Some(JwsAlgorithm::None);
        m.userinfo_encrypted_response_enc = Some(JweEncryption::A256Gcm);
        m.client_name = Localized::new("X").with_tagged("en_US", "X");
        m.backchannel_token_delivery_mode = Some(BackchannelTokenDeliveryMode::Push);
        let errors = m.validate().unwrap_err();
        assert_eq!(errors.problems().len(), 7, "{errors}");
        assert!(errors
            .to_string()
            .starts_with("client metadata is invalid: 7 problem(s): "));
        assert_eq!(errors.to_string().matches("; ").count(), 6);
    }

    #[test]
    fn messages_are_lower_case_and_name_field_and_value() {
        let cases = [
            (P::RedirectUriHasFragment { uri: uri("https://a/#x") }, "redirect_uris: \"https://a/#x\" has a fragment"),
            (P::JwksAndJwksUri, "jwks: set together with jwks_uri; use only one"),
            (P::PrivateKeyInJwks { kid: Some("k".into()), index: 2 }, "jwks: key \"k\" holds private key material"),
            (
                P::EncWithoutAlg { field: "userinfo_encrypted_response_enc", alg_field: "userinfo_encrypted_response_alg", enc: JweEncryption::A128Gcm },
                "userinfo_encrypted_response_enc: \"A128GCM\" is set without userinfo_encrypted_response_alg",
            ),
            (P::GrantTypeNotSupported { grant_type: GrantType::Password }, "grant_types: \"password\" is not supported by the provider"),
        ];
        for (problem, text) in cases {
            assert_eq!(problem.to_string(), text);
        }
        let all = [
            P::MalformedUri {
                field: "redirect_uris",
                uri: uri("x"),
                reason: "r".into(),
            },
            P::NoneTokenEndpointAuthSigningAlg,
            P::TlsClientAuthSubjectMissing,
            P::BackchannelLogoutNotSupported,
            P::FrontchannelLogoutNotSupported,
            P::RequestUrisNotSupported,
        ];
        for problem in all {
            let text = problem.to_string();
            assert!(!text.ends_with('.'), "{text}");
            assert!(text.starts_with(|c: char| c.is_ascii_lowercase()), "{text}");
        }
    }
}
