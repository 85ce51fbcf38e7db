//! What kind of failure an error is, as API: the same four categories for every crate's
//! errors, so callers (and the CLI's exit codes) decide from a method, not from the message.

use std::fmt;

/// Who or what a failure is down to.
///
/// - [`Caller`](Self::Caller): the caller's input is unusable (invalid metadata, an access
///   token that cannot go into a header, an unusable issuer, …); nothing was sent, and sending
///   the same again fails the same way.
/// - [`Refused`](Self::Refused): the provider understood the request and said no (an OAuth
///   error, a rejected token, 403/404/405), or does not offer what was asked (no registration
///   endpoint, no management for the client).
/// - [`Transport`](Self::Transport): the exchange did not complete (connect, TLS, timeout, a
///   body over the size limit); trying again later may work.
/// - [`Protocol`](Self::Protocol): the provider answered something this library cannot use (an
///   unexpected status, a body that is not a JSON object, a registration without a usable
///   `client_id`, an answer about another client, an unusable URL in its documents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCategory {
    /// The caller's input is unusable; nothing was sent.
    Caller,
    /// The provider refused, or does not offer the operation.
    Refused,
    /// The request or its answer did not get through.
    Transport,
    /// The provider's answer cannot be used.
    Protocol,
}

impl ErrorCategory {
    /// A stable lowercase name: `caller`, `refused`, `transport`, `protocol`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Caller => "caller",
            Self::Refused => "refused",
            Self::Transport => "transport",
            Self::Protocol => "protocol",
        }
    }
}

impl fmt::Display for ErrorCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
