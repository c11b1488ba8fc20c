"""The linter conventions of issue 13, named as ruff names them, driven through the CLI: exit codes
(0 clean, 1 findings, 2 usage or config error), where an error is blamed, rule selection, excludes,
quiet, statistics, color and `--config KEY=VALUE`.

`run_cli` does not catch exceptions, so a crash fails the test instead of passing for exit 1.
"""

from __future__ import annotations

import json

import pytest

from conftest import run_cli, scan_json, write_project

LEAK = '''import requests


def track(user):
    requests.post("https://api.mixpanel.com/track", json={"phone": user.phone, "email": user.email})
'''
UNKNOWN = '''import os

import requests


def notify(email):
    requests.post(os.environ["ENDPOINT"], json={"email": email})
'''
BROKEN = "def broken(:\n"
CLEAN = "def add(a, b):\n    return a + b\n"


@pytest.fixture
def project(tmp_path):
    """XB101 twice (phone, e-mail) in leak.py, XB201 in unknown.py, XB901 in broken.py."""
    return write_project(tmp_path / "p", {"leak.py": LEAK, "unknown.py": UNKNOWN, "broken.py": BROKEN})


def codes(root, *args) -> tuple[int, list]:
    exit_code, data, stderr = scan_json(root, *args)
    assert data is not None, stderr
    return exit_code, sorted([f["rule"] for f in data["findings"]] + [e["code"] for e in data["errors"]])


def assert_usage_error(result, *texts):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for text in texts:
        assert text in result.stderr, result.stderr


# ---------------------------------------------------------------- where a bad --home is blamed


def test_a_bad_home_option_is_blamed_on_the_option_not_the_config(tmp_path):
    root = write_project(tmp_path, {"app.py": CLEAN, "xborder.toml": 'home = "CN"\n'})
    result = run_cli("scan", "--no-cache", "--home", "UK", root)
    assert_usage_error(result, "xborder: error: --home UK: unknown jurisdiction 'UK'", "did you mean GB?")
    assert "xborder.toml" not in result.stderr and "key 'home'" not in result.stderr


def test_a_bad_home_in_the_config_names_file_line_and_suggestion(tmp_path):
    root = write_project(tmp_path, {"app.py": CLEAN, "xborder.toml": '# the project\nhome = "EL"\n'})
    result = run_cli("scan", "--no-cache", root)
    assert_usage_error(result, "xborder.toml:2: key 'home': unknown jurisdiction 'EL'", "did you mean GR?")


@pytest.mark.parametrize("given,suggested", [("UK", "GB"), ("el", "GR"), ("Germany", "DE"), ("EEA1", "EEA")])
def test_home_suggestions(tmp_path, given, suggested):
    root = write_project(tmp_path, {"app.py": CLEAN})
    assert_usage_error(run_cli("scan", "--no-cache", "--home", given, root), f"--home {given}:", f"did you mean {suggested}?")


def test_no_suggestion_for_a_code_that_resembles_nothing(tmp_path):
    root = write_project(tmp_path, {"app.py": CLEAN})
    result = run_cli("scan", "--no-cache", "--home", "QQ", root)
    assert_usage_error(result, "--home QQ: unknown jurisdiction 'QQ'")
    assert "did you mean" not in result.stderr


def test_a_bad_config_override_is_blamed_on_it(tmp_path):
    root = write_project(tmp_path, {"app.py": CLEAN, "xborder.toml": 'home = "CN"\n'})
    result = run_cli("scan", "--no-cache", "--config", "home = 'UK'", root)
    assert_usage_error(result, "--config home = 'UK': unknown jurisdiction 'UK'", "did you mean GB?")
    result = run_cli("scan", "--no-cache", "--config", "fail-on = 'sometimes'", root)
    assert_usage_error(result, "--config fail-on = 'sometimes':")
    assert "xborder.toml" not in result.stderr


# ---------------------------------------------------------------- --config KEY=VALUE


def test_config_override_sets_a_key(tmp_path):
    root = write_project(tmp_path, {"app.py": LEAK, "xborder.toml": 'home = "US"\n'})
    assert scan_json(root)[0] == 0  # at home in the US
    exit_code, data, _ = scan_json(root, "--config", "home = 'CN'")
    assert exit_code == 1 and data["home"] == ["CN"]
    # A named option wins over an override of the same key, as it is more specific.
    assert scan_json(root, "--config", "home = 'CN'", "--home", "US")[0] == 0


def test_config_file_and_overrides_together(tmp_path):
    root = write_project(tmp_path, {"app.py": LEAK, "conf/other.toml": 'home = "US"\n'})
    assert scan_json(root, "--config", root / "conf/other.toml")[0] == 0
    assert scan_json(root, "--config", root / "conf/other.toml", "--config", "home='CN'")[0] == 1


@pytest.mark.parametrize("value", ["home =", "home = 'CN' 'DE'", "[table = 1"])
def test_config_override_that_is_no_toml_is_a_usage_error(tmp_path, value):
    root = write_project(tmp_path, {"app.py": CLEAN})
    assert_usage_error(run_cli("scan", "--no-cache", "--home", "CN", "--config", value, root), "--config")


def test_config_override_of_an_unknown_key(tmp_path):
    root = write_project(tmp_path, {"app.py": CLEAN})
    assert_usage_error(run_cli("scan", "--no-cache", "--home", "CN", "--config", "exlude = ['x']", root), "--config exlude = ['x']:")


def test_two_config_files_are_a_usage_error(tmp_path):
    root = write_project(tmp_path, {"app.py": CLEAN, "a.toml": 'home = "CN"\n', "b.toml": 'home = "CN"\n'})
    assert_usage_error(run_cli("scan", "--no-cache", "--config", root / "a.toml", "--config", root / "b.toml", root),
                       "only one config file")


# ---------------------------------------------------------------- --exit-zero


def test_exit_zero(project, tmp_path):
    assert scan_json(project, "--home", "CN")[0] == 1
    assert scan_json(project, "--home", "CN", "--exit-zero")[0] == 0
    # Usage and config errors still exit 2.
    assert run_cli("scan", "--no-cache", "--home", "XX", "--exit-zero", project).exit_code == 2
    assert run_cli("scan", "--no-cache", "--home", "CN", "--select", "XB7", "--exit-zero", project).exit_code == 2


# ---------------------------------------------------------------- rule selection


@pytest.mark.parametrize("args,expected", [
    ((), ["XB101", "XB101", "XB201", "XB901"]),
    (("--select", "XB1"), ["XB101", "XB101"]),
    (("--select", "XB201,XB901"), ["XB201", "XB901"]),
    (("--select", "XB201", "--select", "XB901"), ["XB201", "XB901"]),
    (("--ignore", "XB1"), ["XB201", "XB901"]),
    (("--ignore", "XB"), []),
    (("--select", "ALL", "--ignore", "XB9"), ["XB101", "XB101", "XB201"]),
    (("--ignore", "XB1", "--extend-select", "XB101"), ["XB101", "XB101", "XB201", "XB901"]),  # more specific wins
    (("--select", "XB101", "--ignore", "XB101"), []),  # a tie: ignore wins
    (("--select", "XB2", "--extend-select", "XB9"), ["XB201", "XB901"]),
])
def test_select_ignore_extend_select(project, args, expected):
    exit_code, found = codes(project, "--home", "CN", *args)
    assert found == expected
    assert exit_code == (1 if expected else 0)


def test_selection_in_the_config_and_its_layering(project):
    (project / "xborder.toml").write_text('home = "CN"\nignore = ["XB2", "XB9"]\n', encoding="utf-8")
    assert codes(project)[1] == ["XB101", "XB101"]
    # The command line is a layer above: its select starts afresh, so it can enable what the config ignores.
    assert codes(project, "--select", "XB201")[1] == ["XB201"]
    # Without select it keeps the config's result and adjusts it.
    assert codes(project, "--extend-select", "XB901")[1] == ["XB101", "XB101", "XB901"]
    (project / "xborder.toml").write_text('home = "CN"\nselect = ["XB2"]\nextend-select = ["XB901"]\n', encoding="utf-8")
    assert codes(project)[1] == ["XB201", "XB901"]
    assert codes(project, "--config", "select = ['XB1']")[1] == ["XB101", "XB101", "XB901"]


@pytest.mark.parametrize("option,value,suggestion", [
    ("--select", "XB301", "did you mean XB201?"),
    ("--ignore", "xb101", "did you mean XB101?"),
    ("--extend-select", "E501", "known codes: XB101"),
])
def test_unknown_rule_code_on_the_command_line(project, option, value, suggestion):
    result = run_cli("scan", "--no-cache", "--home", "CN", option, value, project)
    assert_usage_error(result, f"xborder: error: {option} {value}: unknown rule code or prefix {value!r}", suggestion)


def test_unknown_rule_code_in_the_config(project):
    (project / "xborder.toml").write_text('home = "CN"\nselect = ["XB1",\n  "XB301"]\n', encoding="utf-8")
    result = run_cli("scan", "--no-cache", project)
    assert_usage_error(result, "xborder.toml:2: key 'select[1]': unknown rule code or prefix 'XB301'", "did you mean XB201?")


def test_the_baseline_records_only_selected_rules(project, tmp_path):
    base = tmp_path / "base.json"
    result = run_cli("baseline", base, "--no-cache", "--home", "CN", "--ignore", "XB201", project)
    assert result.exit_code == 0, result.output
    # One version 2 entry: the e-mail and the phone number reach the same call.
    entries = json.loads(base.read_text(encoding="utf-8"))["findings"]
    assert [(f["rule"], f["categories"]) for f in entries] == [("XB101", ["user.contact.email", "user.contact.phone_number"])]
    # A scan that selects what the baseline left out reports it as new; the baseline's own entries match.
    assert codes(project, "--home", "CN", "--baseline", base, "--ignore", "XB9")[1] == ["XB201"]


# ---------------------------------------------------------------- --exclude / --extend-exclude


def test_exclude_and_extend_exclude(tmp_path):
    root = write_project(tmp_path, {"a.py": LEAK, "b.py": LEAK, "c/d.py": LEAK,
                                    "xborder.toml": 'home = "CN"\nexclude = ["a.py"]\n'})

    def scanned(*args):
        exit_code, data, stderr = scan_json(root, *args)
        assert data is not None, stderr
        return exit_code, sorted({f["sink"]["path"] for f in data["findings"]})

    assert scanned() == (1, ["b.py", "c/d.py"])
    assert scanned("--exclude", "b.py") == (1, ["a.py", "c/d.py"])  # replaces the config's exclude
    assert scanned("--extend-exclude", "b.py") == (1, ["c/d.py"])  # adds to it
    assert scanned("--extend-exclude", "b.py,c/*") == (0, [])
    assert scanned("--exclude", "b.py", "--exclude", "c") == (1, ["a.py"])
    (root / "xborder.toml").write_text('home = "CN"\nextend-exclude = ["c"]\n', encoding="utf-8")
    assert scanned() == (1, ["a.py", "b.py"])
    assert scanned("--exclude", "a.py") == (1, ["b.py"])  # the config's extend-exclude stays


def test_a_bad_exclude_glob_is_blamed_on_the_option(tmp_path):
    root = write_project(tmp_path, {"a.py": CLEAN, "xborder.toml": 'home = "CN"\n'})
    result = run_cli("scan", "--no-cache", "--extend-exclude", "[abc", root)
    assert_usage_error(result, "--extend-exclude [abc: key 'extend-exclude[0]': invalid glob '[abc'")


# ---------------------------------------------------------------- --quiet


def test_quiet_prints_the_findings_only(project):
    loud = run_cli("scan", "--no-cache", "--home", "CN", project)
    quiet = run_cli("scan", "--no-cache", "--home", "CN", "-q", project)
    assert loud.exit_code == quiet.exit_code == 1
    assert "Scanned 3 files" in loud.stdout and "Scanned" not in quiet.stdout
    headlines = [line for line in loud.stdout.splitlines() if ": XB" in line]
    assert headlines and headlines == [line for line in quiet.stdout.splitlines() if ": XB" in line]


def test_quiet_on_a_clean_project_prints_nothing(tmp_path):
    root = write_project(tmp_path, {"a.py": CLEAN})
    result = run_cli("scan", "--no-cache", "--home", "CN", "--quiet", root)
    assert result.exit_code == 0 and result.stdout == ""


def test_quiet_baseline_says_nothing(project, tmp_path):
    result = run_cli("baseline", tmp_path / "b.json", "--no-cache", "--home", "CN", "-q", project)
    assert result.exit_code == 0 and result.stderr == "" and result.stdout == ""


# ---------------------------------------------------------------- --statistics


def test_statistics_text(project):
    """A (version 2) finding counts once under its code and once under each category it carries."""
    result = run_cli("scan", "--no-cache", "--home", "CN", "--statistics", project)
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == [
        "1  XB101  personal-data-leaves-home",
        "   1  user.contact.email",
        "   1  user.contact.phone_number",
        "1  XB201  unresolved-destination",
        "   1  user.contact.email",
        "1  XB901  parse-error",
    ]


def test_statistics_json_and_selection(project):
    """json counts version 2 findings, json-v1 one finding per category, as version 1 did."""
    exit_code, data, _ = scan_json(project, "--home", "CN", "--statistics", "--select", "XB1")
    assert exit_code == 1
    assert data == [{"code": "XB101", "name": "personal-data-leaves-home", "count": 2,
                     "categories": {"user.contact.email": 1, "user.contact.phone_number": 1}}]
    exit_code, data, _ = scan_json(project, "--home", "CN", "--statistics", "--select", "XB1", fmt="json")
    assert exit_code == 1
    assert data == [{"code": "XB101", "name": "personal-data-leaves-home", "count": 1,
                     "categories": {"user.contact.email": 1, "user.contact.phone_number": 1}}]


def test_statistics_of_a_clean_project(tmp_path):
    root = write_project(tmp_path, {"a.py": CLEAN})
    result = run_cli("scan", "--no-cache", "--home", "CN", "--statistics", root)
    assert result.exit_code == 0 and result.stdout == ""


def test_statistics_needs_text_or_json(project):
    assert_usage_error(run_cli("scan", "--no-cache", "--home", "CN", "--statistics", "--format", "sarif", project), "--statistics")


# ---------------------------------------------------------------- --color, NO_COLOR, FORCE_COLOR

ESCAPE = "\x1b["


@pytest.mark.parametrize("args,env,colored", [
    ((), {}, False),  # piped: nothing extra
    (("--color", "always"), {}, True),
    (("--color", "never"), {"FORCE_COLOR": "1"}, False),
    ((), {"FORCE_COLOR": "1"}, True),
    ((), {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
    ((), {"NO_COLOR": ""}, False),
    (("--color", "always"), {"NO_COLOR": "1"}, True),  # the option wins over the environment
    (("--color", "auto"), {"FORCE_COLOR": ""}, False),  # set but empty: not set
])
def test_color(project, monkeypatch, args, env, colored):
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = run_cli("scan", "--no-cache", "--home", "CN", *args, project)
    assert result.exit_code == 1
    assert (ESCAPE in result.stdout) is colored


def test_color_never_reaches_json_or_a_report_file(project, monkeypatch, tmp_path):
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert ESCAPE not in run_cli("scan", "--no-cache", "--home", "CN", "--format", "json", "--color", "always", project).stdout
    report = tmp_path / "report.txt"
    assert run_cli("scan", "--no-cache", "--home", "CN", "-o", report, project).exit_code == 1
    assert ESCAPE not in report.read_text(encoding="utf-8")


def test_bad_color_value_is_a_usage_error(project):
    assert run_cli("scan", "--no-cache", "--home", "CN", "--color", "sometimes", project).exit_code == 2


# ---------------------------------------------------------------- audit


def test_audit_takes_the_selection_and_excludes(project, tmp_path):
    out = tmp_path / "audit"
    result = run_cli("audit", "--no-cache", "--home", "CN", "--ignore", "XB1", "--extend-exclude", "broken.py", "-o", out, project)
    assert result.exit_code == 0, result.output
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert [f["rule"] for f in data["findings"]] == ["XB201"] and data["errors"] == []
