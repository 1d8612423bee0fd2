//! The quality report analysts read: per unit (post-2025 province and
//! commune by default; pre-2025 province, district and commune with
//! `--units old`) and in total, the records with findings in each of the
//! four dimensions of the programme's motto (đúng, đủ, sạch, sống), findings
//! by code, completeness by field, the address status mix, a score, and the
//! change since the previous run. Built once as data ([`model`]), then laid
//! out as CSV, JSON, HTML and XLSX. Vietnamese by default.

pub mod build;
pub mod csv;
pub mod html;
pub mod labels;
pub mod model;
pub mod xlsx;

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::finding::{Language, Severities};
pub use build::ReportInput;
use model::QualityReport;

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

/// The files of the report, under `report/` of an output folder.
pub const REPORT_FILES: [&str; 7] =
    ["report.json", "report.html", "report.xlsx", "provinces.csv", "communes.csv", "codes.csv", "districts.csv"];

/// The report of an earlier run to compare with, and what it is.
pub struct Previous {
    pub report: QualityReport,
    /// As the manifest and the report say it: `--previous DIR` or the output
    /// folder's own previous run.
    pub source: String,
}

/// Reads the report of the output folder `folder` (its
/// `report/report.json`), for comparison; `None` when it has none.
pub fn read_previous(folder: &Path, source: String) -> Result<Option<Previous>, Error> {
    let path: PathBuf = folder.join("report").join("report.json");
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| Error::ReadInput { path: path.clone(), source: e })?;
    let report: QualityReport = serde_json::from_str(&text).map_err(|e| Error::InputFormat {
        path: path.clone(),
        message: format!("is not a dancu report ({e}); pass another folder as --previous, or none"),
    })?;
    Ok(Some(Previous { report, source }))
}

/// Builds the report and writes every file of it into `dir`.
pub fn write_report(
    dir: &Path,
    input: &ReportInput,
    previous: Option<&Previous>,
    severities: &Severities,
) -> Result<QualityReport, Error> {
    crate::output::atomic::create_private_dir(dir)
        .map_err(|e| Error::WriteOutput { path: dir.to_path_buf(), source: e })?;
    let report = build::build(input, previous.map(|p| (&p.report, p.source.clone())));
    let language: Language = input.language;
    // The renderers only read the model: the workbook, the largest, is
    // laid out beside the others.
    let (workbook, others) = rayon::join(
        || xlsx::write(&dir.join("report.xlsx"), &report, language, severities),
        || -> Result<(), Error> {
            csv::write(dir, &report, language, severities)?;
            let json = serde_json::to_string_pretty(&report)
                .map_err(|e| Error::WriteOutput { path: dir.join("report.json"), source: std::io::Error::other(e) })?
                + "\n";
            crate::output::atomic::write_bytes(&dir.join("report.json"), json.as_bytes())?;
            crate::output::atomic::write_bytes(
                &dir.join("report.html"),
                html::render(&report, language, severities).as_bytes(),
            )
        },
    );
    workbook?;
    others?;
    Ok(report)
}
