"""Rule codes as data (issue 10): rules/codes.toml is the one place a code's meaning lives.

Every code's report example, scanned by the real CLI, yields that code (on the line its excerpt
quotes, when it has one); its no-report example, the fixed or look-alike version, yields nothing at
all. The loader is strict, and the reporters, the evaluator and `explain` take their texts from it.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from xborder.errors import ConfigError
from xborder.knowledge import rules_dir
from xborder.knowledge.codes import load_codes, rule_codes
from conftest import ROOT, run_cli, scan_json, write_project

CODES = list(rule_codes())
IDS = [rule.code for rule in CODES]


def scan_example(tmp_path, example):
    files = {"app.py": example.source, **({"xborder.toml": example.config} if example.config else {})}
    write_project(tmp_path, files)
    code, data, stderr = scan_json(tmp_path, "--home", example.home, *example.args)
    assert data is not None, stderr
    return code, data


@pytest.mark.parametrize("rule", CODES, ids=IDS)
def test_report_example_yields_its_code(rule, tmp_path):
    _, data = scan_example(tmp_path, rule.report)
    reported = [(f["rule"], f["sink"]["line"]) for f in data["findings"]] + [(e["code"], e["line"]) for e in data["errors"]]
    lines = [line for code, line in reported if code == rule.code]
    assert lines, f"{rule.code}'s report example reports {reported}"
    source = rule.report.source.splitlines()
    if rule.excerpt and lines[0]:
        assert rule.excerpt in source[lines[0] - 1], f"{rule.code} is reported on line {lines[0]}, not on its excerpt"


@pytest.mark.parametrize("rule", CODES, ids=IDS)
def test_no_report_example_yields_nothing(rule, tmp_path):
    code, data = scan_example(tmp_path, rule.no_report)
    assert (code, data["findings"], data["errors"]) == (0, [], []), f"{rule.code}'s no-report example is reported"


def test_every_code_the_analyzer_names_is_described():
    """A code named anywhere in the analyzer's Python (the decision logic) has its entry in codes.toml."""
    named = set()
    for path in (ROOT / "analyzer").rglob("*.py"):
        named |= set(re.findall(r'"(XB\d{3})"', path.read_text(encoding="utf-8")))
    assert named and named <= {rule.code for rule in CODES}, sorted(named - {rule.code for rule in CODES})


# ----------------------------------------------------------------------------- the loader is strict


def _broken(tmp_path, edit) -> ConfigError:
    path = tmp_path / "codes.toml"
    path.write_text(edit((rules_dir() / "codes.toml").read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_codes(path)
    assert caught.value.path == str(path)
    return caught.value


@pytest.mark.parametrize("edit, key, says", [
    (lambda t: t.replace('name = "parse-error"', 'name = "parse-error"\nseverty = "error"'), "code[5].severty", "unknown key"),
    (lambda t: t.replace('summary = "An inline suppression matched no finding."\n', ""), "code[7].summary", "missing required key"),
    (lambda t: t.replace('[code.no-report]\nhome = "DE"', '[code.elsewhere]\nhome = "DE"', 1), "code[3].elsewhere", "unknown key"),
    (lambda t: t.replace('severity = "warning"\nfamily = "unresolved"', 'severity = "fatal"\nfamily = "unresolved"'),
     "code[4].severity", "fatal"),
    (lambda t: t.replace('family = "unresolved"', 'family = "unknown"'), "code[4].family", "expected one of transfer, unresolved, analysis, suppression"),
    (lambda t: t.replace("whose destination is unknown: {evidence}", "whose destination is unknown: {evidense}"),
     "code[4].message", "{evidense}"),
    (lambda t: t.replace('instead = "Fix or exclude the file."', 'instead = "Fix or exclude the file."\nmessage = "{path}"'),
     "code[5].message", "no message template"),
    (lambda t: t.replace('message = "suppression `{suppression}` matches no finding"\n', ""), "code[7]", "missing 'message'"),
    (lambda t: t.replace('excerpt = "print x"', 'excerpt = "print y"'), "code[5].excerpt", "does not occur"),
    (lambda t: t.replace('[code.report]\nhome = "CN"\nargs', '[code.report]\nargs', 1), "code[7].report.home", "missing required key"),
    (lambda t: t.replace('code = "XB102"', 'code = "XB101"'), "code[1].code", "duplicate code XB101"),
    (lambda t: t.replace('[family.analysis]\ntag = "analysis"\n', ""), "family.analysis", "missing required key"),
    (lambda t: t.replace('security-severity = "7.5"', 'security-severity = "75"'), "code[0].security-severity", "such as"),
    (lambda t: t.replace('security-severity = "7.5"', 'security-severity = "0.0"'), "code[0].security-severity", "above 0.0"),
    (lambda t: t.replace('family = "analysis"\n', 'family = "analysis"\nsecurity-severity = "5.0"\n', 1),
     "code[5].security-severity", "only findings"),
    (lambda t: t.replace('precision = "low"', 'precision = "certain"'), "code[4].precision", "certain"),
])
def test_a_broken_codes_file_names_file_and_key(tmp_path, edit, key, says):
    error = _broken(tmp_path, edit)
    assert (error.key, says in error.message) == (key, True), str(error)


def test_every_finding_code_has_a_security_severity():
    """GitHub ranks security alerts by it; a finding code without one would show as a plain warning."""
    for rule in CODES:
        assert bool(rule.security_severity) == (rule.family in ("transfer", "unresolved")), rule.code


def test_the_bundled_file_is_read_once():
    assert rule_codes() is rule_codes()


# ----------------------------------------------------------------------------- readers


def test_sarif_rules_are_made_from_the_codes(tmp_path):
    write_project(tmp_path, {"app.py": "x = 1\n"})
    result = run_cli("scan", "--home", "CN", "--format", "sarif", "--no-cache", tmp_path)
    driver = json.loads(result.stdout)["runs"][0]["tool"]["driver"]
    descriptors = driver["rules"]
    assert sorted(d["id"] for d in descriptors) == IDS and "notifications" not in driver
    for d in descriptors:
        rule = rule_codes()[d["id"]]
        level = "note" if rule.family == "analysis" else rule.severity  # a file not analysed never fails a check
        assert (d["name"], d["shortDescription"]["text"], d["defaultConfiguration"]["level"]) == (rule.name, rule.summary, level)
        finding = rule.family in ("transfer", "unresolved")
        assert d["properties"]["tags"] == ["security"] * finding + ["privacy", rule_codes().families[rule.family].tag]
        assert d["properties"]["precision"] == rule.precision
        assert d["properties"].get("security-severity") == (rule.security_severity if finding else None)
        assert rule.instead in d["help"]["text"] and rule.excerpt in d["help"]["text"]
        assert rule.instead in d["help"]["markdown"] and rule.reference in d["help"]["markdown"]


def test_messages_and_severities_come_from_the_codes(tmp_path, monkeypatch):
    """Edit the codes file: a finding's severity and message and a suppression problem's message follow."""
    rules = tmp_path / "rules"
    shutil.copytree(rules_dir(), rules)
    text = (rules / "codes.toml").read_text(encoding="utf-8")
    text = text.replace('message = "{category} leaves {home} for {jurisdiction} via {callee} to {where}"',
                        'message = "EDITED {category} -> {jurisdiction}"')
    text = text.replace('severity = "error"\nfamily = "transfer"', 'severity = "note"\nfamily = "transfer"', 1)
    text = text.replace("gives no reason, so it suppresses nothing", "EDITED: no reason")
    (rules / "codes.toml").write_text(text, encoding="utf-8")
    monkeypatch.setattr("xborder.knowledge.codes.rules_dir", lambda: rules)
    rule_codes.cache_clear()
    try:
        project = tmp_path / "project"
        write_project(project, {"app.py": rule_codes()["XB904"].report.source})
        code, data, _ = scan_json(project, "--home", "CN", "--fail-on", "warning")
    finally:
        rule_codes.cache_clear()
    assert [(f["rule"], f["severity"], f["message"]) for f in data["findings"]] == [
        ("XB101", "note", "EDITED user.contact.phone_number -> US")]
    assert [(e["code"], e["message"]) for e in data["errors"]] == [("XB904", "suppression `ignore[XB101]` EDITED: no reason")]
    assert code == 1  # XB904 is a warning, which fails at --fail-on warning; the XB101 note would not


# ----------------------------------------------------------------------------- explain and rules codes


@pytest.mark.parametrize("rule", CODES, ids=IDS)
def test_explain_prints_the_entry(rule):
    result = run_cli("explain", rule.code.lower())
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith(f"{rule.code} ({rule.name})\n")
    sections = ["What it does", rule.summary, "Why is this bad?", rule.why, "Example", rule.report.command(),
                "Use instead", rule.instead]
    if rule.reference:
        sections[4:4] = ["Legal reference", rule.reference]
    positions = [out.find(s) for s in sections]
    assert -1 not in positions and positions == sorted(positions), list(zip(sections, positions))
    for example in (rule.report, rule.no_report):
        for line in (example.source + example.config).splitlines():
            assert line.strip() in out
    assert out.rfind(rule.no_report.source.splitlines()[-1].strip()) > out.find("Use instead")


def test_explain_without_a_code_lists_them_all():
    result = run_cli("explain")
    assert result.exit_code == 0, result.output
    listed = [line.split()[0] for line in result.stdout.splitlines() if re.match(r"XB\d{3} ", line)]
    assert listed == IDS


def test_rules_codes_text_and_json():
    text = run_cli("rules", "codes")
    assert text.exit_code == 0
    assert text.stdout.splitlines()[0] == f"# codes ({len(CODES)})"
    assert [line.split()[0] for line in text.stdout.splitlines()[1:]] == IDS
    data = json.loads(run_cli("rules", "codes", "--format", "json").stdout)
    assert list(data) == ["codes"]
    first = data["codes"][0]
    assert {k: first[k] for k in ("code", "name", "severity", "family", "reference")} == {
        "code": "XB101", "name": "personal-data-leaves-home", "severity": "error", "family": "transfer",
        "reference": rule_codes()["XB101"].reference}
    assert first["report"]["home"] and first["no_report"]["source"]
