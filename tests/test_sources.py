"""Sources besides names (rules/sources.toml): library calls whose result is personal data, model
field types, and calls named after the data they return."""

from __future__ import annotations

import pytest

from xborder.knowledge.config import Config
from xborder.errors import ConfigError
from xborder.knowledge import load_knowledge, rules_dir
from xborder.knowledge.sources import SourceCall, SourceRules, load_sources
from xborder.summarize import Context, summarize


@pytest.fixture(scope="module")
def knowledge():
    return load_knowledge(Config(home=("CN",)))


def test_library_calls(knowledge):
    rules = knowledge.sources
    assert rules.call("django.contrib.auth.tokens.default_token_generator.make_token") == "user.authorization.credentials"
    assert rules.call("django.contrib.auth.tokens.PasswordResetTokenGenerator.make_token") == "user.authorization.credentials"
    assert rules.call("django.utils.translation.get_language") == "user.demographic.language"
    assert rules.call("secrets.token_urlsafe") is None
    assert rules.call("django.utils.translation.gettext") is None


def test_field_types(knowledge):
    rules = knowledge.sources
    assert rules.field("django.db.models.EmailField", ()).category == "user.contact.email"
    assert rules.field("django.db.models.ForeignKey", ("django.conf.settings.AUTH_USER_MODEL",)).category == "user.unique_id"
    assert rules.field("django.db.models.ForeignKey", ("accounts.User",)).category == "user.unique_id"
    assert rules.field("django.db.models.ForeignKey", ("hotel.Room",)) is None
    assert rules.field("django.db.models.CharField", ()) is None
    assert rules.field("django.db.models.ForeignKey", ("accounts.User",)).to and not rules.field("django.db.models.EmailField", ()).to


@pytest.mark.parametrize(("name", "data"), [
    ("get_full_name", "full_name"), ("getEmail", "email"), ("generate_login_code", "login_code"),
    ("get_user_by_email", "user"), ("get", None), ("get_by_email", None), ("save", None),
])
def test_getter_data(knowledge, name, data):
    assert knowledge.sources.getter_data(name) == data


def test_arguments_by_contract(knowledge):
    rules = knowledge.sources
    assert rules.argument("akismet.Akismet.comment_check", None, 0, None) == ("user.content.private",)
    assert rules.argument(None, "comment_check", None, "comment_content") == ("user.content.private",)
    assert rules.argument(None, "comment_check", None, "comment_content", constant=True) == ()  # a literal comment
    assert rules.argument(None, "comment_check", 1, "data") == ()
    assert rules.argument("spam.Filter.comment_check", None, 0, None) == ()  # another callee of that name
    assert rules.argument(None, "verify_key", 0, None) == ()
    assert rules.argument("ldap3.Connection", None, 2, None) == ("user.authorization.credentials",)
    assert rules.argument("ldap3.Connection", None, None, "password") == ("user.authorization.credentials",)
    assert rules.argument("ldap3.Connection", None, 1, "user") == ()  # the bind DN: often read back from the directory


def test_options_that_make_a_library_send_data(knowledge):
    """`send_default_pii=True` makes Sentry attach the signed-in user and the client's IP address
    to its events: written as that constant only (a setting or a variable says nothing)."""
    rules = knowledge.sources
    sent = rules.argument("sentry_sdk.init", None, None, "send_default_pii", constant=True, written=True)
    assert set(sent) == {"user.unique_id", "user.contact.email", "user.account.username", "user.device.ip_address"}
    assert rules.argument("sentry_sdk.init", None, None, "send_default_pii", constant=True, written=False) == ()
    assert rules.argument("sentry_sdk.init", None, None, "send_default_pii", constant=True) == ()  # settings.SEND_PII
    assert rules.argument("sentry_sdk.init", None, None, "send_default_pii") == ()  # a variable
    assert rules.argument("sentry_sdk.init", None, None, "debug", constant=True, written=True) == ()


def test_unknown_category_is_an_error():
    rules = SourceRules(calls=(SourceCall("x.y", "user.nothing", "test"),))
    with pytest.raises(ConfigError, match="unknown category"):
        rules.check_categories({"user.contact.email": None}, "rules/sources.toml")


def test_digest_follows_the_rules(knowledge):
    assert knowledge.sources.digest() == load_sources(rules_dir()).digest()
    assert SourceRules().digest() != knowledge.sources.digest()


MODELS = b'''
from django.conf import settings
from django.db import models
from django.utils import translation


class Booking(models.Model):
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    contact = models.EmailField()
    support_email = models.EmailField()
    room = models.ForeignKey("hotel.Room", on_delete=models.CASCADE)


class SiteSettings(models.Model):
    contact = models.EmailField()


def language(user):
    return translation.get_language(), user.get_full_name()
'''


def test_summary_sources(knowledge):
    ctx = Context(knowledge.vocabulary, knowledge.catalog.flowrules, knowledge.sources)
    summary = summarize(MODELS, "models.py", "models", False, ctx, "digest")
    found = {(s.expression, s.category, s.shape) for s in summary.sources}
    assert ("assigned_to", "user.unique_id", "relation") in found
    assert ("contact", "user.contact.email", "field") in found
    assert ("get_full_name", "user.name", "attribute") in found
    assert any(shape == "call" and category == "user.demographic.language" for _, category, shape in found)
    assert not any(e in ("support_email", "room") for e, _, _ in found)
    site = next(c for c in summary.classes if c.qualname == "models.SiteSettings")
    assert site.fields == (("contact", None),)   # the service's own model


def test_deciding_settings_are_mentioned_where_assigned(knowledge):
    """`MIDDLEWARE = [...]` at module level decides get_language()'s rule; the string read elsewhere
    (`getattr(settings, "MIDDLEWARE")`) is no assignment."""
    ctx = Context(knowledge.vocabulary, knowledge.catalog.flowrules, knowledge.sources)
    settings = summarize(b'MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]\n', "settings.py", "settings", False, ctx, "d")
    reader = summarize(b'from django.conf import settings\nSTACK = getattr(settings, "MIDDLEWARE", [])\n', "app.py", "app", False, ctx, "d")
    assert "MIDDLEWARE" in settings.mentions
    assert "MIDDLEWARE" not in reader.mentions


def test_scoped_needs_count_only_without_deciding_settings(knowledge):
    rule = next(c for c in knowledge.sources.calls if c.callee == "django.utils.translation.get_language")
    override = "django.utils.translation.override"
    assert rule.needs_met({override})  # a reusable app that switches languages in its own blocks
    assert not rule.needs_met({override, "MIDDLEWARE"})  # a project whose middleware list decides
    assert rule.needs_met({"django.middleware.locale.LocaleMiddleware", "MIDDLEWARE"})
    assert not rule.needs_met(set())
