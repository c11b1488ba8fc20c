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


def percent(parts: tuple, positional: list, named: dict) -> tuple:
    """'https://%s/x' % HOST: substitute the `%s` placeholders whose values are known, positionally
    or by mapping key (`positional` and `named` hold each value's string alternatives); any other
    placeholder is text not known."""
    out, counter = [], 0
    for p in parts:
        if type(p) is not Lit or "%" not in p.text:
            out.append(p)
            continue
        start = 0
        for match in PERCENT_FIELD.finditer(p.text):
            out.append(Lit(p.text[start:match.start()], p.where))
            start = match.end()
            if match.group(0) == "%%":
                out.append(Lit("%", p.where))
                continue
            key = match.group(1)
            counter += match.group(0).count("*")  # a `*` width or precision takes a value of its own
            if key is None:
                key, counter = counter, counter + 1
            arg = (named if type(key) is str else dict(enumerate(positional))).get(key)
            known = arg and match.group(0).endswith("s")
            out.extend(arg[0] if known else (Unknown("%-formatting"),))
        out.append(Lit(p.text[start:], p.where))
    return merge_lits(tuple(q for q in out if type(q) is not Lit or q.text))[:MAX_PARTS]


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


def query_key(text: str) -> str | None:
    """The query parameter a value written right after `text` is (`...?email=` gives "email")."""
    match = QUERY_KEY.search(text)
    return match.group(1) if match else None


def format_query_keys(text: str) -> dict:
    """The query parameter each `.format()` field of a URL template is written as, by argument
    position or name: `"/x?email={}&next={n}"` gives {0: "email", "n": "next"}."""
    keys, counter = {}, 0
    for match in FORMAT_FIELD.finditer(text):
        if match.group(1) is None:
            continue
        field = match.group(1).split(":")[0].split("!")[0]
        if field == "":
            field, counter = counter, counter + 1
        elif field.isdigit():
            field = int(field)
        key = query_key(text[:match.start()])
        if key is not None:
            keys[field] = key
    return keys


def percent_query_keys(text: str) -> dict:
    """The query parameter each %-placeholder of a URL template is written as, by position or by
    mapping key: `"/x?email=%s"` gives {0: "email"}, `"?u=%(user)s"` gives {"user": "u"}."""
    keys, counter = {}, 0
    for match in PERCENT_FIELD.finditer(text):
        if match.group(0) == "%%":
            continue
        field = match.group(1)
        counter += match.group(0).count("*")
        if field is None:
            field, counter = counter, counter + 1
        key = query_key(text[:match.start()])
        if key is not None:
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
