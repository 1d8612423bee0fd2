//! The net under bugs. A panic while one record is normalised or validated
//! costs that record, not the night's run: the record goes to quarantine
//! with the stage it failed in, and the run finishes its outputs. The panic
//! hook records where a panic happened and never prints its message, which
//! may hold a name, an ID or an address.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// The stage a record failed in, as the quarantine reason names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    Normalize,
    Validate,
}

impl Stage {
    pub fn label(self) -> &'static str {
        match self {
            Stage::Normalize => "normalise",
            Stage::Validate => "validate",
        }
    }

    /// The quarantine reason of a record that failed in this stage: no
    /// content of the record, only where it failed.
    pub fn reason(self) -> String {
        format!("internal error in {}", self.label())
    }
}

/// Panics seen since the process started, and the first places they
/// happened (`file:line`), for the summary on stderr.
static PANICS: AtomicU64 = AtomicU64::new(0);
static LOCATIONS: Mutex<Vec<String>> = Mutex::new(Vec::new());
const LOCATIONS_KEPT: usize = 5;

/// Replaces the default panic hook, which prints the panic's message, with
/// one that only counts the panic and keeps where it happened.
pub fn install_hook() {
    std::panic::set_hook(Box::new(|info| {
        PANICS.fetch_add(1, Ordering::Relaxed);
        if let Some(location) = info.location() {
            let place = format!("{}:{}", location.file(), location.line());
            if let Ok(mut kept) = LOCATIONS.lock() {
                if kept.len() < LOCATIONS_KEPT && !kept.contains(&place) {
                    kept.push(place);
                }
            }
        }
    }));
}

/// How many panics the hook has seen.
pub fn panics_seen() -> u64 {
    PANICS.load(Ordering::Relaxed)
}

/// The first distinct places panics happened, `file:line`.
pub fn panic_locations() -> Vec<String> {
    LOCATIONS.lock().map(|kept| kept.clone()).unwrap_or_default()
}

/// `work()`, or `None` when it panicked. The work is one record's (or one
/// distinct value's): whatever state it left half-done is dropped with it.
pub fn guarded<T>(work: impl FnOnce() -> T) -> Option<T> {
    catch_unwind(AssertUnwindSafe(work)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_contained_and_its_stage_named_without_content() {
        assert_eq!(guarded(|| 2 + 2), Some(4));
        let secret = "Nguyễn Văn Canary";
        assert_eq!(guarded(|| -> u8 { panic!("{secret}") }), None);
        assert_eq!(Stage::Normalize.reason(), "internal error in normalise");
        assert!(!Stage::Validate.reason().contains(secret));
    }
}
