//! Any text in every field of a few records (fields split on the unit
//! separator U+001F, records on newlines), through normalisation,
//! validation and linkage as `dancu clean` runs them: never a panic (the
//! per-record net is not counted: a record marked for quarantine fails the
//! target), never a record lost.
#![no_main]

use std::sync::OnceLock;

use dancu::link::frequency::NameFrequencies;
use dancu::normalize::Normalizer;
use dancu::record::{Field, FieldValuesBuilder, RawRecord};
use dancu::validate::{ReferenceDate, Validator};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

struct Stages {
    normalizer: Normalizer<'static>,
    validator: Validator<'static>,
    frequencies: NameFrequencies,
}

fn stages() -> &'static Stages {
    static STAGES: OnceLock<Stages> = OnceLock::new();
    STAGES.get_or_init(|| {
        let rules = common::rules();
        let reference = ReferenceDate::parse("2026-01-01").unwrap();
        Stages {
            normalizer: Normalizer::new(rules, reference.year),
            validator: Validator::new(rules, reference),
            frequencies: NameFrequencies::from_rules(rules),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let text = common::text(data);
    let raws: Vec<RawRecord> = text
        .split('\n')
        .take(8)
        .enumerate()
        .map(|(i, line)| {
            let mut values = FieldValuesBuilder::default();
            for (field, cell) in Field::ALL.iter().zip(line.split('\u{1f}')) {
                values.set(*field, cell);
            }
            RawRecord { source: 0, row: i as u64 + 1, line: i as u64 + 2, values: values.build(), origin: None, extras: Vec::new() }
        })
        .collect();
    let stages = stages();
    let mut normalized = stages.normalizer.normalize_all(&raws, false, &|_| {});
    stages.validator.validate_all(&raws, &mut normalized, false);
    assert!(normalized.iter().all(|n| n.internal_error.is_none()), "a record's normalisation or validation panicked");
    let rules = common::rules();
    let linkage = dancu::pipeline::link_and_check(&mut normalized, &stages.validator, rules, &stages.frequencies, false);
    assert_eq!(linkage.cluster.len(), raws.len());
});
