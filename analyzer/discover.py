"""Which files to scan, and what module each one is.

Inside a git work tree: the files git knows (tracked, or untracked and not ignored); elsewhere a
walk that skips virtualenvs, site-packages, build and hidden folders. Config globs apply on top.
Symlinks that leave the root (or loop) are never followed; they are kept as skipped files, so the
scan reports them instead of dropping them silently. Git runs with the repository's command hooks
(core.fsmonitor) disabled, since the scanned tree's .git/config is untrusted.
"""

from __future__ import annotations

import fnmatch
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

SKIP_DIRS = {"site-packages", "node_modules", "__pycache__", "build", "dist", "venv", "env", ".venv", ".tox", ".nox", ".xborder_cache"}


@dataclass(frozen=True)
class SourceFile:
    path: Path  # absolute
    rel: str  # relative to the root, with "/"
    module: str  # dotted module name
    is_package: bool  # an __init__.py
    skipped: str | None = None  # why the file is not analysed (reported as XB902), or None


def module_name(rel: str) -> tuple[str, bool]:
    parts = rel[:-3].split("/")
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    if parts and parts[0] == "src" and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts) or "__init__", is_package


def _git_files(root: Path) -> list[str] | None:
    try:
        out = subprocess.run(
            ["git", "-c", "core.fsmonitor=false", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.py"],
            capture_output=True, timeout=60, check=True, env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]


def _inside_git(root: Path) -> bool:
    for directory in (root, *root.parents):
        if (directory / ".git").exists():
            return True
    return False


def _walk(root: Path) -> tuple[list[str], dict[str, str]]:
    """Python files under root, and the folders that could not be listed (with the reason)."""
    found = []
    unlisted = {}

    def unreadable(exc: OSError) -> None:
        unlisted[Path(exc.filename).relative_to(root).as_posix()] = f"cannot list folder: {exc.strerror}; its files were not analysed"

    for directory, dirs, files in os.walk(root, onerror=unreadable, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS and not (Path(directory) / d / "pyvenv.cfg").exists())
        base = Path(directory)
        for name in files:
            if name.endswith(".py"):
                found.append((base / name).relative_to(root).as_posix())
    return found, unlisted


def _matches(rel: str, patterns: tuple) -> bool:
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(rel, p.rstrip("/") + "/*") or rel.startswith(p.rstrip("/") + "/") for p in patterns)


def discover(root: Path, targets: list[Path], include: tuple = (), exclude: tuple = ()) -> list[SourceFile]:
    """Files under `targets` (all inside `root`), sorted by relative path, so order never depends on the OS."""
    root = root.resolve()
    rels = (_git_files(root) if _inside_git(root) else None)
    unlisted: dict[str, str] = {}
    if rels is None:
        rels, unlisted = _walk(root)
    target_rels = []
    for t in targets:
        t = t.resolve() if not t.is_symlink() else t.absolute()
        target_rels.append("" if t == root else t.relative_to(root).as_posix())

    def wanted(rel: str) -> bool:
        if target_rels and not any(tr == "" or rel == tr or rel.startswith(tr + "/") for tr in target_rels):
            return False
        return (not include or _matches(rel, include)) and not (exclude and _matches(rel, exclude))

    found = []
    for rel in set(rels):
        if wanted(rel):
            path = root / rel
            module, is_package = module_name(rel)
            found.append(SourceFile(path, rel, module, is_package, _symlink_problem(path, root)))
    found += [SourceFile(root / rel, rel, "", False, reason) for rel, reason in unlisted.items() if wanted(rel)]
    return sorted(found, key=lambda f: f.rel)


def _symlink_problem(path: Path, root: Path) -> str | None:
    """Why a symlinked file is not followed, or None for a plain file or a link inside the root."""
    if not path.is_symlink():
        return None
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        return "symlink to a missing file; not followed"
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, on Python < 3.13
        return "symlink loop; not followed"
    if root not in target.parents:
        return "symlink to a file outside the scanned root; not followed"
    return None
