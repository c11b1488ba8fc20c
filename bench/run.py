"""The scan benchmark of issue 3: cold, warm, memory and the libcst parse floor, per project size.

For each N it generates a synthetic project (bench/synth.py), then measures

  cold   `xborder scan --format json --cache-dir <fresh>` as a subprocess (wall time)
  warm   the same with the same cache after one leaf module was edited
  memory peak of the scan's process tree: summed PSS of the main process and its workers
         (sampled from /proc every 50 ms) and the largest single-process max RSS (wait4)
  floor  read + `libcst.parse_module` of the same files in a multiprocessing Pool of --jobs
         processes (pool start-up not counted)

checks every planted flow against the JSON findings, and finally profiles an in-process cold
scan (jobs=1, no cache) of a smaller project with cProfile.

    python bench/run.py                      # N = 200 1000 5000, jobs = cores
    python bench/run.py 200 1000 --jobs 2 --profile-modules 300
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import multiprocessing
import os
import pickle
import pstats
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth  # noqa: E402

TARGET_COLD_RATIO = 2.5
TARGET_WARM_SECONDS = 1.0
TARGET_WARM_AT = 1000
TARGET_MEMORY_MB = 2048
TARGET_MEMORY_AT = 5000


# ----------------------------------------------------------------------------- process-tree memory


def _children_map() -> dict:
    children: dict = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(b")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def _tree(pid: int) -> list[int]:
    children = _children_map()
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        out.append(p)
        stack.extend(children.get(p, []))
    return out


def _memory_kb(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of one process in kB; PSS splits pages shared with forked workers fairly."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1])
    except OSError:
        try:
            with open(f"/proc/{pid}/statm") as f:
                rss = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
                pss = rss
        except OSError:
            pass
    return pss, rss


def _hwm_kb(pid: int) -> int:
    """The peak resident set of one process (VmHWM) in kB, 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    """Peak summed PSS (and RSS) over a process and all its descendants."""

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_pss = self.peak_rss = 0
        self.peak_procs = 0
        self.main_hwm = 0  # kB: the main process's own peak RSS (VmHWM), last read before it exits
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.main_hwm = max(self.main_hwm, _hwm_kb(self.pid))
            pids = _tree(self.pid)
            total_pss = total_rss = 0
            for p in pids:
                pss, rss = _memory_kb(p)
                total_pss += pss
                total_rss += rss
            self.peak_pss = max(self.peak_pss, total_pss)
            self.peak_rss = max(self.peak_rss, total_rss)
            self.peak_procs = max(self.peak_procs, len(pids))
            self.done.wait(self.interval)


REPO = Path(__file__).resolve().parent.parent
SNAPSHOT: Path | None = None  # a frozen copy of analyzer/ + rules/ (see --live)


def take_snapshot(workdir: Path) -> Path:
    """Copy analyzer/ and rules/ (as the packaged analyzer/rules) so edits made in the working tree
    during a long run (a rules file changing invalidates every cache entry) cannot skew it."""
    snap = workdir / "snapshot"
    shutil.rmtree(snap, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "analyzer", snap / "analyzer", ignore=ignore)
    shutil.copytree(REPO / "rules", snap / "analyzer" / "rules", ignore=ignore)
    return snap


def scan_command() -> tuple[list, dict]:
    env = dict(os.environ)
    if SNAPSHOT is None:
        return [shutil.which("xborder") or "xborder"], env
    env["PYTHONPATH"] = os.pathsep.join([str(SNAPSHOT), *filter(None, [env.get("PYTHONPATH")])])
    return [sys.executable, "-c", "import sys; from analyzer.__main__ import run; sys.argv[0] = 'xborder'; run()"], env


def count_entries(cache: Path) -> int:
    return sum(1 for _ in cache.rglob("*.pkl")) if cache.is_dir() else 0


def run_scan(root: Path, cache: Path, jobs: int, out: Path) -> dict:
    """One `xborder scan` subprocess: wall and CPU time, memory, parsed JSON."""
    prefix, env = scan_command()
    # json-v1: the planted flows are checked per (sink, category), a version 1 finding.
    cmd = [*prefix, "scan", str(root), "--home", "CN", "--format", "json-v1",
           "--cache-dir", str(cache), "--jobs", str(jobs)]
    before = count_entries(cache)
    run = measured(cmd, env, out)
    try:
        doc = json.loads(out.read_text())
    except ValueError:
        sys.exit(f"xborder scan failed (exit {run['exit']}); see {out.with_suffix('.err')}:\n"
                 + out.with_suffix(".err").read_text()[-2000:])
    return {**run, "new_entries": count_entries(cache) - before, "doc": doc}


def measured(cmd: list, env: dict, out: Path, cwd: Path | None = None) -> dict:
    """Run one command (stdout to `out`, stderr beside it): wall and CPU seconds, exit code, the
    largest single-process max RSS (wait4), the main process's own peak RSS, and the peak summed
    PSS and RSS of its process tree."""
    here = os.getcwd()
    with open(out, "wb") as stdout, open(out.with_suffix(".err"), "wb") as stderr:
        if cwd is not None:
            os.chdir(cwd)
        try:
            started = time.perf_counter()
            pid = os.posix_spawn(cmd[0], cmd, env, file_actions=[
                (os.POSIX_SPAWN_DUP2, stdout.fileno(), 1), (os.POSIX_SPAWN_DUP2, stderr.fileno(), 2)])
        finally:
            os.chdir(here)
        sampler = TreeSampler(pid)
        sampler.start()
        _, status, usage = os.wait4(pid, 0)  # ru_maxrss: max over the process and its reaped workers
        wall = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "exit": os.waitstatus_to_exitcode(status),
            "max_rss_mb": usage.ru_maxrss / 1024, "main_rss_mb": sampler.main_hwm / 1024,
            "tree_pss_mb": sampler.peak_pss / 1024, "tree_rss_mb": sampler.peak_rss / 1024, "procs": sampler.peak_procs}


# ----------------------------------------------------------------------------- parse floor


def _noop(_):
    return os.getpid()


def _parse(path: str) -> float:
    import libcst

    started = time.process_time()
    with open(path, "rb") as f:
        data = f.read()
    libcst.parse_module(data)
    return time.process_time() - started


def parse_floor(files: list[str], jobs: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds summed over workers) to read and parse every file."""
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(jobs) as pool:
        pool.map(_noop, range(jobs * 4))
        pool.map(_parse, files[:jobs])  # libcst imported in the workers before the clock starts
        started = time.perf_counter()
        cpu = sum(pool.imap_unordered(_parse, files, chunksize=4))
        return time.perf_counter() - started, cpu


# ----------------------------------------------------------------------------- flows


def check_flows(manifest: dict, doc: dict) -> dict:
    found = {(f["sink"]["path"], f["sink"]["line"], f["category"]): f for f in doc["findings"]}
    at_line: dict = {}
    for (path, line, category), f in found.items():
        at_line.setdefault((path, line), []).append(category)
    planted = {(p["sink_path"], p["sink_line"], p["category"]) for p in manifest["flows"] if p["expect"] == "report"}
    missed, wrong_j, false_hits, by_shape = [], [], [], {}
    for p in manifest["flows"]:
        key = (p["sink_path"], p["sink_line"], p["category"])
        shape = by_shape.setdefault((p["shape"], p["expect"]), [0, 0])
        shape[1] += 1
        if p["expect"] == "report":
            f = found.get(key)
            if f is None:
                missed.append(p)
                continue
            shape[0] += 1
            if f["destination"]["jurisdiction"] != p["jurisdiction"]:
                wrong_j.append((p, f["destination"]["jurisdiction"]))
        else:
            cats = at_line.get((p["sink_path"], p["sink_line"]), [])
            hits = cats if p["category"] == "*" else [c for c in cats if c == p["category"]]
            if hits:
                false_hits.append((p, hits))
            else:
                shape[0] += 1
    extra = [f for k, f in found.items() if k not in planted]
    return {"planted": len(planted), "found": len(planted) - len(missed), "missed": missed, "wrong_jurisdiction": wrong_j,
            "silent": sum(1 for p in manifest["flows"] if p["expect"] == "silent"), "false_hits": false_hits,
            "extra": extra, "by_shape": by_shape}


# ----------------------------------------------------------------------------- profile


def profile(workdir: Path, modules: int, seed: int, top: int = 15) -> str:
    info = synth.generate(workdir / f"profile-{modules}", modules, seed)
    if SNAPSHOT is not None:
        sys.path.insert(0, str(SNAPSHOT))
    from analyzer import runner
    from analyzer.pipeline import Options, scan

    # The runner summarizes in worker processes, which cProfile does not see: for the profile, run
    # the same per-file work (runner._summarize: summarize + pickle) in this process instead.
    def serial(self, todo):
        for i, item in todo:
            body = runner._summarize(self.ctx, item)
            yield i, pickle.loads(body), body

    patched = hasattr(runner, "_summarize") and hasattr(runner.Runner, "_run")
    if patched:
        runner.Runner._run = serial
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    scan(Options(paths=(info["root"],), home=("CN",), use_cache=False, jobs=1))
    profiler.disable()
    wall = time.perf_counter() - started
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    out.write(f"cProfile of an in-process cold scan, jobs=1, no cache: {info['modules']} modules, "
              f"{info['lines'] / 1000:.0f} kLOC, {wall:.1f} s under the profiler"
              f"{' (worker-side summarizing run in-process)' if patched else ' (worker processes not profiled)'}\n")
    stats.sort_stats("cumulative").print_stats(top)
    out.write("\nTop by own time:\n")
    stats.sort_stats("tottime").print_stats(top)
    out.write("\nCall tree from scan() (edges over 2% of the total, cumulative seconds; below a function with\n"
              "several callers, such as Runner.summaries, the figures are that function's totals):\n")
    _tree_report(stats, out, wall)
    return _shorten(out.getvalue())


def _tree_report(stats: pstats.Stats, out, total: float) -> None:
    raw = stats.stats  # func -> (cc, nc, tt, ct, callers{caller: (cc, nc, tt, ct)})
    callees: dict = {}
    for func, (_, _, _, _, callers) in raw.items():
        for caller, edge in callers.items():
            callees.setdefault(caller, []).append((edge[3], func))
    roots = [f for f in raw if f[2] == "scan" and f[0].endswith(os.path.join("analyzer", "scan.py"))]

    def walk(func, depth, seen):
        for ct, child in sorted(callees.get(func, []), reverse=True):
            if ct < 0.02 * total or child in seen:
                continue
            out.write(f"{'  ' * depth}{ct:8.2f}  {_name(child)}\n")
            if depth < 4:
                walk(child, depth + 1, seen | {child})

    for root in roots:
        out.write(f"{raw[root][3]:8.2f}  {_name(root)}\n")
        walk(root, 1, {root})


def _name(func) -> str:
    path, line, name = func
    if path == "~":
        return name
    return f"{_short(path)}:{line}({name})"


def _short(path: str) -> str:
    for marker in ("/analyzer/", "/libcst/", "/networkx/"):
        if marker in path:
            return marker.strip("/") + "/" + path.split(marker, 1)[1]
    return os.path.basename(path)


def _shorten(text: str) -> str:
    import re

    for base in filter(None, [SNAPSHOT, REPO]):
        text = text.replace(str(base) + "/", "")
    return re.sub(r"\S*/(site-packages|lib/python3\.\d+)/", "", text)


# ----------------------------------------------------------------------------- main


def edit_leaf(path: Path, generation: int) -> None:
    """One realistic edit at the end of a leaf module: planted sink lines elsewhere do not move."""
    with open(path, "a") as f:
        f.write(f"\n\ndef edited_helper_{generation}(values, factor=3):\n"
                f"    return [value * factor + {generation} for value in values]\n")


def fmt_mb(mb: float) -> str:
    return f"{mb:,.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description="xborder scan benchmark (issue 3)")
    parser.add_argument("sizes", nargs="*", type=int, default=[200, 1000, 5000], help="module counts")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, help="where projects and caches go (default: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--profile-modules", type=int, default=200, help="project size for the cProfile run (0: skip)")
    parser.add_argument("--live", action="store_true",
                        help="run the installed xborder on the live tree instead of a snapshot of analyzer/ and rules/ taken at start")
    args = parser.parse_args()

    global SNAPSHOT
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="xborder-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    if not args.live:
        SNAPSHOT = take_snapshot(workdir)
    print(f"xborder benchmark: jobs={args.jobs}, seed={args.seed}, cores={os.cpu_count()}, workdir={workdir}, "
          f"analyzer: {'live tree' if args.live else 'snapshot ' + str(SNAPSHOT)}")
    print(f"load average at start: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}\n", flush=True)

    rows, checks = [], []
    for n in args.sizes:
        base = workdir / f"n{n}"
        t0 = time.perf_counter()
        info = synth.generate(base, n, args.seed)
        gen = time.perf_counter() - t0
        root = Path(info["root"])
        files = sorted(str(p) for p in root.rglob("*.py"))
        print(f"N={n}: generated {info['modules']} modules, {info['lines']:,} lines in {gen:.1f} s; "
              f"load {os.getloadavg()[0]:.2f}", flush=True)

        cache = base / "cache"
        shutil.rmtree(cache, ignore_errors=True)
        cold = run_scan(root, cache, args.jobs, base / "cold.json")
        print(f"  cold scan   {cold['wall']:7.1f} s wall, {cold['cpu']:7.1f} s CPU  (xborder's own timer "
              f"{cold['doc']['stats']['seconds']} s; {cold['new_entries']} cache entries written)", flush=True)

        for attempt in range(1, 4):
            edit_leaf(root / info["leaf"], attempt)
            warm = run_scan(root, cache, args.jobs, base / "warm.json")
            print(f"  warm scan   {warm['wall']:7.1f} s wall, {warm['cpu']:7.1f} s CPU  after editing {info['leaf']}; "
                  f"{warm['new_entries']} files re-summarized", flush=True)
            if warm["new_entries"] <= 2:
                break
            print("  (more than the edited file was re-summarized: the rules changed under the cache; measuring again)")

        floor, floor_cpu = parse_floor(files, args.jobs)
        print(f"  parse floor {floor:7.1f} s wall, {floor_cpu:7.1f} s CPU  (libcst.parse_module, {args.jobs} processes)",
              flush=True)

        check = check_flows(info, cold["doc"])
        warm_check = check_flows(info, warm["doc"])
        checks.append((n, check, warm_check, cold["doc"]))
        rows.append({"n": info["modules"], "kloc": info["lines"] / 1000, "cold": cold["wall"], "warm": warm["wall"],
                     "floor": floor, "cold_cpu": cold["cpu"], "warm_cpu": warm["cpu"], "floor_cpu": floor_cpu,
                     "load": os.getloadavg()[0], "resummarized": warm["new_entries"], "pss": max(cold["tree_pss_mb"], warm["tree_pss_mb"]),
                     "rss": max(cold["max_rss_mb"], warm["max_rss_mb"]), "procs": cold["procs"],
                     "found": f"{check['found']}/{check['planted']}",
                     "warm_found": f"{warm_check['found']}/{warm_check['planted']}",
                     "silent": f"{check['silent'] - len(check['false_hits'])}/{check['silent']}",
                     "extra": len(check["extra"]), "errors": len(cold["doc"]["errors"])})
        if not args.keep:
            shutil.rmtree(cache, ignore_errors=True)

    print("\n" + "=" * 132)
    print(f"{'':14}{'---------- wall seconds ----------':>41}  {'------- CPU seconds -------':>31}  {'--- memory MB ---':>17}")
    header = (f"{'modules':>7} {'kLOC':>5} {'cold':>8} {'warm':>7} {'floor':>7} {'cold/floor':>10} {'load':>5}  "
              f"{'cold':>7} {'warm':>6} {'floor':>6} {'cold/floor':>10}  {'tree PSS':>8} {'max RSS':>8}  "
              f"{'planted':>7} {'warm':>5} {'quiet':>5} {'extra':>5}")
    print(header)
    for r in rows:
        print(f"{r['n']:>7} {r['kloc']:>5.0f} {r['cold']:>8.1f} {r['warm']:>7.2f} {r['floor']:>7.1f} "
              f"{r['cold'] / r['floor']:>9.1f}x {r['load']:>5.1f}  {r['cold_cpu']:>7.1f} {r['warm_cpu']:>6.1f} "
              f"{r['floor_cpu']:>6.1f} {r['cold_cpu'] / r['floor_cpu']:>9.1f}x  {fmt_mb(r['pss']):>8} {fmt_mb(r['rss']):>8}  "
              f"{r['found']:>7} {r['warm_found']:>5} {r['silent']:>5} {r['extra']:>5}")
    print("=" * 132)
    print("planted = planted flows found by the cold scan, warm = by the warm scan, quiet = look-alikes (home\n"
          "destination, hashed value, non-personal payload) correctly not reported, extra = findings nobody planted;\n"
          "tree PSS = peak summed PSS of the scan process and its workers, max RSS = largest single process (wait4);\n"
          "load = 1-minute load average after the row (other work on the machine inflates wall times, not CPU).")

    print("\nTargets:")
    for r in rows:
        ok = r["cold"] <= TARGET_COLD_RATIO * r["floor"]
        print(f"  N={r['n']}: cold within {TARGET_COLD_RATIO}x floor: {'yes' if ok else 'NO'} "
              f"({r['cold'] / r['floor']:.1f}x wall, {r['cold_cpu'] / r['floor_cpu']:.1f}x CPU)")
    for r in rows:
        if r["n"] == TARGET_WARM_AT:
            print(f"  N={r['n']}: warm scan under {TARGET_WARM_SECONDS:.0f} s: {'yes' if r['warm'] < TARGET_WARM_SECONDS else 'NO'} "
                  f"({r['warm']:.2f} s wall, {r['warm_cpu']:.2f} s CPU, {r['resummarized']} files re-summarized)")
        if r["n"] == TARGET_MEMORY_AT:
            print(f"  N={r['n']}: peak memory under {TARGET_MEMORY_MB} MB: {'yes' if r['pss'] < TARGET_MEMORY_MB else 'NO'} ({r['pss']:.0f} MB)")

    all_found = all(c["found"] == c["planted"] and w["found"] == w["planted"] for _, c, w, _ in checks)
    print(f"\nEvery planted flow found: {'YES' if all_found else 'NO'}")
    for n, c, w, doc in checks:
        shapes = ", ".join(f"{s}{'' if e == 'report' else ' (quiet)'} {k}/{t}" for (s, e), (k, t) in sorted(c["by_shape"].items()))
        print(f"  N={n}: {shapes}")
        for p in c["missed"][:10]:
            print(f"    MISSED {p['shape']}: {p['sink_path']}:{p['sink_line']} {p['category']} -> {p['jurisdiction']}")
        if len(c["missed"]) > 10:
            print(f"    ... {len(c['missed']) - 10} more missed")
        for p, j in c["wrong_jurisdiction"][:5]:
            print(f"    WRONG JURISDICTION {p['shape']}: {p['sink_path']}:{p['sink_line']} expected {p['jurisdiction']}, got {j}")
        for p, cats in c["false_hits"][:5]:
            print(f"    LOOK-ALIKE REPORTED {p['shape']}: {p['sink_path']}:{p['sink_line']} {', '.join(cats)}")
        for f in c["extra"][:5]:
            print(f"    EXTRA {f['rule']} {f['sink']['path']}:{f['sink']['line']} {f['category']} -> {f['destination']['jurisdiction']}")
        if doc["errors"]:
            print(f"    {len(doc['errors'])} file errors, first: {doc['errors'][0]}")

    if args.profile_modules:
        print(f"\nWhere the time goes (cold scan; profiled at N={args.profile_modules}, jobs=1):", flush=True)
        print(profile(workdir, args.profile_modules, args.seed))
    if not args.workdir and not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
