"""Writing reports: a report file is either complete or absent, never half-written.

Text goes to a temporary file beside the target and is renamed over it once fully written, so an
error in the middle (a full disk, an interrupt, a bug) leaves the old file or nothing.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(target: Path, text: str, newline: str | None = None) -> None:
    """Write `text` to `target` through a temporary file and a rename; raises OSError."""
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as f:
            f.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
