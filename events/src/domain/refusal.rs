//! Why the domain refused a command: a bad input, a broken rule, no permission, or nothing
//! there. Each refusal carries a stable rule code (for programs and tests) and a message in
//! Japanese that tells the supporter what to do instead.

use std::fmt;

use super::error::InvalidValue;

/// What kind of refusal this is; the API maps it to its error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefusalKind {
    /// A value or a combination of values is not acceptable (the field says which).
    InvalidInput,
    /// The command does not fit the case as it stands (e.g. issue setting before the start line).
    RuleBroken,
    /// The actor may not do this.
    Forbidden,
    /// The case, issue, measure ... does not exist.
    NotFound,
}

/// A refused command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub kind: RefusalKind,
    /// A stable snake_case code naming the rule, e.g. `before_start_line`.
    pub rule: &'static str,
    /// The input field at fault, as a path (`kpis[0].target`), where there is one.
    pub field: Option<String>,
    /// What is wrong and what to do, in Japanese.
    pub message: String,
}

impl Refusal {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            kind: RefusalKind::InvalidInput,
            rule: "invalid_input",
            field: Some(field.into()),
            message: message.into(),
        }
    }

    pub fn invalid_value(field: impl Into<String>, value: InvalidValue) -> Self {
        Self::invalid(field, value.message)
    }

    pub fn rule(rule: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind: RefusalKind::RuleBroken,
            rule,
            field: None,
            message: message.into(),
        }
    }

    pub fn forbidden(rule: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind: RefusalKind::Forbidden,
            rule,
            field: None,
            message: message.into(),
        }
    }

    pub fn not_found(rule: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind: RefusalKind::NotFound,
            rule,
            field: None,
            message: message.into(),
        }
    }

    /// The same refusal, naming the field at fault.
    pub fn at(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{}（{field}）", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Refusal {}
