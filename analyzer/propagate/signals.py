"""Signals and queues: receivers connected to a signal object run with what each send of that object
passes, and with what the framework passes for the signals it sends itself (rules/flow.toml
`signals`); a queued task runs with what the queueing call passes for it.

Receivers are kept in the shared table `signals` under ("receivers", signal key); the arguments
of every queued task under ("queued", "args") and ("queued", "kwargs"), for the framework's task
signals. A send reads the receivers, so it is analysed again when one is connected later."""

from __future__ import annotations

from ..ir import EMPTY, BoundMethod, ClassObject, Deferred, FunctionObject, Instance, LibraryObject, PartialObject, \
    QueuedCall, Receiver, SignalCall, SignalObject, ordered
from ..summary import DOUBLE_STAR, Arg
from .binding import shift_positions
from .lattice import NOTHING, AbstractValue, merge, objects
from .results import Site


# The queueing styles of flow.toml task_queues a task's own method may have (`t.delay(a)`, `t.s(a)`,
# `t.apply_async((a,))`), as against `first`, a queue's call taking the task first; of them, those
# whose call returns a handle to the task's result, not the task again (a signature).
HANDLE_STYLES = ("call", "options")
QUEUE_STYLES = (*HANDLE_STYLES, "signature")


def queued_options(args: tuple, keywords: tuple) -> tuple:
    """apply_async((a, b), {"k": v}) / apply_async(args=..., kwargs=...) (`keywords`, flow.toml
    task_arguments): the task's own arguments, as a spread sequence and a spread mapping."""
    found = {}
    for arg, g in args:
        if arg.name in keywords:
            found[keywords.index(arg.name)] = g
        elif arg.position in (0, 1):
            found[arg.position] = g
    spread = []
    if 0 in found:
        spread.append((Arg(0, None, EMPTY, True), found[0]))
    if 1 in found:
        spread.append((Arg(None, DOUBLE_STAR, EMPTY, True), found[1]))
    return tuple(spread)


def bound_task(f):
    """A task declared with bind=True takes the task itself first (`self`, outside any class)."""
    return LibraryObject("celery.app.task.Task") if f.cls is None and f.params and f.params[0].name == "self" else None


def argument(args: tuple, position: int | None, name: str) -> AbstractValue | None:
    """The value passed at `position` (None: only by name) or as `name=`, if any."""
    found = [g for a, g in args if (position is not None and a.position == position and not a.starred) or a.name == name]
    return merge(*found) if found else None


def classes_of(g: AbstractValue | None) -> tuple:
    """The project classes a `sender=` value names."""
    return tuple(sorted(o.cls for o in g.objs if type(o) is ClassObject)) if g is not None else ()


class Signals:
    """Signal objects for a Frame: made, connected to, sent."""

    def signal_method(self, key: str, method: str) -> AbstractValue | None:
        """`sig.connect` / `sig.send` of signal `key`, as a callable bound to it."""
        rules = self.analysis.flowrules.signals
        action = "connect" if method in rules.connect else "send" if method in rules.send else None
        return objects(SignalCall((key,), action)) if action else None

    def library_signal_method(self, qualname: str) -> AbstractValue | None:
        """`task_failure.connect`, `post_save.send`: a method of a signal the framework sends."""
        head, _, method = qualname.rpartition(".")
        return self.signal_method(head, method) if head in self.analysis.flowrules.signals.framework else None

    def library_signal_call(self, qualname: str, args: tuple, site: Site) -> AbstractValue | None:
        """`Signal()` makes a signal; `receiver(sig, sender=M)` is a decorator connecting to it."""
        rules = self.analysis.flowrules.signals
        if qualname in rules.constructors:
            return objects(SignalObject(f"{site.path}:{site.loc}"))
        if qualname in rules.namespaces:  # its methods are called by name (`ns.signal("auth")`)
            return objects(LibraryObject(qualname))
        if qualname in rules.decorators:
            signals = argument(args, 0, "signal")
            keys = tuple(sorted({o.key if type(o) is SignalObject else o.qualname for o in (signals.objs if signals else ())
                                 if type(o) in (SignalObject, LibraryObject)}))
            return objects(SignalCall(keys, "connect", classes_of(argument(args, None, "sender")))) if keys else NOTHING
        return None

    def signal_call(self, target: SignalCall, args: tuple, site: Site) -> AbstractValue:
        if target.action == "send":
            return self.send_signal(target.signals, args, site)
        senders = target.senders or classes_of(argument(args, None, "sender"))
        handler = argument(args, 0, "receiver")
        if handler is None:  # @sig.connect() / @sig.connect(sender=M): a decorator that connects
            return objects(SignalCall(target.signals, "connect", senders))
        for o in ordered(handler.objs):
            if type(o) in (FunctionObject, BoundMethod):
                for key in target.signals:
                    self.analysis.stores.put("signals", ("receivers", key), objects(Receiver(o, senders)))
                    self.framework_send(key, Receiver(o, senders), site)
        return handler

    def send_signal(self, keys: tuple, args: tuple, site: Site) -> AbstractValue:
        """Every receiver of the signals runs with `sender`, `signal` and the keyword arguments;
        what the send returns holds what they return."""
        sender = argument(args, 0, "sender") or NOTHING
        named = tuple((a, g) for a, g in args if a.position is None and a.name != "sender")
        results = []
        for key in keys:
            receivers = self.analysis.stores.get("signals", ("receivers", key)) or NOTHING
            for receiver in [o for o in ordered(receivers.objs) if type(o) is Receiver]:
                if receiver.senders and classes_of(sender) and not set(receiver.senders) & set(classes_of(sender)):
                    continue  # connected for another sender
                given = ((Arg(None, "sender", EMPTY), sender), (Arg(None, "signal", EMPTY), objects(SignalObject(key))))
                results.append(self.run_receiver(receiver, given + named, site))
        return merge(NOTHING, *results)

    def framework_send(self, key: str, receiver: Receiver, site: Site) -> None:
        """A signal the framework sends itself: the receiver runs, where it is connected, with
        what the framework passes (rules/flow.toml `signals.framework`)."""
        params = self.analysis.flowrules.signals.framework.get(key)
        if params:
            given = tuple((Arg(None, name, EMPTY), self.framework_value(role, receiver.senders)) for name, role in params)
            self.run_receiver(receiver, given, site)

    def framework_value(self, role: str, senders: tuple) -> AbstractValue:
        match role:
            case "sender":
                return objects(*(ClassObject(c) for c in senders))
            case "sender_instance":
                return objects(*(Instance(c) for c in senders))
        return self.analysis.stores.get("signals", ("queued", role.removeprefix("queued_"))) or NOTHING

    def receiver_names(self, target: SignalCall) -> set[str]:
        """What a send runs, for the call graph: its receivers (a connect runs nothing yet)."""
        if target.action != "send":
            return {"<signal connect>"}
        names = set()
        for key in target.signals:
            for o in ordered((self.analysis.stores.get("signals", ("receivers", key)) or NOTHING).objs):
                names |= self.target_names(FunctionObject(o.function.method) if type(o.function) is BoundMethod else o.function)
        return names or {"<signal send>"}

    def run_receiver(self, receiver: Receiver, args: tuple, site: Site) -> AbstractValue:
        return merge(NOTHING, *(self.apply(t, self_obj, args, None, site)
                                for t, self_obj in self.callable_targets(objects(receiver.function))))

    def record_queued(self, args: tuple) -> None:
        """The arguments a queued task gets, for the framework's task signals (task_failure...)."""
        positional = [g for a, g in args if a.position is not None]
        named = {a.name: g for a, g in args if a.name and a.name != DOUBLE_STAR and not a.starred}
        spread = [g for a, g in args if a.name == DOUBLE_STAR]
        if positional:
            self.analysis.stores.put("signals", ("queued", "args"), merge(*positional))
        if named or spread:
            self.analysis.stores.put("signals", ("queued", "kwargs"), merge(AbstractValue(keys=named), *spread))

    def queued(self, function, style: str, args: tuple, site: Site) -> AbstractValue:
        """A task handed to a queue runs with the arguments the queueing call passes for it (a
        queue taking the function first takes them after it, or as args= and kwargs=); what the
        queueing call returns is a handle, not the task's result, but a signature (`t.s(a)`,
        `t.subtask()`) is the task again, to be queued with more (`.delay(b)`)."""
        if style == "first":
            if not args:
                return NOTHING
            callables = self.callable_targets(args[0][1])
            args = shift_positions(args[1:], -1)
            keywords = self.analysis.flowrules.task_arguments
            options = tuple((a, g) for a, g in args if a.name in keywords)
            args = queued_options(options, keywords) if options else args  # RQ's enqueue(f, args=(a,), kwargs={...})
        else:
            callables = self.callable_targets(objects(function))
        if style == "options":
            args = queued_options(args, self.analysis.flowrules.task_arguments)
        self.record_queued(args)
        for target, self_obj in callables:
            if type(target) in (Deferred, PartialObject, QueuedCall):
                continue
            if type(target) is FunctionObject and self_obj is None:
                self_obj = bound_task(self.program.functions[target.qualname][0])
            self.apply(target, self_obj, args, None, site)
        return objects(function) if style == "signature" else NOTHING
