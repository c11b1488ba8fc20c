"""Machine formats for CI: SARIF 2.1.0 (validated against the official schema) and GitHub annotations."""

from __future__ import annotations

import json

import jsonschema

from xborder.report import sarif as sarif_report
from xborder.report.github import escape_data, escape_property
from conftest import FIXTURES, ROOT, run_cli, write_project

# The OASIS SARIF 2.1.0 JSON schema (docs.oasis-open.org/sarif/sarif/v2.1.0/), kept with the tests.
SCHEMA = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"
SEND = 'import requests\n\n\ndef f(user):\n    requests.post("https://api.mixpanel.com/track", json={"email": user.email})\n'


def sarif(*args):
    result = run_cli("scan", "--no-cache", "--format", "sarif", *args)
    return result.exit_code, json.loads(result.stdout)


def validate(doc):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)
    validator(schema, format_checker=validator.FORMAT_CHECKER).validate(doc)


def test_shop_is_valid_sarif_with_code_flows():
    code, doc = sarif(FIXTURES / "shop")
    validate(doc)
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "xborder" and driver["version"]
    rule_ids = [r["id"] for r in driver["rules"]]
    assert {"XB101", "XB102", "XB201", "XB901", "XB903", "XB904"} <= set(rule_ids)
    # URIs are relative to the repository (this checkout's git work tree), not to the scanned project.
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == ROOT.resolve().as_uri() + "/"
    assert run["automationDetails"] == {"id": "xborder/fixtures/shop/"}
    assert run["results"] and run["invocations"][0]["executionSuccessful"] is True
    for r in run["results"]:
        assert rule_ids[r["ruleIndex"]] == r["ruleId"]
        location = r["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert location["artifactLocation"]["uri"].startswith("fixtures/shop/shop/")
        assert (ROOT / location["artifactLocation"]["uri"]).is_file()
        assert location["region"]["startLine"] >= 1
        assert r["codeFlows"][0]["threadFlows"][0]["locations"]
        assert len(r["partialFingerprints"]["xborder/v2"]) >= 32
    json_findings = json.loads(run_cli("scan", "--no-cache", "--format", "json", FIXTURES / "shop").stdout)["findings"]
    assert [r["partialFingerprints"]["xborder/v2"] for r in run["results"]] == [f["fingerprint"] for f in json_findings]


def test_a_subfolder_scan_gives_the_same_uris():
    """Scanning the package folder of the shop keeps the project root and the repository URIs."""
    _, whole = sarif(FIXTURES / "shop")
    _, sub = sarif(FIXTURES / "shop" / "shop")
    assert sub["runs"][0]["results"] == whole["runs"][0]["results"]
    assert sub["runs"][0]["automationDetails"] == whole["runs"][0]["automationDetails"]


def test_a_sink_region_ends_where_its_call_ends(tmp_path):
    write_project(tmp_path, {"app.py": SEND.replace("json=", "\n        json=")})
    _, doc = sarif(tmp_path, "--home", "CN")
    validate(doc)
    (result,) = doc["runs"][0]["results"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 5, "startColumn": 5, "endLine": 6, "endColumn": 36}
    lines = (tmp_path / "app.py").read_text().splitlines()
    assert lines[4][region["startColumn"] - 1:].startswith("requests.post(")
    assert lines[5][:region["endColumn"] - 1] == lines[5] and lines[5].endswith("user.email})")  # past the ")"
    (sink_step,) = [s for s in result["codeFlows"][0]["threadFlows"][0]["locations"] if "sink:" in s["location"]["message"]["text"]]
    assert sink_step["location"]["physicalLocation"]["region"] == region
    source = result["relatedLocations"][0]["physicalLocation"]["region"]
    assert "endLine" not in source  # only the sink call's end is known


def test_parse_error_is_a_note_result_of_its_own_rule(tmp_path):
    """GitHub code scanning shows no tool notification: a file that was not analysed must be a result,
    or the alert list would read as if the file were clean. A note, since it does not fail the run."""
    write_project(tmp_path, {"bad.py": "def broken(:\n", "app.py": SEND})
    code, doc = sarif(tmp_path, "--home", "CN")
    validate(doc)
    run = doc["runs"][0]
    assert run["invocations"][0]["toolExecutionNotifications"] == []
    assert [r["ruleId"] for r in run["results"]] == ["XB101", "XB901"]
    error = run["results"][1]
    assert error["level"] == "note"
    assert error["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad.py"
    rule = run["tool"]["driver"]["rules"][error["ruleIndex"]]
    assert (rule["id"], rule["defaultConfiguration"]["level"]) == ("XB901", "note")
    assert "security" not in rule["properties"]["tags"] and "security-severity" not in rule["properties"]
    assert code == 1  # the finding fails the run, the parse error alone would not


def test_comment_problems_and_suppressed_findings(tmp_path):
    write_project(tmp_path, {"app.py": SEND.replace("})\n", "})  # xborder: ignore[XB101] approved, PRIV-1\n")
                             + "x = 1  # xborder: ignore\n"})
    code, doc = sarif(tmp_path, "--home", "CN", "--show-suppressed")
    validate(doc)
    results = doc["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["XB101", "XB904"]
    assert results[0]["suppressions"] == [{"kind": "inSource", "justification": "approved, PRIV-1"}]
    assert results[1]["locations"][0]["physicalLocation"]["region"]["startLine"] == 6


LEAKS = {f"app_{i}.py": SEND.replace("def f", f"def f{i}") for i in range(3)}


def test_results_past_githubs_limit_keep_the_most_severe(tmp_path, monkeypatch):
    write_project(tmp_path, {**LEAKS, "bad.py": "def broken(:\n"})
    _, doc = sarif(tmp_path, "--home", "CN")
    assert [r["level"] for r in doc["runs"][0]["results"]] == ["error", "error", "error", "note"]
    assert doc["runs"][0]["invocations"][0]["toolExecutionNotifications"] == []
    monkeypatch.setattr(sarif_report, "MAX_RESULTS", 2)
    _, doc = sarif(tmp_path, "--home", "CN")
    validate(doc)
    run = doc["runs"][0]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in run["results"]] == [
        ("XB101", "app_0.py"), ("XB101", "app_1.py")]
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "warning" and note["message"]["text"].startswith("2 of 4 results left out")


def test_a_log_past_the_upload_size_is_compact_then_cut(tmp_path, monkeypatch):
    write_project(tmp_path, LEAKS)
    indented = run_cli("scan", "--no-cache", "--format", "sarif", "--home", "CN", tmp_path).stdout
    compact = json.dumps(json.loads(indented), separators=(",", ":"), ensure_ascii=True) + "\n"
    monkeypatch.setattr(sarif_report, "MAX_BYTES", len(compact) + 1)
    _, doc = sarif(tmp_path, "--home", "CN")
    out = run_cli("scan", "--no-cache", "--format", "sarif", "--home", "CN", tmp_path).stdout
    assert len(out) <= len(compact) + 1 and "\n  " not in out and len(doc["runs"][0]["results"]) == 3
    monkeypatch.setattr(sarif_report, "MAX_BYTES", len(compact) - 1)
    out = run_cli("scan", "--no-cache", "--format", "sarif", "--home", "CN", tmp_path).stdout
    doc = json.loads(out)
    validate(doc)
    assert len(out) < len(compact) and len(doc["runs"][0]["results"]) < 3
    assert "results left out" in doc["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]


def test_a_long_trace_keeps_its_ends(tmp_path, monkeypatch):
    write_project(tmp_path, {"app.py": 'import requests\n\n\ndef send(p):\n    requests.post("https://api.mixpanel.com/t", json=p)\n\n\n'
                                       'def relay(q):\n    send(q)\n\n\ndef f(user):\n    relay({"email": user.email})\n'})
    _, doc = sarif(tmp_path, "--home", "CN")
    full = doc["runs"][0]["results"][0]["codeFlows"][0]["threadFlows"][0]["locations"]
    assert len(full) == 4 and "traceHopsOmitted" not in doc["runs"][0]["results"][0]["properties"]
    monkeypatch.setattr(sarif_report, "MAX_FLOW_LOCATIONS", 2)
    _, doc = sarif(tmp_path, "--home", "CN")
    validate(doc)
    result = doc["runs"][0]["results"][0]
    assert result["codeFlows"][0]["threadFlows"][0]["locations"] == [full[0], full[-1]]
    assert result["properties"]["traceHopsOmitted"] == 2


def test_github_annotations(tmp_path, monkeypatch):
    write_project(tmp_path, {"sub/app.py": SEND, "bad.py": "def broken(:\n"})
    monkeypatch.chdir(tmp_path)
    result = run_cli("scan", "--no-cache", "--format", "github", "--home", "CN", "sub", "bad.py")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("::error file=sub/app.py,line=5,col=5,title=XB101 personal-data-leaves-home::")
    assert "%0Atrace:%0A" in lines[0]
    assert lines[1].startswith("::error file=bad.py,line=1,title=XB901 parse-error::")
    assert result.exit_code == 1


def test_github_escaping():
    assert escape_data("50% a\r\nb") == "50%25 a%0D%0Ab"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
