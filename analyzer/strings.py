"""String alternatives: how constant pieces combine (both stages build URLs and regions this way).

A string value is a tuple of alternatives, each a tuple of parts (ir.Lit, ir.StrOf, ir.Unknown,
ir.Sym); every operation keeps at most MAX_STRS alternatives (ir.capped) of MAX_PARTS parts.
"""

from __future__ import annotations

import re

from .ir import MAX_PARTS, Lit, Unknown, capped


def concat(*parts_lists: tuple) -> tuple:
    """Cartesian concatenation of string alternatives, bounded."""
    result = [()]
    for alts in parts_lists:
        result = capped([a + b for a in result for b in alts])
    return tuple(merge_lits(r)[:MAX_PARTS] for r in result)


def merge_lits(parts: tuple) -> tuple:
    """Adjacent constant pieces as one (the first one's location is kept)."""
    out = []
    for p in parts:
        if type(p) is Lit and out and type(out[-1]) is Lit:
            out[-1] = Lit(out[-1].text + p.text, out[-1].where)
        else:
            out.append(p)
    return tuple(out)


def percent(parts: tuple) -> tuple:
    """'https://%s/x' % host: keep the constant text before the first placeholder."""
    out = []
    for p in parts:
        if type(p) is Lit and "%" in p.text:
            out.append(Lit(p.text.split("%", 1)[0], p.where))
            out.append(Unknown("%-formatting"))
            break
        out.append(p)
    return tuple(out)


def format_parts(parts: tuple, positional: list, named: dict) -> tuple:
    """'https://{host}/x'.format(host=H): substitute what is known, positionally or by name
    (`positional` and `named` hold each argument's string alternatives)."""
    out, counter = [], 0
    for p in parts:
        if type(p) is not Lit:
            out.append(p)
            continue
        for piece in re.split(r"(\{[^{}]*\})", p.text):
            if piece.startswith("{") and piece.endswith("}"):
                field = piece[1:-1].split(":")[0].split("!")[0]
                if field == "":
                    arg = positional[counter] if counter < len(positional) else None
                    counter += 1
                elif field.isdigit():
                    arg = positional[int(field)] if int(field) < len(positional) else None
                else:
                    arg = named.get(field)
                out.extend(arg[0] if arg else (Unknown("format field"),))
            elif piece:
                out.append(Lit(piece, p.where))
    return merge_lits(tuple(out))[:MAX_PARTS]


def literal(parts: tuple) -> tuple[str, bool, tuple | None]:
    """(constant text, whether the whole value is constant, evidence of the first constant piece)."""
    text, evidence = "", None
    for p in parts:
        if type(p) is not Lit:
            return text, False, evidence
        text += p.text
        if evidence is None and p.where is not None and p.text.strip():
            evidence = p.where
    return text, True, evidence
