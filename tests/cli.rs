//! The integration tests: they run the real `dancu` binary on the shipped
//! fixtures in a temporary folder and check its outputs against golden files
//! (`BLESS=1 cargo test` rewrites them for review) and the invariants of the
//! design: nothing lost, deterministic at any thread count, idempotent,
//! spreadsheet-safe, the same records whatever the encoding.

#[path = "cli/encodings.rs"]
mod encodings;
#[path = "cli/reliability.rs"]
mod reliability;
#[path = "cli/report.rs"]
mod report;
#[path = "cli/review.rs"]
mod review;
mod support;

use std::path::{Path, PathBuf};

use support::*;

const OUTPUT_FILES: [&str; 14] = [
    "records.csv",
    "issues.csv",
    "duplicates.csv",
    "quarantine.csv",
    "changes.csv",
    "identity.json",
    "persons.csv",
    "report/report.json",
    "report/provinces.csv",
    "report/communes.csv",
    "report/codes.csv",
    "report/report.html",
    "records/current.parquet",
    "report/report.xlsx",
];

fn sample() -> PathBuf {
    fixture("sample.csv")
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn fixture_copies_are_derived_from_the_utf8_sample() {
    let text = std::fs::read_to_string(sample()).unwrap();
    let windows_1258 = to_windows_1258(&with_delimiter(&text, ';'));
    let utf16 = to_utf16le(&with_delimiter(&text, '\t'));
    for (name, bytes) in [("sample-windows1258.csv", windows_1258), ("sample-utf16.txt", utf16)] {
        let path = fixture(name);
        if blessing() {
            std::fs::write(&path, &bytes).unwrap();
        }
        assert!(std::fs::read(&path).unwrap() == bytes, "{name} is stale: run BLESS=1 cargo test");
    }
    // The workbook holds the rows that parse; its content is checked, not
    // its bytes (a zip container has its own timestamps).
    let dir = tempdir();
    let run = clean(dir.path(), "csv", &[sample()], &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let parsed_rows: Vec<Vec<String>> = {
        let (header, rows) = read_csv(&run.out.join("records.csv"));
        let stt = header.iter().position(|h| h == "STT").unwrap();
        let kept: std::collections::HashSet<String> = rows.iter().map(|r| r[stt].clone()).collect();
        // The sample has no quoted line breaks: each line is parsed alone, so
        // the line with a stray quote cannot swallow the ones after it.
        text.lines()
            .enumerate()
            .filter_map(|(i, line)| {
                let cells: Vec<String> = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .from_reader(line.as_bytes())
                    .records()
                    .next()?
                    .ok()?
                    .iter()
                    .map(String::from)
                    .collect();
                (i == 0 || (cells.len() == 19 && kept.contains(&cells[0]))).then_some(cells)
            })
            .collect()
    };
    let workbook = fixture("sample.xlsx");
    if blessing() {
        write_workbook(&parsed_rows, &workbook);
    }
    let mut opened: calamine::Xlsx<_> = calamine::open_workbook(&workbook).unwrap();
    let range = calamine::Reader::worksheet_range(&mut opened, "Danh sách").unwrap();
    let cells: Vec<Vec<String>> = range.rows().skip(2).map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(cells, parsed_rows, "sample.xlsx is stale: run BLESS=1 cargo test");
}

#[test]
fn sample_outputs_match_the_golden_files() {
    let dir = tempdir();
    let run = clean(dir.path(), "out", &[sample()], &["--threads", "2"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let golden = repo().join("tests/golden/sample");
    for file in
        OUTPUT_FILES.iter().filter(|f| !f.ends_with(".parquet") && !f.ends_with(".xlsx") && !f.ends_with(".html"))
    {
        assert_golden(&golden.join(file), &std::fs::read(run.out.join(file)).unwrap());
    }
    let manifest = serde_json::to_string_pretty(&stable_manifest(&run.out)).unwrap() + "\n";
    assert_golden(&golden.join("manifest.json"), manifest.as_bytes());
}

#[test]
fn every_input_row_is_a_record_or_in_quarantine() {
    let dir = tempdir();
    let run = clean(dir.path(), "out", &[sample()], &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    // Data rows counted independently of dancu: non-blank lines after the
    // header (the sample has no quoted line breaks).
    let text = std::fs::read_to_string(sample()).unwrap();
    let data_lines = text.lines().skip(1).filter(|l| !l.is_empty()).count();
    let (_, records) = read_csv(&run.out.join("records.csv"));
    let (_, quarantine) = read_csv(&run.out.join("quarantine.csv"));
    assert_eq!(records.len() + quarantine.len(), data_lines);
    assert_eq!(quarantine.len(), 3, "the ragged row, the stray quote and the empty row");
    let manifest = stable_manifest(&run.out);
    assert_eq!(manifest["counts"]["rows_read"], data_lines as u64);
    assert_eq!(manifest["inputs"][0]["data_rows"], data_lines as u64);
}

#[test]
fn outputs_are_byte_identical_with_one_and_two_threads() {
    let dir = tempdir();
    let one = clean(dir.path(), "one", &[sample()], &["--threads", "1"]);
    let two = clean(dir.path(), "two", &[sample()], &["--threads", "2"]);
    assert_eq!((one.status, two.status), (0, 0), "{}{}", one.stderr, two.stderr);
    for file in OUTPUT_FILES {
        let a = std::fs::read(one.out.join(file)).unwrap();
        let b = std::fs::read(two.out.join(file)).unwrap();
        assert!(a == b, "{file} differs between --threads 1 and --threads 2");
    }
    assert_eq!(stable_manifest(&one.out), stable_manifest(&two.out));
}

#[test]
fn a_rerun_gives_the_same_bytes() {
    let dir = tempdir();
    let first = clean(dir.path(), "first", &[sample()], &[]);
    let second = clean(dir.path(), "second", &[sample()], &[]);
    for file in OUTPUT_FILES {
        assert!(
            std::fs::read(first.out.join(file)).unwrap() == std::fs::read(second.out.join(file)).unwrap(),
            "{file} differs on a rerun"
        );
    }
}

#[test]
fn cleaning_a_cleaned_file_changes_nothing() {
    let dir = tempdir();
    let first = clean(dir.path(), "first", &[sample()], &[]);
    let again = clean(dir.path(), "again", &[first.out.join("records.csv")], &[]);
    assert_eq!(again.status, 0, "{}", again.stderr);
    for file in ["records.csv", "issues.csv", "duplicates.csv", "report/communes.csv"] {
        let a = std::fs::read_to_string(first.out.join(file)).unwrap();
        let b = std::fs::read_to_string(again.out.join(file)).unwrap();
        assert!(a == b, "{file} changed when the cleaned file was cleaned again");
    }
    let (_, quarantine) = read_csv(&again.out.join("quarantine.csv"));
    assert!(quarantine.is_empty());
}

fn is_negative_number(cell: &str) -> bool {
    cell.strip_prefix('-').is_some_and(|rest| rest.parse::<f64>().is_ok())
}

#[test]
fn no_output_cell_starts_a_formula() {
    let dir = tempdir();
    let run = clean(dir.path(), "out", &[sample()], &[]);
    let mut neutralised = 0;
    for file in OUTPUT_FILES.iter().filter(|f| f.ends_with(".csv")) {
        let (header, rows) = read_csv(&run.out.join(file));
        for cell in header.iter().chain(rows.iter().flatten()) {
            let dangerous = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
            assert!(!dangerous || is_negative_number(cell), "{file}: cell {cell:?} would run as a formula");
            if cell.starts_with("'=") || cell.starts_with("'+") || cell.starts_with("'@") || cell.starts_with("'-") {
                neutralised += 1;
            }
        }
    }
    // The sample carries `=HYPERLINK(...)`, `+84 ...`, `@...` and `-1+1`.
    assert!(neutralised >= 4, "expected the sample's formula cells to be neutralised, found {neutralised}");
}

/// The normalised columns of records.csv (not the originals, which differ
/// where an encoding cannot hold the UTF-8 original, nor source and row).
fn normalised_records(out: &Path) -> Vec<Vec<String>> {
    let (header, rows) = read_csv(&out.join("records.csv"));
    let keep: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| dancu::record::Field::from_name(h).is_some() || *h == "person_id" || *h == "is_primary")
        .map(|(i, _)| i)
        .collect();
    rows.iter().map(|r| keep.iter().map(|&i| r[i].clone()).collect()).collect()
}

#[test]
fn the_four_encodings_of_the_sample_give_the_same_records() {
    let dir = tempdir();
    let utf8 = clean(dir.path(), "utf8", &[sample()], &[]);
    let expected = normalised_records(&utf8.out);
    for (name, encoding, delimiter) in
        [("sample-windows1258.csv", "windows-1258", ";"), ("sample-utf16.txt", "utf-16le (BOM)", "tab")]
    {
        let run = clean(dir.path(), name, &[fixture(name)], &[]);
        assert_eq!(run.status, 0, "{name}: {}", run.stderr);
        assert_eq!(normalised_records(&run.out), expected, "{name}");
        let manifest = stable_manifest(&run.out);
        assert_eq!(manifest["inputs"][0]["encoding"], encoding, "{name}");
        assert_eq!(manifest["inputs"][0]["delimiter"], delimiter, "{name}");
    }
    let run = clean(dir.path(), "xlsx", &[fixture("sample.xlsx")], &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(normalised_records(&run.out), expected, "sample.xlsx");
    let manifest = stable_manifest(&run.out);
    assert_eq!(manifest["inputs"][0]["sheet"], "Danh sách");
    assert_eq!(manifest["inputs"][0]["header_line"], 3);
}

#[test]
fn the_parquet_file_holds_the_csv_records() {
    use polars::prelude::*;
    let dir = tempdir();
    let run = clean(dir.path(), "out", &[sample()], &[]);
    let (header, rows) = read_csv(&run.out.join("records.csv"));
    let frame = dancu::master::store::population(&run.out, dancu::master::store::Columns::All).unwrap();
    assert_eq!(frame.height(), rows.len());
    let names: Vec<String> = frame.get_column_names().iter().map(|n| n.to_string()).collect();
    assert_eq!(names, header);
    let full_name = frame.column("full_name").unwrap().str().unwrap();
    let column = header.iter().position(|h| h == "full_name").unwrap();
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(full_name.get(i).unwrap_or(""), row[column].trim_start_matches('\''));
    }
    // The two files gather their cells by separate paths (a row at a time,
    // a column at a time): every cell of every column must agree.
    for (column, name) in header.iter().enumerate() {
        let values = frame.column(name).unwrap().cast(&DataType::String).unwrap();
        let values = values.str().unwrap();
        for (i, row) in rows.iter().enumerate() {
            let value = values.get(i).unwrap_or("");
            assert_eq!(dancu::output::excel_safe::excel_safe(value), row[column], "{name}, row {i}");
        }
    }
}

#[test]
fn an_empty_file_is_a_clear_error() {
    let dir = tempdir();
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    let run = clean(dir.path(), "out", &[empty], &[]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("empty.csv") && run.stderr.contains("empty"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "one sentence, no backtrace: {}", run.stderr);
}

#[test]
fn a_missing_name_column_lists_the_headers_it_knows() {
    let dir = tempdir();
    let input = dir.path().join("no-name.csv");
    std::fs::write(&input, "Nom complet,Date de naissance\nJean,1980\n").unwrap();
    let run = clean(dir.path(), "out", &[input], &[]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("has 2 filled cell(s); none of them is a header dancu knows"), "{}", run.stderr);
    assert!(run.stderr.contains("--columns"), "{}", run.stderr);
    let input = dir.path().join("known.csv");
    std::fs::write(&input, "Nom,Ngày sinh,Giới tính\nJean,1980,Nam\n").unwrap();
    let run = clean(dir.path(), "known", &[input], &[]);
    assert!(run.stderr.contains("`Ngày sinh` (birth_date), `Giới tính` (sex)"), "{}", run.stderr);
    assert!(!run.stderr.contains("Nom"), "an unknown cell may be a name: {}", run.stderr);
}

#[test]
fn english_headers_and_extra_aliases_are_understood() {
    let dir = tempdir();
    let english = dir.path().join("english.csv");
    std::fs::write(&english, "Full name,Date of birth,Sex,Citizen ID\nNguyễn Văn An,07/03/1985,M,001085004567\n")
        .unwrap();
    let run = clean(dir.path(), "en", &[english], &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let (header, rows) = read_csv(&run.out.join("records.csv"));
    let birth = header.iter().position(|h| h == "birth_date").unwrap();
    assert_eq!(rows[0][birth], "1985-03-07");

    let french = dir.path().join("french.csv");
    std::fs::write(&french, "Nom complet,Né le\nNguyễn Văn An,07/03/1985\n").unwrap();
    let aliases = dir.path().join("aliases.toml");
    std::fs::write(&aliases, "[full_name]\naliases = [\"Nom complet\"]\n[birth_date]\naliases = [\"Né le\"]\n")
        .unwrap();
    let run = clean(dir.path(), "fr", &[french], &["--columns", aliases.to_str().unwrap()]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let (header, rows) = read_csv(&run.out.join("records.csv"));
    let birth = header.iter().position(|h| h == "birth_date").unwrap();
    assert_eq!(rows[0][birth], "1985-03-07");
}

#[test]
fn undecodable_bytes_quarantine_their_row_only() {
    let dir = tempdir();
    let input = dir.path().join("broken.csv");
    let mut bytes = "Họ và tên,Ngày sinh,Địa chỉ\nNguyễn Văn An,1985,Xã Trung Hạ\nTrần Thị Bình,1987,Phường Ba Đình\n"
        .as_bytes()
        .to_vec();
    bytes.extend_from_slice(b"L\xEA V\xE3n,1990,\n");
    bytes.extend_from_slice("Lê Văn Cường,1991,Xã Hải Hậu\n".as_bytes());
    std::fs::write(&input, bytes).unwrap();
    let run = clean(dir.path(), "out", &[input], &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let (_, records) = read_csv(&run.out.join("records.csv"));
    let (_, quarantine) = read_csv(&run.out.join("quarantine.csv"));
    assert_eq!((records.len(), quarantine.len()), (3, 1));
    assert_eq!(quarantine[0][1], "3");
    assert!(quarantine[0][3].contains("not valid text"), "{:?}", quarantine[0]);
}

#[test]
fn usage_errors_exit_with_2_and_run_errors_with_1() {
    assert_eq!(dancu(&["clean"]).0, 2);
    assert_eq!(dancu(&["frobnicate"]).0, 2);
    let (status, stderr) = dancu(&["clean", "x.csv", "--out", "o", "--reference-date", "2026-13-01"]);
    assert_eq!(status, 2);
    assert!(stderr.contains("--reference-date"), "{stderr}");
    let (status, stderr) = dancu(&["clean", "does-not-exist.csv", "--out", "/tmp/dancu-never-written"]);
    assert_eq!(status, 1);
    assert!(stderr.contains("does-not-exist.csv"), "{stderr}");
}

#[test]
fn a_broken_rule_folder_reports_every_problem_with_file_and_line() {
    let dir = tempdir();
    let rules = dir.path().join("rules");
    copy_tree(&repo().join("rules"), &rules);
    std::fs::write(rules.join("validation.toml"), "age_limit = 500\nrequired = [\"full_name\", \"shoe_size\"]\n")
        .unwrap();
    let run = clean(dir.path(), "out", &[sample()], &["--rules", rules.to_str().unwrap()]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("validation.toml:1: age_limit 500"), "{}", run.stderr);
    assert!(run.stderr.contains("validation.toml:2: unknown field `shoe_size`"), "{}", run.stderr);
    assert!(!run.out.join("records.csv").exists(), "nothing is written when the rules are broken");
}

#[test]
fn severities_set_in_the_rules_reach_the_issues_and_the_report() {
    let dir = tempdir();
    let rules = dir.path().join("rules");
    copy_tree(&repo().join("rules"), &rules);
    let validation = std::fs::read_to_string(rules.join("validation.toml")).unwrap();
    std::fs::write(rules.join("validation.toml"), format!("{validation}PHONE_INVALID = \"error\"\n")).unwrap();
    let run = clean(dir.path(), "out", &[sample()], &["--rules", rules.to_str().unwrap()]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let issues = std::fs::read_to_string(run.out.join("issues.csv")).unwrap();
    let phone_lines: Vec<&str> = issues.lines().filter(|l| l.contains(",PHONE_INVALID,")).collect();
    assert!(!phone_lines.is_empty());
    assert!(phone_lines.iter().all(|l| l.contains(",PHONE_INVALID,error,")), "{phone_lines:?}");
    let codes = std::fs::read_to_string(run.out.join("report/codes.csv")).unwrap();
    assert!(codes.lines().any(|l| l.starts_with("PHONE_INVALID,error,")), "{codes}");
}

#[test]
fn a_missing_sheet_names_the_sheets_there_are() {
    let dir = tempdir();
    let run = clean(dir.path(), "out", &[fixture("sample.xlsx")], &["--sheet", "Sheet9"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("Danh sách, Ghi chú"), "{}", run.stderr);
}

#[test]
fn several_inputs_keep_their_sources_apart() {
    let dir = tempdir();
    let copy_dir = dir.path().join("other");
    std::fs::create_dir_all(&copy_dir).unwrap();
    std::fs::copy(sample(), copy_dir.join("sample.csv")).unwrap();
    let run = clean(dir.path(), "out", &[sample(), copy_dir.join("sample.csv"), fixture("sample.xlsx")], &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let (_, rows) = read_csv(&run.out.join("records.csv"));
    let sources: std::collections::BTreeSet<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(sources.into_iter().collect::<Vec<_>>(), ["sample.csv", "sample.csv#2", "sample.xlsx"]);
    // The same people three times: every person of the sample with a valid
    // ID now has copies, and they are linked.
    let (_, duplicates) = read_csv(&run.out.join("duplicates.csv"));
    assert!(duplicates.len() > 100, "{}", duplicates.len());
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Records of one person, as sets of the sample's `STT` numbers.
fn persons_by_stt(out: &Path) -> std::collections::BTreeSet<Vec<String>> {
    let (header, rows) = read_csv(&out.join("records.csv"));
    let stt = header.iter().position(|h| h == "STT").unwrap();
    let person = header.iter().position(|h| h == "person_id").unwrap();
    let mut groups: std::collections::BTreeMap<String, Vec<String>> = std::collections::BTreeMap::new();
    for row in rows {
        groups.entry(row[person].clone()).or_default().push(row[stt].clone());
    }
    groups
        .into_values()
        .map(|mut g| {
            g.sort();
            g
        })
        .collect()
}

#[test]
fn shuffled_input_gives_the_same_persons() {
    let dir = tempdir();
    // Only the rows that parse (line by line: the sample has no quoted line
    // breaks): a stray quote's reach depends on what follows it.
    let text = std::fs::read_to_string(sample()).unwrap();
    let mut rows: Vec<csv::StringRecord> = text
        .lines()
        .filter_map(|line| {
            csv::ReaderBuilder::new().has_headers(false).from_reader(line.as_bytes()).records().next()?.ok()
        })
        .filter(|r| r.len() == 19)
        .collect();
    let header = rows.remove(0);
    let lines = rows.clone();
    let mut shuffled: Vec<csv::StringRecord> = rows.into_iter().rev().collect();
    shuffled.rotate_left(17);
    let write = |name: &str, rows: &[csv::StringRecord]| {
        let path = dir.path().join(name);
        let mut writer = csv::Writer::from_path(&path).unwrap();
        writer.write_record(&header).unwrap();
        for row in rows {
            writer.write_record(row).unwrap();
        }
        writer.flush().unwrap();
        path
    };
    let ordered = clean(dir.path(), "ordered", &[write("ordered.csv", &lines)], &[]);
    let shuffled = clean(dir.path(), "shuffled", &[write("shuffled.csv", &shuffled)], &[]);
    assert_eq!((ordered.status, shuffled.status), (0, 0), "{}{}", ordered.stderr, shuffled.stderr);
    let persons = persons_by_stt(&ordered.out);
    assert!(persons.iter().any(|p| p.len() > 1), "the sample has duplicates");
    assert_eq!(persons, persons_by_stt(&shuffled.out));
}

#[test]
fn a_trained_model_is_used_and_a_pair_explained() {
    let dir = tempdir();
    let model = dir.path().join("model.json");
    let (status, stderr) = dancu(&[
        "train",
        sample().to_str().unwrap(),
        "--out",
        model.to_str().unwrap(),
        "--sample-pairs",
        "20000",
        "--allow-small",
    ]);
    assert_eq!(status, 0, "{stderr}");
    assert!(stderr.contains("blocking `same citizen_id`"), "{stderr}");
    let trained: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(trained["comparisons"].as_array().unwrap().len(), 9);

    let run = clean(dir.path(), "out", &[sample()], &["--model", model.to_str().unwrap(), "--explain", "1", "6"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains("citizen_id"), "{}", run.stdout);
    assert!(run.stdout.contains("match weight"), "{}", run.stdout);

    std::fs::write(&model, "{\"dancu_model\": 1, \"prior\": 2, \"comparisons\": []}").unwrap();
    let run = clean(dir.path(), "broken", &[sample()], &["--model", model.to_str().unwrap()]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("prior 2 must be between 0 and 1"), "{}", run.stderr);
    assert!(run.stderr.contains("comparison `full_name` is missing"), "{}", run.stderr);
}

#[test]
fn a_block_over_the_cap_is_split_or_else_skipped_with_a_warning() {
    let dir = tempdir();
    let rules = dir.path().join("rules");
    copy_tree(&repo().join("rules"), &rules);
    let linkage = std::fs::read_to_string(rules.join("linkage.toml")).unwrap();
    // The sample's one block of three (same commune and name: a father,
    // his copy and his son of one name) is over a cap of two.
    let capped = linkage.replace("max_block_size = 300", "max_block_size = 2");
    let blocking = |run: &Run| -> (u64, u64) {
        let manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(run.out.join("manifest.json")).unwrap()).unwrap();
        let rules = manifest["blocking"].as_array().unwrap().clone();
        let sum = |key: &str| rules.iter().map(|r| r[key].as_u64().unwrap()).sum();
        (sum("split_blocks"), sum("skipped_blocks"))
    };
    std::fs::write(rules.join("linkage.toml"), &capped).unwrap();
    let run = clean(dir.path(), "split", &[sample()], &["--rules", rules.to_str().unwrap()]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(blocking(&run), (1, 0), "split on the birth year, nothing skipped");
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);

    let unsplit = capped
        .replace("keys = [\"commune\", \"name_key\"]\nsplit_on = \"birth_year\"", "keys = [\"commune\", \"name_key\"]");
    assert_ne!(unsplit, capped);
    std::fs::write(rules.join("linkage.toml"), &unsplit).unwrap();
    let run = clean(dir.path(), "skipped", &[sample()], &["--rules", rules.to_str().unwrap()]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(blocking(&run), (0, 1));
    assert!(
        run.stderr.contains("warning: blocking rule `same commune and name` left 1 block(s) of 3 records"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_missing_column_is_said_once_and_a_combined_id_column_is_split() {
    let dir = tempdir();
    let input = dir.path().join("partial.csv");
    std::fs::write(
        &input,
        "Họ và tên,Ngày sinh,Số CCCD/CMND,Quê quán\n\
         Nguyễn Văn An,07/03/1985,001085004567,Nam Định\n\
         Trần Thị Bình,1990,172345679,Thanh Hóa\n",
    )
    .unwrap();
    let run = clean(dir.path(), "out", &[input], &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("partial.csv: no column, or no value in any row, for the required field(s) sex"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("partial.csv: no address column"), "{}", run.stderr);
    let issues = std::fs::read_to_string(run.out.join("issues.csv")).unwrap();
    assert!(!issues.contains(",sex,FIELD_MISSING") && !issues.contains("ADDRESS_UNRESOLVED"), "{issues}");
    // A record with only the old ID card's number still lacks a citizen ID.
    assert!(issues.contains("partial.csv,2,citizen_id,FIELD_MISSING"), "{issues}");
    let manifest = stable_manifest(&run.out);
    assert_eq!(manifest["warnings"].as_array().unwrap().len(), 2);
    let (header, rows) = read_csv(&run.out.join("records.csv"));
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(rows[0][column("citizen_id")], "001085004567");
    assert_eq!((rows[1][column("citizen_id")].as_str(), rows[1][column("old_id")].as_str()), ("", "172345679"));
    assert_eq!(rows[1][column("old_id_raw")], "172345679", "the original is kept");
    assert_eq!(rows[0][column("Quê quán")], "Nam Định", "a home town is carried, not taken for the address");
}

/// Reads `records.csv` as (record_id → person_id).
fn persons_by_record(out: &Path) -> std::collections::BTreeMap<String, String> {
    let (header, rows) = population(out);
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (record, person) = (at("record_id"), at("person_id"));
    rows.iter().map(|r| (r[record].clone(), r[person].clone())).collect()
}

/// Numbering persons by their first record renumbered everyone when a row
/// moved; a person known from a cleaned file keeps its ID.
#[test]
fn persons_keep_their_ids_when_the_rows_move() {
    let dir = tempdir();
    let first = clean(dir.path(), "first", &[sample()], &[]);
    assert_eq!(first.status, 0, "{}", first.stderr);
    let text = std::fs::read_to_string(first.out.join("records.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let mut rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    rows.reverse();
    let moved = dir.path().join("moved.csv");
    let mut writer = csv::Writer::from_path(&moved).unwrap();
    writer.write_record(&header).unwrap();
    for row in &rows {
        writer.write_record(row).unwrap();
    }
    writer.flush().unwrap();
    let again = clean(dir.path(), "again", &[moved], &[]);
    assert_eq!(again.status, 0, "{}", again.stderr);
    let (before, after) = (persons_by_record(&first.out), persons_by_record(&again.out));
    assert_eq!(before.len(), 65);
    assert_eq!(before, after, "every record keeps its record_id and its person");
    let (_, changes) = read_csv(&again.out.join("changes.csv"));
    assert!(changes.iter().all(|c| c[1] != "minted" && c[1] != "merged" && c[1] != "split"), "{changes:?}");
    let ledger = |out: &Path| std::fs::read_to_string(out.join("identity.json")).unwrap();
    assert_eq!(ledger(&first.out), ledger(&again.out));
}

/// Writes `rows` of the sample (data rows, by index) as a CSV of their own.
fn sample_part(dir: &Path, name: &str, rows: impl Iterator<Item = usize>) -> PathBuf {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_path(sample()).unwrap();
    let header = reader.headers().unwrap().clone();
    let all: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let path = dir.join(name);
    let mut writer = csv::WriterBuilder::new().flexible(true).from_path(&path).unwrap();
    writer.write_record(&header).unwrap();
    for i in rows {
        writer.write_record(&all[i]).unwrap();
    }
    writer.flush().unwrap();
    path
}

/// Two nights against a master: known persons keep their IDs, the second
/// night's copies join them, a night run twice changes no person, and the
/// persons are those of one run over both nights.
#[test]
fn nights_against_a_master_keep_person_ids() {
    let dir = tempdir();
    let rows = {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_path(sample()).unwrap();
        reader.records().count()
    };
    let first = sample_part(dir.path(), "night1.csv", 0..rows / 2);
    let second = sample_part(dir.path(), "night2.csv", rows / 2..rows);
    let whole = sample_part(dir.path(), "whole.csv", 0..rows);
    let night1 = clean(dir.path(), "master1", &[first], &[]);
    assert_eq!(night1.status, 0, "{}", night1.stderr);
    let master1 = night1.out.to_str().unwrap().to_string();
    let night2 = clean(dir.path(), "master2", std::slice::from_ref(&second), &["--master", &master1]);
    assert_eq!(night2.status, 0, "{}", night2.stderr);
    let (before, after) = (persons_by_record(&night1.out), persons_by_record(&night2.out));
    for (record, person) in &before {
        assert_eq!(after.get(record), Some(person), "a known record keeps its person");
    }
    assert!(after.len() > before.len());
    // The same partition of records into persons as one run over both.
    let full = clean(dir.path(), "full", &[whole], &[]);
    let partition = |map: &std::collections::BTreeMap<String, String>| {
        let mut groups: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
        for (record, person) in map {
            groups.entry(person).or_default().push(record);
        }
        let mut groups: Vec<Vec<&str>> = groups.into_values().collect();
        groups.sort();
        groups.into_iter().map(|g| g.join(",")).collect::<Vec<_>>()
    };
    let full_persons = persons_by_record(&full.out);
    assert_eq!(partition(&after), partition(&full_persons));
    let (_, changes) = read_csv(&night2.out.join("changes.csv"));
    let (_, changes1) = read_csv(&night1.out.join("changes.csv"));
    assert_eq!(changes[..changes1.len()], changes1[..], "the history is carried");
    // The second night again, against its own output: nothing changes.
    let master2 = night2.out.to_str().unwrap().to_string();
    let again = clean(dir.path(), "master3", &[second], &["--master", &master2]);
    assert_eq!(again.status, 0, "{}", again.stderr);
    assert_eq!(persons_by_record(&again.out), after);
    let (_, changes3) = read_csv(&again.out.join("changes.csv"));
    let tonight: Vec<&Vec<String>> = changes3[changes.len()..].iter().collect();
    assert!(!tonight.is_empty() && tonight.iter().all(|c| c[1] == "record_seen"), "{tonight:?}");
    // Each row sent again names the person of the master's record it is.
    for line in &tonight {
        assert_eq!(after.get(&line[4]), Some(&line[2]), "{line:?}");
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(again.out.join("manifest.json")).unwrap()).unwrap();
    let counts = &manifest["counts"];
    assert_eq!(counts["changes"]["record_seen"].as_u64(), Some(tonight.len() as u64));
    assert_eq!(counts["records_seen"].as_u64(), Some(tonight.len() as u64));
    assert_eq!(counts["changes"].as_object().unwrap().len(), 1, "{counts}");
    let ledger = |out: &Path| std::fs::read_to_string(out.join("identity.json")).unwrap();
    assert_eq!(ledger(&night2.out), ledger(&again.out));
}

/// A generated extract cleaned in three nights, each against the last
/// one's output: the persons are those of one run over the whole extract,
/// every record keeps the person of the night it arrived (or the survivor
/// that person was logged as merged into), and no row is lost: a row a
/// later night sends again as it was is the master's record.
#[test]
fn generated_nights_give_the_persons_of_one_run() {
    let dir = tempdir();
    let generated = dir.path().join("gen");
    let (status, stderr) = dancu(&[
        "gen",
        "--rows",
        "3000",
        "--seed",
        "7",
        "--profile",
        "diverse",
        "--out",
        generated.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(status, 0, "{stderr}");
    let extract = generated.join("extract.csv");
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_path(&extract).unwrap();
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let mut master: Option<String> = None;
    let mut first_person: std::collections::BTreeMap<String, String> = Default::default();
    for (k, part) in rows.chunks(rows.len().div_ceil(3)).enumerate() {
        let path = dir.path().join(format!("night{k}.csv"));
        let mut writer = csv::Writer::from_path(&path).unwrap();
        writer.write_record(&header).unwrap();
        part.iter().for_each(|row| writer.write_record(row).unwrap());
        writer.flush().unwrap();
        let extra: Vec<&str> = master.iter().flat_map(|m| ["--master", m.as_str()]).collect();
        let night = clean(dir.path(), &format!("out{k}"), &[path], &extra);
        assert_eq!(night.status, 0, "{}", night.stderr);
        for (record, person) in persons_by_record(&night.out) {
            first_person.entry(record).or_insert(person);
        }
        master = Some(night.out.to_str().unwrap().to_string());
    }
    let last = std::path::PathBuf::from(master.unwrap());
    let nightly = persons_by_record(&last);
    let full = clean(dir.path(), "full", &[extract], &[]);
    assert_eq!(full.status, 0, "{}", full.stderr);
    let whole = persons_by_record(&full.out);
    // A second occurrence in one run (`-2`) is, across nights, the record
    // the master already holds.
    let base = |id: &str| id.split('-').next().unwrap().to_string();
    for record in whole.keys() {
        assert!(nightly.contains_key(record) || nightly.contains_key(&base(record)), "{record} lost");
    }
    let together = |persons: &std::collections::BTreeMap<String, String>, a: &str, b: &str| persons[a] == persons[b];
    let shared: Vec<&String> = whole.keys().filter(|r| nightly.contains_key(*r)).collect();
    let by_person = |persons: &std::collections::BTreeMap<String, String>| {
        let mut first: std::collections::HashMap<&str, &str> = Default::default();
        shared
            .iter()
            .map(|r| (r.as_str(), *first.entry(persons[*r].as_str()).or_insert(r.as_str())))
            .collect::<Vec<_>>()
    };
    for ((record, in_whole), (_, in_nightly)) in by_person(&whole).iter().zip(by_person(&nightly)) {
        assert!(together(&whole, record, in_nightly), "{record} is apart in the full run");
        assert!(together(&nightly, record, in_whole), "{record} is apart across nights");
    }
    let ledger: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(last.join("identity.json")).unwrap()).unwrap();
    let survivor = |mut id: String| {
        while let Some(next) = ledger["retired"][&id].as_str() {
            id = next.to_string();
        }
        id
    };
    for (record, first) in &first_person {
        assert_eq!(survivor(first.clone()), nightly[record], "{record} changed person without a logged merge");
    }
}

/// A row quarantined on an earlier night stays in the master's quarantine,
/// night after night, its cells as they were (the spreadsheet guard is not
/// put on twice).
#[test]
fn the_masters_quarantine_is_carried_night_after_night() {
    let dir = tempdir();
    let night = |name: &str, bad: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, format!("Họ và tên,Ngày sinh,Giới tính\nLê Văn An,01/02/1990,Nam\n{bad}\n")).unwrap();
        path
    };
    let first = clean(dir.path(), "m1", &[night("n1.csv", "=HYPERLINK(1),x,y,z")], &[]);
    assert_eq!(first.status, 0, "{}", first.stderr);
    let m1 = first.out.to_str().unwrap().to_string();
    let second = clean(dir.path(), "m2", &[night("n2.csv", "Trần Thị Bình,1,2,3,4")], &["--master", &m1]);
    assert_eq!(second.status, 0, "{}", second.stderr);
    let m2 = second.out.to_str().unwrap().to_string();
    let third = clean(dir.path(), "m3", &[night("n3.csv", "Lê Văn An,01/02/1990,Nam")], &["--master", &m2]);
    assert_eq!(third.status, 0, "{}", third.stderr);
    let (_, first_rows) = read_csv(&first.out.join("quarantine.csv"));
    let (_, rows) = read_csv(&third.out.join("quarantine.csv"));
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0], first_rows[0], "the first night's row, as it was written");
    assert!(rows[0][4].starts_with("'=HYPERLINK") && !rows[0][4].starts_with("''"), "{:?}", rows[0]);
    assert_eq!((rows[1][0].as_str(), rows[1][1].as_str()), ("n2.csv", "2"));
}

/// A night links only the master records its batch could join; its CSV
/// files hold tonight's records (and the known ones they were compared
/// with), its Parquet tables and `dancu export` the whole population, and
/// `dancu eval` scores the whole.
#[test]
fn a_night_reads_only_the_master_records_its_batch_could_join() {
    let dir = tempdir();
    let rows = {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_path(sample()).unwrap();
        reader.records().count()
    };
    // Tonight: three well-formed rows of the sample; the master: the others.
    let first = sample_part(dir.path(), "night1.csv", (0..10).chain(13..rows));
    let second = sample_part(dir.path(), "night2.csv", 10..13);
    let night1 = clean(dir.path(), "m1", &[first], &[]);
    assert_eq!(night1.status, 0, "{}", night1.stderr);
    let m1 = night1.out.to_str().unwrap().to_string();
    let night2 = clean(dir.path(), "m2", std::slice::from_ref(&second), &["--master", &m1]);
    assert!(!night2.stderr.contains("records.parquet"), "no warning about the master: {}", night2.stderr);
    assert_eq!(night2.status, 0, "{}", night2.stderr);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(night2.out.join("manifest.json")).unwrap()).unwrap();
    let master = &manifest["counts"]["master"];
    let read = master["records_read"].as_u64().unwrap();
    let (_, before) = population(&night1.out);
    assert!(read < before.len() as u64, "{master}");
    let counts = &manifest["counts"];
    let tonight = counts["records"].as_u64().unwrap();
    assert_eq!(counts["rows_read"].as_u64(), Some(3), "{counts}");
    assert_eq!(tonight, 3, "{counts}");
    assert_eq!(master["records"].as_u64(), Some(before.len() as u64 + tonight), "{master}");
    // records.csv: tonight's three and at most the known records read.
    let (_, shown) = read_csv(&night2.out.join("records.csv"));
    assert!(shown.len() as u64 >= tonight && shown.len() as u64 <= tonight + read, "{}", shown.len());
    let (header, all) = population(&night2.out);
    assert_eq!(all.len() as u64, before.len() as u64 + tonight);
    // The master's rows keep their place; tonight's come after them.
    let id = header.iter().position(|h| h == "record_id").unwrap();
    let ids = |rows: &[Vec<String>]| rows.iter().map(|r| r[id].clone()).collect::<Vec<_>>();
    assert_eq!(ids(&all[..before.len()]), ids(&before));
    // Tonight's records are a part of their own; the first night's is
    // linked in as it was.
    let part = |out: &Path, part: &str| std::fs::read(out.join("records").join(part)).unwrap();
    assert_eq!(part(&night1.out, "part-000001.parquet"), part(&night2.out, "part-000001.parquet"));
    // --explain ROW names tonight's rows, not the master's records read back.
    let explain = |a: &str, b: &str| {
        let run = clean(dir.path(), "m2b", std::slice::from_ref(&second), &["--master", &m1, "--explain", a, b]);
        assert_eq!(run.status, 0, "{}", run.stderr);
        run.stdout
    };
    let bare = explain("1", "2");
    assert!(bare.contains("match weight"), "{bare}");
    assert_eq!(bare, explain("night2.csv:1", "night2.csv:2"));
    let (_, keys) = read_parquet(&night2.out.join("records/part-000002.keys.parquet"));
    let (_, tonight_part) = read_parquet(&night2.out.join("records/part-000002.parquet"));
    assert_eq!((keys.len(), tonight_part.len()), (3, 3), "a key row for each of tonight's records");
    // The whole population as CSV: the records of the dataset.
    let exported = dir.path().join("population.csv");
    let (status, stderr) = dancu(&["export", night2.out.to_str().unwrap(), "--out", exported.to_str().unwrap()]);
    assert_eq!(status, 0, "{stderr}");
    let (exported_header, exported_rows) = read_csv(&exported);
    assert_eq!(exported_header, header);
    assert_eq!(ids(&exported_rows), ids(&all));
}

/// A master without its keys (written by an earlier version, or damaged)
/// is refused with the way out; `--rebuild` relinks it whole without them.
#[test]
fn a_master_without_its_keys_is_refused_and_rebuilt_with_rebuild() {
    let dir = tempdir();
    let rows = {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_path(sample()).unwrap();
        reader.records().count()
    };
    let first = sample_part(dir.path(), "night1.csv", 0..rows - 3);
    let second = sample_part(dir.path(), "night2.csv", rows - 3..rows);
    let night1 = clean(dir.path(), "m1", &[first], &[]);
    assert_eq!(night1.status, 0, "{}", night1.stderr);
    let keys = night1.out.join("records/part-000001.keys.parquet");
    std::fs::remove_file(&keys).unwrap();
    let m1 = night1.out.to_str().unwrap().to_string();
    let refused = clean(dir.path(), "m2", std::slice::from_ref(&second), &["--master", &m1]);
    assert_eq!(refused.status, 1, "{}", refused.stderr);
    let named = refused.stderr.contains("part-000001.keys.parquet");
    assert!(named && refused.stderr.contains("--rebuild"), "{}", refused.stderr);
    let rebuilt = clean(dir.path(), "m2", &[second], &["--master", &m1, "--rebuild"]);
    assert_eq!(rebuilt.status, 0, "{}", rebuilt.stderr);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(rebuilt.out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["counts"]["master"]["records_read"].as_u64(), Some((rows - 3) as u64));
    let before = persons_by_record(&night1.out);
    let after = persons_by_record(&rebuilt.out);
    for (record, person) in &before {
        assert_eq!(after.get(record), Some(person), "a known record keeps its person");
    }
    // Damaged keys: a clear message, not a panic.
    std::fs::write(&keys, b"not parquet").unwrap();
    let damaged = clean(dir.path(), "m3", &[sample()], &["--master", &m1]);
    assert_eq!(damaged.status, 1, "{}", damaged.stderr);
    assert!(damaged.stderr.contains("keys.parquet") && !damaged.stderr.contains("panicked"), "{}", damaged.stderr);
}

/// A night whose file has a column the master's records lack: the whole
/// population has it, empty on the master's records; a column the night
/// lacks is empty on tonight's.
#[test]
fn a_night_with_other_columns_than_the_master_joins_into_one_table() {
    let dir = tempdir();
    let night1 = clean(dir.path(), "m1", &[sample()], &[]);
    assert_eq!(night1.status, 0, "{}", night1.stderr);
    let night = dir.path().join("night.csv");
    std::fs::write(&night, "Họ và tên,Ngày sinh,Giới tính,Người nhập\nLê Văn Tám,01/02/1990,Nam,cán bộ 7\n").unwrap();
    let m1 = night1.out.to_str().unwrap().to_string();
    let night2 = clean(dir.path(), "m2", &[night], &["--master", &m1]);
    assert_eq!(night2.status, 0, "{}", night2.stderr);
    let (header, rows) = population(&night2.out);
    let (_, before) = population(&night1.out);
    assert_eq!(rows.len(), before.len() + 1);
    let column = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("{name}: {header:?}"));
    let (entered_by, stt) = (column("Người nhập"), column("STT"));
    assert!(rows[..before.len()].iter().all(|r| r[entered_by].is_empty()));
    assert_eq!(rows[before.len()][entered_by], "cán bộ 7");
    assert_eq!(rows[before.len()][stt], "");
    // The changing columns stay last, as in records.csv.
    assert_eq!(&header[header.len() - 3..], ["person_id", "is_primary", "issues"]);
}

/// Each night adds a persons part of the persons it linked; once the
/// parts hold more than two rows a person, the night compacts them into
/// one, which holds the same current persons.
#[test]
fn the_persons_parts_are_compacted_once_they_hold_two_rows_a_person() {
    let dir = tempdir();
    let mut master = clean(dir.path(), "m1", &[sample()], &[]);
    assert_eq!(master.status, 0, "{}", master.stderr);
    let persons = current_persons(&master.out);
    let parts = |out: &Path| std::fs::read_dir(out.join("persons")).unwrap().count();
    // The whole sample sent again links every person again.
    for (night, expected_parts) in [("m2", 2), ("m3", 1)] {
        let next = clean(dir.path(), night, &[sample()], &["--master", master.out.to_str().unwrap()]);
        assert_eq!(next.status, 0, "{}", next.stderr);
        assert_eq!(parts(&next.out), expected_parts, "{night}");
        assert_eq!(current_persons(&next.out), persons, "{night}");
        master = next;
    }
}

/// A master whose dataset lost a part, or whose current table is not
/// Parquet, is refused naming the file, and the output folder is left as
/// it was.
#[test]
fn a_damaged_master_dataset_is_refused_naming_the_file() {
    let dir = tempdir();
    let night1 = clean(dir.path(), "m1", &[sample()], &[]);
    assert_eq!(night1.status, 0, "{}", night1.stderr);
    let m1 = night1.out.to_str().unwrap().to_string();
    let part = night1.out.join("records/part-000001.parquet");
    let kept = std::fs::read(&part).unwrap();
    std::fs::remove_file(&part).unwrap();
    let missing = clean(dir.path(), "m2", &[sample()], &["--master", &m1]);
    assert_eq!(missing.status, 1, "{}", missing.stderr);
    assert!(missing.stderr.contains("part-000001.parquet") && missing.stderr.contains("missing"), "{}", missing.stderr);
    assert!(!dir.path().join("m2").exists(), "nothing is written");
    std::fs::write(&part, kept).unwrap();
    std::fs::write(night1.out.join("records/current.parquet"), b"PAR1 not really").unwrap();
    let damaged = clean(dir.path(), "m2", &[sample()], &["--master", &m1]);
    assert_eq!(damaged.status, 1, "{}", damaged.stderr);
    assert!(damaged.stderr.contains("current.parquet") && !damaged.stderr.contains("panicked"), "{}", damaged.stderr);
}

#[test]
fn a_folder_that_is_no_master_is_refused() {
    let dir = tempdir();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let run = clean(dir.path(), "out", &[sample()], &["--master", empty.to_str().unwrap()]);
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--master") && run.stderr.contains("records/current.parquet"), "{}", run.stderr);
}

#[test]
fn the_persons_parquet_file_holds_the_csv_persons() {
    use polars::prelude::*;
    let dir = tempdir();
    let run = clean(dir.path(), "out", &[sample()], &[]);
    let (header, rows) = read_csv(&run.out.join("persons.csv"));
    let file = std::fs::File::open(run.out.join("persons/part-000001.parquet")).unwrap();
    let frame = ParquetReader::new(file).finish().unwrap();
    assert_eq!(frame.height(), rows.len());
    let names: Vec<String> = frame.get_column_names().iter().map(|n| n.to_string()).collect();
    assert_eq!(names, header);
    assert_eq!(current_persons(&run.out).1.len(), rows.len());
    for (column, name) in header.iter().enumerate() {
        let values = frame.column(name).unwrap().cast(&DataType::String).unwrap();
        let values = values.str().unwrap();
        for (i, row) in rows.iter().enumerate() {
            let value = values.get(i).unwrap_or("");
            assert_eq!(dancu::output::excel_safe::excel_safe(value), row[column], "{name}, row {i}");
        }
    }
    // Every record's person is in the table, with its record count.
    let (record_header, records) = read_csv(&run.out.join("records.csv"));
    let person = record_header.iter().position(|h| h == "person_id").unwrap();
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for record in &records {
        *counts.entry(record[person].clone()).or_default() += 1;
    }
    let listed: std::collections::BTreeMap<String, usize> =
        rows.iter().map(|r| (r[0].clone(), r[1].parse().unwrap())).collect();
    assert_eq!(listed, counts);
    // Each value is the value of the record its `_from` names, one of the
    // person's; an empty `_from` is the primary record (`record_id`).
    let at = |h: &[String], name: &str| h.iter().position(|c| c == name).unwrap();
    let by_id: std::collections::BTreeMap<&str, &Vec<String>> =
        records.iter().map(|r| (r[at(&record_header, "record_id")].as_str(), r)).collect();
    for row in &rows {
        let primary = by_id[row[at(&header, "record_id")].as_str()];
        assert_eq!(primary[person], row[0]);
        assert_eq!(primary[at(&record_header, "is_primary")], "true");
        for field in ["full_name", "birth_date", "citizen_id", "phone", "ethnicity"] {
            let from = &row[at(&header, &format!("{field}_from"))];
            let source = if from.is_empty() { primary } else { by_id[from.as_str()] };
            assert_eq!(source[person], row[0], "{field} comes from one of the person's records");
            // No value: none of the person's records has one (a damaged
            // ID is no one's, so the primary may still hold one).
            if field != "citizen_id" || !row[at(&header, field)].is_empty() {
                assert_eq!(source[at(&record_header, field)], row[at(&header, field)], "{field} of {}", row[0]);
            }
        }
    }
    assert!(rows.iter().any(|r| r[1] != "1"), "the sample has persons of several records");
}
