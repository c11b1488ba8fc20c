"""An SDK read by xborder's own engine: its files summarized and propagated as a project would be (the
SDK is never imported or run), then, for each public function and method, the pending sink calls of
its Result (propagate/results.py: a catalog sink whose data waits for a parameter) say which of its
parameters reach which network, mail or storage primitive, and where to: a host constant that
reaches the same call, or the parameter that carries the destination."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..discover import discover
from ..ir import CallResult, ClassObject, ClientObject, FunctionObject, Lit, ParamRef, StaticCallee, Sym, ordered, path_root
from ..link import Program
from ..propagate import Analysis
from ..propagate.results import SinkCall
from ..runner import Runner
from ..summary import FieldWrite
from ..summarize import Context
from ..urls import authority_host, split_url

SKIPPED_KINDS = ("logging",)  # a log line the SDK writes is no transfer of the caller's data
LOCAL_ROLES = ("path",)  # a file written on the machine itself
NO_DATA_KINDS = ("closure",)  # parameters a caller never passes


@dataclass(frozen=True)
class Reach:
    """One primitive sink call that a function's parameters reach."""

    primitive: str  # the catalog sink called (requests.post)
    kind: str
    data: tuple  # the function's parameters whose data it sends
    destination: tuple  # ((parameter, role), ...): the function's parameters that say where
    hosts: tuple  # ((host, (path, loc) of the constant or None), ...)
    site: tuple  # (path, loc) of the primitive call


@dataclass(frozen=True)
class Model:
    """A generated [[sink]]: `callee` of the SDK and what its `reaches` say."""

    callee: str
    params: tuple  # the positional signature after self
    reaches: tuple  # Reach, sorted
    varargs: bool  # data reaches through *args or **kwargs: every argument is data
    near: tuple = ()  # the files of the function, or of its class's MRO in order: a host written nearer wins

    def default(self) -> tuple:
        """(host, (path, loc) of its constant) of the vendor host: of several hosts that reach the calls
        (a field every subclass's constructor writes), the one written in the file nearest the callee."""
        hosts = {h: w for r in self.reaches for h, w in r.hosts}
        if not hosts:
            return None, None
        rank = {path: i for i, path in reversed(list(enumerate(self.near)))}
        host = min(hosts, key=lambda h: (rank.get(hosts[h][0], len(rank)) if hosts[h] else len(rank) + 1, h))
        return host, hosts[host]


@dataclass(frozen=True)
class ClientModel:
    """A generated [[client]]: a public name of an SDK class whose methods are models."""

    constructor: str
    type: str  # the one name its methods' models are written under
    params: tuple
    destination: tuple  # ((parameter, role), ...): constructor parameters whose default is the host used
    definition: tuple  # (path, loc) of the class


@dataclass
class Read:
    """What the engine made of an SDK: its program and analysis."""

    program: Program
    analysis: Analysis


def generated(root: Path, packages: list, knowledge, jobs: int | None = None) -> tuple:
    """The models of the import packages (or modules) `packages` found in folder `root`, summarized
    and propagated: (sinks, clients, position), `position` giving (line, column) of their located nodes."""
    from ..pipeline import Positions  # the pipeline calls this module for --python-path

    targets = [t for p in packages for t in (root / p, root / f"{p}.py") if t.exists()]
    files = discover(root, targets) if targets else []
    config = knowledge.config
    runner = Runner(Context(knowledge.vocabulary, knowledge.catalog.flowrules, knowledge.sources, knowledge.catalog.senders()), root.resolve(), None, jobs, None,
                    config.file_timeout, config.worker_memory)
    with runner:
        summaries = knowledge.sources.idle(runner.summaries(files, config.max_file_bytes))
        program = Program(summaries, knowledge.catalog.flowrules.managers, knowledge.catalog.flowrules.reverse_relations)
        analysis = Analysis(program, knowledge.catalog, knowledge.sources, None, library=True)
        analysis.run()
        sinks, clients = models_of(Read(program, analysis))
        touched = {r.site[0] for m in sinks for r in m.reaches} | {w[0] for m in sinks for r in m.reaches for _, w in r.hosts if w}
        touched |= {c.definition[0] for c in clients}
        ok = {s.path for s in summaries if s.error is None}
        position = Positions(runner.summaries([f for f in files if f.rel in touched and f.rel in ok], config.max_file_bytes,
                                              positions=True))
    return sinks, clients, position


def reaches(read: Read, qualname: str) -> tuple:
    """The primitive sink calls function `qualname` hands its parameters' data to."""
    f, _ = read.program.functions[qualname]
    # the SDK's own credentials (`api_key`, `token`: flow.toml authenticating) sign the call, they are no data
    own = {p.name for p in f.params if p.kind not in NO_DATA_KINDS and not read.analysis.flowrules.authenticates(p.name)} - {f.self_param}
    found = []
    for call in read.analysis.results.get(qualname).calls if qualname in read.analysis.results else ():
        if type(call) is not SinkCall or call.sink.kind in SKIPPED_KINDS or any(r in LOCAL_ROLES for _, r in call.sink.destination):
            continue
        where, hosts = {}, {}
        for role, g in call.dests:
            _destination(role, g.strs, own, where, hosts)
        for o in ordered([o for o in call.clients.objs if type(o) is ClientObject]):
            for role, alternatives in o.dests:
                _destination(role, alternatives, own, where, hosts)
        taint = [k for k in call.data.taint] + [k for role, g in call.dests if role == "url" for k in g.taint]
        data = {name for k in taint if type(k) is Sym and (name := _param(k.path)) in own} - set(where)
        if data:
            found.append(Reach(call.sink.callee, call.sink.kind, tuple(sorted(data)), tuple(sorted(where.items())),
                               tuple(sorted(hosts.items(), key=lambda h: (h[0], h[1] or ()))), (call.site.path, call.site.loc)))
    merged: dict = {}  # one Reach per call: pending calls of the same site kept apart by what they carry
    for r in found:
        if (key := (r.site, r.primitive)) in merged:
            m = merged[key]
            r = replace(r, data=tuple(sorted(set(m.data) | set(r.data))), destination=tuple(sorted(set(m.destination) | set(r.destination))),
                        hosts=tuple(sorted(set(m.hosts) | set(r.hosts), key=lambda h: (h[0], h[1] or ()))))
        merged[key] = r
    return tuple(merged[key] for key in sorted(merged))


def _param(path: tuple) -> str | None:
    root = path_root(path)
    return root.name if type(root) is ParamRef else None


def _destination(role: str, alternatives, own: set, where: dict, hosts: dict) -> None:
    """Where a destination's string alternatives say the data goes: a parameter of the function the
    text starts with, or the host of a constant the text starts with."""
    for parts in ordered(alternatives):
        first = parts[0] if parts else None
        if type(first) is Sym and (name := _param(first.path)) in own:
            where.setdefault(name, role)
        elif type(first) is Lit and (host := _host(role, first.text)):
            hosts.setdefault(host, first.where)


def _host(role: str, text: str) -> str | None:
    if role in ("url", "dsn"):
        scheme, authority, ended = split_url(text)
        if not scheme or not (ended or authority == text.strip().partition("://")[2]):
            return None
        text = authority
    elif role != "host":
        return None
    host = authority_host(text)
    return host if host and "." in host and all(c.isalnum() or c in ".-" for c in host) else None


def public_names(program: Program) -> dict:
    """Each project function or class -> the public names it is reached by: where it is defined and
    where a package re-exports it (`from .client import Client` in __init__), no part private."""
    names: dict = {}
    for qualname in sorted(program.functions) + sorted(program.classes):
        names.setdefault(program.resolve(qualname), set()).add(qualname)
    for module in sorted(m for m, summary in program.modules.items() if summary.path.endswith("__init__.py")):
        for name in sorted(set(program.globals.get(module, {})) | set(program.imports.get(module, {}))):
            target = program.resolve(f"{module}.{name}")
            if type(target) in (FunctionObject, ClassObject):
                names.setdefault(target, set()).add(f"{module}.{name}")
    return {target: sorted(n for n in found if _public(n)) for target, found in names.items()
            if any(_public(n) for n in found)}


def _public(name: str) -> bool:
    return not any(part.startswith("_") or part.startswith("<") for part in name.split("."))


def models_of(read: Read) -> tuple[list, list]:
    """The generated sinks and clients of an SDK: every public function or method (by each of its
    public names) whose parameters reach a primitive, those methods again under a public attribute
    another class's constructor sets to an object of their class, and the public names of the
    classes models are written under."""
    program = read.program
    models, clients, classes = [], [], {}
    for target, names in sorted(public_names(program).items(), key=lambda item: item[1][0]):
        if type(target) is FunctionObject and program.functions[target.qualname][0].cls is None:
            found = reaches(read, target.qualname)
            near = (program.functions[target.qualname][1].path,)
            models += [replace(_model(program, name, target.qualname, found), near=near) for name in names if found]
        elif type(target) is ClassObject:
            canonical = min(names, key=lambda n: (len(n), n))
            classes[target.cls] = (canonical, names, _class_models(read, target.cls, canonical))
    for cls, (canonical, names, methods) in classes.items():
        methods = methods + _resource_models(read, cls, canonical, classes)
        models += methods
        if methods:
            clients += _clients(read, cls, canonical, names, methods)
    return models, clients


def _resource_models(read: Read, cls: str, canonical: str, classes: dict) -> list:
    """The models of a resource object a client holds (`self.sms = SMSResource(http)` in a method
    of its: `Client(key).sms.send(...)`), written under the client's name and the attribute."""
    program, out = read.program, []
    for attr, made in sorted(_constructed_attributes(program, cls).items()):
        resource_methods = classes[made][2] if made in classes else []  # (a private class has no public models)
        out += [replace(m, callee=f"{canonical}.{attr}.{m.callee.rpartition('.')[2]}") for m in resource_methods]
    return out


def _constructed_attributes(program: Program, cls: str) -> dict:
    """The public attributes the methods of a class (or of its bases) set to an object of another
    project class made right there (`self.sms = SMSResource(http)`), and that class; an attribute
    also set to anything else (a list its objects are added to) is none."""
    made: dict = {}
    for c in program.mro(cls) or [cls]:
        for method in program.methods.get(c, {}).values():
            f, module = program.functions[method]
            for w in f.writes:
                if type(w) is FieldWrite and w.cls == c and _public(w.attr):
                    atom = next(iter(w.value.atoms)) if len(w.value.atoms) == 1 else None
                    callee = module.calls[atom.call].callee if type(atom) is CallResult else None
                    target = program.resolve(callee.qualname) if type(callee) is StaticCallee else None
                    made.setdefault(w.attr, set()).add(target.cls if type(target) is ClassObject and target.cls != cls else None)
    return {attr: next(iter(targets)) for attr, targets in made.items() if len(targets) == 1 and None not in targets}


def _class_models(read: Read, cls: str, canonical: str) -> list:
    """The models of the public methods of a class, its inherited ones included, under `canonical`."""
    program = read.program
    method_names = sorted({m for c in program.mro(cls) or [cls] for m in program.methods.get(c, {}) if _public(m)})
    out = []
    for name in method_names:
        method = program.lookup_method(cls, name)
        found = reaches(read, method) if method else ()
        if found and not program.functions[method][0].is_property:
            near = tuple(program.classes[c][1].path for c in program.mro(cls) or [cls] if c in program.classes)
            out.append(replace(_model(program, f"{canonical}.{name}", method, found), near=near))
    return out


def _model(program: Program, callee: str, qualname: str, found: tuple) -> Model:
    f, _ = program.functions[qualname]
    skip = f.self_param
    params = tuple(p.name for p in f.params if p.kind == "positional" and p.name != skip)
    spread = {p.name for p in f.params if p.kind in ("varargs", "varkw")}
    order = {p.name: i for i, p in enumerate(f.params)}
    found = tuple(replace(r, data=tuple(sorted(r.data, key=order.get))) for r in found)
    return Model(callee, params, found, any(set(r.data) & spread for r in found))


def _clients(read: Read, cls: str, canonical: str, names: list, methods: list) -> list:
    """A [[client]] per public name of the class; a constructor parameter whose default is the host
    constant the methods' calls reach carries the destination."""
    program = read.program
    init = program.lookup_method(cls, "__init__")
    params, destination = (), {}
    if init is not None:
        f, _ = program.functions[init]
        params = tuple(p.name for p in f.params if p.kind == "positional" and p.name != f.self_param)
        used = {where for m in methods for r in m.reaches for _, where in r.hosts if where}
        defaults = read.analysis.results[init].defaults if init in read.analysis.results else {}
        for name in params:
            value = defaults.get(name)
            wheres = {parts[0].where for parts in value.strs if parts and type(parts[0]) is Lit} if value else set()
            if wheres & used:
                destination[name] = "url" if any(_is_url(parts[0].text) for parts in value.strs if parts and type(parts[0]) is Lit) else "host"
    c, _ = program.classes[cls]
    return [ClientModel(name, canonical, params, tuple(sorted(destination.items())), (program.classes[cls][1].path, c.loc))
            for name in names]


def _is_url(text: str) -> bool:
    return "://" in text
