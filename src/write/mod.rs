//! The last stage: writes every output of the contract into the output
//! folder, each file atomically, CSV cells made safe for spreadsheets.

pub mod manifest;
mod parquet;

use std::borrow::Cow;
use std::path::Path;

use crate::error::Error;
use crate::finding::{Finding, Severities};
use crate::link::{compare::COMPARISONS, level_name, person_id, Linkage};
use crate::normalize::Normalized;
use crate::output::csv::{write_csv, write_csv_rows};
use crate::read::Extract;
use crate::record::Field;

/// Everything the pipeline produced, as the writers need it.
pub struct RunOutput<'a> {
    pub extract: &'a Extract,
    pub normalized: &'a [Normalized],
    pub linkage: &'a Linkage,
    pub severities: &'a Severities,
}

impl RunOutput<'_> {
    /// The `source` and `row` of record `i`: the file and row it was read
    /// from, or, for a record of a cleaned file, where it first came from.
    fn provenance(&self, i: usize) -> (Cow<'_, str>, Cow<'_, str>) {
        let raw = &self.extract.records[i];
        match &raw.origin {
            Some(origin) => (Cow::Borrowed(&*origin.source), Cow::Borrowed(&*origin.row)),
            None => {
                (Cow::Borrowed(self.extract.inputs[raw.source as usize].name.as_str()), Cow::Owned(raw.row.to_string()))
            }
        }
    }

    /// The records table's header: source and row, each field beside its
    /// original, the carried columns, then the linkage columns.
    pub fn record_columns(&self) -> Vec<String> {
        let mut columns = vec!["source".to_string(), "row".to_string()];
        for field in Field::ALL {
            columns.push(field.name().to_string());
            columns.push(format!("{}_raw", field.name()));
        }
        columns.extend(self.extract.extra_columns.iter().cloned());
        columns.extend(["person_id", "is_primary", "issues"].map(String::from));
        columns
    }

    /// The cells of record `i`, in [`Self::record_columns`] order: those
    /// [`Self::record_cell`] gives one by one, gathered with one look at the
    /// record.
    pub fn record_cells(&self, i: usize) -> Vec<Cow<'_, str>> {
        let raw = &self.extract.records[i];
        let normalized = &self.normalized[i];
        let mut cells: Vec<Cow<str>> = Vec::with_capacity(self.record_column_count());
        let (source, row) = self.provenance(i);
        cells.push(source);
        cells.push(row);
        for field in Field::ALL {
            cells.push(Cow::Borrowed(normalized.values.get(field)));
            cells.push(Cow::Borrowed(raw.values.get(field)));
        }
        for slot in 0..self.extract.extra_columns.len() {
            cells.push(Cow::Borrowed(raw.extras.get(slot).map_or("", |c| c)));
        }
        cells.push(Cow::Owned(person_id(self.linkage.cluster[i])));
        cells.push(Cow::Borrowed(if self.linkage.is_primary[i] { "true" } else { "false" }));
        cells.push(Cow::Owned(issue_codes(&normalized.findings)));
        cells
    }

    pub fn record_column_count(&self) -> usize {
        2 + Field::COUNT * 2 + self.extract.extra_columns.len() + 3
    }

    /// The cell of record `i` in column `column` of [`Self::record_columns`].
    pub fn record_cell(&self, i: usize, column: usize) -> Cow<'_, str> {
        let raw = &self.extract.records[i];
        let normalized = &self.normalized[i];
        let fields_end = 2 + Field::COUNT * 2;
        let extras_end = fields_end + self.extract.extra_columns.len();
        match column {
            0 => self.provenance(i).0,
            1 => self.provenance(i).1,
            c if c < fields_end => {
                let field = Field::ALL[(c - 2) / 2];
                let values = if (c - 2) % 2 == 0 { &normalized.values } else { &raw.values };
                Cow::Borrowed(values.get(field))
            }
            c if c < extras_end => Cow::Borrowed(raw.extras.get(c - fields_end).map_or("", |c| c)),
            c if c == extras_end => Cow::Owned(person_id(self.linkage.cluster[i])),
            c if c == extras_end + 1 => Cow::Borrowed(if self.linkage.is_primary[i] { "true" } else { "false" }),
            _ => Cow::Owned(issue_codes(&normalized.findings)),
        }
    }
}

/// The `issues` column: each code once, in the order found.
fn issue_codes(findings: &[Finding]) -> String {
    let mut codes: Vec<&str> = Vec::new();
    for finding in findings {
        let code = finding.code.as_str();
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    codes.join(";")
}

pub fn write_records_csv(out: &Path, run: &RunOutput) -> Result<(), Error> {
    let columns = run.record_columns();
    write_csv_rows(&out.join("records.csv"), &columns, run.normalized.len(), |i| run.record_cells(i))
}

pub fn write_records_parquet(out: &Path, run: &RunOutput) -> Result<(), Error> {
    parquet::write_records(&out.join("records.parquet"), run)
}

pub fn write_issues(out: &Path, run: &RunOutput) -> Result<u64, Error> {
    let header: Vec<String> =
        ["source", "row", "field", "code", "severity", "value", "suggestion"].map(String::from).to_vec();
    let rows = run.normalized.iter().enumerate().flat_map(|(i, record)| {
        let (source, row) = run.provenance(i);
        record.findings.iter().map(move |f| {
            vec![
                source.clone(),
                row.clone(),
                Cow::Borrowed(f.field.name()),
                Cow::Borrowed(f.code.as_str()),
                Cow::Borrowed(f.severity.label()),
                Cow::Borrowed(&*f.value),
                Cow::Borrowed(&*f.suggestion),
            ]
        })
    });
    write_csv(&out.join("issues.csv"), &header, rows, false)
}

pub fn write_duplicates(out: &Path, run: &RunOutput) -> Result<u64, Error> {
    let mut header: Vec<String> =
        ["source_a", "row_a", "source_b", "row_b", "match_weight", "match_probability"].map(String::from).to_vec();
    for c in &COMPARISONS {
        header.push(c.name.to_string());
        header.push(format!("{}_weight", c.name));
    }
    header.push("decision".to_string());
    let rows = run.linkage.pairs.iter().zip(&run.linkage.pair_weights).map(|(pair, weights)| {
        let (source_a, row_a) = run.provenance(pair.a as usize);
        let (source_b, row_b) = run.provenance(pair.b as usize);
        let mut cells = vec![
            source_a,
            row_a,
            source_b,
            row_b,
            Cow::Owned(format!("{:.3}", pair.match_weight)),
            Cow::Owned(format!("{:.6}", pair.match_probability())),
        ];
        for (c, &level) in pair.levels.iter().enumerate() {
            cells.push(Cow::Borrowed(level_name(c, level)));
            cells.push(Cow::Owned(format!("{:.2}", weights[c])));
        }
        // `match`: linked into one person; `review`: for a clerk to decide.
        cells.push(Cow::Borrowed(pair.decision()));
        cells
    });
    write_csv(&out.join("duplicates.csv"), &header, rows, false)
}

pub fn write_quarantine(out: &Path, run: &RunOutput) -> Result<u64, Error> {
    let header: Vec<String> = ["source", "row", "line", "reason", "raw"].map(String::from).to_vec();
    let rows = run.extract.quarantine.iter().map(|q| {
        vec![
            Cow::Borrowed(run.extract.inputs[q.source as usize].name.as_str()),
            Cow::Owned(q.row.to_string()),
            Cow::Owned(q.line.to_string()),
            Cow::Borrowed(q.reason.as_str()),
            Cow::Borrowed(q.raw.as_str()),
        ]
    });
    write_csv(&out.join("quarantine.csv"), &header, rows, false)
}
