"""Evaluate: which flows break the project's policy, with which rule code and severity.

Rule codes are a public contract: a code is never reused for another meaning.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from .results import Finding, Flow


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    summary: str
    why: str
    example: str
    instead: str


RULES = {
    r.code: r
    for r in (
        Rule("XB101", "personal-data-leaves-home",
             "Personal data reaches a destination outside the home jurisdiction.",
             "Transfer laws (PIPL Art. 38-40, GDPR Chapter V, 152-FZ/242-FZ, DPDP) allow exports only to "
             "adequate countries or under a legal basis such as a security assessment or standard contract.",
             'requests.post("https://api.mixpanel.com/track", json={"phone": user.phone})',
             "Send to an endpoint in the home jurisdiction, drop or anonymize the field, or record the "
             "approved transfer in [[allow]] with its basis and reference."),
        Rule("XB102", "sensitive-data-leaves-home",
             "Sensitive personal data (biometrics, health, IDs, financial accounts, precise location, minors, "
             "GDPR Art. 9 categories) reaches a destination outside the home jurisdiction.",
             "Sensitive categories need separate consent and stricter mechanisms (PIPL Art. 28-29; GDPR Art. 9).",
             'boto3.client("s3", region_name="us-east-1").put_object(Bucket=b, Body=face_image)',
             "Keep sensitive data in the home jurisdiction or document the legal basis in [[allow]]."),
        Rule("XB103", "important-data-leaves-home",
             "Data the home regime treats as 'important data' (China: vehicle exterior video, licence plates "
             "in images, sensitive-area locations, charging networks, surveying data) leaves the jurisdiction.",
             "Important data must be stored domestically and may be exported only after a CAC security "
             "assessment (DSL Art. 31; Automotive Data Provisions Art. 11).",
             'requests.post("https://eu.example.com/upload", files={"plate": plate_image})',
             "Store and process it in the home jurisdiction."),
        Rule("XB104", "conditional-adequacy",
             "Personal data goes to a destination whose adequacy is conditional (for GDPR: the US only for "
             "organisations certified under the EU-US Data Privacy Framework).",
             "The transfer is lawful only if the recipient holds the certification; check it and record it.",
             'requests.post("https://api.segment.io/v1/track", json={"email": email})',
             "Confirm the recipient's certification and record it in [[allow]] with basis 'dpf'."),
        Rule("XB201", "unresolved-destination",
             "Personal data reaches a network or storage call whose destination cannot be determined statically.",
             "An unknown destination may be abroad; an auditor cannot tell.",
             'requests.post(os.environ["ENDPOINT"], json={"email": email})',
             "Give the host a default in code or map it in [destinations], or set unknown-destinations."),
        Rule("XB901", "parse-error", "A file could not be parsed or decoded; it was not analysed.",
             "Flows in a file that is not analysed are not reported.", "print x", "Fix or exclude the file."),
        Rule("XB902", "file-limit", "A file exceeded an analysis limit (size, nesting, time) and was skipped.",
             "Flows in a file that is not analysed are not reported.", "", "Raise the limit or exclude the file."),
        Rule("XB903", "unused-suppression", "An inline suppression matched no finding.",
             "Suppressions that do nothing hide nothing and mislead readers.", "", "Remove it."),
        Rule("XB904", "suppression-without-reason", "An inline suppression gives no reason.",
             "A reviewer must be able to tell why a flow was accepted.", "# xborder: ignore[XB101]",
             "# xborder: ignore[XB101] approved transfer, ticket PRIV-12"),
    )
}

SEVERITY_ORDER = {"error": 3, "warning": 2, "note": 1, "none": 0}


class Policy:
    def __init__(self, config, jurisdictions, vocabulary):
        self.config = config
        self.j = jurisdictions
        self.vocab = vocabulary
        self.home = config.home
        self.regime = None
        if config.regime:
            self.regime = jurisdictions.regimes.get(config.regime)
        elif self.home:
            self.regime = jurisdictions.regime_for_home(self.home[0])

    def at_home(self, jurisdiction: str) -> bool:
        """Inside the home jurisdiction, or inside the area its regime treats as one (a German
        project may send to France: GDPR has no transfer inside the EEA)."""
        area = self.home + (self.regime.home if self.regime else ())
        return jurisdiction == "HOME" or any(self.j.contains(h, jurisdiction) for h in area)

    def allowed_by(self, flow: Flow):
        for entry in self.config.allow:
            if not any(c == "*" or flow.category == c or flow.category.startswith(c + ".") for c in entry.categories):
                continue
            if any(j == "*" or self.j.contains(j, flow.destination.jurisdiction) for j in entry.jurisdictions):
                return entry
        return None

    def is_sensitive(self, category: str) -> bool:
        cat = self.vocab.categories.get(category)
        if cat is not None and cat.sensitive:
            return True
        prefixes = self.regime.sensitive if self.regime else ()
        return any(category == p or category.startswith(p + ".") for p in prefixes)

    def judge(self, flow: Flow):
        """(rule, severity, message) for a flow, or None when it is fine; ("allow", entry) when approved."""
        dest = flow.destination
        where = dest.host or dest.region or "an unknown destination"
        if dest.jurisdiction is None:
            if self.config.unknown_destinations == "ignore":
                return None
            severity = "error" if self.config.unknown_destinations == "error" else "warning"
            return ("XB201", severity, f"{flow.category} reaches {flow.callee}, whose destination is unknown: {dest.evidence}")
        if self.at_home(dest.jurisdiction):
            return None
        entry = self.allowed_by(flow)
        if entry is not None:
            return ("allow", entry)
        home = "/".join(self.home) or "home"
        regime = self.regime
        if regime is not None and any(self.j.contains(a, dest.jurisdiction) for a in regime.adequate):
            return None
        cat = self.vocab.categories.get(flow.category)
        if cat is not None and cat.family == "important":
            return ("XB103", "error", f"important data ({flow.category}) leaves {home} for {dest.jurisdiction} via {flow.callee} to {where}")
        if self.is_sensitive(flow.category):
            return ("XB102", "error", f"sensitive personal data ({flow.category}) leaves {home} for {dest.jurisdiction} via {flow.callee} to {where}")
        if regime is not None and any(self.j.contains(a, dest.jurisdiction) for a in regime.conditional):
            return ("XB104", "warning", f"{flow.category} goes to {dest.jurisdiction} ({where}), adequate only under conditions of {regime.id}")
        severity = "error" if regime is None or regime.transfer_restricted or regime.localization == "required" else "warning"
        return ("XB101", severity, f"{flow.category} leaves {home} for {dest.jurisdiction} via {flow.callee} to {where}")


def fingerprint(rule: str, flow: Flow) -> str:
    """Stable across unrelated edits: no line numbers, only what identifies the flow."""
    d = flow.destination
    key = "\x1f".join((rule, flow.category, flow.source_path, flow.source.expression, flow.source.function,
                       flow.sink_path, flow.function, flow.callee, d.host or "", d.region or "", d.jurisdiction or ""))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def evaluate(flows: list[Flow], policy: Policy) -> tuple[list[Finding], list]:
    findings, approved = [], []
    for flow in flows:
        verdict = policy.judge(flow)
        if verdict is None:
            continue
        if verdict[0] == "allow":
            approved.append((flow, verdict[1]))
            continue
        rule, severity, message = verdict
        findings.append(Finding(rule, severity, message, flow, fingerprint(rule, flow)))
    counts: dict = {}
    unique = []
    for f in sorted(findings, key=lambda f: (f.flow.sink_path, f.flow.sink_line, f.rule, f.flow.category, f.flow.source_path, f.flow.source.loc)):
        counts[f.fingerprint] = counts.get(f.fingerprint, 0) + 1
        if counts[f.fingerprint] > 1:
            f = Finding(f.rule, f.severity, f.message, f.flow, f"{f.fingerprint}-{counts[f.fingerprint]}")
        unique.append(f)
    return unique, approved
