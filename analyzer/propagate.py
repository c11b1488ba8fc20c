"""Propagate: interprocedural taint over function summaries, to a fixpoint.

Each project function gets a `Result`: what its return value carries, in terms of its own
parameters (symbolic `("sym", atom)` items) and of concrete sources, plus the sink calls and
object writes that still wait for a caller to say what a parameter is. Functions are analysed
callees first over `networkx.condensation` of the call graph, each strongly connected component
to a fixpoint; stores shared by all functions (object fields, module globals, module-wide clients
such as `sentry_sdk.init`) are iterated in whole-program passes until nothing changes.

Values in this stage are `G`s: taint (key -> shortest trace), abstract objects, string
alternatives and known dict keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import networkx as nx

from .link import Program
from .types import MAX_PARTS, MAX_STRS, Val, wrap

MAX_PASSES = 8
MAX_SCC_ROUNDS = 8
MAX_TRACE = 16
MAX_OBJS = 16


# ----------------------------------------------------------------------------- values


class G:
    """A value in the global stage."""

    __slots__ = ("taint", "objs", "strs", "keys")

    def __init__(self, taint=None, objs=frozenset(), strs=frozenset(), keys=None):
        self.taint: dict = taint or {}
        self.objs: frozenset = objs
        self.strs: frozenset = strs
        self.keys: dict = keys or {}

    def signature(self):
        return (frozenset(self.taint), self.objs, self.strs, tuple(sorted((k, v.signature()) for k, v in self.keys.items())))

    def __bool__(self):
        return bool(self.taint or self.objs or self.strs or self.keys)


NOTHING = G()


def _better(a: tuple, b: tuple) -> tuple:
    """The shorter trace, ties broken by content (hops are (path, loc, note) tuples)."""
    if a is b or len(a) < len(b):
        return a
    if len(b) < len(a):
        return b
    return a if a <= b else b


def merge(*values: G) -> G:
    values = [v for v in values if v]
    if not values:
        return NOTHING
    if len(values) == 1:
        return values[0]
    taint: dict = {}
    for v in values:
        for k, t in v.taint.items():
            taint[k] = _better(taint[k], t) if k in taint else t
    objs = frozenset().union(*(v.objs for v in values))
    if len(objs) > MAX_OBJS:
        objs = frozenset(sorted(objs, key=repr)[:MAX_OBJS])
    strs = frozenset().union(*(v.strs for v in values))
    if len(strs) > MAX_STRS:
        strs = frozenset(sorted(strs, key=repr)[:MAX_STRS])
    keys: dict = {}
    for v in values:
        for k, kv in v.keys.items():
            keys[k] = merge(keys[k], kv) if k in keys else kv
    return G(taint, objs, strs, keys)


def _extend(trace: tuple, hop: tuple) -> tuple:
    trace = trace + (hop,)
    if len(trace) > MAX_TRACE:
        trace = trace[: MAX_TRACE - 1] + trace[-1:]
    return trace


def has_sym(g: G) -> bool:
    if any(k[0] == "sym" for k in g.taint):
        return True
    if any(o[0] == "sym" or (o[0] == "client" and any(_strs_sym(s) for _, s in o[2])) for o in g.objs):
        return True
    return _strs_sym(g.strs) or any(has_sym(v) for v in g.keys.values())


def concrete(g: G) -> G:
    """The part of a value that does not depend on the enclosing function's parameters."""
    if not has_sym(g):
        return g
    return G({k: t for k, t in g.taint.items() if k[0] != "sym"},
             frozenset(o for o in g.objs if o[0] != "sym" and not (o[0] == "client" and any(_strs_sym(s) for _, s in o[2]))),
             frozenset(s for s in g.strs if not any(p[0] == "sym" for p in s)),
             {k: concrete(v) for k, v in g.keys.items()})


def _strs_sym(strs) -> bool:
    return any(p[0] == "sym" for s in strs for p in s)


def payload(g: G, program: Program | None = None, stores=None, depth: int = 0) -> dict:
    """Everything a value carries when it is sent whole: keys and model-object fields folded in."""
    taint = dict(g.taint)
    for v in g.keys.values():
        for k, t in payload(v, program, stores, depth + 1).items():
            taint[k] = _better(taint[k], t) if k in taint else t
    if program is not None and depth < 2:
        for o in sorted(g.objs, key=repr):
            if o[0] in ("inst", "self"):
                for k, t in stores.instance_taint(o[1], depth).items():
                    taint[k] = _better(taint[k], t) if k in taint else t
            elif o[0] == "sym":
                taint.setdefault(o, ())
    return taint


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Site:
    path: str
    loc: int
    text: str
    function: str


@dataclass
class Hit:
    """A sink call (or a call whose target depends on a parameter) still waiting for values."""

    site: Site
    sink: object | None  # catalog Sink, or None for a deferred method call
    data: G
    dests: tuple  # tuple[(role, G)]
    clients: G  # objects the destination may come from (receiver, module-wide client)
    method: str | None = None  # deferred call: the method name
    receiver: G | None = None
    args: tuple = ()

    def signature(self):
        return (self.site, id(self.sink), self.method, self.data.signature(), tuple((r, g.signature()) for r, g in self.dests),
                self.clients.signature(), self.receiver.signature() if self.receiver else None)


@dataclass
class Write:
    kind: str  # "field" | "global" | "client"
    target: object  # G of objects for fields; (module, name) for globals; type name for clients
    attr: str
    value: G

    def signature(self):
        target = self.target.signature() if isinstance(self.target, G) else self.target
        return (self.kind, target, self.attr, self.value.signature())


@dataclass
class Result:
    ret: G = NOTHING
    hits: list = field(default_factory=list)
    writes: list = field(default_factory=list)
    defaults: dict = field(default_factory=dict)  # parameter -> G of its default value

    def signature(self):
        return (self.ret.signature(), tuple(h.signature() for h in self.hits), tuple(w.signature() for w in self.writes),
                tuple(sorted((k, v.signature()) for k, v in self.defaults.items())))


@dataclass(frozen=True)
class RawFlow:
    key: tuple  # ("src", path, index) of the source
    trace: tuple  # hops (path, loc, note), without the sink
    hit: Hit


# ----------------------------------------------------------------------------- stores


class Stores:
    """What all functions share: fields of project classes, module globals, module-wide clients.

    Passes are Jacobi iterations: a pass writes a fresh table and reads what the last pass wrote
    together with what this pass has written so far, so a value computed early from incomplete
    facts (a client built before its region constant was known) does not outlive its pass.
    Reads and writes are recorded per function, so a function none of whose inputs changed is
    not analysed again: its writes are replayed instead.
    """

    TABLES = ("fields", "globals", "clients")

    def __init__(self, program: Program):
        self.program = program
        self.previous = {t: {} for t in self.TABLES}
        self.current = {t: {} for t in self.TABLES}
        self.memo: dict = {}  # (cls, depth) -> (instance taint, reads); cleared every pass
        self.function: str | None = None  # the function being analysed
        self.reads: dict = {}  # function -> {(table, key)}
        self.writes: dict = {}  # function -> [(table, key, value)]
        self.attrs: dict = {}  # class -> attributes ever written, for whole-object payloads
        self.capture: set | None = None  # reads made while computing a memoized value

    def new_pass(self) -> set:
        """Start a pass; returns the (table, key)s whose value differs from the pass before."""
        changed = set()
        for t in self.TABLES:
            old, new = self.previous[t], self.current[t]
            for k in old.keys() | new.keys():
                if k not in old or k not in new or old[k].signature() != new[k].signature():
                    changed.add((t, k))
        self.previous = self.current
        self.current = {t: {} for t in self.TABLES}
        self.memo = {}
        return changed

    def begin(self, function: str) -> None:
        self.function = function
        self.reads[function] = set()
        self.writes[function] = []

    def replay(self, function: str) -> None:
        for table, key, value in self.writes.get(function, ()):
            self._put(table, key, value)

    def put(self, table: str, key, value: G) -> None:
        value = _settled(value)
        if self.function is not None:
            self.writes[self.function].append((table, key, value))
        self._put(table, key, value)

    def _put(self, table: str, key, value: G) -> None:
        old = self.current[table].get(key)
        new = merge(old, value) if old is not None else value
        if old is None or new.signature() != old.signature():
            self.current[table][key] = new
            if table == "fields":
                self.attrs.setdefault(key[0], set()).add(key[1])

    def get(self, table: str, key) -> G | None:
        if self.function is not None:
            self.reads[self.function].add((table, key))
        if self.capture is not None:
            self.capture.add((table, key))
        old, new = self.previous[table].get(key), self.current[table].get(key)
        if old is None or new is None:
            return new if old is None else old
        return merge(old, new)

    def new_pass_needed(self) -> bool:
        return any(
            self.previous[t].keys() != self.current[t].keys()
            or any(self.previous[t][k].signature() != v.signature() for k, v in self.current[t].items())
            for t in self.TABLES
        )

    def field(self, cls: str, attr: str) -> G:
        values = []
        for c in self.program.mro(cls) or [cls]:
            value = self.get("fields", (c, attr))
            if value is not None:
                values.append(value)
        if cls in self.program.classes:
            for name, index, module in self.program.fields(cls):
                if name == attr and index is not None:
                    values.append(_source(module, index))
        return merge(*values)

    def instance_taint(self, cls: str, depth: int) -> dict:
        """What an instance carries when sent whole: all its fields. Memoized for the pass, with
        the reads it made, so that a function using the memo still depends on those fields."""
        hit = self.memo.get((cls, depth))
        if hit is not None:
            if self.function is not None:
                self.reads[self.function] |= hit[1]
            return hit[0]
        outer, self.capture = self.capture, set()
        taint: dict = {}
        self.memo[(cls, depth)] = (taint, set())  # a class whose fields hold its own instances
        if cls in self.program.classes:
            attrs = {a for c in self.program.mro(cls) for a in self.attrs.get(c, ())}
            attrs |= {a for a, _, _ in self.program.fields(cls)}
            for attr in sorted(attrs):
                for k, t in payload(self.field(cls, attr), self.program, self, depth + 1).items():
                    taint[k] = _better(taint[k], t) if k in taint else t
        reads, self.capture = self.capture, outer
        if outer is not None:
            outer |= reads
        self.memo[(cls, depth)] = (taint, reads)
        return taint


UNKNOWN_COMPUTED = (("unknown", "computed at run time"),)


def _settled(g: G) -> G:
    """A stored value keeps constant strings only: computed ones collapse into one 'unknown', so
    string noise in object state does not re-trigger every reader (destinations are constants)."""
    if not g.strs or all(p[0] == "lit" for s in g.strs for p in s):
        return g
    strs = frozenset(s for s in g.strs if all(p[0] == "lit" for p in s)) | {UNKNOWN_COMPUTED}
    return G(g.taint, g.objs, strs, g.keys)


def _source(module, index: int) -> G:
    s = module.sources[index]
    hop = (module.path, s.loc, f"source: {s.expression} ({s.category})")
    # Taint is keyed by category, not by source: a finding is one per (category, sink,
    # destination), so only the best trace per category matters, and values stay small.
    return G({("cat", s.category): (("src", module.path, index), hop)})


# ----------------------------------------------------------------------------- the analysis


class Analysis:
    def __init__(self, program: Program, catalog, sanitizers: tuple = ()):
        self.program = program
        self.catalog = catalog
        self.flowrules = catalog.flowrules
        self.results: dict[str, Result] = {}
        self.stores = Stores(program)
        self.flows_by_function: dict[str, list] = {}
        self.callers: dict[str, set] = {}  # callee -> functions whose analysis used its result
        self.targets: dict = {}  # (path, call index) -> set of target names, for the call graph
        self.unresolved: dict = {}  # (path, call index) -> text of a call nobody could resolve
        self.cuts_by_function: dict[str, list] = {}  # where a sanitizer stopped personal data
        self.partials: dict = {}  # partial site -> (callable G, pre-bound args)
        # A call on a parameter (`p.m(x)`) waits for the caller only when `m` could matter: a
        # method of a project class, or of a client or sink in the catalog. `s.split()` cannot.
        self.deferrable = set(program.method_owners)
        self.deferrable |= {s.callee.rpartition(".")[2] for s in catalog.sinks}
        self.deferrable |= {c.constructor.rpartition(".")[2] for c in catalog.clients}

    # -- driving

    def run(self) -> list[RawFlow]:
        """Passes over the functions, callees first, each strongly connected component to a fixpoint,
        until no result and no shared value changes. A function whose inputs (callee results and
        the shared values it read) did not change since its last analysis is not analysed again."""
        order = self.order()
        stale: set = set(self.program.functions)  # functions whose inputs changed
        for _ in range(MAX_PASSES):
            changed_keys = self.stores.new_pass()
            stale |= {f for f, reads in self.stores.reads.items() if not reads.isdisjoint(changed_keys)}
            changed = False
            for component in order:
                for _round in range(MAX_SCC_ROUNDS):
                    moved = False
                    for qualname in component:
                        if qualname not in stale:
                            self.stores.replay(qualname)
                            continue
                        stale.discard(qualname)
                        result = self.analyze(qualname)
                        old = self.results.get(qualname)
                        self.results[qualname] = result
                        if old is None or old.signature() != result.signature():
                            moved = True
                            stale |= self.callers.get(qualname, set())
                    changed |= moved
                    if not moved or stale.isdisjoint(component):
                        break
            if not changed and not stale and not self.stores.new_pass_needed():
                break
        flows = [flow for qualname in sorted(self.flows_by_function) for flow in self.flows_by_function[qualname]]
        return flows + self.emit_roots()

    def order(self) -> list[list[str]]:
        """Module bodies first (they bind globals), then callees before callers."""
        graph = nx.DiGraph()
        for qualname in sorted(self.program.functions):
            graph.add_node(qualname)
            f, module = self.program.functions[qualname]
            for index in f.calls:
                callee = module.calls[index].callee
                if callee[0] == "name":
                    kind = self.program.resolve(callee[1])
                    if kind[0] == "func":
                        graph.add_edge(qualname, kind[1])
                elif callee[0] == "method":
                    for a in callee[1].atoms:
                        if a[0] == "self":
                            for t in self.program.dispatch(a[1], callee[2], True):
                                graph.add_edge(qualname, t)
        # Nodes go in sorted, so the condensation and its topological order are the same every run.
        condensed = nx.condensation(graph)
        components = [sorted(condensed.nodes[node]["members"]) for node in reversed(list(nx.topological_sort(condensed)))]
        is_body = [any(q.endswith(".<module>") for q in c) for c in components]
        return [c for c, body in zip(components, is_body) if body] + [c for c, body in zip(components, is_body) if not body]

    def analyze(self, qualname: str) -> Result:
        f, module = self.program.functions[qualname]
        frame = Frame(self, f, module)
        for index in f.calls:
            self.targets.pop((module.path, index), None)
            self.unresolved.pop((module.path, index), None)
        self.stores.begin(qualname)
        for index in f.calls:
            frame.call(index)
        ret = frame.gval(f.returns)
        for w in f.writes:
            value = frame.gval(w.value)
            if w.cls is not None:
                frame.write(Write("field", G(objs=frozenset({("inst", w.cls)})), w.attr, value))
            elif ":" in w.attr:
                mod, name = w.attr.split(":", 1)
                frame.write(Write("global", (mod, name), name, value))
            else:
                frame.write(Write("field", frame.gval(w.target), w.attr, value))
        if qualname.endswith(".<module>"):
            for name, val in module.globals:
                self.stores.put("globals", (module.module, name), frame.gval(val))
        defaults = {p.name: frame.gval(p.default) for p in f.params if p.default is not None}
        self.stores.function = None
        self.flows_by_function[qualname] = frame.flows
        self.cuts_by_function[qualname] = frame.cuts
        return Result(ret, list(frame.pending_hits.values()), list(frame.pending_writes.values()), defaults)

    def emit_roots(self) -> list[RawFlow]:
        """Sink calls that still wait for a parameter in functions nobody calls (entry points, views,
        callbacks of frameworks): parameters take their defaults, the rest stays unknown."""
        flows = []
        called = {t for targets in self.targets.values() for t in targets}
        for qualname in sorted(self.results):
            result = self.results[qualname]
            if qualname in called or not result.hits:
                continue
            f, module = self.program.functions[qualname]
            frame = Frame(self, f, module)
            sub = Substitution(frame, dict(result.defaults), {})
            for hit in result.hits:
                if hit.sink is None:
                    continue
                dests = tuple((r, sub.keep_unbound(g)) for r, g in hit.dests)
                clients = sub.keep_unbound(hit.clients)
                for k, t in sorted(hit.data.taint.items()):
                    if k[0] == "cat":
                        flows.append(RawFlow(t[0], t[1:], Hit(hit.site, hit.sink, hit.data, dests, clients)))
        return flows


class Frame:
    """One function being analysed in summary mode: parameters stay symbolic."""

    def __init__(self, analysis: Analysis, f, module):
        self.a = analysis
        self.program = analysis.program
        self.f = f
        self.module = module
        self.memo: dict[int, G] = {}
        # Keyed so that a sink reached along many paths is one pending hit with merged values:
        # without this, pending work doubles with every caller that passes it on.
        self.pending_hits: dict = {}
        self.pending_writes: dict = {}
        self.flows: list[RawFlow] = []
        self.cuts: list = []  # (site, sanitizer, categories)
        self.annotations = {p.name: p.annotation for p in f.params if p.annotation}

    # -- atoms

    def ev(self, atom: tuple) -> G:
        kind = atom[0]
        if kind == "src":
            return _source(self.module, atom[1])
        if kind == "param":
            sym = ("sym", atom)
            objs = {sym}
            annotation = self.annotations.get(atom[1])
            if annotation:
                objs |= self.type_objects(annotation)
            return G({sym: ()}, frozenset(objs), frozenset({(sym,)}))
        if kind == "self":
            return G(objs=frozenset({("self", atom[1])}))
        if kind == "ret":
            return self.call(atom[1])
        if kind == "global":
            return self.global_value(atom[1], atom[2])
        if kind == "field":
            return self.a.stores.field(atom[1], atom[2])
        if kind == "attr":
            return self.getattr(self.ev(atom[1]), atom[2])
        if kind == "item":
            return self.getitem(self.ev(atom[1]), atom[2])
        if kind == "func":
            return self.name_value(atom[1])
        if kind == "name":
            return self.name_value(atom[1])
        return NOTHING

    def type_objects(self, qualname: str) -> set:
        kind = self.program.resolve(qualname)
        if kind[0] == "class":
            return {("inst", kind[1])}
        if any(c.type == qualname for c in self.a.catalog.clients):
            return {("client", qualname, (), None)}
        return set()

    def global_value(self, module: str, name: str) -> G:
        value = self.a.stores.get("globals", (module, name))
        if value is not None:
            return value
        return self.name_value(f"{module}.{name}") if module not in self.program.modules else NOTHING

    def name_value(self, qualname: str) -> G:
        kind = self.program.resolve(qualname)
        if kind[0] in ("func", "class", "module", "manager"):
            return G(objs=frozenset({kind}))
        if kind[0] == "global":
            module, name = kind[1], kind[2]
            value = self.a.stores.get("globals", (module, name))
            if value is not None:
                return value
            if f"{module}.{name}" in self.program.modules:
                return G(objs=frozenset({("module", f"{module}.{name}")}))
            return NOTHING
        if kind[0] == "attr":
            return self.getattr(self.name_value(f"{kind[1][1]}.{kind[1][2]}"), kind[2])
        for prefix in self.a.flowrules.settings_modules:
            if qualname.startswith(prefix + "."):
                name = qualname[len(prefix) + 1:]
                values = [self.a.stores.get("globals", (m, name)) for m in self.program.settings_modules()]
                return merge(*(v for v in values if v is not None))
        return G(objs=frozenset({("lib", qualname)}), strs=frozenset({(("unknown", f"value of {qualname}"),)}))

    def getattr(self, g: G, name: str) -> G:
        taint = {}
        for k, t in g.taint.items():
            taint[("sym", wrap(k[1], "attr", name)) if k[0] == "sym" else k] = t
        parts = [G(taint)]
        for o in sorted(g.objs, key=repr):
            if o[0] == "class" and name in self.program.managers or o[0] == "manager":
                parts.append(G(objs=frozenset({("manager", o[1])})))
            elif o[0] in ("inst", "self", "class"):
                parts.append(self.a.stores.field(o[1], name))
                method = self.program.lookup_method(o[1], name) if o[1] in self.program.classes else None
                if method:
                    parts.append(G(objs=frozenset({("bound", method, o if o[0] != "class" else None)})))
            elif o[0] == "client":
                parts.append(G(objs=frozenset({("client-bound", o, name)})))
            elif o[0] == "client-bound":  # client.chat.completions: a path into the client's API
                parts.append(G(objs=frozenset({("client-bound", o[1], f"{o[2]}.{name}")})))
            elif o[0] == "module":
                parts.append(self.name_value(f"{o[1]}.{name}"))
            elif o[0] == "lib":
                parts.append(self.name_value(f"{o[1]}.{name}"))
            elif o[0] == "sym":
                sym = ("sym", wrap(o[1], "attr", name))
                parts.append(G(objs=frozenset({sym}), strs=frozenset({(sym,)})))
        return merge(*parts)

    def getitem(self, g: G, key: str) -> G:
        if key in g.keys:
            return g.keys[key]
        taint = {}
        for k, t in g.taint.items():
            taint[("sym", wrap(k[1], "item", key)) if k[0] == "sym" else k] = t
        parts = [G(taint)]
        for o in sorted(g.objs, key=repr):
            if o[0] == "sym":
                sym = ("sym", wrap(o[1], "item", key))
                parts.append(G(objs=frozenset({sym}), strs=frozenset({(sym,)})))
            elif o[0] == "lib":
                parts.append(G(strs=frozenset({(("unknown", f"{o[1]}[{key!r}]"),)})))
        return merge(*parts)

    def gval(self, val: Val) -> G:
        parts = [self.ev(a) for a in sorted(val.atoms, key=repr)]
        g = merge(*parts)
        if val.strs:
            g = G(g.taint, g.objs, self.strings(val.strs), g.keys)
        if val.keys:
            keys = dict(g.keys)
            for k, kv in val.keys:
                keys[k] = merge(keys[k], self.gval(kv)) if k in keys else self.gval(kv)
            g = G(g.taint, g.objs, g.strs, keys)
        return g

    def strings(self, alternatives: tuple) -> frozenset:
        return expand(alternatives, lambda p: self.ev(p[1]).strs if p[0] == "atom" else None)

    # -- calls

    def call(self, index: int) -> G:
        if index in self.memo:
            return self.memo[index]
        self.memo[index] = NOTHING  # a call that reaches itself through its own arguments
        site = self.module.calls[index]
        args = tuple((arg, self.gval(arg.value)) for arg in site.args)
        callee = site.callee
        receiver = None
        targets: list = []
        if callee[0] == "name":
            targets = self.callable_targets(self.name_value(callee[1]))
            if not targets:
                targets = [(("lib", callee[1]), None)]
        elif callee[0] == "method":
            receiver = self.gval(callee[1])
            targets = self.method_targets(receiver, callee[2])
        elif callee[0] == "super":
            for base in self.program.bases(callee[1]):
                method = self.program.lookup_method(base, callee[2]) if base in self.program.classes else None
                if method:
                    targets = [(("func", method), ("self", callee[1]))]
                    break
            else:
                targets = [(("lib", f"{callee[1]}.{callee[2]}"), None)]
        else:
            receiver = self.gval(callee[1])
            targets = self.callable_targets(receiver)
        site_ref = Site(self.module.path, site.loc, site.text, self.f.qualname)
        results = []
        resolved = set()
        for target, self_obj in targets:
            if target[0] == "deferred":
                method = callee[2] if callee[0] == "method" else None
                self.pend(Hit(site_ref, None, NOTHING, (), NOTHING, method, receiver, args))
                results.append(self.default(args, receiver))
                continue
            resolved |= self.target_names(target)
            results.append(self.apply(target, self_obj, args, receiver, site_ref))
        if resolved:
            self.a.targets[(self.module.path, index)] = resolved
        if not targets:
            self.a.unresolved[(self.module.path, index)] = site.text
            results.append(self.default(args, receiver))
        value = merge(*results)
        self.memo[index] = value
        return value

    def target_names(self, target: tuple) -> set[str]:
        """What a call target is called in the call graph: always qualified names (strings)."""
        kind = target[0]
        if kind == "client-method":
            return {f"{target[1]}.{target[2]}"}
        if kind == "manager":
            return {f"{target[1]}.<manager>"}
        if kind == "partial":  # the functions a functools.partial object calls
            if target[1] not in self.a.partials:
                return {"functools.partial"}
            inner = self.callable_targets(self.a.partials[target[1]][0])
            return set().union(*(self.target_names(t) for t, _ in inner if t[0] not in ("deferred", "partial"))) or {"functools.partial"}
        return {target[1]}

    def callable_targets(self, value: G) -> list:
        """What calling a value runs: functions, bound methods, classes, library callables."""
        targets = []
        for o in sorted(value.objs, key=repr):
            if o[0] in ("func", "class", "lib", "manager", "partial"):
                targets.append((o, None))
            elif o[0] == "bound":
                targets.append((("func", o[1]), o[2]))
            elif o[0] == "client-bound":
                targets.append((("client-method", o[1][1], o[2], o[1]), None))
            elif o[0] == "sym" and not any(t[0][0] == "deferred" for t in targets):
                targets.append((("deferred",), None))
        return targets

    def method_targets(self, receiver: G, method: str) -> list:
        targets, deferred = [], False
        for o in sorted(receiver.objs, key=repr):
            kind = o[0]
            if kind in ("inst", "self"):
                for t in self.program.dispatch(o[1], method, kind == "self"):
                    targets.append((("func", t), o))
                if not self.program.lookup_method(o[1], method):
                    targets.append((("lib", f"{o[1]}.{method}"), None))
            elif kind == "manager":
                targets.append((o, None))
            elif kind == "class":
                t = self.program.lookup_method(o[1], method)
                if t:
                    targets.append((("func", t), o if self.program.functions[t][0].is_classmethod else None))
            elif kind == "client":
                targets.append((("client-method", o[1], method, o), None))
            elif kind == "client-bound":
                targets.append((("client-method", o[1][1], f"{o[2]}.{method}", o[1]), None))
            elif kind in ("module", "lib", "func"):
                for obj in sorted(self.name_value(f"{o[1]}.{method}").objs, key=repr):
                    targets.append((obj, None))
            elif kind == "sym" and method in self.a.deferrable:
                deferred = True
        if not targets:
            owners = self.program.method_owners.get(method, [])
            if len(owners) == 1:
                # One project class defines this method: the receiver is most likely one of it.
                targets.append((("func", self.program.methods[owners[0]][method]), ("inst", owners[0])))
            elif deferred:
                targets.append((("deferred",), None))
        return targets

    def default(self, args: tuple, receiver: G | None) -> G:
        """An unknown call: what goes in comes out (taint only)."""
        taint: dict = {}
        for g in [g for _, g in args] + ([receiver] if receiver is not None else []):
            for k, t in payload(g, self.program, self.a.stores).items():
                taint[k] = _better(taint[k], t) if k in taint else t
        return G(taint)

    def apply(self, target: tuple, self_obj, args: tuple, receiver: G | None, site: Site) -> G:
        kind = target[0]
        if kind == "func":
            if self.a.flowrules.is_sanitizer(target[1]):
                return self.cut(target[1], args, receiver, site)
            return self.instantiate(target[1], self_obj, args, site)
        if kind == "class":
            return self.construct(target[1], args, site)
        if kind == "partial":
            if target[1] not in self.a.partials:
                return self.default(args, receiver)
            callable_, bound = self.a.partials[target[1]]
            bound = tuple((replace(a, position=a.position - 1) if a.position is not None else a, g) for a, g in bound)
            shift = sum(1 for a, _ in bound if a.position is not None)
            full = bound + tuple((replace(a, position=a.position + shift) if a.position is not None else a, g) for a, g in args)
            return merge(*(self.apply(t, so, full, None, site) for t, so in self.callable_targets(callable_)
                           if t[0] not in ("deferred", "partial")), NOTHING)
        if kind == "manager":
            # A query: instances of the model come back (and more queries: .filter().first()).
            return G(objs=frozenset({("inst", target[1]), ("manager", target[1])}))
        if kind == "client-method":
            client = target[3]
            return self.library(f"{target[1]}.{target[2]}", args, receiver, G(objs=frozenset({client})), site)
        if kind == "lib":
            return self.library(target[1], args, receiver, NOTHING, site)
        return self.default(args, receiver)

    def cut(self, qualname: str, args: tuple, receiver: G | None, site: Site) -> G:
        """A sanitizer: nothing comes out; where it stopped personal data is recorded for reports."""
        categories = {k[1] for k in self.default(args, receiver).taint if k[0] == "cat"}
        if categories:
            self.cuts.append((site, qualname, tuple(sorted(categories))))
        return NOTHING

    # -- library calls

    def library(self, qualname: str, args: tuple, receiver: G | None, client: G, site: Site) -> G:
        catalog = self.a.catalog
        if self.a.flowrules.is_sanitizer(qualname):
            return self.cut(qualname, args, receiver, site)
        if qualname in self.a.flowrules.wrappers and args:
            if len(args) == 1:
                return args[0][1]
            # functools.partial(f, a, k=b): calling the result calls f with a and k=b first.
            key = (site.path, site.loc)
            self.a.partials[key] = (args[0][1], args[1:])
            return G(objs=frozenset({("partial", key)}))
        sink = catalog.sinks_by_callee.get(qualname)
        if sink is not None:
            self.sink_hit(sink, args, client, site)
        made = []
        for spec in catalog.clients_by_constructor.get(qualname, []):
            bound = _bind_library(spec.params, args)
            if any(not _is_literal(bound.get(p), v) for p, v in spec.when):
                continue
            dests = []
            if spec.inherit:
                for o in client.objs:
                    if o[0] == "client":
                        dests.extend(o[2])
            for param, role in spec.destination:
                if param in bound and bound[param].strs:
                    dests.append((role, tuple(sorted(bound[param].strs, key=repr))))
            obj = ("client", spec.type, tuple(dests), spec.provider)
            if spec.is_global:
                self.write(Write("client", spec.type, "", G(objs=frozenset({obj}))))
            made.append(obj)
        if made:
            return G(objs=frozenset(made))
        return self.default(args, receiver)

    def sink_hit(self, sink, args: tuple, client: G, site: Site) -> None:
        bound = _bind_library(sink.params, args)
        roles = dict(sink.destination)
        dests = tuple((role, bound[param]) for param, role in sink.destination if param in bound)
        data_params = [p for p in bound if p not in roles] if sink.data == ("*",) else [p for p in sink.data if p in bound]
        taint: dict = {}
        for p in sorted(data_params):
            for k, t in payload(bound[p], self.program, self.a.stores).items():
                taint[k] = _better(taint[k], t) if k in taint else t
        clients = client
        if sink.client:
            clients = merge(clients, self.a.stores.get("clients", sink.client) or NOTHING)
        self.hit(Hit(site, sink, G(taint), dests, clients))

    def hit(self, hit: Hit) -> None:
        """Emit what is concrete now; keep what depends on parameters for the callers."""
        if hit.sink is None:
            self.deferred(hit)
            return
        dest_sym = any(has_sym(g) for _, g in hit.dests) or has_sym(hit.clients)
        srcs = {k: t for k, t in hit.data.taint.items() if k[0] == "cat"}
        syms = {k: t for k, t in hit.data.taint.items() if k[0] == "sym"}
        if dest_sym:
            if srcs or syms:
                self.pend(hit)
            return
        for k in sorted(srcs):
            self.flows.append(RawFlow(srcs[k][0], srcs[k][1:], hit))
        if syms:
            self.pend(Hit(hit.site, hit.sink, G(syms), hit.dests, hit.clients))

    def pend(self, hit: Hit) -> None:
        key = (hit.site, hit.sink.callee if hit.sink else None, hit.method, len(hit.args))
        old = self.pending_hits.get(key)
        if old is None:
            self.pending_hits[key] = hit
            return
        dests = dict(old.dests)
        for role, g in hit.dests:
            dests[role] = merge(dests[role], g) if role in dests else g
        args = tuple((a, merge(g1, g2)) for (a, g1), (_, g2) in zip(old.args, hit.args))
        receiver = merge(old.receiver, hit.receiver) if old.receiver is not None else hit.receiver
        self.pending_hits[key] = Hit(old.site, old.sink, merge(old.data, hit.data), tuple(sorted(dests.items())),
                                     merge(old.clients, hit.clients), old.method, receiver, args)

    def pend_write(self, w: Write) -> None:
        target = frozenset(w.target.objs) if isinstance(w.target, G) else w.target
        key = (w.kind, target, w.attr)
        old = self.pending_writes.get(key)
        self.pending_writes[key] = w if old is None else Write(w.kind, w.target, w.attr, merge(old.value, w.value))

    def deferred(self, hit: Hit) -> None:
        """A call on a parameter (`cb(x)`, `client.send(x)`): resolved once a caller says what it is."""
        if not any(o[0] != "sym" for o in hit.receiver.objs):
            self.pend(hit)
            return
        known = G(objs=frozenset(o for o in hit.receiver.objs if o[0] != "sym"))
        targets = self.method_targets(known, hit.method) if hit.method else self.callable_targets(known)
        for target, self_obj in targets:
            if target[0] == "deferred":
                continue
            if target[0] == "func" and target[1] in self.a.results:
                # Only the effects of the call matter here (its value was approximated in the
                # callee): a target without pending sinks or writes has none. Stay its caller,
                # so that gaining effects later brings this function back.
                result = self.a.results[target[1]]
                if not result.hits and not result.writes:
                    self.a.callers.setdefault(target[1], set()).add(self.f.qualname)
                    continue
            self.apply(target, self_obj, hit.args, hit.receiver, hit.site)

    # -- writes

    def write(self, w: Write) -> None:
        if w.kind == "client":
            if has_sym(w.value):
                self.pend_write(w)
            else:
                self.a.stores.put("clients", w.target, w.value)
            return
        known = concrete(w.value)
        if w.kind == "global":
            if has_sym(w.value):
                self.pend_write(w)
            self.a.stores.put("globals", w.target, known)
            return
        targets = [o for o in w.target.objs if o[0] in ("inst", "self", "class")]
        if any(o[0] == "sym" for o in w.target.objs) or has_sym(w.value):
            self.pend_write(w)
        for o in sorted(targets, key=repr):
            self.a.stores.put("fields", (o[1], w.attr), known)

    # -- project calls

    def construct(self, cls: str, args: tuple, site: Site) -> G:
        obj = ("inst", cls)
        init = self.program.lookup_method(cls, "__init__")
        if init:
            self.instantiate(init, obj, args, site)
        else:
            # dataclass / pydantic / attrs / NamedTuple: arguments become fields by name or order.
            declared = [a for a, _, _ in self.program.fields(cls)]
            for arg, g in args:
                name = arg.name if arg.name else (declared[arg.position] if arg.position is not None and arg.position < len(declared) else None)
                if name and not arg.starred:
                    self.write(Write("field", G(objs=frozenset({obj})), name, g))
        return G(objs=frozenset({obj}))

    def instantiate(self, qualname: str, self_obj, args: tuple, site: Site) -> G:
        f, module = self.program.functions[qualname]
        binding = _bind_project(f, self_obj, args)
        self.a.callers.setdefault(qualname, set()).add(self.f.qualname)
        result = self.a.results.get(qualname)
        if result is None:
            return self.default(args, None) if not qualname.endswith(">") else NOTHING
        for name, value in result.defaults.items():
            binding.setdefault(name, value)
        hop_in = {p: (site.path, site.loc, f"passed as '{p}' to {qualname}") for p in binding}
        hop_out = (site.path, site.loc, f"returned from {qualname}")
        sub = Substitution(self, binding, hop_in)
        ret = sub.value(result.ret, hop_out)
        for hit in result.hits:
            if hit.sink is None:
                new = Hit(hit.site, None, NOTHING, (), NOTHING, hit.method, sub.value(hit.receiver, None),
                          tuple((arg, sub.value(g, None)) for arg, g in hit.args))
            else:
                new = Hit(hit.site, hit.sink, sub.value(hit.data, None),
                          tuple((r, sub.value(g, None)) for r, g in hit.dests), sub.value(hit.clients, None))
            self.hit(new)
        for w in result.writes:
            target = sub.value(w.target, None) if isinstance(w.target, G) else w.target
            self.write(Write(w.kind, target, w.attr, sub.value(w.value, None)))
        return ret


class Substitution:
    """Replace a callee's symbolic parameters by the caller's values, extending traces."""

    def __init__(self, frame: Frame, binding: dict, hop_in: dict):
        self.frame = frame
        self.binding = binding
        self.hop_in = hop_in
        self.cache: dict = {}

    def sym(self, atom: tuple) -> G:
        if atom in self.cache:
            return self.cache[atom]
        if atom[0] == "param":
            value = self.binding.get(atom[1], NOTHING)
        elif atom[0] == "attr":
            value = self.frame.getattr(self.sym(atom[1]), atom[2])
        elif atom[0] == "item":
            value = self.frame.getitem(self.sym(atom[1]), atom[2])
        else:
            value = NOTHING
        self.cache[atom] = value
        return value

    def keep_unbound(self, g: G) -> G:
        """Substitute what the binding knows; leave other parameters symbolic (reported as unknown)."""
        if not g:
            return g
        objs = set()
        for o in g.objs:
            if o[0] == "sym" and _root_param(o[1]) in self.binding:
                objs |= self.sym(o[1]).objs
            elif o[0] == "client":
                objs.add(("client", o[1], tuple((role, tuple(sorted(self.strs(frozenset(s), True), key=repr))) for role, s in o[2]), o[3]))
            else:
                objs.add(o)
        return G(g.taint, frozenset(objs), self.strs(g.strs, True), g.keys)

    def value(self, g: G, hop_out) -> G:
        if not g:
            return g
        taint: dict = {}

        def put(k, t):
            if hop_out is not None:
                t = _extend(t, hop_out)
            taint[k] = _better(taint[k], t) if k in taint else t

        objs = set()
        for k, t in g.taint.items():
            if k[0] != "sym":
                put(k, t)
                continue
            actual = self.sym(k[1])
            root = _root_param(k[1])
            for k2, t2 in payload(actual, self.frame.program, self.frame.a.stores).items() if k[1][0] == "param" else actual.taint.items():
                trace = _extend(t2, self.hop_in[root]) if root in self.hop_in else t2
                for hop in t:
                    trace = _extend(trace, hop)
                put(k2, trace)
        for o in g.objs:
            if o[0] == "sym":
                objs |= self.sym(o[1]).objs
            elif o[0] == "client":
                objs.add(("client", o[1], tuple((role, tuple(sorted(self.strs(frozenset(s)), key=repr))) for role, s in o[2]), o[3]))
            else:
                objs.add(o)
        keys = {k: self.value(v, hop_out) for k, v in g.keys.items()}
        return G(taint, frozenset(objs), self.strs(g.strs), keys)

    def strs(self, strs: frozenset, keep_unbound: bool = False) -> frozenset:
        def resolve(p):
            if p[0] != "sym" or keep_unbound and _root_param(p[1]) not in self.binding:
                return None
            return self.sym(p[1]).strs
        return expand(strs, resolve)


NOT_A_CONSTANT = (("unknown", "not a constant"),)


def expand(alternatives, resolve) -> frozenset:
    """String alternatives with their symbolic parts replaced by what those stand for.

    `resolve(part)` gives the alternatives of a part, or None to keep the part as it is; the
    product is bounded to MAX_STRS alternatives of MAX_PARTS parts."""
    out = set()
    for parts in alternatives:
        options = [()]
        for p in parts:
            found = resolve(p)
            choices = [(p,)] if found is None else (sorted(found, key=repr) or [NOT_A_CONSTANT])
            options = [o + c for o in options for c in choices][:MAX_STRS]
        out |= {o[:MAX_PARTS] for o in options}
    return frozenset(sorted(out, key=repr)[:MAX_STRS])


def _root_param(atom: tuple) -> str:
    while atom[0] in ("attr", "item"):
        atom = atom[1]
    return atom[1]


def _is_literal(g: G | None, expected: str) -> bool:
    if g is None:
        return False
    return any(len(s) == 1 and s[0][0] == "lit" and s[0][1] == expected for s in g.strs)


def _bind_library(params: tuple, args: tuple) -> dict:
    """Arguments of a library call by parameter name (positional ones through the rule's signature)."""
    bound: dict = {}
    for arg, g in args:
        if arg.name is not None and not arg.starred:
            name = arg.name
        elif arg.position is not None and not arg.starred and arg.position < len(params):
            name = params[arg.position]
        else:
            name = f"#{arg.position if arg.position is not None else arg.name}"
        bound[name] = merge(bound[name], g) if name in bound else g
    return bound


def _bind_project(f, self_obj, args: tuple) -> dict:
    params = list(f.params)
    binding: dict = {}
    if self_obj is not None and params and not f.is_static:
        if f.is_classmethod:
            self_obj = ("class", self_obj[1])
        binding[params[0].name] = G(objs=frozenset({self_obj}))
        params = params[1:]
    positional = [p for p in params if p.kind == "positional"]
    by_name = {p.name: p for p in params}
    varargs = next((p.name for p in params if p.kind == "varargs"), None)
    varkw = next((p.name for p in params if p.kind == "varkw"), None)

    def put(name, g):
        binding[name] = merge(binding[name], g) if name in binding else g

    for arg, g in args:
        if arg.starred:
            for p in positional if arg.name is None else [p for p in params if p.kind in ("positional", "keyword")]:
                put(p.name, g)
            if varargs and arg.name is None:
                put(varargs, g)
            if varkw and arg.name is not None:
                put(varkw, g)
        elif arg.name is not None:
            if arg.name in by_name:
                put(arg.name, g)
            elif varkw:
                put(varkw, G(keys={arg.name: g}))
        elif arg.position < len(positional):
            put(positional[arg.position].name, g)
        elif varargs:
            put(varargs, g)
    return binding
