"""Hostile input: the scan never breaks, never drops a file silently, never loses a healthy finding.

The corpus is generated per run by tests/hostile_corpus.py (also used by bench/hostile.py).
"""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

import hostile_corpus
from xborder import discover as discover_module
from xborder import runner as runner_module
from conftest import scan_json, write_project

HEALTHY_APP = hostile_corpus.HEALTHY["healthy/app.py"]


def healthy_findings(report):
    return hostile_corpus.finding_keys(report)


def test_hostile_corpus(tmp_path):
    root = tmp_path / "corpus"
    expected = hostile_corpus.build(root)
    code, report = hostile_corpus.scan(root, "--jobs", "2")
    healthy = hostile_corpus.healthy_alone(tmp_path / "healthy")

    got = hostile_corpus.outcomes(report)
    for rel, outcome in expected.items():
        assert got.get(rel, "analyzed") in outcome.split("|"), (rel, [e for e in report["errors"] if e["path"] == rel])
    assert set(got) <= set(expected), "errors for paths the corpus does not have"
    for error in report["errors"]:
        assert error["path"] and error["message"]
    assert healthy_findings(report) == healthy_findings(healthy[1])  # intact, and nothing from outside the root
    assert code == healthy[0] == 1
    figures = hostile_corpus.figures(expected, code, report, healthy)
    print("\n".join(figures.lines()))
    assert figures.crashes == 0 and figures.healthy_preserved == figures.healthy_expected == 3
    assert figures.analyzed + figures.errors == figures.tried


def test_timeout_is_honoured_with_one_job(tmp_path):
    """One job still summarizes in a worker, so a slow file is stopped on time and reported."""
    write_project(tmp_path, {"app.py": HEALTHY_APP, "slow.py": "t = " + " + ".join(["a"] * 20_000) + "\n"})
    code, report, _ = scan_json(tmp_path, "--home", "CN", "--jobs", "1", "--file-timeout", "1")
    assert report["errors"] == [{"path": "slow.py", "line": None, "code": "XB902",
                                 "message": "exceeded the file timeout of 1 s (file-timeout)"}]
    assert len(report["findings"]) == 3 and code == 1


def test_max_file_bytes_names_file_and_limit(tmp_path):
    write_project(tmp_path, {"app.py": HEALTHY_APP, "big.py": "x = 1\n" * 1000})
    code, report, _ = scan_json(tmp_path, "--home", "CN", "--max-file-bytes", "5000")
    assert report["errors"] == [{"path": "big.py", "line": None, "code": "XB902",
                                 "message": "file is 6000 bytes, over the limit of 5000 (max-file-bytes)"}]
    assert len(report["findings"]) == 3 and code == 1


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_dying_workers_cost_only_their_file(tmp_path, monkeypatch, jobs):
    """A worker killed outright, out of memory, over the recursion limit or hitting a bug: the file
    is reported, a fresh worker takes the rest, and the healthy findings decide the exit code."""
    real = runner_module.summarize

    def hostile(source, path, *args, **kwargs):
        if path == "killed.py":
            os.kill(os.getpid(), signal.SIGKILL)
        if path == "oom.py":
            raise MemoryError
        if path == "deep.py":
            raise RecursionError
        if path == "bug.py":
            raise KeyError("boom")
        return real(source, path, *args, **kwargs)

    monkeypatch.setattr(runner_module, "summarize", hostile)  # forked workers inherit it
    files = {"app.py": HEALTHY_APP, **{f"{name}.py": "x = 1\n" for name in ("killed", "oom", "deep", "bug")}}
    files.update({f"plain_{i}.py": f"v = {i}\n" for i in range(6)})
    write_project(tmp_path, files)
    code, report, _ = scan_json(tmp_path, "--home", "CN", "--jobs", jobs)
    messages = {e["path"]: (e["code"], e["message"]) for e in report["errors"]}
    assert messages == {
        "bug.py": ("XB901", "internal error while analysing: KeyError: 'boom'"),
        "deep.py": ("XB902", "too deeply nested to analyze"),
        "killed.py": ("XB902", "the analysis process died on this file (crashed or out of memory) (worker-memory: 2048 MB)"),
        "oom.py": ("XB902", "out of memory while analysing (worker-memory: 2048 MB)"),
    }
    assert len(report["findings"]) == 3 and code == 1


def test_git_listed_file_missing_on_disk(tmp_path):
    write_project(tmp_path, {"app.py": HEALTHY_APP, "gone.py": "x = 1\n"})
    git = ["git", "-C", str(tmp_path), "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    (tmp_path / "gone.py").unlink()
    code, report, _ = scan_json(tmp_path, "--home", "CN")
    assert report["errors"] == [{"path": "gone.py", "line": None, "code": "XB901", "message": "cannot read: No such file or directory"}]
    assert len(report["findings"]) == 3 and code == 1


def test_unlistable_folder_is_reported(tmp_path, monkeypatch):
    write_project(tmp_path, {"app.py": HEALTHY_APP, "locked/inner.py": "x = 1\n"})
    real = os.scandir

    def scandir(path="."):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(discover_module.os, "scandir", scandir)
    code, report, _ = scan_json(tmp_path, "--home", "CN")
    assert report["errors"] == [{"path": "locked", "line": None, "code": "XB902",
                                 "message": "cannot list folder: Permission denied; its files were not analysed"}]
    assert len(report["findings"]) == 3
