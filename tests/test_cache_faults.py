"""A damaged, foreign, read-only or full cache costs a warning, never a wrong or failed scan."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from xborder import cache as cache_module
from xborder.knowledge.config import Config
from xborder.knowledge import load_knowledge
from conftest import run_cli, write_project

APP = """import requests

def send(user):
    requests.post("https://api.segment.io/v1/track", json={"email": user.email, "phone": user.phone_number})
"""
PROJECT = {"app.py": APP, **{f"pkg/mod_{i}.py": f"def f_{i}(x):\n    return x + {i}\n" for i in range(30)}}


def scan(root: Path, cache_dir: Path, *args: str):
    result = run_cli("scan", "--format", "json-v1", "--home", "CN", "--cache-dir", str(cache_dir), "--jobs", "2", *args, str(root))
    return result.exit_code, _stable(result.stdout), result


def _stable(text: str) -> dict:
    doc = json.loads(text)
    doc["stats"].pop("seconds")
    return doc


def text_scan(root: Path, cache_dir: Path):
    result = run_cli("scan", "--home", "CN", "--cache-dir", str(cache_dir), str(root))
    return result, [line for line in result.stdout.splitlines() if line.startswith("warning: ")]


@pytest.fixture
def project(tmp_path):
    root = write_project(tmp_path / "project", PROJECT)
    code, reference, _ = scan(root, tmp_path / "unused", "--no-cache")
    assert code == 1 and len(reference["findings"]) == 2
    return root, reference


def entries(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.glob("*/*.pkl"))


@pytest.mark.parametrize("damage", ["truncated", "garbage", "foreign", "other-version"])
def test_damaged_entries_are_rebuilt_with_a_warning(tmp_path, project, damage):
    root, reference = project
    cache_dir = tmp_path / "cache"
    assert scan(root, cache_dir)[1] == reference
    files = entries(cache_dir)
    assert len(files) >= len(PROJECT)
    if damage == "truncated":
        for f in files:
            f.write_bytes(f.read_bytes()[: len(f.read_bytes()) // 2])
    elif damage == "garbage":
        for f in files:
            f.write_bytes(os.urandom(200))
    elif damage == "foreign":  # valid format, signed with somebody else's key (a planted entry)
        for f in files:
            blob = f.read_bytes()
            f.write_bytes(blob[:4] + os.urandom(32) + blob[36:])
    else:  # entries another analyzer version wrote, copied to the names this version looks up
        other = cache_module.Cache(tmp_path / "other", "rules-of-another-version")
        other.salt = b"0.0.0-old\x1fsomething"
        this = cache_module.Cache(cache_dir, load_knowledge(Config(home=("CN",))).digest())
        for f in files:
            f.unlink()
        for rel, text in PROJECT.items():
            digest = hashlib.sha256(text.encode()).hexdigest()
            this_key = this.entry_key(digest, False)
            other_key = other.entry_key(digest, False)
            other.put(digest, False, {"planted": True})
            target = cache_dir / this_key[:2] / f"{this_key[2:]}.pkl"
            target.parent.mkdir(exist_ok=True)
            target.write_bytes((tmp_path / "other" / other_key[:2] / f"{other_key[2:]}.pkl").read_bytes())
    result, warned = text_scan(root, cache_dir)
    assert result.exit_code == 1
    assert len(warned) == 1 and "invalid cache entr" in warned[0], result.stdout
    assert scan(root, cache_dir)[1] == reference  # rebuilt: correct, and no more warnings
    assert text_scan(root, cache_dir)[1] == []


def test_read_only_cache_dir(tmp_path, project, monkeypatch):
    root, reference = project
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    cache_dir.chmod(0o555)
    if os.access(cache_dir, os.W_OK):  # running as root: make writes fail the way they would
        def refuse(*args, **kwargs):
            raise PermissionError(13, "Permission denied")
        monkeypatch.setattr(cache_module.files, "_create", refuse)
    code, doc, _ = scan(root, cache_dir)
    assert (code, doc) == (1, reference)
    result, warned = text_scan(root, cache_dir)
    assert warned and ("not writable" in warned[0] or "cannot write" in warned[0]), result.stdout
    cache_dir.chmod(0o755)


def test_cache_dir_is_a_file(tmp_path, project):
    root, reference = project
    (root / ".xborder_cache").write_text("not a directory")
    result = run_cli("scan", "--format", "json-v1", "--home", "CN", str(root))
    assert (result.exit_code, _stable(result.stdout)) == (1, reference)
    result = run_cli("scan", "--home", "CN", str(root))
    assert "not writable" in result.stdout.splitlines()[-2], result.stdout


def test_full_disk(tmp_path, project, monkeypatch):
    """Writes go to /dev/full, which fails every write with ENOSPC, as a full disk does."""
    root, reference = project

    def full(name, dir_fd):
        return os.open("/dev/full", os.O_WRONLY)

    monkeypatch.setattr(cache_module.files, "_create", full)
    cache_dir = tmp_path / "cache"
    assert scan(root, cache_dir)[:2] == (1, reference)
    result, warned = text_scan(root, cache_dir)
    assert warned == [f"warning: cache directory {cache_dir} is not writable (No space left on device); scanning without a cache"]
    assert entries(cache_dir) == []


def test_two_scans_at_once(tmp_path, project, monkeypatch):
    """Two processes scan one project into one cold cache; both finish with the right report."""
    root, reference = project
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))  # both start without a signing key
    env = dict(os.environ)
    command = [sys.executable, "-m", "xborder", "scan", "--format", "json-v1", "--home", "CN",
               "--cache-dir", str(cache_dir), "--jobs", "2", str(root)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(2)]
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 1, err
        assert _stable(out.decode()) == reference
    result, warned = text_scan(root, cache_dir)
    assert warned == [], warned  # every entry either process wrote is valid for the other


def test_a_summary_is_kept_for_the_import_name_that_made_it(tmp_path, monkeypatch):
    """The same code imported as `xborder` and as `analyzer` (bench/'s `python -m analyzer`) has
    classes of its own under each name: a summary pickled under one is no summary for the other."""
    from xborder import cache
    salt = cache.Cache(tmp_path / "cache", "rules").salt
    monkeypatch.setattr(cache, "__package__", "analyzer")
    assert cache.Cache(tmp_path / "cache", "rules").salt != salt
