"""Issue 12's verified models, in the test suite: every model generated from an SDK's code
(rules/sinks/generated/) is checked against that SDK, downloaded from PyPI by the sha256 pinned in
bench/sdks.toml (the generated SDKs weigh about 2 MB together), and so is zeep's hand-written model.
The whole catalog (230 pins, 1.1 GB of downloads) is `python bench/verify_models.py`'s: see
bench/README.md."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

from conftest import ROOT
from fixture_annotations import read_annotations


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


def test_every_generated_model_file_has_an_annotated_fixture():
    # A generated file cannot carry `examples` (it is regenerated, never edited), so each one gets a
    # fixture project instead (fixtures/generated_sdks/<stem>/, checked by tests/test_fixtures.py):
    # a call of one of its callees that must report, and a look-alike that must not.
    fixtures = ROOT / "fixtures" / "generated_sdks"
    problems = []
    for path in sorted((ROOT / "rules" / "sinks" / "generated").glob("*.toml")):
        project = fixtures / path.stem
        if not (project / "xborder.toml").is_file():
            problems.append(f"{path.name}: no fixture project {project.relative_to(ROOT)}/ (with an xborder.toml)")
            continue
        notes = read_annotations(project)
        if not notes.expect or not notes.ok:
            problems.append(f"{project.relative_to(ROOT)}: needs at least one '# expect:' and one '# ok' line")
        callees = [entry["callee"] for entry in tomllib.loads(path.read_text(encoding="utf-8")).get("sink", [])]
        code = "\n".join(p.read_text(encoding="utf-8") for p in sorted(project.rglob("*.py")))
        imported = [c for c in callees if re.search(rf"^\s*(from|import)\s+{re.escape(c.split('.')[0])}\b", code, re.M)]
        expect_lines = [(project / rel).read_text(encoding="utf-8").splitlines()[line - 1]
                        for rel, line, _rule, _category in notes.expect]
        if not any(f".{c.rsplit('.', 1)[1]}(" in text for c in imported for text in expect_lines):
            problems.append(f"{project.relative_to(ROOT)}: no '# expect:' line calls a callee of {path.name}")
    assert not problems, "\n".join(problems)
