//! The first stage: reads every input file into raw records arranged by
//! canonical field, and puts each row it cannot parse into quarantine with
//! the reason. Nothing read is dropped: every data row ends up in one of the
//! two.

pub mod delimited;
pub mod encoding;
pub mod format;
pub mod header;
pub mod xlsx;

use std::path::{Path, PathBuf};

use encoding_rs::Encoding;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::hash::HashMap;
use crate::legacy::LegacyEncodings;
use crate::output::excel_safe::unguard;
use crate::record::{Field, FieldValuesBuilder, Origin, RawRecord};
use crate::rules::{ColumnRules, Rules};
use delimited::{RowParser, SplitRow};
use header::{ColumnLayout, ColumnRole};
use rayon::prelude::*;

/// A row as a source format gives it, before the header is applied.
#[derive(Clone, Debug)]
pub enum SourceRow {
    Cells {
        line: u64,
        cells: Vec<String>,
    },
    /// A row that could not be split into cells.
    Broken {
        line: u64,
        raw: String,
        reason: String,
    },
}

impl SourceRow {
    fn with_line(self, line: u64) -> SourceRow {
        match self {
            SourceRow::Cells { cells, .. } => SourceRow::Cells { line, cells },
            SourceRow::Broken { raw, reason, .. } => SourceRow::Broken { line, raw, reason },
        }
    }
}

/// A row that could not be parsed, kept with its raw text and the reason.
#[derive(Clone, Debug)]
pub struct QuarantineRow {
    pub source: u32,
    pub row: u64,
    pub line: u64,
    pub reason: String,
    pub raw: String,
}

/// What the manifest says about one input.
#[derive(Clone, Debug, Serialize)]
pub struct InputSummary {
    pub path: String,
    /// The file name, as the `source` column writes it.
    pub name: String,
    pub sha256: String,
    pub bytes: u64,
    pub format: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    pub header_line: u64,
    pub columns: Vec<ColumnMapping>,
    pub data_rows: u64,
    pub records: u64,
    pub quarantined: u64,
    /// Where each input column's cell went in a record, in column order: the
    /// row can be written back as it was read.
    #[serde(skip)]
    pub cells: Vec<CellPlace>,
    /// Cells repaired from a legacy encoding, per column header and
    /// encoding (filled in by normalisation).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub repairs: std::collections::BTreeMap<String, std::collections::BTreeMap<&'static str, u64>>,
}

/// Where one input column's cell is kept in a [`RawRecord`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellPlace {
    Field(Field),
    /// The record's `extras` slot.
    Extra(usize),
    OriginSource,
    OriginRow,
    OriginPerson,
    OriginRecordId,
    /// A column of a dancu output that the run recomputes; not kept.
    Recomputed,
}

#[derive(Clone, Debug, Serialize)]
pub struct ColumnMapping {
    pub header: String,
    pub field: String,
}

#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    pub encoding: Option<encoding::Forced>,
    pub sheet: Option<String>,
}

/// Everything the read stage produced.
#[derive(Debug, Default)]
pub struct Extract {
    pub inputs: Vec<InputSummary>,
    pub records: Vec<RawRecord>,
    pub quarantine: Vec<QuarantineRow>,
    /// Headers of carried columns across all inputs, in order of first
    /// appearance; [`RawRecord::extras`] is indexed by this list.
    pub extra_columns: Vec<String>,
    /// Fields some input mapped a column to.
    pub mapped_fields: Vec<Field>,
    /// What reading found that the operator should know (a file whose
    /// content is not what its name says), without record content.
    pub warnings: Vec<String>,
}

impl Extract {
    /// For each input, a bit per [`Field`] (by its index) that the input
    /// gives a value for in some record: a column that is missing and a
    /// column that is empty throughout say the same (and a cleaned file,
    /// which has every column, says what its original said).
    pub fn fields_given(&self) -> Vec<u32> {
        let mut masks = vec![0u32; self.inputs.len()];
        let per_record = |record: &RawRecord| {
            Field::ALL.iter().fold(0u32, |mask, &field| {
                if record.values.get(field).trim().is_empty() {
                    mask
                } else {
                    mask | (1 << field.index())
                }
            })
        };
        let found: Vec<(u32, u32)> = self.records.par_iter().map(|r| (r.source, per_record(r))).collect();
        for (source, mask) in found {
            masks[source as usize] |= mask;
        }
        masks
    }

    /// A record's cells as the input had them, in its column order, joined
    /// by tabs as quarantine rows are (a recomputed column of a dancu output
    /// is left empty).
    pub fn raw_row_text(&self, record: &RawRecord) -> String {
        let cells = &self.inputs[record.source as usize].cells;
        let origin = record.origin.as_deref();
        cells
            .iter()
            .map(|place| match *place {
                CellPlace::Field(field) => record.values.get(field),
                CellPlace::Extra(slot) => record.extras.get(slot).map_or("", |c| c),
                CellPlace::OriginSource => origin.map_or("", |o| &o.source),
                CellPlace::OriginRow => origin.map_or("", |o| &o.row),
                CellPlace::OriginPerson => origin.map_or("", |o| &o.person),
                CellPlace::OriginRecordId => origin.map_or("", |o| &o.record_id),
                CellPlace::Recomputed => "",
            })
            .collect::<Vec<&str>>()
            .join("\t")
    }

    /// Moves the records marked in `failed` to quarantine with `reason(i)`,
    /// keeping the quarantine in input order and each input's counts true.
    /// `failed` is in increasing order.
    pub fn quarantine_records(&mut self, failed: &[usize], reason: impl Fn(usize) -> String) {
        if failed.is_empty() {
            return;
        }
        for &i in failed {
            let record = &self.records[i];
            let row = QuarantineRow {
                source: record.source,
                row: record.row,
                line: record.line,
                reason: reason(i),
                raw: self.raw_row_text(record),
            };
            let input = &mut self.inputs[record.source as usize];
            input.records -= 1;
            input.quarantined += 1;
            self.quarantine.push(row);
        }
        self.quarantine.sort_by_key(|q| (q.source, q.row));
        let mut index = 0;
        let mut next_failed = failed.iter().peekable();
        self.records.retain(|_| {
            let keep = next_failed.peek() != Some(&&index);
            if !keep {
                next_failed.next();
            }
            index += 1;
            keep
        });
    }
}

/// An input already in memory: `path` names it in messages and the
/// manifest.
pub struct InMemory<'a> {
    pub path: &'a Path,
    pub bytes: &'a [u8],
}

/// Reads every input in order, `first` (if any) before the files. `progress`
/// is told how many more bytes of the input files have been read, as
/// reading goes.
pub fn read_inputs(
    first: Option<InMemory>,
    paths: &[PathBuf],
    options: &ReadOptions,
    rules: &Rules,
    progress: &dyn Fn(u64),
) -> Result<Extract> {
    let mut extract = Extract::default();
    let mut names_seen: HashMap<String, usize> = HashMap::default();
    let offset = u32::from(first.is_some());
    if let Some(first) = first {
        let name = first.path.file_name().map_or_else(|| "input".to_string(), |n| n.to_string_lossy().into_owned());
        names_seen.insert(name.clone(), 1);
        read_bytes_into(0, first.path, name, first.bytes, options, rules, &mut extract, progress)?;
    }
    for (index, path) in paths.iter().enumerate() {
        let file_name =
            path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        // Two inputs with one file name (same commune export in two folders)
        // must stay apart in `source`.
        let seen = names_seen.entry(file_name.clone()).or_insert(0);
        *seen += 1;
        let name = if *seen > 1 { format!("{file_name}#{seen}") } else { file_name };
        read_one(offset + index as u32, path, name, options, rules, &mut extract, progress)?;
    }
    Ok(extract)
}

fn is_workbook(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref(),
        Some("xlsx" | "xlsm" | "xls" | "xlsb" | "ods")
    )
}

fn read_one(
    source: u32,
    path: &Path,
    name: String,
    options: &ReadOptions,
    rules: &Rules,
    extract: &mut Extract,
    progress: &dyn Fn(u64),
) -> Result<()> {
    let bytes = std::fs::read(path).map_err(|e| Error::ReadInput { path: path.to_path_buf(), source: e })?;
    read_bytes_into(source, path, name, &bytes, options, rules, extract, progress)
}

/// Reads one input already in memory, as [`read_inputs`] reads a file:
/// `path` names it in messages and the manifest.
pub fn read_bytes(path: &Path, bytes: &[u8], options: &ReadOptions, rules: &Rules) -> Result<Extract> {
    let mut extract = Extract::default();
    let name = path.file_name().map_or_else(|| "input".to_string(), |n| n.to_string_lossy().into_owned());
    read_bytes_into(0, path, name, bytes, options, rules, &mut extract, &|_| {})?;
    Ok(extract)
}

#[allow(clippy::too_many_arguments)]
fn read_bytes_into(
    source: u32,
    path: &Path,
    name: String,
    bytes: &[u8],
    options: &ReadOptions,
    rules: &Rules,
    extract: &mut Extract,
    progress: &dyn Fn(u64),
) -> Result<()> {
    if bytes.is_empty() {
        return Err(Error::EmptyInput { path: path.to_path_buf() });
    }
    // The file's hash is computed beside the parsing, on a thread of its own.
    std::thread::scope(|scope| {
        let hashing = scope.spawn(|| Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect::<String>());
        let parsed = parse_one(source, path, name, bytes, options, rules, extract, progress);
        let sha256 = hashing.join().expect("hashing a byte buffer does not panic");
        parsed.map(|summary| extract.inputs.push(InputSummary { sha256, ..summary }))
    })
}

#[allow(clippy::too_many_arguments)]
fn parse_one(
    source: u32,
    path: &Path,
    name: String,
    bytes: &[u8],
    options: &ReadOptions,
    rules: &Rules,
    extract: &mut Extract,
    progress: &dyn Fn(u64),
) -> Result<InputSummary> {
    let columns = &rules.columns;
    let legacy = &rules.legacy_encodings;
    let mut summary = InputSummary {
        path: path.display().to_string(),
        name,
        // Filled in by `read_one`, which hashes the file beside this.
        sha256: String::new(),
        bytes: bytes.len() as u64,
        format: "csv",
        encoding: None,
        delimiter: None,
        sheet: None,
        header_line: 0,
        columns: Vec::new(),
        data_rows: 0,
        records: 0,
        quarantined: 0,
        cells: Vec::new(),
        repairs: Default::default(),
    };
    let mut assembler = Assembler::new(source, columns, legacy);
    let content = format::sniff(bytes);
    let named_workbook = is_workbook(path);
    let shown = crate::message::shown_path(path);
    if let format::Content::Binary(kind) = content {
        return Err(Error::InputFormat {
            path: path.to_path_buf(),
            message: format!(
                "is not an extract: its first bytes ({}) are those of {kind}; export the extract as CSV or as an Excel workbook",
                crate::message::shown_bytes(&bytes[..bytes.len().min(8)])
            ),
        });
    }
    if matches!(content, format::Content::ZipWorkbook | format::Content::Ole2Workbook) {
        if !named_workbook {
            extract.warnings.push(format!("{shown}: holds an Excel workbook, not text; read as a workbook"));
        }
        summary.format = if content == format::Content::Ole2Workbook { "xls" } else { "xlsx" };
        let sheet = xlsx::read_sheet(path, bytes, options.sheet.as_deref(), |row| assembler.take(row, extract))?;
        summary.sheet = Some(sheet);
    } else {
        if named_workbook {
            extract.warnings.push(format!("{shown}: named like a workbook but holds text; read as CSV"));
        }
        let detected = match (options.encoding, content) {
            (Some(encoding::Forced::Standard(encoding)), _) => {
                encoding::Detected::standard(encoding, Encoding::for_bom(bytes).is_some_and(|(e, _)| e == encoding))
            }
            (Some(encoding::Forced::Font(font)), _) => {
                encoding::Detected { encoding: encoding_rs::WINDOWS_1252, bom: false, font: Some(font) }
            }
            (None, format::Content::Utf16NoBom { little_endian }) => {
                let encoding = if little_endian { encoding_rs::UTF_16LE } else { encoding_rs::UTF_16BE };
                extract.warnings.push(format!(
                    "{shown}: UTF-16 text without a byte-order mark; read as {} by its pattern of zero bytes (--encoding sets another)",
                    encoding.name()
                ));
                encoding::Detected::standard(encoding, false)
            }
            (None, _) => encoding::detect(bytes, legacy),
        };
        let decoded = encoding::decode(bytes, detected, legacy);
        let delimiter = delimited::detect_delimiter(&decoded.bytes);
        summary.encoding = Some(detected.label());
        summary.delimiter = Some(delimiter_name(delimiter).to_string());
        let replaced = decoded.replaced;
        // A row is a line or more: room for every line up front spares the
        // records' vector its doublings, each a copy of all records so far.
        let lines: usize = decoded.bytes.par_chunks(1 << 20).map(|c| c.iter().filter(|&&b| b == b'\n').count()).sum();
        extract.records.reserve(lines + 1);
        // Decoded offsets, scaled to the file's own bytes for the bar.
        let (file_bytes, decoded_bytes) = (summary.bytes, decoded.bytes.len().max(1) as u64);
        let mut reported = 0u64;
        // Rows are split in order, a batch at a time; each batch is turned
        // into records on the thread pool once the header is known, and the
        // records are numbered in order.
        let as_text = |row: SplitRow, parser: &mut RowParser| match row.into_source_row(parser) {
            SourceRow::Cells { line, cells } if replaced && cells.iter().any(|c| c.contains('\u{FFFD}')) => {
                SourceRow::Broken {
                    line,
                    raw: cells.join(&(delimiter as char).to_string()),
                    reason: format!("bytes that are not valid {} text", detected.encoding.name()),
                }
            }
            other => other,
        };
        let mut take_batch = |batch: Vec<SplitRow>, extract: &mut Extract| {
            let mut rows = batch.into_iter();
            let mut parser = RowParser::new(delimiter);
            while assembler.layout.is_none() {
                match rows.next() {
                    Some(row) => assembler.take(as_text(row, &mut parser), extract),
                    None => return,
                }
            }
            let assembler_ref = &assembler;
            let assembled: Vec<Assembled> = rows
                .collect::<Vec<_>>()
                .into_par_iter()
                .map_init(
                    || RowParser::new(delimiter),
                    |parser, row| match row {
                        // Text with replacement characters goes through
                        // `as_text`, which quarantines it.
                        SplitRow::Parsed { line, raw, width } if !replaced => {
                            assembler_ref.assemble_parsed(parser, line, raw, width)
                        }
                        row => assembler_ref.assemble_row(as_text(row, parser)),
                    },
                )
                .collect();
            for row in assembled {
                assembler.push(row, extract);
            }
        };
        // Splitting runs on a thread of its own, a few batches ahead of
        // turning them into records, which the thread pool does.
        let (batches, received) = std::sync::mpsc::sync_channel::<(Vec<SplitRow>, usize)>(2);
        std::thread::scope(|scope| {
            let bytes = &decoded.bytes[..];
            scope.spawn(move || {
                let offset = std::cell::Cell::new(0usize);
                let mut batch: Vec<SplitRow> = Vec::with_capacity(ROWS_PER_BATCH);
                delimited::split_rows(
                    bytes,
                    delimiter,
                    |seen| header_width(seen, columns, legacy),
                    |row| {
                        batch.push(row);
                        if batch.len() == ROWS_PER_BATCH {
                            let full = std::mem::replace(&mut batch, Vec::with_capacity(ROWS_PER_BATCH));
                            // The receiver stops only when this thread is done.
                            let _ = batches.send((full, offset.get()));
                        }
                    },
                    |reached| offset.set(reached),
                );
                let _ = batches.send((batch, bytes.len()));
            });
            for (batch, reached) in received {
                take_batch(batch, extract);
                let done = file_bytes * reached as u64 / decoded_bytes;
                progress(done.saturating_sub(reported));
                reported = reported.max(done);
            }
        });
    }
    let Some(layout) = assembler.layout.take() else {
        return Err(Error::MissingNameColumn { path: path.to_path_buf(), found: assembler.first_row_headers() });
    };
    summary.header_line = assembler.header_line;
    summary.columns = layout.mapping().into_iter().map(|(header, field)| ColumnMapping { header, field }).collect();
    summary.cells = layout
        .roles
        .iter()
        .zip(&assembler.extra_slots)
        .map(|(role, slot)| match (role, slot) {
            (ColumnRole::Field(field), _) => CellPlace::Field(*field),
            (ColumnRole::Extra(_), Some(slot)) => CellPlace::Extra(*slot),
            (ColumnRole::OriginSource, _) => CellPlace::OriginSource,
            (ColumnRole::OriginRow, _) => CellPlace::OriginRow,
            (ColumnRole::OriginPerson, _) => CellPlace::OriginPerson,
            (ColumnRole::OriginRecordId, _) => CellPlace::OriginRecordId,
            _ => CellPlace::Recomputed,
        })
        .collect();
    summary.data_rows = assembler.data_rows;
    summary.records = assembler.records;
    summary.quarantined = assembler.quarantined;
    for role in &layout.roles {
        if let ColumnRole::Field(field) = role {
            if !extract.mapped_fields.contains(field) {
                extract.mapped_fields.push(*field);
            }
        }
    }
    extract.mapped_fields.sort();
    Ok(summary)
}

fn delimiter_name(delimiter: u8) -> &'static str {
    match delimiter {
        b',' => ",",
        b';' => ";",
        b'\t' => "tab",
        _ => "?",
    }
}

/// The header's width once one of `seen` is the header.
/// The rows before it have been asked already, so only the newest is looked at.
fn header_width(seen: &[SourceRow], columns: &ColumnRules, legacy: &LegacyEncodings) -> Option<usize> {
    match seen.last()? {
        SourceRow::Cells { cells, .. } if ColumnLayout::is_header(&repaired_headers(cells, legacy), columns) => {
            Some(cells.len())
        }
        _ => None,
    }
}

/// Header cells with a legacy encoding repaired (`Hä vµ tªn` is `Họ và
/// tên` typed in TCVN3), by the same conservative rule as every other
/// value: only when every word of the repair is a Vietnamese syllable.
/// A header row typed in TCVN3 is typed in it throughout: once one cell
/// repairs, the others are read in that encoding where that gives
/// Vietnamese (`Ghi chó` is a word, but beside `Hä vµ tªn` it is `Ghi chú`).
fn repaired_headers(cells: &[String], legacy: &LegacyEncodings) -> Vec<String> {
    let repairs: Vec<Option<(String, crate::legacy::Damage)>> = cells.iter().map(|c| legacy.repair(c)).collect();
    let row_encoding = repairs.iter().flatten().map(|(_, damage)| *damage).next();
    cells
        .iter()
        .zip(repairs)
        .map(|(cell, repair)| match (repair, row_encoding) {
            (Some((text, _)), _) => text,
            (None, Some(damage)) if !cell.is_ascii() => {
                let decoded: String =
                    unicode_normalization::UnicodeNormalization::nfc(legacy.decode(cell, damage).as_str()).collect();
                if crate::legacy::is_vietnamese(&decoded) {
                    decoded
                } else {
                    cell.clone()
                }
            }
            _ => cell.clone(),
        })
        .collect()
}

/// Rows split before their batch is turned into records.
const ROWS_PER_BATCH: usize = 32_768;

/// A data row turned into a record, or the reason it could not be.
enum Assembled {
    Record(RawRecord),
    Quarantined { line: u64, raw: String, reason: String },
}

/// Applies the header to rows as they arrive.
struct Assembler<'a> {
    source: u32,
    columns: &'a ColumnRules,
    legacy: &'a LegacyEncodings,
    layout: Option<ColumnLayout>,
    /// Output extra-column index of each input column (for carried columns).
    extra_slots: Vec<Option<usize>>,
    header_line: u64,
    /// Rows seen before the header was found (title block, blank lines).
    preamble: Vec<SourceRow>,
    data_rows: u64,
    records: u64,
    quarantined: u64,
}

impl<'a> Assembler<'a> {
    fn new(source: u32, columns: &'a ColumnRules, legacy: &'a LegacyEncodings) -> Self {
        Assembler {
            source,
            columns,
            legacy,
            layout: None,
            extra_slots: Vec::new(),
            header_line: 0,
            preamble: Vec::new(),
            data_rows: 0,
            records: 0,
            quarantined: 0,
        }
    }

    /// What the error for a missing name column says of the first row with
    /// text: how many cells it has and which of them are headers dancu
    /// knows. Other cells are not shown: in a file without a header row
    /// they are a person's name, birth date and ID.
    fn first_row_headers(&self) -> String {
        let first = self.preamble.iter().find_map(|r| match r {
            SourceRow::Cells { line, cells } if cells.iter().any(|c| !c.trim().is_empty()) => Some((*line, cells)),
            _ => None,
        });
        let Some((line, cells)) = first else {
            return "No row has any text.".to_string();
        };
        let filled = cells.iter().filter(|c| !c.trim().is_empty()).count();
        let known: Vec<String> = cells
            .iter()
            .filter_map(|c| {
                let field = self.columns.field_for(c)?;
                Some(format!("`{}` ({})", crate::message::shown(&crate::text::tidy(c)), field.name()))
            })
            .collect();
        let known = if known.is_empty() {
            "none of them is a header dancu knows".to_string()
        } else {
            format!("the headers dancu knows among them: {}", known.join(", "))
        };
        format!("Line {line}, the first with text, has {filled} filled cell(s); {known}.")
    }

    fn take(&mut self, row: SourceRow, extract: &mut Extract) {
        if self.layout.is_none() {
            if self.preamble.len() < header::HEADER_SEARCH_ROWS {
                if let SourceRow::Cells { line, cells } = &row {
                    let headers = repaired_headers(cells, self.legacy);
                    if ColumnLayout::is_header(&headers, self.columns) {
                        self.header_line = *line;
                        self.set_layout(ColumnLayout::from_headers(&headers, self.columns), extract);
                        self.preamble.clear();
                        return;
                    }
                }
            }
            // A file whose header never shows is an error once read; keep only
            // what the error message needs.
            if self.preamble.len() < header::HEADER_SEARCH_ROWS {
                self.preamble.push(row);
            }
            return;
        }
        let assembled = self.assemble_row(row);
        self.push(assembled, extract);
    }

    /// A data row, once the header is known, as a record or as quarantine;
    /// its row number is given by [`Self::push`].
    fn assemble_row(&self, row: SourceRow) -> Assembled {
        match row {
            SourceRow::Broken { line, raw, reason } => Assembled::Quarantined { line, raw, reason },
            SourceRow::Cells { line, cells } => self.assemble_cells(line, &cells),
        }
    }

    /// A row split from delimited text: its cells are read straight from
    /// the parser's buffer into the record.
    fn assemble_parsed(&self, parser: &mut RowParser, line: u64, raw: &[u8], width: usize) -> Assembled {
        match parser.texts(raw, width) {
            Ok(cells) => self.assemble_cells(line, &cells),
            Err(row) => self.assemble_row(row.with_line(line)),
        }
    }

    fn assemble_cells<S: AsRef<str>>(&self, line: u64, cells: &[S]) -> Assembled {
        let layout = self.layout.as_ref().expect("rows are assembled once the header is known");
        let joined = || cells.iter().map(AsRef::as_ref).collect::<Vec<&str>>().join("\t");
        if cells.len() != layout.headers.len() {
            let reason = format!("{} fields where the header has {}", cells.len(), layout.headers.len());
            Assembled::Quarantined { line, raw: joined(), reason }
        } else if cells.iter().all(|c| c.as_ref().trim().is_empty()) {
            Assembled::Quarantined { line, raw: joined(), reason: "row is empty".to_string() }
        } else {
            Assembled::Record(self.assemble(line, cells))
        }
    }

    /// Numbers a data row and files it with the records or in quarantine.
    fn push(&mut self, assembled: Assembled, extract: &mut Extract) {
        self.data_rows += 1;
        let row_number = self.data_rows;
        match assembled {
            Assembled::Quarantined { line, raw, reason } => self.quarantine(extract, row_number, line, raw, reason),
            Assembled::Record(mut record) => {
                record.row = row_number;
                extract.records.push(record);
                self.records += 1;
            }
        }
    }

    fn quarantine(&mut self, extract: &mut Extract, row: u64, line: u64, raw: String, reason: String) {
        self.quarantined += 1;
        extract.quarantine.push(QuarantineRow { source: self.source, row, line, reason, raw });
    }

    fn set_layout(&mut self, layout: ColumnLayout, extract: &mut Extract) {
        self.extra_slots = layout
            .roles
            .iter()
            .map(|role| match role {
                ColumnRole::Extra(name) => Some(match extract.extra_columns.iter().position(|c| c == name) {
                    Some(slot) => slot,
                    None => {
                        extract.extra_columns.push(name.clone());
                        extract.extra_columns.len() - 1
                    }
                }),
                _ => None,
            })
            .collect();
        self.layout = Some(layout);
    }

    fn assemble<S: AsRef<str>>(&self, line: u64, cells: &[S]) -> RawRecord {
        let layout = self.layout.as_ref().unwrap();
        let mut values = FieldValuesBuilder::default();
        let mut origin: Option<Box<Origin>> = None;
        let mut extras: Vec<Box<str>> = Vec::new();
        for (column, cell) in cells.iter().enumerate() {
            let cell = cell.as_ref();
            // A cleaned file's cells are its values with the spreadsheet
            // guard on: the values are what is cleaned again.
            let cell = if layout.is_dancu_output { unguard(cell) } else { cell };
            match &layout.roles[column] {
                ColumnRole::Field(field) => values.set(*field, cell),
                ColumnRole::Recomputed => {}
                ColumnRole::OriginSource => origin.get_or_insert_with(Default::default).source = cell.into(),
                ColumnRole::OriginRow => origin.get_or_insert_with(Default::default).row = cell.into(),
                ColumnRole::OriginPerson => origin.get_or_insert_with(Default::default).person = cell.into(),
                ColumnRole::OriginRecordId => origin.get_or_insert_with(Default::default).record_id = cell.into(),
                ColumnRole::Extra(_) => {
                    let slot = self.extra_slots[column].unwrap();
                    if extras.len() <= slot {
                        extras.resize(slot + 1, Box::from(""));
                    }
                    extras[slot] = cell.into();
                }
            }
        }
        if let Some(column) = layout.either_id_column {
            // A `CCCD/CMND` column: a 9-digit number is the old ID card's.
            let cell = cells[column].as_ref();
            let digits = cell.bytes().filter(u8::is_ascii_digit).count();
            let only_number = cell.bytes().all(|b| b.is_ascii_digit() || b" .-'".contains(&b));
            if digits == 9 && only_number && values.get(Field::OldId).trim().is_empty() {
                values.set(Field::OldId, cell);
                values.set(Field::CitizenId, "");
            }
        }
        RawRecord { source: self.source, row: 0, line, values: values.build(), origin, extras }
    }
}
