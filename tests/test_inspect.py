"""The inspection commands: explain, classify, where, rules, and a project's additions to them."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli, scan_json, write_project


def _json(result):
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads(result.stdout)


# ----------------------------------------------------------------------------- explain


def test_explain_known_code():
    result = run_cli("explain", "XB101")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("XB101")
    assert "What it does" in result.stdout
    assert "Why is this bad?" in result.stdout


def test_explain_is_case_insensitive():
    assert run_cli("explain", "xb201").exit_code == 0


def test_explain_unknown_code_is_a_usage_error():
    result = run_cli("explain", "XB999")
    assert result.exit_code == 2
    assert "XB999" in result.stderr
    assert "XB101" in result.stderr  # the known codes are listed
    assert result.stdout == ""


# ----------------------------------------------------------------------------- classify


def test_classify_json():
    rows = _json(run_cli("classify", "email_template", "phone_number", "--format", "json"))
    assert [r["identifier"] for r in rows] == ["email_template", "phone_number"]
    template, phone = rows
    assert template["category"] is None
    assert "template" in template["reason"]  # vetoed by the meta word, and it says so
    assert phone["category"] == "user.contact.phone_number"
    assert phone["reason"]


def test_classify_text():
    result = run_cli("classify", "email_template", "phone_number")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("email_template: not personal data (")
    assert lines[1].startswith("phone_number: user.contact.phone_number (")


def test_classify_owner_gives_person_context():
    # "nickname" is a weak pattern: it needs an owner that names a person.
    alone, owned = (_json(run_cli("classify", "nickname", "--format", "json", *extra))[0]
                    for extra in ((), ("--owner", "user")))
    assert alone["category"] is None
    assert owned["category"] == "user.name" and owned["owner"] == "user"


# ----------------------------------------------------------------------------- where


def test_where_saas_host():
    result = run_cli("where", "api-eu.mixpanel.com")
    assert result.exit_code == 0
    assert result.stdout.startswith("api-eu.mixpanel.com: EU (")


def test_where_json():
    row = _json(run_cli("where", "api-eu.mixpanel.com", "--format", "json"))
    assert row["destination"] == "api-eu.mixpanel.com"
    assert row["jurisdiction"] == "EU"
    assert row["rule"] and row["source"]


def test_where_url():
    row = _json(run_cli("where", "https://api-eu.mixpanel.com/track?verbose=1", "--format", "json"))
    assert row["jurisdiction"] == "EU"


def test_where_region():
    result = run_cli("where", "s3", "--region", "cn-north-1", "--provider", "aws")
    assert result.exit_code == 0
    assert result.stdout.startswith("cn-north-1: CN (")
    row = _json(run_cli("where", "s3", "--region", "cn-north-1", "--provider", "aws", "--format", "json"))
    assert row["destination"] == "cn-north-1"
    assert row["jurisdiction"] == "CN"
    assert "cn-north-1" in row["rule"]


@pytest.mark.parametrize("text,jurisdiction", [
    ("us-west-2", "US"),  # a bare region: every provider that has it agrees
    ("aws:us-west-2", "US"),
    ("aws:cn-north-1", "CN"),
    ("http://redis:6379/0", "HOME"),  # a single-label host in a URL, as a scan reads it
    ("postgresql://u:p@db.example.de/app", "DE"),
    ("host=db.example.cn dbname=app", "CN"),
    ("sqlite:///local.db", "HOME"),
])
def test_where_reads_urls_dsns_and_regions(text, jurisdiction):
    assert _json(run_cli("where", text, "--format", "json"))["jurisdiction"] == jurisdiction


@pytest.mark.parametrize("word", ["redis", "foobar"])
def test_where_says_when_a_bare_word_cannot_be_placed(word):
    result = run_cli("where", word)
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{word}: unknown (cannot place '{word}'")


def test_where_needs_a_destination():
    assert run_cli("where").exit_code == 2


def test_where_agrees_with_the_scan(tmp_path):
    """`where` and a scan use one resolver: each destination a scan placed, `where` places the same."""
    write_project(tmp_path, {"app.py": (
        "import boto3\nimport psycopg2\nimport requests\n\n\ndef f(user):\n"
        "    boto3.client('s3', region_name='us-west-2').put_object(Bucket='b', Key='k', Body=user.email)\n"
        "    requests.post('https://api.mixpanel.com/track', json={'email': user.email})\n"
        "    requests.post('http://crm:8080/x', json={'email': user.email})\n"
        "    psycopg2.connect('postgresql://u@db.example.de/app').cursor().execute('insert', (user.email,))\n"
    )})
    _, data, _ = scan_json(tmp_path, "--home", "CN")
    placed = {(f["destination"]["host"] or f["destination"]["region"]): f["destination"]["jurisdiction"] for f in data["findings"]}
    assert set(placed) == {"us-west-2", "api.mixpanel.com", "db.example.de"}, placed
    for text, jurisdiction in placed.items():
        assert _json(run_cli("where", text, "--format", "json"))["jurisdiction"] == jurisdiction


def test_where_unknown_host():
    row = _json(run_cli("where", "nowhere.invalid-tld-xyz", "--format", "json"))
    assert row["jurisdiction"] is None


# ----------------------------------------------------------------------------- rules


def test_rules_sinks_json():
    data = _json(run_cli("rules", "sinks", "--format", "json"))
    assert list(data) == ["sinks"]
    assert len(data["sinks"]) > 0
    callees = {s["callee"] for s in data["sinks"]}
    assert {"requests.post", "httpx.Client.post", "boto3.s3.put_object"} <= callees
    assert all(s["kind"] for s in data["sinks"])


def test_rules_categories_text():
    result = run_cli("rules", "categories")
    assert result.exit_code == 0
    header = result.stdout.splitlines()[0]
    assert header.startswith("# categories (")
    count = int(header.split("(")[1].rstrip(")"))
    assert count > 0
    assert len(result.stdout.splitlines()) == count + 1
    assert "user.contact.email" in result.stdout


def test_rules_all_kinds_json():
    data = _json(run_cli("rules", "--format", "json"))
    assert set(data) == {"categories", "sinks", "destinations", "regimes", "codes"}
    assert all(len(v) > 0 for v in data.values())


def test_rules_sinks_of_one_library_say_where_each_model_comes_from():
    data = _json(run_cli("rules", "sinks", "--library", "twilio", "--format", "json"))
    assert data["library"] == "twilio" and data["coverage"] is True
    assert {s["callee"] for s in data["sinks"]} >= {"twilio.rest.Client.messages.create", "twilio.rest.Client.calls.create"}
    assert all(s["callee"].startswith("twilio.") for s in data["sinks"] + [{"callee": c["constructor"]} for c in data["clients"]])
    assert {s["origin"] for s in data["sinks"]} == {"rules/sinks/messaging.toml"}
    assert all(s["source"] for s in data["sinks"])
    text = run_cli("rules", "sinks", "--library", "twilio").stdout
    assert text.startswith("# twilio: ") and "from rules/sinks/messaging.toml" in text


def test_rules_sinks_of_one_library_say_which_are_the_applications_own_stores():
    data = _json(run_cli("rules", "sinks", "--library", "redis", "--format", "json"))
    assert {s["callee"]: s["own"] for s in data["sinks"]}["redis.Redis.set"] is True
    twilio = _json(run_cli("rules", "sinks", "--library", "twilio", "--format", "json"))
    assert not any(s["own"] for s in twilio["sinks"])
    assert "redis.Redis.set  [storage, own store]" in run_cli("rules", "sinks", "--library", "redis").stdout


def test_rules_library_not_modelled_says_whether_coverage_lists_it():
    listed = run_cli("rules", "--library", "requests_oauthlib_unmodelled")
    assert listed.exit_code == 0
    assert "nothing is modelled" in listed.stdout and "not in rules/libraries.toml" in listed.stdout
    assert run_cli("rules", "sinks", "--library", "twil").stdout.count("twilio.rest") == 0  # a package, not a prefix


def test_rules_library_with_another_kind_is_a_usage_error():
    result = run_cli("rules", "categories", "--library", "twilio")
    assert result.exit_code == 2
    assert "--library" in result.stderr


def test_rules_library_shows_a_project_model_with_its_config(tmp_path):
    path = tmp_path / "xborder.toml"
    path.write_text('home = "CN"\n[[sinks]]\ncallee = "acme_sms.Client.send"\nkind = "messaging"\n'
                    'default = "api.acme-sms.example"\nsource = "acme-sms README"\n', encoding="utf-8")
    data = _json(run_cli("rules", "sinks", "--library", "acme_sms", "--format", "json", "--config", path))
    assert [(s["callee"], s["origin"]) for s in data["sinks"]] == [("acme_sms.Client.send", str(path))]


# ----------------------------------------------------------------------------- project config


CONFIG = '''home = "CN"

[destinations]
"*.corp.example.com" = "CN"

[[categories]]
id = "user.loyalty.member_number"
name = "Loyalty programme member number"
description = "The number on a customer's loyalty card."
family = "personal"
patterns = ["loyalty number", "member number"]
'''


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "xborder.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def test_config_category_shows_in_rules(config):
    bundled = _json(run_cli("rules", "categories", "--format", "json"))["categories"]
    extended = _json(run_cli("rules", "categories", "--format", "json", "--config", config))["categories"]
    assert "user.loyalty.member_number" not in {c["id"] for c in bundled}
    added = [c for c in extended if c["id"] == "user.loyalty.member_number"]
    assert len(added) == 1
    assert added[0]["name"] == "Loyalty programme member number"
    assert len(extended) == len(bundled) + 1
    text = run_cli("rules", "categories", "--config", config).stdout
    assert "user.loyalty.member_number" in text


def test_config_category_shows_in_classify(config):
    before = _json(run_cli("classify", "loyalty_number", "--format", "json"))[0]
    after = _json(run_cli("classify", "loyalty_number", "--format", "json", "--config", config))[0]
    assert before["category"] is None
    assert after["category"] == "user.loyalty.member_number"


def test_config_destination_shows_in_where(config):
    before = _json(run_cli("where", "erp.corp.example.com", "--format", "json"))
    after = _json(run_cli("where", "erp.corp.example.com", "--format", "json", "--config", config))
    assert before["jurisdiction"] != "CN"
    assert after["jurisdiction"] == "CN"
    assert "*.corp.example.com" in after["rule"]


def test_config_destination_shows_in_rules(config):
    rows = _json(run_cli("rules", "destinations", "--format", "json", "--config", config))["destinations"]
    project = [r for r in rows if r["match"] == "*.corp.example.com"]
    assert len(project) == 1
    assert project[0]["jurisdiction"] == "CN"
    assert project[0]["kind"] == "project"
    bundled = _json(run_cli("rules", "destinations", "--format", "json"))["destinations"]
    assert not [r for r in bundled if r["match"] == "*.corp.example.com"]


def test_bad_config_is_a_usage_error(tmp_path):
    path = tmp_path / "xborder.toml"
    path.write_text('home = "CN"\nunknown-key = 1\n', encoding="utf-8")
    result = run_cli("rules", "categories", "--config", path)
    assert result.exit_code == 2
    assert "unknown-key" in result.stderr
