//! Criterion benches of the three inner loops, on a generated extract with a
//! fixed seed: names normalised per second, addresses resolved per second,
//! candidate pairs compared per second.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use dancu::generate::{self, GenerateOptions};
use dancu::legacy::to_mojibake;
use dancu::link::compare::{compare, ComparisonKeys};
use dancu::normalize::address::{AddressIndex, AddressInput};
use dancu::normalize::date::{parse_date, DateParse};
use dancu::normalize::name::normalize_name;
use dancu::record::Sex;
use dancu::rules::{RuleSource, Rules};
use dancu::text::fold_words;
use unicode_normalization::UnicodeNormalization;

struct Sample {
    rows: Vec<csv::StringRecord>,
}

fn sample(rules: &Rules, rows: u64) -> Sample {
    let dir = tempfile::tempdir().unwrap();
    let options = GenerateOptions {
        rows,
        seed: 20_261_127,
        out: dir.path().to_path_buf(),
        config: None,
        profile: "diverse".into(),
    };
    generate::generate(rules, &options, &|_| {}).unwrap();
    let mut reader = csv::Reader::from_path(dir.path().join("extract.csv")).unwrap();
    Sample { rows: reader.records().map(|r| r.unwrap()).collect() }
}

fn names(c: &mut Criterion, rules: &Rules, sample: &Sample) {
    let normalize = |name: &str| normalize_name(name, &rules.names, &rules.legacy_encodings);
    let raw: Vec<String> = sample.rows.iter().map(|r| r[1].to_string()).collect();
    let canonical: Vec<String> = raw.iter().map(|n| normalize(n).display).collect();
    // Every name damaged one way or another, in turn.
    let legacy = &rules.legacy_encodings;
    let damaged: Vec<String> = canonical
        .iter()
        .enumerate()
        .map(|(i, n)| match i % 4 {
            0 => legacy.to_tcvn3(n),
            1 => legacy.to_vni(n),
            2 => to_mojibake(n),
            _ => n.nfd().collect(),
        })
        .collect();
    let mut group = c.benchmark_group("names");
    for (label, set) in [("as_extracted", &raw), ("already_canonical", &canonical), ("needing_repair", &damaged)] {
        group.throughput(Throughput::Elements(set.len() as u64));
        group.bench_function(label, |b| {
            b.iter(|| {
                for name in set.iter() {
                    black_box(normalize(black_box(name)));
                }
            })
        });
    }
    group.finish();
}

fn addresses(c: &mut Criterion, rules: &Rules, sample: &Sample) {
    let index = AddressIndex::new(&rules.admin, &rules.address_words);
    let mut inputs: Vec<AddressInput> = sample
        .rows
        .iter()
        .map(|r| AddressInput {
            street: r[10].to_string(),
            commune: r[11].to_string(),
            district: r[12].to_string(),
            province: r[13].to_string(),
            ..AddressInput::default()
        })
        .collect();
    inputs.sort_by(|a, b| (&a.street, &a.commune, &a.province).cmp(&(&b.street, &b.commune, &b.province)));
    inputs.dedup();
    let mut group = c.benchmark_group("addresses");
    group.throughput(Throughput::Elements(inputs.len() as u64));
    group.bench_function("resolve_distinct", |b| {
        b.iter(|| {
            for input in &inputs {
                black_box(index.resolve(black_box(input)));
            }
        })
    });
    group.finish();
}

fn pairs(c: &mut Criterion, rules: &Rules, sample: &Sample) {
    let names: Vec<_> =
        sample.rows.iter().map(|r| normalize_name(&r[1], &rules.names, &rules.legacy_encodings)).collect();
    let keys: Vec<ComparisonKeys> = sample
        .rows
        .iter()
        .zip(&names)
        .map(|(r, name)| ComparisonKeys {
            name: &name.display,
            name_key: &name.key,
            surname_key: fold_words(&name.surname).into(),
            given_key: fold_words(&name.given).into(),
            birth_date: match parse_date(&r[2], 2026) {
                DateParse::Date(d) => Some(d),
                _ => None,
            },
            sex: Some(if &r[3] == "Nam" { Sex::Male } else { Sex::Female }),
            citizen_id: &r[4],
            ..ComparisonKeys::default()
        })
        .collect();
    // Neighbours in the extract: household members, the pairs blocking
    // tends to produce.
    let pairs: Vec<(usize, usize)> = (0..keys.len() - 1).map(|i| (i, i + 1)).collect();
    let mut group = c.benchmark_group("pairs");
    group.throughput(Throughput::Elements(pairs.len() as u64));
    group.bench_function("compare", |b| {
        b.iter(|| {
            for &(x, y) in &pairs {
                black_box(compare(&keys[x], &keys[y]));
            }
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    let rules = Rules::load(&RuleSource::BuiltIn, None).unwrap();
    let sample = sample(&rules, 50_000);
    names(c, &rules, &sample);
    addresses(c, &rules, &sample);
    pairs(c, &rules, &sample);
}

criterion_group! {
    name = throughput;
    config = Criterion::default().sample_size(20);
    targets = benches
}
criterion_main!(throughput);
