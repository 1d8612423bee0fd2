//! The `dancu` command: parses arguments, runs one pipeline, prints what it
//! reports, and maps the outcome to an exit code (the README's table).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use dancu::error::{exit, Error};
use dancu::finding::Language;
use dancu::generate::{self, GenerateOptions};
use dancu::guard;
use dancu::pipeline::{self, CleanOptions};
use dancu::read::{encoding, ReadOptions};
use dancu::report::ReportUnits;
use dancu::rules::{RuleSource, Rules};
use dancu::validate::ReferenceDate;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "dancu", version, about = "Cleans batches of Vietnamese citizen records")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Normalise, validate and link population extracts; write the cleaned
    /// records, findings, duplicate pairs, quarantine, report and manifest.
    Clean(CleanArgs),
    /// Generate a synthetic extract with known truth (for benchmarks).
    Gen(GenArgs),
    /// Score a run's outputs against the truth of a generated extract.
    Eval(EvalArgs),
    /// Estimate a linkage model (m by EM, u by random sampling) from a batch
    /// and write it as JSON for `clean --model`.
    Train(TrainArgs),
    /// Write the whole population of an output folder (its records/ or
    /// persons/ dataset) as one CSV file: a night's records.csv and
    /// persons.csv hold tonight's only.
    Export(ExportArgs),
    /// Serve a local page (127.0.0.1, with a token) where a clerk decides the
    /// uncertain pairs of an output folder; decisions go to its decisions.csv.
    Review(ReviewArgs),
}

#[derive(clap::Args)]
struct ExportArgs {
    /// The output folder of `dancu clean` (full or nightly).
    folder: PathBuf,
    /// The CSV file to write.
    #[arg(long, short)]
    out: PathBuf,
    /// Write the current persons (golden records) instead of the records.
    #[arg(long)]
    persons: bool,
}

#[derive(clap::Args)]
struct ReviewArgs {
    /// The output folder of `dancu clean` (full or nightly).
    folder: PathBuf,
    /// Port on 127.0.0.1 (default: a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Print the address only; do not open a browser.
    #[arg(long)]
    no_browser: bool,
    /// The reviewer's name written with each decision (the page can change it).
    #[arg(long, default_value = "")]
    reviewer: String,
    /// Language of the page.
    #[arg(long, value_enum, default_value_t = Language::Vi)]
    lang: Language,
}

#[derive(clap::Args)]
struct TrainArgs {
    /// Extract files, as for `clean`.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// The model file to write (JSON).
    #[arg(long, short)]
    out: PathBuf,
    /// Random record pairs compared to estimate u.
    #[arg(long, default_value_t = 5_000_000)]
    sample_pairs: u64,
    /// Seed of the random pairs.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// A model whose m values EM starts from (default: the shipped one).
    #[arg(long)]
    model: Option<PathBuf>,
    #[command(flatten)]
    reading: ReadingArgs,
    /// No progress bar and no summary.
    #[arg(long, short)]
    quiet: bool,
    /// Train on a batch below the minimum size (10,000 records), with a warning.
    #[arg(long)]
    allow_small: bool,
}

/// How inputs are read and which rules apply: shared by `clean` and `train`.
#[derive(clap::Args)]
struct ReadingArgs {
    /// Extra header aliases, in the shape of rules/columns.toml.
    #[arg(long)]
    columns: Option<PathBuf>,
    /// A rules folder to use instead of the built-in rules.
    #[arg(long)]
    rules: Option<PathBuf>,
    /// Force the encoding of CSV inputs (utf-8, utf-16le, utf-16be, windows-1258, ...).
    #[arg(long)]
    encoding: Option<String>,
    /// Sheet to read from workbooks (default: the first).
    #[arg(long)]
    sheet: Option<String>,
}

impl ReadingArgs {
    fn read_options(&self) -> Result<ReadOptions, String> {
        let encoding = match &self.encoding {
            Some(label) => Some(encoding::parse_label(label).ok_or_else(|| {
                format!("--encoding `{label}` is not an encoding name; use utf-8, utf-16le, utf-16be, windows-1258, tcvn3 or vni")
            })?),
            None => None,
        };
        Ok(ReadOptions { encoding, sheet: self.sheet.clone() })
    }

    fn rule_source(&self) -> RuleSource {
        self.rules.clone().map_or(RuleSource::BuiltIn, RuleSource::Folder)
    }
}

#[derive(clap::Args)]
struct GenArgs {
    /// Number of data rows to write.
    #[arg(long)]
    rows: u64,
    /// Seed: the same seed and dancu version give the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output folder: extract.csv and truth/.
    #[arg(long, short)]
    out: PathBuf,
    /// Generator settings to use instead of the built-in rules/generator.toml.
    #[arg(long)]
    config: Option<PathBuf>,
    /// The profile of the settings: `classic`, or one of the file's
    /// `[profiles]` (`diverse`: the variety of real extracts).
    #[arg(long, default_value = "classic")]
    profile: String,
    /// No progress bar and no summary line.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(clap::Args)]
struct EvalArgs {
    /// The truth folder written by `dancu gen` (its `truth/`).
    #[arg(long)]
    truth: PathBuf,
    /// The output folder of the run to score.
    #[arg(long)]
    run: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct CleanArgs {
    /// Extract files: CSV (any of `,` `;` tab) or Excel workbooks (.xlsx).
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Output folder (created if missing; files in it are replaced).
    #[arg(long, short)]
    out: PathBuf,
    #[command(flatten)]
    reading: ReadingArgs,
    /// Date the run is judged at (ages, future dates), YYYY-MM-DD; default today.
    #[arg(long)]
    reference_date: Option<String>,
    /// Units the quality report groups by.
    #[arg(long, value_enum, default_value_t = ReportUnits::New)]
    units: ReportUnits,
    /// Language of the quality report.
    #[arg(long, value_enum, default_value_t = Language::Vi)]
    lang: Language,
    /// Worker threads (default: all cores). 1 runs every stage sequentially.
    #[arg(long)]
    threads: Option<usize>,
    /// No progress bars and no summary line.
    #[arg(long, short)]
    quiet: bool,
    /// A linkage model written by `dancu train`, instead of the shipped one.
    #[arg(long)]
    model: Option<PathBuf>,
    /// An earlier output folder whose report this one's is compared with
    /// (default: the output folder's own previous run, if any).
    #[arg(long)]
    previous: Option<PathBuf>,
    /// Print the match weight waterfall of two records (ROW of the first
    /// input, or FILE:ROW), then run as usual.
    #[arg(long, num_args = 2, value_names = ["ROW_A", "ROW_B"])]
    explain: Option<Vec<String>>,
    /// The output folder of an earlier run: tonight's records are linked
    /// with its records, its persons keep their IDs, and --out becomes the
    /// new master.
    #[arg(long)]
    master: Option<PathBuf>,
    /// With --master: accept a master written by another dancu version or
    /// rules and relink it whole (person IDs are kept).
    #[arg(long, requires = "master")]
    rebuild: bool,
    /// A decisions.csv written by `dancu review`: `same` pairs are one
    /// person, `different` pairs never are (the master's and the output
    /// folder's own decisions are honoured as well).
    #[arg(long)]
    decisions: Option<PathBuf>,
}

/// mimalloc's `mi_option_purge_delay` and `mi_option_allow_thp` (its v3
/// header; the crate builds v3).
const MIMALLOC_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
const MIMALLOC_ALLOW_THP: libmimalloc_sys::mi_option_t = 43;

fn main() -> ExitCode {
    // By default mimalloc hands memory freed for 10 ms back to the system and
    // faults it in again, zeroed, moments later; and it asks for transparent
    // huge pages, each zeroed whole when first touched. On 1M records the
    // two cost a sixth of the run. A run is a batch that ends: it keeps the
    // memory it has taken, in ordinary pages.
    // SAFETY: set before any other thread exists.
    unsafe {
        libmimalloc_sys::mi_option_set(MIMALLOC_PURGE_DELAY, -1);
        libmimalloc_sys::mi_option_set(MIMALLOC_ALLOW_THP, 0);
    }
    // A panic's message may hold a record's values: it is never printed.
    guard::install_hook();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(exit::USAGE) } else { ExitCode::SUCCESS };
        }
    };
    // A bug outside the per-record net stops the run; the output set is
    // dropped unfinished on the way out, so the previous outputs stay whole.
    match std::panic::catch_unwind(move || run_command(cli.command)) {
        Ok(code) => code,
        Err(_) => {
            eprintln!(
                "dancu: internal error at {}: the run stopped and the previous outputs are untouched; please report it (no record content is shown)",
                locations()
            );
            ExitCode::from(exit::INTERNAL)
        }
    }
}

fn run_command(command: Command) -> ExitCode {
    match command {
        Command::Clean(args) => match clean_options(args) {
            Ok(options) => run_clean(options),
            Err(message) => usage_error(&message),
        },
        Command::Gen(args) => run_gen(args),
        Command::Eval(args) => run_eval(args),
        Command::Train(args) => run_train(args),
        Command::Review(args) => run_review(args),
        Command::Export(args) => run_export(args),
    }
}

fn run_export(args: ExportArgs) -> ExitCode {
    use dancu::master::store::{export_persons, export_records};
    let (written, what) = match args.persons {
        true => (export_persons(&args.folder, &args.out), "persons"),
        false => (export_records(&args.folder, &args.out), "records"),
    };
    finish(written, |count| {
        eprintln!("dancu: {count} {what} written to {}", dancu::message::shown_path(&args.out));
        ExitCode::SUCCESS
    })
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("dancu: {message}");
    ExitCode::from(exit::USAGE)
}

fn warn(message: &str) {
    eprintln!("dancu: warning: {message}");
}

/// The exit code of a command's result; its error printed as one sentence.
fn finish<T>(result: Result<T, Error>, on_success: impl FnOnce(T) -> ExitCode) -> ExitCode {
    match result {
        Ok(value) => on_success(value),
        Err(e) => {
            eprintln!("dancu: error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

fn locations() -> String {
    let places = guard::panic_locations();
    if places.is_empty() {
        "an unknown place".to_string()
    } else {
        places.join(", ")
    }
}

fn run_train(args: TrainArgs) -> ExitCode {
    let read = match args.reading.read_options() {
        Ok(read) => read,
        Err(message) => return usage_error(&message),
    };
    let options = pipeline::TrainOptions {
        inputs: args.inputs,
        out: args.out.clone(),
        rules: args.reading.rule_source(),
        extra_columns: args.reading.columns.clone(),
        read,
        model: args.model,
        sample_pairs: args.sample_pairs,
        seed: args.seed,
        quiet: args.quiet,
        allow_small: args.allow_small,
    };
    finish(pipeline::train(&options, &warn), |(report, blocking)| {
        if !args.quiet {
            for rule in &blocking {
                eprintln!(
                    "dancu: blocking `{}`: {} pairs ({} new), largest blocks {:?}, {} skipped",
                    rule.rule, rule.candidate_pairs, rule.new_pairs, rule.largest_blocks, rule.skipped_blocks
                );
            }
            eprintln!(
                "dancu: {} records, {} random pairs for u, {} blocked pairs ({} patterns) for m; EM {} after {} iterations, match share {:.4}. Model in {}",
                report.records,
                report.sampled_pairs,
                report.blocked_pairs,
                report.patterns,
                if report.em_converged { "converged" } else { "stopped" },
                report.em_iterations,
                report.match_share,
                dancu::message::shown_path(&args.out)
            );
        }
        ExitCode::SUCCESS
    })
}

fn run_gen(args: GenArgs) -> ExitCode {
    let rules = match Rules::load(&RuleSource::BuiltIn, None) {
        Ok(rules) => rules,
        Err(e) => return finish::<()>(Err(Error::Rules(e)), |_| ExitCode::SUCCESS),
    };
    let progress = dancu::progress::Progress::new(args.quiet);
    let bar = progress.stage("generate", args.rows, "rows");
    let options = GenerateOptions {
        rows: args.rows,
        seed: args.seed,
        out: args.out.clone(),
        config: args.config,
        profile: args.profile,
    };
    let result = generate::generate(&rules, &options, &|rows| bar.inc(rows));
    bar.finish_and_clear();
    finish(result, |summary| {
        if !args.quiet {
            eprintln!(
                "dancu: {} rows ({} persons, {} duplicate rows, {} injected errors, {} hard-negative pairs) in {}",
                summary.rows,
                summary.persons,
                summary.duplicate_rows,
                summary.injected_errors,
                summary.hard_negatives,
                dancu::message::shown_path(&args.out)
            );
        }
        ExitCode::SUCCESS
    })
}

fn run_review(args: ReviewArgs) -> ExitCode {
    let options = dancu::review::ReviewOptions {
        folder: args.folder,
        port: args.port,
        open_browser: !args.no_browser,
        reviewer: args.reviewer,
        language: args.lang,
    };
    // The address goes first on stdout, for a person or a script to open.
    let announce = |url: &str| {
        use std::io::Write;
        let mut stdout = std::io::stdout();
        let _ = writeln!(stdout, "{url}");
        let _ = stdout.flush();
    };
    let notice = |message: &str| eprintln!("dancu review: {message}");
    finish(dancu::review::run(&options, &announce, &notice), |()| ExitCode::SUCCESS)
}

fn run_eval(args: EvalArgs) -> ExitCode {
    finish(dancu::evaluate::evaluate(&args.truth, &args.run), |evaluation| {
        if args.json {
            println!("{}", serde_json::to_string_pretty(&evaluation).unwrap_or_default());
        } else {
            print!("{evaluation}");
        }
        ExitCode::SUCCESS
    })
}

/// More worker threads than this do no more work on a batch than the cores
/// do, and each costs a stack and a share of every per-thread buffer.
fn most_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (cores * 4).max(8)
}

fn clean_options(args: CleanArgs) -> Result<CleanOptions, String> {
    let read = args.reading.read_options()?;
    let reference_date = match &args.reference_date {
        Some(text) => ReferenceDate::parse(text).ok_or_else(|| {
            format!("--reference-date `{}` is not a date in the form YYYY-MM-DD", dancu::message::shown(text))
        })?,
        None => ReferenceDate::today(),
    };
    let threads = match args.threads {
        Some(0) => return Err("--threads must be at least 1".to_string()),
        Some(asked) if asked > most_threads() => {
            warn(&format!(
                "--threads {asked} is more than this machine can use; running with {} (four per core)",
                most_threads()
            ));
            most_threads()
        }
        Some(asked) => asked,
        None => 0,
    };
    Ok(CleanOptions {
        inputs: args.inputs,
        out: args.out,
        rules: args.reading.rule_source(),
        extra_columns: args.reading.columns.clone(),
        read,
        reference_date,
        units: args.units,
        language: args.lang,
        threads,
        quiet: args.quiet,
        model: args.model,
        explain: args.explain.map(|rows| (rows[0].clone(), rows[1].clone())),
        previous: args.previous,
        master: args.master,
        rebuild: args.rebuild,
        decisions: args.decisions,
    })
}

fn run_clean(options: CleanOptions) -> ExitCode {
    if options.threads > 0 {
        if let Err(e) = rayon::ThreadPoolBuilder::new().num_threads(options.threads).build_global() {
            eprintln!("dancu: error: cannot start {} worker threads: {e}", options.threads);
            return ExitCode::from(exit::FAILED);
        }
    }
    finish(pipeline::run(&options, &warn), |summary| {
        if let Some(explanation) = &summary.explanation {
            print!("{explanation}");
        }
        if !options.quiet {
            eprintln!(
                "dancu: {} row(s) from {} file(s): {} record(s), {} quarantined; {} finding(s); {} person(s), {} duplicate record(s). Outputs in {}",
                summary.rows_read,
                summary.inputs,
                summary.records,
                summary.quarantined,
                summary.findings,
                summary.persons,
                summary.duplicate_records,
                dancu::message::shown_path(&options.out)
            );
            if let Some((seen, master)) = summary.night {
                eprintln!(
                    "dancu: {seen} row(s) already in the master as they were; the new master holds {master} record(s)"
                );
            }
        }
        if summary.internal_errors.is_empty() {
            return ExitCode::SUCCESS;
        }
        // Printed even with --quiet: records are in quarantine for a bug.
        let stages: Vec<String> = summary.internal_errors.iter().map(|(stage, n)| format!("{n} in {stage}")).collect();
        eprintln!(
            "dancu: {} record(s) hit an internal error ({}, at {}) and are in quarantine.csv with the reason `internal error in <stage>`; the other records and every output are complete. Please report it (no record content is shown)",
            summary.internal_errors.values().sum::<u64>(),
            stages.join(", "),
            locations()
        );
        ExitCode::from(exit::RECORDS_FAILED)
    })
}
