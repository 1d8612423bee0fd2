//! How common a name is, for term-frequency adjustment: two records that
//! agree on `Nguyễn Văn Hùng` are weaker evidence of one person than two
//! that agree on `Kđăm`. A name's frequency is the larger of its population
//! frequency (surname × middle × given name, from the name tables in
//! `rules/names/`; a word the tables lack counts as rare) and, in a batch of
//! at least [`MIN_BATCH_FOR_COUNTS`] records, its share of the batch (a name
//! common in one district is common there whatever the country says).

use crate::hash::HashMap;
use crate::rules::Rules;
use crate::text::fold_words;

/// Below this many records a batch's own counts say little.
pub const MIN_BATCH_FOR_COUNTS: usize = 10_000;

/// Word probabilities by name part, from the reference counts.
#[derive(Clone, Debug, Default)]
pub struct NameFrequencies {
    surname: HashMap<String, f64>,
    middle: HashMap<String, f64>,
    given: HashMap<String, f64>,
    /// The probability given to a word the tables lack, per part.
    unseen: [f64; 3],
    /// How often each name key occurs in the population the batch is part
    /// of (a night's records are linked beside the master's): the batch's
    /// share of a name is taken from here instead of from the batch.
    population: Option<NameCounts>,
}

/// Occurrences of each name key in a population of `total` records.
#[derive(Clone, Debug, Default)]
pub struct NameCounts {
    pub counts: HashMap<Box<str>, u32>,
    pub total: u64,
}

impl NameFrequencies {
    pub fn from_rules(rules: &Rules) -> NameFrequencies {
        let mut counts: [HashMap<String, f64>; 3] = Default::default();
        for row in rules.name_components.rows() {
            let part = match row.get("component") {
                "surname" => 0,
                "middle" => 1,
                "given" => 2,
                _ => continue,
            };
            let count = row.get("count_male").parse::<f64>().unwrap_or(0.0)
                + row.get("count_female").parse::<f64>().unwrap_or(0.0);
            *counts[part].entry(fold_words(row.get("token"))).or_insert(0.0) += count;
        }
        let mut unseen = [0.0; 3];
        let mut tables: Vec<HashMap<String, f64>> = Vec::new();
        for (part, table) in counts.into_iter().enumerate() {
            let total: f64 = table.values().sum::<f64>().max(1.0);
            unseen[part] = 0.5 / total;
            tables.push(table.into_iter().map(|(word, count)| (word, count / total)).collect());
        }
        let given = tables.pop().unwrap_or_default();
        let middle = tables.pop().unwrap_or_default();
        let surname = tables.pop().unwrap_or_default();
        NameFrequencies { surname, middle, given, unseen, population: None }
    }

    /// The population the batch's shares of names are counted in, if not
    /// the batch itself.
    pub fn population(&self) -> Option<&NameCounts> {
        self.population.as_ref()
    }

    /// These frequencies, a name's share counted in `population` rather
    /// than in the batch linked.
    pub fn within(mut self, population: NameCounts) -> NameFrequencies {
        self.population = Some(population);
        self
    }

    /// The population frequency of a name given as folded parts.
    pub fn of_name(&self, surname: &str, middle: &str, given: &str) -> f64 {
        let part = |table: &HashMap<String, f64>, unseen: f64, words: &str| -> f64 {
            words.split(' ').filter(|w| !w.is_empty()).map(|w| table.get(w).copied().unwrap_or(unseen)).product()
        };
        part(&self.surname, self.unseen[0], surname)
            * part(&self.middle, self.unseen[1], middle)
            * part(&self.given, self.unseen[2], given)
    }
}

/// Each record's name frequency: population frequency, raised to the
/// batch's own share of the name where the batch is large enough (its share
/// of `counted` where the batch is part of a counted population).
pub fn name_frequencies(
    population: &[f64],
    name_keys: &[&str],
    counted: Option<&NameCounts>,
    parallel: bool,
) -> Vec<f64> {
    if let Some(counted) = counted {
        if counted.total < MIN_BATCH_FOR_COUNTS as u64 {
            return population.to_vec();
        }
        let n = counted.total as f64;
        return population
            .iter()
            .zip(name_keys)
            .map(|(&p, &key)| {
                let count = if key.is_empty() { 0 } else { counted.counts.get(key).copied().unwrap_or(1) };
                p.max(f64::from(count) / n)
            })
            .collect();
    }
    if name_keys.len() < MIN_BATCH_FOR_COUNTS {
        return population.to_vec();
    }
    let (keys, slots) = crate::parallel::distinct(name_keys, parallel);
    let mut counts = vec![0u32; keys.len()];
    for &slot in &slots {
        counts[slot as usize] += 1;
    }
    let n = name_keys.len() as f64;
    population
        .iter()
        .zip(&slots)
        .map(|(&p, &slot)| {
            let listed = if keys[slot as usize].is_empty() { 0.0 } else { f64::from(counts[slot as usize]) / n };
            p.max(listed)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSource;

    #[test]
    fn a_common_name_is_more_frequent_than_a_minority_name() {
        let rules = Rules::load(&RuleSource::BuiltIn, None).unwrap();
        let frequencies = NameFrequencies::from_rules(&rules);
        let common = frequencies.of_name("nguyen", "van", "hung");
        let rare = frequencies.of_name("kdam", "", "y ngong");
        assert!(common > 1e-5, "{common}");
        assert!(rare < common / 1000.0, "{rare} vs {common}");
    }
}
