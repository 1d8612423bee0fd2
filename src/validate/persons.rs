//! Checks across the records linkage found to be one person: where copies
//! disagree in a way that points at a typing slip, the primary record's
//! value is suggested for the others.

use crate::finding::{Code, Finding};
use crate::hash::HashMap;
use crate::normalize::Normalized;
use crate::record::Field;

/// A copy whose full birth date is the primary record's with day and month
/// swapped (`07/03/1985` for `03/07/1985`) gets `DATE_DAY_MONTH_SWAPPED`
/// with the primary's date as the suggestion.
pub fn check_birth_date_swaps(records: &mut [Normalized], cluster: &[u32], is_primary: &[bool]) {
    let primary_of: HashMap<u32, usize> =
        (0..records.len()).filter(|&i| is_primary[i]).map(|i| (cluster[i], i)).collect();
    let mut findings = Vec::new();
    for i in (0..records.len()).filter(|&i| !is_primary[i]) {
        let Some(&primary) = primary_of.get(&cluster[i]) else { continue };
        let (Some(copy), Some(main)) = (records[i].birth_date, records[primary].birth_date) else { continue };
        let swapped = copy.year == main.year
            && copy.month.is_some()
            && copy.month != main.month
            && copy.month == main.day
            && copy.day == main.month;
        if swapped {
            let suggestion = records[primary].values.get(Field::BirthDate).to_string();
            let value = records[i].values.get(Field::BirthDate).to_string();
            findings.push((
                i,
                Finding::new(Field::BirthDate, Code::DateDayMonthSwapped, &value).with_suggestion(suggestion),
            ));
        }
    }
    for (i, finding) in findings {
        records[i].findings.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{FieldValuesBuilder, PartialDate};

    fn born(year: u16, month: u8, day: u8) -> Normalized {
        let mut values = FieldValuesBuilder::default();
        values.set(Field::BirthDate, format!("{year:04}-{month:02}-{day:02}"));
        Normalized {
            values: values.build(),
            birth_date: Some(PartialDate { year, month: Some(month), day: Some(day) }),
            sex: None,
            name_key: "".into(),
            source_fields: 1,
            findings: Vec::new(),
            internal_error: None,
            repaired_extras: None,
        }
    }

    #[test]
    fn a_copy_with_day_and_month_swapped_gets_the_primary_date() {
        let mut records = vec![born(1985, 7, 3), born(1985, 3, 7), born(1985, 3, 8), born(1990, 3, 7)];
        check_birth_date_swaps(&mut records, &[0, 0, 0, 1], &[true, false, false, true]);
        assert_eq!(records[1].findings.len(), 1);
        assert_eq!(&*records[1].findings[0].suggestion, "1985-07-03");
        assert!(records[0].findings.is_empty() && records[2].findings.is_empty() && records[3].findings.is_empty());
    }
}
