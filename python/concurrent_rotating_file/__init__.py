"""Multi-process rotating log handlers for :mod:`logging`, on a Rust engine.

``ConcurrentRotatingFileHandler`` and ``ConcurrentTimedRotatingFileHandler``
take the arguments of ``concurrent_log_handler``'s classes of the same names
(0.9.x), so a ``dictConfig`` changes only its ``class`` string; they lock the
file that package locks, so old and new processes share one log during a
rolling upgrade. ``ConcurrentRoutingFileHandler`` writes each record to
``<directory>/<first segment of the logger's name>.log``.

Every record is appended whole with one ``write(2)`` (a traceback stays one
record), no file exceeds ``maxBytes`` (except a single larger record, alone
in its file), rotation is renames only under the lock, and gzip runs
outside it. See the package's README for the guarantees and the options.
"""

from concurrent_rotating_file._handlers import (
    ConcurrentRotatingFileHandler,
    ConcurrentRoutingFileHandler,
    ConcurrentTimedRotatingFileHandler,
)

__all__ = [
    "ConcurrentRotatingFileHandler",
    "ConcurrentRoutingFileHandler",
    "ConcurrentTimedRotatingFileHandler",
]
__version__ = "0.1.0"
