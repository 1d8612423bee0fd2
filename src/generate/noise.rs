//! What happens to records in real extracts, done on purpose and recorded:
//! the perturbations that make copies of one person look different, and the
//! invalid fields the validator must catch.

use unicode_normalization::UnicodeNormalization;

use crate::legacy::{to_mojibake, LegacyEncodings};
use crate::rng::Rng;
use crate::text::fold_words;

/// The columns of a generated extract, in order.
pub const HEADERS: [&str; 18] = [
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số định danh cá nhân",
    "Số CMND",
    "Dân tộc",
    "Tôn giáo",
    "Quốc tịch",
    "Số điện thoại",
    "Địa chỉ thường trú",
    "Xã/Phường",
    "Quận/Huyện",
    "Tỉnh/Thành phố",
    "Họ tên cha",
    "Họ tên mẹ",
    "Mã hộ",
    "Quan hệ với chủ hộ",
];

pub const NAME: usize = 1;
pub const BIRTH: usize = 2;
pub const CITIZEN_ID: usize = 4;
pub const SEX: usize = 3;
pub const ETHNICITY: usize = 6;
pub const RELIGION: usize = 7;
pub const NATIONALITY: usize = 8;
pub const PHONE: usize = 9;
pub const STREET: usize = 10;
pub const COMMUNE: usize = 11;
pub const DISTRICT: usize = 12;
pub const PROVINCE: usize = 13;
pub const FATHER: usize = 14;
pub const MOTHER: usize = 15;
pub const RELATION: usize = 17;

pub const PERTURBATIONS: [&str; 21] = [
    "name_typo",
    "no_diacritics",
    "all_caps",
    "nfd",
    "tcvn3",
    "vni",
    "mojibake",
    "tone_placement",
    "day_month_swap",
    "year_only_date",
    "address_abbreviation",
    "address_typo",
    "other_unit_system",
    "moved_commune",
    "missing_id",
    "id_typo",
    "run_together",
    "month_first",
    "viqr",
    "id_damage",
    "province_contradiction",
];

/// The invalid fields the generator injects, with the field they are in and
/// the finding code the validator should give.
pub const ERROR_KINDS: [(&str, &str, &str); 14] = [
    ("id_length", "citizen_id", "ID_LENGTH"),
    ("id_not_digits", "citizen_id", "ID_NOT_DIGITS"),
    ("id_province", "citizen_id", "ID_PROVINCE_UNKNOWN"),
    ("id_century_sex", "citizen_id", "ID_SEX_MISMATCH"),
    ("id_year", "citizen_id", "ID_YEAR_MISMATCH"),
    ("date_impossible", "birth_date", "DATE_IMPOSSIBLE"),
    ("date_future", "birth_date", "DATE_FUTURE"),
    ("age_over_120", "birth_date", "AGE_OVER_LIMIT"),
    ("phone_bad", "phone", "PHONE_INVALID"),
    ("ethnicity_unknown", "ethnicity", "ETHNICITY_UNKNOWN"),
    ("name_empty", "full_name", "NAME_MISSING"),
    // A spreadsheet that took the ID for a number: one leading zero lost
    // (11 digits, restorable), or two (10 digits, of province 001-009).
    ("id_zero_lost", "citizen_id", "ID_LEADING_ZERO_LOST"),
    ("id_zeros_lost", "citizen_id", "ID_LENGTH"),
    // The province column names another province than the district and
    // commune beside it.
    ("province_contradiction", "commune_name", "ADDRESS_MISMATCH"),
];

/// The damage a copy's ID takes (`id_damage`): each breaks a check of the
/// ID against its own record.
pub const ID_DAMAGE: [&str; 6] =
    ["id_year", "id_century_sex", "id_province", "id_length", "id_zero_lost", "id_zeros_lost"];

/// The text columns an office typing TCVN3 types in it.
pub const TEXT_COLUMNS: [usize; 12] =
    [NAME, SEX, ETHNICITY, RELIGION, NATIONALITY, STREET, COMMUNE, DISTRICT, PROVINCE, FATHER, MOTHER, RELATION];

/// A consequence the generator records with `date_future` and
/// `age_over_120`: moving the birth a century away breaks the ID's
/// century digit too, and a validator is right to say so.
pub const CONSEQUENCE: (&str, &str, &str) = ("id_century_consequence", "citizen_id", "ID_CENTURY_MISMATCH");

/// What some perturbations of a copy make a validator right to say: the ID
/// left out is a missing required field, a copy's day and month swapped
/// differ from its primary record's. Recorded like errors (their findings
/// are expected), and not counted as injected.
pub const PERTURBATION_CONSEQUENCES: [(&str, &str, &str); 2] =
    [("missing_id", "citizen_id", "FIELD_MISSING"), ("day_month_swap", "birth_date", "DATE_DAY_MONTH_SWAPPED")];

/// Every kind the truth's errors.csv may name, with its field and code.
pub fn truth_kinds() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    ERROR_KINDS.iter().chain(std::iter::once(&CONSEQUENCE)).chain(PERTURBATION_CONSEQUENCES.iter())
}

/// Province prefixes that no province has.
const UNUSED_PROVINCE_PREFIXES: [&str; 8] = ["003", "005", "007", "009", "013", "016", "018", "021"];

pub struct Noise<'a> {
    pub legacy: &'a LegacyEncodings,
    pub tone_variants: &'a [(String, String)],
}

impl Noise<'_> {
    /// Applies one named perturbation to a copy's cells. Returns false when
    /// it does not apply to this record (nothing to change).
    pub fn perturb(&self, kind: &str, cells: &mut [String], rng: &mut Rng) -> bool {
        match kind {
            "name_typo" => {
                let typo = name_typo(&cells[NAME], rng);
                replace_if_changed(&mut cells[NAME], typo)
            }
            "no_diacritics" => map_names(cells, strip_diacritics),
            "all_caps" => map_names(cells, |s| s.to_uppercase()),
            "nfd" => map_names(cells, |s| s.nfd().collect()),
            "tcvn3" => map_names(cells, |s| self.legacy.to_tcvn3(s)),
            "vni" => map_names(cells, |s| self.legacy.to_vni(s)),
            "mojibake" => map_names(cells, to_mojibake),
            "tone_placement" => map_names(cells, |s| self.swap_tone_placement(s)),
            "day_month_swap" => {
                let parts: Vec<&str> = cells[BIRTH].split('/').collect();
                match parts.as_slice() {
                    [d, m, y] if d != m && d.parse::<u8>().is_ok_and(|d| d <= 12) => {
                        cells[BIRTH] = format!("{m}/{d}/{y}");
                        true
                    }
                    _ => false,
                }
            }
            "year_only_date" => match cells[BIRTH].rsplit('/').next() {
                Some(year) if cells[BIRTH].contains('/') => {
                    cells[BIRTH] = year.to_string();
                    true
                }
                _ => false,
            },
            "address_abbreviation" => {
                let before = (cells[COMMUNE].clone(), cells[DISTRICT].clone(), cells[PROVINCE].clone());
                cells[COMMUNE] = abbreviate_unit(&cells[COMMUNE]);
                cells[DISTRICT] = abbreviate_unit(&cells[DISTRICT]);
                cells[PROVINCE] = abbreviate_unit(&cells[PROVINCE]);
                before != (cells[COMMUNE].clone(), cells[DISTRICT].clone(), cells[PROVINCE].clone())
            }
            "address_typo" => {
                // A letter dropped, doubled or swapped in the commune's name.
                let typo = name_typo(&cells[COMMUNE], rng);
                replace_if_changed(&mut cells[COMMUNE], typo)
            }
            "missing_id" => replace_if_changed(&mut cells[CITIZEN_ID], String::new()),
            "run_together" => {
                let joined = run_together(&cells[NAME], rng);
                replace_if_changed(&mut cells[NAME], joined)
            }
            "month_first" => month_first(&mut cells[BIRTH]),
            "viqr" => map_names(cells, |s| self.legacy.to_viqr(s)),
            "id_typo" => {
                let id = &cells[CITIZEN_ID];
                if id.len() != 12 {
                    return false;
                }
                // Only the serial (digits 7-12): a typo there leaves the ID
                // well-formed, the hard case for linkage.
                let position = rng.between(6, 11) as usize;
                let mut digits: Vec<u8> = id.bytes().collect();
                let old = digits[position];
                let mut new = b'0' + rng.below(10) as u8;
                if new == old {
                    new = b'0' + (old - b'0' + 1) % 10;
                }
                digits[position] = new;
                cells[CITIZEN_ID] = String::from_utf8(digits).unwrap();
                true
            }
            // Handled by the generator, which knows the person's places.
            _ => false,
        }
    }

    fn swap_tone_placement(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (new_style, old_style) in self.tone_variants {
            // `quý` is `qu` + `ý` in both styles: leave `uy` after `q` alone.
            if out.contains(old_style.as_str())
                && !(old_style.starts_with('u') && out.contains(&format!("q{old_style}")))
            {
                out = out.replace(old_style.as_str(), new_style);
            } else if out.contains(new_style.as_str())
                && !(new_style.starts_with('u') && out.contains(&format!("q{new_style}")))
            {
                out = out.replace(new_style.as_str(), old_style);
            }
        }
        out
    }

    /// Injects one invalid field; returns false when the record has nothing
    /// to break (no ID, no phone ...). `sex_male` and `birth_year` are the
    /// person's truth.
    pub fn inject(&self, kind: &str, cells: &mut [String], rng: &mut Rng) -> bool {
        let id = cells[CITIZEN_ID].clone();
        let has_id = id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit());
        match kind {
            "id_length" if has_id => {
                cells[CITIZEN_ID] =
                    if rng.chance(0.5) { id[..11].to_string() } else { format!("{id}{}", rng.below(10)) };
                true
            }
            "id_not_digits" if has_id => {
                let position = rng.between(3, 11) as usize;
                let letter = match &id[position..=position] {
                    "0" => "O",
                    "1" => "l",
                    _ => "I",
                };
                cells[CITIZEN_ID] = format!("{}{letter}{}", &id[..position], &id[position + 1..]);
                true
            }
            "id_province" if has_id => {
                cells[CITIZEN_ID] = format!("{}{}", rng.pick(&UNUSED_PROVINCE_PREFIXES), &id[3..]);
                true
            }
            "id_century_sex" if has_id => {
                let digit = id.as_bytes()[3] - b'0';
                let flipped = if digit.is_multiple_of(2) { digit + 1 } else { digit - 1 };
                cells[CITIZEN_ID] = format!("{}{flipped}{}", &id[..3], &id[4..]);
                true
            }
            "id_year" if has_id => {
                let year: u32 = id[4..6].parse().unwrap();
                let other = (year + rng.between(1, 9) as u32) % 100;
                cells[CITIZEN_ID] = format!("{}{other:02}{}", &id[..4], &id[6..]);
                true
            }
            "date_impossible" => {
                let year = birth_year(&cells[BIRTH]);
                let (day, month) = match rng.below(3) {
                    0 => (31, 2),
                    1 => (31, [4, 6, 9, 11][rng.below(4) as usize]),
                    _ => (30, 2),
                };
                match year {
                    Some(year) => {
                        cells[BIRTH] = format!("{day:02}/{month:02}/{year}");
                        true
                    }
                    None => false,
                }
            }
            "date_future" | "age_over_120" => {
                let Some(year) = birth_year(&cells[BIRTH]) else {
                    return false;
                };
                // A century away, the last two digits kept: the future, or
                // the 1800s (older than any age limit).
                let shifted = if kind == "date_future" { year + 100 } else { 1800 + year % 100 };
                let prefix = cells[BIRTH].rsplit_once('/').map(|(p, _)| format!("{p}/")).unwrap_or_default();
                cells[BIRTH] = format!("{prefix}{shifted}");
                true
            }
            "phone_bad" if !cells[PHONE].is_empty() => {
                let phone = cells[PHONE].clone();
                cells[PHONE] = match rng.below(3) {
                    0 => phone[..6].to_string(),
                    1 => format!("{phone}{}", rng.below(100)),
                    _ => format!("012{}", &phone[3..]),
                };
                true
            }
            "ethnicity_unknown" => {
                cells[ETHNICITY] = rng.pick(&["Không rõ", "Người nước ngoài", "Kinh Hoa", "Khác"]).to_string();
                true
            }
            "name_empty" => replace_if_changed(&mut cells[NAME], String::new()),
            "id_zero_lost" if has_id && id.starts_with('0') && !id.starts_with("00") => {
                cells[CITIZEN_ID] = id[1..].to_string();
                true
            }
            "id_zeros_lost" if has_id && id.starts_with("00") => {
                cells[CITIZEN_ID] = id.trim_start_matches('0').to_string();
                true
            }
            _ => false,
        }
    }

    /// Every text field of a record as an office typing TCVN3 writes it.
    pub fn type_in_tcvn3(&self, cells: &mut [String]) {
        for column in TEXT_COLUMNS {
            cells[column] = self.legacy.to_tcvn3(&cells[column]);
        }
    }
}

/// Two neighbouring syllables of the name typed without the space between
/// them (`Nguyễn Thị Cúc` → `Nguyễn ThịCúc`); the second keeps its capital.
pub fn run_together(name: &str, rng: &mut Rng) -> String {
    let words: Vec<&str> = name.split(' ').collect();
    if words.len() < 2 {
        return name.to_string();
    }
    let at = rng.between(0, words.len() as i64 - 2) as usize;
    let mut out: Vec<String> = Vec::new();
    for (i, word) in words.iter().enumerate() {
        if i == at + 1 {
            out.last_mut().expect("a word before").push_str(word);
        } else {
            out.push(word.to_string());
        }
    }
    out.join(" ")
}

/// A `dd/mm/yyyy` date written month first, where the day is over 12 (so
/// only that reading is a date); false when it is not.
pub fn month_first(cell: &mut String) -> bool {
    let parts: Vec<&str> = cell.split('/').collect();
    match parts.as_slice() {
        [d, m, y] if d.parse::<u8>().is_ok_and(|d| d > 12) => {
            *cell = format!("{m}/{d}/{y}");
            true
        }
        _ => false,
    }
}

fn birth_year(cell: &str) -> Option<i32> {
    cell.rsplit('/').next()?.parse().ok()
}

fn replace_if_changed(cell: &mut String, value: String) -> bool {
    if *cell == value {
        return false;
    }
    *cell = value;
    true
}

fn map_names(cells: &mut [String], f: impl Fn(&str) -> String) -> bool {
    let mut changed = false;
    for column in [NAME, FATHER, MOTHER] {
        let mapped = f(&cells[column]);
        changed |= mapped != cells[column];
        cells[column] = mapped;
    }
    changed
}

/// Marks removed, case kept: `Nguyễn Văn Đức` → `Nguyen Van Duc`.
fn strip_diacritics(text: &str) -> String {
    text.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            other => other,
        })
        .collect()
}

/// One keyboard slip in the given name or middle name: a letter dropped,
/// doubled, or two letters swapped; the first letter of a word is kept.
fn name_typo(name: &str, rng: &mut Rng) -> String {
    let words: Vec<&str> = name.split(' ').collect();
    if words.len() < 2 {
        return name.to_string();
    }
    let target = rng.between(1, words.len() as i64 - 1) as usize;
    let chars: Vec<char> = words[target].chars().collect();
    if chars.len() < 3 {
        return name.to_string();
    }
    let position = rng.between(1, chars.len() as i64 - 1) as usize;
    let mut typed = chars.clone();
    match rng.below(3) {
        0 => {
            typed.remove(position);
        }
        1 => typed.insert(position, chars[position]),
        _ => {
            if position + 1 < typed.len() {
                typed.swap(position, position + 1);
            } else {
                typed.swap(position - 1, position);
            }
        }
    }
    let typed: String = typed.into_iter().collect();
    let mut out: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    out[target] = typed;
    out.join(" ")
}

/// The abbreviations clerks type: `Xã Trung Hạ` → `X. Trung Hạ`,
/// `Phường 14` → `P.14`, `Quận 3` → `Q.3`, `Thành phố Hồ Chí Minh` → `TP.HCM`.
fn abbreviate_unit(text: &str) -> String {
    const FORMS: [(&str, &str); 8] = [
        ("Thành phố Hồ Chí Minh", "TP.HCM"),
        ("Thành phố ", "TP. "),
        ("Thị trấn ", "TT. "),
        ("Thị xã ", "TX. "),
        ("Phường ", "P."),
        ("Quận ", "Q."),
        ("Huyện ", "H. "),
        ("Xã ", "X. "),
    ];
    for (long, short) in FORMS {
        if let Some(rest) = text.strip_prefix(long) {
            let rest = if short.ends_with('.') && !rest.chars().all(|c| c.is_ascii_digit()) {
                format!(" {rest}")
            } else {
                rest.to_string()
            };
            return format!("{short}{rest}");
        }
    }
    match text.strip_prefix("Tỉnh ") {
        Some(rest) => fold_words(rest).split(' ').map(capitalise).collect::<Vec<_>>().join(" "),
        None => text.to_string(),
    }
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_look_like_what_clerks_type() {
        assert_eq!(abbreviate_unit("Phường 14"), "P.14");
        assert_eq!(abbreviate_unit("Quận 3"), "Q.3");
        assert_eq!(abbreviate_unit("Xã Trung Hạ"), "X. Trung Hạ");
        assert_eq!(abbreviate_unit("Thành phố Hồ Chí Minh"), "TP.HCM");
        assert_eq!(abbreviate_unit("Phường Ba Đình"), "P. Ba Đình");
        assert_eq!(abbreviate_unit("Tỉnh Thanh Hóa"), "Thanh Hoa");
    }

    #[test]
    fn diacritics_are_stripped_with_case_kept() {
        assert_eq!(strip_diacritics("Nguyễn Văn Đức"), "Nguyen Van Duc");
    }
}
