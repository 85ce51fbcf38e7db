//! The metadata model of OpenID Connect Dynamic Client Registration and provider discovery:
//! pure data and its validation, with no I/O.
//!
//! - [`ClientMetadata`]: every field a client can register (OIDC DCR 1.0 §2, RFC 7591 §2, and the
//!   logout, mTLS, DPoP, PAR, JAR, JARM and CIBA extensions), language-tagged names, and
//!   `extra_fields` for anything else. [`ClientMetadata::validate`] reports every problem at once.
//! - [`RegistrationResponse`]: what a provider answers to a registration (RFC 7591 §3.2.1),
//!   read in two stages so that credentials are never lost to an odd answer; oddities are
//!   [`ResponseProblem`]s.
//! - [`RegisteredClient`]: a registration kept between management calls (RFC 7592), updated
//!   in place when the provider rotates its credentials, holding the provider's metadata
//!   object exactly as received so that updates change only what the caller changes.
//! - [`ErrorCategory`]: caller / refused / transport / protocol, the category every error of
//!   the workspace reports.
//! - [`ProviderMetadata`]: an OpenID Provider's configuration (OIDC Discovery §3, RFC 8414) with
//!   the spec defaults available through accessors.
//! - [`ProtectedResourceMetadata`]: what an OAuth 2.0 protected resource says about itself
//!   (RFC 9728), e.g. an MCP server naming its authorization servers.
//! - [`ClientIdMetadataDocument`]: a client whose `client_id` is the https URL of its own
//!   metadata (draft-ietf-oauth-client-id-metadata-document), checked before it is published
//!   and when someone else's is read.
//! - [`Jwk`] and [`JwkSet`]: JSON Web Keys kept exactly as received, whatever their type, with
//!   private-member detection and RFC 7638 thumbprints.
//! - [`jws`]: compact JWS verification with public JWKs, shared by software statements and
//!   `oidc-discovery`'s `signed_metadata`.
//! - [`json`]: the one reader for JSON documents from a provider, which refuses a member
//!   repeated at the top level and skips a leading byte order mark.
//! - [`Secret`]: credentials that never show in `Debug` output.
//! - [`OAuthError`]: the error object a provider answers with.
//!
//! This crate does no networking. To fetch a provider's configuration use `oidc-discovery`; to
//! register a client use `oidc-registration`.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
// Provider data must never panic library code: fallible access goes through `get`, `?` and
// iterators; the few `allow`s say which invariant makes them safe. Tests may still unwrap.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#![warn(missing_debug_implementations)]

mod client_id_document;
mod client_metadata;
mod error_category;
pub mod json;
mod jwk;
pub mod jws;
mod language;
mod oauth_error;
mod protected_resource;
mod provider_metadata;
mod registered_client;
mod registration_response;
mod secret;
mod software_statement;
mod validation;
mod values;

pub use client_id_document::{
    check_client_id_url, ClientIdMetadataDocument, ClientIdMetadataDocumentError,
};
pub use client_metadata::{ClientMetadata, FieldProblem};
pub use error_category::ErrorCategory;
pub use jwk::{Jwk, JwkError, JwkSet, RejectedKey};
pub use language::{LanguageTag, Localized};
pub use oauth_error::{OAuthError, OAuthErrorCode};
pub use protected_resource::{ProtectedResourceMetadata, ProtectedResourceMetadataError};
pub use provider_metadata::{ParseOptions, ProviderMetadata, ProviderMetadataError};
pub use registered_client::{AppliedAnswer, ClientIdMismatch, CredentialChanges, RegisteredClient};
pub use registration_response::{
    RawBody, RegistrationResponse, RegistrationResponseError, ResponseProblem,
};
pub use secret::Secret;
pub use software_statement::{
    decode_software_statement_unverified, sign_software_statement, verify_software_statement,
    SigningKey, SoftwareStatementClaims, SoftwareStatementError, VerifiedSoftwareStatement,
};
pub use validation::{ValidationErrors, ValidationProblem};
pub use values::{
    ApplicationType, BackchannelTokenDeliveryMode, ClaimType, ClientAuthMethod,
    ClientRegistrationType, CodeChallengeMethod, GrantType, JweAlgorithm, JweEncryption,
    JwsAlgorithm, ResponseMode, ResponseType, SubjectType,
};
