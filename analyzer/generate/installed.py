"""`xborder scan --python-path DIR`: the third-party packages the scanned code imports that no rule
models, found installed in DIR (a virtualenv or a site-packages folder), get models generated from
their code (extract.py), once per package and version (kept in the scan's cache folder), added to
the catalog for this scan only. A package not installed there stays unmodelled: its calls that
receive personal data are listed under coverage, as without the option."""

from __future__ import annotations

import tomllib
from pathlib import Path

from .. import files
from ..errors import ConfigError
from ..knowledge.catalog import Catalog, parse_client, parse_sink
from ..knowledge.schema import check
from ..propagate.driver import foreign_packages
from .distribution import owner_of
from .extract import generated
from .render import render


def site_packages(path: Path) -> Path:
    """The site-packages folder of a virtualenv, or the folder itself."""
    found = sorted(path.glob("lib/python3*/site-packages")) + sorted(path.glob("Lib/site-packages"))
    if found:
        return found[-1]
    if not path.is_dir():
        raise ConfigError(f"--python-path {path}: not a folder")
    return path


def with_installed(catalog: Catalog, program, knowledge, python_path: str, cache: Path | None, root: Path,
                   jobs: int | None = None) -> Catalog:
    """The catalog plus the models generated from the foreign packages installed in `python_path`."""
    folder = site_packages(Path(python_path))
    clients, sinks = [], []
    for package in sorted(foreign_packages(program, catalog, knowledge.sources)):
        dist = owner_of(folder, package)
        if dist is None:
            continue
        data = _models(dist, knowledge, cache, root, jobs)
        origin = f"generated from {dist.name} {dist.version} (--python-path)"
        clients += [parse_client(e, origin) for e in data.get("client", [])]
        sinks += [parse_sink(e, origin) for e in data.get("sink", [])]
    return catalog.with_generated(clients, sinks)


def _models(dist, knowledge, cache: Path | None, root: Path, jobs: int | None) -> dict:
    """The models' data, from the cache when this package version was read with these rules before."""
    key = f"{dist.packages[0]}-{dist.version}-{knowledge.catalog.digest()[:16]}.toml"
    path = cache / "models" / key if cache is not None and dist.version != "unknown" else None
    cached = _cached(path)
    if cached is not None:
        return cached
    sinks, clients, position = generated(dist.root, list(dist.packages), knowledge, jobs)
    text = render(dist.name, dist.version, sinks, clients, position)
    if path is not None:
        files.make_folder(path.parent, root)
        files.write_file(path, text, root, newline="\n")
    return tomllib.loads(text)


def _cached(path: Path | None) -> dict | None:
    """A cache entry's models, checked against the sinks schema; None when there is none, or when it
    is damaged or planted (it is then made again)."""
    if path is None or not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8", errors="replace"))
        check(data, "sinks.schema.json", str(path))
    except (tomllib.TOMLDecodeError, ConfigError):
        return None
    return data
