//! Any bytes as a `decisions.csv`: read without a panic, and what reads
//! back as decisions is written and read again unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("dancu-fuzz-decisions-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("decisions.csv");
    let mut bytes = b"a,b,decision,reviewer,decided_at,note\n".to_vec();
    bytes.extend_from_slice(data);
    std::fs::write(&path, &bytes).unwrap();
    if let Ok(decisions) = dancu::decisions::read(&path) {
        let _ = dancu::decisions::in_force(&decisions);
        let copy = dir.join("copy.csv");
        dancu::decisions::write_all(&copy, &decisions).unwrap();
        assert_eq!(dancu::decisions::read(&copy).unwrap(), decisions);
    }
    let _ = dancu::decisions::is_decisions_file(&path);
});
