"""Big literal data, parsed as the data it is.

A generated data module (a list of a million numbers, a table of a hundred thousand rows) costs
libcst about 2 KB of tree per token: a 2 MB file takes minutes and gigabytes. Constants carry no
personal data and a destination keeps at most MAX_STRS string alternatives anyway, so a bracketed
literal made of constants only, and big, is blanked after its first element before parsing: the
text keeps every line and column (the characters become spaces, line breaks stay), so positions
and everything around the literal are unchanged, and the literal is analysed as one element of
its kind. Only big files are looked at, with the tokenizer, which streams.
"""

from __future__ import annotations

import io
import token
import tokenize

BIG_FILE = 128 * 1024  # bytes: smaller files are parsed as they are
BIG_LITERAL = 20_000  # tokens inside one bracketed literal of constants that make it data
_OPEN, _CLOSE = "([{", ")]}"
_DATA_OPERATORS = {",", ":", "-", "+", *_OPEN, *_CLOSE}
_DATA_NAMES = {"True", "False", "None"}
_LAYOUT = {token.NL, token.NEWLINE, token.COMMENT, token.INDENT, token.DEDENT, token.ENCODING}


def literal_data_blanked(source: bytes) -> bytes:
    """The source with every big literal of constants blanked after its first element."""
    if len(source) < BIG_FILE or source.count(b",") < BIG_LITERAL // 2:  # no literal that big in it
        return source
    try:
        encoding = tokenize.detect_encoding(io.BytesIO(source).readline)[0]
        text = source.decode(encoding)
        regions = _data_regions(text)
    except (SyntaxError, tokenize.TokenError, UnicodeDecodeError, LookupError, ValueError):
        return source  # the parser reports what is wrong with the file
    if not regions:
        return source
    pieces, done = [], 0
    for start, end in regions:
        pieces.append(text[done:start])
        pieces.append("".join(c if c in "\r\n" else " " for c in text[start:end]))
        done = end
    pieces.append(text[done:])
    return "".join(pieces).encode(encoding)


def _is_data(tok: tokenize.TokenInfo) -> bool:
    if tok.type in (token.NUMBER, *_LAYOUT):
        return True
    if tok.type == token.STRING:  # an f-string is computed
        return "f" not in tok.string[: tok.string.find(tok.string[-1])].lower()
    if tok.type == token.OP:
        return tok.string in _DATA_OPERATORS
    return tok.type == token.NAME and tok.string in _DATA_NAMES


def _data_regions(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets to blank: from after the first top-level comma of a big
    bracketed literal of constants to its closing bracket; outermost ones only, in order."""
    line_starts = [0]
    for line in text.split("\n"):
        line_starts.append(line_starts[-1] + len(line) + 1)
    stack: list = []  # [index of the opening token, offset after its first top-level comma or None]
    last_computed = -1  # index of the last token that is not constant data
    regions: list = []
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    for index, tok in enumerate(tokens):
        if not _is_data(tok):
            last_computed = index
        if tok.type != token.OP:
            continue
        if tok.string in _OPEN:
            stack.append([index, None])
        elif tok.string == "," and stack and stack[-1][1] is None:
            stack[-1][1] = line_starts[tok.end[0] - 1] + tok.end[1]
        elif tok.string in _CLOSE and stack:
            opened, comma = stack.pop()
            if comma is not None and last_computed < opened and index - opened >= BIG_LITERAL:
                end = line_starts[tok.start[0] - 1] + tok.start[1]
                while regions and regions[-1][0] >= comma:  # inside this one
                    regions.pop()
                regions.append((comma, end))
    return regions
