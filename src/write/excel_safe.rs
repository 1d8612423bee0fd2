//! Spreadsheet programs run a cell that starts with `=`, `+`, `-` or `@` as a
//! formula (and some treat a leading tab or carriage return the same way). A
//! cell of an output CSV that would do so gets a leading apostrophe, which
//! Excel shows as text. Negative decimal numbers such as `-3.25` are left
//! alone: they are not formulas, and match weights are often negative.

use std::borrow::Cow;

pub fn excel_safe(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') if !is_plain_number(cell) => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
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
    }
}
