"""The CI snippets in docs/ci.md parse, and every xborder command and option they use exists."""

from __future__ import annotations

import re
import shlex

import yaml

from conftest import ROOT, run_cli

DOC = ROOT / "docs" / "ci.md"


def snippets() -> list:
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", DOC.read_text(), re.S)]


def commands(doc) -> list[str]:
    """Shell lines that run xborder, from GitHub `run:` steps and GitLab `script:` lists."""
    found = []
    if isinstance(doc, dict):
        for key, value in doc.items():
            if key == "run" and isinstance(value, str):
                found += value.splitlines()
            elif key == "script" and isinstance(value, list):
                found += value
            else:
                found += commands(value)
    elif isinstance(doc, list):
        for item in doc:
            found += commands(item)
    return [line.strip() for line in found if line.strip().startswith("xborder ")]


def options_of(subcommand: str) -> set:
    result = run_cli(subcommand, "--help")
    assert result.exit_code == 0, f"xborder {subcommand} is not a command"
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*|-[a-zA-Z])\b", result.output))


def check_command(line: str) -> None:
    words = shlex.split(line)
    known = options_of(words[1])
    for word in words[2:]:
        if word.startswith("-"):
            assert word.split("=")[0] in known, f"{line!r}: xborder {words[1]} has no option {word}"
    if "--format" in words:
        assert words[words.index("--format") + 1] in ("text", "json", "json-v1", "sarif", "github", "markdown", "gitlab")


def test_snippets_parse_and_use_real_commands():
    docs = snippets()
    github = next(d for d in docs if isinstance(d, dict) and "jobs" in d)
    gitlab = next(d for d in docs if isinstance(d, dict) and "script" in d.get("xborder", {}))
    used = commands(github) + commands(gitlab)
    assert len(used) >= 4
    for line in used:
        check_command(line)
    steps = github["jobs"]["xborder"]["steps"]
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert upload["with"]["sarif_file"] in " ".join(used)


def test_pre_commit_snippet_names_the_hook():
    config = next(d for d in snippets() if isinstance(d, dict) and "repos" in d)
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in config["repos"][0]["hooks"]] == [hook["id"]]


def test_commands_in_the_prose_exist():
    text = DOC.read_text()
    lines = re.findall(r"^(xborder .*)$", "".join(re.findall(r"```console\n(.*?)```", text, re.S)), re.M)
    lines += re.findall(r"`(xborder [^`]*)`", text)
    assert any(line.startswith("xborder baseline") for line in lines)
    for line in lines:
        check_command(line.replace("...", ""))


def test_the_action_snippet_uses_inputs_the_action_has():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    workflows = [d for d in snippets() if isinstance(d, dict) and "jobs" in d]
    (step,) = [s for d in workflows for s in d["jobs"]["xborder"]["steps"] if "xborder@" in s.get("uses", "")]
    assert set(step["with"]) <= set(action["inputs"])
    assert "--format markdown" in " ".join(commands(workflows[0]))
    gitlab = next(d for d in snippets() if isinstance(d, dict) and "script" in d.get("xborder", {}))
    assert gitlab["xborder"]["artifacts"]["reports"]["codequality"] in " ".join(commands(gitlab))
