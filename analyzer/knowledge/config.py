"""Project configuration: `[tool.xborder]` in pyproject.toml or the top level of xborder.toml.

Every key is checked against schemas/xborder.schema.json; an unknown key or a wrong type is a
ConfigError naming file, key and line, because a misspelt `exlude` that silently does nothing is
worse than a failed run.
"""

from __future__ import annotations

import fnmatch
import math
import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import files
from ..dotted import within
from ..errors import ConfigError
from .schema import check, line_of, locate


@dataclass(frozen=True)
class Allow:
    categories: tuple  # category ids or prefixes; ("*",) for all
    jurisdictions: tuple
    basis: str
    reference: str
    vendors: tuple = ()  # only transfers to these recipients (the destination tables' vendor names); () = any


@dataclass(frozen=True)
class Processing:
    """A processing activity of the record of processing: the flows it covers and what is said of them."""

    purpose: str
    data_subjects: tuple  # fideslang data subject keys
    legal_basis: str = ""  # GDPR Art. 6(1) basis, "" when not given
    data_use: str = ""  # fideslang data use key, "" when not given
    recipient: str = ""  # names the recipient where the tables name no vendor
    callees: tuple = ()  # globs; each match key given must match
    vendors: tuple = ()
    hosts: tuple = ()
    categories: tuple = ()  # ids or prefixes; () = all

    def covers(self, flow) -> bool:
        """Does this activity cover the flow (every match key it gives matches)?"""
        dest = flow.destination
        return ((not self.callees or any(fnmatch.fnmatchcase(flow.callee, g) for g in self.callees))
                and (not self.vendors or dest.vendor in self.vendors)
                and (not self.hosts or (dest.host is not None and any(fnmatch.fnmatchcase(dest.host, g) for g in self.hosts)))
                and (not self.categories or any(within(flow.category, c) for c in self.categories)))


@dataclass(frozen=True)
class Config:
    path: str | None = None  # the file the config came from, for messages
    home: tuple = ()
    regime: str | None = None
    include: tuple = ()
    exclude: tuple = ()
    include_tests: bool = False  # tests, fixtures, migrations and benchmarks too
    src: tuple = ()  # import roots, relative to the project root
    unknown_destinations: str = "warn"
    destinations: tuple = ()  # tuple[(glob, jurisdiction)]
    allow: tuple = ()  # tuple[Allow]
    processing: tuple = ()  # tuple[Processing]
    sanitizers: tuple = ()
    local_jurisdiction: str = "HOME"
    categories: tuple = ()  # raw tables, validated by the vocabulary
    sinks: tuple = ()  # raw tables, validated by the catalog
    clients: tuple = ()
    fail_on: str = "warning"
    max_file_bytes: int = 2_000_000
    file_timeout: float = 30.0  # seconds one file may take to summarize
    warnings: tuple = ()  # what the user must hear about the config itself (ownership)
    worker_memory: int = 2048  # megabytes a summarizing worker may grow by
    select: tuple | None = None  # rule codes or prefixes (knowledge/selection.py); None = not given
    extend_select: tuple = ()
    ignore: tuple = ()
    selected: frozenset | None = None  # the codes reported after every layer of selection; None = all
    from_cli: dict = field(default_factory=dict, compare=False, hash=False)  # key -> the option that set it
    keys_lines: dict = field(default_factory=dict, compare=False, hash=False)
    text: str = field(default="", compare=False, hash=False, repr=False)  # the raw file, to locate later errors

    def error(self, message: str, key: str, line_key: str | None = None) -> ConfigError:
        """The error of a bad value at `key`, blamed where the value came from: the command-line
        option that set it (`--home UK: ...`), else this file with the key's line."""
        return cli_error(message, key, self.from_cli) or ConfigError(
            message, path=self.path, key=key, line=self.keys_lines.get(line_key or key))


def find_config(start: Path) -> Path | None:
    """The closest xborder.toml, or pyproject.toml with a [tool.xborder] table, from start upwards."""
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for directory in (here, *here.parents):
        candidate = directory / "xborder.toml"
        if candidate.is_file():
            return candidate
        candidate = directory / "pyproject.toml"
        if candidate.is_file() and re.search(r"^\s*\[tool\.xborder[\].]", _read(candidate), re.M):
            return candidate
        if (directory / ".git").exists():
            return None
    return None


SIZE_LIMIT = 16 << 20  # bytes: a config is a few kilobytes; a device or a FIFO is no config
TIMEOUT_LIMIT = 7 * 24 * 3600.0  # seconds: past this a timeout is no limit, and the OS refuses to wait that long


def _read(path: Path) -> str:
    """A config file's text: a regular file of bounded size (files.read_bytes)."""
    try:
        return files.read_bytes(path, SIZE_LIMIT).decode("utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config: {exc.strerror or exc}", path=str(path)) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"cannot read config: {exc}", path=str(path)) from None


def check_limits(max_file_bytes: object, file_timeout: object, origin: str | None, text: str = "") -> None:
    """The one check of the limits, from the command line (origin None) or a config file: a
    positive whole number of bytes, a finite positive number of seconds below TIMEOUT_LIMIT."""
    def refuse(key: str, message: str):
        raise ConfigError(message, path=origin, key=key, line=locate(text, key) if text else None)

    if max_file_bytes is not None and (type(max_file_bytes) is not int or max_file_bytes < 1):
        refuse("max-file-bytes", "expected a whole number of bytes above 0")
    if file_timeout is not None and (type(file_timeout) not in (int, float) or not math.isfinite(file_timeout)
                                     or not 0 < file_timeout <= TIMEOUT_LIMIT):
        refuse("file-timeout", f"expected a finite number of seconds above 0 (at most {TIMEOUT_LIMIT:g})")


def ownership_warning(path: Path, root: Path) -> str | None:
    """A warning when the config found for `root` sits in a folder above it and belongs to another
    user (a shared /tmp, a parent folder someone else controls): it can exclude everything or set
    fail-on = "never", so its use is announced rather than silent. Not refused, unlike git's
    safe.directory: a config runs no code, and refusing would break every CI job whose checkout
    belongs to another uid, the usual case in containers."""
    folder = path.resolve().parent
    if folder == root or folder not in root.parents:
        return None
    owner = path.stat().st_uid
    if owner == os.geteuid():
        return None
    return (f"using config {path}, owned by another user (uid {owner}) in a folder above the scanned one; "
            "check it, or pass --config")


def cli_error(message: str, key: str | None, from_cli: dict) -> ConfigError | None:
    """The error about `key` said of the command-line option that set its top-level key (`from_cli`:
    key -> the option as written), or None when no option did."""
    top = re.split(r"[.\[]", key or "", maxsplit=1)[0]
    if top not in from_cli:
        return None
    return ConfigError(f"{from_cli[top]}: " + (f"key '{key}': " if key != top else "") + message)


def read_config(path: Path) -> tuple[dict, str, str]:
    """The config table of a file (the [tool.xborder] table of a pyproject.toml), its origin and its text."""
    text = _read(path)
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise ConfigError("invalid TOML: nested too deeply", path=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's error has no lineno; its message says "at line N" or "at end of document".
        where = re.search(r"at line (\d+)", str(exc))
        line = int(where[1]) if where else len(text.splitlines()) or None
        raise ConfigError(f"invalid TOML: {exc}", path=str(path), line=line) from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("xborder", {})
        if not isinstance(data, dict):
            raise ConfigError("[tool.xborder] must be a table", path=str(path), key="tool.xborder")
    return data, str(path), text


def parse_config(data: dict, origin: str, text: str = "", from_cli: dict | None = None) -> Config:
    """The config of a parsed file: its schema (schemas/xborder.schema.json), then what no schema says.
    `from_cli` names the option that set each key given on the command line, to blame its errors on."""
    try:
        return replace(_parse(data, origin, text), from_cli=dict(from_cli or {}))
    except RecursionError:
        raise ConfigError("invalid config: nested too deeply", path=origin) from None
    except ConfigError as exc:
        blamed = cli_error(exc.message, exc.key, from_cli or {})
        if blamed is not None:
            raise blamed from None
        raise


def _parse(data: dict, origin: str, text: str) -> Config:
    check_limits(data.get("max-file-bytes"), data.get("file-timeout"), origin, text)
    check(data, "xborder.schema.json", origin, text=text)

    def fail(message: str, key: str):
        raise ConfigError(message, path=origin, key=key, line=locate(text, key))

    for key, i, problem in _selector_problems(data):
        fail(problem, f"{key}[{i}]")
    globs = [(f"{key}[{i}]", pattern) for key in ("include", "exclude", "extend-exclude")
             for i, pattern in enumerate(data.get(key, []))]
    globs += [(f'destinations."{glob}"', glob) for glob in data.get("destinations", {})]
    for key, glob in globs:
        if glob.count("[") != glob.count("]"):
            fail(f"invalid glob {glob!r}: unbalanced brackets", key)
    home = data.get("home", [])
    regime = data.get("regime")
    return Config(
        path=origin,
        home=tuple(h.upper() for h in ([home] if isinstance(home, str) else home)),
        regime=regime.lower() if regime else None,
        include=tuple(data.get("include", ())),
        exclude=tuple(data.get("exclude", ())) + tuple(data.get("extend-exclude", ())),
        include_tests=data.get("include-tests", False),
        src=tuple(data.get("src", ())),
        unknown_destinations=data.get("unknown-destinations", "warn"),
        destinations=tuple((glob.lower(), juris.upper() if juris.upper() != "HOME" else "HOME")
                           for glob, juris in data.get("destinations", {}).items()),
        allow=tuple(Allow(tuple(entry["categories"]), tuple(j.upper() for j in entry["jurisdictions"]), entry["basis"],
                          entry.get("reference", ""), tuple(entry.get("vendors", ()))) for entry in data.get("allow", [])),
        processing=tuple(_processing(entry) for entry in data.get("processing", [])),
        sanitizers=tuple(data.get("sanitizers", ())),
        local_jurisdiction=data.get("local-jurisdiction", "HOME").strip().upper(),
        categories=tuple(data.get("categories", ())),
        sinks=tuple(data.get("sinks", ())),
        clients=tuple(data.get("clients", ())),
        fail_on=data.get("fail-on", "warning"),
        max_file_bytes=data.get("max-file-bytes", 2_000_000),
        file_timeout=float(data.get("file-timeout", 30.0)),
        worker_memory=data.get("worker-memory", 2048),
        select=tuple(data["select"]) if "select" in data else None,
        extend_select=tuple(data.get("extend-select", ())),
        ignore=tuple(data.get("ignore", ())),
        keys_lines={k: line_of(text, k) for k in data} if text else {},
        text=text,
    )


def _processing(entry: dict) -> Processing:
    return Processing(entry["purpose"], tuple(entry["data-subjects"]), entry.get("legal-basis", ""), entry.get("data-use", ""),
                      entry.get("recipient", ""), tuple(entry.get("callees", ())), tuple(entry.get("vendors", ())),
                      tuple(h.lower() for h in entry.get("hosts", ())), tuple(entry.get("categories", ())))


def _selector_problems(data: dict) -> list:
    """`select`, `extend-select` and `ignore` name rule codes or their prefixes."""
    from .selection import unknown_selectors  # not at import time: it needs the codes, which need the package

    return unknown_selectors({key: data.get(key, ()) for key in ("select", "extend-select", "ignore")})
