//! The third stage: field and cross-field rules on normalised values. Each
//! broken rule becomes a finding with a stable code; a bad record is data,
//! never an error of the run.

pub mod citizen_id;
pub mod household;

use std::collections::HashSet;

use rayon::prelude::*;

use crate::finding::{Code, Finding};
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
        let (year, month, day) = crate::normalize::date::civil_from_days(days);
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
}

impl<'a> Validator<'a> {
    pub fn new(rules: &'a Rules, reference: ReferenceDate) -> Validator<'a> {
        let provinces: HashSet<String> = rules.cccd_provinces.iter().map(|(prefix, _)| prefix.clone()).collect();
        Validator { rules, citizen_ids: CitizenIdRules::new(provinces), reference }
    }

    pub fn citizen_ids(&self) -> &CitizenIdRules {
        &self.citizen_ids
    }

    /// Adds the findings of every record to its normalised form.
    pub fn validate_all(&self, raws: &[RawRecord], records: &mut [Normalized], parallel: bool) {
        if parallel {
            records.par_iter_mut().zip(raws.par_iter()).for_each(|(record, raw)| self.validate(raw, record));
        } else {
            for (record, raw) in records.iter_mut().zip(raws) {
                self.validate(raw, record);
            }
        }
    }

    pub fn validate(&self, raw: &RawRecord, record: &mut Normalized) {
        let mut findings = Vec::new();
        for &field in &self.rules.validation.required {
            if raw.values.get(field).trim().is_empty() && !record.values.is_present(field) {
                let code = if field == Field::FullName { Code::NameMissing } else { Code::FieldMissing };
                findings.push(Finding::new(field, code, ""));
            }
        }

        let id = record.values.get(Field::CitizenId);
        if !id.is_empty() {
            for (code, suggestion) in self.citizen_ids.check(id, record.sex, record.birth_date.as_ref()) {
                findings.push(
                    Finding::new(Field::CitizenId, code, raw.values.get(Field::CitizenId)).with_suggestion(suggestion),
                );
            }
        }
        let old_id = record.values.get(Field::OldId);
        let old_id_well_formed = old_id.bytes().all(|b| b.is_ascii_digit()) && matches!(old_id.len(), 9 | 12);
        if !old_id.is_empty() && !old_id_well_formed {
            findings.push(Finding::new(Field::OldId, Code::OldIdInvalid, raw.values.get(Field::OldId)));
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
