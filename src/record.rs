//! The record model every stage shares: the canonical fields of DESIGN.md, one
//! input row as read, and the normalised values the later stages add to it.

use std::fmt;

/// A canonical field of the output contract. Input columns map to these through
/// `rules/columns.toml`; every output names fields by [`Field::name`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    FullName,
    Surname,
    MiddleName,
    GivenName,
    BirthDate,
    Sex,
    CitizenId,
    OldId,
    Ethnicity,
    EthnicityCode,
    Religion,
    Nationality,
    Phone,
    Address,
    CommuneCode,
    CommuneName,
    ProvinceCode,
    ProvinceName,
    OldCommuneCode,
    OldCommuneName,
    OldDistrictCode,
    OldDistrictName,
    OldProvinceCode,
    OldProvinceName,
    AddressStatus,
    AddressScore,
    FatherName,
    MotherName,
    HouseholdId,
    RelationToHead,
    /// The register's own key for the row, when the input has one: what
    /// the record's `record_id` is made from.
    RecordKey,
}

impl Field {
    /// Every field, in the order the outputs list them.
    pub const ALL: [Field; 31] = [
        Field::FullName,
        Field::Surname,
        Field::MiddleName,
        Field::GivenName,
        Field::BirthDate,
        Field::Sex,
        Field::CitizenId,
        Field::OldId,
        Field::Ethnicity,
        Field::EthnicityCode,
        Field::Religion,
        Field::Nationality,
        Field::Phone,
        Field::Address,
        Field::CommuneCode,
        Field::CommuneName,
        Field::ProvinceCode,
        Field::ProvinceName,
        Field::OldCommuneCode,
        Field::OldCommuneName,
        Field::OldDistrictCode,
        Field::OldDistrictName,
        Field::OldProvinceCode,
        Field::OldProvinceName,
        Field::AddressStatus,
        Field::AddressScore,
        Field::FatherName,
        Field::MotherName,
        Field::HouseholdId,
        Field::RelationToHead,
        Field::RecordKey,
    ];

    pub const COUNT: usize = Field::ALL.len();

    /// The stable snake_case name used in every output.
    pub fn name(self) -> &'static str {
        match self {
            Field::FullName => "full_name",
            Field::Surname => "surname",
            Field::MiddleName => "middle_name",
            Field::GivenName => "given_name",
            Field::BirthDate => "birth_date",
            Field::Sex => "sex",
            Field::CitizenId => "citizen_id",
            Field::OldId => "old_id",
            Field::Ethnicity => "ethnicity",
            Field::EthnicityCode => "ethnicity_code",
            Field::Religion => "religion",
            Field::Nationality => "nationality",
            Field::Phone => "phone",
            Field::Address => "address",
            Field::CommuneCode => "commune_code",
            Field::CommuneName => "commune_name",
            Field::ProvinceCode => "province_code",
            Field::ProvinceName => "province_name",
            Field::OldCommuneCode => "old_commune_code",
            Field::OldCommuneName => "old_commune_name",
            Field::OldDistrictCode => "old_district_code",
            Field::OldDistrictName => "old_district_name",
            Field::OldProvinceCode => "old_province_code",
            Field::OldProvinceName => "old_province_name",
            Field::AddressStatus => "address_status",
            Field::AddressScore => "address_score",
            Field::FatherName => "father_name",
            Field::MotherName => "mother_name",
            Field::HouseholdId => "household_id",
            Field::RelationToHead => "relation_to_head",
            Field::RecordKey => "record_key",
        }
    }

    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.iter().copied().find(|f| f.name() == name)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One value per canonical field (empty when the field has no value),
/// packed in one buffer: a province of records holds millions of these.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldValues {
    text: Box<str>,
    /// End of each field's value in `text`.
    ends: [u32; Field::COUNT],
    /// Bit `i` set when field `i` holds more than white space: counting
    /// what is filled in (the report's completeness) reads no text.
    filled: u32,
}

/// The parts of an address: the street part, the post- and pre-2025
/// units, and how well they were placed. They belong together: what is
/// taken of an address is taken of one record.
pub const ADDRESS_PARTS: [Field; 13] = [
    Field::Address,
    Field::CommuneCode,
    Field::CommuneName,
    Field::ProvinceCode,
    Field::ProvinceName,
    Field::OldCommuneCode,
    Field::OldCommuneName,
    Field::OldDistrictCode,
    Field::OldDistrictName,
    Field::OldProvinceCode,
    Field::OldProvinceName,
    Field::AddressStatus,
    Field::AddressScore,
];

const _: () = assert!(Field::COUNT <= u32::BITS as usize, "FieldValues::filled has one bit per field");

impl Default for FieldValues {
    fn default() -> Self {
        FieldValues { text: Box::from(""), ends: [0; Field::COUNT], filled: 0 }
    }
}

impl FieldValues {
    pub fn get(&self, field: Field) -> &str {
        let i = field.index();
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    pub fn is_present(&self, field: Field) -> bool {
        !self.get(field).is_empty()
    }

    /// Whether the field holds more than white space.
    pub fn is_filled(&self, field: Field) -> bool {
        self.filled & (1 << field.index()) != 0
    }
}

/// Collects field values in any order, then packs them into [`FieldValues`].
/// Values are appended to one buffer as they are set: a record costs two
/// allocations, not one per field.
#[derive(Clone, Debug, Default)]
pub struct FieldValuesBuilder {
    text: String,
    /// Start and end of each field's value in `text`; a value set twice
    /// leaves its first copy unused in `text`.
    spans: [(u32, u32); Field::COUNT],
}

impl FieldValuesBuilder {
    pub fn set(&mut self, field: Field, value: impl AsRef<str>) {
        let start = self.text.len();
        self.text.push_str(value.as_ref());
        self.spans[field.index()] = (start as u32, self.text.len() as u32);
    }

    pub fn get(&self, field: Field) -> &str {
        let (start, end) = self.spans[field.index()];
        &self.text[start as usize..end as usize]
    }

    pub fn build(mut self) -> FieldValues {
        self.take()
    }

    /// Packs the values set so far and empties the builder, which keeps its
    /// buffer for the next record.
    pub fn take(&mut self) -> FieldValues {
        let length = self.spans.iter().map(|(start, end)| (end - start) as usize).sum();
        let mut text = String::with_capacity(length);
        let mut ends = [0u32; Field::COUNT];
        let mut filled = 0;
        for (i, &(start, end)) in self.spans.iter().enumerate() {
            let value = &self.text[start as usize..end as usize];
            text.push_str(value);
            ends[i] = text.len() as u32;
            filled |= u32::from(!value.trim().is_empty()) << i;
        }
        self.text.clear();
        self.spans = [(0, 0); Field::COUNT];
        FieldValues { text: text.into_boxed_str(), ends, filled }
    }
}

/// How much of a birth date the source gave. A partial date is a fact, not an
/// error: a record that says only `1950` keeps year precision everywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DatePrecision {
    Year,
    Month,
    Day,
}

/// A calendar date known to year, month or day precision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartialDate {
    pub year: u16,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

impl PartialDate {
    pub fn precision(&self) -> DatePrecision {
        match (self.month, self.day) {
            (Some(_), Some(_)) => DatePrecision::Day,
            (Some(_), None) => DatePrecision::Month,
            _ => DatePrecision::Year,
        }
    }
}

impl fmt::Display for PartialDate {
    /// ISO 8601 at the date's own precision: `1985-03-07`, `1985-03` or `1985`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(month) = self.month {
            write!(f, "-{month:02}")?;
            if let Some(day) = self.day {
                write!(f, "-{day:02}")?;
            }
        }
        Ok(())
    }
}

/// Sex as the population register records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    /// The register's own words, used in every output.
    pub fn label(self) -> &'static str {
        match self {
            Sex::Male => "Nam",
            Sex::Female => "Nữ",
        }
    }
}

/// One data row of one input file, as read: where it came from and its
/// cells, unchanged, arranged by canonical field.
#[derive(Clone, Debug)]
pub struct RawRecord {
    /// Index of the input file in the run's list of inputs.
    pub source: u32,
    /// 1-based data row number in that file, header excluded.
    pub row: u64,
    /// Physical line (CSV) or sheet row (XLSX) where the row starts, 1-based.
    pub line: u64,
    /// The cell of each mapped field; empty for fields the input lacks.
    pub values: FieldValues,
    /// Where the record first came from, when the input is itself a dancu
    /// output: its `source` and `row` columns, kept so that cleaning a
    /// cleaned file still points at the original extract.
    pub origin: Option<Box<Origin>>,
    /// Cells of columns that map to no field, by the run's extra-column index.
    pub extras: Vec<Box<str>>,
}

/// The `source`, `row`, `person_id` and `record_id` a dancu output gave a
/// record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    pub source: Box<str>,
    pub row: Box<str>,
    pub person: Box<str>,
    pub record_id: Box<str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_of_white_space_is_present_but_not_filled() {
        let mut builder = FieldValuesBuilder::default();
        builder.set(Field::FullName, "Nguyễn Văn An");
        builder.set(Field::Phone, " \t ");
        let values = builder.build();
        assert!(values.is_filled(Field::FullName));
        assert!(values.is_present(Field::Phone));
        assert!(!values.is_filled(Field::Phone));
        assert!(!values.is_filled(Field::BirthDate));
    }
}
