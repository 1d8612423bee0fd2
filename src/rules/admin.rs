//! The administrative units before and after the 2025 reform and the
//! old→new mapping, as tables. Name lookup over them is built by
//! `normalize::address`; this module only reads and checks the data.

use std::collections::BTreeMap;

use super::table::Table;
use crate::error::RuleError;
use crate::hash::HashMap;

pub(super) const PRE2025_COLUMNS: &[&str] = &[
    "province_code",
    "province_name",
    "province_short_name",
    "district_code",
    "district_name",
    "district_short_name",
    "district_name_alt",
    "commune_code",
    "commune_name",
    "commune_short_name",
    "commune_type",
    "commune_name_alt",
];
pub(super) const UNITS_2025_COLUMNS: &[&str] = &[
    "province_code",
    "province_name",
    "province_short_name",
    "commune_code",
    "commune_name",
    "commune_short_name",
    "commune_name_20250701",
];
pub(super) const MAPPING_COLUMNS: &[&str] = &[
    "old_district_code",
    "old_commune_code",
    "new_province_code",
    "new_commune_code",
    "is_split",
    "is_default_target",
];
pub(super) const PROVINCE_MAPPING_COLUMNS: &[&str] = &["old_province_code", "new_province_code"];
pub(super) const ALIAS_COLUMNS: &[&str] = &["level", "alias_key", "target_code", "province_code"];

/// A name a unit had before the 2017–2024 mergers, as a compact folded key
/// (`phuong10`, `xayenhong`, `quan9`), and the pre-2025 unit it became.
#[derive(Clone, Debug, Default)]
pub struct LegacyAlias {
    pub level: String,
    pub key: String,
    pub target_code: String,
    pub province_code: String,
}

/// One commune of the pre-2025 list with its district and province. The five
/// island districts without communes have one entry with an empty commune.
#[derive(Clone, Debug, Default)]
pub struct OldUnit {
    pub province_code: String,
    pub province_name: String,
    pub province_short_name: String,
    pub district_code: String,
    pub district_name: String,
    pub district_short_name: String,
    pub district_name_alt: String,
    pub commune_code: String,
    pub commune_name: String,
    pub commune_short_name: String,
    pub commune_name_alt: String,
}

/// One commune-level unit of the post-2025 list.
#[derive(Clone, Debug, Default)]
pub struct NewCommune {
    pub province_code: String,
    pub commune_code: String,
    pub commune_name: String,
    pub commune_short_name: String,
    /// The spelling of 1 July 2025, when the list has changed it since.
    pub commune_name_20250701: String,
}

#[derive(Clone, Debug, Default)]
pub struct Province2025 {
    pub code: String,
    pub name: String,
    pub short_name: String,
}

/// Where one old unit went: its new communes, the mapping's default first.
#[derive(Clone, Debug, Default)]
pub struct CommuneMapping {
    pub targets: Vec<String>,
    pub is_split: bool,
}

#[derive(Clone, Debug, Default)]
pub struct AdminTables {
    pub old_units: Vec<OldUnit>,
    pub new_communes: Vec<NewCommune>,
    /// Post-2025 provinces by code.
    pub new_provinces: BTreeMap<String, Province2025>,
    /// Old commune code (or, for an island district without communes, the
    /// district code prefixed with `D`) → its new communes.
    pub old_to_new: HashMap<String, CommuneMapping>,
    /// Old province code → new province code.
    pub old_province_to_new: HashMap<String, String>,
    /// Old province code → its full name.
    pub old_province_names: BTreeMap<String, String>,
    pub legacy_aliases: Vec<LegacyAlias>,
}

impl AdminTables {
    pub fn build(
        pre: &Table,
        new: &Table,
        mapping: &Table,
        provinces: &Table,
        aliases: &Table,
    ) -> Result<AdminTables, Vec<RuleError>> {
        let mut errors = Vec::new();
        let mut tables = AdminTables::default();
        for row in pre.rows() {
            tables.old_units.push(OldUnit {
                province_code: row.get("province_code").to_string(),
                province_name: row.get("province_name").to_string(),
                province_short_name: row.get("province_short_name").to_string(),
                district_code: row.get("district_code").to_string(),
                district_name: row.get("district_name").to_string(),
                district_short_name: row.get("district_short_name").to_string(),
                district_name_alt: row.get("district_name_alt").to_string(),
                commune_code: row.get("commune_code").to_string(),
                commune_name: row.get("commune_name").to_string(),
                commune_short_name: row.get("commune_short_name").to_string(),
                commune_name_alt: row.get("commune_name_alt").to_string(),
            });
        }
        for unit in &tables.old_units {
            tables.old_province_names.entry(unit.province_code.clone()).or_insert_with(|| unit.province_name.clone());
        }
        for row in new.rows() {
            let province_code = row.get("province_code").to_string();
            tables.new_provinces.entry(province_code.clone()).or_insert_with(|| Province2025 {
                code: province_code.clone(),
                name: row.get("province_name").to_string(),
                short_name: row.get("province_short_name").to_string(),
            });
            let current = row.get("commune_name");
            let july = row.get("commune_name_20250701");
            tables.new_communes.push(NewCommune {
                province_code,
                commune_code: row.get("commune_code").to_string(),
                commune_name: current.to_string(),
                commune_short_name: row.get("commune_short_name").to_string(),
                commune_name_20250701: if july != current { july.to_string() } else { String::new() },
            });
        }
        let new_codes: crate::hash::HashSet<&str> =
            tables.new_communes.iter().map(|c| c.commune_code.as_str()).collect();
        for row in mapping.rows() {
            let target = row.get("new_commune_code");
            if !new_codes.contains(target) {
                errors.push(row.error(format!("new commune {target} is not in admin/units_2025.csv")));
                continue;
            }
            let key = match row.get("old_commune_code") {
                "" => format!("D{}", row.get("old_district_code")),
                code => code.to_string(),
            };
            let entry = tables.old_to_new.entry(key).or_default();
            entry.is_split |= row.get("is_split") == "True";
            if row.get("is_default_target") == "True" {
                entry.targets.insert(0, target.to_string());
            } else {
                entry.targets.push(target.to_string());
            }
        }
        for row in provinces.rows() {
            let new_code = row.get("new_province_code");
            if !tables.new_provinces.contains_key(new_code) {
                errors.push(row.error(format!("new province {new_code} is not in admin/units_2025.csv")));
            }
            tables.old_province_to_new.insert(row.get("old_province_code").to_string(), new_code.to_string());
        }
        for unit in &tables.old_units {
            let key = if unit.commune_code.is_empty() {
                format!("D{}", unit.district_code)
            } else {
                unit.commune_code.clone()
            };
            if !tables.old_to_new.contains_key(&key) {
                errors.push(RuleError {
                    file: "rules/admin/mapping_2025.csv".to_string(),
                    line: 0,
                    message: format!("old unit {key} ({}) has no new commune", unit.commune_name),
                });
            }
        }
        for row in aliases.rows() {
            tables.legacy_aliases.push(LegacyAlias {
                level: row.get("level").to_string(),
                key: row.get("alias_key").to_string(),
                target_code: row.get("target_code").to_string(),
                province_code: row.get("province_code").to_string(),
            });
        }
        if errors.is_empty() {
            Ok(tables)
        } else {
            Err(errors)
        }
    }
}
