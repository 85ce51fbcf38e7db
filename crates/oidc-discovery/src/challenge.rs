//! `WWW-Authenticate` challenges (RFC 9110 §11.6.1), read far enough to find RFC 9728's
//! `resource_metadata` parameter (§5.1).

use http::header::WWW_AUTHENTICATE;
use http::HeaderMap;

/// One challenge of a `WWW-Authenticate` header: an authentication scheme and either a
/// `token68` or its parameters (RFC 9110 §11.2, §11.6.1).
///
/// Scheme and parameter names compare case-insensitively; parameter values are unquoted
/// (`\"` and `\\` escapes removed) and otherwise kept as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Challenge {
    /// The authentication scheme as sent, e.g. `Bearer`.
    pub scheme: String,
    /// The `token68` form of the credentials part, when the challenge uses it.
    pub token68: Option<String>,
    /// The parameters in order, names as sent.
    pub params: Vec<(String, String)>,
}

impl Challenge {
    /// The value of the first parameter named `name` (case-insensitively).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// Reads every challenge of one `WWW-Authenticate` field value, several schemes and quoted
/// parameters included (RFC 9110 §11.6.1). Malformed parts are skipped rather than fatal: the
/// header comes from a server and only some parameters matter.
///
/// ```
/// use oidc_discovery::parse_challenges;
///
/// let challenges = parse_challenges(
///     r#"Basic realm="a, b", Bearer error="invalid_token", resource_metadata="https://rs.example/.well-known/oauth-protected-resource""#,
/// );
/// assert_eq!(challenges.len(), 2);
/// assert_eq!(challenges[0].param("realm"), Some("a, b"));
/// assert_eq!(challenges[1].scheme, "Bearer");
/// assert_eq!(
///     challenges[1].param("RESOURCE_METADATA"),
///     Some("https://rs.example/.well-known/oauth-protected-resource")
/// );
/// ```
pub fn parse_challenges(value: &str) -> Vec<Challenge> {
    let mut parser = Parser {
        text: value.as_bytes(),
        at: 0,
    };
    let mut challenges: Vec<Challenge> = Vec::new();
    loop {
        parser.skip_separators();
        let Some(token) = parser.token() else {
            if parser.at >= parser.text.len() {
                break;
            }
            // Not a token: skip to the next comma.
            parser.skip_to_comma();
            continue;
        };
        parser.skip_whitespace();
        if parser.peek() == Some(b'=') {
            let save = parser.at;
            let equals = parser.count(b'=');
            parser.skip_whitespace();
            let ends = matches!(parser.peek(), None | Some(b','));
            if ends && equals >= 1 {
                // `token68` with padding, only right after a scheme.
                if let Some(last) = challenges.last_mut() {
                    if last.params.is_empty() && last.token68.is_none() {
                        last.token68 = Some(format!("{token}{}", "=".repeat(equals)));
                    }
                }
                continue;
            }
            parser.at = save + 1;
            parser.skip_whitespace();
            let value = match parser.peek() {
                Some(b'"') => parser.quoted(),
                _ => parser.bare_value(),
            };
            match (value, challenges.last_mut()) {
                (Some(value), Some(last)) if last.token68.is_none() => {
                    last.params.push((token.to_owned(), value))
                }
                _ => parser.skip_to_comma(),
            }
            continue;
        }
        // A new scheme, perhaps followed by a token68 without padding.
        let mut challenge = Challenge {
            scheme: token.to_owned(),
            token68: None,
            params: Vec::new(),
        };
        let save = parser.at;
        if let Some(candidate) = parser.token68() {
            parser.skip_whitespace();
            if matches!(parser.peek(), None | Some(b',')) {
                challenge.token68 = Some(candidate);
            } else {
                parser.at = save;
            }
        }
        challenges.push(challenge);
    }
    challenges
}

/// The `resource_metadata` URL of the first challenge that carries one, over every
/// `WWW-Authenticate` field of `headers` (RFC 9728 §5.1). Any scheme is looked at: the RFC
/// defines the parameter for every scheme, though `Bearer` is the usual one.
pub fn resource_metadata_from_headers(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(parse_challenges)
        .find_map(|challenge| challenge.param("resource_metadata").map(str::to_owned))
}

struct Parser<'a> {
    text: &'a [u8],
    at: usize,
}

fn is_tchar(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

fn is_token68_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-._~+/".contains(&byte)
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    /// The bytes read since `start`. `at` only advances past bytes `peek` saw, so the range is
    /// always inside `text`; `get` keeps a slip from panicking on provider data.
    fn since(&self, start: usize) -> &'a [u8] {
        self.text.get(start..self.at).unwrap_or_default()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }

    fn skip_separators(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b',')) {
            self.at += 1;
        }
    }

    fn skip_to_comma(&mut self) {
        while let Some(byte) = self.peek() {
            if byte == b',' {
                break;
            }
            if byte == b'"' {
                let _ = self.quoted();
                continue;
            }
            self.at += 1;
        }
    }

    fn count(&mut self, byte: u8) -> usize {
        let start = self.at;
        while self.peek() == Some(byte) {
            self.at += 1;
        }
        self.at - start
    }

    fn token(&mut self) -> Option<&'a str> {
        let start = self.at;
        while self.peek().is_some_and(is_tchar) {
            self.at += 1;
        }
        (self.at > start)
            .then(|| std::str::from_utf8(self.since(start)).ok())
            .flatten()
    }

    fn token68(&mut self) -> Option<String> {
        let start = self.at;
        while self.peek().is_some_and(is_token68_char) {
            self.at += 1;
        }
        if self.at == start {
            return None;
        }
        self.count(b'=');
        std::str::from_utf8(self.since(start))
            .ok()
            .map(str::to_owned)
    }

    /// An unquoted parameter value: a token by RFC 9110, but read up to the next comma or
    /// space, since servers send URLs (`:` and `/` are not token characters) unquoted.
    fn bare_value(&mut self) -> Option<String> {
        let start = self.at;
        while self
            .peek()
            .is_some_and(|byte| !matches!(byte, b',' | b' ' | b'\t' | b'"'))
        {
            self.at += 1;
        }
        (self.at > start).then(|| String::from_utf8_lossy(self.since(start)).into_owned())
    }

    /// A quoted-string starting at `"`; `None` when it is not closed.
    fn quoted(&mut self) -> Option<String> {
        self.at += 1;
        let mut value = Vec::new();
        while let Some(byte) = self.peek() {
            self.at += 1;
            match byte {
                b'"' => return Some(String::from_utf8_lossy(&value).into_owned()),
                b'\\' => {
                    if let Some(escaped) = self.peek() {
                        value.push(escaped);
                        self.at += 1;
                    }
                }
                other => value.push(other),
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_several_schemes_quoted_and_token_values() {
        let challenges = parse_challenges(
            r#"Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple", Bearer resource_metadata=https://rs.example/m"#,
        );
        assert_eq!(challenges.len(), 3, "{challenges:?}");
        assert_eq!(challenges[0].param("type"), Some("1"));
        assert_eq!(challenges[0].param("title"), Some(r#"Login to "apps""#));
        assert_eq!(challenges[1].param("realm"), Some("simple"));
        assert_eq!(
            challenges[2].param("resource_metadata"),
            Some("https://rs.example/m")
        );
    }

    #[test]
    fn token68_and_odd_spacing() {
        let challenges = parse_challenges("Negotiate abc+/def==, bearer   scope = \"a b\" ,, ");
        assert_eq!(challenges[0].token68.as_deref(), Some("abc+/def=="));
        assert_eq!(challenges[1].scheme, "bearer");
        assert_eq!(challenges[1].param("scope"), Some("a b"));
        let plain = parse_challenges("Negotiate abcdef");
        assert_eq!(plain[0].token68.as_deref(), Some("abcdef"));
        assert!(parse_challenges("").is_empty());
        assert!(parse_challenges(" , ,").is_empty());
    }

    #[test]
    fn garbage_does_not_hide_later_challenges() {
        let challenges = parse_challenges(r#"Basic realm="unclosed, Bearer resource_metadata="x""#);
        // The unclosed quote swallows the rest: nothing usable, and no panic.
        assert!(challenges
            .iter()
            .all(|c| c.param("resource_metadata").is_none()));
        let challenges = parse_challenges(r#"@@@, Bearer resource_metadata="https://a/b""#);
        assert_eq!(
            challenges.last().and_then(|c| c.param("resource_metadata")),
            Some("https://a/b")
        );
    }

    #[test]
    fn no_prefix_of_a_header_makes_the_parser_panic_or_loop() {
        let headers = [
            r#"Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple""#,
            r#"Negotiate abc+/def==, Bearer resource_metadata="https://rs.example/m", scope="a b""#,
            "Bearer ,=,==\\\"\t ,x=\"\\",
        ];
        for header in headers {
            for end in 0..=header.len() {
                let _ = parse_challenges(&header[..end]);
            }
        }
    }

    #[test]
    fn finds_the_parameter_across_header_fields() {
        let mut headers = HeaderMap::new();
        headers.append(WWW_AUTHENTICATE, "Basic realm=\"x\"".parse().unwrap());
        headers.append(
            WWW_AUTHENTICATE,
            "Bearer error=\"invalid_token\", resource_metadata=\"https://rs.example/.well-known/oauth-protected-resource/mcp\""
                .parse()
                .unwrap(),
        );
        assert_eq!(
            resource_metadata_from_headers(&headers).as_deref(),
            Some("https://rs.example/.well-known/oauth-protected-resource/mcp")
        );
        assert_eq!(resource_metadata_from_headers(&HeaderMap::new()), None);
    }
}
