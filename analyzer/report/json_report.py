"""The JSON contract (version 1). Keys and meanings are stable; new keys may be added."""

from __future__ import annotations

import json

from .. import __version__

SCHEMA_VERSION = 1


def flow_dict(finding) -> dict:
    flow = finding.flow
    d = flow.destination
    out = {
        "rule": finding.rule,
        "severity": finding.severity,
        "message": finding.message,
        "category": flow.category,
        "source": {"path": flow.source_path, "line": flow.source_line, "column": flow.source_column,
                   "expression": flow.source.expression},
        "sink": {"path": flow.sink_path, "line": flow.sink_line, "column": flow.sink_column,
                 "callee": flow.callee, "kind": flow.kind},
        "destination": {"host": d.host, "region": d.region, "jurisdiction": d.jurisdiction, "evidence": d.evidence},
        "trace": [{"path": h.path, "line": h.line, "column": h.column, "note": h.note} for h in flow.trace],
        "fingerprint": finding.fingerprint,
    }
    if finding.suppressed is not None:
        out["suppressed"] = finding.suppressed
    return out


def document(result, include_timing: bool = True) -> dict:
    doc = {
        "version": SCHEMA_VERSION,
        "tool": {"name": "xborder", "version": __version__},
        "home": list(result.home),
        "regime": result.regime,
        "findings": [flow_dict(f) for f in result.findings],
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
