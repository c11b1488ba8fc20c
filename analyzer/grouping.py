"""Version 2 findings: one per sink call, destination and rule, carrying every category that reaches it.

The analysis judges each (category, sink call, destination) flow on its own (results.Finding, the
version 1 finding, which the audit's per-category rows, `--format json-v1` and old baselines
keep). A developer acts on a call, so the reports a developer reads show one finding per call
(`evaluate` gives every finding the fingerprint of its call's finding, `Finding.group`): its
categories are listed the most sensitive first (sensitive under the regime, then by id), each with
its source and trace (the pipeline keeps one flow per category, sink call and destination; should
there be more, the first in report order). XB102 and XB101 are different rules, so
the sensitive categories of a call stay a finding of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from .evaluate import sink_fingerprint
from .knowledge.codes import rule_codes


@dataclass(frozen=True)
class Group:
    """A version 2 finding; `items` holds one version 1 finding per category, the most sensitive first."""

    rule: str
    severity: str
    fingerprint: str
    suppressed: str | None
    items: tuple  # results.Finding, one per category

    @property
    def flow(self):
        """The flow of the first (most sensitive) category: where the finding is, its destination."""
        return self.items[0].flow

    @property
    def categories(self) -> tuple:
        return tuple(f.flow.category for f in self.items)


def groups(findings, sensitivity: dict) -> list[Group]:
    """The version 2 findings of `findings` (in their order, which is the report's), `sensitivity`
    being ScanResult.categories (category id -> (name, sensitive))."""
    members: dict = {}
    for f in findings:
        members.setdefault((f.group or sink_fingerprint(f.rule, f.flow), f.suppressed), []).append(f)
    out = []
    for (fingerprint, suppressed), found in members.items():
        first: dict = {}
        for f in found:
            first.setdefault(f.flow.category, f)
        ranked = sorted(first.values(), key=lambda f: (not sensitivity.get(f.flow.category, ("", False))[1], f.flow.category))
        out.append(Group(found[0].rule, found[0].severity, fingerprint, suppressed, tuple(ranked)))
    return out


def short_names(categories) -> list[str]:
    """What a headline calls each category: the last part of its id (`user.contact.phone_number` is
    `phone_number`), the whole id where two would read the same."""
    last = [c.rpartition(".")[2] for c in categories]
    return [name if last.count(name) == 1 else c for name, c in zip(last, categories)]


def message(group: Group, home: tuple, regime: str | None, names: list | None = None) -> str:
    """The finding's message (rules/codes.toml `message`, or `message-many` for several categories),
    naming its categories by `names` (default: their ids)."""
    flow = group.flow
    d = flow.destination
    return rule_codes()[group.rule].format_many(
        list(names or group.categories), callee=flow.callee, home="/".join(home) or "home", jurisdiction=d.jurisdiction,
        where=d.host or d.region or "an unknown destination", evidence=d.evidence, regime=regime or "")
