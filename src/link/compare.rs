//! Comparisons in the vocabulary of record linkage: each compared field has
//! an ordered list of levels, most similar first; a pair of records gets one
//! level per comparison (or `null` when either side lacks the value), and
//! each level carries a match weight log2(m/u) from `linkage.toml`.

use crate::record::{PartialDate, Sex};
use crate::text::edit_distance_within;

/// A comparison's name and its levels, most similar first.
pub struct Comparison {
    pub name: &'static str,
    pub levels: &'static [&'static str],
}

pub const FULL_NAME: usize = 0;
pub const BIRTH_DATE: usize = 1;
pub const SEX: usize = 2;
pub const CITIZEN_ID: usize = 3;
pub const OLD_ID: usize = 4;
pub const FATHER_NAME: usize = 5;
pub const MOTHER_NAME: usize = 6;
pub const COMMUNE: usize = 7;
pub const PHONE: usize = 8;

/// Levels of `full_name` that say the names agree (a typo at most).
pub const NAME_AGREES: u8 = 3;
/// The `full_name` level of names with nothing in common.
pub const NAME_ELSE: u8 = 5;
/// The `full_name` levels whose weight is adjusted by the name's frequency.
pub const NAME_EXACT_LEVELS: u8 = 2;

pub const COMPARISONS: [Comparison; 9] = [
    Comparison {
        name: "full_name",
        levels: &["exact", "folded_exact", "one_edit", "two_edits", "given_equal", "else"],
    },
    Comparison {
        name: "birth_date",
        // `one_digit`: one typing error, a wrong digit or two neighbours
        // swapped.
        levels: &["exact", "day_month_swapped", "one_digit", "same_year_month", "same_year", "within_year", "else"],
    },
    Comparison { name: "sex", levels: &["exact", "else"] },
    Comparison { name: "citizen_id", levels: &["exact", "one_digit", "transposed", "else"] },
    Comparison { name: "old_id", levels: &["exact", "else"] },
    Comparison { name: "father_name", levels: &["exact", "similar", "else"] },
    Comparison { name: "mother_name", levels: &["exact", "similar", "else"] },
    Comparison { name: "commune", levels: &["same", "same_district", "else"] },
    Comparison { name: "phone", levels: &["exact", "else"] },
];

/// Written where a comparison has no level because a side lacks the value.
pub const NULL_LEVEL: u8 = u8::MAX;

/// Names this long or longer (folded, in bytes) may differ in two edits and
/// still be `two_edits`; shorter ones are too close to other names.
pub const TWO_EDITS_MIN_LENGTH: usize = 8;

/// What a record contributes to comparisons, computed once per record so
/// that comparing a pair allocates nothing. Values the normalised record
/// holds already are borrowed from it.
#[derive(Clone, Debug, Default)]
pub struct ComparisonKeys<'r> {
    /// The display form of the full name.
    pub name: &'r str,
    /// Diacritic-free words of the full name.
    pub name_key: &'r str,
    pub surname_key: Box<str>,
    pub given_key: Box<str>,
    pub birth_date: Option<PartialDate>,
    pub sex: Option<Sex>,
    /// Only a well-formed ID; empty otherwise.
    pub citizen_id: &'r str,
    /// The ID agrees with its own record (birth year, century and sex
    /// digits, province code): only such an ID is evidence that two records
    /// with different IDs are two people. A damaged copy's ID is not.
    pub citizen_id_consistent: bool,
    pub old_id: &'r str,
    pub father_key: Box<str>,
    pub mother_key: Box<str>,
    /// Post-2025 and pre-2025 commune codes and the pre-2025 district code,
    /// as numbers (0 when unknown).
    pub commune: u32,
    pub old_commune: u32,
    pub old_district: u32,
    pub phone: &'r str,
    pub household: &'r str,
}

/// The level of each comparison for one pair; [`NULL_LEVEL`] where null.
pub type ComparisonVector = [u8; COMPARISONS.len()];

/// Names are compared by edit distance on their diacritic-free keys, not by
/// Jaro-Winkler: family members share surname and middle name, so two
/// brothers' full names are Jaro-Winkler-close and one letter apart is a
/// better sign of a typo.
pub fn compare(a: &ComparisonKeys, b: &ComparisonKeys) -> ComparisonVector {
    let full_name = if a.name_key.is_empty() || b.name_key.is_empty() {
        NULL_LEVEL
    } else if a.name == b.name {
        0
    } else if a.name_key == b.name_key {
        1
    } else {
        // Only one or two edits matter: the table stops past two.
        match edit_distance_within(a.name_key, b.name_key, 2) {
            Some(1) => 2,
            // Two slips, but not both in the given name: `An` and `Bảo` are
            // two brothers, not a typo.
            Some(2)
                if a.name_key.len().min(b.name_key.len()) >= TWO_EDITS_MIN_LENGTH
                    && edit_distance_within(&a.given_key, &b.given_key, 1).is_some() =>
            {
                3
            }
            _ if !a.given_key.is_empty() && a.given_key == b.given_key => 4,
            _ => 5,
        }
    };
    let text = |x: &str, y: &str| {
        if x.is_empty() || y.is_empty() {
            NULL_LEVEL
        } else {
            u8::from(x != y)
        }
    };
    let parent = |x: &str, y: &str| {
        if x.is_empty() || y.is_empty() {
            NULL_LEVEL
        } else if x == y {
            0
        } else if x.len().min(y.len()) >= TWO_EDITS_MIN_LENGTH && edit_distance_within(x, y, 2).is_some() {
            1
        } else {
            2
        }
    };
    let sex = match (a.sex, b.sex) {
        (Some(x), Some(y)) => u8::from(x != y),
        _ => NULL_LEVEL,
    };
    let citizen_id = if a.citizen_id.is_empty() || b.citizen_id.is_empty() {
        NULL_LEVEL
    } else if a.citizen_id == b.citizen_id {
        0
    } else {
        match id_typo(a.citizen_id, b.citizen_id) {
            Some(IdTypo::OneDigit) => 1,
            Some(IdTypo::Transposed) => 2,
            // Two different IDs say two people only when both agree with
            // their records; a damaged one says nothing.
            None if a.citizen_id_consistent && b.citizen_id_consistent => 3,
            None => NULL_LEVEL,
        }
    };
    let commune = if a.commune == 0 && a.old_commune == 0 || b.commune == 0 && b.old_commune == 0 {
        NULL_LEVEL
    } else if (a.commune != 0 && a.commune == b.commune) || (a.old_commune != 0 && a.old_commune == b.old_commune) {
        0
    } else if a.old_district != 0 && a.old_district == b.old_district {
        1
    } else {
        2
    };
    [
        full_name,
        compare_dates(a.birth_date.as_ref(), b.birth_date.as_ref()),
        sex,
        citizen_id,
        text(a.old_id, b.old_id),
        parent(&a.father_key, &b.father_key),
        parent(&a.mother_key, &b.mother_key),
        commune,
        text(a.phone, b.phone),
    ]
}

/// Birth dates compared at the precision both have: full dates down to a
/// swapped day and month or one mistyped digit; a month or a year only as
/// far as they go.
fn compare_dates(a: Option<&PartialDate>, b: Option<&PartialDate>) -> u8 {
    let (Some(a), Some(b)) = (a, b) else { return NULL_LEVEL };
    let years = a.year.abs_diff(b.year);
    match (a.month, a.day, b.month, b.day) {
        (Some(am), Some(ad), Some(bm), Some(bd)) => {
            if (a.year, am, ad) == (b.year, bm, bd) {
                0
            } else if a.year == b.year && am == bd && ad == bm {
                1
            } else if date_digits_apart(a.year, am, ad, b.year, bm, bd) == 1
                || one_transposition_apart(a.year, am, ad, b.year, bm, bd)
                || (am, ad) == (bm, bd) && century_slip(a.year, b.year)
            {
                2
            } else if a.year == b.year && am == bm {
                3
            } else if years == 0 {
                4
            } else if years == 1 {
                5
            } else {
                6
            }
        }
        (Some(am), _, Some(bm), _) if a.year == b.year && am == bm => 3,
        _ if years == 0 => 4,
        _ if years == 1 => 5,
        _ => 6,
    }
}

/// Whether two years differ only in their century (`17/08/69` made 2069
/// where it was 1969): a two-digit year expanded into the wrong century is
/// a slip of the same kind as a wrong digit.
fn century_slip(a: u16, b: u16) -> bool {
    a != b && a % 100 == b % 100
}

/// How many of the eight digits of `yyyymmdd` differ.
fn date_digits_apart(ay: u16, am: u8, ad: u8, by: u16, bm: u8, bd: u8) -> usize {
    let digits = |y: u16, m: u8, d: u8| {
        let n = u32::from(y) * 10_000 + u32::from(m) * 100 + u32::from(d);
        (0..8).map(move |i| (n / 10u32.pow(i)) % 10)
    };
    digits(ay, am, ad).zip(digits(by, bm, bd)).filter(|(x, y)| x != y).count()
}

/// Whether two dates' `yyyymmdd` digits differ by two neighbours swapped
/// (`1985` typed `1958`): a typing error like one wrong digit.
fn one_transposition_apart(ay: u16, am: u8, ad: u8, by: u16, bm: u8, bd: u8) -> bool {
    let digits = |y: u16, m: u8, d: u8| format!("{y:04}{m:02}{d:02}");
    matches!(id_typo(&digits(ay, am, ad), &digits(by, bm, bd)), Some(IdTypo::Transposed))
}

/// The typing error that turns one ID into another, if one does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdTypo {
    OneDigit,
    Transposed,
}

pub fn id_typo(a: &str, b: &str) -> Option<IdTypo> {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return None;
    }
    let mut differing = (0..a.len()).filter(|&i| a[i] != b[i]);
    match (differing.next(), differing.next(), differing.next()) {
        (Some(_), None, None) => Some(IdTypo::OneDigit),
        (Some(i), Some(j), None) if j == i + 1 && a[i] == b[j] && a[j] == b[i] => Some(IdTypo::Transposed),
        _ => None,
    }
}

/// Two numbers of one length that differ in one digit, or in two adjacent
/// digits swapped: the typing errors an ID survives.
pub fn one_digit_apart(a: &str, b: &str) -> bool {
    id_typo(a, b).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_run_from_exact_to_else_and_null() {
        let a = ComparisonKeys {
            name: "Nguyễn Văn An",
            name_key: "nguyen van an",
            surname_key: "nguyen".into(),
            given_key: "an".into(),
            birth_date: Some(PartialDate { year: 1985, month: Some(3), day: Some(7) }),
            sex: Some(Sex::Male),
            citizen_id: "038085000123",
            father_key: "nguyen van ba".into(),
            commune: 4,
            old_commune: 1,
            old_district: 1,
            ..ComparisonKeys::default()
        };
        let mut b = a.clone();
        assert_eq!(compare(&a, &b), [0, 0, 0, 0, NULL_LEVEL, 0, NULL_LEVEL, 0, NULL_LEVEL]);
        b.name = "Nguyen Van An";
        b.birth_date = Some(PartialDate { year: 1985, month: None, day: None });
        b.sex = None;
        b.citizen_id = "038085000132";
        b.commune = 8;
        b.old_commune = 2;
        assert_eq!(compare(&a, &b)[..4], [1, 4, NULL_LEVEL, 2]);
        assert_eq!(compare(&a, &b)[COMMUNE], 1);
        b.name_key = "nguyen van anh";
        assert_eq!(compare(&a, &b)[FULL_NAME], 2);
        b.name_key = "nguyen van bao";
        b.given_key = "bao".into();
        assert_eq!(compare(&a, &b)[FULL_NAME], 5, "brothers' names are not typos of each other");
        b.name_key = "tran thi an";
        b.given_key = "an".into();
        assert_eq!(compare(&a, &b)[FULL_NAME], 4);
    }

    #[test]
    fn dates_compare_at_their_precision() {
        let full = |y, m, d| Some(PartialDate { year: y, month: Some(m), day: Some(d) });
        let date = full(1985, 3, 7);
        assert_eq!(compare_dates(date.as_ref(), full(1985, 7, 3).as_ref()), 1);
        assert_eq!(compare_dates(date.as_ref(), full(1985, 3, 8).as_ref()), 2);
        assert_eq!(compare_dates(date.as_ref(), full(1995, 3, 7).as_ref()), 2);
        assert_eq!(compare_dates(date.as_ref(), full(1985, 3, 20).as_ref()), 3);
        assert_eq!(compare_dates(date.as_ref(), full(1985, 11, 20).as_ref()), 4);
        assert_eq!(compare_dates(date.as_ref(), full(1986, 11, 20).as_ref()), 5);
        assert_eq!(compare_dates(date.as_ref(), full(1990, 11, 20).as_ref()), 6);
        // A two-digit year expanded into the wrong century is one slip.
        assert_eq!(compare_dates(date.as_ref(), full(2085, 3, 7).as_ref()), 2);
        assert_eq!(compare_dates(date.as_ref(), full(2085, 3, 8).as_ref()), 6);
        let month = Some(PartialDate { year: 1985, month: Some(3), day: None });
        assert_eq!(compare_dates(date.as_ref(), month.as_ref()), 3);
        assert_eq!(compare_dates(date.as_ref(), None), NULL_LEVEL);
    }

    #[test]
    fn id_typos_are_one_digit_or_one_transposition() {
        assert_eq!(id_typo("038085000123", "038085000124"), Some(IdTypo::OneDigit));
        assert_eq!(id_typo("038085000123", "038085000132"), Some(IdTypo::Transposed));
        assert_eq!(id_typo("038085000123", "038085000321"), None);
        assert_eq!(id_typo("038085000123", "38085000123"), None);
    }
}
