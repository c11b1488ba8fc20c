"""What every command shares: exit codes, the error line, progress on a terminal, option groups,
loading the project's knowledge, and writing a report."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import ConfigError
from .. import files
from ..escape import terminal

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def fail(message: str):
    """A usage or configuration problem: one line on stderr, exit 2."""
    click.echo(f"xborder: error: {terminal(message)}", err=True)
    sys.exit(EXIT_USAGE)


class Progress:
    """The current stage and file counter on one terminal line; silent when stderr is piped."""

    def __init__(self, command: str):
        self.command = command
        self.enabled = sys.stderr.isatty()
        self.shown = False

    def stage(self, text: str) -> None:
        if self.enabled:
            click.echo(f"\r\033[Kxborder {self.command}: {text}", err=True, nl=False)
            self.shown = True

    def warn(self, text: str) -> None:
        """A warning on stderr, piped or not (the JSON and SARIF reports cannot carry it)."""
        self.close()
        click.echo(f"xborder: warning: {terminal(text)}", err=True)

    def __call__(self, done: int, total: int) -> None:
        if total >= 50 and (done == total or done % 25 == 0):
            self.stage(f"summarizing {done}/{total} files")

    def close(self) -> None:
        if self.shown:
            click.echo("\r\033[K", err=True, nl=False)
            self.shown = False


def options(*decorators):
    """One decorator applying several click options in the order written."""
    def apply(command):
        for decorator in reversed(decorators):
            command = decorator(command)
        return command
    return apply


home_option = click.option("--home", multiple=True, metavar="CC",
                           help="Home jurisdiction (ISO 3166-1 alpha-2 or a group such as EU); repeatable.")
regime_option = click.option("--regime", metavar="ID", help="The law to apply (pipl, gdpr, ...); default: the regime of the home jurisdiction.")
config_option = click.option("--config", "config_path", type=click.Path(dir_okay=False),
                             help="Config file (default: the closest xborder.toml or pyproject.toml).")
no_cache_option = click.option("--no-cache", is_flag=True, help="Do not read or write the summary cache.")
include_tests_option = click.option("--include-tests", is_flag=True,
                                    help="Also scan tests, fixtures, migrations, benchmarks, docs and examples (left out by default: not production code).")
jobs_option = click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: the number of cores).")


def guarded(call, progress: Progress | None = None):
    """Run call(); a configuration problem becomes exit 2 with its message."""
    try:
        return call()
    except ConfigError as exc:
        fail(str(exc))
    finally:
        if progress is not None:
            progress.close()


def write_output(text: str, output: str | None, root: str, replace: bool = False) -> None:
    """Print, or write a file (complete or absent: files.write_file); never over a Python source, never
    through a link in the scanned tree, and there only a new file unless `replace` (a baseline the
    user regenerates), so a report cannot clobber the code."""
    if output is None:  # a closed pipe or a full device: the guard (analyzer/__main__.py) says so
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    target = Path(output)
    resolved = target.resolve()
    if resolved.suffix in (".py", ".pyi", ".pyw"):
        fail(f"refusing to write {output}: it looks like a Python source file")
    if not replace and resolved.exists() and Path(root).resolve() in resolved.parents:
        fail(f"refusing to overwrite {output}: it is inside the scanned tree; write a new file or outside the tree")
    try:
        files.write_file(target, text, root)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror}")
