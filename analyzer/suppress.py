"""Inline suppressions: `# xborder: ignore[XB101] reason` on a finding's sink line or source line.

A suppression without codes covers every code. The reason is required, because a reviewer must be
able to tell why a flow was accepted: a suppression without one does not suppress and is reported
as XB904. With `warn_unused`, a suppression that matched nothing is reported as XB903.

XB903 and XB904 are about a comment, not a flow, so they are reported like parse errors: as
`FileError`s (path, line, message, code) in `ScanResult.errors`. Unlike parse errors they count
toward the exit code, at their severity in rules/codes.toml, which also holds their messages.
"""

from __future__ import annotations

from dataclasses import replace

from .knowledge.codes import rule_codes
from .results import FileError, Finding


def _covers(codes: tuple, rule: str) -> bool:
    return not codes or rule in codes


def apply(findings: list[Finding], summaries, warn_unused: bool = False) -> tuple[list[Finding], list[FileError]]:
    """Findings with `suppressed` set where a comment applies, and the problems found in the comments."""
    comments = {(s.path, line): (codes, reason) for s in summaries for line, codes, reason in s.suppressions}
    used = set()
    out = []
    for finding in findings:
        flow = finding.flow
        for place in ((flow.sink_path, flow.sink_line), (flow.source_path, flow.source_line)):
            codes, reason = comments.get(place, ((), ""))
            if reason and _covers(codes, finding.rule):
                used.add(place)
                finding = replace(finding, suppressed=reason)
                break
        out.append(finding)
    problems = []
    for (path, line), (codes, reason) in sorted(comments.items()):
        problem = "XB904" if not reason else "XB903" if warn_unused and (path, line) not in used else None
        if problem is not None:
            which = f"ignore[{','.join(codes)}]" if codes else "ignore"
            problems.append(FileError(path, line, rule_codes()[problem].format(suppression=which), problem))
    return out, problems
