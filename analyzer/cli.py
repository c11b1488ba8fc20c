"""The `xborder` commands. Exit codes: 0 clean, 1 findings at the --fail-on level, 2 usage, config
or internal error (`analyzer/__main__.py` guards the whole command)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__, baseline, suppress
from .errors import ConfigError
from .evaluate import SEVERITY_ORDER
from .audit import audit_command
from .inspect import COMMANDS
from .output import write_atomic
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


def write_output(text: str, output: str | None, root: str, replace: bool = False) -> None:
    """Print, or write a file; never over a Python source, and inside the scanned tree only a new
    file unless `replace` (a baseline the user regenerates), so a report cannot clobber the code."""
    if output is None:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except OSError as exc:  # a closed pipe or a full device: the report is lost, say so
            fail(f"cannot write the report to standard output: {exc.strerror or exc}")
        return
    target = Path(output)
    resolved = target.resolve()
    if resolved.suffix in (".py", ".pyi", ".pyw"):
        fail(f"refusing to write {output}: it looks like a Python source file")
    if not replace and resolved.exists() and Path(root).resolve() in resolved.parents:
        fail(f"refusing to overwrite {output}: it is inside the scanned tree; write a new file or outside the tree")
    try:
        write_atomic(target, text)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xborder")
def cli() -> None:
    """Find personal data that leaves the jurisdiction your project declares.

    Exit codes: 0 clean, 1 findings, 2 usage, configuration or internal error. Add --debug
    anywhere on the command line to see the traceback of an internal error.
    """


_PROJECT_OPTIONS = (
    click.argument("paths", nargs=-1, type=click.Path(exists=True)),
    click.option("--home", multiple=True, metavar="CC", help="Home jurisdiction (ISO 3166-1 alpha-2 or a group such as EU); repeatable."),
    click.option("--regime", metavar="ID", help="The law to apply (pipl, gdpr, ...); default: the regime of the home jurisdiction."),
    click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file (default: the closest xborder.toml or pyproject.toml)."),
    click.option("--no-cache", is_flag=True, help="Do not read or write the summary cache."),
    click.option("--cache-dir", type=click.Path(file_okay=False), help="Where to keep the cache (default: .xborder_cache at the root)."),
    click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: the number of cores)."),
)


def project_options(command):
    """The options that say what to analyse and how, shared by `scan` and `baseline`."""
    for decorator in reversed(_PROJECT_OPTIONS):
        command = decorator(command)
    return command


def run_scan(progress: _Progress, **options):
    """scan() with a config or baseline problem turned into exit code 2."""
    try:
        return scan(Options(progress=progress, **options))
    except ConfigError as exc:
        fail(str(exc))
    finally:
        progress.close()


@cli.command("scan")
@project_options
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to this file instead of stdout.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "note", "never"]), help="Lowest severity that makes the exit code 1.")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Report and fail only on findings not in FILE (made by `xborder baseline`); list its stale entries.")
@click.option("--show-suppressed", is_flag=True, help="Also list findings suppressed by `# xborder: ignore[CODE] reason` comments.")
@click.option("--warn-unused-ignores", is_flag=True, help="Report suppression comments that match no finding (XB903).")
@click.option("--max-file-bytes", type=click.IntRange(min=1), metavar="N",
              help="Skip and report (XB902) files larger than N bytes [default: max-file-bytes in the config, else 2000000].")
@click.option("--file-timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Stop and report (XB902) a file that takes longer to analyse [default: file-timeout in the config, else 30].")
def scan_command(paths, home, regime, config_path, no_cache, cache_dir, jobs, fmt, output, fail_on,
                 baseline_path, show_suppressed, warn_unused_ignores, max_file_bytes, file_timeout):
    """Scan PATHS (default: .) and report personal data leaving the home jurisdiction.

    When PATHS name files (as pre-commit passes them), the whole project holding them is analysed,
    because flows cross files, and only findings whose source, sink or trace touches one of the
    given paths are reported (and only their parse errors). The project is the folder of the
    closest xborder.toml or pyproject.toml with [tool.xborder], else the git work tree; a file in
    neither is scanned alone. The summary cache makes such a run re-read only the changed files.
    """
    result = run_scan(_Progress(), paths=paths or (".",), home=tuple(home), regime=regime, config=config_path,
                      use_cache=not no_cache, cache_dir=cache_dir, jobs=jobs, baseline=baseline_path,
                      warn_unused_ignores=warn_unused_ignores, max_file_bytes=max_file_bytes, file_timeout=file_timeout)
    # Suppressed findings never fail the run; they are shown only on request.
    active = [f for f in result.findings if f.suppressed is None]
    if not show_suppressed:
        result.findings = active
    write_output(render(result, fmt, color=fmt == "text" and output is None and sys.stdout.isatty()), output, result.root)
    threshold = fail_on or result.fail_on
    if threshold == "never":
        sys.exit(EXIT_CLEAN)
    severities = [f.severity for f in active] + [suppress.SEVERITY[e.code] for e in result.errors if e.code in suppress.SEVERITY]
    worst = max((SEVERITY_ORDER[s] for s in severities), default=0)
    sys.exit(EXIT_FINDINGS if worst and worst >= SEVERITY_ORDER[threshold] else EXIT_CLEAN)


@cli.command("baseline")
@click.argument("file", type=click.Path(dir_okay=False))
@project_options
def baseline_command(file, paths, home, regime, config_path, no_cache, cache_dir, jobs):
    """Record the findings of PATHS (default: .) in FILE, to accept them: `xborder scan --baseline FILE`
    then reports and fails only on new findings. Findings suppressed inline are not recorded."""
    result = run_scan(_Progress(), paths=paths or (".",), home=tuple(home), regime=regime, config=config_path,
                      use_cache=not no_cache, cache_dir=cache_dir, jobs=jobs)
    text = baseline.dumps(result)
    write_output(text, file, result.root, replace=True)
    count = sum(f.suppressed is None for f in result.findings)
    click.echo(f"xborder: recorded {count} finding{'s' if count != 1 else ''} in {file}", err=True)


for _command in (*COMMANDS, audit_command):
    cli.add_command(_command)
