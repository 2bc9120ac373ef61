#!/usr/bin/env bash
# What a record filter costs a record: runs `cargo bench --bench filter`
# (interleaved rounds of no filter, a filter keeping everything, and the
# noise filter) and prints each bench's median over the rounds and the
# median of the rounds' ratios to no filter.
#
#   scripts/filter-cost.sh
#
# Needs cargo and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo bench --bench filter >"$log" 2>&1 || { cat "$log"; exit 1; }
python3 - <<'PY'
import json, pathlib, re, statistics
medians = {}
for est in sorted(pathlib.Path("target/criterion/filter").glob("*_r*/new/estimates.json")):
    bench, round_ = re.fullmatch(r"(.*)_r(\d+)", est.parent.parent.name).groups()
    medians.setdefault(bench, {})[round_] = json.loads(est.read_text())["median"]["point_estimate"]
for bench, rounds in sorted(medians.items()):
    print(f"{bench:24} {statistics.median(rounds.values()):8.0f} ns")
for call in ("write_120B", "event"):
    none = medians[f"{call}_none"]
    for filtered in ("keep_all", "no_match"):
        ratios = [medians[f"{call}_{filtered}"][r] / none[r] for r in none]
        print(f"{call}: {filtered} / none {statistics.median(ratios):.3f}x "
              f"(rounds: {', '.join(f'{x:.3f}' for x in ratios)})")
PY
