//! Client metadata from the command line: `--metadata FILE|-`, `--redirect-uri` and `--set`,
//! merged as a JSON object first and only then read into [`ClientMetadata`].
//!
//! Merging JSON rather than typed values is what lets `--set` reach every member, tagged names
//! (`client_name#ja-Jpan-JP`) and extra fields included, with one reader deciding what is
//! valid. A member of the wrong type is invalid metadata (exit 3), named with every other
//! problem at once; an unreadable or non-JSON input is a usage error (exit 2).

use std::io::Read;
use std::path::Path;

use oidc_types::ClientMetadata;
use serde_json::{Map, Value};

use crate::cli::SetField;
use crate::output::progress;
use crate::CliError;

/// Reads the `--metadata` document: from `stdin` when `path` is `-`, else from the file.
///
/// # Errors
///
/// [`ExitKind::Usage`](crate::ExitKind::Usage) when it cannot be read or is not JSON;
/// [`ExitKind::InvalidMetadata`](crate::ExitKind::InvalidMetadata) when it is JSON but not an
/// object.
pub fn read_document(path: &Path, stdin: impl Read) -> Result<Map<String, Value>, CliError> {
    let (name, text) = if path.as_os_str() == "-" {
        let mut text = String::new();
        let mut stdin = stdin;
        stdin.read_to_string(&mut text).map_err(|error| {
            CliError::usage(format!("cannot read metadata from stdin: {error}"))
        })?;
        ("stdin".to_owned(), text)
    } else {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|error| {
            CliError::usage(format!("cannot read metadata file {name}: {error}"))
        })?;
        (name, text)
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(CliError::invalid_metadata(format!(
            "metadata from {name} is not a json object"
        ))),
        Err(error) => Err(CliError::usage(format!(
            "metadata from {name} is not valid json: {error}"
        ))),
    }
}

/// Adds `redirect_uris` (those not there yet, in order) and then applies each `--set`.
///
/// # Errors
///
/// [`ExitKind::InvalidMetadata`](crate::ExitKind::InvalidMetadata) when the document's
/// `redirect_uris` is not an array.
pub fn merge(
    mut object: Map<String, Value>,
    redirect_uris: &[String],
    set: &[SetField],
) -> Result<Map<String, Value>, CliError> {
    if !redirect_uris.is_empty() {
        let entry = object
            .entry("redirect_uris")
            .or_insert_with(|| Value::Array(Vec::new()));
        if entry.is_null() {
            *entry = Value::Array(Vec::new());
        }
        let Value::Array(uris) = entry else {
            return Err(CliError::invalid_metadata(
                "redirect_uris: expected an array of strings, so --redirect-uri cannot add to it",
            ));
        };
        for uri in redirect_uris {
            let uri = Value::String(uri.clone());
            if !uris.contains(&uri) {
                uris.push(uri);
            }
        }
    }
    for field in set {
        object.insert(field.key.clone(), field.value.clone());
    }
    Ok(object)
}

/// Reads the merged object into [`ClientMetadata`], reporting every member of the wrong type.
///
/// # Errors
///
/// [`ExitKind::InvalidMetadata`](crate::ExitKind::InvalidMetadata) naming each such member.
pub fn to_client_metadata(object: &Map<String, Value>) -> Result<ClientMetadata, CliError> {
    for key in ClientMetadata::RESPONSE_ONLY_MEMBERS {
        if object.contains_key(key) {
            progress(&format!(
                "warning: ignoring {key} in the metadata: the provider sets it"
            ));
        }
    }
    let (metadata, problems) = ClientMetadata::from_json_object(object);
    if problems.is_empty() {
        return Ok(metadata);
    }
    let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
    Err(CliError::invalid_metadata(format!(
        "client metadata is invalid: {} problem(s): {}",
        list.len(),
        list.join("; ")
    ))
    .with_hint("nothing was sent; a --set value is json when it parses (true, 42, [..]) and a string otherwise"))
}

/// The metadata as a JSON object, the starting point of an update.
///
/// # Errors
///
/// [`ExitKind::InvalidMetadata`](crate::ExitKind::InvalidMetadata) when it cannot be
/// serialized (private key material in `jwks`, an extra field shadowing a member).
pub fn to_object(metadata: &ClientMetadata) -> Result<Map<String, Value>, CliError> {
    match serde_json::to_value(metadata) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(CliError::invalid_metadata(
            "the registration's metadata is not a json object",
        )),
        Err(error) => Err(CliError::invalid_metadata(format!(
            "the registration's metadata cannot be sent: {error}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::cli::parse_set;
    use crate::ExitKind;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(object) => object,
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn redirect_uris_are_added_once_and_set_wins() {
        let base = object(json!({"redirect_uris": ["https://a.example/cb"], "client_name": "x"}));
        let set = [
            parse_set("client_name=New").unwrap(),
            parse_set("require_auth_time=true").unwrap(),
            parse_set("client_name#ja-Jpan-JP=デモ").unwrap(),
            parse_set("tenant_hint=blue").unwrap(),
        ];
        let merged = merge(
            base,
            &["https://a.example/cb".into(), "https://b.example/cb".into()],
            &set,
        )
        .unwrap();
        assert_eq!(
            Value::Object(merged.clone()),
            json!({
                "redirect_uris": ["https://a.example/cb", "https://b.example/cb"],
                "client_name": "New",
                "require_auth_time": true,
                "client_name#ja-Jpan-JP": "デモ",
                "tenant_hint": "blue"
            })
        );
        let metadata = to_client_metadata(&merged).unwrap();
        assert_eq!(metadata.require_auth_time, Some(true));
        assert_eq!(metadata.client_name.value(), Some("New"));
        assert_eq!(metadata.extra_fields["tenant_hint"], "blue");
    }

    #[test]
    fn wrong_types_are_invalid_metadata_naming_every_member() {
        let error = to_client_metadata(&object(
            json!({"require_auth_time": "yes", "redirect_uris": 5}),
        ))
        .unwrap_err();
        assert_eq!(error.kind(), ExitKind::InvalidMetadata);
        assert!(error.message().contains("require_auth_time"), "{error}");
        assert!(error.message().contains("redirect_uris"), "{error}");

        let error = merge(
            object(json!({"redirect_uris": "x"})),
            &["https://a".into()],
            &[],
        )
        .unwrap_err();
        assert_eq!(error.kind(), ExitKind::InvalidMetadata);
    }

    #[test]
    fn documents_come_from_stdin_or_a_file() {
        let from_stdin = read_document(Path::new("-"), &br#"{"client_name":"a"}"#[..]).unwrap();
        assert_eq!(from_stdin["client_name"], "a");

        let error = read_document(Path::new("-"), &b"{nope"[..]).unwrap_err();
        assert_eq!(error.kind(), ExitKind::Usage);
        let error = read_document(Path::new("-"), &b"[1]"[..]).unwrap_err();
        assert_eq!(error.kind(), ExitKind::InvalidMetadata);
        let error =
            read_document(Path::new("/nonexistent/oidc-cli/metadata.json"), &b""[..]).unwrap_err();
        assert_eq!(error.kind(), ExitKind::Usage);
        assert!(error
            .message()
            .contains("/nonexistent/oidc-cli/metadata.json"));
    }
}
