"""Rule selection, as ruff names and resolves it: `select`, `extend-select` and `ignore` take rule
codes or prefixes of them (XB1, XB201) or ALL, in the config and on the command line.

The config is one layer and the command line another, applied in that order. A layer with
`select` starts from nothing, one without keeps what the layer before left (at first: every code);
within a layer the most specific selector decides a code, and `ignore` wins a tie. So
`--select XB201` enables XB201 even when the config ignores it, and `ignore = ["XB1"]` with
`select = ["XB101"]` keeps XB101 alone of the XB1 codes.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

ALL = "ALL"


@dataclass(frozen=True)
class Layer:
    """The selectors of one layer (config or command line); select None = not given."""

    select: tuple | None = None
    extend_select: tuple = ()
    ignore: tuple = ()

    def __bool__(self) -> bool:
        return self.select is not None or bool(self.extend_select or self.ignore)

    def selectors(self) -> tuple:
        return (*(self.select or ()), *self.extend_select, *self.ignore)


def unknown_selectors(named: dict) -> list[tuple[str, int, str]]:
    """(name, index, why) of each selector, in lists named by their key or option, that selects
    no rule code."""
    from .codes import rule_codes  # not at import time: codes.py needs the package loaded

    codes = [rule.code for rule in rule_codes()]
    return [(name, i, problem) for name, selectors in named.items() for i, selector in enumerate(selectors)
            if (problem := unknown_selector(selector, codes))]


def unknown_selector(selector: str, codes) -> str | None:
    """Why `selector` selects nothing (with a suggestion), or None when it is ALL or a prefix of a code."""
    if selector == ALL or any(code.startswith(selector) for code in codes):
        return None
    prefixes = sorted({code[:n] for code in codes for n in range(3, len(code) + 1)})
    upper = selector.strip().upper()
    guess = upper if upper in prefixes or upper == ALL else _closest(upper, prefixes)
    hint = f"; did you mean {guess}?" if guess else f"; known codes: {', '.join(codes)}"
    return f"unknown rule code or prefix {selector!r}{hint}"


def _closest(selector: str, prefixes: list) -> str | None:
    """The prefix spelled most like `selector`; among equals, the nearest in number (XB301: XB201, not XB901)."""
    def number(text: str) -> int:
        digits = "".join(ch for ch in text if ch.isdigit())
        return int(digits.ljust(3, "0")[:3]) if digits else 0

    scored = [(difflib.SequenceMatcher(None, selector, p).ratio(), -abs(number(p) - number(selector)), p) for p in prefixes]
    best = max(scored, default=None)
    return best[2] if best and best[0] >= 0.6 else None


def _decides(layer: Layer, code: str) -> bool | None:
    """Whether the layer enables (True) or disables (False) a code, or None if it says nothing."""
    best, enabled = -1, None
    for selectors, value in ((layer.select or ()), True), (layer.extend_select, True), (layer.ignore, False):
        for selector in selectors:
            weight = 0 if selector == ALL else len(selector)
            if (selector == ALL or code.startswith(selector)) and (weight > best or (weight == best and not value)):
                best, enabled = weight, value
    return enabled


def resolve(codes, layers) -> frozenset:
    """The codes the layers leave enabled, applied in order."""
    enabled = set(codes)
    for layer in layers:
        if not layer:
            continue
        base = enabled if layer.select is None else set()
        decided = {code: _decides(layer, code) for code in codes}
        enabled = {code for code in codes if decided[code] or (decided[code] is None and code in base)}
    return frozenset(enabled)
