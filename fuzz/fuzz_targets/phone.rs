//! Any text as a phone number: country code, old prefixes, lost zeros.
//! Never a panic.
#![no_main]

use std::sync::OnceLock;

use dancu::normalize::phone::PhoneRules;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fn phones() -> &'static PhoneRules {
    static PHONES: OnceLock<PhoneRules> = OnceLock::new();
    PHONES.get_or_init(|| {
        let rules = common::rules();
        PhoneRules::new(&rules.mobile_prefixes, &rules.mobile_prefix_conversions)
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = phones().parse(&common::text(data));
});
