//! Errors that stop a run. A bad record is data (a finding or a quarantine
//! row); these are the failures of the run itself, each saying where it
//! happened and, where it helps, what to do.

use std::fmt;
use std::path::PathBuf;

use crate::message::shown_path;

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

/// Errors that stop a run. Messages name the file, line, column and header
/// and the kind of problem, never a record's values; paths are shown
/// escaped ([`crate::message`]).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: cannot read the file: {source}", shown_path(.path))]
    ReadInput { path: PathBuf, source: std::io::Error },

    #[error("{}: the file is empty (0 bytes); export the extract again", shown_path(.path))]
    EmptyInput { path: PathBuf },

    #[error("{}: {message}", shown_path(.path))]
    InputFormat { path: PathBuf, message: String },

    #[error("{}:{line}: {message}", shown_path(.path))]
    InputAt { path: PathBuf, line: u64, message: String },

    #[error("{}: no column holds the full name (họ và tên). {found} If that row is the header, add the header of the name column as an alias of full_name in a file passed with --columns; if the file has no header row, add one above the data", shown_path(.path))]
    MissingNameColumn { path: PathBuf, found: String },

    #[error("{0}")]
    Rules(RuleErrors),

    #[error("{}: cannot write the output: {source}", shown_path(.path))]
    WriteOutput { path: PathBuf, source: std::io::Error },

    #[error("{}: cannot write the Parquet file: {message}", shown_path(.path))]
    WriteParquet { path: PathBuf, message: String },

    #[error("{}: another dancu run is writing this output folder, or `dancu review` has it open{}; wait for it to finish (stop the review page with Ctrl+C), or write to another --out", shown_path(.out), holder_text(.holder))]
    OutputLocked { out: PathBuf, holder: Option<crate::output::lock::Holder> },

    #[error("{}: this input is inside the output folder {}, which a run replaces as a whole; write to another folder (for example --out {}-cleaned) or move the input out of it first", shown_path(.input), shown_path(.out), shown_path(.out))]
    InputInsideOutput { input: PathBuf, out: PathBuf },

    #[error("{0}")]
    Training(String),

    #[error("{0}")]
    Usage(String),
}

fn holder_text(holder: &Option<crate::output::lock::Holder>) -> String {
    match holder {
        Some(h) => format!(" (process {}, started {})", h.pid, h.started),
        None => String::new(),
    }
}

impl Error {
    /// The exit code scripts see for this error (the README's table).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) | Error::InputInsideOutput { .. } => exit::USAGE,
            Error::OutputLocked { .. } => exit::LOCKED,
            _ => exit::FAILED,
        }
    }
}

/// The exit codes of `dancu`, as the README documents them.
pub mod exit {
    /// The run finished; bad rows are data (quarantine, findings).
    pub const SUCCESS: u8 = 0;
    /// The run failed: an input, a rule file or an output.
    pub const FAILED: u8 = 1;
    /// A usage error: a bad option or argument; nothing was read.
    pub const USAGE: u8 = 2;
    /// The run finished, but some records hit an internal error and were
    /// quarantined with the stage named.
    pub const RECORDS_FAILED: u8 = 3;
    /// Another run holds the output folder.
    pub const LOCKED: u8 = 4;
    /// An internal error stopped the run; the previous outputs are whole.
    pub const INTERNAL: u8 = 5;
}

pub type Result<T> = std::result::Result<T, Error>;
