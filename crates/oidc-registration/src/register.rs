use http::{Method, StatusCode};
use oidc_telemetry::{instrument, Operation};
use oidc_types::{
    ClientMetadata, ProviderMetadata, RegisteredClient, RegistrationResponse, ResponseProblem,
};

use crate::exchange::{build_request, client_uri_problem, read_registration, send, Endpoint};
use crate::{
    RegisterOptions, RegistrationError, RegistrationErrorKind, RegistrationOperation, Validation,
};

/// Registers a client with a provider (OIDC Dynamic Client Registration 1.0 §3, RFC 7591 §3).
///
/// POSTs `metadata` as JSON to the provider's `registration_endpoint`, with the initial access
/// token of `options` as a Bearer token if there is one, and returns the provider's answer:
/// the client id, its credentials and the metadata as registered (the provider may have
/// changed or filled in values; use the returned ones from now on).
///
/// By default [`ClientMetadata::validate`] runs first and problems are returned without
/// sending anything; see [`Validation`]. Only what `metadata` sets is sent.
///
/// Once the provider has answered with a success status, the credentials are never dropped:
/// any 2xx whose body is a JSON object with a usable `client_id` is a success, whatever its
/// content type (RFC 7591 says 201 with `application/json`; 200 is common and accepted
/// silently). Everything odd about the answer — another 2xx, another content type, a time
/// given as a fraction or a string, an echoed member of the wrong type — is listed in the
/// returned [`RegistrationResponse::problems`], one line each, for the caller to log. A 2xx
/// whose body cannot be used is an error that keeps the body
/// ([`RegistrationError::response_body`]), so a client the provider did create can still be
/// recovered. Emits `register_client` telemetry labelled with the provider's issuer.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use oidc_discovery::{load_configuration, DiscoveryOptions};
/// use oidc_registration::{register, RegisterOptions};
/// use oidc_types::{ApplicationType, ClientMetadata};
///
/// # let provider = oidc_test_provider::TestProvider::start().await;
/// # let issuer = provider.issuer();
/// let configuration = load_configuration(&issuer, &DiscoveryOptions::default()).await?;
///
/// let mut metadata = ClientMetadata::new(["http://127.0.0.1:8080/callback"]);
/// metadata.application_type = Some(ApplicationType::Native);
/// metadata.client_name.set_value("Example CLI");
///
/// let registered =
///     register(&configuration.metadata, &metadata, &RegisterOptions::default()).await?;
/// println!("client id: {}", registered.client_id);
/// assert!(registered.client_secret.is_some());
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// See [`RegistrationError`]: `NotSupported` when the provider has no registration endpoint,
/// `InvalidMetadata` from validation, `Provider` when the provider refused with an OAuth
/// error, and the transport and protocol errors.
pub async fn register(
    provider: &ProviderMetadata,
    metadata: &ClientMetadata,
    options: &RegisterOptions,
) -> Result<RegistrationResponse, RegistrationError> {
    let during = |kind| RegistrationError::new(RegistrationOperation::Register, kind);
    let Some(endpoint) = provider.registration_endpoint.as_deref() else {
        return Err(during(RegistrationErrorKind::NotSupported {
            issuer: provider.issuer.clone(),
        }));
    };
    instrument(Operation::RegisterClient, &provider.issuer, async {
        register_at(endpoint, provider, metadata, options)
            .await
            .map_err(during)
    })
    .await
    .map(|answer| *answer)
}

/// The registration itself, once there is an endpoint.
async fn register_at(
    endpoint: &str,
    provider: &ProviderMetadata,
    metadata: &ClientMetadata,
    options: &RegisterOptions,
) -> Result<Box<RegistrationResponse>, RegistrationErrorKind> {
    {
        match options.validation {
            Validation::Metadata => metadata.validate()?,
            Validation::AgainstProvider => metadata.validate_for(provider)?,
            Validation::Off => {}
        }
        let body = metadata
            .to_json_vec()
            .map_err(|source| RegistrationErrorKind::UnsendableMetadata { source })?;
        let request = build_request(
            Method::POST,
            endpoint,
            options.initial_access_token.as_ref(),
            Some(body),
        )?;
        let response = send(&options.call, request).await?;
        // RFC 7591 says 201; real servers (Gluu, Janssen) answer 200.
        // Boxed: the answer is large (about 1.6 KB), and each future it passes up through
        // would otherwise copy it once more as its output.
        let mut answer = Box::new(read_registration(
            Endpoint::Registration,
            &Method::POST,
            &response,
            &[StatusCode::CREATED, StatusCode::OK],
            None,
            &options.initial_access_token.iter().collect::<Vec<_>>(),
        )?);
        answer.registration_endpoint = Some(endpoint.to_owned());
        let home = [endpoint, provider.issuer.as_str()];
        let uri = answer.registration_client_uri.as_deref();
        if let Some(problem) =
            client_uri_problem(uri, endpoint, &home, options.call.plain_http, false)
        {
            answer.problems.push(problem);
        }
        Ok(answer)
    }
}

/// A new registration, ready to keep: the client to persist and manage, and what was odd about
/// the provider's answer (one line each, for a warning).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct NewRegistration {
    /// The registered client: credentials, the provider's metadata object, the issuer and
    /// registration endpoint it belongs to. Persist it (it serializes with its secrets) and pass
    /// it to the management calls.
    pub client: RegisteredClient,
    /// Everything odd about the answer ([`RegistrationResponse::problems`]).
    pub problems: Vec<ResponseProblem>,
}

/// [`register`], and the answer turned into the [`RegisteredClient`] to keep, in one step: no
/// glue from issuer, sent metadata and answer. Everything else is as for [`register`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use oidc_discovery::{load_configuration, DiscoveryOptions};
/// use oidc_registration::{register_client, RegisterOptions};
/// use oidc_types::ClientMetadata;
///
/// # let op = oidc_test_provider::TestProvider::start().await;
/// # let issuer = op.issuer();
/// let provider = load_configuration(&issuer, &DiscoveryOptions::default()).await?.metadata;
/// let metadata = ClientMetadata::new(["https://app.example/callback"]);
/// let registration = register_client(&provider, &metadata, &RegisterOptions::default()).await?;
/// for problem in &registration.problems {
///     eprintln!("warning: {problem}");
/// }
/// let stored = serde_json::to_vec(&registration.client)?; // keep it somewhere safe
/// # assert!(!stored.is_empty());
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// As [`register`].
pub async fn register_client(
    provider: &ProviderMetadata,
    metadata: &ClientMetadata,
    options: &RegisterOptions,
) -> Result<NewRegistration, RegistrationError> {
    let response = register(provider, metadata, options).await?;
    let problems = response.problems.clone();
    let client = RegisteredClient::from_registration(provider.issuer.clone(), metadata, response);
    Ok(NewRegistration { client, problems })
}
