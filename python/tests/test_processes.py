"""Many processes on one log, checked line by line: nothing lost, duplicated
or torn, no file over maxBytes, the chain unbroken; and a mixed fleet, this
package's processes beside concurrent-log-handler's on the same file, as
during a rolling upgrade."""

import os
import subprocess
import sys
import time

import pytest

from chain import verify
from conftest import need
from writer import MESSAGE_BYTES

HERE = os.path.dirname(os.path.abspath(__file__))
# A record: the seed's format around a 120-byte message, and its newline.
RECORD_BYTES = len("2026-12-06 13:45:01,123 - writer.0 - INFO - ") + MESSAGE_BYTES + 1
MAX_BYTES = 16 * 1024
BACKUPS = 300  # nothing pruned: every record can be looked for


def writer_process(path, kind, i, lines, gzip):
    return subprocess.Popen(
        [sys.executable, os.path.join(HERE, "writer.py"), kind, path, str(i), str(lines),
         str(MAX_BYTES), str(BACKUPS)] + (["gzip"] if gzip else []),
        stderr=subprocess.PIPE,
    )


def run_writers(path, kinds, lines, gzip=False, first=()):
    """Runs one writer process of each kind; those of the kinds in ``first``
    start first, and the others once the log holds a record."""
    procs = [writer_process(path, k, i, lines, gzip) for i, k in enumerate(kinds) if k in first]
    if procs:
        deadline = time.monotonic() + 60
        while not (os.path.exists(path) and os.path.getsize(path) > 0):
            assert time.monotonic() < deadline, "the first writers wrote nothing"
            time.sleep(0.01)
    procs += [writer_process(path, k, i, lines, gzip) for i, k in enumerate(kinds) if k not in first]
    for p in procs:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err.decode()
        assert b"Logging error" not in err, err.decode()


@pytest.mark.parametrize("kind", ["sync", "background"])
@pytest.mark.parametrize("gzip", [False, True], ids=["plain", "gzip"])
def test_processes_lose_double_and_tear_nothing_and_never_pass_max_bytes(tmp_path, kind, gzip):
    path = str(tmp_path / "app.log")
    run_writers(path, [kind] * 4, 3000, gzip=gzip)
    files = verify(path, writers=4, lines=3000, size_bound=MAX_BYTES)
    assert files > 20, "the run rotated"
    if gzip:
        # Every process waited for its compressions at exit.
        assert all(f.endswith(".gz") for f in os.listdir(tmp_path) if f.startswith("app.log.")), os.listdir(tmp_path)


@pytest.mark.parametrize("gzip", [False, True], ids=["plain", "gzip"])
def test_a_mixed_fleet_with_concurrent_log_handler_shares_one_file(tmp_path, gzip):
    need("concurrent_log_handler")
    path = str(tmp_path / "app.log")
    # Its processes write first: the engine's must notice their appends at
    # once, not within a path check interval, or pass maxBytes meanwhile.
    run_writers(path, ["sync", "clh", "background", "clh"], 2000, gzip=gzip, first=("clh",))
    # concurrent-log-handler rotates once a file reaches maxBytes, after
    # its record went in: its files may pass maxBytes by one record.
    files = verify(path, writers=4, lines=2000, size_bound=MAX_BYTES + RECORD_BYTES)
    assert files > 20, "the run rotated"
    # One lock: concurrent-log-handler's, beside the log.
    assert os.path.exists(tmp_path / ".__app.lock")
