"""Evaluate: which flows break the project's policy, with which rule code and severity.

Which code a flow gets is decided here; what a code means, its default severity and its message
template come from rules/codes.toml.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from .dotted import within
from .knowledge.codes import rule_codes
from .results import Finding, Flow


class Policy:
    def __init__(self, config, jurisdictions, vocabulary):
        self.config = config
        self.codes = rule_codes()
        self.jurisdictions = jurisdictions
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
        return jurisdiction == "HOME" or any(self.jurisdictions.contains(h, jurisdiction) for h in area)

    def adequate(self, jurisdiction: str) -> bool:
        """Abroad, but where the regime's adequacy decisions let data go without a mechanism."""
        return self.regime is not None and any(self.jurisdictions.contains(a, jurisdiction) for a in self.regime.adequate)

    def allowed_by(self, flow: Flow):
        for entry in self.config.allow:
            if entry.vendors and flow.destination.vendor not in entry.vendors:  # a contract with one recipient
                continue
            if not any(c == "*" or within(flow.category, c) for c in entry.categories):
                continue
            if any(j == "*" or self.jurisdictions.contains(j, flow.destination.jurisdiction) for j in entry.jurisdictions):
                return entry
        return None

    def is_sensitive(self, category: str) -> bool:
        cat = self.vocab.categories.get(category)
        if cat is not None and cat.sensitive:
            return True
        prefixes = self.regime.sensitive if self.regime else ()
        return any(within(category, p) for p in prefixes)

    def judge(self, flow: Flow):
        """(rule, severity, message) for a flow, or None when it is fine; ("allow", entry) when approved."""
        dest = flow.destination
        if dest.jurisdiction is None:
            if self.config.unknown_destinations == "ignore":
                return None
            return self._verdict("XB201", flow, "error" if self.config.unknown_destinations == "error" else None)
        if self.at_home(dest.jurisdiction):
            return None
        entry = self.allowed_by(flow)
        if entry is not None:
            return ("allow", entry)
        if self.adequate(dest.jurisdiction):
            return None
        regime = self.regime
        cat = self.vocab.categories.get(flow.category)
        if cat is not None and cat.family == "important":
            return self._verdict("XB103", flow)
        if self.is_sensitive(flow.category):
            return self._verdict("XB102", flow)
        if regime is not None and any(self.jurisdictions.contains(a, dest.jurisdiction) for a in regime.conditional):
            return self._verdict("XB104", flow)
        restrictive = regime is None or regime.transfer_restricted or regime.localization == "required"
        return self._verdict("XB101", flow, None if restrictive else "warning")

    def _verdict(self, code: str, flow: Flow, severity: str | None = None) -> tuple:
        """(code, severity, message): the code's default severity unless the policy decided another."""
        rule = self.codes[code]
        dest = flow.destination
        message = rule.format(category=flow.category, callee=flow.callee, home="/".join(self.home) or "home",
                              jurisdiction=dest.jurisdiction, where=dest.host or dest.region or "an unknown destination",
                              evidence=dest.evidence, regime=self.regime.id if self.regime else "")
        return (code, severity or rule.severity, message)


def fingerprint(rule: str, flow: Flow) -> str:
    """Stable across unrelated edits: no line numbers, only what identifies the flow."""
    d = flow.destination
    key = "\x1f".join((rule, flow.category, flow.source_path, flow.source.expression, flow.source.function,
                       flow.sink_path, flow.function, flow.callee, d.host or "", d.region or "", d.jurisdiction or ""))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def sink_fingerprint(rule: str, flow: Flow) -> str:
    """The fingerprint of a version 2 finding (one sink call, one destination, one rule, all its
    categories): like `fingerprint`, no line numbers, and neither category nor source."""
    d = flow.destination
    key = "\x1f".join(("v2", rule, flow.sink_path, flow.function, flow.callee, d.host or "", d.region or "", d.jurisdiction or ""))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _with_sink_fingerprints(findings: list[Finding]) -> list[Finding]:
    """Each finding with the fingerprint of its sink call's version 2 finding; two calls that would
    share one (the same call twice in a function) are told apart by their order, as `evaluate` does."""
    places: dict = {}
    out = []
    for f in findings:
        flow = f.flow
        base = sink_fingerprint(f.rule, flow)
        seen = places.setdefault(base, {})
        n = seen.setdefault((flow.sink_path, flow.sink_line, flow.sink_column), len(seen) + 1)
        out.append(replace(f, group=base if n == 1 else f"{base}-{n}"))
    return out


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
    return _with_sink_fingerprints(unique), approved
