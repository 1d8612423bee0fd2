//! The master's tables on disk, laid out so that a night reads and writes
//! in proportion to its batch, not to the population:
//!
//! - `records/part-NNNNNN.parquet`: the content of the records first seen
//!   (or corrected) by run number NNNNNN, never rewritten: every column of
//!   `records.csv` except the three that change as persons do;
//! - `records/part-NNNNNN.keys.parquet`: row for row, each of those
//!   records' name key and its key under each blocking rule;
//! - `records/current.parquet`: one row per current record, in the
//!   master's order: its `record_id`, the part and row holding its content,
//!   the columns that change (`person_id`, `is_primary`, `issues`) and the
//!   night it first arrived (`first_seen`), rewritten each night (a few
//!   dozen bytes per record);
//! - `persons/part-NNNNNN.parquet`: the golden records of the persons made
//!   or changed by run NNNNNN; a person's row in the latest part is
//!   current, and a retired person (`identity.json`) has none.
//!
//! A night links the records its batch shares a blocking key with (and the
//! other records of their persons), adds one part of each kind and writes
//! `current.parquet`; the older parts are linked into the new master
//! unchanged. [`population`] joins the parts into the whole records table.

use std::path::{Path, PathBuf};

use polars::polars_utils::compression::ZstdLevel;
use polars::prelude::*;

use crate::error::{Error, Result};
use crate::hash::{HashMap, HashSet};
use crate::link::frequency::NameCounts;
use crate::output::atomic::AtomicFile;
use crate::output::csv::push_csv_record;
use crate::output::excel_safe::excel_safe;
use crate::rules::BlockingRule;

/// The folder of the records' parts and of `current.parquet`.
pub const RECORDS_DIR: &str = "records";
/// The folder of the persons' parts.
pub const PERSONS_DIR: &str = "persons";
/// The table of current records, in [`RECORDS_DIR`].
pub const CURRENT_FILE: &str = "current.parquet";
/// The column of a keys part with each record's name key.
pub const NAME_KEY_COLUMN: &str = "name_key";
/// The columns of `records.csv` that `current.parquet` holds, not a part.
pub const CHANGING_COLUMNS: [&str; 3] = ["person_id", "is_primary", "issues"];

/// The file name of records part `part`.
pub fn part_file(part: u32) -> String {
    format!("part-{part:06}.parquet")
}

/// The file name of the keys of records part `part`.
pub fn keys_file(part: u32) -> String {
    format!("part-{part:06}.keys.parquet")
}

/// The part numbers of the parts in `folder`, in order.
pub fn parts_in(folder: &Path) -> Result<Vec<u32>> {
    let entries = std::fs::read_dir(folder).map_err(|e| Error::ReadInput { path: folder.to_path_buf(), source: e })?;
    let mut parts: Vec<u32> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            name.strip_prefix("part-")?.strip_suffix(".parquet")?.parse().ok()
        })
        .collect();
    parts.sort_unstable();
    Ok(parts)
}

fn damaged(path: &Path, what: impl std::fmt::Display) -> Error {
    Error::InputFormat {
        path: path.to_path_buf(),
        message: format!("{what}; the master is damaged: use the output of another night, or pass --rebuild"),
    }
}

fn read_frame(path: &Path) -> Result<DataFrame> {
    let file = std::fs::File::open(path).map_err(|e| damaged(path, format_args!("cannot be opened ({e})")))?;
    ParquetReader::new(file).finish().map_err(|e| damaged(path, format_args!("cannot be read as Parquet ({e})")))
}

/// Rows of a records part read at once when a night takes some of them.
const ROWS_PER_STRETCH: u32 = 65_536;

/// Which columns of the records parts are read.
#[derive(Clone, Copy, Debug)]
pub enum Columns<'a> {
    /// Every column.
    All,
    /// All but a field's value column where its original (`<field>_raw`)
    /// is there: reading the records again recomputes it. (A carried
    /// column is read whole: its original alone would be taken for a
    /// column of its own; the full name stays, as it tells the header row.)
    Originals,
    /// Those named that the part has.
    Only(&'a [&'a str]),
}

/// Rows `start..start + ROWS_PER_STRETCH` of a records part, the columns
/// `columns`.
fn read_stretch(path: &Path, start: usize, columns: Columns) -> Result<DataFrame> {
    let unreadable = |e: PolarsError| damaged(path, format_args!("cannot be read as Parquet ({e})"));
    let file = std::fs::File::open(path).map_err(|e| damaged(path, format_args!("cannot be opened ({e})")))?;
    let mut reader = ParquetReader::new(file).with_slice(Some((start, ROWS_PER_STRETCH as usize)));
    let schema = reader.schema().map_err(unreadable)?;
    let names: Vec<&str> = schema.iter_names().map(|n| n.as_str()).collect();
    let kept: Vec<String> = names
        .iter()
        .filter(|name| match columns {
            Columns::All => true,
            Columns::Only(wanted) => wanted.contains(name),
            Columns::Originals => {
                let field = crate::record::Field::from_name(name).filter(|&f| f != crate::record::Field::FullName);
                let recomputed = field.is_some() && names.contains(&format!("{name}_raw").as_str());
                !recomputed
            }
        })
        .map(|name| name.to_string())
        .collect();
    reader.with_columns(Some(kept)).finish().map_err(unreadable)
}

fn text_column<'a>(frame: &'a DataFrame, name: &str) -> Option<&'a StringChunked> {
    frame.column(name).ok().and_then(|c| c.str().ok())
}

/// A master's current records and where their parts are.
pub struct MasterTables {
    folder: PathBuf,
    /// `records/current.parquet`.
    pub current: DataFrame,
    /// Each current record's part and row in it.
    places: Vec<(u32, u32)>,
    /// The records parts there are.
    pub parts: Vec<u32>,
}

impl MasterTables {
    /// Reads the current records of the master in `folder`.
    pub fn read(folder: &Path) -> Result<MasterTables> {
        let records = folder.join(RECORDS_DIR);
        let path = records.join(CURRENT_FILE);
        let current = read_frame(&path)?;
        for name in ["record_id", "person_id", "issues", "first_seen"] {
            text_column(&current, name).ok_or_else(|| damaged(&path, format!("no text column `{name}`")))?;
        }
        let number = |name: &str| -> Result<Vec<u32>> {
            let column = current.column(name).ok().and_then(|c| c.u32().ok());
            let column = column.ok_or_else(|| damaged(&path, format!("no column `{name}` of whole numbers")))?;
            Ok(column.iter().map(|n| n.unwrap_or(u32::MAX)).collect())
        };
        let places: Vec<(u32, u32)> = number("part")?.into_iter().zip(number("row")?).collect();
        let parts = parts_in(&records)?;
        if let Some(&(part, _)) = places.iter().find(|(part, _)| parts.binary_search(part).is_err()) {
            return Err(damaged(&records.join(part_file(part)), "is missing"));
        }
        Ok(MasterTables { folder: folder.to_path_buf(), current, places, parts })
    }

    pub fn len(&self) -> usize {
        self.current.height()
    }

    pub fn is_empty(&self) -> bool {
        self.current.height() == 0
    }

    /// A text column of the current records.
    pub fn text(&self, name: &str) -> Result<&StringChunked> {
        let path = || self.folder.join(RECORDS_DIR).join(CURRENT_FILE);
        text_column(&self.current, name).ok_or_else(|| damaged(&path(), format!("no text column `{name}`")))
    }

    /// The part and row holding the content of current record `row`.
    pub fn place(&self, row: u32) -> (u32, u32) {
        self.places[row as usize]
    }

    /// The part number a night writes its records to.
    pub fn next_part(&self) -> u32 {
        self.parts.last().map_or(1, |&p| p + 1)
    }

    fn part_path(&self, file: String) -> PathBuf {
        self.folder.join(RECORDS_DIR).join(file)
    }

    /// The keys of part `part`.
    fn read_keys(&self, part: u32) -> Result<DataFrame> {
        read_frame(&self.part_path(keys_file(part)))
    }

    /// The current records (by row of `current`) a batch is linked beside:
    /// those sharing a key under some blocking rule with one of the batch
    /// (`batch_keys`, rule by rule, as [`crate::link::block::rule_keys`]
    /// makes them), those whose `record_id` is in `named` (the batch's own
    /// rows sent again, the records a decision names), and then every
    /// record of the persons of those: a person is linked whole or not at
    /// all. In master order. With them, how often each name key occurs
    /// among the current records.
    pub fn neighbours(
        &self,
        rules: &[BlockingRule],
        batch_keys: &[Vec<Option<u64>>],
        named: &HashSet<&str>,
    ) -> Result<(Vec<u32>, NameCounts)> {
        let wanted: Vec<HashSet<u32>> =
            batch_keys.iter().map(|keys| keys.iter().flatten().map(|&k| short_key(k)).collect()).collect();
        let mut by_part: HashMap<u32, Vec<u32>> = HashMap::default();
        for (i, &(part, _)) in self.places.iter().enumerate() {
            by_part.entry(part).or_default().push(i as u32);
        }
        let mut chosen = vec![false; self.len()];
        let mut counts: HashMap<Box<str>, u32> = HashMap::default();
        for &part in &self.parts {
            let Some(records) = by_part.get(&part) else { continue };
            let frame = self.read_keys(part)?;
            let path = || self.part_path(keys_file(part));
            let rows = frame.height();
            for (rule, wanted) in rules.iter().zip(&wanted) {
                if wanted.is_empty() {
                    continue;
                }
                let column = frame.column(&rule.name).ok().and_then(|c| c.u32().ok());
                let column =
                    column.ok_or_else(|| damaged(&path(), format!("no column for blocking rule `{}`", rule.name)))?;
                let keys: Vec<Option<u32>> = column.iter().collect();
                for &i in records {
                    let row = self.places[i as usize].1 as usize;
                    if keys.get(row).copied().flatten().is_some_and(|k| wanted.contains(&k)) {
                        chosen[i as usize] = true;
                    }
                }
            }
            let names = text_column(&frame, NAME_KEY_COLUMN)
                .ok_or_else(|| damaged(&path(), format!("no text column `{NAME_KEY_COLUMN}`")))?;
            let names: Vec<&str> = names.iter().map(Option::unwrap_or_default).collect();
            if names.len() != rows || records.iter().any(|&i| self.places[i as usize].1 as usize >= rows) {
                return Err(damaged(&path(), "has fewer rows than current.parquet names"));
            }
            for &i in records {
                let name = names[self.places[i as usize].1 as usize];
                if !name.is_empty() {
                    match counts.get_mut(name) {
                        Some(count) => *count += 1,
                        None => {
                            counts.insert(name.into(), 1);
                        }
                    }
                }
            }
        }
        if !named.is_empty() {
            for (i, id) in self.text("record_id")?.iter().enumerate() {
                if id.is_some_and(|id| named.contains(id)) {
                    chosen[i] = true;
                }
            }
        }
        let person = self.text("person_id")?;
        let persons: HashSet<&str> = person.iter().zip(&chosen).filter(|(_, &c)| c).filter_map(|(p, _)| p).collect();
        for (i, p) in person.iter().enumerate() {
            if p.is_some_and(|p| persons.contains(p)) {
                chosen[i] = true;
            }
        }
        let rows = (0..self.len() as u32).filter(|&i| chosen[i as usize]).collect();
        Ok((rows, NameCounts { counts, total: self.len() as u64 }))
    }

    /// Current records `rows` (ascending) as the whole records table holds
    /// them: their content from their parts (the `columns` of it), then the
    /// changing columns.
    pub fn records(&self, rows: &[u32], columns: Columns) -> Result<DataFrame> {
        let mut by_part: HashMap<u32, Vec<(u32, u32)>> = HashMap::default();
        for &i in rows {
            let (part, row) = self.places[i as usize];
            by_part.entry(part).or_default().push((row, i));
        }
        let mut frames = Vec::new();
        let mut order: Vec<u32> = Vec::with_capacity(rows.len());
        for &part in &self.parts {
            let Some(wanted) = by_part.get(&part) else { continue };
            let path = self.part_path(part_file(part));
            // A stretch of rows at a time, those with no record wanted
            // not read at all: memory is a stretch's, not the part's.
            let mut wanted = wanted.clone();
            wanted.sort_unstable();
            for stretch in wanted.chunk_by(|a, b| a.0 / ROWS_PER_STRETCH == b.0 / ROWS_PER_STRETCH) {
                let start = stretch[0].0 / ROWS_PER_STRETCH * ROWS_PER_STRETCH;
                let frame = read_stretch(&path, start as usize, columns)?;
                let indices: Vec<IdxSize> = stretch.iter().map(|&(row, _)| (row - start) as IdxSize).collect();
                if indices.iter().any(|&row| row as usize >= frame.height()) {
                    return Err(damaged(&path, "has fewer rows than current.parquet names"));
                }
                let taken = frame.take(&IdxCa::from_vec(PlSmallStr::EMPTY, indices)).map_err(|e| damaged(&path, e))?;
                frames.push(taken);
                order.extend(stretch.iter().map(|&(_, i)| i));
            }
        }
        // No record at all: the columns still, for the header.
        if let (true, Some(&part)) = (frames.is_empty(), self.parts.first()) {
            let path = self.part_path(part_file(part));
            let file = std::fs::File::open(&path).map_err(|e| Error::ReadInput { path: path.clone(), source: e })?;
            let empty = ParquetReader::new(file).with_slice(Some((0, 0))).finish();
            frames.push(empty.map_err(|e| damaged(&path, format_args!("cannot be read as Parquet ({e})")))?);
        }
        let stacked = stack(&frames, &path_of(&self.folder))?;
        // Back into master order, the changing columns beside.
        let mut position: Vec<(u32, IdxSize)> = order.iter().enumerate().map(|(k, &i)| (i, k as IdxSize)).collect();
        position.sort_unstable();
        let take = IdxCa::from_vec(PlSmallStr::EMPTY, position.iter().map(|&(_, k)| k).collect());
        let mut content = stacked.take(&take).map_err(|e| damaged(&path_of(&self.folder), e))?;
        let rows_taken = IdxCa::from_vec(PlSmallStr::EMPTY, rows.iter().map(|&i| i as IdxSize).collect());
        let changing = self.current.select(CHANGING_COLUMNS).and_then(|f| f.take(&rows_taken));
        let changing = changing.map_err(|e| damaged(&self.folder.join(RECORDS_DIR).join(CURRENT_FILE), e))?;
        content.hstack_mut(changing.columns()).map_err(|e| damaged(&path_of(&self.folder), e))?;
        Ok(content)
    }

    /// Current records `rows` (ascending) as the CSV file `records.csv`
    /// would hold them (header, spreadsheet guard and all): read back as a
    /// dancu output, they are the records as the master has them.
    pub fn rows_as_csv(&self, rows: &[u32]) -> Result<Vec<u8>> {
        let frame = self.records(rows, Columns::Originals)?;
        let mut bytes = Vec::new();
        push_csv_record(&mut bytes, frame.get_column_names().iter().map(|n| excel_safe(n)));
        push_csv_rows(&mut bytes, &frame);
        Ok(bytes)
    }

    /// Links every part of the master into the output folder `out` (its
    /// `records/` and `persons/` made): they are part of the new master as
    /// they are.
    pub fn link_parts_into(&self, out: &Path) -> Result<()> {
        for dir in [RECORDS_DIR, PERSONS_DIR] {
            let (from, to) = (self.folder.join(dir), out.join(dir));
            crate::output::atomic::create_private_dir(&to)
                .map_err(|e| Error::WriteOutput { path: to.clone(), source: e })?;
            for entry in
                std::fs::read_dir(&from).map_err(|e| Error::ReadInput { path: from.clone(), source: e })?.flatten()
            {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with("part-") && name.ends_with(".parquet") {
                    crate::output::set::link_or_copy(&entry.path(), &to.join(&name))?;
                }
            }
        }
        Ok(())
    }
}

/// The folder's records dataset, for messages.
fn path_of(folder: &Path) -> PathBuf {
    folder.join(RECORDS_DIR)
}

pub use crate::link::block::short_key;

/// Frames stacked into one, their columns made the same: the first's in
/// order, then those only later ones have; a column one lacks is empty
/// text there (no value, for a column of another type).
fn stack(frames: &[DataFrame], path: &Path) -> Result<DataFrame> {
    let failed = |e: PolarsError| damaged(path, e);
    let mut names: Vec<PlSmallStr> = Vec::new();
    let mut types: HashMap<PlSmallStr, DataType> = HashMap::default();
    for frame in frames {
        for column in frame.columns() {
            if !types.contains_key(column.name()) {
                names.push(column.name().clone());
                types.insert(column.name().clone(), column.dtype().clone());
            }
        }
    }
    let mut stacked: Option<DataFrame> = None;
    for frame in frames {
        let aligned = align(frame, &names, &types).map_err(failed)?;
        match &mut stacked {
            None => stacked = Some(aligned),
            Some(all) => {
                all.vstack_mut(&aligned).map_err(failed)?;
            }
        }
    }
    Ok(stacked.unwrap_or_default())
}

/// `frame` with the columns `names`, those it lacks empty.
fn align(frame: &DataFrame, names: &[PlSmallStr], types: &HashMap<PlSmallStr, DataType>) -> PolarsResult<DataFrame> {
    let height = frame.height();
    let columns: Vec<Column> = names
        .iter()
        .map(|name| match (frame.column(name), types.get(name)) {
            (Ok(column), _) => column.clone(),
            (Err(_), Some(DataType::String) | None) => Column::new(name.clone(), vec![""; height]),
            (Err(_), Some(dtype)) => Column::full_null(name.clone(), height, dtype),
        })
        .collect();
    DataFrame::new(height, columns)
}

/// The whole records table of the output folder `folder`, in the master's
/// order: each current record's content from its part (the `columns` of
/// it) and its changing columns from `current.parquet`; with
/// [`Columns::All`], the columns of `records.csv`.
pub fn population(folder: &Path, columns: Columns) -> Result<DataFrame> {
    let tables = MasterTables::read(folder)?;
    let rows: Vec<u32> = (0..tables.len() as u32).collect();
    tables.records(&rows, columns)
}

/// Appends `frame`'s rows to `bytes` as `records.csv` holds them: each
/// cell as text, guarded for spreadsheets.
fn push_csv_rows(bytes: &mut Vec<u8>, frame: &DataFrame) {
    let columns: Vec<CellsOf> = frame.columns().iter().map(CellsOf::new).collect();
    for row in 0..frame.height() {
        let cells: Vec<String> = columns.iter().map(|c| c.cell(row)).collect();
        push_csv_record(bytes, cells.iter().map(|c| excel_safe(c)));
    }
}

/// A column of a table, read one cell at a time as text.
enum CellsOf<'a> {
    Text(&'a StringChunked),
    Count(&'a UInt64Chunked),
    Flag(&'a BooleanChunked),
    Other,
}

impl<'a> CellsOf<'a> {
    fn new(column: &'a Column) -> CellsOf<'a> {
        if let Ok(text) = column.str() {
            CellsOf::Text(text)
        } else if let Ok(count) = column.u64() {
            CellsOf::Count(count)
        } else if let Ok(flag) = column.bool() {
            CellsOf::Flag(flag)
        } else {
            CellsOf::Other
        }
    }

    fn cell(&self, row: usize) -> String {
        match self {
            CellsOf::Text(text) => text.get(row).unwrap_or_default().to_string(),
            CellsOf::Count(count) => count.get(row).map_or_else(String::new, |v| v.to_string()),
            CellsOf::Flag(flag) => flag.get(row).map_or_else(String::new, |v| v.to_string()),
            CellsOf::Other => String::new(),
        }
    }
}

/// Current records exported at a time: memory is theirs, not the
/// population's.
const RECORDS_PER_EXPORT_PIECE: usize = 65_536;

/// Writes the whole population of the output folder `folder` as one CSV
/// file `out`, with the columns and guards of `records.csv` (on a night,
/// `records.csv` holds tonight's records only), a piece of records at a
/// time. Returns the records written.
pub fn export_records(folder: &Path, out: &Path) -> Result<u64> {
    let tables = MasterTables::read(folder)?;
    // Every part's columns, in order of first appearance, then the
    // changing ones: the header of the whole.
    let mut names: Vec<PlSmallStr> = Vec::new();
    let mut types: HashMap<PlSmallStr, DataType> = HashMap::default();
    for &part in &tables.parts {
        let path = tables.part_path(part_file(part));
        let file = std::fs::File::open(&path).map_err(|e| damaged(&path, format_args!("cannot be opened ({e})")))?;
        let schema = ParquetReader::new(file).schema().map_err(|e| damaged(&path, e))?;
        for (name, field) in schema.iter() {
            if !types.contains_key(name) {
                names.push(name.clone());
                types.insert(name.clone(), DataType::from_arrow_field(field));
            }
        }
    }
    names.extend(CHANGING_COLUMNS.map(PlSmallStr::from));
    let header: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut file = AtomicFile::create(out)?;
    let write_error = |e: std::io::Error| Error::WriteOutput { path: out.to_path_buf(), source: e };
    let mut bytes = Vec::new();
    push_csv_record(&mut bytes, header.iter().map(|h| excel_safe(h)));
    std::io::Write::write_all(file.writer(), &bytes).map_err(write_error)?;
    let rows: Vec<u32> = (0..tables.len() as u32).collect();
    for piece in rows.chunks(RECORDS_PER_EXPORT_PIECE) {
        bytes.clear();
        let frame = tables.records(piece, Columns::All)?;
        push_csv_rows(&mut bytes, &align(&frame, &names, &types).map_err(|e| damaged(&path_of(folder), e))?);
        std::io::Write::write_all(file.writer(), &bytes).map_err(write_error)?;
    }
    file.commit()?;
    Ok(rows.len() as u64)
}

/// Writes the current persons of the output folder `folder` (each
/// person's row of the latest part that has one, the retired left out) as
/// one CSV file `out`, the columns of `persons.csv`. Returns the persons
/// written.
pub fn export_persons(folder: &Path, out: &Path) -> Result<u64> {
    let frame = current_persons(folder)?;
    write_csv_of(&frame, out)
}

fn write_csv_of(frame: &DataFrame, out: &Path) -> Result<u64> {
    let header: Vec<String> = frame.get_column_names().iter().map(|n| n.to_string()).collect();
    let columns: Vec<CellsOf> = frame.columns().iter().map(CellsOf::new).collect();
    crate::output::csv::write_csv_rows(out, &header, frame.height(), |i| {
        columns.iter().map(|c| std::borrow::Cow::Owned(c.cell(i))).collect()
    })?;
    Ok(frame.height() as u64)
}

/// The current persons of the output folder `folder`: of each person ID,
/// the row of the latest persons part that has one, unless the ID is
/// retired; in order of the parts, then of their rows.
pub fn current_persons(folder: &Path) -> Result<DataFrame> {
    let ledger = super::read_ledger(&folder.join("identity.json"))?;
    current_persons_in(&folder.join(PERSONS_DIR), &ledger)
}

/// The current persons of the persons parts in `dir`, `ledger` saying
/// which IDs are retired.
fn current_persons_in(dir: &Path, ledger: &crate::identity::Ledger) -> Result<DataFrame> {
    let frames: Vec<DataFrame> =
        parts_in(dir)?.into_iter().map(|p| read_frame(&dir.join(part_file(p)))).collect::<Result<_>>()?;
    let stacked = stack(&frames, dir)?;
    let ids = text_column(&stacked, "person_id").ok_or_else(|| damaged(dir, "no text column `person_id`"))?;
    let mut latest: HashMap<&str, IdxSize> = HashMap::default();
    for (k, id) in ids.iter().enumerate() {
        latest.insert(id.unwrap_or_default(), k as IdxSize);
    }
    let keep: Vec<IdxSize> = ids
        .iter()
        .enumerate()
        .filter(|&(k, id)| {
            let id = id.unwrap_or_default();
            let retired = crate::identity::parse_person_id(id).is_some_and(|n| ledger.current(n) != n);
            latest.get(id) == Some(&(k as IdxSize)) && !retired
        })
        .map(|(k, _)| k as IdxSize)
        .collect();
    stacked.take(&IdxCa::from_vec(PlSmallStr::EMPTY, keep)).map_err(|e| damaged(dir, e))
}

/// Persons parts may hold this many rows for each current person before
/// they are compacted: a night adds a part of the persons it linked, and a
/// reader skips the rows a later part superseded.
const PERSONS_ROWS_PER_PERSON: u64 = 2;

/// Compacts the persons parts of the new master in `folder` into its
/// latest part when they hold more than [`PERSONS_ROWS_PER_PERSON`] rows
/// for each of the `persons` current ones. Returns whether it did.
pub fn compact_persons(folder: &Path, persons: u64, ledger: &crate::identity::Ledger) -> Result<bool> {
    let dir = &folder.join(PERSONS_DIR);
    let parts = parts_in(dir)?;
    let Some(&part) = parts.last() else { return Ok(false) };
    let mut rows = 0u64;
    for &p in &parts {
        let path = dir.join(part_file(p));
        let file = std::fs::File::open(&path).map_err(|e| damaged(&path, format_args!("cannot be opened ({e})")))?;
        rows += ParquetReader::new(file).num_rows().map_err(|e| damaged(&path, e))? as u64;
    }
    if parts.len() < 2 || rows <= PERSONS_ROWS_PER_PERSON * persons {
        return Ok(false);
    }
    let mut current = current_persons_in(dir, ledger)?;
    // The older parts are links to the master's files: they are removed
    // from the new master only, after the whole has been written.
    write_frame(&dir.join(part_file(part)), &mut current)?;
    for p in parts.into_iter().filter(|&p| p != part) {
        let path = dir.join(part_file(p));
        std::fs::remove_file(&path).map_err(|e| Error::WriteOutput { path, source: e })?;
    }
    Ok(true)
}

/// Where a row of `current.parquet` a night writes comes from: the
/// master's, or tonight's (new, or a master record linked again tonight).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowFrom {
    Master(u32),
    Tonight(u32),
}

/// The table whose rows are `order`, taken from the master's `master` and
/// tonight's `tonight` (the same columns).
pub fn assemble(master: &DataFrame, tonight: &DataFrame, order: &[RowFrom]) -> Result<DataFrame> {
    let failed = |e: PolarsError| Error::WriteParquet { path: PathBuf::from(CURRENT_FILE), message: e.to_string() };
    let mut both = master.select(tonight.get_column_names_owned()).map_err(failed)?;
    both.vstack_mut(tonight).map_err(failed)?;
    let offset = master.height() as IdxSize;
    let indices: Vec<IdxSize> = order
        .iter()
        .map(|from| match *from {
            RowFrom::Master(i) => i as IdxSize,
            RowFrom::Tonight(i) => offset + i as IdxSize,
        })
        .collect();
    both.take(&IdxCa::from_vec(PlSmallStr::EMPTY, indices)).map_err(failed)
}

/// Writes a frame as a table of the output, compressed as the run's own
/// tables are.
pub fn write_frame(path: &Path, frame: &mut DataFrame) -> Result<()> {
    let failed = |e: PolarsError| Error::WriteParquet { path: path.to_path_buf(), message: e.to_string() };
    let mut file = AtomicFile::create(path)?;
    let level = ZstdLevel::try_new(1).map_err(failed)?;
    ParquetWriter::new(file.writer())
        .with_compression(ParquetCompression::Zstd(Some(level)))
        .with_row_group_size(Some(crate::write::ROWS_PER_GROUP))
        .finish(frame)
        .map_err(failed)?;
    file.commit()
}
