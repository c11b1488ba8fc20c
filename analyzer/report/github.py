"""GitHub Actions workflow commands: each (version 2) finding becomes an annotation on the pull
request diff, at its sink call, listing each of its categories with its source and trace.

Paths are made relative to the working directory, because GitHub resolves `file=` against the
repository checkout, where the job runs, not against the scanned folder. A file that was not
analysed is an error annotation, as it is an error notification in SARIF; a comment problem is
annotated at its code's severity.
"""

from __future__ import annotations

import re

from ..escape import terminal
from ..grouping import groups, message
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


def _detail(g, result) -> str:
    """A (version 2) finding's annotation text: its message, destination, and each category's
    source and trace, the most sensitive first."""
    flow = g.flow
    d = flow.destination
    lines = [message(g, result.home, result.regime),
             f"destination: {d.host or d.region or 'unknown'} -> {d.jurisdiction or 'unknown'} ({d.evidence})"]
    for item in g.items:
        f = item.flow
        lines += [f"{f.category}: source {shown(result.root, f.source_path)}:{f.source_line} {f.source.expression}",
                  "trace:", *(f"  {shown(result.root, h.path)}:{h.line} {h.note}" for h in f.trace)]
    return "\n".join(lines)


def render(result, color: bool = False) -> str:
    codes = rule_codes()
    lines = []
    found = [g for g in groups(result.findings, result.categories) if g.suppressed is None]
    # Suppressed findings are left out: an annotation cannot be marked as accepted (--show-suppressed
    # is for the other formats).
    for g in found:
        flow = g.flow
        lines.append(_command(g.severity, result.root, flow.sink_path, flow.sink_line, flow.sink_column,
                              f"{g.rule} {codes[g.rule].name}", _detail(g, result)))
    for e in result.errors:
        rule = codes[e.code]
        lines.append(_command(rule.severity if rule.about_comment else "error", result.root, e.path, e.line, None,
                              f"{e.code} {rule.name}", e.message))
    for w in result.warnings:
        lines.append(f"::warning::{escape_data(w)}")
    count = len(found)
    lines.append(f"xborder: {count} finding{'s' if count != 1 else ''} in {result.files} files")
    return "\n".join(lines) + "\n"
