#!/usr/bin/env python3
"""Python handlers side by side, in one run: 1, 4 and 16 processes logging
120-byte messages in the seed's format through this package's handler (sync
and background), concurrent-log-handler 0.9.31, and logging.FileHandler
(the floor: no lock, no rotation).

    scripts/python-bench.sh [ROUNDS] [RECORDS]

Each round runs every handler at every process count, in turn, so that the
machine's drift falls on all; the table gives each one's median over the
rounds. RECORDS is the total per run, shared out among the processes.
Rotating handlers rotate at 1 MiB keeping 10 backups, as the seed does.

Columns: records per second of the whole run (from the first process's
start to the last one's exit, start-up excluded: each process imports and
builds its handler, then waits at a barrier), and the calling thread's cost
per record, median over processes: the time its logging loop took, and the
processor time it used (CLOCK_THREAD_CPUTIME_ID: what the caller pays,
whatever else runs on the machine; for the background handler, the
engine's thread is not counted, as it writes while the caller goes on).
"""

import logging
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time

SEED_FORMAT = "%(asctime)s - %(name)s - %(levelname)s - %(message)s"
MESSAGE = "x" * 120
HANDLERS = ["FileHandler (floor)", "concurrent-log-handler 0.9.31", "ours, sync", "ours, background"]
PROCESSES = [1, 4, 16]


def make_handler(kind, path):
    if kind == "FileHandler (floor)":
        return logging.FileHandler(path)
    if kind == "concurrent-log-handler 0.9.31":
        from concurrent_log_handler import ConcurrentRotatingFileHandler

        return ConcurrentRotatingFileHandler(path, maxBytes=1 << 20, backupCount=10)
    from concurrent_rotating_file import ConcurrentRotatingFileHandler

    return ConcurrentRotatingFileHandler(path, maxBytes=1 << 20, backupCount=10, background=kind == "ours, background")


def writer(kind, path, records, barrier, costs):
    handler = make_handler(kind, path)
    handler.setFormatter(logging.Formatter(SEED_FORMAT))
    log = logging.getLogger("bench.writer")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    info = log.info
    barrier.wait()
    start, cpu = time.perf_counter(), time.thread_time()
    for _ in range(records):
        info(MESSAGE)
    costs.put(((time.perf_counter() - start) / records, (time.thread_time() - cpu) / records))
    handler.close()  # the background handler's queue is written here


def run(kind, processes, total):
    directory = tempfile.mkdtemp(prefix="crf-pybench-")
    try:
        path = os.path.join(directory, "app.log")
        ctx = multiprocessing.get_context("fork")
        barrier = ctx.Barrier(processes + 1)
        costs = ctx.Queue()
        each = total // processes
        procs = [ctx.Process(target=writer, args=(kind, path, each, barrier, costs)) for _ in range(processes)]
        for p in procs:
            p.start()
        barrier.wait()
        start = time.perf_counter()
        for p in procs:
            p.join()
            if p.exitcode != 0:
                sys.exit(f"{kind}: a writer exited with {p.exitcode}")
        elapsed = time.perf_counter() - start
        per_record = [costs.get() for _ in procs]
        wall = statistics.median(w for w, _ in per_record)
        cpu = statistics.median(c for _, c in per_record)
        return each * processes / elapsed, wall, cpu
    finally:
        shutil.rmtree(directory)


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    load_before = os.getloadavg()
    results = {(k, n): [] for k in HANDLERS for n in PROCESSES}
    for r in range(rounds):
        for n in PROCESSES:
            for kind in HANDLERS:
                # concurrent-log-handler is ~10x slower: a tenth of the records.
                records = total // 10 if kind.startswith("concurrent") else total
                results[(kind, n)].append(run(kind, n, records))
                print(f"round {r + 1}/{rounds}: {kind}, {n} processes done", file=sys.stderr)
    rate = {key: statistics.median(v[0] for v in vals) for key, vals in results.items()}
    wall = {key: statistics.median(v[1] for v in vals) for key, vals in results.items()}
    cost = {key: statistics.median(v[2] for v in vals) for key, vals in results.items()}
    # Other work on the machine slows every handler, and not alike: say how much there was.
    loads = ", ".join(f"{before:.2f} -> {after:.2f}" for before, after in zip(load_before, os.getloadavg()))
    print(f"{rounds} rounds, {total:,} records of 120 bytes per run (concurrent-log-handler: {total // 10:,}), medians")
    print(f"load average (1, 5, 15 minutes) before -> after: {loads}\n")
    print("| handler | " + " | ".join(f"{n} process{'es' if n > 1 else ''}" for n in PROCESSES) + " |")
    print("| --- |" + " --- |" * len(PROCESSES))
    for kind in HANDLERS:
        cells = [
            f"{rate[(kind, n)]:,.0f} lines/s; {wall[(kind, n)] * 1e6:.1f} µs, CPU {cost[(kind, n)] * 1e6:.1f} µs"
            for n in PROCESSES
        ]
        print(f"| {kind} | " + " | ".join(cells) + " |")
    floor, clh = HANDLERS[0], HANDLERS[1]
    print("\n| ratio | " + " | ".join(str(n) for n in PROCESSES) + " | goal |")
    print("| --- |" + " --- |" * (len(PROCESSES) + 1))
    rows = [
        ("sync / floor, lines/s", lambda n: rate[("ours, sync", n)] / rate[(floor, n)], ">= 0.9x"),
        ("sync / concurrent-log-handler, lines/s", lambda n: rate[("ours, sync", n)] / rate[(clh, n)], ">= 4x at 4"),
        ("background / floor, the caller's CPU per record", lambda n: cost[("ours, background", n)] / cost[(floor, n)], "<= 0.9x"),
        ("background / floor, the caller's time per record", lambda n: wall[("ours, background", n)] / wall[(floor, n)], ""),
        ("background / floor, lines/s", lambda n: rate[("ours, background", n)] / rate[(floor, n)], ""),
    ]
    for name, ratio, goal in rows:
        print(f"| {name} | " + " | ".join(f"{ratio(n):.2f}x" for n in PROCESSES) + f" | {goal} |")


if __name__ == "__main__":
    main()
