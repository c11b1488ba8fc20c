"""Human-readable report: one block per finding, then a summary line."""

from __future__ import annotations

from collections import Counter

from ..escape import terminal as safe
from ..knowledge.codes import SEVERITY_ORDER, rule_codes
from .paths import shown

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "note": "\033[36m"}
_RESET = "\033[0m"


def render(result, color: bool = False, quiet: bool = False) -> str:
    """The findings and file problems, then (unless `quiet`, like ruff -q) the notes and the summary."""
    lines = []

    def here(rel: str) -> str:  # a root-relative path as seen from the current directory, escaped
        return safe(shown(result.root, rel))

    for f in result.findings:
        flow = f.flow
        d = flow.destination
        sev = f"{_COLORS[f.severity]}{f.severity}{_RESET}" if color else f.severity
        lines.append(f"{here(flow.sink_path)}:{flow.sink_line}:{flow.sink_column}: {f.rule} [{sev}] {safe(f.message)}")
        lines.append(f"  category:    {flow.category}")
        lines.append(f"  source:      {here(flow.source_path)}:{flow.source_line}:{flow.source_column} {safe(flow.source.expression)}")
        lines.append(f"  sink:        {here(flow.sink_path)}:{flow.sink_line}:{flow.sink_column} {flow.callee} ({flow.kind})")
        where = ", ".join(x for x in (d.host, d.region) if x) or "unknown"
        lines.append(f"  destination: {safe(where)} -> {d.jurisdiction or 'unknown'} ({safe(d.evidence)})")
        lines.append("  trace:")
        for h in flow.trace:
            lines.append(f"    {here(h.path)}:{h.line}:{h.column} {safe(h.note)}")
        if f.suppressed is not None:
            lines.append(f"  suppressed:  {safe(f.suppressed)}")
        lines.append("")
    for e in result.errors:
        where = f"{here(e.path)}:{e.line}" if e.line else here(e.path)
        lines.append(f"{where}: {e.code} {safe(e.message)}")
    if result.errors:
        lines.append("")
    if quiet:
        return "".join(line + "\n" for line in lines)
    for c in result.sanitized:
        lines.append(f"{here(c.path)}:{c.line}:{c.column}: sanitized by {safe(c.sanitizer)}: {', '.join(c.categories)}")
    for w in result.warnings:
        lines.append(f"warning: {safe(w)}")
    outcome = result.baseline
    if outcome is not None:
        lines.append(f"Baseline {safe(outcome.path)}: {outcome.matched} matched, {len(outcome.stale)} stale"
                     + (" (fixed or changed; run `xborder baseline` again to drop them):" if outcome.stale else "."))
        for e in outcome.stale:
            sink = e.get("sink") or {}
            lines.append(f"  {here(str(sink.get('path') or ''))}:{safe(sink.get('line'))}: {safe(e.get('rule'))} {safe(e.get('message'))} [{safe(e['fingerprint'])}]")
    counts = Counter(f.severity for f in result.findings if f.suppressed is None)
    by_severity = ", ".join(f"{counts[s]} {s}" for s in sorted(counts, key=lambda s: -SEVERITY_ORDER[s])) or "none"
    error_files = len({e.path for e in result.errors if rule_codes()[e.code].skips_file})  # not comment problems
    total = sum(counts.values())
    lines.append(f"Scanned {result.files} files ({error_files} with errors); "
                 f"{total} finding{'s' if total != 1 else ''} ({by_severity}); home {'/'.join(result.home)}"
                 + (f", regime {result.regime}" if result.regime else "") + ".")
    lines += _not_seen(result.coverage) + _not_modeled(result.coverage)
    return "\n".join(lines) + "\n"


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
