"""The wheel, installed the way users install it (issue 9).

Built from a clean export of the tree (the tracked files only) and installed into a virtualenv that
cannot see this checkout or the development install: no system site-packages, the dependencies
installed from the index into it. There every subcommand answers `--help`, `scan` reports the shop
(its config checked against the schema inside the wheel, the rules remembered as checked),
`audit` writes its files, and every module git holds under analyzer/ imports: a module the wheel
forgets fails here, as it would for a user.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from xborder.commands import cli
from conftest import FIXTURES, ROOT, export_tree, tracked_files

SCRUBBED = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "VIRTUAL_ENV")


def _env(tmp: Path) -> dict:
    """The environment of a user's shell: nothing that points Python at this checkout."""
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    env["PYTHONNOUSERSITE"] = "1"
    env["XDG_CACHE_HOME"] = str(tmp / "xdg")
    return env


def _run(args, cwd: Path, env: dict, timeout: int = 600):
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    env = _env(work)
    source = export_tree(work / "src")
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", work / "dist", source], work, env)
    assert built.returncode == 0, built.stdout + built.stderr
    wheels = list((work / "dist").glob("xborder-*.whl"))
    assert len(wheels) == 1, wheels
    target = work / "venv"
    venv.EnvBuilder(system_site_packages=False, with_pip=True, clear=True).create(target)
    install = _run([target / "bin" / "python", "-m", "pip", "install", "--quiet", wheels[0]], work, env)
    assert install.returncode == 0, install.stdout + install.stderr
    return target


def _module_names(rels: list[str]) -> set[str]:
    names = set()
    for rel in rels:
        if rel.startswith("analyzer/") and rel.endswith(".py"):
            parts = rel[:-3].split("/")
            names.add(".".join(["xborder", *(parts[1:-1] if parts[-1] == "__init__" else parts[1:])]))
    return names


def test_every_module_in_git_imports_from_the_installed_package(installed, tmp_path):
    walk = ("import importlib, pkgutil, xborder\n"
            "names = ['xborder'] + [m.name for m in pkgutil.walk_packages(xborder.__path__, 'xborder.')]\n"
            "for n in names: importlib.import_module(n)\n"
            "print(xborder.__file__); print('\\n'.join(sorted(names)))\n")
    out = _run([installed / "bin" / "python", "-c", walk], tmp_path, _env(tmp_path))
    assert out.returncode == 0, out.stderr
    location, *names = out.stdout.split()
    assert location.startswith(str(installed)), location  # the wheel's copy, not this checkout
    assert set(names) == _module_names(tracked_files())


def test_every_subcommand_answers_help(installed, tmp_path):
    for command in ([installed / "bin" / "xborder"], [installed / "bin" / "python", "-m", "xborder"]):
        for args in ([], *([name] for name in sorted(cli.commands))):
            out = _run([*command, *args, "--help"], tmp_path, _env(tmp_path))
            assert out.returncode == 0, (args, out.stderr)
            assert "Usage: xborder" in out.stdout


def test_scan_reports_the_shop_with_the_rules_inside_the_wheel(installed, tmp_path):
    out = _run([installed / "bin" / "xborder", "scan", FIXTURES / "shop", "--home", "CN", "--format", "json-v1", "--no-cache"],
               tmp_path, _env(tmp_path))
    assert out.returncode == 1, out.stderr
    expected = json.loads((FIXTURES / "shop" / "expected.json").read_text())
    found = json.loads(out.stdout)["findings"]
    assert [(f["rule"], f["category"], f["sink"]["path"], f["sink"]["line"]) for f in found] == \
        [(f["rule"], f["category"], f["sink"]["path"], f["sink"]["line"]) for f in expected["findings"]]
    data = _run([installed / "bin" / "python", "-c", "import xborder.knowledge as k; print(k.rules_dir()); "
                 "print(k.schema.bundled_dir('schemas') / k.schema.PASSED)"], tmp_path, _env(tmp_path))
    rules, passed = data.stdout.split()
    assert rules.startswith(str(installed)) and passed.startswith(str(installed)), data.stdout
    assert Path(passed).read_text() == (ROOT / "schemas" / "bundled-rules.passed").read_text()


def test_audit_writes_its_reports(installed, tmp_path):
    out = _run([installed / "bin" / "xborder", "audit", FIXTURES / "shop", "--home", "CN", "--no-cache", "--output", tmp_path / "audit"],
               tmp_path, _env(tmp_path))
    assert out.returncode == 0, out.stderr
    assert sorted(p.name for p in (tmp_path / "audit").iterdir()) == ["findings.json", "findings.sarif", "inventory.csv",
                                                                        "processing.csv", "processing.fides.yml", "processing.json",
                                                                        "report.html"]
    findings = json.loads((tmp_path / "audit" / "findings.json").read_text())["findings"]  # version 2: 8 flows, 6 findings
    assert (len(findings), sum(len(f["categories"]) for f in findings)) == (6, 8)


def test_a_broken_install_exits_2_not_1(installed, tmp_path):
    """A module missing from an install must not read as findings (exit 1) to CI or pre-commit."""
    site = next((installed / "lib").glob("python3*/site-packages"))
    module = site / "xborder" / "report" / "text.py"
    saved = module.read_bytes()
    module.unlink()
    try:
        out = _run([installed / "bin" / "xborder", "scan", FIXTURES / "shop", "--home", "CN", "--no-cache"], tmp_path, _env(tmp_path))
    finally:
        module.write_bytes(saved)
    assert out.returncode == 2, out.stderr
    (line,) = out.stderr.splitlines()  # one line, no traceback
    assert line.startswith("xborder: internal error: ImportError: ") and "'text'" in line, line
    assert line.endswith("; run again with --debug for the traceback")
