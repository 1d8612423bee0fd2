//! The fourth stage: finds records of the same person. Two blocking rules
//! make the candidate pairs: the same well-formed citizen ID, and the same
//! full birth date with the same diacritic-free name. Each pair gets
//! Fellegi-Sunter levels and a match weight (all reported). Records sharing
//! an ID are one person when their names agree; other pairs when their
//! weight reaches the match threshold, unless both carry well-formed IDs
//! that are not one typing error apart: two valid different IDs are two
//! people, which is what keeps twins and namesakes apart. The same ID on
//! records whose names disagree is a finding on each of them, not a merge.

pub mod block;
pub mod cluster;
pub mod compare;

use rayon::prelude::*;

use crate::finding::{Code, Finding, Severity};
use crate::normalize::Normalized;
use crate::record::{DatePrecision, Field};
use crate::rules::LinkageSettings;
use block::BlockingStats;
use compare::{ComparisonKeys, ComparisonVector, CITIZEN_ID, COMPARISONS, FULL_NAME, NULL_LEVEL};

/// One compared pair, `a` < `b` by record index.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoredPair {
    pub a: u32,
    pub b: u32,
    pub levels: ComparisonVector,
    pub match_weight: f64,
    pub linked: bool,
}

impl ScoredPair {
    pub fn match_probability(&self) -> f64 {
        let odds = self.match_weight.exp2();
        odds / (1.0 + odds)
    }
}

#[derive(Debug, Default)]
pub struct Linkage {
    /// Cluster number of each record, numbered in order of first record.
    pub cluster: Vec<u32>,
    pub is_primary: Vec<bool>,
    pub persons: u32,
    /// Pairs at or above the review threshold, in record order.
    pub pairs: Vec<ScoredPair>,
    pub pairs_compared: u64,
    pub blocking: Vec<BlockingStats>,
}

/// Links `records`; `id_is_well_formed` says which citizen IDs may identify
/// a person. Adds `DUPLICATE` and `ID_SHARED` findings to the records.
pub fn link(
    records: &mut [Normalized],
    id_is_well_formed: impl Fn(&str) -> bool + Sync,
    settings: &LinkageSettings,
    parallel: bool,
) -> Linkage {
    let keys: Vec<ComparisonKeys> = records
        .iter()
        .map(|r| {
            let id = r.values.get(Field::CitizenId);
            ComparisonKeys {
                name: r.values.get(Field::FullName).into(),
                name_key: r.name_key.clone(),
                birth_date: r.birth_date,
                sex: r.sex,
                citizen_id: if id_is_well_formed(id) { id.into() } else { "".into() },
            }
        })
        .collect();

    let blocks = block::blocks_by_key(keys.iter().map(|k| (!k.citizen_id.is_empty()).then_some(&*k.citizen_id)));
    let (mut candidates, id_stats) = block::candidate_pairs("same citizen_id", &blocks, settings.max_block_size);
    let date_and_name: Vec<Option<String>> = keys
        .iter()
        .map(|k| match k.birth_date {
            Some(date) if date.precision() == DatePrecision::Day && !k.name_key.is_empty() => {
                Some(format!("{date} {}", k.name_key))
            }
            _ => None,
        })
        .collect();
    let blocks = block::blocks_by_key(date_and_name.iter().map(|k| k.as_deref()));
    let (more, date_stats) = block::candidate_pairs("same birth_date and name key", &blocks, settings.max_block_size);
    candidates.extend(more);
    // Rules overlap: a pair is compared once.
    candidates.sort_unstable();
    candidates.dedup();

    let score = |&(a, b): &(u32, u32)| {
        let levels = compare::compare(&keys[a as usize], &keys[b as usize], settings.name_similarity);
        let match_weight = settings.prior_weight
            + levels
                .iter()
                .enumerate()
                .filter(|(_, &level)| level != NULL_LEVEL)
                .map(|(c, &level)| settings.levels[c][level as usize].weight)
                .sum::<f64>();
        let names_agree = levels[FULL_NAME] != NULL_LEVEL && levels[FULL_NAME] <= 2;
        let linked = match levels[CITIZEN_ID] {
            0 => names_agree,
            // Two well-formed IDs more than a typo apart: two people.
            2 => false,
            _ => match_weight >= settings.match_threshold,
        };
        ScoredPair { a, b, levels, match_weight, linked }
    };
    let scored: Vec<ScoredPair> =
        if parallel { candidates.par_iter().map(score).collect() } else { candidates.iter().map(score).collect() };

    let mut sets = cluster::DisjointSets::new(records.len());
    for pair in scored.iter().filter(|p| p.linked) {
        sets.union(pair.a, pair.b);
    }
    let cluster = sets.cluster_numbers();
    let persons = cluster.iter().copied().max().map_or(0, |m| m + 1);

    let is_primary = choose_primaries(records, &cluster, persons);
    let mut primary_of = vec![u32::MAX; persons as usize];
    for (i, (&c, &primary)) in cluster.iter().zip(&is_primary).enumerate() {
        if primary {
            primary_of[c as usize] = i as u32;
        }
    }
    for (i, record) in records.iter_mut().enumerate() {
        let primary = primary_of[cluster[i] as usize];
        if primary != i as u32 {
            let name = record.values.get(Field::FullName).to_string();
            record.findings.push(
                Finding::new(Field::FullName, Code::Duplicate, &name)
                    .with_suggestion(person_id(cluster[primary as usize])),
            );
        }
    }
    let mut shared = vec![false; records.len()];
    let same_id = |p: &&ScoredPair| p.levels[CITIZEN_ID] == 0;
    for pair in scored.iter().filter(same_id).filter(|p| !p.linked && cluster[p.a as usize] != cluster[p.b as usize]) {
        shared[pair.a as usize] = true;
        shared[pair.b as usize] = true;
    }
    for (record, _) in records.iter_mut().zip(&shared).filter(|(_, &s)| s) {
        let id = record.values.get(Field::CitizenId).to_string();
        record.findings.push(Finding::new(Field::CitizenId, Code::IdShared, &id));
    }

    let pairs_compared = scored.len() as u64;
    let pairs = scored.into_iter().filter(|p| p.linked || p.match_weight >= settings.review_threshold).collect();
    Linkage { cluster, is_primary, persons, pairs, pairs_compared, blocking: vec![id_stats, date_stats] }
}

/// The primary record of a cluster is the most valid (fewest error
/// findings), then the most complete as entered (most fields the source gave
/// a value for), then the first in input order.
fn choose_primaries(records: &[Normalized], cluster: &[u32], persons: u32) -> Vec<bool> {
    let mut best: Vec<Option<(usize, u8, u32)>> = vec![None; persons as usize];
    for (i, record) in records.iter().enumerate() {
        let errors = record.findings.iter().filter(|f| f.severity == Severity::Error).count();
        let candidate = (errors, u8::MAX - record.source_fields, i as u32);
        let slot = &mut best[cluster[i] as usize];
        if slot.is_none_or(|current| candidate < current) {
            *slot = Some(candidate);
        }
    }
    let mut is_primary = vec![false; records.len()];
    for (_, _, i) in best.into_iter().flatten() {
        is_primary[i as usize] = true;
    }
    is_primary
}

/// The level name of comparison `c` at `level`, as duplicates.csv writes it.
pub fn level_name(c: usize, level: u8) -> &'static str {
    if level == NULL_LEVEL {
        "null"
    } else {
        COMPARISONS[c].levels[level as usize]
    }
}

/// The `person_id` of a cluster: stable for the same input and rules.
pub fn person_id(cluster: u32) -> String {
    format!("P{:08}", u64::from(cluster) + 1)
}
