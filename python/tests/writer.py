"""One writer process: logs numbered, self-checking records in the seed's
format through one handler, then exits as a service would.

    python writer.py HANDLER PATH WRITER LINES MAX_BYTES BACKUPS [gzip]

HANDLER is ``sync`` or ``background`` (this package) or ``clh``
(concurrent-log-handler 0.9.31). Each message is ``w<writer> <seq> x...``,
120 bytes; ``chain.py`` checks them.
"""

import logging
import sys

SEED_FORMAT = "%(asctime)s - %(name)s - %(levelname)s - %(message)s"
MESSAGE_BYTES = 120


def message(writer, seq):
    head = f"w{writer:03d} {seq:08d} "
    return head + "x" * (MESSAGE_BYTES - len(head))


def handler(kind, path, max_bytes, backups, gzip):
    if kind == "clh":
        from concurrent_log_handler import ConcurrentRotatingFileHandler

        return ConcurrentRotatingFileHandler(path, maxBytes=max_bytes, backupCount=backups, use_gzip=gzip)
    from concurrent_rotating_file import ConcurrentRotatingFileHandler

    return ConcurrentRotatingFileHandler(
        path, maxBytes=max_bytes, backupCount=backups, use_gzip=gzip, background=kind == "background"
    )


def main():
    kind, path, writer, lines, max_bytes, backups = sys.argv[1:7]
    gzip = sys.argv[7:] == ["gzip"]
    writer, lines = int(writer), int(lines)
    h = handler(kind, path, int(max_bytes), int(backups), gzip)
    h.setFormatter(logging.Formatter(SEED_FORMAT))
    log = logging.getLogger(f"writer.{writer}")
    log.addHandler(h)
    log.setLevel(logging.INFO)
    log.propagate = False
    for seq in range(lines):
        log.info(message(writer, seq))
    # logging.shutdown() at exit writes what is queued.


if __name__ == "__main__":
    main()
