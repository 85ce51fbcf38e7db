//! Properties of the lossless model, for any JSON object a provider might echo:
//!
//! - an update that changes nothing sends back exactly the echoed object, less the response
//!   members RFC 7592 §2.2 forbids;
//! - an update that changes one member changes that member's entries and nothing else;
//! - writing metadata out and reading it back is the identity, for client metadata and for
//!   provider metadata.

use oidc_types::{
    ClientMetadata, ParseOptions, ProviderMetadata, RegisteredClient, RegistrationResponse,
};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Member names a provider might echo: registered members (plain and tagged), response
/// members, and vendor members.
fn member_name() -> impl Strategy<Value = String> {
    let known = proptest::sample::select(ClientMetadata::MEMBER_NAMES.to_vec());
    prop_oneof![
        4 => known.prop_map(str::to_owned),
        1 => proptest::sample::select(ClientMetadata::RESPONSE_ONLY_MEMBERS.to_vec())
            .prop_map(str::to_owned),
        1 => (proptest::sample::select(vec!["client_name", "logo_uri", "tos_uri", "scope"]),
              proptest::sample::select(vec!["fr", "ja-Jpan-JP", "EN", "", "x y"]))
            .prop_map(|(base, tag)| format!("{base}#{tag}")),
        1 => "[a-z_]{1,12}".prop_map(|name| format!("x_{name}")),
    ]
}

/// JSON values of every type, biased towards the shapes metadata members have.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        "[a-z:/._ -]{0,16}".prop_map(Value::from),
        proptest::sample::select(vec!["web", "native", "none", "RS256", "code", "pairwise"])
            .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec("[a-z:/._-]{0,12}".prop_map(Value::from), 0..4)
                .prop_map(Value::Array),
            proptest::collection::btree_map("[a-z_]{1,6}", inner, 0..3)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

fn echoed_object() -> impl Strategy<Value = Map<String, Value>> {
    proptest::collection::vec((member_name(), json_value()), 0..12)
        .prop_map(|entries| entries.into_iter().collect())
}

/// A registered client holding `echoed` as the provider's answer.
fn client_echoing(echoed: &Map<String, Value>) -> RegisteredClient {
    let mut answer = echoed.clone();
    answer.insert("client_id".into(), "c-1".into());
    let response = RegistrationResponse::from_json_object(answer).expect("a client id");
    RegisteredClient::from_registration("https://op.example", &ClientMetadata::default(), response)
}

fn without_response_members(object: &Map<String, Value>) -> Map<String, Value> {
    object
        .iter()
        .filter(|(name, _)| !ClientMetadata::RESPONSE_ONLY_MEMBERS.contains(&name.as_str()))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
}

fn echoes_metadata(object: &Map<String, Value>) -> bool {
    object.keys().any(|name| {
        let base = name.split_once('#').map_or(name.as_str(), |(base, _)| base);
        ClientMetadata::MEMBER_NAMES.contains(&base)
            && (!name.contains('#')
                || [
                    "client_name",
                    "logo_uri",
                    "client_uri",
                    "policy_uri",
                    "tos_uri",
                ]
                .contains(&base))
    })
}

/// A provider configuration document: an issuer, then members of discovery and RFC 8414
/// (known, of any type) and vendor members.
fn provider_document() -> impl Strategy<Value = Map<String, Value>> {
    let name = prop_oneof![
        4 => proptest::sample::select(vec![
            "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri",
            "registration_endpoint", "scopes_supported", "response_types_supported",
            "grant_types_supported", "subject_types_supported",
            "id_token_signing_alg_values_supported", "token_endpoint_auth_methods_supported",
            "claims_parameter_supported", "request_uri_parameter_supported",
            "require_request_uri_registration", "mtls_endpoint_aliases", "end_session_endpoint",
            "code_challenge_methods_supported", "signed_metadata", "ui_locales_supported",
        ])
        .prop_map(str::to_owned),
        1 => "[a-z_]{1,12}".prop_map(|name| format!("x_{name}")),
    ];
    (
        prop_oneof![
            Just("https://op.example".to_owned()),
            "https://[a-z]{1,8}(/[a-z]{1,4})?"
        ],
        proptest::collection::vec((name, json_value()), 0..12),
    )
        .prop_map(|(issuer, members)| {
            let mut document: Map<String, Value> = members.into_iter().collect();
            document.insert("issuer".into(), issuer.into());
            document
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn an_update_that_changes_nothing_sends_back_the_echoed_object(echoed in echoed_object()) {
        prop_assume!(echoes_metadata(&echoed));
        let client = client_echoing(&echoed);
        let sent = client.changed_metadata_object(|_| {}).unwrap();
        prop_assert_eq!(sent, without_response_members(&echoed));
    }

    #[test]
    fn an_update_changes_only_the_member_it_touches(
        echoed in echoed_object(),
        name in "[A-Za-z ]{1,12}",
    ) {
        prop_assume!(echoes_metadata(&echoed));
        let client = client_echoing(&echoed);
        let sent = client
            .changed_metadata_object(|metadata| metadata.client_name.set_value(name.as_str()))
            .unwrap();
        let mut expected = without_response_members(&echoed);
        expected.insert("client_name".into(), Value::from(name.as_str()));
        prop_assert_eq!(sent, expected);
    }

    #[test]
    fn writing_then_reading_metadata_is_the_identity(echoed in echoed_object()) {
        let (metadata, _problems) = ClientMetadata::from_json_object(&echoed);
        let json = metadata.to_json_vec().unwrap();
        let strict: ClientMetadata = serde_json::from_slice(&json).unwrap();
        prop_assert_eq!(&strict, &metadata);
        let (lenient, problems) =
            ClientMetadata::from_json_object(&serde_json::from_slice(&json).unwrap());
        prop_assert!(problems.is_empty(), "{:?}", problems);
        prop_assert_eq!(lenient, metadata);
    }

    #[test]
    fn writing_then_reading_provider_metadata_is_the_identity(document in provider_document()) {
        let body = serde_json::to_vec(&document).unwrap();
        let tolerant = ParseOptions::default().with_tolerate_malformed_values(true);
        for options in [ParseOptions::default(), tolerant] {
            let Ok(metadata) = ProviderMetadata::from_json_with(&body, &options) else {
                continue;
            };
            let written = serde_json::to_vec(&metadata).unwrap();
            prop_assert_eq!(ProviderMetadata::from_json(&written).unwrap(), metadata);
        }
    }
}
