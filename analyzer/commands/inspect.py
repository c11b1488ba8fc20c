"""The inspection commands: what xborder knows and why it decided so.

`rules`, `explain`, `classify`, `where` and `callgraph` answer "why was this classified so?" one
command away, the way `ruff rule` and `semgrep --dump-ast` do.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from ..dotted import within
from ..knowledge import load_knowledge
from ..knowledge.codes import rule_codes
from ..pipeline import Options, analyze, collector_paused, find_root, positions_for, resolve_config
from ..report.callgraph import render_dot, render_json
from ..resolve import Resolver
from .common import config_option, fail, guarded, jobs_option, no_cache_option


def _knowledge(config_args, path: str = "."):
    options = Options(paths=(path,), **config_args.settings())
    return guarded(lambda: load_knowledge(resolve_config(options, find_root([Path(path)]), need_home=False)))


_format = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
_config = config_option


@click.command("rules")
@click.argument("kind", required=False, type=click.Choice(["categories", "sinks", "destinations", "regimes", "codes"]))
@click.option("--library", metavar="PACKAGE",
              help="With `sinks`: only the models of this package (its import name, such as twilio), with where each comes from.")
@_format
@_config
def rules_command(kind, library, fmt, config_args):
    """List what the analyzer knows (bundled rules plus the project's additions)."""
    k = _knowledge(config_args)
    if library is not None:
        if kind not in (None, "sinks"):
            fail(f"--library lists sink models; it cannot be used with {kind!r}")
        _library_models(k, library, fmt)
        return
    tables = {
        "categories": [asdict(c) for c in k.vocabulary.categories.values()],
        "sinks": [_sink_entry(s) for s in k.catalog.sinks],
        "destinations": k.jurisdictions.describe(),
        "regimes": [asdict(r) for r in k.jurisdictions.regimes.values()],
        "codes": _codes_table(),
    }
    chosen = [kind] if kind else list(tables)
    if fmt == "json":
        click.echo(json.dumps({name: tables[name] for name in chosen}, indent=2, ensure_ascii=False, default=list))
        return
    for name in chosen:
        click.echo(f"# {name} ({len(tables[name])})")
        for entry in tables[name]:
            click.echo("  " + _line(name, entry))


def _sink_entry(s) -> dict:
    return {"callee": s.callee, "kind": s.kind, "data": list(s.data), "destination": dict(s.destination),
            "client": list(s.client), "default": s.default, "own": s.own, "source": s.source, "origin": s.origin}


def _library_models(k, library: str, fmt: str) -> None:
    """What is modelled of one library: its sinks and clients, each with its citation and the rules
    file (or project config) it comes from; a library nobody modelled says whether coverage lists it."""
    def ours(name: str) -> bool:
        return within(name, library)

    sinks = [_sink_entry(s) for s in k.catalog.sinks if ours(s.callee)]
    clients = [{"constructor": c.constructor, "type": c.type, "destination": dict(c.destination), "source": c.source,
                "origin": c.origin} for c in k.catalog.clients if ours(c.constructor)]
    covered = k.catalog.covering(library)
    if fmt == "json":
        click.echo(json.dumps({"library": library, "coverage": covered is not None, "sinks": sinks, "clients": clients},
                              indent=2, ensure_ascii=False))
        return
    click.echo(f"# {library}: {len(sinks)} sink(s), {len(clients)} client(s)")
    for s in sinks:
        where = s["default"] or ", ".join(f"{p} ({role})" for p, role in s["destination"].items()) or ", ".join(s["client"]) or "?"
        click.echo(f"  {s['callee']}  [{s['kind']}{', own store' if s['own'] else ''}] data: {', '.join(s['data'])}; destination: {where}")
        click.echo(f"      source: {s['source'] or '(none given)'}; from {s['origin']}")
    for c in clients:
        where = ", ".join(f"{p} ({role})" for p, role in c["destination"].items()) or "-"
        click.echo(f"  client {c['constructor']} -> {c['type']}; destination: {where}")
        click.echo(f"      source: {c['source'] or '(none given)'}; from {c['origin']}")
    if not sinks and not clients:
        listed = (f"calls into it that receive personal data are listed under coverage (rules/libraries.toml: {covered})"
                  if covered else "it is not in rules/libraries.toml either, so calls into it are not followed")
        click.echo(f"  nothing is modelled; {listed}")


def _line(kind: str, entry: dict) -> str:
    if kind == "categories":
        flags = ", ".join(x for x in ("sensitive" if entry["sensitive"] else "", entry["family"] if entry["family"] != "personal" else "") if x)
        return f"{entry['id']:<45} {entry['name']}" + (f" [{flags}]" if flags else "")
    if kind == "sinks":
        return f"{entry['callee']:<45} {entry['kind']}"
    if kind == "regimes":
        return f"{entry['id']:<10} {entry['name']} (home: {', '.join(entry['home'])}; localization: {entry['localization']})"
    if kind == "codes":
        return f"{entry['code']}  {entry['name']:<28} {entry['severity']:<8} {entry['family']:<12} {entry['summary']}"
    return f"{entry.get('kind', ''):<10} {entry.get('match', '')} -> {entry.get('jurisdiction')}"


def _codes_table() -> list[dict]:
    return [asdict(rule) for rule in guarded(rule_codes)]


@click.command("explain")
@click.argument("code", required=False)
def explain_command(code):
    """Explain a rule code (XB101, XB201, ...); without CODE, list them all."""
    codes = guarded(rule_codes)
    if code is None:
        for entry in _codes_table():
            click.echo(_line("codes", entry))
        click.echo("\n`xborder explain CODE` says what a code means, why, and what to do instead, with examples.")
        return
    if code.upper() not in codes:
        fail(f"unknown rule code {code!r} (known: {', '.join(r.code for r in codes)})")
    rule = codes[code.upper()]
    click.echo(f"{rule.code} ({rule.name})\n")
    click.echo(f"What it does\n  {rule.summary}\n")
    click.echo(f"Why is this bad?\n  {rule.why}\n")
    if rule.reference:
        click.echo(f"Legal reference\n  {rule.reference}\n")
    click.echo(f"Example (`{rule.report.command()}` reports {rule.code})\n{_example(rule.report)}\n")
    click.echo(f"Use instead\n  {rule.instead}\n")
    click.echo(f"  (`{rule.no_report.command()}` reports nothing)\n{_example(rule.no_report)}")


def _example(example) -> str:
    """The example's files, indented; file names only when there is a config beside the module."""
    files = [("xborder.toml", example.config), ("app.py", example.source)] if example.config else [("", example.source)]
    blocks = []
    for name, text in files:
        lines = ([f"# {name}"] if name else []) + text.rstrip("\n").splitlines()
        blocks.append("\n".join(f"  {line}".rstrip() for line in lines))
    return "\n\n".join(blocks)


@click.command("classify")
@click.argument("names", nargs=-1, required=True)
@click.option("--owner", help="The object the names are read from (user in user.name), for person context.")
@_format
@_config
def classify_command(names, owner, fmt, config_args):
    """Say which personal-data category each identifier falls in, and why."""
    k = _knowledge(config_args)
    rows = []
    for name in names:
        e = k.vocabulary.explain(name, owner)
        rows.append({"identifier": name, "owner": owner, "category": e.match.category if e.match else None, "reason": e.reason})
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for r in rows:
        click.echo(f"{r['identifier']}: {r['category'] or 'not personal data'} ({r['reason']})")


@click.command("where")
@click.argument("destination", required=False, default="")
@click.option("--region", help="A cloud region (with --provider, or placed when every provider agrees on it).")
@click.option("--provider", help="Cloud provider of --region (aws, gcp, azure, alibaba, tencent, huawei, oci).")
@_format
@_config
def where_command(destination, region, provider, fmt, config_args):
    """Say where DESTINATION is (a URL, DSN, host, `aws:us-west-2` or a bare cloud region), with the
    table entry that decided: the same resolver a scan uses for a constant destination."""
    if not destination and not region:
        fail("give a destination (URL, DSN, host or region) or --region")
    k = _knowledge(config_args)
    found = Resolver(k.jurisdictions, k.config).place(destination, region, provider)
    row = {"destination": region or destination, "host": found.host, "region": found.region,
           "jurisdiction": found.jurisdiction, "rule": found.rule or found.evidence, "source": found.source}
    if fmt == "json":
        click.echo(json.dumps(row, indent=2, ensure_ascii=False))
    else:
        click.echo(f"{row['destination']}: {found.jurisdiction or 'unknown'} ({row['rule']}" + (f"; source: {found.source})" if found.source else ")"))


@click.command("callgraph")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--format", "fmt", type=click.Choice(["json", "dot"]), default="json", show_default=True)
@_config
@no_cache_option
@jobs_option
def callgraph_command(paths, fmt, config_args, no_cache, jobs):
    """Print the resolved call graph; unresolved calls are listed, never dropped."""
    options = Options(paths=paths or (".",), use_cache=not no_cache, jobs=jobs, **config_args.settings())

    def run():
        with collector_paused():
            return analyze(options, need_home=False)

    analyzed = guarded(run)
    touched = {f.rel for f in analyzed.files}
    with analyzed.runner:
        position = positions_for(analyzed, touched)
    click.echo(render_dot(analyzed, position) if fmt == "dot" else render_json(analyzed, position), nl=False)

