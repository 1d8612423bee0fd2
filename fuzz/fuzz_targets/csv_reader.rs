//! Any bytes as a CSV input: encoding and delimiter detection, header
//! search, row splitting and recovery. Never a panic, and every data row
//! is a record or a quarantined row.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let rules = common::rules();
    let options = dancu::read::ReadOptions::default();
    if let Ok(extract) = dancu::read::read_bytes(Path::new("fuzz.csv"), data, &options, rules) {
        let input = &extract.inputs[0];
        assert_eq!(input.data_rows, input.records + input.quarantined);
        assert_eq!(extract.records.len() as u64, input.records);
    }
});
