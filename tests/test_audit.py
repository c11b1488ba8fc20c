"""`xborder audit`: the evidence pack (HTML, CSV, JSON, SARIF), its escaping, and how a browser renders it."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re

import pytest
from click.testing import CliRunner

from xborder.commands import cli
from xborder.report import datamap, html
from xborder.report.inventory import COLUMNS

import render_check
from conftest import FIXTURES, write_project
from synthetic_result import CATEGORIES, LONG_HOST, synthetic_result

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
    # findings.json is the version 2 report: the shop's 8 per-category findings (the HTML report's
    # and inventory's rows) are 6 findings, one per sink call, destination and rule.
    findings = json.loads((out / "findings.json").read_text())["findings"]
    assert len(findings) == 6 and sum(len(f["categories"]) for f in findings) == SHOP_FINDINGS
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
    assert not re.search(r"<(link|img|iframe|object|embed)\b", page, re.I)
    # One script, inline, the one the Content-Security-Policy names by its hash; nothing may load.
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page, re.S | re.I)
    assert len(scripts) == 1 and scripts[0][0] == ""
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page).group(1)
    digest = base64.b64encode(hashlib.sha256(scripts[0][1].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy and "default-src 'none'" in policy
    assert page.index("Content-Security-Policy") < page.index("<script")
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
    page = (out / "report.html").read_text(encoding="utf-8").replace("<wbr>", "")  # where long names may wrap
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the string key, quoted from the source line
    assert "<script>alert" not in page and "<img src=x" not in page and "<img" not in page
    assert page.count("<script") == 1  # the report's own
    assert not re.search(r'"\s*>\s*<img', page)
    if 'x"><img src=x onerror=alert(1)>.py' in files:
        assert "x&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.py" in page
    if "<script>alert(1)<:script>.py" in files:
        assert "&lt;script&gt;alert(1)&lt;:script&gt;.py" in page and 'id="files-with-errors">1<' in page
    sinks = [dict(zip(COLUMNS, r))["sink"] for r in read_csv(out / "inventory.csv")[1:]]
    assert "'=1+1.py:4" in sinks  # a spreadsheet must not evaluate it


NO_CHROMIUM = "no Chromium binary on PATH (apt-get install chromium)"
WIDTHS = (1280, 1920)


def _fits(measured: dict, rows: int) -> None:
    """What the probe of tests/render_check.py measured: nothing wider than the viewport, no table that
    needs scrolling sideways, every map label inside its box, the recipients table sorted both ways
    by its Flows column and filtered."""
    assert "error" not in measured, measured
    assert measured["page"][0] <= measured["page"][1] and measured["overflow"] == [], measured["overflow"]
    assert measured["scrolling"] == 0 and measured["outside"] == [], measured["outside"]
    assert measured["rows"] == rows and len(measured["ascending"]) == rows
    assert measured["ascending"] == sorted(measured["ascending"]) and measured["descending"] == sorted(measured["ascending"], reverse=True)
    assert measured["ariaSort"] == "descending" and measured["filteredNone"] == 0
    assert measured["filtered"] and all(measured["filterWord"].lower() in row.lower() for row in measured["filtered"])
    assert len(measured["filtered"]) < rows or rows == 1


@pytest.mark.skipif(render_check.chromium() is None, reason=NO_CHROMIUM)
def test_shop_and_one_flow_reports_fit_and_sort_in_chromium(shop_pack, tmp_path):
    report = tmp_path / "report.html"
    report.write_bytes((shop_pack[0] / "report.html").read_bytes())
    for width in WIDTHS:
        measured = render_check.measure(report, width, tmp_path)
        _fits(measured, rows=8)
        assert measured["nodes"] == 6 + 6 + 2  # 6 categories; 5 vendors abroad and one box for home; US, CN
    # The small end: one flow.
    single = tmp_path / "single.html"
    single.write_text(html.render(synthetic_result(1)), encoding="utf-8")
    _fits(render_check.measure(single, WIDTHS[0], tmp_path), rows=1)
    # The probe sees what it must: a block wider than the page, a map label out of its box, and a
    # script the policy does not name, which must not run.
    broken = tmp_path / "broken.html"
    page = report.read_text(encoding="utf-8")
    page = page.replace("</main>", '<div style="width:3000px">wide</div></main><script>document.title = "ran";</script>', 1)
    broken.write_text(re.sub(r'(<g class="node [^"]*"><title>[^<]*</title><rect [^>]*?width=")\d+', r"\g<1>20", page, count=1),
                      encoding="utf-8")
    measured = render_check.measure(broken, WIDTHS[0], tmp_path)
    assert measured["page"][0] > measured["page"][1] and measured["overflow"] and len(measured["outside"]) >= 1
    assert measured["title"] != "ran" and measured["ascending"] == sorted(measured["ascending"])


@pytest.mark.skipif(render_check.chromium() is None, reason=NO_CHROMIUM)
def test_report_of_5000_flows_fits_and_sorts_in_chromium(tmp_path):
    result = synthetic_result(5000)
    report = tmp_path / "report.html"
    report.write_text(html.render(result), encoding="utf-8")
    for width in WIDTHS:
        measured = render_check.measure(report, width, tmp_path)
        _fits(measured, rows=41)  # 32 (vendor, country) abroad, 8 recipients at home, 1 unknown
        # 14 categories; 23 vendors, the others in one box, one box for unresolved and one for home; 16 countries
        assert measured["nodes"] <= len(CATEGORIES) + datamap.MAX_RECIPIENTS + 2 + 16, measured["nodes"]
        assert measured["map"][1] < 2500  # pixels: the map stays a page or two


def test_map_labels_wrap_without_losing_a_character():
    width = 200
    for text in (LONG_HOST, "China resident identity card number", "x" * 90, "短信验证码 " * 12, ""):
        lines = datamap.wrap(text, width, datamap._TITLE)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        assert all(datamap.text_width(line, *datamap._TITLE[::2]) <= width for line in lines if len(line) > 1)
    assert all(line[-1] in ".-" for line in datamap.wrap(LONG_HOST, width, datamap._SUB)[:-1])  # broken at its parts


def test_map_of_5000_flows_is_drawn_at_the_level_of_recipients():
    page = html.render(synthetic_result(5000))
    svg = page[page.index('<svg xmlns="http://www.w3.org/2000/svg" class="datamap"'):page.index("</svg>")]
    assert svg.count(">Stays at home (CN)<") == 1 and svg.count(">Destination not resolved<") == 1
    assert "local storage" in svg and "unknown destination" not in svg.split(">Stays at home (CN)<")[1]
    assert svg.count('<g class="node who') == datamap.MAX_RECIPIENTS + 2  # the smallest vendors share "Other recipients"
    assert ">Other recipients" in svg and "requests.Session.post" not in svg  # no code on the map
    # findings by vendor: 29 vendors abroad (Mailgun's transfers are approved) and the unknown destinations
    assert page.count('<details class="vendor"') == 30 and '<details class="vendor" open' not in page
