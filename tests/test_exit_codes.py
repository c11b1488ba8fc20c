"""Exit codes like ruff's and Semgrep's: 0 clean, 1 findings, 2 usage, configuration or internal
error. A crash is never 1, and a report file is complete or absent, never half-written."""

from __future__ import annotations

import os

import pytest

from xborder import __main__ as entry
from xborder import propagate
from conftest import FIXTURES, write_project

SHOP = FIXTURES / "shop"


def _exit(argv) -> int:
    with pytest.raises(SystemExit) as raised:
        entry.run([str(a) for a in argv])
    return raised.value.code


def test_clean_findings_and_usage(tmp_path, capsys):
    clean = write_project(tmp_path / "clean", {"a.py": "def add(a, b):\n    return a + b\n"})
    assert _exit(["scan", clean, "--home", "CN", "--no-cache"]) == 0
    assert _exit(["scan", SHOP, "--home", "CN", "--no-cache"]) == 1
    assert _exit(["scan", SHOP, "--home", "CN", "--no-such-option"]) == 2
    assert _exit(["scan", tmp_path / "missing"]) == 2
    assert _exit(["scan", clean, "--home", "XX"]) == 2  # a configuration error
    assert _exit(["--version"]) == 0


def _boom(self):
    raise RuntimeError("boom\nsecond line")


def test_an_internal_error_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(propagate.Analysis, "run", _boom)
    output = tmp_path / "report.json"
    assert _exit(["scan", SHOP, "--home", "CN", "--no-cache", "--format", "json", "--output", output]) == 2
    err = capsys.readouterr().err
    assert err == "xborder: internal error: RuntimeError: boom; run again with --debug for the traceback\n"
    assert not output.exists()  # no report at all rather than a wrong one


@pytest.mark.parametrize("how", ["argument", "environment"])
def test_debug_shows_the_traceback(tmp_path, monkeypatch, capsys, how):
    monkeypatch.setattr(propagate.Analysis, "run", _boom)
    argv = ["scan", SHOP, "--home", "CN", "--no-cache"]
    if how == "argument":
        argv.append("--debug")  # anywhere on the command line
    else:
        monkeypatch.setenv("XBORDER_DEBUG", "1")
    assert _exit(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):") and "RuntimeError: boom" in err


def test_an_interrupted_write_keeps_the_old_report(tmp_path, monkeypatch, capsys):
    """The report is written to a temporary file and renamed: interrupted, the old file stays whole
    and no temporary file is left behind."""
    output = tmp_path / "report.json"
    output.write_text("old report\n")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    assert _exit(["scan", SHOP, "--home", "CN", "--no-cache", "--format", "json", "--output", output]) == 130
    assert capsys.readouterr().err.endswith("xborder: interrupted\n")
    assert output.read_text() == "old report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_a_closed_standard_output_is_exit_2(monkeypatch, capsys):
    class Closed:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            pass

        def isatty(self):
            return False

    monkeypatch.setattr("sys.stdout", Closed())
    assert _exit(["scan", SHOP, "--home", "CN", "--no-cache"]) == 2
    assert "cannot write to standard output: Broken pipe" in capsys.readouterr().err
