"""The `xborder` command. Exit codes: 0 clean, 1 findings at the --fail-on level, 2 usage or config error."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import ConfigError
from .evaluate import SEVERITY_ORDER
from .report import FORMATS, render
from .scan import Options, scan

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def fail(message: str) -> None:
    click.echo(f"xborder: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


class _Progress:
    """A one-line progress counter on a terminal; silent when stderr is piped."""

    def __init__(self):
        self.enabled = sys.stderr.isatty()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if self.enabled and total >= 50 and (done == total or done % 25 == 0):
            click.echo(f"\rsummarizing {done}/{total} files", err=True, nl=False)
            self.shown = True

    def close(self) -> None:
        if self.shown:
            click.echo("\r" + " " * 40 + "\r", err=True, nl=False)


def write_output(text: str, output: str | None, root: str) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    target = Path(output)
    resolved = target.resolve()
    if resolved.suffix == ".py" or (resolved.exists() and Path(root).resolve() in resolved.parents and resolved.suffix in (".py", ".pyi")):
        fail(f"refusing to overwrite {output}: it looks like a scanned source file")
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xborder")
def main() -> None:
    """Find personal data that leaves the jurisdiction your project declares."""


@main.command("scan")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--home", multiple=True, metavar="CC", help="Home jurisdiction (ISO 3166-1 alpha-2 or a group such as EU); repeatable.")
@click.option("--regime", metavar="ID", help="The law to apply (pipl, gdpr, ...); default: the regime of the home jurisdiction.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file (default: the closest xborder.toml or pyproject.toml).")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to this file instead of stdout.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the summary cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Where to keep the cache (default: .xborder_cache at the root).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: the number of cores).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "note", "never"]), help="Lowest severity that makes the exit code 1.")
def scan_command(paths, home, regime, config_path, fmt, output, no_cache, cache_dir, jobs, fail_on):
    """Scan PATHS (default: .) and report personal data leaving the home jurisdiction."""
    progress = _Progress()
    options = Options(paths=paths or (".",), home=tuple(home), regime=regime, config=config_path,
                      use_cache=not no_cache, cache_dir=cache_dir, jobs=jobs, progress=progress)
    try:
        result = scan(options)
    except ConfigError as exc:
        fail(str(exc))
    finally:
        progress.close()
    write_output(render(result, fmt, color=fmt == "text" and output is None and sys.stdout.isatty()), output, result.root)
    threshold = fail_on or result.fail_on
    if threshold == "never":
        sys.exit(EXIT_CLEAN)
    worst = max((SEVERITY_ORDER[f.severity] for f in result.findings if f.suppressed is None), default=0)
    sys.exit(EXIT_FINDINGS if worst and worst >= SEVERITY_ORDER[threshold] else EXIT_CLEAN)


if __name__ == "__main__":
    main()
