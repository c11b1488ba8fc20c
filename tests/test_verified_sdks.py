"""Issue 12's verified models, in the test suite: every model generated from an SDK's code
(rules/sinks/generated/) is checked against that SDK, downloaded from PyPI by the sha256 pinned in
bench/sdks.toml (the generated SDKs weigh about 2 MB together), and so is zeep's hand-written model.
The whole catalog (230 pins, 1.1 GB of downloads) is `python bench/verify_models.py`'s: see
bench/README.md."""

from __future__ import annotations

import importlib.util
import sys
import tomllib

from conftest import ROOT

spec = importlib.util.spec_from_file_location("verify_models", ROOT / "bench" / "verify_models.py")
vm = importlib.util.module_from_spec(spec)
sys.modules.setdefault("verify_models", vm)
spec.loader.exec_module(vm)


def generated_distributions() -> list[str]:
    """The distributions the generated model files were read from."""
    found = set()
    for path in sorted((ROOT / "rules" / "sinks" / "generated").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        found |= {entry["generated"]["package"] for table in ("sink", "client") for entry in data.get(table, [])}
    return sorted(found)


def test_every_generated_model_is_verified_against_its_pinned_sdk(tmp_path, capsys):
    distributions = generated_distributions()
    assert len(distributions) >= 7, distributions  # telesign, pushbullet.py, sms77api, termii, melipayamak, smsir-python, bulksms
    code = vm.main([*distributions, "zeep", "--cache", str(tmp_path / "sdks")])
    out = capsys.readouterr().out
    assert code == 0, out
    generated = next(line for line in out.splitlines() if line.startswith("generated ("))
    total, verified, failed, unverifiable = [int(n) for n in generated.replace("(", " ").split() if n.isdigit()]
    assert total >= 100 and verified == total and failed == unverifiable == 0, generated
    assert "zeep                                            3       0        1" in out, out
