"""Reporters: each turns a ScanResult into text for one format; none re-analyzes."""

from __future__ import annotations

from . import github, gitlab, json_report, markdown, sarif, statistics, text

FORMATS = {
    "text": text.render,
    "json": json_report.render,
    "json-v1": json_report.render_v1,
    "sarif": sarif.render,
    "github": github.render,
    "markdown": markdown.render,
    "gitlab": gitlab.render,
}


def render(result, fmt: str, color: bool = False, quiet: bool = False, trace: bool = True, verbose: bool = False) -> str:
    """The report; `quiet`, `trace` and `verbose` are for text only (the others are documents):
    `quiet` keeps the findings alone, `trace` shows their code and trace, `verbose` adds the notes."""
    if fmt == "text":
        return text.render(result, color=color, quiet=quiet, trace=trace, verbose=verbose)
    return FORMATS[fmt](result, color=color)


def render_statistics(result, fmt: str) -> str:
    """The counts per rule code and category instead of the findings (text, json or json-v1)."""
    return statistics.render(result, fmt)
