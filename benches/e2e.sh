#!/usr/bin/env bash
# End-to-end benchmark: generates extracts with known truth, runs `dancu clean`
# and the Splink baseline on each several times, scores both with
# `dancu eval`, and writes BENCHMARKS.md.
#
#   benches/e2e.sh                     # 100k and 1M rows, 3 runs each
#   benches/e2e.sh --sizes "100000"    # other sizes (10000000 for 10M)
#   benches/e2e.sh --runs 5 --no-splink
#   CRITERION=0 benches/e2e.sh         # skip the criterion benches
#
# Needs /usr/bin/time and python3 (the Splink virtualenv is created under
# the cache folder on first use, from PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."

sizes="100000 1000000"
runs=3
splink=1
seed=20261127
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --no-splink) splink=0; shift ;;
    *) echo "usage: benches/e2e.sh [--sizes \"N ...\"] [--runs R] [--seed S] [--no-splink]" >&2; exit 2 ;;
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

# Runs a command, appends {"tool", "rows", "run", "wall_s", "peak_rss_kb"}.
measure() {
  local tool="$1" rows="$2" run="$3"; shift 3
  # Pages the generator or the previous run left unwritten would be flushed
  # during this run: flush them first, so each run pays only for itself.
  sync
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" > "$work/last.log" 2>&1 || {
    echo "failed: $*" >&2; tail -20 "$work/last.log" >&2; exit 1; }
  read -r wall rss < "$work/time.txt"
  printf '{"tool":"%s","rows":%s,"run":%s,"wall_s":%s,"peak_rss_kb":%s}\n' \
    "$tool" "$rows" "$run" "$wall" "$rss" >> "$results"
  echo "$tool $rows run $run: ${wall}s, $((rss / 1024)) MB"
}

for rows in $sizes; do
  data="$work/$rows"
  "$dancu" gen --rows "$rows" --seed "$seed" --out "$data" --quiet
  for run in $(seq 1 "$runs"); do
    measure dancu "$rows" "$run" "$dancu" clean "$data/extract.csv" --out "$data/dancu" \
      --reference-date 2026-01-01 --quiet
  done
  "$dancu" eval --truth "$data/truth" --run "$data/dancu" --json \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); m=json.load(open(sys.argv[1])); d.update(tool="dancu", rows='"$rows"', manifest={k: m[k] for k in ("blocking", "counts")}, timings=m["run"]["timings_ms"]); print(json.dumps(d))' "$data/dancu/manifest.json" >> "$results"
  if [ "$splink" = 1 ]; then
    for run in $(seq 1 "$runs"); do
      measure splink "$rows" "$run" "$venv/bin/python" benches/splink_baseline.py "$data/extract.csv" "$data/splink"
    done
    "$dancu" eval --truth "$data/truth" --run "$data/splink" --json \
      | python3 -c 'import json,sys; d=json.load(sys.stdin); d.update(tool="splink", rows='"$rows"'); print(json.dumps(d))' >> "$results"
  fi
done

if [ "${CRITERION:-1}" = 1 ]; then
  cargo bench --quiet --bench throughput > "$work/criterion.log" 2>&1
fi
python3 benches/render_benchmarks.py "$results" "$seed" > BENCHMARKS.md
echo "wrote BENCHMARKS.md"
