"""Binding arguments to a library rule's parameters (propagate/binding.py)."""

from __future__ import annotations

from xborder.ir import EMPTY, Lit
from xborder.propagate.binding import bind_library
from xborder.propagate.lattice import AbstractValue
from xborder.summary import Arg


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
