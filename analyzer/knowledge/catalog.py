"""The sink catalog: which library calls send or store data, and where to.

Loaded from `rules/sinks/*.toml` (plus a project's additions) and checked against their schemas
(schemas/sinks.schema.json, schemas/flow.schema.json): a typo in a rule file is a usage error with
the file and key, never a silently missing sink.
"""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path

from ..dotted import is_class_name, within
from ..errors import ConfigError
from .schema import check, rules_schema

@dataclass(frozen=True)
class Client:
    constructor: str
    type: str
    params: tuple
    destination: tuple  # tuple[(param, role)]
    when: tuple  # tuple[(param, literal)]
    provider: str | None
    inherit: bool
    is_global: bool
    source: str
    carries: tuple = ()  # arguments whose data the object keeps and sends later; ("*",) = all but the destination
    constants: tuple = ()  # ((library constant or endpoint name, host), ...): the host a destination argument's enum member or name stands for
    origin: str = field(default="", compare=False, repr=False)  # the rules file or config that says it


@dataclass(frozen=True)
class Backend:
    """One backend a settings client may be configured with."""

    match: str  # glob of backend names
    destination: tuple  # ((setting, role), ...)
    host: str | None  # a vendor host
    local: bool  # nothing leaves the machine


@dataclass(frozen=True)
class SettingsClient:
    """A client a framework configures from the project's settings (Django mail)."""

    type: str
    settings: str  # qualified name of the settings object
    selector: str  # the setting that picks the backend
    default: str  # the backend when the setting is not set
    backends: tuple  # tuple[Backend, ...]
    source: str

    def backend(self, name: str) -> Backend | None:
        return next((b for b in self.backends if fnmatch.fnmatchcase(name, b.match)), None)


@dataclass(frozen=True)
class Sink:
    callee: str
    kind: str
    params: tuple
    data: tuple  # parameter names, or ("*",)
    destination: tuple  # tuple[(param, role)]
    client: tuple  # the (global or settings-configured) client types the destination comes from, any of them
    default: str | None
    provider: str | None
    source: str
    examples: tuple  # ((report snippet, ignore snippet))
    hooks: tuple = ()  # ("reporter_class().get_traceback_text", ...): project methods whose return it sends
    setter: bool = False  # an attribute set by assignment (`scope.user = {...}`), not a method called
    sends: tuple = ()  # categories a library class sends by itself once the project uses it (PasswordResetView)
    own: bool = False  # the application's own store (database, cache, search index): an address its configuration gives is where it runs
    origin: str = field(default="", compare=False, repr=False)  # the rules file or config that says it


def parse_client(entry: dict, origin: str) -> Client:
    """A [[client]] table its schema (xborder.schema.json#/$defs/client) has checked."""
    constructor = entry["constructor"]
    return Client(
        constructor=constructor,
        type=entry.get("type", constructor),
        params=tuple(entry.get("params", ())),
        destination=tuple(entry.get("destination", {}).items()),
        when=tuple(sorted((k, str(v)) for k, v in entry.get("when", {}).items())),
        provider=entry.get("provider") or None,
        inherit=entry.get("inherit", False),
        is_global=entry.get("global", False),
        source=entry.get("source", ""),
        carries=tuple(entry.get("carries", ())),
        constants=tuple(sorted(entry.get("constants", {}).items())),
        origin=origin,
    )


def parse_settings_client(entry: dict) -> SettingsClient:
    backends = tuple(Backend(b["match"], tuple(b.get("destination", {}).items()), b.get("host"), b.get("local", False))
                     for b in entry["backend"])
    return SettingsClient(entry["type"], entry["settings"], entry["selector"], entry["default"], backends, entry["source"])


def parse_sink(entry: dict, origin: str) -> Sink:
    """A [[sink]] table its schema (xborder.schema.json#/$defs/sink) has checked."""
    examples = entry.get("examples", {})
    return Sink(
        callee=entry["callee"],
        kind=entry["kind"],
        params=tuple(entry.get("params", ())),
        data=tuple(entry.get("data", ())) or ("*",),
        destination=tuple(entry.get("destination", {}).items()),
        client=(entry["client"],) if isinstance(entry.get("client"), str) else tuple(entry.get("client", ())),
        default=entry.get("default") or None,
        provider=entry.get("provider") or None,
        source=entry.get("source", ""),
        examples=(examples.get("report", ""), examples.get("ignore", "")),
        hooks=tuple(entry.get("hooks", ())),
        setter=entry.get("setter", False),
        sends=tuple(entry.get("sends", ())),
        own=entry.get("own", False),
        origin=origin,
    )


@dataclass(frozen=True)
class TemplateCall:
    """A call that renders (or loads) a template: which parameter names it, which holds the context,
    and the text around the name in its file name (rules/flow.toml `templates`); a context wrapper
    (`Context(d)`) names no template."""

    params: tuple
    name: str | None
    context: str | None = None
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class Templates:
    """Template rendering calls by qualified name, and the methods of loaded templates."""

    render: dict = field(default_factory=dict)  # qualname -> TemplateCall
    loaders: dict = field(default_factory=dict)  # qualname -> TemplateCall
    render_methods: tuple = ()
    loader_methods: tuple = ()
    tag_libraries: tuple = ()  # classes whose instances register template tags (django.template.Library)
    tag_registrars: tuple = ()  # their decorators that register one (simple_tag, filter)
    text_filters: frozenset = frozenset()  # built-in filters that write out the text of their value (|title)
    folders: tuple = ("templates",)  # names of the folders holding templates
    text_loaders: tuple = ()  # classes making a template from its text (django.template.Template)
    text_loader_methods: tuple = ()  # methods doing so on a receiver of unknown type (Environment.from_string)
    context_wrappers: dict = field(default_factory=dict)  # qualname -> TemplateCall whose context is the mapping it wraps (Context(d))


@dataclass(frozen=True)
class LibraryStr:
    """What a library base class's __str__ writes of a project class deriving from it (flow.toml library_str)."""

    bases: tuple
    method: str  # the project method it returns the result of, when the class defines one ("": none)
    field_constant: str  # else the field this class constant names ("": none)
    field_default: str  # or this one, when the class sets no such constant
    defines: tuple = ()  # the text methods the base defines, when not every one of library_text_methods


@dataclass(frozen=True)
class Signals:
    """How signal objects are made, connected to and sent (rules/flow.toml `signals`)."""

    constructors: tuple = ()  # qualified calls that make a project's own signal
    namespaces: tuple = ()  # qualified calls that make a namespace of signals (its methods: constructors)
    connect: tuple = ()  # signal methods that register a receiver
    decorators: tuple = ()  # qualified decorators that register what they decorate
    send: tuple = ()  # signal methods that call every receiver
    framework: dict = field(default_factory=dict)  # library signal -> ((receiver parameter, what it passes), ...)

    def registers(self, name: str | None, method: str | None) -> bool:
        """Does a decorator called `name` (qualified) or ending in `.method` register what it decorates?"""
        return name in self.decorators or method in self.connect


@dataclass(frozen=True)
class ReverseRelation:
    """Relation field constructors whose target model gets an attribute querying the declaring
    model: named by the field's `keyword` argument, else `default` ({model}: the declaring model's
    name, lowercase)."""

    constructors: tuple  # fnmatch patterns of qualified names
    keyword: str
    default: str
    many: bool = False  # the field itself relates many rows (ManyToManyField): reading it gives a query


@dataclass(frozen=True)
class Flowrules:
    """How library calls move taint: sanitizers cut it, mutators pour arguments into the receiver."""

    sanitizers: tuple  # fnmatch patterns of qualified names
    mutators: tuple  # method names that store their arguments into the receiver (append, update)
    element_mutators: tuple  # of those, the ones adding one element of a collection (append, add)
    merging_mutators: tuple  # of those, the ones merging a mapping's keys into the receiver's (update)
    keyed_mutators: tuple  # of those, the ones putting a value under the constant key given with it (setdefault)
    wrappers: tuple  # qualified names whose result calls their first argument (functools.partial)
    key_readers: tuple  # methods whose first argument is a key read from the receiver (d.get("phone"))
    value_views: tuple  # methods giving the values a mapping holds (dict.values())
    key_views: tuple  # methods giving a mapping's keys (dict.keys())
    pair_views: tuple  # methods giving a mapping's (key, value) pairs (dict.items())
    copiers: tuple  # methods returning a copy of their receiver (dict.copy): a parameter's copy is its value
    returns_receiver: tuple  # a library object's methods that return the object itself (__enter__)
    stream_dumpers: tuple  # functions writing their first argument into the stream given second (json.dump)
    translators: frozenset  # functions translating a literal text (gettext, _): the program's text
    managers: tuple  # class attributes that query instances of the class (Customer.objects)
    environment_readers: tuple  # calls whose string value is their default argument (os.getenv)
    request_variables: tuple  # names a request's CGI variables are read from (request.META, environ)
    request_mappings: tuple  # a request's dicts handed out by a module-level proxy (flask.request.form)
    model_queries: tuple  # library calls given a model class that return its query (session.query(Repo))
    joiners: dict  # qualified name -> separator: calls that join their first two string arguments
    settings_modules: tuple  # qualified names that stand for the project's settings module
    task_queues: dict = None  # style ("call", "options", "first") -> method or function names
    task_arguments: tuple = ("args", "kwargs")  # the keywords a call running a function later takes its arguments by
    url_types: tuple = ()  # calls making a URL object whose text is their first argument's (yarl.URL)
    statement_types: tuple = ()  # calls making a statement object whose text is their first argument's (sqlalchemy.text)
    field_lists: tuple = ()  # a model's list of its fields (`_meta.fields`): getattr(obj, f.name) over it reads every field
    field_name_attributes: tuple = ()  # what names such a field (`f.name`, `f.attname`)
    element_copies: tuple = ()  # builtins giving their first argument's elements again (sorted, list)
    element_takers: tuple = ()  # builtins giving one of them (next)
    url_parsers: tuple = ()  # calls splitting a URL into parts (urlparse): their attributes name no person
    url_builders: tuple = ()  # calls building a URL from a tuple of its parts (urlunsplit)
    url_decoders: tuple = ()  # calls decoding a part of a URL (unquote): what they return is still that part
    path_builders: tuple = ()  # calls making a file system path (os.path.join): a local given one names a file
    codecs: tuple = ()  # calls encoding a mapping as text or decoding it back, keeping its keys (json.dumps)
    no_data: tuple = ()  # methods whose result identifies nobody (.count(), .exists())
    selectors: tuple = ()  # query methods whose arguments only select rows (.filter(), .exclude())
    read_statements: tuple = ()  # first words of SQL statements that only read (SELECT)
    storing_statements: tuple = ()  # words that make a statement store whatever its first word (a CTE's INSERT)
    read_builders: tuple = ()  # calls that build a statement that only reads (select()), and methods chained on it
    record_categories: frozenset = frozenset()  # categories of a record as a whole: every field read of it keeps them
    relation_keys: tuple = ()  # attributes of a related object that are the key its relation holds (pk)
    number_types: frozenset = frozenset()  # types and field constructors declaring a number: no record's categories
    relation_fields: tuple = ()  # patterns of field constructors relating other rows: the field's name is no category
    populators: tuple = ()  # library methods writing their receiver's data into their first argument's attributes
    enum_bases: frozenset = frozenset()  # enumeration bases: a member read off a subclass is nobody's data
    enum_value_attributes: frozenset = frozenset()  # a member's attributes giving its value (`.value`)
    enum_name_attributes: frozenset = frozenset()  # a member's attributes giving its name (`.name`)
    authenticating: frozenset = frozenset()  # keywords of a library call that only authenticate it: nothing of theirs comes out
    selecting: frozenset = frozenset()  # keywords naming whom a library function looks its answer up for: nothing of theirs comes out
    formatting: frozenset = frozenset()  # keywords choosing how a library function writes its answer (locale=): nothing of theirs comes out
    own_words: frozenset = frozenset()  # categories of a person's own words: never text the program writes from a literal
    parsers: frozenset = frozenset()  # library functions whose result's attributes are parts of the text they parse
    signals: Signals = Signals()  # what makes, connects and sends signal objects
    properties: tuple = ()  # decorators that make a method read as an attribute (@property)
    identity: dict = field(default_factory=dict)  # current-user objects of web frameworks, the bases of a user model
    records: dict = None  # a weak key beside a person's contact key in a dict literal: contacts, weak, owner
    logins: dict = None  # an identity key beside a credential key in a dict literal: identities, credentials
    whole_object: tuple = ()  # methods that hand out all of an object's fields (to_dict, model_dump)
    field_dicts: tuple = ()  # of those, the ones making a dict keyed by the object's fields (model_to_dict)
    settings_selectors: tuple = ()  # environment variables whose literal value names the settings module
    json_params: tuple = ()  # sink parameters encoded as JSON: an object in them sends none of its fields
    text_params: tuple = ()  # sink parameters sent as text (query, form, headers): an object in them is str(obj)
    text_kinds: tuple = ()  # sink kinds writing every data argument as text (logging: msg % args)
    row_params: tuple = ()  # sink parameters an ORM writes as a row: a related object in it is stored as its key
    text_methods: dict = None  # str, repr, format -> the methods Python runs for each (__str__, __repr__)
    library_text_methods: tuple = ()  # of those, the ones a library base class is taken to define
    library_str: tuple = ()  # LibraryStr: what a library base's __str__ writes of a project class (AbstractBaseUser)
    single_instance: tuple = ()  # query methods that return one instance, not a query (get, first)
    field_selectors: tuple = ()  # query methods giving the fields their arguments name (values_list)
    builtin_methods: tuple = ()  # methods of dict, list, set, str: no hint of a project class
    task_classes: tuple = ()  # library task classes whose project subclasses' `run` a queueing call runs
    container_bases: tuple = ()  # builtin containers a project class holding what it is made of derives from
    class_loaders: tuple = ()  # calls that load a class by its dotted name (import_string)
    module_loaders: tuple = ()  # calls that load a module by its dotted name (importlib.import_module)
    injectors: tuple = ()  # calls telling a framework what to pass a parameter (fastapi.Depends(f): f's result)
    url_includes: tuple = ()  # calls routing the URL module their first argument names (include("django.contrib.auth.urls"))
    app_objects: dict = field(default_factory=dict)  # framework application classes, and the names standing for their instance
    reverse_relations: tuple = ()  # ReverseRelation: relation fields that give their target an accessor
    module_aliases: dict = field(default_factory=dict)  # a compatibility layer's module -> the module it stands for (six.moves.urllib)
    base_factories: dict = field(default_factory=dict)  # a call making a base class -> the keyword naming the project class it extends
    invokers: dict = field(default_factory=dict)  # qualified or method name -> position of a callable it calls at once (asyncio.to_thread)
    returns_argument: dict = field(default_factory=dict)  # qualified name -> {parameter, place} of the argument it returns (contextlib.closing)
    serializers: dict = None  # serializer bases, the argument they wrap, the attributes holding its listed fields
    model_builders: dict = field(default_factory=dict)  # library model bases and their class methods building an instance from an object
    stream_writers: dict = field(default_factory=dict)  # library class -> its methods writing what they are given into the stream it was made with
    validated_data: tuple = ()  # per family of form and serializer bases, the attributes and parameters holding their validated fields
    templates: Templates = Templates()  # calls that render a template, and that load one

    def reverse_relation(self, constructor: str) -> "ReverseRelation | None":
        """The rule of a relation field constructor (ForeignKey), if it gives its target an accessor."""
        return next((r for r in self.reverse_relations if matches_any(r.constructors, constructor)), None)

    @functools.cached_property
    def alias_heads(self) -> frozenset:
        """The first names of module_aliases' keys: a name with another first name is no alias (a
        check on every qualified name the summarizer makes)."""
        return frozenset(name.partition(".")[0] for name in self.module_aliases)

    def aliased(self, name: str) -> str:
        """The module a compatibility layer's name stands for (flow.toml module_aliases:
        `six.moves.urllib.request.urlopen` is `urllib.request.urlopen`)."""
        if name.partition(".")[0] not in self.alias_heads:
            return name
        prefix = next((p for p in self.module_aliases if within(name, p)), None)
        return name if prefix is None else self.module_aliases[prefix] + name[len(prefix):]

    @functools.cached_property
    def storing_words(self) -> re.Pattern:
        """A storing_statements word standing in a SQL text, but a lock's `FOR UPDATE` (asked of every statement a sink runs)."""
        return re.compile(rf"(?<!FOR )\b(?:{'|'.join(map(re.escape, self.storing_statements))})\b", re.I)

    @functools.cached_property
    def queue_styles(self) -> dict:
        """task_queues by name (asked of every call a method name or a function name makes)."""
        return {name: style for style, names in reversed(list((self.task_queues or {}).items())) for name in names}

    @property
    def args_keyword(self) -> str:
        """The keyword a call running a function later takes its positional arguments by (`args=`)."""
        return self.task_arguments[0]

    def queue_style(self, name: str) -> str | None:
        """How a queueing call named `name` (a method name or a qualified function) passes arguments."""
        return self.queue_styles.get(name) or self.queue_styles.get(name.rpartition(".")[2])

    def authenticates(self, keyword: str | None) -> bool:
        """Does this keyword give a library call the secret that authenticates it: one of
        `authenticating`, or a name whose last word is one (`http_credentials=`, `proxy_auth=`)?"""
        return keyword is not None and (keyword in self.authenticating or keyword.rpartition("_")[2] in self.authenticating)

    def selects(self, keyword: str | None, called: str | None) -> bool:
        """Does this keyword name whom the function or method `called` looks its answer up for
        (`selecting`: `get_grade(user=user)`)? Not for a class (`Event(user_id=uid)`, a CapWords
        name), which is made of what it is given."""
        return keyword in self.selecting and called is not None and not is_class_name(called)

    def formats(self, keyword: str | None, called: str | None) -> bool:
        """Does this keyword choose how the function or method `called` writes its answer
        (`formatting`: `format_datetime(when, locale=user.language)` is a date, written in that
        language)? Not for a class, which is made of what it is given."""
        return keyword in self.formatting and called is not None and not is_class_name(called)

    def is_sanitizer(self, qualname: str) -> bool:
        return matches_any(self.sanitizers, qualname)

    def makes_sanitizer(self, qualname: str) -> bool:
        """Is this a class whose instances' methods are sanitizers (`CryptContext(...)` of
        `passlib.context.CryptContext.hash`): its instances are kept, so that the method is found?"""
        return owner_of_any(self.sanitizers, qualname)

    def encoding(self, param: str, kind: str = "") -> str | None:
        """How a sink parameter is sent (json_params, text_params, row_params; every one of a sink
        of a text_kinds kind as text), if it is encoded."""
        return "json" if param in self.json_params else "text" if param in self.text_params or kind in self.text_kinds else \
            "row" if param in self.row_params else None


@functools.lru_cache(maxsize=1 << 16)
def matches_any(patterns: tuple, name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


@functools.lru_cache(maxsize=1 << 16)
def owner_of_any(patterns: tuple, name: str) -> bool:
    """Does a pattern name an attribute of `name` (a method of the class `name`)?"""
    return any(p.startswith(name + ".") for p in patterns)


class Catalog:
    """All sinks and clients, indexed by qualified name."""

    def __init__(self, clients: list, sinks: list, flowrules: Flowrules, settings_clients: tuple = (), libraries: dict = None):
        self.clients = clients
        self.client_types = frozenset(c.type for c in clients)  # asked of every annotated value
        self.sinks = sinks
        self.flowrules = flowrules
        self.settings_clients = {s.type: s for s in settings_clients}
        self.libraries = libraries or {}  # package -> kind: libraries that move data out of the process
        named = [s.callee for s in sinks] + [c.constructor for c in clients] + [c.type for c in clients]
        self.modeled = {p for p in self.libraries if any(within(n, p) for n in named)}
        self.sinks_by_callee = {s.callee: s for s in sinks if "*" not in s.callee}
        # Globs (stripe.*.create) cover a family of calls; the most literal glob is tried first.
        self.sink_globs = sorted((s for s in sinks if "*" in s.callee), key=lambda s: (-len(s.callee.replace("*", "")), s.callee))
        self.no_sink: set = set()  # callees no glob matches: the propagation asks again for each call
        # Client type -> {name: host}: the endpoint names its SDK maps to hosts (`ovh.Client(endpoint="ovh-eu")`).
        self.endpoint_names: dict[str, dict] = {}
        self.clients_by_constructor: dict[str, list] = {}
        for c in clients:
            if c.constants:
                self.endpoint_names.setdefault(c.type, {}).update(c.constants)
            if "*" not in c.constructor:
                self.clients_by_constructor.setdefault(c.constructor, []).append(c)
        # Globs (googleapiclient.discovery.Resource.*: each method of a resource gives another) the same way.
        self.client_globs = sorted((c for c in clients if "*" in c.constructor), key=lambda c: (-len(c.constructor.replace("*", "")), c.constructor))

    @classmethod
    def load(cls, directory: Path) -> "Catalog":
        clients, sinks, settings_clients = [], [], []
        for path in sorted((directory / "sinks").glob("*.toml")):
            data = load_rules_toml(directory, f"sinks/{path.name}")
            clients += [parse_client(e, f"rules/sinks/{path.name}") for e in data.get("client", [])]
            sinks += [parse_sink(e, f"rules/sinks/{path.name}") for e in data.get("sink", [])]
            settings_clients += [parse_settings_client(e) for e in data.get("settings_client", [])]
        flowrules = _load_flowrules(directory)
        libraries = {e["package"]: e["kind"] for e in load_rules_toml(directory, "libraries.toml")["library"]}
        catalog = cls(clients, sinks, flowrules, tuple(settings_clients), libraries)
        generated_clients, generated_sinks = [], []
        for path in sorted((directory / "sinks" / "generated").glob("*.toml")):
            data = load_rules_toml(directory, f"sinks/generated/{path.name}")
            generated_clients += [parse_client(e, f"rules/sinks/generated/{path.name}") for e in data.get("client", [])]
            generated_sinks += [parse_sink(e, f"rules/sinks/generated/{path.name}") for e in data.get("sink", [])]
        return catalog.with_generated(generated_clients, generated_sinks)

    def with_generated(self, clients: list, sinks: list) -> "Catalog":
        """Models generated from SDK code (rules/sinks/generated/, `scan --python-path`) added: a model
        the catalog has of the same callee, or a client of the same constructor, wins over them."""
        if not clients and not sinks:
            return self
        callees = {s.callee for s in self.sinks}
        constructors = {c.constructor for c in self.clients}
        return Catalog(self.clients + [c for c in clients if c.constructor not in constructors],
                       self.sinks + [s for s in sinks if s.callee not in callees], self.flowrules,
                       tuple(self.settings_clients.values()), self.libraries)

    def extend(self, clients: list, sinks: list, sanitizers: tuple) -> "Catalog":
        """A project's additions: a sink with the same callee replaces the bundled one."""
        replaced = {s.callee for s in sinks}
        fr = self.flowrules
        return Catalog(
            self.clients + clients,
            [s for s in self.sinks if s.callee not in replaced] + sinks,
            replace(fr, sanitizers=fr.sanitizers + tuple(sanitizers)),
            tuple(self.settings_clients.values()),
            self.libraries,
        )

    def senders(self) -> dict:
        """Library classes that send personal data by themselves once the project uses them (a sink's
        `sends`): class -> the categories, for the summarizer to start a flow where one is used."""
        return {s.callee: s.sends for s in self.sinks_by_callee.values() if s.sends}

    def sink(self, qualname: str):
        """The sink rule of a qualified callee: its own, else the most literal glob that matches,
        made literal for this callee (reports name the call, not the glob)."""
        found = self.sinks_by_callee.get(qualname)
        if found is None and self.sink_globs and qualname not in self.no_sink:
            glob = next((s for s in self.sink_globs if fnmatch.fnmatchcase(qualname, s.callee)), None)
            if glob is not None:
                found = self.sinks_by_callee[qualname] = replace(glob, callee=qualname)
            else:
                self.no_sink.add(qualname)
        return found

    def clients_made_by(self, qualname: str) -> list:
        """The client specs of a constructor: its own, else those of the most literal glob that matches."""
        found = self.clients_by_constructor.get(qualname)
        if found is None:
            glob = next((c.constructor for c in self.client_globs if fnmatch.fnmatchcase(qualname, c.constructor)), None)
            found = self.clients_by_constructor[qualname] = [c for c in self.client_globs if c.constructor == glob]
        return found

    def library_of(self, qualname: str) -> str | None:
        """The package of rules/libraries.toml a qualified name belongs to (the longest that fits)."""
        return self.covering(qualname.rpartition(".")[0])

    def covering(self, package: str) -> str | None:
        """The package of rules/libraries.toml that is `package` or holds it (the longest)."""
        parts = package.split(".")
        return next((p for n in range(len(parts), 0, -1) if (p := ".".join(parts[:n])) in self.libraries), None)

    def named_packages(self) -> set:
        """The top-level packages any rule names: of sinks, clients, libraries, settings clients, and
        every dotted name the flow rules hold (wrappers, sanitizers, template calls...)."""
        named = [s.callee for s in self.sinks] + [c.constructor for c in self.clients] + [c.type for c in self.clients]
        named += list(self.libraries) + list(self.settings_clients) + [t for t in _texts(self.flowrules) if "." in t]
        return {top for n in named if (top := n.partition(".")[0]).isidentifier()}

    def digest(self) -> str:
        """The same in every process (part of the summary cache's key): set members in sorted order,
        since a set's own order follows string hashing, which differs per process."""
        blob = json.dumps([stable_repr(c) for c in self.clients] + [stable_repr(s) for s in self.sinks]
                          + [stable_repr(self.flowrules)] + [stable_repr(s) for s in self.settings_clients.values()]
                          + [repr(sorted(self.libraries.items()))])
        return hashlib.sha256(blob.encode()).hexdigest()


def _texts(value):
    """Every string a rules value holds, at any depth of its dataclasses, dicts (keys too) and sequences."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _texts(k)
            yield from _texts(v)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for v in value:
            yield from _texts(v)
    elif is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            yield from _texts(getattr(value, f.name))


def stable_repr(value) -> str:
    """repr(value) with the members of every set, at any depth, in sorted order."""
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(stable_repr(v) for v in value)) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{stable_repr(k)}: {stable_repr(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return f"{type(value).__name__}(" + ", ".join(stable_repr(v) for v in value) + ")"
    if is_dataclass(value) and not isinstance(value, type):
        return f"{type(value).__name__}(" + ", ".join(f"{f.name}={stable_repr(getattr(value, f.name))}" for f in fields(value)) + ")"
    return repr(value)


def load_rules_toml(directory: Path, name: str) -> dict:
    """The rules file `name` (`sinks/http.toml`) of directory, checked against its schema."""
    origin = f"rules/{name}"
    try:
        data = tomllib.loads((directory / name).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", path=origin, line=getattr(exc, "lineno", None)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=origin) from None
    check(data, rules_schema(name, origin), origin)
    return data


# flow.toml keys that are plain lists of names, loaded as tuples (in file order) or as sets
_NAME_LISTS = (
    "sanitizers", "mutators", "element_mutators", "merging_mutators", "keyed_mutators", "wrappers", "key_readers", "value_views",
    "key_views", "pair_views", "copiers", "returns_receiver", "managers", "environment_readers", "request_variables", "request_mappings", "model_queries",
    "url_types", "statement_types", "field_lists", "field_name_attributes", "element_copies", "element_takers",
    "url_parsers", "url_builders", "url_decoders", "path_builders", "codecs", "settings_modules", "no_data", "selectors",
    "read_builders", "relation_keys", "relation_fields", "populators", "properties", "whole_object", "field_dicts", "settings_selectors",
    "json_params", "text_params", "text_kinds", "row_params", "library_text_methods", "single_instance", "field_selectors",
    "builtin_methods", "container_bases", "task_classes", "class_loaders", "module_loaders", "injectors", "url_includes",
    "stream_dumpers",
)
_NAME_SETS = (
    "translators", "record_categories", "number_types", "enum_bases", "enum_value_attributes", "enum_name_attributes", "authenticating", "selecting", "formatting", "own_words", "parsers",
)


def _load_flowrules(directory: Path) -> Flowrules:
    data = load_rules_toml(directory, "flow.toml")
    return Flowrules(
        task_queues={style: tuple(names) for style, names in data.get("task_queues", {}).items()},
        task_arguments=tuple(data["task_arguments"][k] for k in ("args", "kwargs")) if "task_arguments" in data else Flowrules.task_arguments,
        read_statements=tuple(word.upper() for word in data.get("read_statements", ())),
        storing_statements=tuple(word.upper() for word in data.get("storing_statements", ())),
        signals=_load_signals(data.get("signals", {})),
        identity={key: tuple(names) for key, names in data.get("identity", {}).items()},
        text_methods={name: tuple(methods) for name, methods in data.get("text_methods", {}).items()},
        library_str=_load_library_str(data.get("library_str", ())),
        reverse_relations=tuple(ReverseRelation(tuple(r["constructors"]), r["keyword"], r["default"], r.get("many", False))
                                for r in data.get("reverse_relations", ())),
        serializers={key: tuple(v) if isinstance(v, list) else v for key, v in data.get("serializers", {}).items()},
        templates=_load_templates(data.get("templates", {})),
        validated_data=tuple(data.get("validated_data", ())),
        **{key: tuple(data.get(key, ())) for key in _NAME_LISTS},
        **{key: frozenset(data.get(key, ())) for key in _NAME_SETS},
        **{key: data.get(key, {}) for key in ("joiners", "invokers", "base_factories", "module_aliases", "returns_argument", "records", "logins",
                                              "app_objects", "model_builders", "stream_writers")},
    )


def _load_library_str(entries: list) -> tuple:
    return tuple(LibraryStr(tuple(r["bases"]), r.get("method", ""), r.get("field_constant", ""), r["field_default"], tuple(r.get("defines", ())))
                 for r in entries)


def _load_templates(data: dict) -> Templates:
    def calls(kind: str) -> dict:
        return {callee: TemplateCall(tuple(e["params"]), e.get("name"), e.get("context"), e.get("prefix", ""), e.get("suffix", ""))
                for e in data.get(kind, ()) for callee in e["callee"]}
    return Templates(calls("render"), calls("loaders"), tuple(data.get("render_methods", ())), tuple(data.get("loader_methods", ())),
                     tuple(data.get("tag_libraries", ())), tuple(data.get("tag_registrars", ())),
                     frozenset(data.get("text_filters", ())), tuple(data.get("folders", ("templates",))),
                     tuple(data.get("text_loaders", ())), tuple(data.get("text_loader_methods", ())), calls("context_wrappers"))


def _load_signals(data: dict) -> Signals:
    framework = {name: tuple(sorted(entry["params"].items())) for entry in data.get("framework", ()) for name in entry["signals"]}
    return Signals(tuple(data.get("constructors", ())), tuple(data.get("namespaces", ())), tuple(data.get("connect", ())),
                   tuple(data.get("decorators", ())), tuple(data.get("send", ())), framework)
