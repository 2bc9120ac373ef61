#!/usr/bin/env bash
# Multi-process throughput of each writer next to the raw floor, measured in
# one run with the rounds interleaved (the machines are noisy), as medians.
#
#   scripts/compare-writers.sh [rounds] [processes] [lines per process]
#
# Needs cargo and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-7}
procs=${2:-4}
lines=${3:-200000}
cargo build --release --quiet --bin crf-stress
bin=target/release/crf-stress
declare -A modes=(
    [raw-flock]="--mode raw-flock --max-bytes 0"
    [sync]="--mode sync --max-bytes 1048576 --backups 10"
    [tracing]="--mode tracing --max-bytes 1048576 --backups 10"
)
order=(raw-flock sync tracing)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for ((r = 1; r <= rounds; r++)); do
    for m in "${order[@]}"; do
        # shellcheck disable=SC2086
        "$bin" -p "$procs" -n "$lines" --line-size 120 ${modes[$m]} --json | sed "s/^/$m /" >>"$out"
    done
done
python3 - "$out" "$procs" "$lines" <<'PY'
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    mode, report = line.split(" ", 1)
    report = json.loads(report)
    if not report["ok"]:
        sys.exit(f"{mode}: invariants broken: {report['problems']}")
    runs.setdefault(mode, []).append(report["lines_per_second"])
base = statistics.median(runs["raw-flock"])
print(f"{sys.argv[2]} processes x {sys.argv[3]} lines of 120 bytes, {len(runs['raw-flock'])} interleaved rounds, medians")
print(f"{'writer':<12} {'lines/s':>10} {'vs raw flock loop':>18}")
for mode, values in runs.items():
    median = statistics.median(values)
    print(f"{mode:<12} {median:>10.0f} {median / base:>17.2f}x")
PY
