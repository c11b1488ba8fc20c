"""`--format markdown` (step summaries, PR comments) and `--format gitlab` (GitLab Code Quality),
through the CLI."""

from __future__ import annotations

import json
import re

import jsonschema

from conftest import FIXTURES, ROOT, run_cli, write_project
from xborder.report.markdown import MAX_ROWS

LEAK = 'import requests\n\n\ndef f(user):\n    requests.post("https://api.mixpanel.com/track", json={"email": user.email})\n'


def _cells(row: str) -> list[str]:
    """A GFM table row's cells: split at pipes that no backslash escapes."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]


def test_markdown_of_the_shop(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run_cli("scan", "--no-cache", "--format", "markdown", "fixtures/shop")
    assert result.exit_code == 1  # the exit code is the scan's, whatever the format
    lines = result.stdout.splitlines()
    assert lines[0] == "### xborder: 6 findings (6 error)"
    assert "| XB101 personal-data-leaves-home | 5 |" in lines and "| XB102 sensitive-data-leaves-home | 1 |" in lines
    rows = [line for line in lines if line.startswith("| error |")]
    assert len(rows) == 6 and all(len(_cells(r)) == 6 for r in rows)
    assert ("| error | `fixtures/shop/shop/monitoring.py:9:5` | XB101 | `user.contact.email`, `user.unique_id` | "
            "US (`o4504.ingest.us.sentry.io`) | `sentry_sdk.set_user` |") in rows
    assert "more row" not in result.stdout


def test_markdown_escapes_what_the_project_controls(tmp_path, monkeypatch):
    name = "a|b`c @octocat <img src=x> [x](e.test).py"
    write_project(tmp_path, {name: LEAK, "xborder.toml": 'home = "CN"\n'})
    monkeypatch.chdir(tmp_path)
    out = run_cli("scan", "--no-cache", "--format", "markdown", ".").stdout
    (row,) = [line for line in out.splitlines() if line.startswith("| error |")]
    cells = _cells(row)
    assert len(cells) == 6
    # The whole path is one code span, fenced by more backticks than it holds, its pipe escaped.
    assert cells[1] == "``a\\|b`c @octocat <img src=x> [x](e.test).py:5:5``"
    assert row.count("<img") == 1 and "``" in row


def test_markdown_is_capped_with_an_and_more_line(tmp_path):
    files = {f"m{i:02d}.py": LEAK.replace("def f", f"def f{i}") for i in range(MAX_ROWS + 3)}
    project = write_project(tmp_path, {**files, "xborder.toml": 'home = "CN"\n'})
    out = run_cli("scan", "--no-cache", "--format", "markdown", project).stdout
    lines = out.splitlines()
    assert lines[0] == f"### xborder: {MAX_ROWS + 3} findings ({MAX_ROWS + 3} error)"
    assert sum(line.startswith("| error |") for line in lines) == MAX_ROWS
    assert lines[-1] == "_\u2026and 3 more rows: `xborder scan --format json` lists them all._"


def test_markdown_of_a_clean_project(tmp_path):
    project = write_project(tmp_path, {"a.py": "x = 1\n", "xborder.toml": 'home = "CN"\n'})
    result = run_cli("scan", "--no-cache", "--format", "markdown", project)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "### xborder: 0 findings" and "|" not in result.stdout


# GitLab's documented fields (https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format).
CODE_QUALITY = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "pattern": "^XB[0-9]{3}$"},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {"path": {"type": "string", "minLength": 1},
                               "lines": {"type": "object", "required": ["begin"],
                                         "properties": {"begin": {"type": "integer", "minimum": 1}}}},
            },
        },
    },
}


def test_gitlab_code_quality_of_the_shop():
    result = run_cli("scan", "--no-cache", "--format", "gitlab", FIXTURES / "shop")
    assert result.exit_code == 1
    issues = json.loads(result.stdout)
    jsonschema.validate(issues, CODE_QUALITY)
    assert len(issues) == 6 and len({i["fingerprint"] for i in issues}) == 6
    for issue in issues:  # paths relative to the repository root, where GitLab resolves them
        assert (ROOT / issue["location"]["path"]).is_file(), issue
    severities = {(i["check_name"], i["location"]["path"]): i["severity"] for i in issues}
    assert severities[("XB102", "fixtures/shop/shop/storage.py")] == "critical"
    assert severities[("XB101", "fixtures/shop/shop/storage.py")] == "major"
    sarif = json.loads(run_cli("scan", "--no-cache", "--format", "sarif", FIXTURES / "shop").stdout)
    assert [i["fingerprint"] for i in issues] == [r["partialFingerprints"]["xborder/v2"] for r in sarif["runs"][0]["results"]]


def test_gitlab_lists_file_problems_and_warnings(tmp_path):
    project = write_project(tmp_path, {"a.py": LEAK.replace("mixpanel.com", "example.invalid"), "broken.py": "def (:\n",
                                       "broken2.py": "def (:\n", "xborder.toml": 'home = "CN"\n'})
    issues = json.loads(run_cli("scan", "--no-cache", "--format", "gitlab", project).stdout)
    jsonschema.validate(issues, CODE_QUALITY)
    assert [(i["check_name"], i["severity"]) for i in issues] == [("XB201", "minor"), ("XB901", "info"), ("XB901", "info")]
    assert len({i["fingerprint"] for i in issues}) == 3


# ---------------------------------------------------------------- action.yml and the GitLab template


def _shop_copy(tmp_path):
    import shutil

    import subprocess

    target = tmp_path / "repo" / "shop"
    shutil.copytree(FIXTURES / "shop", target, ignore=shutil.ignore_patterns(".xborder_cache"))
    subprocess.run(["git", "init", "-q", str(target.parent)], check=True)  # a checkout, as in CI
    return target.parent


def _env(tmp_path, **extra):
    import os
    import sys
    from pathlib import Path

    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return {"PATH": path, "HOME": str(tmp_path), "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"], **extra}


def test_the_action_is_a_composite_that_installs_scans_uploads_and_keeps_the_exit_code():
    import yaml

    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert {"path", "home", "baseline", "args", "sarif-file"} <= set(action["inputs"])
    steps = action["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    assert 'pip install --disable-pip-version-check "$GITHUB_ACTION_PATH"' in steps[1]["run"]
    scan = next(s for s in steps if s.get("id") == "scan")
    assert "ci/github-action.sh" in scan["run"] and (ROOT / "ci" / "github-action.sh").is_file()
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}" and upload["if"].startswith("always()")
    last = steps[-1]
    assert last["if"] == "always()" and last["env"]["XBORDER_EXIT"] == "${{ steps.scan.outputs.exit-code }}"
    # Inputs reach the shell as environment variables, never pasted into a script (injection).
    assert all("${{" not in s.get("run", "") for s in steps)


def test_the_action_script_writes_sarif_and_the_summary_and_reports_the_exit_code(tmp_path):
    import subprocess

    repo = _shop_copy(tmp_path)
    output, summary = tmp_path / "output", tmp_path / "summary.md"
    env = _env(tmp_path, GITHUB_OUTPUT=str(output), GITHUB_STEP_SUMMARY=str(summary), XBORDER_PATH="shop",
               XBORDER_HOME="CN", XBORDER_ARGS="--no-cache --fail-on 'error'", XBORDER_SARIF="out.sarif")
    done = subprocess.run(["bash", str(ROOT / "ci" / "github-action.sh")], cwd=repo, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr  # the action's last step exits with the scan's code
    assert output.read_text() == "exit-code=1\n"
    sarif = json.loads((repo / "out.sarif").read_text())
    assert len(sarif["runs"][0]["results"]) == 6
    assert summary.read_text().startswith("### xborder: 6 findings (6 error)\n")
    # A baseline of everything: exit code 0; a bad home: 2, and the summary step still ran.
    assert run_cli("baseline", "--no-cache", "--home", "CN", repo / "base.json", repo / "shop").exit_code == 0
    env.update(XBORDER_BASELINE="base.json")
    subprocess.run(["bash", str(ROOT / "ci" / "github-action.sh")], cwd=repo, env=env, check=True)
    assert output.read_text().splitlines()[-1] == "exit-code=0"
    env.update(XBORDER_HOME="XX")
    subprocess.run(["bash", str(ROOT / "ci" / "github-action.sh")], cwd=repo, env=env, check=True)
    assert output.read_text().splitlines()[-1] == "exit-code=2"


def test_the_gitlab_template_writes_the_code_quality_report_and_keeps_the_exit_code(tmp_path):
    import subprocess

    import yaml

    template = yaml.safe_load((ROOT / "ci" / "xborder.gitlab-ci.yml").read_text())
    job = template["xborder"]
    assert job["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    assert job["artifacts"]["when"] == "always"
    assert set(template["variables"]) >= {"XBORDER_PATH", "XBORDER_HOME", "XBORDER_BASELINE", "XBORDER_ARGS"}
    # The script as GitLab runs it (one shell), less the install: xborder is installed here already.
    lines = [line for line in job["script"] if "pip install" not in line]
    assert len(lines) == len(job["script"]) - 1
    repo = _shop_copy(tmp_path)
    env = _env(tmp_path, **{**template["variables"], "XBORDER_PATH": "shop", "XBORDER_HOME": "CN",
                            "XBORDER_ARGS": "--no-cache --ignore 'XB201'"})
    done = subprocess.run(["bash", "-c", "\n".join(lines)], cwd=repo, env=env, capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    issues = json.loads((repo / "gl-code-quality-report.json").read_text())
    jsonschema.validate(issues, CODE_QUALITY)
    assert len(issues) == 6 and all((repo / i["location"]["path"]).is_file() for i in issues)
    assert "6 findings (6 error)" in done.stdout
