"""bench/verify_models.py, the check of sink models against their SDK's code (issue 12), on small
package trees written here: no network, no download."""

from __future__ import annotations

import hashlib
import json
import importlib.util
import sys
import zipfile

import pytest

from conftest import ROOT

spec = importlib.util.spec_from_file_location("verify_models", ROOT / "bench" / "verify_models.py")
vm = importlib.util.module_from_spec(spec)
sys.modules["verify_models"] = vm
spec.loader.exec_module(vm)

VENDOR = {
    "vendor/__init__.py": "from .client import Client\nfrom ._lazy import *\n",
    "vendor/_lazy.py": "__all__ = ['send']\n\ndef send(to, text, *, sender=None):\n    pass\n",
    "vendor/client.py": '''
from . import _base
from .resources.messages import Messages

DEFAULT = "https://api.vendor.example/v1"


class Client(_base.Base):
    def __init__(self, key, region="us", base_url=DEFAULT):
        self.messages = Messages(self)

    @property
    def contacts(self):
        from .resources.contacts import Contacts
        return Contacts(self)

    @property
    def dyn(self) -> "Dynamic":
        return Dynamic()


class Dynamic:
    def __getattr__(self, name):
        return lambda **kwargs: None
''',
    "vendor/_base.py": "class Base:\n    def close(self):\n        pass\n",
    "vendor/resources/__init__.py": "",
    "vendor/resources/messages.py": '''
class Messages:
    def __init__(self, client):
        self.client = client

    def create(self, to, body, media_url=None):
        pass
''',
    "vendor/resources/contacts.py": '''
class Contacts:
    def create(self, email, **fields):
        pass
''',
}


def site(tmp_path, files: dict) -> vm.Code:
    """The code of a site-packages folder holding `files` (path -> text)."""
    for name, text in files.items():
        path = tmp_path / "site" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return vm.Code([tmp_path / "site"])


@pytest.fixture
def code(tmp_path):
    return site(tmp_path, VENDOR)


def check(code, path, kind="sink", params=(), data=(), default=None, source="", types=None):
    model = vm.Model(kind, path, "test:1", tuple(params), tuple(dict.fromkeys(tuple(params) + tuple(data))), default, source)
    return vm.verify_model(model, code, types or {})


def test_a_model_that_matches_the_sdk_verifies(code):
    result = check(code, "vendor.Client.messages.create", params=["to", "body"], data=["body", "media_url"],
                   default="api.vendor.example")
    assert result.status == "verified", result.reasons
    assert result.reasons == ["vendor.resources.messages:6"]


@pytest.mark.parametrize("path, data, reason", [
    ("vendor.Client.messages.send", ["body"], "no send in class Messages"),  # wrong method name
    ("vendor.Client.mesages.create", ["body"], "no mesages in class Client"),  # wrong attribute
    ("vendor.Client.messages.create", ["text"], "no parameter text in vendor.resources.messages:6(to, body, media_url)"),
    ("vendor.Klient", [], "no Klient in module vendor"),
])
def test_a_wrong_name_or_parameter_fails(code, path, data, reason):
    result = check(code, path, data=data)
    assert result.status == "failed"
    assert any(reason in r for r in result.reasons), result.reasons


def test_a_parameter_at_the_wrong_position_fails(code):
    assert check(code, "vendor.Client.messages.create", params=["body", "to"]).status == "failed"
    assert check(code, "vendor.Client.messages.create", params=["to", "body"]).status == "verified"


def test_an_absent_host_fails_unless_a_docs_url_is_cited(code):
    absent = check(code, "vendor.Client.messages.create", data=["body"], default="api.other.example")
    assert absent.status == "failed" and "api.other.example" in absent.reasons[0]
    cited = check(code, "vendor.Client.messages.create", data=["body"], default="api.other.example",
                  source="Vendor docs: https://docs.vendor.example/api#messages")
    assert cited.status == "verified"


def test_properties_keywords_star_reexports_and_bases_are_followed(code):
    assert check(code, "vendor.Client.contacts.create", data=["email", "anything"]).status == "verified"  # **fields
    assert check(code, "vendor.send", params=["to", "text"], data=["sender"]).status == "verified"  # from ._lazy import *
    assert check(code, "vendor.send", data=["sender_id"]).status == "failed"
    assert check(code, "vendor.Client.close").status == "verified"  # inherited from _base.Base
    assert check(code, "vendor.Client", kind="client", params=["key", "region"], data=["base_url"]).status == "verified"


def test_getattr_resources_are_unverifiable_not_failed(code):
    result = check(code, "vendor.Client.dyn.anything", data=["x"])
    assert result.status == "unverifiable"
    assert result.reasons == ["dynamic: class Dynamic resolves attributes in __getattr__"]


def test_a_client_type_is_followed_to_what_its_constructor_makes(code):
    types = {"vendor.msg": ["vendor.Client.messages.__init__", "vendor.resources.messages.Messages"]}
    assert check(code, "vendor.msg.create", data=["body"], types=types).status == "verified"
    assert check(code, "vendor.msg.delete", types=types).status == "failed"


def test_models_are_read_with_their_lines_and_types(tmp_path):
    rules = tmp_path / "rules" / "sinks"
    rules.mkdir(parents=True)
    (rules / "x.toml").write_text('family = "x"\n\n[[client]]\nconstructor = "vendor.Client"\ntype = "vendor.c"\n'
                                  'source = "s"\n\n[[sink]]\ncallee = "vendor.c.send"\nkind = "network"\n'
                                  'data = ["*", "text"]\ndestination = { to = "url" }\nsource = "vendor 1.2.0, a.py"\n')
    models, types = vm.load_models(rules)
    assert [(m.kind, m.path, m.where, m.names) for m in models] == [
        ("client", "vendor.Client", "rules/sinks/x.toml:4", ()),
        ("sink", "vendor.c.send", "rules/sinks/x.toml:9", ("text", "to"))]
    assert types == {"vendor.c": ["vendor.Client"]}
    pins = [vm.Pin("vendor", "1.2.0", ["vendor"], "f", "0"), vm.Pin("vendor", "2.0.0", ["vendor"], "g", "0")]
    assert [p.version for p in vm.pin_for(models[1], pins)] == ["1.2.0"]  # the version its source names
    assert [p.version for p in vm.pin_for(models[0], pins)] == ["1.2.0", "2.0.0"]


def test_a_cached_file_with_another_sha256_is_refused(tmp_path):
    wheel = tmp_path / "vendor-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr("vendor/__init__.py", "HOST = 'api.vendor.example'\n")
    good = hashlib.sha256(wheel.read_bytes()).hexdigest()
    unpacked = vm.fetch(vm.Pin("vendor", "1.0", ["vendor"], wheel.name, good), tmp_path)
    assert vm.roots_of(unpacked, ["vendor"]) == [unpacked]
    (tmp_path / (wheel.name + ".d")).rename(tmp_path / "old")
    with pytest.raises(SystemExit, match="sha256"):
        vm.fetch(vm.Pin("vendor", "1.0", ["vendor"], wheel.name, "0" * 64), tmp_path)


def test_globs_aliases_and_wrapped_methods_are_followed(code, tmp_path):
    (tmp_path / "site" / "vendor" / "_base.py").write_text(
        "class Base:\n    def close(self):\n        pass\n\n    def send_sms(self, to, text):\n        pass\n\n"
        "    def send_mms(self, to, media):\n        pass\n\n    text_message = send_sms\n\n\n"
        "def _geocode(client, address, region=None):\n    pass\n\n\nBase.geocode = make_api_method(_geocode)\n")
    code = vm.Code([tmp_path / "site"])
    assert check(code, "vendor.Client.send_*", params=["to"], data=["text", "media"]).status == "verified"
    assert check(code, "vendor.Client.send_*", data=["subject"]).status == "failed"  # in none of them
    assert check(code, "vendor.Client.fax_*").status == "failed"  # matches nothing
    assert check(code, "vendor.Client.text_message", params=["to", "text"]).status == "verified"  # a class-level alias
    assert check(code, "vendor.Client.geocode", params=["address"], data=["region"]).status == "verified"  # client dropped


def test_two_versions_of_one_model_are_checked_together(tmp_path):
    roots = []
    for version, text in (("1", "class Client:\n    def __init__(self, key, host=None):\n        pass\n"),
                          ("2", "class Client:\n    def __init__(self, *, token, base_url=None):\n        pass\n")):
        (tmp_path / version / "vendor").mkdir(parents=True)
        (tmp_path / version / "vendor" / "__init__.py").write_text(text)
        roots.append(vm.Code([tmp_path / version]))
    model = vm.Model("client", "vendor.Client", "t:1", ("key",), ("key", "host", "base_url"))
    assert [vm.verify_model(model, c, {}).status for c in roots] == ["failed", "failed"]
    assert vm.verify_model(model, roots, {}).status == "verified"
    wrong = vm.Model("client", "vendor.Client", "t:1", (), ("region",))
    assert vm.verify_model(wrong, roots, {}).status == "failed"


def test_boto3_models_are_read_from_the_service_models(tmp_path):
    site = tmp_path / "site"
    service = {"operations": {"SendMessage": {"name": "SendMessage", "input": {"shape": "SendMessageRequest"}}},
               "shapes": {"SendMessageRequest": {"members": {"QueueUrl": {}, "MessageBody": {}}}}}
    (site / "botocore" / "data" / "sqs" / "2012-11-05").mkdir(parents=True)
    (site / "botocore" / "data" / "sqs" / "2012-11-05" / "service-2.json").write_text(json.dumps(service))
    code = vm.Code([site])
    assert check(code, "boto3.sqs.send_message", data=["MessageBody", "QueueUrl"]).status == "verified"
    assert check(code, "boto3.sqs.send_message", data=["Body"]).status == "failed"
    assert check(code, "boto3.sqs.send_messages").status == "failed"


def test_a_stub_beside_the_module_declares_what_the_module_makes_at_run_time(tmp_path):
    package = tmp_path / "site" / "motorish"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "client.py").write_text("Client = create_class('Client')\n")
    (package / "_impl.py").write_text("def insert_one(self, document, session=None):\n    pass\n")
    code = vm.Code([tmp_path / "site"])
    assert check(code, "motorish.client.Client.insert_one", data=["document"]).status == "unverifiable"
    (package / "client.pyi").write_text("class Client:\n    def insert_one(self, document, session=None): ...\n")
    code = vm.Code([tmp_path / "site"])
    assert check(code, "motorish.client.Client.insert_one", data=["document"]).status == "verified"
    assert check(code, "motorish.client.Client.insert_one", data=["doc"]).status == "failed"


def test_a_method_bound_to_a_value_not_followed_is_unverifiable_not_failed(tmp_path):
    code = site(tmp_path, {"smsish/__init__.py": (
        "def bind_endpoint(**config):\n    class Endpoint:\n        pass\n    return Endpoint\n\n\n"
        "class Sms:\n    send = bind_endpoint(path='sms.do')\n    send_fast = bind_endpoint(path='sms.do')\n\n\n"
        "def helper():\n    resend = 1\n    return resend\n")})
    one = check(code, "smsish.Sms.send", data=["to"])
    assert one.status == "unverifiable" and "smsish/__init__.py:8" in one.reasons[0], one.reasons
    many = check(code, "smsish.Sms.send*", data=["to"])
    assert many.status == "unverifiable" and "send, send_fast in Sms" in many.reasons[0], many.reasons
    assert check(code, "smsish.Sms.fax*").status == "failed"  # the glob matches nothing
    assert check(code, "smsish.Sms.resend").status == "failed"  # a function's local is no member of anything


def test_a_glob_on_a_value_not_followed_is_unverifiable_not_failed(tmp_path):
    """zeep's `client.service.*`: the property returns what a method call set on self, which the
    reader does not follow; no glob can list its names, so nothing says the model is wrong."""
    code = site(tmp_path, {"soapish/__init__.py": (
        "class Client:\n    def __init__(self, wsdl):\n        self._service = self.bind()\n\n"
        "    def bind(self):\n        return make_proxy()\n\n"
        "    @property\n    def service(self):\n        return self._service\n")})
    result = check(code, "soapish.Client.service.*", data=["uid"])
    assert result.status == "unverifiable", result.reasons
    assert "Client._service is set to a value not followed" in result.reasons[0], result.reasons


def test_a_bases_getattr_answers_only_when_no_other_base_has_the_name(tmp_path):
    code = site(tmp_path, {"payish/__init__.py": (
        "class Resource:\n    def __getattr__(self, name):\n        return self.__data__[name]\n\n\n"
        "class List(Resource):\n    pass\n\n\n"
        "class Create(Resource):\n    def create(self, refresh_token=None):\n        pass\n\n\n"
        "class Payment(List, Create):\n    pass\n")})
    assert check(code, "payish.Payment.create", data=["refresh_token"]).status == "verified"
    assert check(code, "payish.Payment.create", data=["token"]).status == "failed"
    assert check(code, "payish.Payment.amount").status == "unverifiable"  # only Resource.__getattr__ can say


def test_a_namedtuple_class_has_its_fields_as_parameters(tmp_path):
    code = site(tmp_path, {"pushish/__init__.py": (
        "from collections import namedtuple\n\n\n"
        "class PushMessage(namedtuple('PushMessage', ['to', 'data', 'title', 'body'])):\n    pass\n\n\n"
        "class Ticket(namedtuple('Ticket', 'status message')):\n    pass\n")})
    assert check(code, "pushish.PushMessage", kind="client", params=["to", "data"], data=["body"]).status == "verified"
    assert check(code, "pushish.PushMessage", kind="client", params=["data", "to"]).status == "failed"  # positions
    assert check(code, "pushish.PushMessage", kind="client", data=["subtitle"]).status == "failed"
    assert check(code, "pushish.Ticket", kind="client", params=["status", "message"]).status == "verified"


GENERATED = '''family = "generated"

[[client]]
constructor = "vendor.Client"
params = ["key"]
source = "generated from vendor 1.0: class at vendor/client.py:1"
generated = { package = "Vendor.py", version = "1.0", class = "vendor/client.py:1" }

[[sink]]
callee = "vendor.Client.send"
kind = "network"
params = ["to", "text"]
data = ["to", "text"]
default = "api.vendor.example"
source = "generated from vendor 1.0: requests.post at vendor/client.py:5; host api.vendor.example at vendor/client.py:1"
generated = { package = "Vendor.py", version = "1.0", primitive = "requests.post", call = "vendor/client.py:5" }
'''


@pytest.fixture
def generated(tmp_path):
    """rules/sinks/ with one hand-written and one generated file, the pins, and a cache holding the
    pinned sdist already unpacked (code under src/, as bulksms's and sms77api's sdists keep it)."""
    rules = tmp_path / "rules" / "sinks"
    (rules / "generated").mkdir(parents=True)
    (rules / "x.toml").write_text('[[sink]]\ncallee = "vendor.Client.send"\nkind = "network"\ndata = ["text"]\n'
                                  'source = "vendor docs"\n')
    (rules / "generated" / "vendor_py.toml").write_text(GENERATED)
    package = tmp_path / "cache" / "vendor.py-1.0.tar.gz.d" / "vendor.py-1.0" / "src" / "vendor"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("from .client import Client\n")
    (package / "client.py").write_text('HOST = "https://api.vendor.example"\n\n\nclass Client:\n'
                                       '    def __init__(self, key):\n        pass\n\n'
                                       '    def send(self, to, text):\n        pass\n')
    (tmp_path / "sdks.toml").write_text('[[sdk]]\ndistribution = "vendor.py"\nversion = "1.0"\nimports = ["vendor"]\n'
                                        'file = "vendor.py-1.0.tar.gz"\nsha256 = "0"\n')
    return tmp_path


def run(tmp_path, capsys, *packages) -> tuple:
    code = vm.main([*packages, "--rules", str(tmp_path / "rules" / "sinks"), "--pins", str(tmp_path / "sdks.toml"),
                    "--cache", str(tmp_path / "cache")])
    return code, capsys.readouterr().out


def test_generated_models_are_read_with_their_provenance(generated):
    models, _ = vm.load_models(generated / "rules" / "sinks")
    assert [(m.kind, m.path, m.where, m.generated) for m in models] == [
        ("sink", "vendor.Client.send", "rules/sinks/x.toml:2", ()),
        ("client", "vendor.Client", "rules/sinks/generated/vendor_py.toml:4", ("Vendor.py", "1.0")),
        ("sink", "vendor.Client.send", "rules/sinks/generated/vendor_py.toml:10", ("Vendor.py", "1.0"))]


def test_generated_models_are_verified_against_the_pin_of_their_version(generated, capsys):
    code, out = run(generated, capsys)
    assert code == 0, out
    assert "hand-written (1 models)                         1       0        0" in out
    assert "generated (2 models)                            2       0        0" in out
    assert "TOTAL (3 models)                                3       0        0" in out
    code, out = run(generated, capsys, "vendor.py")  # chosen by the distribution the models were generated from
    assert code == 0 and "TOTAL (3 models)" in out, out


@pytest.mark.parametrize("old, new, reason", [
    ('callee = "vendor.Client.send"', 'callee = "vendor.Client.send_sms"', "no send_sms in class Client"),
    ('data = ["to", "text"]', 'data = ["to", "body"]', "no parameter body in vendor.client:8(to, text)"),
    ('version = "1.0", primitive', 'version = "0.9", primitive',
     "generated from Vendor.py==0.9, but bench/sdks.toml pins Vendor.py 1.0"),
    ('package = "Vendor.py", version = "1.0", primitive', 'package = "vendor-sms", version = "1.0", primitive',
     "generated from vendor-sms==1.0, but no pin for vendor-sms in bench/sdks.toml"),
])
def test_a_generated_model_naming_a_missing_function_or_another_version_fails(generated, capsys, old, new, reason):
    path = generated / "rules" / "sinks" / "generated" / "vendor_py.toml"
    assert path.read_text().count(old) == 1
    path.write_text(path.read_text().replace(old, new))
    code, out = run(generated, capsys)
    assert code == 1, out
    assert "TOTAL (3 models)                                2       1        0" in out
    failed = out.split("FAILED (1)\n")[1]
    assert failed.startswith("  rules/sinks/generated/vendor_py.toml:10 sink vendor.Client.") and reason in failed, out
    code, out = run(generated, capsys, "vendor-sms" if "vendor-sms" in new else "vendor.py")  # also when it is asked for
    assert code == 1 and reason in out, out
