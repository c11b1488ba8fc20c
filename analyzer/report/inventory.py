"""The record of processing: every flow (at home or abroad) with its verdict, as CSV for a privacy register.

The HTML audit report reads the same `entries()`, so the picture and the register never disagree.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from ..escape import terminal
from ..results import OWN_PLACES

COLUMNS = ("category", "category_name", "sensitive", "destination", "jurisdiction", "cross_border", "sink",
           "callee", "kind", "legal_basis", "reference", "rule")

# Statuses of a flow, most to least alarming: a segment of the data map shared by several flows takes
# the first status any of them has.
STATUSES = ("abroad", "unknown", "approved", "home")
CROSS_BORDER = {"abroad": "yes", "approved": "yes", "unknown": "unknown", "home": "no"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Entry:
    flow: object  # types.Flow
    status: str  # one of STATUSES
    finding: object = None  # the types.Finding the flow raised, if any
    allow: object = None  # the config.Allow entry that approved it, if any


def destination_label(dest) -> str:
    return dest.host or dest.region or OWN_PLACES.get(dest.rule) or "unknown destination"


def jurisdiction_label(dest) -> str:
    return dest.jurisdiction or "unknown"


def entries(result) -> list[Entry]:
    """Every flow of the scan with the finding or approval it got, sorted for stable output."""
    findings = {}
    for finding in result.findings:
        findings.setdefault(finding.flow, finding)
    allowed = {flow: allow for flow, allow in result.approved}
    out = []
    for flow in result.flows:
        j = flow.destination.jurisdiction
        allow = allowed.get(flow)
        if j is None:
            status = "unknown"
        elif j in result.at_home:
            status = "home"
        else:
            status = "approved" if allow is not None else "abroad"
        out.append(Entry(flow, status, findings.get(flow), allow))
    return sorted(out, key=lambda e: (e.flow.category, e.flow.sink_path, e.flow.sink_line, e.flow.sink_column,
                                      destination_label(e.flow.destination), jurisdiction_label(e.flow.destination)))


def category_info(result, category: str) -> tuple[str, bool]:
    """(display name, sensitive under the regime); a category unknown to the vocabulary keeps its id."""
    return result.categories.get(category, (category, False))


def cell(value: str) -> str:
    """Controls escaped (escape.terminal), and CSV formula injection defused: spreadsheets execute
    cells starting with = + - @ (and tab, CR)."""
    return "'" + value if value.startswith(_FORMULA_START) else terminal(value)


def rows(result) -> list[tuple]:
    out = set()
    for e in entries(result):
        flow, dest = e.flow, e.flow.destination
        name, sensitive = category_info(result, flow.category)
        out.add((flow.category, name, "yes" if sensitive else "no", destination_label(dest), jurisdiction_label(dest),
                 CROSS_BORDER[e.status], f"{flow.sink_path}:{flow.sink_line}", flow.callee, flow.kind,
                 e.allow.basis if e.allow else "none", e.allow.reference if e.allow else "",
                 e.finding.rule if e.finding else ""))
    return sorted(out)


def render(result) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows(result):
        writer.writerow([cell(str(v)) for v in row])
    return buffer.getvalue()
