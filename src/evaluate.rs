//! `dancu eval`: scores a run against the truth of a generated extract:
//! pairwise precision, recall and F1 of the linkage, hard-negative pairs
//! merged, detection recall and precision per injected error kind, and the
//! address resolution rate. It reads only `records.csv` (and, where present,
//! `issues.csv`), so any linker that writes `source,row,person_id` can be
//! scored the same way.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde::Serialize;

use crate::error::Error;

#[derive(Debug, Default, Serialize, PartialEq)]
pub struct Evaluation {
    pub truth_rows: u64,
    pub records: u64,
    pub linkage: Linkage,
    pub hard_negatives: BTreeMap<String, HardNegatives>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<ErrorDetection>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addresses: Option<Addresses>,
}

#[derive(Debug, Default, Serialize, PartialEq)]
pub struct Linkage {
    pub true_pairs: u64,
    pub predicted_pairs: u64,
    pub true_positive_pairs: u64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

#[derive(Debug, Default, Serialize, PartialEq)]
pub struct HardNegatives {
    pub pairs: u64,
    pub merged: u64,
}

#[derive(Debug, Default, Serialize, PartialEq)]
pub struct ErrorDetection {
    pub kinds: Vec<KindDetection>,
    /// All error and warning findings on a person's own fields together.
    pub field_findings: FieldFindings,
    /// Error-severity findings on rows where nothing was injected, by code.
    pub error_findings_on_clean_rows: BTreeMap<String, u64>,
}

/// Findings of severity error or warning on the fields of
/// [`PERSON_FIELDS`], against the injected errors on those fields: recall
/// is the share of injected (row, field) that got such a finding, precision
/// the share of such findings on an injected (row, field). Repairs (info)
/// do not count; a warning where nothing was injected does.
#[derive(Debug, Default, Serialize, PartialEq)]
pub struct FieldFindings {
    pub injected: u64,
    pub detected: u64,
    pub findings: u64,
    pub findings_on_injected: u64,
    pub recall: f64,
    pub precision: f64,
}

/// The fields of a person that findings are counted on: not the address,
/// whose warnings (a split commune) are facts of the reform, not errors.
pub const PERSON_FIELDS: [&str; 10] = [
    "full_name",
    "birth_date",
    "sex",
    "citizen_id",
    "old_id",
    "ethnicity",
    "religion",
    "nationality",
    "phone",
    "relation_to_head",
];

#[derive(Debug, Default, Serialize, PartialEq)]
pub struct KindDetection {
    pub kind: String,
    pub code: String,
    pub injected: u64,
    pub detected: u64,
    pub recall: f64,
    /// Findings with the kind's code, and how many of them are on rows where
    /// that code was expected.
    pub findings: u64,
    pub findings_expected: u64,
    pub precision: f64,
}

#[derive(Debug, Default, Serialize, PartialEq)]
pub struct Addresses {
    pub records: u64,
    pub exact: u64,
    pub fuzzy: u64,
    pub ambiguous: u64,
    pub unresolved: u64,
    /// Share of records placed in exactly one post-2025 commune.
    pub resolution_rate: f64,
    /// Of those, the share placed in the commune the person lives in.
    pub accuracy: f64,
    /// Records whose true pre-2025 commune was split in 2025.
    pub split_commune_records: u64,
}

/// The columns `names` of a CSV file, read as a stream and keeping only
/// those cells (a run's `records.csv` of ten million rows is 6 GB): which
/// of the names the header has, and each row's cells in the order of
/// `names` (empty where the header lacks one).
fn read_columns(path: &Path, names: &[&str]) -> Result<(Vec<bool>, Vec<Vec<String>>), Error> {
    let error = |message: String| Error::InputFormat { path: path.to_path_buf(), message };
    let mut reader = csv::ReaderBuilder::new().from_path(path).map_err(|e| error(format!("cannot read: {e}")))?;
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| error(e.to_string()))?
        .iter()
        .map(|h| h.trim_start_matches('\u{FEFF}').to_string())
        .collect();
    let at: Vec<Option<usize>> = names.iter().map(|name| headers.iter().position(|h| h == name)).collect();
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(|e| error(e.to_string()))? {
        rows.push(at.iter().map(|c| c.and_then(|c| record.get(c)).unwrap_or_default().to_string()).collect());
    }
    Ok((at.iter().map(Option::is_some).collect(), rows))
}

/// Like [`read_columns`], of the whole records table of an output folder
/// with a records dataset (`records/`).
fn read_population_columns(folder: &Path, names: &[&str]) -> Result<(Vec<bool>, Vec<Vec<String>>), Error> {
    use polars::prelude::*;
    let frame = crate::master::store::population(folder, crate::master::store::Columns::Only(names))?;
    let columns: Vec<Option<StringChunked>> = names
        .iter()
        .map(|name| {
            let column = frame.column(name).ok()?.cast(&DataType::String).ok()?;
            column.str().ok().cloned()
        })
        .collect();
    let rows = (0..frame.height())
        .map(|i| columns.iter().map(|c| c.as_ref().and_then(|c| c.get(i)).unwrap_or_default().to_string()).collect())
        .collect();
    Ok((columns.iter().map(Option::is_some).collect(), rows))
}

/// Like [`read_columns`], every name required.
fn read_required(path: &Path, names: &[&str]) -> Result<Vec<Vec<String>>, Error> {
    let (present, rows) = read_columns(path, names)?;
    match names.iter().zip(&present).find(|(_, &here)| !here) {
        Some((name, _)) => Err(Error::InputFormat { path: path.to_path_buf(), message: format!("no `{name}` column") }),
        None => Ok(rows),
    }
}

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

pub fn evaluate(truth: &Path, run: &Path) -> Result<Evaluation, Error> {
    let persons_path = truth.join("persons.csv");
    let true_person: HashMap<String, String> = read_required(&persons_path, &["row", "person_id"])?
        .into_iter()
        .map(|mut r| (std::mem::take(&mut r[0]), std::mem::take(&mut r[1])))
        .collect();

    // The whole population: the records dataset where the run wrote one
    // (a night's records.csv holds tonight's records only).
    let names = ["row", "person_id", "address_status", "commune_code"];
    let dataset = run.join(crate::master::store::RECORDS_DIR);
    let (records_path, (present, records)) = match dataset.join(crate::master::store::CURRENT_FILE).is_file() {
        true => (dataset, read_population_columns(run, &names)?),
        false => (run.join("records.csv"), read_columns(&run.join("records.csv"), &names)?),
    };
    if let Some(name) = ["row", "person_id"].iter().zip(&present).find(|(_, &here)| !here).map(|(name, _)| name) {
        return Err(Error::InputFormat { path: records_path, message: format!("no `{name}` column") });
    }
    let mut predicted: HashMap<String, String> = HashMap::new();
    for record in &records {
        predicted.insert(record[0].clone(), record[1].clone());
    }

    let mut cells: HashMap<(&str, &str), u64> = HashMap::new();
    let mut true_sizes: HashMap<&str, u64> = HashMap::new();
    let mut predicted_sizes: HashMap<&str, u64> = HashMap::new();
    for (row, person) in &true_person {
        // A row the run did not write (quarantined) is a cluster of its own.
        let prediction = predicted.get(row).map_or(row.as_str(), |p| p.as_str());
        *cells.entry((person, prediction)).or_insert(0) += 1;
        *true_sizes.entry(person).or_insert(0) += 1;
        *predicted_sizes.entry(prediction).or_insert(0) += 1;
    }
    let tp: u64 = cells.values().map(|&n| pairs(n)).sum();
    let true_pairs: u64 = true_sizes.values().map(|&n| pairs(n)).sum();
    let predicted_pairs: u64 = predicted_sizes.values().map(|&n| pairs(n)).sum();
    let precision = ratio(tp, predicted_pairs);
    let recall = ratio(tp, true_pairs);
    let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
    let mut evaluation = Evaluation {
        truth_rows: true_person.len() as u64,
        records: records.len() as u64,
        linkage: Linkage { true_pairs, predicted_pairs, true_positive_pairs: tp, precision, recall, f1 },
        ..Evaluation::default()
    };

    let negatives_path = truth.join("hard_negatives.csv");
    let rows = read_required(&negatives_path, &["row_a", "row_b", "kind"])?;
    let (a, b, kind) = (0, 1, 2);
    for row in &rows {
        let entry = evaluation.hard_negatives.entry(row[kind].to_string()).or_default();
        entry.pairs += 1;
        if let (Some(x), Some(y)) = (predicted.get(&row[a]), predicted.get(&row[b])) {
            if x == y {
                entry.merged += 1;
            }
        }
    }

    let issues_path = run.join("issues.csv");
    if issues_path.exists() {
        evaluation.errors = Some(error_detection(truth, &issues_path)?);
    }
    if present[2] && present[3] {
        evaluation.addresses = Some(addresses(truth, &records)?);
    }
    Ok(evaluation)
}

fn error_detection(truth: &Path, issues_path: &Path) -> Result<ErrorDetection, Error> {
    let errors_path = truth.join("errors.csv");
    let rows = read_required(&errors_path, &["row", "kind", "expected_code", "field"])?;
    let (row_col, kind_col, code_col, field_col) = (0, 1, 2, 3);
    let injected_fields: HashSet<(String, String)> = rows
        .iter()
        .filter(|r| PERSON_FIELDS.contains(&r[field_col].as_str()))
        .map(|r| (r[row_col].to_string(), r[field_col].to_string()))
        .collect();
    let expected: HashSet<(String, String)> =
        rows.iter().map(|r| (r[row_col].to_string(), r[code_col].to_string())).collect();
    let rows_with_injection: HashSet<&str> = rows.iter().map(|r| r[row_col].as_str()).collect();

    let issues = read_required(issues_path, &["row", "code", "severity", "field"])?;
    let (i_row, i_code, i_severity, i_field) = (0, 1, 2, 3);
    let mut field_findings = FieldFindings { injected: injected_fields.len() as u64, ..FieldFindings::default() };
    let mut flagged: HashSet<(String, String)> = HashSet::new();
    for issue in &issues {
        let serious = matches!(issue[i_severity].as_str(), "error" | "warning");
        if serious && PERSON_FIELDS.contains(&issue[i_field].as_str()) {
            field_findings.findings += 1;
            let key = (issue[i_row].to_string(), issue[i_field].to_string());
            if injected_fields.contains(&key) {
                field_findings.findings_on_injected += 1;
                flagged.insert(key);
            }
        }
    }
    field_findings.detected = flagged.len() as u64;
    field_findings.recall = ratio(field_findings.detected, field_findings.injected);
    field_findings.precision = ratio(field_findings.findings_on_injected, field_findings.findings);
    let found: HashSet<(String, String)> =
        issues.iter().map(|r| (r[i_row].to_string(), r[i_code].to_string())).collect();

    let mut kinds: BTreeMap<(String, String), KindDetection> = BTreeMap::new();
    for row in &rows {
        let key = (row[kind_col].to_string(), row[code_col].to_string());
        let entry = kinds.entry(key.clone()).or_insert_with(|| KindDetection {
            kind: key.0.clone(),
            code: key.1.clone(),
            ..KindDetection::default()
        });
        entry.injected += 1;
        if found.contains(&(row[row_col].to_string(), row[code_col].to_string())) {
            entry.detected += 1;
        }
    }
    let mut on_clean: BTreeMap<String, u64> = BTreeMap::new();
    for issue in &issues {
        let (row, code) = (issue[i_row].as_str(), issue[i_code].as_str());
        for entry in kinds.values_mut().filter(|k| k.code == code) {
            entry.findings += 1;
            if expected.contains(&(row.to_string(), code.to_string())) {
                entry.findings_expected += 1;
            }
        }
        if issue[i_severity] == "error" && !rows_with_injection.contains(row) {
            *on_clean.entry(code.to_string()).or_insert(0) += 1;
        }
    }
    let kinds = kinds
        .into_values()
        .map(|mut k| {
            k.recall = ratio(k.detected, k.injected);
            k.precision = ratio(k.findings_expected, k.findings);
            k
        })
        .collect();
    Ok(ErrorDetection { kinds, field_findings, error_findings_on_clean_rows: on_clean })
}

/// `records`: each record's `row`, `person_id`, `address_status` and
/// `commune_code`.
fn addresses(truth: &Path, records: &[Vec<String>]) -> Result<Addresses, Error> {
    let truth_path = truth.join("addresses.csv");
    let rows = read_required(&truth_path, &["row", "commune_code", "split"])?;
    let truth_commune: HashMap<&str, (&str, bool)> =
        rows.iter().map(|r| (r[0].as_str(), (r[1].as_str(), r[2] == "true"))).collect();
    let (r_row, r_status, r_commune) = (0, 2, 3);
    let mut result = Addresses::default();
    let mut correct = 0;
    for record in records {
        result.records += 1;
        let placed = !record[r_commune].is_empty();
        match record[r_status].as_str() {
            "exact" => result.exact += 1,
            "fuzzy" => result.fuzzy += 1,
            "ambiguous" => result.ambiguous += 1,
            _ => result.unresolved += 1,
        }
        if let Some((commune, split)) = truth_commune.get(record[r_row].as_str()) {
            if *split {
                result.split_commune_records += 1;
            }
            if placed && record[r_commune] == **commune {
                correct += 1;
            }
        }
    }
    let placed = records.iter().filter(|r| !r[r_commune].is_empty()).count() as u64;
    result.resolution_rate = ratio(placed, result.records);
    result.accuracy = ratio(correct, placed);
    Ok(result)
}

impl std::fmt::Display for Evaluation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let l = &self.linkage;
        writeln!(f, "rows in truth: {}, records in run: {}", self.truth_rows, self.records)?;
        writeln!(
            f,
            "linkage: precision {:.4}  recall {:.4}  F1 {:.4}  ({} true pairs, {} predicted, {} correct)",
            l.precision, l.recall, l.f1, l.true_pairs, l.predicted_pairs, l.true_positive_pairs
        )?;
        for (kind, h) in &self.hard_negatives {
            writeln!(f, "hard negatives {kind}: {} merged of {} pairs", h.merged, h.pairs)?;
        }
        if let Some(errors) = &self.errors {
            writeln!(
                f,
                "{:<24} {:<22} {:>8} {:>8} {:>7} {:>9}",
                "error kind", "code", "injected", "detected", "recall", "precision"
            )?;
            for k in &errors.kinds {
                writeln!(
                    f,
                    "{:<24} {:<22} {:>8} {:>8} {:>7.4} {:>9.4}",
                    k.kind, k.code, k.injected, k.detected, k.recall, k.precision
                )?;
            }
            let ff = &errors.field_findings;
            writeln!(
                f,
                "field findings (errors and warnings on a person's own fields): recall {:.4} ({} of {} injected), precision {:.4} ({} of {} findings)",
                ff.recall, ff.detected, ff.injected, ff.precision, ff.findings_on_injected, ff.findings
            )?;
            let total: u64 = errors.error_findings_on_clean_rows.values().sum();
            write!(f, "error findings on rows without injected errors: {total}")?;
            for (code, n) in &errors.error_findings_on_clean_rows {
                write!(f, " {code}={n}")?;
            }
            writeln!(f)?;
        }
        if let Some(a) = &self.addresses {
            writeln!(
                f,
                "addresses: {:.4} placed in a commune ({} exact, {} fuzzy, {} ambiguous, {} unresolved); {:.4} of those correct",
                a.resolution_rate, a.exact, a.fuzzy, a.ambiguous, a.unresolved, a.accuracy
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Truth: persons A = rows 1,2,3; B = 4,5; C = 6. Run: {1,2}, {3}, {4,5,6}.
    /// True pairs: 3 (A) + 1 (B) = 4. Predicted pairs: 1 + 0 + 3 = 4.
    /// Correct: (1,2) and (4,5) = 2. Precision 2/4, recall 2/4, F1 0.5.
    #[test]
    fn pairwise_scores_match_a_hand_computed_case() {
        let dir = tempfile::tempdir().unwrap();
        let truth = dir.path().join("truth");
        let run = dir.path().join("run");
        write(&truth.join("persons.csv"), "row,person_id\n1,A\n2,A\n3,A\n4,B\n5,B\n6,C\n");
        write(&truth.join("hard_negatives.csv"), "row_a,row_b,kind\n5,6,twins\n1,3,namesake\n");
        write(
            &truth.join("errors.csv"),
            "row,field,kind,expected_code\n2,citizen_id,id_length,ID_LENGTH\n6,citizen_id,id_length,ID_LENGTH\n",
        );
        write(
            &truth.join("addresses.csv"),
            "row,commune_code,old_commune_code,written,split\n1,00004,00004,new,false\n",
        );
        write(
            &run.join("records.csv"),
            "source,row,person_id,address_status,commune_code\nx,1,P1,exact,00004\nx,2,P1,unresolved,\nx,3,P2,unresolved,\nx,4,P3,unresolved,\nx,5,P3,unresolved,\nx,6,P3,exact,99999\n",
        );
        write(
            &run.join("issues.csv"),
            "source,row,field,code,severity,value,suggestion\nx,2,citizen_id,ID_LENGTH,error,1,\nx,4,citizen_id,ID_LENGTH,error,1,\nx,5,birth_date,DATE_FUTURE,error,1,\n",
        );
        let e = evaluate(&truth, &run).unwrap();
        assert_eq!((e.linkage.true_pairs, e.linkage.predicted_pairs, e.linkage.true_positive_pairs), (4, 4, 2));
        assert_eq!((e.linkage.precision, e.linkage.recall, e.linkage.f1), (0.5, 0.5, 0.5));
        assert_eq!(e.hard_negatives["twins"], HardNegatives { pairs: 1, merged: 1 });
        assert_eq!(e.hard_negatives["namesake"], HardNegatives { pairs: 1, merged: 0 });
        let errors = e.errors.unwrap();
        let k = &errors.kinds[0];
        assert_eq!((k.injected, k.detected, k.findings, k.findings_expected), (2, 1, 2, 1));
        assert_eq!((k.recall, k.precision), (0.5, 0.5));
        assert_eq!(errors.error_findings_on_clean_rows.get("ID_LENGTH"), Some(&1));
        assert_eq!(errors.error_findings_on_clean_rows.get("DATE_FUTURE"), Some(&1));
        // Rows 2 and 6 had errors on citizen_id; findings on (2, citizen_id),
        // (4, citizen_id), (5, birth_date): one of three on an injected field.
        let ff = &errors.field_findings;
        assert_eq!((ff.injected, ff.detected, ff.findings, ff.findings_on_injected), (2, 1, 3, 1));
        let a = e.addresses.unwrap();
        assert_eq!((a.records, a.exact, a.unresolved), (6, 2, 4));
        assert_eq!(a.resolution_rate, 2.0 / 6.0);
        assert_eq!(a.accuracy, 0.5);
    }
}
