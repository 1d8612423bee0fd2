//! The second stage: turns each raw record into normalised values under the
//! canonical field names. Where a value could not be read or had to be
//! repaired, the normaliser records a finding; rule checks on the normalised
//! values are the next stage's.

pub mod address;
pub mod date;
pub mod ethnicity;
pub mod id;
pub mod name;
pub mod phone;
pub mod sex;

use std::borrow::Cow;

use rayon::prelude::*;

use crate::finding::{Code, Finding};
use crate::guard::{guarded, Stage};
use crate::hash::HashMap;
use crate::legacy::Damage;
use crate::parallel::{distinct, join, map_all};
use crate::record::{Field, FieldValues, FieldValuesBuilder, PartialDate, RawRecord, Sex};
use crate::rules::Rules;
use crate::text;
use address::{AddressIndex, AddressInput, AddressStatus, Resolution};
use date::DateParse;
use ethnicity::EthnicIndex;
use phone::PhoneRules;
use sex::SexParse;

/// One record's normalised values and what normalising it found.
#[derive(Clone, Debug, Default)]
pub struct Normalized {
    pub values: FieldValues,
    pub birth_date: Option<PartialDate>,
    pub sex: Option<Sex>,
    /// Diacritic-free words of the full name, for matching.
    pub name_key: Box<str>,
    /// How many canonical fields the source itself gave a value for: the
    /// completeness of the record as entered, not of what dancu derived.
    pub source_fields: u8,
    pub findings: Vec<Finding>,
    /// Set when working on the record panicked: the pipeline moves it to
    /// quarantine, naming the stage.
    pub internal_error: Option<Stage>,
    /// Carried cells repaired from a legacy encoding: the extra-column slot,
    /// the repaired text and the encoding. `None` for almost every record.
    pub repaired_extras: Option<Box<[RepairedCell]>>,
}

/// A carried cell written in a legacy encoding, repaired.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepairedCell {
    pub slot: u32,
    pub text: Box<str>,
    pub encoding: Damage,
}

impl Normalized {
    /// The place of a record whose normalisation panicked.
    fn failed() -> Normalized {
        Normalized {
            values: FieldValues::default(),
            birth_date: None,
            sex: None,
            name_key: "".into(),
            source_fields: 0,
            findings: Vec::new(),
            internal_error: Some(Stage::Normalize),
            repaired_extras: None,
        }
    }
}

/// The normalisers with their rule data compiled.
pub struct Normalizer<'a> {
    rules: &'a Rules,
    addresses: AddressIndex<'a>,
    ethnic: EthnicIndex,
    phones: PhoneRules,
    reference_year: u16,
}

impl<'a> Normalizer<'a> {
    pub fn new(rules: &'a Rules, reference_year: u16) -> Normalizer<'a> {
        Normalizer {
            rules,
            addresses: AddressIndex::new(&rules.admin, &rules.address_words),
            ethnic: EthnicIndex::new(&rules.ethnic_groups, rules.validation.ethnic_code_column),
            phones: PhoneRules::new(&rules.mobile_prefixes, &rules.mobile_prefix_conversions),
            reference_year,
        }
    }

    /// Normalises every record, in input order. Addresses and names are
    /// normalised once per distinct text, not once per record: households
    /// share an address and their parents' names, and a province repeats
    /// its common names many times over.
    /// `progress` is told how many more records are done, a chunk at a time.
    pub fn normalize_all(
        &self,
        records: &[RawRecord],
        parallel: bool,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Vec<Normalized> {
        let ((raw_addresses, address_of), (raw_names, name_of)) = join(
            parallel,
            || distinct(&records.iter().map(raw_address).collect::<Vec<_>>(), parallel),
            || distinct(&records.iter().flat_map(name_texts).collect::<Vec<_>>(), parallel),
        );
        let prepare_name =
            |raw: &&str| guarded(|| name::normalize_name(raw, &self.rules.names, &self.rules.legacy_encodings));
        let (addresses, names): (Vec<Option<PreparedAddress>>, Vec<Option<name::NameParts>>) = join(
            parallel,
            || self.prepare_addresses(&raw_addresses, parallel),
            || map_all(&raw_names, parallel, prepare_name),
        );
        const CHUNK: usize = 16_384;
        let one = |values: &mut FieldValuesBuilder, (i, record): (usize, &RawRecord)| {
            if i % CHUNK == CHUNK - 1 {
                progress(CHUNK as u64);
            }
            let slots = &name_of[i * NAME_FIELDS.len()..(i + 1) * NAME_FIELDS.len()];
            let prepared = addresses[address_of[i] as usize].as_ref().zip(
                names[slots[0] as usize]
                    .as_ref()
                    .zip(names[slots[1] as usize].as_ref())
                    .zip(names[slots[2] as usize].as_ref()),
            );
            let Some((address, ((full, father), mother))) = prepared else {
                return Normalized::failed();
            };
            // A record whose normalisation panics is one record lost to
            // quarantine, not the run; its builder is left as it was.
            guarded(|| self.normalize(record, [full, father, mother], address, values)).unwrap_or_else(|| {
                *values = FieldValuesBuilder::default();
                Normalized::failed()
            })
        };
        // Each thread packs its records' values through one builder.
        let normalized: Vec<Normalized> = if parallel {
            records.par_iter().enumerate().with_min_len(1024).map_init(FieldValuesBuilder::default, one).collect()
        } else {
            let mut values = FieldValuesBuilder::default();
            records.iter().enumerate().map(|item| one(&mut values, item)).collect()
        };
        progress((records.len() % CHUNK) as u64);
        normalized
    }

    /// Normalises one record whose name fields ([`NAME_FIELDS`]) normalised
    /// to `names` and whose address is `address`, packing its values
    /// through `values`.
    fn normalize(
        &self,
        raw: &RawRecord,
        names: [&name::NameParts; 3],
        address: &PreparedAddress,
        values: &mut FieldValuesBuilder,
    ) -> Normalized {
        crate::fault::panic_on_row("normalize", raw.row);
        let mut findings = Vec::new();
        let source = &raw.values;

        for (field, parts) in NAME_FIELDS.into_iter().zip(names) {
            name_findings(field, source.get(field), parts, &mut findings);
            values.set(field, parts.display.as_str());
        }
        let name = names[0];
        values.set(Field::Surname, name.surname.as_str());
        values.set(Field::MiddleName, name.middle.as_str());
        values.set(Field::GivenName, name.given.as_str());

        // A record whose names were typed in a legacy encoding was typed in
        // it throughout: its other fields are read in it where they make
        // no sense as they are.
        let damage = names.iter().flat_map(|n| &n.changes).find_map(|c| match c {
            name::NameChange::Decoded(damage) => Some(*damage),
            _ => None,
        });

        let birth_date = match date::parse_date(source.get(Field::BirthDate), self.reference_year) {
            DateParse::Date(date) => {
                values.set(Field::BirthDate, date.to_string());
                Some(date)
            }
            DateParse::Empty => None,
            DateParse::Reordered(date) => {
                values.set(Field::BirthDate, date.to_string());
                findings.push(
                    Finding::new(Field::BirthDate, Code::DateOrderUnusual, source.get(Field::BirthDate))
                        .with_suggestion(date.to_string()),
                );
                Some(date)
            }
            DateParse::Impossible => {
                findings.push(Finding::new(Field::BirthDate, Code::DateImpossible, source.get(Field::BirthDate)));
                None
            }
            DateParse::Unparseable => {
                findings.push(Finding::new(Field::BirthDate, Code::DateUnparseable, source.get(Field::BirthDate)));
                None
            }
        };

        let sex_written = source.get(Field::Sex);
        let sex = match sex::parse_sex(sex_written) {
            SexParse::Known(sex) => Some(sex),
            SexParse::Empty => None,
            SexParse::Unknown => {
                let repaired = self.repaired(sex_written, damage, |t| matches!(sex::parse_sex(t), SexParse::Known(_)));
                match repaired {
                    Some((text, encoding)) => {
                        let sex = sex::parse_sex(&text);
                        findings.push(
                            Finding::new(Field::Sex, Code::TextRepaired, sex_written)
                                .with_suggestion(text)
                                .with_encoding(Some(encoding)),
                        );
                        match sex {
                            SexParse::Known(sex) => Some(sex),
                            _ => None,
                        }
                    }
                    None => {
                        findings.push(Finding::new(Field::Sex, Code::SexUnknown, sex_written));
                        None
                    }
                }
            }
        };
        if let Some(sex) = sex {
            values.set(Field::Sex, sex.label());
        }

        values.set(Field::CitizenId, id::normalize_id(source.get(Field::CitizenId)));
        values.set(Field::OldId, id::normalize_id(source.get(Field::OldId)));

        if let Some(phone) = self.phones.parse(source.get(Field::Phone)) {
            if phone.converted {
                findings.push(
                    Finding::new(Field::Phone, Code::PhoneOldPrefix, source.get(Field::Phone))
                        .with_suggestion(phone.number.as_str()),
                );
            }
            if phone.zero_restored {
                findings.push(
                    Finding::new(Field::Phone, Code::PhoneLeadingZeroLost, source.get(Field::Phone))
                        .with_suggestion(phone.number.as_str()),
                );
            }
            if !phone.valid {
                findings.push(Finding::new(Field::Phone, Code::PhoneInvalid, source.get(Field::Phone)));
            }
            values.set(Field::Phone, phone.number);
        }

        let ethnicity = source.get(Field::Ethnicity);
        let ethnicity = if ethnicity.trim().is_empty() { source.get(Field::EthnicityCode) } else { ethnicity };
        if !ethnicity.trim().is_empty() {
            let found = self.ethnic.find(ethnicity).or_else(|| {
                let (text, encoding) = self.repaired(ethnicity, damage, |t| self.ethnic.find(t).is_some())?;
                findings.push(
                    Finding::new(Field::Ethnicity, Code::TextRepaired, ethnicity)
                        .with_suggestion(text.as_str())
                        .with_encoding(Some(encoding)),
                );
                self.ethnic.find(&text)
            });
            match found {
                Some(group) => {
                    values.set(Field::Ethnicity, group.name.as_str());
                    values.set(Field::EthnicityCode, group.code.as_str());
                }
                None => {
                    findings.push(Finding::new(Field::Ethnicity, Code::EthnicityUnknown, ethnicity));
                    values.set(Field::Ethnicity, text::tidy(ethnicity));
                }
            }
        }

        let settings = &self.rules.validation;
        let religion = self.vocabulary(
            Field::Religion,
            source.get(Field::Religion),
            &settings.religions,
            Code::ReligionUnknown,
            damage,
            &mut findings,
        );
        values.set(Field::Religion, religion);
        let nationality_written = normalize_nationality(source.get(Field::Nationality));
        let nationality = self.vocabulary(
            Field::Nationality,
            &nationality_written,
            &settings.nationalities,
            Code::NationalityUnknown,
            damage,
            &mut findings,
        );
        values.set(Field::Nationality, nationality);
        values.set(Field::HouseholdId, text::tidy(source.get(Field::HouseholdId)));
        values.set(Field::RecordKey, text::tidy(source.get(Field::RecordKey)));
        let relation = self.vocabulary(
            Field::RelationToHead,
            source.get(Field::RelationToHead),
            &settings.relations,
            Code::RelationUnknown,
            damage,
            &mut findings,
        );
        values.set(Field::RelationToHead, relation);

        self.set_address(raw, address, values, &mut findings);

        Normalized {
            values: values.take(),
            birth_date,
            sex,
            name_key: name.key.as_str().into(),
            source_fields: Field::ALL.iter().filter(|&&f| has_text(raw.values.get(f))).count() as u8,
            findings,
            internal_error: None,
            repaired_extras: self.repair_extras(raw, damage),
        }
    }

    /// A value from a closed list, written as the list writes it; an empty
    /// value is nothing, a value not on the list is kept tidied and reported.
    #[allow(clippy::too_many_arguments)]
    fn vocabulary<'v>(
        &self,
        field: Field,
        raw: &'v str,
        words: &'v HashMap<String, String>,
        unknown: Code,
        damage: Option<Damage>,
        findings: &mut Vec<Finding>,
    ) -> Cow<'v, str> {
        // Most values are written as listed already.
        if let Some(listed) = words.get(raw).filter(|listed| listed.as_str() == raw) {
            return Cow::Borrowed(listed);
        }
        let tidied = text::tidy(raw);
        if tidied.is_empty() || words.is_empty() {
            return Cow::Owned(tidied);
        }
        let listed = |text: &str| words.get(&text::fold_compact(&text::tidy(text)));
        if let Some(listed) = listed(&tidied) {
            return Cow::Borrowed(listed);
        }
        if let Some((text, encoding)) = self.repaired(raw, damage, |t| listed(t).is_some()) {
            findings.push(
                Finding::new(field, Code::TextRepaired, raw)
                    .with_suggestion(text.as_str())
                    .with_encoding(Some(encoding)),
            );
            if let Some(listed) = listed(&text) {
                return Cow::Borrowed(listed);
            }
        }
        findings.push(Finding::new(field, unknown, raw));
        Cow::Owned(tidied)
    }

    /// `raw` read back from a legacy encoding, when `accept` takes the
    /// result: by the conservative repair every field gets (characters no
    /// Vietnamese word has, and every word of the repair a syllable), then
    /// in the encoding the record's names were typed in.
    fn repaired(&self, raw: &str, damage: Option<Damage>, accept: impl Fn(&str) -> bool) -> Option<(String, Damage)> {
        let legacy = &self.rules.legacy_encodings;
        if raw.is_ascii() {
            // Only VIQR is ASCII.
            return legacy.repair(raw).filter(|(text, _)| accept(text));
        }
        if let Some((text, encoding)) = legacy.repair(raw) {
            if accept(&text) {
                return Some((text, encoding));
            }
        }
        let damage = damage?;
        let text: String =
            unicode_normalization::UnicodeNormalization::nfc(legacy.decode(raw, damage).as_str()).collect();
        (text != raw && accept(&text)).then_some((text, damage))
    }

    /// Carried cells written in a legacy encoding, repaired: by the
    /// conservative rule, or in the encoding of the record's names when
    /// every word of the result is Vietnamese.
    fn repair_extras(&self, raw: &RawRecord, damage: Option<Damage>) -> Option<Box<[RepairedCell]>> {
        let mut repaired = Vec::new();
        for (slot, cell) in raw.extras.iter().enumerate() {
            if cell.is_ascii() {
                continue;
            }
            let fixed =
                self.repaired(cell, damage, crate::legacy::is_vietnamese).filter(|(text, _)| text.as_str() != &**cell);
            if let Some((text, encoding)) = fixed {
                repaired.push(RepairedCell { slot: slot as u32, text: text.into(), encoding });
            }
        }
        (!repaired.is_empty()).then(|| repaired.into_boxed_slice())
    }

    /// Resolves each distinct address. Their text columns repeat far more
    /// than whole addresses do (a commune's name, its province's), so each
    /// distinct text is spelt once.
    /// An address (or one of its texts) whose resolution panicked is `None`:
    /// the records at it are quarantined, the others go on.
    fn prepare_addresses(&self, raw_addresses: &[RawAddress], parallel: bool) -> Vec<Option<PreparedAddress>> {
        let width = ADDRESS_TEXT_FIELDS.len();
        let texts: Vec<&str> = raw_addresses.iter().flat_map(|raw| raw[..width].iter().copied()).collect();
        let (distinct_texts, text_of) = distinct(&texts, parallel);
        let placed = map_all(&distinct_texts, parallel, |text| guarded(|| self.place_text(text)));
        let indices: Vec<usize> = (0..raw_addresses.len()).collect();
        map_all(&indices, parallel, |&k| {
            let texts: Option<Vec<&(String, Option<Damage>)>> =
                (0..width).map(|i| placed[text_of[k * width + i] as usize].as_ref()).collect();
            let texts = texts?;
            guarded(|| {
                let (input, repairs) = self.address_input(&raw_addresses[k], |i| texts[i]);
                let resolution = self.addresses.resolve(&input);
                let score = match resolution.status {
                    AddressStatus::Exact | AddressStatus::Fuzzy => format!("{:.2}", resolution.score),
                    _ => String::new(),
                };
                PreparedAddress { resolution, score, repairs }
            })
        })
    }

    /// The address of a record as resolution sees it: place names repaired
    /// and spelt by the same rules as personal names; `placed(i)` is field
    /// `i` of [`ADDRESS_TEXT_FIELDS`] so spelt, with whether it had to be
    /// decoded. Also returns the encoding each such field was decoded from.
    fn address_input<'p>(
        &self,
        raw: &RawAddress,
        placed: impl Fn(usize) -> &'p (String, Option<Damage>),
    ) -> (AddressInput, [Option<Damage>; 4]) {
        let mut repairs = [None; 4];
        let mut text = |i: usize| {
            let (text, decoded) = placed(i);
            repairs[i] = *decoded;
            text.clone()
        };
        let input = AddressInput {
            street: text(0),
            commune: text(1),
            district: text(2),
            province: text(3),
            commune_code: raw[4].trim().to_string(),
            old_commune_code: raw[5].trim().to_string(),
        };
        (input, repairs)
    }

    /// Place-name text: a legacy encoding or double-encoded UTF-8 repaired
    /// (then with the encoding it was in), invisible characters and spacing
    /// tidied, tones placed as in names. Case is kept: `Số 12 phố Quán Thánh`.
    fn place_text(&self, raw: &str) -> (String, Option<Damage>) {
        if raw.is_ascii() {
            return match self.rules.legacy_encodings.repair(raw) {
                Some((text, damage)) => (self.spell_places(&text), Some(damage)),
                None => (text::tidy(raw), None),
            };
        }
        let trimmed = raw.trim();
        let composed: String =
            if unicode_normalization::is_nfc_quick(trimmed.chars()) == unicode_normalization::IsNormalized::Yes {
                trimmed.to_string()
            } else {
                unicode_normalization::UnicodeNormalization::nfc(trimmed).collect()
            };
        // A soft hyphen inside a word is TCVN3's ư more often than a
        // hyphenation hint: such text is tried as TCVN3 first.
        let soft_hyphen = composed.contains('\u{AD}');
        let (repaired, decoded) = if !soft_hyphen && crate::legacy::is_vietnamese(&text::clean_invisible(&composed)) {
            (composed, None)
        } else {
            match self.rules.legacy_encodings.repair(&composed) {
                Some((text, damage)) => (text, Some(damage)),
                None => (composed, None),
            }
        };
        (self.spell_places(&repaired), decoded)
    }

    /// Place names tidied and their tones placed as in personal names.
    fn spell_places(&self, text: &str) -> String {
        let placement = self.rules.names.tone_placement;
        text::tidy(text)
            .split(' ')
            .map(|w| crate::syllable::place_tone(w, placement).unwrap_or_else(|| w.to_string()))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn set_address(
        &self,
        raw: &RawRecord,
        prepared: &PreparedAddress,
        values: &mut FieldValuesBuilder,
        findings: &mut Vec<Finding>,
    ) {
        let admin = &self.rules.admin;
        let address = &prepared.resolution;
        let address_repairs = prepared.repairs;
        values.set(Field::Address, address.street.as_str());
        values.set(Field::AddressStatus, address.status.label());
        values.set(Field::AddressScore, prepared.score.as_str());
        if let Some(i) = address.new_commune {
            let commune = &admin.new_communes[i];
            values.set(Field::CommuneCode, commune.commune_code.as_str());
            values.set(Field::CommuneName, commune.commune_name.as_str());
        }
        if let Some(province) = address.new_province.as_ref().and_then(|code| admin.new_provinces.get(code)) {
            values.set(Field::ProvinceCode, province.code.as_str());
            values.set(Field::ProvinceName, province.name.as_str());
        }
        let old_unit = address.old_unit.or(address.old_district).map(|i| &admin.old_units[i]);
        if let Some(unit) = old_unit {
            if address.old_unit.is_some() {
                values.set(Field::OldCommuneCode, unit.commune_code.as_str());
                values.set(Field::OldCommuneName, unit.commune_name.as_str());
            }
            values.set(Field::OldDistrictCode, unit.district_code.as_str());
            values.set(Field::OldDistrictName, unit.district_name.as_str());
        }
        let old_province = old_unit.map(|u| u.province_code.clone()).or_else(|| address.old_province.clone());
        if let Some((code, name)) = old_province.and_then(|code| admin.old_province_names.get_key_value(&code)) {
            values.set(Field::OldProvinceCode, code.as_str());
            values.set(Field::OldProvinceName, name.as_str());
        }

        for (i, field) in ADDRESS_TEXT_FIELDS.into_iter().enumerate() {
            if let Some(encoding) = address_repairs[i] {
                let raw_text = raw.values.get(field);
                let (repaired, _) = self.place_text(raw_text);
                findings.push(
                    Finding::new(field, Code::TextRepaired, raw_text)
                        .with_suggestion(repaired)
                        .with_encoding(Some(encoding)),
                );
            }
        }
        let reported = address.mismatch
            || address.written_in_old_units
            || matches!(address.status, AddressStatus::Ambiguous | AddressStatus::Unresolved | AddressStatus::Fuzzy);
        if !reported {
            return;
        }
        let written = address_text(raw);
        let field = if raw.values.is_present(Field::CommuneName) { Field::CommuneName } else { Field::Address };
        match address.status {
            AddressStatus::Ambiguous => findings.push(
                Finding::new(field, Code::AddressAmbiguous, &written).with_suggestion(address.suggestion.as_str()),
            ),
            AddressStatus::Unresolved if !written.is_empty() => {
                findings.push(Finding::new(field, Code::AddressUnresolved, &written))
            }
            AddressStatus::Fuzzy => findings
                .push(Finding::new(field, Code::AddressFuzzy, &written).with_suggestion(placed_name(values).as_str())),
            _ => {}
        }
        if address.mismatch {
            findings.push(
                Finding::new(field, Code::AddressMismatch, &written).with_suggestion(placed_name(values).as_str()),
            );
        }
        if address.written_in_old_units && matches!(address.status, AddressStatus::Exact | AddressStatus::Fuzzy) {
            let suggestion = values.get(Field::CommuneName).to_string();
            findings.push(Finding::new(field, Code::AddressOldUnits, &written).with_suggestion(suggestion));
        }
    }
}

/// A distinct address, resolved, with what every record at it shares.
struct PreparedAddress {
    resolution: Resolution,
    /// `address_score` as written: for exact and fuzzy matches only.
    score: String,
    /// The encoding each field of [`ADDRESS_TEXT_FIELDS`] was decoded from.
    repairs: [Option<Damage>; 4],
}

/// Whether `value` holds more than white space; decided by its first byte
/// when that is a visible ASCII character, as it mostly is.
fn has_text(value: &str) -> bool {
    match value.as_bytes().first() {
        None => false,
        Some(&b) if b.is_ascii() && !b.is_ascii_whitespace() => true,
        Some(_) => !value.trim().is_empty(),
    }
}

/// The name fields, normalised once per distinct text.
const NAME_FIELDS: [Field; 3] = [Field::FullName, Field::FatherName, Field::MotherName];

/// Reports what normalising a name field had to change, a finding per kind
/// of change.
fn name_findings(field: Field, raw: &str, parts: &name::NameParts, findings: &mut Vec<Finding>) {
    let mut codes: Vec<Code> = Vec::new();
    for change in &parts.changes {
        let (code, encoding) = match change {
            name::NameChange::Decoded(damage) => (Code::TextRepaired, Some(*damage)),
            name::NameChange::FormRepaired => (Code::TextRepaired, None),
            name::NameChange::CharactersRemoved => (Code::NameCharactersRemoved, None),
            name::NameChange::HonorificRemoved => (Code::NameHonorificRemoved, None),
            name::NameChange::SyllablesSeparated => (Code::NameSyllablesSeparated, None),
        };
        if !codes.contains(&code) {
            codes.push(code);
            findings
                .push(Finding::new(field, code, raw).with_suggestion(parts.display.as_str()).with_encoding(encoding));
        }
    }
}

/// The texts of a record's [`NAME_FIELDS`].
fn name_texts(record: &RawRecord) -> [&str; 3] {
    NAME_FIELDS.map(|field| record.values.get(field))
}

/// Where the address was placed, for suggestions: the post-2025 commune
/// and province, or the pre-2025 units when those are all that is known.
fn placed_name(values: &FieldValuesBuilder) -> String {
    let new = [Field::CommuneName, Field::ProvinceName];
    let old = [Field::OldCommuneName, Field::OldDistrictName, Field::OldProvinceName];
    let fields: &[Field] = if values.get(Field::CommuneName).is_empty() { &old } else { &new };
    fields.iter().map(|&f| values.get(f)).filter(|v| !v.is_empty()).collect::<Vec<_>>().join(", ")
}

/// A record's address columns as written: the four of
/// [`ADDRESS_TEXT_FIELDS`], then the post-2025 and pre-2025 commune codes.
type RawAddress<'r> = [&'r str; 6];

fn raw_address(record: &RawRecord) -> RawAddress<'_> {
    let v = &record.values;
    [
        v.get(Field::Address),
        v.get(Field::CommuneName),
        v.get(Field::OldDistrictName),
        v.get(Field::ProvinceName),
        v.get(Field::CommuneCode),
        v.get(Field::OldCommuneCode),
    ]
}

/// The address columns whose text is repaired like names.
const ADDRESS_TEXT_FIELDS: [Field; 4] =
    [Field::Address, Field::CommuneName, Field::OldDistrictName, Field::ProvinceName];

/// The address as the record wrote it, for findings: the columns joined
/// most specific first.
fn address_text(raw: &RawRecord) -> String {
    [Field::Address, Field::CommuneName, Field::OldDistrictName, Field::ProvinceName]
        .iter()
        .map(|&f| raw.values.get(f).trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

fn normalize_nationality(raw: &str) -> Cow<'_, str> {
    const VIET_NAM: &str = "Việt Nam";
    if raw == VIET_NAM {
        return Cow::Borrowed(raw);
    }
    match text::fold_compact(raw).as_str() {
        "vietnam" | "vn" | "vnm" | "vietnamese" | "quoctichvietnam" => Cow::Borrowed(VIET_NAM),
        _ => Cow::Owned(text::tidy(raw)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::FieldValuesBuilder;
    use crate::rules::{RuleSource, Rules};

    fn record(pairs: &[(Field, &str)]) -> RawRecord {
        let mut values = FieldValuesBuilder::default();
        for &(field, value) in pairs {
            values.set(field, value);
        }
        RawRecord { source: 0, row: 1, line: 2, values: values.build(), origin: None, extras: Vec::new() }
    }

    #[test]
    fn religions_and_relations_are_written_as_listed_or_reported() {
        let rules = Rules::load(&RuleSource::BuiltIn, None).unwrap();
        let normalizer = Normalizer::new(&rules, 2026);
        let records = [
            record(&[
                (Field::FullName, "Lê Văn An"),
                (Field::Religion, "phat giao hoa hao"),
                (Field::RelationToHead, "CHỦ HỘ"),
            ]),
            record(&[(Field::FullName, "Lê Văn Bình"), (Field::Religion, "Đạo Dừa"), (Field::RelationToHead, "Bạn")]),
        ];
        let normalized = normalizer.normalize_all(&records, false, &|_| {});
        assert_eq!(normalized[0].values.get(Field::Religion), "Phật giáo Hòa Hảo");
        assert_eq!(normalized[0].values.get(Field::RelationToHead), "Chủ hộ");
        let codes: Vec<&str> = normalized[1].findings.iter().map(|f| f.code.as_str()).collect();
        assert!(codes.contains(&"RELIGION_UNKNOWN") && codes.contains(&"RELATION_UNKNOWN"), "{codes:?}");
        assert_eq!(normalized[1].values.get(Field::Religion), "Đạo Dừa");
    }
}
