//! `validation.toml`: the settings of the field checks, read as written
//! (serde, unknown keys refused) and turned into checked values.

use serde::Deserialize;
use toml::Spanned;

use crate::error::RuleError;
use crate::finding::{Code, Severities, Severity};
use crate::hash::HashMap;
use crate::record::Field;
use crate::text::fold_compact;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ValidationFile {
    age_limit: Spanned<u32>,
    required: Vec<Spanned<String>>,
    #[serde(default = "default_code_list")]
    ethnic_code_list: Spanned<String>,
    /// Empty (or absent): religions are not checked.
    #[serde(default)]
    religions: Vec<String>,
    /// Empty (or absent): relations are not checked.
    #[serde(default)]
    relations: Vec<String>,
    /// Empty (or absent): nationalities are not checked.
    #[serde(default)]
    nationalities: Vec<String>,
    /// Finding code → severity, where it differs from the built-in one.
    #[serde(default)]
    severities: std::collections::BTreeMap<String, Spanned<String>>,
}

#[derive(Clone, Debug)]
pub struct ValidationSettings {
    pub age_limit: u32,
    pub required: Vec<Field>,
    /// The column of `ethnic_groups.csv` the ethnicity codes follow.
    pub ethnic_code_column: &'static str,
    /// Folded spelling → the listed one; and the listed one → itself.
    pub religions: HashMap<String, String>,
    pub relations: HashMap<String, String>,
    pub nationalities: HashMap<String, String>,
    pub severities: Severities,
}

impl Default for ValidationSettings {
    fn default() -> Self {
        ValidationSettings {
            age_limit: 120,
            required: vec![Field::FullName],
            ethnic_code_column: "code",
            religions: HashMap::default(),
            relations: HashMap::default(),
            nationalities: HashMap::default(),
            severities: Severities::default(),
        }
    }
}

fn default_code_list() -> Spanned<String> {
    Spanned::new(0..0, "qd121_1979".to_string())
}

impl ValidationSettings {
    pub fn parse(file: &str, text: &str) -> Result<ValidationSettings, Vec<RuleError>> {
        let parsed: ValidationFile = toml::from_str(text).map_err(|e| vec![super::toml_error(file, text, &e)])?;
        let mut errors = Vec::new();
        let error_at = |span: std::ops::Range<usize>, message: String| RuleError {
            file: file.to_string(),
            line: super::line_of(text, span.start),
            message,
        };
        let age_limit = *parsed.age_limit.get_ref();
        if !(60..=150).contains(&age_limit) {
            errors.push(error_at(parsed.age_limit.span(), format!("age_limit {age_limit} is outside 60..=150")));
        }
        let mut required = vec![Field::FullName];
        for name in &parsed.required {
            match Field::from_name(name.get_ref()) {
                Some(field) if !required.contains(&field) => required.push(field),
                Some(_) => {}
                None => errors.push(error_at(name.span(), format!("unknown field `{}`", name.get_ref()))),
            }
        }
        let ethnic_code_column = match parsed.ethnic_code_list.get_ref().as_str() {
            "qd121_1979" => "code",
            "qd1019_2008" => "code_qd1019_2008",
            other => {
                errors.push(error_at(
                    parsed.ethnic_code_list.span(),
                    format!("ethnic_code_list `{other}` is not \"qd121_1979\" or \"qd1019_2008\""),
                ));
                "code"
            }
        };
        let mut overrides = HashMap::default();
        for (name, severity) in &parsed.severities {
            let code = Code::from_name(name);
            let level = Severity::from_label(severity.get_ref());
            match (code, level) {
                (Some(code), Some(level)) => {
                    overrides.insert(code, level);
                }
                (None, _) => errors.push(error_at(severity.span(), format!("unknown finding code `{name}`"))),
                (_, None) => errors.push(error_at(
                    severity.span(),
                    format!("severity `{}` of {name} is not \"error\", \"warning\" or \"info\"", severity.get_ref()),
                )),
            }
        }
        let vocabulary =
            |words: &[String]| words.iter().map(|w| (fold_compact(w), w.clone())).collect::<HashMap<_, _>>();
        // Each listed spelling is also a key of its own: the normaliser finds
        // a value written as listed without folding it. Keys that fold
        // contain no capitals, marks or spaces, so the two kinds stay apart.
        let vocabulary = |words: &[String]| {
            let mut by_fold = vocabulary(words);
            let as_listed: Vec<String> = by_fold.values().filter(|w| !by_fold.contains_key(*w)).cloned().collect();
            by_fold.extend(as_listed.into_iter().map(|w| (w.clone(), w)));
            by_fold
        };
        if errors.is_empty() {
            Ok(ValidationSettings {
                age_limit,
                required,
                ethnic_code_column,
                religions: vocabulary(&parsed.religions),
                relations: vocabulary(&parsed.relations),
                nationalities: vocabulary(&parsed.nationalities),
                severities: Severities::new(overrides),
            })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_can_be_changed_per_code_and_bad_ones_are_reported_by_line() {
        let text = "age_limit = 120\nrequired = []\n[severities]\nPHONE_INVALID = \"error\"\nADDRESS_OLD_UNITS = \"warning\"\n";
        let settings = ValidationSettings::parse("validation.toml", text).unwrap();
        assert_eq!(settings.severities.of(Code::PhoneInvalid), Severity::Error);
        assert_eq!(settings.severities.of(Code::AddressOldUnits), Severity::Warning);
        assert_eq!(settings.severities.of(Code::IdLength), Severity::Error);

        let text = "age_limit = 120\nrequired = []\n[severities]\nPHONE_INVALD = \"error\"\nID_LENGTH = \"fatal\"\n";
        let errors = ValidationSettings::parse("validation.toml", text).err().unwrap();
        let lines: Vec<String> = errors.iter().map(|e| format!("{}:{}: {}", e.file, e.line, e.message)).collect();
        assert_eq!(
            lines,
            [
                "validation.toml:5: severity `fatal` of ID_LENGTH is not \"error\", \"warning\" or \"info\"",
                "validation.toml:4: unknown finding code `PHONE_INVALD`",
            ]
        );
    }
}
