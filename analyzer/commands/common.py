"""What every command shares: exit codes, the error line, progress on a terminal, option groups,
loading the project's knowledge, and writing a report."""

from __future__ import annotations

import os
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import click

from ..errors import ConfigError
from .. import files
from ..escape import terminal
from ..knowledge.selection import Layer

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


@dataclass(frozen=True)
class ConfigArgs:
    """What --config gave: a config file (or None: the closest one) and KEY=VALUE overrides, as
    (the option as written, its table) in order."""

    path: str | None = None
    overrides: tuple = ()

    def settings(self) -> dict:
        return {"config": self.path, "overrides": self.overrides}


def _config_args(ctx, param, values) -> ConfigArgs:
    """Like ruff's --config: an existing file, or else a TOML `KEY = VALUE` line overriding a key."""
    path, overrides = None, []
    for value in values:
        if "=" not in value or Path(value).is_file():
            if path is not None:
                raise click.BadParameter(f"{value}: only one config file may be given (the other --config take KEY=VALUE)")
            path = value
            continue
        try:
            table = tomllib.loads(value)
        except tomllib.TOMLDecodeError as exc:
            raise click.BadParameter(f"{value}: neither a config file nor a TOML `KEY = VALUE` line ({exc})") from None
        overrides.append((f"--config {value}", table))
    return ConfigArgs(path, tuple(overrides))


config_option = click.option("--config", "config_args", multiple=True, metavar="FILE|KEY=VALUE", callback=_config_args,
                             help="Config file (default: the closest xborder.toml or pyproject.toml), or a TOML "
                                  "`KEY = VALUE` line overriding one of its keys, such as --config \"home = 'CN'\"; repeatable.")
no_cache_option = click.option("--no-cache", is_flag=True, help="Do not read or write the summary cache.")
include_tests_option = click.option("--include-tests", is_flag=True,
                                    help="Also scan tests, fixtures, migrations, benchmarks, docs and examples (left out by default: not production code).")
jobs_option = click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: the number of cores).")
python_path_option = click.option(
    "--python-path", type=click.Path(exists=True, file_okay=False), metavar="DIR",
    help="A virtualenv or site-packages folder: the packages the code imports that no rule models get models "
         "generated from their code there (never imported; cached per package version).")


def _comma_list(ctx, param, values) -> tuple | None:
    """A repeatable option whose values may also be comma-separated (ruff's lists); None if not given."""
    items = tuple(item.strip() for value in values for item in value.split(",") if item.strip())
    return items if values else None


def _list_option(name: str, metavar: str, text: str):
    return click.option(name, multiple=True, metavar=metavar, callback=_comma_list, help=text)


selection_options = options(
    _list_option("--select", "CODES", "Report only these rule codes or prefixes (XB1, XB201, ALL); comma-separated or repeated; replaces the config's select."),
    _list_option("--extend-select", "CODES", "Report these rule codes or prefixes too, on top of select."),
    _list_option("--ignore", "CODES", "Do not report these rule codes or prefixes (the most specific selector wins; ignore wins a tie)."),
    _list_option("--exclude", "GLOBS", "Globs of files not to scan, relative to the project root; replaces the config's exclude."),
    _list_option("--extend-exclude", "GLOBS", "Globs of files not to scan, on top of the config's exclude and extend-exclude."),
)


def selection_settings(select, extend_select, ignore, exclude, extend_exclude) -> dict:
    """The Options fields of `selection_options`."""
    return {"selection": Layer(select, extend_select or (), ignore or ()), "exclude": exclude, "extend_exclude": extend_exclude or ()}


color_option = click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
                            help="Color the text report: auto = on a terminal, unless NO_COLOR is set (FORCE_COLOR: also when piped).")


def use_color(choice: str, to_file: bool) -> bool:
    """--color, then NO_COLOR and FORCE_COLOR (no-color.org, force-color.org: set and not empty),
    then whether standard output is a terminal; a report file is colored only with --color always."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR") or to_file:
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()


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
