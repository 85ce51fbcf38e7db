//! The rules that need only the client metadata itself.

use std::net::{Ipv4Addr, Ipv6Addr};

use url::Host;

use super::uri::ParsedUri;

use super::ValidationProblem;
use crate::client_metadata::{reserved, ClientMetadata, Reserved};
use crate::language::Localized;
use crate::values::{
    ApplicationType, BackchannelTokenDeliveryMode, ClientAuthMethod, GrantType, JwsAlgorithm,
    ResponseType, SubjectType,
};
use crate::JwkSet;

/// The private and symmetric keys in `jwks`: what must never be registered or sent.
pub(crate) fn key_material_problems(jwks: &JwkSet) -> Vec<ValidationProblem> {
    let mut problems = Vec::new();
    for (index, key) in jwks.keys.iter().enumerate() {
        let kid = key.kid().map(str::to_owned);
        if key.is_symmetric() {
            problems.push(ValidationProblem::SymmetricKeyInJwks { kid, index });
        } else if key.has_private_members() {
            problems.push(ValidationProblem::PrivateKeyInJwks { kid, index });
        }
    }
    problems
}

/// Keys without `use` in a set that also holds encryption keys (OIDC DCR §2: with both
/// signing and encryption keys, `use` is required). A set without any `"use": "enc"` key is
/// taken as signing keys only, the common case, and needs no `use`.
fn key_use_problems(jwks: &JwkSet) -> Vec<ValidationProblem> {
    let has_encryption_key = jwks.keys.iter().any(|key| key.key_use() == Some("enc"));
    if !has_encryption_key {
        return Vec::new();
    }
    jwks.keys
        .iter()
        .enumerate()
        .filter(|(_, key)| key.key_use().is_none())
        .map(|(index, key)| ValidationProblem::KeyUseMissing {
            kid: key.kid().map(str::to_owned),
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
                if url.has_fragment() {
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
    if m.redirect_uris().is_empty() {
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
    // The hosts matter only for the pairwise rule below; most clients skip collecting them.
    let needs_sector_identifier =
        m.subject_type == Some(SubjectType::Pairwise) && m.sector_identifier_uri.is_none();
    let mut hosts: Vec<String> = Vec::new();
    let application_type = m.effective_application_type();
    for uri in m.redirect_uris() {
        let Some(url) = parse_uri("redirect_uris", uri, problems) else {
            continue;
        };
        if url.has_fragment() {
            problems.push(ValidationProblem::RedirectUriHasFragment { uri: uri.clone() });
        }
        if let Some(host) = url.host_str().filter(|_| needs_sector_identifier) {
            if !hosts.iter().any(|known| known == host) {
                hosts.push(host.to_owned());
            }
        }
        match &application_type {
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

    if needs_sector_identifier && hosts.len() > 1 {
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
    let method = &m.effective_token_endpoint_auth_method();
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
fn parse_uri<'a>(
    field: &'static str,
    uri: &'a str,
    problems: &mut Vec<ValidationProblem>,
) -> Option<ParsedUri<'a>> {
    match ParsedUri::parse(uri) {
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
