//! A non-hyper backend plugged in through the trait, as higher crates' tests do.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use oidc_http::{BoxFuture, HttpClient, HttpError, HttpErrorKind};

/// Replies with a canned response and remembers what it was asked.
#[derive(Debug, Default)]
struct Recorder {
    seen: Mutex<Vec<(String, Bytes)>>,
    fail: bool,
}

impl HttpClient for Recorder {
    fn send(&self, request: Request<Bytes>) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        Box::pin(async move {
            if self.fail {
                return Err(HttpError::new(HttpErrorKind::Connect, "backend offline"));
            }
            let (parts, body) = request.into_parts();
            self.seen
                .lock()
                .expect("recorder lock poisoned")
                .push((format!("{} {}", parts.method, parts.uri), body.clone()));
            let mut response = Response::new(body);
            *response.status_mut() = StatusCode::CREATED;
            Ok(response)
        })
    }
}

/// Code written against the trait, as discovery and registration are.
async fn call(client: &dyn HttpClient, body: &'static str) -> Result<Response<Bytes>, HttpError> {
    let request = Request::post("https://op.example/register")
        .body(Bytes::from_static(body.as_bytes()))
        .expect("valid request");
    client.send(request).await
}

#[tokio::test]
async fn custom_backend_is_used_through_every_wrapper() {
    let recorder = Arc::new(Recorder::default());

    let response = call(&*recorder, "one").await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.body(), "one");

    let as_dyn: Arc<dyn HttpClient> = recorder.clone();
    call(&as_dyn, "two").await.unwrap();
    call(&Box::new(recorder.clone()), "three").await.unwrap();
    call(&&*recorder, "four").await.unwrap();

    let seen = recorder.seen.lock().unwrap();
    let bodies: Vec<_> = seen.iter().map(|(_, b)| b.clone()).collect();
    assert_eq!(bodies, ["one", "two", "three", "four"]);
    assert!(seen
        .iter()
        .all(|(line, _)| line == "POST https://op.example/register"));
}

#[tokio::test]
async fn custom_backend_errors_pass_through() {
    let client: Arc<dyn HttpClient> = Arc::new(Recorder {
        fail: true,
        ..Recorder::default()
    });
    let err = call(&client, "x").await.unwrap_err();
    assert_eq!(err.kind(), HttpErrorKind::Connect);
    assert_eq!(err.to_string(), "backend offline");
}
