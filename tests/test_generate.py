"""Sink models generated from an SDK's own code (issue 12): `xborder models generate` and `scan --python-path`.

The SDK is fixtures/sdk_generate/site/pushly, a fake push vendor laid out like a real SDK (a client
class with a base URL constant, a private transport posting with a requests.Session, a module-level
helper), read by xborder's own summarizer and propagation, never imported. Its `send(to, body)` must
be a model with the host constant; `health()` (a constant URL, no caller data), `note(text)` (the
text only goes to a log) and `ping()` must not.
"""

from __future__ import annotations

import json
import tomllib

from xborder.generate.distribution import from_folder
from xborder.commands.models import models_text
from xborder.knowledge import load_knowledge, rules_dir
from xborder.knowledge.catalog import Catalog, parse_sink
from xborder.knowledge.config import Config
from xborder.knowledge.schema import check, rules_schema
from conftest import FIXTURES, run_cli, scan_json

SITE = FIXTURES / "sdk_generate" / "site"


def _generated() -> tuple[str, dict]:
    text, _ = models_text(from_folder("pushly", SITE), load_knowledge(Config()), jobs=1)
    return text, tomllib.loads(text)


def test_a_method_whose_parameters_reach_requests_is_a_model_with_its_host_and_provenance():
    text, data = _generated()
    sinks = {s["callee"]: s for s in data["sink"]}
    send = sinks["pushly.Client.send"]
    assert send["kind"] == "network" and send["params"] == ["to", "body"] and send["data"] == ["to", "body"]
    assert send["default"] == "api.pushly.de"
    assert send["generated"] == {"package": "pushly", "version": "1.2.0", "primitive": "requests.Session.post",
                                 "call": "pushly/transport/http.py:12", "host": "pushly/client.py:5"}
    # The module-level helper, by its public names (where defined, and re-exported by the package).
    assert sinks["pushly.send_alert"]["data"] == ["phone", "text"] and "pushly.client.send_alert" in sinks
    clients = {c["constructor"]: c for c in data["client"]}
    assert clients["pushly.Client"]["type"] == "pushly.Client"
    assert clients["pushly.Client"]["destination"] == {"base_url": "url"}  # its default is the host constant
    check(data, rules_schema("sinks/generated/pushly.toml", "pushly.toml"), "pushly.toml")


def test_look_alikes_are_no_models():
    _, data = _generated()
    callees = {s["callee"] for s in data["sink"]}
    # health(): requests.get on a constant URL with no caller data; note(text): only logged;
    # ping(): a constant URL; _raw: private.
    assert not {c for c in callees if c.rsplit(".", 1)[1] in ("health", "note", "ping", "_raw")}


def test_the_sdk_s_own_credential_is_no_data():
    # flow.toml authenticating: an `api_key` parameter signs the call; a function sending only it is no model.
    _, data = _generated()
    sinks = {s["callee"]: s for s in data["sink"]}
    assert sinks["pushly.client.lookup"]["data"] == ["phone"]
    assert "pushly.account_balance" not in sinks and "pushly.client.account_balance" not in sinks


def test_a_resource_the_client_sets_in_its_constructor_is_modelled_under_its_attribute():
    # `self.contacts = Contacts(...)`: `Client(key).contacts.add(phone)` is a model of its own; an
    # attribute that is a list its objects are added to (`self.groups`) is none.
    _, data = _generated()
    sinks = {s["callee"]: s for s in data["sink"]}
    assert sinks["pushly.Client.contacts.add"]["data"] == ["phone"]
    assert sinks["pushly.Client.contacts.add"]["default"] == "api.pushly.de"
    assert not [c for c in sinks if ".groups." in c]


def test_a_call_reached_along_several_paths_is_cited_once():
    # Pending calls of one site, kept apart by what they carry, are one Reach: the bundled files'
    # `source` lines name each primitive call once (pushover-complete's cited one call ten times).
    repeated = []
    for path in sorted((rules_dir() / "sinks" / "generated").glob("*.toml")):
        for sink in tomllib.loads(path.read_text(encoding="utf-8")).get("sink", []):
            calls = sink["source"].split(": ", 1)[1].split("; ")
            if len(calls) != len(set(calls)):
                repeated.append(f"{path.name}: {sink['callee']}")
    assert not repeated, repeated


def test_generation_is_deterministic():
    assert _generated()[0] == _generated()[0]


def test_a_hand_written_model_overrides_a_generated_one():
    catalog = Catalog.load(rules_dir())
    hand = catalog.sink("requests.post")
    fake = parse_sink({"callee": "requests.post", "kind": "storage", "default": "elsewhere.example.com"}, "generated")
    new = parse_sink({"callee": "pushly.Client.send", "kind": "network", "default": "api.pushly.de"}, "generated")
    merged = catalog.with_generated([], [fake, new])
    assert merged.sink("requests.post") == hand and merged.sink("requests.post").origin.endswith("http.toml")
    assert merged.sink("pushly.Client.send") == new


def test_the_command_writes_the_models_file(tmp_path):
    result = run_cli("models", "generate", "pushly", "--from-dir", SITE, "--output", tmp_path, "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "pushly.Client.send" in (tmp_path / "pushly.toml").read_text(encoding="utf-8")
    bad = run_cli("models", "generate", "not a name", "--from-dir", SITE, "--output", tmp_path)
    assert bad.exit_code == 2 and "PACKAGE==VERSION" in bad.output


APP = FIXTURES / "sdk_generate"


def _finding_lines(data) -> list:
    return [(f["rule"], f["sink"]["path"], f["sink"]["line"], f["destination"]["host"]) for f in data["findings"]]


def test_without_python_path_the_unmodelled_sdk_call_is_listed_under_coverage():
    code, data, stderr = scan_json(APP)
    assert code == 0 and data["findings"] == [], stderr
    listed = {u["callee"]: u for u in data["coverage"]["unmodeled_calls"]}
    assert listed["pushly.Client.send"]["package"] == "pushly"
    # the call on a project subclass of the SDK's client is listed under the SDK's name too
    assert listed["pushly.Client.send"]["sites"] == [{"path": "app.py", "line": 6}, {"path": "app.py", "line": 18}]
    assert listed["pushly.Client.send"]["categories"] == ["user.contact.phone_number"]
    assert "pushly.Client.health" not in listed  # no personal data reaches it


def test_with_python_path_the_sdk_is_modelled_from_its_code_and_the_flow_found():
    code, data, stderr = scan_json(APP, "--python-path", SITE)
    assert code == 1, stderr
    assert _finding_lines(data) == [("XB101", "app.py", 6, "api.pushly.de"), ("XB101", "app.py", 18, "api.pushly.de")]
    assert data["coverage"]["unmodeled_calls"] == []


def test_a_python_path_without_the_sdk_changes_nothing(tmp_path):
    code, data, _ = scan_json(APP, "--python-path", tmp_path)
    assert code == 0 and data["findings"] == []
    assert [u["callee"] for u in data["coverage"]["unmodeled_calls"]] == ["pushly.Client.send"]


def test_the_audit_takes_a_python_path_too(tmp_path):
    """The auditor's inventory holds the flow into the unmodelled SDK only with --python-path."""
    found = [("XB101", "app.py", 6, "api.pushly.de"), ("XB101", "app.py", 18, "api.pushly.de")]
    for flag, expected in (((), []), (("--python-path", str(SITE)), found)):
        folder = tmp_path / ("with" if flag else "without")
        result = run_cli("audit", "--no-cache", "--home", "CN", "-o", folder, *flag, APP)
        assert result.exit_code == 0, result.output
        assert _finding_lines(json.loads((folder / "findings.json").read_text(encoding="utf-8"))) == expected


def test_generated_models_are_cached_per_package_version_and_a_damaged_entry_is_made_again(tmp_path):
    cache = tmp_path / "cache"
    result = run_cli("scan", "--format", "json", "--cache-dir", cache, "--python-path", SITE, APP)
    assert result.exit_code == 1, result.output
    [entry] = sorted((cache / "models").glob("pushly-1.2.0-*.toml"))
    assert "pushly.Client.send" in entry.read_text(encoding="utf-8")
    entry.write_text('[[sink]]\ncallee = "pushly.Client.send"\nkind = "nowhere"\n', encoding="utf-8")
    again = run_cli("scan", "--format", "json", "--cache-dir", cache, "--python-path", SITE, APP)
    assert again.exit_code == 1 and _finding_lines(json.loads(again.stdout)) == [("XB101", "app.py", 6, "api.pushly.de"), ("XB101", "app.py", 18, "api.pushly.de")]
    assert "api.pushly.de" in entry.read_text(encoding="utf-8")


def test_the_bundled_generated_models_are_loaded_and_report(tmp_path):
    """rules/sinks/generated/telesign.toml (generated from telesign 4.1.1): a phone number sent with
    MessagingClient.message reaches rest-api.telesign.com (telesign/rest.py:50, the default
    rest_endpoint); a status lookup with a constant reference sends no one's data."""
    catalog = Catalog.load(rules_dir())
    assert catalog.sink("telesign.messaging.MessagingClient.message").origin == "rules/sinks/generated/telesign.toml"
    project = tmp_path / "app"
    project.mkdir()
    (project / "app.py").write_text(
        "from telesign.messaging import MessagingClient\n\n\n"
        "def verify(user):\n"
        "    MessagingClient('cid', 'key').message(user.phone_number, 'Your code is 1234', 'OTP')\n\n\n"
        "def check():\n"
        "    MessagingClient('cid', 'key').status('ref-1')\n", encoding="utf-8")
    code, data, stderr = scan_json(project, "--home", "CN")
    assert code == 1, stderr
    assert _finding_lines(data) == [("XB101", "app.py", 5, "rest-api.telesign.com")]
