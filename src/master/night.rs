//! A night against a master, both ends of it: which of the master's
//! records tonight's batch is linked beside (read from the master's
//! dataset), and the new master's dataset written from the run's outputs
//! (tonight's part, `current.parquet`, the persons' part).

use std::path::Path;

use super::store::{self, MasterTables};
use super::NightMerge;
use crate::error::{Error, Result};
use crate::identity;
use crate::link::{self, frequency::NameCounts, frequency::NameFrequencies};
use crate::normalize::Normalized;
use crate::rules::Rules;
use crate::validate::{ReferenceDate, Validator};
use crate::write::{self, RunOutput};

/// The master's tables of this run (see `master::store`): a whole run's
/// records as part 1; a night's new and corrected records as the next
/// part beside the master's, linked in unchanged, and `current.parquet`
/// the master's with the records linked tonight put in place. Returns the
/// persons the new master holds.
pub fn write_master_tables<'a>(
    out: &Path,
    night_master: Option<&NightMaster>,
    output: &'a RunOutput<'a>,
    rules: &Rules,
    night: &NightMerge,
    golden: &'a identity::golden::GoldenRecords,
    night_of: &'a (dyn Fn(usize) -> &'a str + Sync),
) -> Result<u64> {
    use store::{part_file, PERSONS_DIR, RECORDS_DIR};
    let (records, persons) = (out.join(RECORDS_DIR), out.join(PERSONS_DIR));
    for dir in [&records, &persons] {
        crate::output::atomic::create_private_dir(dir)
            .map_err(|e| Error::WriteOutput { path: dir.clone(), source: e })?;
    }
    let part = night_master.map_or(1, |m| m.tables.next_part());
    if let Some(night_master) = night_master {
        night_master.tables.link_parts_into(out)?;
    }
    // The persons part is written beside the records'.
    let (records_written, persons_written) = rayon::join(
        || write_records_tables(&records, part, night_master, output, rules, night, night_of),
        || write::write_persons_parquet(&persons.join(part_file(part)), output, golden, night_of),
    );
    persons_written?;
    records_written
}

/// The records' side of [`write_master_tables`]: the part of this run's
/// records, its keys and `current.parquet` into `records`. Returns the
/// persons `current.parquet` names.
fn write_records_tables<'a>(
    records: &Path,
    part: u32,
    night_master: Option<&NightMaster>,
    output: &'a RunOutput<'a>,
    rules: &Rules,
    night: &NightMerge,
    night_of: &'a (dyn Fn(usize) -> &'a str + Sync),
) -> Result<u64> {
    use store::{keys_file, part_file, CURRENT_FILE};
    let n = output.normalized.len();
    // The records this run writes to its part: all of a whole run's, a
    // night's own (new or corrected); the master's linked again stay where
    // they are.
    let written: Vec<usize> = match night_master {
        None => (0..n).collect(),
        Some(_) => (0..n).filter(|&i| output.extract.records[i].source != 0).collect(),
    };
    let name_keys: Vec<&str> = output.normalized.iter().map(|r| &*r.name_key).collect();
    let current_and_keys = || -> Result<u64> {
        let keys_path = records.join(keys_file(part));
        let current_path = records.join(CURRENT_FILE);
        let all: Vec<usize> = (0..n).collect();
        let blocking = &rules.linkage.blocking;
        let keys_of = |rows: &[usize]| write::keys_frame(blocking, &output.linkage.block_keys, &name_keys, rows);
        let Some(night_master) = night_master else {
            // A whole run's tables a row group at a time: memory is a
            // group's.
            write::write_groups(&keys_path, n, &|range| Ok(keys_of(&all[range])))?;
            let place = |i: usize| (part, i as u32);
            write::write_groups(&current_path, n, &|range| {
                Ok(write::current_frame(output, &all[range], &place, night_of))
            })?;
            return Ok(output.linkage.persons as u64);
        };
        let tables = &night_master.tables;
        let mut place_of: crate::hash::HashMap<&str, (u32, u32)> = crate::hash::HashMap::default();
        let ids = tables.text("record_id")?;
        for &row in &night_master.rows {
            if let Some(id) = ids.get(row as usize) {
                place_of.insert(id, tables.place(row));
            }
        }
        for (k, &i) in written.iter().enumerate() {
            place_of.insert(output.record_ids[i].as_str(), (part, k as u32));
        }
        let place = |i: usize| place_of.get(output.record_ids[i].as_str()).copied().unwrap_or((part, u32::MAX));
        let linked_again = write::current_frame(output, &all, &place, night_of);
        let order = master_order(tables, &night_master.rows, output.record_ids, &night.added)?;
        let mut current = store::assemble(&tables.current, &linked_again, &order)?;
        store::write_frame(&keys_path, &mut keys_of(&written))?;
        store::write_frame(&current_path, &mut current)?;
        let persons = current
            .column("person_id")
            .ok()
            .and_then(|c| c.str().ok())
            .map(|c| c.iter().flatten().collect::<crate::hash::HashSet<&str>>().len() as u64);
        Ok(persons.unwrap_or(0))
    };
    let only_tonight = night_master.is_some().then_some(written.as_slice());
    // The part, the largest, is written beside the smaller tables.
    let (part_written, persons) = rayon::join(
        || write::write_records_part(&records.join(part_file(part)), output, only_tonight),
        current_and_keys,
    );
    part_written?;
    persons
}

/// What a night took of its master: the current records it links again
/// (`rows`, in master order), as the CSV they are read from, and how often
/// each name occurs among all the master's records (none with --rebuild,
/// which links them all).
pub struct NightMaster {
    pub tables: MasterTables,
    pub rows: Vec<u32>,
    pub csv: Vec<u8>,
    pub names: Option<NameCounts>,
}

impl NightMaster {
    /// The night each record linked again first arrived, by `record_id`.
    pub fn first_seen(&self) -> Result<crate::hash::HashMap<&str, &str>> {
        let (ids, nights) = (self.tables.text("record_id")?, self.tables.text("first_seen")?);
        Ok(self.rows.iter().filter_map(|&row| Some((ids.get(row as usize)?, nights.get(row as usize)?))).collect())
    }
}

/// The master rows a night links beside its batch (see
/// [`MasterTables::neighbours`]): found with the keys of the batch's
/// records (`batch`, with their record IDs), and the record IDs tonight
/// sends and the decisions name.
pub fn neighbours(
    tables: &MasterTables,
    batch: (&[Normalized], &[String]),
    rules: &Rules,
    reference_date: ReferenceDate,
    decisions: &[crate::decisions::Decision],
    parallel: bool,
) -> Result<(Vec<u32>, NameCounts)> {
    let (normalized, ids) = batch;
    let validator = Validator::new(rules, reference_date);
    let frequencies = NameFrequencies::default();
    let well_formed = |id: &str| validator.citizen_ids().is_well_formed(id);
    let scorer = link::Scorer::new(normalized, well_formed, &rules.linkage, &frequencies, parallel);
    let keys: Vec<Vec<Option<u64>>> =
        rules.linkage.blocking.iter().map(|rule| link::block::rule_keys(rule, &scorer.keys, parallel)).collect();
    let in_force = crate::decisions::in_force(decisions);
    let mut named: crate::hash::HashSet<&str> = ids.iter().map(String::as_str).collect();
    for (a, b) in in_force.keys() {
        named.insert(a);
        named.insert(b);
    }
    tables.neighbours(&rules.linkage.blocking, &keys, &named)
}

/// Where each row of a night's records table comes from: the master's rows
/// in order, those linked tonight (`rows`) taken from tonight's output (by
/// record ID: a corrected row takes its record's place; a record
/// quarantined tonight leaves the table, its row in quarantine.csv), then
/// tonight's new records.
fn master_order(
    tables: &MasterTables,
    rows: &[u32],
    record_ids: &[String],
    added: &[usize],
) -> Result<Vec<store::RowFrom>> {
    use store::RowFrom;
    let at: crate::hash::HashMap<&str, u32> =
        record_ids.iter().enumerate().map(|(i, id)| (id.as_str(), i as u32)).collect();
    let ids = tables.text("record_id")?;
    let mut linked = rows.iter().peekable();
    let mut order = Vec::with_capacity(tables.len() + added.len());
    for m in 0..tables.len() as u32 {
        if linked.next_if_eq(&&m).is_some() {
            if let Some(&i) = ids.get(m as usize).and_then(|id| at.get(id)) {
                order.push(RowFrom::Tonight(i));
            }
        } else {
            order.push(RowFrom::Master(m));
        }
    }
    order.extend(added.iter().map(|&i| RowFrom::Tonight(i as u32)));
    Ok(order)
}
