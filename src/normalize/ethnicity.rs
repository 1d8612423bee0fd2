//! Ethnicity: the 54 official groups, matched by name, by the spelling
//! variants seen in real data, by the older names of the 1979 list, and by
//! code.

use std::collections::HashMap;

use super::text::fold_compact;
use crate::rules::Table;

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
    pub fn new(table: &Table) -> EthnicIndex {
        let mut index = EthnicIndex { by_key: HashMap::new(), by_code: HashMap::new(), groups: Vec::new() };
        for row in table.rows() {
            index.groups.push(EthnicGroup { code: row.get("code").to_string(), name: row.get("name").to_string() });
        }
        for (i, row) in table.rows().enumerate() {
            index.by_key.insert(fold_compact(row.get("name")), i);
            let code = row.get("code");
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
