"""Files with the same bytes are summarized once (issue 16): the summary is re-bound to each file's
path and module (rebind.py), never copied with the first file's names, and the reports stay
byte-identical, cold or warm."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from xborder.discover import discover
from xborder.knowledge import load_knowledge
from xborder.knowledge.config import Config
from xborder.rebind import rebind
from xborder.runner import Runner
from xborder.summarize import Context, summarize
from conftest import run_cli

SENDER = b'''import requests


def push(user):
    requests.post("https://api.segment.io/v1/t", json={"email": user.email})


def handle(user):
    push(user)
'''
# Names its own module in its text: a copy cannot be re-bound safely, it is summarized again.
NAMED = b'''import requests

HELPERS = "helpers.push"


def push(user):
    requests.post("https://api.mixpanel.com/track", json={"phone": user.phone})
'''
RELATIVE = b"from .models import Customer\n\n__all__ = [Customer]\n"
MODELS = b"class Customer:\n    email: str\n"
PARENT = b"from .. import settings\n"

PROJECT = {
    "a/__init__.py": b"", "b/__init__.py": b"", "c/__init__.py": b"",
    "a/sender.py": SENDER, "b/sender.py": SENDER,
    "a/helpers.py": NAMED, "b/helpers.py": NAMED,
    "a/shop/__init__.py": RELATIVE, "a/shop/models.py": MODELS, "b/shop/__init__.py": RELATIVE, "b/shop/models.py": MODELS,
    "a/up/__init__.py": PARENT, "b/up/__init__.py": PARENT,
}


@pytest.fixture(scope="module")
def ctx():
    k = load_knowledge(Config(home=("CN",)))
    return Context(k.vocabulary, k.catalog.flowrules, k.sources)


def write(root: Path, files: dict) -> Path:
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


class Counting(Runner):
    """A runner that records which files its workers summarized."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.summarized: list = []

    def _run(self, todo):
        self.summarized += [item[1] for _, item in todo]
        return super()._run(todo)


def summaries(root: Path, ctx, cache=None) -> tuple[dict, list]:
    runner = Counting(ctx, root, cache, jobs=1)
    with runner:
        found = runner.summaries(discover(root, [root]), 1 << 20)
    return {s.path: s for s in found}, sorted(runner.summarized)


def test_identical_files_are_summarized_once_and_each_keeps_its_names(tmp_path, ctx):
    root = write(tmp_path / "p", PROJECT)
    by_path, summarized = summaries(root, ctx)
    # One of each group of same bytes is summarized, except where re-binding cannot be sure: a file
    # naming its own module (helpers.py), a relative import from a parent package (`from ..`).
    assert summarized == ["a/__init__.py", "a/helpers.py", "a/sender.py", "a/shop/__init__.py", "a/shop/models.py",
                          "a/up/__init__.py", "b/helpers.py", "b/up/__init__.py"]
    for rel, module, is_package in [("b/sender.py", "b.sender", False), ("c/__init__.py", "c", True),
                                    ("b/shop/__init__.py", "b.shop", True), ("b/shop/models.py", "b.shop.models", False)]:
        data = PROJECT[rel]
        alone = summarize(data, rel, module, is_package, ctx, by_path[rel].digest)
        assert by_path[rel] == alone, rel  # exactly what summarizing it would have made
    b = by_path["b/sender.py"]
    assert [f.qualname for f in b.functions] == ["b.sender.push", "b.sender.handle", "b.sender.<module>"]
    assert "a.sender" not in repr(b) and "a/sender.py" not in repr(b)
    assert dict(by_path["b/shop/__init__.py"].imports)["Customer"] == "b.shop.models.Customer"


def test_rebind_refuses_what_it_cannot_be_sure_of(ctx):
    named = summarize(NAMED, "a/helpers.py", "a.helpers", False, ctx, "d")
    assert rebind(named, NAMED, "b/helpers.py", "b.helpers", False) is None
    parent = summarize(PARENT, "a/up/__init__.py", "a.up", True, ctx, "d")
    assert rebind(parent, PARENT, "b/up/__init__.py", "b.up", True) is None
    relative = summarize(RELATIVE, "shop/__init__.py", "shop", True, ctx, "d")  # a relative import with a package ...
    assert rebind(relative, RELATIVE, "shop.py", "shop", False) is None  # ... re-bound to a module with none
    sender = summarize(SENDER, "a/sender.py", "a.sender", False, ctx, "d")
    assert rebind(sender, SENDER, "a/sender.py", "a.sender", False) is sender


def test_a_cached_summary_is_reused_for_another_path(tmp_path, ctx):
    from xborder.cache import Cache

    root = write(tmp_path / "p", {"a/__init__.py": b"", "a/sender.py": SENDER})
    cache = Cache(tmp_path / "cache", "digest")
    summaries(root, ctx, cache)
    write(root, {"b/__init__.py": b"", "b/sender.py": SENDER})  # copies made after the first scan
    by_path, summarized = summaries(root, ctx, cache)
    assert summarized == []
    assert by_path["b/sender.py"].module == "b.sender" and by_path["b/__init__.py"].module == "b"


TIMING = re.compile(r'\s*"seconds": [^,\n]*,?')


def test_copies_report_their_own_findings_and_warm_equals_cold(tmp_path):
    root = write(tmp_path / "p", PROJECT)
    args = ("scan", "--format", "json", "--home", "CN", "--jobs", "2")
    reports, raw = [], ""
    for extra in (("--no-cache",), ("--cache-dir", str(tmp_path / "cache")), ("--cache-dir", str(tmp_path / "cache"))):
        result = run_cli(*args, *extra, str(root))
        assert result.exit_code == 1, result.output
        reports.append(TIMING.sub("", result.stdout))
        raw = result.stdout
    assert reports[0] == reports[1] == reports[2]  # no cache, cold, warm: byte-identical
    findings = json.loads(raw)["findings"]
    sinks = sorted({(f["sink"]["path"], f["sink"]["line"]) for f in findings})
    assert sinks == [("a/helpers.py", 7), ("a/sender.py", 5), ("b/helpers.py", 7), ("b/sender.py", 5)]
    for f in findings:  # each finding's trace stays in its own copy
        assert {p["path"].split("/")[0] for p in (f["source"], *f["trace"])} == {f["sink"]["path"].split("/")[0]}


def test_the_cache_key_is_the_same_in_every_process():
    """The rules' digest keys the cache: a set's order follows string hashing, which differs per
    process, so a digest built from a set's repr changed from one scan to the next and a warm scan
    summarized everything again about every other time (flow.toml's record_categories)."""
    code = ("from xborder.knowledge import load_knowledge; from xborder.knowledge.config import Config; "
            "print(load_knowledge(Config(home=('CN',))).digest())")
    digests = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout for seed in range(1, 7)}
    assert len(digests) == 1, digests
