"""Binding: which argument of a call goes to which parameter, for project functions (their
summarized signature) and library calls (the signature a catalog rule gives)."""

from __future__ import annotations

from ..ir import ClassObject, Lit
from ..summary import DOUBLE_STAR
from .lattice import AbstractValue, merge, objects


def is_literal(g: AbstractValue | None, expected: str) -> bool:
    """Is the value exactly this constant string?"""
    if g is None:
        return False
    return any(len(s) == 1 and type(s[0]) is Lit and s[0].text == expected for s in g.strs)


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


def bind_project(f, self_obj, args: tuple) -> dict:
    """Arguments of a project call by parameter name, with the receiver bound to the first."""
    params = list(f.params)
    binding: dict = {}
    if self_obj is not None and params and not f.is_static:
        binding[params[0].name] = objects(ClassObject(self_obj.cls) if f.is_classmethod else self_obj)
        params = params[1:]
    positional = [p for p in params if p.kind == "positional"]
    by_name = {p.name: p for p in params}
    varargs = next((p.name for p in params if p.kind == "varargs"), None)
    varkw = next((p.name for p in params if p.kind == "varkw"), None)

    def put(name, g):
        binding[name] = merge(binding[name], g) if name in binding else g

    # A parameter given by name or position cannot also come from a spread (a TypeError): the
    # headers a caller passes by name are not in the **kwargs it passes on.
    given = {arg.name for arg, _ in args if arg.name is not None and not arg.starred} | \
        {positional[arg.position].name for arg, _ in args
         if arg.name is None and not arg.starred and arg.position is not None and arg.position < len(positional)} \
        if any(arg.starred for arg, _ in args) else set()
    for arg, g in args:
        if arg.name == DOUBLE_STAR:
            keys, g = _spread(g)
            for name, value in keys.items():
                if name in by_name:
                    put(name, value)
                elif varkw:
                    put(varkw, AbstractValue(keys={name: value}))
            if not g:
                continue
        if arg.starred:
            for p in positional if arg.name is None else [p for p in params if p.kind in ("positional", "keyword")]:
                if p.name not in given:
                    put(p.name, g)
            if varargs and arg.name is None:
                put(varargs, g)
            if varkw and arg.name is not None:
                put(varkw, g)
        elif arg.name is not None:
            if arg.name in by_name:
                put(arg.name, g)
            elif varkw:
                put(varkw, AbstractValue(keys={arg.name: g}))
        elif arg.position < len(positional):
            put(positional[arg.position].name, g)
        elif varargs:
            put(varargs, g)
    return binding


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


def shift_positions(args: tuple, by: int) -> tuple:
    """Arguments with their positions moved by `by` (the callable or a partial's bound ones taken
    off the front, or put before them); keyword arguments stay."""
    return tuple((a._replace(position=a.position + by) if a.position is not None else a, g) for a, g in args)
