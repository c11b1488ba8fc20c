"""Which files to scan, and what module each one is.

Inside a git work tree: the files git knows (tracked, or untracked and not ignored); elsewhere a
walk that skips virtualenvs, site-packages, build and hidden folders. Config globs apply on top.
Symlinks that leave the root (or loop) are never followed; they are kept as skipped files, so the
scan reports them instead of dropping them silently: a linked file, a linked folder (walked), a
file git tracks under a folder that has since become a link out. A file named on the command line
is located by its folder, without following the file itself, so a link to a system file never
moves the root out of the project. Git runs with the repository's command hooks
(core.fsmonitor) disabled, since the scanned tree's .git/config is untrusted.
"""

from __future__ import annotations

import fnmatch
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import files as safe_files

MAX_TAIL_PARTS = 8  # the longest other name (a tail, a namespace-prefixed name) a module is looked up by
SKIP_DIRS = {"site-packages", "node_modules", "__pycache__", "build", "dist", "venv", "env", ".venv", ".tox", ".nox", ".xborder_cache"}


@dataclass(frozen=True)
class SourceFile:
    path: Path  # absolute
    rel: str  # relative to the root, with "/"
    module: str  # dotted module name
    is_package: bool  # an __init__.py
    skipped: str | None = None  # why the file is not analysed (reported as XB902), or None


# Not production code, left out unless asked for (`--include-tests`), as Semgrep and Bearer do:
# a flow in a test, a migration, a demo project or the docs is not a transfer, and no trace may
# pass through one.
NOT_PRODUCTION_DIRS = {"test", "tests", "testing", "fixtures", "migrations", "alembic", "benchmarks", "bench",
                       "docs", "examples", "example", "demo", "demos"}
NOT_PRODUCTION_FILES = ("test_*.py", "*_test.py", "*_tests.py", "tests.py", "conftest.py")
# Words of a module's own name that make it test support when no production module imports it
# (ckan's lib/create_test_data.py, an app's testing.py or mocks.py: only tests use them).
TEST_SUPPORT_WORDS = {"test", "tests", "testing", "fakes", "mocks", "fixtures"}


def not_production(rel: str) -> bool:
    *dirs, name = rel.split("/")
    return any(d in NOT_PRODUCTION_DIRS for d in dirs) or any(fnmatch.fnmatch(name, p) for p in NOT_PRODUCTION_FILES)


def test_support(summaries: list) -> frozenset:
    """The modules that are test support outside the test folders: those named as such (a word of
    TEST_SUPPORT_WORDS in the module's own name), and what only they import, that no production
    module imports; a module nothing imports stays, as a command or a plugin loaded by name would.
    Read like a test: not analysed unless tests are asked for."""
    known = {s.module for s in summaries}
    named_as = {s.module: s.module for s in summaries}  # a module's names -> the module
    named_as.update((name, s.module) for s in summaries for name in namespace_names(s.module, s.path))
    imports = {s.module: {named_as[p] for name in (*(q for _, q in s.imports), *s.star_imports, *s.unbound_imports)
                          for p in _prefixes(name) if named_as.get(p, s.module) != s.module} for s in summaries}
    importers: dict = {}
    for module, imported in imports.items():
        for m in imported:
            importers.setdefault(m, set()).add(module)
    named = {m for m in known if TEST_SUPPORT_WORDS & set(m.rpartition(".")[2].lower().split("_"))}
    support = _reached(named, imports, known)
    while True:  # shrinks until no module of it has an importer outside it: it ends
        kept = _reached(named & support, imports, support)
        kept = {m for m in kept if importers.get(m, set()) <= kept}
        if kept == support:
            return frozenset(support)
        support = kept


def _reached(starts: set, imports: dict, within: set) -> set:
    """The modules of `within` that `starts` import, directly or not, and `starts` themselves."""
    reached, queue = set(), list(starts)
    while queue:
        m = queue.pop()
        if m not in reached:
            reached.add(m)
            queue += [d for d in imports.get(m, ()) if d in within]
    return reached


def _prefixes(name: str):
    """`a.b.c`, `a.b`, `a`: the modules a dotted name may be within."""
    while name:
        yield name
        name = name.rpartition(".")[0]


def import_root(rel: str, packages: set, roots: tuple = ()) -> str:
    """The folder a file is imported from (as Python's sys.path would hold it), relative to the
    scanned root: the longest configured `src` root that holds it, else the folder above the top of
    its package chain (src/app/core/x.py is app.core.x when src/app holds an __init__.py, whether
    or not src/app/core does), else the scanned root, with a leading src/ left out."""
    for r in sorted(roots, key=len, reverse=True):
        if rel.startswith(r.strip("/") + "/"):
            return r.strip("/")
    folder = rel.rpartition("/")[0]
    # Folders without an __init__.py inside a package are namespace portions of it, as Python
    # imports them: backend/open_webui/routers/auths.py is open_webui.routers.auths.
    while folder and folder not in packages and folder.rpartition("/")[2].isidentifier():
        folder = folder.rpartition("/")[0]
    if folder and folder in packages:
        while folder and folder in packages:
            folder = folder.rpartition("/")[0]
        return folder
    return "src" if rel.startswith("src/") else ""


def module_name(rel: str, root: str = "") -> tuple[str, bool]:
    """The dotted module name of a file imported from `root`, and whether it is a package."""
    parts = (rel[len(root) + 1:] if root else rel)[:-3].split("/")
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(parts) or "__init__", is_package


def namespace_names(module: str, path: str) -> list[str]:
    """The names of a module under the folders above its import root (`bodhi.server.mail` for
    bodhi/server/mail.py named `server.mail`), each folder an identifier, the nearest first; at most
    MAX_TAIL_PARTS parts long, as no longer name is looked up (a deep hostile tree costs no more)."""
    folders = path[:-3].split("/")
    if folders[-1] == "__init__":
        folders.pop()
    parts = module.split(".")
    above = folders[:len(folders) - len(parts)]
    names = []
    for start in range(len(above) - 1, max(-1, len(above) - 1 - (MAX_TAIL_PARTS - len(parts))), -1):
        if not above[start].isidentifier():
            break
        names.append(".".join([*above[start:], module]))
    return names


# What git says, and goes on, when it cannot list a folder of untracked files.
_GIT_UNLISTED = re.compile(r"^warning: could not open directory '(.+?)/?': (.+)$", re.M)


def _git_files(root: Path) -> tuple[list[str], dict[str, str]] | None:
    """The files git knows, and the folders it could not list (with the reason), or None without git."""
    try:
        done = subprocess.run(
            ["git", "-c", "core.fsmonitor=false", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.py"],
            capture_output=True, timeout=60, check=True, env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"},
        )
    except (OSError, subprocess.SubprocessError):
        return None
    unlisted = {m[1]: f"cannot list folder: {m[2]}; its files were not analysed"
                for m in _GIT_UNLISTED.finditer(done.stderr.decode("utf-8", "surrogateescape"))}
    return [p for p in done.stdout.decode("utf-8", "surrogateescape").split("\0") if p], unlisted


def git_work_tree(folder: Path) -> Path | None:
    """The git work tree holding `folder`: the closest folder at or above it with a `.git` folder or
    file, read from the folder structure without running git; None outside any."""
    return next((d for d in (folder, *folder.parents) if (d / ".git").exists()), None)


def _walk(root: Path, starts: list[str]) -> tuple[list[str], dict[str, str]]:
    """Python files under the folders `starts` (relative to root; "" for the root itself), and the
    folders that could not be listed (with the reason). Only the scanned folders are walked, so a
    project root far above them costs nothing."""
    found = []
    unlisted = {}

    def unreadable(exc: OSError) -> None:
        unlisted[Path(exc.filename).relative_to(root).as_posix()] = f"cannot list folder: {exc.strerror}; its files were not analysed"

    for start in starts:
        for directory, dirs, files in os.walk(root / start, onerror=unreadable, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS
                             and not os.path.exists(os.path.join(directory, d, "pyvenv.cfg")))
            base = Path(directory)
            for d in dirs:
                problem = _link_problem(base / d, root, "folder") if os.path.islink(base / d) else None
                if problem:
                    unlisted[(base / d).relative_to(root).as_posix()] = problem
            for name in files:
                if name.endswith(".py"):
                    found.append((base / name).relative_to(root).as_posix())
    return found, unlisted


def _walk_starts(root: Path, target_rels: list[str]) -> list[str]:
    """The folders to walk for the targets: each target folder (a file's own folder), none inside another."""
    folders = sorted({rel if (root / rel).is_dir() else rel.rpartition("/")[0] for rel in target_rels} or {""})
    return [f for f in folders if not any(o == "" or f.startswith(o + "/") for o in folders if o != f)]


def _package_folders(root: Path, rels: list[str], target_rels: list[str]) -> set:
    """Folders holding an __init__.py: those listed, and the folders above each target (not walked
    when a subfolder is scanned), so that modules are named as when the whole root is scanned."""
    packages = {rel.rpartition("/")[0] for rel in rels if rel.endswith("/__init__.py")}
    for target in target_rels:
        folder = target.rpartition("/")[0]
        while folder:
            if (root / folder / "__init__.py").is_file():
                packages.add(folder)
            folder = folder.rpartition("/")[0]
    return packages


def _below(rel: str, target_rels: list[str]) -> str:
    """The part of `rel` below the target that holds it: tests and fixtures are told by the folders
    under what was asked for, so `xborder scan tests/` scans its tests."""
    for tr in target_rels:
        if tr and rel.startswith(tr + "/"):
            return rel[len(tr) + 1:]
    return rel.rpartition("/")[2] if rel in target_rels else rel


def relative_targets(root: Path, targets: list[Path]) -> tuple[str, ...]:
    """The targets (inside `root`) as paths relative to it; "" for the root itself."""
    return tuple("" if located(t) == root else located(t).relative_to(root).as_posix() for t in targets)


def _matches(rel: str, patterns: tuple) -> bool:
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(rel, p.rstrip("/") + "/*") or rel.startswith(p.rstrip("/") + "/") for p in patterns)


def discover(root: Path, targets: list[Path], include: tuple = (), exclude: tuple = (), include_tests: bool = False,
             src: tuple = ()) -> list[SourceFile]:
    """Files under `targets` (all inside `root`), sorted by relative path, so order never depends on the OS;
    tests, fixtures, migrations and benchmarks only with `include_tests`; `src` names import roots."""
    root = root.resolve()
    target_rels = list(relative_targets(root, targets))
    listed = _git_files(root) if git_work_tree(root) is not None else None
    rels, unlisted = listed if listed is not None else _walk(root, _walk_starts(root, target_rels))

    def wanted(rel: str) -> bool:
        if target_rels and not any(tr == "" or rel == tr or rel.startswith(tr + "/") for tr in target_rels):
            return False
        if not include_tests and not_production(_below(rel, target_rels)):
            return False
        return (not include or _matches(rel, include)) and not (exclude and _matches(rel, exclude))

    packages = _package_folders(root, rels, target_rels)
    outer = _outer_packages(root) if "__init__.py" in rels else ""
    found = []
    for rel in set(rels):
        if wanted(rel):
            path = root / rel
            base = import_root(rel, packages, src)
            module, is_package = module_name(rel, base)
            if outer and base == "" and not src:  # the scanned folder is itself a package: its name comes first
                module = f"{outer}.{module}" if module != "__init__" else outer
            found.append(SourceFile(path, rel, module, is_package, _link_problem(path, root)))
    found += [SourceFile(root / rel, rel, "", False, reason) for rel, reason in unlisted.items() if wanted(rel)]
    return sorted(found, key=lambda f: f.rel)


def _outer_packages(root: Path) -> str:
    """The dotted name of a scanned folder that is a package (and of the packages holding it)."""
    names, folder = [], root
    while (folder / "__init__.py").is_file() and folder.name.isidentifier():
        names.insert(0, folder.name)
        folder = folder.parent
    return ".".join(names)


def located(path: Path) -> Path:
    """Where a command-line path is: a folder resolved, a file by its resolved folder and its own
    name, so that a file that is a link is not followed out of its project."""
    if path.is_dir():
        return path.resolve()
    path = path.absolute()
    return path.parent.resolve() / path.name


def _link_problem(path: Path, root: Path, kind: str = "file") -> str | None:
    """Why a path is not followed (a link that leaves the root, is dangling or loops, or a folder on
    the way that has become a link out), or None for a plain path or a link inside the root."""
    if os.path.islink(path):
        try:
            target = path.resolve(strict=True)
        except FileNotFoundError:
            return f"symlink to a missing {kind}; not followed"
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop, on Python < 3.13
            return "symlink loop; not followed"
        return None if root in target.parents else f"symlink to a {kind} outside the scanned root; not followed"
    if not safe_files.inside(os.path.realpath(path), root):
        return "under a symlinked folder outside the scanned root; not followed"
    return None
