//! Checks across the records of one household (same household code): one
//! head, members in one commune, ages a family can have. They run after
//! linkage, because two records of one person (a head registered twice) are
//! one head, not two. Every finding here is a warning: a household can be
//! unusual and right.

use rayon::prelude::*;

use crate::finding::{Code, Finding, Severity};
use crate::normalize::Normalized;
use crate::record::Field;
use crate::text::fold_compact;

/// A child is at least this many years younger than the head who is its
/// parent; a couple at most this many years apart.
const MIN_PARENT_AGE: i32 = 12;
const MAX_SPOUSE_GAP: i32 = 30;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Relation {
    Head,
    Spouse,
    Child,
    /// The head's father or mother.
    Parent,
    /// The head's grandparent.
    Grandparent,
    Other,
}

fn relation(text: &str) -> Relation {
    // Normalising wrote the relation as `rules/validation.toml` lists it:
    // the commonest are matched as written, without folding.
    match text {
        "Chủ hộ" => return Relation::Head,
        "Vợ" | "Chồng" => return Relation::Spouse,
        "Con" => return Relation::Child,
        _ => {}
    }
    match fold_compact(text).as_str() {
        "chuho" | "ch" | "head" => Relation::Head,
        "vo" | "chong" | "wife" | "husband" | "spouse" => Relation::Spouse,
        "con" | "conde" | "conruot" | "child" | "son" | "daughter" => Relation::Child,
        "cha" | "me" | "bo" | "chade" | "mede" | "bode" | "father" | "mother" => Relation::Parent,
        "ongnoi" | "banoi" | "ongngoai" | "bangoai" | "grandfather" | "grandmother" => Relation::Grandparent,
        _ => Relation::Other,
    }
}

/// Adds the household findings; `cluster` is each record's person.
pub fn check_households(records: &mut [Normalized], cluster: &[u32]) {
    // Members grouped by household code: a parallel sort, then runs.
    let mut by_code: Vec<(&str, usize)> = records
        .iter()
        .enumerate()
        .map(|(i, r)| (r.values.get(Field::HouseholdId), i))
        .filter(|(code, _)| !code.is_empty())
        .collect();
    by_code.par_sort_unstable();
    let households: Vec<&[(&str, usize)]> = by_code.chunk_by(|x, y| x.0 == y.0).collect();
    let records_view: &[Normalized] = records;
    let findings: Vec<(usize, Finding)> =
        households.par_iter().flat_map_iter(|run| household_findings(records_view, cluster, run)).collect();
    for (i, finding) in findings {
        records[i].findings.push(finding);
    }
}

/// The findings of one household: `run` is its members, each with the
/// household code.
fn household_findings(records: &[Normalized], cluster: &[u32], run: &[(&str, usize)]) -> Vec<(usize, Finding)> {
    let code = run[0].0;
    let members: Vec<usize> = run.iter().map(|&(_, i)| i).collect();
    let mut findings: Vec<(usize, Finding)> = Vec::new();
    let relations: Vec<Relation> =
        members.iter().map(|&i| relation(records[i].values.get(Field::RelationToHead))).collect();
    let known = relations.iter().any(|r| *r != Relation::Other);
    let mut heads: Vec<u32> =
        members.iter().zip(&relations).filter(|(_, r)| **r == Relation::Head).map(|(&i, _)| cluster[i]).collect();
    heads.sort_unstable();
    heads.dedup();
    if heads.is_empty() && known {
        for &i in &members {
            findings.push((i, Finding::new(Field::RelationToHead, Code::HouseholdHeads, code)));
        }
    } else if heads.len() > 1 {
        for (&i, _) in members.iter().zip(&relations).filter(|(_, r)| **r == Relation::Head) {
            findings.push((i, Finding::new(Field::RelationToHead, Code::HouseholdHeads, code)));
        }
    }

    let mut communes: Vec<&str> =
        members.iter().map(|&i| records[i].values.get(Field::CommuneCode)).filter(|c| !c.is_empty()).collect();
    communes.sort_unstable();
    communes.dedup();
    if communes.len() > 1 {
        for &i in &members {
            let value = records[i].values.get(Field::CommuneCode).to_string();
            findings.push((i, Finding::new(Field::CommuneCode, Code::HouseholdCommunes, &value)));
        }
    }

    // Ages against the head, when the head is one person with a year. A
    // birth date already found wrong (in the future, over the age limit) is
    // no evidence against anyone else's: the finding on it says it all.
    let year_of = |i: usize| {
        let wrong = records[i].findings.iter().any(|f| f.field == Field::BirthDate && f.severity == Severity::Error);
        records[i].birth_date.filter(|_| !wrong).map(|d| i32::from(d.year))
    };
    let head_years: Vec<i32> = members
        .iter()
        .zip(&relations)
        .filter(|(_, r)| **r == Relation::Head)
        .filter_map(|(&i, _)| year_of(i))
        .collect();
    let [head_year] = head_years.as_slice() else { return findings };
    for (&i, r) in members.iter().zip(&relations) {
        let Some(year) = year_of(i) else { continue };
        let odd = match r {
            Relation::Child => year - head_year < MIN_PARENT_AGE,
            Relation::Parent => head_year - year < MIN_PARENT_AGE,
            Relation::Grandparent => head_year - year < 2 * MIN_PARENT_AGE,
            Relation::Spouse => (year - head_year).abs() > MAX_SPOUSE_GAP,
            _ => false,
        };
        if odd {
            let value = records[i].values.get(Field::BirthDate).to_string();
            findings.push((i, Finding::new(Field::BirthDate, Code::HouseholdAge, &value)));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{FieldValuesBuilder, PartialDate};

    fn member(household: &str, relation: &str, year: u16, commune: &str) -> Normalized {
        let mut values = FieldValuesBuilder::default();
        values.set(Field::HouseholdId, household);
        values.set(Field::RelationToHead, relation);
        values.set(Field::BirthDate, year.to_string());
        values.set(Field::CommuneCode, commune);
        Normalized {
            values: values.build(),
            birth_date: Some(PartialDate { year, month: None, day: None }),
            sex: None,
            name_key: "".into(),
            source_fields: 4,
            findings: Vec::new(),
            internal_error: None,
            repaired_extras: None,
        }
    }

    fn codes(record: &Normalized) -> Vec<&'static str> {
        record.findings.iter().map(|f| f.code.as_str()).collect()
    }

    #[test]
    fn a_sound_household_has_no_findings_and_a_head_registered_twice_is_one_head() {
        let mut records = vec![
            member("H1", "Chủ hộ", 1970, "00004"),
            member("H1", "Vợ", 1972, "00004"),
            member("H1", "Con", 1995, "00004"),
            member("H1", "CHU HO", 1970, "00004"),
        ];
        check_households(&mut records, &[0, 1, 2, 0]);
        assert!(records.iter().all(|r| r.findings.is_empty()));
    }

    #[test]
    fn heads_ages_and_communes_are_checked() {
        let mut records = vec![
            member("H1", "Chủ hộ", 1970, "00004"),
            member("H1", "Chủ hộ", 1975, "00004"),
            member("H2", "Chủ hộ", 1970, "00004"),
            member("H2", "Con", 1978, "00008"),
            member("H2", "Vợ", 2005, "00004"),
            member("H3", "Con", 2000, "00004"),
        ];
        check_households(&mut records, &[0, 1, 2, 3, 4, 5]);
        assert_eq!(codes(&records[0]), ["HOUSEHOLD_HEADS"]);
        assert_eq!(codes(&records[1]), ["HOUSEHOLD_HEADS"]);
        assert_eq!(codes(&records[3]), ["HOUSEHOLD_COMMUNES", "HOUSEHOLD_AGE"]);
        assert_eq!(codes(&records[4]), ["HOUSEHOLD_COMMUNES", "HOUSEHOLD_AGE"]);
        assert_eq!(codes(&records[5]), ["HOUSEHOLD_HEADS"]);
    }

    /// From the benchmark: a head whose birth date is in the future put a
    /// `HOUSEHOLD_AGE` on every child and spouse, 870 false findings in 1M.
    #[test]
    fn a_birth_date_already_found_wrong_is_no_evidence_against_the_family() {
        let mut records = vec![
            member("H1", "Chủ hộ", 2031, "00004"),
            member("H1", "Con", 1995, "00004"),
            member("H1", "Vợ", 1972, "00004"),
            member("H2", "Chủ hộ", 1970, "00004"),
            member("H2", "Con", 1969, "00004"),
        ];
        records[0].findings.push(Finding::new(Field::BirthDate, Code::DateFuture, "2031"));
        records[4].findings.push(Finding::new(Field::BirthDate, Code::DateImpossible, "1969"));
        check_households(&mut records, &[0, 1, 2, 3, 4]);
        assert!(records[1].findings.is_empty() && records[2].findings.is_empty());
        assert_eq!(codes(&records[4]), ["DATE_IMPOSSIBLE"], "its own date's finding is enough");
    }
}
