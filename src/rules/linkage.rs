//! `linkage.toml` and the model file: how records are linked. The settings
//! (thresholds, blocking rules, the block-size cap) are TOML written by
//! people; the m and u probabilities of each comparison level are a model
//! file written by `dancu train` (`model.json`, the shipped default, or
//! `--model FILE`). The levels a comparison has are defined by the code that
//! computes them (`link::compare`); the model must give both probabilities
//! for every one of them, and nothing else.

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::error::RuleError;
use crate::link::compare::COMPARISONS;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkageFile {
    review_threshold: f64,
    match_threshold: f64,
    max_block_size: usize,
    blocking: Vec<Spanned<BlockingFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BlockingFile {
    name: String,
    keys: Vec<String>,
    #[serde(default)]
    split_on: Option<String>,
}

/// A record's value a blocking rule can group by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKey {
    CitizenId,
    /// The full birth date (records with a partial date have none).
    BirthDate,
    BirthYear,
    NameKey,
    SurnameKey,
    GivenKey,
    HouseholdId,
    Commune,
    Phone,
    FatherKey,
    MotherKey,
}

impl BlockKey {
    pub const ALL: [BlockKey; 11] = [
        BlockKey::CitizenId,
        BlockKey::BirthDate,
        BlockKey::BirthYear,
        BlockKey::NameKey,
        BlockKey::SurnameKey,
        BlockKey::GivenKey,
        BlockKey::HouseholdId,
        BlockKey::Commune,
        BlockKey::Phone,
        BlockKey::FatherKey,
        BlockKey::MotherKey,
    ];

    pub fn name(self) -> &'static str {
        match self {
            BlockKey::CitizenId => "citizen_id",
            BlockKey::BirthDate => "birth_date",
            BlockKey::BirthYear => "birth_year",
            BlockKey::NameKey => "name_key",
            BlockKey::SurnameKey => "surname_key",
            BlockKey::GivenKey => "given_key",
            BlockKey::HouseholdId => "household_id",
            BlockKey::Commune => "commune",
            BlockKey::Phone => "phone",
            BlockKey::FatherKey => "father_key",
            BlockKey::MotherKey => "mother_key",
        }
    }

    fn from_name(name: &str) -> Option<BlockKey> {
        BlockKey::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// One blocking rule: records that agree on every key are compared.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BlockingRule {
    pub name: String,
    pub keys: Vec<BlockKey>,
    /// A block over the size cap is split on this key too; without one it
    /// is skipped (and reported).
    pub split_on: Option<BlockKey>,
}

/// The trained part of linkage, as `dancu train` writes it.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Model {
    pub dancu_model: u32,
    /// How the model was made: free-form, for people.
    #[serde(default)]
    pub trained: serde_json::Value,
    /// Probability that two records chosen at random describe one person.
    pub prior: f64,
    pub comparisons: Vec<ModelComparison>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ModelComparison {
    pub name: String,
    pub levels: Vec<ModelLevel>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ModelLevel {
    pub level: String,
    pub m: f64,
    pub u: f64,
}

/// The weight of each level of one comparison, in the order of its levels.
#[derive(Clone, Debug, PartialEq)]
pub struct LevelParameters {
    pub m: f64,
    pub u: f64,
    /// log2(m / u): what agreeing at this level adds to the match weight.
    pub weight: f64,
}

#[derive(Clone, Debug, Default)]
pub struct LinkageSettings {
    pub prior: f64,
    pub prior_weight: f64,
    pub review_threshold: f64,
    pub match_threshold: f64,
    pub max_block_size: usize,
    pub blocking: Vec<BlockingRule>,
    /// Indexed like [`COMPARISONS`], then by level.
    pub levels: Vec<Vec<LevelParameters>>,
}

impl LinkageSettings {
    /// Reads `linkage.toml` and the model; every problem in either is
    /// reported.
    pub fn parse(
        file: &str,
        text: &str,
        model_file: &str,
        model_text: &str,
    ) -> Result<LinkageSettings, Vec<RuleError>> {
        let mut errors = Vec::new();
        let model = match serde_json::from_str::<Model>(model_text) {
            Ok(model) => Some(model),
            Err(e) => {
                errors.push(RuleError { file: model_file.to_string(), line: e.line(), message: e.to_string() });
                None
            }
        };
        let parsed: LinkageFile = match toml::from_str(text) {
            Ok(parsed) => parsed,
            Err(e) => {
                errors.push(super::toml_error(file, text, &e));
                return Err(errors);
            }
        };
        let error_at = |span: std::ops::Range<usize>, message: String| RuleError {
            file: file.to_string(),
            line: super::line_of(text, span.start),
            message,
        };
        let mut blocking = Vec::new();
        for rule in &parsed.blocking {
            let span = rule.span();
            let rule = rule.get_ref();
            let mut key = |name: &str| {
                BlockKey::from_name(name).or_else(|| {
                    let known: Vec<&str> = BlockKey::ALL.iter().map(|k| k.name()).collect();
                    errors.push(error_at(
                        span.clone(),
                        format!("blocking rule `{}`: unknown key `{name}`; keys are: {}", rule.name, known.join(", ")),
                    ));
                    None
                })
            };
            let keys: Vec<BlockKey> = rule.keys.iter().filter_map(|k| key(k)).collect();
            let split_on = rule.split_on.as_deref().and_then(&mut key);
            if rule.keys.is_empty() {
                errors.push(error_at(span.clone(), format!("blocking rule `{}` has no keys", rule.name)));
            }
            blocking.push(BlockingRule { name: rule.name.clone(), keys, split_on });
        }
        if blocking.is_empty() {
            errors.push(RuleError { file: file.to_string(), line: 0, message: "no [[blocking]] rule".to_string() });
        }
        let (prior, levels) = match model {
            Some(model) => model_levels(model_file, &model, &mut errors),
            None => (0.5, Vec::new()),
        };
        if errors.is_empty() {
            Ok(LinkageSettings {
                prior,
                prior_weight: (prior / (1.0 - prior)).log2(),
                review_threshold: parsed.review_threshold,
                match_threshold: parsed.match_threshold,
                max_block_size: parsed.max_block_size.max(2),
                blocking,
                levels,
            })
        } else {
            Err(errors)
        }
    }
}

impl LinkageSettings {
    /// These settings with the m and u of another model file.
    pub fn with_model(&self, model_file: &str, model_text: &str) -> Result<LinkageSettings, Vec<RuleError>> {
        let model: Model = serde_json::from_str(model_text)
            .map_err(|e| vec![RuleError { file: model_file.to_string(), line: e.line(), message: e.to_string() }])?;
        let mut errors = Vec::new();
        let (prior, levels) = model_levels(model_file, &model, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(LinkageSettings { prior, prior_weight: (prior / (1.0 - prior)).log2(), levels, ..self.clone() })
    }

    /// The settings' model, as `dancu train` writes it.
    pub fn model(&self, trained: serde_json::Value) -> Model {
        Model {
            dancu_model: 1,
            trained,
            prior: self.prior,
            comparisons: COMPARISONS
                .iter()
                .zip(&self.levels)
                .map(|(c, levels)| ModelComparison {
                    name: c.name.to_string(),
                    levels: c
                        .levels
                        .iter()
                        .zip(levels)
                        .map(|(level, p)| ModelLevel { level: level.to_string(), m: p.m, u: p.u })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// The prior and the parameters of every level of every comparison, in the
/// order the code defines them.
fn model_levels(file: &str, model: &Model, errors: &mut Vec<RuleError>) -> (f64, Vec<Vec<LevelParameters>>) {
    let mut error = |message: String| errors.push(RuleError { file: file.to_string(), line: 0, message });
    if model.dancu_model != 1 {
        error(format!("dancu_model {} is not a model version this dancu reads (1)", model.dancu_model));
    }
    if !(model.prior > 0.0 && model.prior < 1.0) {
        error(format!("prior {} must be between 0 and 1", model.prior));
    }
    for given in &model.comparisons {
        if !COMPARISONS.iter().any(|c| c.name == given.name) {
            let known: Vec<&str> = COMPARISONS.iter().map(|c| c.name).collect();
            error(format!("unknown comparison `{}`; comparisons are: {}", given.name, known.join(", ")));
        }
    }
    let mut levels = Vec::new();
    for comparison in COMPARISONS {
        let Some(given) = model.comparisons.iter().find(|c| c.name == comparison.name) else {
            error(format!("comparison `{}` is missing", comparison.name));
            continue;
        };
        for level in &given.levels {
            if !comparison.levels.contains(&level.level.as_str()) {
                error(format!(
                    "`{}` has no level `{}`; its levels are: {}",
                    comparison.name,
                    level.level,
                    comparison.levels.join(", ")
                ));
            }
        }
        let mut parameters = Vec::new();
        for level in comparison.levels {
            match given.levels.iter().find(|l| l.level == *level) {
                Some(&ModelLevel { m, u, .. }) => {
                    if !(m > 0.0 && m <= 1.0 && u > 0.0 && u <= 1.0) {
                        error(format!("m and u of `{}.{level}` must be in (0, 1]", comparison.name));
                    }
                    parameters.push(LevelParameters { m, u, weight: (m / u).log2() });
                }
                None => error(format!("level `{}.{level}` is missing", comparison.name)),
            }
        }
        levels.push(parameters);
    }
    (model.prior, levels)
}
