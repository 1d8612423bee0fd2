//! Text primitives shared by every normaliser: invisible-character clean-up,
//! Unicode composition, case, and the diacritic-free keys used for matching.
//!
//! Folding diacritics is right for a matching key and wrong for display:
//! *Hùng*, *Hưng* and *Hứng* are different names, so folded forms never reach
//! a normalised output value.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Removes characters that are invisible in a spreadsheet but break equality:
/// zero-width spaces and joiners, the byte-order mark, soft hyphens; turns
/// non-breaking and other exotic spaces into a plain space; replaces the
/// Icelandic eth (`Ð`/`ð`, U+00D0/U+00F0) that some systems type for `Đ`/`đ`.
pub fn clean_invisible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => {}
            '\u{00A0}' | '\u{2007}' | '\u{202F}' | '\u{3000}' | '\t' | '\r' | '\n' => out.push(' '),
            '\u{00D0}' => out.push('Đ'),
            '\u{00F0}' => out.push('đ'),
            _ => out.push(c),
        }
    }
    out
}

/// Collapses runs of white space to one space and trims both ends.
pub fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Invisible characters removed, NFC, single spaces, trimmed: the form every
/// free-text field gets before anything more specific happens to it.
pub fn tidy(text: &str) -> String {
    let cleaned = clean_invisible(text);
    let composed: String = if cleaned.is_ascii()
        || unicode_normalization::is_nfc_quick(cleaned.chars()) == unicode_normalization::IsNormalized::Yes
    {
        cleaned
    } else {
        cleaned.nfc().collect()
    };
    collapse_whitespace(&composed)
}

/// The first code point of the Latin-1 Supplement to Latin Extended
/// Additional blocks, where every precomposed Vietnamese letter lies.
const MARKED_FIRST: u32 = 0xC0;
const MARKED_LAST: u32 = 0x1EFF;

/// For each code point of that range, the ASCII letter it is made of (its
/// first code point after canonical decomposition), or 0 when it is not an
/// ASCII letter with marks. Built once.
fn marked_letters() -> &'static [u8] {
    static TABLE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        (MARKED_FIRST..=MARKED_LAST)
            .map(|code| {
                let base = char::from_u32(code).and_then(|c| std::iter::once(c).nfd().next());
                match base {
                    Some(b) if b.is_ascii_alphabetic() && b as u32 != code => b as u8,
                    _ => 0,
                }
            })
            .collect()
    })
}

/// The base letter of a Vietnamese letter without any mark: `ữ` → `u`,
/// `Đ` → `D`. Characters outside Vietnamese pass through unchanged.
/// Precomposed letters are looked up in a table; anything else (combining
/// marks, other scripts) goes through canonical decomposition.
fn strip_marks_into(text: &str, out: &mut String) {
    let table = marked_letters();
    for c in text.chars() {
        match c {
            c if c.is_ascii() => out.push(c),
            'đ' | 'ð' => out.push('d'),
            'Đ' | 'Ð' => out.push('D'),
            c if (MARKED_FIRST..=MARKED_LAST).contains(&(c as u32))
                && table[(c as u32 - MARKED_FIRST) as usize] != 0 =>
            {
                out.push(table[(c as u32 - MARKED_FIRST) as usize] as char)
            }
            c => {
                for d in std::iter::once(c).nfd() {
                    if !is_combining_mark(d) {
                        out.push(d);
                    }
                }
            }
        }
    }
}

/// The text without any mark, case and punctuation kept: `Ở đời` → `O doi`.
pub fn strip_marks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    strip_marks_into(text, &mut out);
    out
}

/// Lower-case, diacritic-free, with `đ` folded to `d`; words kept apart by
/// single spaces and everything that is not a letter or digit dropped.
/// `Nguyễn  Văn-Hùng` → `nguyen van hung`.
pub fn fold_words(text: &str) -> String {
    let mut stripped = String::with_capacity(text.len());
    strip_marks_into(text, &mut stripped);
    let mut out = String::with_capacity(stripped.len());
    let mut pending_space = false;
    for c in stripped.chars() {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

/// [`fold_words`] without the spaces: the key for headers and unit names,
/// which real exports write with any spacing or none (`HO_TEN`, `hoten`,
/// `Họ tên`).
pub fn fold_compact(text: &str) -> String {
    fold_words(text).replace(' ', "")
}

/// The optimal-string-alignment distance of two texts, byte by byte (keys
/// folded to ASCII): insertions, deletions, substitutions and swaps of
/// neighbours each count one. Allocation-free for texts up to 47 bytes.
pub fn edit_distance(a: &str, b: &str) -> usize {
    edit_distance_within(a, b, usize::MAX).expect("no distance exceeds usize::MAX")
}

/// [`edit_distance`] when it is at most `limit`, else `None`, found without
/// finishing the table once two rows in a row exceed `limit`: every
/// alignment passes through one of any two neighbouring rows (a swap skips
/// one row, never two), and its cost only grows along the way.
pub fn edit_distance_within(a: &str, b: &str, limit: usize) -> Option<usize> {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    if a.is_empty() || b.is_empty() {
        return Some(a.len().max(b.len()));
    }
    const STACK: usize = 48;
    let width = b.len() + 1;
    let mut on_stack = [0u16; 3 * STACK];
    let mut on_heap = Vec::new();
    let rows: &mut [u16] = if width <= STACK {
        &mut on_stack[..3 * width]
    } else {
        on_heap.resize(3 * width, 0);
        &mut on_heap
    };
    for (j, cell) in rows[..width].iter_mut().enumerate() {
        *cell = j as u16;
    }
    let mut previous_row_min = 0usize;
    for i in 1..=a.len() {
        let (cur, prev, prev2) = (i % 3, (i + 2) % 3, (i + 1) % 3);
        rows[cur * width] = i as u16;
        let mut row_min = i;
        for j in 1..=b.len() {
            let cost = u16::from(a[i - 1] != b[j - 1]);
            let mut best =
                (rows[prev * width + j] + 1).min(rows[cur * width + j - 1] + 1).min(rows[prev * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[prev2 * width + j - 2] + 1);
            }
            rows[cur * width + j] = best;
            row_min = row_min.min(usize::from(best));
        }
        if row_min.min(previous_row_min) > limit {
            return None;
        }
        previous_row_min = row_min;
    }
    let distance = usize::from(rows[(a.len() % 3) * width + b.len()]);
    (distance <= limit).then_some(distance)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The full table, as the definition: the bounded distance must agree
    /// with it wherever it answers, and answer wherever it is in bounds.
    fn full_distance(a: &[u8], b: &[u8]) -> usize {
        let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
                }
            }
        }
        d[a.len()][b.len()]
    }

    proptest::proptest! {
        #[test]
        fn bounded_edit_distance_agrees_with_the_full_table(a in "[abc]{0,9}", b in "[abc]{0,9}", limit in 0usize..6) {
            let full = full_distance(a.as_bytes(), b.as_bytes());
            proptest::prop_assert_eq!(edit_distance(&a, &b), full);
            proptest::prop_assert_eq!(edit_distance_within(&a, &b, limit), (full <= limit).then_some(full));
        }
    }

    /// The table gives what decomposition gives, for every code point of
    /// its range.
    #[test]
    fn the_letter_table_agrees_with_decomposition() {
        for code in MARKED_FIRST..=MARKED_LAST {
            let Some(c) = char::from_u32(code) else { continue };
            let text = c.to_string();
            let slow: String = text
                .nfd()
                .filter_map(|d| match d {
                    'đ' | 'ð' => Some('d'),
                    'Đ' | 'Ð' => Some('D'),
                    d if is_combining_mark(d) => None,
                    d => Some(d),
                })
                .collect();
            let mut fast = String::new();
            strip_marks_into(&text, &mut fast);
            assert_eq!(fast, slow, "U+{code:04X}");
        }
    }

    #[test]
    fn folds_headers_written_every_way_to_one_key() {
        for header in ["Họ tên", "HO_TEN", "hoten", "Ho  ten", "HỌ TÊN"] {
            assert_eq!(fold_compact(header), "hoten", "{header}");
        }
        assert_eq!(fold_compact("Ngày, tháng, năm sinh"), "ngaythangnamsinh");
    }

    #[test]
    fn fold_words_keeps_word_boundaries_and_folds_d_bar() {
        assert_eq!(fold_words("  Đặng   Thị-Thu "), "dang thi thu");
        assert_eq!(fold_words("Ðỗ"), "do");
    }

    #[test]
    fn tidy_composes_nfd_and_removes_invisible_characters() {
        let nfd = "Nguye\u{0302}\u{0303}n\u{00A0}\u{200B}Va\u{0306}n";
        assert_eq!(tidy(nfd), "Nguyễn Văn");
    }
}
