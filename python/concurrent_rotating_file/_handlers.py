"""The handlers: ``logging.Handler`` subclasses over the engine's handles.

A record is formatted by the handler's formatter (as with any handler),
encoded, and handed to the engine as one record, with the GIL released
while it is written (or, in background mode, queued). Errors go through
``Handler.handleError``, as ``logging`` expects.
"""

import logging
import os
import sys

from concurrent_rotating_file import _fork
from concurrent_rotating_file._native import LogFile, LogRouter
from concurrent_rotating_file._options import Encoder, engine_options, file_mode, period

_ONE_MIB = 1024 * 1024


class _EngineHandler(logging.Handler):
    """What every handler here shares: formatting, encoding, the record
    filter, flush and close, and following the process across ``fork()``."""

    def _start(self, native, encoder, record_filter):
        self._native = native
        self._encoder = encoder
        self.terminator = encoder.terminator
        self._record_filter = record_filter
        self._filtered_here = 0
        self._finalized_in_children = False
        _fork.track(self)

    def handle(self, record):
        # The engine serialises writers itself (threads and processes), so
        # the handler's lock is not taken per record; filters run as in
        # `logging.Handler.handle` (a filter may return a new record, 3.12+).
        rv = self.filter(record)
        if isinstance(rv, logging.LogRecord):
            record = rv
        if rv:
            self.emit(record)
        return rv

    def _start_file(self, options, background, shutdown_timeout, encoder, record_filter):
        """Opens the engine's file at ``baseFilename`` and starts on it."""
        native = LogFile(
            self.baseFilename,
            options,
            background=background,
            shutdown_timeout=shutdown_timeout,
            line_end=self._line_end(encoder, record_filter),
        )
        self._start(native, encoder, record_filter)

    def _line_end(self, encoder, record_filter):
        """What the engine's handle needs to format records in Rust, or
        ``None`` where it must not: through a subclass's own ``format``, or
        for a record filter, which is given the text."""
        if record_filter is not None or type(self).format is not logging.Handler.format:
            return None
        return encoder.line_end()

    def _format(self, record):
        """The record's bytes, or ``None`` if the record filter drops it."""
        message = self.format(record)
        if self._record_filter is not None and not self._record_filter(message):
            self._filtered_here += 1
            return None
        return self._encoder.encode(message)

    @property
    def filtered(self):
        """Records dropped by ``exclude`` or ``record_filter`` in this process."""
        return self._filtered_here + self._native.filtered

    def flush(self):
        """Returns once every record queued before is in its file (background
        mode); records are in the file as soon as they are handled otherwise."""
        self._native.flush()

    def close(self):
        """Writes what is queued, stops the background thread, and waits for
        this process's gzip compressions within ``compression_wait`` (10 s),
        as ``logging.shutdown()`` does at exit. A wait cut short is said on
        stderr; the next process to open the log finishes the compressions."""
        try:
            self._native.close()
        except TimeoutError as e:
            sys.stderr.write(f"concurrent_rotating_file: {e}\n")
        finally:
            super().close()

    def _after_fork_in_child(self):
        self._native = self._native.forked()


def _extras(restart_proof, compress_after, compression_level, compression_wait, exclude, queue_capacity, path_check_interval):
    return dict(
        restart_proof=restart_proof,
        compress_after=compress_after,
        compression_level=compression_level,
        compression_wait=compression_wait,
        exclude=exclude,
        queue_capacity=queue_capacity,
        path_check_interval=path_check_interval,
    )


class ConcurrentRotatingFileHandler(_EngineHandler):
    """A drop-in for ``concurrent_log_handler.ConcurrentRotatingFileHandler``:
    the same arguments, names and defaults (``maxBytes=0``: never rotate;
    ``backupCount=0``), the same lock file (``.__app.lock`` beside
    ``app.log``, or in ``lock_file_directory``), the same backup names
    (``app.log.1``, ``app.log.1.gz`` with ``use_gzip``).

    Arguments after ``lock_file_directory`` and ``keep_file_open`` are this
    package's, by keyword only:

    - ``background``: queue each record for the engine's background thread,
      which writes what gathered with one locked ``write(2)``: a log call
      costs the formatting and a copy. Lossless: a full queue makes the
      caller wait. ``flush()`` and ``close()`` (and ``logging.shutdown()``
      at exit) write what is queued.
    - ``restart_proof``: never rename a file (``app.000001.log``, ...;
      ``app.log`` a second name of the live one), so a log shipper
      restarted at any moment loses nothing. concurrent-log-handler cannot
      share such a log.
    - ``compress_after``: seconds (or a ``timedelta``) a backup stays plain
      before it is gzipped.
    - ``compression_level``: gzip level 0-9 (default 1); ``compression_wait``:
      seconds ``close()`` waits for compressions (default 10).
    - ``exclude``: texts; a record holding any of them is dropped (counted in
      ``filtered``). ``record_filter``: a callable given the formatted line,
      returning whether to keep it.
    - ``shutdown_timeout``: seconds ``close()`` may take to write the queue
      (default: as long as it takes); ``queue_capacity``: records the
      background queue holds (default 4096).
    - ``path_check_interval``: seconds between looks at the log's path for
      a file moved or deleted by hand (default 0.1). concurrent-log-handler's
      processes need none: the engine sees their appends before each record
      (one ``lseek``), and then looks at the path before every record, as
      they do, so no file passes ``maxBytes`` on their account.
    """

    def __init__(  # noqa: PLR0913
        self,
        filename,
        mode="a",
        maxBytes=0,
        backupCount=0,
        encoding=None,
        debug=False,
        delay=None,
        use_gzip=False,
        owner=None,
        chmod=None,
        umask=None,
        newline=None,
        terminator="\n",
        unicode_error_policy="ignore",
        lock_file_directory=None,
        keep_file_open=True,
        *,
        background=False,
        restart_proof=False,
        compress_after=None,
        compression_level=None,
        compression_wait=None,
        exclude=(),
        record_filter=None,
        shutdown_timeout=None,
        queue_capacity=None,
        path_check_interval=None,
    ):
        super().__init__()
        file_mode(mode)
        self.baseFilename = os.path.abspath(os.fspath(filename))
        self.mode = mode
        self.encoding = encoding
        self.maxBytes = maxBytes
        self.backupCount = backupCount
        self.use_gzip = use_gzip
        encoder = Encoder(encoding, unicode_error_policy, newline, terminator)
        options = engine_options(
            maxBytes=maxBytes,
            backupCount=backupCount,
            use_gzip=use_gzip,
            owner=owner,
            chmod=chmod,
            umask=umask,
            lock_file_directory=lock_file_directory,
            encoding=encoder.encoding,
            **_extras(restart_proof, compress_after, compression_level, compression_wait, exclude, queue_capacity, path_check_interval),
        )
        self._start_file(options, background, shutdown_timeout, encoder, record_filter)

    def emit(self, record):
        try:
            # Formatted in Rust, byte for byte as `self.format` would, when
            # the formatter is a plain `logging.Formatter` (see the README).
            if self._native.emit(record, self.formatter or logging._defaultFormatter):
                return
            data = self._format(record)
            if data is not None:
                self._native.write(data)
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)

    @property
    def rotations(self):
        """Rotations done by every process sharing the file."""
        return self._native.rotations

    @property
    def write_errors(self):
        """Records the background thread could not write (each first failure
        is printed on stderr); a synchronous write raises instead."""
        return self._native.write_errors

    def __repr__(self):
        level = logging.getLevelName(self.level)
        return f"<{self.__class__.__name__} {self.baseFilename} ({level})>"


class ConcurrentTimedRotatingFileHandler(ConcurrentRotatingFileHandler):
    """A drop-in for ``concurrent_log_handler.ConcurrentTimedRotatingFileHandler``:
    rotates at every minute, hour, day (``"D"`` and ``"MIDNIGHT"``, both at
    midnight) or week (``"W0"``-``"W6"``) boundary, in local time or UTC, and
    also at ``maxBytes`` when it is above 0; backups named after their period
    as Python's timed handlers name them (``app.log.2026-11-24``,
    ``app.log.2026-11-24_05``, with ``.1``, ``.2`` for size rotations within
    a period). ``backupCount=0`` keeps every backup, as there.

    Not supported, refused with a ``ValueError``: ``when="S"``, ``interval``
    other than 1, ``atTime`` other than midnight. The extras are those of
    :class:`ConcurrentRotatingFileHandler`.
    """

    def __init__(  # noqa: PLR0913
        self,
        filename,
        when="h",
        interval=1,
        backupCount=0,
        encoding=None,
        delay=False,
        utc=False,
        atTime=None,
        errors=None,
        maxBytes=0,
        use_gzip=False,
        owner=None,
        chmod=None,
        umask=None,
        newline=None,
        terminator="\n",
        unicode_error_policy="ignore",
        lock_file_directory=None,
        keep_file_open=True,
        *,
        debug=False,
        mode="a",
        background=False,
        restart_proof=False,
        compress_after=None,
        compression_level=None,
        compression_wait=None,
        exclude=(),
        record_filter=None,
        shutdown_timeout=None,
        queue_capacity=None,
        path_check_interval=None,
    ):
        logging.Handler.__init__(self)
        self.baseFilename = os.path.abspath(os.fspath(filename))
        self.mode = "a"
        self.encoding = encoding
        self.when = str(when).upper()
        self.interval = interval
        self.utc = utc
        self.maxBytes = maxBytes
        self.backupCount = backupCount
        self.use_gzip = use_gzip
        encoder = Encoder(encoding, unicode_error_policy, newline, terminator)
        options = engine_options(
            maxBytes=maxBytes,
            backupCount=backupCount,
            use_gzip=use_gzip,
            owner=owner,
            chmod=chmod,
            umask=umask,
            lock_file_directory=lock_file_directory,
            encoding=encoder.encoding,
            rotate_every=period(when, interval, atTime),
            utc=utc,
            **_extras(restart_proof, compress_after, compression_level, compression_wait, exclude, queue_capacity, path_check_interval),
        )
        self._start_file(options, background, shutdown_timeout, encoder, record_filter)


class ConcurrentRoutingFileHandler(_EngineHandler):
    """Each record to ``<directory>/<name>.log``, ``<name>`` the first segment
    of its logger's name (``web.views`` to ``web.log``), every file a rotating
    log shared by all processes, opened on first use: the files a service
    gets from one ``ConcurrentRotatingFileHandler`` per ``getLogger(name)``,
    from one handler on the root logger.

    A name that is not a plain file name (1 to 64 ASCII letters, digits,
    ``_``, ``-``, ``.``, not starting with ``.`` or ``-``) goes to
    ``<directory>/<fallback>.log``, as does a name whose file cannot be
    opened. At most ``max_open`` files are open at once, the least recently
    used closed beyond. Defaults: 1 MiB files, 10 backups. The file options
    and extras are those of :class:`ConcurrentRotatingFileHandler`; each
    file locks concurrent-log-handler's lock file, so per-name handlers of
    that package share the files.
    """

    def __init__(  # noqa: PLR0913
        self,
        directory,
        maxBytes=_ONE_MIB,
        backupCount=10,
        encoding=None,
        use_gzip=False,
        owner=None,
        chmod=None,
        umask=None,
        newline=None,
        terminator="\n",
        unicode_error_policy="ignore",
        lock_file_directory=None,
        *,
        fallback="other",
        max_open=64,
        background=False,
        restart_proof=False,
        compress_after=None,
        compression_level=None,
        compression_wait=None,
        exclude=(),
        record_filter=None,
        shutdown_timeout=None,
        queue_capacity=None,
        path_check_interval=None,
    ):
        super().__init__()
        self.directory = os.path.abspath(os.fspath(directory))
        self.maxBytes = maxBytes
        self.backupCount = backupCount
        self.use_gzip = use_gzip
        encoder = Encoder(encoding, unicode_error_policy, newline, terminator)
        options = engine_options(
            maxBytes=maxBytes,
            backupCount=backupCount,
            use_gzip=use_gzip,
            owner=owner,
            chmod=chmod,
            umask=umask,
            lock_file_directory=lock_file_directory,
            encoding=encoder.encoding,
            **_extras(restart_proof, compress_after, compression_level, compression_wait, exclude, queue_capacity, path_check_interval),
        )
        native = LogRouter(
            self.directory,
            options,
            background=background,
            shutdown_timeout=shutdown_timeout,
            fallback=fallback,
            max_open=max_open,
            line_end=self._line_end(encoder, record_filter),
        )
        self._start(native, encoder, record_filter)

    def emit(self, record):
        try:
            if self._native.emit(record, self.formatter or logging._defaultFormatter):
                return
            data = self._format(record)
            if data is not None:
                self._native.write(record.name.partition(".")[0], data)
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)

    @property
    def to_fallback(self):
        """Records sent to the fallback file (invalid name, file not openable)."""
        return self._native.to_fallback

    def __repr__(self):
        level = logging.getLevelName(self.level)
        return f"<{self.__class__.__name__} {self.directory} ({level})>"
