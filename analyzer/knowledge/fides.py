"""fideslang keys (rules/fideslang.toml): the data category each xborder category is exported as in
the Fides manifest of the record of processing, and the data subjects and data uses a
`[[processing]]` entry of the config may name.

Checked against schemas/fideslang.schema.json, and here for what a schema cannot say (an id listed
twice, a category left without a key and without a note saying why): a ConfigError naming file and key.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from . import rules_dir
from .schema import check, locate


@dataclass(frozen=True)
class FidesTaxonomy:
    version: str  # the fideslang release the keys come from
    categories: dict  # xborder category id -> fideslang data category key, None when fideslang has none
    data_subjects: tuple
    data_uses: tuple

    def key_for(self, category: str) -> str | None:
        """The fideslang key of a category; for one the tables do not list (a project's own), that of the
        closest listed parent (`user.contact.email.work` -> user.contact.email), else None."""
        parts = category.split(".")
        for n in range(len(parts), 0, -1):
            prefix = ".".join(parts[:n])
            if prefix in self.categories:
                return self.categories[prefix]
        return None


def load_fides(path: Path) -> FidesTaxonomy:
    origin = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=origin) from None
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        raise ConfigError(f"invalid TOML: {exc}", path=origin, line=int(found[1]) if found else None) from None
    check(data, "fideslang.schema.json", origin, text=text)
    categories: dict = {}
    for i, entry in enumerate(data["category"]):
        key = f"category[{i}]"
        if entry["id"] in categories:
            raise ConfigError(f"category {entry['id']!r} is listed twice", path=origin, key=f"{key}.id",
                              line=locate(text, f"{key}.id"))
        if "fides" not in entry and "note" not in entry:
            raise ConfigError("a category with no fideslang key needs a note saying why", path=origin, key=key,
                              line=locate(text, key))
        categories[entry["id"]] = entry.get("fides")
    return FidesTaxonomy(data["version"], categories, tuple(data["data_subjects"]), tuple(data["data_uses"]))


@functools.cache
def fides_taxonomy() -> FidesTaxonomy:
    """The bundled fideslang keys, read once per process."""
    return load_fides(rules_dir() / "fideslang.toml")
