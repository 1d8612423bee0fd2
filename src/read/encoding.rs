//! Detects and decodes the text encodings population extracts arrive in:
//! UTF-8 with or without a byte-order mark, UTF-16 with a BOM (Excel's
//! "Unicode text" export) and Windows-1258 (older Vietnamese Windows
//! systems). Any other encoding_rs label can be forced with `--encoding`.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, WINDOWS_1258};
use rayon::prelude::*;
use unicode_normalization::UnicodeNormalization;

/// The encoding a file was read with, as the manifest reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Detected {
    pub encoding: &'static Encoding,
    pub bom: bool,
}

impl Detected {
    pub fn label(&self) -> String {
        let name = self.encoding.name().to_ascii_lowercase();
        if self.bom {
            format!("{name} (BOM)")
        } else {
            name
        }
    }
}

/// Picks the encoding of a file's bytes. A BOM decides. Without one, valid
/// UTF-8 is UTF-8; bytes with at least twice as many well-formed non-ASCII
/// UTF-8 characters as broken sequences are UTF-8 too (the rows holding the broken bytes are
/// quarantined); anything else is taken as Windows-1258.
pub fn detect(bytes: &[u8]) -> Detected {
    if let Some((encoding, _)) = Encoding::for_bom(bytes) {
        return Detected { encoding, bom: true };
    }
    if is_utf8(bytes) {
        return Detected { encoding: UTF_8, bom: false };
    }
    let (valid_multibyte, invalid) = utf8_census(bytes);
    let encoding = if invalid == 0 || valid_multibyte >= invalid * 2 { UTF_8 } else { WINDOWS_1258 };
    Detected { encoding, bom: false }
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

/// Decodes a file's bytes to UTF-8. UTF-8 input is borrowed as it is (minus
/// its BOM), so a 2 GB extract is not copied. Windows-1258 stores tone marks
/// as combining characters, so its text is composed to NFC.
pub fn decode(bytes: &[u8], detected: Detected) -> Decoded<'_> {
    let encoding = detected.encoding;
    if encoding == UTF_8 {
        let body = if bytes.starts_with(b"\xEF\xBB\xBF") { &bytes[3..] } else { bytes };
        return Decoded { bytes: Cow::Borrowed(body), replaced: false };
    }
    let body = match Encoding::for_bom(bytes) {
        Some((bom_encoding, len)) if bom_encoding == encoding => &bytes[len..],
        _ => bytes,
    };
    let (text, replaced) = encoding.decode_without_bom_handling(body);
    let text = if encoding == WINDOWS_1258 || text.chars().any(|c| ('\u{0300}'..='\u{0323}').contains(&c)) {
        Cow::Owned(text.nfc().collect::<String>())
    } else {
        text
    };
    Decoded { bytes: Cow::Owned(text.into_owned().into_bytes()), replaced }
}

/// Reads an `--encoding` value: any WHATWG label (`utf-8`, `utf-16le`,
/// `windows-1258`, `cp1258`, `windows-1252`, ...).
pub fn parse_label(label: &str) -> Option<&'static Encoding> {
    let lowered = label.trim().to_ascii_lowercase();
    let normalised = match lowered.as_str() {
        "cp1258" | "1258" => "windows-1258",
        "utf16le" | "utf-16-le" => "utf-16le",
        "utf16be" | "utf-16-be" => "utf-16be",
        "utf8" => "utf-8",
        other => other,
    };
    Encoding::for_label(normalised.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{UTF_16BE, UTF_16LE};

    #[test]
    fn detects_each_encoding_an_extract_arrives_in() {
        assert_eq!(detect("Nguyễn Văn An".as_bytes()).encoding, UTF_8);
        assert!(detect(b"\xEF\xBB\xBFabc").bom);
        assert_eq!(detect(b"\xFF\xFEa\x00").encoding, UTF_16LE);
        assert_eq!(detect(b"\xFE\xFF\x00a").encoding, UTF_16BE);
        // "Nguyễn" in Windows-1258: e-circumflex 0xEA then combining tilde 0xDE.
        assert_eq!(detect(b"Nguy\xEA\xDEn V\xE3n").encoding, WINDOWS_1258);
    }

    #[test]
    fn mostly_utf8_with_one_broken_byte_stays_utf8() {
        let mut bytes = "Nguyễn Văn An,Trần Thị Bình,Lê Hữu Đức\n".repeat(3).into_bytes();
        bytes.extend_from_slice(b"Ph\xE1m\n");
        assert_eq!(detect(&bytes).encoding, UTF_8);
    }

    #[test]
    fn windows_1258_decodes_to_composed_text() {
        let decoded = decode(b"Nguy\xEA\xDEn V\xE3n", detect(b"Nguy\xEA\xDEn V\xE3n"));
        assert_eq!(std::str::from_utf8(&decoded.bytes).unwrap(), "Nguyễn Văn");
    }
}
