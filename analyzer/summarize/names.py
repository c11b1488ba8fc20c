"""Names: scopes, located nodes, personal-data sources by name, and what a name denotes."""

from __future__ import annotations

import builtins

import libcst as cst

from ..dotted import within
from ..ir import EMPTY, AttrPath, CallResult, GlobalRef, LibraryRef, ProjectRef, SelfRef, SourceRef, StaticCallee, Val, join
from ..summary import Arg, Source
from .values import CLOSURE, closure_value, constant_collection, dotted, flat, is_constant, is_constant_name, item, literal_key, \
    literal_str, literal_template, mapping_name, mapping_view, one_element, param_value, path_step, related_model_arguments, \
    string_collection, text_of, unpacked_names, unpacked_pair, unquote


class Scope:
    """One function (or class or module body) being interpreted."""

    def __init__(self, qualname: str, cls: str | None, params: dict, parent: "Scope | None", kind: str):
        self.qualname = qualname
        self.cls = cls
        self.params = params  # name -> Val of the parameter
        self.parent = parent
        self.kind = kind  # "module" | "function" | "class"
        self.env: dict[str, Val] = {}
        self.returns = EMPTY
        self.calls: list[int] = []
        self.writes: list = []  # FieldWrite | GlobalWrite
        self.self_name: str | None = None
        self.globals_declared: set[str] = set()
        self.fields: list = []  # class bodies: (attr, source index or None)
        self.relations: list = []  # class bodies: ReverseAccessor of its relation fields
        self.exposes: tuple = ()  # class bodies: the attribute names a nested serializer Meta lists
        self.numbers: list = []  # class bodies: fields declared a number (flow.toml number_types)
        self.aliases: list = []  # class bodies: (name, method) for `__str__ = __unicode__`
        self.captured: dict[str, None] = {}  # an enclosing function's variables this function reads
        self.mutated: set[str] = set()  # parameters the function puts items into (FunctionSummary.outs)
        self.rebound: set[str] = set()  # parameters given another value (their items are no longer the caller's)
        self.memo: dict[tuple, Val] = {}  # (dict, key) as written -> what was put there (keys.memo_slot)
        self.body: cst.CSTNode | None = None  # a function's body, walked for `unpacks` when first asked
        self._unpacked: frozenset | None = None

    def is_self(self, node) -> bool:
        """Is this expression the method's receiver (`self`)?"""
        return isinstance(node, cst.Name) and self.self_name is not None and node.value == self.self_name

    def unpacks(self, name: str, args_keyword: str) -> bool:
        """Does the function's body unpack this local or spread it into a call (values.unpacked_names)?"""
        if self._unpacked is None:
            self._unpacked = unpacked_names(self.body, args_keyword) if self.body is not None else frozenset()
        return name in self._unpacked

    def forget_memos(self, name: str) -> None:
        """`name` is given another value: a slot whose dict or key it names holds nothing known."""
        if self.memo:
            self.memo = {slot: v for slot, v in self.memo.items() if name not in (slot[0].split(".")[0], slot[1].split(".")[0])}

    def filled(self, name: str) -> None:
        """Items were put into `name`: if it is a parameter still holding the caller's value, the
        caller's dict or list now holds them (FunctionSummary.outs)."""
        if name in self.params and name != self.self_name and name not in self.rebound:
            self.mutated.add(name)


def _type_parts(declared):
    """The types a declaration names: itself, the sides of `X | None`, the argument of `Optional[X]`."""
    if isinstance(declared, cst.BinaryOperation) and isinstance(declared.operator, cst.BitOr):
        return (*_type_parts(declared.left), *_type_parts(declared.right))
    if isinstance(declared, cst.Subscript) and len(declared.slice) == 1 and isinstance(declared.slice[0].slice, cst.Index):
        return _type_parts(declared.slice[0].slice.value)
    return (declared,)


class Names:
    """Locations, sources and name resolution for the summarizer (state lives in Summarizer)."""

    def loc(self, node: cst.CSTNode) -> int:
        """The index of a located node; the same node (a loop body read twice) keeps its index."""
        if id(node) in self.seen_locs:
            return self.seen_locs[id(node)]
        index = len(self.locs)
        self.seen_locs[id(node)] = index
        self.locs.append(node)
        return index

    def source(self, scope: Scope, node: cst.CSTNode, identifier: str, owner: str | None, shape: str) -> Val:
        """The value of a name that the vocabulary says holds personal data (else nothing)."""
        key = (id(node), identifier)
        if key in self.seen_sources:
            return Val(frozenset({SourceRef(self.seen_sources[key])}))
        if shape != "key" and is_constant_name(identifier):
            return EMPTY  # a constant's name (a setting, an enum member): not a person's data
        match = self.vocab.classify(identifier, owner)
        if match is None:
            return EMPTY
        return self.add_source(Source(match.category, self.loc(node), text_of(node), scope.qualname, shape), key)

    def operators_value(self, node: cst.BaseExpression, scope: Scope | None = None) -> bool:
        """Is the value a constant or a setting, the program's or its operator's, that a name given to
        it does not make a person's: a literal, an UPPER_CASE name (is_constant), a literal translated
        (flow.toml translators), or a read by an
        UPPER_CASE key or attribute name (`config.get("USERNAME")`, `options["PASSWORD"]`,
        `getattr(settings, "LDAP_PASSWORD")`), the key a configuration
        dict keeps a setting under, as read_key_source takes it, or, where `scope` is given, a read
        of a part of the settings (`settings.GITHUB_CREDENTIALS["github.com"]["username"]`); but not
        a request's CGI variables (`request.META.get("REMOTE_ADDR")`: flow.toml request_variables)."""
        if is_constant(node) or isinstance(node, cst.Call) and node.args and all(is_constant(a.value) for a in node.args) \
                and (dotted(node.func) or "").rpartition(".")[2] in self.flowrules.translators:
            return True  # `_("E-mail")`: the program's text, translated
        if isinstance(node, cst.Subscript):
            key, mapping = literal_key(node), node.value
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.args \
                and node.func.attr.value in self.flowrules.key_readers:
            key, mapping = literal_str(node.args[0].value), node.func.value
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "getattr" and len(node.args) >= 2:
            key, mapping = literal_str(node.args[1].value), node.args[0].value  # getattr(settings, "LDAP_PASSWORD")
        else:
            return False
        if mapping_name(mapping) in self.flowrules.request_variables:
            return False
        return key is not None and is_constant_name(key) or scope is not None and self.settings_part(mapping, scope)

    def settings_part(self, node: cst.BaseExpression, scope: Scope) -> bool:
        """Is the node the settings (flow.toml settings_modules) or a part of them, read by attribute
        and key (`settings.GITHUB_CREDENTIALS["github.com"]`)?"""
        while isinstance(node, cst.Subscript):
            node = node.value
        name = self.static_name(node, scope)
        return name is not None and any(within(name, m) for m in self.flowrules.settings_modules)

    def add_source(self, source: Source, key: tuple) -> Val:
        """Record a source once per (node, what it was recognised by); its value."""
        if key not in self.seen_sources:
            self.sources.append(source)
            self.seen_sources[key] = len(self.sources) - 1
        return Val(frozenset({SourceRef(self.seen_sources[key])}))

    def names_one_of(self, name: str, categories, owner: str | None = None) -> bool:
        """Does the vocabulary put `name` (of `owner`) in one of these categories?"""
        match = self.vocab.classify(name, owner)
        return match is not None and match.category in categories

    def owner(self, node: cst.BaseExpression, scope: Scope) -> str | None:
        """The object an attribute or key is read from, for person context (`hs.config.email`: settings)."""
        if isinstance(node, cst.Name):
            if node.value in ("self", "cls") and scope.cls:
                return scope.cls.rpartition(".")[2]
            return node.value
        if isinstance(node, cst.Attribute):
            outer = self.owner(node.value, scope) if isinstance(node.value, (cst.Name, cst.Attribute)) else None
            return f"{outer}.{node.attr.value}" if outer else node.attr.value
        if isinstance(node, cst.Subscript):
            return literal_key(node) or self.owner(node.value, scope)
        if isinstance(node, cst.Call):
            return self.owner(node.func, scope)
        return None

    def imported_module(self, node: cst.BaseExpression, scope: Scope) -> str | None:
        """What an imported name no local binds stands for (`state` of `from pkg import state`): the
        module whose variables `state.telemetry.append(x)` fills (an object's name names no module)."""
        if isinstance(node, cst.Name) and node.value in self.imports and node.value not in scope.env and node.value not in scope.params:
            return self.imports[node.value]
        return None

    def static_name(self, node: cst.BaseExpression, scope: Scope) -> str | None:
        """The qualified name of a Name/Attribute chain rooted in an import or a top-level def."""
        chain = dotted(node)
        if chain is None:
            return None
        head, _, rest = chain.partition(".")
        s = scope
        while s is not None:
            if s.kind == "function" and (head in s.env or head in s.params):
                return None
            s = s.parent
        if head in self.imports:
            return self.flowrules.aliased(f"{self.imports[head]}.{rest}" if rest else self.imports[head])
        if head in self.module_names:
            q = self.module_names[head]
        elif head in self.module_vars:
            return None
        else:
            q = self.free_name(head)
        return f"{q}.{rest}" if rest else q

    def free_name(self, name: str) -> str:
        """A name nothing in the module binds: a builtin (open, print), an undefined name, or one a
        `from M import *` may bind, named in this module, to be resolved where M's names are known."""
        return f"{self.module}.{name}" if self.star_imports and not hasattr(builtins, name) else name

    def element(self, iterable, scope: Scope) -> Val:
        """What a loop over `iterable` takes each time round: any of a literal list's elements (with
        their strings: `for name in ("title", "email")` is one of those names, and so is `for name in
        FIELDS` with a module-level FIELDS bound to such a literal), else the value whole; over
        a mapping's keys or items, what values.mapping_view says."""
        iterable = self.literal_iterable(iterable, scope)
        if isinstance(iterable, (cst.Tuple, cst.List, cst.Set)) and not any(isinstance(e, cst.StarredElement) for e in iterable.elements):
            return join(*(self.tuple_element(e.value, scope) for e in iterable.elements))
        if (view := mapping_view(iterable, self.flowrules)) is not None:
            return view(self.expr(iterable.func.value, scope))
        return one_element(self.expr(iterable, scope))

    def literal_iterable(self, iterable, scope: Scope):
        """The literal a loop runs over: the node itself, or the literal tuple of strings a
        module-level name it reads is bound to (`for name in FIELDS`), or the class attribute of
        the method's class it reads on `self` (`for name in self.fields`)."""
        if isinstance(iterable, cst.Name) and iterable.value in self.constant_lists \
                and (scope.kind == "module" or iterable.value not in scope.env and iterable.value not in scope.params):
            return self.constant_lists[iterable.value]
        if isinstance(iterable, cst.Attribute) and scope.is_self(iterable.value) and (scope.cls, iterable.attr.value) in self.constant_lists:
            return self.constant_lists[(scope.cls, iterable.attr.value)]
        return iterable

    def names_held(self, node, scope: Scope) -> tuple:
        """The names a loop variable takes from a literal list of identifiers, all of them (a
        string value keeps only a few alternatives), while it holds what the loop gave it; () for
        any other expression."""
        if not isinstance(node, cst.Name):
            return ()
        names, given = self.loop_names.get((scope.qualname, node.value), ((), None))
        return names if scope.env.get(node.value) is given else ()

    def assign_element(self, target, iterable: Val, iter_node, scope: Scope) -> None:
        """`for x in xs` (or a comprehension's `for`) assigns each element of xs to x. A target named
        like personal data holds it, as a local assigned alone does (`for email in recipients`),
        unless the loop runs over constants (`for email in ("ops@example.com",)`) or a sanitizer's result.
        A pair of a mapping's items (element()) is unpacked into a key and a value."""
        for part_target, part in unpacked_pair(target, iterable):
            self.assign(part_target, part, scope, None)
        literal = self.literal_iterable(iter_node, scope) if iter_node is not None else None
        names = tuple(literal_str(e.value) for e in literal.elements) if isinstance(target, cst.Name) and string_collection(literal) else ()
        if names and all(n.isidentifier() for n in names):
            self.loop_names[(scope.qualname, target.value)] = (names, scope.env.get(target.value))
        if not constant_collection(iter_node) and not self.sanitized(iter_node, scope):
            for name in target_names(target):
                scope.env[name.value] = scope.env[name.value] | self.source(scope, name, name.value, None, "variable")
        if isinstance(target, cst.Name):
            self.loop_values[key := (scope.qualname, target.value)] = scope.env.get(target.value)
            self.field_loops.discard(key)
            if iter_node is not None and self.field_list(iter_node, scope):
                self.field_loops.add(key)

    def bind_pattern(self, pattern, subject: Val, scope: Scope) -> None:
        """Capture names of a match pattern; `{"version": v}` binds v to the value under "version"."""
        if isinstance(pattern, cst.MatchMapping):
            for element in pattern.elements:
                key = literal_str(element.key)
                self.bind_pattern(element.pattern, item(subject, key) if key is not None else flat(subject), scope)
            if pattern.rest is not None:
                self.assign(pattern.rest, subject, scope, None)
        elif isinstance(pattern, cst.MatchClass):
            for element in pattern.patterns:
                self.bind_pattern(element.value, subject, scope)
            for element in pattern.kwds:
                attr = element.key.value
                sub = Val(frozenset(path_step(a, AttrPath, attr) for a in subject.atoms if type(a) not in (SelfRef, ProjectRef)))
                self.bind_pattern(element.pattern, sub, scope)
        elif isinstance(pattern, cst.MatchAs):
            if pattern.pattern is not None:
                self.bind_pattern(pattern.pattern, subject, scope)
            if pattern.name is not None:
                self.assign(pattern.name, subject, scope, None)
        elif isinstance(pattern, (cst.MatchSequence, cst.MatchList, cst.MatchTuple)):
            for element in pattern.patterns:
                inner = element.value if isinstance(element, cst.MatchSequenceElement) else element
                self.bind_pattern(inner, flat(subject), scope)
        elif isinstance(pattern, cst.MatchStar) and pattern.name is not None:
            self.assign(pattern.name, subject, scope, None)
        elif isinstance(pattern, cst.MatchOr):
            for element in pattern.patterns:
                self.bind_pattern(element.pattern, subject, scope)

    def lookup(self, name: str, scope: Scope) -> Val:
        """The value of a name where it is read: local, parameter, closure, import or module level."""
        if name in scope.env:
            return scope.env[name]
        if name in scope.params:
            return scope.params[name]
        if scope.kind != "module" and name in scope.globals_declared:
            return Val(frozenset({GlobalRef(self.module, name)}))
        outer = scope.parent
        while outer is not None and outer.kind != "module":
            if outer.kind == "function" and (name in outer.env or name in outer.params):
                value = outer.env.get(name) or outer.params.get(name)
                concrete = closure_value(value)
                if not lifted(scope, outer) or concrete == value:
                    return concrete
                # Lambda-lifted: what the enclosing frames hold is passed where they call this function.
                scope.captured[name] = None
                return concrete | param_value(CLOSURE + name)
            outer = outer.parent
        if name in self.imports:
            return Val(frozenset({LibraryRef(self.imports[name])}))
        if name in self.module_names:
            return Val(frozenset({ProjectRef(self.module_names[name])}))
        if name in self.module_vars:
            return Val(frozenset({GlobalRef(self.module, name)}))
        return Val(frozenset({LibraryRef(self.free_name(name))}))

    def closure(self, node: cst.CSTNode, function: Val, scope: Scope) -> Val:
        """A nested function or a lambda used as a value (handed to a retry helper, a thread,
        returned): the enclosing variables it reads go with it, bound as `functools.partial` binds
        arguments, so that whoever calls it later calls it with them (a call of it here binds them
        itself); any other value as it is."""
        atom = next(iter(function.atoms)) if len(function.atoms) == 1 else None
        captured = self.closures.get(atom.qualname) if type(atom) is ProjectRef else None
        if not captured:
            return function
        args = [Arg(0, None, function)] + [Arg(None, CLOSURE + name, self.lookup(name, scope)) for name in captured]
        return Val(frozenset({CallResult(self.call_site(node, scope, StaticCallee("functools.partial"), args, node))}))

    def source_for_attr(self, node: cst.Attribute, scope: Scope) -> Val:
        if self.client_account(node, node.attr.value, scope):
            return EMPTY  # a service client's own account (`self.user` beside `self.password`)
        if self.is_enum_member(node, scope) or self.names_method(node, scope):
            return EMPTY  # `AuthMethods.user_id_only`, `self._background_check`: an enumeration's member, a method
        return self.source(scope, node, node.attr.value, self.owner(node.value, scope), "attribute")

    def typed_field(self, target: cst.Name, annotation, value_node, owner: str, scope: Scope) -> Val:
        """A field whose name says nothing (`assigned_to`, `contact`) classified by the constructor
        or the annotation it is declared with (rules/sources.toml [[field]]: `models.EmailField()`,
        `contact: EmailStr | None`, `to = ListField(child=EmailField())`); not when the name says it is something else (`support_email`,
        or an exclude word of the category: `socks_proxy_host`) or the model is the service's own
        (SiteSettings)."""
        if self.vocab.explain(target.value).reason != "no pattern" or self.vocab.holds(owner, "service"):
            return EMPTY
        call = value_node if isinstance(value_node, cst.Call) else None
        # a container field holds what the field it is given holds (`ListField(child=EmailField())`)
        elements = tuple(a.value.func for a in call.args if isinstance(a.value, cst.Call)) if call is not None else ()
        declared = (*(_type_parts(annotation) if annotation is not None else ()), *((call.func,) if call is not None else ()), *elements)
        targets = tuple(t for node in (related_model_arguments(call) if call is not None else ())
                        for t in (literal_str(node), self.static_name(node.func if isinstance(node, cst.Call) else node, scope)) if t)
        rule = next(filter(None, (self.source_rules.field(name, targets) for name in
                                  filter(None, (self.static_name(unquote(t), scope) for t in declared)))), None)
        if rule is None or self.vocab.excluded_by(target.value, rule.category):
            return EMPTY
        shape = "relation" if rule.to else "field"
        return self.add_source(Source(rule.category, self.loc(target), text_of(target), scope.qualname, shape), (id(target), target.value))

    def prescan(self, node) -> None:
        """Top-level names and imports, so functions can refer to what is defined after them."""
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            self.module_names[node.name.value] = f"{self.module}.{node.name.value}"
        elif isinstance(node, cst.SimpleStatementLine):
            for small in node.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)):
                    self.import_(small)
                else:
                    self.module_vars.update(n.value for t in assigned_targets(small) for n in walk(t) if isinstance(n, cst.Name))
        elif isinstance(node, (cst.If, cst.Try, cst.With)):
            for child in _walk_blocks(node):
                self.prescan(child)

    def program_text(self, name: str, node, scope: Scope) -> bool:
        """Is `name = node` the program's text under a name of a person's own words? Tracks the
        scope's locals that hold such text (`subject = _("Hi %s"); subject = subject % n`)."""
        key = (scope.qualname, name)
        if node is not None and self.is_program_text(node, scope):
            self.program_texts.add(key)
        else:
            self.program_texts.discard(key)
            return False
        return self.names_own_words(name)

    def is_program_text(self, node, scope: Scope) -> bool:
        """Text the program writes: a literal template made into text (`_("Hello %s") % n`,
        f"...", "...".format(n), _("Hello"), `WELCOME_TEMPLATE % {...}`: an UPPER_CASE constant's),
        a rendered template (`render_to_string(name, ctx)`), or a local of this scope that holds one."""
        return literal_template(node, lambda n: (scope.qualname, n) in self.program_texts or is_constant_name(n)) or self.rendered_text(node, scope)

    def names_own_words(self, name: str, owner: str | None = None) -> bool:
        """Is `name` (of `owner`: `send_mail(subject=...)`) a name of a person's own words (flow.toml own_words)?"""
        return self.names_one_of(name, self.flowrules.own_words, owner)


def _walk_blocks(node):
    for child in node.children:
        if isinstance(child, cst.IndentedBlock):
            yield from child.body
        elif isinstance(child, (cst.Else, cst.Finally, cst.ExceptHandler, cst.If)):
            yield from _walk_blocks(child)


def assigned_targets(statement) -> list:
    """What a small statement assigns to (`a = b = 1`, `a: int = 1`, `a += 1`); nothing for any other."""
    if isinstance(statement, cst.Assign):
        return [t.target for t in statement.targets]
    if isinstance(statement, (cst.AnnAssign, cst.AugAssign)):
        return [statement.target]
    return []


def target_names(target) -> list:
    """The names an assignment target binds (`x`, `i, (a, b)`, `*rest`); attributes and items bind none."""
    if isinstance(target, cst.Name):
        return [target]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [name for element in target.elements for name in target_names(element.value)]
    if isinstance(target, cst.StarredElement):
        return target_names(target.value)
    return []


def small_statements(node):
    """The small statements of a block and of the blocks nested in it, not looking into expressions
    (walking every node of a method costs 15x more)."""
    for statement in _walk_blocks(node):
        if isinstance(statement, cst.SimpleStatementLine):
            yield from statement.body
        else:
            yield from small_statements(statement)


def walk(node):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(n.children)


def lifted(scope: Scope, outer: Scope) -> bool:
    """Can a name `scope` reads from the function `outer` be passed in (lambda-lifted)? When it and
    every scope between are functions: the ones between pass it on, each from its own caller."""
    while scope is not outer:
        if scope.kind != "function":
            return False
        scope = scope.parent
    return True
