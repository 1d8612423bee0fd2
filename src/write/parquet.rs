//! The Parquet tables of an output: the records' parts, their keys and
//! `current.parquet` (see `master::store` for the layout), and the
//! persons' parts; the columns of their CSV files, typed where the type is
//! plain (row number, record count, is_primary), values exact (no
//! spreadsheet escaping: Parquet is not opened by Excel).

use std::path::Path;

use polars::polars_utils::compression::ZstdLevel;
use polars::prelude::*;

use super::RunOutput;
use crate::error::Error;
use crate::master::store::{CHANGING_COLUMNS, NAME_KEY_COLUMN};
use crate::output::atomic::AtomicFile;
use crate::rules::BlockingRule;

/// Rows per row group: bounds the memory the writer holds at once.
pub const ROWS_PER_GROUP: usize = 32_768;

/// The records `rows` (all when `None`) as one records part: every column
/// of records.csv but the changing ones, which `current.parquet` holds.
pub fn write_records_part(path: &Path, run: &RunOutput, rows: Option<&[usize]>) -> Result<(), Error> {
    let all = run.record_columns();
    let content: Vec<usize> = (0..all.len()).filter(|&c| !CHANGING_COLUMNS.contains(&all[c].as_str())).collect();
    let columns: Vec<String> = content.iter().map(|&c| all[c].clone()).collect();
    let kinds: Vec<Kind> = content.iter().map(|&c| run.record_column_kind(c)).collect();
    match rows {
        None => write_table(path, &columns, &kinds, run.normalized.len(), &|i, c| run.record_cell(i, content[c])),
        Some(rows) => write_table(path, &columns, &kinds, rows.len(), &|k, c| run.record_cell(rows[k], content[c])),
    }
}

/// Each of records `rows`' name key and its key under each blocking rule (a
/// column named after the rule, the key's low 32 bits; empty where the
/// record has no key): what a night reads of a master to find the records
/// its batch shares a block with.
pub fn keys_frame(
    rules: &[BlockingRule],
    block_keys: &[Vec<Option<u32>>],
    name_keys: &[&str],
    rows: &[usize],
) -> DataFrame {
    let names: Vec<&str> = rows.iter().map(|&i| name_keys[i]).collect();
    let mut columns = vec![Column::new(NAME_KEY_COLUMN.into(), names)];
    for (rule, keys) in rules.iter().zip(block_keys) {
        let keys: Vec<Option<u32>> = rows.iter().map(|&i| keys[i]).collect();
        columns.push(Column::new(rule.name.as_str().into(), keys));
    }
    DataFrame::new(rows.len(), columns).expect("one key per record under each rule")
}

/// The rows of `current.parquet` for records `rows`: each one's
/// `record_id`, the part and row holding its content (`place`), its
/// changing columns and the night it first arrived (`night_of`).
pub fn current_frame<'a>(
    run: &RunOutput,
    rows: &[usize],
    place: &dyn Fn(usize) -> (u32, u32),
    night_of: &'a (dyn Fn(usize) -> &'a str + Sync),
) -> DataFrame {
    let all = run.record_columns();
    let at = |name: &str| all.iter().position(|c| c == name).expect("records.csv has its changing columns");
    let (person, primary, issues) = (at("person_id"), at("is_primary"), at("issues"));
    let text = |name: &str, column: usize| -> Column {
        let mut builder = StringChunkedBuilder::new(name.into(), rows.len());
        rows.iter().for_each(|&i| builder.append_value(run.record_cell(i, column)));
        builder.finish().into_column()
    };
    let places: Vec<(u32, u32)> = rows.iter().map(|&i| place(i)).collect();
    let columns = vec![
        Column::new("record_id".into(), rows.iter().map(|&i| run.record_ids[i].as_str()).collect::<Vec<_>>()),
        Column::new("part".into(), places.iter().map(|p| p.0).collect::<Vec<u32>>()),
        Column::new("row".into(), places.iter().map(|p| p.1).collect::<Vec<u32>>()),
        text("person_id", person),
        Column::new(
            "is_primary".into(),
            rows.iter().map(|&i| run.record_cell(i, primary) == "true").collect::<Vec<bool>>(),
        ),
        text("issues", issues),
        Column::new("first_seen".into(), rows.iter().map(|&i| night_of(i)).collect::<Vec<&str>>()),
    ];
    DataFrame::new(rows.len(), columns).expect("one row per record in each column")
}

/// Rows whose cells are gathered column after column while they stay in a
/// core's cache: gathering a whole row group a column at a time fetched
/// each record from memory once per column.
const ROWS_PER_PIECE: usize = 1_024;

/// What a column's cells are stored as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// A count written in digits.
    Integer,
    /// `true` or `false`.
    Flag,
}

/// One column of a row group while it is filled.
enum ColumnBuilder {
    Text(StringChunkedBuilder),
    Count(Vec<u64>),
    Flag(Vec<bool>),
}

/// The cell of a row in a column, both by number.
type Cell<'c, 'a> = &'c (dyn Fn(usize, usize) -> std::borrow::Cow<'a, str> + Sync);

/// Rows of a row group one thread fills: a group is built by several side
/// by side, since writing the records' part is the last file a run waits
/// for.
const ROWS_PER_BUILDER: usize = 8_192;

/// Rows `rows` as a data frame with the table's `columns` of `kinds`,
/// stretches of [`ROWS_PER_BUILDER`] filled side by side and joined into
/// one chunk per column (the bytes written are those of one builder).
pub fn row_group(
    columns: &[String],
    kinds: &[Kind],
    cell: Cell,
    rows: std::ops::Range<usize>,
) -> PolarsResult<DataFrame> {
    use rayon::prelude::*;
    let stretches: Vec<std::ops::Range<usize>> =
        rows.clone().step_by(ROWS_PER_BUILDER).map(|start| start..(start + ROWS_PER_BUILDER).min(rows.end)).collect();
    if stretches.len() <= 1 {
        return filled(columns, kinds, cell, rows);
    }
    let frames: Vec<DataFrame> =
        stretches.into_par_iter().map(|stretch| filled(columns, kinds, cell, stretch)).collect::<PolarsResult<_>>()?;
    let mut frames = frames.into_iter();
    let mut group = frames.next().expect("more than one stretch");
    for frame in frames {
        group.vstack_mut_owned(frame)?;
    }
    group.rechunk_mut();
    Ok(group)
}

/// Rows `rows` as a data frame, filled a piece of rows at a time.
fn filled(columns: &[String], kinds: &[Kind], cell: Cell, rows: std::ops::Range<usize>) -> PolarsResult<DataFrame> {
    let height = rows.len();
    let mut builders: Vec<ColumnBuilder> = columns
        .iter()
        .zip(kinds)
        .map(|(name, kind)| match kind {
            Kind::Integer => ColumnBuilder::Count(Vec::with_capacity(height)),
            Kind::Flag => ColumnBuilder::Flag(Vec::with_capacity(height)),
            Kind::Text => ColumnBuilder::Text(StringChunkedBuilder::new(name.into(), height)),
        })
        .collect();
    for start in rows.clone().step_by(ROWS_PER_PIECE) {
        let piece = start..(start + ROWS_PER_PIECE).min(rows.end);
        for (c, builder) in builders.iter_mut().enumerate() {
            let cells = piece.clone().map(|i| cell(i, c));
            match builder {
                ColumnBuilder::Text(text) => cells.for_each(|cell| text.append_value(cell)),
                ColumnBuilder::Count(counts) => counts.extend(cells.map(|v| v.parse::<u64>().unwrap_or(0))),
                ColumnBuilder::Flag(flags) => flags.extend(cells.map(|v| v == "true")),
            }
        }
    }
    let frame_columns: Vec<Column> = builders
        .into_iter()
        .zip(columns)
        .map(|(builder, name)| match builder {
            ColumnBuilder::Text(text) => text.finish().into_column(),
            ColumnBuilder::Count(counts) => Column::new(name.into(), counts),
            ColumnBuilder::Flag(flags) => Column::new(name.into(), flags),
        })
        .collect();
    DataFrame::new(height, frame_columns)
}

/// A table of `rows` rows as Parquet, a row group at a time, `cell(i, c)`
/// being row `i`'s cell in column `c`.
pub fn write_table(path: &Path, columns: &[String], kinds: &[Kind], rows: usize, cell: Cell) -> Result<(), Error> {
    write_groups(path, rows, &|range| row_group(columns, kinds, cell, range))
}

/// A table of `rows` rows as Parquet, a row group at a time, `group(range)`
/// making the rows `range` as a frame: memory is a group's, not the
/// table's. Encoding one row group and building the next run side by side;
/// the groups still reach the file in order.
pub fn write_groups(
    path: &Path,
    rows: usize,
    group: &(dyn Fn(std::ops::Range<usize>) -> PolarsResult<DataFrame> + Sync),
) -> Result<(), Error> {
    let parquet_error = |e: PolarsError| Error::WriteParquet { path: path.to_path_buf(), message: e.to_string() };
    let mut file = AtomicFile::create(path)?;
    let mut start = 0;
    let first = group(0..rows.min(ROWS_PER_GROUP)).map_err(parquet_error)?;
    // zstd's fastest level: on 1M records 1% larger than its default (3)
    // and a tenth of the writer's time faster.
    let level = ZstdLevel::try_new(1).map_err(parquet_error)?;
    let mut writer = ParquetWriter::new(file.writer())
        .with_compression(ParquetCompression::Zstd(Some(level)))
        // A group's columns are encoded on this thread, not on polars' own
        // pool: the tables are written side by side and the pool, shared by
        // all of them, made each wait for the others' columns (on 1M
        // records the records' part took 5.7 s instead of 3.4 s, and held
        // 0.17 GB more).
        .set_parallel(false)
        .batched(first.schema())
        .map_err(parquet_error)?;
    let mut built = Some(first);
    while let Some(frame) = built.take() {
        start += ROWS_PER_GROUP;
        let next = start..(start + ROWS_PER_GROUP).min(rows);
        let (written, next) =
            rayon::join(|| writer.write_batch(&frame), || (!next.is_empty()).then(|| group(next)).transpose());
        written.map_err(parquet_error)?;
        built = next.map_err(parquet_error)?;
    }
    writer.finish().map_err(parquet_error)?;
    drop(writer);
    file.commit()
}
