//! Any text as a personal name: legacy-encoding repair, canonical form,
//! structure and keys. Never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let rules = common::rules();
    let text = common::text(data);
    let parts = dancu::normalize::name::normalize_name(&text, &rules.names, &rules.legacy_encodings);
    let _ = dancu::normalize::name::normalize_name(&parts.display, &rules.names, &rules.legacy_encodings);
});
