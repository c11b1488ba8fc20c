"""One summary for identical files: a summary made for one file, re-bound to another file with the
same bytes (the empty `__init__.py` of every package, a copied module) instead of summarizing it
again.

A summary depends on its file's path and module name in known places only: the path in
`ModuleSummary.path` and in the located string pieces (`Lit.where`); the module in the qualified
names made from it (`pkg.mod.f`, `pkg.mod.<module>`, `GlobalRef("pkg.mod", x)`) and, through its
package, in the targets of relative imports (`from .x import y` -> `pkg.x`). Re-binding replaces
exactly those: a name equal to the old module (or package), or under it, becomes the same name
under the new one, everywhere except in text copied from the code or from the rules (string
pieces, expressions as written, messages, categories, kinds).

It is refused (the file is summarized again) when a name of the code itself could be mistaken for
one made from the module: when the last part of the old module or package occurs anywhere in the
file's bytes, or the file imports from a parent package (`from ..`), or a relative import has no
package to stand under. An empty file always qualifies.
"""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass, replace

from .dotted import within
from .ir import Lit
from .summary import ModuleSummary

_RELATIVE = re.compile(rb"\bfrom\s+\.")
_PARENT = re.compile(rb"\bfrom\s+\.\.")
# Fields holding text from the code or the rules, never a name made from the module.
_TEXT = frozenset({"kind", "shape", "category", "expression", "text", "message", "why", "code"})


def _package(module: str, is_package: bool) -> str:
    return module if is_package else module.rpartition(".")[0]


def rebind(summary: ModuleSummary, source: bytes, path: str, module: str, is_package: bool) -> ModuleSummary | None:
    """`summary`, made from these same bytes for another file, as summarizing them for `path` and
    `module` would make it; None when that cannot be sure."""
    if summary.path == path and summary.module == module:
        return summary
    renames = [(summary.module, module)]
    if _RELATIVE.search(source):
        old, new = _package(summary.module, summary.path.rpartition("/")[2] == "__init__.py"), _package(module, is_package)
        if _PARENT.search(source) or not old or not new:
            return None
        renames.append((old, new))
    try:  # a name from a file name that is not UTF-8 holds surrogates: its bytes, as the file system has them
        if any(old.rpartition(".")[2].encode("utf-8", "surrogateescape") in source for old, _ in renames):
            return None
    except UnicodeEncodeError:
        return None
    renames.sort(key=lambda r: -len(r[0]))  # the module before its package
    return _Rebinder(summary.path, path, renames).walk(summary)


class _Rebinder:
    def __init__(self, old_path: str, new_path: str, renames: list):
        self.old_path, self.new_path = old_path, new_path
        self.renames = renames
        self.names: dict = {}

    def name(self, text: str) -> str:
        found = self.names.get(text)
        if found is None:
            found = text
            for old, new in self.renames:
                if within(text, old):
                    found = new + text[len(old):]
                    break
            self.names[text] = found
        return found

    def walk(self, value):
        t = type(value)
        if t is str:
            return self.name(value)
        if t is Lit:
            where = value.where
            if where is not None and where[0] == self.old_path:
                return Lit(value.text, (self.new_path, *where[1:]), value.kind)
            return value
        if t is tuple:
            return tuple(self.walk(v) for v in value)
        if t is frozenset:
            return frozenset(self.walk(v) for v in value)
        if isinstance(value, tuple) and hasattr(t, "_fields"):  # a NamedTuple record
            return t(*(v if f in _TEXT else self.walk(v) for f, v in zip(t._fields, value)))
        if is_dataclass(value):
            changed = {f.name: self.walk(getattr(value, f.name)) for f in fields(value) if f.name not in _TEXT}
            if t is ModuleSummary:
                changed["path"] = self.new_path
            return replace(value, **changed)
        return value
