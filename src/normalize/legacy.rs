//! Legacy Vietnamese font encodings as they show up in Unicode files: text
//! typed in TCVN3 (ABC, `.VnTime` fonts) or VNI-Windows, later read as
//! Windows-1252, looks like `NguyÔn V¨n` or `Nguyeãn Vaên`; UTF-8 read as
//! Windows-1252 looks like `Nguyá»…n`. The tables come from `rules/encoding/`.
//!
//! This module turns correct text into each damaged form (the data
//! generator needs it to make realistic test extracts).

use std::collections::HashMap;

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

/// Unicode letter → how its legacy bytes look when read as Windows-1252.
#[derive(Clone, Debug, Default)]
pub struct LegacyEncodings {
    tcvn3: HashMap<char, String>,
    vni: HashMap<char, String>,
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
        tables
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
}
