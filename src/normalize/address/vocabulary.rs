//! The words of addresses that are not unit names, compiled from
//! `rules/address.toml`: unit-type words and their spellings per level, the
//! spellings that may be glued to a number, the nicknames of provinces and
//! districts, the words that name the country; and the keys unit names are
//! filed under.

use super::tokenize::Token;
use crate::rules::{AddressWords, UnitLevel};
use crate::text::fold_words;

pub(super) type Level = UnitLevel;

/// One spelling of a unit-type word, folded to its words.
#[derive(Clone, Debug)]
pub(super) struct TypeSpelling {
    pub(super) words: Vec<String>,
    /// The type it spells, folded (`thi tran` for `TT`).
    pub(super) canonical: String,
}

#[derive(Clone, Debug, Default)]
pub(super) struct Vocabulary {
    /// Per level (province, district, commune), longest spelling first.
    types: [Vec<TypeSpelling>; 3],
    /// Per level, the spellings (their places in `types`, in order) that
    /// end with a word: looking back from a token asks only those.
    types_ending: [crate::hash::HashMap<String, Vec<usize>>; 3],
    /// Per level, the unit types' names as the tables write them, lower
    /// case with their marks: a unit's own name starts with one only when
    /// it is written with its type (`Phường Phúc Xá`), never when a name
    /// folds like a type word (`Quan Sơn` is not `Quận Sơn`).
    type_names: [Vec<Vec<String>>; 3],
    /// Folded one-word spellings that may be glued to a number.
    pub(super) glued: Vec<String>,
    /// The country's names, folded to words.
    pub(super) country: Vec<Vec<String>>,
    /// Folded key → pre-2025 province code.
    pub(super) province_nicknames: Vec<(String, String)>,
    /// Pre-2025 province code, folded key, pre-2025 district code.
    pub(super) district_nicknames: Vec<(String, String, String)>,
}

fn level_index(level: Level) -> usize {
    match level {
        UnitLevel::Province => 0,
        UnitLevel::District => 1,
        UnitLevel::Commune => 2,
    }
}

fn folded(text: &str) -> Vec<String> {
    fold_words(text).split(' ').filter(|w| !w.is_empty()).map(String::from).collect()
}

impl Vocabulary {
    pub(super) fn new(words: &AddressWords) -> Vocabulary {
        let mut vocabulary = Vocabulary::default();
        for unit_type in &words.unit_types {
            let canonical = folded(&unit_type.name).join(" ");
            let names = &mut vocabulary.type_names[level_index(unit_type.level)];
            let marked = marked_words(&unit_type.name);
            if !names.contains(&marked) {
                names.push(marked);
            }
            for spelling in &unit_type.spellings {
                let words = folded(spelling);
                if words.is_empty() {
                    continue;
                }
                if unit_type.glued && words.len() == 1 && !vocabulary.glued.contains(&words[0]) {
                    vocabulary.glued.push(words[0].clone());
                }
                let list = &mut vocabulary.types[level_index(unit_type.level)];
                if !list.iter().any(|s| s.words == words) {
                    list.push(TypeSpelling { words, canonical: canonical.clone() });
                }
            }
        }
        for list in &mut vocabulary.types {
            // Longest first, so `t p` is taken before `t`.
            list.sort_by_key(|s| (std::cmp::Reverse(s.words.len()), std::cmp::Reverse(s.words.concat().len())));
        }
        for (list, ending) in vocabulary.types.iter().zip(&mut vocabulary.types_ending) {
            for (i, spelling) in list.iter().enumerate() {
                let last = spelling.words.last().expect("empty spellings are skipped").clone();
                ending.entry(last).or_default().push(i);
            }
        }
        vocabulary.country = words.country.iter().map(|c| folded(c)).filter(|w| !w.is_empty()).collect();
        vocabulary.country.sort_by_key(|w| std::cmp::Reverse(w.len()));
        vocabulary.province_nicknames =
            words.province_nicknames.iter().map(|(written, code)| (folded(written).concat(), code.clone())).collect();
        vocabulary.district_nicknames = words
            .district_nicknames
            .iter()
            .map(|n| (n.province_code.clone(), folded(&n.written).concat(), n.district_code.clone()))
            .collect();
        vocabulary
    }

    /// The spellings of `level`'s unit types, longest first.
    pub(super) fn type_words(&self, level: Level) -> &[TypeSpelling] {
        &self.types[level_index(level)]
    }

    /// How many leading words of `words` are a unit-type word of `level`.
    pub(super) fn type_word_prefix(&self, words: &[&str], level: Level) -> Option<usize> {
        self.type_words(level).iter().find(|t| starts_with(words, &t.words)).map(|t| t.words.len())
    }

    /// How many leading words are a unit-type word of `level` written once,
    /// or the same type written twice (`Phường Phường 1`).
    pub(super) fn type_words_prefix(&self, words: &[&str], level: Level) -> Option<usize> {
        let first = self.type_words(level).iter().find(|t| starts_with(words, &t.words))?;
        let length = first.words.len();
        let again = self
            .type_words(level)
            .iter()
            .find(|t| starts_with(&words[length..], &t.words) && t.canonical == first.canonical)
            .map_or(0, |t| t.words.len());
        Some(if length + again < words.len() { length + again } else { length })
    }

    /// How many tokens before `end` are a unit-type word of `level`: once,
    /// or the same type twice with no separator between (`Phường Phường`;
    /// not `Định Quán Huyện`, nor `Sơn Tịnh, Tỉnh`).
    pub(super) fn type_word_before_any(&self, tokens: &[Token], end: usize, level: Level) -> Option<usize> {
        let spellings = self.type_words(level);
        let ending = &self.types_ending[level_index(level)];
        let one = |end: usize| {
            let candidates = ending.get(tokens[end.checked_sub(1)?].word.as_str())?;
            candidates.iter().map(|&i| &spellings[i]).find(|t| {
                let len = t.words.len();
                len <= end
                    && tokens[end - len..end].iter().map(|t| t.word.as_str()).eq(t.words.iter().map(String::as_str))
            })
        };
        let last = one(end)?;
        let length = last.words.len();
        let doubled = one(end - length)
            .filter(|before| before.canonical == last.canonical && !tokens[end - length].boundary_before);
        Some(length + doubled.map_or(0, |t| t.words.len()))
    }

    /// A unit-type word in its full form: `tt` → `thi tran`, `F` → `phuong`.
    pub(super) fn canonical_type(&self, words: &[&str], level: Level) -> &str {
        let words = &words[..self.type_word_prefix(words, level).unwrap_or(0)];
        self.type_words(level)
            .iter()
            .find(|t| t.words.iter().map(String::as_str).eq(words.iter().copied()))
            .map_or("", |t| t.canonical.as_str())
    }

    /// The keys a unit name of the tables is filed under: as written, and
    /// without the unit's type where the name starts with it, marks and
    /// all (`Phường Phúc Xá`; but `Quan Sơn` and `H Bông` are names whole).
    /// Each key comes with its letters as typed ([`typed_key`]), which fuzzy
    /// matching compares: a typo of `Quý` is closer to `quy` than to `qui`.
    pub(super) fn name_keys(&self, name: &str, level: Level) -> Vec<(String, String)> {
        let folded = fold_words(name);
        let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
        let marked = marked_words(name);
        let mut keys: Vec<(String, String)> = Vec::with_capacity(2);
        let type_len = self.type_names[level_index(level)]
            .iter()
            .filter(|t| marked.len() > t.len() && marked[..t.len()] == t[..])
            .map(Vec::len)
            .max();
        if let Some(len) = type_len.filter(|_| marked.len() == words.len()) {
            keys.push((words_key(&words[len..]), typed_key(&words[len..])));
        }
        let whole = (words_key(&words), typed_key(&words));
        if !whole.0.is_empty() && !keys.contains(&whole) {
            keys.push(whole);
        }
        keys
    }
}

/// Lower-case words with their marks, split where `fold_words` splits.
fn marked_words(text: &str) -> Vec<String> {
    let lower: String = unicode_normalization::UnicodeNormalization::nfc(text.to_lowercase().as_str()).collect();
    lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(String::from).collect()
}

fn starts_with(words: &[&str], prefix: &[String]) -> bool {
    words.len() >= prefix.len() && words.iter().zip(prefix).all(|(w, p)| *w == p.as_str())
}

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

/// The key of words as typed, `y` and `i` kept apart: what fuzzy matching
/// measures typos on.
pub(super) fn typed_key(words: &[&str]) -> String {
    numeric_key(&words.concat())
}

pub(super) fn words_key(words: &[&str]) -> String {
    let spelt: Vec<String> = words.iter().map(|w| y_as_i(w)).collect();
    numeric_key(&spelt.concat())
}

/// `y` and `i` as the lone vowel after a consonant are one sound spelt two
/// ways (`Phú Quý`/`Phú Quí`, `Kỳ`/`Kì`): keys write it `i`. On one folded
/// word: a `y` that ends it after consonants only, or after `qu`.
pub(super) fn y_as_i(word: &str) -> String {
    let vowel = |c: u8| b"aeiouy".contains(&c);
    match word.as_bytes() {
        [onset @ .., b'y'] if !onset.is_empty() && (onset.iter().all(|&c| !vowel(c)) || onset.ends_with(b"qu")) => {
            format!("{}i", &word[..word.len() - 1])
        }
        _ => word.to_string(),
    }
}

/// [`y_as_i`] on a compact key whose word boundaries are gone (the names
/// from before the mergers): only `quy`, whose `qu` marks the syllable.
pub(super) fn compact_y_as_i(key: &str) -> String {
    let mut out = key.replace("quy", "qui");
    // `quyen`, `quynh`: there the y is no lone vowel.
    for (written, kept) in [("quie", "quye"), ("quinh", "quynh")] {
        out = out.replace(written, kept);
    }
    out
}
