//! `generator.toml`: the rates and name pools of `dancu gen`, read as
//! written and checked, each problem reported as `file:line: message`.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::RuleError;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeneratorConfig {
    pub households: HouseholdRates,
    pub people: PeopleRates,
    pub duplicates: DuplicateRates,
    pub errors: BTreeMap<String, f64>,
    pub regions: Vec<Region>,
    pub names: BTreeMap<String, NamePool>,
    pub streets: Streets,
    /// Named profiles, each a table of settings laid over the rest of the
    /// file (`dancu gen --profile NAME`).
    #[serde(default)]
    pub profiles: BTreeMap<String, Overlay>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdRates {
    pub spouse: f64,
    pub parents: f64,
    pub children: Vec<f64>,
    pub twins: f64,
    pub father_son_same_name: f64,
    pub namesake: f64,
    pub written_old_units: f64,
    pub free_text_address: f64,
    /// Probability that the street part is detailed: a house number with an
    /// alley and a street, or a hamlet with a group (`Số 12 ngõ 34 Lê Lợi`,
    /// `Tổ 7, Thôn Tân Lập`), so that almost no two households write the
    /// same address.
    #[serde(default)]
    pub street_detail: f64,
    /// Probability that a child is given an older sibling's given name (a
    /// hard negative: siblings years apart with one name).
    #[serde(default)]
    pub sibling_same_given: f64,
    /// Share of communes whose registration office typed in TCVN3: every
    /// text field of every record entered there.
    #[serde(default)]
    pub legacy_office: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeopleRates {
    pub old_id: f64,
    pub phone: f64,
    pub parent_names: f64,
    /// Probability that a record's name has two syllables typed together
    /// (`Nguyễn ThịCúc`).
    #[serde(default)]
    pub run_together: f64,
    /// Probability that a record's birth date is written month first, where
    /// the day is over 12 (so only that reading is a date).
    #[serde(default)]
    pub month_first: f64,
    /// Probability that a Kinh given name is drawn from the whole list
    /// rather than by frequency: more distinct names.
    #[serde(default)]
    pub rare_given: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DuplicateRates {
    pub person: f64,
    pub third_copy: f64,
    pub window: u64,
    pub perturbations: BTreeMap<String, f64>,
}

/// The settings a profile replaces, as a table laid out like the file.
pub type Overlay = toml::Table;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    pub name: String,
    #[serde(default)]
    pub provinces: Vec<String>,
    #[serde(default)]
    pub districts: Vec<String>,
    pub mix: BTreeMap<String, f64>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamePool {
    pub order: String,
    pub surnames: Vec<String>,
    #[serde(default)]
    pub male_middle: Vec<String>,
    #[serde(default)]
    pub female_middle: Vec<String>,
    #[serde(default)]
    pub male_prefix: String,
    #[serde(default)]
    pub female_prefix: String,
    pub given: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Streets {
    pub urban: Vec<String>,
    /// Names of hamlets, villages and quarters for detailed street parts.
    #[serde(default)]
    pub hamlets: Vec<String>,
}

/// Lays `overlay` over `base`: tables merge key by key, anything else is
/// replaced.
fn lay_over(base: &mut toml::Table, overlay: &toml::Table) {
    for (key, value) in overlay {
        match (base.get_mut(key), value) {
            (Some(toml::Value::Table(inner)), toml::Value::Table(over)) => lay_over(inner, over),
            _ => {
                base.insert(key.clone(), value.clone());
            }
        }
    }
}

impl GeneratorConfig {
    /// Parses and checks the file; `perturbations` and `error_kinds` are the
    /// names the generator knows.
    pub fn parse(
        file: &str,
        text: &str,
        perturbations: &[&str],
        error_kinds: &[&str],
        ethnic_names: &[String],
        profile: &str,
    ) -> Result<GeneratorConfig, Vec<RuleError>> {
        let parsed: GeneratorConfig =
            toml::from_str(text).map_err(|e| vec![crate::rules::toml_error(file, text, &e)])?;
        let config = if profile == "classic" && !parsed.profiles.contains_key("classic") {
            parsed
        } else {
            let Some(overlay) = parsed.profiles.get(profile) else {
                let known: Vec<&str> =
                    std::iter::once("classic").chain(parsed.profiles.keys().map(String::as_str)).collect();
                return Err(vec![RuleError {
                    file: file.to_string(),
                    line: 0,
                    message: format!("no profile `{profile}`; the profiles are: {}", known.join(", ")),
                }]);
            };
            let mut table: toml::Table =
                toml::from_str(text).map_err(|e| vec![crate::rules::toml_error(file, text, &e)])?;
            table.remove("profiles");
            lay_over(&mut table, overlay);
            toml::Value::Table(table).try_into().map_err(|e: toml::de::Error| {
                vec![RuleError {
                    file: file.to_string(),
                    line: 0,
                    message: format!("profile `{profile}`: {}", e.message()),
                }]
            })?
        };
        let mut errors = Vec::new();
        let mut error = |message: String| errors.push(RuleError { file: file.to_string(), line: 0, message });
        let probabilities = [
            ("households.spouse", config.households.spouse),
            ("households.parents", config.households.parents),
            ("households.twins", config.households.twins),
            ("households.father_son_same_name", config.households.father_son_same_name),
            ("households.namesake", config.households.namesake),
            ("households.written_old_units", config.households.written_old_units),
            ("households.free_text_address", config.households.free_text_address),
            ("households.street_detail", config.households.street_detail),
            ("households.sibling_same_given", config.households.sibling_same_given),
            ("households.legacy_office", config.households.legacy_office),
            ("people.run_together", config.people.run_together),
            ("people.month_first", config.people.month_first),
            ("people.rare_given", config.people.rare_given),
            ("people.old_id", config.people.old_id),
            ("people.phone", config.people.phone),
            ("people.parent_names", config.people.parent_names),
            ("duplicates.person", config.duplicates.person),
            ("duplicates.third_copy", config.duplicates.third_copy),
        ];
        for (name, value) in
            probabilities.iter().chain(config.errors.iter().map(|(k, v)| (k.as_str(), *v)).collect::<Vec<_>>().iter())
        {
            if !(0.0..=1.0).contains(value) {
                error(format!("{name} = {value} is not a probability between 0 and 1"));
            }
        }
        if config.households.children.is_empty() || config.households.children.iter().any(|w| *w < 0.0) {
            error("households.children must list non-negative weights".to_string());
        }
        for name in config.duplicates.perturbations.keys() {
            if !perturbations.contains(&name.as_str()) {
                error(format!("unknown perturbation `{name}`; known: {}", perturbations.join(", ")));
            }
        }
        for name in config.errors.keys() {
            if !error_kinds.contains(&name.as_str()) {
                error(format!("unknown error kind `{name}`; known: {}", error_kinds.join(", ")));
            }
        }
        for region in &config.regions {
            for ethnicity in region.mix.keys() {
                if !ethnic_names.contains(ethnicity) {
                    error(format!("region `{}`: `{ethnicity}` is not a name in ethnic_groups.csv", region.name));
                } else if ethnicity != "Kinh" && !config.names.contains_key(ethnicity) {
                    error(format!("region `{}`: no [names.\"{ethnicity}\"] pool", region.name));
                }
            }
        }
        for (ethnicity, pool) in &config.names {
            if !matches!(pool.order.as_str(), "kinh" | "ede") {
                error(format!("names.\"{ethnicity}\".order must be \"kinh\" or \"ede\""));
            }
            if pool.surnames.is_empty() || pool.given.is_empty() {
                error(format!("names.\"{ethnicity}\" needs surnames and given names"));
            }
        }
        if config.streets.urban.is_empty() {
            error("streets.urban is empty".to_string());
        }
        if config.households.street_detail > 0.0 && config.streets.hamlets.is_empty() {
            error("households.street_detail needs streets.hamlets".to_string());
        }
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(errors)
        }
    }
}
