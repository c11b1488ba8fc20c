"""Calls: what a call site may run (its targets), and what running each target gives."""

from __future__ import annotations

import re

from ..ir import Awaited, BoundMethod, CallResult, ClassObject, ClientMethod, ClientObject, ClientPath, DecoratedCallee, Deferred, DynamicCallee, \
    FunctionObject, Instance, LibraryObject, LoadedClass, LoadedInstance, ManagerObject, MethodCallee, ModuleObject, \
    PartialObject, Reply, SelfObject, QueuedCall, SignalCall, SignalObject, StaticCallee, Step, SuperCallee, Sym, TemplateObject, \
    Val, ordered
from ..strings import format_parts
from .binding import ProjectBinding, bind_fields, spread_arguments
from .lattice import NOTHING, AbstractValue, add_taint, library_path, merge, objects, source_value
from .results import DeferredCall, FieldStore, Site
from .signals import QUEUE_STYLES
from .substitution import Substitution


def identifies_nobody(no_data: tuple, callee, targets: list, catalog, builders: tuple) -> bool:
    """A flow.toml `no_data` method (what the project's own method of that name returns is kept by
    the caller): on any receiver (`qs.count()`) but a client whose method of
    that name makes another client (`meilisearch_client.index(uid)`, an Index, is no `str.index`,
    also written as a dotted name: `current_app.search.index(uid)`), or written as a dotted name
    that runs no project function (`Customer.objects.count()`) nor builds a statement
    (`sqlalchemy.delete(...)`: flow.toml read_builders)."""
    if any(type(t) is ClientMethod and catalog.clients_made_by(f"{t.type}.{t.method}") for t, _ in targets):
        return False
    if type(callee) is MethodCallee:
        return callee.name in no_data
    return (type(callee) is StaticCallee and callee.qualname.rpartition(".")[2] in no_data
            and not any(type(t) is FunctionObject for t, _ in targets) and callee.qualname not in builders)


# String methods whose result names the same host (a trailing slash stripped, the case changed, the
# text encoded as bytes for a library that takes bytes).
SAME_TEXT = {"strip", "lstrip", "rstrip", "lower", "upper", "casefold", "removesuffix", "removeprefix", "encode", "decode"}


def string_method(method: str, receiver: AbstractValue, args: tuple) -> AbstractValue:
    """What a method of a string known only here gives (a URL template read from a class
    attribute, then `.format(...)`-ed): the strings, for destinations."""
    if method == "format":
        positional = [ordered(g.strs) for arg, g in args if arg.position is not None]
        named = {arg.name: ordered(g.strs) for arg, g in args if arg.name and not arg.starred}
        return AbstractValue(strs=frozenset(format_parts(alt, positional, named) for alt in ordered(receiver.strs)))
    if method in SAME_TEXT:
        return AbstractValue(strs=receiver.strs)
    return NOTHING


def put_into(outs: dict, args: tuple, bound, results: dict, sub, qualname: str, site) -> None:
    """What a project function put into the parameters a call's arguments went to, kept by argument
    (position, keyword) for the caller's later reads of what it passed (ir.ArgOut)."""
    for arg, _ in args:
        if (p := bound.param_of(arg)) in results:
            put = sub.value(results[p], Step(site.path, site.loc, f"put into '{p}' by {qualname}"))
            outs[(arg.position, arg.name)] = merge(outs.get((arg.position, arg.name), NOTHING), put)


def receiver_word(text: str) -> str:
    """The name a call's receiver goes by, in lower case (`resolver` in `self.resolver.add_user`,
    `get_resolver(...).add_user`); '' for a name too short to name a class."""
    word = re.sub(r"\(.*\)$", "", text.rpartition(".")[0]).rpartition(".")[2].strip("_").lower()
    return word if len(word) >= 4 and word != "self" else ""


def on_global(program, callee):
    """A call of a name another module binds to a value (`from .tasks import executor`, then
    `executor.submit(f, x)`) is a method call on that value, as it is in the module that binds it:
    method names then count (flow.toml invokers, mutators, key_readers); any other callee, and a name
    the module does not bind (`app.privacy.mask` of a module not read as one), as it is."""
    if type(callee) is StaticCallee:
        head, _, name = callee.qualname.rpartition(".")
        if head and (found := program.bound_global(head)) is not None:
            return MethodCallee(Val(frozenset({found})), name)
    return callee


def made_by_decorators(callee, targets: list) -> list:
    """What calling a callee's value runs; of what its decorators made of a function (ir.DecoratedCallee),
    only a function they made, not the function itself nor what a library's decorator returns."""
    if type(callee) is not DecoratedCallee:
        return targets
    return [(t, so) for t, so in targets if type(t) is PartialObject or type(t) is FunctionObject and t.qualname != callee.function]


class Calls:
    """Call sites for a Frame: targets, dispatch, project and library calls."""

    def call(self, index: int) -> AbstractValue:
        if index in self.memo:
            return self.memo[index]
        self.memo[index] = NOTHING  # a call that reaches itself through its own arguments
        site = self.module.calls[index]
        callee = on_global(self.program, site.callee)
        args = tuple((arg, self.value_of(arg.value)) for arg in site.args)
        receiver, targets = self.targets(callee, site.text)
        where = Site(self.module.path, site.loc, site.text, self.f.qualname)
        method = callee.name if type(callee) is MethodCallee else None
        # The name a target is called by: `Customer.objects.get` is resolved where it is written.
        called_as = callee.qualname.rpartition(".")[2] if type(callee) is StaticCallee else callee.name if type(callee) is SuperCallee else method
        results, resolved, by_method = [], set(), []
        for target, self_obj in targets:
            if type(target) is Deferred:
                results.append(self.deferred_result(DeferredCall(where, method, receiver if receiver is not None else NOTHING, args)))
                continue
            if type(target) is Awaited:
                continue
            names = self.target_names(target)
            resolved |= names
            result = self.apply(target, self_obj, args, receiver, where, called_as)
            if site.source is not None and any(self.analysis.sources.call(n) for n in names):
                result = source_value(self.module, site.source)  # a reset token, not the user it was made from
            results.append(result)
            by_method += [(target.qualname, result)] if type(target) is FunctionObject else []
        self.note_dispatched(index, callee, by_method)
        if resolved:
            self.analysis.targets[(self.module.path, index)] = resolved
        if not targets and type(callee) is not DecoratedCallee:  # a decorator that made nothing to call is no call
            self.analysis.unresolved[(self.module.path, index)] = site.text
            results.append(self.unresolved_call(args, receiver, method, where))
        if method is not None and receiver is not None and receiver.strs:
            results.append(string_method(method, receiver, args))
        if method is not None and receiver is not None and (replies := [o for o in receiver.objs if type(o) is Reply]):
            results.append(objects(*replies))  # resp.json(), data.get("id"): what a reply gives was received too
        if identifies_nobody(self.analysis.flowrules.no_data, callee, targets, self.analysis.catalog, self.analysis.flowrules.read_builders):
            results = [r for _, r in by_method]  # .count(), .exists(): a number or a flag identifies nobody; a project's own update() gives what it returns
        value = merge(*results)
        self.memo[index] = value
        return value

    def targets(self, callee, text: str) -> tuple:
        """(receiver value or None, [(target, receiver object or None)]) of a callee."""
        match callee:
            case StaticCallee(qualname=qualname):
                return None, self.static_targets(qualname)
            case MethodCallee(receiver=receiver, name=name):
                value = self.value_of(receiver)
                if not value and self.analysis.stores.awaited(receiver):
                    return value, [(Awaited(), None)]
                return value, self.method_targets(value, name, guess=not self.library_made(receiver), text=text)
            case SuperCallee(cls=cls, name=name):
                return None, self.super_targets(cls, name)
            case DynamicCallee(value=value) | DecoratedCallee(value=value):
                value = self.value_of(value)
                return value, made_by_decorators(callee, self.callable_targets(value))
        raise TypeError(f"not a callee: {callee!r}")

    def static_targets(self, qualname: str) -> list:
        """What calling a name known where it is written runs; `task.delay(...)` on a project
        function queues it, `async_task(f, ...)` queues its first argument."""
        head = qualname.rpartition(".")[0]
        style = self.analysis.flowrules.queue_style(qualname)
        # A name that is a project function itself (a nested `def send()`) is called, not queued.
        if style in QUEUE_STYLES and head and type(self.program.resolve(qualname)) not in (FunctionObject, BoundMethod):
            function = self.program.resolve(head)
            if type(function) in (FunctionObject, BoundMethod):
                return [(QueuedCall(function, style), None)]
        found = self.callable_targets(self.name_value(qualname))
        if not found and style == "first":
            found = [(QueuedCall(None, "first"), None)]
        return found or [(LibraryObject(qualname), None)]

    def target_names(self, target: tuple) -> set[str]:
        """What a call target is called in the call graph: always qualified names (strings)."""
        match target:
            case ClientMethod(type=type_, method=method):
                return {f"{type_}.{method}"}
            case ManagerObject(cls=cls):
                return {f"{cls}.<manager>"}
            case LoadedClass() | TemplateObject():
                return {"<class loaded by name>" if type(target) is LoadedClass else "<template>"}
            case QueuedCall(function=function):
                return self.target_names(function) if function is not None else {"<queued task>"}
            case SignalCall():
                return self.receiver_names(target)
            case PartialObject(site=key):  # the functions a functools.partial object calls
                if key not in self.analysis.partials:
                    return {"functools.partial"}
                inner = self.callable_targets(self.analysis.partials[key][0])
                names = [self.target_names(t) for t, _ in inner if type(t) not in (Deferred, PartialObject)]
                return set().union(*names) or {"functools.partial"}
            case FunctionObject(qualname=name) | ClassObject(cls=name) | LibraryObject(qualname=name) | \
                    Instance(cls=name) | SelfObject(cls=name) | ClientObject(type=name) | ModuleObject(name=name):
                return {name}
        return {repr(target)}

    def callable_targets(self, value: AbstractValue) -> list:
        """What calling a value runs: functions, bound methods, classes, library callables, `__call__`; a table's items (`INDEXES[kind]()`)."""
        value = merge(value, *value.keys.values()) if value.keys else value
        targets = []
        for o in ordered(value.objs):
            match o:
                case FunctionObject() | ClassObject() | LibraryObject() | ManagerObject() | PartialObject() | SignalCall() | \
                        LoadedClass():
                    targets.append((o, None))
                case BoundMethod(method=method, receiver=receiver):
                    targets.append((FunctionObject(method), receiver))
                case ClientPath(client=client, path=path):
                    targets.append((ClientMethod(client.type, path, client), None))
                case ClientObject():  # a client called (`SessionLocal()`, a sessionmaker): its __call__
                    targets.append((ClientMethod(o.type, "__call__", o), None))
                case SelfObject(cls=cls) if self.f.is_classmethod and cls == self.f.cls:  # a classmethod's `cls(...)`: a new instance
                    targets.append((ClassObject(cls), None))
                case Instance() | SelfObject():  # a callable object: its class's __call__ runs
                    targets += self.instance_targets(o, "__call__")
                case Sym() if not any(type(t) is Deferred for t, _ in targets):
                    targets.append((Deferred(), None))
        return targets

    def library_made(self, receiver) -> bool:
        """Did a library call make the receiver (`urllib.request.Request(url)`)? Then its methods are the library's."""
        return bool(receiver.atoms) and all(
            type(a) is CallResult and type(c := self.module.calls[a.call].callee) is StaticCallee
            and type(self.program.resolve(c.qualname)) is LibraryObject for a in receiver.atoms)

    def method_targets(self, receiver: AbstractValue, method: str, guess: bool = True, text: str = "") -> list:
        """What `receiver.method(...)` runs, for each object the receiver may be; with `guess`, a
        receiver nothing is known of runs the one project class (or family, or the family the name
        its receiver goes by in the call's `text` names) defining the method."""
        targets, deferred = [], False
        queue = self.analysis.flowrules.queue_style(method)
        for o in ordered(receiver.objs):
            match o:
                case FunctionObject() | BoundMethod() | PartialObject() if queue in QUEUE_STYLES:
                    targets.append((QueuedCall(o, queue), None))  # task.delay(...): the task runs with them
                case Instance(cls=cls) | SelfObject(cls=cls):
                    targets += self.instance_targets(o, method)
                    # A callable it holds (`self.hook = self.send_copy`); a query's result answers library methods
                    # as the query, without its arguments' data, as a project manager inheriting one does.
                    if not self.program.lookup_method(cls, method) and ManagerObject(cls) not in receiver.objs:
                        targets += self.callable_targets(self.analysis.stores.field(cls, method)) \
                            or [(ManagerObject(m), None) for m in self.program.managed.get(cls, ())] or self.inherited(cls, method, o)
                case ManagerObject(cls=cls) if (t := self.program.manager_method(cls, method)):
                    targets.append((FunctionObject(t), o))  # `objects = EmailAddressManager()`: its own method
                case ManagerObject(cls=cls) if self.program.lookup_method(cls, method):
                    # `for p in Project.objects.all(): p.get_absolute_url()`: a method the model
                    # defines runs on a row, it does not query for more rows.
                    if Instance(cls) not in receiver.objs:
                        targets += self.instance_targets(Instance(cls), method)
                case ManagerObject() | TemplateObject():
                    targets.append((o, None))
                case LoadedInstance():
                    targets += self.loaded_methods(method)
                case SignalObject(key=key):
                    targets += [(t, None) for t in (self.signal_method(key, method) or NOTHING).objs]
                case ClassObject(cls=cls):
                    t = self.program.lookup_method(cls, method)
                    if t:
                        targets.append((FunctionObject(t), o if self.program.functions[t][0].is_classmethod else None))
                    elif method in self.analysis.builders:  # `model.model_construct(**row)`: Serializers.built
                        targets.append((LibraryObject(f"{cls}.{method}"), None))
                case ClientObject():
                    targets.append((ClientMethod(o.type, method, o), None))
                case ClientPath(client=client, path=path):
                    targets.append((ClientMethod(client.type, f"{path}.{method}", client), None))
                case ModuleObject(name=name) | LibraryObject(qualname=name) | FunctionObject(qualname=name):
                    path = library_path(name, method) if type(o) is LibraryObject else f"{name}.{method}"
                    targets += [(obj, None) for obj in ordered(self.name_value(path).objs)]
                case Sym() if self.analysis.defers(method):
                    deferred = True
        if not targets:
            owners = self.program.method_owners.get(method, [])
            guess = guess and not any(type(o) is Instance for o in receiver.objs)  # a known class's object lacks it
            if guess and method not in self.analysis.flowrules.builtin_methods and \
                    (classes := self.program.implementations(owners, method, receiver_word(text) if len(owners) > 1 else "")):
                # One project class defines this method, or a few implement a base's stub (`add_user`):
                # the receiver is most likely one of them (unless the name is a dict's or a str's:
                # `d.update(x)` is not `Cart.update`).
                targets += [(FunctionObject(self.program.methods[owner][method]), Instance(owner)) for owner in classes]
            elif deferred:
                targets.append((Deferred(), None))
        if queue == "first" and all(type(t) in (LibraryObject, ClientMethod) for t, _ in targets):
            targets.append((QueuedCall(None, queue), None))  # queue.enqueue(f, ...), a library's queue too
        return targets

    def default(self, args: tuple, receiver: AbstractValue | None, method: str | None = None,
                function: str | None = None) -> AbstractValue:
        """An unknown call: what goes in comes out (taint only); objects given to it hand out their
        own taint, not every field of the model objects they may be, unless the call hands out a
        whole object (flow.toml whole_object: `obj.to_dict()`, `asdict(obj)`, `str(obj)`). A secret
        given under a keyword that names it one (flow.toml authenticating) only authenticates the
        call: `client.userinfo(token=token)` answers with a profile, not the token (a translator writes it in: `_("Password: %(password)s", password=p)`); nor is the
        person a function looks its answer up for (flow.toml selecting: `get_grade(user=user)`), nor
        the language it writes its answer in (flow.toml formatting: `format_datetime(d, locale=lang)`). A
        key read (flow.toml key_readers: `cache.get(key)`) gives what the receiver holds under it."""
        flowrules, stores, whole = self.analysis.flowrules, self.analysis.stores, self.analysis.flowrules.whole_object
        keyed = method in flowrules.key_readers
        taint: dict = {}
        for arg, g in args:
            if flowrules.authenticates(arg.name) and function not in flowrules.translators or keyed and arg.position == 0 or flowrules.selects(arg.name, function or method) \
                    or flowrules.formats(arg.name, function or method):
                continue
            for k, t in stores.payload(g, fields=function in whole).items():
                add_taint(taint, k, t)
        if receiver is not None:
            fields = method is None or method in whole
            for k, t in stores.payload(receiver, fields=fields).items():
                add_taint(taint, k, t)
        return AbstractValue(taint)

    def apply(self, target: tuple, self_obj, args: tuple, receiver: AbstractValue | None, site: Site,
              method: str | None = None) -> AbstractValue:
        """The value of calling one target (and its effects, emitted or pending); `method`: the
        name it is called by on its receiver."""
        if receiver is not None and type(target) in (LibraryObject, ClientMethod) and \
                (method in self.analysis.flowrules.returns_receiver or method in self.analysis.flowrules.copiers):
            return merge(receiver, self.default(args, None))  # `with SMTP(host) as smtp`; `wallet.copy(update=...)`
        match target:
            case FunctionObject(qualname=qualname):
                if self.analysis.flowrules.is_sanitizer(qualname):
                    return self.cut(qualname, args, receiver, site)
                return self.instantiate(qualname, self_obj, args, site)
            case ClassObject(cls=cls):
                return self.construct(cls, args, site)
            case LoadedClass():
                return objects(LoadedInstance())
            case PartialObject(site=key):
                return self.call_partial(key, args, receiver, site)
            case ManagerObject(cls=cls):
                # A query: instances of the model come back (and more queries: .filter().first(),
                # unless the method returns one instance: .get(), .first()), with what the queried
                # rows themselves are (`order.lines.all()`: what was bought).
                rows = AbstractValue(dict(receiver.taint)) if receiver is not None else NOTHING
                if method in self.analysis.flowrules.field_selectors and (fields := self.selected_fields(cls, args, method)) is not None:
                    return fields
                if method in self.analysis.flowrules.single_instance:
                    return merge(rows, objects(Instance(cls)))
                return merge(rows, objects(Instance(cls), ManagerObject(cls)))
            case ClientMethod(type=type_, method=method, client=client):
                if receiver is None and self_obj is not None:
                    receiver = objects(self_obj)  # super().emit(record): the instance itself
                return self.library(f"{type_}.{method}", args, receiver, objects(client), site)
            case QueuedCall(function=function, style=style):
                return self.queued(function, style, args, site)
            case SignalCall() | TemplateObject():
                return self.signal_call(target, args, site) if type(target) is SignalCall else \
                    self.render_loaded(target, method, args, site)
            case LibraryObject(qualname=qualname):
                signal = self.library_signal_call(qualname, args, site)
                return signal if signal is not None else self.library(qualname, args, receiver, NOTHING, site)
        return self.default(args, receiver, method)

    # -- project code

    def construct(self, cls: str, args: tuple, site: Site) -> AbstractValue:
        """`Cls(...)`: its __init__ runs on a new instance; without one (dataclass, pydantic, attrs,
        NamedTuple) the arguments become fields by name or order, and a builtin container's subclass
        (flow.toml container_bases: `class Params(dict)`) holds them. A library client's subclass keeps
        what reaches the client's constructor under its parameter names (with an __init__, what that
        takes as *args and **kwargs, handed on to super().__init__)."""
        if self.is_enum(cls):
            return self.made_member(cls, args)
        obj, init, base = Instance(cls), self.program.lookup_method(cls, "__init__"), self.client_base(cls)
        self.serialize(cls, args)
        client = self.analysis.catalog.clients_made_by(base)[0].params if base else None
        if init:
            self.instantiate(init, obj, args, site)
            if client is None:
                return objects(obj)
            args = spread_arguments(self.program.functions[init][0], args)
        elif any(b in self.analysis.flowrules.container_bases for b in self.program.library_bases(cls)):
            return merge(objects(obj), self.default(args, None))
        declared = list(client) if client is not None else [a for a, _, _ in self.program.fields(cls)]
        for name, value in bind_fields(declared, args, self.item):
            self.store(FieldStore(objects(obj), name, value, (site.path, site.loc)))
        return objects(obj)

    def instantiate(self, qualname: str, self_obj, args: tuple, site: Site) -> AbstractValue:
        """A call of a project function: its Result with the caller's arguments substituted, its
        pending effects emitted here or passed on, and its return value."""
        f, _ = self.program.functions[qualname]
        binding = (bound := ProjectBinding(f, self_obj, args, self.item)).binding
        self.analysis.callers.setdefault(qualname, set()).add(self.f.qualname)
        result = self.analysis.results.get(qualname)
        if result is None:  # not analysed yet: nothing, until it is (its callers are analysed again then)
            return NOTHING
        defaulted = frozenset(result.defaults).difference(binding)
        binding.update((name, result.defaults[name]) for name in defaulted)
        steps_in = {p: Step(site.path, site.loc, f"passed as '{p}' to {qualname}") for p in binding}
        sub = Substitution(self, binding, steps_in, site, defaulted)
        ret = sub.value(result.ret_for(self.program, self_obj), Step(site.path, site.loc, f"returned from {qualname}"))
        self.expand(qualname, result, sub)
        if result.outs:
            put_into(self.call_outs.setdefault((site.path, site.loc), {}), args, bound, result.outs, sub, qualname, site)
        return ret
