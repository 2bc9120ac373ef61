"""One process: the dictConfig swap, a record of several lines, errors
through ``Handler.handleError``, ``logging.shutdown()`` at exit, the GIL
released while a write waits, the record filter, the routing handler, and
the arguments refused rather than honoured badly."""

import gzip
import logging
import logging.config
import os
import subprocess
import sys
import textwrap

import pytest

from conftest import need

import concurrent_rotating_file
from concurrent_rotating_file import (
    ConcurrentRotatingFileHandler,
    ConcurrentRoutingFileHandler,
    ConcurrentTimedRotatingFileHandler,
)

SEED_FORMAT = "%(asctime)s - %(name)s - %(levelname)s - %(message)s"


def django_logging(handler_class, logs):
    """A Django ``LOGGING`` dict as the seed writes it, for ``handler_class``."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"seed": {"format": SEED_FORMAT}},
        "handlers": {
            "file": {
                "class": handler_class,
                "filename": str(logs / "app.log"),
                "maxBytes": 1024 * 1024,
                "backupCount": 10,
                "use_gzip": True,
                "encoding": "utf-8",
                "formatter": "seed",
            },
            "timed": {
                "class": handler_class.replace("ConcurrentRotating", "ConcurrentTimedRotating"),
                "filename": str(logs / "daily.log"),
                "when": "midnight",
                "backupCount": 7,
                "formatter": "seed",
            },
        },
        "loggers": {"web": {"handlers": ["file", "timed"], "level": "INFO"}},
    }


def _isolated_logging():
    logging.getLogger("web").handlers[:] = []


@pytest.fixture
def clean_logging():
    yield
    for h in logging.getLogger("web").handlers:
        h.close()
    _isolated_logging()


def test_a_dictconfig_for_concurrent_log_handler_works_with_only_its_class_changed(tmp_path, clean_logging):
    need("concurrent_log_handler")
    theirs, ours = tmp_path / "theirs", tmp_path / "ours"
    theirs.mkdir(), ours.mkdir()
    logging.config.dictConfig(django_logging("concurrent_log_handler.ConcurrentRotatingFileHandler", theirs))
    logging.getLogger("web").info("served by theirs")
    for h in logging.getLogger("web").handlers:
        h.close()
    _isolated_logging()
    logging.config.dictConfig(django_logging("concurrent_rotating_file.ConcurrentRotatingFileHandler", ours))
    handlers = logging.getLogger("web").handlers
    assert [type(h) for h in handlers] == [ConcurrentRotatingFileHandler, ConcurrentTimedRotatingFileHandler]
    logging.getLogger("web").info("served by ours")
    for name in ("app.log", "daily.log"):
        line = (ours / name).read_text()
        assert line.endswith(" - web - INFO - served by ours\n"), line
        # The same lock file as theirs: a rolling upgrade shares one log.
        lock = "." + "__" + name[: -len(".log")] + ".lock"
        assert (theirs / lock).exists() and (ours / lock).exists()


def test_every_argument_of_concurrent_log_handler_is_accepted_by_name_with_its_default(tmp_path):
    import inspect

    clh = need("concurrent_log_handler")
    for ours, theirs in [
        (ConcurrentRotatingFileHandler, clh.ConcurrentRotatingFileHandler),
        (ConcurrentTimedRotatingFileHandler, clh.ConcurrentTimedRotatingFileHandler),
    ]:
        mine = inspect.signature(ours).parameters
        for name, param in inspect.signature(theirs).parameters.items():
            if param.kind is param.VAR_KEYWORD:
                continue
            assert name in mine, f"{ours.__name__} lacks {name}"
            assert mine[name].default == param.default, f"{ours.__name__}.{name}: {mine[name].default!r}"
            assert mine[name].kind == param.kind, f"{ours.__name__}.{name} is {mine[name].kind}"
        ordered = [n for n, p in inspect.signature(theirs).parameters.items() if p.kind is p.POSITIONAL_OR_KEYWORD]
        assert [n for n, p in mine.items() if p.kind is p.POSITIONAL_OR_KEYWORD] == ordered


def test_a_record_of_several_lines_stays_one_record(tmp_path):
    path = tmp_path / "app.log"
    handler = ConcurrentRotatingFileHandler(str(path), maxBytes=200, backupCount=3)
    log = logging.getLogger("several_lines")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("first")
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("it failed")
    finally:
        handler.close()
    # The traceback did not fit beside `first`: whole in the next file.
    assert (tmp_path / "app.log.1").read_text() == "first\n"
    text = path.read_text()
    assert text.startswith("it failed\nTraceback (most recent call last):\n") and text.endswith("ValueError: boom\n")


def run_python(code, timeout=120):
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=timeout
    )
    return result


def test_a_failed_write_goes_through_handle_error_naming_the_file(tmp_path):
    # A real fault: the file size limit (EFBIG), in a process of its own.
    result = run_python(
        f"""
        import logging, resource, signal
        from concurrent_rotating_file import ConcurrentRotatingFileHandler
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        h = ConcurrentRotatingFileHandler({str(tmp_path / "app.log")!r})
        log = logging.getLogger("x"); log.addHandler(h)
        log.warning("fits")
        resource.setrlimit(resource.RLIMIT_FSIZE, (10, 10))
        log.warning("does not fit")
        print("carried on")
        """
    )
    assert result.returncode == 0, result.stderr
    assert "--- Logging error ---" in result.stderr, result.stderr
    assert "File too large" in result.stderr and "app.log" in result.stderr, result.stderr
    assert result.stdout == "carried on\n"


def test_logging_shutdown_at_exit_writes_the_queue_and_gzips_every_backup(tmp_path):
    result = run_python(
        f"""
        import logging
        from concurrent_rotating_file import ConcurrentRotatingFileHandler
        h = ConcurrentRotatingFileHandler({str(tmp_path / "app.log")!r}, maxBytes=4096, backupCount=100,
                                          use_gzip=True, background=True)
        log = logging.getLogger("x"); log.addHandler(h); log.setLevel(logging.INFO)
        for i in range(5000):
            log.info("record %05d %s", i, "x" * 40)
        # No close, no flush: the exit's logging.shutdown() does it.
        """
    )
    assert result.returncode == 0, result.stderr
    names = sorted(os.listdir(tmp_path))
    backups = [n for n in names if n.startswith("app.log.")]
    assert backups and all(n.endswith(".gz") for n in backups), names
    text = b"".join(gzip.open(tmp_path / f"app.log.{n}.gz").read() for n in range(len(backups), 0, -1))
    text += (tmp_path / "app.log").read_bytes()
    lines = text.decode().splitlines()
    assert lines == [f"record {i:05d} {'x' * 40}" for i in range(5000)]
    assert not os.listdir(tmp_path / ".concurrent-rotating-file") or all(
        not n.endswith(".tmp") for n in os.listdir(tmp_path / ".concurrent-rotating-file")
    )


def test_the_gil_is_released_while_a_write_waits_for_the_lock(tmp_path):
    # The lock held here, a thread's record waits for it in the engine; were
    # the GIL held meanwhile, this thread could not run to release it, and
    # the process would hang (the timeout fails the test).
    result = run_python(
        f"""
        import fcntl, logging, threading, time
        from concurrent_rotating_file import ConcurrentRotatingFileHandler
        path = {str(tmp_path / "app.log")!r}
        h = ConcurrentRotatingFileHandler(path)
        log = logging.getLogger("x"); log.addHandler(h)
        lock = open({str(tmp_path / ".__app.lock")!r}, "r+")
        fcntl.flock(lock, fcntl.LOCK_EX)
        t = threading.Thread(target=log.warning, args=("waited",))
        t.start()
        time.sleep(0.5)
        ran = 0
        while ran < 1000:
            ran += 1
        assert t.is_alive(), "the record did not wait for the lock"
        fcntl.flock(lock, fcntl.LOCK_UN)
        t.join()
        print(open(path).read(), end="")
        """,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "waited\n"


def test_the_record_filter_drops_and_counts(tmp_path):
    path = tmp_path / "app.log"
    handler = ConcurrentRotatingFileHandler(
        str(path), exclude=["HTTP Request:"], record_filter=lambda line: "healthz" not in line
    )
    log = logging.getLogger("filtered")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("HTTP Request: GET /")
        log.warning("GET /healthz")
        log.warning("kept")
    finally:
        handler.close()
    assert path.read_text() == "kept\n"
    assert handler.filtered == 2


def test_the_routing_handler_writes_each_logger_to_its_first_segments_file(tmp_path):
    handler = ConcurrentRoutingFileHandler(str(tmp_path), background=True)
    handler.setFormatter(logging.Formatter(SEED_FORMAT))
    try:
        for name in ("web.views", "web", "db.pool", "bad name.x"):
            log = logging.getLogger(name)
            log.addHandler(handler)
            log.propagate = False
            log.warning("from %s", name)
    finally:
        handler.close()
        for name in ("web.views", "web", "db.pool", "bad name.x"):
            logging.getLogger(name).handlers[:] = []
    assert [l.split(" - ", 1)[1] for l in (tmp_path / "web.log").read_text().splitlines()] == [
        "web.views - WARNING - from web.views",
        "web - WARNING - from web",
    ]
    assert (tmp_path / "db.log").read_text().endswith(" - db.pool - WARNING - from db.pool\n")
    assert (tmp_path / "other.log").read_text().endswith(" - bad name.x - WARNING - from bad name.x\n")
    assert handler.to_fallback == 1


@pytest.mark.parametrize(
    "make, says",
    [
        (lambda p: ConcurrentRotatingFileHandler(p, maxBytes=1024), "backupCount=0 with maxBytes=1024"),
        (lambda p: ConcurrentRotatingFileHandler(p, mode="w"), "mode='w'"),
        (lambda p: ConcurrentRotatingFileHandler(p, owner=("nobody", "nogroup")), "owner=('nobody', 'nogroup')"),
        (lambda p: ConcurrentTimedRotatingFileHandler(p, when="S"), "when='S'"),
        (lambda p: ConcurrentTimedRotatingFileHandler(p, interval=6), "interval=6"),
        (lambda p: ConcurrentRotatingFileHandler(p, compress_after=-1), "compress_after"),
        (lambda p: ConcurrentRotatingFileHandler(p, maxBytes=10, backupCount=1, restart_proof=True, compression_level=12), "level"),
    ],
)
def test_arguments_that_would_lose_data_or_cannot_be_honoured_are_refused_naming_them(tmp_path, make, says):
    with pytest.raises(ValueError, match=None) as raised:
        make(str(tmp_path / "app.log"))
    assert says in str(raised.value), str(raised.value)


def test_the_defaults_are_concurrent_log_handlers_never_rotate(tmp_path):
    handler = ConcurrentRotatingFileHandler(str(tmp_path / "app.log"))
    log = logging.getLogger("defaults")
    log.addHandler(handler)
    log.propagate = False
    try:
        for _ in range(2000):
            log.warning("x" * 1000)
    finally:
        handler.close()
    assert sorted(os.listdir(tmp_path)) == [".__app.lock", ".concurrent-rotating-file", "app.log"]
    assert handler.rotations == 0



def test_the_package_exports_its_handlers():
    assert concurrent_rotating_file.__all__ == [
        "ConcurrentRotatingFileHandler",
        "ConcurrentRoutingFileHandler",
        "ConcurrentTimedRotatingFileHandler",
    ]


def test_close_writes_the_queue_and_waits_for_the_compressions_before_it_returns(tmp_path):
    handler = ConcurrentRotatingFileHandler(
        str(tmp_path / "app.log"), maxBytes=4096, backupCount=100, use_gzip=True, background=True
    )
    log = logging.getLogger("closed")
    log.addHandler(handler)
    log.propagate = False
    log.setLevel(logging.INFO)
    for i in range(3000):
        log.info("record %05d %s", i, "x" * 40)
    handler.close()
    log.handlers[:] = []
    backups = sorted(n for n in os.listdir(tmp_path) if n.startswith("app.log."))
    assert backups and all(n.endswith(".gz") for n in backups), backups
    text = b"".join(gzip.open(tmp_path / f"app.log.{n}.gz").read() for n in range(len(backups), 0, -1))
    text += (tmp_path / "app.log").read_bytes()
    assert text.decode().splitlines() == [f"record {i:05d} {'x' * 40}" for i in range(3000)]
