"""The bounds the whole-program fixpoint hits are reported, never hidden (issue 16): a result cut
by a cap may be missing findings, and says so in JSON and in the text summary."""
from __future__ import annotations

from xborder.propagate import driver

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


def test_the_round_cap_of_a_cycle_is_reported(monkeypatch):
    monkeypatch.setattr(driver, "MAX_SCC_ROUNDS", 1)
    _, data, _ = scan_json(FIXTURES / "flows" / "recursion", "--jobs", "1")
    assert any("cycles of functions stopped at their cap of 1 rounds" in cap for cap in data["coverage"]["caps"])
