//! Steps that run on the thread pool, or in order when the run has one
//! thread (`--threads 1`): the same results either way.

use std::hash::{BuildHasher, Hash};

use rayon::prelude::*;

use crate::hash::HashMap;

/// The distinct items of `items` in order of first appearance, and for each
/// item the index of its value among them. Hashes are computed in parallel;
/// only the table of first appearances is built in order.
pub fn distinct<T: Copy + Eq + Hash + Sync>(items: &[T], parallel: bool) -> (Vec<T>, Vec<u32>) {
    let hasher = rustc_hash::FxBuildHasher;
    let hashes: Vec<u64> = map_all(items, parallel, |item| hasher.hash_one(item));
    let mut first: HashMap<u64, u32> = HashMap::with_capacity_and_hasher(items.len() / 2, Default::default());
    // Items whose hash an unequal item had first: rare, kept apart.
    let mut colliding: HashMap<T, u32> = HashMap::default();
    let mut values: Vec<T> = Vec::new();
    let slot_of = |item: T, values: &mut Vec<T>| {
        values.push(item);
        (values.len() - 1) as u32
    };
    let slots = items
        .iter()
        .zip(&hashes)
        .map(|(&item, &hash)| {
            let slot = *first.entry(hash).or_insert_with(|| slot_of(item, &mut values));
            if values[slot as usize] == item {
                slot
            } else {
                *colliding.entry(item).or_insert_with(|| slot_of(item, &mut values))
            }
        })
        .collect();
    (values, slots)
}

/// `f` of every item, in order; spread over the thread pool when `parallel`.
pub fn map_all<T: Sync, R: Send>(items: &[T], parallel: bool, f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    if parallel {
        items.par_iter().map(f).collect()
    } else {
        items.iter().map(f).collect()
    }
}

/// Both closures' results; side by side on the thread pool when `parallel`.
pub fn join<A: Send, B: Send>(parallel: bool, a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    if parallel {
        rayon::join(a, b)
    } else {
        (a(), b())
    }
}
