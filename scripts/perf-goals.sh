#!/usr/bin/env bash
# Every figure of the performance guide (docs/performance.md), from one run: one process per
# record and per rotation (`cargo bench --bench per_record`), opening a log
# (`cargo bench --bench open`), what a log call costs beside
# tracing-appender (`scripts/call-cost.sh`), the writers against the raw
# loops at 1, 4, 16 and 64 processes (`scripts/scale-table.sh`), and at 4
# processes beside Python's handler (`scripts/compare-writers.sh`, which
# finds the handler through `$CRF_PYTHON` or `python3`).
# Criterion's figures are medians; each comparison runs in the same run.
#
#   scripts/perf-goals.sh [scale rounds] [scale lines in all]
#
# Needs cargo and python3; takes about 20 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo bench --bench per_record -- 'one_line_120B|rotation_with_full_chain|rotation_lock_hold' >"$log" 2>&1 ||
    { cat "$log"; exit 1; }
cargo bench --bench open >"$log" 2>&1 || { cat "$log"; exit 1; }
python3 - <<'PY'
import json, pathlib
root = pathlib.Path("target/criterion")
def median(group, bench):
    est = root / group / bench / "new" / "estimates.json"
    return json.loads(est.read_text())["median"]["point_estimate"]
def human(ns):
    return f"{ns:.0f} ns" if ns < 1000 else f"{ns / 1000:.1f} us" if ns < 1e6 else f"{ns / 1e6:.2f} ms"
group = "one_line_120B"
ours = median(group, "rotating_file_write_all")
print("one process, a 120-byte line through io::Write (per_record)")
for bench in ("rotating_file_write_all", "raw_flock_write_unlock", "tracing_appender_never",
              "file_rotate", "log4rs_rolling_file"):
    cost = median(group, bench)
    print(f"  {bench:36} {human(cost):>10}   ours / this {ours / cost:.2f}x")
for group, title in (("rotation_lock_hold", "how long a rotation with a full chain holds the lock"),
                     ("rotation_with_full_chain", "what the write that rotates costs its caller")):
    print(f"{title} ({group})")
    namings = ("numbered_whole_shift", "numbered", "timed", "restart_proof") \
        if group == "rotation_lock_hold" else ("numbered", "timed", "restart_proof")
    for naming in namings:
        cells = [human(median(group, f"{naming}_backups_{n}")) for n in (10, 100, 1000)]
        print(f"  {naming:22} " + "  ".join(f"{n} backups {c:>9}" for n, c in zip((10, 100, 1000), cells)))
group = "open_write_one_line_close"
floor = median(group, "o_append_floor")
locked = median(group, "flock_floor")
print("open, write one line, close (open)")
for bench in ("o_append_floor", "flock_floor", "rotating_file_existing_10_backups",
              "rotating_file_fresh_directory"):
    cost = median(group, bench)
    print(f"  {bench:36} {human(cost):>10}   {cost / floor:.1f}x the floor, "
          f"{cost / locked:.1f}x the locked floor")
PY
echo
scripts/call-cost.sh
echo
scripts/scale-table.sh "${1:-3}" "${2:-1000000}"
echo
scripts/compare-writers.sh 3 4 300000
