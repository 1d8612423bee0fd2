//! The unit tables as a lookup index: every name (short, official, from
//! before the mergers) filed by its folded key, in the scopes it can be
//! found in; exact and fuzzy lookups, and the refinement of names that fold
//! alike.

use super::vocabulary::{compact_y_as_i, numeric_key, Level, Vocabulary};
use crate::hash::HashMap;
use crate::rules::{AddressWords, AdminTables};
use crate::text::tidy;

/// A unit a name may denote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Unit {
    OldProvince(u16),
    NewProvince(u16),
    OldDistrict(u16),
    /// Index into [`AdminTables::old_units`].
    OldCommune(u32),
    /// Index into [`AdminTables::new_communes`].
    NewCommune(u32),
}

/// Where a name is looked up: the whole country, or inside one unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Scope {
    Nation,
    OldProvince(u16),
    NewProvince(u16),
    OldDistrict(u16),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum NamePass {
    Current,
    /// Names from before the 2017–2024 mergers.
    Former,
}

impl NamePass {
    pub(super) const BOTH: [NamePass; 2] = [NamePass::Current, NamePass::Former];
}

/// The longest span of words a unit name is looked for in.
pub(super) const MAX_SPAN_WORDS: usize = 6;

/// Fuzzy matches below this similarity are not taken.
pub(super) const MIN_FUZZY_SCORE: f32 = 0.8;

/// Similarity of two folded keys: one minus the optimal-string-alignment
/// distance over the longer length.
pub(super) fn similarity(a: &str, b: &str) -> f32 {
    let longest = a.len().max(b.len());
    if longest == 0 {
        return 1.0;
    }
    1.0 - crate::text::edit_distance(a, b) as f32 / longest as f32
}

/// What a name matched: the units, and how well.
#[derive(Clone, Debug, Default)]
pub(super) struct Hits {
    pub(super) units: Vec<Unit>,
    /// 1.0 when exact.
    pub(super) score: f32,
}

impl Hits {
    pub(super) fn is_empty(&self) -> bool {
        self.units.is_empty()
    }
}

/// One administrative level as the record gives it: the units it matched,
/// or nothing when the record does not name that level.
#[derive(Clone, Debug, Default)]
pub(super) struct LevelMatch {
    pub(super) written: bool,
    pub(super) hits: Hits,
}

pub struct AddressIndex<'a> {
    pub(super) admin: &'a AdminTables,
    pub(super) vocabulary: Vocabulary,
    pub(super) old_province_codes: Vec<String>,
    pub(super) new_province_codes: Vec<String>,
    /// Old district code, its province's index, and one unit of it.
    pub(super) old_districts: Vec<(String, u16, usize)>,
    pub(super) old_province_index: HashMap<String, u16>,
    pub(super) new_province_index: HashMap<String, u16>,
    pub(super) old_district_index: HashMap<String, u16>,
    /// Folded name key → where that name is found.
    pub(super) exact: HashMap<String, Vec<(Level, Scope, Unit)>>,
    /// Names from before the 2017–2024 mergers, consulted after `exact`.
    pub(super) aliases: HashMap<String, Vec<(Level, Scope, Unit)>>,
    /// District initials (`BT` for Bình Thạnh): a district only where a
    /// type word marks it (`Q.BT`).
    pub(super) initials: HashMap<String, Vec<(Scope, Unit)>>,
    /// Every key of a scope, for fuzzy matching.
    pub(super) fuzzy: HashMap<(Level, Scope), Vec<(String, Unit)>>,
    pub(super) new_commune_by_code: HashMap<String, usize>,
    pub(super) old_unit_by_code: HashMap<String, usize>,
}

pub(super) fn push_unique<K: std::hash::Hash + Eq, V: PartialEq>(map: &mut HashMap<K, Vec<V>>, key: K, value: V) {
    let entry = map.entry(key).or_default();
    if !entry.contains(&value) {
        entry.push(value);
    }
}

impl<'a> AddressIndex<'a> {
    pub fn new(admin: &'a AdminTables, words: &AddressWords) -> AddressIndex<'a> {
        let mut index = AddressIndex {
            admin,
            vocabulary: Vocabulary::new(words),
            initials: HashMap::default(),
            old_province_codes: Vec::new(),
            new_province_codes: Vec::new(),
            old_districts: Vec::new(),
            old_province_index: HashMap::default(),
            new_province_index: HashMap::default(),
            old_district_index: HashMap::default(),
            exact: HashMap::default(),
            aliases: HashMap::default(),
            fuzzy: HashMap::default(),
            new_commune_by_code: HashMap::default(),
            old_unit_by_code: HashMap::default(),
        };
        for (i, unit) in admin.old_units.iter().enumerate() {
            let province = match index.old_province_index.get(&unit.province_code) {
                Some(&p) => p,
                None => {
                    let p = index.old_province_codes.len() as u16;
                    index.old_province_codes.push(unit.province_code.clone());
                    index.old_province_index.insert(unit.province_code.clone(), p);
                    index.add_name(Level::Province, Scope::Nation, &unit.province_short_name, Unit::OldProvince(p));
                    p
                }
            };
            let district = match index.old_district_index.get(&unit.district_code) {
                Some(&d) => d,
                None => {
                    let d = index.old_districts.len() as u16;
                    index.old_districts.push((unit.district_code.clone(), province, i));
                    index.old_district_index.insert(unit.district_code.clone(), d);
                    for name in [&unit.district_short_name, &unit.district_name_alt] {
                        for scope in [Scope::Nation, Scope::OldProvince(province)] {
                            index.add_name(Level::District, scope, name, Unit::OldDistrict(d));
                        }
                    }
                    d
                }
            };
            if unit.commune_code.is_empty() {
                continue;
            }
            index.old_unit_by_code.insert(unit.commune_code.clone(), i);
            for name in [&unit.commune_short_name, &unit.commune_name_alt] {
                for scope in [Scope::Nation, Scope::OldProvince(province), Scope::OldDistrict(district)] {
                    index.add_name(Level::Commune, scope, name, Unit::OldCommune(i as u32));
                }
            }
        }
        for province in admin.new_provinces.values() {
            let p = index.new_province_codes.len() as u16;
            index.new_province_codes.push(province.code.clone());
            index.new_province_index.insert(province.code.clone(), p);
            index.add_name(Level::Province, Scope::Nation, &province.short_name, Unit::NewProvince(p));
        }
        for (key, code) in index.vocabulary.province_nicknames.clone() {
            if let Some(&p) = index.old_province_index.get(&code) {
                push_unique(&mut index.exact, key.clone(), (Level::Province, Scope::Nation, Unit::OldProvince(p)));
            }
            if let Some(&p) = index.new_province_index.get(&code) {
                push_unique(&mut index.exact, key, (Level::Province, Scope::Nation, Unit::NewProvince(p)));
            }
        }
        for (province, key, district) in index.vocabulary.district_nicknames.clone() {
            let (Some(&p), Some(&d)) =
                (index.old_province_index.get(&province), index.old_district_index.get(&district))
            else {
                continue;
            };
            for scope in [Scope::Nation, Scope::OldProvince(p)] {
                push_unique(&mut index.initials, key.clone(), (scope, Unit::OldDistrict(d)));
            }
        }
        for (i, commune) in admin.new_communes.iter().enumerate() {
            index.new_commune_by_code.insert(commune.commune_code.clone(), i);
            let Some(&p) = index.new_province_index.get(&commune.province_code) else { continue };
            for name in [&commune.commune_short_name, &commune.commune_name_20250701] {
                for scope in [Scope::Nation, Scope::NewProvince(p)] {
                    index.add_name(Level::Commune, scope, name, Unit::NewCommune(i as u32));
                }
            }
        }
        for alias in &admin.legacy_aliases {
            let key = numeric_key(&compact_y_as_i(&alias.key));
            match alias.level.as_str() {
                "commune" => {
                    let Some(&i) = index.old_unit_by_code.get(&alias.target_code) else { continue };
                    let unit = &admin.old_units[i];
                    let province = index.old_province_index[&unit.province_code];
                    let district = index.old_district_index[&unit.district_code];
                    for scope in [Scope::OldProvince(province), Scope::OldDistrict(district)] {
                        let entry = (Level::Commune, scope, Unit::OldCommune(i as u32));
                        push_unique(&mut index.aliases, key.clone(), entry);
                    }
                }
                "district" => {
                    let Some(&d) = index.old_district_index.get(&alias.target_code) else { continue };
                    let province = index.old_districts[d as usize].1;
                    for scope in [Scope::Nation, Scope::OldProvince(province)] {
                        push_unique(&mut index.aliases, key.clone(), (Level::District, scope, Unit::OldDistrict(d)));
                    }
                }
                "province" => {
                    if let Some(&p) = index.old_province_index.get(&alias.target_code) {
                        push_unique(&mut index.aliases, key, (Level::Province, Scope::Nation, Unit::OldProvince(p)));
                    }
                }
                _ => {}
            }
        }
        index.drop_repeated_fuzzy_keys();
        index
    }

    /// Keeps the first of each key and unit in every scope's fuzzy list:
    /// checked name by name, the nation's list of communes made building
    /// the index quadratic.
    fn drop_repeated_fuzzy_keys(&mut self) {
        for list in self.fuzzy.values_mut() {
            let mut seen: crate::hash::HashSet<(String, Unit)> = crate::hash::HashSet::default();
            list.retain(|entry| seen.insert(entry.clone()));
        }
    }

    pub(super) fn add_name(&mut self, level: Level, scope: Scope, name: &str, unit: Unit) {
        if name.is_empty() {
            return;
        }
        for (key, typed) in self.vocabulary.name_keys(name, level) {
            push_unique(&mut self.exact, key, (level, scope, unit));
            // Numbers are never matched fuzzily: `Phường 11` is not a typo
            // of `Phường 1`.
            if !typed.bytes().all(|b| b.is_ascii_digit()) {
                // Repeats are dropped once all names are in (`drop_repeated_fuzzy_keys`).
                self.fuzzy.entry((level, scope)).or_default().push((typed, unit));
            }
        }
    }

    /// The units of `level` in the scopes that `key` names: the current
    /// names in the first pass, the names from before the mergers in the
    /// second.
    pub(super) fn lookup_exact(&self, pass: NamePass, level: Level, scopes: &[Scope], key: &str) -> Vec<Unit> {
        let map = match pass {
            NamePass::Current => &self.exact,
            NamePass::Former => &self.aliases,
        };
        let mut found: Vec<Unit> = Vec::new();
        for &(at_level, scope, unit) in map.get(key).map(Vec::as_slice).unwrap_or_default() {
            if at_level == level && scopes.contains(&scope) && !found.contains(&unit) {
                found.push(unit);
            }
        }
        found
    }

    /// The districts whose initials `key` is, in the scopes; only for a
    /// name a district type word marks.
    pub(super) fn lookup_initials(&self, level: Level, scopes: &[Scope], key: &str) -> Vec<Unit> {
        if level != Level::District {
            return Vec::new();
        }
        let mut found = Vec::new();
        for &(scope, unit) in self.initials.get(key).map(Vec::as_slice).unwrap_or_default() {
            if scopes.contains(&scope) && !found.contains(&unit) {
                found.push(unit);
            }
        }
        found
    }

    /// The best fuzzy match of `key` (typed letters, [`super::vocabulary::typed_key`]) in the scopes, when it is clearly the
    /// best: a second unit as close makes it no match at all.
    pub(super) fn lookup_fuzzy(&self, level: Level, scopes: &[Scope], key: &str) -> Hits {
        // Short keys have too many neighbours, and the whole country is too
        // wide a scope for communes (thousands share a handful of names).
        if key.len() < 5 || key.bytes().all(|b| b.is_ascii_digit()) {
            return Hits::default();
        }
        if level == Level::Commune && scopes.contains(&Scope::Nation) {
            return Hits::default();
        }
        let mut best = Hits::default();
        // The names at the best score: one name may denote several units
        // (an old and a new commune), two names at one distance are a tie.
        let mut best_keys: Vec<&str> = Vec::new();
        for &scope in scopes {
            for (candidate, unit) in self.fuzzy.get(&(level, scope)).map(Vec::as_slice).unwrap_or_default() {
                if candidate.len().abs_diff(key.len()) > 2 {
                    continue;
                }
                // A name scoring below the best so far, or below the least
                // score that counts, changes nothing: its distance is
                // computed only as far as it could still reach them.
                let longest = key.len().max(candidate.len());
                let floor = best.score.max(MIN_FUZZY_SCORE);
                let Some(limit) = (0..=longest).rev().find(|&d| 1.0 - d as f32 / longest as f32 >= floor) else {
                    continue;
                };
                let Some(distance) = crate::text::edit_distance_within(key, candidate, limit) else {
                    continue;
                };
                let score = 1.0 - distance as f32 / longest as f32;
                if score > best.score {
                    best = Hits { units: vec![*unit], score };
                    best_keys = vec![candidate];
                } else if score == best.score {
                    if !best.units.contains(unit) {
                        best.units.push(*unit);
                    }
                    if !best_keys.contains(&candidate.as_str()) {
                        best_keys.push(candidate);
                    }
                }
            }
        }
        if best.score < MIN_FUZZY_SCORE || best_keys.len() != 1 {
            return Hits::default();
        }
        best
    }

    /// Narrows units whose names fold to the same letters by what else was
    /// written: the diacritics (`Minh Quán` is not `Minh Quân`), then the
    /// unit type (`Thị trấn Yên Viên` is not `Xã Yên Viên`). A filter that
    /// would leave nothing is not applied.
    pub(super) fn refine(
        &self,
        units: Vec<Unit>,
        written_name: &str,
        written_type: &[&str],
        level: Level,
    ) -> Vec<Unit> {
        if units.len() < 2 || level == Level::Province {
            return units;
        }
        let written = marked_key(written_name);
        let by_marks: Vec<Unit> =
            units.iter().copied().filter(|&u| marked_key(&self.short_name(u)) == written).collect();
        let units = if by_marks.is_empty() { units } else { by_marks };
        if units.len() < 2 || written_type.is_empty() {
            return units;
        }
        let written_type = self.vocabulary.canonical_type(written_type, level);
        let by_type: Vec<Unit> = units
            .iter()
            .copied()
            .filter(|&u| {
                let full = crate::text::fold_words(&self.full_name(u));
                let words: Vec<&str> = full.split(' ').collect();
                self.vocabulary.canonical_type(&words, level) == written_type
            })
            .collect();
        if by_type.is_empty() {
            units
        } else {
            by_type
        }
    }

    pub(super) fn short_name(&self, unit: Unit) -> String {
        match unit {
            Unit::OldProvince(p) => self.admin.old_province_names[&self.old_province_codes[p as usize]].clone(),
            Unit::NewProvince(p) => self.admin.new_provinces[&self.new_province_codes[p as usize]].short_name.clone(),
            Unit::OldDistrict(d) => self.admin.old_units[self.old_districts[d as usize].2].district_short_name.clone(),
            Unit::OldCommune(i) => self.admin.old_units[i as usize].commune_short_name.clone(),
            Unit::NewCommune(i) => self.admin.new_communes[i as usize].commune_short_name.clone(),
        }
    }

    pub(super) fn full_name(&self, unit: Unit) -> String {
        match unit {
            Unit::OldDistrict(d) => self.admin.old_units[self.old_districts[d as usize].2].district_name.clone(),
            Unit::OldCommune(i) => self.admin.old_units[i as usize].commune_name.clone(),
            Unit::NewCommune(i) => self.admin.new_communes[i as usize].commune_name.clone(),
            province => self.short_name(province),
        }
    }
}

/// A name as a lower-case key that keeps its diacritics, with tones placed
/// one way, for telling apart names that fold to the same letters.
pub(super) fn marked_key(name: &str) -> String {
    tidy(name)
        .to_lowercase()
        .split(' ')
        .map(|w| crate::syllable::place_tone(w, crate::syllable::TonePlacement::Old).unwrap_or_else(|| w.to_string()))
        .flat_map(|w| w.chars().filter(|c| c.is_alphanumeric()).collect::<Vec<_>>())
        .collect()
}

pub(super) fn district_scopes(hits: &Hits) -> Vec<Scope> {
    hits.units
        .iter()
        .filter_map(|u| if let Unit::OldDistrict(d) = u { Some(Scope::OldDistrict(*d)) } else { None })
        .collect()
}
