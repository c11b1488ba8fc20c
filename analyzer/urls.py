"""Hosts read out of URL and DSN text from the scanned code.

Any string in the scanned code is hostile: `http://[evil]/` or `http://[::1/x` make urllib.parse
raise. This is the one place that takes URL text apart, with string operations only; what it
cannot read is None, and the destination is then unknown, never an exception.
"""

from __future__ import annotations

import ipaddress
import re

_AUTHORITY_END = re.compile(r"[/?#]")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def split_url(text: str) -> tuple[str, str, bool]:
    """(scheme, authority, whether the authority is known to end) of `scheme://authority/...`; the
    scheme is "" for text without `://` (then all of it up to a path is the authority). A URL that
    repeats its scheme (`https://https://host`) is the one inside: it is what a normalizer makes on
    the branch it does not take (`f"https://{url}" if not url.startswith("http") else url`, given a
    URL that has one), not a request to a host named `https`."""
    scheme, sep, rest = text.strip().partition("://")
    if not sep:
        scheme, rest = "", text.strip()
    while _SCHEME.match(rest):
        scheme, _, rest = rest.partition("://")
    end = _AUTHORITY_END.search(rest)
    return scheme, rest[: end.start()] if end else rest, end is not None


def authority_host(authority: str) -> str | None:
    """The host of `user:password@host:port` (the first of a DSN's comma-separated hosts), in
    lower case; None when there is none or it is malformed (brackets around anything but an IPv6
    address, a bracket elsewhere)."""
    hostport = authority.rpartition("@")[2].split(",")[0].strip()
    if hostport.startswith("["):
        inside, closed, after = hostport[1:].partition("]")
        if not closed or (after and not after.startswith(":")) or not _is_ipv6(inside):
            return None
        return inside.lower()
    if "[" in hostport or "]" in hostport:
        return None
    if hostport.count(":") > 1 and _is_ipv6(hostport):  # an IPv6 address written without brackets
        return hostport.lower()
    return hostport.partition(":")[0].lower() or None


def _is_ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True
