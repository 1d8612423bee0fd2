//! The third stage: field and cross-field rules on normalised values. Each
//! broken rule becomes a finding with a stable code; a bad record is data,
//! never an error of the run.

pub mod citizen_id;
pub mod household;
pub mod persons;

use rayon::prelude::*;

use crate::finding::{Code, Finding};
use crate::guard::{guarded, Stage};
use crate::hash::HashSet;
use crate::normalize::Normalized;
use crate::record::{Field, PartialDate, RawRecord};
use crate::rules::Rules;
use citizen_id::CitizenIdRules;

/// The date a run is judged at: ages and "in the future" are measured from
/// it. It is a run setting (recorded in the manifest), so a rerun on another
/// day can reproduce the same outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReferenceDate {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl ReferenceDate {
    pub fn parse(text: &str) -> Option<ReferenceDate> {
        let mut parts = text.trim().split('-');
        let year = parts.next()?.parse().ok()?;
        let month = parts.next()?.parse().ok()?;
        let day = parts.next()?.parse().ok()?;
        let valid = parts.next().is_none()
            && (1..=12).contains(&month)
            && day >= 1
            && u32::from(day) <= crate::normalize::date::days_in_month(year, u32::from(month));
        valid.then_some(ReferenceDate { year, month, day })
    }

    /// Today in UTC.
    pub fn today() -> ReferenceDate {
        let seconds = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let days = (seconds / 86_400) as i64;
        let (year, month, day) = crate::clock::civil_from_days(days);
        ReferenceDate { year: year as u16, month: month as u8, day: day as u8 }
    }

    /// Whether a partial date lies after this date at its own precision:
    /// `2026` is not in the future during 2026.
    fn is_before(&self, date: &PartialDate) -> bool {
        let own = (self.year, self.month, self.day);
        match (date.month, date.day) {
            (Some(m), Some(d)) => (date.year, m, d) > own,
            (Some(m), None) => (date.year, m) > (own.0, own.1),
            _ => date.year > own.0,
        }
    }
}

impl std::fmt::Display for ReferenceDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

pub struct Validator<'a> {
    rules: &'a Rules,
    citizen_ids: CitizenIdRules,
    reference: ReferenceDate,
    /// Per input, a bit per field its columns map to; empty when every
    /// field is taken to have a column (cases, tests).
    input_fields: Vec<u32>,
}

/// The fields of an address, any of which an input may have a column for.
const ADDRESS_FIELDS: [Field; 6] = [
    Field::Address,
    Field::CommuneName,
    Field::OldDistrictName,
    Field::ProvinceName,
    Field::CommuneCode,
    Field::OldCommuneCode,
];

impl<'a> Validator<'a> {
    pub fn new(rules: &'a Rules, reference: ReferenceDate) -> Validator<'a> {
        let provinces: HashSet<String> = rules.cccd_provinces.iter().map(|(prefix, _)| prefix.clone()).collect();
        Validator { rules, citizen_ids: CitizenIdRules::new(provinces), reference, input_fields: Vec::new() }
    }

    /// Which fields each input gives values for
    /// ([`crate::read::Extract::fields_given`]): a field an input never
    /// gives is said missing once for the input, not on each record.
    pub fn with_input_fields(mut self, input_fields: Vec<u32>) -> Validator<'a> {
        self.input_fields = input_fields;
        self
    }

    fn input_has(&self, source: u32, field: Field) -> bool {
        self.input_fields.get(source as usize).is_none_or(|mask| mask & (1 << field.index()) != 0)
    }

    pub fn citizen_ids(&self) -> &CitizenIdRules {
        &self.citizen_ids
    }

    /// Adds the findings of every record to its normalised form.
    /// A record whose validation panics is marked for quarantine; the
    /// others go on.
    pub fn validate_all(&self, raws: &[RawRecord], records: &mut [Normalized], parallel: bool) {
        let one = |(record, raw): (&mut Normalized, &RawRecord)| {
            if record.internal_error.is_none() && guarded(|| self.validate(raw, record)).is_none() {
                record.internal_error = Some(Stage::Validate);
            }
        };
        if parallel {
            records.par_iter_mut().zip(raws.par_iter()).for_each(one);
        } else {
            records.iter_mut().zip(raws).for_each(one);
        }
    }

    pub fn validate(&self, raw: &RawRecord, record: &mut Normalized) {
        crate::fault::panic_on_row("validate", raw.row);
        let mut findings = Vec::new();
        for &field in &self.rules.validation.required {
            let missing = raw.values.get(field).trim().is_empty() && !record.values.is_present(field);
            if missing && (field == Field::FullName || self.input_has(raw.source, field)) {
                let code = if field == Field::FullName { Code::NameMissing } else { Code::FieldMissing };
                findings.push(Finding::new(field, code, ""));
            }
        }

        // An input with address columns that are all empty on this record:
        // the commune cannot be determined (normalising reports the ones
        // written but not placed).
        let has_address_columns = ADDRESS_FIELDS.iter().any(|&f| self.input_has(raw.source, f));
        if has_address_columns && ADDRESS_FIELDS.iter().all(|&f| raw.values.get(f).trim().is_empty()) {
            findings.push(Finding::new(Field::Address, Code::AddressUnresolved, ""));
        }

        let id = record.values.get(Field::CitizenId);
        if !id.is_empty() {
            for (code, suggestion) in self.citizen_ids.check(id, record.sex, record.birth_date.as_ref()) {
                findings.push(
                    Finding::new(Field::CitizenId, code, raw.values.get(Field::CitizenId)).with_suggestion(suggestion),
                );
            }
        }
        for field in [Field::CitizenId, Field::OldId] {
            let written = raw.values.get(field).trim().trim_start_matches('\'');
            let cleaned = record.values.get(field);
            if !cleaned.is_empty() && written != cleaned {
                findings.push(
                    Finding::new(field, Code::IdSeparatorsRemoved, raw.values.get(field)).with_suggestion(cleaned),
                );
            }
        }
        let old_id = record.values.get(Field::OldId);
        let old_id_well_formed = self.citizen_ids.old_id_is_well_formed(old_id, record.sex, record.birth_date.as_ref());
        if !old_id.is_empty() && !old_id_well_formed {
            findings.push(Finding::new(Field::OldId, Code::OldIdInvalid, raw.values.get(Field::OldId)));
        } else if old_id.len() == 12 && !id.is_empty() && old_id != id {
            findings
                .push(Finding::new(Field::OldId, Code::OldIdDiffers, raw.values.get(Field::OldId)).with_suggestion(id));
        }

        if let Some(birth) = &record.birth_date {
            if self.reference.is_before(birth) {
                findings.push(Finding::new(Field::BirthDate, Code::DateFuture, raw.values.get(Field::BirthDate)));
            } else if u32::from(self.reference.year.saturating_sub(birth.year)) > self.rules.validation.age_limit {
                findings.push(Finding::new(Field::BirthDate, Code::AgeOverLimit, raw.values.get(Field::BirthDate)));
            }
        }
        record.findings.extend(findings);
    }
}

#[cfg(test)]
mod cases {
    //! The cases of `fixtures/cases/validation.toml`: each case's records are
    //! cleaned together by the stages `dancu clean` runs, in its order, and
    //! the findings compared with the expected set.

    use std::collections::BTreeMap;

    use serde::Deserialize;

    use super::*;
    use crate::record::FieldValuesBuilder;
    use crate::rules::RuleSource;

    #[derive(Deserialize)]
    struct Cases {
        case: Vec<Case>,
    }

    #[derive(Deserialize)]
    struct Case {
        id: String,
        note: String,
        records: Vec<BTreeMap<String, String>>,
        expect: Vec<Expected>,
    }

    #[derive(Deserialize, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
    struct Expected {
        record: usize,
        code: String,
        field: String,
        suggestion: Option<String>,
    }

    fn clean(
        rules: &Rules,
        normalizer: &crate::normalize::Normalizer,
        validator: &Validator,
        frequencies: &crate::link::frequency::NameFrequencies,
        records: &[RawRecord],
    ) -> Vec<Normalized> {
        let mut normalized = normalizer.normalize_all(records, false, &|_| {});
        validator.validate_all(records, &mut normalized, false);
        crate::pipeline::link_and_check(&mut normalized, validator, rules, frequencies, &[], false);
        normalized
    }

    #[test]
    fn every_case_of_the_cases_file_holds() {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/cases/validation.toml")).unwrap();
        let cases: Cases = toml::from_str(&text).unwrap();
        assert!(cases.case.len() >= 250, "{} cases", cases.case.len());
        let rules = Rules::load(&RuleSource::BuiltIn, None).unwrap();
        let reference = ReferenceDate::parse("2026-01-01").unwrap();
        let normalizer = crate::normalize::Normalizer::new(&rules, reference.year);
        let validator = Validator::new(&rules, reference);
        let frequencies = crate::link::frequency::NameFrequencies::from_rules(&rules);
        let mut failures = Vec::new();
        for c in &cases.case {
            let raws: Vec<RawRecord> = c
                .records
                .iter()
                .enumerate()
                .map(|(i, fields)| {
                    let mut values = FieldValuesBuilder::default();
                    for (name, value) in fields {
                        let field = Field::from_name(name).unwrap_or_else(|| panic!("{}: no field {name}", c.id));
                        values.set(field, value.as_str());
                    }
                    RawRecord {
                        source: 0,
                        row: i as u64 + 1,
                        line: i as u64 + 2,
                        values: values.build(),
                        origin: None,
                        extras: Vec::new(),
                    }
                })
                .collect();
            let normalized = clean(&rules, &normalizer, &validator, &frequencies, &raws);
            let mut got: Vec<Expected> = normalized
                .iter()
                .enumerate()
                .flat_map(|(i, record)| {
                    record.findings.iter().map(move |f| Expected {
                        record: i,
                        code: f.code.as_str().to_string(),
                        field: f.field.name().to_string(),
                        suggestion: Some(f.suggestion.to_string()),
                    })
                })
                .collect();
            got.sort();
            let mut expected = c.expect.clone();
            expected.sort();
            let matches = got.len() == expected.len()
                && got.iter().zip(&expected).all(|(g, e)| {
                    (g.record, &g.code, &g.field) == (e.record, &e.code, &e.field)
                        && e.suggestion.as_ref().is_none_or(|s| Some(s) == g.suggestion.as_ref())
                });
            if !matches {
                let show = |list: &[Expected]| {
                    list.iter()
                        .map(|e| {
                            format!("{}:{}:{}={:?}", e.record, e.code, e.field, e.suggestion.as_deref().unwrap_or("*"))
                        })
                        .collect::<Vec<_>>()
                        .join(" ")
                };
                failures.push(format!(
                    "{} ({}):\n  expected [{}]\n  got      [{}]",
                    c.id,
                    c.note,
                    show(&expected),
                    show(&got)
                ));
            }
        }
        assert!(failures.is_empty(), "{} of {} cases fail:\n{}", failures.len(), cases.case.len(), failures.join("\n"));
    }
}
