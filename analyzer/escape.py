"""Strings from the scanned project in xborder's outputs: one escaping function per kind of output.

Everything the project controls (file names, config keys, code, baseline entries, messages built
from them) may hold terminal controls (ESC, BEL), bidirectional overrides (U+202E) that reorder
what a reviewer reads, or, in a file name that is not UTF-8, lone surrogates that no UTF-8 output
can encode. `terminal` (text report, error lines, GitHub annotations, CSV cells) shows each such
character as an escape (`\\x1b`, `\\u202e`, `\\xff` for an undecodable byte); `html` escapes that
for HTML. JSON and SARIF need none: they are written with ensure_ascii, which escapes them all.
"""

from __future__ import annotations

import html as _html
import re

_SURROGATE_ESCAPES = range(0xDC80, 0xDD00)  # how Python decodes a byte that is not UTF-8 (surrogateescape)


def terminal(text: object) -> str:
    """`text` with every non-printable character (controls, bidi overrides, surrogates) escaped."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escaped(c) for c in text)


def _escaped(c: str) -> str:
    if ord(c) in _SURROGATE_ESCAPES:
        return f"\\x{ord(c) - 0xDC00:02x}"
    return repr(c)[1:-1]


def html(text: object) -> str:
    """`text` for HTML text or an attribute value: terminal's escapes, then HTML's."""
    return _html.escape(terminal(text), quote=True)



def markdown_code(text: object) -> str:
    """`text` as a Markdown code span that is safe in a GitHub table cell: terminal's escapes, line
    breaks as spaces, `|` escaped (GFM splits cells before it parses code spans), and fenced with
    more backticks than any run inside, so that nothing in it becomes a link, an @mention, HTML or
    emphasis. An empty text is an em dash."""
    text = terminal(str(text).replace("\r", " ").replace("\n", " ")).replace("|", "\\|")
    if not text.strip():
        return "\u2014"
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text[0] == "`" or text[-1] == "`" or (text[0] == " " and text[-1] == " ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
