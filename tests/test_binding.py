"""Binding arguments to a library rule's parameters and a project function's (propagate/binding.py)."""

from __future__ import annotations

from types import SimpleNamespace

from xborder.ir import EMPTY, FieldRef, LibraryRef, Lit, ParamRef, Sym, Val, position
from xborder.propagate.binding import ProjectBinding, bind_library, computed_params
from xborder.propagate.lattice import NOTHING, AbstractValue
from xborder.summary import Arg, Parameter


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


def _params(*names, varargs=None, by_place=False):
    params = [Parameter(n, "positional", None) for n in names]
    if varargs:
        params.append(Parameter(varargs, "varargs", None, None, by_place))
    return SimpleNamespace(params=tuple(params), is_static=False, is_classmethod=False)


def _item(g: AbstractValue, key: str) -> AbstractValue:
    """Evaluation.item's answer for what these tests pass: a known key's value, else a path on it."""
    return g.keys.get(key) or _text(f"{key!r} of it")


def test_a_function_handing_its_own_args_on_gives_each_parameter_the_item_at_its_place():
    handed = AbstractValue(objs=frozenset({Sym(ParamRef("args"))}))
    bound = ProjectBinding(_params("code", "recipient", "note"), None, ((Arg(0, None, EMPTY, True), handed),), _item).binding
    assert [bound[p].strs for p in ("code", "recipient", "note")] == [_text(f"{position(i)!r} of it").strs for i in range(3)]


def test_a_spread_nothing_is_known_of_still_reaches_every_parameter_from_its_place():
    anything = _text("anything")
    bound = ProjectBinding(_params("code", "recipient"), None, ((Arg(0, None, EMPTY, True), anything),), _item).binding
    assert bound["code"] is anything and bound["recipient"] is anything


def test_arguments_past_the_parameters_reach_a_handed_on_args_at_their_places():
    code, email = _text("A-1"), _text("someone@example.com")
    args = ((Arg(0, None, EMPTY, False), code), (Arg(1, None, EMPTY, False), email))
    kept = ProjectBinding(_params(varargs="args", by_place=True), None, args, _item).binding["args"]
    assert kept.keys[position(0)] is code and kept.keys[position(1)] is email
    merged = ProjectBinding(_params(varargs="args"), None, args, _item).binding["args"]
    assert not merged.keys and merged.strs == code.strs | email.strs


def test_a_destination_computed_at_run_time_is_told_from_one_the_program_holds():
    field = Val(frozenset({FieldRef("app.Tracker", "server")}))
    setting = Val(frozenset({LibraryRef("django.conf.settings.SENTRY_DSN")}))
    args = ((Arg(0, None, field, False), NOTHING), (Arg(None, "dsn", setting, False), NOTHING), (Arg(None, "timeout", EMPTY, False), NOTHING))
    assert computed_params(("url", "dsn", "timeout"), args) == {"url"}


def test_past_the_arguments_a_caller_gives_a_handed_on_args_holds_nothing():
    receiver = _text("the receiver")
    kept = ProjectBinding(_params(varargs="args", by_place=True), None, ((Arg(0, None, EMPTY, False), receiver),), _item).binding["args"]
    assert kept.keys[position(0)] is receiver and not kept.keys[position(1)]
    spread = ProjectBinding(_params(varargs="args", by_place=True), None, ((Arg(0, None, EMPTY, True), receiver),), _item).binding["args"]
    assert position(1) not in spread.keys
