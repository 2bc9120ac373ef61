#!/usr/bin/env bash
# The writers against the raw loops at 1, 4, 16 and 64 processes: lines per
# second of `crf-stress` runs, the modes and scales interleaved round by
# round (the machines are noisy), as medians, with each writer's ratio to
# its floor: `sync` to the flock loop, `non-blocking` to the 64 KiB batched
# loop, and gzip on to gzip off (also as the writers saw it: until every
# line is in the files, before the wait for the last compressions at exit).
#
#   scripts/scale-table.sh [rounds] [lines in all] [modes...]
#
# The lines are shared out among the processes, so that every run writes as
# much. Default modes: raw-flock sync raw-batched non-blocking
# non-blocking+gzip. Needs cargo and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
total=${2:-2000000}
shift $(($# < 2 ? $# : 2))
modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=(raw-flock sync raw-batched non-blocking non-blocking+gzip)
scales=(1 4 16 64)
cargo build --release --quiet --bin crf-stress
bin=target/release/crf-stress
rotation="--max-bytes 1048576 --backups 10"
flags() {
    case $1 in
    raw-*) echo "--mode $1 --max-bytes 0" ;;
    *+gzip) echo "--mode ${1%+gzip} $rotation --gzip" ;;
    *) echo "--mode $1 $rotation" ;;
    esac
}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for ((r = 1; r <= rounds; r++)); do
    for p in "${scales[@]}"; do
        for m in "${modes[@]}"; do
            # shellcheck disable=SC2046
            "$bin" -p "$p" -n $((total / p)) --line-size 120 $(flags "$m") --json |
                sed "s/^/$m $p /" >>"$out"
        done
    done
done
python3 - "$out" "$total" "$rounds" "${modes[@]}" <<'PY'
import json, statistics, sys
path, total, rounds, modes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
runs, p99s, in_files = {}, {}, {}
for line in open(path):
    mode, procs, report = line.split(" ", 2)
    report = json.loads(report)
    if not report["ok"]:
        sys.exit(f"{mode} at {procs} processes: invariants broken: {report['problems']}")
    runs.setdefault((mode, int(procs)), []).append(report["lines_per_second"])
    in_files.setdefault((mode, int(procs)), []).append(report["writers_lines_per_second"])
    p99s.setdefault((mode, int(procs)), []).append(report["write_p99_ns"])
scales = sorted({p for _, p in runs})
floors = {"sync": "raw-flock", "non-blocking": "raw-batched", "tracing": "raw-flock",
          "tracing-non-blocking": "raw-batched"}
print(f"{total} lines of 120 bytes in all per run, {rounds} interleaved rounds, medians; "
      "the library's writers rotate at 1 MiB keeping 10 backups, the raw loops never rotate")
print(f"{'writer':<24}" + "".join(f"{f'{p} proc lines/s':>18}" for p in scales))
median = {key: statistics.median(values) for key, values in runs.items()}
for mode in modes:
    print(f"{mode:<24}" + "".join(f"{median[(mode, p)]:>18,.0f}" for p in scales))
print()
print(f"{'ratio':<32}" + "".join(f"{f'{p} proc':>10}" for p in scales) + "   rounds' spread")
for mode in modes:
    base = mode.split("+")[0]
    floor = base if "+" in mode else floors.get(mode)
    if floor is None or floor not in modes:
        continue
    cells, spread = [], []
    for p in scales:
        ratios = [a / b for a, b in zip(runs[(mode, p)], runs[(floor, p)])]
        cells.append(f"{median[(mode, p)] / median[(floor, p)]:>9.2f}x")
        spread.append(f"{min(ratios):.2f}-{max(ratios):.2f}")
    print(f"{mode + ' / ' + floor:<32}" + "".join(cells) + "   " + ", ".join(spread))
    if "+" in mode:
        # The writers' own rate: until every line is in the files, before
        # the wait for the last compressions at exit.
        cells, spread = [], []
        for p in scales:
            ratios = [a / b for a, b in zip(in_files[(mode, p)], in_files[(floor, p)])]
            mine, theirs = statistics.median(in_files[(mode, p)]), statistics.median(in_files[(floor, p)])
            cells.append(f"{mine / theirs:>9.2f}x")
            spread.append(f"{min(ratios):.2f}-{max(ratios):.2f}")
        print(f"{'  the writers, lines in files':<32}" + "".join(cells) + "   " + ", ".join(spread))
print()
print("write p99, medians over the rounds, and each writer's to its floor's")
print(f"{'writer':<24}" + "".join(f"{f'{p} proc p99':>18}" for p in scales))
p99 = {key: statistics.median(values) for key, values in p99s.items()}
def human(ns):
    return f"{ns / 1000:.1f} us" if ns < 1_000_000 else f"{ns / 1e6:.1f} ms"
for mode in modes:
    base = mode.split("+")[0]
    floor = base if "+" in mode else floors.get(mode)
    cells = []
    for p in scales:
        cell = human(p99[(mode, p)])
        if floor in modes and floor != mode and p99[(floor, p)] > 0:
            cell += f" ({p99[(mode, p)] / p99[(floor, p)]:.1f}x)"
        cells.append(f"{cell:>18}")
    print(f"{mode:<24}" + "".join(cells))
PY
