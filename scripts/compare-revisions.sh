#!/usr/bin/env bash
# This tree against another revision, side by side on one machine in one
# run, so that a change can show it costs nothing: `crf-stress` lines per
# second at 1, 4, 16 and 64 processes, both builds run in turn at each
# scale and mode of each round (the machines are noisy), and criterion's
# medians of one record and of opening a log, both builds benched in turn
# each round. Medians over the rounds, with this tree's ratio to the
# other's (above 1: this tree is faster; for times, below 1).
#
#   scripts/compare-revisions.sh REV [rounds] [lines in all]
#
# The other revision is unpacked and built under target/rev-<hash>.
# Needs cargo, git, python3 and GNU time (/usr/bin/time); about 20 minutes on 2 cores with the
# defaults (3 rounds, 2,000,000 lines).
set -euo pipefail
cd "$(dirname "$0")/.."
rev=$(git rev-parse --short "${1:?the revision to compare with}")
rounds=${2:-3}
total=${3:-2000000}
other=target/rev-$rev
if [ ! -d "$other" ]; then
    mkdir -p "$other"
    git archive "$rev" | tar -x -C "$other"
fi
cargo build --release --quiet --bin crf-stress
(cd "$other" && cargo build --release --quiet --bin crf-stress)
benches='^one_line_120B/rotating_file|^tracing_event/rotating_file|^rotation_lock_hold/numbered_backups_10$'
out=$(mktemp)
trap 'rm -f "$out" "$out.cpu"' EXIT
# One criterion bench run in tree `$1`, its medians appended as
# `bench <tree> <group/function> <ns>`.
bench() {
    local tree=$1 dir=$2
    (cd "$dir" && cargo bench --quiet --bench per_record -- "$benches" >/dev/null 2>&1 &&
        cargo bench --quiet --bench open -- '^open_write_one_line_close/rotating_file' >/dev/null 2>&1)
    python3 - "$dir/target/criterion" "$tree" "$benches|^open_write_one_line_close/rotating_file" >>"$out" <<'PY'
import json, pathlib, re, sys
root, tree, wanted = pathlib.Path(sys.argv[1]), sys.argv[2], re.compile(sys.argv[3])
for est in sorted(root.glob("*/*/new/estimates.json")):
    name = f"{est.parts[-4]}/{est.parts[-3]}"
    if wanted.search(name):
        print(f"bench {tree} {name} {json.loads(est.read_text())['median']['point_estimate']}")
PY
}
flags() {
    case $1 in
    *+gzip) echo "--mode ${1%+gzip} --max-bytes 1048576 --backups 10 --gzip" ;;
    *) echo "--mode $1 --max-bytes 1048576 --backups 10" ;;
    esac
}
for ((r = 1; r <= rounds; r++)); do
    for p in 1 4 16 64; do
        for m in sync non-blocking non-blocking+gzip; do
            for tree in other this; do
                bin=target/release/crf-stress
                [ "$tree" = other ] && bin=$other/$bin
                # The processor time of the whole run beside its rate:
                # robust to other load on the machine, which the rate is not.
                # shellcheck disable=SC2046
                report=$(/usr/bin/time -f '%U %S' -o "$out.cpu" \
                    "$bin" -p "$p" -n $((total / p)) --line-size 120 $(flags "$m") --json)
                echo "stress $tree $m $p $(tr '\n' ' ' <"$out.cpu")$report" >>"$out"
            done
        done
    done
    bench other "$other"
    bench this .
done
python3 - "$out" "$rev" "$rounds" "$total" <<'PY'
import json, statistics, sys
path, rev, rounds, total = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
stress, bench = {}, {}
for line in open(path):
    kind, tree, rest = line.split(" ", 2)
    if kind == "stress":
        mode, procs, user, system, report = rest.split(" ", 4)
        report = json.loads(report)
        if not report["ok"]:
            sys.exit(f"{tree} {mode} at {procs} processes: {report['problems']}")
        runs = stress.setdefault((mode, int(procs)), {})
        runs.setdefault(tree, []).append(report["lines_per_second"])
        runs.setdefault(tree + " cpu", []).append((float(user) + float(system)) * 1e9 / total)
    else:
        name, ns = rest.split()
        bench.setdefault(name, {}).setdefault(tree, []).append(float(ns))
print(f"crf-stress, {total} lines of 120 bytes in all per run, rotating at 1 MiB keeping 10 "
      f"backups; medians of {rounds} rounds (lines/s), this tree against {rev}")
print("and the processor time of the whole run (writers, then verification) per line, in ns")
print(f"{'mode':<20}{'processes':>10}{rev:>14}{'this':>14}{'ratio':>8}   rounds' ratios"
      f"{'cpu ' + rev:>14}{'cpu this':>10}{'ratio':>8}")
for (mode, procs), runs in sorted(stress.items(), key=lambda kv: (kv[0][0], kv[0][1])):
    a, b = statistics.median(runs["other"]), statistics.median(runs["this"])
    ratios = ", ".join(f"{t / o:.2f}" for o, t in zip(runs["other"], runs["this"]))
    ca, cb = statistics.median(runs["other cpu"]), statistics.median(runs["this cpu"])
    print(f"{mode:<20}{procs:>10}{a:>14,.0f}{b:>14,.0f}{b / a:>7.2f}x   {ratios}"
          f"{ca:>14,.0f}{cb:>10,.0f}{cb / ca:>7.2f}x")
print()
print(f"criterion medians (ns), the median of {rounds} runs each, this tree against {rev}")
print(f"{'bench':<60}{rev:>12}{'this':>12}{'ratio':>8}")
for name, runs in sorted(bench.items()):
    if "other" not in runs or "this" not in runs:
        # A bench one of the two trees does not have.
        side = "this" if "this" in runs else "other"
        ns = f"{statistics.median(runs[side]):,.0f}"
        a, b = ("-", ns) if side == "this" else (ns, "-")
        print(f"{name:<60}{a:>12}{b:>12}{'-':>8}")
        continue
    a, b = statistics.median(runs["other"]), statistics.median(runs["this"])
    print(f"{name:<60}{a:>12,.0f}{b:>12,.0f}{b / a:>7.2f}x")
PY
