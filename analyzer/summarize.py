"""Summarize one module: libcst tree in, `ModuleSummary` (plain data) out.

Each function, method, lambda, class body and the module body is interpreted once, in order, over
an abstract environment (variable -> `Val`). Branches are joined, loops run twice. What comes out
is symbolic: atoms for parameters, call results, fields and globals, which the global stages
resolve across modules. Personal-data sources are marked here, by name, with the vocabulary.

The summary is a pure function of (bytes, rules digest, analyzer version). Positions cost a code
generation pass, so they are computed only on request (`with_positions=True`), for the modules
that a reported flow touches; every located node gets an index either way.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

import libcst as cst

from .positions import node_starts
from .types import (
    EMPTY,
    MAX_PARTS,
    MAX_STRS,
    Arg,
    CallSite,
    ClassSummary,
    FieldWrite,
    FunctionSummary,
    ModuleSummary,
    Param,
    ParseError,
    Source,
    Val,
    join,
    wrap,
)


_KEY = re.compile(r"[\w\- ]{1,64}")  # a field name, not a URL or a sentence
_SUPPRESS = re.compile(rb"#\s*xborder:\s*ignore(?:\[(?P<codes>[A-Za-z0-9_, ]*)\])?(?P<reason>[^\r\n]*)")


@dataclass(frozen=True)
class Context:
    """What summarizing needs besides the file: the vocabulary and the flow rules."""

    vocabulary: object  # analyzer.vocabulary.Vocabulary
    flowrules: object  # analyzer.catalog.Flowrules


# ----------------------------------------------------------------------------- values


def flat(v: Val) -> Val:
    """The value as a whole: known keys folded in, at every depth (a dict used as one payload)."""
    if not v.keys:
        return v
    return Val(join(*(flat(kv) for _, kv in v.keys)).atoms | v.atoms, v.strs)


def item(base: Val, key: str) -> Val:
    """base[key] for a constant key: the known value under it, else an access path one longer."""
    keyed = base.keyed()
    if key in keyed:
        return keyed[key]
    return Val(frozenset(a if a[0] == "src" else wrap(a, "item", key) for a in base.atoms if a[0] not in ("self", "func")))


def strs_of(v: Val) -> tuple:
    if v.strs:
        return v.strs
    alts = tuple(((("atom", a),)) for a in sorted(v.atoms, key=repr) if a[0] not in ("src", "func"))
    return alts[:MAX_STRS] if alts else ((("unknown", "not a constant"),),)


def concat(*parts_lists: tuple) -> tuple:
    """Cartesian concatenation of string alternatives, bounded."""
    result = [()]
    for alts in parts_lists:
        result = [a + b for a in result for b in alts][:MAX_STRS]
    return tuple(_merge_lits(r)[:MAX_PARTS] for r in result)


def _merge_lits(parts: tuple) -> tuple:
    out = []
    for p in parts:
        if p[0] == "lit" and out and out[-1][0] == "lit":
            prev = out[-1]
            out[-1] = ("lit", prev[1] + p[1], prev[2])
        else:
            out.append(p)
    return tuple(out)


def _dotted(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def _text(node: cst.CSTNode) -> str:
    """A short rendering of an expression for messages (no full codegen on the hot path)."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_text(node.value)}.{node.attr.value}"
    if isinstance(node, cst.Subscript):
        key = _literal_key(node)
        return f"{_text(node.value)}[{key!r}]" if key is not None else f"{_text(node.value)}[...]"
    if isinstance(node, cst.Call):
        return f"{_text(node.func)}(...)"
    if isinstance(node, cst.SimpleString):
        return node.value[:40]
    return f"<{type(node).__name__.lower()}>"


def _literal_str(node: cst.CSTNode) -> str | None:
    if isinstance(node, cst.SimpleString):
        try:
            value = node.evaluated_value
        except Exception:  # malformed escapes in a literal: not a constant we can use
            return None
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        left, right = _literal_str(node.left), _literal_str(node.right)
        return left + right if left is not None and right is not None else None
    return None


def _literal_key(node: cst.Subscript) -> str | None:
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    return _literal_str(node.slice[0].slice.value)


# ----------------------------------------------------------------------------- scopes


class _Scope:
    """One function (or class or module body) being interpreted."""

    def __init__(self, qualname: str, cls: str | None, params: dict, parent: "_Scope | None", kind: str):
        self.qualname = qualname
        self.cls = cls
        self.params = params  # name -> Val of the parameter
        self.parent = parent
        self.kind = kind  # "module" | "function" | "class"
        self.env: dict[str, Val] = {}
        self.returns = EMPTY
        self.calls: list[int] = []
        self.writes: list[FieldWrite] = []
        self.self_name: str | None = None
        self.globals_declared: set[str] = set()
        self.fields: list = []  # class bodies: (attr, source index or None)


class _Summarizer:
    def __init__(self, ctx: Context, path: str, module: str, is_package: bool):
        self.vocab = ctx.vocabulary
        self.flowrules = ctx.flowrules
        self.path = path
        self.module = module
        self.package = module if is_package else module.rpartition(".")[0]
        self.locs: list = []  # the located nodes, in index order
        self.sources: list[Source] = []
        self.calls: list[CallSite] = []
        self.functions: list[FunctionSummary] = []
        self.classes: list[ClassSummary] = []
        self.imports: dict[str, str] = {}
        self.module_names: dict[str, str] = {}  # top-level def/class name -> qualname
        self.module_vars: set[str] = set()
        self.lambda_count = 0
        # Loop bodies are interpreted twice: the second time must find the same call sites,
        # sources, locations and nested definitions, not make copies of them.
        self.seen_locs: dict[int, int] = {}
        self.seen_sources: dict[tuple, int] = {}
        self.seen_calls: dict[int, int] = {}
        self.seen_defs: dict[int, str] = {}

    # -- locations

    def loc(self, node: cst.CSTNode) -> int:
        if id(node) in self.seen_locs:
            return self.seen_locs[id(node)]
        index = len(self.locs)
        self.seen_locs[id(node)] = index
        self.locs.append(node)
        return index

    # -- sources

    def classify(self, identifier: str, owner: str | None):
        return self.vocab.classify(identifier, owner)

    def source(self, scope: _Scope, node: cst.CSTNode, identifier: str, owner: str | None, shape: str) -> Val:
        key = (id(node), identifier)
        if key in self.seen_sources:
            return Val(frozenset({("src", self.seen_sources[key])}))
        match = self.classify(identifier, owner)
        if match is None:
            return EMPTY
        self.sources.append(Source(match.category, self.loc(node), _text(node), match.reason, scope.qualname, shape))
        self.seen_sources[key] = len(self.sources) - 1
        return Val(frozenset({("src", len(self.sources) - 1)}))

    # -- names

    def resolve_import(self, name: str, level: int, module: str | None) -> str:
        if level == 0:
            return module or name
        base = self.package.split(".") if self.package else []
        if level > 1:
            base = base[: len(base) - (level - 1)]
        return ".".join([*base, *([module] if module else [])])

    def static_name(self, node: cst.BaseExpression, scope: _Scope) -> str | None:
        """The qualified name of a Name/Attribute chain rooted in an import or a top-level def."""
        dotted = _dotted(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        s = scope
        while s is not None:
            if s.kind == "function" and (head in s.env or head in s.params):
                return None
            s = s.parent
        if head in self.imports:
            q = self.imports[head]
        elif head in self.module_names:
            q = self.module_names[head]
        elif head in self.module_vars:
            return None
        else:
            q = head  # a builtin (open, print) or an undefined name
        return f"{q}.{rest}" if rest else q

    def lookup(self, name: str, node: cst.CSTNode, scope: _Scope) -> Val:
        if name in scope.env:
            return scope.env[name]
        if name in scope.params:
            return scope.params[name]
        if scope.kind != "module" and name in scope.globals_declared:
            return Val(frozenset({("global", self.module, name)}))
        outer = scope.parent
        while outer is not None and outer.kind != "module":
            if outer.kind == "function" and (name in outer.env or name in outer.params):
                v = outer.env.get(name) or outer.params.get(name)
                # A closure keeps what is concrete; atoms of the outer frame mean nothing here.
                return Val(frozenset(a for a in v.atoms if a[0] in ("src", "name", "global", "func", "field")),
                           tuple(s for s in v.strs if all(p[0] == "lit" for p in s)))
            outer = outer.parent
        if name in self.imports:
            return Val(frozenset({("name", self.imports[name])}))
        if name in self.module_names:
            q = self.module_names[name]
            return Val(frozenset({("func", q)}))
        if name in self.module_vars:
            return Val(frozenset({("global", self.module, name)}))
        return Val(frozenset({("name", name)}))

    # ------------------------------------------------------------------------- expressions

    def expr(self, node: cst.BaseExpression, scope: _Scope) -> Val:
        method = getattr(self, f"e_{type(node).__name__}", None)
        if method is not None:
            return method(node, scope)
        # Anything else: evaluate children for their calls; the value is the union.
        return join(*(self.expr(c, scope) for c in node.children if isinstance(c, cst.BaseExpression)))

    def e_Name(self, node: cst.Name, scope: _Scope) -> Val:
        if node.value in ("True", "False", "None"):
            return EMPTY
        return self.lookup(node.value, node, scope)

    def e_SimpleString(self, node, scope) -> Val:
        value = _literal_str(node)
        if value is None:
            return EMPTY
        return Val(strs=((("lit", value, (self.path, self.loc(node))),),))

    def e_ConcatenatedString(self, node, scope) -> Val:
        left, right = self.expr(node.left, scope), self.expr(node.right, scope)
        return Val(left.atoms | right.atoms, concat(strs_of(left), strs_of(right)))

    def e_FormattedString(self, node: cst.FormattedString, scope) -> Val:
        atoms, pieces = set(), []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                pieces.append(((("lit", part.value, (self.path, self.loc(part))),),))
            else:
                v = flat(self.expr(part.expression, scope))
                atoms |= v.atoms
                pieces.append(strs_of(v))
        return Val(frozenset(atoms), concat(*pieces) if pieces else ((),))

    def e_Integer(self, node, scope) -> Val:
        return EMPTY

    e_Float = e_Imaginary = e_Ellipsis = e_Integer

    def e_Attribute(self, node: cst.Attribute, scope: _Scope) -> Val:
        attr = node.attr.value
        q = self.static_name(node, scope)
        if q is not None and _dotted(node.value) and _dotted(node.value).split(".")[0] in self.imports:
            return Val(frozenset({("name", q)})) | self.source_for_attr(node, scope)
        base = self.expr(node.value, scope)
        atoms = set()
        for a in base.atoms:
            if a[0] == "self":
                atoms.add(("field", a[1], attr))
            elif a[0] == "name":
                atoms.add(("name", f"{a[1]}.{attr}"))
            elif a[0] == "src":
                atoms.add(a)
            elif a[0] == "func":
                continue
            else:
                atoms.add(wrap(a, "attr", attr))
        return Val(frozenset(atoms)) | self.source_for_attr(node, scope)

    def source_for_attr(self, node: cst.Attribute, scope: _Scope) -> Val:
        return self.source(scope, node, node.attr.value, self.owner(node.value, scope), "attribute")

    def owner(self, node: cst.BaseExpression, scope: _Scope) -> str | None:
        """The name of the object an attribute or key is read from, for person context."""
        if isinstance(node, cst.Name):
            if node.value in ("self", "cls") and scope.cls:
                return scope.cls.rpartition(".")[2]
            return node.value
        if isinstance(node, cst.Attribute):
            return node.attr.value
        if isinstance(node, cst.Subscript):
            return _literal_key(node) or self.owner(node.value, scope)
        if isinstance(node, cst.Call):
            return self.owner(node.func, scope)
        return None

    def e_Subscript(self, node: cst.Subscript, scope: _Scope) -> Val:
        base = self.expr(node.value, scope)
        key = _literal_key(node)
        for element in node.slice:
            if not (key is not None):
                self.expr_slice(element.slice, scope)
        if key is None:
            return flat(base)
        return item(base, key) | self.source(scope, node, key, self.owner(node.value, scope), "key")

    def expr_slice(self, s, scope):
        if isinstance(s, cst.Index):
            self.expr(s.value, scope)
        elif isinstance(s, cst.Slice):
            for part in (s.lower, s.upper, s.step):
                if part is not None:
                    self.expr(part, scope)

    def e_BinaryOperation(self, node: cst.BinaryOperation, scope) -> Val:
        left, right = flat(self.expr(node.left, scope)), flat(self.expr(node.right, scope))
        atoms = left.atoms | right.atoms
        if isinstance(node.operator, cst.Add):
            return Val(atoms, concat(strs_of(left), strs_of(right)))
        if isinstance(node.operator, cst.Modulo) and left.strs:
            return Val(atoms, tuple(_percent(s) for s in left.strs))
        return Val(atoms)

    def e_BooleanOperation(self, node, scope) -> Val:
        return join(self.expr(node.left, scope), self.expr(node.right, scope))

    def e_Comparison(self, node: cst.Comparison, scope) -> Val:
        self.expr(node.left, scope)
        for target in node.comparisons:
            self.expr(target.comparator, scope)
        return EMPTY  # a boolean identifies nobody

    def e_UnaryOperation(self, node: cst.UnaryOperation, scope) -> Val:
        v = self.expr(node.expression, scope)
        return EMPTY if isinstance(node.operator, cst.Not) else v

    def e_IfExp(self, node: cst.IfExp, scope) -> Val:
        self.expr(node.test, scope)
        return join(self.expr(node.body, scope), self.expr(node.orelse, scope))

    def e_Await(self, node, scope) -> Val:
        return self.expr(node.expression, scope)

    def e_Yield(self, node: cst.Yield, scope: _Scope) -> Val:
        if node.value is not None:
            value = node.value.item if isinstance(node.value, cst.From) else node.value
            scope.returns = join(scope.returns, self.expr(value, scope))
        return EMPTY

    def e_NamedExpr(self, node: cst.NamedExpr, scope) -> Val:
        v = self.expr(node.value, scope)
        self.assign(node.target, v, scope, node.value)
        return v

    def e_StarredElement(self, node, scope) -> Val:
        return self.expr(node.value, scope)

    def e_Dict(self, node: cst.Dict, scope) -> Val:
        atoms, keys, strs = set(), {}, ()
        for element in node.elements:
            if isinstance(element, cst.StarredDictElement):
                v = self.expr(element.value, scope)
                atoms |= v.atoms
                keys.update(v.keyed())
                continue
            key = _literal_str(element.key)
            if key is None:
                atoms |= flat(self.expr(element.key, scope)).atoms
            v = self.expr(element.value, scope)
            if key is not None and not _is_constant(element.value):
                v = v | self.source(scope, element.key, key, None, "key")
                keys[key] = join(keys[key], v) if key in keys else v
            else:
                atoms |= flat(v).atoms
        return Val(frozenset(atoms), strs, tuple(sorted(keys.items())))

    def e_List(self, node, scope) -> Val:
        return Val(join(*(flat(self.expr(e.value, scope)) for e in node.elements)).atoms)

    e_Tuple = e_Set = e_List

    def e_Lambda(self, node: cst.Lambda, scope: _Scope) -> Val:
        if id(node) in self.seen_defs:
            return Val(frozenset({("func", self.seen_defs[id(node)])}))
        self.lambda_count += 1
        qualname = f"{scope.qualname}.<lambda{self.lambda_count}>"
        self.seen_defs[id(node)] = qualname
        inner = _Scope(qualname, scope.cls, {}, scope, "function")
        params = self.params(node.params, inner)
        inner.returns = self.expr(node.body, inner)
        self.finish_function(inner, params, node, (), False, False)
        return Val(frozenset({("func", qualname)}))

    def comprehension(self, node, scope: _Scope, elements) -> Val:
        inner = _Scope(scope.qualname, scope.cls, scope.params, scope.parent, scope.kind)
        inner.env = dict(scope.env)
        inner.calls = scope.calls
        inner.writes = scope.writes
        inner.globals_declared = scope.globals_declared
        inner.self_name = scope.self_name
        for_in = node.for_in
        while for_in is not None:
            self.assign(for_in.target, flat(self.expr(for_in.iter, inner)), inner, None)
            for cond in for_in.ifs:
                self.expr(cond.test, inner)
            for_in = for_in.inner_for_in
        values = [self.expr(e, inner) for e in elements]
        scope.returns = join(scope.returns, inner.returns)
        return Val(join(*(flat(v) for v in values)).atoms)

    def e_ListComp(self, node, scope) -> Val:
        return self.comprehension(node, scope, [node.elt])

    e_SetComp = e_GeneratorExp = e_ListComp

    def e_DictComp(self, node, scope) -> Val:
        return self.comprehension(node, scope, [node.key, node.value])

    # -- calls

    def e_Call(self, node: cst.Call, scope: _Scope) -> Val:
        func = node.func
        callee, receiver, static = self.callee(func, scope)
        args, positional = [], 0
        for a in node.args:
            v = self.expr(a.value, scope)
            if a.keyword is not None:
                if not _is_constant(a.value):  # `email="ops@example.com"` names a constant, not a person's data
                    v = v | self.source(scope, a.keyword, a.keyword.value, self.owner(func, scope), "keyword")
                args.append(Arg(None, a.keyword.value, v, a.star == "**"))
            else:
                args.append(Arg(positional, None, v, a.star == "*"))
                positional += 1
        if id(node) in self.seen_calls:
            index = self.seen_calls[id(node)]
            old = self.calls[index]
            if len(old.args) == len(args):
                args = [Arg(a.position, a.name, join(o.value, a.value), a.starred) for o, a in zip(old.args, args)]
            self.calls[index] = CallSite(index, scope.qualname, callee, tuple(args), old.loc, old.text)
        else:
            index = len(self.calls)
            self.seen_calls[id(node)] = index
            self.calls.append(CallSite(index, scope.qualname, callee, tuple(args), self.loc(node), _text(func)))
            scope.calls.append(index)
        result = Val(frozenset({("ret", index)}))
        name = static or ""
        method = func.attr.value if isinstance(func, cst.Attribute) else None
        # What we can know right here about strings and containers.
        if name in self.flowrules.environment_readers:
            return Val(result.atoms, self.env_default(node, args, name))
        if method == "format" and receiver is not None and receiver.strs:
            return Val(result.atoms | _atoms(args), tuple(_format(s, args) for s in receiver.strs))
        if method == "join" and receiver is not None and receiver.strs and args:
            return Val(result.atoms | _atoms(args), ((("unknown", "str.join"),),))
        if name in self.flowrules.joiners and len(args) >= 2:
            separator = self.flowrules.joiners[name]
            pieces = [strs_of(args[0].value), ((("lit", separator, None),),), strs_of(args[1].value)]
            return Val(result.atoms, concat(*pieces))
        if name == "str" and len(args) == 1:
            return Val(result.atoms, args[0].value.strs)
        if method in self.flowrules.mutators and isinstance(func, cst.Attribute):
            self.mutate(func.value, args, scope)
        if method in self.flowrules.key_readers and node.args and receiver is not None:
            key = _literal_str(node.args[0].value)
            if key is not None and _KEY.fullmatch(key):
                keyed = receiver.keyed()
                value = keyed[key] if key in keyed else result
                return value | self.source(scope, node.args[0].value, key, self.owner(func.value, scope), "key")
        return result

    def env_default(self, node: cst.Call, args: list, name: str) -> tuple:
        var = _literal_str(node.args[0].value) if node.args else None
        default = None
        for a in args:
            if a.position == 1 or a.name in ("default", "value"):
                default = a.value
        if default is not None and default.strs:
            return default.strs
        return ((("unknown", f"environment variable {var or '?'} has no default"),),)

    def mutate(self, target: cst.BaseExpression, args: list, scope: _Scope) -> None:
        value = join(*(flat(a.value) for a in args))
        if isinstance(target, cst.Name):
            name = target.value
            if name in scope.env:
                scope.env[name] = join(scope.env[name], Val(value.atoms))
            elif name in scope.params:
                scope.env[name] = join(scope.params[name], Val(value.atoms))
        elif isinstance(target, cst.Attribute) and _is_self(target.value, scope):
            scope.writes.append(FieldWrite(EMPTY, scope.cls, target.attr.value, Val(value.atoms)))

    def callee(self, func: cst.BaseExpression, scope: _Scope):
        """(callee ref, receiver Val or None, static qualified name or None)."""
        static = self.static_name(func, scope)
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if static is not None and isinstance(func.value, (cst.Name, cst.Attribute)) and _root(func) in self.imports:
                return ("name", static), None, static
            if (isinstance(func.value, cst.Call) and isinstance(func.value.func, cst.Name)
                    and func.value.func.value == "super" and scope.cls):
                for a in func.value.args:
                    self.expr(a.value, scope)
                return ("super", scope.cls, method), None, None
            receiver = self.expr(func.value, scope)
            if static is not None and _root(func) in self.module_names:
                return ("name", static), receiver, static
            return ("method", receiver, method), receiver, None
        if isinstance(func, cst.Name):
            v = self.lookup(func.value, func, scope)
            names = [a for a in v.atoms if a[0] in ("name", "func")]
            if len(names) == 1 and len(v.atoms) == 1:
                return ("name", names[0][1]), None, names[0][1]
            return ("dynamic", v), None, None
        return ("dynamic", self.expr(func, scope)), None, None

    # ------------------------------------------------------------------------- statements

    def block(self, body, scope: _Scope) -> None:
        for stmt in body:
            self.stmt(stmt, scope)

    def suite(self, node, scope: _Scope) -> None:
        if isinstance(node, cst.IndentedBlock):
            self.block(node.body, scope)
        elif isinstance(node, cst.SimpleStatementSuite):
            for small in node.body:
                self.small(small, scope)
        elif node is not None:
            self.stmt(node, scope)

    def branch(self, scope: _Scope, *bodies) -> None:
        """Interpret alternative bodies from the same state and join the results."""
        start = dict(scope.env)
        results = []
        for body in bodies:
            scope.env = dict(start)
            if body is not None:
                body()
            results.append(scope.env)
        merged: dict = {}
        for env in results:
            for name, v in env.items():
                merged[name] = join(merged[name], v) if name in merged else v
        scope.env = merged

    def stmt(self, node: cst.CSTNode, scope: _Scope) -> None:
        if isinstance(node, cst.SimpleStatementLine):
            for small in node.body:
                self.small(small, scope)
        elif isinstance(node, cst.FunctionDef):
            self.function(node, scope)
        elif isinstance(node, cst.ClassDef):
            self.class_def(node, scope)
        elif isinstance(node, cst.If):
            self.expr(node.test, scope)
            self.branch(scope, lambda: self.suite(node.body, scope),
                        (lambda: self.stmt(node.orelse, scope) if isinstance(node.orelse, cst.If)
                         else self.suite(node.orelse.body, scope)) if node.orelse else None)
        elif isinstance(node, cst.Else):
            self.suite(node.body, scope)
        elif isinstance(node, (cst.For, cst.While)):
            if isinstance(node, cst.For):
                iterable = flat(self.expr(node.iter, scope))
            for _ in range(2):  # twice: values carried around the loop reach the top
                if isinstance(node, cst.For):
                    self.assign(node.target, iterable, scope, None)
                else:
                    self.expr(node.test, scope)
                self.branch(scope, lambda: self.suite(node.body, scope), None)
            if node.orelse:
                self.suite(node.orelse.body, scope)
        elif isinstance(node, (cst.Try, cst.TryStar)):
            self.suite(node.body, scope)
            handlers = [lambda h=h: self.handler(h, scope) for h in node.handlers]
            orelse = (lambda: self.suite(node.orelse.body, scope)) if node.orelse else None
            self.branch(scope, orelse or (lambda: None), *handlers)
            if node.finalbody:
                self.suite(node.finalbody.body, scope)
        elif isinstance(node, cst.With):
            for item in node.items:
                v = self.expr(item.item, scope)
                if item.asname is not None:
                    self.assign(item.asname.name, v, scope, item.item)
            self.suite(node.body, scope)
        elif isinstance(node, cst.Match):
            subject = self.expr(node.subject, scope)
            cases = [lambda c=c: self.case(c, subject, scope) for c in node.cases]
            self.branch(scope, lambda: None, *cases)

    def handler(self, h, scope: _Scope) -> None:
        if h.type is not None:
            self.expr(h.type, scope)
        if h.name is not None:
            self.assign(h.name.name, EMPTY, scope, None)
        self.suite(h.body, scope)

    def case(self, case: cst.MatchCase, subject: Val, scope: _Scope) -> None:
        self.bind_pattern(case.pattern, subject, scope)
        if case.guard is not None:
            self.expr(case.guard, scope)
        self.suite(case.body, scope)

    def bind_pattern(self, pattern, subject: Val, scope: _Scope) -> None:
        """Capture names of a match pattern; `{"version": v}` binds v to the value under "version"."""
        if isinstance(pattern, cst.MatchMapping):
            for element in pattern.elements:
                key = _literal_str(element.key)
                self.bind_pattern(element.pattern, item(subject, key) if key is not None else flat(subject), scope)
            if pattern.rest is not None:
                self.assign(pattern.rest, subject, scope, None)
        elif isinstance(pattern, cst.MatchClass):
            for element in pattern.patterns:
                self.bind_pattern(element.value, subject, scope)
            for element in pattern.kwds:
                attr = element.key.value
                sub = Val(frozenset(a if a[0] == "src" else wrap(a, "attr", attr) for a in subject.atoms if a[0] not in ("self", "func")))
                self.bind_pattern(element.pattern, sub, scope)
        elif isinstance(pattern, cst.MatchAs):
            if pattern.pattern is not None:
                self.bind_pattern(pattern.pattern, subject, scope)
            if pattern.name is not None:
                self.assign(pattern.name, subject, scope, None)
        elif isinstance(pattern, (cst.MatchSequence, cst.MatchList, cst.MatchTuple)):
            for element in pattern.patterns:
                self.bind_pattern(element.value if isinstance(element, cst.MatchSequenceElement) else element, flat(subject), scope)
        elif isinstance(pattern, cst.MatchStar) and pattern.name is not None:
            self.assign(pattern.name, subject, scope, None)
        elif isinstance(pattern, cst.MatchOr):
            for element in pattern.patterns:
                self.bind_pattern(element.pattern, subject, scope)

    def small(self, node: cst.BaseSmallStatement, scope: _Scope) -> None:
        if isinstance(node, cst.Assign):
            v = self.expr(node.value, scope)
            for target in node.targets:
                self.assign(target.target, v, scope, node.value)
        elif isinstance(node, cst.AnnAssign):
            if node.value is not None:
                self.assign(node.target, self.expr(node.value, scope), scope, node.value)
            elif scope.kind == "class" and isinstance(node.target, cst.Name):
                self.field(node.target, scope)
        elif isinstance(node, cst.AugAssign):
            old = self.expr(node.target, scope)
            new = flat(self.expr(node.value, scope))
            combined = Val(old.atoms | new.atoms, concat(strs_of(old), strs_of(new)) if old.strs else ())
            self.assign(node.target, combined, scope, None, augmented=True)
        elif isinstance(node, cst.Expr):
            self.expr(node.value, scope)
        elif isinstance(node, cst.Return):
            if node.value is not None:
                scope.returns = join(scope.returns, self.expr(node.value, scope))
        elif isinstance(node, cst.Raise):
            if node.exc is not None:
                self.expr(node.exc, scope)
        elif isinstance(node, cst.Assert):
            self.expr(node.test, scope)
        elif isinstance(node, (cst.Import, cst.ImportFrom)):
            self.import_(node)
        elif isinstance(node, (cst.Global, cst.Nonlocal)):
            scope.globals_declared |= {n.name.value for n in node.names}
        elif isinstance(node, cst.Del):
            pass_through = node.target
            if isinstance(pass_through, cst.Name):
                scope.env.pop(pass_through.value, None)

    def import_(self, node) -> None:
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = _dotted(alias.name)
                if alias.asname is not None:
                    self.imports[alias.asname.name.value] = full
                else:
                    head = full.split(".")[0]
                    self.imports[head] = head
            return
        base = self.resolve_import("", len(node.relative), _dotted(node.module) if node.module else None)
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = alias.name.value
            local = alias.asname.name.value if alias.asname is not None else name
            self.imports[local] = f"{base}.{name}" if base else name

    # -- assignment

    def assign(self, target, value: Val, scope: _Scope, value_node, augmented: bool = False) -> None:
        if isinstance(target, cst.Name):
            name = target.value
            if scope.kind == "class":
                self.field(target, scope)
            # A local named like personal data holds it, unless the value is a constant or
            # comes out of a sanitizer (email = sha256(email).hexdigest()).
            if (not augmented and value_node is not None and not _is_constant(value_node)
                    and not self.sanitized(value_node, scope)):
                value = value | self.source(scope, target, name, None, "variable")
            if scope.kind != "module" and name in scope.globals_declared:
                scope.writes.append(FieldWrite(EMPTY, None, f"{self.module}:{name}", value))
            scope.env[name] = value
        elif isinstance(target, (cst.Tuple, cst.List)):
            values = None
            if isinstance(value_node, (cst.Tuple, cst.List)) and len(value_node.elements) == len(target.elements):
                values = [self.expr(e.value, scope) for e in value_node.elements]
            for i, element in enumerate(target.elements):
                self.assign(element.value, values[i] if values else flat(value), scope, None)
        elif isinstance(target, cst.StarredElement):
            self.assign(target.value, value, scope, None)
        elif isinstance(target, cst.Attribute):
            if _is_self(target.value, scope):
                scope.writes.append(FieldWrite(EMPTY, scope.cls, target.attr.value, value))
            else:
                obj = self.expr(target.value, scope)
                scope.writes.append(FieldWrite(obj, None, target.attr.value, value))
                if isinstance(target.value, cst.Name) and target.value.value in scope.env:
                    scope.env[target.value.value] = join(scope.env[target.value.value], Val(flat(value).atoms))
        elif isinstance(target, cst.Subscript):
            key = _literal_key(target)
            base = target.value
            if key is not None:
                value = value | self.source(scope, target, key, self.owner(base, scope), "key")
            if isinstance(base, cst.Name) and (base.value in scope.env or base.value in scope.params):
                old = scope.env.get(base.value) or scope.params.get(base.value)
                if key is not None:
                    keys = old.keyed()
                    keys[key] = join(keys[key], value) if key in keys and augmented else value
                    scope.env[base.value] = Val(old.atoms, old.strs, tuple(sorted(keys.items())))
                else:
                    scope.env[base.value] = join(old, Val(flat(value).atoms))
            elif isinstance(base, cst.Attribute) and _is_self(base.value, scope):
                scope.writes.append(FieldWrite(EMPTY, scope.cls, base.attr.value, Val(flat(value).atoms)))
            else:
                self.expr(base, scope)

    def sanitized(self, node: cst.BaseExpression, scope: _Scope) -> bool:
        """Is this expression (or the call chain it ends in) the result of a sanitizer call?"""
        while isinstance(node, (cst.Call, cst.Attribute, cst.Subscript, cst.Await)):
            if isinstance(node, cst.Call):
                q = self.static_name(node.func, scope)
                if q and self.flowrules.is_sanitizer(q):
                    return True
                node = node.func
            elif isinstance(node, cst.Await):
                node = node.expression
            else:
                node = node.value
        return False

    # -- definitions

    def params(self, params: cst.Parameters, scope: _Scope) -> tuple:
        out = []

        def add(p: cst.Param, kind: str):
            name = p.name.value
            annotation = None
            if p.annotation is not None:
                annotation = self.static_name(_unquote(p.annotation.annotation), scope.parent or scope)
            default = self.expr(p.default, scope.parent) if p.default is not None and scope.parent else None
            out.append(Param(name, kind, annotation, default))
            v = Val(frozenset({("param", name)}))
            if kind in ("positional", "keyword"):
                v = v | self.source(scope, p.name, name, None, "parameter")
            scope.params[name] = v

        for p in (*params.posonly_params, *params.params):
            add(p, "positional")
        if isinstance(params.star_arg, cst.Param):
            add(params.star_arg, "varargs")
        for p in params.kwonly_params:
            add(p, "keyword")
        if params.star_kwarg is not None:
            add(params.star_kwarg, "varkw")
        return tuple(out)

    def decorators(self, node, scope: _Scope) -> tuple:
        names = []
        for d in node.decorators:
            expr = d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator
            names.append(self.static_name(expr, scope) or _text(expr))
        return tuple(names)

    def function(self, node: cst.FunctionDef, scope: _Scope) -> None:
        name = node.name.value
        prefix = scope.qualname if scope.kind != "module" else self.module
        qualname = f"{prefix}.{name}"
        if id(node) in self.seen_defs:
            if scope.kind != "class":
                scope.env[name] = Val(frozenset({("func", qualname)}))
            return
        self.seen_defs[id(node)] = qualname
        cls = scope.qualname if scope.kind == "class" else (scope.cls if scope.kind == "function" else None)
        decorators = self.decorators(node, scope)
        inner = _Scope(qualname, cls, {}, scope, "function")
        params = self.params(node.params, inner)
        is_static = "staticmethod" in decorators
        is_classmethod = "classmethod" in decorators
        if scope.kind == "class" and params and not is_static:
            first = params[0].name
            inner.self_name = first
            inner.params[first] = Val(frozenset({("self", scope.qualname)}))
        self.suite(node.body, inner)
        self.finish_function(inner, params, node, decorators, is_static, is_classmethod)
        if scope.kind != "class":
            scope.env[name] = Val(frozenset({("func", qualname)}))

    def finish_function(self, scope: _Scope, params, node, decorators, is_static, is_classmethod) -> None:
        self.functions.append(FunctionSummary(
            qualname=scope.qualname, cls=scope.cls if scope.self_name or is_classmethod else None,
            params=params, loc=self.loc(node), returns=scope.returns, calls=tuple(scope.calls),
            writes=tuple(scope.writes), decorators=decorators, is_static=is_static, is_classmethod=is_classmethod,
        ))

    def class_def(self, node: cst.ClassDef, scope: _Scope) -> None:
        prefix = scope.qualname if scope.kind != "module" else self.module
        qualname = f"{prefix}.{node.name.value}"
        if id(node) in self.seen_defs:
            if scope.kind != "class":
                scope.env[node.name.value] = Val(frozenset({("func", qualname)}))
            return
        self.seen_defs[id(node)] = qualname
        bases = []
        for arg in node.bases:
            self.expr(arg.value, scope)
            bases.append(self.static_name(_unquote(arg.value), scope) or _text(arg.value))
        body = _Scope(qualname, qualname, {}, scope, "class")
        self.suite(node.body, body)
        self.classes.append(ClassSummary(qualname, tuple(bases), self.loc(node), tuple(body.fields), self.decorators(node, scope)))
        if scope.kind != "class":
            scope.env[node.name.value] = Val(frozenset({("func", qualname)}))

    def field(self, target: cst.Name, scope: _Scope) -> None:
        """A class-level name: a model field (Django, SQLAlchemy, pydantic, dataclass) or attribute."""
        names = [f for f, _ in scope.fields]
        if target.value in names:
            return
        v = self.source(scope, target, target.value, scope.qualname.rpartition(".")[2], "field")
        index = next(iter(v.atoms))[1] if v.atoms else None
        scope.fields.append((target.value, index))

    # ------------------------------------------------------------------------- module

    def run(self, module: cst.Module) -> None:
        for stmt in module.body:
            self.prescan(stmt)
        top = _Scope(f"{self.module}.<module>", None, {}, None, "module")
        self.block(module.body, top)
        self.finish_function(top, (), module, (), False, False)
        self.module_env = top.env

    def prescan(self, node) -> None:
        """Top-level names and imports, so functions can refer to what is defined after them."""
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            self.module_names[node.name.value] = f"{self.module}.{node.name.value}"
        elif isinstance(node, cst.SimpleStatementLine):
            for small in node.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)):
                    self.import_(small)
                elif isinstance(small, (cst.Assign, cst.AnnAssign, cst.AugAssign)):
                    targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
                    for t in targets:
                        for n in _walk(t):
                            if isinstance(n, cst.Name):
                                self.module_vars.add(n.value)
        elif isinstance(node, (cst.If, cst.Try, cst.With)):
            for child in _walk_blocks(node):
                self.prescan(child)


def _walk_blocks(node):
    for child in node.children:
        if isinstance(child, cst.IndentedBlock):
            yield from child.body
        elif isinstance(child, (cst.Else, cst.Finally, cst.ExceptHandler, cst.If)):
            yield from _walk_blocks(child)


def _walk(node):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(n.children)


def _root(node) -> str:
    while isinstance(node, cst.Attribute):
        node = node.value
    return node.value if isinstance(node, cst.Name) else ""


def _is_self(node, scope: _Scope) -> bool:
    return isinstance(node, cst.Name) and scope.self_name is not None and node.value == scope.self_name


def _is_constant(node) -> bool:
    return isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.Integer, cst.Float, cst.Imaginary)) or (
        isinstance(node, cst.Name) and node.value in ("None", "True", "False"))


def _unquote(node):
    """A string annotation ("Client") read as the name it spells."""
    value = _literal_str(node)
    if value and re.fullmatch(r"[A-Za-z_][\w.]*", value):
        return cst.parse_expression(value)
    return node


def _atoms(args: list) -> frozenset:
    return frozenset().union(*(flat(a.value).atoms for a in args)) if args else frozenset()


def _percent(parts: tuple) -> tuple:
    """'https://%s/x' % host: keep the constant text before the first placeholder."""
    out = []
    for p in parts:
        if p[0] == "lit" and "%" in p[1]:
            out.append(("lit", p[1].split("%", 1)[0], p[2]))
            out.append(("unknown", "%-formatting"))
            break
        out.append(p)
    return tuple(out)


def _format(parts: tuple, args: list) -> tuple:
    """'https://{host}/x'.format(host=H): substitute what is known, positionally or by name."""
    positional = [a for a in args if a.position is not None]
    named = {a.name: a for a in args if a.name}
    out, counter = [], 0
    for p in parts:
        if p[0] != "lit":
            out.append(p)
            continue
        for piece in re.split(r"(\{[^{}]*\})", p[1]):
            if piece.startswith("{") and piece.endswith("}"):
                field = piece[1:-1].split(":")[0].split("!")[0]
                arg = None
                if field == "":
                    arg = positional[counter] if counter < len(positional) else None
                    counter += 1
                elif field.isdigit():
                    i = int(field)
                    arg = positional[i] if i < len(positional) else None
                else:
                    arg = named.get(field)
                out.extend(strs_of(arg.value)[0] if arg is not None else (("unknown", "format field"),))
            elif piece:
                out.append(("lit", piece, p[2]))
    return _merge_lits(tuple(out))[:MAX_PARTS]


def suppressions(source: bytes) -> tuple:
    """`# xborder: ignore[XB101] reason` comments: (line, codes, reason)."""
    if b"xborder:" not in source:
        return ()
    found = []
    for number, line in enumerate(source.splitlines(), 1):
        m = _SUPPRESS.search(line)
        if m:
            codes = tuple(c.strip() for c in (m.group("codes") or b"").decode("ascii", "replace").split(",") if c.strip())
            found.append((number, codes, m.group("reason").decode("utf-8", "replace").strip()))
    return tuple(found)


def summarize(source: bytes, path: str, module: str, is_package: bool, ctx: Context,
              digest: str, with_positions: bool = False) -> ModuleSummary:
    """One module in, one summary out; a file that cannot be read as Python yields an error summary."""
    try:
        tree = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        # libcst's raw column is often the start of the line; its message says where on that line
        # it stopped (the message's line can be past the end of the file, so the raw line wins).
        where = re.search(r"error at (\d+):(\d+)", exc.message)
        line = exc.raw_line
        column = int(where[2]) if where and int(where[1]) == line else exc.raw_column + 1
        return ModuleSummary(path, module, digest, error=ParseError(line, column, f"syntax error: {exc.message}"))
    except (UnicodeDecodeError, LookupError, SyntaxError, ValueError) as exc:
        return ModuleSummary(path, module, digest, error=ParseError(1, 1, f"cannot decode: {exc}"))
    except RecursionError:
        return ModuleSummary(path, module, digest, error=ParseError(1, 1, "too deeply nested to parse", "XB902"))
    s = _Summarizer(ctx, path, module, is_package)
    limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(max(limit, 6000))
        s.run(tree)
    except RecursionError:
        return ModuleSummary(path, module, digest, error=ParseError(1, 1, "too deeply nested to analyze", "XB902"))
    finally:
        sys.setrecursionlimit(limit)
    return ModuleSummary(
        path=path, module=module, digest=digest,
        sources=tuple(s.sources), calls=tuple(s.calls), functions=tuple(s.functions), classes=tuple(s.classes),
        globals=tuple(sorted(s.module_env.items())), suppressions=suppressions(source),
        positions=tuple(node_starts(tree, s.locs)) if with_positions else (),
    )
