//! Personal names: repaired first (legacy font encodings, double-encoded
//! UTF-8, decomposed marks, invisible characters, `Ð` for `Đ`), then put in
//! one canonical form (NFC, one tone placement, title case per syllable,
//! stray digits and punctuation and a leading honorific removed), split
//! into surname (họ), middle (đệm) and given name (tên), and given two
//! matching keys.
//!
//! The keys, both lower case with single spaces and with `y` written `i`
//! where the two are spelling variants of one sound (`Lý`/`Lí`, `Mỹ`/`Mĩ`,
//! `Quý`/`Quí`: a lone `y` after a consonant):
//! - `key` folds every diacritic (`đ` → `d`): `nguyen van hung`. Records
//!   typed without marks match it.
//! - `tone_key` drops the tones only and keeps vowel quality: `nguyên văn
//!   hung` for Hùng, `hưng` for Hưng, which are different names. It is also
//!   blind to tone placement (`Hòa`/`Hoà`).

use serde::Deserialize;
use std::borrow::Cow;
use std::cell::RefCell;

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use crate::error::RuleError;
use crate::hash::HashMap;
use crate::hash::HashSet;
use crate::legacy::{Damage, LegacyEncodings};
use crate::syllable::{push_canonical_syllable, push_toneless_lower, strip_tones, TonePlacement};

/// `names.toml` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NamesFile {
    tone_placement: TonePlacement,
    compound_surnames: Vec<String>,
    honorifics: Vec<String>,
    ede_prefixes: Vec<String>,
    ede_surnames: Vec<String>,
}

/// The name rules, compiled for lookup.
#[derive(Clone, Debug, Default)]
pub struct NameRules {
    pub tone_placement: TonePlacement,
    /// Tone-free lower-case words of each compound surname.
    compound_surnames: Vec<Vec<String>>,
    honorifics: HashSet<String>,
    ede_prefixes: Vec<String>,
    ede_surnames: Vec<Vec<String>>,
    /// Tone-free lower-case surnames known from the name tables.
    surnames: HashSet<String>,
}

fn toneless_words(text: &str) -> Vec<String> {
    strip_tones(&text.nfc().collect::<String>()).to_lowercase().split_whitespace().map(String::from).collect()
}

impl NameRules {
    pub fn parse(
        file: &str,
        text: &str,
        known_surnames: impl Iterator<Item = String>,
    ) -> Result<NameRules, Vec<RuleError>> {
        let parsed: NamesFile = toml::from_str(text).map_err(|e| vec![crate::rules::toml_error(file, text, &e)])?;
        let mut surnames: HashSet<String> = known_surnames.map(|s| toneless_words(&s).join(" ")).collect();
        for compound in &parsed.compound_surnames {
            if let Some(first) = toneless_words(compound).first() {
                surnames.insert(first.clone());
            }
        }
        Ok(NameRules {
            tone_placement: parsed.tone_placement,
            compound_surnames: parsed.compound_surnames.iter().map(|s| toneless_words(s)).collect(),
            honorifics: parsed.honorifics.iter().map(|h| h.nfc().collect::<String>().to_lowercase()).collect(),
            ede_prefixes: parsed.ede_prefixes.iter().map(|p| p.to_lowercase()).collect(),
            ede_surnames: parsed.ede_surnames.iter().map(|s| toneless_words(s)).collect(),
            surnames,
        })
    }
}

/// What normalising a name changed beyond case, spacing and tone placement,
/// each reported as a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NameChange {
    /// A legacy encoding or double-encoded UTF-8 was converted.
    Decoded(Damage),
    /// Decomposed marks, invisible characters or `Ð` were repaired.
    FormRepaired,
    /// Digits or punctuation were removed.
    CharactersRemoved,
    /// A leading honorific (`Ông`, `Bà` ...) was removed.
    HonorificRemoved,
    /// Syllables typed without a space between them were separated
    /// (`ThịCúc` → `Thị Cúc`).
    SyllablesSeparated,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameParts {
    /// The name as it should be displayed: `Nguyễn Văn An`.
    pub display: String,
    pub surname: String,
    pub middle: String,
    pub given: String,
    /// Diacritic-free key: `nguyen van an`.
    pub key: String,
    /// Tone-free key that keeps vowel quality: `nguyên văn an`.
    pub tone_key: String,
    pub changes: Vec<NameChange>,
}

/// Normalises one name field.
pub fn normalize_name(raw: &str, rules: &NameRules, legacy: &LegacyEncodings) -> NameParts {
    let trimmed = raw.trim();
    // VIQR and the VNI input method's digits: Vietnamese typed in ASCII,
    // marks after their letters.
    if trimmed.is_ascii() {
        if let Some((decoded, damage)) = legacy.repair(trimmed).or_else(|| legacy.repair_typed_name(trimmed)) {
            return canonical_name(&decoded, rules, vec![NameChange::Decoded(damage)]).name;
        }
    }
    let composed: Cow<str> = if is_nfc_quick(trimmed.chars()) == IsNormalized::Yes {
        Cow::Borrowed(trimmed)
    } else {
        Cow::Owned(trimmed.nfc().collect())
    };
    // A character that is in no Vietnamese word (`µ`, `¨`, `ø`, `»`) points
    // at a legacy encoding at once; the legacy tables are then tried on the
    // text as it came (TCVN3 writes ư as byte 0xAD, a soft hyphen).
    let (mut suspicious, mut odd) = (false, false);
    for c in composed.chars().filter(|c| !c.is_ascii_alphanumeric() && *c != ' ') {
        let is_odd_char = is_odd(c);
        odd |= is_odd_char;
        // A soft hyphen is TCVN3's ư (`M­êng` is Mường) as often as it is an
        // invisible hint: the legacy tables are tried first.
        suspicious |= (!c.is_ascii() && !crate::syllable::is_vietnamese_letter(c) && !is_odd_char) || c == '\u{AD}';
    }
    if suspicious {
        if let Some((decoded, damage)) = legacy.repair(&composed) {
            return canonical_name(&decoded, rules, vec![NameChange::Decoded(damage)]).name;
        }
    }
    let mut changes = Vec::new();
    if matches!(composed, Cow::Owned(_)) || odd {
        changes.push(NameChange::FormRepaired);
    }
    let parts = canonical_name(&composed, rules, changes);
    // Words that became syllables only by being cut apart or losing
    // characters may be a legacy encoding: TCVN3 `NguyÔn` is Nguyễn, not
    // `Nguy Ôn`.
    let cut =
        parts.name.changes.iter().any(|c| matches!(c, NameChange::SyllablesSeparated | NameChange::CharactersRemoved));
    if suspicious || (parts.all_vietnamese && (!cut || composed.is_ascii())) {
        return parts.name;
    }
    // Every character is a Vietnamese letter but some word is not a
    // syllable: VNI text can look like that (`Traàn`).
    match legacy.repair(&composed) {
        Some((decoded, damage)) => canonical_name(&decoded, rules, vec![NameChange::Decoded(damage)]).name,
        None => parts.name,
    }
}

struct Canonical {
    name: NameParts,
    /// Whether every word with a letter outside ASCII is a Vietnamese
    /// syllable (if not, the text may be in a legacy encoding).
    all_vietnamese: bool,
}

/// Cleans, canonicalises, splits and keys a name already decoded.
fn canonical_name(text: &str, rules: &NameRules, mut changes: Vec<NameChange>) -> Canonical {
    // Letters, spaces and apostrophes are a name; the rest is not.
    let mut kept = String::with_capacity(text.len());
    let mut removed = false;
    let mut removed_non_ascii = false;
    for c in text.chars() {
        match c {
            '\u{00D0}' => kept.push('Đ'),
            '\u{00F0}' => kept.push('đ'),
            c if c.is_alphabetic() => kept.push(c),
            '\'' | '’' | '‘' | '`' | '´' => kept.push('\''),
            c if is_invisible(c) => {}
            c if c.is_whitespace() => kept.push(' '),
            '-' | '.' | ',' | '_' | '/' => {
                kept.push(' ');
                removed = true;
            }
            c => {
                removed = true;
                // `«`, `§`, `»`: the marks of a legacy encoding, not typos.
                removed_non_ascii |= !c.is_ascii();
            }
        }
    }
    let mut words: Vec<&str> = Vec::new();
    let mut separated = false;
    for word in kept.split_whitespace() {
        let before = words.len();
        push_separated(word, &mut words);
        separated |= words.len() > before + 1;
    }
    if removed {
        changes.push(NameChange::CharactersRemoved);
    }
    if separated {
        changes.push(NameChange::SyllablesSeparated);
    }
    if words.len() >= 3 {
        // The title with its tone (Chú is a title, Chu a surname); the
        // surname after it without (a name typed without marks still has one).
        let first = words[0].to_lowercase();
        if rules.honorifics.contains(&first) && rules.surnames.contains(&toneless_lower(words[1])) {
            words.remove(0);
            changes.push(NameChange::HonorificRemoved);
        }
    }

    let mut display = String::with_capacity(kept.len() + 4);
    let mut bounds: Vec<(usize, usize)> = Vec::with_capacity(words.len());
    let mut all_vietnamese = !removed_non_ascii;
    for word in &words {
        if !display.is_empty() {
            display.push(' ');
        }
        let start = display.len();
        if !push_cached_syllable(word, rules.tone_placement, &mut display) {
            all_vietnamese &= word.is_ascii();
            push_other_word(word, &mut display);
        }
        bounds.push((start, display.len()));
    }
    let word_at = |i: usize| &display[bounds[i].0..bounds[i].1];
    let n = bounds.len();
    let (surname_len, surname_last) = structure(&(0..n).map(word_at).collect::<Vec<_>>(), rules);
    let span = |from: usize, to: usize| if from >= to { "" } else { &display[bounds[from].0..bounds[to - 1].1] };
    let (surname, middle, given) = match (n, surname_last) {
        (0, _) => ("", "", ""),
        (1, _) => ("", "", word_at(0)),
        (_, true) => (span(n - surname_len, n), "", span(0, n - surname_len)),
        (_, false) => (span(0, surname_len), span(surname_len, n - 1), word_at(n - 1)),
    };
    let (surname, middle, given) = (surname.to_string(), middle.to_string(), given.to_string());
    let (key, tone_key) = keys(&display);
    Canonical { name: NameParts { display, surname, middle, given, key, tone_key, changes }, all_vietnamese }
}

/// Pushes `word`, or the syllables it is made of when they were typed
/// without a space (`ThịCúc`, `VănNăm`, `THỊCÚC`): a word that is not a
/// syllable itself is cut where a capital follows a small letter, or, in a
/// word of one case with a marked letter, at the one place that leaves two
/// syllables of two letters or more, the second starting with a consonant.
/// Every part must be a syllable; minority names that are not (`Kđăm`,
/// `Ksor`, `H'Hen`) stay whole.
fn push_separated<'w>(word: &'w str, out: &mut Vec<&'w str>) {
    if word.len() < 4 || crate::syllable::is_syllable(word) || word.contains('\'') {
        out.push(word);
        return;
    }
    let syllable = |part: &str| crate::syllable::is_syllable(part) && part.chars().count() >= 2;
    let boundaries: Vec<usize> = word.char_indices().map(|(at, _)| at).skip(1).collect();
    let chars: Vec<char> = word.chars().collect();
    let camel: Vec<usize> = boundaries
        .iter()
        .enumerate()
        .filter(|&(i, _)| chars[i + 1].is_uppercase() && chars[i].is_lowercase())
        .map(|(_, &at)| at)
        .collect();
    if !camel.is_empty() {
        let mut starts = vec![0];
        starts.extend(&camel);
        starts.push(word.len());
        let parts: Vec<&str> = starts.windows(2).map(|w| &word[w[0]..w[1]]).collect();
        // A plain capital after a small letter starts a word even when a
        // part in plain letters has a typo of its own (`VănRis`, `CngTín`);
        // a part with other letters that is no syllable may be a minority
        // name's (`NiêKđăm`), and the word stays whole.
        let plain_capitals = camel.iter().all(|&at| word[at..].starts_with(|c: char| c.is_ascii_uppercase()));
        let typo_part = |p: &&str| syllable(p) || p.is_ascii();
        if parts.iter().all(|p| syllable(p))
            || (plain_capitals && parts.iter().all(typo_part) && parts.iter().any(|p| syllable(p)))
        {
            out.extend(parts);
            return;
        }
        out.push(word);
        return;
    }
    let one_case = !(chars.iter().any(|c| c.is_uppercase()) && chars.iter().skip(1).any(|c| c.is_lowercase()));
    if !one_case || word.is_ascii() {
        out.push(word);
        return;
    }
    let consonant_start =
        |part: &str| part.chars().next().is_some_and(|c| c.to_lowercase().all(|l| "bcdđghklmnpqrstvx".contains(l)));
    let cuts: Vec<usize> = boundaries
        .iter()
        .copied()
        .filter(|&at| syllable(&word[..at]) && syllable(&word[at..]) && consonant_start(&word[at..]))
        .collect();
    match cuts.as_slice() {
        [at] => out.extend([&word[..*at], &word[*at..]]),
        _ => out.push(word),
    }
}

/// A word that is not a Vietnamese syllable (`Kđăm`, `H'Hen`, `Ksor`):
/// title case only when it is written in one case throughout, inner
/// capitals kept otherwise, a capital after an initial `H'` or `K'`.
fn push_other_word(word: &str, out: &mut String) {
    let has_upper = word.chars().any(char::is_uppercase);
    let has_lower = word.chars().any(char::is_lowercase);
    let recase = !(has_upper && has_lower);
    let mut capital_next = true;
    for (i, c) in word.chars().enumerate() {
        if c == '\'' {
            out.push(c);
            capital_next = i == 1;
        } else if capital_next {
            out.extend(c.to_uppercase());
            capital_next = false;
        } else if recase {
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
}

/// Characters that are damage in a name: invisible ones, odd spaces, `Ð`.
fn is_odd(c: char) -> bool {
    is_invisible(c)
        || matches!(c, '\u{00A0}' | '\u{2007}' | '\u{202F}' | '\u{3000}' | '\u{00D0}' | '\u{00F0}' | '\t' | '\r' | '\n')
}

fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}')
}

fn toneless_lower(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        push_toneless_lower(c, &mut out);
    }
    out
}

/// The surname's length in words, and whether it comes last (Ê Đê order:
/// a gender word first, the surname last).
fn structure(words: &[&str], rules: &NameRules) -> (usize, bool) {
    if words.len() < 2 {
        return (0, false);
    }
    let first = words[0].to_lowercase();
    let ede = rules.ede_prefixes.iter().any(|p| first == *p || (p.ends_with('\'') && first.starts_with(p.as_str())));
    if ede {
        let toneless: Vec<String> = words.iter().map(|w| toneless_lower(w)).collect();
        let surname_len = rules
            .ede_surnames
            .iter()
            .filter(|s| s.len() < words.len() && toneless[words.len() - s.len()..] == s[..])
            .map(Vec::len)
            .max()
            .unwrap_or(1);
        return (surname_len, true);
    }
    if words.len() >= 3 {
        let (a, b) = (toneless_lower(words[0]), toneless_lower(words[1]));
        if rules.compound_surnames.iter().any(|c| c.len() == 2 && c[0] == a && c[1] == b) {
            return (2, false);
        }
    }
    (1, false)
}

/// Both matching keys in one pass over the display form.
fn keys(display: &str) -> (String, String) {
    let mut key = String::with_capacity(display.len());
    let mut tone_key = String::with_capacity(display.len() + 8);
    for (i, word) in display.split(' ').enumerate() {
        if i > 0 {
            key.push(' ');
            tone_key.push(' ');
        }
        WORD_KEYS.with(|cache| {
            let mut cache = cache.borrow_mut();
            if let Some((k, t)) = cache.get(word) {
                key.push_str(k);
                tone_key.push_str(t);
                return;
            }
            let (k, t) = word_keys(word);
            key.push_str(&k);
            tone_key.push_str(&t);
            if cache.len() >= CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(word.into(), (k.into(), t.into()));
        });
    }
    (key, tone_key)
}

/// Names are made of a few thousand distinct words: what each word becomes
/// is computed once per thread and remembered (up to a limit, then the
/// memory starts over). A pure function of the word, so results do not
/// depend on which thread saw a word first.
const CACHE_LIMIT: usize = 100_000;

/// Canonical form of a word (`None`: not a syllable), one map per placement.
type SyllableCache = RefCell<[HashMap<Box<str>, Option<Box<str>>>; 2]>;
/// The diacritic-free and tone-free keys of a display word.
type KeyCache = RefCell<HashMap<Box<str>, (Box<str>, Box<str>)>>;

thread_local! {
    static SYLLABLES: SyllableCache = RefCell::new([HashMap::default(), HashMap::default()]);
    static WORD_KEYS: KeyCache = RefCell::new(HashMap::default());
}

/// [`push_canonical_syllable`] through the per-thread cache.
fn push_cached_syllable(word: &str, placement: TonePlacement, out: &mut String) -> bool {
    SYLLABLES.with(|caches| {
        let mut caches = caches.borrow_mut();
        let cache = &mut caches[usize::from(placement == TonePlacement::New)];
        if let Some(entry) = cache.get(word) {
            return match entry {
                Some(canonical) => {
                    out.push_str(canonical);
                    true
                }
                None => false,
            };
        }
        let mut canonical = String::new();
        let is_syllable = push_canonical_syllable(word, placement, &mut canonical);
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(word.into(), is_syllable.then(|| canonical.clone().into()));
        out.push_str(&canonical);
        is_syllable
    })
}

/// The two key forms of one display word.
fn word_keys(word: &str) -> (String, String) {
    let mut tone_key = String::with_capacity(word.len());
    for c in word.chars() {
        push_toneless_lower(c, &mut tone_key);
    }
    let mut key = String::with_capacity(word.len());
    for c in tone_key.chars() {
        match c {
            'đ' => key.push('d'),
            // `H'Hen` keys as `h hen`: an apostrophe parts letters.
            '\'' => key.push(' '),
            c if c.is_ascii_alphanumeric() => key.push(c),
            c if c.is_alphanumeric() => {
                let mut base = c;
                unicode_normalization::char::decompose_canonical(c, |part| {
                    if base == c {
                        base = part;
                    }
                });
                key.push(base);
            }
            _ => {}
        }
    }
    y_as_i(&mut key, 0);
    y_as_i(&mut tone_key, 0);
    (key, tone_key)
}

/// `y` and `i` as the lone vowel after a consonant, or as a word of its own,
/// are one sound spelt two ways (`Lý`/`Lí`, `Mỹ`/`Mĩ`, `Quý`/`Quí`, `Ý`/`Í`):
/// keys write it `i`. Applies to
/// the word that starts at byte `start` of `buffer`.
fn y_as_i(buffer: &mut String, start: usize) {
    let word = &buffer[start..];
    let chars: Vec<char> = word.chars().rev().take(3).collect();
    let vowel = |c: char| "aăâeêioôơuưy".contains(c);
    // A word that is only the vowel (`Ý`, `Í`; the Ê Đê `Y`) is one sound too.
    let lone_y = chars.first() == Some(&'y')
        && (chars.len() == 1 || !vowel(chars[1]) || (chars.len() == 3 && chars[1] == 'u' && chars[2] == 'q'));
    if lone_y {
        buffer.pop();
        buffer.push('i');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{RuleSource, Rules};

    fn name(raw: &str) -> NameParts {
        let rules = Rules::load(&RuleSource::BuiltIn, None).unwrap();
        normalize_name(raw, &rules.names, &rules.legacy_encodings)
    }

    #[test]
    fn splits_a_kinh_name_into_its_three_parts() {
        let n = name("  NGUYỄN   VĂN AN ");
        assert_eq!(n.display, "Nguyễn Văn An");
        assert_eq!((n.surname.as_str(), n.middle.as_str(), n.given.as_str()), ("Nguyễn", "Văn", "An"));
        assert_eq!(n.key, "nguyen van an");
        assert_eq!(n.tone_key, "nguyên văn an");
        assert!(n.changes.is_empty());
    }

    #[test]
    fn decomposed_and_eth_forms_are_repaired_and_flagged() {
        let n = name("\u{00D0}o\u{0302}\u{0303} Thi\u{0323} Hoa");
        assert_eq!(n.display, "Đỗ Thị Hoa");
        assert_eq!(n.changes, vec![NameChange::FormRepaired]);
    }
}

#[cfg(test)]
mod cases {
    //! The cases of `fixtures/cases/names.toml`, the peers' conformance
    //! vectors, and properties over generated and reference names.

    use super::*;
    use crate::rules::{RuleSource, Rules};
    use crate::syllable::place_tone;
    use proptest::prelude::*;

    #[derive(Deserialize)]
    struct Cases {
        case: Vec<Case>,
    }

    #[derive(Deserialize)]
    struct Case {
        input: String,
        display: String,
        surname: String,
        middle: String,
        given: String,
        key: String,
        tone_key: String,
        category: String,
        note: String,
    }

    fn rules() -> &'static Rules {
        static RULES: std::sync::OnceLock<Rules> = std::sync::OnceLock::new();
        RULES.get_or_init(|| Rules::load(&RuleSource::BuiltIn, None).unwrap())
    }

    #[test]
    fn every_case_of_the_cases_file_holds() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/cases/names.toml")).unwrap();
        let cases: Cases = toml::from_str(&text).unwrap();
        assert!(cases.case.len() >= 300, "{} cases", cases.case.len());
        let rules = rules();
        let mut failures = Vec::new();
        for (i, c) in cases.case.iter().enumerate() {
            let got = normalize_name(&c.input, &rules.names, &rules.legacy_encodings);
            let expected = (&c.display, &c.surname, &c.middle, &c.given, &c.key, &c.tone_key);
            let actual = (&got.display, &got.surname, &got.middle, &got.given, &got.key, &got.tone_key);
            if expected != actual {
                failures.push(format!(
                    "case {} [{}] {:?} ({}):\n  expected {expected:?}\n  got      {actual:?}",
                    i + 1,
                    c.category,
                    c.input,
                    c.note
                ));
            }
        }
        assert!(failures.is_empty(), "{} of {} cases fail:\n{}", failures.len(), cases.case.len(), failures.join("\n"));
    }

    /// Correct Vietnamese names are never "repaired": normalising one may
    /// change case, spacing and tone placement, nothing else. The test set
    /// is every name token of the reference tables whose words are all
    /// Vietnamese syllables (the tables were typed by people: some tokens
    /// are themselves VNI-damaged, `Buøi`, or hold `Ð`, and those are fair
    /// game), every minority name the rules know (which are not syllables,
    /// so the repair is tempted), and every pre-2025 commune and district
    /// name. This is the false-positive rate of the repair; it must be zero.
    #[test]
    fn no_correct_name_from_the_reference_lists_is_repaired() {
        let rules = rules();
        let mut personal: Vec<String> = Vec::new();
        personal.extend(rules.name_components.rows().map(|r| r.get("token").to_string()));
        personal.extend(rules.name_middles.rows().map(|r| r.get("middle_name").to_string()));
        let given =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/names/given_by_gender.csv")).unwrap();
        personal.extend(given.lines().skip(1).filter_map(|l| l.split(',').next()).map(String::from));
        let typed = personal.len();
        // Tokens that are not syllables (minority names, loans): the names
        // repair never touches, and never cuts into syllables either.
        let not_syllables: Vec<String> =
            personal.iter().filter(|n| !crate::legacy::is_vietnamese(n)).cloned().collect();
        let cut: Vec<String> = not_syllables
            .iter()
            .filter_map(|n| {
                let parts = normalize_name(n, &rules.names, &rules.legacy_encodings);
                parts.changes.contains(&NameChange::SyllablesSeparated).then(|| format!("{n:?} -> {:?}", parts.display))
            })
            .collect();
        assert!(cut.is_empty(), "{} of {} tokens were cut:\n{}", cut.len(), not_syllables.len(), cut.join("\n"));
        personal.retain(|n| crate::legacy::is_vietnamese(n));
        let damaged_in_source = typed - personal.len();
        let generator: toml::Table = toml::from_str(&rules.generator.1).unwrap();
        for pool in generator["names"].as_table().unwrap().values() {
            for list in ["surnames", "given", "male_middle", "female_middle"] {
                let words = pool.get(list).and_then(|v| v.as_array()).cloned().unwrap_or_default();
                personal.extend(words.iter().filter_map(|w| w.as_str()).filter(|w| !w.is_empty()).map(String::from));
            }
        }
        personal.extend(["Y Ngông Niê Kđăm", "H'Hen Niê", "Hờ A Páo", "Ksor H'Nhik", "Y Moan Enuôl"].map(String::from));
        let units: Vec<String> = rules
            .admin
            .old_units
            .iter()
            .flat_map(|u| [u.commune_short_name.clone(), u.district_short_name.clone()])
            .collect();

        let toneless = |s: &str| strip_tones(&s.to_lowercase()).split_whitespace().collect::<Vec<_>>().join(" ");
        let mut changed = Vec::new();
        for (name, is_unit) in personal.iter().map(|n| (n, false)).chain(units.iter().map(|n| (n, true))) {
            let parts = normalize_name(name, &rules.names, &rules.legacy_encodings);
            let repaired = parts.changes.iter().any(|c| matches!(c, NameChange::Decoded(_) | NameChange::FormRepaired));
            // Unit names may hold digits (`Phường 14`): for them only the
            // repair itself is checked.
            let altered = !is_unit && toneless(&parts.display) != toneless(name);
            if repaired || altered {
                changed.push(format!("{name:?} -> {:?} {:?}", parts.display, parts.changes));
            }
        }
        assert!(
            personal.len() > 5_000 && damaged_in_source < typed / 10,
            "{} names, {damaged_in_source} damaged",
            personal.len()
        );
        assert!(
            changed.is_empty(),
            "{} of {} correct names were changed:\n{}",
            changed.len(),
            personal.len() + units.len(),
            changed.join("\n")
        );
    }

    #[derive(Deserialize)]
    struct Vector {
        id: String,
        #[serde(alias = "task")]
        r#fn: Option<String>,
        #[serde(default)]
        charset: Option<String>,
        input: serde_json::Value,
        expected: serde_json::Value,
    }

    fn vectors(file: &str) -> Vec<Vector> {
        let path = format!("{}/fixtures/conformance/{file}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }

    /// The peers' tone-placement vectors: both spellings of a word must end
    /// in the same canonical form, in each style. The two sentence rows pin
    /// the peer's old style for loanword spellings (`xóong`, tone on the
    /// first o), where dancu puts the tone on the second o in both styles;
    /// they are listed here.
    #[test]
    fn tone_placement_vectors_agree_on_one_canonical_form() {
        let peer_choices = ["tone-017", "tone-018"];
        let mut checked = 0;
        for v in vectors("tone_placement_and_name_normalisation.jsonl") {
            let function = v.r#fn.clone().unwrap_or_default();
            if !function.starts_with("normalize_tone_placement") || peer_choices.contains(&v.id.as_str()) {
                continue;
            }
            let (Some(input), Some(expected)) = (v.input.as_str(), v.expected.as_str()) else { continue };
            for placement in [TonePlacement::Old, TonePlacement::New] {
                let canonical = |t: &str| {
                    t.split(' ')
                        .map(|w| {
                            let (head, tail) = w.split_at(w.trim_end_matches([',', '.']).len());
                            format!("{}{tail}", place_tone(head, placement).unwrap_or_else(|| head.to_string()))
                        })
                        .collect::<Vec<_>>()
                        .join(" ")
                };
                assert_eq!(canonical(input), canonical(expected), "{} ({placement:?})", v.id);
            }
            checked += 1;
        }
        assert!(checked >= 15, "{checked}");
    }

    /// The peers' legacy-encoding vectors: TCVN3, VNI and VIQR text
    /// converts to the expected Unicode. Two rows read VIQR's `u+.` as `ụ`
    /// where RFC 1456 (and dancu) read `ự`; they are listed here.
    #[test]
    fn legacy_encoding_vectors_convert() {
        let rules = rules();
        let peer_choices = ["enc-017", "enc-020"];
        let mut checked = 0;
        for v in vectors("legacy_encoding_vectors.jsonl") {
            if v.r#fn.as_deref() != Some("to_unicode") || peer_choices.contains(&v.id.as_str()) {
                continue;
            }
            let (Some(input), Some(expected)) = (v.input.as_str(), v.expected.as_str()) else { continue };
            let charset = v.charset.clone().unwrap_or_default().to_ascii_lowercase();
            if !matches!(charset.as_str(), "tcvn3" | "vni" | "viqr") {
                continue;
            }
            let got = match rules.legacy_encodings.repair(input) {
                Some((text, _)) => text,
                None => input.to_string(),
            };
            let nfc = |t: &str| t.nfc().collect::<String>().to_lowercase();
            assert_eq!(nfc(&got), nfc(expected), "{}", v.id);
            checked += 1;
        }
        assert!(checked >= 5, "{checked}");
    }

    fn some_name() -> impl Strategy<Value = String> {
        let words = [
            "Nguyễn", "Văn", "Hòa", "Thủy", "Khỏe", "Quý", "Giả", "Được", "Toàn", "Huỳnh", "Lý", "Mỹ", "Thị", "Ánh",
            "Người", "Kđăm", "H'Hen", "Niê",
        ];
        proptest::collection::vec(proptest::sample::select(words.to_vec()), 1..5).prop_map(|w| w.join(" "))
    }

    proptest! {
        #[test]
        fn normalising_twice_equals_normalising_once(name in some_name()) {
            let rules = rules();
            let once = normalize_name(&name, &rules.names, &rules.legacy_encodings);
            let twice = normalize_name(&once.display, &rules.names, &rules.legacy_encodings);
            prop_assert_eq!(&once.display, &twice.display);
            prop_assert_eq!(&once.key, &twice.key);
        }

        #[test]
        fn keys_ignore_normal_form_case_and_tone_style(name in some_name()) {
            let rules = rules();
            let n = |t: &str| normalize_name(t, &rules.names, &rules.legacy_encodings);
            let nfc = n(&name);
            let nfd = n(&name.nfd().collect::<String>());
            let upper = n(&name.to_uppercase());
            let new_style = name.split(' ').map(|w| place_tone(w, TonePlacement::New).unwrap_or_else(|| w.to_string())).collect::<Vec<_>>().join(" ");
            let new_style = n(&new_style);
            prop_assert_eq!(&nfc.display, &nfd.display);
            prop_assert_eq!(&nfc.key, &upper.key);
            prop_assert_eq!(&nfc.tone_key, &nfd.tone_key);
            prop_assert_eq!(&nfc.display, &new_style.display);
            prop_assert_eq!(&nfc.tone_key, &new_style.tone_key);
        }
    }
}
