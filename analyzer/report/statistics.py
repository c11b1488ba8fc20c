"""`xborder scan --statistics`: how many findings of each rule code, and of each personal-data
category under it, instead of the findings (like ruff --statistics). Problems with files and
suppression comments count under their codes, without categories."""

from __future__ import annotations

import json
from collections import Counter

from ..knowledge.codes import rule_codes


def rows(result) -> list[dict]:
    """One row per code with findings or problems, the most frequent first (then by code)."""
    by_code: dict[str, Counter] = {}
    totals: Counter = Counter()
    for f in result.findings:
        if f.suppressed is None:
            totals[f.rule] += 1
            by_code.setdefault(f.rule, Counter())[f.flow.category] += 1
    totals.update(e.code for e in result.errors)
    codes = rule_codes()
    return [{"code": code, "name": codes[code].name, "count": count,
             "categories": dict(sorted(by_code.get(code, Counter()).items(), key=lambda item: (-item[1], item[0])))}
            for code, count in sorted(totals.items(), key=lambda item: (-item[1], item[0]))]


def render(result, fmt: str) -> str:
    table = rows(result)
    if fmt == "json":
        return json.dumps(table, indent=2) + "\n"
    width = max((len(str(row["count"])) for row in table), default=1)
    lines = []
    for row in table:
        lines.append(f"{row['count']:>{width}}  {row['code']}  {row['name']}")
        lines += [f"{'':>{width}}  {n:>{width}}  {category}" for category, n in row["categories"].items()]
    return "".join(line + "\n" for line in lines)
