"""Library clients: what a catalog constructor makes, with its destination, and what the
project's settings configure, for a Frame."""

from __future__ import annotations

from ..ir import UNKNOWN_KEY, BoundMethod, ClientMethod, ClientObject, ClientPath, FunctionObject, LibraryObject, Lit, ManagerObject, QueuedCall, \
    SelfObject, Unknown, ordered
from ..strings import literal
from .binding import bind_library, computed_params, is_literal
from .lattice import NOTHING, UNKNOWN_COMPUTED, AbstractValue, objects
from .results import ClientStore
from .signals import QUEUE_STYLES


class Clients:
    """Clients made by catalog constructors and by settings, for a Frame."""

    def make_client(self, spec, args: tuple, client: AbstractValue, receiver: AbstractValue | None) -> AbstractValue | None:
        """The client a catalog constructor makes, with the destination its arguments give and the
        data it `carries` (and, for `inherit`, the receiver's); a global client configures the
        module-wide one, which a client made with no destination of its own has."""
        bound = bind_library(spec.params, args)
        if any(not is_literal(bound.get(p), v) for p, v in spec.when):
            return None
        computed = computed_params(spec.params, args) if spec.destination else frozenset()
        dests = []
        for o in client.objs if spec.inherit else ():
            if type(o) is ClientObject:
                dests.extend(o.dests)
        constants = dict(spec.constants) if spec.constants else None
        for param, role in spec.destination:
            if param not in bound:
                continue
            given = bound[param]
            if not given.strs and given.keys:  # Elasticsearch(hosts=[url]): each element
                given = self.item(given, UNKNOWN_KEY)
            named = [constants[o.qualname] for o in ordered(given.objs)
                     if type(o) is LibraryObject and o.qualname in constants] if constants else None
            if named:  # CustomerIO(region=Regions.EU): the host the SDK's constant stands for
                dests.append((role, tuple((Lit(host, None),) for host in named)))
            elif role == "client":  # EmailMessage(connection=conn): the connection's destination
                dests.extend(d for o in given.objs if type(o) is ClientObject for d in o.dests)
            elif given.strs:
                dests.append((role, tuple(ordered(given.strs))))
            elif role == "path" or param in computed:
                # open(base / name): a file is local whatever its computed name; Gitlab(self.server.url):
                # a destination computed at run time, not the SDK's default for a client given none
                dests.append((role, (UNKNOWN_COMPUTED,)))
        if not dests and not spec.is_global:  # `Session.configure(bind=engine)` elsewhere: its bind
            dests = [d for o in ordered((self.analysis.stores.get("clients", spec.type) or NOTHING).objs)
                     if type(o) is ClientObject for d in o.dests]
        obj = ClientObject(spec.type, tuple(dests), spec.provider)
        if spec.is_global:
            self.store(ClientStore(spec.type, objects(obj)))
        carried = self.data_of(bound, spec.carries, dict(spec.destination))
        for k, t in receiver.taint.items() if spec.inherit and receiver is not None else ():  # a request prepared
            carried.setdefault(k, t)
        return AbstractValue(carried, frozenset({obj}))

    def super_targets(self, cls: str, name: str) -> list:
        """What `super().name(...)` in class `cls` runs: the nearest project base's method; in a
        project manager, a query of the models it manages (`super().create(...)` makes a row); else
        the library base's method (inherited)."""
        for base in self.program.bases(cls):
            method = self.program.lookup_method(base, name) if base in self.program.classes else None
            if method:
                return [(FunctionObject(method), SelfObject(cls))]
        if managed := self.program.managed.get(cls):
            return [(ManagerObject(m), None) for m in managed]
        return self.inherited(cls, name, SelfObject(cls))

    def inherited(self, cls: str, method: str, self_obj) -> list:
        """A method a project class inherits from a library class (class Backend(EmailBackend)): the
        library's method, on the instance as that library's client (and `self_obj`, for sink hooks);
        else that library method by the nearest library base's name (`class Directory(LDAP)`:
        `flask_simpleldap.LDAP.bind_user`, a call coverage lists when no rule models it). A class
        with no library base and no `__getattr__` has no such method: the call fails, it runs nothing
        (a provider lacking `get_payment_response` among those a field may hold). A task class's
        queueing call (flow.toml task_classes, task_queues) runs its `run` with the arguments queued."""
        bases = tuple(b for b in self.program.library_bases(cls) if b not in ("object", "builtins.object"))
        if not bases and not self.program.lookup_method(cls, "__getattr__"):
            return []
        queue = self.analysis.flowrules.queue_style(method)
        if queue in QUEUE_STYLES and set(bases) & set(self.analysis.flowrules.task_classes) and (run := self.program.lookup_method(cls, "run")):
            return [(QueuedCall(BoundMethod(run, self_obj), queue), None)]  # class ProcessMedia(celery.Task): its run() is the task
        for base in bases:
            specs = self.analysis.catalog.clients_made_by(base)
            type_ = specs[0].type if specs else base
            if specs or self.analysis.catalog.sink(f"{type_}.{method}") is not None:
                return [(ClientMethod(type_, method, self.client_of(cls, base)), self_obj)]
            if self.analysis.sources.call(f"{base}.{method}"):
                return [(LibraryObject(f"{base}.{method}"), None)]  # a source call under its library name
        return [(LibraryObject(f"{bases[0] if bases else cls}.{method}"), None)]

    def client_of(self, cls: str, base: str) -> ClientObject:
        """An instance of a project class deriving from library class `base` as that library's
        client, its destination the constructor's destination arguments as the instance keeps them."""
        specs = self.analysis.catalog.clients_made_by(base)
        type_ = specs[0].type if specs else base
        dests = tuple((role, tuple(ordered(strs))) for spec in specs[:1] for param, role in spec.destination
                      if (strs := self.analysis.stores.field(cls, param).strs))
        return ClientObject(type_, dests, specs[0].provider if specs else None)

    def client_base(self, cls: str) -> str | None:
        """The nearest library base of a project class that the catalog has a client of, if any."""
        return next((b for b in self.program.library_bases(cls) if self.analysis.catalog.clients_made_by(b)), None)

    def client_path(self, cls: str, name: str) -> AbstractValue:
        """`db.session` on an instance of a project subclass of a library client (class
        IndicoSQLAlchemy(SQLAlchemy)), or `self.connection` inside one (`class Bot(SingleServerIRCBot)`),
        that no class of the project sets nor defines: a path into the client. On an instance of a
        library class or of a project subclass of one, the library name the attribute is documented
        as (flow.toml module_aliases: `app.logger` of a Flask application is a logging.Logger)."""
        for library_class in self.program.library_bases(cls) if cls in self.program.classes else (cls,):
            if (alias := self.analysis.flowrules.aliased(f"{library_class}.{name}")) != f"{library_class}.{name}":
                return objects(LibraryObject(alias))
        base = self.client_base(cls) if cls in self.program.classes else None
        if base is None or self.program.lookup_method(cls, name):
            return NOTHING
        return objects(ClientPath(self.client_of(cls, base), name))

    def named_endpoints(self, clients: AbstractValue) -> AbstractValue:
        """The clients, a destination that is an endpoint name their SDK maps to a host (client
        `constants`: `ovh.Client(endpoint="ovh-eu")`, the name given here or by a caller) replaced by
        that host."""
        names = self.analysis.catalog.endpoint_names
        if not any(type(o) is ClientObject and o.type in names for o in clients.objs):
            return clients
        objs = set()
        for o in clients.objs:
            table = names.get(o.type) if type(o) is ClientObject else None
            if table:
                o = o._replace(dests=tuple((role, tuple(_named(alt, table) for alt in alts)) for role, alts in o.dests))
            objs.add(o)
        return AbstractValue(clients.taint, frozenset(objs), clients.strs, clients.keys)

    def settings_client(self, spec, given: ClientObject | None = None) -> AbstractValue:
        """The client the project's settings configure (Django's mail backend and host); unknown
        when the project holds no settings module (a reusable app: the deployment decides). A
        connection `given` with a backend role (`get_connection(backend=..., host=...)`) picks the
        backend itself, and its own destination arguments win over the backend's settings."""
        if not self.program.settings_modules(self.module.path):
            why = f"configured by the deployment ({spec.selector} and its settings are not in the scanned code)"
            return objects(ClientObject(spec.type, (("host", ((Unknown(why),),)),), None))
        own = {role: alts for role, alts in given.dests if alts} if given is not None else {}
        chosen = AbstractValue(strs=frozenset(own["backend"])) if "backend" in own else self.name_value(f"{spec.settings}.{spec.selector}")
        texts = [literal(alt) for alt in ordered(chosen.strs)]
        names = [text for text, complete, _ in texts if complete]
        if len(names) < len(texts) or not names:
            names.append(spec.default)  # unset or not literal on some path: the framework's default there
        clients = []
        for name in dict.fromkeys(names):
            backend = spec.backend(name)
            if backend is None:
                dests = (("host", ((Unknown(f"{spec.selector} {name} is a backend the rules do not know"),),)),)
            elif backend.local:
                dests = (("path", ((Lit(f"{spec.selector} {name}", None),),)),)
            elif backend.host:
                dests = (("host", ((Lit(backend.host, None),),)),)
            else:
                dests = tuple((role, own.get(role) or tuple(ordered(self.name_value(f"{spec.settings}.{setting}").strs))
                               or ((Unknown(f"{setting} is not set in the project's settings"),),))
                              for setting, role in backend.destination)
            clients.append(ClientObject(spec.type, dests, None))
        return AbstractValue(objs=frozenset(clients))


def _named(alt: tuple, table: dict) -> tuple:
    """A string alternative that is a name in `table`: the host it stands for; else itself."""
    text, complete, _ = literal(alt)
    return (Lit(table[text], None),) if complete and text in table else alt
