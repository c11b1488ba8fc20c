"""The project root (issue 13): the folder of the config, else the git work tree, else the folder
scanned. Globs, baselines, fingerprints, module names and JSON paths are relative to it whatever
folder or file is passed and wherever xborder runs; the text and GitHub reports print paths
relative to the current directory, so that they open from the shell."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from xborder.discover import discover
from conftest import FIXTURES, run_cli, scan_json, write_project

SEND = "import requests\n\n\ndef send_{n}(user):\n    requests.post('https://api.segment.io/v1', json={{'email': user.email}})\n"
FORWARD = "import requests\n\n\ndef send(payload):\n    requests.post('https://api.segment.io/v1', json=payload)\n"
CALLER = "from app.services.gateway import send\n\n\ndef signup(customer):\n    send({'email': customer.email})\n"


def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "project", {
        "xborder.toml": 'home = "CN"\nexclude = ["shop/sub/generated/**"]\n',
        "shop/__init__.py": "",
        "shop/top.py": SEND.format(n="top"),
        "shop/sub/__init__.py": "",
        "shop/sub/views.py": SEND.format(n="views"),
        "shop/sub/generated/__init__.py": "",
        "shop/sub/generated/client.py": SEND.format(n="generated"),
    })


def _sinks(data) -> list:
    return [(f["sink"]["path"], f["fingerprint"]) for f in data["findings"]]


def test_a_subfolder_keeps_the_config_root_its_excludes_and_fingerprints(tmp_path):
    root = project(tmp_path)
    _, whole, _ = scan_json(root)
    assert [p for p, _ in _sinks(whole)] == ["shop/sub/views.py", "shop/top.py"]  # generated/ excluded
    code, sub, _ = scan_json(root / "shop" / "sub")
    assert code == 1
    assert _sinks(sub) == [s for s in _sinks(whole) if s[0].startswith("shop/sub/")]
    assert sub["stats"]["files"] == 2  # shop/sub/__init__.py and views.py: generated/ stays excluded
    code, one, _ = scan_json(root / "shop" / "sub" / "views.py")  # a file: its whole project, its findings
    assert _sinks(one) == _sinks(sub)


def test_the_same_report_from_another_directory(tmp_path, monkeypatch):
    root = project(tmp_path)
    _, from_root, _ = scan_json(root / "shop" / "sub")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    _, data, _ = scan_json(os.path.relpath(root / "shop" / "sub"))
    assert data["findings"] == from_root["findings"]


def test_text_paths_open_from_the_current_directory(tmp_path, monkeypatch):
    root = project(tmp_path)
    for cwd, expected in ((root, "shop/sub/views.py"), (root / "shop", "sub/views.py"),
                          (tmp_path, "project/shop/sub/views.py"), (root / "shop" / "sub" / "generated", "../views.py")):
        monkeypatch.chdir(cwd)
        out = run_cli("scan", "--no-cache", "-q", root / "shop" / "sub").stdout
        headline = out.splitlines()[0]
        assert headline.startswith(f"{expected}:5:5: XB101"), (cwd, out)
        assert (cwd / expected).is_file()
        assert f"  trace: {expected}:5 source:" in out and f"  trace: {expected}:5 sink:" in out
        github = run_cli("scan", "--no-cache", "--format", "github", root / "shop" / "sub").stdout
        assert github.startswith(f"::error file={expected},line=5,col=5,"), github
    monkeypatch.chdir(tmp_path)
    data = json.loads(run_cli("scan", "--no-cache", "--format", "json", root / "shop" / "sub").stdout)
    assert data["findings"][0]["sink"]["path"] == "shop/sub/views.py"  # JSON: relative to the project root


def test_a_baseline_recorded_from_the_root_matches_a_subfolder_scan(tmp_path, monkeypatch):
    root = project(tmp_path)
    monkeypatch.chdir(root)
    assert run_cli("baseline", "--no-cache", "b.json", ".").exit_code == 0
    result = run_cli("scan", "--no-cache", "--baseline", "b.json", "shop/sub")
    assert result.exit_code == 0, result.stdout
    assert "Baseline b.json: 1 matched, 0 stale." in result.stdout  # shop/top.py's entry is out of scope, not stale
    (root / "shop" / "sub" / "new.py").write_text(SEND.format(n="new"))
    result = run_cli("scan", "--no-cache", "--baseline", "b.json", "shop/sub")
    assert result.exit_code == 1 and result.stdout.startswith("shop/sub/new.py:5:5: XB101")
    (root / "shop" / "sub" / "views.py").write_text("x = 1\n")  # fixed: its entry is stale
    result = run_cli("scan", "--no-cache", "--baseline", "b.json", "shop/sub")
    assert "0 matched, 1 stale" in result.stdout and "  shop/sub/views.py:5: XB101" in result.stdout


def test_a_subfolder_names_modules_as_from_the_root(tmp_path):
    """app/services holds no __init__.py: scanned alone it used to be a root of its own, its modules
    `gateway` and `views`, and `from app.services.gateway import send` resolved to nothing."""
    root = write_project(tmp_path / "project", {
        "xborder.toml": 'home = "CN"\n', "app/__init__.py": "",
        "app/services/gateway.py": FORWARD, "app/services/views.py": CALLER,
    })
    modules = {f.rel: f.module for f in discover(root, [root / "app" / "services"])}
    assert modules == {"app/services/gateway.py": "app.services.gateway", "app/services/views.py": "app.services.views"}
    code, data, _ = scan_json(root / "app" / "services")
    assert code == 1 and [(f["source"]["path"], f["sink"]["path"]) for f in data["findings"]] == [
        ("app/services/views.py", "app/services/gateway.py")]


def test_without_a_config_the_git_work_tree_is_the_root(tmp_path):
    repo = write_project(tmp_path / "repo", {"pkg/sub/app.py": SEND.format(n="app"), "other/x.py": SEND.format(n="x")})
    subprocess.run(["git", "init", "-q", str(repo)], check=True, capture_output=True)
    code, data, _ = scan_json(repo / "pkg" / "sub", "--home", "CN")
    assert code == 1 and _sinks(data)[0][0] == "pkg/sub/app.py"
    plain = write_project(tmp_path / "plain", {"pkg/sub/app.py": SEND.format(n="app")})  # no git: the folder scanned
    code, data, _ = scan_json(plain / "pkg" / "sub", "--home", "CN")
    assert _sinks(data)[0][0] == "app.py"


def test_the_shop_package_folder_is_scanned_as_the_shop():
    """The known bug: `xborder scan fixtures/shop/shop` made that folder the root."""
    _, whole, _ = scan_json(FIXTURES / "shop")
    _, package, _ = scan_json(FIXTURES / "shop" / "shop")
    assert package["findings"] == whole["findings"] and package["errors"] == whole["errors"]


def test_tests_are_told_by_the_folders_below_what_was_asked_for(tmp_path):
    """`xborder scan tests` scans what is in tests/ (a test_*.py file still left out), as it did when
    the folder scanned was the root; `xborder scan .` leaves tests/ out."""
    root = write_project(tmp_path / "project", {
        "xborder.toml": 'home = "CN"\n', "app.py": SEND.format(n="app"),
        "tests/helpers.py": SEND.format(n="helper"), "tests/test_signup.py": SEND.format(n="test"),
    })
    _, whole, _ = scan_json(root)
    assert [p for p, _ in _sinks(whole)] == ["app.py"]
    _, tests, _ = scan_json(root / "tests")
    assert [p for p, _ in _sinks(tests)] == ["tests/helpers.py"]


def test_only_the_scanned_folders_are_walked(tmp_path, monkeypatch):
    """The project root may be far above the folder scanned: only that folder is listed."""
    import xborder.discover as discover_module

    root = project(tmp_path)
    walked = []
    real_walk = os.walk

    def walk(top, *args, **kwargs):
        walked.append(Path(top))
        return real_walk(top, *args, **kwargs)

    monkeypatch.setattr(discover_module.os, "walk", walk)
    discover(root, [root / "shop" / "sub"])
    assert walked == [root / "shop" / "sub"]
