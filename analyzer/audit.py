"""`xborder audit`: the evidence pack for an auditor or DPO, written to one folder.

report.html (the readable audit), inventory.csv (the record of processing), findings.json and
findings.sarif (the machine reports). An audit that completes exits 0 whatever it found: it
documents, it does not gate; only a usage or config problem exits 2.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .errors import ConfigError
from .output import write_atomic
from .report import FORMATS, render
from .report import html as html_report
from .report import inventory
from .scan import Options, scan

EXIT_USAGE = 2


class _Progress:
    """The current stage (and the file counter while summarizing) on one terminal line; silent when piped."""

    def __init__(self):
        self.enabled = sys.stderr.isatty()

    def stage(self, text: str) -> None:
        if self.enabled:
            click.echo(f"\r\033[Kxborder audit: {text}", err=True, nl=False)

    def __call__(self, done: int, total: int) -> None:
        if done == total or done % 25 == 0:
            self.stage(f"summarizing {done}/{total} files")

    def close(self) -> None:
        if self.enabled:
            click.echo("\r\033[K", err=True, nl=False)


def _fail(message: str) -> None:
    click.echo(f"xborder: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


@click.command("audit")
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False))
@click.option("--output", "-o", required=True, type=click.Path(file_okay=False), metavar="DIR",
              help="Folder for report.html, inventory.csv, findings.json and findings.sarif (created if missing).")
@click.option("--home", multiple=True, metavar="CC", help="Home jurisdiction (ISO 3166-1 alpha-2 or a group such as EU); repeatable.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file (default: the closest xborder.toml or pyproject.toml).")
@click.option("--regime", metavar="ID", help="The law to apply (pipl, gdpr, ...); default: the regime of the home jurisdiction.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: the number of cores).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the summary cache.")
def audit_command(path, output, home, config_path, regime, jobs, no_cache):
    """Write an audit of PATH (default: .) to DIR: every personal-data flow, where it goes, and what breaks policy.

    Unlike `scan`, the audit inventories flows that stay in the home jurisdiction too, and exits 0
    when it completes, whatever it found.
    """
    target = Path(output)
    if target.exists() and not target.is_dir():
        _fail(f"--output {output} exists and is not a folder")
    progress = _Progress()
    progress.stage("scanning")
    try:
        result = scan(Options(paths=(path,), home=tuple(home), regime=regime, config=config_path,
                              use_cache=not no_cache, jobs=jobs, progress=progress))
    except ConfigError as exc:
        progress.close()
        _fail(str(exc))
    progress.stage("writing reports")
    result.seconds = 0  # the evidence pack is deterministic: the same code gives the same files
    reports = {
        "report.html": html_report.render(result),
        "inventory.csv": inventory.render(result),
        "findings.json": render(result, "json"),
    }
    if "sarif" in FORMATS:
        reports["findings.sarif"] = render(result, "sarif")
    try:
        target.mkdir(parents=True, exist_ok=True)
        for name, text in reports.items():
            # newline="" keeps the CSV's CRLF row ends (RFC 4180) as written.
            write_atomic(target / name, text, newline="")
    except OSError as exc:
        progress.close()
        _fail(f"cannot write to {output}: {exc.strerror}")
    progress.close()
    if progress.enabled:
        click.echo(f"xborder: audit of {result.files} files written to {output}: {len(result.flows)} flows, "
                   f"{len(result.findings)} findings ({', '.join(sorted(reports))})", err=True)
