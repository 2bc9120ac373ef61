#!/usr/bin/env bash
# The Python handlers side by side (see scripts/python-bench.py): builds and
# installs the package with concurrent-log-handler 0.9.31 into a virtual
# environment under target/, then runs ROUNDS rounds of RECORDS records.
#   scripts/python-bench.sh [ROUNDS] [RECORDS]
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/python-bench
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check ./python 'concurrent-log-handler==0.9.31'
exec "$venv/bin/python" scripts/python-bench.py "$@"
