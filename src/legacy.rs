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
    /// VIQR: Vietnamese typed in ASCII, each mark a character after its
    /// vowel (`Nguye^~n Va(n Hu\`ng`).
    Viqr,
    /// The VNI input method's digits typed into a name (`Nguye64n`).
    VniTyping,
}

impl Damage {
    /// The encoding's name, as the manifest writes it.
    pub fn label(self) -> &'static str {
        match self {
            Damage::Tcvn3 => "tcvn3",
            Damage::Vni => "vni",
            Damage::Mojibake => "utf-8 read as windows-1252",
            Damage::Viqr => "viqr",
            Damage::VniTyping => "vni typing",
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
            Damage::Viqr => viqr::decode(text).unwrap_or_else(|| text.to_string()),
            Damage::VniTyping => vni_typing::decode(text).unwrap_or_else(|| text.to_string()),
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
            return viqr::repair(text).map(|decoded| (decoded, Damage::Viqr));
        }
        let words_before = syllable_score(text)?;
        if words_before.invalid == 0 {
            return None;
        }
        // `Ð` (U+00D0) alone is the `Đ` some systems type, not TCVN3's é:
        // text whose only damage it is is not in a legacy encoding.
        if text.contains(['\u{D0}', '\u{F0}']) {
            let eth_repaired = text.replace('\u{D0}', "Đ").replace('\u{F0}', "đ");
            if syllable_score(&eth_repaired).is_some_and(|s| s.invalid == 0) {
                return None;
            }
        }
        // A font encoding read as Windows-1252 shows only that code page's
        // characters: text with a Vietnamese letter beyond it (ầ, ị, ư, đ)
        // was typed in Unicode, whatever else is wrong with it.
        let font_possible = text.chars().all(|c| (c as u32) < 0x100 || is_windows_1252_extra(c));
        // Double-encoded text may carry another damage under it: a TCVN3
        // name read as Windows-1252 once more (`LÃŸ` is TCVN3 `Lß`, Lò).
        let unwrapped = from_mojibake(text);
        if let Some(inner) = unwrapped.as_deref().filter(|inner| !is_vietnamese(inner)) {
            // (Or double-encoded twice: each pass makes the text shorter.)
            if let Some(repaired) = self.repair(inner) {
                return Some(repaired);
            }
        }
        let candidates = [
            (unwrapped.map(|decoded| restore_capitals(&decoded)), Damage::Mojibake),
            (font_possible.then(|| self.decode_vni(text)), Damage::Vni),
            (font_possible.then(|| restore_capitals(&self.decode_tcvn3(text))), Damage::Tcvn3),
        ];
        // Text with a character no Vietnamese word has (`ª`, `Ö`, `¹`) is
        // damaged for certain; its repair may keep one word that is still no
        // syllable: a typing error made before the encoding (`Binª`, Biên
        // with two letters swapped).
        let surely_damaged = text.chars().any(|c| !c.is_ascii() && !crate::syllable::is_vietnamese_letter(c));
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
            // Exact decoding may cut before any capital (`NgọcĐẹp`); a font
            // table's output only before a plain one (VNI makes `Ô` into `Ơ`).
            let cut = if damage == Damage::Mojibake { Cut::BeforeAnyCapital } else { Cut::BeforePlainCapital };
            if let Some(score) = syllable_score_cut(&candidate, cut) {
                let left_over =
                    if surely_damaged && damage != Damage::Mojibake && score.vietnamese >= 2 { 1 } else { 0 };
                if score.invalid <= left_over && score.invalid < words_before.invalid && score.vietnamese > 0 {
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

    /// Text as it is typed in VIQR.
    pub fn to_viqr(&self, text: &str) -> String {
        viqr::encode(text)
    }

    /// A name typed with the VNI input method's digits left in
    /// (`Nguye64n Va8n Hu2ng`: 1-5 the tones, 6 circumflex, 7 horn, 8 breve,
    /// 9 after d for đ), decoded when every word with digits becomes a
    /// syllable. For names only: elsewhere `A1`, `B5` are block numbers.
    pub fn repair_typed_name(&self, text: &str) -> Option<(String, Damage)> {
        vni_typing::decode(text).map(|decoded| (decoded, Damage::VniTyping))
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
    syllable_score_cut(text, Cut::BeforePlainCapital)
}

/// Where a word is cut into syllables typed without a space between them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cut {
    /// Before a capital of ASCII: TCVN3 shows small toned letters as
    /// Latin-1 capitals (`NguyÔn` is Nguyễn, not `Nguy Ôn`), and VNI's table
    /// makes some into other capitals (`Ơ`).
    BeforePlainCapital,
    /// Before any capital, for text decoded exactly (`NgọcĐẹp`).
    BeforeAnyCapital,
}

fn syllable_score_cut(text: &str, cut: Cut) -> Option<SyllableScore> {
    let mut score = SyllableScore { vietnamese: 0, invalid: 0 };
    let words = text.split(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | '-' | '(' | ')' | '/'));
    for word in words.flat_map(|word| run_together_parts(word, cut)) {
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

/// A word cut where a small letter is followed by a capital (see [`Cut`]):
/// syllables typed without the space between them (`HồThị`) are counted one
/// by one.
fn run_together_parts(word: &str, cut: Cut) -> impl Iterator<Item = &str> {
    let mut cuts = Vec::new();
    let mut previous_lower = false;
    for (at, c) in word.char_indices() {
        if previous_lower && (c.is_ascii_uppercase() || cut == Cut::BeforeAnyCapital && c.is_uppercase()) {
            cuts.push(at);
        }
        previous_lower = c.is_lowercase();
    }
    cuts.push(word.len());
    let mut start = 0;
    cuts.into_iter().map(move |end| {
        let part = &word[start..end];
        start = end;
        part
    })
}

/// TCVN3 has no capital toned letters: a name typed in capitals comes out
/// of the table as `THạCH THị` (and double-encoded text put in capitals
/// comes back as `TRầN`). A word with a capital after its first letter
/// whose only small letters are toned ones was typed in capitals.
fn restore_capitals(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let capital_inside = word.chars().skip(1).any(char::is_uppercase);
        let small_only_toned = word.chars().filter(|c| c.is_lowercase()).all(|c| !c.is_ascii());
        if capital_inside && small_only_toned {
            out.extend(word.chars().flat_map(char::to_uppercase));
        } else {
            out.push_str(word);
        }
    }
    out
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

/// Undoes UTF-8 read as Windows-1252, when the text is exactly that, or
/// was that before it was put in capitals (`TRÁº§N` is `TRầN`: the lead
/// byte's `á` became `Á`, which is another byte).
fn from_mojibake(text: &str) -> Option<String> {
    // Every Vietnamese letter outside ASCII starts with UTF-8 byte C2-C6 or
    // E1, which Windows-1252 shows as one of these.
    if !text.chars().any(|c| matches!(c, 'Â' | 'Ã' | 'Ä' | 'Å' | 'Æ' | 'á' | 'Á')) {
        return None;
    }
    let exact = |text: &str| {
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
        if unmappable {
            return None;
        }
        String::from_utf8(bytes.into_owned()).ok()
    };
    if let Some(decoded) = exact(text) {
        return Some(decoded);
    }
    // `Á` (C1) never starts a UTF-8 sequence: it was `á` (E1) before the
    // capitals; a continuation byte's letter may have been put in capitals
    // too (`š` 9A became `Š` 8A).
    if !text.contains('Á') {
        return None;
    }
    let lead_restored = text.replace('Á', "á");
    exact(&lead_restored).or_else(|| {
        exact(
            &lead_restored
                .chars()
                .map(|c| match c {
                    'Š' => 'š',
                    'Œ' => 'œ',
                    'Ž' => 'ž',
                    c => c,
                })
                .collect::<String>(),
        )
    })
}

/// UTF-8 bytes read as Windows-1252: `Nguyễn` → `Nguyá»…n`.
pub fn to_mojibake(text: &str) -> String {
    let (decoded, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(text.as_bytes());
    decoded.into_owned()
}

mod viqr {
    //! VIQR (Vietnamese Quoted-Readable, RFC 1456): ASCII with each mark a
    //! character after its letter: `(` breve, `^` circumflex, `+` horn,
    //! `dd` for đ; then the tone, `'` sắc, `` ` `` huyền, `?` hỏi, `~` ngã,
    //! `.` nặng. Names were typed this way for two decades.

    use unicode_normalization::UnicodeNormalization;

    fn quality(letter: char, mark: char) -> Option<char> {
        let lower = letter.to_ascii_lowercase();
        let marked = match (lower, mark) {
            ('a', '(') => 'ă',
            ('a', '^') => 'â',
            ('e', '^') => 'ê',
            ('o', '^') => 'ô',
            ('o', '+') => 'ơ',
            ('u', '+') => 'ư',
            _ => return None,
        };
        Some(if letter.is_ascii_uppercase() { marked.to_uppercase().next().unwrap_or(marked) } else { marked })
    }

    fn tone(mark: char) -> Option<char> {
        match mark {
            '\'' => Some('\u{0301}'),
            '`' => Some('\u{0300}'),
            '?' => Some('\u{0309}'),
            '~' => Some('\u{0303}'),
            '.' => Some('\u{0323}'),
            _ => None,
        }
    }

    fn is_vowel(c: char) -> bool {
        "aeiouyAEIOUY".contains(c)
    }

    /// One word decoded, and whether it used any VIQR mark.
    fn decode_word(word: &str) -> (String, bool) {
        let chars: Vec<char> = word.chars().collect();
        let mut out = String::with_capacity(word.len());
        let mut marked = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if (c == 'd' || c == 'D') && matches!(chars.get(i + 1), Some('d' | 'D')) {
                out.push(if c == 'D' { 'Đ' } else { 'đ' });
                marked = true;
                i += 2;
                continue;
            }
            if !is_vowel(c) {
                out.push(c);
                i += 1;
                continue;
            }
            let mut letter = c;
            i += 1;
            if let Some(with_quality) = chars.get(i).and_then(|&m| quality(c, m)) {
                letter = with_quality;
                marked = true;
                i += 1;
            }
            out.push(letter);
            if let Some(mark) = chars.get(i).and_then(|&m| tone(m)) {
                out.push(mark);
                marked = true;
                i += 1;
            }
        }
        (out.nfc().collect(), marked)
    }

    /// The text decoded, when it is VIQR: some word uses a mark, and every
    /// word that does decodes to a Vietnamese syllable (words without marks
    /// are left as they are). A trailing `.` after a word that is already a
    /// syllable is punctuation, not a tone.
    pub fn repair(text: &str) -> Option<String> {
        // A full stop that ends the text is punctuation unless other marks
        // say the text is VIQR (`Nguyen Van A.` is not `Nguyen Van Ạ`).
        let body = text.trim_end().strip_suffix('.').unwrap_or(text);
        if !body.contains(['^', '(', '+', '\'', '`', '?', '~', '.']) && !body.to_ascii_lowercase().contains("dd") {
            return None;
        }
        let decoded = decode(text)?;
        (decoded != text).then_some(decoded)
    }

    pub fn decode(text: &str) -> Option<String> {
        let mut out = String::with_capacity(text.len() + 8);
        let mut any = false;
        for (i, piece) in text.split(' ').enumerate() {
            if i > 0 {
                out.push(' ');
            }
            // Sentence punctuation around a word is kept as it is.
            let core_start = piece.find(|c: char| c.is_ascii_alphanumeric()).unwrap_or(piece.len());
            let (lead, rest) = piece.split_at(core_start);
            let core_end = rest
                .char_indices()
                .rev()
                .find(|&(_, c)| c.is_ascii_alphanumeric() || "^(+'`?~.".contains(c))
                .map_or(0, |(at, c)| at + c.len_utf8());
            let (core, tail) = rest.split_at(core_end);
            let (word, marked) = decode_word(core);
            out.push_str(lead);
            if marked {
                if !crate::syllable::is_syllable(&word) {
                    // `ho.` at a sentence's end: the dot may be a full stop.
                    let bare = core.strip_suffix('.').filter(|b| crate::syllable::is_syllable(&decode_word(b).0));
                    let (word, _) = decode_word(bare?);
                    out.push_str(&word);
                    out.push('.');
                    out.push_str(tail);
                    any = true;
                    continue;
                }
                any = true;
            }
            out.push_str(if marked { &word } else { core });
            out.push_str(tail);
        }
        any.then_some(out)
    }

    /// Unicode text typed in VIQR.
    pub fn encode(text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 8);
        for c in text.nfc() {
            let mut parts = Vec::new();
            unicode_normalization::char::decompose_canonical(c, |p| parts.push(p));
            let (base, marks) = parts.split_first().map_or((c, &[][..]), |(b, m)| (*b, m));
            match base {
                'đ' => out.push_str("dd"),
                'Đ' => out.push_str("DD"),
                _ => out.push(base),
            }
            // The vowel's quality first, then its tone (canonical order
            // puts a dot below before a circumflex: `ệ` is e, ̣, ̂).
            let quality = |m: char| matches!(m, '\u{0306}' | '\u{0302}' | '\u{031B}');
            for &mark in marks.iter().filter(|&&m| quality(m)).chain(marks.iter().filter(|&&m| !quality(m))) {
                match mark {
                    '\u{0306}' => out.push('('),
                    '\u{0302}' => out.push('^'),
                    '\u{031B}' => out.push('+'),
                    '\u{0301}' => out.push('\''),
                    '\u{0300}' => out.push('`'),
                    '\u{0309}' => out.push('?'),
                    '\u{0303}' => out.push('~'),
                    '\u{0323}' => out.push('.'),
                    other => out.push(other),
                }
            }
        }
        out
    }
}

mod vni_typing {
    //! The VNI input method types marks as digits after the letters; with
    //! the method off (or in an ASCII-only field) the digits stay in the
    //! text. 1 sắc, 2 huyền, 3 hỏi, 4 ngã, 5 nặng; 6 circumflex (â ê ô), 7
    //! horn (ơ ư), 8 breve (ă); 9 after d for đ. Marks may follow the
    //! letter or come at the end of the word.

    use unicode_normalization::UnicodeNormalization;

    fn decode_word(word: &str) -> Option<String> {
        if !word.bytes().any(|b| b.is_ascii_digit()) {
            return Some(word.to_string());
        }
        // Letters first, then the digits, each applied to the last letter
        // that can take it.
        let letters: String = word.chars().filter(|c| !c.is_ascii_digit()).collect();
        if letters.is_empty() || !letters.chars().all(|c| c.is_ascii_alphabetic()) {
            return None;
        }
        let mut chars: Vec<char> = letters.chars().collect();
        let mut tone: Option<char> = None;
        for digit in word.chars().filter(char::is_ascii_digit) {
            let find_last =
                |chars: &[char], set: &str| chars.iter().rposition(|c| set.contains(c.to_ascii_lowercase()));
            match digit {
                '1' => tone = Some('\u{0301}'),
                '2' => tone = Some('\u{0300}'),
                '3' => tone = Some('\u{0309}'),
                '4' => tone = Some('\u{0303}'),
                '5' => tone = Some('\u{0323}'),
                '6' | '7' | '8' => {
                    let (set, mark) = match digit {
                        '6' => ("aeo", '\u{0302}'),
                        '7' => ("ou", '\u{031B}'),
                        _ => ("a", '\u{0306}'),
                    };
                    let at = find_last(&chars, set)?;
                    let marked: String = [chars[at], mark].iter().collect::<String>().nfc().collect();
                    chars[at] = marked.chars().next()?;
                    // `uo7`: the horn goes on both (ươ).
                    if digit == '7' && at > 0 && chars[at - 1].eq_ignore_ascii_case(&'u') {
                        let marked: String = [chars[at - 1], mark].iter().collect::<String>().nfc().collect();
                        chars[at - 1] = marked.chars().next()?;
                    }
                }
                '9' => {
                    let at = chars.iter().position(|c| c.eq_ignore_ascii_case(&'d'))?;
                    chars[at] = if chars[at] == 'D' { 'Đ' } else { 'đ' };
                }
                _ => return None,
            }
        }
        let mut word: String = chars.into_iter().collect();
        if let Some(tone) = tone {
            // On any vowel: where it belongs is placed right afterwards.
            let vowel = |c: char| "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY".contains(c);
            let at = word.char_indices().rev().find(|&(_, c)| vowel(c)).map(|(i, _)| i)?;
            word.insert(at + word[at..].chars().next()?.len_utf8(), tone);
            word = word.nfc().collect();
            word = crate::syllable::place_tone(&word, crate::syllable::TonePlacement::Old).unwrap_or(word);
        }
        crate::syllable::is_syllable(&word).then_some(word)
    }

    pub fn decode(text: &str) -> Option<String> {
        if !text.is_ascii() || !text.bytes().any(|b| b.is_ascii_digit()) {
            return None;
        }
        let words: Option<Vec<String>> = text.split(' ').map(decode_word).collect();
        let decoded = words?.join(" ");
        (decoded != text).then_some(decoded)
    }
}

#[cfg(test)]
mod viqr_tests {
    use super::viqr;

    #[test]
    fn viqr_names_decode_and_other_ascii_is_left_alone() {
        assert_eq!(viqr::repair("Nguye^~n Va(n Hu`ng").as_deref(), Some("Nguyễn Văn Hùng"));
        assert_eq!(viqr::repair("DDa(.ng Thi. Ngo.c Nu+o+ng").as_deref(), Some("Đặng Thị Ngọc Nương"));
        assert_eq!(viqr::repair("Nguyen Van A."), None, "a full stop");
        assert_eq!(viqr::repair("H'Hen Nie"), None, "H' is an Ê Đê prefix, not a tone");
        assert_eq!(viqr::repair("Nguyen Van An"), None);
        for name in ["Nguyễn Văn Hùng", "Đặng Thị Ngọc Nương", "Trần Thị Thủy", "Lê Hữu Đức", "Phạm Quỳnh Anh"]
        {
            assert_eq!(viqr::repair(&viqr::encode(name)).as_deref(), Some(name), "{name}");
        }
    }

    #[test]
    fn vni_typing_digits_decode_in_names() {
        use super::vni_typing;
        assert_eq!(vni_typing::decode("Nguye64n Va8n Hu2ng").as_deref(), Some("Nguyễn Văn Hùng"));
        assert_eq!(vni_typing::decode("Nguyen64 Van8 Hung2").as_deref(), Some("Nguyễn Văn Hùng"));
        assert_eq!(vni_typing::decode("D9a85ng Thi5 Nuo7ng").as_deref(), Some("Đặng Thị Nương"));
        assert_eq!(vni_typing::decode("Chu1 vie6t co3 da5u VNI").as_deref(), Some("Chú viêt cỏ dạu VNI"));
        assert_eq!(vni_typing::decode("Nguyen Van An"), None);
        assert_eq!(vni_typing::decode("Lo A1 K9"), None, "K9 is no syllable");
    }
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

    /// Damage seen on whole offices' TCVN3: names typed in capitals (the
    /// table gives small toned letters), syllables run together, and a
    /// typing error made before the encoding.
    #[test]
    fn tcvn3_in_capitals_run_together_or_with_a_typo_is_repaired() {
        let rules = Rules::load(&RuleSource::BuiltIn, None).unwrap();
        let legacy = &rules.legacy_encodings;
        for (damaged, repaired) in [
            ("TH¹CH THÞ THANH CHI", "THẠCH THỊ THANH CHI"),
            ("NGUYÔN V¡N HïNG", "NGUYỄN VĂN HÙNG"),
            ("HåThÞ Tiªn", "HồThị Tiên"),
            ("NguyÔn ThÞ Ph\u{ad}¬ngTrang", "Nguyễn Thị PhươngTrang"),
            ("DiÖp CÈm Binª", "Diệp Cẩm Binê"),
        ] {
            assert_eq!(legacy.repair(damaged), Some((repaired.to_string(), Damage::Tcvn3)), "{damaged}");
        }
        // Two words left that are no syllables is not a repair, nor is text
        // without a character foreign to Vietnamese.
        assert_eq!(legacy.repair("DiÖp Cxxm Binª"), None);
        for name in ["Nguyễn ThịCúc", "HoàngAnh", "Jürgen Özil", "Ngô Thị Bé Ba"] {
            assert_eq!(legacy.repair(name), None, "{name}");
        }
    }

    /// Double-encoded text put in capitals, and TCVN3 double-encoded.
    #[test]
    fn double_encoded_capitals_and_double_encoded_tcvn3_are_repaired() {
        let rules = Rules::load(&RuleSource::BuiltIn, None).unwrap();
        let legacy = &rules.legacy_encodings;
        assert_eq!(legacy.repair("TRÁº§N QUANG SÃ³C"), Some(("TRẦN QUANG SÓC".to_string(), Damage::Mojibake)));
        assert_eq!(legacy.repair("LÃŸ ThÃž XÂ\u{AD}Â¬ng"), Some(("Lò Thị Xương".to_string(), Damage::Tcvn3)));
        assert_eq!(legacy.repair(&to_mojibake(&legacy.to_tcvn3("Nguyễn Văn Hùng"))).map(|r| r.1), Some(Damage::Tcvn3));
        // Twice double-encoded; and run together, with the bytes Windows-1252
        // leaves undefined (8D, 90) kept as C1 controls.
        let twice = to_mojibake(&to_mojibake("Nguyễn Thị Thu Huyền"));
        assert_eq!(legacy.repair(&twice), Some(("Nguyễn Thị Thu Huyền".to_string(), Damage::Mojibake)));
        let run_together = to_mojibake("Nguyễn Thị NgọcĐẹp");
        assert!(run_together.contains(['\u{8D}', '\u{90}']));
        assert_eq!(legacy.repair(&run_together), Some(("Nguyễn Thị NgọcĐẹp".to_string(), Damage::Mojibake)));
        // Capitals that are not double-encoded text stay as they are.
        assert_eq!(legacy.repair("ÁNH ÁNH"), None);
    }
}
