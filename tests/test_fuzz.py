"""Property-based tests: grammar-generated Python (hypothesmith) and arbitrary bytes.

- the summarizer returns a summary (maybe with a reported parse error) for every input;
- renaming a non-personal identifier never changes the findings;
- adding an unrelated module never removes a finding;
- the command line, given any arguments, config, baseline and source, exits 0, 1 or 2 without a
  traceback or an internal error.
Example counts are small to keep the suite fast; bench/fuzz.py runs the long campaign.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import keyword
import tempfile
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xborder import __main__ as entry
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


# The command line, end to end: any arguments, config, baseline and source give exit 0, 1 or 2
# with at most one line of error, never a traceback nor the guard's "internal error" (a bug).
COMMANDS = ["scan", "baseline", "audit", "rules", "explain", "classify", "where", "callgraph"]
OPTIONS = ["--home", "--regime", "--format", "--output", "-o", "--fail-on", "--baseline", "--max-file-bytes",
           "--file-timeout", "--jobs", "--config", "--cache-dir", "--no-cache", "--include-tests", "--show-suppressed",
           "--warn-unused-ignores", "--region", "--provider", "--owner", "--no-trace", "--verbose", "--diff-base",
           "--changed-only", "--", "-h"]
VALUES = ["CN", "EU", "xx", "json", "sarif", "github", "text", "dot", "never", "nan", "inf", "-1", "0", "1", "1e999",
          str(10 ** 30), "gdpr", "XB101", "email", "https://[evil]/", "aws:us-west-2"]
SAFE_TEXT = st.text(max_size=12).filter(lambda t: not t.startswith("/") and ".." not in t and "\0" not in t)
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=12)
PROJECT_FILES = st.fixed_dictionaries({
    "app.py": st.sampled_from([TEMPLATE.format(**DEFAULT_NAMES).encode()]) | st.binary(max_size=300),
    "xborder.toml": st.sampled_from([b'home = "CN"\n']) | st.binary(max_size=200)
    | st.text(max_size=60).map(lambda t: ('home = "CN"\n' + t).encode("utf-8", "surrogatepass")),
    "baseline.json": JSON.map(lambda d: json.dumps({"version": 1, "findings": d}).encode()) | st.binary(max_size=200),
})


ARGUMENTS = st.lists(st.sampled_from(OPTIONS) | st.sampled_from(VALUES) | SAFE_TEXT
                     | st.sampled_from(["PROJECT", "PROJECT/app.py", "PROJECT/baseline.json", "PROJECT/xborder.toml", "OUT"]),
                     max_size=8)
# Half the runs start from a valid command line, so that random input reaches the scan, not only the parser.
CLI_INPUTS = st.tuples(st.sampled_from(COMMANDS), PROJECT_FILES,
                       st.tuples(st.sampled_from([[], ["--no-cache", "--jobs", "1", "--home", "CN", "PROJECT"]]), ARGUMENTS).map(lambda p: p[0] + p[1]))


def runs_cleanly(command: str, files: dict, args: list) -> None:
    """`xborder COMMAND ARGS` in a throwaway folder holding the project: exit 0, 1 or 2, no traceback."""
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp)
        project = write_project(Path(tmp) / "project", files)
        argv = [command] + [a.replace("PROJECT", str(project)).replace("OUT", str(Path(tmp) / "out")) for a in args]
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err), pytest.raises(SystemExit) as raised:
            entry.run(argv)
    assert raised.value.code in (0, 1, 2), (argv, err.getvalue())
    assert "Traceback" not in err.getvalue() and "internal error" not in err.getvalue(), (argv, err.getvalue())


@settings(FAST, max_examples=25)
@given(CLI_INPUTS)
def test_the_command_line_never_crashes(inputs):
    runs_cleanly(*inputs)
