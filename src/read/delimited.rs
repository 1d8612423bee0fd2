//! Delimited text (CSV with `,`, `;` or tab): finds the delimiter, splits the
//! bytes into rows, and recovers what it can from rows that a stray quote
//! has run together.

use super::SourceRow;

/// A row as splitting gives it: once the header's width is known, a row of
/// that width is handed over as its bytes, and parsed again into text cells
/// on the thread pool. Splitting itself copies nothing.
pub enum SplitRow<'b> {
    Row(SourceRow),
    Parsed { line: u64, raw: &'b [u8], width: usize },
}

impl SplitRow<'_> {
    /// The row as text cells: each cell must be valid UTF-8.
    pub fn into_source_row(self, parser: &mut RowParser) -> SourceRow {
        match self {
            SplitRow::Row(row) => row,
            SplitRow::Parsed { line, raw, width } => parser.cells(line, raw, width),
        }
    }
}

/// Parses the bytes of one row, as splitting found them, a second time: the
/// same `csv_core` state machine the `csv` reader runs, into buffers that
/// are kept from row to row.
pub struct RowParser {
    reader: csv_core::Reader,
    fields: Vec<u8>,
    ends: Vec<usize>,
}

impl RowParser {
    pub fn new(delimiter: u8) -> RowParser {
        RowParser {
            reader: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            fields: vec![0; 4096],
            ends: vec![0; 64],
        }
    }

    /// The first `width` cells of the row `raw`, owned.
    fn cells(&mut self, line: u64, raw: &[u8], width: usize) -> SourceRow {
        match self.texts(raw, width) {
            Ok(texts) => SourceRow::Cells { line, cells: texts.into_iter().map(str::to_string).collect() },
            Err(broken) => broken.with_line(line),
        }
    }

    /// The first `width` cells of the row `raw`, borrowed from the parser;
    /// or the row as broken (its line still to be set) when a cell is not
    /// UTF-8.
    pub fn texts(&mut self, raw: &[u8], width: usize) -> Result<Vec<&str>, SourceRow> {
        self.reader.reset();
        let (mut input, mut written, mut count) = (raw, 0, 0);
        loop {
            let (result, read, wrote, ended) =
                self.reader.read_record(input, &mut self.fields[written..], &mut self.ends[count..]);
            input = &input[read..];
            written += wrote;
            count += ended;
            match result {
                // The row's bytes are all there is: an empty input says so.
                csv_core::ReadRecordResult::InputEmpty => {}
                csv_core::ReadRecordResult::OutputFull => self.fields.resize(self.fields.len() * 2, 0),
                csv_core::ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                csv_core::ReadRecordResult::Record | csv_core::ReadRecordResult::End => break,
            }
        }
        let ends = &self.ends[..count.min(width)];
        let used = &self.fields[..ends.last().copied().unwrap_or(0)];
        // The row's cells checked at once: one check of a row is cheaper
        // than one per cell. A cell must still start and end on a
        // character's edge (`get` says so); when the row is not text, the
        // cells are checked one by one to name the column.
        if let Ok(row) = std::str::from_utf8(used) {
            let mut start = 0;
            let texts: Option<Vec<&str>> = ends
                .iter()
                .map(|&end| {
                    let text = row.get(start..end);
                    start = end;
                    text
                })
                .collect();
            if let Some(texts) = texts {
                return Ok(texts);
            }
        }
        let mut texts = Vec::with_capacity(width);
        let mut start = 0;
        for (column, &end) in ends.iter().enumerate() {
            match std::str::from_utf8(&self.fields[start..end]) {
                Ok(text) => texts.push(text),
                Err(_) => {
                    return Err(SourceRow::Broken {
                        line: 0,
                        raw: String::from_utf8_lossy(raw).into_owned(),
                        reason: format!("column {}: bytes that are not valid text in the file's encoding", column + 1),
                    })
                }
            }
            start = end;
        }
        Ok(texts)
    }
}

const CANDIDATE_DELIMITERS: [u8; 3] = [b',', b';', b'\t'];
const SAMPLE_RECORDS: usize = 50;

fn reader(bytes: &[u8], delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(bytes)
}

/// Picks the delimiter under which the first rows most often agree on one
/// field count above one. A title line above the header or an address full
/// of commas in a `;` file does not fool it, because those rows disagree with
/// the rest.
pub fn detect_delimiter(bytes: &[u8]) -> u8 {
    let mut best = (0usize, 0usize, b',');
    for delimiter in CANDIDATE_DELIMITERS {
        let mut counts: Vec<usize> = Vec::new();
        let mut record = csv::ByteRecord::new();
        let mut rdr = reader(bytes, delimiter);
        while counts.len() < SAMPLE_RECORDS {
            match rdr.read_byte_record(&mut record) {
                Ok(true) => counts.push(record.len()),
                _ => break,
            }
        }
        let mut frequency = std::collections::BTreeMap::new();
        for &count in counts.iter().filter(|&&c| c > 1) {
            *frequency.entry(count).or_insert(0usize) += 1;
        }
        if let Some((&width, &rows)) = frequency.iter().max_by_key(|(&width, &rows)| (rows, width)) {
            if (rows, width) > (best.0, best.1) {
                best = (rows, width, delimiter);
            }
        }
    }
    best.2
}

/// Splits decoded bytes into rows and hands each to `sink`. `expected_width`
/// is asked once the header is known (from the rows seen so far) and returns
/// the header's field count, or `None` while the header has not been seen.
pub fn split_rows<'b>(
    bytes: &'b [u8],
    delimiter: u8,
    mut expected_width: impl FnMut(&[SourceRow]) -> Option<usize>,
    mut sink: impl FnMut(SplitRow<'b>),
    mut progress: impl FnMut(usize),
) {
    let mut rdr = reader(bytes, delimiter);
    let mut record = csv::ByteRecord::new();
    let mut pending: Vec<SourceRow> = Vec::new();
    let mut width: Option<usize> = None;
    loop {
        let start = rdr.position().clone();
        match rdr.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                // With byte records and flexible widths only I/O can fail, and
                // the source is memory; report the rest of the input as one row.
                let raw = String::from_utf8_lossy(&bytes[start.byte() as usize..]).into_owned();
                sink(SplitRow::Row(SourceRow::Broken {
                    line: start.line(),
                    raw,
                    reason: format!("cannot split the rest of the file into rows: {e}"),
                }));
                return;
            }
        }
        let line = record.position().map_or(start.line(), |p| p.line());
        let end = rdr.position().byte() as usize;
        if line.is_multiple_of(8192) {
            progress(end);
        }
        let raw_bytes = trim_line_end(&bytes[start.byte() as usize..end]);
        let spans_lines = raw_bytes.contains(&b'\n');
        match width {
            Some(w) if record.len() != w && spans_lines => {
                recover_lines(raw_bytes, line, delimiter, w, &mut sink);
            }
            Some(w) => sink(checked_row(&record, line, raw_bytes, w)),
            None => {
                pending.push(to_source_row(&record, line, raw_bytes));
                width = expected_width(&pending);
                if width.is_some() || pending.len() >= super::header::HEADER_SEARCH_ROWS {
                    for row in pending.drain(..) {
                        sink(SplitRow::Row(row));
                    }
                }
            }
        }
    }
    for row in pending {
        sink(SplitRow::Row(row));
    }
    progress(bytes.len());
}

/// A quoted field that never closes swallows the lines after it into one
/// record. Each physical line is parsed again on its own: lines that hold a
/// whole row become rows, the line with the stray quote is quarantined.
fn recover_lines<'b>(raw: &'b [u8], first_line: u64, delimiter: u8, width: usize, sink: &mut impl FnMut(SplitRow<'b>)) {
    for (offset, line_bytes) in raw.split(|&b| b == b'\n').enumerate() {
        let line_bytes = trim_line_end(line_bytes);
        let line = first_line + offset as u64;
        if line_bytes.is_empty() {
            continue;
        }
        let mut rdr = reader(line_bytes, delimiter);
        let mut record = csv::ByteRecord::new();
        let parsed = matches!(rdr.read_byte_record(&mut record), Ok(true));
        let quotes = line_bytes.iter().filter(|&&b| b == b'"').count();
        if parsed && quotes % 2 == 0 {
            sink(checked_row(&record, line, line_bytes, width));
        } else {
            sink(SplitRow::Row(SourceRow::Broken {
                line,
                raw: String::from_utf8_lossy(line_bytes).into_owned(),
                reason: "broken quoting: a quoted field is not closed on this line".to_string(),
            }));
        }
    }
}

/// A row once the header's width is known: too many or too few fields, or
/// nothing in any field, makes it a quarantined row with its raw text.
fn checked_row<'b>(record: &csv::ByteRecord, line: u64, raw: &'b [u8], width: usize) -> SplitRow<'b> {
    let broken = |reason: String| {
        SplitRow::Row(SourceRow::Broken { line, raw: String::from_utf8_lossy(raw).into_owned(), reason })
    };
    if record.len() != width && !only_empty_cells_beyond(record, width) {
        return broken(format!("{} fields where the header has {width}", record.len()));
    }
    if record.iter().all(|cell| cell.iter().all(u8::is_ascii_whitespace)) {
        return broken("row is empty".to_string());
    }
    SplitRow::Parsed { line, raw, width }
}

fn to_source_row(record: &csv::ByteRecord, line: u64, raw: &[u8]) -> SourceRow {
    let mut cells = Vec::with_capacity(record.len());
    for (column, field) in record.iter().enumerate() {
        match std::str::from_utf8(field) {
            Ok(text) => cells.push(text.to_string()),
            Err(_) => {
                return SourceRow::Broken {
                    line,
                    raw: String::from_utf8_lossy(raw).into_owned(),
                    reason: format!("column {}: bytes that are not valid text in the file's encoding", column + 1),
                }
            }
        }
    }
    SourceRow::Cells { line, cells }
}

/// Spreadsheet exports often end rows with stray delimiters; cells past the
/// header's width that are all empty carry nothing and are dropped.
fn only_empty_cells_beyond(record: &csv::ByteRecord, width: usize) -> bool {
    record.len() > width && record.iter().skip(width).all(|cell| cell.iter().all(u8::is_ascii_whitespace))
}

fn trim_line_end(mut bytes: &[u8]) -> &[u8] {
    while let [rest @ .., b'\n' | b'\r'] = bytes {
        bytes = rest;
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_delimiter_despite_a_title_line() {
        assert_eq!(detect_delimiter(b"a,b,c\n1,2,3\n"), b',');
        assert_eq!(
            detect_delimiter(
                "DANH SÁCH\nHọ tên;Địa chỉ;Ngày sinh\nAn;Thôn 3, xã X, huyện Y;1990\nBình;Tổ 1, phường Z;1991\n"
                    .as_bytes()
            ),
            b';'
        );
        assert_eq!(detect_delimiter(b"a\tb\tc\n1\t2\t3\n"), b'\t');
    }

    fn collect(bytes: &[u8]) -> Vec<SourceRow> {
        let mut rows = Vec::new();
        let mut parser = RowParser::new(b',');
        split_rows(
            bytes,
            b',',
            |seen| (!seen.is_empty()).then_some(3),
            |r| rows.push(r.into_source_row(&mut parser)),
            |_| {},
        );
        rows
    }

    #[test]
    fn an_unclosed_quote_costs_one_row_not_the_rest_of_the_file() {
        let rows = collect(b"a,b,c\n1,\"2,3\n4,5,6\n7,8,9\n");
        let kinds: Vec<(u64, bool)> = rows
            .iter()
            .map(|r| match r {
                SourceRow::Cells { line, .. } => (*line, true),
                SourceRow::Broken { line, .. } => (*line, false),
            })
            .collect();
        assert_eq!(kinds, vec![(1, true), (2, false), (3, true), (4, true)]);
    }

    #[test]
    fn a_quoted_newline_inside_a_field_is_kept() {
        let rows = collect(b"a,b,c\n1,\"line one\nline two\",3\n");
        match &rows[1] {
            SourceRow::Cells { cells, line, .. } => {
                assert_eq!(cells[1], "line one\nline two");
                assert_eq!(*line, 2);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_character_cut_by_a_delimiter_is_not_text_though_its_row_reads_whole() {
        // `\xC3` ends one cell and `\xA9` starts the next: the row's cells
        // side by side are "é", each cell alone is not text.
        let rows = collect(b"a,b,c\n1,\xC3,\xA9\n4,\xC3\xA9,6\n");
        match &rows[1] {
            SourceRow::Broken { reason, .. } => assert!(reason.starts_with("column 2:"), "{reason}"),
            other => panic!("{other:?}"),
        }
        match &rows[2] {
            SourceRow::Cells { cells, .. } => assert_eq!(cells[1], "é"),
            other => panic!("{other:?}"),
        }
    }
}
