//! The 12-digit personal identification number (số định danh cá nhân):
//! digits 1-3 the province where the birth was registered, digit 4 century
//! and sex, digits 5-6 the last two digits of the birth year, 7-12 a serial.
//! There is no check digit, so validity is structure plus consistency with
//! the record's sex and birth date.

use crate::finding::Code;
use crate::hash::HashSet;
use crate::record::{PartialDate, Sex};

/// The facts a 12-digit personal ID encodes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedId {
    pub province: String,
    pub known_province: bool,
    pub sex: Sex,
    pub century_start: u16,
    pub birth_year: u16,
    pub serial: String,
}

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

    /// Whether an old ID (CMND) is sound: nine digits (the paper card has no
    /// structure beyond that), or twelve with the citizen ID's structure
    /// (the 2012-2016 card, whose number became the holder's citizen ID).
    pub fn old_id_is_well_formed(&self, id: &str, sex: Option<Sex>, birth: Option<&PartialDate>) -> bool {
        id.bytes().all(|b| b.is_ascii_digit())
            && match id.len() {
                9 => true,
                12 => self.check(id, sex, birth).is_empty(),
                _ => false,
            }
    }

    /// What a 12-digit number says about its holder: the province prefix,
    /// sex, birth year and serial. `None` unless it is 12 digits.
    pub fn parse(&self, id: &str) -> Option<ParsedId> {
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let digit4 = id.as_bytes()[3] - b'0';
        // 0/1 = 1900s, 2/3 = 2000s, 4/5 = 2100s ...; even male, odd female.
        let century_start = 1900 + u16::from(digit4 / 2) * 100;
        Some(ParsedId {
            province: id[..3].to_string(),
            known_province: self.provinces.contains(&id[..3]),
            sex: if digit4.is_multiple_of(2) { Sex::Male } else { Sex::Female },
            century_start,
            birth_year: century_start + id[4..6].parse::<u16>().unwrap_or(0),
            serial: id[6..].to_string(),
        })
    }

    /// Every problem with `id` given the record's sex and birth date, each
    /// with a suggestion where one can be derived: letters typed for digits
    /// (`O` for 0, `I` or `l` for 1), or the leading zero a spreadsheet
    /// dropped, when the corrected number is consistent with the record.
    pub fn check(&self, id: &str, sex: Option<Sex>, birth: Option<&PartialDate>) -> Vec<(Code, String)> {
        let consistent = |candidate: &str| {
            self.parse(candidate).is_some_and(|p| p.known_province)
                && self.consistency(candidate, sex, birth).is_empty()
        };
        if !id.bytes().all(|b| b.is_ascii_digit()) {
            let fixed: String = id
                .chars()
                .map(|c| match c {
                    'O' | 'o' => '0',
                    'I' | 'l' | 'i' | '|' => '1',
                    c => c,
                })
                .collect();
            let suggestion = if consistent(&fixed) { fixed } else { String::new() };
            return vec![(Code::IdNotDigits, suggestion)];
        }
        if id.len() == 11 && consistent(&format!("0{id}")) {
            return vec![(Code::IdLeadingZeroLost, format!("0{id}"))];
        }
        if id.len() != 12 {
            return vec![(Code::IdLength, String::new())];
        }
        self.consistency(id, sex, birth)
    }

    fn consistency(&self, id: &str, sex: Option<Sex>, birth: Option<&PartialDate>) -> Vec<(Code, String)> {
        let mut problems = Vec::new();
        let Some(parsed) = self.parse(id) else { return vec![(Code::IdLength, String::new())] };
        if !parsed.known_province {
            problems.push((Code::IdProvinceUnknown, String::new()));
        }
        if sex.is_some_and(|s| s != parsed.sex) {
            problems.push((Code::IdSexMismatch, String::new()));
        }
        if let Some(birth) = birth {
            if birth.year / 100 * 100 != parsed.century_start {
                problems.push((Code::IdCenturyMismatch, String::new()));
            } else if birth.year != parsed.birth_year {
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
        assert_eq!(codes("3808500012", None, None), vec![Code::IdLength]);
        assert_eq!(codes("03808500O123", None, None), vec![Code::IdNotDigits]);
        assert_eq!(codes("099085000123", None, None), vec![Code::IdProvinceUnknown]);
        assert_eq!(codes("038085000123", Some(Sex::Female), None), vec![Code::IdSexMismatch]);
        assert_eq!(codes("038085000123", None, Some(2085)), vec![Code::IdCenturyMismatch]);
        assert_eq!(codes("038085000123", None, Some(1986)), vec![Code::IdYearMismatch]);
    }
}

#[cfg(test)]
mod conformance {
    //! The peers' ID vectors (`fixtures/conformance/`), read with the real
    //! province list. Where dancu differs on purpose, the test says why.

    use super::*;
    use crate::rules::{RuleSource, Rules};

    fn rules() -> CitizenIdRules {
        let rules = Rules::load(&RuleSource::BuiltIn, None).unwrap();
        CitizenIdRules::new(rules.cccd_provinces.iter().map(|(p, _)| p.clone()).collect())
    }

    fn vectors(file: &str) -> Vec<serde_json::Value> {
        let path = format!("{}/fixtures/conformance/{file}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }

    #[test]
    fn validity_of_twelve_digit_ids() {
        let rules = rules();
        let mut checked = 0;
        for v in vectors("vn_ident_conformance.jsonl").iter().filter(|v| v["fn"] == "isValidCccd") {
            let code = v["input"]["code"].as_str().unwrap();
            // dancu trims the spaces a spreadsheet cell carries before it
            // reads a number (the peer refuses them): the ID itself is fine.
            if code != code.trim() {
                continue;
            }
            let id = crate::normalize::id::normalize_id(code);
            let valid = !id.is_empty() && rules.check(&id, None, None).is_empty();
            assert_eq!(valid, v["expected"].as_bool().unwrap(), "{} {code:?}", v["id"]);
            checked += 1;
        }
        assert!(checked >= 60, "{checked}");
    }

    #[test]
    fn validity_of_old_ids_and_the_second_peers_twelve_digit_ids() {
        let rules = rules();
        let mut checked = 0;
        for v in vectors("vn_ident_conformance.jsonl").iter().filter(|v| v["fn"] == "isValidCmnd") {
            let code = v["input"]["code"].as_str().unwrap();
            assert_eq!(rules.old_id_is_well_formed(code, None, None) && !code.is_empty(), v["expected"], "{}", v["id"]);
            checked += 1;
        }
        for v in vectors("cccd_cross_peer.jsonl").iter().filter(|v| v["fn"] == "is_valid_cccd") {
            let code = v["input"].as_str().unwrap();
            // The peers disagree on an all-zero serial and the circulars are
            // silent; dancu sides with vn-ident (no check digit, nothing to
            // fail), as in `what_an_id_says_about_its_holder`.
            if code.ends_with("000000") {
                continue;
            }
            assert_eq!(rules.check(code, None, None).is_empty(), v["expected"], "{}", v["id"]);
            checked += 1;
        }
        // Not tested, on purpose: `isValidMst`, `mstCheckDigit`, `parseMst`
        // (tax codes are not a field of a population extract), `classifyId`
        // (dancu knows which column holds which number from the header) and
        // `detectCarrier` (the carrier is not part of a cleaned record).
        assert!(checked >= 7, "{checked}");
    }

    #[test]
    fn what_an_id_says_about_its_holder() {
        let rules = rules();
        let mut checked = 0;
        for v in vectors("vn_ident_conformance.jsonl").iter().filter(|v| v["fn"] == "parseCccd") {
            let code = v["input"]["code"].as_str().unwrap();
            let expected = &v["expected"];
            match rules.parse(code).filter(|p| p.known_province) {
                None => assert!(expected.is_null(), "{}", v["id"]),
                Some(parsed) => {
                    assert_eq!(expected["provinceCode"], parsed.province.as_str(), "{}", v["id"]);
                    assert_eq!(expected["birthYear"], parsed.birth_year, "{}", v["id"]);
                    assert_eq!(expected["serial"], parsed.serial.as_str(), "{}", v["id"]);
                    let sex = if parsed.sex == Sex::Male { "male" } else { "female" };
                    assert_eq!(expected["gender"], sex, "{}", v["id"]);
                }
            }
            checked += 1;
        }
        for v in vectors("cccd_cross_peer.jsonl").iter().filter(|v| v["fn"] == "parse_cccd") {
            let code = v["input"].as_str().unwrap();
            let expected = &v["expected"];
            if expected.is_null() {
                // The two peers disagree on an all-zero serial; dancu, like
                // the first, accepts it: there is no check digit to fail.
                continue;
            }
            let parsed = rules.parse(code).unwrap();
            assert_eq!(expected["birth_year"], parsed.birth_year, "{}", v["id"]);
            assert_eq!(expected["serial"], parsed.serial.as_str(), "{}", v["id"]);
            checked += 1;
        }
        assert!(checked >= 15, "{checked}");
    }

    #[test]
    fn letters_for_digits_and_a_lost_leading_zero_come_with_a_suggestion() {
        let rules = rules();
        let born = PartialDate { year: 1985, month: None, day: None };
        let check = |id: &str| rules.check(id, Some(Sex::Male), Some(&born));
        assert_eq!(check("O38O85OOO123"), vec![(Code::IdNotDigits, "038085000123".to_string())]);
        assert_eq!(check("038085l00I23"), vec![(Code::IdNotDigits, "038085100123".to_string())]);
        assert_eq!(check("38085000123"), vec![(Code::IdLeadingZeroLost, "038085000123".to_string())]);
        // A fix that disagrees with the record is not offered.
        assert_eq!(check("O38185OOO123"), vec![(Code::IdNotDigits, String::new())]);
    }
}
