"""Dotted names: qualified names (`django.core.mail`) and category ids (`user.contact.email`) are
paths of dot-separated parts, and a rule that names one part names what is inside it."""

from __future__ import annotations


def within(name: str, prefix: str) -> bool:
    """Is `name` the dotted `prefix` itself or inside it (`user.contact.email` is within
    `user.contact`; `user.contacts` is not)?"""
    return name == prefix or name.startswith(prefix + ".")
