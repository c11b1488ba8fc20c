"""analyzer.positions gives exactly libcst's PositionProvider starts, for every kind of node we locate,
and its ends for the calls (a SARIF region ends where the sink call does)."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from xborder.summarize.positions import node_spans
from conftest import FIXTURES, ROOT

KINDS = (cst.Call, cst.Attribute, cst.Name, cst.Subscript, cst.SimpleString, cst.FunctionDef, cst.ClassDef,
         cst.FormattedStringText, cst.Lambda, cst.Module, cst.Param, cst.Dict)

TRICKY = (
    b"x = (  # comment\n    a.b  [ 'k' ]\n)\r\nif y:\r\n\tz = f'{a}\\n{b!r:>{w}}' \\\n  + \"s\"\n"
    b"@dec\nasync def f(p: 'T' = 1, *a, **k) -> None:\n    return lambda q: q(\n        k='v')\n"
)


def _compare(source: bytes) -> int:
    module = cst.parse_module(source)
    nodes = []

    class Collect(cst.CSTVisitor):
        def on_visit(self, node):
            if isinstance(node, KINDS):
                nodes.append(node)
            return True

    module.visit(Collect())
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    starts, ends = node_spans(module, nodes)
    assert starts == [(expected[n].start.line, expected[n].start.column + 1) for n in nodes]
    calls = [i for i, n in enumerate(nodes) if isinstance(n, cst.Call)]
    assert [ends[i] for i in calls] == [(expected[nodes[i]].end.line, expected[nodes[i]].end.column + 1) for i in calls]
    return len(nodes)


def test_same_positions_as_libcst_on_the_fixtures_and_the_analyzer():
    count = 0
    for path in sorted(FIXTURES.glob("**/*.py")) + sorted((ROOT / "analyzer").glob("*.py")):
        count += _compare(path.read_bytes())
    assert count > 5000


def test_same_positions_on_tricky_whitespace():
    assert _compare(TRICKY) > 20
