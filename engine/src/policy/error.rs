//! Errors of the policy parser and compiler.

use std::fmt;

/// A policy document that cannot be parsed or does not follow the IAM grammar.
///
/// `path` names the offending JSON element (`Statement[2].Effect`), `expected` says what
/// the grammar wants there and `found` what the document has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyError {
    /// JSON path of the offending element (empty for the document itself).
    pub path: String,
    /// What the grammar expects there.
    pub expected: String,
    /// What was found (a short rendering of the JSON value, or a reason).
    pub found: String,
}

impl PolicyError {
    pub(crate) fn new(
        path: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        PolicyError {
            path: path.into(),
            expected: expected.into(),
            found: found.into(),
        }
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "document"
        } else {
            &self.path
        };
        write!(
            f,
            "{path}: expected {}, found {}",
            self.expected, self.found
        )
    }
}

impl std::error::Error for PolicyError {}
