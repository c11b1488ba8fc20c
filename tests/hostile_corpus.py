"""A hostile corpus, generated on demand (nothing large is committed), and a scan of it.

`build(root)` writes one project: a healthy package whose findings must survive, beside every
kind of file that has broken analyzers (bad encodings, Python 2, binary data, huge and deeply
nested files, a FIFO, symlink tricks (files and a folder), names with terminal controls or not in
UTF-8, an unreadable file, a file that vanishes after discovery,
a file that crashes the parser's process and one that makes it run for minutes). It returns the
expected outcome of each path: "analyzed", or the error code the scan must report for it, or
either ("analyzed|XB901") where the parser's leniency is not ours to pin.

`scan(root)` runs the real CLI in-process, deleting the vanishing file between discovery and
parsing, and `figures()` sums the outcome up. Used by tests/test_hostile.py and bench/hostile.py.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from click.testing import CliRunner

from xborder import pipeline as scan_module
from xborder.commands import cli

HOME = "CN"
HEALTHY = {
    "healthy/__init__.py": "",
    "healthy/app.py": '''import requests

ANALYTICS_URL = "https://api.segment.io/v1/track"


def track(user):
    requests.post(ANALYTICS_URL, json={"email": user.email, "phone": user.phone_number})


def notify(customer):
    requests.post("https://hooks.slack.com/services/T0/B0/X", json={"text": customer.full_name})
''',
}
VANISHING = "vanishes.py"  # deleted between discovery and parsing
OUTSIDE = '''import requests

def leak(user):
    requests.post("https://api.segment.io/v1/outside", json={"email": user.email})
'''
# Code that broke the engine rather than the parser (issue 15), with no personal data in it: each
# must simply be analysed. Compilers and expressions calling each other through their parameters,
# class bases naming themselves, a long expression, more string alternatives than are kept.
ENGINE = {
    "engine/__init__.py": "",
    "engine/visitors.py": "".join(f'''
class Compiler{i}:
    def compile(self, node):
        return node.as_sql(self)


class Expression{i}:
    def as_sql(self, compiler):
        return compiler.compile(self)
''' for i in range(3)) + "\n\ndef run():\n    return Compiler0().compile(Expression1())\n",
    "engine/bases.py": ("from engine.bases import Base\n\n\nclass T(T.U):\n    pass\n\n\nclass A(B.Inner):\n    pass\n\n\n"
                        "class B(A.Inner):\n    pass\n\n\nclass Base(Base):\n    def go(self):\n        return self.missing()\n"),
    "engine/long.py": "def total(q, n):\n    return " + " + ".join(["n"] * 400) + " + q" + ".m()" * 400 + "\n",
    "engine/branches.py": "def url(kind):\n" + "".join(f"    if kind == {i}:\n        return 'https://h{i}.example.cn'\n"
                                                  for i in range(12)) + "    return '[::1/x'\n",
}
SLOW_TIMEOUT = 10.0  # seconds: the slow file needs minutes, every legitimate one a few seconds


def _nested_defs(depth: int) -> str:
    lines = [" " * i + f"def level_{i}():" for i in range(depth)]
    return "\n".join(lines) + "\n" + " " * depth + "return 1\n"


def build(root: Path) -> dict[str, str]:
    """Write the corpus under root; return {relative path: "analyzed" or the expected error code}."""
    root.mkdir(parents=True, exist_ok=True)
    expected: dict[str, str] = {}

    def put(rel: str, content: str | bytes, outcome: str) -> Path:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        expected[rel] = outcome
        return path

    for rel, text in HEALTHY.items():
        put(rel, text, "analyzed")
    rng = random.Random(6)
    put("syntax_error.py", "def broken(:\n    return ]\n", "XB901")
    put("py2_print.py", "print 'hello'\nprint x\n", "XB901")
    put("py2_except.py", "try:\n    pass\nexcept ValueError, e:\n    pass\n", "analyzed|XB901")  # libcst accepts it
    put("mixed_tabs.py", "def f():\n\tif True:\n        return 1\n", "XB901")
    put("invalid_utf8.py", b"name = '\xff\xfe\xc3\x28'\n", "XB901")
    put("utf16_bom.py", "email = 'a@b.example'\n".encode("utf-16"), "XB901")
    put("latin1.py", "# -*- coding: latin-1 -*-\ncity = 'Zürich'\n".encode("latin-1"), "analyzed")
    put("nul_bytes.py", b"x = 1\n\0\0\0y = 2\n", "XB901")
    put("empty.py", b"", "analyzed")
    put("binary.py", b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(4096)), "XB901")
    put("lines_50k.py", "".join(f"value_{i} = {i}\n" if i % 50 == 0 else f"# line {i}\n" for i in range(50_000)), "analyzed")
    put("line_200k.py", "banner = '" + "x" * 200_000 + "'\n", "analyzed")
    put("parens_1000.py", "x = " + "(" * 1000 + "1" + ")" * 1000 + "\n", "analyzed")
    put("defs_99.py", _nested_defs(99), "analyzed")
    put("defs_200.py", _nested_defs(200), "XB901")  # Python itself allows 100 indentation levels
    put("dict_20k.py", "TABLE = {" + ", ".join(f"{i}: {i}" for i in range(20_000)) + "}\n", "analyzed")
    put("parens_crash.py", "x = " + "(" * 20_000 + "1" + ")" * 20_000 + "\n", "XB902")  # overflows libcst's native stack
    put("slow.py", "total = " + " + ".join(["a"] * 20_000) + "\n", "XB902")  # libcst is quadratic here
    put("x.py/inside.py", "y = 2\n", "analyzed")  # a directory named x.py is walked, not read
    os.mkfifo(root / "y.py")
    expected["y.py"] = "XB902"
    (root / "loop_a.py").symlink_to("loop_b.py")
    (root / "loop_b.py").symlink_to("loop_a.py")
    expected["loop_a.py"] = expected["loop_b.py"] = "XB902"
    outside = root.parent / f"{root.name}-outside.py"
    outside.write_text(OUTSIDE)
    (root / "outside_link.py").symlink_to(outside)
    expected["outside_link.py"] = "XB902"
    outside_folder = root.parent / f"{root.name}-outside"
    outside_folder.mkdir(exist_ok=True)
    (outside_folder / "leak.py").write_text(OUTSIDE)
    (root / "linked_folder").symlink_to(outside_folder, target_is_directory=True)
    expected["linked_folder"] = "XB902"  # a folder link out of the root: reported, not walked
    put("name_\x1b[2J\u202e\x07.py", "ok = 1\n", "analyzed")  # escaped in every output
    put(os.fsdecode(b"name_\xff\xfe.py"), "ok = 2\n", "analyzed")  # not UTF-8: escaped, never a crash
    locked = put("unreadable.py", "z = 3\n", "XB901")
    locked.chmod(0)
    if os.access(locked, os.R_OK):  # root reads anything
        expected["unreadable.py"] = "analyzed"
    put(VANISHING, "gone = True\n", "XB901")
    for rel, text in ENGINE.items():
        put(rel, text, "analyzed")
    put("engine/numbers.py", "DATA = [" + ", ".join(str(i % 10) for i in range(60_000)) + "]\n", "analyzed")
    return expected


def scan(root: Path, *args: str, timeout: float = SLOW_TIMEOUT) -> tuple[int, dict]:
    """`xborder scan --format json` of root (exit code, report), with VANISHING deleted right after discovery."""
    real = scan_module.discover

    def discover_then_delete(*a, **kw):
        files = real(*a, **kw)
        (root / VANISHING).unlink(missing_ok=True)
        return files

    with mock.patch.object(scan_module, "discover", discover_then_delete):
        return _cli(root, "--file-timeout", str(timeout), *args)


def healthy_alone(root: Path) -> tuple[int, dict]:
    """The healthy package scanned on its own: the findings and exit code the corpus scan must keep."""
    for rel, text in HEALTHY.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return _cli(root)


def _cli(root: Path, *args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(cli, ["scan", "--format", "json-v1", "--no-cache", "--home", HOME, *args, str(root)],
                                catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


def finding_keys(report: dict) -> list:
    return [(f["rule"], f["category"], f["sink"]["path"], f["sink"]["line"], f["destination"]["host"], f["fingerprint"])
            for f in report["findings"]]


def outcomes(report: dict) -> dict:
    """{path: error code} for every file the report lists as not analysed."""
    return {e["path"]: e["code"] for e in report["errors"] if e["code"] in ("XB901", "XB902")}


@dataclass
class Figures:
    tried: int  # corpus paths the scan had to deal with (files, links, the FIFO)
    analyzed: int
    errors: int  # files reported in `errors`, each with its reason
    crashes: int  # scans that raised or exited abnormally: must be 0
    workers_lost: int  # worker processes killed (timeout) or dead (crash), each replaced
    healthy_expected: int
    healthy_preserved: int

    def lines(self) -> list[str]:
        return [
            f"files tried:                {self.tried}",
            f"analyzed:                   {self.analyzed}",
            f"reported as errors:         {self.errors}",
            f"crashes:                    {self.crashes}",
            f"workers lost and replaced:  {self.workers_lost}",
            f"healthy findings preserved: {self.healthy_preserved}/{self.healthy_expected}"
            + (" (all)" if self.healthy_preserved == self.healthy_expected else ""),
        ]


def figures(expected: dict, code: int, report: dict, healthy: tuple[int, dict]) -> Figures:
    failed = outcomes(report)
    lost = sum(("timeout" in e["message"] or "process died" in e["message"]) for e in report["errors"])
    kept = set(finding_keys(report))
    wanted = finding_keys(healthy[1])
    crashes = int(code not in (0, 1) or code != healthy[0])
    return Figures(len(expected), report["stats"]["files"] - len(failed), len(failed), crashes, lost,
                   len(wanted), sum(k in kept for k in wanted))
