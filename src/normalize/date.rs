//! Birth dates in the forms extracts use (dd/mm/yyyy, d/m/yy, yyyy-mm-dd,
//! month and year, year alone, `00/00/1950`, `xx/xx/1950`, a time of day
//! appended by a spreadsheet), kept at the precision the source gave.

use crate::record::PartialDate;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateParse {
    Empty,
    Date(PartialDate),
    /// Written month first (`09/25/1974`, `1971-27-10`): the usual order is
    /// no date, the other one is, so the other one is the date.
    Reordered(PartialDate),
    /// Read as numbers but not a calendar date in either order (31/02).
    Impossible,
    Unparseable,
}

/// Reads a date. `reference_year` decides the century of a two-digit year:
/// years up to it are this century, later ones the last.
pub fn parse_date(raw: &str, reference_year: u16) -> DateParse {
    let text = raw.trim();
    if text.is_empty() {
        return DateParse::Empty;
    }
    // `07/03/1985 00:00:00` from a spreadsheet: the time is not part of it.
    let date_part = match text.split_once([' ', 'T']) {
        Some((date, rest)) if rest.contains(':') => date,
        _ => text,
    };
    let mut parts: Vec<Option<u32>> = Vec::new();
    let mut widths: Vec<usize> = Vec::new();
    for token in date_part.split(|c: char| !c.is_alphanumeric() && c != '?') {
        if token.is_empty() {
            continue;
        }
        if token.chars().all(|c| c.is_ascii_digit()) {
            if token.len() > 8 {
                return DateParse::Unparseable;
            }
            parts.push(Some(token.parse().unwrap()));
            widths.push(token.len());
        } else if token.chars().all(|c| matches!(c, 'x' | 'X' | '?')) {
            // `xx/xx/1950`: a placeholder for an unknown day or month.
            parts.push(None);
            widths.push(token.len());
        } else {
            let folded = crate::text::fold_compact(token);
            // Vietnamese words around the numbers: `ngày 7 tháng 3 năm 1985`.
            if !matches!(folded.as_str(), "ngay" | "thang" | "nam" | "sinh" | "nsinh") {
                return DateParse::Unparseable;
            }
        }
    }
    let year_of = |value: u32, width: usize| -> Option<u16> {
        match width {
            4 => Some(value as u16),
            2 => {
                let century_now = reference_year / 100 * 100;
                let candidate = century_now + value as u16;
                Some(if candidate > reference_year { candidate - 100 } else { candidate })
            }
            _ => None,
        }
    };
    let (year, month, day) = match (parts.as_slice(), widths.as_slice()) {
        ([Some(y)], [4]) => (year_of(*y, 4), None, None),
        ([Some(v)], [8]) => {
            let (a, b) = (v / 10_000, v % 10_000);
            if (1800..=2200).contains(&a) {
                (Some(a as u16), Some(b / 100), Some(b % 100))
            } else {
                (Some(b as u16), Some(a % 100), Some(a / 100))
            }
        }
        ([m, Some(y)], [w, 4]) if *w <= 2 => (year_of(*y, 4), *m, None),
        ([Some(y), m], [4, w]) if *w <= 2 => (year_of(*y, 4), *m, None),
        ([Some(y), m, d], [4, wm, wd]) if *wm <= 2 && *wd <= 2 => (year_of(*y, 4), *m, *d),
        ([d, m, Some(y)], [wd, wm, wy]) if *wd <= 2 && *wm <= 2 => (year_of(*y, *wy), *m, *d),
        _ => return DateParse::Unparseable,
    };
    let Some(year) = year else {
        return DateParse::Unparseable;
    };
    if !(1800..=2200).contains(&year) {
        return DateParse::Impossible;
    }
    // Zero means "not known": `00/00/1950` is a year, `00/03/1950` a month.
    let month = month.filter(|&m| m != 0);
    let day = day.filter(|&d| d != 0);
    match (month, day) {
        (None, _) => DateParse::Date(PartialDate { year, month: None, day: None }),
        (Some(m), None) if (1..=12).contains(&m) => {
            DateParse::Date(PartialDate { year, month: Some(m as u8), day: None })
        }
        (Some(m), Some(d)) if is_calendar_date(year, m, d) => {
            DateParse::Date(PartialDate { year, month: Some(m as u8), day: Some(d as u8) })
        }
        (Some(m), Some(d)) if is_calendar_date(year, d, m) => {
            DateParse::Reordered(PartialDate { year, month: Some(d as u8), day: Some(m as u8) })
        }
        (Some(_), Some(_)) => DateParse::Impossible,
        (Some(_), None) => DateParse::Impossible,
    }
}

pub fn is_leap_year(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

pub fn days_in_month(year: u16, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

fn is_calendar_date(year: u16, month: u32, day: u32) -> bool {
    (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(raw: &str) -> String {
        match parse_date(raw, 2026) {
            DateParse::Date(d) => d.to_string(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn reads_every_form_at_its_precision() {
        assert_eq!(iso("07/03/1985"), "1985-03-07");
        assert_eq!(iso("7/3/85"), "1985-03-07");
        assert_eq!(iso("7/3/05"), "2005-03-07");
        assert_eq!(iso("1985-03-07"), "1985-03-07");
        assert_eq!(iso("1950"), "1950");
        assert_eq!(iso("00/00/1950"), "1950");
        assert_eq!(iso("xx/xx/1950"), "1950");
        assert_eq!(iso("03/1950"), "1950-03");
        assert_eq!(iso("00/03/1950"), "1950-03");
        assert_eq!(iso("07/03/1985 00:00:00"), "1985-03-07");
        assert_eq!(iso("19850307"), "1985-03-07");
        assert_eq!(iso("07.03.1985"), "1985-03-07");
        assert_eq!(iso("ngày 7 tháng 3 năm 1985"), "1985-03-07");
    }

    #[test]
    fn a_date_that_exists_only_month_first_is_read_month_first() {
        assert_eq!(parse_date("31/02/1990", 2026), DateParse::Impossible);
        assert_eq!(parse_date("29/02/2001", 2026), DateParse::Impossible);
        assert_eq!(iso("29/02/2000"), "2000-02-29");
        let march_25 = PartialDate { year: 1990, month: Some(3), day: Some(25) };
        assert_eq!(parse_date("03/25/1990", 2026), DateParse::Reordered(march_25));
        assert_eq!(parse_date("1990-25-03", 2026), DateParse::Reordered(march_25));
        // Both orders are dates: the usual one (day first) is taken.
        assert_eq!(iso("03/04/1990"), "1990-04-03");
        assert_eq!(parse_date("không rõ", 2026), DateParse::Unparseable);
        assert_eq!(parse_date("", 2026), DateParse::Empty);
    }
}
