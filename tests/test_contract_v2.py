"""Contract v2: one finding per (sink call, destination, rule) with all its categories, the most
sensitive first; version 1 still available (`--format json-v1`); baselines of both versions."""

from __future__ import annotations

import json

from conftest import FIXTURES, run_cli, scan_json, write_project
from xborder.knowledge.schema import check

# One call, two non-sensitive categories abroad (XB101), one sensitive one (XB102).
CALL = '''import requests


def sync(user):
    requests.post("https://api.mixpanel.com/track",
                  json={"phone": user.phone, "email": user.email, "passport": user.passport_number})
'''
# A destination nobody can place: one XB201 finding mixing a sensitive category and others.
UNKNOWN = '''import os
import requests


def sync(user):
    requests.post(os.environ["HOOK"], json={"email": user.email, "passport": user.passport_number})
'''


def _v2(*args):
    code, data, stderr = scan_json(*args, fmt="json")
    assert data is not None, stderr
    check(data, "report-v2.schema.json", "the version 2 report")
    return code, data


def test_the_shop_has_six_findings_carrying_its_eight_flows():
    code, v2 = _v2(FIXTURES / "shop")
    _, v1, _ = scan_json(FIXTURES / "shop")
    check(v1, "report.schema.json", "the version 1 report")
    assert (code, v2["version"], v1["version"]) == (1, 2, 1)
    assert len(v2["findings"]) == 6 and len(v1["findings"]) == 8
    assert all("categories" not in f for f in v1["findings"])
    by_call = {(f["sink"]["path"], f["sink"]["line"], f["rule"]): [c["category"] for c in f["categories"]] for f in v2["findings"]}
    assert by_call[("shop/monitoring.py", 9, "XB101")] == ["user.contact.email", "user.unique_id"]
    assert by_call[("shop/storage.py", 18, "XB101")] == ["user.name", "user.unique_id"]
    assert by_call[("shop/storage.py", 18, "XB102")] == ["user.government_id.cn_resident_id"]
    # Every version 1 finding is one category of one version 2 finding, with its source and trace.
    carried = {c["fingerprint_v1"]: (f["rule"], f["sink"], c["category"], c["source"], c["trace"])
               for f in v2["findings"] for c in f["categories"]}
    assert carried == {f["fingerprint"]: (f["rule"], f["sink"], f["category"], f["source"], f["trace"]) for f in v1["findings"]}
    for f in v2["findings"]:  # the top level repeats the first category, for readers of one
        first = f["categories"][0]
        assert (f["category"], f["source"], f["trace"]) == (first["category"], first["source"], first["trace"])
    assert len({f["fingerprint"] for f in v2["findings"]}) == 6
    assert not {f["fingerprint"] for f in v2["findings"]} & set(carried)


def test_sensitive_categories_first_and_a_rule_of_their_own(tmp_path):
    project = write_project(tmp_path / "p", {"app.py": CALL})
    _, data = _v2(project, "--home", "CN")
    assert [(f["rule"], [c["category"] for c in f["categories"]]) for f in data["findings"]] == [
        ("XB101", ["user.contact.email", "user.contact.phone_number"]),
        ("XB102", ["user.government_id.passport"])]
    assert data["findings"][0]["message"] == (
        "user.contact.email, user.contact.phone_number leave CN for US via requests.post to api.mixpanel.com")

    unknown = write_project(tmp_path / "u", {"app.py": UNKNOWN})
    _, data = _v2(unknown, "--home", "CN")
    (finding,) = data["findings"]  # the sensitive category first, though its id sorts after
    assert [c["category"] for c in finding["categories"]] == ["user.government_id.passport", "user.contact.email"]
    assert finding["category"] == "user.government_id.passport"
    assert finding["message"].startswith("user.government_id.passport, user.contact.email reach requests.post")


def test_one_category_keeps_the_singular_message(tmp_path):
    project = write_project(tmp_path / "p", {"app.py": CALL.replace(', "email": user.email, "passport": user.passport_number', "")})
    _, data = _v2(project, "--home", "CN")
    (finding,) = data["findings"]
    _, v1, _ = scan_json(project, "--home", "CN")
    assert finding["message"] == v1["findings"][0]["message"] == (
        "user.contact.phone_number leaves CN for US via requests.post to api.mixpanel.com")


def test_the_fingerprint_ignores_lines_and_tells_two_calls_apart(tmp_path):
    project = write_project(tmp_path / "p", {"app.py": CALL})
    _, before = _v2(project, "--home", "CN")
    write_project(project, {"app.py": "\n\n# moved\n" + CALL})
    _, after = _v2(project, "--home", "CN")
    assert [f["fingerprint"] for f in before["findings"]] == [f["fingerprint"] for f in after["findings"]]
    assert before["findings"][0]["sink"]["line"] != after["findings"][0]["sink"]["line"]
    # The same call twice in one function: two findings, two fingerprints.
    twice = CALL + CALL.split("def sync(user):\n", 1)[1]
    write_project(project, {"app.py": twice})
    _, data = _v2(project, "--home", "CN")
    prints = [f["fingerprint"] for f in data["findings"] if f["rule"] == "XB101"]
    assert len(prints) == 2 and len(set(prints)) == 2 and prints[0] == before["findings"][0]["fingerprint"]


def test_the_text_headline_names_every_category(tmp_path, monkeypatch):
    project = write_project(tmp_path / "p", {"app.py": CALL})
    monkeypatch.chdir(project)
    out = run_cli("scan", "--no-cache", "--home", "CN", ".").stdout.splitlines()
    assert out[0] == "app.py:5:5: XB101 [error] email, phone_number leave CN for US via requests.post to api.mixpanel.com"
    # The trace of each category, in the finding's order; its source hop names the category.
    traces = [line for line in out[:out.index("")] if line.startswith("  trace:")]
    assert [line for line in traces if "source:" in line] == [
        "  trace: app.py:6 source: user.email (user.contact.email)",
        "  trace: app.py:6 source: user.phone (user.contact.phone_number)"]
    assert "app.py:5:5: XB102 [error] sensitive personal data (passport) leaves CN for US via requests.post to api.mixpanel.com" in out
    assert out[-1].startswith("Scanned 1 files (0 with errors); 2 findings (2 error)")
    concise = run_cli("scan", "--no-cache", "--home", "CN", "--no-trace", ".").stdout.splitlines()
    assert [line for line in concise if line.startswith("app.py")] == [out[0], out[out.index("") + 1]]


def _old_baseline(project, path, keep=lambda f: True) -> None:
    """A baseline as version 1 of `xborder baseline` wrote it: one entry per category."""
    _, v1, _ = scan_json(project, "--home", "CN")
    entries = [{"fingerprint": f["fingerprint"], "rule": f["rule"], "severity": f["severity"], "message": f["message"],
                "category": f["category"],
                "source": {k: f["source"][k] for k in ("path", "line", "expression")},
                "sink": {k: f["sink"][k] for k in ("path", "line", "callee")},
                "destination": {k: f["destination"][k] for k in ("host", "region", "jurisdiction")}}
               for f in v1["findings"] if keep(f)]
    path.write_text(json.dumps({"version": 1, "tool": {"name": "xborder", "version": "0.1"}, "home": ["CN"],
                                "regime": "pipl", "findings": entries}, indent=2))


def test_a_version_1_baseline_suppresses_the_same_flows(tmp_path):
    project = write_project(tmp_path / "p", {"app.py": CALL})
    old = tmp_path / "old.json"
    _old_baseline(project, old)
    code, data = _v2(project, "--home", "CN", "--baseline", old)
    assert (code, data["findings"], data["baseline"]["matched"], data["baseline"]["stale"]) == (0, [], 3, [])
    # An old baseline that accepted the e-mail only: the call's finding carries the phone number alone.
    _old_baseline(project, old, keep=lambda f: f["category"] != "user.contact.phone_number")
    code, data = _v2(project, "--home", "CN", "--baseline", old)
    assert code == 1
    assert [(f["rule"], [c["category"] for c in f["categories"]]) for f in data["findings"]] == [
        ("XB101", ["user.contact.phone_number"])]
    text = run_cli("scan", "--no-cache", "--home", "CN", "--baseline", old, project).stdout
    assert "Baseline" in text and "2 matched, 0 stale" in text


def test_a_version_2_baseline_reports_a_category_new_to_a_known_call(tmp_path):
    project = write_project(tmp_path / "p", {"app.py": CALL})
    new = tmp_path / "new.json"
    made = run_cli("baseline", "--no-cache", "--home", "CN", new, project)
    assert made.exit_code == 0 and made.stderr == f"xborder: recorded 2 findings in {new}\n"  # 3 flows, 2 findings
    recorded = json.loads(new.read_text())
    check(recorded, "baseline.schema.json", "new.json")
    assert recorded["version"] == 2
    assert [(e["rule"], e["categories"]) for e in recorded["findings"]] == [
        ("XB101", ["user.contact.email", "user.contact.phone_number"]), ("XB102", ["user.government_id.passport"])]
    _, v2 = _v2(project, "--home", "CN")
    assert [e["fingerprint"] for e in recorded["findings"]] == [f["fingerprint"] for f in v2["findings"]]
    write_project(project, {"app.py": "\n# moved\n" + CALL})
    code, data = _v2(project, "--home", "CN", "--baseline", new)
    assert (code, data["findings"], data["baseline"]["matched"]) == (0, [], 2)
    # The same call now also sends the name: only the name is new.
    write_project(project, {"app.py": CALL.replace('"phone": user.phone', '"phone": user.phone, "name": user.full_name')})
    code, data = _v2(project, "--home", "CN", "--baseline", new)
    assert code == 1
    assert [(f["rule"], [c["category"] for c in f["categories"]]) for f in data["findings"]] == [("XB101", ["user.name"])]


def test_sarif_has_one_result_per_finding(tmp_path):
    project = write_project(tmp_path / "p", {"app.py": CALL})
    doc = json.loads(run_cli("scan", "--no-cache", "--home", "CN", "--format", "sarif", project).stdout)
    results = doc["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["XB101", "XB102"]
    first = results[0]
    assert first["message"]["text"].startswith("user.contact.email, user.contact.phone_number leave CN")
    assert first["properties"]["categories"] == ["user.contact.email", "user.contact.phone_number"]
    assert [r["id"] for r in first["relatedLocations"]] == [1, 2]
    assert len(first["codeFlows"][0]["threadFlows"]) == 2
    _, v2 = _v2(project, "--home", "CN")
    assert [r["partialFingerprints"] for r in results] == [{"xborder/v2": f["fingerprint"]} for f in v2["findings"]]


def test_github_annotations_are_one_per_finding(tmp_path, monkeypatch):
    project = write_project(tmp_path / "p", {"app.py": CALL, "xborder.toml": 'home = "CN"\n'})
    monkeypatch.chdir(project)
    lines = run_cli("scan", "--no-cache", "--format", "github", ".").stdout.splitlines()
    assert [line.split("::")[1] for line in lines[:-1]] == [
        "error file=app.py,line=5,col=5,title=XB101 personal-data-leaves-home",
        "error file=app.py,line=5,col=5,title=XB102 sensitive-data-leaves-home"]
    detail = lines[0].split("::", 2)[2].split("%0A")
    assert detail[0] == "user.contact.email, user.contact.phone_number leave CN for US via requests.post to api.mixpanel.com"
    assert [d for d in detail if ": source " in d] == [
        "user.contact.email: source app.py:6 user.email", "user.contact.phone_number: source app.py:6 user.phone"]
    assert detail.count("trace:") == 2
    assert lines[-1] == "xborder: 2 findings in 1 files"


def test_json_v1_is_byte_for_byte_the_version_1_report():
    """tests/data/shop-report-v1.json is `xborder scan fixtures/shop --format json` as the version
    before contract v2 wrote it (commit 4f91d93; its elapsed seconds set to 0). A deliberate change
    to the shop's findings or to the tool's version means writing it again."""
    import re

    from conftest import ROOT

    golden = (ROOT / "tests" / "data" / "shop-report-v1.json").read_text(encoding="utf-8")
    out = run_cli("scan", "--no-cache", "--format", "json-v1", FIXTURES / "shop").stdout
    assert re.sub(r'"seconds": [0-9.]+', '"seconds": 0', out) == golden

