//! Loopback host detection, used to allow plain `http` for local development.

use std::net::{Ipv4Addr, Ipv6Addr};

/// Returns `true` if `host` names the local machine: `localhost`
/// (case-insensitive), any address in `127.0.0.0/8`, or `::1` with or
/// without square brackets.
///
/// Only literal addresses and the exact name `localhost` qualify. Names are
/// not resolved, so a DNS name that happens to point at `127.0.0.1` is not
/// treated as loopback: its resolution could change between the check and
/// the connection.
///
/// ```
/// use oidc_http::is_loopback_host;
///
/// assert!(is_loopback_host("LocalHost"));
/// assert!(is_loopback_host("127.0.0.53"));
/// assert!(is_loopback_host("[::1]"));
/// assert!(!is_loopback_host("example.com"));
/// ```
pub fn is_loopback_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    if let Ok(v4) = host.parse::<Ipv4Addr>() {
        return v4.is_loopback();
    }
    let unbracketed = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    unbracketed
        .parse::<Ipv6Addr>()
        .is_ok_and(|v6| v6.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::is_loopback_host;

    #[test]
    fn accepts_loopback_hosts() {
        for host in [
            "localhost",
            "LOCALHOST",
            "LocalHost",
            "127.0.0.1",
            "127.0.0.53",
            "127.255.255.254",
            "::1",
            "[::1]",
            "0:0:0:0:0:0:0:1",
            "[0:0:0:0:0:0:0:1]",
        ] {
            assert!(is_loopback_host(host), "{host} should be loopback");
        }
    }

    #[test]
    fn rejects_other_hosts() {
        for host in [
            "",
            "example.com",
            "localhost.example.com",
            "mylocalhost",
            "localhost.",
            "128.0.0.1",
            "126.255.255.255",
            "0.0.0.0",
            "10.0.0.1",
            "127.1",
            "127.0.0.1.example.com",
            "::",
            "[::]",
            "::2",
            "[::1",
            "::1]",
            "[[::1]]",
            "::ffff:127.0.0.1",
            "192.0.2.1",
        ] {
            assert!(!is_loopback_host(host), "{host:?} should not be loopback");
        }
    }
}
