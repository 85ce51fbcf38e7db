//! Per-endpoint misbehaviour, and how it is layered over the normal response.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use http::{Response, StatusCode};
use serde_json::{Map, Value};

use crate::body::ResponseBody;
use crate::reply::Reply;

/// How an endpoint should misbehave; set with
/// [`TestProvider::set_behaviour`](crate::TestProvider::set_behaviour).
///
/// The [`delay`](Self::delay) applies first. Then every member that is set replaces the matching
/// part of the response the endpoint would normally give; members left unset keep their normal
/// value. For example only `content_type("application/jwt")` means: normal status, normal body,
/// that content type.
///
/// Side effects (storing, updating, deleting a client, or rotating its credentials) happen only
/// when the client could believe the request succeeded as the provider normally answered it, so a
/// faked failure never leaves the store changed behind the client's back. They are skipped when:
///
/// * the body is replaced ([`body`](Self::body), [`json`](Self::json) or
///   [`oversized_body`](Self::oversized_body)), or
/// * the status is overridden with a valid code that is not 2xx (e.g. `status(405)` on a DELETE
///   leaves the client registered; `status(400)` on a PUT keeps the old metadata).
///
/// They still happen when only a 2xx status, the content type, headers, the delay or an
/// [`edit_answer`](Self::edit_answer) are set (e.g. `status(200)` on a DELETE deletes the
/// client). The normal body is still sent with a non-2xx override, so it may show values (a
/// rotated token, new metadata) that were not stored.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct Behaviour {
    /// Replacement status code. A value outside `100..=999` is ignored.
    pub status: Option<u16>,
    /// Replacement `Content-Type` value. A value that is not a valid header value is ignored.
    pub content_type: Option<String>,
    /// Replacement body.
    pub body: Option<bytes::Bytes>,
    /// Wait this long before answering.
    pub delay: Option<Duration>,
    /// Stream this many bytes of filler, chunked and without `Content-Length`, instead of the body.
    /// Takes precedence over [`body`](Self::body).
    pub oversized_body: Option<usize>,
    /// Extra response headers. The first entry for a name replaces a normal header of that name;
    /// further entries for the same name are appended. Invalid names or values are skipped.
    pub headers: Vec<(String, String)>,
    /// Rewrites the normal JSON object answer before it is sent, while the provider stores,
    /// rotates and deletes as usual; see [`edit_answer`](Self::edit_answer).
    pub edit: Option<AnswerEdit>,
}

/// A rewrite of a JSON object answer, for [`Behaviour::edit_answer`].
pub type AnswerEdit = Arc<dyn Fn(&mut Map<String, Value>) + Send + Sync>;

impl fmt::Debug for Behaviour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Behaviour")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .field("body", &self.body)
            .field("delay", &self.delay)
            .field("oversized_body", &self.oversized_body)
            .field("headers", &self.headers)
            .field("edit", &self.edit.as_ref().map(|_| "<closure>"))
            .finish()
    }
}

impl Behaviour {
    /// A behaviour that changes nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Answers with this status code.
    pub fn status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Answers with this `Content-Type`.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Answers with this body.
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// Answers with this JSON body and `Content-Type: application/json`.
    pub fn json(self, value: serde_json::Value) -> Self {
        // Serialising a `Value` cannot fail (all map keys are strings).
        let body = serde_json::to_vec(&value).unwrap_or_default();
        self.body(body).content_type("application/json")
    }

    /// Waits this long before answering.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// Streams `bytes` bytes of JSON-looking filler in chunks, with chunked transfer encoding and no
    /// `Content-Length`, so a client's size limit must be enforced while reading.
    pub fn oversized_body(mut self, bytes: usize) -> Self {
        self.oversized_body = Some(bytes);
        self
    }

    /// Rewrites the JSON object the endpoint would normally answer with (credentials, echoed
    /// metadata) before sending it, without changing what the provider does: the client is
    /// still stored, updated or rotated as the normal answer says. This is how a provider that
    /// has acted but *says so oddly* is simulated: a time as a fraction, a member of the wrong
    /// type, an answer without the echoed metadata.
    ///
    /// ```
    /// use oidc_test_provider::Behaviour;
    ///
    /// let fractional_time = Behaviour::new().edit_answer(|answer| {
    ///     answer.insert("client_id_issued_at".into(), serde_json::json!(1_700_000_000.5));
    /// });
    /// # let _ = fractional_time;
    /// ```
    ///
    /// An answer that is not a JSON object is sent unchanged; a replaced body
    /// ([`body`](Self::body), [`json`](Self::json)) is not edited.
    pub fn edit_answer(
        mut self,
        edit: impl Fn(&mut Map<String, Value>) + Send + Sync + 'static,
    ) -> Self {
        self.edit = Some(Arc::new(edit));
        self
    }

    /// Adds a response header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Whether side effects must be skipped: the normal body is replaced, or the status is
    /// overridden with a valid non-2xx code (see the type documentation for why).
    pub(crate) fn suppresses_effects(&self) -> bool {
        let failing_status = self
            .status
            .and_then(|s| StatusCode::from_u16(s).ok())
            .is_some_and(|code| !code.is_success());
        self.body.is_some() || self.oversized_body.is_some() || failing_status
    }
}

/// Builds the HTTP response from the normal reply and the optional behaviour layered over it.
pub(crate) fn build_response(
    reply: Reply,
    behaviour: Option<&Behaviour>,
) -> Response<ResponseBody> {
    let Reply {
        mut status,
        mut headers,
        body,
    } = reply;
    let body = match behaviour.and_then(|b| b.edit.as_ref()) {
        Some(edit) => edited(body, edit, &mut headers),
        None => body,
    };
    let mut body = ResponseBody::full(body);

    if let Some(behaviour) = behaviour {
        if let Some(code) = behaviour.status.and_then(|s| StatusCode::from_u16(s).ok()) {
            status = code;
        }
        if let Some(value) = behaviour
            .content_type
            .as_deref()
            .and_then(|ct| HeaderValue::from_str(ct).ok())
        {
            headers.insert(CONTENT_TYPE, value);
        }
        if let Some(total) = behaviour.oversized_body {
            body = ResponseBody::filler(total);
            // A stale length would contradict the streamed body; hyper then chunks it.
            headers.remove(CONTENT_LENGTH);
        } else if let Some(replacement) = &behaviour.body {
            body = ResponseBody::full(replacement.clone());
        }
        let mut seen: Vec<HeaderName> = Vec::new();
        for (name, value) in &behaviour.headers {
            let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) else {
                continue;
            };
            if seen.contains(&name) {
                headers.append(name, value);
            } else {
                headers.insert(name.clone(), value);
                seen.push(name);
            }
        }
    }

    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

/// `body` rewritten by `edit` when it is a JSON object; the length header follows.
fn edited(body: Bytes, edit: &AnswerEdit, headers: &mut http::HeaderMap) -> Bytes {
    let Ok(Value::Object(mut object)) = serde_json::from_slice::<Value>(&body) else {
        return body;
    };
    edit(&mut object);
    // Serialising a `Map` cannot fail.
    let body = Bytes::from(serde_json::to_vec(&object).unwrap_or_default());
    if headers.contains_key(CONTENT_LENGTH) {
        headers.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
    }
    body
}
