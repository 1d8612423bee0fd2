//! What a file really is, from its first bytes rather than its name: an
//! Excel workbook renamed `.csv`, a CSV renamed `.xlsx`, UTF-16 text saved
//! without its byte-order mark, or something that is not an extract at all
//! (a PDF, an image, an archive). dancu reads what it can by content and
//! says what it found; the rest gets an error that says what the file is.

/// The kind of a file's content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Content {
    /// A ZIP container: XLSX, XLSM, XLSB or ODS.
    ZipWorkbook,
    /// The compound-file container of Excel 97-2003 (`.xls`).
    Ole2Workbook,
    /// UTF-16 text without a byte-order mark, little- or big-endian.
    Utf16NoBom { little_endian: bool },
    /// Something that is not text, with what it looks like.
    Binary(&'static str),
    /// Text in some 8-bit or UTF encoding (or with a byte-order mark).
    Text,
}

/// How many leading bytes are looked at.
const SNIFF_BYTES: usize = 8192;

const SIGNATURES: &[(&[u8], &str)] = &[
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xFF\xD8\xFF", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1F\x8B", "a gzip archive"),
    (b"7z\xBC\xAF\x27\x1C", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"SQLite format 3\0", "an SQLite database"),
    (b"PAR1", "a Parquet file"),
    (b"\x7FELF", "a program"),
    (b"MZ", "a Windows program"),
];

pub fn sniff(bytes: &[u8]) -> Content {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Content::ZipWorkbook;
    }
    if bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return Content::Ole2Workbook;
    }
    if encoding_rs::Encoding::for_bom(bytes).is_some() {
        return Content::Text;
    }
    if let Some((_, kind)) = SIGNATURES.iter().find(|(signature, _)| bytes.starts_with(signature)) {
        return Content::Binary(kind);
    }
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let pairs = head.len() / 2;
    if pairs >= 2 {
        let zeros_at = |parity: usize| head.iter().skip(parity).step_by(2).filter(|&&b| b == 0).count();
        let (even, odd) = (zeros_at(0), zeros_at(1));
        // Text in UTF-16 has a zero beside every ASCII character (most of a
        // header and of dates, IDs and separators) and almost none on the
        // other side.
        if odd * 5 >= pairs && even * 50 <= pairs {
            return Content::Utf16NoBom { little_endian: true };
        }
        if even * 5 >= pairs && odd * 50 <= pairs {
            return Content::Utf16NoBom { little_endian: false };
        }
    }
    let control = head.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1A)).count();
    if head.contains(&0) || control * 20 > head.len() {
        return Content::Binary("binary data, not text");
    }
    Content::Text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
        text.encode_utf16().flat_map(|u| if little_endian { u.to_le_bytes() } else { u.to_be_bytes() }).collect()
    }

    #[test]
    fn each_kind_is_told_by_its_first_bytes() {
        assert_eq!(sniff(b"PK\x03\x04\x14\x00"), Content::ZipWorkbook);
        assert_eq!(sniff(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00"), Content::Ole2Workbook);
        assert_eq!(sniff(b"%PDF-1.7\n"), Content::Binary("a PDF document"));
        assert_eq!(sniff("Họ và tên,Ngày sinh\nAn,1990\n".as_bytes()), Content::Text);
        assert_eq!(sniff(b"\xFF\xFEH\x00"), Content::Text, "a BOM is for the decoder");
        let header = "Họ và tên\tNgày sinh\tSố CCCD\r\nNguyễn Văn An\t07/03/1985\t001085000123\r\n";
        assert_eq!(sniff(&utf16(header, true)), Content::Utf16NoBom { little_endian: true });
        assert_eq!(sniff(&utf16(header, false)), Content::Utf16NoBom { little_endian: false });
        assert_eq!(sniff(b"\x00\x01\x02\x03garbage\x00\x00\xFF"), Content::Binary("binary data, not text"));
    }

    #[test]
    fn legacy_eight_bit_text_is_text() {
        // TCVN3 and Windows-1258 bytes are above 0x7F, never control bytes.
        assert_eq!(sniff(b"H\xE4 v\xB5 t\xAAn,Ng\xB5y sinh\nNguy\xD4n V\xA8n An,1990\n"), Content::Text);
    }
}
