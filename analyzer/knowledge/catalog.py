"""The sink catalog: which library calls send or store data, and where to.

Loaded from `rules/sinks/*.toml` (plus a project's additions) and checked strictly: a typo in a
rule file is a usage error with the file and key, never a silently missing sink.
"""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError

ROLES = ("url", "host", "dsn", "region", "path", "bucket")
KINDS = ("network", "storage", "messaging", "email", "telemetry", "logging")


@dataclass(frozen=True)
class Client:
    constructor: str
    type: str
    params: tuple
    destination: tuple  # tuple[(param, role)]
    when: tuple  # tuple[(param, literal)]
    provider: str | None
    inherit: bool
    is_global: bool
    source: str


@dataclass(frozen=True)
class Sink:
    callee: str
    kind: str
    params: tuple
    data: tuple  # parameter names, or ("*",)
    destination: tuple  # tuple[(param, role)]
    client: str | None
    default: str | None
    provider: str | None
    source: str
    examples: tuple  # ((report snippet, ignore snippet))


_CLIENT_KEYS = {"constructor", "type", "params", "destination", "when", "provider", "inherit", "global", "source", "examples"}
_SINK_KEYS = {"callee", "kind", "params", "data", "destination", "client", "default", "provider", "source", "examples"}
_FILE_KEYS = {"client", "sink", "family", "description"}


def _check_type(value, expected, origin: str, key: str):
    if not isinstance(value, expected):
        names = expected.__name__ if isinstance(expected, type) else " or ".join(t.__name__ for t in expected)
        raise ConfigError(f"expected {names}, got {type(value).__name__}", path=origin, key=key)
    return value


def _str_list(entry: dict, name: str, origin: str, key: str) -> tuple:
    items = _check_type(entry.get(name, []), list, origin, f"{key}.{name}")
    for i, item in enumerate(items):
        _check_type(item, str, origin, f"{key}.{name}[{i}]")
    return tuple(items)


def _roles(entry: dict, origin: str, key: str) -> tuple:
    table = _check_type(entry.get("destination", {}), dict, origin, f"{key}.destination")
    for param, role in table.items():
        if role not in ROLES:
            raise ConfigError(f"unknown role {role!r} (one of {', '.join(ROLES)})", path=origin, key=f"{key}.destination.{param}")
    return tuple(table.items())


def _required_str(entry: dict, name: str, origin: str, key: str) -> str:
    if name not in entry:
        raise ConfigError(f"missing '{name}'", path=origin, key=key)
    value = _check_type(entry[name], str, origin, f"{key}.{name}")
    if not value.strip():
        raise ConfigError(f"'{name}' is empty", path=origin, key=f"{key}.{name}")
    return value


def _unknown_keys(entry: dict, allowed: set, origin: str, key: str) -> None:
    for name in entry:
        if name not in allowed:
            raise ConfigError(f"unknown key '{name}'", path=origin, key=f"{key}.{name}")


def parse_client(entry: dict, origin: str, key: str) -> Client:
    _check_type(entry, dict, origin, key)
    _unknown_keys(entry, _CLIENT_KEYS, origin, key)
    constructor = _required_str(entry, "constructor", origin, key)
    when = _check_type(entry.get("when", {}), dict, origin, f"{key}.when")
    return Client(
        constructor=constructor,
        type=_check_type(entry.get("type", constructor), str, origin, f"{key}.type"),
        params=_str_list(entry, "params", origin, key),
        destination=_roles(entry, origin, key),
        when=tuple(sorted((k, str(v)) for k, v in when.items())),
        provider=_check_type(entry.get("provider", ""), str, origin, f"{key}.provider") or None,
        inherit=_check_type(entry.get("inherit", False), bool, origin, f"{key}.inherit"),
        is_global=_check_type(entry.get("global", False), bool, origin, f"{key}.global"),
        source=_check_type(entry.get("source", ""), str, origin, f"{key}.source"),
    )


def parse_sink(entry: dict, origin: str, key: str) -> Sink:
    _check_type(entry, dict, origin, key)
    _unknown_keys(entry, _SINK_KEYS, origin, key)
    kind = _required_str(entry, "kind", origin, key)
    if kind not in KINDS:
        raise ConfigError(f"unknown kind {kind!r} (one of {', '.join(KINDS)})", path=origin, key=f"{key}.kind")
    examples = _check_type(entry.get("examples", {}), dict, origin, f"{key}.examples")
    for name in examples:
        if name not in ("report", "ignore"):
            raise ConfigError(f"unknown key '{name}'", path=origin, key=f"{key}.examples.{name}")
    data = _str_list(entry, "data", origin, key) or ("*",)
    return Sink(
        callee=_required_str(entry, "callee", origin, key),
        kind=kind,
        params=_str_list(entry, "params", origin, key),
        data=data,
        destination=_roles(entry, origin, key),
        client=_check_type(entry.get("client", ""), str, origin, f"{key}.client") or None,
        default=_check_type(entry.get("default", ""), str, origin, f"{key}.default") or None,
        provider=_check_type(entry.get("provider", ""), str, origin, f"{key}.provider") or None,
        source=_check_type(entry.get("source", ""), str, origin, f"{key}.source"),
        examples=(examples.get("report", ""), examples.get("ignore", "")),
    )


@dataclass(frozen=True)
class Flowrules:
    """How library calls move taint: sanitizers cut it, mutators pour arguments into the receiver."""

    sanitizers: tuple  # fnmatch patterns of qualified names
    mutators: tuple  # method names that store their arguments into the receiver (append, update)
    wrappers: tuple  # qualified names whose result calls their first argument (functools.partial)
    key_readers: tuple  # methods whose first argument is a key read from the receiver (d.get("phone"))
    managers: tuple  # class attributes that query instances of the class (Customer.objects)
    environment_readers: tuple  # calls whose string value is their default argument (os.getenv)
    joiners: dict  # qualified name -> separator: calls that join their first two string arguments
    settings_modules: tuple  # qualified names that stand for the project's settings module

    def is_sanitizer(self, qualname: str) -> bool:
        return _matches_any(self.sanitizers, qualname)


@functools.lru_cache(maxsize=1 << 16)
def _matches_any(patterns: tuple, name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


class Catalog:
    """All sinks and clients, indexed by qualified name."""

    def __init__(self, clients: list, sinks: list, flowrules: Flowrules):
        self.clients = clients
        self.sinks = sinks
        self.flowrules = flowrules
        self.sinks_by_callee = {s.callee: s for s in sinks}
        self.clients_by_constructor: dict[str, list] = {}
        for c in clients:
            self.clients_by_constructor.setdefault(c.constructor, []).append(c)

    @classmethod
    def load(cls, directory: Path) -> "Catalog":
        clients, sinks = [], []
        for path in sorted((directory / "sinks").glob("*.toml")):
            c, s = _load_file(path, f"rules/sinks/{path.name}")
            clients += c
            sinks += s
        flowrules = _load_flowrules(directory / "flow.toml")
        return cls(clients, sinks, flowrules)

    def extend(self, clients: list, sinks: list, sanitizers: tuple) -> "Catalog":
        """A project's additions: a sink with the same callee replaces the bundled one."""
        replaced = {s.callee for s in sinks}
        fr = self.flowrules
        return Catalog(
            self.clients + clients,
            [s for s in self.sinks if s.callee not in replaced] + sinks,
            Flowrules(fr.sanitizers + tuple(sanitizers), fr.mutators, fr.wrappers, fr.key_readers, fr.managers,
                      fr.environment_readers, fr.joiners, fr.settings_modules),
        )

    def digest(self) -> str:
        blob = json.dumps([repr(c) for c in self.clients] + [repr(s) for s in self.sinks] + [repr(self.flowrules)])
        return hashlib.sha256(blob.encode()).hexdigest()


def _load_toml(path: Path, origin: str) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", path=origin, line=getattr(exc, "lineno", None)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=origin) from None


def _load_file(path: Path, origin: str) -> tuple[list, list]:
    data = _load_toml(path, origin)
    _unknown_keys(data, _FILE_KEYS, origin, "")
    clients = [parse_client(e, origin, f"client[{i}]") for i, e in enumerate(_check_type(data.get("client", []), list, origin, "client"))]
    sinks = [parse_sink(e, origin, f"sink[{i}]") for i, e in enumerate(_check_type(data.get("sink", []), list, origin, "sink"))]
    return clients, sinks


def _load_flowrules(path: Path) -> Flowrules:
    origin = "rules/flow.toml"
    data = _load_toml(path, origin)
    _unknown_keys(data, {"sanitizers", "mutators", "wrappers", "key_readers", "managers", "environment_readers",
                         "joiners", "settings_modules"}, origin, "")
    joiners = _check_type(data.get("joiners", {}), dict, origin, "joiners")
    for name, separator in joiners.items():
        _check_type(separator, str, origin, f"joiners.{name}")
    return Flowrules(
        sanitizers=_str_list(data, "sanitizers", origin, ""),
        mutators=_str_list(data, "mutators", origin, ""),
        wrappers=_str_list(data, "wrappers", origin, ""),
        key_readers=_str_list(data, "key_readers", origin, ""),
        managers=_str_list(data, "managers", origin, ""),
        environment_readers=_str_list(data, "environment_readers", origin, ""),
        joiners=joiners,
        settings_modules=_str_list(data, "settings_modules", origin, ""),
    )
