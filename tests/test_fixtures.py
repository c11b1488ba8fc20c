"""Every fixture project's findings match its expected.json exactly, in a report that matches the
report's JSON Schema (schemas/report.schema.json).

`expected.json` holds the scan arguments, the exit code and the findings in report order. Each
expected finding lists the contract fields it pins (the shop fixture pins all of them, traces
included); a finding has to match on each listed field, and the number of findings must match.
"""

from __future__ import annotations

import json

import pytest

from analyzer.knowledge.schema import check
from conftest import FIXTURES, scan_json

CASES = sorted(p.parent for p in FIXTURES.glob("**/expected.json"))


def project(actual, expected):
    """The part of `actual` that `expected` talks about (dicts by key, lists element-wise)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return {k: project(actual.get(k), v) for k, v in expected.items()}
    if isinstance(expected, list) and isinstance(actual, list) and len(actual) == len(expected):
        return [project(a, e) for a, e in zip(actual, expected)]
    return actual


@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(FIXTURES)) for c in CASES])
def test_fixture(case):
    spec = json.loads((case / "expected.json").read_text())
    code, data, stderr = scan_json(case, *spec.get("args", []))
    assert data is not None, stderr
    check(data, "report.schema.json", f"the report of {case.name}")
    assert data["errors"] == spec.get("errors", []), data["errors"]
    actual = data["findings"]
    expected = spec["findings"]
    assert [project(a, e) for a, e in zip(actual, expected)] == expected
    assert len(actual) == len(expected), json.dumps(actual[len(expected):], indent=1)
    assert code == spec["exit_code"]
