//! Blocking: only records that share a blocking key are compared, so the
//! work grows with the number of plausible pairs, not with n². Each rule of
//! `linkage.toml` reports its blocks, its pair count and its largest blocks;
//! a block over the size cap is split on the rule's further key, and what is
//! still too large is skipped and reported, never compared pair by pair.

use std::hash::Hasher;

use rayon::prelude::*;
use serde::Serialize;

use super::compare::ComparisonKeys;
use crate::rules::{BlockKey, BlockingRule};

/// What one blocking rule produced.
#[derive(Clone, Debug, Default, Serialize)]
pub struct BlockingStats {
    pub rule: String,
    pub blocks: u64,
    pub candidate_pairs: u64,
    /// Pairs no earlier rule had found.
    pub new_pairs: u64,
    /// Sizes of the largest blocks before splitting, largest first (at most
    /// five).
    pub largest_blocks: Vec<u64>,
    /// Blocks over the cap that were split on the rule's further key.
    pub split_blocks: u64,
    /// Blocks (or parts of split blocks) still over the cap, left uncompared.
    pub skipped_blocks: u64,
    pub skipped_records: u64,
}

/// Feeds one key of one record to `hasher`; false when the record has no
/// value for it.
fn hash_part(keys: &ComparisonKeys, key: BlockKey, hasher: &mut impl Hasher) -> bool {
    let text = |hasher: &mut dyn Hasher, value: &str| {
        hasher.write(value.as_bytes());
        hasher.write_u8(0x1f);
        !value.is_empty()
    };
    let number = |hasher: &mut dyn Hasher, value: u64| {
        hasher.write_u64(value);
        value != 0
    };
    match key {
        BlockKey::CitizenId => text(hasher, keys.citizen_id),
        BlockKey::BirthDate => match keys.birth_date.filter(|d| d.day.is_some()) {
            Some(d) => number(
                hasher,
                u64::from(d.year) * 10_000 + u64::from(d.month.unwrap_or(0)) * 100 + u64::from(d.day.unwrap_or(0)),
            ),
            None => false,
        },
        BlockKey::BirthYear => keys.birth_date.is_some_and(|d| number(hasher, u64::from(d.year))),
        BlockKey::NameKey => text(hasher, keys.name_key),
        BlockKey::SurnameKey => text(hasher, &keys.surname_key),
        BlockKey::GivenKey => text(hasher, &keys.given_key),
        BlockKey::HouseholdId => text(hasher, keys.household),
        BlockKey::Commune => number(hasher, u64::from(keys.commune)),
        BlockKey::Phone => text(hasher, keys.phone),
        BlockKey::FatherKey => text(hasher, &keys.father_key),
        BlockKey::MotherKey => text(hasher, &keys.mother_key),
    }
}

/// A record's blocking key under `keys`, hashed; `None` when any part is
/// missing. Two keys that collide only merge two blocks: more pairs are
/// compared, none is lost.
fn block_key(record: &ComparisonKeys, keys: &[BlockKey]) -> Option<u64> {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for &key in keys {
        if !hash_part(record, key, &mut hasher) {
            return None;
        }
    }
    Some(hasher.finish())
}

/// Groups record indices by key; records whose key is `None` are in no
/// block. Blocks come in key order, members in record order; the pairs are
/// sorted afterwards, so the order of blocks never reaches an output.
pub fn blocks_by_key(keys: impl Iterator<Item = Option<u64>>) -> Vec<Vec<u32>> {
    let mut keyed: Vec<(u64, u32)> = keys.enumerate().filter_map(|(i, k)| k.map(|k| (k, i as u32))).collect();
    keyed.par_sort_unstable();
    let mut blocks = Vec::new();
    for run in keyed.chunk_by(|x, y| x.0 == y.0) {
        if run.len() > 1 {
            blocks.push(run.iter().map(|&(_, i)| i).collect());
        }
    }
    blocks
}

/// A blocking key as a master keeps it (its keys parts): its low 32 bits.
/// Two keys that share them only make a night read a few more records.
pub fn short_key(key: u64) -> u32 {
    key as u32
}

/// Each record's key under `rule`, hashed.
pub fn rule_keys(rule: &BlockingRule, records: &[ComparisonKeys], parallel: bool) -> Vec<Option<u64>> {
    if parallel {
        records.par_iter().map(|r| block_key(r, &rule.keys)).collect()
    } else {
        records.iter().map(|r| block_key(r, &rule.keys)).collect()
    }
}

/// The candidate pairs of one rule, packed `a << 32 | b` with `a < b`,
/// from the records' `keys` under it.
pub fn rule_pairs(
    rule: &BlockingRule,
    records: &[ComparisonKeys],
    keys: &[Option<u64>],
    max_block_size: usize,
) -> (Vec<u64>, BlockingStats) {
    let blocks = blocks_by_key(keys.iter().copied());
    let mut stats = BlockingStats { rule: rule.name.clone(), blocks: blocks.len() as u64, ..BlockingStats::default() };
    let mut sizes: Vec<u64> = blocks.iter().map(|b| b.len() as u64).collect();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    stats.largest_blocks = sizes.into_iter().take(5).collect();
    let mut pairs = Vec::new();
    let mut emit = |block: &[u32], stats: &mut BlockingStats| {
        if block.len() > max_block_size {
            stats.skipped_blocks += 1;
            stats.skipped_records += block.len() as u64;
            return;
        }
        for (i, &a) in block.iter().enumerate() {
            for &b in &block[i + 1..] {
                pairs.push(u64::from(a) << 32 | u64::from(b));
            }
        }
    };
    for block in &blocks {
        match rule.split_on {
            Some(split) if block.len() > max_block_size => {
                stats.split_blocks += 1;
                let parts = blocks_by_key(block.iter().map(|&i| block_key(&records[i as usize], &[split])));
                for part in parts {
                    let members: Vec<u32> = part.iter().map(|&j| block[j as usize]).collect();
                    emit(&members, &mut stats);
                }
            }
            _ => emit(block, &mut stats),
        }
    }
    stats.candidate_pairs = pairs.len() as u64;
    (pairs, stats)
}

/// The pairs of every rule, each compared once, in record order.
pub struct Candidates {
    pub pairs: Vec<u64>,
    pub stats: Vec<BlockingStats>,
    /// Each record's key under each rule, rule by rule: what a master keeps
    /// so that a night finds the records its batch shares a block with.
    pub keys: Vec<Vec<Option<u64>>>,
}

/// The pairs of every rule, each compared once, in record order.
pub fn candidate_pairs(
    rules: &[BlockingRule],
    records: &[ComparisonKeys],
    max_block_size: usize,
    parallel: bool,
) -> Candidates {
    let mut all: Vec<u64> = Vec::new();
    let mut stats = Vec::new();
    let mut keys = Vec::new();
    for rule in rules {
        let rule_keys = rule_keys(rule, records, parallel);
        let (pairs, mut rule_stats) = rule_pairs(rule, records, &rule_keys, max_block_size);
        keys.push(rule_keys);
        let before = all.len();
        all.extend(pairs);
        if parallel {
            all.par_sort_unstable();
        } else {
            all.sort_unstable();
        }
        all.dedup();
        rule_stats.new_pairs = (all.len() - before) as u64;
        stats.push(rule_stats);
    }
    Candidates { pairs: all, stats, keys }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::PartialDate;

    fn person<'a>(id: &'a str, name: &'a str, year: u16, commune: u32) -> ComparisonKeys<'a> {
        ComparisonKeys {
            citizen_id: id,
            name_key: name,
            birth_date: Some(PartialDate { year, month: Some(1), day: Some(1) }),
            commune,
            ..ComparisonKeys::default()
        }
    }

    #[test]
    fn rules_are_unioned_and_a_pair_is_counted_once() {
        let records = vec![
            person("001085000001", "lan", 1985, 1),
            person("001085000001", "lan", 1985, 1),
            person("", "lan", 1985, 1),
            person("", "mai", 1990, 2),
        ];
        let rules = vec![
            BlockingRule { name: "id".into(), keys: vec![BlockKey::CitizenId], split_on: None },
            BlockingRule {
                name: "date and name".into(),
                keys: vec![BlockKey::BirthDate, BlockKey::NameKey],
                split_on: None,
            },
        ];
        let Candidates { pairs, stats, .. } = candidate_pairs(&rules, &records, 10, false);
        assert_eq!(pairs, vec![1, 2, 1 << 32 | 2]);
        assert_eq!((stats[0].candidate_pairs, stats[0].new_pairs), (1, 1));
        assert_eq!((stats[1].candidate_pairs, stats[1].new_pairs), (3, 2));
    }

    #[test]
    fn a_block_over_the_cap_is_split_or_skipped() {
        let records: Vec<ComparisonKeys> = (0..10).map(|i| person("", "lan", 1980 + (i % 2) as u16, 1)).collect();
        let split =
            BlockingRule { name: "n".into(), keys: vec![BlockKey::NameKey], split_on: Some(BlockKey::BirthYear) };
        let (pairs, stats) = rule_pairs(&split, &records, &rule_keys(&split, &records, false), 5);
        assert_eq!((pairs.len(), stats.split_blocks, stats.skipped_blocks), (20, 1, 0));
        let skip = BlockingRule { split_on: None, ..split };
        let (pairs, stats) = rule_pairs(&skip, &records, &rule_keys(&skip, &records, false), 5);
        assert_eq!((pairs.len(), stats.skipped_blocks, stats.skipped_records), (0, 1, 10));
    }
}
