"""The driver: functions analysed callees first over the condensation of the call graph, each
strongly connected component to a fixpoint, in whole-program passes until no result and no
shared value changes."""

from __future__ import annotations

import fnmatch
import os
import sys

import networkx as nx

from ..ir import BoundMethod, CategoryKey, ClassObject, ClientObject, FunctionObject, Instance, MethodCallee, SelfObject, SelfRef, StaticCallee, ordered
from ..knowledge.sources import SourceRules
from ..link import Program
from ..summary import GlobalWrite
from .effects import only_reads, url_data
from .evaluation import annotated_objects
from .frame import Frame
from .lattice import AbstractValue, add_taint, bounded, concrete, decided, merge, objects, params_unknown
from .results import ClientStore, Failure, FieldStore, GlobalStore, RawFlow, Result, SinkCall, joined, merged_call
from .stores import Stores
from .substitution import Substitution

MAX_PASSES = 8
MAX_SCC_ROUNDS = 8
# The main process's resident memory past which the fixpoint stops where it is (a cap, reported)
# rather than run the machine out of memory: a scan killed by the kernel reports nothing at all.
MAX_RSS = 6 << 30
RSS_CHECK_EVERY = 64  # components settled between two looks at the process's memory


def resident_bytes() -> int:
    """The process's resident memory now (Linux /proc); 0 where it cannot be read (no bound there)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return 0


def foreign_packages(program, catalog, sources: SourceRules = SourceRules()) -> frozenset:
    """Third-party top-level packages the scanned code imports that no rule names: not the
    project's own modules, not the standard library."""
    imported = {qualified.split(".")[0] for names in program.imports.values() for qualified in names.values()}
    own = {m.split(".")[0] for m in program.modules}
    return frozenset(p for p in imported if p and p.isidentifier() and p not in own and p not in sys.stdlib_module_names
                     and p != "__future__") - catalog.named_packages() - {c.callee.split(".")[0] for c in sources.calls}


def valued_methods(flowrules, catalog, program) -> frozenset:
    """The methods whose value on a parameter's object is the caller's to say: what a schema's
    method gives (`schema.load(json)`, flow.toml serializers), the instance a model class's method
    builds (`model.model_construct(**row)`, flow.toml model_builders), and the client a client's method
    makes (`channel.unary_unary(...)` in a generated gRPC stub's __init__) where no project class
    has a method of that name (Django's `connection.cursor()` is its own)."""
    types = {c.type for c in catalog.clients}
    made = {m for c in catalog.clients if c.constructor.rpartition(".")[0] in types
            and "*" not in (m := c.constructor.rpartition(".")[2]) and m not in program.method_owners}
    return frozenset(m for key in ("loaders", "methods") for m in (flowrules.serializers or {}).get(key, ())) | made | model_builds(flowrules)


def model_builds(flowrules) -> frozenset:
    """The class methods of library models that build an instance (flow.toml model_builders)."""
    return frozenset(m for key in ("methods", "constructors") for m in flowrules.model_builders.get(key, ()))


def property_value(program, f, module, ret: AbstractValue) -> AbstractValue:
    """What instances of a property's class hold under its name: what the getter returns. Of a
    base class, only the objects it returns, not their data (its getter reads `self` as every
    subclass at once): the clients (`self.http`, a session it makes) and the project objects
    the subclasses' overrides make (`self.rpc` returning `self._rpc_connection()`, each
    tracker's own API class), not one the getter makes itself, whose fields, kept per class,
    would mix what every subclass's object holds (apprise's `self.store`, one PersistentStore)."""
    if not program.subclasses.get(f.cls):
        return ret
    made = {o.cls for index in f.calls if type(c := module.calls[index].callee) is StaticCallee
            and type(o := program.resolve(c.qualname)) is ClassObject}
    return AbstractValue(objs=frozenset(o for o in ret.objs if type(o) is ClientObject or type(o) is Instance and o.cls not in made))


class Analysis:
    """The whole-program stage: a Result per function, the shared stores, the flows found."""

    def __init__(self, program: Program, catalog, sources: SourceRules = SourceRules(), templates=None, library: bool = False):
        self.program = program
        # A library read for its models (models generate): its constructors are taken to run with their
        # defaults, so that a method reads the vendor's default host the constructor stores.
        self.library = library
        self.templates = templates  # templates.TemplateFolders of the scanned root, or None: none read
        self.catalog = catalog
        self.sources = sources  # library calls whose result is personal data (rules/sources.toml)
        self.flowrules = catalog.flowrules
        # (parameter, attribute) pairs that are the signed-in user (flow.toml identity parameter_attributes)
        self.signed_in_attributes = {tuple(p.split(".", 1)) for p in self.flowrules.identity.get("parameter_attributes", ())}
        self.results: dict[str, Result] = {}
        self.stores = Stores(program, catalog.flowrules.own_words, catalog.flowrules.relation_keys)
        self.flows_by_function: dict[str, list] = {}
        self.callers: dict[str, set] = {}  # callee -> functions whose analysis used its result
        self.targets: dict = {}  # (path, call index) -> set of target names, for the call graph
        self.deferred_targets: dict = {}  # function -> what the calls on its callees' parameters ran there
        self.unresolved: dict = {}  # (path, call index) -> text of a call nobody could resolve
        self.cuts_by_function: dict[str, list] = {}  # where a sanitizer stopped personal data
        self.partials: dict = {}  # partial site -> (callable AbstractValue, pre-bound args)
        self.renders: dict = {}  # rendering.DeferredRender -> its index, the number in its RENDER keys
        self.renders_by_index: list = []
        self.called: dict = {}  # DeferredCall.key() -> its index, the number in its CALLED attributes
        self.called_by_index: list = []  # DeferredCall, merged over the fixpoint's passes
        self.unmodeled: dict = {}  # qualname -> (package, {(path, loc)}, {category}): calls no rule models
        self.failures: dict[str, Failure] = {}  # functions whose analysis broke, each reported once
        self.caps: list[str] = []  # the bounds the fixpoint hit: its results may be incomplete there
        self.key_sources: dict[str, dict] = {}  # path -> {loc of a literal: its source of shape "key"}, built on first use
        self.capped_cycles: set[str] = set()  # a function of each cycle that hit its round cap
        self.roots: frozenset = frozenset()  # the functions no call reached in the last pass (uncalled)
        # A call on a parameter (`p.m(x)`) waits for the caller only when `m` could matter: a
        # method of a project class, of a client or sink in the catalog, or of a schema that makes
        # data of what it is given (flow.toml serializers). `s.split()` cannot.
        # A sink named by a pattern (`SimpleLDAPObject.add*`) makes every method it matches such a one;
        # not one matching any name (`Resource.*`), which would keep every call on a parameter waiting.
        self.valued_methods = valued_methods(self.flowrules, catalog, program)
        self.builders = model_builds(self.flowrules)
        names = {s.callee.rpartition(".")[2] for s in catalog.sinks} | {c.constructor.rpartition(".")[2] for c in catalog.clients} | self.valued_methods
        self.deferrable = dict.fromkeys(set(program.method_owners) | {n for n in names if "*" not in n}, True)
        self.deferrable_patterns = tuple(sorted(n for n in names if "*" in n and n.strip("*")))
        self.foreign = foreign_packages(program, catalog, sources)  # imported third-party packages no rule names

    def defers(self, method: str) -> bool:
        """Does a call of `method` on a parameter wait for the caller (see `deferrable`)?"""
        if method not in self.deferrable:
            self.deferrable[method] = any(fnmatch.fnmatchcase(method, p) for p in self.deferrable_patterns)
        return self.deferrable[method]

    def render_index(self, render) -> int:
        """The number of a deferred render (rendering.DeferredRender) in its RENDER keys."""
        if render not in self.renders:
            self.renders[render] = len(self.renders_by_index)
            self.renders_by_index.append(render)
        return self.renders[render]

    def called_index(self, call) -> int:
        """The number of a call of a parameter (results.DeferredCall) in its CALLED attributes."""
        key = call.key()
        if key not in self.called:
            self.called[key] = len(self.called_by_index)
            self.called_by_index.append(call)
        else:
            self.called_by_index[self.called[key]] = merged_call(self.called_by_index[self.called[key]], call)
        return self.called[key]

    def foreign_package(self, qualname: str) -> str | None:
        """The imported package no rule names that a library name belongs to, if any."""
        top = qualname.partition(".")[0]
        return top if top in self.foreign else None

    def run(self) -> list[RawFlow]:
        """Passes over the functions, callees first, each strongly connected component to a fixpoint,
        until no result and no shared value changes. A function whose inputs (callee results and
        the shared values it read) did not change since its last analysis is not analysed again."""
        order = self.order()
        stale: set = set(self.program.functions)  # functions whose inputs changed
        for _ in range(MAX_PASSES):
            changed_keys = self.stores.new_pass()
            stale |= {f for f, reads in self.stores.reads.items() if not reads.isdisjoint(changed_keys)}
            if not self.settled_pass(order, stale):
                self.caps.append(f"the whole-program fixpoint stopped at its memory bound of {MAX_RSS >> 30} GB, "
                                 f"{len(stale)} functions still changing")
                break
            roots = self.uncalled()  # a function that became (or stopped being) one stores otherwise
            stale |= {f for f in roots ^ self.roots if f in self.results and self.results[f].stores}
            self.roots = roots
            if not stale and not self.stores.new_pass_needed():
                break  # a pass more would analyse nothing: results moved in this one reached their callers in it
        else:
            moving = f"{len(stale)} functions" if stale else "values shared between functions"
            self.caps.append(f"the whole-program fixpoint stopped at its cap of {MAX_PASSES} passes, {moving} still changing")
        if self.capped_cycles:
            self.caps.insert(0, f"{len(self.capped_cycles)} cycles of functions stopped at their cap of {MAX_SCC_ROUNDS} "
                                f"rounds in a pass (the first by name: {min(self.capped_cycles)})")
        flows = [flow for qualname in sorted(self.flows_by_function) for flow in self.flows_by_function[qualname]]
        return flows + self.emit_roots()

    def settled_pass(self, order: list, stale: set) -> bool:
        """One pass over the components, callees first; False when it stopped at the memory bound."""
        for i, component in enumerate(order):
            if i % RSS_CHECK_EVERY == 0 and resident_bytes() > MAX_RSS:
                return False
            self.settle(component, stale)
        return True

    def settle(self, component: list, stale: set) -> None:
        """Analyse a strongly connected component until its results stop moving (their callers are
        made stale when they move)."""
        for round_ in range(MAX_SCC_ROUNDS):
            moved = False
            for qualname in component:
                if qualname not in stale:
                    self.stores.replay(qualname)
                    continue
                stale.discard(qualname)
                result = self.contained(qualname, lambda: self.analyze(qualname), Result())
                old = self.results.get(qualname)
                if old is not None and round_:
                    result = joined(old, result)  # a cycle's results only grow, so that its rounds end
                self.results[qualname] = result
                if old is None or old.signature() != result.signature():
                    moved = True
                    stale |= self.callers.get(qualname, set())
            if not moved or stale.isdisjoint(component):
                break
        else:
            self.capped_cycles.add(min(component))

    def contained(self, qualname: str, work, fallback):
        """work() for one function, a failure costing only that function: it is listed in
        `failures` (for the report's errors), has no flows, and `fallback` stands for its result."""
        try:
            done = work()
            self.failures.pop(qualname, None)
            return done
        except RecursionError:
            code, why = "XB902", "too deeply recursive to analyze"
        except MemoryError:
            code, why = "XB902", "out of memory while analysing"
        except Exception as exc:  # a bug must cost one function, not the scan
            code, why = "XB901", f"internal error while analysing: {type(exc).__name__}: {exc}"
        self.stores.begin(None)
        f, module = self.program.functions[qualname]
        self.failures[qualname] = Failure(module.path, f.loc, code, f"function {qualname}: {why}; its flows are not reported")
        self.flows_by_function[qualname] = []
        self.cuts_by_function[qualname] = []
        return fallback

    def order(self) -> list[list[str]]:
        """Module bodies first (they bind globals), then callees before callers."""
        graph = nx.DiGraph()
        for qualname in sorted(self.program.functions):
            graph.add_node(qualname)
            f, module = self.program.functions[qualname]
            for index in f.calls:
                for callee in self.static_targets(module.calls[index].callee):
                    graph.add_edge(qualname, callee)
        # Nodes go in sorted, so the condensation and its topological order are the same every run.
        condensed = nx.condensation(graph)
        components = [sorted(condensed.nodes[node]["members"]) for node in reversed(list(nx.topological_sort(condensed)))]
        is_body = [any(q.endswith(".<module>") for q in c) for c in components]
        return [c for c, body in zip(components, is_body) if body] + [c for c, body in zip(components, is_body) if not body]

    def static_targets(self, callee) -> list[str]:
        """Project functions a call surely reaches, known before any analysis (for the order)."""
        match callee:
            case StaticCallee(qualname=qualname):
                kind = self.program.resolve(qualname)
                return [kind.qualname] if type(kind) is FunctionObject else [kind.method] if type(kind) is BoundMethod else []
            case MethodCallee(receiver=receiver, name=name):
                return [t for a in receiver.atoms if type(a) is SelfRef for t in self.program.dispatch(a.cls, name, True)]
        return []

    def analyze(self, qualname: str) -> Result:
        f, module = self.program.functions[qualname]
        frame = Frame(self, f, module)
        for index in f.calls:
            self.targets.pop((module.path, index), None)
            self.unresolved.pop((module.path, index), None)
        self.deferred_targets.pop(qualname, None)
        self.stores.begin(qualname)
        for index in f.calls:
            frame.call(index)
        ret = bounded(frame.value_of(f.returns))
        views = frame.receiver_views(f.returns)
        if f.is_property and f.cls is not None:
            name = qualname.rpartition(".")[2]
            frame.store(FieldStore(objects(Instance(f.cls)), name, property_value(self.program, f, module, ret)))
            for cls, value in views.items():
                self.stores.put("views", (cls, name), property_value(self.program, f, module, value))
        for w in f.writes:
            value = frame.value_of(w.value)
            if type(w) is GlobalWrite:
                frame.store(GlobalStore(w.module, w.name, value))
            else:
                target = objects(Instance(w.cls)) if w.cls is not None else frame.value_of(w.target)
                frame.store(FieldStore(target, w.attr, value, (module.path, w.loc) if w.loc >= 0 else None))
        if qualname.endswith(".<module>"):
            declared = dict(module.declared_globals)
            for name, val in module.globals:
                # `_security: "Security" = LocalProxy(...)`: also an object of the class the annotation names
                typed = annotated_objects(self.program, self.catalog, declared[name]) if name in declared else ()
                self.stores.put("globals", (module.module, name), merge(frame.value_of(val), objects(*typed)))
        defaults = {p.name: frame.value_of(p.default) for p in f.params if p.default is not None}
        outs = {p: bounded(frame.value_of(v)) for p, v in f.outs}
        result = Result(ret, list(frame.pending_calls.values()), list(frame.pending_stores.values()), defaults, outs, views)
        if self.library and frame.self_param and qualname.endswith(".__init__"):
            self.constructed(frame, result)
        if qualname in self.roots:
            self.root_stores(frame, result)
        self.stores.begin(None)
        self.flows_by_function[qualname] = frame.flows
        self.cuts_by_function[qualname] = frame.cuts
        return result

    def key_source(self, where: tuple) -> int | None:
        """The key source the summary keeps on a literal at `where` (path, loc), if it named one
        (summarize Names.argument_key); each module's sources indexed once."""
        path, loc = where
        if path not in self.key_sources:
            sources = self.program.by_path[path].sources
            self.key_sources[path] = {s.loc: i for i, s in reversed(list(enumerate(sources))) if s.shape == "key"}
        return self.key_sources[path].get(loc)

    def constructed(self, frame: Frame, result: Result) -> None:
        """What a library's constructor stores in its instance when called with its defaults (and
        nothing for the parameters without one): `self.host = host` with `host=API_HOST`."""
        binding = dict(result.defaults)
        binding[frame.self_param] = objects(Instance(frame.f.cls))
        sub = Substitution(frame, binding, {})
        for pending in result.stores:
            if type(pending) is FieldStore:
                stored = sub.store(pending)
                for o in ordered([o for o in stored.target.objs if type(o) is Instance]):
                    self.stores.put("fields", (o.cls, stored.attr), concrete(stored.value))

    def uncalled(self) -> frozenset:
        """The functions no call reaches (entry points, views, callbacks of frameworks), as far as
        the calls resolved so far say (a callback a caller hands to a helper that calls it is
        reached there); a class called runs its __init__."""
        called = {t for targets in (*self.targets.values(), *self.deferred_targets.values()) for t in targets}
        called |= {init for c in called if c in self.program.classes and (init := self.program.lookup_method(c, "__init__"))}
        return frozenset(q for q in self.results if q not in called)

    def root_binding(self, frame: Frame, result: Result) -> Substitution:
        """A function nobody calls, seen from outside: parameters take their defaults, a method runs
        on an instance of its own class, the rest stays unknown."""
        binding = dict(result.defaults)
        if frame.self_param:
            binding[frame.self_param] = objects(SelfObject(frame.f.cls))
        return Substitution(frame, binding, {})

    def root_stores(self, frame: Frame, result: Result) -> None:
        """What a function nobody calls stores from its own parameters (`Directory(app.config)`,
        whose __init__ keeps `ldap.initialize(config["URI"])` in a field): a client whose
        destination comes from them is stored with that destination unknown, as its sink calls are
        located (emit_roots), so that the object's methods still send through it."""
        sub = self.root_binding(frame, result)
        for pending in result.stores:
            value = params_unknown(sub.keep_unbound(pending.value))
            match pending:
                case FieldStore(target=target, attr=attr, at=at):
                    frame.store(FieldStore(sub.keep_unbound(target), attr, value, at))
                case GlobalStore(module=module, name=name):
                    frame.store(GlobalStore(module, name, value))
                case ClientStore(type=type_):
                    frame.store(ClientStore(type_, value))

    def emit_roots(self) -> list[RawFlow]:
        """Sink calls that still wait for a parameter in functions nobody calls: located as
        `root_binding` sees them."""
        flows = []
        for qualname in sorted(self.uncalled()):
            result = self.results[qualname]
            if result.calls:
                flows += self.contained(qualname, lambda: self.root_flows(qualname, result), [])
        return flows

    def root_flows(self, qualname: str, result: Result) -> list[RawFlow]:
        """The flows of one function nobody calls, its pending sink calls located with its defaults."""
        f, module = self.program.functions[qualname]
        sub = self.root_binding(Frame(self, f, module), result)
        flows = []
        for call in result.calls:
            if type(call) is not SinkCall:
                continue
            located = SinkCall(call.site, call.sink, call.data, tuple((r, sub.keep_unbound(g)) for r, g in call.dests),
                               sub.keep_unbound(call.clients))
            if only_reads(located, self.flowrules):
                continue
            taint = url_data(located)
            for k, t in call.data.taint.items():
                add_taint(taint, k, t)
            for k in ordered([k for k in taint if type(k) is CategoryKey]):
                flows.append(RawFlow(taint[k][0], taint[k][1:], located, decided(k.received)))
        return flows
