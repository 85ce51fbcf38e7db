//! The error type shared by every [`HttpClient`](crate::HttpClient) implementation.

use std::error::Error;
use std::fmt;
#[cfg(any(feature = "hyper-client", feature = "reqwest"))]
use std::io;

use crate::TlsFailure;

/// Why an HTTP request failed, at a granularity callers can act on.
///
/// The set is small and closed per release so that [`HttpErrorKind::as_str`]
/// can be used as a bounded metric label; new kinds may be added in minor
/// releases, hence `#[non_exhaustive]`.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HttpErrorKind {
    /// The TCP connection could not be established (refused, unreachable,
    /// DNS failure).
    Connect,
    /// The TLS handshake failed, including certificate validation; the error's
    /// [`tls_failure`](HttpError::tls_failure) says why, when it is known.
    Tls,
    /// The request (or establishing its connection) took longer than allowed.
    Timeout,
    /// The response body exceeded the configured size limit.
    BodyTooLarge,
    /// The URL uses plain `http` for a host that is not loopback.
    InsecureUrl,
    /// The request could not be sent as built: unsupported scheme, missing
    /// host, invalid header value. Also a client that cannot be configured as
    /// asked: a user agent that is no header value, a PEM document without a
    /// certificate, a client key that does not match its certificate.
    InvalidRequest,
    /// The peer violated HTTP or closed the connection mid-exchange.
    Protocol,
    /// Anything else.
    Other,
}

impl HttpErrorKind {
    /// A stable, lower-case `snake_case` name for the kind, suitable as a
    /// metric label or log field.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connect => "connect",
            Self::Tls => "tls",
            Self::Timeout => "timeout",
            Self::BodyTooLarge => "body_too_large",
            Self::InsecureUrl => "insecure_url",
            Self::InvalidRequest => "invalid_request",
            Self::Protocol => "protocol",
            Self::Other => "other",
        }
    }

    /// Whether the request was sent and its exchange broke (connect, TLS, timeout, size limit,
    /// a broken HTTP exchange), as opposed to a request that could not be sent as built
    /// ([`InsecureUrl`](Self::InsecureUrl), [`InvalidRequest`](Self::InvalidRequest)): the
    /// callers' error categories tell a transport failure from an unusable URL by this.
    pub fn is_transport(self) -> bool {
        !matches!(self, Self::InsecureUrl | Self::InvalidRequest)
    }
}

impl fmt::Display for HttpErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An HTTP request failed before a complete response was received.
///
/// The message never contains request headers or the URL's query string, as
/// either may carry credentials. Nor does it contain the URL: the request's URL is recorded once
/// by [`send`](crate::send), redacted, in [`url`](Self::url), and the library's own errors say it
/// in their context (`fetching https://op.example/.well-known/openid-configuration failed`), so a
/// chain printer shows it once.
///
/// The built-in clients put the deepest cause into the message ("connection failed: connection
/// refused") and keep no [`source`](Error::source), so that a chain printer does not repeat it;
/// what a caller acts on is typed: [`kind`](Self::kind) and [`tls_failure`](Self::tls_failure).
#[derive(Debug)]
pub struct HttpError {
    kind: HttpErrorKind,
    tls_failure: Option<TlsFailure>,
    message: String,
    url: Option<String>,
    source: Option<Box<dyn Error + Send + Sync>>,
}

impl HttpError {
    /// Creates an error of the given kind. `message` is what [`Display`](fmt::Display)
    /// prints: lower-case, without a trailing period.
    pub fn new(kind: HttpErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            tls_failure: None,
            message: message.into(),
            url: None,
            source: None,
        }
    }

    /// Attaches the underlying error, returned by [`Error::source`]. `Display` does not show
    /// it (a chain printer does), so the message should not repeat what it says.
    pub fn with_source(mut self, source: impl Into<Box<dyn Error + Send + Sync>>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// Records why the TLS connection failed, for [`tls_failure`](Self::tls_failure).
    pub fn with_tls_failure(mut self, failure: TlsFailure) -> Self {
        self.tls_failure = Some(failure);
        self
    }

    /// Records the URL of the request that failed, without its user-info and query (which may
    /// carry credentials); [`send`](crate::send) does it for every error it returns.
    pub fn with_url(mut self, uri: &http::Uri) -> Self {
        self.url = Some(crate::util::redact_uri(uri));
        self
    }

    /// The URL of the request that failed, as `scheme://host[:port]/path`, when it was recorded
    /// (every error from [`send`](crate::send) has it). It is not part of the message.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// The kind of failure.
    pub fn kind(&self) -> HttpErrorKind {
        self.kind
    }

    /// Why the TLS connection failed, for a [`HttpErrorKind::Tls`] error whose client knows
    /// (the `HyperClient` always does): an untrusted or expired server
    /// certificate, a wrong host name, a handshake cut short, a peer that does not speak TLS, …
    /// `None` for other kinds.
    ///
    /// ```
    /// use oidc_http::{HttpError, HttpErrorKind, TlsFailure};
    ///
    /// let err = HttpError::new(HttpErrorKind::Tls, "tls handshake failed")
    ///     .with_tls_failure(TlsFailure::UntrustedCertificate);
    /// assert!(err.tls_failure().is_some_and(TlsFailure::is_server_certificate_problem));
    /// ```
    pub fn tls_failure(&self) -> Option<TlsFailure> {
        self.tls_failure
    }

    /// Returns `true` if the request or its connection timed out.
    pub fn is_timeout(&self) -> bool {
        self.kind == HttpErrorKind::Timeout
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error for HttpError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn Error + 'static))
    }
}

/// Iterates over `err` and everything beneath it.
///
/// `io::Error::source` skips the error it wraps and returns *that* error's
/// source, which would hide a `rustls::Error` inside tokio-rustls's
/// `InvalidData` errors, so wrapped io errors are unpacked with `get_ref`.
#[cfg(any(feature = "hyper-client", feature = "reqwest"))]
fn chain<'a>(err: &'a (dyn Error + 'static)) -> impl Iterator<Item = &'a (dyn Error + 'static)> {
    std::iter::successors(Some(err), |&e: &&'a (dyn Error + 'static)| match e
        .downcast_ref::<io::Error>()
    {
        Some(io_err) => io_err
            .get_ref()
            .map(|inner| inner as &(dyn Error + 'static)),
        None => e.source(),
    })
}

/// The TLS failure somewhere in `err`'s chain: a `rustls::Error`, or an alert known only by
/// rustls's text.
#[cfg(any(feature = "hyper-client", feature = "reqwest"))]
pub(crate) fn tls_failure_in(err: &(dyn Error + 'static)) -> Option<TlsFailure> {
    if let Some(tls) = chain(err).find_map(|e| e.downcast_ref::<rustls::Error>()) {
        return Some(TlsFailure::from_rustls(tls));
    }
    chain(err)
        .find_map(alert_in_text)
        .map(|alert| TlsFailure::from_rustls(&rustls::Error::AlertReceived(alert)))
}

/// Whether the connection was cut (end of stream, reset, aborted, broken pipe) somewhere in
/// `err`'s chain.
#[cfg(any(feature = "hyper-client", feature = "reqwest"))]
pub(crate) fn cut_short(err: &(dyn Error + 'static)) -> bool {
    chain(err).any(|e| {
        e.downcast_ref::<io::Error>().is_some_and(|io_err| {
            matches!(
                io_err.kind(),
                io::ErrorKind::UnexpectedEof
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::BrokenPipe
            )
        })
    })
}

/// What went wrong with the proxy tunnel, when that is what failed.
#[cfg(feature = "hyper-client")]
pub(crate) fn proxy_failure(err: &(dyn Error + 'static)) -> Option<String> {
    chain(err)
        .find_map(|e| e.downcast_ref::<crate::proxy::ProxyError>())
        .map(ToString::to_string)
}

/// Maps a transport error from the hyper stack to a kind, and a TLS failure to its reason.
///
/// Order matters: TLS failures and connect timeouts surface as connect
/// errors in hyper-util, and the more specific kind is more useful.
#[cfg(feature = "hyper-client")]
pub(crate) fn classify(err: &(dyn Error + 'static)) -> (HttpErrorKind, Option<TlsFailure>) {
    // The tunnel through a proxy is set up before any TLS: its failure is a connect failure.
    if proxy_failure(err).is_some() {
        let timed_out = chain(err).any(|e| {
            e.downcast_ref::<io::Error>()
                .is_some_and(|io_err| io_err.kind() == io::ErrorKind::TimedOut)
        });
        let kind = if timed_out {
            HttpErrorKind::Timeout
        } else {
            HttpErrorKind::Connect
        };
        return (kind, None);
    }
    if let Some(failure) = tls_failure_in(err) {
        return (HttpErrorKind::Tls, Some(failure));
    }
    let timed_out = chain(err).any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|io_err| io_err.kind() == io::ErrorKind::TimedOut)
            || e.downcast_ref::<hyper::Error>()
                .is_some_and(hyper::Error::is_timeout)
    });
    if timed_out {
        return (HttpErrorKind::Timeout, None);
    }
    if let Some(client_err) = err.downcast_ref::<hyper_util::client::legacy::Error>() {
        if !client_err.is_connect() {
            return (HttpErrorKind::Protocol, None);
        }
        // Establishing a TCP connection fails as refused, unreachable or timed out, never with
        // an end of stream or a reset (a reset answer to a SYN is "refused"): these mean the
        // connection was up and the TLS handshake on it is what broke.
        if cut_short(err) {
            return (HttpErrorKind::Tls, Some(TlsFailure::HandshakeCutShort));
        }
        return (HttpErrorKind::Connect, None);
    }
    if chain(err).any(|e| e.is::<hyper::Error>()) {
        return (HttpErrorKind::Protocol, None);
    }
    (HttpErrorKind::Other, None)
}

/// The TLS alert a peer sent, from an I/O error that only has rustls's message left.
///
/// An alert that arrives after the handshake (the server refusing the client certificate in
/// TLS 1.3) surfaces while reading the response, and over HTTP/2 the h2 crate keeps only the
/// kind and text of I/O errors, so the typed `rustls::Error` is gone by the time hyper reports
/// it. rustls writes it as `received fatal alert: <name>`, the name being the
/// `AlertDescription`'s `Debug` form, which is matched back here.
#[cfg(any(feature = "hyper-client", feature = "reqwest"))]
fn alert_in_text(err: &(dyn Error + 'static)) -> Option<rustls::AlertDescription> {
    let io_err = err.downcast_ref::<io::Error>()?;
    if io_err.kind() != io::ErrorKind::InvalidData {
        return None;
    }
    let text = io_err.get_ref()?.to_string();
    let name = text.strip_prefix("received fatal alert: ")?;
    (0..=u8::MAX)
        .map(rustls::AlertDescription::from)
        .find(|alert| format!("{alert:?}") == name)
}

/// A short, human-readable description of the deepest error in the chain,
/// which is where the actionable detail ("connection refused", "invalid peer
/// certificate") lives; the outer layers only say which component failed.
#[cfg(any(feature = "hyper-client", feature = "reqwest"))]
pub(crate) fn root_cause(err: &(dyn Error + 'static)) -> String {
    let Some(root) = chain(err).last() else {
        return err.to_string();
    };
    match root.downcast_ref::<io::Error>() {
        // OS errors print as "Connection refused (os error 111)"; the kind's
        // description is lower-case and platform independent.
        Some(io_err) if io_err.raw_os_error().is_some() => {
            let kind = io_err.kind().to_string();
            if io_err.kind() == io::ErrorKind::Other || kind == "uncategorized error" {
                io_err.to_string()
            } else {
                kind
            }
        }
        _ => root.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[allow(unused_imports)]
    use std::io;

    use super::*;

    #[test]
    fn kind_labels_are_stable() {
        let expected = [
            (HttpErrorKind::Connect, "connect"),
            (HttpErrorKind::Tls, "tls"),
            (HttpErrorKind::Timeout, "timeout"),
            (HttpErrorKind::BodyTooLarge, "body_too_large"),
            (HttpErrorKind::InsecureUrl, "insecure_url"),
            (HttpErrorKind::InvalidRequest, "invalid_request"),
            (HttpErrorKind::Protocol, "protocol"),
            (HttpErrorKind::Other, "other"),
        ];
        for (kind, label) in expected {
            assert_eq!(kind.as_str(), label);
            assert_eq!(kind.to_string(), label);
        }
    }

    #[test]
    fn display_is_the_message_and_source_is_kept() {
        let io_err = io::Error::new(io::ErrorKind::ConnectionRefused, "refused");
        let err = HttpError::new(HttpErrorKind::Connect, "connection failed")
            .with_source(io_err)
            .with_url(&"http://u:p@a/b?c=d".parse().unwrap());
        assert_eq!(err.to_string(), "connection failed");
        assert_eq!(err.url(), Some("http://a/b"));
        assert_eq!(err.kind(), HttpErrorKind::Connect);
        assert!(!err.is_timeout());
        let source = err.source().expect("source is kept");
        assert_eq!(source.to_string(), "refused");
        assert!(source.is::<io::Error>());
    }

    #[test]
    fn without_source() {
        let err = HttpError::new(HttpErrorKind::Timeout, "request timed out");
        assert!(err.is_timeout());
        assert!(err.source().is_none());
    }

    #[cfg(feature = "hyper-client")]
    #[test]
    fn rustls_error_inside_io_error_is_tls() {
        let inner = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::General("bad".into()),
        );
        let outer = HttpError::new(HttpErrorKind::Other, "outer").with_source(inner);
        assert_eq!(
            classify(&outer),
            (HttpErrorKind::Tls, Some(TlsFailure::Other))
        );
        assert_eq!(root_cause(&outer), "unexpected error: bad");
    }

    #[cfg(feature = "hyper-client")]
    #[test]
    fn an_alert_known_only_by_its_text_is_still_tls() {
        // What hyper reports over HTTP/2 when the server refuses the client after the handshake.
        let err = io::Error::new(
            io::ErrorKind::InvalidData,
            "received fatal alert: CertificateRequired",
        );
        assert_eq!(
            classify(&err),
            (
                HttpErrorKind::Tls,
                Some(TlsFailure::ClientCertificateRequired)
            )
        );
        let other = io::Error::new(io::ErrorKind::InvalidData, "received fatal alert: Nonsense");
        assert_eq!(classify(&other), (HttpErrorKind::Other, None));
        let not_tls = io::Error::other("received fatal alert: UnknownCA");
        assert_eq!(classify(&not_tls), (HttpErrorKind::Other, None));
    }

    #[cfg(feature = "hyper-client")]
    #[test]
    fn timed_out_io_error_is_timeout() {
        let err = io::Error::new(io::ErrorKind::TimedOut, "slow");
        assert_eq!(classify(&err), (HttpErrorKind::Timeout, None));
    }

    #[cfg(any(feature = "hyper-client", feature = "reqwest"))]
    #[test]
    fn unknown_errors_are_other() {
        let err = io::Error::other("strange");
        #[cfg(feature = "hyper-client")]
        assert_eq!(classify(&err), (HttpErrorKind::Other, None));
        assert_eq!(root_cause(&err), "strange");
    }

    #[cfg(any(feature = "hyper-client", feature = "reqwest"))]
    #[test]
    fn os_errors_use_the_kind_description() {
        // ECONNREFUSED is 111 on Linux; on other platforms the kind may
        // differ, so only check the shape of the message there.
        let err = io::Error::from_raw_os_error(111);
        let cause = root_cause(&err);
        if cfg!(target_os = "linux") {
            assert_eq!(cause, "connection refused");
        } else {
            assert!(!cause.is_empty());
        }
    }
}
