//! Proxies for the built-in client: every request to a proxied host goes through an HTTP
//! `CONNECT` tunnel to the proxy, for `https` and plain `http` alike, so that TLS is always
//! end to end and the proxy never sees a request, a token or a response.

use std::error::Error;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::uri::{Authority, Uri};
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

use crate::{HttpError, HttpErrorKind};

/// Where the builder was told to find a proxy.
#[derive(Clone, Debug, Default)]
pub(crate) enum ProxySetting {
    /// Connect directly.
    #[default]
    Direct,
    /// `ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY` (upper or lower case), read when
    /// the client is built.
    FromEnv,
    /// This proxy for every host not in `no_proxy`.
    Explicit {
        url: String,
        no_proxy: Option<String>,
    },
}

impl ProxySetting {
    /// The matcher that decides, per destination, whether (and where) to tunnel.
    pub(crate) fn matcher(&self) -> Option<Matcher> {
        match self {
            Self::Direct => None,
            Self::FromEnv => Some(Matcher::from_env()),
            Self::Explicit { url, no_proxy } => Some(
                Matcher::builder()
                    .all(url.clone())
                    .no(no_proxy.clone().unwrap_or_default())
                    .build(),
            ),
        }
    }
}

/// Checks an explicit proxy URL: `http://host:port`, optionally with `user:password@`.
pub(crate) fn check_proxy_url(url: &str) -> Result<(), HttpError> {
    let invalid = |why: &str| {
        HttpError::new(
            HttpErrorKind::InvalidRequest,
            format!("proxy url {}: {why}", crate::redact_url(url)),
        )
    };
    let uri: Uri = url.parse().map_err(|_| invalid("not a url"))?;
    match uri.scheme_str() {
        Some(scheme) if scheme.eq_ignore_ascii_case("http") => {}
        Some(_) => return Err(invalid("only http:// proxies (HTTP CONNECT) are supported")),
        None => return Err(invalid("expected http://host:port")),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(invalid("expected http://host:port"));
    }
    Ok(())
}

/// A failure to set up the tunnel through the proxy; the proxy's own answer or I/O error is
/// the source.
#[derive(Debug)]
pub(crate) struct ProxyError {
    message: String,
    source: Option<Box<dyn Error + Send + Sync>>,
}

impl fmt::Display for ProxyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error for ProxyError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn Error + 'static))
    }
}

type BoxError = Box<dyn Error + Send + Sync>;

/// The TCP connector of the built-in client: direct, or through a `CONNECT` tunnel when the
/// matcher says so. TLS (from the https connector around it) then runs inside the tunnel.
#[derive(Clone)]
pub(crate) struct ProxyConnector {
    http: HttpConnector,
    matcher: Option<Arc<Matcher>>,
}

impl ProxyConnector {
    pub(crate) fn new(http: HttpConnector, matcher: Option<Matcher>) -> Self {
        Self {
            http,
            matcher: matcher.map(Arc::new),
        }
    }
}

impl Service<Uri> for ProxyConnector {
    type Response = TokioIo<TcpStream>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let Some(intercept) = self.matcher.as_ref().and_then(|m| m.intercept(&dst)) else {
            let connecting = self.http.call(dst);
            return Box::pin(async move { connecting.await.map_err(Into::into) });
        };
        let proxy = intercept.uri().clone();
        let proxy_name = format!(
            "{}:{}",
            proxy.host().unwrap_or_default(),
            proxy.port_u16().unwrap_or(80)
        );
        if !proxy
            .scheme_str()
            .is_some_and(|s| s.eq_ignore_ascii_case("http"))
        {
            let error = ProxyError {
                message: format!(
                    "proxy {proxy_name}: only http:// proxies (HTTP CONNECT) are supported"
                ),
                source: None,
            };
            return Box::pin(async move { Err(error.into()) });
        }
        let mut tunnel = Tunnel::new(proxy, self.http.clone());
        if let Some(auth) = intercept.basic_auth() {
            tunnel = tunnel.with_auth(auth.clone());
        }
        let dst = with_port(dst);
        Box::pin(async move {
            std::future::poll_fn(|cx| tunnel.poll_ready(cx))
                .await
                .map_err(|e| tunnel_error(&proxy_name, e))?;
            tunnel
                .call(dst)
                .await
                .map_err(|e| tunnel_error(&proxy_name, e))
        })
    }
}

fn tunnel_error(proxy: &str, error: impl Error + Send + Sync + 'static) -> BoxError {
    Box::new(ProxyError {
        message: format!("proxy {proxy}: {}", crate::error::root_cause(&error)),
        source: Some(Box::new(error)),
    })
}

/// The destination with its port spelt out: the tunnel would otherwise assume 443, also for
/// plain http.
fn with_port(dst: Uri) -> Uri {
    if dst.port().is_some() {
        return dst;
    }
    let port = crate::util::default_port(&dst);
    let Some(host) = dst.host() else {
        return dst;
    };
    let Ok(authority) = format!("{host}:{port}").parse::<Authority>() else {
        return dst;
    };
    let mut parts = dst.clone().into_parts();
    parts.authority = Some(authority);
    Uri::from_parts(parts).unwrap_or(dst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_proxy_urls_are_accepted() {
        assert!(check_proxy_url("http://127.0.0.1:3128").is_ok());
        assert!(check_proxy_url("http://user:pw@proxy.example:8080").is_ok());
        let err = check_proxy_url("https://user:pw@proxy.example").unwrap_err();
        assert_eq!(err.kind(), HttpErrorKind::InvalidRequest);
        assert_eq!(
            err.to_string(),
            "proxy url https://proxy.example/: only http:// proxies (HTTP CONNECT) are supported"
        );
        assert!(!format!("{err:?}").contains("pw"));
        assert!(check_proxy_url("socks5://proxy.example:1080").is_err());
        assert!(check_proxy_url("not a url").is_err());
    }

    #[test]
    fn ports_are_spelt_out() {
        let uri = |s: &str| s.parse::<Uri>().unwrap();
        assert_eq!(with_port(uri("http://op.example/a")).port_u16(), Some(80));
        assert_eq!(with_port(uri("https://op.example/a")).port_u16(), Some(443));
        assert_eq!(
            with_port(uri("https://op.example:8443/")).port_u16(),
            Some(8443)
        );
    }

    #[test]
    fn an_explicit_proxy_is_bypassed_for_its_no_proxy_hosts() {
        let setting = ProxySetting::Explicit {
            url: "http://127.0.0.1:3128".into(),
            no_proxy: Some("localhost,.internal.example".into()),
        };
        let matcher = setting.matcher().unwrap();
        let uri = |s: &str| s.parse::<Uri>().unwrap();
        assert!(matcher.intercept(&uri("https://op.example/")).is_some());
        assert!(matcher.intercept(&uri("http://op.example/")).is_some());
        assert!(matcher.intercept(&uri("https://localhost/")).is_none());
        assert!(matcher
            .intercept(&uri("https://a.internal.example/"))
            .is_none());
        assert!(ProxySetting::Direct.matcher().is_none());
    }
}
