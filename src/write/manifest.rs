//! `manifest.json`: what a run read (with hashes), which rules it used, what
//! each stage counted and how long it took. Everything but `run` is the same
//! for the same inputs and rules.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::error::Error;
use crate::link::block::BlockingStats;
use crate::read::InputSummary;

#[derive(Debug, Serialize)]
pub struct Manifest<'a> {
    pub dancu_version: &'static str,
    pub reference_date: String,
    pub report_units: &'static str,
    pub rules: RulesInfo<'a>,
    pub inputs: &'a [InputSummary],
    /// What reading found about the inputs (a file whose content is not
    /// what its name says), as the operator was told.
    pub warnings: &'a [String],
    pub counts: Counts,
    pub blocking: &'a [BlockingStats],
    pub outputs: Vec<&'static str>,
    /// Where the report's previous figures came from, if any.
    pub report_previous: Option<String>,
    /// The clerks' decisions the run honoured, when it had any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decisions: Option<DecisionsInfo>,
    /// The only part that differs between reruns.
    pub run: RunInfo,
}

#[derive(Debug, Serialize)]
pub struct RulesInfo<'a> {
    pub source: &'a str,
    pub version: &'a str,
}

#[derive(Debug, Default, Serialize)]
pub struct Counts {
    pub rows_read: u64,
    pub records: u64,
    pub quarantined: u64,
    pub findings: u64,
    pub findings_by_severity: BTreeMap<&'static str, u64>,
    pub findings_by_code: BTreeMap<&'static str, u64>,
    pub records_with_findings: u64,
    pub persons: u64,
    pub duplicate_records: u64,
    pub pairs_compared: u64,
    /// Linked pairs whose clusters a guard kept apart (they would have
    /// joined two valid, different IDs).
    pub merges_refused: u64,
    pub pairs_written: u64,
    pub address_status: BTreeMap<&'static str, u64>,
    /// Records quarantined because working on them panicked, by stage.
    pub internal_errors: BTreeMap<&'static str, u64>,
    /// Rows of tonight that the master already held as they are: counted
    /// in `rows_read`, kept as the master's record.
    pub records_seen: u64,
    /// Tonight's lines of changes.csv, by change.
    pub changes: BTreeMap<&'static str, u64>,
    /// On a night: the new master as a whole (the counts above are
    /// tonight's records').
    #[serde(skip_serializing_if = "Option::is_none")]
    pub master: Option<MasterCounts>,
}

/// The master a night wrote, as a whole.
#[derive(Debug, Default, Serialize)]
pub struct MasterCounts {
    /// Rows of records/current.parquet: the current records.
    pub records: u64,
    /// The persons those records are.
    pub persons: u64,
    /// The master's records read and linked again tonight: those sharing a
    /// blocking key with tonight's and the other records of their persons.
    pub records_read: u64,
}

/// What the clerks' decisions did to a run.
#[derive(Debug, Serialize)]
pub struct DecisionsInfo {
    /// The `decisions.csv` files read, in order.
    pub files: Vec<String>,
    /// Their rows (each distinct row once).
    pub rows: u64,
    /// Pairs with a decision in force (the latest on the pair, not an undo).
    pub pairs: u64,
    /// Pairs decided `same`, clustered together.
    pub same: u64,
    /// Pairs decided `different`, kept apart.
    pub different: u64,
    /// Pairs decided `unsure`, left in review.
    pub unsure: u64,
    /// `same` pairs that could not be joined without putting two records
    /// decided `different` in one person.
    pub same_refused: u64,
    /// Decisions on a record this run no longer has.
    pub no_longer_apply: u64,
    /// Decisions made before one of their records was corrected: the pair
    /// goes back to review.
    pub record_corrected: u64,
}

#[derive(Debug, Serialize)]
pub struct RunInfo {
    /// Seconds since the Unix epoch when the run started.
    pub started_at_unix: u64,
    pub threads: usize,
    pub timings_ms: BTreeMap<&'static str, u64>,
    /// What this run found about its output folder (a lock taken over, the
    /// leftovers of a run that died).
    pub warnings: Vec<String>,
}

pub fn write(path: &Path, manifest: &Manifest) -> Result<(), Error> {
    let mut text = serde_json::to_string_pretty(manifest)
        .map_err(|e| Error::WriteOutput { path: path.to_path_buf(), source: std::io::Error::other(e) })?;
    text.push('\n');
    crate::output::atomic::write_bytes(path, text.as_bytes())
}
