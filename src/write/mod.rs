//! The last stage: writes every output of the contract into the output
//! folder, each file atomically, CSV cells made safe for spreadsheets.

pub mod manifest;
mod parquet;

pub use parquet::{current_frame, keys_frame, write_groups, write_records_part, ROWS_PER_GROUP};

use std::borrow::Cow;
use std::path::Path;

use crate::error::Error;
use crate::finding::{Finding, Severities};
use crate::identity::golden::{GoldenRecords, PERSON_FIELDS};
use crate::identity::{person_id, Ledger, PersonChange, PersonNumber, RecordChange};
use crate::link::{compare::COMPARISONS, level_name, Linkage};
use crate::normalize::Normalized;
use crate::output::csv::{write_csv, write_csv_rows};
use crate::read::Extract;
use crate::record::{Field, ADDRESS_PARTS};

/// Everything the pipeline produced, as the writers need it.
pub struct RunOutput<'a> {
    pub extract: &'a Extract,
    pub normalized: &'a [Normalized],
    pub linkage: &'a Linkage,
    pub severities: &'a Severities,
    /// Each record's `record_id`.
    pub record_ids: &'a [String],
    /// The person of each cluster of `linkage`.
    pub persons: &'a [PersonNumber],
    /// What each column of the records table holds, in order.
    columns: Vec<RecordColumn>,
    /// The records the CSV files show: all, or a night's (see
    /// [`RunOutput::showing`]).
    shown: Option<Shown>,
}

/// What a night's CSV files hold, by record.
struct Shown {
    /// Records first seen or corrected tonight.
    tonight: Vec<bool>,
    /// Tonight's records and the known records in a pair with one of them.
    records: Vec<bool>,
}

/// One column of the records table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RecordColumn {
    Source,
    Row,
    RecordId,
    Value(Field),
    Raw(Field),
    /// A carried column: its cell, repaired where it was in a legacy
    /// encoding.
    Extra(usize),
    /// The original of a carried column some of whose cells were repaired.
    ExtraRaw(usize),
    PersonId,
    IsPrimary,
    Issues,
}

impl<'a> RunOutput<'a> {
    pub fn new(
        extract: &'a Extract,
        normalized: &'a [Normalized],
        linkage: &'a Linkage,
        severities: &'a Severities,
        record_ids: &'a [String],
        persons: &'a [PersonNumber],
    ) -> RunOutput<'a> {
        let mut repaired = vec![false; extract.extra_columns.len()];
        for cell in normalized.iter().filter_map(|n| n.repaired_extras.as_deref()).flatten() {
            repaired[cell.slot as usize] = true;
        }
        let mut columns = vec![RecordColumn::Source, RecordColumn::Row, RecordColumn::RecordId];
        for field in Field::ALL {
            columns.extend([RecordColumn::Value(field), RecordColumn::Raw(field)]);
        }
        for (slot, &repaired) in repaired.iter().enumerate() {
            columns.push(RecordColumn::Extra(slot));
            if repaired {
                columns.push(RecordColumn::ExtraRaw(slot));
            }
        }
        columns.extend([RecordColumn::PersonId, RecordColumn::IsPrimary, RecordColumn::Issues]);
        RunOutput { extract, normalized, linkage, severities, record_ids, persons, columns, shown: None }
    }

    /// This output, its CSV files showing only `tonight`'s records, the
    /// known records in a pair with one of them (records.csv, issues.csv),
    /// those pairs (duplicates.csv) and tonight's persons (persons.csv).
    pub fn showing(mut self, tonight: &[bool]) -> RunOutput<'a> {
        let mut records = tonight.to_vec();
        for pair in &self.linkage.pairs {
            if tonight[pair.a as usize] || tonight[pair.b as usize] {
                records[pair.a as usize] = true;
                records[pair.b as usize] = true;
            }
        }
        self.shown = Some(Shown { tonight: tonight.to_vec(), records });
        self
    }

    /// Whether the CSV files show record `i`.
    fn shows(&self, i: usize) -> bool {
        self.shown.as_ref().is_none_or(|s| s.records[i])
    }

    /// Whether duplicates.csv shows the pair of records `a` and `b`.
    fn shows_pair(&self, a: u32, b: u32) -> bool {
        self.shown.as_ref().is_none_or(|s| s.tonight[a as usize] || s.tonight[b as usize])
    }

    /// The records the CSV files show, in order.
    fn shown_records(&self) -> Vec<usize> {
        (0..self.normalized.len()).filter(|&i| self.shows(i)).collect()
    }

    /// The `source` and `row` of record `i`: the file and row it was read
    /// from, or, for a record of a cleaned file, where it first came from.
    fn provenance(&self, i: usize) -> (Cow<'_, str>, Cow<'_, str>) {
        let raw = &self.extract.records[i];
        match &raw.origin {
            Some(origin) => (Cow::Borrowed(&*origin.source), Cow::Borrowed(&*origin.row)),
            None => {
                (Cow::Borrowed(self.extract.inputs[raw.source as usize].name.as_str()), Cow::Owned(raw.row.to_string()))
            }
        }
    }

    /// The records table's header: source and row, each field beside its
    /// original, the carried columns (a repaired one beside its original,
    /// `<header>_raw`), then the linkage columns.
    pub fn record_columns(&self) -> Vec<String> {
        self.columns
            .iter()
            .map(|column| match *column {
                RecordColumn::Source => "source".to_string(),
                RecordColumn::Row => "row".to_string(),
                RecordColumn::RecordId => "record_id".to_string(),
                RecordColumn::Value(field) => field.name().to_string(),
                RecordColumn::Raw(field) => format!("{}_raw", field.name()),
                RecordColumn::Extra(slot) => self.extract.extra_columns[slot].clone(),
                RecordColumn::ExtraRaw(slot) => format!("{}_raw", self.extract.extra_columns[slot]),
                RecordColumn::PersonId => "person_id".to_string(),
                RecordColumn::IsPrimary => "is_primary".to_string(),
                RecordColumn::Issues => "issues".to_string(),
            })
            .collect()
    }

    /// The cells of record `i`, in [`Self::record_columns`] order.
    pub fn record_cells(&self, i: usize) -> Vec<Cow<'_, str>> {
        (0..self.columns.len()).map(|column| self.record_cell(i, column)).collect()
    }

    /// The `person_id` of record `i`.
    pub fn person_id(&self, i: usize) -> String {
        person_id(self.persons[self.linkage.cluster[i] as usize])
    }

    /// How column `column` of [`Self::record_columns`] is stored in Parquet.
    fn record_column_kind(&self, column: usize) -> parquet::Kind {
        match self.columns[column] {
            RecordColumn::Row => parquet::Kind::Integer,
            RecordColumn::IsPrimary => parquet::Kind::Flag,
            _ => parquet::Kind::Text,
        }
    }

    pub fn record_column_count(&self) -> usize {
        self.columns.len()
    }

    /// The cell of record `i` in column `column` of [`Self::record_columns`].
    pub fn record_cell(&self, i: usize, column: usize) -> Cow<'_, str> {
        let raw = &self.extract.records[i];
        let normalized = &self.normalized[i];
        let carried = |slot: usize| raw.extras.get(slot).map_or("", |c| c);
        match self.columns[column] {
            RecordColumn::Source => self.provenance(i).0,
            RecordColumn::Row => self.provenance(i).1,
            RecordColumn::RecordId => Cow::Borrowed(&self.record_ids[i]),
            RecordColumn::Value(field) => Cow::Borrowed(normalized.values.get(field)),
            RecordColumn::Raw(field) => Cow::Borrowed(raw.values.get(field)),
            RecordColumn::Extra(slot) => {
                let repaired = normalized
                    .repaired_extras
                    .as_deref()
                    .and_then(|cells| cells.iter().find(|cell| cell.slot as usize == slot).map(|cell| &*cell.text));
                Cow::Borrowed(repaired.unwrap_or_else(|| carried(slot)))
            }
            RecordColumn::ExtraRaw(slot) => Cow::Borrowed(carried(slot)),
            RecordColumn::PersonId => Cow::Owned(self.person_id(i)),
            RecordColumn::IsPrimary => Cow::Borrowed(if self.linkage.is_primary[i] { "true" } else { "false" }),
            RecordColumn::Issues => Cow::Owned(issue_codes(&normalized.findings)),
        }
    }
}

/// The `issues` column: each code once, in the order found.
fn issue_codes(findings: &[Finding]) -> String {
    let mut codes: Vec<&str> = Vec::new();
    for finding in findings {
        let code = finding.code.as_str();
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    codes.join(";")
}

pub fn write_records_csv(out: &Path, run: &RunOutput) -> Result<(), Error> {
    let columns = run.record_columns();
    match run.shown {
        None => write_csv_rows(&out.join("records.csv"), &columns, run.normalized.len(), |i| run.record_cells(i)),
        Some(_) => {
            let shown = run.shown_records();
            write_csv_rows(&out.join("records.csv"), &columns, shown.len(), |k| run.record_cells(shown[k]))
        }
    }
}

pub fn write_issues(out: &Path, run: &RunOutput) -> Result<u64, Error> {
    let header: Vec<String> =
        ["source", "row", "field", "code", "severity", "value", "suggestion"].map(String::from).to_vec();
    let rows = run.normalized.iter().enumerate().filter(|&(i, _)| run.shows(i)).flat_map(|(i, record)| {
        let (source, row) = run.provenance(i);
        record.findings.iter().map(move |f| {
            vec![
                source.clone(),
                row.clone(),
                Cow::Borrowed(f.field.name()),
                Cow::Borrowed(f.code.as_str()),
                Cow::Borrowed(f.severity.label()),
                Cow::Borrowed(&*f.value),
                Cow::Borrowed(&*f.suggestion),
            ]
        })
    });
    write_csv(&out.join("issues.csv"), &header, rows, false)
}

pub fn write_duplicates(out: &Path, run: &RunOutput) -> Result<u64, Error> {
    let mut header: Vec<String> =
        ["source_a", "row_a", "record_id_a", "source_b", "row_b", "record_id_b", "match_weight", "match_probability"]
            .map(String::from)
            .to_vec();
    for c in &COMPARISONS {
        header.push(c.name.to_string());
        header.push(format!("{}_weight", c.name));
    }
    header.push("decision".to_string());
    header.push("reviewed".to_string());
    let pairs = run.linkage.pairs.iter().zip(&run.linkage.pair_weights);
    let rows = pairs.filter(|(pair, _)| run.shows_pair(pair.a, pair.b)).map(|(pair, weights)| {
        let (source_a, row_a) = run.provenance(pair.a as usize);
        let (source_b, row_b) = run.provenance(pair.b as usize);
        let mut cells = vec![
            source_a,
            row_a,
            Cow::Borrowed(run.record_ids[pair.a as usize].as_str()),
            source_b,
            row_b,
            Cow::Borrowed(run.record_ids[pair.b as usize].as_str()),
            Cow::Owned(format!("{:.3}", pair.match_weight)),
            Cow::Owned(format!("{:.6}", pair.match_probability())),
        ];
        for (c, &level) in pair.levels.iter().enumerate() {
            cells.push(Cow::Borrowed(level_name(c, level)));
            cells.push(Cow::Owned(format!("{:.2}", weights[c])));
        }
        // `match`: linked into one person; `review`: for a clerk to decide.
        cells.push(Cow::Borrowed(pair.decision()));
        // What a clerk decided (`same`, `different`, `unsure`), if they did.
        cells.push(Cow::Borrowed(pair.reviewed.map_or("", |v| v.label())));
        cells
    });
    write_csv(&out.join("duplicates.csv"), &header, rows, false)
}

/// `quarantine.csv`: the master's quarantined rows (`carried`), then
/// tonight's. Returns tonight's count.
pub fn write_quarantine(out: &Path, run: &RunOutput, carried: &[Vec<String>]) -> Result<u64, Error> {
    let header: Vec<String> = ["source", "row", "line", "reason", "raw"].map(String::from).to_vec();
    let carried_rows = carried.iter().map(|row| row.iter().map(|cell| Cow::Borrowed(cell.as_str())).collect());
    let rows = run.extract.quarantine.iter().map(|q| {
        vec![
            Cow::Borrowed(run.extract.inputs[q.source as usize].name.as_str()),
            Cow::Owned(q.row.to_string()),
            Cow::Owned(q.line.to_string()),
            Cow::Borrowed(q.reason.as_str()),
            Cow::Borrowed(q.raw.as_str()),
        ]
    });
    Ok(write_csv(&out.join("quarantine.csv"), &header, carried_rows.chain(rows), false)? - carried.len() as u64)
}

/// `changes.csv`: the master's history, then one row per change to a
/// person tonight (`minted`, `merged` with the survivor, `split` with the
/// new person), per record added or updated (with the person it belongs
/// to), and per row the master already held as it is (`record_seen`, with
/// the person of that record).
pub fn write_changes(
    out: &Path,
    run: &RunOutput,
    night: &str,
    history: Option<&Path>,
    persons: &[PersonChange],
    records: &[(RecordChange, usize)],
    seen: &[String],
) -> Result<u64, Error> {
    let header: Vec<String> =
        ["night", "change", "person_id", "other_person_id", "record_id"].map(String::from).to_vec();
    let person_rows = persons.iter().map(|change| {
        let (person, other) = change.persons();
        vec![
            Cow::Borrowed(night),
            Cow::Borrowed(change.label()),
            Cow::Owned(person_id(person)),
            Cow::Owned(other.map(person_id).unwrap_or_default()),
            Cow::Borrowed(""),
        ]
    });
    let record_rows = records.iter().map(|&(change, i)| {
        vec![
            Cow::Borrowed(night),
            Cow::Borrowed(change.label()),
            Cow::Owned(run.person_id(i)),
            Cow::Borrowed(""),
            Cow::Borrowed(run.record_ids[i].as_str()),
        ]
    });
    // A row sent again is the master's record: its line names the person.
    let mut person_of_seen: crate::hash::HashMap<&str, String> =
        seen.iter().map(|id| (id.as_str(), String::new())).collect();
    if !person_of_seen.is_empty() {
        for (i, id) in run.record_ids.iter().enumerate() {
            if let Some(person) = person_of_seen.get_mut(id.as_str()) {
                *person = run.person_id(i);
            }
        }
    }
    let seen_rows = seen.iter().map(|record_id| {
        vec![
            Cow::Borrowed(night),
            Cow::Borrowed("record_seen"),
            Cow::Owned(person_of_seen[record_id.as_str()].clone()),
            Cow::Borrowed(""),
            Cow::Borrowed(record_id.as_str()),
        ]
    });
    let rows = person_rows.chain(record_rows).chain(seen_rows);
    crate::output::csv::write_csv_after(&out.join("changes.csv"), history, &header, rows)
}

/// `identity.json`: the ledger of person IDs (the next to mint, the retired
/// ones and their survivors), which the next night's run starts from.
pub fn write_ledger(out: &Path, ledger: &Ledger) -> Result<(), Error> {
    let document = serde_json::json!({
        "format": 1,
        "next_free_person": ledger.next_free,
        "retired": ledger.retired.iter().map(|(&retired, &survivor)| (person_id(retired), person_id(survivor))).collect::<std::collections::BTreeMap<_, _>>(),
    });
    let text = serde_json::to_string_pretty(&document).expect("a ledger serialises") + "\n";
    crate::output::atomic::write_bytes(&out.join("identity.json"), text.as_bytes())
}

/// One column of the persons table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PersonColumn {
    PersonId,
    Records,
    FirstSeen,
    LastSeen,
    /// The `record_id` of the person's primary record.
    RecordId,
    /// The surviving value of [`PERSON_FIELDS`]' field.
    Value(usize),
    /// The `record_id` that value came from, empty for the primary record.
    From(usize),
    Address(Field),
    AddressFrom,
}

/// The persons table's columns, in order.
fn person_columns() -> Vec<PersonColumn> {
    use PersonColumn::*;
    let mut columns = vec![PersonId, Records, FirstSeen, LastSeen, RecordId];
    columns.extend((0..PERSON_FIELDS.len()).flat_map(|f| [Value(f), From(f)]));
    columns.extend(ADDRESS_PARTS.map(Address));
    columns.push(AddressFrom);
    columns
}

/// The persons table's header: `person_id`, `records`, `first_seen`,
/// `last_seen`, `record_id` (the primary record), each person field beside
/// `<field>_from`, the address's parts and `address_from`.
fn person_header(columns: &[PersonColumn]) -> Vec<String> {
    columns
        .iter()
        .map(|column| match *column {
            PersonColumn::PersonId => "person_id".to_string(),
            PersonColumn::Records => "records".to_string(),
            PersonColumn::FirstSeen => "first_seen".to_string(),
            PersonColumn::LastSeen => "last_seen".to_string(),
            PersonColumn::RecordId => "record_id".to_string(),
            PersonColumn::Value(f) => PERSON_FIELDS[f].name().to_string(),
            PersonColumn::From(f) => format!("{}_from", PERSON_FIELDS[f].name()),
            PersonColumn::Address(field) => field.name().to_string(),
            PersonColumn::AddressFrom => "address_from".to_string(),
        })
        .collect()
}

/// The persons table as the writers see it.
struct PersonsTable<'a> {
    columns: Vec<PersonColumn>,
    run: &'a RunOutput<'a>,
    golden: &'a GoldenRecords,
    night_of: &'a (dyn Fn(usize) -> &'a str + Sync),
}

impl PersonsTable<'_> {
    /// Person `p`'s cell in column `column` of [`person_columns`].
    fn cell(&self, p: usize, column: usize) -> Cow<'_, str> {
        let person = &self.golden.persons[p];
        let primary = person.primary as usize;
        let values = |i: usize| &self.run.normalized[i].values;
        // Provenance is written only where it is not the primary record.
        let from = |source: Option<usize>| match source {
            Some(i) if i != primary => Cow::Borrowed(self.run.record_ids[i].as_str()),
            _ => Cow::Borrowed(""),
        };
        let nights = || self.golden.records(p).iter().map(|&i| (self.night_of)(i as usize));
        match self.columns[column] {
            PersonColumn::PersonId => Cow::Owned(self.run.person_id(primary)),
            PersonColumn::Records => Cow::Owned(self.golden.records(p).len().to_string()),
            PersonColumn::FirstSeen => Cow::Borrowed(nights().min().unwrap_or_default()),
            PersonColumn::LastSeen => Cow::Borrowed(nights().max().unwrap_or_default()),
            PersonColumn::RecordId => Cow::Borrowed(self.run.record_ids[primary].as_str()),
            PersonColumn::Value(f) => Cow::Borrowed(person.source(f).map_or("", |i| values(i).get(PERSON_FIELDS[f]))),
            PersonColumn::From(f) => from(person.source(f)),
            PersonColumn::Address(field) => Cow::Borrowed(person.address().map_or("", |i| values(i).get(field))),
            PersonColumn::AddressFrom => from(person.address()),
        }
    }
}

/// The persons table's columns as `persons.csv` and the persons parts
/// write them, `records` an integer in the Parquet file.
fn persons_table<'a>(
    run: &'a RunOutput<'a>,
    golden: &'a GoldenRecords,
    night_of: &'a (dyn Fn(usize) -> &'a str + Sync),
) -> (PersonsTable<'a>, Vec<String>, Vec<parquet::Kind>) {
    let columns = person_columns();
    let header = person_header(&columns);
    let kinds: Vec<parquet::Kind> = columns
        .iter()
        .map(|column| match column {
            PersonColumn::Records => parquet::Kind::Integer,
            _ => parquet::Kind::Text,
        })
        .collect();
    (PersonsTable { columns, run, golden, night_of }, header, kinds)
}

/// `persons.csv`: one golden record per person (see `identity::golden`);
/// on a night, the persons of tonight's records. Returns the persons
/// written.
pub fn write_persons_csv<'a>(
    out: &Path,
    run: &'a RunOutput<'a>,
    golden: &'a GoldenRecords,
    night_of: &'a (dyn Fn(usize) -> &'a str + Sync),
) -> Result<u64, Error> {
    let (table, header, _) = persons_table(run, golden, night_of);
    let persons: Vec<usize> = match &run.shown {
        None => (0..golden.persons.len()).collect(),
        Some(shown) => {
            let mut tonight = vec![false; golden.persons.len()];
            for (i, _) in shown.tonight.iter().enumerate().filter(|(_, &t)| t) {
                tonight[run.linkage.cluster[i] as usize] = true;
            }
            (0..golden.persons.len()).filter(|&p| tonight[p]).collect()
        }
    };
    write_csv_rows(&out.join("persons.csv"), &header, persons.len(), |k| {
        (0..table.columns.len()).map(|c| table.cell(persons[k], c)).collect()
    })?;
    Ok(persons.len() as u64)
}

/// The persons of a run as one persons part `path`, a row group at a time.
pub fn write_persons_parquet<'a>(
    path: &Path,
    run: &'a RunOutput<'a>,
    golden: &'a GoldenRecords,
    night_of: &'a (dyn Fn(usize) -> &'a str + Sync),
) -> Result<u64, Error> {
    let (table, header, kinds) = persons_table(run, golden, night_of);
    let count = golden.persons.len();
    parquet::write_table(path, &header, &kinds, count, &|p, c| table.cell(p, c))?;
    Ok(count as u64)
}
