"""Calls on objects of project classes by the receiver's class, for a Frame: the methods a call
runs, and what a base's method returns to an object of each subclass (Result.views)."""

from __future__ import annotations

from ..ir import CallResult, FunctionObject, MethodCallee, SelfObject, SelfRef, Val
from .lattice import bounded, merge

# A method's return value is kept apart for at most this many subclasses whose overrides it returns.
MAX_VIEWS = 16


class Receivers:
    """Dispatch on a project object, and a base class's `return self._connect()` as each
    subclass's object sees it."""

    def instance_targets(self, o, method: str) -> list:
        """The project methods `o.method()` runs on an instance (a property: what it returns)."""
        return [x for t in self.program.dispatch(o.cls, method, type(o) is SelfObject) for x in (
            self.callable_targets(self.analysis.stores.field(o.cls, method)) if self.program.functions[t][0].is_property
            else [(FunctionObject(t), o)])]

    def note_dispatched(self, index: int, callee, by_method: list) -> None:
        """Keep each method's value of a call on the method's own receiver (`self.connect()`) that
        reaches the methods of several classes: [(method, value)] (Frame.dispatched)."""
        if type(callee) is MethodCallee and self.self_param is not None and callee.receiver.atoms \
                and all(type(a) is SelfRef for a in callee.receiver.atoms) \
                and len({self.program.functions[q][0].cls for q, _ in by_method}) > 1:
            self.dispatched[index] = by_method

    def receiver_views(self, returns: Val) -> dict:
        """What the function returns to a receiver of each subclass whose override of a method it
        calls on `self` it returns the value of (`return self._connection()`, each tracker its own
        client): those calls as they dispatch on an object of that class or of one deriving from it,
        not every subclass's override at once (Result.views; a call it makes otherwise with their
        values keeps all of them)."""
        used = {i: found for i, found in self.dispatched.items() if CallResult(i) in returns.atoms}
        classes = sorted({c for found in used.values() for q, _ in found if (c := self.program.functions[q][0].cls) != self.f.cls
                          and self.f.cls in self.program.mro(c)})
        if not classes or len(classes) > MAX_VIEWS:
            return {}
        saved = {i: self.memo[i] for i in used}
        views = {}
        for cls in classes:
            for i, found in used.items():
                reached = set(self.program.dispatch(cls, self.module.calls[i].callee.name, True))
                self.memo[i] = merge(*(v for q, v in found if q in reached))
            views[cls] = bounded(self.value_of(returns))
        self.memo.update(saved)
        return views
