#!/usr/bin/env bash
# Fuzzes dancu's parsers and normalisers with libFuzzer (cargo fuzz), each
# target for MINUTES, seeded from fixtures/ (fuzz/seed.py), and prints each
# target's executions. A crash leaves its input in fuzz/artifacts/TARGET/;
# turn it into a case in fixtures/cases/ and fix the class it belongs to.
#
#   fuzz/run.sh 10                 # every target, 10 minutes each
#   fuzz/run.sh 5 name address     # the targets named
#   JOBS=2 fuzz/run.sh 30 record   # two fuzzing processes for the target
#
# Each target's line is also written to fuzz/figures.tsv (target, executions,
# seconds, date, commit), which benches/render_benchmarks.py puts into
# BENCHMARKS.md; commit it after a long run.
#
# Leak detection is off: the thread-local destructors glibc registers for
# the reader's threads look like leaks to it. cargo fuzz needs the nightly
# compiler's sanitizer flags; RUSTC_BOOTSTRAP
# lets the stable toolchain take them.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-1}"
shift || true
targets="${*:-csv_reader header xlsx_reader name address date id phone record decisions}"
command -v cargo-fuzz > /dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
python3 fuzz/seed.py
mkdir -p fuzz/logs
figures=fuzz/figures.tsv
[ -f "$figures" ] || printf 'target\texecutions\tseconds\tdate\tcommit\n' > "$figures"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
for target in $targets; do
  cargo fuzz run "$target" -j "${JOBS:-1}" -- -max_total_time=$((minutes * 60)) -rss_limit_mb=4096 -timeout=20 -detect_leaks=0 \
    > "fuzz/logs/$target.log" 2>&1 || { echo "$target: crashed, see fuzz/logs/$target.log and fuzz/artifacts/$target/"; continue; }
  runs=$(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "fuzz/logs/$target.log" | tail -1)
  echo "$target: ${runs:-no summary, see fuzz/logs/$target.log}"
  if [[ "$runs" =~ Done\ ([0-9]+)\ runs\ in\ ([0-9]+) ]]; then
    grep -v "^$target	" "$figures" > "$figures.new" || true
    printf '%s\t%s\t%s\t%s\t%s\n' "$target" "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "$(date -u +%F)" "$commit" >> "$figures.new"
    mv "$figures.new" "$figures"
  fi
done
