"""`xborder scan --statistics`: how many findings of each rule code, and of each personal-data
category under it, instead of the findings (like ruff --statistics). A finding is a version 2
finding (one sink call, destination and rule), counted once under its code and once under each
category it carries; with `--format json-v1` a finding is one category's, as in version 1.
Problems with files and suppression comments count under their codes, without categories."""

from __future__ import annotations

import json
from collections import Counter

from ..grouping import groups
from ..knowledge.codes import rule_codes


def rows(result, per_category: bool = False) -> list[dict]:
    """One row per code with findings or problems, the most frequent first (then by code)."""
    by_code: dict[str, Counter] = {}
    totals: Counter = Counter()
    active = [f for f in result.findings if f.suppressed is None]
    for g in ([[f] for f in active] if per_category else [g.items for g in groups(active, result.categories)]):
        totals[g[0].rule] += 1
        by_code.setdefault(g[0].rule, Counter()).update(f.flow.category for f in g)
    totals.update(e.code for e in result.errors)
    codes = rule_codes()
    return [{"code": code, "name": codes[code].name, "count": count,
             "categories": dict(sorted(by_code.get(code, Counter()).items(), key=lambda item: (-item[1], item[0])))}
            for code, count in sorted(totals.items(), key=lambda item: (-item[1], item[0]))]


def render(result, fmt: str) -> str:
    table = rows(result, per_category=fmt == "json-v1")
    if fmt.startswith("json"):
        return json.dumps(table, indent=2) + "\n"
    width = max((len(str(row["count"])) for row in table), default=1)
    lines = []
    for row in table:
        lines.append(f"{row['count']:>{width}}  {row['code']}  {row['name']}")
        lines += [f"{'':>{width}}  {n:>{width}}  {category}" for category, n in row["categories"].items()]
    return "".join(line + "\n" for line in lines)
