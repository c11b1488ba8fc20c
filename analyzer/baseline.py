"""Baselines: accept today's findings, fail only on new ones.

A baseline file records the fingerprint of each finding plus enough context (rule, message, sink,
destination, categories) to show an entry that no longer matches anything. Fingerprints leave out
line numbers (see evaluate.fingerprint), so moving code keeps the match.

Version 2 (written now) records the version 2 findings (grouping.py): the fingerprint of a sink
call's finding and the categories it carried, so that a category reaching the call later is new.
Version 1 files (one entry per category, with its own fingerprint) are still read and suppress the
same per-category findings as before.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from . import __version__, files
from .errors import ConfigError
from .grouping import groups, message
from .knowledge.schema import check

FORMAT_VERSION = 2
SIZE_LIMIT = 256 << 20  # bytes: a baseline of a million findings is smaller


@dataclass
class Outcome:
    """What applying a baseline did; reporters show it as the `baseline` key / a text section."""

    path: str
    matched: int = 0
    stale: list = field(default_factory=list)  # baseline entries (dicts) that matched no finding


def entry(group, result) -> dict:
    """A version 2 entry: one sink call's finding, its categories and the source of the first."""
    flow = group.flow
    d = flow.destination
    return {
        "fingerprint": group.fingerprint,
        "rule": group.rule,
        "severity": group.severity,
        "message": message(group, result.home, result.regime),
        "categories": list(group.categories),
        "source": {"path": flow.source_path, "line": flow.source_line, "expression": flow.source.expression},
        "sink": {"path": flow.sink_path, "line": flow.sink_line, "callee": flow.callee},
        "destination": {"host": d.host, "region": d.region, "jurisdiction": d.jurisdiction},
    }


def dumps(result) -> tuple[str, int]:
    """The baseline of a scan (its findings that are not suppressed inline), and how many it holds."""
    active = [f for f in result.findings if f.suppressed is None]
    findings = [entry(g, result) for g in groups(active, result.categories)]
    doc = {"version": FORMAT_VERSION, "tool": {"name": "xborder", "version": __version__},
           "home": list(result.home), "regime": result.regime, "findings": findings}
    return json.dumps(doc, indent=2, ensure_ascii=True) + "\n", len(findings)


def load(path: str, root) -> list[dict]:
    """The entries of a baseline file, checked against schemas/baseline.schema.json so that a file of
    another shape stops the run here (exit 2) instead of breaking a report later. Read as a file of
    the scanned tree `root` (files.read_bytes): a regular file, bounded, reached by no link out."""
    try:
        doc = json.loads(files.read_bytes(path, SIZE_LIMIT, root).decode("utf-8"))
        check(doc, "baseline.schema.json", path)
    except OSError as exc:
        raise ConfigError(f"cannot read baseline: {exc.strerror or exc}", path=path) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"baseline is not valid JSON: {exc}", path=path) from None
    except RecursionError:
        raise ConfigError("not an xborder baseline: nested too deeply", path=path) from None
    except ConfigError as exc:
        hint = f"not an xborder baseline (version 1 or {FORMAT_VERSION}; create one with `xborder baseline`)"
        raise ConfigError(f"{hint}: {exc.message}", path=path, key=exc.key) from None
    return doc["findings"]


def apply(findings: list, entries: list[dict], path: str) -> tuple[list, Outcome]:
    """The (per-category) findings the baseline does not know, and what matched and what is stale.
    A version 1 entry knows the finding with its fingerprint; a version 2 entry (one with
    `categories`) the findings of its sink call's finding whose category it lists."""
    by_category = {e["fingerprint"] for e in entries if "categories" not in e}
    by_call = {e["fingerprint"]: set(e["categories"]) for e in entries if "categories" in e}
    seen = set()
    kept = []
    for f in findings:
        if f.suppressed is None and f.fingerprint in by_category:
            seen.add(f.fingerprint)
        elif f.suppressed is None and f.flow.category in by_call.get(f.group, ()):
            seen.add(f.group)
        else:
            kept.append(f)
    return kept, Outcome(path, matched=len(seen), stale=[e for e in entries if e["fingerprint"] not in seen])
