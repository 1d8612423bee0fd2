//! Spreadsheet programs run a cell that starts with `=`, `+`, `-` or `@` as a
//! formula (and some treat a leading tab or carriage return the same way). A
//! cell of an output CSV that would do so gets a leading apostrophe, which
//! Excel shows as text. Negative decimal numbers such as `-3.25` are left
//! alone: they are not formulas, and match weights are often negative.
//!
//! The guard is reversible, so that cleaning a cleaned file gets back the
//! values as they were: a cell that already starts with apostrophes before
//! such a character gets one more, and reading a dancu output takes exactly
//! one off such a cell ([`unguard`]). The guard is a matter of the CSV files
//! only; no value inside dancu or in the Parquet file carries it.

use std::borrow::Cow;

/// Whether a cell gets the apostrophe: what follows its leading apostrophes
/// (if any) would start a formula.
pub fn needs_guard(cell: &str) -> bool {
    let rest = cell.trim_start_matches('\'');
    match rest.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => rest.len() < cell.len() || !is_plain_number(rest),
        _ => false,
    }
}

pub fn excel_safe(cell: &str) -> Cow<'_, str> {
    if needs_guard(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The value a cell of a dancu output CSV stands for: the guard's
/// apostrophe taken off.
pub fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => cell,
    }
}

fn is_plain_number(cell: &str) -> bool {
    let Some(digits) = cell.strip_prefix('-') else {
        return false;
    };
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && digits.bytes().filter(|&b| b == b'.').count() <= 1
        && digits.bytes().any(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formulas_are_neutralised_and_numbers_are_not() {
        assert_eq!(excel_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(excel_safe("+84901234567 x"), "'+84901234567 x");
        assert_eq!(excel_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(excel_safe("-1+2"), "'-1+2");
        assert_eq!(excel_safe("-3.25"), "-3.25");
        assert_eq!(excel_safe("+84901234567"), "'+84901234567");
        assert_eq!(excel_safe("Nguyễn Văn An"), "Nguyễn Văn An");
        assert_eq!(excel_safe(""), "");
        assert_eq!(excel_safe("'001085000123"), "'001085000123");
    }

    #[test]
    fn a_value_that_already_starts_with_the_guard_keeps_it_through_a_round_trip() {
        assert_eq!(excel_safe("'=1"), "''=1");
        assert_eq!(excel_safe("'-3.25"), "''-3.25");
        assert_eq!(unguard("''=1"), "'=1");
        assert_eq!(unguard("'=1"), "=1");
        assert_eq!(unguard("'001085000123"), "'001085000123");
        assert_eq!(unguard("-3.25"), "-3.25");
    }

    proptest! {
        #[test]
        fn unguard_undoes_the_guard(cell in "['=+@\\-\t\r0-9.a-zđ ]{0,8}") {
            let guarded = excel_safe(&cell);
            prop_assert_eq!(unguard(&guarded), cell.as_str());
            prop_assert!(!guarded.starts_with(['=', '+', '@', '\t', '\r']));
        }
    }
}
