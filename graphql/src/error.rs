//! Errors as clients see them: a stable code in `extensions.code`, no internal details.

use std::fmt;

use async_graphql::{Error, ErrorExtensions};

/// The stable `extensions.code` of every error this schema returns.
///
/// Clients branch on the code, never on the message, which may change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// A fault on the server's side (the database did not answer ...): nothing the client can
    /// fix; the details are in the server's log.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The message of every internal error: the same whatever went wrong.
pub(crate) const INTERNAL_MESSAGE: &str = "internal error: the details have been logged";

/// A technical fault: logged in full here, reported to the client as a generic `INTERNAL` error.
pub(crate) fn internal(what: &'static str, error: impl fmt::Display) -> Error {
    tracing::error!(error = %error, "{what}");
    Error::new(INTERNAL_MESSAGE).extend_with(|_, e| e.set("code", ErrorCode::Internal.as_str()))
}
