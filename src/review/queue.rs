//! The queue of pairs a clerk reviews, read from an output folder: the
//! `review` band of `duplicates.csv` first, then `match` pairs the ID guard
//! let through as one typing error, then pairs that share an ID but were
//! not linked (`ID_SHARED`), then pairs decided `unsure`; pairs already
//! decided `same` or `different` are not in it. Each pair carries both
//! records (values and originals), the match weight waterfall and the rest
//! of each record's person.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde_json::{json, Map, Value};

use crate::decisions::{self, Verdict};
use crate::error::{Error, Result};
use crate::output::excel_safe::unguard;

/// The fields shown side by side, in order: those a clerk compares.
pub const SHOWN_FIELDS: [&str; 15] = [
    "full_name",
    "birth_date",
    "sex",
    "citizen_id",
    "old_id",
    "phone",
    "father_name",
    "mother_name",
    "address",
    "commune_name",
    "province_name",
    "ethnicity",
    "household_id",
    "relation_to_head",
    "record_key",
];

/// Fields shown for the other records of a person.
const MEMBER_FIELDS: [&str; 4] = ["full_name", "birth_date", "citizen_id", "commune_name"];

/// Records of a person shown beside a pair, at most.
const MEMBERS_SHOWN: usize = 20;

/// Why a pair is in the queue, in the queue's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// Between the review and the match threshold.
    Review,
    /// Linked although the IDs differ: the guard took it for one typing error.
    IdTypo,
    /// One ID on two records that were not linked.
    IdShared,
    /// Decided `unsure` before: back for a second look.
    Unsure,
}

impl Reason {
    pub fn key(self) -> &'static str {
        match self {
            Reason::Review => "review",
            Reason::IdTypo => "id_typo",
            Reason::IdShared => "id_shared",
            Reason::Unsure => "unsure",
        }
    }
}

/// One pair of the queue, as the API sends it (`reviewed` is added from
/// the session's decisions when it is sent).
pub struct QueuedPair {
    pub a: String,
    pub b: String,
    pub commune: String,
    pub json: Value,
}

/// The queue of an output folder and the record IDs it holds.
pub struct Queue {
    pub pairs: Vec<QueuedPair>,
    /// Every `record_id` of the folder: a decision must name two of them.
    pub record_ids: HashSet<String>,
    /// Pairs left out because a decision in force settles them.
    pub already_decided: usize,
    /// The communes of the queue: code, name, pairs.
    pub communes: Vec<(String, String, usize)>,
}

/// A CSV file of an output folder, read by column name.
struct Table {
    columns: HashMap<String, usize>,
    reader: csv::Reader<std::fs::File>,
    path: std::path::PathBuf,
}

impl Table {
    fn open(folder: &Path, name: &str) -> Result<Table> {
        let path = folder.join(name);
        let mut reader =
            csv::ReaderBuilder::new().flexible(false).from_path(&path).map_err(|e| Error::InputFormat {
                path: path.clone(),
                message: format!("cannot be read ({e}); `dancu review` opens the output folder of `dancu clean`"),
            })?;
        let header = reader
            .headers()
            .map_err(|e| Error::InputFormat { path: path.clone(), message: format!("line 1: {e}") })?
            .clone();
        // A byte-order mark may open the header.
        let columns =
            header.iter().enumerate().map(|(i, name)| (name.trim_start_matches('\u{feff}').to_string(), i)).collect();
        Ok(Table { columns, reader, path })
    }

    fn column(&self, name: &str) -> Result<usize> {
        self.columns.get(name).copied().ok_or_else(|| Error::InputFormat {
            path: self.path.clone(),
            message: format!("has no `{name}` column: it was written by an older dancu; run `dancu clean` again"),
        })
    }

    /// Every row; a row that cannot be read is an error naming its line.
    fn rows(&mut self) -> impl Iterator<Item = Result<csv::StringRecord>> + '_ {
        let path = &self.path;
        self.reader.records().enumerate().map(move |(i, row)| {
            row.map_err(|e| Error::InputFormat {
                path: path.clone(),
                message: format!("line {}: {e}; the output folder is damaged: run `dancu clean` again", i + 2),
            })
        })
    }
}

/// A pair of `duplicates.csv` that may go in the queue.
struct Candidate {
    a: String,
    b: String,
    reason: Reason,
    match_weight: f64,
    match_probability: f64,
    decision: String,
    levels: Vec<(String, String, f64)>,
}

/// Reads the queue of the output folder `folder`.
pub fn load(folder: &Path) -> Result<Queue> {
    let decisions_path = folder.join(decisions::FILE);
    let decisions = if decisions_path.is_file() { decisions::read(&decisions_path)? } else { Vec::new() };
    let corrections = corrections(folder)?;
    let mut in_force = decisions::in_force(&decisions);
    // A decision made before one of its records was corrected is on other
    // content: the pair comes back.
    in_force.retain(|_, decision| decisions::still_applies(decision, &corrections));
    let (candidates, already_decided) = candidates(folder, &in_force)?;
    let wanted: HashSet<&str> = candidates.iter().flat_map(|c| [c.a.as_str(), c.b.as_str()]).collect();

    // First pass: every record ID, and the rows and persons of the pairs.
    let mut records = Table::open(folder, "records.csv")?;
    let record_id = records.column("record_id")?;
    let person_id = records.column("person_id")?;
    let columns = records.columns.clone();
    let mut record_ids = HashSet::new();
    let mut rows: HashMap<String, csv::StringRecord> = HashMap::new();
    let mut persons: HashSet<String> = HashSet::new();
    for row in records.rows() {
        let row = row?;
        let id = row.get(record_id).unwrap_or("");
        if wanted.contains(id) {
            persons.insert(row.get(person_id).unwrap_or("").to_string());
            rows.insert(id.to_string(), row.clone());
        }
        record_ids.insert(id.to_string());
    }
    // Second pass: the other records of those persons.
    let mut members: HashMap<String, Vec<Value>> = HashMap::new();
    let mut records = Table::open(folder, "records.csv")?;
    let member_columns: Vec<(&str, Option<usize>)> =
        MEMBER_FIELDS.iter().map(|&f| (f, records.columns.get(f).copied())).collect();
    let (source, row_number) = (records.column("source")?, records.column("row")?);
    for row in records.rows() {
        let row = row?;
        let person = row.get(person_id).unwrap_or("");
        if !persons.contains(person) {
            continue;
        }
        let list = members.entry(person.to_string()).or_default();
        if list.len() < MEMBERS_SHOWN + 2 {
            let mut member = Map::new();
            member.insert("record_id".into(), row.get(record_id).unwrap_or("").into());
            member.insert("source".into(), unguard(row.get(source).unwrap_or("")).into());
            member.insert("row".into(), row.get(row_number).unwrap_or("").into());
            for (field, column) in &member_columns {
                let value = column.and_then(|c| row.get(c)).map_or("", unguard);
                member.insert((*field).into(), value.into());
            }
            list.push(Value::Object(member));
        }
    }

    let record_json = |id: &str, other: &str| -> Value {
        let Some(row) = rows.get(id) else { return json!({ "record_id": id }) };
        let cell = |name: &str| records_cell(&columns, row, name);
        let mut record = Map::new();
        record.insert("record_id".into(), id.into());
        record.insert("source".into(), cell("source").into());
        record.insert("row".into(), cell("row").into());
        record.insert("person_id".into(), cell("person_id").into());
        record.insert("is_primary".into(), (cell("is_primary") == "true").into());
        let mut raw = Map::new();
        for field in SHOWN_FIELDS {
            record.insert(field.into(), cell(field).into());
            raw.insert(field.into(), cell(&format!("{field}_raw")).into());
        }
        record.insert("raw".into(), Value::Object(raw));
        record.insert("issues".into(), cell("issues").into());
        let person = cell("person_id");
        let cluster: Vec<Value> = members
            .get(person.as_str())
            .map(|list| {
                list.iter()
                    .filter(|m| m["record_id"] != id && m["record_id"] != other)
                    .take(MEMBERS_SHOWN)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        record.insert("cluster".into(), Value::Array(cluster));
        Value::Object(record)
    };

    let mut communes: HashMap<(String, String), usize> = HashMap::new();
    let pairs: Vec<QueuedPair> = candidates
        .into_iter()
        .map(|c| {
            let a = record_json(&c.a, &c.b);
            let b = record_json(&c.b, &c.a);
            let commune = a.get("commune_name").and_then(Value::as_str).unwrap_or("").to_string();
            let commune_code =
                rows.get(&c.a).map(|row| records_cell(&columns, row, "commune_code")).unwrap_or_default();
            *communes.entry((commune_code.clone(), commune)).or_insert(0) += 1;
            let weights: f64 = c.levels.iter().map(|l| l.2).sum();
            let levels: Vec<Value> = c
                .levels
                .iter()
                .map(|(comparison, level, weight)| json!({"comparison": comparison, "level": level, "weight": weight}))
                .collect();
            let json = json!({
                "a": a,
                "b": b,
                "match_weight": c.match_weight,
                "match_probability": c.match_probability,
                "decision": c.decision,
                "reason": c.reason.key(),
                "prior": ((c.match_weight - weights) * 100.0).round() / 100.0,
                "levels": levels,
            });
            QueuedPair { a: c.a, b: c.b, commune: commune_code, json }
        })
        .collect();
    let mut communes: Vec<(String, String, usize)> = communes.into_iter().map(|((c, n), k)| (c, n, k)).collect();
    communes.sort();
    Ok(Queue { pairs, record_ids, already_decided, communes })
}

/// The corrections `changes.csv` records, when the folder has one.
fn corrections(folder: &Path) -> Result<decisions::Corrections> {
    if !folder.join("changes.csv").is_file() {
        return Ok(decisions::Corrections::new());
    }
    let mut table = Table::open(folder, "changes.csv")?;
    let (night, change, record) = (table.column("night")?, table.column("change")?, table.column("record_id")?);
    let mut corrections = decisions::Corrections::new();
    for row in table.rows() {
        let row = row?;
        if row.get(change) == Some("record_updated") {
            decisions::note_correction(&mut corrections, row.get(record).unwrap_or(""), row.get(night).unwrap_or(""));
        }
    }
    Ok(corrections)
}

/// A cell of a records.csv row by column name, the spreadsheet guard off.
fn records_cell(columns: &HashMap<String, usize>, row: &csv::StringRecord, name: &str) -> String {
    columns.get(name).and_then(|&i| row.get(i)).map_or("", unguard).to_string()
}

/// The pairs of `duplicates.csv` that belong in the queue, in its order,
/// and how many a decision in force already settles.
fn candidates(
    folder: &Path,
    in_force: &std::collections::BTreeMap<(&str, &str), &decisions::Decision>,
) -> Result<(Vec<Candidate>, usize)> {
    let mut table = Table::open(folder, "duplicates.csv")?;
    let (a, b) = (table.column("record_id_a")?, table.column("record_id_b")?);
    let weight = table.column("match_weight")?;
    let probability = table.column("match_probability")?;
    let decision = table.column("decision")?;
    // The comparisons: every `NAME` column with a `NAME_weight` beside it.
    let mut comparisons: Vec<(String, usize, usize)> = table
        .columns
        .iter()
        .filter_map(|(name, &i)| {
            let w = *table.columns.get(&format!("{name}_weight"))?;
            (name != "match").then(|| (name.clone(), i, w))
        })
        .collect();
    comparisons.sort_by_key(|c| c.1);
    let id_level = comparisons.iter().find(|c| c.0 == "citizen_id").map(|c| c.1);
    let mut chosen = Vec::new();
    let mut already_decided = 0;
    for row in table.rows() {
        let row = row?;
        let cell = |i: usize| row.get(i).unwrap_or("");
        let (ra, rb) = (cell(a).to_string(), cell(b).to_string());
        let id = id_level.map_or("", |i| cell(i));
        let band = cell(decision);
        let verdict = in_force.get(&decisions::pair_key(&ra, &rb)).map(|d| d.verdict);
        let reason = match (verdict, band) {
            (Some(Verdict::Same | Verdict::Different), _) => {
                already_decided += 1;
                continue;
            }
            (Some(Verdict::Unsure), _) => Reason::Unsure,
            (_, "review") => Reason::Review,
            (_, "match") if !matches!(id, "exact" | "null" | "") => Reason::IdTypo,
            (_, "distinct") if id == "exact" => Reason::IdShared,
            _ => continue,
        };
        let number = |i: usize| cell(i).parse::<f64>().unwrap_or(0.0);
        chosen.push(Candidate {
            a: ra,
            b: rb,
            reason,
            match_weight: number(weight),
            match_probability: number(probability),
            decision: band.to_string(),
            levels: comparisons.iter().map(|(name, l, w)| (name.clone(), cell(*l).to_string(), number(*w))).collect(),
        });
    }
    // Most uncertain first: the review band nearest the match threshold
    // (highest weight), linked typos nearest the threshold (lowest).
    chosen.sort_by(|x, y| {
        let toward_threshold = |c: &Candidate| match c.reason {
            Reason::IdTypo => c.match_weight,
            _ => -c.match_weight,
        };
        x.reason
            .cmp(&y.reason)
            .then(toward_threshold(x).total_cmp(&toward_threshold(y)))
            .then_with(|| (&x.a, &x.b).cmp(&(&y.a, &y.b)))
    });
    Ok((chosen, already_decided))
}
