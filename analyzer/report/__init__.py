"""Reporters: each turns a ScanResult into text for one format; none re-analyzes."""

from __future__ import annotations

from . import github, json_report, sarif, text

FORMATS = {
    "text": text.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "github": github.render,
}


def render(result, fmt: str, color: bool = False) -> str:
    return FORMATS[fmt](result, color=color)
