//! The https policy: the one rule, for the whole workspace, of where plain `http://` may be
//! used, applied above the [`HttpClient`] trait so that it holds whatever backend is plugged in.

use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, Uri};

use crate::util::timed_out;
use crate::{is_loopback_host, HttpClient, HttpError, HttpErrorKind};

/// Where plain `http://` may be used. Everything else must be `https://`.
///
/// The default, [`LoopbackOnly`](Self::LoopbackOnly), allows plain http only to this machine
/// (`localhost`, `127.0.0.0/8`, `[::1]`), where no network attacker can read a token. Every
/// request the library sends — discovery, key sets, WebFinger, a registration with its initial
/// access token, a management call with its registration access token — is checked by
/// [`send`] against the policy of the call's options, before the [`HttpClient`] sees it, so
/// the rule is the same for the default client and for any backend. The same policy decides
/// which URLs in a provider's documents are acceptable. The one override is
/// [`Anywhere`](Self::Anywhere), for test environments.
///
/// ```
/// use oidc_http::PlainHttp;
///
/// assert!(PlainHttp::LoopbackOnly.allows("https://op.example/register"));
/// assert!(PlainHttp::LoopbackOnly.allows("http://127.0.0.1:8080/register"));
/// assert!(!PlainHttp::LoopbackOnly.allows("http://op.example/register"));
/// assert!(PlainHttp::Anywhere.allows("http://op.example/register"));
/// assert!(!PlainHttp::Anywhere.allows("ftp://op.example/register"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PlainHttp {
    /// `https` everywhere; plain `http` only to loopback hosts.
    #[default]
    LoopbackOnly,
    /// Plain `http` to any host. Tokens and secrets then cross the network in clear text: for
    /// test environments only.
    Anywhere,
}

impl PlainHttp {
    /// Whether a request to `uri` is allowed: an absolute `https` URL, or `http` where the
    /// policy allows it.
    ///
    /// # Errors
    ///
    /// [`HttpErrorKind::InsecureUrl`] for plain http the policy refuses,
    /// [`HttpErrorKind::InvalidRequest`] for a URL without a host or with another scheme.
    pub fn check(self, uri: &Uri) -> Result<(), HttpError> {
        let host = crate::host_and_port(uri)
            .map(|(host, _)| host)
            .filter(|host| !host.is_empty());
        let (Some(scheme), Some(host)) = (uri.scheme_str(), host) else {
            return Err(HttpError::new(
                HttpErrorKind::InvalidRequest,
                "request url must be absolute with a host",
            ));
        };
        if scheme.eq_ignore_ascii_case("https") {
            return Ok(());
        }
        if !scheme.eq_ignore_ascii_case("http") {
            return Err(HttpError::new(
                HttpErrorKind::InvalidRequest,
                format!("unsupported url scheme {scheme:?}, expected https"),
            ));
        }
        if self == Self::Anywhere || is_loopback_host(host) {
            return Ok(());
        }
        Err(HttpError::new(
            HttpErrorKind::InsecureUrl,
            "refusing plain http to a host other than this machine, use https",
        ))
    }

    /// Whether `url` passes [`check`](Self::check); `false` for text that is not a URL.
    pub fn allows(self, url: &str) -> bool {
        url.parse::<Uri>().is_ok_and(|uri| self.check(&uri).is_ok())
    }

    /// Whether `url` is text this policy may refuse as plain http: `false` for text that
    /// starts with the `https:` scheme, decided from the text alone without parsing (only
    /// plain http is ever refused, and a scheme is case-insensitive, RFC 3986 §3.1);
    /// otherwise whether [`allows`](Self::allows) says no. A caller that refuses only what
    /// is plain http (not text that is no URL at all) checks that itself, after this.
    pub fn may_refuse(self, url: &str) -> bool {
        !has_https_scheme(url) && !self.allows(url)
    }

    /// The plain origin of `url` (see [`plain_origin_text`](crate::plain_origin_text)) when
    /// this policy allows `url`: a judgement made once that [`AllowedOrigin::covers`] then
    /// extends, without parsing, to every URL on the same origin. `None` when the policy
    /// refuses `url` or its origin text is not plain.
    ///
    /// ```
    /// use oidc_http::PlainHttp;
    ///
    /// let issuer = PlainHttp::LoopbackOnly.allowed_origin("http://127.0.0.1:8080").unwrap();
    /// assert!(issuer.covers("http://127.0.0.1:8080/token"));
    /// assert!(!issuer.covers("http://127.0.0.1:8081/token"));
    /// assert!(PlainHttp::LoopbackOnly.allowed_origin("http://op.example").is_none());
    /// ```
    pub fn allowed_origin(self, url: &str) -> Option<AllowedOrigin<'_>> {
        let origin = crate::plain_origin_text(url)?;
        (!self.may_refuse(url)).then_some(AllowedOrigin { origin })
    }
}

/// An origin the https policy allows, from [`PlainHttp::allowed_origin`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllowedOrigin<'a> {
    origin: &'a str,
}

impl AllowedOrigin<'_> {
    /// Whether `url` is on this origin (its text is the origin's, then a path, query, fragment
    /// or nothing), so that the policy allows it too: same scheme, same host.
    pub fn covers(&self, url: &str) -> bool {
        crate::util::is_on_origin(url, self.origin)
    }
}

/// Whether `url` begins with the `https:` scheme, in any case.
fn has_https_scheme(url: &str) -> bool {
    url.get(..6)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https:"))
}

/// Sends `request` on `client` after checking its URL against `plain_http`, giving up after
/// `timeout` if one is set (on top of the client's own timeouts). This is the one door every
/// request of the library goes through: the https policy and the per-call limit hold for any
/// [`HttpClient`] implementation.
///
/// # Errors
///
/// The policy's error (nothing was sent), the client's error, or [`HttpErrorKind::Timeout`]
/// when `timeout` passed first.
pub async fn send(
    client: &dyn HttpClient,
    request: Request<Bytes>,
    timeout: Option<Duration>,
    plain_http: PlainHttp,
) -> Result<Response<Bytes>, HttpError> {
    let uri = request.uri().clone();
    plain_http
        .check(&uri)
        .map_err(|error| error.with_url(&uri))?;
    let result = match timeout {
        None => client.send(request).await,
        Some(timeout) => tokio::time::timeout(timeout, client.send(request))
            .await
            .unwrap_or_else(|_| Err(timed_out(timeout))),
    };
    result.map_err(|error| match error.url() {
        Some(_) => error,
        None => error.with_url(&uri),
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use super::*;
    use crate::BoxFuture;

    /// A backend that would send anything, and counts what reaches it.
    #[derive(Debug, Default)]
    struct Counting(AtomicUsize);

    impl HttpClient for Counting {
        fn send(
            &self,
            _request: Request<Bytes>,
        ) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Box::pin(async { Ok(Response::new(Bytes::new())) })
        }
    }

    fn request(url: &str) -> Request<Bytes> {
        Request::get(url).body(Bytes::new()).unwrap()
    }

    #[tokio::test]
    async fn the_policy_holds_whatever_the_backend() {
        let backend = Arc::new(Counting::default());
        for url in [
            "http://op.example/register",
            "ftp://op.example/",
            "/relative",
        ] {
            let error = send(
                backend.as_ref(),
                request(url),
                None,
                PlainHttp::LoopbackOnly,
            )
            .await
            .unwrap_err();
            assert_ne!(error.kind(), HttpErrorKind::Other, "{url}");
        }
        assert_eq!(backend.0.load(Ordering::SeqCst), 0);

        for url in [
            "https://op.example/",
            "http://127.0.0.1:1/",
            "http://localhost/",
            "http://[::1]/",
        ] {
            send(
                backend.as_ref(),
                request(url),
                None,
                PlainHttp::LoopbackOnly,
            )
            .await
            .unwrap();
        }
        send(
            backend.as_ref(),
            request("http://op.example/"),
            None,
            PlainHttp::Anywhere,
        )
        .await
        .unwrap();
        assert_eq!(backend.0.load(Ordering::SeqCst), 5);
    }

    #[test]
    fn https_always_http_to_loopback_by_default_and_nothing_else() {
        let check = |url: &str, policy: PlainHttp| policy.check(&url.parse().unwrap());
        for url in ["https://example.com/x", "HTTPS://192.0.2.1:8443/"] {
            check(url, PlainHttp::LoopbackOnly).unwrap();
        }
        for url in [
            "http://localhost/",
            "http://LOCALHOST:8080/x",
            "http://127.9.9.9/",
            "http://[::1]:8080/",
        ] {
            check(url, PlainHttp::LoopbackOnly).unwrap();
        }
        for url in [
            "http://example.com/",
            "http://192.0.2.1/",
            "http://localhost.example.com/",
            "http://[::2]/",
        ] {
            let error = check(url, PlainHttp::LoopbackOnly).unwrap_err();
            assert_eq!(error.kind(), HttpErrorKind::InsecureUrl, "{url}");
            check(url, PlainHttp::Anywhere).unwrap();
        }
        for url in ["ftp://example.com/", "ws://localhost/", "/relative", "*"] {
            for policy in [PlainHttp::LoopbackOnly, PlainHttp::Anywhere] {
                let error = check(url, policy).unwrap_err();
                assert_eq!(error.kind(), HttpErrorKind::InvalidRequest, "{url}");
            }
        }
    }

    #[test]
    fn https_text_is_never_refused_and_other_text_is_what_allows_refuses() {
        for url in [
            "https://op.example/x",
            "HTTPS://op.example/",
            "HttpS:not parsed",
        ] {
            assert!(!PlainHttp::LoopbackOnly.may_refuse(url), "{url}");
        }
        for url in [
            "http://op.example/",
            "ftp://op.example/",
            "not a url",
            "http",
        ] {
            assert!(PlainHttp::LoopbackOnly.may_refuse(url), "{url}");
        }
        assert!(!PlainHttp::LoopbackOnly.may_refuse("http://127.0.0.1/"));
        assert!(!PlainHttp::Anywhere.may_refuse("http://op.example/"));
    }

    #[test]
    fn insecure_urls_are_named_without_their_query() {
        let error = PlainHttp::LoopbackOnly
            .check(&"http://op.example/r?token=abc".parse().unwrap())
            .unwrap_err();
        assert_eq!(error.kind(), HttpErrorKind::InsecureUrl);
        assert!(!error.to_string().contains("abc"), "{error}");
    }
}
