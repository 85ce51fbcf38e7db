//! What the metadata rules read from a URI: its scheme, its host and whether it has a fragment.
//!
//! The rules judge URIs the way a browser would, so a URI is read by the WHATWG parser
//! (`url::Url`). Most URIs a client registers are of one plain shape, `https://host/path`, and
//! for those the three answers can be read from the text at a fraction of the parser's cost
//! (it runs IDNA over the host and builds the serialisation). [`ParsedUri::parse`] reads such a
//! URI from its text and hands every other one to the parser; the test
//! `text_reading_agrees_with_the_parser` checks that both give the same answers.

use url::{Host, Url};

/// A URI as far as the rules need it.
pub(super) enum ParsedUri<'a> {
    /// `http://` or `https://`, a lowercase DNS name, an optional port, then a path, query or
    /// fragment of visible ASCII: read from the text, without the parser.
    Plain {
        scheme: &'a str,
        host: &'a str,
        has_fragment: bool,
    },
    /// Every other URI, as the parser read it.
    Parsed(Url),
}

impl<'a> ParsedUri<'a> {
    /// Reads `uri`, or says why the parser refused it.
    pub(super) fn parse(uri: &'a str) -> Result<Self, url::ParseError> {
        match read_plain(uri) {
            Some(plain) => Ok(plain),
            None => Url::parse(uri).map(ParsedUri::Parsed),
        }
    }

    pub(super) fn scheme(&self) -> &str {
        match self {
            ParsedUri::Plain { scheme, .. } => scheme,
            ParsedUri::Parsed(url) => url.scheme(),
        }
    }

    pub(super) fn host(&self) -> Option<Host<&str>> {
        match self {
            ParsedUri::Plain { host, .. } => Some(Host::Domain(host)),
            ParsedUri::Parsed(url) => url.host(),
        }
    }

    pub(super) fn host_str(&self) -> Option<&str> {
        match self {
            ParsedUri::Plain { host, .. } => Some(host),
            ParsedUri::Parsed(url) => url.host_str(),
        }
    }

    pub(super) fn has_fragment(&self) -> bool {
        match self {
            ParsedUri::Plain { has_fragment, .. } => *has_fragment,
            ParsedUri::Parsed(url) => url.fragment().is_some(),
        }
    }
}

/// The text reading, for URIs whose meaning the parser cannot change. Anything the parser
/// would rewrite or could refuse goes to the parser instead: other schemes, upper case,
/// userinfo, IP literals and numeric hosts (read as IPv4), punycode labels (checked by IDNA),
/// empty labels or ports, and any space, control character, backslash or non-ASCII byte
/// (which the parser strips, reads as `/` or encodes).
fn read_plain(uri: &str) -> Option<ParsedUri<'_>> {
    let (scheme, rest) = if let Some(rest) = uri.strip_prefix("https://") {
        ("https", rest)
    } else {
        ("http", uri.strip_prefix("http://")?)
    };
    if !rest
        .bytes()
        .all(|byte| byte.is_ascii_graphic() && byte != b'\\')
    {
        return None;
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, after) = rest.split_at(authority_end);
    let host = match authority.split_once(':') {
        Some((host, port)) if is_port(port) => host,
        Some(_) => return None,
        None => authority,
    };
    if !is_plain_dns_name(host) {
        return None;
    }
    Some(ParsedUri::Plain {
        scheme,
        host,
        has_fragment: after.contains('#'),
    })
}

/// Digits only (`u16::from_str` would also take a `+`), at most 65535.
fn is_port(port: &str) -> bool {
    !port.is_empty()
        && port.bytes().all(|byte| byte.is_ascii_digit())
        && port.parse::<u16>().is_ok()
}

/// Lowercase letters, digits and hyphens in non-empty dot-separated labels, no punycode label,
/// and a last label the parser will not take for an IPv4 number (all digits, or `0x…`).
fn is_plain_dns_name(host: &str) -> bool {
    let plain_labels = host.split('.').all(|label| {
        !label.is_empty()
            && !label.starts_with("xn--")
            && label
                .bytes()
                .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
    });
    let last = host.rsplit('.').next().unwrap_or_default();
    let numeric = last.bytes().all(|byte| byte.is_ascii_digit()) || last.starts_with("0x");
    plain_labels && !numeric
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// When the text reading answers, the parser accepts the URI and gives the same scheme,
    /// host and fragment.
    fn assert_agrees(uri: &str) {
        let Some(plain) = read_plain(uri) else {
            return;
        };
        let url = Url::parse(uri).unwrap_or_else(|error| panic!("{uri:?}: parser says {error}"));
        assert_eq!(plain.scheme(), url.scheme(), "{uri:?}");
        assert_eq!(plain.host_str(), url.host_str(), "{uri:?}");
        assert_eq!(plain.host(), url.host(), "{uri:?}");
        assert_eq!(plain.has_fragment(), url.fragment().is_some(), "{uri:?}");
    }

    #[test]
    fn plain_uris_are_read_from_their_text() {
        for uri in [
            "https://app.example/callback",
            "http://localhost:8080/cb?x=1#frag",
            "https://a-b.c0.example",
            "https://-x-.example:65535?q#f#g",
        ] {
            assert!(read_plain(uri).is_some(), "{uri}");
            assert_agrees(uri);
        }
    }

    #[test]
    fn uris_the_parser_could_rewrite_go_to_it() {
        for uri in [
            "HTTPS://app.example/",
            "https://App.example/",
            "https://user@app.example/",
            "https://app.example:65536/",
            "https://app.example:/",
            "https://app..example/",
            "https://app.example./",
            "https://127.0.0.1/",
            "https://1.2.3/",
            "https://app.0x1f/",
            "https://xn--nxasmq6b.example/",
            "https://app.example\\evil.example/",
            "https://app.example/ cb",
            "https://app.example/\tcb",
            "https://app.exämple/",
            "https:app.example/",
            "com.example.app:/callback",
            "https://[::1]/",
            "https://",
        ] {
            assert!(read_plain(uri).is_none(), "{uri}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn text_reading_agrees_with_the_parser(
            scheme in prop::sample::select(vec!["https://", "http://", "HTTP://", "https:", "ftp://"]),
            host in "(xn--)?[a-z0-9.x-]{0,6}(\\.(xn--)?[a-z0-9-]{0,5}){0,3}",
            port in prop::option::of("[0-9]{0,6}"),
            rest in "[/?#a-z0-9%@:.\\\\ \t\\[\\]-]{0,12}",
        ) {
            let port = port.map(|port| format!(":{port}")).unwrap_or_default();
            assert_agrees(&format!("{scheme}{host}{port}{rest}"));
        }
    }
}
