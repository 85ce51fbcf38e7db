//! `ReqwestClient` against small servers on 127.0.0.1: the guarantees of the built-in client
//! (body limit while streaming, no redirects, timeouts, error kinds) over a reqwest client.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, StatusCode};
use oidc_http::{HttpClient, HttpErrorKind, PlainHttp, ReqwestClient};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// Reads one request (head and a `content-length` body) and returns its head and body.
async fn read_request(stream: &mut TcpStream) -> (String, Vec<u8>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await.expect("read");
        assert!(n > 0, "client hung up mid-request");
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await.expect("read");
        assert!(n > 0, "client hung up mid-body");
        buf.extend_from_slice(&chunk[..n]);
    }
    (head, buf[head_end..head_end + length].to_vec())
}

/// Serves every connection with `answer(head, body)` until the test ends; counts requests.
async fn serve(
    answer: impl Fn(&str, &[u8]) -> String + Send + Sync + 'static,
) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let count = Arc::new(AtomicUsize::new(0));
    let answer = Arc::new(answer);
    let counter = Arc::clone(&count);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let answer = Arc::clone(&answer);
            let counter = Arc::clone(&counter);
            tokio::spawn(async move {
                let (head, body) = read_request(&mut stream).await;
                counter.fetch_add(1, Ordering::SeqCst);
                let _ = stream.write_all(answer(&head, &body).as_bytes()).await;
            });
        }
    });
    (base, count)
}

fn json_response(status: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn client() -> ReqwestClient {
    ReqwestClient::from_builder(reqwest::Client::builder()).expect("reqwest client")
}

#[tokio::test]
async fn a_json_get_and_post_come_back_whole() {
    let (base, count) = serve(|head, body| {
        let method = head.split(' ').next().unwrap_or_default().to_owned();
        let echoed = String::from_utf8_lossy(body).into_owned();
        json_response(
            "201 Created",
            &format!(r#"{{"method":"{method}","body":{echoed:?}}}"#),
        )
    })
    .await;
    let client: Arc<dyn HttpClient> = Arc::new(client());

    let get = Request::get(format!("{base}/.well-known/openid-configuration"))
        .body(Bytes::new())
        .unwrap();
    let response = client.send(get).await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.body(), r#"{"method":"GET","body":""}"#);

    let post = Request::post(format!("{base}/register"))
        .header("content-type", "application/json")
        .body(Bytes::from_static(br#"{"redirect_uris":[]}"#))
        .unwrap();
    let response = client.send(post).await.unwrap();
    assert_eq!(
        response.body(),
        r#"{"method":"POST","body":"{\"redirect_uris\":[]}"}"#
    );
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn an_endless_chunked_body_is_cut_off_past_the_limit() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/jwks", listener.local_addr().unwrap());
    let (written_tx, written_rx) = oneshot::channel();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        read_request(&mut stream).await;
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
        stream.write_all(head.as_bytes()).await.unwrap();
        let chunk = format!("4000\r\n{}\r\n", "a".repeat(0x4000));
        let mut written = 0usize;
        // Endless: only the client hanging up ends it.
        while stream.write_all(chunk.as_bytes()).await.is_ok() {
            written += 0x4000;
        }
        let _ = written_tx.send(written);
    });
    let client = client().max_response_bytes(64 * 1024);
    let err = client
        .send(Request::get(&url).body(Bytes::new()).unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), HttpErrorKind::BodyTooLarge, "{err}");
    assert_eq!(
        err.to_string(),
        "response body exceeds the limit of 65536 bytes"
    );
    drop(client);
    // The server's writes fail once the client has dropped the connection: reading stopped.
    let written = written_rx.await.expect("the server saw the client go");
    assert!(written >= 64 * 1024, "{written}");
}

#[tokio::test]
async fn an_announced_oversized_body_is_refused_before_reading() {
    let (base, _) =
        serve(|_, _| "HTTP/1.1 200 OK\r\ncontent-length: 5000000\r\n\r\n{".to_owned()).await;
    let err = client()
        .send(Request::get(format!("{base}/")).body(Bytes::new()).unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), HttpErrorKind::BodyTooLarge, "{err}");
}

#[tokio::test]
async fn a_redirect_is_returned_not_followed() {
    let (base, count) = serve(|head, _| {
        if head.starts_with("GET /moved ") {
            "HTTP/1.1 302 Found\r\nlocation: /elsewhere\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                .to_owned()
        } else {
            json_response("200 OK", r#"{"elsewhere":true}"#)
        }
    })
    .await;
    let response = client()
        .send(
            Request::get(format!("{base}/moved"))
                .body(Bytes::new())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], "/elsewhere");
    assert_eq!(
        count.load(Ordering::SeqCst),
        1,
        "/elsewhere was never asked"
    );
}

/// Accepts connections and never answers, until the test ends.
async fn silent_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    base
}

#[tokio::test]
async fn a_silent_server_times_out() {
    let base = silent_server().await;
    let client = client().timeout(Duration::from_millis(200));
    let err = client
        .send(
            Request::get(format!("{base}/slow"))
                .body(Bytes::new())
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), HttpErrorKind::Timeout, "{err}");
    assert_eq!(err.to_string(), "request timed out after 200ms");
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let err = client()
        .send(Request::get(format!("{base}/")).body(Bytes::new()).unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), HttpErrorKind::Connect, "{err}");
    assert!(err.to_string().starts_with("connection failed: "), "{err}");
}

#[tokio::test]
async fn the_https_policy_and_the_per_call_timeout_hold_above_the_backend() {
    let (base, count) = serve(|_, _| json_response("200 OK", "{}")).await;
    let client = client();

    // Plain http off this machine is refused before the backend sees it.
    let err = oidc_http::send(
        &client,
        Request::post("http://op.example/register")
            .body(Bytes::from_static(b"{}"))
            .unwrap(),
        None,
        PlainHttp::LoopbackOnly,
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), HttpErrorKind::InsecureUrl, "{err}");
    // Loopback is fine, and goes through the backend.
    oidc_http::send(
        &client,
        Request::get(format!("{base}/")).body(Bytes::new()).unwrap(),
        None,
        PlainHttp::LoopbackOnly,
    )
    .await
    .unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 1);

    // The call's own limit, shorter than the backend's 30 s.
    let silent = silent_server().await;
    let err = oidc_http::send(
        &client,
        Request::get(format!("{silent}/slow"))
            .body(Bytes::new())
            .unwrap(),
        Some(Duration::from_millis(150)),
        PlainHttp::LoopbackOnly,
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), HttpErrorKind::Timeout, "{err}");
    assert_eq!(err.to_string(), "request timed out after 150ms");
    assert_eq!(err.url(), Some(format!("{silent}/slow").as_str()));
}
