"""The bounds the whole-program fixpoint hits are reported, never hidden (issue 16): a result cut
by a cap may be missing findings, and says so in JSON and in the text summary."""
from __future__ import annotations

from xborder.ir import Lit
from xborder.propagate import driver
from xborder.propagate.lattice import NOTHING, AbstractValue
from xborder.propagate.results import DeferredCall, Result, Site, joined

from conftest import FIXTURES, run_cli, scan_json

SHOP = FIXTURES / "shop"


def test_a_converged_scan_reports_no_bound():
    code, data, _ = scan_json(SHOP, "--home", "CN")
    assert code == 1 and data["coverage"]["caps"] == []
    assert "Stopped at a bound" not in run_cli("scan", SHOP, "--home", "CN", "--no-cache").stdout


def test_the_pass_cap_is_reported(monkeypatch):
    monkeypatch.setattr(driver, "MAX_PASSES", 1)  # the shop needs more than one pass to settle
    _, data, _ = scan_json(SHOP, "--home", "CN", "--jobs", "1")
    assert any("cap of 1 passes" in cap for cap in data["coverage"]["caps"])
    text = run_cli("scan", SHOP, "--home", "CN", "--no-cache", "--jobs", "1").stdout
    assert "Stopped at a bound: the whole-program fixpoint stopped at its cap of 1 passes" in text


def test_the_fixpoint_spends_no_pass_analysing_nothing(monkeypatch):
    """A pass after which nothing is stale and no shared value moved is the last: the results that
    moved in it reached their callers in it, so a pass more would analyse nothing (and a cap equal
    to the passes used was reported as '0 functions still changing': OctoPrint 1.11.8)."""
    analysed: list[int] = []
    new_pass, analyze = driver.Stores.new_pass, driver.Analysis.analyze

    def counting_pass(self):
        analysed.append(0)
        return new_pass(self)

    def counting_analysis(self, qualname):
        analysed[-1] += 1
        return analyze(self, qualname)

    monkeypatch.setattr(driver.Stores, "new_pass", counting_pass)
    monkeypatch.setattr(driver.Analysis, "analyze", counting_analysis)
    _, data, _ = scan_json(SHOP, "--home", "CN", "--jobs", "1")
    assert data["coverage"]["caps"] == [] and len(analysed) > 1 and all(analysed), analysed
    monkeypatch.setattr(driver, "MAX_PASSES", len(analysed))
    assert scan_json(SHOP, "--home", "CN", "--jobs", "1")[1]["coverage"]["caps"] == []


def test_the_memory_bound_is_reported_and_the_scan_goes_on(monkeypatch):
    """Past MAX_RSS the fixpoint stops where it is, says so, and reports what it found, rather than
    run the machine out of memory (Superdesk-Core's scan was killed at 23 GB, reporting nothing)."""
    monkeypatch.setattr(driver, "MAX_RSS", 0)
    code, data, _ = scan_json(SHOP, "--home", "CN", "--jobs", "1")
    assert code in (0, 1) and any("memory bound of 0 GB" in cap for cap in data["coverage"]["caps"])
    assert driver.resident_bytes() > 0  # read on this machine, so the bound is real here


def test_the_round_cap_of_a_cycle_is_reported(monkeypatch):
    monkeypatch.setattr(driver, "MAX_SCC_ROUNDS", 1)
    _, data, _ = scan_json(FIXTURES / "flows" / "recursion", "--jobs", "1")
    assert any("cycles of functions stopped at their cap of 1 rounds" in cap for cap in data["coverage"]["caps"])


def test_a_library_value_read_one_attribute_further_each_pass_settles(tmp_path):
    """`self.node = self.node.parent` on a library value: the path stops at one step of a name
    (x.parent, not x.parent.parent...), so the fixpoint ends instead of growing one step per pass."""
    assert _caps_of(tmp_path, "walk.py",
        "from treelib import Tree\n\n\n"
        "class Walker:\n"
        "    def __init__(self):\n"
        "        self.node = Tree.ROOT\n\n"
        "    def up(self):\n"
        "        self.node = self.node.parent\n"
        "        return self.node\n") == []


def _caps_of(project, name: str, source: str) -> list:
    """The bounds a scan of a one-module project hits."""
    (project / "xborder.toml").write_text('home = "CN"\n')
    (project / name).write_text(source)
    return scan_json(project, "--jobs", "1")[1]["coverage"]["caps"]


def test_a_hook_posting_documents_built_from_its_own_settles(tmp_path):
    """A service hook that posts, through the registry, a document built from each document it was
    given (Superdesk's history entries): the document it posts nests one level deeper each round
    under the same key, in the pending `.get` calls kept for the callers; a key met again below
    itself is folded (lattice.bounded), so the fixpoint ends (the scan of Superdesk-Core 2.5.3 was
    killed at 23 GB before)."""
    assert _caps_of(tmp_path, "services.py",
        "resources = {}\n\n\n"
        "class BaseService:\n"
        "    def on_created(self, docs):\n"
        "        pass\n\n"
        "    def post(self, docs):\n"
        "        self.on_created(docs)\n"
        "        return [doc.get('_id') for doc in docs]\n\n\n"
        "class ArchiveService(BaseService):\n"
        "    def on_created(self, docs):\n"
        "        for doc in docs:\n"
        "            resources['history'].post([{'item_id': doc.get('guid')}])\n\n\n"
        "resources['archive'] = ArchiveService()\n"
        "resources['history'] = BaseService()\n") == []


def test_a_result_is_the_same_whatever_order_its_effects_came_in():
    """Result.signature: callees hand their pending effects on in the order they found them, which
    may change from one analysis to the next while the effects do not."""
    first = DeferredCall(Site("a.py", 1, "f", "m.g"), "send", NOTHING, ())
    second = DeferredCall(Site("a.py", 2, "h", "m.g"), "send", NOTHING, ())
    assert Result(calls=[first, second]).signature() == Result(calls=[second, first]).signature()


def test_a_cycle_round_keeps_what_the_previous_round_found():
    """results.joined: the least upper bound, so that two functions of a cycle cut at a bound
    cannot hand each other a different cut every round."""
    site = Site("a.py", 1, "f", "m.g")
    old = Result(ret=AbstractValue(strs=frozenset({(Lit("a", None),)})), calls=[DeferredCall(site, "send", NOTHING, ())])
    new = Result(ret=AbstractValue(strs=frozenset({(Lit("b", None),)})), calls=[DeferredCall(site, "send", NOTHING, ())])
    both = joined(old, new)
    assert both.ret.strs == {(Lit("a", None),), (Lit("b", None),)}
    assert len(both.calls) == 1


def test_a_cycle_round_keeps_what_the_function_put_into_its_arguments_and_its_receiver_views():
    """results.joined: what a function of a cycle puts into a dict it is given (Result.outs) and
    what it returns to a subclass's object (Result.views) are joined too, not dropped after the
    cycle's first round."""
    a, b = AbstractValue(strs=frozenset({(Lit("a", None),)})), AbstractValue(strs=frozenset({(Lit("b", None),)}))
    both = joined(Result(outs={"payload": a}, views={"m.Sub": a}), Result(ret=b, outs={"payload": b}))
    assert both.outs["payload"].strs == {(Lit("a", None),), (Lit("b", None),)}
    assert both.views["m.Sub"].strs == {(Lit("a", None),), (Lit("b", None),)}
