"""The text report, like ruff's: a headline per finding, the sink's line of code with a caret, one
line per trace hop (--show-trace, the default; --no-trace: headlines only), sanitizer notes only
with --verbose; the code is read from the scanned file and its absence never breaks the report."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest

import xborder.commands.scan as scan_command
from conftest import ROOT, run_cli, write_project
from xborder.report.source import SourceLines, decode, split_lines
from xborder.report.text import quote

VIA = '''import hashlib
import requests


def send(payload):
    requests.post("https://api.mixpanel.com/track", json=payload)


def track(user):
    send({"phone": user.phone})
    digest = hashlib.sha256(user.email.encode()).hexdigest()
    requests.post("https://api.mixpanel.com/track", json={"id": digest})
'''
HEADLINE = "app.py:6:5: XB101 [error] phone_number leaves CN for US via requests.post to api.mixpanel.com"


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = write_project(tmp_path / "p", {"app.py": VIA, "xborder.toml": 'home = "CN"\n'})
    monkeypatch.chdir(root)
    return root


def scan_text(*args):
    result = run_cli("scan", "--no-cache", *args, ".")
    assert result.exit_code == 1, result.output
    return result.stdout


def test_default_shows_the_code_with_a_caret_and_the_trace(project):
    assert scan_text().splitlines() == [
        HEADLINE,
        '  6 |     requests.post("https://api.mixpanel.com/track", json=payload)',
        "    |     ^^^^^^^^^^^^^",
        "  trace: app.py:10 source: user.phone (user.contact.phone_number)",
        "  trace: app.py:10 passed as 'payload' to app.send",
        "  trace: app.py:6 sink: requests.post (network)",
        "",
        "Sanitized: 1 place where a sanitizer stopped personal data (--verbose lists them).",
        "Scanned 1 files (0 with errors); 1 finding (1 error); home CN, regime pipl.",
    ]


def test_no_trace_prints_headlines_only_and_show_trace_wins_when_last(project):
    assert scan_text("--no-trace").splitlines() == [HEADLINE, "", "Sanitized: 1 place where a sanitizer stopped personal "
                                                    "data (--verbose lists them).", "Scanned 1 files (0 with errors); 1 "
                                                    "finding (1 error); home CN, regime pipl."]
    assert scan_text("--no-trace", "--show-trace") == scan_text()
    assert scan_text("--show-trace") == scan_text()
    assert scan_text("-q", "--no-trace") == HEADLINE + "\n\n"


def test_sanitizer_notes_and_destination_evidence_only_with_verbose(project):
    plain = scan_text()
    assert "sanitized by" not in plain and "destination:" not in plain
    verbose = scan_text("--verbose")
    assert "app.py:11:14: sanitized by hashlib.sha256: user.contact.email" in verbose.splitlines()
    assert "  destination: api.mixpanel.com -> US (string constant at app.py:6)" in verbose.splitlines()
    assert "Sanitized:" not in verbose
    quiet = scan_text("-v", "-q")  # quiet keeps the findings alone, with their verbose details
    assert "destination:" in quiet and "sanitized by" not in quiet and "Scanned" not in quiet


def test_the_report_is_the_same_on_a_terminal_and_piped(project):
    """Like ruff's output, the text does not depend on where it goes (only color does)."""
    command = [sys.executable, "-m", "xborder", "scan", "--no-cache", "--color", "never", "."]
    env = {**os.environ, "COLUMNS": "80"}
    piped = subprocess.run(command, capture_output=True, text=True, env=env)
    controller, terminal = pty.openpty()
    try:
        done = subprocess.run(command, stdout=terminal, stderr=subprocess.DEVNULL, env=env, timeout=300)
        os.close(terminal)
        chunks = []
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal's other end closed: all is read
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(controller)
    assert piped.returncode == done.returncode == 1
    assert b"".join(chunks).decode().replace("\r\n", "\n") == piped.stdout
    assert "  trace: app.py:6 sink:" in piped.stdout


def test_the_code_read_after_the_scan_may_be_gone_or_changed(project, monkeypatch):
    """The line is read from the file when the report is written: a file removed, shortened or swapped
    for a FIFO since the analysis quotes nothing, and the rest of the report stands."""
    real = scan_command.scan
    for change in (lambda p: p.unlink(), lambda p: p.write_text("x = 1\n"), lambda p: (p.unlink(), os.mkfifo(p))):
        write_project(project, {"app.py": VIA})

        def scan_then_change(options, change=change):
            result = real(options)
            change(project / "app.py")
            return result

        monkeypatch.setattr(scan_command, "scan", scan_then_change)
        lines = scan_text().splitlines()
        assert lines[0] == HEADLINE and lines[1].startswith("  trace: app.py:10 source:"), lines
        assert not any(" | " in line for line in lines)


def test_quote_puts_the_caret_under_the_column():
    assert quote("    requests.post(url)", 12, 5) == ["  12 |     requests.post(url)", "     |     ^^^^^^^^^^^^^"]
    assert quote("x = api.client.send(a)", 3, 5) == ["  3 | x = api.client.send(a)", "    |     ^^^^^^^^^^^^^^^"]
    assert quote("x = (a)(b)", 1, 5) == ["  1 | x = (a)(b)", "    |     ^"]  # no name at the column: one caret
    assert quote("", 1, 1) == [] and quote("    ", 1, 2) == [] and quote("abc", 1, 9) == []  # nothing to point at


def test_quote_aligns_past_tabs_wide_characters_and_controls():
    _, carets = quote("\tsend(x)", 1, 2)
    assert carets == "    |     ^^^^"  # a tab is shown as 4 spaces
    line, carets = quote("名前 = send(x)", 1, 6)
    assert line.endswith("名前 = send(x)") and carets == "    | " + " " * 7 + "^^^^"  # wide characters take 2 columns
    line, carets = quote("s='\x1b[2J'; send(x)", 1, 11)
    assert "\x1b" not in line and "\\x1b" in line  # a terminal control is escaped...
    assert carets.index("^") == line.index("send")  # ...and the caret still stands under the call


def test_quote_shows_a_window_of_a_long_line():
    code = "a" * 300 + " = send(x)" + "b" * 300
    line, carets = quote(code, 7, 304)
    assert len(line) < 200 and line.startswith("  7 | \u2026") and line.endswith("\u2026")
    assert carets.index("^") == line.index("send") and carets.count("^") == 4


def test_source_lines_are_numbered_as_python_numbers_them(tmp_path):
    (tmp_path / "a.py").write_bytes(b"# -*- coding: latin-1 -*-\nx = '\xe9'\r\ny = 1\x0cz\rw = 2\n")
    lines = SourceLines(str(tmp_path))
    assert [lines.line("a.py", n) for n in (2, 3, 4, 5)] == ["x = '\xe9'", "y = 1\x0cz", "w = 2", ""]
    assert lines.line("gone.py", 1) == "" and lines.line("a.py", 0) == ""
    assert decode(b"\xff\xfe") == "\ufffd\ufffd" and split_lines("a\u2028b\nc") == ["a\u2028b", "c"]


def test_the_readme_example_is_what_the_scan_prints(monkeypatch):
    """README's first output block: its lines, in order, are the shop's report ('...' skips lines)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```\n$ xborder scan fixtures/shop --home CN\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(ROOT)
    out = run_cli("scan", "fixtures/shop", "--home", "CN", "--no-cache").stdout.splitlines()
    at = 0
    for line in block.splitlines():
        if line == "...":
            continue
        assert line in out[at:], f"README line not in the report (in order): {line!r}"
        at = out.index(line, at) + 1
    assert block.splitlines()[-1] == out[-1] and block.splitlines()[0] == out[0]
