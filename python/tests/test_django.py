"""A small Django project (``seedsite``) under gunicorn with 2 workers and
``--preload`` (the handler made in the master, before the fork), and a
worker process beside them, all logging through the routing handler in the
seed's format; every file is then read back: each line once, in its name's
file, whole, in order, no file over maxBytes, the chains unbroken."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from chain import chain, read
from conftest import need

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_BYTES = 8 * 1024
ORDERS = 300
JOBS = 2000
LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - (\S+) - INFO - (.*)$")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def records(path):
    """``(logger, message)`` of every line of the log at ``path``, oldest first."""
    found = []
    for file in chain(path):
        data = read(file)
        assert len(data) <= MAX_BYTES, f"{file}: {len(data)} bytes"
        for line in data.decode().splitlines():
            m = LINE.match(line)
            assert m, f"a torn or foreign line in {file}: {line!r}"
            found.append((m[1], m[2]))
    return found


def wait_for(port, server, deadline=60):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        assert server.poll() is None, server.stderr.read().decode()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not start listening")


def get(port, order):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/order/{order}", timeout=60) as r:
        assert r.status == 200
        return int(r.read())


def test_a_django_service_under_gunicorn_and_its_worker_log_every_line_once_to_its_names_file(tmp_path):
    need("django"), need("gunicorn")
    logs = tmp_path / "logs"
    env = dict(os.environ, SEED_LOG_DIR=str(logs), SEED_MAX_BYTES=str(MAX_BYTES),
               DJANGO_SETTINGS_MODULE="seedsite.settings", PYTHONPATH=HERE)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--preload", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--graceful-timeout", "30", "seedsite.wsgi:application"],
        cwd=HERE, env=env, stderr=subprocess.PIPE,
    )
    try:
        wait_for(port, server)
        worker = subprocess.Popen([sys.executable, "-m", "seedsite.worker", str(JOBS)], cwd=HERE, env=env)
        with ThreadPoolExecutor(8) as pool:
            pids = set(pool.map(lambda order: get(port, order), range(ORDERS)))
        assert worker.wait(timeout=300) == 0
    finally:
        server.send_signal(signal.SIGTERM)  # workers leave through sys.exit: logging.shutdown()
        _, err = server.communicate(timeout=120)
    assert server.returncode == 0, err.decode()
    assert len(pids) == 2, f"requests served by {pids}"

    web = records(str(logs / "web.log"))
    assert {name for name, _ in web} == {"web.views"}
    by_order = {}
    for _, message in web:
        order, step, pid = re.fullmatch(r"order (\d{6}) step (\d) pid (\d+)", message).groups()
        by_order.setdefault(int(order), []).append((int(step), int(pid)))
    assert sorted(by_order) == list(range(ORDERS)), "an order's lines are missing"
    for order, steps in by_order.items():
        assert [s for s, _ in steps] == list(range(5)), f"order {order}: steps {steps} (lost, doubled or reordered)"
        assert {p for _, p in steps} <= pids
    assert {p for steps in by_order.values() for _, p in steps} == pids, "both workers wrote"

    db = records(str(logs / "db.log"))
    assert sorted(int(m.split()[1]) for _, m in db) == list(range(ORDERS))

    billing = records(str(logs / "billing.log"))
    assert [m.split()[1] for _, m in billing] == [f"{job:06d}" for job in range(JOBS)]
    assert sum(f.startswith("billing.log.") for f in os.listdir(logs)) > 5, "the worker's log rotated"
    # Only the names used: no fallback file, no stray file.
    names = {f.split(".")[0] for f in os.listdir(logs) if not f.startswith(".")}
    assert names == {"web", "db", "billing"}, names
