"""Resolve: where a sink call sends its data.

A destination is assembled from the sink's own arguments (url, host, dsn, region, bucket, path),
then from the client object the call is made on (base_url, region_name, endpoint_url, SMTP host,
module-wide clients such as sentry_sdk.init), then the vendor default of the sink rule. The host
or region is mapped to a jurisdiction with the rule tables. What cannot be known stays unknown,
with the reason.
"""

from __future__ import annotations

import re

from .ir import AttrPath, ClientObject, ItemPath, Lit, ParamRef, Sym, Unknown, key_text, ordered
from .results import Destination
from .strings import literal
from .urls import authority_host, split_url

_LIBPQ_HOST = re.compile(r"(?:^|\s)host\s*=\s*'?([^\s']+)")


def describe_unknown(parts: tuple) -> str:
    for p in parts:
        if type(p) is Unknown:
            return p.why
        if type(p) is Sym:
            return f"depends on a parameter ({_path_text(p.path)})"
    return "not a constant"


def _path_text(path: tuple) -> str:
    match path:
        case ParamRef(name=name):
            return name
        case AttrPath(base=base, name=name):
            return f"{_path_text(base)}.{name}"
        case ItemPath(base=base, key=key):
            return f"{_path_text(base)}{key_text(key)}"
    return "?"


def host_of(text: str, complete: bool, role: str) -> str | None:
    """The host named by a URL/DSN/host string, if its host part is fully known (not a template's
    placeholder: `api.{host}` is a host yet to be filled in)."""
    host = _host_of(text, complete, role)
    return None if host is None or re.search(r"[{}%$<>\s]", host) else host


def _host_of(text: str, complete: bool, role: str) -> str | None:
    text = text.strip()
    if role in ("url", "dsn") and "://" in text:
        _, authority, ended = split_url(text)
        return authority_host(authority) if ended or complete else None
    if role == "dsn":
        m = _LIBPQ_HOST.search(text)
        if m and (complete or m.end() < len(text)):
            return m.group(1).lower()
        return None
    if role == "host" or (role == "url" and re.match(r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?::\d+)?(?:/|$)", text)):
        if not complete and not re.search(r"[:/]", text):
            return None
        host = re.split(r"[:/]", text, 1)[0].strip().lower()
        return host or None
    return None


def host_suffix(parts: tuple) -> str | None:
    """The constant end of a URL's host whose beginning is computed, at least two labels long
    (`f"https://{key}.rest.akismet.com/1.1"`: `.rest.akismet.com`), else None."""
    text = "".join(p.text if type(p) is Lit else "\0" for p in parts)
    scheme, sep, rest = text.partition("://")
    if not sep or "\0" in scheme:
        return None
    host = re.split(r"[/?#]", rest, 1)[0].rpartition("@")[2]
    host = re.sub(r":\d+$", "", host)
    suffix = host.rpartition("\0")[2].lower()
    return suffix if "\0" in host and re.fullmatch(r"(\.[a-z0-9-]+){2,}", suffix) else None


def is_relative(text: str) -> bool:
    return not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", text) and not re.match(r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,}", text)


_PROVIDER_REGION = re.compile(r"(?P<provider>[A-Za-z]+):(?P<region>[A-Za-z0-9-]+)")


def _constant(text: str) -> tuple:
    """A string written in full, as the scan sees a constant."""
    return (Lit(text, None),)


class Resolver:
    """Where sink calls send their data, by the rule tables."""

    def __init__(self, jurisdictions, config, position=lambda path, loc: (0, 0), at_home=None):
        self.jurisdictions = jurisdictions
        self.config = config
        self.position = position  # (path, loc) -> (line, column)
        # jurisdiction -> whether the policy counts it as home (evaluate.Policy.at_home)
        self.at_home = at_home or (lambda jurisdiction: jurisdiction == "HOME" or jurisdiction in config.home)

    def place(self, text: str, region: str | None = None, provider: str | None = None) -> Destination:
        """Where one destination written by hand is, by the rules a scan applies to a constant:
        a URL or DSN, a host, a `provider:region`, or a bare cloud region (`xborder where`)."""
        if region:
            return self._from_region(_constant(region), provider)[0]
        text = text.strip()
        qualified = _PROVIDER_REGION.fullmatch(text)
        if qualified and "://" not in text and not qualified["region"].isdigit():
            return self._from_region(_constant(qualified["region"]), qualified["provider"])[0]
        if re.fullmatch(r"[A-Za-z0-9-]+", text):  # a bare word: a region, or a name the tables know
            found = self._from_region(_constant(text), provider)[0]
            if found.jurisdiction is None:
                found = self._from_string("host", _constant(text))[0]
            if found.rule != self.jurisdictions.locate_host("single-label").rule:
                return found
            return Destination(None, None, None, f"cannot place {text!r}: it is neither a known cloud region nor a host "
                               f"name with a domain (a scan counts a single-label host in a URL, http://{text}/, as HOME)")
        for role in (("url", "dsn") if "://" in text else ("dsn",) if "=" in text else ("host",)):
            found = self._from_string(role, _constant(text))
            if found:
                return found[0]
        return Destination(None, None, None, f"cannot place {text!r}: no host could be read from it")

    def evidence(self, what: str, where: tuple | None) -> str:
        if where is None:
            return what
        line, _ = self.position(where[0], where[1])
        return f"{what} at {where[0]}:{line}"

    def destinations(self, call) -> list[Destination]:
        """Every destination a sink call may have (alternatives from branches give several)."""
        own = [(role, s) for role, g in call.dests for s in ordered(g.strs)]
        clients = [o for o in ordered(call.clients.objs) if type(o) is ClientObject]
        provider = call.sink.provider
        client_roles = [[(role, s, c.provider) for role, alts in c.dests for s in alts] for c in clients] or [[]]
        found, unplaced, beside = [], [], []
        for roles in client_roles:
            alternative, left = self._one(own, roles, provider, call.sink)
            found.extend(alternative)
            beside.extend(left)
            if roles and alternative and all(d.jurisdiction is None for d in alternative):
                unplaced.append(alternative[0])
        unique, seen = [], set()
        for d in found:
            key = (d.host, d.region, d.jurisdiction)
            if key not in seen:
                seen.add(key)
                unique.append(d)
        known = [d for d in unique if d.jurisdiction is not None]
        if not known:
            return unique[:1]
        # Within one client a placed string wins over a partial one while a placed one leaves home
        # (that is the finding); beside hosts at home only, an alternative nobody can place (a host
        # left to the deployment, alternatives dropped past the cap) is the worst case, never dropped.
        # A client alternative that places nothing (an SMTP host left to the deployment next to a
        # debug console backend) still sends somewhere nobody knows.
        if all(self.at_home(d.jurisdiction) for d in known):
            unplaced += beside
        return known + unplaced[:1]

    def _one(self, own: list, client: list, provider, sink) -> tuple[list[Destination], list[Destination]]:
        """The destinations of one client alternative, and the unplaced ones left out beside them."""
        results, unknown = [], []
        base_urls = [(s, p) for role, s, p in client if role in ("url", "dsn")]
        for role, parts in own:
            if role in ("url", "dsn", "host"):
                if role == "url" and base_urls and is_relative(literal(parts)[0]):
                    for base, _ in base_urls:
                        results.extend(self._from_string("url", base, "base URL of the client"))
                    continue
                found = self._from_string(role, parts)
                if found:
                    results.extend(found)
                else:
                    unknown.append(self._unknown(parts, sink))
            elif role == "region":
                results.extend(self._from_region(parts, provider))
            elif role == "path":
                results.append(self._local(parts))
        if results:
            return results, unknown
        for role, parts, client_provider in client:
            if role in ("url", "dsn", "host"):
                results.extend(self._from_string(role, parts, "given to the client") or [self._unknown(parts, sink)])
            elif role == "region":
                results.extend(self._from_region(parts, client_provider or provider))
            elif role == "path":
                results.append(self._local(parts))
        good = [d for d in results if d.jurisdiction is not None]
        if good:
            return good, [d for d in results if d.jurisdiction is None]
        # A client given a destination computed at run time (a DSN read from the configuration) or a
        # host no table places (a self-hosted PostHog, the deployment's own SMTP server) is not the
        # vendor's default, which is for a client given none or a constant of no host (":memory:").
        computed = any(role in ("url", "dsn", "host") and not literal(parts)[1] for role, parts, _ in client)
        if sink.default and not computed and not any(d.host for d in results):
            loc = self.jurisdictions.locate_host(sink.default)
            return [Destination(sink.default, None, self._home(loc.jurisdiction), f"vendor default host of {sink.callee}", loc.rule, loc.source, loc.vendor)], []
        return results or unknown or [self._unplaced("no destination argument could be read", sink)], []

    def _home(self, jurisdiction):
        return self.config.home[0] if jurisdiction == "HOME" and self.config.home else jurisdiction

    def _from_string(self, role: str, parts: tuple, via: str = "") -> list[Destination]:
        text, complete, ev = literal(parts)
        if role in ("url", "dsn") and self.jurisdictions.is_bucket_url(text) and (complete or "/" in text.partition("://")[2]):
            loc = self.jurisdictions.locate_url(text)  # s3://bucket: the project's bucket globs place it
            return [Destination(None, None, self._home(loc.jurisdiction), self.evidence("bucket name", ev), loc.rule, loc.source, loc.vendor)]
        host = host_of(text, complete, role)
        if host is None and role == "url" and (suffix := host_suffix(parts)):
            loc = self.jurisdictions.locate_host("*" + suffix)  # `f"https://{key}.rest.akismet.com"`: the table's *.rest.akismet.com
            if loc.jurisdiction is not None:
                return [Destination("*" + suffix, None, self._home(loc.jurisdiction), self.evidence(f"host ending in {suffix}", ev), loc.rule, loc.source, loc.vendor)]
        if host is None:
            if role == "dsn" and text.startswith("sqlite"):
                return [self._local(parts)]
            return []
        loc = self.jurisdictions.locate_host(host)
        what = "string constant" + (f" ({via})" if via else "")
        return [Destination(host, None, self._home(loc.jurisdiction), self.evidence(what, ev), loc.rule, loc.source, loc.vendor)]

    def _from_region(self, parts: tuple, provider) -> list[Destination]:
        text, complete, ev = literal(parts)
        if not complete or not text:
            return [Destination(None, None, None, f"region {describe_unknown(parts)}")]
        loc = self.jurisdictions.locate_region(provider, text)
        return [Destination(None, text, self._home(loc.jurisdiction), self.evidence("region constant", ev), loc.rule, loc.source, loc.vendor)]

    def _local(self, parts: tuple) -> Destination:
        text, complete, ev = literal(parts)
        juris = self.config.local_jurisdiction
        return Destination(None, None, self._home(juris), self.evidence("local file or database", ev), "local storage")

    def _unplaced(self, why: str, sink) -> Destination:
        """A destination computed at run time or not given: nobody knows where, but for the
        application's own store (a sink with `own`: its database, cache), whose address the
        configuration gives, which is where the application runs, as a local file is."""
        if not sink.own:
            return Destination(None, None, None, why)
        return Destination(None, None, self._home(self.config.local_jurisdiction),
                           f"the application's own store, its address from the configuration ({why})", "own storage")

    def _unknown(self, parts: tuple, sink) -> Destination:
        """A destination no table places: a constant with no host in it (a malformed or relative
        URL), or one computed at run time (the application's own store's is the configuration's)."""
        text, complete, ev = literal(parts)
        if complete:
            shown = text if len(text) <= 60 else text[:57] + "..."
            return Destination(None, None, None, self.evidence(f"no host could be read from {shown!r}", ev))
        return self._unplaced(describe_unknown(parts), sink)
