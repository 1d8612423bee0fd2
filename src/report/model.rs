//! The quality report as data: per unit (province, district, commune) and
//! in total, the records, persons, duplicates and quarantined rows, the
//! records with findings in each of the four dimensions, findings by code,
//! completeness by field, the address status mix and a score; and, against
//! a previous run, what each figure was. Renderers (CSV, JSON, HTML, XLSX)
//! only lay this out. Counts only: no name, no ID.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The four dimensions' figures, keyed `dung`, `du`, `sach`, `song`.
pub type Dimensions = BTreeMap<String, DimensionFigures>;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DimensionFigures {
    /// Records with at least one finding of severity warning or error in
    /// the dimension.
    pub records: u64,
    /// Of the unit's records.
    pub share: f64,
}

/// How the unit's addresses resolved.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AddressMix {
    pub exact: u64,
    pub fuzzy: u64,
    pub ambiguous: u64,
    pub unresolved: u64,
    /// Records still written in pre-2025 units.
    pub old_units: u64,
}

/// What a unit's figures were in the previous run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PreviousFigures {
    pub records: u64,
    pub persons: u64,
    pub duplicates: u64,
    pub score: f64,
    pub dimensions: Dimensions,
}

/// The figures of one unit, or of the whole run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UnitFigures {
    /// The unit's statistical code (empty for records without one, and in
    /// totals).
    pub code: String,
    pub name: String,
    /// The unit above: the province of a commune or district, the district
    /// of a pre-2025 commune.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub province_code: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub province_name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub district_code: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub district_name: String,
    pub records: u64,
    pub persons: u64,
    /// Records that are not their person's primary record.
    pub duplicates: u64,
    pub dimensions: Dimensions,
    /// Findings by code, every severity (info included), codes with none
    /// left out.
    pub codes: BTreeMap<String, u64>,
    /// Share of records where the source gave each field a value.
    pub fields: BTreeMap<String, f64>,
    pub address: AddressMix,
    /// [`QualityReport::score_formula`].
    pub score: f64,
    /// 1 for the worst unit of its level; 0 for the records of the level
    /// above that could not be placed in a unit (listed last).
    #[serde(default)]
    pub rank: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<PreviousFigures>,
}

/// The totals add what no unit has: quarantined rows, which were never
/// read into a record, by input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    #[serde(flatten)]
    pub figures: UnitFigures,
    pub quarantined: u64,
    pub quarantined_by_input: BTreeMap<String, u64>,
}

/// The units of one level that are in one run and not in the other.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UnitChanges {
    pub appeared: Vec<String>,
    pub disappeared: Vec<String>,
}

/// Where the previous figures came from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PreviousRun {
    pub generated_at: String,
    pub reference_date: String,
    /// `--previous`, or the output folder's own previous run.
    pub source: String,
    pub provinces: UnitChanges,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub districts: Option<UnitChanges>,
    pub communes: UnitChanges,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QualityReport {
    /// The report's layout version, for tools that read it.
    pub schema: u32,
    pub generated_at: String,
    pub reference_date: String,
    /// `new` (post-2025 communes and provinces) or `old` (pre-2025
    /// communes, districts, provinces).
    pub units: String,
    pub language: String,
    pub score_formula: String,
    pub totals: Totals,
    pub provinces: Vec<UnitFigures>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub districts: Option<Vec<UnitFigures>>,
    pub communes: Vec<UnitFigures>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<PreviousRun>,
}

/// The layout version [`QualityReport::schema`] says.
pub const SCHEMA: u32 = 1;

impl QualityReport {
    /// Every level of units, with its name in the JSON.
    pub fn levels(&self) -> Vec<(&'static str, &[UnitFigures])> {
        let mut levels = vec![("provinces", self.provinces.as_slice())];
        if let Some(districts) = &self.districts {
            levels.push(("districts", districts.as_slice()));
        }
        levels.push(("communes", self.communes.as_slice()));
        levels
    }
}

/// The score of a unit: 100 times one minus the mean share of records with
/// findings over the four dimensions.
pub fn score(dimensions: &Dimensions) -> f64 {
    if dimensions.is_empty() {
        return 100.0;
    }
    let mean = dimensions.values().map(|d| d.share).sum::<f64>() / dimensions.len() as f64;
    round(100.0 * (1.0 - mean), 2)
}

/// `value` rounded to `places` decimals: the figures a report shows, the
/// same on every machine.
pub fn round(value: f64, places: i32) -> f64 {
    let factor = 10f64.powi(places);
    (value * factor).round() / factor
}
