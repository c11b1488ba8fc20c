"""Calls on objects of project classes by the receiver's class, for a Frame: the methods a call
runs (on an instance of a class loaded by name too), and what a base's method returns to an
object of each subclass (Result.views)."""

from __future__ import annotations

from ..ir import CallResult, FunctionObject, Instance, MethodCallee, SelfObject, SelfRef, Val
from .lattice import bounded, merge

# A method's return value is kept apart for at most this many subclasses whose overrides it returns.
MAX_VIEWS = 16
# A method called on an instance of a class loaded by name runs in each project class defining it,
# up to this many unrelated ones (a backend interface); a name more classes define says nothing of
# which one, unless one of them is a base of all the others (a plugin family).
MAX_LOADED_OWNERS = 4


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

    def loaded_methods(self, method: str) -> list:
        """`method` of a project class loaded by a name not known here: that of each project class
        defining it, when few do, or of those another one is a base of or derives from (a plugin interface: the base
        declares `submit_message`, each provider overrides it; a lone class's method of that name is
        not a plugin's); none when it is a builtin's name or many unrelated classes define it."""
        owners = [] if method in self.analysis.flowrules.builtin_methods else self.program.method_owners.get(method, [])
        owners = owners if len(owners) <= MAX_LOADED_OWNERS else self.program.families(owners)
        return [(FunctionObject(self.program.methods[owner][method]), Instance(owner)) for owner in owners]
