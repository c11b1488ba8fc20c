"""`xborder audit`: the evidence pack (HTML, CSV, JSON, SARIF), its escaping, and how a browser renders it."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from xborder.commands import cli
from xborder.report.inventory import COLUMNS

from conftest import FIXTURES, write_project

SHOP_FINDINGS, SHOP_FLOWS, SHOP_FILES = 8, 13, 9
HOSTILE = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')


def audit(*args):
    return CliRunner().invoke(cli, ["audit", "--no-cache", *map(str, args)], catch_exceptions=False)


@pytest.fixture(scope="module")
def shop_pack(tmp_path_factory):
    out = tmp_path_factory.mktemp("audit") / "shop"
    result = audit(FIXTURES / "shop", "--output", out)
    assert result.exit_code == 0, result.output
    return out, result


def read_csv(path):
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def test_shop_pack_has_the_four_files_and_is_silent_when_piped(shop_pack):
    out, result = shop_pack
    for name in ("report.html", "inventory.csv", "findings.json", "findings.sarif"):
        assert (out / name).is_file(), name
    assert result.stderr == ""
    assert len(json.loads((out / "findings.json").read_text())["findings"]) == SHOP_FINDINGS
    assert json.loads((out / "findings.sarif").read_text())["version"] == "2.1.0"


def test_shop_inventory_lists_every_flow_including_home(shop_pack):
    rows = read_csv(shop_pack[0] / "inventory.csv")
    assert tuple(rows[0]) == COLUMNS
    records = [dict(zip(COLUMNS, r)) for r in rows[1:]]
    assert len(records) == SHOP_FLOWS
    alipay = next(r for r in records if r["destination"] == "openapi.alipay.com")
    assert (alipay["jurisdiction"], alipay["cross_border"], alipay["rule"], alipay["legal_basis"]) == ("CN", "no", "", "none")
    backup = next(r for r in records if r["destination"] == "us-west-2" and r["category"] == "user.government_id.cn_resident_id")
    assert (backup["cross_border"], backup["sensitive"], backup["rule"], backup["sink"]) == ("yes", "yes", "XB102", "shop/storage.py:18")
    assert sum(r["rule"] != "" for r in records) == SHOP_FINDINGS


def test_shop_report_is_self_contained_with_map_and_counts(shop_pack):
    page = (shop_pack[0] / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img|iframe|object|embed)\b", page, re.I)
    assert "@import" not in page and "url(" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page, re.I)
    assert page.count("<svg") >= 1 and 'class="datamap"' in page
    assert f'id="finding-count">{SHOP_FINDINGS}<' in page
    assert f'id="flow-count">{SHOP_FLOWS}<' in page
    assert f'id="files-scanned">{SHOP_FILES}<' in page
    assert 'id="files-with-errors">0<' in page
    assert "CN · home" in page and "openapi.alipay.com" in page  # home destinations are inventoried too
    assert "<mark>customer.id_card_number</mark>" in page  # the trace quotes the source line


def test_audit_is_deterministic(shop_pack, tmp_path):
    again = tmp_path / "again"
    assert audit(FIXTURES / "shop", "--output", again).exit_code == 0
    for name in ("report.html", "inventory.csv", "findings.json", "processing.csv", "processing.json", "processing.fides.yml"):
        assert (again / name).read_bytes() == (shop_pack[0] / name).read_bytes(), name


def test_usage_and_config_errors_exit_2(tmp_path):
    assert audit(FIXTURES / "shop", "--home", "XX", "--output", tmp_path / "out").exit_code == 2
    (tmp_path / "file").write_text("")
    assert audit(FIXTURES / "shop", "--output", tmp_path / "file").exit_code == 2
    assert CliRunner().invoke(cli, ["audit", str(FIXTURES / "shop")]).exit_code == 2  # --output is required


def test_approved_transfers_carry_basis_and_reference(tmp_path):
    root = write_project(tmp_path / "proj", {
        "pyproject.toml": '[tool.xborder]\nhome = "CN"\n\n[[tool.xborder.allow]]\ncategories = ["user.contact.email"]\n'
                          'jurisdictions = ["US"]\nbasis = "cac-standard-contract"\nreference = "PRIV-7"\n',
        "app.py": 'import requests\n\ndef send(user):\n    requests.post("https://api.stripe.com/v1", json={"email": user.email})\n',
    })
    out = tmp_path / "out"
    assert audit(root, "--output", out).exit_code == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="approved-count">1<' in page and "PRIV-7" in page and "cac-standard-contract" in page
    record = dict(zip(COLUMNS, read_csv(out / "inventory.csv")[1]))
    assert (record["legal_basis"], record["reference"], record["cross_border"], record["rule"]) == ("cac-standard-contract", "PRIV-7", "yes", "")


def _can_name(directory, name: str) -> bool:
    try:
        (directory / name).touch()
    except OSError:
        return False
    (directory / name).unlink()
    return True


def test_hostile_names_and_strings_are_escaped(tmp_path):
    files = {
        "pyproject.toml": '[tool.xborder]\nhome = "CN"\n',
        "app.py": ("import requests\n\ndef send(user):\n"
                   f"    requests.post(\"https://api.mixpanel.com/{HOSTILE[0]}\", json={{{HOSTILE[0]!r}: user.email, {HOSTILE[1]!r}: user.phone}})\n"),
        "=1+1.py": 'import requests\n\ndef formula(user):\n    requests.post("https://api.stripe.com/v1", json={"email": user.email})\n',
    }
    # A filesystem that refuses these names still tests identifiers and strings.
    if _can_name(tmp_path, 'x"><img src=x onerror=alert(1)>.py'):
        files['x"><img src=x onerror=alert(1)>.py'] = files["app.py"].replace("def send", "def script_alert")
    if _can_name(tmp_path, "<script>alert(1)<:script>.py"):
        files["<script>alert(1)<:script>.py"] = f"def broken(:\n    {HOSTILE[0]!r}\n"  # a parse error
    root = write_project(tmp_path / "evil", files)
    out = tmp_path / "out"
    assert audit(root, "--output", out).exit_code == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the string key, quoted from the source line
    assert "<script>alert" not in page and "<img src=x" not in page and "<img" not in page
    assert not re.search(r'"\s*>\s*<img', page)
    if 'x"><img src=x onerror=alert(1)>.py' in files:
        assert "x&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.py" in page
    if "<script>alert(1)<:script>.py" in files:
        assert "&lt;script&gt;alert(1)&lt;:script&gt;.py" in page and 'id="files-with-errors">1<' in page
    sinks = [dict(zip(COLUMNS, r))["sink"] for r in read_csv(out / "inventory.csv")[1:]]
    assert "'=1+1.py:4" in sinks  # a spreadsheet must not evaluate it


def _chromium() -> str | None:
    return next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome", "chrome")) if p), None)


@pytest.mark.skipif(_chromium() is None, reason="no Chromium binary on PATH (apt-get install chromium)")
def test_report_renders_in_headless_chromium(shop_pack, tmp_path):
    url = (shop_pack[0] / "report.html").resolve().as_uri()
    flags = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1400,2400"]
    shot = tmp_path / "report.png"
    subprocess.run([*flags, f"--screenshot={shot}", url], capture_output=True, timeout=120, check=True)
    png = shot.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 50_000
    dom = subprocess.run([*flags, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True).stdout
    assert f'id="finding-count">{SHOP_FINDINGS}<' in dom
    assert dom.count('class="finding severity-') == SHOP_FINDINGS
    assert "<svg" in dom and "api.mixpanel.com" in dom
