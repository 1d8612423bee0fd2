//! What a message may show. Errors, warnings and progress name files,
//! lines, columns, headers and kinds of problem, never a record's values;
//! and whatever bytes they do show (a path, a header of a file that is not
//! text) are printable: control characters and invalid bytes are escaped,
//! and a long run of them is cut short.

use std::fmt::Write;
use std::path::Path;

/// Characters shown of a text before it is cut short.
const MOST_CHARACTERS: usize = 80;
/// Escaped characters shown before the rest is left out.
const MOST_ESCAPES: usize = 8;

/// `text` as a message may print it: printable characters as they are,
/// others as `\xNN` or `\u{NNNN}`, at most a few of those, and at most
/// [`MOST_CHARACTERS`] in all.
pub fn shown(text: &str) -> String {
    let mut out = String::new();
    let mut escapes = 0;
    for (count, c) in text.chars().enumerate() {
        if count == MOST_CHARACTERS {
            out.push('…');
            break;
        }
        if c.is_control() || c == '\u{FFFD}' || is_invisible(c) {
            escapes += 1;
            if escapes > MOST_ESCAPES {
                out.push('…');
                break;
            }
            if (c as u32) < 0x100 {
                let _ = write!(out, "\\x{:02X}", c as u32);
            } else {
                let _ = write!(out, "\\u{{{:04X}}}", c as u32);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Bytes that may not be text (the start of a binary file), shown as
/// [`shown`] shows text: ASCII letters as they are, the rest escaped.
pub fn shown_bytes(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (i, &b) in bytes.iter().take(MOST_ESCAPES * 2).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{b:02X}");
    }
    out
}

/// A path as a message prints it.
pub fn shown_path(path: &Path) -> String {
    shown(&path.to_string_lossy())
}

fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_cut_short() {
        assert_eq!(shown("Họ và tên"), "Họ và tên");
        assert_eq!(shown("a\u{0}b\u{1b}[2J"), "a\\x00b\\x1B[2J");
        let junk = "\u{0}".repeat(100);
        assert_eq!(shown(&junk).matches("\\x00").count(), MOST_ESCAPES);
        assert!(shown(&"x".repeat(200)).chars().count() <= MOST_CHARACTERS + 1);
        assert_eq!(shown("a\u{202E}b"), "a\\u{202E}b");
    }

    #[test]
    fn bytes_are_shown_in_hex() {
        assert_eq!(shown_bytes(b"PK\x03\x04"), "50 4B 03 04");
    }
}
