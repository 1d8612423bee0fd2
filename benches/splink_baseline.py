"""Splink baseline for dancu's benchmark: a fair, competent Splink setup on a
dancu-generated extract, written as a Splink user would write it.

    python benches/splink_baseline.py EXTRACT.csv OUT_DIR

Preparation a Splink user would do for Vietnamese data: names NFC-normalised
and lower-cased, with a diacritic-free column (đ → d); dates parsed from
dd/mm/yyyy (partial dates kept as a birth year); IDs reduced to digits; the
commune name folded the same way as names. Splink then gets blocking rules
on the ID, on birth date with given name, on birth year with surname and
given name, and on commune with the folded full name; comparisons with
Jaro-Winkler on names, a date-of-birth comparison with tolerance, exact ID,
sex and commune; u by random sampling of ten million pairs, m by
expectation maximisation on the pairs of each of the four blocking rules,
and clustering at match probability 0.95.

Writes OUT_DIR/records.csv with `source,row,person_id`, which `dancu eval`
scores like a dancu run.
"""

import csv
import logging
import os
import sys
import time
import unicodedata

import duckdb

import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on


def fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text or "")
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    text = text.replace("đ", "d").replace("Đ", "D").replace("Ð", "D")
    return " ".join(text.lower().split())


def parse_date(text: str):
    parts = (text or "").strip().split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        day, month, year = (int(p) for p in parts)
        if 1 <= month <= 12 and 1 <= day <= 31 and 1800 <= year <= 2200:
            return f"{year:04d}-{month:02d}-{day:02d}", str(year)
        return None, str(year)
    if len(parts) == 1 and parts[0].isdigit() and len(parts[0]) == 4:
        return None, parts[0]
    return None, None


BLOCKING_RULES = [
    block_on("citizen_id"),
    block_on("dob", "given_name"),
    block_on("birth_year", "surname", "given_name"),
    block_on("commune", "name_ascii"),
]

COLUMNS = [
    "unique_id", "full_name", "name_ascii", "surname", "given_name", "dob",
    "birth_year", "sex", "citizen_id", "phone", "commune",
]


def prepare(path: str, prepared: str) -> None:
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        for number, r in enumerate(reader, start=1):
            name = unicodedata.normalize("NFC", r[1]).lower().strip()
            folded = fold(r[1])
            tokens = folded.split()
            dob, year = parse_date(r[2])
            rows.append(
                {
                    "unique_id": number,
                    "full_name": name or None,
                    "name_ascii": folded or None,
                    "surname": tokens[0] if tokens else None,
                    "given_name": tokens[-1] if tokens else None,
                    "dob": dob,
                    "birth_year": year,
                    "sex": fold(r[3]) or None,
                    "citizen_id": "".join(c for c in r[4] if c.isdigit()) or None,
                    "phone": "".join(c for c in r[9] if c.isdigit()) or None,
                    "commune": fold(r[11] or r[10].split(",")[-3 if r[10].count(",") >= 2 else 0]) or None,
                }
            )
    with open(prepared, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    extract, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    logging.getLogger("splink").setLevel(logging.WARNING)
    started = time.perf_counter()
    prepared_csv = os.path.join(out, "prepared.csv")
    prepare(extract, prepared_csv)
    prepared = time.perf_counter()

    connection = duckdb.connect()
    connection.execute(
        f"create table extract as select * from read_csv('{prepared_csv}', header=true, all_varchar=true)"
    )
    connection.execute("alter table extract alter unique_id type bigint")
    db_api = DuckDBAPI(connection=connection)
    table = db_api.register("extract")
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=BLOCKING_RULES,
        comparisons=[
            cl.JaroWinklerAtThresholds("name_ascii", [0.95, 0.88]),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("citizen_id"),
            cl.ExactMatch("sex"),
            cl.ExactMatch("commune"),
            cl.ExactMatch("phone"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    linker = Linker(table, settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("citizen_id", "dob")], recall=0.7
    )
    # As a careful user trains: u on ten million random pairs, m by EM on
    # the pairs of each blocking rule used for predictions.
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    for rule in BLOCKING_RULES:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    trained = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=0.95
    )
    result = clusters.as_duckdbpyrelation().select("unique_id, cluster_id").fetchall()
    linked = time.perf_counter()

    source = os.path.basename(extract)
    with open(os.path.join(out, "records.csv"), "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["source", "row", "person_id"])
        for unique_id, cluster_id in sorted(result):
            writer.writerow([source, unique_id, cluster_id])
    print(
        f"splink {__import__('splink').__version__}: prepare {prepared - started:.1f}s, "
        f"train {trained - prepared:.1f}s, predict+cluster {linked - trained:.1f}s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
