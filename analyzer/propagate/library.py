"""Library calls: sanitizers cut, wrappers call their argument, catalog sinks are hit, catalog
client constructors make client objects (clients.py); anything else passes its arguments' taint
through."""

from __future__ import annotations

import re

from ..dotted import may_name_class, within
from ..ir import BEYOND_CAP, CategoryKey, ClassObject, ClientObject, FunctionObject, Instance, ItemPath, LibraryObject, LibraryResult, Lit, ManagerObject, \
    LoadedClass, LoadedModule, ModuleObject, ParamRef, Reply, SelfObject, Sym, Unknown, encoded, ordered, whole, wrap
from ..summary import DOUBLE_STAR
from ..strings import literal
from .binding import bind_library
from .evaluation import is_query, is_setting
from .lattice import NOTHING, AbstractValue, add_taint, merge, objects
from .results import FieldStore, SinkCall, Site
from .signals import HANDLE_STYLES

MAX_MEMBERS = 8  # the attributes a name partly known may be, at most (matching_members)
OPTION = re.compile(r"[A-Za-z_][\w.-]*")  # a name a ConfigParser option may have (option_name)
RECEIVER = "receiver"  # in a sink's data: what the object the method is called on carries


def attribute_names(name: AbstractValue) -> list[str] | None:
    """The attribute names a value may be, when every alternative is a constant identifier; None
    when there were more of them than a value keeps (BEYOND_CAP: a loop over a long list of names)."""
    texts = [literal(alt) for alt in ordered(name.strs) if alt != BEYOND_CAP]
    names = [text for text, complete, _ in texts if complete and text.isidentifier()]
    if not names or len(names) < len(texts):
        return []
    return None if BEYOND_CAP in name.strs else names


def parameter_name(value: AbstractValue) -> str | None:
    """The parameter a value is, whole, as the function's callers pass it; else None."""
    parts = [alt[0] for alt in value.strs if len(alt) == 1]
    if len(value.strs) == 1 and parts and type(parts[0]) is Sym and type(parts[0].path) is ParamRef:
        return parts[0].path.name
    return None


def matching_members(program, obj: AbstractValue, name: AbstractValue) -> list[str]:
    """The attributes a name partly known may be (`getattr(chats, f"send_to_{channel}")`): those of
    a project module or class (its functions, classes, variables; its methods) that begin and end
    as every alternative of the name does, when each keeps a constant part; none past MAX_MEMBERS."""
    patterns = []
    for alt in ordered(name.strs):
        head, tail = literal(alt)[0], ""
        for part in reversed(alt):
            if type(part) is not Lit:
                break
            tail = part.text + tail
        if len(head) + len(tail) < 3:
            return []
        patterns.append((head, tail))
    members = set()
    for o in obj.objs:
        if type(o) is ModuleObject:  # its top-level names, its functions and classes among them
            members |= set(program.globals.get(o.name, {}))
        elif type(o) in (Instance, SelfObject, ClassObject) and o.cls in program.classes:
            members |= {m for c in program.mro(o.cls) for m in program.methods.get(c, {})}
    found = sorted(m for m in members if any(m.startswith(h) and m.endswith(t) and len(m) >= len(h) + len(t) for h, t in patterns))
    return found if len(found) <= MAX_MEMBERS else []


def _sdk_client(qualname: str, value: AbstractValue) -> bool:
    """Is the result of a call into a package no rule names its client object: a class made of no
    person's data (`pushly.Client("key")`, `jira.JIRA(cfg.base_url)`: what a caller configures it
    with), not a parsed document (`BeautifulSoup(html)`, whose parts read by key stay parts) nor
    what a function hands out (`django_rq.get_queue()`, whose `enqueue` queues)?"""
    name = qualname.rpartition(".")[2]
    return not any(type(k) is CategoryKey for k in value.taint) and may_name_class(name)  # `jira.JIRA(url)` too


def is_parameter(g: AbstractValue) -> bool:
    """Is the value a parameter's and nothing else (every object the caller's, a Sym)?"""
    return bool(g.objs) and all(type(o) is Sym for o in g.objs)


def parameter_objects(g: AbstractValue) -> tuple:
    """The parameters' objects a value holds, and the rest of it (their own taint keys taken out)."""
    syms = [o for o in ordered(g.objs) if type(o) is Sym]
    return syms, AbstractValue({k: t for k, t in g.taint.items() if k not in syms}, g.objs.difference(syms), g.strs, g.keys)


def but_key_lookups(args: tuple, keys: tuple) -> tuple:
    """A query's arguments but its lookups by a row's key (`id=x`, `user__pk=y`): the rows found are
    the query's answer, which holds what it was filtered by (`username=u`) but not the key it was
    found by as data of its other fields (`User.objects.get(id=uid).email` is no user id)."""
    return tuple((a, g) for a, g in args if not set((a.name or "").split("__")) & set(keys))


class Library:
    """Calls into libraries, for a Frame."""

    def load_class(self, args: tuple) -> AbstractValue:
        """A class loaded by its dotted name: the class or function each literal name gives (a project
        one, or a library one the rules may know; a Django model by "app_label.Model", or given in two
        parts), and "some project class" for a name not known here."""
        loaded, name = [], args[0][1]
        if len(args) > 1 and args[1][0].position == 1 and (label := one_text(name)) and (model := one_text(args[1][1])):
            name = AbstractValue(strs=frozenset({(Lit(f"{label}.{model}", None),)}))
        for alternative in ordered(name.strs):
            dotted, complete, _ = literal(alternative)
            if complete:
                target = self.program.resolve(dotted)
                if type(target) is not ClassObject and dotted.count(".") == 1 and (model := self.program.related_model(dotted, "")):
                    target = ClassObject(model)
                loaded.append(target if type(target) in (ClassObject, FunctionObject) else LibraryObject(dotted))
            else:
                loaded.append(LoadedClass())
        return objects(*loaded) if loaded else objects(LoadedClass())

    def load_module(self, name: AbstractValue) -> AbstractValue:
        """A module loaded by its dotted name: the project module each literal name gives (a
        library's stays the library's), and "some project module" for a name not known here."""
        loaded = []
        for alternative in ordered(name.strs):
            dotted, complete, _ = literal(alternative)
            target = self.program.resolve(dotted) if complete else None
            loaded.append(target if type(target) is ModuleObject else LibraryObject(dotted) if complete else LoadedModule())
        return objects(*loaded) if loaded else objects(LoadedModule())

    def library(self, qualname: str, args: tuple, receiver: AbstractValue | None, client: AbstractValue,
                site: Site) -> AbstractValue:
        flowrules, name = self.analysis.flowrules, qualname.rpartition(".")[2]
        if flowrules.is_sanitizer(qualname):
            return self.cut(qualname, args, receiver, site)
        if (passed := self.passed_on(qualname, args, site)) is not None:
            return passed
        if receiver is not None and (made := self.serializer_made(name, receiver, args, site)) is not None:
            return made
        if (done := self.attribute_call(qualname, name, args, receiver, site)) is not None:
            return done
        if (dumped := self.dumped(name, args, receiver)) is not None:
            return dumped
        if (built := self.built(qualname, receiver, args, site)) is not None:
            return built
        by_method = receiver is not None and self.analysis.catalog.sink(qualname) is None  # an SDK's own `submit` is its sink
        position = flowrules.invokers.get(qualname, flowrules.invokers.get(name) if by_method else None)
        if position is not None:  # asyncio.to_thread(f, a); asyncio.get_running_loop().run_in_executor(None, f, a)
            return self.invoke(args, position, site)
        if qualname in flowrules.app_objects.get("classes", ()):  # Flask(__name__): attributes set on it are read back
            self.app_settings(qualname, args)
            return merge(self.default(args, None), objects(Instance(qualname)))
        if args and (qualname in flowrules.class_loaders or qualname in flowrules.module_loaders):
            return self.load_class(args) if qualname in flowrules.class_loaders else self.load_module(args[0][1])
        if qualname in flowrules.model_queries and (models := [o.cls for o in args[0][1].objs if type(o) is ClassObject] if args else []):
            return objects(*map(ManagerObject, models))  # session.query(Repo) is Repo.query: rows, not the key
        if qualname in flowrules.identity.get("model_calls", ()):  # the project's user model, else the library's
            return objects(*[ClassObject(c) for c in self.user_models()] or [LibraryObject(qualname)])
        if (template := self.template_made(qualname, args, name if receiver is not None else None)) is not None:
            return template
        args = self.rendered_args(qualname, args, site)
        made = [m for spec in self.analysis.catalog.clients_made_by(qualname) if (m := self.make_client(spec, args, client, receiver)) is not None]
        sink = self.analysis.catalog.sink(qualname)
        if sink is not None:
            reply = self.sink_call(sink, args, client, site, receiver)
            # What a sink returns (an HTTP reply, an SDK's object) is the other side's answer: none of
            # the data sent; a network sink's is received from where the call went (a Reply).
            return merge(*made, objects(reply) if reply is not None else NOTHING)
        if made:
            return merge(*made)
        if is_query(qualname, flowrules.managers):  # `User.objects.get(...)` of a library model
            return self.library_rows(qualname, args, receiver)
        if name in flowrules.field_dicts and (made := self.field_dict(receiver if receiver is not None else args[0][1] if args else NOTHING)):
            return made
        if qualname in flowrules.codecs and args and (args[0][1].keys or any(type(o) is Sym for o in args[0][1].objs)):
            return args[0][1]  # json.dumps(d): d, keys and all (a parameter's, as its caller's value has them)
        if (qualname in flowrules.url_types or qualname in flowrules.statement_types) and args:  # yarl.URL(base), text(sql): the string's text
            value = merge(AbstractValue(strs=args[0][1].strs), self.default(args, None))
        elif any(within(qualname, b) for b in flowrules.read_builders):  # select(...).where(...)
            value = merge(AbstractValue(strs=frozenset({(Lit(flowrules.read_statements[0], None),)})), self.default(args, receiver), objects(LibraryObject(qualname)))
        elif receiver is None and qualname.removeprefix("builtins.") in flowrules.text_methods and args:
            strs = args[0][1].strs if name != "repr" else frozenset()  # str(url) is the URL's text
            value = merge(AbstractValue(self.as_text(args[0][1], name, site), strs=strs), self.default(args[1:], None))
        else:  # trytond's config.get(section, option, default=url): the value of an option too
            value = merge(self.default(args, receiver, name if receiver is not None else None, name), configured(name, args, flowrules))
        return self.made_of(qualname, args, value, receiver, site)

    def made_of(self, qualname: str, args: tuple, value: AbstractValue, receiver: AbstractValue | None, site: Site) -> AbstractValue:
        """What an unmodelled library call that took `value` in gives: a data-moving library's result is one of its
        objects (`Client(...).messages.create`), as is one whose methods sanitize."""
        if self.unmodeled(qualname, value, site) and (self.analysis.catalog.library_of(qualname) or _sdk_client(qualname, value)) \
                or receiver is None and self.analysis.flowrules.makes_sanitizer(qualname):
            return merge(value, objects(LibraryObject(qualname)))
        return value if receiver is not None else function_result(qualname, args, value, self.analysis.flowrules)

    def library_rows(self, qualname: str, args: tuple, receiver: AbstractValue | None) -> AbstractValue:
        """What a library model's query answers (`User.objects.get(username=n)`): its rows, each
        holding what a lookup compared a field with in that field (`username=n`, `user__username=n`
        in `user`), read back by that attribute (Evaluation.attribute) and with the row whole, not by
        its other fields (`.email` is the e-mail alone); a lookup by the row's key holds nothing
        (but_key_lookups), any other argument (a Q object) the rows as a whole."""
        fields, rest = {}, []
        for arg, value in but_key_lookups(args, self.analysis.flowrules.relation_keys):
            if arg.name and arg.name != DOUBLE_STAR:
                field = arg.name.split("__")[0]
                fields[field] = merge(fields.get(field, NOTHING), value)
            else:
                rest.append((arg, value))
        held = AbstractValue(dict(receiver.taint), keys=receiver.keys) if receiver is not None else NOTHING
        return merge(self.default(tuple(rest), None), held, AbstractValue(keys=fields), objects(LibraryObject(qualname)))

    def app_settings(self, app: str, args: tuple) -> None:
        """`web.Application(handlers, db=session, **settings)` (flow.toml app_objects `settings`): the
        keywords past the constructor's `params` are the application's settings, which each project
        class deriving from one of its `handlers` bases reads as the rule's `settings` attribute, and
        the application as its `application` attribute (Tornado's RequestHandler)."""
        rule = self.analysis.flowrules.app_objects.get("settings", {}).get(app)
        if rule is None:
            return
        bound = bind_library(tuple(rule["params"]), args)
        settings = AbstractValue(keys={k: g for k, g in bound.items() if k not in rule["params"] and not k.startswith("#")})
        for cls in self.program.derived_from(tuple(rule["handlers"])):
            self.store(FieldStore(objects(Instance(cls)), rule["settings"], settings))
            self.store(FieldStore(objects(Instance(cls)), rule["application"], objects(Instance(app))))

    def read_attribute(self, args: tuple) -> AbstractValue | None:
        """`getattr(obj, name[, default])`: with `name` one of a few constants, each attribute it may
        read; one of more constants than were kept (a field-by-field copy), any field of the object;
        any name of a module loaded by name (`getattr(import_module(package), name)`), a class loaded
        by name; any name of the settings, a setting; else None (not known)."""
        obj, names = args[0][1], attribute_names(args[1][1])
        if not names and (settings := [o for o in obj.objs if is_setting(o, self.analysis.flowrules)]):
            return merge(objects(*settings), *(g for _, g in args[2:]))  # getattr(settings, name): some setting
        if names == [] and (param := parameter_name(args[1][1])) is not None:  # getattr(plugin, method): what callers pass
            names = list(self.program.literal_arguments(self.f.qualname, param))
        if names == [] and not (names := matching_members(self.program, obj, args[1][1])):
            return objects(LoadedClass()) if LoadedModule() in obj.objs else None
        read = [self.attribute(obj, name) for name in names] if names else [AbstractValue(self.analysis.stores.payload(obj))]
        return merge(*read, *(g for _, g in args[2:]))

    def cut(self, qualname: str, args: tuple, receiver: AbstractValue | None, site: Site) -> AbstractValue:
        """A sanitizer: nothing comes out; where it stopped personal data is recorded for reports."""
        categories = {k.category for k in self.default(args, receiver).taint if type(k) is not Sym}
        if categories:
            self.cuts.append((site, qualname, tuple(sorted(categories))))
        return NOTHING

    def unknown_result(self, args: tuple, receiver: AbstractValue | None, method: str | None, site: Site) -> AbstractValue:
        """What a call no known code answers gives: `cleaned.get("redirect_url")` (flow.toml
        key_readers, one constant key) on a dict whose keys are known gives what it holds under that
        key and the default, on a parameter or a value whose keys are not known the value at that key
        and a default that is no option's name (`attributes.get("username", "")`; not
        `config.get("mail", "host")`, a ConfigParser's section and option), by a key not known any
        value of it and that default as it is (its text: a URL); a selector
        (`qs.filter(name=term)`, flow.toml `selectors`) gives the query it narrows, not the terms;
        a copy of a parameter (`context.copy()`, flow.toml copiers) is that parameter's value; a
        queueing call on a task not known here (`self.task.apply_async(args=a)`, flow.toml task_queues)
        gives a handle to a result, none of the arguments queued; else what goes in comes out."""
        if method in self.analysis.flowrules.selectors and receiver is not None:
            return self.default((), receiver, method)
        if method in self.analysis.flowrules.copiers and receiver is not None and not args and is_parameter(receiver):
            return receiver
        if method is not None and self.analysis.flowrules.queue_style(method) in HANDLE_STYLES:
            return NOTHING
        if method in self.analysis.flowrules.invokers:
            return self.invoke(args, self.analysis.flowrules.invokers[method], site)
        if method in self.analysis.flowrules.key_readers and receiver is not None and args:
            if option := configured(method, args, self.analysis.flowrules):
                return merge(self.default(args, receiver, method), option)
            default = args[1][1] if len(args) == 2 and not option_name(args[1][1]) else None
            key, complete, _ = literal(next(iter(args[0][1].strs))) if len(args[0][1].strs) == 1 else (None, False, None)
            if complete and (receiver.keys or all(type(o) is Sym for o in receiver.objs) and (len(args) == 1 or default is not None)):
                return merge(self.item(receiver, key), *(g for _, g in args[1:]))
            if default is not None:  # `_CONFIG.get(key, default)`: any value of the dict, or the default itself
                return merge(self.default(args[:1], receiver, method), default)
        return self.default(args, receiver, method)

    def unmodeled(self, qualname: str, value: AbstractValue, site: Site) -> bool:
        """Record a call into a library that moves data out of the process that no rule models:
        every such call of a library no rule covers, and calls of a covered one that receive
        personal data (coverage: a clean result must say what it did not look at); and the calls that
        receive personal data of an imported package no rule names at all (an SDK nobody modelled,
        which `scan --python-path` can model from its code)."""
        catalog = self.analysis.catalog
        package = catalog.library_of(qualname)
        foreign = package is None and (package := self.analysis.foreign_package(qualname)) is not None
        if package is None:
            return False
        categories = {k.category for k in value.taint if type(k) is CategoryKey}
        if (foreign or package in catalog.modeled) and not categories:
            return True
        entry = self.analysis.unmodeled.setdefault(qualname, (package, set(), set()))
        entry[1].add((site.path, site.loc))
        entry[2].update(categories)
        return True

    def data_of(self, bound: dict, names: tuple, roles: dict, site: Site | None = None, sink=None) -> dict:
        """The taint of the arguments named ("*": every argument but the destination ones, and
        those named beside it, as a SQL statement that is both). At a `sink` (called at `site`),
        one encoded as JSON (flow.toml json_params) sends none of the fields of the objects in it,
        one sent as text (text_params) what their __str__ returns, and a caller's **mapping whose
        keys it cannot see each parameter it may give, as that parameter sends it."""
        if "*" in names:
            names = [p for p in bound if p not in roles or p in names]
        else:
            names = [p for p in (*names, DOUBLE_STAR) if p in bound]
        taint: dict = {}
        for p in sorted(names):
            if site is not None and p == DOUBLE_STAR and (spread := spread_params(self.analysis.flowrules, sink, bound, roles)) is not None:
                sent = self.spread_parts(bound[p], spread)
            elif site is not None and (how := self.analysis.flowrules.encoding(p, sink.kind if sink is not None else "")):
                sent = self.encoded(bound[p], how, site)
            else:
                sent = self.analysis.stores.payload(bound[p])
            for k, t in sent.items():
                add_taint(taint, k, t)
        return taint

    def encoded(self, g: AbstractValue, how: str, site: Site | None) -> dict:
        """What a value sends encoded `how`, and each value it holds under a key: as JSON, what it
        carries itself (no object's fields: json.dumps cannot encode an object); as text, each
        object's __str__ (`params={"lang": language}` sends str(language)); as a row, a model
        object's own columns (Stores.row). A parameter's object
        is keyed so that its caller's value is read the same way."""
        syms, rest = parameter_objects(g)
        own = AbstractValue(rest.taint, rest.objs, rest.strs)
        stores = self.analysis.stores
        taint = self.as_text(own, "str", site) if how == "text" else stores.row(own, self.f.qualname) if how == "row" else stores.payload(own, fields=False)
        for o in syms:
            add_taint(taint, encoded(o, how), g.taint.get(o, ()))
        for value in g.keys.values():
            for k, t in self.encoded(value, how, site).items():
                add_taint(taint, k, t)
        return taint

    def spread_parts(self, g: AbstractValue, params: list) -> dict:
        """What a **mapping given to a sink sends when its keys are not known here (a wrapper's own
        **kwargs): what it carries, and of a parameter's value, each of the sink's parameters it
        may hold, read as that parameter sends it (`json=` without objects' fields)."""
        syms, rest = parameter_objects(g)
        taint = self.analysis.stores.payload(rest)
        for o in syms:
            for name in params:
                part = Sym(wrap(o.path, ItemPath, name))
                how = self.analysis.flowrules.encoding(name)
                add_taint(taint, encoded(part, how) if how else whole(part), g.taint.get(o, ()))
        return taint

    def sink_call(self, sink, args: tuple, client: AbstractValue, site: Site, receiver: AbstractValue | None) -> Reply | None:
        """A catalog sink: the taint of its data arguments goes where its destination says; a
        network sink answers with a Reply from that destination."""
        bound = bind_library(sink.params, args)
        roles = dict(sink.destination)
        dests = tuple((role, bound[param]) for param, role in sink.destination if param in bound and role != "client")
        taint = self.data_of(bound, tuple(d for d in sink.data if d != RECEIVER), roles, site, sink)
        if RECEIVER in sink.data and receiver is not None:
            for k, t in self.analysis.stores.payload(receiver).items():
                add_taint(taint, k, t)
        for hook in sink.hooks if receiver is not None else ():
            for k, t in self.analysis.stores.payload(self.hook_value(receiver, hook, site)).items():
                add_taint(taint, k, t)
        clients = merge(client, *(bound[p] for p, role in sink.destination if role == "client" and p in bound))
        for type_ in sink.client:
            clients = merge(clients, self.analysis.stores.get("clients", type_) or NOTHING)
        for spec in filter(None, map(self.analysis.catalog.settings_clients.get, sink.client)):
            chosen = [o for o in clients.objs if type(o) is ClientObject and dict(o.dests).get("backend")]
            if chosen:  # get_connection(backend=...): the backend the call names, not the setting's
                rest = AbstractValue(objs=clients.objs - set(chosen))
                clients = merge(rest, *(self.settings_client(spec, o) for o in ordered(chosen)))
            elif not any(type(o) is ClientObject and o.dests for o in clients.objs):
                clients = merge(clients, self.settings_client(spec))
        self.emit(SinkCall(site, sink, AbstractValue(taint), dests, clients))
        if sink.kind != "network":
            return None
        return Reply(sink.callee, tuple((role, tuple(ordered(g.strs))) for role, g in dests),
                     tuple(ordered([o for o in clients.objs if type(o) is ClientObject])))

    def hook_value(self, receiver: AbstractValue, hook: str, site: Site) -> AbstractValue:
        """What the library reads off the receiver to send: what a method it calls back returns
        (`reporter_class().get_traceback_text`: an instance of the class the receiver's attribute
        names, then its method), for project classes; an attribute it reads (`email`: Django's
        AbstractUser.email_user mails self.email)."""
        if "(" not in hook:
            return self.attribute(receiver, hook)
        attr, _, method = hook.rpartition("().")
        returned = []
        for o in ordered(receiver.objs):
            if type(o) not in (Instance, SelfObject):
                continue
            made = [objects(Instance(c.cls)) for c in ordered(self.attribute(objects(o), attr).objs)
                    if type(c) is ClassObject] if attr else [objects(o)]
            for instance in made:
                for target, self_obj in self.method_targets(instance, method):
                    if type(target) is FunctionObject:
                        returned.append(self.instantiate(target.qualname, self_obj, (), site))
        return merge(*returned, NOTHING)


def spread_params(flowrules, sink, bound: dict, roles: dict) -> list | None:
    """The parameters of a sink that encodes some of them (its signature and data names) a
    **mapping may give: those not given otherwise and not a destination; None for other sinks."""
    named = dict.fromkeys((*sink.params, *(d for d in sink.data if d not in ("*", RECEIVER))))
    if not any(flowrules.encoding(p) for p in named):
        return None
    return [p for p in named if p not in bound and p not in roles]


def function_result(qualname: str, args: tuple, value: AbstractValue, flowrules) -> AbstractValue:
    """What an unmodelled library function given `value` returns: a module function's (not a class's, a
    builtin's or a parser's, flow.toml parsers and url_parsers) is a LibraryResult, whose attributes hold none of it."""
    module, _, name = qualname.rpartition(".")
    if not value.taint or not module or module == "builtins" or may_name_class(name) \
            or qualname in flowrules.parsers or qualname in flowrules.url_parsers:
        return value
    keywords = tuple(sorted({arg.name for arg, _ in args if arg.name not in (None, DOUBLE_STAR)}))
    return merge(value, objects(LibraryResult(qualname, keywords)))


def configured(method: str, args: tuple, flowrules) -> AbstractValue:
    """`config.get("general", "sentry_dsn", fallback=None)`, a configuration option: for a
    destination, the default given, as `os.getenv`'s is (flow.toml environment_readers); without
    one, text the deployment writes (a DSN, a host nobody can read here, not an SDK's default host).
    Nothing for a call that reads no option."""
    if method not in flowrules.key_readers or not option_read(args):
        return NOTHING
    fallback = frozenset().union(*(g.strs for arg, g in args[2:] if arg.name in ("fallback", "default") or arg.position == 2))
    if not fallback:
        section, option = (one_text(a[1]) or "?" for a in args[:2])
        fallback = frozenset({(Unknown(f"configuration option {section}.{option} has no default"),)})
    return AbstractValue(strs=fallback)


def one_text(value: AbstractValue) -> str | None:
    """The one constant text a value is, or None."""
    texts = [text for text, complete, _ in map(literal, value.strs) if complete]
    return texts[0] if len(texts) == 1 == len(value.strs) else None


def option_read(args: tuple) -> bool:
    """Is `get(a, b, ...)` a read of a configuration option: is its second positional argument an
    option's name (`config.get("mail", "host")`), or does a default follow it (`config.get(section,
    server, default=url)`: a dict's `get` takes no third argument)?"""
    return len(args) >= 2 and args[1][0].position == 1 and (len(args) > 2 or option_name(args[1][1]))


def option_name(value: AbstractValue) -> bool:
    """Might a second argument of `get` be a ConfigParser option's name rather than a dict's
    default: a string that may be a name (`config.get("mail", "host")`, `f"{prefix}_host"`)? `None`, a
    number, an empty string or container, an object, a URL (`config.get("yubico.url", YUBICO_URL)`)
    and a parameter, whose caller decides, are a default."""
    return any(OPTION.fullmatch(text) if complete else OPTION.match(text) for text, complete, _ in map(literal, value.strs))
