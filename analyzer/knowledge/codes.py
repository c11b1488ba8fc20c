"""Rule codes (XB101 ...): name, default severity, family, legal reference, help texts, message
template and runnable examples, from ``rules/codes.toml``, so that every reporter, the evaluator,
inline suppressions and `xborder explain` say the same thing.

Checked strictly like the other rules files: an unknown key, a missing field, an unknown family or
severity, or a message placeholder the reporter cannot fill is a ConfigError naming file and key.
"""

from __future__ import annotations

import functools
import re
import string
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from . import rules_dir

__all__ = ["SEVERITY_ORDER", "Example", "Family", "RuleCode", "RuleCodes", "load_codes", "rule_codes"]

SEVERITY_ORDER = {"error": 3, "warning": 2, "note": 1, "none": 0}
SEVERITIES = ("error", "warning", "note")

# What each family is to the mechanism, and the fields its message template may name.
FAMILIES = {
    "transfer": {"category", "callee", "home", "jurisdiction", "where", "evidence", "regime"},
    "unresolved": {"category", "callee", "home", "jurisdiction", "where", "evidence", "regime"},
    "analysis": set(),  # no template: the message says why the file was not analysed
    "suppression": {"suppression"},
}
_CODE_RE = re.compile(r"^XB\d{3}$")
_NAME_RE = re.compile(r"^[a-z]+(-[a-z]+)*$")
_FAMILY_KEYS = {"tag"}
_CODE_REQUIRED = ("code", "name", "severity", "family", "reference", "summary", "why", "instead")
_CODE_KEYS = {*_CODE_REQUIRED, "message", "excerpt", "report", "no-report"}
_EXAMPLE_KEYS = {"home", "source", "config", "args"}
_MAY_BE_EMPTY = ("reference",)


@dataclass(frozen=True)
class Example:
    """A module that, scanned as app.py with `--home HOME ARGS` and CONFIG as xborder.toml, yields
    its code (a report example) or nothing at all (a no-report example)."""

    home: str
    source: str
    config: str
    args: tuple

    def command(self) -> str:
        return " ".join(("xborder scan --home", self.home, *self.args))


@dataclass(frozen=True)
class Family:
    id: str
    tag: str  # the SARIF rule tag


@dataclass(frozen=True)
class RuleCode:
    code: str
    name: str
    severity: str
    family: str
    reference: str
    summary: str
    why: str
    instead: str
    message: str
    excerpt: str
    report: Example
    no_report: Example

    @property
    def skips_file(self) -> bool:
        """A file that was not analysed: what the analysis missed, not what the code does."""
        return self.family == "analysis"

    @property
    def about_comment(self) -> bool:
        """A problem with a suppression comment: reported at its severity, and it fails the run."""
        return self.family == "suppression"

    def format(self, **fields) -> str:
        return self.message.format(**fields)


@dataclass(frozen=True)
class RuleCodes:
    codes: dict  # code -> RuleCode, in code order
    families: dict  # id -> Family

    def __getitem__(self, code: str) -> RuleCode:
        return self.codes[code]

    def __contains__(self, code: str) -> bool:
        return code in self.codes

    def __iter__(self):
        return iter(self.codes.values())


def _fail(message: str, origin: str, key: str):
    raise ConfigError(message, path=origin, key=key)


def _string(table: dict, name: str, origin: str, key: str, default: str | None = None) -> str:
    if name not in table:
        if default is None:
            _fail(f"missing '{name}'", origin, key)
        return default
    value = table[name]
    if not isinstance(value, str):
        _fail(f"expected string, got {type(value).__name__}", origin, f"{key}.{name}")
    if not value.strip() and name not in _MAY_BE_EMPTY and default is None:
        _fail(f"'{name}' is empty", origin, f"{key}.{name}")
    return value


def _known_keys(table, allowed: set, origin: str, key: str) -> dict:
    if not isinstance(table, dict):
        _fail(f"expected table, got {type(table).__name__}", origin, key)
    for name in table:
        if name not in allowed:
            _fail(f"unknown key '{name}' (known: {', '.join(sorted(allowed))})", origin, f"{key}.{name}" if key else name)
    return table


def _example(table, origin: str, key: str) -> Example:
    _known_keys(table, _EXAMPLE_KEYS, origin, key)
    args = table.get("args", [])
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        _fail("expected a list of strings", origin, f"{key}.args")
    return Example(home=_string(table, "home", origin, key), source=_string(table, "source", origin, key),
                   config=_string(table, "config", origin, key, default=""), args=tuple(args))


def _message(table: dict, family: str, origin: str, key: str) -> str:
    """The message template, naming only fields the reporter of its family fills."""
    message = _string(table, "message", origin, key, default="")
    allowed = FAMILIES[family]
    if not allowed:
        if message:
            _fail(f"a code of family '{family}' has no message template (its messages say their cause)", origin, f"{key}.message")
        return message
    if not message:
        _fail("missing 'message'", origin, key)
    try:
        names = {field for _, field, _, _ in string.Formatter().parse(message) if field is not None}
    except ValueError as exc:
        _fail(f"invalid template: {exc}", origin, f"{key}.message")
    for name in sorted(names - allowed):
        _fail(f"unknown placeholder {{{name}}} (known: {', '.join(sorted(allowed))})", origin, f"{key}.message")
    return message


def _code(table, families: dict, origin: str, key: str) -> RuleCode:
    _known_keys(table, _CODE_KEYS, origin, key)
    fields = {name: _string(table, name, origin, key) for name in _CODE_REQUIRED}
    if not _CODE_RE.match(fields["code"]):
        _fail(f"expected a code such as XB101, got {fields['code']!r}", origin, f"{key}.code")
    if not _NAME_RE.match(fields["name"]):
        _fail(f"expected a kebab-case name, got {fields['name']!r}", origin, f"{key}.name")
    if fields["severity"] not in SEVERITIES:
        _fail(f"expected one of {', '.join(SEVERITIES)}, got {fields['severity']!r}", origin, f"{key}.severity")
    if fields["family"] not in families:
        _fail(f"unknown family {fields['family']!r} (known: {', '.join(families)})", origin, f"{key}.family")
    for name in ("report", "no-report"):
        if name not in table:
            _fail(f"missing '{name}'", origin, key)
    report = _example(table["report"], origin, f"{key}.report")
    excerpt = _string(table, "excerpt", origin, key, default="")
    if excerpt not in report.source:
        _fail("the excerpt does not occur in the report example's source", origin, f"{key}.excerpt")
    return RuleCode(**fields, message=_message(table, fields["family"], origin, key), excerpt=excerpt, report=report,
                    no_report=_example(table["no-report"], origin, f"{key}.no-report"))


def _families(data: dict, origin: str) -> dict:
    tables = _known_keys(data.get("family", {}), set(FAMILIES), origin, "family")
    families = {}
    for family in FAMILIES:
        if family not in tables:
            _fail(f"missing family '{family}'", origin, "family")
        table = _known_keys(tables[family], _FAMILY_KEYS, origin, f"family.{family}")
        families[family] = Family(family, _string(table, "tag", origin, f"family.{family}"))
    return families


def load_codes(path: Path) -> RuleCodes:
    """Read and check a codes file (the bundled one is `rule_codes()`)."""
    origin = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=origin) from None
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))  # before Python 3.14 the line is only in the message
        raise ConfigError(f"invalid TOML: {exc}", path=origin, line=int(found[1]) if found else None) from None
    _known_keys(data, {"family", "code"}, origin, "")
    families = _families(data, origin)
    entries = data.get("code", [])
    if not isinstance(entries, list):
        _fail("expected an array of tables [[code]]", origin, "code")
    codes = {}
    for i, table in enumerate(entries):
        rule = _code(table, families, origin, f"code[{i}]")
        if rule.code in codes:
            _fail(f"duplicate code {rule.code}", origin, f"code[{i}].code")
        codes[rule.code] = rule
    return RuleCodes(dict(sorted(codes.items())), families)


@functools.cache
def rule_codes() -> RuleCodes:
    """The bundled rule codes, read once per process."""
    return load_codes(rules_dir() / "codes.toml")
