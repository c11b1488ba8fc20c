"""Effects: sink calls and stores are emitted when they are concrete, and kept pending (merged per
site) when they wait for a caller to say what a parameter is."""

from __future__ import annotations

import re
from dataclasses import replace

from ..ir import EMPTY, ClassObject, ClientObject, Deferred, FunctionObject, Instance, Lit, ManagerObject, ModuleObject, SelfObject, Step, Sym, ordered
from ..summary import Arg
from .lattice import NOTHING, AbstractValue, add_taint, bounded, concrete, constant, decided, has_sym, known_objects, objects, retraced, undecided
from .results import ClientStore, DeferredCall, FieldStore, GlobalStore, RawFlow, SinkCall, Site, keep, merged_call, merged_store
from .library import attribute_names
from .stores import ANY_ATTRIBUTE

STORABLE = (Instance, SelfObject, ClassObject)
MAX_EXPANSION_DEPTH = 12  # project calls whose effects are emitted inside each other's, in one function


def url_data(call: SinkCall) -> dict:
    """Data put into a URL's path or query is sent too (GET as POST), once the URL is known. A URL
    that is one value from elsewhere (the avatar URL a provider returned) is the address itself:
    fetching it tells its host nothing it did not hand out."""
    taint: dict = {}
    for role, g in call.dests:
        if role == "url" and (not g.strs or any(len(alt) > 1 or type(alt[0]) is Lit for alt in g.strs)):
            for k, t in g.taint.items():
                add_taint(taint, k, t)
    return taint


def only_reads(call: SinkCall, flowrules) -> bool:
    """A sink whose SQL statement (role "statement") only reads in every alternative: its
    parameters look rows up by what the database already holds, and nothing is stored. So does an
    ORM query executed as a statement (`session.execute(query.statement)`: a SELECT of its rows). A
    statement not known to start with a read word (computed, SELECT ... INTO, a CTE that inserts)
    stores what it holds (flow.toml read_statements, storing_statements)."""
    statements = [g for role, g in call.dests if role == "statement"]
    return bool(statements) and all(g.strs and all(_reads(alt, flowrules) for alt in g.strs)
                                    or not g.strs and any(type(o) is ManagerObject for o in g.objs) for g in statements)


def _reads(parts: tuple, flowrules) -> bool:
    if not parts or type(parts[0]) is not Lit:
        return False
    words = re.findall(r"[A-Za-z_]+", parts[0].text)
    texts = " ".join(p.text for p in parts if type(p) is Lit)
    return bool(words) and words[0].upper() in flowrules.read_statements and not flowrules.storing_words.search(texts)


class Effects:
    """Emitting and pending effects, for a Frame."""

    def emit(self, call) -> None:
        """Report what is concrete now; keep what depends on parameters for the callers."""
        if type(call) is DeferredCall:
            self.deferred(call)
            return
        dest_sym = any(has_sym(g) for _, g in call.dests) or has_sym(call.clients)
        if dest_sym:
            if call.data.taint or any(g.taint for role, g in call.dests if role == "url"):
                self.pend(call)
            return
        if only_reads(call, self.analysis.flowrules):
            return
        if (clients := self.named_endpoints(call.clients)) is not call.clients:
            call = replace(call, clients=clients)
        taint = dict(call.data.taint)
        for k, t in url_data(call).items():
            add_taint(taint, k, t)
        # a parameter's name alone (CategoryKey.named) is the callers' to decide, as their values are
        syms = {k: t for k, t in taint.items() if type(k) is Sym or k.named}
        sources = {k: t for k, t in taint.items() if k not in syms}
        for k in ordered(sources):
            self.flows.append(RawFlow(sources[k][0], sources[k][1:], call, decided(k.received)))
        if syms:
            self.pend(SinkCall(call.site, call.sink, AbstractValue(syms), call.dests, call.clients))

    def expand(self, qualname: str, result, sub) -> None:
        """Emit or pass on the pending effects of a project function called here, seen through `sub`.

        Emitting can resolve a deferred call that runs the same function again (a compiler's
        compile() and an expression's as_sql() calling each other through their parameters): a
        function whose effects are being emitted is not expanded again inside that, and chains of
        expansions stop at a fixed depth."""
        if qualname in self.expanding or len(self.expanding) >= MAX_EXPANSION_DEPTH:
            return
        self.expanding.append(qualname)
        try:
            for pending in result.calls:
                self.emit(sub.call(pending))
            for pending in result.stores:
                self.store(sub.store(pending))
        finally:
            self.expanding.pop()

    def pend(self, call) -> None:
        """Keep a call for the callers, merged with the pending call of the same site."""
        keep(self.pending_calls, call, merged_call)

    def deferred(self, call: DeferredCall) -> None:
        """A call on a parameter, once a caller says what the receiver may be. One whose receiver
        the caller gave no object at all (its argument left out, or a value nothing can call) runs
        nothing, here or in the callers: it is dropped, not passed on to every caller above."""
        if not call.receiver.objs:
            return
        if all(type(o) is Sym for o in call.receiver.objs):
            # kept for the callers as a result is: keys bounded (lattice.bounded)
            self.pend(DeferredCall(call.site, call.method, bounded(call.receiver), tuple((a, bounded(g)) for a, g in call.args)))
            return
        known = known_objects(call.receiver)
        targets = self.method_targets(known, call.method) if call.method else self.callable_targets(known)
        results = self.analysis.results
        for target, self_obj in targets:
            if type(target) is Deferred:
                continue
            if type(target) is FunctionObject and target.qualname in results:
                # Only the effects of the call matter here (its value was approximated in the
                # callee): a target without pending sinks or stores has none. Stay its caller,
                # so that gaining effects later brings this function back.
                result = results[target.qualname]
                if not result.calls and not result.stores:
                    self.analysis.callers.setdefault(target.qualname, set()).add(self.f.qualname)
                    continue
            self.analysis.deferred_targets.setdefault(self.f.qualname, set()).update(self.target_names(target))
            self.apply(target, self_obj, call.args, call.receiver, call.site)

    def store(self, s) -> None:
        """Write to the shared stores what is concrete; keep what depends on parameters pending."""
        stores = self.analysis.stores
        match s:
            case ClientStore(type=type_, value=value):
                if has_sym(value):
                    self.pend_store(s)
                else:
                    stores.put("clients", type_, value)
            case GlobalStore(module=module, name=name, value=value):
                if has_sym(value):
                    self.pend_store(replace(s, value=undecided(value)))
                stores.put("globals", (module, name), concrete(value))
            case FieldStore(target=target, attr=attr, value=value, at=at):
                if any(type(o) is Sym for o in target.objs):
                    self.pend_store(s)
                elif has_sym(value):
                    self.pend_store(replace(s, value=undecided(value)))
                known = concrete(value)
                if at is not None:
                    self.set_attribute(target, attr, known, at)
                for o in ordered([o for o in target.objs if type(o) in STORABLE]):
                    stored = known if at is None else retraced(known, (Step(*at, f"stored in {o.cls.rpartition('.')[2]}.{attr}"),), once=True)
                    if attr != ANY_ATTRIBUTE:  # what `setattr(obj, key, v)` writes is no field a read names
                        stores.put("fields", (o.cls, attr), stored)
                    if at is not None and type(o) is not ClassObject and not constant(value):  # written, not declared
                        stores.put("filled", (o.cls, attr), NOTHING)
                for o in ordered([o for o in target.objs if type(o) is ModuleObject]):  # `state.telemetry += [...]`: that module's variable
                    stores.put("globals", (o.name, attr), known)

    def attribute_call(self, qualname: str, name: str, args: tuple, receiver: AbstractValue | None, site: Site) -> AbstractValue | None:
        """`getattr(obj, name)` (read_attribute); `setattr(obj, name, value)`, and a library method
        that sets an object's attributes from what it holds (flow.toml populators: a WTForms form's
        `populate_obj(obj)`): a write to the attribute named, or, when the name is not one constant,
        to any (ANY_ATTRIBUTE: every column of a row is filled, and no read names it). None for
        another call."""
        if qualname == "getattr" and len(args) >= 2:
            return self.read_attribute(args)
        if qualname == "setattr" and len(args) >= 3 or receiver is not None and name in self.analysis.flowrules.populators and args:
            names = (attribute_names(args[1][1]) if qualname == "setattr" else None) or []
            value = args[2][1] if qualname == "setattr" else receiver
            self.store(FieldStore(args[0][1], names[0] if len(names) == 1 else ANY_ATTRIBUTE, value, (site.path, site.loc)))
            return NOTHING
        return None

    def set_attribute(self, target: AbstractValue, attr: str, value: AbstractValue, at: tuple) -> None:
        """`scope.user = {...}` on a library client whose attribute is a setter sink (rules: `setter`):
        the assigned value is sent as that sink's first argument."""
        for o in ordered([o for o in target.objs if type(o) is ClientObject]):
            sink = self.analysis.catalog.sink(f"{o.type}.{attr}")
            if sink is not None and sink.setter:
                site = Site(at[0], at[1], f"{o.type.rpartition('.')[2]}.{attr} = ...", self.f.qualname)
                self.sink_call(sink, ((Arg(0, None, EMPTY), value),), objects(o), site, objects(o))

    def pend_store(self, s) -> None:
        keep(self.pending_stores, s, merged_store)
