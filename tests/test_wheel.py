"""`pip install .` works with the rules inside the wheel: build it, install it into a fresh
virtualenv, and scan with the installed command from outside the source tree."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    # Build from a clean copy so that no build/ or egg-info of the checkout leaks in.
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", "build", "*.egg-info", "__pycache__", ".xborder_cache", ".pytest_cache"))
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(work / "dist"), str(source)],
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    wheels = list((work / "dist").glob("xborder-*.whl"))
    assert len(wheels) == 1
    env = work / "venv"
    # The dependencies (libcst, networkx, click) come from the running interpreter's site-packages:
    # the test checks our wheel, and must not need the network.
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env)
    python = env / "bin" / "python"
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", str(wheels[0])],
                             capture_output=True, text=True)
    if install.returncode != 0 and "no such option: --python" in install.stderr:
        pytest.skip("pip too old for --python")
    assert install.returncode == 0, install.stderr
    return env


def test_wheel_contains_rules_and_scans_the_shop(installed, tmp_path):
    project = tmp_path / "shop"
    shutil.copytree(FIXTURES / "shop", project)
    run = subprocess.run([str(installed / "bin" / "xborder"), "scan", str(project), "--home", "CN", "--format", "json", "--no-cache"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    data = json.loads(run.stdout)
    # The installed package reads its rules from inside itself, not from this checkout.
    where = subprocess.run([str(installed / "bin" / "python"), "-c", "import analyzer.catalog as c; print(c.rules_dir())"],
                           capture_output=True, text=True, cwd=tmp_path)
    assert str(installed) in where.stdout, where.stdout
    expected = json.loads((FIXTURES / "shop" / "expected.json").read_text())
    assert [(f["rule"], f["category"], f["sink"]["path"], f["sink"]["line"]) for f in data["findings"]] == \
        [(f["rule"], f["category"], f["sink"]["path"], f["sink"]["line"]) for f in expected["findings"]]
