"""Reading a rotated log back and checking it line by line: nothing lost,
duplicated or torn, each writer's records in order along the chain, the
chain unbroken, and no file over its size bound."""

import gzip
import os
import re

RECORD = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - (?P<name>\S+) - (?P<level>[A-Z]+) - "
    r"w(?P<writer>\d{3}) (?P<seq>\d{8}) x+$"
)


def chain(path):
    """The files of the log at ``path``, oldest first: ``app.log.N`` (or
    ``.N.gz``) down to ``app.log.1``, then ``app.log``. Fails on a gap in the
    numbering or a number both plain and gzipped."""
    directory, base = os.path.split(path)
    numbers = {}
    for name in os.listdir(directory):
        rest = name[len(base) + 1 :] if name.startswith(base + ".") else None
        if rest is None:
            continue
        number, _, suffix = rest.partition(".")
        assert number.isdigit() and suffix in ("", "gz"), f"unexpected file beside the log: {name}"
        assert int(number) not in numbers, f"backup {number} both plain and gzipped"
        numbers[int(number)] = os.path.join(directory, name)
    assert sorted(numbers) == list(range(1, len(numbers) + 1)), f"a gap in the chain: {sorted(numbers)}"
    return [numbers[n] for n in sorted(numbers, reverse=True)] + [path]


def read(path):
    if path.endswith(".gz"):
        with gzip.open(path, "rb") as f:
            return f.read()
    with open(path, "rb") as f:
        return f.read()


def verify(path, writers, lines, size_bound, records_per_writer=None):
    """Checks every guarantee on the log at ``path`` written by ``writers``
    processes of ``lines`` records each; returns the number of files."""
    files = chain(path)
    seen = {}
    for file in files:
        data = read(file)
        if file.endswith(".gz") or file != path:
            assert data.endswith(b"\n"), f"{file} ends inside a record"
        assert len(data) <= size_bound, f"{file} holds {len(data)} bytes, over {size_bound}"
        for line in data.decode().splitlines():
            m = RECORD.match(line)
            assert m, f"a torn or foreign line in {file}: {line!r}"
            writer, seq = int(m["writer"]), int(m["seq"])
            expected = seen.get(writer, -1) + 1
            assert seq == expected, (
                f"writer {writer}: record {seq} after {expected - 1} in {file} "
                f"({'duplicated' if seq < expected else 'lost or out of order'})"
            )
            seen[writer] = seq
    assert sorted(seen) == list(range(writers)), f"writers found: {sorted(seen)}"
    for writer, last in seen.items():
        assert last == lines - 1, f"writer {writer}: {lines - 1 - last} records lost at the end"
    return len(files)
