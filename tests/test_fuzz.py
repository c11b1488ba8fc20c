"""Property-based tests: grammar-generated Python (hypothesmith) and arbitrary bytes.

- the summarizer returns a summary (maybe with a reported parse error) for every input;
- renaming a non-personal identifier never changes the findings;
- adding an unrelated module never removes a finding.
Example counts are small to keep the suite fast; bench/fuzz.py runs the long campaign.
"""

from __future__ import annotations

import functools
import keyword
import tempfile
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xborder import pipeline as scan_module
from xborder.knowledge import load_knowledge
from xborder.knowledge.config import Config
from xborder.pipeline import Options
from xborder.summarize import Context, summarize
from xborder.summary import ModuleSummary
from conftest import write_project

pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")  # hypothesmith compiles what it generates
FAST = settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck), database=None)
PIPELINE = settings(FAST, max_examples=15)


@functools.lru_cache(maxsize=None)
def knowledge(load=load_knowledge):
    """The rules, loaded once: reloading them per example would dominate the run time."""
    return load(Config(home=("CN",)))


def summarizes(source: bytes) -> ModuleSummary:
    k = knowledge()
    summary = summarize(source, "fuzz.py", "fuzz", False, Context(k.vocabulary, k.catalog.flowrules, k.sources), "digest")
    assert isinstance(summary, ModuleSummary)
    assert summary.error is None or summary.error.code in ("XB901", "XB902") and summary.error.message
    return summary


@FAST
@given(hypothesmith.from_grammar())
def test_summarizer_total_on_generated_python(source):
    summarizes(source.encode("utf-8", "surrogatepass"))


@FAST
@given(st.binary(max_size=2000))
def test_summarizer_total_on_arbitrary_bytes(source):
    summarizes(source)


def findings(files: dict) -> list:
    """Findings of a throwaway project, projected onto what names cannot legitimately change."""
    with tempfile.TemporaryDirectory() as tmp:
        root = write_project(Path(tmp), files)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(scan_module, "load_knowledge", lambda config, rules=knowledge(): rules)
            result = scan_module.scan(Options(paths=(str(root),), home=("CN",), use_cache=False, jobs=1))
    return sorted((f.rule, f.severity, f.flow.category, f.flow.sink_path, f.flow.sink_line, f.flow.sink_column,
                   f.flow.destination.host, f.flow.destination.jurisdiction) for f in result.findings)


TEMPLATE = '''import requests

{endpoint} = "https://api.segment.io/v1/track"


def {helper}({param}):
    {local} = {{"email": {param}.email, "phone": {param}.phone_number, "note": "n"}}
    return {local}


def {sender}(customer):
    {other} = {helper}(customer)
    requests.post({endpoint}, json={other})
'''
DEFAULT_NAMES = dict(endpoint="ENDPOINT", helper="build", param="who", local="body", sender="send", other="data")


def _neutral(name: str) -> bool:
    """Not a keyword or builtin, and nothing the vocabulary reads meaning into (category, context,
    meta or transformed-value words), so renaming to it must be invisible to the analysis."""
    vocabulary = knowledge().vocabulary
    if keyword.iskeyword(name) or name in dir(__builtins__) or name in ("requests", "customer", "json"):
        return False
    words = [w.replace(" ", "") for ws in vocabulary.matching.values() for w in ws]
    return vocabulary.classify(name, None) is None and not any(w and w in name for w in words)


NAMES = st.from_regex(r"[a-z][a-z0-9_]{1,10}", fullmatch=True).filter(_neutral)


def test_template_has_findings():
    assert len(findings({"app.py": TEMPLATE.format(**DEFAULT_NAMES)})) == 2


@PIPELINE
@given(st.lists(NAMES, min_size=len(DEFAULT_NAMES), max_size=len(DEFAULT_NAMES), unique=True))
def test_renaming_a_non_personal_identifier_keeps_findings(names):
    renamed = dict(zip(DEFAULT_NAMES, names))
    renamed["endpoint"] = renamed["endpoint"].upper()
    assert findings({"app.py": TEMPLATE.format(**renamed)}) == findings({"app.py": TEMPLATE.format(**DEFAULT_NAMES)})


@PIPELINE
@given(hypothesmith.from_grammar())
def test_adding_an_unrelated_module_never_removes_a_finding(extra):
    base = {"app.py": TEMPLATE.format(**DEFAULT_NAMES)}
    before = findings(base)
    after = findings({**base, "zz_unrelated.py": extra.encode("utf-8", "surrogatepass")})
    assert set(before) <= set(after)
