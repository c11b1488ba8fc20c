"""Definitions: functions, lambdas, classes and the module body, each interpreted once; and the
Summarizer that holds one module's state."""

from __future__ import annotations

import re

import libcst as cst

from ..dotted import within
from ..ir import EMPTY, CallResult, ProjectRef, SelfRef, SourceRef, StaticCallee, Val
from ..summary import ClassSummary, FunctionSummary, Parameter, ReverseAccessor, Source
from ..knowledge.catalog import matches_any
from ..knowledge.vocabulary import split_words
from .calls import Calls
from .decorators import Decorators
from .expressions import Expressions
from .imports import Imports
from .keys import Keys
from .logins import Logins
from .streams import Streams
from .names import Names, Scope
from .statements import Statements
from .values import CLOSURE, DOTTED_NAME, dotted, is_dunder, is_fixed_value, literal_str, param_value, related_model_arguments, string_collection, \
    name_expression, text_of, unquote

# A parameter's type written in its function's docstring, as Sphinx (`:type order: shop.models.Order`,
# `:param Order order:`), epytext (`@type order: Order`) and Google style (`order (Order): ...` under
# `Args:`) write it: a dotted name only (a union or a generic says no one class).
TYPE_NAME = rf"~?`?(?::class:`~?)?(?P<type>{DOTTED_NAME})`?"
DOCUMENTED_TYPES = (re.compile(rf"^\s*[:@]type\s+(?P<name>\w+)\s*:\s*{TYPE_NAME}\s*$", re.M),
                    re.compile(rf"^\s*:param\s+{TYPE_NAME}\s+(?P<name>\w+)\s*:", re.M),
                    re.compile(rf"^\s*(?P<name>\w+)\s+\({TYPE_NAME}(?:,\s*optional)?\)\s*:", re.M))


def documented_types(node: cst.FunctionDef) -> dict:
    """The parameters' types the function's docstring declares, by parameter name."""
    text = node.get_docstring(clean=True) or ""
    found = {}
    for pattern in DOCUMENTED_TYPES:
        for m in pattern.finditer(text):
            found.setdefault(m["name"], m["type"])
    return found


def is_stub(node) -> bool:
    """Does a function's body do nothing: a docstring, `pass`, `...`, raising NotImplementedError, or
    returning a constant (`return None`, `return False`: a default its subclasses replace)? Then it
    is an interface its subclasses implement."""
    if not isinstance(node, cst.FunctionDef) or not isinstance(node.body, cst.IndentedBlock):
        return False
    for statement in node.body.body:
        small = statement.body if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1 else None
        match small[0] if small else None:
            case cst.Pass() | cst.Expr(value=cst.SimpleString() | cst.ConcatenatedString() | cst.Ellipsis()):
                continue
            case cst.Raise(exc=cst.Name(value="NotImplementedError") | cst.Call(func=cst.Name(value="NotImplementedError"))):
                continue
            case cst.Return(value=None | cst.Name(value="None" | "True" | "False") | cst.Integer() | cst.SimpleString()):
                continue
            case cst.Return(value=cst.List(elements=[]) | cst.Dict(elements=[]) | cst.Tuple(elements=[])):
                continue
        return False
    return True


class Definitions:
    """Parameters, functions, classes and class fields."""

    def params(self, params: cst.Parameters, scope: Scope, documented: dict | None = None) -> tuple:
        """The parameters, each with the class its annotation, else its docstring, names."""
        out = []

        def add(p: cst.Param, kind: str):
            name = p.name.value
            annotation = None
            if p.annotation is not None:
                annotation = self.static_name(unquote(p.annotation.annotation), scope.parent or scope)
            elif documented and (written := name_expression(documented.get(name))) is not None:
                annotation = self.static_name(written, scope.parent or scope)
            default = self.expr(p.default, scope.parent) if p.default is not None and scope.parent else None
            out.append(Parameter(name, kind, annotation, self.injected(p, scope.parent) or default if scope.parent else default,
                                 kind == "varargs" and scope.unpacks(name, self.flowrules.args_keyword)))
            v = param_value(name)
            if kind in ("positional", "keyword") and not self.client_setting(name, scope):
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

    def injected(self, p: cst.Param, scope: Scope) -> Val | None:
        """What a framework passes a parameter declared `x = Depends(f)` or `x: Annotated[T,
        Depends(f)]` (flow.toml injectors): f called, as the framework calls it for each request."""
        declared = [p.default] if p.default is not None else []
        if p.annotation is not None and isinstance(hint := p.annotation.annotation, cst.Subscript):
            declared += [e.slice.value for e in hint.slice if isinstance(e.slice, cst.Index)]
        for node in declared:
            if isinstance(node, cst.Call) and node.args and self.static_name(node.func, scope) in self.flowrules.injectors:
                dependency = node.args[0].value
                callee, _, _ = self.callee(dependency, scope)
                return Val(frozenset({CallResult(self.call_site(dependency, scope, callee, [], dependency))}))
        return None

    def note_module_name(self, name: str, value_node) -> None:
        """A name bound at module level: a list a loop may take (`FIELDS = ("email", "phone")`:
        note_list); a setting that decides a source rule (`MIDDLEWARE = [...]`) is a mention."""
        if name in self.source_rules.deciding_settings:
            self.mentions.add(name)
        self.note_list(name, value_node)

    def note_list(self, key, value_node) -> None:
        """A module-level name, or a (class, attribute) bound in a class body (`fields = ("first_name",
        "phone")`, read as `self.fields`): the literal tuple of strings a loop over it takes; a name
        bound to anything else, or augmented (value_node None), is no such list."""
        if value_node is not None and string_collection(value_node):
            self.constant_lists[key] = value_node
        else:
            self.constant_lists.pop(key, None)

    def made_attribute(self, node: cst.BaseExpression, scope: Scope) -> str | None:
        """`ma.Schema` with `ma = Marshmallow(app)` bound in the module: the attribute of the class
        that made the object (`flask_marshmallow.Marshmallow.Schema`), as a library base is named."""
        head, _, rest = (dotted(node) or "").partition(".")
        atoms = tuple(scope.env[head].atoms) if scope.kind == "module" and rest and head in scope.env else ()
        callee = self.calls[atoms[0].call].callee if len(atoms) == 1 and type(atoms[0]) is CallResult else None
        return f"{callee.qualname}.{rest}" if type(callee) is StaticCallee else None

    def decorators(self, node, scope: Scope) -> tuple:
        names = []
        for d in node.decorators:
            expr = d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator
            names.append(self.static_name(expr, scope) or text_of(expr))
        return tuple(names)

    def function(self, node: cst.FunctionDef, scope: Scope) -> None:
        name = node.name.value
        prefix = scope.qualname if scope.kind != "module" else self.module
        qualname = f"{prefix}.{name}{accessor_suffix(node, scope)}"
        if id(node) in self.seen_defs:
            if scope.kind != "class":
                scope.env[name] = Val(frozenset({ProjectRef(qualname)}))
            return
        self.seen_defs[id(node)] = qualname
        cls = scope.qualname if scope.kind == "class" else (scope.cls if scope.kind == "function" else None)
        decorators = self.decorators(node, scope)
        inner = Scope(qualname, cls, {}, scope, "function")
        inner.body = node.body
        params = self.params(node.params, inner, documented_types(node))
        is_static = "staticmethod" in decorators
        is_classmethod = "classmethod" in decorators
        if scope.kind == "class" and params and not is_static:
            inner.self_name = params[0].name
            inner.params[params[0].name] = Val(frozenset({SelfRef(scope.qualname)}))
        self.suite(node.body, inner)
        is_property = scope.kind == "class" and any(d in self.flowrules.properties for d in decorators)
        self.finish_function(inner, params, node, is_static, is_classmethod, is_property)
        if scope.kind != "class":
            scope.env[name] = Val(frozenset({ProjectRef(qualname)}))
        self.registrations(node, qualname, scope)
        self.decorations(node, qualname, scope, is_static or is_classmethod)
        self.template_tag(node, qualname, scope)

    def finish_function(self, scope: Scope, params, node, is_static, is_classmethod, is_property=False) -> None:
        if scope.captured:
            self.closures[scope.qualname] = tuple(scope.captured)
            params = (*params, *(Parameter(CLOSURE + name, "closure", None) for name in scope.captured))
        self.functions.append(FunctionSummary(
            qualname=scope.qualname, cls=scope.cls if scope.self_name or is_classmethod else None,
            params=params, loc=self.loc(node), returns=scope.returns, calls=tuple(scope.calls),
            writes=tuple(scope.writes), is_static=is_static, is_classmethod=is_classmethod, is_property=is_property, is_stub=is_stub(node),
            outs=tuple((p, scope.env[p]) for p in sorted(scope.mutated) if p in scope.env),
        ))

    def class_def(self, node: cst.ClassDef, scope: Scope) -> None:
        prefix = scope.qualname if scope.kind != "module" else self.module
        qualname = f"{prefix}.{node.name.value}"
        if id(node) in self.seen_defs:
            if scope.kind != "class":
                scope.env[node.name.value] = Val(frozenset({ProjectRef(qualname)}))
            return
        self.seen_defs[id(node)] = qualname
        bases = []
        for arg in node.bases:
            self.expr(arg.value, scope)
            # `BaseRepository[User]`: a generic class given its type arguments is that class; `Session
            # or object` (a base a failed optional import leaves None) is the library's class
            base = arg.value.value if isinstance(arg.value, cst.Subscript) else arg.value
            if isinstance(base, cst.BooleanOperation) and isinstance(base.operator, cst.Or):
                base = base.left
            bases.append(self.static_name(unquote(base), scope) or self.made_attribute(base, scope) or text_of(base))
            self.library_sender(base, bases[-1], scope)
        if set(bases) & self.flowrules.enum_bases:
            self.enums.add(qualname)
        # A class body runs where the class is defined: its calls and attribute values belong to
        # the enclosing function (the module body for a top-level class).
        self.class_nodes[qualname] = node
        body = Scope(qualname, qualname, {}, scope, "class")
        body.calls, body.writes = scope.calls, scope.writes
        self.suite(node.body, body)
        self.user_model_fields(node, bases, body)
        self.classes.append(ClassSummary(qualname, tuple(bases), self.loc(node), tuple(body.fields), tuple(body.relations),
                                         body.exposes or self.declared_fields(node, body), tuple(body.numbers), tuple(body.aliases)))
        if scope.kind == "class":
            scope.exposes = scope.exposes or self.listed_fields(node)
        if scope.kind != "class":
            scope.env[node.name.value] = Val(frozenset({ProjectRef(qualname)}))

    def user_model_fields(self, node: cst.ClassDef, bases: list, body: Scope) -> None:
        """A user model's key (flow.toml relation_keys: pk, id) is the user's id, `{{ user.pk }}` in
        a mail as `user.pk` in code: a field of the identity key categories for a class deriving
        from one of the framework's user models, unless its body declares it; and the fields a
        library user model declares (identity inherited_fields: AbstractUser's email) are the
        categories their names give."""
        identity = self.flowrules.identity
        if not set(bases) & set(identity.get("user_models", ())):
            return
        declared = {f for f, _ in body.fields}
        keys = [name for name in self.flowrules.relation_keys if name not in declared]
        fields = [(name, category) for name in keys for category in identity.get("key_categories", ())]
        if set(bases) & set(identity.get("inherited_from", ())):
            fields += [(name, match.category) for name in identity.get("inherited_fields", ())
                       if name not in declared and (match := self.vocab.classify(name)) is not None]
        for name, category in fields:
            expression = f"{node.name.value}.{name}"
            value = self.add_source(Source(category, self.loc(node.name), expression, body.qualname, "field"),
                                    (id(node.name), expression, category))
            body.fields.append((name, next(a.index for a in value.atoms if type(a) is SourceRef)))

    def client_setting(self, name: str, scope: Scope) -> bool:
        """Whether a parameter of a service client's constructor configures the client itself (flow.toml
        logins client_settings: `avatar_url=`, the picture it posts as), not a person it reaches."""
        return scope.qualname == f"{scope.cls}.__init__" and self.is_client(scope.cls) \
            and self.names_one_of(name, self.flowrules.logins.get("client_settings", ()))

    def is_enum_member(self, node: cst.Attribute, scope: Scope) -> bool:
        """Is this a member read off an enumeration this module defines (flow.toml enum_bases)? (A
        column read off a model class, `select(User.email)`, is not: what it selects is the data.)"""
        return self.static_name(node.value, scope) in self.enums

    def names_method(self, node: cst.Attribute, scope: Scope) -> bool:
        """Is this `self.name`, `cls.name` or `Model.name` (a class of this module) a method the class
        defines, handed on as a value (`Timer(60, self._background_check)`, `guess_instance(value,
        User.get_by_username)`), not data its name may sound like? Not a property: its value is
        what it returns."""
        cls = scope.cls if scope.is_self(node.value) else self.static_name(node.value, scope)
        body = self.class_nodes[cls].body.body if cls in self.class_nodes else ()
        return any(isinstance(s, cst.FunctionDef) and s.name.value == node.attr.value
                   and not any(d in self.flowrules.properties for d in self.decorators(s, scope)) for s in body)

    def listed_fields(self, node: cst.ClassDef) -> tuple:
        """The names a serializer's nested Meta class lists (`fields = ("id", "title")`, flow.toml
        serializers); none for any other nested class, for "__all__" or for a list not written out."""
        rule = self.flowrules.serializers or {}
        if node.name.value != rule.get("meta"):
            return ()
        for line in node.body.body:
            for statement in line.body if isinstance(line, cst.SimpleStatementLine) else ():
                if isinstance(statement, cst.Assign) and isinstance(statement.value, (cst.Tuple, cst.List)) and any(
                        isinstance(t.target, cst.Name) and t.target.value == rule.get("fields") for t in statement.targets):
                    names = tuple(literal_str(e.value) for e in statement.value.elements)
                    return names if all(names) else ()
        return ()

    def declared_fields(self, node: cst.ClassDef, body: Scope) -> tuple:
        """The names a serializer's body binds to fields it declares (`email = fields.Email()`, flow.toml
        serializers field_modules), with the other calls bound beside them (a nested serializer), in
        the body's order; none for a class that declares no such field."""
        modules = (self.flowrules.serializers or {}).get("field_modules", ())
        bound = [(t.target.value, self.static_name(statement.value.func, body) or "")
                 for line in node.body.body if isinstance(line, cst.SimpleStatementLine)
                 for statement in line.body if isinstance(statement, cst.Assign) and isinstance(statement.value, cst.Call)
                 for t in statement.targets if isinstance(t.target, cst.Name)]
        if not any(within(callee, module) for _, callee in bound for module in modules):
            return ()
        return tuple(name for name, _ in bound)

    def field(self, target: cst.Name, scope: Scope, value_node=None, annotation=None) -> None:
        """A class-level name: a model field (Django, SQLAlchemy, pydantic, dataclass) or attribute,
        a source by its name, else by its declared type (`contact = models.EmailField()`). An
        unannotated attribute bound to a literal (`expected_issuer = "https://www.facebook.com"`)
        is a class constant, the same for every instance: nobody's data, whatever its name says;
        an annotated one (`email: str = "a@b.c"` in a dataclass) is a default each instance may replace.
        A field declared a number (`total = models.DecimalField()`) is noted as one; a relation
        (`comments = relationship("Comment")`, or `db.relationship(...)` as written) is no source by its name."""
        if target.value in [f for f, _ in scope.fields] or is_dunder(target.value):  # `__table_args__`: the class's own setting
            return
        declared = annotation if annotation is not None else value_node.func if isinstance(value_node, cst.Call) else None
        if declared is not None and self.static_name(unquote(declared), scope) in self.flowrules.number_types:
            scope.numbers.append(target.value)
        if annotation is None and value_node is not None and is_fixed_value(value_node):
            scope.fields.append((target.value, None))
            self.class_constants.setdefault(scope.qualname, {})[target.value] = literal_str(value_node)
            return
        owner, call = scope.qualname.rpartition(".")[2], value_node.func if isinstance(value_node, cst.Call) else None
        relation = call is not None and matches_any(self.flowrules.relation_fields, self.static_name(call, scope) or dotted(call) or "")
        v = EMPTY if relation else self.source(scope, target, target.value, owner, "field")
        if not v.atoms and declared is not None:
            v = self.typed_field(target, annotation, value_node, owner, scope)
        index = next(a.index for a in v.atoms if type(a) is SourceRef) if v.atoms else None
        scope.fields.append((target.value, index))
        if isinstance(value_node, cst.Call):
            self.reverse_accessor(target, value_node, owner, scope)

    def reverse_accessor(self, target: cst.Name, call: cst.Call, owner: str, scope: Scope) -> None:
        """A relation field (rules/flow.toml reverse_relations) gives the model it points to an
        attribute querying this model's rows, named by the field's keyword (`related_name="lines"`)
        or the rule's default (`orderline_set`); a name that is no identifier (`"+"`) hides it. The
        attribute is classified as the target's (`Order.lines` reads as "order lines"). A field made
        by a class no rule names is kept with its constructor for the linker, which knows whether
        that class derives from a relation field (Program.relation_of)."""
        constructor = self.static_name(call.func, scope)
        rule = self.flowrules.reverse_relation(constructor) if constructor else None
        related = related_model_arguments(call)
        if not constructor or not related:
            return
        model = literal_str(related[0]) or self.static_name(related[0], scope)
        keywords = {a.keyword.value: a.value for a in call.args if a.keyword and literal_str(a.value)}
        if rule is None:  # maybe a project class deriving from a relation field: the linker knows
            keyword = next((r.keyword for r in self.flowrules.reverse_relations if r.keyword in keywords), None)
            name = literal_str(keywords[keyword]) if keyword else ""
            if model and (not name or name.isidentifier()):
                source = self.accessor_source(name, model, keywords[keyword] if keyword else target, scope)
                scope.relations.append(ReverseAccessor(model, name, source, target.value, constructor=constructor,
                                                       keywords=tuple(sorted((k, literal_str(v)) for k, v in keywords.items()))))
            return
        named = next((a.value for a in call.args if a.keyword and a.keyword.value == rule.keyword), None)
        name = literal_str(named) if named is not None else rule.default.format(model=owner.lower())
        if not model or not name or not name.isidentifier():
            return
        source = self.accessor_source(name, model, named if named is not None else target, scope)
        scope.relations.append(ReverseAccessor(model, name, source, target.value, rule.many))

    def accessor_source(self, name: str, model: str, node, scope: Scope) -> int | None:
        """The source a relation's accessor name makes on its target (`Order.lines`: what was
        bought), classified as the target's: its index, or None."""
        model_name = model.rpartition(".")[2]
        match = self.vocab.classify(name, model_name) if name else None
        if match is None:
            return None
        value = self.add_source(Source(match.category, self.loc(node), f"{model_name}.{name}", scope.qualname, "field"), (id(node), name))
        return next(a.index for a in value.atoms if type(a) is SourceRef)

    def method_alias(self, value_node, scope: Scope) -> str | None:
        """`__str__ = __unicode__` or `__call__ = execute` in a class body names a method the class
        body defines: the name is another name of that method, not a field."""
        if scope.kind != "class" or not isinstance(value_node, cst.Name):
            return None
        defined = {s.name.value for s in self.class_nodes[scope.qualname].body.body if isinstance(s, cst.FunctionDef)}
        return value_node.value if value_node.value in defined else None


class Summarizer(Definitions, Decorators, Statements, Calls, Expressions, Logins, Keys, Streams, Imports, Names):
    """One module being summarized: the located nodes, sources, call sites and definitions found."""

    def __init__(self, ctx, path: str, module: str, is_package: bool, text: bytes):
        self.vocab = ctx.vocabulary
        self.text = text  # the module's source, for quick looks before walking its tree
        self.flowrules = ctx.flowrules
        self.source_rules = ctx.sources
        self.senders = ctx.senders
        # flow.toml logins: credential words as identifiers split into words and glued again
        self.login_credentials = {"".join(split_words(w)) for w in (self.flowrules.logins or {}).get("credentials", ())}
        self.path = path
        self.module = module
        self.package = module if is_package else module.rpartition(".")[0]
        self.locs: list = []  # the located nodes, in index order
        self.sources: list = []
        self.calls: list = []
        self.functions: list = []
        self.classes: list = []
        self.imports: dict[str, str] = {}
        self.star_imports: dict[str, None] = {}  # `from M import *`: M, in order
        self.unbound_imports: dict[str, None] = {}  # imported names no local name stands for: `import a.b` (binds `a`), a rebound name
        self.declared_globals: dict[str, str] = {}  # module names annotated with a type, and the type's qualified name
        self.template_tags: list = []  # (tag or filter name, function qualname)
        self.module_names: dict[str, str] = {}  # top-level def/class name -> qualname
        self.module_vars: set[str] = set()
        self.lambda_count = 0
        # Loop bodies are interpreted twice: the second time must find the same call sites,
        # sources, locations and nested definitions, not make copies of them.
        self.seen_locs: dict[int, int] = {}
        self.seen_sources: dict[tuple, int] = {}
        self.seen_calls: dict[int, int] = {}
        self.seen_defs: dict[int, str] = {}
        self.closures: dict[str, tuple] = {}  # nested function -> the enclosing variables it reads
        self.module_env: dict = {}
        # class qualname -> attributes bound to a literal -> its text, for a string (`COURSE = "course"`:
        # the key `cleaned_data[self.Fields.COURSE]` reads, Keys.class_text), else None
        self.class_constants: dict[str, dict[str, str | None]] = {}
        self.constant_lists: dict = {}  # module-level name, or (class, attribute), -> the literal tuple of strings bound to it
        self.loop_names: dict[tuple, tuple] = {}  # (scope, loop variable) -> the identifiers of the literal it runs over, its value (Names.names_held)
        self.loop_values: dict[tuple, Val] = {}  # (scope, loop variable) -> the value the loop gave it (Keys.assign_item)
        self.field_loops: set = set()  # (scope, loop variable) over a model's fields (Keys.names_field)
        self.clients: dict[str, bool] = {}  # class -> keeps a credential on its instances (is_client)
        self.class_nodes: dict[str, cst.ClassDef] = {}
        self.enums: set[str] = set()  # classes of the module deriving from an enumeration (flow.toml enum_bases)
        self.credential_attributes: set[str] | None = None  # attribute names in the module's text naming a credential
        self.program_texts: set[tuple] = set()  # (scope, local) holding text made from a literal template
        self.client_locals: set[tuple] = set()  # (scope, local) holding a service client's own value (Expressions.client_own)
        self.streams: dict[int, tuple] = {}  # call index of a stream writer -> (its class, the stream's node) (Streams)
        self.enclosing_record: str | None = None  # the owner of the person's record a dict literal is nested in
        self.enclosing_key: str | None = None  # the key a dict literal is the value of
        self.unpacked_record: str | None = None  # the owner of the person's record a row unpacked into names is
        self.unpacked_login = False  # the names a value is unpacked into name a credential (Logins.unpacks_login)
        self.digests: set[tuple] = set()  # (scope, local) holding a sanitizer's object (h = hashlib.sha256())
        self.settings_names: set[str] = set()  # modules named as the settings to load (flow.toml settings_selectors)
        self.mentions: set[str] = set()  # names source rules need, written or called; deciding settings assigned

    def run(self, module: cst.Module) -> None:
        for stmt in module.body:
            self.prescan(stmt)
        top = Scope(f"{self.module}.<module>", None, {}, None, "module")
        self.block(module.body, top)
        self.finish_function(top, (), module, False, False)
        self.module_env = top.env


def accessor_suffix(node: cst.FunctionDef, scope: Scope) -> str:
    """`@body.setter def body(...)` in a class is the property's setter (or deleter), not a second
    `body` that would replace its getter: it is named apart (`Message.body.setter`), so `msg.body`
    still runs the getter, and `msg.body = v` stores into the field the getter's result joins."""
    if scope.kind != "class":
        return ""
    for d in node.decorators:
        expr = d.decorator
        if (isinstance(expr, cst.Attribute) and expr.attr.value in ("setter", "deleter")
                and isinstance(expr.value, cst.Name) and expr.value.value == node.name.value):
            return f".{expr.attr.value}"
    return ""
