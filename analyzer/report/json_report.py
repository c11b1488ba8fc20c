"""The JSON contract. Keys and meanings are stable within a version; new keys may be added.

Version 2 (`--format json`, schemas/report-v2.schema.json) has one finding per sink call,
destination and rule, with all its categories (grouping.py); version 1 (`--format json-v1`,
schemas/report.schema.json) one per category, as before. Everything but the findings is the same.
"""

from __future__ import annotations

import json

from .. import __version__
from ..grouping import groups, message

SCHEMA_VERSION = 2


def _source(flow) -> dict:
    return {"path": flow.source_path, "line": flow.source_line, "column": flow.source_column,
            "expression": flow.source.expression}


def _trace(flow) -> list:
    return [{"path": h.path, "line": h.line, "column": h.column, "note": h.note} for h in flow.trace]


def _sink_and_destination(flow) -> dict:
    d = flow.destination
    return {"sink": {"path": flow.sink_path, "line": flow.sink_line, "column": flow.sink_column,
                     "callee": flow.callee, "kind": flow.kind},
            "destination": {"host": d.host, "region": d.region, "jurisdiction": d.jurisdiction, "evidence": d.evidence}}


def _finding(rule: str, severity: str, message: str, flow, fingerprint: str, suppressed: str | None,
             categories: list | None = None) -> dict:
    """A finding's fields in report order, `categories` (version 2) after `category`."""
    out = {"rule": rule, "severity": severity, "message": message, "category": flow.category}
    if categories is not None:
        out["categories"] = categories
    out.update({"source": _source(flow), **_sink_and_destination(flow), "trace": _trace(flow), "fingerprint": fingerprint})
    if suppressed is not None:
        out["suppressed"] = suppressed
    return out


def flow_dict(finding) -> dict:
    """A version 1 finding: one category."""
    return _finding(finding.rule, finding.severity, finding.message, finding.flow, finding.fingerprint, finding.suppressed)


def group_dict(group, result) -> dict:
    """A version 2 finding: every category reaching one sink call, the most sensitive first; its
    `category`, `source` and `trace` are those of the first, for readers of one category."""
    categories = [{"category": f.flow.category, "source": _source(f.flow), "trace": _trace(f.flow),
                   "fingerprint_v1": f.fingerprint} for f in group.items]
    return _finding(group.rule, group.severity, message(group, result.home, result.regime), group.flow,
                    group.fingerprint, group.suppressed, categories)


def document(result, include_timing: bool = True, version: int = SCHEMA_VERSION) -> dict:
    findings = ([flow_dict(f) for f in result.findings] if version == 1 else
                [group_dict(g, result) for g in groups(result.findings, result.categories)])
    doc = {
        "version": version,
        "tool": {"name": "xborder", "version": __version__},
        "home": list(result.home),
        "regime": result.regime,
        "findings": findings,
        "errors": [{"path": e.path, "line": e.line, "message": e.message, "code": e.code} for e in result.errors],
        # Where a sanitizer (hashing, a configured anonymizer) stopped personal data.
        "sanitized": [{"path": c.path, "line": c.line, "column": c.column, "sanitizer": c.sanitizer,
                       "categories": list(c.categories)} for c in result.sanitized],
        "stats": {"files": result.files, "seconds": result.seconds if include_timing else 0},
    }
    outcome = result.baseline
    if outcome is not None:
        doc["baseline"] = {"path": outcome.path, "matched": outcome.matched, "stale": outcome.stale}
    cov = result.coverage
    if cov is not None:  # what the scan did not see
        doc["coverage"] = {
            "files": cov.files, "files_failed": cov.failed, "unresolved_destinations": cov.unresolved,
            "unmodeled_calls": [{"callee": u.callee, "package": u.package, "calls": len(u.sites), "categories": list(u.categories),
                                 "sites": [{"path": path, "line": line} for path, line in u.sites]} for u in cov.unmodeled],
            "caps": list(cov.caps),
        }
    return doc


def render(result, color: bool = False) -> str:
    return json.dumps(document(result), indent=2, ensure_ascii=True) + "\n"


def render_v1(result, color: bool = False) -> str:
    """Version 1 (`--format json-v1`), byte for byte what it was: one finding per category."""
    return json.dumps(document(result, version=1), indent=2, ensure_ascii=True) + "\n"
