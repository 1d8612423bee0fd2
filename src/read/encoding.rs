//! Detects and decodes the text encodings population extracts arrive in:
//! UTF-8 with or without a byte-order mark, UTF-16 with a BOM (Excel's
//! "Unicode text"), Windows-1258 (older Vietnamese Windows systems), and the
//! font encodings of the systems before Unicode, TCVN3 (ABC) and
//! VNI-Windows, as the bytes their exports hold. Any other encoding_rs label
//! can be forced with `--encoding`.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252, WINDOWS_1258};
use rayon::prelude::*;
use unicode_normalization::UnicodeNormalization;

use crate::legacy::{Damage, LegacyEncodings};

/// The encoding a file was read with, as the manifest reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Detected {
    pub encoding: &'static Encoding,
    pub bom: bool,
    /// A font encoding: the bytes are read as Windows-1252 (every byte is a
    /// character there) and the characters mapped through the font's table.
    pub font: Option<Damage>,
}

impl Detected {
    pub fn standard(encoding: &'static Encoding, bom: bool) -> Detected {
        Detected { encoding, bom, font: None }
    }

    pub fn label(&self) -> String {
        if let Some(font) = self.font {
            return format!("{} (bytes)", font.label());
        }
        let name = self.encoding.name().to_ascii_lowercase();
        if self.bom {
            format!("{name} (BOM)")
        } else {
            name
        }
    }
}

/// What `--encoding` forces: an encoding_rs encoding or a font encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forced {
    Standard(&'static Encoding),
    Font(Damage),
}

/// Bytes of a non-UTF-8 file looked at to tell its encoding.
const SAMPLE_BYTES: usize = 256 << 10;

/// Picks the encoding of a file's bytes. A BOM decides. Without one, valid
/// UTF-8 is UTF-8; bytes with at least twice as many well-formed non-ASCII
/// UTF-8 characters as broken sequences are UTF-8 too (the rows holding the
/// broken bytes are quarantined). Anything else is read the three ways an
/// old Vietnamese system wrote it (Windows-1258, TCVN3, VNI), and the one
/// whose words are Vietnamese syllables most often wins; Windows-1258 on a
/// tie.
pub fn detect(bytes: &[u8], legacy: &LegacyEncodings) -> Detected {
    if let Some((encoding, _)) = Encoding::for_bom(bytes) {
        return Detected::standard(encoding, true);
    }
    if is_utf8(bytes) {
        return Detected::standard(UTF_8, false);
    }
    let (valid_multibyte, invalid) = utf8_census(bytes);
    if invalid == 0 || valid_multibyte >= invalid * 2 {
        return Detected::standard(UTF_8, false);
    }
    let mut end = bytes.len().min(SAMPLE_BYTES);
    if end < bytes.len() {
        end = bytes[..end].iter().rposition(|&b| b == b'\n').map_or(end, |at| at + 1);
    }
    let sample = &bytes[..end];
    let score = |(valid, invalid): (usize, usize)| valid as i64 - 2 * invalid as i64;
    let windows_1258 = score(crate::legacy::vietnamese_words(&decode_standard(sample, WINDOWS_1258)));
    let as_1252 = WINDOWS_1252.decode_without_bom_handling(sample).0;
    let mut best = (windows_1258, Detected::standard(WINDOWS_1258, false));
    for font in [Damage::Tcvn3, Damage::Vni] {
        let decoded = compose(legacy.decode(&as_1252, font));
        let candidate = score(crate::legacy::vietnamese_words(&decoded));
        if candidate > best.0 {
            best = (candidate, Detected { encoding: WINDOWS_1252, bom: false, font: Some(font) });
        }
    }
    best.1
}

/// Whether all of `bytes` is UTF-8, checked in pieces on the thread pool.
/// A piece starts at a character's first byte, so each piece is whole
/// characters exactly when the file is.
fn is_utf8(bytes: &[u8]) -> bool {
    const PIECE: usize = 8 << 20;
    let is_continuation = |i: usize| bytes.get(i).is_some_and(|&b| b & 0xC0 == 0x80);
    let mut starts: Vec<usize> = (0..bytes.len()).step_by(PIECE).collect();
    for start in starts.iter_mut().skip(1) {
        // A character is at most four bytes: a longer run of continuation
        // bytes is invalid and fails its piece.
        for _ in 0..3 {
            if is_continuation(*start) {
                *start += 1;
            }
        }
    }
    starts.push(bytes.len());
    starts.par_windows(2).all(|w| std::str::from_utf8(&bytes[w[0]..w[1].max(w[0])]).is_ok())
}

/// Counts well-formed non-ASCII UTF-8 characters and malformed sequences.
fn utf8_census(mut bytes: &[u8]) -> (usize, usize) {
    let mut valid_multibyte = 0;
    let mut invalid = 0;
    loop {
        match std::str::from_utf8(bytes) {
            // A file that is valid throughout is UTF-8 whatever it holds:
            // its characters need not be counted.
            Ok(_) if invalid == 0 => return (valid_multibyte, 0),
            Ok(text) => {
                valid_multibyte += non_ascii_characters(text.as_bytes());
                return (valid_multibyte, invalid);
            }
            Err(e) => {
                let (good, rest) = bytes.split_at(e.valid_up_to());
                valid_multibyte += non_ascii_characters(good);
                invalid += 1;
                let skip = e.error_len().unwrap_or(rest.len()).max(1);
                bytes = &rest[skip.min(rest.len())..];
                if bytes.is_empty() {
                    return (valid_multibyte, invalid);
                }
            }
        }
    }
}

/// Non-ASCII characters in valid UTF-8: each starts with a lead byte,
/// `0b11xxxxxx`; counted bytewise, which the compiler vectorises.
fn non_ascii_characters(valid: &[u8]) -> usize {
    valid.iter().filter(|&&b| b >= 0xC0).count()
}

/// The result of decoding a whole file to UTF-8 bytes.
pub struct Decoded<'a> {
    /// UTF-8, except where the source had bytes that are not valid in its
    /// encoding; rows touching those are quarantined by the reader.
    pub bytes: Cow<'a, [u8]>,
    /// True when the decoder met bytes it could not decode and put U+FFFD in
    /// their place (only for non-UTF-8 encodings).
    pub replaced: bool,
}

fn compose(text: String) -> String {
    if unicode_normalization::is_nfc_quick(text.chars()) == unicode_normalization::IsNormalized::Yes {
        text
    } else {
        text.nfc().collect()
    }
}

fn decode_standard(bytes: &[u8], encoding: &'static Encoding) -> String {
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    compose(text.into_owned())
}

/// Decodes a file's bytes to UTF-8. UTF-8 input is borrowed as it is (minus
/// its BOM), so a 2 GB extract is not copied. Windows-1258 stores tone marks
/// as combining characters, so its text is composed to NFC; so is a font
/// encoding's, once its characters are mapped.
pub fn decode<'a>(bytes: &'a [u8], detected: Detected, legacy: &LegacyEncodings) -> Decoded<'a> {
    let encoding = detected.encoding;
    if encoding == UTF_8 && detected.font.is_none() {
        let body = if bytes.starts_with(b"\xEF\xBB\xBF") { &bytes[3..] } else { bytes };
        return Decoded { bytes: Cow::Borrowed(body), replaced: false };
    }
    let body = match Encoding::for_bom(bytes) {
        Some((bom_encoding, len)) if bom_encoding == encoding => &bytes[len..],
        _ => bytes,
    };
    let (text, replaced) = encoding.decode_without_bom_handling(body);
    let text = match detected.font {
        Some(font) => compose(legacy.decode(&text, font)),
        None if encoding == WINDOWS_1258 || text.chars().any(|c| ('\u{0300}'..='\u{0323}').contains(&c)) => {
            compose(text.into_owned())
        }
        None => text.into_owned(),
    };
    Decoded { bytes: Cow::Owned(text.into_bytes()), replaced }
}

/// Reads an `--encoding` value: `tcvn3` (or `abc`), `vni`, or any WHATWG
/// label (`utf-8`, `utf-16le`, `windows-1258`, `cp1258`, `windows-1252`,
/// ...).
pub fn parse_label(label: &str) -> Option<Forced> {
    let lowered = label.trim().to_ascii_lowercase();
    let normalised = match lowered.as_str() {
        "tcvn3" | "tcvn" | "abc" | "tcvn-3" => return Some(Forced::Font(Damage::Tcvn3)),
        "vni" | "vni-windows" => return Some(Forced::Font(Damage::Vni)),
        "cp1258" | "1258" => "windows-1258",
        "utf16le" | "utf-16-le" => "utf-16le",
        "utf16be" | "utf-16-be" => "utf-16be",
        "utf8" => "utf-8",
        other => other,
    };
    Encoding::for_label(normalised.as_bytes()).map(Forced::Standard)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{RuleSource, Rules};
    use encoding_rs::{UTF_16BE, UTF_16LE};

    fn legacy() -> &'static LegacyEncodings {
        static RULES: std::sync::OnceLock<Rules> = std::sync::OnceLock::new();
        &RULES.get_or_init(|| Rules::load(&RuleSource::BuiltIn, None).unwrap()).legacy_encodings
    }

    #[test]
    fn detects_each_encoding_an_extract_arrives_in() {
        let legacy = legacy();
        assert_eq!(detect("Nguyễn Văn An".as_bytes(), legacy).encoding, UTF_8);
        assert!(detect(b"\xEF\xBB\xBFabc", legacy).bom);
        assert_eq!(detect(b"\xFF\xFEa\x00", legacy).encoding, UTF_16LE);
        assert_eq!(detect(b"\xFE\xFF\x00a", legacy).encoding, UTF_16BE);
        // "Nguyễn" in Windows-1258: e-circumflex 0xEA then combining tilde 0xDE.
        assert_eq!(detect(b"Nguy\xEA\xDEn V\xE3n", legacy).encoding, WINDOWS_1258);
    }

    #[test]
    fn a_file_of_tcvn3_or_vni_bytes_is_told_from_windows_1258() {
        let legacy = legacy();
        let text =
            "Họ và tên,Giới tính,Dân tộc\nNguyễn Văn Hùng,Nam,Kinh\nLò Thị Mường,Nữ,Thái\nTrần Thị Thủy,Nữ,Mường\n";
        for (font, encode) in [(Damage::Tcvn3, legacy.to_tcvn3(text)), (Damage::Vni, legacy.to_vni(text))] {
            // The font's characters as the bytes an old system wrote.
            let (bytes, _, unmappable) = WINDOWS_1252.encode(&encode);
            assert!(!unmappable);
            let detected = detect(&bytes, legacy);
            assert_eq!(detected.font, Some(font), "{font:?}");
            let decoded = decode(&bytes, detected, legacy);
            let lower = |s: &str| s.to_lowercase();
            assert_eq!(lower(std::str::from_utf8(&decoded.bytes).unwrap()), lower(text), "{font:?}");
        }
    }

    #[test]
    fn mostly_utf8_with_one_broken_byte_stays_utf8() {
        let mut bytes = "Nguyễn Văn An,Trần Thị Bình,Lê Hữu Đức\n".repeat(3).into_bytes();
        bytes.extend_from_slice(b"Ph\xE1m\n");
        assert_eq!(detect(&bytes, legacy()).encoding, UTF_8);
    }

    #[test]
    fn windows_1258_decodes_to_composed_text() {
        let detected = detect(b"Nguy\xEA\xDEn V\xE3n", legacy());
        let decoded = decode(b"Nguy\xEA\xDEn V\xE3n", detected, legacy());
        assert_eq!(std::str::from_utf8(&decoded.bytes).unwrap(), "Nguyễn Văn");
    }

    #[test]
    fn font_encodings_can_be_forced_by_name() {
        assert_eq!(parse_label("TCVN3"), Some(Forced::Font(Damage::Tcvn3)));
        assert_eq!(parse_label("vni"), Some(Forced::Font(Damage::Vni)));
        assert_eq!(parse_label("cp1258"), Some(Forced::Standard(WINDOWS_1258)));
        assert_eq!(parse_label("klingon"), None);
    }
}
