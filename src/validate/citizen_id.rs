//! The 12-digit personal identification number (số định danh cá nhân):
//! digits 1-3 the province where the birth was registered, digit 4 century
//! and sex, digits 5-6 the last two digits of the birth year, 7-12 a serial.
//! There is no check digit, so validity is structure plus consistency with
//! the record's sex and birth date.

use std::collections::HashSet;

use crate::finding::Code;
use crate::record::{PartialDate, Sex};

pub struct CitizenIdRules {
    provinces: HashSet<String>,
}

impl CitizenIdRules {
    pub fn new(provinces: HashSet<String>) -> CitizenIdRules {
        CitizenIdRules { provinces }
    }

    /// Whether an ID is structurally sound on its own (12 digits, a known
    /// province): the kind of ID that may identify a person in linkage.
    pub fn is_well_formed(&self, id: &str) -> bool {
        id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) && self.provinces.contains(&id[..3])
    }

    /// Every problem with `id` given the record's sex and birth date, each
    /// with a suggestion where one follows from the other fields.
    pub fn check(&self, id: &str, sex: Option<Sex>, birth: Option<&PartialDate>) -> Vec<(Code, String)> {
        let mut problems = Vec::new();
        if !id.bytes().all(|b| b.is_ascii_digit()) {
            problems.push((Code::IdNotDigits, String::new()));
            return problems;
        }
        if id.len() != 12 {
            problems.push((Code::IdLength, String::new()));
            return problems;
        }
        if !self.provinces.contains(&id[..3]) {
            problems.push((Code::IdProvinceUnknown, String::new()));
        }
        let digit4 = id.as_bytes()[3] - b'0';
        let id_sex = if digit4.is_multiple_of(2) { Sex::Male } else { Sex::Female };
        // 0/1 = 1900s, 2/3 = 2000s, 4/5 = 2100s ...
        let id_century_start = 1900 + u16::from(digit4 / 2) * 100;
        let id_year = id_century_start + id[4..6].parse::<u16>().unwrap_or(0);
        if let Some(sex) = sex {
            if sex != id_sex {
                problems.push((Code::IdSexMismatch, String::new()));
            }
        }
        if let Some(birth) = birth {
            let birth_century_start = birth.year / 100 * 100;
            if birth_century_start != id_century_start {
                problems.push((Code::IdCenturyMismatch, String::new()));
            } else if birth.year != id_year {
                problems.push((Code::IdYearMismatch, String::new()));
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> CitizenIdRules {
        CitizenIdRules::new(["001", "038", "079"].iter().map(|s| s.to_string()).collect())
    }

    fn born(year: u16) -> PartialDate {
        PartialDate { year, month: None, day: None }
    }

    fn codes(id: &str, sex: Option<Sex>, year: Option<u16>) -> Vec<Code> {
        rules().check(id, sex, year.map(born).as_ref()).into_iter().map(|(c, _)| c).collect()
    }

    #[test]
    fn a_consistent_id_has_no_problems() {
        assert!(codes("038085000123", Some(Sex::Male), Some(1985)).is_empty());
        assert!(codes("001305000123", Some(Sex::Female), Some(2005)).is_empty());
    }

    #[test]
    fn each_inconsistency_has_its_code() {
        assert_eq!(codes("03808500012", None, None), vec![Code::IdLength]);
        assert_eq!(codes("03808500O123", None, None), vec![Code::IdNotDigits]);
        assert_eq!(codes("099085000123", None, None), vec![Code::IdProvinceUnknown]);
        assert_eq!(codes("038085000123", Some(Sex::Female), None), vec![Code::IdSexMismatch]);
        assert_eq!(codes("038085000123", None, Some(2085)), vec![Code::IdCenturyMismatch]);
        assert_eq!(codes("038085000123", None, Some(1986)), vec![Code::IdYearMismatch]);
    }
}
