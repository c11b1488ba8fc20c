"""Shared test helpers: run the real CLI (click's runner) and read its JSON."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


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
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def scan_json(*args: str):
    """Run `xborder scan --format json ARGS` and return (exit code, parsed JSON, stderr)."""
    result = CliRunner().invoke(main, ["scan", "--format", "json", "--no-cache", *map(str, args)], catch_exceptions=False)
    try:
        data = json.loads(result.stdout)
    except json.JSONDecodeError:
        data = None
    return result.exit_code, data, result.stderr


def write_project(root: Path, files: dict) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return root
