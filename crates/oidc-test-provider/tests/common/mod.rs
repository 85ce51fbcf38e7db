//! A minimal raw HTTP/1.1 client, so the tests depend on no HTTP client crate and can see exactly
//! what goes over the wire (e.g. chunked encoding without Content-Length), and the registration
//! helpers the management and quirk tests share.
#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;

use oidc_test_provider::TestProvider;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Whether the body came with `Transfer-Encoding: chunked`.
    pub chunked: bool,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("response body is JSON")
    }
}

/// Sends one request with `Connection: close` and reads the whole response.
pub async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> RawResponse {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || method == "POST" || method == "PUT" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.expect("write head");
    stream.write_all(body).await.expect("write body");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read response");
    parse(&raw)
}

pub async fn get(addr: SocketAddr, path: &str) -> RawResponse {
    send(addr, "GET", path, &[], b"").await
}

/// POSTs JSON, with an optional bearer token.
pub async fn post_json(
    addr: SocketAddr,
    path: &str,
    body: &Value,
    token: Option<&str>,
) -> RawResponse {
    json_request(addr, "POST", path, body, token).await
}

pub async fn json_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: &Value,
    token: Option<&str>,
) -> RawResponse {
    let body = serde_json::to_vec(body).expect("serialise");
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(auth) = &auth {
        headers.push(("Authorization", auth.as_str()));
    }
    send(addr, method, path, &headers, &body).await
}

/// Minimal client metadata: one redirect URI and a name.
pub fn rp_metadata() -> Value {
    json!({"redirect_uris": ["https://rp.example/cb"], "client_name": "RP"})
}

/// Registers `body` and returns the record; fails the test unless the answer is 201.
pub async fn register_with(provider: &TestProvider, body: &Value) -> Value {
    let response = post_json(provider.addr(), "/register", body, None).await;
    assert_eq!(response.status, 201, "{body}");
    response.json()
}

/// Registers [`rp_metadata`].
pub async fn register(provider: &TestProvider) -> Value {
    register_with(provider, &rp_metadata()).await
}

/// The `client_id` of a record.
pub fn id(record: &Value) -> &str {
    record["client_id"].as_str().expect("client_id")
}

/// The path of a record's client configuration endpoint.
pub fn path(record: &Value) -> String {
    format!("/register/{}", id(record))
}

/// The `registration_access_token` of a record.
pub fn token(record: &Value) -> &str {
    record["registration_access_token"]
        .as_str()
        .expect("registration_access_token")
}

fn parse(raw: &[u8]) -> RawResponse {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of head");
    let head = std::str::from_utf8(&raw[..split]).expect("utf-8 head");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let chunked = headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    let rest = &raw[split + 4..];
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    RawResponse {
        status,
        headers,
        body,
        chunked,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("chunk size line");
        let size_text = std::str::from_utf8(&data[..line_end]).expect("chunk size");
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .expect("hex chunk size");
        data = &data[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}
