//! What every target shares: the built-in rules, loaded once per process.

use std::sync::OnceLock;

use dancu::rules::{RuleSource, Rules};

pub fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules::load(&RuleSource::BuiltIn, None).expect("the built-in rules load"))
}

/// Fuzz bytes as text, lossily: the normalisers take text.
pub fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}
