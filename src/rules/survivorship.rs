//! `survivorship.toml`: the order of the criteria by which the persons
//! table picks each field's best value among a person's records, read as
//! written (serde, unknown keys refused) and checked.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::error::RuleError;
use crate::record::{Field, ADDRESS_PARTS};

/// One way to tell which of two records holds the better value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Criterion {
    /// No error or warning finding on the field.
    WithoutFindings,
    /// The latest night.
    MostRecent,
    /// The value most of the person's records hold.
    MostFrequent,
    /// The person's primary record.
    Primary,
    /// The address only: exact before fuzzy before ambiguous before
    /// unresolved.
    BestPlaced,
}

impl Criterion {
    fn parse(name: &str) -> Option<Criterion> {
        match name {
            "without_findings" => Some(Criterion::WithoutFindings),
            "most_recent" => Some(Criterion::MostRecent),
            "most_frequent" => Some(Criterion::MostFrequent),
            "primary" => Some(Criterion::Primary),
            "best_placed" => Some(Criterion::BestPlaced),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SurvivorshipFile {
    order: Spanned<Vec<Spanned<String>>>,
    address: Spanned<Vec<Spanned<String>>>,
    citizen_id_only_consistent: bool,
    #[serde(default)]
    fields: BTreeMap<String, Spanned<Vec<Spanned<String>>>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SurvivorshipRules {
    /// The order of every person field without one of its own.
    pub order: Vec<Criterion>,
    /// The order the record the address comes from is chosen in.
    pub address: Vec<Criterion>,
    pub citizen_id_only_consistent: bool,
    /// Fields with an order of their own.
    pub fields: Vec<(Field, Vec<Criterion>)>,
}

impl Default for SurvivorshipRules {
    /// The shipped `survivorship.toml`'s rules, but for its phone rule.
    fn default() -> Self {
        use Criterion::*;
        SurvivorshipRules {
            order: vec![WithoutFindings, MostRecent, MostFrequent, Primary],
            address: vec![BestPlaced, WithoutFindings, MostRecent, Primary],
            citizen_id_only_consistent: true,
            fields: Vec::new(),
        }
    }
}

impl SurvivorshipRules {
    /// The criteria, in order, of `field`.
    pub fn order_of(&self, field: Field) -> &[Criterion] {
        self.fields.iter().find(|(f, _)| *f == field).map_or(&self.order, |(_, order)| order)
    }

    pub fn parse(file: &str, text: &str) -> Result<SurvivorshipRules, Vec<RuleError>> {
        let parsed: SurvivorshipFile = toml::from_str(text).map_err(|e| vec![super::toml_error(file, text, &e)])?;
        let mut errors = Vec::new();
        let mut error_at = |span: std::ops::Range<usize>, message: String| {
            errors.push(RuleError { file: file.to_string(), line: super::line_of(text, span.start), message })
        };
        let order = criteria(&parsed.order, "order", false, &mut error_at);
        let address = criteria(&parsed.address, "address", true, &mut error_at);
        let mut fields = Vec::new();
        for (name, list) in &parsed.fields {
            let order = criteria(list, &format!("fields.{name}"), false, &mut error_at);
            match Field::from_name(name) {
                Some(field) if ADDRESS_PARTS.contains(&field) => error_at(
                    list.span(),
                    format!("{name} is a part of the address, which comes from one record: set `address` instead"),
                ),
                Some(field) => fields.push((field, order)),
                None => error_at(list.span(), format!("unknown field `{name}` under [fields]")),
            }
        }
        if errors.is_empty() {
            Ok(SurvivorshipRules {
                order,
                address,
                citizen_id_only_consistent: parsed.citizen_id_only_consistent,
                fields,
            })
        } else {
            Err(errors)
        }
    }
}

/// The criteria of one list, each checked; mistakes go to `error_at`.
fn criteria(
    list: &Spanned<Vec<Spanned<String>>>,
    what: &str,
    for_address: bool,
    error_at: &mut impl FnMut(std::ops::Range<usize>, String),
) -> Vec<Criterion> {
    let mut order = Vec::new();
    for name in list.get_ref() {
        match Criterion::parse(name.get_ref()) {
            None => error_at(
                name.span(),
                format!(
                    "`{}` in {what} is not a criterion (without_findings, most_recent, most_frequent, primary, best_placed)",
                    name.get_ref()
                ),
            ),
            Some(Criterion::BestPlaced) if !for_address => {
                error_at(name.span(), format!("best_placed in {what}: only the address is placed"))
            }
            Some(Criterion::MostFrequent) if for_address => error_at(
                name.span(),
                "most_frequent in address: an address is a record's whole set of parts, not one value".to_string(),
            ),
            Some(c) if order.contains(&c) => error_at(name.span(), format!("`{}` twice in {what}", name.get_ref())),
            Some(c) => order.push(c),
        }
    }
    if list.get_ref().is_empty() {
        error_at(list.span(), format!("{what} names no criterion; the earliest record would always win"));
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_file_reads_and_mistakes_are_named_by_line() {
        let shipped =
            SurvivorshipRules::parse("survivorship.toml", include_str!("../../rules/survivorship.toml")).unwrap();
        assert_eq!(shipped.order, SurvivorshipRules::default().order);
        assert_eq!(shipped.order_of(Field::Phone)[0], Criterion::MostRecent);
        assert_eq!(shipped.order_of(Field::FullName), shipped.order.as_slice());
        let bad = "order = [\"primary\", \"newest\"]\naddress = [\"most_frequent\"]\ncitizen_id_only_consistent = true\n[fields]\ncommune_name = [\"primary\"]\nshoe_size = [\"primary\"]\n";
        let errors = SurvivorshipRules::parse("s.toml", bad).unwrap_err();
        let lines: Vec<(usize, bool)> =
            errors.iter().map(|e| (e.line, e.message.contains('`') || e.message.contains("address"))).collect();
        assert_eq!(lines.iter().map(|l| l.0).collect::<Vec<_>>(), [1, 2, 5, 6], "{errors:?}");
        assert!(SurvivorshipRules::parse("s.toml", "order = []\n").is_err(), "missing keys are refused");
    }
}
