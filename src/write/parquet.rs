//! `records.parquet`: the records table with the same columns as
//! `records.csv`, typed where the type is plain (row number, is_primary),
//! values exact (no spreadsheet escaping: Parquet is not opened by Excel).

use std::path::Path;

use polars::prelude::*;

use super::atomic::AtomicFile;
use super::RunOutput;
use crate::error::Error;

pub fn write_records(path: &Path, run: &RunOutput) -> Result<(), Error> {
    let columns = run.record_columns();
    let n = run.normalized.len();
    let mut text: Vec<Vec<String>> = vec![Vec::with_capacity(n); columns.len()];
    for i in 0..n {
        for (c, cell) in run.record_cells(i).into_iter().enumerate() {
            text[c].push(cell.into_owned());
        }
    }
    let parquet_error = |e: PolarsError| Error::WriteParquet {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut frame_columns: Vec<Column> = Vec::with_capacity(columns.len());
    for (name, values) in columns.iter().zip(text) {
        let column = match name.as_str() {
            "row" => Column::new(
                name.into(),
                values
                    .iter()
                    .map(|v| v.parse::<u64>().unwrap_or(0))
                    .collect::<Vec<u64>>(),
            ),
            "is_primary" => Column::new(
                name.into(),
                values.iter().map(|v| v == "true").collect::<Vec<bool>>(),
            ),
            _ => Column::new(name.into(), values),
        };
        frame_columns.push(column);
    }
    let mut frame = DataFrame::new(n, frame_columns).map_err(parquet_error)?;
    let mut file = AtomicFile::create(path)?;
    ParquetWriter::new(file.writer())
        .finish(&mut frame)
        .map_err(parquet_error)?;
    file.commit()
}
