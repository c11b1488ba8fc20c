"""Issue 12's verified models, in the test suite: every model generated from an SDK's code
(rules/sinks/generated/) is checked against that SDK, downloaded from PyPI by the sha256 pinned in
bench/sdks.toml (the generated SDKs weigh about 2 MB together), and so is zeep's hand-written model.
The whole catalog (230 pins, 1.1 GB of downloads) is `python bench/verify_models.py`'s: see
bench/README.md."""

from __future__ import annotations

import subprocess
import sys
import tomllib

from conftest import ROOT


def generated_distributions() -> list[str]:
    """The distributions the generated model files were read from."""
    found = set()
    for path in sorted((ROOT / "rules" / "sinks" / "generated").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        found |= {entry["generated"]["package"] for table in ("sink", "client") for entry in data.get(table, [])}
    return sorted(found)


def test_every_generated_model_is_verified_against_its_pinned_sdk(tmp_path):
    # Run as a user runs it: a process of its own, since the tests' processes open no socket.
    distributions = generated_distributions()
    assert len(distributions) >= 7, distributions  # telesign, pushbullet.py, sms77api, termii, melipayamak, smsir-python, bulksms
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "verify_models.py"), *distributions, "zeep",
                           "--cache", str(tmp_path / "sdks")], capture_output=True, text=True, timeout=600)
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    generated = next(line for line in out.splitlines() if line.startswith("generated ("))
    total, verified, failed, unverifiable = [int(n) for n in generated.replace("(", " ").split() if n.isdigit()]
    assert total >= 100 and verified == total and failed == unverifiable == 0, generated
    assert "zeep                                            3       0        1" in out, out
