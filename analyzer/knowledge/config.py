"""Project configuration: `[tool.xborder]` in pyproject.toml or the top level of xborder.toml.

Every key is checked against schemas/xborder.schema.json; an unknown key or a wrong type is a
ConfigError naming file, key and line, because a misspelt `exlude` that silently does nothing is
worse than a failed run.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError
from .schema import check, line_of, locate


@dataclass(frozen=True)
class Allow:
    categories: tuple  # category ids or prefixes; ("*",) for all
    jurisdictions: tuple
    basis: str
    reference: str


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
    sanitizers: tuple = ()
    local_jurisdiction: str = "HOME"
    categories: tuple = ()  # raw tables, validated by the vocabulary
    sinks: tuple = ()  # raw tables, validated by the catalog
    clients: tuple = ()
    fail_on: str = "warning"
    max_file_bytes: int = 2_000_000
    file_timeout: float = 30.0  # seconds one file may take to summarize
    worker_memory: int = 2048  # megabytes a summarizing worker may grow by
    keys_lines: dict = field(default_factory=dict, compare=False, hash=False)
    text: str = field(default="", compare=False, hash=False, repr=False)  # the raw file, to locate later errors


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


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config: {exc}", path=str(path)) from None


def load_config(path: Path) -> Config:
    text = _read(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's error has no lineno; its message says "at line N" or "at end of document".
        where = re.search(r"at line (\d+)", str(exc))
        line = int(where[1]) if where else len(text.splitlines()) or None
        raise ConfigError(f"invalid TOML: {exc}", path=str(path), line=line) from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("xborder", {})
        if not isinstance(data, dict):
            raise ConfigError("[tool.xborder] must be a table", path=str(path), key="tool.xborder")
    return parse_config(data, str(path), text)


def parse_config(data: dict, origin: str, text: str = "") -> Config:
    """The config of a parsed file: its schema (schemas/xborder.schema.json), then what no schema says."""
    check(data, "xborder.schema.json", origin, text=text)

    def fail(message: str, key: str):
        raise ConfigError(message, path=origin, key=key, line=locate(text, key))

    file_timeout = data.get("file-timeout", 30.0)
    if not math.isfinite(file_timeout):
        fail("expected a finite number of seconds", "file-timeout")
    globs = [(f"{key}[{i}]", pattern) for key in ("include", "exclude") for i, pattern in enumerate(data.get(key, []))]
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
        exclude=tuple(data.get("exclude", ())),
        include_tests=data.get("include-tests", False),
        src=tuple(data.get("src", ())),
        unknown_destinations=data.get("unknown-destinations", "warn"),
        destinations=tuple((glob.lower(), juris.upper() if juris.upper() != "HOME" else "HOME")
                           for glob, juris in data.get("destinations", {}).items()),
        allow=tuple(Allow(tuple(entry["categories"]), tuple(j.upper() for j in entry["jurisdictions"]), entry["basis"],
                          entry.get("reference", "")) for entry in data.get("allow", [])),
        sanitizers=tuple(data.get("sanitizers", ())),
        local_jurisdiction=data.get("local-jurisdiction", "HOME").strip().upper(),
        categories=tuple(data.get("categories", ())),
        sinks=tuple(data.get("sinks", ())),
        clients=tuple(data.get("clients", ())),
        fail_on=data.get("fail-on", "warning"),
        max_file_bytes=data.get("max-file-bytes", 2_000_000),
        file_timeout=float(file_timeout),
        worker_memory=data.get("worker-memory", 2048),
        keys_lines={k: line_of(text, k) for k in data} if text else {},
        text=text,
    )
