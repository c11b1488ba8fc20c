"""Every generated sink model (rules/sinks/generated/, issue 12) is exercised by a scan.

A generated model carries no hand-written examples: its report example and its look-alike are
made from the model itself. The report example calls the modelled function or method (through the
constructor of the generated [[client]] whose type owns the method) with a customer's e-mail in its
first data parameter and literals elsewhere; it must give a finding at that callee. The look-alike
makes the same call with literals only; it must give none. Two scans in all: one project of every
report example, one of every look-alike, one module per model.
"""

from __future__ import annotations

import tomllib

import pytest

from xborder.knowledge import rules_dir
from conftest import scan_json, write_project


def load_models() -> list[tuple[dict, dict | None]]:
    """(sink, the client whose instances have its method, or None for a module function)."""
    models = []
    for path in sorted((rules_dir() / "sinks" / "generated").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        clients = {c["type"]: c for c in data.get("client", [])}
        for sink in data["sink"]:
            models.append((sink, clients.get(sink["callee"].rpartition(".")[0])))
    return models


MODELS = load_models()


def data_parameter(sink: dict) -> str:
    """The parameter the example puts personal data in: the first data one that is not the URL."""
    url = sink.get("destination", {}).get("url")
    data = sink["params"] if sink["data"] == ["*"] else sink["data"]
    return next(p for p in data if p != url)


def example(sink: dict, client: dict | None, personal: bool) -> str:
    """A module calling the model: the data parameter given customer.email when `personal`."""
    owner, _, method = sink["callee"].rpartition(".")
    chosen = data_parameter(sink)
    arguments = ", ".join(f"{p}=customer.email" if personal and p == chosen else f'{p}="https://example.com/x"'
                          for p in sink["params"])
    if client is None:
        call = f"{owner}.{method}({arguments})"
        module = owner
    else:
        constructor = client["constructor"]
        module = constructor.rpartition(".")[0]
        made = ", ".join(f'{p}="x"' for p in client.get("params", []))
        call = f"{constructor}({made}).{method}({arguments})"
    return f"import {module}\n\n\ndef run(customer):\n    {call}\n"


def ident(model) -> str:
    return model[0]["callee"]


@pytest.fixture(scope="module")
def findings(tmp_path_factory):
    """'report' | 'ignore' -> module name -> the callees of its findings."""
    out = {}
    for which in ("report", "ignore"):
        files = {f"m{i:03d}.py": example(sink, client, which == "report") for i, (sink, client) in enumerate(MODELS)}
        root = write_project(tmp_path_factory.mktemp(f"generated_{which}"), files)
        code, data, stderr = scan_json(root, "--home", "CN")
        assert data is not None, stderr
        assert not data["errors"], data["errors"]
        out[which] = {name: {f["sink"]["callee"] for f in data["findings"] if f["sink"]["path"] == name} for name in files}
    return out


def test_there_are_generated_models():
    assert len(MODELS) >= 100
    assert sum(client is not None for _, client in MODELS) >= 80  # most are methods of a generated client


@pytest.mark.parametrize("index", range(len(MODELS)), ids=[ident(m) for m in MODELS])
def test_report_example(index, findings):
    sink, _ = MODELS[index]
    assert sink["callee"] in findings["report"][f"m{index:03d}.py"], (sink["callee"], findings["report"][f"m{index:03d}.py"])


@pytest.mark.parametrize("index", range(len(MODELS)), ids=[ident(m) for m in MODELS])
def test_look_alike(index, findings):
    sink, _ = MODELS[index]
    assert sink["callee"] not in findings["ignore"][f"m{index:03d}.py"]
