//! Legacy Vietnamese font encodings as they show up in Unicode files: text
//! typed in TCVN3 (ABC, `.VnTime` fonts) or VNI-Windows, later read as
//! Windows-1252, looks like `NguyÔn V¨n` or `Nguyeãn Vaên`; UTF-8 read as
//! Windows-1252 looks like `Nguyá»…n`. The tables come from `rules/encoding/`.
//!
//! This module repairs such text, conservatively: a field is converted only
//! when some of its words are not Vietnamese syllables and every word of the
//! converted text is (or is plain ASCII). Correct Vietnamese is therefore
//! never touched, whatever letters it uses. It also makes each damaged form
//! from correct text, for the data generator.

use std::cell::RefCell;

use crate::hash::HashMap;
use crate::rules::Table;

/// The windows-1252 character a single byte shows as.
fn cp1252_char(byte: u8) -> char {
    let bytes = [byte];
    let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&bytes);
    text.chars().next().unwrap_or('\u{FFFD}')
}

fn parse_hex_bytes(text: &str) -> Option<Vec<u8>> {
    text.split_whitespace().map(|h| u8::from_str_radix(h, 16).ok()).collect()
}

/// Unicode letter → how its legacy bytes look when read as Windows-1252,
/// and back.
#[derive(Clone, Debug, Default)]
pub struct LegacyEncodings {
    tcvn3: HashMap<char, String>,
    vni: HashMap<char, String>,
    tcvn3_decode: HashMap<char, char>,
    /// Windows-1252 pair → letter (`eã` → ễ).
    vni_pairs: HashMap<(char, char), char>,
    /// Windows-1252 character → letter (`ñ` → đ).
    vni_singles: HashMap<char, char>,
}

/// Which damage a repaired field had.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Damage {
    Tcvn3,
    Vni,
    Mojibake,
}

impl Damage {
    /// The encoding's name, as the manifest writes it.
    pub fn label(self) -> &'static str {
        match self {
            Damage::Tcvn3 => "tcvn3",
            Damage::Vni => "vni",
            Damage::Mojibake => "utf-8 read as windows-1252",
        }
    }
}

impl LegacyEncodings {
    pub fn new(tcvn3: &Table, vni: &Table) -> LegacyEncodings {
        let mut tables = LegacyEncodings::default();
        for row in tcvn3.rows() {
            if let (Some(c), Some(bytes)) =
                (row.get("unicode_char").chars().next(), parse_hex_bytes(row.get("byte_hex")))
            {
                tables.tcvn3.insert(c, bytes.into_iter().map(cp1252_char).collect());
            }
        }
        for row in vni.rows() {
            if let (Some(c), Some(bytes)) =
                (row.get("unicode_char").chars().next(), parse_hex_bytes(row.get("legacy_bytes_hex")))
            {
                tables.vni.insert(c, bytes.into_iter().map(cp1252_char).collect());
            }
        }
        for (&c, legacy) in &tables.tcvn3 {
            if let Some(l) = legacy.chars().next() {
                tables.tcvn3_decode.insert(l, c);
            }
        }
        for (&c, legacy) in &tables.vni {
            // The i-family are single bytes that read as themselves (ì í):
            // identity mappings are not damage.
            let mut sequence = legacy.chars();
            match (sequence.next(), sequence.next(), sequence.next()) {
                (Some(single), None, None) if single != c => {
                    tables.vni_singles.insert(single, c);
                }
                (Some(first), Some(second), None) => {
                    tables.vni_pairs.insert((first, second), c);
                }
                _ => {}
            }
        }
        tables
    }

    /// Text in `damage`'s encoding as Unicode, character by character,
    /// without asking whether the result is Vietnamese: for a file or a
    /// column known to be in that encoding.
    pub fn decode(&self, text: &str, damage: Damage) -> String {
        match damage {
            Damage::Tcvn3 => self.decode_tcvn3(text),
            Damage::Vni => self.decode_vni(text),
            Damage::Mojibake => from_mojibake(text).unwrap_or_else(|| text.to_string()),
        }
    }

    fn decode_tcvn3(&self, text: &str) -> String {
        text.chars().map(|c| self.tcvn3_decode.get(&c).copied().unwrap_or(c)).collect()
    }

    fn decode_vni(&self, text: &str) -> String {
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        while i < chars.len() {
            if let Some(&c) = chars.get(i + 1).and_then(|&next| self.vni_pairs.get(&(chars[i], next))) {
                out.push(c);
                i += 2;
                continue;
            }
            out.push(self.vni_singles.get(&chars[i]).copied().unwrap_or(chars[i]));
            i += 1;
        }
        out
    }

    /// Repairs a field typed in a legacy encoding or double-encoded, or
    /// returns `None` when it is not damaged (or its damage is not one of
    /// these, or the repair would not yield Vietnamese).
    pub fn repair(&self, text: &str) -> Option<(String, Damage)> {
        if text.is_ascii() {
            return None;
        }
        let words_before = syllable_score(text)?;
        if words_before.invalid == 0 {
            return None;
        }
        // A font encoding read as Windows-1252 shows only that code page's
        // characters: text with a Vietnamese letter beyond it (ầ, ị, ư, đ)
        // was typed in Unicode, whatever else is wrong with it.
        let font_possible = text.chars().all(|c| (c as u32) < 0x100 || is_windows_1252_extra(c));
        let candidates = [
            (from_mojibake(text), Damage::Mojibake),
            (font_possible.then(|| self.decode_vni(text)), Damage::Vni),
            (font_possible.then(|| self.decode_tcvn3(text)), Damage::Tcvn3),
        ];
        for (candidate, damage) in candidates {
            let Some(candidate) = candidate else { continue };
            if candidate == text {
                continue;
            }
            // A font encoding changes letter by letter: a word that was
            // already Vietnamese must come out unchanged, or the "repair"
            // is a guess. (Double-encoded UTF-8 is exact, so it is exempt.)
            if damage != Damage::Mojibake && good_words_changed(text, &candidate) > words_before.invalid + 1 {
                continue;
            }
            if let Some(score) = syllable_score(&candidate) {
                if score.invalid == 0 && score.vietnamese > 0 {
                    return Some((candidate, damage));
                }
            }
        }
        None
    }

    /// Text as a TCVN3 file shows when read as Windows-1252. TCVN3 has no
    /// capital toned letters: such a letter is written in its small form, as
    /// the `.VnTime` fonts forced typists to.
    pub fn to_tcvn3(&self, text: &str) -> String {
        let composed: String = unicode_normalization::UnicodeNormalization::nfc(text).collect();
        composed
            .chars()
            .map(|c| match self.tcvn3.get(&c) {
                Some(legacy) => legacy.clone(),
                None => {
                    let lower = c.to_lowercase().next().unwrap_or(c);
                    self.tcvn3.get(&lower).cloned().unwrap_or_else(|| c.to_string())
                }
            })
            .collect()
    }

    /// Text as a VNI-Windows file shows when read as Windows-1252.
    pub fn to_vni(&self, text: &str) -> String {
        let composed: String = unicode_normalization::UnicodeNormalization::nfc(text).collect();
        composed.chars().map(|c| self.vni.get(&c).cloned().unwrap_or_else(|| c.to_string())).collect()
    }
}

/// How many words of a text are Vietnamese syllables with a mark, and how
/// many are neither syllables nor plain ASCII. `None` for text that holds
/// characters no name field should (C0 controls; the C1 range is where
/// double-encoded UTF-8 puts some bytes, `Đ` among them).
struct SyllableScore {
    vietnamese: usize,
    invalid: usize,
}

fn syllable_score(text: &str) -> Option<SyllableScore> {
    let mut score = SyllableScore { vietnamese: 0, invalid: 0 };
    for word in text.split(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | '-' | '(' | ')' | '/')) {
        if word.is_empty() {
            continue;
        }
        if word.chars().any(|c| c < ' ') {
            return None;
        }
        if word.is_ascii() {
            continue;
        }
        if is_syllable_cached(word) {
            score.vietnamese += 1;
        } else {
            score.invalid += 1;
        }
    }
    Some(score)
}

type SyllableCache = RefCell<HashMap<Box<str>, bool>>;

thread_local! {
    /// Damaged text repeats its words as much as clean text does.
    static SYLLABLE_WORDS: SyllableCache = RefCell::new(HashMap::default());
}

fn is_syllable_cached(word: &str) -> bool {
    SYLLABLE_WORDS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(&known) = cache.get(word) {
            return known;
        }
        let known = crate::syllable::is_syllable(word);
        if cache.len() >= 100_000 {
            cache.clear();
        }
        cache.insert(word.into(), known);
        known
    })
}

/// The characters Windows-1252 puts where Latin-1 has C1 controls
/// (0x80-0x9F): `€`, `‚`, `ƒ`, `„`, `…`, `Œ`, `™` ...
fn is_windows_1252_extra(c: char) -> bool {
    matches!(c, '\u{152}' | '\u{153}' | '\u{160}' | '\u{161}' | '\u{178}' | '\u{17D}' | '\u{17E}' | '\u{192}')
        || matches!(c, '\u{2C6}' | '\u{2DC}' | '\u{2013}'..='\u{2026}' | '\u{2030}' | '\u{2039}' | '\u{203A}')
        || matches!(c, '\u{20AC}' | '\u{2122}')
}

/// How many words of a text are Vietnamese syllables with a mark, and how
/// many are neither syllables nor plain ASCII: how Vietnamese a decoding
/// of a whole file reads.
pub fn vietnamese_words(text: &str) -> (usize, usize) {
    let mut counts = (0, 0);
    for line in text.lines() {
        if let Some(score) = syllable_score(line) {
            counts.0 += score.vietnamese;
            counts.1 += score.invalid;
        }
    }
    counts
}

/// Whether every word of a text is plain ASCII or a Vietnamese syllable.
pub fn is_vietnamese(text: &str) -> bool {
    syllable_score(text).is_some_and(|s| s.invalid == 0)
}

/// How many words that were already Vietnamese a conversion would change.
/// VNI writes ị as `ò`, ĩ as `ó` and ồ as `oà`, so a real VNI field has some:
/// at most one more than its broken words.
fn good_words_changed(before: &str, after: &str) -> usize {
    if before.split_whitespace().count() != after.split_whitespace().count() {
        return usize::MAX;
    }
    before
        .split_whitespace()
        .zip(after.split_whitespace())
        .filter(|(b, a)| b != a && (b.is_ascii() || crate::syllable::is_syllable(b)))
        .count()
}

/// Undoes UTF-8 read as Windows-1252, when the text is exactly that.
fn from_mojibake(text: &str) -> Option<String> {
    // Every Vietnamese letter outside ASCII starts with UTF-8 byte C2-C6 or
    // E1, which Windows-1252 shows as one of these.
    if !text.chars().any(|c| matches!(c, 'Â' | 'Ã' | 'Ä' | 'Å' | 'Æ' | 'á')) {
        return None;
    }
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    if unmappable {
        return None;
    }
    String::from_utf8(bytes.into_owned()).ok()
}

/// UTF-8 bytes read as Windows-1252: `Nguyễn` → `Nguyá»…n`.
pub fn to_mojibake(text: &str) -> String {
    let (decoded, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(text.as_bytes());
    decoded.into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{RuleSource, Rules};

    #[test]
    fn damaged_forms_look_like_the_real_thing() {
        let rules = Rules::load(&RuleSource::BuiltIn, None).unwrap();
        let legacy = &rules.legacy_encodings;
        assert_eq!(legacy.to_tcvn3("Nguyễn Văn Hùng"), "NguyÔn V¨n Hïng");
        assert_eq!(legacy.to_vni("Nguyễn Văn An"), "Nguyeãn Vaên An");
        assert_eq!(to_mojibake("Nguyễn"), "Nguyá»…n");
    }

    #[test]
    fn each_damage_is_repaired_and_correct_text_is_not_touched() {
        let rules = Rules::load(&RuleSource::BuiltIn, None).unwrap();
        let legacy = &rules.legacy_encodings;
        for name in ["Nguyễn Văn Hùng", "Lò Thị Mai", "Phạm Đức Thắng", "Trần Thị Thủy", "Hoàng Văn Toàn"]
        {
            assert_eq!(legacy.repair(&legacy.to_tcvn3(name)).map(|r| r.1), Some(Damage::Tcvn3), "{name}");
            assert_eq!(legacy.repair(&legacy.to_vni(name)), Some((name.to_string(), Damage::Vni)), "{name}");
            assert_eq!(legacy.repair(&to_mojibake(name)), Some((name.to_string(), Damage::Mojibake)), "{name}");
            assert_eq!(legacy.repair(name), None, "{name}");
        }
        // TCVN3 has no capital toned letters: the repair is right but for case.
        assert_eq!(legacy.repair("NguyÔn V¨n Hïng").unwrap().0, "Nguyễn Văn Hùng");
        for name in ["Y Ngông Niê Kđăm", "H'Hen Niê", "Hờ A Páo", "Sùng Thị Mỷ", "Êban", "Adrơng"] {
            assert_eq!(legacy.repair(name), None, "{name}");
        }
    }
}
