"""The values of the global stage and how they join.

An `AbstractValue` is what an expression may be at run time, for all callers at once: its taint
(key -> best trace; keys are CategoryKey for concrete personal data and Sym for "whatever the
caller passes in this parameter path"), its objects (ir objects: instances, clients, functions,
Sym), its string alternatives and its known dict keys. A trace is a tuple: an Origin (for
concrete taint) then Steps, at most MAX_TRACE long; of two traces the one whose source names the
data best is kept, then the shorter, ties broken by content, so the choice never depends on the
order things were seen.
"""

from __future__ import annotations

from ..ir import MAX_PARTS, MAX_STRS, NUMBER, SCALAR, UNKNOWN_KEY, AttrPath, CategoryKey, ClientObject, Lit, Origin, Reply, Step, Sym, Unknown, \
    Instance, SelfObject, capped, ordered, wrap

MAX_TRACE = 16
MAX_OBJS = 16
MAX_KEY_DEPTH = 6  # dicts nested in a kept value (a function's result, a stored value); deeper ones are folded
MAX_KEYED = 256  # keys in all the dicts nested in a kept value; past that it is folded less deep
MAX_REPLIES = 8  # keys of one category a value holds that differ only by the replies it came in from; past that one key
MAX_LIBRARY_PATH = 10  # segments of a library value's name (no catalog name has more than 8) past which it is widened
NOT_A_CONSTANT = (Unknown("not a constant"),)
UNKNOWN_COMPUTED = (Unknown("computed at run time"),)
PARAMETER_OF_ROOT = (Unknown("a parameter of a function nobody calls"),)


class AbstractValue:
    """A value in the global stage (see the module docstring)."""

    __slots__ = ("taint", "objs", "strs", "keys")

    def __init__(self, taint=None, objs=frozenset(), strs=frozenset(), keys=None):
        self.taint: dict = taint or {}
        self.objs: frozenset = objs
        self.strs: frozenset = strs
        self.keys: dict = keys or {}

    def signature(self):
        """What the value is, for change detection (traces left out: only keys matter)."""
        return (frozenset(self.taint), self.objs, self.strs, tuple(sorted((k, v.signature()) for k, v in self.keys.items())))

    def __bool__(self):
        return bool(self.taint or self.objs or self.strs or self.keys)


NOTHING = AbstractValue()


def library_path(qualname: str, name: str) -> str:
    """The name of attribute `name` of library value `qualname`. A name it ends with stays that name
    (`x = x.pk` in a loop); a long name that reads a name it already holds goes back to where it
    read it (`m.items._meta.get_field.model._meta` is `m.items._meta`), so that a cycle through
    related objects, read one step further in each pass, widens to a name once and settles."""
    parts = qualname.split(".")
    if parts[-1] == name:
        return qualname
    if len(parts) >= MAX_LIBRARY_PATH and name in parts:
        return ".".join(parts[:parts.index(name) + 1])
    return f"{qualname}.{name}"


def objects(*objs) -> AbstractValue:
    return AbstractValue(objs=frozenset(objs))


def known_objects(g: AbstractValue) -> AbstractValue:
    """The objects of a value a caller has said (not a parameter's, Sym): what a call on it runs."""
    return AbstractValue(objs=frozenset(o for o in g.objs if type(o) is not Sym))


SOURCE_WEIGHT = {"attribute": 0, "field": 0, "relation": 0, "call": 0, "variable": 1, "parameter": 1, "key": 2, "keyword": 2}


def as_scalar(g: AbstractValue) -> AbstractValue:
    """A value known to be a plain string or number (`isinstance(x, str)` held): what it carries
    itself and its strings; no object whose fields a sink would fold in. A parameter's value is read
    as one at the caller."""
    return _read_as(g, SCALAR, g.taint)


def as_number(g: AbstractValue, records: frozenset) -> AbstractValue:
    """A number computed from a value by arithmetic: its taint less the categories of a record as a
    whole (flow.toml record_categories); a parameter's value, and what it carries, is read as one at
    the caller."""
    taint: dict = {}
    for k, t in g.taint.items():
        if type(k) is Sym:
            add_taint(taint, Sym(wrap(k.path, AttrPath, NUMBER)), t)
        elif k.category not in records:
            taint[k] = t
    return _read_as(g, NUMBER, taint)


def _read_as(g: AbstractValue, name: str, taint: dict) -> AbstractValue:
    """`g` read through the pseudo-attribute `name` (ir.SCALAR, ir.NUMBER): `taint`, its strings,
    and each parameter it holds as that attribute of the caller's value."""
    return AbstractValue(taint, frozenset(Sym(wrap(o.path, AttrPath, name)) for o in g.objs if type(o) is Sym), g.strs)


def narrowed(g: AbstractValue, name: str, may_be) -> AbstractValue:
    """`g` read through ir.IS_A `name` (a branch proved it an instance of those classes): each
    parameter it holds as that attribute of the caller's value, and the project objects `may_be`
    says may be one (a predicate on a class); nothing of a value whose every object is known and
    none may be one (a user row in `if isinstance(obj, Product)`); a value with no object as it is."""
    syms = frozenset(Sym(wrap(o.path, AttrPath, name)) for o in g.objs if type(o) is Sym)
    kept = frozenset(o for o in g.objs if type(o) in (Instance, SelfObject) and may_be(o.cls))
    if not g.objs:
        return g
    if not syms and not kept:
        return NOTHING
    taint = {Sym(wrap(k.path, AttrPath, name)) if type(k) is Sym else k: t for k, t in g.taint.items()}
    return AbstractValue(taint, syms | kept, g.strs, g.keys)


def better(a: tuple, b: tuple) -> tuple:
    """Of two traces of one category, the one whose source names the data best (a read of stored
    data over a local name over a dict key: Origin.weight), then the shorter, ties broken by content."""
    if a is b:
        return a
    wa = a[0].weight if a and type(a[0]) is Origin else 0
    wb = b[0].weight if b and type(b[0]) is Origin else 0
    if wa != wb:
        return a if wa < wb else b
    if len(a) != len(b):
        return a if len(a) < len(b) else b
    return a if a <= b else b


def add_taint(taint: dict, key, trace: tuple) -> None:
    """Put a trace for `key`, keeping the better of two."""
    taint[key] = better(taint[key], trace) if key in taint else trace


def merge(*values: AbstractValue) -> AbstractValue:
    """The least upper bound; objects and strings beyond their caps keep the first by repr."""
    values = [v for v in values if v]
    if not values:
        return NOTHING
    if len(values) == 1:
        return values[0]
    taint: dict = {}
    for v in values:
        for k, t in v.taint.items():
            add_taint(taint, k, t)
    objs = frozenset().union(*(v.objs for v in values))
    if len(objs) > MAX_OBJS:
        objs = frozenset(ordered(objs)[:MAX_OBJS])
    strs = frozenset().union(*(v.strs for v in values))
    if len(strs) > MAX_STRS:
        strs = frozenset(capped(ordered(strs)))
    keys: dict = {}
    for v in values:
        for k, kv in v.keys.items():
            keys[k] = merge(keys[k], kv) if k in keys else kv
    return AbstractValue(taint, objs, strs, keys)


def extend(trace: tuple, step: Step) -> tuple:
    """A trace one step longer; past MAX_TRACE the middle is dropped, the ends kept."""
    trace = trace + (step,)
    if len(trace) > MAX_TRACE:
        trace = trace[: MAX_TRACE - 1] + trace[-1:]
    return trace


def extend_by(trace: tuple, steps: tuple) -> tuple:
    """A trace extended by several steps, in order: what `extend` one step at a time gives (its
    first MAX_TRACE - 1 entries stay, the last step ends it), in one concatenation."""
    trace = trace + steps
    if len(trace) > MAX_TRACE:
        trace = trace[: MAX_TRACE - 1] + trace[-1:]
    return trace


def retraced(g: AbstractValue, steps: tuple, once: bool = False) -> AbstractValue:
    """A value with every trace it holds, under its keys too, extended by `steps`; with `once`, a
    trace already through the last of them is left as it is (`order.total += fee.value` reads back
    what that assignment stored)."""
    if not g.taint and not g.keys:
        return g
    taint = {k: t if once and steps[-1] in t else extend_by(t, steps) for k, t in g.taint.items()}
    return AbstractValue(taint, g.objs, g.strs, {key: retraced(v, steps, once) for key, v in g.keys.items()})


def _strs_sym(strs) -> bool:
    return any(type(p) is Sym for s in strs for p in s)


def _client_sym(o) -> bool:
    """Does an object's destination (a client's, a reply's) depend on a parameter?"""
    if type(o) is Reply:
        return any(_strs_sym(alts) for _, alts in o.dests) or any(_client_sym(c) for c in o.clients)
    return type(o) is ClientObject and any(_strs_sym(alts) for _, alts in o.dests)


def params_unknown(g: AbstractValue) -> AbstractValue:
    """A value whose clients' destinations that depend on a parameter are unknown instead: of a
    function nobody calls, whose parameters no caller will give."""
    def known(o):
        if type(o) is not ClientObject or not _client_sym(o):
            return o
        return ClientObject(o.type, tuple((role, tuple(PARAMETER_OF_ROOT if any(type(p) is Sym for p in alt) else alt
                                                        for alt in alts)) for role, alts in o.dests), o.provider)
    return AbstractValue(g.taint, frozenset(map(known, g.objs)), g.strs, {k: params_unknown(v) for k, v in g.keys.items()})


def has_sym(g: AbstractValue) -> bool:
    """Does the value depend on the enclosing function's parameters?"""
    if any(type(k) is Sym for k in g.taint):
        return True
    if any(type(o) is Sym or _client_sym(o) for o in g.objs):
        return True
    return _strs_sym(g.strs) or any(has_sym(v) for v in g.keys.values())


def symbolic(g: AbstractValue) -> AbstractValue:
    """The part of a value that is the enclosing function's parameters' (read at the caller)."""
    return AbstractValue({k: t for k, t in g.taint.items() if type(k) is Sym}, frozenset(o for o in g.objs if type(o) is Sym))


def undecided(g: AbstractValue) -> AbstractValue:
    """The part of a value its callers still decide: what a parameter holds (Sym keys and objects,
    strings and destinations built from one), a category a parameter's name gave (CategoryKey.named)
    or one received from a parameter's replies; under its keys too. The rest is the same whoever
    calls (`concrete`): a store writes that where it is made, and passes on only this part, so that
    a function deep in a call graph does not hand its concrete data to every caller above it."""
    taint = {k: t for k, t in g.taint.items()
             if type(k) is Sym or k.named or any(type(r) is Sym for r in k.received)}
    keys = {k: part for k, v in g.keys.items() if (part := undecided(v))}
    return AbstractValue(taint, frozenset(o for o in g.objs if type(o) is Sym or _client_sym(o)),
                         frozenset(s for s in g.strs if any(type(p) is Sym for p in s)), keys)


def carries_category(g: AbstractValue) -> bool:
    """Does the value hold personal data of some category (itself or under a key)?"""
    return any(type(k) is CategoryKey for k in g.taint) or any(carries_category(v) for v in g.keys.values())


def constant(g: AbstractValue) -> bool:
    """A value written in the code: strings (or numbers) with no data, object or key."""
    return not (g.taint or g.objs or g.keys) and all(type(p) is Lit for alternative in g.strs for p in alternative)


def constant_text(g: AbstractValue) -> bool:
    """Is the value only text the program writes itself (`member_name="mayan_file"`, a module's
    constant): a constant with strings (an empty value may be anything nobody knows)?"""
    return bool(g.strs) and constant(g)


def written_text(g: AbstractValue) -> bool:
    """Is every string the value may be one the program starts itself (a template filled in:
    `PROMPT.format(...)`, f"Failed test: {summary}"), whatever it interpolates?"""
    return bool(g.strs) and all(alternative and type(alternative[0]) is Lit for alternative in g.strs)


def concrete(g: AbstractValue) -> AbstractValue:
    """The part of a value that does not depend on the enclosing function's parameters; a category
    a parameter's name gave stands as it is (what is stored is kept, whoever called)."""
    if not has_sym(g) and not any(type(k) is CategoryKey and k.named for k in g.taint):
        return g
    taint: dict = {}
    for k, t in g.taint.items():
        if type(k) is not Sym:
            add_taint(taint, CategoryKey(k.category, k.received) if k.named else k, t)
    return AbstractValue(taint,
                         frozenset(o for o in g.objs if type(o) is not Sym and not _client_sym(o)),
                         frozenset(s for s in g.strs if not any(type(p) is Sym for p in s)),
                         {k: concrete(v) for k, v in g.keys.items()})


def bounded(g: AbstractValue, depth: int = MAX_KEY_DEPTH) -> AbstractValue:
    """A value whose known keys nest at most `depth` deep, and hold at most MAX_KEYED keys in all
    (else less deep): below that, every value held is one value under a key not known statically
    (its data, objects and strings kept). A function that builds nested dicts from its own recursive
    result (a query compiler's {"bool": {"must": [child filters]}}) then reaches a fixpoint instead
    of nesting deeper each round, and mutually recursive ones (a person's profile holding its
    family's, holding its members') instead of growing by the breadth of each level. A key met again
    below itself holds its value folded (`{"item_id": {"item_id": ...}}`, a document built from the
    last one a recursive hook posted): such a value grows by one level each round, whatever the depth
    allowed."""
    kept = _bounded(g, depth, frozenset())
    while depth > 0 and _keyed(kept) > MAX_KEYED:
        depth -= 1
        kept = _bounded(g, depth, frozenset())
    return few_replies(kept)


def few_replies(g: AbstractValue) -> AbstractValue:
    """A value holding at most MAX_REPLIES keys of one category that differ only by the replies the
    data came in from (CategoryKey.received), under its keys too. Past that, they are one key: the
    category as received from any of those replies, or, beside the category from anywhere else,
    that key alone. A reply's only use is to silence data sent back to the one host that handed it
    out, which a union still does where all those replies came from that host; kept apart, the
    variants multiply with every call a value passes through (matrix-synapse's room handlers held
    hundreds of user ids, one per federation reply)."""
    keys = {k: few_replies(v) for k, v in g.keys.items()}
    counts: dict = {}
    for k in g.taint:
        if type(k) is CategoryKey and k.received and not k.named:
            counts[k.category] = counts.get(k.category, 0) + 1
    wide = {c for c, n in counts.items() if n > MAX_REPLIES}
    if not wide and all(keys[k] is v for k, v in g.keys.items()):
        return g
    taint: dict = {}
    joined: dict = {}
    for k, t in g.taint.items():
        if type(k) is CategoryKey and k.category in wide and k.received and not k.named:
            replies, trace = joined.get(k.category, (set(), None))
            joined[k.category] = (replies | set(k.received), t if trace is None else better(trace, t))
        else:
            taint[k] = t
    for category, (replies, trace) in joined.items():
        if CategoryKey(category) not in taint:
            taint[CategoryKey(category, tuple(ordered(replies)))] = trace
    return AbstractValue(taint, g.objs, g.strs, keys)


def _keyed(g: AbstractValue) -> int:
    return sum(1 + _keyed(v) for v in g.keys.values())


def _bounded(g: AbstractValue, depth: int, above: frozenset) -> AbstractValue:
    if not g.keys:
        return g
    if depth == 0:
        return AbstractValue(g.taint, g.objs, g.strs, {UNKNOWN_KEY: _folded(merge(*g.keys.values()))})
    keys = {k: _folded(v) if k in above else _bounded(v, depth - 1, above | {k}) for k, v in g.keys.items()}
    if all(keys[k] is v for k, v in g.keys.items()):
        return g
    return AbstractValue(g.taint, g.objs, g.strs, keys)


def without(g: AbstractValue, part: AbstractValue) -> AbstractValue:
    """`g` less what `part` carries at any depth (a list's top level less its elements' data: what
    else it holds)."""
    inner = _folded(part)
    return AbstractValue({k: t for k, t in g.taint.items() if k not in inner.taint}, g.objs - inner.objs, g.strs, g.keys)


def _folded(g: AbstractValue) -> AbstractValue:
    """A value with every value its keys hold, at any depth, merged into it."""
    if not g.keys:
        return g
    return merge(AbstractValue(g.taint, g.objs, g.strs), *(_folded(v) for v in g.keys.values()))


def settled(g: AbstractValue) -> AbstractValue:
    """A stored value keeps constant strings, and of a computed one its constant beginning, the
    rest collapsed into one 'unknown' (`f"{API}/repositories/{workspace}"` keeps its host), so
    string noise in object state does not re-trigger every reader (destinations are constants)."""
    if not g.strs or all(type(p) is Lit for s in g.strs for p in s):
        return g
    return AbstractValue(g.taint, g.objs, frozenset(_constant_start(s) for s in g.strs), g.keys)


def _constant_start(alternative: tuple) -> tuple:
    """A string alternative as stored: as it is when constant, else its leading constant pieces
    joined into one, followed by 'computed at run time'; one that starts computed keeps its
    constant end (`f"{base}/ping"`: a URL made here, not a value taken whole from elsewhere)."""
    count = next((i for i, p in enumerate(alternative) if type(p) is not Lit), len(alternative))
    if count == len(alternative):
        return alternative
    if count == 0:
        end = len(alternative) - next((i for i, p in enumerate(reversed(alternative)) if type(p) is not Lit), len(alternative))
        tail = alternative[end:]
        return (*UNKNOWN_COMPUTED, Lit("".join(p.text for p in tail), tail[0].where)) if tail else UNKNOWN_COMPUTED
    return (Lit("".join(p.text for p in alternative[:count]), alternative[0].where), *UNKNOWN_COMPUTED)


def expand(alternatives, resolve) -> frozenset:
    """String alternatives with their symbolic parts replaced by what those stand for.

    `resolve(part)` gives the alternatives of a part, or None to keep the part as it is; the
    product is bounded to MAX_STRS alternatives of MAX_PARTS parts."""
    out = set()
    for parts in alternatives:
        options = [()]
        for p in parts:
            found = resolve(p)
            choices = [(p,)] if found is None else (ordered(found) or [NOT_A_CONSTANT])
            options = list(capped([o + c for o in options for c in choices]))
        out |= {o[:MAX_PARTS] for o in options}
    return frozenset(capped(ordered(out)))


def received_from(g: AbstractValue) -> tuple:
    """The replies a value only came in from: every object a Reply whose destination is known
    here, all taint already received, no keys; () when anything else is in it (local data, a
    dict built here). A parameter (Sym) stands for whatever its caller's value came in from: the
    caller decides (Substitution.received_key)."""
    if not g.objs or g.keys:
        return ()
    replies = set(g.objs)
    if any(not (type(o) is Sym or type(o) is Reply and not _client_sym(o)) for o in replies):
        return ()
    for k in g.taint:
        if type(k) is Sym:
            replies.add(k)
        elif type(k) is not CategoryKey or not k.received:
            return ()
        else:
            replies.update(k.received)
    return tuple(ordered(replies))


def decided(received: tuple) -> tuple:
    """CategoryKey.received of a flow reported here: a parameter no caller decided for is no reply."""
    return () if any(type(r) is Sym for r in received) else received


# Sources recognised by the name a value is given (not by a call's contract, not a model field):
# what they stand for is the value named, so a name given to received data labels received data
# (a parameter's: what its caller passes, decided there).
NAMING_SHAPES = ("variable", "parameter", "key", "attribute", "keyword")
# Of those, the names a caller decides (Substitution.named_key): a parameter, a key read off one, a
# variable given what came in through one.
CALLER_NAMED_SHAPES = ("variable", "parameter", "key")


def source_value(module, index: int, received: tuple = ()) -> AbstractValue:
    """The taint of source `index` of a module: keyed by category, since a finding is one per
    (category, sink, destination), so only the best trace per category matters. `received`: the
    replies the named value only came in from (see CategoryKey), for sources by name."""
    s = module.sources[index]
    if not s.category:  # a source its rule's `needs` left inert (SourceRules.idle)
        return NOTHING
    step = Step(module.path, s.loc, f"source: {s.expression} ({s.category})")
    named = tuple(r for r in received if type(r) is Sym) if s.shape in CALLER_NAMED_SHAPES else ()
    key = CategoryKey(s.category, received if s.shape in NAMING_SHAPES else (), named)
    return AbstractValue({key: (Origin(module.path, index, SOURCE_WEIGHT.get(s.shape, 1)), step)})
