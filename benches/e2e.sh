#!/usr/bin/env bash
# End-to-end benchmark: generates extracts with known truth, runs `dancu clean`
# and the Splink baseline on each several times, scores both with
# `dancu eval`, and writes BENCHMARKS.md.
#
#   benches/e2e.sh                          # diverse and classic, 100k and 1M rows, 3 runs each
#   benches/e2e.sh --sizes "100000"         # other sizes (10000000 for 10M: dancu only)
#   benches/e2e.sh --profiles "diverse"     # one generator profile
#   benches/e2e.sh --runs 5 --no-splink
#   benches/e2e.sh --baseline /path/dancu   # also time another dancu build, interleaved
#   benches/e2e.sh --nights "100000:5"      # nights against a master (ROWS:NIGHTS[:FIRST[:cost]]; "" for none)
#   CRITERION=0 benches/e2e.sh              # skip the criterion benches
#
# Needs /usr/bin/time and python3 (the Splink virtualenv is created under
# the cache folder on first use, from PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."

sizes="100000 1000000"
profiles="diverse classic"
runs=3
splink=1
seed=20261127
baseline=""
# A 100k extract in five nights, a 10k night against a 1M master, and (time
# and memory only) a 50k night against a 5M master.
nights="100000:5 1010000:2:1000000 5050000:2:5000000:cost"
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --profiles) profiles="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --no-splink) splink=0; shift ;;
    --baseline) baseline="$2"; shift 2 ;;
    --nights) nights="$2"; shift 2 ;;
    *) echo "usage: benches/e2e.sh [--sizes \"N ...\"] [--profiles \"P ...\"] [--runs R] [--seed S] [--no-splink] [--baseline DANCU] [--nights \"ROWS:NIGHTS[:FIRST] ...\"]" >&2; exit 2 ;;
  esac
done

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/dancu-target}"
work="${BENCH_DIR:-/tmp/dancu-bench}"
venv="${SPLINK_VENV:-$HOME/.cache/dancu-splink-venv}"
mkdir -p "$work"
results="$work/results.jsonl"
: > "$results"

cargo build --release --quiet
dancu="$CARGO_TARGET_DIR/release/dancu"

if [ "$splink" = 1 ] && [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "splink==5.0.0"
fi

# Runs a command, appends {"tool", "profile", "rows", "run", "wall_s", "peak_rss_kb"}.
measure() {
  local tool="$1" profile="$2" rows="$3" run="$4"; shift 4
  # Pages the generator or the previous run left unwritten would be flushed
  # during this run: flush them first, so each run pays only for itself.
  # The extract is read into the page cache just before: this machine's
  # disk and its proactive reclaim made reading it vary from 1 to 14 s.
  sync
  cat "$data/extract.csv" > /dev/null
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" > "$work/last.log" 2>&1 || {
    echo "failed: $*" >&2; tail -20 "$work/last.log" >&2
    # An older build may fail on inputs the current one handles: that is a
    # finding about the baseline, not a reason to stop the benchmark.
    if [ "$tool" = baseline ]; then return 1; fi
    exit 1; }
  read -r wall rss < "$work/time.txt"
  printf '{"tool":"%s","profile":"%s","rows":%s,"run":%s,"wall_s":%s,"peak_rss_kb":%s}\n' \
    "$tool" "$profile" "$rows" "$run" "$wall" "$rss" >> "$results"
  echo "$tool $profile $rows run $run: ${wall}s, $((rss / 1024)) MB"
}

# Scores a run folder and appends the evaluation, with the manifest's
# blocking, counts and stage timings when it is a dancu run.
score() {
  local tool="$1" profile="$2" rows="$3" data="$4" run="$5"
  "$dancu" eval --truth "$data/truth" --run "$run" --json \
    | python3 -c 'import json,os,sys; d=json.load(sys.stdin); p=sys.argv[1]+"/manifest.json"
m=json.load(open(p)) if os.path.exists(p) else None
d.update(tool=sys.argv[2], profile=sys.argv[3], rows=int(sys.argv[4]))
if m: d.update(manifest={k: m[k] for k in ("blocking", "counts")}, timings=m["run"]["timings_ms"])
print(json.dumps(d))' "$run" "$tool" "$profile" "$rows" >> "$results"
}

for profile in $profiles; do
  for rows in $sizes; do
    data="$work/$profile-$rows"
    "$dancu" gen --rows "$rows" --seed "$seed" --profile "$profile" --out "$data" --quiet
    baseline_ok=1
    for run in $(seq 1 "$runs"); do
      measure dancu "$profile" "$rows" "$run" "$dancu" clean "$data/extract.csv" --out "$data/dancu" \
        --reference-date 2026-01-01 --quiet
      if [ -n "$baseline" ]; then
        if [ "$baseline_ok" = 1 ]; then
          measure baseline "$profile" "$rows" "$run" "$baseline" clean "$data/extract.csv" --out "$data/baseline" \
            --reference-date 2026-01-01 --quiet || baseline_ok=0
        fi
      fi
    done
    score dancu "$profile" "$rows" "$data" "$data/dancu"
    if [ -n "$baseline" ] && [ "$baseline_ok" = 1 ]; then score baseline "$profile" "$rows" "$data" "$data/baseline"; fi
    if [ "$splink" = 1 ] && [ "$rows" -le 1000000 ]; then
      for run in $(seq 1 "$runs"); do
        measure splink "$profile" "$rows" "$run" "$venv/bin/python" benches/splink_baseline.py "$data/extract.csv" "$data/splink"
      done
      score splink "$profile" "$rows" "$data" "$data/splink"
    fi
  done
done

: > "$work/nights.jsonl"
for spec in $nights; do
  IFS=: read -r rows count first cost <<< "$spec"
  sync
  python3 benches/nights.py --dancu "$dancu" --rows "$rows" --nights "$count" ${first:+--first "$first"} \
    ${cost:+--cost-only} --seed "$seed" --work "$work/nights" --json "$work/nights.jsonl" > "$work/nights.log"
  echo "nights $spec: $(tail -1 "$work/nights.jsonl" | python3 -c 'import json,sys; r=json.load(sys.stdin); n=r["nightly"]; print("full", r["full"]["wall_s"], "s, last night", n["runs"][-1]["wall_s"], "s, F1", r["full"].get("f1"), "->", n.get("f1"))')"
done

if [ "${CRITERION:-1}" = 1 ]; then
  cargo bench --quiet --bench throughput > "$work/criterion.log" 2>&1
fi
python3 benches/render_benchmarks.py "$results" "$seed" > BENCHMARKS.md
echo "wrote BENCHMARKS.md"
