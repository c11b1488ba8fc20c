"""Statements: branches joined, loops run twice, `match`, `with`, `try`, and assignments to every
kind of target."""

from __future__ import annotations

import libcst as cst

from ..ir import EMPTY, CallResult, MethodCallee, Poured, ProjectRef, SourceRef, Unknown, Val, join, ordered, position
from ..summary import ClassSummary, FieldWrite, GlobalWrite
from ..strings import concat
from .names import Scope
from .values import as_instance, as_scalar, class_test, collection, converted_variable, either, flat, has_starred, is_dunder, item, made_by, \
    named_after_class, scalar_variable, strs_of, unquote


UNSET_ON_SOME_PATH = Val(strs=((Unknown("unset on some path"),),))
READS = (cst.Attribute, cst.Subscript)


def renamed(value: Val, name: str, sources: list, vocab) -> Val:
    """`task_name = sender.name`: what a read gives, kept in a local whose name says it is something
    else (a word of the category's exclusions: a task's, a file's, a host's name), is not that
    category's personal data; the read's other categories and its objects stay."""
    dropped = {a for a in value.atoms if type(a) is SourceRef and vocab.excluded_by(name, sources[a.index].category)}
    return Val(value.atoms - dropped, value.strs, value.keys) if dropped else value


class Statements:
    """Statement interpretation over the scope's environment (variable -> Val)."""

    def block(self, body, scope: Scope) -> None:
        for stmt in body:
            self.stmt(stmt, scope)

    def suite(self, node, scope: Scope) -> None:
        if isinstance(node, cst.IndentedBlock):
            self.block(node.body, scope)
        elif isinstance(node, cst.SimpleStatementSuite):
            for small in node.body:
                self.small(small, scope)
        elif node is not None:
            self.stmt(node, scope)

    def branch(self, scope: Scope, *bodies) -> None:
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
                merged[name] = either(merged[name], v) if name in merged else v
        for name, v in merged.items():
            # A parameter rebound on some paths only (`if not s: s = ""`) is still the caller's on the others.
            if name not in start and name in scope.params and any(name not in env for env in results):
                merged[name] = either(v, scope.params[name])
        if scope.kind == "module":
            # A setting bound on some paths only (`if DEBUG: EMAIL_BACKEND = ...`) keeps the
            # framework's default on the others: its value may also be "unset".
            for name, v in merged.items():
                if v.strs and name not in start and any(name not in env for env in results):
                    merged[name] = join(v, UNSET_ON_SOME_PATH)
        scope.env = merged

    def stmt(self, node: cst.CSTNode, scope: Scope) -> None:
        method = getattr(self, f"s_{type(node).__name__}", None)
        if method is not None:
            method(node, scope)

    def s_SimpleStatementLine(self, node, scope: Scope) -> None:
        for small in node.body:
            self.small(small, scope)

    def s_FunctionDef(self, node, scope: Scope) -> None:
        self.function(node, scope)

    def s_ClassDef(self, node, scope: Scope) -> None:
        self.class_def(node, scope)

    def s_If(self, node: cst.If, scope: Scope) -> None:
        self.expr(node.test, scope)
        orelse = None
        if isinstance(node.orelse, cst.If):
            orelse = lambda: self.stmt(node.orelse, scope)  # noqa: E731
        elif node.orelse:
            orelse = lambda: self.suite(node.orelse.body, scope)  # noqa: E731
        narrowed, converted = self.narrowing(node.test, scope), self.converting(node, scope)

        def body():
            scope.env.update(narrowed)
            self.suite(node.body, scope)

        def other():
            scope.env.update(converted)
            if orelse is not None:
                orelse()
        self.branch(scope, body, other)

    def narrowing(self, test, scope: Scope) -> dict:
        """The variable a test proves a plain string or number, bound to its value as one (for the
        branch it guards: `if isinstance(user, str): address = user` is no User's fields), or an
        instance of classes the code names (`if isinstance(obj, Product)`: no user row). The
        variable is put in the environment as it is, so that other branches keep it whole."""
        name, found = scalar_variable(test), class_test(test)
        classes = [self.static_name(n, scope) for n in found[1]] if found and name is None else []
        if classes and all(classes):
            name = found[0]
        if name is None or (name not in scope.env and name not in scope.params):
            return {}
        value = scope.env.setdefault(name, self.lookup(name, scope))
        return {name: as_instance(value, classes) if classes else as_scalar(value)}

    def converting(self, node: cst.If, scope: Scope) -> dict:
        """The variable `if isinstance(x, Cls): x = x.email` converts (values.converted_variable),
        bound for the other path to its value as a plain one."""
        name = converted_variable(node)
        if name is None or (name not in scope.env and name not in scope.params):
            return {}
        return {name: as_scalar(self.lookup(name, scope))}

    def positional(self, node: cst.BaseExpression, scope, kinds: tuple = (cst.Tuple,)) -> Val:
        """The value a `return` gives (a tuple), or a local the function unpacks or spreads is bound to
        (a tuple or list: Scope.unpacks): written out, as a whole and its items by position, so that
        unpacking it (`html, images = render(...)`, `form, event, amount = args` of `f(*args)`) gives
        each name its own item. Not every tuple a local holds: a tuple passed on keeps growing where
        a recursive call builds the next from the last (wagtail's `_copy_page` made the scan 15 times
        slower)."""
        if not isinstance(node, kinds) or has_starred(node.elements):
            return self.expr(node, scope)
        values = [self.expr(e.value, scope) for e in node.elements]
        whole = collection(values)  # and its dict elements for a loop over it (values.one_element)
        return Val(whole.atoms, (), tuple(sorted((*whole.keys, *((position(i), v) for i, v in enumerate(values))))))

    def made_class(self, node: cst.Assign, scope: Scope) -> None:
        """`Base = declarative_base(cls=Mixin)` (flow.toml base_factories): Base is a class deriving
        from the class given and from the factory's, so that a model's `save()` is the mixin's."""
        call, target = node.value, node.targets[0].target
        if len(node.targets) != 1 or not isinstance(target, cst.Name) or not isinstance(call, cst.Call):
            return
        factory = self.static_name(call.func, scope)
        keyword = self.flowrules.base_factories.get(factory or "")
        mixin = next((self.static_name(a.value, scope) for a in call.args if keyword and a.keyword and a.keyword.value == keyword), None)
        if mixin:
            qualname = f"{self.module}.{target.value}"
            self.classes.append(ClassSummary(qualname, (mixin, factory), self.loc(node), ()))
            scope.env[target.value] = Val(frozenset({ProjectRef(qualname)}))

    def s_Else(self, node, scope: Scope) -> None:
        self.suite(node.body, scope)

    def s_For(self, node, scope: Scope) -> None:
        iterable = self.element(node.iter, scope) if isinstance(node, cst.For) else None
        for _ in range(2):  # twice: values carried around the loop reach the top
            if iterable is not None:
                self.assign_element(node.target, iterable, node.iter, scope)
            else:
                self.expr(node.test, scope)
            self.branch(scope, lambda: self.suite(node.body, scope), None)
        if node.orelse:
            self.suite(node.orelse.body, scope)

    s_While = s_For

    def s_Try(self, node, scope: Scope) -> None:
        self.suite(node.body, scope)
        handlers = [lambda h=h: self.handler(h, scope) for h in node.handlers]
        orelse = (lambda: self.suite(node.orelse.body, scope)) if node.orelse else None
        self.branch(scope, orelse or (lambda: None), *handlers)
        if node.finalbody:
            self.suite(node.finalbody.body, scope)

    s_TryStar = s_Try

    def s_With(self, node, scope: Scope) -> None:
        """`with manager as name`: name is what the manager's __enter__ (`async with`: __aenter__)
        returns, a call site on it (a project class's: the client it opens); a library's manager,
        which returns itself (`with smtplib.SMTP(host) as smtp`), is kept too."""
        for entry in node.items:
            v = self.expr(entry.item, scope)
            if entry.asname is not None:
                enter = "__aenter__" if node.asynchronous else "__enter__"
                index = self.call_site(entry, scope, MethodCallee(v, enter), [], entry.item)
                self.assign(entry.asname.name, v | Val(frozenset({CallResult(index)})), scope, entry.item)
        self.suite(node.body, scope)

    def s_Match(self, node, scope: Scope) -> None:
        subject = self.expr(node.subject, scope)
        cases = [lambda c=c: self.case(c, subject, scope) for c in node.cases]
        self.branch(scope, lambda: None, *cases)

    def handler(self, h, scope: Scope) -> None:
        if h.type is not None:
            self.expr(h.type, scope)
        if h.name is not None:
            self.assign(h.name.name, EMPTY, scope, None)
        self.suite(h.body, scope)

    def case(self, case: cst.MatchCase, subject: Val, scope: Scope) -> None:
        self.bind_pattern(case.pattern, subject, scope)
        if case.guard is not None:
            self.expr(case.guard, scope)
        self.suite(case.body, scope)

    def small(self, node: cst.BaseSmallStatement, scope: Scope) -> None:
        if isinstance(node, cst.Assign):
            unpacked = isinstance(node.value, (cst.Tuple, cst.List)) and \
                any(isinstance(t.target, cst.Name) and scope.unpacks(t.target.value, self.flowrules.args_keyword) for t in node.targets)
            v = self.positional(node.value, scope, (cst.Tuple, cst.List)) if unpacked else self.expr(node.value, scope)
            for target in node.targets:
                self.assign(target.target, v, scope, node.value)
            if scope.kind == "module":
                self.made_class(node, scope)
        elif isinstance(node, cst.AnnAssign):
            if scope.kind == "class" and isinstance(node.target, cst.Name):
                self.field(node.target, scope, node.value, node.annotation.annotation)
            if scope.kind == "module" and isinstance(node.target, cst.Name) \
                    and (declared := self.static_name(unquote(node.annotation.annotation), scope)):
                self.declared_globals[node.target.value] = declared
            if node.value is not None:
                self.assign(node.target, self.expr(node.value, scope), scope, node.value)
        elif isinstance(node, cst.AugAssign):
            old = self.expr(node.target, scope)
            new = flat(self.expr(node.value, scope))
            combined = Val(old.atoms | new.atoms, concat(strs_of(old), strs_of(new)) if old.strs else ())
            self.assign(node.target, combined, scope, None, augmented=True)
        elif isinstance(node, cst.Expr):
            self.expr(node.value, scope)
        elif isinstance(node, cst.Return):
            if node.value is not None:
                scope.returns = either(scope.returns, self.positional(node.value, scope))
        elif isinstance(node, cst.Raise):
            if node.exc is not None:
                self.expr(node.exc, scope)
        elif isinstance(node, cst.Assert):
            self.expr(node.test, scope)
        elif isinstance(node, (cst.Import, cst.ImportFrom)):
            self.import_(node)
        elif isinstance(node, (cst.Global, cst.Nonlocal)):
            scope.globals_declared |= {n.name.value for n in node.names}
        elif isinstance(node, cst.Del) and isinstance(node.target, cst.Name):
            scope.env.pop(node.target.value, None)

    # -- assignment

    def assign(self, target, value: Val, scope: Scope, value_node, augmented: bool = False) -> None:
        if isinstance(target, cst.Name):
            self.assign_name(target, value, scope, value_node, augmented)
        elif isinstance(target, (cst.Tuple, cst.List)):
            values = None
            if isinstance(value_node, (cst.Tuple, cst.List)) and len(value_node.elements) == len(target.elements):
                values = [self.expr(e.value, scope) for e in value_node.elements]
            # a call's result or a variable unpacked: the item at each position, where it is a tuple;
            # an element of it otherwise, never the whole sequence (whose items would nest in what
            # it is unpacked into: `(self.year, ...) = spec`, spec a tuple of those fields)
            returned = isinstance(value_node, (cst.Call, cst.Name)) and not has_starred(target.elements)
            outer = self.unpacked_record, self.unpacked_login
            self.unpacked_record, self.unpacked_login = self.unpacking_owner(target), self.unpacks_login(target)
            for i, element in enumerate(target.elements):
                if values:
                    part = values[i]
                elif returned:
                    part = join(item(value, position(i)), Val(strs=value.strs))
                else:
                    part = flat(value)
                # each name unpacked is named like what it holds, as a name assigned alone is
                self.assign(element.value, part, scope, value_node.elements[i].value if values else value_node)
            self.unpacked_record, self.unpacked_login = outer
        elif isinstance(target, cst.StarredElement):
            self.assign(target.value, value, scope, None)
        elif isinstance(target, cst.Attribute):
            self.assign_attribute(target, self.bound_method(value_node, scope) or value, scope)  # `self.hook = self.send_copy`
        elif isinstance(target, cst.Subscript):
            self.assign_item(target, value, scope, value_node, augmented)

    def assign_name(self, target: cst.Name, value: Val, scope: Scope, value_node, augmented: bool) -> None:
        name = target.value
        scope.forget_memos(name)
        if not augmented and (method := self.method_alias(value_node, scope)):
            scope.aliases.append((name, method))
            return
        if name in scope.params and not augmented:
            scope.rebound.add(name)
            scope.mutated.discard(name)
        if scope.kind == "class":
            self.field(target, scope, value_node)
        # A local named like personal data holds it, unless the value is a constant, comes out
        # of a sanitizer (email = sha256(email).hexdigest()), is the program's own text named
        # like a person's words (flow.toml own_words) or a file's path (flow.toml path_builders).
        own_text = self.program_text(name, None if augmented else value_node, scope)  # also tracks the scope's templates
        sanitized = value_node is not None and self.sanitized(value_node, scope)
        if sanitized:
            self.digests.add((scope.qualname, name))
        else:
            self.digests.discard((scope.qualname, name))
        if not augmented and value_node is not None and self.client_own(value_node, scope):
            self.client_locals.add((scope.qualname, name))
        else:
            self.client_locals.discard((scope.qualname, name))
        # (a class-level name is a field, classified by Definitions.field with its class as owner: `Room.longitude`)
        if scope.kind != "class" and not own_text and not augmented and value_node is not None \
                and not self.operators_value(value_node, scope) and not sanitized and not self.names_account(value_node, name, value, scope) \
                and not made_by(value, self.calls, self.flowrules.path_builders) and not named_after_class(name, value_node):
            value = value | self.named_source(scope, target, name, value, value_node)
        if scope.kind == "module":
            self.note_module_name(name, None if augmented else value_node)
        if scope.kind == "class" and not is_dunder(name):  # a class attribute: what instances read until they set their own
            scope.writes.append(FieldWrite(EMPTY, scope.qualname, name, value))
            self.note_list((scope.qualname, name), None if augmented else value_node)
        elif scope.kind != "module" and name in scope.globals_declared:
            scope.writes.append(GlobalWrite(self.module, name, value))
        scope.env[name] = renamed(value, name, self.sources, self.vocab) if isinstance(value_node, READS) else value

    def assign_attribute(self, target: cst.Attribute, value: Val, scope: Scope) -> None:
        if scope.is_self(target.value):
            scope.writes.append(FieldWrite(EMPTY, scope.cls, target.attr.value, value, self.loc(target)))
            return
        obj = self.expr(target.value, scope)
        scope.writes.append(FieldWrite(obj, None, target.attr.value, value, self.loc(target)))
        poured = flat(value).atoms
        if isinstance(target.value, cst.Name) and target.value.value in scope.env and poured:
            held = scope.env[target.value.value]
            local = tuple(ordered([a for a in held.atoms if type(a) is not Poured]))
            scope.env[target.value.value] = join(held, Val(frozenset({Poured(local, tuple(ordered(poured)), target.attr.value)})))
