//! What the domain says when it refuses: a bad value, or a rule the command breaks.

use std::fmt;

/// A value a supporter typed that cannot be accepted, with a message (in Japanese) that says
/// what to fix. The field it came from is added by the command that carried it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidValue {
    pub message: String,
}

impl InvalidValue {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InvalidValue {}
