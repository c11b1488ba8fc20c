"""Propagation, one behaviour at a time (issue 10): module summaries built by hand (the IR of ir.py
in the records of summary.py), linked by `link.Program` and analysed with the bundled sink
catalog; the tests assert on each function's `Result` and on the RawFlows found. No syntax tree
is involved, so a failure here is propagation's (or linking's), never the summarizer's."""

from __future__ import annotations

import functools
import textwrap

import pytest

from xborder.ir import EMPTY, CallResult, CategoryKey, ClientObject, DecoratedCallee, DynamicCallee, FieldRef, FunctionObject, GlobalRef, \
    Instance, ItemPath, LibraryObject, Lit, MethodCallee, Origin, ParamRef, PartialObject, Reply, SourceRef, StaticCallee, Step, Sym, Val, encoded
from xborder.knowledge import load_knowledge
from xborder.knowledge.config import Config
from xborder.link import Program
from xborder.propagate import Analysis, Site
from xborder.propagate.calls import made_by_decorators
from xborder.propagate.lattice import MAX_KEY_DEPTH, MAX_KEYED, MAX_LIBRARY_PATH, MAX_REPLIES, MAX_TRACE, AbstractValue, bounded, extend, \
    extend_by, few_replies, library_path, undecided
from xborder.propagate.results import DeferredCall, FieldStore, SinkCall, keep, merged_store
from xborder.summarize import Context, summarize
from xborder.summary import Arg, CallSite, ClassSummary, FieldWrite, FunctionSummary, GlobalWrite, ModuleSummary, \
    Parameter, ReverseAccessor, Source

PATH = "app.py"
API = "https://api.example.com/v1/users"


@functools.cache
def _knowledge():
    """The bundled rules, loaded once for the module."""
    return load_knowledge(Config(home=("CN",)))


def _catalog():
    return _knowledge().catalog


# ----------------------------------------------------------------------------- building summaries


def atoms(*items) -> Val:
    return Val(frozenset(items))


def constant(value: str) -> Val:
    """A string constant (written nowhere in particular)."""
    return Val(strs=((Lit(value, None),),))


def payload(key: str, value: Val) -> Val:
    """A dict literal with one known key."""
    return Val(keys=((key, value),))


def positional(index: int, value: Val) -> Arg:
    return Arg(index, None, value)


def keyword(name: str, value: Val) -> Arg:
    return Arg(None, name, value)


def call(index: int, function: str, callee: tuple, *args: Arg, text: str) -> CallSite:
    """Call site `index`, located at node 10 + index."""
    return CallSite(index, function, callee, args, 10 + index, text)


def post(index: int, function: str, data: Val, url: Val = constant(API)) -> CallSite:
    """`requests.post(url, json=data)`."""
    return call(index, function, StaticCallee("requests.post"), positional(0, url), keyword("json", data),
                text="requests.post")


def function_summary(qualname: str, *params: str, calls: tuple = (), returns: Val = EMPTY, writes: tuple = (),
                     cls: str | None = None, defaults: dict | None = None) -> FunctionSummary:
    defaults = defaults or {}
    parameters = tuple(Parameter(p, "positional", None, defaults.get(p)) for p in params)
    return FunctionSummary(qualname, cls, parameters, 0, returns, calls, writes)


def email_source(function: str) -> Source:
    return Source("user.contact.email", 1, "user.email", function, "attribute")


SOURCE_STEP = Step(PATH, 1, "source: user.email (user.contact.email)")
HOOKS = constant("https://hooks.example.com")


def module(*, sources=(), calls=(), functions=(), classes=(), globals=()) -> ModuleSummary:
    return ModuleSummary(PATH, "app", "digest", tuple(sources), tuple(calls), tuple(functions), tuple(classes),
                         tuple(globals))


def analysed(summary: ModuleSummary):
    """(analysis, raw flows) of a one-module program."""
    analysis = Analysis(Program([summary], _catalog().flowrules.managers), _catalog())
    return analysis, analysis.run()


def texts(strs) -> set:
    """String alternatives with constant pieces as their text, for comparing."""
    return {tuple(p.text if type(p) is Lit else p for p in parts) for parts in strs}


def destinations(sink_call: SinkCall) -> dict:
    return {role: texts(g.strs) for role, g in sink_call.dests}


# ----------------------------------------------------------------------------- direct flows


def test_a_source_sent_to_a_sink_is_a_flow_with_the_source_as_origin():
    _, flows = analysed(module(
        sources=[email_source("app.sync")],
        calls=[post(0, "app.sync", payload("email", atoms(SourceRef(0))))],
        functions=[function_summary("app.sync", calls=(0,))],
    ))
    (flow,) = flows
    assert (flow.origin, flow.trace) == (Origin(PATH, 0), (SOURCE_STEP,))
    assert flow.call.site == Site(PATH, 10, "requests.post", "app.sync")
    assert flow.call.sink.callee == "requests.post"
    assert destinations(flow.call) == {"url": {(API,)}}
    assert set(flow.call.data.taint) == {CategoryKey("user.contact.email")}


def test_a_source_in_the_url_is_data_sent():
    """Personal data in a URL's path or query leaves with the request, GET as POST."""
    analysis, flows = analysed(module(
        sources=[email_source("app.sync")],
        calls=[post(0, "app.sync", constant("ping"), url=atoms(SourceRef(0)))],
        functions=[function_summary("app.sync", calls=(0,))],
    ))
    assert [(f.origin, f.call.site.loc) for f in flows] == [(Origin(PATH, 0), 10)]
    assert analysis.results["app.sync"].calls == []


def _reply_then(sent: Val) -> list:
    """`reply = requests.get(API).json()` then `requests.post(API, json=sent)`, in app.sync(local);
    source 0 is a local name `user_id`."""
    _, flows = analysed(module(
        sources=[Source("user.unique_id", 1, "user_id", "app.sync", "variable")],
        calls=[call(0, "app.sync", StaticCallee("requests.get"), positional(0, constant(API)), text="requests.get"),
               call(1, "app.sync", MethodCallee(atoms(CallResult(0)), "json"), text="reply.json"),
               post(2, "app.sync", sent)],
        functions=[function_summary("app.sync", "local", calls=(0, 1, 2))],
    ))
    return flows


def test_a_name_given_to_a_part_of_a_network_reply_labels_data_received_from_there():
    (flow,) = _reply_then(payload("user_id", atoms(ItemPath(CallResult(1), "id"), SourceRef(0))))
    (reply,) = flow.received
    assert (type(reply), reply.callee, reply.dests) == (Reply, "requests.get", (("url", ((Lit(API, None),),)),))


def test_a_reply_mixed_with_local_data_is_not_received_data():
    (flow,) = _reply_then(payload("user_id", atoms(ItemPath(CallResult(1), "id"), ParamRef("local"), SourceRef(0))))
    assert flow.received == ()


def test_an_unknown_library_call_passes_its_arguments_taint_through():
    _, flows = analysed(module(
        sources=[email_source("app.sync")],
        calls=[call(0, "app.sync", StaticCallee("json.dumps"), positional(0, atoms(SourceRef(0))), text="json.dumps"),
               post(1, "app.sync", atoms(CallResult(0)))],
        functions=[function_summary("app.sync", calls=(0, 1))],
    ))
    assert [(f.origin, f.trace, f.call.site.loc) for f in flows] == [(Origin(PATH, 0), (SOURCE_STEP,), 11)]


def test_of_two_sources_of_one_category_the_shorter_trace_is_kept():
    _, flows = analysed(module(
        sources=[Source("user.contact.email", 1, "email", "app.sync", "variable"),
                 Source("user.contact.email", 2, "email", "app.sync", "variable")],
        calls=[call(0, "app.sync", StaticCallee("app.tidy"), positional(0, atoms(SourceRef(0))), text="tidy"),
               post(1, "app.sync", atoms(CallResult(0), SourceRef(1)))],
        functions=[function_summary("app.tidy", "x", returns=atoms(ParamRef("x"))),
                   function_summary("app.sync", calls=(0, 1))],
    ))
    (flow,) = flows  # source 0 comes first by content, but through tidy its trace is two steps longer
    assert flow.origin == Origin(PATH, 1, 1)
    assert flow.trace == (Step(PATH, 2, "source: email (user.contact.email)"),)


def test_a_read_of_stored_data_is_cited_before_a_local_name_however_long_its_trace():
    _, flows = analysed(module(
        sources=[email_source("app.sync"), Source("user.contact.email", 2, "email", "app.sync", "variable")],
        calls=[call(0, "app.sync", StaticCallee("app.tidy"), positional(0, atoms(SourceRef(0))), text="tidy"),
               post(1, "app.sync", atoms(CallResult(0), SourceRef(1)))],
        functions=[function_summary("app.tidy", "x", returns=atoms(ParamRef("x"))),
                   function_summary("app.sync", calls=(0, 1))],
    ))
    (flow,) = flows  # user.email (an attribute) wins over the variable `email`, though two steps longer
    assert flow.origin == Origin(PATH, 0, 0)
    assert flow.trace[0] == SOURCE_STEP and flow.trace[-1].note == "returned from app.tidy"


# ----------------------------------------------------------------------------- parameters and returns


def test_a_sink_on_a_parameter_waits_in_the_callee_and_fires_in_the_caller():
    analysis, flows = analysed(module(
        sources=[email_source("app.view")],
        calls=[post(0, "app.relay", atoms(ParamRef("data"))),
               call(1, "app.view", StaticCallee("app.relay"), positional(0, atoms(SourceRef(0))), text="relay")],
        functions=[function_summary("app.relay", "data", calls=(0,)), function_summary("app.view", calls=(1,))],
    ))
    (pending,) = analysis.results["app.relay"].calls
    assert type(pending) is SinkCall and pending.site == Site(PATH, 10, "requests.post", "app.relay")
    # sent as JSON (flow.toml json_params): the caller's value as json.dumps sends it, no object's fields
    assert pending.data.taint == {encoded(Sym(ParamRef("data")), "json"): ()}
    (flow,) = flows
    assert flow.trace == (SOURCE_STEP, Step(PATH, 11, "passed as 'data' to app.relay"))
    assert flow.call.site == pending.site
    assert analysis.flows_by_function == {"app.relay": [], "app.view": [flow]}


def test_a_destination_passed_down_is_substituted_in_the_caller():
    _, flows = analysed(module(
        sources=[email_source("app.view")],
        calls=[post(0, "app.relay", atoms(ParamRef("data")), url=atoms(ParamRef("endpoint"))),
               call(1, "app.view", StaticCallee("app.relay"), positional(0, constant("https://eu.example.com")),
                    positional(1, atoms(SourceRef(0))), text="relay")],
        functions=[function_summary("app.relay", "endpoint", "data", calls=(0,)), function_summary("app.view", calls=(1,))],
    ))
    (flow,) = flows
    assert destinations(flow.call) == {"url": {("https://eu.example.com",)}}


def test_a_returned_parameter_is_symbolic_and_the_caller_gets_its_argument_back():
    analysis, flows = analysed(module(
        sources=[email_source("app.view")],
        calls=[call(0, "app.view", StaticCallee("app.tidy"), positional(0, atoms(SourceRef(0))), text="tidy"),
               post(1, "app.view", atoms(CallResult(0)))],
        functions=[function_summary("app.tidy", "x", returns=atoms(ParamRef("x"))),
                   function_summary("app.view", calls=(0, 1))],
    ))
    ret = analysis.results["app.tidy"].ret
    x = Sym(ParamRef("x"))
    assert (ret.taint, ret.objs, ret.strs) == ({x: ()}, frozenset({x}), frozenset({(x,)}))
    (flow,) = flows
    assert flow.trace == (SOURCE_STEP, Step(PATH, 10, "passed as 'x' to app.tidy"),
                          Step(PATH, 10, "returned from app.tidy"))


def test_recursion_settles_to_a_fixpoint():
    analysis, flows = analysed(module(
        sources=[email_source("app.main")],
        calls=[call(0, "app.ping", StaticCallee("app.pong"), positional(0, atoms(ParamRef("x"))), text="pong"),
               call(1, "app.pong", StaticCallee("app.ping"), positional(0, atoms(ParamRef("y"))), text="ping"),
               post(2, "app.pong", atoms(ParamRef("y"))),
               call(3, "app.main", StaticCallee("app.ping"), positional(0, atoms(SourceRef(0))), text="ping")],
        functions=[function_summary("app.ping", "x", calls=(0,), returns=atoms(CallResult(0), ParamRef("x"))),
                   function_summary("app.pong", "y", calls=(1, 2), returns=atoms(CallResult(1))),
                   function_summary("app.main", calls=(3,))],
    ))
    assert set(analysis.results["app.pong"].ret.taint) == {Sym(ParamRef("y"))}
    (pending,) = analysis.results["app.ping"].calls
    into_pong = Step(PATH, 10, "passed as 'y' to app.pong")
    assert (pending.site.loc, pending.data.taint) == (12, {encoded(Sym(ParamRef("x")), "json"): (into_pong,)})
    (flow,) = flows
    assert flow.trace == (SOURCE_STEP, Step(PATH, 13, "passed as 'x' to app.ping"), into_pong)


# ----------------------------------------------------------------------------- shared state


def _customer_module(reader: str) -> ModuleSummary:
    """`Customer.remember(self, phone)` stores a field; `register` calls it with a source;
    `reader` sends the field."""
    return module(
        sources=[Source("user.contact.phone_number", 1, "form.phone", "app.register", "attribute")],
        classes=[ClassSummary("app.Customer", (), 5, ())],
        calls=[call(0, "app.register", StaticCallee("app.Customer"), text="Customer"),
               call(1, "app.register", MethodCallee(atoms(CallResult(0)), "remember"), positional(0, atoms(SourceRef(0))),
                    text="c.remember"),
               post(2, reader, atoms(FieldRef("app.Customer", "contact")))],
        functions=[function_summary("app.Customer.remember", "self", "phone", cls="app.Customer",
                      writes=(FieldWrite(EMPTY, "app.Customer", "contact", atoms(ParamRef("phone"))),)),
                   function_summary("app.register", calls=(0, 1)), function_summary(reader, calls=(2,))],
    )


def test_a_field_written_through_a_method_parameter_waits_as_a_pending_store():
    analysis, _ = analysed(_customer_module("app.export"))
    (store,) = analysis.results["app.Customer.remember"].stores
    assert type(store) is FieldStore
    assert (store.target.objs, store.attr) == (frozenset({Instance("app.Customer")}), "contact")
    assert store.value.taint == {Sym(ParamRef("phone")): ()}


def test_a_field_written_in_one_function_is_read_in_another():
    for reader in ("app.a_export", "app.z_export"):  # analysed after and before `register`, which stores the field
        analysis, flows = analysed(_customer_module(reader))
        (flow,) = flows
        assert flow.trace == (Step(PATH, 1, "source: form.phone (user.contact.phone_number)"),
                              Step(PATH, 11, "passed as 'phone' to app.Customer.remember")), reader
        assert flow.call.site.function == reader
        assert set(analysis.stores.field("app.Customer", "contact").taint) == {CategoryKey("user.contact.phone_number")}
        assert ("fields", ("app.Customer", "contact")) in analysis.stores.reads[reader]


def test_a_module_constant_is_the_destination_of_a_sink_in_a_function():
    _, flows = analysed(module(
        sources=[email_source("app.sync")],
        calls=[post(0, "app.sync", atoms(SourceRef(0)), url=atoms(GlobalRef("app", "API")))],
        functions=[function_summary("app.<module>"), function_summary("app.sync", calls=(0,))],
        globals=[("API", constant("https://api.example.de"))],
    ))
    (flow,) = flows
    assert destinations(flow.call) == {"url": {("https://api.example.de",)}}


def test_a_global_written_in_one_function_is_sent_by_another():
    analysis, flows = analysed(module(
        sources=[email_source("app.login")],
        calls=[post(0, "app.flush", atoms(GlobalRef("app", "LAST")))],
        functions=[function_summary("app.login", writes=(GlobalWrite("app", "LAST", atoms(SourceRef(0))),)),
                   function_summary("app.flush", calls=(0,))],
    ))
    (flow,) = flows
    assert (flow.origin, flow.trace, flow.call.site.function) == (Origin(PATH, 0), (SOURCE_STEP,), "app.flush")
    assert set(analysis.stores.get("globals", ("app", "LAST")).taint) == {CategoryKey("user.contact.email")}


# ----------------------------------------------------------------------------- clients and deferred calls


def _client(index: int, function: str) -> CallSite:
    """`httpx.Client(base_url="https://api.example.co.uk")`."""
    return call(index, function, StaticCallee("httpx.Client"), keyword("base_url", constant("https://api.example.co.uk")),
                text="httpx.Client")


UK_CLIENT = ClientObject("httpx.Client", (("url", ((Lit("https://api.example.co.uk", None),),)),), None)


def test_a_client_carries_its_destination_to_the_calls_made_on_it():
    _, flows = analysed(module(
        sources=[email_source("app.sync")],
        calls=[_client(0, "app.sync"),
               call(1, "app.sync", MethodCallee(atoms(CallResult(0)), "post"), positional(0, constant("/v1/users")),
                    keyword("json", atoms(SourceRef(0))), text="client.post")],
        functions=[function_summary("app.sync", calls=(0, 1))],
    ))
    (flow,) = flows
    assert flow.call.sink.callee == "httpx.Client.post"
    assert flow.call.site == Site(PATH, 11, "client.post", "app.sync")
    assert flow.call.clients.objs == frozenset({UK_CLIENT})
    assert destinations(flow.call) == {"url": {("/v1/users",)}}


def test_a_module_wide_client_configured_by_init_is_where_its_sinks_send():
    analysis, flows = analysed(module(
        sources=[email_source("app.track")],
        calls=[call(0, "app.<module>", StaticCallee("sentry_sdk.init"),
                    keyword("dsn", constant("https://k@o1.ingest.sentry.io/1")), text="sentry_sdk.init"),
               call(1, "app.track", StaticCallee("sentry_sdk.capture_message"), positional(0, atoms(SourceRef(0))),
                    text="sentry_sdk.capture_message")],
        functions=[function_summary("app.<module>", calls=(0,)), function_summary("app.track", calls=(1,))],
    ))
    sentry = ClientObject("sentry_sdk", (("dsn", ((Lit("https://k@o1.ingest.sentry.io/1", None),),)),), None)
    assert analysis.stores.get("clients", "sentry_sdk").objs == frozenset({sentry})
    (flow,) = flows
    assert (flow.call.sink.callee, flow.call.clients.objs) == ("sentry_sdk.capture_message", frozenset({sentry}))


def test_a_call_on_a_parameter_is_deferred_and_resolved_by_the_caller():
    analysis, flows = analysed(module(
        sources=[email_source("app.main")],
        calls=[call(0, "app.notify", MethodCallee(atoms(ParamRef("client")), "post"),
                    keyword("json", atoms(ParamRef("data"))), text="client.post"),
               _client(1, "app.main"),
               call(2, "app.main", StaticCallee("app.notify"), positional(0, atoms(CallResult(1))),
                    positional(1, atoms(SourceRef(0))), text="notify")],
        functions=[function_summary("app.notify", "client", "data", calls=(0,)), function_summary("app.main", calls=(1, 2))],
    ))
    (deferred,) = analysis.results["app.notify"].calls
    assert type(deferred) is DeferredCall
    assert (deferred.site, deferred.method) == (Site(PATH, 10, "client.post", "app.notify"), "post")
    assert deferred.receiver.objs == frozenset({Sym(ParamRef("client"))})
    (flow,) = flows
    assert (flow.call.sink.callee, flow.call.site) == ("httpx.Client.post", deferred.site)
    assert flow.call.clients.objs == frozenset({UK_CLIENT})
    assert flow.trace == (SOURCE_STEP, Step(PATH, 12, "passed as 'data' to app.notify"))


def test_a_deferred_call_whose_receiver_the_caller_leaves_out_is_dropped_not_passed_on():
    """`notify(data=...)` gives `client` nothing: its `client.post` can run nothing, in main or
    above, so main keeps no pending call (each one kept was expanded again at every caller)."""
    analysis, flows = analysed(module(
        sources=[email_source("app.main")],
        calls=[call(0, "app.notify", MethodCallee(atoms(ParamRef("client")), "post"),
                    keyword("json", atoms(ParamRef("data"))), text="client.post"),
               call(1, "app.main", StaticCallee("app.notify"), keyword("data", atoms(SourceRef(0))), text="notify")],
        functions=[function_summary("app.notify", "client", "data", calls=(0,)), function_summary("app.main", calls=(1,))],
    ))
    assert [type(c) for c in analysis.results["app.notify"].calls] == [DeferredCall]
    assert (analysis.results["app.main"].calls, flows) == ([], [])


def test_a_method_no_rule_or_class_knows_on_a_parameter_is_unresolved_not_deferred():
    analysis, _ = analysed(module(
        calls=[call(0, "app.f", MethodCallee(atoms(ParamRef("s")), "split"), text="s.split")],
        functions=[function_summary("app.f", "s", calls=(0,), returns=atoms(CallResult(0)))],
    ))
    assert analysis.unresolved == {(PATH, 0): "s.split"}
    assert analysis.targets == {}
    result = analysis.results["app.f"]
    assert (result.calls, set(result.ret.taint)) == ([], {Sym(ParamRef("s"))})


def test_a_resolved_call_is_a_call_graph_edge_not_unresolved():
    analysis, _ = analysed(module(
        calls=[call(0, "app.f", StaticCallee("app.g"), text="g")],
        functions=[function_summary("app.f", calls=(0,)), function_summary("app.g")],
    ))
    assert (analysis.targets, analysis.unresolved) == ({(PATH, 0): {"app.g"}}, {})


# ----------------------------------------------------------------------------- sanitizers


def test_a_sanitizer_cuts_the_taint_and_records_where():
    analysis, flows = analysed(module(
        sources=[email_source("app.f")],
        calls=[call(0, "app.f", StaticCallee("hashlib.sha256"), positional(0, atoms(SourceRef(0))), text="hashlib.sha256"),
               post(1, "app.f", atoms(CallResult(0)))],
        functions=[function_summary("app.f", calls=(0, 1))],
    ))
    assert flows == []
    assert analysis.cuts_by_function["app.f"] == [(Site(PATH, 10, "hashlib.sha256", "app.f"), "hashlib.sha256",
                                                   ("user.contact.email",))]


def test_a_project_function_configured_as_sanitizer_cuts_the_taint():
    catalog = _catalog().extend([], [], ("app.privacy.*",))
    summary = module(
        sources=[email_source("app.f")],
        calls=[call(0, "app.f", StaticCallee("app.privacy.mask"), positional(0, atoms(SourceRef(0))), text="mask"),
               post(1, "app.f", atoms(CallResult(0)))],
        functions=[function_summary("app.privacy.mask", "x", returns=atoms(ParamRef("x"))),
                   function_summary("app.f", calls=(0, 1))],
    )
    analysis = Analysis(Program([summary], catalog.flowrules.managers), catalog)
    assert analysis.run() == []
    assert analysis.cuts_by_function["app.f"] == [(Site(PATH, 10, "mask", "app.f"), "app.privacy.mask",
                                                   ("user.contact.email",))]


# ----------------------------------------------------------------------------- linking


def test_a_method_call_on_an_instance_reaches_the_method_its_class_inherits():
    _, flows = analysed(module(
        sources=[email_source("app.main")],
        classes=[ClassSummary("app.Base", (), 5, ()), ClassSummary("app.Child", ("app.Base",), 6, ()),
                 ClassSummary("app.Other", (), 7, ())],
        calls=[post(0, "app.Base.send", atoms(ParamRef("data"))),
               call(1, "app.main", StaticCallee("app.Child"), text="Child"),
               call(2, "app.main", MethodCallee(atoms(CallResult(1)), "send"), positional(0, atoms(SourceRef(0))),
                    text="child.send")],
        functions=[function_summary("app.Base.send", "self", "data", calls=(0,), cls="app.Base"),
                   function_summary("app.Other.send", "self", "data", cls="app.Other"),
                   function_summary("app.main", calls=(1, 2))],
    ))
    (flow,) = flows
    assert flow.trace == (SOURCE_STEP, Step(PATH, 12, "passed as 'data' to app.Base.send"))


def _summarized(path: str, code: str) -> ModuleSummary:
    """A snippet summarized as the module at `path`, for what is unreasonable to build by hand."""
    module_name = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
    context = Context(_knowledge().vocabulary, _catalog().flowrules, _knowledge().sources)
    return summarize(textwrap.dedent(code).encode(), path, module_name, path.endswith("__init__.py"), context, "digest")


def test_a_function_re_exported_by_a_package_init_is_called_through_the_package():
    summaries = [
        _summarized("pkg/__init__.py", "from .client import send\n"),
        _summarized("pkg/client.py", """
            import requests

            def send(data):
                requests.post("https://api.example.com", json=data)
        """),
        _summarized("main.py", """
            from pkg import send

            def view(user):
                send({"email": user.email})
        """),
    ]
    analysis = Analysis(Program(summaries, _catalog().flowrules.managers), _catalog())
    flows = analysis.run()
    assert [(f.call.site.function, f.trace[-1].note) for f in flows] == [
        ("pkg.client.send", "passed as 'data' to pkg.client.send")]


# ----------------------------------------------------------------------------- entry points


def test_an_entry_point_emits_its_pending_sinks_with_parameter_defaults():
    analysis, flows = analysed(module(
        sources=[email_source("app.handler")],
        calls=[post(0, "app.handler", atoms(SourceRef(0)), url=atoms(ParamRef("url")))],
        functions=[function_summary("app.handler", "url", calls=(0,), defaults={"url": HOOKS})],
    ))
    assert analysis.flows_by_function["app.handler"] == []
    (pending,) = analysis.results["app.handler"].calls
    assert destinations(pending) == {"url": {(Sym(ParamRef("url")),)}}
    (flow,) = flows
    assert (flow.origin, flow.trace) == (Origin(PATH, 0), (SOURCE_STEP,))
    assert destinations(flow.call) == {"url": {("https://hooks.example.com",)}}


def test_an_entry_point_parameter_without_default_stays_symbolic():
    _, flows = analysed(module(
        sources=[email_source("app.handler")],
        calls=[post(0, "app.handler", atoms(SourceRef(0)), url=atoms(ParamRef("url")))],
        functions=[function_summary("app.handler", "url", calls=(0,))],
    ))
    (flow,) = flows
    assert destinations(flow.call) == {"url": {(Sym(ParamRef("url")),)}}


def test_a_function_somebody_calls_is_not_an_entry_point():
    _, flows = analysed(module(
        sources=[email_source("app.handler")],
        calls=[post(0, "app.handler", atoms(SourceRef(0)), url=atoms(ParamRef("url"))),
               call(1, "app.main", StaticCallee("app.handler"), positional(0, constant("https://eu.example.com")),
                    text="handler")],
        functions=[function_summary("app.handler", "url", calls=(0,), defaults={"url": HOOKS}),
                   function_summary("app.main", calls=(1,))],
    ))
    assert [destinations(f.call) for f in flows] == [{"url": {("https://eu.example.com",)}}]


def test_a_relation_field_gives_its_target_a_reverse_accessor():
    """`ForeignKey(Order, related_name="lines")` on OrderLine: Order instances get `lines`, a query
    of OrderLine; a lazy "app.Model" target resolves by its class name; "self" is the declaring model."""
    order = ClassSummary("shop.models.Order", (), 0, ())
    line = ClassSummary("shop.models.OrderLine", (), 1, (), (ReverseAccessor("shop.models.Order", "lines", None, "order"),))
    node = ClassSummary("shop.models.Node", (), 2, (), (ReverseAccessor("self", "children", None, "parent"),
                                                        ReverseAccessor("shop.Order", "nodes", None, "order"),
                                                        ReverseAccessor("other.Missing", "lost", None, "missing")))
    program = Program([module(classes=(order, line, node))])
    assert set(program.reverse_fields("shop.models.Order")) == {"lines", "nodes"}
    assert program.reverse_fields("shop.models.Order")["lines"][0] == "shop.models.OrderLine"
    assert set(program.reverse_fields("shop.models.Node")) == {"children"}
    assert program.reverse_fields("shop.models.OrderLine") == {}


# ----------------------------------------------------------------------------- bounds


def _key_depth(g) -> int:
    return 1 + max((_key_depth(v) for v in g.keys.values()), default=-1) if g.keys else 0


def test_a_recursive_builder_of_nested_dicts_reaches_a_bounded_result():
    """A query compiler that wraps its own recursive result in a new dict each call ({"bool":
    {"must": [child filters]}}, wagtail's search backends) nests one level deeper each round: the
    kept result is folded below MAX_KEY_DEPTH, so the fixpoint is reached and memory stays small,
    and the data inside is still sent."""
    summaries = [_summarized("app.py", """
        import requests

        def compile_filters(node, user):
            if node.leaf:
                return {"term": {"email": user.email}}
            children = [compile_filters(child, user) for child in node.children]
            return {"bool": {"must": children}}

        def search(node, user):
            requests.post("https://search.example.com/_search", json={"query": compile_filters(node, user)})
    """)]
    analysis = Analysis(Program(summaries, _catalog().flowrules.managers), _catalog())
    flows = analysis.run()
    assert {f.call.site.function for f in flows} == {"app.search"}
    assert _key_depth(analysis.results["app.compile_filters"].ret) <= MAX_KEY_DEPTH + 1


def test_a_key_met_again_below_itself_is_folded():
    """`{"item_id": {"item_id": {"item_id": guid}}}`, a document built from the last one each round
    (Superdesk's history hooks): below its first level, the key's value is folded into one value,
    data and strings kept, so it stops growing a level per round."""
    guid = AbstractValue(strs=frozenset({(Lit("guid", None),)}))
    nested = AbstractValue(keys={"item_id": AbstractValue(keys={"item_id": AbstractValue(keys={"item_id": guid}), "kind": guid})})
    kept = bounded(nested)
    assert kept.keys["item_id"].keys["item_id"].keys == {}
    assert kept.keys["item_id"].keys["item_id"].strs == guid.strs and "kind" in kept.keys["item_id"].keys


def _keyed(g) -> int:
    return sum(1 + _keyed(v) for v in g.keys.values())


def _replies(n: int) -> list:
    return [Reply("requests.get", (("url", ((Lit(f"https://api{i}.example.com/", None),),)),), ()) for i in range(n)]


def test_keys_of_one_category_from_many_replies_become_one():
    """Past MAX_REPLIES keys of a category that differ only by the reply the data came in from, a
    kept value holds one key with all those replies (data sent back is silenced only where every
    one of them came from that host), the best trace of them, under a dict's keys too; the
    variants no longer multiply with every call a value passes through (matrix-synapse)."""
    replies = _replies(MAX_REPLIES + 1)
    traces = [(Origin(PATH, i, 1), Step(PATH, i, f"hop {i}")) for i in range(len(replies))]
    taint = {CategoryKey("user.unique_id", (r,)): t for r, t in zip(replies, traces)}
    taint[CategoryKey("user.contact.email", (replies[0],))] = traces[0]
    kept = bounded(AbstractValue(dict(taint), keys={"inner": AbstractValue(dict(taint))}))
    for value in (kept, kept.keys["inner"]):
        assert set(value.taint) == {CategoryKey("user.unique_id", tuple(sorted(replies, key=repr))),
                                    CategoryKey("user.contact.email", (replies[0],))}
        assert value.taint[CategoryKey("user.unique_id", tuple(sorted(replies, key=repr)))] == traces[0]
    few = {CategoryKey("user.unique_id", (r,)): t for r, t in zip(replies[:MAX_REPLIES], traces)}
    assert few_replies(AbstractValue(dict(few))).taint == few


def test_pending_effects_keep_one_key_for_many_replies():
    """A pending store (a sink call likewise) kept for the callers holds one key past MAX_REPLIES,
    as first kept and as merged with another store of its site."""
    replies = _replies(2 * (MAX_REPLIES + 1))
    target = AbstractValue(objs=frozenset({Sym(ParamRef("row"))}))
    pending: dict = {}
    for end in (MAX_REPLIES + 1, len(replies)):
        part = replies[end - MAX_REPLIES - 1:end]
        value = AbstractValue({CategoryKey("user.unique_id", (r,)): (Origin(PATH, 0, 1),) for r in part})
        keep(pending, FieldStore(target, "owner", value, None), merged_store)
        [store] = pending.values()
        assert list(store.value.taint) == [CategoryKey("user.unique_id", tuple(sorted(replies[:end], key=repr)))]


def test_keys_received_beside_data_from_anywhere_leave_that_data():
    """Beside the category from anywhere else (never silenced), the variants received say nothing more."""
    taint = {CategoryKey("user.unique_id", (r,)): (Origin(PATH, i, 1),) for i, r in enumerate(_replies(MAX_REPLIES + 1))}
    taint[CategoryKey("user.unique_id")] = (Origin(PATH, 99, 0),)
    assert few_replies(AbstractValue(taint)).taint == {CategoryKey("user.unique_id"): (Origin(PATH, 99, 0),)}


def test_a_pending_store_passes_on_only_what_its_callers_decide():
    """What a value holds whoever calls (a category from a model field, a constant, a known client)
    is stored where it is made; the callers get the parameters' part: a Sym, a category a
    parameter's name gave or received from a parameter's replies, strings built from a parameter."""
    param = Sym(ParamRef("user"))
    value = AbstractValue({CategoryKey("user.contact.email"): (), param: (), CategoryKey("user.name", (), (param,)): (),
                           CategoryKey("user.unique_id", (param,)): ()},
                          frozenset({param, Instance("app.User")}), frozenset({(Lit("a", None),), (Lit("b", None), param)}),
                          {"kept": AbstractValue({CategoryKey("user.contact.email"): ()}), "passed": AbstractValue(objs=frozenset({param}))})
    part = undecided(value)
    assert set(part.taint) == {param, CategoryKey("user.name", (), (param,)), CategoryKey("user.unique_id", (param,))}
    assert part.objs == {param} and part.strs == {(Lit("b", None), param)} and set(part.keys) == {"passed"}


def test_mutually_recursive_builders_of_nested_dicts_keep_a_bounded_result():
    """Profiles that hold each other's (a person's holding its family's, holding its members' and
    their events'; gramps-webapi's resources/util.py) grow by the breadth of each level, not one
    level a round: the kept result is folded less deep once it holds MAX_KEYED keys (that app's scan
    took 25 minutes and 12 GB), and the data inside is still sent."""
    summaries = [_summarized("app.py", """
        import requests

        def event_profile(db, handle):
            event = db.get_event(handle)
            return {"date": event.date, "place": event.place, "people": [person_profile(db, h) for h in event.people]}

        def person_profile(db, handle):
            person = db.get_person(handle)
            return {"name_given": person.first_name, "name_surname": person.surname, "birth": event_profile(db, person.birth),
                    "death": event_profile(db, person.death), "family": family_profile(db, person.family)}

        def family_profile(db, handle):
            family = db.get_family(handle)
            return {"father": person_profile(db, family.father), "mother": person_profile(db, family.mother),
                    "children": [person_profile(db, c) for c in family.children], "marriage": event_profile(db, family.marriage)}

        def export(db, handle):
            requests.post("https://api.example.com/people", json=person_profile(db, handle))
    """)]
    analysis = Analysis(Program(summaries, _catalog().flowrules.managers), _catalog())
    flows = analysis.run()
    assert {f.call.site.function for f in flows} == {"app.export"}
    assert all(_keyed(analysis.results[f"app.{name}"].ret) <= MAX_KEYED for name in ("event_profile", "person_profile", "family_profile"))


def test_a_library_value_read_round_a_cycle_each_pass_settles():
    """A library value stored back one cycle of reads further (`self.model._meta.get_field(n).model`,
    Django's query compiler walking related models) grew one cycle a pass and never settled; a long
    library name that reads a name it holds goes back to where it read it (lattice.library_path)."""
    summaries = [_summarized("app.py", """
        from django.db.models.query import QuerySet

        class Walker:
            def __init__(self):
                self.model = QuerySet().model

            def step(self, name):
                self.model = self.model._meta.get_field(name).model
                return self.model
    """)]
    analysis = Analysis(Program(summaries, _catalog().flowrules.managers), _catalog())
    analysis.run()
    names = [o.qualname for o in analysis.results["app.Walker.step"].ret.objs]
    assert names and all(n.count(".") < MAX_LIBRARY_PATH for n in names), names
    assert not analysis.caps


def test_library_path_widens_only_long_names_that_read_a_name_again():
    assert library_path("requests.Session", "post") == "requests.Session.post"
    assert library_path("django.db.models.query.QuerySet", "query") == "django.db.models.query.QuerySet.query"
    assert library_path("lib.Row.pk", "pk") == "lib.Row.pk"
    long = "lib.Model._meta.get_field.model._meta.get_field.model._meta.get_field"
    assert library_path(long, "model") == "lib.Model._meta.get_field.model"


@pytest.mark.parametrize("start", [0, 1, 5, MAX_TRACE - 1, MAX_TRACE])
@pytest.mark.parametrize("added", [0, 1, 2, MAX_TRACE, 3 * MAX_TRACE])
def test_extend_by_is_extend_one_step_at_a_time(start, added):
    """extend_by builds a trace in one concatenation (issue 16: 499 million one-step extends were
    two thirds of pretix's scan); it must give what extending step by step gives."""
    trace = tuple(Step("a.py", i, f"hop {i}") for i in range(start))
    steps = tuple(Step("b.py", i, f"step {i}") for i in range(added))
    one_by_one = trace
    for step in steps:
        one_by_one = extend(one_by_one, step)
    assert extend_by(trace, steps) == one_by_one
    assert len(extend_by(trace, steps)) <= MAX_TRACE


def test_a_call_of_a_parameter_given_its_own_result_is_read_once():
    """`text = step(text, v)` in a loop: the call's arguments hold what the call returns (ir.CALLED).
    Reading that value where the caller passes `step` reads the call's arguments, which hold it again:
    inside itself it is nothing more, or the reading never ends (Review Board and django-helpdesk
    lost six functions to a RecursionError)."""
    from types import SimpleNamespace

    from xborder.ir import CALLED, AttrPath, FunctionObject, ParamRef
    from xborder.propagate.evaluation import symbol
    from xborder.propagate.lattice import NOTHING, merge, objects
    from xborder.propagate.substitution import Substitution

    returned = AttrPath(ParamRef("step"), f"{CALLED}0")
    call = DeferredCall(Site("a.py", 3, "step", "a.fold"), None, symbol(ParamRef("step")), ((Arg(0, None, EMPTY), symbol(returned)),))

    class Caller:
        analysis = SimpleNamespace(called_by_index=[call], stores=SimpleNamespace(payload=lambda g, fields=True: dict(g.taint)))

        def called_value(self, callee, call):  # what the step returns: what it is given
            return merge(NOTHING, *(g for _, g in call.args))

    value = Substitution(Caller(), {"step": objects(FunctionObject("a.joined"))}, {}).sym(returned)
    assert not value.objs and not value.keys  # what the step is given: no object, read once


def test_what_decorators_made_of_a_function_runs_only_a_function_they_made():
    """A project decorator's wrapper (or the closure it returns) is called where the function is
    defined; the function itself, handed back by a registering decorator, and a library's result
    are not: the function stays an entry point."""
    view, wrapper, closure = FunctionObject("app.views.post"), FunctionObject("app.schema.wrapper"), PartialObject(("app/schema.py", 4))
    targets = [(view, None), (wrapper, None), (closure, None), (LibraryObject("flask.Flask.route"), None)]
    assert made_by_decorators(DecoratedCallee(Val(), "app.views.post"), targets) == [(wrapper, None), (closure, None)]
    assert made_by_decorators(DynamicCallee(Val()), targets) == targets  # any other call runs them all
