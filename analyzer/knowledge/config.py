"""Project configuration: `[tool.xborder]` in pyproject.toml or the top level of xborder.toml.

Every key is checked; an unknown key or a wrong type is a ConfigError naming file, key and line,
because a misspelt `exlude` that silently does nothing is worse than a failed run.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError

UNKNOWN_POLICIES = ("warn", "error", "ignore")
FAIL_ON = ("error", "warning", "note", "never")


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
    keys_lines: dict = field(default_factory=dict, compare=False, hash=False)
    text: str = field(default="", compare=False, hash=False, repr=False)  # the raw file, to locate later errors


_KEYS = {
    "home": (str, list),
    "regime": str,
    "include": list,
    "exclude": list,
    "unknown-destinations": str,
    "destinations": dict,
    "allow": list,
    "sanitizers": list,
    "local-jurisdiction": str,
    "categories": list,
    "sinks": list,
    "clients": list,
    "fail-on": str,
    "max-file-bytes": int,
    "file-timeout": (int, float),
}
_TOML_TYPES = {str: "string", list: "array", dict: "table", int: "integer", float: "number", bool: "boolean"}
_ALLOW_KEYS = {"categories": list, "jurisdictions": list, "basis": str, "reference": str}


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


def _line_of(text: str, key: str) -> int | None:
    """Best-effort line of `key = ...` or `[key]`/`[[key]]` in the raw TOML text (tomllib keeps none)."""
    leaf = re.escape(key.split(".")[-1].split("[")[0])
    pattern = re.compile(rf'^\s*(?:\[\[?\s*(?:tool\.xborder\.)?{leaf}\s*\]\]?|"?{leaf}"?\s*=)', re.M)
    m = pattern.search(text)
    return text.count("\n", 0, m.start()) + 1 if m else None


def locate(text: str, key: str) -> int | None:
    """Best-effort line of a nested key as messages name it: `allow[1].basis`, `sinks[0]`,
    `destinations."*.example.com"`; the i-th `[[name]]` table, then the key inside it."""
    m = re.fullmatch(r"([\w-]+)(?:\[(\d+)\])?(?:\.(.+))?", key)
    if m is None:
        return None
    name, index, rest = m.groups()
    stem = re.escape(name.rstrip("sy"))  # the rules say [[category]] where a project says [[categories]]
    headers = [h.end() for h in re.finditer(rf"^\s*\[\[?\s*(?:tool\.xborder\.)?{stem}\w*\s*\]\]?", text, re.M)]
    if index is not None:
        headers = headers[int(index):int(index) + 1]
    if not headers:
        return _line_of(text, name)
    start = headers[0]
    if rest:
        leaf = rest[:rest.index('"', 1) + 1] if rest.startswith('"') and '"' in rest[1:] else rest.split(".")[0].split("[")[0]
        end = re.compile(r"^\s*\[", re.M).search(text, start)
        inner = re.compile(rf"^\s*(?:{re.escape(leaf)}|\"{re.escape(leaf.strip(chr(34)))}\")\s*=", re.M).search(text, start, end.start() if end else len(text))
        if inner:
            start = inner.start()
    return text.count("\n", 0, start) + 1


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
    def fail(message: str, key: str):
        raise ConfigError(message, path=origin, key=key, line=locate(text, key))

    for key, value in data.items():
        if key not in _KEYS:
            fail(f"unknown key '{key}' (known: {', '.join(sorted(_KEYS))})", key)
        expected = _KEYS[key]
        if isinstance(value, bool) or not isinstance(value, expected):
            names = " or ".join(_TOML_TYPES[t] for t in (expected if isinstance(expected, tuple) else (expected,)))
            fail(f"expected {names}, got {_TOML_TYPES.get(type(value), type(value).__name__)}", key)

    def str_list(key: str) -> tuple:
        items = data.get(key, [])
        for i, item in enumerate(items):
            if not isinstance(item, str) or not item.strip():
                fail("expected a non-empty string", f"{key}[{i}]")
        return tuple(items)

    home = data.get("home", [])
    home = [home] if isinstance(home, str) else home
    for i, code in enumerate(home):
        if not isinstance(code, str) or not code.strip():
            fail("expected a jurisdiction code such as CN or EU", f"home[{i}]" if "home" in data and isinstance(data["home"], list) else "home")
    unknown = data.get("unknown-destinations", "warn")
    if unknown not in UNKNOWN_POLICIES:
        fail(f"expected one of {', '.join(UNKNOWN_POLICIES)}, got {unknown!r}", "unknown-destinations")
    fail_on = data.get("fail-on", "warning")
    if fail_on not in FAIL_ON:
        fail(f"expected one of {', '.join(FAIL_ON)}, got {fail_on!r}", "fail-on")
    max_bytes = data.get("max-file-bytes", 2_000_000)
    if max_bytes <= 0:
        fail("expected a positive number of bytes", "max-file-bytes")
    file_timeout = data.get("file-timeout", 30.0)
    if not 0 < file_timeout < float("inf"):
        fail("expected a positive number of seconds", "file-timeout")
    for key in ("include", "exclude"):
        for i, pattern in enumerate(str_list(key)):
            if pattern.count("[") != pattern.count("]"):
                fail(f"invalid glob {pattern!r}: unbalanced brackets", f"{key}[{i}]")
    destinations = []
    for glob, juris in data.get("destinations", {}).items():
        if not isinstance(juris, str) or not juris.strip():
            fail("expected a jurisdiction code string", f'destinations."{glob}"')
        if glob.count("[") != glob.count("]"):
            fail(f"invalid glob {glob!r}: unbalanced brackets", f'destinations."{glob}"')
        destinations.append((glob.lower(), juris.upper() if juris.upper() != "HOME" else "HOME"))
    allows = []
    for i, entry in enumerate(data.get("allow", [])):
        key = f"allow[{i}]"
        if not isinstance(entry, dict):
            fail("expected a table", key)
        for name, value in entry.items():
            if name not in _ALLOW_KEYS:
                fail(f"unknown key '{name}' (known: {', '.join(sorted(_ALLOW_KEYS))})", f"{key}.{name}")
            if not isinstance(value, _ALLOW_KEYS[name]):
                fail(f"expected {_TOML_TYPES[_ALLOW_KEYS[name]]}, got {_TOML_TYPES.get(type(value), type(value).__name__)}", f"{key}.{name}")
        for name in ("categories", "jurisdictions", "basis"):
            if not entry.get(name):
                fail(f"'{name}' is required and must not be empty", f"{key}.{name}")
        for name in ("categories", "jurisdictions"):
            for j, item in enumerate(entry[name]):
                if not isinstance(item, str) or not item.strip():
                    fail("expected a non-empty string", f"{key}.{name}[{j}]")
        allows.append(Allow(tuple(entry["categories"]), tuple(j.upper() for j in entry["jurisdictions"]), entry["basis"], entry.get("reference", "")))
    for key in ("categories", "sinks", "clients"):
        for i, entry in enumerate(data.get(key, [])):
            if not isinstance(entry, dict):
                fail("expected a table", f"{key}[{i}]")
    regime = data.get("regime")
    if regime is not None and not regime.strip():
        fail("must not be empty", "regime")
    local = data.get("local-jurisdiction", "HOME")
    if not local.strip():
        fail("expected a jurisdiction code or HOME", "local-jurisdiction")
    return Config(
        path=origin,
        home=tuple(h.upper() for h in home),
        regime=regime.lower() if regime else None,
        include=str_list("include"),
        exclude=str_list("exclude"),
        unknown_destinations=unknown,
        destinations=tuple(destinations),
        allow=tuple(allows),
        sanitizers=str_list("sanitizers"),
        local_jurisdiction=local.strip().upper(),
        categories=tuple(data.get("categories", [])),
        sinks=tuple(data.get("sinks", [])),
        clients=tuple(data.get("clients", [])),
        fail_on=fail_on,
        max_file_bytes=max_bytes,
        file_timeout=float(file_timeout),
        keys_lines={k: _line_of(text, k) for k in data} if text else {},
        text=text,
    )
