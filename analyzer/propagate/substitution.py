"""Substitution: a callee's Result seen from one call site, with the callee's symbolic parameters
replaced by the caller's values and every trace extended by the hops of the call."""

from __future__ import annotations

from ..ir import CALLED, ENCODED, KEY_NAMED, KEY_OF, RENDER, TEXT, UNKNOWN_KEY, WHOLE, AttrPath, CategoryKey, ClientObject, ItemPath, Lit, ParamRef, \
    PartialObject, Reply, Sym, ordered, path_root
from ..strings import literal
from .lattice import NOTHING, AbstractValue, add_taint, carries_category, constant_text, expand, extend, extend_by, has_sym, merge, received_from, \
    retraced, source_value
from .results import ClientStore, DeferredCall, FieldStore, GlobalStore, SinkCall


class Substitution:
    """Replace a callee's symbolic parameters by the caller's values, extending traces."""

    def __init__(self, frame, binding: dict, steps_in: dict, site=None, defaulted: frozenset = frozenset()):
        self.frame = frame
        self.site = site  # the call site, where a parameter's object made into text runs its __str__
        self.binding = binding  # parameter name -> the caller's AbstractValue
        self.defaulted = defaulted  # the parameters the caller passes nothing to: they hold their defaults
        self.steps_in = steps_in  # parameter name -> the trace step "passed as 'p' to f"
        self.cache: dict = {}
        self.calling: set = set()  # deferred calls (ir.CALLED) whose value is being read

    def sym(self, path: tuple) -> AbstractValue:
        """The caller's value at a parameter's access path."""
        if path in self.cache:
            return self.cache[path]
        match path:
            case ParamRef(name=name):
                value = self.binding.get(name, NOTHING)
            case AttrPath(base=base, name=name) if name == WHOLE:
                value = AbstractValue(self.frame.analysis.stores.payload(self.sym(base)))
            case AttrPath(base=base, name=name) if name.startswith(ENCODED):
                value = AbstractValue(self.frame.encoded(self.sym(base), name.removeprefix(ENCODED), self.site))
            case AttrPath(base=base, name=name) if name.startswith(TEXT):
                value = AbstractValue(self.frame.as_text(self.sym(base), name.removeprefix(TEXT), self.site))
            case AttrPath(base=base, name=name) if name.startswith(RENDER):
                render = self.frame.analysis.renders_by_index[int(name.removeprefix(RENDER))]
                names = tuple(ordered(self.strs(frozenset(render.names))))
                value = AbstractValue(self.frame.render_deferred(self.sym(base), render, names, self.site))
            case AttrPath(base=base, name=name) if name.startswith(CALLED):
                value = self.called(base, int(name.removeprefix(CALLED)))
            case AttrPath(base=base, name=name) if name == KEY_NAMED:
                value = self.key_named(self.sym(base))
            case AttrPath(base=base, name=name):
                value = self.frame.attribute(self.sym(base), name)
            case ItemPath(base=base, key=key) if key.startswith(KEY_OF):
                value = merge(NOTHING, *(self.frame.item(self.sym(base), k) for k in self.caller_keys(key.removeprefix(KEY_OF))))
            case ItemPath(base=base, key=key):
                value = self.frame.item(self.sym(base), key)
            case _:
                value = NOTHING
        self.cache[path] = value
        return value

    def caller_keys(self, param: str) -> list:
        """The keys `d[param]` reads at this call: the constants passed as `param`, the key a
        parameter of the caller holds (passed on), else any (ir.KEY_OF)."""
        given = self.binding.get(param)
        if given is None or given.taint and any(type(k) is not Sym for k in given.taint):
            return [UNKNOWN_KEY]
        if len(given.objs) == 1 and type(sym := next(iter(given.objs))) is Sym and type(sym.path) is ParamRef:
            return [KEY_OF + sym.path.name]
        texts = [literal(alt) for alt in ordered(given.strs)]
        if given.objs or not texts or not all(complete for _, complete, _ in texts):
            return [UNKNOWN_KEY]
        return [text for text, _, _ in texts]

    def called(self, base: tuple, index: int) -> AbstractValue:
        """What the caller's callable at `base` gives, called as deferred call `index` was; nothing
        more while that call's own arguments are read (a call given what it returned)."""
        if index in self.calling:
            return NOTHING
        self.calling.add(index)
        try:
            return self.frame.called_value(self.sym(base), self.call(self.frame.analysis.called_by_index[index]))
        finally:
            self.calling.discard(index)

    def call(self, pending):
        """A pending call of the callee, as this call site sees it."""
        if type(pending) is DeferredCall:
            return DeferredCall(pending.site, pending.method, self.value(pending.receiver, None),
                                tuple((arg, self.value(g, None)) for arg, g in pending.args))
        return SinkCall(pending.site, pending.sink, self.value(pending.data, None),
                        tuple((r, self.value(g, None)) for r, g in pending.dests), self.value(pending.clients, None))

    def store(self, pending):
        """A pending store of the callee, as this call site sees it."""
        match pending:
            case FieldStore(target=target, attr=attr, value=value, at=at):
                return FieldStore(self.value(target, None), attr, self.value(value, None), at)
            case GlobalStore(module=module, name=name, value=value):
                return GlobalStore(module, name, self.value(value, None))
            case ClientStore(type=type_, value=value):
                return ClientStore(type_, self.value(value, None))

    def keep_unbound(self, g: AbstractValue) -> AbstractValue:
        """Substitute what the binding knows; leave other parameters symbolic (reported as unknown)."""
        if not g:
            return g
        objs = set()
        for o in g.objs:
            if type(o) is Sym and path_root(o.path).name in self.binding:
                objs |= self.sym(o.path).objs
            elif type(o) in (ClientObject, Reply):
                objs.add(self.client(o, True))
            else:
                objs.add(o)
        return AbstractValue(g.taint, frozenset(objs), self.strs(g.strs, True), g.keys)

    def value(self, g: AbstractValue, step_out) -> AbstractValue:
        """The caller's view of a callee's value; `step_out` ("returned from f") extends its traces."""
        if not g:
            return g
        taint: dict = {}

        def put(k, t):
            add_taint(taint, k, extend(t, step_out) if step_out is not None else t)

        passed_keys = []  # the keys of a parameter the callee passes on as it is
        for k, t in g.taint.items():
            if type(k) is not Sym:
                if type(k) is CategoryKey and k.named:
                    k = self.named_key(k)
                if k is not None:
                    put(self.received_key(k) if type(k) is CategoryKey else k, t)
                continue
            actual = self.sym(k.path)
            root = path_root(k.path).name
            steps = ((self.steps_in[root],) if root in self.steps_in else ()) + t + ((step_out,) if step_out else ())
            # What a parameter carries itself: its objects' fields only where the callee sent it
            # whole (a WHOLE key); a field read of it is a key of its own (payment.amount), and
            # what a dict holds is in it (`kwargs["tags"].items()`: the tags a caller wrote). A
            # parameter passed on as it is (`task.apply_async(kwargs=kwargs)`) keeps its keys apart.
            if k in g.objs and actual.keys:
                carried = actual.taint
                passed_keys.append(retraced(AbstractValue(keys=actual.keys), steps).keys)
            else:  # a parameter's objects go with it; at a path below it, only what the value holds
                held = actual if type(k.path) is ParamRef else AbstractValue(actual.taint, keys=actual.keys)
                carried = self.frame.analysis.stores.payload(held, fields=False)
            for k2, t2 in carried.items():
                add_taint(taint, k2, extend_by(t2, steps))
        objs = set()
        for o in g.objs:
            if type(o) is Sym:
                objs |= self.sym(o.path).objs
            elif type(o) in (ClientObject, Reply):
                objs.add(self.client(o, False))
            elif type(o) is PartialObject:
                objs.add(self.partial(o))
            else:
                objs.add(o)
        keys = {k: self.value(v, step_out) for k, v in g.keys.items()}
        for passed in passed_keys:
            keys = merge(AbstractValue(keys=keys), AbstractValue(keys=passed)).keys
        return AbstractValue(taint, frozenset(objs), self.strs(g.strs), keys)

    def partial(self, o: PartialObject) -> PartialObject:
        """A functools.partial the callee made and hands out (a nested function returned with the
        enclosing variables it reads: summarize Names.closure), as the caller holds it: what it binds
        read at this call site (`make_sender(payload)` returns a sender of that payload), kept under a
        key of its own, so that calling it later, here or above, binds the caller's values."""
        partials = self.frame.analysis.partials
        if self.site is None or o.site not in partials:
            return o
        function, bound = partials[o.site]
        if not has_sym(function) and not any(has_sym(g) for _, g in bound):
            return o
        here = PartialObject(o.site[:2] + (self.site.path, self.site.loc))
        function, bound = self.value(function, None), tuple((a, self.value(g, None)) for a, g in bound)
        if here.site in partials:
            before_function, before_bound = partials[here.site]
            function, bound = merge(before_function, function), tuple((a, merge(g0, g)) for (a, g0), (_, g) in zip(before_bound, bound))
        partials[here.site] = (function, bound)
        return here

    def received_key(self, k: CategoryKey) -> CategoryKey:
        """A category named on data that came in through a parameter (`response["user_id"]`): as
        received as the caller's value there is (from its replies), else not received at all."""
        if not any(type(r) is Sym for r in k.received):
            return k
        replies = set()
        for r in k.received:
            found = received_from(self.sym(r.path)) if type(r) is Sym else (r,)
            if not found:
                return CategoryKey(k.category, (), k.named)
            replies.update(found)
        return CategoryKey(k.category, tuple(ordered(replies)), k.named)

    def named_key(self, k: CategoryKey) -> CategoryKey | None:
        """A category a parameter's name alone gave (`def greet(user_name)`), seen from this call
        site: none where the caller passes data of a category of its own there (what the value is
        says more than what the callee calls it: `greet(user.name)` is a name, not a user name),
        passes only text written in the program (`open_member(member_name="mayan_file")`: a
        constant is nobody's) or passes nothing there at all (the callee's default: `connect(config)`
        binds with the configured account, not a `username=None` of a person), plain where the
        caller passes nothing personal, and the caller's callers' to decide where the caller passes
        its own parameter on."""
        named = set()
        for r in k.named:
            if type(root := path_root(r.path)) is ParamRef and root.name in self.defaulted:
                return None
            actual = self.sym(r.path)
            if carries_category(actual) or constant_text(actual):
                return None
            named.update(s for s in (*actual.taint, *actual.objs) if type(s) is Sym)
        return CategoryKey(k.category, k.received, tuple(ordered(named)))

    def key_named(self, key: AbstractValue) -> AbstractValue:
        """What the callee read by a key parameter holds, as the key the caller passes names it: the
        key source the caller's summary keeps on each constant it may be (summarize Names.argument_key),
        or, for a key the caller takes as a parameter itself, its own callers' to name."""
        taint: dict = {}
        analysis = self.frame.analysis
        for alt in ordered(key.strs):
            part = alt[0] if len(alt) == 1 else None
            if type(part) is Sym:
                taint[Sym(AttrPath(part.path, KEY_NAMED))] = ()
            elif type(part) is Lit and part.where is not None and part.where[0] in analysis.program.by_path \
                    and (index := analysis.key_source(part.where)) is not None:
                for k, t in source_value(analysis.program.by_path[part.where[0]], index).taint.items():
                    add_taint(taint, k, t)
        return AbstractValue(taint)

    def client(self, o, keep_unbound: bool):
        """A client or a reply with its destination as the caller sees it."""
        dests = tuple((role, tuple(ordered(self.strs(frozenset(alts), keep_unbound)))) for role, alts in o.dests)
        if type(o) is Reply:
            return Reply(o.callee, dests, tuple(ordered([self.client(c, keep_unbound) for c in o.clients])))
        return ClientObject(o.type, dests, o.provider)

    def strs(self, strs: frozenset, keep_unbound: bool = False) -> frozenset:
        def resolve(p):
            if type(p) is not Sym or keep_unbound and path_root(p.path).name not in self.binding:
                return None
            return self.sym(p.path).strs
        return expand(strs, resolve)
