//! The persons table: one golden record per person, the best value of each
//! field among the person's records, with the `record_id` it came from.
//!
//! Survivorship follows `rules/survivorship.toml`: per field, an order of
//! criteria (shipped: a value from a record with no error or warning
//! finding on the field; then the most recent night; then the most frequent
//! value; then the primary record), the earliest record breaking what is
//! left. The address's parts (street, post-2025 and pre-2025 units, status)
//! all come from one record (shipped: the best placed, exact before fuzzy
//! before ambiguous before unresolved, then as a field, frequency aside). A
//! citizen ID comes only from a record whose ID is consistent with it.

use rayon::prelude::*;

use std::cmp::Ordering;

use crate::finding::{Finding, Severity};
use crate::normalize::Normalized;
use crate::record::{Field, ADDRESS_PARTS};
use crate::rules::{Criterion, SurvivorshipRules};

/// The fields a person has one best value of, each on its own.
pub const PERSON_FIELDS: [Field; 17] = [
    Field::FullName,
    Field::Surname,
    Field::MiddleName,
    Field::GivenName,
    Field::BirthDate,
    Field::Sex,
    Field::CitizenId,
    Field::OldId,
    Field::Ethnicity,
    Field::EthnicityCode,
    Field::Religion,
    Field::Nationality,
    Field::Phone,
    Field::FatherName,
    Field::MotherName,
    Field::HouseholdId,
    Field::RelationToHead,
];

/// A record's index in the run, or [`NONE`].
pub type RecordIndex = u32;

/// No record: the field has no value in any of the person's records.
pub const NONE: RecordIndex = RecordIndex::MAX;

/// One person's golden record: for each of [`PERSON_FIELDS`] the record
/// its value comes from, the record the address comes from, and the
/// person's primary record (the one `duplicates.csv` keeps). Indexes, not
/// values: a million persons hold 80 MB here, not copies of their fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoldenRecord {
    pub primary: RecordIndex,
    pub sources: [RecordIndex; PERSON_FIELDS.len()],
    pub address_source: RecordIndex,
}

impl GoldenRecord {
    /// The record field `f` of [`PERSON_FIELDS`] comes from.
    pub fn source(&self, f: usize) -> Option<usize> {
        (self.sources[f] != NONE).then_some(self.sources[f] as usize)
    }

    pub fn address(&self) -> Option<usize> {
        (self.address_source != NONE).then_some(self.address_source as usize)
    }
}

/// Every person's golden record and records: person `p`'s records are
/// `members[starts[p]..starts[p + 1]]`, in input order.
pub struct GoldenRecords {
    pub persons: Vec<GoldenRecord>,
    starts: Vec<u32>,
    members: Vec<RecordIndex>,
}

impl GoldenRecords {
    /// Person `p`'s records, in input order.
    pub fn records(&self, p: usize) -> &[RecordIndex] {
        &self.members[self.starts[p] as usize..self.starts[p + 1] as usize]
    }
}

/// What survivorship needs of each record: its findings, values, whether
/// it is its person's primary record, and the night it arrived (ISO dates
/// compare as text).
pub struct Survivorship<'a> {
    pub rules: &'a SurvivorshipRules,
    pub normalized: &'a [Normalized],
    pub is_primary: &'a [bool],
    pub night_of: &'a (dyn Fn(usize) -> &'a str + Sync),
}

fn doubtful(findings: &[Finding], fields: &[Field]) -> bool {
    findings.iter().any(|f| fields.contains(&f.field) && f.severity != Severity::Info)
}

impl Survivorship<'_> {
    /// The golden record of each person: `cluster[i]` is record `i`'s
    /// person among `persons`.
    pub fn golden_records(&self, cluster: &[u32], persons: usize, parallel: bool) -> GoldenRecords {
        let mut starts = vec![0u32; persons + 1];
        for &c in cluster {
            starts[c as usize + 1] += 1;
        }
        for p in 0..persons {
            starts[p + 1] += starts[p];
        }
        let mut filled = starts.clone();
        let mut members = vec![0 as RecordIndex; cluster.len()];
        for (i, &c) in cluster.iter().enumerate() {
            members[filled[c as usize] as usize] = i as RecordIndex;
            filled[c as usize] += 1;
        }
        let golden = |p: usize| self.golden(&members[starts[p] as usize..starts[p + 1] as usize]);
        let persons = if parallel {
            (0..persons).into_par_iter().map(golden).collect()
        } else {
            (0..persons).map(golden).collect()
        };
        GoldenRecords { persons, starts, members }
    }

    fn golden(&self, records: &[RecordIndex]) -> GoldenRecord {
        let primary = records.iter().copied().find(|&i| self.is_primary[i as usize]).unwrap_or(records[0]);
        let index = |best: Option<usize>| best.map_or(NONE, |i| i as RecordIndex);
        GoldenRecord {
            primary,
            sources: PERSON_FIELDS.map(|field| index(self.best(records, primary, field))),
            address_source: index(self.best_address(records, primary)),
        }
    }

    /// The record whose value of `field` survives.
    fn best(&self, records: &[RecordIndex], primary: RecordIndex, field: Field) -> Option<usize> {
        let value = |i: usize| self.normalized[i].values.get(field);
        let only_consistent = field == Field::CitizenId && self.rules.citizen_id_only_consistent;
        let candidates: Vec<usize> = records
            .iter()
            .map(|&i| i as usize)
            .filter(|&i| !value(i).is_empty())
            .filter(|&i| !only_consistent || !self.normalized[i].findings.iter().any(|f| f.code.is_id_damage()))
            .collect();
        if candidates.len() <= 1 {
            return candidates.first().copied();
        }
        let frequency = |i: usize| candidates.iter().filter(|&&j| value(j) == value(i)).count();
        let order = self.rules.order_of(field);
        candidates.iter().copied().min_by(|&a, &b| {
            order
                .iter()
                .fold(Ordering::Equal, |so_far, &criterion| {
                    so_far.then_with(|| match criterion {
                        Criterion::MostFrequent => frequency(b).cmp(&frequency(a)),
                        other => self.compare(other, a, b, primary, &[field]),
                    })
                })
                .then(a.cmp(&b))
        })
    }

    /// How records `a` and `b` compare by `criterion` (less: `a` is
    /// better), looking at findings on `fields`.
    fn compare(&self, criterion: Criterion, a: usize, b: usize, primary: RecordIndex, fields: &[Field]) -> Ordering {
        match criterion {
            Criterion::WithoutFindings => {
                let doubt = |i: usize| doubtful(&self.normalized[i].findings, fields);
                doubt(a).cmp(&doubt(b))
            }
            Criterion::MostRecent => (self.night_of)(b).cmp((self.night_of)(a)),
            Criterion::Primary => (b == primary as usize).cmp(&(a == primary as usize)),
            Criterion::BestPlaced => {
                let placed = |i: usize| match self.normalized[i].values.get(Field::AddressStatus) {
                    "exact" => 0,
                    "fuzzy" => 1,
                    "ambiguous" => 2,
                    _ => 3,
                };
                placed(a).cmp(&placed(b))
            }
            // A value's frequency is the caller's to count; the rules keep
            // it out of the address's order.
            Criterion::MostFrequent => Ordering::Equal,
        }
    }

    /// The record whose address (all its parts) survives.
    fn best_address(&self, records: &[RecordIndex], primary: RecordIndex) -> Option<usize> {
        records
            .iter()
            .map(|&i| i as usize)
            .filter(|&i| ADDRESS_PARTS.iter().any(|&f| !self.normalized[i].values.get(f).is_empty()))
            .min_by(|&a, &b| {
                self.rules
                    .address
                    .iter()
                    .fold(Ordering::Equal, |so_far, &criterion| {
                        so_far.then_with(|| self.compare(criterion, a, b, primary, &ADDRESS_PARTS))
                    })
                    .then(a.cmp(&b))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Code;
    use crate::record::FieldValuesBuilder;

    fn record(cells: &[(Field, &str)], findings: Vec<Finding>) -> Normalized {
        let mut values = FieldValuesBuilder::default();
        for (field, text) in cells {
            values.set(*field, text);
        }
        Normalized { values: values.build(), findings, ..Normalized::default() }
    }

    fn source(golden: &GoldenRecord, field: Field) -> Option<usize> {
        golden.source(PERSON_FIELDS.iter().position(|&f| f == field).unwrap())
    }

    #[test]
    fn a_value_without_findings_then_the_latest_then_the_commonest_survives() {
        let records = vec![
            record(&[(Field::Phone, "0912345678"), (Field::BirthDate, "1990-02-01")], vec![]),
            record(
                &[(Field::Phone, "0987654321"), (Field::BirthDate, "2090-02-01")],
                vec![Finding::new(Field::BirthDate, Code::DateFuture, "2090")],
            ),
            record(&[(Field::Phone, "0900000000"), (Field::BirthDate, "1990-02-01")], vec![]),
            record(&[(Field::Ethnicity, "Kinh")], vec![]),
            record(&[(Field::Ethnicity, "Tày")], vec![]),
            record(&[(Field::Ethnicity, "Tày")], vec![]),
        ];
        let nights = ["2026-01-01", "2026-03-01", "2026-02-01", "2026-01-01", "2026-01-01", "2026-01-01"];
        let night_of = |i: usize| nights[i];
        let is_primary = [false; 6];
        let rules = Survivorship {
            rules: &SurvivorshipRules::default(),
            normalized: &records,
            is_primary: &is_primary,
            night_of: &night_of,
        };
        let golden = rules.golden_records(&[0, 0, 0, 0, 0, 0], 1, false);
        let person = &golden.persons[0];
        assert_eq!(golden.records(0), &[0, 1, 2, 3, 4, 5]);
        assert_eq!(source(person, Field::BirthDate), Some(2), "no finding, then the later night");
        assert_eq!(source(person, Field::Phone), Some(1), "the latest night");
        assert_eq!(source(person, Field::Ethnicity), Some(4), "the commonest, then the earliest");
        assert_eq!(source(person, Field::Religion), None);
        // The primary record wins a tie before the earliest does.
        let is_primary = [false, false, false, false, false, true];
        let rules = Survivorship {
            rules: &SurvivorshipRules::default(),
            normalized: &records,
            is_primary: &is_primary,
            night_of: &night_of,
        };
        let golden = rules.golden_records(&[0, 0, 0, 0, 0, 0], 1, false);
        assert_eq!(source(&golden.persons[0], Field::Ethnicity), Some(5));
        assert_eq!(golden.persons[0].primary, 5);
        // Rules of other orders: the primary record first for every field,
        // and the commonest phone before the latest.
        let primary_first = SurvivorshipRules {
            order: vec![Criterion::Primary],
            fields: vec![(Field::Phone, vec![Criterion::MostFrequent, Criterion::MostRecent])],
            ..SurvivorshipRules::default()
        };
        let is_primary = [true, false, false, false, false, false];
        let rules =
            Survivorship { rules: &primary_first, normalized: &records, is_primary: &is_primary, night_of: &night_of };
        let golden = rules.golden_records(&[0, 0, 0, 0, 0, 0], 1, false);
        assert_eq!(source(&golden.persons[0], Field::BirthDate), Some(0), "the primary's, findings or not");
        assert_eq!(source(&golden.persons[0], Field::Phone), Some(1), "all phones once: the latest");
        assert_eq!(
            source(&golden.persons[0], Field::Ethnicity),
            Some(3),
            "no primary value, frequency not asked: the earliest"
        );
    }

    #[test]
    fn an_id_only_from_a_consistent_record_and_an_address_whole_from_one() {
        let records = vec![
            record(
                &[
                    (Field::CitizenId, "038090001234"),
                    (Field::CommuneName, "Xã A"),
                    (Field::AddressStatus, "ambiguous"),
                ],
                vec![Finding::new(Field::CitizenId, Code::IdYearMismatch, "")],
            ),
            record(&[(Field::Address, "Số 5"), (Field::AddressStatus, "exact"), (Field::CommuneCode, "00004")], vec![]),
        ];
        let night_of = |_: usize| "2026-01-01";
        let rules = Survivorship {
            rules: &SurvivorshipRules::default(),
            normalized: &records,
            is_primary: &[true, false],
            night_of: &night_of,
        };
        let golden = &rules.golden_records(&[0, 0], 1, true).persons[0];
        assert_eq!(source(golden, Field::CitizenId), None, "a damaged ID is no one's");
        assert_eq!(golden.address(), Some(1));
    }
}
