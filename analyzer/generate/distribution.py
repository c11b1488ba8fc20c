"""The files of an SDK, without importing it: a distribution pip downloads (`pip download --no-deps`,
a wheel when there is one, else the source archive) unpacked into a cache folder once per name and
version, or a folder where it is already unpacked or installed (site-packages); its import packages
and its version are read from its metadata (*.dist-info, PKG-INFO), else from its folders."""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError

SKIPPED_FOLDERS = {"tests", "test", "docs", "doc", "examples", "example", "benchmarks", "scripts"}


@dataclass(frozen=True)
class Distribution:
    """An SDK's files: the folder holding its import packages, their names, and the version."""

    name: str  # the distribution name as asked for
    version: str
    root: Path
    packages: tuple


def normalized(name: str) -> str:
    """PEP 503's normal form of a distribution name, with `_` (a file name and a rules file name)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def split_requirement(text: str) -> tuple[str, str | None]:
    """`name==version` or `name` -> (name, version or None); anything else is a usage error."""
    name, sep, version = text.partition("==")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name) or (sep and not re.fullmatch(r"[A-Za-z0-9.!+_-]+", version)):
        raise ConfigError(f"{text!r}: expected PACKAGE or PACKAGE==VERSION")
    return name, version or None


def downloaded(requirement: str, cache: Path) -> Distribution:
    """The distribution `name[==version]`, unpacked under `cache` (pip downloads it the first time)."""
    name, version = split_requirement(requirement)
    if version is not None:
        for ready in sorted((cache / "unpacked").glob(f"{normalized(name)}-{version}")):
            return from_folder(name, _base(ready), version)
    with tempfile.TemporaryDirectory() as tmp:
        archive = _pip_download(requirement, Path(tmp))
        version = version or _version_of_file(archive.name)
        target = cache / "unpacked" / f"{normalized(name)}-{version}"
        if not target.is_dir():
            _unpack(archive, target)
    return from_folder(name, _base(target), version)


def _pip_download(requirement: str, into: Path) -> Path:
    for choice in (["--only-binary", ":all:"], ["--no-binary", ":all:"]):
        done = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check",
                               *choice, "-d", str(into), requirement], capture_output=True, text=True)
        files = sorted(into.iterdir())
        if done.returncode == 0 and len(files) == 1:
            return files[0]
    last = (done.stderr.strip().splitlines() or ["no output"])[-1]
    raise ConfigError(f"pip could not download {requirement}: {last}")


def _version_of_file(filename: str) -> str:
    stem = re.sub(r"(\.tar\.gz|\.zip|\.whl|\.tar\.bz2)$", "", filename)
    parts = stem.split("-")
    return parts[1] if len(parts) > 1 else "unknown"


def _unpack(archive: Path, target: Path) -> None:
    """Unpack into a fresh folder, renamed into place when complete; no member may leave it."""
    partial = target.with_name(target.name + ".partial")
    partial.mkdir(parents=True, exist_ok=True)
    if archive.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(archive) as z:
            for member in z.namelist():
                if member.startswith("/") or ".." in Path(member).parts:
                    raise ConfigError(f"{archive.name}: member {member!r} leaves the folder")
            z.extractall(partial)
    else:
        with tarfile.open(archive) as t:
            t.extractall(partial, filter="data")
    partial.rename(target)


def _base(unpacked: Path) -> Path:
    """The folder holding the import packages: the wheel's root; an sdist's project folder or its src/."""
    children = [c for c in sorted(unpacked.iterdir()) if c.is_dir()]
    if any(c.name.endswith(".dist-info") for c in children):
        return unpacked
    project = children[0] if len(children) == 1 else unpacked
    return project / "src" if (project / "src").is_dir() else project


def from_folder(name: str, folder: Path, version: str | None = None) -> Distribution:
    """A distribution unpacked or installed in `folder`: its packages from its metadata (top_level.txt,
    RECORD), else the import package named like it; its version from its metadata, else 'unknown'."""
    info = metadata_folder(folder, name)
    packages = _packages(info) if info else []
    if not packages:
        guess = normalized(name)
        packages = [guess] if (folder / guess).is_dir() or (folder / f"{guess}.py").is_file() else []
    if not packages:
        packages = [c.name for c in sorted(folder.iterdir()) if (c / "__init__.py").is_file() and c.name not in SKIPPED_FOLDERS]
    if not packages:
        raise ConfigError(f"no import package of {name} in {folder}")
    if version is None:
        version = _version(info) if info else "unknown"
    return Distribution(name, version, folder, tuple(sorted(set(packages))))


def metadata_folder(folder: Path, name: str) -> Path | None:
    """The *.dist-info (or *.egg-info) folder of distribution `name` in `folder`."""
    want = normalized(name)
    for info in sorted(folder.glob("*.dist-info")) + sorted(folder.glob("*.egg-info")):
        if normalized(info.name.rpartition(".")[0].split("-")[0]) == want:
            return info
    return None


def _packages(info: Path) -> list:
    top = info / "top_level.txt"
    if top.is_file():
        return [line.strip() for line in top.read_text(encoding="utf-8", errors="replace").splitlines()
                if line.strip() and not line.strip().startswith("_") and line.strip() not in SKIPPED_FOLDERS]
    record = info / "RECORD"
    if not record.is_file():
        return []
    names = set()
    for line in record.read_text(encoding="utf-8", errors="replace").splitlines():
        first = line.split(",")[0].split("/")[0]
        if first.endswith(".py"):
            first = first[:-3]
        elif "/" not in line.split(",")[0]:
            continue
        if first.isidentifier() and not first.startswith("_") and first not in SKIPPED_FOLDERS and not first.endswith("-info"):
            names.add(first)
    return sorted(names)


def _version(info: Path) -> str:
    for meta in (info / "METADATA", info / "PKG-INFO"):
        if meta.is_file():
            for line in meta.read_text(encoding="utf-8", errors="replace").splitlines():
                if line.startswith("Version:"):
                    return line.partition(":")[2].strip()
    return "unknown"


def owner_of(folder: Path, package: str) -> Distribution | None:
    """The distribution installed in `folder` (site-packages) that holds import package `package`."""
    for info in sorted(folder.glob("*.dist-info")):
        if package in _packages(info):
            return Distribution(info.name.rpartition(".")[0].split("-")[0], _version(info), folder, (package,))
    if (folder / package).is_dir() or (folder / f"{package}.py").is_file():
        return Distribution(package, "unknown", folder, (package,))
    return None
