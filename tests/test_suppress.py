"""Inline suppressions: `# xborder: ignore[CODE] reason` on the sink line or the source line."""

from __future__ import annotations

from conftest import run_cli, scan_json, write_project

# Source (user.email) on line 5, sink (requests.post) on line 6.
CODE = '''import requests


def f(user):
    email = user.email{source}
    requests.post("https://api.mixpanel.com/track", json={{"email": email}}){sink}
'''


def scan(tmp_path, source="", sink="", *args):
    write_project(tmp_path, {"app.py": CODE.format(source=source, sink=sink)})
    return scan_json(tmp_path, "--home", "CN", *args)


def test_unsuppressed_flow_is_reported(tmp_path):
    code, data, _ = scan(tmp_path)
    assert code == 1
    assert [(f["rule"], f["source"]["line"], f["sink"]["line"]) for f in data["findings"]] == [("XB101", 5, 6)]


def test_suppression_on_sink_line(tmp_path):
    code, data, _ = scan(tmp_path, sink="  # xborder: ignore[XB101] approved by DPO, PRIV-12")
    assert (code, data["findings"], data["errors"]) == (0, [], [])


def test_suppression_on_source_line(tmp_path):
    code, data, _ = scan(tmp_path, source="  # xborder: ignore[XB102, XB101] standard contract on file")
    assert (code, data["findings"], data["errors"]) == (0, [], [])


def test_suppression_without_codes_covers_all(tmp_path):
    code, data, _ = scan(tmp_path, sink="  # xborder: ignore test account only")
    assert (code, data["findings"]) == (0, [])


def test_wrong_code_does_not_suppress(tmp_path):
    code, data, _ = scan(tmp_path, sink="  # xborder: ignore[XB102] not this one")
    assert code == 1
    assert [f["rule"] for f in data["findings"]] == ["XB101"]
    assert "suppressed" not in data["findings"][0]


def test_suppression_without_reason_is_xb904_and_does_not_suppress(tmp_path):
    code, data, _ = scan(tmp_path, sink="  # xborder: ignore[XB101]")
    assert code == 1
    assert [f["rule"] for f in data["findings"]] == ["XB101"]
    assert [(e["code"], e["path"], e["line"]) for e in data["errors"]] == [("XB904", "app.py", 6)]


def test_xb904_alone_fails_at_warning_level(tmp_path):
    write_project(tmp_path, {"app.py": "x = 1  # xborder: ignore\n"})
    assert scan_json(tmp_path, "--home", "CN")[0] == 1
    assert scan_json(tmp_path, "--home", "CN", "--fail-on", "error")[0] == 0


def test_unused_suppression_is_xb903_when_asked(tmp_path):
    write_project(tmp_path, {"app.py": CODE.format(source="", sink="") + "x = 1  # xborder: ignore[XB101] stale\n"})
    code, data, _ = scan_json(tmp_path, "--home", "CN")
    assert data["errors"] == []
    code, data, _ = scan_json(tmp_path, "--home", "CN", "--warn-unused-ignores", "--fail-on", "error")
    assert [(e["code"], e["line"]) for e in data["errors"]] == [("XB903", 7)]
    assert code == 1  # the XB101 flow on line 6 is not suppressed


def test_used_suppression_is_not_xb903(tmp_path):
    code, data, _ = scan(tmp_path, "", "  # xborder: ignore[XB101] approved", "--warn-unused-ignores")
    assert (code, data["errors"]) == (0, [])


def test_show_suppressed(tmp_path):
    code, data, _ = scan(tmp_path, "", "  # xborder: ignore[XB101] approved by DPO", "--show-suppressed")
    assert code == 0
    (finding,) = data["findings"]
    assert finding["suppressed"] == "approved by DPO"
    assert {"rule", "severity", "message", "category", "source", "sink", "destination", "trace", "fingerprint"} <= set(finding)
    text = run_cli("scan", "--no-cache", "--home", "CN", "--show-suppressed", tmp_path)
    assert "  suppressed: approved by DPO" in text.stdout.splitlines()
    assert "0 findings" in text.stdout
