"""What a fixture project must report, written where the code is (as semgrep-rules does with
`# ruleid:` / `# ok:`), and the check of a scan report against it.

Annotations are trailing comments; a line may carry several, each starting with `#`:

    requests.post(URL, json={"email": user.email})  # expect: XB101 user.contact.email
    requests.post(HOME, json={"email": user.email})  # ok: the destination is at home
    text = f"Callback for {user.phone_number}"  # source: user.contact.phone_number
    handler({"email": user.email})  # source: user.contact.email  # via: passed as 'event' to app.Client.publish

- `expect: RULE CATEGORY, ...`: one finding per item has its sink at this line (an item given twice
  means two findings). Every finding needs one.
- `ok` or `ok: reason`: no finding's trace (source, hops, sink) touches this line.
- `source: CATEGORY, ...`: findings of these categories have their source at this line. A finding
  whose source is on its sink line needs none; every other finding needs one, and every one
  must be some finding's source.
- `via: NOTE`: a hop of a finding's trace (a step between source and sink) is at this line with
  this note, verbatim. Every hop needs one, and every one must be some finding's hop.

A project expects no analysis error, and its exit code follows from its annotations: 1 when it
expects a finding, else 0.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ANNOTATION = re.compile(r"#\s*(expect|ok|source|via)\b([^#]*)")  # one `# keyword...` up to the next `#`
VALUE = re.compile(r"\s*:\s*(.*?)\s*")  # what follows the keyword's colon
CATEGORY = re.compile(r"[\w.]+")
EXPECT_ITEM = re.compile(rf"(XB\d{{3}})\s+({CATEGORY.pattern})")


@dataclass
class Annotations:
    """Every annotation of a project, keyed by (path relative to the project, line)."""

    expect: Counter = field(default_factory=Counter)  # (path, line, rule, category) -> how many
    ok: set = field(default_factory=set)  # (path, line)
    source: set = field(default_factory=set)  # (path, line, category)
    via: set = field(default_factory=set)  # (path, line, note)
    malformed: list = field(default_factory=list)  # messages


def read_annotations(root: Path) -> Annotations:
    """The annotations in every Python file under root."""
    notes = Annotations()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            _read_line(notes, rel, number, text)
    return notes


def _read_line(notes: Annotations, rel: str, number: int, text: str) -> None:
    where = f"{rel}:{number}"
    kinds = set()
    for match in ANNOTATION.finditer(text):
        kind, rest = match.group(1), match.group(2)
        kinds.add(kind)
        value = m.group(1) if (m := VALUE.fullmatch(rest)) else None
        items = [item.strip() for item in (value or "").split(",")]
        if kind == "ok" and (value is not None or not rest.strip()):
            notes.ok.add((rel, number))
        elif kind == "via" and value:
            notes.via.add((rel, number, value))
        elif kind == "source" and value and all(CATEGORY.fullmatch(item) for item in items):
            notes.source.update((rel, number, item) for item in items)
        elif kind == "expect" and value and all(EXPECT_ITEM.fullmatch(item) for item in items):
            notes.expect.update((rel, number, *EXPECT_ITEM.fullmatch(item).groups()) for item in items)
        else:
            notes.malformed.append(f"{where}: cannot read '{match.group(0).strip()}'")
    if "ok" in kinds and kinds & {"expect", "source", "via"}:
        notes.malformed.append(f"{where}: '# ok' and a finding's annotation on one line")


def mismatches(notes: Annotations, report: dict, exit_code: int) -> list[str]:
    """Every difference between a scan's JSON report (and exit code) and the annotations, one
    message each, naming file:line with what was expected and what was reported."""
    findings = report["findings"]
    problems = list(notes.malformed)
    problems += [f"{e['path']}:{e['line']}: reported error {e['code']}: {e['message']} (no error is expected)"
                 for e in report["errors"]]
    problems += _sinks(notes, findings) + _ok_lines(notes, findings) + _sources(notes, findings) + _hops(notes, findings)
    implied = 1 if notes.expect else 0
    if exit_code != implied:
        problems.append(f"exit code {exit_code}, expected {implied} (1 when any '# expect:', else 0)")
    return problems


def _describe(finding: dict) -> str:
    source, sink = finding["source"], finding["sink"]
    return (f"{finding['rule']} {finding['category']} (source {source['path']}:{source['line']}, "
            f"sink {sink['path']}:{sink['line']} {sink['callee']})")


def _sinks(notes: Annotations, findings: list) -> list[str]:
    """Findings and `expect` items, matched one to one by sink line, rule and category."""
    left = Counter(notes.expect)
    unexpected = []
    for f in findings:
        key = (f["sink"]["path"], f["sink"]["line"], f["rule"], f["category"])
        if left[key] > 0:
            left[key] -= 1
        else:
            unexpected.append(f)
    expected_at: dict = {}
    for (path, line, rule, category), n in sorted(notes.expect.items()):
        expected_at.setdefault((path, line), []).extend([f"{rule} {category}"] * n)
    problems = [f"{f['sink']['path']}:{f['sink']['line']}: reported {_describe(f)}, expected "
                f"{', '.join(expected_at.get((f['sink']['path'], f['sink']['line']), [])) or 'nothing'} at this line"
                for f in unexpected]
    for (path, line, rule, category), n in sorted((+left).items()):
        reported = [_describe(f) for f in findings if (f["sink"]["path"], f["sink"]["line"]) == (path, line)]
        problems.append(f"{path}:{line}: expected {n} x {rule} {category}, reported {'; '.join(reported) or 'nothing'} at this line")
    return problems


def _ok_lines(notes: Annotations, findings: list) -> list[str]:
    return [f"{step['path']}:{step['line']}: '# ok' line, but the trace of {_describe(f)} passes here ({step['note']})"
            for f in findings for step in f["trace"] if (step["path"], step["line"]) in notes.ok]


def _sources(notes: Annotations, findings: list) -> list[str]:
    problems, used = [], set()
    for f in findings:
        source, sink = f["source"], f["sink"]
        key = (source["path"], source["line"], f["category"])
        used.add(key)
        if key not in notes.source and (source["path"], source["line"]) != (sink["path"], sink["line"]):
            problems.append(f"{source['path']}:{source['line']}: source of {_describe(f)}, but this line has no "
                            f"'# source: {f['category']}' (only a source on the sink line needs none)")
    problems += [f"{path}:{line}: '# source: {category}', but no finding of that category has its source here"
                 for path, line, category in sorted(notes.source - used)]
    return problems


def _hops(notes: Annotations, findings: list) -> list[str]:
    problems, used = [], set()
    for f in findings:
        for hop in f["trace"][1:-1]:
            key = (hop["path"], hop["line"], hop["note"])
            used.add(key)
            if key not in notes.via:
                problems.append(f"{hop['path']}:{hop['line']}: the trace of {_describe(f)} passes here, but this line "
                                f"has no '# via: {hop['note']}'")
    problems += [f"{path}:{line}: '# via: {note}', but no finding's trace has that hop here"
                 for path, line, note in sorted(notes.via - used)]
    return problems
