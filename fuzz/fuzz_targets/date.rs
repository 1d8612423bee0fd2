//! Any text as a birth date, at every precision it may have. Never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let text = common::text(data);
    let _ = dancu::normalize::date::parse_date(&text, 2026);
});
