//! The persons table: one golden record per person, the best value of each
//! field among the person's records, with the `record_id` it came from.
//!
//! Survivorship, per field: a value from a record with no error or warning
//! finding on that field first; then the value of the most recent night;
//! then the most frequent value; then the primary record's value; then the
//! value of the earliest record. The address's parts (street, post-2025 and
//! pre-2025 units, status) all come from one record, the best placed (exact
//! before fuzzy before ambiguous before unresolved, then the same order as a
//! field, frequency aside). A citizen ID comes only from a record whose ID
//! is consistent with it (no ID damage).

use rayon::prelude::*;

use crate::finding::{Finding, Severity};
use crate::normalize::Normalized;
use crate::record::Field;

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

/// The address's parts, taken together from one record.
pub const ADDRESS_FIELDS: [Field; 13] = [
    Field::Address,
    Field::CommuneCode,
    Field::CommuneName,
    Field::ProvinceCode,
    Field::ProvinceName,
    Field::OldCommuneCode,
    Field::OldCommuneName,
    Field::OldDistrictCode,
    Field::OldDistrictName,
    Field::OldProvinceCode,
    Field::OldProvinceName,
    Field::AddressStatus,
    Field::AddressScore,
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
        let candidates: Vec<usize> = records
            .iter()
            .map(|&i| i as usize)
            .filter(|&i| !value(i).is_empty())
            .filter(|&i| {
                field != Field::CitizenId || !self.normalized[i].findings.iter().any(|f| f.code.is_id_damage())
            })
            .collect();
        if candidates.len() <= 1 {
            return candidates.first().copied();
        }
        let frequency = |i: usize| candidates.iter().filter(|&&j| value(j) == value(i)).count();
        candidates.iter().copied().min_by(|&a, &b| {
            let doubt = |i: usize| doubtful(&self.normalized[i].findings, &[field]);
            doubt(a)
                .cmp(&doubt(b))
                .then_with(|| (self.night_of)(b).cmp((self.night_of)(a)))
                .then_with(|| frequency(b).cmp(&frequency(a)))
                .then_with(|| (b == primary as usize).cmp(&(a == primary as usize)))
                .then(a.cmp(&b))
        })
    }

    /// The record whose address (all its parts) survives.
    fn best_address(&self, records: &[RecordIndex], primary: RecordIndex) -> Option<usize> {
        let placed = |i: usize| match self.normalized[i].values.get(Field::AddressStatus) {
            "exact" => 0,
            "fuzzy" => 1,
            "ambiguous" => 2,
            _ => 3,
        };
        records
            .iter()
            .map(|&i| i as usize)
            .filter(|&i| ADDRESS_FIELDS.iter().any(|&f| !self.normalized[i].values.get(f).is_empty()))
            .min_by(|&a, &b| {
                let doubt = |i: usize| doubtful(&self.normalized[i].findings, &ADDRESS_FIELDS);
                placed(a)
                    .cmp(&placed(b))
                    .then_with(|| doubt(a).cmp(&doubt(b)))
                    .then_with(|| (self.night_of)(b).cmp((self.night_of)(a)))
                    .then_with(|| (b == primary as usize).cmp(&(a == primary as usize)))
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
        let rules = Survivorship { normalized: &records, is_primary: &is_primary, night_of: &night_of };
        let golden = rules.golden_records(&[0, 0, 0, 0, 0, 0], 1, false);
        let person = &golden.persons[0];
        assert_eq!(golden.records(0), &[0, 1, 2, 3, 4, 5]);
        assert_eq!(source(person, Field::BirthDate), Some(2), "no finding, then the later night");
        assert_eq!(source(person, Field::Phone), Some(1), "the latest night");
        assert_eq!(source(person, Field::Ethnicity), Some(4), "the commonest, then the earliest");
        assert_eq!(source(person, Field::Religion), None);
        // The primary record wins a tie before the earliest does.
        let is_primary = [false, false, false, false, false, true];
        let rules = Survivorship { normalized: &records, is_primary: &is_primary, night_of: &night_of };
        let golden = rules.golden_records(&[0, 0, 0, 0, 0, 0], 1, false);
        assert_eq!(source(&golden.persons[0], Field::Ethnicity), Some(5));
        assert_eq!(golden.persons[0].primary, 5);
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
        let rules = Survivorship { normalized: &records, is_primary: &[true, false], night_of: &night_of };
        let golden = &rules.golden_records(&[0, 0], 1, true).persons[0];
        assert_eq!(source(golden, Field::CitizenId), None, "a damaged ID is no one's");
        assert_eq!(golden.address(), Some(1));
    }
}
