//! The persons table: one golden record per person, the best value of each
//! field among the person's records, with the `record_id` it came from.
//!
//! Survivorship, per field: a value from a record with no error or warning
//! finding on that field first; then the value of the most recent night;
//! then the most frequent value; then the value of the earliest record. The
//! address's parts (street, post-2025 and pre-2025 units, status) all come
//! from one record, the best placed (exact before fuzzy before ambiguous
//! before unresolved, then the same order as a field). A citizen ID comes
//! only from a record whose ID is consistent with it (no ID damage).

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

/// One person's golden record: for each of [`PERSON_FIELDS`] the record
/// its value comes from (`None`: no record has one), the record the
/// address comes from, and the person's records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoldenRecord {
    pub records: Vec<usize>,
    pub sources: [Option<usize>; PERSON_FIELDS.len()],
    pub address_source: Option<usize>,
}

/// What survivorship needs of each record: its findings, values, and the
/// night it arrived (ISO dates compare as text).
pub struct Survivorship<'a> {
    pub normalized: &'a [Normalized],
    pub night_of: &'a (dyn Fn(usize) -> &'a str + Sync),
}

fn doubtful(findings: &[Finding], fields: &[Field]) -> bool {
    findings.iter().any(|f| fields.contains(&f.field) && f.severity != Severity::Info)
}

impl Survivorship<'_> {
    /// The golden record of each person: `cluster[i]` is record `i`'s
    /// person among `persons`.
    pub fn golden_records(&self, cluster: &[u32], persons: usize, parallel: bool) -> Vec<GoldenRecord> {
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); persons];
        for (i, &c) in cluster.iter().enumerate() {
            members[c as usize].push(i);
        }
        if parallel {
            members.into_par_iter().map(|records| self.golden(records)).collect()
        } else {
            members.into_iter().map(|records| self.golden(records)).collect()
        }
    }

    fn golden(&self, records: Vec<usize>) -> GoldenRecord {
        let sources = PERSON_FIELDS.map(|field| self.best(&records, field));
        let address_source = self.best_address(&records);
        GoldenRecord { records, sources, address_source }
    }

    /// The record whose value of `field` survives.
    fn best(&self, records: &[usize], field: Field) -> Option<usize> {
        let value = |i: usize| self.normalized[i].values.get(field);
        let candidates: Vec<usize> = records
            .iter()
            .copied()
            .filter(|&i| !value(i).is_empty())
            .filter(|&i| {
                field != Field::CitizenId || !self.normalized[i].findings.iter().any(|f| f.code.is_id_damage())
            })
            .collect();
        let frequency = |i: usize| candidates.iter().filter(|&&j| value(j) == value(i)).count();
        candidates.iter().copied().min_by(|&a, &b| {
            let clean = |i: usize| doubtful(&self.normalized[i].findings, &[field]);
            clean(a)
                .cmp(&clean(b))
                .then_with(|| (self.night_of)(b).cmp((self.night_of)(a)))
                .then_with(|| frequency(b).cmp(&frequency(a)))
                .then(a.cmp(&b))
        })
    }

    /// The record whose address (all its parts) survives.
    fn best_address(&self, records: &[usize]) -> Option<usize> {
        let placed = |i: usize| match self.normalized[i].values.get(Field::AddressStatus) {
            "exact" => 0,
            "fuzzy" => 1,
            "ambiguous" => 2,
            _ => 3,
        };
        records
            .iter()
            .copied()
            .filter(|&i| ADDRESS_FIELDS.iter().any(|&f| !self.normalized[i].values.get(f).is_empty()))
            .min_by(|&a, &b| {
                let doubt = |i: usize| doubtful(&self.normalized[i].findings, &ADDRESS_FIELDS);
                placed(a)
                    .cmp(&placed(b))
                    .then_with(|| doubt(a).cmp(&doubt(b)))
                    .then_with(|| (self.night_of)(b).cmp((self.night_of)(a)))
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
        golden.sources[PERSON_FIELDS.iter().position(|&f| f == field).unwrap()]
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
        let rules = Survivorship { normalized: &records, night_of: &night_of };
        let golden = rules.golden_records(&[0, 0, 0, 0, 0, 0], 1, false);
        assert_eq!(source(&golden[0], Field::BirthDate), Some(2), "no finding, then the later night");
        assert_eq!(source(&golden[0], Field::Phone), Some(1), "the latest night");
        assert_eq!(source(&golden[0], Field::Ethnicity), Some(4), "the commonest, then the earliest");
        assert_eq!(source(&golden[0], Field::Religion), None);
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
        let rules = Survivorship { normalized: &records, night_of: &night_of };
        let golden = &rules.golden_records(&[0, 0], 1, true)[0];
        assert_eq!(source(golden, Field::CitizenId), None, "a damaged ID is no one's");
        assert_eq!(golden.address_source, Some(1));
    }
}
