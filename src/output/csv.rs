//! CSV files as every stage writes them: atomically, every cell made
//! spreadsheet-safe, optionally with the UTF-8 byte-order mark Excel needs
//! to show Vietnamese correctly.

use std::borrow::Cow;
use std::path::Path;

use rayon::prelude::*;

use super::atomic::AtomicFile;
use super::excel_safe::excel_safe;
use crate::error::Error;

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

/// Writes rows to a CSV file atomically after the whole of `earlier` (the
/// same table from the night before, header included, copied byte for
/// byte), or after `header` where there is none. The earlier file's first
/// line must be `header`.
pub fn write_csv_after<'r>(
    path: &Path,
    earlier: Option<&Path>,
    header: &[String],
    rows: impl Iterator<Item = Vec<Cow<'r, str>>>,
) -> Result<u64, Error> {
    let write_error = |e: std::io::Error| Error::WriteOutput { path: path.to_path_buf(), source: e };
    let header_line = format_header(header).map_err(|e| csv_error(path, e))?;
    let mut file = AtomicFile::create(path)?;
    match earlier {
        Some(earlier) => {
            let read_error = |e: std::io::Error| Error::ReadInput { path: earlier.to_path_buf(), source: e };
            let mut source = std::fs::File::open(earlier).map_err(read_error)?;
            let mut first = vec![0; header_line.len()];
            std::io::Read::read_exact(&mut source, &mut first).map_err(read_error)?;
            if first != header_line {
                return Err(Error::InputFormat {
                    path: earlier.to_path_buf(),
                    message: format!("does not start with the header `{}`; the master is damaged", header.join(",")),
                });
            }
            std::io::Write::write_all(file.writer(), &first).map_err(write_error)?;
            std::io::copy(&mut source, file.writer()).map_err(write_error)?;
        }
        None => std::io::Write::write_all(file.writer(), &header_line).map_err(write_error)?,
    }
    let mut count = 0;
    let mut bytes = Vec::new();
    for row in rows {
        bytes.clear();
        push_csv_record(&mut bytes, row.iter().map(|cell| excel_safe(cell)));
        std::io::Write::write_all(file.writer(), &bytes).map_err(write_error)?;
        count += 1;
    }
    file.commit()?;
    Ok(count)
}

/// Writes `count` rows to a CSV file atomically, like [`write_csv`], row `i`
/// being `row(i)`. Blocks of rows are formatted on the thread pool and
/// written in order: the bytes are the same as one writer's.
pub fn write_csv_rows<'r>(
    path: &Path,
    header: &[String],
    count: usize,
    row: impl Fn(usize) -> Vec<Cow<'r, str>> + Sync,
) -> Result<(), Error> {
    /// Rows formatted by one task.
    const ROWS_PER_PIECE: usize = 4_096;
    /// Pieces formatted in one round: a round is written while the next is
    /// formatted, so two rounds' bytes are held at once.
    const PIECES_PER_ROUND: usize = 8;
    let write_error = |e: std::io::Error| Error::WriteOutput { path: path.to_path_buf(), source: e };
    let format = |rows: std::ops::Range<usize>| -> Vec<u8> {
        let mut bytes = Vec::new();
        for i in rows {
            push_csv_record(&mut bytes, row(i).iter().map(|cell| excel_safe(cell)));
        }
        bytes
    };
    let format_round =
        |round: &[std::ops::Range<usize>]| -> Vec<Vec<u8>> { round.par_iter().cloned().map(format).collect() };
    let mut file = AtomicFile::create(path)?;
    let header_line = format_header(header).map_err(|e| csv_error(path, e))?;
    std::io::Write::write_all(file.writer(), &header_line).map_err(write_error)?;
    let pieces: Vec<std::ops::Range<usize>> =
        (0..count).step_by(ROWS_PER_PIECE).map(|start| start..(start + ROWS_PER_PIECE).min(count)).collect();
    let mut rounds = pieces.chunks(PIECES_PER_ROUND);
    let mut formatted = rounds.next().map(format_round);
    while let Some(bytes) = formatted.take() {
        let writer = file.writer();
        let (written, next) = rayon::join(
            || bytes.iter().try_for_each(|piece| std::io::Write::write_all(writer, piece)),
            || rounds.next().map(format_round),
        );
        written.map_err(write_error)?;
        formatted = next;
    }
    file.commit()
}

/// Appends one record to `out` exactly as the csv crate writes it: fields
/// joined by commas, a field quoted (its quotes doubled) when it holds a
/// comma, a quote or a line break, a lone empty field quoted, `\n` after.
/// The records table goes through this rather than a `csv::Writer`: its
/// half a gigabyte per million records was a third of the writing time.
pub fn push_csv_record<S: AsRef<str>>(out: &mut Vec<u8>, cells: impl ExactSizeIterator<Item = S>) {
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
