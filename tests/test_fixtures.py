"""Every fixture project reports what it says it reports, in a report that matches the report's
JSON Schema (schemas/report.schema.json).

A fixture says it where the code is, in annotations (`# expect:`, `# ok`, `# source:`, `# via:`;
tests/fixture_annotations.py), and is scanned with its own xborder.toml. The shop instead pins its whole
report in expected.json, traces included: the scan arguments, the exit code and the findings in
report order, each with the contract fields it pins (a finding has to match on each listed field,
and the number of findings must match).
"""

from __future__ import annotations

import json

import pytest

from xborder.knowledge.schema import check as check_schema
from conftest import FIXTURE_PROJECTS, FIXTURES, scan_json, write_project
from fixture_annotations import mismatches, read_annotations

PINNED = [p for p in FIXTURE_PROJECTS if (p / "expected.json").is_file()]
ANNOTATED = [p for p in FIXTURE_PROJECTS if p not in PINNED]


def fixture_id(case) -> str:
    return case.relative_to(FIXTURES).as_posix()


def check(root) -> list[str]:
    """What the scan of an annotated project (with its own configuration) gets wrong."""
    code, data, stderr = scan_json(root)
    assert data is not None, stderr
    check_schema(data, "report.schema.json", f"the report of {root.name}")
    return mismatches(read_annotations(root), data, code)


@pytest.mark.parametrize("case", ANNOTATED, ids=fixture_id)
def test_annotated_fixture(case):
    assert read_annotations(case).ok, "every fixture keeps a look-alike that must not report: mark it '# ok'"
    problems = check(case)
    assert not problems, "\n" + "\n".join(problems)


def test_every_fixture_file_belongs_to_a_checked_project():
    stray = [p for p in FIXTURES.rglob("*.py") if not any(project in p.parents for project in FIXTURE_PROJECTS)]
    assert not stray, f"files in no fixture project (a folder with xborder.toml): {stray}"
    assert ANNOTATED and PINNED


def project(actual, expected):
    """The part of `actual` that `expected` talks about (dicts by key, lists element-wise)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return {k: project(actual.get(k), v) for k, v in expected.items()}
    if isinstance(expected, list) and isinstance(actual, list) and len(actual) == len(expected):
        return [project(a, e) for a, e in zip(actual, expected)]
    return actual


@pytest.mark.parametrize("case", PINNED, ids=fixture_id)
def test_pinned_fixture(case):
    spec = json.loads((case / "expected.json").read_text())
    code, data, stderr = scan_json(case, *spec.get("args", []))
    assert data is not None, stderr
    check_schema(data, "report.schema.json", f"the report of {case.name}")
    assert data["errors"] == spec.get("errors", []), data["errors"]
    actual = data["findings"]
    expected = spec["findings"]
    assert [project(a, e) for a, e in zip(actual, expected)] == expected
    assert len(actual) == len(expected), json.dumps(actual[len(expected):], indent=1)
    assert code == spec["exit_code"]


# The annotation check itself: a correctly annotated project passes, and each kind of mistake in
# it fails with a message that names the line and says what was expected and what was reported.
APP = """\
import requests


def send(user):
    text = f"hi {user.email}"  # source: user.contact.email
    requests.post("https://api.mixpanel.com/track", json={"text": text})  # expect: XB101 user.contact.email


def mirror(user):
    requests.post("https://api.example.cn/x", json={"email": user.email})  # ok: at home


def relay(payload):
    requests.post("https://hooks.slack.com/x", json=payload)  # expect: XB101 user.contact.phone_number


def call(user):
    phone = user.phone_number  # source: user.contact.phone_number
    relay({"phone": phone})  # via: passed as 'payload' to app.relay
"""
CONFIG = 'home = "CN"\n'

MISTAKES = {
    "finding without expect": (
        "app.py", "  # expect: XB101 user.contact.email", "",
        "app.py:6: reported XB101 user.contact.email (source app.py:5, sink app.py:6 requests.post), expected nothing at this line"),
    "expect without finding": (
        "app.py", "# expect: XB101 user.contact.email", "# expect: XB101 user.contact.email, XB102 user.health",
        "app.py:6: expected 1 x XB102 user.health, reported XB101 user.contact.email (source app.py:5, sink app.py:6 requests.post) at this line"),
    "one finding, two expected": (
        "app.py", "# expect: XB101 user.contact.phone_number", "# expect: XB101 user.contact.phone_number, XB101 user.contact.phone_number",
        "app.py:14: expected 1 x XB101 user.contact.phone_number, reported XB101 user.contact.phone_number"),
    "finding on an ok line": (
        "app.py", "api.example.cn", "api.example.us",
        "app.py:10: '# ok' line, but the trace of XB101 user.contact.email (source app.py:10, sink app.py:10 requests.post) passes here"),
    "hop on an ok line": (
        "app.py", "# via: passed as 'payload' to app.relay", "# ok",
        "app.py:19: '# ok' line, but the trace of XB101 user.contact.phone_number (source app.py:18, sink app.py:14 "
        "requests.post) passes here (passed as 'payload' to app.relay)"),
    "source on another line": (
        "app.py", '    text = f"hi {user.email}"  # source: user.contact.email', '    text = f"hi {user.email}"',
        "app.py:5: source of XB101 user.contact.email (source app.py:5, sink app.py:6 requests.post), but this line has no "
        "'# source: user.contact.email'"),
    "source annotation matching no source": (
        "app.py", "def send(user):", "def send(user):  # source: user.contact.email",
        "app.py:4: '# source: user.contact.email', but no finding of that category has its source here"),
    "hop without via": (
        "app.py", "  # via: passed as 'payload' to app.relay", "",
        "app.py:19: the trace of XB101 user.contact.phone_number (source app.py:18, sink app.py:14 requests.post) passes "
        "here, but this line has no '# via: passed as 'payload' to app.relay'"),
    "via matching no hop": (
        "app.py", "# via: passed as 'payload' to app.relay", "# via: passed as 'body' to app.relay",
        "app.py:19: '# via: passed as 'body' to app.relay', but no finding's trace has that hop here"),
    "exit code": (
        "xborder.toml", CONFIG, CONFIG + 'fail-on = "never"\n',
        "exit code 0, expected 1 (1 when any '# expect:', else 0)"),
    "unreadable annotation": (
        "app.py", "# expect: XB101 user.contact.email", "# expect: user.contact.email",
        "app.py:6: cannot read '# expect: user.contact.email'"),
    "ok and expect on one line": (
        "app.py", "# ok: at home", "# ok: at home  # expect: XB101 user.contact.email",
        "app.py:10: '# ok' and a finding's annotation on one line"),
    "analysis error": (
        "app.py", "def relay(payload):", "def relay(payload)",
        ": reported error XB901: syntax error"),
}


def test_a_correctly_annotated_project_passes(tmp_path):
    assert check(write_project(tmp_path, {"app.py": APP, "xborder.toml": CONFIG})) == []


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_each_mistake_fails_with_a_clear_message(mistake, tmp_path):
    name, old, new, message = MISTAKES[mistake]
    files = {"app.py": APP, "xborder.toml": CONFIG}
    assert old in files[name]
    files[name] = files[name].replace(old, new, 1)
    problems = check(write_project(tmp_path, files))
    assert any(message in problem for problem in problems), "\n".join(problems)
