"""Hostile projects for the engine (issue 15): code that makes the analysis itself recurse without
bound, raise, lose positions, drop a destination or grow without bound. Every input here is made
up for the test; each test failed before its fix."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import run_cli, scan_json, write_project
from xborder.propagate import driver as driver_module
from xborder.ir import Lit, Unknown
from xborder.resolve import host_of, host_suffix

HEALTHY = '''import requests


def track(user):
    requests.post("https://api.segment.io/v1/track", json={"email": user.email})
'''


def sinks(report) -> list:
    return sorted((f["sink"]["path"], f["sink"]["line"], f["rule"], f["destination"]["host"]) for f in report["findings"])


def healthy_kept(report) -> bool:
    return ("healthy.py", 5, "XB101", "api.segment.io") in sinks(report)


# ----------------------------------------------------------------------------- unbounded recursion

VISITORS = '''import requests


class SQLCompiler:
    def compile(self, node):
        return node.as_sql(self)


class OtherCompiler:
    def compile(self, node):
        return node.as_sql(self)


class Col:
    def __init__(self, user):
        self.user = user

    def as_sql(self, compiler):
        requests.post("https://api.segment.io/v1/col", json={"email": self.user.email})
        return compiler.compile(self)


class Func:
    def as_sql(self, compiler):
        return compiler.compile(self)


def run(user):
    return SQLCompiler().compile(Col(user))
'''


def test_mutually_calling_visitor_methods_terminate(tmp_path):
    """A compiler's compile() and an expression's as_sql() call each other through their
    parameters (Django's SQL compiler): resolving those deferred calls once the caller knows the
    receiver must not recurse without bound."""
    write_project(tmp_path, {"healthy.py": HEALTHY, "visitors.py": VISITORS})
    code, report, stderr = scan_json(tmp_path, "--home", "CN")
    assert report is not None, stderr
    assert code == 1 and report["errors"] == []
    assert ("visitors.py", 19, "XB101", "api.segment.io") in sinks(report) and healthy_kept(report)


def test_a_function_that_breaks_the_analysis_costs_only_itself(tmp_path, monkeypatch):
    """An unexpected exception (or a recursion blow-up) while analysing one function is listed
    in `errors`, naming the function and its file; the other functions' findings stay."""
    real = driver_module.Analysis.analyze

    def analyze(self, qualname):
        if qualname == "broken.explode":
            raise RecursionError("maximum recursion depth exceeded")
        if qualname == "broken.buggy":
            raise KeyError("boom")
        return real(self, qualname)

    monkeypatch.setattr(driver_module.Analysis, "analyze", analyze)
    broken = "def explode(user):\n    return user.email\n\n\ndef buggy(user):\n    return user.phone\n"
    write_project(tmp_path, {"healthy.py": HEALTHY, "broken.py": broken})
    code, report, stderr = scan_json(tmp_path, "--home", "CN")
    assert report is not None, stderr
    assert report["errors"] == [
        {"path": "broken.py", "line": 1, "code": "XB902",
         "message": "function broken.explode: too deeply recursive to analyze; its flows are not reported"},
        {"path": "broken.py", "line": 5, "code": "XB901",
         "message": "function broken.buggy: internal error while analysing: KeyError: 'boom'; its flows are not reported"},
    ]
    assert code == 1 and healthy_kept(report)


BASES = {
    "pkg/__init__.py": "from pkg.loops import Exported\n",
    "pkg/selfref.py": "class T(T.U):\n    pass\n",
    "pkg/mutual.py": "class A(B.Inner):\n    pass\n\n\nclass B(A.Inner):\n    pass\n\n\nclass C(C.C.C):\n    pass\n",
    "pkg/shadow.py": ("from pkg.shadow import Base\nfrom pkg import shadow\n\n\nclass Base(Base):\n    def go(self, user):\n"
                      "        return self.send(user)\n\n\nclass Other(shadow.Other.Other):\n    pass\n\n\n"
                      "def use(user):\n    Base().go(user)\n    return Other().send(user)\n"),
    "pkg/loops.py": "from pkg import Exported\n\n\nclass Exported(Exported.Exported):\n    def m(self):\n        return Exported.m(self)\n",
}


def test_self_referential_class_bases_terminate(tmp_path):
    """`class T(T.U)`, classes whose bases name each other through attributes, an imported name
    shadowed by the class that uses it: linking resolves each base once, without recursing."""
    write_project(tmp_path, {"healthy.py": HEALTHY, **BASES})
    code, report, stderr = scan_json(tmp_path, "--home", "CN")
    assert report is not None, stderr
    assert code == 1 and report["errors"] == [] and healthy_kept(report)


# ----------------------------------------------------------------------------- hostile URLs

MALFORMED = ["http://[::1/x", "http://[evil]/", "https://key@[evil]/1", "redis://[evil]:6379/0", "http://[evil",
             "postgres://u:p@[::1:5432/db", "http://]evil[/", "http://[v1.x]/", "http://[::1]:99999/", "http://\uff3b/"]

URLS = '''import os
from urllib.parse import urljoin

import boto3
import httpx
import redis
import requests
import sentry_sdk

BAD = "http://[::1/x"
EVIL = "http://[evil]/"
sentry_sdk.init(dsn="https://key@[evil]/1")


def plain(user):
    requests.post(BAD, json={"email": user.email})


def client(user):
    httpx.Client(base_url=EVIL).post("/x", json={"email": user.email})


def endpoint(user):
    boto3.client("s3", endpoint_url="http://[::1/x").put_object(Bucket="b", Key="k", Body=user.email)


def environment(user):
    requests.post(os.environ.get("URL", "http://[evil]/"), json={"email": user.email})


def cache(user):
    redis.Redis.from_url("redis://[evil]:6379/0").set("k", user.email)


def joined(user):
    requests.post(urljoin(EVIL, "x"), json={"email": user.email})


def sentry(user):
    sentry_sdk.set_user({"email": user.email})
'''


@pytest.mark.parametrize("text", MALFORMED)
@pytest.mark.parametrize("role", ["url", "dsn", "host"])
def test_a_malformed_url_is_an_unknown_host_never_an_exception(text, role):
    for complete in (True, False):
        host = host_of(text, complete, role)
        assert host is None or "[" not in host and "]" not in host


@pytest.mark.parametrize("text", ["https://api.{host}/2.0", "https://%(region)s.api.example.com", "https://${HOST}/v1", "https://<host>/x"])
def test_a_template_s_placeholder_is_no_host(text):
    assert host_of(text, True, "url") is None
    assert host_of("https://api.bitbucket.org/2.0", True, "url") == "api.bitbucket.org"


def test_a_computed_first_label_leaves_the_constant_end_of_the_host():
    key = Unknown("value of django.conf.settings.AKISMET_API_KEY")
    assert host_suffix((Lit("https://", None), key, Lit(".rest.akismet.com/1.1", None))) == ".rest.akismet.com"
    assert host_suffix((Lit("https://", None), key, Lit(".com/x", None))) is None  # one label says nothing
    assert host_suffix((Lit("https://", None), key, Lit("/path.example.com", None))) is None  # the host is all computed
    assert host_suffix((key, Lit(".rest.akismet.com", None))) is None  # no scheme known


def test_malformed_urls_in_every_position_are_unknown_destinations(tmp_path):
    write_project(tmp_path, {"healthy.py": HEALTHY, "urls.py": URLS})
    code, report, stderr = scan_json(tmp_path, "--home", "CN")
    assert report is not None, stderr
    assert code == 1 and report["errors"] == [] and healthy_kept(report)
    hostile = [f for f in report["findings"] if f["sink"]["path"] == "urls.py"]
    assert {f["sink"]["line"] for f in hostile} == {16, 20, 24, 28, 32, 36, 40}
    assert all(f["rule"] == "XB201" and f["destination"]["host"] is None for f in hostile)
    assert {f["sink"]["line"] for f in hostile if "no host could be read" in f["destination"]["evidence"]} == {16, 20, 24, 28, 32, 36, 40}
    for text in MALFORMED[:-2]:
        where = run_cli("where", text)
        assert where.exit_code == 0 and "unknown" in where.output


# ----------------------------------------------------------------------------- positions

def long_expression_module(terms: int) -> str:
    total = " + ".join(f"n{i}" for i in range(terms))
    chain = "q" + "".join(f".m{i}()" for i in range(terms))
    return f'''import requests


def track(user):
    requests.post("https://api.segment.io/v1/track", json={{"email": user.email}})


def quiet(user):
    requests.post("https://api.segment.io/v1/q", json={{"email": user.email}})  # xborder: ignore[XB101] approved, ticket 7


def big(q, n0):
    total = {total}
    return {chain}
'''


@pytest.mark.parametrize("terms", [400])
def test_a_long_expression_keeps_the_positions_of_its_file(tmp_path, terms):
    """Hundreds of `+` terms and a long method chain: every finding of the file keeps its line,
    and inline suppressions there still apply."""
    write_project(tmp_path, {"app.py": long_expression_module(terms)})
    code, report, stderr = scan_json(tmp_path, "--home", "CN")
    assert report is not None, stderr
    assert report["errors"] == []
    assert [(f["sink"]["line"], f["sink"]["column"], f["source"]["line"]) for f in report["findings"]] == [(5, 5, 5)]
    assert code == 1


def test_positions_that_cannot_be_computed_are_reported(tmp_path, monkeypatch):
    """Should positions still fail, the file says so in `errors` instead of reporting line 0."""
    from xborder.summarize import positions as positions_module

    def fail(module, nodes):
        raise RecursionError

    monkeypatch.setattr(positions_module, "node_spans", fail)
    monkeypatch.setattr("xborder.summarize.node_spans", fail)
    write_project(tmp_path, {"healthy.py": HEALTHY})
    code, report, stderr = scan_json(tmp_path, "--home", "CN", "--jobs", "1")
    assert report is not None, stderr
    assert report["errors"] == [{"path": "healthy.py", "line": None, "code": "XB902",
                                 "message": "could not locate its findings (too deeply nested to analyze); they are reported at line 0"}]


# ----------------------------------------------------------------------------- caps

def branches(urls: list[str]) -> str:
    arms = "".join(f"    {'if' if i == 0 else 'elif'} kind == {i}:\n        url = {u!r}\n" for i, u in enumerate(urls))
    return f"import requests\n\n\ndef send(user, kind):\n{arms}    else:\n        url = {urls[0]!r}\n" \
           "    requests.post(url, json={\"email\": user.email})\n"


def test_more_alternatives_than_kept_never_drops_the_foreign_one_silently(tmp_path):
    home = [f"https://api{i}.example.cn/v1" for i in range(12)]
    write_project(tmp_path, {"many.py": branches([*home, "https://api.segment.io/v1/t"])})
    code, report, stderr = scan_json(tmp_path, "--home", "CN")
    assert report is not None, stderr
    rules = {(f["rule"], f["destination"]["host"]) for f in report["findings"]}
    assert ("XB101", "api.segment.io") in rules or any(r == "XB201" for r, _ in rules), rules
    assert code == 1
    unknown = [f for f in report["findings"] if f["rule"] == "XB201"]
    assert all("alternatives" in f["destination"]["evidence"] for f in unknown)


def test_few_home_alternatives_stay_quiet(tmp_path):
    write_project(tmp_path, {"few.py": branches([f"https://api{i}.example.cn/v1" for i in range(3)])})
    code, report, _ = scan_json(tmp_path, "--home", "CN")
    assert report["findings"] == [] and code == 0


def mixed_alternatives(host: str) -> str:
    """A URL that is a settings lookup on one branch and `host` on the other."""
    return f'''import requests
from settings_lib import lookup


def send(user, remote):
    url = lookup("API_URL") if remote else "https://{host}/v1"
    requests.post(url, json={{"email": user.email}})
'''


def test_an_unknown_alternative_beside_a_home_host_is_reported(tmp_path):
    write_project(tmp_path, {"mixed.py": mixed_alternatives("api.example.cn")})
    code, report, _ = scan_json(tmp_path, "--home", "CN")
    assert [(f["rule"], f["sink"]["line"], f["destination"]["host"]) for f in report["findings"]] == [("XB201", 7, None)]
    assert code == 1


# ----------------------------------------------------------------------------- memory

def numbers_module(count: int) -> str:
    return "DATA = [" + ", ".join(str(i % 10) for i in range(count)) + "]\nTABLE = {" + \
        ", ".join(f"{i}: 'v{i}'" for i in range(count // 4)) + "}\n"


def test_big_literal_data_is_summarized_as_data(tmp_path):
    """A generated data module (hundreds of thousands of numbers) is analysed as the constant data
    it is, in bounded memory, beside a healthy file whose findings stay."""
    from xborder.summarize import data as data_module

    source = numbers_module(250_000)
    assert len(source) > 1_000_000
    blanked = data_module.literal_data_blanked(source.encode())
    assert len(blanked) == len(source.encode()) and blanked.count(b",") < 10
    write_project(tmp_path, {"healthy.py": HEALTHY, "numbers.py": source})
    code, report, stderr = scan_json(tmp_path, "--home", "CN", "--worker-memory", "1024", "--file-timeout", "60")
    assert report is not None, stderr
    assert report["errors"] == [] and healthy_kept(report) and code == 1


def test_worker_memory_limit_stops_one_file(tmp_path):
    """A file that needs more memory than a worker may use is reported (XB902) instead of taking
    the machine down; the others are analysed. The scan runs in a process of its own: a worker
    forked from a test process that already ran many tests finds freed memory to grow into, so its
    limit, counted from its size at start, need not be reached; and the file timeout is set far
    away, so that on a loaded machine the memory limit, not the clock, stops the file."""
    greedy = "CALLS = [" + ", ".join(f"f({i})" for i in range(100_000)) + "]\n"
    write_project(tmp_path, {"healthy.py": HEALTHY, "greedy.py": greedy})
    run = subprocess.run([sys.executable, "-m", "xborder", "scan", str(tmp_path), "--format", "json-v1", "--no-cache", "--home", "CN",
                          "--worker-memory", "300", "--jobs", "1", "--file-timeout", "600"], capture_output=True, text=True)
    code, report = run.returncode, json.loads(run.stdout) if run.stdout.strip() else None
    assert report is not None, run.stderr
    assert [(e["path"], e["code"]) for e in report["errors"]] == [("greedy.py", "XB902")]
    assert "memory" in report["errors"][0]["message"] and "worker-memory" in report["errors"][0]["message"]
    assert healthy_kept(report) and code == 1


def test_worker_memory_in_config(tmp_path):
    write_project(tmp_path, {"healthy.py": HEALTHY, "xborder.toml": 'home = "CN"\nworker-memory = 0\n'})
    code, report, stderr = scan_json(tmp_path)
    assert code == 2 and "worker-memory" in stderr


def test_a_foreign_alternative_is_the_finding_beside_an_unknown_one(tmp_path):
    """The worst case is reported once: a host abroad beside an unplaced alternative is its XB101."""
    write_project(tmp_path, {"mixed.py": mixed_alternatives("api.segment.io")})
    code, report, _ = scan_json(tmp_path, "--home", "CN")
    assert [(f["rule"], f["destination"]["host"]) for f in report["findings"]] == [("XB101", "api.segment.io")]


# ----------------------------------------------------------------------------- deferred template names

GROWING_TEMPLATE_NAME = '''import requests
from django.template.loader import render_to_string


def render_after(template, user, n):
    if n:
        return render_after(template + "x", user, n - 1)
    return render_to_string("mail/%s.txt" % template, {"user": user})


def send(user_email):
    requests.post("https://api.mailgun.net/v3/x", data={"text": render_after("a", user_email, 3)})
'''


def test_a_template_name_a_recursion_keeps_extending_reaches_a_fixpoint(tmp_path):
    """A render deferred to the callers (a template name made from a parameter) whose name a
    recursive call extends each round would make a new deferred render each round: past a bound the
    name is read through its glob, so the cycle settles instead of stopping at its round cap."""
    write_project(tmp_path, {"healthy.py": HEALTHY, "mail.py": GROWING_TEMPLATE_NAME,
                             "templates/mail/a.txt": "Hi {{ user }}\n"})
    code, report, stderr = scan_json(tmp_path, "--home", "CN")
    assert report is not None, stderr
    assert report["coverage"]["caps"] == []
    assert ("mail.py", 12, "XB101", "api.mailgun.net") in sinks(report) and healthy_kept(report)


FIELDS_FROM_OWN_TUPLE = '''
class Interval:
    def __init__(self, spec):
        if isinstance(spec, Interval):
            (self.sign, self.year, self.month, self.week, self.day, self.hour, self.minute,
             self.second) = spec.get_tuple()
        else:
            (self.year, self.month, self.week, self.day, self.hour, self.minute, self.second) = spec

    def __sub__(self, other):
        return Interval(self.get_tuple())

    def get_tuple(self):
        return (self.sign, self.year, self.month, self.week, self.day, self.hour, self.minute, self.second)
'''


def test_fields_unpacked_from_a_tuple_of_themselves_reach_a_fixpoint(tmp_path):
    """A class that unpacks a tuple of its own fields back into them (roundup's date.Interval) must
    give each field an item of the tuple, never the whole tuple: nested in itself pass after pass,
    its keys grew as fields**depth and roundup's scan ran out of memory."""
    write_project(tmp_path, {"healthy.py": HEALTHY, "interval.py": FIELDS_FROM_OWN_TUPLE})
    code, report, stderr = scan_json(tmp_path, "--home", "CN")
    assert report is not None, stderr
    assert report["coverage"]["caps"] == [] and healthy_kept(report)


def test_a_string_annotation_or_docstring_type_that_is_no_name_costs_nothing(tmp_path):
    """`def f(user: "class")` and `:type user: class` are read as no class, never parsed as code:
    the file's findings stay (a keyword annotation was an XB901 that lost the whole file)."""
    write_project(tmp_path, {"healthy.py": HEALTHY + '''

def signup(user: "class", email, profile: "a.b."):
    """:type email: lambda"""
    requests.post("https://api.segment.io/v1/track", json={"email": email})
'''})
    code, report, stderr = scan_json(tmp_path, "--home", "CN")
    assert report is not None, stderr
    assert code == 1 and report["errors"] == [] and healthy_kept(report)
    assert any(f["sink"]["line"] == 10 for f in report["findings"]), sinks(report)
