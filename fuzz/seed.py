#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target under fuzz/corpus/ from the
project's fixtures: the sample extracts in each encoding and format, and the
inputs of the cases files. Run from the project root; fuzzing adds to it."""

import os
import tomllib

FIXTURES = "fixtures/"
CORPUS = "fuzz/corpus/"


def put(target, name, data):
    os.makedirs(CORPUS + target, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(f"{CORPUS}{target}/{name}", "wb") as f:
        f.write(data)


def cases(file):
    with open(FIXTURES + "cases/" + file, "rb") as f:
        return tomllib.load(f)["case"]


sample = open(FIXTURES + "sample.csv", encoding="utf-8").read()
for name in ["sample.csv", "sample-windows1258.csv", "sample-utf16.txt"]:
    put("csv_reader", name, open(FIXTURES + name, "rb").read())
lines = sample.splitlines()
for i in range(0, len(lines), 8):
    put("csv_reader", f"slice-{i}.csv", "\n".join([lines[0]] + lines[i + 1 : i + 9]) + "\n")
put("xlsx_reader", "sample.xlsx", open(FIXTURES + "sample.xlsx", "rb").read())
put("header", "sample", lines[0])
put("header", "english", "Full name,Date of birth,Sex,Citizen ID")
put("header", "dancu-output", "source,row,full_name,full_name_raw,person_id,is_primary,issues")

for i, case in enumerate(cases("names.toml")):
    put("name", f"case-{i}", case.get("input", ""))
for i, case in enumerate(cases("addresses.toml")):
    fields = [case.get(k, "") for k in ("address", "commune", "district", "province")]
    put("address", f"case-{i}", "|".join(fields))
validation = cases("validation.toml")
dates, ids, phones = set(), set(), set()
for case in validation:
    for record in case["records"]:
        dates.add(record.get("birth_date", ""))
        ids.add(record.get("citizen_id", ""))
        ids.add(record.get("old_id", ""))
        phones.add(record.get("phone", ""))
for target, values in [("date", dates), ("id", ids), ("phone", phones)]:
    for i, value in enumerate(sorted(values)):
        put(target, f"case-{i}", value)
for i in range(1, len(lines), 4):
    put("record", f"sample-{i}", "\n".join(line.replace(",", "\x1f") for line in lines[i : i + 4]))
