"""Records formatted in Rust: byte for byte what ``logging.Formatter`` makes,
over a table of formats, records and time zones; Python's own formatting
wherever that path does not reach (another formatter, an exception, a
field the record lacks...), and a formatter changed between two records
followed at the second."""

import logging
import os
import sys
import time

import pytest

from concurrent_rotating_file import ConcurrentRotatingFileHandler, ConcurrentRoutingFileHandler

SEED_FORMAT = "%(asctime)s - %(name)s - %(levelname)s - %(message)s"

# Formats a service may give its formatter: every `%` conversion type,
# flags, widths and precisions, `%%`, and the record's every field.
FORMATS = [
    (SEED_FORMAT, None),
    ("%(message)s", None),
    ("%(levelname)-8s %(name)s:%(lineno)d %(funcName)s() %(message)s", None),
    ("%(asctime)s.%(msecs)03d %(process)d %(thread)d %(threadName)s %(processName)s %(message)s", "%Y-%m-%dT%H:%M:%S%z"),
    ("%(module)s %(filename)s %(pathname)s %(levelno)s %(levelno)5d %(levelno)-3i| %(message)s", None),
    ("%(created)f %(created).3f %(relativeCreated)d %(msecs)06.2f %(levelno)x %(levelno)#o %(levelno)+e", None),
    ("100%% %(name)r %(message)r %(args)s %(msg)s %(levelname).3s %(levelname)10s%%", None),
    ("[%(asctime)s] %(message)s", "%d/%m/%y %H:%M:%S"),
    ("%(asctime)s %(message)s", "%j %Y %%"),
    ("%(asctime)-30s|%(asctime)r|%(message)s", ""),
    ("no field at all, 100%%", None),
    ("%(user)s@%(ip)s %(count)d %(ratio).2f %(message)s", None),
]

# (msg, args, extra fields): messages with and without arguments, text
# beyond ASCII, several lines, fields of every type.
MESSAGES = [
    ("x" * 120, None, {}),
    ("hello %s, %d times, %.1f%%", ("wörld", 3, 99.5), {}),
    ("a %(key)s mapping", ({"key": "dict"},), {}),
    ("日本語のメッセージ — ünïcödé", None, {}),
    ("first line\nsecond line\n", None, {}),
    ("", None, {}),
    (12345, None, {}),
    ({"not": "a string"}, None, {}),
]
EXTRA = {"user": "bob", "ip": "10.0.0.1", "count": 7, "ratio": 2 / 3}

# Seconds since the epoch, and the milliseconds the record says: a round
# second, the last millisecond of one, a leap day, the days daylight
# saving starts and ends (in New York: the zones below include it).
TIMES = [
    (0.0, 0.0),
    (1_700_000_000.0, 0.0),
    (1_709_164_799.999, 999.0),
    (1_710_054_000.5, 500.0),
    (1_730_613_599.25, 250.0),
    (1_730_613_600.75, 750.9),
    (2_000_000_000.004, 4.0),
]

# POSIX TZ strings: no time zone database needed.
ZONES = ["UTC0", "IST-5:30", "NPT-5:45", "EST5EDT,M3.2.0,M11.1.0", "NST3:30NDT,M3.2.0,M11.1.0"]


def record(msg="x" * 120, args=None, created=1_700_000_000.0, msecs=0.0, name="web.views", level=logging.INFO, **fields):
    rec = logging.LogRecord(name, level, "/srv/app/web/views.py", 42, msg, args, None, func="index")
    rec.created, rec.msecs, rec.relativeCreated = created, msecs, 1234.5678
    rec.__dict__.update(fields)
    return rec


@pytest.fixture
def zone():
    """Sets the process's time zone (as ``time.tzset()`` does for Python),
    restoring it afterwards."""
    before = os.environ.get("TZ")

    def set_zone(tz):
        os.environ["TZ"] = tz
        time.tzset()

    yield set_zone
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def read(path):
    with open(path, "rb") as f:
        return f.read()


def python_line(formatter, rec, terminator="\n"):
    return (formatter.format(rec) + terminator).encode("utf-8")


@pytest.mark.parametrize("tz", ZONES)
def test_lines_formatted_in_rust_are_those_of_logging_formatter_byte_for_byte(tmp_path, zone, tz):
    zone(tz)
    path = tmp_path / "app.log"
    handler = ConcurrentRotatingFileHandler(path)
    expected = []
    for fmt, datefmt in FORMATS:
        formatter = logging.Formatter(fmt, datefmt, validate=False)
        for msg, args, _ in MESSAGES:
            for created, msecs in TIMES:
                ours = record(msg, args, created, msecs, **EXTRA)
                theirs = record(msg, args, created, msecs, **EXTRA)
                assert handler._native.emit(ours, formatter), f"not formatted in Rust: {fmt!r} {msg!r}"
                expected.append(python_line(formatter, theirs))
                # Formatter.format leaves these on the record; so does Rust.
                assert ours.message == theirs.message
                assert ours.__dict__.get("asctime") == theirs.__dict__.get("asctime")
    handler.close()
    lines = read(path).splitlines(keepends=True)
    want = b"".join(expected).splitlines(keepends=True)
    assert len(lines) == len(want)
    for got, line in zip(lines, want):
        assert got == line


def test_utc_converter_and_millisecond_formats_are_formatted_in_rust(tmp_path, zone):
    zone("EST5EDT,M3.2.0,M11.1.0")
    path = tmp_path / "app.log"
    handler = ConcurrentRotatingFileHandler(path)
    formatters = []
    utc = logging.Formatter(SEED_FORMAT)
    utc.converter = time.gmtime
    formatters.append(utc)
    dotted = logging.Formatter(SEED_FORMAT)
    dotted.default_msec_format = "%s.%03d"
    formatters.append(dotted)
    if sys.version_info >= (3, 10):  # before, formatTime raises without one
        bare = logging.Formatter(SEED_FORMAT)
        bare.default_msec_format = None
        formatters.append(bare)
    iso = logging.Formatter(SEED_FORMAT)
    iso.default_time_format = "%Y-%m-%dT%H:%M:%S"
    formatters.append(iso)
    expected = b""
    for formatter in formatters:
        for created, msecs in TIMES:
            assert handler._native.emit(record(created=created, msecs=msecs), formatter)
            expected += python_line(formatter, record(created=created, msecs=msecs))
    handler.close()
    assert read(path) == expected


class Subclass(logging.Formatter):
    pass


class OtherRecord(logging.LogRecord):
    def getMessage(self):
        return "their own message"


def instance_converter(formatter):
    formatter.converter = lambda secs: time.gmtime(secs + 3600)
    return formatter


def surrogate_record():
    return record("lone \udc80 surrogate")


def int_created():
    rec = record()
    rec.created = 1_700_000_000
    return rec


def exception_record():
    try:
        raise ValueError("boom")
    except ValueError:
        return record("failed", exc_info=sys.exc_info())


# What Rust leaves to Python: (what, formatter, record); Python's own
# formatting must then give the line.
FALLBACKS = [
    ("a subclass of Formatter", lambda: Subclass(SEED_FORMAT), record),
    ("`{` style", lambda: logging.Formatter("{asctime} {message}", style="{"), record),
    ("`$` style", lambda: logging.Formatter("$asctime $message", style="$"), record),
    ("an exception", lambda: logging.Formatter(SEED_FORMAT), exception_record),
    ("a stack", lambda: logging.Formatter(SEED_FORMAT), lambda: record(stack_info="Stack (most recent call last):\n  here")),
    ("a cached traceback", lambda: logging.Formatter(SEED_FORMAT), lambda: record(exc_text="Traceback: cached")),
    ("a datefmt in the locale's words", lambda: logging.Formatter(SEED_FORMAT, "%b %d %a %p"), record),
    ("a converter of the formatter's own", lambda: instance_converter(logging.Formatter(SEED_FORMAT)), record),
    ("a LogRecord subclass", lambda: logging.Formatter(SEED_FORMAT), lambda: OtherRecord("web", 20, "p", 1, "m", None, None)),
    ("a lone surrogate", lambda: logging.Formatter(SEED_FORMAT), surrogate_record),
    ("a year of three digits", lambda: logging.Formatter(SEED_FORMAT), lambda: record(created=-33_000_000_000.0)),
    ("created not a float", lambda: logging.Formatter(SEED_FORMAT), int_created),
]
if hasattr(logging.PercentStyle(""), "_defaults"):
    FALLBACKS.append(("defaults", lambda: logging.Formatter("%(user)s %(message)s", defaults={"user": "-"}), record))


@pytest.mark.parametrize("what,make_formatter,make_record", FALLBACKS, ids=[f[0] for f in FALLBACKS])
def test_python_formats_what_rust_does_not_cover(tmp_path, what, make_formatter, make_record):
    path = tmp_path / "app.log"
    handler = ConcurrentRotatingFileHandler(path)
    formatter = make_formatter()
    handler.setFormatter(formatter)
    assert not handler._native.emit(make_record(), formatter), f"{what}: formatted in Rust"
    # One record for the file and the expectation: two made apart may fall
    # on either side of a millisecond.
    rec = make_record()
    handler.handle(rec)
    handler.close()
    expected = formatter.format(rec) + "\n"
    assert read(path) == expected.encode("utf-8", "ignore"), what


@pytest.mark.parametrize(
    "fmt,error",
    [("%(user)s %(message)s", ValueError), ("%(message)*s", TypeError), ("%(message)s %", ValueError)],
    ids=["a field the record lacks", "a `*` width", "a `%` ending the format"],
)
def test_a_format_python_refuses_goes_through_handle_error_as_in_python(tmp_path, fmt, error):
    handler = ConcurrentRotatingFileHandler(tmp_path / "app.log")
    formatter = logging.Formatter(fmt, validate=False)
    handler.setFormatter(formatter)
    errors = []
    handler.handleError = errors.append
    with pytest.raises(error):
        formatter.format(record())
    assert not handler._native.emit(record(), formatter)
    handler.handle(record())
    handler.close()
    assert len(errors) == 1
    assert read(tmp_path / "app.log") == b""


def test_an_error_in_the_message_s_arguments_goes_through_handle_error(tmp_path):
    handler = ConcurrentRotatingFileHandler(tmp_path / "app.log")
    handler.setFormatter(logging.Formatter(SEED_FORMAT))
    errors = []
    handler.handleError = errors.append
    handler.handle(record("%d apples", ("not a number",)))
    handler.close()
    assert len(errors) == 1
    assert read(tmp_path / "app.log") == b""


@pytest.mark.parametrize(
    "what,kwargs",
    [
        ("another encoding", {"encoding": "latin-1"}),
        ("a record filter", {"record_filter": lambda line: True}),
    ],
)
def test_handlers_that_need_python_s_text_never_format_in_rust(tmp_path, what, kwargs):
    handler = ConcurrentRotatingFileHandler(tmp_path / "app.log", **kwargs)
    formatter = logging.Formatter(SEED_FORMAT)
    handler.setFormatter(formatter)
    assert not handler._native.emit(record("café"), formatter), what
    handler.handle(record("café"))
    handler.close()
    encoding = kwargs.get("encoding", "utf-8")
    assert read(tmp_path / "app.log") == python_line(formatter, record("café")).decode().encode(encoding)


def test_a_handler_subclass_with_its_own_format_is_obeyed(tmp_path):
    class Shouting(ConcurrentRotatingFileHandler):
        def format(self, record):
            return super().format(record).upper()

    handler = Shouting(tmp_path / "app.log")
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.handle(record("quiet"))
    handler.close()
    assert read(tmp_path / "app.log") == b"QUIET\n"


def test_terminator_and_newline_translation_as_in_python(tmp_path):
    handler = ConcurrentRotatingFileHandler(tmp_path / "app.log", newline="\r\n", terminator="\n--\n")
    formatter = logging.Formatter("%(message)s")
    assert handler._native.emit(record("two\nlines"), formatter)
    handler.close()
    assert read(tmp_path / "app.log") == b"two\r\nlines\r\n--\r\n"


def test_a_formatter_changed_between_records_is_followed_at_the_next(tmp_path, zone):
    zone("IST-5:30")
    path = tmp_path / "app.log"
    handler = ConcurrentRotatingFileHandler(path)
    formatter = logging.Formatter(SEED_FORMAT)
    handler.setFormatter(formatter)
    expected = []

    def log(covered):
        assert handler._native.emit(record(), handler.formatter) is covered
        if not covered:
            handler.handle(record())
        expected.append(python_line(handler.formatter, record()))

    log(True)
    formatter.datefmt = "%H:%M"
    log(True)
    formatter._style._fmt = "%(levelname)s %(asctime)s %(message)s"
    formatter._fmt = formatter._style._fmt
    log(True)
    saved = logging.Formatter.converter
    logging.Formatter.converter = time.gmtime  # the documented way to log in UTC
    try:
        log(True)
    finally:
        logging.Formatter.converter = saved
    saved = logging.Formatter.formatTime
    logging.Formatter.formatTime = lambda self, record, datefmt=None: "when?"
    try:
        log(False)
    finally:
        logging.Formatter.formatTime = saved
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    log(True)
    formatter.format = lambda record: "replaced on the instance"
    handler.setFormatter(formatter)
    log(False)
    handler.close()
    assert read(path).splitlines(keepends=True) == b"".join(expected).splitlines(keepends=True)


def test_a_logger_s_lines_match_a_file_handler_s_with_the_same_formatter(tmp_path):
    """End to end, fast path and fallbacks mixed: one logger, one formatter,
    a FileHandler beside ours; the two files are the same bytes."""
    ours = ConcurrentRotatingFileHandler(tmp_path / "ours.log", encoding="utf-8")
    theirs = logging.FileHandler(tmp_path / "theirs.log", encoding="utf-8")
    formatter = logging.Formatter(SEED_FORMAT)
    for handler in (ours, theirs):
        handler.setFormatter(formatter)
    log = logging.getLogger("web.views.match")
    log.handlers[:] = [ours, theirs]
    log.setLevel(logging.DEBUG)
    log.propagate = False
    try:
        log.info("x" * 120)
        log.debug("user %s logged in from %s", "bob", "10.0.0.1")
        log.warning("a line\nand another")
        log.error("ünïcödé %d", 3, extra={"user": "bob"})
        try:
            1 / 0
        except ZeroDivisionError:
            log.exception("divided by zero")
        log.info("with its stack", stack_info=True)
        log.critical({"a": "dict"})
    finally:
        log.handlers[:] = []
        ours.close()
        theirs.close()
    assert read(tmp_path / "ours.log") == read(tmp_path / "theirs.log")
    assert read(tmp_path / "ours.log").count(b"ZeroDivisionError") == 1


def test_the_routing_handler_formats_in_rust_into_each_name_s_file(tmp_path):
    handler = ConcurrentRoutingFileHandler(tmp_path)
    formatter = logging.Formatter(SEED_FORMAT)
    handler.setFormatter(formatter)
    assert handler._native.emit(record(name="web.views"), formatter)
    assert handler._native.emit(record(name="worker"), formatter)
    handler.close()
    assert read(tmp_path / "web.log") == python_line(formatter, record(name="web.views"))
    assert read(tmp_path / "worker.log") == python_line(formatter, record(name="worker"))
