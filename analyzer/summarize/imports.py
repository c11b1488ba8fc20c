"""Imports: what the names an import statement binds stand for."""

from __future__ import annotations

import libcst as cst

from .values import dotted


class Imports:
    """Import statements for the summarizer (state lives in Summarizer: imports, unbound_imports)."""

    def resolve_import(self, level: int, module: str | None) -> str:
        """The absolute module of `from <level dots><module> import ...`."""
        if level == 0:
            return module or ""
        base = self.package.split(".") if self.package else []
        if level > 1:
            base = base[: len(base) - (level - 1)]
        return ".".join([*base, *([module] if module else [])])

    def import_(self, node) -> None:
        """Bind the names an import statement introduces to the qualified names they stand for."""
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = dotted(alias.name)
                if alias.asname is not None:
                    self.bind_import(alias.asname.name.value, full)
                else:
                    head = full.split(".")[0]
                    self.bind_import(head, head)
                    if full != head:
                        self.unbound_imports[full] = None
            return
        base = self.resolve_import(len(node.relative), dotted(node.module) if node.module else None)
        if isinstance(node.names, cst.ImportStar):
            if base:
                self.star_imports[base] = None
            return
        for alias in node.names:
            name = alias.name.value
            local = alias.asname.name.value if alias.asname is not None else name
            self.bind_import(local, f"{base}.{name}" if base else name)

    def bind_import(self, local: str, qualname: str) -> None:
        """`local` stands for `qualname`; a name it stood for before (a second `from .b import main`)
        is still imported, by this module (discover.test_support counts it)."""
        before = self.imports.get(local)
        if before is not None and before != qualname:
            self.unbound_imports[before] = None
        self.imports[local] = qualname
