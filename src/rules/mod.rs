//! Rules are data: column aliases, reference code lists, administrative units,
//! validation and linkage settings. This module loads them once at start,
//! checks them, and reports every problem as `file:line: message` before the
//! first input row is read.
//!
//! The files under the repository's `rules/` folder are compiled into the
//! binary, so `dancu` runs from any folder; `--rules DIR` reads a folder of the
//! same shape instead (a future reorganisation of units is a data change).

mod address;
mod admin;
mod columns;
mod linkage;
mod survivorship;
mod table;
mod validation;

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use address::{AddressWords, DistrictNickname, UnitLevel, UnitTypeWord};
pub use admin::{AdminTables, CommuneMapping, NewCommune, OldUnit, Province2025};
pub use columns::ColumnRules;
pub use linkage::{BlockKey, BlockingRule, LevelParameters, LinkageSettings, Model, ModelComparison, ModelLevel};
pub use survivorship::{Criterion, SurvivorshipRules};
pub use table::{Table, TableRow};
pub use validation::ValidationSettings;

use crate::error::{RuleError, RuleErrors};
use crate::legacy::LegacyEncodings;
use crate::normalize::name::NameRules;

/// The rule files dancu ships, compiled in.
const BUILT_IN: &[(&str, &str)] = &[
    ("columns.toml", include_str!("../../rules/columns.toml")),
    ("validation.toml", include_str!("../../rules/validation.toml")),
    ("linkage.toml", include_str!("../../rules/linkage.toml")),
    ("survivorship.toml", include_str!("../../rules/survivorship.toml")),
    ("model.json", include_str!("../../rules/model.json")),
    ("cccd_provinces.csv", include_str!("../../rules/cccd_provinces.csv")),
    ("ethnic_groups.csv", include_str!("../../rules/ethnic_groups.csv")),
    ("phone_mobile_prefixes.csv", include_str!("../../rules/phone_mobile_prefixes.csv")),
    ("phone_prefix_11_to_10.csv", include_str!("../../rules/phone_prefix_11_to_10.csv")),
    ("admin/units_pre2025.csv", include_str!("../../rules/admin/units_pre2025.csv")),
    ("admin/units_2025.csv", include_str!("../../rules/admin/units_2025.csv")),
    ("admin/mapping_2025.csv", include_str!("../../rules/admin/mapping_2025.csv")),
    ("admin/province_mapping_2025.csv", include_str!("../../rules/admin/province_mapping_2025.csv")),
    ("admin/legacy_aliases.csv", include_str!("../../rules/admin/legacy_aliases.csv")),
    ("encoding/tcvn3.csv", include_str!("../../rules/encoding/tcvn3.csv")),
    ("encoding/vni.csv", include_str!("../../rules/encoding/vni.csv")),
    ("tone_placement_variants.csv", include_str!("../../rules/tone_placement_variants.csv")),
    ("names/component_counts.csv", include_str!("../../rules/names/component_counts.csv")),
    ("names/middle_full_counts.csv", include_str!("../../rules/names/middle_full_counts.csv")),
    ("names/surname_share_estimates.csv", include_str!("../../rules/names/surname_share_estimates.csv")),
    ("generator.toml", include_str!("../../rules/generator.toml")),
    ("names.toml", include_str!("../../rules/names.toml")),
    ("address.toml", include_str!("../../rules/address.toml")),
];

/// Where the rule files come from.
#[derive(Clone, Debug, Default)]
pub enum RuleSource {
    #[default]
    BuiltIn,
    Folder(PathBuf),
}

impl RuleSource {
    fn read(&self, name: &str) -> Result<Cow<'static, str>, RuleError> {
        match self {
            RuleSource::BuiltIn => {
                BUILT_IN.iter().find(|(file, _)| *file == name).map(|(_, text)| Cow::Borrowed(*text)).ok_or_else(|| {
                    RuleError {
                        file: format!("rules/{name}"),
                        line: 0,
                        message: "no such built-in rule file".to_string(),
                    }
                })
            }
            RuleSource::Folder(dir) => {
                let path = dir.join(name);
                std::fs::read_to_string(&path).map(Cow::Owned).map_err(|e| RuleError {
                    file: path.display().to_string(),
                    line: 0,
                    message: format!("cannot read the rule file: {e}"),
                })
            }
        }
    }

    fn display_name(&self, name: &str) -> String {
        match self {
            RuleSource::BuiltIn => format!("rules/{name}"),
            RuleSource::Folder(dir) => dir.join(name).display().to_string(),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            RuleSource::BuiltIn => "built-in".to_string(),
            RuleSource::Folder(dir) => dir.display().to_string(),
        }
    }
}

/// Every rule file, parsed and checked.
#[derive(Debug)]
pub struct Rules {
    pub source: String,
    /// SHA-256 over every rule file's name and content, so a manifest says
    /// exactly which rules produced an output.
    pub version: String,
    pub columns: ColumnRules,
    pub validation: ValidationSettings,
    pub linkage: LinkageSettings,
    /// 3-digit ID prefix → province name as the circular writes it.
    pub cccd_provinces: Vec<(String, String)>,
    pub ethnic_groups: Table,
    pub mobile_prefixes: Vec<String>,
    /// 4-digit prefix of an 11-digit mobile number → its 3-digit replacement.
    pub mobile_prefix_conversions: Vec<(String, String)>,
    pub admin: AdminTables,
    /// Unit-type words, nicknames and the country's names in addresses.
    pub address_words: AddressWords,
    pub legacy_encodings: LegacyEncodings,
    /// Spelling pairs that differ only in tone placement: (new style, old style).
    pub tone_variants: Vec<(String, String)>,
    /// Name token counts by component and sex.
    pub name_components: Table,
    /// Whole middle names by sex.
    pub name_middles: Table,
    /// Estimated population share of the commonest surnames.
    pub surname_shares: Table,
    /// `generator.toml` as written, with its display name; `dancu gen`
    /// parses it.
    pub generator: (String, String),
    pub names: NameRules,
    /// How the persons table picks each field's best value.
    pub survivorship: SurvivorshipRules,
}

impl Rules {
    /// Replaces the shipped linkage model with the one in `path` (`--model`).
    /// The rules version then covers the model file too.
    pub fn use_model(&mut self, path: &Path) -> Result<(), RuleErrors> {
        let display = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            RuleErrors(vec![RuleError {
                file: display.clone(),
                line: 0,
                message: format!("cannot read the model: {e}"),
            }])
        })?;
        self.linkage = self.linkage.with_model(&display, &text).map_err(RuleErrors)?;
        let mut hasher = Sha256::new();
        hasher.update(self.version.as_bytes());
        hasher.update(text.as_bytes());
        self.version = hasher.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect();
        Ok(())
    }

    /// Loads and checks every rule file; `extra_columns` is a `--columns` file
    /// whose aliases are added to `columns.toml`'s.
    pub fn load(source: &RuleSource, extra_columns: Option<&Path>) -> Result<Rules, RuleErrors> {
        if let RuleSource::Folder(dir) = source {
            if !dir.is_dir() {
                return Err(RuleErrors(vec![RuleError {
                    file: dir.display().to_string(),
                    line: 0,
                    message: "no such rules folder; --rules takes a folder laid out like the repository's rules/"
                        .to_string(),
                }]));
            }
        }
        let mut errors = Vec::new();
        let mut hasher = Sha256::new();
        let mut texts = Vec::new();
        for (name, _) in BUILT_IN {
            match source.read(name) {
                Ok(text) => {
                    hasher.update(name.as_bytes());
                    hasher.update([0]);
                    hasher.update(text.as_bytes());
                    hasher.update([0]);
                    texts.push((*name, source.display_name(name), text));
                }
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(RuleErrors(errors));
        }
        let text_of = |name: &str| {
            let (_, display, text) = texts.iter().find(|(n, _, _)| *n == name).unwrap();
            (display.as_str(), text.as_ref())
        };

        let (file, text) = text_of("columns.toml");
        let mut columns = ColumnRules::parse(file, text).unwrap_or_else(|e| {
            errors.extend(e);
            ColumnRules::default()
        });
        if let Some(path) = extra_columns {
            match std::fs::read_to_string(path) {
                Ok(text) => {
                    hasher.update(text.as_bytes());
                    if let Err(e) = columns.add_file(&path.display().to_string(), &text) {
                        errors.extend(e);
                    }
                }
                Err(e) => errors.push(RuleError {
                    file: path.display().to_string(),
                    line: 0,
                    message: format!("cannot read the column alias file: {e}"),
                }),
            }
        }

        let (file, text) = text_of("validation.toml");
        let validation = ValidationSettings::parse(file, text).unwrap_or_else(|e| {
            errors.extend(e);
            ValidationSettings::default()
        });
        let (file, text) = text_of("linkage.toml");
        let (model_file, model_text) = text_of("model.json");
        let linkage = LinkageSettings::parse(file, text, model_file, model_text).unwrap_or_else(|e| {
            errors.extend(e);
            LinkageSettings::default()
        });

        let (file, text) = text_of("survivorship.toml");
        let survivorship = SurvivorshipRules::parse(file, text).unwrap_or_else(|e| {
            errors.extend(e);
            SurvivorshipRules::default()
        });

        let mut table = |name: &str, required: &[&str]| {
            let (file, text) = text_of(name);
            Table::parse(file, text, required).unwrap_or_else(|e| {
                errors.extend(e);
                Table::default()
            })
        };
        let cccd = table("cccd_provinces.csv", &["cccd_prefix", "province_name_in_circular"]);
        let ethnic_groups = table("ethnic_groups.csv", &["code", "name", "code_qd1019_2008", "spelling_variants"]);
        let mobile = table("phone_mobile_prefixes.csv", &["prefix"]);
        let conversions = table("phone_prefix_11_to_10.csv", &["old_prefix_11_digit", "new_prefix_10_digit"]);
        let units_pre = table("admin/units_pre2025.csv", admin::PRE2025_COLUMNS);
        let units_new = table("admin/units_2025.csv", admin::UNITS_2025_COLUMNS);
        let mapping = table("admin/mapping_2025.csv", admin::MAPPING_COLUMNS);
        let province_mapping = table("admin/province_mapping_2025.csv", admin::PROVINCE_MAPPING_COLUMNS);
        let legacy_aliases = table("admin/legacy_aliases.csv", admin::ALIAS_COLUMNS);

        let cccd_provinces = cccd
            .rows()
            .map(|r| (r.get("cccd_prefix").to_string(), r.get("province_name_in_circular").to_string()))
            .collect();
        let mobile_prefixes = mobile.rows().map(|r| r.get("prefix").to_string()).collect();
        let mobile_prefix_conversions = conversions
            .rows()
            .map(|r| (r.get("old_prefix_11_digit").to_string(), r.get("new_prefix_10_digit").to_string()))
            .collect();
        let tcvn3 = table("encoding/tcvn3.csv", &["byte_hex", "unicode_char"]);
        let vni = table("encoding/vni.csv", &["legacy_bytes_hex", "unicode_char"]);
        let tones = table("tone_placement_variants.csv", &["tone_on_second_vowel", "tone_on_first_vowel"]);
        let name_components =
            table("names/component_counts.csv", &["component", "token", "count_male", "count_female"]);
        let name_middles = table("names/middle_full_counts.csv", &["middle_name", "count_male", "count_female"]);
        let surname_shares = table("names/surname_share_estimates.csv", &["surname", "estimated_share_percent"]);
        let admin = AdminTables::build(&units_pre, &units_new, &mapping, &province_mapping, &legacy_aliases)
            .unwrap_or_else(|e| {
                errors.extend(e);
                AdminTables::default()
            });

        let (file, text) = text_of("address.toml");
        let address_words = AddressWords::parse(file, text, &admin).unwrap_or_else(|e| {
            errors.extend(e);
            AddressWords::default()
        });
        let legacy_encodings = LegacyEncodings::new(&tcvn3, &vni);
        let tone_variants = tones
            .rows()
            .map(|r| (r.get("tone_on_second_vowel").to_string(), r.get("tone_on_first_vowel").to_string()))
            .collect();
        let (file, text) = text_of("generator.toml");
        let generator = (file.to_string(), text.to_string());
        let known_surnames = name_components
            .rows()
            .filter(|r| r.get("component") == "surname")
            .map(|r| r.get("token").to_string())
            .chain(
                surname_shares
                    .rows()
                    .flat_map(|r| r.get("surname").split('/').map(|s| s.trim().to_string()).collect::<Vec<_>>()),
            )
            .collect::<Vec<_>>();
        let (file, text) = text_of("names.toml");
        let names = NameRules::parse(file, text, known_surnames.into_iter()).unwrap_or_else(|e| {
            errors.extend(e);
            NameRules::default()
        });

        if !errors.is_empty() {
            return Err(RuleErrors(errors));
        }
        let digest = hasher.finalize();
        let version = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        Ok(Rules {
            source: source.describe(),
            version,
            columns,
            validation,
            linkage,
            cccd_provinces,
            ethnic_groups,
            mobile_prefixes,
            mobile_prefix_conversions,
            admin,
            address_words,
            legacy_encodings,
            tone_variants,
            name_components,
            name_middles,
            surname_shares,
            generator,
            names,
            survivorship,
        })
    }
}

/// The 1-based line of a byte offset in a text.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

/// Turns a TOML parse error into a rule error at the line it points to.
pub(crate) fn toml_error(file: &str, text: &str, error: &toml::de::Error) -> RuleError {
    let line = error.span().map(|s| line_of(text, s.start)).unwrap_or(0);
    RuleError { file: file.to_string(), line, message: error.message().trim().to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_rules_load_without_errors() {
        let rules = Rules::load(&RuleSource::BuiltIn, None).unwrap();
        assert_eq!(rules.cccd_provinces.len(), 63);
        assert_eq!(rules.ethnic_groups.len(), 54);
        assert_eq!(rules.version.len(), 16);
    }

    #[test]
    fn a_broken_rule_folder_reports_every_error_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in BUILT_IN {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        std::fs::write(
            dir.path().join("columns.toml"),
            "[full_name]\naliases = [\"Họ tên\"]\n\n[birth_day]\naliases = [\"Ngày sinh\"]\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("validation.toml"), "age_limit = 120\nrequired = [\"full_nam\"]\n").unwrap();
        let errors = Rules::load(&RuleSource::Folder(dir.path().to_path_buf()), None).unwrap_err();
        let text = errors.to_string();
        assert!(text.contains("columns.toml:4: unknown field `birth_day`"), "{text}");
        assert!(text.contains("validation.toml:2: unknown field `full_nam`"), "{text}");
    }
}
