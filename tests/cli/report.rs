//! The quality report as analysts open it: `report.json` against its
//! schema, `report.xlsx` read back by a spreadsheet reader, `report.html`
//! in a real headless browser (Debian's `chromium`; the test says it skips
//! when none is installed, and fails instead under
//! `DANCU_REQUIRE_BROWSER=1`, which CI sets), and the comparison with the
//! previous run.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::support::*;

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn report_json_has_the_documented_shape_and_adds_up() {
    let dir = tempfile::tempdir().unwrap();
    let run = clean(dir.path(), "out", &[fixture("sample.csv")], &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let report = json(&run.out.join("report/report.json"));
    for key in ["schema", "generated_at", "reference_date", "units", "score_formula", "totals", "provinces", "communes"]
    {
        assert!(report.get(key).is_some(), "no {key}");
    }
    assert_eq!(report["generated_at"], "2026-01-01T00:00:00Z");
    assert_eq!(report["reference_date"], "2026-01-01");
    let totals = &report["totals"];
    for key in ["records", "persons", "duplicates", "quarantined", "dimensions", "codes", "fields"] {
        assert!(totals.get(key).is_some(), "totals has no {key}");
    }
    assert_eq!(totals["records"], 65);
    assert_eq!(totals["quarantined"], 3);
    assert_eq!(totals["quarantined_by_input"]["sample.csv"], 3);
    assert_eq!(totals["duplicates"], totals["records"].as_u64().unwrap() - totals["persons"].as_u64().unwrap());
    for dimension in ["dung", "du", "sach", "song"] {
        let d = &totals["dimensions"][dimension];
        let share = d["share"].as_f64().unwrap();
        assert!((share - d["records"].as_f64().unwrap() / 65.0).abs() < 1e-4, "{dimension}");
    }
    // Info findings are counted per code but never make a record "with
    // findings": every record of the sample carries ADDRESS_OLD_UNITS or is
    // in new units, and still sống is a few records only.
    assert!(totals["codes"]["ADDRESS_OLD_UNITS"].as_u64().unwrap() > 20);
    assert!(totals["dimensions"]["song"]["records"].as_u64().unwrap() < 5);
    // The units of each level add up to the totals, and are ranked worst first.
    for level in ["provinces", "communes"] {
        let units = report[level].as_array().unwrap();
        let records: u64 = units.iter().map(|u| u["records"].as_u64().unwrap()).sum();
        assert_eq!(records, 65, "{level}");
        for unit in units {
            for key in ["code", "name", "records", "persons", "dimensions", "codes", "fields", "score"] {
                assert!(unit.get(key).is_some(), "{level} unit has no {key}");
            }
        }
        let ranks: Vec<u64> = units.iter().map(|u| u["rank"].as_u64().unwrap()).filter(|&r| r > 0).collect();
        assert_eq!(ranks, (1..=ranks.len() as u64).collect::<Vec<_>>(), "{level} ranked worst first");
        let scores: Vec<f64> = units.iter().filter(|u| u["rank"] != 0).map(|u| u["score"].as_f64().unwrap()).collect();
        assert!(scores.windows(2).all(|w| w[0] <= w[1]), "{level}: {scores:?}");
    }
    assert!(report.get("districts").is_none());
    // No person's data: no name or ID of the sample anywhere in the report.
    let text = std::fs::read_to_string(run.out.join("report/report.json")).unwrap()
        + &std::fs::read_to_string(run.out.join("report/report.html")).unwrap();
    for personal in ["Nguyễn Văn An", "Lò Văn Pâng", "001085004567", "038068001201"] {
        assert!(!text.contains(personal), "the report shows {personal}");
    }
}

#[test]
fn old_units_add_districts_to_every_form_of_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let run = clean(dir.path(), "old", &[fixture("sample.csv")], &["--units", "old", "--lang", "en"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let report = json(&run.out.join("report/report.json"));
    let districts = report["districts"].as_array().unwrap();
    assert!(districts.iter().any(|d| d["name"] == "Huyện Quan Sơn"), "{districts:?}");
    assert_eq!(report["language"], "en");
    assert!(run.out.join("report/districts.csv").exists());
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(run.out.join("report/report.xlsx")).unwrap();
    let sheets = calamine::Reader::sheet_names(&workbook);
    assert_eq!(sheets, ["Summary", "Provinces", "Districts", "Communes", "Codes", "Legend"]);
    let range = calamine::Reader::worksheet_range(&mut workbook, "Districts").unwrap();
    assert_eq!(range.get((0, 3)).map(|c| c.to_string()), Some("District code".to_string()));
}

#[test]
fn report_xlsx_holds_numbers_as_numbers() {
    use calamine::{Data, Reader};
    let dir = tempfile::tempdir().unwrap();
    let run = clean(dir.path(), "out", &[fixture("sample.csv")], &[]);
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(run.out.join("report/report.xlsx")).unwrap();
    assert_eq!(workbook.sheet_names(), ["Tổng quan", "Tỉnh", "Xã", "Mã phát hiện", "Chú giải"]);
    let communes = workbook.worksheet_range("Xã").unwrap();
    let header: Vec<String> = communes.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no {name}: {header:?}"));
    let (records, share) = (column("Số bản ghi"), column("Đúng: Tỷ lệ"));
    let mut total = 0.0;
    for row in communes.rows().skip(1) {
        match (&row[records], &row[share]) {
            (Data::Float(n), Data::Float(s)) => {
                total += n;
                assert!((0.0..=1.0).contains(s), "a share is a fraction shown as a percentage: {s}");
            }
            other => panic!("numbers are stored as numbers: {other:?}"),
        }
    }
    assert_eq!(total, 65.0);
    let legend = workbook.worksheet_range("Chú giải").unwrap();
    assert_eq!(legend.rows().count(), dancu::finding::Code::ALL.len() + 1);
}

/// A browser to open the page in: Debian's `chromium`, or what
/// `DANCU_CHROMIUM` names.
pub fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("DANCU_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let found = ["chromium", "chromium-browser", "google-chrome"].iter().find_map(|name| {
        std::env::var_os("PATH")?.to_str()?.split(':').map(|dir| Path::new(dir).join(name)).find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("DANCU_REQUIRE_BROWSER").is_none(),
            "DANCU_REQUIRE_BROWSER is set and no chromium is installed"
        );
        eprintln!("no chromium installed: the browser test is skipped (apt-get install chromium)");
    }
    found
}

pub fn headless(browser: &Path, profile: &Path) -> Command {
    let mut command = Command::new(browser);
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--virtual-time-budget=5000",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
}

/// The page at `url` as the browser left it, once its script ran to its
/// end (it marks `data-ready`) without an error (it would mark
/// `data-errors`).
pub fn rendered_dom(browser: &Path, profile: &Path, url: &str) -> String {
    let output = headless(browser, profile).arg("--dump-dom").arg(url).output().unwrap();
    let dom = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        dom.contains("data-ready=\"1\""),
        "the script ran to its end:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        !dom.contains("data-errors="),
        "a script error: {}",
        dom.lines().find(|l| l.contains("data-errors")).unwrap_or("")
    );
    dom
}

#[test]
fn report_html_renders_in_a_browser_with_no_script_error() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let run = clean(dir.path(), "out", &[fixture("sample.csv")], &[]);
    let page = run.out.join("report/report.html");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.contains("http://") && !html.contains("https://"), "nothing is fetched from the network");
    let url = format!("file://{}", page.display());
    let dom = rendered_dom(&browser, &dir.path().join("profile"), &url);
    assert!(dom.contains("<svg id=\"dimension-chart\"") && dom.matches("<rect ").count() >= 4, "the chart");
    let headline = dom.split("id=\"headline\"").nth(1).unwrap_or("");
    assert!(headline.contains(">65<"), "the totals: records");
    let shown = dom.split("data-communes-shown=\"").nth(1).and_then(|t| t.split('"').next()).unwrap_or("0");
    assert!(shown.parse::<u32>().unwrap() > 5, "the table of every commune has rows: {shown}");
    // A picture of the page, to look at.
    let picture = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report.png");
    let status = headless(&browser, &dir.path().join("profile"))
        .arg("--window-size=1280,2400")
        .arg(format!("--screenshot={}", picture.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(picture.exists(), "{}", String::from_utf8_lossy(&status.stderr));
    eprintln!("screenshot of report.html: {}", picture.display());
}

#[test]
fn a_second_run_is_compared_with_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("sample.csv")).unwrap();
    let half = dir.path().join("half.csv");
    std::fs::write(&half, text.lines().take(30).collect::<Vec<_>>().join("\n") + "\n").unwrap();
    let first = clean(dir.path(), "out", std::slice::from_ref(&half), &[]);
    assert_eq!(first.status, 0, "{}", first.stderr);
    assert!(json(&first.out.join("report/report.json")).get("previous").is_none());
    let second = clean(dir.path(), "out", &[fixture("sample.csv")], &[]);
    assert_eq!(second.status, 0, "{}", second.stderr);
    let report = json(&second.out.join("report/report.json"));
    assert_eq!(report["previous"]["source"], "the previous run in the output folder");
    assert_eq!(report["totals"]["previous"]["records"], 29);
    assert_eq!(report["totals"]["records"], 65);
    let appeared = report["previous"]["communes"]["appeared"].as_array().unwrap();
    assert!(!appeared.is_empty(), "the second half's communes appeared");
    let manifest = stable_manifest(&second.out);
    assert_eq!(manifest["report_previous"], "the previous run in the output folder");
    let html = std::fs::read_to_string(second.out.join("report/report.html")).unwrap();
    assert!(html.contains("class=\"delta"), "changes shown");
    // --previous names another folder; one without a report is refused.
    let third =
        clean(dir.path(), "elsewhere", std::slice::from_ref(&half), &["--previous", second.out.to_str().unwrap()]);
    assert_eq!(third.status, 0, "{}", third.stderr);
    let report = json(&third.out.join("report/report.json"));
    assert_eq!(report["totals"]["previous"]["records"], 65);
    assert!(!report["previous"]["communes"]["disappeared"].as_array().unwrap().is_empty());
    let refused = clean(dir.path(), "nowhere", &[fixture("sample.csv")], &["--previous", dir.path().to_str().unwrap()]);
    assert_eq!(refused.status, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("holds no report"), "{}", refused.stderr);
}
