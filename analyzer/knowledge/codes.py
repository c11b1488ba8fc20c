"""Rule codes (XB101 ...): name, default severity, family, legal reference, help texts, message
template and runnable examples, from ``rules/codes.toml``, so that every reporter, the evaluator,
inline suppressions and `xborder explain` say the same thing.

Checked like the other rules files, against schemas/codes.schema.json (an unknown key, a missing
field, an unknown family or severity), and here for what a schema cannot say (a message placeholder
the reporter cannot fill, an excerpt missing from its example, a duplicate code): a ConfigError
naming file and key.
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
from .schema import check

__all__ = ["SEVERITY_ORDER", "Example", "Family", "RuleCode", "RuleCodes", "load_codes", "rule_codes"]

SEVERITY_ORDER = {"error": 3, "warning": 2, "note": 1, "none": 0}

# What each family is to the mechanism, and the fields its message template may name.
FAMILIES = {
    "transfer": {"category", "callee", "home", "jurisdiction", "where", "evidence", "regime"},
    "unresolved": {"category", "callee", "home", "jurisdiction", "where", "evidence", "regime"},
    "analysis": set(),  # no template: the message says why the file was not analysed
    "suppression": {"suppression"},
}


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
    security_severity: str = ""  # GitHub code scanning's score, findings only ("" = none)
    precision: str = "medium"  # very-high | high | medium | low
    message_many: str = ""  # the message of a finding with several categories ("" = `message`)

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

    def format_many(self, categories: list, **fields) -> str:
        """The message of a finding that carries `categories` (names, the most sensitive first)."""
        template = self.message_many if len(categories) > 1 and self.message_many else self.message
        return template.format(category=", ".join(categories), **fields)


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


def _example(table: dict) -> Example:
    return Example(home=table["home"], source=table["source"], config=table.get("config", ""), args=tuple(table.get("args", ())))


def _message(table: dict, family: str, origin: str, key: str, name: str = "message") -> str:
    """The message template, naming only fields the reporter of its family fills."""
    message = table.get(name, "")
    allowed = FAMILIES[family]
    if not allowed:
        if message:
            _fail(f"a code of family '{family}' has no message template (its messages say their cause)", origin, f"{key}.message")
        return message
    if not message.strip():
        _fail("missing 'message'", origin, key)
    try:
        names = {field for _, field, _, _ in string.Formatter().parse(message) if field is not None}
    except ValueError as exc:
        _fail(f"invalid template: {exc}", origin, f"{key}.{name}")
    for unknown in sorted(names - allowed):
        _fail(f"unknown placeholder {{{unknown}}} (known: {', '.join(sorted(allowed))})", origin, f"{key}.{name}")
    return message


def _code(table: dict, origin: str, key: str) -> RuleCode:
    report = _example(table["report"])
    excerpt = table.get("excerpt", "")
    if excerpt not in report.source:
        _fail("the excerpt does not occur in the report example's source", origin, f"{key}.excerpt")
    fields = {name: table[name] for name in ("code", "name", "severity", "family", "reference", "summary", "why", "instead")}
    if table.get("security-severity") and table["family"] not in ("transfer", "unresolved"):
        _fail("only findings (families transfer, unresolved) have a security-severity", origin, f"{key}.security-severity")
    if table.get("security-severity") == "0.0":
        _fail("a security-severity is above 0.0", origin, f"{key}.security-severity")
    return RuleCode(**fields, message=_message(table, table["family"], origin, key), excerpt=excerpt, report=report,
                    no_report=_example(table["no-report"]), security_severity=table.get("security-severity", ""),
                    precision=table.get("precision", "medium"),
                    message_many=_message(table, table["family"], origin, key, "message-many") if "message-many" in table else "")


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
    check(data, "codes.schema.json", origin)
    families = {name: Family(name, table["tag"]) for name, table in data["family"].items()}
    codes = {}
    for i, table in enumerate(data["code"]):
        rule = _code(table, origin, f"code[{i}]")
        if rule.code in codes:
            _fail(f"duplicate code {rule.code}", origin, f"code[{i}].code")
        codes[rule.code] = rule
    return RuleCodes(dict(sorted(codes.items())), families)


@functools.cache
def rule_codes() -> RuleCodes:
    """The bundled rule codes, read once per process."""
    return load_codes(rules_dir() / "codes.toml")
