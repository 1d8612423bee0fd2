//! Vietnamese syllables: where the tone mark goes. A syllable is an onset
//! (consonants, with `qu` and `gi` counted as onsets), a nucleus of one to
//! three vowels, and a coda; its tone mark sits on one vowel of the nucleus
//! by rules every Vietnamese reader knows, with one choice left to taste:
//! whether `oa`, `oe`, `uy` in an open syllable carry it on the first vowel
//! (traditional `hòa`, `khỏe`, `thủy`) or the second (new `hoà`, `khoẻ`,
//! `thuỷ`). Words that are not Vietnamese syllables (many minority names:
//! `Kđăm`, `Mlô`, `Ksor`) are left exactly as they are.

use unicode_normalization::char::{compose, decompose_canonical};

/// Where `oa`, `oe` and `uy` put the tone in an open syllable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TonePlacement {
    /// `hòa`, `khỏe`, `thủy`: the traditional placement, and the default.
    #[default]
    Old,
    /// `hoà`, `khoẻ`, `thuỷ`: the placement of the 1980s spelling reform,
    /// which GSO's current unit names use.
    New,
}

/// The five tone marks, as combining characters.
const TONES: [char; 5] = ['\u{0300}', '\u{0301}', '\u{0309}', '\u{0303}', '\u{0323}'];

pub fn is_tone_mark(c: char) -> bool {
    TONES.contains(&c)
}

/// A letter with its tone taken off: the base letter with its vowel-quality
/// mark (ă â ê ô ơ ư) kept, and whether it was upper case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Letter {
    lower: char,
    upper: bool,
}

const VOWELS: &str = "aăâeêioôơuưy";
const ONSETS: [&str; 28] = [
    "ngh", "ng", "nh", "ch", "gh", "kh", "ph", "th", "tr", "gi", "qu", "b", "c", "d", "đ", "g", "h", "k", "l", "m",
    "n", "p", "q", "r", "s", "t", "v", "x",
];
const CODAS: [&str; 9] = ["", "c", "ch", "m", "n", "ng", "nh", "p", "t"];
/// The vowel clusters Vietnamese spelling has (after `qu` and `gi`, which
/// are onsets). Loanword spellings (`xoong`) are left out: names do not
/// use them, and VNI damage (`Voõ` for Võ) looks like them.
const NUCLEI: [&str; 53] = [
    "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia",
    "iê", "iu", "oa", "oă", "oe", "oi", "ôi", "ơi", "ua", "uâ", "uê", "ui", "uô", "uơ", "uy", "ưa", "ưi", "ươ", "ưu",
    "yê", "iêu", "oai", "oay", "oeo", "uây", "uôi", "uya", "uyê", "uyu", "ươi", "ươu", "yêu",
];

fn is_vowel(c: char) -> bool {
    VOWELS.contains(c)
}

fn has_quality_mark(c: char) -> bool {
    "ăâêôơư".contains(c)
}

/// Splits a letter into its toneless form and its tone mark, if any.
fn split_tone(c: char) -> (char, Option<char>) {
    let mut base = None;
    let mut tone = None;
    let mut rest: [char; 2] = ['\0'; 2];
    let mut n = 0;
    decompose_canonical(c, |part| {
        if base.is_none() {
            base = Some(part);
        } else if is_tone_mark(part) {
            tone = Some(part);
        } else if n < 2 {
            rest[n] = part;
            n += 1;
        }
    });
    let mut letter = base.unwrap_or(c);
    for &mark in &rest[..n] {
        letter = compose(letter, mark).unwrap_or(letter);
    }
    (letter, tone)
}

/// Puts `tone` on a toneless vowel. Through NFC, because some letters
/// compose in another order: `ặ` is `ạ` + breve, not `ă` + dot below.
fn with_tone(c: char, tone: char) -> char {
    let pair = [c, tone];
    let mut composed = unicode_normalization::UnicodeNormalization::nfc(pair.iter().copied());
    match (composed.next(), composed.next()) {
        (Some(single), None) => single,
        _ => c,
    }
}

/// Rewrites one word with its tone mark where the placement puts it.
/// Returns `None` when the word is already right or is not a Vietnamese
/// syllable (then it must be left as it is).
pub fn place_tone(word: &str, placement: TonePlacement) -> Option<String> {
    let mut letters: Vec<Letter> = Vec::with_capacity(word.len());
    let mut tone: Option<char> = None;
    let mut tone_count = 0;
    for c in word.chars() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        let (base, mark) = split_tone(lower);
        // A tone on a consonant (`ñ` is n + tilde) is not Vietnamese.
        if !base.is_alphabetic() || (mark.is_some() && !is_vowel(base)) {
            return None;
        }
        if let Some(mark) = mark {
            if tone.is_some_and(|t| t != mark) {
                return None;
            }
            tone = Some(mark);
            tone_count += 1;
        }
        letters.push(Letter { lower: base, upper: c.is_uppercase() });
    }
    let tone = tone?;
    let target = tone_position(&letters, placement)?;
    let mut out = String::with_capacity(word.len() + 2);
    for (i, letter) in letters.iter().enumerate() {
        let c = if i == target { with_tone(letter.lower, tone) } else { letter.lower };
        if letter.upper {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
    // The same text in another normal form compares unequal: compare NFC.
    let original: String = unicode_normalization::UnicodeNormalization::nfc(word).collect();
    if tone_count == 1 && out == original {
        None
    } else {
        Some(out)
    }
}

/// The index of the letter that carries the tone, or `None` when the word
/// does not parse as onset + nucleus + coda.
fn tone_position(letters: &[Letter], placement: TonePlacement) -> Option<usize> {
    let text: String = letters.iter().map(|l| l.lower).collect();
    let chars: Vec<char> = text.chars().collect();
    let mut onset_len = ONSETS.iter().filter(|o| text.starts_with(*o)).map(|o| o.chars().count()).max().unwrap_or(0);
    // `gi` is an onset only before another vowel: in `gìn` the i is the
    // nucleus.
    if text.starts_with("gi") && onset_len == 2 && !chars.get(2).copied().is_some_and(is_vowel) {
        onset_len = 1;
    }
    let nucleus_start = onset_len;
    let mut nucleus_end = nucleus_start;
    while nucleus_end < chars.len() && is_vowel(chars[nucleus_end]) {
        nucleus_end += 1;
    }
    let nucleus = &chars[nucleus_start..nucleus_end];
    let coda: String = chars[nucleus_end..].iter().collect();
    let vowels: String = nucleus.iter().collect();
    if !NUCLEI.contains(&vowels.as_str()) || !CODAS.contains(&coda.as_str()) {
        return None;
    }
    // A nucleus that ends in a glide (ai, ao, âu, uôi ...) takes no final
    // consonant.
    let glide_end = nucleus.len() > 1
        && matches!(nucleus[nucleus.len() - 1], 'i' | 'y' | 'o' | 'u')
        && !matches!(vowels.as_str(), "uy" | "oo");
    if glide_end && !coda.is_empty() {
        return None;
    }
    let at = |i: usize| Some(nucleus_start + i);
    // A vowel with a quality mark takes the tone; in ươ and uơ, the ơ.
    let marked: Vec<usize> = (0..nucleus.len()).filter(|&i| has_quality_mark(nucleus[i])).collect();
    if let Some(&last) = marked.last() {
        return at(if marked.len() > 1 { last } else { marked[0] });
    }
    match nucleus.len() {
        1 => at(0),
        3 => at(1),
        _ => {
            if !coda.is_empty() {
                return at(1);
            }
            let pair: String = nucleus.iter().collect();
            match pair.as_str() {
                "oa" | "oe" | "uy" if placement == TonePlacement::New => at(1),
                _ => at(0),
            }
        }
    }
}

/// Whether a word is one Vietnamese syllable: letters only, no capital
/// after the first letter, onset + nucleus + coda, at most one tone.
pub fn is_syllable(word: &str) -> bool {
    let mut letters: Vec<Letter> = Vec::with_capacity(word.len());
    let mut tone: Option<char> = None;
    for (i, c) in word.chars().enumerate() {
        if i > 0 && c.is_uppercase() && word.chars().next().is_some_and(char::is_lowercase) {
            return false;
        }
        let lower = c.to_lowercase().next().unwrap_or(c);
        let (base, mark) = split_tone(lower);
        if !(base.is_ascii_lowercase() || base == 'đ' || is_vowel(base)) || (mark.is_some() && !is_vowel(base)) {
            return false;
        }
        if let Some(mark) = mark {
            if tone.is_some() {
                return false;
            }
            tone = Some(mark);
        }
        letters.push(Letter { lower: base, upper: c.is_uppercase() });
    }
    // Inner capitals (`NguyÔn`) are not how Vietnamese is written, except
    // all capitals.
    let upper = letters.iter().filter(|l| l.upper).count();
    if upper > 1 && upper < letters.len() {
        return false;
    }
    !letters.is_empty() && tone_position(&letters, TonePlacement::Old).is_some()
}

/// Removes the tone marks and keeps the vowel qualities: `Hùng` → `Hung`,
/// `Hưng` → `Hưng`.
pub fn strip_tones(text: &str) -> String {
    text.chars()
        .map(|c| {
            let (base, _) = split_tone(c);
            base
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn old(word: &str) -> String {
        place_tone(word, TonePlacement::Old).unwrap_or_else(|| word.to_string())
    }

    fn new(word: &str) -> String {
        place_tone(word, TonePlacement::New).unwrap_or_else(|| word.to_string())
    }

    #[test]
    fn open_oa_oe_uy_follow_the_chosen_placement() {
        for (old_style, new_style) in
            [("Hòa", "Hoà"), ("Thủy", "Thuỷ"), ("Khỏe", "Khoẻ"), ("Thúy", "Thuý"), ("HÒA", "HOÀ")]
        {
            assert_eq!(old(new_style), old_style);
            assert_eq!(new(old_style), new_style);
            assert_eq!(old(old_style), old_style);
        }
    }

    #[test]
    fn qu_gi_final_consonants_and_marked_vowels_do_not_move() {
        for word in
            ["Quý", "Giả", "Được", "Thuở", "Hoàng", "Toàn", "Huỳnh", "Người", "Khuyến", "Gìn", "Ngoài", "Mùa", "Kìa"]
        {
            assert_eq!(old(word), word, "old {word}");
            assert_eq!(new(word), word, "new {word}");
        }
    }

    #[test]
    fn misplaced_marks_are_repaired() {
        assert_eq!(old("tòan"), "toàn");
        assert_eq!(old("Hoàng"), "Hoàng");
        assert_eq!(old("ngừơi"), "người");
        assert_eq!(old("tìêng"), "tiềng");
        assert_eq!(new("Hòan"), "Hoàn");
    }

    #[test]
    fn words_that_are_not_syllables_are_left_alone() {
        for word in ["Kđăm", "H'Hen", "Mlô", "Ksor", "Adrơng", "Êban", "2024"] {
            assert_eq!(place_tone(word, TonePlacement::New), None, "{word}");
        }
        assert!(is_syllable("Nguyễn") && is_syllable("NGUYỄN") && is_syllable("gì"));
        assert!(!is_syllable("NguyÔn") && !is_syllable("V¨n") && !is_syllable("Kđăm"));
    }

    #[test]
    fn tones_come_off_and_vowel_qualities_stay() {
        assert_eq!(strip_tones("Hùng Hưng Hứng Nguyễn"), "Hung Hưng Hưng Nguyên");
    }
}
