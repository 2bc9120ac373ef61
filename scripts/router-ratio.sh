#!/usr/bin/env bash
# What routing adds per event: runs `cargo bench --bench router` (each
# comparison in interleaved rounds, the machines being noisy) and prints
# each bench's median over the rounds, and the median of the rounds'
# ratios to the single file.
#
#   scripts/router-ratio.sh
#
# Needs cargo and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --bench router >/dev/null
python3 - <<'PY'
import json, pathlib, re, statistics
root = pathlib.Path("target/criterion")
pairs = {
    "router_tracing_event": [
        ("router_one_name", "rotating_file"),
        ("router_eight_names", "eight_files_by_hand"),
        ("router_non_blocking_one_name", "rotating_file_non_blocking"),
    ],
    "router_log_record": [("router_one_name", "file_logger")],
}
for group, comparisons in pairs.items():
    medians = {}
    for est in sorted((root / group).glob("*_r*/new/estimates.json")):
        bench, round_ = re.fullmatch(r"(.*)_r(\d+)", est.parent.parent.name).groups()
        medians.setdefault(bench, {})[round_] = json.loads(est.read_text())["median"]["point_estimate"]
    print(group)
    for bench, rounds in medians.items():
        print(f"  {bench:32} {statistics.median(rounds.values()):8.0f} ns")
    for routed, single in comparisons:
        ratios = [medians[routed][r] / medians[single][r] for r in medians[single]]
        print(f"  {routed} / {single}: {statistics.median(ratios):.3f} "
              f"(rounds: {', '.join(f'{x:.3f}' for x in ratios)})")
PY
