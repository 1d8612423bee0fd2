//! The last stage: writes every output of the contract into the output
//! folder, each file atomically, CSV cells made safe for spreadsheets.

pub mod atomic;
pub mod excel_safe;
pub mod manifest;
mod parquet;

use std::borrow::Cow;
use std::path::Path;

use crate::error::Error;
use crate::finding::{Finding, Severities};
use crate::link::{compare::COMPARISONS, level_name, person_id, Linkage};
use crate::normalize::Normalized;
use crate::read::Extract;
use crate::record::Field;
use atomic::AtomicFile;
use excel_safe::excel_safe;
use rayon::prelude::*;

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

fn csv_error(path: &Path, e: csv::Error) -> Error {
    Error::WriteOutput { path: path.to_path_buf(), source: std::io::Error::other(e.to_string()) }
}

/// Writes rows to a CSV file atomically, every cell made spreadsheet-safe.
/// `bom` puts a UTF-8 byte-order mark first, which Excel needs to read
/// Vietnamese text in a CSV correctly.
pub fn write_csv<'r>(
    path: &Path,
    header: &[String],
    rows: impl Iterator<Item = Vec<Cow<'r, str>>>,
    bom: bool,
) -> Result<u64, Error> {
    let mut file = AtomicFile::create(path)?;
    if bom {
        std::io::Write::write_all(file.writer(), b"\xEF\xBB\xBF")
            .map_err(|e| Error::WriteOutput { path: path.to_path_buf(), source: e })?;
    }
    let mut count = 0;
    {
        let mut writer = csv::WriterBuilder::new().from_writer(file.writer());
        writer
            .write_record(header.iter().map(|h| excel_safe(h)).collect::<Vec<_>>().iter().map(|c| c.as_bytes()))
            .map_err(|e| csv_error(path, e))?;
        for row in rows {
            writer
                .write_record(row.iter().map(|cell| excel_safe(cell)).collect::<Vec<_>>().iter().map(|c| c.as_bytes()))
                .map_err(|e| csv_error(path, e))?;
            count += 1;
        }
        writer.flush().map_err(|e| Error::WriteOutput { path: path.to_path_buf(), source: e })?;
    }
    file.commit()?;
    Ok(count)
}

pub fn write_records_csv(out: &Path, run: &RunOutput) -> Result<(), Error> {
    let columns = run.record_columns();
    write_csv_rows(&out.join("records.csv"), &columns, run.normalized.len(), |i| run.record_cells(i))
}

/// Writes `count` rows to a CSV file atomically, like [`write_csv`], row `i`
/// being `row(i)`. Blocks of rows are formatted on the thread pool and
/// written in order: the bytes are the same as one writer's.
fn write_csv_rows<'r>(
    path: &Path,
    header: &[String],
    count: usize,
    row: impl Fn(usize) -> Vec<Cow<'r, str>> + Sync,
) -> Result<(), Error> {
    /// Rows formatted by one task.
    const ROWS_PER_PIECE: usize = 4_096;
    /// Pieces formatted before they are written: bounds the memory held.
    const PIECES_PER_ROUND: usize = 32;
    let write_error = |e: std::io::Error| Error::WriteOutput { path: path.to_path_buf(), source: e };
    let format = |rows: std::ops::Range<usize>| -> Vec<u8> {
        let mut bytes = Vec::new();
        for i in rows {
            push_csv_record(&mut bytes, row(i).iter().map(|cell| excel_safe(cell)));
        }
        bytes
    };
    let mut file = AtomicFile::create(path)?;
    let header_line = format_header(header).map_err(|e| csv_error(path, e))?;
    std::io::Write::write_all(file.writer(), &header_line).map_err(write_error)?;
    let pieces: Vec<std::ops::Range<usize>> =
        (0..count).step_by(ROWS_PER_PIECE).map(|start| start..(start + ROWS_PER_PIECE).min(count)).collect();
    for round in pieces.chunks(PIECES_PER_ROUND) {
        let formatted: Vec<Vec<u8>> = round.par_iter().cloned().map(format).collect();
        for bytes in formatted {
            std::io::Write::write_all(file.writer(), &bytes).map_err(write_error)?;
        }
    }
    file.commit()
}

/// Appends one record to `out` exactly as the csv crate writes it: fields
/// joined by commas, a field quoted (its quotes doubled) when it holds a
/// comma, a quote or a line break, a lone empty field quoted, `\n` after.
/// The records table goes through this rather than a `csv::Writer`: its
/// half a gigabyte per million records was a third of the writing time.
fn push_csv_record<S: AsRef<str>>(out: &mut Vec<u8>, cells: impl ExactSizeIterator<Item = S>) {
    let lone = cells.len() == 1;
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let bytes = cell.as_ref().as_bytes();
        if bytes.iter().any(|&b| matches!(b, b',' | b'"' | b'\n' | b'\r')) || (lone && bytes.is_empty()) {
            out.push(b'"');
            for &b in bytes {
                if b == b'"' {
                    out.push(b'"');
                }
                out.push(b);
            }
            out.push(b'"');
        } else {
            out.extend_from_slice(bytes);
        }
    }
    out.push(b'\n');
}

/// A CSV header line, each name spreadsheet-safe.
fn format_header(header: &[String]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new().from_writer(Vec::new());
    writer.write_record(header.iter().map(|h| excel_safe(h)).collect::<Vec<_>>().iter().map(|c| c.as_bytes()))?;
    writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn with_csv_crate(cells: &[String]) -> Vec<u8> {
        let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
        writer.write_record(cells).unwrap();
        writer.into_inner().unwrap()
    }

    fn ours(cells: &[String]) -> Vec<u8> {
        let mut out = Vec::new();
        push_csv_record(&mut out, cells.iter());
        out
    }

    #[test]
    fn records_are_written_as_the_csv_crate_writes_them() {
        for cells in [
            vec!["".to_string()],
            vec!["".to_string(), "".to_string()],
            vec!["Thôn 4, Xã Dur Kmăl".to_string(), "say \"hi\"".to_string(), "a\nb".to_string(), "c\rd".to_string()],
            vec![" lead".to_string(), "trail ".to_string(), "#".to_string(), "'=1".to_string()],
        ] {
            assert_eq!(ours(&cells), with_csv_crate(&cells), "{cells:?}");
        }
    }

    proptest! {
        #[test]
        fn any_record_is_written_as_the_csv_crate_writes_it(
            cells in prop::collection::vec("[a-zA-Zđ ,;\"\r\n\t'=#-]{0,6}", 1..6)
        ) {
            prop_assert_eq!(ours(&cells), with_csv_crate(&cells));
        }
    }
}
