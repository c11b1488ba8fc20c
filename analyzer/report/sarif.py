"""SARIF 2.1.0, for code-scanning UIs (GitHub, GitLab, VS Code SARIF viewer).

Each (version 2) finding is a result at its sink call (start and end), with the source of each of
its categories as a related location, each category's trace as a threadFlow of its codeFlow, and
its line-free fingerprint as the partialFingerprint `xborder/v2` (version 1 had one result per
category, `xborder/v1`), so the UI tracks a finding across edits. Comment problems (family suppression) and files that could not be analysed
(family analysis) are results too, each under a rule of its own: GitHub code scanning shows no
tool notification, so a file it was told nothing about would look clean. Analysis problems are
note-level, as they never fail the run (`scan`'s exit code), so they do not fail a pull request
check either. Rule descriptors are made from rules/codes.toml, with GitHub's `security-severity`
and `precision` properties.

Artifact URIs are relative to the repository root (the git work tree holding the project, else
the project root), under `uriBaseId` %SRCROOT%, which is where GitHub resolves them whatever
folder was scanned; `originalUriBaseIds` says where that root was on the scanning machine.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from .. import __version__
from ..grouping import groups, message
from ..knowledge.codes import SEVERITY_ORDER, rule_codes
from .paths import from_repository, project_folder, repository_root

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
ROOT = "%SRCROOT%"

# GitHub code scanning's limits on an uploaded SARIF file ("SARIF results exceed limit",
# https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/results-exceed-limit,
# and "SARIF file is too large", .../troubleshooting-sarif-uploads/file-too-large): a run may hold
# 25,000 results, of which only the 5,000 most severe are kept; a result 10,000 thread flow
# locations, of which 1,000 are shown; a result 1,000 locations, of which 100 are shown (ours have
# one, and one related location); a rule 20 tags, 10 shown (ours have at most three); an upload
# 10 MB. Past these we keep what GitHub would show and say in a notification what was left out.
MAX_RESULTS = 5_000
MAX_FLOW_LOCATIONS = 1_000
MAX_BYTES = 10_000_000

# What each family's rules are to GitHub: findings are security results (shown with their
# security-severity); analysis and comment problems are not, and analysis problems are notes.
SECURITY_FAMILIES = ("transfer", "unresolved")


def _level(rule) -> str:
    return "note" if rule.skips_file else rule.severity


def _descriptor(rule, families) -> dict:
    help_text = f"{rule.why}\n\nInstead: {rule.instead}"
    markdown = f"{rule.why}\n\n**Instead:** {rule.instead}"
    if rule.excerpt:
        help_text = f"{rule.why}\n\nExample: {rule.excerpt}\n\nInstead: {rule.instead}"
        markdown = f"{rule.why}\n\nExample:\n\n```python\n{rule.excerpt}\n```\n\n**Instead:** {rule.instead}"
    if rule.reference:
        markdown += f"\n\n**Reference:** {rule.reference}"
    security = rule.family in SECURITY_FAMILIES
    properties = {"tags": ["security", "privacy", families[rule.family].tag] if security else ["privacy", families[rule.family].tag],
                  "precision": rule.precision}
    if security and rule.security_severity:
        properties["security-severity"] = rule.security_severity
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": f"{rule.summary} {rule.why}"},
        "help": {"text": help_text, "markdown": markdown},
        "defaultConfiguration": {"level": _level(rule)},
        "properties": properties,
    }


class _Locations:
    """Locations of one scan: paths relative to the repository root, as %SRCROOT% URIs."""

    def __init__(self, project: str):
        self.project = project  # the project root's folder in the repository (paths.project_folder)

    def __call__(self, path: str, line: int | None, column: int | None = None, message: str | None = None,
                 end: tuple = (0, 0)) -> dict:
        uri = quote(from_repository(self.project, path), errors="surrogateescape")
        physical = {"artifactLocation": {"uri": uri, "uriBaseId": ROOT}}
        if line:  # 0 means the position is unknown; SARIF lines start at 1
            region = {"startLine": line, **({"startColumn": column} if column else {})}
            end_line, end_column = end
            if end_line and (end_line, end_column) > (line, column or 0):
                region.update(endLine=end_line, endColumn=end_column)
            physical["region"] = region
        location = {"physicalLocation": physical}
        if message:
            location["message"] = {"text": message}
        return location


def _steps(flow, where: _Locations) -> tuple[list, int]:
    """The thread flow of one category's trace (GitHub's cap kept), and how many hops were left out."""
    hops = flow.trace
    if len(hops) > MAX_FLOW_LOCATIONS:  # the source end and the sink end, which GitHub would drop
        hops = hops[:MAX_FLOW_LOCATIONS // 2] + hops[len(hops) - MAX_FLOW_LOCATIONS // 2:]
    steps = [{"location": where(h.path, h.line, h.column, h.note,
                                flow.sink_end if (h.path, h.line, h.column) == (flow.sink_path, flow.sink_line, flow.sink_column) else (0, 0))}
             for h in hops]
    return steps, len(flow.trace) - len(hops)


def _result(group, index: dict, result, where: _Locations) -> dict:
    """One (version 2) finding: its sink call, each category's source as a related location and its
    trace as a thread flow, the most sensitive first."""
    flow = group.flow
    d = flow.destination
    flows = [_steps(f.flow, where) for f in group.items]
    out = {
        "ruleId": group.rule,
        "ruleIndex": index[group.rule],
        "level": group.severity,
        "message": {"text": message(group, result.home, result.regime)},
        "locations": [where(flow.sink_path, flow.sink_line, flow.sink_column, end=flow.sink_end)],
        "relatedLocations": [{"id": n, **where(f.flow.source_path, f.flow.source_line, f.flow.source_column,
                                               f"source: {f.flow.source.expression} ({f.flow.category})")}
                             for n, f in enumerate(group.items, 1)],
        "codeFlows": [{"threadFlows": [{"locations": steps} for steps, _ in flows]}],
        "partialFingerprints": {"xborder/v2": group.fingerprint},
        "properties": {"category": flow.category, "categories": list(group.categories), "kind": flow.kind,
                       "callee": flow.callee, "regime": result.regime,
                       "destination": {"host": d.host, "region": d.region, "jurisdiction": d.jurisdiction,
                                       "evidence": d.evidence}},
    }
    omitted = sum(n for _, n in flows)
    if omitted:
        out["properties"]["traceHopsOmitted"] = omitted
    if group.suppressed is not None:
        out["suppressions"] = [{"kind": "inSource", "justification": group.suppressed}]
    return out


def _results(result, codes, index: dict, where: _Locations) -> list:
    results = [_result(g, index, result, where) for g in groups(result.findings, result.categories)]
    if result.baseline is not None:  # findings the baseline knows were dropped
        for r in results:
            r["baselineState"] = "new"
    for e in result.errors:  # files not analysed and comment problems: results, which GitHub shows
        rule = codes[e.code]
        results.append({"ruleId": e.code, "ruleIndex": index[e.code], "level": _level(rule),
                        "message": {"text": e.message}, "locations": [where(e.path, e.line)]})
    return results


def _capped(results: list, limit: int) -> list:
    """The `limit` most severe results (errors, then warnings, then notes; in report order within a
    level), in report order, as GitHub keeps them."""
    if len(results) <= limit:
        return results
    ranked = sorted(range(len(results)), key=lambda i: (-SEVERITY_ORDER[results[i]["level"]], i))
    return [results[i] for i in sorted(ranked[:limit])]


def document(result, limit: int | None = None) -> dict:
    """The SARIF log of a scan, with at most `limit` results (default MAX_RESULTS)."""
    limit = MAX_RESULTS if limit is None else limit
    codes = rule_codes()
    rules = list(codes)
    index = {r.code: i for i, r in enumerate(rules)}
    project = project_folder(result.root)
    where = _Locations(project)
    everything = _results(result, codes, index, where)
    results = _capped(everything, limit)
    notifications = [{"level": "warning", "message": {"text": w}} for w in result.warnings]
    if len(results) < len(everything):
        notifications.append({"level": "warning", "message": {"text": (
            f"{len(everything) - len(results)} of {len(everything)} results left out: GitHub code scanning keeps at most "
            f"{limit} per run; the most severe are kept (`--format json` has them all)")}})
    repository = repository_root(result.root)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "xborder",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_descriptor(r, codes.families) for r in rules],
            }},
            # The category of the upload: one per project of the repository, so that scanning two
            # projects of a monorepo does not close each other's alerts.
            "automationDetails": {"id": f"xborder/{project + '/' if project else ''}"},
            "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
            "originalUriBaseIds": {ROOT: {"uri": Path(repository).as_uri().rstrip("/") + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": {"home": list(result.home), "regime": result.regime},
        }],
    }


def render(result, color: bool = False) -> str:
    """The SARIF log; one that would pass GitHub's upload size is written without indentation, then
    with fewer results (the most severe kept) until it fits."""
    doc = document(result)
    text = json.dumps(doc, indent=2, ensure_ascii=True) + "\n"
    limit = len(doc["runs"][0]["results"])
    while len(text.encode()) > MAX_BYTES and limit:
        text = json.dumps(document(result, limit), separators=(",", ":"), ensure_ascii=True) + "\n"
        limit //= 2
    return text
