//! The cases of `fixtures/cases/addresses.toml`, the peers' address
//! vectors, and the reference tables resolved against themselves.

use serde::Deserialize;

use std::collections::BTreeSet;

use super::*;
use crate::rules::AdminTables;
use crate::rules::{NewCommune, RuleSource, Rules};

#[derive(Deserialize)]
struct Cases {
    case: Vec<Case>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Case {
    id: String,
    address: String,
    commune: String,
    district: String,
    province: String,
    status: String,
    street: Option<String>,
    mismatch: Option<bool>,
    old_commune_code: Option<String>,
    old_province_code: Option<String>,
    commune_code: Option<String>,
    province_code: Option<String>,
    suggestion: Option<String>,
    note: String,
}

fn rules() -> &'static Rules {
    static RULES: std::sync::OnceLock<Rules> = std::sync::OnceLock::new();
    RULES.get_or_init(|| Rules::load(&RuleSource::BuiltIn, None).unwrap())
}

/// What a resolution says, in the vocabulary of the cases file.
struct Outcome {
    status: &'static str,
    street: String,
    mismatch: bool,
    old_commune_code: String,
    old_province_code: String,
    commune_code: String,
    province_code: String,
    suggestion: String,
}

fn outcome(r: &Resolution, admin: &AdminTables) -> Outcome {
    let old = r.old_unit.map(|i| &admin.old_units[i]);
    Outcome {
        status: r.status.label(),
        street: r.street.clone(),
        mismatch: r.mismatch,
        old_commune_code: old.map(|u| u.commune_code.clone()).unwrap_or_default(),
        old_province_code: old.map(|u| u.province_code.clone()).or(r.old_province.clone()).unwrap_or_default(),
        commune_code: r.new_commune.map(|i| admin.new_communes[i].commune_code.clone()).unwrap_or_default(),
        province_code: r.new_province.clone().unwrap_or_default(),
        suggestion: r.suggestion.clone(),
    }
}

#[test]
fn every_case_of_the_cases_file_holds() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/cases/addresses.toml")).unwrap();
    let cases: Cases = toml::from_str(&text).unwrap();
    assert!(cases.case.len() >= 300, "{} cases", cases.case.len());
    let rules = rules();
    let index = AddressIndex::new(&rules.admin, &rules.address_words);
    let mut failures = Vec::new();
    for c in &cases.case {
        let input = AddressInput {
            street: c.address.clone(),
            commune: c.commune.clone(),
            district: c.district.clone(),
            province: c.province.clone(),
            ..AddressInput::default()
        };
        let got = outcome(&index.resolve(&input), &rules.admin);
        let mut wrong = Vec::new();
        let mut check = |what: &str, expected: Option<&str>, actual: &str| {
            if let Some(expected) = expected {
                if expected != actual {
                    wrong.push(format!("{what}: expected {expected:?}, got {actual:?}"));
                }
            }
        };
        check("status", Some(&c.status), got.status);
        check("street", c.street.as_deref(), &got.street);
        check("old_commune_code", c.old_commune_code.as_deref(), &got.old_commune_code);
        check("old_province_code", c.old_province_code.as_deref(), &got.old_province_code);
        check("commune_code", c.commune_code.as_deref(), &got.commune_code);
        check("province_code", c.province_code.as_deref(), &got.province_code);
        check("suggestion", c.suggestion.as_deref(), &got.suggestion);
        let mismatch = if got.mismatch { "true" } else { "false" };
        check("mismatch", Some(if c.mismatch == Some(true) { "true" } else { "false" }), mismatch);
        if !wrong.is_empty() {
            failures.push(format!(
                "{} ({}) {:?} / {:?} / {:?} / {:?}:\n  {}",
                c.id,
                c.note,
                c.address,
                c.commune,
                c.district,
                c.province,
                wrong.join("\n  ")
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases fail:\n{}", failures.len(), cases.case.len(), failures.join("\n"));
}

#[test]
fn the_cases_cover_every_province_old_and_new() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/cases/addresses.toml")).unwrap();
    let cases: Cases = toml::from_str(&text).unwrap();
    let admin = &rules().admin;
    let old: BTreeSet<&str> = cases.case.iter().filter_map(|c| c.old_province_code.as_deref()).collect();
    let new: BTreeSet<&str> = cases.case.iter().filter_map(|c| c.province_code.as_deref()).collect();
    assert_eq!(old.len(), admin.old_province_names.len());
    assert_eq!(new.len(), admin.new_provinces.len());
}

/// Every commune of both lists, written with its own official names,
/// resolves exactly to itself; a split old commune is ambiguous between
/// its successors and still names itself.
#[test]
fn every_reference_unit_resolves_to_itself() {
    let rules = rules();
    let admin = &rules.admin;
    let index = AddressIndex::new(admin, &rules.address_words);
    let mut failures = Vec::new();
    for (i, unit) in admin.old_units.iter().enumerate().filter(|(_, u)| !u.commune_code.is_empty()) {
        let input = AddressInput {
            commune: unit.commune_name.clone(),
            district: unit.district_name.clone(),
            province: unit.province_name.clone(),
            ..AddressInput::default()
        };
        let r = index.resolve(&input);
        let split = admin.old_to_new[&unit.commune_code].is_split;
        let expected = if split { AddressStatus::Ambiguous } else { AddressStatus::Exact };
        if r.old_unit != Some(i) || r.status != expected {
            failures
                .push(format!("old {} {}: {:?} {:?}", unit.commune_code, unit.commune_name, r.status, r.suggestion));
        }
    }
    for (i, commune) in admin.new_communes.iter().enumerate() {
        let input = AddressInput {
            commune: commune.commune_name.clone(),
            province: admin.new_provinces[&commune.province_code].name.clone(),
            ..AddressInput::default()
        };
        let r = index.resolve(&input);
        if r.new_commune != Some(i) || r.status != AddressStatus::Exact {
            failures.push(format!(
                "new {} {}: {:?} {:?}",
                commune.commune_code, commune.commune_name, r.status, r.suggestion
            ));
        }
    }
    assert!(failures.is_empty(), "{} units do not resolve to themselves:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_old_commune_maps_to_a_new_commune() {
    let admin = &rules().admin;
    let codes: BTreeSet<&str> = admin.new_communes.iter().map(|c| c.commune_code.as_str()).collect();
    for unit in admin.old_units.iter().filter(|u| !u.commune_code.is_empty()) {
        let mapping = &admin.old_to_new[&unit.commune_code];
        assert!(!mapping.targets.is_empty(), "{}", unit.commune_code);
        assert!(mapping.targets.iter().all(|t| codes.contains(t.as_str())), "{}", unit.commune_code);
        assert_eq!(mapping.is_split, mapping.targets.len() > 1, "{}", unit.commune_code);
    }
}

/// `fixtures/conformance/address_vectors.jsonl`: vietnamadminunits' README
/// examples, compared field by field: how many comparisons hold, of how
/// many, and which missed. Names are compared as the peer writes them (full
/// names with the unit type, or short names); a split commune may resolve
/// to any of its successors.
pub(crate) fn peer_vector_results(rules: &Rules) -> (usize, usize, Vec<String>) {
    let admin = &rules.admin;
    let index = AddressIndex::new(admin, &rules.address_words);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/conformance/address_vectors.jsonl");
    let (mut met, mut total, mut missed) = (0, 0, Vec::new());
    for line in std::fs::read_to_string(path).unwrap().lines().filter(|l| !l.trim().is_empty()) {
        let vector: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = vector["id"].as_str().unwrap();
        let task = vector["task"].as_str().unwrap();
        let input = match &vector["input"] {
            serde_json::Value::String(text) => AddressInput { street: text.clone(), ..AddressInput::default() },
            object => AddressInput {
                commune: object["ward"].as_str().unwrap_or_default().to_string(),
                district: object["district"].as_str().unwrap_or_default().to_string(),
                province: object["province"].as_str().unwrap_or_default().to_string(),
                ..AddressInput::default()
            },
        };
        let r = index.resolve(&input);
        let old = r.old_unit.map(|i| &admin.old_units[i]);
        let successors: Vec<&NewCommune> = match (r.new_commune, old) {
            (Some(i), _) => vec![&admin.new_communes[i]],
            (None, Some(unit)) => admin.old_to_new[&unit.commune_code]
                .targets
                .iter()
                .map(|code| &admin.new_communes[index.new_commune_by_code[code]])
                .collect(),
            (None, None) => Vec::new(),
        };
        let province = r.new_province.as_ref().map(|c| &admin.new_provinces[c]);
        let legacy = task.ends_with("legacy");
        for field in vector["compare"].as_array().unwrap() {
            let field = field.as_str().unwrap();
            let expected = vector["expected"][field].as_str().unwrap();
            let ok = match field {
                "province" if legacy => old.is_some_and(|u| u.province_name == expected),
                "district" => old.is_some_and(|u| u.district_name == expected),
                "ward" if legacy => old.is_some_and(|u| u.commune_name == expected),
                "province" => province.is_some_and(|p| p.name == expected),
                "short_province" => province.is_some_and(|p| p.short_name == expected),
                "ward" => successors.iter().any(|c| c.commune_name == expected),
                "short_ward" => successors.iter().any(|c| c.commune_short_name == expected),
                "street" => r.street.to_lowercase() == expected.to_lowercase(),
                other => panic!("{id}: no comparison for {other}"),
            };
            total += 1;
            if ok {
                met += 1;
            } else {
                missed.push(format!("{id}:{field}"));
            }
        }
    }
    (met, total, missed)
}

#[test]
fn the_peers_address_vectors_hold() {
    let (met, total, missed) = peer_vector_results(rules());
    assert!(total >= 30, "{total} comparisons");
    assert_eq!(met, total, "missed: {missed:?}");
}
