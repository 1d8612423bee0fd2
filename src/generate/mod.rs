//! `dancu gen`: realistic synthetic population extracts with known truth,
//! for benchmarks and accuracy tests. People live in households in real
//! communes; some have copies with the perturbations real data shows; some
//! records carry invalid fields; twins, fathers and sons of one name and
//! namesakes are there to tempt a linker. Everything is written as it is
//! generated, so ten million rows take bounded memory, and a seed gives the
//! same bytes on every run.

pub mod config;
pub mod noise;
pub mod population;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use crate::error::{Error, RuleErrors};
use crate::rng::{Rng, Weighted};
use crate::rules::Rules;
use config::GeneratorConfig;
use noise::{Noise, CONSEQUENCE, ERROR_KINDS, HEADERS, PERTURBATIONS};
use population::{Household, Person, Place, Population};

/// The year generated people are aged at, fixed so that a seed gives the same
/// extract whatever the date.
pub const REFERENCE_YEAR: u16 = 2025;

pub struct GenerateOptions {
    pub rows: u64,
    pub seed: u64,
    pub out: PathBuf,
    pub config: Option<PathBuf>,
    /// The profile of `generator.toml` to generate with (`classic`, the
    /// file's own settings, or one of its `[profiles]`).
    pub profile: String,
}

/// What a generation produced, for the command line.
#[derive(Debug, Default)]
pub struct GenerateSummary {
    pub rows: u64,
    pub persons: u64,
    pub duplicate_rows: u64,
    pub injected_errors: u64,
    pub hard_negatives: u64,
}

/// A rendered record waiting to be written.
struct PendingRow {
    cells: Vec<String>,
    person: u64,
    errors: Vec<(&'static str, &'static str)>,
    place: Place,
    written_old: bool,
}

struct Writers {
    extract: csv::Writer<BufWriter<File>>,
    persons: csv::Writer<BufWriter<File>>,
    errors: csv::Writer<BufWriter<File>>,
    hard_negatives: csv::Writer<BufWriter<File>>,
    addresses: csv::Writer<BufWriter<File>>,
}

fn writer(path: &Path, header: &[&str]) -> Result<csv::Writer<BufWriter<File>>, Error> {
    let file = File::create(path).map_err(|e| Error::WriteOutput { path: path.to_path_buf(), source: e })?;
    let mut writer = csv::WriterBuilder::new().from_writer(BufWriter::with_capacity(1 << 20, file));
    writer.write_record(header).map_err(|e| write_error(path, e))?;
    Ok(writer)
}

fn write_error(path: &Path, e: csv::Error) -> Error {
    Error::WriteOutput { path: path.to_path_buf(), source: std::io::Error::other(e.to_string()) }
}

pub fn load_config(rules: &Rules, path: Option<&Path>, profile: &str) -> Result<GeneratorConfig, Error> {
    let (file, text) = match path {
        Some(path) => (
            path.display().to_string(),
            std::fs::read_to_string(path).map_err(|e| Error::ReadInput { path: path.to_path_buf(), source: e })?,
        ),
        None => rules.generator.clone(),
    };
    let kinds: Vec<&str> = ERROR_KINDS.iter().map(|(k, _, _)| *k).collect();
    let ethnic_names: Vec<String> = rules.ethnic_groups.rows().map(|r| r.get("name").to_string()).collect();
    GeneratorConfig::parse(&file, &text, &PERTURBATIONS, &kinds, &ethnic_names, profile)
        .map_err(|e| Error::Rules(RuleErrors(e)))
}

pub fn generate(rules: &Rules, options: &GenerateOptions, progress: &dyn Fn(u64)) -> Result<GenerateSummary, Error> {
    let config = load_config(rules, options.config.as_deref(), &options.profile)?;
    let out = &options.out;
    let truth = out.join("truth");
    std::fs::create_dir_all(&truth).map_err(|e| Error::WriteOutput { path: truth.clone(), source: e })?;
    let mut writers = Writers {
        extract: writer(&out.join("extract.csv"), &HEADERS)?,
        persons: writer(&truth.join("persons.csv"), &["row", "person_id"])?,
        errors: writer(&truth.join("errors.csv"), &["row", "field", "kind", "expected_code"])?,
        hard_negatives: writer(&truth.join("hard_negatives.csv"), &["row_a", "row_b", "kind"])?,
        addresses: writer(
            &truth.join("addresses.csv"),
            &["row", "commune_code", "old_commune_code", "written", "split"],
        )?,
    };
    let mut generator = Generator {
        rules,
        config: &config,
        population: Population::new(rules, &config, options.seed),
        noise: Noise { legacy: &rules.legacy_encodings, tone_variants: &rules.tone_variants },
        rng: Rng::new(options.seed),
        perturbation_names: config.duplicates.perturbations.keys().cloned().collect(),
        perturbation_weights: Weighted::new(config.duplicates.perturbations.values().copied()),
        pending: BinaryHeap::new(),
        pending_rows: HashMap::new(),
        next_pending: 0,
        recent: HashMap::new(),
        row: 0,
        summary: GenerateSummary::default(),
        limit: options.rows,
        out: out.clone(),
    };
    let mut reported = 0;
    while generator.row < options.rows {
        let household = generator.population.household(&mut generator.rng, REFERENCE_YEAR);
        generator.emit_household(household, &mut writers)?;
        generator.emit_due(&mut writers)?;
        if generator.row - reported >= 10_000 {
            progress(generator.row - reported);
            reported = generator.row;
        }
    }
    generator.flush_pending(&mut writers)?;
    progress(generator.row.saturating_sub(reported));
    for (w, name) in [
        (&mut writers.extract, "extract.csv"),
        (&mut writers.persons, "truth/persons.csv"),
        (&mut writers.errors, "truth/errors.csv"),
        (&mut writers.hard_negatives, "truth/hard_negatives.csv"),
        (&mut writers.addresses, "truth/addresses.csv"),
    ] {
        w.flush().map_err(|e| Error::WriteOutput { path: out.join(name), source: e })?;
    }
    generator.summary.rows = generator.row;
    write_meta(out, options, &generator.summary)?;
    Ok(generator.summary)
}

fn write_meta(out: &Path, options: &GenerateOptions, summary: &GenerateSummary) -> Result<(), Error> {
    let meta = serde_json::json!({
        "generator": format!("dancu {}", env!("CARGO_PKG_VERSION")),
        "seed": options.seed,
        "profile": options.profile,
        "rows_requested": options.rows,
        "rows": summary.rows,
        "persons": summary.persons,
        "duplicate_rows": summary.duplicate_rows,
        "injected_errors": summary.injected_errors,
        "hard_negative_pairs": summary.hard_negatives,
        "reference_year": REFERENCE_YEAR,
    });
    let path = out.join("truth/meta.json");
    std::fs::write(&path, serde_json::to_string_pretty(&meta).unwrap() + "\n")
        .map_err(|e| Error::WriteOutput { path, source: e })
}

struct Generator<'a> {
    rules: &'a Rules,
    config: &'a GeneratorConfig,
    population: Population<'a>,
    noise: Noise<'a>,
    rng: Rng,
    perturbation_names: Vec<String>,
    perturbation_weights: Weighted,
    /// Copies waiting for their row: (due row, sequence) → pending row.
    pending: BinaryHeap<Reverse<(u64, u64)>>,
    pending_rows: HashMap<u64, PendingRow>,
    next_pending: u64,
    /// Recent adults per province, for namesakes: (row, name parts, year, male).
    recent: HashMap<String, VecDeque<(u64, Person)>>,
    row: u64,
    summary: GenerateSummary,
    limit: u64,
    out: PathBuf,
}

impl Generator<'_> {
    fn emit_household(&mut self, mut household: Household, writers: &mut Writers) -> Result<(), Error> {
        let rates = &self.config.households;
        let written_old = self.rng.chance(rates.written_old_units);
        let free_text = self.rng.chance(rates.free_text_address);
        let province = self.rules.admin.old_units[household.place.old_unit].province_code.clone();

        // Namesakes: an adult takes the name and birth year of a recent adult
        // of the same province and sex.
        let mut namesakes = Vec::new();
        for (i, member) in household.members.iter_mut().enumerate() {
            if REFERENCE_YEAR - member.birth.0 < 18 || !self.rng.chance(rates.namesake) {
                continue;
            }
            let Some(recent) = self.recent.get(&province) else {
                continue;
            };
            // Within a few years of the member's own birth, so that the
            // household's ages still fit their relations.
            let near = |p: &Person| p.birth.0.abs_diff(member.birth.0) <= 3;
            if let Some((row, other)) =
                recent.iter().find(|(_, p)| p.male == member.male && p.ethnicity == member.ethnicity && near(p))
            {
                member.surname = other.surname.clone();
                member.middle = other.middle.clone();
                member.given = other.given.clone();
                member.surname_last = other.surname_last;
                if member.birth.0 != other.birth.0 {
                    // Another person born that year: their own ID for it.
                    member.birth.0 = other.birth.0;
                    member.birth.2 = member.birth.2.min(28);
                    self.population.reissue_citizen_id(member, &province, &mut self.rng);
                }
                namesakes.push((*row, i));
            }
        }

        let first_row = self.row + 1;
        let members = household.members.clone();
        for person in &members {
            if self.row >= self.limit {
                break;
            }
            let mut cells = render(self.rules, person, &household, written_old, free_text);
            // Slips of the clerk who typed the original record.
            let people = &self.config.people;
            if self.rng.chance(people.run_together) {
                cells[noise::NAME] = noise::run_together(&cells[noise::NAME], &mut self.rng);
            }
            if self.rng.chance(people.month_first) {
                noise::month_first(&mut cells[noise::BIRTH]);
            }
            let pending = PendingRow {
                cells,
                person: person.id,
                errors: Vec::new(),
                place: household.place.clone(),
                written_old,
            };
            self.write_row(pending, writers)?;
            self.summary.persons += 1;
            self.schedule_copies(person, &household, written_old, free_text);
            if REFERENCE_YEAR - person.birth.0 >= 18 {
                let ring = self.recent.entry(province.clone()).or_default();
                ring.push_front((self.row, person.clone()));
                ring.truncate(32);
            }
        }
        let row_of = |i: usize| first_row + i as u64;
        let last_row = self.row;
        let mut pairs: Vec<(u64, u64, &str)> = Vec::new();
        for &(a, b) in &household.twins {
            pairs.push((row_of(a), row_of(b), "twins"));
        }
        for &(a, b) in &household.father_son {
            pairs.push((row_of(a), row_of(b), "father_son"));
        }
        for &(a, b) in &household.siblings {
            pairs.push((row_of(a), row_of(b), "siblings"));
        }
        for &(row, i) in &namesakes {
            pairs.push((row, row_of(i), "namesake"));
        }
        for (a, b, kind) in pairs {
            if a <= last_row && b <= last_row {
                writers
                    .hard_negatives
                    .write_record([a.to_string(), b.to_string(), kind.to_string()])
                    .map_err(|e| write_error(&self.out.join("truth/hard_negatives.csv"), e))?;
                self.summary.hard_negatives += 1;
            }
        }
        Ok(())
    }

    fn schedule_copies(&mut self, person: &Person, household: &Household, written_old: bool, free_text: bool) {
        let duplicates = &self.config.duplicates;
        if !self.rng.chance(duplicates.person) {
            return;
        }
        let copies = if self.rng.chance(duplicates.third_copy) { 2 } else { 1 };
        for _ in 0..copies {
            let mut place = household.place.clone();
            let mut copy_written_old = written_old;
            let mut cells = render(self.rules, person, household, written_old, free_text);
            let mut errors: Vec<(&'static str, &'static str)> = Vec::new();
            let count = self.rng.between(1, 3);
            for _ in 0..count {
                if self.perturbation_weights.is_empty() {
                    break;
                }
                let kind = self.perturbation_names[self.perturbation_weights.sample(&mut self.rng)].clone();
                match kind.as_str() {
                    "moved_commune" => {
                        place = self.population.nearby_place(&place, &mut self.rng);
                        let moved = Household {
                            code: household.code.clone(),
                            place: place.clone(),
                            members: Vec::new(),
                            twins: Vec::new(),
                            father_son: Vec::new(),
                            siblings: Vec::new(),
                        };
                        let fresh = render(self.rules, person, &moved, copy_written_old, free_text);
                        for column in [noise::STREET, noise::COMMUNE, noise::DISTRICT, noise::PROVINCE] {
                            cells[column] = fresh[column].clone();
                        }
                    }
                    "id_damage" => {
                        // A copy whose ID a clerk or a spreadsheet broke:
                        // the ID no longer agrees with the record.
                        let kind = noise::ID_DAMAGE[self.rng.below(noise::ID_DAMAGE.len() as u64) as usize];
                        let field_taken = errors.iter().any(|(_, f)| *f == "citizen_id");
                        if !field_taken && self.noise.inject(kind, &mut cells, &mut self.rng) {
                            errors.push((kind, "citizen_id"));
                        }
                    }
                    "province_contradiction" if copy_written_old && !free_text => {
                        let province = self.population.other_province_name(place.old_unit, &mut self.rng);
                        if !errors.iter().any(|(_, f)| *f == "commune_name") {
                            cells[noise::PROVINCE] = province;
                            errors.push(("province_contradiction", "commune_name"));
                        }
                    }
                    "other_unit_system" if !free_text => {
                        copy_written_old = !copy_written_old;
                        let fresh = render(self.rules, person, household, copy_written_old, false);
                        for column in [noise::COMMUNE, noise::DISTRICT, noise::PROVINCE] {
                            cells[column] = fresh[column].clone();
                        }
                    }
                    other => {
                        let changed = self.noise.perturb(other, &mut cells, &mut self.rng);
                        let consequence = noise::PERTURBATION_CONSEQUENCES.iter().find(|(k, _, _)| *k == other);
                        if let Some(&(kind, field, _)) = consequence.filter(|_| changed) {
                            if !errors.iter().any(|(_, f)| *f == field) {
                                errors.push((kind, field));
                            }
                        }
                    }
                }
            }
            let due = self.row + 1 + self.rng.below(duplicates.window.max(1));
            let sequence = self.next_pending;
            self.next_pending += 1;
            self.pending.push(Reverse((due, sequence)));
            self.pending_rows.insert(
                sequence,
                PendingRow { cells, person: person.id, errors, place, written_old: copy_written_old },
            );
        }
    }

    fn emit_due(&mut self, writers: &mut Writers) -> Result<(), Error> {
        while let Some(&Reverse((due, sequence))) = self.pending.peek() {
            if due > self.row || self.row >= self.limit {
                break;
            }
            self.pending.pop();
            let row = self.pending_rows.remove(&sequence).unwrap();
            self.summary.duplicate_rows += 1;
            self.write_row(row, writers)?;
        }
        Ok(())
    }

    /// Copies still waiting at the end are written only while rows remain;
    /// the rest are dropped, so the extract has exactly the rows asked for.
    fn flush_pending(&mut self, writers: &mut Writers) -> Result<(), Error> {
        while let Some(Reverse((_, sequence))) = self.pending.pop() {
            let row = self.pending_rows.remove(&sequence).unwrap();
            if self.row < self.limit {
                self.summary.duplicate_rows += 1;
                self.write_row(row, writers)?;
            }
        }
        Ok(())
    }

    /// Injects errors, then writes the row and its truth.
    fn write_row(&mut self, mut pending: PendingRow, writers: &mut Writers) -> Result<(), Error> {
        for (kind, field, _) in ERROR_KINDS {
            let rate = self.config.errors.get(kind).copied().unwrap_or(0.0);
            // One injected error per field, so each one's finding is decidable.
            let field_taken = pending.errors.iter().any(|(_, f)| *f == field);
            if rate > 0.0
                && !field_taken
                && self.rng.chance(rate)
                && self.noise.inject(kind, &mut pending.cells, &mut self.rng)
            {
                pending.errors.push((kind, field));
                let id = &pending.cells[noise::CITIZEN_ID];
                let id_intact = id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit());
                if matches!(kind, "date_future" | "age_over_120") && id_intact {
                    pending.errors.push((CONSEQUENCE.0, CONSEQUENCE.1));
                }
            }
        }
        // An office that types in TCVN3 types every text field in it.
        if self.population.typed_in_tcvn3(pending.place.old_unit) {
            self.noise.type_in_tcvn3(&mut pending.cells);
        }
        self.row += 1;
        let row = self.row.to_string();
        let mut cells = pending.cells;
        cells[0] = row.clone();
        let path = |name: &str| self.out.join(name);
        writers.extract.write_record(&cells).map_err(|e| write_error(&path("extract.csv"), e))?;
        writers
            .persons
            .write_record([row.as_str(), &format!("T{:09}", pending.person)])
            .map_err(|e| write_error(&path("truth/persons.csv"), e))?;
        for (kind, field) in &pending.errors {
            let code = noise::truth_kinds().find(|(k, _, _)| k == kind).map_or("", |(_, _, c)| c);
            writers
                .errors
                .write_record([row.as_str(), field, kind, code])
                .map_err(|e| write_error(&path("truth/errors.csv"), e))?;
            if ERROR_KINDS.iter().any(|(k, _, _)| k == kind) {
                self.summary.injected_errors += 1;
            }
        }
        let admin = &self.rules.admin;
        let unit = &admin.old_units[pending.place.old_unit];
        let split = admin.old_to_new.get(&unit.commune_code).is_some_and(|m| m.is_split);
        writers
            .addresses
            .write_record([
                row.as_str(),
                &admin.new_communes[pending.place.new_commune].commune_code,
                &unit.commune_code,
                if pending.written_old { "old" } else { "new" },
                if split { "true" } else { "false" },
            ])
            .map_err(|e| write_error(&path("truth/addresses.csv"), e))?;
        Ok(())
    }
}

/// A person's row as a clean extract would have it.
fn render(rules: &Rules, person: &Person, household: &Household, written_old: bool, free_text: bool) -> Vec<String> {
    let admin = &rules.admin;
    let unit = &admin.old_units[household.place.old_unit];
    let new = &admin.new_communes[household.place.new_commune];
    let new_province = &admin.new_provinces[&new.province_code];
    let (commune, district, province) = if written_old {
        (unit.commune_name.clone(), unit.district_name.clone(), unit.province_name.clone())
    } else {
        (new.commune_name.clone(), String::new(), new_province.name.clone())
    };
    let (street, commune, district, province) = if free_text {
        let parts: Vec<&str> = [household.place.street.as_str(), &commune, &district, &province]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect();
        (parts.join(", "), String::new(), String::new(), String::new())
    } else {
        (household.place.street.clone(), commune, district, province)
    };
    let (year, month, day) = person.birth;
    vec![
        String::new(),
        person.full_name(),
        format!("{day:02}/{month:02}/{year}"),
        if person.male { "Nam" } else { "Nữ" }.to_string(),
        person.citizen_id.clone(),
        person.old_id.clone(),
        person.ethnicity.clone(),
        person.religion.clone(),
        "Việt Nam".to_string(),
        person.phone.clone(),
        street,
        commune,
        district,
        province,
        person.father.clone(),
        person.mother.clone(),
        household.code.clone(),
        person.relation.to_string(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSource;

    fn run(rows: u64, seed: u64, dir: &Path) -> GenerateSummary {
        run_profile(rows, seed, dir, "classic")
    }

    fn run_profile(rows: u64, seed: u64, dir: &Path, profile: &str) -> GenerateSummary {
        let rules = Rules::load(&RuleSource::BuiltIn, None).unwrap();
        let options = GenerateOptions { rows, seed, out: dir.to_path_buf(), config: None, profile: profile.into() };
        generate(&rules, &options, &|_| {}).unwrap()
    }

    fn files(dir: &Path) -> Vec<Vec<u8>> {
        ["extract.csv", "truth/persons.csv", "truth/errors.csv", "truth/hard_negatives.csv", "truth/addresses.csv"]
            .iter()
            .map(|f| std::fs::read(dir.join(f)).unwrap())
            .collect()
    }

    #[test]
    fn a_seed_gives_the_same_bytes_and_another_seed_does_not() {
        let dir = tempfile::tempdir().unwrap();
        run(3_000, 7, &dir.path().join("a"));
        run(3_000, 7, &dir.path().join("b"));
        run(3_000, 8, &dir.path().join("c"));
        assert!(files(&dir.path().join("a")) == files(&dir.path().join("b")));
        assert!(files(&dir.path().join("a"))[0] != files(&dir.path().join("c"))[0]);
    }

    #[test]
    fn every_row_has_its_truth_and_every_kind_of_case_occurs() {
        let dir = tempfile::tempdir().unwrap();
        let summary = run(20_000, 3, dir.path());
        assert_eq!(summary.rows, 20_000);
        let count = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap().lines().count() - 1;
        assert_eq!(count("extract.csv"), 20_000);
        assert_eq!(count("truth/persons.csv"), 20_000);
        assert_eq!(count("truth/addresses.csv"), 20_000);
        assert!(summary.duplicate_rows > 500, "{summary:?}");
        let negatives = std::fs::read_to_string(dir.path().join("truth/hard_negatives.csv")).unwrap();
        for kind in ["twins", "father_son", "namesake"] {
            assert!(negatives.lines().any(|l| l.ends_with(kind)), "no {kind}");
        }
        let errors = std::fs::read_to_string(dir.path().join("truth/errors.csv")).unwrap();
        let rules = Rules::load(&RuleSource::BuiltIn, None).unwrap();
        let config = load_config(&rules, None, "classic").unwrap();
        for (kind, _, _) in ERROR_KINDS.iter().filter(|(k, _, _)| config.errors.get(*k).is_some_and(|&r| r > 0.0)) {
            assert!(errors.lines().any(|l| l.contains(&format!(",{kind},"))), "no {kind}");
        }
    }

    #[test]
    fn the_diverse_profile_makes_the_kinds_of_real_extracts() {
        let dir = tempfile::tempdir().unwrap();
        run_profile(20_000, 5, dir.path(), "diverse");
        let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
        let negatives = read("truth/hard_negatives.csv");
        assert!(negatives.lines().any(|l| l.ends_with("siblings")), "no siblings of one name");
        let errors = read("truth/errors.csv");
        for kind in ["id_zero_lost", "province_contradiction"] {
            assert!(errors.lines().any(|l| l.contains(&format!(",{kind},"))), "no {kind}");
        }
        let extract = read("extract.csv");
        // TCVN3 in every field of an office's rows: its sex column too.
        assert!(extract.lines().any(|l| l.contains(",N÷,")), "no office typing TCVN3");
        let free_text = extract.lines().skip(1).filter(|l| l.contains(",,,,")).count();
        assert!(free_text > 8_000, "{free_text} free-text addresses");
        let distinct_streets: std::collections::HashSet<&str> =
            extract.lines().skip(1).filter_map(|l| l.split('"').nth(1)).collect();
        assert!(distinct_streets.len() > 4_000, "{} distinct free-text addresses", distinct_streets.len());
        let config = load_config(&Rules::load(&RuleSource::BuiltIn, None).unwrap(), None, "nonsense");
        assert!(config.is_err_and(|e| e.to_string().contains("the profiles are: classic, diverse")));
    }
}
