"""A skip that is not on the allow-list fails the test run (tests/conftest.py, issue 9)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import ROOT


@pytest.mark.parametrize("reason,exit_code", [("no Chromium binary on PATH (apt-get install chromium)", 0),
                                              ("../shared is absent", 1)])
def test_only_allowed_skips_pass(tmp_path, reason, exit_code):
    shutil.copy(ROOT / "tests" / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_one.py").write_text(f"import pytest\n\n\ndef test_one():\n    pytest.skip({reason!r})\n")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == exit_code, run.stdout + run.stderr
    assert ("not on the allow-list" in run.stdout) == (exit_code == 1)
