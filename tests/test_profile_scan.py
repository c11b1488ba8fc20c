"""bench/profile_scan.py's --changes (what moved between two results of one function) and --memory."""

from __future__ import annotations

import importlib.util
import sys

from conftest import ROOT

from xborder.ir import CategoryKey, Lit
from xborder.propagate.lattice import AbstractValue
from xborder.propagate.results import Result

spec = importlib.util.spec_from_file_location("profile_scan", ROOT / "bench" / "profile_scan.py")
profile_scan = importlib.util.module_from_spec(spec)
sys.modules["profile_scan"] = profile_scan
spec.loader.exec_module(profile_scan)


def test_a_member_traded_under_a_key_is_named_with_its_key():
    old = AbstractValue(keys={"0": AbstractValue(objs=frozenset({"Instance(A)", "Instance(B)"}))})
    new = AbstractValue(keys={"0": AbstractValue(objs=frozenset({"Instance(A)", "BoundMethod(C)"}))})
    assert profile_scan.value_moves(old, new) == ["value['0'] objs +[\"'BoundMethod(C)'\"] -[\"'Instance(B)'\"]"]


def test_a_result_names_its_return_and_counts_its_changed_effects():
    email = CategoryKey("user.contact.email")
    old = Result(AbstractValue(strs=frozenset({(Lit("a", None),)})), [], [], {})
    new = Result(AbstractValue(taint={email: ()}, strs=frozenset({(Lit("a", None),)})), [], [], {})
    moves = profile_scan.result_moves(old, new)
    assert len(moves) == 1 and moves[0].startswith("return taint +[\"CategoryKey(category='user.contact.email'")
    assert profile_scan.result_moves(old, old) == []


def test_a_shared_object_is_sized_once_for_the_first_structure_that_reaches_it():
    shared = ["x" * 1000]
    a, b = {"a": shared}, {"b": shared}  # alive while measured: the walker knows objects by id
    sizes = profile_scan.Sizes()
    first, second = sizes.of(a), sizes.of(b)
    assert first > 1000 > second > 0
    assert profile_scan.Sizes().of(b) == first
