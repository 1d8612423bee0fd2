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
    /// A linkage model to use instead of the shipped one.
    pub model: Option<PathBuf>,
    /// Two records (`ROW` of the first input, or `FILE:ROW`) whose match
    /// weight waterfall is printed.
    pub explain: Option<(String, String)>,
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
    let mut rules = Rules::load(&options.rules, options.extra_columns.as_deref()).map_err(Error::Rules)?;
    if let Some(model) = &options.model {
        rules.use_model(model).map_err(Error::Rules)?;
    }
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
    timings.insert("validate", clock.elapsed().as_millis() as u64);

    let clock = Instant::now();
    let bar = progress.spinner("link");
    bar.set_message("comparing candidate pairs");
    let frequencies = link::frequency::NameFrequencies::from_rules(&rules);
    let well_formed = |id: &str| validator.citizen_ids().is_well_formed(id);
    if let Some((a, b)) = &options.explain {
        let (a, b) = (find_row(&extract, a)?, find_row(&extract, b)?);
        let scorer = link::Scorer::new(&normalized, well_formed, &rules.linkage, &frequencies, parallel);
        print!("{}", link::explain(&scorer, a, b));
    }
    let linkage = link_and_check(&mut normalized, &validator, &rules, &frequencies, parallel);
    bar.finish_and_clear();
    timings.insert("link", clock.elapsed().as_millis() as u64);
    // Counts only: a skipped block means pairs never compared. Printed even
    // with --quiet: it changes what the run found.
    for rule in linkage.blocking.iter().filter(|r| r.skipped_blocks > 0) {
        eprintln!(
            "dancu: warning: blocking rule `{}` left {} block(s) of {} records uncompared \
             (over max_block_size {}); see blocking in manifest.json",
            rule.rule, rule.skipped_blocks, rule.skipped_records, rules.linkage.max_block_size
        );
    }

    let clock = Instant::now();
    let bar = progress.stage("write", 6, "files");
    let severities = &rules.validation.severities;
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
    drop(manifest);
    // Freeing a province's records one allocation at a time takes a quarter
    // of a second for a million; the run is done, so it happens on a thread
    // of its own, which the process does not wait for when it exits.
    std::thread::spawn(move || drop((extract, normalized, linkage)));
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
        merges_refused: output.linkage.merges_refused,
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

/// After validation: gives the findings their configured severities (the
/// choice of primary record counts errors), links the records, runs the
/// checks that need persons (households count a head registered twice once;
/// copies are checked against their primary record), and gives the findings
/// those added their severities too.
pub fn link_and_check(
    normalized: &mut [crate::normalize::Normalized],
    validator: &Validator,
    rules: &Rules,
    frequencies: &link::frequency::NameFrequencies,
    parallel: bool,
) -> link::Linkage {
    let severities = &rules.validation.severities;
    normalized.iter_mut().for_each(|record| severities.apply(&mut record.findings));
    let linkage =
        link::link(normalized, |id| validator.citizen_ids().is_well_formed(id), &rules.linkage, frequencies, parallel);
    crate::validate::household::check_households(normalized, &linkage.cluster);
    crate::validate::persons::check_birth_date_swaps(normalized, &linkage.cluster, &linkage.is_primary);
    normalized.iter_mut().for_each(|record| severities.apply(&mut record.findings));
    linkage
}

/// The record `ROW` of the first input, or `ROW` of the input named `FILE`
/// in `FILE:ROW` (the `source` and `row` of records.csv).
fn find_row(extract: &read::Extract, spec: &str) -> Result<usize> {
    let (file, row) = match spec.rsplit_once(':') {
        Some((file, row)) => (Some(file), row),
        None => (None, spec),
    };
    let usage = |message: String| Error::Usage(format!("--explain {spec}: {message}"));
    let row: u64 = row.parse().map_err(|_| usage("a row is a number, or FILE:ROW".to_string()))?;
    let source = match file {
        None => 0,
        Some(name) => extract
            .inputs
            .iter()
            .position(|input| input.name == name)
            .ok_or_else(|| usage(format!("no input is named {name}")))? as u32,
    };
    extract
        .records
        .iter()
        .position(|r| r.source == source && r.row == row)
        .ok_or_else(|| usage(format!("no record at row {row} (it may be quarantined)")))
}

#[derive(Clone, Debug)]
pub struct TrainOptions {
    pub inputs: Vec<PathBuf>,
    pub out: PathBuf,
    pub rules: RuleSource,
    pub extra_columns: Option<PathBuf>,
    pub read: ReadOptions,
    /// A model whose m values EM starts from (default: the shipped one).
    pub model: Option<PathBuf>,
    pub sample_pairs: u64,
    pub seed: u64,
    pub quiet: bool,
}

/// `dancu train`: reads and normalises a batch as `clean` does, blocks it
/// with the rules of `linkage.toml`, estimates u on random pairs and m by EM
/// on the blocked pairs, and writes the model file.
pub fn train(options: &TrainOptions) -> Result<(link::train::TrainingReport, Vec<link::block::BlockingStats>)> {
    let mut rules = Rules::load(&options.rules, options.extra_columns.as_deref()).map_err(Error::Rules)?;
    if let Some(model) = &options.model {
        rules.use_model(model).map_err(Error::Rules)?;
    }
    let progress = crate::progress::Progress::new(options.quiet);
    let total_bytes: u64 = options.inputs.iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum();
    let bar = progress.stage("read", total_bytes, "bytes");
    let extract = read::read_inputs(&options.inputs, &options.read, &rules.columns, &|bytes| bar.inc(bytes))?;
    bar.finish_and_clear();
    let bar = progress.stage("normalise", extract.records.len() as u64, "records");
    let reference = crate::validate::ReferenceDate::today();
    let normalizer = Normalizer::new(&rules, reference.year);
    let normalized = normalizer.normalize_all(&extract.records, true, &|done| bar.inc(done));
    bar.finish_and_clear();
    let validator = Validator::new(&rules, reference);
    let frequencies = link::frequency::NameFrequencies::from_rules(&rules);
    let bar = progress.spinner("train");
    bar.set_message("blocking, sampling pairs, expectation-maximisation");
    let scorer = link::Scorer::new(
        &normalized,
        |id| validator.citizen_ids().is_well_formed(id),
        &rules.linkage,
        &frequencies,
        true,
    );
    let (candidates, blocking) =
        link::block::candidate_pairs(&rules.linkage.blocking, &scorer.keys, rules.linkage.max_block_size, true);
    let (trained, report) = link::train::train(&scorer, &candidates, options.sample_pairs, options.seed);
    bar.finish_and_clear();
    let inputs: Vec<String> = extract.inputs.iter().map(|i| i.name.clone()).collect();
    let model = trained.model(serde_json::json!({
        "inputs": inputs,
        "report": &report,
        "dancu_version": env!("CARGO_PKG_VERSION"),
    }));
    let text = serde_json::to_string_pretty(&model).map_err(|e| Error::Usage(e.to_string()))? + "\n";
    crate::write::atomic::write_bytes(&options.out, text.as_bytes())?;
    Ok((report, blocking))
}
