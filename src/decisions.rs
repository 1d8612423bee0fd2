//! What clerks decided about pairs of records, kept as `decisions.csv`:
//! one row per decision, appended and never rewritten, a later decision on
//! the same pair winning. `dancu review` appends to it; `dancu clean` reads
//! it (from `--decisions`, the master and the output folder's own run) and
//! clusters by it: `same` is a must-link, `different` a cannot-link.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;

use crate::error::{Error, Result};
use crate::message::shown_path;

/// The columns of `decisions.csv`, in order.
pub const HEADER: [&str; 6] = ["a", "b", "decision", "reviewer", "decided_at", "note"];

/// The file's name in an output folder.
pub const FILE: &str = "decisions.csv";

/// What a clerk said of a pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    /// One person: the records are clustered together whatever their weight.
    Same,
    /// Two people: no chain of other pairs puts them in one cluster.
    Different,
    /// Not sure: the pair stays in review.
    Unsure,
    /// Withdraws the pair's earlier decision (the page's undo).
    Undo,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Same => "same",
            Verdict::Different => "different",
            Verdict::Unsure => "unsure",
            Verdict::Undo => "undo",
        }
    }

    pub fn parse(text: &str) -> Option<Verdict> {
        match text {
            "same" => Some(Verdict::Same),
            "different" => Some(Verdict::Different),
            "unsure" => Some(Verdict::Unsure),
            "undo" => Some(Verdict::Undo),
            _ => None,
        }
    }
}

/// One row of `decisions.csv`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Decision {
    /// The `record_id`s of the pair, as the clerk's page sent them.
    pub a: String,
    pub b: String,
    pub verdict: Verdict,
    pub reviewer: String,
    /// UTC, `2026-12-05T09:30:00Z`.
    pub decided_at: String,
    pub note: String,
}

impl Decision {
    /// The pair whatever the order its records were named in.
    pub fn pair(&self) -> (&str, &str) {
        pair_key(&self.a, &self.b)
    }

    fn cells(&self) -> [&str; 6] {
        [&self.a, &self.b, self.verdict.label(), &self.reviewer, &self.decided_at, &self.note]
    }
}

/// A pair of `record_id`s in one order.
pub fn pair_key<'a>(a: &'a str, b: &'a str) -> (&'a str, &'a str) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

/// Whether the file at `path` starts with the header of a `decisions.csv`
/// (a file of the same name a user keeps for themselves does not).
pub fn is_decisions_file(path: &Path) -> bool {
    use std::io::BufRead;
    let Ok(file) = std::fs::File::open(path) else { return false };
    let mut first = String::new();
    let _ = std::io::BufReader::new(file).take(4096).read_line(&mut first);
    first.trim_start_matches('\u{feff}').trim_end() == HEADER.join(",")
}

/// Reads a `decisions.csv`; a row that is not a decision is an error that
/// names its line, since a lost decision would bring its pair back.
pub fn read(path: &Path) -> Result<Vec<Decision>> {
    let shown = shown_path(path);
    let bad = |message: String| Error::InputFormat { path: path.to_path_buf(), message };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| bad(format!("cannot be read ({e}); pass the decisions.csv that `dancu review` wrote")))?;
    let header = reader.headers().map_err(|e| bad(format!("has no header ({e})")))?.clone();
    if header.iter().collect::<Vec<_>>() != HEADER {
        return Err(bad(format!(
            "line 1: the header is not `{}`; {shown} is not a decisions.csv of dancu",
            HEADER.join(",")
        )));
    }
    let mut decisions = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let line = i + 2;
        let row = row.map_err(|e| bad(format!("line {line}: {e}")))?;
        if row.len() != HEADER.len() {
            return Err(bad(format!("line {line}: {} cells where a decision has {}", row.len(), HEADER.len())));
        }
        let verdict = Verdict::parse(&row[2]).ok_or_else(|| {
            bad(format!("line {line}, column 3: the decision is not one of same, different, unsure, undo"))
        })?;
        if row[0].is_empty() || row[1].is_empty() || row[0] == row[1] {
            return Err(bad(format!("line {line}: a decision names two different records in columns 1 and 2")));
        }
        decisions.push(Decision {
            a: row[0].to_string(),
            b: row[1].to_string(),
            verdict,
            reviewer: crate::output::excel_safe::unguard(&row[3]).to_string(),
            decided_at: row[4].to_string(),
            note: crate::output::excel_safe::unguard(&row[5]).to_string(),
        });
    }
    Ok(decisions)
}

/// Each pair's decision in force: the latest one on it (by `decided_at`,
/// then by place in the file), unless that is an undo, which leaves the
/// pair undecided.
pub fn in_force(decisions: &[Decision]) -> BTreeMap<(&str, &str), &Decision> {
    let mut latest: BTreeMap<(&str, &str), &Decision> = BTreeMap::new();
    for decision in decisions {
        let slot = latest.entry(decision.pair()).or_insert(decision);
        if decision.decided_at >= slot.decided_at {
            *slot = decision;
        }
    }
    latest.retain(|_, decision| decision.verdict != Verdict::Undo);
    latest
}

/// The decisions of several files (a master's, an output folder's own,
/// `--decisions`), in that order, each row once: the same folder named
/// twice, or a file copied into another, adds nothing.
pub fn gather(files: &[std::path::PathBuf]) -> Result<Vec<Decision>> {
    let mut seen = std::collections::HashSet::new();
    let mut all = Vec::new();
    for file in files {
        for decision in read(file)? {
            if seen.insert(decision.clone()) {
                all.push(decision);
            }
        }
    }
    Ok(all)
}

/// The night each record was last corrected (`record_updated` in
/// `changes.csv`), by `record_id`: a decision made before a record was
/// corrected was made on other content.
pub type Corrections = std::collections::HashMap<String, String>;

/// Adds a correction of `record_id` on `night` (the later night kept).
pub fn note_correction(corrections: &mut Corrections, record_id: &str, night: &str) {
    let slot = corrections.entry(record_id.to_string()).or_default();
    if night > slot.as_str() {
        *slot = night.to_string();
    }
}

/// The corrections a `changes.csv`'s rows (`night,change,person_id,
/// other_person_id,record_id`) record.
pub fn corrections_in(rows: &[Vec<String>]) -> Corrections {
    let mut corrections = Corrections::new();
    for row in rows.iter().filter(|r| r.len() == 5 && r[1] == "record_updated") {
        note_correction(&mut corrections, &row[4], &row[0]);
    }
    corrections
}

/// Whether `decision` was made on the records as they are: not before the
/// night either of them was last corrected.
pub fn still_applies(decision: &Decision, corrections: &Corrections) -> bool {
    let day = decision.decided_at.get(..10).unwrap_or(&decision.decided_at);
    [&decision.a, &decision.b].iter().all(|id| corrections.get(id.as_str()).is_none_or(|night| day >= night.as_str()))
}

/// One line of the file, as CSV; cells a spreadsheet would run as a
/// formula are guarded.
fn line(decision: &Decision) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let cells = decision.cells().map(crate::output::excel_safe::excel_safe);
    // Writing to memory cannot fail.
    let _ = writer.write_record(cells.iter().map(|c| c.as_ref()));
    writer.into_inner().unwrap_or_default()
}

/// Appends one decision to the file at `path` (made with its header when
/// missing) and waits until it is on disk: a crash loses at most the
/// decision being written.
pub fn append(path: &Path, decision: &Decision) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    let mut bytes = Vec::new();
    if file.metadata()?.len() == 0 {
        bytes.extend_from_slice(HEADER.join(",").as_bytes());
        bytes.push(b'\n');
    }
    bytes.extend_from_slice(&line(decision));
    // One write of a whole line: an interrupted append leaves at most a
    // partial last line, which `read` reports by its number.
    file.write_all(&bytes)?;
    file.sync_data()
}

/// Writes `decisions` as a whole file (an output set's carried copy).
pub fn write_all(path: &Path, decisions: &[Decision]) -> Result<()> {
    let mut bytes = HEADER.join(",").into_bytes();
    bytes.push(b'\n');
    for decision in decisions {
        bytes.extend_from_slice(&line(decision));
    }
    crate::output::atomic::write_bytes(path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(a: &str, b: &str, verdict: Verdict, note: &str) -> Decision {
        Decision {
            a: a.into(),
            b: b.into(),
            verdict,
            reviewer: "cán bộ A".into(),
            decided_at: "2026-12-05T09:30:00Z".into(),
            note: note.into(),
        }
    }

    #[test]
    fn appended_decisions_read_back_the_same_and_the_last_on_a_pair_wins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        let written = [
            decision("R1", "R2", Verdict::Same, "cùng CCCD, \"khác\" tên đệm"),
            decision("R3", "R4", Verdict::Different, "=HYPERLINK(\"x\")"),
            decision("R2", "R1", Verdict::Different, "xem lại, nhiều dòng\nghi chú"),
            decision("R5", "R6", Verdict::Unsure, ""),
            decision("R6", "R5", Verdict::Undo, ""),
        ];
        for d in &written {
            append(&path, d).unwrap();
        }
        let read_back = read(&path).unwrap();
        assert_eq!(read_back, written);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("'=HYPERLINK"), "a formula is guarded in the file: {text}");
        let force = in_force(&read_back);
        assert_eq!(force.len(), 2, "the undo leaves R5-R6 undecided");
        assert_eq!(force[&("R1", "R2")].verdict, Verdict::Different);
        assert_eq!(force[&("R3", "R4")].verdict, Verdict::Different);
    }

    #[test]
    fn a_decision_older_than_a_correction_of_its_records_no_longer_applies() {
        let rows = vec![
            vec!["2026-12-04".into(), "record_updated".into(), "P1".into(), "".into(), "R1".into()],
            vec!["2026-12-06".into(), "record_updated".into(), "P1".into(), "".into(), "R1".into()],
            vec!["2026-12-07".into(), "record_added".into(), "P2".into(), "".into(), "R2".into()],
        ];
        let corrections = corrections_in(&rows);
        assert_eq!(corrections["R1"], "2026-12-06");
        assert!(!corrections.contains_key("R2"), "an addition is no correction");
        assert!(
            !still_applies(&decision("R1", "R2", Verdict::Same, ""), &corrections),
            "decided 12-05, corrected 12-06"
        );
        assert!(still_applies(&decision("R3", "R2", Verdict::Same, ""), &corrections));
        let mut later = decision("R2", "R1", Verdict::Same, "");
        later.decided_at = "2026-12-06T10:00:00Z".into();
        assert!(still_applies(&later, &corrections), "decided on the night of the correction");
    }

    #[test]
    fn a_damaged_file_is_refused_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        std::fs::write(&path, "a,b,decision,reviewer,decided_at,note\nR1,R2,same,x,t,\nR1,R3,maybe,x,t,\n").unwrap();
        let message = read(&path).unwrap_err().to_string();
        assert!(message.contains("line 3, column 3"), "{message}");
        std::fs::write(&path, "a,b,decision\nR1,R2,same\n").unwrap();
        assert!(read(&path).unwrap_err().to_string().contains("line 1"));
        std::fs::write(&path, "a,b,decision,reviewer,decided_at,note\nR1,R1,same,x,t,\n").unwrap();
        assert!(read(&path).unwrap_err().to_string().contains("line 2"));
    }
}
