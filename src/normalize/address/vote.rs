//! The columns and the free text of one record each resolved; their votes
//! decide.

use super::{AddressStatus, Resolution};
use crate::rules::AdminTables;

/// The columns and the free text each resolved the address; their votes
/// decide. Agreement keeps the better status; one placed and one not takes
/// the placed one; an ambiguous side is settled by the other when the other
/// names one of its candidates; two different places are ambiguous.
pub(super) fn vote(columns: Resolution, text: Resolution, admin: &AdminTables) -> Resolution {
    let street = text.street.clone();
    let with_street = |mut r: Resolution| {
        r.street = street.clone();
        r
    };
    match (columns.is_placed(), text.is_placed()) {
        (true, true) if columns.place() == text.place() || same_new_commune(&columns, &text) => {
            let mut best = if columns.score >= text.score { columns } else { text };
            best.street = street;
            best
        }
        (true, true) => {
            let mut r = with_street(columns);
            if r.status == AddressStatus::Exact && text.status == AddressStatus::Fuzzy {
                return r;
            }
            if text.status == AddressStatus::Exact && r.status == AddressStatus::Fuzzy {
                return with_street(text);
            }
            // Two different places: neither is written as the record's.
            let names = [&r, &text].map(|x| describe(x, admin));
            r.status = AddressStatus::Ambiguous;
            r.mismatch = true;
            r.suggestion = names.join(" | ");
            r.new_commune = None;
            r.old_unit = None;
            r
        }
        (true, false) => {
            // The text names units above the commune only: its street part
            // stands when those units agree with the columns (`Số 5, Hà Nội`
            // beside a Hà Nội commune); otherwise the "unit" was part of the
            // street (`K12/3 Hải Phòng`, a street of Đà Nẵng).
            let agrees = text.new_province.is_none() || text.new_province == columns.new_province;
            if text.status == AddressStatus::Unresolved && agrees {
                with_street(columns)
            } else {
                columns
            }
        }
        (false, true) => {
            let consistent = columns.new_province.is_none() || columns.new_province == text.new_province;
            let mut r = with_street(text);
            r.mismatch |= !consistent;
            r
        }
        (false, false) => {
            if text.status == AddressStatus::Ambiguous && columns.status != AddressStatus::Ambiguous {
                with_street(text)
            } else if text.status == AddressStatus::Unresolved {
                columns
            } else {
                with_street(columns)
            }
        }
    }
}

pub(super) fn same_new_commune(a: &Resolution, b: &Resolution) -> bool {
    a.new_commune.is_some() && a.new_commune == b.new_commune
}

pub(super) fn describe(resolution: &Resolution, admin: &AdminTables) -> String {
    if let Some(i) = resolution.new_commune {
        let c = &admin.new_communes[i];
        return format!("{} ({})", c.commune_name, admin.new_provinces[&c.province_code].name);
    }
    if let Some(i) = resolution.old_unit {
        let u = &admin.old_units[i];
        return format!("{} ({}, {})", u.commune_name, u.district_name, u.province_name);
    }
    String::new()
}
