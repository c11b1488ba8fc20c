"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request diff.

Paths are made relative to the working directory, because GitHub resolves `file=` against the
repository checkout, where the job runs, not against the scanned folder. A file that was not
analysed is an error annotation, as it is an error notification in SARIF; a comment problem is
annotated at its code's severity.
"""

from __future__ import annotations

import re

from ..escape import terminal
from .paths import shown
from ..knowledge.codes import rule_codes

_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    """A command's message: each line's controls escaped (escape.terminal), then the workflow syntax."""
    text = "".join(part if part in ("\r", "\n") else terminal(part) for part in re.split(r"([\r\n])", str(text)))
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(level: str, root: str, path: str, line, column, title: str, message: str) -> str:
    props = [f"file={escape_property(shown(root, path))}"]
    if line:
        props.append(f"line={line}")
        if column:
            props.append(f"col={column}")
    props.append(f"title={escape_property(title)}")
    return f"::{_COMMAND[level]} {','.join(props)}::{escape_data(message)}"


def render(result, color: bool = False) -> str:
    codes = rule_codes()
    lines = []
    for f in result.findings:
        if f.suppressed is not None:
            continue  # an annotation cannot be marked as accepted; --show-suppressed is for the other formats
        flow = f.flow
        d = flow.destination
        detail = [f.message,
                  f"source: {shown(result.root, flow.source_path)}:{flow.source_line} {flow.source.expression} ({flow.category})",
                  f"destination: {d.host or d.region or 'unknown'} -> {d.jurisdiction or 'unknown'} ({d.evidence})",
                  "trace:", *(f"  {shown(result.root, h.path)}:{h.line} {h.note}" for h in flow.trace)]
        lines.append(_command(f.severity, result.root, flow.sink_path, flow.sink_line, flow.sink_column,
                              f"{f.rule} {codes[f.rule].name}", "\n".join(detail)))
    for e in result.errors:
        rule = codes[e.code]
        lines.append(_command(rule.severity if rule.about_comment else "error", result.root, e.path, e.line, None,
                              f"{e.code} {rule.name}", e.message))
    for w in result.warnings:
        lines.append(f"::warning::{escape_data(w)}")
    count = sum(f.suppressed is None for f in result.findings)
    lines.append(f"xborder: {count} finding{'s' if count != 1 else ''} in {result.files} files")
    return "\n".join(lines) + "\n"
