"""A bad config stops the run with exit 2 and a message naming file, key and line; never a traceback.

`run_cli` does not catch exceptions, so a traceback fails the test that provoked it.
"""

from __future__ import annotations

import json
import time

import pytest

from xborder.knowledge.schema import bundled_dir
from conftest import run_cli, write_project

# Every key of the config, and the JSON Schema of its value.
KEYS = json.loads((bundled_dir("schemas") / "xborder.schema.json").read_text(encoding="utf-8"))["properties"]

SOURCE = {"app.py": "import requests\n\ndef send(user):\n    requests.post('https://api.segment.io/v1', json={'email': user.email})\n"}


def scan_with(tmp_path, toml: str):
    write_project(tmp_path, {**SOURCE, "xborder.toml": toml})
    return run_cli("scan", "--no-cache", str(tmp_path))


def assert_config_error(result, key: str, line: int):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    message = result.stderr.strip()
    assert message.startswith("xborder: error: "), message
    assert f"xborder.toml:{line}: key '{key}'" in message, message


def _wrong_value(schema: dict) -> str:
    """A TOML value of a type the key does not take."""
    return '"forty-two"' if schema.get("type") in ("integer", "number") else "42"


@pytest.mark.parametrize("key", sorted(KEYS))
def test_every_key_with_a_wrong_type(tmp_path, key):
    result = scan_with(tmp_path, f'home = "CN"\n{key} = {_wrong_value(KEYS[key])}\n' if key != "home" else "home = 42\n")
    assert_config_error(result, key, 2 if key != "home" else 1)
    assert "expected" in result.stderr


@pytest.mark.parametrize("key", sorted(k for k in KEYS if KEYS[k].get("type") != "boolean"))
def test_every_key_with_a_boolean(tmp_path, key):
    result = scan_with(tmp_path, f'home = "CN"\n{key} = true\n' if key != "home" else "home = true\n")
    assert_config_error(result, key, 2 if key != "home" else 1)


P = 'home = "CN"\n[[processing]]\npurpose = "Payments"\ndata-subjects = ["customer"]\n'  # a [[processing]] entry begun

CASES = [
    # (config, key, line)
    ('home = "CN"\nexlude = ["tests"]\n', "exlude", 2),
    ('home = ""\n', "home", 1),
    ('home = ["CN", 1]\n', "home[1]", 1),
    ('home = "CN"\nregime = ""\n', "regime", 2),
    ('home = "CN"\nregime = "nope"\n', "regime", 2),
    ('home = "CN"\nfail-on = ""\n', "fail-on", 2),
    ('home = "CN"\nunknown-destinations = "maybe"\n', "unknown-destinations", 2),
    ('home = "CN"\nlocal-jurisdiction = ""\n', "local-jurisdiction", 2),
    ('home = "CN"\nlocal-jurisdiction = "ZZ"\n', "local-jurisdiction", 2),
    ('home = "CN"\nmax-file-bytes = 0\n', "max-file-bytes", 2),
    ('home = "CN"\nmax-file-bytes = 1000.0\n', "max-file-bytes", 2),
    ('home = "CN"\nfile-timeout = -1\n', "file-timeout", 2),
    ('home = "CN"\nfile-timeout = nan\n', "file-timeout", 2),
    ('home = "CN"\ninclude = [""]\n', "include[0]", 2),
    ('home = "CN"\nexclude = ["[abc"]\n', "exclude[0]", 2),
    ('home = "CN"\nsanitizers = [1]\n', "sanitizers[0]", 2),
    ('home = "XX"\n', "home", 1),
    ('home = "CN"\n\n[destinations]\n"*.ok.example" = "US"\n"" = "US"\n', 'destinations.""', 5),
    ('home = "CN"\n\n[destinations]\n"*.example.com" = ""\n', 'destinations."*.example.com"', 4),
    ('home = "CN"\n\n[destinations]\n"*.example.com" = "QQ"\n', 'destinations."*.example.com"', 4),
    ('home = "CN"\n\n[destinations]\n"[a-.example.com" = "US"\n', 'destinations."[a-.example.com"', 4),
    ('home = "CN"\nallow = [1]\n', "allow[0]", 2),
    ('home = "CN"\n[[allow]]\ncategories = ["user"]\njurisdictions = ["US"]\nbasis = "consent"\n'
     '[[allow]]\ncategories = ["user.nope"]\njurisdictions = ["US"]\nbasis = "consent"\n', "allow[1].categories", 7),
    ('home = "CN"\n[[allow]]\ncategories = ["user"]\njurisdictions = ["QQ"]\nbasis = "consent"\n', "allow[0].jurisdictions", 4),
    ('home = "CN"\n[[allow]]\ncategories = []\njurisdictions = ["US"]\nbasis = "consent"\n', "allow[0].categories", 3),
    ('home = "CN"\n[[allow]]\ncategories = ["user"]\njurisdictions = ["US"]\nbasis = 1\n', "allow[0].basis", 5),
    ('home = "CN"\n[[allow]]\ncategories = ["user"]\njurisdictions = ["US"]\nbasis = "consent"\nwhy = "x"\n', "allow[0].why", 6),
    ('home = "CN"\n[[categories]]\nid = 5\n', "categories[0].id", 3),
    ('home = "CN"\n[[categories]]\npatterns = ["x"]\n', "categories[0].id", 2),
    ('home = "CN"\n[[categories]]\nid = "user.new"\npatterns = ["x"]\nfamily = "other"\n', "categories[0].family", 5),
    ('home = "CN"\ncategories = ["user.new"]\n', "categories[0]", 2),
    ('home = "CN"\ncategories = { id = "user.new" }\n', "categories", 2),
    ('home = "CN"\n\n[destinations]\n"*.corp.example" = 49\n', 'destinations."*.corp.example"', 4),
    ('home = "CN"\n[[sinks]]\ncallee = "x.send"\n', "sinks[0].kind", 2),
    ('home = "CN"\n[[clients]]\nconstructor = []\n', "clients[0].constructor", 3),
    # [[processing]]: the record of processing (report/processing.py)
    (f'{P}vendors = ["Stripe"]\n[[processing]]\npurpose = "x"\ndata-subjects = ["customer"]\nvendors = ["Strpe"]\n',
     "processing[1].vendors[0]", 9),
    (f'{P.replace("customer", "customers")}vendors = ["Stripe"]\n', "processing[0].data-subjects[0]", 4),
    (f'{P}vendors = ["Stripe"]\ndata-use = "payments"\n', "processing[0].data-use", 6),
    (f'{P}vendors = ["Stripe"]\nlegal-basis = "because"\n', "processing[0].legal-basis", 6),
    (f'{P}vendors = ["Stripe"]\ncategories = ["user.nope"]\n', "processing[0].categories[0]", 6),
    (f'{P}recipient = "Own server"\n', "processing[0]", 2),  # nothing to match flows by
    ('home = "CN"\n[[processing]]\ndata-subjects = ["customer"]\nvendors = ["Stripe"]\n', "processing[0].purpose", 2),
    ('home = "CN"\n[[allow]]\ncategories = ["user"]\njurisdictions = ["US"]\nbasis = "consent"\nvendors = ["Mixpanl"]\n',
     "allow[0].vendors[0]", 6),
]


@pytest.mark.parametrize("toml,key,line", CASES, ids=[c[1] + f"-{i}" for i, c in enumerate(CASES)])
def test_bad_value(tmp_path, toml, key, line):
    assert_config_error(scan_with(tmp_path, toml), key, line)


def test_malformed_toml(tmp_path):
    result = scan_with(tmp_path, 'home = "CN"\ninclude = ["a",\n')
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "xborder.toml:2: invalid TOML" in result.stderr, result.stderr


def test_pyproject_table_of_wrong_type(tmp_path):
    write_project(tmp_path, {**SOURCE, "pyproject.toml": "[tool]\nxborder = 5\n", "xborder.toml": ""})
    result = run_cli("scan", "--no-cache", "--config", str(tmp_path / "pyproject.toml"), str(tmp_path))
    assert result.exit_code == 2 and "key 'tool.xborder'" in result.stderr


def test_pathological_patterns_are_refused_or_harmless(tmp_path):
    """Host patterns are globs, so a regex such as (a+)+$ is refused; category patterns are word
    sequences, never compiled as regexes, so the same text is inert and the scan stays fast."""
    assert_config_error(scan_with(tmp_path, 'home = "CN"\n[destinations]\n"(a+)+$" = "US"\n'), 'destinations."(a+)+$"', 3)
    started = time.monotonic()
    toml = ('home = "CN"\n[[categories]]\nid = "user.custom"\nname = "Custom"\ndescription = "d"\nfamily = "personal"\n'
            'sensitive = false\npatterns = ["(a+)+$"]\nsource = "test"\n')
    write_project(tmp_path, {"evil.py": "x = '" + "a" * 5000 + "!'\n"})
    result = scan_with(tmp_path, toml)
    assert result.exit_code in (0, 1), result.output
    assert time.monotonic() - started < 30
