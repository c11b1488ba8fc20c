"""The scanned code quoted in a report: a line of a scanned file, as the analysis numbered it.

Files are read as any file of the tree is (files.read_bytes: regular, bounded, no link out), each
once per report. A file that is gone, unreadable or changed since the scan quotes nothing (the
line is "" or past its end): a report never fails for want of a quotation.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

from .. import files

QUOTED_FILE_LIMIT = 64 << 20  # bytes: the scanned files passed max-file-bytes; a swapped-in device has no size
_NEWLINE = re.compile(r"\r\n|\r|\n")  # what ends a line for Python's tokenizer (not \f, \v or U+2028)


def decode(data: bytes) -> str:
    """Source text as Python reads it: its coding cookie or BOM, else UTF-8; bad bytes replaced."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding, errors="replace")
    except (SyntaxError, LookupError):
        return data.decode("utf-8", errors="replace")


def split_lines(text: str) -> list[str]:
    """The lines of `text`, numbered as Python numbers them (line n is item n - 1)."""
    return _NEWLINE.split(text)


class SourceLines:
    """The lines of the scanned files (paths relative to `root`), each file read once."""

    def __init__(self, root: str):
        self.root = Path(root)
        self.files: dict = {}

    def line(self, path: str, number: int) -> str:
        """Line `number` (1-based) of `path`, trailing blanks removed; "" when there is none."""
        if path not in self.files:
            try:
                self.files[path] = split_lines(decode(files.read_bytes(self.root / path, QUOTED_FILE_LIMIT, self.root)))
            except (OSError, ValueError):
                self.files[path] = []
        lines = self.files[path]
        return lines[number - 1].rstrip() if 0 < number <= len(lines) else ""
