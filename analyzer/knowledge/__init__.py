"""Knowledge: everything the analysis knows about the world, from `rules/` (TOML) plus the
project's additions in its config, loaded and checked before any file is read.

    config.py         [tool.xborder] / xborder.toml of the scanned project
    vocabulary.py     personal-data categories and the identifier matcher (rules/categories.toml)
    sources.py        sources besides names: library calls, model field types, getters (rules/sources.toml)
    catalog.py        sinks, clients and flow rules (rules/sinks/*.toml, rules/flow.toml)
    jurisdictions.py  hosts, regions, vendors and regimes (rules/destinations/*.toml, rules/regimes.toml)
    fides.py          fideslang keys for the Fides export of the record of processing (rules/fideslang.toml)
    codes.py          what each rule code means, its severity, texts and examples (rules/codes.toml)
    schema.py         the JSON Schemas of schemas/ every file is checked against, and its error messages
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from ..dotted import within
from ..errors import ConfigError
from .catalog import Catalog, parse_client, parse_sink
from .config import Config, cli_error
from .jurisdictions import Jurisdictions
from .schema import bundled_dir, locate
from .sources import SourceRules, load_sources
from .vocabulary import Vocabulary, load_vocabulary


def rules_dir() -> Path:
    """The bundled rules: `rules` inside the installed package, `rules/` beside it in a checkout."""
    return bundled_dir("rules")


@dataclass
class Knowledge:
    """The rules plus the project's additions."""

    config: Config
    vocabulary: Vocabulary
    catalog: Catalog
    jurisdictions: Jurisdictions
    sources: SourceRules

    def digest(self) -> str:
        return f"{self.vocabulary.digest()}-{self.catalog.digest()}-{self.sources.digest()}"


def load_knowledge(config: Config) -> Knowledge:
    """The rules plus the project's additions; a problem in the project's file is given its line."""
    try:
        knowledge = _load(config)
        _check_config(knowledge)
        return knowledge
    except ConfigError as exc:
        blamed = cli_error(exc.message, exc.key, config.from_cli) if exc.path == (config.path or "config") else None
        if blamed is not None:  # a value the command line gave
            raise blamed from None
        if exc.path == config.path and exc.key and config.text:
            exc.line = locate(config.text, exc.key) or exc.line
        raise


def _load(config: Config) -> Knowledge:
    directory = rules_dir()
    origin = config.path or "config"
    vocabulary = load_vocabulary(directory)
    if config.categories:
        vocabulary = vocabulary.extend(list(config.categories), origin, "categories")
    catalog = Catalog.load(directory)
    if config.sinks or config.clients or config.sanitizers:
        catalog = catalog.extend([parse_client(c, origin) for c in config.clients], [parse_sink(s, origin) for s in config.sinks],
                                 config.sanitizers)
    jurisdictions = Jurisdictions.from_dir(directory)
    if config.destinations:
        jurisdictions = jurisdictions.with_project(dict(config.destinations), origin)
    sources = load_sources(directory)
    sources.check_categories(vocabulary.categories, "rules/sources.toml")
    for key in ("record_categories", "own_words"):
        unknown = sorted(getattr(catalog.flowrules, key) - set(vocabulary.categories))
        if unknown:
            raise ConfigError(f"unknown category {unknown[0]!r}", path="rules/flow.toml", key=key)
    return Knowledge(config, vocabulary, catalog, jurisdictions, sources)


def _check_config(k: Knowledge) -> None:
    """The config's names that only the rules can check: jurisdictions, categories, regimes, bases."""
    config, j = k.config, k.jurisdictions

    def fail(message: str, key: str, line_key: str | None = None):
        raise config.error(message, key, line_key)

    for code in config.home:
        if not j.is_known(code):
            fail(f"unknown jurisdiction {code!r} (an ISO 3166-1 alpha-2 code or a group such as EU){_did_you_mean(j, code)}", "home")
    if config.local_jurisdiction != "HOME" and not j.is_known(config.local_jurisdiction):
        fail(f"unknown jurisdiction {config.local_jurisdiction!r} (a code, a group or HOME)"
             f"{_did_you_mean(j, config.local_jurisdiction)}", "local-jurisdiction")
    regime = j.regimes.get(config.regime) if config.regime else (j.regime_for_home(config.home[0]) if config.home else None)
    for i, entry in enumerate(config.allow):
        for code in entry.jurisdictions:
            if code != "*" and not j.is_known(code):
                fail(f"unknown jurisdiction {code!r}{_did_you_mean(j, code)}", f"allow[{i}].jurisdictions", "allow")
        for c in entry.categories:
            if c != "*" and not _known_category(k, c):
                fail(f"unknown category {c!r}", f"allow[{i}].categories", "allow")
        _check_vendors(k, entry.vendors, f"allow[{i}]", "allow", fail)
        if regime is not None and regime.bases and entry.basis not in regime.bases:
            fail(f"basis {entry.basis!r} is not one {regime.id} knows ({', '.join(sorted(regime.bases))})",
                 f"allow[{i}].basis", "allow")
    if config.regime and config.regime not in j.regimes:
        fail(f"unknown regime {config.regime!r} (known: {', '.join(sorted(j.regimes))})", "regime")
    _check_processing(k, fail)


def _check_processing(k: Knowledge, fail) -> None:
    """`[[processing]]`: vendors the destination tables name, known categories, fideslang's subjects and uses."""
    from .fides import fides_taxonomy  # not at import time: it reads the rules folder this package names

    fides = fides_taxonomy()
    for i, entry in enumerate(k.config.processing):
        key = f"processing[{i}]"
        _check_vendors(k, entry.vendors, key, "processing", fail)
        for n, c in enumerate(entry.categories):
            if not _known_category(k, c):
                fail(f"unknown category {c!r}", f"{key}.categories[{n}]", "processing")
        for n, subject in enumerate(entry.data_subjects):
            if subject not in fides.data_subjects:
                fail(f"data subject {subject!r} is no fideslang data subject ({', '.join(fides.data_subjects)})",
                     f"{key}.data-subjects[{n}]", "processing")
        if entry.data_use and entry.data_use not in fides.data_uses:
            fail(f"data use {entry.data_use!r} is no fideslang data use" + (_suggestion(entry.data_use, fides.data_uses) or ""),
                 f"{key}.data-use", "processing")


def _check_vendors(k: Knowledge, names: tuple, key: str, line_key: str, fail) -> None:
    """Vendor names of an [[allow]] or [[processing]] entry: as the destination tables spell them."""
    vendors = k.jurisdictions.vendors()
    for n, name in enumerate(names):
        if name not in vendors:
            fail(f"no vendor or cloud provider {name!r} in rules/destinations"
                 + (_suggestion(name, sorted(vendors)) or " (`xborder rules destinations` lists them)"), f"{key}.vendors[{n}]", line_key)


def _known_category(k: Knowledge, category: str) -> bool:
    """A category id of the vocabulary, or a prefix of some (`user.contact` covers user.contact.email)."""
    return any(within(cid, category) for cid in k.vocabulary.categories)


def _suggestion(name: str, choices) -> str | None:
    """"; did you mean 'x'?" for the closest of `choices`, or None."""
    close = difflib.get_close_matches(name, choices, n=1)
    return f"; did you mean {close[0]!r}?" if close else None


def _did_you_mean(j: Jurisdictions, code: str) -> str:
    guess = j.suggest(code)
    return f"; did you mean {guess}?" if guess else ""
