//! Finds the header row of an input and says what each of its columns holds:
//! a canonical field, a column dancu computes itself, the provenance of a
//! record that was cleaned before, or a column to carry through unchanged.
//!
//! A dancu output (it has `person_id` and `is_primary`) is cleaned from its
//! originals: `<field>_raw` is read as the field and the normalised column
//! beside it is recomputed, so cleaning a cleaned file reproduces it.

use crate::record::Field;
use crate::rules::ColumnRules;

/// Columns dancu adds to its records output; in an input that is a dancu
/// output they are recomputed, not carried.
pub const OUTPUT_ONLY_COLUMNS: [&str; 6] = ["source", "row", "record_id", "person_id", "is_primary", "issues"];

/// How many leading rows may precede the header (report titles, the unit's
/// name, a blank line) before the input is declared headerless.
pub const HEADER_SEARCH_ROWS: usize = 30;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ColumnRole {
    Field(Field),
    /// A column of dancu's own output, recomputed by this run.
    Recomputed,
    /// `source` of a dancu output: the file the record first came from.
    OriginSource,
    /// `row` of a dancu output: the record's row in that file.
    OriginRow,
    /// `person_id` of a dancu output: the person the record was, which
    /// this run keeps where its evidence agrees (`identity`).
    OriginPerson,
    /// `record_id` of a dancu output: the record's name, kept.
    OriginRecordId,
    /// Carried through unchanged under this header.
    Extra(String),
}

#[derive(Clone, Debug)]
pub struct ColumnLayout {
    pub headers: Vec<String>,
    pub roles: Vec<ColumnRole>,
    /// Headers that named a field already taken by an earlier column; they
    /// are carried through as extra columns.
    pub repeated: Vec<String>,
    /// The input is a dancu output: its cells carry the CSV writer's
    /// formula guard, which reading takes off.
    pub is_dancu_output: bool,
    /// The citizen-ID column, when its header says it may hold an old ID
    /// (`CCCD/CMND`): a 9-digit value there is read as old_id.
    pub either_id_column: Option<usize>,
}

impl ColumnLayout {
    /// Returns the index of the header row among `rows` and its layout, or
    /// `None` when no row among the first [`HEADER_SEARCH_ROWS`] names a
    /// full-name column.
    pub fn find<'a>(
        rows: impl IntoIterator<Item = &'a [String]>,
        rules: &ColumnRules,
    ) -> Option<(usize, ColumnLayout)> {
        rows.into_iter()
            .take(HEADER_SEARCH_ROWS)
            .enumerate()
            .find(|(_, cells)| ColumnLayout::is_header(cells, rules))
            .map(|(i, cells)| (i, ColumnLayout::from_headers(cells, rules)))
    }

    /// A row is the header when one of its cells names the full-name column.
    pub fn is_header(cells: &[String], rules: &ColumnRules) -> bool {
        cells.iter().any(|c| rules.field_for(c) == Some(Field::FullName))
    }

    pub fn from_headers(headers: &[String], rules: &ColumnRules) -> ColumnLayout {
        let headers: Vec<String> = headers.iter().map(|h| crate::text::tidy(h)).collect();
        let is_dancu_output = ["person_id", "is_primary"].iter().all(|name| headers.iter().any(|h| h == name));
        let mut taken = Vec::new();
        let mut repeated = Vec::new();
        let mut either_id_column = None;
        let mut roles = Vec::with_capacity(headers.len());
        for header in &headers {
            let raw_of = |field: Field| headers.iter().any(|h| *h == format!("{}_raw", field.name()));
            let role = if is_dancu_output {
                match header.as_str() {
                    "source" => ColumnRole::OriginSource,
                    "row" => ColumnRole::OriginRow,
                    "person_id" => ColumnRole::OriginPerson,
                    "record_id" => ColumnRole::OriginRecordId,
                    "is_primary" | "issues" => ColumnRole::Recomputed,
                    name => match (name.strip_suffix("_raw").and_then(Field::from_name), Field::from_name(name)) {
                        (Some(field), _) => ColumnRole::Field(field),
                        (None, Some(field)) if raw_of(field) => ColumnRole::Recomputed,
                        (None, Some(field)) => ColumnRole::Field(field),
                        // A carried column repaired by the run that wrote
                        // this file sits beside its original, `X_raw`: the
                        // original is read, the repair made again.
                        (None, None) if headers.iter().any(|h| *h == format!("{header}_raw")) => ColumnRole::Recomputed,
                        (None, None) => match name.strip_suffix("_raw").filter(|x| headers.iter().any(|h| h == x)) {
                            Some(carried) => ColumnRole::Extra(extra_name(carried)),
                            None => ColumnRole::Extra(extra_name(header)),
                        },
                    },
                }
            } else if let Some(field) = rules.field_for(header) {
                if taken.contains(&field) {
                    repeated.push(header.clone());
                    ColumnRole::Extra(extra_name(header))
                } else {
                    taken.push(field);
                    if field == Field::CitizenId && rules.holds_either_id(header) {
                        either_id_column = Some(roles.len());
                    }
                    ColumnRole::Field(field)
                }
            } else {
                ColumnRole::Extra(extra_name(header))
            };
            roles.push(role);
        }
        ColumnLayout { headers, roles, repeated, is_dancu_output, either_id_column }
    }

    /// Which field each column maps to, for the manifest.
    pub fn mapping(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .zip(&self.roles)
            .map(|(header, role)| {
                let target = match role {
                    ColumnRole::Field(Field::CitizenId) if self.either_id_column.is_some() => {
                        "citizen_id (9 digits: old_id)".to_string()
                    }
                    ColumnRole::Field(f) => f.name().to_string(),
                    ColumnRole::Recomputed => "(recomputed)".to_string(),
                    ColumnRole::OriginSource => "(origin source)".to_string(),
                    ColumnRole::OriginRow => "(origin row)".to_string(),
                    ColumnRole::OriginPerson => "(known person)".to_string(),
                    ColumnRole::OriginRecordId => "(record ID)".to_string(),
                    ColumnRole::Extra(name) => format!("(carried as {name})"),
                };
                (header.clone(), target)
            })
            .collect()
    }
}

/// The output header of a carried column: its own, unless that would collide
/// with a column dancu writes, or it is blank.
fn extra_name(header: &str) -> String {
    let collides = OUTPUT_ONLY_COLUMNS.contains(&header)
        || Field::from_name(header).is_some()
        || header.strip_suffix("_raw").and_then(Field::from_name).is_some();
    if header.is_empty() {
        "input_unnamed".to_string()
    } else if collides {
        format!("input_{header}")
    } else {
        header.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> ColumnRules {
        ColumnRules::parse("columns.toml", include_str!("../../rules/columns.toml")).unwrap()
    }

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn finds_the_header_below_a_title_block() {
        let rows = [
            strings(&["DANH SÁCH NHÂN KHẨU", "", ""]),
            strings(&["Xã Trung Hạ", "", ""]),
            strings(&["STT", "Họ và tên", "Ngày sinh"]),
        ];
        let (index, layout) = ColumnLayout::find(rows.iter().map(|r| r.as_slice()), &rules()).unwrap();
        assert_eq!(index, 2);
        assert_eq!(layout.roles[0], ColumnRole::Extra("STT".into()));
        assert_eq!(layout.roles[1], ColumnRole::Field(Field::FullName));
    }

    #[test]
    fn a_dancu_output_is_read_from_its_originals() {
        let headers = strings(&[
            "source",
            "row",
            "full_name",
            "full_name_raw",
            "sex",
            "STT",
            "person_id",
            "is_primary",
            "record_id",
        ]);
        let layout = ColumnLayout::from_headers(&headers, &rules());
        assert_eq!(layout.roles[0], ColumnRole::OriginSource);
        assert_eq!(layout.roles[1], ColumnRole::OriginRow);
        assert_eq!(layout.roles[2], ColumnRole::Recomputed);
        assert_eq!(layout.roles[3], ColumnRole::Field(Field::FullName));
        assert_eq!(layout.roles[4], ColumnRole::Field(Field::Sex));
        assert_eq!(layout.roles[5], ColumnRole::Extra("STT".into()));
        assert_eq!(layout.roles[6], ColumnRole::OriginPerson);
        assert_eq!(layout.roles[7], ColumnRole::Recomputed);
        assert_eq!(layout.roles[8], ColumnRole::OriginRecordId);
    }

    #[test]
    fn a_repeated_field_is_carried() {
        let layout = ColumnLayout::from_headers(&strings(&["Họ tên", "Họ và tên"]), &rules());
        assert_eq!(layout.roles[1], ColumnRole::Extra("Họ và tên".into()));
        assert_eq!(layout.repeated, vec!["Họ và tên".to_string()]);
    }

    #[test]
    fn a_plain_input_column_named_like_an_output_column_is_renamed() {
        let layout = ColumnLayout::from_headers(&strings(&["Họ tên", "source"]), &rules());
        assert_eq!(layout.roles[1], ColumnRole::Extra("input_source".into()));
    }
}
