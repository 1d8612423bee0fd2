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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Letter {
    lower: char,
    upper: bool,
}

/// Longer words are not Vietnamese syllables (the longest, `nghiêng`, has 7).
const MAX_LETTERS: usize = 10;

/// A word taken apart into toneless letters, without allocating.
struct Word {
    letters: [Letter; MAX_LETTERS],
    len: usize,
    tone: Option<char>,
    /// Index of the first letter that carried a tone.
    tone_at: usize,
    tone_count: usize,
}

impl Word {
    /// `None` for a word that cannot be a syllable: too long, a letter that
    /// is not Vietnamese, a tone on a consonant, two different tones.
    fn parse(word: &str) -> Option<Word> {
        let mut parsed =
            Word { letters: [Letter::default(); MAX_LETTERS], len: 0, tone: None, tone_at: 0, tone_count: 0 };
        for c in word.chars() {
            if parsed.len == MAX_LETTERS {
                return None;
            }
            let upper = c.is_uppercase();
            let lower = if c.is_ascii() { c.to_ascii_lowercase() } else { c.to_lowercase().next().unwrap_or(c) };
            let (base, mark) = split_tone(lower);
            if !(base.is_ascii_lowercase() || base == 'đ' || is_vowel(base)) {
                return None;
            }
            if let Some(mark) = mark {
                if !is_vowel(base) || parsed.tone.is_some_and(|t| t != mark) {
                    return None;
                }
                if parsed.tone.is_none() {
                    parsed.tone_at = parsed.len;
                }
                parsed.tone = Some(mark);
                parsed.tone_count += 1;
            }
            parsed.letters[parsed.len] = Letter { lower: base, upper };
            parsed.len += 1;
        }
        (parsed.len > 0).then_some(parsed)
    }

    fn letters(&self) -> &[Letter] {
        &self.letters[..self.len]
    }
}

const VOWELS: &str = "aăâeêioôơuưy";
const CODAS: [&str; 9] = ["", "c", "ch", "m", "n", "ng", "nh", "p", "t"];
/// The vowel clusters Vietnamese spelling has (after `qu` and `gi`, which
/// are onsets). The loanword `oo` and `ôô` are allowed apart, before a final
/// consonant only ([`tone_position`]).
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

/// The length of the onset: ngh; ng, nh, ch, gh, kh, ph, th, tr, gi, qu;
/// or one consonant.
fn onset_length(letters: &[Letter]) -> usize {
    let at = |i: usize| letters.get(i).map_or(' ', |l| l.lower);
    match (at(0), at(1), at(2)) {
        ('n', 'g', 'h') => 3,
        ('n', 'g' | 'h', _) | ('c' | 'g' | 'k' | 'p' | 't', 'h', _) | ('t', 'r', _) | ('g', 'i', _) | ('q', 'u', _) => {
            2
        }
        (c, _, _) if "bcdđghklmnpqrstvx".contains(c) => 1,
        _ => 0,
    }
}

/// Whether the letters spell `text` exactly.
fn spells(letters: &[Letter], text: &str) -> bool {
    let mut chars = text.chars();
    letters.iter().all(|l| chars.next() == Some(l.lower)) && chars.next().is_none()
}

/// Splits a letter into its toneless form and its tone mark, if any.
fn split_tone(c: char) -> (char, Option<char>) {
    if c.is_ascii() {
        return (c, None);
    }
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
    if let Some(direct) = compose(c, tone) {
        return direct;
    }
    let pair = [c, tone];
    let mut composed = unicode_normalization::UnicodeNormalization::nfc(pair.iter().copied());
    match (composed.next(), composed.next()) {
        (Some(single), None) => single,
        _ => c,
    }
}

/// Rewrites one word with its tone mark where the placement puts it.
/// Returns `None` when the word is already right or is not a Vietnamese
/// syllable (then it must be left as it is). `word` must be NFC.
pub fn place_tone(word: &str, placement: TonePlacement) -> Option<String> {
    let parsed = Word::parse(word)?;
    let tone = parsed.tone?;
    let target = tone_position(parsed.letters(), placement)?;
    if parsed.tone_count == 1 && parsed.tone_at == target {
        return None;
    }
    let mut out = String::with_capacity(word.len() + 2);
    for (i, letter) in parsed.letters().iter().enumerate() {
        let c = if i == target { with_tone(letter.lower, tone) } else { letter.lower };
        if letter.upper {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// The index of the letter that carries the tone, or `None` when the word
/// does not parse as onset + nucleus + coda.
fn tone_position(letters: &[Letter], placement: TonePlacement) -> Option<usize> {
    let mut onset_len = onset_length(letters);
    // `gi` is an onset only before another vowel: in `gìn` the i is the
    // nucleus.
    if onset_len == 2
        && letters[0].lower == 'g'
        && letters[1].lower == 'i'
        && !letters.get(2).is_some_and(|l| is_vowel(l.lower))
    {
        onset_len = 1;
    }
    let nucleus_start = onset_len;
    let mut nucleus_end = nucleus_start;
    while nucleus_end < letters.len() && is_vowel(letters[nucleus_end].lower) {
        nucleus_end += 1;
    }
    let nucleus = &letters[nucleus_start..nucleus_end];
    let coda = &letters[nucleus_end..];
    // Loanword spellings with a doubled o (`xoong`, `boong`, `coóc`,
    // `côông`) before a final c or ng; the tone goes on the second o in both
    // styles. Without a final consonant they are not syllables: VNI damage
    // (`Voõ` for Võ) looks like that.
    let loanword = (spells(nucleus, "oo") || spells(nucleus, "ôô")) && (spells(coda, "c") || spells(coda, "ng"));
    if !(loanword || NUCLEI.iter().any(|n| spells(nucleus, n))) || !CODAS.iter().any(|c| spells(coda, c)) {
        return None;
    }
    // A nucleus that ends in a glide (ai, ao, âu, uôi ...) takes no final
    // consonant.
    let glide_end = nucleus.len() > 1
        && matches!(nucleus[nucleus.len() - 1].lower, 'i' | 'y' | 'o' | 'u')
        && !spells(nucleus, "uy")
        && !loanword;
    if glide_end && !coda.is_empty() {
        return None;
    }
    let at = |i: usize| Some(nucleus_start + i);
    // A vowel with a quality mark takes the tone; in ươ and uơ, the ơ.
    if let Some(last_marked) = (0..nucleus.len()).rev().find(|&i| has_quality_mark(nucleus[i].lower)) {
        return at(last_marked);
    }
    match nucleus.len() {
        1 => at(0),
        3 => at(1),
        _ if !coda.is_empty() => at(1),
        _ if placement == TonePlacement::New && ["oa", "oe", "uy"].iter().any(|p| spells(nucleus, p)) => at(1),
        _ => at(0),
    }
}

/// Appends a word as one canonical syllable (title case, the tone where the
/// placement puts it) and returns true, or returns false and appends
/// nothing when the word is not a Vietnamese syllable.
pub fn push_canonical_syllable(word: &str, placement: TonePlacement, out: &mut String) -> bool {
    let Some(parsed) = Word::parse(word) else { return false };
    let letters = parsed.letters();
    let Some(target) = tone_position(letters, placement) else { return false };
    for (i, letter) in letters.iter().enumerate() {
        let c = match parsed.tone {
            Some(tone) if i == target => with_tone(letter.lower, tone),
            _ => letter.lower,
        };
        if i == 0 {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
    true
}

/// Whether a word is one Vietnamese syllable: letters only, no capital
/// after the first letter (unless all are capitals), onset + nucleus +
/// coda, one tone at most.
pub fn is_syllable(word: &str) -> bool {
    let Some(parsed) = Word::parse(word) else { return false };
    let letters = parsed.letters();
    let upper = letters.iter().filter(|l| l.upper).count();
    let mixed_inside = upper > 1 && upper < letters.len() || (upper == 1 && !letters[0].upper);
    !mixed_inside && parsed.tone_count <= 1 && tone_position(letters, TonePlacement::Old).is_some()
}

/// The letters Vietnamese is written with, precomposed, beyond ASCII.
pub fn is_vietnamese_letter(c: char) -> bool {
    matches!(
        c,
        '\u{1EA0}'..='\u{1EF9}'
            | 'À'..='Ã'
            | 'È'..='Ê'
            | 'Ì'
            | 'Í'
            | 'Ò'..='Õ'
            | 'Ù'
            | 'Ú'
            | 'Ý'
            | 'à'..='ã'
            | 'è'..='ê'
            | 'ì'
            | 'í'
            | 'ò'..='õ'
            | 'ù'
            | 'ú'
            | 'ý'
            | 'Ă'
            | 'ă'
            | 'Đ'
            | 'đ'
            | 'Ĩ'
            | 'ĩ'
            | 'Ũ'
            | 'ũ'
            | 'Ơ'
            | 'ơ'
            | 'Ư'
            | 'ư'
    )
}

/// Removes the tone marks and keeps the vowel qualities: `Hùng` → `Hung`,
/// `Hưng` → `Hưng`.
pub fn strip_tones(text: &str) -> String {
    text.chars().map(|c| split_tone(c).0).collect()
}

/// Appends `c` without its tone, lower-cased, to `out`.
pub fn push_toneless_lower(c: char, out: &mut String) {
    let lower = if c.is_ascii() { c.to_ascii_lowercase() } else { c.to_lowercase().next().unwrap_or(c) };
    out.push(split_tone(lower).0);
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
    fn loanword_double_vowels_take_the_tone_on_the_second_in_both_styles() {
        for placement in [TonePlacement::Old, TonePlacement::New] {
            assert_eq!(place_tone("xóong", placement).as_deref(), Some("xoóng"));
            assert_eq!(place_tone("cóoc", placement).as_deref(), Some("coóc"));
            assert_eq!(place_tone("CỐÔNG", placement).as_deref(), Some("CÔỐNG"));
            assert_eq!(place_tone("boóng", placement), None, "already right");
        }
        assert!(is_syllable("xoong") && is_syllable("boong"));
        assert!(!is_syllable("Voõ"), "VNI damage of Võ stays damage");
    }

    #[test]
    fn tones_come_off_and_vowel_qualities_stay() {
        assert_eq!(strip_tones("Hùng Hưng Hứng Nguyễn"), "Hung Hưng Hưng Nguyên");
    }
}
