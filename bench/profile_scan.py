"""Where the whole-program stage spends its time on a real project (issue 16: "profile first").

    python bench/profile_scan.py saleor            # an app of bench/real (downloaded by bench/real.py's cache)
    python bench/profile_scan.py django --top 30
    python bench/profile_scan.py path/to/project --home DE
    python bench/profile_scan.py pretix --max-passes 40   # how many passes the fixpoint needs to settle
    python bench/profile_scan.py django --max-passes 12 --changes 9   # what still moves in pass 9 (no cProfile)
    python bench/profile_scan.py django --memory     # what the global stage holds at its end, by structure

Summaries come from a cache of their own (under bench/real.py's cache folder), filled by the first
run, so the profile covers only the global stage: cProfile of `Analysis.run` (propagation to the
fixpoint and the entry points' flows), the top functions by cumulative and by own time, and per
pass: functions analysed, results that changed, shared values that changed, seconds, and the
strongly connected components that hit their round cap (with their size and seconds). The
per-pass figures come from a subclass of `Analysis` that counts around the driver's own steps
(`stores.new_pass`, `settle`, `analyze`): the driver itself pays nothing for them.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import resource
import sys
import time
from pathlib import Path

# Not named profile.py: that would shadow the standard library's module, which cProfile imports,
# for every script in this folder.
sys.path.insert(0, str(Path(__file__).resolve().parent))
import real  # noqa: E402
import run  # noqa: E402

sys.path.insert(0, str(real.REPO))
from analyzer import pipeline  # noqa: E402
from analyzer.propagate import Analysis, driver  # noqa: E402


class Pass:
    def __init__(self, number: int, stores_changed: int):
        self.number = number
        self.stores_changed = stores_changed  # shared values (fields, globals, clients) that differ from the pass before
        self.analysed = 0
        self.changed = 0  # results whose signature changed
        self.started = time.perf_counter()
        self.seconds = 0.0
        self.capped: list = []  # (seconds, size, first member) of components that hit MAX_SCC_ROUNDS
        self.slow: list = []  # (seconds, size, first member) of every component settled


class Counted(Analysis):
    """The driver, with its passes, analyses and components counted and timed."""

    watched: int | None = None  # the pass whose changed results are kept in `moves` (--changes)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.passes: list[Pass] = []
        self.moves: list = []  # (qualname, what moved) of the results that changed in the watched pass
        new_pass = self.stores.new_pass

        def counted_new_pass():
            changed = new_pass()
            self._close()
            self.passes.append(Pass(len(self.passes) + 1, len(changed)))
            return changed

        self.stores.new_pass = counted_new_pass

    def _close(self) -> None:
        if self.passes and not self.passes[-1].seconds:
            self.passes[-1].seconds = time.perf_counter() - self.passes[-1].started

    def run(self):
        flows = super().run()
        self._close()
        return flows

    def analyze(self, qualname: str):
        old = self.results.get(qualname)
        result = super().analyze(qualname)
        current = self.passes[-1]
        current.analysed += 1
        if old is None or old.signature() != result.signature():
            current.changed += 1
            if old is not None and current.number == self.watched:
                self.moves.append((qualname, result_moves(old, result)))
        return result

    def settle(self, component: list, stale: set) -> bool:
        first = min(component)
        had = first in self.capped_cycles
        self.capped_cycles.discard(first)
        started = time.perf_counter()
        changed = super().settle(component, stale)
        took = time.perf_counter() - started
        record = (took, len(component), first)
        if first in self.capped_cycles:
            self.passes[-1].capped.append(record)
        elif had:
            self.capped_cycles.add(first)
        if took > 0.05:
            self.passes[-1].slow.append(record)
        return changed


def value_moves(old, new, where: str = "value", depth: int = 0) -> list[str]:
    """What differs between two abstract values: taint keys, objects and strings gained or lost,
    and the same under each key both hold (`value[0][0] objs +[...] -[...]`)."""
    out = []
    for part, a, b in (("taint", frozenset(old.taint), frozenset(new.taint)), ("objs", old.objs, new.objs),
                       ("strs", old.strs, new.strs), ("keys", frozenset(old.keys), frozenset(new.keys))):
        if a != b:
            gained, lost = sorted(map(repr, b - a))[:2], sorted(map(repr, a - b))[:2]
            out.append(f"{where} {part} +{[g[:160] for g in gained]} -{[l[:160] for l in lost]}")
    if depth < 8:
        for key in sorted(frozenset(old.keys) & frozenset(new.keys), key=repr):
            if old.keys[key].signature() != new.keys[key].signature():
                out += value_moves(old.keys[key], new.keys[key], f"{where}[{key!r}]", depth + 1)
    return out


def result_moves(old, new) -> list[str]:
    """What moved between two results of one function: its return value, and how many pending
    calls and stores changed (by their signatures)."""
    out = value_moves(old.ret, new.ret, "return") if old.ret.signature() != new.ret.signature() else []
    for part, a, b in (("calls", old.calls, new.calls), ("stores", old.stores, new.stores)):
        sa, sb = {e.signature() for e in a}, {e.signature() for e in b}
        if sa != sb:
            out.append(f"{part}: {len(sb - sa)} of {len(b)} changed")
    return out


def target_of(name: str) -> Path:
    """An app of bench/real (fetched and checked by real.py) or a folder."""
    labels = real.LABELS / f"{name}.toml"
    if labels.is_file():
        app = real.load(labels)
        return (real.fetch(app) / app.meta.get("scan", ".")).resolve()
    path = Path(name)
    if not path.is_dir():
        raise SystemExit(f"{name}: neither an app of bench/real nor a folder")
    return path.resolve()


def profiled(target: Path, home: str, jobs: int, cache: Path, watched: int | None = None) -> tuple[Counted, cProfile.Profile, float, float]:
    """The analysis of `target` up to its flows; the global stage run under cProfile, unless a
    pass is `watched` (--changes: what moves in it, timed without the profiler's overhead; 0, a
    pass that never comes: none, for --memory)."""
    profiler = cProfile.Profile()
    timing = {}

    class Profiled(Counted):
        def run(self):
            self.watched = watched
            started = time.perf_counter()
            if watched is None:
                profiler.enable()
            try:
                return super().run()
            finally:
                profiler.disable()
                timing["global"] = time.perf_counter() - started

    pipeline.Analysis = Profiled
    started = time.perf_counter()
    options = pipeline.Options(paths=(str(target),), home=(home,), cache_dir=str(cache), jobs=jobs)
    with pipeline.collector_paused():
        analyzed = pipeline.analyze(options)
    return analyzed.analysis, profiler, timing["global"], time.perf_counter() - started


def pass_table(analysis: Counted) -> str:
    rows = ["| pass | functions analysed | results changed | shared values changed | seconds | ms per analysis | "
            "components at the round cap |", "|---:|---:|---:|---:|---:|---:|---|"]
    for p in analysis.passes:
        capped = ", ".join(f"{first} ({size} functions, {took:.1f} s)" for took, size, first in sorted(p.capped, reverse=True)[:3])
        more = f" and {len(p.capped) - 3} more" if len(p.capped) > 3 else ""
        per = 1000 * p.seconds / p.analysed if p.analysed else 0
        rows.append(f"| {p.number} | {p.analysed:,} | {p.changed:,} | {p.stores_changed:,} | {p.seconds:.1f} | {per:.2f} | "
                    f"{capped or '-'}{more} |")
    return "\n".join(rows)


def slowest(analysis: Counted, top: int) -> str:
    totals: dict = {}
    for p in analysis.passes:
        for took, size, first in p.slow:
            entry = totals.setdefault(first, [0.0, size, 0])
            entry[0] += took
            entry[2] += 1
    ranked = sorted(totals.items(), key=lambda kv: -kv[1][0])[:top]
    return "\n".join(f"  {took:7.1f} s  {size:5} functions  settled {n} times  {first}" for first, (took, size, n) in ranked)


class Sizes:
    """Deep sizes (sys.getsizeof over what an object reaches) of several roots, each object counted
    once, for the first root that reaches it: what a structure adds to what was measured before."""

    def __init__(self):
        self.seen: set = set()

    def of(self, root) -> int:
        total, stack = 0, [root]
        while stack:
            o = stack.pop()
            if id(o) in self.seen:
                continue
            self.seen.add(id(o))
            total += sys.getsizeof(o)
            if isinstance(o, dict):
                stack.extend(o.keys())
                stack.extend(o.values())
            elif isinstance(o, (list, tuple, set, frozenset)):
                stack.extend(o)
            elif hasattr(o, "__dict__"):
                stack.append(o.__dict__)
            else:
                stack.extend(getattr(o, name) for name in getattr(type(o), "__slots__", ()) if hasattr(o, name))
        return total


def memory_table(analysis) -> str:
    """What the global stage holds at its end, in MB: the program first (it is needed anyway), then
    each structure of the analysis, the results by part, and the shared stores' tables."""
    sizes = Sizes()
    rows = [("program", sizes.of(analysis.program))]
    results = sorted(analysis.results.items())
    for part in ("ret", "calls", "stores", "defaults", "outs"):
        rows.append((f"results: {part}", sum(sizes.of(getattr(r, part)) for _, r in results)))
    for name in ("previous", "current", "reads", "writes", "memo", "attrs"):
        rows.append((f"stores.{name}", sizes.of(getattr(analysis.stores, name))))
    rows.append(("everything else of the analysis", sizes.of(analysis.__dict__)))
    pending = sum(len(r.calls) for _, r in results), sum(len(r.stores) for _, r in results)
    lines = [f"| {name} | {size / 1e6:,.1f} |" for name, size in rows]
    return "\n".join(["| held | MB |", "|---|---:|", *lines, f"\n{pending[0]:,} pending sink calls, {pending[1]:,} pending stores"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", help="an app of bench/real (django, saleor, ...) or a folder")
    parser.add_argument("--home", default="CN")
    parser.add_argument("--jobs", type=int, default=2, help="summarizing workers (not profiled)")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--max-passes", type=int, default=driver.MAX_PASSES,
                        help=f"the fixpoint's pass cap (the analyzer's: {driver.MAX_PASSES})")
    parser.add_argument("--changes", type=int, metavar="PASS",
                        help="list what moved in the results that changed in pass PASS (no cProfile)")
    parser.add_argument("--memory", action="store_true", help="what the global stage holds at its end, by structure (no cProfile)")
    args = parser.parse_args()
    driver.MAX_PASSES = args.max_passes
    target = target_of(args.project)
    cache = real.cache_dir() / "profile-cache" / target.name
    analysis, profiler, seconds, total = profiled(target, args.home, args.jobs, cache, args.changes if not args.memory else 0)
    if args.memory:
        print(f"{target}: global stage {seconds:.1f} s, peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB\n")
        print(memory_table(analysis))
        return
    if args.changes is not None:
        print(pass_table(analysis))
        print(f"\n{len(analysis.moves)} results changed in pass {args.changes}; the first {args.top}:")
        for qualname, moves in analysis.moves[:args.top]:
            print(f"  {qualname}")
            print("".join(f"      {m}\n" for m in moves[:6]), end="")
        return
    functions = len(analysis.program.functions)
    components = len(analysis.order())
    print(f"{target}: {functions:,} functions in {components:,} components; global stage {seconds:.1f} s under cProfile "
          f"(whole analysis {total:.1f} s, summaries from {cache}); caps: {'; '.join(analysis.caps) or 'none'}\n")
    print(pass_table(analysis))
    print(f"\nComponents taking the most time over all passes (only those over 0.05 s in a pass):\n{slowest(analysis, 12)}\n")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(args.top)
    out.write("\nTop by own time:\n")
    stats.sort_stats("tottime").print_stats(args.top)
    print(run._shorten(out.getvalue()))


if __name__ == "__main__":
    main()
