"""Tests for analyzer/vocabulary.py and the category table rules/categories.toml.

tests/data/identifiers.csv states the truth for real-world identifiers (ORM fields, API keys, form
fields, pinyin, CJK, and the classic look-alikes); the matcher is measured against it, never the
other way round.
"""

from __future__ import annotations

import copy
import csv
import tomllib
from pathlib import Path

import pytest

from xborder.errors import ConfigError
from xborder.knowledge.vocabulary import Explanation, Match, Vocabulary, load_vocabulary, split_words

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
TABLE = Path(__file__).resolve().parent / "data" / "identifiers.csv"


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return load_vocabulary(RULES)


@pytest.fixture(scope="module")
def raw() -> dict:
    return tomllib.loads((RULES / "categories.toml").read_text(encoding="utf-8"))


def category(vocab: Vocabulary, identifier: str, owner: str | None = None) -> str | None:
    match = vocab.classify(identifier, owner)
    return match.category if match else None


# ---------------------------------------------------------------- the truth table


def _rows() -> list[dict]:
    with TABLE.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_table_is_well_formed(vocab):
    rows = _rows()
    assert len(rows) >= 300
    keys = [(r["identifier"], r["owner"]) for r in rows]
    assert len(keys) == len(set(keys)), "duplicate rows"
    for r in rows:
        assert r["identifier"].strip() == r["identifier"] != ""
        assert not r["expected"] or r["expected"] in vocab.categories, r


def test_precision_and_recall(vocab, record_property):
    rows = _rows()
    predicted = correct_predicted = expected = correct_expected = 0
    wrong = []
    for r in rows:
        got = category(vocab, r["identifier"], r["owner"] or None) or ""
        if got:
            predicted += 1
            correct_predicted += got == r["expected"]
        if r["expected"]:
            expected += 1
            correct_expected += got == r["expected"]
        if got != r["expected"]:
            reason = vocab.explain(r["identifier"], r["owner"] or None).reason
            wrong.append(f"{r['identifier']!r} (owner {r['owner']!r}): expected {r['expected'] or None}, got {got or None} [{reason}]")
    precision = correct_predicted / predicted
    recall = correct_expected / expected
    print(f"\nvocabulary: {len(rows)} identifiers, precision {precision:.4f} "
          f"({correct_predicted}/{predicted}), recall {recall:.4f} ({correct_expected}/{expected})")
    for line in wrong:
        print("  mismatch:", line)
    record_property("vocabulary_precision", round(precision, 4))
    record_property("vocabulary_recall", round(recall, 4))
    assert precision >= 0.95, wrong
    assert recall >= 0.90, wrong


@pytest.mark.parametrize(("identifier", "owner", "expected"), [
    ("email", "customer", "user.contact.email"),
    ("phone_number", None, "user.contact.phone_number"),
    ("full_name", None, "user.name"),
    ("first_name", None, "user.name"),
    ("shipping_address", None, "user.contact.address"),
    ("id_card_number", None, "user.government_id.cn_resident_id"),
    ("receipt_email", None, "user.contact.email"),
    ("buyer_phone", None, "user.contact.phone_number"),
    ("customer_id", "customer", "user.unique_id"),
    ("username", None, "user.account.username"),
    ("user_name", None, "user.account.username"),
    ("distinct_id", None, None),
    ("sku", None, None),
    ("order_id", None, None),
    ("total_cents", None, None),
    ("quantity", None, None),
    ("phone_model", None, None),
])
def test_shop_fixture_identifiers(vocab, identifier, owner, expected):
    assert category(vocab, identifier, owner) == expected


# ---------------------------------------------------------------- the category table


def test_category_count_and_families(vocab):
    assert len(vocab.categories) >= 60
    families = {c.family for c in vocab.categories.values()}
    assert families <= {"personal", "important"}
    assert any(c.family == "important" for c in vocab.categories.values())
    for cid in ("important.vehicle.exterior_video", "important.vehicle.sensitive_area_location",
                "important.vehicle.traffic_flow", "important.vehicle.charging_network",
                "important.mapping.survey_data"):
        assert vocab.categories[cid].family == "important"


CORE_IDS = [
    "user.contact.email", "user.contact.phone_number", "user.contact.address", "user.contact.social",
    "user.contact.emergency_contact", "user.name", "user.account.username", "user.unique_id",
    "user.authorization.credentials", "user.government_id", "user.government_id.cn_resident_id",
    "user.government_id.passport", "user.government_id.drivers_license", "user.government_id.ssn",
    "user.government_id.tax_id", "user.demographic.date_of_birth", "user.demographic.age",
    "user.demographic.gender", "user.demographic.race", "user.demographic.ethnicity",
    "user.demographic.nationality", "user.religion", "user.political_opinion", "user.trade_union",
    "user.sexual_orientation", "user.health", "user.genetic", "user.criminal_record", "user.minor",
    "user.biometric.face", "user.biometric.voice", "user.biometric.fingerprint", "user.biometric.iris",
    "user.biometric", "user.device.ip_address", "user.device.device_id", "user.device.cookie_id",
    "user.location.precise", "user.location.coarse", "user.financial.payment_card",
    "user.financial.bank_account", "user.financial.income", "user.financial.credit_score",
    "user.vehicle.license_plate", "user.vehicle.vin", "user.employment", "user.education",
    "user.behavior.browsing_history", "user.marital_status", "user.photo", "user.signature",
]


@pytest.mark.parametrize("cid", CORE_IDS)
def test_core_ids_exist(vocab, cid):
    assert cid in vocab.categories


SENSITIVE = ["user.biometric", "user.biometric.face", "user.biometric.voice", "user.biometric.fingerprint",
             "user.biometric.iris", "user.health", "user.genetic", "user.religion", "user.demographic.race",
             "user.demographic.ethnicity", "user.political_opinion", "user.trade_union",
             "user.sexual_orientation", "user.criminal_record", "user.minor", "user.government_id",
             "user.government_id.cn_resident_id", "user.government_id.passport", "user.financial.payment_card",
             "user.financial.bank_account", "user.location.precise"]


def test_sensitivity(vocab):
    for cid in SENSITIVE:
        assert vocab.categories[cid].sensitive, cid
    for cid in ("user.contact.email", "user.name", "user.unique_id", "user.account.username",
                "user.authorization.credentials", "user.location.coarse"):
        assert not vocab.categories[cid].sensitive, cid


def test_every_category_is_documented(vocab, raw):
    for entry in raw["category"]:
        for key in ("name", "description", "source", "examples"):
            assert entry.get(key), f"{entry['id']} lacks {key}"
        assert entry["examples"].get("match"), entry["id"]
        assert entry["examples"].get("ignore"), entry["id"]


def _owner_split(example: str) -> tuple[str, str | None]:
    """'customer.email' is the attribute email of an object named customer."""
    if "." in example:
        owner, identifier = example.rsplit(".", 1)
        return identifier, owner
    return example, None


def test_examples(vocab):
    problems = []
    for cid, examples in vocab.examples.items():
        for example in examples["match"]:
            identifier, owner = _owner_split(example)
            got = category(vocab, identifier, owner)
            if got != cid:
                problems.append(f"{cid}: {example!r} -> {got} ({vocab.explain(identifier, owner).reason})")
        for example in examples["ignore"]:
            identifier, owner = _owner_split(example)
            if category(vocab, identifier, owner) == cid:
                problems.append(f"{cid}: {example!r} should be ignored ({vocab.explain(identifier, owner).reason})")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- owner context and explanations


def test_owner_context(vocab):
    assert category(vocab, "name", "user") == "user.name"
    assert category(vocab, "name", "self.customer") == "user.name"
    assert category(vocab, "name", "file") is None
    assert category(vocab, "name", None) is None
    assert category(vocab, "file_name", "user") is None      # the other word is not neutral
    assert category(vocab, "new_address", "customer") == "user.contact.address"
    assert category(vocab, "address", "socket") is None
    assert category(vocab, "name", "user_template") is None   # a meta owner gives no context
    assert category(vocab, "name", "ContactForm") == "user.name"          # a form's fields hold what was entered
    assert category(vocab, "message", "ContactForm") == "user.content.private"
    assert category(vocab, "name", "CustomerSerializer") == "user.name"
    assert category(vocab, "name", "EmailForm") is None                   # no person in the owner
    assert category(vocab, "address", "user.profile") == "user.contact.address"  # a profile is a person's record
    assert category(vocab, "city", "Profile") == "user.location.coarse"
    assert category(vocab, "profile_name") is None                        # but not inside a name (boto3)
    assert category(vocab, "region", "corp_profile") is None              # nor a company's profile


def test_category_context(vocab):
    """A category's own context words: the record a weak pattern belongs to, as the owner's head."""
    assert category(vocab, "text", "Review") == "user.content.private"
    assert category(vocab, "comment", "FollowUp") == "user.content.private"
    assert category(vocab, "description", "ticket") == "user.content.private"
    assert category(vocab, "comment_text") == "user.content.private"            # context inside the identifier
    assert category(vocab, "text", "MailTemplate") is None                      # the template is the head
    assert category(vocab, "description", "product") is None
    assert category(vocab, "body", "request") is None
    assert category(vocab, "token", "PhoneToken") == "user.authorization.credentials"
    assert category(vocab, "key", "EmailConfirmation") == "user.authorization.credentials"
    assert category(vocab, "secret_key", "Ticket") == "user.authorization.credentials"
    assert category(vocab, "token", "user") == "user.authorization.credentials"
    assert category(vocab, "token", "SocialToken") is None                      # an OAuth token of a provider
    assert category(vocab, "token", "settings") is None                         # the service's own owner
    assert category(vocab, "password", "api_user") is None
    assert category(vocab, "pk", "subscriber") == "user.unique_id"
    assert category(vocab, "id", "order") is None


def test_owner_compound(vocab):
    """A compound spelled across owner and attribute (order.lines) names what the two words name
    together; only a hit spanning both counts, and words around it veto as in one identifier."""
    assert category(vocab, "lines", "order") == "user.behavior.browsing_history"
    assert category(vocab, "lines", "Checkout") == "user.behavior.browsing_history"
    assert category(vocab, "items", "self.cart") == "user.behavior.browsing_history"
    assert "across owner" in vocab.explain("lines", "order").reason
    assert category(vocab, "lines", "warehouse") is None       # the owner is not a purchase
    assert category(vocab, "lines", None) is None
    assert category(vocab, "total", "order") is None           # the owner alone names nothing
    assert category(vocab, "lines_count", "order") is None     # a meta word after the compound
    assert category(vocab, "lines", "test_order") is None      # a made-up owner


def test_exclusion_inside_the_pattern_does_not_veto(vocab):
    assert category(vocab, "password_reset_token") == "user.authorization.credentials"
    assert category(vocab, "password_reset", "user") is None
def test_service_owner(vocab):
    """What the service's own configuration or credentials hold is the operator's, not a person's."""
    assert category(vocab, "username_or_account", "AvataxConfiguration") is None
    assert category(vocab, "email", "config") is None
    assert category(vocab, "password", "self.credentials") is None
    assert category(vocab, "email", "user") == "user.contact.email"
    assert category(vocab, "email", "contact") == "user.contact.email"
    assert "configuration" in vocab.explain("username", "AvataxConfiguration").reason


def test_explain(vocab):
    hit = vocab.explain("email_template")
    assert isinstance(hit, Explanation) and hit.match is None and "template" in hit.reason
    ok = vocab.explain("customer_name")
    assert ok.match == Match("user.name", ok.match.reason) and "customer" in ok.match.reason
    assert vocab.explain("sku").reason == "no pattern"


def test_digest_is_stable_and_sensitive(vocab, raw):
    assert vocab.digest() == load_vocabulary(RULES).digest()
    extended = vocab.extend([{"id": "user.contact.email", "patterns": ["courriel"]}], "test")
    assert extended.digest() != vocab.digest()
    assert category(extended, "courriel") == "user.contact.email"
    assert category(vocab, "courriel") is None


def test_extend_adds_a_category(vocab):
    extended = vocab.extend([{
        "id": "user.loyalty.number", "name": "Loyalty number", "patterns": ["loyalty number"],
        "examples": {"match": ["loyalty_number"]},
    }], "pyproject.toml")
    assert category(extended, "loyaltyNumber") == "user.loyalty.number"
    assert "user.loyalty.number" not in vocab.categories


# ---------------------------------------------------------------- validation


def _minimal() -> dict:
    return {"matching": {"person_context": ["user"]},
            "category": [{"id": "user.contact.email", "patterns": ["email"]}]}


def test_minimal_table_builds():
    v = Vocabulary.from_data(_minimal())
    assert category(v, "user_email") == "user.contact.email"


@pytest.mark.parametrize(("mutate", "key"), [
    (lambda d: d.update(extra=1), "extra"),
    (lambda d: d["matching"].update(person_words=["x"]), "matching.person_words"),
    (lambda d: d["matching"].update(meta_words="template"), "matching.meta_words"),
    (lambda d: d.update(category=[]), "category"),
    (lambda d: d["category"][0].pop("id"), "category[0].id"),
    (lambda d: d["category"][0].update(id="User Email"), "category[0].id"),
    (lambda d: d["category"][0].update(patterns="email"), "category[0].patterns"),
    (lambda d: d["category"][0].update(patterns=[1]), "category[0].patterns[0]"),
    (lambda d: d["category"][0].update(patterns=["--"]), "category[0].patterns[0]"),
    (lambda d: d["category"][0].update(family="secret"), "category[0].family"),
    (lambda d: d["category"][0].update(sensitive="yes"), "category[0].sensitive"),
    (lambda d: d["category"][0].update(colour="red"), "category[0].colour"),
    (lambda d: d["category"][0].update(examples={"match": ["x"], "maybe": ["y"]}), "category[0].examples.maybe"),
    (lambda d: d["category"].append({"id": "user.contact.email", "patterns": ["mail"]}), "category[1].id"),
    (lambda d: d["category"].append({"id": "user.name", "patterns": []}), "category[1].patterns"),
    (lambda d: d["category"].append({"id": "user.name"}), "category[1].patterns"),
])
def test_from_data_errors_name_the_key(mutate, key):
    data = copy.deepcopy(_minimal())
    mutate(data)
    with pytest.raises(ConfigError) as err:
        Vocabulary.from_data(data, origin="rules/categories.toml")
    assert err.value.key == key
    assert f"key '{key}'" in str(err.value)
    assert "rules/categories.toml" in str(err.value)


@pytest.mark.parametrize(("entries", "key"), [
    ([{"id": "user.contact.email", "name": "renamed"}], "category[0].name"),
    ([{"id": "user.contact.email", "sensitive": True}], "category[0].sensitive"),
    ([{"id": "user.new", "patterns": ["x"]}, {"id": "user.new", "patterns": ["y"]}], "category[1].id"),
])
def test_extend_errors_name_the_key(entries, key):
    """What only the bundled categories can tell; the config's schema checks the shape of entries
    (tests/test_config_errors.py)."""
    v = Vocabulary.from_data(_minimal())
    with pytest.raises(ConfigError) as err:
        v.extend(entries, "pyproject.toml")
    assert err.value.key == key
    assert err.value.path == "pyproject.toml"


def test_load_reports_toml_syntax_errors(tmp_path):
    (tmp_path / "categories.toml").write_text('[matching]\nperson_context = = ["user"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_vocabulary(tmp_path)
    assert err.value.line == 2
    assert "categories.toml" in str(err.value)


def test_load_reports_a_missing_file(tmp_path):
    with pytest.raises(ConfigError):
        load_vocabulary(tmp_path)


# ---------------------------------------------------------------- tokenizing


@pytest.mark.parametrize(("identifier", "words"), [
    ("phone_number", ("phone", "number")),
    ("phoneNumber", ("phone", "number")),
    ("PhoneNumber", ("phone", "number")),
    ("EMAIL_ADDRESS", ("email", "address")),
    ("HTTPRequestIP", ("http", "request", "ip")),
    ("userIDCard", ("user", "id", "card")),
    ("address_line1", ("address", "line", "1")),
    ("icd10Code", ("icd", "10", "code")),
    ("user-email.v2", ("user", "email", "v", "2")),
    ("用户手机号", ("用户手机号",)),
    ("IP地址", ("ip", "地址")),
    ("user姓名", ("user", "姓名")),
    ("__init__", ("init",)),
    ("", ()),
])
def test_split_words(identifier, words):
    assert split_words(identifier) == words


def test_glued_words_are_segmented(vocab):
    assert category(vocab, "useremail") == "user.contact.email"
    assert category(vocab, "idcardno") == "user.government_id.cn_resident_id"
    assert category(vocab, "customerid") == "user.unique_id"
    assert category(vocab, "phonemodel") is None


def test_pickle_round_trip(vocab):
    import pickle
    clone = pickle.loads(pickle.dumps(vocab))
    assert clone.digest() == vocab.digest()
    assert category(clone, "customer_email") == "user.contact.email"


def test_every_category_has_exclusions_that_veto_it():
    vocabulary = load_vocabulary(RULES)
    for category in vocabulary.categories.values():
        assert category.exclude, f"{category.id} has no look-alike exclusions"
        for phrase in category.exclude:
            if any("\u4e00" <= ch <= "\u9fff" for ch in phrase):
                continue  # CJK exclusions are substrings, checked by the examples
            match = vocabulary.classify("_".join(phrase.split()))
            assert match is None or match.category != category.id, (category.id, phrase)
