//! Personal names: one display form (NFC, single spaces, title case per
//! syllable), its parts (họ, đệm, tên) and a diacritic-free key for matching.

use unicode_normalization::is_nfc;

use super::text::{clean_invisible, fold_words, tidy, title_case_words};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameParts {
    /// The name as it should be displayed: `Nguyễn Văn An`.
    pub display: String,
    pub surname: String,
    pub middle: String,
    pub given: String,
    /// Lower-case, diacritic-free words (`nguyen van an`): equal for the
    /// same name written without marks, in another case or normal form.
    pub key: String,
    /// True when the source was in a non-standard form (decomposed marks,
    /// invisible characters, `Ð` for `Đ`), not merely in another case.
    pub repaired: bool,
}

/// Normalises one name field.
pub fn normalize_name(raw: &str) -> NameParts {
    let repaired = clean_invisible(raw) != collapse_tab_and_breaks(raw) || !is_nfc(raw);
    let display = title_case_words(&tidy(raw));
    let words: Vec<&str> = display.split(' ').filter(|w| !w.is_empty()).collect();
    let (surname, middle, given) = match words.as_slice() {
        [] => (String::new(), String::new(), String::new()),
        [only] => (String::new(), String::new(), only.to_string()),
        [first, rest @ .., last] => (first.to_string(), rest.join(" "), last.to_string()),
    };
    let key = fold_words(&display);
    NameParts { display, surname, middle, given, key, repaired }
}

/// Tabs and line breaks are white space to [`clean_invisible`], not damage.
fn collapse_tab_and_breaks(raw: &str) -> String {
    raw.replace(['\t', '\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_a_kinh_name_into_its_three_parts() {
        let name = normalize_name("  NGUYỄN   VĂN AN ");
        assert_eq!(name.display, "Nguyễn Văn An");
        assert_eq!((name.surname.as_str(), name.middle.as_str(), name.given.as_str()), ("Nguyễn", "Văn", "An"));
        assert_eq!(name.key, "nguyen van an");
        assert!(!name.repaired);
    }

    #[test]
    fn decomposed_and_eth_forms_are_repaired_and_flagged() {
        let name = normalize_name("\u{00D0}o\u{0302}\u{0303} Thi\u{0323} Hoa");
        assert_eq!(name.display, "Đỗ Thị Hoa");
        assert!(name.repaired);
    }
}
