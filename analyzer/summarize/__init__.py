"""Summarize one module: libcst tree in, `ModuleSummary` (plain data, see summary.py) out.

Each function, method, lambda, class body and the module body is interpreted once, in order, over
an abstract environment (variable -> `Val`). Branches are joined, loops run twice. What comes out
is symbolic: atoms for parameters, call results, fields and globals (ir.py), which the global
stages resolve across modules. Personal-data sources are marked here, by name, with the vocabulary.

    values.py       how values combine; what a literal or a name chain says
    names.py        scopes, located nodes, sources by name, imports, name lookup
    expressions.py  the value of each expression kind
    keys.py         reads and writes by key (`d["email"]`, `d[key]` with a key the caller gives)
    logins.py       service clients and logins: whose account a value sent to a service is
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
from dataclasses import dataclass, field

import libcst as cst

from ..summary import ModuleSummary, ParseError
from .data import literal_data_blanked
from .definitions import Summarizer
from .positions import node_spans

MAX_SKIPPED_ERRORS = 5  # empty blocks filled in one file before it counts as not Python

_SUPPRESS = re.compile(rb"#\s*xborder:\s*ignore(?:\[(?P<codes>[A-Za-z0-9_, ]*)\])?(?P<reason>[^\r\n]*)")


@dataclass(frozen=True)
class Context:
    """What summarizing needs besides the file: the vocabulary, the flow rules and the sources
    besides names."""

    vocabulary: object  # knowledge.vocabulary.Vocabulary
    flowrules: object  # knowledge.catalog.Flowrules
    sources: object  # knowledge.sources.SourceRules
    senders: dict = field(default_factory=dict)  # library class -> categories it sends by itself (Catalog.senders)


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
    parsed = _parse(source, path, module, digest)
    if isinstance(parsed, ModuleSummary):
        return parsed
    tree, skipped = parsed
    s = Summarizer(ctx, path, module, is_package, source)
    limit = sys.getrecursionlimit()
    try:
        # Both walks recurse once per level of nesting (a long `+` chain is as deep as it is long).
        sys.setrecursionlimit(max(limit, 8000))
        s.run(tree)
        starts, ends = node_spans(tree, s.locs) if with_positions else ((), ())
    except RecursionError:
        return ModuleSummary(path, module, digest, error=ParseError(1, 1, "too deeply nested to analyze", "XB902"))
    finally:
        sys.setrecursionlimit(limit)
    return ModuleSummary(
        path=path, module=module, digest=digest,
        sources=tuple(s.sources), calls=tuple(s.calls), functions=tuple(s.functions), classes=tuple(s.classes),
        globals=tuple(sorted(s.module_env.items())), imports=tuple(sorted(s.imports.items())), star_imports=tuple(s.star_imports),
        unbound_imports=tuple(sorted(s.unbound_imports)),
        declared_globals=tuple(sorted(s.declared_globals.items())),
        template_tags=tuple(s.template_tags),
        suppressions=suppressions(source),
        positions=tuple(starts), ends=tuple(ends), skipped=skipped, mentions=tuple(sorted(s.mentions)),
        settings_names=tuple(sorted(s.settings_names)),
    )


def _parse(source: bytes, path: str, module: str, digest: str) -> tuple | ModuleSummary:
    """The tree and the syntax errors skipped to get it, or the error summary of a file that is not
    Python we can read."""
    skipped = []
    source = literal_data_blanked(source)  # once: blanking keeps every line where it was
    while True:
        try:
            return cst.parse_module(source), tuple(skipped)
        except cst.ParserSyntaxError as exc:
            error = ParseError(*_error_position(source, exc), f"syntax error: {exc.message}")
            filled = _fill_empty_block(source, error) if len(skipped) < MAX_SKIPPED_ERRORS else None
            if filled is None:
                return ModuleSummary(path, module, digest, error=error)
            source, header = filled
            skipped.append(header)
        except (UnicodeDecodeError, LookupError, SyntaxError, ValueError) as exc:
            return ModuleSummary(path, module, digest, error=ParseError(1, 1, f"cannot decode: {exc}"))
        except RecursionError:
            return ModuleSummary(path, module, digest, error=ParseError(1, 1, "too deeply nested to parse", "XB902"))


def _error_position(source: bytes, exc: cst.ParserSyntaxError) -> tuple[int, int]:
    """libcst's message says where it stopped; its raw line can be one past that, and the
    message's line can be past the end of the file (then the raw position is the best we have)."""
    where = re.search(r"error at (\d+):(\d+)", exc.message)
    if where and 1 <= int(where[1]) <= len(source.splitlines()):
        return int(where[1]), int(where[2])
    return exc.raw_line, exc.raw_column + 1


def _fill_empty_block(source: bytes, error: ParseError) -> tuple[bytes, ParseError] | None:
    """The source with a block left empty (`with lock:` followed by comments only) given a `pass` on
    its first blank or comment line, line numbers kept, as error-tolerant parsers step over it, so
    that an unfinished block does not lose the flows of the whole file; with the XB905 error naming
    the block's line. None for any other error."""
    if "expected INDENT" not in error.message:
        return None
    lines = source.split(b"\n")
    code = [i for i in range(min(error.line - 1, len(lines))) if lines[i].strip() and not lines[i].lstrip().startswith(b"#")]
    filler = [i for i in range(code[-1] + 1, error.line - 1)
              if not lines[i].strip() or lines[i].lstrip().startswith(b"#")] if code else []
    if not filler:
        return None
    header = lines[code[-1]]
    indent = header[:len(header) - len(header.lstrip())]
    lines[filler[0]] = indent + b"    pass"
    return b"\n".join(lines), ParseError(code[-1] + 1, len(indent) + 1, "syntax error: this block has no body, only "
                                          "comments; read as `pass`, and the rest of the file was analysed", "XB905")
