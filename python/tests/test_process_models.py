"""Python's process models: a handler made before ``fork`` (gunicorn
``--preload``, ``multiprocessing`` with fork) works in every child, with a
background thread of the child's own; one made after (``spawn``) too; and a
forked ``multiprocessing`` child, which leaves through ``os._exit`` without
``logging.shutdown()``, still has its queue written and its backups gzipped."""

import logging
import multiprocessing
import os

import pytest

from chain import verify
from writer import SEED_FORMAT, message

from concurrent_rotating_file import ConcurrentRotatingFileHandler

MAX_BYTES = 16 * 1024
LINES = 1500


def _log_lines(writer):
    log = logging.getLogger(f"writer.{writer}")
    for seq in range(LINES):
        log.info(message(writer, seq))


def _spawned_child(path, writer, background):
    # Made after the start, in the child: as under `spawn`.
    _install(path, background)
    _log_lines(writer)


def _install(path, background, gzip=False):
    handler = ConcurrentRotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=300, use_gzip=gzip, background=background
    )
    handler.setFormatter(logging.Formatter(SEED_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    return handler


def _run(context, target, args_of):
    procs = [context.Process(target=target, args=args_of(i)) for i in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
        assert p.exitcode == 0, f"child exited with {p.exitcode}"


@pytest.mark.parametrize("background", [False, True], ids=["sync", "background"])
@pytest.mark.parametrize("gzip", [False, True], ids=["plain", "gzip"])
def test_a_handler_made_before_fork_works_in_every_child_that_leaves_through_os_exit(tmp_path, background, gzip):
    path = str(tmp_path / "app.log")
    handler = _install(path, background, gzip)
    try:
        # The children leave through os._exit: no logging.shutdown() there.
        _run(multiprocessing.get_context("fork"), _log_lines, lambda i: (i,))
    finally:
        handler.close()
        logging.getLogger().handlers[:] = []
    assert verify(path, writers=4, lines=LINES, size_bound=MAX_BYTES) > 10
    if gzip:
        names = os.listdir(tmp_path)
        assert not [n for n in names if n.startswith("app.log.") and not n.endswith(".gz")], names


@pytest.mark.parametrize("background", [False, True], ids=["sync", "background"])
def test_a_handler_made_after_spawn_works_in_every_child(tmp_path, background):
    path = str(tmp_path / "app.log")
    _run(multiprocessing.get_context("spawn"), _spawned_child, lambda i: (path, i, background))
    assert verify(path, writers=4, lines=LINES, size_bound=MAX_BYTES) > 10


def test_a_forked_child_gets_a_background_thread_of_its_own(tmp_path):
    path = str(tmp_path / "app.log")
    handler = _install(path, background=True)
    try:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            # Threads do not survive fork(): a thread here is the child's own
            # background writer, which its first record then goes through.
            threads = len(os.listdir("/proc/self/task"))
            logging.getLogger("child").info("queued in the child")
            handler.flush()
            with open(path, "rb") as f:
                seen = b"queued in the child" in f.read()
            os.write(write, b"1" if seen and threads >= 2 else b"0")
            os._exit(0)
        os.close(write)
        assert os.read(read, 1) == b"1", "the child had no thread of its own, or its record was not in the file after its flush"
        os.waitpid(pid, 0)
        logging.getLogger("parent").info("the parent's thread still runs")
        handler.flush()
        with open(path, "rb") as f:
            assert b"the parent's thread still runs" in f.read()
    finally:
        handler.close()
        logging.getLogger().handlers[:] = []
