//! A person's `person_id` across nights: IDs survive, are minted, or are
//! retired with a pointer to the one that survived them, and are never
//! reused nor renumbered (the way OpenSanctions' resolver and Tamr keep
//! theirs).
//!
//! Tonight's clusters are laid over the IDs the records had in the master:
//!
//! - every known ID goes to the cluster holding most of its records (on a
//!   tie, the cluster of its earliest record): that cluster *claims* it;
//! - a cluster that claims IDs keeps the oldest (the smallest number, as
//!   IDs are minted in increasing order); the others it claims are
//!   *merged* into it and retired;
//! - a cluster that claims none gets a new ID, *minted* from the ledger's
//!   next free number; when some of its records had an ID that went to
//!   another cluster, that person was *split*, and the part with most of
//!   its records kept the ID.

use std::collections::BTreeMap;

/// A person's number; written `P` and at least eight digits.
pub type PersonNumber = u64;

pub fn person_id(number: PersonNumber) -> String {
    format!("P{number:08}")
}

/// The number in a `person_id`, when the text is one.
pub fn parse_person_id(text: &str) -> Option<PersonNumber> {
    let digits = text.strip_prefix('P')?;
    (digits.len() >= 8 && digits.bytes().all(|b| b.is_ascii_digit())).then(|| digits.parse().ok()).flatten()
}

/// What a master keeps about the IDs it has given: the next number to mint,
/// and each retired ID with the ID that survived it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    pub next_free: PersonNumber,
    pub retired: BTreeMap<PersonNumber, PersonNumber>,
}

impl Ledger {
    /// A ledger that has given no ID yet: the first is `P00000001`.
    pub fn new() -> Ledger {
        Ledger { next_free: 1, retired: BTreeMap::new() }
    }

    /// The ID a (possibly retired) ID stands for today, following the
    /// pointers of merges.
    pub fn current(&self, mut number: PersonNumber) -> PersonNumber {
        // Each merge points at an older ID, so the chain ends.
        while let Some(&survivor) = self.retired.get(&number) {
            number = survivor;
        }
        number
    }

    fn mint(&mut self) -> PersonNumber {
        let number = self.next_free;
        self.next_free += 1;
        number
    }
}

/// One change to a person, as `changes.csv` lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PersonChange {
    /// A new person, first seen tonight.
    Minted { person: PersonNumber },
    /// Two known persons are one: `retired` now points at `survivor`.
    Merged { retired: PersonNumber, survivor: PersonNumber },
    /// Some records of `from` are now another person's, `to`.
    Split { from: PersonNumber, to: PersonNumber },
}

impl PersonChange {
    /// The change's word in `changes.csv`.
    pub fn label(self) -> &'static str {
        match self {
            PersonChange::Minted { .. } => "minted",
            PersonChange::Merged { .. } => "merged",
            PersonChange::Split { .. } => "split",
        }
    }

    /// The person the change is about, and the other one it names (the
    /// survivor of a merge, the new person of a split).
    pub fn persons(self) -> (PersonNumber, Option<PersonNumber>) {
        match self {
            PersonChange::Minted { person } => (person, None),
            PersonChange::Merged { retired, survivor } => (retired, Some(survivor)),
            PersonChange::Split { from, to } => (from, Some(to)),
        }
    }
}

/// The person of each cluster, and what changed to get there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonAssignment {
    pub person_of_cluster: Vec<PersonNumber>,
    pub changes: Vec<PersonChange>,
}

/// Gives tonight's clusters their persons. `known[i]` is the ID record `i`
/// had in the master (`None` for a record new tonight), `cluster[i]` its
/// cluster tonight (clusters are numbered `0..clusters`); the ledger mints
/// and records retirements. Depends only on the records' order, the
/// clusters and the known IDs.
pub fn assign_persons(
    known: &[Option<PersonNumber>],
    cluster: &[u32],
    clusters: usize,
    ledger: &mut Ledger,
) -> PersonAssignment {
    debug_assert_eq!(known.len(), cluster.len());
    // Per known ID, per cluster: its records there, and the first of them.
    let mut spread: BTreeMap<PersonNumber, BTreeMap<u32, (usize, usize)>> = BTreeMap::new();
    for (i, (&id, &c)) in known.iter().zip(cluster).enumerate() {
        if let Some(id) = id {
            let entry = spread.entry(id).or_default().entry(c).or_insert((0, i));
            entry.0 += 1;
        }
    }
    let mut claimed: Vec<Vec<PersonNumber>> = vec![Vec::new(); clusters];
    let mut claimant: BTreeMap<PersonNumber, u32> = BTreeMap::new();
    for (&id, places) in &spread {
        let (&winner, _) = places
            .iter()
            .max_by(|(_, (count_a, first_a)), (_, (count_b, first_b))| count_a.cmp(count_b).then(first_b.cmp(first_a)))
            .expect("a known ID has a record");
        claimed[winner as usize].push(id);
        claimant.insert(id, winner);
    }
    let mut person_of_cluster = Vec::with_capacity(clusters);
    let mut changes = Vec::new();
    for (c, ids) in claimed.iter().enumerate() {
        let person = match ids.iter().min() {
            Some(&oldest) => {
                for &other in ids.iter().filter(|&&id| id != oldest) {
                    ledger.retired.insert(other, oldest);
                    changes.push(PersonChange::Merged { retired: other, survivor: oldest });
                }
                oldest
            }
            None => {
                let person = ledger.mint();
                changes.push(PersonChange::Minted { person });
                person
            }
        };
        person_of_cluster.push(person);
        debug_assert_eq!(person_of_cluster.len(), c + 1);
    }
    // Records that left the person they were: the ID stayed with the
    // larger part.
    for (&id, places) in &spread {
        for &c in places.keys() {
            if claimant[&id] != c {
                let to = person_of_cluster[c as usize];
                if to != id {
                    changes.push(PersonChange::Split { from: id, to });
                }
            }
        }
    }
    PersonAssignment { person_of_cluster, changes }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ledger(next_free: PersonNumber) -> Ledger {
        Ledger { next_free, retired: BTreeMap::new() }
    }

    #[test]
    fn a_first_night_mints_one_id_per_cluster_in_order() {
        let mut ledger = Ledger::new();
        let got = assign_persons(&[None, None, None], &[0, 1, 0], 2, &mut ledger);
        assert_eq!(got.person_of_cluster, vec![1, 2]);
        assert_eq!(got.changes, vec![PersonChange::Minted { person: 1 }, PersonChange::Minted { person: 2 }]);
        assert_eq!(ledger.next_free, 3);
        assert_eq!(person_id(1), "P00000001");
        assert_eq!(parse_person_id("P00000001"), Some(1));
        assert_eq!(parse_person_id("P123456789"), Some(123_456_789));
        assert_eq!(parse_person_id("P1"), None);
    }

    #[test]
    fn known_persons_keep_their_ids_and_new_copies_join_them() {
        let mut ledger = ledger(8);
        // Records 0 and 1 were P5 and P7; 2 is a copy of P7, 3 someone new.
        let got = assign_persons(&[Some(5), Some(7), None, None], &[0, 1, 1, 2], 3, &mut ledger);
        assert_eq!(got.person_of_cluster, vec![5, 7, 8]);
        assert_eq!(got.changes, vec![PersonChange::Minted { person: 8 }]);
    }

    #[test]
    fn a_merge_keeps_the_older_id_and_retires_the_other() {
        let mut ledger = ledger(10);
        let got = assign_persons(&[Some(9), Some(4), None], &[0, 0, 0], 1, &mut ledger);
        assert_eq!(got.person_of_cluster, vec![4]);
        assert_eq!(got.changes, vec![PersonChange::Merged { retired: 9, survivor: 4 }]);
        assert_eq!(ledger.current(9), 4);
        assert_eq!(ledger.next_free, 10, "nothing minted, nothing reused");
    }

    #[test]
    fn a_split_leaves_the_id_with_the_larger_part() {
        let mut ledger = ledger(4);
        // P3 had four records; tonight one of them stands apart.
        let got = assign_persons(&[Some(3), Some(3), Some(3), Some(3)], &[0, 1, 1, 1], 2, &mut ledger);
        assert_eq!(got.person_of_cluster, vec![4, 3]);
        assert!(got.changes.contains(&PersonChange::Split { from: 3, to: 4 }));
        // On a tie the part with the earliest record keeps it.
        let got = assign_persons(&[Some(3), Some(3)], &[0, 1], 2, &mut ledger);
        assert_eq!(got.person_of_cluster, vec![3, 5]);
    }

    #[test]
    fn a_chain_of_merges_is_followed_to_the_survivor() {
        let mut ledger = ledger(10);
        assign_persons(&[Some(9), Some(6)], &[0, 0], 1, &mut ledger);
        assign_persons(&[Some(6), Some(2)], &[0, 0], 1, &mut ledger);
        assert_eq!(ledger.current(9), 2);
    }

    proptest! {
        /// Whatever the night brings: every cluster has one person, no two
        /// clusters share one, every minted ID is new, every known ID either
        /// is a cluster's or was retired to one that is.
        #[test]
        fn ids_are_never_shared_reused_or_lost(
            rows in proptest::collection::vec((proptest::option::of(1u64..12), 0u32..8), 1..40),
        ) {
            let known: Vec<Option<u64>> = rows.iter().map(|r| r.0).collect();
            // Clusters numbered in order of first record, as linkage does.
            let mut renumber = BTreeMap::new();
            let cluster: Vec<u32> = rows.iter().map(|r| {
                let next = renumber.len() as u32;
                *renumber.entry(r.1).or_insert(next)
            }).collect();
            let mut ledger = ledger(12);
            let got = assign_persons(&known, &cluster, renumber.len(), &mut ledger);
            let mut persons = got.person_of_cluster.clone();
            persons.sort_unstable();
            persons.dedup();
            prop_assert_eq!(persons.len(), renumber.len());
            for change in &got.changes {
                if let PersonChange::Minted { person } = change {
                    prop_assert!(*person >= 12 && *person < ledger.next_free);
                }
            }
            for id in known.iter().flatten() {
                let today = ledger.current(*id);
                prop_assert!(got.person_of_cluster.contains(&today), "{} → {}", id, today);
            }
        }
    }
}
