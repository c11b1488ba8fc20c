"""`--format markdown` (step summaries, PR comments), through the CLI."""

from __future__ import annotations

import re

from conftest import ROOT, run_cli, write_project
from xborder.report.markdown import MAX_ROWS

LEAK = 'import requests\n\n\ndef f(user):\n    requests.post("https://api.mixpanel.com/track", json={"email": user.email})\n'


def _cells(row: str) -> list[str]:
    """A GFM table row's cells: split at pipes that no backslash escapes."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]


def test_markdown_of_the_shop(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run_cli("scan", "--no-cache", "--format", "markdown", "fixtures/shop")
    assert result.exit_code == 1  # the exit code is the scan's, whatever the format
    lines = result.stdout.splitlines()
    assert lines[0] == "### xborder: 6 findings (6 error)"
    assert "| XB101 personal-data-leaves-home | 5 |" in lines and "| XB102 sensitive-data-leaves-home | 1 |" in lines
    rows = [line for line in lines if line.startswith("| error |")]
    assert len(rows) == 6 and all(len(_cells(r)) == 6 for r in rows)
    assert ("| error | `fixtures/shop/shop/monitoring.py:9:5` | XB101 | `user.contact.email`, `user.unique_id` | "
            "US (`o4504.ingest.us.sentry.io`) | `sentry_sdk.set_user` |") in rows
    assert "more row" not in result.stdout


def test_markdown_escapes_what_the_project_controls(tmp_path, monkeypatch):
    name = "a|b`c @octocat <img src=x> [x](e.test).py"
    write_project(tmp_path, {name: LEAK, "xborder.toml": 'home = "CN"\n'})
    monkeypatch.chdir(tmp_path)
    out = run_cli("scan", "--no-cache", "--format", "markdown", ".").stdout
    (row,) = [line for line in out.splitlines() if line.startswith("| error |")]
    cells = _cells(row)
    assert len(cells) == 6
    # The whole path is one code span, fenced by more backticks than it holds, its pipe escaped.
    assert cells[1] == "``a\\|b`c @octocat <img src=x> [x](e.test).py:5:5``"
    assert row.count("<img") == 1 and "``" in row


def test_markdown_is_capped_with_an_and_more_line(tmp_path):
    files = {f"m{i:02d}.py": LEAK.replace("def f", f"def f{i}") for i in range(MAX_ROWS + 3)}
    project = write_project(tmp_path, {**files, "xborder.toml": 'home = "CN"\n'})
    out = run_cli("scan", "--no-cache", "--format", "markdown", project).stdout
    lines = out.splitlines()
    assert lines[0] == f"### xborder: {MAX_ROWS + 3} findings ({MAX_ROWS + 3} error)"
    assert sum(line.startswith("| error |") for line in lines) == MAX_ROWS
    assert lines[-1] == "_\u2026and 3 more rows: `xborder scan --format json` lists them all._"


def test_markdown_of_a_clean_project(tmp_path):
    project = write_project(tmp_path, {"a.py": "x = 1\n", "xborder.toml": 'home = "CN"\n'})
    result = run_cli("scan", "--no-cache", "--format", "markdown", project)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "### xborder: 0 findings" and "|" not in result.stdout
