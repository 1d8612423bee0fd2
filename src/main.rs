//! The `dancu` command: parses arguments, runs one pipeline, maps the
//! outcome to an exit code (0 success, 1 run error, 2 usage error).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use dancu::finding::Language;
use dancu::pipeline::{self, CleanOptions};
use dancu::read::{encoding, ReadOptions};
use dancu::report::ReportUnits;
use dancu::rules::RuleSource;
use dancu::validate::ReferenceDate;

#[derive(Parser)]
#[command(
    name = "dancu",
    version,
    about = "Cleans batches of Vietnamese citizen records"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Normalise, validate and link population extracts; write the cleaned
    /// records, findings, duplicate pairs, quarantine, report and manifest.
    Clean(CleanArgs),
}

#[derive(clap::Args)]
struct CleanArgs {
    /// Extract files: CSV (any of `,` `;` tab) or Excel workbooks (.xlsx).
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Output folder (created if missing; files in it are replaced).
    #[arg(long, short)]
    out: PathBuf,
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
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Clean(args) => match clean_options(args) {
            Ok(options) => run_clean(options),
            Err(message) => {
                eprintln!("dancu: {message}");
                ExitCode::from(2)
            }
        },
    }
}

fn clean_options(args: CleanArgs) -> Result<CleanOptions, String> {
    let encoding = match &args.encoding {
        Some(label) => Some(encoding::parse_label(label).ok_or_else(|| {
            format!("--encoding `{label}` is not an encoding name; use utf-8, utf-16le, utf-16be or windows-1258")
        })?),
        None => None,
    };
    let reference_date = match &args.reference_date {
        Some(text) => ReferenceDate::parse(text).ok_or_else(|| {
            format!("--reference-date `{text}` is not a date in the form YYYY-MM-DD")
        })?,
        None => ReferenceDate::today(),
    };
    let threads = args.threads.unwrap_or(0);
    if args.threads == Some(0) {
        return Err("--threads must be at least 1".to_string());
    }
    Ok(CleanOptions {
        inputs: args.inputs,
        out: args.out,
        rules: args.rules.map_or(RuleSource::BuiltIn, RuleSource::Folder),
        extra_columns: args.columns,
        read: ReadOptions {
            encoding,
            sheet: args.sheet,
        },
        reference_date,
        units: args.units,
        language: args.lang,
        threads,
        quiet: args.quiet,
    })
}

fn run_clean(options: CleanOptions) -> ExitCode {
    if options.threads > 0 {
        if let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(options.threads)
            .build_global()
        {
            eprintln!(
                "dancu: cannot start {} worker threads: {e}",
                options.threads
            );
            return ExitCode::from(1);
        }
    }
    match pipeline::run(&options) {
        Ok(summary) => {
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
                    options.out.display()
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("dancu: error: {e}");
            ExitCode::from(1)
        }
    }
}
