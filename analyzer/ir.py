"""The flow IR: every kind of value the analysis passes between stages, one small type each.

The summarizer describes each expression of a function by a `Val`: a set of *atoms* (what the
value is built from: a parameter, a call's result, a field, a source...), string *alternatives*
(lists of parts, for URLs and regions) and known dict keys. The global stage (propagate) turns
atoms into abstract values whose *objects* say what a value may be at run time (an instance of a
project class, a library client with its destination, a function...) and whose *taint* maps a
key (a category, or a parameter of the enclosing function) to its best *trace*.

Every kind is a NamedTuple: as cheap to hash, compare and pickle as the plain tuples it replaced.
Each carries its kind as a last, defaulted field, so that two kinds with equal fields never
compare equal (tuples compare by content). Code dispatches on the type (`match`), never on the
kind string, and never sets it.
"""

from __future__ import annotations

from typing import NamedTuple

MAX_STRS = 6  # alternatives kept per string value (then BEYOND_CAP stands for the others)
MAX_PARTS = 12  # pieces kept per string alternative
MAX_DEPTH = 3  # access-path depth kept on atoms (order.customer.email)


def ordered(items) -> list:
    """Items of a set in an order that does not depend on hashing (by repr), so that results are
    the same in every process; one item or none needs no sorting."""
    return list(items) if len(items) < 2 else sorted(items, key=repr)


# ----------------------------------------------------------------------------- atoms


class SourceRef(NamedTuple):
    """Personal-data source number `index` of the module (ModuleSummary.sources); with `unless`, a
    local's name that says nothing where call site `unless` gives text the program writes."""
    index: int
    kind: str = "source"
    unless: int | None = None


class ParamRef(NamedTuple):
    """The value of a parameter of the enclosing function."""
    name: str
    kind: str = "param"


class CallResult(NamedTuple):
    """What call site number `call` of the module returns."""
    call: int
    kind: str = "call"


class GlobalRef(NamedTuple):
    """A module-level variable (or a module attribute: settings.API_URL)."""
    module: str
    name: str
    kind: str = "global"


class FieldRef(NamedTuple):
    """Attribute `attr` of the instances of project class `cls` (self.attr)."""
    cls: str
    attr: str
    kind: str = "field"


class AttrPath(NamedTuple):
    """Attribute `name` read on another value (an access path one step longer)."""
    base: tuple
    name: str
    kind: str = "attr"


class ItemPath(NamedTuple):
    """A subscript with the constant key `key` on another value (UNKNOWN_KEY: a key not known statically)."""
    base: tuple
    key: str
    kind: str = "item"


# The dict key that stands for "a key not known statically": under it a dict keeps the values it
# holds under computed keys ({Region.US: url}); read with it (d[region]) a dict gives every value
# it holds. A NUL character never starts a key written in source code.
UNKNOWN_KEY = "\0?"
# The dict key under which a dict the code builds keeps what its keys carry ({user.email: otp},
# `tokens[serial] = record`): a loop over the dict, `.keys()` and the first of `.items()`' pairs
# take that, not the values. A dict literal holds it even when every key is a constant (it is then
# empty): it says the value is a mapping, not a list.
DICT_KEYS = "\0keys"


def position(index: int) -> str:
    """The key under which a tuple keeps its item at `index` (a NUL never starts a source key)."""
    return f"\0{index}"


def is_position(key: str) -> bool:
    return key[:1] == "\0" and key[1:].isdigit()


def key_text(key: str) -> str:
    """A subscript as written in messages: `['email']`, `[0]` for a tuple's item, or `[...]` for a
    key not known statically."""
    if key == UNKNOWN_KEY:
        return "[...]"
    return f"[{key[1:]}]" if is_position(key) else f"[{key!r}]"


class ProjectRef(NamedTuple):
    """A function, class or lambda defined in the project, used as a value."""
    qualname: str
    kind: str = "project"


class LibraryRef(NamedTuple):
    """An imported library name used as a value (requests, boto3.client)."""
    qualname: str
    kind: str = "library-ref"


class SelfRef(NamedTuple):
    """The receiver of a method of project class `cls`."""
    cls: str
    kind: str = "self-ref"


class ArgOut(NamedTuple):
    """What a project call put into a dict or list its caller passed it (`_build_data(email, data)`
    fills `data`): the callee's writes to the parameter the argument at `position` (or keyword
    `name`) went to, as that call site sees them (Frame.call_outs)."""
    call: int
    position: int | None
    name: str | None
    kind: str = "argout"


class Poured(NamedTuple):
    """What an attribute assignment puts on a local (`msg.to = [email]`): part of what a library
    object holds, sent whole with it; not part of a project object, whose field keeps it apart
    (FieldWrite), so that `f.owner = user` does not make `f.pk` the user. `target`: the local's
    atoms before; both in `ordered` order, so that the atom's repr is the same in every process.
    `attr`: the attribute assigned; reading another one of the local reads none of it."""
    target: tuple
    value: tuple
    attr: str = ""
    kind: str = "poured"


class Mutation(NamedTuple):
    """What a mutator method call (flow.toml mutators: `payload.update(d)`, `conn.add(dn, attrs)`) puts
    into its receiver: `value`, unless the receiver is a library client whose own method of that name a
    sink models (ldap3's `Connection.add`, SQLAlchemy's `Session.add`, a file's `write`): that call
    sends or stores the data, the client does not keep it for its later calls. `call`: the call site."""
    call: int
    value: tuple
    kind: str = "mutation"


def mutation(call: int, value: "Val") -> "Val":
    """A mutator call's poured value, every part of it (keys too) conditional on its receiver (Mutation)."""
    atoms = frozenset({Mutation(call, tuple(ordered(value.atoms)))}) if value.atoms else frozenset()
    return Val(atoms, value.strs, tuple((k, mutation(call, v)) for k, v in value.keys))


PATHS = (AttrPath, ItemPath)


def wrap(atom: tuple, path: type, name: str) -> tuple:
    """An access path one step longer (AttrPath or ItemPath), bounded in depth. A narrowing (IS_A:
    `isinstance(obj, Event)`) says which objects a value may be, not which part of it is read: a
    step past the depth drops the path's narrowings to make room, so that `obj.organizer.slug` of a
    narrowed `obj` stays the slug, not the organizer itself."""
    depth, inner = 0, atom
    while type(inner) in PATHS:
        depth, inner = depth + 1, inner.base
    if depth < MAX_DEPTH:
        return path(atom, name)
    bare = atom if path is AttrPath and name.startswith(IS_A) else unnarrowed(atom)
    return atom if bare is atom else path(bare, name)


def unnarrowed(atom: tuple) -> tuple:
    """An access path without its narrowings (IS_A steps); the same object when it has none."""
    if type(atom) not in PATHS:
        return atom
    base = unnarrowed(atom.base)
    if type(atom) is AttrPath and atom.name.startswith(IS_A):
        return base
    return atom if base is atom.base else atom._replace(base=base)


# The attribute name that stands for "every field": a taint key Sym(AttrPath(path, WHOLE)) is the
# caller's value at `path` sent whole, its model objects' fields folded in, where the key Sym(path) is
# only what that value carries itself (reading one field of an object carries that field, not all).
WHOLE = "\0*"


def whole(sym: "Sym") -> "Sym":
    """The key for a parameter's value sent whole (not bounded in depth: it is a mark, not a read)."""
    return Sym(AttrPath(sym.path, WHOLE))


# The attribute name prefix that stands for "made into text": a taint key Sym(AttrPath(path, TEXT +
# "str")) is str() of the caller's value at `path`: what its class's __str__ returns, where the class
# defines one in project code, else the value sent whole.
TEXT = "\0text:"


# The attribute name prefix that stands for "rendered into a template the caller names": a taint key
# Sym(AttrPath(path, RENDER + n)) is what the templates named by deferred render n (a template name
# made from the callee's parameters, `render_to_string("%s.txt" % template, {"user": recipient})`)
# write out of the caller's value at `path`, placed in the context as that render placed it.
RENDER = "\0render:"

# The attribute name prefix that stands for "what calling the parameter gives": Sym(AttrPath(path, CALLED
# + n)) is the value of the caller's callable at `path` called as deferred call n was (driver
# Analysis.called_by_index; `message = builder(**kwargs); message.send()` sends what the builder the
# caller passes returns).
CALLED = "\0called:"

# The attribute name that stands for "as a plain string or number": a variable that `isinstance(x,
# str)` proved one (in that branch) is read as AttrPath(x, SCALAR): what x carries itself, never the
# fields of an object it is elsewhere.
SCALAR = "\0scalar"

# The attribute name that stands for "a number computed from": `line.unit_price * line.quantity` is
# AttrPath(x, NUMBER) of each operand: what they carry, less the categories of a record as a whole
# (a total computed from the lines of an order is an amount, not the purchase).
NUMBER = "\0number"

# The attribute name prefix that stands for "an instance of these classes": a variable that
# `isinstance(x, C)` proved one (in that branch) is read as AttrPath(x, IS_A + "C,D"): the objects
# of x that may be a C or a D; none of another class's (a user row is never a product).
IS_A = "\0isa:"

# The attribute name that stands for "the data a constant key names": AttrPath(ParamRef(k), KEY_NAMED)
# is what a function reads by its parameter `k` (`data[k]`, `data.get(k)`), named by the constant the
# caller passes as `k` (`get_required(params, "username")` reads a user name), decided at each call
# site (Substitution) from the key source the caller's summary keeps on that literal.
KEY_NAMED = "\0key-named"

# The item key prefix that stands for "the item under the key the caller passes": ItemPath(ParamRef(d),
# KEY_OF + "k") is `d[k]` (`d.get(k)`) with `k` a parameter too, read at each call site under the
# constant the caller gives (`get_optional(params, "description")` is the description, not the
# params' `otpkey`); any item where the caller's key is not a constant (Substitution.caller_keys).
KEY_OF = "\0key-of:"


def text(sym: "Sym", function: str) -> "Sym":
    """The key for a parameter's value made into text by `function` (str, repr, format)."""
    return Sym(AttrPath(sym.path, TEXT + function))


# The attribute name prefix that stands for "encoded as a request part" (flow.toml json_params,
# text_params): a taint key Sym(AttrPath(path, ENCODED + "json")) is the caller's value at `path` as
# json.dumps sends it (no object's fields), ENCODED + "text" as str() sends it (an object's __str__).
ENCODED = "\0encoded:"


def encoded(sym: "Sym", how: str) -> "Sym":
    """The key for a parameter's value sent encoded `how` ("json" or "text")."""
    return Sym(AttrPath(sym.path, ENCODED + how))


def path_root(atom: tuple) -> tuple:
    """The atom an access path starts from."""
    while type(atom) in PATHS:
        atom = atom.base
    return atom


# ----------------------------------------------------------------------------- string parts


class Lit(NamedTuple):
    """A constant piece of text, and the located node it was written at ((path, loc) or None)."""
    text: str
    where: tuple | None
    kind: str = "lit"


class StrOf(NamedTuple):
    """The string value of an atom, known once the atom is resolved."""
    atom: tuple
    kind: str = "str-of"


class Unknown(NamedTuple):
    """A piece nobody can know statically, and why."""
    why: str
    kind: str = "unknown"


# The alternative that stands for those dropped past MAX_STRS: resolved as an unknown destination
# (XB201), so that a foreign host beyond the cap is never dropped without a word.
BEYOND_CAP = (Unknown(f"one of more than {MAX_STRS} alternatives; the others were not kept"),)


def capped(alternatives) -> tuple:
    """At most MAX_STRS string alternatives, the first ones in the given order, and BEYOND_CAP
    after them when there were more."""
    if len(alternatives) <= MAX_STRS and BEYOND_CAP not in alternatives:
        return tuple(alternatives)
    return (*[a for a in alternatives if a != BEYOND_CAP][:MAX_STRS], BEYOND_CAP)


class Sym(NamedTuple):
    """The caller's value at an access path of a parameter (global stage): as a taint key, an
    object or a string part, it is replaced when a caller binds the parameter."""
    path: tuple
    kind: str = "sym"


# ----------------------------------------------------------------------------- callees


class StaticCallee(NamedTuple):
    """A call of a name known where it is written: a project function or class, or a library name."""
    qualname: str
    kind: str = "static"


class MethodCallee(NamedTuple):
    """`receiver.name(...)`: a method on a value."""
    receiver: "Val"
    name: str
    kind: str = "method"


class DynamicCallee(NamedTuple):
    """A call of a computed value (a callback, a lambda, a subscript)."""
    value: "Val"
    kind: str = "dynamic"


class DecoratedCallee(NamedTuple):
    """What a function's decorators made of it (`value`), called where it is defined as its callers
    (a framework) will call it: only a function they made (a project decorator's wrapper), never
    `function` itself, which a registering or library decorator hands back."""
    value: "Val"
    function: str
    kind: str = "decorated"


class SuperCallee(NamedTuple):
    """`super().name(...)` inside a method of `cls`."""
    cls: str
    name: str
    kind: str = "super"


# ----------------------------------------------------------------------------- objects


class Instance(NamedTuple):
    """An instance of project class `cls`."""
    cls: str
    kind: str = "instance"


class SelfObject(NamedTuple):
    """An object of `cls` or of a subclass: the receiver inside a method of `cls`, a parameter
    annotated `cls`; a call on it also reaches subclass overrides."""
    cls: str
    kind: str = "self"


class ClassObject(NamedTuple):
    """A project class as a value (calling it constructs an Instance)."""
    cls: str
    kind: str = "class"


class LoadedClass(NamedTuple):
    """A project class loaded by a name the scan does not know (`import_string(settings.BACKEND)`):
    calling it makes a LoadedInstance."""
    kind: str = "loaded-class"


class LoadedInstance(NamedTuple):
    """An instance of a project class loaded by name: a method call on it runs that method of the
    (few) project classes that define it."""
    kind: str = "loaded-instance"


class LoadedModule(NamedTuple):
    """A project module loaded by a name the scan does not know (`import_module(package)`): what is
    read from it is a class loaded by name (LoadedClass)."""
    kind: str = "loaded-module"


class TemplateObject(NamedTuple):
    """A template loaded by name (`get_template("mail/welcome.html")`): the name's string
    alternatives; or made from text written in the code (`Template("Hello {{ user.name }}")`): those
    texts. Rendering it writes out what that template reads of its context."""
    names: tuple
    texts: tuple = ()
    kind: str = "template"


class FunctionObject(NamedTuple):
    """A project function or lambda as a value."""
    qualname: str
    kind: str = "function"


class ModuleObject(NamedTuple):
    """A project module as a value."""
    name: str
    kind: str = "module"


class ManagerObject(NamedTuple):
    """A query manager of project model `cls` (Customer.objects): its queries return instances."""
    cls: str
    kind: str = "manager"


class LibraryObject(NamedTuple):
    """A library value the rules may know (requests.post, boto3.client)."""
    qualname: str
    kind: str = "library"


class LibraryResult(NamedTuple):
    """What an unmodelled library function made of the project's data (`decode(invoice)`): its attributes
    are parts of it nobody can name, so reading one gives none of what went in, but for one named as a
    keyword it was given (`keywords`)."""
    qualname: str
    keywords: tuple
    kind: str = "library result"


class ClientObject(NamedTuple):
    """A library client carrying its destination: `dests` is ((role, string alternatives), ...)."""
    type: str
    dests: tuple
    provider: str | None
    kind: str = "client"


class Reply(NamedTuple):
    """What a network sink call answered (a response, its JSON, any part of it): data received from
    that call's destination, which is the sink `callee`'s destination arguments ((role, string
    alternatives), ...) and the ClientObjects it was called on."""
    callee: str
    dests: tuple
    clients: tuple
    kind: str = "reply"


class ClientPath(NamedTuple):
    """A path into a client's API (client.chat.completions)."""
    client: ClientObject
    path: str
    kind: str = "client-path"


class BoundMethod(NamedTuple):
    """A project method bound to its receiver (an object, or None for a class attribute)."""
    method: str
    receiver: tuple | None
    kind: str = "bound"


class PartialObject(NamedTuple):
    """What functools.partial made at a call site ((path, loc))."""
    site: tuple
    kind: str = "partial"


class SignalObject(NamedTuple):
    """A signal receivers connect to: a project's own `Signal()` (named by where it is made) or a
    library signal (its qualified name)."""
    key: str
    kind: str = "signal"


class SignalCall(NamedTuple):
    """`connect` or `send` of signals (bound to them, so also a value: `@sig.connect()` and
    `receiver(sig)` are decorators that connect what they decorate)."""
    signals: tuple  # signal keys
    action: str  # "connect" | "send"
    senders: tuple = ()  # project classes a receiver is connected for (sender=Model)
    kind: str = "signal-call"


class Receiver(NamedTuple):
    """A callable connected to a signal, for the senders it was connected for (none: all)."""
    function: tuple  # FunctionObject | BoundMethod
    senders: tuple
    kind: str = "receiver"


# ----------------------------------------------------------------------------- call targets


class Deferred(NamedTuple):
    """A call on a parameter: resolved once a caller says what the parameter is."""
    kind: str = "deferred"


class Awaited(NamedTuple):
    """A call on a field its class sets that no pass has stored yet: it answers nothing until one has."""
    kind: str = "awaited"


class QueuedCall(NamedTuple):
    """A function handed to a task queue (task.delay(...), queue.enqueue(f, ...)): it runs later,
    elsewhere, with the arguments the queueing call passes in the way `style` says."""
    function: tuple  # a callable object: FunctionObject, BoundMethod, PartialObject
    style: str  # "call" (task.delay(*a, **k)), "options" (apply_async(args=, kwargs=)), "first" (enqueue(f, *a))
    kind: str = "queued"


class ClientMethod(NamedTuple):
    """Method `method` of library client type `type`, on the client it was called on."""
    type: str
    method: str
    client: ClientObject
    kind: str = "client-method"


# ----------------------------------------------------------------------------- taint


class CategoryKey(NamedTuple):
    """Taint of one personal-data category (a finding is one per category, sink and destination).
    `received`: the Replies (ordered) the data was read out of, when a name labels a value that
    only came in from the network; () for data from anywhere else. `named`: the parameters (Syms)
    whose name alone gave the category (`def greet(user_name)`): what the caller passes decides it
    (Substitution.named_key); () once decided, or for any other source."""
    category: str
    received: tuple = ()
    named: tuple = ()
    kind: str = "category"


class Origin(NamedTuple):
    """Where a trace starts: source number `index` of the module at `path`. `weight` ranks how
    well the source names the data where it comes from: 0 a read of stored data (customer.email,
    a model field), 1 a local name (a variable or parameter called email), 2 a dict key or keyword
    argument called email; of two traces of a category the lighter one is cited."""
    path: str
    index: int
    weight: int = 0
    kind: str = "origin"


class Step(NamedTuple):
    """One hop of a trace: the located node `loc` of the module at `path`, and what happened there."""
    path: str
    loc: int
    note: str
    kind: str = "step"


# ----------------------------------------------------------------------------- summary values


class Val(NamedTuple):
    """The abstract value of an expression inside one function."""

    atoms: frozenset = frozenset()
    strs: tuple = ()  # alternatives: tuple of tuples of string parts, at most MAX_STRS (ir.capped)
    keys: tuple = ()  # known dict keys: tuple of (key, Val), sorted

    def keyed(self) -> dict:
        return dict(self.keys)

    def with_keys(self, keys: dict) -> "Val":
        """This value holding `keys` (a dict as `keyed` gives it) instead of its own."""
        return Val(self.atoms, self.strs, tuple(sorted(keys.items())))

    def __or__(self, other: "Val") -> "Val":
        return join(self, other)


EMPTY = Val()


def join(*vals: Val) -> Val:
    """The least upper bound: atoms united, string alternatives kept in order, keys joined."""
    vals = [v for v in vals if v is not None and v != EMPTY]
    if not vals:
        return EMPTY
    if len(vals) == 1:
        return vals[0]
    atoms = frozenset().union(*(v.atoms for v in vals))
    strs = []
    for v in vals:
        for s in v.strs:
            if s not in strs:
                strs.append(s)
    keys: dict = {}
    for v in vals:
        for k, kv in v.keys:
            keys[k] = join(keys[k], kv) if k in keys else kv
    return Val(atoms, capped(strs), tuple(sorted(keys.items())))
