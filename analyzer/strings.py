"""String alternatives: how constant pieces combine (both stages build URLs and regions this way).

A string value is a tuple of alternatives, each a tuple of parts (ir.Lit, ir.StrOf, ir.Unknown,
ir.Sym); every operation keeps at most MAX_STRS alternatives (ir.capped) of MAX_PARTS parts.
"""

from __future__ import annotations

import re

from .ir import MAX_PARTS, Lit, Unknown, capped

QUERY_KEY = re.compile(r"[?&;]([A-Za-z_][\w.\-]*)=\Z")
FORMAT_FIELD = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
PERCENT_FIELD = re.compile(r"%%|%(?:\((\w+)\))?[-#0 +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[a-zA-Z]")


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


def percent_field(match: re.Match, counter: int) -> tuple:
    """(the value a %-placeholder writes: its position or mapping key, None for `%%`; the
    position of the next one). A `*` width or precision takes a value of its own."""
    if match.group(0) == "%%":
        return None, counter
    counter += match.group(0).count("*")
    return (match.group(1), counter) if match.group(1) is not None else (counter, counter + 1)


def format_field(spec: str, counter: int) -> tuple:
    """(the argument a `.format()` field writes: its position or name; the next automatic position)."""
    field = spec.split(":")[0].split("!")[0]
    if field == "":
        return counter, counter + 1
    return (int(field) if field.isdigit() else field), counter


def percent(parts: tuple, positional: list, named: dict) -> tuple:
    """'https://%s/x' % HOST: substitute the `%s` placeholders whose values are known, positionally
    or by mapping key (`positional` and `named` hold each value's string alternatives); any other
    placeholder is text not known."""
    values = {**dict(enumerate(positional)), **named}
    out, counter = [], 0
    for p in parts:
        if type(p) is not Lit or "%" not in p.text:
            out.append(p)
            continue
        start = 0
        for match in PERCENT_FIELD.finditer(p.text):
            out.append(Lit(p.text[start:match.start()], p.where))
            start = match.end()
            key, counter = percent_field(match, counter)
            if key is None:
                out.append(Lit("%", p.where))
                continue
            arg = values.get(key)
            out.extend(arg[0] if arg and match.group(0).endswith("s") else (Unknown("%-formatting"),))
        out.append(Lit(p.text[start:], p.where))
    return merge_lits(tuple(q for q in out if type(q) is not Lit or q.text))[:MAX_PARTS]


def format_parts(parts: tuple, positional: list, named: dict) -> tuple:
    """'https://{host}/x'.format(host=H): substitute what is known, positionally or by name
    (`positional` and `named` hold each argument's string alternatives)."""
    values = {**dict(enumerate(positional)), **named}
    out, counter = [], 0
    for p in parts:
        if type(p) is not Lit:
            out.append(p)
            continue
        for piece in re.split(r"(\{[^{}]*\})", p.text):
            if piece.startswith("{") and piece.endswith("}"):
                key, counter = format_field(piece[1:-1], counter)
                arg = values.get(key)
                out.extend(arg[0] if arg else (Unknown("format field"),))
            elif piece:
                out.append(Lit(piece, p.where))
    return merge_lits(tuple(out))[:MAX_PARTS]


def query_key(text: str) -> str | None:
    """The query parameter a value written right after `text` is (`...?email=` gives "email")."""
    match = QUERY_KEY.search(text)
    return match.group(1) if match else None


def format_query_keys(text: str) -> dict:
    """The query parameter each `.format()` field of a URL template is written as, by argument
    position or name: `"/x?email={}&next={n}"` gives {0: "email", "n": "next"}."""
    keys, counter = {}, 0
    for match in FORMAT_FIELD.finditer(text):
        if match.group(1) is not None:
            field, counter = format_field(match.group(1), counter)
            if (key := query_key(text[:match.start()])) is not None:
                keys[field] = key
    return keys


def percent_query_keys(text: str) -> dict:
    """The query parameter each %-placeholder of a URL template is written as, by position or by
    mapping key: `"/x?email=%s"` gives {0: "email"}, `"?u=%(user)s"` gives {"user": "u"}."""
    keys, counter = {}, 0
    for match in PERCENT_FIELD.finditer(text):
        field, counter = percent_field(match, counter)
        if field is not None and (key := query_key(text[:match.start()])) is not None:
            keys[field] = key
    return keys


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
