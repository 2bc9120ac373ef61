#!/usr/bin/env bash
# What one log call costs the caller, against the peers: runs
# `cargo bench --bench call_cost` (each comparison in interleaved rounds,
# the machines being noisy) and prints each bench's median over the
# rounds, and the median of the rounds' ratios to each peer
# (tracing-appender for every call, file-rotate for the sync write).
#
#   scripts/call-cost.sh
#
# Needs cargo and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo bench --bench call_cost >"$log" 2>&1 || { cat "$log"; exit 1; }
python3 - <<'PY'
import json, pathlib, re, statistics
root = pathlib.Path("target/criterion")
for group in ("sync", "non_blocking"):
    medians = {}
    for est in sorted((root / group).glob("*_r*/new/estimates.json")):
        bench, round_ = re.fullmatch(r"(.*)_r(\d+)", est.parent.parent.name).groups()
        medians.setdefault(bench, {})[round_] = json.loads(est.read_text())["median"]["point_estimate"]
    print(group)
    for bench, rounds in sorted(medians.items()):
        print(f"  {bench:32} {statistics.median(rounds.values()):8.0f} ns")
    for call in ("write_120B", "event"):
        ours = medians[f"{call}_rotating_file"]
        for peer_name in ("tracing_appender", "file_rotate"):
            peer = medians.get(f"{call}_{peer_name}")
            if peer is None:
                continue
            ratios = [ours[r] / peer[r] for r in peer]
            print(f"  {call}: ours / {peer_name.replace('_', '-')} {statistics.median(ratios):.2f}x "
                  f"(rounds: {', '.join(f'{x:.2f}' for x in ratios)})")
PY
