//! `columns.toml`: which input headers mean which canonical field. Headers
//! are compared folded (case, diacritics, spacing and punctuation ignored),
//! so one alias covers `Họ tên`, `HO_TEN` and `hoten`.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::error::RuleError;
use crate::hash::HashMap;
use crate::record::Field;
use crate::text::fold_compact;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldAliases {
    aliases: Vec<Spanned<String>>,
    /// Only for citizen_id: aliases of a column that holds either number.
    #[serde(default)]
    either_old_id: Vec<Spanned<String>>,
}

#[derive(Clone, Debug, Default)]
pub struct ColumnRules {
    by_key: HashMap<String, Field>,
    /// Folded headers of citizen-ID columns that may hold an old ID.
    either_old_id: crate::hash::HashSet<String>,
}

impl ColumnRules {
    pub fn parse(file: &str, text: &str) -> Result<ColumnRules, Vec<RuleError>> {
        let mut rules = ColumnRules::default();
        for field in Field::ALL {
            rules.by_key.insert(fold_compact(field.name()), field);
        }
        rules.add_file(file, text)?;
        Ok(rules)
    }

    /// Adds the aliases of another file of the same shape. Its aliases win
    /// over earlier ones: an extract whose `Tên` column holds the full name
    /// says so in its own file.
    pub fn add_file(&mut self, file: &str, text: &str) -> Result<(), Vec<RuleError>> {
        let parsed: BTreeMap<Spanned<String>, FieldAliases> =
            toml::from_str(text).map_err(|e| vec![super::toml_error(file, text, &e)])?;
        let mut errors = Vec::new();
        let mut seen_here: HashMap<String, Field> = HashMap::default();
        // In file order, so a conflict is reported at its second occurrence.
        let mut entries: Vec<_> = parsed.into_iter().collect();
        entries.sort_by_key(|(name, _)| name.span().start);
        for (name, entry) in entries {
            let line = super::line_of(text, name.span().start);
            let Some(field) = Field::from_name(name.get_ref()) else {
                let known: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
                errors.push(RuleError {
                    file: file.to_string(),
                    line,
                    message: format!("unknown field `{}`; fields are: {}", name.get_ref(), known.join(", ")),
                });
                continue;
            };
            if !entry.either_old_id.is_empty() && field != Field::CitizenId {
                errors.push(RuleError {
                    file: file.to_string(),
                    line,
                    message: format!("either_old_id is for citizen_id only, not {field}"),
                });
            }
            let either: Vec<String> = entry.either_old_id.iter().map(|a| fold_compact(a.get_ref())).collect();
            for alias in entry.aliases.into_iter().chain(entry.either_old_id) {
                let key = fold_compact(alias.get_ref());
                let line = super::line_of(text, alias.span().start);
                if key.is_empty() {
                    errors.push(RuleError {
                        file: file.to_string(),
                        line,
                        message: format!("alias `{}` of {field} has no letters or digits", alias.get_ref()),
                    });
                    continue;
                }
                if let Some(&other) = seen_here.get(&key) {
                    if other != field {
                        errors.push(RuleError {
                            file: file.to_string(),
                            line,
                            message: format!(
                                "alias `{}` of {field} is also an alias of {other} (aliases are compared without case, diacritics, spaces and punctuation)",
                                alias.get_ref()
                            ),
                        });
                        continue;
                    }
                }
                seen_here.insert(key.clone(), field);
                if either.contains(&key) {
                    self.either_old_id.insert(key.clone());
                } else {
                    self.either_old_id.remove(&key);
                }
                self.by_key.insert(key, field);
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The canonical field a header names, if any.
    pub fn field_for(&self, header: &str) -> Option<Field> {
        self.by_key.get(&fold_compact(header)).copied()
    }

    /// Whether a citizen-ID header names a column that may hold an old ID
    /// (`CCCD/CMND`).
    pub fn holds_either_id(&self, header: &str) -> bool {
        self.either_old_id.contains(&fold_compact(header))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn built_in() -> ColumnRules {
        ColumnRules::parse("rules/columns.toml", include_str!("../../rules/columns.toml")).unwrap()
    }

    #[test]
    fn headers_of_real_exports_map_to_their_fields() {
        let rules = built_in();
        let cases = [
            ("Họ và tên", Field::FullName),
            ("Họ tên", Field::FullName),
            ("HO_TEN", Field::FullName),
            ("hoten", Field::FullName),
            ("Ngày sinh", Field::BirthDate),
            ("NGAY_SINH", Field::BirthDate),
            ("Ngày, tháng, năm sinh", Field::BirthDate),
            ("Giới tính", Field::Sex),
            ("Số định danh", Field::CitizenId),
            ("Số định danh cá nhân", Field::CitizenId),
            ("Số CCCD", Field::CitizenId),
            ("CCCD", Field::CitizenId),
            ("Số CMND", Field::OldId),
            ("CMND", Field::OldId),
            ("Dân tộc", Field::Ethnicity),
            ("Tôn giáo", Field::Religion),
            ("Quốc tịch", Field::Nationality),
            ("Số điện thoại", Field::Phone),
            ("SĐT", Field::Phone),
            ("Địa chỉ thường trú", Field::Address),
            ("Nơi thường trú", Field::Address),
            ("Địa chỉ", Field::Address),
            ("Xã/Phường", Field::CommuneName),
            ("Phường/Xã", Field::CommuneName),
            ("Quận/Huyện", Field::OldDistrictName),
            ("Tỉnh/Thành phố", Field::ProvinceName),
            ("Tỉnh/TP", Field::ProvinceName),
            ("Họ tên cha", Field::FatherName),
            ("Họ tên mẹ", Field::MotherName),
            ("Mã hộ", Field::HouseholdId),
            ("Số hộ khẩu", Field::HouseholdId),
            ("Quan hệ với chủ hộ", Field::RelationToHead),
            ("Date of birth", Field::BirthDate),
            ("full_name", Field::FullName),
            ("citizen_id", Field::CitizenId),
        ];
        for (header, field) in cases {
            assert_eq!(rules.field_for(header), Some(field), "{header}");
        }
        assert_eq!(rules.field_for("STT"), None);
        assert_eq!(rules.field_for("Ghi chú"), None);
        // Clerks' headers an independent extract used (issue 13).
        for header in ["CCCD/CMND", "Số CCCD/CMND", "national_id", "Số CCCD"] {
            assert_eq!(rules.field_for(header), Some(Field::CitizenId), "{header}");
        }
        assert!(rules.holds_either_id("Số CCCD/CMND") && !rules.holds_either_id("Số CCCD"));
        for header in ["Nơi ở hiện nay", "Chỗ ở hiện tại", "Nơi thường trú", "Nơi đăng ký thường trú"]
        {
            assert_eq!(rules.field_for(header), Some(Field::Address), "{header}");
        }
        assert_eq!(rules.field_for("Quê quán"), None, "a home town is not the address");
        assert_eq!(rules.field_for("Nơi sinh"), None);
    }

    #[test]
    fn an_extra_file_overrides_and_conflicts_are_reported_with_lines() {
        let mut rules = built_in();
        rules.add_file("extra.toml", "[full_name]\naliases = [\"Tên\"]\n").unwrap();
        assert_eq!(rules.field_for("Tên"), Some(Field::FullName));
        let errors =
            rules.add_file("bad.toml", "[phone]\naliases = [\"DT\"]\n[address]\naliases = [\"Đ.T.\"]\n").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 4);
        assert!(errors[0].message.contains("also an alias of phone"));
    }
}
