//! Findings: what validation (and normalisation, when it had to repair a
//! value) says about one field of one record. Each code is stable, has one
//! severity and belongs to one dimension of the programme's motto
//! *đúng, đủ, sạch, sống*.

use crate::legacy::Damage;
use crate::record::Field;

/// The four dimensions of population data quality (Đề án 06).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dimension {
    /// Đúng: every field valid and consistent with the others.
    Correct,
    /// Đủ: the required fields are present.
    Complete,
    /// Sạch: one person, one record, in standard form.
    Clean,
    /// Sống: the record reflects today.
    Current,
}

impl Dimension {
    pub const ALL: [Dimension; 4] = [Dimension::Correct, Dimension::Complete, Dimension::Clean, Dimension::Current];

    pub fn label(self, language: Language) -> &'static str {
        match (self, language) {
            (Dimension::Correct, Language::Vi) => "đúng",
            (Dimension::Complete, Language::Vi) => "đủ",
            (Dimension::Clean, Language::Vi) => "sạch",
            (Dimension::Current, Language::Vi) => "sống",
            (Dimension::Correct, Language::En) => "correct",
            (Dimension::Complete, Language::En) => "complete",
            (Dimension::Clean, Language::En) => "clean",
            (Dimension::Current, Language::En) => "current",
        }
    }
}

/// The language of text shown to people: Vietnamese by default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Language {
    #[default]
    Vi,
    En,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

macro_rules! codes {
    ($($variant:ident = $code:literal, $severity:ident, $dimension:ident, $vi:literal, $en:literal;)*) => {
        /// Every finding dancu can report.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant),* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The stable code written in `issues.csv` and the report.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code),* }
            }

            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity),* }
            }

            pub fn dimension(self) -> Dimension {
                match self { $(Code::$variant => Dimension::$dimension),* }
            }

            pub fn describe(self, language: Language) -> &'static str {
                match (self, language) {
                    $((Code::$variant, Language::Vi) => $vi, (Code::$variant, Language::En) => $en,)*
                }
            }
        }
    };
}

codes! {
    IdLength = "ID_LENGTH", Error, Correct,
        "Số định danh không đủ 12 chữ số", "Citizen ID is not 12 digits";
    IdNotDigits = "ID_NOT_DIGITS", Error, Correct,
        "Số định danh chứa ký tự không phải chữ số", "Citizen ID contains characters other than digits";
    IdLeadingZeroLost = "ID_LEADING_ZERO_LOST", Warning, Correct,
        "Số định danh mất số 0 đầu (do bảng tính), có thể khôi phục", "The citizen ID lost its leading zero (to a spreadsheet) and can be restored";
    IdProvinceUnknown = "ID_PROVINCE_UNKNOWN", Error, Correct,
        "Mã tỉnh nơi đăng ký khai sinh (3 số đầu) không tồn tại", "The province code (first 3 digits) of the citizen ID does not exist";
    IdSexMismatch = "ID_SEX_MISMATCH", Error, Correct,
        "Chữ số thứ 4 của số định danh không khớp giới tính", "Digit 4 of the citizen ID disagrees with the sex";
    IdCenturyMismatch = "ID_CENTURY_MISMATCH", Error, Correct,
        "Chữ số thứ 4 của số định danh không khớp thế kỷ của năm sinh", "Digit 4 of the citizen ID disagrees with the century of birth";
    IdYearMismatch = "ID_YEAR_MISMATCH", Error, Correct,
        "Chữ số 5-6 của số định danh không khớp năm sinh", "Digits 5-6 of the citizen ID disagree with the birth year";
    IdSeparatorsRemoved = "ID_SEPARATORS_REMOVED", Info, Clean,
        "Dấu cách, dấu chấm, gạch nối trong số định danh đã được bỏ", "Spaces, dots or dashes inside the ID were removed";
    OldIdDiffers = "OLD_ID_DIFFERS", Warning, Correct,
        "CMND 12 số khác số định danh cá nhân (CMND 12 số được giữ làm số định danh)", "A 12-digit old ID differs from the citizen ID (the 12-digit number carries over)";
    DateDayMonthSwapped = "DATE_DAY_MONTH_SWAPPED", Warning, Correct,
        "Ngày sinh có thể bị đảo ngày và tháng (khác bản ghi chính của cùng người)", "Birth date may have day and month swapped (differs from the same person's primary record)";
    OldIdInvalid = "OLD_ID_INVALID", Error, Correct,
        "Số CMND không phải 9 hoặc 12 chữ số", "Old ID card number is not 9 or 12 digits";
    DateUnparseable = "DATE_UNPARSEABLE", Error, Correct,
        "Không đọc được ngày sinh", "Birth date cannot be read";
    DateImpossible = "DATE_IMPOSSIBLE", Error, Correct,
        "Ngày sinh không tồn tại trên lịch", "Birth date does not exist in the calendar";
    DateOrderUnusual = "DATE_ORDER_UNUSUAL", Info, Clean,
        "Ngày sinh ghi tháng trước ngày (chỉ cách đọc này là ngày có thật), đã đọc lại", "Birth date written month first (only that reading is a date); read that way";
    DateFuture = "DATE_FUTURE", Error, Correct,
        "Ngày sinh ở tương lai", "Birth date is in the future";
    SexUnknown = "SEX_UNKNOWN", Error, Correct,
        "Giới tính không thuộc danh mục", "Sex is not a known value";
    PhoneInvalid = "PHONE_INVALID", Warning, Correct,
        "Số điện thoại không hợp lệ", "Phone number is not valid";
    EthnicityUnknown = "ETHNICITY_UNKNOWN", Warning, Correct,
        "Dân tộc không thuộc danh mục 54 dân tộc", "Ethnicity is not one of the 54 groups";
    ReligionUnknown = "RELIGION_UNKNOWN", Warning, Correct,
        "Tôn giáo không thuộc danh mục", "Religion is not a recognised one";
    RelationUnknown = "RELATION_UNKNOWN", Warning, Correct,
        "Quan hệ với chủ hộ không thuộc danh mục", "Relation to the head of household is not a known one";
    NationalityUnknown = "NATIONALITY_UNKNOWN", Warning, Correct,
        "Quốc tịch không thuộc danh mục", "Nationality is not a listed one";
    AddressAmbiguous = "ADDRESS_AMBIGUOUS", Warning, Correct,
        "Địa chỉ khớp nhiều đơn vị hành chính", "Address matches several administrative units";
    AddressMismatch = "ADDRESS_MISMATCH", Warning, Correct,
        "Xã/phường không thuộc quận/huyện hoặc tỉnh đã ghi, hoặc các cột địa chỉ mâu thuẫn với nhau", "The commune is not inside the stated district or province, or the address columns contradict each other";
    AddressFuzzy = "ADDRESS_FUZZY", Info, Correct,
        "Tên đơn vị hành chính viết sai chính tả, đã khớp gần đúng", "A unit name is misspelt and was matched approximately";
    HouseholdHeads = "HOUSEHOLD_HEADS", Warning, Correct,
        "Hộ không có đúng một chủ hộ", "The household does not have exactly one head";
    HouseholdAge = "HOUSEHOLD_AGE", Warning, Correct,
        "Tuổi không hợp với quan hệ trong hộ (con kém chủ hộ dưới 12 tuổi, cha mẹ hơn chủ hộ dưới 12 tuổi, ông bà hơn dưới 24 tuổi, vợ chồng chênh trên 30 tuổi)", "Age does not fit the household relation (a child under 12 years younger than the head, a parent under 12 or a grandparent under 24 years older, spouses over 30 years apart)";
    HouseholdCommunes = "HOUSEHOLD_COMMUNES", Warning, Correct,
        "Thành viên một hộ ở các xã khác nhau", "Members of one household are in different communes";
    NameMissing = "NAME_MISSING", Error, Complete,
        "Thiếu họ và tên", "Full name is missing";
    FieldMissing = "FIELD_MISSING", Warning, Complete,
        "Thiếu trường bắt buộc", "A required field is missing";
    AddressUnresolved = "ADDRESS_UNRESOLVED", Warning, Complete,
        "Không xác định được xã/phường", "The commune cannot be determined";
    TextRepaired = "TEXT_REPAIRED", Info, Clean,
        "Văn bản sai dạng (mã cũ TCVN3/VNI/VIQR, lỗi mã UTF-8, tổ hợp dấu, ký tự ẩn) đã được sửa", "Text in a legacy encoding (TCVN3, VNI, VIQR), double-encoded, decomposed or with invisible characters was repaired";
    NameCharactersRemoved = "NAME_CHARACTERS_REMOVED", Info, Clean,
        "Chữ số, dấu câu trong họ tên đã được bỏ", "Digits or punctuation were removed from a name";
    NameSyllablesSeparated = "NAME_SYLLABLES_SEPARATED", Info, Clean,
        "Các âm tiết viết liền trong họ tên đã được tách", "Syllables typed without a space in a name were separated";
    NameHonorificRemoved = "NAME_HONORIFIC_REMOVED", Info, Clean,
        "Danh xưng (Ông, Bà, Anh, Chị...) trước họ tên đã được bỏ", "A title (Ông, Bà, Anh, Chị...) before a name was removed";
    PhoneLeadingZeroLost = "PHONE_LEADING_ZERO_LOST", Info, Clean,
        "Số điện thoại mất số 0 đầu (do bảng tính) đã được khôi phục", "A phone number that lost its leading zero (to a spreadsheet) was restored";
    PhoneOldPrefix = "PHONE_OLD_PREFIX", Info, Clean,
        "Số di động 11 số đầu cũ đã được chuyển sang 10 số", "An old 11-digit mobile number was converted to 10 digits";
    Duplicate = "DUPLICATE", Info, Clean,
        "Bản ghi trùng với một bản ghi khác của cùng một người", "The record duplicates another record of the same person";
    IdShared = "ID_SHARED", Warning, Clean,
        "Cùng số định danh trên bản ghi của người khác", "The same citizen ID is on a record of a different person";
    AgeOverLimit = "AGE_OVER_LIMIT", Warning, Current,
        "Tuổi vượt quá giới hạn mà không có thông tin khai tử", "Age is over the limit with no death record";
    AddressOldUnits = "ADDRESS_OLD_UNITS", Info, Current,
        "Địa chỉ còn ghi theo đơn vị hành chính trước 2025", "The address is still written in pre-2025 units";
}

impl Code {
    /// A finding that says a citizen ID disagrees with its own record, or
    /// is not a whole ID: such an ID is no evidence of who the record is.
    pub fn is_id_damage(self) -> bool {
        matches!(
            self,
            Code::IdLength
                | Code::IdNotDigits
                | Code::IdLeadingZeroLost
                | Code::IdProvinceUnknown
                | Code::IdSexMismatch
                | Code::IdCenturyMismatch
                | Code::IdYearMismatch
        )
    }

    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == name)
    }
}

impl Severity {
    pub fn from_label(label: &str) -> Option<Severity> {
        [Severity::Error, Severity::Warning, Severity::Info].into_iter().find(|s| s.label() == label)
    }
}

/// The severity of every code: the built-in one unless `validation.toml`
/// sets another.
#[derive(Clone, Debug, Default)]
pub struct Severities {
    overrides: crate::hash::HashMap<Code, Severity>,
}

impl Severities {
    pub fn new(overrides: crate::hash::HashMap<Code, Severity>) -> Severities {
        Severities { overrides }
    }

    pub fn of(&self, code: Code) -> Severity {
        self.overrides.get(&code).copied().unwrap_or(code.severity())
    }

    /// Gives findings made with the built-in severities the configured ones.
    pub fn apply(&self, findings: &mut [Finding]) {
        if self.overrides.is_empty() {
            return;
        }
        for finding in findings {
            finding.severity = self.of(finding.code);
        }
    }
}

/// One finding about one field of one record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub field: Field,
    pub code: Code,
    /// The code's severity, as configured.
    pub severity: Severity,
    /// The value the finding is about, as the source gave it.
    pub value: Box<str>,
    /// A corrected value where one can be derived; empty otherwise.
    pub suggestion: Box<str>,
    /// For a repaired text, the legacy encoding it was written in (the
    /// manifest counts repairs per column and encoding).
    pub encoding: Option<Damage>,
}

impl Finding {
    pub fn new(field: Field, code: Code, value: &str) -> Finding {
        Finding { field, code, severity: code.severity(), value: value.into(), suggestion: "".into(), encoding: None }
    }

    pub fn with_suggestion(mut self, suggestion: impl Into<Box<str>>) -> Finding {
        self.suggestion = suggestion.into();
        self
    }

    pub fn with_encoding(mut self, encoding: Option<Damage>) -> Finding {
        self.encoding = encoding;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_upper_snake_case() {
        let mut seen = crate::hash::HashSet::default();
        for code in Code::ALL {
            let text = code.as_str();
            assert!(seen.insert(text), "{text} twice");
            assert!(text.chars().all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit()), "{text}");
        }
    }

    #[test]
    fn the_readme_explains_every_code_with_its_severity_and_dimension() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
        for code in Code::ALL {
            let row = format!(
                "| `{}` | {} | {} |",
                code.as_str(),
                code.severity().label(),
                code.dimension().label(Language::Vi)
            );
            assert!(readme.contains(&row), "README has no row starting {row}");
        }
    }
}
