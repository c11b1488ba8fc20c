"""The engine stays a house others can work in (issue 10): no function over 60 lines, no class over
300, and neither pyflakes nor vulture finds anything in analyzer/ (vulture's config, with the names
called by dispatch rather than by reference, is [tool.vulture] in pyproject.toml)."""

from __future__ import annotations

import ast
import subprocess
import sys

from conftest import ROOT

MAX_FUNCTION, MAX_CLASS = 60, 300


def _too_long() -> list[str]:
    found = []
    for path in sorted((ROOT / "analyzer").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            limit = MAX_CLASS if isinstance(node, ast.ClassDef) else MAX_FUNCTION
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                length = node.end_lineno - node.lineno + 1
                if length > limit:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} is {length} lines (at most {limit})")
    return found


def test_no_function_or_class_is_too_long():
    assert _too_long() == []


def test_the_shape_check_sees_a_long_function(tmp_path, monkeypatch):
    package = tmp_path / "analyzer"
    package.mkdir()
    (package / "long.py").write_text("def f():\n" + "    x = 1\n" * 60)
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert _too_long() == ["analyzer/long.py:1 f is 61 lines (at most 60)"]


def _run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True)


def test_pyflakes_finds_nothing():
    out = _run("pyflakes", "analyzer", "tests", "bench")
    assert out.returncode == 0, out.stdout + out.stderr


def test_vulture_finds_no_dead_code():
    out = _run("vulture")  # paths and whitelist from [tool.vulture]
    assert out.returncode == 0, out.stdout + out.stderr


def test_tests_import_the_installed_package_not_the_source_folder():
    """`pytest` as the README runs it imports `xborder` (the installed package); a test importing
    `analyzer` works only under `python -m pytest` from the checkout."""
    found = []
    for path in sorted((ROOT / "tests").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            found += [f"{path.name}:{node.lineno} {n}" for n in names if n == "analyzer" or n.startswith("analyzer.")]
    assert found == []
