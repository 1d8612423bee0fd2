//! Reference tables in `rules/` are plain CSV with a header row; this reads
//! one, checks its columns and keeps each row's line for error messages.

use crate::error::RuleError;
use crate::hash::HashMap;

#[derive(Clone, Debug, Default)]
pub struct Table {
    file: String,
    columns: HashMap<String, usize>,
    rows: Vec<(usize, csv::StringRecord)>,
}

/// One row of a [`Table`].
pub struct TableRow<'a> {
    table: &'a Table,
    line: usize,
    record: &'a csv::StringRecord,
}

impl<'a> TableRow<'a> {
    /// The value in the named column; the column was checked at load.
    pub fn get(&self, column: &str) -> &'a str {
        self.table.columns.get(column).and_then(|&i| self.record.get(i)).unwrap_or("")
    }

    pub fn error(&self, message: impl Into<String>) -> RuleError {
        RuleError { file: self.table.file.clone(), line: self.line, message: message.into() }
    }
}

impl Table {
    pub fn parse(file: &str, text: &str, required: &[&str]) -> Result<Table, Vec<RuleError>> {
        let error = |line: usize, message: String| RuleError { file: file.to_string(), line, message };
        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
        let headers = reader.headers().map_err(|e| vec![error(1, e.to_string())])?.clone();
        let columns: HashMap<String, usize> =
            headers.iter().enumerate().map(|(i, h)| (h.trim().to_string(), i)).collect();
        let missing: Vec<&str> = required.iter().copied().filter(|c| !columns.contains_key(*c)).collect();
        if !missing.is_empty() {
            return Err(vec![error(1, format!("missing column(s): {}", missing.join(", ")))]);
        }
        let mut rows = Vec::new();
        let mut errors = Vec::new();
        for record in reader.records() {
            match record {
                Ok(record) => {
                    let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
                    if record.len() != headers.len() {
                        errors.push(error(
                            line,
                            format!("{} fields where the header has {}", record.len(), headers.len()),
                        ));
                    } else {
                        rows.push((line, record));
                    }
                }
                Err(e) => {
                    let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                    errors.push(error(line, e.to_string()));
                }
            }
        }
        if errors.is_empty() {
            Ok(Table { file: file.to_string(), columns, rows })
        } else {
            Err(errors)
        }
    }

    pub fn rows(&self) -> impl Iterator<Item = TableRow<'_>> {
        self.rows.iter().map(move |(line, record)| TableRow { table: self, line: *line, record })
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}
