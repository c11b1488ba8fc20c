"""The record of processing (GDPR Art. 30(1); the facts of a PIPL Art. 55-56 impact assessment of a
transfer abroad): one row per (category, recipient, country, transfer mechanism), as CSV and JSON.

What a row says comes from three places: the flows of the scan (category, destination, call sites as
evidence), the rule tables (the vendor a destination belongs to, the regime's mechanisms and adequacy)
and the config: `[[processing]]` activities (purpose, data subjects, legal basis, a recipient the tables
cannot name) and `[[allow]]` approvals (the transfer mechanism and where it is recorded).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from .. import __version__
from ..results import OWN_PLACES
from .inventory import CROSS_BORDER, cell, category_info, entries, jurisdiction_label

VERSION = 1
COLUMNS = ("category", "category_name", "sensitive", "data_subjects", "purpose", "legal_basis", "recipient", "destinations",
           "country", "cross_border", "transfer_mechanism", "mechanism_detail", "evidence")


@dataclass(frozen=True)
class Record:
    category: str
    category_name: str
    sensitive: bool
    recipient: str
    country: str  # a jurisdiction code or group, or "unknown"
    cross_border: str  # yes | no | unknown
    transfer_mechanism: str  # an [[allow]] basis, "adequacy", "not a transfer", "none" or "unknown destination"
    mechanism_detail: str
    data_subjects: tuple
    purposes: tuple
    legal_bases: tuple
    data_uses: tuple  # fideslang data uses of the activities (for the Fides export)
    destinations: tuple  # hosts or regions
    evidence: tuple  # ((path, line, column, callee, kind), ...), sorted

    def key(self) -> tuple:
        """What identifies a row across audits: the mechanism follows from the country (and the config)."""
        return (self.category, self.recipient, self.country)

    def as_dict(self) -> dict:
        return {
            "category": self.category, "category_name": self.category_name, "sensitive": self.sensitive,
            "data_subjects": list(self.data_subjects), "purposes": list(self.purposes), "legal_bases": list(self.legal_bases),
            "data_uses": list(self.data_uses), "recipient": self.recipient, "destinations": list(self.destinations),
            "country": self.country, "cross_border": self.cross_border, "transfer_mechanism": self.transfer_mechanism,
            "mechanism_detail": self.mechanism_detail,
            "evidence": [{"path": p, "line": line, "column": col, "callee": callee, "kind": kind}
                         for p, line, col, callee, kind in self.evidence],
        }


def recipient(flow, activities: list) -> str:
    """Who receives the data: the vendor the destination tables name, else the name an activity gives,
    else the host or region itself (or local storage, the application's own store)."""
    dest = flow.destination
    named = [a.recipient for a in activities if a.recipient]
    if dest.vendor:
        return dest.vendor
    if named:
        return named[0]
    if dest.rule in OWN_PLACES:
        return OWN_PLACES[dest.rule]
    return dest.host or dest.region or "unknown"


def mechanism(entry, result) -> tuple[str, str]:
    """(mechanism, detail) of a flow: how its transfer is lawful, or why none is needed or there is none."""
    juris = entry.flow.destination.jurisdiction
    if entry.status == "home":
        return "not a transfer", f"the data stays in {juris} (home: {'/'.join(result.home) or 'home'})"
    if entry.status == "unknown":
        return "unknown destination", "no table places the destination (XB201): which country receives the data is not known"
    if entry.allow is not None:
        basis = entry.allow.basis
        detail = result.mechanisms.get(basis, basis)
        return basis, detail + (f" (recorded in {entry.allow.reference})" if entry.allow.reference else "")
    if juris in result.adequate:
        return "adequacy", f"{juris} is adequate under {result.regime}: no further mechanism needed"
    rule = f" ({entry.finding.rule})" if entry.finding else ""
    return "none", f"no mechanism: no [[allow]] covers {entry.flow.category} to {juris}{rule}"


def records(result) -> list[Record]:
    """The rows of the record, sorted by category, recipient and country."""
    groups: dict = {}
    for entry in entries(result):
        flow = entry.flow
        activities = [a for a in result.processing if a.covers(flow)]
        mech, detail = mechanism(entry, result)
        key = (flow.category, recipient(flow, activities), jurisdiction_label(flow.destination), mech)
        group = groups.setdefault(key, {"detail": detail, "status": entry.status, "activities": [], "places": set(),
                                        "sites": set()})
        group["activities"] += [a for a in activities if a not in group["activities"]]
        dest = flow.destination
        group["places"].add(dest.host or dest.region or "")
        group["sites"].add((flow.sink_path, flow.sink_line, flow.sink_column, flow.callee, flow.kind))
    out = []
    for (category, who, country, mech), g in sorted(groups.items()):
        name, sensitive = category_info(result, category)
        acts = [a for a in result.processing if a in g["activities"]]  # in config order
        out.append(Record(category, name, sensitive, who, country, CROSS_BORDER[g["status"]], mech, g["detail"],
                          _unique(s for a in acts for s in a.data_subjects), _unique(a.purpose for a in acts),
                          _unique(a.legal_basis for a in acts if a.legal_basis), _unique(a.data_use for a in acts if a.data_use),
                          tuple(sorted(p for p in g["places"] if p)), tuple(sorted(g["sites"]))))
    return out


def _unique(items) -> tuple:
    return tuple(dict.fromkeys(items))


def render_csv(rows: list[Record]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in rows:
        row = (r.category, r.category_name, "yes" if r.sensitive else "no", "; ".join(r.data_subjects), "; ".join(r.purposes),
               "; ".join(r.legal_bases), r.recipient, "; ".join(r.destinations), r.country, r.cross_border,
               r.transfer_mechanism, r.mechanism_detail,
               "; ".join(f"{path}:{line} {callee}" for path, line, _, callee, _ in r.evidence))
        writer.writerow([cell(str(v)) for v in row])
    return buffer.getvalue()


def document(result, rows: list[Record]) -> dict:
    return {"version": VERSION, "tool": {"name": "xborder", "version": __version__}, "home": list(result.home),
            "regime": result.regime, "records": [r.as_dict() for r in rows]}


def render_json(result, rows: list[Record]) -> str:
    return json.dumps(document(result, rows), indent=2, ensure_ascii=True) + "\n"
