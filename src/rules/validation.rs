//! `validation.toml`: the settings of the field checks, read as written
//! (serde, unknown keys refused) and turned into checked values.

use serde::Deserialize;
use toml::Spanned;

use std::collections::HashMap;

use crate::error::RuleError;
use crate::normalize::text::fold_compact;
use crate::record::Field;

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
}

#[derive(Clone, Debug)]
pub struct ValidationSettings {
    pub age_limit: u32,
    pub required: Vec<Field>,
    /// The column of `ethnic_groups.csv` the ethnicity codes follow.
    pub ethnic_code_column: &'static str,
    /// Folded spelling → the listed one.
    pub religions: HashMap<String, String>,
    pub relations: HashMap<String, String>,
}

impl Default for ValidationSettings {
    fn default() -> Self {
        ValidationSettings {
            age_limit: 120,
            required: vec![Field::FullName],
            ethnic_code_column: "code",
            religions: HashMap::new(),
            relations: HashMap::new(),
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
        let vocabulary =
            |words: &[String]| words.iter().map(|w| (fold_compact(w), w.clone())).collect::<HashMap<_, _>>();
        if errors.is_empty() {
            Ok(ValidationSettings {
                age_limit,
                required,
                ethnic_code_column,
                religions: vocabulary(&parsed.religions),
                relations: vocabulary(&parsed.relations),
            })
        } else {
            Err(errors)
        }
    }
}
