//! Any row of cells as a header: alias matching and the column layout,
//! including a dancu output's own columns.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let rules = common::rules();
    let text = common::text(data);
    let cells: Vec<String> = text.split(['\t', ',']).map(String::from).collect();
    let _ = dancu::read::header::ColumnLayout::is_header(&cells, &rules.columns);
    let layout = dancu::read::header::ColumnLayout::from_headers(&cells, &rules.columns);
    assert_eq!(layout.roles.len(), cells.len());
    let _ = layout.mapping();
});
