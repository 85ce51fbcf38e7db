//! The rules that compare client metadata with what the provider says it supports.

use super::ValidationProblem;
use crate::client_metadata::ClientMetadata;
use crate::ProviderMetadata;

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
    let method = m.effective_token_endpoint_auth_method();
    if !provider
        .token_endpoint_auth_methods_supported()
        .contains(&method)
    {
        problems.push(ValidationProblem::AuthMethodNotSupported { method });
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
