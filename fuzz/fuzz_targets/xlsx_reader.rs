//! Any bytes as a workbook (XLSX, XLS, ODS), read as `dancu clean` reads
//! one: never a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let rules = common::rules();
    let mut rows = 0usize;
    let _ = dancu::read::xlsx::read_sheet(Path::new("fuzz.xlsx"), data, None, |_| rows += 1);
    let options = dancu::read::ReadOptions::default();
    let _ = dancu::read::read_bytes(Path::new("fuzz.xlsx"), data, &options, rules);
});
