//! The error of every file importer.

use std::fmt;

/// Why an input file could not be imported: which file, where in it, what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// The file (or source name) as given.
    pub source: String,
    /// Which JSON document of the file (0 for the first), for concatenated pages.
    pub document: usize,
    /// The JSON path of the problem, when it is inside the JSON.
    pub path: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.source)?;
        if self.document > 0 {
            write!(f, "JSON document {}: ", self.document + 1)?;
        }
        if let Some(path) = &self.path {
            write!(f, "at JSON path {path}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ImportError {}

impl ImportError {
    /// An error about a whole file (no JSON path).
    pub fn file(source: &str, message: impl Into<String>) -> Self {
        ImportError {
            source: source.to_string(),
            document: 0,
            path: None,
            message: message.into(),
        }
    }
}
