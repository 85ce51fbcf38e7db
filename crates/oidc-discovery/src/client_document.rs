//! Fetching someone else's Client ID Metadata Document (draft-ietf-oauth-client-id-metadata-document),
//! as an authorization server does when it meets a URL `client_id`.

use oidc_telemetry::{instrument, Operation};
use oidc_types::{ClientIdMetadataDocument, ClientIdMetadataDocumentError};

use crate::fetch::get_json;
use crate::resource::origin_label;
use crate::{DiscoveryError, DiscoveryOptions};

/// The largest Client ID Metadata Document accepted: 5 KiB, the limit the draft suggests to
/// authorization servers (a client's metadata is a few hundred bytes; a larger answer is
/// more likely an attack on the fetcher than a client).
pub const MAX_CLIENT_ID_METADATA_DOCUMENT: usize = 5 * 1024;

/// Fetches the Client ID Metadata Document at `client_id` and checks it against every rule
/// of the draft: the URL first, before anything is sent (see
/// [`oidc_types::check_client_id_url`]; plain `http` only where
/// [`DiscoveryOptions::call`]'s `plain_http` allows it), then a 200 answer with a JSON content type and
/// at most [`MAX_CLIENT_ID_METADATA_DOCUMENT`] bytes, then the document
/// ([`ClientIdMetadataDocument::from_json`]: its `client_id` equal to the URL by simple string
/// comparison, no `client_secret` or `client_secret_expires_at`, no shared-secret
/// authentication method, valid metadata).
///
/// No redirect is followed (the document must be served at the `client_id` itself). Emits
/// `load_client_metadata_document` telemetry labelled with the URL's origin only.
///
/// ```no_run
/// # async fn run() -> Result<(), oidc_discovery::DiscoveryError> {
/// use oidc_discovery::{load_client_id_metadata_document, DiscoveryOptions};
///
/// let document = load_client_id_metadata_document(
///     "https://app.example/oauth/client.json",
///     &DiscoveryOptions::default(),
/// )
/// .await?;
/// println!("redirect URIs: {:?}", document.metadata().redirect_uris());
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// [`DiscoveryError::InvalidClientIdMetadataDocument`] for a broken rule (the URL's included),
/// and the fetch errors of [`load_configuration`](crate::load_configuration).
pub async fn load_client_id_metadata_document(
    client_id: &str,
    options: &DiscoveryOptions,
) -> Result<ClientIdMetadataDocument, DiscoveryError> {
    let label = origin_label(client_id);
    instrument(Operation::LoadClientMetadataDocument, &label, async {
        let shown = oidc_http::redact_url(client_id);
        let invalid = |source| DiscoveryError::InvalidClientIdMetadataDocument {
            url: shown.clone(),
            source,
        };
        let http_allowed = options.call.plain_http.allows(client_id);
        oidc_types::check_client_id_url(client_id, http_allowed).map_err(invalid)?;
        let response = get_json(client_id, "application/json", options).await?;
        if response.body.len() > MAX_CLIENT_ID_METADATA_DOCUMENT {
            return Err(DiscoveryError::Http {
                url: shown,
                source: oidc_http::HttpError::new(
                    oidc_http::HttpErrorKind::BodyTooLarge,
                    format!(
                        "a client id metadata document may be at most \
                         {MAX_CLIENT_ID_METADATA_DOCUMENT} bytes"
                    ),
                ),
            });
        }
        let read = if http_allowed {
            ClientIdMetadataDocument::from_json_allowing_http(client_id, &response.body)
        } else {
            ClientIdMetadataDocument::from_json(client_id, &response.body)
        };
        read.map_err(|source: ClientIdMetadataDocumentError| invalid(source))
    })
    .await
}
