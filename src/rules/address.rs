//! `address.toml`: the words of addresses that are not unit names (unit-type
//! words and their spellings, province nicknames, district initials, the
//! country's names), read as written and checked against the unit tables.
//! The address normaliser compiles them into its vocabulary.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::AdminTables;
use crate::error::RuleError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddressFile {
    country: Vec<String>,
    unit_type: Vec<UnitTypeEntry>,
    province_nicknames: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    district_nicknames: BTreeMap<Spanned<String>, BTreeMap<String, Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitTypeEntry {
    level: Spanned<String>,
    name: String,
    spellings: Vec<String>,
    #[serde(default)]
    glued: bool,
}

/// The administrative level a word belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnitLevel {
    Province,
    District,
    Commune,
}

/// One unit-type word with the ways it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitTypeWord {
    pub level: UnitLevel,
    /// The type as the unit tables write it (`Thị trấn`).
    pub name: String,
    pub spellings: Vec<String>,
    /// A one-word spelling may be glued to the unit's number.
    pub glued: bool,
}

/// District initials of a city: `BT` in province `79` is district `765`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DistrictNickname {
    pub province_code: String,
    pub written: String,
    pub district_code: String,
}

/// `address.toml` as written, checked.
#[derive(Clone, Debug, Default)]
pub struct AddressWords {
    pub country: Vec<String>,
    pub unit_types: Vec<UnitTypeWord>,
    /// Written form → pre-2025 province code.
    pub province_nicknames: Vec<(String, String)>,
    pub district_nicknames: Vec<DistrictNickname>,
}

impl AddressWords {
    pub fn parse(file: &str, text: &str, admin: &AdminTables) -> Result<AddressWords, Vec<RuleError>> {
        let parsed: AddressFile = toml::from_str(text).map_err(|e| vec![super::toml_error(file, text, &e)])?;
        let mut errors = Vec::new();
        let error = |span: std::ops::Range<usize>, message: String| RuleError {
            file: file.to_string(),
            line: super::line_of(text, span.start),
            message,
        };
        let mut unit_types = Vec::new();
        for entry in parsed.unit_type {
            let level = match entry.level.get_ref().as_str() {
                "province" => UnitLevel::Province,
                "district" => UnitLevel::District,
                "commune" => UnitLevel::Commune,
                other => {
                    errors.push(error(
                        entry.level.span(),
                        format!("unknown level `{other}`; levels are province, district, commune"),
                    ));
                    continue;
                }
            };
            if entry.spellings.iter().all(|s| crate::text::fold_words(s).is_empty()) {
                errors.push(error(entry.level.span(), format!("unit type `{}` has no spelling", entry.name)));
                continue;
            }
            unit_types.push(UnitTypeWord { level, name: entry.name, spellings: entry.spellings, glued: entry.glued });
        }
        // Without unit tables (they failed to load, and say so) the codes
        // cannot be checked.
        let unchecked = admin.old_units.is_empty();
        let mut province_nicknames = Vec::new();
        for (written, code) in parsed.province_nicknames {
            if unchecked || admin.old_province_names.contains_key(code.get_ref()) {
                province_nicknames.push((written, code.into_inner()));
            } else {
                errors
                    .push(error(code.span(), format!("`{written}`: no pre-2025 province has code {}", code.get_ref())));
            }
        }
        let districts: std::collections::BTreeSet<(&str, &str)> =
            admin.old_units.iter().map(|u| (u.province_code.as_str(), u.district_code.as_str())).collect();
        let mut district_nicknames = Vec::new();
        for (province, entries) in parsed.district_nicknames {
            for (written, district) in entries {
                if unchecked || districts.contains(&(province.get_ref().as_str(), district.get_ref().as_str())) {
                    district_nicknames.push(DistrictNickname {
                        province_code: province.get_ref().clone(),
                        written,
                        district_code: district.into_inner(),
                    });
                } else {
                    errors.push(error(
                        district.span(),
                        format!(
                            "`{written}`: no pre-2025 district {} in province {}",
                            district.get_ref(),
                            province.get_ref()
                        ),
                    ));
                }
            }
        }
        if errors.is_empty() {
            Ok(AddressWords { country: parsed.country, unit_types, province_nicknames, district_nicknames })
        } else {
            Err(errors)
        }
    }
}
