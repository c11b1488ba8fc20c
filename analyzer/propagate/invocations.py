"""Calls that run a callable they are given (flow.toml invokers, functools.partial): the callable
runs at once with the arguments it is handed; and calls of a parameter, whose value is what the
callable each caller passes gives (ir.CALLED), for a Frame."""

from __future__ import annotations

from ..ir import CALLED, EMPTY, AttrPath, Deferred, PartialObject, Sym, ordered, wrap
from ..summary import DOUBLE_STAR, Arg
from .binding import bind_library, shift_positions
from .lattice import NOTHING, AbstractValue, known_objects, merge, objects
from .results import DeferredCall, Site


class Invocations:
    """Threads, executors and partials, for a Frame."""

    def passed_on(self, qualname: str, args: tuple, site: Site) -> AbstractValue | None:
        """What a call hands back of what it is given: a wrapper's value (flow.toml wrappers), the
        argument a call returns (returns_argument: `closing(cursor)` is the cursor); else None."""
        flowrules = self.analysis.flowrules
        if qualname in flowrules.wrappers and args:
            return self.wrapped(args, site)
        if (returned := flowrules.returns_argument.get(qualname)) is not None:
            return next((value for arg, value in args if not arg.starred and (
                arg.name == returned["parameter"] or arg.position is not None and arg.position == returned.get("place"))), NOTHING)
        return None

    def wrapped(self, args: tuple, site: Site) -> AbstractValue:
        """A wrapper's value (flow.toml wrappers): what it wraps; functools.partial(f, a, k=b), whose
        result calls f with a and k=b first."""
        if len(args) == 1:
            return args[0][1]
        key = (site.path, site.loc)
        self.analysis.partials[key] = (args[0][1], args[1:])
        return objects(PartialObject(key))

    def invoke(self, args: tuple, spec: int | dict, site: Site) -> AbstractValue:
        """`asyncio.to_thread(f, a, k=b)`, `loop.run_in_executor(None, f, a)`: f runs at once with
        the arguments after it (`spec`: its position), and what it returns is the call's value;
        `Thread(target=f, args=(a,), kwargs={"k": b})` (`spec`: a table naming the parameters)
        runs f with the tuple spread into its positional arguments and the dict into its keywords."""
        if isinstance(spec, dict):
            bound = bind_library(tuple(spec["params"]), args)
            function = bound.get(spec["function"])
            rest = tuple((Arg(*place, EMPTY, True), bound[name]) for place, name in (((0, None), spec.get("args")), ((None, DOUBLE_STAR), spec.get("kwargs")))
                         if name in bound)
        else:
            function = next((g for arg, g in args if arg.position == spec and not arg.starred), None)
            rest = shift_positions(tuple((a, g) for a, g in args if a.position is None or a.position > spec), -spec - 1)
        targets = [(t, o) for t, o in self.callable_targets(function) if type(t) is not Deferred] if function is not None else []
        if not targets:  # `job.submit(data)`: no function to run, an unknown call
            return self.default(args, None)
        return merge(*(self.apply(target, self_obj, rest, None, site) for target, self_obj in targets))

    def call_partial(self, key: tuple, args: tuple, receiver, site: Site) -> AbstractValue:
        """Calling what functools.partial(f, a, k=b) made calls f with a and k=b first."""
        if key not in self.analysis.partials:
            return self.default(args, receiver)
        callable_, bound = self.analysis.partials[key]
        full = shift_positions(bound, -1) + shift_positions(args, sum(1 for a, _ in bound if a.position is not None))
        return merge(*(self.apply(t, so, full, None, site) for t, so in self.callable_targets(callable_)
                       if type(t) not in (Deferred, PartialObject)), NOTHING)

    def deferred_result(self, call: DeferredCall) -> AbstractValue:
        """A call on a parameter, kept for the callers; its value here is what goes in, and, for the
        parameter called itself (`builder(**kwargs)`) or a schema's method on it (`schema.load(json)`),
        what the callable a caller passes returns, or that method of the object it passes."""
        self.pend(call)
        value = self.unknown_result(call.args, call.receiver, call.method, call.site)
        return merge(value, self.called_result(call)) if call.method is None or call.method in self.analysis.valued_methods else value

    def called_result(self, call: DeferredCall) -> AbstractValue:
        """What calling the parameters in `call.receiver` gives, read at each caller (ir.CALLED)."""
        syms = [o for o in ordered(call.receiver.objs) if type(o) is Sym]
        if not syms:
            return NOTHING
        index = self.analysis.called_index(call)
        paths = [wrap(o.path, AttrPath, f"{CALLED}{index}") for o in syms]
        called = [Sym(p) for p, o in zip(paths, syms) if p is not o.path]
        return AbstractValue(dict.fromkeys(called, ()), frozenset(called))

    def called_value(self, callee: AbstractValue, call: DeferredCall) -> AbstractValue:
        """`builder(**kwargs)` of a callee, at a caller that passes the builder: what it returns;
        `schema.load(json)`: what that method of the object the caller passes gives (nothing more
        while the same call is being read: a builder reaching itself)."""
        if call.key() in self.calling:
            return NOTHING
        self.calling.add(call.key())
        try:
            known = known_objects(callee)
            targets = self.method_targets(known, call.method) if call.method else self.callable_targets(known)
            values = [self.apply(t, so, call.args, known, call.site) for t, so in targets if type(t) is not Deferred]
            return merge(NOTHING, self.called_result(DeferredCall(call.site, call.method, callee, call.args)), *values)
        finally:
            self.calling.discard(call.key())
