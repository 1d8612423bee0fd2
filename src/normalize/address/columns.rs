//! Addresses written in columns of their own (commune, district, province),
//! and the codes of a cleaned file, which decide where present.

use super::index::{district_scopes, similarity, AddressIndex, Hits, LevelMatch, NamePass, Scope};
use super::tokenize::tokenize;
use super::vocabulary::{typed_key, words_key, Level};
use super::{AddressInput, Resolution};
use crate::text::tidy;

impl AddressIndex<'_> {
    /// A name written in a column of its own, whole.
    pub(super) fn match_column(&self, level: Level, scopes: &[Scope], text: &str) -> LevelMatch {
        let tokens = tokenize(text, &self.vocabulary.glued);
        let words: Vec<&str> = tokens.iter().map(|t| t.word.as_str()).collect();
        if words.is_empty() {
            return LevelMatch::default();
        }
        // The type word once (`Huyện Quan Hóa`: `Quan` is the name's, though
        // it folds like `Quận`), then written twice (`Phường Phường 15`),
        // then the name whole.
        let once = self.vocabulary.type_word_prefix(&words, level).filter(|&len| len < words.len()).unwrap_or(0);
        let twice = self.vocabulary.type_words_prefix(&words, level).filter(|&len| len < words.len()).unwrap_or(0);
        let mut type_lengths = vec![once];
        for length in [twice, 0] {
            if !type_lengths.contains(&length) {
                type_lengths.push(length);
            }
        }
        let keys: Vec<String> = type_lengths.iter().map(|&length| words_key(&words[length..])).collect();
        for pass in NamePass::BOTH {
            for (key, &type_len) in keys.iter().zip(&type_lengths) {
                let units = self.lookup_exact(pass, level, scopes, key);
                if !units.is_empty() {
                    let name = &text[tokens[type_len].start..];
                    let units = self.refine(units, name, &words[..type_len], level);
                    return LevelMatch { written: true, hits: Hits { units, score: 1.0 } };
                }
            }
        }
        let type_len = once;
        if type_len > 0 {
            let units = self.lookup_initials(level, scopes, &keys[0]);
            if !units.is_empty() {
                return LevelMatch { written: true, hits: Hits { units, score: 1.0 } };
            }
        }
        // A misspelt type word (`Thị trấnn`, `Đặc kuh`) is dropped before
        // the name is matched fuzzily.
        let fuzzy_key = if type_len > 0 {
            typed_key(&words[type_len..])
        } else {
            let misspelt_type = (1..=2.min(words.len() - 1)).rev().find(|&len| {
                let written = words[..len].concat();
                self.vocabulary.type_words(level).iter().any(|t| similarity(&written, &t.words.concat()) >= 0.75)
            });
            typed_key(&words[misspelt_type.unwrap_or(0)..])
        };
        LevelMatch { written: true, hits: self.lookup_fuzzy(level, scopes, &fuzzy_key) }
    }

    /// Codes decide when present: a cleaned file carries both systems' codes,
    /// and cleaning it again must place every record where it was.
    pub(super) fn resolve_codes(&self, input: &AddressInput) -> Option<Resolution> {
        let new = self.new_commune_by_code.get(input.commune_code.trim()).copied();
        let old = self.old_unit_by_code.get(input.old_commune_code.trim()).copied();
        let street = tidy(&input.street);
        match (new, old) {
            (None, None) => None,
            (None, Some(old)) => {
                let mut resolution = Resolution::unresolved(street);
                self.set_old(&mut resolution, old, 1.0);
                Some(resolution)
            }
            (Some(new), old) => {
                let mut resolution = Resolution::unresolved(street);
                if let Some(old) = old {
                    let unit = &self.admin.old_units[old];
                    resolution.old_unit = Some(old);
                    resolution.old_province = Some(unit.province_code.clone());
                }
                self.set_new(&mut resolution, new, 1.0);
                Some(resolution)
            }
        }
    }

    pub(super) fn resolve_columns(&self, input: &AddressInput) -> Resolution {
        let province = self.match_column(Level::Province, &[Scope::Nation], &input.province);
        let province_scopes = self.province_scopes(&province.hits);
        let old_province_scopes: Vec<Scope> =
            province_scopes.iter().copied().filter(|s| matches!(s, Scope::OldProvince(_))).collect();
        let mut mismatch = false;
        let district = if input.district.is_empty() {
            LevelMatch::default()
        } else if old_province_scopes.is_empty() {
            self.match_column(Level::District, &[Scope::Nation], &input.district)
        } else {
            let inside = self.match_column(Level::District, &old_province_scopes, &input.district);
            if inside.hits.is_empty() {
                // A district of another province: take it only when its
                // name is unique in the country.
                let anywhere = self.match_column(Level::District, &[Scope::Nation], &input.district);
                if anywhere.hits.units.len() == 1 && anywhere.hits.score == 1.0 {
                    mismatch = true;
                    anywhere
                } else if let Some(pair) = self.district_of_unique_pair(&anywhere, &input.commune) {
                    // A common district name (`Châu Thành`) whose pair with
                    // the commune exists in one province only: the pair
                    // places the record, against the province written.
                    mismatch = true;
                    pair
                } else {
                    inside
                }
            } else {
                inside
            }
        };
        let district_scopes = district_scopes(&district.hits);
        let mut commune = LevelMatch::default();
        if !input.commune.is_empty() {
            if !district_scopes.is_empty() {
                commune = self.match_column(Level::Commune, &district_scopes, &input.commune);
            }
            if commune.hits.is_empty() && !province_scopes.is_empty() {
                commune = self.match_column(Level::Commune, &province_scopes, &input.commune);
                mismatch |= !commune.hits.is_empty() && !district_scopes.is_empty();
            }
            if commune.hits.is_empty() && province_scopes.is_empty() && district_scopes.is_empty() {
                commune = self.match_column(Level::Commune, &[Scope::Nation], &input.commune);
            }
            commune.written = true;
        }
        let mut resolution = self.build(&province, &district, &commune, tidy(&input.street));
        resolution.mismatch |= mismatch && resolution.is_placed();
        resolution
    }

    /// Of the districts a name denotes across the country, the one in which
    /// `commune` names a unit exactly, when there is exactly one.
    fn district_of_unique_pair(&self, districts: &LevelMatch, commune: &str) -> Option<LevelMatch> {
        if commune.is_empty() || districts.hits.score < 1.0 || districts.hits.units.len() < 2 {
            return None;
        }
        let mut found = districts.hits.units.iter().filter(|&&unit| {
            let scopes = district_scopes(&Hits { units: vec![unit], score: 1.0 });
            let hits = self.match_column(Level::Commune, &scopes, commune).hits;
            hits.score == 1.0 && !hits.is_empty()
        });
        let unit = *found.next()?;
        if found.next().is_some() {
            return None;
        }
        Some(LevelMatch { written: true, hits: Hits { units: vec![unit], score: 1.0 } })
    }
}
