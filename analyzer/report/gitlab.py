"""GitLab's Code Quality report (`artifacts: reports: codequality:`), for the merge request widget.

The format, as GitLab documents it ("Code Quality report format",
https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format; the same fields as
the Code Climate issue spec it takes a subset of, github.com/codeclimate/platform
spec/analyzers/SPEC.md): a JSON array of objects with `description`, `check_name`, `fingerprint`
(unique per issue: GitLab shows only the first of the issues sharing one), `severity` (one of
info, minor, major, critical, blocker) and `location.path` (relative to the repository root) with
`location.lines.begin`.

One issue per (version 2) finding, with its line-free fingerprint; one per file problem. Severity:
an error finding whose code GitHub would call high at 8.0 or more (XB102 sensitive, XB103
important data) is critical, another error major, a warning minor, a note info; a file that was
not analysed is info (it never fails the run), a comment problem minor. Nothing is a blocker.
"""

from __future__ import annotations

import hashlib
import json

from ..grouping import groups, message
from ..knowledge.codes import rule_codes
from .paths import from_repository, project_folder

SEVERITY = {"error": "major", "warning": "minor", "note": "info"}


def _severity(rule, level: str) -> str:
    if level == "error" and rule.security_severity and float(rule.security_severity) >= 8.0:
        return "critical"
    return SEVERITY[level]


def _issue(description: str, check: str, fingerprint: str, severity: str, path: str, line) -> dict:
    return {"description": description, "check_name": check, "fingerprint": fingerprint, "severity": severity,
            "location": {"path": path, "lines": {"begin": line or 1}}}


def issues(result) -> list[dict]:
    codes = rule_codes()
    prefix = project_folder(result.root)
    out = []
    for g in groups(result.findings, result.categories):
        if g.suppressed is not None:
            continue  # the report has no way to mark an accepted issue
        flow = g.flow
        out.append(_issue(message(g, result.home, result.regime), g.rule, g.fingerprint, _severity(codes[g.rule], g.severity),
                          from_repository(prefix, flow.sink_path), flow.sink_line))
    seen: dict = {}
    for e in result.errors:
        rule = codes[e.code]
        key = "\x1f".join(("problem", e.code, e.path, e.message))
        base = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        seen[base] = seen.get(base, 0) + 1
        level = "minor" if rule.about_comment else "info"
        out.append(_issue(f"{e.code} {rule.name}: {e.message}", e.code, base if seen[base] == 1 else f"{base}-{seen[base]}",
                          level, from_repository(prefix, e.path), e.line))
    return out


def render(result, color: bool = False) -> str:
    return json.dumps(issues(result), indent=2, ensure_ascii=True) + "\n"
