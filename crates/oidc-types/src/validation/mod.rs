//! The rules client metadata must follow, checked by [`ClientMetadata::validate`] and
//! [`ClientMetadata::validate_for`].

use std::fmt;

#[cfg(doc)]
use crate::client_metadata::ClientMetadata;
use crate::language::LanguageTag;
use crate::values::{
    BackchannelTokenDeliveryMode, ClientAuthMethod, ClientRegistrationType, GrantType,
    JweAlgorithm, JweEncryption, JwsAlgorithm, ResponseType, SubjectType,
};

mod metadata;
mod provider;
#[cfg(test)]
mod tests;
mod uri;

pub(crate) use metadata::{check, key_material_problems};
pub(crate) use provider::check_against_provider;

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
