"""`xborder models generate`: sink models read out of an SDK's own code (analyzer/generate/)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from .. import files
from ..generate.distribution import Distribution, downloaded, from_folder, normalized, split_requirement
from ..generate.extract import generated
from ..generate.render import render
from ..knowledge import load_knowledge
from ..knowledge.config import Config
from .common import guarded, jobs_option


def default_cache() -> Path:
    """Where downloaded SDKs and generated models are kept: $XDG_CACHE_HOME/xborder, else ~/.cache/xborder."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "xborder"


@click.command("models")
@click.argument("action", type=click.Choice(["generate"]))
@click.argument("packages", nargs=-1, required=True, metavar="PACKAGE[==VERSION]...")
@click.option("--from-dir", type=click.Path(exists=True, file_okay=False), metavar="DIR",
              help="Read the SDK from this folder (site-packages, or an unpacked distribution) instead of downloading it.")
@click.option("--output", "-o", type=click.Path(file_okay=False), default="rules/sinks/generated", show_default=True,
              help="The folder the <package>.toml files are written to.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Where downloads are kept [default: ~/.cache/xborder].")
@jobs_option
def models_command(action, packages, from_dir, output, cache_dir, jobs):
    """`models generate PACKAGE[==VERSION]...`: sink models generated from SDK code.

    Download each PACKAGE from the package index (PyPI, or PIP_INDEX_URL; into the cache, its
    sha256 checked; never built, as pip would build a source archive), or read it from
    --from-dir, and write the models of its public functions and methods whose parameters reach a
    network, mail or storage call the rules model, with the host constants that reach the same call.
    The SDK is read by xborder's own analysis: never imported, never run."""
    cache = Path(cache_dir) if cache_dir else default_cache() / "sdks"
    knowledge = guarded(lambda: load_knowledge(Config()))
    for requirement in packages:
        name, version = guarded(lambda: split_requirement(requirement))
        dist = guarded(lambda: from_folder(name, Path(from_dir), version) if from_dir else downloaded(requirement, cache))
        count = write_models(dist, knowledge, Path(output), jobs)
        click.echo(f"xborder: {dist.name} {dist.version}: {count} model{'s' if count != 1 else ''} in "
                   f"{Path(output) / (normalized(dist.name) + '.toml')}", err=True)


def models_text(dist: Distribution, knowledge, jobs: int | None = None) -> tuple[str, int]:
    """The TOML of a distribution's generated models, and how many sinks it holds."""
    sinks, clients, position = generated(dist.root, list(dist.packages), knowledge, jobs)
    return render(dist.name, dist.version, sinks, clients, position), len(sinks)


def write_models(dist: Distribution, knowledge, output: Path, jobs: int | None) -> int:
    text, count = models_text(dist, knowledge, jobs)
    output.mkdir(parents=True, exist_ok=True)
    files.write_file(output / f"{normalized(dist.name)}.toml", text, output, newline="\n")
    return count
