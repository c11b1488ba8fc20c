"""Scan the hostile corpus (tests/hostile_corpus.py) and print what happened to every file.

    python bench/hostile.py [--jobs N] [--keep DIR]

Prints each corpus path with its outcome, then the figures: files tried, analyzed, reported as
errors, crashes (must be 0), worker processes lost and replaced, healthy findings preserved.
Exit status 0 when no scan crashed and every healthy finding survived.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import hostile_corpus  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", default="2")
    parser.add_argument("--keep", type=Path, help="build the corpus here (kept) instead of a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        expected = hostile_corpus.build(base / "corpus")
        started = time.monotonic()
        try:
            code, report = hostile_corpus.scan(base / "corpus", "--jobs", args.jobs)
        except Exception as exc:  # the figure this bench exists to show is 0
            print(f"scan crashed: {type(exc).__name__}: {exc}")
            return 1
        seconds = time.monotonic() - started
        healthy = hostile_corpus.healthy_alone(base / "healthy")
    errors = {e["path"]: e for e in report["errors"]}
    for rel in sorted(expected):
        e = errors.get(rel)
        print(f"  {rel!r:24} {'analyzed' if e is None else e['code'] + ' ' + e['message']}")
    figures = hostile_corpus.figures(expected, code, report, healthy)
    print("\n".join(figures.lines()))
    print(f"exit code:                  {code} (the healthy package alone: {healthy[0]})")
    print(f"wall time:                  {seconds:.1f} s with --jobs {args.jobs}, --file-timeout {hostile_corpus.SLOW_TIMEOUT:g}")
    return int(figures.crashes > 0 or figures.healthy_preserved != figures.healthy_expected)


if __name__ == "__main__":
    sys.exit(main())
