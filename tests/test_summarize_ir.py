"""Summarize, one behaviour at a time (issue 10): a Python snippet in, the records of summary.py
and the IR values of ir.py out, asserted exactly. The end-to-end fixtures show that a flow is
found; these tests say which step of summarizing broke when one is not.

Located nodes are asserted through their (line, column), which the snippets make obvious, rather
than through their index."""

from __future__ import annotations

import functools
import textwrap


from xborder.ir import BEYOND_CAP, DICT_KEYS, Poured, EMPTY, MAX_STRS, UNKNOWN_KEY, AttrPath, CallResult, DecoratedCallee, DynamicCallee, FieldRef, \
    GlobalRef, ItemPath, \
    LibraryRef, Lit, MethodCallee, Mutation, ParamRef, ProjectRef, SelfRef, SourceRef, StaticCallee, StrOf, SuperCallee, \
    Unknown, Val
from xborder.knowledge import load_knowledge
from xborder.knowledge.config import Config
from xborder.summarize import Context, summarize
from xborder.summary import Arg, FieldWrite, GlobalWrite, ModuleSummary, Parameter, ParseError

MODULE = "app.views"
PATH = "app/views.py"


@functools.cache
def _context() -> Context:
    """The bundled vocabulary and flow rules, loaded once for the module."""
    knowledge = load_knowledge(Config(home=("CN",)))
    return Context(knowledge.vocabulary, knowledge.catalog.flowrules, knowledge.sources)


def summarized(code: str, module: str = MODULE, is_package: bool = False) -> ModuleSummary:
    """The summary of a snippet (dedented), with positions, as module `module`."""
    path = module.replace(".", "/") + ("/__init__.py" if is_package else ".py")
    source = textwrap.dedent(code).lstrip("\n").encode()
    return summarize(source, path, module, is_package, _context(), "digest", with_positions=True)


def function(summary: ModuleSummary, qualname: str):
    matches = [f for f in summary.functions if f.qualname == qualname]
    assert len(matches) == 1, [f.qualname for f in summary.functions]
    return matches[0]


def returns(code: str, qualname: str = f"{MODULE}.f") -> Val:
    return function(summarized(code), qualname).returns


def sources(summary: ModuleSummary) -> list:
    """Each source as (category, expression, shape, function, (line, column))."""
    return [(s.category, s.expression, s.shape, s.function, summary.positions[s.loc]) for s in summary.sources]


def at(summary: ModuleSummary, where: tuple) -> tuple:
    """(line, column) of a Lit's `where`, checking that it names this module."""
    path, loc = where
    assert path == summary.path
    return summary.positions[loc]


def atoms(*items) -> Val:
    return Val(frozenset(items))


# ----------------------------------------------------------------------------- sources by name


def test_a_variable_named_like_personal_data_is_a_source():
    s = summarized("""
        def f(user):
            phone = lookup(user)
            return phone
    """)
    assert sources(s) == [("user.contact.phone_number", "phone", "variable", "app.views.f", (2, 5))]
    assert function(s, "app.views.f").returns == atoms(CallResult(0), SourceRef(0))


def test_a_named_parameter_is_a_source_but_star_parameters_are_not():
    s = summarized("""
        def f(email, *phones, **mobile):
            return email
    """)
    assert sources(s) == [("user.contact.email", "email", "parameter", "app.views.f", (1, 7))]
    assert function(s, "app.views.f").returns == atoms(ParamRef("email"), SourceRef(0))


def test_an_attribute_named_like_personal_data_is_a_source():
    s = summarized("""
        def f(user):
            return user.email
    """)
    assert sources(s) == [("user.contact.email", "user.email", "attribute", "app.views.f", (2, 12))]
    assert function(s, "app.views.f").returns == atoms(AttrPath(ParamRef("user"), "email"), SourceRef(0))


def test_a_subscript_and_a_dict_literal_key_are_sources_of_shape_key():
    s = summarized("""
        def f(payload, n):
            mail = payload["email"]
            copy = {"phone": n}
            return mail, copy
    """)
    assert sources(s) == [
        ("user.contact.email", "payload['email']", "key", "app.views.f", (2, 12)),
        ("user.contact.phone_number", '"phone"', "key", "app.views.f", (3, 13)),
    ]


def test_a_dict_key_names_its_value_only_when_the_value_is_no_source_itself():
    s = summarized("""
        def f(payload, user):
            return {"phone": payload["email"], "X-User-Name": user.name}
    """)
    assert [c for c, *_ in sources(s)] == ["user.contact.email", "user.name"]


def test_a_keyword_argument_named_like_personal_data_is_a_source():
    s = summarized("""
        def f(user):
            notify(email=address_of(user))
    """)
    assert sources(s) == [("user.contact.email", "email", "keyword", "app.views.f", (2, 12))]
    keyword = s.calls[1].args[0]
    assert keyword == Arg(None, "email", atoms(CallResult(0), SourceRef(0)))


def test_a_class_body_name_is_a_field_source_recorded_on_the_class():
    s = summarized("""
        class Customer:
            email = EmailField()
            created = DateTimeField()
            phone: str
    """)
    assert sources(s) == [
        ("user.contact.email", "email", "field", "app.views.Customer", (2, 5)),
        ("user.contact.phone_number", "phone", "field", "app.views.Customer", (4, 5)),
    ]
    assert s.classes[0].fields == (("email", 0), ("created", None), ("phone", 1))


def test_a_field_declared_a_number_is_noted_on_the_class():
    """flow.toml number_types: by the field's constructor or its annotation, imports resolved."""
    s = summarized("""
        from decimal import Decimal
        from django.db import models

        class Line(models.Model):
            price = models.DecimalField(max_digits=10, decimal_places=2)
            quantity: int = 1
            total: Decimal
            name = models.CharField(max_length=20)
            note: str = ""
    """)
    assert s.classes[0].numbers == ("price", "quantity", "total")


def test_a_constant_named_like_personal_data_is_not_a_source():
    s = summarized("""
        def f():
            email = "ops@example.com"
            notify(email="ops@example.com", phone=None)
            return {"mobile": "+86 10 1234 5678"}
    """)
    assert s.sources == ()


def test_a_sanitized_value_is_not_a_source():
    s = summarized("""
        import hashlib

        def f(raw):
            email = hashlib.sha256(raw).hexdigest()
            return email
    """)
    assert s.sources == ()
    assert function(s, "app.views.f").returns == atoms(CallResult(1))


def test_look_alike_names_are_not_sources_and_weak_words_need_a_person():
    s = summarized("""
        def f(server, customer):
            email_template = load()
            is_email_verified = check()
            hashed_email = digest()
            port = server.address
            return customer.address
    """)
    assert sources(s) == [("user.contact.address", "customer.address", "attribute", "app.views.f", (6, 12))]


# ----------------------------------------------------------------------------- atoms


def test_a_parameter_is_a_param_ref():
    assert returns("def f(config):\n    return config\n") == atoms(ParamRef("config"))


def test_a_call_is_a_call_result_numbered_by_its_site():
    s = summarized("""
        def f():
            first()
            return second()
    """)
    assert function(s, "app.views.f").returns == atoms(CallResult(1))
    assert [c.callee for c in s.calls] == [StaticCallee("first"), StaticCallee("second")]


def test_a_module_variable_read_in_a_function_is_a_global_ref():
    s = summarized("""
        LIMIT = compute()

        def f():
            return LIMIT
    """)
    assert function(s, "app.views.f").returns == atoms(GlobalRef("app.views", "LIMIT"))
    assert dict(s.globals)["LIMIT"] == atoms(CallResult(0))


def test_an_attribute_of_self_is_a_field_ref_and_self_a_self_ref():
    s = summarized("""
        class Client:
            def config(self):
                return self.settings

            def me(self):
                return self
    """)
    assert function(s, "app.views.Client.config").returns == atoms(FieldRef("app.views.Client", "settings"))
    assert function(s, "app.views.Client.me").returns == atoms(SelfRef("app.views.Client"))


def test_access_paths_on_a_parameter_stop_at_three_steps():
    s = summarized("""
        def attrs(req):
            return req.a.b.c.d

        def items(req):
            return req["a"]["b"]
    """)
    a = ParamRef("req")
    assert function(s, "app.views.attrs").returns == atoms(AttrPath(AttrPath(AttrPath(a, "a"), "b"), "c"))
    assert function(s, "app.views.items").returns == atoms(ItemPath(ItemPath(a, "a"), "b"))


def test_a_project_function_or_class_used_as_a_value_is_a_project_ref():
    s = summarized("""
        def g():
            pass

        class C:
            pass

        def f(flag):
            return g if flag else C
    """)
    assert function(s, "app.views.f").returns == atoms(ProjectRef("app.views.g"), ProjectRef("app.views.C"))


def test_an_imported_or_builtin_name_used_as_a_value_is_a_library_ref():
    s = summarized("""
        import requests
        from boto3 import client as make_client

        def f(flag):
            return requests.post if flag else (make_client or open)
    """)
    assert function(s, "app.views.f").returns == atoms(
        LibraryRef("requests.post"), LibraryRef("boto3.client"), LibraryRef("open"))


# ----------------------------------------------------------------------------- call sites


def test_calls_of_imported_names_are_static_callees_with_the_full_name():
    s = summarized("""
        import requests
        import boto3 as aws
        import os.path
        from urllib.parse import urljoin as join_url

        requests.post()
        aws.client()
        os.path.exists()
        join_url()
    """)
    assert [(c.callee, c.text) for c in s.calls] == [
        (StaticCallee("requests.post"), "requests.post"),
        (StaticCallee("boto3.client"), "aws.client"),
        (StaticCallee("os.path.exists"), "os.path.exists"),
        (StaticCallee("urllib.parse.urljoin"), "join_url"),
    ]
    assert [c.function for c in s.calls] == ["app.views.<module>"] * 4


def test_relative_imports_resolve_against_the_module_package():
    s = summarized("""
        from . import util
        from .client import send
        from ..core import mail

        util.push()
        send()
        mail.deliver()
    """, module="app.api.views")
    assert [c.callee for c in s.calls] == [
        StaticCallee("app.api.util.push"), StaticCallee("app.api.client.send"), StaticCallee("app.core.mail.deliver")]


def test_relative_imports_in_a_package_resolve_against_the_package_itself():
    s = summarized("""
        from .client import send
        from .. import core

        send()
        core.start()
    """, module="app.api", is_package=True)
    assert s.path == "app/api/__init__.py"
    assert [c.callee for c in s.calls] == [StaticCallee("app.api.client.send"), StaticCallee("app.core.start")]


def test_calls_of_project_definitions_are_static_callees():
    s = summarized("""
        def g():
            pass

        class C:
            def make(self):
                pass

        g()
        C()
        C.make()
    """)
    assert [c.callee for c in s.calls] == [
        StaticCallee("app.views.g"), StaticCallee("app.views.C"), StaticCallee("app.views.C.make")]


def test_a_call_on_a_value_is_a_method_callee_with_its_receiver():
    s = summarized("""
        def f(client, data):
            client.send(data)
            make().close()
    """)
    assert [(c.callee, c.text) for c in s.calls] == [
        (MethodCallee(atoms(ParamRef("client")), "send"), "client.send"),
        (StaticCallee("make"), "make"),
        (MethodCallee(atoms(CallResult(1)), "close"), "make(...).close"),
    ]


def test_a_call_of_a_computed_value_is_a_dynamic_callee():
    s = summarized("""
        def first():
            pass

        def second():
            pass

        def f(handlers, flag):
            handlers["x"]()
            cb = first if flag else second
            cb()
    """)
    assert [c.callee for c in s.calls] == [
        DynamicCallee(atoms(ItemPath(ParamRef("handlers"), "x"))),
        DynamicCallee(atoms(ProjectRef("app.views.first"), ProjectRef("app.views.second"))),
    ]


def test_super_in_a_method_is_a_super_callee_of_its_class():
    s = summarized("""
        class Base:
            def save(self):
                pass

        class Child(Base):
            def save(self):
                super().save()
    """)
    assert [(c.callee, c.function) for c in s.calls] == [(SuperCallee("app.views.Child", "save"), "app.views.Child.save")]


def test_arguments_keep_positions_keywords_and_stars():
    s = summarized("""
        def f(a, rest, v):
            g(a, *rest, key=v)
    """)
    assert s.calls[0].args == (
        Arg(0, None, atoms(ParamRef("a"))),
        Arg(1, None, atoms(ParamRef("rest")), starred=True),
        Arg(None, "key", atoms(ParamRef("v"))),
    )


def test_a_double_star_argument_is_starred_and_not_positional():
    s = summarized("""
        def f(a, extra):
            g(a, **extra)
    """)
    spread = s.calls[0].args[1]
    assert (spread.position, spread.starred, spread.value) == (None, True, atoms(ParamRef("extra")))


# ----------------------------------------------------------------------------- strings


def test_a_string_constant_is_one_lit_that_knows_where_it_was_written():
    s = summarized("""
        API = "https://api.example.com/v1"
    """)
    (alternative,) = dict(s.globals)["API"].strs
    (piece,) = alternative
    assert piece.text == "https://api.example.com/v1"
    assert at(s, piece.where) == (1, 7)


def test_an_f_string_is_lits_around_the_string_of_its_fields():
    s = summarized("""
        def f(host):
            return f"https://{host}/v1"
    """)
    value = function(s, "app.views.f").returns
    (parts,) = value.strs
    assert [type(p) for p in parts] == [Lit, StrOf, Lit]
    assert (parts[0].text, parts[1], parts[2].text) == ("https://", StrOf(ParamRef("host")), "/v1")
    assert (at(s, parts[0].where), at(s, parts[2].where)) == ((2, 14), (2, 28))
    # its objects are the field made into text: format(host), which runs an object's __str__
    assert value.atoms == frozenset({CallResult(0)})
    assert (s.calls[0].callee, s.calls[0].args) == (StaticCallee("format"), (Arg(0, None, atoms(ParamRef("host"))),))


def test_concatenation_joins_pieces_and_merges_adjacent_constants():
    s = summarized("""
        BASE = "https://x.example.com"

        def f():
            return BASE + "/users" + "/all"

        def g():
            return "https://" "y.example.com"
    """)
    (parts,) = function(s, "app.views.f").returns.strs
    assert parts[0] == StrOf(GlobalRef("app.views", "BASE"))
    assert (parts[1].text, at(s, parts[1].where)) == ("/users/all", (4, 19))
    ((lit,),) = function(s, "app.views.g").returns.strs
    assert (lit.text, at(s, lit.where)) == ("https://y.example.com", (7, 12))


def test_percent_formatting_writes_each_s_placeholder_as_its_value():
    s = summarized("""
        def f(host):
            return "https://%s/track" % host
    """)
    value = function(s, "app.views.f").returns
    (parts,) = value.strs
    assert [(p.text if type(p) is Lit else p) for p in parts] == ["https://", StrOf(ParamRef("host")), "/track"]
    assert value.atoms == frozenset({CallResult(0)})  # str(host), which runs an object's __str__
    assert (s.calls[0].callee, s.calls[0].args) == (StaticCallee("str"), (Arg(0, None, atoms(ParamRef("host"))),))


def test_percent_formatting_leaves_a_number_or_a_missing_value_unknown():
    s = summarized("""
        def f(port):
            return "https://%s:%d/%s" % ("api.example.com", port)
    """)
    (parts,) = function(s, "app.views.f").returns.strs
    assert [(p.text if type(p) is Lit else p) for p in parts] == [
        "https://api.example.com:", Unknown("%-formatting"), "/", Unknown("%-formatting")]


def test_percent_formatting_counts_a_star_width_as_a_value_of_its_own():
    s = summarized("""
        def f(width):
            return "https://%*s/x?email=%s" % (width, "api.example.com", "ops")
    """)
    (parts,) = function(s, "app.views.f").returns.strs
    assert [(p.text if type(p) is Lit else p) for p in parts] == ["https://api.example.com/x?email=ops"]


def test_a_value_written_after_a_query_key_is_named_by_it():
    s = summarized("""
        def f(code, page):
            a = "/done?verification_code={}&page={}".format(code.value, page)
            b = f"/x?email={code.value}"
            c = "/x?n=1&phone=%s" % code.value
            d = "/x?user_ip=" + code.value
            e = "/x?page=%d&api_key=%s" % (page, code.value)
    """)
    assert sorted(src.category for src in s.sources) == [
        "user.authorization.credentials", "user.contact.email", "user.contact.phone_number", "user.device.ip_address"]
    assert {src.shape for src in s.sources} == {"key"}


def test_str_format_substitutes_positional_and_named_fields():
    s = summarized("""
        def f(host):
            return "https://{}/{path}/{region}".format(host, path="v1")
    """)
    value = function(s, "app.views.f").returns
    (parts,) = value.strs
    assert [p.text if type(p) is Lit else p for p in parts] == [
        "https://", StrOf(ParamRef("host")), "/v1/", Unknown("format field")]
    assert value.atoms == frozenset({CallResult(0), ParamRef("host")})


def test_an_environment_read_is_its_default_or_unknown():
    s = summarized("""
        import os

        def with_default():
            return os.getenv("API_URL", "https://api.example.com")

        def without():
            return os.environ.get("SENTRY_DSN")
    """)
    value = function(s, "app.views.with_default").returns
    ((lit,),) = value.strs
    assert (lit.text, at(s, lit.where), value.atoms) == ("https://api.example.com", (4, 33), frozenset({CallResult(0)}))
    assert function(s, "app.views.without").returns == Val(
        frozenset({CallResult(1)}), ((Unknown("environment variable SENTRY_DSN has no default"),),))


def test_a_path_joiner_puts_its_separator_between_base_and_path():
    s = summarized("""
        import os

        def f(name):
            return os.path.join("/data", name)
    """)
    value = function(s, "app.views.f").returns
    (parts,) = value.strs
    assert (parts[0].text, parts[1]) == ("/data/", StrOf(ParamRef("name")))
    assert at(s, parts[0].where) == (4, 25)
    assert value.atoms == frozenset({CallResult(0)})


def test_what_cannot_be_known_is_an_unknown_piece():
    s = summarized("""
        def joined(parts):
            return "-".join(parts)

        def number():
            return f"v{3}"
    """)
    assert function(s, "app.views.joined").returns.strs == ((Unknown("str.join"),),)
    (parts,) = function(s, "app.views.number").returns.strs
    assert (parts[0].text, parts[1]) == ("v", Unknown("not a constant"))


def test_string_alternatives_are_kept_in_order_up_to_max_strs():
    branches = "\n".join(f"    {'if' if i == 0 else 'elif'} n == {i}:\n        host = 'h{i}'" for i in range(MAX_STRS + 2))
    s = summarized(f"def f(n):\n{branches}\n    return host\n")
    assert MAX_STRS == 6
    kept = function(s, "app.views.f").returns.strs
    assert [lit.text for (lit,) in kept[:-1]] == ["h0", "h1", "h2", "h3", "h4", "h5"]
    assert kept[-1] == BEYOND_CAP  # the dropped ones are an unknown alternative, never lost silently


def test_concatenated_alternatives_are_bounded_by_max_strs():
    s = summarized("""
        def f(a, b, c):
            x = "a0" if a else "a1"
            y = "b0" if b else "b1"
            z = "c0" if c else "c1"
            return f"{x}{y}{z}"
    """)
    combos = ["a0b0c0", "a0b0c1", "a0b1c0", "a0b1c1", "a1b0c0", "a1b0c1"]
    kept = function(s, "app.views.f").returns.strs
    assert [lit.text for (lit,) in kept[:-1]] == combos and kept[-1] == BEYOND_CAP


# ----------------------------------------------------------------------------- dict keys


def test_a_dict_literal_knows_its_keys_constant_values_included():
    s = summarized("""
        def f(name, tag):
            return {"name": name, "version": 2, tag: "x"}
    """)
    returns = function(s, "app.views.f").returns
    keys = returns.keyed()
    assert keys[DICT_KEYS] == atoms(ParamRef("tag"))  # what its keys carry: the computed key's own data
    assert keys["name"] == atoms(ParamRef("name")) and keys["version"] == Val()
    assert [lit.text for (lit,) in keys[UNKNOWN_KEY].strs] == ["x"]  # held under a key not known statically


def test_a_loop_over_a_dict_takes_its_keys_and_items_take_keys_and_values_apart():
    s = summarized("""
        def keys(rows):
            built = {}
            built[rows.serial] = rows.secret
            for serial in built:
                return serial

        def items(rows, i):
            built = {}
            built[rows.serial] = {"otpkey": rows.secret, "kind": rows.kind}
            for serial, record in built.items():
                return serial if i else record["otpkey"]

        def view(mapping):
            for k in mapping.keys():
                return k

        def kept(mapping, names):
            return {k: v for k, v in mapping.items() if k in names}
    """)
    serial, secret = AttrPath(ParamRef("rows"), "serial"), AttrPath(ParamRef("rows"), "secret")
    assert function(s, "app.views.keys").returns.atoms == frozenset({serial})  # the keys, not the records
    data = {a for a in function(s, "app.views.items").returns.atoms if type(a) is not SourceRef}  # (and "otpkey" by its name)
    assert data == {serial, secret}  # the key, or the record's otpkey only
    assert function(s, "app.views.view").returns.atoms == frozenset({ItemPath(ParamRef("mapping"), DICT_KEYS)})  # read at the caller
    assert function(s, "app.views.kept").returns == atoms(ParamRef("mapping"))  # its own pairs kept: the mapping, filtered


def test_a_computed_subscript_of_a_table_of_constants_gives_every_value():
    s = summarized("""
        HOSTS = {"us": "https://api.example.com", "eu": "https://api.eu.example.com"}

        def f(region):
            return HOSTS[region]

        def g(region):
            local = {"a": "https://a.example.com", region: "https://b.example.com"}
            return local[region]
    """)
    read_later = ItemPath(GlobalRef("app.views", "HOSTS"), UNKNOWN_KEY)  # the global's values are known in propagation
    assert function(s, "app.views.f").returns.strs == ((StrOf(read_later),),)
    texts = {part.text for (part,) in function(s, "app.views.g").returns.strs if type(part) is Lit}
    assert texts == {"https://a.example.com", "https://b.example.com"}


def test_a_constant_subscript_also_gives_what_computed_keys_hold():
    s = summarized("""
        def f(region):
            local = {"a": "https://a.example.com", region: "https://b.example.com"}
            return local["a"]
    """)
    texts = {lit.text for (lit,) in function(s, "app.views.f").returns.strs}
    assert texts == {"https://a.example.com", "https://b.example.com"}


def test_double_star_in_a_dict_literal_spreads_the_known_keys():
    s = summarized("""
        def f(x, y):
            base = {"a": x}
            return {**base, "b": y}
    """)
    assert function(s, "app.views.f").returns.keys == ((DICT_KEYS, Val()), ("a", atoms(ParamRef("x"))), ("b", atoms(ParamRef("y"))))


def test_a_key_reader_reads_the_value_under_its_key():
    s = summarized("""
        def known(x):
            d = {"channel": x}
            return d.get("channel")

        def form_field(form):
            return form.get("mobile")

        def not_a_key(form):
            return form.get("Your email, please.")
    """)
    assert function(s, "app.views.known").returns == atoms(ParamRef("x"))
    assert function(s, "app.views.form_field").returns == atoms(CallResult(1), SourceRef(0))
    assert sources(s) == [("user.contact.phone_number", '"mobile"', "key", "app.views.form_field", (6, 21))]
    assert function(s, "app.views.not_a_key").returns == atoms(CallResult(2))


# ----------------------------------------------------------------------------- writes


def test_assigning_or_appending_to_an_attribute_of_self_is_a_field_write_of_the_class():
    s = summarized("""
        class Account:
            def __init__(self, owner, item):
                self.owner = owner
                self.items.append(item)
    """)
    writes = function(s, "app.views.Account.__init__").writes
    assert tuple(w._replace(loc=-1) for w in writes) == (
        FieldWrite(EMPTY, "app.views.Account", "owner", atoms(ParamRef("owner"))),
        # what `append` pours in, unless the field turns out to hold a library client whose own `append` a sink models
        FieldWrite(EMPTY, "app.views.Account", "items", atoms(Mutation(0, (ParamRef("item"),)))),
    )
    assert all(w.loc >= 0 for w in writes)  # located, for the trace's "stored in Account.owner"


def test_assigning_to_an_attribute_of_another_object_is_a_field_write_on_that_value():
    s = summarized("""
        def f(note):
            order = make()
            order.note = note
            return order
    """)
    f = function(s, "app.views.f")
    assert tuple(w._replace(loc=-1) for w in f.writes) == (FieldWrite(atoms(CallResult(0)), None, "note", atoms(ParamRef("note"))),)
    assert f.writes[0].loc >= 0
    # the local holds the note as a library object would; a project object's field keeps it apart
    assert f.returns == atoms(CallResult(0), Poured((CallResult(0),), (ParamRef("note"),), "note"))


def test_assigning_a_declared_global_is_a_global_write():
    s = summarized("""
        CLIENT = None

        def setup(url):
            global CLIENT
            CLIENT = connect(url)

        def use():
            return CLIENT
    """)
    assert function(s, "app.views.setup").writes == (GlobalWrite("app.views", "CLIENT", atoms(CallResult(0))),)
    assert function(s, "app.views.use").returns == atoms(GlobalRef("app.views", "CLIENT"))


# ----------------------------------------------------------------------------- control flow


def test_if_and_else_are_joined():
    s = summarized("""
        def f(flag, a, b):
            if flag:
                v = a
            else:
                v = b
            return v
    """)
    assert function(s, "app.views.f").returns == atoms(ParamRef("a"), ParamRef("b"))


def test_an_if_without_else_joins_with_the_state_before_it():
    s = summarized("""
        def f(flag):
            host = "x"
            if flag:
                host = "y"
            return host
    """)
    assert [lit.text for (lit,) in function(s, "app.views.f").returns.strs] == ["y", "x"]


def test_a_loop_unpacking_tuples_written_in_a_list_gives_each_name_its_own_item():
    s = summarized("""
        CHANNEL, DIRECT, RELAY = "https://a.example.cn/c", "https://a.example.cn/d", "https://relay.example.us/"

        def pairs(channels, users):
            for url, target in [(CHANNEL, ch) for ch in channels] + [(DIRECT, uid) for uid in users]:
                return url

        def triples(user):
            for url, target, kind in [(RELAY, user.id, "dm")]:
                return url

        def whole(user):
            for pair in [(RELAY, user.id)]:
                return pair
    """)
    assert function(s, "app.views.pairs").returns.atoms == frozenset({GlobalRef("app.views", "CHANNEL"), GlobalRef("app.views", "DIRECT")})
    assert function(s, "app.views.triples").returns.atoms == frozenset({GlobalRef("app.views", "RELAY")})  # not the user's id
    assert AttrPath(ParamRef("user"), "id") in function(s, "app.views.whole").returns.atoms  # a tuple taken whole holds both


def test_a_loop_body_runs_twice_into_the_same_call_site():
    s = summarized("""
        def f(items):
            acc = None
            for item in items:
                acc = combine(acc, item)
            return acc
    """)
    assert len(s.calls) == 1
    assert s.calls[0].args == (Arg(0, None, atoms(CallResult(0))), Arg(1, None, atoms(ParamRef("items"))))
    f = function(s, "app.views.f")
    assert (f.calls, f.returns) == ((0,), atoms(CallResult(0)))


def test_a_while_loop_carries_values_around_without_new_sources():
    s = summarized("""
        def f(user):
            phone = None
            while retry():
                phone = normalize(phone or user)
            return phone
    """)
    assert [c.callee for c in s.calls] == [StaticCallee("retry"), StaticCallee("normalize")]
    assert sources(s) == [("user.contact.phone_number", "phone", "variable", "app.views.f", (4, 9))]
    assert s.calls[1].args == (Arg(0, None, atoms(ParamRef("user"), CallResult(1), SourceRef(0))),)


# ----------------------------------------------------------------------------- classes


def test_class_bases_are_resolved_through_imports():
    s = summarized("""
        from django.db import models
        from .base import Model as BaseModel

        class Local:
            pass

        class Customer(models.Model, BaseModel, Local):
            pass
    """)
    assert [(c.qualname, c.bases) for c in s.classes] == [
        ("app.views.Local", ()),
        ("app.views.Customer", ("django.db.models.Model", "app.base.Model", "app.views.Local")),
    ]


def test_methods_know_their_class_static_and_class_methods_are_marked():
    s = summarized("""
        class C:
            def m(self):
                def helper():
                    pass

            @staticmethod
            def s(x):
                pass

            @classmethod
            def c(cls):
                pass
    """)
    shape = {f.qualname: (f.cls, f.is_static, f.is_classmethod) for f in s.functions}
    assert shape == {
        "app.views.C.m": ("app.views.C", False, False),
        "app.views.C.m.helper": (None, False, False),
        "app.views.C.s": (None, True, False),
        "app.views.C.c": ("app.views.C", False, True),
        "app.views.<module>": (None, False, False),
    }


def test_parameters_record_kind_annotation_and_the_default_as_where_the_function_is_defined():
    s = summarized("""
        import httpx

        URL = "https://api.example.com"

        def f(client: httpx.Client, url=URL, *rest, timeout: "Seconds" = 3, **extra):
            pass
    """)
    params = function(s, "app.views.f").params
    ((url,),) = params[1].default.strs
    assert (url.text, at(s, url.where)) == ("https://api.example.com", (3, 7))
    assert params == (
        Parameter("client", "positional", "httpx.Client", None),
        Parameter("url", "positional", None, Val(strs=((url,),))),
        Parameter("rest", "varargs", None, None),
        Parameter("timeout", "keyword", "Seconds", EMPTY),
        Parameter("extra", "varkw", None, None),
    )


# ----------------------------------------------------------------------------- lambdas, nested functions


def test_a_lambda_is_a_function_named_after_its_enclosing_function():
    s = summarized("""
        def f():
            handler = lambda x: send(x)
            return handler

        def g():
            return lambda: None
    """)
    lam = function(s, "app.views.f.<lambda1>")
    assert (lam.params, lam.returns, lam.calls) == ((Parameter("x", "positional", None),), atoms(CallResult(0)), (0,))
    assert s.calls[0].function == "app.views.f.<lambda1>"
    assert function(s, "app.views.f").returns == atoms(ProjectRef("app.views.f.<lambda1>"))
    assert function(s, "app.views.g").returns == atoms(ProjectRef("app.views.g.<lambda2>"))


def test_a_nested_function_reads_its_closure_through_parameters_its_callers_bind():
    s = summarized("""
        def outer(token):
            base = "https://api.example.com"
            def url():
                return base
            def secret():
                return token
            secret()
            return url
    """)
    assert function(s, "app.views.outer").returns == atoms(ProjectRef("app.views.outer.url"))
    url = function(s, "app.views.outer.url")
    assert [lit.text for (lit,) in url.returns.strs] == ["https://api.example.com"]
    assert url.params == ()  # a constant needs no parameter
    secret = function(s, "app.views.outer.secret")
    assert secret.params == (Parameter("<closure>token", "closure", None),)
    assert secret.returns == atoms(ParamRef("<closure>token"))
    assert [(c.text, c.args) for c in s.calls] == [("secret", (Arg(None, "<closure>token", atoms(ParamRef("token"))),))]


# ----------------------------------------------------------------------------- match


def test_match_patterns_bind_names_to_paths_of_the_subject():
    s = summarized("""
        def f(msg):
            match msg:
                case {"kind": "mail", "to": to}:
                    deliver(to)
                case Point(x=x):
                    plot(x)
                case [first, *rest]:
                    show(first)
    """)
    m = ParamRef("msg")
    assert [(c.text, c.args) for c in s.calls] == [
        ("deliver", (Arg(0, None, atoms(ItemPath(m, "to"))),)),
        ("plot", (Arg(0, None, atoms(AttrPath(m, "x"))),)),
        ("show", (Arg(0, None, atoms(m)),)),
    ]


def test_match_joins_its_cases_with_the_state_before_it():
    s = summarized("""
        def f(cmd):
            host = "a"
            match cmd:
                case "b":
                    host = "b"
                case _:
                    host = "c"
            return host
    """)
    assert [lit.text for (lit,) in function(s, "app.views.f").returns.strs] == ["a", "b", "c"]


# ----------------------------------------------------------------------------- errors


def test_a_syntax_error_is_an_error_summary_with_its_line_and_column():
    s = summarized("a = 1\nb = 2 3\n")
    assert s.error.line == 2 and s.error.column == 7 and s.error.code == "XB901"
    assert s.error.message.startswith("syntax error: parser error: error at 2:7:")
    assert (s.sources, s.calls, s.functions, s.classes) == ((), (), (), ())


def test_a_syntax_error_before_a_later_line_keeps_its_own_line():
    s = summarized("def f(a b): pass\nx = 1\n")
    assert (s.error.line, s.error.column) == (1, 9)


def test_a_file_that_is_not_text_is_an_error_summary():
    s = summarize(b"\xff\xfe\x00binary", PATH, MODULE, False, _context(), "digest")
    assert s.error == ParseError(1, 1, "cannot decode: invalid or missing encoding declaration")


def test_nesting_too_deep_to_interpret_is_an_xb902_error_summary():
    s = summarize(b"x = " + b"not " * 6000 + b"a\n", PATH, MODULE, False, _context(), "digest")
    assert s.error == ParseError(1, 1, "too deeply nested to analyze", "XB902")
    assert (s.sources, s.calls, s.functions) == ((), (), ())


def test_the_projects_own_decorators_are_applied_where_the_function_is_defined_and_what_they_make_called():
    summary = summarized("""
        from flask import login_required
        from app.schema import validate_schema
        from app import audit

        class Certificates:
            @login_required
            @audit.logged
            @validate_schema(schema)
            def post(self, data=None):
                pass

        @undefined_decorator
        def index():
            pass
    """)
    body = function(summary, f"{MODULE}.<module>")
    calls = [summary.calls[i] for i in body.calls]
    applied = [c for c in calls if type(c.callee) is DynamicCallee]
    # innermost first, each given what the one below made; login_required (a library's) and a name nobody binds are not run
    assert [c.text for c in applied] == ["validate_schema(...)", "audit.logged"]
    assert applied[0].args[0].value == Val(frozenset({ProjectRef(f"{MODULE}.Certificates.post")}))
    assert applied[1].args[0].value == Val(frozenset({CallResult(applied[0].index)}))
    (invoked,) = [c for c in calls if type(c.callee) is DecoratedCallee]
    assert invoked.callee == DecoratedCallee(Val(frozenset({CallResult(applied[1].index)})), f"{MODULE}.Certificates.post")
    assert [a.value for a in invoked.args] == [Val(frozenset({SelfRef(f"{MODULE}.Certificates")}))]  # a method, on an instance of its class
    assert summary.positions[invoked.loc][0] == 9  # the name of the function defined


def test_a_decorator_that_connects_to_a_signal_is_a_call_with_the_function_where_it_is_defined():
    summary = summarized("""
        from django.dispatch import receiver
        from celery.signals import task_failure
        from app.signals import order_placed

        @receiver(order_placed, sender=None)
        def on_order(sender, **kwargs):
            pass

        @task_failure.connect
        def on_failure(**kwargs):
            pass

        @app.route("/")
        def index():
            pass
    """)
    body = function(summary, f"{MODULE}.<module>")
    applied = [summary.calls[i] for i in body.calls if type(summary.calls[i].callee) is DynamicCallee]
    assert [(c.text, c.args[0].value) for c in applied] == [
        ("receiver(...)", Val(frozenset({ProjectRef(f"{MODULE}.on_order")}))),
        ("task_failure.connect", Val(frozenset({ProjectRef(f"{MODULE}.on_failure")}))),
    ]
    assert [summary.positions[c.loc][0] for c in applied] == [5, 9]


def test_a_block_left_empty_gets_a_pass_and_the_rest_of_the_file_is_summarized_on_its_own_lines():
    s = summarized("def f(user):\n    with lock:\n        # later\n\n    send(user.email)\n")
    assert s.error is None
    assert [(e.line, e.column, e.code) for e in s.skipped] == [(2, 5, "XB905")]
    assert s.skipped[0].message.startswith("syntax error: this block has no body")
    assert s.calls and s.sources  # send(user.email) is summarized


def test_an_empty_block_with_no_line_to_hold_a_pass_stays_an_error_summary():
    s = summarized("def f(user):\n    with lock:\n    send(user.email)\n")
    assert s.error.code == "XB901" and s.skipped == () and s.calls == ()


def test_more_empty_blocks_than_the_limit_make_an_error_summary():
    body = "".join(f"    with lock{i}:\n        # later\n" for i in range(7))
    s = summarized("def f(user):\n" + body + "    send(user.email)\n")
    assert s.error.code == "XB901" and s.calls == ()


def test_a_memoizing_cache_read_back_gives_what_the_function_put_there():
    code = """
        def f(cache, key):
            if key not in cache:
                cache[key] = connect()
            return cache[key]
    """
    assert returns(code) == atoms(CallResult(0))


def test_a_cache_slot_whose_key_is_given_another_value_gives_back_all_the_dict_holds():
    code = """
        def f(cache, key):
            cache[key] = connect()
            key = other()
            return cache[key]
    """
    assert ParamRef("cache") in returns(code).atoms
