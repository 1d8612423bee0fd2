//! What a night can throw at a run, each tried on purpose: records that
//! crash a normaliser, bad inputs of every kind with personal data planted
//! in them, kills at every stage of writing, two runs into one folder, an
//! output folder that holds the input, arguments out of range.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::support::*;

/// Personal data planted in every bad input: none of it may reach a
/// message.
const CANARY_NAME: &str = "Ngô Thị Canary";
const CANARY_ID: &str = "079199912345";
const CANARY_ADDRESS: &str = "Số 77 Ngõ Bímật";

fn canary_row() -> String {
    format!("{CANARY_NAME},12/05/1999,Nữ,{CANARY_ID},\"{CANARY_ADDRESS}, Phường Bến Nghé, Quận 1, TP HCM\"")
}

const HEADER: &str = "Họ và tên,Ngày sinh,Giới tính,Số định danh cá nhân,Địa chỉ thường trú";

fn assert_no_canary(run: &Run, case: &str) {
    for (stream, text) in [("stderr", &run.stderr), ("stdout", &run.stdout)] {
        for canary in [CANARY_NAME, "Canary", CANARY_ID, "99912345", CANARY_ADDRESS, "Bímật"] {
            assert!(!text.contains(canary), "{case}: {stream} shows {canary:?}:\n{text}");
        }
        assert!(!text.contains('\u{0}') && !text.contains('\u{1b}'), "{case}: {stream} has raw control bytes");
    }
}

fn run_with_env(dir: &Path, name: &str, inputs: &[PathBuf], extra: &[&str], env: &[(&str, &str)]) -> Run {
    let out = dir.join(name);
    let mut command = Command::new(env!("CARGO_BIN_EXE_dancu"));
    command.arg("clean").args(inputs).arg("--out").arg(&out).args(["--reference-date", "2026-01-01", "--quiet"]);
    command.args(extra);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().expect("the dancu binary runs");
    Run {
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        out,
    }
}

fn parquet(path: &Path) -> polars::prelude::DataFrame {
    use polars::prelude::SerReader;
    polars::prelude::ParquetReader::new(std::fs::File::open(path).unwrap()).finish().unwrap()
}

fn rows(path: &Path) -> Vec<Vec<String>> {
    read_csv(path).1
}

#[test]
fn a_type_word_glued_to_its_number_does_not_stop_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("hcm.csv");
    let text = "Họ và tên,Ngày sinh,Địa chỉ thường trú,Xã/Phường,Quận/Huyện,Tỉnh/Thành phố\n\
                Trần Văn Một,1980,\"70 Nguyễn Sỹ Sách, Phường15, Quận Tân Bình, TP HCM\",,,\n\
                Trần Văn Hai,1981,\"5 Pasteur, Phường Bến Nghé, quận1, TP HCM\",,,\n\
                Trần Văn Ba,1982,\"7 Nơ Trang Long, Phường5, Q. Bình Thạnh, TP HCM\",,,\n\
                Trần Văn Bốn,1983,9 Võ Văn Tần,Phường1 .,Quận 3,TP. Hồ Chí Minh\n";
    std::fs::write(&input, text).unwrap();
    let run = clean(dir.path(), "out", &[input], &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let (header, records) = read_csv(&run.out.join("records.csv"));
    assert_eq!(records.len(), 4);
    let status = header.iter().position(|h| h == "address_status").unwrap();
    let old_commune = header.iter().position(|h| h == "old_commune_name").unwrap();
    for record in &records {
        assert_ne!(record[status], "unresolved", "{record:?}");
    }
    assert_eq!(records[0][old_commune], "Phường 15");
    assert_eq!(records[2][old_commune], "Phường 5");
}

#[test]
fn a_record_whose_normalisation_panics_is_quarantined_and_the_run_finishes() {
    let dir = tempfile::tempdir().unwrap();
    for (stage, fault) in [("normalise", "panic-normalize=11"), ("validate", "panic-validate=11")] {
        let run = run_with_env(dir.path(), stage, &[fixture("sample.csv")], &[], &[("DANCU_FAULT", fault)]);
        assert_eq!(run.status, 3, "{stage}: {}", run.stderr);
        assert!(run.stderr.contains("1 record(s) hit an internal error (1 in "), "{}", run.stderr);
        assert!(!run.stderr.contains("fault injected"), "the panic's message is never printed: {}", run.stderr);
        assert!(!run.stderr.contains("NGUYỄN") && !run.stderr.contains("001085004567"), "{}", run.stderr);
        let quarantine = rows(&run.out.join("quarantine.csv"));
        let failed: Vec<&Vec<String>> = quarantine.iter().filter(|q| q[1] == "11").collect();
        assert_eq!(failed.len(), 1, "{quarantine:?}");
        assert_eq!(failed[0][3], format!("internal error in {stage}"));
        // The raw row is kept, in the input's column order.
        assert!(failed[0][4].starts_with("11\tNGUYỄN VĂN AN\t07/03/1985"), "{:?}", failed[0][4]);
        // Nothing lost: 65 records and 3 quarantined rows become 64 and 4.
        assert_eq!(rows(&run.out.join("records.csv")).len(), 64);
        assert_eq!(quarantine.len(), 4);
        let manifest = stable_manifest(&run.out);
        assert_eq!(manifest["counts"]["internal_errors"][stage], 1);
        assert_eq!(manifest["inputs"][0]["quarantined"], 4);
        for file in ["records/current.parquet", "issues.csv", "duplicates.csv", "report/communes.csv"] {
            assert!(run.out.join(file).exists(), "{file}");
        }
    }
}

/// A case of bad input: what it is, the inputs, extra arguments, environment.
type BadInput<'a> = (&'a str, Vec<PathBuf>, Vec<&'a str>, Vec<(&'a str, &'a str)>);

#[test]
fn no_bad_input_shows_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let put = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let headerless = put("headerless.csv", format!("{}\n{}\n", canary_row(), canary_row()).as_bytes());
    let mut junk = b"\x00\x01\x02\x1b[2J".to_vec();
    junk.extend(canary_row().as_bytes());
    junk.extend(b"\x00\x00\xFF\xFE\x07");
    let binary = put("junk.csv", &junk);
    let utf16: Vec<u8> = format!("{}\n", canary_row()).encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let utf16_headerless = put("utf16.txt", &utf16);
    let pdf = put("report.csv", format!("%PDF-1.4\n{}", canary_row()).as_bytes());
    let mut zip = b"PK\x03\x04".to_vec();
    zip.extend(canary_row().as_bytes());
    let broken_zip = put("broken.xlsx", &zip);
    let good = put("good.csv", format!("{HEADER}\n{}\n", canary_row()).as_bytes());
    let cases: Vec<BadInput> = vec![
        ("no header row", vec![headerless], vec![], vec![]),
        ("binary junk", vec![binary], vec![], vec![]),
        ("UTF-16 without BOM or header", vec![utf16_headerless], vec![], vec![]),
        ("a PDF named .csv", vec![pdf], vec![], vec![]),
        ("a broken ZIP named .xlsx", vec![broken_zip], vec![], vec![]),
        ("a panic in normalisation", vec![good.clone()], vec![], vec![("DANCU_FAULT", "panic-normalize=1")]),
        ("a panic in validation", vec![good.clone()], vec![], vec![("DANCU_FAULT", "panic-validate=1")]),
        ("--explain of a missing row", vec![good.clone()], vec!["--explain", "1", "99"], vec![]),
        ("--sheet of a CSV", vec![good.clone()], vec!["--sheet", "Sheet9"], vec![]),
    ];
    for (i, (case, inputs, extra, env)) in cases.into_iter().enumerate() {
        let run = run_with_env(dir.path(), &format!("out{i}"), &inputs, &extra, &env);
        assert_no_canary(&run, case);
        assert!(!run.stderr.contains("panicked"), "{case}: {}", run.stderr);
    }
    // Without --quiet too: the summary line and warnings.
    let output = Command::new(env!("CARGO_BIN_EXE_dancu"))
        .args(["clean", good.to_str().unwrap(), "--out", dir.path().join("loud").to_str().unwrap()])
        .env("DANCU_FAULT", "panic-normalize=1")
        .output()
        .unwrap();
    let run = Run {
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        out: PathBuf::new(),
    };
    assert_eq!(run.status, 3, "{}", run.stderr);
    assert_no_canary(&run, "a panic, not quiet");
}

#[test]
fn a_file_without_a_header_row_is_told_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("headerless.csv");
    std::fs::write(&input, format!("{}\n", canary_row())).unwrap();
    let run = clean(dir.path(), "out", &[input], &[]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("no column holds the full name"), "{}", run.stderr);
    assert!(run.stderr.contains("Line 1, the first with text, has 5 filled cell(s)"), "{}", run.stderr);
    assert!(run.stderr.contains("add one above the data"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn files_are_read_by_what_they_hold_not_by_their_names() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("sample.csv")).unwrap();
    let expected = rows(&clean(dir.path(), "csv", &[fixture("sample.csv")], &[]).out.join("records.csv")).len();
    let cases = [
        ("csv-named.xlsx", text.as_bytes().to_vec(), "named like a workbook but holds text"),
        ("workbook-named.csv", std::fs::read(fixture("sample.xlsx")).unwrap(), "holds an Excel workbook"),
        (
            "utf16-no-bom.txt",
            with_delimiter(&text, '\t').encode_utf16().flat_map(|u| u.to_le_bytes()).collect(),
            "UTF-16 text without a byte-order mark; read as UTF-16LE",
        ),
    ];
    for (name, bytes, warning) in cases {
        let input = dir.path().join(name);
        std::fs::write(&input, bytes).unwrap();
        let run = clean(dir.path(), &format!("{name}-out"), &[input], &[]);
        assert_eq!(run.status, 0, "{name}: {}", run.stderr);
        assert!(run.stderr.contains(warning), "{name}: {}", run.stderr);
        assert_eq!(rows(&run.out.join("records.csv")).len(), expected, "{name}");
        let manifest = stable_manifest(&run.out);
        assert!(manifest["warnings"][0].as_str().unwrap().contains(warning), "{name}");
    }
    let junk = dir.path().join("photo.csv");
    std::fs::write(&junk, b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR").unwrap();
    let run = clean(dir.path(), "png", &[junk], &[]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("are those of a PNG image") && run.stderr.contains("89 50 4E 47"), "{}", run.stderr);
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn outputs_are_owner_only_and_leave_nothing_beside_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let run = clean(dir.path(), "out", &[fixture("sample.csv")], &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(mode(&run.out), 0o700);
    assert_eq!(mode(&run.out.join("report")), 0o700);
    for file in ["records.csv", "records/part-000001.parquet", "issues.csv", "manifest.json", "report/communes.csv"] {
        assert_eq!(mode(&run.out.join(file)), 0o600, "{file}");
    }
    let beside: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(beside, ["out"], "no lock, staging folder or old set is left");
}

#[test]
fn temporary_files_of_killed_runs_are_removed_and_the_users_files_kept() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir_all(out.join("report")).unwrap();
    std::fs::write(out.join(".records.csv.4242.tmp"), "half a record").unwrap();
    std::fs::write(out.join("report/.communes.csv.4242.tmp"), "half").unwrap();
    std::fs::write(out.join("decisions.csv"), "a,b,decision\n").unwrap();
    std::fs::write(out.join("report/districts.csv"), "from an older run").unwrap();
    let run = clean(dir.path(), "out", &[fixture("sample.csv")], &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(!out.join(".records.csv.4242.tmp").exists());
    assert!(!out.join("report/.communes.csv.4242.tmp").exists());
    assert!(!out.join("report/districts.csv").exists(), "an output of an older run is not carried");
    assert_eq!(std::fs::read_to_string(out.join("decisions.csv")).unwrap(), "a,b,decision\n");
    assert!(run.stderr.contains("not a dancu decisions.csv"), "the user is told it is not honoured: {}", run.stderr);
    // With clerks' decisions to write in its place, the run refuses.
    let theirs = dir.path().join("theirs.csv");
    std::fs::write(&theirs, "a,b,decision,reviewer,decided_at,note\nR1,R2,same,x,2026-12-05T09:00:00Z,\n").unwrap();
    let refused = clean(dir.path(), "out", &[fixture("sample.csv")], &["--decisions", theirs.to_str().unwrap()]);
    assert_eq!(refused.status, 2, "{}", refused.stderr);
    assert_eq!(std::fs::read_to_string(out.join("decisions.csv")).unwrap(), "a,b,decision\n");
}

/// The output set as it stands: which input each file says it came from,
/// and whether the files agree with the manifest's counts.
fn set_origin(out: &Path) -> String {
    let manifest = stable_manifest(out);
    let name = manifest["inputs"][0]["name"].as_str().unwrap().to_string();
    let records = rows(&out.join("records.csv"));
    assert_eq!(records.len() as u64, manifest["counts"]["records"].as_u64().unwrap(), "records.csv and manifest");
    assert!(records.iter().all(|r| r[0] == name), "records.csv holds another run's records than the manifest");
    for file in ["issues.csv", "quarantine.csv", "duplicates.csv"] {
        assert!(rows(&out.join(file)).iter().all(|r| r[0] == name), "{file} is another run's");
    }
    let frame = parquet(&out.join("records/part-000001.parquet"));
    assert_eq!(frame.height(), records.len(), "the records part is another run's");
    let sources = frame.column("source").unwrap().str().unwrap();
    assert!(sources.iter().all(|s| s == Some(name.as_str())), "the records part is another run's");
    assert_eq!(
        parquet(&out.join("records/current.parquet")).height(),
        records.len(),
        "current.parquet is another run's"
    );
    name
}

#[test]
fn a_run_killed_at_any_point_of_writing_leaves_the_previous_set_whole() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("sample.csv")).unwrap();
    let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    std::fs::write(&a, &text).unwrap();
    std::fs::write(&b, text.lines().take(40).collect::<Vec<_>>().join("\n") + "\n").unwrap();
    let first = clean(dir.path(), "out", std::slice::from_ref(&a), &[]);
    assert_eq!(first.status, 0, "{}", first.stderr);
    assert_eq!(set_origin(&first.out), "a.csv");
    for point in ["records-written", "staged"] {
        let killed = run_with_env(
            dir.path(),
            "out",
            std::slice::from_ref(&b),
            &[],
            &[("DANCU_FAULT", &format!("abort-at={point}"))],
        );
        assert_eq!(killed.status, -1, "{point}: aborted by a signal: {}", killed.stderr);
        assert_eq!(set_origin(&first.out), "a.csv", "{point}: the previous set is whole");
    }
    // The next run clears what the dead ones left and says so.
    let next = clean(dir.path(), "out", std::slice::from_ref(&b), &[]);
    assert_eq!(next.status, 0, "{}", next.stderr);
    assert!(next.stderr.contains("took over the lock"), "{}", next.stderr);
    assert!(next.stderr.contains("removed the unfinished outputs"), "{}", next.stderr);
    assert_eq!(set_origin(&next.out), "b.csv");
    // Killed right after the exchange, before the old set is removed: the
    // new set is whole.
    let killed =
        run_with_env(dir.path(), "out", std::slice::from_ref(&a), &[], &[("DANCU_FAULT", "abort-at=exchanged")]);
    assert_eq!(killed.status, -1, "{}", killed.stderr);
    assert_eq!(set_origin(&next.out), "a.csv");
    // Where folders cannot be exchanged, a kill between the two renames is
    // repaired by the next run.
    let killed = run_with_env(
        dir.path(),
        "out",
        std::slice::from_ref(&b),
        &[],
        &[("DANCU_FAULT", "flag=no-exchange,abort-at=moved-aside")],
    );
    assert_eq!(killed.status, -1, "{}", killed.stderr);
    let repaired =
        run_with_env(dir.path(), "out", std::slice::from_ref(&b), &[], &[("DANCU_FAULT", "flag=no-exchange")]);
    assert_eq!(repaired.status, 0, "{}", repaired.stderr);
    assert!(repaired.stderr.contains("restored the previous outputs"), "{}", repaired.stderr);
    assert_eq!(set_origin(&repaired.out), "b.csv");
    let beside: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(beside.len(), 3, "a.csv, b.csv and out only: {beside:?}");
}

#[test]
fn a_real_kill_at_staggered_moments_never_mixes_two_sets() {
    let dir = tempfile::tempdir().unwrap();
    let (status, stderr) =
        dancu(&["gen", "--rows", "20000", "--seed", "7", "--out", dir.path().join("a").to_str().unwrap(), "--quiet"]);
    assert_eq!(status, 0, "{stderr}");
    let (status, stderr) =
        dancu(&["gen", "--rows", "15000", "--seed", "8", "--out", dir.path().join("b").to_str().unwrap(), "--quiet"]);
    assert_eq!(status, 0, "{stderr}");
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    std::fs::rename(dir.path().join("a/extract.csv"), &a).unwrap();
    std::fs::rename(dir.path().join("b/extract.csv"), &b).unwrap();
    let out = dir.path().join("out");
    let first = clean(dir.path(), "out", std::slice::from_ref(&a), &[]);
    assert_eq!(first.status, 0, "{}", first.stderr);
    let mut previous = "a.csv".to_string();
    let mut swapped = 0;
    for (i, delay_ms) in [50u64, 200, 400, 600, 800, 1000, 1300, 1700, 2200, 3000].into_iter().enumerate() {
        let input = if i % 2 == 0 { &b } else { &a };
        let mut child = Command::new(env!("CARGO_BIN_EXE_dancu"))
            .arg("clean")
            .arg(input)
            .arg("--out")
            .arg(&out)
            .args(["--reference-date", "2026-01-01", "--quiet"])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        child.wait().unwrap();
        // Killed (or finished): the set is the one before or this run's,
        // never a mix, which set_origin would have caught.
        let now = set_origin(&out);
        let this_run = input.file_name().unwrap().to_str().unwrap();
        assert!(now == previous || now == this_run, "kill {i} after {delay_ms} ms: {now}");
        swapped += usize::from(now != previous);
        previous = now;
    }
    assert!(swapped < 10, "some kill fell before the swap");
}

#[test]
fn a_second_run_into_the_same_folder_is_refused_while_the_first_holds_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut first = Command::new(env!("CARGO_BIN_EXE_dancu"))
        .arg("clean")
        .arg(fixture("sample.csv"))
        .arg("--out")
        .arg(&out)
        .args(["--reference-date", "2026-01-01", "--quiet"])
        .env("DANCU_FAULT", "pause-at=staged")
        .spawn()
        .unwrap();
    let lock = dir.path().join(".out.lock");
    let started = std::time::Instant::now();
    while !(lock.exists() && std::fs::read_to_string(&lock).is_ok_and(|t| t.contains("started"))) {
        assert!(started.elapsed().as_secs() < 60, "the first run never took the lock");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let second = clean(dir.path(), "out", &[fixture("sample.csv")], &[]);
    assert_eq!(second.status, 4, "{}", second.stderr);
    assert!(second.stderr.contains("another dancu run is writing this output folder"), "{}", second.stderr);
    assert!(second.stderr.contains(&format!("process {}", first.id())), "{}", second.stderr);
    first.kill().unwrap();
    first.wait().unwrap();
    let third = clean(dir.path(), "out", &[fixture("sample.csv")], &[]);
    assert_eq!(third.status, 0, "{}", third.stderr);
    assert!(third.stderr.contains(&format!("took over the lock of {}", out.display())), "{}", third.stderr);
    assert!(third.stderr.contains(&format!("process {}", first.id())), "{}", third.stderr);
}

#[test]
fn an_output_folder_that_holds_an_input_is_refused_before_anything_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let first = clean(dir.path(), "d", &[fixture("sample.csv")], &[]);
    assert_eq!(first.status, 0, "{}", first.stderr);
    let input = first.out.join("records.csv");
    let before = std::fs::read(&input).unwrap();
    // Into the folder of the input, and into a folder above it.
    for out in [first.out.clone(), dir.path().to_path_buf()] {
        let output =
            Command::new(env!("CARGO_BIN_EXE_dancu")).arg("clean").arg(&input).arg("--out").arg(&out).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("this input is inside the output folder"), "{stderr}");
        assert!(stderr.contains("-cleaned"), "{stderr}");
    }
    assert_eq!(std::fs::read(&input).unwrap(), before, "the input is untouched");
    // Beside it or below it is fine.
    let beside = clean(dir.path(), "d2", std::slice::from_ref(&input), &[]);
    assert_eq!(beside.status, 0, "{}", beside.stderr);
    let below = clean(&first.out, "again", std::slice::from_ref(&input), &[]);
    assert_eq!(below.status, 0, "{}", below.stderr);
}

#[test]
fn arguments_out_of_range_get_advice_not_a_long_wait() {
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let run = clean(dir.path(), "out", &[fixture("sample.csv")], &["--threads", "100000"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("--threads 100000 is more than this machine can use"), "{}", run.stderr);
    assert!(started.elapsed().as_secs() < 60);

    let run = clean(dir.path(), "explain", &[fixture("sample.csv")], &["--explain", "1", "9999"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("--explain 9999: no record at row 9999"), "{}", run.stderr);
    assert!(run.stderr.contains("the run goes on"), "{}", run.stderr);
    assert!(run.out.join("records.csv").exists());
}

#[test]
fn training_on_too_few_records_is_refused_unless_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.json");
    let (status, stderr) = dancu(&["train", fixture("sample.csv").to_str().unwrap(), "--out", model.to_str().unwrap()]);
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("65 record(s) are too few to train a model on (the minimum is 10000)"), "{stderr}");
    assert!(stderr.contains("--allow-small"), "{stderr}");
    assert!(!model.exists());
    let (status, stderr) = dancu(&[
        "train",
        fixture("sample.csv").to_str().unwrap(),
        "--out",
        model.to_str().unwrap(),
        "--allow-small",
        "--sample-pairs",
        "20000",
    ]);
    assert_eq!(status, 0, "{stderr}");
    assert!(stderr.contains("warning: 65 record(s) are too few"), "{stderr}");
    assert!(stderr.contains("warning: no blocking rule found the 1000 candidate pairs"), "{stderr}");
    assert!(model.exists());
}

#[test]
fn cleaning_a_cleaned_file_reproduces_the_parquet_file_too() {
    let dir = tempfile::tempdir().unwrap();
    let first = clean(dir.path(), "first", &[fixture("sample.csv")], &[]);
    let again = clean(dir.path(), "again", &[first.out.join("records.csv")], &[]);
    assert_eq!(again.status, 0, "{}", again.stderr);
    let parts = ["records/part-000001.parquet", "records/current.parquet", "persons/part-000001.parquet"];
    for file in ["records.csv", "issues.csv", "duplicates.csv", "report/communes.csv"].into_iter().chain(parts) {
        let a = std::fs::read(first.out.join(file)).unwrap();
        let b = std::fs::read(again.out.join(file)).unwrap();
        assert!(a == b, "{file} changed when the cleaned file was cleaned again");
    }
    // The sample's formula cells are in the Parquet file as they were typed.
    let frame = parquet(&again.out.join("records/part-000001.parquet"));
    let notes = frame.column("Ghi chú").unwrap().str().unwrap();
    assert!(notes.iter().flatten().any(|n| n.starts_with("=HYPERLINK")), "the guard never enters the data");
}
