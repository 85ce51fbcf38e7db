//! Choosing how to get a client at an authorization server, in the order the MCP authorization
//! spec gives: a pre-registered client, a Client ID Metadata Document, dynamic registration,
//! and otherwise a person.

use oidc_types::{CodeChallengeMethod, ProviderMetadata, RegistrationResponse};

use crate::{register, RegisterOptions, RegistrationError};

/// What the caller has to offer for a client at one authorization server. Credentials are per
/// authorization server: a client id from one is never offered to another.
///
/// ```
/// use oidc_registration::ClientCandidates;
/// use oidc_types::ClientMetadata;
///
/// let candidates = ClientCandidates::default()
///     .with_metadata_document("https://app.example/oauth/client.json")
///     .with_metadata(ClientMetadata::native_public(["http://127.0.0.1:33418/callback"]));
/// # drop(candidates);
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ClientCandidates {
    /// A `client_id` this authorization server already issued to the caller (registered by
    /// hand, or earlier and kept).
    pub pre_registered: Option<String>,
    /// The https URL of the caller's hosted Client ID Metadata Document, used as the
    /// `client_id` where the server supports it.
    pub metadata_document: Option<String>,
    /// Metadata to register dynamically (RFC 7591) where the server offers it.
    pub metadata: Option<oidc_types::ClientMetadata>,
    /// Accepts a server that does not advertise PKCE `S256` in
    /// `code_challenge_methods_supported` (default `false`): the MCP authorization spec makes
    /// clients refuse such a server, since a public client has nothing else protecting its
    /// authorization code.
    pub allow_without_pkce: bool,
}

impl ClientCandidates {
    /// Offers a pre-registered `client_id`.
    pub fn with_pre_registered(mut self, client_id: impl Into<String>) -> Self {
        self.pre_registered = Some(client_id.into());
        self
    }

    /// Offers a hosted Client ID Metadata Document at `url`.
    pub fn with_metadata_document(mut self, url: impl Into<String>) -> Self {
        self.metadata_document = Some(url.into());
        self
    }

    /// Offers metadata for dynamic registration.
    pub fn with_metadata(mut self, metadata: oidc_types::ClientMetadata) -> Self {
        self.metadata = Some(metadata);
        self
    }

    /// Accepts a server that does not advertise PKCE `S256` (not for MCP clients).
    pub fn with_allow_without_pkce(mut self, allow: bool) -> Self {
        self.allow_without_pkce = allow;
        self
    }
}

/// How to get a client at one authorization server, as [`choose_client_strategy`] decides.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientStrategy {
    /// Use the pre-registered `client_id`.
    PreRegistered {
        /// The client id.
        client_id: String,
    },
    /// Use the hosted metadata document's URL as the `client_id`: the server said
    /// `client_id_metadata_document_supported`.
    MetadataDocument {
        /// The document's URL.
        client_id: String,
    },
    /// Register the metadata at the server's `registration_endpoint` (RFC 7591).
    DynamicRegistration {
        /// The registration endpoint.
        registration_endpoint: String,
    },
    /// None of the above works: a person must register a client (or the caller must offer
    /// something else).
    NeedsHuman {
        /// Why, for the person.
        reason: String,
    },
}

/// Picks how to get a client at the authorization server `server`, in the order of the MCP
/// authorization spec: the pre-registered client if there is one; else the metadata document
/// when the server has `client_id_metadata_document_supported: true`; else dynamic
/// registration when the server has a `registration_endpoint` and metadata was offered; else
/// [`ClientStrategy::NeedsHuman`] saying why. A server without PKCE `S256` in
/// `code_challenge_methods_supported` is refused up front (unless
/// [`ClientCandidates::allow_without_pkce`]) as `NeedsHuman` too. Sends nothing.
///
/// ```
/// use oidc_registration::{choose_client_strategy, ClientCandidates, ClientStrategy};
/// use oidc_types::{ClientMetadata, CodeChallengeMethod, ProviderMetadata};
///
/// let mut server = ProviderMetadata::new("https://as.example");
/// server.code_challenge_methods_supported = Some(vec![CodeChallengeMethod::S256]);
/// server.registration_endpoint = Some("https://as.example/register".into());
/// let candidates = ClientCandidates::default()
///     .with_metadata_document("https://app.example/client.json")
///     .with_metadata(ClientMetadata::native_public(["http://127.0.0.1:33418/cb"]));
///
/// // No metadata document support advertised: dynamic registration.
/// assert!(matches!(
///     choose_client_strategy(&server, &candidates),
///     ClientStrategy::DynamicRegistration { .. }
/// ));
/// server.client_id_metadata_document_supported = Some(true);
/// assert_eq!(
///     choose_client_strategy(&server, &candidates),
///     ClientStrategy::MetadataDocument { client_id: "https://app.example/client.json".into() }
/// );
/// ```
pub fn choose_client_strategy(
    server: &ProviderMetadata,
    candidates: &ClientCandidates,
) -> ClientStrategy {
    let pkce = server
        .code_challenge_methods_supported
        .as_deref()
        .is_some_and(|methods| methods.contains(&CodeChallengeMethod::S256));
    if !pkce && !candidates.allow_without_pkce {
        return ClientStrategy::NeedsHuman {
            reason: format!(
                "{} does not advertise PKCE S256 (code_challenge_methods_supported), which an \
                 MCP client requires",
                server.issuer
            ),
        };
    }
    if let Some(client_id) = &candidates.pre_registered {
        return ClientStrategy::PreRegistered {
            client_id: client_id.clone(),
        };
    }
    if let Some(url) = &candidates.metadata_document {
        if server.client_id_metadata_document_supported() {
            return ClientStrategy::MetadataDocument {
                client_id: url.clone(),
            };
        }
    }
    match (&server.registration_endpoint, &candidates.metadata) {
        (Some(endpoint), Some(_)) => ClientStrategy::DynamicRegistration {
            registration_endpoint: endpoint.clone(),
        },
        (endpoint, metadata) => {
            let mut missing = Vec::new();
            if candidates.metadata_document.is_some() {
                missing.push("the server does not support Client ID Metadata Documents");
            }
            if endpoint.is_none() {
                missing.push("the server offers no dynamic registration");
            } else if metadata.is_none() {
                missing.push("no metadata was given to register");
            }
            if candidates.metadata_document.is_none() && metadata.is_none() {
                missing.push("no pre-registered client or metadata document was given");
            }
            ClientStrategy::NeedsHuman {
                reason: format!(
                    "register a client with {} by hand: {}",
                    server.issuer,
                    missing.join("; ")
                ),
            }
        }
    }
}

/// A client got by [`obtain_client`].
#[derive(Debug)]
#[non_exhaustive]
pub enum ObtainedClient {
    /// The pre-registered client id, unchanged.
    PreRegistered {
        /// The client id.
        client_id: String,
    },
    /// The metadata document's URL, to be used as the client id.
    MetadataDocument {
        /// The client id.
        client_id: String,
    },
    /// A new registration (keep it: it holds the credentials, see
    /// [`RegisteredClient`](oidc_types::RegisteredClient)).
    Registered(Box<RegistrationResponse>),
    /// Nothing could be done automatically.
    NeedsHuman {
        /// Why.
        reason: String,
    },
}

impl ObtainedClient {
    /// The client id to use, unless a person must act.
    pub fn client_id(&self) -> Option<&str> {
        match self {
            Self::PreRegistered { client_id } | Self::MetadataDocument { client_id } => {
                Some(client_id)
            }
            Self::Registered(response) => Some(&response.client_id),
            Self::NeedsHuman { .. } => None,
        }
    }
}

/// [`choose_client_strategy`], then what it chose: for
/// [`ClientStrategy::DynamicRegistration`], [`register`] the offered metadata with `options`.
/// The one call an MCP client needs once it has the authorization server's metadata.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use oidc_discovery::{load_configuration, DiscoveryOptions, WellKnown};
/// use oidc_registration::{obtain_client, ClientCandidates, ObtainedClient, RegisterOptions};
/// use oidc_types::ClientMetadata;
///
/// # let op = oidc_test_provider::TestProvider::start().await;
/// # let issuer = op.issuer();
/// let options = DiscoveryOptions::default().with_well_known(WellKnown::McpOrder);
/// let server = load_configuration(&issuer, &options).await?.metadata;
/// let candidates = ClientCandidates::default()
///     .with_metadata(ClientMetadata::native_public(["http://127.0.0.1:33418/callback"]));
/// let client = obtain_client(&server, &candidates, &RegisterOptions::default()).await?;
/// assert!(matches!(client, ObtainedClient::Registered(_)));
/// println!("client_id = {:?}", client.client_id());
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// Those of [`register`], only when registration was chosen.
pub async fn obtain_client(
    server: &ProviderMetadata,
    candidates: &ClientCandidates,
    options: &RegisterOptions,
) -> Result<ObtainedClient, RegistrationError> {
    Ok(match choose_client_strategy(server, candidates) {
        ClientStrategy::PreRegistered { client_id } => ObtainedClient::PreRegistered { client_id },
        ClientStrategy::MetadataDocument { client_id } => {
            ObtainedClient::MetadataDocument { client_id }
        }
        ClientStrategy::DynamicRegistration { .. } => match &candidates.metadata {
            Some(metadata) => {
                ObtainedClient::Registered(Box::new(register(server, metadata, options).await?))
            }
            None => ObtainedClient::NeedsHuman {
                reason: "no metadata was given to register".to_owned(),
            },
        },
        ClientStrategy::NeedsHuman { reason } => ObtainedClient::NeedsHuman { reason },
    })
}

#[cfg(test)]
mod tests {
    use oidc_types::ClientMetadata;

    use super::*;

    fn server(pkce: bool, document: bool, registration: bool) -> ProviderMetadata {
        let mut server = ProviderMetadata::new("https://as.example");
        if pkce {
            server.code_challenge_methods_supported = Some(vec![CodeChallengeMethod::S256]);
        }
        server.client_id_metadata_document_supported = document.then_some(true);
        server.registration_endpoint = registration.then(|| "https://as.example/reg".to_owned());
        server
    }

    fn everything() -> ClientCandidates {
        ClientCandidates::default()
            .with_pre_registered("pre")
            .with_metadata_document("https://app.example/c.json")
            .with_metadata(ClientMetadata::native_public(["http://127.0.0.1/cb"]))
    }

    #[test]
    fn the_priority_is_pre_registered_document_registration_human() {
        let all = everything();
        assert_eq!(
            choose_client_strategy(&server(true, true, true), &all),
            ClientStrategy::PreRegistered {
                client_id: "pre".into()
            }
        );
        let no_pre = ClientCandidates {
            pre_registered: None,
            ..all.clone()
        };
        assert_eq!(
            choose_client_strategy(&server(true, true, true), &no_pre),
            ClientStrategy::MetadataDocument {
                client_id: "https://app.example/c.json".into()
            }
        );
        assert_eq!(
            choose_client_strategy(&server(true, false, true), &no_pre),
            ClientStrategy::DynamicRegistration {
                registration_endpoint: "https://as.example/reg".into()
            }
        );
        let ClientStrategy::NeedsHuman { reason } =
            choose_client_strategy(&server(true, false, false), &no_pre)
        else {
            panic!("expected NeedsHuman");
        };
        assert!(reason.contains("no dynamic registration"), "{reason}");
        assert!(reason.contains("Client ID Metadata Documents"), "{reason}");
        let ClientStrategy::NeedsHuman { reason } =
            choose_client_strategy(&server(true, true, true), &ClientCandidates::default())
        else {
            panic!("expected NeedsHuman");
        };
        assert!(reason.contains("no metadata was given"), "{reason}");
    }

    #[test]
    fn a_server_without_pkce_s256_is_refused_unless_allowed() {
        let ClientStrategy::NeedsHuman { reason } =
            choose_client_strategy(&server(false, true, true), &everything())
        else {
            panic!("expected NeedsHuman");
        };
        assert!(reason.contains("PKCE S256"), "{reason}");
        let allowed = everything().with_allow_without_pkce(true);
        assert!(matches!(
            choose_client_strategy(&server(false, true, true), &allowed),
            ClientStrategy::PreRegistered { .. }
        ));
    }
}
