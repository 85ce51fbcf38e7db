//! Drives `HyperClient` against small hyper servers on 127.0.0.1.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, LOCATION, SET_COOKIE, USER_AGENT};
use http::{Method, Request, Response, StatusCode, Version};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Channel, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use oidc_http::{
    default_client, HttpClient, HttpError, HttpErrorKind, HyperClient, HyperClientBuilder,
    TlsFailure, DEFAULT_USER_AGENT,
};
use tokio::net::TcpListener;

type ServerBody = BoxBody<Bytes, Infallible>;

/// Serves `handler` on a fresh 127.0.0.1 port until the test's runtime ends.
async fn serve<F, Fut>(handler: F) -> SocketAddr
where
    F: Fn(Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response<ServerBody>> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind test server");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let handler = handler.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let response = handler(req);
                    async move { Ok::<_, Infallible>(response.await) }
                });
                // Errors here are the client hanging up, which several tests do on purpose.
                let _ = auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

fn full(body: impl Into<Bytes>) -> ServerBody {
    Full::new(body.into()).boxed()
}

/// Answers with the request's method, user agent and body echoed back.
async fn echo(req: Request<Incoming>) -> Response<ServerBody> {
    let method = req.method().to_string();
    let user_agent = req.headers().get(USER_AGENT).cloned();
    let content_type = req.headers().get(CONTENT_TYPE).cloned();
    let query = req.uri().query().unwrap_or("").to_owned();
    let body = req
        .into_body()
        .collect()
        .await
        .expect("read request body")
        .to_bytes();
    let mut builder = Response::builder()
        .status(StatusCode::CREATED)
        .header("x-method", method)
        .header("x-query", query)
        .header(SET_COOKIE, "a=1")
        .header(SET_COOKIE, "b=2");
    if let Some(ua) = user_agent {
        builder = builder.header("x-user-agent", ua);
    }
    if let Some(ct) = content_type {
        builder = builder.header("x-content-type", ct);
    }
    builder.body(full(body)).expect("valid response")
}

fn get(url: &str) -> Request<Bytes> {
    Request::get(url).body(Bytes::new()).expect("valid request")
}

fn client() -> HyperClient {
    HyperClient::new().expect("build client")
}

#[tokio::test]
async fn get_round_trip_preserves_status_headers_body_and_version() {
    let addr = serve(|req: Request<Incoming>| async move {
        assert_eq!(req.uri().path(), "/hello");
        Response::builder()
            .status(StatusCode::ACCEPTED)
            .header(CONTENT_TYPE, "application/json")
            .header("x-custom", "yes")
            .header(SET_COOKIE, "a=1")
            .header(SET_COOKIE, "b=2")
            .body(full(r#"{"ok":true}"#))
            .unwrap()
    })
    .await;

    let response = client()
        .send(get(&format!("http://{addr}/hello")))
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(response.version(), Version::HTTP_11);
    assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
    assert_eq!(response.headers()["x-custom"], "yes");
    let cookies: Vec<_> = response.headers().get_all(SET_COOKIE).iter().collect();
    assert_eq!(cookies, ["a=1", "b=2"]);
    assert_eq!(response.body(), r#"{"ok":true}"#);
}

#[tokio::test]
async fn post_round_trip_sends_method_headers_query_and_body() {
    let addr = serve(echo).await;
    let request = Request::post(format!("http://{addr}/register?x=1"))
        .header(CONTENT_TYPE, "application/json")
        .body(Bytes::from_static(
            br#"{"redirect_uris":["https://rp/cb"]}"#,
        ))
        .unwrap();

    let response = client().send(request).await.unwrap();

    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["x-method"], "POST");
    assert_eq!(response.headers()["x-query"], "x=1");
    assert_eq!(response.headers()["x-content-type"], "application/json");
    assert_eq!(
        response.body(),
        r#"{"redirect_uris":["https://rp/cb"]}"#.as_bytes()
    );
}

#[tokio::test]
async fn connections_are_reused_across_requests() {
    let connections = Arc::new(AtomicUsize::new(0));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let counter = connections.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let _ = auto::Builder::new(TokioExecutor::new())
                    .serve_connection(
                        TokioIo::new(stream),
                        service_fn(|_req| async { Ok::<_, Infallible>(Response::new(full("ok"))) }),
                    )
                    .await;
            });
        }
    });

    let client = client();
    for _ in 0..3 {
        let response = client.send(get(&format!("http://{addr}/"))).await.unwrap();
        assert_eq!(response.body(), "ok");
    }
    assert_eq!(connections.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn user_agent_is_set_by_default() {
    let addr = serve(echo).await;
    let response = client()
        .send(get(&format!("http://{addr}/")))
        .await
        .unwrap();
    assert_eq!(response.headers()["x-user-agent"], DEFAULT_USER_AGENT);
    assert_eq!(
        DEFAULT_USER_AGENT,
        format!("oidc-rs/{}", env!("CARGO_PKG_VERSION"))
    );
}

#[tokio::test]
async fn user_agent_can_be_configured_and_overridden_per_request() {
    let addr = serve(echo).await;
    let client = HyperClient::builder()
        .user_agent("my-rp/2.0")
        .build()
        .unwrap();

    let response = client.send(get(&format!("http://{addr}/"))).await.unwrap();
    assert_eq!(response.headers()["x-user-agent"], "my-rp/2.0");

    let request = Request::get(format!("http://{addr}/"))
        .header(USER_AGENT, "per-request/1")
        .body(Bytes::new())
        .unwrap();
    let response = client.send(request).await.unwrap();
    assert_eq!(response.headers()["x-user-agent"], "per-request/1");
}

fn limited(limit: usize) -> HyperClient {
    HyperClient::builder()
        .max_response_bytes(limit)
        .build()
        .expect("build client")
}

#[tokio::test]
async fn body_at_the_limit_is_accepted() {
    let addr = serve(|_req| async { Response::new(full(vec![b'x'; 16])) }).await;
    let response = limited(16)
        .send(get(&format!("http://{addr}/")))
        .await
        .unwrap();
    assert_eq!(response.body().len(), 16);
}

#[tokio::test]
async fn body_over_the_limit_by_content_length_is_rejected() {
    let addr = serve(|_req| async { Response::new(full(vec![b'x'; 17])) }).await;
    let err = limited(16)
        .send(get(&format!("http://{addr}/big?secret=1")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), HttpErrorKind::BodyTooLarge);
    assert_eq!(
        err.to_string(),
        "response body exceeds the limit of 16 bytes"
    );
    // The URL is the caller's context (`oidc_http::send` records it): not in the message.
    assert_eq!(err.url(), None);
}

#[tokio::test]
async fn announced_oversized_body_fails_before_it_is_sent() {
    // Announces a huge body but never sends it: only the header can reject it
    // before the timeout fires.
    let addr = serve(|_req| async {
        let (sender, body) = Channel::<Bytes, Infallible>::new(1);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(30)).await;
            drop(sender);
        });
        Response::builder()
            .header(CONTENT_LENGTH, "1000000000")
            .body(body.boxed())
            .unwrap()
    })
    .await;
    let client = HyperClient::builder()
        .max_response_bytes(1024)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .send(get(&format!("http://{addr}/")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), HttpErrorKind::BodyTooLarge);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_body_in_several_frames_is_joined_in_order_up_to_the_limit() {
    // Chunked, three frames of different sizes, 20 bytes in all: exactly the limit.
    let addr = serve(|_req| async {
        let (mut sender, body) = Channel::<Bytes, Infallible>::new(4);
        tokio::spawn(async move {
            for part in ["first-", "second-", "third!!"] {
                if sender
                    .send_data(Bytes::from_static(part.as_bytes()))
                    .await
                    .is_err()
                {
                    return;
                }
            }
        });
        Response::new(body.boxed())
    })
    .await;
    let response = limited(20)
        .send(get(&format!("http://{addr}/parts")))
        .await
        .unwrap();
    assert_eq!(response.body().as_ref(), b"first-second-third!!");
    // One byte less and the last frame is too much.
    let error = limited(19)
        .send(get(&format!("http://{addr}/parts")))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), HttpErrorKind::BodyTooLarge);
}

#[tokio::test]
async fn streamed_body_over_the_limit_is_rejected_while_reading() {
    // No Content-Length, and the body never ends: the client must stop as soon
    // as it has seen more than the limit rather than wait for the end.
    let addr = serve(|_req| async {
        let (mut sender, body) = Channel::<Bytes, Infallible>::new(4);
        tokio::spawn(async move {
            for _ in 0..4 {
                if sender.send_data(Bytes::from(vec![b'y'; 8])).await.is_err() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_secs(30)).await;
            drop(sender);
        });
        Response::new(body.boxed())
    })
    .await;
    let client = HyperClient::builder()
        .max_response_bytes(20)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();

    let started = Instant::now();
    let err = client
        .send(get(&format!("http://{addr}/stream")))
        .await
        .unwrap_err();

    assert_eq!(err.kind(), HttpErrorKind::BodyTooLarge, "{err}");
    assert!(err.to_string().contains("limit of 20 bytes"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn slow_response_times_out() {
    let addr = serve(|_req| async {
        tokio::time::sleep(Duration::from_secs(5)).await;
        Response::new(full("late"))
    })
    .await;
    let client = HyperClient::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();

    let started = Instant::now();
    let err = client
        .send(get(&format!("http://{addr}/slow?code=abc")))
        .await
        .unwrap_err();

    assert_eq!(err.kind(), HttpErrorKind::Timeout);
    assert!(err.is_timeout());
    assert_eq!(err.to_string(), "request timed out after 200ms");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn timeout_covers_reading_the_body() {
    // Headers arrive at once, the body stalls after the first chunk.
    let addr = serve(|_req| async {
        let (mut sender, body) = Channel::<Bytes, Infallible>::new(1);
        tokio::spawn(async move {
            let _ = sender.send_data(Bytes::from_static(b"partial")).await;
            tokio::time::sleep(Duration::from_secs(30)).await;
            drop(sender);
        });
        Response::new(body.boxed())
    })
    .await;
    let client = HyperClient::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();

    let err = client
        .send(get(&format!("http://{addr}/")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), HttpErrorKind::Timeout);
}

#[tokio::test]
async fn refused_connection_is_connect_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };

    let err = client()
        .send(get(&format!("http://127.0.0.1:{port}/x?token=secret")))
        .await
        .unwrap_err();

    assert_eq!(err.kind(), HttpErrorKind::Connect, "{err}");
    assert!(!err.is_timeout());
    let message = err.to_string();
    assert!(message.starts_with("connection failed: "), "{message}");
    assert!(!message.contains("secret"), "{message}");
    // The message says the deepest cause; keeping hyper's error as the source would make a
    // chain printer say it twice.
    assert!(std::error::Error::source(&err).is_none());
    // Through the library's one door, the URL is recorded once, redacted, beside the message.
    let err = oidc_http::send(
        &client(),
        get(&format!("http://127.0.0.1:{port}/x?token=secret")),
        None,
        oidc_http::PlainHttp::LoopbackOnly,
    )
    .await
    .unwrap_err();
    assert_eq!(err.to_string(), message);
    assert_eq!(
        err.url(),
        Some(format!("http://127.0.0.1:{port}/x").as_str())
    );
}

#[tokio::test]
async fn https_to_a_plain_http_server_is_tls_error() {
    let addr = serve(echo).await;
    let err = client()
        .send(get(&format!("https://{addr}/")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), HttpErrorKind::Tls, "{err}");
    // Not a certificate problem: the server answered in plain http.
    assert_eq!(err.tls_failure(), Some(TlsFailure::NotTls), "{err}");
    assert!(
        err.to_string().starts_with("tls handshake failed: "),
        "{err}"
    );
    // The client itself does not know which call this was: `oidc_http::send` adds the URL.
    assert_eq!(err.url(), None);
}

#[tokio::test]
async fn plain_http_to_a_remote_host_is_refused_before_connecting() {
    // Nothing is sent: the https policy runs above the client, before it is asked.
    let err = oidc_http::send(
        &client(),
        get("http://example.com/.well-known/openid-configuration?k=v"),
        None,
        oidc_http::PlainHttp::LoopbackOnly,
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), HttpErrorKind::InsecureUrl);
    assert!(!err.to_string().contains("k=v"), "{err}");
}

#[tokio::test]
async fn unsupported_requests_are_invalid() {
    for url in ["ftp://127.0.0.1/", "/relative"] {
        let err = client().send(get(url)).await.unwrap_err();
        assert_eq!(err.kind(), HttpErrorKind::InvalidRequest, "{url}");
    }
}

#[tokio::test]
async fn localhost_name_is_allowed_over_http() {
    let addr = serve(echo).await;
    let response = client()
        .send(get(&format!("http://localhost:{}/", addr.port())))
        .await;
    // localhost may resolve to ::1 first where nothing listens, so only
    // require that the scheme check let it through.
    if let Err(err) = response {
        assert_ne!(err.kind(), HttpErrorKind::InsecureUrl, "{err}");
    }
}

#[tokio::test]
async fn redirects_are_returned_not_followed() {
    let followed = Arc::new(AtomicUsize::new(0));
    let counter = followed.clone();
    let addr = serve(move |req: Request<Incoming>| {
        let counter = counter.clone();
        async move {
            if req.uri().path() == "/moved" {
                Response::builder()
                    .status(StatusCode::FOUND)
                    .header(LOCATION, "/target")
                    .body(full("see other"))
                    .unwrap()
            } else {
                counter.fetch_add(1, Ordering::SeqCst);
                Response::new(full("target"))
            }
        }
    })
    .await;

    let response = client()
        .send(get(&format!("http://{addr}/moved")))
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()[LOCATION], "/target");
    assert_eq!(response.body(), "see other");
    assert_eq!(followed.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn head_response_with_large_content_length_is_fine() {
    let addr = serve(|_req| async {
        Response::builder()
            .header(CONTENT_LENGTH, "1000000000")
            .body(full(Bytes::new()))
            .unwrap()
    })
    .await;
    let request = Request::builder()
        .method(Method::HEAD)
        .uri(format!("http://{addr}/"))
        .body(Bytes::new())
        .unwrap();
    let response = limited(16).send(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.body().is_empty());
}

#[tokio::test]
async fn usable_as_arc_dyn_and_through_wrappers() {
    let addr = serve(echo).await;
    let url = format!("http://{addr}/");
    let hyper = client();

    let shared: Arc<dyn HttpClient> = Arc::new(hyper.clone());
    assert_eq!(shared.send(get(&url)).await.unwrap().status(), 201);

    let boxed: Box<dyn HttpClient> = Box::new(hyper.clone());
    assert_eq!(boxed.send(get(&url)).await.unwrap().status(), 201);

    let by_ref: &dyn HttpClient = &hyper;
    assert_eq!(by_ref.send(get(&url)).await.unwrap().status(), 201);

    // The future itself must be Send to be spawned on a multi-threaded runtime.
    let handle = tokio::spawn(async move { shared.send(get(&url)).await.map(|r| r.status()) });
    assert_eq!(handle.await.unwrap().unwrap(), 201);
}

#[tokio::test]
async fn default_client_is_shared_and_works() {
    let a = default_client();
    let b = default_client();
    assert!(Arc::ptr_eq(&a, &b));

    let addr = serve(echo).await;
    let response = a.send(get(&format!("http://{addr}/"))).await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["x-user-agent"], DEFAULT_USER_AGENT);
}

#[test]
fn public_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<HyperClient>();
    assert_send_sync::<HyperClientBuilder>();
    assert_send_sync::<HttpError>();
    assert_send_sync::<HttpErrorKind>();
    assert_send_sync::<TlsFailure>();
    assert_send_sync::<Arc<dyn HttpClient>>();
}
