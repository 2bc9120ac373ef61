#!/usr/bin/env bash
# Regenerates the shipping guide's table (docs/shipping.md, between its
# "measured" markers): every follower the guide configures, with the
# guide's configuration as written, on renamed and restart-proof files,
# with and without gzip, never restarted and restarted three times by
# SIGTERM and by SIGKILL, at about 14.6 rotations/s, with Python's
# ConcurrentRotatingFileHandler as the baseline
# (tools/tests/shipper_matrix.rs). About half an hour on 2 cores.
#
# Needs root for apt-get (rsyslog installed, syslog-ng unpacked beside it:
# scripts/followers.sh) and python3 with pip (Python's handler, in a
# virtual environment under target/). Exits non-zero if a case did not
# show what it must (the table is written all the same, for a look).
#
#   scripts/measure-shippers.sh                  # every case
#   CRF_MEASURE_ONLY=syslogng scripts/measure-shippers.sh   # some, table not rewritten
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin:/sbin"

followers="$(scripts/followers.sh)"
eval "$followers"
venv=target/ci-python
if [ ! -x "$venv/bin/python" ]; then
    mkdir -p target
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'concurrent-log-handler==0.9.31'
export CRF_PYTHON="$PWD/$venv/bin/python"

out=target/shipper-matrix.txt
status=0
cargo test --release -p concurrent-rotating-file-tools --features measure-shippers \
    --test shipper_matrix -- --nocapture 2>&1 | tee "$out" || status=$?
if [ -n "${CRF_MEASURE_ONLY:-}" ]; then
    exit "$status"
fi

versions="$(rsyslogd -v | head -n 1 | sed -e 's/ *compiled with:.*//' -e 's/  */ /g'); $("$CRF_SYSLOG_NG" --version | head -n 1); $(tail --version | head -n 1); concurrent-log-handler $("$CRF_PYTHON" -c 'import importlib.metadata as m; print(m.version("concurrent-log-handler"))'); Linux $(uname -r), $(nproc) cores"
{
    echo "<!-- measured by scripts/measure-shippers.sh: begin -->"
    echo
    echo "Measured $(date -u +%Y-%m-%d) with ${versions}."
    echo
    grep -E '^\| ' "$out"
    echo
    echo "<!-- measured by scripts/measure-shippers.sh: end -->"
} > target/shipper-table.md
python3 - docs/shipping.md target/shipper-table.md <<'PY'
import re, sys
guide, table = sys.argv[1], sys.argv[2]
text = open(guide).read()
new = open(table).read().rstrip("\n")
pattern = re.compile(
    r"<!-- measured by scripts/measure-shippers.sh: begin -->.*?"
    r"<!-- measured by scripts/measure-shippers.sh: end -->",
    re.S,
)
if not pattern.search(text):
    sys.exit(f"{guide} has no measured markers")
open(guide, "w").write(pattern.sub(lambda _: new, text, count=1))
PY
echo "docs/shipping.md: table rewritten from $out" >&2
exit "$status"
