"""Imports: what the names an import statement binds stand for, and the library classes used
through them that send data by themselves."""

from __future__ import annotations

import libcst as cst

from ..dotted import within
from ..ir import StaticCallee, join
from ..summary import Arg, Source
from .values import dotted, text_of


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

    def library_sender(self, node: cst.BaseExpression, static: str | None, scope) -> None:
        """A library class that sends personal data by itself (a sink's `sends`: Django's
        PasswordResetView mails the account's address, a reCAPTCHA field sends the visitor's IP
        address), used here (subclassed, called, a method of it called: `PasswordResetView.as_view()`):
        a call of it at this node, given what it sends, read where it is used."""
        sender = next((q for q in self.senders if static is not None and within(static, q)), None)
        if sender is None:
            return
        what = f"what {text_of(node)} sends by itself"
        sent = join(*(self.add_source(Source(category, self.loc(node), what, scope.qualname, "call"), (id(node), category))
                      for category in self.senders[sender]))
        self.call_site(node, scope, StaticCallee(sender), [Arg(0, None, sent)], node)
