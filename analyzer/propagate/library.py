"""Library calls: sanitizers cut, wrappers call their argument, catalog sinks are hit, catalog
client constructors make client objects carrying their destination; anything else passes its
arguments' taint through."""

from __future__ import annotations

from ..ir import ClientObject, PartialObject, ordered
from ..summary import DOUBLE_STAR
from .binding import bind_library, is_literal
from .lattice import NOTHING, AbstractValue, add_taint, merge, objects
from .results import ClientStore, SinkCall, Site


class Library:
    """Calls into libraries, for a Frame."""

    def library(self, qualname: str, args: tuple, receiver: AbstractValue | None, client: AbstractValue,
                site: Site) -> AbstractValue:
        flowrules = self.analysis.flowrules
        if flowrules.is_sanitizer(qualname):
            return self.cut(qualname, args, receiver, site)
        if qualname in flowrules.wrappers and args:
            if len(args) == 1:
                return args[0][1]
            # functools.partial(f, a, k=b): calling the result calls f with a and k=b first.
            key = (site.path, site.loc)
            self.analysis.partials[key] = (args[0][1], args[1:])
            return objects(PartialObject(key))
        sink = self.analysis.catalog.sinks_by_callee.get(qualname)
        if sink is not None:
            self.sink_call(sink, args, client, site)
        made = [c for spec in self.analysis.catalog.clients_by_constructor.get(qualname, [])
                for c in self.make_client(spec, args, client)]
        if made:
            return AbstractValue(objs=frozenset(made))
        return self.default(args, receiver)

    def make_client(self, spec, args: tuple, client: AbstractValue) -> list:
        """The client a catalog constructor makes, with the destination its arguments give (and the
        receiver's, for `inherit`); a global client configures the module-wide one."""
        bound = bind_library(spec.params, args)
        if any(not is_literal(bound.get(p), v) for p, v in spec.when):
            return []
        dests = []
        if spec.inherit:
            for o in client.objs:
                if type(o) is ClientObject:
                    dests.extend(o.dests)
        for param, role in spec.destination:
            if param in bound and bound[param].strs:
                dests.append((role, tuple(ordered(bound[param].strs))))
        obj = ClientObject(spec.type, tuple(dests), spec.provider)
        if spec.is_global:
            self.store(ClientStore(spec.type, objects(obj)))
        return [obj]

    def sink_call(self, sink, args: tuple, client: AbstractValue, site: Site) -> None:
        """A catalog sink: the taint of its data arguments goes where its destination says."""
        bound = bind_library(sink.params, args)
        roles = dict(sink.destination)
        dests = tuple((role, bound[param]) for param, role in sink.destination if param in bound)
        data_params = [p for p in bound if p not in roles] if sink.data == ("*",) else [p for p in (*sink.data, DOUBLE_STAR) if p in bound]
        taint: dict = {}
        for p in sorted(data_params):
            for k, t in self.analysis.stores.payload(bound[p]).items():
                add_taint(taint, k, t)
        clients = client
        if sink.client:
            clients = merge(clients, self.analysis.stores.get("clients", sink.client) or NOTHING)
        self.emit(SinkCall(site, sink, AbstractValue(taint), dests, clients))
