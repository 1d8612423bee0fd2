//! Addresses written as one string: the units are peeled off its end, most
//! general first; what is left is the street part.

use super::index::{district_scopes, AddressIndex, Hits, LevelMatch, NamePass, Scope, MAX_SPAN_WORDS};
use super::tokenize::{tokenize, Token};
use super::vocabulary::{typed_key, words_key, Level};
use super::Resolution;
use crate::text::tidy;

/// A run of words before the end of a level's search, as a name to look up.
struct Span {
    start: usize,
    /// Where the span starts with the type word written before it.
    consumed: usize,
    /// Whether a type word of the level is written before it.
    typed: bool,
    /// Whether a name may start here: at the text's start, after a
    /// separator or after a type word of the level; a number only after a
    /// type word.
    eligible: bool,
    key: String,
}

impl AddressIndex<'_> {
    /// The unit of `level` whose name ends the words before `end`; returns
    /// the match and where it (with its type word) starts. A district or
    /// commune span counts only when it starts the text, follows a separator
    /// or follows a type word of its level, so street names are not taken
    /// for communes.
    pub(super) fn match_span(
        &self,
        level: Level,
        scopes: &[Scope],
        text: &str,
        tokens: &[Token],
        end: usize,
    ) -> Option<(Hits, usize)> {
        let longest = end.min(MAX_SPAN_WORDS);
        // For each span length, what both passes ask of it: the type word
        // written before it, whether it may start there, and its key.
        let spans: Vec<Span> = (1..=longest)
            .map(|len| {
                let start = end - len;
                let type_before = self.vocabulary.type_word_before_any(tokens, start, level);
                let (eligible, consumed) = match type_before {
                    Some(type_len) => (true, start - type_len),
                    // The province ends the text: that anchors it well enough.
                    None => (start == 0 || tokens[start].boundary_before || level == Level::Province, start),
                };
                let words = &tokens[start..end];
                let numeric = words.iter().all(|t| t.word.bytes().all(|b| b.is_ascii_digit()));
                let eligible = eligible && !(numeric && type_before.is_none());
                let key = if eligible {
                    words_key(&words.iter().map(|t| t.word.as_str()).collect::<Vec<_>>())
                } else {
                    String::new()
                };
                Span { start, consumed, typed: type_before.is_some(), eligible, key }
            })
            .collect();
        // Every span is tried against the current names before any against
        // former names: `Xã Xuân Lâm` is a commune today even where a
        // neighbour was once called that.
        for pass in NamePass::BOTH {
            for span in spans.iter().rev().filter(|span| span.eligible) {
                let (start, consumed) = (span.start, span.consumed);
                let units = self.lookup_exact(pass, level, scopes, &span.key);
                if !units.is_empty() {
                    let name = &text[tokens[start].start..tokens[end - 1].end];
                    let written_type: Vec<&str> = tokens[consumed..start].iter().map(|t| t.word.as_str()).collect();
                    let units = self.refine(units, name, &written_type, level);
                    return Some((Hits { units, score: 1.0 }, consumed));
                }
                if consumed < start {
                    let units = self.lookup_initials(level, scopes, &span.key);
                    if !units.is_empty() {
                        return Some((Hits { units, score: 1.0 }, consumed));
                    }
                }
            }
        }
        // A misspelt name is looked for only where the text marks a unit of
        // this level: after its type word (or, for a province, after a
        // separator), the nearest such place before `end`.
        let marked = (end - longest..end).rev().find(|&start| {
            spans[end - start - 1].typed || (level == Level::Province && start > 0 && tokens[start].boundary_before)
        })?;
        let consumed = spans[end - marked - 1].consumed;
        let words: Vec<&str> = tokens[marked..end].iter().map(|t| t.word.as_str()).collect();
        let hits = self.lookup_fuzzy(level, scopes, &typed_key(&words));
        (!hits.is_empty()).then_some((hits, consumed))
    }

    /// The tail of a free-text address names the units, most general last:
    /// province, then district, then commune are peeled off its end; what
    /// is left is the street part. `province_hint` and `district_hint` are
    /// the scopes the separate columns give, used when the text does not
    /// name those levels itself.
    pub(super) fn resolve_free_text(&self, text: &str, province_hint: &[Scope], district_hint: &[Scope]) -> Resolution {
        let text = tidy(text);
        let tokens = tokenize(&text, &self.vocabulary.glued);
        let mut end = tokens.len();
        for country in &self.vocabulary.country {
            if end > country.len()
                && tokens[end - country.len()..end]
                    .iter()
                    .map(|t| t.word.as_str())
                    .eq(country.iter().map(String::as_str))
            {
                end -= country.len();
                break;
            }
        }
        let full_end = end;
        let mut province = LevelMatch::default();
        if let Some((hits, start)) = self.match_span(Level::Province, &[Scope::Nation], &text, &tokens, end) {
            province = LevelMatch { written: true, hits };
            end = start;
        }
        let mut province_scopes = self.province_scopes(&province.hits);
        if province_scopes.is_empty() {
            province_scopes = province_hint.to_vec();
        }
        let old_province_scopes: Vec<Scope> =
            province_scopes.iter().copied().filter(|s| matches!(s, Scope::OldProvince(_))).collect();
        let mut district = LevelMatch::default();
        // Where the district's name (without its type word) ends, and
        // whether a type word marked it as a district.
        let mut district_span: Option<(usize, bool)> = None;
        let district_search: &[Scope] =
            if province_scopes.is_empty() { &[Scope::Nation] } else { &old_province_scopes };
        if !district_search.is_empty() && end > 0 {
            if let Some((hits, start)) = self.match_span(Level::District, district_search, &text, &tokens, end) {
                // A district found in the whole country must be unique there.
                if !province_scopes.is_empty() || hits.units.len() == 1 {
                    let words: Vec<&str> = tokens[start..end].iter().map(|t| t.word.as_str()).collect();
                    district_span = Some((end, self.vocabulary.type_word_prefix(&words, Level::District).is_some()));
                    district = LevelMatch { written: true, hits };
                    end = start;
                }
            }
        }
        let mut district_scopes = district_scopes(&district.hits);
        if district_scopes.is_empty() && !province.written {
            district_scopes = district_hint.to_vec();
        }
        if province_scopes.is_empty() && !district.hits.is_empty() {
            province_scopes = self.province_scopes_of_district(&district.hits);
        }
        let searches: Vec<&[Scope]> = if !district_scopes.is_empty() {
            vec![&district_scopes, &province_scopes]
        } else if !province_scopes.is_empty() {
            vec![&province_scopes]
        } else {
            vec![&[Scope::Nation]]
        };
        let mut commune = LevelMatch::default();
        let mut outside_district = false;
        for (attempt, scopes) in searches.into_iter().enumerate() {
            if end == 0 {
                break;
            }
            if let Some((hits, start)) = self.match_span(Level::Commune, scopes, &text, &tokens, end) {
                commune = LevelMatch { written: true, hits };
                end = start;
                outside_district = attempt > 0;
                break;
            }
        }
        // Many post-2025 communes took the name of a former district
        // (`Mường La, Sơn La`): a district name with no type word and no
        // commune before it is read again as a commune.
        if let (true, Some((district_end, false))) = (commune.hits.is_empty(), district_span) {
            let scopes: &[Scope] = if province.written { &province_scopes } else { &[Scope::Nation] };
            if let Some((hits, start)) = self.match_span(Level::Commune, scopes, &text, &tokens, district_end) {
                commune = LevelMatch { written: true, hits };
                district = LevelMatch::default();
                end = start;
            }
        }
        let mut resolution = self.finish_text(&text, &tokens, end, full_end, &province, &district, &commune);
        resolution.mismatch |= outside_district && district.written && resolution.is_placed();
        resolution
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn finish_text(
        &self,
        text: &str,
        tokens: &[Token],
        end: usize,
        full_end: usize,
        province: &LevelMatch,
        district: &LevelMatch,
        commune: &LevelMatch,
    ) -> Resolution {
        let street = if end == full_end && !province.written && !district.written && !commune.written {
            text.to_string()
        } else if end == 0 {
            String::new()
        } else {
            let cut = tokens[end].start;
            text[..cut].trim_end_matches(|c: char| c.is_whitespace() || ",;-|(".contains(c)).to_string()
        };
        self.build(province, district, commune, street)
    }
}
