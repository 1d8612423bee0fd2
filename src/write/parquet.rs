//! `records.parquet` and `persons.parquet`: the tables with the same
//! columns as their CSV files, typed where the type is plain (row number,
//! record count, is_primary), values exact (no spreadsheet escaping:
//! Parquet is not opened by Excel).

use std::path::Path;

use polars::polars_utils::compression::ZstdLevel;
use polars::prelude::*;

use super::RunOutput;
use crate::error::Error;
use crate::master::store::NAME_KEY_COLUMN;
use crate::output::atomic::AtomicFile;
use crate::rules::BlockingRule;

/// Rows per row group: bounds the memory the writer holds at once.
pub const ROWS_PER_GROUP: usize = 32_768;

pub fn write_records(path: &Path, run: &RunOutput) -> Result<(), Error> {
    let columns = run.record_columns();
    let kinds: Vec<Kind> = (0..columns.len()).map(|c| run.record_column_kind(c)).collect();
    write_table(path, &columns, &kinds, run.normalized.len(), &|i, c| run.record_cell(i, c))
}

/// The records of a run as one frame, the columns of `records.parquet`.
pub fn records_frame(run: &RunOutput) -> Result<DataFrame, Error> {
    let columns = run.record_columns();
    let kinds: Vec<Kind> = (0..columns.len()).map(|c| run.record_column_kind(c)).collect();
    row_group(&columns, &kinds, &|i, c| run.record_cell(i, c), 0..run.normalized.len())
        .map_err(|e| Error::WriteParquet { path: "records.parquet".into(), message: e.to_string() })
}

/// Each record's name key and its key under each blocking rule (a column
/// named after the rule; empty where the record has no key): what a night
/// reads of a master to find the records its batch shares a block with.
pub fn keys_frame(rules: &[BlockingRule], block_keys: &[Vec<Option<u64>>], name_keys: &[&str]) -> DataFrame {
    let mut columns = vec![Column::new(NAME_KEY_COLUMN.into(), name_keys)];
    for (rule, keys) in rules.iter().zip(block_keys) {
        columns.push(Column::new(rule.name.as_str().into(), keys));
    }
    DataFrame::new(name_keys.len(), columns).expect("one key per record under each rule")
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

/// Rows `rows` as a data frame with the table's `columns` of `kinds`,
/// filled a piece of rows at a time.
pub fn row_group(columns: &[String], kinds: &[Kind], cell: Cell, rows: std::ops::Range<usize>) -> PolarsResult<DataFrame> {
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
/// being row `i`'s cell in column `c`. Encoding one row group and building
/// the next run side by side; the groups still reach the file in order.
pub fn write_table(path: &Path, columns: &[String], kinds: &[Kind], rows: usize, cell: Cell) -> Result<(), Error> {
    let parquet_error = |e: PolarsError| Error::WriteParquet { path: path.to_path_buf(), message: e.to_string() };
    let mut file = AtomicFile::create(path)?;
    let mut start = 0;
    let first = row_group(columns, kinds, cell, 0..rows.min(ROWS_PER_GROUP)).map_err(parquet_error)?;
    // zstd's fastest level: on 1M records 1% larger than its default (3)
    // and a tenth of the writer's time faster.
    let level = ZstdLevel::try_new(1).map_err(parquet_error)?;
    let mut writer = ParquetWriter::new(file.writer())
        .with_compression(ParquetCompression::Zstd(Some(level)))
        .batched(first.schema())
        .map_err(parquet_error)?;
    let mut group = Some(first);
    while let Some(frame) = group.take() {
        start += ROWS_PER_GROUP;
        let next = start..(start + ROWS_PER_GROUP).min(rows);
        let (written, built) = rayon::join(
            || writer.write_batch(&frame),
            || (!next.is_empty()).then(|| row_group(columns, kinds, cell, next)).transpose(),
        );
        written.map_err(parquet_error)?;
        group = built.map_err(parquet_error)?;
    }
    writer.finish().map_err(parquet_error)?;
    drop(writer);
    file.commit()
}
