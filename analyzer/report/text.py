"""Human-readable report, like ruff's: per finding a headline, the code and the trace; then a summary."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from ..escape import terminal as safe
from ..grouping import groups, message, short_names
from ..knowledge.codes import SEVERITY_ORDER, rule_codes
from .paths import shown
from .source import SourceLines

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "note": "\033[36m"}
_RESET = "\033[0m"


def render(result, color: bool = False, quiet: bool = False, trace: bool = True, verbose: bool = False) -> str:
    """The findings and file problems, then (unless `quiet`, like ruff -q) the notes and the summary.
    Each finding is its headline, then (with `trace`, like ruff's full output) the sink's line of code
    with a caret under the call and one line per hop of its trace; `verbose` adds each finding's
    destination evidence and lists where sanitizers stopped personal data (else only counted)."""
    lines = []

    def here(rel: str) -> str:  # a root-relative path as seen from the current directory, escaped
        return safe(shown(result.root, rel))

    sources = SourceLines(result.root) if trace else None
    found = groups(result.findings, result.categories)
    for g in found:
        lines += _finding(g, result, here, color, sources, verbose)
    for e in result.errors:
        where = f"{here(e.path)}:{e.line}" if e.line else here(e.path)
        lines.append(f"{where}: {e.code} {safe(e.message)}")
    if result.errors or (found and not trace):
        lines.append("")
    if quiet:
        return "".join(line + "\n" for line in lines)
    lines += _sanitized(result, here, verbose)
    for w in result.warnings:
        lines.append(f"warning: {safe(w)}")
    lines += _baseline(result.baseline, here)
    counts = Counter(g.severity for g in found if g.suppressed is None)
    by_severity = ", ".join(f"{counts[s]} {s}" for s in sorted(counts, key=lambda s: -SEVERITY_ORDER[s])) or "none"
    error_files = len({e.path for e in result.errors if rule_codes()[e.code].skips_file})  # not comment problems
    total = sum(counts.values())
    lines.append(f"Scanned {result.files} files ({error_files} with errors); "
                 f"{total} finding{'s' if total != 1 else ''} ({by_severity}); home {'/'.join(result.home)}"
                 + (f", regime {result.regime}" if result.regime else "") + ".")
    lines += _diff_scope(result.diff) + _not_seen(result.coverage) + _not_modeled(result.coverage)
    return "\n".join(lines) + "\n"


def _finding(f, result, here, color: bool, sources: SourceLines | None, verbose: bool) -> list[str]:
    """One (version 2) finding: its headline, naming its categories by short names; with `sources`
    (--show-trace), the sink's code and the trace of each category (its source hop names it)."""
    flow = f.flow
    sev = f"{_COLORS[f.severity]}{f.severity}{_RESET}" if color else f.severity
    text = message(f, result.home, result.regime, short_names(f.categories))
    lines = [f"{here(flow.sink_path)}:{flow.sink_line}:{flow.sink_column}: {f.rule} [{sev}] {safe(text)}"]
    if sources is not None:
        mark = _COLORS[f.severity] if color else ""
        lines += quote(sources.line(flow.sink_path, flow.sink_line), flow.sink_line, flow.sink_column, mark)
    if verbose:
        d = flow.destination
        where = ", ".join(x for x in (d.host, d.region) if x) or "unknown"
        lines.append(f"  destination: {safe(where)} -> {d.jurisdiction or 'unknown'} ({safe(d.evidence)})")
    if sources is not None:
        lines += [f"  trace: {here(h.path)}:{h.line} {safe(h.note)}" for item in f.items for h in item.flow.trace]
    if f.suppressed is not None:
        lines.append(f"  suppressed: {safe(f.suppressed)}")
    return lines + ([""] if sources is not None else [])


def quote(code: str, number: int, column: int, mark: str = "") -> list[str]:
    """A line of code under a gutter with its number, and carets under the dotted name starting at
    `column` (1-based: the callee of a sink call), else one caret, as ruff shows a diagnostic's
    code. Project text is escaped (a control shows as `\\x1b`), a tab is 4 spaces, a wide character
    2 columns; a long line shows a window around the caret. Nothing when the line is empty or the
    column past its end."""
    if not code.strip() or not 0 < column <= len(code):
        return []
    first = column - 1
    name = _NAME.match(code, first)
    last = name.end() if name else first + 1
    start = max(0, first - _BEFORE) if len(code) > _WIDTH else 0
    stop = min(len(code), max(start + _WIDTH, last))
    cells = [_cell(c) for c in code[start:stop]]
    before = "\u2026" if start else ""
    after = "\u2026" if stop < len(code) else ""
    pad = " " * (len(before) + sum(_width(c) for c in cells[:first - start]))
    carets = "^" * max(1, sum(_width(c) for c in cells[first - start:last - start]))
    gutter = str(number)
    return [f"  {gutter} | {before}{''.join(cells)}{after}",
            f"  {' ' * len(gutter)} | {pad}{mark}{carets}{_RESET if mark else ''}"]


_NAME = re.compile(r"[^\W\d][\w.]*")  # a dotted name: the callee a sink's column points at
_WIDTH, _BEFORE = 160, 40  # characters of a long line shown, of them before the caret


def _cell(c: str) -> str:
    """How one character of code is shown: a tab as 4 spaces, a control escaped."""
    return "    " if c == "\t" else safe(c)


def _width(shown_text: str) -> int:
    """Terminal columns a shown character takes: 2 for wide (CJK), 0 for combining marks."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in shown_text)


def _sanitized(result, here, verbose: bool) -> list[str]:
    """Where sanitizers stopped personal data: listed with --verbose, else one line counting them."""
    if verbose:
        return [f"{here(c.path)}:{c.line}:{c.column}: sanitized by {safe(c.sanitizer)}: {', '.join(c.categories)}"
                for c in result.sanitized]
    n = len(result.sanitized)
    return [f"Sanitized: {n} place{'s' if n != 1 else ''} where a sanitizer stopped personal data (--verbose lists them)."] if n else []


def _baseline(outcome, here) -> list[str]:
    """The baseline's matched count and its stale entries, when one was applied."""
    if outcome is None:
        return []
    lines = [f"Baseline {safe(outcome.path)}: {outcome.matched} matched, {len(outcome.stale)} stale"
             + (" (fixed or changed; run `xborder baseline` again to drop them):" if outcome.stale else ".")]
    for e in outcome.stale:
        sink = e.get("sink") or {}
        lines.append(f"  {here(str(sink.get('path') or ''))}:{safe(sink.get('line'))}: {safe(e.get('rule'))} {safe(e.get('message'))} [{safe(e['fingerprint'])}]")
    return lines


def _diff_scope(diff) -> list[str]:
    """In diff mode, which lines the findings were chosen by."""
    if diff is None:
        return []
    n = len(diff.lines)
    return [f"Diff mode: only findings whose source, sink or trace is on a line changed since {safe(diff.ref)} "
            f"({n} changed file{'s' if n != 1 else ''} in the project)."]


def _not_seen(coverage) -> list[str]:
    """One line on the files and destinations the result does not cover, and one per analysis bound
    that was hit, when there are any."""
    if coverage is None:
        return []
    parts = [f"{n} {what}{'s' if n != 1 else ''} {rest}" for n, what, rest in
             ((coverage.failed, "file", "not analysed"), (coverage.unresolved, "flow", "to destinations left unknown")) if n]
    caps = [f"Stopped at a bound: {cap} (findings may be missing)." for cap in coverage.caps]
    return ([f"Not seen: {'; '.join(parts)} (flows through them are missing or unplaced)."] if parts else []) + caps


def _not_modeled(coverage) -> list[str]:
    """One line on the calls no rule models, so that a clean result is not read as a clean bill."""
    if coverage is None or not coverage.unmodeled:
        return []
    calls = sum(len(u.sites) for u in coverage.unmodeled)
    packages = sorted({u.package for u in coverage.unmodeled})
    with_data = sorted({c for u in coverage.unmodeled for c in u.categories})
    return [f"Not modeled: {calls} call{'s' if calls != 1 else ''} into {', '.join(packages)}"
            + (f", reached by {', '.join(with_data)}" if with_data else "")
            + " (no rule says where they send data; `--format json` lists them under coverage)."]
