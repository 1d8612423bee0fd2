//! `dancu review` for real: the server started on an output folder, the API
//! spoken over a socket (token, methods, content types), decisions posted
//! and then honoured by the next `dancu clean`, including a `different`
//! that a chain of links would otherwise break; and the page opened in
//! headless Chromium.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

use super::report::{chromium, headless, rendered_dom};
use crate::support::*;

/// A small extract: rows 1-3 are copies of one man (2 has no ID, 3 a typo
/// in the name and the date swapped), which link into one person through
/// row 2; rows 4 and 5 are two strangers; rows 6 and 7 two more.
const EXTRACT: &str = "\
STT,Họ và tên,Ngày sinh,Giới tính,Số định danh cá nhân,Số điện thoại,Địa chỉ thường trú,Xã/Phường,Tỉnh/Thành phố,Họ tên cha,Họ tên mẹ
1,Lê Văn Hùng,07/03/1985,Nam,001085000123,0912345678,Thôn 1,Phường Ba Đình,Thành phố Hà Nội,Lê Văn Ba,Trần Thị Tư
2,Le Van Hung,07/03/1985,Nam,,0912345678,Thôn 1,Phường Ba Đình,Thành phố Hà Nội,Lê Văn Ba,Trần Thị Tư
3,Lê Văn Hùngg,03/07/1985,Nam,001085000123,0912345678,Thôn 1,Phường Ba Đình,Thành phố Hà Nội,Lê Văn Ba,Trần Thị Tư
4,Phạm Thị Lan,20/11/1990,Nữ,001190000456,0987654321,Số 5 Hàng Bông,Phường Hoàn Kiếm,Thành phố Hà Nội,Phạm Văn Sơn,Đỗ Thị Hoa
5,Nguyễn Thị Thu,02/02/1992,Nữ,001192000789,0977000111,Số 9 Hàng Gai,Phường Hoàn Kiếm,Thành phố Hà Nội,Nguyễn Văn Tâm,Vũ Thị Bình
6,Trần Quốc Toản,15/08/1975,Nam,001075000321,0903000222,Thôn 2,Phường Ba Đình,Thành phố Hà Nội,Trần Văn Lộc,Lê Thị Hạnh
7,Đặng Minh Khôi,30/12/1988,Nam,001088000654,0904000333,Thôn 3,Phường Ba Đình,Thành phố Hà Nội,Đặng Văn Phúc,Ngô Thị Yến
";

/// A running `dancu review` and where it listens.
struct Server {
    child: Child,
    address: String,
    token: String,
}

impl Server {
    fn start(folder: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dancu"))
            .arg("review")
            .arg(folder)
            .args(["--no-browser", "--reviewer", "Cán bộ Hà"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        let url = first.trim();
        assert!(url.starts_with("http://127.0.0.1:"), "the first line is the address: {url:?}");
        let (address, token) = url["http://".len()..].split_once("/?token=").unwrap();
        assert_eq!(token.len(), 32, "128 random bits");
        Server { child, address: address.to_string(), token: token.to_string() }
    }

    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n", self.address);
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response[9..12].parse().unwrap();
        let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_string();
        (status, body)
    }

    fn get(&self, path: &str) -> (u16, String) {
        let bearer = format!("Bearer {}", self.token);
        self.request("GET", path, &[("Authorization", &bearer)], "")
    }

    fn decide(&self, a: &str, b: &str, decision: &str) -> (u16, Value) {
        let bearer = format!("Bearer {}", self.token);
        let body = json!({"a": a, "b": b, "decision": decision, "note": "đã gặp trực tiếp"}).to_string();
        let (status, text) = self.request(
            "POST",
            "/api/decisions",
            &[("Authorization", &bearer), ("Content-Type", "application/json")],
            &body,
        );
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Stops the server as Ctrl+C would and returns what it printed.
    fn stop(mut self) -> String {
        // SAFETY: a plain signal to the child this test started.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let status = self.child.wait().unwrap();
        let mut stderr = String::new();
        self.child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        assert!(status.success(), "a stopped server exits cleanly: {stderr}");
        stderr
    }
}

/// A temporary folder holding `EXTRACT` as `extract.csv`, and its path.
fn extract_folder() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let extract = dir.path().join("extract.csv");
    std::fs::write(&extract, EXTRACT).unwrap();
    (dir, extract)
}

/// A night of one new person (in `EXTRACT`'s columns) against the master
/// in `master`, into `dir/next`; it must succeed.
fn night_of_one_stranger(dir: &Path, master: &Path) -> Run {
    let night = dir.join("night.csv");
    let header = EXTRACT.lines().next().unwrap();
    std::fs::write(
        &night,
        format!("{header}\n1,Vũ Thị Mơ,01/01/2001,Nữ,001301000999,0911222333,Thôn 4,Phường Ba Đình,Thành phố Hà Nội,Vũ Văn Hải,Lý Thị Nga\n"),
    )
    .unwrap();
    let next = clean(dir, "next", &[night], &["--master", master.to_str().unwrap()]);
    assert_eq!(next.status, 0, "{}", next.stderr);
    next
}

/// Each row's `record_id` and `person_id`, by the extract's row.
fn persons(out: &Path) -> Vec<(String, String)> {
    let (header, rows) = population(out);
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (row, record, person) = (column("row"), column("record_id"), column("person_id"));
    let mut persons: Vec<(u32, String, String)> =
        rows.iter().map(|r| (r[row].parse().unwrap(), r[record].clone(), r[person].clone())).collect();
    persons.sort();
    persons.into_iter().map(|(_, record, person)| (record, person)).collect()
}

#[test]
fn decisions_posted_through_the_api_are_honoured_by_the_next_run() {
    let (dir, extract) = extract_folder();
    let first = clean(dir.path(), "out", std::slice::from_ref(&extract), &[]);
    assert_eq!(first.status, 0, "{}", first.stderr);
    let before = persons(&first.out);
    let id = |row: usize| before[row - 1].0.clone();
    assert!(before[0].1 == before[1].1 && before[1].1 == before[2].1, "rows 1-3 are one person: {before:?}");
    assert_ne!(before[3].1, before[4].1, "rows 4 and 5 are two");

    let server = Server::start(&first.out, &[]);
    // Without the token, with a wrong one, or the wrong way: refused.
    assert_eq!(server.request("GET", "/api/pairs", &[], "").0, 401);
    assert_eq!(server.request("GET", "/", &[], "").0, 401);
    assert_eq!(server.request("GET", "/api/pairs?token=0123", &[], "").0, 401);
    let wrong = format!("Bearer {}0", server.token);
    assert_eq!(server.request("GET", "/api/pairs", &[("Authorization", &wrong)], "").0, 401);
    let bearer = format!("Bearer {}", server.token);
    let form = [("Authorization", bearer.as_str()), ("Content-Type", "application/x-www-form-urlencoded")];
    assert_eq!(server.request("POST", "/api/decisions", &form, "a=1&b=2&decision=same").0, 415, "no form posts");
    assert_eq!(server.request("GET", "/api/decisions", &[("Authorization", &bearer)], "").0, 405);
    assert_eq!(server.decide(&id(4), "R00000000000000000000", "same").0, 404, "an unknown record");
    assert_eq!(server.decide(&id(4), &id(5), "maybe").0, 400);
    let (status, page) = server.request("GET", &format!("/?token={}", server.token), &[], "");
    assert_eq!(status, 200);
    assert!(page.contains("Cùng một người") && page.contains("Hai người khác nhau"), "Vietnamese by default");

    let (status, queue) = server.get("/api/pairs");
    assert_eq!(status, 200);
    let queue: Value = serde_json::from_str(&queue).unwrap();
    let total = queue["total"].as_u64().unwrap();
    for pair in queue["pairs"].as_array().unwrap() {
        for side in ["a", "b"] {
            for key in ["record_id", "source", "row", "full_name", "raw", "cluster"] {
                assert!(pair[side].get(key).is_some(), "a record of a pair has {key}: {pair}");
            }
        }
        for key in ["match_weight", "match_probability", "decision", "levels", "reason", "reviewed"] {
            assert!(pair.get(key).is_some(), "a pair has {key}");
        }
    }

    // Rows 1 and 3 are two people (a chain through row 2 joined them),
    // rows 4 and 5 one; 6 and 7 unsure; a same on 6-7 taken back.
    assert_eq!(server.decide(&id(3), &id(1), "different").0, 200);
    assert_eq!(server.decide(&id(4), &id(5), "same").0, 200);
    assert_eq!(server.decide(&id(6), &id(7), "same").0, 200);
    assert_eq!(server.decide(&id(7), &id(6), "undo").0, 200);
    let (status, answer) = server.decide(&id(6), &id(7), "unsure");
    assert_eq!((status, answer["decided"].as_u64()), (200, Some(3)));
    let (_, queue) = server.get("/api/pairs");
    let queue: Value = serde_json::from_str(&queue).unwrap();
    assert_eq!(queue["total"].as_u64(), Some(total), "the session's decisions stay listed, marked");
    let log = server.stop();
    assert!(log.contains("5 decision(s) written"), "{log}");
    for row in 1..=7 {
        assert!(!log.contains(&id(row)), "the server prints no record content");
    }
    assert!(!log.contains("Hùng") && !log.contains("đã gặp"), "nor names or notes: {log}");
    let written = std::fs::read_to_string(first.out.join("decisions.csv")).unwrap();
    assert_eq!(written.lines().count(), 6, "a header and one line per decision, appended: {written}");
    assert!(written.contains("Cán bộ Hà") && written.contains("đã gặp trực tiếp"));

    // The next run into another folder, with --decisions.
    let decisions = dir.path().join("decisions.csv");
    std::fs::copy(first.out.join("decisions.csv"), &decisions).unwrap();
    let second =
        clean(dir.path(), "second", std::slice::from_ref(&extract), &["--decisions", decisions.to_str().unwrap()]);
    assert_eq!(second.status, 0, "{}", second.stderr);
    let after = persons(&second.out);
    assert_ne!(after[0].1, after[2].1, "rows 1 and 3 are apart, whatever chain");
    assert!(after[1].1 == after[0].1 || after[1].1 == after[2].1, "row 2 goes with one of them");
    assert_eq!(after[3].1, after[4].1, "rows 4 and 5 are one person");
    assert_ne!(after[5].1, after[6].1, "unsure and an undone same change nothing");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(second.out.join("manifest.json")).unwrap()).unwrap();
    let counts = &manifest["decisions"];
    assert_eq!(
        (counts["rows"].as_u64(), counts["pairs"].as_u64(), counts["same"].as_u64(), counts["different"].as_u64()),
        (Some(5), Some(3), Some(1), Some(1)),
        "{counts}"
    );
    assert_eq!((counts["unsure"].as_u64(), counts["no_longer_apply"].as_u64()), (Some(1), Some(0)));
    assert_eq!(
        std::fs::read_to_string(second.out.join("decisions.csv")).unwrap(),
        written,
        "the decisions are carried into the new output"
    );
    let (header, pairs) = read_csv(&second.out.join("duplicates.csv"));
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let reviewed: Vec<(&str, &str)> =
        pairs.iter().map(|p| (p[column("decision")].as_str(), p[column("reviewed")].as_str())).collect();
    assert!(reviewed.contains(&("distinct", "different")) && reviewed.contains(&("match", "same")), "{reviewed:?}");
    assert!(reviewed.iter().any(|&(_, r)| r == "unsure"), "{reviewed:?}");

    // The same folder again: its own decisions are honoured without the
    // flag, and the decided pairs are out of the queue; the unsure one is in.
    let third = clean(dir.path(), "out", std::slice::from_ref(&extract), &[]);
    assert_eq!(third.status, 0, "{}", third.stderr);
    assert_eq!(persons(&third.out), after, "the folder's own decisions, as with --decisions");
    let server = Server::start(&third.out, &["--lang", "en"]);
    let (_, queue) = server.get("/api/pairs");
    let queue: Value = serde_json::from_str(&queue).unwrap();
    assert_eq!(queue["already_decided"].as_u64(), Some(2));
    let ids: Vec<(String, String, String)> = queue["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let side = |s: &str| p[s]["record_id"].as_str().unwrap().to_string();
            (side("a"), side("b"), p["reason"].as_str().unwrap().to_string())
        })
        .collect();
    let decided_pair = |x: &str, y: &str| ids.iter().any(|(a, b, _)| (a == x && b == y) || (a == y && b == x));
    assert!(!decided_pair(&id(1), &id(3)) && !decided_pair(&id(4), &id(5)), "{ids:?}");
    assert!(ids.iter().any(|(a, b, reason)| reason == "unsure" && decided_pair(a, b)), "{ids:?}");
    let (_, page) = server.request("GET", &format!("/?token={}", server.token), &[], "");
    assert!(page.contains("Same person"), "--lang en");
    // While the page is open, no run replaces the folder.
    let blocked = clean(dir.path(), "out", std::slice::from_ref(&extract), &[]);
    assert_eq!(blocked.status, 4, "{}", blocked.stderr);
    assert!(blocked.stderr.contains("dancu review"), "{}", blocked.stderr);
    server.stop();
    let after_stop = clean(dir.path(), "out", std::slice::from_ref(&extract), &[]);
    assert_eq!(after_stop.status, 0, "a stopped server lets go of the folder: {}", after_stop.stderr);
    assert!(!after_stop.stderr.contains("took over"), "{}", after_stop.stderr);
}

#[test]
fn a_decision_on_a_record_that_is_gone_is_counted_not_applied() {
    let (dir, extract) = extract_folder();
    let decisions = dir.path().join("decisions.csv");
    std::fs::write(
        &decisions,
        "a,b,decision,reviewer,decided_at,note\nR00000000000000000001,R00000000000000000002,same,x,2026-12-05T09:00:00Z,\n",
    )
    .unwrap();
    let run = clean(dir.path(), "out", &[extract], &["--decisions", decisions.to_str().unwrap()]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(run.out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["decisions"]["no_longer_apply"].as_u64(), Some(1));
    assert_eq!(manifest["decisions"]["same"].as_u64(), Some(0));
    // A damaged file stops the run before anything is written.
    std::fs::write(&decisions, "a,b,decision,reviewer,decided_at,note\nR1,R2,maybe,x,t,\n").unwrap();
    let bad =
        clean(dir.path(), "out", &[dir.path().join("extract.csv")], &["--decisions", decisions.to_str().unwrap()]);
    assert_eq!(bad.status, 1, "{}", bad.stderr);
    assert!(bad.stderr.contains("line 2, column 3"), "{}", bad.stderr);
    let missing = clean(dir.path(), "out", &[dir.path().join("extract.csv")], &["--decisions", "no-such.csv"]);
    assert_eq!(missing.status, 2, "{}", missing.stderr);
}

#[test]
fn the_review_page_renders_in_a_browser_with_no_script_error() {
    let Some(browser) = chromium() else { return };
    let (dir, extract) = extract_folder();
    let run = clean(dir.path(), "out", &[extract], &[]);
    // An unsure pair is in every queue: the page has a pair to show.
    let first = persons(&run.out);
    std::fs::write(
        run.out.join("decisions.csv"),
        format!(
            "a,b,decision,reviewer,decided_at,note\n{},{},unsure,x,2026-12-05T09:00:00Z,\n",
            first[5].0, first[6].0
        ),
    )
    .unwrap();
    let rerun = clean(dir.path(), "out", &[dir.path().join("extract.csv")], &[]);
    assert_eq!(rerun.status, 0, "{}", rerun.stderr);
    let server = Server::start(&rerun.out, &[]);
    let url = format!("http://{}/?token={}", server.address, server.token);
    let dom = rendered_dom(&browser, &dir.path().join("profile"), &url);
    assert!(
        dom.contains(&format!("data-pair=\"{}|{}\"", first[5].0, first[6].0))
            || dom.contains(&format!("data-pair=\"{}|{}\"", first[6].0, first[5].0)),
        "the pair is shown"
    );
    assert!(dom.contains("Cùng một người") && dom.contains("Trần Quốc Toản"), "both records, in Vietnamese");
    let picture = Path::new(env!("CARGO_TARGET_TMPDIR")).join("review.png");
    let status = headless(&browser, &dir.path().join("profile"))
        .arg("--window-size=1280,1000")
        .arg(format!("--screenshot={}", picture.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(picture.exists(), "{}", String::from_utf8_lossy(&status.stderr));
    eprintln!("screenshot of the review page: {}", picture.display());
    server.stop();
}

#[test]
fn a_masters_decisions_hold_on_the_next_night_and_are_carried_into_the_new_master() {
    let (dir, extract) = extract_folder();
    let master = clean(dir.path(), "master", std::slice::from_ref(&extract), &[]);
    assert_eq!(master.status, 0, "{}", master.stderr);
    let known = persons(&master.out);
    let decisions = format!(
        "a,b,decision,reviewer,decided_at,note\n{},{},different,x,2026-12-05T09:00:00Z,\n",
        known[0].0, known[2].0
    );
    std::fs::write(master.out.join("decisions.csv"), &decisions).unwrap();
    let next = night_of_one_stranger(dir.path(), &master.out);
    let (header, rows) = population(&next.out);
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let person_of = |record: &str| {
        rows.iter().find(|r| r[column("record_id")] == record).map(|r| r[column("person_id")].clone()).unwrap()
    };
    assert_ne!(person_of(&known[0].0), person_of(&known[2].0), "the master's decision holds tonight");
    assert_eq!(std::fs::read_to_string(next.out.join("decisions.csv")).unwrap(), decisions, "and is carried");
}

/// A clerk's decision that two known persons are one merges them on the
/// next night: the older ID survives on every record of both, the other is
/// retired in identity.json and has no golden record in the master's
/// persons, and changes.csv says so.
#[test]
fn a_night_merges_two_known_persons_into_the_older_id() {
    let (dir, extract) = extract_folder();
    let master = clean(dir.path(), "master", std::slice::from_ref(&extract), &[]);
    assert_eq!(master.status, 0, "{}", master.stderr);
    let known = persons(&master.out);
    let (lan, thu) = (&known[3], &known[4]);
    assert_ne!(lan.1, thu.1, "two persons in the master");
    std::fs::write(
        master.out.join("decisions.csv"),
        format!("a,b,decision,reviewer,decided_at,note\n{},{},same,x,2026-12-05T09:00:00Z,\n", lan.0, thu.0),
    )
    .unwrap();
    let next = night_of_one_stranger(dir.path(), &master.out);
    let (survivor, retired) = if lan.1 < thu.1 { (&lan.1, &thu.1) } else { (&thu.1, &lan.1) };
    let after = persons(&next.out);
    let person_of = |record: &str| after.iter().find(|(r, _)| r == record).map(|(_, p)| p.clone()).unwrap();
    assert_eq!((person_of(&lan.0), person_of(&thu.0)), (survivor.clone(), survivor.clone()));
    let ledger: Value =
        serde_json::from_str(&std::fs::read_to_string(next.out.join("identity.json")).unwrap()).unwrap();
    assert_eq!(ledger["retired"][retired.as_str()], json!(survivor));
    let (header, golden) = current_persons(&next.out);
    let (id, records) =
        (header.iter().position(|h| h == "person_id").unwrap(), header.iter().position(|h| h == "records").unwrap());
    assert!(golden.iter().all(|p| &p[id] != retired), "a retired person has no golden record");
    let merged = golden.iter().find(|p| &p[id] == survivor).unwrap();
    assert_eq!(merged[records], "2");
    let changes = std::fs::read_to_string(next.out.join("changes.csv")).unwrap();
    assert!(changes.contains(&format!(",merged,{retired},{survivor},")), "{changes}");
}

#[test]
fn a_decision_made_before_a_record_was_corrected_no_longer_applies() {
    // A keyed register: its rows keep their record_id when corrected.
    let keyed = |text: &str| -> String {
        text.lines()
            .enumerate()
            .map(|(i, line)| if i == 0 { format!("{line},Mã hồ sơ") } else { format!("{line},HS-{i}") })
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    };
    let dir = tempfile::tempdir().unwrap();
    let extract = dir.path().join("extract.csv");
    std::fs::write(&extract, keyed(EXTRACT)).unwrap();
    let master = clean(dir.path(), "master", std::slice::from_ref(&extract), &[]);
    assert_eq!(master.status, 0, "{}", master.stderr);
    let known = persons(&master.out);
    // Decided the day before the night that corrects row 4.
    std::fs::write(
        master.out.join("decisions.csv"),
        format!("a,b,decision,reviewer,decided_at,note\n{},{},same,x,2025-12-31T09:00:00Z,\n", known[3].0, known[4].0),
    )
    .unwrap();
    let header = keyed(EXTRACT).lines().next().unwrap().to_string();
    let corrected = keyed(EXTRACT).lines().nth(4).unwrap().replace("0987654321", "0987654320");
    let night = dir.path().join("night.csv");
    std::fs::write(&night, format!("{header}\n{corrected}\n")).unwrap();
    let master_arg = master.out.to_str().unwrap().to_string();
    let next = clean(dir.path(), "next", &[night], &["--master", &master_arg]);
    assert_eq!(next.status, 0, "{}", next.stderr);
    let changes = std::fs::read_to_string(next.out.join("changes.csv")).unwrap();
    assert!(
        changes.lines().any(|l| l.contains(",record_updated,") && l.ends_with(known[3].0.as_str())),
        "row 4 is corrected tonight: {changes}"
    );
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(next.out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["decisions"]["record_corrected"].as_u64(), Some(1), "{}", manifest["decisions"]);
    assert_eq!(manifest["decisions"]["same"].as_u64(), Some(0));
    let after = persons(&next.out);
    let person_of = |record: &str| after.iter().find(|(r, _)| r == record).map(|(_, p)| p.clone()).unwrap();
    assert_ne!(person_of(&known[3].0), person_of(&known[4].0), "the old decision does not join them");
}
