//! The peers' public test vectors (`fixtures/conformance/`) as one
//! yardstick: for names (tone placement, i/y spelling, marks, legacy
//! encodings and VIQR) and for addresses, the share of vectors dancu meets
//! is printed, and a floor under it fails the test. A vector that pins a
//! peer's own choice counts as a miss, not as an exception.

use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

use crate::legacy::Damage;
use crate::rules::{RuleSource, Rules};
use crate::syllable::{place_tone, strip_tones, TonePlacement};

#[derive(Deserialize)]
struct Vector {
    id: String,
    #[serde(alias = "task")]
    r#fn: Option<String>,
    #[serde(default)]
    charset: Option<String>,
    input: serde_json::Value,
    expected: serde_json::Value,
}

fn vectors(file: &str) -> Vec<Vector> {
    let path = format!("{}/fixtures/conformance/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn rules() -> &'static Rules {
    static RULES: std::sync::OnceLock<Rules> = std::sync::OnceLock::new();
    RULES.get_or_init(|| Rules::load(&RuleSource::BuiltIn, None).unwrap())
}

fn nfc(text: &str) -> String {
    text.nfc().collect()
}

/// Each word with its tone where `placement` puts it; punctuation after a
/// word and words that are not syllables left as they are.
fn placed(text: &str, placement: TonePlacement) -> String {
    nfc(text)
        .split(' ')
        .map(|w| {
            let (head, tail) = w.split_at(w.trim_end_matches([',', '.', '!', '?']).len());
            format!("{}{tail}", place_tone(head, placement).unwrap_or_else(|| head.to_string()))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The name keys of a text, word by word (the i/y spellings of one sound
/// have one key).
fn keys(text: &str) -> String {
    let rules = rules();
    crate::normalize::name::normalize_name(text, &rules.names, &rules.legacy_encodings).tone_key.to_lowercase()
}

/// What dancu says of one name vector, or `None` when dancu has nothing
/// that answers it.
fn meets_name_vector(v: &Vector) -> Option<bool> {
    let rules = rules();
    let legacy = &rules.legacy_encodings;
    let input = v.input.as_str().unwrap_or_default();
    let expected_text = v.expected.as_str();
    let function = v.r#fn.as_deref().unwrap_or_default();
    let verdict = match function {
        "normalize_tone_placement_new" => placed(input, TonePlacement::New) == nfc(expected_text?),
        "normalize_tone_placement_old" => placed(input, TonePlacement::Old) == nfc(expected_text?),
        "remove_diacritics" => crate::text::strip_marks(&nfc(input)) == expected_text?,
        "remove_tones" => strip_tones(&nfc(input)) == nfc(expected_text?),
        "separate_tone" => {
            let expected = v.expected.as_array()?;
            let word = nfc(input);
            let tone = word.nfd().find(|&c| crate::syllable::is_tone_mark(c));
            let symbol = match tone {
                Some('\u{0301}') => "/",
                Some('\u{0300}') => "\\",
                Some('\u{0309}') => "?",
                Some('\u{0303}') => "~",
                Some('\u{0323}') => ".",
                _ => "",
            };
            expected[0].as_str() == Some(strip_tones(&word).as_str()) && expected[1].as_str() == Some(symbol)
        }
        // dancu keeps a name's own spelling and keys both spellings alike.
        "iy_normalize_default" | "iy_normalize_preset" => keys(input) == keys(expected_text?),
        "text_normalize_underthesea" => {
            let tidied = crate::text::tidy(&crate::text::clean_invisible(input));
            placed(&tidied, TonePlacement::Old) == nfc(expected_text?)
        }
        "to_unicode" => {
            let got = legacy.repair(input).map_or_else(|| input.to_string(), |(text, _)| text);
            nfc(&got).to_lowercase() == nfc(expected_text?).to_lowercase()
        }
        "from_unicode" => {
            let got = match v.charset.as_deref()? {
                "tcvn3" => legacy.to_tcvn3(input),
                "vni" => legacy.to_vni(input),
                "viqr" => legacy.to_viqr(input),
                _ => return None,
            };
            got == expected_text?
        }
        "detect_charset" => {
            let found = match legacy.repair(input).or_else(|| legacy.repair_typed_name(input)) {
                Some((_, Damage::Tcvn3)) => Some("tcvn3"),
                // The peer names VNI bytes and VNI's typing digits alike.
                Some((_, Damage::Vni | Damage::VniTyping)) => Some("vni"),
                Some((_, Damage::Viqr)) => Some("viqr"),
                Some((_, Damage::Mojibake)) => Some("utf-8 read as windows-1252"),
                None if !input.is_ascii() && crate::legacy::is_vietnamese(input) => Some("unicode"),
                None => None,
            };
            found == expected_text
        }
        _ => return None,
    };
    Some(verdict)
}

#[test]
fn the_peers_name_vectors_are_met() {
    let mut met = 0;
    let mut missed = Vec::new();
    for file in ["tone_placement_and_name_normalisation.jsonl", "legacy_encoding_vectors.jsonl"] {
        for v in vectors(file) {
            match meets_name_vector(&v) {
                Some(true) => met += 1,
                Some(false) => missed.push(v.id.clone()),
                None => panic!("{}: no dancu function answers `{:?}`", v.id, v.r#fn),
            }
        }
    }
    let total = met + missed.len();
    let share = met as f64 / total as f64;
    println!("name vectors: {met} of {total} met ({:.1}%); missed: {}", share * 100.0, missed.join(", "));
    assert!(share >= 0.95, "name vectors: {met} of {total} ({:.1}%), below 95%; missed: {missed:?}", share * 100.0);
}

#[test]
fn the_peers_address_vectors_are_met() {
    let (met, total, missed) = crate::normalize::address::peer_vector_results(rules());
    let share = met as f64 / total as f64;
    println!(
        "address vectors: {met} of {total} comparisons met ({:.1}%); missed: {}",
        share * 100.0,
        missed.join(", ")
    );
    assert!(share >= 0.90, "address vectors: {met} of {total} ({:.1}%), below 90%; missed: {missed:?}", share * 100.0);
}
