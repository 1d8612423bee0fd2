//! `records.parquet`: the records table with the same columns as
//! `records.csv`, typed where the type is plain (row number, is_primary),
//! values exact (no spreadsheet escaping: Parquet is not opened by Excel).

use std::path::Path;

use polars::polars_utils::compression::ZstdLevel;
use polars::prelude::*;

use super::RunOutput;
use crate::error::Error;
use crate::output::atomic::AtomicFile;

/// Rows per row group: bounds the memory the writer holds at once.
const ROWS_PER_GROUP: usize = 32_768;

pub fn write_records(path: &Path, run: &RunOutput) -> Result<(), Error> {
    let parquet_error = |e: PolarsError| Error::WriteParquet { path: path.to_path_buf(), message: e.to_string() };
    let columns = run.record_columns();
    let n = run.normalized.len();
    let mut file = AtomicFile::create(path)?;
    let mut start = 0;
    let first = row_group(run, &columns, 0..n.min(ROWS_PER_GROUP)).map_err(parquet_error)?;
    // zstd's fastest level: on 1M records 1% larger than its default (3)
    // and a tenth of the writer's time faster.
    let level = ZstdLevel::try_new(1).map_err(parquet_error)?;
    let mut writer = ParquetWriter::new(file.writer())
        .with_compression(ParquetCompression::Zstd(Some(level)))
        .batched(first.schema())
        .map_err(parquet_error)?;
    let mut group = Some(first);
    // Encoding one row group and building the next are independent: they
    // run side by side, and the groups still reach the file in order.
    while let Some(frame) = group.take() {
        start += ROWS_PER_GROUP;
        let next = start..(start + ROWS_PER_GROUP).min(n);
        let (written, built) = rayon::join(
            || writer.write_batch(&frame),
            || (!next.is_empty()).then(|| row_group(run, &columns, next)).transpose(),
        );
        written.map_err(parquet_error)?;
        group = built.map_err(parquet_error)?;
    }
    writer.finish().map_err(parquet_error)?;
    drop(writer);
    file.commit()
}

/// Rows whose cells are gathered column after column while they stay in a
/// core's cache: gathering a whole row group a column at a time fetched
/// each record from memory once per column.
const ROWS_PER_PIECE: usize = 1_024;

/// One column of a row group while it is filled.
enum ColumnBuilder {
    Text(StringChunkedBuilder),
    Count(Vec<u64>),
    Flag(Vec<bool>),
}

/// Records `rows` as a data frame with the records table's columns, filled
/// a piece of rows at a time. One task builds the group while the previous
/// one is encoded.
fn row_group(run: &RunOutput, columns: &[String], rows: std::ops::Range<usize>) -> PolarsResult<DataFrame> {
    let height = rows.len();
    let mut builders: Vec<ColumnBuilder> = columns
        .iter()
        .map(|name| match name.as_str() {
            "row" => ColumnBuilder::Count(Vec::with_capacity(height)),
            "is_primary" => ColumnBuilder::Flag(Vec::with_capacity(height)),
            _ => ColumnBuilder::Text(StringChunkedBuilder::new(name.into(), height)),
        })
        .collect();
    for start in rows.clone().step_by(ROWS_PER_PIECE) {
        let piece = start..(start + ROWS_PER_PIECE).min(rows.end);
        for (c, builder) in builders.iter_mut().enumerate() {
            let cells = piece.clone().map(|i| run.record_cell(i, c));
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

/// A table of text cells (a column named `records` or `row` as an integer)
/// as Parquet, a row group at a time: `cells(i)` gives row `i`.
pub fn write_table<'a>(
    path: &Path,
    columns: &[String],
    rows: usize,
    cells: &dyn Fn(usize) -> Vec<std::borrow::Cow<'a, str>>,
) -> Result<(), Error> {
    let parquet_error = |e: PolarsError| Error::WriteParquet { path: path.to_path_buf(), message: e.to_string() };
    let group = |range: std::ops::Range<usize>| -> PolarsResult<DataFrame> {
        let height = range.len();
        let mut texts: Vec<Vec<String>> = vec![Vec::with_capacity(height); columns.len()];
        for i in range {
            for (column, cell) in texts.iter_mut().zip(cells(i)) {
                column.push(cell.into_owned());
            }
        }
        let frame_columns: Vec<Column> = texts
            .into_iter()
            .zip(columns)
            .map(|(values, name)| match name.as_str() {
                "records" | "row" => {
                    Column::new(name.into(), values.iter().map(|v| v.parse::<u64>().unwrap_or(0)).collect::<Vec<u64>>())
                }
                _ => Column::new(name.into(), values),
            })
            .collect();
        DataFrame::new(height, frame_columns)
    };
    let mut file = AtomicFile::create(path)?;
    let first = group(0..rows.min(ROWS_PER_GROUP)).map_err(parquet_error)?;
    let level = ZstdLevel::try_new(1).map_err(parquet_error)?;
    let mut writer = ParquetWriter::new(file.writer())
        .with_compression(ParquetCompression::Zstd(Some(level)))
        .batched(first.schema())
        .map_err(parquet_error)?;
    writer.write_batch(&first).map_err(parquet_error)?;
    let mut start = ROWS_PER_GROUP;
    while start < rows {
        let frame = group(start..(start + ROWS_PER_GROUP).min(rows)).map_err(parquet_error)?;
        writer.write_batch(&frame).map_err(parquet_error)?;
        start += ROWS_PER_GROUP;
    }
    writer.finish().map_err(parquet_error)?;
    drop(writer);
    file.commit()
}
