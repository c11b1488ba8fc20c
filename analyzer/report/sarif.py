"""SARIF 2.1.0, for code-scanning UIs (GitHub, GitLab, VS Code SARIF viewer).

Each finding is a result at its sink, with the source as a related location, the trace as a
codeFlow and the line-free fingerprint as a partialFingerprint, so the UI tracks a flow across
edits. Comment problems (family suppression) are results too. Files that could not be analysed
(family analysis) are tool execution notifications, since they say what the analysis missed, not
what the code does. Rule descriptors are made from rules/codes.toml.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from .. import __version__
from ..knowledge.codes import rule_codes

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
ROOT = "%SRCROOT%"


def _descriptor(rule, families) -> dict:
    help_text = f"{rule.why}\n\nInstead: {rule.instead}"
    markdown = f"{rule.why}\n\n**Instead:** {rule.instead}"
    if rule.excerpt:
        help_text = f"{rule.why}\n\nExample: {rule.excerpt}\n\nInstead: {rule.instead}"
        markdown = f"{rule.why}\n\nExample:\n\n```python\n{rule.excerpt}\n```\n\n**Instead:** {rule.instead}"
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": f"{rule.summary} {rule.why}"},
        "help": {"text": help_text, "markdown": markdown},
        "defaultConfiguration": {"level": rule.severity},
        "properties": {"tags": ["privacy", families[rule.family].tag]},
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
    codes = rule_codes()
    rules = [r for r in codes if not r.skips_file]  # the others describe toolExecutionNotifications
    notified = [r for r in codes if r.skips_file]
    index = {r.code: i for i, r in enumerate(rules)}
    notification_index = {r.code: i for i, r in enumerate(notified)}
    results = [_result(f, index, result.regime) for f in result.findings]
    if result.baseline is not None:  # findings the baseline knows were dropped
        for r in results:
            r["baselineState"] = "new"
    notifications = []
    for e in result.errors:
        if e.code in index:
            results.append({"ruleId": e.code, "ruleIndex": index[e.code], "level": codes[e.code].severity,
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
                "rules": [_descriptor(r, codes.families) for r in rules],
                "notifications": [_descriptor(r, codes.families) for r in notified],
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
