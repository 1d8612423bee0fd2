//! `linkage.toml`: thresholds and the m and u probabilities of each
//! comparison level. The levels a comparison has are defined by the code that
//! computes them (`link::compare`); this file must give both probabilities for
//! every one of them, and nothing else.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::error::RuleError;
use crate::link::compare::COMPARISONS;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkageFile {
    prior: Spanned<f64>,
    review_threshold: f64,
    match_threshold: f64,
    max_block_size: usize,
    name_similarity: Spanned<f64>,
    comparisons: BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<Probabilities>>>,
}

#[derive(Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
struct Probabilities {
    m: f64,
    u: f64,
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
    pub prior_weight: f64,
    pub review_threshold: f64,
    pub match_threshold: f64,
    pub max_block_size: usize,
    pub name_similarity: f64,
    /// Indexed like [`COMPARISONS`], then by level.
    pub levels: Vec<Vec<LevelParameters>>,
}

impl LinkageSettings {
    pub fn parse(file: &str, text: &str) -> Result<LinkageSettings, Vec<RuleError>> {
        let parsed: LinkageFile = toml::from_str(text).map_err(|e| vec![super::toml_error(file, text, &e)])?;
        let mut errors = Vec::new();
        let error_at = |span: std::ops::Range<usize>, message: String| RuleError {
            file: file.to_string(),
            line: super::line_of(text, span.start),
            message,
        };
        let prior = *parsed.prior.get_ref();
        if !(prior > 0.0 && prior < 1.0) {
            errors.push(error_at(parsed.prior.span(), format!("prior {prior} must be between 0 and 1")));
        }
        let similarity = *parsed.name_similarity.get_ref();
        if !(0.5..=1.0).contains(&similarity) {
            errors.push(error_at(
                parsed.name_similarity.span(),
                format!("name_similarity {similarity} must be between 0.5 and 1"),
            ));
        }
        for name in parsed.comparisons.keys() {
            if !COMPARISONS.iter().any(|c| c.name == name.get_ref()) {
                let known: Vec<&str> = COMPARISONS.iter().map(|c| c.name).collect();
                errors.push(error_at(
                    name.span(),
                    format!("unknown comparison `{}`; comparisons are: {}", name.get_ref(), known.join(", ")),
                ));
            }
        }
        let mut levels = Vec::new();
        for comparison in COMPARISONS {
            let Some((_, given)) = parsed.comparisons.iter().find(|(k, _)| k.get_ref() == comparison.name) else {
                errors.push(RuleError {
                    file: file.to_string(),
                    line: 0,
                    message: format!("comparison `{}` is missing", comparison.name),
                });
                continue;
            };
            for level in given.keys() {
                if !comparison.levels.contains(&level.get_ref().as_str()) {
                    errors.push(error_at(
                        level.span(),
                        format!(
                            "`{}` has no level `{}`; its levels are: {}",
                            comparison.name,
                            level.get_ref(),
                            comparison.levels.join(", ")
                        ),
                    ));
                }
            }
            let mut parameters = Vec::new();
            for level in comparison.levels {
                match given.iter().find(|(k, _)| k.get_ref() == level) {
                    Some((_, p)) => {
                        let Probabilities { m, u } = *p.get_ref();
                        if !(m > 0.0 && m <= 1.0 && u > 0.0 && u <= 1.0) {
                            errors.push(error_at(
                                p.span(),
                                format!("m and u of `{}.{level}` must be in (0, 1]", comparison.name),
                            ));
                        }
                        parameters.push(LevelParameters { m, u, weight: (m / u).log2() });
                    }
                    None => errors.push(RuleError {
                        file: file.to_string(),
                        line: 0,
                        message: format!("level `{}.{level}` is missing", comparison.name),
                    }),
                }
            }
            levels.push(parameters);
        }
        if errors.is_empty() {
            Ok(LinkageSettings {
                prior_weight: (prior / (1.0 - prior)).log2(),
                review_threshold: parsed.review_threshold,
                match_threshold: parsed.match_threshold,
                max_block_size: parsed.max_block_size.max(2),
                name_similarity: similarity,
                levels,
            })
        } else {
            Err(errors)
        }
    }
}
