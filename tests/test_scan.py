"""The `xborder scan` contract: exit codes, the text and JSON reports, config files, broken files."""

from __future__ import annotations

import json

from conftest import run_cli, scan_json, write_project

LEAK = '''import requests

def track(user):
    requests.post("https://api.mixpanel.com/track", json={"phone": user.phone})
'''
HOME_ONLY = '''import requests

def track(user):
    requests.post("https://openapi.alipay.com/gateway.do", data={"phone": user.phone})
'''


def test_json_contract_fields(tmp_path):
    root = write_project(tmp_path, {"app/sync.py": LEAK})
    code, data, _ = scan_json(root, "--home", "CN")
    assert code == 1
    assert data["version"] == 1 and data["tool"]["name"] == "xborder" and data["home"] == ["CN"]
    (finding,) = data["findings"]
    assert finding["rule"] == "XB101" and finding["severity"] == "error"
    assert finding["category"] == "user.contact.phone_number"
    assert finding["source"] == {"path": "app/sync.py", "line": 4, "column": 68, "expression": "user.phone"}
    assert finding["sink"] == {"path": "app/sync.py", "line": 4, "column": 5, "callee": "requests.post", "kind": "network"}
    assert finding["destination"] == {"host": "api.mixpanel.com", "region": None, "jurisdiction": "US",
                                      "evidence": "string constant at app/sync.py:4"}
    assert [h["note"] for h in finding["trace"]] == ["source: user.phone (user.contact.phone_number)", "sink: requests.post (network)"]
    assert len(finding["fingerprint"]) >= 16
    assert data["errors"] == [] and data["stats"]["files"] == 1


def test_fingerprint_survives_lines_added_above(tmp_path):
    root = write_project(tmp_path, {"app.py": LEAK})
    _, before, _ = scan_json(root, "--home", "CN")
    write_project(tmp_path, {"app.py": "# a comment\n\nimport os\n" + LEAK})
    _, after, _ = scan_json(root, "--home", "CN")
    assert before["findings"][0]["sink"]["line"] + 3 == after["findings"][0]["sink"]["line"]
    assert before["findings"][0]["fingerprint"] == after["findings"][0]["fingerprint"]


def test_text_report_headline_code_trace_and_summary(tmp_path, monkeypatch):
    root = write_project(tmp_path, {"app.py": LEAK})
    monkeypatch.chdir(tmp_path)  # paths are printed relative to the current directory (test_project_root.py)
    result = run_cli("scan", "--home", "CN", "--no-cache", str(root))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "app.py:4:5: XB101 [error] phone_number leaves CN for US via requests.post to api.mixpanel.com",
        '  4 |     requests.post("https://api.mixpanel.com/track", json={"phone": user.phone})',
        "    |     ^^^^^^^^^^^^^",
        "  trace: app.py:4 source: user.phone (user.contact.phone_number)",
        "  trace: app.py:4 sink: requests.post (network)",
        "",
        "Scanned 1 files (0 with errors); 1 finding (1 error); home CN, regime pipl.",
    ]


def test_clean_project_exits_zero(tmp_path):
    root = write_project(tmp_path, {"app.py": HOME_ONLY})
    code, data, _ = scan_json(root, "--home", "CN")
    assert code == 0 and data["findings"] == []


def test_home_is_required(tmp_path):
    root = write_project(tmp_path, {"app.py": LEAK})
    result = run_cli("scan", "--no-cache", str(root))
    assert result.exit_code == 2 and "home" in result.stderr


def test_config_from_xborder_toml_and_cli_wins(tmp_path):
    root = write_project(tmp_path, {"app.py": LEAK, "xborder.toml": 'home = "US"\n'})
    code, data, _ = scan_json(root)
    assert code == 0 and data["home"] == ["US"]
    code, data, _ = scan_json(root, "--home", "CN")
    assert code == 1 and data["home"] == ["CN"]


def test_config_from_pyproject_and_destinations(tmp_path):
    root = write_project(tmp_path, {"app.py": LEAK, "pyproject.toml": '[tool.xborder]\nhome = "CN"\n\n[tool.xborder.destinations]\n"api.mixpanel.com" = "CN"\n'})
    code, data, _ = scan_json(root)
    assert code == 0, data["findings"]


def test_unknown_config_key_names_file_key_and_line(tmp_path):
    root = write_project(tmp_path, {"app.py": LEAK, "xborder.toml": 'home = "CN"\nexlude = ["tests"]\n'})
    result = run_cli("scan", "--no-cache", str(root))
    assert result.exit_code == 2
    assert "xborder.toml:2" in result.stderr and "exlude" in result.stderr


def test_allow_entry_approves_a_transfer(tmp_path):
    config = '''home = "CN"
[[allow]]
categories = ["user.contact"]
jurisdictions = ["US"]
basis = "cac-standard-contract"
reference = "PIPL-2026-001"
'''
    root = write_project(tmp_path, {"app.py": LEAK, "xborder.toml": config})
    code, data, _ = scan_json(root)
    assert code == 0 and data["findings"] == []


def test_broken_files_do_not_lose_other_findings(tmp_path):
    root = write_project(tmp_path, {
        "good.py": LEAK,
        "broken.py": "x = = 1\n",
        "latin.py": b"x = '\xff\xfe caf\xe9'\nname = \x80\n",
        "empty.py": "",
    })
    code, data, _ = scan_json(root, "--home", "CN")
    assert code == 1
    assert [(f["rule"], f["sink"]["path"]) for f in data["findings"]] == [("XB101", "good.py")]
    errors = {e["path"]: e for e in data["errors"]}
    assert set(errors) == {"broken.py", "latin.py"}
    assert errors["broken.py"]["line"] == 1 and "syntax" in errors["broken.py"]["message"]
    assert errors["latin.py"]["code"] == "XB901"
    text = run_cli("scan", "--home", "CN", "--no-cache", str(root)).stdout
    assert "Scanned 4 files (2 with errors); 1 finding (1 error)" in text


def test_output_file(tmp_path):
    root = write_project(tmp_path / "p", {"app.py": LEAK})
    out = tmp_path / "report.json"
    result = run_cli("scan", "--home", "CN", "--no-cache", "--format", "json", "--output", str(out), str(root))
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(out.read_text())["findings"][0]["rule"] == "XB101"


def test_sanitizer_cuts_are_listed(tmp_path):
    code = '''import hashlib
import requests

def track(user):
    visitor = hashlib.sha256(user.phone.encode()).hexdigest()
    requests.post("https://api.mixpanel.com/track", json={"distinct_id": visitor})
'''
    root = write_project(tmp_path, {"app.py": code})
    exit_code, data, _ = scan_json(root, "--home", "CN")
    assert exit_code == 0 and data["findings"] == []
    assert data["sanitized"] == [{"path": "app.py", "line": 5, "column": 15, "sanitizer": "hashlib.sha256",
                                  "categories": ["user.contact.phone_number"]}]
