"""bench/real.py's scoring: how a finding is judged by the labels and verdicts of its app."""

from __future__ import annotations

import importlib.util
import sys

from conftest import ROOT

spec = importlib.util.spec_from_file_location("bench_real", ROOT / "bench" / "real.py")
real = importlib.util.module_from_spec(spec)
sys.modules["bench_real"] = real
spec.loader.exec_module(real)


def finding(host, jurisdiction, category="user.content.private", line=34):
    return {"rule": "XB101", "category": category, "sink": {"path": "web/search.py", "line": line, "callee": "requests.post"},
            "source": {"path": "web/chat.py", "line": 1, "expression": "message"},
            "destination": {"host": host, "region": None, "jurisdiction": jurisdiction}, "trace": []}


def verdict(verdict_, jurisdiction, reason):
    return {"sink": "web/search.py:34", "category": "user.content.private", "destination": "api.search.example",
            "verdict": verdict_, "jurisdiction": jurisdiction, "reason": reason}


def test_each_verdict_on_one_finding_judges_only_the_place_it_names():
    # A verdict for the place an older engine reported and one for the place it reports now, on
    # the same sink, category and destination: neither hides the other.
    app = real.App("search", {}, [], [], [verdict("false", "unknown", "left unplaced"), verdict("true", "AT", "placed")])
    report = {"findings": [finding("api.search.example", "AT"), finding("api.search.example", None)], "errors": []}
    s = real.score(app, report, 1.0, {})
    assert [(v, reason) for v, reason, _ in s.judged] == [("true", "placed"), ("false", "left unplaced")]
    assert (s.true, s.false, s.unjudged) == (1, 1, 0)


def test_a_finding_no_label_or_verdict_judges_counts_unjudged():
    app = real.App("search", {}, [], [], [verdict("true", "AT", "placed")])
    s = real.score(app, {"findings": [finding("api.search.example", "US")], "errors": []}, 1.0, {})
    assert (s.true, s.false, s.unjudged) == (0, 0, 1)
