//! WebFinger issuer discovery (OIDC Discovery §2) against a fake `HttpClient` that records the
//! exact request and answers with a canned JRD, so the https URLs of the specification can be
//! asserted without a network.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_TYPE};
use http::{Request, Response, StatusCode};
use oidc_discovery::{discover_issuer, DiscoveryError, DiscoveryOptions, ISSUER_REL};
use oidc_http::{BoxFuture, HttpClient, HttpError};
use serde_json::{json, Value};

/// Answers every request with one response and remembers the requests.
#[derive(Debug)]
struct Fake {
    content_type: &'static str,
    body: Vec<u8>,
    requests: Mutex<Vec<Request<Bytes>>>,
}

impl Fake {
    fn new(content_type: &'static str, body: Value) -> Arc<Self> {
        Arc::new(Self {
            content_type,
            body: serde_json::to_vec(&body).unwrap(),
            requests: Mutex::default(),
        })
    }

    fn jrd(body: Value) -> Arc<Self> {
        Self::new("application/jrd+json", body)
    }

    fn urls(&self) -> Vec<String> {
        let requests = self.requests.lock().unwrap();
        requests.iter().map(|r| r.uri().to_string()).collect()
    }
}

impl HttpClient for Fake {
    fn send(&self, request: Request<Bytes>) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        self.requests.lock().unwrap().push(request);
        let response = Response::builder()
            .status(StatusCode::OK)
            .header(CONTENT_TYPE, self.content_type)
            .body(Bytes::from(self.body.clone()))
            .unwrap();
        Box::pin(async move { Ok(response) })
    }
}

fn options(fake: &Arc<Fake>) -> DiscoveryOptions {
    DiscoveryOptions::default().with_http_client(fake.clone())
}

fn issuer_link(href: &str) -> Value {
    json!({"rel": ISSUER_REL, "href": href})
}

const REL: &str = "rel=http%3A%2F%2Fopenid.net%2Fspecs%2Fconnect%2F1.0%2Fissuer";

#[tokio::test]
async fn an_acct_resource_finds_the_issuer() {
    let fake = Fake::jrd(json!({
        "subject": "acct:joe@example.com",
        "links": [issuer_link("https://server.example.com")]
    }));
    let issuer = discover_issuer("joe@example.com", &options(&fake))
        .await
        .unwrap();
    assert_eq!(issuer, "https://server.example.com");
    assert_eq!(
        fake.urls(),
        [format!(
            "https://example.com/.well-known/webfinger?resource=acct%3Ajoe%40example.com&{REL}"
        )]
    );
    let requests = fake.requests.lock().unwrap();
    assert_eq!(requests[0].method(), http::Method::GET);
    assert_eq!(
        requests[0].headers()[ACCEPT],
        "application/jrd+json, application/json"
    );
}

#[tokio::test]
async fn url_and_host_port_resources() {
    for (input, url) in [
        (
            "https://example.com/joe",
            "https://example.com/.well-known/webfinger?resource=https%3A%2F%2Fexample.com%2Fjoe",
        ),
        (
            "example.com/joe#profile",
            "https://example.com/.well-known/webfinger?resource=https%3A%2F%2Fexample.com%2Fjoe",
        ),
        (
            "example.com:8080",
            "https://example.com:8080/.well-known/webfinger?resource=https%3A%2F%2Fexample.com%3A8080",
        ),
        (
            "acct:juliet%40capulet.example@shopping.example.com",
            "https://shopping.example.com/.well-known/webfinger?resource=acct%3Ajuliet%2540capulet.example%40shopping.example.com",
        ),
    ] {
        // application/json is accepted as well as application/jrd+json.
        let fake = Fake::new(
            "application/json; charset=utf-8",
            json!({"links": [issuer_link("https://server.example.com/tenant")]}),
        );
        let issuer = discover_issuer(input, &options(&fake)).await.unwrap();
        assert_eq!(issuer, "https://server.example.com/tenant", "{input}");
        assert_eq!(fake.urls(), [format!("{url}&{REL}")], "{input}");
    }
}

#[tokio::test]
async fn unknown_members_are_ignored_and_the_first_issuer_link_wins() {
    let fake = Fake::jrd(json!({
        "subject": "acct:joe@example.com",
        "aliases": ["https://example.com/~joe"],
        "properties": {"http://example.com/ns/role": "employee"},
        "x-vendor": {"nested": [1, 2, 3]},
        "links": [
            {"rel": "http://webfinger.net/rel/avatar", "href": "https://example.com/joe.png"},
            {"rel": ISSUER_REL},
            {"rel": ISSUER_REL, "href": "https://first.example", "titles": {"en": "x"}, "x": 1},
            issuer_link("https://second.example")
        ]
    }));
    let issuer = discover_issuer("joe@example.com", &options(&fake))
        .await
        .unwrap();
    assert_eq!(issuer, "https://first.example");
}

#[tokio::test]
async fn no_matching_link_is_an_error() {
    for body in [
        json!({"subject": "acct:joe@example.com"}),
        json!({"links": []}),
        json!({"links": [{"rel": "http://openid.net/specs/connect/1.0/issuer/", "href": "https://x.example"}]}),
        json!({"links": [{"rel": ISSUER_REL, "href": 5}]}),
    ] {
        let fake = Fake::jrd(body.clone());
        let error = discover_issuer("joe@example.com", &options(&fake))
            .await
            .unwrap_err();
        assert!(
            matches!(error, DiscoveryError::NoIssuerLink { .. }),
            "{body}: {error:?}"
        );
        assert!(error.to_string().contains("no openid issuer link"));
    }
}

#[tokio::test]
async fn unusable_issuer_links_are_refused() {
    for (href, reason) in [
        ("http://server.example.com", "plain http"),
        ("https://server.example.com/?tenant=a", "query"),
        ("https://server.example.com/#frag", "fragment"),
        ("https://server.example.com/#", "fragment"),
        ("urn:example:issuer", "not https"),
        ("server.example.com", "not a URL"),
    ] {
        let fake = Fake::jrd(json!({"links": [issuer_link(href)]}));
        let error = discover_issuer("joe@example.com", &options(&fake))
            .await
            .unwrap_err();
        assert!(
            matches!(&error, DiscoveryError::InvalidIssuerLink { reason: r, .. } if r.contains(reason)),
            "{href}: {error:?}"
        );
    }
}

#[tokio::test]
async fn non_jrd_answers_are_errors() {
    let fake = Fake::new("text/html", json!({}));
    let error = discover_issuer("joe@example.com", &options(&fake))
        .await
        .unwrap_err();
    assert!(
        matches!(error, DiscoveryError::UnexpectedContentType { .. }),
        "{error:?}"
    );
    for body in [json!(["links"]), json!({"links": {"rel": ISSUER_REL}})] {
        let fake = Fake::jrd(body);
        let error = discover_issuer("joe@example.com", &options(&fake))
            .await
            .unwrap_err();
        assert!(
            matches!(error, DiscoveryError::InvalidWebFinger { .. }),
            "{error:?}"
        );
    }
}

#[tokio::test]
async fn a_jrd_with_two_links_arrays_is_refused_and_a_bom_skipped() {
    let raw = |body: &[u8]| {
        Arc::new(Fake {
            content_type: "application/jrd+json",
            body: body.to_vec(),
            requests: Mutex::default(),
        })
    };
    let evil = format!(
        r#"{{"links":[{}],"links":[{}]}}"#,
        issuer_link("https://server.example.com"),
        issuer_link("https://evil.example")
    );
    let error = discover_issuer("joe@example.com", &options(&raw(evil.as_bytes())))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, DiscoveryError::DuplicateMember { member, .. } if member == "links"),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .ends_with("the document has the member \"links\" more than once"),
        "{error}"
    );

    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(
        serde_json::to_vec(&json!({"links": [issuer_link("https://server.example.com")]})).unwrap(),
    );
    let issuer = discover_issuer("joe@example.com", &options(&raw(&bom)))
        .await
        .unwrap();
    assert_eq!(issuer, "https://server.example.com");
}

#[tokio::test]
async fn bad_input_sends_nothing() {
    let fake = Fake::jrd(json!({}));
    for input in ["", "#only-a-fragment", "acct:nobody", "https://"] {
        let error = discover_issuer(input, &options(&fake)).await.unwrap_err();
        assert!(
            matches!(error, DiscoveryError::InvalidResource { .. }),
            "{input:?}: {error:?}"
        );
    }
    assert!(fake.urls().is_empty());
}

#[tokio::test]
async fn plain_http_anywhere_allows_loopback_webfinger_and_http_links() {
    // By default a loopback host is still asked over https; an http link to this machine is
    // accepted (the one https policy), one to another host refused.
    let fake = Fake::jrd(json!({"links": [issuer_link("http://127.0.0.1:9000")]}));
    let issuer = discover_issuer("acct:joe@127.0.0.1:9000", &options(&fake))
        .await
        .unwrap();
    assert_eq!(issuer, "http://127.0.0.1:9000");
    assert!(fake.urls()[0].starts_with("https://127.0.0.1:9000/.well-known/webfinger?"));
    let fake = Fake::jrd(json!({"links": [issuer_link("http://op.example:9000")]}));
    let error = discover_issuer("acct:joe@127.0.0.1:9000", &options(&fake))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("plain http"), "{error}");

    let fake = Fake::jrd(json!({"links": [issuer_link("http://127.0.0.1:9000")]}));
    let quirky = options(&fake).with_plain_http(oidc_http::PlainHttp::Anywhere);
    let issuer = discover_issuer("acct:joe@127.0.0.1:9000", &quirky)
        .await
        .unwrap();
    assert_eq!(issuer, "http://127.0.0.1:9000");
    assert_eq!(
        fake.urls(),
        [format!("http://127.0.0.1:9000/.well-known/webfinger?resource=acct%3Ajoe%40127.0.0.1%3A9000&{REL}")]
    );

    // A non-loopback host is never asked over http.
    let fake = Fake::jrd(json!({"links": [issuer_link("https://server.example.com")]}));
    let quirky = options(&fake).with_plain_http(oidc_http::PlainHttp::Anywhere);
    discover_issuer("joe@example.com", &quirky).await.unwrap();
    assert!(fake.urls()[0].starts_with("https://example.com/"));
}
