"""Decorators: what the decorators of a function do where it is defined (connect it to a signal,
register a template tag, wrap it in a function of the project's own)."""

from __future__ import annotations

import libcst as cst

from ..ir import CallResult, DecoratedCallee, DynamicCallee, ProjectRef, SelfRef, Val
from ..summary import Arg
from .names import Scope
from .values import dotted, literal_str, made_by, text_of


def decorator_callable(d: cst.Decorator) -> tuple:
    """(the callable a decorator names, its method name when it is an attribute): `receiver` of
    `@receiver(sig)`, `sig.connect` and "connect" of `@sig.connect`."""
    expr = d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator
    return expr, expr.attr.value if isinstance(expr, cst.Attribute) else None


class Decorators:
    """The decorators of a function definition, for the Summarizer."""

    def registrations(self, node: cst.FunctionDef, qualname: str, scope: Scope) -> None:
        """A decorator that connects the function to a signal (`@receiver(sig)`, `@sig.connect`,
        rules/flow.toml `signals`) is applied where the function is defined: a call of the
        decorator with the function, in the enclosing scope."""
        for d in node.decorators:
            expr, method = decorator_callable(d)
            if self.flowrules.signals.registers(self.static_name(expr, scope), method):
                function = Arg(0, None, Val(frozenset({ProjectRef(qualname)})))
                self.call_site(d, scope, DynamicCallee(self.expr(d.decorator, scope)), [function], d.decorator)

    def decorations(self, node: cst.FunctionDef, qualname: str, scope: Scope, unbound: bool) -> None:
        """The project's own decorators (`@validate_schema(schema)`, a name of this package) run where
        the function is defined, innermost first, and what they make of it is what its callers (a
        framework routing to a view) call: called there as they would, a method on an instance of
        its class, so that a wrapper handing it data (`kwargs["data"] = schema.load(...)`) does."""
        top = self.module.split(".")[0]
        value, applied = Val(frozenset({ProjectRef(qualname)})), False
        for d in reversed(node.decorators):
            expr, method = decorator_callable(d)
            name = self.static_name(expr, scope)
            head = (dotted(expr) or "").partition(".")[0]
            bound = head in self.imports or head in self.module_names
            if name is None or not bound or name.split(".")[0] != top or self.flowrules.signals.registers(name, method):
                continue
            index = self.call_site(d, scope, DynamicCallee(self.expr(d.decorator, scope)), [Arg(0, None, value)], d.decorator)
            value, applied = Val(frozenset({CallResult(index)})), True
        if applied:
            itself = [Arg(0, None, Val(frozenset({SelfRef(scope.qualname)})))] if scope.kind == "class" and not unbound else []
            self.call_site(node.name, scope, DecoratedCallee(value, qualname), itself, node.name)

    def template_tag(self, node: cst.FunctionDef, qualname: str, scope: Scope) -> None:
        """A function a template library registers (`@register.simple_tag(name="user_display")`:
        flow.toml templates) is that tag or filter of the project's templates; not one given the
        whole context (`takes_context=True`), which may write any of it."""
        templates = self.flowrules.templates
        for d in node.decorators:
            call = d.decorator if isinstance(d.decorator, cst.Call) else None
            expr, _ = decorator_callable(d)
            if not (isinstance(expr, cst.Attribute) and expr.attr.value in templates.tag_registrars
                    and isinstance(expr.value, cst.Name) and made_by(self.lookup(expr.value.value, scope), self.calls, templates.tag_libraries)):
                continue
            options = {a.keyword.value: a.value for a in call.args if a.keyword} if call else {}
            if "takes_context" in options and text_of(options["takes_context"]) == "True":
                continue
            positional = [a.value for a in call.args if not a.keyword] if call else []
            name = literal_str(options["name"]) if "name" in options else literal_str(positional[0]) if positional else None
            self.template_tags.append((name or node.name.value, qualname))
