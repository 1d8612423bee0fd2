//! Comparisons in the vocabulary of record linkage: each compared field has
//! an ordered list of levels, most similar first; a pair of records gets one
//! level per comparison (or `null` when either side lacks the value), and
//! each level carries a match weight log2(m/u) from `linkage.toml`.

use crate::record::{PartialDate, Sex};

/// A comparison's name and its levels, most similar first.
pub struct Comparison {
    pub name: &'static str,
    pub levels: &'static [&'static str],
}

pub const FULL_NAME: usize = 0;
pub const BIRTH_DATE: usize = 1;
pub const SEX: usize = 2;
pub const CITIZEN_ID: usize = 3;

pub const COMPARISONS: [Comparison; 4] = [
    Comparison { name: "full_name", levels: &["exact", "folded_exact", "similar", "else"] },
    Comparison { name: "birth_date", levels: &["exact", "same_year", "else"] },
    Comparison { name: "sex", levels: &["exact", "else"] },
    Comparison { name: "citizen_id", levels: &["exact", "one_digit", "else"] },
];

/// Written where a comparison has no level because a side lacks the value.
pub const NULL_LEVEL: u8 = u8::MAX;

/// What a record contributes to comparisons, computed once per record.
#[derive(Clone, Debug, Default)]
pub struct ComparisonKeys {
    pub name: Box<str>,
    pub name_key: Box<str>,
    pub birth_date: Option<PartialDate>,
    pub sex: Option<Sex>,
    pub citizen_id: Box<str>,
}

/// The level of each comparison for one pair; [`NULL_LEVEL`] where null.
pub type ComparisonVector = [u8; COMPARISONS.len()];

pub fn compare(a: &ComparisonKeys, b: &ComparisonKeys, name_similarity: f64) -> ComparisonVector {
    let full_name = if a.name.is_empty() || b.name.is_empty() {
        NULL_LEVEL
    } else if a.name == b.name {
        0
    } else if a.name_key == b.name_key {
        1
    } else if jaro_winkler(&a.name_key, &b.name_key) >= name_similarity {
        2
    } else {
        3
    };
    let birth_date = match (&a.birth_date, &b.birth_date) {
        (Some(x), Some(y)) if x == y => 0,
        (Some(x), Some(y)) if x.year == y.year => 1,
        (Some(_), Some(_)) => 2,
        _ => NULL_LEVEL,
    };
    let sex = match (a.sex, b.sex) {
        (Some(x), Some(y)) => u8::from(x != y),
        _ => NULL_LEVEL,
    };
    let citizen_id = if a.citizen_id.is_empty() || b.citizen_id.is_empty() {
        NULL_LEVEL
    } else if a.citizen_id == b.citizen_id {
        0
    } else if one_digit_apart(&a.citizen_id, &b.citizen_id) {
        1
    } else {
        2
    };
    [full_name, birth_date, sex, citizen_id]
}

/// Two numbers of one length that differ in one digit, or in two adjacent
/// digits swapped: the typing errors an ID survives.
pub fn one_digit_apart(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let differing: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    match differing.as_slice() {
        [_] => true,
        [i, j] => *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i],
        _ => false,
    }
}

/// Jaro-Winkler similarity over characters, allocation-free for strings up
/// to 64 characters (longer ones are compared on their first 64).
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let mut a_chars = ['\0'; 64];
    let mut b_chars = ['\0'; 64];
    let a_len = fill(a, &mut a_chars);
    let b_len = fill(b, &mut b_chars);
    let (a, b) = (&a_chars[..a_len], &b_chars[..b_len]);
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_matched = [false; 64];
    let mut b_matched = [false; 64];
    let mut matches = 0usize;
    for i in 0..a.len() {
        let start = i.saturating_sub(window);
        let end = (i + window + 1).min(b.len());
        for j in start..end {
            if !b_matched[j] && a[i] == b[j] {
                a_matched[i] = true;
                b_matched[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut j = 0usize;
    for i in 0..a.len() {
        if a_matched[i] {
            while !b_matched[j] {
                j += 1;
            }
            if a[i] != b[j] {
                transpositions += 1;
            }
            j += 1;
        }
    }
    let m = matches as f64;
    let jaro = (m / a.len() as f64 + m / b.len() as f64 + (m - transpositions as f64 / 2.0) / m) / 3.0;
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count() as f64;
    jaro + prefix * 0.1 * (1.0 - jaro)
}

fn fill(text: &str, buffer: &mut [char; 64]) -> usize {
    let mut n = 0;
    for c in text.chars().take(64) {
        buffer[n] = c;
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaro_winkler_matches_published_values() {
        assert!((jaro_winkler("martha", "marhta") - 0.9611).abs() < 1e-3);
        assert!((jaro_winkler("dwayne", "duane") - 0.84).abs() < 1e-3);
        assert!((jaro_winkler("dixon", "dicksonx") - 0.8133).abs() < 1e-3);
        assert_eq!(jaro_winkler("nguyen van an", "nguyen van an"), 1.0);
    }

    #[test]
    fn levels_run_from_exact_to_else_and_null() {
        let a = ComparisonKeys {
            name: "Nguyễn Văn An".into(),
            name_key: "nguyen van an".into(),
            birth_date: Some(PartialDate { year: 1985, month: Some(3), day: Some(7) }),
            sex: Some(Sex::Male),
            citizen_id: "038085000123".into(),
        };
        let mut b = a.clone();
        assert_eq!(compare(&a, &b, 0.92), [0, 0, 0, 0]);
        b.name = "Nguyen Van An".into();
        b.birth_date = Some(PartialDate { year: 1985, month: None, day: None });
        b.sex = None;
        assert_eq!(compare(&a, &b, 0.92), [1, 1, NULL_LEVEL, 0]);
        b.name_key = "nguyen van anh".into();
        assert_eq!(compare(&a, &b, 0.92)[FULL_NAME], 2);
    }
}
