"""Binding arguments to a library rule's parameters and a project function's (propagate/binding.py)."""

from __future__ import annotations

from xborder.ir import EMPTY, ItemPath, Lit, ParamRef, Sym, position
from xborder.propagate.binding import bind_library, bind_project
from xborder.propagate.lattice import AbstractValue
from xborder.summary import Arg, FunctionSummary, Parameter


def _text(value: str) -> AbstractValue:
    return AbstractValue(strs=frozenset({(Lit(value, None),)}))


def test_a_starred_argument_reaches_every_parameter_from_its_position_on():
    host, rest = _text("smtp.example.com"), _text("rest")
    bound = bind_library(("from_addr", "to_addrs", "msg"), ((Arg(0, None, EMPTY, False), host), (Arg(1, None, EMPTY, True), rest)))
    assert bound["from_addr"] is host
    assert bound["to_addrs"] is rest and bound["msg"] is rest


def test_a_starred_argument_past_the_parameters_binds_none_of_them():
    bound = bind_library(("url",), ((Arg(0, None, EMPTY, False), _text("u")), (Arg(1, None, EMPTY, True), _text("x"))))
    assert set(bound) == {"url", "#1"}


def _function(*params) -> FunctionSummary:
    return FunctionSummary("app.f", None, tuple(Parameter(name, kind, None) for name, kind in params), 0, EMPTY, (), ())


def test_extra_positional_arguments_keep_their_places_in_args():
    """`run("EUR", phone)` into `def run(*args)`: args holds each at its index."""
    currency, phone = _text("EUR"), _text("+86 138")
    bound = bind_project(_function(("args", "varargs")), None, ((Arg(0, None, EMPTY, False), currency), (Arg(1, None, EMPTY, False), phone)))
    assert bound["args"].keys == {position(0): currency, position(1): phone}


def test_a_spread_of_items_known_by_place_binds_each_to_its_parameter():
    currency, phone = _text("EUR"), _text("+86 138")
    spread = AbstractValue(keys={position(0): currency, position(1): phone})
    bound = bind_project(_function(("currency", "positional"), ("phone", "positional")), None, ((Arg(0, None, EMPTY, True), spread),))
    assert bound == {"currency": currency, "phone": phone}


def test_a_spread_parameter_binds_each_parameter_to_the_callers_item_at_its_place():
    """`def run(*args): quote(*args)`: quote's second parameter is item 1 of what run's callers pass."""
    args = AbstractValue({Sym(ParamRef("args")): ()}, frozenset({Sym(ParamRef("args"))}))
    bound = bind_project(_function(("currency", "positional"), ("phone", "positional")), None, ((Arg(0, None, EMPTY, True), args),))
    assert bound["phone"].objs == {Sym(ItemPath(ParamRef("args"), position(1)))}
    assert set(bound["phone"].taint) == {Sym(ItemPath(ParamRef("args"), position(1)))}
