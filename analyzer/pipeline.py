"""The pipeline, end to end: discover, summarize, link, propagate, resolve, evaluate.

`scan()` is what the commands call; reporters only read the `ScanResult` it returns.
"""

from __future__ import annotations

import gc
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from . import baseline, suppress
from .cache import Cache
from .discover import discover, git_work_tree, located, relative_targets, test_support
from .errors import ConfigError
from .gitdiff import ChangedLines, changed_lines
from .generate.installed import with_installed
from .evaluate import Policy, evaluate
from .knowledge import Knowledge, load_knowledge
from .knowledge.config import Config, check_limits, find_config, ownership_warning, parse_config, read_config
from .knowledge.selection import Layer, resolve, unknown_selectors
from .link import Program
from .propagate import Analysis
from .propagate.lattice import NOTHING, SOURCE_WEIGHT, AbstractValue, objects
from .propagate.results import SinkCall
from .resolve import Resolver
from .runner import Runner
from .summarize import Context
from .templates import TemplateFolders
from .ir import ClientObject, Lit
from .knowledge.codes import rule_codes
from .results import Coverage, Cut, FileError, Flow, Hop, ScanResult, Unmodeled


@dataclass
class Options:
    paths: tuple = (".",)
    home: tuple = ()
    regime: str | None = None
    config: str | None = None
    use_cache: bool = True
    cache_dir: str | None = None
    jobs: int | None = None
    progress: object = None  # callable(done, total) or None
    warn: object = None  # callable(text): what the user must hear at once, whatever the report format
    warn_unused_ignores: bool = False  # report suppressions that match nothing (XB903)
    baseline: str | None = None  # a baseline file: findings it knows are dropped
    max_file_bytes: int | None = None  # overrides the config's max-file-bytes
    file_timeout: float | None = None  # overrides the config's file-timeout (seconds)
    worker_memory: int | None = None  # overrides the config's worker-memory (megabytes)
    include_tests: bool = False  # also tests, fixtures, migrations, benchmarks (or the config's include-tests)
    overrides: tuple = ()  # (option text, table) of each `--config KEY=VALUE`, in order
    exclude: tuple | None = None  # --exclude: replaces the config's exclude
    extend_exclude: tuple = ()  # --extend-exclude: adds to it
    selection: Layer = Layer()  # --select, --extend-select, --ignore
    diff_base: str | None = None  # --diff-base REF: report only findings on lines changed since REF
    changed_only: bool = False  # --changed-only: the same against HEAD (everything, before the first commit)
    python_path: str | None = None  # --python-path: models generated from the unmodelled SDKs installed there


def scanned_folder(paths: list[Path]) -> Path:
    """The folder holding every path given (a file's own folder)."""
    dirs = [located(p) if p.is_dir() else located(p).parent for p in paths]
    return Path(os.path.commonpath([str(d) for d in dirs]))


def find_root(paths: list[Path]) -> Path:
    """The project root, whatever folders or files are given: the folder of the closest config
    (xborder.toml, or pyproject.toml with [tool.xborder]), else the git work tree, else the folder
    scanned. Globs, baselines, fingerprints and report paths are relative to it, so `xborder scan
    shop/sub` names files and modules as `xborder scan .` does."""
    roots = [project_root(p) or scanned_folder([p]) for p in paths]
    return Path(os.path.commonpath([str(r) for r in roots]))


def resolve_config(options: Options, root: Path, need_home: bool = True, scanned: Path | None = None) -> Config:
    path = Path(options.config) if options.config else find_config(root)
    if options.config and not path.is_file():
        raise ConfigError("config file not found", path=str(path))
    data, origin, text = read_config(path) if path else ({}, None, "")
    config = parse_config(data, origin, text) if path else Config()  # its errors are the file's
    overrides = command_line_keys(options)
    if overrides:
        data, from_cli = dict(data), {}
        for label, table, adds in overrides:
            for key, value in table.items():
                data[key] = data.get(key, []) + value if adds else value
                from_cli[key] = label
        config = parse_config(data, origin, text, from_cli)  # its errors are the options'
    if path:
        warning = None if options.config else ownership_warning(path, scanned or root)
        config = replace(config, path=_display(path, root), warnings=(warning,) if warning else ())
    config = replace(config, selected=_selected(config, options.selection))
    check_limits(options.max_file_bytes, options.file_timeout, None)
    if options.max_file_bytes is not None:
        config = replace(config, max_file_bytes=options.max_file_bytes)
    if options.file_timeout is not None:
        config = replace(config, file_timeout=options.file_timeout)
    if options.worker_memory:
        config = replace(config, worker_memory=options.worker_memory)
    if options.include_tests:
        config = replace(config, include_tests=True)
    if need_home and not config.home:
        raise ConfigError("no home jurisdiction: pass --home CC or set `home` in [tool.xborder]")
    return config


def command_line_keys(options: Options) -> list:
    """The config keys the command line sets, as (option text, table, adds): each `--config
    KEY=VALUE` in order, then the options that name a key (they win); --extend-exclude adds to the
    config's extend-exclude where the others replace a key's value."""
    keys = [(label, table, False) for label, table in options.overrides]
    if options.home:
        keys.append((" ".join(f"--home {h}" for h in options.home), {"home": list(options.home)}, False))
    if options.regime:
        keys.append((f"--regime {options.regime}", {"regime": options.regime}, False))
    if options.exclude is not None:
        keys.append((" ".join(f"--exclude {g}" for g in options.exclude), {"exclude": list(options.exclude)}, False))
    if options.extend_exclude:
        keys.append((" ".join(f"--extend-exclude {g}" for g in options.extend_exclude),
                     {"extend-exclude": list(options.extend_exclude)}, True))
    return keys


def _selected(config: Config, cli: Layer) -> frozenset | None:
    """The codes to report: the config's selection, then the command line's (knowledge/selection.py)."""
    options = {"--select": cli.select or (), "--extend-select": cli.extend_select, "--ignore": cli.ignore}
    for option, i, problem in unknown_selectors(options):
        raise ConfigError(f"{option} {options[option][i]}: {problem}")
    layers = (Layer(config.select, config.extend_select, config.ignore), cli)
    return resolve([rule.code for rule in rule_codes()], layers) if any(layers) else None


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


@dataclass
class Analyzed:
    """Everything up to and including propagation, shared by `scan` and `callgraph`."""

    root: Path
    config: Config
    knowledge: Knowledge
    files: list
    runner: Runner
    summaries: list
    program: Program
    analysis: Analysis
    raw: list
    cache: Cache | None


@contextmanager
def collector_paused():
    """Python's cyclic garbage collector off for the duration: the analysis builds hundreds of
    thousands of small acyclic objects, and the collector rescanning them cost a quarter of the
    propagation time. Reference counting still frees everything."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def analyze(options: Options, need_home: bool = True) -> Analyzed:
    paths = [Path(p) for p in options.paths]
    root = find_root(paths)
    config = resolve_config(options, root, need_home, scanned_folder(paths))
    for warning in config.warnings if options.warn else ():
        options.warn(warning)
    knowledge = load_knowledge(config)
    files = discover(root, paths, config.include, config.exclude, config.include_tests, config.src)
    cache = None
    if options.use_cache:
        cache = Cache(Path(options.cache_dir) if options.cache_dir else root / ".xborder_cache", knowledge.digest(), root)
    runner = Runner(Context(knowledge.vocabulary, knowledge.catalog.flowrules, knowledge.sources, knowledge.catalog.senders()), root, cache, options.jobs,
                    options.progress, config.file_timeout, config.worker_memory)
    summaries = runner.summaries(files, config.max_file_bytes)
    if not config.include_tests:
        support = test_support(summaries)
        files = [f for f in files if f.module not in support]
        summaries = [s for s in summaries if s.module not in support]
    summaries = knowledge.sources.idle(summaries)
    program = Program(summaries, knowledge.catalog.flowrules.managers, knowledge.catalog.flowrules.reverse_relations)
    if options.python_path:
        cache_dir = cache.directory if cache is not None else None
        knowledge = replace(knowledge, catalog=with_installed(knowledge.catalog, program, knowledge, options.python_path,
                                                              cache_dir, root, options.jobs))
    analysis = Analysis(program, knowledge.catalog, knowledge.sources, TemplateFolders(root, knowledge.catalog.flowrules.templates.text_filters, knowledge.catalog.flowrules.templates.folders))
    raw = analysis.run()
    return Analyzed(root, config, knowledge, files, runner, summaries, program, analysis, raw, cache)


def project_root(path: Path) -> Path | None:
    """The project a path belongs to: the folder of its config file, else its git work tree."""
    start = located(path) if path.is_dir() else located(path).parent
    config = find_config(start)
    if config is not None:
        return config.resolve().parent
    return git_work_tree(start)


def _focus(options: Options) -> tuple[Options, tuple]:
    """When PATHS name files (as pre-commit passes them), analyse their whole project, since flows
    cross files, and keep the paths (relative to that project) to report only what touches them.
    A file in no project (no config, no git) is scanned alone: its folder may be a home directory."""
    paths = [Path(p) for p in options.paths]
    roots = [project_root(p) for p in paths]
    if not any(p.is_file() for p in paths) or None in roots:
        return options, ()
    root = Path(os.path.commonpath([str(r) for r in roots]))
    return replace(options, paths=(str(root),)), relative_targets(root, paths)


def _touches(path: str, focus: tuple) -> bool:
    return any(f in ("", path) or path.startswith(f + "/") for f in focus)


def scan(options: Options) -> ScanResult:
    with collector_paused():
        return _scan(options)


def _scan(options: Options) -> ScanResult:
    started = time.monotonic()
    options, focus = _focus(options)
    root = find_root([Path(p) for p in options.paths])
    entries = baseline.load(options.baseline, root) if options.baseline else None
    diff = _changed(options, root)  # before the analysis: a bad REF is known at once
    a = analyze(options)
    cuts = [c for qualname in sorted(a.analysis.cuts_by_function) for c in a.analysis.cuts_by_function[qualname]]
    failures = [a.analysis.failures[q] for q in sorted(a.analysis.failures)]
    with a.runner:  # the workers kept for this last pass stop here
        position = positions_for(a, _touched(a.raw, cuts) | {path for _, sites, _ in a.analysis.unmodeled.values() for path, _ in sites}
                                 | {f.path for f in failures})
    knowledge, config = a.knowledge, a.config
    policy = Policy(config, knowledge.jurisdictions, knowledge.vocabulary)
    flows = build_flows(a.raw, a.program, Resolver(knowledge.jurisdictions, config, position, policy.at_home), position,
                        knowledge.catalog)
    findings, approved = evaluate(flows, policy)
    findings, errors = suppress.apply(findings, a.summaries, options.warn_unused_ignores)
    errors += [FileError(s.path, e.line or None, e.message, e.code) for s in a.summaries
               for e in ((s.error,) if s.error is not None else s.skipped)]
    errors += [FileError(f.path, position(f.path, f.loc)[0] or None, f.message, f.code) for f in failures]
    errors += position.errors()
    errors = sorted(errors, key=lambda e: (e.path, e.line or 0))
    outcome = None
    if entries is not None:  # entries of files this scan did not analyse are neither matched nor stale
        scope = relative_targets(a.root, [Path(p) for p in options.paths])
        entries = [e for e in entries if all(_touches((e.get(end) or {}).get("path") or "", scope) for end in ("source", "sink"))]
        findings, outcome = baseline.apply(findings, entries, options.baseline)
    if config.selected is not None:  # after the baseline, whose entries of unselected rules are not stale
        findings = [f for f in findings if f.rule in config.selected]
        errors = [e for e in errors if e.code in config.selected]
    sanitized = sorted({Cut(site.path, *position(site.path, site.loc), sanitizer, categories) for site, sanitizer, categories in cuts},
                       key=lambda c: (c.path, c.line, c.column, c.sanitizer))
    findings, errors, sanitized = _narrowed(findings, errors, sanitized, focus, diff)
    reached = {f.destination.jurisdiction for f in flows} - {None}
    return ScanResult(
        str(a.root), config.home, policy.regime.id if policy.regime else None,
        findings=tuple(findings), errors=tuple(errors), files=len(a.files), seconds=round(time.monotonic() - started, 3),
        approved=tuple(approved), warnings=config.warnings + (tuple(a.cache.warnings) if a.cache else ()), fail_on=config.fail_on,
        flows=tuple(flows), categories={c: (v.name, policy.is_sensitive(c)) for c, v in knowledge.vocabulary.categories.items()},
        at_home=frozenset(j for j in reached if policy.at_home(j)),
        baseline=outcome, sanitized=tuple(sanitized), coverage=_coverage(a, flows, position), processing=config.processing,
        adequate=frozenset(j for j in reached if not policy.at_home(j) and policy.adequate(j)),
        mechanisms=dict(policy.regime.bases) if policy.regime else {}, diff=diff,
    )


def _changed(options: Options, root: Path) -> ChangedLines | None:
    """In diff mode, the project's lines changed since the revision asked for (gitdiff.py)."""
    if options.diff_base is not None:
        return changed_lines(root, options.diff_base, "--diff-base")
    if options.changed_only:
        return changed_lines(root, "HEAD", "--changed-only", unborn_ok=True)
    return None


def _narrowed(findings: list, errors: list, sanitized: list, focus: tuple, diff: ChangedLines | None) -> tuple:
    """What the paths given (pre-commit's files) and diff mode let through: a finding whose source,
    sink or trace touches a given path and a changed line; file problems of those paths, changed
    files; sanitizer notes in those paths, on changed lines."""
    if focus:
        findings = [f for f in findings if any(_touches(p, focus) for p in
                    (f.flow.source_path, f.flow.sink_path, *(h.path for h in f.flow.trace)))]
        errors = [e for e in errors if _touches(e.path, focus)]
        sanitized = [c for c in sanitized if _touches(c.path, focus)]
    if diff is not None:
        findings = [f for f in findings if diff.touches_flow(f.flow)]
        errors = [e for e in errors if e.path in diff.lines]
        sanitized = [c for c in sanitized if diff.touches(c.path, c.line)]
    return findings, errors, sanitized


def _coverage(a: "Analyzed", flows: list, position) -> Coverage:
    failed = sum(1 for s in a.summaries if s.error is not None and rule_codes()[s.error.code].skips_file)
    unmodeled = tuple(Unmodeled(callee, package, tuple(sorted({(path, position(path, loc)[0]) for path, loc in sites})),
                                tuple(sorted(categories)))
                      for callee, (package, sites, categories) in sorted(a.analysis.unmodeled.items()))
    return Coverage(len(a.files), failed, sum(1 for f in flows if f.destination.jurisdiction is None), unmodeled,
                    tuple(dict.fromkeys(a.analysis.caps)))


def _touched(raw: list, cuts: list) -> set:
    """The modules whose positions a report needs: those a flow or a cut touches."""
    touched = set()
    for r in raw:
        touched.add(r.origin.path)
        touched.add(r.call.site.path)
        touched.update(step.path for step in r.trace)
        touched.update(_evidence_paths(r.call))
    touched.update(site.path for site, _, _ in cuts)
    return touched


def _evidence_paths(call) -> set:
    """Files whose string constants a destination was built from (for 'constant at file:line')."""
    alternatives = [s for _, g in call.dests for s in g.strs]
    alternatives += [s for o in call.clients.objs if type(o) is ClientObject for _, alts in o.dests for s in alts]
    return {p.where[0] for parts in alternatives for p in parts if type(p) is Lit and p.where is not None}


class Positions:
    """A (path, loc) -> (line, column) lookup over files summarized again with positions; a file
    whose positions could not be computed (a limit of the second pass) says so in `errors()`,
    since its findings then stand at line 0 and its inline suppressions cannot match them."""

    def __init__(self, summaries: list):
        self.positioned = {s.path: s for s in summaries}

    def __call__(self, path: str, loc: int) -> tuple[int, int]:
        s = self.positioned.get(path)
        if s is None or not s.positions or loc is None or loc >= len(s.positions):
            return (0, 0)
        return s.positions[loc]

    def end(self, path: str, loc: int) -> tuple[int, int]:
        """Where the located node ends (just past its last character), or (0, 0) when not known."""
        s = self.positioned.get(path)
        if s is None or loc is None or loc >= len(s.ends):
            return (0, 0)
        return s.ends[loc]

    def errors(self) -> list[FileError]:
        return [FileError(s.path, None, f"could not locate its findings ({s.error.message}); they are reported at line 0", "XB902")
                for path, s in sorted(self.positioned.items()) if s.error is not None]


def positions_for(analyzed: Analyzed, paths: set) -> Positions:
    """The positions of the given files only (their modules summarized again, with positions)."""
    by_rel = {f.rel: f for f in analyzed.files}
    ok = {s.path for s in analyzed.summaries if s.error is None}
    files = [by_rel[p] for p in sorted(paths) if p in by_rel and p in ok]
    return Positions(analyzed.runner.summaries(files, analyzed.config.max_file_bytes, positions=True))


class Replies:
    """Where the replies that data was read out of came from (ir.Reply, resolved as the sink call
    that answered them), once each."""

    def __init__(self, resolver: Resolver, catalog):
        self.resolver = resolver
        self.catalog = catalog
        self.hosts: dict = {}

    def from_host(self, reply) -> set:
        if reply not in self.hosts:
            call = SinkCall(None, self.catalog.sink(reply.callee), NOTHING,
                            tuple((role, AbstractValue(strs=frozenset(alts))) for role, alts in reply.dests), objects(*reply.clients))
            self.hosts[reply] = {d.host for d in self.resolver.destinations(call)}
        return self.hosts[reply]

    def handed_out_by(self, received: tuple, host: str | None) -> bool:
        """Is data that only came in from `received` sent back to the one host that handed it out?
        It learns nothing new (the id a provider's profile call returned, sent to fetch more)."""
        return bool(received) and host is not None and all(self.from_host(r) == {host} for r in received)


def build_flows(raw: list, program: Program, resolver: Resolver, position, catalog) -> list[Flow]:
    """One flow per (category, sink call, destination), keeping the shortest trace; none for data
    sent back to the host whose replies alone it came from."""
    best: dict = {}
    replies = Replies(resolver, catalog)
    for r in raw:
        module = program.by_path[r.origin.path]
        source = module.sources[r.origin.index]
        call = r.call
        line, column = position(call.site.path, call.site.loc)
        hops = [Hop(step.path, *position(step.path, step.loc), step.note) for step in r.trace]
        hops.append(Hop(call.site.path, line, column, f"sink: {call.site.text} ({call.sink.kind})"))
        for dest in resolver.destinations(call):
            if replies.handed_out_by(r.received, dest.host):
                continue
            flow = Flow(
                category=source.category, source=source, source_path=module.path,
                source_line=hops[0].line, source_column=hops[0].column,
                sink_path=call.site.path, sink_line=line, sink_column=column, sink_end=position.end(call.site.path, call.site.loc),
                callee=call.sink.callee,
                kind=call.sink.kind, destination=dest, trace=tuple(hops), function=call.site.function,
            )
            key = (flow.category, flow.sink_path, call.site.loc, dest.host, dest.region, dest.jurisdiction)
            # The source that names the data best (a read of stored data, then a local name, then a
            # dict key: Origin.weight), then the shortest trace.
            rank = (SOURCE_WEIGHT.get(source.shape, 1), len(hops), flow.source_path, position(module.path, source.loc), source.expression)
            if key not in best or rank < best[key][0]:
                best[key] = (rank, flow)
    return [flow for _, flow in sorted(best.values(), key=lambda x: (x[1].sink_path, x[1].sink_line, x[0]))]
