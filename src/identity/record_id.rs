//! A record's `record_id`: the name a row keeps on every night, so that
//! decisions, lineage and the review page can point at it.
//!
//! Where the input has a record-key column (the register's own row key,
//! mapped to the canonical field `record_key`), the ID is made from that
//! key alone: the row may be corrected and still be the same record. Else it
//! is made from the row's content: the original value of every mapped field,
//! by canonical field (so the file's name, the row's place in it and the
//! order of its columns change nothing), trimmed of surrounding blanks. Two
//! identical rows are still two records: the second of them in input order
//! gets `-2` after its ID, the third `-3`, and so on.
//!
//! The ID is a SHA-256 digest, cut to 80 bits and written in hex, behind a
//! letter that says what it was made from (`K` a key, `R` the content): it
//! names a record without showing any of its content, and it is the same on
//! every machine and in every version of dancu.

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::hash::HashMap;
use crate::record::{Field, RawRecord};

/// Hex digits of the digest a record ID keeps: 80 bits, so that two
/// different rows of a hundred million share an ID with a chance of about
/// one in a hundred million.
const DIGEST_HEX: usize = 20;

/// The ID of each record, in the order given.
pub fn record_ids(records: &[RawRecord], parallel: bool) -> Vec<String> {
    let base = |record: &RawRecord| base_id(record);
    let bases: Vec<String> =
        if parallel { records.par_iter().map(base).collect() } else { records.iter().map(base).collect() };
    number_occurrences(bases)
}

/// The IDs of a master's records read back: each the one the master gave
/// it (unique there), which a corrected record keeps though its content
/// changed. Records without one are numbered as [`record_ids`] does.
pub fn kept_record_ids(records: &[RawRecord], parallel: bool) -> Vec<String> {
    fn kept(record: &RawRecord) -> Option<&str> {
        record.origin.as_ref().map(|o| &*o.record_id).filter(|id| is_record_id(id))
    }
    if records.iter().any(|r| kept(r).is_none()) {
        return record_ids(records, parallel);
    }
    records.iter().filter_map(kept).map(str::to_string).collect()
}

/// The ID a record gets before identical rows are told apart.
fn base_id(record: &RawRecord) -> String {
    let key = record.values.get(Field::RecordKey).trim();
    // What is hashed is gathered first and hashed once: one call on a
    // row's bytes, not seventy on a few each (the digest is the same).
    let mut content: Vec<u8> = Vec::with_capacity(512);
    let kind = if key.is_empty() {
        for field in Field::ALL {
            if field == Field::RecordKey {
                continue;
            }
            // The field's name keeps `An` as a name apart from `An` as an
            // address; the separator keeps `ab`+`c` apart from `a`+`bc`.
            content.extend_from_slice(field.name().as_bytes());
            content.push(0x1f);
            content.extend_from_slice(record.values.get(field).trim().as_bytes());
            content.push(0x1e);
        }
        'R'
    } else {
        content.extend_from_slice(b"record_key\x1f");
        content.extend_from_slice(key.as_bytes());
        'K'
    };
    let mut hasher = Sha256::new();
    hasher.update(&content);
    let digest = hasher.finalize();
    let mut id = String::with_capacity(DIGEST_HEX + 1);
    id.push(kind);
    for byte in digest.iter().take(DIGEST_HEX / 2) {
        id.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        id.push(char::from(b"0123456789abcdef"[usize::from(byte & 0xf)]));
    }
    id
}

/// The second and later occurrences of an ID, in order, get `-2`, `-3`, ….
fn number_occurrences(mut ids: Vec<String>) -> Vec<String> {
    let mut seen: HashMap<String, u32> = HashMap::default();
    for id in &mut ids {
        let count = seen.entry(id.clone()).or_insert(0);
        *count += 1;
        if *count > 1 {
            id.push('-');
            id.push_str(&count.to_string());
        }
    }
    ids
}

/// Whether a text has the shape of a record ID (for files that name
/// records: decisions, a master's records).
pub fn is_record_id(text: &str) -> bool {
    let (base, occurrence) = match text.split_once('-') {
        Some((base, n)) => (base, Some(n)),
        None => (text, None),
    };
    let shape = base.len() == DIGEST_HEX + 1
        && matches!(base.as_bytes()[0], b'K' | b'R')
        && base[1..].bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    shape && occurrence.is_none_or(|n| n.parse::<u32>().is_ok_and(|n| n >= 2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::FieldValuesBuilder;

    fn record(source: u32, row: u64, cells: &[(Field, &str)]) -> RawRecord {
        let mut values = FieldValuesBuilder::default();
        for (field, text) in cells {
            values.set(*field, text);
        }
        RawRecord { source, row, line: row + 1, values: values.build(), origin: None, extras: Vec::new() }
    }

    const AN: [(Field, &str); 2] = [(Field::FullName, "Lê Văn An"), (Field::BirthDate, "01/02/1990")];

    #[test]
    fn the_same_row_gets_the_same_id_wherever_it_is_read() {
        let here = record(0, 1, &AN);
        let there = record(3, 977, &[(Field::BirthDate, " 01/02/1990"), (Field::FullName, "Lê Văn An ")]);
        let ids = record_ids(&[here, there], false);
        assert_eq!(ids[0], ids[1].trim_end_matches("-2"));
        assert!(is_record_id(&ids[0]) && ids[0].starts_with('R'), "{}", ids[0]);
    }

    #[test]
    fn identical_rows_are_numbered_and_different_rows_differ() {
        let other = record(0, 3, &[(Field::FullName, "Lê Văn An"), (Field::BirthDate, "01/02/1991")]);
        let moved = record(0, 4, &[(Field::FullName, "Lê Văn An"), (Field::Address, "01/02/1990")]);
        let ids = record_ids(&[record(0, 1, &AN), record(0, 2, &AN), other, record(0, 5, &AN), moved], true);
        assert_eq!(ids[1], format!("{}-2", ids[0]));
        assert_eq!(ids[3], format!("{}-3", ids[0]));
        assert_ne!(ids[2], ids[0]);
        assert_ne!(ids[4], ids[0], "a value under another field is other content");
        assert!(ids.iter().all(|id| is_record_id(id)), "{ids:?}");
    }

    #[test]
    fn a_masters_records_keep_their_ids_and_a_cleaned_files_are_made_again() {
        let with_id = |id: &str| {
            let mut known = record(0, 1, &AN);
            known.origin = Some(Box::new(crate::record::Origin { record_id: id.into(), ..Default::default() }));
            known
        };
        let made = record_ids(&[record(0, 1, &AN)], false)[0].clone();
        let kept = "R0123456789abcdef0123-2";
        assert_eq!(kept_record_ids(&[with_id(kept), with_id("Rfedcba9876543210fedc")], false)[0], kept);
        // One without a stored ID: all are made from content.
        assert_eq!(kept_record_ids(&[with_id(kept), with_id("not an id")], false), [made.clone(), format!("{made}-2")]);
        // A cleaned file with a row pasted twice: two IDs, not one.
        assert_eq!(record_ids(&[with_id(kept), with_id(kept)], false), [made.clone(), format!("{made}-2")]);
    }

    #[test]
    fn a_record_key_names_the_record_whatever_its_content() {
        let before = record(0, 1, &[(Field::RecordKey, "HK-0042"), (Field::FullName, "Lê Văn An")]);
        let corrected = record(1, 9, &[(Field::RecordKey, "HK-0042"), (Field::FullName, "Lê Văn Ân")]);
        let ids = record_ids(&[before], false);
        let later = record_ids(&[corrected], false);
        assert_eq!(ids, later);
        assert!(ids[0].starts_with('K'));
        assert!(!ids[0].contains("0042"), "the key itself is not shown");
    }

    #[test]
    fn ids_do_not_depend_on_threads_or_change_between_versions() {
        let records: Vec<RawRecord> = (0..500)
            .map(|i| record(0, i, &[(Field::FullName, "Lê Văn An"), (Field::Phone, &format!("{}", i % 37))]))
            .collect();
        assert_eq!(record_ids(&records, true), record_ids(&records, false));
        // A fixed value: an ID that changed with a new version would orphan
        // every decision and master made before it.
        assert_eq!(record_ids(&[record(0, 1, &AN)], false)[0], "R1c3768ad4aaa7fd70cfc");
    }

    #[test]
    fn only_record_ids_have_their_shape() {
        for text in ["", "R", "R9b5b0e9f6c2a7a0f7f2c-1", "X9b5b0e9f6c2a7a0f7f2c", "R9B5B0E9F6C2A7A0F7F2C", "P00000001"]
        {
            assert!(!is_record_id(text), "{text}");
        }
        assert!(is_record_id("K0123456789abcdef0123-12"));
    }
}
