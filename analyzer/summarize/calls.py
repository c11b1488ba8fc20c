"""Calls: each call becomes a numbered call site (callee, arguments, location) whose result is the
atom CallResult; what can be known right here about strings and containers is known here."""

from __future__ import annotations

import libcst as cst

from ..ir import EMPTY, ArgOut, AttrPath, CallResult, DynamicCallee, ItemPath, LibraryRef, Lit, MethodCallee, ProjectRef, StaticCallee, \
    SuperCallee, Unknown, Val, join, mutation
from ..strings import concat, format_parts, format_query_keys
from ..summary import DOUBLE_STAR, Arg, CallSite, FieldWrite, GlobalWrite, Source
from .names import Scope
from .values import CLOSURE, any_item, atoms_of, attribute_names, built_url, collection, listed_strings, flat, holds_items, is_constant_name, is_source, literal_str, \
    item, path_step, root_name, strs_of, text_of



def env_default(node: cst.Call, args: list) -> tuple:
    """`os.getenv("X", "default")`: the default is the value we can know."""
    var = literal_str(node.args[0].value) if node.args else None
    default = None
    for a in args:
        if a.position == 1 or a.name in ("default", "value"):
            default = a.value
    if default is not None and default.strs:
        return default.strs
    return ((Unknown(f"environment variable {var or '?'} has no default"),),)


def own_name(qualname: str, module: str) -> bool:
    """Is a qualified name the package's of `module` (its first name the module's)?"""
    return qualname.split(".")[0] == module.split(".")[0]


def made_outside(value: Val, calls: list, module: str) -> bool:
    """Is the value only what calls of names outside the package returned (`ldap.initialize(url)`)? The
    summary's guess, by the names' first part; propagation resolves them (propagate Calls.library_made)."""
    return bool(value.atoms) and all(type(a) is CallResult and type(c := calls[a.call].callee) is StaticCallee
                                     and not own_name(c.qualname, module) for a in value.atoms)


class Calls:
    """e_Call and what it needs; the call-site state lives in Summarizer."""

    def e_Call(self, node: cst.Call, scope: Scope) -> Val:
        """A call's value, and what the rules say it returns (rules/sources.toml): a library call
        whose result is personal data gives that and nothing of its arguments (a reset token made
        from a user is not the user's e-mail); a call named after data (`user.get_full_name()`)
        reads that data from its receiver, unless it is a method the class defines (`self.get_email_body()`)."""
        value = self.call_value(node, scope)
        func = node.func
        static = self.static_name(func, scope)
        self.library_sender(func, static, scope)
        if static in self.flowrules.url_includes and node.args:  # include("django.contrib.auth.urls")
            self.library_sender(node.args[0].value, literal_str(node.args[0].value), scope)
        named = [literal_str(a.value) for a in node.args[:2]]
        if len(named) == 2 and named[0] in self.flowrules.settings_selectors and named[1]:
            self.settings_names.add(named[1])  # os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings.prod")
        if static in self.source_rules.needed_names:
            self.mentions.add(static)
        category = self.source_rules.call(static) if static else None
        if category is not None:
            return self.add_source(Source(category, self.loc(node), text_of(node), scope.qualname, "call"), (id(node), static))
        name_node = func.attr if isinstance(func, cst.Attribute) else func
        if isinstance(func, cst.Attribute) and (category := self.source_rules.method(func.attr.value)):
            self.candidate_source(node, category, scope)
        data = self.source_rules.getter_data(name_node.value) if isinstance(name_node, cst.Name) else None
        if data is None or isinstance(func, cst.Attribute) and self.names_method(func, scope):  # a method the class defines: its body says
            return value
        if isinstance(func, cst.Attribute):
            return value | self.source(scope, name_node, data, self.owner(func.value, scope), "attribute")
        return value | self.source(scope, name_node, data, None, "variable")

    def candidate_source(self, node: cst.Call, category: str, scope: Scope) -> None:
        """`generator.make_token(user)` on an object only propagation types: the rules/sources.toml source its result is."""
        source = self.add_source(Source(category, self.loc(node), text_of(node), scope.qualname, "call"), (id(node), "method"))
        index = self.seen_calls[id(node)]
        self.calls[index] = self.calls[index]._replace(source=next(iter(source.atoms)).index)

    def format_sources(self, node: cst.Call, scope: Scope) -> Val:
        """The arguments a `.format()`-ed URL template writes as query parameters (`?email={}`)."""
        template = literal_str(node.func.value) if isinstance(node.func, cst.Attribute) else None
        keys = format_query_keys(template) if template is not None else {}
        if not keys:
            return EMPTY
        values = {**dict(enumerate(a.value for a in node.args if a.keyword is None and not a.star)),
                  **{a.keyword.value: a.value for a in node.args if a.keyword is not None}}
        return join(*(self.query_source(values[field], key, scope) for field, key in keys.items() if field in values))

    def call_value(self, node: cst.Call, scope: Scope) -> Val:
        """The call site, and what is known of its value right here (str.format, os.getenv, d.get("k"))."""
        func = node.func
        callee, receiver, static = self.callee(func, scope)
        args = self.arguments(node, func, scope)
        if type(callee) is StaticCallee:  # a nested function gets the enclosing variables it reads
            args += [Arg(None, CLOSURE + name, self.lookup(name, scope)) for name in self.closures.get(callee.qualname, ())]
        index = self.call_site(node, scope, callee, args, func)
        self.passed_out(node, callee, args, index, scope)
        self.write_streams(node, static, receiver, args, index, scope)
        result = Val(frozenset({CallResult(index)}))
        name = static or ""
        method = func.attr.value if isinstance(func, cst.Attribute) else None
        flowrules = self.flowrules
        if name in flowrules.environment_readers:
            return Val(result.atoms, env_default(node, args))
        if method == "format" and receiver is not None and receiver.strs:
            positional = [strs_of(a.value) for a in args if a.position is not None]
            named = {a.name: strs_of(a.value) for a in args if a.name}
            return Val(result.atoms | atoms_of(args) | self.format_sources(node, scope).atoms,
                       tuple(format_parts(s, positional, named) for s in receiver.strs))
        if method == "join" and receiver is not None and receiver.strs and args:
            return Val(result.atoms | atoms_of(args), ((Unknown("str.join"),),))
        if name in flowrules.url_builders and (built := built_url(node, lambda e: self.expr(e, scope))) is not None:
            return Val(result.atoms | atoms_of(args), built)
        if name in flowrules.joiners and len(args) >= 2:
            pieces = [strs_of(args[0].value), ((Lit(flowrules.joiners[name], None),),), strs_of(args[1].value)]
            return Val(result.atoms, concat(*pieces))
        if name == "str" and len(args) == 1:
            return Val(result.atoms, args[0].value.strs)
        if (name in flowrules.element_copies or name in flowrules.element_takers) and args and args[0].position == 0 and not args[0].starred:
            return result | (args[0].value if name in flowrules.element_copies else flat(args[0].value))  # next(it): an element
        if name == "dict" and (mapping := self.dict_value(args)) is not None:
            return mapping
        if name == "getattr" and len(args) >= 2:
            owner, named = self.owner(node.args[0].value, scope), node.args[1].value
            if self.names_field(named, scope):  # `getattr(obj, f.name)` for f in obj._meta.fields: every field, as vars(obj) has them
                return any_item(self.builtin_call(named, args[0].value, "vars", scope))
            # getattr(user, "email", None) reads user.email, as surely as the attribute does; so does a
            # name taken from constants (`for k in ("email", "phone"): getattr(user, k)`, however many)
            attr = literal_str(named)
            attrs, where = ((attr,), named) if attr and attr.isidentifier() else \
                (self.names_held(named, scope) or attribute_names(args[1].value), node)
            if attrs:
                value = join(*(self.attribute_value(args[0].value, a) | self.source(scope, where, a, owner, "attribute") for a in attrs))
                return value | args[2].value if len(args) > 2 else value
        if method in flowrules.mutators and isinstance(func, cst.Attribute):
            self.mutate(func.value, mutation(index, self.poured(args, method, node)), scope)
        if method in flowrules.key_readers and node.args \
                and (receiver is not None or name.rpartition(".")[0] in flowrules.request_mappings):
            return self.key_read(node, func, receiver or EMPTY, result, args, scope)
        if method in flowrules.value_views and not node.args and receiver is not None and holds_items(receiver):
            return result | collection([any_item(receiver)])
        return result

    def passed_out(self, node: cst.Call, callee, args: list, index: int, scope: Scope) -> None:
        """A local passed to a call that may run the project's code (this package's function, a method of any object but a library's,
        made by one (`ldap.initialize(url)`) or not, not a builtin one, a callable held) may come back filled: it holds what the callee puts there (ir.ArgOut)."""
        own = type(callee) is StaticCallee and own_name(callee.qualname, self.module) or type(callee) is DynamicCallee \
            or type(callee) is MethodCallee and callee.name not in self.flowrules.builtin_methods \
            and not any(type(a) is LibraryRef for a in callee.receiver.atoms) and not made_outside(callee.receiver, self.calls, self.module)
        for a, arg in zip(node.args, args) if own else ():
            name = a.value.value if isinstance(a.value, cst.Name) and not a.star else None
            if name is not None and (name in scope.env or name in scope.params) and name != scope.self_name:
                held = scope.env.get(name) or scope.params[name]
                scope.env[name] = join(held, Val(frozenset({ArgOut(index, arg.position, arg.name)})))

    def arguments(self, node: cst.Call, func, scope: Scope) -> list:
        args, positional = [], 0
        callee = (self.static_name(func, scope), func.attr.value if isinstance(func, cst.Attribute) else None)
        flowrules = self.flowrules
        calls_back = callee[1] in flowrules.signals.connect or callee[0] in flowrules.invokers or callee[1] in flowrules.invokers
        for a in node.args:
            v = (calls_back and self.bound_method(a.value, scope)) or listed_strings(a.value, self.expr(a.value, scope), lambda x: self.expr(x, scope))
            self.argument_key(scope, a.value)
            if a.star == "**":  # a mapping spread into keyword arguments
                args.append(Arg(None, DOUBLE_STAR, v, True))
            elif a.keyword is not None:
                # `email="ops@example.com"` names a constant, `subject=f"Test on {now}"` the program's text
                owner = self.owner(func, scope)
                constant = self.operators_value(a.value) or (self.names_own_words(a.keyword.value, owner) and self.is_program_text(a.value, scope))
                if not constant and not self.url_part(v) and not is_source(v):  # `name=user.name` is that name, as a dict key's value is
                    v = v | self.source(scope, a.keyword, a.keyword.value, owner, "keyword")
                v = v | self.argument_source(a, None, a.keyword.value, callee, scope, constant or holds_settings(v))
                args.append(Arg(None, a.keyword.value, v, a.star == "**"))
            else:
                if not a.star:
                    v = v | self.argument_source(a, positional, None, callee, scope, self.operators_value(a.value) or holds_settings(v))
                args.append(Arg(positional, None, v, a.star == "*"))
                positional += 1
        return args

    def argument_source(self, a: cst.Arg, position: int | None, keyword: str | None, callee: tuple, scope: Scope,
                        constant: bool) -> Val:
        """An argument the rules say holds a person's data (rules/sources.toml [[argument]]: the
        comment `ak.comment_check(text)` is asked about), whatever is passed, or an option written
        as the constant that makes the library send data itself (`send_default_pii=True`);
        `callee`: the call's (qualified name, method name); `constant`: a literal or a setting."""
        written = {"True": True, "False": False}.get(a.value.value) if isinstance(a.value, cst.Name) else None
        categories = self.source_rules.argument(*callee, position, keyword, constant, written)
        text = f"{keyword}={text_of(a.value)}" if written is not None and keyword else text_of(a.value)
        return join(*(self.add_source(Source(category, self.loc(a.value), text, scope.qualname, "keyword"), (id(a.value), "argument", category))
                      for category in categories))

    def bound_method(self, node: cst.BaseExpression | None, scope: Scope) -> Val | None:
        """A method handed on where it will be called (kept in a field: `self.hook = self.send_copy`; passed to a call
        that calls it back: `sig.connect(self.on_login)`, an invoker's `Thread(target=self.retry)`; not to any call, which
        gave Django 5.2 three false storage findings through stores that merge every object of a class): bound to its
        object, the method of the object's class; None for anything else, and for a method read elsewhere (no data)."""
        if not isinstance(node, cst.Attribute) or not self.names_method(node, scope):
            return None
        return Val(frozenset(path_step(a, AttrPath, node.attr.value) for a in self.expr(node.value, scope).atoms))

    def call_site(self, node: cst.Call, scope: Scope, callee, args: list, func) -> int:
        """The index of this call's site; a loop body read twice joins into the same site."""
        if id(node) in self.seen_calls:
            index = self.seen_calls[id(node)]
            old = self.calls[index]
            if len(old.args) == len(args):
                args = [Arg(a.position, a.name, join(o.value, a.value), a.starred) for o, a in zip(old.args, args)]
            self.calls[index] = CallSite(index, scope.qualname, callee, tuple(args), old.loc, old.text, old.source)
            return index
        index = len(self.calls)
        self.seen_calls[id(node)] = index
        self.calls.append(CallSite(index, scope.qualname, callee, tuple(args), self.loc(node), text_of(func)))
        scope.calls.append(index)
        return index

    def text_call(self, node, value: Val, function: str, scope: Scope) -> Val:
        """`f"{line}"`, `"%s" % line`: the value made into text, a call site of the builtin `function`
        (format, str, repr), so that propagation runs the object's __str__; its strings as they are."""
        if not value.atoms:
            return value
        return Val(self.builtin_call(node, value, function, scope).atoms, value.strs)

    def builtin_call(self, node, value: Val, function: str, scope: Scope) -> Val:
        """A call site of the builtin `function` given `value`, written another way (`obj.__dict__`
        is `vars(obj)`), so that propagation reads what that builtin reads."""
        index = self.call_site(node, scope, StaticCallee(function), [Arg(0, None, value)], cst.Name(function))
        return Val(frozenset({CallResult(index)}))

    @staticmethod
    def dict_value(args: list) -> Val | None:
        """`dict(mapping, **more, key=value)` as `{**mapping, **more, "key": value}`: the known keys
        of each part, later ones winning (a template table extending its base keeps its keys);
        None when an argument is *-unpacked (its items are not known as mappings)."""
        if any(a.starred and a.name != DOUBLE_STAR for a in args):
            return None
        atoms, keys = set(), {}
        for a in args:
            if a.name is None or a.name == DOUBLE_STAR:
                atoms |= a.value.atoms
                keys.update(a.value.keyed())
            else:
                keys[a.name] = a.value
        return Val(frozenset(atoms), (), tuple(sorted(keys.items())))

    def poured(self, args: list, method: str, node: cst.Call) -> Val:
        """What a mutator call pours into its receiver: an element (`append`, flow.toml
        element_mutators) with its keys; a mapping's keys merged into the receiver's (`update`,
        merging_mutators: `context.update({"user": u})` holds u under "user"); a value under the
        constant key given with it (`context.setdefault("session", Session)`, keyed_mutators), as
        `context["session"] = Session` holds it; else all, whole."""
        if method in self.flowrules.element_mutators:
            return collection(a.value for a in args)
        if method in self.flowrules.merging_mutators and (mapping := self.dict_value(args)) is not None:
            return mapping
        if method in self.flowrules.keyed_mutators and len(args) == 2 and args[0].position == 0 and args[1].position == 1 \
                and (key := literal_str(node.args[0].value)) is not None:
            return Val(keys=((key, args[1].value),))
        return Val(join(*(flat(a.value) for a in args)).atoms)

    def mutate(self, target: cst.BaseExpression, value: Val, scope: Scope) -> None:
        """`x.append(v)`, `x.update(v)`: the receiver now holds what was poured in (`value`); so does the
        local object it belongs to (`msg.to.append(v)`), under the key it is held by (`payload["to"]
        .append(v)`: the payload's "to" holds v and what it held, read off a `json.loads(raw)` payload
        if no key was written here). A local holding a sanitizer's object (a hash fed) takes nothing in."""
        if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name) and target.value.value in scope.env:
            key = self.subscript_key(target, scope)
            if key is not None:
                old = scope.env[target.value.value]
                keys = old.keyed()
                keys[key] = join(item(old, key), value)
                scope.env[target.value.value] = old.with_keys(keys)
                return
        if isinstance(target, cst.Attribute) and (module := self.imported_module(target.value, scope)):
            scope.writes.append(GlobalWrite(module, target.attr.value, value))  # `state.telemetry.append(x)`
            return
        while isinstance(target, (cst.Attribute, cst.Subscript)) and not (isinstance(target, cst.Attribute) and scope.is_self(target.value)) \
                and isinstance(target.value, (cst.Name, cst.Attribute, cst.Subscript)):
            target = target.value
        if isinstance(target, cst.Name):
            name = target.value
            if (scope.qualname, name) in self.digests:
                return  # h = hashlib.sha256(); h.update(email): what h gives out is a digest
            if name in scope.env:
                scope.env[name] = join(scope.env[name], value)
            elif name in scope.params:
                scope.env[name] = join(scope.params[name], value)
            elif name in self.module_vars:  # `PENDING.append(n)` in a function: the module's list holds n
                scope.writes.append(GlobalWrite(self.module, name, value))
            scope.filled(name)
        elif isinstance(target, cst.Attribute) and scope.is_self(target.value):
            scope.writes.append(FieldWrite(EMPTY, scope.cls, target.attr.value, value, self.loc(target)))

    def callee(self, func: cst.BaseExpression, scope: Scope):
        """(ir callee, receiver Val or None, static qualified name or None)."""
        static = self.static_name(func, scope)
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if static is not None and isinstance(func.value, (cst.Name, cst.Attribute)) and root_name(func) in self.imports:
                return StaticCallee(static), None, static
            if (isinstance(func.value, cst.Call) and isinstance(func.value.func, cst.Name)
                    and func.value.func.value == "super" and scope.cls):
                for a in func.value.args:
                    self.expr(a.value, scope)
                return SuperCallee(scope.cls, method), None, None
            receiver = self.expr(func.value, scope)
            if static is not None and root_name(func) in self.module_names:
                return StaticCallee(static), receiver, static
            return MethodCallee(receiver, method), receiver, None
        if isinstance(func, cst.Name):
            v = self.lookup(func.value, scope)
            names = [a for a in v.atoms if type(a) in (LibraryRef, ProjectRef)]
            if len(names) == 1 and len(v.atoms) == 1:
                return StaticCallee(names[0].qualname), None, names[0].qualname
            return DynamicCallee(v), None, None
        return DynamicCallee(self.expr(func, scope)), None, None

    def sanitized(self, node: cst.BaseExpression, scope: Scope) -> bool:
        """Is this expression (or the call chain it ends in) the result of a sanitizer call?"""
        return any(self.flowrules.is_sanitizer(q) for q in self.chain_names(node, scope))

    def rendered_text(self, node: cst.BaseExpression, scope: Scope) -> bool:
        """Is this expression (or the call chain it ends in) what a template rendering call writes
        (`render_to_string(name, context).strip()`, `get_template(name).render(context)`): the
        program's text, whatever the name it is given says; what it interpolates keeps its own."""
        templates = self.flowrules.templates
        return any(q in templates.render or q in templates.loaders for q in self.chain_names(node, scope))

    def chain_names(self, node: cst.BaseExpression, scope: Scope):
        """The qualified names of the calls of the call chain an expression ends in, outermost first."""
        while isinstance(node, (cst.Call, cst.Attribute, cst.Subscript, cst.Await)):
            if isinstance(node, cst.Call):
                q = self.static_name(node.func, scope)
                if q:
                    yield q
                node = node.func
            elif isinstance(node, cst.Await):
                node = node.expression
            else:
                node = node.value


def holds_settings(value: Val) -> bool:
    """Does a value hold settings only (`password = getattr(settings, "LDAP_PASSWORD", None)`,
    `password = current_app.config["LDAP_BIND_PASSWORD"]`): every object in it a library name whose
    last part is an UPPER_CASE name, or a read by such a key or attribute?"""
    def setting(a) -> bool:
        match a:
            case LibraryRef(qualname=name):
                return is_constant_name(name.rpartition(".")[2])
            case ItemPath(key=name) | AttrPath(name=name):
                return is_constant_name(name)
        return False
    return bool(value.atoms) and all(setting(a) for a in value.atoms)
