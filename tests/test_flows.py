"""Whole-program flows (issue 3): the result does not depend on the cache or the worker count,
and `xborder callgraph` shows the resolved graph with unresolved calls listed, never dropped."""

from __future__ import annotations

import json
import re

import pytest

from conftest import FIXTURE_PROJECTS, FIXTURES, run_cli, scan_json, write_project

CROSS_MODULE = FIXTURES / "flows" / "cross_module"
SEED = {"flows/cross_module": CROSS_MODULE, "shop": FIXTURES / "shop"}


def _without_seconds(text: str) -> str:
    """The report with the only run-dependent value, stats.seconds, blanked out (the text stays
    otherwise byte for byte as printed)."""
    data = json.loads(text)
    assert "seconds" in data["stats"]
    blanked, count = re.subn(r'("seconds":\s*)[0-9.eE+-]+', r"\g<1>0", text)
    assert count == 1, text
    return blanked


def _scan(root, *args) -> str:
    result = run_cli("scan", root, "--home", "CN", "--format", "json", *args)
    assert result.exit_code == 1, result.output + result.stderr
    assert json.loads(result.stdout)["findings"], "the fixture must have findings for the comparison to mean anything"
    return _without_seconds(result.stdout)


@pytest.mark.parametrize("name", sorted(SEED))
def test_cache_and_jobs_do_not_change_the_report(name, tmp_path):
    root = SEED[name]
    cache = tmp_path / "cache"
    reference = _scan(root, "--no-cache", "--jobs", "1")
    runs = {
        "uncached, --jobs 2": _scan(root, "--no-cache", "--jobs", "2"),
        "cold cache, --jobs 1": _scan(root, "--cache-dir", cache, "--jobs", "1"),
        "warm cache, --jobs 1": _scan(root, "--cache-dir", cache, "--jobs", "1"),
        "warm cache, --jobs 2": _scan(root, "--cache-dir", cache, "--jobs", "2"),
    }
    assert any(cache.rglob("*")), "the cached scans wrote nothing to --cache-dir"
    for label, text in runs.items():
        assert text == reference, f"{name}: {label} differs from the uncached --jobs 1 scan"


def _callgraph(root, *args):
    result = run_cli("callgraph", root, "--no-cache", *args)
    assert result.exit_code == 0, result.output + result.stderr
    return result.stdout


def test_callgraph_json_of_cross_module():
    graph = json.loads(_callgraph(CROSS_MODULE, "--format", "json"))
    assert "<unresolved>" in graph and isinstance(graph["<unresolved>"], dict)
    functions = {k: v for k, v in graph.items() if k != "<unresolved>"}
    for name, callees in functions.items():
        assert name.startswith("crm."), name
        assert isinstance(callees, list) and callees == sorted(callees), name
    # Every project function is a key, by its fully qualified name.
    for name in ("crm.views.signup", "crm.views.change_plan", "crm.service.ContactService.__init__",
                 "crm.service.ContactService.on_signup", "crm.service.ContactService.on_plan_change",
                 "crm.client.HubspotClient.__init__", "crm.client.HubspotClient.create_contact",
                 "crm.client.HubspotClient.record_plan_change", "crm.client.DomesticCrmClient.create_lead"):
        assert name in functions, name
    # The views call the service method, the service calls through its self.hubspot field (typed by
    # the annotated __init__ parameter) into the client class, and the client calls requests.post.
    assert "crm.service.ContactService.on_signup" in functions["crm.views.signup"]
    assert {"crm.client.HubspotClient.create_contact", "crm.client.DomesticCrmClient.create_lead"} <= set(
        functions["crm.service.ContactService.on_signup"])
    assert "crm.client.HubspotClient.record_plan_change" in functions["crm.service.ContactService.on_plan_change"]
    assert "requests.post" in functions["crm.client.HubspotClient.create_contact"]
    assert "crm.client.HubspotClient._headers" in functions["crm.client.HubspotClient.create_contact"]
    assert "requests.post" in functions["crm.client.DomesticCrmClient.create_lead"]


def test_callgraph_lists_unresolved_calls(tmp_path):
    root = write_project(tmp_path / "proj", {
        "app/__init__.py": "",
        "app/main.py": (
            "import plugins\n"
            "\n"
            "\n"
            "def run(user):\n"
            "    plugins.load()(user.email)\n"
            "\n"
            "\n"
            "def helper():\n"
            "    return run(None)\n"
        ),
    })
    graph = json.loads(_callgraph(root, "--format", "json"))
    assert graph["app.main.helper"] == ["app.main.run"]
    # plugins.load is a library function: it is a callee by its qualified name...
    assert "plugins.load" in graph["app.main.run"]
    # ...but what it returns is unknown, so calling the result is listed as unresolved, with its line.
    unresolved = graph["<unresolved>"]
    assert list(unresolved) == ["app.main.run"], unresolved
    assert len(unresolved["app.main.run"]) == 1
    assert unresolved["app.main.run"][0].endswith("at app/main.py:5"), unresolved


def test_callgraph_dot(tmp_path):
    text = _callgraph(CROSS_MODULE, "--format", "dot")
    assert text.startswith("digraph")
    assert text.rstrip().endswith("}")
    assert '"crm.client.HubspotClient.create_contact" -> "requests.post"' in text


EVERY_TARGET_KIND = {
    "pkg/__init__.py": "",
    "pkg/models.py": (
        "class Manager:\n    pass\n\n\n"
        "class Customer:\n    objects = Manager()\n\n    def __init__(self, email):\n        self.email = email\n\n"
        "    def save(self):\n        return self.email\n\n    @classmethod\n    def make(cls, email):\n        return cls(email)\n"
    ),
    "pkg/app.py": (
        "import functools\n\nimport boto3\nimport requests\n\nfrom pkg.models import Customer\n\n\n"
        "def send(url, payload):\n    requests.post(url, json=payload)\n\n\n"
        "def run(callback, user):\n"
        "    later = functools.partial(send, 'https://api.mixpanel.com/t')\n"  # partial
        "    later({'email': user.email})\n"
        "    functools.partial(callback)(user)\n"  # a partial of an unknown callable
        "    customer = Customer(user.email)\n"  # class (constructor)
        "    customer.save()\n"  # bound method
        "    Customer.make(user.email)\n"  # classmethod
        "    Customer.objects.get(email=user.email)\n"  # manager
        "    boto3.client('s3', region_name='us-east-1').put_object(Bucket='b', Key='k', Body=user.email)\n"  # client method
        "    callback(user)\n"  # deferred call on a parameter
        "    (lambda u: u)(user)\n"  # lambda
        "    getattr(user, 'notify')()\n"  # unresolved
    ),
}


@pytest.mark.parametrize("project", FIXTURE_PROJECTS + [None],
                         ids=lambda p: "every-target-kind" if p is None else str(p.relative_to(FIXTURES)))
def test_callgraph_runs_on_every_fixture_and_every_target_kind(project, tmp_path):
    """Sort keys are total over every node kind: partials, managers, client methods, classes..."""
    root = project or write_project(tmp_path, EVERY_TARGET_KIND)
    graph = json.loads(_callgraph(root, "--format", "json"))
    assert all(isinstance(t, str) for targets in graph.values() if isinstance(targets, list) for t in targets)
    assert _callgraph(root, "--format", "dot").startswith("digraph callgraph {")
    if project is None:
        run = graph["pkg.app.run"]
        assert {"pkg.app.send", "pkg.models.Customer", "pkg.models.Customer.save", "pkg.models.Customer.make",
                "pkg.models.Customer.<manager>", "boto3.s3.put_object"} <= set(run), run
        assert "functools.partial" in run


def test_a_library_context_manager_is_the_object_it_opens():
    """`with smtplib.SMTP(host) as smtp`: smtp is the client itself (flow.toml returns_receiver),
    so its sendmail is the modelled sink, not an unmodelled call of what __enter__ returned."""
    code, data, _ = scan_json(FIXTURES / "flows" / "context_managers", fmt="json")
    assert code == 1 and data["coverage"]["unmodeled_calls"] == []
    assert "smtplib.SMTP.sendmail" in {f["sink"]["callee"] for f in data["findings"]}
