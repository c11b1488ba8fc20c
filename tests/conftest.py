"""Shared test helpers: run the real CLI (click's runner) and read its JSON."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from xborder.commands import cli

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
# Every fixture project: a folder under fixtures/ with its own configuration, which gives the scan
# its home jurisdiction (bench/outputs.py finds them the same way).
FIXTURE_PROJECTS = sorted(p.parent for name in ("xborder.toml", "pyproject.toml") for p in FIXTURES.glob(f"**/{name}"))

# The only skips a test run accepts, each with the reason it is acceptable. Any other skip fails
# the run: a test that skips where it should run guards nothing (issue 9).
ALLOWED_SKIPS = {
    "no Chromium binary on PATH": "rendering the audit report needs a browser; .ci/run installs Debian's chromium",
}
_unexpected_skips: list = []


def pytest_runtest_logreport(report):
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if not any(allowed in reason for allowed in ALLOWED_SKIPS):
            _unexpected_skips.append(f"{report.nodeid}: {reason}")


def pytest_sessionfinish(session, exitstatus):
    if _unexpected_skips and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    if _unexpected_skips:
        terminalreporter.section("skips that are not on the allow-list (tests/conftest.py ALLOWED_SKIPS)", red=True)
        for line in _unexpected_skips:
            terminalreporter.line(line)


@pytest.fixture(autouse=True)
def _private_cache_key(tmp_path_factory, monkeypatch):
    """Keep the cache signing key of the test run out of the real home directory."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg"))


class _NoSocket(socket.socket):
    def __init__(self, *args, **kwargs):
        raise OSError("sockets are disabled in the xborder tests: a scan must never open one")


@pytest.fixture(autouse=True)
def _no_sockets(monkeypatch):
    """Scans must open no socket (issue 6): every test runs with socket creation failing, which
    forked scan workers inherit, so any network use by the scan fails the test that caused it."""
    monkeypatch.setattr(socket, "socket", _NoSocket)


def run_cli(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def scan_json(*args: str, fmt: str = "json-v1"):
    """Run `xborder scan --format json-v1 ARGS` and return (exit code, parsed JSON, stderr). The
    engine's tests judge flows one category at a time, which a version 1 finding is; tests of the
    version 2 report pass fmt="json"."""
    result = CliRunner().invoke(cli, ["scan", "--format", fmt, "--no-cache", *map(str, args)], catch_exceptions=False)
    try:
        data = json.loads(result.stdout)
    except json.JSONDecodeError:
        data = None
    return result.exit_code, data, result.stderr


def tracked_files() -> list[str]:
    """The files git tracks in this checkout: what a fresh clone of it holds."""
    out = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True).stdout
    return sorted(p for p in out.decode().split("\0") if p)


def export_tree(dest: Path) -> Path:
    """A clean export of the project: the tracked files with their working-tree content, and nothing
    else (no build/, egg-info, caches or files nobody added), as a fresh clone would hold them."""
    for rel in tracked_files():
        source = ROOT / rel
        if source.is_file():  # a tracked file deleted in the working tree is gone from the export too
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / rel)
    return dest


def empty_git_config(folder: Path) -> str:
    """An empty file for GIT_CONFIG_GLOBAL, so that the user's configuration stays out; not
    os.devnull, which on a machine whose /dev/null a shell hook wrote into git reads as text."""
    path = folder / "empty.gitconfig"
    path.write_text("")
    return str(path)


def write_project(root: Path, files: dict) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return root
