"""One crf-stress writer using Python's ConcurrentRotatingFileHandler.

Writes the same numbered, self-checking lines as the Rust writers (see
the `record` module of crf_tools), one logging call each, and reports to
the run as they do (see messages.rs): "progress 0 <lines>" every 256
lines or every MiB, whichever comes first, then "latency <ns>:<count> ..."
(values rounded to 3 significant digits) and "done <lines>".

Usage: python_writer.py LOG ID LINES LINE_SIZE MAX_BYTES BACKUPS GZIP(0|1) [RATE]

RATE paces the writer to at most that many lines per second (0, the
default: as fast as it can), as the Rust writers' --rate does.
"""

import collections
import logging
import sys
import time

try:
    from concurrent_log_handler import ConcurrentRotatingFileHandler
except ImportError:
    sys.exit(
        "Python's handler is missing: "
        + sys.executable
        + " -m pip install concurrent-log-handler"
    )



def line(process, thread, seq, size):
    header = f"{process:04}-{thread:02} {seq:010} "
    start = seq * 7 + process * 3 + thread
    filler = max(size - len(header) - 1, 0)
    return header + "".join(chr(97 + (start + i) % 26) for i in range(filler))


def three_digits(nanos):
    """Rounds down to 3 significant digits, as the run's histogram keeps."""
    scale = 10 ** max(len(str(nanos)) - 3, 0)
    return nanos // scale * scale


def main():
    log, ident, lines, size, max_bytes, backups, gzip = sys.argv[1:8]
    ident, lines, size = int(ident), int(lines), int(size)
    rate = int(sys.argv[8]) if len(sys.argv) > 8 else 0
    started = time.monotonic()
    handler = ConcurrentRotatingFileHandler(
        log, maxBytes=int(max_bytes), backupCount=int(backups), use_gzip=gzip == "1"
    )
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("crf-stress")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    latencies = collections.Counter()
    every = min(max((1 << 20) // max(size, 1), 1), 256)
    for seq in range(lines):
        if rate:
            # Line seq is due seq / rate seconds after the start.
            ahead = seq / rate - (time.monotonic() - started)
            if ahead > 0:
                time.sleep(ahead)
        message = line(ident, 0, seq, size)
        start = time.perf_counter_ns()
        logger.info(message)
        latencies[three_digits(time.perf_counter_ns() - start)] += 1
        if (seq + 1) % every == 0:
            print(f"progress 0 {seq + 1}", flush=True)
    handler.close()
    pairs = " ".join(f"{nanos}:{count}" for nanos, count in sorted(latencies.items()))
    print(f"latency {pairs}")
    print(f"done {lines}", flush=True)


if __name__ == "__main__":
    main()
