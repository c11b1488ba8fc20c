"""Where a reported file is, as each kind of reader needs it.

Findings hold paths relative to the project root (JSON keeps them so, and fingerprints and
baselines are made of them). What a person reads in a shell (text) and what GitHub resolves
against the checkout the job runs in (workflow annotations) is relative to the current
directory instead, so that `path:line:col` opens from the terminal wherever xborder was run.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from ..discover import git_work_tree


@lru_cache(maxsize=4)
def _real(path: str) -> str:
    return os.path.realpath(path)


def shown(root: str, rel: str) -> str:
    """A root-relative path as seen from the current directory (`../` where it lies outside)."""
    if not rel or os.path.isabs(rel):
        return rel
    try:
        cwd = os.getcwd()
    except OSError:  # the current directory was removed: the root-relative path is all there is
        return rel
    return os.path.relpath(os.path.join(_real(root), rel), _real(cwd)).replace(os.sep, "/")


def repository_root(root: str) -> str:
    """The git work tree holding the project root, else the project root itself."""
    folder = Path(os.path.realpath(root))
    return str(git_work_tree(folder) or folder)


def project_folder(root: str) -> str:
    """The project root relative to the repository root ("" when they are the same folder)."""
    prefix = os.path.relpath(os.path.realpath(root), repository_root(root)).replace(os.sep, "/")
    return "" if prefix == "." else prefix


def from_repository(prefix: str, rel: str) -> str:
    """A root-relative path made relative to the repository root (SARIF's %SRCROOT%), `prefix` being
    the project's folder in it (project_folder)."""
    return f"{prefix}/{rel}" if prefix and rel else rel
