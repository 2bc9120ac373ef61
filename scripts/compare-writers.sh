#!/usr/bin/env bash
# Multi-process throughput of each writer next to the raw floor, measured in
# one run with the rounds interleaved (the machines are noisy), as medians.
#
#   scripts/compare-writers.sh [rounds] [processes] [lines per process]
#
# Needs cargo and python3. With Python's handler installed for $CRF_PYTHON
# (default python3), it is measured too, on a tenth of the lines.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-7}
procs=${2:-4}
lines=${3:-200000}
cargo build --release --quiet --bin crf-stress
bin=target/release/crf-stress
rotation="--max-bytes 1048576 --backups 10"
declare -A modes=(
    [raw-flock]="--mode raw-flock --max-bytes 0"
    [raw-unlocked]="--mode raw-unlocked --max-bytes 0"
    [raw-batched]="--mode raw-batched --max-bytes 0"
    [sync]="--mode sync $rotation"
    [tracing]="--mode tracing $rotation"
    [sync+gzip]="--mode sync $rotation --gzip"
    [non-blocking]="--mode non-blocking $rotation"
    [non-blocking+gzip]="--mode non-blocking $rotation --gzip"
    [tracing-non-blocking]="--mode tracing-non-blocking $rotation"
)
order=(raw-flock raw-unlocked raw-batched sync sync+gzip tracing non-blocking non-blocking+gzip tracing-non-blocking)
python=${CRF_PYTHON:-python3}
if "$python" -c "import concurrent_log_handler" 2>/dev/null; then
    modes[python-handler]="--only-python --python-bin $python $rotation"
    order+=(python-handler)
else
    echo "Python's handler is not installed for $python: skipping it ($python -m pip install concurrent-log-handler)" >&2
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for ((r = 1; r <= rounds; r++)); do
    for m in "${order[@]}"; do
        # shellcheck disable=SC2086
        n=$lines
        [ "$m" = python-handler ] && n=$((lines / 10))
        "$bin" -p "$procs" -n "$n" --line-size 120 ${modes[$m]} --json | sed "s/^/$m /" >>"$out"
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
    runs.setdefault(mode, []).append((report["lines_per_second"], report["write_p50_ns"], report["write_p99_ns"], report["write_max_ns"]))
median = {mode: statistics.median(v[0] for v in values) for mode, values in runs.items()}
print(f"{sys.argv[2]} processes x {sys.argv[3]} lines of 120 bytes, {len(runs['raw-flock'])} interleaved rounds, medians")
print("library writers rotate at 1 MiB keeping 10 backups; raw loops never rotate")
header = ("writer", "lines/s", "/raw-flock", "/raw-unlocked", "/raw-batched", "call p50 ns", "call p99 ns", "worst call ms")
print("{:<22}{:>11}{:>12}{:>14}{:>13}{:>13}{:>13}{:>15}".format(*header))
for mode, values in runs.items():
    p50 = statistics.median(v[1] for v in values)
    p99 = statistics.median(v[2] for v in values)
    worst = max(v[3] for v in values) / 1e6
    ratios = [median[mode] / median[base] for base in ("raw-flock", "raw-unlocked", "raw-batched")]
    print(f"{mode:<22}{median[mode]:>11.0f}{ratios[0]:>11.2f}x{ratios[1]:>13.2f}x{ratios[2]:>12.2f}x{p50:>13.0f}{p99:>13.0f}{worst:>15.2f}")
if "python-handler" in median:
    base = median["python-handler"]
    print("against Python's handler: " + ", ".join(f"{m} {median[m] / base:.0f}x" for m in ("sync", "non-blocking", "non-blocking+gzip")))
PY
