//! From what each level matched to a resolution in both systems: the
//! pre-2025 commune and its post-2025 successor through the reform's
//! mapping, a split commune settled by a successor the street names, the
//! candidates of an ambiguous name.

use std::collections::BTreeSet;

use super::index::{AddressIndex, Hits, LevelMatch, Scope, Unit};
use super::{AddressStatus, Resolution};

impl AddressIndex<'_> {
    pub(super) fn province_scopes(&self, hits: &Hits) -> Vec<Scope> {
        let mut scopes = Vec::new();
        for unit in &hits.units {
            match *unit {
                Unit::OldProvince(p) => {
                    scopes.push(Scope::OldProvince(p));
                    let code = &self.old_province_codes[p as usize];
                    if let Some(new) = self.admin.old_province_to_new.get(code) {
                        let scope = Scope::NewProvince(self.new_province_index[new]);
                        if !scopes.contains(&scope) {
                            scopes.push(scope);
                        }
                    }
                }
                Unit::NewProvince(p) if !scopes.contains(&Scope::NewProvince(p)) => scopes.push(Scope::NewProvince(p)),
                _ => {}
            }
        }
        scopes
    }

    pub(super) fn province_scopes_of_district(&self, hits: &Hits) -> Vec<Scope> {
        let units: Vec<Unit> = hits
            .units
            .iter()
            .filter_map(|u| match u {
                Unit::OldDistrict(d) => Some(Unit::OldProvince(self.old_districts[*d as usize].1)),
                _ => None,
            })
            .collect();
        self.province_scopes(&Hits { units, score: 1.0 })
    }

    /// A resolution from what each level matched.
    pub(super) fn build(
        &self,
        province: &LevelMatch,
        district: &LevelMatch,
        commune: &LevelMatch,
        street: String,
    ) -> Resolution {
        let mut resolution = Resolution::unresolved(street);
        let score = [province, district, commune]
            .iter()
            .filter(|m| !m.hits.is_empty())
            .map(|m| m.hits.score)
            .fold(1.0f32, f32::min);
        let districts: Vec<u16> = district
            .hits
            .units
            .iter()
            .filter_map(|u| if let Unit::OldDistrict(d) = u { Some(*d) } else { None })
            .collect();
        let old_communes: Vec<usize> = commune
            .hits
            .units
            .iter()
            .filter_map(|u| if let Unit::OldCommune(i) = u { Some(*i as usize) } else { None })
            .collect();
        let new_communes: Vec<usize> = if district.written {
            Vec::new()
        } else {
            commune
                .hits
                .units
                .iter()
                .filter_map(|u| if let Unit::NewCommune(i) = u { Some(*i as usize) } else { None })
                .collect()
        };
        match (old_communes.as_slice(), new_communes.as_slice()) {
            (_, [one]) => self.set_new(&mut resolution, *one, score),
            ([one], []) => self.set_old(&mut resolution, *one, score),
            ([], []) => {
                // No commune: keep the levels above it that are certain.
                if let [one] = districts.as_slice() {
                    let (_, province, unit) = self.old_districts[*one as usize];
                    resolution.old_district = Some(unit);
                    resolution.old_province = Some(self.old_province_codes[province as usize].clone());
                    resolution.written_in_old_units = true;
                }
                let scopes = if districts.len() == 1 {
                    self.province_scopes_of_district(&district.hits)
                } else {
                    self.province_scopes(&province.hits)
                };
                let olds: Vec<u16> =
                    scopes.iter().filter_map(|s| if let Scope::OldProvince(p) = s { Some(*p) } else { None }).collect();
                let news: Vec<u16> =
                    scopes.iter().filter_map(|s| if let Scope::NewProvince(p) = s { Some(*p) } else { None }).collect();
                if let [one] = olds.as_slice() {
                    resolution.old_province = Some(self.old_province_codes[*one as usize].clone());
                }
                if let [one] = news.as_slice() {
                    resolution.new_province = Some(self.new_province_codes[*one as usize].clone());
                }
            }
            (old, new) => {
                // Several old communes of one name that all became the same
                // new commune still place the record in the new units.
                let targets: BTreeSet<&str> = old
                    .iter()
                    .filter_map(|&i| self.admin.old_to_new.get(&self.admin.old_units[i].commune_code))
                    .filter(|m| !m.is_split)
                    .filter_map(|m| m.targets.first().map(String::as_str))
                    .collect();
                let all_mapped = targets.len() == 1
                    && new.is_empty()
                    && old.iter().all(|&i| self.admin.old_to_new.contains_key(&self.admin.old_units[i].commune_code));
                resolution.status = AddressStatus::Ambiguous;
                resolution.suggestion = self.candidate_names(old, new);
                if all_mapped {
                    if let Some(&target) = targets.first().and_then(|code| self.new_commune_by_code.get(*code)) {
                        resolution.new_commune = Some(target);
                    }
                }
                let provinces: BTreeSet<&str> = old
                    .iter()
                    .map(|&i| self.admin.old_units[i].province_code.as_str())
                    .filter_map(|c| self.admin.old_province_to_new.get(c).map(String::as_str))
                    .chain(new.iter().map(|&i| self.admin.new_communes[i].province_code.as_str()))
                    .collect();
                if let [one] = provinces.into_iter().collect::<Vec<_>>().as_slice() {
                    resolution.new_province = Some(one.to_string());
                }
            }
        }
        if resolution.status != AddressStatus::Unresolved {
            resolution.written_in_old_units |= district.written;
        }
        self.settle_split(&mut resolution);
        resolution
    }

    pub(super) fn candidate_names(&self, old: &[usize], new: &[usize]) -> String {
        const SHOWN: usize = 5;
        let mut names: Vec<String> = old
            .iter()
            .map(|&i| {
                let u = &self.admin.old_units[i];
                format!("{} ({}, {})", u.commune_name, u.district_name, u.province_name)
            })
            .chain(new.iter().map(|&i| {
                let c = &self.admin.new_communes[i];
                format!("{} ({})", c.commune_name, self.admin.new_provinces[&c.province_code].name)
            }))
            .collect();
        names.sort();
        let more = names.len().saturating_sub(SHOWN);
        names.truncate(SHOWN);
        let mut text = names.join(" | ");
        if more > 0 {
            text.push_str(&format!(" | … (+{more})"));
        }
        text
    }

    /// An old commune split among several new ones is ambiguous unless the
    /// street part names one of its successors.
    pub(super) fn settle_split(&self, resolution: &mut Resolution) {
        let Some(old) = resolution.old_unit else { return };
        let Some(mapping) = self.admin.old_to_new.get(&self.admin.old_units[old].commune_code) else { return };
        if !mapping.is_split || resolution.new_commune.is_some() {
            return;
        }
        let street = format!(" {} ", crate::text::fold_words(&resolution.street));
        let named: Vec<usize> = mapping
            .targets
            .iter()
            .filter_map(|code| self.new_commune_by_code.get(code).copied())
            .filter(|&i| {
                let name = crate::text::fold_words(&self.admin.new_communes[i].commune_short_name);
                name.len() >= 4 && street.contains(&format!(" {name} "))
            })
            .collect();
        if let [one] = named.as_slice() {
            resolution.new_commune = Some(*one);
            return;
        }
        resolution.status = AddressStatus::Ambiguous;
        if let Some(&default) = mapping.targets.first().and_then(|code| self.new_commune_by_code.get(code)) {
            resolution.suggestion = self.admin.new_communes[default].commune_name.clone();
        }
    }

    pub(super) fn set_new(&self, resolution: &mut Resolution, index: usize, score: f32) {
        let commune = &self.admin.new_communes[index];
        resolution.status = if score < 1.0 { AddressStatus::Fuzzy } else { AddressStatus::Exact };
        resolution.score = score;
        resolution.new_commune = Some(index);
        resolution.new_province = Some(commune.province_code.clone());
    }

    pub(super) fn set_old(&self, resolution: &mut Resolution, index: usize, score: f32) {
        let unit = &self.admin.old_units[index];
        resolution.status = if score < 1.0 { AddressStatus::Fuzzy } else { AddressStatus::Exact };
        resolution.score = score;
        resolution.old_unit = Some(index);
        resolution.old_province = Some(unit.province_code.clone());
        resolution.written_in_old_units = true;
        resolution.new_province = self.admin.old_province_to_new.get(&unit.province_code).cloned();
        if let Some(mapping) = self.admin.old_to_new.get(&unit.commune_code) {
            if !mapping.is_split {
                resolution.new_commune =
                    mapping.targets.first().and_then(|code| self.new_commune_by_code.get(code)).copied();
            }
        }
    }
}
