//! The files dancu writes, whatever stage writes them: atomically,
//! owner-only, spreadsheet-safe, and as one set per run under a lock.
//! `write` and `report` both sit on this module.

pub mod atomic;
pub mod csv;
pub mod excel_safe;
pub mod lock;
pub mod set;
