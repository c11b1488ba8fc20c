"""The audit report's data map, at the level a data-protection officer thinks in: personal-data
category -> recipient (the vendor the destination tables name) -> country.

Flows that stay at home are one box, flows whose destination is unknown another, and past
`MAX_RECIPIENTS` vendors the smallest are one box too, so the map keeps its size from 1 to 5,000
flows; the code behind each recipient is listed, on demand, under Recipients. SVG text does not wrap,
so names are wrapped here, by an estimate of their width that errs wide, and a box is as tall as its
lines: nothing is cut short and nothing leaves its box (tests/test_report_render.py measures it).
"""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from .. import escape
from .inventory import STATUSES, category_info, destination_label, jurisdiction_label
from .processing import recipient

esc = escape.html

COLOURS = {"abroad": "#c0392b", "unknown": "#d68910", "approved": "#2e6da4", "home": "#8fa3b0"}
STATUS_TEXT = {"abroad": "cross-border", "unknown": "unresolved", "approved": "approved transfer", "home": "stays at home"}
MAX_RECIPIENTS = 24  # recipients drawn one by one; the others share a box
_WIDTH, _TOP, _GAP, _PAD, _SPREAD = 1100, 40, 12, 10, 72
_COLUMNS = {"cat": (10, 300), "who": (410, 310), "where": (840, 250)}  # x, width
_TITLE, _SUB = (12.5, 15.0, 1.08), (10.5, 13.0, 1.0)  # font size, line height, weight factor
_DASH = ' stroke-dasharray="5 4"'
_NARROW, _WIDE = set("iljIft.,:;'|!()[]{} /\\-"), set("mwMW@%")


class Node(NamedTuple):
    key: tuple
    title: str
    subtitle: str
    tooltip: str
    css: str


def text_width(text: str, font: float, weight: float) -> float:
    """An estimate of the width of `text` in pixels that errs wide (sans-serif, DejaVu's metrics or narrower)."""
    em = 0.0
    for c in text:
        em += (0.36 if c in _NARROW else 0.98 if c in _WIDE else 0.78 if c.isupper() else
               1.05 if ord(c) >= 0x2E80 else 0.64)
    return em * font * weight


def wrap(text: str, width: float, style: tuple) -> list[str]:
    """`text` in lines no wider than `width`; a word too long for a line is broken after a dot, slash,
    underscore or hyphen where it can be, anywhere else where it cannot."""
    font, _, weight = style
    fits = lambda s: text_width(s, font, weight) <= width  # noqa: E731
    lines, line = [], ""
    for word in text.split():
        while not fits(word):
            end = max(n for n in range(1, len(word) + 1) if n == 1 or fits(word[:n]))
            cut = max((word.rfind(c, 0, end) + 1 for c in "./_-:"), default=0)
            cut = cut if cut > end // 2 else end
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{line} {word}" if line else word
        if line and not fits(candidate):
            lines.append(line)
            candidate = word
        line = candidate
    return [*lines, line] if line or not lines else lines


def _worst(statuses) -> str:
    return min(statuses, key=STATUSES.index)


def _names(items: list, limit: int = 4) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def recipient_of(result, entry) -> str:
    return recipient(entry.flow, [a for a in result.processing if a.covers(entry.flow)])


def _recipient_keys(result, items) -> list:
    """Each entry's recipient box: ("home",), ("unknown",) or ("vendor", name); past MAX_RECIPIENTS
    vendors, the ones with fewest flows are ("other",)."""
    keys, counts = [], defaultdict(int)
    for e in items:
        keys.append((e.status,) if e.status in ("home", "unknown") else ("vendor", recipient_of(result, e)))
        counts[keys[-1]] += keys[-1][0] == "vendor"
    vendors = [k for k in counts if counts[k]]
    if len(vendors) > MAX_RECIPIENTS:
        kept = set(sorted(vendors, key=lambda k: (-counts[k], k))[:MAX_RECIPIENTS - 1])
        keys = [k if k[0] != "vendor" or k in kept else ("other",) for k in keys]
    return keys


def render(result, items) -> str:
    """The map as an SVG figure with its legend."""
    if not items:
        return '<p class="empty">No personal-data flow was found.</p>'
    who_keys = _recipient_keys(result, items)
    where_keys = [(e.status == "home", jurisdiction_label(e.flow.destination)) for e in items]
    columns = _nodes(result, items, who_keys, where_keys)
    boxes, height = _layout(columns)
    edges = _edges(items, who_keys, where_keys, boxes)
    heads = "".join(f'<text x="{_COLUMNS[k][0]}" y="20" class="colhead">{t}</text>' for k, t in
                    (("cat", "PERSONAL DATA"), ("who", "RECIPIENT"), ("where", "COUNTRY")))
    nodes = "".join(_node(column, node, boxes[(column, node.key)]) for column, nodes in columns.items() for node in nodes)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" class="datamap" viewBox="0 0 {_WIDTH} {height:.0f}" role="img" '
           f'aria-label="Data map: personal-data categories, recipients and countries">{heads}{edges}{nodes}</svg>')
    return f'<figure class="map">{svg}<figcaption class="legend">{_legend()}</figcaption></figure>'


def _nodes(result, items, who_keys: list, where_keys: list) -> dict:
    """The three columns' nodes, ordered to limit crossings: countries abroad, then unresolved, then
    home; recipients by their first country; categories by the mean rank of their recipients."""
    flows, hosts, status, places = defaultdict(int), defaultdict(set), defaultdict(list), defaultdict(set)
    for e, who, where in zip(items, who_keys, where_keys):
        for key in (("cat", e.flow.category), ("who", who), ("where", where)):
            flows[key] += 1
            status[key].append(e.status)
        hosts[who].add(destination_label(e.flow.destination))
        places[who].add(where)
        hosts[where].add(who)
    wheres = sorted({k for k in where_keys}, key=lambda w: (w[0], w[1] == "unknown", w[1]))
    rank = {w: i for i, w in enumerate(wheres)}
    group = {"vendor": 0, "other": 1, "unknown": 2, "home": 3}
    whos = sorted(set(who_keys), key=lambda k: (group[k[0]], min(rank[w] for w in places[k]), k))
    who_rank = {k: i for i, k in enumerate(whos)}
    mean = defaultdict(list)
    for e, who in zip(items, who_keys):
        mean[e.flow.category].append(who_rank[who])
    cats = sorted(mean, key=lambda c: (sum(mean[c]) / len(mean[c]), c))
    home = "/".join(result.home) or "home"
    columns = {"cat": [], "who": [], "where": []}
    for c in cats:
        name, sensitive = category_info(result, c)
        columns["cat"].append(Node(c, name, f"{c} · {_count(flows[('cat', c)])}", f"{c}{' (sensitive)' if sensitive else ''}",
                                   "cat sensitive" if sensitive else "cat"))
    for k in whos:
        n, names = flows[("who", k)], sorted(hosts[k])
        title = {"home": f"Stays at home ({home})", "unknown": "Destination not resolved",
                 "other": "Other recipients (see Recipients)"}.get(k[0], k[-1])
        sub = f"{_count(n)} · {_names(names)}"
        columns["who"].append(Node(k, title, sub, f"{title}: {_count(n)} to {_names(names, 12)}",
                                   f"who {_worst(status[('who', k)])}"))
    for w in wheres:
        title = f"{w[1]} · home" if w[0] else ("unresolved" if w[1] == "unknown" else w[1])
        n = flows[("where", w)]
        columns["where"].append(Node(w, title, f"{_count(n)}", f"{title}: {_count(n)}", f"where {_worst(status[('where', w)])}"))
    return columns


def _count(n: int) -> str:
    return f"{n} flow{'s' if n != 1 else ''}"


def _layout(columns: dict) -> tuple[dict, float]:
    """(column, key) -> (x, y, width, height, title lines, subtitle lines); and the SVG height.
    Each column is a stack; the shorter ones are centred against the tallest."""
    stacks = {}
    for column, nodes in columns.items():
        x, width = _COLUMNS[column]
        stack = []
        for node in nodes:
            t1, t2 = wrap(node.title, width - 2 * _PAD, _TITLE), wrap(node.subtitle, width - 2 * _PAD, _SUB)
            stack.append((node.key, x, width, 10 + len(t1) * _TITLE[1] + len(t2) * _SUB[1], t1, t2))
        stacks[column] = stack
    heights = {c: sum(s[3] for s in stack) for c, stack in stacks.items()}
    tallest = max(heights[c] + _GAP * (len(stack) - 1) for c, stack in stacks.items())
    boxes = {}
    for column, stack in stacks.items():
        # A short column is spread over the height of the tallest (gaps up to _SPREAD), so that its
        # edges fan out less steeply, and centred.
        gap = min(_SPREAD, (tallest - heights[column]) / (len(stack) - 1)) if len(stack) > 1 else 0
        y = _TOP + (tallest - heights[column] - gap * (len(stack) - 1)) / 2
        for key, x, width, height, t1, t2 in stack:
            boxes[(column, key)] = (x, y, width, height, t1, t2)
            y += height + gap
    return boxes, tallest + _TOP + 10


def _node(column: str, node: Node, box: tuple) -> str:
    x, y, width, height, t1, t2 = box
    lines, baseline = [], y + 4
    for cls, text, style in [*(("t1", t, _TITLE) for t in t1), *(("t2", t, _SUB) for t in t2)]:
        baseline += style[1]
        lines.append(f'<text x="{x + _PAD}" y="{baseline - 3:.1f}" class="{cls}">{esc(text)}</text>')
    return (f'<g class="node {node.css}"><title>{esc(node.tooltip)}</title>'
            f'<rect x="{x}" y="{y:.1f}" width="{width}" height="{height:.1f}" rx="5"/>{"".join(lines)}</g>')


def _edges(items, who_keys: list, where_keys: list, boxes: dict) -> str:
    """Category -> recipient and recipient -> country, coloured by the worst status of their flows,
    thicker with more flows; the alarming ones drawn last, on top."""
    segments = defaultdict(list)
    for e, who, where in zip(items, who_keys, where_keys):
        segments[(("cat", e.flow.category), ("who", who))].append(e.status)
        segments[(("who", who), ("where", where))].append(e.status)
    out = []
    for (a, b), statuses in segments.items():
        status = _worst(statuses)
        x1, y1, w1, h1 = boxes[a][:4]
        x2, y2, _, h2 = boxes[b][:4]
        start, end, dx = (x1 + w1, y1 + h1 / 2), (x2, y2 + h2 / 2), (x2 - x1 - w1) / 2
        width = 1.5 + min(len(statuses).bit_length(), 8) * 0.5
        path = (f'<path class="edge {status}" d="M{start[0]} {start[1]:.1f} C{start[0] + dx} {start[1]:.1f} '
                f'{end[0] - dx} {end[1]:.1f} {end[0]} {end[1]:.1f}" stroke="{COLOURS[status]}" stroke-width="{width:.1f}"'
                f'{_DASH if status == "unknown" else ""} fill="none"><title>{_count(len(statuses))}, '
                f"{esc(STATUS_TEXT[status])}</title></path>")
        out.append((-STATUSES.index(status), a, b, path))
    return "".join(p for *_, p in sorted(out))


def _legend() -> str:
    """What the colours and the dashed line mean."""
    legend = "".join(f'<span class="key"><svg width="34" height="10" aria-hidden="true"><line x1="0" y1="5" x2="34" y2="5" '
                     f'stroke="{COLOURS[s]}" stroke-width="3"{_DASH if s == "unknown" else ""}/></svg>'
                     f"{esc(text)}</span>" for s, text in (
                         ("abroad", "Leaves the home jurisdiction"), ("approved", "Leaves it under an approved transfer"),
                         ("unknown", "Destination not resolved"), ("home", "Stays in the home jurisdiction")))
    return legend + '<span class="key"><span class="swatch sensitive"></span>Sensitive category</span>'
