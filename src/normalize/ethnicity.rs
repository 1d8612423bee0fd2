//! Ethnicity: the 54 official groups, matched by name, by the spelling
//! variants seen in real data, by the older names of the 1979 list, and by
//! code.

use crate::hash::HashMap;
use crate::rules::Table;
use crate::text::fold_compact;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EthnicGroup {
    pub code: String,
    pub name: String,
}

pub struct EthnicIndex {
    by_key: HashMap<String, usize>,
    by_code: HashMap<String, usize>,
    groups: Vec<EthnicGroup>,
}

impl EthnicIndex {
    /// Official names win over spelling variants, and variants over the
    /// 1979 list's other names: that list gives `Tày` as another name of the
    /// Thái, yet `Tày` is a group of its own.
    /// `code_column` is the column of `ethnic_groups.csv` whose codes are
    /// read and written: the 1979 list (`code`) or the 2008 one.
    pub fn new(table: &Table, code_column: &str) -> EthnicIndex {
        let mut index = EthnicIndex { by_key: HashMap::default(), by_code: HashMap::default(), groups: Vec::new() };
        for row in table.rows() {
            index
                .groups
                .push(EthnicGroup { code: row.get(code_column).to_string(), name: row.get("name").to_string() });
        }
        for (i, row) in table.rows().enumerate() {
            index.by_key.insert(fold_compact(row.get("name")), i);
            let code = row.get(code_column);
            index.by_code.insert(code.to_string(), i);
            if let Ok(n) = code.parse::<u32>() {
                index.by_code.insert(n.to_string(), i);
            }
        }
        for column in ["spelling_variants", "other_names_qd121_1979"] {
            for (i, row) in table.rows().enumerate() {
                for alias in row.get(column).split(';') {
                    // "Tày Khao (Thái Trắng)": both the name and the gloss.
                    for part in alias.split(['(', ')']) {
                        let key = fold_compact(part);
                        if !key.is_empty() {
                            index.by_key.entry(key).or_insert(i);
                        }
                    }
                }
            }
        }
        index
    }

    pub fn find(&self, raw: &str) -> Option<&EthnicGroup> {
        let key = fold_compact(raw);
        let key = key.strip_prefix("dantoc").unwrap_or(&key);
        self.by_key.get(key).or_else(|| self.by_code.get(key)).map(|&i| &self.groups[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{RuleSource, Rules};

    #[test]
    fn names_variants_and_codes_of_either_list_find_the_group() {
        let rules = Rules::load(&RuleSource::BuiltIn, None).unwrap();
        let index_1979 = EthnicIndex::new(&rules.ethnic_groups, "code");
        let index_2008 = EthnicIndex::new(&rules.ethnic_groups, "code_qd1019_2008");
        for raw in ["Mông", "H'Mông", "Hmông", "Mèo", "mong"] {
            assert_eq!(index_1979.find(raw).map(|g| g.name.as_str()), Some("Mông"), "{raw}");
        }
        assert_eq!(index_1979.find("Khơ-me").map(|g| g.name.as_str()), Some("Khmer"));
        assert_eq!(
            index_1979.find("Tày").map(|g| g.name.as_str()),
            Some("Tày"),
            "an official name beats another group's old name"
        );
        let muong_1979 = index_1979.find("Mường").unwrap();
        let muong_2008 = index_2008.find("Mường").unwrap();
        assert_eq!((muong_1979.code.as_str(), muong_2008.code.as_str()), ("06", "04"));
        assert_eq!(index_1979.find("04").map(|g| g.name.as_str()), Some("Hoa"));
        assert_eq!(index_2008.find("04").map(|g| g.name.as_str()), Some("Mường"));
        assert!(index_1979.find("Không rõ").is_none());
    }
}
