//! The quality report: per commune, how many records and persons there are
//! and how many records have findings in each dimension (đúng, đủ, sạch,
//! sống), with counts by finding code. Vietnamese by default.

use std::borrow::Cow;
use std::collections::BTreeMap;

use std::path::Path;

use crate::error::Error;
use crate::finding::{Code, Dimension, Language};
use crate::hash::HashSet;
use crate::output::csv::write_csv;
use crate::record::Field;
use crate::write::RunOutput;

/// Which units the report groups by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportUnits {
    /// Post-2025 communes (two-level government).
    #[default]
    New,
    /// Pre-2025 communes, with their districts.
    Old,
}

impl ReportUnits {
    pub fn label(self) -> &'static str {
        match self {
            ReportUnits::New => "new",
            ReportUnits::Old => "old",
        }
    }
}

#[derive(Default)]
struct CommuneRow<'a> {
    unit: Vec<&'a str>,
    records: u64,
    persons: HashSet<u32>,
    with_findings: u64,
    by_dimension: [u64; 4],
    by_code: BTreeMap<Code, u64>,
}

/// Writes `report/communes.csv` and `report/codes.csv` (the legend of codes).
pub fn write_report(out: &Path, run: &RunOutput, units: ReportUnits, language: Language) -> Result<(), Error> {
    let dir = out.join("report");
    crate::output::atomic::create_private_dir(&dir).map_err(|e| Error::WriteOutput { path: dir.clone(), source: e })?;
    let unit_fields: &[Field] = match units {
        ReportUnits::New => &[Field::ProvinceCode, Field::ProvinceName, Field::CommuneCode, Field::CommuneName],
        ReportUnits::Old => &[
            Field::OldProvinceCode,
            Field::OldProvinceName,
            Field::OldDistrictCode,
            Field::OldDistrictName,
            Field::OldCommuneCode,
            Field::OldCommuneName,
        ],
    };
    // Sorted by province code, then (district,) commune code; records
    // without a commune come first in their province, under an empty code.
    let mut rows: BTreeMap<Vec<&str>, CommuneRow> = BTreeMap::new();
    for (i, record) in run.normalized.iter().enumerate() {
        let unit: Vec<&str> = unit_fields.iter().map(|&f| record.values.get(f)).collect();
        let row = rows.entry(unit.clone()).or_insert_with(|| CommuneRow { unit, ..CommuneRow::default() });
        row.records += 1;
        row.persons.insert(run.linkage.cluster[i]);
        if !record.findings.is_empty() {
            row.with_findings += 1;
        }
        for (d, dimension) in Dimension::ALL.iter().enumerate() {
            if record.findings.iter().any(|f| f.code.dimension() == *dimension) {
                row.by_dimension[d] += 1;
            }
        }
        for finding in &record.findings {
            *row.by_code.entry(finding.code).or_insert(0) += 1;
        }
    }

    let vi = language == Language::Vi;
    let mut header: Vec<String> = match units {
        ReportUnits::New if vi => vec!["Mã tỉnh", "Tỉnh/Thành phố", "Mã xã", "Xã/Phường/Đặc khu"],
        ReportUnits::New => vec!["province_code", "province_name", "commune_code", "commune_name"],
        ReportUnits::Old if vi => {
            vec!["Mã tỉnh (trước 2025)", "Tỉnh/Thành phố", "Mã huyện", "Quận/Huyện", "Mã xã", "Xã/Phường/Thị trấn"]
        }
        ReportUnits::Old => vec![
            "old_province_code",
            "old_province_name",
            "old_district_code",
            "old_district_name",
            "old_commune_code",
            "old_commune_name",
        ],
    }
    .into_iter()
    .map(String::from)
    .collect();
    if vi {
        header.extend(["Số bản ghi", "Số người", "Bản ghi có phát hiện"].map(String::from));
        header.extend(Dimension::ALL.iter().map(|d| format!("Bản ghi có phát hiện: {}", d.label(Language::Vi))));
    } else {
        header.extend(["records", "persons", "records_with_findings"].map(String::from));
        header.extend(Dimension::ALL.iter().map(|d| format!("records_with_findings_{}", d.label(Language::En))));
    }
    header.extend(Code::ALL.iter().map(|c| c.as_str().to_string()));
    let unresolved = if vi { "(chưa xác định)" } else { "(unresolved)" };

    let lines = rows.values().map(|row| {
        let mut cells: Vec<Cow<str>> = row.unit.iter().map(|s| Cow::Borrowed(*s)).collect();
        if cells.iter().skip(1).step_by(2).all(|c| c.is_empty()) {
            cells[1] = Cow::Borrowed(unresolved);
        } else if let Some(last) = cells.last_mut() {
            if last.is_empty() {
                *last = Cow::Borrowed(unresolved);
            }
        }
        cells.push(Cow::Owned(row.records.to_string()));
        cells.push(Cow::Owned(row.persons.len().to_string()));
        cells.push(Cow::Owned(row.with_findings.to_string()));
        cells.extend(row.by_dimension.iter().map(|n| Cow::Owned(n.to_string())));
        cells.extend(Code::ALL.iter().map(|c| Cow::Owned(row.by_code.get(c).copied().unwrap_or(0).to_string())));
        cells
    });
    write_csv(&dir.join("communes.csv"), &header, lines, true)?;

    let legend_header: Vec<String> = if vi {
        ["Mã", "Mức độ", "Khía cạnh", "Ý nghĩa"]
    } else {
        ["code", "severity", "dimension", "meaning"]
    }
    .map(String::from)
    .to_vec();
    let legend = Code::ALL.iter().map(|c| {
        vec![
            Cow::Borrowed(c.as_str()),
            Cow::Borrowed(run.severities.of(*c).label()),
            Cow::Borrowed(c.dimension().label(language)),
            Cow::Borrowed(c.describe(language)),
        ]
    });
    write_csv(&dir.join("codes.csv"), &legend_header, legend, true)?;
    Ok(())
}
