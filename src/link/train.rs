//! `dancu train`: estimates the model's m and u from a batch, as Splink
//! does. u, the probability of each level among pairs of two different
//! people, is counted on random pairs (almost all of which are different
//! people). m, the probability among pairs of one person, is estimated by
//! expectation-maximisation on the blocked candidate pairs with u held
//! fixed, one blocking rule at a time: the pairs a rule finds all agree on
//! its keys, so the comparisons of those keys say nothing there and are left
//! out of that rule's EM (as Splink does). Each comparison's m is the mean
//! over the rules that leave it in. The share of matches among all blocked
//! pairs, with m and u fixed, gives the prior.

use rayon::prelude::*;
use serde::Serialize;

use super::compare::{
    self, ComparisonVector, BIRTH_DATE, CITIZEN_ID, COMMUNE, COMPARISONS, FATHER_NAME, FULL_NAME, MOTHER_NAME,
    NULL_LEVEL, PHONE,
};
use super::Scorer;
use crate::hash::HashMap;
use crate::rng::Rng;
use crate::rules::{BlockKey, LevelParameters, LinkageSettings};

/// Counts of a level below this are raised to it before dividing, so no
/// level gets a probability of zero (and an infinite weight).
const SMOOTHING: f64 = 0.5;

/// m below this is kept at it: a level EM never sees among matches still
/// happens.
const MIN_M: f64 = 1e-5;

/// A blocking rule with fewer pairs than this says too little to train on.
pub const MIN_RULE_PAIRS: usize = 1_000;

/// The comparisons a blocking rule's keys decide: every pair of the rule
/// agrees on them.
fn blocked_comparisons(keys: &[BlockKey]) -> Vec<usize> {
    let mut comparisons = Vec::new();
    for key in keys {
        let decided: &[usize] = match key {
            BlockKey::CitizenId => &[CITIZEN_ID],
            BlockKey::BirthDate | BlockKey::BirthYear => &[BIRTH_DATE],
            BlockKey::NameKey | BlockKey::SurnameKey | BlockKey::GivenKey => &[FULL_NAME],
            // One household shares its commune and, for children, parents.
            BlockKey::HouseholdId => &[COMMUNE, FATHER_NAME, MOTHER_NAME],
            BlockKey::Commune => &[COMMUNE],
            BlockKey::Phone => &[PHONE],
            BlockKey::FatherKey => &[FATHER_NAME],
            BlockKey::MotherKey => &[MOTHER_NAME],
        };
        for &c in decided {
            if !comparisons.contains(&c) {
                comparisons.push(c);
            }
        }
    }
    comparisons
}

/// Comparison vectors counted, in a fixed order.
fn count_patterns(vectors: impl ParallelIterator<Item = ComparisonVector>) -> Vec<(ComparisonVector, f64)> {
    let vectors: Vec<ComparisonVector> = vectors.collect();
    let mut counts: HashMap<ComparisonVector, f64> = HashMap::default();
    for levels in vectors {
        *counts.entry(levels).or_insert(0.0) += 1.0;
    }
    let mut patterns: Vec<(ComparisonVector, f64)> = counts.into_iter().collect();
    patterns.sort_by_key(|pattern| pattern.0);
    patterns
}

#[derive(Clone, Debug, Serialize)]
pub struct TrainingReport {
    pub records: u64,
    pub sampled_pairs: u64,
    pub seed: u64,
    pub blocked_pairs: u64,
    /// Distinct comparison vectors among the blocked pairs.
    pub patterns: u64,
    /// The blocking rules whose pairs m was estimated on.
    pub rules_trained: Vec<String>,
    pub em_iterations: u32,
    pub em_converged: bool,
    /// Share of the blocked pairs EM took to be one person.
    pub match_share: f64,
}

/// Level counts per comparison (nulls never counted) turned into
/// probabilities, each count raised by [`SMOOTHING`] first.
pub fn level_probabilities(counts: &[Vec<f64>]) -> Vec<Vec<f64>> {
    counts
        .iter()
        .map(|levels| {
            let total: f64 = levels.iter().map(|&c| c + SMOOTHING).sum();
            levels.iter().map(|&c| (c + SMOOTHING) / total).collect()
        })
        .collect()
}

/// The levels of `pairs` random pairs of distinct records, counted per
/// comparison. Deterministic for a seed, on any thread count.
pub fn sample_u(scorer: &Scorer, pairs: u64, seed: u64) -> Vec<Vec<f64>> {
    let n = scorer.keys.len() as u64;
    let empty = || COMPARISONS.iter().map(|c| vec![0.0; c.levels.len()]).collect::<Vec<Vec<f64>>>();
    if n < 2 {
        return empty();
    }
    const CHUNK: u64 = 65_536;
    let chunks = pairs.div_ceil(CHUNK);
    (0..chunks)
        .into_par_iter()
        .map(|chunk| {
            let mut rng = Rng::new(seed ^ chunk.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let mut counts = empty();
            let todo = CHUNK.min(pairs - chunk * CHUNK);
            for _ in 0..todo {
                let a = rng.below(n);
                let mut b = rng.below(n - 1);
                if b >= a {
                    b += 1;
                }
                let levels = compare::compare(&scorer.keys[a as usize], &scorer.keys[b as usize]);
                add(&mut counts, &levels, 1.0);
            }
            counts
        })
        .reduce(empty, |mut x, y| {
            for (a, b) in x.iter_mut().zip(y) {
                for (p, q) in a.iter_mut().zip(b) {
                    *p += q;
                }
            }
            x
        })
}

fn add(counts: &mut [Vec<f64>], levels: &ComparisonVector, weight: f64) {
    for (c, &level) in levels.iter().enumerate() {
        if level != NULL_LEVEL {
            counts[c][level as usize] += weight;
        }
    }
}

/// The result of expectation-maximisation.
#[derive(Clone, Debug)]
pub struct EmResult {
    pub m: Vec<Vec<f64>>,
    /// Share of the pairs that are matches.
    pub lambda: f64,
    pub iterations: u32,
    pub converged: bool,
}

/// Estimates m and the match share from comparison vectors with their
/// counts, u held fixed (and m too when `estimate_m` is false). A
/// comparison that is null in every vector keeps its m. Starts from `m` and
/// `lambda`; stops when no parameter moves more than 1e-6, or after
/// `max_iterations`.
pub fn expectation_maximisation(
    patterns: &[(ComparisonVector, f64)],
    u: &[Vec<f64>],
    mut m: Vec<Vec<f64>>,
    mut lambda: f64,
    max_iterations: u32,
    estimate_m: bool,
) -> EmResult {
    let probability = |params: &[Vec<f64>], levels: &ComparisonVector| -> f64 {
        levels.iter().enumerate().filter(|(_, &l)| l != NULL_LEVEL).map(|(c, &l)| params[c][l as usize]).product()
    };
    for iteration in 1..=max_iterations {
        let mut counts: Vec<Vec<f64>> = m.iter().map(|levels| vec![0.0; levels.len()]).collect();
        let mut matches = 0.0;
        let mut total = 0.0;
        for (levels, count) in patterns {
            let as_match = lambda * probability(&m, levels);
            let as_non_match = (1.0 - lambda) * probability(u, levels);
            let posterior = if as_match + as_non_match > 0.0 { as_match / (as_match + as_non_match) } else { 0.0 };
            add(&mut counts, levels, posterior * count);
            matches += posterior * count;
            total += count;
        }
        let new_m: Vec<Vec<f64>> = counts
            .iter()
            .zip(&m)
            .map(|(levels, old)| {
                let sum: f64 = levels.iter().sum();
                if !estimate_m || sum <= 0.0 {
                    return old.clone();
                }
                levels.iter().map(|&c| (c / sum).max(MIN_M)).collect()
            })
            .collect();
        let new_lambda = if total > 0.0 { (matches / total).clamp(1e-9, 1.0 - 1e-9) } else { lambda };
        let moved = new_m
            .iter()
            .flatten()
            .zip(m.iter().flatten())
            .map(|(a, b)| (a - b).abs())
            .fold((new_lambda - lambda).abs(), f64::max);
        m = new_m;
        lambda = new_lambda;
        if moved < 1e-6 {
            return EmResult { m, lambda, iterations: iteration, converged: true };
        }
    }
    EmResult { m, lambda, iterations: max_iterations, converged: false }
}

/// Trains a model on a batch: u from `sample_pairs` random pairs, m and the
/// prior by EM on the blocked pairs. Returns the settings with the new
/// model and a report of what was done.
pub fn train(scorer: &Scorer, candidates: &[u64], sample_pairs: u64, seed: u64) -> (LinkageSettings, TrainingReport) {
    let settings = scorer.settings;
    let u = level_probabilities(&sample_u(scorer, sample_pairs, seed));
    let start_m: Vec<Vec<f64>> = settings.levels.iter().map(|levels| levels.iter().map(|p| p.m).collect()).collect();
    let vector =
        |pair: u64| compare::compare(&scorer.keys[(pair >> 32) as usize], &scorer.keys[(pair & 0xFFFF_FFFF) as usize]);
    // m per blocking rule, each comparison from the rules that leave it in.
    let mut sums: Vec<Vec<f64>> = start_m.iter().map(|l| vec![0.0; l.len()]).collect();
    let mut estimates = vec![0u32; COMPARISONS.len()];
    let mut iterations = 0;
    let mut converged = true;
    let mut rules_trained = Vec::new();
    for rule in &settings.blocking {
        let keys = super::block::rule_keys(rule, &scorer.keys, true);
        let (pairs, _) = super::block::rule_pairs(rule, &scorer.keys, &keys, settings.max_block_size);
        if pairs.len() < MIN_RULE_PAIRS {
            continue;
        }
        let left_out = blocked_comparisons(&rule.keys);
        // Pairs a guard knows to be two people (twins, siblings, different
        // IDs) are left out: they would teach EM that matches disagree.
        let patterns = count_patterns(pairs.par_iter().filter_map(|&p| {
            let mut levels = vector(p);
            if scorer.distinct((p >> 32) as usize, (p & 0xFFFF_FFFF) as usize, &levels).is_some() {
                return None;
            }
            for &c in &left_out {
                levels[c] = NULL_LEVEL;
            }
            Some(levels)
        }));
        let em = expectation_maximisation(&patterns, &u, start_m.clone(), 0.3, 200, true);
        iterations += em.iterations;
        converged &= em.converged;
        for c in (0..COMPARISONS.len()).filter(|c| !left_out.contains(c)) {
            for (sum, m) in sums[c].iter_mut().zip(&em.m[c]) {
                *sum += m;
            }
            estimates[c] += 1;
        }
        rules_trained.push(rule.name.clone());
    }
    let m: Vec<Vec<f64>> = sums
        .iter()
        .zip(&estimates)
        .zip(&start_m)
        .map(|((sum, &k), start)| if k == 0 { start.clone() } else { sum.iter().map(|s| s / f64::from(k)).collect() })
        .collect();
    // The share of matches among all blocked pairs, m and u fixed.
    let patterns = count_patterns(candidates.par_iter().map(|&p| vector(p)));
    let em = expectation_maximisation(&patterns, &u, m, 0.1, 200, false);
    let n = scorer.keys.len() as f64;
    let all_pairs = (n * (n - 1.0) / 2.0).max(1.0);
    let prior = (em.lambda * candidates.len() as f64 / all_pairs).clamp(1e-12, 0.5);
    let levels =
        em.m.iter()
            .zip(&u)
            .map(|(m, u)| {
                m.iter().zip(u).map(|(&m, &u)| LevelParameters { m, u, weight: (m / u).log2() }).collect::<Vec<_>>()
            })
            .collect();
    let trained = LinkageSettings { prior, prior_weight: (prior / (1.0 - prior)).log2(), levels, ..settings.clone() };
    let report = TrainingReport {
        records: scorer.keys.len() as u64,
        sampled_pairs: sample_pairs,
        seed,
        blocked_pairs: candidates.len() as u64,
        patterns: patterns.len() as u64,
        rules_trained,
        em_iterations: iterations + em.iterations,
        em_converged: converged && em.converged,
        match_share: em.lambda,
    };
    (trained, report)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Comparison vectors drawn from known m, u and match share: EM, given
    /// u, recovers m and the share.
    #[test]
    fn em_recovers_known_m_and_u_from_simulated_vectors() {
        let true_m = vec![vec![0.9, 0.07, 0.03], vec![0.8, 0.2], vec![0.95, 0.05]];
        let u = vec![vec![0.01, 0.09, 0.9], vec![0.1, 0.9], vec![0.5, 0.5]];
        let lambda = 0.2;
        let mut rng = Rng::new(7);
        let draw = |rng: &mut Rng, probabilities: &[f64]| -> u8 {
            let x = rng.below(1_000_000) as f64 / 1_000_000.0;
            let mut cumulative = 0.0;
            for (i, p) in probabilities.iter().enumerate() {
                cumulative += p;
                if x < cumulative {
                    return i as u8;
                }
            }
            (probabilities.len() - 1) as u8
        };
        let mut patterns: HashMap<ComparisonVector, f64> = HashMap::default();
        for _ in 0..200_000 {
            let params = if rng.below(1_000_000) < (lambda * 1_000_000.0) as u64 { &true_m } else { &u };
            let mut levels = [NULL_LEVEL; COMPARISONS.len()];
            for (c, p) in params.iter().enumerate() {
                levels[c] = draw(&mut rng, p);
            }
            *patterns.entry(levels).or_insert(0.0) += 1.0;
        }
        let patterns: Vec<(ComparisonVector, f64)> = patterns.into_iter().collect();
        let start = vec![vec![0.5, 0.3, 0.2], vec![0.6, 0.4], vec![0.7, 0.3]];
        let em = expectation_maximisation(&patterns, &u, start, 0.5, 500, true);
        assert!(em.converged);
        assert!((em.lambda - lambda).abs() < 0.01, "lambda {}", em.lambda);
        for (got, want) in em.m.iter().flatten().zip(true_m.iter().flatten()) {
            assert!((got - want).abs() < 0.02, "m {:?} vs {true_m:?}", em.m);
        }
    }
}
