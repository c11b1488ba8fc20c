"""The scanned code is data: never imported or executed, never able to open a socket through us,
never able to inject terminal escapes or break the JSON, never overwritten by our output."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli, scan_json, write_project

LEAK = "import requests\n\ndef send(user):\n    requests.post('https://api.segment.io/v1', json={'email': user.email})\n"


def marker_code(marker: Path, name: str) -> str:
    return f"import pathlib\npathlib.Path({str(marker / name)!r}).write_text('executed')\n"


def booby_trapped(root: Path, markers: Path) -> Path:
    """A project every file of which writes a marker when imported or executed."""
    markers.mkdir(exist_ok=True)
    write_project(root, {
        "app.py": marker_code(markers, "top-level") + LEAK,
        "pkg/__init__.py": marker_code(markers, "package-init"),
        "pkg/mod.py": "from . import helper\n" + marker_code(markers, "module"),
        "pkg/helper.py": marker_code(markers, "helper"),
        "conftest.py": marker_code(markers, "conftest"),
        "setup.py": marker_code(markers, "setup") + "from setuptools import setup\nsetup(name='x')\n",
        "sitecustomize.py": marker_code(markers, "sitecustomize"),
        "usercustomize.py": marker_code(markers, "usercustomize"),
        "evil.pth": f"import pathlib; pathlib.Path({str(markers / 'pth')!r}).write_text('executed')\n",
        "pkg/evil.pth": f"import pathlib; pathlib.Path({str(markers / 'pth2')!r}).write_text('executed')\n",
    })
    return root


def test_scanned_code_is_never_executed(tmp_path):
    markers = tmp_path / "markers"
    root = booby_trapped(tmp_path / "project", markers)
    code, report, _ = scan_json(root, "--home", "CN", "--jobs", "2")
    assert code == 1 and len(report["findings"]) == 1
    # The installed command, run from inside the scanned tree (where a careless tool would import from).
    xborder = Path(sys.executable).parent / "xborder"  # installed beside the interpreter that runs the tests
    out = subprocess.run([xborder, "scan", "--home", "CN", "--no-cache", "."], cwd=root, capture_output=True, timeout=120)
    assert out.returncode == 1, out.stderr
    assert sorted(p.name for p in markers.iterdir()) == []


def test_git_hooks_of_the_scanned_repository_are_not_run(tmp_path):
    """`git ls-files` would run the command in the scanned repo's core.fsmonitor: discovery disables it."""
    markers = tmp_path / "markers"
    root = booby_trapped(tmp_path / "project", markers)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "config", "core.fsmonitor", f"touch {markers / 'fsmonitor'}; false"], check=True)
    code, report, _ = scan_json(root, "--home", "CN")
    assert code == 1 and len(report["findings"]) == 1
    assert sorted(p.name for p in markers.iterdir()) == []


def test_sockets_are_disabled_for_the_scans():
    """The guard in conftest.py is active, so every passing scan test opened no socket."""
    with pytest.raises(OSError, match="sockets are disabled"):
        socket.socket()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", 9))


ESC = "\x1b[31m"
HOSTILE_NAMES = {
    f"evil{ESC}red.py": LEAK.replace("https://api.segment.io/v1", f"https://api.segment.io/{ESC}x\\u202e"),
    "new\nline.py": LEAK,
    "\u202eyp.txt.py": LEAK,
}


def hostile_names(root: Path, non_utf8: bool = True) -> Path:
    write_project(root, HOSTILE_NAMES)
    if non_utf8:
        with open(os.path.join(os.fsencode(root), b"latin\xe9.py"), "wb") as f:  # not valid UTF-8
            f.write(LEAK.encode())
    return root


def test_terminal_output_escapes_names_and_strings(tmp_path):
    root = hostile_names(tmp_path / "project")
    result = run_cli("scan", "--home", "CN", "--no-cache", str(root))
    assert result.exit_code == 1
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert "\\x1b[31m" in result.stdout and "\\u202e" in result.stdout
    assert "new\\nline.py" in result.stdout


@pytest.mark.parametrize("fmt,non_utf8", [("json", True), ("sarif", False), ("sarif", True)])
def test_machine_output_is_valid_json_for_any_name(tmp_path, fmt, non_utf8):
    root = hostile_names(tmp_path / "project", non_utf8)
    result = run_cli("scan", "--home", "CN", "--no-cache", "--format", fmt, str(root))
    assert result.exit_code == 1
    assert result.stdout.isascii()  # escaped, so even lone surrogates from non-UTF-8 names are valid JSON text
    doc = json.loads(result.stdout)
    text = json.dumps(doc)
    for name in HOSTILE_NAMES:
        assert json.dumps(name)[1:-1] in text or json.dumps(name.replace("\n", "%0A"))[1:-1] in text


def test_output_never_overwrites_the_scanned_tree(tmp_path):
    root = write_project(tmp_path / "project", {"app.py": LEAK, "notes.txt": "keep me\n"})
    (root / "report.json").symlink_to(root / "app.py")
    for target, why in [(root / "app.py", "Python source"), (root / "new.py", "Python source"),
                        (root / "notes.txt", "inside the scanned tree"), (root / "report.json", "Python source")]:
        result = run_cli("scan", "--home", "CN", "--no-cache", "--format", "json", "--output", str(target), str(root))
        assert result.exit_code == 2 and why in result.stderr, (target, result.stderr)
    assert (root / "app.py").read_text() == LEAK and (root / "notes.txt").read_text() == "keep me\n"
    assert not (root / "new.py").exists()
    fresh = root / "reports" / "xborder.json"
    fresh.parent.mkdir()
    assert run_cli("scan", "--home", "CN", "--no-cache", "--format", "json", "-o", str(fresh), str(root)).exit_code == 1
    assert json.loads(fresh.read_text())["findings"]
    outside = tmp_path / "out.json"
    outside.write_text("old")
    for _ in range(2):  # outside the tree an existing report is replaced
        assert run_cli("scan", "--home", "CN", "--no-cache", "--format", "json", "-o", str(outside), str(root)).exit_code == 1
    assert json.loads(outside.read_text())["findings"]


def test_sys_path_untouched_by_a_scan(tmp_path):
    root = booby_trapped(tmp_path / "project", tmp_path / "markers")
    before = list(sys.path), set(sys.modules)
    scan_json(root, "--home", "CN")
    assert list(sys.path) == before[0]
    assert not {m for m in set(sys.modules) - before[1] if m.split(".")[0] in ("app", "pkg", "conftest", "setup")}
