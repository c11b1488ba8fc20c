"""On-disk cache of module summaries, keyed by content hash, rules digest and analyzer version.

Entries are pickles signed with HMAC-SHA256 under a key kept in the user's cache directory, never
in the scanned tree: an entry that is truncated, garbage, from another version or planted by the
scanned repository fails the check and is rebuilt, and nothing unsigned is ever unpickled.
The default cache lives in the scanned tree, so it is read and written as any file of that tree
(analyzer/files.py): an entry swapped for a FIFO, a device or a link out of the tree is not read,
and no write (an entry, a sub-folder, the .gitignore) follows a link planted there. Writes go to a
temporary file renamed into place, so concurrent scans never see half an entry.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import tempfile
from pathlib import Path

from . import __version__, files

MAGIC = b"XBC1"
ENTRY_LIMIT = 1 << 30  # bytes: a summary is far smaller; anything bigger is not ours


def _key() -> bytes:
    """This user's signing key, created once; published by a hard link so that two scans starting
    at once never read a half-written key."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "xborder"
    path = base / "cache-key"
    try:
        key = path.read_bytes()
        if len(key) == 32:
            return key
    except OSError:
        pass
    key = secrets.token_bytes(32)
    try:
        base.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=base, prefix=".cache-key-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(key)
            os.chmod(tmp, 0o600)
            try:
                os.link(tmp, path)
            except FileExistsError:
                key = path.read_bytes()
        finally:
            os.unlink(tmp)
    except OSError:
        # No writable home: entries signed with this run's key are simply not reusable.
        return key
    return key


def code_digest() -> str:
    """A digest of the code a summary is a function of (the summarizer and the records it builds),
    so that changing it never reuses a summary made by other code, whatever the version says."""
    package = Path(__file__).resolve().parent
    files = sorted([package / "ir.py", package / "summary.py", *(package / "summarize").glob("*.py")])
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class Cache:
    def __init__(self, directory: Path, context_digest: str, root: Path | None = None):
        self.directory = directory
        self.root = root  # the scanned tree, if any: no link in it is followed
        # The package's import name too: the same code imported as `xborder` and as `analyzer`
        # (bench/ runs `python -m analyzer`) has classes of its own under each, which a summary
        # pickled under the other name does not match (every function then failed as XB901).
        self.salt = f"{__version__}\x1f{__package__}\x1f{code_digest()}\x1f{context_digest}".encode()
        self.key = _key()
        self.problems: list[str] = []
        self.invalid = 0  # entries found but rejected (truncated, garbage, foreign, other version)
        self.writable = True
        try:
            files.make_folder(directory, self.root)
            ignore = directory / ".gitignore"
            if not os.path.lexists(ignore):
                files.write_file(ignore, "# Created by xborder: the cache is local and never committed.\n*\n", self.root)
        except OSError as exc:
            self.writable = False
            self.problems.append(f"cache directory {directory} is not writable ({exc.strerror}); scanning without a cache")

    @property
    def warnings(self) -> list[str]:
        invalid = [f"ignored {self.invalid} invalid cache entr{'y' if self.invalid == 1 else 'ies'} in {self.directory} "
                   "(truncated, corrupt, foreign or from another version); rebuilt them"] if self.invalid else []
        return self.problems + invalid

    def entry_key(self, content_digest: str, positions: bool) -> str:
        return hashlib.sha256(self.salt + content_digest.encode() + (b"P" if positions else b"S")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key[2:]}.pkl"

    def get(self, content_digest: str, positions: bool):
        key = self.entry_key(content_digest, positions)
        try:
            blob = files.read_bytes(self._path(key), ENTRY_LIMIT, self.root)
        except OSError:
            return None
        head = len(MAGIC) + 32
        mac, body = blob[len(MAGIC):head], blob[head:]
        if not blob.startswith(MAGIC) or not hmac.compare_digest(mac, hmac.new(self.key, key.encode() + body, "sha256").digest()):
            self.invalid += 1
            return None
        try:
            return pickle.loads(body)
        except Exception:  # signed by us but unreadable (a different Python): rebuild it
            self.invalid += 1
            return None

    def put(self, content_digest: str, positions: bool, summary, body: bytes | None = None) -> None:
        """Store a summary; `body` is its pickle when the caller already has it (from a worker)."""
        if not self.writable:
            return
        key = self.entry_key(content_digest, positions)
        if body is None:
            body = pickle.dumps(summary, protocol=pickle.HIGHEST_PROTOCOL)
        blob = MAGIC + hmac.new(self.key, key.encode() + body, "sha256").digest() + body
        path = self._path(key)
        try:
            files.make_folder(path.parent, self.root)
            files.write_file(path, blob, self.root)
        except OSError as exc:
            self.writable = False
            self.problems.append(f"cannot write to cache {self.directory} ({exc.strerror}); continuing without caching")
