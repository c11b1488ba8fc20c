"""Which files to scan, and what module each one is.

Inside a git work tree: the files git knows (tracked, or untracked and not ignored); elsewhere a
walk that skips virtualenvs, site-packages, build and hidden folders. Config globs apply on top.
Symlinks that leave the root are never followed.
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
            ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.py"],
            capture_output=True, timeout=60, check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]


def _inside_git(root: Path) -> bool:
    for directory in (root, *root.parents):
        if (directory / ".git").exists():
            return True
    return False


def _walk(root: Path) -> list[str]:
    found = []
    for directory, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS and not (Path(directory) / d / "pyvenv.cfg").exists())
        base = Path(directory)
        for name in files:
            if name.endswith(".py"):
                found.append((base / name).relative_to(root).as_posix())
    return found


def _matches(rel: str, patterns: tuple) -> bool:
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(rel, p.rstrip("/") + "/*") or rel.startswith(p.rstrip("/") + "/") for p in patterns)


def discover(root: Path, targets: list[Path], include: tuple = (), exclude: tuple = ()) -> list[SourceFile]:
    """Files under `targets` (all inside `root`), sorted by relative path, so order never depends on the OS."""
    root = root.resolve()
    rels = (_git_files(root) if _inside_git(root) else None)
    if rels is None:
        rels = _walk(root)
    wanted = []
    target_rels = []
    for t in targets:
        t = t.resolve() if not t.is_symlink() else t.absolute()
        target_rels.append("" if t == root else t.relative_to(root).as_posix())
    for rel in set(rels):
        if target_rels and not any(tr == "" or rel == tr or rel.startswith(tr + "/") for tr in target_rels):
            continue
        if include and not _matches(rel, include):
            continue
        if exclude and _matches(rel, exclude):
            continue
        path = root / rel
        try:
            if path.is_symlink() and root not in path.resolve().parents:
                continue
        except OSError:
            continue
        module, is_package = module_name(rel)
        wanted.append(SourceFile(path, rel, module, is_package))
    return sorted(wanted, key=lambda f: f.rel)
