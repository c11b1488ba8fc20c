"""One JSON Schema for every data file (issue 10): the config, each kind of rules file, the baseline
and the JSON report, under schemas/, checked by analyzer/knowledge/schema.py with one error shape."""

from __future__ import annotations

import copy
import json
import re
import shutil
import tomllib

import pytest
from jsonschema import Draft202012Validator

from xborder.errors import ConfigError
from xborder.knowledge import Catalog, load_knowledge, rules_dir, schema
from xborder.knowledge.config import Config, parse_config
from xborder.knowledge.schema import PASSED, bundled_dir, check
from conftest import ROOT, run_cli, scan_json, write_project

SCHEMAS = sorted(bundled_dir("schemas").rglob("*.schema.json"))
LEAK = 'import requests\n\n\ndef send(user):\n    requests.post("https://api.mixpanel.com/track", json={"email": user.email})\n'


@pytest.mark.parametrize("path", SCHEMAS, ids=[p.name for p in SCHEMAS])
def test_every_schema_is_a_valid_draft_2020_12_schema(path):
    Draft202012Validator.check_schema(json.loads(path.read_text(encoding="utf-8")))


def test_the_bundled_rules_pass_their_schemas_and_are_remembered():
    """Fails after a rules file or a schema changed: `python -m xborder.knowledge` checks them again
    and rewrites the fingerprints, so that loading the rules need not check them on every scan."""
    remembered = (bundled_dir("schemas") / PASSED).read_text(encoding="utf-8")
    assert schema.record_bundled_rules() == remembered, f"run `python -m xborder.knowledge` to refresh schemas/{PASSED}"


def test_loading_the_bundled_rules_checks_them_no_more(monkeypatch):
    monkeypatch.setattr(schema, "_validator", lambda name: pytest.fail(f"the bundled rules were checked against {name}"))
    load_knowledge(Config())


def test_a_changed_rules_file_is_checked_again(tmp_path):
    shutil.copytree(rules_dir() / "sinks", tmp_path / "sinks")
    shutil.copy(rules_dir() / "flow.toml", tmp_path / "flow.toml")
    http = tmp_path / "sinks" / "http.toml"
    http.write_text(http.read_text(encoding="utf-8").replace('kind = "network"', 'kind = "netwrok"', 1), encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        Catalog.load(tmp_path)
    assert (error.value.path, error.value.key) == ("rules/sinks/http.toml", "sink[0].kind")
    assert "expected one of network, storage" in error.value.message and "'netwrok'" in error.value.message


def _network() -> dict:
    return tomllib.loads((rules_dir() / "destinations" / "network.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("mutate", "key", "message"), [
    (lambda d: d["special"][0].update(host="x.test"), "special[0]", "give exactly one of cidr, host, single_label, scheme"),
    (lambda d: d["special"][0].pop("cidr"), "special[0]", "give exactly one of cidr, host, single_label, scheme"),
    (lambda d: d["countries"]["codes"].update(xx="X"), "countries.codes.xx", "'xx' must be a two-letter uppercase code"),
    (lambda d: d["cctld"].update(confidence="sure"), "cctld.confidence", "expected one of recalled, got 'sure'"),
    (lambda d: d["cctld"].pop("source"), "cctld.source", "missing required key"),
    (lambda d: d["special"][0].update(name=" "), "special[0].name", "' ' must not be blank"),
    (lambda d: d["special"][0].pop("cidr") and d["special"][0].update(single_label=False),
     "special[0].single_label", "expected true, got false"),
    (lambda d: d.update(vendor=[]), "vendor", "unknown key 'vendor' (known: cctld, countries, special)"),
])
def test_messages_name_the_key(mutate, key, message):
    data = copy.deepcopy(_network())
    mutate(data)
    with pytest.raises(ConfigError) as error:
        check(data, "destinations/network.schema.json", "network.toml")
    assert (error.value.key, error.value.message) == (key, message)


def test_a_key_that_is_not_a_bare_toml_key_is_quoted():
    with pytest.raises(ConfigError) as error:
        check({"joiners": {"os.path.join": 1}}, "flow.schema.json", "flow.toml")
    assert error.value.key == 'joiners."os.path.join"' and error.value.message == "expected string, got integer"


def test_a_signal_parameter_must_be_something_the_framework_passes():
    entry = {"signals": ["celery.signals.task_failure"], "params": {"kwargs": "the task's kwargs"}, "source": "Celery docs"}
    with pytest.raises(ConfigError) as error:
        check({"signals": {"framework": [entry]}}, "flow.schema.json", "flow.toml")
    assert error.value.key.startswith("signals.framework") and "kwargs" in error.value.key


def _report_ok(doc: dict) -> None:
    check(doc, "report.schema.json", "report")


def test_reports_with_baseline_suppressions_and_errors_match_the_report_schema(tmp_path):
    """The fixtures' reports are checked in tests/test_fixtures.py; here the optional parts."""
    project = write_project(tmp_path / "p", {"a.py": LEAK, "b.py": LEAK.replace("email", "phone"), "broken.py": "def (:\n",
                                             "c.py": LEAK.replace("})\n", "})  # xborder: ignore[XB101] approved\n")})
    assert run_cli("baseline", "--no-cache", "--home", "CN", tmp_path / "b.json", project).exit_code == 0
    baseline = json.loads((tmp_path / "b.json").read_text())
    check(baseline, "baseline.schema.json", "b.json")
    (project / "b.py").unlink()
    code, data, stderr = scan_json(project, "--home", "CN", "--baseline", tmp_path / "b.json", "--show-suppressed")
    assert data is not None, stderr
    assert data["baseline"]["stale"] and data["errors"] and any("suppressed" in f for f in data["findings"])
    _report_ok(data)


def test_the_report_schema_catches_a_wrong_report():
    with pytest.raises(ConfigError) as error:
        _report_ok({"version": 1, "tool": {"name": "xborder", "version": "0"}, "home": ["CN"], "regime": None,
                    "findings": [{"rule": "XB101"}], "errors": [], "sanitized": [], "stats": {"files": 1, "seconds": 0}})
    assert error.value.key.startswith("findings[0].") and error.value.message == "missing required key"


def _readme_config() -> str:
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Configuration", 1)[1]
    return re.search(r"```toml\n(.*?)```", section, re.S).group(1)


def test_the_readme_example_config_passes_the_schema_and_the_rules():
    data = tomllib.loads(_readme_config())["tool"]["xborder"]
    load_knowledge(parse_config(data, "README.md"))


def test_the_readme_says_how_editors_use_the_published_schema():
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Configuration", 1)[1].split("\n## ", 1)[0]
    assert "#:schema" in section and "xborder.schema.json" in section


def _described(node, where: str):
    """Every key the published config schema defines, with its description (None when missing)."""
    if isinstance(node, dict):
        for name, value in node.get("properties", {}).items():
            yield f"{where}.{name}", value.get("description")
        for name, value in node.items():
            yield from _described(value, f"{where}.{name}")


def test_the_published_config_schema_describes_every_key():
    published = json.loads((bundled_dir("schemas") / "xborder.schema.json").read_text(encoding="utf-8"))
    assert published["title"] and published["description"]
    keys = dict(_described(published, ""))
    assert len(keys) > 40
    assert [key for key, description in keys.items() if not description] == []
