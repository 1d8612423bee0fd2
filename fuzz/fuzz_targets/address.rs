//! Any text as an address: the free-text string and the three unit
//! columns (split on `|`), resolved against the unit tables. Never a panic.
#![no_main]

use std::sync::OnceLock;

use dancu::normalize::address::{AddressIndex, AddressInput};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fn index() -> &'static AddressIndex<'static> {
    static INDEX: OnceLock<AddressIndex<'static>> = OnceLock::new();
    INDEX.get_or_init(|| AddressIndex::new(&common::rules().admin, &common::rules().address_words))
}

fuzz_target!(|data: &[u8]| {
    let text = common::text(data);
    let mut parts = text.split('|').map(String::from);
    let street = parts.next().unwrap_or_default();
    let input = AddressInput {
        commune: parts.next().unwrap_or_default(),
        district: parts.next().unwrap_or_default(),
        province: parts.next().unwrap_or_default(),
        street: street.clone(),
        ..AddressInput::default()
    };
    let _ = index().resolve(&input);
    let _ = index().resolve(&AddressInput { street, ..AddressInput::default() });
});
