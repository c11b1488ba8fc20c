"""The record of processing as a Fides system manifest (fideslang `system` resources), for `fides push`.

The scanned project is one system: a privacy declaration per `[[processing]]` activity that has a
`data-use` (fideslang requires one), with the fideslang data categories of the flows it covers
(rules/fideslang.toml maps xborder's), its data subjects, legal basis and the recipients it sends to;
each recipient is a system of its own, named in the project's `egress`. Rows no activity with a
data use covers are listed under `meta.xborder.undeclared`, so that nothing is left out unsaid.
Written as JSON, which YAML readers (Fides reads manifests with PyYAML) take as it is.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePath

from ..knowledge.fides import fides_taxonomy
from ..results import OWN_PLACES
from .processing import Record

# config legal-basis -> fideslang LegalBasisForProcessingEnum (fideslang 3.1.4 models.py:252-264)
LEGAL_BASES = {"consent": "Consent", "contract": "Contract", "legal-obligation": "Legal obligations",
               "vital-interests": "Vital interests", "public-interest": "Public interest",
               "legitimate-interests": "Legitimate interests"}
_NO_SYSTEM = {*OWN_PLACES.values(), "unknown"}  # recipients that are no system to send to: the application's own disk and stores, nobody known


def fides_key(name: str) -> str:
    """A fideslang key (letters, digits, _ . < > -) made from a name."""
    return re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_") or "unnamed"


def _declaration(activity, rows: list, taxonomy) -> dict:
    categories = sorted({k for r in rows if (k := taxonomy.key_for(r.category))})
    recipients = sorted({r.recipient for r in rows} - _NO_SYSTEM)
    out = {"name": activity.purpose, "data_categories": categories, "data_use": activity.data_use,
           "data_subjects": list(activity.data_subjects), "data_shared_with_third_parties": bool(recipients),
           "third_parties": ", ".join(recipients) or None, "processes_special_category_data": any(r.sensitive for r in rows)}
    if recipients:  # fideslang: a declaration's egress, even an empty list, needs its system's egress
        out["egress"] = [fides_key(r) for r in recipients]
    if activity.legal_basis:
        out["legal_basis_for_processing"] = LEGAL_BASES[activity.legal_basis]
    return out


def document(result, rows: list[Record]) -> dict:
    taxonomy = fides_taxonomy()
    project = PurePath(result.root).name or "project"
    declarations, declared = [], set()
    for activity in result.processing:
        if not activity.data_use:
            continue
        covered = [r for r in rows if activity.purpose in r.purposes and activity.data_use in r.data_uses]
        covered = [r for r in covered if taxonomy.key_for(r.category)]
        if covered:
            declarations.append(_declaration(activity, covered, taxonomy))
            declared.update(r.key() for r in covered)
    recipients = sorted({r.recipient for r in rows if r.key() in declared} - _NO_SYSTEM)
    egress = [{"fides_key": fides_key(who), "type": "system",
               "data_categories": sorted({taxonomy.key_for(r.category) for r in rows if r.recipient == who and r.key() in declared})}
              for who in recipients]
    transfers = sorted({r.transfer_mechanism for r in rows if r.cross_border == "yes"} - {"none"})
    system = {"fides_key": fides_key(project), "name": project, "system_type": "Application",
              "description": f"Personal-data flows of {project} found by xborder (record of processing)",
              "privacy_declarations": declarations, "egress": egress or None,
              "does_international_transfers": any(r.cross_border == "yes" for r in rows),
              "legal_basis_for_transfers": transfers,
              "meta": {"xborder": {"fideslang": taxonomy.version,
                                   "undeclared": [" / ".join(r.key()) for r in rows if r.key() not in declared]}}}
    vendors = [{"fides_key": fides_key(who), "name": who, "system_type": "Service",
                "description": f"Recipient of personal data from {project}", "privacy_declarations": []}
               for who in recipients if fides_key(who) != system["fides_key"]]
    return {"system": [system, *vendors]}


def render(result, rows: list[Record]) -> str:
    return json.dumps(document(result, rows), indent=2, ensure_ascii=True) + "\n"
