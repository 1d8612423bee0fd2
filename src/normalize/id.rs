//! Identity numbers: the separators people type are removed; anything else
//! that is not a digit is left for validation to report.

/// Removes spaces, dots, dashes and a spreadsheet's leading apostrophe.
pub fn normalize_id(raw: &str) -> String {
    raw.trim()
        .trim_start_matches('\'')
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-' | '_' | '/' | '\u{00A0}'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_what_is_typed_inside_the_number() {
        assert_eq!(normalize_id(" 038 085 000 123 "), "038085000123");
        assert_eq!(normalize_id("038.085.000.123"), "038085000123");
        assert_eq!(normalize_id("'038085000123"), "038085000123");
        assert_eq!(normalize_id("03808500O123"), "03808500O123");
    }
}
