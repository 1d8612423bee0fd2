//! Blocking: only records that share a blocking key are compared, so the
//! work grows with the number of plausible pairs, not with n². Each rule
//! reports its pair count and largest blocks before anything is compared.

use std::collections::HashMap;

use serde::Serialize;

/// What one blocking rule produced.
#[derive(Clone, Debug, Default, Serialize)]
pub struct BlockingStats {
    pub rule: String,
    pub blocks: u64,
    pub candidate_pairs: u64,
    /// Sizes of the largest blocks, largest first (at most five).
    pub largest_blocks: Vec<u64>,
    /// Blocks over `max_block_size`, left uncompared.
    pub skipped_blocks: u64,
    pub skipped_records: u64,
}

/// Groups record indices by key; records whose key is `None` are in no
/// block. Blocks are returned in order of their first record, members in
/// record order, so the pairs come out the same on every run.
pub fn blocks_by_key<'k>(keys: impl Iterator<Item = Option<&'k str>>) -> Vec<Vec<u32>> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut blocks: Vec<Vec<u32>> = Vec::new();
    for (i, key) in keys.enumerate() {
        let Some(key) = key else { continue };
        let slot = *index.entry(key).or_insert_with(|| {
            blocks.push(Vec::new());
            blocks.len() - 1
        });
        blocks[slot].push(i as u32);
    }
    blocks.retain(|b| b.len() > 1);
    blocks
}

/// The candidate pairs of one rule: every pair inside each block of at most
/// `max_block_size` records.
pub fn candidate_pairs(rule: &str, blocks: &[Vec<u32>], max_block_size: usize) -> (Vec<(u32, u32)>, BlockingStats) {
    let mut stats = BlockingStats { rule: rule.to_string(), blocks: blocks.len() as u64, ..BlockingStats::default() };
    let mut sizes: Vec<u64> = blocks.iter().map(|b| b.len() as u64).collect();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    stats.largest_blocks = sizes.into_iter().take(5).collect();
    let mut pairs = Vec::new();
    for block in blocks {
        if block.len() > max_block_size {
            stats.skipped_blocks += 1;
            stats.skipped_records += block.len() as u64;
            continue;
        }
        for (i, &a) in block.iter().enumerate() {
            for &b in &block[i + 1..] {
                pairs.push((a, b));
            }
        }
    }
    stats.candidate_pairs = pairs.len() as u64;
    (pairs, stats)
}
