"""Summarize one module: libcst tree in, `ModuleSummary` (plain data, see summary.py) out.

Each function, method, lambda, class body and the module body is interpreted once, in order, over
an abstract environment (variable -> `Val`). Branches are joined, loops run twice. What comes out
is symbolic: atoms for parameters, call results, fields and globals (ir.py), which the global
stages resolve across modules. Personal-data sources are marked here, by name, with the vocabulary.

    values.py       how values combine; what a literal or a name chain says
    names.py        scopes, located nodes, sources by name, imports, name lookup
    expressions.py  the value of each expression kind
    calls.py        call sites, and what is known right away (str.format, os.getenv, d.get("key"))
    statements.py   branches, loops, match, with, try, assignments
    definitions.py  functions, classes, fields, and the Summarizer holding one module's state
    positions.py    (line, column) of located nodes, computed only on request
    data.py         big literals of constants blanked before parsing (data, not a tree)

The summary is a pure function of (bytes, rules digest, analyzer code). Positions cost a code
generation pass, so they are computed only for the modules that a reported flow touches.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

import libcst as cst

from ..summary import ModuleSummary, ParseError
from .data import literal_data_blanked
from .definitions import Summarizer
from .positions import node_starts

_SUPPRESS = re.compile(rb"#\s*xborder:\s*ignore(?:\[(?P<codes>[A-Za-z0-9_, ]*)\])?(?P<reason>[^\r\n]*)")


@dataclass(frozen=True)
class Context:
    """What summarizing needs besides the file: the vocabulary, the flow rules and the sources
    besides names."""

    vocabulary: object  # knowledge.vocabulary.Vocabulary
    flowrules: object  # knowledge.catalog.Flowrules
    sources: object  # knowledge.sources.SourceRules


def suppressions(source: bytes) -> tuple:
    """`# xborder: ignore[XB101] reason` comments: (line, codes, reason)."""
    if b"xborder:" not in source:
        return ()
    found = []
    for number, line in enumerate(source.splitlines(), 1):
        m = _SUPPRESS.search(line)
        if m:
            codes = tuple(c.strip() for c in (m.group("codes") or b"").decode("ascii", "replace").split(",") if c.strip())
            found.append((number, codes, m.group("reason").decode("utf-8", "replace").strip()))
    return tuple(found)


def summarize(source: bytes, path: str, module: str, is_package: bool, ctx: Context,
              digest: str, with_positions: bool = False) -> ModuleSummary:
    """One module in, one summary out; a file that cannot be read as Python yields an error summary."""
    tree = _parse(source, path, module, digest)
    if isinstance(tree, ModuleSummary):
        return tree
    s = Summarizer(ctx, path, module, is_package)
    limit = sys.getrecursionlimit()
    try:
        # Both walks recurse once per level of nesting (a long `+` chain is as deep as it is long).
        sys.setrecursionlimit(max(limit, 8000))
        s.run(tree)
        positions = tuple(node_starts(tree, s.locs)) if with_positions else ()
    except RecursionError:
        return ModuleSummary(path, module, digest, error=ParseError(1, 1, "too deeply nested to analyze", "XB902"))
    finally:
        sys.setrecursionlimit(limit)
    return ModuleSummary(
        path=path, module=module, digest=digest,
        sources=tuple(s.sources), calls=tuple(s.calls), functions=tuple(s.functions), classes=tuple(s.classes),
        globals=tuple(sorted(s.module_env.items())), imports=tuple(sorted(s.imports.items())), suppressions=suppressions(source),
        positions=positions,
    )


def _parse(source: bytes, path: str, module: str, digest: str) -> cst.Module | ModuleSummary:
    """The tree, or the error summary of a file that is not Python we can read."""
    try:
        return cst.parse_module(literal_data_blanked(source))
    except cst.ParserSyntaxError as exc:
        # libcst's message says where it stopped; its raw line can be one past that, and the
        # message's line can be past the end of the file (then the raw position is the best we have).
        where = re.search(r"error at (\d+):(\d+)", exc.message)
        if where and 1 <= int(where[1]) <= len(source.splitlines()):
            line, column = int(where[1]), int(where[2])
        else:
            line, column = exc.raw_line, exc.raw_column + 1
        return ModuleSummary(path, module, digest, error=ParseError(line, column, f"syntax error: {exc.message}"))
    except (UnicodeDecodeError, LookupError, SyntaxError, ValueError) as exc:
        return ModuleSummary(path, module, digest, error=ParseError(1, 1, f"cannot decode: {exc}"))
    except RecursionError:
        return ModuleSummary(path, module, digest, error=ParseError(1, 1, "too deeply nested to parse", "XB902"))
