//! Errors as clients see them: a stable code in `extensions.code`, no internal details.

use std::fmt;

use async_graphql::{Error, ErrorExtensions};
use banso_events::StoreError;
use banso_events::domain::refusal::{Refusal, RefusalKind};
use banso_events::domain::service::ExecuteError;

/// The stable `extensions.code` of every error this schema returns.
///
/// Clients branch on the code, never on the message, which may change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// The input is wrong or the command does not fit the case as it stands; `extensions.field`
    /// names the input field at fault where there is one, `extensions.rule` the broken rule.
    BadUserInput,
    /// The client's expected version is stale: read the fresh state and decide again.
    Conflict,
    /// No valid bearer token.
    Unauthenticated,
    /// The signed-in supporter may not see or do this. Also what an outsider gets for a case
    /// that does not exist, so that existence never leaks.
    Forbidden,
    /// The thing named does not exist (inside a case the supporter may see).
    NotFound,
    /// A fault on the server's side (the database did not answer ...): nothing the client can
    /// fix; the details are in the server's log.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
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

/// The one answer for a case the supporter may not see, whether or not it exists.
pub(crate) const NO_ACCESS_MESSAGE: &str =
    "このケースを参照・操作する権限がありません（存在しない場合も同じ応答です）。";

/// A technical fault: logged in full here, reported to the client as a generic `INTERNAL` error.
pub(crate) fn internal(what: &'static str, error: impl fmt::Display) -> Error {
    tracing::error!(error = %error, "{what}");
    with_code(ErrorCode::Internal, INTERNAL_MESSAGE)
}

/// An error with `code` in its extensions.
pub(crate) fn with_code(code: ErrorCode, message: impl Into<String>) -> Error {
    Error::new(message.into()).extend_with(|_, e| e.set("code", code.as_str()))
}

/// A wrong input field: `BAD_USER_INPUT` with `extensions.field` (a camelCase path such as
/// `kpis[0].target`).
pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Error {
    let field = field.into();
    with_code(ErrorCode::BadUserInput, message).extend_with(|_, e| {
        e.set("field", field.as_str());
        e.set("rule", "invalid_input");
    })
}

/// The outsider's answer for a case: `FORBIDDEN`, identical whether or not the case exists.
pub(crate) fn no_access() -> Error {
    with_code(ErrorCode::Forbidden, NO_ACCESS_MESSAGE)
}

/// A domain refusal as a client error, with its rule code.
pub(crate) fn refusal(refusal: Refusal) -> Error {
    let code = match refusal.kind {
        RefusalKind::InvalidInput | RefusalKind::RuleBroken => ErrorCode::BadUserInput,
        RefusalKind::Forbidden => ErrorCode::Forbidden,
        RefusalKind::NotFound => ErrorCode::NotFound,
    };
    let Refusal {
        rule,
        field,
        message,
        ..
    } = refusal;
    with_code(code, message).extend_with(move |_, e| {
        e.set("rule", rule);
        if let Some(field) = &field {
            e.set("field", field.as_str());
        }
    })
}

/// What a failed command looks like to the client.
pub(crate) fn execute_error(error: ExecuteError) -> Error {
    match error {
        ExecuteError::Refused(r) => refusal(r),
        ExecuteError::Store(StoreError::Concurrency { .. }) => with_code(
            ErrorCode::Conflict,
            "ほかの操作が先に記録されました。最新の状態を読み直してから、もう一度実行してください。",
        ),
        ExecuteError::Store(StoreError::CommandIdReused { .. }) => bad_input(
            "commandId",
            "このコマンドIDはほかの操作ですでに使われています。新しいコマンドIDで送り直してください。",
        ),
        ExecuteError::Store(e) => internal("a command failed in the event store", e),
        ExecuteError::Decode(e) => internal("a stored event could not be decoded", e),
    }
}
