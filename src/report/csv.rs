//! The report as CSV files for spreadsheets and scripts: one per level of
//! units (`provinces.csv`, `districts.csv` with `--units old`,
//! `communes.csv`), worst first, and the legend of codes (`codes.csv`).
//! UTF-8 with a byte-order mark, so that Excel shows Vietnamese correctly.

use std::borrow::Cow;
use std::path::Path;

use super::labels::{dimension_key, dimension_name, field_name, labels};
use super::model::{QualityReport, UnitFigures};
use crate::error::Error;
use crate::finding::{Code, Dimension, Language, Severities};
use crate::output::csv::write_csv;

/// The codes that occur anywhere in the run, in the order of [`Code::ALL`]:
/// the columns of findings by code (a column of zeros says nothing).
pub fn codes_present(report: &QualityReport) -> Vec<Code> {
    Code::ALL.iter().copied().filter(|c| report.totals.figures.codes.contains_key(c.as_str())).collect()
}

fn number(value: u64) -> Cow<'static, str> {
    Cow::Owned(value.to_string())
}

fn decimal(value: f64) -> Cow<'static, str> {
    Cow::Owned(format!("{value:.4}"))
}

/// Writes one level's units: `level` is `provinces`, `districts` or
/// `communes`.
fn write_level(
    dir: &Path,
    level: &str,
    units: &[UnitFigures],
    report: &QualityReport,
    language: Language,
) -> Result<(), Error> {
    let words = labels(language);
    let codes = codes_present(report);
    let fields: Vec<String> = super::build::COMPLETENESS_FIELDS.iter().map(|f| f.name().to_string()).collect();
    let with_province = level != "provinces";
    let with_district = level == "communes" && report.districts.is_some();
    let with_previous = report.previous.is_some();
    let mut header: Vec<String> = vec![words.rank.to_string()];
    if with_province {
        header.extend([words.province_code, words.province].map(String::from));
    }
    if with_district {
        header.extend([words.district_code, words.district].map(String::from));
    }
    let (code_label, name_label) = match level {
        "provinces" => (words.province_code, words.province),
        "districts" => (words.district_code, words.district),
        _ => (words.commune_code, words.commune),
    };
    header.extend(
        [code_label, name_label, words.records, words.persons, words.duplicates, words.score].map(String::from),
    );
    if with_previous {
        header.push(format!("{}: {}", words.score, words.previous));
        header.push(format!("{}: {}", words.score, words.change));
    }
    for d in Dimension::ALL {
        header.push(format!("{}: {}", dimension_name(d, language), words.with_findings));
        header.push(format!("{}: {}", dimension_name(d, language), words.share));
    }
    header.extend([words.exact, words.fuzzy, words.ambiguous, words.unresolved, words.old_units].map(String::from));
    header.extend(codes.iter().map(|c| c.as_str().to_string()));
    header.extend(fields.iter().map(|f| format!("{}: {}", words.completeness, field_name(f, language))));
    let rows = units.iter().map(|unit| {
        let mut cells: Vec<Cow<str>> = vec![number(unit.rank)];
        if with_province {
            cells.push(Cow::Borrowed(unit.province_code.as_str()));
            cells.push(Cow::Borrowed(unit.province_name.as_str()));
        }
        if with_district {
            cells.push(Cow::Borrowed(unit.district_code.as_str()));
            cells.push(Cow::Borrowed(unit.district_name.as_str()));
        }
        cells.extend([Cow::Borrowed(unit.code.as_str()), Cow::Borrowed(unit.name.as_str())]);
        cells.extend([number(unit.records), number(unit.persons), number(unit.duplicates)]);
        cells.push(Cow::Owned(format!("{:.2}", unit.score)));
        if with_previous {
            match &unit.previous {
                Some(previous) => {
                    cells.push(Cow::Owned(format!("{:.2}", previous.score)));
                    cells.push(Cow::Owned(format!("{:+.2}", unit.score - previous.score)));
                }
                None => cells.extend([Cow::Borrowed(""), Cow::Borrowed("")]),
            }
        }
        for d in Dimension::ALL {
            let figures = unit.dimensions.get(dimension_key(d)).cloned().unwrap_or_default();
            cells.push(number(figures.records));
            cells.push(decimal(figures.share));
        }
        let a = &unit.address;
        cells.extend([a.exact, a.fuzzy, a.ambiguous, a.unresolved, a.old_units].map(number));
        cells.extend(codes.iter().map(|c| number(unit.codes.get(c.as_str()).copied().unwrap_or(0))));
        cells.extend(fields.iter().map(|f| decimal(unit.fields.get(f).copied().unwrap_or(0.0))));
        cells
    });
    write_csv(&dir.join(format!("{level}.csv")), &header, rows, true)?;
    Ok(())
}

pub fn write(dir: &Path, report: &QualityReport, language: Language, severities: &Severities) -> Result<(), Error> {
    for (level, units) in report.levels() {
        write_level(dir, level, units, report, language)?;
    }
    let words = labels(language);
    let legend_header: Vec<String> =
        [words.code, words.severity, words.dimension, words.meaning, words.count].map(String::from).to_vec();
    let legend = Code::ALL.iter().map(|c| {
        vec![
            Cow::Borrowed(c.as_str()),
            Cow::Borrowed(severities.of(*c).label()),
            Cow::Borrowed(c.dimension().label(language)),
            Cow::Borrowed(c.describe(language)),
            number(report.totals.figures.codes.get(c.as_str()).copied().unwrap_or(0)),
        ]
    });
    write_csv(&dir.join("codes.csv"), &legend_header, legend, true)?;
    Ok(())
}
