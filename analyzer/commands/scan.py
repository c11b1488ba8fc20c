"""`xborder scan` and `xborder baseline`: the analysis as a linter runs it."""

from __future__ import annotations

import sys
from dataclasses import replace

import click

from .. import baseline
from ..knowledge.codes import SEVERITY_ORDER, rule_codes
from ..pipeline import Options, scan
from ..report import FORMATS, render, render_statistics
from .common import (EXIT_CLEAN, EXIT_FINDINGS, Progress, color_option, config_option, fail, guarded, home_option,
                     include_tests_option, jobs_option, no_cache_option, options, python_path_option, regime_option, selection_options,
                     selection_settings, use_color, write_output)

project_options = options(
    click.argument("paths", nargs=-1, type=click.Path(exists=True)),
    home_option, regime_option, config_option, no_cache_option,
    click.option("--cache-dir", type=click.Path(file_okay=False), help="Where to keep the cache (default: .xborder_cache at the root)."),
    jobs_option, include_tests_option, selection_options,
    click.option("--quiet", "-q", is_flag=True, help="Print the findings and nothing else: no summary, notes or progress (like ruff -q)."),
    python_path_option,
)


def run_scan(command: str, quiet: bool, config_args, paths, home, regime, no_cache, select, extend_select, ignore,
             exclude, extend_exclude, **settings):
    progress = Progress(command)
    progress.enabled = progress.enabled and not quiet
    settings.update(config_args.settings(), **selection_settings(select, extend_select, ignore, exclude, extend_exclude))
    return guarded(lambda: scan(Options(progress=progress, warn=progress.warn, paths=paths or (".",), home=tuple(home),
                                        regime=regime, use_cache=not no_cache, **settings)), progress)


@click.command("scan")
@project_options
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="text", show_default=True,
              help="json is version 2 (one finding per sink call, destination and rule, with all its categories); "
                   "json-v1 the version 1 report (one finding per category), kept for one release.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to this file instead of stdout.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "note", "never"]), help="Lowest severity that makes the exit code 1.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even with findings (2 still means a usage, config or internal error).")
@click.option("--statistics", is_flag=True,
              help="Print the number of findings of each rule code and, under it, of each category they carry, instead of "
                   "the findings (text or json; json-v1 counts one finding per category).")
@click.option("--show-trace/--no-trace", default=True, show_default=True,
              help="Text report: under each finding's headline, the sink's line of code with a caret and one line per "
                   "hop of its trace (the default, on a terminal or not); --no-trace prints the headlines only.")
@click.option("--verbose", "-v", is_flag=True,
              help="Text report: also each finding's destination evidence, and every place a sanitizer stopped personal data.")
@click.option("--diff-base", metavar="REF",
              help="Report only findings whose source, sink or a trace hop is on a line changed since the git revision "
                   "REF (the working tree and untracked files against it); the whole project is still analysed.")
@click.option("--changed-only", is_flag=True,
              help="Report only findings on lines changed against HEAD, staged or not (what a commit would bring; "
                   "the pre-commit hook's default).")
@color_option
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Report and fail only on findings not in FILE (made by `xborder baseline`); list its stale entries.")
@click.option("--show-suppressed", is_flag=True, help="Also list findings suppressed by `# xborder: ignore[CODE] reason` comments.")
@click.option("--warn-unused-ignores", is_flag=True, help="Report suppression comments that match no finding (XB903).")
@click.option("--max-file-bytes", type=int, metavar="N",
              help="Skip and report (XB902) files larger than N bytes [default: max-file-bytes in the config, else 2000000].")
@click.option("--file-timeout", type=float, metavar="SECONDS",
              help="Stop and report (XB902) a file that takes longer to analyse [default: file-timeout in the config, else 30].")
@click.option("--worker-memory", type=click.IntRange(min=1, max=1048576), metavar="MB",
              help="Stop and report (XB902) a file whose analysis needs more memory [default: worker-memory in the config, else 2048].")
def scan_command(fmt, output, fail_on, exit_zero, statistics, show_trace, verbose, color, baseline_path, show_suppressed,
                 **settings):
    """Scan PATHS (default: .) and report personal data leaving the home jurisdiction.

    When PATHS name files (as pre-commit passes them), the whole project holding them is analysed,
    because flows cross files, and only findings whose source, sink or trace touches one of the
    given paths are reported (and only their parse errors). The project is the folder of the
    closest xborder.toml or pyproject.toml with [tool.xborder], else the git work tree; a file in
    neither is scanned alone. The summary cache makes such a run re-read only the changed files.

    --diff-base REF and --changed-only narrow the report to the lines git says changed, again
    after analysing the whole project.
    """
    if statistics and fmt not in ("text", "json", "json-v1"):
        fail(f"--statistics prints text, json or json-v1, not {fmt}")
    if settings["diff_base"] is not None and settings["changed_only"]:
        fail("--diff-base and --changed-only both choose the lines to report; give one")
    quiet = settings["quiet"]
    result = run_scan("scan", baseline=baseline_path, **settings)
    # Suppressed findings never fail the run; they are shown only on request.
    active = tuple(f for f in result.findings if f.suppressed is None)
    if not show_suppressed:
        result = replace(result, findings=active)
    if statistics:
        text = render_statistics(result, fmt)
    else:
        text = render(result, fmt, color=fmt == "text" and use_color(color, output is not None), quiet=quiet,
                      trace=show_trace, verbose=verbose)
    write_output(text, output, result.root)
    sys.exit(EXIT_CLEAN if exit_zero else exit_code(result, active, fail_on))


def exit_code(result, active: tuple, fail_on: str | None) -> int:
    """1 when a finding (or a problem with a suppression comment) reaches the --fail-on severity."""
    threshold = fail_on or result.fail_on
    if threshold == "never":
        return EXIT_CLEAN
    codes = rule_codes()
    severities = [f.severity for f in active] + [codes[e.code].severity for e in result.errors if codes[e.code].about_comment]
    worst = max((SEVERITY_ORDER[s] for s in severities), default=0)
    return EXIT_FINDINGS if worst and worst >= SEVERITY_ORDER[threshold] else EXIT_CLEAN


@click.command("baseline")
@click.argument("file", type=click.Path(dir_okay=False))
@project_options
def baseline_command(file, **settings):
    """Record the findings of PATHS (default: .) in FILE, to accept them: `xborder scan --baseline FILE`
    then reports and fails only on new findings. Findings suppressed inline are not recorded."""
    result = run_scan("baseline", **settings)
    text, count = baseline.dumps(result)  # count: version 2 findings, as `scan` counts them
    write_output(text, file, result.root, replace=True)
    if not settings["quiet"]:
        click.echo(f"xborder: recorded {count} finding{'s' if count != 1 else ''} in {file}", err=True)
