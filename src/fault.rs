//! Faults on purpose, for the tests that prove the guarantees: a record
//! whose normalisation or validation panics, a run killed at a named point
//! of writing its outputs, a run that holds its output folder while another
//! starts. Set with the `DANCU_FAULT` environment variable, which no user
//! sets: `panic-normalize=ROW`, `panic-validate=ROW`, `abort-at=POINT`,
//! `pause-at=POINT`, `flag=NAME`, comma-separated. Without it every check is one load of
//! an empty list.

use std::sync::OnceLock;

#[derive(Debug, PartialEq, Eq)]
enum Fault {
    /// Panic while this stage works on the record of this data row.
    Panic { stage: &'static str, row: u64 },
    /// Abort the process (no unwinding, no clean-up) at this point.
    Abort(String),
    /// Sleep at this point until killed.
    Pause(String),
    /// A switch the code asks about by name (`no-exchange`).
    Flag(String),
}

fn faults() -> &'static [Fault] {
    static FAULTS: OnceLock<Vec<Fault>> = OnceLock::new();
    FAULTS.get_or_init(|| std::env::var("DANCU_FAULT").map(|spec| parse(&spec)).unwrap_or_default())
}

fn parse(spec: &str) -> Vec<Fault> {
    spec.split(',')
        .filter_map(|item| {
            let (name, value) = item.trim().split_once('=')?;
            match name {
                "panic-normalize" => Some(Fault::Panic { stage: "normalize", row: value.parse().ok()? }),
                "panic-validate" => Some(Fault::Panic { stage: "validate", row: value.parse().ok()? }),
                "abort-at" => Some(Fault::Abort(value.to_string())),
                "pause-at" => Some(Fault::Pause(value.to_string())),
                "flag" => Some(Fault::Flag(value.to_string())),
                _ => None,
            }
        })
        .collect()
}

/// Panics when a fault asks `stage` to fail on data row `row`.
pub fn panic_on_row(stage: &'static str, row: u64) {
    let faults = faults();
    if !faults.is_empty() && faults.contains(&Fault::Panic { stage, row }) {
        panic!("fault injected in {stage} on row {row}");
    }
}

/// Whether a fault sets the switch `name`.
pub fn flag(name: &str) -> bool {
    faults().iter().any(|f| matches!(f, Fault::Flag(n) if n == name))
}

/// Aborts or pauses the process when a fault names `point`.
pub fn point(point: &str) {
    for fault in faults() {
        match fault {
            Fault::Abort(at) if at == point => std::process::abort(),
            Fault::Pause(at) if at == point => loop {
                std::thread::sleep(std::time::Duration::from_secs(3600));
            },
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fault_list_is_read_from_its_spec() {
        assert_eq!(
            parse("panic-normalize=7, abort-at=staged,pause-at=locked,bogus=1,panic-validate=x"),
            vec![
                Fault::Panic { stage: "normalize", row: 7 },
                Fault::Abort("staged".into()),
                Fault::Pause("locked".into())
            ]
        );
    }
}
