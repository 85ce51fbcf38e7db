//! The open value sets of client and provider metadata.
//!
//! Each set is an enum of the values the specifications define plus an `Other(String)` case, so
//! a value this library does not know (a new algorithm, a provider's private grant type) is kept
//! and sent back unchanged instead of failing the whole document.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Declares an open string enum: documented variants with their wire value, plus `Other`.
macro_rules! open_string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        ///
        /// Open: a value this library does not name is kept as `Other`, and later versions may
        /// name more values (`#[non_exhaustive]`).
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this library does not know; kept as it was received.
            Other(String),
        }

        impl $name {
            /// The value as it appears in JSON.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Other(value) => value,
                }
            }

            /// Every value the specifications define, in declaration order.
            pub const KNOWN: &'static [$name] = &[$( Self::$variant, )+];
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $wire => Self::$variant, )+
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    $( $wire => Self::$variant, )+
                    _ => Self::Other(value),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    Self::Other(value) => write!(f, "Other({value:?})"),
                    known => write!(f, "{}", known.as_str()),
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(Self::from)
            }
        }
    };
}

open_string_enum! {
    /// `application_type` (OIDC DCR §2): decides which redirect URIs are acceptable.
    pub enum ApplicationType {
        /// A web application (the spec default): https redirect URIs on a public host.
        Web => "web",
        /// A native application: custom schemes or http on the loopback interface.
        Native => "native",
    }
}

open_string_enum! {
    /// How a client authenticates at the token endpoint (`token_endpoint_auth_method`, OIDC Core
    /// §9, RFC 7591 §2, RFC 8705 §2).
    pub enum ClientAuthMethod {
        /// HTTP Basic with `client_id` and `client_secret` (the spec default).
        ClientSecretBasic => "client_secret_basic",
        /// `client_id` and `client_secret` in the request body.
        ClientSecretPost => "client_secret_post",
        /// A JWT signed with the client secret (HMAC).
        ClientSecretJwt => "client_secret_jwt",
        /// A JWT signed with the client's private key; its public key is in `jwks`/`jwks_uri`.
        PrivateKeyJwt => "private_key_jwt",
        /// A public client: no authentication.
        None => "none",
        /// Mutual TLS with a CA-issued certificate (RFC 8705 §2.1).
        TlsClientAuth => "tls_client_auth",
        /// Mutual TLS with a self-signed certificate registered in the client's keys (RFC 8705 §2.2).
        SelfSignedTlsClientAuth => "self_signed_tls_client_auth",
    }
}

impl ClientAuthMethod {
    /// Whether the provider issues a `client_secret` for this method.
    pub fn uses_client_secret(&self) -> bool {
        matches!(
            self,
            Self::ClientSecretBasic | Self::ClientSecretPost | Self::ClientSecretJwt
        )
    }
}

open_string_enum! {
    /// OAuth 2.0 grant types (`grant_types`, RFC 7591 §2 and later registrations).
    pub enum GrantType {
        /// The authorization code grant (the spec default).
        AuthorizationCode => "authorization_code",
        /// The implicit grant.
        Implicit => "implicit",
        /// Refresh tokens.
        RefreshToken => "refresh_token",
        /// The resource owner password credentials grant.
        Password => "password",
        /// The client credentials grant.
        ClientCredentials => "client_credentials",
        /// JWT bearer assertions (RFC 7523).
        JwtBearer => "urn:ietf:params:oauth:grant-type:jwt-bearer",
        /// SAML 2.0 bearer assertions (RFC 7522).
        Saml2Bearer => "urn:ietf:params:oauth:grant-type:saml2-bearer",
        /// The device authorization grant (RFC 8628).
        DeviceCode => "urn:ietf:params:oauth:grant-type:device_code",
        /// Token exchange (RFC 8693).
        TokenExchange => "urn:ietf:params:oauth:grant-type:token-exchange",
        /// Client-initiated backchannel authentication (CIBA Core §4).
        Ciba => "urn:openid:params:grant-type:ciba",
    }
}

open_string_enum! {
    /// The subject identifier type (`subject_type`, OIDC Core §8).
    pub enum SubjectType {
        /// The same `sub` for every client.
        Public => "public",
        /// A different `sub` per sector identifier.
        Pairwise => "pairwise",
    }
}

open_string_enum! {
    /// JWS signature algorithms (RFC 7518 §3, RFC 8037, RFC 8812).
    pub enum JwsAlgorithm {
        /// HMAC with SHA-256.
        Hs256 => "HS256",
        /// HMAC with SHA-384.
        Hs384 => "HS384",
        /// HMAC with SHA-512.
        Hs512 => "HS512",
        /// RSASSA-PKCS1-v1_5 with SHA-256.
        Rs256 => "RS256",
        /// RSASSA-PKCS1-v1_5 with SHA-384.
        Rs384 => "RS384",
        /// RSASSA-PKCS1-v1_5 with SHA-512.
        Rs512 => "RS512",
        /// ECDSA with P-256 and SHA-256.
        Es256 => "ES256",
        /// ECDSA with P-384 and SHA-384.
        Es384 => "ES384",
        /// ECDSA with P-521 and SHA-512.
        Es512 => "ES512",
        /// ECDSA with secp256k1 and SHA-256 (RFC 8812).
        Es256K => "ES256K",
        /// RSASSA-PSS with SHA-256.
        Ps256 => "PS256",
        /// RSASSA-PSS with SHA-384.
        Ps384 => "PS384",
        /// RSASSA-PSS with SHA-512.
        Ps512 => "PS512",
        /// EdDSA (RFC 8037).
        EdDsa => "EdDSA",
        /// Ed25519 (fully specified, RFC 9864).
        Ed25519 => "Ed25519",
        /// No signature. Never allowed for `token_endpoint_auth_signing_alg`.
        None => "none",
    }
}

open_string_enum! {
    /// JWE key management algorithms (RFC 7518 §4).
    pub enum JweAlgorithm {
        /// RSAES-PKCS1-v1_5.
        Rsa1_5 => "RSA1_5",
        /// RSAES OAEP with default parameters.
        RsaOaep => "RSA-OAEP",
        /// RSAES OAEP with SHA-256.
        RsaOaep256 => "RSA-OAEP-256",
        /// RSAES OAEP with SHA-384.
        RsaOaep384 => "RSA-OAEP-384",
        /// RSAES OAEP with SHA-512.
        RsaOaep512 => "RSA-OAEP-512",
        /// AES-128 key wrap.
        A128Kw => "A128KW",
        /// AES-192 key wrap.
        A192Kw => "A192KW",
        /// AES-256 key wrap.
        A256Kw => "A256KW",
        /// Direct use of a shared key.
        Dir => "dir",
        /// ECDH-ES direct key agreement.
        EcdhEs => "ECDH-ES",
        /// ECDH-ES with AES-128 key wrap.
        EcdhEsA128Kw => "ECDH-ES+A128KW",
        /// ECDH-ES with AES-192 key wrap.
        EcdhEsA192Kw => "ECDH-ES+A192KW",
        /// ECDH-ES with AES-256 key wrap.
        EcdhEsA256Kw => "ECDH-ES+A256KW",
        /// AES-128 GCM key wrap.
        A128GcmKw => "A128GCMKW",
        /// AES-192 GCM key wrap.
        A192GcmKw => "A192GCMKW",
        /// AES-256 GCM key wrap.
        A256GcmKw => "A256GCMKW",
        /// PBES2 with HMAC SHA-256 and AES-128 key wrap.
        Pbes2Hs256A128Kw => "PBES2-HS256+A128KW",
        /// PBES2 with HMAC SHA-384 and AES-192 key wrap.
        Pbes2Hs384A192Kw => "PBES2-HS384+A192KW",
        /// PBES2 with HMAC SHA-512 and AES-256 key wrap.
        Pbes2Hs512A256Kw => "PBES2-HS512+A256KW",
    }
}

open_string_enum! {
    /// JWE content encryption algorithms (RFC 7518 §5).
    pub enum JweEncryption {
        /// AES-128-CBC with HMAC SHA-256: the default whenever an `_alg` is given without `_enc`.
        A128CbcHs256 => "A128CBC-HS256",
        /// AES-192-CBC with HMAC SHA-384.
        A192CbcHs384 => "A192CBC-HS384",
        /// AES-256-CBC with HMAC SHA-512.
        A256CbcHs512 => "A256CBC-HS512",
        /// AES-128 GCM.
        A128Gcm => "A128GCM",
        /// AES-192 GCM.
        A192Gcm => "A192GCM",
        /// AES-256 GCM.
        A256Gcm => "A256GCM",
    }
}

open_string_enum! {
    /// How CIBA tokens are delivered (`backchannel_token_delivery_mode`, CIBA Core §4).
    pub enum BackchannelTokenDeliveryMode {
        /// The client polls the token endpoint.
        Poll => "poll",
        /// The provider pings `backchannel_client_notification_endpoint`, then the client polls.
        Ping => "ping",
        /// The provider pushes the tokens to `backchannel_client_notification_endpoint`.
        Push => "push",
    }
}

open_string_enum! {
    /// OpenID Federation registration types (`client_registration_types`, §5.1.2).
    pub enum ClientRegistrationType {
        /// Automatic registration.
        Automatic => "automatic",
        /// Explicit registration.
        Explicit => "explicit",
    }
}

open_string_enum! {
    /// Response modes (OAuth 2.0 Multiple Response Types, Form Post, JARM).
    pub enum ResponseMode {
        /// Parameters in the query string.
        Query => "query",
        /// Parameters in the fragment.
        Fragment => "fragment",
        /// Parameters in an auto-submitted form.
        FormPost => "form_post",
        /// JARM, default mode for the response type.
        Jwt => "jwt",
        /// JARM in the query string.
        QueryJwt => "query.jwt",
        /// JARM in the fragment.
        FragmentJwt => "fragment.jwt",
        /// JARM in a form post.
        FormPostJwt => "form_post.jwt",
    }
}

open_string_enum! {
    /// Claim types (OIDC Core §5.6).
    pub enum ClaimType {
        /// Claims asserted directly by the provider.
        Normal => "normal",
        /// Claims from another provider, returned by this one.
        Aggregated => "aggregated",
        /// Claims from another provider, fetched by reference.
        Distributed => "distributed",
    }
}

open_string_enum! {
    /// PKCE code challenge methods (RFC 7636 §4.3).
    pub enum CodeChallengeMethod {
        /// The verifier itself.
        Plain => "plain",
        /// SHA-256 of the verifier.
        S256 => "S256",
    }
}

/// A `response_type` value: a space-separated set of `code`, `id_token`, `token` or `none`
/// (OAuth 2.0 Multiple Response Type Encoding Practices).
///
/// The order of the parts does not matter (`"token id_token code"` equals
/// `"code id_token token"`); the value is kept with its parts in a canonical order, and a value
/// with unknown parts is kept as received.
///
/// ```
/// use oidc_types::ResponseType;
///
/// let hybrid = ResponseType::from("id_token  code");
/// assert_eq!(hybrid.as_str(), "code id_token");
/// assert!(hybrid.has_code() && hybrid.has_id_token() && !hybrid.has_token());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResponseType(String);

impl ResponseType {
    /// `code`: the authorization code flow.
    pub fn code() -> Self {
        Self("code".to_owned())
    }

    /// `id_token`: the implicit flow without an access token.
    pub fn id_token() -> Self {
        Self("id_token".to_owned())
    }

    /// The value as sent in JSON.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The space-separated parts.
    pub fn parts(&self) -> impl Iterator<Item = &str> {
        self.0.split(' ')
    }

    /// Contains `code`.
    pub fn has_code(&self) -> bool {
        self.parts().any(|part| part == "code")
    }

    /// Contains `id_token`.
    pub fn has_id_token(&self) -> bool {
        self.parts().any(|part| part == "id_token")
    }

    /// Contains `token`.
    pub fn has_token(&self) -> bool {
        self.parts().any(|part| part == "token")
    }
}

impl From<&str> for ResponseType {
    fn from(value: &str) -> Self {
        const ORDER: [&str; 4] = ["code", "id_token", "token", "none"];
        let mut parts: Vec<&str> = value.split_ascii_whitespace().collect();
        if parts.iter().all(|part| ORDER.contains(part)) {
            parts.sort_by_key(|part| ORDER.iter().position(|known| known == part));
            parts.dedup();
            Self(parts.join(" "))
        } else {
            Self(value.to_owned())
        }
    }
}

impl From<String> for ResponseType {
    fn from(value: String) -> Self {
        Self::from(value.as_str())
    }
}

impl fmt::Display for ResponseType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ResponseType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResponseType({:?})", self.0)
    }
}

impl Serialize for ResponseType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ResponseType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_round_trip_through_their_wire_names() {
        for method in ClientAuthMethod::KNOWN {
            assert_eq!(&ClientAuthMethod::from(method.as_str()), method);
        }
        for alg in JwsAlgorithm::KNOWN {
            let json = serde_json::to_string(alg).unwrap();
            assert_eq!(&serde_json::from_str::<JwsAlgorithm>(&json).unwrap(), alg);
        }
        assert_eq!(
            GrantType::from("urn:ietf:params:oauth:grant-type:device_code"),
            GrantType::DeviceCode
        );
    }

    #[test]
    fn unknown_values_survive() {
        let method: ClientAuthMethod = serde_json::from_str("\"unsupporeted_auth\"").unwrap();
        assert_eq!(method, ClientAuthMethod::Other("unsupporeted_auth".into()));
        assert_eq!(
            serde_json::to_string(&method).unwrap(),
            "\"unsupporeted_auth\""
        );
        assert_eq!(format!("{method:?}"), "Other(\"unsupporeted_auth\")");
    }

    #[test]
    fn response_types_compare_as_sets() {
        assert_eq!(
            ResponseType::from("token id_token code"),
            ResponseType::from("code id_token token")
        );
        assert_eq!(
            ResponseType::from("token id_token code").as_str(),
            "code id_token token"
        );
        let odd = ResponseType::from("code x-custom");
        assert_eq!(odd.as_str(), "code x-custom");
        assert!(odd.has_code());
    }
}
