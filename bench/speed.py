"""Side by side, in one run (issue 16's "Done when"): xborder against Semgrep CE on real code.

For the Django 5.2 sdist and saleor (bench/real/django.toml, saleor.toml: downloaded and checked
by bench/real.py's cache) each tool scans a copy of the tree with its default file selection
(tests, fixtures and migrations left out by both):

  xborder cold      `xborder scan --format json --cache-dir <fresh> --jobs J`
  xborder warm      the same with the same cache, nothing changed
  xborder changed   the same after appending a harmless function to one module
  semgrep           Semgrep CE (`semgrep scan --config <rule> --jobs J`), a small in-function taint
                    rule: source an attribute `.email` / `.phone`, sink `requests.post(...)`

Cold xborder and Semgrep runs are interleaved (semgrep, xborder, semgrep, then xborder warm and
changed, for each of --rounds), each round with a fresh xborder cache. Per run: wall seconds, the main process's own peak RSS
(VmHWM, sampled from /proc) and the peak summed RSS and PSS of its process tree. Then synthetic
projects of 1,000 and 5,000 modules (bench/synth.py) for the growth ratio of a cold scan.

Semgrep is not a dependency of xborder: install it in a venv of its own and pass its path.

    python -m venv /tmp/semgrep-venv && /tmp/semgrep-venv/bin/pip install semgrep
    python bench/speed.py --semgrep /tmp/semgrep-venv/bin/semgrep
    python bench/speed.py --apps saleor --sizes --rounds 1     # one app, no synthetic projects
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import real  # noqa: E402
import run  # noqa: E402
import synth  # noqa: E402

# The module each app gets a function appended to for the one-file change: an ordinary module
# that many others import (a leaf would flatter an incremental analysis).
EDITED = {"django": "django/utils/text.py", "saleor": "saleor/core/utils/__init__.py"}

RULE = """\
rules:
  - id: personal-data-to-requests-post
    mode: taint
    languages: [python]
    severity: WARNING
    message: personal data (an e-mail or phone attribute) sent with requests.post
    pattern-sources:
      - pattern: $X.email
      - pattern: $X.phone
    pattern-sinks:
      - pattern: requests.post(...)
"""


def copy_app(name: str, workdir: Path) -> Path:
    """A private copy of the app's pinned sdist (real.py downloads and checks it once), so that the
    one-file change never touches the shared download; the folder to scan (both apps' home is CN,
    as run.run_scan passes)."""
    app = real.load(real.LABELS / f"{name}.toml")
    top = real.fetch(app)
    copy = workdir / name
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(top, copy, symlinks=True)
    return (copy / app.meta.get("scan", ".")).resolve()


def xborder(root: Path, cache: Path, jobs: int, out: Path) -> dict:
    r = run.run_scan(root, cache, jobs, out)
    doc = r.pop("doc")
    return {**r, "findings": len(doc["findings"]), "files": doc["stats"]["files"], "errors": len(doc["errors"])}


def semgrep(binary: str, root: Path, rule: Path, jobs: int, out: Path) -> dict:
    """One Semgrep CE run from the scanned folder (so its default ignores apply as a user gets them)."""
    cmd = [binary, "scan", "--config", str(rule), "--json", "--metrics=off", "--disable-version-check",
           "--jobs", str(jobs), "--quiet", "."]
    r = run.measured(cmd, dict(os.environ), out, cwd=root)
    try:
        doc = json.loads(out.read_text())
    except ValueError:
        return {**r, "failed": out.with_suffix(".err").read_text()[-1000:]}
    return {**r, "findings": len(doc["results"]), "files": len(doc.get("paths", {}).get("scanned", [])),
            "errors": len(doc.get("errors", []))}


def edit(path: Path, generation: int) -> None:
    """A harmless change at the end of a module: no line above it moves."""
    with open(path, "a") as f:
        f.write(f"\n\ndef speed_bench_edit_{generation}(values, factor=3):\n"
                f"    return [value * factor + {generation} for value in values]\n")


def measure(root: Path, edited: Path, args, work: Path, rule: Path | None) -> dict:
    """Every run of one project, interleaved: per round semgrep, cold, semgrep, warm, changed."""
    runs: dict = {"cold": [], "semgrep": [], "warm": [], "changed": []}
    work.mkdir(parents=True, exist_ok=True)
    for i in range(1, args.rounds + 1):
        cache = work / f"cache-{i}"
        shutil.rmtree(cache, ignore_errors=True)
        for step in ("before", "cold", "after"):  # semgrep on both sides of each cold xborder run
            if step == "cold":
                runs["cold"].append(_say("xborder cold", xborder(root, cache, args.jobs, work / f"cold-{i}.json")))
            elif rule is not None:
                out = work / f"semgrep-{i}-{step}.json"
                runs["semgrep"].append(_say("semgrep", semgrep(args.semgrep, root, rule, args.jobs, out)))
        if args.cold_only:
            continue
        runs["warm"].append(_say("xborder warm", xborder(root, cache, args.jobs, work / f"warm-{i}.json")))
        edit(edited, i)
        changed = _say("xborder changed", xborder(root, cache, args.jobs, work / f"changed-{i}.json"))
        runs["changed"].append(changed)
        shutil.rmtree(cache, ignore_errors=True)
    return runs


def _say(what: str, r: dict) -> dict:
    if "failed" in r:
        print(f"    {what}: FAILED (exit {r['exit']}): {r['failed']}", flush=True)
    else:
        print(f"    {what:<16} {r['wall']:7.1f} s wall {r['cpu']:7.1f} s CPU  main {r['main_rss_mb']:6.0f} MB  "
              f"tree RSS {r['tree_rss_mb']:6.0f} MB PSS {r['tree_pss_mb']:6.0f} MB  {r['files']} files, "
              f"{r['findings']} findings; load {os.getloadavg()[0]:.1f}", flush=True)
    return r


def _walls(rs: list) -> str:
    ok = [r for r in rs if "failed" not in r]
    return " / ".join(f"{r['wall']:.1f} ({r['cpu']:.1f})" for r in ok) if ok else ("failed" if rs else "-")


def _peak(rs: list, key: str) -> str:
    ok = [r[key] for r in rs if "failed" not in r]
    return f"{max(ok):,.0f}" if ok else "-"


def table(results: dict) -> str:
    rows = ["| project | run | files | wall seconds (CPU seconds), per round | main process peak RSS MB | process tree peak RSS MB (PSS) | findings |",
            "|---|---|---:|---|---:|---:|---:|"]
    names = {"cold": "xborder cold", "warm": "xborder warm, nothing changed",
             "changed": "xborder warm, one file changed", "semgrep": "Semgrep CE, in-function taint rule"}
    for project, runs in results.items():
        for kind in ("cold", "semgrep", "warm", "changed"):
            rs = [r for r in runs.get(kind, []) if "failed" not in r]
            if not runs.get(kind):
                continue
            files = rs[0]["files"] if rs else "-"
            findings = rs[0]["findings"] if rs else "-"
            rows.append(f"| {project} | {names[kind]} | {files} | {_walls(runs[kind])} | {_peak(runs[kind], 'main_rss_mb')} | "
                        f"{_peak(runs[kind], 'tree_rss_mb')} ({_peak(runs[kind], 'tree_pss_mb')}) | {findings} |")
    return "\n".join(rows)


def verdicts(results: dict) -> list[str]:
    """Issue 16's targets, each against this run's figures (best round of each)."""
    def best(runs, kind):
        ok = [r["wall"] for r in runs.get(kind, []) if "failed" not in r]
        return min(ok) if ok else None
    lines = []
    for project, runs in results.items():
        cold, sg, changed = best(runs, "cold"), best(runs, "semgrep"), best(runs, "changed")
        if project.startswith("synthetic"):
            continue
        main = max((r["main_rss_mb"] for k in ("cold", "warm", "changed") for r in runs[k]), default=0)
        if sg:
            lines.append(f"{project}: xborder cold / Semgrep CE = {cold / sg:.2f}x (target <= 1.5x)")
        if changed is not None:
            lines.append(f"{project}: warm after a one-file change {changed:.1f} s (target < 2 s)")
        lines.append(f"{project}: main process peak RSS {main:,.0f} MB (target < 1,024 MB)")
    small, large = (best(results.get(f"synthetic {n}", {}), "cold") for n in (1000, 5000))
    if small and large:
        lines.append(f"synthetic: cold 5,000 / 1,000 modules = {large / small:.2f}x (target <= 5.5x)")
    return lines


def synthetic(n: int, args, work: Path) -> dict:
    info = synth.generate(work / f"n{n}", n, args.seed)
    root = Path(info["root"])
    print(f"synthetic {n} modules, {info['lines']:,} lines", flush=True)
    saved = args.semgrep
    args.semgrep = None
    try:
        return measure(root, root / info["leaf"], args, work / f"n{n}", None)
    finally:
        args.semgrep = saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", nargs="*", default=["django", "saleor"], help="apps of bench/real (default: django saleor)")
    parser.add_argument("--sizes", nargs="*", type=int, default=[1000, 5000], help="synthetic module counts (none: skip)")
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds per app (default 1)")
    parser.add_argument("--synthetic-rounds", type=int, default=1)
    parser.add_argument("--cold-only", action="store_true", help="no warm scans (the growth ratio needs cold ones only)")
    parser.add_argument("--jobs", "-j", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--semgrep", help="the semgrep executable (default: `semgrep` on PATH; none: skip it)")
    parser.add_argument("--workdir", type=Path, help="copies, caches and reports (default: a temporary folder, removed)")
    args = parser.parse_args()
    args.semgrep = args.semgrep or shutil.which("semgrep")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="xborder-speed-"))
    work.mkdir(parents=True, exist_ok=True)
    run.SNAPSHOT = run.take_snapshot(work)  # edits to the checkout during the run change nothing
    rule = work / "rule.yaml"
    rule.write_text(RULE)
    print(f"xborder vs Semgrep CE: jobs={args.jobs}, cores={os.cpu_count()}, semgrep={args.semgrep or 'not found: skipped'}, "
          f"load {os.getloadavg()[0]:.1f}, workdir {work}", flush=True)
    results: dict = {}
    for name in args.apps:
        root = copy_app(name, work / "trees")
        print(f"{name}: {root}", flush=True)
        results[name] = measure(root, root / EDITED[name], args, work / name, rule if args.semgrep else None)
    rounds, args.rounds = args.rounds, args.synthetic_rounds
    for n in args.sizes:
        results[f"synthetic {n}"] = synthetic(n, args, work)
    args.rounds = rounds
    print("\n" + table(results) + "\n")
    for line in verdicts(results):
        print(line)
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
