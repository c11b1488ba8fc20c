"""Baselines: accepted findings stay quiet when code moves; new flows and stale entries show."""

from __future__ import annotations

import json

from conftest import run_cli, scan_json, write_project

EMAIL = 'import requests\n\n\ndef f(user):\n    requests.post("https://api.mixpanel.com/track", json={"email": user.email})\n'
PHONE = 'import requests\n\n\ndef g(user):\n    requests.post("https://api.mixpanel.com/track", json={"phone": user.phone})\n'
NAME = 'import requests\n\n\ndef h(user):\n    requests.post("https://api.segment.io/v1/track", json={"name": user.full_name})\n'


def test_round_trip(tmp_path):
    project = write_project(tmp_path / "p", {"a.py": EMAIL, "b.py": PHONE})
    baseline = tmp_path / "baseline.json"
    result = run_cli("baseline", "--no-cache", "--home", "CN", baseline, project)
    assert result.exit_code == 0, result.output
    recorded = json.loads(baseline.read_text())
    assert [(e["rule"], e["sink"]["path"], e["source"]["expression"]) for e in recorded["findings"]] == [
        ("XB101", "a.py", "user.email"), ("XB101", "b.py", "user.phone")]

    code, data, _ = scan_json(project, "--home", "CN", "--baseline", baseline)
    assert (code, data["findings"], data["baseline"]) == (0, [], {"path": str(baseline), "matched": 2, "stale": []})

    # Move the accepted flow down, drop the other one, add a new flow.
    write_project(project, {"a.py": "\n\n\n# moved\n" + EMAIL, "c.py": NAME})
    (project / "b.py").unlink()
    code, data, _ = scan_json(project, "--home", "CN", "--baseline", baseline)
    assert code == 1
    assert [(f["sink"]["path"], f["source"]["expression"]) for f in data["findings"]] == [("c.py", "user.full_name")]
    assert data["baseline"]["matched"] == 1
    assert [(e["sink"]["path"], e["source"]["expression"]) for e in data["baseline"]["stale"]] == [("b.py", "user.phone")]

    text = run_cli("scan", "--no-cache", "--home", "CN", "--baseline", baseline, project).stdout
    assert "1 matched, 1 stale" in text
    assert "b.py:5: XB101 user.contact.phone_number leaves CN" in text
    assert "c.py:5:5: XB101" in text and "a.py" not in text.split("Baseline")[0]


def test_bad_baseline_is_a_usage_error(tmp_path):
    project = write_project(tmp_path / "p", {"a.py": EMAIL})
    (tmp_path / "b.json").write_text('{"findings": 3}')
    code, data, stderr = scan_json(project, "--home", "CN", "--baseline", tmp_path / "b.json")
    assert code == 2 and "not an xborder baseline" in stderr
    code, data, stderr = scan_json(project, "--home", "CN", "--baseline", tmp_path / "missing.json")
    assert code == 2 and "cannot read baseline" in stderr


def test_a_baseline_with_entries_of_the_wrong_shape_is_a_usage_error(tmp_path):
    """Checked against schemas/baseline.schema.json when read: exit 2 naming the file and the key,
    not a crash when a report shows the entry as stale."""
    project = write_project(tmp_path / "p", {"a.py": EMAIL})
    assert run_cli("baseline", "--no-cache", "--home", "CN", tmp_path / "b.json", project).exit_code == 0
    doc = json.loads((tmp_path / "b.json").read_text())
    for entry, key in [({**doc["findings"][0], "sink": "a.py"}, "findings[0].sink"), ({"rule": "XB101"}, "findings[0].fingerprint"),
                       ({**doc["findings"][0], "line": 5}, "findings[0].line")]:
        (tmp_path / "bad.json").write_text(json.dumps({**doc, "findings": [entry]}))
        result = run_cli("scan", "--no-cache", "--home", "CN", "--baseline", tmp_path / "bad.json", project)
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
        assert f"{tmp_path / 'bad.json'}: key '{key}': not an xborder baseline" in result.stderr, result.stderr


def test_suppressed_findings_are_not_recorded(tmp_path):
    project = write_project(tmp_path / "p", {"a.py": EMAIL.replace("})\n", "})  # xborder: ignore[XB101] approved\n")})
    run_cli("baseline", "--no-cache", "--home", "CN", tmp_path / "b.json", project)
    assert json.loads((tmp_path / "b.json").read_text())["findings"] == []
