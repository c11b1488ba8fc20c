"""The files of an SDK, without importing it: a distribution fetched from the package index (PEP 503's
simple API, `PIP_INDEX_URL` or PyPI; a pure-Python wheel when there is one, else the source archive,
its sha256 checked against the index's) and unpacked into a cache folder once per name and version,
or a folder where it is already unpacked or installed (site-packages); its import packages and its
version are read from its metadata (*.dist-info, PKG-INFO), else from its folders. Not with pip:
`pip download` of a source archive runs its build backend (setup.py), the SDK's own code."""

from __future__ import annotations

import hashlib
import html
import os
import re
import tarfile
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from ..errors import ConfigError

SKIPPED_FOLDERS = {"tests", "test", "docs", "doc", "examples", "example", "benchmarks", "scripts"}
PYPI = "https://pypi.org/simple"
ANCHOR = re.compile(r"<a\s([^>]*)>([^<]*)</a>", re.IGNORECASE)
ARCHIVES = (".whl", ".tar.gz", ".zip")


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
    """The distribution `name[==version]`, unpacked under `cache` (fetched the first time)."""
    name, version = split_requirement(requirement)
    if version is not None:
        for ready in sorted((cache / "unpacked").glob(f"{normalized(name)}-{version}")):
            return from_folder(name, _base(ready), version)
    with tempfile.TemporaryDirectory() as tmp:
        archive = download(name, version, Path(tmp))
        version = version or version_of_file(archive.name)
        target = cache / "unpacked" / f"{normalized(name)}-{version}"
        if not target.is_dir():
            unpack(archive, target)
    return from_folder(name, _base(target), version)


def index_files(name: str) -> list[tuple[str, str, str | None]]:
    """(file name, URL, sha256 or None) of each archive the package index lists for `name`, yanked
    ones left out."""
    page_url = f"{os.environ.get('PIP_INDEX_URL', PYPI).rstrip('/')}/{normalized(name).replace('_', '-')}/"
    try:
        read_url = page_url + "index.html" if page_url.startswith("file:") else page_url  # a folder of files has no listing
        with urllib.request.urlopen(read_url, timeout=60) as response:
            page = response.read().decode("utf-8", "replace")
    except (OSError, ValueError) as exc:
        raise ConfigError(f"could not read the package index at {page_url}: {exc}") from exc
    files = []
    for attributes, text in ANCHOR.findall(page):
        href = re.search(r'href="([^"]+)"', attributes)
        filename = html.unescape(text).strip()
        if href is None or "data-yanked" in attributes or not filename.endswith(ARCHIVES):
            continue
        url, _, fragment = urljoin(page_url, html.unescape(href.group(1))).partition("#")
        files.append((filename, url, fragment[len("sha256="):] if fragment.startswith("sha256=") else None))
    return files


def download(name: str, version: str | None, into: Path, sdist: bool = False) -> Path:
    """Fetch one archive of `name` (the newest release unless `version`): a pure-Python wheel, else
    the source archive (only that with `sdist`), else any wheel."""
    files = index_files(name)
    if version is None:
        releases = {version_of_file(f) for f, _, _ in files} - {"unknown"}
        finals = [v for v in releases if re.fullmatch(r"[\d.]+", v)]
        version = max(finals or releases, key=lambda v: [int(n) for n in re.findall(r"\d+", v)], default=None)
    ours = [f for f in files if version_of_file(f[0]) == version]
    if not ours:
        raise ConfigError(f"the package index has no file of {name}{'==' + version if version else ''}")
    return fetch_file(*min(ours, key=lambda f: _preference(f[0], sdist)), into)


def _preference(filename: str, sdist: bool) -> tuple:
    """How much one archive of a release is wanted (lowest first): a pure-Python wheel, then the
    source archive, then a platform's wheel; with `sdist`, the source archive first."""
    is_sdist = filename.endswith((".tar.gz", ".zip"))
    return (not is_sdist, filename) if sdist else (not filename.endswith("-none-any.whl"), not is_sdist, filename)


def fetch_file(filename: str, url: str, sha256: str | None, into: Path) -> Path:
    """Download one archive into `into`, refused when its sha256 is not the one the index gave."""
    with urllib.request.urlopen(url, timeout=300) as response:
        data = response.read()
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
        raise ConfigError(f"{filename}: its sha256 is not the one the package index gives")
    path = into / filename
    path.write_bytes(data)
    return path


def version_of_file(filename: str) -> str:
    """The version in an archive's name: a wheel's second field (its name has no `-`), a source
    archive's last (its name may have them; a version has none)."""
    stem = re.sub(r"(\.tar\.gz|\.zip|\.whl|\.tar\.bz2)$", "", filename)
    parts = stem.split("-") if filename.endswith(".whl") else stem.rsplit("-", 1)
    return parts[1] if len(parts) > 1 else "unknown"


def unpack(archive: Path, target: Path) -> None:
    """Unpack into a fresh folder, renamed into place when complete."""
    partial = target.with_name(target.name + ".partial")
    partial.mkdir(parents=True, exist_ok=True)
    extract(archive, partial)
    partial.rename(target)


def extract(archive: Path, into: Path) -> None:
    """A zip (a wheel too) or a tar archive unpacked into `into`, as plain files only: no member may
    leave the folder, and a tar's links and devices are refused (tarfile's "data" filter where this
    Python has it, 3.11.4 on; the same checks by hand before)."""
    if archive.name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as z:
            for member in z.namelist():
                if member.startswith("/") or ".." in Path(member).parts:
                    raise ConfigError(f"{archive.name}: member {member!r} leaves the folder")
            z.extractall(into)
        return
    with tarfile.open(archive) as t:
        if hasattr(tarfile, "data_filter"):
            t.extractall(into, filter="data")
            return
        for member in t.getmembers():
            if member.name.startswith("/") or ".." in Path(member.name).parts or not (member.isfile() or member.isdir()):
                raise ConfigError(f"{archive.name}: member {member.name!r} is not a plain file inside the folder")
        t.extractall(into)


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
