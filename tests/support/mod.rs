//! Helpers of the integration tests: running the real binary in a temporary
//! folder, comparing with golden files, and deriving the encoded copies of
//! the sample extract from its UTF-8 original.

use std::path::{Path, PathBuf};
use std::process::Command;

use unicode_normalization::UnicodeNormalization;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    repo().join("fixtures").join(name)
}

pub fn blessing() -> bool {
    std::env::var_os("BLESS").is_some_and(|v| v == "1")
}

pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
    pub out: PathBuf,
}

/// The time the tests' reports say they were made (2026-01-01T00:00:00Z):
/// fixed, so that every output file is the same bytes on every run.
pub const SOURCE_DATE_EPOCH: &str = "1767225600";

/// Runs `dancu clean` on `inputs` with a fixed reference date, into a new
/// folder under `dir`.
pub fn clean(dir: &Path, name: &str, inputs: &[PathBuf], extra: &[&str]) -> Run {
    let out = dir.join(name);
    let output = Command::new(env!("CARGO_BIN_EXE_dancu"))
        .arg("clean")
        .args(inputs)
        .arg("--out")
        .arg(&out)
        .args(["--reference-date", "2026-01-01", "--quiet"])
        .args(extra)
        .env("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        .output()
        .expect("the dancu binary runs");
    Run {
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        out,
    }
}

/// Runs the binary with arbitrary arguments.
pub fn dancu(args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_dancu")).args(args).output().expect("the dancu binary runs");
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stderr).into_owned())
}

pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader =
        csv::ReaderBuilder::new().flexible(true).from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = reader.headers().unwrap().iter().map(|h| h.trim_start_matches('\u{FEFF}').to_string()).collect();
    let rows = reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    (header, rows)
}

/// A Parquet table as text cells: its header and rows.
pub fn read_parquet(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    use polars::prelude::*;
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text_cells(&ParquetReader::new(file).finish().unwrap())
}

/// The whole records table of an output folder (its `records/` dataset
/// joined), as text cells: a night's `records.csv` shows only tonight's.
pub fn population(out: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    text_cells(&dancu::master::store::population(out, dancu::master::store::Columns::All).unwrap())
}

/// The current persons of an output folder (its `persons/` dataset), as
/// text cells.
pub fn current_persons(out: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    text_cells(&dancu::master::store::current_persons(out).unwrap())
}

fn text_cells(frame: &polars::prelude::DataFrame) -> (Vec<String>, Vec<Vec<String>>) {
    use polars::prelude::*;
    let header: Vec<String> = frame.get_column_names().iter().map(|n| n.to_string()).collect();
    let columns: Vec<Vec<String>> = frame
        .columns()
        .iter()
        .map(|column| {
            let column = column.cast(&DataType::String).unwrap();
            column.str().unwrap().iter().map(|cell| cell.unwrap_or_default().to_string()).collect()
        })
        .collect();
    let rows = (0..frame.height()).map(|i| columns.iter().map(|c| c[i].clone()).collect()).collect();
    (header, rows)
}

/// The manifest without its `run` section and input paths, which differ
/// between runs and machines.
pub fn stable_manifest(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    let mut manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
    manifest.as_object_mut().unwrap().remove("run");
    for input in manifest["inputs"].as_array_mut().unwrap() {
        input.as_object_mut().unwrap().remove("path");
    }
    manifest
}

/// Compares `actual` with the golden file, or rewrites it under BLESS=1.
pub fn assert_golden(golden: &Path, actual: &[u8]) {
    if blessing() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(golden, actual).unwrap();
        return;
    }
    let expected =
        std::fs::read(golden).unwrap_or_else(|e| panic!("{}: {e} (run with BLESS=1 to create it)", golden.display()));
    if expected != actual {
        let expected = String::from_utf8_lossy(&expected);
        let actual = String::from_utf8_lossy(actual);
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(e, a)| e != a)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs at line {} (run with BLESS=1 to accept):\n expected: {}\n   actual: {}",
            golden.display(),
            first + 1,
            expected.lines().nth(first).unwrap_or("<end>"),
            actual.lines().nth(first).unwrap_or("<end>")
        );
    }
}

/// Replaces the CSV delimiter outside quotes, line by line (a stray quote
/// affects only its own line, as in the sample's broken row).
pub fn with_delimiter(text: &str, delimiter: char) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let mut quoted = false;
        for c in line.chars() {
            match c {
                '"' => {
                    quoted = !quoted;
                    out.push(c);
                }
                ',' if !quoted => out.push(delimiter),
                _ => out.push(c),
            }
        }
    }
    out
}

/// Encodes text as Windows-1258 the way Vietnamese Windows software stores
/// it: letters with circumflex, breve or horn as one byte, tone marks as
/// combining bytes. `Ð` (U+00D0), which the code page lacks, is written as
/// the `Đ` it stands for.
pub fn to_windows_1258(text: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(text.len());
    let encode_one = |s: &str| -> Option<Vec<u8>> {
        let (encoded, _, unmappable) = encoding_rs::WINDOWS_1258.encode(s);
        (!unmappable).then(|| encoded.into_owned())
    };
    for c in text.chars() {
        let c = match c {
            '\u{00D0}' => 'Đ',
            '\u{00F0}' => 'đ',
            other => other,
        };
        if let Some(encoded) = encode_one(c.encode_utf8(&mut [0; 4])) {
            bytes.extend(encoded);
            continue;
        }
        // The code page has ê, ơ, ă ... as letters and the five tones as
        // combining marks: compose the letter, then append its tone.
        let is_tone = |m: char| matches!(m, '\u{0300}' | '\u{0301}' | '\u{0303}' | '\u{0309}' | '\u{0323}');
        let decomposed: Vec<char> = c.to_string().nfd().collect();
        let letter: String = decomposed.iter().filter(|&&m| !is_tone(m)).collect::<String>().nfc().collect();
        let encoded_letter = encode_one(&letter).unwrap_or_else(|| panic!("cannot encode {c:?}"));
        bytes.extend(encoded_letter);
        for &tone in decomposed.iter().filter(|&&m| is_tone(m)) {
            bytes.extend(encode_one(&tone.to_string()).unwrap_or_else(|| panic!("cannot encode {c:?}")));
        }
    }
    bytes
}

/// UTF-16 little-endian with a BOM, as Excel's "Unicode text" export.
pub fn to_utf16le(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    bytes
}

/// The sample as an Excel workbook: a title block above the header (as
/// real exports have), the rows that parse, and a second sheet of notes.
pub fn write_workbook(rows: &[Vec<String>], path: &Path) {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook};
    let mut workbook = Workbook::new();
    let created = ExcelDateTime::from_ymd(2026, 1, 1).unwrap();
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let sheet = workbook.add_worksheet().set_name("Danh sách").unwrap();
    sheet.write_string(0, 0, "DANH SÁCH NHÂN KHẨU (bản mẫu)").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                sheet.write_string(r as u32 + 2, c as u16, cell).unwrap();
            }
        }
    }
    let notes = workbook.add_worksheet().set_name("Ghi chú").unwrap();
    notes.write_string(0, 0, "Bản sao của fixtures/sample.csv, do tests/support sinh ra.").unwrap();
    workbook.save(path).unwrap();
}
