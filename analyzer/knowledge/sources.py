"""Where personal data enters besides a name (rules/sources.toml): library calls whose result is a
person's data (a password-reset token, the user's language), model fields whose declared type says
what they hold whatever they are called (`contact = models.EmailField()`, a foreign key to the user
model), and the prefixes of calls named after the data they return (`user.get_full_name()`)."""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from ..errors import ConfigError
from ..ir import StaticCallee
from .catalog import load_rules_toml, matches_any
from .vocabulary import split_words


@dataclass(frozen=True)
class SourceCall:
    """A library callable (a qualified name or glob) whose result is personal data of `category`."""

    callee: str
    category: str
    source: str
    needs: tuple = ()  # names the project must mention for the result to be a person's (else the service's own)
    decided_by: tuple = ()  # settings that decide the rule where the project assigns one
    scoped: tuple = ()  # needs holding for a block only: counted only where no `decided_by` setting is assigned

    def needs_met(self, mentioned: set) -> bool:
        """Does the project mention a name the rule needs? A `scoped` one (override(), a block's)
        counts only where the project assigns none of `decided_by` (a reusable app)."""
        needs = set(self.needs)
        if mentioned & set(self.decided_by):
            needs -= set(self.scoped)
        return bool(mentioned & needs)


@dataclass(frozen=True)
class FieldType:
    """A model field constructor whose field holds `category`; with `to`, only a relation field
    whose target (first argument or `to=`) is one of those names."""

    constructors: tuple
    category: str
    to: tuple
    source: str


@dataclass(frozen=True)
class SourceArgument:
    """An argument of a library call that holds a person's data by the API's contract (the comment
    a spam check is asked about), whatever the variable passed is called; or, with `equals`, an
    option that makes the library collect and send data by itself when written as that constant
    (`sentry_sdk.init(send_default_pii=True)`: the signed-in user and the client's IP address)."""

    callee: str
    position: int | None
    keywords: tuple
    categories: tuple
    source: str
    equals: bool | None = None


@dataclass(frozen=True)
class SourceRules:
    calls: tuple = ()  # tuple[SourceCall, ...]
    fields: tuple = ()  # tuple[FieldType, ...]
    getters: tuple = ()  # first words of calls named after the data they return (get_email)
    lookups: tuple = ()  # words after which a getter's name says how it looks up, not what (get_user_by_email)
    arguments: tuple = ()  # tuple[SourceArgument, ...]

    def argument(self, static: str | None, method: str | None, position: int | None, keyword: str | None,
                 constant: bool = False, written: bool | None = None) -> tuple:
        """The categories an argument holds: of the callee named (`static`) or, on an object only
        propagation knows, of a method named like a rule's callee. A `constant` (a literal, a
        setting) holds nothing, except for an option rule whose `equals` it is `written` as."""
        for a in self.arguments:
            named = fnmatch.fnmatchcase(static, a.callee) if static else method == a.callee.rpartition(".")[2]
            if named and ((position is not None and position == a.position) or (keyword and keyword in a.keywords)) \
                    and (written is a.equals if a.equals is not None else not constant):
                return a.categories
        return ()

    def call(self, qualname: str) -> str | None:
        """The category a library call's result holds, by its qualified name, if a rule says so."""
        return next((c.category for c in self.calls if fnmatch.fnmatchcase(qualname, c.callee)), None)

    def method(self, name: str) -> str | None:
        """The category a method named `name` returns if the call resolves to a rule's callee: a
        call on an object known only when propagating (a subclass of PasswordResetTokenGenerator)."""
        return next((c.category for c in self.calls if c.callee.rpartition(".")[2] == name), None)

    def field(self, constructor: str, targets: tuple) -> FieldType | None:
        """The rule of a field declared with `constructor`, relating to any of `targets`."""
        for f in self.fields:
            if matches_any(f.constructors, constructor):
                if not f.to or any(matches_any(f.to, t) for t in targets):
                    return f
        return None

    def getter_data(self, name: str) -> str | None:
        """The data a call named `get_full_name` / `getEmail` / `generate_login_code` says it
        returns (`full_name`), or None; `get_user_by_email` returns a user, not an e-mail."""
        words = split_words(name)
        if len(words) < 2 or words[0] not in self.getters:
            return None
        data = words[1:]
        cut = next((i for i, w in enumerate(data) if w in self.lookups), len(data))
        return "_".join(data[:cut]) or None

    @functools.cached_property
    def needed_names(self) -> frozenset:
        """The names some source rule needs the project to mention (a setting's value, a call)."""
        return frozenset(name for c in self.calls for name in c.needs)

    @functools.cached_property
    def deciding_settings(self) -> frozenset:
        """The settings whose module-level assignment decides some source rule (`decided_by`)."""
        return frozenset(name for c in self.calls for name in c.decided_by)

    def idle(self, summaries: list) -> list:
        """The summaries with the sources of the call rules whose `needs` the project never mentions
        made inert (category ""): `get_language()` is the site's own language in a project that
        never switches it per request or per user. A project that sets MIDDLEWARE (a rule's
        `decided_by`) without LocaleMiddleware keeps the site's language outside an override()
        block (`scoped`); a reusable app setting none is judged by its own override() calls."""
        mentioned = set().union(*(s.mentions for s in summaries))
        idle = [c.callee for c in self.calls if c.needs and not c.needs_met(mentioned)]
        if not idle:
            return summaries
        out = []
        for s in summaries:
            locs = {c.loc for c in s.calls if type(c.callee) is StaticCallee
                    and any(fnmatch.fnmatchcase(c.callee.qualname, callee) for callee in idle)}
            if any(src.shape == "call" and src.loc in locs for src in s.sources):
                s = replace(s, sources=tuple(src._replace(category="") if src.shape == "call" and src.loc in locs else src
                                             for src in s.sources))
            out.append(s)
        return out

    def check_categories(self, known, origin: str) -> None:
        for table, rules in (("source", self.calls), ("field", self.fields)):
            for i, rule in enumerate(rules):
                if rule.category not in known:
                    raise ConfigError(f"unknown category {rule.category!r}", path=origin, key=f"{table}[{i}].category")
        for i, rule in enumerate(self.arguments):
            for category in rule.categories:
                if category not in known:
                    raise ConfigError(f"unknown category {category!r}", path=origin, key=f"argument[{i}].categories")

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()


def load_sources(directory: Path) -> SourceRules:
    """rules/sources.toml, checked against schemas/sources.schema.json."""
    data = load_rules_toml(directory, "sources.toml")
    calls = tuple(SourceCall(e["callee"], e["category"], e["source"], tuple(e.get("needs", ())),
                             tuple(e.get("decided_by", ())), tuple(e.get("scoped", ())))
                  for e in data.get("source", []))
    fields = tuple(FieldType(tuple(e["constructor"]), e["category"], tuple(e.get("to", ())), e["source"])
                   for e in data.get("field", []))
    arguments = tuple(SourceArgument(e["callee"], e.get("position"), tuple(e.get("keywords", ())), tuple(e["categories"]),
                                     e["source"], e.get("equals"))
                      for e in data.get("argument", []))
    return SourceRules(calls, fields, tuple(data.get("getters", ())), tuple(data.get("lookups", ())), arguments)
