#!/usr/bin/env python3
"""Builds and runs every Rust block of the README and every example the
way a user would: each in a new crate of its own, whose manifest holds only
the dependencies the text tells a user to add (with their default
features), resolved afresh from crates.io, this checkout standing in for
`path = "../concurrent-rotating-file"`.

A README block uses the ```toml block nearest above it; an example names
its dependencies in a ```toml block of its `//!` header. Each program runs
in an empty directory and must exit 0; a README block must also leave a
non-empty file under `logs/` there (what every quick start writes).

    scripts/check-snippets.py            # all of them
    scripts/check-snippets.py readme     # the README's blocks only
    scripts/check-snippets.py examples   # the examples only

The crates are made under target/snippets/ and share one target
directory, so that a second run compiles little.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "target" / "snippets"
# What a user's `path = "../concurrent-rotating-file"` means here.
OUR_PATH = re.compile(r'path\s*=\s*"\.\./concurrent-rotating-file"')
FENCE = re.compile(r"^```(\S*)\s*$")


def blocks(text):
    """The fenced blocks of a Markdown text: (info string, body)."""
    found, info, body = [], None, []
    for line in text.splitlines():
        fence = FENCE.match(line)
        if info is None and fence:
            info, body = fence.group(1), []
        elif info is not None and line.startswith("```"):
            found.append((info, "\n".join(body) + "\n"))
            info = None
        elif info is not None:
            body.append(line)
    if info is not None:
        sys.exit("an unclosed code block")
    return found


def is_rust(info):
    return info.split(",")[0] == "rust"


def readme_programs():
    """Each Rust block of the README with the TOML block nearest above."""
    programs, manifest = [], None
    for info, body in blocks((ROOT / "README.md").read_text()):
        if info == "toml":
            manifest = body
        elif is_rust(info):
            if any(line.startswith("# ") or line == "#" for line in body.splitlines()):
                sys.exit(f"README block {len(programs) + 1} has hidden lines: a pasted copy would not compile")
            if manifest is None:
                sys.exit(f"README block {len(programs) + 1} has no [dependencies] block above it")
            programs.append((f"readme-{len(programs) + 1}", manifest, body))
    return programs


def example_programs():
    """Each example with the TOML block of its header."""
    programs = []
    for path in sorted((ROOT / "examples").glob("*.rs")):
        source = path.read_text()
        header = "\n".join(
            line[4:] if line.startswith("//! ") else line[3:]
            for line in source.splitlines()
            if line.startswith("//!")
        )
        tomls = [body for info, body in blocks(header) if info == "toml"]
        if len(tomls) != 1:
            sys.exit(f"{path.name}: its header must hold one ```toml block of its dependencies")
        programs.append((f"example-{path.stem}", tomls[0], source))
    return programs


def make_crate(name, manifest, source):
    if "[dependencies]" not in manifest:
        sys.exit(f"{name}: its TOML block has no [dependencies]")
    deps = OUR_PATH.sub(f'path = "{ROOT}"', manifest)
    crate = WORK / name
    if crate.exists():
        shutil.rmtree(crate)
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text(
        f'[package]\nname = "{name}"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n'
        + deps
        # A workspace of its own, not the repository's.
        + "\n[workspace]\n"
    )
    (crate / "src" / "main.rs").write_text(source)
    return crate


def run(name, crate, needs_logs):
    env = dict(os.environ, CARGO_TARGET_DIR=str(WORK / "target"))
    build = subprocess.run(
        ["cargo", "build", "--quiet", "--manifest-path", str(crate / "Cargo.toml")],
        env=env,
    )
    if build.returncode != 0:
        return f"{name}: does not compile (the crate is in {crate})"
    binary = WORK / "target" / "debug" / name
    with tempfile.TemporaryDirectory() as cwd:
        done = subprocess.run([str(binary)], cwd=cwd, stdout=subprocess.DEVNULL, timeout=300)
        if done.returncode != 0:
            return f"{name}: exited with {done.returncode}"
        logs = Path(cwd) / "logs"
        if needs_logs and not any(f.is_file() and f.stat().st_size > 0 for f in logs.rglob("*")):
            return f"{name}: wrote nothing under logs/"
    return None


def main():
    which = sys.argv[1:] or ["readme", "examples"]
    programs = []
    if "readme" in which:
        programs += [(p, True) for p in readme_programs()]
    if "examples" in which:
        programs += [(p, False) for p in example_programs()]
    WORK.mkdir(parents=True, exist_ok=True)
    failures = []
    for (name, manifest, source), needs_logs in programs:
        print(f"snippet {name}", flush=True)
        failure = run(name, make_crate(name, manifest, source), needs_logs)
        if failure:
            print(f"FAILED {failure}", flush=True)
            failures.append(failure)
    if failures:
        sys.exit(f"{len(failures)} of {len(programs)} failed:\n" + "\n".join(failures))
    print(f"all {len(programs)} compiled and ran as pasted")


if __name__ == "__main__":
    main()
