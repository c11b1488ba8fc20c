"""Accuracy on real applications nobody here wrote (issue 11).

Each `bench/real/<app>.toml` pins a source distribution from PyPI (version, URL, sha256) and holds
labels made by reading that application's code:

- `[[flow]]`: a true flow of personal data out of the process: the sink call (`path:line`, with
  `alt` lines of the same call), its category (`accept` lists other ids that also count) and where
  the data goes (`jurisdiction`, or "unknown" when the code does not fix it);
- `[[lookalike]]`: a call that must stay silent (no personal data, hashed data, a home destination);
- `[[verdict]]`: a judgement of one finding xborder reported that no label decides, named by
  sink, category and destination, so later runs reuse it. A verdict that judged the place may
  name it (`jurisdiction`): the same finding placed elsewhere by a later engine is not judged by it.

An app marked `stress = true` has no labels: it is a large real code base (Django itself) that
must be scanned to the end with a report; its line follows the table. Without `url`, the sdist is
fetched from the package index by name, never built (the sha256 is checked either way).

The script downloads each distribution into a cache (never into the repository), checks its sha256,
scans it with the xborder of this checkout (`python -m analyzer`, CLI and JSON as users run it)
and prints per application and in total:

- recall: labelled flows reported at their sink with their category;
- recall with the right jurisdiction;
- look-alikes silent: look-alike calls with no finding at all;
- findings judged true / false / not judged. A finding is true when it matches a labelled flow
  (sink, category and jurisdiction) or a `true` verdict; false at a look-alike, at a labelled
  sink with the wrong jurisdiction, or with a `false` verdict. Precision = true / all findings:
  a finding nobody judged counts as false.

    python bench/real.py                  # every app
    python bench/real.py misago saleor    # some
    python bench/real.py --show misses,unjudged,false misago
    python bench/real.py --json out.json  # the figures and every finding's judgement
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LABELS = REPO / "bench" / "real"
sys.path.insert(0, str(REPO))
from analyzer.generate import distribution  # noqa: E402  (the package index, as `models generate` reads it)
UNKNOWN = "unknown"


@dataclass
class App:
    name: str
    meta: dict
    flows: list
    lookalikes: list
    verdicts: list


@dataclass
class Score:
    app: str
    flows: int = 0
    found: int = 0
    found_right_place: int = 0
    lookalikes: int = 0
    silent: int = 0
    findings: int = 0
    true: int = 0
    false: int = 0
    unjudged: int = 0
    seconds: float = 0.0
    errors: int = 0
    misses: list = field(default_factory=list)
    judged: list = field(default_factory=list)  # (verdict, why, finding summary)


def load(path: Path) -> App:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return App(path.stem, data["app"], data.get("flow", []), data.get("lookalike", []), data.get("verdict", []))


def cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "xborder-bench"


def fetch(app: App) -> Path:
    """The extracted sdist's top folder, downloaded and checked once."""
    meta = app.meta
    folder = cache_dir() / f"{app.name}-{meta['version']}"
    done = folder / ".complete"
    if done.exists():
        return next(p for p in folder.iterdir() if p.is_dir())
    folder.mkdir(parents=True, exist_ok=True)
    archive = _download(meta, folder)
    check_sha256(archive, meta["sha256"], app.name)
    distribution.extract(archive, folder)
    done.write_text("")
    return next(p for p in folder.iterdir() if p.is_dir())


def check_sha256(archive: Path, expected: str, what: str) -> None:
    """Stop (the archive removed, so the next run fetches it again) unless it has the pinned sha256."""
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    if digest != expected:
        archive.unlink()
        raise SystemExit(f"{what}: sha256 mismatch for {archive.name}: {digest}, pinned {expected}")


def _download(meta: dict, folder: Path) -> Path:
    """The sdist archive: from `url`, or, without one, `package==version`'s from the package index
    (not with `pip download`, which runs a source archive's build backend)."""
    if "url" in meta:
        archive = folder / meta["url"].rsplit("/", 1)[1]
        return archive if archive.exists() else distribution.fetch_file(archive.name, meta["url"], None, folder)
    found = [p for p in folder.iterdir() if p.name.endswith((".tar.gz", ".zip"))]
    return found[0] if found else distribution.download(meta["package"], meta["version"], folder, sdist=True)


def scan(app: App, top: Path, jobs: int | None) -> tuple[dict, float]:
    target = (top / app.meta.get("scan", ".")).resolve()
    # The version 1 report (one finding per category): the labels and verdicts judge a finding by
    # (sink, category, destination), which is what a version 1 finding is; a version 2 finding
    # (`--format json`) carries all the categories of its sink call and would be judged as one.
    command = [sys.executable, "-m", "analyzer", "scan", str(target), "--home", app.meta.get("home", "CN"),
               "--format", "json-v1", "--no-cache"]
    if jobs:
        command += ["--jobs", str(jobs)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.monotonic()
    run = subprocess.run(command, capture_output=True, text=True, env=env, cwd=top)
    seconds = time.monotonic() - started
    if run.returncode not in (0, 1):
        raise SystemExit(f"{app.name}: xborder exited {run.returncode}: {run.stderr[-2000:]}")
    report = json.loads(run.stdout)
    # Paths in labels are relative to the sdist's top folder.
    prefix = target.relative_to(top.resolve()).as_posix()
    if prefix != ".":
        for f in report["findings"]:
            for part in (f["source"], f["sink"], *f["trace"]):
                part["path"] = f"{prefix}/{part['path']}"
    return report, seconds


def _where(label: str) -> tuple[str, int]:
    path, _, line = label.rpartition(":")
    return path, int(line)


def _category_ok(found: str, label: dict) -> bool:
    return any(found == c or found.startswith(c + ".") for c in [label["category"], *label.get("accept", [])])


def _place(finding: dict) -> str:
    return finding["destination"]["jurisdiction"] or UNKNOWN


def _place_ok(found: str, expected: str, groups: dict) -> bool:
    return found == expected or found in groups.get(expected, ())


def _lines(label: dict) -> tuple[str, set]:
    path, line = _where(label["sink"])
    return path, {line, *label.get("alt", [])}


def _summary(f: dict) -> str:
    d = f["destination"]
    return (f"{f['sink']['path']}:{f['sink']['line']} {f['rule']} {f['category']} via {f['sink']['callee']} "
            f"-> {d['host'] or d['region'] or '?'} ({_place(f)}); source {f['source']['path']}:{f['source']['line']} "
            f"{f['source']['expression']}")


def _verdict_key(path: str, line: int, category: str, place: str) -> tuple:
    return (path, line, category, place)


def score(app: App, report: dict, seconds: float, groups: dict) -> Score:
    s = Score(app.name, seconds=round(seconds, 1), errors=len(report["errors"]))
    findings = report["findings"]
    at: dict = {}
    for f in findings:
        at.setdefault((f["sink"]["path"], f["sink"]["line"]), []).append(f)

    for label in app.flows:
        s.flows += 1
        path, lines = _lines(label)
        candidates = [f for line in lines for f in at.get((path, line), []) if _category_ok(f["category"], label)]
        if candidates:
            s.found += 1
            if any(_place_ok(_place(f), label["jurisdiction"], groups) for f in candidates):
                s.found_right_place += 1
            else:
                s.misses.append(f"{label['id']}: wrong place ({', '.join(sorted({_place(f) for f in candidates}))} "
                                f"for {label['jurisdiction']}) at {label['sink']}")
        else:
            s.misses.append(f"{label['id']}: {label['category']} at {label['sink']} ({label['callee']}) not reported")

    for label in app.lookalikes:
        s.lookalikes += 1
        path, lines = _lines(label)
        if not any(at.get((path, line)) for line in lines):
            s.silent += 1

    verdicts: dict = {}  # key -> every verdict on it (one per place it names)
    for v in app.verdicts:
        path, line = _where(v["sink"])
        verdicts.setdefault(_verdict_key(path, line, v["category"], v["destination"]), []).append(v)
    for f in findings:
        s.findings += 1
        path, line = f["sink"]["path"], f["sink"]["line"]
        verdict = _judge(f, path, line, app, verdicts, groups)
        s.judged.append((*verdict, _summary(f)))
        if verdict[0] == "true":
            s.true += 1
        elif verdict[0] == "false":
            s.false += 1
        else:
            s.unjudged += 1
    return s


def _judge(f: dict, path: str, line: int, app: App, verdicts: dict, groups: dict) -> tuple[str, str]:
    place = _place(f)
    candidates = verdicts.get(_verdict_key(path, line, f["category"], f["destination"]["host"] or place), []) \
        + verdicts.get(_verdict_key(path, line, f["category"], place), [])
    explicit = next((v for v in candidates if v.get("jurisdiction", place) == place), None)
    if explicit:
        return (explicit["verdict"], explicit.get("reason", ""))
    for label in app.flows:
        label_path, lines = _lines(label)
        if label_path == path and line in lines and _category_ok(f["category"], label):
            if _place_ok(place, label["jurisdiction"], groups):
                return ("true", f"flow {label['id']}")
            return ("false", f"flow {label['id']} goes to {label['jurisdiction']}, not {place}")
    for label in app.lookalikes:
        label_path, lines = _lines(label)
        if label_path == path and line in lines:
            return ("false", f"look-alike {label['id']}: {label['reason']}")
    return ("unjudged", "")


def _groups() -> dict:
    """Jurisdiction groups (EU -> its members), so a label "EU" accepts a finding placed in DE."""
    sys.path.insert(0, str(REPO))
    from analyzer.knowledge import rules_dir
    from analyzer.knowledge.jurisdictions import Jurisdictions

    j = Jurisdictions.from_dir(rules_dir())
    return {g: j.members(g) for g in ("EU", "EEA")}


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.2f}" if b else "-"


def table(scores: list[Score]) -> str:
    total = Score("total")
    for s in scores:
        for name in ("flows", "found", "found_right_place", "lookalikes", "silent", "findings", "true", "false", "unjudged", "errors"):
            setattr(total, name, getattr(total, name) + getattr(s, name))
        total.seconds = round(total.seconds + s.seconds, 1)
    rows = ["| app | flows | recall | right jurisdiction | look-alikes silent | findings | true / false / unjudged | precision | scan |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for s in [*scores, total]:
        name = f"**{s.app}**" if s is total else s.app
        rows.append(f"| {name} | {s.flows} | {_ratio(s.found, s.flows)} | {_ratio(s.found_right_place, s.flows)} | "
                    f"{_ratio(s.silent, s.lookalikes)} ({s.silent}/{s.lookalikes}) | {s.findings} | "
                    f"{s.true} / {s.false} / {s.unjudged} | {_ratio(s.true, s.findings)} | {s.seconds:.1f} s |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("apps", nargs="*", help="app names (files in bench/real/); default: all")
    parser.add_argument("--show", default="", help="comma-separated: misses, unjudged, false, true")
    parser.add_argument("--json", metavar="FILE", help="write the figures and every judgement as JSON")
    parser.add_argument("--jobs", type=int)
    args = parser.parse_args()
    paths = sorted(LABELS.glob("*.toml"))
    if args.apps:
        paths = [LABELS / f"{name}.toml" for name in args.apps]
    groups = _groups()
    show = {s for s in args.show.split(",") if s}
    scores, stress = [], []
    for path in paths:
        app = load(path)
        top = fetch(app)
        report, seconds = scan(app, top, args.jobs)
        if app.meta.get("stress"):  # no labels: it must finish with a report
            stress.append(f"{app.name} {app.meta['version']}: a report with {len(report['findings'])} findings and "
                          f"{len(report['errors'])} errors, {seconds:.1f} s")
            print(f"{app.name}: stress case, {stress[-1]}", file=sys.stderr)
            continue
        s = score(app, report, seconds, groups)
        scores.append(s)
        print(f"{app.name}: {s.found}/{s.flows} flows, {s.silent}/{s.lookalikes} look-alikes silent, "
              f"{s.findings} findings ({s.true} true, {s.false} false, {s.unjudged} unjudged), {s.seconds} s", file=sys.stderr)
        if "misses" in show:
            for m in s.misses:
                print(f"  miss  {m}")
        for verdict, why, summary in s.judged:
            if verdict in show:
                print(f"  {verdict:<8} {summary}" + (f"  [{why}]" if why else ""))
    print(table(scores))
    for line in stress:
        print(f"stress case: {line}")
    if args.json:
        Path(args.json).write_text(json.dumps([s.__dict__ for s in scores], indent=1) + "\n")


if __name__ == "__main__":
    main()
