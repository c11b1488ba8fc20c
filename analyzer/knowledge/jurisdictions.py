"""Where a host, URL or cloud region is, and which regime governs a home.

The knowledge lives in rules/destinations/*.toml and rules/regimes.toml (see their header comments);
this module loads it strictly (each file against its schema under schemas/, then the checks only the
rules can make), so that a typo in the rules stops the run instead of silently changing answers, and
turns it into precompiled lookups.

Host globs use fnmatch semantics on the lowercase host: "*" matches any text including dots, and
"*.example.com" does NOT match "example.com" itself (list both). Among matching globs of one table the
most specific wins: an exact host, else the glob with the most literal characters (ties: "*.suffix"
globs, then file order).
"""

from __future__ import annotations

import difflib
import fnmatch
import hashlib
import ipaddress
import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError
from ..urls import authority_host, split_url
from .schema import check, rules_schema

HOME = "HOME"

_GLOB_CHARS = frozenset("*?[")
_HOST_GLOB = re.compile(r"[a-z0-9*?.\[\]!_-]+")
_PROJECT_REGION_KEY = re.compile(r"(?P<provider>[a-z0-9*]+):(?P<glob>[a-z0-9*?\[\]!_-]+)")


@dataclass(frozen=True)
class Location:
    """Where a destination is, and which table entry said so."""

    jurisdiction: str | None  # ISO alpha-2, a group id ("EU"), "HOME", or None (unknown)
    rule: str  # which entry decided, e.g. "saas: Mixpanel (api-eu.mixpanel.com)"
    source: str  # the entry's citation
    vendor: str = ""  # the recipient the tables name: a SaaS vendor, a cloud provider ("" when none does)


@dataclass(frozen=True)
class Regime:
    """A data-protection regime; `adequate` and `conditional` may hold groups: test with `contains`."""

    id: str
    name: str
    home: tuple[str, ...]
    localization: str
    transfer_restricted: bool
    adequate: tuple[str, ...]
    conditional: tuple[str, ...]
    bases: dict[str, str]
    sensitive: tuple[str, ...]  # category id prefixes
    source: str
    scope: dict[str, str] = field(default_factory=dict)  # adequate/conditional code -> which recipients


# ---------------------------------------------------------------- reading


def _read(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as error:
        raise ConfigError(f"cannot read rules file: {error.strerror}", path=str(file)) from None


def _load_toml(file: Path, name: str) -> dict:
    """A rules file (`name` relative to the rules folder), checked against its schema."""
    schema = rules_schema(name, str(file))
    try:
        data = tomllib.loads(_read(file).decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        line = re.search(r"at line (\d+)", str(error))
        raise ConfigError(f"invalid TOML: {error}", path=str(file), line=int(line.group(1)) if line else None) from None
    check(data, schema, str(file))
    return data


# ---------------------------------------------------------------- host globs


class _HostIndex:
    """Host globs -> value: exact hosts in a dict, "*.suffix" globs by suffix, the rest as regexes."""

    def __init__(self) -> None:
        self.exact: dict[str, tuple[str, object]] = {}
        self.suffix: dict[str, tuple[str, object]] = {}
        self.globs: list[tuple[int, re.Pattern, str, object]] = []

    def add(self, glob: str, value: object) -> object | None:
        """Add a glob; returns the value already stored under the same glob (a conflict), else None."""
        if not _GLOB_CHARS & set(glob):
            if glob in self.exact:
                return self.exact[glob][1]
            self.exact[glob] = (glob, value)
            return None
        rest = glob[2:]
        if glob.startswith("*.") and not _GLOB_CHARS & set(rest):
            if rest in self.suffix:
                return self.suffix[rest][1]
            self.suffix[rest] = (glob, value)
            return None
        for _, _, known, old in self.globs:
            if known == glob:
                return old
        literal = sum(1 for ch in glob if ch not in "*?")
        self.globs.append((literal, re.compile(fnmatch.translate(glob)), glob, value))
        self.globs.sort(key=lambda item: -item[0])  # stable: file order among equals
        return None

    def lookup(self, host: str) -> tuple[str, object] | None:
        """The most specific (glob, value) matching host, or None."""
        hit = self.exact.get(host)
        if hit:
            return hit
        best, best_literal = None, -1
        start = host.find(".")
        while start != -1:  # leftmost dot first = longest suffix
            hit = self.suffix.get(host[start + 1 :])
            if hit:
                best, best_literal = hit, len(host) - start
                break
            start = host.find(".", start + 1)
        for literal, regex, glob, value in self.globs:
            if literal <= best_literal:
                break
            if regex.match(host):
                return glob, value
        return best


def _check_glob(glob: str, path: str, key: str) -> str:
    if glob != glob.lower() or not _HOST_GLOB.fullmatch(glob):
        raise ConfigError(f"'{glob}' is not a lowercase host glob", path=path, key=key)
    return glob


# ---------------------------------------------------------------- the tables


@dataclass(frozen=True)
class _Region:
    jurisdiction: str
    source: str


@dataclass(frozen=True)
class _HostPattern:
    provider: str
    name: str
    regex: re.Pattern
    jurisdiction: str | None
    located: bool
    region_map: dict[str, str]
    source: str


@dataclass(frozen=True)
class _Entry:
    """A glob table's value: what a match means."""

    jurisdiction: str
    rule: str
    source: str
    vendor: str = ""


class _TableLoading:
    """Loading the tables of a Jurisdictions: the rules files, then a project's [destinations],
    each checked for what its schema cannot say (known codes and providers, regexes, duplicates)."""

    @classmethod
    def from_dir(cls, rules_dir: Path) -> "Jurisdictions":
        """Load rules_dir/destinations/*.toml and rules_dir/regimes.toml, each checked against its schema
        (schemas/destinations/<name>.schema.json, schemas/regimes.schema.json), then what no schema can say."""
        rules_dir = Path(rules_dir)
        regimes_file = rules_dir / "regimes.toml"
        files = sorted((rules_dir / "destinations").glob("*.toml")) + [regimes_file]
        self = cls()
        digest = hashlib.sha256()
        for file in files:
            digest.update(file.name.encode() + b"\0" + _read(file) + b"\0")
        self._files_digest = digest.hexdigest()

        sections: dict[str, list[tuple[str, dict]]] = defaultdict(list)
        for file in files:
            for name, value in _load_toml(file, file.relative_to(rules_dir).as_posix()).items():
                sections[name].append((str(file), value))

        def single(name: str) -> tuple[str, object]:
            found = sections[name]
            if len(found) != 1:
                where = found[1][0] if found else str(rules_dir / "destinations")
                raise ConfigError(f"[{name}] must be defined exactly once", path=where, key=name)
            return found[0]

        self._load_countries(*single("countries"))
        self._load_groups(*single("groups"))
        self._load_cctld(*single("cctld"))
        for path, value in sections["special"]:
            self._load_special(path, value)
        for path, value in sections["providers"]:
            self._load_providers(path, value)
        for path, value in sections["region"]:
            self._load_regions(path, value)
        for path, value in sections["host_pattern"]:
            self._load_patterns(path, value)
        for path, value in sections["vendor"]:
            self._load_vendors(path, value)
        self._load_regimes(*single("regime"))
        return self

    def _code(self, code: str, path: str, key: str, home_ok: bool = False) -> str:
        if not (self.is_known(code) or (home_ok and code == HOME)):
            guess = self.suggest(code)
            raise ConfigError(f"'{code}' is not an ISO 3166-1 alpha-2 code or a group id"
                              + (f"; did you mean {guess}?" if guess else ""), path=path, key=key)
        return code

    def _load_countries(self, path: str, table: dict) -> None:
        self._countries = dict(table["codes"])
        for alias, code in table.get("aliases", {}).items():
            if alias in self._countries or code not in self._countries:
                raise ConfigError("an alias is not a country code and names one", path=path, key=f"countries.aliases.{alias}")
        self._aliases = dict(table.get("aliases", {}))

    def _load_groups(self, path: str, groups: dict) -> None:
        raw = {}
        for gid, entry in groups.items():
            if gid in self._countries or gid == HOME:
                raise ConfigError("a group id is not a country code or HOME", path=path, key=f"groups.{gid}")
            raw[gid] = entry["members"]

        def expand(gid: str, seen: tuple[str, ...]) -> frozenset[str]:
            out: set[str] = set()
            for i, member in enumerate(raw[gid]):
                if member in raw:
                    if member in seen:
                        raise ConfigError(f"group cycle {' -> '.join(seen + (member,))}", path=path, key=f"groups.{gid}.members")
                    out |= expand(member, seen + (member,))
                elif member in self._countries:
                    out.add(member)
                else:
                    raise ConfigError(f"'{member}' is not a country code or group", path=path, key=f"groups.{gid}.members[{i}]")
            return frozenset(out)

        self._groups = {gid: expand(gid, (gid,)) for gid in raw}

    def _load_cctld(self, path: str, table: dict) -> None:
        generic = set(table["generic"])
        self._cctld = {code.lower(): (code, table["source"]) for code in self._countries if code.lower() not in generic}
        for tld, code in table["extra"].items():
            self._cctld[tld] = (self._code(code, path, f"cctld.extra.{tld}"), table["extra_source"])

    def _load_special(self, path: str, entries: list) -> None:
        for i, entry in enumerate(entries):
            key = f"special[{i}]"
            jurisdiction = self._code(entry["jurisdiction"], path, f"{key}.jurisdiction", home_ok=True)
            kind = next(k for k in ("cidr", "host", "single_label", "scheme") if k in entry)  # exactly one: the schema
            match = entry[kind]
            label = f"special address: {entry['name']}" + ("" if kind == "single_label" else f" ({match})")
            item = _Entry(jurisdiction, label, entry["source"])
            if kind == "cidr":
                try:
                    self._networks.append((ipaddress.ip_network(match), item))
                except ValueError as error:
                    raise ConfigError(str(error), path=path, key=f"{key}.cidr") from None
            elif kind == "host":
                if self._special_hosts.add(_check_glob(match, path, f"{key}.host"), item) is not None:
                    raise ConfigError(f"host '{match}' listed twice", path=path, key=f"{key}.host")
            elif kind == "scheme":
                self._local_schemes[match.lower()] = item
            else:
                self._single_label = item

    def _load_providers(self, path: str, providers: dict) -> None:
        for pid, entry in providers.items():
            key = f"providers.{pid}"
            for name in [pid, *entry["aliases"]]:
                if name in self._providers or name != name.lower():
                    raise ConfigError(f"provider name '{name}' is taken or not lowercase", path=path, key=key)
                self._providers[name] = pid
            for scheme in entry["bucket_schemes"]:
                if scheme in self._bucket_schemes:
                    raise ConfigError(f"bucket scheme '{scheme}' belongs to another provider", path=path, key=f"{key}.bucket_schemes")
                self._bucket_schemes[scheme] = pid
            self._provider_source[pid] = entry["source"]
            self._provider_names[pid] = entry["name"]

    def _provider(self, name: str, path: str, key: str) -> str:
        if name not in self._providers:
            raise ConfigError(f"unknown provider '{name}' (declare it under [providers])", path=path, key=key)
        return self._providers[name]

    def _load_regions(self, path: str, entries: list) -> None:
        for i, entry in enumerate(entries):
            key = f"region[{i}]"
            provider = self._provider(entry["provider"], path, f"{key}.provider")
            region = entry["region"]
            if (provider, region) in self._regions:
                raise ConfigError(f"{provider} region '{region}' listed twice", path=path, key=f"{key}.region")
            jurisdiction = self._code(entry["jurisdiction"], path, f"{key}.jurisdiction")
            self._regions[(provider, region)] = _Region(jurisdiction, entry["source"])

    def _load_patterns(self, path: str, entries: list) -> None:
        for i, entry in enumerate(entries):
            key = f"host_pattern[{i}]"
            provider = self._provider(entry["provider"], path, f"{key}.provider")
            try:
                regex = re.compile(entry["pattern"])
            except re.error as error:
                raise ConfigError(f"bad regex: {error}", path=path, key=f"{key}.pattern") from None
            groups = set(regex.groupindex)
            if groups - {"region"}:
                raise ConfigError(f"only the named group 'region' is allowed, found {sorted(groups)}", path=path, key=f"{key}.pattern")
            located = entry.get("encodes_location") is not False
            ways = ["region" in groups, "jurisdiction" in entry, not located]
            if sum(ways) != 1:
                raise ConfigError(
                    "say where the host is in exactly one way: a 'region' group, 'jurisdiction', or encodes_location = false",
                    path=path,
                    key=key,
                )
            if "region_map" in entry and "region" not in groups:
                raise ConfigError("region_map needs a 'region' group", path=path, key=f"{key}.region_map")
            jurisdiction = entry.get("jurisdiction") and self._code(entry["jurisdiction"], path, f"{key}.jurisdiction")
            pattern = _HostPattern(provider, entry["name"], regex, jurisdiction, located, entry.get("region_map", {}), entry["source"])
            match = regex.fullmatch(entry["example"])
            if not match:
                raise ConfigError(f"example '{entry['example']}' does not match the pattern", path=path, key=f"{key}.example")
            if "region" in groups and self._pattern_region(pattern, match) not in self._regions:
                raise ConfigError(f"example region '{match['region']}' is not in the {provider} region table", path=path, key=f"{key}.example")
            self._patterns.append(pattern)

    @staticmethod
    def _pattern_region(pattern: _HostPattern, match: re.Match) -> tuple[str, str]:
        return pattern.provider, pattern.region_map.get(match["region"], match["region"])

    def _load_vendors(self, path: str, vendors: list) -> None:
        for i, vendor in enumerate(vendors):
            key = f"vendor[{i}]"
            self._vendor_names.add(vendor["name"])
            groups = [(vendor, key)] + [(item, f"{key}.regional[{j}]") for j, item in enumerate(vendor.get("regional", []))]
            for entry, where in groups:
                jurisdiction = self._code(entry["jurisdiction"], path, f"{where}.jurisdiction")
                for h, glob in enumerate(entry["hosts"]):
                    _check_glob(glob, path, f"{where}.hosts[{h}]")
                    item = _Entry(jurisdiction, f"saas: {vendor['name']} ({glob})", entry.get("source") or vendor["source"],
                                  vendor["name"])
                    clash = self._saas.add(glob, item)
                    if clash is not None:
                        raise ConfigError(f"host '{glob}' is already listed ({clash.rule})", path=path, key=f"{where}.hosts[{h}]")

    def _load_regimes(self, path: str, regimes: dict) -> None:
        for rid, entry in regimes.items():
            key = f"regime.{rid}"
            home = tuple(self._code(c, path, f"{key}.home[{i}]") for i, c in enumerate(entry["home"]))
            scope: dict[str, str] = {}
            codes: dict[str, tuple[str, ...]] = {}
            for part in ("adequate", "conditional"):
                found = []
                for i, dest in enumerate(entry[part]):
                    where = f"{key}.{part}[{i}]"
                    code = self._code(dest["code"], path, f"{where}.code")
                    if code in found or any(code in done for done in codes.values()):
                        raise ConfigError(f"'{code}' listed twice", path=path, key=f"{where}.code")
                    found.append(code)
                    if "scope" in dest:
                        scope[code] = dest["scope"]
                codes[part] = tuple(found)
            bases: dict[str, str] = {}
            for i, basis in enumerate(entry["bases"]):
                if basis["id"] in bases:
                    raise ConfigError(f"basis id '{basis['id']}' is listed twice", path=path, key=f"{key}.bases[{i}].id")
                bases[basis["id"]] = basis["description"]
            self.regimes[rid] = Regime(
                id=rid, name=entry["name"], home=home, localization=entry["localization"],
                transfer_restricted=entry["transfer_restricted"], adequate=codes["adequate"],
                conditional=codes["conditional"], bases=bases, sensitive=tuple(entry["sensitive"]),
                source=entry["source"], scope=scope,
            )

    # ------------------------------------------------------------ the project's [destinations]

    def with_project(self, destinations: dict[str, str], origin: str) -> "Jurisdictions":
        """A copy whose lookups try the project's entries first; replaces earlier project entries.
        The config's schema has checked the table: here are the checks only the rules can make.

        Keys: a host glob ("*.corp.example"), a bucket glob behind a bucket scheme ("s3://acme-eu-*"), or a
        provider and region glob ("aws:eu-*", "*:cn-*"). Values: a jurisdiction code, group or "HOME".
        """
        new = type(self).__new__(type(self))
        new.__dict__.update(self.__dict__)
        new._project_hosts, new._project_regions, new._project_buckets, new._cache = _HostIndex(), [], {}, {}
        for raw_key, raw_value in destinations.items():
            key = f'destinations."{raw_key}"'
            code = raw_value.strip()
            code = HOME if code.upper() == HOME else code.upper()
            self._code(code, origin, key, home_ok=True)
            entry = _Entry(code, f'config [destinations] "{raw_key}"', origin)
            glob = raw_key.strip().lower()
            if "://" in glob:
                scheme, _, bucket = glob.partition("://")
                provider = self._bucket_schemes.get(scheme)
                if provider is None:
                    raise ConfigError(f"'{scheme}://' is not a bucket scheme ({', '.join(sorted(self._bucket_schemes))})", path=origin, key=key)
                index = new._project_buckets.setdefault(provider, _HostIndex())
                conflict = index.add(_check_glob(bucket, origin, key), entry)
            elif region := _PROJECT_REGION_KEY.fullmatch(glob):
                provider = region["provider"]
                if provider != "*":
                    provider = self._provider(provider, origin, key)
                new._project_regions.append((provider, re.compile(fnmatch.translate(region["glob"])), entry))
                conflict = None
            else:
                conflict = new._project_hosts.add(_check_glob(glob, origin, key), entry)
            if conflict is not None:
                raise ConfigError("listed twice (keys are case-insensitive)", path=origin, key=key)
        new._project_digest = hashlib.sha256(repr(sorted(destinations.items())).encode()).hexdigest()
        return new


class Jurisdictions(_TableLoading):
    """The destination tables and regimes of a rules directory, plus a project's own [destinations]."""

    regimes: dict[str, Regime]

    def __init__(self) -> None:
        self.regimes = {}
        self._countries: dict[str, str] = {}
        self._aliases: dict[str, str] = {}  # a code people write (UK) -> the ISO code (GB), for suggestions
        self._groups: dict[str, frozenset[str]] = {}
        self._providers: dict[str, str] = {}  # id or alias -> id
        self._provider_source: dict[str, str] = {}
        self._provider_names: dict[str, str] = {}  # id -> display name, the vendor of its regions and hosts
        self._bucket_schemes: dict[str, str] = {}  # scheme -> provider id
        self._regions: dict[tuple[str, str], _Region] = {}
        self._patterns: list[_HostPattern] = []
        self._saas = _HostIndex()
        self._vendor_names: set[str] = set()
        self._cctld: dict[str, tuple[str, str]] = {}  # tld -> (jurisdiction, source)
        self._networks: list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, _Entry]] = []
        self._special_hosts = _HostIndex()
        self._single_label: _Entry | None = None
        self._local_schemes: dict[str, _Entry] = {}
        self._project_hosts = _HostIndex()
        self._project_regions: list[tuple[str, re.Pattern, _Entry]] = []  # (provider or "*", region regex, entry)
        self._project_buckets: dict[str, _HostIndex] = {}  # provider -> bucket globs
        self._files_digest = ""
        self._project_digest = ""
        self._cache: dict[str, Location] = {}

    # ------------------------------------------------------------ lookups

    def locate_host(self, host: str) -> Location:
        """Project globs, special addresses, cloud host patterns, SaaS hosts, ccTLD, in that order."""
        name = host.strip().lower().strip("[]").rstrip(".")
        if not name:
            return Location(None, f"no host in {host!r}", "")
        found = self._cache.get(name)
        if found is None:
            found = self._cache[name] = self._locate(name)
        return found

    def _locate(self, host: str) -> Location:
        hit = self._project_hosts.lookup(host)
        if hit:
            return _location(hit[1])
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            address = None
        if address is not None:
            if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
                address = address.ipv4_mapped
            for network, entry in self._networks:
                if address.version == network.version and address in network:
                    return _location(entry)
            return Location(None, f"IP address {host}: public address, its location needs GeoIP", "")
        hit = self._special_hosts.lookup(host)
        if hit:
            return _location(hit[1])
        if "." not in host and self._single_label:
            return _location(self._single_label)
        for pattern in self._patterns:
            match = pattern.regex.fullmatch(host)
            if match:
                return self._pattern_location(pattern, match)
        hit = self._saas.lookup(host)
        if hit:
            return _location(hit[1])
        tld = host.rpartition(".")[2]
        if tld in self._cctld:
            code, source = self._cctld[tld]
            return Location(code, f"ccTLD .{tld}", source)
        return Location(None, f"no table entry for host {host}", "")

    def _pattern_location(self, pattern: _HostPattern, match: re.Match) -> Location:
        what = f"{pattern.provider} host pattern '{pattern.name}'"
        vendor = self._provider_names[pattern.provider]
        if not pattern.located:
            return Location(None, f"{what}: the host does not encode the location", pattern.source, vendor)
        if pattern.jurisdiction:
            return Location(pattern.jurisdiction, what, pattern.source, vendor)
        provider, region = self._pattern_region(pattern, match)
        found = self._regions.get((provider, region))
        if found is None:
            return Location(None, f"{what}: {provider} region {region} is not in the region table", pattern.source, vendor)
        return Location(found.jurisdiction, f"{provider} region {region} ({what})", f"{pattern.source}; {found.source}", vendor)

    def locate_region(self, provider: str | None, region: str) -> Location:
        """A cloud region; without a provider, answer only when every provider with that id agrees."""
        region = region.strip().lower()
        pid = None
        if provider:
            pid = self._providers.get(provider.strip().lower())
            if pid is None:
                return Location(None, f"unknown cloud provider {provider!r}", "")
        for scope, regex, entry in self._project_regions:
            if (scope == "*" or pid is None or scope == pid) and regex.match(region):
                return _location(entry)
        if pid is not None:
            found = self._regions.get((pid, region))
            if found is None:
                return Location(None, f"{pid} region {region} is not in the region table", "", self._provider_names[pid])
            return Location(found.jurisdiction, f"{pid} region {region}", found.source, self._provider_names[pid])
        candidates = [(p, found) for (p, r), found in self._regions.items() if r == region]
        if not candidates:
            return Location(None, f"region {region} is in no provider's region table", "")
        if len({found.jurisdiction for _, found in candidates}) > 1:
            options = ", ".join(f"{p}={found.jurisdiction}" for p, found in candidates)
            return Location(None, f"region {region} is ambiguous without a provider: {options}", "")
        providers = ", ".join(p for p, _ in candidates)
        vendor = self._provider_names[candidates[0][0]] if len(candidates) == 1 else ""  # several clouds: whose is not known
        return Location(candidates[0][1].jurisdiction, f"region {region} ({providers})", candidates[0][1].source, vendor)

    def is_bucket_url(self, url: str) -> bool:
        """Does the URL name a storage bucket (s3://, gs://, oss://...)?"""
        return split_url(url)[0].lower() in self._bucket_schemes

    def locate_url(self, url: str) -> Location:
        """The host of scheme://user@host:port/path or bare host[:port]; buckets and local files by scheme."""
        scheme, authority, _ = split_url(url)
        scheme = scheme.lower().partition("+")[0]  # mongodb+srv, postgresql+psycopg
        if scheme in self._local_schemes:
            return _location(self._local_schemes[scheme])
        if scheme in self._bucket_schemes:
            return self._locate_bucket(self._bucket_schemes[scheme], authority.rpartition("@")[2].split(",")[0].lower())
        host = authority_host(authority)
        if not host:
            return Location(None, f"no host could be read from {url!r}", "")
        return self.locate_host(host)

    def _locate_bucket(self, provider: str, bucket: str) -> Location:
        index = self._project_buckets.get(provider)
        hit = index.lookup(bucket) if index else None
        if hit:
            return _location(hit[1])
        return Location(
            None,
            f"{provider} bucket {bucket!r}: the name does not show its region (give the region, or map it in [destinations])",
            self._provider_source[provider], self._provider_names[provider],
        )

    # ------------------------------------------------------------ codes and regimes

    def describe(self) -> list[dict]:
        """Every table entry as plain data, for `xborder rules destinations`."""
        rows = []
        for index, kind in ((self._project_hosts, "project"), (self._saas, "saas"), (self._special_hosts, "special")):
            entries = list(index.exact.values()) + list(index.suffix.values()) + [(g, v) for _, _, g, v in index.globs]
            for glob, entry in sorted(entries, key=lambda e: e[0]):
                rows.append({"kind": kind, "match": glob, "jurisdiction": entry.jurisdiction, "rule": entry.rule, "source": entry.source})
        for (provider, region), r in sorted(self._regions.items()):
            rows.append({"kind": "region", "match": f"{provider}:{region}", "jurisdiction": r.jurisdiction, "rule": f"{provider} region {region}", "source": r.source})
        for p in self._patterns:
            rows.append({"kind": "host-pattern", "match": p.regex.pattern, "jurisdiction": p.jurisdiction, "rule": p.name, "source": p.source})
        for tld, (juris, source) in sorted(self._cctld.items()):
            rows.append({"kind": "cctld", "match": f".{tld}", "jurisdiction": juris, "rule": f"ccTLD .{tld}", "source": source})
        return rows

    def members(self, code: str) -> frozenset[str]:
        """The countries of a group; a country (or unknown code) is its own only member."""
        return self._groups.get(code, frozenset((code,)))

    def contains(self, outer: str, inner: str) -> bool:
        """Is every country of `inner` within `outer` (DE in EU, EU in EEA, X in X)?"""
        return outer == inner or self.members(inner) <= self.members(outer)

    def is_known(self, code: str) -> bool:
        return code in self._countries or code in self._groups

    def vendors(self) -> frozenset:
        """Every recipient the tables name: SaaS vendors and cloud providers (config `processing.vendors`)."""
        return frozenset(self._vendor_names | set(self._provider_names.values()))

    def suggest(self, code: str) -> str | None:
        """What an unknown jurisdiction code was likely meant to be: the ISO code of a known alias
        (UK -> GB), a code or group whose country name it is (Germany -> DE), else the closest
        group id (EEU -> EEA); two-letter codes are too close to each other for guessing by spelling."""
        code = code.strip().upper()
        if code in self._aliases:
            return self._aliases[code]
        named = [c for c, name in self._countries.items() if name.upper() == code]
        if named:
            return named[0]
        close = difflib.get_close_matches(code, sorted(self._groups), n=1, cutoff=0.6) if len(code) > 2 else []
        return close[0] if close else None

    def regime_for_home(self, home: str) -> Regime | None:
        """The regime whose home contains `home`; the narrowest home wins if several do."""
        matches = [r for r in self.regimes.values() if any(self.contains(h, home) for h in r.home)]
        if not matches:
            return None
        return min(matches, key=lambda r: sum(len(self.members(h)) for h in r.home))

    def digest(self) -> str:
        """Changes whenever a rules file or the project's [destinations] changes (part of cache keys)."""
        return hashlib.sha256(f"{self._files_digest}:{self._project_digest}".encode()).hexdigest()


def _location(entry: _Entry) -> Location:
    return Location(entry.jurisdiction, entry.rule, entry.source, entry.vendor)
