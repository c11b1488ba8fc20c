"""Calls that run a callable they are given (flow.toml invokers, functools.partial): the callable
runs at once with the arguments it is handed, for a Frame."""

from __future__ import annotations

from ..ir import EMPTY, Deferred, PartialObject
from ..summary import DOUBLE_STAR, Arg
from .binding import bind_library, shift_positions
from .lattice import NOTHING, AbstractValue, merge
from .results import Site


class Invocations:
    """Threads, executors and partials, for a Frame."""

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
