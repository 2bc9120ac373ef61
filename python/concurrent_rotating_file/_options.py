"""concurrent-log-handler's arguments, turned into the engine's options.

Each argument keeps its name, meaning and default; the ones the engine makes
moot are accepted and ignored (listed in the README). What the engine would
do differently in a way that loses data or surprises (truncating the log,
chowning to another user) is refused with a ``ValueError`` naming it, at
start-up, never discovered later.
"""

import codecs
import datetime
import locale
import os
import pwd
import warnings

from concurrent_rotating_file._native import Options

_UNICODE_POLICIES = ("ignore", "replace", "strict")

# Python's timed handler's `when`, as the engine's period. Its "D" rotates
# 24 hours after the last rotation; the engine rotates at midnight, under
# the same names.
_PERIODS = {
    "M": "minute",
    "H": "hour",
    "D": "day",
    "MIDNIGHT": "day",
    "W0": "week-mon",
    "W1": "week-tue",
    "W2": "week-wed",
    "W3": "week-thu",
    "W4": "week-fri",
    "W5": "week-sat",
    "W6": "week-sun",
}

# Python's timed handler keeps every backup when backupCount is 0.
_EVERY_BACKUP = 2**32


class Encoder:
    """How a formatted record becomes bytes: the handler's ``encoding``
    (the locale's when ``None``, as ``open`` does), ``unicode_error_policy``,
    and ``newline`` translation, as concurrent-log-handler's text stream."""

    __slots__ = ("encoding", "errors", "newline", "terminator")

    def __init__(self, encoding, errors, newline, terminator):
        self.encoding = encoding or locale.getpreferredencoding(False)
        if errors not in _UNICODE_POLICIES:
            warnings.warn(
                "Invalid unicode_error_policy for concurrent_rotating_file: "
                "must be ignore, replace, or strict. Defaulting to ignore.",
                UserWarning,
                stacklevel=4,
            )
            errors = "ignore"
        self.errors = errors
        # newline None, "" and "\n" write "\n" as it is on Unix.
        self.newline = newline if newline in ("\r", "\r\n") else None
        self.terminator = terminator or "\n"

    def line_end(self):
        """``(terminator, newline)`` for the engine to make lines as
        :meth:`encode` does, or ``None`` if it cannot: it writes UTF-8 only."""
        if codecs.lookup(self.encoding).name != "utf-8":
            return None
        return (self.terminator, self.newline)

    def encode(self, message):
        text = message + self.terminator
        if self.newline is not None:
            text = text.replace("\n", self.newline)
        return text.encode(self.encoding, self.errors)


def file_mode(mode):
    """Only appending is offered: ``mode="w"`` would truncate a log other
    processes share, and that a shipper may be reading."""
    if not mode.startswith("a"):
        raise ValueError(
            f"mode={mode!r}: only appending ('a') is supported; truncating a log "
            "that other processes write and a shipper reads would lose records"
        )


def engine_options(  # noqa: PLR0913
    *,
    maxBytes,
    backupCount,
    use_gzip,
    owner,
    chmod,
    umask,
    lock_file_directory,
    encoding,
    restart_proof,
    compress_after,
    compression_level,
    compression_wait,
    exclude,
    queue_capacity,
    path_check_interval,
    rotate_every=None,
    utc=False,
):
    max_bytes = max(int(maxBytes or 0), 0)
    backups = int(backupCount or 0)
    if rotate_every is not None and backups <= 0:
        backups = _EVERY_BACKUP
    if max_bytes > 0 and backups <= 0:
        raise ValueError(
            f"backupCount={backupCount} with maxBytes={maxBytes}: every full file "
            "would be thrown away (concurrent-log-handler truncates the log); keep "
            "at least one backup (backupCount=1 or more), or set maxBytes=0 to "
            "never rotate"
        )
    group = None
    if owner:
        user, group = owner
        if user is not None and pwd.getpwnam(user).pw_uid != os.geteuid():
            raise ValueError(
                f"owner={tuple(owner)!r}: files are created by the user of the "
                "process writing them; give them a shared group and mode instead "
                f"(owner=(None, {group!r}), chmod=0o660, or a set-group-id directory)"
            )
    mode = chmod
    if mode is None and umask is not None:
        mode = 0o666 & ~umask
    if isinstance(compress_after, datetime.timedelta):
        compress_after = compress_after.total_seconds()
    texts = [exclude] if isinstance(exclude, (str, bytes)) else list(exclude or ())
    enc = encoding or locale.getpreferredencoding(False)
    return Options(
        max_bytes=max_bytes,
        backups=max(backups, 0),
        gzip=bool(use_gzip),
        compression_level=compression_level,
        compress_after=compress_after,
        compression_wait=compression_wait,
        mode=mode,
        group=group,
        lock_dir=os.path.abspath(lock_file_directory) if lock_file_directory else None,
        # The file concurrent-log-handler locks, so old and new processes
        # share one log. Restart-proof files cannot: its handler renames.
        share_with_python=not restart_proof,
        restart_proof=bool(restart_proof),
        rotate_every=rotate_every,
        utc=bool(utc),
        # The engine's default (100 ms): concurrent-log-handler's appends
        # are seen before the next record whatever this interval (an
        # `lseek` on the shared lock), its rotations follow from them.
        path_check_interval=path_check_interval,
        # A writer that finds the lock held sleeps in `flock` at once rather
        # than retry for the engine's 60 µs: a Python process spends some
        # 10 µs of its own per record outside the lock, and its workers
        # often outnumber the cores (gunicorn's 2n+1), so the holder is
        # often waiting for a core that spinning would keep busy.
        lock_spin=0.0,
        exclude=[t if isinstance(t, bytes) else t.encode(enc) for t in texts],
        capacity=queue_capacity,
    )


def period(when, interval, atTime):
    """The engine's period for the timed handler's ``when``; what it cannot
    do (seconds, multiples, another time of day) is a ``ValueError``."""
    name = _PERIODS.get(str(when).upper())
    if name is None:
        raise ValueError(
            f"when={when!r}: rotation every M(inute), H(our), D(ay), MIDNIGHT or "
            "W0-W6 is supported; not every second"
        )
    if interval != 1:
        raise ValueError(
            f"interval={interval}: rotation at every boundary of the period is "
            "supported, not every few (use when='H' or 'MIDNIGHT' with interval=1)"
        )
    if atTime is not None and atTime != datetime.time(0, 0):
        raise ValueError(
            f"atTime={atTime!r}: days and weeks start at midnight; another time of "
            "day is not supported"
        )
    return name
