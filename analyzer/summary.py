"""What summarizing one module yields: plain frozen records built from the flow IR (ir.py).

The many small records (one per source, call site, argument, parameter, write) are NamedTuples,
which pickle and load about twice as fast as dataclasses. A `ModuleSummary` is a pure function of (file bytes, rules digest, analyzer code), made in a worker
process, pickled back and cached; the global stages never see a syntax tree, only these records.
Located nodes are numbered per module (`loc`); their (line, column) are computed only for the
modules a reported flow touches (`positions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from .ir import Val


class Source(NamedTuple):
    """A place where a personal-data category enters the program by name."""

    category: str
    loc: int  # located-node index in the module
    expression: str
    function: str  # qualname of the enclosing function
    shape: str = "variable"  # variable | parameter | attribute | key | keyword | field | relation | call (a library call's result)


DOUBLE_STAR = "**"  # the name of a `**mapping` argument


class Arg(NamedTuple):
    """One argument of a call site."""

    position: int | None  # positional index, or None for a keyword argument and for **mapping
    name: str | None  # keyword name, DOUBLE_STAR for **mapping, or None
    value: Val
    starred: bool = False  # *args / **mapping at the call site


class CallSite(NamedTuple):
    """One call in the module: what is called (an ir callee), with what, and where."""

    index: int
    function: str  # qualname of the enclosing function
    callee: tuple  # StaticCallee | MethodCallee | DynamicCallee | DecoratedCallee | SuperCallee
    args: tuple  # tuple[Arg, ...]
    loc: int
    text: str  # the callee as written, for messages
    source: int | None = None  # the source this call's result is if it resolves to a rules/sources.toml callee


class FieldWrite(NamedTuple):
    """`target.attr = value`; `cls` is the project class when the target is `self`."""

    target: Val
    cls: str | None
    attr: str
    value: Val
    loc: int = -1  # the located assignment, shown in traces ("stored in Order.note"); -1: a declaration


class GlobalWrite(NamedTuple):
    """An assignment to a module-level variable declared `global` in a function."""

    module: str
    name: str
    value: Val


class Parameter(NamedTuple):
    """A parameter of a function, with its default evaluated where the function is defined."""

    name: str
    kind: str  # "positional" | "keyword" | "varargs" | "varkw" | "closure" (an enclosing variable, passed by name)
    annotation: str | None  # qualified name of the annotation, when it is a plain name
    default: Val | None = None
    by_place: bool = False  # *args the body spreads, unpacks or hands on as args=: each caller's item kept at its place


@dataclass(frozen=True)
class FunctionSummary:
    """A function, method, lambda or module body, interpreted once."""

    qualname: str
    cls: str | None  # the class a method belongs to
    params: tuple  # tuple[Parameter, ...]
    loc: int
    returns: Val
    calls: tuple  # indices into ModuleSummary.calls
    writes: tuple  # tuple[FieldWrite | GlobalWrite, ...]
    is_static: bool = False
    is_classmethod: bool = False
    is_property: bool = False  # read as an attribute: `obj.name` runs it
    outs: tuple = ()  # (parameter, Val): what the function put into a dict or list it was given
    is_stub: bool = False  # its body does nothing (docstring, pass, ..., raising NotImplementedError, a constant returned): an interface

    @property
    def self_param(self) -> str | None:
        """The receiver parameter of a method (self, cls), None for a function or a staticmethod."""
        return self.params[0].name if self.cls and self.params and not self.is_static else None


@dataclass(frozen=True)
class ReverseAccessor:
    """A relation field declared on one model that gives the model it points to an attribute
    querying the declaring model's rows (`ForeignKey(Order, related_name="lines")` on OrderLine:
    `order.lines`)."""

    target: str  # the related model as written: a qualified name, "app_label.Model", "Model" or "self"
    name: str  # the attribute the target's instances get
    source: int | None  # index of the source its name makes (Order.lines: what was bought), or None
    field: str  # the relation field itself, on the declaring model (OrderLine.order)
    many: bool = False  # the field relates many rows of the target (ManyToManyField: `order.tags` is a query)
    # A field made by a class no rule names (a project's `UnsavedForeignKey(ForeignKey)`): its
    # qualified name, which the linker checks against the rules through the class's library bases,
    # and the keywords written as constants, one of which may name the accessor. `name` is then the
    # accessor a rule's keyword names, or "" for the rule's default.
    constructor: str = ""
    keywords: tuple = ()


@dataclass(frozen=True)
class ClassSummary:
    qualname: str
    bases: tuple  # qualified names as written and resolved through imports
    loc: int
    fields: tuple  # tuple[(attr, source index or None)] declared in the body
    relations: tuple = ()  # tuple[ReverseAccessor]: fields this class's relation fields give their targets
    exposes: tuple = ()  # attribute names its nested serializer Meta lists in `fields` (flow.toml serializers)
    numbers: tuple = ()  # fields declared a number (flow.toml number_types): no record's categories on reading
    aliases: tuple = ()  # tuple[(name, method)]: `__str__ = __unicode__` in the body makes `__str__` that method


@dataclass(frozen=True)
class ParseError:
    line: int
    column: int
    message: str
    code: str = "XB901"


@dataclass(frozen=True)
class ModuleSummary:
    path: str  # relative to the scanned root, with "/"
    module: str  # dotted module name
    digest: str  # content hash
    sources: tuple = ()  # tuple[Source, ...]
    calls: tuple = ()  # tuple[CallSite, ...]
    functions: tuple = ()  # tuple[FunctionSummary, ...]
    classes: tuple = ()  # tuple[ClassSummary, ...]
    globals: tuple = ()  # tuple[(name, Val)] module-level bindings at the end of the module
    imports: tuple = ()  # tuple[(name, qualified name)] what imported names stand for (re-exports)
    star_imports: tuple = ()  # modules imported whole (`from .server_settings import *`), in order
    unbound_imports: tuple = ()  # names imported that no local name stands for (`import a.b` binds `a`; a name imported twice)
    declared_globals: tuple = ()  # tuple[(name, qualified name)]: module names given a type (`_security: "Security" = LocalProxy(...)`)
    template_tags: tuple = ()  # tuple[(name, function qualname)] the template tags and filters the module registers
    suppressions: tuple = ()  # tuple[(line, codes tuple, reason)]
    error: ParseError | None = None
    skipped: tuple = ()  # tuple[ParseError] syntax errors stepped over to analyse the rest (XB905)
    settings_names: tuple = ()  # modules the module names as the settings to load (flow.toml settings_selectors)
    mentions: tuple = ()  # names a source rule needs (sources.toml `needs`) that the module writes as a string or calls
    # (line, column) of each located node, 1-based; filled only when summarized with positions,
    # which the pipeline does lazily for the few modules a reported flow touches.
    positions: tuple = ()
    ends: tuple = ()  # (line, column) just past each located node, 1-based, beside `positions`
