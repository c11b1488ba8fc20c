"""`xborder callgraph`: the resolved call graph, so a user can see why a flow was or was not followed.

JSON: {"pkg.mod.func": ["pkg.mod.Class.method", "requests.post", ...], ...,
       "<unresolved>": {"pkg.mod.func": ["cb(...) at pkg/mod.py:12", ...]}}
Every project function is a key; callees are fully qualified (project functions, classes for
constructors, library names) and sorted. Calls whose target could not be resolved are listed
under "<unresolved>", never dropped.
"""

from __future__ import annotations

import json

UNRESOLVED = "<unresolved>"


def edges(analyzed) -> tuple[dict, dict]:
    program, analysis = analyzed.program, analyzed.analysis
    calls: dict = {q: set() for q in program.functions}
    unresolved: dict = {}
    for qualname, (f, module) in sorted(program.functions.items()):
        for index in f.calls:
            key = (module.path, index)
            if key in analysis.targets:
                calls[qualname] |= analysis.targets[key]
            elif key in analysis.unresolved:
                unresolved.setdefault(qualname, set()).add((module.path, module.calls[index].loc, analysis.unresolved[key]))
    return calls, unresolved


def render_json(analyzed, position) -> str:
    calls, unresolved = edges(analyzed)
    out = {q: sorted(t) for q, t in sorted(calls.items())}
    out[UNRESOLVED] = {q: sorted(f"{text}(...) at {path}:{position(path, loc)[0]}" for path, loc, text in items)
                       for q, items in sorted(unresolved.items())}
    return json.dumps(out, indent=2, sort_keys=True) + "\n"


def render_dot(analyzed, position) -> str:
    calls, unresolved = edges(analyzed)
    lines = ["digraph callgraph {", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica"];']
    project = set(calls)
    for q in sorted(project):
        lines.append(f"  {json.dumps(q)};")
    for q, targets in sorted(calls.items()):
        for t in sorted(targets):
            style = "" if t in project else " [style=dashed]"
            lines.append(f"  {json.dumps(q)} -> {json.dumps(t)}{style};")
    for q, items in sorted(unresolved.items()):
        for path, loc, text in sorted(items):
            node = json.dumps(f"? {text} at {path}:{position(path, loc)[0]}")
            lines.append(f"  {node} [shape=note, color=gray];")
            lines.append(f"  {json.dumps(q)} -> {node} [color=gray];")
    lines.append("}")
    return "\n".join(lines) + "\n"
