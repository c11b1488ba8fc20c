"""GitHub-flavoured Markdown, for `$GITHUB_STEP_SUMMARY` and pull-request comments: a headline with
the count, a table of the count per rule code, then one row per (version 2) finding and file
problem, capped at MAX_ROWS with an "and N more" line.

Every string the project controls (paths, callees, hosts, categories, messages of problems) is in
a code span (escape.markdown_code), so that a file name cannot open a link, mention someone, inject
HTML or break the table. Paths are relative to the current directory, which in a CI job is the
checkout, as for `--format github`. GitHub caps a step summary at 1 MiB and a comment at 65,536
characters; MAX_ROWS rows of at most MAX_CELL characters a cell stay under the second.
"""

from __future__ import annotations

from ..escape import markdown_code as code
from ..grouping import groups
from ..knowledge.codes import rule_codes
from .paths import shown
from .statistics import rows

MAX_ROWS = 50
MAX_CELL = 200  # characters of project text in one cell


def _cell(text: object) -> str:
    text = str(text)
    return code(text if len(text) <= MAX_CELL else text[:MAX_CELL - 1] + "\u2026")


def _finding_row(g, here) -> str:
    flow = g.flow
    d = flow.destination
    where = ", ".join(x for x in (d.host, d.region) if x)
    leaves = f"{d.jurisdiction or 'unknown'}" + (f" ({_cell(where)})" if where else "")
    return (f"| {g.severity} | {_cell(f'{here(flow.sink_path)}:{flow.sink_line}:{flow.sink_column}')} | {g.rule} | "
            f"{', '.join(_cell(c) for c in g.categories)} | {leaves} | {_cell(flow.callee)} |")


def _problem_row(e, here, codes) -> str:
    rule = codes[e.code]
    level = rule.severity if rule.about_comment else "not analysed" if rule.skips_file else rule.severity
    where = f"{here(e.path)}:{e.line}" if e.line else here(e.path)
    return f"| {level} | {_cell(where)} | {e.code} | \u2014 | \u2014 | {_cell(e.message)} |"


def _summary(result, found: list) -> list[str]:
    counts: dict = {}
    for g in found:
        counts[g.severity] = counts.get(g.severity, 0) + 1
    total = len(found)
    severities = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    head = (f"### xborder: {total} finding{'s' if total != 1 else ''}" + (f" ({severities})" if severities else ""))
    scope = (f"Scanned {result.files} files; home {code('/'.join(result.home) or 'none')}"
             + (f", regime {code(result.regime)}" if result.regime else "") + ".")
    lines = [head, "", scope]
    if result.baseline is not None:
        lines.append(f"Baseline {_cell(result.baseline.path)}: {result.baseline.matched} matched, "
                     f"{len(result.baseline.stale)} stale.")
    if result.diff is not None:
        lines.append(f"Diff mode: only findings on lines changed since {_cell(result.diff.ref)}.")
    return lines


def render(result, color: bool = False, limit: int = MAX_ROWS) -> str:
    """The summary and the table; findings suppressed inline are left out (as in `--format github`)."""
    codes = rule_codes()
    found = [g for g in groups(result.findings, result.categories) if g.suppressed is None]

    def here(rel: str) -> str:
        return shown(result.root, rel)

    lines = _summary(result, found)
    table = rows(result)
    if table:
        lines += ["", "| rule | count |", "|---|---:|"]
        lines += [f"| {row['code']} {row['name']} | {row['count']} |" for row in table]
    body = [_finding_row(g, here) for g in found] + [_problem_row(e, here, codes) for e in result.errors]
    if body:
        lines += ["", "| severity | where | rule | categories | to | call |", "|---|---|---|---|---|---|"]
        lines += body[:limit]
    if len(body) > limit:
        rest = len(body) - limit
        lines += ["", f"_\u2026and {rest} more row{'s' if rest != 1 else ''}: `xborder scan --format json` lists them all._"]
    return "\n".join(lines) + "\n"
