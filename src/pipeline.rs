//! `dancu clean` end to end, in the order of the design's diagram:
//! read → normalise → validate → link → write (records, issues, duplicates,
//! quarantine, report, manifest), the outputs staged and swapped in as one
//! set; and `dancu train`, which shares the first stages.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::error::{Error, Result};
use crate::finding::Language;
use crate::guard::Stage;
use crate::identity::{self, Ledger, PersonNumber, RecordChange};
use crate::link;
use crate::master::store::MasterTables;
use crate::master::{self, Master};
use crate::normalize::address::AddressStatus;
use crate::normalize::{Normalized, Normalizer};
use crate::output::set::OutputSet;
use crate::progress::Progress;
use crate::read::{self, Extract, ReadOptions};
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
    /// An earlier output folder whose report this run's is compared with;
    /// without it, the output folder's own previous run, if any.
    pub previous: Option<PathBuf>,
    /// A previous output folder tonight's records are linked against; the
    /// output is the new master.
    pub master: Option<PathBuf>,
    /// Accept a master of another version or rules, relinked whole.
    pub rebuild: bool,
    /// A `decisions.csv` whose decisions clustering honours, besides the
    /// master's and the output folder's own.
    pub decisions: Option<PathBuf>,
}

/// What a finished run reports back to the command line: counts only,
/// never record content.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub inputs: usize,
    pub rows_read: u64,
    pub records: u64,
    pub quarantined: u64,
    pub findings: u64,
    pub persons: u64,
    pub duplicate_records: u64,
    /// On a night: rows the master already held as they are, and the
    /// records of the new master.
    pub night: Option<(u64, u64)>,
    /// Records quarantined because working on them panicked, by stage.
    pub internal_errors: BTreeMap<&'static str, u64>,
    /// The match weight waterfall `--explain` asked for.
    pub explanation: Option<String>,
}

/// Where a run tells the operator what it found along the way (a lock taken
/// over, a file that is not what its name says); the binary prints it.
pub type Notices<'a> = &'a dyn Fn(&str);

pub fn run(options: &CleanOptions, notices: Notices) -> Result<Summary> {
    let started_at_unix = crate::clock::unix_seconds();
    let mut timings = BTreeMap::new();
    let progress = Progress::new(options.quiet);
    let parallel = options.threads != 1;

    let clock = Instant::now();
    let rules = load_rules(&options.rules, options.extra_columns.as_deref(), options.model.as_deref())?;
    timings.insert("rules", clock.elapsed().as_millis() as u64);
    refuse_inputs_inside_output(&options.inputs, &options.out)?;
    let master = match &options.master {
        Some(folder) => Some(Master::open(folder, &rules.version, options.rebuild)?),
        None => None,
    };
    let previous = previous_report(options)?;
    let (set, set_warnings) = OutputSet::begin(&options.out)?;
    for warning in &set_warnings {
        notices(warning);
    }

    // The clerks' decisions: the master's, the output folder's own (read
    // under its lock, so none is appended meanwhile) and --decisions.
    let decision_files = decision_files(options, master.as_ref(), notices)?;
    let decisions = crate::decisions::gather(&decision_files)?;

    // Tonight's batch is prepared first. On a night, its blocking keys say
    // which of the master's records to take out (all of them with
    // --rebuild); those are read back as the dancu output they were
    // written as, and come first (`source` 0).
    let batch = prepare(&rules, None, &options.inputs, &options.read, options.reference_date, parallel, &progress)?;
    // Tonight's record IDs are numbered among themselves: tonight's copy of
    // a known row is that row, not its second occurrence.
    let tonight_ids = identity::record_ids(&batch.extract.records, parallel);
    let clock = Instant::now();
    let mut night_master = match &master {
        Some(master) => {
            let tables = MasterTables::read(&master.folder)?;
            let (rows, names) = if options.rebuild {
                ((0..tables.len() as u32).collect(), None)
            } else {
                let records = (batch.normalized.as_slice(), tonight_ids.as_slice());
                let (rows, names) =
                    master::night::neighbours(&tables, records, &rules, options.reference_date, &decisions, parallel)?;
                (rows, Some(names))
            };
            let csv = tables.rows_as_csv(&rows)?;
            timings.insert("master", clock.elapsed().as_millis() as u64);
            Some(master::night::NightMaster { tables, rows, csv, names })
        }
        None => None,
    };
    let mut prepared = match (&master, &night_master) {
        (Some(master), Some(night_master)) => {
            let path = master.folder.join(master::store::RECORDS_DIR);
            let first = read::InMemory { path: &path, bytes: &night_master.csv };
            let quiet = Progress::new(true);
            let known = prepare(&rules, Some(first), &[], &options.read, options.reference_date, parallel, &quiet)?;
            known.followed_by(batch)
        }
        _ => batch,
    };
    timings.extend(std::mem::take(&mut prepared.timings));
    let (mut extract, mut normalized) = (prepared.extract, prepared.normalized);
    // The master's records keep the IDs it gave them (a corrected record's
    // content no longer makes it); tonight's follow them.
    let master_records = extract.records.len() - tonight_ids.len();
    let mut record_ids = identity::kept_record_ids(&extract.records[..master_records], parallel);
    record_ids.extend(tonight_ids);
    let night = match &master {
        Some(_) => master::merge_night(&mut extract, &mut normalized, &mut record_ids, 0),
        None => master::NightMerge { added: (0..extract.records.len()).collect(), ..Default::default() },
    };
    for warning in &extract.warnings {
        notices(warning);
    }

    let clock = Instant::now();
    let validator = Validator::new(&rules, options.reference_date);
    let bar = progress.spinner("link");
    bar.set_message("comparing candidate pairs");
    // A name's share is counted over the whole population: the master's
    // records and tonight's new ones, not only those linked tonight.
    let frequencies = match night_master.as_mut().and_then(|m| m.names.take()) {
        Some(mut counts) => {
            for &i in &night.added {
                *counts.counts.entry(normalized[i].name_key.clone()).or_insert(0) += 1;
            }
            counts.total += night.added.len() as u64;
            link::frequency::NameFrequencies::from_rules(&rules).within(counts)
        }
        None => link::frequency::NameFrequencies::from_rules(&rules),
    };
    let first_input = u32::from(master.is_some());
    let explanation = match &options.explain {
        Some((a, b)) => match (find_row(&extract, first_input, a), find_row(&extract, first_input, b)) {
            (Ok(a), Ok(b)) => {
                let well_formed = |id: &str| validator.citizen_ids().is_well_formed(id);
                let scorer = link::Scorer::new(&normalized, well_formed, &rules.linkage, &frequencies, parallel);
                Some(link::explain(&scorer, a, b))
            }
            (Err(message), _) | (_, Err(message)) => {
                notices(&format!("{message}; nothing to explain, the run goes on"));
                None
            }
        },
        None => None,
    };
    // The master's history tells which decisions a correction outdated:
    // read only when there are decisions.
    let history = match (&master, decisions.is_empty()) {
        (Some(master), false) => master.history()?,
        _ => Vec::new(),
    };
    let night_label = options.reference_date.to_string();
    let (decided, decisions_gone, decisions_outdated) =
        decided_pairs(&decisions, &record_ids, &history, &night.updated, &night_label);
    let linkage = link_and_check(&mut normalized, &validator, &rules, &frequencies, &decided, parallel);
    bar.finish_and_clear();
    timings.insert("link", clock.elapsed().as_millis() as u64);
    // Counts only: a skipped block means pairs never compared.
    for rule in linkage.blocking.iter().filter(|r| r.skipped_blocks > 0) {
        notices(&format!(
            "blocking rule `{}` left {} block(s) of {} records uncompared (over max_block_size {}); see blocking in manifest.json",
            rule.rule, rule.skipped_blocks, rule.skipped_records, rules.linkage.max_block_size
        ));
    }

    let clock = Instant::now();
    // A record of the master or of a cleaned file keeps the person it was
    // where tonight's clusters agree; without a master's ledger, numbers
    // start past the highest known.
    let known = master::known_persons(&extract);
    let mut ledger = match &master {
        Some(master) => master.ledger.clone(),
        None => Ledger::new(),
    };
    ledger.next_free = ledger.next_free.max(known.iter().flatten().max().map_or(0, |&n| n + 1));
    let persons = identity::assign_persons(&known, &linkage.cluster, linkage.persons as usize, &mut ledger);
    name_duplicates(&mut normalized, &linkage.cluster, &persons.person_of_cluster);
    let record_changes: Vec<(RecordChange, usize)> = night
        .added
        .iter()
        .map(|&i| (RecordChange::Added, i))
        .chain(night.updated.iter().map(|&i| (RecordChange::Updated, i)))
        .collect();
    // The night each record arrived: the master's current records say it
    // of theirs (a corrected record still arrived when it first did),
    // tonight's are tonight's.
    let arrived: crate::hash::HashMap<&str, &str> = match &night_master {
        Some(night_master) => night_master.first_seen()?,
        None => Default::default(),
    };
    let night_of = |i: usize| -> &str { arrived.get(record_ids[i].as_str()).copied().unwrap_or(night_label.as_str()) };
    let golden = identity::golden::Survivorship {
        rules: &rules.survivorship,
        normalized: &normalized,
        is_primary: &linkage.is_primary,
        night_of: &night_of,
    }
    .golden_records(&linkage.cluster, linkage.persons as usize, parallel);
    timings.insert("identity", clock.elapsed().as_millis() as u64);

    let clock = Instant::now();
    let bar = progress.stage("write", 9, "files");
    let severities = &rules.validation.severities;
    let mut output =
        RunOutput::new(&extract, &normalized, &linkage, severities, &record_ids, &persons.person_of_cluster);
    // A night's CSV files and report are the clerk's: tonight's records and
    // the known records tonight's were linked or compared with; the Parquet
    // tables are the whole master.
    let tonight: Option<Vec<bool>> = master.is_some().then(|| extract.records.iter().map(|r| r.source != 0).collect());
    if let Some(tonight) = &tonight {
        output = output.showing(tonight);
    }
    let out = set.path();
    let done = |files: u64| bar.inc(files);
    // Each file's own time, for the manifest: the files are written side by side.
    let file_timings = std::sync::Mutex::new(BTreeMap::new());
    let timed = |name: &'static str, clock: Instant| {
        file_timings.lock().expect("no writer panics holding it").insert(name, clock.elapsed().as_millis() as u64);
    };
    let (records, (tables, rest)) = rayon::join(
        || {
            let clock = Instant::now();
            write::write_records_csv(out, &output).inspect(|_| {
                timed("write.records_csv", clock);
                done(1)
            })
        },
        || {
            rayon::join(
                || -> Result<u64> {
                    let clock = Instant::now();
                    let persons = master::night::write_master_tables(
                        out,
                        night_master.as_ref(),
                        &output,
                        &rules,
                        &night,
                        &golden,
                        &night_of,
                    )?;
                    // A night adds a persons part; now and then they are one again.
                    if master.is_some() {
                        master::store::compact_persons(out, persons, &ledger)?;
                    }
                    timed("write.master_tables", clock);
                    done(2);
                    Ok(persons)
                },
                || -> Result<(u64, u64)> {
                    let clock = Instant::now();
                    write::write_issues(out, &output)?;
                    let pairs = write::write_duplicates(out, &output)?;
                    write::write_quarantine(out, &output, master.as_ref().map_or(&[][..], |m| &m.quarantine))?;
                    write::write_changes(
                        out,
                        &output,
                        &night_label,
                        master.as_ref().map(Master::history_path).as_deref(),
                        &persons.changes,
                        &record_changes,
                        &night.seen,
                    )?;
                    write::write_ledger(out, &ledger)?;
                    if !decisions.is_empty() {
                        crate::decisions::write_all(&out.join(crate::decisions::FILE), &decisions)?;
                    }
                    timed("write.other_tables", clock);
                    let clock = Instant::now();
                    write::write_persons_csv(out, &output, &golden, &night_of)?;
                    timed("write.persons", clock);
                    done(2);
                    let input = report::ReportInput {
                        extract: &extract,
                        normalized: &normalized,
                        linkage: &linkage,
                        counted: tonight.as_deref(),
                        units: options.units,
                        language: options.language,
                        reference_date: options.reference_date.to_string(),
                        generated_at: generated_at(started_at_unix),
                    };
                    let clock = Instant::now();
                    report::write_report(&out.join("report"), &input, previous.as_ref(), severities)?;
                    let report_ms = clock.elapsed().as_millis() as u64;
                    done(4);
                    Ok((pairs, report_ms))
                },
            )
        },
    );
    records?;
    crate::fault::point("records-written");
    let master_persons = tables?;
    let (pairs_written, report_ms) = rest?;
    bar.finish_and_clear();
    timings.insert("write", clock.elapsed().as_millis() as u64);
    timings.extend(file_timings.into_inner().expect("no writer panics holding it"));
    // Made while the record files are written, so part of `write` as well.
    timings.insert("report", report_ms);

    let mut counts = count(&output, tonight.as_deref(), pairs_written, &prepared.internal_errors);
    if let Some(night_master) = &night_master {
        let kept = night_master.tables.len() - night_master.rows.len();
        counts.master = Some(manifest::MasterCounts {
            records: (kept + output.extract.records.len()) as u64,
            persons: master_persons,
            records_read: night_master.rows.len() as u64,
        });
    }
    counts.records_seen = night.seen.len() as u64;
    counts.rows_read += counts.records_seen;
    for change in &persons.changes {
        *counts.changes.entry(change.label()).or_insert(0) += 1;
    }
    for (change, _) in &record_changes {
        *counts.changes.entry(change.label()).or_insert(0) += 1;
    }
    if !night.seen.is_empty() {
        counts.changes.insert("record_seen", counts.records_seen);
    }
    let summary = Summary {
        // The master's records are read as an input of their own.
        inputs: extract.inputs.len() - usize::from(master.is_some()),
        night: counts.master.as_ref().map(|m| (counts.records_seen, m.records)),
        rows_read: counts.rows_read,
        records: counts.records,
        quarantined: counts.quarantined,
        findings: counts.findings,
        persons: counts.persons,
        duplicate_records: counts.duplicate_records,
        internal_errors: prepared.internal_errors.clone(),
        explanation,
    };
    let manifest = manifest::Manifest {
        dancu_version: env!("CARGO_PKG_VERSION"),
        reference_date: options.reference_date.to_string(),
        report_units: options.units.label(),
        rules: manifest::RulesInfo { source: &rules.source, version: &rules.version },
        inputs: &extract.inputs,
        warnings: &extract.warnings,
        counts,
        blocking: &linkage.blocking,
        outputs: output_files(options.units),
        report_previous: previous.as_ref().map(|p| p.source.clone()),
        decisions: (!decision_files.is_empty()).then(|| manifest::DecisionsInfo {
            files: decision_files.iter().map(|f| crate::message::shown_path(f)).collect(),
            rows: decisions.len() as u64,
            pairs: crate::decisions::in_force(&decisions).len() as u64,
            same: linkage.decided.same,
            different: linkage.decided.different,
            unsure: linkage.decided.unsure,
            same_refused: linkage.decided.same_refused,
            no_longer_apply: decisions_gone,
            record_corrected: decisions_outdated,
        }),
        run: manifest::RunInfo {
            started_at_unix,
            threads: rayon::current_num_threads(),
            timings_ms: timings,
            warnings: set_warnings,
        },
    };
    manifest::write(&set.path().join("manifest.json"), &manifest)?;
    drop(manifest);
    drop(output);
    set.commit()?;
    // Freeing a province's records one allocation at a time takes a quarter
    // of a second for a million; the run is done, so it happens on a thread
    // of its own, which the process does not wait for when it exits.
    std::thread::spawn(move || drop((extract, normalized, linkage, night_master)));
    Ok(summary)
}

/// The `decisions.csv` files a run honours: the master's, the output
/// folder's own, and `--decisions`, those that exist. An output folder's
/// `decisions.csv` that is not one of dancu's is a user's own file: it is
/// carried as it is and not read, unless this run has decisions to write
/// in its place, which it refuses.
fn decision_files(options: &CleanOptions, master: Option<&Master>, notices: Notices) -> Result<Vec<PathBuf>> {
    use crate::decisions::{is_decisions_file, FILE};
    let mut files: Vec<PathBuf> = master.iter().map(|m| m.folder.join(FILE)).collect();
    let own = options.out.join(FILE);
    let foreign = own.is_file() && !is_decisions_file(&own);
    if foreign {
        notices(&format!(
            "{} is not a dancu decisions.csv (its header is not `{}`): it is carried as it is and not honoured",
            crate::message::shown_path(&own),
            crate::decisions::HEADER.join(",")
        ));
    } else {
        files.push(own.clone());
    }
    files.retain(|f| f.is_file());
    if let Some(file) = &options.decisions {
        if !file.is_file() {
            return Err(Error::Usage(format!(
                "--decisions {}: no such file; pass the decisions.csv that `dancu review` wrote",
                crate::message::shown_path(file)
            )));
        }
        files.push(file.clone());
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    if foreign && !files.is_empty() {
        return Err(Error::Usage(format!(
            "{} is not a dancu decisions.csv, and this run would write the clerks' decisions in its place; move it out of the output folder first",
            crate::message::shown_path(&own)
        )));
    }
    Ok(files)
}

/// The decisions in force as pairs of tonight's records, how many name a
/// record that is no longer there, and how many were made before one of
/// their records was corrected (in the master's `history`, or tonight: the
/// records updated and the night): those are on other content.
fn decided_pairs(
    decisions: &[crate::decisions::Decision],
    record_ids: &[String],
    history: &[Vec<String>],
    updated: &[usize],
    night: &str,
) -> (Vec<link::DecidedPair>, u64, u64) {
    if decisions.is_empty() {
        return (Vec::new(), 0, 0);
    }
    let mut corrections = crate::decisions::corrections_in(history);
    for &i in updated {
        crate::decisions::note_correction(&mut corrections, &record_ids[i], night);
    }
    let index: crate::hash::HashMap<&str, u32> =
        record_ids.iter().enumerate().map(|(i, id)| (id.as_str(), i as u32)).collect();
    let (mut gone, mut outdated) = (0, 0);
    let mut decided = Vec::new();
    for ((a, b), decision) in crate::decisions::in_force(decisions) {
        match (index.get(a), index.get(b)) {
            (Some(_), Some(_)) if !crate::decisions::still_applies(decision, &corrections) => outdated += 1,
            (Some(&a), Some(&b)) => decided.push(link::DecidedPair { a, b, verdict: decision.verdict }),
            _ => gone += 1,
        }
    }
    (decided, gone, outdated)
}

/// The files of a run's output set, as the manifest lists them.
fn output_files(units: ReportUnits) -> Vec<&'static str> {
    let mut files = vec![
        "records.csv",
        "records/",
        "issues.csv",
        "duplicates.csv",
        "quarantine.csv",
        "changes.csv",
        "identity.json",
        "persons.csv",
        "persons/",
        "manifest.json",
    ];
    files.extend(["report/report.json", "report/report.html", "report/report.xlsx", "report/provinces.csv"]);
    if units == ReportUnits::Old {
        files.push("report/districts.csv");
    }
    files.extend(["report/communes.csv", "report/codes.csv"]);
    files
}

/// When the report says it was made: the run's start, or
/// `SOURCE_DATE_EPOCH` where that is set (the convention of reproducible
/// builds), so that a rerun can give the same bytes.
fn generated_at(started_at_unix: u64) -> String {
    let seconds =
        std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.trim().parse().ok()).unwrap_or(started_at_unix);
    crate::clock::utc_timestamp(seconds)
}

/// The report this run's is compared with: `--previous DIR`'s, or the
/// output folder's own previous run's.
fn previous_report(options: &CleanOptions) -> Result<Option<report::Previous>> {
    match &options.previous {
        Some(folder) => {
            let source = format!("--previous {}", crate::message::shown_path(folder));
            report::read_previous(folder, source)?.map(Some).ok_or_else(|| {
                Error::Usage(format!(
                    "--previous {}: the folder holds no report (report/report.json); name the output folder of an earlier run",
                    crate::message::shown_path(folder)
                ))
            })
        }
        None => report::read_previous(&options.out, "the previous run in the output folder".to_string()),
    }
}

/// The rules of a run, with the linkage model replaced when one is given.
fn load_rules(source: &RuleSource, extra_columns: Option<&Path>, model: Option<&Path>) -> Result<Rules> {
    let mut rules = Rules::load(source, extra_columns).map_err(Error::Rules)?;
    if let Some(model) = model {
        rules.use_model(model).map_err(Error::Rules)?;
    }
    Ok(rules)
}

/// A run replaces its output folder as a whole: an input inside it, at any
/// depth, would be lost with the old set. Checked before anything is read.
fn refuse_inputs_inside_output(inputs: &[PathBuf], out: &Path) -> Result<()> {
    let Ok(out_folder) = std::fs::canonicalize(out) else {
        // A folder that does not exist yet holds no input.
        return Ok(());
    };
    for input in inputs {
        if let Ok(path) = std::fs::canonicalize(input) {
            if path.starts_with(&out_folder) {
                return Err(Error::InputInsideOutput { input: input.clone(), out: out.to_path_buf() });
            }
        }
    }
    Ok(())
}

/// A batch read, normalised and validated, with the records whose work
/// panicked moved to quarantine.
pub struct Prepared {
    pub extract: Extract,
    pub normalized: Vec<Normalized>,
    /// Records quarantined for an internal error, by stage.
    pub internal_errors: BTreeMap<&'static str, u64>,
    pub timings: BTreeMap<&'static str, u64>,
}

impl Prepared {
    /// This batch and `then` as one, `then`'s records after this one's:
    /// its inputs numbered after this one's, its carried columns put in
    /// the places this one gives them (new ones after), its counts and
    /// times added.
    fn followed_by(mut self, then: Prepared) -> Prepared {
        let offset = self.extract.inputs.len() as u32;
        let slots: Vec<usize> = then
            .extract
            .extra_columns
            .iter()
            .map(|name| match self.extract.extra_columns.iter().position(|c| c == name) {
                Some(slot) => slot,
                None => {
                    self.extract.extra_columns.push(name.clone());
                    self.extract.extra_columns.len() - 1
                }
            })
            .collect();
        for mut input in then.extract.inputs {
            for place in &mut input.cells {
                if let read::CellPlace::Extra(slot) = place {
                    *slot = slots[*slot];
                }
            }
            self.extract.inputs.push(input);
        }
        for mut record in then.extract.records {
            record.source += offset;
            let mut extras: Vec<Box<str>> = Vec::new();
            for (slot, cell) in record.extras.into_iter().enumerate() {
                let to = slots[slot];
                if extras.len() <= to {
                    extras.resize(to + 1, Box::from(""));
                }
                extras[to] = cell;
            }
            record.extras = extras;
            self.extract.records.push(record);
        }
        for mut row in then.extract.quarantine {
            row.source += offset;
            self.extract.quarantine.push(row);
        }
        for field in then.extract.mapped_fields {
            if !self.extract.mapped_fields.contains(&field) {
                self.extract.mapped_fields.push(field);
            }
        }
        self.extract.warnings.extend(then.extract.warnings);
        for mut record in then.normalized {
            if let Some(cells) = record.repaired_extras.as_mut() {
                cells.iter_mut().for_each(|cell| cell.slot = slots[cell.slot as usize] as u32);
            }
            self.normalized.push(record);
        }
        for (stage, count) in then.internal_errors {
            *self.internal_errors.entry(stage).or_insert(0) += count;
        }
        for (stage, ms) in then.timings {
            *self.timings.entry(stage).or_insert(0) += ms;
        }
        self
    }
}

/// The stages every command that works on a batch runs first: read,
/// normalise, validate.
pub fn prepare(
    rules: &Rules,
    first: Option<read::InMemory>,
    inputs: &[PathBuf],
    read_options: &ReadOptions,
    reference_date: ReferenceDate,
    parallel: bool,
    progress: &Progress,
) -> Result<Prepared> {
    let mut timings = BTreeMap::new();
    let clock = Instant::now();
    let total_bytes: u64 = inputs.iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum::<u64>()
        + first.as_ref().map_or(0, |f| f.bytes.len() as u64);
    let bar = progress.stage("read", total_bytes, "bytes");
    let mut extract = read::read_inputs(first, inputs, read_options, rules, &|bytes| bar.inc(bytes))?;
    bar.finish_and_clear();
    timings.insert("read", clock.elapsed().as_millis() as u64);

    let clock = Instant::now();
    let bar = progress.stage("normalise", extract.records.len() as u64, "records");
    let normalizer = Normalizer::new(rules, reference_date.year);
    let mut normalized = normalizer.normalize_all(&extract.records, parallel, &|done| bar.inc(done));
    bar.finish_and_clear();
    timings.insert("normalize", clock.elapsed().as_millis() as u64);
    count_repairs(&mut extract, &normalized);

    let clock = Instant::now();
    let fields_given = extract.fields_given();
    extract.warnings.extend(missing_columns(&extract, &fields_given, rules));
    let validator = Validator::new(rules, reference_date).with_input_fields(fields_given);
    validator.validate_all(&extract.records, &mut normalized, parallel);
    timings.insert("validate", clock.elapsed().as_millis() as u64);

    let internal_errors = quarantine_internal_errors(&mut extract, &mut normalized);
    Ok(Prepared { extract, normalized, internal_errors, timings })
}

/// Counts, per input column and encoding, the cells normalisation repaired
/// from a legacy encoding, for the manifest.
fn count_repairs(extract: &mut Extract, normalized: &[Normalized]) {
    /// Repairs of one input: (field, or carried slot) → encoding → count.
    type InputRepairs = BTreeMap<(Option<Field>, usize), BTreeMap<&'static str, u64>>;
    let mut counts: Vec<InputRepairs> = vec![BTreeMap::new(); extract.inputs.len()];
    for (raw, record) in extract.records.iter().zip(normalized) {
        let per_input = &mut counts[raw.source as usize];
        for finding in record.findings.iter().filter(|f| f.code == crate::finding::Code::TextRepaired) {
            if let Some(encoding) = finding.encoding {
                *per_input.entry((Some(finding.field), 0)).or_default().entry(encoding.label()).or_insert(0) += 1;
            }
        }
        for cell in record.repaired_extras.as_deref().unwrap_or_default() {
            *per_input.entry((None, cell.slot as usize)).or_default().entry(cell.encoding.label()).or_insert(0) += 1;
        }
    }
    for (input, counts) in extract.inputs.iter_mut().zip(counts) {
        for ((field, slot), by_encoding) in counts {
            let header = match field {
                Some(field) => input
                    .columns
                    .iter()
                    .find(|c| c.field == field.name() || c.field.starts_with(&format!("{} ", field.name())))
                    .map_or_else(|| field.name().to_string(), |c| c.header.clone()),
                None => extract.extra_columns[slot].clone(),
            };
            input.repairs.insert(header, by_encoding);
        }
    }
}

/// An input without a column for a required field, or for any part of the
/// address (or whose column is empty in every row), is said so once (on
/// stderr and in the manifest) rather than on each of its records.
fn missing_columns(extract: &Extract, fields_given: &[u32], rules: &Rules) -> Vec<String> {
    let address = [Field::Address, Field::CommuneName, Field::OldDistrictName, Field::ProvinceName, Field::CommuneCode];
    let mut warnings = Vec::new();
    // An input without records (a night that reads none of the master's)
    // has nothing to flag.
    for (input, &mask) in extract.inputs.iter().zip(fields_given).filter(|(input, _)| input.records > 0) {
        let has = |field: Field| mask & (1 << field.index()) != 0;
        let missing: Vec<&str> = rules.validation.required.iter().filter(|&&f| !has(f)).map(|f| f.name()).collect();
        let name = crate::message::shown(&input.name);
        if !missing.is_empty() {
            warnings.push(format!(
                "{name}: no column, or no value in any row, for the required field(s) {}; its records are not flagged one by one (if the column is there under another header, add the header as an alias in a file passed with --columns)",
                missing.join(", ")
            ));
        }
        if !address.iter().any(|&f| has(f)) {
            warnings.push(format!(
                "{name}: no address column (address, commune, district, province), or none with a value; its records are not placed in a commune"
            ));
        }
    }
    warnings
}

/// Moves the records whose normalisation or validation panicked to
/// quarantine, with the stage as the reason. Returns how many, by stage.
fn quarantine_internal_errors(extract: &mut Extract, normalized: &mut Vec<Normalized>) -> BTreeMap<&'static str, u64> {
    let failed: Vec<usize> = (0..normalized.len()).filter(|&i| normalized[i].internal_error.is_some()).collect();
    let mut by_stage = BTreeMap::new();
    if failed.is_empty() {
        return by_stage;
    }
    let stage_of = |i: usize| normalized[i].internal_error.unwrap_or(Stage::Normalize);
    for &i in &failed {
        *by_stage.entry(stage_of(i).label()).or_insert(0) += 1;
    }
    extract.quarantine_records(&failed, |i| stage_of(i).reason());
    normalized.retain(|record| record.internal_error.is_none());
    by_stage
}

/// The manifest's counts of a run: of all its records, or on a night of
/// `tonight`'s (the records first seen or corrected tonight).
fn count(
    output: &RunOutput,
    tonight: Option<&[bool]>,
    pairs_written: u64,
    internal_errors: &BTreeMap<&'static str, u64>,
) -> manifest::Counts {
    let counted = |i: usize| tonight.is_none_or(|t| t[i]);
    let records = (0..output.normalized.len()).filter(|&i| counted(i));
    let persons: crate::hash::HashSet<u32> = records.clone().map(|i| output.linkage.cluster[i]).collect();
    let mut counts = manifest::Counts {
        records: records.clone().count() as u64,
        quarantined: output.extract.quarantine.len() as u64,
        persons: persons.len() as u64,
        pairs_compared: output.linkage.pairs_compared,
        merges_refused: output.linkage.merges_refused,
        pairs_written,
        internal_errors: internal_errors.clone(),
        ..manifest::Counts::default()
    };
    counts.rows_read = counts.records + counts.quarantined;
    counts.duplicate_records = counts.records - counts.persons;
    for record in records.map(|i| &output.normalized[i]) {
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
    decided: &[link::DecidedPair],
    parallel: bool,
) -> link::Linkage {
    let severities = &rules.validation.severities;
    normalized.iter_mut().for_each(|record| severities.apply(&mut record.findings));
    let well_formed = |id: &str| validator.citizen_ids().is_well_formed(id);
    let linkage = link::link(normalized, well_formed, &rules.linkage, frequencies, decided, parallel);
    crate::validate::household::check_households(normalized, &linkage.cluster);
    crate::validate::persons::check_birth_date_swaps(normalized, &linkage.cluster, &linkage.is_primary);
    normalized.iter_mut().for_each(|record| severities.apply(&mut record.findings));
    linkage
}

/// Gives each duplicate's finding the ID of the person it is a copy of,
/// now that the person has one.
fn name_duplicates(normalized: &mut [Normalized], cluster: &[u32], person_of_cluster: &[PersonNumber]) {
    for (record, &c) in normalized.iter_mut().zip(cluster) {
        for finding in record.findings.iter_mut().filter(|f| f.code == crate::finding::Code::Duplicate) {
            finding.suggestion = identity::person_id(person_of_cluster[c as usize]).into();
        }
    }
}

/// The record `ROW` of the first input, or `ROW` of the input named `FILE`
/// in `FILE:ROW` (the `source` and `row` of records.csv); or what is wrong
/// with the spec.
/// The record `--explain` names: `ROW` of the first of the run's own inputs
/// (`first_input`; on a night the master's records are input 0), or
/// `FILE:ROW`.
fn find_row(extract: &read::Extract, first_input: u32, spec: &str) -> std::result::Result<usize, String> {
    let (file, row) = match spec.rsplit_once(':') {
        Some((file, row)) => (Some(file), row),
        None => (None, spec),
    };
    let shown = crate::message::shown(spec);
    let row: u64 = row.parse().map_err(|_| format!("--explain {shown}: a row is a number, or FILE:ROW"))?;
    let source = match file {
        None => first_input,
        Some(name) => extract
            .inputs
            .iter()
            .position(|input| input.name == name)
            .ok_or_else(|| format!("--explain {shown}: no input is named {}", crate::message::shown(name)))?
            as u32,
    };
    extract
        .records
        .iter()
        .position(|r| r.source == source && r.row == row)
        .ok_or_else(|| format!("--explain {shown}: no record at row {row} (it may be quarantined)"))
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
    /// Train below the minimum batch size, with a warning.
    pub allow_small: bool,
}

/// A batch smaller than this has too few people for u (agreement among
/// random pairs of different people) and too few copies for m.
pub const MIN_TRAINING_RECORDS: usize = 10_000;

/// `dancu train`: reads and normalises a batch as `clean` does, blocks it
/// with the rules of `linkage.toml`, estimates u on random pairs and m by EM
/// on the blocked pairs, and writes the model file. Refuses a batch below
/// [`MIN_TRAINING_RECORDS`], or one where no blocking rule has enough pairs
/// to estimate m on, unless `allow_small` (then it warns).
pub fn train(
    options: &TrainOptions,
    notices: Notices,
) -> Result<(link::train::TrainingReport, Vec<link::block::BlockingStats>)> {
    let rules = load_rules(&options.rules, options.extra_columns.as_deref(), options.model.as_deref())?;
    let progress = Progress::new(options.quiet);
    let reference = ReferenceDate::today();
    let prepared = prepare(&rules, None, &options.inputs, &options.read, reference, true, &progress)?;
    for warning in &prepared.extract.warnings {
        notices(warning);
    }
    let records = prepared.normalized.len();
    if records < MIN_TRAINING_RECORDS {
        let message = format!(
            "{records} record(s) are too few to train a model on (the minimum is {MIN_TRAINING_RECORDS}): \
             u needs many different people and m many copies"
        );
        if !options.allow_small {
            return Err(Error::Training(format!("{message}; train on a larger extract, or pass --allow-small")));
        }
        notices(&format!("{message}; training anyway (--allow-small): check the model before using it"));
    }
    let validator = Validator::new(&rules, reference);
    let frequencies = link::frequency::NameFrequencies::from_rules(&rules);
    let bar = progress.spinner("train");
    bar.set_message("blocking, sampling pairs, expectation-maximisation");
    let scorer = link::Scorer::new(
        &prepared.normalized,
        |id| validator.citizen_ids().is_well_formed(id),
        &rules.linkage,
        &frequencies,
        true,
    );
    let link::block::Candidates { pairs: candidates, stats: blocking, .. } =
        link::block::candidate_pairs(&rules.linkage.blocking, &scorer.keys, rules.linkage.max_block_size, true);
    let (trained, report) = link::train::train(&scorer, &candidates, options.sample_pairs, options.seed);
    bar.finish_and_clear();
    if report.rules_trained.is_empty() {
        let message = format!(
            "no blocking rule found the {} candidate pairs m is estimated on, so m was not estimated",
            link::train::MIN_RULE_PAIRS
        );
        if !options.allow_small {
            return Err(Error::Training(format!("{message}; train on a larger extract, or pass --allow-small")));
        }
        notices(&format!("{message}; the model keeps the m values it started from (--allow-small)"));
    }
    let inputs: Vec<String> = prepared.extract.inputs.iter().map(|i| i.name.clone()).collect();
    let model = trained.model(serde_json::json!({
        "inputs": inputs,
        "report": &report,
        "dancu_version": env!("CARGO_PKG_VERSION"),
    }));
    let text = serde_json::to_string_pretty(&model).map_err(|e| Error::Training(e.to_string()))? + "\n";
    crate::output::atomic::write_bytes(&options.out, text.as_bytes())?;
    Ok((report, blocking))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{FieldValuesBuilder, RawRecord};
    use proptest::prelude::*;

    struct Stages {
        rules: &'static Rules,
        normalizer: Normalizer<'static>,
        validator: Validator<'static>,
        frequencies: link::frequency::NameFrequencies,
    }

    fn stages() -> &'static Stages {
        static RULES: std::sync::OnceLock<Rules> = std::sync::OnceLock::new();
        static STAGES: std::sync::OnceLock<Stages> = std::sync::OnceLock::new();
        STAGES.get_or_init(|| {
            let rules = RULES.get_or_init(|| Rules::load(&RuleSource::BuiltIn, None).unwrap());
            let reference = ReferenceDate::parse("2026-01-01").unwrap();
            Stages {
                rules,
                normalizer: Normalizer::new(rules, reference.year),
                validator: Validator::new(rules, reference),
                frequencies: link::frequency::NameFrequencies::from_rules(rules),
            }
        })
    }

    /// Any text a cell can hold: arbitrary Unicode, and the shapes the
    /// normalisers look for (dates, IDs, phones, unit words, legacy bytes).
    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "\\PC{0,12}",
            "[0-9 ./+-]{0,14}",
            "(Phường|P\\.|quận|Q|Xã|Huyện|Tỉnh|TP\\.?)[0-9]{0,3}[ ,.]{0,2}[a-zA-ZàạđĐươƯƠ ]{0,10}",
            "[NguyÔnV¨Hïµ¸ß©\u{AD}êÐð ]{0,12}",
            "[0-9x]{0,2}/[0-9x]{0,2}/[0-9]{0,4}",
        ]
    }

    fn record(cells: Vec<String>, row: u64) -> RawRecord {
        let mut values = FieldValuesBuilder::default();
        for (field, cell) in Field::ALL.iter().zip(&cells) {
            values.set(*field, cell);
        }
        RawRecord { source: 0, row, line: row + 1, values: values.build(), origin: None, extras: Vec::new() }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]
        /// Whatever a cell holds, normalising, validating and linking never
        /// panics and never loses a record.
        #[test]
        fn any_text_in_any_field_keeps_every_record(
            rows in proptest::collection::vec(proptest::collection::vec(cell(), Field::COUNT), 1..5),
        ) {
            let stages = stages();
            let raws: Vec<RawRecord> =
                rows.into_iter().enumerate().map(|(i, cells)| record(cells, i as u64 + 1)).collect();
            let mut normalized = stages.normalizer.normalize_all(&raws, false, &|_| {});
            stages.validator.validate_all(&raws, &mut normalized, false);
            prop_assert!(normalized.iter().all(|n| n.internal_error.is_none()));
            let linkage = link_and_check(&mut normalized, &stages.validator, stages.rules, &stages.frequencies, &[], false);
            prop_assert_eq!(normalized.len(), raws.len());
            prop_assert_eq!(linkage.cluster.len(), raws.len());
        }
    }

    #[test]
    fn a_record_that_panics_is_moved_to_quarantine_with_its_cells() {
        let mut extract = Extract::default();
        extract.inputs.push(crate::read::InputSummary {
            path: "x.csv".into(),
            name: "x.csv".into(),
            sha256: String::new(),
            bytes: 0,
            format: "csv",
            encoding: None,
            delimiter: None,
            sheet: None,
            header_line: 1,
            columns: Vec::new(),
            data_rows: 2,
            records: 2,
            quarantined: 0,
            cells: vec![
                crate::read::CellPlace::Field(Field::BirthDate),
                crate::read::CellPlace::Field(Field::FullName),
            ],
            repairs: Default::default(),
        });
        let mut first = vec![String::new(); Field::COUNT];
        first[0] = "Lê Văn An".into();
        first[4] = "1990".into();
        extract.records = vec![record(first.clone(), 1), record(first, 2)];
        let stages = stages();
        let mut normalized = stages.normalizer.normalize_all(&extract.records, false, &|_| {});
        normalized[0].internal_error = Some(Stage::Validate);
        let counts = quarantine_internal_errors(&mut extract, &mut normalized);
        assert_eq!(counts.get("validate"), Some(&1));
        assert_eq!((extract.records.len(), normalized.len()), (1, 1));
        assert_eq!(extract.records[0].row, 2);
        assert_eq!(extract.quarantine[0].raw, "1990\tLê Văn An");
        assert_eq!(extract.quarantine[0].reason, "internal error in validate");
        assert_eq!((extract.inputs[0].records, extract.inputs[0].quarantined), (1, 1));
    }
}
