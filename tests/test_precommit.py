"""The pre-commit hook, run by the real `pre-commit` in a throwaway git repository, installed
from a repository and a commit as users install it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import ROOT, empty_git_config, export_tree, scan_json, write_project

SEND = 'import requests\n\n\ndef {name}(user):\n    requests.post("https://api.mixpanel.com/track", json={{"email": user.email}})\n'
PYPROJECT = '[project]\nname = "demo"\n\n[tool.xborder]\nhome = "CN"\n'


def hook() -> dict:
    (definition,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    return definition


def test_manifest_is_valid():
    definition = hook()
    assert definition["id"] == "xborder"
    assert definition["entry"] == "xborder scan --changed-only"  # a commit is checked for what it changes
    assert definition["language"] == "python"
    assert definition["types"] == ["python"]
    assert definition["require_serial"] is True
    assert definition["pass_filenames"] is True
    subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")], check=True)


def test_files_select_findings_of_the_whole_project(tmp_path):
    """A changed file is analysed with the files it calls, and only its own flows are reported."""
    write_project(tmp_path, {
        "pyproject.toml": PYPROJECT,
        "pkg/__init__.py": "",
        "pkg/track.py": 'import requests\n\n\ndef track(payload):\n    requests.post("https://api.mixpanel.com/t", json=payload)\n',
        "pkg/signup.py": "from pkg.track import track\n\n\ndef signup(user):\n    track({\"phone\": user.phone})\n",
        "pkg/legacy.py": SEND.format(name="legacy"),
        "pkg/clean.py": "def add(a, b):\n    return a + b\n",
    })
    code, data, _ = scan_json(tmp_path / "pkg" / "signup.py")
    assert code == 1
    assert [(f["source"]["path"], f["sink"]["path"]) for f in data["findings"]] == [("pkg/signup.py", "pkg/track.py")]
    code, data, _ = scan_json(tmp_path / "pkg" / "track.py")  # the sink's file sees the flow too
    assert [f["source"]["path"] for f in data["findings"]] == ["pkg/signup.py"]
    code, data, _ = scan_json(tmp_path / "pkg" / "clean.py")
    assert (code, data["findings"]) == (0, [])
    code, data, _ = scan_json(tmp_path)  # a directory still means: everything under it
    assert len(data["findings"]) == 2


GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1"}


def _run(args, cwd, env):
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def _commit_all(repo: Path, env: dict) -> str:
    for args in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-q", "-m", "start"]):
        done = _run(args, repo, env)
        assert done.returncode == 0, done.stderr
    return _run(["git", "rev-parse", "HEAD"], repo, env).stdout.strip()


def test_pre_commit_run_with_the_hook_from_a_repository_at_a_commit(tmp_path):
    """The hook as users consume it: `repo:` names a git clone of this project and `rev:` a commit of
    it, so pre-commit builds xborder into an environment of its own from that commit (nothing of
    this checkout's install is used). A clean change passes; a leaking change fails and shows the finding."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(GIT_ENV, GIT_CONFIG_GLOBAL=empty_git_config(tmp_path), PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), XDG_CACHE_HOME=str(tmp_path / "xdg"),
               PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    hook_repo = export_tree(tmp_path / "xborder")
    rev = _commit_all(hook_repo, env)
    config = {"repos": [{"repo": str(hook_repo), "rev": rev, "hooks": [{"id": "xborder"}]}]}
    repo = tmp_path / "repo"
    write_project(repo, {
        "pyproject.toml": PYPROJECT,
        ".pre-commit-config.yaml": yaml.safe_dump(config),
        "legacy.py": SEND.format(name="legacy"),
        "util.py": "def add(a, b):\n    return a + b\n",
    })
    _commit_all(repo, env)

    # A clean change passes, although legacy.py (not changed) has a flow.
    (repo / "util.py").write_text("def add(a, b):\n    return b + a\n")
    _run(["git", "add", "util.py"], repo, env)
    clean = _run([sys.executable, "-m", "pre_commit", "run", "--files", "util.py"], repo, env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout
    installed = list((tmp_path / "pre-commit-home").glob("repo*/py_env-*/bin/xborder"))
    assert len(installed) == 1, "pre-commit built its own environment with xborder in it"

    # A change that adds a flow fails, and the output names the finding.
    (repo / "signup.py").write_text(SEND.format(name="signup"))
    _run(["git", "add", "signup.py"], repo, env)
    bad = _run([sys.executable, "-m", "pre_commit", "run", "--files", "util.py", "signup.py"], repo, env)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout
    assert "signup.py:5:5: XB101 [error] email leaves CN for US" in bad.stdout
    assert "legacy.py" not in bad.stdout

    # --changed-only: a commit touching legacy.py away from its flow passes (its line did not change).
    _run(["git", "commit", "-q", "-m", "fixed", "--no-verify"], repo, env)
    (repo / "signup.py").write_text("x = 1\n")
    (repo / "legacy.py").write_text("# a comment\n" + SEND.format(name="legacy"))
    _run(["git", "add", "signup.py", "legacy.py"], repo, env)
    moved = _run([sys.executable, "-m", "pre_commit", "run", "--files", "legacy.py", "signup.py"], repo, env)
    assert moved.returncode == 0, moved.stdout + moved.stderr
    (repo / "legacy.py").write_text("# a comment\n" + SEND.format(name="legacy").replace("user.email", "user.email_address"))
    _run(["git", "add", "legacy.py"], repo, env)
    touched = _run([sys.executable, "-m", "pre_commit", "run", "--files", "legacy.py"], repo, env)
    assert touched.returncode == 1 and "legacy.py:6:5: XB101" in touched.stdout, touched.stdout + touched.stderr
