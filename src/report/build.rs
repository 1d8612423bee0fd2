//! Counting the report: one pass over the records adds each to its
//! commune, district (pre-2025 units), province and the totals; then shares,
//! scores and ranks, and the previous run's figures beside them.

use std::collections::BTreeMap;

use super::labels::{dimension_key, labels};
use super::model::{
    round, score, AddressMix, DimensionFigures, Dimensions, PreviousFigures, PreviousRun, QualityReport, Totals,
    UnitChanges, UnitFigures, SCHEMA,
};
use super::ReportUnits;
use crate::finding::{Code, Dimension, Finding, Language, Severity};
use crate::hash::HashMap;
use crate::link::Linkage;
use crate::normalize::Normalized;
use crate::read::Extract;
use crate::record::{Field, RawRecord};
use rayon::prelude::*;

/// The fields whose completeness the report gives: those a clerk enters.
/// `address` counts any part of the address.
pub const COMPLETENESS_FIELDS: [Field; 14] = [
    Field::FullName,
    Field::BirthDate,
    Field::Sex,
    Field::CitizenId,
    Field::OldId,
    Field::Ethnicity,
    Field::Religion,
    Field::Nationality,
    Field::Phone,
    Field::Address,
    Field::FatherName,
    Field::MotherName,
    Field::HouseholdId,
    Field::RelationToHead,
];

const ADDRESS_PARTS: [Field; 6] = [
    Field::Address,
    Field::CommuneName,
    Field::OldDistrictName,
    Field::ProvinceName,
    Field::CommuneCode,
    Field::OldCommuneCode,
];

/// What the report is built from.
pub struct ReportInput<'a> {
    pub extract: &'a Extract,
    pub normalized: &'a [Normalized],
    pub linkage: &'a Linkage,
    /// The records the report counts (a night's: tonight's); `None`, all.
    pub counted: Option<&'a [bool]>,
    pub units: ReportUnits,
    pub language: Language,
    pub reference_date: String,
    /// UTC, `2026-12-01T21:30:00Z`.
    pub generated_at: String,
}

/// Counts of one unit while the records are read.
#[derive(Default)]
struct Tally {
    code: String,
    name: String,
    province: (String, String),
    district: (String, String),
    records: u64,
    /// The cluster of each record, kept for the deepest units only.
    clusters: Vec<u32>,
    duplicates: u64,
    dimensions: [u64; 4],
    /// Findings per code, by [`Code`]'s place in [`Code::ALL`]; empty
    /// until the first record.
    codes: Vec<u64>,
    fields: [u64; COMPLETENESS_FIELDS.len()],
    address: AddressMix,
}

impl Tally {
    fn add(&mut self, record: &RecordFacts) {
        self.records += 1;
        self.clusters.push(record.cluster);
        self.duplicates += u64::from(!record.primary);
        for d in 0..4 {
            self.dimensions[d] += u64::from(record.dimensions[d]);
        }
        if self.codes.is_empty() {
            self.codes = vec![0; Code::ALL.len()];
        }
        for finding in record.findings {
            self.codes[finding.code as usize] += 1;
        }
        for (i, present) in record.fields.iter().enumerate() {
            self.fields[i] += u64::from(*present);
        }
        match record.status {
            "exact" => self.address.exact += 1,
            "fuzzy" => self.address.fuzzy += 1,
            "ambiguous" => self.address.ambiguous += 1,
            _ => self.address.unresolved += 1,
        }
        self.address.old_units += u64::from(record.old_units);
    }

    /// Adds the counts of the same unit from another part of the records,
    /// or of a unit below; persons are counted apart (see
    /// [`count_persons`]), so the clusters are only gathered within a leaf.
    fn merge(&mut self, other: &Tally) {
        self.records += other.records;
        self.duplicates += other.duplicates;
        for d in 0..4 {
            self.dimensions[d] += other.dimensions[d];
        }
        if self.codes.is_empty() {
            self.codes = other.codes.clone();
        } else {
            for (mine, theirs) in self.codes.iter_mut().zip(&other.codes) {
                *mine += theirs;
            }
        }
        for (mine, theirs) in self.fields.iter_mut().zip(other.fields) {
            *mine += theirs;
        }
        let (a, b) = (&mut self.address, &other.address);
        a.exact += b.exact;
        a.fuzzy += b.fuzzy;
        a.ambiguous += b.ambiguous;
        a.unresolved += b.unresolved;
        a.old_units += b.old_units;
    }

    fn figures(self, persons: u64) -> UnitFigures {
        let share = |n: u64| if self.records == 0 { 0.0 } else { round(n as f64 / self.records as f64, 4) };
        let dimensions: Dimensions = Dimension::ALL
            .iter()
            .zip(self.dimensions)
            .map(|(&d, n)| (dimension_key(d).to_string(), DimensionFigures { records: n, share: share(n) }))
            .collect();
        let codes = Code::ALL
            .iter()
            .zip(self.codes.iter().chain(std::iter::repeat(&0)))
            .filter(|(_, &n)| n > 0)
            .map(|(c, &n)| (c.as_str().to_string(), n))
            .collect();
        let fields =
            COMPLETENESS_FIELDS.iter().zip(self.fields).map(|(f, n)| (f.name().to_string(), share(n))).collect();
        UnitFigures {
            score: score(&dimensions),
            code: self.code,
            name: self.name,
            province_code: self.province.0,
            province_name: self.province.1,
            district_code: self.district.0,
            district_name: self.district.1,
            records: self.records,
            persons,
            duplicates: self.duplicates,
            dimensions,
            codes,
            fields,
            address: self.address,
            rank: 0,
            previous: None,
        }
    }
}

/// What one record adds to every unit it is in.
struct RecordFacts<'a> {
    cluster: u32,
    primary: bool,
    dimensions: [bool; 4],
    findings: &'a [Finding],
    fields: [bool; COMPLETENESS_FIELDS.len()],
    status: &'static str,
    old_units: bool,
}

fn facts<'a>(raw: &RawRecord, record: &'a Normalized, cluster: u32, primary: bool) -> RecordFacts<'a> {
    let mut dimensions = [false; 4];
    let mut old_units = false;
    for finding in &record.findings {
        if finding.severity != Severity::Info {
            let d = Dimension::ALL.iter().position(|&d| d == finding.code.dimension()).unwrap_or(0);
            dimensions[d] = true;
        }
        old_units |= finding.code == Code::AddressOldUnits;
    }
    let present = |field: Field| raw.values.is_filled(field);
    let fields = COMPLETENESS_FIELDS.map(|field| {
        if field == Field::Address {
            ADDRESS_PARTS.iter().any(|&f| present(f))
        } else {
            present(field)
        }
    });
    let status = match record.values.get(Field::AddressStatus) {
        "exact" => "exact",
        "fuzzy" => "fuzzy",
        "ambiguous" => "ambiguous",
        _ => "unresolved",
    };
    RecordFacts { cluster, primary, dimensions, findings: &record.findings, fields, status, old_units }
}

/// The deepest level a report has: province, district, commune.
const MAX_LEVELS: usize = 3;

/// A record's units at each level, most general first, as (code, name);
/// levels past the report's are empty.
fn unit_path(record: &Normalized, units: ReportUnits) -> [(&str, &str); MAX_LEVELS] {
    let v = &record.values;
    let pair = |code: Field, name: Field| (v.get(code), v.get(name));
    match units {
        ReportUnits::New => {
            [pair(Field::ProvinceCode, Field::ProvinceName), pair(Field::CommuneCode, Field::CommuneName), ("", "")]
        }
        ReportUnits::Old => [
            pair(Field::OldProvinceCode, Field::OldProvinceName),
            pair(Field::OldDistrictCode, Field::OldDistrictName),
            pair(Field::OldCommuneCode, Field::OldCommuneName),
        ],
    }
}

/// A unit's key at its level: the codes of the path to it.
type UnitKey<'a> = [&'a str; MAX_LEVELS];

/// The tallies of one part of the records: each unit of the deepest level
/// by its key. The levels above and the totals are sums of these.
type PartTallies<'a> = HashMap<UnitKey<'a>, Tally>;

/// Records counted per task: large enough that merging the parts costs
/// little beside counting them.
const RECORDS_PER_PART: usize = 65_536;

fn count_part<'a>(
    input: &ReportInput<'a>,
    levels: usize,
    unresolved_unit: &str,
    rows: std::ops::Range<usize>,
) -> PartTallies<'a> {
    let mut part = PartTallies::default();
    for i in rows.filter(|&i| input.counted.is_none_or(|c| c[i])) {
        let (raw, record) = (&input.extract.records[i], &input.normalized[i]);
        let facts = facts(raw, record, input.linkage.cluster[i], input.linkage.is_primary[i]);
        let path = unit_path(record, input.units);
        let mut key: UnitKey = [""; MAX_LEVELS];
        for (slot, (code, _)) in key.iter_mut().zip(&path[..levels]) {
            *slot = code;
        }
        let tally = part.entry(key).or_insert_with(|| {
            // A unit without a code is the records of the unit above that
            // could not be placed further.
            let named = |&(code, name): &(&str, &str)| {
                (code.to_string(), if code.is_empty() { unresolved_unit.to_string() } else { name.to_string() })
            };
            let level = levels - 1;
            let (code, name) = named(&path[level]);
            let above = |l: usize| if level > l { named(&path[l]) } else { Default::default() };
            Tally { code, name, province: above(0), district: above(1), ..Tally::default() }
        });
        tally.add(&facts);
    }
    part
}

/// The units of level `level` (0: provinces) as sums of the deepest
/// level's units (sorted by key, so a unit's leaves are side by side), each
/// named as the deepest units below it say, with the range of its leaves.
fn roll_up(leaves: &[(UnitKey, Tally)], level: usize) -> Vec<(Tally, std::ops::Range<usize>)> {
    let mut units: Vec<(Tally, std::ops::Range<usize>)> = Vec::new();
    for (i, (key, leaf)) in leaves.iter().enumerate() {
        let same_unit = i > 0 && leaves[i - 1].0[..=level] == key[..=level];
        if !same_unit {
            let (code, name) = if level == 0 { leaf.province.clone() } else { leaf.district.clone() };
            let province = if level > 0 { leaf.province.clone() } else { Default::default() };
            units.push((Tally { code, name, province, ..Tally::default() }, i..i));
        }
        let (unit, range) = units.last_mut().expect("a unit was just opened");
        unit.merge(leaf);
        range.end = i + 1;
    }
    units
}

/// The distinct persons of each group of leaves: a person's stamp says
/// which group counted it last, so each record is looked at once per level
/// and nothing is sorted.
fn count_persons(leaves: &[(UnitKey, Tally)], groups: &[std::ops::Range<usize>], persons: usize) -> Vec<u64> {
    let mut stamp = vec![u32::MAX; persons];
    groups
        .iter()
        .enumerate()
        .map(|(group, range)| {
            let mut distinct = 0;
            for (_, leaf) in &leaves[range.clone()] {
                for &cluster in &leaf.clusters {
                    let seen = &mut stamp[cluster as usize];
                    if *seen != group as u32 {
                        *seen = group as u32;
                        distinct += 1;
                    }
                }
            }
            distinct
        })
        .collect()
}

pub fn build(input: &ReportInput, previous: Option<(&QualityReport, String)>) -> QualityReport {
    let words = labels(input.language);
    let levels = match input.units {
        ReportUnits::New => 2,
        ReportUnits::Old => 3,
    };
    let n = input.normalized.len();
    let parts: Vec<PartTallies> = (0..n)
        .step_by(RECORDS_PER_PART)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|start| count_part(input, levels, words.unresolved_unit, start..(start + RECORDS_PER_PART).min(n)))
        .collect();
    let mut deepest: HashMap<UnitKey, Tally> = HashMap::default();
    for part in parts {
        for (key, tally) in part {
            match deepest.entry(key) {
                std::collections::hash_map::Entry::Occupied(mut known) => {
                    let leaf = known.get_mut();
                    leaf.merge(&tally);
                    leaf.clusters.extend_from_slice(&tally.clusters);
                }
                std::collections::hash_map::Entry::Vacant(new) => {
                    new.insert(tally);
                }
            }
        }
    }
    let mut leaves: Vec<(UnitKey, Tally)> = deepest.into_iter().collect();
    leaves.sort_by(|a, b| a.0.cmp(&b.0));
    let persons = input.linkage.persons as usize;
    let mut totals = Tally::default();
    for (_, leaf) in &leaves {
        totals.merge(leaf);
    }
    let total_persons = count_persons(&leaves, std::slice::from_ref(&(0..leaves.len())), persons)[0];
    let ranked = |figures: Vec<UnitFigures>| -> Vec<UnitFigures> {
        let mut figures = figures;
        rank(&mut figures);
        figures.sort_by_key(|u| if u.rank == 0 { u64::MAX } else { u.rank });
        figures
    };
    let mut level_figures: Vec<Vec<UnitFigures>> = (0..levels - 1)
        .map(|level| {
            let units = roll_up(&leaves, level);
            let ranges: Vec<_> = units.iter().map(|(_, range)| range.clone()).collect();
            let persons = count_persons(&leaves, &ranges, persons);
            ranked(units.into_iter().zip(persons).map(|((unit, _), n)| unit.figures(n)).collect())
        })
        .collect();
    let singles: Vec<_> = (0..leaves.len()).map(|i| i..i + 1).collect();
    let leaf_persons = count_persons(&leaves, &singles, persons);
    level_figures.push(ranked(leaves.into_iter().zip(leaf_persons).map(|((_, leaf), n)| leaf.figures(n)).collect()));
    let mut totals = Totals { figures: totals.figures(total_persons), ..Totals::default() };
    totals.figures.name = words.total.to_string();
    for row in &input.extract.quarantine {
        let name = &input.extract.inputs[row.source as usize].name;
        totals.quarantined += 1;
        *totals.quarantined_by_input.entry(name.clone()).or_insert(0) += 1;
    }
    let communes = level_figures.pop().unwrap_or_default();
    let districts = (levels == 3).then(|| level_figures.pop().unwrap_or_default());
    let provinces = level_figures.pop().unwrap_or_default();
    let mut report = QualityReport {
        schema: SCHEMA,
        generated_at: input.generated_at.clone(),
        reference_date: input.reference_date.clone(),
        units: input.units.label().to_string(),
        language: match input.language {
            Language::Vi => "vi",
            Language::En => "en",
        }
        .to_string(),
        score_formula: words.score_formula.to_string(),
        totals,
        provinces,
        districts,
        communes,
        previous: None,
    };
    if let Some((previous, source)) = previous {
        compare_with(&mut report, previous, source);
    }
    report
}

/// Ranks a level worst first: lowest score, then most records, then code
/// (the units come in code order, so a tie is always broken the same way).
/// Records that could not be placed in a unit of the level are no unit an
/// office answers for: their group is not ranked (0) and comes last.
fn rank(units: &mut [UnitFigures]) {
    let mut order: Vec<usize> = (0..units.len()).filter(|&i| !units[i].code.is_empty()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&units[a], &units[b]);
        x.score.total_cmp(&y.score).then(y.records.cmp(&x.records)).then(x.code.cmp(&y.code))
    });
    for (position, &i) in order.iter().enumerate() {
        units[i].rank = position as u64 + 1;
    }
}

/// A unit's key across runs: its code with the codes above it (records
/// without a commune are one unit per province).
fn unit_key(unit: &UnitFigures) -> String {
    format!("{}/{}/{}", unit.province_code, unit.district_code, unit.code)
}

fn previous_of(unit: &UnitFigures) -> PreviousFigures {
    PreviousFigures {
        records: unit.records,
        persons: unit.persons,
        duplicates: unit.duplicates,
        score: unit.score,
        dimensions: unit.dimensions.clone(),
    }
}

/// Puts the previous run's figures beside each unit present in both, and
/// lists the units only one run has.
fn compare_with(report: &mut QualityReport, previous: &QualityReport, source: String) {
    report.totals.figures.previous = Some(previous_of(&previous.totals.figures));
    let changes = |now: &mut [UnitFigures], before: &[UnitFigures]| -> UnitChanges {
        let before_by_key: BTreeMap<String, &UnitFigures> = before.iter().map(|u| (unit_key(u), u)).collect();
        let mut seen = std::collections::BTreeSet::new();
        let mut appeared = Vec::new();
        for unit in now.iter_mut() {
            let key = unit_key(unit);
            match before_by_key.get(&key) {
                Some(old) => unit.previous = Some(previous_of(old)),
                None => appeared.push(describe(unit)),
            }
            seen.insert(key);
        }
        let disappeared = before.iter().filter(|u| !seen.contains(&unit_key(u))).map(describe).collect::<Vec<_>>();
        UnitChanges { appeared, disappeared }
    };
    let provinces = changes(&mut report.provinces, &previous.provinces);
    let districts = match (&mut report.districts, &previous.districts) {
        (Some(now), Some(before)) => Some(changes(now, before)),
        (Some(now), None) => Some(changes(now, &[])),
        _ => None,
    };
    let communes = changes(&mut report.communes, &previous.communes);
    report.previous = Some(PreviousRun {
        generated_at: previous.generated_at.clone(),
        reference_date: previous.reference_date.clone(),
        source,
        provinces,
        districts,
        communes,
    });
}

fn describe(unit: &UnitFigures) -> String {
    match (unit.code.is_empty(), unit.province_name.is_empty()) {
        (false, _) => format!("{} {}", unit.code, unit.name),
        (true, false) => format!("{} ({})", unit.name, unit.province_name),
        (true, true) => unit.name.clone(),
    }
}
