"""Evaluation: the abstract value of a summary `Val` inside a function being analysed, atom by atom
(parameters stay symbolic, calls are analysed, fields and globals are read from the stores)."""

from __future__ import annotations

from ..ir import DICT_KEYS, IS_A, KEY_OF, NUMBER, SCALAR, ArgOut, AttrPath, BoundMethod, CallResult, ClassObject, ClientObject, ClientPath, FieldRef, FunctionObject, LibraryResult, \
    GlobalRef, Instance, ItemPath, LibraryObject, LibraryRef, LoadedClass, LoadedModule, ManagerObject, ModuleObject, ParamRef, ProjectRef, \
    MethodCallee, Mutation, Poured, Reply, SelfObject, SelfRef, SignalObject, SourceRef, StrOf, Sym, UNKNOWN_KEY, Unknown, Val, is_position, key_text, path_root, wrap, \
    ordered
from ..dotted import within
from ..link import denoted
from .lattice import NOTHING, AbstractValue, as_number, as_scalar, expand, library_path, merge, narrowed, objects, without, received_from, source_value, symbolic, written_text


def sent_by_client(catalog, receiver: AbstractValue, method: str) -> bool:
    """Is `receiver.method(...)` a method a sink models of every library client the receiver may be
    (`conn.add(dn, attrs)` of an ldap3 Connection, `db.session.add(row)`)? Then it sends what it is given."""
    return bool(receiver.objs) and all(type(o) in (ClientObject, ClientPath) and catalog.sink(
        f"{o.type}.{method}" if type(o) is ClientObject else f"{o.client.type}.{o.path}.{method}") is not None for o in receiver.objs)


def symbol(path: tuple) -> AbstractValue:
    """What the caller passes at a parameter's access path: taint, object and string at once."""
    sym = Sym(path)
    return AbstractValue({sym: ()}, frozenset({sym}), frozenset({(sym,)}))


def is_query(qualname: str, managers) -> bool:
    """Is a library name a query through a model's manager (`User.objects.get`, flow.toml managers)?"""
    return any(part in managers for part in qualname.split(".")[:-1])


def is_setting(o: tuple, flowrules) -> bool:
    """Is the object the settings of a framework (flow.toml settings_modules), or a part of them?"""
    return type(o) is LibraryObject and any(within(o.qualname, m) for m in flowrules.settings_modules)


def annotated_objects(program, catalog, qualname: str) -> set:
    """The objects an annotation names: an object of a project class or of any subclass (`store:
    BaseStore` is the store the caller picked, run as its class overrides), or a known client."""
    kind = program.resolve(qualname)
    if type(kind) is ClassObject:
        return {SelfObject(kind.cls)}
    if qualname in catalog.client_types:
        return {ClientObject(qualname, (), None)}
    return set()


class Evaluation:
    """Values of atoms and of summary values, for a Frame."""

    def atom_value(self, atom: tuple) -> AbstractValue:
        match atom:
            case SourceRef(index=index):
                return source_value(self.module, index)
            case ParamRef(name=name):
                value = symbol(atom)
                annotation = self.annotations.get(name)
                if annotation in self.analysis.flowrules.number_types:
                    return self.amount(value)
                if declared := self.declared_objects(name):
                    value = AbstractValue(value.taint, value.objs | declared, value.strs)
                return merge(value, self.validated_param(name))
            case SelfRef(cls=cls):
                return objects(SelfObject(cls))
            case CallResult(call=index):
                return self.call(index)
            case GlobalRef(module=module, name=name):
                return self.global_value(module, name)
            case FieldRef(cls=cls, attr=attr):
                if self.self_param and self.program.declaring_subclasses(cls, attr):
                    return symbol(AttrPath(ParamRef(self.self_param), attr))  # the caller knows the class
                value = merge(self.analysis.stores.field(cls, attr), self.validated_attribute(cls, attr)) \
                    or self.subclass_field(cls, attr) or self.client_path(cls, attr)
                return self.amount(value) if self.program.is_number_field(cls, attr) else value
            case AttrPath(base=base, name=name):  # `request.user` (flow.toml identity parameter_attributes): the signed-in user too
                value = self.attribute(self.atom_value(base), name)
                signed_in = type(base) is ParamRef and (base.name, name) in self.analysis.signed_in_attributes
                return merge(value, objects(*(Instance(c) for c in self.user_models()))) if signed_in else value
            case ItemPath(base=base, key=key):
                return self.item(self.atom_value(base), key)
            case ProjectRef(qualname=qualname) | LibraryRef(qualname=qualname):
                return self.name_value(qualname)
            case ArgOut(call=index, position=position, name=name):
                self.call(index)  # what the call put into the argument, once the call has run
                return self.call_outs.get((self.module.path, self.module.calls[index].loc), {}).get((position, name), NOTHING)
            case Poured(target=target, value=value):
                held = self.value_of(Val(frozenset(target))).objs
                if held and all(type(o) in (Instance, SelfObject) for o in held):
                    return NOTHING
                given = self.value_of(Val(frozenset(value)))  # the data, not a project object that would take the holder's writes
                return AbstractValue(given.taint, frozenset(o for o in given.objs if type(o) not in (Instance, SelfObject)), given.strs, given.keys)
            case Mutation(call=index, value=value):
                if index not in self.sent:  # a receiver holding what the same call poured in a loop: not sent
                    self.sent[index] = False
                    callee = self.module.calls[index].callee
                    self.sent[index] = type(callee) is MethodCallee and \
                        sent_by_client(self.analysis.catalog, self.value_of(callee.receiver), callee.name)
                return NOTHING if self.sent[index] else self.value_of(Val(frozenset(value)))
        return NOTHING

    def setting(self, module: str, name: str) -> AbstractValue:
        """A setting's value in one settings module: bound there, or imported by name from a project
        module (`from .server_settings import EMAIL_BACKEND`), or both (an import may rebind it); in one
        not in the scanned code, anything."""
        if module not in self.program.modules:
            return AbstractValue(strs=frozenset({(Unknown(f"{name} may be set by {module}, which is not in the scanned code"),)}))
        value = self.analysis.stores.get("globals", (module, name)) or NOTHING
        imported = self.program.imports.get(module, {}).get(name)
        if imported and imported.rpartition(".")[0] in self.program.modules:
            return merge(value, self.name_value(imported))
        return value

    def global_value(self, module: str, name: str) -> AbstractValue:
        value = self.analysis.stores.get("globals", (module, name))
        return value if value is not None else self.name_value(f"{module}.{name}") if module not in self.program.modules else NOTHING

    def name_value(self, qualname: str) -> AbstractValue:
        """What a qualified name stands for: a project definition, a global's value, a setting, a library name."""
        kind = self.program.resolve(qualname)
        match kind:
            case FunctionObject() | ClassObject() | ModuleObject() | ManagerObject() | BoundMethod():
                return objects(kind)
            case GlobalRef(module=module, name=name):
                value = self.analysis.stores.get("globals", (module, name))
                if value is not None:
                    return value
                if f"{module}.{name}" in self.program.modules:
                    return objects(ModuleObject(f"{module}.{name}"))
                return NOTHING
            case AttrPath(name=attr):  # an attribute of a global or a class, or of one of its attributes
                base = self.name_value(outer := denoted(kind.base))  # a library's: not read again
                value = self.attribute(base, attr) if LibraryObject(outer) not in base.objs else NOTHING
                if value or type(path_root(kind)) is GlobalRef:
                    return value  # a class attribute nothing sets (`Model.DoesNotExist`): its library's
        for prefix in self.analysis.flowrules.settings_modules:
            if qualname.startswith(prefix + "."):
                name = qualname[len(prefix) + 1:]
                value = merge(*(self.setting(m, name) for m in self.program.settings_modules(self.module.path)), NOTHING)
                return value or objects(LibraryObject(qualname))  # a setting only the deployment gives: nothing known of it
        signal = self.library_signal_method(qualname)
        if signal is not None:
            return signal
        for proxy, app in self.analysis.flowrules.app_objects.get("proxies", {}).items():
            if within(qualname, proxy):  # flask.current_app(.mail): the application (a project subclass's too), and what was set on it
                apps = tuple(self.analysis.flowrules.app_objects.get("classes", ()))
                value = objects(Instance(app), *(Instance(c) for c in self.program.derived_from(apps)))
                for name in qualname[len(proxy) + 1:].split(".") if qualname != proxy else ():
                    value = self.attribute(value, name)
                return value
        library = AbstractValue(objs=frozenset({LibraryObject(qualname)}), strs=frozenset({(Unknown(f"value of {qualname}"),)}))
        if qualname in self.analysis.flowrules.identity.get("objects", ()):
            # current_user: the signed-in user, an instance of the project's user model
            return merge(library, objects(*(Instance(c) for c in self.user_models())))
        return library

    def user_models(self) -> list:
        """The project's user model classes: those deriving from a framework's user base class."""
        return self.program.derived_from(self.analysis.flowrules.identity.get("user_models", ()))

    def attribute(self, g: AbstractValue, name: str) -> AbstractValue:
        """`value.name`: fields and bound methods of objects, paths into clients and parameters. Where a project object
        (or a parameter's, read field by field at each caller) answers the name, the read is that attribute: what else the
        value carries stays with it (`user.email` is the e-mail, not the user's locale), except the categories of a record
        as a whole (flow.toml record_categories: a line of an order is a purchase), which stay on every field but the
        relation to the model the record is a part of (`line.order`); the user's id a relation declares stays behind too
        (`ticket.assigned_to.email`), but for its key (`ticket.assigned_to.pk`, flow.toml relation_keys), which is all such
        a key read gives of what no object answers (`form.save(commit=False).pk` is a new row's key). A variable a branch
        proved a string (`SCALAR`, summarize/values.as_scalar) is what it carries itself; one computed by arithmetic
        (`NUMBER`), or a field declared a number, is that without a record's categories; a dump's `data` the dump."""
        if name == SCALAR:
            return as_scalar(g)
        if name == NUMBER:
            return self.amount(g)
        if name.startswith(IS_A):
            may_be = self.program.instance_test(name.removeprefix(IS_A))
            return g if may_be is None else narrowed(g, name, may_be)
        if self.dumped_result(g, name):
            return g
        if (held := self.member_attribute(g, name)) is not None:  # `kind.value` of an enumeration's member
            return held
        if (made := [o for o in g.objs if type(o) is LibraryResult]) and not any(name in o.keywords for o in made):
            g = AbstractValue(objs=g.objs.difference(made), strs=g.strs, keys=g.keys)  # a part of what a library function made
        objs = ordered(g.objs)
        found = [self.object_attribute(o, name) for o in objs]
        answered = any(self.answers(o, name, f) for o, f in zip(objs, found))
        # the order a line belongs to is no line of it: the record's categories stay behind
        records = frozenset() if any(type(o) in (Instance, SelfObject) and self.program.is_container_field(o.cls, name)
                                     for o in objs) else self.analysis.flowrules.record_categories
        taint, key_read = {}, name in self.analysis.flowrules.relation_keys
        for k, t in g.taint.items():
            if type(k) is Sym:
                taint[Sym(wrap(k.path, AttrPath, name))] = t
            elif k.category in records and (key_read or not self.program.is_relation_id(k, t)) \
                    or k.category not in records and not answered and self.program.is_relation_id(k, t) == key_read:
                taint[k] = t
        if name in g.keys and any(type(o) is LibraryObject and self.answers(o, name, NOTHING) for o in objs):
            found.append(g.keys[name])  # a library model's row found by `name=...` (Library.library_rows)
        value = merge(AbstractValue(taint), *found)
        if any(type(o) in (Instance, SelfObject, ClassObject) and self.program.is_number_field(o.cls, name) for o in objs):
            return self.amount(value)
        return value

    def amount(self, g: AbstractValue) -> AbstractValue:
        """A value that is a number (computed by arithmetic, or declared one): no record's categories."""
        return as_number(g, self.analysis.flowrules.record_categories)

    def answers(self, o: tuple, name: str, found: AbstractValue) -> bool:
        """Does object `o`, whose attribute `name` is `found`, answer the name for itself: a
        parameter's object, a project object holding or declaring it, a row of a library model's
        query (Library.library_rows); not a client, a reply or another library object, whose
        attributes are paths into it?"""
        if type(o) is Sym:
            return True
        if type(o) is LibraryObject:
            return is_query(o.qualname, self.program.managers)
        return type(o) in (Instance, SelfObject, ClassObject) and o.cls in self.program.classes and bool(
            found.taint or found.objs or self.program.declares(o.cls, name))

    def subclass_field(self, cls: str, name: str) -> AbstractValue:
        """A field the class never sets that its subclasses' methods do (`self.agent.request(...)` in
        a base whose subclasses' `__init__` set `self.agent`): what any of them holds."""
        return merge(*(self.analysis.stores.field(sub, name) for sub in self.program.assigning_subclasses(cls, name)), NOTHING)

    def object_attribute(self, o: tuple, name: str) -> AbstractValue:
        match o:
            case ClassObject(cls=cls) if name in self.program.managers:
                return objects(ManagerObject(cls))
            case ManagerObject(cls=cls) if cls in self.program.classes and self.program.has_field(cls, name):
                return self.analysis.stores.field(cls, name)  # a field read on a query is read on its rows (many=True serializers)
            case ManagerObject(cls=cls):  # any other name may go on with the query
                return merge(objects(ManagerObject(cls)), self.analysis.stores.field(cls, name) if cls in self.program.classes else NOTHING)
            case ClassObject(cls=cls) if self.is_enum(cls) and self.program.has_field(cls, name):
                return self.member(cls, name)
            case Instance(cls=cls) | SelfObject(cls=cls) | ClassObject(cls=cls):
                value = merge(self.analysis.stores.field(cls, name), self.validated_attribute(cls, name))
                if type(o) is not ClassObject and (declaring := self.program.relation_class(cls, name)):
                    value = AbstractValue(value.taint, value.objs - {Instance(declaring)}, value.strs, value.keys)
                if type(o) is SelfObject and not value and cls in self.program.classes:  # a subclass's `sql = "SELECT ..."`
                    value = merge(*(self.analysis.stores.field(sub, name) for sub in self.program.declaring_subclasses(cls, name)), NOTHING) \
                        or self.subclass_field(cls, name)
                method = self.program.lookup_method(cls, name) if cls in self.program.classes else None
                if method:
                    value = merge(value, objects(BoundMethod(method, o if type(o) is not ClassObject else None)))
                related = self.program.reverse_fields(cls).get(name) if cls in self.program.classes else None
                if related is not None:  # order.lines: a query of the model whose field points here
                    value = merge(value, objects(ManagerObject(related[0])))
                return value if value or type(o) is ClassObject else self.client_path(cls, name)
            case ClientObject():
                return objects(ClientPath(o, name))
            case Reply():  # resp.status_code, resp.headers: received too
                return objects(o)
            case SignalObject(key=key):
                return self.signal_method(key, name) or NOTHING
            case ClientPath(client=client, path=path):  # client.chat.completions: a path into the client's API
                return objects(ClientPath(client, f"{path}.{name}"))
            case ModuleObject(name=module):
                return self.name_value(f"{module}.{name}")
            case LoadedModule():
                return objects(LoadedClass())
            case LibraryObject(qualname=qualname):
                return self.name_value(library_path(qualname, name))
            case Sym(path=path):
                sym = Sym(wrap(path, AttrPath, name))
                return AbstractValue(objs=frozenset({sym}), strs=frozenset({(sym,)}))
        return NOTHING

    def item(self, g: AbstractValue, key: str) -> AbstractValue:
        """`value["key"]`: a known key, else an access path on parameters; with what the value holds
        under computed keys. An item unpacked by position from a value not known to be a tuple is
        the whole value. `value[UNKNOWN_KEY]` (a key not known statically, or a key a parameter holds
        read where the value is known: ir.KEY_OF): also every value it holds and its own strings."""
        if enums := sorted({o.cls for o in g.objs if type(o) is ClassObject and self.is_enum(o.cls)}):
            return merge(*(self.member(c, key) for c in enums))  # `ProviderType[name]`
        if key == DICT_KEYS:  # what a mapping's keys carry: a dict the code built says (a parameter's at the caller); any other may be anything
            own, syms = g.keys.get(DICT_KEYS), symbolic(g)
            return merge(without(g, syms) if own is None else own, self.item_path(syms, DICT_KEYS))
        held = g.keys.get(UNKNOWN_KEY, NOTHING)
        if key == UNKNOWN_KEY or key.startswith(KEY_OF) and not any(type(o) is Sym for o in g.objs):
            return merge(self.item_path(g, UNKNOWN_KEY), *(v for k, v in g.keys.items() if k != DICT_KEYS), AbstractValue(strs=g.strs))
        if is_position(key) and key in g.keys:
            return g.keys[key]  # an item of a tuple or list written out: that item alone
        if held.keys:  # a list's dict elements, read one at a time (values.held_part), not what they all carry
            g, held = without(g, held), merge(held.keys.get(key, NOTHING), held.keys.get(UNKNOWN_KEY, NOTHING),
                                              without(AbstractValue(held.taint, held.objs, held.strs), AbstractValue(keys=held.keys)))
        if key in g.keys:
            return merge(g.keys[key], held)
        if is_position(key) and not any(type(o) is Sym for o in g.objs):
            return g  # unpacked, but not known to be a tuple: all of it, as before it was unpacked
        return merge(self.item_path(g, key), held)

    def item_path(self, g: AbstractValue, key: str) -> AbstractValue:
        """`value[key]` as an access path: parameters' paths one longer. A value whose keys are not
        known here (a parsed document, a library's result) gives under a named key that part only:
        the key's own name says its categories (`img["src"]` of an HTML mail is no e-mail); a
        computed key may be any part, and a record's categories stay on every part of it."""
        records = self.analysis.flowrules.record_categories
        named = key != UNKNOWN_KEY and not is_position(key)

        def part(path: tuple) -> tuple | None:
            # A parameter's path as deep as paths are kept (ir.MAX_DEPTH) cannot name a part one step
            # further; a named part is then dropped, as it would be on the caller's value, not taken
            # for the whole (`img["src"]` of a page the caller holds at `order.customer.banner`).
            longer = wrap(path, ItemPath, key)
            return None if named and longer is path else longer

        taint = {}
        for k, t in g.taint.items():
            if type(k) is Sym:
                if (path := part(k.path)) is not None:
                    taint[Sym(path)] = t
            elif not named or k.category in records:
                taint[k] = t
        parts = [AbstractValue(taint)]
        for o in ordered(g.objs):
            if type(o) is Sym:
                if (path := part(o.path)) is not None:
                    sym = Sym(path)
                    parts.append(AbstractValue(objs=frozenset({sym}), strs=frozenset({(sym,)})))
            elif type(o) is LibraryObject:  # a part of the settings is a setting too; another object's item is its __getitem__'s
                item = o if is_setting(o, self.analysis.flowrules) else LibraryObject(library_path(o.qualname, "__getitem__"))
                parts.append(AbstractValue(objs=frozenset({item}), strs=frozenset({(Unknown(f"{o.qualname}{key_text(key)}"),)})))
            elif type(o) is Reply:  # a part of a reply was received too
                parts.append(objects(o))
        return merge(*parts)

    def value_of(self, val: Val) -> AbstractValue:
        """A summary value's. A source by name beside what only came in from network replies (`user_id =
        resp.json()["id"]`) labels that received data; beside a part of the settings alone (`getattr(settings,
        name)["username"]`), no person's; beside text the program writes, no words (ir.SourceRef.unless)."""
        named = [a for a in val.atoms if type(a) is SourceRef and (a.unless is None or not written_text(self.call(a.unless)))]
        g = merge(*(self.atom_value(a) for a in ordered(val.atoms) if type(a) is not SourceRef))
        operators = g.objs and not g.taint and all(is_setting(o, self.analysis.flowrules) for o in g.objs)
        if named and not operators:
            received = received_from(g)
            g = merge(g, *(source_value(self.module, a.index, received) for a in ordered(named)))
        if val.strs:
            g = AbstractValue(g.taint, g.objs, self.strings(val.strs), g.keys)
        if val.keys:
            keys = dict(g.keys)
            for k, kv in val.keys:
                keys[k] = merge(keys[k], self.value_of(kv)) if k in keys else self.value_of(kv)
            g = AbstractValue(g.taint, g.objs, g.strs, keys)
        return g

    def strings(self, alternatives: tuple) -> frozenset:
        return expand(alternatives, lambda p: self.atom_value(p.atom).strs if type(p) is StrOf else None)
