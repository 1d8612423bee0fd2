//! Any text as a citizen ID and an old ID: separators removed, structure
//! and consistency checked against a sex and a birth date. Never a panic.
#![no_main]

use std::sync::OnceLock;

use dancu::record::{PartialDate, Sex};
use dancu::validate::citizen_id::CitizenIdRules;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fn ids() -> &'static CitizenIdRules {
    static IDS: OnceLock<CitizenIdRules> = OnceLock::new();
    IDS.get_or_init(|| CitizenIdRules::new(common::rules().cccd_provinces.iter().map(|(p, _)| p.clone()).collect()))
}

fuzz_target!(|data: &[u8]| {
    let (head, rest) = data.split_at(data.len().min(2));
    let text = common::text(rest);
    let id = dancu::normalize::id::normalize_id(&text);
    let year = 1900 + u16::from(head.first().copied().unwrap_or(0));
    let born = PartialDate { year, month: Some(1 + head.get(1).copied().unwrap_or(0) % 12), day: Some(1) };
    let sex = if year % 2 == 0 { Some(Sex::Male) } else { Some(Sex::Female) };
    let _ = ids().is_well_formed(&id);
    let _ = ids().check(&id, sex, Some(&born));
    let _ = ids().check(&id, None, None);
    let _ = ids().old_id_is_well_formed(&id, sex, Some(&born));
});
