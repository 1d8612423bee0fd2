//! The master a night is cleaned against: the output folder of an earlier
//! run (full or nightly). Its records are the population known so far, each
//! with its `person_id`; its `identity.json` is the ledger of person IDs;
//! its `changes.csv` is the history that tonight's changes are added to.
//!
//! The master is only read. A night's output is a new master, written as
//! every output set is, so a failed night leaves yesterday's whole.

pub mod night;
pub mod store;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::identity::{parse_person_id, Ledger, PersonNumber};
use crate::message::shown_path;
use crate::normalize::Normalized;
use crate::read::Extract;
use crate::record::Field;

/// The version of the master's layout; a master of another is refused.
pub const MASTER_FORMAT: u64 = 1;

/// An opened master: what a night needs of it besides its records.
pub struct Master {
    pub folder: PathBuf,
    pub ledger: Ledger,
    /// The rows of its `quarantine.csv` (header excluded, cells as they
    /// were before the spreadsheet guard): rows of earlier nights that
    /// could not be read, carried into the new master before tonight's.
    pub quarantine: Vec<Vec<String>>,
}

impl Master {
    /// Opens the master in `folder`: checks that it is a dancu output of
    /// this version and these rules (unless `rebuild`, which relinks it
    /// whole under the rules of today), and reads its ledger and its
    /// quarantine (the records stay in its dataset, `store`).
    pub fn open(folder: &Path, rules_version: &str, rebuild: bool) -> Result<Master> {
        let shown = shown_path(folder);
        let refuse = |what: String| Error::Usage(format!("--master {shown}: {what}"));
        let current = format!("{}/{}", store::RECORDS_DIR, store::CURRENT_FILE);
        for file in [current.as_str(), "identity.json", "manifest.json", "changes.csv"] {
            if !folder.join(file).is_file() {
                return Err(refuse(format!(
                    "no {file}; a master is the output folder of an earlier `dancu clean` of this version \
                     (an output of a version before records/: clean its records.csv as an extract, which keeps \
                     its person IDs though not its retired ones, and use that output as the master)"
                )));
            }
        }
        let manifest = read_json(&folder.join("manifest.json"))?;
        let written_by = manifest["dancu_version"].as_str().unwrap_or("");
        let written_rules = manifest["rules"]["version"].as_str().unwrap_or("");
        if !rebuild && (written_by != env!("CARGO_PKG_VERSION") || written_rules != rules_version) {
            return Err(refuse(format!(
                "written by dancu {written_by} with rules {written_rules}, this is dancu {} with rules {rules_version}; \
                 pass --rebuild to relink the whole master under today's rules (person IDs are kept)",
                env!("CARGO_PKG_VERSION")
            )));
        }
        let ledger = read_ledger(&folder.join("identity.json"))?;
        let quarantine = match folder.join("quarantine.csv") {
            path if path.is_file() => read_rows(&path, 5)?,
            _ => Vec::new(),
        };
        Ok(Master { folder: folder.to_path_buf(), ledger, quarantine })
    }

    /// Its `changes.csv`, which the new master's continues byte for byte.
    pub fn history_path(&self) -> PathBuf {
        self.folder.join("changes.csv")
    }

    /// The rows of its `changes.csv` (header excluded): read only where a
    /// night needs them (to tell which decisions a correction outdated).
    pub fn history(&self) -> Result<Vec<Vec<String>>> {
        read_rows(&self.history_path(), 5)
    }
}

fn read_json(path: &Path) -> Result<serde_json::Value> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::ReadInput { path: path.to_path_buf(), source: e })?;
    serde_json::from_str(&text).map_err(|e| Error::InputFormat {
        path: path.to_path_buf(),
        message: format!("is not valid JSON ({e}); the master is damaged: use the output of another night"),
    })
}

/// Reads a ledger as `identity.json` holds it.
pub fn read_ledger(path: &Path) -> Result<Ledger> {
    let document = read_json(path)?;
    let bad = |what: &str| Error::InputFormat {
        path: path.to_path_buf(),
        message: format!("{what}; the master is damaged: use the output of another night"),
    };
    if document["format"].as_u64() != Some(MASTER_FORMAT) {
        return Err(bad(&format!("is not of format {MASTER_FORMAT}")));
    }
    let next_free = document["next_free_person"].as_u64().ok_or_else(|| bad("has no next_free_person"))?;
    let mut ledger = Ledger { next_free, retired: Default::default() };
    if let Some(retired) = document["retired"].as_object() {
        for (retired, survivor) in retired {
            let pair = (parse_person_id(retired), survivor.as_str().and_then(parse_person_id));
            let (Some(retired), Some(survivor)) = pair else { return Err(bad("names a retired ID that is not one")) };
            if retired <= survivor || retired >= next_free {
                return Err(bad("retires an ID into a younger one, or one never minted"));
            }
            ledger.retired.insert(retired, survivor);
        }
    }
    Ok(ledger)
}

/// The rows of one of the master's CSV files (header excluded), each of
/// `width` cells, the spreadsheet guard taken off.
fn read_rows(path: &Path, width: usize) -> Result<Vec<Vec<String>>> {
    let mut reader = csv::Reader::from_path(path)
        .map_err(|e| Error::InputFormat { path: path.to_path_buf(), message: format!("cannot be read ({e})") })?;
    let mut rows = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let damaged = || Error::InputFormat {
            path: path.to_path_buf(),
            message: format!("line {}: not a row of this file; the master is damaged", i + 2),
        };
        let row = row.map_err(|_| damaged())?;
        if row.len() != width {
            return Err(damaged());
        }
        rows.push(row.iter().map(|cell| crate::output::excel_safe::unguard(cell).to_string()).collect());
    }
    Ok(rows)
}

/// How tonight's rows met the master's records.
#[derive(Debug, Default)]
pub struct NightMerge {
    /// Records (by index after the merge) first seen tonight.
    pub added: Vec<usize>,
    /// Records the master knew under the same `record_id` with other
    /// content (a corrected row of a keyed register), by index after the
    /// merge.
    pub updated: Vec<usize>,
    /// `record_id`s of tonight's rows that the master holds as they are
    /// (a night run twice): they are the master's record, not another.
    pub seen: Vec<String>,
}

/// Folds tonight's records into the master's. The master's records are
/// those of input `master_source`; a night's row whose `record_id` the
/// master has is the master's record: dropped when its content is the
/// same, else put in its place, keeping where and when it first came and
/// the person it was. Returns the changes; `record_ids` and the records are
/// updated in step.
pub fn merge_night(
    extract: &mut Extract,
    normalized: &mut Vec<Normalized>,
    record_ids: &mut Vec<String>,
    master_source: u32,
) -> NightMerge {
    let mut known: crate::hash::HashMap<&str, usize> = crate::hash::HashMap::default();
    for (i, record) in extract.records.iter().enumerate() {
        if record.source == master_source {
            known.insert(record_ids[i].as_str(), i);
        }
    }
    let n = extract.records.len();
    let mut drop = vec![false; n];
    let mut replaced_by: Vec<Option<usize>> = vec![None; n];
    let mut merge = NightMerge::default();
    for i in 0..n {
        if extract.records[i].source == master_source {
            continue;
        }
        let Some(&m) = known.get(record_ids[i].as_str()) else { continue };
        let same = Field::ALL
            .iter()
            .all(|&f| extract.records[i].values.get(f).trim() == extract.records[m].values.get(f).trim());
        drop[if same { i } else { m }] = true;
        if same {
            merge.seen.push(record_ids[i].clone());
        } else {
            replaced_by[m] = Some(i);
            let origin = extract.records[m].origin.take();
            extract.records[i].origin = origin;
        }
    }
    // The corrected row takes the master record's place in the order.
    let mut updated = vec![false; n];
    for &tonight in replaced_by.iter().flatten() {
        updated[tonight] = true;
    }
    let mut order: Vec<usize> = Vec::with_capacity(n);
    for i in 0..n {
        match (drop[i], replaced_by[i]) {
            (true, Some(tonight)) => order.push(tonight),
            (true, None) => {}
            (false, _) if updated[i] => {}
            (false, _) => order.push(i),
        }
    }
    let mut records = std::mem::take(&mut extract.records).into_iter().map(Some).collect::<Vec<_>>();
    let mut values = std::mem::take(normalized).into_iter().map(Some).collect::<Vec<_>>();
    let mut ids = std::mem::take(record_ids).into_iter().map(Some).collect::<Vec<_>>();
    for (position, &i) in order.iter().enumerate() {
        let record = records[i].take().expect("each record placed once");
        if updated[i] {
            merge.updated.push(position);
        } else if record.source != master_source {
            merge.added.push(position);
        }
        extract.records.push(record);
        normalized.push(values[i].take().expect("each record placed once"));
        record_ids.push(ids[i].take().expect("each record placed once"));
    }
    merge
}

/// The person each record was in the master (records new tonight: none).
pub fn known_persons(extract: &Extract) -> Vec<Option<PersonNumber>> {
    extract.records.iter().map(|r| r.origin.as_deref().and_then(|o| parse_person_id(&o.person))).collect()
}
