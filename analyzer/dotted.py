"""Dotted names: qualified names (`django.core.mail`) and category ids (`user.contact.email`) are
paths of dot-separated parts, and a rule that names one part names what is inside it; the last
part of a qualified name says by convention whether it is a class."""

from __future__ import annotations


def within(name: str, prefix: str) -> bool:
    """Is `name` the dotted `prefix` itself or inside it (`user.contact.email` is within
    `user.contact`; `user.contacts` is not)?"""
    return name == prefix or name.startswith(prefix + ".")


def is_class_name(identifier: str) -> bool:
    """A CapWords name (`EmailMultiAlternatives`, `IPAddress`): a class, by convention."""
    return identifier[:1].isupper() and not identifier.isupper()


def may_name_class(identifier: str) -> bool:
    """A name a library's class may have: CapWords or an acronym (`JIRA`, `UUID`), which
    `is_class_name` leaves to the constants a project writes."""
    return identifier[:1].isupper()
