"""What a template writes out of its context (analyzer/templates.py), read as text."""

from functools import partial

from xborder.propagate.rendering import name_patterns
from xborder.ir import Lit, Sym, ParamRef, Unknown
from xborder.knowledge import load_knowledge
from xborder.knowledge.config import Config
from xborder.templates import AS_TEXT as T, ELEMENT, TemplateFolders as Folders, read_usage as read_text, tag_call

TEXT_FILTERS = load_knowledge(Config(home=("CN",))).catalog.flowrules.templates.text_filters


# With the bundled rules' text filters (flow.toml `templates.text_filters`).
read_usage = partial(read_text, text_filters=TEXT_FILTERS)
TemplateFolders = partial(Folders, text_filters=TEXT_FILTERS, folders=("templates",))


def paths(text: str) -> set:
    return read_usage(text).paths


def test_variables_filters_and_arguments():
    assert paths("{{ user.email|lower }} {{ order.number|default:fallback.code }}") == {
        ("user", "email", T), ("order", "number", T), ("fallback", "code")}
    assert paths("{{- user['name'] ~ items[0] }}") == {("user", "name"), ("items", ELEMENT)}
    assert paths("{{ user.get_name() }} {{ 'literal' }}") == {("user", "get_name", T)}


def test_a_value_written_out_is_its_text_unless_a_filter_may_write_any_part_of_it():
    # {{ user }} writes str(user) (its class's __str__), as do the built-in text filters and the
    # ones that format a date or a number; another filter is handed the object: the project's filter
    # of that name makes the text of what it returns, a library's (pprint, dictsort) may write any
    # part of it (rendering.template_value).
    assert paths("{{ user }} {{ owner|title|escape }} {{ u.profile.name|upper }} {{ u.last_login|timesince }} {{ a.b|date:'Y' }}") == {
        ("user", T), ("owner", T), ("u", "profile", "name", T), ("u", "last_login", T), ("a", "b", T)}
    assert paths("{{ user|pprint }} {{ owner|user_display|upper }} {{ a.b|dictsort:'name' }}") == {
        ("user", tag_call("pprint", 0), T), ("owner", tag_call("user_display", 0), T), ("a", "b", tag_call("dictsort", 0), T)}
    assert paths("{{ order|callback:user.phone }}") == {("order", tag_call("callback", 0), T), ("user", "phone", tag_call("callback", 1))}


def test_conditions_and_comments_write_nothing():
    assert paths("{% if user.is_staff %}staff{% elif user.phone %}x{% endif %}{# {{ user.email }} #}") == set()
    assert paths("{% comment %}{{ user.email }}{% endcomment %}{% verbatim %}{{ x }}{% endverbatim %}") == set()


def test_loops_and_aliases_resolve_to_context_paths():
    text = ("{% for line in order.lines.all %}{{ line.product_name }}{% empty %}none{% endfor %}"
            "{% with c=order.customer %}{{ c.email }}{% endwith %}{{ c }}"
            "{% blocktrans with name=user.first_name count n=items|length %}{{ name }} {{ n }}{% endblocktrans %}")
    assert paths(text) == {("order", "lines", "all", ELEMENT, "product_name", T), ("order", "customer", "email", T),
                           ("c", T), ("user", "first_name", T), ("items",)}


def test_legacy_with_and_jinja_set():
    assert paths("{% with order.total as t %}{{ t }}{% endwith %}{% set n = user.name %}{{ n }}") == {
        ("order", "total", T), ("user", "name", T)}


def test_custom_tags_give_each_argument_at_its_place_and_bind_as_names():
    usage = read_usage("{% user_display user as shown %}{{ shown }}{% url 'profile' pk=user.pk %}")
    assert usage.paths == {("user", tag_call("user_display", 0)), ("pk", T), ("user", "pk", T)}
    assert paths("{% card order 'wide' order.customer size=user.avatar %}") == {
        ("order", tag_call("card", 0)), ("order", "customer", tag_call("card", 2)), ("user", "avatar", tag_call("card", "=size"))}
    # a tag making a URL (Django's url, a project's ...url) writes the text of its arguments
    assert paths('{% abseventurl event "presale:event.order" code=order.code as link %}{{ link }}') == {
        ("event", T), ("code", T), ("order", "code", T)}
    assert paths("{{ count }} {{ context.x }}") == {("count", T), ("context", "x", T)}


def test_trans_of_a_variable_and_of_a_constant():
    assert paths('{% trans "Hello" %}{% trans greeting %}{% translate "x" as y %}{{ y }}') == {("greeting",)}


def test_include_extends_and_what_cannot_be_known():
    usage = read_usage('{% extends "base.html" %}{% include "row.html" with item=order.lines only %}')
    assert usage.extends == ["base.html"]
    assert usage.includes == [("row.html", {"item": ("order", "lines")}, True)]
    assert read_usage("{% include template_name %}").unknown
    assert read_usage("{% extends parent %}").unknown
    assert read_usage("{% debug %}").unknown


def test_folders_follow_includes_and_extends(tmp_path):
    folder = tmp_path / "app" / "templates" / "mail"
    folder.mkdir(parents=True)
    (folder / "base.html").write_text("{{ site.name }}{% block body %}{% endblock %}")
    (folder / "row.html").write_text("{{ item.name }} {{ order.number }}")
    (folder / "welcome.html").write_text('{% extends "mail/base.html" %}{% block body %}'
                                         '{% include "mail/row.html" with item=user.profile only %}{% endblock %}')
    (folder / "dynamic.html").write_text("{% include name %}")
    folders = TemplateFolders(tmp_path)
    assert folders.usage("mail/welcome.html") == {("site", "name", T), ("user", "profile", "name", T)}
    assert folders.usage("mail/dynamic.html") is None
    assert folders.usage("mail/missing.html") is None
    assert folders.matching(["mail/*.html"]) == ["mail/base.html", "mail/dynamic.html", "mail/row.html", "mail/welcome.html"]
    assert folders.matching(["other/*.html"]) is None
    assert folders.matching(["mail/row.html", "mail/deployed_elsewhere.html"]) is None


def test_django_trans_of_a_constant_opens_no_scope(tmp_path):
    # Django's {% trans "x" %} has no end tag: a block after it is not inside anything, so a child
    # template's block is followed (Jinja's {% trans %}...{% endtrans %} is a block).
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "base.html").write_text('{% load i18n %}<h1>{% trans "Hello" %}</h1>{% block body %}{% endblock %}')
    (folder / "mail.html").write_text('{% extends "base.html" %}{% block body %}{{ user.email }}{% endblock %}')
    assert TemplateFolders(tmp_path).usage("mail.html") == {("user", "email", T)}
    # Jinja's block trans still opens a scope: its alias ends with it.
    assert paths("{% trans user=user.username %}{{ user }}{% endtrans %}{{ user }}") == {("user", "username", T), ("user", T)}


def test_a_child_of_a_block_inside_a_loop_is_not_followed(tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "list.html").write_text("{% for row in rows %}{% block row %}{% endblock %}{% endfor %}")
    (folder / "orders.html").write_text('{% extends "list.html" %}{% block row %}{{ row.email }}{% endblock %}')
    assert TemplateFolders(tmp_path).usage("orders.html") is None


def test_name_patterns_keep_the_constant_text():
    template = Sym(ParamRef("prefix"))
    assert name_patterns(((Lit("mail/welcome.html", None),),), "", "") == ["mail/welcome.html"]
    assert name_patterns(((template, Lit("_message.txt", None)),), "", "") == ["*_message.txt"]
    assert name_patterns(((Lit("welcome", None),),), "templated_email/", ".email") == ["templated_email/welcome.email"]
    assert name_patterns(((Unknown("computed"),),), "", "") is None


def test_a_jinja_macro_writes_what_its_body_writes_of_the_arguments_it_is_given(tmp_path):
    # A macro's body is read in terms of its parameters; a call maps them to its arguments, by place
    # or by name, whether the macro is the file's own, imported by name, or read off an alias that a
    # template it extends imported. A call of anything else writes its arguments whole, as before.
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "macros.jinja").write_text(
        "{% macro address(a, title='') %}{{ title }} {{ a.street }} {{ a.city|upper }}{% endmacro %}"
        "{% macro total(o) %}{{ o.total }}{% endmacro %}")
    (folder / "base.jinja").write_text('{% import "macros.jinja" as m %}{% block body %}{% endblock %}')
    (folder / "order.jinja").write_text(
        '{% extends "base.jinja" %}{% block body %}{{ m.address(order.shipping_address) }} {{ m.total(o=order) }}{% endblock %}')
    (folder / "local.jinja").write_text(
        '{% from "macros.jinja" import total as t %}{% macro name(u) %}{{ u.first_name }}{% endmacro %}'
        '{{ name(user) }} {{ t(order) }} {{ render(user) }}')
    folders = TemplateFolders(tmp_path)
    assert folders.usage("order.jinja") == {
        ("order", "shipping_address", "street", T), ("order", "shipping_address", "city", T), ("order", "total", T)}
    assert folders.usage("local.jinja") == {("user", "first_name", T), ("order", "total", T), ("render",), ("user",)}
    assert paths("{{ user.get_full_name() }}") == {("user", "get_full_name", T)}
