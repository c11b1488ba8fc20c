"""SARIF 2.1.0, for code-scanning UIs (GitHub, GitLab, VS Code SARIF viewer).

Each finding is a result at its sink, with the source as a related location, the trace as a
codeFlow and the line-free fingerprint as a partialFingerprint, so the UI tracks a flow across
edits. Comment problems (XB903, XB904) are results too. Files that could not be analysed (XB901,
XB902) are tool execution notifications, since they say what the analysis missed, not what the
code does.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from .. import __version__
from ..evaluate import RULES
from ..suppress import SEVERITY as COMMENT_SEVERITY

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
ROOT = "%SRCROOT%"
NOTIFICATIONS = ("XB901", "XB902")  # descriptors of toolExecutionNotifications, not rules

# The level a rule has when the regime does not decide (evaluate may raise or lower it per finding).
DEFAULT_LEVEL = {"XB101": "error", "XB102": "error", "XB103": "error", "XB104": "warning", "XB201": "warning",
                 "XB901": "error", "XB902": "warning", **COMMENT_SEVERITY}
_FAMILY = {"1": "cross-border-transfer", "2": "unresolved-destination", "9": "analysis"}


def _descriptor(rule) -> dict:
    help_text = f"{rule.why}\n\nInstead: {rule.instead}"
    markdown = f"{rule.why}\n\n**Instead:** {rule.instead}"
    if rule.example:
        help_text = f"{rule.why}\n\nExample: {rule.example}\n\nInstead: {rule.instead}"
        markdown = f"{rule.why}\n\nExample:\n\n```python\n{rule.example}\n```\n\n**Instead:** {rule.instead}"
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": f"{rule.summary} {rule.why}"},
        "help": {"text": help_text, "markdown": markdown},
        "defaultConfiguration": {"level": DEFAULT_LEVEL[rule.code]},
        "properties": {"tags": ["privacy", _FAMILY[rule.code[2]]]},
    }


def _location(path: str, line: int | None, column: int | None = None, message: str | None = None) -> dict:
    physical = {"artifactLocation": {"uri": quote(path, errors="surrogateescape"), "uriBaseId": ROOT}}
    if line:  # 0 means the position is unknown; SARIF lines start at 1
        physical["region"] = {"startLine": line, **({"startColumn": column} if column else {})}
    location = {"physicalLocation": physical}
    if message:
        location["message"] = {"text": message}
    return location


def _result(finding, index: dict, regime: str | None) -> dict:
    flow = finding.flow
    d = flow.destination
    steps = [{"location": _location(h.path, h.line, h.column, h.note)} for h in flow.trace]
    result = {
        "ruleId": finding.rule,
        "ruleIndex": index[finding.rule],
        "level": finding.severity,
        "message": {"text": finding.message},
        "locations": [_location(flow.sink_path, flow.sink_line, flow.sink_column)],
        "relatedLocations": [{"id": 1, **_location(flow.source_path, flow.source_line, flow.source_column,
                                                   f"source: {flow.source.expression} ({flow.category})")}],
        "codeFlows": [{"threadFlows": [{"locations": steps}]}],
        "partialFingerprints": {"xborder/v1": finding.fingerprint},
        "properties": {"category": flow.category, "kind": flow.kind, "callee": flow.callee, "regime": regime,
                       "destination": {"host": d.host, "region": d.region, "jurisdiction": d.jurisdiction,
                                       "evidence": d.evidence}},
    }
    if finding.suppressed is not None:
        result["suppressions"] = [{"kind": "inSource", "justification": finding.suppressed}]
    return result


def document(result) -> dict:
    codes = [c for c in RULES if c not in NOTIFICATIONS]
    index = {c: i for i, c in enumerate(codes)}
    notification_index = {c: i for i, c in enumerate(NOTIFICATIONS)}
    results = [_result(f, index, result.regime) for f in result.findings]
    if result.baseline is not None:  # findings the baseline knows were dropped
        for r in results:
            r["baselineState"] = "new"
    notifications = []
    for e in result.errors:
        if e.code in index:
            results.append({"ruleId": e.code, "ruleIndex": index[e.code], "level": DEFAULT_LEVEL[e.code],
                            "message": {"text": e.message}, "locations": [_location(e.path, e.line)]})
        else:
            notifications.append({"descriptor": {"id": e.code, "index": notification_index[e.code]},
                                  "level": "error", "message": {"text": e.message}, "locations": [_location(e.path, e.line)]})
    notifications += [{"level": "warning", "message": {"text": w}} for w in result.warnings]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "xborder",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_descriptor(RULES[c]) for c in codes],
                "notifications": [_descriptor(RULES[c]) for c in NOTIFICATIONS],
            }},
            "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
            "originalUriBaseIds": {ROOT: {"uri": Path(result.root).resolve().as_uri().rstrip("/") + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": {"home": list(result.home), "regime": result.regime},
        }],
    }


def render(result, color: bool = False) -> str:
    return json.dumps(document(result), indent=2, ensure_ascii=True) + "\n"
