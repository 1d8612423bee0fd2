//! The hash maps every stage uses: keyed by names, addresses and IDs
//! millions of times a run, so hashed with FxHash rather than SipHash.
//! The input is the operator's own extract, not an adversary's, and no
//! output depends on a map's iteration order.

pub type HashMap<K, V> = rustc_hash::FxHashMap<K, V>;
pub type HashSet<T> = rustc_hash::FxHashSet<T>;
