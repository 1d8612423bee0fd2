//! Excel workbooks (XLSX, and XLS/ODS through the same reader): one sheet's
//! rows as text, with Excel's date serials written as dd/mm/yyyy and whole
//! numbers without a decimal point.

use std::path::Path;

use std::io::Cursor;

use calamine::{open_workbook_auto_from_rs, Data, Reader};

use super::SourceRow;
use crate::error::Error;
use crate::message::shown;

/// Reads the named sheet, or the first, of the workbook whose bytes are
/// `bytes` (`path` names it in messages), and hands each row to `sink`.
/// Returns the sheet's name. The container is told by its bytes, not by
/// the file's name.
pub fn read_sheet(
    path: &Path,
    bytes: &[u8],
    sheet: Option<&str>,
    mut sink: impl FnMut(SourceRow),
) -> Result<String, Error> {
    let format_error = |message: String| Error::InputFormat { path: path.to_path_buf(), message };
    let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        format_error(format!(
            "is a ZIP or Office container but not a workbook dancu can read ({}); open it in Excel and save it as .xlsx, or export the sheet as CSV",
            shown(&e.to_string())
        ))
    })?;
    let names = workbook.sheet_names().to_vec();
    let listed = || names.iter().map(|n| shown(n)).collect::<Vec<_>>().join(", ");
    let name =
        match sheet {
            Some(wanted) => names.iter().find(|n| n.as_str() == wanted).cloned().ok_or_else(|| {
                format_error(format!("no sheet named `{}`; the sheets are: {}", shown(wanted), listed()))
            })?,
            None => names.first().cloned().ok_or_else(|| format_error("the workbook has no sheets".to_string()))?,
        };
    let range = workbook
        .worksheet_range(&name)
        .map_err(|e| format_error(format!("cannot read sheet `{}`: {}", shown(&name), shown(&e.to_string()))))?;
    let first_row = range.start().map_or(0, |(row, _)| row as u64);
    for (offset, row) in range.rows().enumerate() {
        let cells = row.iter().map(cell_text).collect();
        sink(SourceRow::Cells { line: first_row + offset as u64 + 1, cells });
    }
    Ok(name)
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) => text.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => {
            if dt.is_datetime() {
                excel_serial_date(dt.as_f64()).unwrap_or_else(|| float_text(dt.as_f64()))
            } else {
                float_text(dt.as_f64())
            }
        }
        Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Whole numbers as integers (`38085000123`, not `38085000123.0`); a
/// spreadsheet that stored an ID as a number has already lost its leading
/// zero, which validation reports.
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e17 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// An Excel date serial (1900 system) as dd/mm/yyyy, the way a clerk typed it.
fn excel_serial_date(serial: f64) -> Option<String> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let mut days = serial.floor() as i64;
    // Excel counts a 29 February 1900 that never was.
    if days < 60 {
        days += 1;
    }
    let (year, month, day) = crate::clock::civil_from_days(days - 25_569);
    Some(format!("{day:02}/{month:02}/{year:04}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_serials_become_the_dates_excel_shows() {
        assert_eq!(excel_serial_date(31_113.0).unwrap(), "07/03/1985");
        assert_eq!(excel_serial_date(1.0).unwrap(), "01/01/1900");
        assert_eq!(excel_serial_date(61.0).unwrap(), "01/03/1900");
        assert_eq!(excel_serial_date(45_658.0).unwrap(), "01/01/2025");
    }

    #[test]
    fn whole_numbers_lose_the_decimal_point() {
        assert_eq!(float_text(38_085_000_123.0), "38085000123");
        assert_eq!(float_text(1.5), "1.5");
    }
}
