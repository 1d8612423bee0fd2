//! The master's tables as a night reads them: its records, their blocking
//! keys and its persons, each a Parquet file read whole into a frame (whole
//! columns of shared buffers, not a value per cell). A night takes out only
//! the records its batch could link to, and puts back what it changed: the
//! master is never normalised or linked again as a whole.

use std::path::{Path, PathBuf};

use polars::polars_utils::compression::ZstdLevel;
use polars::prelude::*;

use crate::error::{Error, Result};
use crate::hash::{HashMap, HashSet};
use crate::link::frequency::NameCounts;
use crate::output::atomic::AtomicFile;
use crate::output::excel_safe::excel_safe;
use crate::rules::BlockingRule;

/// The file beside `records.parquet` that holds, row for row, each
/// record's name key and its key under each blocking rule.
pub const KEYS_FILE: &str = "keys.parquet";
/// The column of [`KEYS_FILE`] with each record's name key.
pub const NAME_KEY_COLUMN: &str = "name_key";

/// The master's records, their keys and its persons.
pub struct MasterTables {
    pub records: DataFrame,
    pub keys: DataFrame,
    pub persons: DataFrame,
}

fn damaged(path: &Path, what: impl std::fmt::Display) -> Error {
    Error::InputFormat {
        path: path.to_path_buf(),
        message: format!("{what}; the master is damaged: use the output of another night, or pass --rebuild"),
    }
}

fn read_frame(path: &Path) -> Result<DataFrame> {
    let file = std::fs::File::open(path).map_err(|e| Error::ReadInput { path: path.to_path_buf(), source: e })?;
    ParquetReader::new(file).finish().map_err(|e| damaged(path, format_args!("cannot be read as Parquet ({e})")))
}

impl MasterTables {
    /// Reads the three tables of the master in `folder`; the keys must be
    /// row for row those of the records. A master relinked whole
    /// (`rebuild`) is read without its keys, which it may not have.
    pub fn read(folder: &Path, rebuild: bool) -> Result<MasterTables> {
        let read_keys = || match rebuild {
            true => Ok(DataFrame::empty()),
            false => read_frame(&folder.join(KEYS_FILE)),
        };
        let (records, (keys, persons)) = rayon::join(
            || read_frame(&folder.join("records.parquet")),
            || rayon::join(read_keys, || read_frame(&folder.join("persons.parquet"))),
        );
        let tables = MasterTables { records: records?, keys: keys?, persons: persons? };
        if !rebuild && tables.keys.height() != tables.records.height() {
            return Err(damaged(&folder.join(KEYS_FILE), "does not have a row for each record of records.parquet"));
        }
        for column in ["record_id", "person_id"] {
            tables.text(column)?;
        }
        Ok(tables)
    }

    pub fn len(&self) -> usize {
        self.records.height()
    }

    pub fn is_empty(&self) -> bool {
        self.records.height() == 0
    }

    /// A text column of the records.
    pub fn text(&self, name: &str) -> Result<&StringChunked> {
        text_column(&self.records, name).ok_or_else(|| damaged(Path::new("records.parquet"), format!("no text column `{name}`")))
    }

    /// The master rows a batch is linked beside: those sharing a key under
    /// some blocking rule with one of the batch (`batch_keys`, rule by rule,
    /// as [`crate::link::block::rule_keys`] makes them), those whose
    /// `record_id` is in `named` (the batch's own rows sent again, the
    /// records a decision names), and then every record of the persons of
    /// those: a person is linked whole or not at all. In master order.
    pub fn neighbours(
        &self,
        rules: &[BlockingRule],
        batch_keys: &[Vec<Option<u64>>],
        named: &HashSet<&str>,
    ) -> Result<Vec<u32>> {
        let n = self.len();
        let mut chosen = vec![false; n];
        for (rule, keys) in rules.iter().zip(batch_keys) {
            let wanted: HashSet<u64> = keys.iter().flatten().copied().collect();
            if wanted.is_empty() {
                continue;
            }
            let column = self
                .keys
                .column(&rule.name)
                .ok()
                .and_then(|c| c.u64().ok())
                .ok_or_else(|| damaged(Path::new(KEYS_FILE), format!("no column for blocking rule `{}`", rule.name)))?;
            for (i, key) in column.iter().enumerate() {
                if key.is_some_and(|k| wanted.contains(&k)) {
                    chosen[i] = true;
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
        let persons: HashSet<&str> =
            person.iter().zip(&chosen).filter(|(_, &c)| c).filter_map(|(p, _)| p).collect();
        for (i, p) in person.iter().enumerate() {
            if p.is_some_and(|p| persons.contains(p)) {
                chosen[i] = true;
            }
        }
        Ok((0..n as u32).filter(|&i| chosen[i as usize]).collect())
    }

    /// How often each name key occurs among the master's records.
    pub fn name_counts(&self) -> Result<NameCounts> {
        let column = text_column(&self.keys, NAME_KEY_COLUMN)
            .ok_or_else(|| damaged(Path::new(KEYS_FILE), format!("no text column `{NAME_KEY_COLUMN}`")))?;
        let mut counts: HashMap<Box<str>, u32> = HashMap::default();
        for key in column.iter().flatten().filter(|k| !k.is_empty()) {
            match counts.get_mut(key) {
                Some(count) => *count += 1,
                None => {
                    counts.insert(key.into(), 1);
                }
            }
        }
        Ok(NameCounts { counts, total: self.len() as u64 })
    }

    /// Master rows `rows` as the CSV file `records.csv` would hold them
    /// (header, spreadsheet guard and all): read back as a dancu output,
    /// they are the records as the master has them.
    pub fn rows_as_csv(&self, rows: &[u32]) -> Result<Vec<u8>> {
        let columns: Vec<CellsOf> = self.records.columns().iter().map(CellsOf::new).collect();
        let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
        let failed = |e: csv::Error| damaged(Path::new("records.parquet"), e);
        writer.write_record(self.records.get_column_names().iter().map(|n| n.as_str())).map_err(failed)?;
        let mut cells: Vec<String> = Vec::with_capacity(columns.len());
        for &row in rows {
            cells.clear();
            cells.extend(columns.iter().map(|c| c.cell(row as usize)));
            writer.write_record(cells.iter().map(|c| excel_safe(c).into_owned())).map_err(failed)?;
        }
        writer.into_inner().map_err(|e| damaged(Path::new("records.parquet"), e.error()))
    }
}

/// A column of a master table, read one cell at a time as text.
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

fn text_column<'a>(frame: &'a DataFrame, name: &str) -> Option<&'a StringChunked> {
    frame.column(name).ok().and_then(|c| c.str().ok())
}

/// Where a row of a table a night writes comes from: the master's table,
/// or tonight's rows (new, or a master row linked again tonight).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowFrom {
    Master(u32),
    Tonight(u32),
}

/// The table whose rows are `order`, taken from the master's `master` and
/// tonight's `tonight`. The master's columns come first, in its order; a
/// column only tonight has goes before `before` (or last), empty on the
/// master's rows; a column tonight lacks is empty on tonight's.
pub fn assemble(master: &DataFrame, tonight: &DataFrame, order: &[RowFrom], before: &str) -> Result<DataFrame> {
    let failed = |e: PolarsError| Error::WriteParquet { path: PathBuf::from("master table"), message: e.to_string() };
    let mut names: Vec<PlSmallStr> = master.get_column_names().into_iter().cloned().collect();
    let at = names.iter().position(|n| n.as_str() == before).unwrap_or(names.len());
    let added: Vec<PlSmallStr> =
        tonight.get_column_names().into_iter().filter(|&n| !names.contains(n)).cloned().collect();
    for (k, name) in added.into_iter().enumerate() {
        names.insert(at + k, name);
    }
    // A column one side lacks is empty there: empty text, or no value.
    let dtype_of = |name: &PlSmallStr| {
        master.column(name).or_else(|_| tonight.column(name)).map(|c| c.dtype().clone()).unwrap_or(DataType::String)
    };
    let aligned = |frame: &DataFrame| -> PolarsResult<DataFrame> {
        let height = frame.height();
        let columns: Vec<Column> = names
            .iter()
            .map(|name| match (frame.column(name), dtype_of(name)) {
                (Ok(column), _) => column.clone(),
                (Err(_), DataType::String) => Column::new(name.clone(), vec![""; height]),
                (Err(_), dtype) => Column::full_null(name.clone(), height, &dtype),
            })
            .collect();
        DataFrame::new(height, columns)
    };
    let mut both = aligned(master).map_err(failed)?;
    both.vstack_mut(&aligned(tonight).map_err(failed)?).map_err(failed)?;
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

/// Writes the whole population of the output folder `folder` (its
/// `records.parquet`) as one CSV file `out`, with the columns and guards of
/// `records.csv`: on a night, `records.csv` holds tonight's records only.
/// Returns the records written.
pub fn export_records(folder: &Path, out: &Path) -> Result<u64> {
    let frame = read_frame(&folder.join("records.parquet"))?;
    let header: Vec<String> = frame.get_column_names().iter().map(|n| n.to_string()).collect();
    let columns: Vec<CellsOf> = frame.columns().iter().map(CellsOf::new).collect();
    crate::output::csv::write_csv_rows(out, &header, frame.height(), |i| {
        columns.iter().map(|c| std::borrow::Cow::Owned(c.cell(i))).collect()
    })?;
    Ok(frame.height() as u64)
}
