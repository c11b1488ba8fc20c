"""What analysing a function yields: its Result (return value, and the effects that wait for a
caller), and the RawFlows it found."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..ir import Instance, SelfObject
from .lattice import NOTHING, AbstractValue, few_replies, merge


@dataclass(frozen=True)
class Site:
    """A call site, for reports: the module, the located node, the callee as written, the function."""

    path: str
    loc: int
    text: str
    function: str


@dataclass
class SinkCall:
    """A call of a sink from the catalog: the data it sends, and where to (its own destination
    arguments and the clients the destination may come from)."""

    site: Site
    sink: object  # knowledge.catalog.Sink
    data: AbstractValue
    dests: tuple  # ((role, AbstractValue), ...)
    clients: AbstractValue  # objects the destination may come from (receiver, module-wide client)

    def key(self):
        """The pending sink calls of one site and callee to one destination are one call
        (merged_call): what a caller sends to one place is not said to go where another sends. A
        SQL statement is no place (its text says only whether it writes): a database cursor's
        calls stay one, as every statement a site may run would make one each."""
        return ("sink", self.site, self.sink.callee, tuple((r, g.strs) for r, g in self.dests if r != "statement"), self.clients.objs)

    def signature(self):
        return (self.site, id(self.sink), self.data.signature(), tuple((r, g.signature()) for r, g in self.dests),
                self.clients.signature())


@dataclass
class DeferredCall:
    """A call on a parameter (`cb(x)`, `client.send(x)`), resolved once a caller says what it is."""

    site: Site
    method: str | None  # the method name, or None when the parameter itself is called
    receiver: AbstractValue
    args: tuple  # ((summary.Arg, AbstractValue), ...)

    def key(self):
        """The pending calls of one site, method and arity are one call (merged_call)."""
        return ("deferred", self.site, self.method, len(self.args))

    def signature(self):
        return (self.site, self.method, self.receiver.signature(), tuple((a, g.signature()) for a, g in self.args))


@dataclass
class FieldStore:
    """`obj.attr = value` on the objects `target` may be."""

    target: AbstractValue
    attr: str
    value: AbstractValue
    at: tuple | None = None  # (path, loc) of the assignment, for traces

    def key(self):
        return ("field", frozenset(self.target.objs), self.attr, self.at)

    def signature(self):
        return (self.key(), self.target.signature(), self.value.signature())


@dataclass
class GlobalStore:
    """An assignment to a module-level variable."""

    module: str
    name: str
    value: AbstractValue

    def key(self):
        return ("global", self.module, self.name)

    def signature(self):
        return (self.key(), self.value.signature())


@dataclass
class ClientStore:
    """A module-wide client configured by a call (sentry_sdk.init(dsn=...))."""

    type: str
    value: AbstractValue

    def key(self):
        return ("client", self.type)

    def signature(self):
        return (self.key(), self.value.signature())


@dataclass
class Result:
    """What a function does for any caller, in terms of its own parameters."""

    ret: AbstractValue = NOTHING
    calls: list = field(default_factory=list)  # SinkCall | DeferredCall waiting for a parameter
    stores: list = field(default_factory=list)  # FieldStore | GlobalStore | ClientStore waiting for one
    defaults: dict = field(default_factory=dict)  # parameter -> AbstractValue of its default
    outs: dict = field(default_factory=dict)  # parameter -> what the function put into it (a dict or list given)
    views: dict = field(default_factory=dict)  # class -> `ret` for a receiver of that class (Receivers.receiver_views)

    def signature(self):
        """What the result is, whatever the order its effects were found in (callees' effects come in
        the order of their own discovery, which may change while their content does not)."""
        return (self.ret.signature(), frozenset(c.signature() for c in self.calls), frozenset(s.signature() for s in self.stores),
                tuple(sorted((k, v.signature()) for k, v in self.defaults.items())),
                tuple(sorted((k, v.signature()) for k, v in self.outs.items())),
                tuple(sorted((k, v.signature()) for k, v in self.views.items())))

    def ret_for(self, program, receiver) -> AbstractValue:
        """What the function returns to a call on `receiver` (an object of the method's class or of a
        subclass): the view of the nearest class it derives from that has one, else `ret`."""
        if self.views and receiver is not None and type(receiver) in (Instance, SelfObject):
            for cls in program.mro(receiver.cls):
                if cls in self.views:
                    return self.views[cls]
        return self.ret


def merged_call(old, call):
    """Two pending calls with one key as one: what each sends, to where either sends it."""
    if type(call) is SinkCall:
        dests = dict(old.dests)
        for role, g in call.dests:
            dests[role] = merge(dests[role], g) if role in dests else g
        return SinkCall(old.site, old.sink, merge(old.data, call.data), tuple(sorted(dests.items())), merge(old.clients, call.clients))
    args = tuple((a, merge(g1, g2)) for (a, g1), (_, g2) in zip(old.args, call.args))
    return DeferredCall(old.site, old.method, merge(old.receiver, call.receiver), args)


def merged_store(old, s):
    """Two pending stores with one key as one, holding what either stores."""
    match s:
        case FieldStore():
            return FieldStore(s.target, s.attr, merge(old.value, s.value), s.at)
        case GlobalStore():
            return GlobalStore(s.module, s.name, merge(old.value, s.value))
    return ClientStore(s.type, merge(old.value, s.value))


def keep(pending: dict, effect, merged) -> None:
    """Put a pending effect by its key, merged (`merged_call`, `merged_store`) with one already there,
    its data's keys of one category from many replies joined (lattice.few_replies: a pending effect is
    handed to every caller, where such keys would multiply)."""
    key = effect.key()
    effect = merged(pending[key], effect) if key in pending else effect
    if type(effect) is SinkCall:
        effect = replace(effect, data=few_replies(effect.data))
    elif type(effect) is not DeferredCall:  # a call on a parameter is kept bounded (Effects.deferred)
        effect = replace(effect, value=few_replies(effect.value))
    pending[key] = effect


def _merged_effects(effects: list, merged) -> list:
    out: dict = {}
    for e in effects:
        keep(out, e, merged)
    return list(out.values())


def joined(old: Result, new: Result) -> Result:
    """The least upper bound of two results of one function. A cycle of functions keeps what each
    round found, so that its rounds end: analysed afresh, two functions whose values are cut at a
    bound (string alternatives, path depth) may hand each other a different cut every round."""
    defaults = {k: merge(old.defaults[k], v) if k in old.defaults else v for k, v in new.defaults.items()}
    outs = {k: merge(old.outs[k], v) if k in old.outs else v for k, v in new.outs.items()}
    views = {k: merge(old.views.get(k, old.ret), new.views.get(k, new.ret)) for k in old.views.keys() | new.views.keys()}
    return Result(merge(old.ret, new.ret), _merged_effects(old.calls + new.calls, merged_call),
                  _merged_effects(old.stores + new.stores, merged_store), {**old.defaults, **defaults}, {**old.outs, **outs}, views)


@dataclass(frozen=True)
class Failure:
    """A function whose analysis broke (a bug, a recursion or memory blow-up): reported as an error."""

    path: str
    loc: int
    code: str  # XB901 or XB902
    message: str


@dataclass(frozen=True)
class RawFlow:
    """Personal data reaching a sink call: the source, the trace (without the sink) and the call."""

    origin: tuple  # ir.Origin of the source
    trace: tuple  # ir.Steps, without the sink
    call: SinkCall
    received: tuple = ()  # ir.Replies the data only came in from (CategoryKey.received)
