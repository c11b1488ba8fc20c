"""The sink catalog (issue 4): coverage counts, and every sink's own examples.

Each `[[sink]]` in `rules/sinks/*.toml` carries `examples = { report = ..., ignore = ... }`: two
complete small modules. `report` must produce a finding whose sink is this entry's callee when
scanned with `--home CN`; `ignore` (the look-alike: non-personal data, or a destination at home)
must produce none. Leading comment lines configure the scan of an example:
`# home: XX` scans it with `--home XX` instead (vendors whose only destination is in China:
Alipay, WeChat Pay, ...), and `# config: KEY = VALUE` lines become the project's `xborder.toml`
(`local-jurisdiction = "SG"`: the service runs abroad, so local files and SQLite are abroad).

Scanning ~300 tiny projects one by one is slow, so examples are batched: one project per
(rules file, report|ignore, home), one module per example, and findings are checked per module.
Examples of sinks that read a module-wide client (`client = "..."`: sentry_sdk.init, logging
handlers, datadog.initialize, ...) get a project of their own, since such a client is shared by
the whole program and would leak between examples.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from collections import defaultdict

import pytest

from xborder.knowledge import rules_dir
from xborder.knowledge.catalog import Catalog
from conftest import scan_json, write_project

MIN_SINKS = 150
MIN_LIBRARIES = 40
DIRECTIVE = re.compile(r"#\s*(home|config):\s*(.+?)\s*$")


def load_entries() -> list[dict]:
    """Every [[sink]] with the rules file it comes from (the loader checks the schema)."""
    Catalog.load(rules_dir())  # strict: a broken rules file fails here with the file and key
    entries = []
    for path in sorted((rules_dir() / "sinks").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for i, sink in enumerate(data.get("sink", [])):
            entries.append({**sink, "_file": path.stem, "_index": i})
    return entries


def library(callee: str) -> str:
    """The distribution a callee belongs to: its top-level package, or for namespace packages
    (google.cloud.*, google.generativeai, azure.*) the package inside the namespace."""
    parts = callee.split(".")
    if parts[0] == "google":
        return ".".join(parts[:3] if len(parts) > 3 and parts[1] == "cloud" else parts[:2])
    if parts[0] == "azure":
        return ".".join(parts[:3] if len(parts) > 3 and parts[1] == "storage" else parts[:2])
    return parts[0]


ENTRIES = load_entries()
IDS = [f"{e['_file']}:{e['callee']}" for e in ENTRIES]


def directives(example: str) -> tuple[str, str]:
    """(home, xborder.toml text) from the example's leading `# home:` / `# config:` lines."""
    home, config = "CN", []
    for line in example.lstrip().splitlines():
        m = DIRECTIVE.fullmatch(line.strip())
        if not m:
            break
        if m.group(1) == "home":
            home = m.group(2).upper()
        else:
            config.append(m.group(2))
    return home, "\n".join(config)


def test_counts():
    callees = [e["callee"] for e in ENTRIES]
    libraries = sorted({library(c) for c in callees})
    print(f"\n{len(callees)} sinks across {len(libraries)} libraries: {', '.join(libraries)}")
    assert len(set(callees)) == len(callees), sorted({c for c in callees if callees.count(c) > 1})
    assert len(callees) >= MIN_SINKS
    assert len(libraries) >= MIN_LIBRARIES


def test_every_sink_has_examples():
    missing = [f"{e['_file']}:{e['callee']} ({', '.join(k for k in ('report', 'ignore') if not e.get('examples', {}).get(k, '').strip())})"
               for e in ENTRIES if not all(e.get("examples", {}).get(k, "").strip() for k in ("report", "ignore"))]
    assert not missing, "sinks without a report and an ignore example: " + "; ".join(missing)


def test_every_sink_has_source():
    missing = [e["callee"] for e in ENTRIES if not e.get("source", "").strip()]
    assert not missing, missing


@pytest.fixture(scope="module")
def example_findings(tmp_path_factory):
    """(rules file, callee, report|ignore) -> callees of the findings in that example's module."""
    batches: dict = defaultdict(list)
    for e in ENTRIES:
        for which in ("report", "ignore"):
            text = e.get("examples", {}).get(which, "")
            if not text.strip():
                continue
            key = (e["_file"], which, *directives(text), f"own{e['_index']}" if e.get("client") else "")
            batches[key].append((e, which, text))
    results = {}
    root = tmp_path_factory.mktemp("sink_examples")
    for n, (key, items) in enumerate(sorted(batches.items())):
        project = root / f"p{n}_{key[0]}_{key[1]}"
        project.mkdir()
        if key[3]:
            (project / "xborder.toml").write_text(key[3] + "\n", encoding="utf-8")
        names = {}
        for e, which, text in items:
            name = f"ex{e['_index']:03d}_{which}.py"
            (project / name).write_text(text, encoding="utf-8")
            names[name] = (e["_file"], e["callee"], which)
        code, data, stderr = scan_json(project, "--home", key[2])
        assert data is not None, stderr
        assert not data["errors"], data["errors"]
        for name, ident in names.items():
            results[ident] = sorted({f["sink"]["callee"] for f in data["findings"] if f["sink"]["path"] == name})
    return results


LITERAL_CALLEES = {e["callee"] for e in ENTRIES if "*" not in e["callee"]}


def reported_by(entry, callees):
    """The findings' callees this rule accounts for: its own, or for a glob (stripe.*.create) the
    calls it matches that no literal rule covers."""
    pattern = entry["callee"]
    return [c for c in callees if c == pattern or ("*" in pattern and fnmatch.fnmatchcase(c, pattern)
                                                    and c not in LITERAL_CALLEES)]


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_report_example(entry, example_findings):
    found = example_findings.get((entry["_file"], entry["callee"], "report"))
    assert found is not None, "no report example"
    assert reported_by(entry, found), f"report example of {entry['callee']} gave findings only for {found}"


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_ignore_example(entry, example_findings):
    found = example_findings.get((entry["_file"], entry["callee"], "ignore"))
    assert found is not None, "no ignore example"
    assert not reported_by(entry, found), f"ignore example of {entry['callee']} was reported"


def test_a_library_constant_names_its_host(tmp_path):
    """A client model's `constants` map an SDK's region enum to its host: CustomerIO(region=Regions.EU)
    sends to the EU host, Regions.US and no region to the US one (whatever module the enum is
    imported from)."""
    write_project(tmp_path, {"app.py": '''from customerio import CustomerIO, Regions
from customerio.regions import Regions as R

EU = CustomerIO("site", "key", region=Regions.EU)
US = CustomerIO("site", "key", region=R.US)
DEFAULT = CustomerIO("site", "key")


def sync(user):
    EU.identify(id=user.pk, email=user.email)
    US.identify(id=user.pk, email=user.email)
    DEFAULT.identify(id=user.pk, email=user.email)
'''})
    code, data, err = scan_json(tmp_path, "--home", "CN")
    assert code == 1, err
    hosts = {(f["sink"]["line"], f["destination"]["host"]) for f in data["findings"] if f["category"] == "user.contact.email"}
    assert hosts == {(10, "track-eu.customer.io"), (11, "track.customer.io"), (12, "track.customer.io")}
