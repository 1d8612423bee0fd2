//! Places a record in its commune, in the units before and after the 2025
//! reform. First cut: exact matching of unit names (folded: case, marks,
//! unit-type words and leading zeros ignored) inside the hierarchy the record
//! gives, from the separate columns or from the tail of a free-text address.

use std::collections::HashMap;

use super::text::{fold_compact, fold_words, tidy};
use crate::rules::AdminTables;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AddressStatus {
    Exact,
    Ambiguous,
    Unresolved,
}

impl AddressStatus {
    pub fn label(self) -> &'static str {
        match self {
            AddressStatus::Exact => "exact",
            AddressStatus::Ambiguous => "ambiguous",
            AddressStatus::Unresolved => "unresolved",
        }
    }
}

/// The administrative part of a record's address, as written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct AddressInput {
    /// Post-2025 commune code, when the source carries one.
    pub commune_code: String,
    /// Pre-2025 commune code, when the source carries one (a dancu output).
    pub old_commune_code: String,
    pub street: String,
    pub commune: String,
    pub district: String,
    pub province: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Resolution {
    pub status: AddressStatus,
    /// Index into [`AdminTables::old_units`]: the pre-2025 commune.
    pub old_unit: Option<usize>,
    /// Index into [`AdminTables::old_units`] of any unit of the pre-2025
    /// district, when the district is known but the commune is not.
    pub old_district: Option<usize>,
    pub old_province: Option<String>,
    /// Index into [`AdminTables::new_communes`].
    pub new_commune: Option<usize>,
    pub new_province: Option<String>,
    /// True when the record names units of the pre-2025 list.
    pub written_in_old_units: bool,
    /// Names of the candidate units when ambiguous, or the mapping's default
    /// successor of a split commune.
    pub suggestion: String,
    pub street: String,
}

impl Resolution {
    fn unresolved(street: String) -> Resolution {
        Resolution {
            status: AddressStatus::Unresolved,
            old_unit: None,
            old_district: None,
            old_province: None,
            new_commune: None,
            new_province: None,
            written_in_old_units: false,
            suggestion: String::new(),
            street,
        }
    }
}

/// Unit-type words and their abbreviations, longest first, as folded words.
const UNIT_TYPE_WORDS: &[&str] = &[
    "thanh pho",
    "thi tran",
    "thi xa",
    "dac khu",
    "tinh",
    "quan",
    "huyen",
    "xa",
    "phuong",
    "tp",
    "tx",
    "tt",
    "q",
    "h",
    "x",
    "p",
    "f",
];

/// Province names people write that are not the official short names.
const PROVINCE_NICKNAMES: &[(&str, &str)] =
    &[("hcm", "79"), ("tphcm", "79"), ("saigon", "79"), ("hn", "01"), ("thuathienhue", "46")];

/// The keys a unit name may be looked up under: without its unit-type word
/// first, then as written (`Xa Loan` is a name, not `Xã Loan`).
fn lookup_keys(text: &str) -> Vec<String> {
    let words = fold_words(text);
    let mut keys = Vec::with_capacity(2);
    for prefix in UNIT_TYPE_WORDS {
        if let Some(rest) = words.strip_prefix(prefix) {
            if rest.starts_with(' ') {
                keys.push(numeric_key(&rest.replace(' ', "")));
                break;
            }
            // `P1`, `F12`, `Q3`: a one-letter type glued to a number.
            if prefix.len() == 1 && !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()) {
                keys.push(numeric_key(rest));
                break;
            }
        }
    }
    let whole = numeric_key(&words.replace(' ', ""));
    if !whole.is_empty() && !keys.contains(&whole) {
        keys.push(whole);
    }
    keys
}

/// `01` and `1` name the same numbered ward.
fn numeric_key(key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_digit()) {
        key.trim_start_matches('0').to_string()
    } else {
        key.to_string()
    }
}

fn unit_key(short_name: &str) -> String {
    numeric_key(&fold_compact(short_name))
}

type Candidates = Vec<usize>;

pub struct AddressIndex<'a> {
    admin: &'a AdminTables,
    old_provinces: HashMap<String, Vec<String>>,
    new_provinces: HashMap<String, Vec<String>>,
    /// (old province code, key) → old district codes.
    old_districts: HashMap<(String, String), Vec<String>>,
    old_district_first_unit: HashMap<String, usize>,
    old_communes_in_district: HashMap<(String, String), Candidates>,
    old_communes_in_province: HashMap<(String, String), Candidates>,
    new_communes_in_province: HashMap<(String, String), Candidates>,
    new_commune_by_code: HashMap<String, usize>,
    old_unit_by_code: HashMap<String, usize>,
    /// Names from before the 2017–2024 mergers: compact key → old units.
    commune_aliases: HashMap<String, Candidates>,
    /// Compact key → (province code, district code).
    district_aliases: HashMap<String, Vec<(String, String)>>,
}

fn push_unique<K: std::hash::Hash + Eq, V: PartialEq>(map: &mut HashMap<K, Vec<V>>, key: K, value: V) {
    let entry = map.entry(key).or_default();
    if !entry.contains(&value) {
        entry.push(value);
    }
}

impl<'a> AddressIndex<'a> {
    pub fn new(admin: &'a AdminTables) -> AddressIndex<'a> {
        let mut index = AddressIndex {
            admin,
            old_provinces: HashMap::new(),
            new_provinces: HashMap::new(),
            old_districts: HashMap::new(),
            old_district_first_unit: HashMap::new(),
            old_communes_in_district: HashMap::new(),
            old_communes_in_province: HashMap::new(),
            new_communes_in_province: HashMap::new(),
            new_commune_by_code: HashMap::new(),
            old_unit_by_code: HashMap::new(),
            commune_aliases: HashMap::new(),
            district_aliases: HashMap::new(),
        };
        for (i, unit) in admin.old_units.iter().enumerate() {
            let province = unit.province_code.clone();
            push_unique(&mut index.old_provinces, unit_key(&unit.province_short_name), province.clone());
            for name in [&unit.district_short_name, &unit.district_name_alt] {
                if !name.is_empty() {
                    for key in lookup_keys(name) {
                        push_unique(&mut index.old_districts, (province.clone(), key), unit.district_code.clone());
                    }
                }
            }
            index.old_district_first_unit.entry(unit.district_code.clone()).or_insert(i);
            if unit.commune_code.is_empty() {
                continue;
            }
            index.old_unit_by_code.insert(unit.commune_code.clone(), i);
            for name in [&unit.commune_short_name, &unit.commune_name_alt] {
                if name.is_empty() {
                    continue;
                }
                for key in lookup_keys(name) {
                    push_unique(&mut index.old_communes_in_district, (unit.district_code.clone(), key.clone()), i);
                    push_unique(&mut index.old_communes_in_province, (province.clone(), key), i);
                }
            }
        }
        for province in admin.new_provinces.values() {
            push_unique(&mut index.new_provinces, unit_key(&province.short_name), province.code.clone());
        }
        for alias in &admin.legacy_aliases {
            match alias.level.as_str() {
                "commune" => {
                    if let Some(&unit) = index.old_unit_by_code.get(&alias.target_code) {
                        push_unique(&mut index.commune_aliases, alias.key.clone(), unit);
                    }
                }
                "district" => push_unique(
                    &mut index.district_aliases,
                    alias.key.clone(),
                    (alias.province_code.clone(), alias.target_code.clone()),
                ),
                "province" => push_unique(&mut index.old_provinces, alias.key.clone(), alias.target_code.clone()),
                _ => {}
            }
        }
        for (nickname, code) in PROVINCE_NICKNAMES {
            push_unique(&mut index.old_provinces, nickname.to_string(), code.to_string());
            if admin.new_provinces.contains_key(*code) {
                push_unique(&mut index.new_provinces, nickname.to_string(), code.to_string());
            }
        }
        for (i, commune) in admin.new_communes.iter().enumerate() {
            index.new_commune_by_code.insert(commune.commune_code.clone(), i);
            for name in [&commune.commune_short_name, &commune.commune_name_20250701] {
                if name.is_empty() {
                    continue;
                }
                for key in lookup_keys(name) {
                    push_unique(&mut index.new_communes_in_province, (commune.province_code.clone(), key), i);
                }
            }
        }
        index
    }

    fn provinces(map: &HashMap<String, Vec<String>>, text: &str) -> Vec<String> {
        lookup_keys(text).iter().find_map(|key| map.get(key)).cloned().unwrap_or_default()
    }

    /// Resolves an address given as separate columns, a free-text string, or
    /// both. The columns win where they are present.
    pub fn resolve(&self, input: &AddressInput) -> Resolution {
        if let Some(resolution) = self.resolve_codes(input) {
            return resolution;
        }
        if input.commune.is_empty() && input.district.is_empty() && input.province.is_empty() {
            return self.resolve_free_text(&input.street);
        }
        self.resolve_parts(&input.commune, &input.district, &input.province, tidy(&input.street))
    }

    /// Codes decide when present: a cleaned file carries both systems' codes,
    /// and cleaning it again must place every record where it was.
    fn resolve_codes(&self, input: &AddressInput) -> Option<Resolution> {
        let new = self.new_commune_by_code.get(input.commune_code.trim()).copied();
        let old = self.old_unit_by_code.get(input.old_commune_code.trim()).copied();
        let street = tidy(&input.street);
        match (new, old) {
            (None, None) => None,
            (None, Some(old)) => {
                let mut resolution = Resolution::unresolved(street);
                self.set_old(&mut resolution, old);
                Some(resolution)
            }
            (Some(new), old) => {
                let mut resolution = Resolution::unresolved(street);
                if let Some(old) = old {
                    let unit = &self.admin.old_units[old];
                    resolution.old_unit = Some(old);
                    resolution.old_province = Some(unit.province_code.clone());
                }
                self.set_new(&mut resolution, new);
                Some(resolution)
            }
        }
    }

    /// The tail of a comma-separated address names the units, most general
    /// last. Three parts are tried as commune, district, province first
    /// (pre-2025 style), then two as commune, province (post-2025 style).
    fn resolve_free_text(&self, text: &str) -> Resolution {
        let parts: Vec<String> = text.split([',', ';']).map(tidy).filter(|p| !p.is_empty()).collect();
        let mut best: Option<Resolution> = None;
        for (units, with_district) in [(3, true), (2, false)] {
            if parts.len() < units {
                continue;
            }
            let tail = &parts[parts.len() - units..];
            let street = parts[..parts.len() - units].join(", ");
            let (commune, district, province) =
                if with_district { (&tail[0], tail[1].as_str(), &tail[2]) } else { (&tail[0], "", &tail[1]) };
            let resolution = self.resolve_parts(commune, district, province, street);
            if resolution.status == AddressStatus::Exact {
                return resolution;
            }
            if best.as_ref().is_none_or(|b| b.status == AddressStatus::Unresolved) {
                best = Some(resolution);
            }
        }
        best.unwrap_or_else(|| Resolution::unresolved(tidy(text)))
    }

    fn resolve_parts(&self, commune: &str, district: &str, province: &str, street: String) -> Resolution {
        let mut resolution = Resolution::unresolved(street);
        let old_provinces = Self::provinces(&self.old_provinces, province);
        let mut new_provinces = Self::provinces(&self.new_provinces, province);
        for old in &old_provinces {
            if let Some(new) = self.admin.old_province_to_new.get(old) {
                if !new_provinces.contains(new) {
                    new_provinces.push(new.clone());
                }
            }
        }
        let district_keys = lookup_keys(district);
        let mut districts: Vec<String> = Vec::new();
        if !district.is_empty() {
            for old in &old_provinces {
                if let Some(found) =
                    district_keys.iter().find_map(|k| self.old_districts.get(&(old.clone(), k.clone())))
                {
                    districts.extend(found.iter().cloned());
                }
            }
        }
        // A district known only by a name from before a merger.
        if districts.is_empty() && !district.is_empty() {
            if let Some(found) = self.district_aliases.get(&fold_compact(district)) {
                districts.extend(
                    found
                        .iter()
                        .filter(|(p, _)| old_provinces.is_empty() || old_provinces.contains(p))
                        .map(|(_, d)| d.clone()),
                );
            }
        }
        let commune_keys = lookup_keys(commune);
        let find = |map: &HashMap<(String, String), Candidates>, scopes: &[String]| -> Candidates {
            let mut found = Vec::new();
            for scope in scopes {
                if let Some(hits) = commune_keys.iter().find_map(|k| map.get(&(scope.clone(), k.clone()))) {
                    found.extend(hits.iter().copied());
                }
            }
            found
        };
        let old_hits = if commune.is_empty() {
            Vec::new()
        } else if !districts.is_empty() {
            find(&self.old_communes_in_district, &districts)
        } else {
            find(&self.old_communes_in_province, &old_provinces)
        };
        let new_hits = if commune.is_empty() || !districts.is_empty() {
            Vec::new()
        } else {
            find(&self.new_communes_in_province, &new_provinces)
        };
        // A commune known only by a name from before a merger, inside the
        // district or province the record gives (alone, such names repeat
        // across the country).
        let old_hits = if old_hits.is_empty() && new_hits.is_empty() && !commune.is_empty() {
            let scope: Vec<usize> = self.commune_aliases.get(&fold_compact(commune)).cloned().unwrap_or_default();
            scope
                .into_iter()
                .filter(|&i| {
                    let unit = &self.admin.old_units[i];
                    if !districts.is_empty() {
                        districts.contains(&unit.district_code)
                    } else {
                        !old_provinces.is_empty() && old_provinces.contains(&unit.province_code)
                    }
                })
                .collect()
        } else {
            old_hits
        };

        // A record without a district is written in post-2025 units unless
        // only the old list knows its commune.
        match (old_hits.as_slice(), new_hits.as_slice()) {
            (_, [one]) => self.set_new(&mut resolution, *one),
            ([one], []) => self.set_old(&mut resolution, *one),
            ([], []) => {
                if let [one] = districts.as_slice() {
                    resolution.old_district = self.old_district_first_unit.get(one).copied();
                }
                if old_provinces.len() == 1 {
                    resolution.old_province = Some(old_provinces[0].clone());
                    resolution.written_in_old_units = !district.is_empty();
                }
                if new_provinces.len() == 1 {
                    resolution.new_province = Some(new_provinces[0].clone());
                }
            }
            (old, new) => {
                resolution.status = AddressStatus::Ambiguous;
                let mut names: Vec<String> = old
                    .iter()
                    .map(|&i| {
                        let u = &self.admin.old_units[i];
                        format!("{} ({}, {})", u.commune_name, u.district_name, u.province_name)
                    })
                    .chain(new.iter().map(|&i| {
                        let c = &self.admin.new_communes[i];
                        let p = &self.admin.new_provinces[&c.province_code];
                        format!("{} ({})", c.commune_name, p.name)
                    }))
                    .collect();
                names.sort();
                resolution.suggestion = names.join(" | ");
                if new_provinces.len() == 1 {
                    resolution.new_province = Some(new_provinces[0].clone());
                }
            }
        }
        resolution
    }

    fn set_new(&self, resolution: &mut Resolution, index: usize) {
        let commune = &self.admin.new_communes[index];
        resolution.status = AddressStatus::Exact;
        resolution.new_commune = Some(index);
        resolution.new_province = Some(commune.province_code.clone());
    }

    fn set_old(&self, resolution: &mut Resolution, index: usize) {
        let unit = &self.admin.old_units[index];
        resolution.status = AddressStatus::Exact;
        resolution.old_unit = Some(index);
        resolution.old_province = Some(unit.province_code.clone());
        resolution.written_in_old_units = true;
        resolution.new_province = self.admin.old_province_to_new.get(&unit.province_code).cloned();
        if let Some(mapping) = self.admin.old_to_new.get(&unit.commune_code) {
            if mapping.is_split {
                // Which successor holds the record depends on where in the
                // old commune it lies; without the street part that is a
                // guess, offered only as a suggestion.
                resolution.status = AddressStatus::Ambiguous;
                if let Some(&default) = mapping.targets.first().and_then(|code| self.new_commune_by_code.get(code)) {
                    resolution.suggestion = self.admin.new_communes[default].commune_name.clone();
                }
            } else if let Some(&target) = mapping.targets.first().and_then(|code| self.new_commune_by_code.get(code)) {
                resolution.new_commune = Some(target);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{RuleSource, Rules};

    fn resolve(commune: &str, district: &str, province: &str) -> (Resolution, Rules) {
        let rules = Rules::load(&RuleSource::BuiltIn, None).unwrap();
        let index = AddressIndex::new(&rules.admin);
        let input = AddressInput {
            street: String::new(),
            commune: commune.into(),
            district: district.into(),
            province: province.into(),
            ..AddressInput::default()
        };
        let resolution = index.resolve(&input);
        (resolution, rules)
    }

    #[test]
    fn an_old_three_level_address_maps_to_its_new_commune() {
        let (r, rules) = resolve("Xã Trung Hạ", "Huyện Quan Sơn", "Tỉnh Thanh Hóa");
        assert_eq!(r.status, AddressStatus::Exact);
        let unit = &rules.admin.old_units[r.old_unit.unwrap()];
        assert_eq!((unit.district_code.as_str(), unit.province_code.as_str()), ("387", "38"));
        assert!(r.written_in_old_units);
        assert!(r.new_commune.is_some());
        assert_eq!(r.new_province.as_deref(), Some("38"));
    }

    #[test]
    fn a_new_two_level_address_without_diacritics_resolves() {
        let (r, rules) = resolve("phuong ba dinh", "", "ha noi");
        assert_eq!(r.status, AddressStatus::Exact);
        assert_eq!(rules.admin.new_communes[r.new_commune.unwrap()].commune_code, "00004");
        assert!(!r.written_in_old_units);
    }

    #[test]
    fn numbered_wards_match_in_any_spelling() {
        for ward in ["Phường 14", "P.14", "P14", "F14", "phuong 014"] {
            let (r, rules) = resolve(ward, "Quận 3", "TP HCM");
            assert_eq!(r.status, AddressStatus::Exact, "{ward}");
            assert_eq!(rules.admin.old_units[r.old_unit.unwrap()].commune_code, "27127", "{ward}");
        }
    }

    #[test]
    fn names_from_before_the_mergers_resolve_inside_their_district() {
        // Phường 10 of Quận 3 was merged into Phường 9 (legacy aliases).
        let (r, rules) = resolve("Phường 10", "Quận 3", "Thành phố Hồ Chí Minh");
        assert_eq!(r.status, AddressStatus::Exact);
        assert_eq!(rules.admin.old_units[r.old_unit.unwrap()].commune_code, "27142");
        // Quận 9 became part of Thành phố Thủ Đức.
        let (r, rules) = resolve("Phường Long Bình", "Quận 9", "TP HCM");
        assert_eq!(r.status, AddressStatus::Exact);
        assert_eq!(rules.admin.old_units[r.old_unit.unwrap()].district_code, "769");
    }

    #[test]
    fn free_text_tail_is_split_from_the_street() {
        let rules = Rules::load(&RuleSource::BuiltIn, None).unwrap();
        let index = AddressIndex::new(&rules.admin);
        let input = AddressInput {
            street: "Bản Bó, Xã Trung Hạ, Huyện Quan Sơn, Tỉnh Thanh Hóa".into(),
            ..AddressInput::default()
        };
        let r = index.resolve(&input);
        assert_eq!(r.status, AddressStatus::Exact);
        assert_eq!(r.street, "Bản Bó");
    }
}
