//! Places a record in its commune, in the units before and after the 2025
//! reform. Free text is split into a street part and the administrative
//! units at its end; unit names are matched exactly and then fuzzily inside
//! the hierarchy the record gives (a commune inside its district or
//! province); the separate columns and the free text vote.

mod columns;
mod free_text;
mod index;
mod reform;
mod tokenize;
mod vocabulary;
mod vote;

pub use index::AddressIndex;
use index::Scope;
use vote::vote;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AddressStatus {
    Exact,
    Fuzzy,
    Ambiguous,
    Unresolved,
}

impl AddressStatus {
    pub const ALL: [AddressStatus; 4] =
        [AddressStatus::Exact, AddressStatus::Fuzzy, AddressStatus::Ambiguous, AddressStatus::Unresolved];

    pub fn label(self) -> &'static str {
        match self {
            AddressStatus::Exact => "exact",
            AddressStatus::Fuzzy => "fuzzy",
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
    /// 1.0 for an exact match; the weakest unit's similarity for a fuzzy one.
    pub score: f32,
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
    /// True when the commune is not inside the district or province the
    /// record states, or the columns and the free text disagree.
    pub mismatch: bool,
    /// Names of the candidate units when ambiguous, or the mapping's default
    /// successor of a split commune.
    pub suggestion: String,
    pub street: String,
}

impl Resolution {
    fn unresolved(street: String) -> Resolution {
        Resolution {
            status: AddressStatus::Unresolved,
            score: 0.0,
            old_unit: None,
            old_district: None,
            old_province: None,
            new_commune: None,
            new_province: None,
            written_in_old_units: false,
            mismatch: false,
            suggestion: String::new(),
            street,
        }
    }

    fn is_placed(&self) -> bool {
        matches!(self.status, AddressStatus::Exact | AddressStatus::Fuzzy)
    }

    /// The unit this resolution names, for comparing two resolutions.
    fn place(&self) -> (Option<usize>, Option<usize>) {
        (self.new_commune, self.old_unit)
    }
}

impl AddressIndex<'_> {
    /// Resolves an address given as separate columns, a free-text string, or
    /// both. When both are present they vote.
    pub fn resolve(&self, input: &AddressInput) -> Resolution {
        if let Some(resolution) = self.resolve_codes(input) {
            return resolution;
        }
        let has_columns = !(input.commune.is_empty() && input.district.is_empty() && input.province.is_empty());
        if !has_columns {
            return self.resolve_free_text(&input.street, &[], &[]);
        }
        let columns = self.resolve_columns(input);
        if input.street.is_empty() {
            return columns;
        }
        let province_hint = self.scopes_of_province(&columns);
        let district_hint: Vec<Scope> =
            columns.old_district.map(|i| self.district_scope(i)).into_iter().collect::<Vec<_>>();
        let text = self.resolve_free_text(&input.street, &province_hint, &district_hint);
        vote(columns, text, self.admin)
    }

    fn district_scope(&self, old_unit: usize) -> Scope {
        Scope::OldDistrict(self.old_district_index[&self.admin.old_units[old_unit].district_code])
    }

    fn scopes_of_province(&self, resolution: &Resolution) -> Vec<Scope> {
        let mut scopes = Vec::new();
        if let Some(p) = resolution.old_province.as_ref().and_then(|c| self.old_province_index.get(c)) {
            scopes.push(Scope::OldProvince(*p));
        }
        if let Some(p) = resolution.new_province.as_ref().and_then(|c| self.new_province_index.get(c)) {
            scopes.push(Scope::NewProvince(*p));
        }
        scopes
    }
}

#[cfg(test)]
mod tests {
    use super::index::{similarity, MIN_FUZZY_SCORE};
    use super::tokenize::tokenize;
    use super::*;
    use crate::rules::{RuleSource, Rules};

    fn rules() -> Rules {
        Rules::load(&RuleSource::BuiltIn, None).unwrap()
    }

    fn resolve_in(rules: &Rules, commune: &str, district: &str, province: &str) -> Resolution {
        let index = AddressIndex::new(&rules.admin, &rules.address_words);
        let input = AddressInput {
            street: String::new(),
            commune: commune.into(),
            district: district.into(),
            province: province.into(),
            ..AddressInput::default()
        };
        index.resolve(&input)
    }

    #[test]
    fn an_old_three_level_address_maps_to_its_new_commune() {
        let rules = rules();
        let r = resolve_in(&rules, "Xã Trung Hạ", "Huyện Quan Sơn", "Tỉnh Thanh Hóa");
        assert_eq!(r.status, AddressStatus::Exact);
        let unit = &rules.admin.old_units[r.old_unit.unwrap()];
        assert_eq!((unit.district_code.as_str(), unit.province_code.as_str()), ("387", "38"));
        assert!(r.written_in_old_units);
        assert!(r.new_commune.is_some());
        assert_eq!(r.new_province.as_deref(), Some("38"));
    }

    #[test]
    fn a_new_two_level_address_without_diacritics_resolves() {
        let rules = rules();
        let r = resolve_in(&rules, "phuong ba dinh", "", "ha noi");
        assert_eq!(r.status, AddressStatus::Exact);
        assert_eq!(rules.admin.new_communes[r.new_commune.unwrap()].commune_code, "00004");
        assert!(!r.written_in_old_units);
    }

    #[test]
    fn numbered_wards_match_in_any_spelling() {
        let rules = rules();
        for ward in ["Phường 14", "P.14", "P14", "F14", "phuong 014"] {
            let r = resolve_in(&rules, ward, "Quận 3", "TP HCM");
            assert_eq!(r.status, AddressStatus::Exact, "{ward}");
            assert_eq!(rules.admin.old_units[r.old_unit.unwrap()].commune_code, "27127", "{ward}");
        }
    }

    #[test]
    fn names_from_before_the_mergers_resolve_inside_their_district() {
        let rules = rules();
        // Phường 10 of Quận 3 was merged into Phường 9 (legacy aliases).
        let r = resolve_in(&rules, "Phường 10", "Quận 3", "Thành phố Hồ Chí Minh");
        assert_eq!(r.status, AddressStatus::Exact);
        assert_eq!(rules.admin.old_units[r.old_unit.unwrap()].commune_code, "27142");
        // Quận 9 became part of Thành phố Thủ Đức.
        let r = resolve_in(&rules, "Phường Long Bình", "Quận 9", "TP HCM");
        assert_eq!(r.status, AddressStatus::Exact);
        assert_eq!(rules.admin.old_units[r.old_unit.unwrap()].district_code, "769");
    }

    #[test]
    fn free_text_tail_is_split_from_the_street() {
        let rules = rules();
        let index = AddressIndex::new(&rules.admin, &rules.address_words);
        for text in [
            "Bản Bó, Xã Trung Hạ, Huyện Quan Sơn, Tỉnh Thanh Hóa",
            "Bản Bó, xa trung ha huyen quan son thanh hoa",
            "Bản Bó - X.Trung Hạ - H.Quan Sơn - T.Thanh Hóa, Việt Nam",
        ] {
            let r = index.resolve(&AddressInput { street: text.into(), ..AddressInput::default() });
            assert_eq!(r.status, AddressStatus::Exact, "{text}");
            assert_eq!(r.street, "Bản Bó", "{text}");
        }
    }

    #[test]
    fn typos_resolve_fuzzily_with_a_score() {
        let rules = rules();
        let r = resolve_in(&rules, "Xã Trung Hà", "Huyện Quan Sơn", "Tỉnh Thanh Hoá");
        assert_eq!(r.status, AddressStatus::Exact, "folded letters match exactly");
        let r = resolve_in(&rules, "Xã Trung Hạa", "Huyện Quan Sơnn", "Thanh Hóa");
        assert_eq!(r.status, AddressStatus::Fuzzy);
        assert!(r.score >= MIN_FUZZY_SCORE && r.score < 1.0, "{}", r.score);
        assert_eq!(rules.admin.old_units[r.old_unit.unwrap()].district_code, "387");
    }

    #[test]
    fn a_street_name_is_not_taken_for_a_commune() {
        let rules = rules();
        let index = AddressIndex::new(&rules.admin, &rules.address_words);
        let r =
            index.resolve(&AddressInput { street: "Số 5 Lê Lợi, Hà Nội".into(), ..AddressInput::default() });
        assert_eq!(r.status, AddressStatus::Unresolved);
        assert_eq!(r.street, "Số 5 Lê Lợi");
        assert_eq!(r.new_province.as_deref(), Some("01"));
    }

    #[test]
    fn glued_type_words_split_at_character_boundaries() {
        for text in ["Phường13", "quận1", "Phường5, Q. Bình Thạnh", "Phường1 .", "ĐƯỜNG P1", "Xã5"] {
            for token in tokenize(text, glued()) {
                assert!(text.is_char_boundary(token.start) && text.is_char_boundary(token.end), "{text}: {token:?}");
            }
        }
        let words: Vec<String> = tokenize("Phường13, quận1", glued()).into_iter().map(|t| t.word).collect();
        assert_eq!(words, ["phuong", "13", "quan", "1"]);
        let tokens = tokenize("Phường13", glued());
        assert_eq!(
            (&"Phường13"[tokens[0].start..tokens[0].end], &"Phường13"[tokens[1].start..tokens[1].end]),
            ("Phường", "13")
        );
    }

    fn glued() -> &'static [String] {
        &static_index().vocabulary.glued
    }

    fn static_index() -> &'static AddressIndex<'static> {
        static RULES: std::sync::OnceLock<Rules> = std::sync::OnceLock::new();
        static INDEX: std::sync::OnceLock<AddressIndex<'static>> = std::sync::OnceLock::new();
        INDEX.get_or_init(|| {
            let rules = RULES.get_or_init(rules);
            AddressIndex::new(&rules.admin, &rules.address_words)
        })
    }

    /// Address-like text: unit words, numbers glued or not, marks, and
    /// anything else Unicode has.
    fn address_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let piece = prop_oneof![
            Just("Phường".to_string()),
            Just("P.".to_string()),
            Just("quận".to_string()),
            Just("Q".to_string()),
            Just("Xã".to_string()),
            Just("TP.HCM".to_string()),
            Just("Hà Nội".to_string()),
            Just(", ".to_string()),
            Just(" - ".to_string()),
            "[0-9]{1,3}",
            "[a-zA-Zàáạảãâầấậẩẫăằắặẳẵđưừứựửữơờớợởỡ]{1,8}",
            "\\PC{1,4}",
            any::<String>(),
        ];
        proptest::collection::vec(piece, 0..8).prop_map(|pieces| pieces.concat())
    }

    proptest::proptest! {
        #[test]
        fn any_text_tokenizes_at_character_boundaries(text in address_text()) {
            let mut previous_end = 0;
            for token in tokenize(&text, glued()) {
                proptest::prop_assert!(text.is_char_boundary(token.start) && text.is_char_boundary(token.end));
                proptest::prop_assert!(previous_end <= token.start && token.start < token.end);
                previous_end = token.end;
            }
        }

        #[test]
        fn any_address_resolves_without_panicking(
            street in address_text(),
            commune in address_text(),
            district in address_text(),
            province in address_text(),
        ) {
            let index = static_index();
            for input in [
                AddressInput { street: street.clone(), ..AddressInput::default() },
                AddressInput { street, commune, district, province, ..AddressInput::default() },
            ] {
                let _ = index.resolve(&input);
            }
        }
    }

    #[test]
    fn similarity_counts_a_transposition_as_one_edit() {
        assert_eq!(similarity("tanbinh", "tanbinh"), 1.0);
        assert!((similarity("tanbinh", "tanbnih") - (1.0 - 1.0 / 7.0)).abs() < 1e-6);
        assert!((similarity("abc", "") - 0.0).abs() < 1e-6);
    }
}

#[cfg(test)]
mod cases;
#[cfg(test)]
pub(crate) use cases::peer_vector_results;
