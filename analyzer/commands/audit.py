"""`xborder audit`: the evidence pack for an auditor or DPO, written to one folder.

report.html (the readable audit), processing.csv and processing.json (the record of processing, one row
per category, recipient, country and transfer mechanism), processing.fides.yml (the same as a Fides
system manifest), inventory.csv (every flow, one row each), findings.json and findings.sarif (the
machine reports), and with --compare, compare.json (the rows new, gone or changed since an earlier audit). An audit that completes exits 0 whatever it found: it
documents, it does not gate; only a usage or config problem exits 2.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from .. import files
from ..pipeline import Options, scan
from ..report import FORMATS, render
from ..report import html as html_report
from ..report import compare as compare_report
from ..report import fides, inventory, processing
from .common import (Progress, config_option, fail, guarded, home_option, include_tests_option, jobs_option,
                     no_cache_option, python_path_option, regime_option, selection_options, selection_settings)


@click.command("audit")
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False))
@click.option("--output", "-o", required=True, type=click.Path(file_okay=False), metavar="DIR",
              help="Folder for report.html, processing.csv/.json/.fides.yml, inventory.csv, findings.json and findings.sarif "
                   "(created if missing).")
@click.option("--compare", "previous", type=click.Path(exists=True, file_okay=False), metavar="PREVIOUS_DIR",
              help="An earlier audit's folder: list the transfers new, gone or changed since (compare.json, and in report.html).")
@home_option
@config_option
@regime_option
@jobs_option
@no_cache_option
@include_tests_option
@python_path_option
@selection_options
def audit_command(path, output, home, config_args, regime, jobs, no_cache, include_tests, python_path, previous, **selection):
    """Write an audit of PATH (default: .) to DIR: every personal-data flow, where it goes, and what breaks policy.

    Unlike `scan`, the audit inventories flows that stay in the home jurisdiction too, and exits 0
    when it completes, whatever it found.
    """
    target = Path(output)
    if target.exists() and not target.is_dir():
        fail(f"--output {output} exists and is not a folder")
    earlier = guarded(lambda: compare_report.load_previous(previous)) if previous else None
    progress = Progress("audit")
    progress.stage("scanning")
    result = guarded(lambda: scan(Options(paths=(path,), home=tuple(home), regime=regime, use_cache=not no_cache, jobs=jobs,
                                          progress=progress, warn=progress.warn, include_tests=include_tests, python_path=python_path,
                                          **config_args.settings(), **selection_settings(**selection))))
    progress.stage("writing reports")
    result = replace(result, seconds=0)  # the evidence pack is deterministic: the same code gives the same files
    record = processing.records(result)  # made once for every file that shows it
    comparison = compare_report.compare(earlier, [r.as_dict() for r in record], previous) if earlier is not None else None
    reports = {
        "report.html": html_report.render(result, comparison, record),
        "processing.csv": processing.render_csv(record),
        "processing.json": processing.render_json(result, record),
        "processing.fides.yml": fides.render(result, record),
        "inventory.csv": inventory.render(result),
        "findings.json": render(result, "json"),
    }
    if comparison is not None:
        reports["compare.json"] = compare_report.render(comparison)
    if "sarif" in FORMATS:
        reports["findings.sarif"] = render(result, "sarif")
    try:
        files.make_folder(target, result.root)
        for name, text in reports.items():
            # newline="" keeps the CSV's CRLF row ends (RFC 4180) as written.
            files.write_file(target / name, text, result.root, newline="")
    except OSError as exc:
        progress.close()
        fail(f"cannot write to {output}: {exc.strerror}")
    progress.close()
    if progress.enabled:
        changes = (f", {sum(len(comparison[k]) for k in ('new', 'gone', 'changed'))} rows new, gone or changed"
                   if comparison is not None else "")
        click.echo(f"xborder: audit of {result.files} files written to {output}: {len(result.flows)} flows, "
                   f"{len(result.findings)} findings{changes} ({', '.join(sorted(reports))})", err=True)
