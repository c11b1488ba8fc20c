"""Byte-identical reports, timings aside, across job counts, cache states, hash seeds and the order
in which the file system lists files. Each scan is a separate `xborder` process, as in CI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from xborder.report import FORMATS
from conftest import FIXTURES

FORMATS_COMPARED = [f for f in ("json", "json-v1", "sarif", "markdown", "gitlab") if f in FORMATS]
TIMING = re.compile(r'\s*"(?:seconds|startTimeUtc|endTimeUtc)": [^,\n]*,?')


def build(root: Path, reverse: bool = False) -> Path:
    """The shop fixture plus enough modules for several workers, written in either order."""
    files = {p.relative_to(FIXTURES / "shop").as_posix(): p.read_bytes() for p in (FIXTURES / "shop").rglob("*") if p.is_file()}
    for i in range(40):
        files[f"shop/extra/mod_{i:02d}.py"] = (
            f"import requests\nfrom shop.models import User\n\n\ndef export_{i}(user: User, token_{i}):\n"
            f"    payload = {{'email': user.email, 'n': {i}, 'token': token_{i}}}\n"
            f"    requests.post('https://api.segment.io/v1/e{i}', json=payload)\n"
        ).encode()
    files["shop/extra/__init__.py"] = b""
    for rel in sorted(files, reverse=reverse):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[rel])
    return root


def run(root: Path, fmt: str, *args: str, seed: str = "0") -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    # Run from the project: text-like formats (markdown) print paths relative to the current
    # directory, which would otherwise differ between the two copies of the project.
    out = subprocess.run([sys.executable, "-m", "xborder", "scan", "--format", fmt, *args, str(root)],
                         capture_output=True, env=env, timeout=300, cwd=root)
    assert out.returncode == 1, out.stderr.decode()
    text = out.stdout.decode().replace(str(root), "<root>").replace(root.as_uri(), "<root-uri>")
    return TIMING.sub("", text)


@pytest.mark.parametrize("fmt", FORMATS_COMPARED)
def test_reports_are_byte_identical(tmp_path, fmt):
    forward = build(tmp_path / "forward" / "project")
    backward = build(tmp_path / "backward" / "project", reverse=True)
    cache = tmp_path / "cache"
    variants = {
        "jobs 1, seed 0": (forward, ("--no-cache", "--jobs", "1"), "0"),
        "jobs 2, seed 1": (forward, ("--no-cache", "--jobs", "2"), "1"),
        "jobs 4, seed 2": (forward, ("--no-cache", "--jobs", "4"), "2"),
        "reverse discovery order": (backward, ("--no-cache", "--jobs", "2"), "3"),
        "cold cache": (forward, ("--cache-dir", str(cache), "--jobs", "2"), "4"),
    }
    with ThreadPoolExecutor(3) as pool:
        outputs = dict(zip(variants, pool.map(lambda v: run(v[0], fmt, *v[1], seed=v[2]), variants.values())))
    outputs["warm cache, seed 5"] = run(forward, fmt, "--cache-dir", str(cache), "--jobs", "2", seed="5")
    reference = outputs.pop("jobs 1, seed 0")
    assert any(mark in reference for mark in ('"findings"', '"results"', '"check_name"', "| error |"))
    for name, output in outputs.items():
        assert output == reference, f"{fmt} differs for {name}"
    assert any(cache.glob("*/*.pkl")), "the cold run wrote no cache entries, so the warm run proved nothing"
