"""One crf-stress writer using Python's ConcurrentRotatingFileHandler.

Writes the same numbered, self-checking lines as the Rust writers (see
the `record` module of crf_tools), one logging call each, and prints the latency summary the same
way: "done <lines> <p50 ns> <p99 ns> <max ns>".

Usage: python_writer.py LOG ID LINES LINE_SIZE MAX_BYTES BACKUPS GZIP(0|1)
"""

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


def main():
    log, ident, lines, size, max_bytes, backups, gzip = sys.argv[1:8]
    ident, lines, size = int(ident), int(lines), int(size)
    handler = ConcurrentRotatingFileHandler(
        log, maxBytes=int(max_bytes), backupCount=int(backups), use_gzip=gzip == "1"
    )
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("crf-stress")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    latencies = []
    for seq in range(lines):
        message = line(ident, 0, seq, size)
        start = time.perf_counter_ns()
        logger.info(message)
        latencies.append(time.perf_counter_ns() - start)
    handler.close()
    latencies.sort()
    p50 = latencies[len(latencies) // 2] if latencies else 0
    p99 = latencies[int((len(latencies) - 1) * 0.99)] if latencies else 0
    print(f"done {lines} {p50} {p99} {latencies[-1] if latencies else 0}")


if __name__ == "__main__":
    main()
