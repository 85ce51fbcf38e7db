//! [`ManagedError`]: what can go wrong when registering or managing through a store.

use std::time::Duration;

use oidc_registration::{RegistrationError, RegistrationErrorKind};
use oidc_types::RegisteredClient;

use crate::store::{StoreError, StoreKey};

/// A store-backed call ([`ensure_registered`](crate::ensure_registered),
/// [`read_stored`](crate::read_stored), …) that failed. The message names the key; the cause
/// is the [`kind`](Self::kind) (also `source()`).
///
/// Whatever the kind, no credential the provider issued is dropped: either the store holds it,
/// or the error does ([`unstored_client`](Self::unstored_client)).
#[derive(Debug, thiserror::Error)]
#[error("registration {key} could not be {action}")]
pub struct ManagedError {
    key: StoreKey,
    action: &'static str,
    #[source]
    kind: ManagedErrorKind,
}

/// Why a store-backed call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ManagedErrorKind {
    /// The store failed before the provider was called: nothing changed anywhere.
    #[error("the store failed before the provider was called")]
    Store(#[source] StoreError),
    /// No registration is stored under the key.
    #[error("no registration is stored under this key")]
    NotStored,
    /// Another caller held the key's lease for longer than
    /// [`StoreOptions::lease_wait`](crate::StoreOptions::lease_wait).
    #[error("another caller held the lease for more than {waited:?}")]
    LeaseTimeout {
        /// How long this call waited.
        waited: Duration,
    },
    /// The provider's metadata is for another issuer than the key's.
    #[error("the provider's issuer {provider_issuer} is not the key's")]
    WrongProvider {
        /// The issuer of the provider metadata passed in.
        provider_issuer: String,
    },
    /// The provider call failed or was refused, and the stored registration stays as it was
    /// (see [`StoredRegistration::unconfirmed_call`](crate::StoredRegistration::unconfirmed_call)
    /// for a call the provider may have acted on).
    #[error("the provider call failed")]
    Registration(#[source] RegistrationError),
    /// The provider no longer knows the client: with the stored, confirmed credentials, its
    /// configuration endpoint answered that the token is invalid (`401`, or `invalid_token` with
    /// any status) or `404` (RFC 7592 §2.1 answers 401 for a client that does not exist).
    /// [`ensure_registered`](crate::ensure_registered) with
    /// [`verify_stored`](crate::StoreOptions::verify_stored) registers anew in this case.
    #[error("the provider no longer knows client {client_id}")]
    Gone {
        /// The client id that is gone.
        client_id: String,
        /// The provider's answer.
        #[source]
        source: RegistrationError,
    },
    /// The provider rejected the stored token after an earlier call with it was sent and never
    /// confirmed (a process died mid-call, or the answer was lost): the provider most likely
    /// rotated the token in that call. The registration still exists, so this is **not**
    /// treated as gone and nothing is registered anew; an operator has to issue a new token
    /// (or delete the client) at the provider.
    #[error("the stored token of client {client_id} was rejected after a call whose answer was lost; it was probably rotated")]
    CredentialsLost {
        /// The client whose token is lost.
        client_id: String,
        /// The provider's answer.
        #[source]
        source: RegistrationError,
    },
    /// The provider acted (registered, or rotated credentials) but the store could not take
    /// the result: this error holds the only copy of the current credentials. Store them with
    /// [`store_again`](crate::store_again) once the store is back.
    #[error(
        "the provider acted but its answer could not be stored; the error holds the credentials"
    )]
    Unstored {
        /// The registration as the provider last answered, secrets included.
        client: Box<RegisteredClient>,
        /// Why the store write failed.
        #[source]
        source: StoreError,
    },
    /// A client was registered, but another caller stored a registration under the key first
    /// (its lease had run out): the key keeps that one. The new client is held here, so it can
    /// be deleted at the provider or kept elsewhere.
    #[error("registered client {}, but another registration was stored under this key first", client.client_id)]
    KeyTaken {
        /// The client this call registered, secrets included.
        client: Box<RegisteredClient>,
    },
}

impl ManagedError {
    pub(crate) fn new(key: &StoreKey, action: &'static str, kind: ManagedErrorKind) -> Self {
        Self {
            key: key.clone(),
            action,
            kind,
        }
    }

    pub(crate) fn lease_timeout(key: &StoreKey, waited: Duration) -> Self {
        Self::new(key, "leased", ManagedErrorKind::LeaseTimeout { waited })
    }

    /// The key of the registration.
    pub fn key(&self) -> &StoreKey {
        &self.key
    }

    /// Why it failed.
    pub fn kind(&self) -> &ManagedErrorKind {
        &self.kind
    }

    /// The kind, by value.
    pub fn into_kind(self) -> ManagedErrorKind {
        self.kind
    }

    /// The registration this error holds because the store could not take it
    /// ([`ManagedErrorKind::Unstored`], [`ManagedErrorKind::KeyTaken`]).
    pub fn unstored_client(&self) -> Option<&RegisteredClient> {
        match &self.kind {
            ManagedErrorKind::Unstored { client, .. } | ManagedErrorKind::KeyTaken { client } => {
                Some(client)
            }
            _ => None,
        }
    }

    /// The provider's error, when the provider answered or the exchange with it failed.
    pub fn registration_error(&self) -> Option<&RegistrationError> {
        match &self.kind {
            ManagedErrorKind::Registration(source)
            | ManagedErrorKind::Gone { source, .. }
            | ManagedErrorKind::CredentialsLost { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<StoreError> for ManagedErrorKind {
    fn from(error: StoreError) -> Self {
        ManagedErrorKind::Store(error)
    }
}

/// Whether `error` says the client is gone at the provider (when the token was current): a
/// rejected token or a 404 from the configuration endpoint. See [`ManagedErrorKind::Gone`].
pub(crate) fn says_gone(error: &RegistrationError) -> bool {
    matches!(
        error.kind(),
        RegistrationErrorKind::TokenRejected { .. } | RegistrationErrorKind::ClientNotFound { .. }
    )
}

/// Whether the provider may have acted on a call that failed with `error`: it answered with a
/// success status that could not be used, or the exchange broke after the request may have
/// arrived (a timeout, a connection closed mid-answer). A refusal with an error status, or a
/// request that never left (no connection, TLS failure, an unusable URL), is not.
pub(crate) fn provider_may_have_acted(error: &RegistrationError) -> bool {
    use oidc_http::HttpErrorKind;
    match error.kind() {
        RegistrationErrorKind::InvalidResponse { .. }
        | RegistrationErrorKind::ClientIdChanged(_) => true,
        RegistrationErrorKind::Http(http) => matches!(
            http.kind(),
            HttpErrorKind::Timeout
                | HttpErrorKind::BodyTooLarge
                | HttpErrorKind::Protocol
                | HttpErrorKind::Other
        ),
        _ => false,
    }
}
