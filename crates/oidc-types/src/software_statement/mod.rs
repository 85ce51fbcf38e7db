//! Software statements (RFC 7591 §2.3): signed JWTs asserting metadata about client software.
//!
//! A software statement is a JWT signed (JWS) by its issuer. It must contain `iss` and should
//! contain `software_id`; its other claims are client metadata values, which the provider uses
//! in preference to the same values sent in plain JSON. A client sends the statement as the
//! `software_statement` member of its registration request.
//!
//! - [`sign_software_statement`] signs [`SoftwareStatementClaims`] with a [`SigningKey`].
//! - [`verify_software_statement`] checks a statement against the issuer's public keys (JWKs)
//!   and returns its claims.
//! - [`decode_software_statement_unverified`] reads the claims without checking anything, for
//!   display only.
//!
//! Supported algorithms: `RS256`, `RS384`, `RS512`, `PS256`, `PS384`, `PS512` (RSA keys of 2048
//! bits and more), `ES256`, `ES384` and `EdDSA` (Ed25519). Verification also takes RFC 9864's
//! `Ed25519` and is the one of [`crate::jws`]. `none` and the HMAC algorithms are refused when
//! verifying: a statement must be checkable with a public key.
//!
//! This module is private and its items are re-exported at the crate root, so the end-to-end
//! example (sign, put in `ClientMetadata::software_statement`, verify) is on
//! [`sign_software_statement`], where rustdoc shows it.

mod claims;
mod signing_key;
mod verify;

use serde_json::{Map, Value};

use crate::jws::{self, CompactJws, JwsError};

pub use claims::SoftwareStatementClaims;
pub use signing_key::SigningKey;
pub use verify::{verify_software_statement, VerifiedSoftwareStatement};

/// Why a software statement could not be signed, read or verified.
///
/// The messages never include key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SoftwareStatementError {
    /// The statement is not a well-formed compact JWS with a JSON header and claims set.
    #[error("software statement: malformed: {reason}")]
    Malformed {
        /// What is wrong.
        reason: String,
    },
    /// The algorithm is not supported here (or not acceptable for a software statement, as
    /// the HMAC algorithms are when verifying with public keys).
    #[error("software statement: unsupported algorithm {alg:?}")]
    UnsupportedAlgorithm {
        /// The algorithm name, as given.
        alg: String,
    },
    /// The statement is not signed (`"alg": "none"`).
    #[error("software statement: not signed (alg \"none\")")]
    Unsigned,
    /// A key cannot be used: not a valid private key, or a public key with unusable parameters.
    #[error("software statement: invalid key: {reason}")]
    InvalidKey {
        /// What is wrong with the key (never the key itself).
        reason: String,
    },
    /// The statement names a key ID that none of the given keys has.
    #[error("software statement: no key with kid {kid:?}")]
    UnknownKey {
        /// The `kid` of the statement's header.
        kid: String,
    },
    /// None of the given keys can verify the statement's algorithm (wrong key type or curve,
    /// or a key whose `alg`, `use` or `key_ops` says otherwise).
    #[error("software statement: no key fits the statement's algorithm")]
    NoMatchingKey,
    /// The signature does not verify with any candidate key.
    #[error("software statement: signature does not verify")]
    BadSignature,
    /// The statement has no `iss` claim (or an empty one).
    #[error("software statement: no iss claim")]
    MissingIss,
    /// The statement's `exp` is in the past.
    #[error("software statement: expired (exp {exp})")]
    Expired {
        /// The `exp` claim, in seconds since the Unix epoch.
        exp: i64,
    },
    /// The signing operation itself failed.
    #[error("software statement: signing failed: {reason}")]
    Signing {
        /// What failed.
        reason: String,
    },
}

impl From<JwsError> for SoftwareStatementError {
    fn from(error: JwsError) -> Self {
        match error {
            JwsError::Malformed { reason } => Self::Malformed { reason },
            JwsError::Unsigned => Self::Unsigned,
            JwsError::UnsupportedAlgorithm { alg } => Self::UnsupportedAlgorithm { alg },
            JwsError::UnknownKey { kid, .. } => Self::UnknownKey { kid },
            JwsError::NoMatchingKey { .. } => Self::NoMatchingKey,
            JwsError::InvalidKey { reason } => Self::InvalidKey { reason },
            JwsError::BadSignature => Self::BadSignature,
        }
    }
}

/// Signs `claims` with `key` as a compact JWS: the header is `{"alg", "typ": "JWT", "kid"}`
/// (`kid` only when the key has one), the payload [`claims.to_json_object()`](SoftwareStatementClaims::to_json_object).
///
/// Supported: `RS256`, `RS384`, `RS512`, `PS256`, `PS384`, `PS512`, `ES256`, `ES384` and
/// `EdDSA` (see
/// [`SigningKey`]). A client puts the result in
/// [`ClientMetadata::software_statement`](crate::ClientMetadata::software_statement):
///
/// ```
/// use oidc_types::{
///     sign_software_statement, verify_software_statement, ClientMetadata, Jwk, JwsAlgorithm,
///     SigningKey, SoftwareStatementClaims,
/// };
///
/// // The issuer of the software signs the statement once…
/// let key = SigningKey::rsa_from_pkcs8_der(
///     include_bytes!("../../tests/keys/rsa-2048.pk8"),
///     JwsAlgorithm::Rs256,
///     Some("rsa-2048".to_owned()),
/// )?;
/// let claims = SoftwareStatementClaims::new("https://issuer.example.com")
///     .with_software_id("4NRB1-0XZABZI9E6-5SM3R")
///     .with_claim("client_name", "Example Statement-based Client")
///     .with_claim("client_uri", "https://client.example.net/");
/// let jwt = sign_software_statement(&claims, &key)?;
///
/// // …every instance of the client sends it with its registration…
/// let mut metadata = ClientMetadata::new(["https://client.example.net/callback"]);
/// metadata.software_statement = Some(jwt.clone());
///
/// // …and the provider checks it with the issuer's public keys.
/// let public: Jwk =
///     serde_json::from_str(include_str!("../../tests/keys/rsa-2048.public.jwk.json"))?;
/// let verified = verify_software_statement(&jwt, &[public])?;
/// assert_eq!(verified.claims, claims);
/// assert_eq!(verified.alg, JwsAlgorithm::Rs256);
/// assert_eq!(verified.kid.as_deref(), Some("rsa-2048"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`MissingIss`](SoftwareStatementError::MissingIss) when `claims.iss` is empty (RFC 7591
/// requires it); [`Signing`](SoftwareStatementError::Signing) if the signature cannot be made.
pub fn sign_software_statement(
    claims: &SoftwareStatementClaims,
    key: &SigningKey,
) -> Result<String, SoftwareStatementError> {
    if claims.iss.trim().is_empty() {
        return Err(SoftwareStatementError::MissingIss);
    }
    let mut header = Map::new();
    header.insert("alg".to_owned(), Value::from(key.alg().as_str()));
    header.insert("typ".to_owned(), Value::from("JWT"));
    if let Some(kid) = key.kid() {
        header.insert("kid".to_owned(), Value::from(kid));
    }
    jws::sign_compact(
        &json_bytes(&header)?,
        &json_bytes(&claims.to_json_object())?,
        |input| key.sign(input),
    )
}

/// Reads the claims of a statement **without verifying anything**: not the signature, not the
/// algorithm, not `exp`. The result proves nothing about who wrote it; use it only to show a
/// statement (for example one received from the software's publisher) to a person, and use
/// [`verify_software_statement`] for any decision.
///
/// ASCII whitespace inside `jwt` is ignored. Unlike verification, a missing `iss` is not an
/// error here: it reads as an empty [`iss`](SoftwareStatementClaims::iss), so a statement like
/// the RFC 7591 §3.2.1 example (which has none) can still be shown.
///
/// ```
/// use oidc_types::decode_software_statement_unverified;
///
/// // The statement of RFC 7591 §3.2.1, signed with a key nobody here has.
/// let jwt = "eyJhbGciOiJSUzI1NiJ9.\
///     eyJzb2Z0d2FyZV9pZCI6IjROUkIxLTBYWkFCWkk5RTYtNVNNM1IiLCJjbGllbnRfbmFtZSI6IkV4YW1wbGUgU3Rh\
///     dGVtZW50LWJhc2VkIENsaWVudCIsImNsaWVudF91cmkiOiJodHRwczovL2NsaWVudC5leGFtcGxlLm5ldC8ifQ.\
///     c2lnbmF0dXJl";
/// let claims = decode_software_statement_unverified(jwt)?;
/// assert_eq!(claims.software_id.as_deref(), Some("4NRB1-0XZABZI9E6-5SM3R"));
/// assert_eq!(claims.other["client_name"], "Example Statement-based Client");
/// # Ok::<(), oidc_types::SoftwareStatementError>(())
/// ```
///
/// # Errors
///
/// [`Malformed`](SoftwareStatementError::Malformed) when `jwt` is not a compact JWS with a JSON
/// header and a JSON object as payload, or a typed claim has the wrong JSON type.
pub fn decode_software_statement_unverified(
    jwt: &str,
) -> Result<SoftwareStatementClaims, SoftwareStatementError> {
    let parts = CompactJws::parse(jwt)?;
    SoftwareStatementClaims::from_json_object_lenient(&claims_object(&parts.payload)?)
}

/// The payload of a statement as a JWT claims set.
fn claims_object(payload: &[u8]) -> Result<Map<String, Value>, SoftwareStatementError> {
    match serde_json::from_slice(payload) {
        Ok(Value::Object(claims)) => Ok(claims),
        _ => Err(malformed("payload is not a JSON object")),
    }
}

fn malformed(reason: impl Into<String>) -> SoftwareStatementError {
    SoftwareStatementError::Malformed {
        reason: reason.into(),
    }
}

fn json_bytes(object: &Map<String, Value>) -> Result<Vec<u8>, SoftwareStatementError> {
    // Serializing a map of JSON values cannot fail in practice; report it rather than panic.
    serde_json::to_vec(object).map_err(|error| SoftwareStatementError::Signing {
        reason: format!("cannot serialize JSON: {error}"),
    })
}
