//! The fourth stage: finds records of the same person, in the vocabulary of
//! record linkage. Blocking rules from `linkage.toml` make the candidate
//! pairs; every pair gets a level per comparison and a Fellegi-Sunter match
//! weight from the model's m and u (the exact name levels adjusted for how
//! common the name is); pairs at or over the match threshold are linked and
//! the records clustered, with guards that keep apart records known to be
//! different people: two valid IDs that are not one typing error apart,
//! twins (same parents and birth date, other given names), siblings (same
//! parents, other names), a parent and a child. The same ID on records that are not linked is a finding on each.

pub mod block;
pub mod cluster;
pub mod compare;
pub mod frequency;
pub mod train;

use rayon::prelude::*;

use crate::decisions::Verdict;
use crate::finding::{Code, Finding, Severity};
use crate::normalize::Normalized;
use crate::record::Field;
use crate::rules::LinkageSettings;
use crate::text::fold_words;
use block::BlockingStats;
use compare::{
    ComparisonKeys, ComparisonVector, BIRTH_DATE, CITIZEN_ID, COMPARISONS, FATHER_NAME, FULL_NAME, MOTHER_NAME,
    NAME_AGREES, NAME_ELSE, NAME_EXACT_LEVELS, NULL_LEVEL,
};
use frequency::NameFrequencies;

/// The first `birth_date` level that no typing error explains: the same
/// year with another month and day, or another year.
const DATES_APART: u8 = 4;

/// How far the name's frequency may move the weight of an exact name level,
/// below and above the model's average.
const TF_RANGE: (f64, f64) = (-12.0, 6.0);

/// One compared pair, `a` < `b` by record index.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoredPair {
    pub a: u32,
    pub b: u32,
    pub levels: ComparisonVector,
    pub match_weight: f64,
    pub linked: bool,
    /// Set when the records are known to be different people.
    pub distinct: Option<Distinct>,
    /// What a clerk decided of the pair, when they did.
    pub reviewed: Option<Verdict>,
}

impl ScoredPair {
    /// What duplicates.csv says of the pair: `match` (linked into one
    /// person), `distinct` (kept apart by a guard), or `review` (for a
    /// clerk to decide).
    pub fn decision(&self) -> &'static str {
        match (self.linked, self.distinct) {
            (true, _) => "match",
            (false, Some(_)) => "distinct",
            (false, None) => "review",
        }
    }

    pub fn match_probability(&self) -> f64 {
        probability(self.match_weight)
    }
}

pub fn probability(match_weight: f64) -> f64 {
    let odds = match_weight.exp2();
    odds / (1.0 + odds)
}

/// Why two records are never one person, whatever their weight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Distinct {
    /// Two well-formed IDs that are not one typing error apart.
    DifferentIds,
    /// Same parents and birth date, other given names.
    Twins,
    /// Same parents, names that do not match at all.
    Siblings,
    /// One record's name is the other's father's or mother's.
    ParentAndChild,
    /// Full birth dates further apart than a typing error, a swap or a
    /// loss of precision explain, and no shared ID saying otherwise.
    BirthDates,
    /// A clerk decided they are two people.
    Decided,
}

impl Distinct {
    pub fn label(self) -> &'static str {
        match self {
            Distinct::DifferentIds => "different citizen IDs",
            Distinct::Twins => "twins: same parents and birth date, other names",
            Distinct::Siblings => "siblings: same parents, other names",
            Distinct::ParentAndChild => "parent and child",
            Distinct::BirthDates => "birth dates too far apart for a typing error",
            Distinct::Decided => "a clerk decided: two people",
        }
    }
}

#[derive(Debug, Default)]
pub struct Linkage {
    /// Cluster number of each record, numbered in order of first record.
    pub cluster: Vec<u32>,
    pub is_primary: Vec<bool>,
    pub persons: u32,
    /// Pairs linked or at or above the review threshold, in record order.
    pub pairs: Vec<ScoredPair>,
    /// The weight each comparison added to each of `pairs`.
    pub pair_weights: Vec<[f64; COMPARISONS.len()]>,
    pub pairs_compared: u64,
    pub blocking: Vec<BlockingStats>,
    /// Each record's key under each blocking rule, rule by rule, as a
    /// master keeps it (its low 32 bits, `master::store::short_key`).
    pub block_keys: Vec<Vec<Option<u32>>>,
    /// Linked pairs whose clusters were kept apart because they would have
    /// joined two valid, different IDs.
    pub merges_refused: u64,
    /// What the clerks' decisions did.
    pub decided: DecidedCounts,
}

/// How the clerks' decisions in force met tonight's records.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecidedCounts {
    /// `same` pairs clustered together.
    pub same: u64,
    /// `different` pairs: their records are in two clusters.
    pub different: u64,
    /// `unsure` pairs, left in review.
    pub unsure: u64,
    /// `same` pairs kept apart because joining them would have put two
    /// records decided `different` in one cluster.
    pub same_refused: u64,
}

/// A pair a clerk decided, by record index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecidedPair {
    pub a: u32,
    pub b: u32,
    pub verdict: Verdict,
}

/// The comparison keys and name frequencies of a batch, and how to score a
/// pair of it.
pub struct Scorer<'a> {
    pub keys: Vec<ComparisonKeys<'a>>,
    /// Each record's name frequency.
    pub name_frequency: Vec<f64>,
    pub settings: &'a LinkageSettings,
}

impl<'a> Scorer<'a> {
    pub fn new(
        records: &'a [Normalized],
        id_is_well_formed: impl Fn(&str) -> bool + Sync,
        settings: &'a LinkageSettings,
        frequencies: &NameFrequencies,
        parallel: bool,
    ) -> Scorer<'a> {
        let build = |r: &'a Normalized| {
            let v = &r.values;
            let id = v.get(Field::CitizenId);
            let code = |field: Field| v.get(field).parse::<u32>().unwrap_or(0);
            let surname_key = fold_words(v.get(Field::Surname));
            let middle_key = fold_words(v.get(Field::MiddleName));
            let given_key = fold_words(v.get(Field::GivenName));
            let frequency = frequencies.of_name(&surname_key, &middle_key, &given_key);
            let keys = ComparisonKeys {
                name: v.get(Field::FullName),
                name_key: &r.name_key,
                surname_key: surname_key.into(),
                given_key: given_key.into(),
                birth_date: r.birth_date,
                sex: r.sex,
                citizen_id: if id_is_well_formed(id) { id } else { "" },
                citizen_id_consistent: !r.findings.iter().any(|f| f.field == Field::CitizenId && f.code.is_id_damage()),
                old_id: v.get(Field::OldId),
                father_key: fold_words(v.get(Field::FatherName)).into(),
                mother_key: fold_words(v.get(Field::MotherName)).into(),
                commune: code(Field::CommuneCode),
                old_commune: code(Field::OldCommuneCode),
                old_district: code(Field::OldDistrictCode),
                phone: v.get(Field::Phone),
                household: v.get(Field::HouseholdId),
            };
            (keys, frequency)
        };
        let (keys, population): (Vec<ComparisonKeys>, Vec<f64>) =
            if parallel { records.par_iter().map(build).unzip() } else { records.iter().map(build).unzip() };
        let name_keys: Vec<&str> = keys.iter().map(|k| k.name_key).collect();
        let name_frequency = frequency::name_frequencies(&population, &name_keys, frequencies.population(), parallel);
        Scorer { keys, name_frequency, settings }
    }

    /// The levels of a pair and the weight each comparison adds.
    pub fn weights(&self, a: usize, b: usize) -> (ComparisonVector, [f64; COMPARISONS.len()]) {
        let levels = compare::compare(&self.keys[a], &self.keys[b]);
        let mut weights = [0.0; COMPARISONS.len()];
        for (c, &level) in levels.iter().enumerate() {
            if level == NULL_LEVEL {
                continue;
            }
            let parameters = &self.settings.levels[c][level as usize];
            weights[c] = if c == FULL_NAME && level < NAME_EXACT_LEVELS {
                let frequency = self.name_frequency[a].max(self.name_frequency[b]).max(1e-15);
                (parameters.m / frequency).log2().clamp(parameters.weight + TF_RANGE.0, parameters.weight + TF_RANGE.1)
            } else {
                parameters.weight
            };
        }
        (levels, weights)
    }

    /// Whether two records are known to be different people.
    pub fn distinct(&self, a: usize, b: usize, levels: &ComparisonVector) -> Option<Distinct> {
        let (x, y) = (&self.keys[a], &self.keys[b]);
        if levels[CITIZEN_ID] == 3 {
            return Some(Distinct::DifferentIds);
        }
        // No parent's name disagrees and at least one agrees.
        let agrees_or_unknown = |level: u8| level == 0 || level == NULL_LEVEL;
        let same_parents = agrees_or_unknown(levels[FATHER_NAME])
            && agrees_or_unknown(levels[MOTHER_NAME])
            && (levels[FATHER_NAME] == 0 || levels[MOTHER_NAME] == 0);
        let same_id = levels[CITIZEN_ID] == 0;
        // Children of the same parents with names nothing like each other
        // are siblings, even where a clerk gave them one ID; but one ID and
        // one birth date under a garbled name are one person.
        if same_parents && levels[FULL_NAME] == NAME_ELSE && !(same_id && levels[BIRTH_DATE] <= 1) {
            return Some(Distinct::Siblings);
        }
        if same_parents && levels[BIRTH_DATE] == 0 && !same_id && other_given_names(x, y, levels[FULL_NAME]) {
            return Some(Distinct::Twins);
        }
        // A son named after his father is his own record's father's name:
        // two copies of him have the same parents, a father and son do not.
        let parent_of = |p: &ComparisonKeys, c: &ComparisonKeys| {
            !p.name_key.is_empty()
                && (p.name_key == &*c.father_key || p.name_key == &*c.mother_key)
                && (p.father_key != c.father_key || p.mother_key != c.mother_key)
        };
        if parent_of(x, y) || parent_of(y, x) {
            return Some(Distinct::ParentAndChild);
        }
        // Siblings named alike (`Nguyễn Văn An` born 1990 and 1994 in one
        // household) and namesakes: their full dates differ by more than
        // one slip. One ID consistent with both records says one person.
        let full_dates = |k: &ComparisonKeys| k.birth_date.is_some_and(|d| d.day.is_some());
        let one_valid_id = same_id && x.citizen_id_consistent && y.citizen_id_consistent;
        if full_dates(x) && full_dates(y) && levels[BIRTH_DATE] >= DATES_APART && !one_valid_id {
            return Some(Distinct::BirthDates);
        }
        None
    }

    pub fn score(&self, a: u32, b: u32) -> ScoredPair {
        let (levels, weights) = self.weights(a as usize, b as usize);
        let match_weight = self.settings.prior_weight + weights.iter().sum::<f64>();
        let distinct = self.distinct(a as usize, b as usize, &levels);
        let same_id = levels[CITIZEN_ID] == 0;
        // Names with nothing in common (a garbled copy, a twin), or a name
        // missing on one side, link only under one ID or one typing error
        // apart: family members share a date, an address and a phone,
        // never a name.
        let names_allow = !matches!(levels[FULL_NAME], NAME_ELSE | NULL_LEVEL) || levels[CITIZEN_ID] <= 2;
        let linked = distinct.is_none()
            && names_allow
            && (match_weight >= self.settings.match_threshold
                || (same_id && levels[FULL_NAME] != NULL_LEVEL && levels[FULL_NAME] <= NAME_AGREES));
        ScoredPair { a, b, levels, match_weight, linked, distinct, reviewed: None }
    }
}

/// Whether two names sharing parents and a birth date are two children's:
/// given names two or more edits apart; the same letters with other
/// diacritics where both are written with them (`Hùng`, `Hưng`); or one
/// letter apart without diacritics but two apart with them (`Hùng`, `Dũng`).
/// One edit in the written name is taken for a clerk's slip (`Phượng`,
/// `Phợng`).
fn other_given_names(x: &ComparisonKeys, y: &ComparisonKeys, name_level: u8) -> bool {
    let marked = !x.name.is_ascii() && !y.name.is_ascii();
    match name_level {
        0 | NULL_LEVEL => false,
        1 => marked,
        _ => match crate::text::edit_distance_within(&x.given_key, &y.given_key, 1) {
            Some(0) => false,
            Some(_) => marked && char_edit_distance(&written_given(x), &written_given(y)) >= 2,
            _ => true,
        },
    }
}

/// The given name as written, lower case: the last words of the display
/// name, as many as the given name key has.
fn written_given(keys: &ComparisonKeys) -> String {
    let count = keys.given_key.split(' ').count();
    let words: Vec<&str> = keys.name.split(' ').collect();
    words[words.len().saturating_sub(count)..].join(" ").to_lowercase()
}

/// Edit distance over characters (marked Vietnamese letters are one each),
/// two neighbours swapped counting as one edit: `Hnồg` is `Hồng` with a
/// slip, not a twin's name.
fn char_edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut before_previous: Vec<usize> = Vec::new();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, &x) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, &y) in b.iter().enumerate() {
            current[j + 1] = (previous[j] + usize::from(x != y)).min(previous[j + 1] + 1).min(current[j] + 1);
            if i > 0 && j > 0 && x == b[j - 1] && a[i - 1] == y {
                current[j + 1] = current[j + 1].min(before_previous[j - 1] + 1);
            }
        }
        before_previous = std::mem::replace(&mut previous, current);
    }
    previous[b.len()]
}

/// Links `records`; `id_is_well_formed` says which citizen IDs may identify
/// a person; `decided` are the pairs clerks decided (`same`: linked whatever
/// their weight or the guards say; `different`: never in one cluster, by
/// any chain; `unsure`: as the model says, kept in review). Adds
/// `DUPLICATE` and `ID_SHARED` findings to the records.
pub fn link(
    records: &mut [Normalized],
    id_is_well_formed: impl Fn(&str) -> bool + Sync,
    settings: &LinkageSettings,
    frequencies: &NameFrequencies,
    decided: &[DecidedPair],
    parallel: bool,
) -> Linkage {
    let scorer = Scorer::new(records, id_is_well_formed, settings, frequencies, parallel);
    let block::Candidates { pairs: mut candidates, stats: blocking, keys } =
        block::candidate_pairs(&settings.blocking, &scorer.keys, settings.max_block_size, parallel);
    let short = |keys: Vec<Option<u64>>| keys.into_iter().map(|k| k.map(block::short_key)).collect();
    let block_keys: Vec<Vec<Option<u32>>> = keys.into_iter().map(short).collect();
    // A decided pair is scored (and listed) whether or not a blocking rule
    // proposed it.
    let pair_key = |a: u32, b: u32| (u64::from(a.min(b)) << 32) | u64::from(a.max(b));
    let verdict_of: crate::hash::HashMap<u64, Verdict> =
        decided.iter().filter(|d| d.a != d.b).map(|d| (pair_key(d.a, d.b), d.verdict)).collect();
    if !verdict_of.is_empty() {
        candidates.extend(verdict_of.keys());
        candidates.sort_unstable();
        candidates.dedup();
    }
    let score = |&pair: &u64| {
        let mut scored = scorer.score((pair >> 32) as u32, pair as u32);
        if let Some(&verdict) = verdict_of.get(&pair) {
            scored.reviewed = Some(verdict);
            match verdict {
                Verdict::Same => (scored.linked, scored.distinct) = (true, None),
                Verdict::Different => (scored.linked, scored.distinct) = (false, Some(Distinct::Decided)),
                Verdict::Unsure | Verdict::Undo => {}
            }
        }
        scored
    };
    let scored: Vec<ScoredPair> =
        if parallel { candidates.par_iter().map(score).collect() } else { candidates.iter().map(score).collect() };
    drop(candidates);

    let (cluster, merges_refused, same_refused) = cluster_guarded(&scorer, &scored, records.len());
    let mut decided = DecidedCounts { same_refused, ..DecidedCounts::default() };
    if !verdict_of.is_empty() {
        for pair in &scored {
            match pair.reviewed {
                Some(Verdict::Same) => decided.same += 1,
                Some(Verdict::Different) => decided.different += 1,
                Some(Verdict::Unsure) => decided.unsure += 1,
                Some(Verdict::Undo) | None => {}
            }
        }
    }
    decided.same -= same_refused;
    let persons = cluster.iter().copied().max().map_or(0, |m| m + 1);
    let is_primary = choose_primaries(records, &cluster, persons);

    let mut shared = vec![false; records.len()];
    let same_id = |p: &&ScoredPair| p.levels[CITIZEN_ID] == 0;
    for pair in scored.iter().filter(same_id).filter(|p| cluster[p.a as usize] != cluster[p.b as usize]) {
        shared[pair.a as usize] = true;
        shared[pair.b as usize] = true;
    }
    let pairs_compared = scored.len() as u64;
    // A pair is linked in the output only if its records ended in one
    // cluster: a merge a guard refused goes to review.
    let pairs: Vec<ScoredPair> = scored
        .into_iter()
        .map(|mut p| {
            p.linked &= cluster[p.a as usize] == cluster[p.b as usize];
            p
        })
        .filter(|p| p.linked || p.match_weight >= settings.review_threshold || p.reviewed.is_some())
        .collect();
    let pair_weights = crate::parallel::map_all(&pairs, parallel, |p| scorer.weights(p.a as usize, p.b as usize).1);
    // The keys borrow the records, which take their findings from here on.
    drop(scorer);

    let mut primary_of = vec![u32::MAX; persons as usize];
    for (i, (&c, &primary)) in cluster.iter().zip(&is_primary).enumerate() {
        if primary {
            primary_of[c as usize] = i as u32;
        }
    }
    for (i, record) in records.iter_mut().enumerate() {
        let primary = primary_of[cluster[i] as usize];
        if primary != i as u32 {
            // The person's ID, which the suggestion names, is given once
            // the clusters are laid over the known persons (`identity`).
            let name = record.values.get(Field::FullName).to_string();
            record.findings.push(Finding::new(Field::FullName, Code::Duplicate, &name));
        }
    }
    for (record, _) in records.iter_mut().zip(&shared).filter(|(_, &s)| s) {
        let id = record.values.get(Field::CitizenId).to_string();
        record.findings.push(Finding::new(Field::CitizenId, Code::IdShared, &id));
    }
    Linkage {
        cluster,
        is_primary,
        persons,
        pairs,
        pair_weights,
        pairs_compared,
        blocking,
        block_keys,
        merges_refused,
        decided,
    }
}

/// Connected components of the linked pairs: the pairs clerks decided
/// `same` first, then the others strongest first, with two guards against
/// chaining. Two clusters whose records carry valid IDs that are not one
/// typing error apart are never joined by a pair the model linked (a clerk's
/// `same` overrules it); two clusters holding a pair decided `different`
/// are never joined by any pair. Returns the cluster numbers, the merges the
/// ID guard refused and the `same` pairs the decisions refused.
fn cluster_guarded(scorer: &Scorer, scored: &[ScoredPair], n: usize) -> (Vec<u32>, u64, u64) {
    let is_same = |p: &ScoredPair| p.reviewed == Some(Verdict::Same);
    let mut order: Vec<usize> = (0..scored.len()).filter(|&i| scored[i].linked).collect();
    order.sort_by(|&x, &y| {
        let (p, q) = (&scored[x], &scored[y]);
        is_same(q).cmp(&is_same(p)).then(q.match_weight.total_cmp(&p.match_weight)).then((p.a, p.b).cmp(&(q.a, q.b)))
    });
    let mut sets = cluster::DisjointSets::new(n);
    // The valid IDs each cluster root holds (few: usually one).
    let mut ids: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (i, key) in scorer.keys.iter().enumerate() {
        if !key.citizen_id.is_empty() && key.citizen_id_consistent {
            ids[i].push(i as u32);
        }
    }
    // The records each cluster root's records were decided different from
    // (few roots have any).
    let mut apart: crate::hash::HashMap<u32, Vec<u32>> = crate::hash::HashMap::default();
    for pair in scored.iter().filter(|p| p.reviewed == Some(Verdict::Different)) {
        apart.entry(pair.a).or_default().push(pair.b);
        apart.entry(pair.b).or_default().push(pair.a);
    }
    let conflict = |x: &[u32], y: &[u32]| {
        x.iter().any(|&i| {
            y.iter().any(|&j| {
                let (a, b) = (&scorer.keys[i as usize].citizen_id, &scorer.keys[j as usize].citizen_id);
                a != b && compare::id_typo(a, b).is_none()
            })
        })
    };
    let (mut refused, mut same_refused) = (0, 0);
    for &i in &order {
        let (ra, rb) = (sets.find(scored[i].a), sets.find(scored[i].b));
        if ra == rb {
            continue;
        }
        let listed = |root: u32| apart.get(&root).map_or(0, Vec::len);
        let (fewer, other_root) = if listed(ra) <= listed(rb) { (ra, rb) } else { (rb, ra) };
        let decided_apart = apart.get(&fewer).is_some_and(|list| list.iter().any(|&r| sets.find(r) == other_root));
        if decided_apart {
            if is_same(&scored[i]) {
                same_refused += 1;
            } else {
                refused += 1;
            }
            continue;
        }
        if !is_same(&scored[i]) && conflict(&ids[ra as usize], &ids[rb as usize]) {
            refused += 1;
            continue;
        }
        let root = sets.union(ra, rb);
        let other = if root == ra { rb } else { ra };
        if let Some(moved) = apart.remove(&other) {
            apart.entry(root).or_default().extend(moved);
        }
        let moved = std::mem::take(&mut ids[other as usize]);
        // One record per distinct ID is enough to test conflicts.
        for id in moved {
            let holder = &scorer.keys[id as usize].citizen_id;
            if !ids[root as usize].iter().any(|&k| scorer.keys[k as usize].citizen_id == *holder) {
                ids[root as usize].push(id);
            }
        }
    }
    (sets.cluster_numbers(), refused, same_refused)
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

/// The waterfall of one pair: each comparison's level and weight, the
/// running total from the prior, and the decision, as `--explain` prints it.
pub fn explain(scorer: &Scorer, a: usize, b: usize) -> String {
    use std::fmt::Write;
    let settings = scorer.settings;
    let (levels, weights) = scorer.weights(a, b);
    let mut text = String::new();
    let mut total = settings.prior_weight;
    let _ = writeln!(text, "{:<14} {:<18} {:>9} {:>9} {:>8} {:>8}", "comparison", "level", "m", "u", "weight", "total");
    let _ = writeln!(text, "{:<14} {:<18} {:>9} {:>9} {:>8.2} {:>8.2}", "prior", "", "", "", total, total);
    for (c, comparison) in COMPARISONS.iter().enumerate() {
        total += weights[c];
        let (m, u) = match levels[c] {
            NULL_LEVEL => (String::new(), String::new()),
            l => {
                let p = &settings.levels[c][l as usize];
                // Small probabilities (most u) in scientific notation.
                let show = |x: f64| if x < 0.001 { format!("{x:.2e}") } else { format!("{x:.5}") };
                (show(p.m), show(p.u))
            }
        };
        let _ = writeln!(
            text,
            "{:<14} {:<18} {:>9} {:>9} {:>8.2} {:>8.2}",
            comparison.name,
            level_name(c, levels[c]),
            m,
            u,
            weights[c],
            total
        );
    }
    let pair = scorer.score(a as u32, b as u32);
    let decision = match scorer.distinct(a, b, &levels) {
        Some(reason) => format!("distinct ({})", reason.label()),
        None if pair.linked => "match".to_string(),
        None if pair.match_weight >= settings.review_threshold => "review".to_string(),
        None => "no match".to_string(),
    };
    let _ = writeln!(
        text,
        "match weight {:.2}, probability {:.6}; match threshold {:.2}, review threshold {:.2}: {decision}",
        pair.match_weight,
        pair.match_probability(),
        settings.match_threshold,
        settings.review_threshold
    );
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{FieldValuesBuilder, PartialDate, Sex};
    use crate::rules::{RuleSource, Rules};

    #[test]
    fn two_neighbours_swapped_are_one_edit_of_a_written_given_name() {
        assert_eq!(char_edit_distance("hồng", "hnồg"), 1);
        assert_eq!(char_edit_distance("hùng", "dũng"), 2);
        assert_eq!(char_edit_distance("hoa", "hảo"), 2);
        assert_eq!(char_edit_distance("", "an"), 2);
    }

    /// A record as normalisation leaves it: `name` is "Surname Middle Given".
    fn person(name: &str, born: (u16, u8, u8), id: &str, father: &str, mother: &str) -> Normalized {
        let words: Vec<&str> = name.split(' ').collect();
        let mut values = FieldValuesBuilder::default();
        values.set(Field::FullName, name);
        values.set(Field::Surname, words[0]);
        values.set(Field::MiddleName, words[1..words.len() - 1].join(" "));
        values.set(Field::GivenName, words[words.len() - 1]);
        values.set(Field::CitizenId, id);
        values.set(Field::FatherName, father);
        values.set(Field::MotherName, mother);
        values.set(Field::CommuneCode, "00004");
        values.set(Field::Phone, "0912345678");
        values.set(Field::HouseholdId, "H1");
        Normalized {
            values: values.build(),
            birth_date: Some(PartialDate { year: born.0, month: Some(born.1), day: Some(born.2) }),
            sex: Some(Sex::Male),
            name_key: fold_words(name).into(),
            source_fields: 8,
            findings: Vec::new(),
            internal_error: None,
            repaired_extras: None,
        }
    }

    fn clusters(records: &mut [Normalized]) -> Vec<u32> {
        let rules = Rules::load(&RuleSource::BuiltIn, None).unwrap();
        let frequencies = NameFrequencies::from_rules(&rules);
        let well_formed = |id: &str| id.len() == 12 && id.starts_with("001");
        let sequential = link(&mut records.to_vec(), well_formed, &rules.linkage, &frequencies, &[], false);
        let parallel = link(records, well_formed, &rules.linkage, &frequencies, &[], true);
        assert_eq!(sequential.cluster, parallel.cluster, "sequential and parallel paths agree");
        parallel.cluster
    }

    fn link_decided(records: &mut [Normalized], decided: &[DecidedPair]) -> Linkage {
        let rules = Rules::load(&RuleSource::BuiltIn, None).unwrap();
        let frequencies = NameFrequencies::from_rules(&rules);
        let well_formed = |id: &str| id.len() == 12 && id.starts_with("001");
        let sequential = link(&mut records.to_vec(), well_formed, &rules.linkage, &frequencies, decided, false);
        let parallel = link(records, well_formed, &rules.linkage, &frequencies, decided, true);
        assert_eq!(sequential.cluster, parallel.cluster, "sequential and parallel paths agree");
        parallel
    }

    fn decided(a: u32, b: u32, verdict: Verdict) -> DecidedPair {
        DecidedPair { a, b, verdict }
    }

    #[test]
    fn a_pair_decided_different_is_never_joined_by_a_chain() {
        // Three copies of one person: 0-1 and 1-2 link on their own.
        let copies = || {
            vec![
                person("Lê Văn Hùng", (1985, 3, 7), "001085000123", "Lê Văn Ba", "Trần Thị Tư"),
                person("Le Van Hung", (1985, 3, 7), "", "Lê Văn Ba", "Trần Thị Tư"),
                person("Lê Văn Hùngg", (1985, 7, 3), "001085000123", "Lê Văn Ba", "Trần Thị Tư"),
            ]
        };
        assert_eq!(link_decided(&mut copies(), &[]).cluster, [0, 0, 0], "the chain joins all three");
        let linkage = link_decided(&mut copies(), &[decided(2, 0, Verdict::Different)]);
        assert_ne!(linkage.cluster[0], linkage.cluster[2], "no chain through record 1 joins 0 and 2");
        assert_eq!(linkage.decided.different, 1);
        let pair = linkage.pairs.iter().find(|p| (p.a, p.b) == (0, 2)).expect("the decided pair is listed");
        assert_eq!((pair.decision(), pair.reviewed), ("distinct", Some(Verdict::Different)));
    }

    #[test]
    fn a_pair_decided_same_is_joined_whatever_its_weight_unless_a_different_pair_forbids_it() {
        // Two records nothing links (other names, dates and IDs).
        let strangers = || {
            vec![
                person("Lê Văn Hùng", (1985, 3, 7), "001085000123", "Lê Văn Ba", "Trần Thị Tư"),
                person("Phạm Thị Lan", (1990, 11, 20), "001190000456", "Phạm Văn Sơn", "Đỗ Thị Hoa"),
                person("Lê Văn Hùng", (1985, 3, 7), "001085000123", "Lê Văn Ba", "Trần Thị Tư"),
            ]
        };
        let apart = link_decided(&mut strangers(), &[]);
        assert_ne!(apart.cluster[0], apart.cluster[1]);
        let joined = link_decided(&mut strangers(), &[decided(0, 1, Verdict::Same)]);
        assert_eq!(joined.cluster[0], joined.cluster[1], "a clerk's same overrules the weight and the ID guard");
        assert_eq!((joined.decided.same, joined.decided.same_refused), (1, 0));
        // Record 2 is record 0's copy; a clerk said 1 and 2 are different,
        // so 0-1 cannot be joined without joining 1 and 2.
        let refused =
            link_decided(&mut strangers(), &[decided(0, 1, Verdict::Same), decided(1, 2, Verdict::Different)]);
        assert_ne!(refused.cluster[1], refused.cluster[2]);
        assert_eq!(refused.decided.different, 1);
        assert_eq!(refused.decided.same + refused.decided.same_refused, 1);
        let unsure = link_decided(&mut strangers(), &[decided(0, 1, Verdict::Unsure)]);
        assert_eq!(unsure.cluster, apart.cluster, "unsure changes no cluster");
        let pair = unsure.pairs.iter().find(|p| (p.a, p.b) == (0, 1)).expect("an unsure pair stays listed");
        assert_eq!(pair.reviewed, Some(Verdict::Unsure));
        assert_eq!(pair.decision(), "distinct", "the model's own decision (two valid IDs) stands");
    }

    #[test]
    fn copies_of_one_person_are_linked_through_typos() {
        let mut records = vec![
            person("Lê Văn Hùng", (1985, 3, 7), "001085000123", "Lê Văn Ba", "Trần Thị Tư"),
            person("Le Van Hung", (1985, 3, 7), "", "Lê Văn Ba", "Trần Thị Tư"),
            person("Lê Văn Hùngg", (1985, 7, 3), "001085000123", "Lê Văn Ba", "Trần Thị Tư"),
        ];
        assert_eq!(clusters(&mut records), [0, 0, 0]);
    }

    #[test]
    fn twins_siblings_and_a_father_and_son_of_one_name_stay_apart() {
        let mut records = vec![
            // Twins: same parents and birth date, names one letter apart
            // folded, two apart as written.
            person("Lò Văn Hùng", (2001, 9, 3), "", "Lò Văn Pâng", "Hà Thị Mai"),
            person("Lò Văn Dũng", (2001, 9, 3), "", "Lò Văn Pâng", "Hà Thị Mai"),
            // Brothers a clerk gave one ID.
            person("Trần Văn Chín", (1980, 1, 1), "001080005003", "Trần Văn Bảy", "Trần Thị Tám"),
            person("Trần Văn Mười", (1983, 1, 1), "001080005003", "Trần Văn Bảy", "Trần Thị Tám"),
            // A son named after his father.
            person("Hoàng Phát Minh", (1946, 1, 21), "", "Hoàng Văn Cả", ""),
            person("Hoàng Phát Minh", (1985, 7, 22), "", "Hoàng Phát Minh", "Nguyễn Thị Hương"),
        ];
        let cluster = clusters(&mut records);
        assert_ne!(cluster[0], cluster[1], "twins");
        assert_ne!(cluster[2], cluster[3], "siblings sharing an ID");
        assert_ne!(cluster[4], cluster[5], "father and son");
        assert!(records[2].findings.iter().any(|f| f.code == Code::IdShared));
    }

    #[test]
    fn siblings_of_one_name_born_years_apart_stay_apart() {
        // Two children of one household both called An, four years apart.
        let mut records = vec![
            person("Nguyễn Văn An", (1990, 5, 5), "", "Nguyễn Văn Bình", "Lê Thị Cúc"),
            person("Nguyễn Văn An", (1994, 8, 12), "", "Nguyễn Văn Bình", "Lê Thị Cúc"),
            // A copy of the first with the year's digits swapped: a typo.
            person("Nguyễn Văn An", (1909, 5, 5), "", "Nguyễn Văn Bình", "Lê Thị Cúc"),
        ];
        let cluster = clusters(&mut records);
        assert_ne!(cluster[0], cluster[1]);
        assert_eq!(cluster[0], cluster[2]);
    }

    #[test]
    fn a_copy_whose_id_disagrees_with_its_record_is_no_evidence_against_it() {
        let mut records = vec![
            person("Trần Thị Hoa", (1985, 3, 7), "001185000123", "Trần Văn Bảy", "Lê Thị Tám"),
            // The copy's ID has the wrong year digits: validation says so,
            // and the ID is then no proof of another person.
            person("Trần Thị Hoa", (1985, 3, 7), "001175000999", "Trần Văn Bảy", "Lê Thị Tám"),
        ];
        records[1].findings.push(Finding::new(Field::CitizenId, Code::IdYearMismatch, "001175000999"));
        let cluster = clusters(&mut records);
        assert_eq!(cluster[0], cluster[1]);
        // Without the finding, two valid different IDs are two people.
        records[1].findings.clear();
        let cluster = clusters(&mut records);
        assert_ne!(cluster[0], cluster[1]);
    }

    #[test]
    fn a_chain_never_joins_two_valid_different_ids() {
        // B, without an ID, matches both A and C; A and C carry different
        // valid IDs, so at most one of them joins B.
        let mut records = vec![
            person("Nguyễn Văn An", (1990, 5, 5), "001090000001", "Nguyễn Văn Bình", "Lê Thị Cúc"),
            person("Nguyễn Văn An", (1990, 5, 5), "", "Nguyễn Văn Bình", "Lê Thị Cúc"),
            person("Nguyễn Văn An", (1990, 5, 5), "001090777777", "Nguyễn Văn Bình", "Lê Thị Cúc"),
        ];
        let cluster = clusters(&mut records);
        assert_ne!(cluster[0], cluster[2]);
        assert!(cluster[1] == cluster[0] || cluster[1] == cluster[2]);
    }
}
