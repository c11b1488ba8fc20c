"""Binding: which argument of a call goes to which parameter, for project functions (their
summarized signature) and library calls (the signature a catalog rule gives)."""

from __future__ import annotations

from ..ir import UNKNOWN_KEY, ClassObject, GlobalRef, LibraryRef, Lit, ParamRef, ProjectRef, Sym, is_position, position
from ..summary import DOUBLE_STAR
from .lattice import NOTHING, AbstractValue, merge, objects


def is_literal(g: AbstractValue | None, expected: str) -> bool:
    """Is the value exactly this constant string?"""
    if g is None:
        return False
    return any(len(s) == 1 and type(s[0]) is Lit and s[0].text == expected for s in g.strs)


MAX_PLACES = 8  # a spread into more positional parameters gives each all of it (Django's `super().__init__(*args)` into a Field's twenty)


def placed(g: AbstractValue) -> bool:
    """Are a spread value's items known at their places: a tuple written out (its position keys), or
    a parameter of the caller handed on whole (`def relay(*args): deliver(*args)`), whose items each
    caller of that function binds at their places?"""
    if any(is_position(k) for k in g.keys):
        return True
    if g.keys or len(g.objs) != 1 or type(o := next(iter(g.objs))) is not Sym or type(o.path) is not ParamRef:
        return False
    return all(k == o for k in g.taint) and all(s == (o,) for s in g.strs)


def _spread(g: AbstractValue) -> tuple[dict, AbstractValue]:
    """A **mapping: its known keys (keyword arguments by name), and the rest of it."""
    return g.keys, AbstractValue(g.taint, g.objs, g.strs)


def bind_library(params: tuple, args: tuple) -> dict:
    """Arguments of a library call by parameter name (positional ones through the rule's signature;
    a **mapping's known keys by their names, the rest of it under DOUBLE_STAR)."""
    bound: dict = {}
    for arg, g in args:
        if arg.name == DOUBLE_STAR:
            keys, rest = _spread(g)
            for name, value in keys.items():
                bound[name] = merge(bound[name], value) if name in bound else value
            if rest:
                bound[DOUBLE_STAR] = merge(bound[DOUBLE_STAR], rest) if DOUBLE_STAR in bound else rest
            continue
        if arg.name is not None and not arg.starred:
            names = [arg.name]
        elif arg.position is not None and not arg.starred and arg.position < len(params):
            names = [params[arg.position]]
        else:
            names = [f"#{arg.position if arg.position is not None else arg.name}"]
            if arg.starred and arg.position is not None:
                names += params[arg.position:]  # f(*args): any parameter from here on may get it
        for name in names:
            bound[name] = merge(bound[name], g) if name in bound else g
    return bound


HELD = (GlobalRef, LibraryRef, ProjectRef)  # what a module, a library or the settings hold, read where the program is


def computed_params(params: tuple, args: tuple) -> frozenset:
    """The parameters of a library call given a value computed at run time (a field of an object, a
    call's result, a parameter), not one the program holds (`None`, a number, a module constant or a
    setting the project sets: `SENTRY_DSN = None` is no DSN)."""
    marked = tuple((arg, AbstractValue(strs=frozenset({("",)})) if any(type(a) not in HELD for a in arg.value.atoms)
                    else AbstractValue()) for arg, _ in args)
    return frozenset(name for name, g in bind_library(params, marked).items() if g)


class ProjectBinding:
    """Which argument of a project call goes to which parameter (`binding`: by parameter name, the
    receiver bound to the first). A `**mapping` whose keys are not
    known here (the caller's own `**kwargs`) gives each parameter its item under the parameter's
    name, so that `def notify(**kwargs): base.notify(**kwargs)` hands each keyword on to its own
    parameter, not every keyword to every one. Arguments past the positional parameters reach an
    `*args` the function spreads, unpacks or hands on as `args=` (Parameter.by_place) as a whole
    and each at its place, so that a function handing its `*args` on (`def relay(*args):
    deliver(*args)`, a task's `apply_async(args=args)`) gives each parameter the caller's argument
    at that place, as a tuple written out does; any other `*values` gives all of itself to each
    positional parameter from its place on."""

    def __init__(self, f, self_obj, args: tuple, item):
        params = list(f.params)
        self.binding: dict = {}
        if self_obj is not None and params and not f.is_static:
            self.binding[params[0].name] = objects(ClassObject(self_obj.cls) if f.is_classmethod else self_obj)
            params = params[1:]
        self.params = params
        self.item = item
        self.positional = [p for p in params if p.kind == "positional"]
        self.by_name = {p.name: p for p in params}
        self.varargs = next((p.name for p in params if p.kind == "varargs"), None)
        self.by_place = any(p.kind == "varargs" and p.by_place for p in params)
        self.varkw = next((p.name for p in params if p.kind == "varkw"), None)
        # A parameter given by name or position cannot also come from a spread (a TypeError): the
        # headers a caller passes by name are not in the **kwargs it passes on.
        self.given = {arg.name for arg, _ in args if arg.name is not None and not arg.starred} | \
            {self.positional[arg.position].name for arg, _ in args
             if arg.name is None and not arg.starred and arg.position is not None and arg.position < len(self.positional)} \
            if any(arg.starred for arg, _ in args) else set()
        for arg, g in args:
            self.bind(arg, g)
        if self.by_place and not any(arg.starred and arg.name != DOUBLE_STAR for arg, _ in args):
            # the caller's arguments are all known: past them, an `*args` handed on has nothing
            # (`wrapper(self)` calling `func(*args)` leaves func's other parameters their defaults)
            extra = sum(1 for arg, _ in args if arg.name is None and arg.position is not None and arg.position >= len(self.positional))
            self.put(self.varargs, AbstractValue(keys={position(i): NOTHING for i in range(extra, MAX_PLACES)}))

    def param_of(self, arg) -> str | None:
        """The parameter an argument given by name or position goes to, if one is."""
        if arg.starred or arg.name == DOUBLE_STAR:
            return None
        if arg.name is not None:
            return arg.name if arg.name in self.by_name else None
        return self.positional[arg.position].name if arg.position is not None and arg.position < len(self.positional) else None

    def put(self, name: str, g: AbstractValue) -> None:
        self.binding[name] = merge(self.binding[name], g) if name in self.binding else g

    def bind(self, arg, g: AbstractValue) -> None:
        if arg.name == DOUBLE_STAR:
            keys, g = _spread(g)
            for name, value in keys.items():
                if name in self.by_name:
                    self.put(name, value)
                elif self.varkw:
                    self.put(self.varkw, AbstractValue(keys={name: value}))
            if g:
                self.rest_of_mapping(g)
        elif arg.name is not None:
            if arg.name in self.by_name:
                self.put(arg.name, g)
            elif self.varkw:
                self.put(self.varkw, AbstractValue(keys={arg.name: g}))
        elif arg.starred:
            taken = self.positional[arg.position or 0:]
            spread = len(taken) <= MAX_PLACES and placed(g)
            for index, p in enumerate(taken):
                if p.name not in self.given:
                    self.put(p.name, self.item(g, position(index)) if spread else g)
            if self.varargs:  # what the parameters took leaves the rest at places not known here: all of it
                self.put(self.varargs, self.item(g, UNKNOWN_KEY) if spread and taken else g)
        elif arg.position < len(self.positional):
            self.put(self.positional[arg.position].name, g)
        elif self.by_place:
            self.put(self.varargs, merge(g, AbstractValue(keys={position(arg.position - len(self.positional)): g})))
        elif self.varargs:
            self.put(self.varargs, g)

    def rest_of_mapping(self, g: AbstractValue) -> None:
        """A **mapping's keys not known here: each parameter its item under its name."""
        for p in self.params:
            if p.kind in ("positional", "keyword") and p.name not in self.given:
                self.put(p.name, self.item(g, p.name))
        if self.varkw:
            self.put(self.varkw, g)


def bind_fields(declared: list, args: tuple, item) -> list:
    """The fields a constructor without an __init__ (dataclass, pydantic, attrs, NamedTuple) fills:
    arguments by name or by the order the fields are declared in; from a **mapping, each declared
    field's value in it (`item(mapping, field)`: its key, or the parameter's path)."""
    fields = []
    for arg, g in args:
        if arg.name == DOUBLE_STAR:
            fields += [(name, item(g, name)) for name in declared]
        elif not arg.starred and (name := arg.name or (declared[arg.position] if arg.position is not None
                                                       and arg.position < len(declared) else None)):
            fields.append((name, g))
    return [(name, value) for name, value in fields if value]


def spread_arguments(f, args: tuple) -> tuple:
    """The arguments a method (its receiver left out) takes into its *args and **kwargs, as the
    arguments of the call it hands them on to (`super().__init__(*args, **kwargs)`): keywords it
    names no parameter for, and positions past its own, moved to the front."""
    params = list(f.params)[1:]
    named = {p.name for p in params if p.kind in ("positional", "keyword")}
    positional = sum(1 for p in params if p.kind == "positional")
    varargs, varkw = (any(p.kind == kind for p in params) for kind in ("varargs", "varkw"))
    spread = []
    for arg, g in args:
        if arg.name is not None and (arg.name == DOUBLE_STAR or arg.name not in named) and varkw:
            spread.append((arg, g))
        elif arg.name is None and not arg.starred and arg.position is not None and arg.position >= positional and varargs:
            spread.append((arg._replace(position=arg.position - positional), g))
    return tuple(spread)


def shift_positions(args: tuple, by: int) -> tuple:
    """Arguments with their positions moved by `by` (the callable or a partial's bound ones taken
    off the front, or put before them); keyword arguments stay."""
    return tuple((a._replace(position=a.position + by) if a.position is not None else a, g) for a, g in args)
