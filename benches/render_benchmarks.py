"""Renders BENCHMARKS.md from the results benches/e2e.sh collected."""

import json
import os
import platform
import statistics
import subprocess
import sys


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in open("/proc/meminfo", encoding="utf-8"):
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
                break
    except OSError:
        pass
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{os.cpu_count()} cores ({cpu}), {memory} memory, {platform.system()} {platform.release()}; {rustc}"


def criterion_table(target: str) -> list:
    """The criterion benches' medians, as elements per second on one core."""
    rows = []
    for group, label in [("names", "names normalised"), ("addresses", "distinct addresses resolved"), ("pairs", "candidate pairs compared")]:
        folder = os.path.join(target, "criterion", group)
        if not os.path.isdir(folder):
            continue
        for function in sorted(os.listdir(folder)):
            estimates = os.path.join(folder, function, "new", "estimates.json")
            benchmark = os.path.join(folder, function, "new", "benchmark.json")
            if not (os.path.exists(estimates) and os.path.exists(benchmark)):
                continue
            elements = json.load(open(benchmark)).get("throughput", {}).get("Elements")
            median_ns = json.load(open(estimates))["median"]["point_estimate"]
            if elements:
                rows.append(f"| {label} | `{group}/{function}` | {elements / (median_ns / 1e9):,.0f} |")
    if not rows:
        return []
    return [
        "## Inner loops (criterion, one core)\n",
        "`cargo bench --bench throughput`, on a 50,000-row extract generated with a fixed seed; medians.\n",
        "| what | bench | per second |",
        "|---|---|---:|",
        *rows,
        "",
    ]


PROFILES = {
    "diverse": "the diverse profile (`--profile diverse`: free-text addresses with house numbers and hamlets, moved people, offices typing in TCVN3 or VNI, run-together syllables, month-first dates, rarer given names)",
    "classic": "the classic profile (`--profile classic`: the generator's first noise model)",
}
TOOLS = ("dancu", "baseline", "splink")


def merged(hard: dict, kind: str) -> str:
    h = hard.get(kind)
    return f"{h['merged']} / {h['pairs']}" if h else "–"


def dancu_details(e: dict) -> list:
    """Field findings, error detection, addresses, stages and blocking of one dancu run."""
    out = []
    fields = e.get("errors", {}).get("field_findings")
    if fields:
        out.append(
            f"Field findings against the generator's truth (does a finding on a person field mean the field was damaged): "
            f"recall {fields['recall']:.4f}, precision {fields['precision']:.4f}.\n"
        )
    errors = e.get("errors")
    if errors:
        out.append("Detection of the injected invalid fields:\n")
        out.append("| error kind | expected code | injected | detected | recall | precision |")
        out.append("|---|---|---:|---:|---:|---:|")
        for k in errors["kinds"]:
            out.append(
                f"| {k['kind']} | `{k['code']}` | {k['injected']} | {k['detected']} | {k['recall']:.4f} | {k['precision']:.4f} |"
            )
        clean = errors["error_findings_on_clean_rows"]
        total = sum(clean.values())
        detail = ", ".join(f"`{c}` {n}" for c, n in clean.items())
        out.append(f"\nError-severity findings on rows the generator left error-free: {total}{' (' + detail + ')' if detail else ''}.\n")
    addresses = e.get("addresses")
    if addresses:
        out.append(
            f"Addresses: {addresses['resolution_rate']:.4f} of records placed in a post-2025 commune "
            f"({addresses['exact']:,} exact, {addresses.get('fuzzy', 0):,} fuzzy, {addresses['ambiguous']:,} ambiguous, {addresses['unresolved']:,} unresolved); "
            f"{addresses['accuracy']:.4f} of those in the right commune; {addresses['split_commune_records']:,} records "
            "live in a pre-2025 commune that the reform split.\n"
        )
    manifest = e.get("manifest")
    if manifest:
        stage_timings = e.get("timings", {})
        stages = ", ".join(
            f"{stage} {ms / 1000:.2f} s" for stage, ms in sorted(stage_timings.items(), key=lambda x: -x[1]) if ms >= 10
        )
        out.append(f"Stages in the last run (manifest.json): {stages}.\n")
        counts = manifest.get("counts", {})
        statuses = counts.get("address_status", {})
        if statuses:
            total = sum(statuses.values())
            detail = ", ".join(f"{status} {n:,} ({n / total:.2%})" for status, n in sorted(statuses.items()))
            out.append(f"Address status of the records: {detail}.\n")
        out.append("Blocking (candidate pairs per rule; `new` = not found by an earlier rule; largest blocks before splitting):\n")
        out.append("| rule | blocks | pairs | new | largest blocks | split | skipped |")
        out.append("|---|---:|---:|---:|---|---:|---:|")
        for b in manifest["blocking"]:
            out.append(
                f"| {b['rule']} | {b['blocks']:,} | {b['candidate_pairs']:,} | {b.get('new_pairs', 0):,} | "
                f"{', '.join(str(x) for x in b['largest_blocks'])} | {b.get('split_blocks', 0)} | {b['skipped_blocks']} |"
            )
        out.append("")
    return out


def fuzz_section() -> list:
    """The last long fuzzing run, from fuzz/figures.tsv (written by fuzz/run.sh)."""
    path = os.path.join(os.path.dirname(__file__), "..", "fuzz", "figures.tsv")
    if not os.path.exists(path):
        return []
    rows = [line.rstrip("\n").split("\t") for line in open(path, encoding="utf-8")][1:]
    out = ["## Fuzzing\n"]
    out.append(
        "`fuzz/run.sh MINUTES` runs each libFuzzer target for that long; each target's last run is kept in "
        "`fuzz/figures.tsv`. A target is listed only when its run ended without a crash (a crash leaves its input in `fuzz/artifacts/TARGET/` and no line here).\n"
    )
    out.append("| target | executions | seconds | executions/s | date | commit |")
    out.append("|---|---:|---:|---:|---|---|")
    for target, runs, seconds, date, commit in rows:
        rate = int(runs) / max(int(seconds), 1)
        out.append(f"| {target} | {int(runs):,} | {seconds} | {rate:,.0f} | {date} | {commit} |")
    out.append("")
    return out


def profile_section() -> list:
    """The hand-made profile of a run (benches/profile.md), copied as it is:
    it says when it was measured."""
    path = os.path.join(os.path.dirname(__file__), "profile.md")
    if not os.path.exists(path):
        return []
    return [open(path, encoding="utf-8").read().rstrip("\n") + "\n"]


def nights_section(path: str) -> list:
    """The results of benches/nights.py, one table row per run."""
    if not os.path.exists(path):
        return []
    out = ["## Nights against a master\n"]
    out.append(
        "`benches/nights.py` (run by `benches/e2e.sh`): the extract is split into contiguous nights and "
        "cleaned night after night, each against the previous night's output as `--master`, then "
        "scored like one full run over the whole extract. A row a later night sends again as it was "
        "is the master's record (`record_seen`) and is scored as that record. \"kept\" is the share of "
        "records whose `person_id` after the last night is the one they got on the night they "
        "arrived; \"by merge\" the records whose first ID was retired into the last one "
        "(`identity.json`); \"other\" any other change. The last night's time is the median of its runs "
        "against the same master; a size measured for cost only (five million rows) is not scored.\n"
    )
    out.append("| profile | rows | nights (rows each) | full run (s) | nights (s each) | last night / full run | peak MB full / last night | F1 full | F1 nights | kept | by merge | other |")
    out.append("|---|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for line in open(path, encoding="utf-8"):
        r = json.loads(line)
        runs = r["nightly"]["runs"]
        sizes = ", ".join(f"{n['rows']:,}" for n in runs)
        walls = ", ".join(f"{n['wall_s']:.2f}" for n in runs)
        ratio = runs[-1]["wall_s"] / r["full"]["wall_s"] if r["full"]["wall_s"] else 0
        scored = (
            f"{r['full']['f1']:.4f} | {r['nightly']['f1']:.4f} | {r['kept_share']:.4%} | "
            f"{r['changed_by_logged_merge']:,} | {r['changed_otherwise']:,}"
            if not r.get("cost_only")
            else "— | — | — | — | —"
        )
        out.append(
            f"| {r['profile']} | {r['rows']:,} | {len(runs)} ({sizes}) | {r['full']['wall_s']:.2f} | {walls} | "
            f"{ratio:.2f} | {r['full']['peak_rss_mb']:,} / {runs[-1]['peak_rss_mb']:,} | {scored} |"
        )
    out.append("")
    return out


def main() -> None:
    path, seed = sys.argv[1], sys.argv[2]
    timings, evaluations = {}, {}
    for line in open(path, encoding="utf-8"):
        record = json.loads(line)
        key = (record["tool"], record.get("profile", "classic"), record["rows"])
        if "wall_s" in record:
            timings.setdefault(key, []).append(record)
        else:
            evaluations[key] = record
    present = {profile for _, profile, _ in timings}
    profiles = [p for p in PROFILES if p in present] + sorted(present - set(PROFILES))
    out = []
    out.append("# Benchmarks\n")
    out.append(
        "Produced by `benches/e2e.sh` (see its header for options). Each extract is made by "
        f"`dancu gen --rows N --seed {seed} --profile P`; each tool runs on it several times, the runs of "
        "the tools interleaved, and the median wall time and the median peak resident memory "
        "(`/usr/bin/time`) are shown. Accuracy is scored by `dancu eval` against the generator's "
        "truth, for every tool alike. `baseline` is another dancu build given with `--baseline`. "
        "The Splink setup is `benches/splink_baseline.py` (Splink 5.0.0, DuckDB; u on ten million "
        "random pairs, m by EM on each blocking rule).\n"
    )
    out.append(f"Machine: {machine()}. The machine is shared: compare ratios measured in the same run, not absolute times across runs.\n")
    for profile in profiles:
        out.append(f"## {PROFILES.get(profile, profile).split(' (')[0].capitalize()}\n")
        out.append(f"Extracts of {PROFILES.get(profile, profile)}.\n")
        sizes = sorted({rows for _, p, rows in timings if p == profile})
        for rows in sizes:
            out.append(f"### {rows:,} rows\n")
            out.append("| tool | runs | median wall (s) | peak RSS (MB) | rows/s | precision | recall | F1 | siblings merged | twins merged | father/son merged | namesakes merged |")
            out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            medians = {}
            for tool in TOOLS:
                runs = timings.get((tool, profile, rows))
                if not runs:
                    continue
                wall = statistics.median(r["wall_s"] for r in runs)
                rss = statistics.median(r["peak_rss_kb"] for r in runs) / 1024
                medians[tool] = wall
                e = evaluations.get((tool, profile, rows), {})
                link = e.get("linkage", {})
                hard = e.get("hard_negatives", {})
                out.append(
                    f"| {tool} | {len(runs)} | {wall:.2f} | {rss:.0f} | {rows / wall:,.0f} | "
                    f"{link.get('precision', 0):.4f} | {link.get('recall', 0):.4f} | {link.get('f1', 0):.4f} | "
                    f"{merged(hard, 'siblings')} | {merged(hard, 'twins')} | {merged(hard, 'father_son')} | {merged(hard, 'namesake')} |"
                )
            out.append("")
            if "dancu" in medians and "splink" in medians:
                out.append(f"Splink's median time is {medians['splink'] / medians['dancu']:.1f}× dancu's on this extract.\n")
            if "dancu" in medians and "baseline" in medians:
                out.append(f"dancu's median time is {medians['dancu'] / medians['baseline']:.3f}× the baseline build's.\n")
                now = evaluations.get(("dancu", profile, rows), {}).get("timings", {})
                before = evaluations.get(("baseline", profile, rows), {}).get("timings", {})
                common = [s for s in now if s in before and before[s] >= 10]
                if common:
                    detail = ", ".join(f"{s} {now[s] / before[s]:.2f}×" for s in common)
                    out.append(f"Stage by stage, last run against the baseline's last run: {detail}.\n")
            out.extend(dancu_details(evaluations.get(("dancu", profile, rows), {})))
    out.extend(profile_section())
    out.extend(nights_section(os.path.join(os.path.dirname(path), "nights.jsonl")))
    target = os.environ.get("CARGO_TARGET_DIR", "target")
    out.extend(criterion_table(target))
    out.extend(fuzz_section())
    print("\n".join(out))


if __name__ == "__main__":
    main()
