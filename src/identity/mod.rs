//! Identity that lasts from night to night: a record's `record_id` (what a
//! row is called whatever file or line it arrives on) and a person's
//! `person_id` (kept, minted or retired, never reused). Linkage finds who
//! is the same person tonight; this module decides what each is called.

pub mod golden;
pub mod person;
pub mod record_id;

pub use person::{assign_persons, parse_person_id, person_id, Ledger, PersonAssignment, PersonChange, PersonNumber};
/// What happened to a record tonight, as `changes.csv` lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordChange {
    /// First seen tonight.
    Added,
    /// Known to the master under its `record_id`, with other content.
    Updated,
}

impl RecordChange {
    pub fn label(self) -> &'static str {
        match self {
            RecordChange::Added => "record_added",
            RecordChange::Updated => "record_updated",
        }
    }
}

pub use record_id::{is_record_id, kept_record_ids, record_ids};
