"""Machine formats for CI: SARIF 2.1.0 (validated against the official schema) and GitHub annotations."""

from __future__ import annotations

import json

import jsonschema

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
    assert {"XB101", "XB102", "XB201", "XB903", "XB904"} <= set(rule_ids)
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (FIXTURES / "shop").resolve().as_uri() + "/"
    assert run["results"] and run["invocations"][0]["executionSuccessful"] is True
    for r in run["results"]:
        assert rule_ids[r["ruleIndex"]] == r["ruleId"]
        location = r["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not location["artifactLocation"]["uri"].startswith("/")
        assert location["region"]["startLine"] >= 1
        assert r["codeFlows"][0]["threadFlows"][0]["locations"]
        assert len(r["partialFingerprints"]["xborder/v1"]) >= 32
    json_findings = json.loads(run_cli("scan", "--no-cache", "--format", "json", FIXTURES / "shop").stdout)["findings"]
    assert [r["partialFingerprints"]["xborder/v1"] for r in run["results"]] == [f["fingerprint"] for f in json_findings]


def test_parse_error_is_a_tool_notification(tmp_path):
    write_project(tmp_path, {"bad.py": "def broken(:\n", "app.py": SEND})
    code, doc = sarif(tmp_path, "--home", "CN")
    validate(doc)
    run = doc["runs"][0]
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["descriptor"]["id"] == "XB901"
    assert run["tool"]["driver"]["notifications"][note["descriptor"]["index"]]["id"] == "XB901"
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad.py"
    assert [r["ruleId"] for r in run["results"]] == ["XB101"]


def test_comment_problems_and_suppressed_findings(tmp_path):
    write_project(tmp_path, {"app.py": SEND.replace("})\n", "})  # xborder: ignore[XB101] approved, PRIV-1\n")
                             + "x = 1  # xborder: ignore\n"})
    code, doc = sarif(tmp_path, "--home", "CN", "--show-suppressed")
    validate(doc)
    results = doc["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["XB101", "XB904"]
    assert results[0]["suppressions"] == [{"kind": "inSource", "justification": "approved, PRIV-1"}]
    assert results[1]["locations"][0]["physicalLocation"]["region"]["startLine"] == 6


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
