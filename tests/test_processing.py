"""The record of processing (`xborder audit`: processing.csv/.json), its Fides export, the coverage
section and `audit --compare`."""

from __future__ import annotations

import json
import tomllib

import fideslang.models  # a test dependency (pyproject [test]): the Fides export is checked with fideslang itself
import pytest

from xborder.knowledge import rules_dir
from xborder.knowledge.fides import fides_taxonomy
from xborder.knowledge.schema import check
from xborder.report.processing import COLUMNS

from conftest import FIXTURES, write_project
from test_audit import audit, read_csv


APP = """import requests
import smtplib


def pay(user):
    requests.post("https://api.stripe.com/v1/charges", json={"email": user.email})


def track(user):
    requests.post("https://api.mixpanel.com/track", json={"phone": user.phone})


def mail(user):
    smtplib.SMTP("mail.corp.example.cn").sendmail("shop@corp.example.cn", [user.email], "hi")
"""
CONFIG = """home = "CN"

[destinations]
"*.corp.example.cn" = "CN"

[[allow]]
categories = ["user.contact.email"]
jurisdictions = ["US"]
basis = "cac-standard-contract"
reference = "PIPL-2024-017"

[[processing]]
purpose = "Payments"
data-subjects = ["customer"]
legal-basis = "contract"
data-use = "essential.service.payment_processing"
vendors = ["Stripe"]
"""


def pack(tmp_path, name: str, app: str = APP, config: str = CONFIG, *args):
    project = write_project(tmp_path / f"{name}-src", {"app.py": app, "xborder.toml": config})
    out = tmp_path / name
    result = audit(project, "--output", out, *args)
    assert result.exit_code == 0, result.output
    return out


def rows(out) -> list[dict]:
    table = read_csv(out / "processing.csv")
    assert tuple(table[0]) == COLUMNS
    return [dict(zip(COLUMNS, r)) for r in table[1:]]


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    out = tmp_path_factory.mktemp("processing") / "shop"
    assert audit(FIXTURES / "shop", "--output", out).exit_code == 0
    return out


def test_shop_record_has_every_column_filled_from_config_and_rules(shop):
    records = rows(shop)
    assert len(records) == 13
    for r in records:
        assert all(r[c] for c in COLUMNS), r
    stripe = next(r for r in records if r["recipient"] == "Stripe")
    assert (stripe["purpose"], stripe["data_subjects"], stripe["legal_basis"], stripe["country"], stripe["transfer_mechanism"],
            stripe["evidence"]) == ("Payment of orders", "customer", "contract", "US", "none", "shop/checkout.py:15 requests.post")
    relay = [r for r in records if r["destinations"] == "smtp.mail.shop.internal"]
    assert {r["recipient"] for r in relay} == {"Shop mail relay (own server)"}  # no vendor in the tables: the config names it
    assert {r["transfer_mechanism"] for r in relay} == {"not a transfer"}
    aws = {(r["category"], r["country"]) for r in records if r["recipient"] == "Amazon Web Services"}  # a cloud provider by region
    assert ("user.government_id.cn_resident_id", "US") in aws and ("user.government_id.cn_resident_id", "CN") in aws
    document = json.loads((shop / "processing.json").read_text())
    check(document, "processing.schema.json", "processing.json")
    assert document["version"] == 1 and len(document["records"]) == 13
    assert document["records"][0]["evidence"][0]["path"].startswith("shop/")


def test_one_row_per_category_recipient_country_and_mechanism(tmp_path):
    twice = APP + '\n\ndef refund(user):\n    requests.post("https://api.stripe.com/v1/refunds", json={"email": user.email})\n'
    records = rows(pack(tmp_path, "twice", twice))
    stripe = [r for r in records if r["recipient"] == "Stripe"]
    assert len(stripe) == 1  # two calls, one row, both as evidence
    assert stripe[0]["evidence"] == "app.py:6 requests.post; app.py:18 requests.post"


def test_mechanism_comes_from_allow_and_activities_match_only_their_vendor(tmp_path):
    records = {r["recipient"]: r for r in rows(pack(tmp_path, "allow"))}
    stripe, mixpanel, relay = records["Stripe"], records["Mixpanel"], records["mail.corp.example.cn"]
    assert stripe["transfer_mechanism"] == "cac-standard-contract" and "PIPL-2024-017" in stripe["mechanism_detail"]
    assert stripe["purpose"] == "Payments" and stripe["legal_basis"] == "contract"
    # must not: the Payments activity names Stripe only; no [[allow]] covers phone numbers
    assert (mixpanel["purpose"], mixpanel["data_subjects"], mixpanel["transfer_mechanism"]) == ("", "", "none")
    assert "XB101" in mixpanel["mechanism_detail"]
    assert (relay["transfer_mechanism"], relay["cross_border"]) == ("not a transfer", "no")


def test_adequacy_is_a_mechanism_of_its_own(tmp_path):
    app = 'import requests\n\ndef send(user):\n    requests.post("https://api.example.ch/v1", json={"email": user.email})\n'
    (record,) = rows(pack(tmp_path, "adequate", app, 'home = "DE"\n'))
    assert (record["country"], record["transfer_mechanism"], record["cross_border"]) == ("CH", "adequacy", "yes")


def test_csv_cells_from_the_config_and_the_code_are_defused(tmp_path):
    config = CONFIG.replace('purpose = "Payments"', 'purpose = "=HYPERLINK(\\"http://x\\")"')
    (stripe,) = [r for r in rows(pack(tmp_path, "formula", config=config)) if r["recipient"] == "Stripe"]
    assert stripe["purpose"].startswith("'=")


def test_every_category_has_a_fideslang_key_that_fideslang_knows():
    from fideslang.default_taxonomy import DEFAULT_TAXONOMY

    taxonomy = fides_taxonomy()
    categories = [c["id"] for c in tomllib.loads((rules_dir() / "categories.toml").read_text())["category"]]
    assert sorted(taxonomy.categories) == sorted(categories)
    known = {c.fides_key for c in DEFAULT_TAXONOMY.data_category}
    assert {k for k in taxonomy.categories.values() if k} <= known
    assert set(taxonomy.data_subjects) == {s.fides_key for s in DEFAULT_TAXONOMY.data_subject}
    assert set(taxonomy.data_uses) == {u.fides_key for u in DEFAULT_TAXONOMY.data_use}
    assert taxonomy.categories["important.mapping.survey_data"] is None  # no personal data: left out of the export
    assert taxonomy.key_for("user.contact.email.work") == "user.contact.email"  # a project's category: its parent's key


def test_fides_export_validates_with_fideslang(shop):
    from fideslang.default_taxonomy import DEFAULT_TAXONOMY
    from fideslang.models import Taxonomy

    manifest = json.loads((shop / "processing.fides.yml").read_text())
    taxonomy = Taxonomy(system=manifest["system"])  # fideslang's own models: raises on a bad manifest
    app, *vendors = taxonomy.system
    assert len(app.privacy_declarations) == 5
    assert {v.name for v in vendors} == {"Alipay", "Amazon Web Services", "Mixpanel", "SendGrid", "Sentry",
                                         "Shop mail relay (own server)", "Stripe"}
    keys = {"category": {c.fides_key for c in DEFAULT_TAXONOMY.data_category},
            "use": {u.fides_key for u in DEFAULT_TAXONOMY.data_use},
            "subject": {s.fides_key for s in DEFAULT_TAXONOMY.data_subject}}
    for d in app.privacy_declarations:
        assert set(d.data_categories) <= keys["category"] and d.data_use in keys["use"]
        assert set(d.data_subjects) <= keys["subject"]
        assert set(d.egress) <= {v.fides_key for v in vendors}
    assert app.does_international_transfers and app.meta["xborder"]["undeclared"] == []
    payment = next(d for d in app.privacy_declarations if d.name == "Payment of orders")
    assert payment.legal_basis_for_processing.value == "Contract" and payment.egress == ["alipay", "stripe"]


def test_fides_export_lists_what_no_activity_declares(tmp_path):
    manifest = json.loads((pack(tmp_path, "undeclared") / "processing.fides.yml").read_text())
    fideslang.models.Taxonomy(system=manifest["system"])
    assert manifest["system"][0]["meta"]["xborder"]["undeclared"] == [
        "user.contact.email / mail.corp.example.cn / CN", "user.contact.phone_number / Mixpanel / US"]
    assert manifest["system"][0]["legal_basis_for_transfers"] == ["cac-standard-contract"]


def test_coverage_says_what_the_audit_did_not_see(tmp_path):
    app = APP + "\n\nimport paramiko\n\ndef upload(user):\n    paramiko.SSHClient().exec_command(user.email)\n"
    out = pack(tmp_path, "coverage", app)
    page = (out / "report.html").read_text()
    section = page[page.index('id="coverage"'):page.index('id="findings"')]
    assert "Files analysed</th><td>1 of 1" in section
    assert "paramiko" in section  # an unmodelled network library reached by personal data
    clean = pack(tmp_path, "clean", "def f():\n    return 1\n", 'home = "CN"\n')
    section = (clean / "report.html").read_text()
    assert "Calls into network libraries no rule models</th><td>0" in section
    assert "Calls no rule models" not in section  # must not: no table when nothing is unmodelled


def test_text_report_says_which_files_and_destinations_it_did_not_see(tmp_path):
    from conftest import run_cli

    project = write_project(tmp_path / "p", {"app.py": "import requests, os\n\ndef f(user):\n"
                                             "    requests.post(os.environ['URL'], json={'email': user.email})\n",
                                             "broken.py": "def (:\n", "xborder.toml": 'home = "CN"\n'})
    out = run_cli("scan", "--no-cache", str(project)).stdout
    assert "Not seen: 1 file not analysed; 1 flow to destinations left unknown" in out
    clean = write_project(tmp_path / "q", {"app.py": "x = 1\n", "xborder.toml": 'home = "CN"\n'})
    assert "Not seen" not in run_cli("scan", "--no-cache", str(clean)).stdout


def test_compare_lists_new_gone_and_changed_transfers(tmp_path):
    before = pack(tmp_path, "before")
    app = APP.replace("api.mixpanel.com", "api.amplitude.com") + (
        '\n\ndef pay_again(user):\n    requests.post("https://api.stripe.com/v1/x", json={"email": user.email})\n')
    config = CONFIG.replace('purpose = "Payments"', 'purpose = "Payments and refunds"')
    after = pack(tmp_path, "after", app, config, "--compare", before)
    comparison = json.loads((after / "compare.json").read_text())
    assert [(r["category"], r["recipient"]) for r in comparison["new"]] == [("user.contact.phone_number", "Amplitude")]
    assert [(r["category"], r["recipient"]) for r in comparison["gone"]] == [("user.contact.phone_number", "Mixpanel")]
    (changed,) = comparison["changed"]
    assert changed["recipient"] == "Stripe" and sorted(changed["changes"]) == ["purposes"]  # a second call to the same
    # file and callee is no change (lines are not compared); the purpose is
    assert "Changes since the previous audit" in (after / "report.html").read_text()
    same = pack(tmp_path, "same", APP, CONFIG, "--compare", before)
    assert json.loads((same / "compare.json").read_text())["changed"] == []  # must not: nothing changed
    assert not (before / "compare.json").exists()


def test_compare_refuses_a_folder_without_a_record(tmp_path):
    project = write_project(tmp_path / "src", {"app.py": APP, "xborder.toml": CONFIG})
    empty = tmp_path / "empty"
    empty.mkdir()
    result = audit(project, "--output", tmp_path / "out", "--compare", empty)
    assert result.exit_code == 2 and "processing.json" in result.stderr
    (empty / "processing.json").write_text('{"version": 1, "tool": {"name": "xborder", "version": "0"}, "home": [], '
                                           '"regime": null, "records": [{"category": 1}]}')
    result = audit(project, "--output", tmp_path / "out", "--compare", empty)
    assert result.exit_code == 2 and "processing.json: key 'records[0].category_name': missing required key" in result.stderr, result.stderr


@pytest.mark.parametrize("edit,key", [
    (lambda t: t + '\n[[category]]\nid = "user.name"\nfides = "user.name"\nsource = "s"\n', "category[*].id"),  # twice
    (lambda t: t + '\n[[category]]\nid = "user.new"\nsource = "s"\n', "category[*]"),  # no key and no reason
    (lambda t: t.replace('fides = "user.name"', 'fides = "User Name"', 1), "category[6].fides"),  # not a fideslang key
])
def test_a_bad_fideslang_table_names_file_and_key(tmp_path, edit, key):
    from xborder.errors import ConfigError
    from xborder.knowledge.fides import load_fides

    path = tmp_path / "fideslang.toml"
    path.write_text(edit((rules_dir() / "fideslang.toml").read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_fides(path)
    last = len(tomllib.loads(path.read_text(encoding="utf-8"))["category"]) - 1  # the entry appended
    assert error.value.path == str(path), str(error.value)
    assert error.value.key == key.replace("*", str(last)), str(error.value)


def test_an_unknown_destination_is_a_row_but_no_fides_system(tmp_path):
    app = "import os\nimport requests\n\ndef f(user):\n    requests.post(os.environ['HOOK'], json={'email': user.email})\n"
    config = 'home = "CN"\n[[processing]]\npurpose = "Hooks"\ndata-subjects = ["customer"]\ndata-use = "operations"\ncallees = ["requests.*"]\n'
    out = pack(tmp_path, "unknown", app, config)
    (record,) = rows(out)
    assert (record["recipient"], record["country"], record["transfer_mechanism"], record["purpose"]) == (
        "unknown", "unknown", "unknown destination", "Hooks")
    manifest = json.loads((out / "processing.fides.yml").read_text())
    fideslang.models.Taxonomy(system=manifest["system"])
    (system,) = manifest["system"]  # must not: an "unknown" system
    assert "egress" not in system["privacy_declarations"][0] and system["egress"] is None
    assert system["privacy_declarations"][0]["data_categories"] == ["user.contact.email"]


def test_the_applications_own_store_is_a_row_at_home_and_no_fides_system(tmp_path):
    """A database at an address the configuration gives is where the application runs: not a transfer,
    not an unknown destination, and no third party to declare."""
    app = ("import os\nimport redis\n\nCACHE = redis.Redis(host=os.environ['REDIS_HOST'])\n\n"
           "def f(user):\n    CACHE.set('last', user.email)\n")
    config = 'home = "CN"\n[[processing]]\npurpose = "Sessions"\ndata-subjects = ["customer"]\ndata-use = "operations"\ncallees = ["redis.*"]\n'
    out = pack(tmp_path, "own", app, config)
    (record,) = rows(out)
    assert (record["recipient"], record["country"], record["transfer_mechanism"]) == ("own store", "CN", "not a transfer")
    (system,) = json.loads((out / "processing.fides.yml").read_text())["system"]
    assert "egress" not in system["privacy_declarations"][0] and system["egress"] is None


def test_an_allow_entry_may_name_its_recipients(tmp_path):
    """A contract is signed with one recipient: [[allow]] vendors approves transfers to it only."""
    app = APP + '\n\ndef mail_abroad(user):\n    smtplib.SMTP("smtp.sendgrid.net").sendmail("a@corp.example.cn", [user.email], "x")\n'
    config = CONFIG.replace('reference = "PIPL-2024-017"', 'reference = "PIPL-2024-017"\nvendors = ["Stripe"]')
    records = {r["recipient"]: r for r in rows(pack(tmp_path, "vendor-allow", app, config))}
    assert records["Stripe"]["transfer_mechanism"] == "cac-standard-contract"
    assert records["SendGrid"]["transfer_mechanism"] == "none"  # must not: the same category and country, another recipient
    unscoped = {r["recipient"]: r for r in rows(pack(tmp_path, "any-allow", app))}
    assert unscoped["SendGrid"]["transfer_mechanism"] == "cac-standard-contract"  # without vendors: any recipient
