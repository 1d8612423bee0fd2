#!/usr/bin/env python3
"""Multi-night benchmark: does cleaning an extract night after night, each
night against the previous night's output as its master, give the accuracy
of one full run, and do records keep the person ID of the night they
arrived?

    benches/nights.py --rows 100000 --nights 5               # diverse profile
    benches/nights.py --rows 20000 --nights 4 --profile classic --json out.jsonl
    benches/nights.py --rows 1010000 --first 1000000 --nights 2   # 10k against 1M
    benches/nights.py --rows 5050000 --first 5000000 --nights 2 --cost-only   # 50k against 5M

The extract is made by `dancu gen`, split into contiguous nights (the copies
of a person fall in different nights, as re-registrations do), and cleaned:
once whole, and night by night with `--master`. Both are scored by
`dancu eval` against the generator's truth (the nights' rows renumbered back
to the extract's). A record's person ID on the night it arrived is compared
with its ID after the last night: kept, changed through a logged merge
(the first ID retired into the last in identity.json), or changed otherwise
(a split, or nothing logged). The last night is run `--last-runs` times
against the same master (its median wall time is reported). With
`--cost-only` only the times and memory are measured (no scoring): the
extract is split as a stream, so five million rows fit. Standard library
only.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time

csv.field_size_limit(sys.maxsize)


def run(command, log):
    """Runs a command under /usr/bin/time; returns (wall seconds, peak RSS MB)."""
    with tempfile.NamedTemporaryFile("r") as timing:
        started = time.time()
        with open(log, "w") as out:
            done = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", timing.name] + command,
                                  stdout=out, stderr=subprocess.STDOUT)
        if done.returncode != 0:
            sys.exit(f"{' '.join(command)} failed with {done.returncode}; see {log}")
        fields = open(timing.name).read().split()
        wall = float(fields[-2]) if len(fields) >= 2 else time.time() - started
        return wall, int(fields[-1]) / 1024


def read_rows(extract):
    with open(extract, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        return list(reader)


def split_extract(extract, total, nights, first, folder):
    """Writes night1.csv..nightN.csv of contiguous rows of the `total` rows,
    the first night `first` rows if given and the others alike, reading the
    extract as a stream; returns each night's (path, first row of the
    extract minus one)."""
    starts = [0]
    if first:
        starts.append(first)
    rest = total - starts[-1]
    later = nights - len(starts) + 1
    for k in range(1, later):
        starts.append(starts[len(starts) - 1] + -(-rest // later))
    starts.append(total)
    parts = []
    with open(extract, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        for k in range(nights):
            path = os.path.join(folder, f"night{k + 1}.csv")
            with open(path, "w", newline="", encoding="utf-8") as g:
                writer = csv.writer(g, lineterminator="\n")
                writer.writerow(header)
                for _ in range(starts[k + 1] - starts[k]):
                    writer.writerow(next(reader))
            parts.append((path, starts[k]))
    return parts


def read_table(path):
    """A CSV file's header and its rows as dicts."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


def flatten(fields, output, offsets, rows, folder):
    """A copy of a run's records.csv (`fields`, `output`) whose rows are the
    extract's rows, for `dancu eval` (which keys the truth by row). A row
    that a later night sent again as it was (`record_seen`: the master's
    record, not another) is given the person of the earlier row it repeats.
    Returns the folder and how many rows were such repeats."""
    os.makedirs(folder, exist_ok=True)
    records = {}
    for record in output:
        row = offsets[record["source"]] + int(record["row"])
        records[row] = dict(record, row=str(row))
    first_of = {}
    repeats = 0
    for row, cells in enumerate(rows, start=1):
        # The serial number (`STT`) is not part of a record's content.
        content = tuple(c.strip() for c in cells[1:])
        first_of.setdefault(content, row)
        earlier = first_of[content]
        if row not in records and earlier != row and earlier in records:
            records[row] = dict(records[earlier], row=str(row))
            repeats += 1
    with open(os.path.join(folder, "records.csv"), "w", newline="", encoding="utf-8") as g:
        writer = csv.DictWriter(g, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for row in sorted(records):
            writer.writerow(records[row])
    return folder, repeats


def evaluate(dancu, truth, folder):
    done = subprocess.run([dancu, "eval", "--truth", truth, "--run", folder, "--json"],
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"dancu eval failed: {done.stderr}")
    return json.loads(done.stdout)["linkage"]


def retired_into(ledger, first):
    """The survivor a retired ID points to, followed to the end."""
    seen = set()
    while first in ledger and first not in seen:
        seen.add(first)
        first = ledger[first]
    return first


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100000)
    parser.add_argument("--nights", type=int, default=5)
    parser.add_argument("--first", type=int, help="rows of the first night (default: all nights alike)")
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--profile", default="diverse")
    parser.add_argument("--dancu", default=os.path.join(
        os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/dancu-target")), "release", "dancu"))
    parser.add_argument("--work", default=os.path.join(os.environ.get("BENCH_DIR", "/tmp/dancu-bench"), "nights"))
    parser.add_argument("--json", help="append the result as one JSON line to this file")
    parser.add_argument("--last-runs", type=int, default=3, help="runs of the last night (median reported)")
    parser.add_argument("--cost-only", action="store_true", help="measure time and memory only, no scoring")
    args = parser.parse_args()

    work = os.path.join(args.work, f"{args.profile}-{args.rows}-{args.nights}-{args.first or 0}")
    os.makedirs(work, exist_ok=True)
    generated = os.path.join(args.work, f"gen-{args.profile}-{args.rows}-{args.seed}")
    if not os.path.exists(os.path.join(generated, "extract.csv")):
        subprocess.run([args.dancu, "gen", "--rows", str(args.rows), "--seed", str(args.seed),
                        "--profile", args.profile, "--out", generated, "--quiet"], check=True)
    extract = os.path.join(generated, "extract.csv")
    truth = os.path.join(generated, "truth")
    parts = split_extract(extract, args.rows, args.nights, args.first, work)
    offsets = {os.path.basename(path): offset for path, offset in parts}

    full_out = os.path.join(work, "full")
    subprocess.run(["rm", "-rf", full_out], check=True)
    full_wall, full_rss = run([args.dancu, "clean", extract, "--out", full_out, "--quiet"],
                              os.path.join(work, "full.log"))
    full = None if args.cost_only else evaluate(args.dancu, truth, full_out)
    if args.cost_only:
        # Five million records' outputs twice over do not fit beside the rest.
        subprocess.run(["rm", "-rf", full_out], check=True)

    nights = []
    master = None
    first_person = {}
    for k, (path, _) in enumerate(parts):
        out = os.path.join(work, f"out{k + 1}")
        subprocess.run(["rm", "-rf", out], check=True)
        command = [args.dancu, "clean", path, "--out", out, "--quiet",
                   "--reference-date", f"2026-01-{k + 1:02d}"]
        if master:
            command += ["--master", master]
        last = k + 1 == len(parts)
        measured = []
        for _ in range(args.last_runs if last else 1):
            subprocess.run(["rm", "-rf", out], check=True)
            measured.append(run(command, os.path.join(work, f"night{k + 1}.log")))
        wall = sorted(w for w, _ in measured)[len(measured) // 2]
        rss = max(r for _, r in measured)
        if not args.cost_only:
            # A night's records.csv holds tonight's records, with the person
            # each arrived as.
            _, tonight = read_table(os.path.join(out, "records.csv"))
            for record in tonight:
                first_person.setdefault(record["record_id"], record["person_id"])
        nights.append({"night": k + 1, "rows": (parts[k + 1][1] if k + 1 < len(parts) else args.rows) - parts[k][1],
                       "wall_s": wall, "peak_rss_mb": round(rss), "runs": len(measured)})
        master = out

    if args.cost_only:
        result = {"profile": args.profile, "rows": args.rows, "nights": args.nights, "seed": args.seed,
                  "cost_only": True, "full": {"wall_s": full_wall, "peak_rss_mb": round(full_rss)},
                  "nightly": {"runs": nights}}
        print(json.dumps(result, indent=2))
        if args.json:
            with open(args.json, "a") as f:
                f.write(json.dumps(result) + "\n")
        return

    # The whole population after the last night, as CSV.
    population = os.path.join(work, "population.csv")
    subprocess.run([args.dancu, "export", master, "--out", population], check=True, capture_output=True)
    fields, output = read_table(population)
    last = {r["record_id"]: r["person_id"] for r in output}
    ledger = json.load(open(os.path.join(master, "identity.json")))["retired"]
    kept = merged = other = 0
    for record_id, first in first_person.items():
        now = last.get(record_id)
        if now == first:
            kept += 1
        elif now is not None and retired_into(ledger, first) == now:
            merged += 1
        else:
            other += 1
    flat, repeats = flatten(fields, output, offsets, read_rows(extract), os.path.join(work, "flat"))
    nightly = evaluate(args.dancu, truth, flat)
    records = kept + merged + other
    result = {
        "profile": args.profile, "rows": args.rows, "nights": args.nights, "seed": args.seed,
        "full": {"wall_s": full_wall, "peak_rss_mb": round(full_rss), "precision": full["precision"],
                 "recall": full["recall"], "f1": full["f1"]},
        "nightly": {"precision": nightly["precision"], "recall": nightly["recall"], "f1": nightly["f1"],
                    "runs": nights},
        "f1_difference": round(nightly["f1"] - full["f1"], 4),
        "rows_sent_again": repeats, "records": records, "kept_id": kept, "changed_by_logged_merge": merged, "changed_otherwise": other,
        "kept_share": round(kept / records, 6) if records else 1.0,
    }
    print(json.dumps(result, indent=2))
    if args.json:
        with open(args.json, "a") as f:
            f.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
