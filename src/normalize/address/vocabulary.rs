//! The words of addresses that are not unit names: unit-type words and
//! their abbreviations per level, the nicknames of provinces, the words that
//! name the country; and the keys unit names are filed under.

use super::tokenize::Token;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Level {
    Province,
    District,
    Commune,
}

impl Level {
    /// Unit-type words and their abbreviations, as folded word sequences,
    /// longest first.
    pub(super) fn type_words(self) -> &'static [&'static [&'static str]] {
        match self {
            Level::Province => &[&["thanh", "pho"], &["thu", "do"], &["t", "p"], &["tinh"], &["tp"], &["t"]],
            Level::District => &[
                &["thanh", "pho"],
                &["thi", "xa"],
                &["t", "p"],
                &["t", "x"],
                &["quan"],
                &["huyen"],
                &["tp"],
                &["tx"],
                &["q"],
                &["h"],
            ],
            Level::Commune => {
                &[&["thi", "tran"], &["dac", "khu"], &["phuong"], &["xa"], &["tt"], &["p"], &["x"], &["f"]]
            }
        }
    }
}

/// Province names people write that are not the official short names.
pub(super) const PROVINCE_NICKNAMES: &[(&str, &str)] = &[
    ("hcm", "79"),
    ("tphcm", "79"),
    ("hochiminhcity", "79"),
    ("saigon", "79"),
    ("sg", "79"),
    ("hn", "01"),
    ("tphn", "01"),
    ("hanoicity", "01"),
    ("thuathienhue", "46"),
    ("brvt", "77"),
    ("vungtau", "77"),
    ("dnang", "48"),
];

/// Trailing words that name the country, not a unit.
pub(super) const COUNTRY_WORDS: &[&[&str]] = &[&["viet", "nam"], &["vietnam"], &["vn"]];

/// `01` and `1` name the same numbered ward.
pub(super) fn numeric_key(key: &str) -> String {
    if !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()) {
        let trimmed = key.trim_start_matches('0');
        if trimmed.is_empty() {
            "0".to_string()
        } else {
            trimmed.to_string()
        }
    } else {
        key.to_string()
    }
}

pub(super) fn words_key(words: &[&str]) -> String {
    numeric_key(&words.concat())
}

/// The keys a unit name is filed under: without its unit-type word, and
/// as written (`Xã Loan` could be a name, not `Xã Loan`).
pub(super) fn name_keys(name: &str, level: Level) -> Vec<String> {
    let folded = crate::text::fold_words(name);
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    let mut keys = Vec::with_capacity(2);
    if let Some(len) = type_word_prefix(&words, level) {
        if len < words.len() {
            keys.push(words_key(&words[len..]));
        }
    }
    let whole = words_key(&words);
    if !whole.is_empty() && !keys.contains(&whole) {
        keys.push(whole);
    }
    keys
}

/// How many leading words of `words` are a unit-type word of `level`.
pub(super) fn type_word_prefix(words: &[&str], level: Level) -> Option<usize> {
    level.type_words().iter().find(|t| words.starts_with(t)).map(|t| t.len())
}

pub(super) fn type_word_before_any(tokens: &[Token], end: usize, level: Level) -> Option<usize> {
    level.type_words().iter().find_map(|t| {
        let len = t.len();
        (len <= end && tokens[end - len..end].iter().map(|t| t.word.as_str()).eq(t.iter().copied())).then_some(len)
    })
}

/// A unit-type word in its full form: `tt` → `thi tran`, `F` → `phuong`.
pub(super) fn canonical_type(words: &[&str], level: Level) -> &'static str {
    match (words, level) {
        (["thi", "tran"] | ["tt"], _) => "thi tran",
        (["xa"] | ["x"], _) => "xa",
        (["phuong"] | ["p"] | ["f"], _) => "phuong",
        (["dac", "khu"], _) => "dac khu",
        (["quan"] | ["q"], _) => "quan",
        (["huyen"] | ["h"], _) => "huyen",
        (["thi", "xa"] | ["tx"] | ["t", "x"], _) => "thi xa",
        (["thanh", "pho"] | ["tp"] | ["t", "p"], _) => "thanh pho",
        _ => "",
    }
}
