//! `dancu clean` end to end, in the order of the design's diagram:
//! read → normalise → validate → link → write (records, issues, duplicates,
//! quarantine, report, manifest).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::error::{Error, Result};
use crate::finding::Language;
use crate::link;
use crate::normalize::address::AddressStatus;
use crate::normalize::Normalizer;
use crate::read::{self, ReadOptions};
use crate::record::Field;
use crate::report::{self, ReportUnits};
use crate::rules::{RuleSource, Rules};
use crate::validate::{ReferenceDate, Validator};
use crate::write::{self, manifest, RunOutput};

#[derive(Clone, Debug)]
pub struct CleanOptions {
    pub inputs: Vec<PathBuf>,
    pub out: PathBuf,
    pub rules: RuleSource,
    pub extra_columns: Option<PathBuf>,
    pub read: ReadOptions,
    pub reference_date: ReferenceDate,
    pub units: ReportUnits,
    pub language: Language,
    pub threads: usize,
    pub quiet: bool,
}

/// What a finished run reports back to the command line: counts only,
/// never record content.
#[derive(Clone, Debug)]
pub struct Summary {
    pub inputs: usize,
    pub rows_read: u64,
    pub records: u64,
    pub quarantined: u64,
    pub findings: u64,
    pub persons: u64,
    pub duplicate_records: u64,
}

pub fn run(options: &CleanOptions) -> Result<Summary> {
    let started_at_unix = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let mut timings = BTreeMap::new();
    let progress = crate::progress::Progress::new(options.quiet);
    let parallel = options.threads != 1;

    let clock = Instant::now();
    let rules = Rules::load(&options.rules, options.extra_columns.as_deref()).map_err(Error::Rules)?;
    timings.insert("rules", clock.elapsed().as_millis() as u64);
    prepare_output_folder(&options.out)?;

    let clock = Instant::now();
    let total_bytes: u64 = options.inputs.iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum();
    let bar = progress.stage("read", total_bytes, "bytes");
    let extract = read::read_inputs(&options.inputs, &options.read, &rules.columns, &|bytes| bar.inc(bytes))?;
    bar.finish_and_clear();
    timings.insert("read", clock.elapsed().as_millis() as u64);

    let clock = Instant::now();
    let bar = progress.stage("normalise", extract.records.len() as u64, "records");
    let normalizer = Normalizer::new(&rules, options.reference_date.year);
    let mut normalized = normalizer.normalize_all(&extract.records, parallel, &|done| bar.inc(done));
    bar.finish_and_clear();
    timings.insert("normalize", clock.elapsed().as_millis() as u64);

    let clock = Instant::now();
    let validator = Validator::new(&rules, options.reference_date);
    validator.validate_all(&extract.records, &mut normalized, parallel);
    let severities = &rules.validation.severities;
    normalized.iter_mut().for_each(|record| severities.apply(&mut record.findings));
    timings.insert("validate", clock.elapsed().as_millis() as u64);

    let clock = Instant::now();
    let bar = progress.spinner("link");
    bar.set_message("comparing candidate pairs");
    let linkage =
        link::link(&mut normalized, |id| validator.citizen_ids().is_well_formed(id), &rules.linkage, parallel);
    // Household checks count persons, so they follow linkage.
    crate::validate::household::check_households(&mut normalized, &linkage.cluster);
    crate::validate::persons::check_birth_date_swaps(&mut normalized, &linkage.cluster, &linkage.is_primary);
    normalized.iter_mut().for_each(|record| severities.apply(&mut record.findings));
    bar.finish_and_clear();
    timings.insert("link", clock.elapsed().as_millis() as u64);

    let clock = Instant::now();
    let bar = progress.stage("write", 6, "files");
    let output = RunOutput { extract: &extract, normalized: &normalized, linkage: &linkage, severities };
    // The files are independent: records.csv, records.parquet and the rest
    // are written side by side (one after another with --threads 1).
    let out = &options.out;
    let done = |files: u64| bar.inc(files);
    let (records, (parquet, rest)) = rayon::join(
        || write::write_records_csv(out, &output).inspect(|_| done(1)),
        || {
            rayon::join(
                || write::write_records_parquet(out, &output).inspect(|_| done(1)),
                || -> Result<u64> {
                    write::write_issues(out, &output)?;
                    let pairs = write::write_duplicates(out, &output)?;
                    write::write_quarantine(out, &output)?;
                    report::write_report(out, &output, options.units, options.language)?;
                    done(4);
                    Ok(pairs)
                },
            )
        },
    );
    records?;
    parquet?;
    let pairs_written = rest?;
    bar.finish_and_clear();
    timings.insert("write", clock.elapsed().as_millis() as u64);

    let counts = count(&output, pairs_written);
    let summary = Summary {
        inputs: extract.inputs.len(),
        rows_read: counts.rows_read,
        records: counts.records,
        quarantined: counts.quarantined,
        findings: counts.findings,
        persons: counts.persons,
        duplicate_records: counts.duplicate_records,
    };
    let manifest = manifest::Manifest {
        dancu_version: env!("CARGO_PKG_VERSION"),
        reference_date: options.reference_date.to_string(),
        report_units: options.units.label(),
        rules: manifest::RulesInfo { source: &rules.source, version: &rules.version },
        inputs: &extract.inputs,
        counts,
        blocking: &linkage.blocking,
        outputs: vec![
            "records.csv",
            "records.parquet",
            "issues.csv",
            "duplicates.csv",
            "quarantine.csv",
            "report/communes.csv",
            "report/codes.csv",
        ],
        run: manifest::RunInfo { started_at_unix, threads: rayon::current_num_threads(), timings_ms: timings },
    };
    manifest::write(&options.out.join("manifest.json"), &manifest)?;
    Ok(summary)
}

fn prepare_output_folder(out: &Path) -> Result<()> {
    std::fs::create_dir_all(out).map_err(|e| Error::WriteOutput { path: out.to_path_buf(), source: e })
}

fn count(output: &RunOutput, pairs_written: u64) -> manifest::Counts {
    let mut counts = manifest::Counts {
        records: output.extract.records.len() as u64,
        quarantined: output.extract.quarantine.len() as u64,
        persons: u64::from(output.linkage.persons),
        pairs_compared: output.linkage.pairs_compared,
        pairs_written,
        ..manifest::Counts::default()
    };
    counts.rows_read = counts.records + counts.quarantined;
    counts.duplicate_records = counts.records - counts.persons;
    for record in output.normalized {
        if !record.findings.is_empty() {
            counts.records_with_findings += 1;
        }
        for finding in &record.findings {
            counts.findings += 1;
            *counts.findings_by_severity.entry(finding.severity.label()).or_insert(0) += 1;
            *counts.findings_by_code.entry(finding.code.as_str()).or_insert(0) += 1;
        }
        let written = record.values.get(Field::AddressStatus);
        let status =
            AddressStatus::ALL.iter().map(|s| s.label()).find(|&label| label == written).unwrap_or("unresolved");
        *counts.address_status.entry(status).or_insert(0) += 1;
    }
    counts
}
