//! Errors that stop a run. A bad record is data (a finding or a quarantine
//! row); these are the failures of the run itself, each saying where it
//! happened and, where it helps, what to do.

use std::fmt;
use std::path::PathBuf;

/// A problem in a rule file, reported as `path:line: message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for RuleError {
    /// `path:line: message`, or `path: message` for a problem with the whole
    /// file (line 0).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        }
    }
}

/// Every problem found in the rule files, so one run shows them all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleErrors(pub Vec<RuleError>);

impl fmt::Display for RuleErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} problem(s) in the rule files:", self.0.len())?;
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "  {error}")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: cannot read the file: {source}")]
    ReadInput { path: PathBuf, source: std::io::Error },

    #[error("{path}: the file is empty (0 bytes); export the extract again")]
    EmptyInput { path: PathBuf },

    #[error("{path}: {message}")]
    InputFormat { path: PathBuf, message: String },

    #[error("{path}:{line}: {message}")]
    InputAt { path: PathBuf, line: u64, message: String },

    #[error("{path}: no column holds the full name (họ và tên); columns found: {found}. Add the header as an alias of full_name in a file passed with --columns")]
    MissingNameColumn { path: PathBuf, found: String },

    #[error("{0}")]
    Rules(RuleErrors),

    #[error("{path}: cannot write the output: {source}")]
    WriteOutput { path: PathBuf, source: std::io::Error },

    #[error("{path}: cannot write the Parquet file: {message}")]
    WriteParquet { path: PathBuf, message: String },

    #[error("{0}")]
    Usage(String),
}

pub type Result<T> = std::result::Result<T, Error>;
