"""Diff mode: `--diff-base REF` and `--changed-only` report only the findings whose source, sink or a
trace hop lies on a line git says changed, while the whole program is analysed (flows cross files).
Each test makes a real git repository whose identity is set in the repository itself, with the
user's global and system git configuration shut out."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import empty_git_config, run_cli, scan_json, write_project
from xborder.gitdiff import ChangedLines, parse_diff

SINK = 'import requests\n\n\ndef track(payload):\n    requests.post("https://api.mixpanel.com/t", json=payload)\n'
SOURCE = 'from pkg.track import track\n\n\ndef signup(user):\n    track({"phone": user.phone})\n'
LEGACY = 'import requests\n\n\ndef legacy(user):\n    requests.post("https://api.mixpanel.com/t", json={"email": user.email})\n'
PYPROJECT = '[project]\nname = "demo"\n\n[tool.xborder]\nhome = "CN"\n'


@pytest.fixture(autouse=True)
def _no_user_git_config(monkeypatch, tmp_path):
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", empty_git_config(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def commit(repo: Path, message: str = "change") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path) -> Path:
    root = write_project(tmp_path / "repo", {"pyproject.toml": PYPROJECT, "pkg/__init__.py": "", "pkg/track.py": SINK,
                                             "pkg/signup.py": SOURCE, "pkg/legacy.py": LEGACY})
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Test")
    git(root, "config", "user.email", "test@example.com")
    commit(root, "start")
    return root


def reported(*args) -> list[tuple]:
    code, data, err = scan_json(*args)
    assert code in (0, 1), err
    return sorted((f["source"]["path"], f["sink"]["path"], f["sink"]["line"]) for f in data["findings"])


ALL = [("pkg/legacy.py", "pkg/legacy.py", 5), ("pkg/signup.py", "pkg/track.py", 5)]


def test_nothing_changed_nothing_reported(repo):
    assert reported(repo) == ALL
    assert reported(repo, "--diff-base", "HEAD") == [] and reported(repo, "--changed-only") == []


def test_a_finding_on_a_changed_line_reports_and_one_on_an_unchanged_line_does_not(repo):
    (repo / "pkg" / "legacy.py").write_text(LEGACY + "\n\ndef fresh(user):\n    requests.post('https://api.segment.io/v1', json={'phone': user.phone})\n")
    assert reported(repo, "--diff-base", "HEAD") == [("pkg/legacy.py", "pkg/legacy.py", 9)]
    assert reported(repo, "--changed-only") == [("pkg/legacy.py", "pkg/legacy.py", 9)]
    assert len(reported(repo)) == 3  # without diff mode: all of them


def test_a_flow_from_an_unchanged_file_reports_when_its_sink_line_changed(repo):
    (repo / "pkg" / "track.py").write_text(SINK.replace("json=payload)", "json=payload, timeout=5)"))
    assert reported(repo, "--diff-base", "HEAD") == [("pkg/signup.py", "pkg/track.py", 5)]


def test_a_flow_reports_when_its_source_line_or_only_a_hop_changed(repo):
    (repo / "pkg" / "signup.py").write_text(SOURCE.replace("user.phone", "user.phone_number"))
    assert reported(repo, "--changed-only") == [("pkg/signup.py", "pkg/track.py", 5)]
    hop = SOURCE.replace('    track({"phone": user.phone})', '    phone = user.phone\n    data = {"tel": phone}\n    track(data)')
    (repo / "pkg" / "signup.py").write_text(hop)
    commit(repo)
    assert reported(repo, "--changed-only") == []
    (repo / "pkg" / "signup.py").write_text(hop.replace("track(data)", "track(data)  # sent on"))  # line 7 only
    code, data, _ = scan_json(repo, "--changed-only")
    (finding,) = data["findings"]
    assert finding["source"]["line"] == 5 and finding["sink"]["path"] == "pkg/track.py"
    assert [(h["path"], h["line"]) for h in finding["trace"]][1] == ("pkg/signup.py", 7)  # the hop brought it in


def test_diff_base_is_any_revision_and_takes_committed_changes_too(repo):
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "pkg" / "track.py").write_text(SINK.replace("json=payload)", "json=payload, timeout=5)"))
    commit(repo, "feature work")
    assert reported(repo, "--changed-only") == []  # committed: nothing against HEAD
    assert reported(repo, "--diff-base", "main") == [("pkg/signup.py", "pkg/track.py", 5)]
    assert reported(repo, "--diff-base", "HEAD~1") == [("pkg/signup.py", "pkg/track.py", 5)]


def test_staged_and_untracked_files_count_as_changed(repo):
    (repo / "pkg" / "new.py").write_text(LEGACY.replace("legacy", "fresh"))  # untracked: every line is new
    assert reported(repo, "--changed-only") == [("pkg/new.py", "pkg/new.py", 5)]
    git(repo, "add", "pkg/new.py")  # staged
    assert reported(repo, "--changed-only") == [("pkg/new.py", "pkg/new.py", 5)]
    (repo / ".gitignore").write_text("pkg/ignored.py\n")
    (repo / "pkg" / "ignored.py").write_text(LEGACY.replace("legacy", "hidden"))
    assert ("pkg/ignored.py", "pkg/ignored.py", 5) not in reported(repo, "--changed-only")  # ignored by git


def test_a_project_in_a_subfolder_of_the_repository(repo, monkeypatch):
    sub = write_project(repo / "services" / "api", {"pyproject.toml": PYPROJECT, "app.py": LEGACY})
    commit(repo)
    (sub / "app.py").write_text(LEGACY.replace("user.email", "user.email_address"))
    (repo / "pkg" / "legacy.py").write_text(LEGACY.replace("user.email", "user.email_address"))  # another project
    monkeypatch.chdir(repo)
    assert reported(sub, "--changed-only") == [("app.py", "app.py", 5)]


def test_the_pre_commit_files_and_the_changed_lines_both_narrow(repo):
    (repo / "pkg" / "legacy.py").write_text(LEGACY.replace("user.email", "user.email_address"))
    (repo / "pkg" / "track.py").write_text(SINK.replace("json=payload)", "json=payload, timeout=5)"))
    assert reported(repo / "pkg" / "legacy.py", "--changed-only") == [("pkg/legacy.py", "pkg/legacy.py", 5)]


def test_file_problems_only_of_changed_files(repo):
    write_project(repo, {"pkg/broken.py": "x = = 1\n"})
    commit(repo)
    code, data, _ = scan_json(repo, "--changed-only")
    assert (code, data["errors"]) == (0, [])
    (repo / "pkg" / "broken.py").write_text("y = = 2\n")
    code, data, _ = scan_json(repo, "--changed-only")
    assert [e["path"] for e in data["errors"]] == ["pkg/broken.py"]


@pytest.mark.parametrize("settings", [
    {"diff.mnemonicPrefix": "true", "color.ui": "always", "color.diff": "always", "diff.renames": "false",
     "core.quotePath": "false", "diff.external": "false", "diff.relative": "false"},
    {"diff.noprefix": "true"},
])
def test_the_users_git_configuration_changes_nothing(repo, settings):
    write_project(repo, {"b/__init__.py": "", "b/x.py": LEGACY})  # b/x.py: "b/b/x.py" in a diff with prefixes
    commit(repo)
    for key, value in settings.items():
        git(repo, "config", key, value)
    (repo / "pkg" / "track.py").write_text(SINK.replace("json=payload)", "json=payload, timeout=5)"))
    (repo / "b" / "x.py").write_text(LEGACY.replace("user.email", "user.email_address"))
    assert reported(repo, "--diff-base", "HEAD") == [("b/x.py", "b/x.py", 5), ("pkg/signup.py", "pkg/track.py", 5)]


def test_a_renamed_file_reports_only_its_changed_lines(repo):
    git(repo, "mv", "pkg/legacy.py", "pkg/older.py")
    assert reported(repo, "--changed-only") == []
    (repo / "pkg" / "older.py").write_text(LEGACY.replace("user.email", "user.email_address"))
    assert reported(repo, "--changed-only") == [("pkg/older.py", "pkg/older.py", 5)]


def test_before_the_first_commit_changed_only_reports_everything(tmp_path):
    root = write_project(tmp_path / "fresh", {"pyproject.toml": PYPROJECT, "pkg/__init__.py": "", "pkg/legacy.py": LEGACY})
    git(root, "init", "-q")
    assert reported(root, "--changed-only") == [("pkg/legacy.py", "pkg/legacy.py", 5)]
    result = run_cli("scan", "--no-cache", "--diff-base", "HEAD", root)
    assert result.exit_code == 2 and "--diff-base: no commit 'HEAD'" in result.stderr


def test_the_empty_tree_is_not_read_from_the_null_device(tmp_path, monkeypatch):
    """Before the first commit, --changed-only compares with git's empty tree, made from empty input:
    a /dev/null that a shell hook wrote into (as on the CI machine) must not matter."""
    root = write_project(tmp_path / "fresh", {"pyproject.toml": PYPROJECT, "pkg/__init__.py": "", "pkg/legacy.py": LEGACY})
    git(root, "init", "-q")
    written_into = tmp_path / "null"
    written_into.write_text("pyenv-hooks: line 24: enable: cannot open shared object\n")
    monkeypatch.setattr(os, "devnull", str(written_into))
    assert reported(root, "--changed-only") == [("pkg/legacy.py", "pkg/legacy.py", 5)]


def test_the_text_report_says_what_it_was_narrowed_to(repo, monkeypatch):
    monkeypatch.chdir(repo)
    (repo / "pkg" / "track.py").write_text(SINK.replace("json=payload)", "json=payload, timeout=5)"))
    result = run_cli("scan", "--no-cache", "--diff-base", "main", ".")
    assert result.exit_code == 1 and result.stdout.startswith("pkg/track.py:5:5: XB101")
    assert result.stdout.splitlines()[-1] == ("Diff mode: only findings whose source, sink or trace is on a line changed "
                                              "since main (1 changed file in the project).")
    assert "Diff mode" not in run_cli("scan", "--no-cache", ".").stdout


@pytest.mark.parametrize("args,message", [
    (("--diff-base", "no-such-branch"), "--diff-base: no commit 'no-such-branch' in the git repository of "),
    (("--diff-base", "--output=/tmp/x"), "--diff-base --output=/tmp/x: not a git revision (it starts with '-')"),
    (("--diff-base", "HEAD", "--changed-only"), "--diff-base and --changed-only both choose the lines to report"),
])
def test_bad_revisions_are_usage_errors(repo, args, message):
    result = run_cli("scan", "--no-cache", *args, repo)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("xborder: error: ") and message in result.stderr, result.stderr


def test_outside_a_git_work_tree_or_without_git(tmp_path, monkeypatch):
    root = write_project(tmp_path / "plain", {"pyproject.toml": PYPROJECT, "app.py": LEGACY})
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    result = run_cli("scan", "--no-cache", "--changed-only", root)
    assert result.exit_code == 2 and "--changed-only: " in result.stderr and "is not in a git work tree" in result.stderr
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = run_cli("scan", "--no-cache", "--diff-base", "main", root)
    assert result.exit_code == 2 and "--diff-base: git is not installed or not on PATH" in result.stderr


def test_parse_diff_counts_hunk_lines_off_by_their_headers():
    diff = b"\n".join([
        b"diff --git a/a.py b/a.py", b"--- a/a.py", b"+++ b/a.py",
        b"@@ -3,1 +4,2 @@ def f():", b"--- a/x", b"+++ b/evil.py", b"+@@ -1 +100,5 @@",  # lines that read like headers
        b"@@ -10,2 +11,0 @@", b"-gone", b"-gone too",  # a deletion only: no line
        b"@@ -20 +19 @@", b"-old", b"+new", b"\\ No newline at end of file",
        b"diff --git a/old.py b/old.py", b"--- a/old.py", b"+++ /dev/null", b"@@ -1 +0,0 @@", b"-x",
        b'+++ "b/sp\\303\\251cial\\tname.py"', b"@@ -0,0 +1 @@", b"+x",
        b"+++ b/with space.py\t", b"@@ -1 +1 @@", b"-a", b"+b",
    ])
    assert parse_diff(diff) == {"a.py": {4, 5, 19}, "sp\u00e9cial\tname.py": {1}, "with space.py": {1}}


def test_changed_lines_of_a_call_spanning_lines():
    changed = ChangedLines("HEAD", {"a.py": {7}, "new.py": None})
    assert changed.touches("a.py", 5, 8) and not changed.touches("a.py", 5, 6) and not changed.touches("a.py", 7 + 1)
    assert changed.touches("new.py", 1) and not changed.touches("b.py", 7)


def test_sanitizer_notes_only_on_changed_lines(repo):
    hashed = ("\n\ndef hashed(user):\n    import hashlib\n"
              "    requests.post('https://api.mixpanel.com/t', json={'id': hashlib.sha256(user.email.encode()).hexdigest()})\n")
    (repo / "pkg" / "legacy.py").write_text(LEGACY + hashed)
    code, data, _ = scan_json(repo, "--changed-only")
    assert [(c["path"], c["line"]) for c in data["sanitized"]] == [("pkg/legacy.py", 10)]
    commit(repo)
    code, data, _ = scan_json(repo, "--changed-only")
    assert data["sanitized"] == []
    code, data, _ = scan_json(repo)
    assert [(c["path"], c["line"]) for c in data["sanitized"]] == [("pkg/legacy.py", 10)]
    assert scan_json(repo / "pkg" / "legacy.py")[1]["sanitized"] == data["sanitized"]  # files given (pre-commit)
    assert scan_json(repo / "pkg" / "track.py")[1]["sanitized"] == []  # narrow the notes too
